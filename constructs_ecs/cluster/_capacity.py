"""The EC2 side of an ``EcsCluster``: the instances' security group, role, launch template,
Auto Scaling group and notifications topic."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from constructs_ecs._nag import explain_inline_policies
from constructs_ecs.cluster._instance_types import is_gpu_family
from constructs_ecs.cluster._options import InstanceImage, SpotOptions

__all__ = ["InstanceCapacity"]


class InstanceCapacity(Construct):
    """The instances an ``EcsCluster`` runs its tasks on.

    The instance role is given to the launch template (and so to the Auto Scaling group) as
    ``without_policy_updates()``: aws-cdk-lib's ``ecs.Cluster`` grants the ECS agent what it
    needs through the group (``addToRolePolicy``), including CloudWatch Logs on ``*``, with no
    option to leave anything out; ``EcsCluster`` writes the agent's statements on ``role``
    itself instead, leaving logs to each task's execution role.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        vpc_subnets: ec2.SubnetSelection,
        instance_types: Sequence[ec2.InstanceType],
        image: InstanceImage,
        user_data: ec2.UserData,
        spot: SpotOptions | None,
        min_capacity: int,
        max_capacity: int,
        root_volume_size_gib: int,
        notifications_topic: sns.ITopic | None,
    ) -> None:
        super().__init__(scope, construct_id)
        instance_type = instance_types[0]
        self.security_group = ec2.SecurityGroup(
            self,
            "InstanceSecurityGroup",
            vpc=vpc,
            description="ECS container instances: no ingress unless a service opens it",
            allow_all_outbound=True,
        )
        """Security group of the instances: no ingress by default."""
        self.role = iam.Role(
            self,
            "InstanceRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description="ECS container instances: the agent and SSM Session Manager",
        )
        """Role of the instances (the agent's permissions; tasks use task roles)."""
        self.session_manager_policy = _session_manager_policy(self, image, self.role)
        explain_inline_policies(self.role)
        explain_inline_policies(self.session_manager_policy)
        """The minimum Session Manager needs (None for Bottlerocket, which CDK gives the AWS
        managed policy its control container documents)."""
        self.launch_template = ec2.LaunchTemplate(
            self,
            "LaunchTemplate",
            machine_image=image._resolve(
                architecture=instance_type.architecture, gpu=is_gpu_family(instance_type)
            ),
            instance_type=None if spot else instance_type,
            role=self.role.without_policy_updates(),
            security_group=self.security_group,
            user_data=user_data,
            http_endpoint=True,
            http_tokens=ec2.LaunchTemplateHttpTokens.REQUIRED,
            http_put_response_hop_limit=1,
            block_devices=_block_devices(image, root_volume_size_gib),
        )
        """The launch template of the instances."""
        # The instances' Name: the cluster's path, as before this construct level existed.
        cdk.Tags.of(self.launch_template).add("Name", f"{scope.node.path}/LaunchTemplate")
        self.notifications_key: kms.Key | None = None
        """KMS key of the notifications topic this construct defines (None for yours)."""
        self.notifications_topic: sns.ITopic = notifications_topic or self._encrypted_topic()
        """Topic of the Auto Scaling group's launch, terminate and error notifications."""
        self.auto_scaling_group = autoscaling.AutoScalingGroup(
            self,
            "AutoScalingGroup",
            vpc=vpc,
            vpc_subnets=vpc_subnets,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            launch_template=None if spot else self.launch_template,
            mixed_instances_policy=self._mixed_instances_policy(spot, instance_types),
            capacity_rebalance=spot.capacity_rebalance if spot else None,
            notifications=[
                autoscaling.NotificationConfiguration(
                    topic=self.notifications_topic,
                    scaling_events=autoscaling.ScalingEvents.ALL,
                )
            ],
            group_metrics=[autoscaling.GroupMetrics.all()],
        )
        """The Auto Scaling group of the instances."""

    def _encrypted_topic(self) -> sns.Topic:
        key = kms.Key(
            self,
            "NotificationsKey",
            enable_key_rotation=True,
            description="Encrypts the Auto Scaling notifications of an ECS cluster",
            removal_policy=cdk.RemovalPolicy.DESTROY,
            pending_window=cdk.Duration.days(7),
        )
        # Auto Scaling publishes as its service-linked role. Matching it by aws:PrincipalArn
        # rather than naming it as principal keeps the key creatable in an account where the
        # role does not exist yet (it is created with the first Auto Scaling group).
        stack = cdk.Stack.of(self)
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowAutoScalingNotifications",
                principals=[iam.AnyPrincipal()],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={
                    "StringEquals": {
                        "aws:PrincipalArn": (
                            f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/"
                            "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
                        ),
                        "kms:CallerAccount": stack.account,
                    }
                },
            )
        )
        self.notifications_key = key
        return sns.Topic(
            self,
            "NotificationsTopic",
            master_key=key,
            enforce_ssl=True,
            display_name="ECS cluster Auto Scaling notifications",
        )

    def _mixed_instances_policy(
        self, spot: SpotOptions | None, instance_types: Sequence[ec2.InstanceType]
    ) -> autoscaling.MixedInstancesPolicy | None:
        if spot is None:
            return None
        return autoscaling.MixedInstancesPolicy(
            launch_template=self.launch_template,
            instances_distribution=autoscaling.InstancesDistribution(
                on_demand_base_capacity=spot.on_demand_base_capacity,
                on_demand_percentage_above_base_capacity=(
                    spot.on_demand_percentage_above_base_capacity
                ),
                spot_allocation_strategy=spot.allocation_strategy,
            ),
            launch_template_overrides=[
                autoscaling.LaunchTemplateOverrides(instance_type=t) for t in instance_types
            ],
        )


def _block_devices(image: InstanceImage, size: int) -> list[ec2.BlockDevice]:
    def volume(gib: int) -> ec2.BlockDeviceVolume:
        return ec2.BlockDeviceVolume.ebs(
            gib, encrypted=True, volume_type=ec2.EbsDeviceVolumeType.GP3
        )

    if image.is_bottlerocket:
        # Bottlerocket: a small OS volume and a data volume for images and containers.
        return [
            ec2.BlockDevice(device_name="/dev/xvda", volume=volume(4)),
            ec2.BlockDevice(device_name="/dev/xvdb", volume=volume(size)),
        ]
    return [ec2.BlockDevice(device_name="/dev/xvda", volume=volume(size))]


def _session_manager_policy(
    scope: Construct, image: InstanceImage, role: iam.Role
) -> iam.Policy | None:
    if image.is_bottlerocket:
        return None
    stack = cdk.Stack.of(scope)
    return iam.Policy(
        scope,
        "SessionManagerPolicy",
        roles=[role],
        statements=[
            iam.PolicyStatement(
                actions=["ssm:UpdateInstanceInformation"],
                resources=[stack.format_arn(service="ec2", resource="instance", resource_name="*")],
            ),
            iam.PolicyStatement(
                actions=[
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                resources=["*"],
            ),
        ],
    )
