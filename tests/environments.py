"""Apps synthesized the way deploys synthesize them: in every environment users deploy to.

`cdk deploy` with credentials gives every stack a concrete account and region: ARNs, partition
literals, conditions, Availability Zones and cdk-nag's finding ids change shape. Each app here is
built environment-agnostic and in a concrete account in each of ``REGIONS`` (the classic
partition's oldest and a European region, a region launched after 2023, GovCloud and China),
with the zones of the committed ``cdk.context.json`` (as the CDK CLI recorded them), cdk-nag
on, and cfn-lint for that region. Syntheses are cached per (app, environment) for the test session.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_wafv2 as wafv2

from constructs_ecs import (
    CapacityProviderOptions,
    ContainerAgent,
    EcsCluster,
    ImageRepository,
    InstanceImage,
    LoadBalancer,
    Network,
    PlainHttp,
    PlatformStack,
    Routing,
    Scaling,
    ScheduledTask,
    ServiceConnect,
    ServiceNetwork,
    ServicesStack,
    SpotOptions,
    TaskDefinitionSpec,
    WebService,
    WorkerService,
)
from constructs_ecs.testing import (
    assert_cfn_lint_clean,
    new_app,
    synth,
)
from tests.conftest import CDK_JSON

ACCOUNT = "123456789012"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-7", "us-gov-west-1", "cn-north-1")
ENVIRONMENTS = ("agnostic", *REGIONS)
"""Test ids: ``agnostic`` (no account, no region), then one concrete environment per region."""

PARTITIONS = {"cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov"}


def environment(name: str) -> cdk.Environment | None:
    return None if name == "agnostic" else cdk.Environment(account=ACCOUNT, region=name)


def partition(name: str) -> str:
    return PARTITIONS.get(name, "aws")


def lint_regions(name: str) -> list[str]:
    """The regions cfn-lint checks a template of ``name`` against: its own, or every region
    above for an environment-agnostic template (which may be deployed to any of them; one
    cfn-lint run over six regions costs about a third more than over one)."""
    return list(REGIONS) if name == "agnostic" else [name]


Builder = Callable[[cdk.App, cdk.Environment | None], None]


@functools.cache
def synthesized(builder: Builder, name: str) -> dict[str, dict[str, Any]]:
    """``{stack name: template}`` of ``builder``'s app in environment ``name``, synthesized
    once per session (``synth`` fails on any cdk-nag finding or missing context)."""
    # The project's context: cdk.json's feature flags, and the zones the committed
    # cdk.context.json holds for ACCOUNT in each region.
    app = new_app(cdk_json=CDK_JSON)
    builder(app, environment(name))
    return {stack.stack_name: stack.template for stack in synth(app).stacks_recursively}


def acknowledged(templates: dict[str, dict[str, Any]], name: str) -> set[tuple[str, str, str]]:
    """``(stack, logical id, rule id)`` of every AwsSolutions acknowledgement, with what the
    environment puts into a finding id (partition, region, account) written as the
    environment-agnostic template has it."""
    found = set()
    for stack, template in templates.items():
        for logical_id, resource in template.get("Resources", {}).items():
            rules = resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
            for rule in rules:
                if rule["id"].startswith("AwsSolutions-"):
                    found.add((stack, logical_id, _as_agnostic(rule["id"], name)))
    return found


def _as_agnostic(rule_id: str, name: str) -> str:
    if name == "agnostic":
        return rule_id
    rule_id = re.sub(r"\barn:aws(-cn|-us-gov)?:", "arn:<AWS::Partition>:", rule_id)
    rule_id = rule_id.replace(f":{name}:", ":<AWS::Region>:").replace(
        f":{ACCOUNT}:", ":<AWS::AccountId>:"
    )
    return rule_id.replace(f'"Region":"{name}"', '"Region":{"Ref":"AWS::Region"}')


def dummy_zones(templates: dict[str, dict[str, Any]]) -> list[str]:
    """Stacks whose template names a ``dummy`` zone (a lookup that found no context)."""
    return [stack for stack, template in templates.items() if "dummy1" in json.dumps(template)]


# ------------------------------------------------------------------------------------ apps


def reference_app(app: cdk.App, env: cdk.Environment | None) -> None:
    """``app.py`` as `cdk deploy` runs it."""
    import app as reference

    reference.build(app, env=env)


def _spec(name: str, network_mode: str = "bridge", **container: Any) -> TaskDefinitionSpec:
    return TaskDefinitionSpec.from_dict(
        {
            "family": name,
            "networkMode": network_mode,
            "containerDefinitions": [
                {"name": name, "image": "nginx:1.27", "memory": 128, **container}
            ],
        }
    )


def _arn(env: cdk.Environment | None, service: str, resource: str) -> str:
    """A literal ARN in ``env``'s partition and region (us-east-1 for an agnostic stack)."""
    region = env.region if env and env.region else "us-east-1"
    return f"arn:{partition(region)}:{service}:{region}:{ACCOUNT}:{resource}"


