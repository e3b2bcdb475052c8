"""What every workload shares: its log group, its bound task definition, placement checks;
and what every long-running service adds: Service Connect, ECS Exec, auto scaling, the
capacity provider dependency."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct, IDependable

from constructs_ecs._budget import ResourceBudget, enforce_resource_budget
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._log_encryption import new_log_group
from constructs_ecs._nag import LOG_STREAMS_OF_ONE_GROUP, explain_wildcards
from constructs_ecs.cluster import ServiceCluster
from constructs_ecs.services._alarms import Alarms, ServiceAlarms
from constructs_ecs.services._deployment import Deployment
from constructs_ecs.services._options import (
    SCALE_IN_COOLDOWN_S,
    SCALE_OUT_COOLDOWN_S,
    Placement,
    Scaling,
    ServiceConnect,
)
from constructs_ecs.services._rollout import add_lifecycle_hooks, deployment_settings

if TYPE_CHECKING:
    from constructs_ecs.taskdef import BoundTaskDefinition, PortMapping, TaskDefinitionSpec

MUTABLE_TAG_PULLED_ONCE = "@constructs-ecs/services:mutableTagPulledOnce"
"""Warning: a latest or untagged image on a cluster whose agent pulls each image once."""
AWSVPC_INTERFACES = "@constructs-ecs/services:awsvpcTasksBeyondInterfaces"
"""Warning: more awsvpc tasks than the instances' network interfaces hold without trunking."""
STATIC_PORT_BATCHES = "@constructs-ecs/services:staticHostPortDeploysInBatches"
"""Warning: a static host port leaves a rolling deploy fewer spare instances than 200 %."""
DISTINCT_INSTANCE_BATCHES = "@constructs-ecs/services:distinctInstanceDeploysInBatches"
"""Warning: distinctInstance leaves a rolling deploy fewer spare instances than 200 %."""

CIRCUIT_BREAKER = ecs.DeploymentCircuitBreaker(enable=True, rollback=True)
"""Every service: a deploy whose tasks do not stabilise fails and rolls back (minutes, not 3 h)."""

_EXEC_CHANNELS = frozenset(
    {
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    }
)
_EXEC_LOGS = frozenset({"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"})


_NO_DEPLOYMENT_ALARMS = frozenset({"aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"})
"""Partitions whose ECS has no deployment alarms (aws-cdk-lib leaves them out there too)."""


def _partition(region: str) -> str | None:
    """The partition of a concrete region (``None`` for a token or an unknown region)."""
    if cdk.Token.is_unresolved(region):
        return None
    from aws_cdk import region_info

    partition = region_info.RegionInfo.get(region).partition
    return str(partition) if partition else None


def _exec_wildcard_reason(actions: frozenset[str], resource: str) -> str | None:
    """Why the task role of a service with ECS Exec holds the wildcards CDK grants it."""
    if resource == "*" and actions <= _EXEC_CHANNELS | {"logs:DescribeLogGroups"}:
        return (
            "ECS Exec: the SSM message channel actions and logs:DescribeLogGroups have no "
            "resource-level permissions (AWS documents Resource '*' for them)."
        )
    if LOG_STREAMS_OF_ONE_GROUP.search(resource) and actions <= _EXEC_LOGS:
        return (
            "ECS Exec session logging: ':*' names the log streams of the cluster's one exec "
            "log group, created per session."
        )
    return None


