"""The test kit normalises what churns and reports what cdk-nag and cfn-lint find."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

from constructs_ecs._nag import acknowledge
from constructs_ecs.testing import (
    NagFindingsError,
    cfn_lint_findings,
    load_cdk_context,
    nag_acknowledgements,
    normalize_template,
    resource_manifest,
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