def full_platform(app: cdk.App, env: cdk.Environment | None) -> None:
    """Every construct, and every option that changes IAM or region-dependent resources."""
    stack = cdk.Stack(app, "Full", env=env)
    network = Network(stack, "Network", vpc_endpoints=True)
    cluster = EcsCluster(
        stack,
        "Cluster",
        vpc=network.vpc,
        spot=SpotOptions(instance_types=[ec2.InstanceType("t3a.medium")]),
        agent=ContainerAgent(
            settings={
                "ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM": "ec2_instance",
                "ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE": "false",
            }
        ),
        capacity_provider_options=CapacityProviderOptions(managed_termination_protection=True),
        max_capacity=6,
    )
    cluster.cluster.add_default_cloud_map_namespace(
        name="shop.internal", use_for_service_connect=True
    )
    EcsCluster(
        stack,
        "Bottlerocket",
        vpc=network.vpc,
        image=InstanceImage.bottlerocket("1.54.0"),
        instance_type=ec2.InstanceType("m7g.large"),
    )
    firewall = wafv2.CfnWebACL(
        stack,
        "Firewall",
        scope="REGIONAL",
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name="shop", sampled_requests_enabled=True
        ),
        rules=[
            wafv2.CfnWebACL.RuleProperty(
                name="CommonRules",
                priority=0,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name="AWSManagedRulesCommonRuleSet"
                    )
                ),
                visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
                    cloud_watch_metrics_enabled=True,
                    metric_name="common",
                    sampled_requests_enabled=True,
                ),
            )
        ],
    )
    public = LoadBalancer(
        stack,
        "LoadBalancer",
        vpc=network.vpc,
        # Two host names on one listener (SNI): the first certificate is the default.
        certificates=[
            acm.Certificate.from_certificate_arn(
                stack, "Certificate", _arn(env, "acm", "certificate/0123abcd")
            ),
            acm.Certificate.from_certificate_arn(
                stack, "ShopCertificate", _arn(env, "acm", "certificate/4567ef01")
            ),
        ],
        web_acl_arn=firewall.attr_arn,
    )
    LoadBalancer(
        stack,
        "Internal",
        vpc=network.vpc,
        internet_facing=False,
        plain_http=PlainHttp(reason="Internal traffic of the test platform, inside the VPC."),
    )
    images = ImageRepository(stack, "Images", repository_name="shop/web")
    images.grant_pull_to_accounts(["111111111111"])
    images.grant_push(
        iam.Role(stack, "CiRole", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    )
    web = TaskDefinitionSpec.from_dict(
        {
            "family": "web",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": "images:1.4.2",
                    "memory": 256,
                    "portMappings": [{"containerPort": 80, "name": "http"}],
                    "secrets": [
                        {
                            "name": "DB_PASSWORD",
                            "valueFrom": _arn(env, "secretsmanager", "secret:shop/db-AbCdEf"),
                        },
                        {"name": "API_KEY", "valueFrom": "/shop/api-key"},
                    ],
                    "environmentFiles": [
                        {"value": "arn:aws:s3:::shop-config/web.env", "type": "s3"}
                    ],
                }
            ],
        },
        repositories={"images": images},
    )
    WebService(
        stack,
        "Web",
        cluster=cluster,
        load_balancer=public,
        task_definition=web,
        routing=Routing(path_patterns=["/web/*"]),
        enable_exec=True,
        network=ServiceNetwork(service_connect=ServiceConnect(dns_name="web")),
        scaling=Scaling(min_count=1, max_count=3, requests_per_target=500),
    )
    worker = WorkerService(
        stack,
        "Worker",
        cluster=cluster,
        task_definition=_spec("worker", network_mode="awsvpc"),
        enable_exec=True,
        network=ServiceNetwork(service_connect=ServiceConnect()),
    )
    WorkerService(stack, "Agent", cluster=cluster, task_definition=_spec("agent"), daemon=True)
    nightly = ScheduledTask(
        stack,
        "Nightly",
        cluster=cluster,
        task_definition=_spec("etl"),
        schedule=scheduler.ScheduleExpression.cron(hour="2", minute="0"),
    )
    # A plain L2 beside the library's constructs, granted to a task role.
    queue = sqs.Queue(
        stack,
        "Orders",
        enforce_ssl=True,
        encryption=sqs.QueueEncryption.KMS_MANAGED,
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=nightly.dead_letter_queue),
    )
    queue.grant_consume_messages(worker.task_role)


