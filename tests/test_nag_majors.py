"""The test kit and the library's acknowledgements work with cdk-nag 2 and cdk-nag 3.

cdk-nag 3 packs are validation plugins; cdk-nag 2 packs are aspects. Each venv has one of them:
the main one cdk-nag 3 (requirements/dev.lock), ``./dev compat``'s cdk-nag 2. A test of one
major is skipped, with its reason, under the other.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from cdk_nag import AwsSolutionsChecks, NagPack

from constructs_ecs import EcsCluster, Network
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._nag import acknowledge, explain_wildcards, is_aspect_pack
from constructs_ecs.testing import (
    NagFindingsError,
    assert_nag_clean,
    new_app,
    synth,
    template_of,
)
from tests.conftest import CDK_JSON

CDK_NAG_2 = is_aspect_pack(AwsSolutionsChecks)
ONLY_CDK_NAG_3 = pytest.mark.skipif(CDK_NAG_2, reason="cdk-nag 2 is installed (a cdk-nag 3 test)")
ONLY_CDK_NAG_2 = pytest.mark.skipif(
    not CDK_NAG_2, reason="cdk-nag 3 is installed (a cdk-nag 2 test: ./dev compat runs it)"
)

#: What cdk-nag 3 wants instead of the cdk-nag 2 line.
FIX = "cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))"
OBJECTS = "arn:aws:s3:::shop-config/*"


def bucket_stack(app: cdk.App) -> tuple[cdk.Stack, s3.Bucket]:
    stack = cdk.Stack(app, "Buckets")
    bucket = s3.Bucket(stack, "Bucket", enforce_ssl=True, removal_policy=cdk.RemovalPolicy.RETAIN)
    acknowledge(bucket, "S1", "test bucket: access logs are not needed here")
    return stack, bucket


def nag_rules(resource: dict[str, object]) -> list[dict[str, object]]:
    metadata = resource.get("Metadata", {})
    assert isinstance(metadata, dict)
    rules: list[dict[str, object]] = metadata.get("cdk_nag", {}).get("rules_to_suppress", [])
    return rules


def of_type(template: dict[str, object], kind: str) -> dict[str, object]:
    resources = template["Resources"]
    assert isinstance(resources, dict)
    return next(r for r in resources.values() if r["Type"] == kind)


def test_new_app_registers_the_pack_as_the_installed_cdk_nag_takes_it() -> None:
    app = new_app(cdk_json=CDK_JSON)
    registered_as_aspect = [a for a in cdk.Aspects.of(app).all if isinstance(a, NagPack)]
    assert len(registered_as_aspect) == (1 if CDK_NAG_2 else 0)


def test_an_unacknowledged_finding_fails_template_of_with_its_rule() -> None:
    stack = cdk.Stack(new_app(cdk_json=CDK_JSON), "Queues")
    sqs.Queue(stack, "Queue")
    with pytest.raises(NagFindingsError) as caught:
        template_of(stack)
    assert "cdk-nag AwsSolutions pack" in caught.value.by_source
    assert any(
        f.startswith("AwsSolutions-SQS3 Queues/Queue/Resource: ") for f in caught.value.findings
    )


def test_assert_nag_clean_reports_a_finding_of_an_app_made_without_cdk_nag() -> None:
    stack = cdk.Stack(new_app(cdk_json=CDK_JSON, nag=False), "Queues")
    sqs.Queue(stack, "Queue")
    with pytest.raises(NagFindingsError) as caught:
        assert_nag_clean(stack)
    assert any(
        f.startswith("AwsSolutions-SQS4 Queues/Queue/Resource: ") for f in caught.value.findings
    )


def test_assert_nag_clean_honours_the_library_acknowledgements_without_cdk_nag_in_the_app() -> None:
    stack, _ = bucket_stack(new_app(cdk_json=CDK_JSON, nag=False))
    assert_nag_clean(stack)


def test_the_library_constructs_are_nag_clean_under_the_installed_cdk_nag() -> None:
    """Network and EcsCluster acknowledge IAM5 findings that name ARNs (decided late)."""
    app = new_app(cdk_json=CDK_JSON)
    stack = cdk.Stack(app, "Platform")
    network = Network(stack, "Network")
    EcsCluster(stack, "Cluster", vpc=network.vpc)
    template_of(stack)
    assert_nag_clean(stack)


@ONLY_CDK_NAG_3
def test_fails_when_a_cdk_nag_3_pack_is_added_as_an_aspect() -> None:
    app = new_app(cdk_json=CDK_JSON, nag=False)
    stack = cdk.Stack(app, "Queues")
    sqs.Queue(stack, "Queue", enforce_ssl=True)
    cdk.Aspects.of(app).add(AwsSolutionsChecks())  # type: ignore[arg-type]  # the 2.x line
    with pytest.raises(ConfigurationError) as caught:
        synth(app)
    assert FIX in str(caught.value)
    assert "AwsSolutionsChecks()" in str(caught.value)


def library_aspects(app: cdk.App) -> list[object]:
    return [a for a in cdk.Aspects.of(app).all if type(a).__module__ == "constructs_ecs._nag"]


@ONLY_CDK_NAG_3
def test_library_constructs_add_no_aspect_under_cdk_nag_3() -> None:
    """An aspect visits every construct, one call from Node.js into Python each (about 15 % of
    a synthesis of 100 services): only cdk-nag 2's acknowledgement form needs one."""
    app = new_app(cdk_json=CDK_JSON)
    stack = cdk.Stack(app, "Platform")
    EcsCluster(stack, "Cluster", vpc=Network(stack, "Network").vpc)
    assert library_aspects(app) == []


