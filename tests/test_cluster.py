"""EcsCluster: defaults, a fully configured cluster, variants, the delete order, validation."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from syrupy.assertion import SnapshotAssertion

from constructs_ecs._errors import ConfigurationError
from constructs_ecs._network import Network
from constructs_ecs.cluster import (
    AL2023_ECS_AMI_RELEASE,
    CapacityProviderOptions,
    ClusterLogs,
    ContainerAgent,
    EcsCluster,
    InstanceImage,
    InstanceResources,
    SpotOptions,
)
from constructs_ecs.cluster._agent import DEFAULT_HOST_PORT_RANGE, KNOWN_AGENT_SETTINGS
from constructs_ecs.cluster._instance_types import spec_of
from constructs_ecs.testing import (
    assert_cfn_lint_clean,
    assert_nag_clean,
    nag_acknowledgements,
    resource_manifest,
    synth,
    template_of,
)
from tests.conftest import make_stack

# Renaming EcsCluster(stack, "Cluster") or its children replaces these: pinned on purpose.
CLUSTER_ID = "ClusterC2E21B66"
ASSOCIATION_ID = "Cluster3D72770B"
EXEC_LOG_GROUP_ID = "ClusterExecLogGroup2AEF0708"
ASG_ID = "ClusterAutoScalingGroupASG8FBA5099"
CAPACITY_PROVIDER_ID = "ClusterCapacityProvider431BD7BE"
LAUNCH_TEMPLATE_ID = "ClusterLaunchTemplateD946544B"
SECURITY_GROUP_ID = "ClusterInstanceSecurityGroup863378B5"
ROLE_ID = "ClusterInstanceRoleD85D9505"
DEFAULT_POLICY_ID = "ClusterInstanceRoleDefaultPolicyCCF783BA"
SSM_POLICY_ID = "ClusterSessionManagerPolicy5A8C2621"
TOPIC_ID = "ClusterNotificationsTopicB620B5E0"
KEY_ID = "ClusterNotificationsKey2432EDE6"

AL2023_X86 = (
    "/aws/service/ecs/optimized-ami/amazon-linux-2023/"
    f"al2023-ami-ecs-hvm-{AL2023_ECS_AMI_RELEASE}-kernel-6.1-x86_64/image_id"
)
AL2023_ARM = (
    "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/"
    f"al2023-ami-ecs-hvm-{AL2023_ECS_AMI_RELEASE}-kernel-6.1-arm64/image_id"
)
AL2023_GPU = (
    "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/"
    f"al2023-ami-ecs-gpu-hvm-{AL2023_ECS_AMI_RELEASE}-kernel-6.1-x86_64-ebs/image_id"
)
DEFAULT_SETTINGS = {
    "ECS_AWSVPC_BLOCK_IMDS": "true",
    "ECS_CONTAINER_STOP_TIMEOUT": "30s",
    "ECS_DISABLE_PRIVILEGED": "true",
    "ECS_DYNAMIC_HOST_PORT_RANGE": "32768-60999",
    "ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE": "true",
    "ECS_ENABLE_CONTAINER_METADATA": "true",
    "ECS_IMAGE_PULL_BEHAVIOR": "once",
    "ECS_RESERVED_MEMORY": "256",
}
FULL_SETTINGS = {
    "ECS_LOGLEVEL": "warn",
    "ECS_DYNAMIC_HOST_PORT_RANGE": "40000-50000",
    "ECS_RESERVED_MEMORY": "512",
    "ECS_CONTAINER_STOP_TIMEOUT": "1m",
}
UNKNOWN_TYPE_WARNING = "@constructs-ecs/cluster:unknownInstanceType"
ACKNOWLEDGED = "aws:cdk:acknowledged-rules"
AGENT_STATEMENTS = [
    {
        "Action": [
            "ecs:DeregisterContainerInstance",
            "ecs:RegisterContainerInstance",
            "ecs:Submit*",
        ],
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [CLUSTER_ID, "Arn"]},
    },
    {
        "Action": ["ecs:Poll", "ecs:StartTelemetrySession"],
        "Condition": {"ArnEquals": {"ecs:cluster": {"Fn::GetAtt": [CLUSTER_ID, "Arn"]}}},
        "Effect": "Allow",
        "Resource": "*",
    },
    {
        "Action": ["ecr:GetAuthorizationToken", "ecs:DiscoverPollEndpoint"],
        "Effect": "Allow",
        "Resource": "*",
    },
]
"""The instance role's default policy: the agent's statements, without CloudWatch Logs."""


@dataclass
class Synthesized:
    defaults: dict[str, Any]
    full: dict[str, Any]
    variants: dict[str, Any]
    isolated: dict[str, Any]
    default_cluster: EcsCluster
    full_cluster: EcsCluster
    isolated_cluster: EcsCluster
    clusters: dict[str, EcsCluster]
    network: Network
    isolated_network: Network
    assembly_missing: object


def _variants(stack: cdk.Stack) -> dict[str, EcsCluster]:
    """Clusters sharing one VPC, each showing one option; plus a CDK service on one."""
    vpc = Network(stack, "Network").vpc
    clusters = {
        "bottlerocket": EcsCluster(
            stack,
            "Rocket",
            vpc=vpc,
            image=InstanceImage.bottlerocket("1.54.0"),
            agent=ContainerAgent(
                settings={"ECS_LOGLEVEL": "debug", "ECS_DYNAMIC_HOST_PORT_RANGE": "33000-60000"}
            ),
        ),
        "gpu": EcsCluster(stack, "Gpu", vpc=vpc, instance_type=ec2.InstanceType("g5.xlarge")),
        "custom": EcsCluster(
            stack,
            "Custom",
            vpc=vpc,
            image=InstanceImage.custom(
                ec2.MachineImage.generic_linux({"eu-west-1": "ami-0123456789abcdef0"})
            ),
            instance_type=ec2.InstanceType("i4i.large"),
            min_capacity=0,
            root_volume_size_gib=8,
            notifications_topic=sns.Topic.from_topic_arn(
                stack, "Topic", "arn:aws:sns:eu-west-1:123456789012:ops"
            ),
            agent=ContainerAgent(
                settings={"ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM": "ec2_instance"}
            ),
        ),
        "tagged": EcsCluster(
            stack,
            "Tagged",
            vpc=vpc,
            agent=ContainerAgent(settings={"ECS_CONTAINER_INSTANCE_TAGS": '{"team": "payments"}'}),
        ),
        "forced": EcsCluster(
            stack,
            "Forced",
            vpc=vpc,
            capacity_provider_options=CapacityProviderOptions(force_delete_on_destroy=True),
        ),
    }
    cdk.Validations.of(clusters["custom"]).acknowledge(
        cdk.Acknowledgment(
            id=f"Annotation::{UNKNOWN_TYPE_WARNING}",
            reason="i4i.large on purpose: the variant shows a type outside the table.",
        )
    )
    forced = clusters["forced"]
    task = ecs.Ec2TaskDefinition(stack, "Task")
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_registry("nginx"),
        memory_limit_mib=256,
        port_mappings=[ecs.PortMapping(container_port=80)],
        logging=ecs.LogDrivers.aws_logs(
            stream_prefix="web",
            log_group=logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.ONE_WEEK),
        ),
    )
    service = ecs.Ec2Service(
        stack,
        "Service",
        cluster=forced.cluster,
        task_definition=task,
        capacity_provider_strategies=forced.capacity_provider_strategies,
        circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
        min_healthy_percent=100,
    )
    service.node.add_dependency(forced.capacity_provider_dependency)
    return clusters


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    """One app, three stacks, one synthesis (with cdk-nag: any finding fails here)."""
    defaults = make_stack("Defaults")
    app = defaults.node.root
    assert isinstance(app, cdk.App)
    network = Network(defaults, "Network")
    default_cluster = EcsCluster(defaults, "Cluster", vpc=network.vpc)

    full = cdk.Stack(app, "Full")
    full_cluster = EcsCluster(
        full,
        "Cluster",
        vpc=Network(full, "Network").vpc,
        instance_type=ec2.InstanceType("m7g.large"),
        min_capacity=2,
        max_capacity=10,
        spot=SpotOptions(
            instance_types=[ec2.InstanceType("m6g.large"), ec2.InstanceType("c7g.large")],
            on_demand_base_capacity=2,
            on_demand_percentage_above_base_capacity=25,
        ),
        agent=ContainerAgent(settings=FULL_SETTINGS),
        capacity_provider_options=CapacityProviderOptions(
            target_capacity_percent=80, managed_termination_protection=True
        ),
        root_volume_size_gib=50,
        logs=ClusterLogs(exec_log_retention=logs.RetentionDays.SIX_MONTHS),
    )

    variants = cdk.Stack(app, "Variants")
    clusters = _variants(variants)

    isolated = cdk.Stack(app, "Isolated")
    isolated_network = Network(isolated, "Network", nat_gateways=0, vpc_endpoints=True)
    isolated_cluster = EcsCluster(isolated, "Cluster", vpc=isolated_network.vpc)
    assembly = synth(app)
    return Synthesized(
        defaults=template_of(defaults),
        full=template_of(full),
        variants=template_of(variants),
        isolated=template_of(isolated),
        default_cluster=default_cluster,
        full_cluster=full_cluster,
        isolated_cluster=isolated_cluster,
        clusters=clusters,
        network=network,
        isolated_network=isolated_network,
        assembly_missing=json.loads(
            (Path(assembly.directory) / "manifest.json").read_text(encoding="utf-8")
        ).get("missing"),
    )


@pytest.fixture(scope="module")
def defaults(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.defaults


@pytest.fixture(scope="module")
def full(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.full


@pytest.fixture(scope="module")
def variants(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.variants


def resource(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    found: dict[str, Any] = template["Resources"][logical_id]
    return found


def props(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    found: dict[str, Any] = template["Resources"][logical_id]["Properties"]
    return found


def of_type(template: dict[str, Any], kind: str, prefix: str = "") -> dict[str, dict[str, Any]]:
    return {
        k: v for k, v in template["Resources"].items() if v["Type"] == kind and k.startswith(prefix)
    }


def one(template: dict[str, Any], kind: str, prefix: str) -> tuple[str, dict[str, Any]]:
    (found,) = of_type(template, kind, prefix).items()
    return found


def launch_data(template: dict[str, Any], prefix: str = "Cluster") -> dict[str, Any]:
    data: dict[str, Any] = one(template, "AWS::EC2::LaunchTemplate", prefix)[1]["Properties"][
        "LaunchTemplateData"
    ]
    return data


def user_data(template: dict[str, Any], prefix: str = "Cluster") -> str:
    """The user data with tokens rendered as ``<Ref:LogicalId>``."""
    parts = launch_data(template, prefix)["UserData"]["Fn::Base64"]["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else f"<Ref:{p['Ref']}>" for p in parts)


def ecs_config_lines(template: dict[str, Any], prefix: str = "Cluster") -> list[str]:
    text = user_data(template, prefix)
    body = text.split("<<'ECS_CONFIG' >> /etc/ecs/ecs.config\n", 1)[1].split("\nECS_CONFIG\n")[0]
    return body.splitlines()


def image_parameter(template: dict[str, Any], prefix: str = "Cluster") -> str:
    ref = launch_data(template, prefix)["ImageId"]["Ref"]
    default: str = template["Parameters"][ref]["Default"]
    assert template["Parameters"][ref]["Type"] == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
    return default


def statements(template: dict[str, Any], policy_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = props(template, policy_id)["PolicyDocument"]["Statement"]
    return found


def aws_solutions_acks(template: dict[str, Any], prefix: str) -> dict[str, list[str]]:
    return {
        rule: sorted(i for i in ids if i.startswith(prefix))
        for rule, ids in nag_acknowledgements(template).items()
        if rule.startswith("AwsSolutions") and any(i.startswith(prefix) for i in ids)
    }


# -- defaults: cluster -------------------------------------------------------------------------


def test_cluster_has_container_insights_on(defaults: dict[str, Any]) -> None:
    assert props(defaults, CLUSTER_ID)["ClusterSettings"] == [
        {"Name": "containerInsights", "Value": "enabled"}
    ]


def test_exec_sessions_are_logged_to_a_retained_log_group(
    defaults: dict[str, Any], synthesized: Synthesized
) -> None:
    config = props(defaults, CLUSTER_ID)["Configuration"]["ExecuteCommandConfiguration"]
    assert config == {
        "Logging": "OVERRIDE",
        "LogConfiguration": {"CloudWatchLogGroupName": {"Ref": EXEC_LOG_GROUP_ID}},
    }
    group = resource(defaults, EXEC_LOG_GROUP_ID)
    assert group["Properties"]["RetentionInDays"] == 365
    assert group["DeletionPolicy"] == "Retain"
    assert isinstance(synthesized.default_cluster.exec_log_group, logs.LogGroup)


def test_cluster_default_strategy_is_the_capacity_provider(defaults: dict[str, Any]) -> None:
    association = props(defaults, ASSOCIATION_ID)
    assert association["Cluster"] == {"Ref": CLUSTER_ID}
    assert association["CapacityProviders"] == [{"Ref": CAPACITY_PROVIDER_ID}]
    assert association["DefaultCapacityProviderStrategy"] == [
        {"CapacityProvider": {"Ref": CAPACITY_PROVIDER_ID}, "Weight": 1}
    ]


def test_capacity_provider_strategies_name_the_capacity_provider_weight_one(
    synthesized: Synthesized,
) -> None:
    cluster = synthesized.default_cluster
    (strategy,) = cluster.capacity_provider_strategies
    assert strategy.weight == 1
    assert strategy.base is None
    stack = cdk.Stack.of(cluster)
    assert stack.resolve(strategy.capacity_provider) == {"Ref": CAPACITY_PROVIDER_ID}


# -- defaults: capacity ----------------------------------------------------------------------


def test_capacity_comes_from_a_launch_template_never_a_launch_configuration(
    defaults: dict[str, Any],
) -> None:
    assert of_type(defaults, "AWS::AutoScaling::LaunchConfiguration") == {}
    assert props(defaults, ASG_ID)["LaunchTemplate"] == {
        "LaunchTemplateId": {"Ref": LAUNCH_TEMPLATE_ID},
        "Version": {"Fn::GetAtt": [LAUNCH_TEMPLATE_ID, "LatestVersionNumber"]},
    }


def test_default_instance_type_is_t3_medium(
    defaults: dict[str, Any], synthesized: Synthesized
) -> None:
    assert launch_data(defaults)["InstanceType"] == "t3.medium"
    assert [t.to_string() for t in synthesized.default_cluster.instance_types] == ["t3.medium"]


def test_default_ami_is_the_pinned_al2023_x86_64_release(defaults: dict[str, Any]) -> None:
    assert image_parameter(defaults) == AL2023_X86
    assert "recommended" not in image_parameter(defaults)


def test_synthesis_makes_no_context_lookup(synthesized: Synthesized) -> None:
    """The AMI is resolved at deploy time from a release-pinned path: offline, env-agnostic."""
    assert not synthesized.assembly_missing


def test_instances_require_imdsv2_with_a_hop_limit_of_one(defaults: dict[str, Any]) -> None:
    assert launch_data(defaults)["MetadataOptions"] == {
        "HttpEndpoint": "enabled",
        "HttpPutResponseHopLimit": 1,
        "HttpTokens": "required",
    }


def test_root_volume_is_encrypted_gp3_of_30_gib(defaults: dict[str, Any]) -> None:
    assert launch_data(defaults)["BlockDeviceMappings"] == [
        {
            "DeviceName": "/dev/xvda",
            "Ebs": {"Encrypted": True, "VolumeSize": 30, "VolumeType": "gp3"},
        }
    ]


def test_no_key_pair_and_no_ingress(defaults: dict[str, Any]) -> None:
    assert "KeyName" not in launch_data(defaults)
    group = props(defaults, SECURITY_GROUP_ID)
    assert "SecurityGroupIngress" not in group
    assert of_type(defaults, "AWS::EC2::SecurityGroupIngress") == {}
    assert group["SecurityGroupEgress"][0]["CidrIp"] == "0.0.0.0/0"


def subnet_refs(selection: ec2.SubnetSelection, vpc: ec2.IVpc) -> list[Any]:
    stack = cdk.Stack.of(vpc)
    selected = vpc.select_subnets(subnet_type=selection.subnet_type)
    return [stack.resolve(s) for s in selected.subnet_ids]


def test_instances_launch_in_the_private_subnets(
    defaults: dict[str, Any], synthesized: Synthesized
) -> None:
    subnets = props(defaults, ASG_ID)["VPCZoneIdentifier"]
    assert len(subnets) == 2
    assert all("PrivateSubnet" in s["Ref"] for s in subnets)
    cluster = synthesized.default_cluster
    assert cluster.vpc_subnets.subnet_type == ec2.SubnetType.PRIVATE_WITH_EGRESS
    assert subnet_refs(cluster.vpc_subnets, cluster.vpc) == subnets


def test_group_runs_one_to_four_instances_without_a_desired_count(
    defaults: dict[str, Any],
) -> None:
    group = props(defaults, ASG_ID)
    assert (group["MinSize"], group["MaxSize"]) == ("1", "4")
    assert "DesiredCapacity" not in group
    assert "NewInstancesProtectedFromScaleIn" not in group
    assert "MixedInstancesPolicy" not in group


def test_group_notifies_launches_terminations_and_errors(defaults: dict[str, Any]) -> None:
    (config,) = props(defaults, ASG_ID)["NotificationConfigurations"]
    assert config["TopicARN"] == {"Ref": TOPIC_ID}
    assert set(config["NotificationTypes"]) == {
        "autoscaling:EC2_INSTANCE_LAUNCH",
        "autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
        "autoscaling:EC2_INSTANCE_TERMINATE",
        "autoscaling:EC2_INSTANCE_TERMINATE_ERROR",
    }


def test_notifications_topic_is_kms_encrypted_and_tls_only(defaults: dict[str, Any]) -> None:
    assert props(defaults, TOPIC_ID)["KmsMasterKeyId"] == {"Fn::GetAtt": [KEY_ID, "Arn"]}
    assert props(defaults, KEY_ID)["EnableKeyRotation"] is True
    (policy,) = of_type(defaults, "AWS::SNS::TopicPolicy", "Cluster").values()
    (deny,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_notifications_key_lets_the_auto_scaling_service_role_publish(
    defaults: dict[str, Any],
) -> None:
    (statement,) = [
        s
        for s in props(defaults, KEY_ID)["KeyPolicy"]["Statement"]
        if s.get("Sid") == "AllowAutoScalingNotifications"
    ]
    assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    principal_arn = statement["Condition"]["StringEquals"]["aws:PrincipalArn"]
    assert "AWSServiceRoleForAutoScaling" in json.dumps(principal_arn)
    assert statement["Condition"]["StringEquals"]["kms:CallerAccount"] == {"Ref": "AWS::AccountId"}


def test_capacity_provider_scales_to_100_percent_with_draining_and_no_protection(
    defaults: dict[str, Any],
) -> None:
    provider = props(defaults, CAPACITY_PROVIDER_ID)["AutoScalingGroupProvider"]
    assert provider == {
        "AutoScalingGroupArn": {"Ref": ASG_ID},
        "ManagedDraining": "ENABLED",
        "ManagedScaling": {"Status": "ENABLED", "TargetCapacity": 100},
        "ManagedTerminationProtection": "DISABLED",
    }


# -- defaults: agent --------------------------------------------------------------------------


def test_user_data_writes_the_default_agent_settings_then_the_cluster(
    defaults: dict[str, Any],
) -> None:
    assert ecs_config_lines(defaults) == [f"{k}={v}" for k, v in DEFAULT_SETTINGS.items()]
    assert user_data(defaults).startswith("#!/bin/bash\n")
    assert user_data(defaults).endswith(
        f"echo ECS_CLUSTER=<Ref:{CLUSTER_ID}> >> /etc/ecs/ecs.config"
    )


def test_agent_settings_attribute_is_what_the_user_data_writes(
    synthesized: Synthesized,
) -> None:
    settings = dict(synthesized.default_cluster.agent_settings)
    cluster_name = settings.pop("ECS_CLUSTER")
    assert cdk.Token.is_unresolved(cluster_name)
    assert settings == DEFAULT_SETTINGS
    with pytest.raises(TypeError):
        synthesized.default_cluster.agent_settings["ECS_LOGLEVEL"] = "debug"  # type: ignore[index]


def test_host_port_range_is_what_the_agent_is_told(synthesized: Synthesized) -> None:
    assert synthesized.default_cluster.host_port_range == DEFAULT_HOST_PORT_RANGE == (32768, 60999)


def test_instance_resources_of_a_t3_medium(synthesized: Synthesized) -> None:
    # 2 vCPU; 4096 MiB - 3 % for the kernel (123) - ECS_RESERVED_MEMORY (256)
    assert synthesized.default_cluster.instance_resources == InstanceResources(
        cpu_units=2048, memory_mib=3717, gpus=0, awsvpc_tasks=2
    )


# -- defaults: IAM ----------------------------------------------------------------------------


def test_instance_role_has_no_aws_managed_policy(defaults: dict[str, Any]) -> None:
    assert "ManagedPolicyArns" not in props(defaults, ROLE_ID)
    assert props(defaults, ROLE_ID)["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }


def test_instance_role_policy_is_exactly_the_agent_statements(defaults: dict[str, Any]) -> None:
    assert statements(defaults, DEFAULT_POLICY_ID) == AGENT_STATEMENTS


def test_instance_role_has_no_cloudwatch_logs_permissions(defaults: dict[str, Any]) -> None:
    """Tasks write logs with their execution role; ecs.Cluster's logs:* on * is held back."""
    role_policies = [
        p
        for p in of_type(defaults, "AWS::IAM::Policy", "Cluster").values()
        if {"Ref": ROLE_ID} in p["Properties"]["Roles"]
    ]
    assert len(role_policies) == 2
    assert '"logs:' not in json.dumps(role_policies)
    assert "ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true" in ecs_config_lines(defaults)


