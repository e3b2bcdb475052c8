"""More packs (issue 15, point 7): cdk-nag's HIPAA Security and NIST 800-53 rev 5, beside
AwsSolutions, on the reference app and on a full platform: nothing unacknowledged (errors and
warnings), cfn-lint clean. Each finding on what the library defines is fixed, offered as an
option (``log_key=``, ``Alarms(topic=...)``, ``web_acl_arn=``, ...) or acknowledged on that one
resource with a reason, in the library, so users get the same."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks

import app as reference
from constructs_ecs import (
    Alarms,
    CapacityProviderOptions,
    ClusterLogs,
    ConfigurationError,
    EcsCluster,
    Network,
    WorkerService,
)
from constructs_ecs._nag import COMPLIANCE_PACKS
from constructs_ecs.testing import (
    NagFindingsError,
    assert_cfn_lint_clean,
    assert_nag_clean,
    new_app,
    new_stack,
    template_of,
)
from tests.conftest import CDK_JSON
from tests.environments import full_platform
from tests.factories import worker_spec


def packs() -> list[Any]:
    return [AwsSolutionsChecks(), HIPAASecurityChecks(), NIST80053R5Checks()]


def unacknowledged(stack: cdk.Stack) -> list[str]:
    """``<rule> <construct path>`` of each finding of the three packs nobody acknowledged."""
    try:
        assert_nag_clean(stack, packs=packs())
    except NagFindingsError as error:
        return [finding.split(":")[0] for finding in error.findings]
    return []


def acknowledgements(template: dict[str, Any], pack: str) -> dict[str, dict[str, str]]:
    """``{logical id: {rule: reason}}`` of the acknowledgements of ``pack`` in ``template``."""
    found: dict[str, dict[str, str]] = {}
    for logical_id, resource in template["Resources"].items():
        rules = resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
        for rule in rules:
            if rule["id"].startswith(f"{pack}-"):
                found.setdefault(logical_id, {})[rule["id"].split("-", 1)[1]] = rule["reason"]
    return found


def types_by_rule(template: dict[str, Any], pack: str) -> dict[str, list[str]]:
    """``{rule: sorted resource types}`` of the acknowledgements of ``pack``."""
    found: dict[str, list[str]] = {}
    for logical_id, rules in acknowledgements(template, pack).items():
        for rule in rules:
            found.setdefault(rule, []).append(template["Resources"][logical_id]["Type"])
    return {rule: sorted(types) for rule, types in sorted(found.items())}


# ------------------------------------------------------------------------ reference app


@pytest.fixture(scope="module")
def reference_stack() -> cdk.Stack:
    return reference.build(new_app(cdk_json=CDK_JSON))


@pytest.fixture(scope="module")
def reference_template(reference_stack: cdk.Stack) -> dict[str, Any]:
    return template_of(reference_stack)  # fails on any warning or AwsSolutions finding


def test_reference_app_has_nothing_unacknowledged_in_the_three_packs(
    reference_stack: cdk.Stack, reference_template: dict[str, Any]
) -> None:
    assert unacknowledged(reference_stack) == []


def test_reference_app_passes_cfn_lint(reference_template: dict[str, Any]) -> None:
    assert_cfn_lint_clean(reference_template)


REFERENCE_ACKNOWLEDGED = {
    "ALBHttpToHttpsRedirection": ["AWS::ElasticLoadBalancingV2::Listener"],
    "CloudWatchAlarmAction": ["AWS::CloudWatch::Alarm"] * 6,
    "CloudWatchLogGroupEncrypted": ["AWS::Logs::LogGroup"] * 3,
    "ELBDeletionProtectionEnabled": ["AWS::ElasticLoadBalancingV2::LoadBalancer"],
    "ELBv2ACMCertificateRequired": ["AWS::ElasticLoadBalancingV2::Listener"],
    "IAMNoInlinePolicy": ["AWS::IAM::Policy"] * 4,
    "S3BucketLoggingEnabled": ["AWS::S3::Bucket"],
    "S3BucketReplicationEnabled": ["AWS::S3::Bucket"],
    "S3BucketVersioningEnabled": ["AWS::S3::Bucket"],
    "S3DefaultEncryptionKMS": ["AWS::S3::Bucket"],
    "VPCNoUnrestrictedRouteToIGW": ["AWS::EC2::Route"] * 2,
}
"""What the reference app acknowledges in HIPAA Security, each on the resource it concerns;
NIST 800-53 rev 5 has the same, and ``ALBWAFEnabled`` besides (a HIPAA rule it lacks)."""


def test_reference_app_acknowledges_each_finding_on_its_resource(
    reference_template: dict[str, Any],
) -> None:
    assert types_by_rule(reference_template, "HIPAA.Security") == REFERENCE_ACKNOWLEDGED
    nist = dict(types_by_rule(reference_template, "NIST.800.53.R5"))
    assert nist.pop("ALBWAFEnabled") == ["AWS::ElasticLoadBalancingV2::LoadBalancer"]
    assert nist == REFERENCE_ACKNOWLEDGED


def test_each_rule_of_both_packs_is_acknowledged_with_the_same_reason(
    reference_template: dict[str, Any],
) -> None:
    hipaa = acknowledgements(reference_template, "HIPAA.Security")
    nist = acknowledgements(reference_template, "NIST.800.53.R5")
    for logical_id, rules in hipaa.items():
        for rule, reason in rules.items():
            assert nist[logical_id][rule] == reason
            assert len(reason) >= 40, (logical_id, rule, reason)


def test_public_subnets_give_no_address_to_what_launches_there(
    reference_template: dict[str, Any],
) -> None:
    subnets = [
        r["Properties"]
        for r in reference_template["Resources"].values()
        if r["Type"] == "AWS::EC2::Subnet"
    ]
    assert len(subnets) == 4
    assert [s["MapPublicIpOnLaunch"] for s in subnets] == [False] * 4


def test_no_log_group_names_a_key_without_log_key(reference_template: dict[str, Any]) -> None:
    groups = [
        r["Properties"]
        for r in reference_template["Resources"].values()
        if r["Type"] == "AWS::Logs::LogGroup"
    ]
    assert len(groups) == 3
    assert all("KmsKeyId" not in g for g in groups)


# ------------------------------------------------------------------------- full platform


@dataclass(frozen=True)
class Platform:
    stack: cdk.Stack
    template: dict[str, Any]
    left_to_the_user: Sequence[str]
    """What the three packs found before the test, as the platform's author, acknowledged its
    own resources' findings."""