class Workload(Construct):
    """What every workload shares: its log group, its bound task definition, placement checks."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ServiceCluster,
        task_definition: TaskDefinitionSpec,
        log_retention: logs.RetentionDays,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if security_groups is not None and task_definition.network_mode != "awsvpc":
            raise ConfigurationError(
                "security_groups",
                [g.node.id for g in security_groups],
                "only for tasks in awsvpc network mode (each task has its own network "
                f"interface); this task's networkMode is {task_definition.network_mode!r}",
            )
        self._security_groups = tuple(security_groups) if security_groups is not None else None
        stack = scope if isinstance(scope, cdk.Stack) else cdk.Stack.of(scope)
        if not isinstance(getattr(stack, "resource_budget", None), ResourceBudget):
            enforce_resource_budget(stack)
        self._cluster = cluster
        self._spec = task_definition
        self.log_group = new_log_group(
            self,
            "LogGroup",
            key=cluster.log_key,
            option="the cluster's log_key (EcsCluster(log_key=...))",
            retention=log_retention,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        """The service's log group (retained on delete): containers without a
        ``logConfiguration`` log here through awslogs."""
        self._check_fits(cluster, task_definition)
        self._warn_about_pulls(cluster, task_definition)
        bound: BoundTaskDefinition = task_definition.bind(
            self, "TaskDefinition", log_group=self.log_group
        )
        self._bound = bound
        self.task_definition: ecs.Ec2TaskDefinition = bound.task_definition

    @property
    def task_role(self) -> iam.IRole:
        """The role the containers run as; grant the application's permissions to it."""
        return self._bound.task_role

    @property
    def execution_role(self) -> iam.IRole:
        """The role the agent uses to pull images, write logs and read secrets."""
        return self._bound.execution_role

    def _check_fits(self, cluster: ServiceCluster, spec: TaskDefinitionSpec) -> None:
        privileged = [i for i, c in enumerate(spec.containers) if c.privileged]
        if privileged:
            allowed = cluster.allows_privileged_tasks
            if allowed is None:
                cluster.warn_unknown(
                    self, "the privileged container check", "allows_privileged_tasks"
                )
            elif not allowed:
                how = cluster.how_to_allow_privileged_tasks()
                raise ConfigurationError(
                    f"task_definition.containerDefinitions[{privileged[0]}].privileged",
                    True,
                    "the cluster refuses privileged containers (ECS_DISABLE_PRIVILEGED=true), "
                    f"so no instance would start this task: {how}, or drop privileged",
                )
        wanted = spec.cpu_architecture
        if wanted is not None:
            arm = wanted.upper() == "ARM64"
            for instance_type in cluster.instance_types:
                is_arm = instance_type.architecture == ec2.InstanceArchitecture.ARM_64
                if is_arm != arm:
                    raise ConfigurationError(
                        "task_definition.runtimePlatform.cpuArchitecture",
                        wanted,
                        f"the cluster runs {instance_type.to_string()} "
                        f"({'ARM64' if is_arm else 'X86_64'}) instances; use an image and "
                        "runtimePlatform of that architecture, or another cluster",
                    )
        needs = spec.resource_needs()
        offer = cluster.instance_resources
        if offer is None:
            cluster.warn_unknown(self, "the check that a task fits one instance", "instance_type")
            return
        for what, need, have, unit in (
            ("cpu", needs.cpu_units, offer.cpu_units, "CPU units"),
            ("memory", needs.memory_mib, offer.memory_mib, "MiB"),
            ("gpus", needs.gpus, offer.gpus, "GPUs"),
        ):
            if need > have:
                types = ", ".join(t.to_string() for t in cluster.instance_types) or "as given"
                raise ConfigurationError(
                    f"task_definition.{what}",
                    need,
                    f"one instance of the cluster ({types}) offers {have} {unit} to tasks; "
                    "use a larger instance type or a smaller task",
                )

    def _warn_about_pulls(self, cluster: ServiceCluster, spec: TaskDefinitionSpec) -> None:
        """With ``ECS_IMAGE_PULL_BEHAVIOR=once`` an instance pulls a tag once: a new image
        pushed under ``latest`` (or no tag) never reaches the instances that ran the old."""
        if not cluster.pulls_images_once:
            return
        for container in spec.containers:
            image = container.image
            if not isinstance(image, str) or "@" in image:
                continue
            tag = image.rsplit("/", 1)[-1].partition(":")[2]
            if tag in ("", "latest"):
                cdk.Annotations.of(self).add_warning_v2(
                    MUTABLE_TAG_PULLED_ONCE,
                    f"container {container.name!r}: image {image!r} has "
                    f"{'no tag' if not tag else 'the tag latest'} and the cluster's agent pulls "
                    "each image once (ECS_IMAGE_PULL_BEHAVIOR=once): instances that pulled it "
                    "keep the old image; use an immutable tag or a digest.",
                )

    def _check_static_ports(
        self,
        tasks: int,
        *,
        rolls: bool = True,
        field: str = "desired_count",
        doubles: bool = False,
        deployment: Deployment | None = None,
    ) -> None:
        """A static host port fits one task per instance, counting every workload of the
        cluster that binds the same port.

        ``tasks`` is what the workload runs at most (a daemon: every instance). A rolling
        ``deployment`` (default: 100 % healthy, up to 200 %) that may stop no task first needs
        one instance without the port to start the first new task (none: the deploy never
        starts, refused), and its maximum only to replace as many tasks at once as it allows
        (fewer: it goes in batches, a warning); one that may stop a task first needs no spare.
        A daemon (0 % minimum) and a scheduled task (no deploy) need no spare. A blue/green,
        canary or linear deploy (``doubles``) starts every new task beside the old ones: it
        needs as many spare instances as tasks.
        """
        ports = self._spec.static_host_ports()
        if not ports or self._spec.network_mode not in ("bridge", "host"):
            return
        capacity = self._cluster.max_capacity
        if capacity is None:
            self._cluster.warn_unknown(self, "the static host port check", "max_capacity")
            return
        kept, most, percent = (deployment or Deployment.rolling()).rolling_bounds(tasks)
        spare = tasks if doubles else 1 if rolls and kept >= tasks else 0
        for port in ports:
            others = self._cluster.static_host_port_holders(port)
            held = sum(n for _, n in others)
            sharing = (
                f"; {', '.join(f'{path} holds {n}' for path, n in others)} of its instances"
                if others
                else ""
            )
            if tasks + held + spare > capacity:
                deploy = (
                    f" and a blue/green deploy starts all {tasks} new tasks beside them"
                    if doubles
                    else " and a rolling deploy needs one more for its first new task"
                    if rolls
                    else ""
                )
                raise ConfigurationError(
                    field,
                    tasks,
                    f"the task binds static host port {port}, so each instance runs at most one "
                    f"such task: {tasks} tasks take {tasks} of the cluster's at most {capacity} "
                    f"instances{sharing}{deploy}; at most "
                    f"{max((capacity - held) // 2 if doubles else capacity - held - spare, 0)} "
                    "tasks: raise the cluster's max_capacity or use dynamic host ports "
                    "(hostPort 0 or absent)",
                )
            if rolls and not doubles and most + held > capacity:
                cdk.Annotations.of(self).add_warning_v2(
                    STATIC_PORT_BATCHES,
                    f"static host port {port}: a rolling deploy of {tasks} tasks starts at most "
                    f"{capacity - held - kept} new ones at a time (the cluster has at most "
                    f"{capacity} instances{sharing}), so it goes in batches, more slowly than "
                    f"its {percent} % maximum allows; raise max_capacity or use dynamic host "
                    "ports.",
                )
        for port in ports:
            self._cluster.hold_static_host_port(port, holder=self.node.path, instances=tasks)

    def _placement_strategies(self, placement: Placement) -> list[ecs.PlacementStrategy] | None:
        """The strategies ECS is given: the placement's, else the cluster's default."""
        strategies = placement.strategies
        if strategies is None:
            strategies = self._cluster.placement_strategies
        return list(strategies) or None

    def _check_distinct_instances(
        self,
        placement: Placement,
        tasks: int,
        *,
        doubles: bool = False,
        deployment: Deployment | None = None,
    ) -> None:
        """``distinctInstance`` allows one task per instance: as for a static host port, a
        rolling deploy that may stop no task first needs one spare instance to start, and its
        maximum only to replace as many tasks at once as it allows; a blue/green deploy
        (``doubles``) needs one per task."""
        distinct = any(
            rule.type == "distinctInstance"
            for constraint in placement.constraints
            for rule in constraint.to_json()
        )
        if not distinct:
            return
        capacity = self._cluster.max_capacity
        if capacity is None:
            self._cluster.warn_unknown(self, "the distinctInstance check", "max_capacity")
            return
        if doubles and 2 * tasks > capacity:
            raise ConfigurationError(
                "placement.constraints",
                "distinctInstance",
                f"one task per instance: {tasks} tasks take {tasks} of the cluster's at most "
                f"{capacity} instances and a blue/green deploy starts all {tasks} new tasks "
                f"beside them; at most {capacity // 2} tasks, or raise the cluster's "
                "max_capacity",
            )
        kept, most, percent = (deployment or Deployment.rolling()).rolling_bounds(tasks)
        if not doubles and kept >= tasks and tasks + 1 > capacity:
            raise ConfigurationError(
                "placement.constraints",
                "distinctInstance",
                f"one task per instance: {tasks} tasks take {tasks} of the cluster's at most "
                f"{capacity} instances and a rolling deploy needs one more for its first new "
                f"task; at most {capacity - 1} tasks, or raise the cluster's max_capacity",
            )
        if not doubles and tasks > capacity:
            raise ConfigurationError(
                "placement.constraints",
                "distinctInstance",
                f"one task per instance: {tasks} tasks take {tasks} of the cluster's at most "
                f"{capacity} instances; at most {capacity} tasks, or raise the cluster's "
                "max_capacity",
            )
        if not doubles and most > capacity:
            cdk.Annotations.of(self).add_warning_v2(
                DISTINCT_INSTANCE_BATCHES,
                f"distinctInstance: a rolling deploy of {tasks} tasks starts at most "
                f"{capacity - kept} new ones at a time on the cluster's at most {capacity} "
                f"instances, so it goes in batches, more slowly than its {percent} % maximum "
                "allows.",
            )

    def _network_options(
        self, tasks: int
    ) -> tuple[list[ec2.ISecurityGroup] | None, ec2.SubnetSelection | None]:
        """The security groups and subnets of awsvpc tasks (None, None in other modes)."""
        self.security_group: ec2.SecurityGroup | None = None
        """The security group this library defined for the service's awsvpc tasks (None in
        other network modes, or when ``security_groups`` were given)."""
        if self._spec.network_mode != "awsvpc":
            self.connections: ec2.Connections | None = None
            return None, None
        groups = self._security_groups
        if groups is None:
            self.security_group = ec2.SecurityGroup(
                self,
                "SecurityGroup",
                vpc=self._cluster.vpc,
                description="Tasks of this service (awsvpc network mode)",
                allow_all_outbound=True,
            )
            groups = (self.security_group,)
        self.connections = ec2.Connections(security_groups=list(groups))
        """The ``ec2.Connections`` of the awsvpc tasks."""
        self._warn_about_interfaces(tasks)
        return list(groups), self._cluster.vpc_subnets

    def _warn_about_interfaces(self, tasks: int) -> None:
        """Each awsvpc task takes a network interface of its instance; without ENI trunking
        (an account setting) an instance runs as many as it has interfaces but one."""
        offer, capacity = self._cluster.instance_resources, self._cluster.max_capacity
        if offer is None or offer.awsvpc_tasks is None or capacity is None:
            return
        room = offer.awsvpc_tasks * capacity
        if tasks > room:
            cdk.Annotations.of(self).add_warning_v2(
                AWSVPC_INTERFACES,
                f"{tasks} awsvpc tasks: the cluster's at most {capacity} instances have room "
                f"for {room} ({offer.awsvpc_tasks} each, a network interface per task) unless "
                "the account turns on ENI trunking (awsvpcTrunking); the others stay PENDING.",
            )