@ONLY_CDK_NAG_2
def test_library_constructs_add_their_acknowledgement_writer_under_cdk_nag_2() -> None:
    app = new_app(cdk_json=CDK_JSON, nag=False)
    stack = cdk.Stack(app, "Platform")
    EcsCluster(stack, "Cluster", vpc=Network(stack, "Network").vpc)
    assert len(library_aspects(app)) == 1


@ONLY_CDK_NAG_2
def test_cdk_nag_2_reads_the_acknowledgements_in_its_own_form() -> None:
    app = new_app(cdk_json=CDK_JSON, nag=False)
    cdk.Aspects.of(app).add(AwsSolutionsChecks(reports=False))  # the 2.x line, as apps write it
    stack, _ = bucket_stack(app)
    template = template_of(stack)
    assert nag_rules(of_type(template, "AWS::S3::Bucket")) == [
        {"id": "AwsSolutions-S1", "reason": "test bucket: access logs are not needed here"}
    ]


@ONLY_CDK_NAG_2
def test_cdk_nag_2_reads_an_explained_wildcard_as_a_finding_in_applies_to() -> None:
    app = new_app(cdk_json=CDK_JSON)
    stack = cdk.Stack(app, "Roles")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=[OBJECTS]))
    explain_wildcards(role, lambda actions, resource: "reads objects of one bucket")
    template = template_of(stack)
    assert nag_rules(of_type(template, "AWS::IAM::Policy")) == [
        {
            "id": "AwsSolutions-IAM5",
            "reason": "reads objects of one bucket",
            "applies_to": [f"Resource::{OBJECTS}"],
        }
    ]


@ONLY_CDK_NAG_2
def test_cdk_nag_2_still_finds_a_wildcard_nobody_explained() -> None:
    app = new_app(cdk_json=CDK_JSON)
    stack = cdk.Stack(app, "Roles")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=[OBJECTS]))
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=["*"]))
    explain_wildcards(
        role, lambda actions, resource: None if resource == "*" else "reads objects of one bucket"
    )
    with pytest.raises(NagFindingsError) as caught:
        template_of(stack)
    assert [f.split(" ")[0] for f in caught.value.findings] == ["AwsSolutions-IAM5[Resource::*]"]