SERVICES_PER_STACK_AGNOSTIC = 25
"""The environment-agnostic layout's services per stack: 100 in all (issue 7's scale)."""
SERVICES_PER_STACK_IN_A_REGION = 2
"""In a concrete environment, 2 per stack (8 in all): the services come from one loop and
differ only in name, so what an environment changes (partitions, regions, accounts in ARNs
and acknowledgements) shows on the first two as on all 25, at a tenth of the synthesis."""


def services_layout(app: cdk.App, env: cdk.Environment | None) -> None:
    """Web services in 4 ServicesStacks on one PlatformStack, every service option on (ECS
    Exec, Service Connect, scaling, secrets): cross-stack references in every policy. 100
    services environment-agnostic, 8 in a concrete environment (see
    ``SERVICES_PER_STACK_IN_A_REGION``); the same first services in both."""
    per_stack = SERVICES_PER_STACK_AGNOSTIC if env is None else SERVICES_PER_STACK_IN_A_REGION
    platform = PlatformStack(
        app,
        "Platform",
        env=env,
        max_capacity=10,
        plain_http=PlainHttp(reason="A layout test: synthesized, never deployed, no domain."),
    )
    platform.cluster.cluster.add_default_cloud_map_namespace(
        name="shop.internal", use_for_service_connect=True
    )
    for group in range(4):
        stack = ServicesStack(app, f"Services{group}", platform=platform)
        for index in range(per_stack):
            name = f"svc{group * SERVICES_PER_STACK_AGNOSTIC + index}"
            WebService(
                stack,
                name.capitalize(),
                cluster=stack.cluster,
                load_balancer=stack.load_balancer,
                task_definition=_spec(
                    name,
                    portMappings=[{"containerPort": 80, "name": "http"}],
                    secrets=[{"name": "API_KEY", "valueFrom": f"/shop/{name}/api-key"}],
                ),
                routing=Routing(path_patterns=[f"/{name}/*"]),
                enable_exec=True,
                network=ServiceNetwork(service_connect=ServiceConnect(dns_name=name)),
                scaling=Scaling(min_count=1, max_count=2),
            )


PINS_ITS_ENVIRONMENT = re.compile(r"\benv=cdk\.Environment\(")


def readme_examples(app: cdk.App, env: cdk.Environment | None) -> None:
    """Every ```python block of the README and of ``docs/``, each in a Stage of its own in
    ``env``.

    cdk-nag, registered on the app, checks every stage; aspects stop at a stage's boundary, so
    each stage gets cdk-nag's aspect that records acknowledgements in its templates. A block
    whose stacks pin their own account and region (``env=cdk.Environment(...)``, the pinned
    environments of the guide) is left out: the stage's environment would not be theirs, and
    ``test_readme`` already synthesizes them in the environment they name.
    """
    from cdk_nag import WriteNagSuppressionsToCloudFormationAspect

    from tests.test_readme import examples

    for number, param in enumerate(examples(), start=1):
        code, source = param.values
        if PINS_ITS_ENVIRONMENT.search(code):
            continue
        stage = cdk.Stage(app, f"Block{number}", env=env)
        cdk.Aspects.of(stage).add(WriteNagSuppressionsToCloudFormationAspect())
        namespace: dict[str, Any] = {"app": stage, "__name__": "readme_example"}
        if re.search(r"\bstack\b", code):
            namespace["stack"] = cdk.Stack(stage, "ReadmeExample")
        exec(compile(code, source, "exec"), namespace)


def check_environment(builder: Builder, name: str, *, lint: Callable[[str], bool]) -> None:
    """``builder``'s app in ``name`` synthesizes with no cdk-nag finding and no missing context
    (``synth`` raises), names no dummy zone, and every stack ``lint`` selects by name passes
    cfn-lint for the region (for every region when environment-agnostic)."""
    templates = synthesized(builder, name)
    assert templates
    assert not dummy_zones(templates)
    for stack, template in templates.items():
        if lint(stack):
            assert_cfn_lint_clean(template, regions=lint_regions(name))


def check_acknowledgements(builder: Builder, name: str) -> None:
    """The findings acknowledged in ``name`` are those of the environment-agnostic app: no
    finding appears, and no acknowledgement goes missing, with a concrete environment."""
    templates = synthesized(builder, name)
    here = acknowledged(templates, name)
    agnostic = acknowledged(synthesized(builder, "agnostic"), "agnostic")
    # A layout may define fewer of its identical services in a concrete environment: compare
    # on the resources defined here (the agnostic app's other services are more of the same).
    defined_here = {
        (stack, logical_id)
        for stack, template in templates.items()
        for logical_id in template.get("Resources", {})
    }
    agnostic = {a for a in agnostic if a[:2] in defined_here}
    assert here == agnostic, {"only here": here - agnostic, "only agnostic": agnostic - here}
