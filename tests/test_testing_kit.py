"""The test kit normalises what churns and reports what cdk-nag and cfn-lint find."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

from constructs_ecs._nag import acknowledge
from constructs_ecs.testing import (
    MissingContextError,
    NagFindingsError,
    assert_nag_clean,
    availability_zones_context,
    cfn_lint_findings,
    load_cdk_context,
    nag_acknowledgements,
    new_stack,
    normalize_template,
    resource_manifest,
    synth,
    template_of,
)
from tests.conftest import CDK_JSON, make_stack

HASH = "a" * 64


def test_context_is_cdk_json_context() -> None:
    context = load_cdk_context(CDK_JSON)
    assert context["@aws-cdk/aws-ecs:removeDefaultDeploymentAlarm"] is True
    stack = make_stack()
    assert stack.node.try_get_context("@aws-cdk/core:enablePartitionLiterals") is True


def test_normalize_drops_bootstrap_and_metadata_and_hashes() -> None:
    template = {
        "Parameters": {"BootstrapVersion": {"Type": "String"}},
        "Rules": {"CheckBootstrapVersion": {}},
        "Conditions": {"CDKMetadataAvailable": {}},
        "Resources": {
            "CDKMetadata": {"Type": "AWS::CDK::Metadata"},
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Metadata": {"aws:cdk:path": "S/Fn", "aws:asset:path": "x"},
                "Properties": {"Code": {"S3Key": f"{HASH}.zip"}},
            },
        },
    }
    out = normalize_template(template)
    assert set(out) == {"Resources"}
    assert out["Resources"] == {
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {"Code": {"S3Key": "<asset-hash>.zip"}},
        }
    }


def test_manifest_lists_logical_ids_and_types() -> None:
    template = {"Resources": {"B": {"Type": "AWS::S3::Bucket"}, "A": {"Type": "AWS::SQS::Queue"}}}
    assert resource_manifest(template) == {"A": "AWS::SQS::Queue", "B": "AWS::S3::Bucket"}


def test_template_of_fails_on_unacknowledged_nag_finding() -> None:
    stack = make_stack()
    sqs.Queue(stack, "Queue")  # no DLQ, no SSL enforcement: AwsSolutions-SQS3/SQS4
    with pytest.raises(NagFindingsError) as caught:
        template_of(stack)
    assert any("AwsSolutions-SQS3" in finding for finding in caught.value.findings)


def test_acknowledged_finding_is_recorded_on_that_resource_only() -> None:
    stack = make_stack()
    bucket = s3.Bucket(stack, "Bucket", enforce_ssl=True, removal_policy=cdk.RemovalPolicy.RETAIN)
    acknowledge(bucket.node.default_child, "S1", "test bucket: access logs are not needed")  # type: ignore[arg-type]
    template = template_of(stack)
    acks = nag_acknowledgements(template)
    bucket_id = next(k for k, v in template["Resources"].items() if v["Type"] == "AWS::S3::Bucket")
    assert acks == {"AwsSolutions-S1": [bucket_id]}


def test_cfn_lint_reports_a_bad_property() -> None:
    template = {
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": "x"}}}
    }
    findings = cfn_lint_findings(template)
    assert findings
    assert findings[0].startswith("E")


def test_context_merges_cdk_context_json_under_cdk_json(tmp_path: Path) -> None:
    """As the CDK CLI merges them: cdk.json's context wins over recorded lookups."""
    (tmp_path / "cdk.json").write_text(json.dumps({"context": {"flag": True, "shared": "cdk"}}))
    (tmp_path / "cdk.context.json").write_text(json.dumps({"shared": "lookup", "zones": ["a"]}))
    assert load_cdk_context(tmp_path / "cdk.json") == {
        "flag": True,
        "shared": "cdk",
        "zones": ["a"],
    }


