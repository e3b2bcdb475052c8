"""Update semantics beyond the property tables: Auto Scaling update policies, values whose
direction decides (VPC tenancy), and deletion and replacement policies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from constructs_ecs.review._intrinsics import intrinsic, properties_of, render
from constructs_ecs.review._replacement import RETAINING_POLICIES
from constructs_ecs.review._rules import CONDITIONAL, IN_PLACE, REPLACEMENT

AUTO_SCALING_GROUP = "AWS::AutoScaling::AutoScalingGroup"
_ASG_INSTANCE_PROPERTIES = frozenset(
    {"LaunchConfigurationName", "LaunchTemplate", "MixedInstancesPolicy", "VPCZoneIdentifier"}
)
_SNAPSHOT_BY_DEFAULT = ("AWS::RDS::DBCluster", "AWS::RDS::DBInstance")


def _update_policy(resource: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    policy = resource.get("UpdatePolicy")
    value = policy.get(name) if isinstance(policy, dict) else None
    return value if isinstance(value, dict) else None


def _number(value: Any, default: str) -> str:
    return default if value is None else render(value)


def instance_rollout(group: Mapping[str, Any]) -> str:
    """What an Auto Scaling group does to running instances when their launch template,
    launch configuration or instance types change, by its ``UpdatePolicy``."""
    rolling = _update_policy(group, "AutoScalingRollingUpdate")
    if rolling is not None:
        text = (
            "AutoScalingRollingUpdate replaces the instances in batches of "
            f"{_number(rolling.get('MaxBatchSize'), '1')}, keeping at least "
            f"{_number(rolling.get('MinInstancesInService'), '0')} in service"
        )
        if "PauseTime" in rolling:
            text += f" and pausing {render(rolling['PauseTime'])} between batches"
        return text
    return (
        "running instances keep their old configuration and only instances launched from now "
        "on get the new one (no AutoScalingRollingUpdate or AutoScalingReplacingUpdate policy)"
    )


def _will_replace(group: Mapping[str, Any]) -> bool | None:
    replacing = _update_policy(group, "AutoScalingReplacingUpdate")
    if replacing is None:
        return False
    value = replacing.get("WillReplace")
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    return None if intrinsic(value) is not None else False


def refine(
    resource_type: str,
    path: str,
    effect: str,
    new: Mapping[str, Any],
    before: Any,
    after: Any,
) -> tuple[str, str | None]:
    """The ``effect`` of changing ``path`` once the template's own settings are taken into
    account, with a note saying why."""
    top = path.split(".")[0].split("[")[0]
    if resource_type == AUTO_SCALING_GROUP and top in _ASG_INSTANCE_PROPERTIES:
        will_replace = _will_replace(new)
        if will_replace:
            return REPLACEMENT, (
                "AutoScalingReplacingUpdate (WillReplace): CloudFormation creates a new Auto "
                "Scaling group, then deletes the old one and its instances"
            )
        if will_replace is None:
            return CONDITIONAL, "AutoScalingReplacingUpdate WillReplace is not a literal"
        if top == "VPCZoneIdentifier":
            return IN_PLACE, (
                "instances in subnets no longer listed are replaced as Auto Scaling rebalances; "
                + instance_rollout(new)
            )
        return IN_PLACE, instance_rollout(new)
    if resource_type == "AWS::EC2::Instance" and top == "BlockDeviceMappings":
        if path.endswith(".DeleteOnTermination"):
            return IN_PLACE, None
        return REPLACEMENT, (
            "a block device mapping changes beyond DeleteOnTermination: the instance is replaced"
        )
    if resource_type == "AWS::EC2::VPC" and top == "InstanceTenancy" and effect == CONDITIONAL:
        if after == "default":
            return IN_PLACE, "dedicated → default tenancy is updated in place"
        if isinstance(after, str):
            return REPLACEMENT, "a change to dedicated tenancy replaces the VPC"
    return effect, None


def policy(resource: Mapping[str, Any], name: str) -> str:
    """``DeletionPolicy`` or ``UpdateReplacePolicy`` with CloudFormation's default: Delete,
    but a DeletionPolicy of Snapshot for RDS clusters and for DB instances outside one."""
    value = resource.get(name)
    if value is None:
        if name == "DeletionPolicy" and resource.get("Type") in _SNAPSHOT_BY_DEFAULT:
            in_cluster = resource.get("Type") == "AWS::RDS::DBInstance" and (
                "DBClusterIdentifier" in properties_of(resource)
            )
            return "Delete" if in_cluster else "Snapshot"
        return "Delete"
    return value if isinstance(value, str) else render(value)


def retains(resource: Mapping[str, Any], name: str) -> bool:
    return policy(resource, name) in RETAINING_POLICIES


def kept_or_lost(value: str, attribute: str) -> str:
    """What ``attribute`` ``value`` does to the old resource and its data."""
    if value == "Snapshot":
        return f"the old one is deleted after a final snapshot ({attribute} Snapshot)"
    if value in RETAINING_POLICIES:
        return (
            f"the old one and its data stay in the account, no longer managed by the stack "
            f"({attribute} {value})"
        )
    return f"**the old one is deleted with its data** ({attribute} {value})"
