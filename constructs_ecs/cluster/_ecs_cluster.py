"""An ECS cluster on EC2 capacity: cluster, Auto Scaling group, capacity provider, agent."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct, DependencyGroup, IDependable

from constructs_ecs._arguments import checked
from constructs_ecs._deprecated import announce_moved, take_moved
from constructs_ecs._log_encryption import new_log_group
from constructs_ecs.cluster._agent import (
    allows_privileged_containers,
    host_port_range_of,
    merge_agent_settings,
    registers_with_tags,
    render_bottlerocket_settings,
    render_ecs_config,
    reserved_memory_of,
)
from constructs_ecs.cluster._association import CollectAssociation
from constructs_ecs.cluster._capacity import InstanceCapacity
from constructs_ecs.cluster._existing_cluster import ExistingCluster
from constructs_ecs.cluster._findings import acknowledge_findings
from constructs_ecs.cluster._instance_types import (
    InstanceResources,
    is_gpu_family,
    offered_resources,
    spec_of,
)
from constructs_ecs.cluster._options import (
    CLUSTER_MOVED,
    CapacityProviderOptions,
    ClusterLogs,
    ContainerAgent,
    InstanceImage,
    SpotOptions,
    agent_of,
    default_placement_strategies,
    logs_of,
)
from constructs_ecs.cluster._service_cluster import SharedInstances
from constructs_ecs.cluster._shared import InstancePorts, ServiceConnectPeers
from constructs_ecs.cluster._validation import (
    instance_types_of,
    validate_capacity,
    validate_volume,
)

if TYPE_CHECKING:
    from constructs_ecs.cluster._force_delete import ForceDeleteOnDestroy

__all__ = ["EcsCluster"]


@jsii.implements(ec2.IConnectable)
class EcsCluster(SharedInstances, Construct):
    """An ECS cluster whose capacity is an Auto Scaling group behind a capacity provider.

    Defaults, all changeable: Container Insights on; ECS Exec sessions logged to a log group
    kept for a year; ``t3.medium`` instances, 1 to 4, from a launch template with the pinned
    ECS-optimized Amazon Linux 2023 AMI (arm64 for Graviton types), IMDSv2 only with a hop
    limit of 1, an encrypted 30 GiB gp3 root volume, no key pair and no ingress (shell access
    through SSM Session Manager); Auto Scaling notifications to a KMS-encrypted SNS topic; a
    capacity provider with managed scaling to 100 %, managed draining on and managed termination
    protection off, which is the cluster's default capacity provider strategy; and the agent
    settings of ``constructs_ecs.cluster._agent.default_agent_settings``. On Amazon Linux the
    instance role has what the agent and Session Manager need and no CloudWatch Logs
    permissions: tasks write their logs with their execution role
    (``ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE``).

    ``cdk destroy`` deletes cleanly: a service that calls
    ``service.node.add_dependency(cluster.capacity_provider_dependency)`` goes before the
    capacity provider association, the association before the capacity provider, the Auto
    Scaling group before the cluster and the instance role's policies; with managed termination
    protection on, a custom resource force-deletes the group once the capacity provider is gone.
    """

    @checked()
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        instance_type: ec2.InstanceType | None = None,
        min_capacity: int = 1,
        max_capacity: int = 4,
        image: InstanceImage | None = None,
        spot: SpotOptions | None = None,
        agent: ContainerAgent | None = None,
        capacity_provider_options: CapacityProviderOptions | None = None,
        root_volume_size_gib: int = 30,
        vpc_subnets: ec2.SubnetSelection | None = None,
        notifications_topic: sns.ITopic | None = None,
        logs: ClusterLogs | None = None,
        **moved: Any,
    ) -> None:
        """
        :param vpc: The VPC of the instances (``Network(...).vpc`` or your own).
        :param instance_type: Instance type; arm64 (Graviton) types get the arm64 AMI.
            Default: ``t3.medium`` (2 vCPU, 4 GiB).
        :param min_capacity: Fewest instances. Default: 1.
        :param max_capacity: Most instances managed scaling may launch. Default: 4.
        :param image: Machine image. Default: ``InstanceImage.amazon_linux_2023()``, the
            ECS-optimized AL2023 AMI of release ``AL2023_ECS_AMI_RELEASE``.
        :param spot: Run instances above an On-Demand base on Spot. Default: all On-Demand.
        :param agent: The container agent's settings (``ECS_*`` variables merged over the
            defaults and written to ``/etc/ecs/ecs.config``) and whether it runs privileged
            containers (``ContainerAgent(settings={...}, allow_privileged_tasks=True)``).
            Default: ``ContainerAgent()``: the default settings, privileged containers refused
            (``ECS_DISABLE_PRIVILEGED=true``; Bottlerocket:
            ``allow-privileged-containers = false``).
        :param capacity_provider_options: Managed scaling target and termination protection.
            Default: ``CapacityProviderOptions()`` (100 %, protection off).
        :param root_volume_size_gib: Size of the encrypted gp3 volume holding images and
            containers (the root volume; Bottlerocket's data volume). At least 30 on
            Amazon Linux 2023 (the AMI's snapshot size). Default: 30.
        :param vpc_subnets: Where instances are launched, and where the services of this
            library place awsvpc tasks. Default: the VPC's private subnets with egress, or its
            isolated subnets when it has none (``Network(nat_gateways=0, ...)``).
        :param notifications_topic: Topic for Auto Scaling launch, terminate and error
            notifications. Default: a new topic encrypted with a new KMS key.
        :param logs: How long ECS Exec session logs are kept, and a customer-managed KMS key
            for the cluster's log groups and those of its services
            (``ClusterLogs(exec_log_retention=..., key=...)``). Default: ``ClusterLogs()``: kept
            for a year, CloudWatch Logs' own encryption.
        """
        taken = take_moved(EcsCluster, moved, CLUSTER_MOVED)
        agent = agent_of(agent, taken)
        logs = logs_of(logs, taken)
        super().__init__(scope, construct_id)
        announce_moved(self, taken, CLUSTER_MOVED)
        options = capacity_provider_options or CapacityProviderOptions()
        image = image or InstanceImage.amazon_linux_2023()
        instance_type = instance_type or ec2.InstanceType("t3.medium")
        validate_capacity(min_capacity, max_capacity, spot)
        validate_volume(root_volume_size_gib, image)

        self.instance_types: tuple[ec2.InstanceType, ...] = instance_types_of(instance_type, spot)
        """Instance types the Auto Scaling group launches (``instance_type`` first)."""
        self.max_capacity: int = max_capacity
        """Most instances the Auto Scaling group runs."""
        self.min_capacity: int = min_capacity
        """Fewest instances the Auto Scaling group runs."""
        self.image: InstanceImage = image
        """The machine image of the instances."""
        self.vpc: ec2.IVpc = vpc
        """The VPC of the instances."""
        gpu = is_gpu_family(instance_type)

        settings = merge_agent_settings(
            agent.settings,
            spot=spot is not None,
            gpu=gpu,
            bottlerocket=image.is_bottlerocket,
            allow_privileged=agent.allow_privileged_tasks,
        )
        self.host_port_range: tuple[int, int] = host_port_range_of(settings)
        """The dynamic host-port range the agent assigns from (``ECS_DYNAMIC_HOST_PORT_RANGE``):
        open it from the load balancer for bridge-mode tasks."""
        self.instance_resources: InstanceResources | None = offered_resources(
            self.instance_types, reserved_memory_mib=reserved_memory_of(settings)
        )
        """What one instance of the smallest type offers to tasks, or None for a type outside
        ``constructs_ecs.cluster._instance_types`` (the cluster then carries a warning: services
        skip their placement checks)."""
        self._warn_about_unknown_types()
        self.vpc_subnets: ec2.SubnetSelection = vpc_subnets or self._default_subnets(vpc)
        """The subnets of the instances (the Auto Scaling group's), where services of this
        library place awsvpc tasks."""

        self.log_key: kms.IKey | None = logs.key
        """The KMS key of the cluster's and its services' log groups (None: CloudWatch Logs'
        own encryption)."""
        self.exec_log_group = new_log_group(
            self,
            "ExecLogGroup",
            key=logs.key,
            option="EcsCluster(log_key=...)",  # in the templates' acknowledgements: kept
            retention=logs.exec_log_retention,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        """Where ECS Exec sessions of the cluster's tasks are logged."""
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=vpc,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
            execute_command_configuration=ecs.ExecuteCommandConfiguration(
                logging=ecs.ExecuteCommandLogging.OVERRIDE,
                log_configuration=ecs.ExecuteCommandLogConfiguration(
                    cloud_watch_log_group=self.exec_log_group
                ),
            ),
        )
        """The ``ecs.Cluster``."""

        user_data = ec2.UserData.custom("") if image.is_bottlerocket else ec2.UserData.for_linux()
        if not image.is_bottlerocket:
            user_data.add_commands(*render_ecs_config(settings))
        # "Default": a construct id CDK leaves out of logical ids, so the resources keep the
        # ids they had when EcsCluster defined them itself (a new id replaces them on deploy).
        self.capacity = InstanceCapacity(
            self,
            "Default",
            vpc=vpc,
            vpc_subnets=self.vpc_subnets,
            instance_types=self.instance_types,
            image=image,
            user_data=user_data,
            spot=spot,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            root_volume_size_gib=root_volume_size_gib,
            notifications_topic=notifications_topic,
        )
        """The instances: security group, role, launch template, Auto Scaling group, topic."""
        self.security_group: ec2.SecurityGroup = self.capacity.security_group
        """Security group of the instances: no ingress by default."""
        self.instance_ports = InstancePorts(self.security_group.connections)
        self.service_connect_peers = ServiceConnectPeers(self, vpc, self.security_group)
        """Who may call the cluster's Service Connect services, and on which port."""
        """The host ports the services take on the instances, and who may reach them."""
        # Not added to ``self.cluster.connections``: CDK would then open 32768-65535 from each
        # load balancer (aws-cdk issue 9778); services open ``host_port_range`` themselves.
        self.instance_role: iam.Role = self.capacity.role
        """Role of the instances (the agent's permissions; tasks use task roles). Grant to it
        directly: the Auto Scaling group holds it as a read-only view."""
        self.session_manager_policy: iam.Policy | None = self.capacity.session_manager_policy
        """The instances' Session Manager policy (None for Bottlerocket)."""
        self.launch_template: ec2.LaunchTemplate = self.capacity.launch_template
        """The launch template of the instances."""
        self.notifications_key: kms.Key | None = self.capacity.notifications_key
        """KMS key of the notifications topic this construct defines (None for yours)."""
        self.notifications_topic: sns.ITopic = self.capacity.notifications_topic
        """Topic of the Auto Scaling group's launch, terminate and error notifications."""
        self.auto_scaling_group: autoscaling.AutoScalingGroup = self.capacity.auto_scaling_group
        """The Auto Scaling group of the instances. Its ``role`` is ``instance_role`` without
        policy updates (``add_to_role_policy`` adds nothing): grant to ``instance_role``."""

        self.capacity_provider = ecs.AsgCapacityProvider(
            self,
            "CapacityProvider",
            auto_scaling_group=self.auto_scaling_group,
            machine_image_type=(
                ecs.MachineImageType.BOTTLEROCKET
                if image.is_bottlerocket
                else ecs.MachineImageType.AMAZON_LINUX_2
            ),
            enable_managed_scaling=True,
            target_capacity_percent=options.target_capacity_percent,
            enable_managed_draining=True,
            enable_managed_termination_protection=options.managed_termination_protection,
            minimum_scaling_step_size=options.minimum_scaling_step_size,
            maximum_scaling_step_size=options.maximum_scaling_step_size,
        )
        """The ``ecs.AsgCapacityProvider``."""
        # The awslogs driver writes with each task's execution role (every task definition of
        # this library has one), unless the agent is told to use the instance's credentials.
        override = settings.get("ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE")
        self._instance_writes_logs = override == "false"
        self.cluster.add_asg_capacity_provider(self.capacity_provider)
        self._grant_agent(image)
        self._strategy = ecs.CapacityProviderStrategy(
            capacity_provider=self.capacity_provider.capacity_provider_name, weight=1
        )
        self.cluster.add_default_capacity_provider_strategy(self.capacity_provider_strategies)
        self.placement_strategies: tuple[ecs.PlacementStrategy, ...] = (
            default_placement_strategies()
        )
        """Where the services of this library place tasks unless their ``Placement`` says
        otherwise: spread across availability zones, then bin-pack on memory."""
        if image.is_bottlerocket:
            # After CDK's "[settings.ecs]" and cluster lines: TOML lets a table be opened once.
            ecs_lines, trailer = render_bottlerocket_settings(settings)
            self.auto_scaling_group.add_user_data(*ecs_lines, *trailer)

        self.agent_settings: Mapping[str, str] = MappingProxyType(
            {"ECS_CLUSTER": self.cluster.cluster_name, **settings}
        )
        """Final container agent settings (``ECS_CLUSTER`` is the cluster's name token)."""
        self._describes_tags = (
            settings.get("ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM") == "ec2_instance"
        )
        if self._describes_tags:
            self.instance_role.add_to_principal_policy(
                iam.PolicyStatement(actions=["ec2:DescribeTags"], resources=["*"])
            )
        self._tags_on_registration = registers_with_tags(settings)
        if self._tags_on_registration:
            self.instance_role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=["ecs:TagResource"],
                    resources=[self._container_instances_arn()],
                    conditions={"StringEquals": {"ecs:CreateAction": "RegisterContainerInstance"}},
                )
            )

        self._order_deletion()
        self.force_delete: ForceDeleteOnDestroy | None = None
        """The force-delete-on-destroy custom resource, when enabled."""
        if options.force_delete:
            from constructs_ecs.cluster._force_delete import ForceDeleteOnDestroy

            self.force_delete = ForceDeleteOnDestroy(
                self, "ForceDeleteOnDestroy", group=self.auto_scaling_group, log_key=logs.key
            )
            # Deleted after the capacity provider (and so after services), before the group.
            self.capacity_provider.node.add_dependency(self.force_delete.resource)

        self._capacity_provider_dependency = DependencyGroup()
        cdk.Aspects.of(self.cluster).add(
            CollectAssociation(self.cluster, self._capacity_provider_dependency),
            priority=cdk.AspectPriority.READONLY,
        )
        acknowledge_findings(
            instance_types=self.instance_types,
            auto_scaling_group=self.auto_scaling_group,
            instance_role=self.instance_role,
            session_manager_policy=self.session_manager_policy,
            bottlerocket=image.is_bottlerocket,
            instance_writes_logs=self._instance_writes_logs,
            describes_tags=self._describes_tags,
            tags_on_registration=self._tags_on_registration,
        )

    # -- public API -----------------------------------------------------------------------

    @property
    def connections(self) -> ec2.Connections:
        """The instances' security group: ``connections.allow_from(lb, port)`` opens it."""
        return self.security_group.connections

    @property
    def capacity_provider_strategies(self) -> list[ecs.CapacityProviderStrategy]:
        """The strategy every service uses: this capacity provider, weight 1.

        The same as the cluster's default capacity provider strategy.
        """
        return [self._strategy]

    @property
    def capacity_provider_dependency(self) -> IDependable:
        """What a service depends on so that ``cdk destroy`` deletes it first.

        ``service.node.add_dependency(cluster.capacity_provider_dependency)`` makes the
        service depend on the cluster's capacity provider association, which depends on the
        capacity provider, which depends on the Auto Scaling group: CloudFormation then
        deletes the service (and its tasks) before the association, whose deletion fails
        while a service still uses the capacity provider (aws-cdk issues 14732 and 18179).
        """
        return self._capacity_provider_dependency

    @staticmethod
    def from_cluster_attributes(
        scope: Construct, construct_id: str, **facts: Any
    ) -> ExistingCluster:
        """A cluster defined elsewhere, for this library's services: see ``ExistingCluster``
        for the facts (the ``ecs.ICluster``, its VPC and instance security group, and what
        the placement checks need)."""
        return ExistingCluster(scope, construct_id, **facts)

    # -- construction helpers ---------------------------------------------------------------

    def _warn_about_unknown_types(self) -> None:
        if self.instance_resources is not None:
            return
        unknown = [t.to_string() for t in self.instance_types if spec_of(t) is None]
        cdk.Annotations.of(self).add_warning_v2(
            "@constructs-ecs/cluster:unknownInstanceType",
            f"{', '.join(unknown)}: not in constructs_ecs.cluster._instance_types, so "
            "instance_resources is None and services skip their placement checks (a task too "
            "large for one instance passes synthesis and cannot be placed once deployed).",
        )

    @staticmethod
    def _default_subnets(vpc: ec2.IVpc) -> ec2.SubnetSelection:
        # What the Auto Scaling group picks without a selection, made explicit.
        if vpc.private_subnets:
            return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        if vpc.isolated_subnets:
            return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)

    def _container_instances_arn(self) -> str:
        """``arn:...:container-instance/<cluster name>/*``: this cluster's instances."""
        return cdk.Stack.of(self).format_arn(
            service="ecs",
            resource="container-instance",
            resource_name=f"{self.cluster.cluster_name}/*",
            arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
        )

    def _grant_agent(self, image: InstanceImage) -> None:
        """What ``ecs.Cluster`` would grant the agent, written here: the same statements, in the
        same order, but CloudWatch Logs only when the agent writes logs with the instance's
        credentials (``ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=false``)."""
        role, cluster_arn = self.instance_role, self.cluster.cluster_arn
        if image.is_bottlerocket:
            for name in (
                "AmazonSSMManagedInstanceCore",
                "service-role/AmazonEC2ContainerServiceforEC2Role",
            ):
                role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(name))
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "ecs:DeregisterContainerInstance",
                    "ecs:RegisterContainerInstance",
                    "ecs:Submit*",
                ],
                resources=[cluster_arn],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ecs:Poll", "ecs:StartTelemetrySession"],
                resources=["*"],
                conditions={"ArnEquals": {"ecs:cluster": cluster_arn}},
            )
        )
        logs = ["logs:CreateLogStream", "logs:PutLogEvents"] if self._instance_writes_logs else []
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ecs:DiscoverPollEndpoint", "ecr:GetAuthorizationToken", *logs],
                resources=["*"],
            )
        )

    def _order_deletion(self) -> None:
        """DependsOn edges that make CloudFormation tear the instances down first.

        The group goes before the cluster (which cannot be deleted while instances are
        registered) and before the instance role's policies (the agent keeps its permissions
        while its tasks stop).
        """
        group = self.auto_scaling_group.node.default_child
        assert isinstance(group, cdk.CfnResource)
        cluster = self.cluster.node.default_child
        assert isinstance(cluster, cdk.CfnResource)
        after: list[IDependable] = [cluster, self.instance_role]
        if self.session_manager_policy is not None:
            after.append(self.session_manager_policy)
        group.node.add_dependency(*after)

    # -- the rest of its part as a ServiceCluster -------------------------------------------

    @property
    def allows_privileged_tasks(self) -> bool:
        """Whether the agent runs ``privileged`` containers
        (``ContainerAgent.allow_privileged_tasks``)."""
        return allows_privileged_containers(self.agent_settings)

    @property
    def pulls_images_once(self) -> bool:
        """Whether the agent pulls an image tag once per instance
        (``ECS_IMAGE_PULL_BEHAVIOR=once``)."""
        return self.agent_settings.get("ECS_IMAGE_PULL_BEHAVIOR") == "once"

    def how_to_allow_privileged_tasks(self) -> str:
        """What a user does for a privileged task to run here."""
        return (
            "create the cluster with "
            "EcsCluster(..., agent=ContainerAgent(allow_privileged_tasks=True))"
        )

    def warn_unknown(self, scope: Construct, check: str, fact: str) -> None:
        """Nothing: this cluster knows its facts, and warns itself of an instance type it
        cannot describe (``instance_resources`` is then ``None``)."""
