"""Services on the EC2 cluster: web services behind the shared ALB, workers, daemons, schedules.

Every service binds a ``TaskDefinitionSpec`` to the cluster, gets its own log group (retained on
delete), runs on the cluster's capacity provider (daemons excepted, see ``WorkerService``), and
deploys with the circuit breaker and rollback on. Placement is checked when the service is
defined: a task that cannot fit on one instance, or a static host port with more tasks than
instances, is a ``ConfigurationError`` at synth rather than a deployment stuck for hours.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct, IDependable

from constructs_ecs._nag import (
    LOG_STREAMS_OF_ONE_GROUP,
    acknowledge,
    explain_wildcards,
)
from constructs_ecs._roundtrips import path_of, remember_path
from constructs_ecs.budget import enforce_resource_budget
from constructs_ecs.errors import ConfigurationError

if TYPE_CHECKING:
    from aws_cdk import aws_scheduler as scheduler

    from constructs_ecs.cluster import EcsCluster
    from constructs_ecs.load_balancer import LoadBalancer
    from constructs_ecs.taskdef import BoundTaskDefinition, PortMapping, TaskDefinitionSpec

__all__ = [
    "DEFAULT_PLACEMENT_STRATEGIES",
    "Placement",
    "Scaling",
    "ScheduledTask",
    "ServiceConnect",
    "TargetHealthCheck",
    "WebService",
    "WorkerService",
]

_EXEC_CHANNELS = frozenset(
    {
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    }
)
_EXEC_LOGS = frozenset({"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"})


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


def _run_task_wildcard_reason(actions: frozenset[str], resource: str) -> str | None:
    """Why the schedule's role may tag tasks it has not started yet."""
    if actions <= {"ecs:TagResource"} and resource.endswith("/*") and ":task/" in resource:
        return (
            "EventBridge Scheduler tags the tasks it starts; their ids are not known before "
            "they run, and the ARN is limited to this cluster's tasks."
        )
    return None


_STATIC_PORTS: weakref.WeakKeyDictionary[EcsCluster, dict[int, list[tuple[str, int]]]] = (
    weakref.WeakKeyDictionary()
)
"""Static host ports bound on a cluster's instances: port -> [(service path, instances)]."""

_OPENED: weakref.WeakKeyDictionary[EcsCluster, set[tuple[int, int, int]]] = (
    weakref.WeakKeyDictionary()
)
"""Ingress rules already opened on a cluster's instances: (load balancer id, from, to)."""

_CIRCUIT_BREAKER = ecs.DeploymentCircuitBreaker(enable=True, rollback=True)
"""Every service: a deploy whose tasks do not stabilise fails and rolls back (minutes, not 3 h)."""
# aws-cdk-lib values below are made on first use, not at import: each is a jsii round trip,
# and importing the library should not pay for what an app does not use (see bench/).


@functools.cache
def _seconds(seconds: int) -> cdk.Duration:
    return cdk.Duration.seconds(seconds)


_GRACE_PERIOD_S = 60
"""Health-check grace period of a web service: time for a task to start before the ALB counts."""
_DEREGISTRATION_DELAY_S = 30
"""Connection draining of a web service's targets: deploys finish in a minute, not five."""


@functools.cache
def _default_placement_strategies() -> tuple[ecs.PlacementStrategy, ...]:
    return (
        ecs.PlacementStrategy.spread_across(ecs.BuiltInAttributes.AVAILABILITY_ZONE),
        ecs.PlacementStrategy.packed_by_memory(),
    )


@functools.cache
def _hours(hours: int) -> cdk.Duration:
    return cdk.Duration.hours(hours)


if TYPE_CHECKING:
    DEFAULT_PLACEMENT_STRATEGIES: tuple[ecs.PlacementStrategy, ...]
    """Spread tasks across availability zones, then bin-pack on memory within each zone."""


def __getattr__(name: str) -> Any:
    if name == "DEFAULT_PLACEMENT_STRATEGIES":
        # Spread tasks across availability zones, then bin-pack on memory within each zone.
        return _default_placement_strategies()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, kw_only=True)
