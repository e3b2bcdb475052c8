"""The reference app (app.py): what `cdk synth` deploys, synthesized with cdk.json's context."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import app as reference
from constructs_ecs import ConfigurationError
from constructs_ecs.testing import (
    nag_acknowledgements,
    new_app,
    normalize_template,
    resource_manifest,
    template_of,
)
from tests.conftest import CDK_JSON


def synth_reference(**context: Any) -> dict[str, Any]:
    app = new_app(context, cdk_json=CDK_JSON)
    stack = reference.build(app)
    return normalize_template(template_of(stack))


def changed_paths(before: Any, after: Any, path: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[str] = []
        for key in sorted(set(before) | set(after)):
            found += changed_paths(before.get(key), after.get(key), f"{path}/{key}")
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            p
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            for p in changed_paths(b, a, f"{path}/{i}")
        ]
    return [] if before == after else [path]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return synth_reference()


def test_reference_app_serves_the_concepts_webserver_example(template: dict[str, Any]) -> None:
    task = next(
        v["Properties"]
        for v in template["Resources"].values()
        if v["Type"] == "AWS::ECS::TaskDefinition"
    )
    assert task["Family"] == "webserver"
    container = task["ContainerDefinitions"][0]
    assert (container["Name"], container["Image"], container["Cpu"], container["Memory"]) == (
        "web",
        "nginx",
        99,
        100,
    )
    assert container["PortMappings"] == [{"ContainerPort": 80, "HostPort": 80, "Protocol": "tcp"}]
    assert container["LogConfiguration"]["LogDriver"] == "awslogs"
    assertions = Template.from_json(template)
    assertions.resource_count_is("AWS::ECS::Service", 1)
    assertions.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", 1)
    assertions.has_resource_properties("AWS::ECS::Service", {"DesiredCount": 2})


ACKNOWLEDGED = {
    "AwsSolutions-IAM5[Action::ecs:Submit*]": ["ClusterInstanceRoleDefaultPolicyCCF783BA"],
    "AwsSolutions-IAM5[Resource::*]": [
        "ClusterInstanceRoleDefaultPolicyCCF783BA",
        "ClusterSessionManagerPolicy5A8C2621",
    ],
    "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:"
    "instance/*]": ["ClusterSessionManagerPolicy5A8C2621"],
    "AwsSolutions-S1": ["LoadBalancerAccessLogsB27DFC85"],
    "AwsSolutions-EC23": ["LoadBalancerSecurityGroupA28D6DD7"],
}
"""Every finding the reference app acknowledges, and the one resource each is on: a new
acknowledgement (or one gone) is a change a reviewer must see."""


def test_reference_app_acknowledges_exactly_these_findings(template: dict[str, Any]) -> None:
    found = {rule: sorted(ids) for rule, ids in nag_acknowledgements(template).items()}
    assert found == ACKNOWLEDGED
    reasons = [
        rule["reason"]
        for resource in template["Resources"].values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
        if rule["id"].startswith("AwsSolutions-")
    ]
    assert len(reasons) == 6
    assert len(set(reasons)) == 6  # a reason of its own for each
    assert all(reason.endswith(".") and len(reason.split()) >= 8 for reason in reasons)


def test_reference_app_snapshot(template: dict[str, Any], snapshot_json: Any) -> None:
    assert "WebserverLogGroup" in "".join(template["Resources"])
    assert resource_manifest(template) == snapshot_json(name="manifest")
    assert template == snapshot_json(name="template")


def test_two_fresh_syntheses_are_identical(template: dict[str, Any]) -> None:
    assert json.dumps(synth_reference(), sort_keys=True) == json.dumps(template, sort_keys=True)


def test_changing_desired_count_changes_only_that_line(template: dict[str, Any]) -> None:
    changed = changed_paths(template, synth_reference(desired_count=1))
    assert len(changed) == 1
    assert changed[0].endswith("/Properties/DesiredCount")


def test_fails_at_synth_when_desired_count_cannot_roll_on_port_80() -> None:
    """webserver.json binds host port 80: 4 tasks take the app's 4 instances, and a deploy's
    first new task would have nowhere to go."""
    with pytest.raises(ConfigurationError, match=r"desired_count: got 4;.*at most 3 tasks"):
        synth_reference(desired_count=4)


def test_stateful_logical_ids_are_pinned(template: dict[str, Any]) -> None:
    """Renaming these would replace them on deploy and lose logs, or the VPC."""
    retained = sorted(
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource.get("DeletionPolicy") == "Retain"
    )
    types = {template["Resources"][k]["Type"] for k in retained}
    assert "AWS::Logs::LogGroup" in types
    assert "AWS::S3::Bucket" in types
    vpc = [k for k, v in template["Resources"].items() if v["Type"] == "AWS::EC2::VPC"]
    assert retained + vpc == PINNED_IDS


PINNED_IDS = [
    "ClusterExecLogGroup2AEF0708",
    "LoadBalancerAccessLogsB27DFC85",
    "NetworkFlowLogGroup4F8CEEEF",
    "WebserverLogGroup1E148466",
    "NetworkVpc7FB7348F",
]


def test_environment_agnostic_by_default() -> None:
    app = new_app(cdk_json=CDK_JSON)
    stack = reference.build(app)
    assert cdk.Token.is_unresolved(stack.account)