def test_agent_permissions_are_scoped_to_the_cluster(defaults: dict[str, Any]) -> None:
    by_action = {json.dumps(s["Action"]): s for s in statements(defaults, DEFAULT_POLICY_ID)}
    register = by_action[
        json.dumps(
            ["ecs:DeregisterContainerInstance", "ecs:RegisterContainerInstance", "ecs:Submit*"]
        )
    ]
    assert register["Resource"] == {"Fn::GetAtt": [CLUSTER_ID, "Arn"]}
    poll = by_action[json.dumps(["ecs:Poll", "ecs:StartTelemetrySession"])]
    assert poll["Condition"] == {"ArnEquals": {"ecs:cluster": {"Fn::GetAtt": [CLUSTER_ID, "Arn"]}}}
    actions = {a for s in statements(defaults, DEFAULT_POLICY_ID) for a in s["Action"]}
    assert not any(
        a.startswith(("ecr:BatchGetImage", "ecs:CreateCluster", "iam:")) for a in actions
    )


def test_session_manager_permissions_are_the_documented_minimum(
    defaults: dict[str, Any],
) -> None:
    assert props(defaults, SSM_POLICY_ID)["Roles"] == [{"Ref": ROLE_ID}]
    actions = sorted(
        a
        for s in statements(defaults, SSM_POLICY_ID)
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    )
    assert actions == [
        "ssm:UpdateInstanceInformation",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    ]