class Placement:
    """Where ECS places a workload's tasks on the cluster's instances."""

    strategies: Sequence[ecs.PlacementStrategy] = field(
        default_factory=_default_placement_strategies
    )
    """Tried in order. Default: spread across availability zones, then bin-pack on memory
    (daemons take none)."""
    constraints: Sequence[ecs.PlacementConstraint] = ()
    """E.g. ``ecs.PlacementConstraint.distinct_instances()`` or
    ``ecs.PlacementConstraint.member_of("attribute:ecs.instance-type =~ m7g.*")``.
    Default: none."""


@dataclass(frozen=True, kw_only=True)
class Scaling:
    """Auto scaling of a service's task count (target tracking).

    Once scaling is set, the service template omits ``DesiredCount``: a deploy never resets the
    count that scaling chose (aws-cdk issue 3919). ECS creates the service with one task, and
    scaling raises it to ``min_count`` right after.
    """

    min_count: int
    """Fewest tasks."""
    max_count: int
    """Most tasks."""
    cpu_percent: float | None = 70
    """Target average CPU utilization. ``None`` turns CPU tracking off. Default: 70 %."""
    memory_percent: float | None = None
    """Target average memory utilization. Default: memory is not tracked."""
    requests_per_target: int | None = None
    """Target ALB requests per task per minute (web services only). Default: not tracked."""
    scale_in_cooldown: cdk.Duration = field(default_factory=lambda: _seconds(120))
    """Wait after a scale-in before the next one. Default: 2 minutes."""
    scale_out_cooldown: cdk.Duration = field(default_factory=lambda: _seconds(60))
    """Wait after a scale-out before the next one. Default: 1 minute."""

    def __post_init__(self) -> None:
        if self.min_count < 0:
            raise ConfigurationError("scaling.min_count", self.min_count, "must be 0 or more")
        if self.max_count < max(self.min_count, 1):
            raise ConfigurationError(
                "scaling.max_count",
                self.max_count,
                f"must be at least 1 and at least min_count ({self.min_count})",
            )
        for name in ("cpu_percent", "memory_percent"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= 100:
                raise ConfigurationError(f"scaling.{name}", value, "must be between 1 and 100")
        if self.requests_per_target is not None and self.requests_per_target < 1:
            raise ConfigurationError(
                "scaling.requests_per_target", self.requests_per_target, "must be 1 or more"
            )
        if (self.cpu_percent, self.memory_percent, self.requests_per_target) == (None,) * 3:
            raise ConfigurationError(
                "scaling",
                "no metric",
                "set at least one of cpu_percent, memory_percent, requests_per_target",
            )


@dataclass(frozen=True, kw_only=True)
class TargetHealthCheck:
    """The target group's health check of a web service."""

    path: str = "/"
    """HTTP path probed on each task. Default: ``/``."""
    healthy_http_codes: str = "200-399"
    """Status codes that count as healthy. Default: ``200-399``."""
    interval: cdk.Duration = field(default_factory=lambda: _seconds(15))
    """Time between probes. Default: 15 seconds (ALB default is 30: slower deploys)."""
    timeout: cdk.Duration = field(default_factory=lambda: _seconds(5))
    """Time a probe may take. Default: 5 seconds."""
    healthy_threshold: int = 2
    """Consecutive successes before a task receives traffic. Default: 2."""
    unhealthy_threshold: int = 3
    """Consecutive failures before a task is taken out. Default: 3."""

    def __post_init__(self) -> None:
        if not self.path.startswith("/") or len(self.path) > 1024:
            raise ConfigurationError(
                "health_check.path", self.path, "must start with '/' and be at most 1024 chars"
            )
        for name in ("healthy_threshold", "unhealthy_threshold"):
            value = getattr(self, name)
            if not 2 <= value <= 10:
                raise ConfigurationError(f"health_check.{name}", value, "must be between 2 and 10")
        interval, timeout = self.interval.to_seconds(), self.timeout.to_seconds()
        if not 5 <= interval <= 300:
            raise ConfigurationError(
                "health_check.interval", f"{interval}s", "must be 5 to 300 seconds"
            )
        if not 2 <= timeout <= 120 or timeout >= interval:
            raise ConfigurationError(
                "health_check.timeout",
                f"{timeout}s",
                f"must be 2 to 120 seconds and less than the interval ({interval}s)",
            )


@dataclass(frozen=True, kw_only=True)
class ServiceConnect:
    """ECS Service Connect: call other services by name, and be called by ``dns_name``.

    The cluster needs a Service Connect namespace first, e.g.
    ``platform.cluster.add_default_cloud_map_namespace(name="shop.internal",
    use_for_service_connect=True)``.
    """

    dns_name: str | None = None
    """Name other services use to call this one. Default: client only (calls others)."""
    port_mapping_name: str | None = None
    """The named port mapping published. Default: the first port mapping that has a name."""
    port: int | None = None
    """Port clients call. Default: the port mapping's container port."""


class _Workload(Construct):
    """What every workload shares: its log group, its bound task definition, placement checks."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: EcsCluster,
        task_definition: TaskDefinitionSpec,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        remember_path(self, scope, construct_id)
        enforce_resource_budget(scope)
        self._cluster = cluster
        self._spec = task_definition
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            retention=log_retention,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        """The service's log group (retained on delete): containers without a
        ``logConfiguration`` log here through awslogs."""
        self._check_fits(cluster, task_definition)
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

    @staticmethod
    def _check_fits(cluster: EcsCluster, spec: TaskDefinitionSpec) -> None:
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
            return
        for what, need, have, unit in (
            ("cpu", needs.cpu_units, offer.cpu_units, "CPU units"),
            ("memory", needs.memory_mib, offer.memory_mib, "MiB"),
            ("gpus", needs.gpus, offer.gpus, "GPUs"),
        ):
            if need > have:
                types = ", ".join(t.to_string() for t in cluster.instance_types)
                raise ConfigurationError(
                    f"task_definition.{what}",
                    need,
                    f"one instance of the cluster ({types}) offers {have} {unit} to tasks; "
                    "use a larger instance type or a smaller task",
                )

    def _check_static_ports(
        self, tasks: int, *, max_healthy_percent: int = 200, field: str = "desired_count"
    ) -> None:
        """A static host port fits one task per instance, during deploys too, counting every
        service of the cluster that binds the same port."""
        ports = self._spec.static_host_ports()
        if not ports or self._spec.network_mode not in ("bridge", "host"):
            return
        slots = -(-tasks * max_healthy_percent // 100)  # ceil: tasks while deploying
        capacity = self._cluster.max_capacity
        taken = _STATIC_PORTS.setdefault(self._cluster, {})
        for port in ports:
            others = taken.get(port, [])
            if slots + sum(n for _, n in others) > capacity:
                sharing = (
                    f"; {', '.join(f'{path} holds {n}' for path, n in others)} of its instances"
                    if others
                    else ""
                )
                raise ConfigurationError(
                    field,
                    tasks,
                    f"the task binds static host port {port}, so each instance runs at most one "
                    f"such task, and a rolling deploy runs up to {slots} tasks "
                    f"({max_healthy_percent} % of {tasks}) while the cluster has at most "
                    f"{capacity} instances{sharing}; at most "
                    f"{(capacity - sum(n for _, n in others)) * 100 // max_healthy_percent} "
                    "tasks: raise the cluster's max_capacity or use dynamic host ports "
                    "(hostPort 0 or absent)",
                )
        for port in ports:
            taken.setdefault(port, []).append((path_of(self), slots))

    def _check_distinct_instances(self, placement: Placement, tasks: int) -> None:
        """``distinctInstance`` allows one task per instance, during a 200 % deploy too."""
        distinct = any(
            rule.type == "distinctInstance"
            for constraint in placement.constraints
            for rule in constraint.to_json()
        )
        capacity = self._cluster.max_capacity
        if distinct and tasks * 2 > capacity:
            raise ConfigurationError(
                "placement.constraints",
                "distinctInstance",
                f"one task per instance: {tasks} tasks need {tasks * 2} instances during a "
                f"rolling deploy (200 %) and the cluster has at most {capacity}; at most "
                f"{capacity // 2} tasks, or raise the cluster's max_capacity",
            )

    def _network_options(
        self,
    ) -> tuple[list[ec2.ISecurityGroup] | None, ec2.SubnetSelection | None]:
        if self._spec.network_mode != "awsvpc":
            self.security_group: ec2.SecurityGroup | None = None
            return None, None
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=self._cluster.vpc,
            description="Tasks of this service (awsvpc network mode)",
            allow_all_outbound=True,
        )
        return [self.security_group], self._cluster.vpc_subnets


class _ServiceBase(_Workload):
    """What every long-running service adds: Service Connect and the clean-delete dependency."""

    def _service_connect(self, options: ServiceConnect | None) -> ecs.ServiceConnectProps | None:
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
        scale_in, scale_out = scaling.scale_in_cooldown, scaling.scale_out_cooldown
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
        """Let the cluster's instances reach this server's port: Service Connect proxies call
        it from the client task's instance (bridge and host clients leave with the instance's
        security group)."""
        mode = self._spec.network_mode
        if mode == "awsvpc":
            assert self.security_group is not None
            self.security_group.add_ingress_rule(
                self._cluster.security_group,
                ec2.Port.tcp(mapping.container_port),
                "Service Connect clients on the cluster's instances",
            )
            return
        if mode == "host" or mapping.host_port:
            ports = ec2.Port.tcp(mapping.host_port or mapping.container_port)
        else:
            low, high = self._cluster.host_port_range
            ports = ec2.Port.tcp_range(low, high)
        instances = self._cluster.security_group
        instances.add_ingress_rule(instances, ports, "Service Connect between tasks")

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
        **specific: Any,
    ) -> ecs.Ec2Service:
        """The ``Ec2Service`` with what every service shares; ``specific`` adds the rest."""
        security_groups, subnets = self._network_options()
        service = ecs.Ec2Service(
            self,
            "Service",
            cluster=self._cluster.cluster,
            task_definition=self.task_definition,
            circuit_breaker=_CIRCUIT_BREAKER,
            placement_constraints=list(placement_constraints) or None,
            enable_execute_command=enable_exec,
            enable_ecs_managed_tags=True,
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
            service_connect_configuration=self._service_connect(service_connect),
            security_groups=security_groups,
            vpc_subnets=subnets,
            **specific,
        )
        self.service = service
        """The ``ecs.Ec2Service``."""
        if enable_exec:
            explain_wildcards(self.task_role, _exec_wildcard_reason)
        return service

    def _wait_for(self, *others: IDependable) -> None:
        """Create the service after the cluster's capacity provider (and delete it before:
        a clean ``cdk destroy``) and after ``others``; one jsii call for all of them."""
        self.service.node.add_dependency(self._cluster.capacity_provider_dependency, *others)


class WebService(_ServiceBase):
    """A service behind the shared ``LoadBalancer``, routed by path and/or host.

    Defaults: 2 tasks, 100/200 % healthy during deploys (full capacity kept), circuit breaker
    with rollback, a target group with a 30 s deregistration delay and a 15 s health check on
    ``/``, a 60 s health-check grace period, spread across AZs then bin-packed on memory, and an
    ingress rule on the instances from the load balancer's security group only, on the ports the
    tasks use (the agent's dynamic host-port range in bridge mode).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: EcsCluster,
        load_balancer: LoadBalancer,
        task_definition: TaskDefinitionSpec,
        desired_count: int = 2,
        path_patterns: Sequence[str] = (),
        host_headers: Sequence[str] = (),
        priority: int | None = None,
        container_name: str | None = None,
        container_port: int | None = None,
        health_check: TargetHealthCheck | None = None,
        scaling: Scaling | None = None,
        placement: Placement | None = None,
        service_connect: ServiceConnect | None = None,
        enable_exec: bool = False,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
    ) -> None:
        """
        :param cluster: The ``EcsCluster`` the tasks run on.
        :param load_balancer: The shared ``LoadBalancer`` that routes to this service.
        :param task_definition: What to run (``TaskDefinitionSpec.from_file(...)`` or Python).
        :param desired_count: Tasks to run. Default: 2. Ignored once ``scaling`` is set.
        :param path_patterns: Listener-rule path patterns. Default: ``/*`` when no
            ``host_headers`` are given either.
        :param host_headers: Listener-rule host headers. Default: any host.
        :param priority: Listener-rule priority. Default: derived from the construct path,
            stable across synths and unchanged when other services come and go.
        :param container_name: Container that receives traffic. Default: the first container
            with a port mapping.
        :param container_port: Its port. Default: that container's first port mapping.
        :param health_check: Target-group health check. Default: ``TargetHealthCheck()``.
        :param scaling: Task auto scaling. Default: a fixed ``desired_count``.
        :param placement: Strategies and constraints. Default: spread across AZs, then
            bin-pack on memory; no constraint.
        :param service_connect: Service Connect (call/be called by name). Default: off.
        :param enable_exec: ECS Exec into the tasks, logged to the cluster's exec log group.
            Default: off.
        :param log_retention: Retention of the service's log group. Default: one month.
        """
        placement = placement or _default_placement()
        health_check = health_check or _default_health_check()
        super().__init__(
            scope,
            construct_id,
            cluster=cluster,
            task_definition=task_definition,
            log_retention=log_retention,
        )
        if desired_count < 1:
            raise ConfigurationError("desired_count", desired_count, "must be 1 or more")
        container, port = self._exposed_port(task_definition, container_name, container_port)
        self._check_static_ports(scaling.max_count if scaling else desired_count)
        self._check_distinct_instances(placement, scaling.max_count if scaling else desired_count)
        service = self._define_service(
            placement_constraints=placement.constraints,
            service_connect=service_connect,
            enable_exec=enable_exec,
            desired_count=None if scaling else desired_count,
            capacity_provider_strategies=cluster.capacity_provider_strategies,
            min_healthy_percent=100,
            max_healthy_percent=200,
            health_check_grace_period=_seconds(_GRACE_PERIOD_S),
            placement_strategies=list(placement.strategies) or None,
        )
        awsvpc = task_definition.network_mode == "awsvpc"
        self.target_group = elbv2.ApplicationTargetGroup(
            self,
            "TargetGroup",
            vpc=cluster.vpc,
            port=port.container_port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP if awsvpc else elbv2.TargetType.INSTANCE,
            deregistration_delay=_seconds(_DEREGISTRATION_DELAY_S),
            targets=[self._target(service, task_definition, container, port)],
            health_check=_health_check(health_check),
        )
        """The service's ``elbv2.ApplicationTargetGroup``."""
        routes = tuple(path_patterns) or (() if host_headers else ("/*",))
        self.listener_rule = load_balancer.add_route(
            self,
            target_group=self.target_group,
            path_patterns=routes,
            host_headers=tuple(host_headers),
            priority=priority,
        )
        """The ``elbv2.ApplicationListenerRule`` that forwards to this service."""
        # ECS refuses a target group that no listener rule uses yet: wait for the rule.
        self._wait_for(self.listener_rule)
        self._open_from(load_balancer, port)
        self.scalable_task_count = self._add_scaling(scaling, target_group=self.target_group)

    @staticmethod
    def _target(
        service: ecs.Ec2Service, spec: TaskDefinitionSpec, container: str, port: PortMapping
    ) -> elbv2.IApplicationLoadBalancerTarget:
        """The service as the target group's target, on ``container``'s ``port``."""
        default = next((c for c in spec.containers if c.essential is not False), None)
        if (
            default is not None
            and default.name == container
            and default.port_mappings
            and default.port_mappings[0] is port
        ):
            # The service's default target is exactly this (the task's first essential
            # container, on its first port mapping): no need for a jsii round trip to ask.
            return service
        return service.load_balancer_target(
            container_name=container, container_port=port.container_port
        )

    @staticmethod
    def _exposed_port(
        spec: TaskDefinitionSpec, container_name: str | None, container_port: int | None
    ) -> tuple[str, PortMapping]:
        candidates = [
            (c.name, pm)
            for c in spec.containers
            if container_name is None or c.name == container_name
            for pm in c.port_mappings
            if pm.protocol == "tcp"
            and (container_port is None or pm.container_port == container_port)
        ]
        if not candidates:
            exposed = [
                f"{c.name}:{pm.container_port}" for c in spec.containers for pm in c.port_mappings
            ]
            raise ConfigurationError(
                "task_definition",
                f"container_name={container_name!r}, container_port={container_port!r}",
                "a web service needs a container with a TCP port mapping to send traffic to; "
                f"the task exposes {exposed or 'no port'}",
            )
        return candidates[0]

    def _open_from(self, load_balancer: LoadBalancer, port: PortMapping) -> None:
        """Let the load balancer, and nothing else, reach the tasks' ports."""
        mode = self._spec.network_mode
        if mode == "awsvpc":
            assert self.security_group is not None
            self.security_group.connections.allow_from(
                load_balancer.connections,
                ec2.Port.tcp(port.container_port),
                "Load balancer to the tasks",
            )
            return
        if mode == "host" or port.host_port:
            low = high = port.host_port or port.container_port
        else:
            low, high = self._cluster.host_port_range
        opened = _OPENED.setdefault(self._cluster, set())
        if (id(load_balancer), low, high) in opened:
            return  # the same rule exists already: skip three jsii round trips per service
        opened.add((id(load_balancer), low, high))
        ports = ec2.Port.tcp(low) if low == high else ec2.Port.tcp_range(low, high)
        self._cluster.connections.allow_from(
            load_balancer.connections, ports, "Load balancer to task host ports"
        )


