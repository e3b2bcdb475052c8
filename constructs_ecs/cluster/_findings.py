"""The cdk-nag findings of an ``EcsCluster`` that are by design, acknowledged on the one
resource each concerns, with the reason (the container agent's and Session Manager's
wildcards, Bottlerocket's managed policies, the mixed-instances policy)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam

from constructs_ecs._nag import (
    COMPLIANCE_PACKS,
    acknowledge,
    arn_pattern,
    explain_managed_policies,
    explain_wildcards,
)

__all__ = ["acknowledge_findings"]

_CONTAINER_INSTANCES = arn_pattern("ecs", r"container-instance/[^/]+/\*")
_INSTANCES = arn_pattern("ec2", r"instance/\*")
_BOTTLEROCKET_POLICIES = (
    (
        ":iam::aws:policy/AmazonSSMManagedInstanceCore",
        "Attached by ecs.Cluster for Bottlerocket, whose control container runs the SSM "
        "agent; the AWS-maintained policy is the one Bottlerocket documents.",
    ),
    (
        ":iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
        "Attached by ecs.Cluster for Bottlerocket: the AWS-maintained policy for the ECS "
        "container agent, kept current by AWS as the agent gains features.",
    ),
)


def _session_manager_instances(actions: frozenset[str], resource: str) -> str | None:
    if actions == {"ssm:UpdateInstanceInformation"} and _INSTANCES.match(resource):
        return "An instance registers itself with SSM; its id is unknown before launch."
    return None


def _bottlerocket_managed_policy(arn: str) -> str | None:
    return next((why for end, why in _BOTTLEROCKET_POLICIES if arn.endswith(end)), None)


def acknowledge_findings(
    *,
    instance_types: tuple[ec2.InstanceType, ...],
    auto_scaling_group: autoscaling.AutoScalingGroup,
    instance_role: iam.Role,
    session_manager_policy: iam.Policy | None,
    bottlerocket: bool,
    instance_writes_logs: bool,
    describes_tags: bool,
    tags_on_registration: bool,
) -> None:
    """Acknowledge the cluster's cdk-nag findings that are by design, each with its reason."""
    if len(instance_types) > 1:
        group = auto_scaling_group.node.default_child
        assert isinstance(group, cdk.CfnResource)
        acknowledge(
            group,
            "EC26",
            "The rule cannot follow the mixed-instances policy to its launch template; that "
            "launch template (LaunchTemplate) encrypts every block device it maps.",
        )
        acknowledge(
            group,
            "EC2IMDSv2Enabled",
            "The rule cannot follow the mixed-instances policy to its launch template; that "
            "launch template (LaunchTemplate) requires IMDSv2 (HttpTokens: required).",
            packs=COMPLIANCE_PACKS,
        )
    policy = instance_role.node.try_find_child("DefaultPolicy")
    assert policy is not None
    default_policy = policy.node.default_child
    assert isinstance(default_policy, cdk.CfnResource)
    acknowledge(
        default_policy,
        "IAM5[Action::ecs:Submit*]",
        "The container agent's state reports (SubmitContainerStateChange, "
        "SubmitTaskStateChange, SubmitAttachmentStateChanges), scoped to this cluster's ARN.",
    )
    reasons = [
        "The container agent's statements, added by ecs.Cluster: ecs:DiscoverPollEndpoint "
        "and ecr:GetAuthorizationToken have no resource-level permissions; ecs:Poll and "
        "ecs:StartTelemetrySession act on container instances that do not exist yet and "
        "are limited to this cluster by an ecs:cluster condition."
    ]
    if instance_writes_logs:
        reasons.append(
            "logs:CreateLogStream and logs:PutLogEvents, added by ecs.Cluster and kept "
            "because agent_settings set ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=false: "
            "the awslogs driver then writes with the instance role, to log groups chosen "
            "per task definition."
        )
    if describes_tags:
        reasons.append(
            "ec2:DescribeTags has no resource-level permissions; the agent reads its "
            "instance's tags (ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance)."
        )
    agent_actions = {
        "ecs:DiscoverPollEndpoint",
        "ecr:GetAuthorizationToken",
        "ecs:Poll",
        "ecs:StartTelemetrySession",
    }
    if instance_writes_logs:
        agent_actions |= {"logs:CreateLogStream", "logs:PutLogEvents"}
    if describes_tags:
        agent_actions.add("ec2:DescribeTags")
    reason = " ".join(reasons)

    def agent_wildcards(actions: frozenset[str], resource: str) -> str | None:
        if resource == "*" and actions <= agent_actions:
            return reason
        if (
            tags_on_registration
            and actions == {"ecs:TagResource"}
            and _CONTAINER_INSTANCES.match(resource)
        ):
            return (
                "ecs:TagResource tags a container instance as the agent registers it "
                "(ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM or ECS_CONTAINER_INSTANCE_TAGS); "
                "its id is unknown before registration. Limited to this cluster's container "
                "instances and, by the ecs:CreateAction condition, to "
                "RegisterContainerInstance."
            )
        return None

    # Decided at synth: a wildcard grant added later to the instance role stays a finding.
    explain_wildcards(instance_role, agent_wildcards)
    if session_manager_policy is not None:
        ssm = session_manager_policy.node.default_child
        assert isinstance(ssm, cdk.CfnResource)
        acknowledge(
            ssm,
            "IAM5[Resource::*]",
            "SSM Session Manager's data channels (ssmmessages:*Channel) have no "
            "resource-level permissions; these four actions and UpdateInstanceInformation "
            "are the minimum AWS documents for Session Manager, in place of "
            "AmazonSSMManagedInstanceCore.",
        )
        explain_wildcards(session_manager_policy, _session_manager_instances)
    if bottlerocket:
        explain_managed_policies(instance_role, _bottlerocket_managed_policy)