def test_availability_zones_context_is_the_key_the_cli_records() -> None:
    env = cdk.Environment(account="210987654321", region="sa-east-1")
    assert availability_zones_context(env, ["sa-east-1a", "sa-east-1c"]) == {
        "availability-zones:account=210987654321:region=sa-east-1": ["sa-east-1a", "sa-east-1c"]
    }
    with pytest.raises(ValueError, match="concrete account and region"):
        availability_zones_context(cdk.Environment(region="sa-east-1"), ["sa-east-1a"])


def test_new_stack_in_an_environment_takes_its_zones() -> None:
    env = cdk.Environment(account="210987654321", region="sa-east-1")
    _, stack = new_stack("SaoPaulo", env=env, availability_zones=["sa-east-1a", "sa-east-1c"])
    assert (stack.account, stack.region) == ("210987654321", "sa-east-1")
    assert stack.availability_zones == ["sa-east-1a", "sa-east-1c"]
    with pytest.raises(ValueError, match="needs an env"):
        new_stack(availability_zones=["sa-east-1a"])


def test_synth_fails_on_a_lookup_without_context() -> None:
    _, stack = new_stack(
        "Unknown", env=cdk.Environment(account="210987654321", region="sa-east-1"), nag=False
    )
    ec2.Vpc(stack, "Vpc", max_azs=2, restrict_default_security_group=False, nat_gateways=0)
    with pytest.raises(MissingContextError) as caught:
        synth(cdk.Stage.of(stack))  # type: ignore[arg-type]
    assert caught.value.keys == ["availability-zones:account=210987654321:region=sa-east-1"]
    for fix in (
        "cdk.context.json",
        "PlatformStack(availability_zones=",
        "availability_zones_context",
    ):
        assert fix in str(caught.value)


def test_cfn_lint_leaves_out_what_cdk_acknowledged_on_that_resource_only() -> None:
    def subnet(zone: str) -> dict[str, Any]:
        return {
            "Type": "AWS::EC2::Subnet",
            "Properties": {
                "VpcId": "vpc-0123456789abcdef0",
                "CidrBlock": f"10.0.{ord(zone[-1])}.0/24",
                "AvailabilityZone": zone,
            },
        }

    acknowledged = {
        **subnet("eu-west-1a"),
        "Metadata": {"cdk_nag": {"rules_to_suppress": [{"id": "CloudFormation-Validate::W3010"}]}},
    }
    template = {"Resources": {"Acknowledged": acknowledged, "Other": subnet("eu-west-1b")}}
    findings = cfn_lint_findings(template, regions=["eu-west-1"])
    assert [f.split(" ")[:2] for f in findings] == [
        ["W3010", "Resources/Other/Properties/AvailabilityZone:"]
    ]


def test_assert_nag_clean_fails_on_an_app_that_never_registered_cdk_nag() -> None:
    """It runs cdk-nag itself: an unencrypted, non-TLS queue cannot pass by not asking."""
    _, stack = new_stack("Unchecked", nag=False)
    sqs.Queue(stack, "Queue")
    template_of(stack)  # nothing registered, nothing reported by synthesis
    with pytest.raises(NagFindingsError) as caught:
        assert_nag_clean(stack)
    assert [f.split(" ")[0] for f in caught.value.findings] == [
        "AwsSolutions-SQS3",
        "AwsSolutions-SQS4",
    ]
    assert list(caught.value.by_source) == ["cdk-nag AwsSolutions pack"]


def test_assert_nag_clean_passes_when_every_finding_is_acknowledged() -> None:
    _, stack = new_stack("Acknowledged", nag=False)
    queue = sqs.Queue(stack, "Queue", enforce_ssl=True)
    acknowledge(queue.node.default_child, "SQS3", "test: this queue is a dead-letter queue")  # type: ignore[arg-type]
    assert_nag_clean(stack)