@pytest.fixture(scope="module")
def platform() -> Platform:
    app = new_app(cdk_json=CDK_JSON)
    full_platform(app, None)
    stack = app.node.find_child("Full")
    assert isinstance(stack, cdk.Stack)
    template = template_of(stack)
    left = unacknowledged(stack)
    # The platform's own resources, beside the library's: its author answers for them, as a
    # user would, with CDK's acknowledgement API.
    firewall = stack.node.find_child("Firewall")
    ci_policy = stack.node.find_child("CiRole").node.find_child("DefaultPolicy")
    for construct, rule, reason in (
        (firewall, "WAFv2LoggingEnabled", "A test web ACL: never deployed, nothing to log."),
        (ci_policy, "IAMNoInlinePolicy", "The CI role's grants, scoped to one repository."),
    ):
        cdk.Validations.of(construct).acknowledge(
            *(cdk.Acknowledgment(id=f"{pack}-{rule}", reason=reason) for pack in COMPLIANCE_PACKS)
        )
    return Platform(stack, template, left)


def test_the_library_leaves_only_the_users_own_resources_to_the_user(
    platform: Platform,
) -> None:
    assert sorted(platform.left_to_the_user) == sorted(
        f"{pack}-{rule} Full/{path}"
        for pack in COMPLIANCE_PACKS
        for rule, path in (
            ("WAFv2LoggingEnabled", "Firewall"),
            ("IAMNoInlinePolicy", "CiRole/DefaultPolicy/Resource"),
        )
    )


def test_full_platform_has_nothing_unacknowledged_in_the_three_packs(
    platform: Platform,
) -> None:
    assert unacknowledged(platform.stack) == []


def test_full_platform_passes_cfn_lint(platform: Platform) -> None:
    assert_cfn_lint_clean(platform.template)


def test_full_platform_acknowledges_the_spot_groups_imdsv2_and_the_force_delete_function(
    platform: Platform,
) -> None:
    found = types_by_rule(platform.template, "HIPAA.Security")
    assert found["EC2IMDSv2Enabled"] == ["AWS::AutoScaling::AutoScalingGroup"]
    for rule in ("LambdaConcurrency", "LambdaDLQ", "LambdaInsideVPC"):
        assert found[rule] == ["AWS::Lambda::Function"]
    # Every role the library defines: instances (2 clusters), Session Manager, flow logs,
    # force delete (its inline policy), task and execution roles with grants, the schedule.
    assert found["IAMNoInlinePolicy"].count("AWS::IAM::Role") == 1