def test_nag_acknowledgements_of_the_defaults(defaults: dict[str, Any]) -> None:
    assert aws_solutions_acks(defaults, "Cluster") == {
        "AwsSolutions-IAM5[Action::ecs:Submit*]": [DEFAULT_POLICY_ID],
        "AwsSolutions-IAM5[Resource::*]": sorted([DEFAULT_POLICY_ID, SSM_POLICY_ID]),
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:"
        "<AWS::AccountId>:instance/*]": [SSM_POLICY_ID],
    }


# -- defaults: deletion order -----------------------------------------------------------------


def test_group_is_deleted_before_the_cluster_and_the_instance_permissions(
    defaults: dict[str, Any],
) -> None:
    assert set(resource(defaults, ASG_ID)["DependsOn"]) >= {
        CLUSTER_ID,
        ROLE_ID,
        DEFAULT_POLICY_ID,
        SSM_POLICY_ID,
    }


def test_no_force_delete_resource_by_default(defaults: dict[str, Any]) -> None:
    assert of_type(defaults, "Custom::AutoScalingGroupForceDelete") == {}
    assert of_type(defaults, "AWS::Lambda::Function", "Cluster") == {}


def test_attributes_expose_every_l2(synthesized: Synthesized) -> None:
    cluster = synthesized.default_cluster
    assert isinstance(cluster.cluster, ecs.Cluster)
    assert isinstance(cluster.auto_scaling_group, autoscaling.AutoScalingGroup)
    assert isinstance(cluster.capacity_provider, ecs.AsgCapacityProvider)
    assert isinstance(cluster.launch_template, ec2.LaunchTemplate)
    assert cluster.vpc is synthesized.network.vpc
    assert cluster.max_capacity == 4
    assert cluster.connections.security_groups == [cluster.security_group]
    assert cluster.instance_role.role_arn == cluster.auto_scaling_group.role.role_arn
    assert cluster.force_delete is None
    assert isinstance(cluster.vpc_subnets, ec2.SubnetSelection)