def test_cdk_annotations_are_labelled_as_such_not_as_cdk_nag() -> None:
    _, stack = new_stack("Annotated")
    cdk.Annotations.of(stack).add_warning_v2("my:warning", "a construct's warning")
    with pytest.raises(NagFindingsError) as caught:
        template_of(stack)
    source = "aws-cdk-lib annotations (warnings of the constructs, not cdk-nag)"
    assert caught.value.by_source[source] == [
        "Annotation::my:warning Annotated: a construct's warning"
    ]
    assert not any(s.startswith("cdk-nag") for s in caught.value.by_source)
    assert f"{source}:\n  Annotation::my:warning Annotated:" in str(caught.value)


# -- a `cdk init`-shaped app: a cdk.Stack subclass ----------------------------------------------


class _Recorder:
    """Stands in for syrupy's ``snapshot``: records what each named snapshot serializes to."""

    def __init__(self) -> None:
        self.taken: dict[str, str] = {}
        self._extension: Any = None

    def use_extension(self, extension: Any) -> _Recorder:
        self._extension = extension
        return self

    def __call__(self, *, name: str) -> _Taken:
        return _Taken(self, name)


class _Taken:
    def __init__(self, recorder: _Recorder, name: str) -> None:
        self._recorder, self._name = recorder, name

    def __eq__(self, other: object) -> bool:
        self._recorder.taken[self._name] = self._recorder._extension().serialize(other)
        return True

    __hash__ = None  # type: ignore[assignment]


def _docstring_example() -> str:
    import textwrap

    import constructs_ecs.testing as kit

    doc = kit.__doc__ or ""
    block = doc.split("::\n\n", 1)[1].split("\n\n``new_stack()``", 1)[0]
    return textwrap.dedent(block)


def test_the_module_docstring_example_runs_on_a_cdk_init_shaped_stack() -> None:
    namespace: dict[str, Any] = {}
    exec(compile(_docstring_example(), "constructs_ecs.testing docstring", "exec"), namespace)
    recorder = _Recorder()
    namespace["test_my_stack"](recorder)
    assert set(recorder.taken) == {"manifest", "template"}
    manifest = json.loads(recorder.taken["manifest"])
    assert "AWS::ECS::Cluster" in manifest.values()
    assert "<asset-hash>" not in recorder.taken["manifest"]


def _queue_stack_class() -> type[cdk.Stack]:
    class QueueStack(cdk.Stack):
        def __init__(self, scope: Any, construct_id: str, **kwargs: Any) -> None:
            super().__init__(scope, construct_id, **kwargs)
            dlq = sqs.Queue(self, "DeadLetters", enforce_ssl=True)
            acknowledge(dlq.node.default_child, "SQS3", "this queue is the dead-letter queue")  # type: ignore[arg-type]
            sqs.Queue(
                self,
                "Jobs",
                enforce_ssl=True,
                dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dlq),
            )

    return QueueStack


def test_a_stack_subclass_in_an_app_from_new_app_passes_every_check() -> None:
    from constructs_ecs.testing import assert_cfn_lint_clean, new_app

    stack = _queue_stack_class()(new_app(cdk_json=CDK_JSON), "MyStack")
    template = template_of(stack)
    assert_nag_clean(stack)
    assert_cfn_lint_clean(template)
    assert (
        sorted(resource_manifest(template).values())
        == ["AWS::SQS::Queue"] * 2 + ["AWS::SQS::QueuePolicy"] * 2
    )


def test_a_stack_subclass_inside_the_stack_of_new_stack_is_explained() -> None:
    """The issue's report: the stack of new_stack() stays empty, and validation says F0001."""
    _, holder = new_stack("Holder")
    _queue_stack_class()(holder, "MyStack")
    with pytest.raises(NagFindingsError) as caught:
        template_of(holder)
    assert any(f.startswith("F0001 Holder: ") for f in caught.value.findings)
    assert "Holder: a stack that defines no resources" in str(caught.value)
    assert 'app = new_app(); stack = MyStack(app, "MyStack")' in str(caught.value)
