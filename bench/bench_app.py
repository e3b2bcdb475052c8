"""One benchmark app, synthesized in its own process: ``python bench/bench_app.py KIND N OUTDIR``.

KIND is one of:

- ``ours``: N ``WebService``s on one ``PlatformStack``, in ``ServicesStack``s of at most
  ``SERVICES_PER_STACK``, ``STACKS_PER_SHARD`` stacks on each load-balancer shard (N = 300,
  ``./dev bench --scale 300``: 12 stacks on 3 shards);
- ``patterns``: N ``aws_ecs_patterns.ApplicationLoadBalancedEc2Service`` on one EC2 cluster
  (a load balancer each, none of the platform's security defaults), the 500-resource limit
  lifted;
- ``secure-patterns``: the ``ours`` app written by hand with ``aws_ecs_patterns``' pieces and
  L2s, with the same posture and cdk-nag acknowledgements (``bench/secure_twin.py``);
- ``reference``: ``app.py``, its one service (N ignored);
- ``reference-patterns``: ``app.py`` written with ``aws_ecs_patterns``, without the posture;
- ``secure-reference-patterns``: ``app.py`` written with ``aws_ecs_patterns`` and L2s with the
  same posture (``bench/secure_twin.py``).

Every app synthesizes with the repository's ``cdk.json`` context and imports only its own
library. The N-service apps run without cdk-nag; the three reference apps run it as ``cdk
synth`` runs ``app.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import aws_cdk as cdk

if TYPE_CHECKING:
    from constructs_ecs import TaskDefinitionSpec

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# Each app imports only the library it uses, as its own `cdk synth` would: the import of
# constructs_ecs (or of aws_ecs_patterns) is part of what is measured.
SERVICES_PER_STACK = 25
"""25 web services of 14 resources (6 of them alarms): 350 of a stack's 450."""
STACKS_PER_SHARD = 4
"""4 stacks of 25: 100 listener rules and 100 target groups, one load balancer's limits."""


def spec(index: int) -> TaskDefinitionSpec:
    from constructs_ecs import TaskDefinitionSpec

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
    from constructs_ecs import PlainHttp, PlatformStack, Routing, ServicesStack, WebService

    platform = PlatformStack(
        app,
        "Platform",
        max_capacity=10,
        plain_http=PlainHttp(reason="A benchmark app: synthesized, never deployed."),
    )
    stack: ServicesStack | None = None
    for index in range(services):
        if index % SERVICES_PER_STACK == 0:
            number = index // SERVICES_PER_STACK
            stack = ServicesStack(
                app,
                f"Services{number + 1}",
                platform=platform,
                shard=number // STACKS_PER_SHARD + 1,
            )
        assert stack is not None
        WebService(
            stack,
            f"Svc{index}",
            cluster=stack.cluster,
            load_balancer=stack.load_balancer,
            task_definition=spec(index),
            routing=Routing(path_patterns=[f"/svc{index}/*"]),
        )


def patterns(app: cdk.App, services: int) -> None:
    from aws_cdk import aws_autoscaling as autoscaling
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_ecs as ecs
    from aws_cdk import aws_ecs_patterns as ecs_patterns

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


def reference_patterns(app: cdk.App) -> None:
    """``app.py`` as a patterns user writes it: the same VPC, capacity and web task."""
    from aws_cdk import aws_autoscaling as autoscaling
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_ecs as ecs
    from aws_cdk import aws_ecs_patterns as ecs_patterns

    stack = cdk.Stack(app, "WebserverStack")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    group = autoscaling.AutoScalingGroup(
        stack,
        "Capacity",
        vpc=vpc,
        instance_type=ec2.InstanceType("t3.medium"),
        machine_image=ecs.EcsOptimizedImage.amazon_linux2023(),
        min_capacity=1,
        max_capacity=4,
    )
    provider = ecs.AsgCapacityProvider(stack, "Provider", auto_scaling_group=group)
    cluster.add_asg_capacity_provider(provider)
    task = ecs.Ec2TaskDefinition(stack, "Task", family="webserver")
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_registry("nginx"),
        cpu=99,
        memory_limit_mib=100,
        port_mappings=[ecs.PortMapping(container_port=80, host_port=80)],
        logging=ecs.LogDrivers.aws_logs(stream_prefix="web"),
    )
    ecs_patterns.ApplicationLoadBalancedEc2Service(
        stack, "Web", cluster=cluster, task_definition=task, desired_count=2
    )


def main() -> None:
    kind, services, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    context = json.loads((REPO / "cdk.json").read_text())["context"]
    context["@aws-cdk/core:stackResourceLimit"] = 5000  # patterns at N=100: one huge stack
    if kind in ("reference", "reference-patterns", "secure-reference-patterns"):
        app = cdk.App(outdir=outdir, context=context)
        if kind == "reference":
            import app as reference

            reference.build(app)
        elif kind == "secure-reference-patterns":
            import secure_twin

            secure_twin.reference_app(app)
        else:
            reference_patterns(app)
        from cdk_nag import AwsSolutionsChecks

        cdk.Validations.of(app).add_plugins(
            AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True)
        )
        if kind == "reference-patterns":
            # cdk-nag reports the patterns app's findings and fails the synthesis, after the
            # templates are written and every rule has run: the same work, so it is timed.
            try:
                app.synth()
            except RuntimeError as error:
                if "Validation failed" not in str(error):
                    raise
            return
    elif kind == "secure-patterns":
        import secure_twin

        app = cdk.App(outdir=outdir, context=context)
        secure_twin.services_app(app, services)
    else:
        app = cdk.App(outdir=outdir, context=context)
        {"ours": ours, "patterns": patterns}[kind](app, services)
    app.synth()


if __name__ == "__main__":
    main()