def test_defaults_pass_cfn_lint(defaults: dict[str, Any]) -> None:
    assert_cfn_lint_clean(defaults)


def test_defaults_snapshot(defaults: dict[str, Any], snapshot_json: SnapshotAssertion) -> None:
    manifest = resource_manifest(defaults)
    assert manifest[CAPACITY_PROVIDER_ID] == "AWS::ECS::CapacityProvider"
    assert defaults == snapshot_json(name="template")
    assert manifest == snapshot_json(name="manifest")


# -- fully configured -------------------------------------------------------------------------


def test_spot_uses_a_mixed_instances_policy_over_every_type(full: dict[str, Any]) -> None:
    policy = props(full, ASG_ID)["MixedInstancesPolicy"]
    assert policy["InstancesDistribution"] == {
        "OnDemandBaseCapacity": 2,
        "OnDemandPercentageAboveBaseCapacity": 25,
        "SpotAllocationStrategy": "capacity-optimized",
    }
    assert policy["LaunchTemplate"]["Overrides"] == [
        {"InstanceType": "m7g.large"},
        {"InstanceType": "m6g.large"},
        {"InstanceType": "c7g.large"},
    ]
    assert props(full, ASG_ID)["CapacityRebalance"] is True
    assert "LaunchTemplate" not in props(full, ASG_ID)
    assert "InstanceType" not in launch_data(full)


def test_graviton_types_boot_the_arm64_ami(full: dict[str, Any]) -> None:
    assert image_parameter(full) == AL2023_ARM


def test_spot_turns_on_spot_draining_and_custom_settings_win(
    full: dict[str, Any], synthesized: Synthesized
) -> None:
    expected = {
        **DEFAULT_SETTINGS,
        **FULL_SETTINGS,
        "ECS_ENABLE_SPOT_INSTANCE_DRAINING": "true",
    }
    assert ecs_config_lines(full) == [f"{k}={v}" for k, v in sorted(expected.items())]
    settings = dict(synthesized.full_cluster.agent_settings)
    settings.pop("ECS_CLUSTER")
    assert settings == expected


def test_custom_port_range_is_the_host_port_range(synthesized: Synthesized) -> None:
    assert synthesized.full_cluster.host_port_range == (40000, 50000)


def test_instance_resources_are_those_of_the_smallest_type(synthesized: Synthesized) -> None:
    # c7g.large: 2 vCPU, 4096 MiB - 123 - 512 (custom ECS_RESERVED_MEMORY)
    assert synthesized.full_cluster.instance_resources == InstanceResources(
        cpu_units=2048, memory_mib=3461, gpus=0, awsvpc_tasks=2
    )
    assert [t.to_string() for t in synthesized.full_cluster.instance_types] == [
        "m7g.large",
        "m6g.large",
        "c7g.large",
    ]


def test_capacity_provider_options(full: dict[str, Any]) -> None:
    provider = props(full, CAPACITY_PROVIDER_ID)["AutoScalingGroupProvider"]
    assert provider["ManagedScaling"]["TargetCapacity"] == 80
    assert provider["ManagedTerminationProtection"] == "ENABLED"
    assert provider["ManagedDraining"] == "ENABLED"
    assert props(full, ASG_ID)["NewInstancesProtectedFromScaleIn"] is True


def test_capacity_and_volume_options(full: dict[str, Any]) -> None:
    group = props(full, ASG_ID)
    assert (group["MinSize"], group["MaxSize"]) == ("2", "10")
    assert launch_data(full)["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"] == 50
    assert props(full, EXEC_LOG_GROUP_ID)["RetentionInDays"] == 180


def test_termination_protection_brings_the_force_delete_resource(full: dict[str, Any]) -> None:
    custom_id, custom = one(full, "Custom::AutoScalingGroupForceDelete", "Cluster")
    assert custom["Properties"]["AutoScalingGroupName"] == {"Ref": ASG_ID}
    # Deleted after the capacity provider (so after every service), before the group.
    assert custom_id in resource(full, CAPACITY_PROVIDER_ID)["DependsOn"]
    function_id, function = one(full, "AWS::Lambda::Function", "Cluster")
    assert custom["Properties"]["ServiceToken"] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert function["Properties"]["Runtime"] == "python3.14"
    assert function["Properties"]["Timeout"] == 900


def test_force_delete_role_may_delete_this_group_only(full: dict[str, Any]) -> None:
    _, role = one(full, "AWS::IAM::Role", "ClusterForceDeleteOnDestroy")
    (policy,) = role["Properties"]["Policies"]
    by_action = {json.dumps(s["Action"]): s for s in policy["PolicyDocument"]["Statement"]}
    assert set(by_action) == {
        '"autoscaling:DeleteAutoScalingGroup"',
        '"autoscaling:DescribeAutoScalingGroups"',
        '"cloudformation:DescribeStacks"',
        '["logs:CreateLogStream", "logs:PutLogEvents"]',
    }
    by_action = {k.strip('"'): v for k, v in by_action.items()}
    delete_arn = json.dumps(by_action["autoscaling:DeleteAutoScalingGroup"]["Resource"])
    assert ":autoScalingGroup:*:autoScalingGroupName/" in delete_arn
    assert ASG_ID in delete_arn
    assert by_action["cloudformation:DescribeStacks"]["Resource"] == {"Ref": "AWS::StackId"}
    assert by_action["autoscaling:DescribeAutoScalingGroups"]["Resource"] == "*"