class WorkerService(_ServiceBase):
    """A service with no load balancer: queue consumers, stream processors, agents.

    ``daemon=True`` runs exactly one task on every instance (DAEMON scheduling). Daemon services
    cannot use a capacity provider strategy, and a cluster whose default strategy is a capacity
    provider rejects a daemon service that names none (containers-roadmap issue 692), so a
    daemon service sets ``LaunchType: EC2`` explicitly.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: EcsCluster,
        task_definition: TaskDefinitionSpec,
        desired_count: int = 1,
        daemon: bool = False,
        scaling: Scaling | None = None,
        placement: Placement | None = None,
        service_connect: ServiceConnect | None = None,
        enable_exec: bool = False,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
    ) -> None:
        """
        :param cluster: The ``EcsCluster`` the tasks run on.
        :param task_definition: What to run.
        :param desired_count: Tasks to run (replica services). Default: 1.
        :param daemon: One task per instance instead of ``desired_count``. Default: replica.
        :param scaling: Task auto scaling on CPU/memory (replica services). Default: none.
        :param placement: Strategies and constraints. Default: spread across AZs, then
            bin-pack on memory (daemons take no strategy); no constraint.
        :param service_connect: Service Connect. Default: off.
        :param enable_exec: ECS Exec into the tasks. Default: off.
        :param log_retention: Retention of the service's log group. Default: one month.
        """
        placement = placement or _default_placement()
        super().__init__(
            scope,
            construct_id,
            cluster=cluster,
            task_definition=task_definition,
            log_retention=log_retention,
        )
        if daemon and scaling is not None:
            raise ConfigurationError(
                "scaling", scaling, "a daemon service runs one task per instance: omit scaling"
            )
        if daemon and desired_count != 1:
            raise ConfigurationError(
                "desired_count",
                desired_count,
                "a daemon service runs one task per instance: omit desired_count",
            )
        if daemon and tuple(placement.strategies) != _default_placement_strategies():
            raise ConfigurationError(
                "placement.strategies",
                [str(p) for p in placement.strategies],
                "a daemon service places one task on every instance and takes no strategy",
            )
        if scaling is not None and scaling.requests_per_target is not None:
            raise ConfigurationError(
                "scaling.requests_per_target",
                scaling.requests_per_target,
                "a worker has no load balancer to count requests: track cpu_percent or "
                "memory_percent",
            )
        if not daemon and desired_count < 0:
            raise ConfigurationError("desired_count", desired_count, "must be 0 or more")
        if daemon:  # one task on every instance: the port is taken everywhere
            self._check_static_ports(cluster.max_capacity, max_healthy_percent=100)
        else:
            self._check_static_ports(scaling.max_count if scaling else desired_count)
            self._check_distinct_instances(
                placement, scaling.max_count if scaling else desired_count
            )
        service = self._define_service(
            placement_constraints=placement.constraints,
            service_connect=service_connect,
            enable_exec=enable_exec,
            daemon=daemon,
            desired_count=None if (daemon or scaling) else desired_count,
            capacity_provider_strategies=None if daemon else cluster.capacity_provider_strategies,
            # A daemon is replaced instance by instance: stop the old task, then start the new.
            min_healthy_percent=0 if daemon else 100,
            max_healthy_percent=100 if daemon else 200,
            placement_strategies=None if daemon else (list(placement.strategies) or None),
        )
        self._wait_for()
        if daemon:
            cfn = service.node.default_child
            assert isinstance(cfn, ecs.CfnService)
            cfn.launch_type = "EC2"
        self.scalable_task_count = self._add_scaling(scaling)


class ScheduledTask(_Workload):
    """A batch/ETL task run on a schedule by EventBridge Scheduler on the cluster's capacity.

    Failed invocations are retried (``retry_attempts``, within ``max_event_age``) and then sent
    to a dead-letter queue (``.dead_letter_queue``, SSE, SSL-only, 14-day retention).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: EcsCluster,
        task_definition: TaskDefinitionSpec,
        schedule: scheduler.ScheduleExpression,
        task_count: int = 1,
        retry_attempts: int = 3,
        max_event_age: cdk.Duration | None = None,
        placement: Placement | None = None,
        enabled: bool = True,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
    ) -> None:
        """
        :param cluster: The ``EcsCluster`` the task runs on.
        :param task_definition: What to run.
        :param schedule: ``scheduler.ScheduleExpression.cron(...)`` or ``.rate(...)``.
        :param task_count: Tasks started per invocation (1-10). Default: 1.
        :param retry_attempts: Retries of a failed invocation (0-185). Default: 3.
        :param max_event_age: Give up on an invocation after this long (1 min - 24 h).
            Default: 1 hour.
        :param placement: Strategies and constraints. Default: spread across AZs, then
            bin-pack on memory; no constraint.
        :param enabled: Whether the schedule is on. Default: on.
        :param log_retention: Retention of the task's log group. Default: one month.
        """
        # Imported here: an app without scheduled tasks does not load these modules.
        from aws_cdk import aws_scheduler as scheduler
        from aws_cdk import aws_scheduler_targets as scheduler_targets
        from aws_cdk import aws_sqs as sqs

        placement = placement or _default_placement()
        max_event_age = max_event_age or _hours(1)
        super().__init__(
            scope,
            construct_id,
            cluster=cluster,
            task_definition=task_definition,
            log_retention=log_retention,
        )
        if not 1 <= task_count <= 10:
            raise ConfigurationError("task_count", task_count, "must be between 1 and 10")
        self._check_static_ports(task_count, max_healthy_percent=100, field="task_count")
        if not 0 <= retry_attempts <= 185:
            raise ConfigurationError("retry_attempts", retry_attempts, "must be 0 to 185")
        age = max_event_age.to_seconds()
        if not 60 <= age <= 86400:
            raise ConfigurationError(
                "max_event_age", f"{age}s", "must be between 60 seconds and 24 hours"
            )
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
        )
        """Invocations that failed every retry land here (14-day retention)."""
        acknowledge(
            self.dead_letter_queue.node.default_child,  # type: ignore[arg-type]
            "SQS3",
            "This queue is itself the dead-letter queue of the schedule's target.",
        )
        security_groups, subnets = self._network_options()
        self.role = iam.Role(
            self,
            "ScheduleRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}},
            ),
            description="EventBridge Scheduler runs this task on the cluster",
        )
        """The role EventBridge Scheduler assumes to run the task."""
        target = scheduler_targets.EcsRunEc2Task(
            cluster.cluster,
            role=self.role,
            task_definition=self.task_definition,
            capacity_provider_strategies=cluster.capacity_provider_strategies,
            placement_strategies=list(placement.strategies) or None,
            placement_constraints=list(placement.constraints) or None,
            task_count=task_count,
            propagate_tags=True,
            enable_ecs_managed_tags=True,
            security_groups=security_groups,
            vpc_subnets=subnets,
            dead_letter_queue=self.dead_letter_queue,
            retry_attempts=retry_attempts,
            max_event_age=max_event_age,
        )
        self.schedule = scheduler.Schedule(
            self, "Schedule", schedule=schedule, target=target, enabled=enabled
        )
        """The ``scheduler.Schedule``."""
        explain_wildcards(self.role, _run_task_wildcard_reason)


@functools.lru_cache(maxsize=64)
def _health_check(check: TargetHealthCheck) -> elbv2.HealthCheck:
    """The target group's health check (built once per distinct ``TargetHealthCheck``)."""
    return elbv2.HealthCheck(
        port="traffic-port",
        path=check.path,
        healthy_http_codes=check.healthy_http_codes,
        interval=check.interval,
        timeout=check.timeout,
        healthy_threshold_count=check.healthy_threshold,
        unhealthy_threshold_count=check.unhealthy_threshold,
    )


@functools.cache
def _default_placement() -> Placement:
    return Placement()


@functools.cache
def _default_health_check() -> TargetHealthCheck:
    return TargetHealthCheck()