class ServiceBase(Workload):
    """What every long-running service adds: Service Connect and the clean-delete dependency."""

    def _service_connect(
        self, options: ServiceConnect | None, security_groups: list[ec2.ISecurityGroup] | None
    ) -> ecs.ServiceConnectProps | None:
        """The Service Connect configuration; an awsvpc client's tasks also carry the
        cluster's ``ServiceConnectClients`` group (added to ``security_groups``)."""
        if options is None:
            return None
        namespace = self._cluster.cluster.default_cloud_map_namespace
        if namespace is None:
            raise ConfigurationError(
                "service_connect",
                options,
                "the cluster has no Service Connect namespace: call "
                "cluster.cluster.add_default_cloud_map_namespace(name='...', "
                "use_for_service_connect=True) first",
            )
        clients = self._cluster.service_connect_peers.add_client(
            awsvpc=self._spec.network_mode == "awsvpc"
        )
        if clients is not None and security_groups is not None:
            security_groups.append(clients)
        services = []
        if options.dns_name is not None:
            mapping = self._named_port_mapping(options.port_mapping_name)
            services.append(
                ecs.ServiceConnectService(
                    port_mapping_name=mapping.name or "",
                    dns_name=options.dns_name,
                    port=options.port or mapping.container_port,
                )
            )
            self._admit_service_connect_clients(mapping)
        return ecs.ServiceConnectProps(
            namespace=namespace.namespace_arn,
            services=services or None,
            log_driver=ecs.LogDrivers.aws_logs(
                stream_prefix="service-connect", log_group=self.log_group
            ),
        )

    def _add_scaling(
        self,
        scaling: Scaling | None,
        *,
        target_group: elbv2.ApplicationTargetGroup | None = None,
    ) -> ecs.ScalableTaskCount | None:
        """Target tracking on the task count (requests per target needs ``target_group``)."""
        if scaling is None:
            return None
        count = self.service.auto_scale_task_count(
            min_capacity=scaling.min_count, max_capacity=scaling.max_count
        )
        scale_in = scaling.scale_in_cooldown or cdk.Duration.seconds(SCALE_IN_COOLDOWN_S)
        scale_out = scaling.scale_out_cooldown or cdk.Duration.seconds(SCALE_OUT_COOLDOWN_S)
        if scaling.cpu_percent is not None:
            count.scale_on_cpu_utilization(
                "CpuScaling",
                target_utilization_percent=scaling.cpu_percent,
                scale_in_cooldown=scale_in,
                scale_out_cooldown=scale_out,
            )
        if scaling.memory_percent is not None:
            count.scale_on_memory_utilization(
                "MemoryScaling",
                target_utilization_percent=scaling.memory_percent,
                scale_in_cooldown=scale_in,
                scale_out_cooldown=scale_out,
            )
        if scaling.requests_per_target is not None and target_group is not None:
            count.scale_on_request_count(
                "RequestScaling",
                requests_per_target=scaling.requests_per_target,
                target_group=target_group,
                scale_in_cooldown=scale_in,
                scale_out_cooldown=scale_out,
            )
        return count

    def _admit_service_connect_clients(self, mapping: PortMapping) -> None:
        """Let the cluster's Service Connect clients reach this server's proxy (see
        ``ServiceConnectPeers``): in awsvpc mode on the port mapping's container port of the
        tasks' groups; in bridge mode on the agent's dynamic host-port range of the instances,
        where the proxy takes an ephemeral port; in host mode on the port itself."""
        mode = self._spec.network_mode
        peers = self._cluster.service_connect_peers
        if mode == "awsvpc":
            assert self.connections is not None
            port = ec2.Port.tcp(mapping.container_port)
            peers.add_server(self.node.path, self.connections, port)
            return
        instances = self._cluster.security_group.connections
        if mode == "host":
            port = ec2.Port.tcp(mapping.host_port or mapping.container_port)
            peers.add_server(self.node.path, instances, port)
            return
        low, high = self._cluster.host_port_range
        peers.add_server("instances", instances, ec2.Port.tcp_range(low, high))

    def _named_port_mapping(self, name: str | None) -> PortMapping:
        named = [pm for c in self._spec.containers for pm in c.port_mappings if pm.name]
        for mapping in named:
            if name is None or mapping.name == name:
                return mapping
        allowed = [pm.name for pm in named] or "no port mapping has a name"
        raise ConfigurationError(
            "service_connect.port_mapping_name",
            name,
            f"must name a port mapping of the task ({allowed}); give the port mapping a "
            '"name" in the task definition',
        )

    def _define_service(
        self,
        *,
        placement_constraints: Sequence[ecs.PlacementConstraint],
        service_connect: ServiceConnect | None,
        enable_exec: bool,
        tasks: int,
        service_discovery: ecs.CloudMapOptions | None = None,
        **specific: Any,
    ) -> ecs.Ec2Service:
        """The ``Ec2Service`` with what every service shares; ``specific`` adds the rest.
        ``tasks``: the most tasks it runs."""
        security_groups, subnets = self._network_options(tasks)
        connect = self._service_connect(service_connect, security_groups)
        service = ecs.Ec2Service(
            self,
            "Service",
            cluster=self._cluster.cluster,
            task_definition=self.task_definition,
            circuit_breaker=CIRCUIT_BREAKER,
            placement_constraints=list(placement_constraints) or None,
            enable_execute_command=enable_exec,
            enable_ecs_managed_tags=True,
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
            service_connect_configuration=connect,
            security_groups=security_groups,
            vpc_subnets=subnets,
            cloud_map_options=service_discovery,
            **specific,
        )
        self.service = service
        """The ``ecs.Ec2Service``."""
        if enable_exec:
            explain_wildcards(self.task_role, _exec_wildcard_reason)
        return service

    # ------------------------------------------------------------------------ deployment

    def _deployment_settings(
        self,
        deployment: Deployment,
        *,
        placement: Placement,
        counts: tuple[int, int],
        daemon: bool = False,
        web: bool = False,
    ) -> dict[str, Any]:
        """The ``ecs.Ec2Service`` keywords of ``deployment``, checked against this service;
        ``counts``: the fewest and most tasks it runs (a daemon: ignored)."""
        return deployment_settings(
            deployment,
            placement=placement,
            cluster_strategies=self._cluster.placement_strategies,
            counts=counts,
            daemon=daemon,
            web=web,
        )

    def _add_alarms(
        self,
        alarms: Alarms,
        target_groups: Sequence[elbv2.ApplicationTargetGroup] = (),
        load_balancer_name: str | None = None,
    ) -> ecs.DeploymentAlarmConfig | None:
        """The service's alarms (``Alarms``), and the deployment alarm configuration ECS
        rolls back on (``None`` when no alarm is a deployment alarm)."""
        self.alarms = ServiceAlarms(
            self,
            "Alarms",
            options=alarms,
            target_groups=target_groups,
            load_balancer_name=load_balancer_name,
        )
        """The service's ``ServiceAlarms``: ``alarms.alarms`` by name, and the
        ``alarms.deployment_alarms`` that roll a deploy back."""
        names = [alarm.alarm_name for alarm in self.alarms.deployment_alarms]
        if not names:
            return None
        partition = _partition(cdk.Stack.of(self).region)
        if partition in _NO_DEPLOYMENT_ALARMS:
            cdk.Annotations.of(self).add_info(
                f"ECS deployment alarms are not offered in the {partition} partition: the "
                "alarms are defined, and the circuit breaker alone rolls a deploy back."
            )
            return None
        return ecs.DeploymentAlarmConfig(
            alarm_names=names, behavior=ecs.AlarmBehavior.ROLLBACK_ON_ALARM
        )

    def _after_service(self, deployment: Deployment) -> None:
        """What needs the service: the alarms on its own metrics, the lifecycle hooks."""
        self.alarms.watch_service(self.service, self._cluster.cluster.cluster_name)
        self.hook_role: iam.Role | None = add_lifecycle_hooks(
            self, self.service, deployment.lifecycle_hooks
        )
        """The role ECS invokes the deployment's lifecycle hooks with (``None`` without
        hooks): it may invoke those functions and nothing else."""

    def _wait_for(self, *others: IDependable) -> None:
        """Create the service after the cluster's capacity provider (and delete it before:
        a clean ``cdk destroy``) and after ``others``; one jsii call for all of them."""
        self.service.node.add_dependency(self._cluster.capacity_provider_dependency, *others)