# ------------------------------------------------------------------------------- options


@dataclass(frozen=True)
class WithOptions:
    stack: cdk.Stack
    template: dict[str, Any]
    key_id: str


@pytest.fixture(scope="module")
def with_options() -> WithOptions:
    _, stack = new_stack("WithOptions")
    key = kms.Key(stack, "LogKey", enable_key_rotation=True)
    network = Network(stack, "Network", log_key=key)
    cluster = EcsCluster(
        stack,
        "Cluster",
        vpc=network.vpc,
        logs=ClusterLogs(key=key),
        capacity_provider_options=CapacityProviderOptions(force_delete_on_destroy=True),
    )
    topic = sns.Topic(stack, "Alerts", enforce_ssl=True, master_key=key)
    WorkerService(
        stack,
        "Worker",
        cluster=cluster,
        task_definition=worker_spec(),
        alarms=Alarms(topic=topic),
    )
    key_id = stack.get_logical_id(cast(cdk.CfnElement, key.node.default_child))
    return WithOptions(stack, template_of(stack), key_id)


def test_log_key_encrypts_every_log_group_of_the_network_cluster_and_services(
    with_options: WithOptions,
) -> None:
    groups = {
        logical_id: r["Properties"]
        for logical_id, r in with_options.template["Resources"].items()
        if r["Type"] == "AWS::Logs::LogGroup"
    }
    assert len(groups) == 4  # flow logs, ECS Exec, force delete, the worker
    for properties in groups.values():
        assert properties["KmsKeyId"] == {"Fn::GetAtt": [with_options.key_id, "Arn"]}
    hipaa = acknowledgements(with_options.template, "HIPAA.Security")
    assert all("CloudWatchLogGroupEncrypted" not in hipaa.get(g, {}) for g in groups)


def test_log_key_lets_cloudwatch_logs_of_this_account_and_region_use_it_once(
    with_options: WithOptions,
) -> None:
    policy = with_options.template["Resources"][with_options.key_id]["Properties"]["KeyPolicy"]
    statements = [s for s in policy["Statement"] if s.get("Sid") == "AllowCloudWatchLogs"]
    assert statements == [
        {
            "Sid": "AllowCloudWatchLogs",
            "Effect": "Allow",
            "Principal": {
                "Service": {
                    "Fn::Join": [
                        "",
                        ["logs.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}],
                    ]
                }
            },
            "Action": [
                "kms:Decrypt*",
                "kms:Describe*",
                "kms:Encrypt*",
                "kms:GenerateDataKey*",
                "kms:ReEncrypt*",
            ],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": {
                        "Fn::Join": [
                            "",
                            [
                                "arn:",
                                {"Ref": "AWS::Partition"},
                                ":logs:",
                                {"Ref": "AWS::Region"},
                                ":",
                                {"Ref": "AWS::AccountId"},
                                ":log-group:*",
                            ],
                        ]
                    }
                }
            },
        }
    ]


def test_alarms_with_a_topic_need_no_acknowledgement(with_options: WithOptions) -> None:
    alarms = [
        logical_id
        for logical_id, r in with_options.template["Resources"].items()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    ]
    assert alarms
    hipaa = acknowledgements(with_options.template, "HIPAA.Security")
    assert all("CloudWatchAlarmAction" not in hipaa.get(a, {}) for a in alarms)


def test_options_leave_nothing_unacknowledged(with_options: WithOptions) -> None:
    assert unacknowledged(with_options.stack) == []
    assert_cfn_lint_clean(with_options.template)


def test_fails_when_log_key_is_given_with_an_existing_vpc() -> None:
    _, stack = new_stack("Existing")
    vpc = ec2.Vpc.from_vpc_attributes(
        stack, "Vpc", vpc_id="vpc-0123456789abcdef0", availability_zones=["us-east-1a"]
    )
    key = kms.Key(stack, "LogKey", enable_key_rotation=True)
    with pytest.raises(ConfigurationError) as raised:
        Network(stack, "Network", vpc=vpc, log_key=key)
    assert raised.value.field == "log_key"