def test_nag_acknowledgements_of_the_full_configuration(full: dict[str, Any]) -> None:
    acks = aws_solutions_acks(full, "Cluster")
    assert acks["AwsSolutions-EC26"] == [ASG_ID]
    (role_id,) = of_type(full, "AWS::IAM::Role", "ClusterForceDeleteOnDestroy")
    assert role_id in acks["AwsSolutions-IAM5[Resource::*]"]
    delete_rule = (
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:"
        f"<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/<{ASG_ID}>]"
    )
    assert acks[delete_rule] == [role_id]


def test_full_configuration_passes_cfn_lint(full: dict[str, Any]) -> None:
    assert_cfn_lint_clean(full)


def test_full_configuration_snapshot(
    full: dict[str, Any], snapshot_json: SnapshotAssertion
) -> None:
    assert (
        props(full, ASG_ID)["MixedInstancesPolicy"]["InstancesDistribution"][
            "SpotAllocationStrategy"
        ]
        == "capacity-optimized"
    )
    assert full == snapshot_json(name="template")
    assert resource_manifest(full) == snapshot_json(name="manifest")


# -- variants ---------------------------------------------------------------------------------


def test_service_depends_on_the_association_not_on_what_it_references(
    variants: dict[str, Any],
) -> None:
    """cdk destroy deletes the service before the association; no redundant DependsOn."""
    _, service = one(variants, "AWS::ECS::Service", "Service")
    association_id, _ = one(variants, "AWS::ECS::ClusterCapacityProviderAssociations", "Forced")
    cluster_id, _ = one(variants, "AWS::ECS::Cluster", "Forced")
    provider_id, _ = one(variants, "AWS::ECS::CapacityProvider", "Forced")
    assert association_id in service["DependsOn"]
    # What the service already references (Ref) must not be repeated (cfn-lint W3005).
    assert cluster_id not in service["DependsOn"]
    assert provider_id not in service["DependsOn"]
    assert service["Properties"]["Cluster"] == {"Ref": cluster_id}
    assert service["Properties"]["CapacityProviderStrategy"] == [
        {"CapacityProvider": {"Ref": provider_id}, "Weight": 1}
    ]


def test_delete_chain_runs_service_association_provider_group_cluster(
    variants: dict[str, Any],
) -> None:
    """Reverse creation order: each DependsOn or Ref below makes CloudFormation delete the
    left-hand resource after the right-hand one."""
    association_id, association = one(
        variants, "AWS::ECS::ClusterCapacityProviderAssociations", "Forced"
    )
    provider_id, provider = one(variants, "AWS::ECS::CapacityProvider", "Forced")
    group_id, group = one(variants, "AWS::AutoScaling::AutoScalingGroup", "Forced")
    cluster_id, _ = one(variants, "AWS::ECS::Cluster", "Forced")
    force_id, force = one(variants, "Custom::AutoScalingGroupForceDelete", "Forced")
    assert association["Properties"]["CapacityProviders"] == [{"Ref": provider_id}]
    assert force_id in provider["DependsOn"]
    assert force["Properties"]["AutoScalingGroupName"] == {"Ref": group_id}
    assert cluster_id in group["DependsOn"]
    assert association_id not in group.get("DependsOn", [])


def test_force_delete_can_be_asked_for_without_termination_protection(
    variants: dict[str, Any], synthesized: Synthesized
) -> None:
    _, provider = one(variants, "AWS::ECS::CapacityProvider", "Forced")
    assert provider["Properties"]["AutoScalingGroupProvider"]["ManagedTerminationProtection"] == (
        "DISABLED"
    )
    assert synthesized.clusters["forced"].force_delete is not None


def test_bottlerocket_writes_toml_settings_and_the_kernel_port_range(
    variants: dict[str, Any], synthesized: Synthesized
) -> None:
    parsed = tomllib.loads(user_data(variants, "Rocket"))
    cluster_id, _ = one(variants, "AWS::ECS::Cluster", "Rocket")
    assert parsed["settings"]["ecs"] == {
        "cluster": f"<Ref:{cluster_id}>",
        "awsvpc-block-imds": True,
        "allow-privileged-containers": False,
        "container-stop-timeout": "30s",
        "enable-container-metadata": True,
        "image-pull-behavior": "once",
        "loglevel": "debug",
        "reserved-memory": 256,
    }
    assert parsed["settings"]["kernel"]["sysctl"] == {"net.ipv4.ip_local_port_range": "33000 60000"}
    assert synthesized.clusters["bottlerocket"].host_port_range == (33000, 60000)


def test_bottlerocket_image_is_pinned_to_its_version(variants: dict[str, Any]) -> None:
    assert image_parameter(variants, "Rocket") == (
        "/aws/service/bottlerocket/aws-ecs-2/x86_64/1.54.0/image_id"
    )


def test_bottlerocket_encrypts_its_os_and_data_volumes(variants: dict[str, Any]) -> None:
    assert launch_data(variants, "Rocket")["BlockDeviceMappings"] == [
        {
            "DeviceName": "/dev/xvda",
            "Ebs": {"Encrypted": True, "VolumeSize": 4, "VolumeType": "gp3"},
        },
        {
            "DeviceName": "/dev/xvdb",
            "Ebs": {"Encrypted": True, "VolumeSize": 30, "VolumeType": "gp3"},
        },
    ]


def test_bottlerocket_acknowledges_the_policies_cdk_attaches(variants: dict[str, Any]) -> None:
    role_id, role = one(variants, "AWS::IAM::Role", "RocketInstanceRole")
    assert len(role["Properties"]["ManagedPolicyArns"]) == 2
    acks = aws_solutions_acks(variants, "Rocket")
    assert acks == {
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
        "AmazonSSMManagedInstanceCore]": [role_id],
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AmazonEC2ContainerServiceforEC2Role]": [role_id],
        "AwsSolutions-IAM5[Action::ecs:Submit*]": acks["AwsSolutions-IAM5[Action::ecs:Submit*]"],
        "AwsSolutions-IAM5[Resource::*]": acks["AwsSolutions-IAM5[Resource::*]"],
    }
    assert of_type(variants, "AWS::IAM::Policy", "RocketSessionManager") == {}


def test_gpu_types_boot_the_gpu_ami_with_gpu_support(
    variants: dict[str, Any], synthesized: Synthesized
) -> None:
    assert image_parameter(variants, "Gpu") == AL2023_GPU
    assert "ECS_ENABLE_GPU_SUPPORT=true" in ecs_config_lines(variants, "Gpu")
    assert synthesized.clusters["gpu"].instance_resources == InstanceResources(
        cpu_units=4096, memory_mib=16384 - 492 - 256, gpus=1, awsvpc_tasks=3
    )


def test_custom_image_topic_and_unknown_type(
    variants: dict[str, Any], synthesized: Synthesized
) -> None:
    custom = synthesized.clusters["custom"]
    assert "Fn::FindInMap" in json.dumps(launch_data(variants, "Custom")["ImageId"])
    assert custom.instance_resources is None
    assert custom.notifications_key is None
    assert of_type(variants, "AWS::SNS::Topic", "Custom") == {}
    _, group = one(variants, "AWS::AutoScaling::AutoScalingGroup", "Custom")
    (config,) = group["Properties"]["NotificationConfigurations"]
    assert config["TopicARN"] == "arn:aws:sns:eu-west-1:123456789012:ops"
    assert group["Properties"]["MinSize"] == "0"
    assert launch_data(variants, "Custom")["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"] == 8


