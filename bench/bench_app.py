"""One benchmark app, synthesized in its own process: ``python bench/bench_app.py KIND N OUTDIR``.

KIND is ``ours`` (N ``WebService``s on one ``PlatformStack``, in ``ServicesStack``s of at most
``SERVICES_PER_STACK``), ``patterns`` (N ``aws_ecs_patterns.ApplicationLoadBalancedEc2Service``
on one EC2 cluster, the 500-resource limit lifted), or ``reference`` (``app.py``, its one
service; N ignored).
Both apps synthesize with the repository's ``cdk.json`` context and without cdk-nag, so the
figures compare the constructs, not the checks; ``reference`` runs ``app.py`` as ``cdk synth``
does, cdk-nag included.
"""

from __future__ import annotations

import sys
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_ecs_patterns as ecs_patterns

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from constructs_ecs import (  # noqa: E402
    PlatformStack,
    ServicesStack,
    TaskDefinitionSpec,
    WebService,
)
from constructs_ecs.testing import load_cdk_context  # noqa: E402

SERVICES_PER_STACK = 40


def spec(index: int) -> TaskDefinitionSpec:
    return TaskDefinitionSpec.from_dict(
        {
            "family": f"svc{index}",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": "nginx:1.27",
                    "cpu": 128,
                    "memory": 256,
                    "portMappings": [{"containerPort": 80}],
                }
            ],
        }
    )


def ours(app: cdk.App, services: int) -> None:
    platform = PlatformStack(app, "Platform", max_capacity=10)
    stack: ServicesStack | None = None
    for index in range(services):
        if index % SERVICES_PER_STACK == 0:
            stack = ServicesStack(
                app, f"Services{index // SERVICES_PER_STACK + 1}", platform=platform
            )
        assert stack is not None
        WebService(
            stack,
            f"Svc{index}",
            cluster=stack.cluster,
            load_balancer=stack.load_balancer,
            task_definition=spec(index),
            path_patterns=[f"/svc{index}/*"],
        )


def patterns(app: cdk.App, services: int) -> None:
    stack = cdk.Stack(app, "Patterns")
    # Lift the 500-resource checks (CDK's and the built-in template validation) so N=100 runs.
    cdk.Validations.of(stack).acknowledge(
        cdk.Acknowledgment(
            id="CloudFormation-Validate::F0007", reason="benchmark only: measured, not deployed"
        )
    )
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    group = autoscaling.AutoScalingGroup(
        stack,
        "Capacity",
        vpc=vpc,
        instance_type=ec2.InstanceType("t3.medium"),
        machine_image=ecs.EcsOptimizedImage.amazon_linux2023(),
        min_capacity=1,
        max_capacity=10,
    )
    provider = ecs.AsgCapacityProvider(stack, "Provider", auto_scaling_group=group)
    cluster.add_asg_capacity_provider(provider)
    for index in range(services):
        ecs_patterns.ApplicationLoadBalancedEc2Service(
            stack,
            f"Svc{index}",
            cluster=cluster,
            cpu=128,
            memory_limit_mib=256,
            desired_count=2,
            task_image_options=ecs_patterns.ApplicationLoadBalancedTaskImageOptions(
                image=ecs.ContainerImage.from_registry("nginx:1.27"), container_port=80
            ),
        )


def main() -> None:
    kind, services, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    context = load_cdk_context(REPO / "cdk.json")
    context["@aws-cdk/core:stackResourceLimit"] = 5000  # patterns at N=100: one huge stack
    if kind == "reference":
        sys.path.insert(0, str(REPO))
        import app as reference

        app = cdk.App(outdir=outdir, context=context)
        reference.build(app)
        from cdk_nag import AwsSolutionsChecks

        cdk.Validations.of(app).add_plugins(
            AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True)
        )
    else:
        app = cdk.App(outdir=outdir, context=context)
        {"ours": ours, "patterns": patterns}[kind](app, services)
    app.synth()


if __name__ == "__main__":
    main()
