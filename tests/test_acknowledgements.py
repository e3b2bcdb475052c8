"""Acknowledgements of findings that name an ARN: decided when the app is validated, from the
policy cdk-nag reads, in any environment and across stacks."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks

from constructs_ecs import PlatformStack, ServicesStack, TaskDefinitionSpec, WebService
from constructs_ecs._nag import arn_pattern, explain_wildcards, flatten_reference, is_aspect_pack
from constructs_ecs.testing import NagFindingsError, nag_acknowledgements, new_app, synth
from tests.conftest import CDK_JSON
from tests.factories import TEST_HTTP

ENV = cdk.Environment(account="123456789012", region="eu-west-1")

#: What cdk-nag 3 writes into the template, after cross-stack references are resolved; cdk-nag
#: 2 reads its own form, before (tests/test_nag_majors.py).
CDK_NAG_3_FORM = pytest.mark.skipif(
    is_aspect_pack(AwsSolutionsChecks),
    reason="cdk-nag 2 is installed: its form of the acknowledgements is tested in "
    "tests/test_nag_majors.py",
)


def web(name: str) -> TaskDefinitionSpec:
    return TaskDefinitionSpec.from_dict(
        {
            "family": name,
            "containerDefinitions": [
                {
                    "name": name,
                    "image": "nginx:1.27",
                    "memory": 128,
                    "portMappings": [{"containerPort": 80}],
                }
            ],
        }
    )


def exec_service(env: cdk.Environment | None) -> tuple[cdk.App, ServicesStack, WebService]:
    app = new_app(cdk_json=CDK_JSON)
    platform = PlatformStack(app, "Platform", env=env, plain_http=TEST_HTTP)
    services = ServicesStack(app, "Services", platform=platform)
    service = WebService(
        services,
        "Web",
        cluster=services.cluster,
        load_balancer=services.load_balancer,
        task_definition=web("web"),
        enable_exec=True,
    )
    return app, services, service


def task_role_policy_rules(templates: dict[str, dict[str, Any]]) -> list[str]:
    return [
        rule["id"]
        for logical_id, resource in templates["Services"]["Resources"].items()
        if resource["Type"] == "AWS::IAM::Policy" and "TaskRoleDefaultPolicy" in logical_id
        for rule in resource["Metadata"]["cdk_nag"]["rules_to_suppress"]
    ]


@CDK_NAG_3_FORM
@pytest.mark.parametrize("env", [None, ENV], ids=["agnostic", "eu-west-1"])
def test_exec_logging_across_stacks_is_acknowledged_as_cdk_nag_sees_it(
    env: cdk.Environment | None,
) -> None:
    """The exec log group lives in the platform stack: the task role's ARN names it through
    Fn::GetStackOutput, which replaces the Ref only once references are resolved."""
    app, _, _ = exec_service(env)
    templates = {s.stack_name: s.template for s in synth(app).stacks}
    logs = [rule for rule in task_role_policy_rules(templates) if ":logs:" in rule]
    assert len(logs) == 1
    assert 'log-group:{"Fn::GetStackOutput":{"StackName":"Platform"' in logs[0]
    region = '"Region":"eu-west-1"' if env else '"Region":{"Ref":"AWS::Region"}'
    assert region in logs[0]


@pytest.mark.parametrize("env", [None, ENV], ids=["agnostic", "eu-west-1"])
def test_a_wildcard_granted_later_stays_a_finding(env: cdk.Environment | None) -> None:
    app, _, service = exec_service(env)
    service.task_role.add_to_principal_policy(
        iam.PolicyStatement(actions=["logs:PutLogEvents"], resources=["arn:aws:logs:*:*:*"])
    )
    with pytest.raises(NagFindingsError) as caught:
        synth(app)
    assert [f.split(" ")[0] for f in caught.value.findings] == [
        "AwsSolutions-IAM5[Resource::arn:aws:logs:*:*:*]"
    ]


def reads_only(actions: frozenset[str], resource: str) -> str | None:
    return "reads objects of one bucket" if actions == {"s3:GetObject"} else None


def role_granting(*statements: iam.PolicyStatement) -> tuple[cdk.App, iam.Role]:
    app = new_app(cdk_json=CDK_JSON)
    stack = cdk.Stack(app, "Roles", env=ENV)
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    for statement in statements:
        role.add_to_principal_policy(statement)
    explain_wildcards(role, reads_only)
    return app, role


OBJECTS = "arn:aws:s3:::shop-config/*"


@CDK_NAG_3_FORM
def test_an_explained_wildcard_is_acknowledged_with_its_reason() -> None:
    app, role = role_granting(iam.PolicyStatement(actions=["s3:GetObject"], resources=[OBJECTS]))
    template = synth(app).get_stack_artifact(cdk.Stack.of(role).artifact_id).template
    policy = next(r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy")
    assert policy["Metadata"]["cdk_nag"]["rules_to_suppress"] == [
        {"id": f"AwsSolutions-IAM5[Resource::{OBJECTS}]", "reason": "reads objects of one bucket"}
    ]


def test_an_explained_resource_held_by_an_unexplained_statement_stays_a_finding() -> None:
    app, _ = role_granting(
        iam.PolicyStatement(actions=["s3:GetObject"], resources=[OBJECTS]),
        iam.PolicyStatement(actions=["s3:DeleteObject"], resources=[OBJECTS]),
    )
    with pytest.raises(NagFindingsError) as caught:
        synth(app)
    assert [f.split(" ")[0] for f in caught.value.findings] == [
        f"AwsSolutions-IAM5[Resource::{OBJECTS}]"
    ]


def test_explaining_an_imported_role_does_nothing() -> None:
    app = new_app(cdk_json=CDK_JSON)
    stack = cdk.Stack(app, "Imported")
    role = iam.Role.from_role_arn(stack, "Role", "arn:aws:iam::123456789012:role/app")
    explain_wildcards(role, lambda actions, resource: "never asked")
    explain_wildcards(iam.ServicePrincipal("ecs.amazonaws.com"), lambda a, r: "not a construct")
    assert role.node.try_find_child("NagAcknowledgements") is None


def test_acknowledgements_reach_the_template_only_when_cdk_nag_writes_them() -> None:
    app = new_app(cdk_json=CDK_JSON, nag=False)
    platform = PlatformStack(app, "Platform", env=ENV, plain_http=TEST_HTTP)
    template = synth(app).get_stack_artifact(platform.artifact_id).template
    assert nag_acknowledgements(template) == {}


@pytest.mark.parametrize(
    "rendered",
    [
        "arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*",
        "arn:aws:ec2:us-east-1:123456789012:instance/*",
        "arn:aws-cn:ec2:cn-north-1:123456789012:instance/*",
        "arn:aws-us-gov:ec2:us-gov-west-1:123456789012:instance/*",
    ],
)
def test_arn_patterns_match_every_environment(rendered: str) -> None:
    assert arn_pattern("ec2", r"instance/\*").match(rendered)


@pytest.mark.parametrize(
    "rendered",
    [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-1*",
        "arn:aws:ssm:us-east-1:123456789012:instance/*",
        "arn:aws:ec2:us-east-1:123456789012:volume/*",
    ],
)
def test_arn_patterns_match_nothing_else(rendered: str) -> None:
    assert not arn_pattern("ec2", r"instance/\*").match(rendered)


def test_references_flatten_as_cdk_nag_renders_them() -> None:
    value = {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":logs:",
                {"Fn::GetAtt": ["Group", "Arn"]},
                ":",
                {"Fn::GetStackOutput": {"StackName": "P", "OutputName": "O"}},
                ":*",
            ],
        ]
    }
    assert flatten_reference(value) == (
        'arn:<AWS::Partition>:logs:<Group.Arn>:{"Fn::GetStackOutput":{"StackName":"P",'
        '"OutputName":"O"}}:*'
    )
    assert flatten_reference({"Fn::Sub": "arn:${AWS::Partition}:s3:::b/*"}) == (
        "arn:<AWS::Partition>:s3:::b/*"
    )


def test_the_suppression_writer_aspect_is_recognised_by_its_class() -> None:
    """cdk-nag 3's ``WriteNagSuppressionsToCloudFormationAspect`` on a stage is seen from the
    stacks inside it, and only from those (``isinstance`` on cdk-nag's class, not its name)."""
    import aws_cdk as cdk
    import pytest

    cdk_nag = pytest.importorskip("cdk_nag")
    if not hasattr(cdk_nag, "WriteNagSuppressionsToCloudFormationAspect"):
        pytest.skip("cdk-nag 2 has no suppression writer aspect")
    from constructs_ecs._nag import _asks_to_write_suppressions

    app = cdk.App()
    stage = cdk.Stage(app, "Stage")
    inside, outside = cdk.Stack(stage, "Inside"), cdk.Stack(app, "Outside")
    cdk.Aspects.of(stage).add(cdk_nag.WriteNagSuppressionsToCloudFormationAspect())
    assert _asks_to_write_suppressions(inside) is True
    assert _asks_to_write_suppressions(outside) is False