def tag_resource_statements(template: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    _, policy = one(template, "AWS::IAM::Policy", f"{prefix}InstanceRoleDefaultPolicy")
    return [
        s
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if "ecs:TagResource" in json.dumps(s["Action"])
    ]


def container_instances_of(template: dict[str, Any], prefix: str) -> dict[str, Any]:
    cluster_id, _ = one(template, "AWS::ECS::Cluster", prefix)
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ecs:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":container-instance/",
                {"Ref": cluster_id},
                "/*",
            ],
        ]
    }


def test_propagating_instance_tags_grants_describe_tags(variants: dict[str, Any]) -> None:
    _, policy = one(variants, "AWS::IAM::Policy", "CustomInstanceRoleDefaultPolicy")
    assert "ec2:DescribeTags" in json.dumps(policy["Properties"]["PolicyDocument"])
    _, other = one(variants, "AWS::IAM::Policy", "GpuInstanceRoleDefaultPolicy")
    assert "ec2:DescribeTags" not in json.dumps(other)


@pytest.mark.parametrize("prefix", ["Custom", "Tagged"])
def test_registering_with_tags_grants_tag_resource_on_this_clusters_instances(
    variants: dict[str, Any], prefix: str
) -> None:
    """Custom propagates the EC2 instance's tags, Tagged sets ECS_CONTAINER_INSTANCE_TAGS."""
    assert tag_resource_statements(variants, prefix) == [
        {
            "Action": "ecs:TagResource",
            "Condition": {"StringEquals": {"ecs:CreateAction": "RegisterContainerInstance"}},
            "Effect": "Allow",
            "Resource": container_instances_of(variants, prefix),
        }
    ]


def test_no_tag_resource_without_tagging_settings(
    variants: dict[str, Any], defaults: dict[str, Any]
) -> None:
    assert tag_resource_statements(variants, "Gpu") == []
    assert "ecs:TagResource" not in json.dumps(statements(defaults, DEFAULT_POLICY_ID))


def test_empty_instance_tags_grant_no_tag_resource() -> None:
    cluster = cluster_with(agent=ContainerAgent(settings={"ECS_CONTAINER_INSTANCE_TAGS": "{}"}))
    assert "ecs:TagResource" not in json.dumps(policy_document(cluster))


def test_tag_resource_wildcard_is_acknowledged_on_the_tagging_clusters_only(
    variants: dict[str, Any],
) -> None:
    for prefix, tagging in (("Custom", True), ("Tagged", True), ("Gpu", False)):
        cluster_id, _ = one(variants, "AWS::ECS::Cluster", prefix)
        policy_id, _ = one(variants, "AWS::IAM::Policy", f"{prefix}InstanceRoleDefaultPolicy")
        rule = (
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:"
            f"<AWS::AccountId>:container-instance/<{cluster_id}>/*]"
        )
        assert aws_solutions_acks(variants, prefix).get(rule) == ([policy_id] if tagging else None)


def test_unknown_instance_type_is_acknowledged_in_the_variants(synthesized: Synthesized) -> None:
    """The warning is given, acknowledged with the id CDK expects (the report of the
    variants' synthesis holds no unacknowledged finding), and cdk-nag finds nothing."""
    custom = synthesized.clusters["custom"]
    assert custom.instance_resources is None  # i4i.large is outside the table: it warns
    assert warnings_of(custom) == []  # acknowledged warnings leave the construct's metadata
    (acknowledged,) = [m.data for m in custom.node.metadata if m.type == ACKNOWLEDGED]
    assert list(acknowledged) == [f"Annotation::{UNKNOWN_TYPE_WARNING}"]
    stage = cdk.Stage.of(custom)
    assert stage is not None
    report = json.loads((Path(stage.outdir) / "validation-report.json").read_text("utf-8"))
    assert [p for p in report["pluginReports"] if p.get("violations")] == []
    assert_nag_clean(cdk.Stack.of(custom))


def test_isolated_subnets_host_the_instances_without_nat(
    synthesized: Synthesized,
) -> None:
    cluster = synthesized.isolated_cluster
    assert cluster.vpc_subnets.subnet_type == ec2.SubnetType.PRIVATE_ISOLATED
    subnets = props(synthesized.isolated, ASG_ID)["VPCZoneIdentifier"]
    assert subnets == subnet_refs(cluster.vpc_subnets, cluster.vpc)
    isolated = [cdk.Stack.of(cluster).resolve(s.subnet_id) for s in cluster.vpc.isolated_subnets]
    assert subnets == isolated
    assert len(subnets) == 2
    assert of_type(synthesized.isolated, "AWS::EC2::NatGateway") == {}


def test_isolated_network_cluster_passes_cfn_lint(synthesized: Synthesized) -> None:
    assert_cfn_lint_clean(synthesized.isolated)


def test_variants_pass_cfn_lint(variants: dict[str, Any]) -> None:
    assert_cfn_lint_clean(variants)


# -- definition-time behaviour and validation ---------------------------------------------------


def fresh() -> tuple[cdk.Stack, ec2.IVpc]:
    stack = make_stack("Fresh")
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        private_subnet_ids=["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
        private_subnet_route_table_ids=["rtb-0bbbbbbbbbbbbbbb1", "rtb-0bbbbbbbbbbbbbbb2"],
    )
    return stack, vpc


def cluster_with(**kwargs: Any) -> EcsCluster:
    stack, vpc = fresh()
    return EcsCluster(stack, "Cluster", vpc=vpc, **kwargs)


def assert_error(error: ConfigurationError, field: str, value: object, *fragments: str) -> None:
    assert error.field == field
    assert error.value == value
    message = str(error)
    assert message.startswith(f"{field}: got {value!r}; ")
    for fragment in fragments:
        assert fragment in message


def actions_of(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def policy_document(cluster: EcsCluster) -> dict[str, Any]:
    policy = cluster.instance_role.node.find_child("DefaultPolicy")
    assert isinstance(policy, iam.Policy)
    document: dict[str, Any] = cdk.Stack.of(cluster).resolve(policy.document)
    return document


def test_instance_keeps_log_permissions_when_the_agent_writes_logs_itself() -> None:
    """ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=false: awslogs uses the instance role."""
    cluster = cluster_with(
        agent=ContainerAgent(settings={"ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE": "false"})
    )
    (logs_statement,) = [
        s for s in policy_document(cluster)["Statement"] if "logs:PutLogEvents" in actions_of(s)
    ]
    assert {"logs:CreateLogStream", "logs:PutLogEvents"} <= set(actions_of(logs_statement))
    assert logs_statement["Resource"] == "*"


def test_grants_go_to_the_instance_role_and_the_groups_role_is_a_read_only_view() -> None:
    """The group holds ``instance_role.without_policy_updates()`` (so ecs.Cluster cannot add
    logs:* on *): a grant through the group is dropped, one to instance_role is kept."""
    cluster = cluster_with()
    cluster.auto_scaling_group.add_to_role_policy(
        iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::via-group/*"])
    )
    cluster.instance_role.add_to_principal_policy(
        iam.PolicyStatement(actions=["logs:PutLogEvents"], resources=["*"])
    )
    actions = {a for s in policy_document(cluster)["Statement"] for a in actions_of(s)}
    assert "logs:PutLogEvents" in actions
    assert "s3:GetObject" not in actions
    assert "logs:CreateLogStream" not in actions


def warnings_of(cluster: EcsCluster) -> list[str]:
    return [str(m.data) for m in cluster.node.metadata if m.type == "aws:cdk:warning"]


def test_unknown_instance_type_warns_that_placement_checks_are_skipped() -> None:
    cluster = cluster_with(instance_type=ec2.InstanceType("i4i.large"))
    assert cluster.instance_resources is None
    (warning,) = warnings_of(cluster)
    assert warning.startswith("i4i.large: not in constructs_ecs.cluster._instance_types")
    assert "services skip their placement checks" in warning
    assert warning.endswith(f"[ack: {UNKNOWN_TYPE_WARNING}]")


def test_unknown_spot_type_is_named_in_the_warning() -> None:
    cluster = cluster_with(
        spot=SpotOptions(
            instance_types=[ec2.InstanceType("t3a.medium"), ec2.InstanceType("m5.3xlarge")]
        )
    )
    (warning,) = warnings_of(cluster)
    assert warning.startswith("m5.3xlarge: not in")


def test_known_instance_types_bring_no_warning() -> None:
    assert warnings_of(cluster_with()) == []


def test_vpc_subnets_option_is_exposed_as_given() -> None:
    selection = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, one_per_az=True)
    assert cluster_with(vpc_subnets=selection).vpc_subnets is selection


def test_cluster_is_connectable() -> None:
    cluster = cluster_with()
    stack = cdk.Stack.of(cluster)
    peer = ec2.SecurityGroup(stack, "Peer", vpc=cluster.vpc)
    peer.connections.allow_to(cluster, ec2.Port.tcp(8080), "peer to instances")
    rules = [c for c in cluster.node.find_all() if isinstance(c, ec2.CfnSecurityGroupIngress)]
    (rule,) = rules
    group = cast(cdk.CfnElement, cluster.security_group.node.default_child)
    assert stack.resolve(rule.group_id) == {"Fn::GetAtt": [stack.get_logical_id(group), "GroupId"]}
    assert rule.from_port == rule.to_port == 8080


@pytest.mark.parametrize(
    ("instance_type", "expected"),
    [
        ("t3.micro", (2, 1024, 0)),
        ("t4g.2xlarge", (8, 32768, 0)),
        ("m6g.medium", (1, 4096, 0)),
        ("m5.xlarge", (4, 16384, 0)),
        ("c5.9xlarge", (36, 73728, 0)),
        ("c7g.16xlarge", (64, 131072, 0)),
        ("r7i.48xlarge", (192, 1572864, 0)),
        ("r6g.large", (2, 16384, 0)),
        ("g4dn.12xlarge", (48, 196608, 4)),
        ("g5.48xlarge", (192, 786432, 8)),
        ("t2.micro", (1, 1024, 0)),
        ("t2.medium", (2, 4096, 0)),
        ("m4.large", (2, 8192, 0)),
        ("m4.10xlarge", (40, 163840, 0)),
    ],
)
def test_instance_type_table(instance_type: str, expected: tuple[int, int, int]) -> None:
    spec = spec_of(ec2.InstanceType(instance_type))
    assert spec is not None
    assert (spec.vcpus, spec.memory_mib, spec.gpus) == expected


@pytest.mark.parametrize(
    ("instance_type", "interfaces"),
    [("t2.nano", 2), ("t2.2xlarge", 3), ("m4.large", 2), ("m4.16xlarge", 8), ("m5.large", 3)],
)
def test_network_interfaces_of_the_previous_generation_are_their_own(
    instance_type: str, interfaces: int
) -> None:
    """Issue 26: t2 and m4 are in the table, with the interface counts EC2 lists for them
    (m4.large has 2, where m5.large has 3), so the awsvpc check counts them right."""
    spec = spec_of(ec2.InstanceType(instance_type))
    assert spec is not None
    assert spec.network_interfaces == interfaces


def test_a_t2_cluster_offers_tasks_what_one_instance_has() -> None:
    """A t2.small has 1 vCPU and 2 GiB: services check their tasks against it (before, a t2
    cluster had no instance resources and the fit checks were skipped)."""
    resources = cluster_with(instance_type=ec2.InstanceType("t2.small")).instance_resources
    assert resources is not None
    assert resources.cpu_units == 1024
    assert resources.awsvpc_tasks == 2


@pytest.mark.parametrize("instance_type", ["t2.4xlarge", "m4.8xlarge"])
def test_sizes_a_previous_generation_family_lacks_have_no_spec(instance_type: str) -> None:
    assert spec_of(ec2.InstanceType(instance_type)) is None


@pytest.mark.parametrize(
    "instance_type", ["m5.3xlarge", "c5.8xlarge", "x2idn.16xlarge", "m6g.metal"]
)
def test_types_outside_the_table_have_no_spec(instance_type: str) -> None:
    assert spec_of(ec2.InstanceType(instance_type)) is None


def test_known_agent_settings_include_the_ones_written_by_default() -> None:
    assert set(DEFAULT_SETTINGS) <= KNOWN_AGENT_SETTINGS
    assert "ECS_ENABLE_SPOT_INSTANCE_DRAINING" in KNOWN_AGENT_SETTINGS


def test_fails_when_min_capacity_exceeds_max_capacity() -> None:
    with pytest.raises(ConfigurationError) as caught:
        cluster_with(min_capacity=5, max_capacity=4)
    assert_error(caught.value, "min_capacity", 5, "must not exceed max_capacity (4)")


def test_fails_when_min_capacity_is_negative() -> None:
    with pytest.raises(ConfigurationError) as caught:
        cluster_with(min_capacity=-1)
    assert_error(caught.value, "min_capacity", -1, "must be 0 or more")


@pytest.mark.parametrize("max_capacity", [0, -3])
def test_fails_when_max_capacity_is_below_one(max_capacity: int) -> None:
    with pytest.raises(ConfigurationError) as caught:
        cluster_with(min_capacity=0, max_capacity=max_capacity)
    assert_error(caught.value, "max_capacity", max_capacity, "must be at least 1")


def test_fails_when_an_agent_setting_is_unknown_with_a_suggestion() -> None:
    with pytest.raises(ConfigurationError) as caught:
        cluster_with(agent=ContainerAgent(settings={"ECS_IMAGE_PULL_BEHAVOIR": "once"}))
    assert_error(
        caught.value,
        "agent.settings",
        "ECS_IMAGE_PULL_BEHAVOIR",
        "not a container agent variable",
        "did you mean 'ECS_IMAGE_PULL_BEHAVIOR'?",
    )


def test_fails_when_agent_settings_name_the_cluster() -> None:
    with pytest.raises(ConfigurationError) as caught:
        cluster_with(agent=ContainerAgent(settings={"ECS_CLUSTER": "other"}))
    assert_error(caught.value, "agent.settings['ECS_CLUSTER']", "ECS_CLUSTER", "leave it out")


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("ECS_DYNAMIC_HOST_PORT_RANGE", "60000-1000", "1024 <= low < high <= 65535"),
        ("ECS_DYNAMIC_HOST_PORT_RANGE", "80-90", "1024 <= low < high <= 65535"),
        ("ECS_DYNAMIC_HOST_PORT_RANGE", "32768:60999", "'<low>-<high>'"),
        ("ECS_AWSVPC_BLOCK_IMDS", "yes", "'true' or 'false'"),
        ("ECS_CONTAINER_STOP_TIMEOUT", "30", "a duration such as '30s'"),
        (
            "ECS_IMAGE_PULL_BEHAVIOR",
            "never",
            "one of ['default', 'always', 'once', 'prefer-cached']",
        ),
        ("ECS_RESERVED_MEMORY", "-5", "an integer >= 0"),
        ("ECS_TASK_PIDS_LIMIT", "0", "an integer >= 1 and <= 4194304"),
        ("ECS_LOGLEVEL", "verbose", "one of"),
        ("ECS_INSTANCE_ATTRIBUTES", '{"a": "b"}\nECS_CLUSTER=other', "a single line"),
        ("ECS_RESERVED_MEMORY", 256, "agent settings are strings"),
        ("ECS_CONTAINER_INSTANCE_TAGS", "team=payments", "a JSON object of string keys"),
        ("ECS_CONTAINER_INSTANCE_TAGS", '["payments"]', "a JSON object of string keys"),
        ("ECS_CONTAINER_INSTANCE_TAGS", '{"cost": 12}', "a JSON object of string keys"),
    ],
)
def test_fails_when_an_agent_setting_value_is_invalid(
    key: str, value: object, allowed: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        cluster_with(agent=ContainerAgent(settings={key: value}))
    assert_error(caught.value, f"agent.settings[{key!r}]", value, allowed)


def test_fails_when_bottlerocket_is_given_a_setting_it_cannot_take() -> None:
    with pytest.raises(ConfigurationError) as caught:
        cluster_with(
            image=InstanceImage.bottlerocket("1.54.0"),
            agent=ContainerAgent(settings={"ECS_ENABLE_TASK_ENI": "true"}),
        )
    assert_error(
        caught.value, "agent.settings", "ECS_ENABLE_TASK_ENI", "Bottlerocket", "ECS_LOGLEVEL"
    )


def test_fails_when_spot_has_no_instance_types() -> None:
    with pytest.raises(ConfigurationError) as caught:
        SpotOptions()
    assert_error(caught.value, "spot.instance_types", (), "at least one instance type")


def test_fails_when_spot_lists_only_the_cluster_instance_type() -> None:
    with pytest.raises(ConfigurationError) as caught:
        cluster_with(spot=SpotOptions(instance_types=[ec2.InstanceType("t3.medium")]))
    assert_error(
        caught.value, "spot.instance_types", ["t3.medium"], "other than instance_type (t3.medium)"
    )


def test_fails_when_spot_mixes_architectures() -> None:
    with pytest.raises(ConfigurationError) as caught:
        cluster_with(spot=SpotOptions(instance_types=[ec2.InstanceType("m7g.large")]))
    assert_error(caught.value, "spot.instance_types", "m7g.large", "share the architecture")


def test_fails_when_spot_mixes_gpu_and_other_types() -> None:
    with pytest.raises(ConfigurationError) as caught:
        cluster_with(
            instance_type=ec2.InstanceType("m5.xlarge"),
            spot=SpotOptions(instance_types=[ec2.InstanceType("g5.xlarge")]),
        )
    assert_error(caught.value, "spot.instance_types", "g5.xlarge", "GPU")


def test_fails_when_the_on_demand_base_exceeds_max_capacity() -> None:
    with pytest.raises(ConfigurationError) as caught:
        cluster_with(
            max_capacity=2,
            spot=SpotOptions(
                instance_types=[ec2.InstanceType("t3a.medium")], on_demand_base_capacity=3
            ),
        )
    assert_error(caught.value, "spot.on_demand_base_capacity", 3, "max_capacity (2)")


def test_fails_when_the_on_demand_base_is_negative() -> None:
    with pytest.raises(ConfigurationError) as caught:
        SpotOptions(instance_types=[ec2.InstanceType("t3a.medium")], on_demand_base_capacity=-1)
    assert_error(caught.value, "spot.on_demand_base_capacity", -1, "0 or more")


@pytest.mark.parametrize("percentage", [-1, 101])
def test_fails_when_the_on_demand_percentage_is_outside_0_to_100(percentage: int) -> None:
    with pytest.raises(ConfigurationError) as caught:
        SpotOptions(
            instance_types=[ec2.InstanceType("t3a.medium")],
            on_demand_percentage_above_base_capacity=percentage,
        )
    assert_error(
        caught.value, "spot.on_demand_percentage_above_base_capacity", percentage, "0 and 100"
    )


@pytest.mark.parametrize("target", [0, 101])
def test_fails_when_target_capacity_is_outside_1_to_100(target: int) -> None:
    with pytest.raises(ConfigurationError) as caught:
        CapacityProviderOptions(target_capacity_percent=target)
    assert_error(
        caught.value,
        "capacity_provider_options.target_capacity_percent",
        target,
        "between 1 and 100",
    )


@pytest.mark.parametrize("release", ["recommended", "2023.0.2026", "al2023-ami-ecs-hvm"])
def test_fails_when_the_al2023_release_is_not_a_release(release: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        InstanceImage.amazon_linux_2023(release)
    assert_error(caught.value, "release", release, AL2023_ECS_AMI_RELEASE)


def test_fails_when_the_bottlerocket_version_is_latest() -> None:
    with pytest.raises(ConfigurationError) as caught:
        InstanceImage.bottlerocket("latest")
    assert_error(caught.value, "version", "latest", "must not change between two deploys")


def test_fails_when_a_custom_image_has_no_machine_image() -> None:
    with pytest.raises(ConfigurationError) as caught:
        InstanceImage(kind="custom")
    assert_error(caught.value, "machine_image", None, "needs an ec2.IMachineImage")


def test_fails_when_the_root_volume_is_smaller_than_the_al2023_snapshot() -> None:
    with pytest.raises(ConfigurationError) as caught:
        cluster_with(root_volume_size_gib=20)
    assert_error(caught.value, "root_volume_size_gib", 20, "between 30")


def test_release_option_changes_only_the_parameter_path() -> None:
    image = InstanceImage.amazon_linux_2023("2023.0.20260922")
    assert image.ssm_parameter_name(
        architecture=ec2.InstanceArchitecture.ARM_64, gpu=False
    ) == AL2023_ARM.replace(AL2023_ECS_AMI_RELEASE, "2023.0.20260922")


def test_spot_options_keep_a_tuple_of_types() -> None:
    spot = SpotOptions(instance_types=[ec2.InstanceType("t3a.medium")])
    assert isinstance(spot.instance_types, tuple)
    assert spot.allocation_strategy == autoscaling.SpotAllocationStrategy.CAPACITY_OPTIMIZED


def test_managed_scaling_step_sizes_reach_the_capacity_provider() -> None:
    """Issue 26: how many instances managed scaling adds or removes at a time."""
    cluster = cluster_with(
        capacity_provider_options=CapacityProviderOptions(
            minimum_scaling_step_size=2, maximum_scaling_step_size=5
        )
    )
    (provider,) = [c for c in cluster.node.find_all() if isinstance(c, ecs.CfnCapacityProvider)]
    scaling = cdk.Stack.of(cluster).resolve(provider.auto_scaling_group_provider)["managedScaling"]
    assert (scaling["minimumScalingStepSize"], scaling["maximumScalingStepSize"]) == (2, 5)


@pytest.mark.parametrize(
    ("options", "field", "value"),
    [
        ({"minimum_scaling_step_size": 0}, "minimum_scaling_step_size", 0),
        ({"maximum_scaling_step_size": 10_001}, "maximum_scaling_step_size", 10_001),
        (
            {"minimum_scaling_step_size": 6, "maximum_scaling_step_size": 5},
            "maximum_scaling_step_size",
            5,
        ),
    ],
)
def test_fails_when_a_scaling_step_size_is_out_of_range(
    options: dict[str, int], field: str, value: int
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        CapacityProviderOptions(**options)
    assert caught.value.field == f"capacity_provider_options.{field}"
    assert caught.value.value == value


def test_fails_when_a_scaling_step_size_is_not_an_int() -> None:
    with pytest.raises(ConfigurationError) as caught:
        CapacityProviderOptions(minimum_scaling_step_size="2")  # type: ignore[arg-type]
    assert caught.value.field == "capacity_provider_options.minimum_scaling_step_size"
