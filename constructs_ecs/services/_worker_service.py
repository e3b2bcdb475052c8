"""WorkerService: a service with no load balancer, or a daemon on every instance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from constructs import Construct

from constructs_ecs._arguments import checked, expect_int
from constructs_ecs._deprecated import announce_moved, take_moved
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._limits import TASKS_PER_SERVICE
from constructs_ecs.cluster import ServiceCluster
from constructs_ecs.services._alarms import Alarms
from constructs_ecs.services._base import ServiceBase
from constructs_ecs.services._deployment import Deployment
from constructs_ecs.services._options import (
    NETWORK_MOVED,
    QUOTA,
    Placement,
    Scaling,
    ServiceNetwork,
    network_of,
    placement_rules,
)

if TYPE_CHECKING:
    from constructs_ecs.taskdef import TaskDefinitionSpec

__all__ = ["WorkerService"]


class WorkerService(ServiceBase):
    """A service with no load balancer: queue consumers, stream processors, agents.

    ``daemon=True`` runs exactly one task on every instance (DAEMON scheduling). Daemon services
    cannot use a capacity provider strategy, and a cluster whose default strategy is a capacity
    provider rejects a daemon service that names none (containers-roadmap issue 692), so a
    daemon service sets ``LaunchType: EC2`` explicitly.

    A worker deploys rolling; blue/green, canary and linear need a Service Connect server
    (``network=ServiceNetwork(service_connect=ServiceConnect(dns_name=...))``), whose traffic
    ECS then shifts. Its alarms watch CPU, memory and missing tasks; none is a deployment alarm
    unless you add one (``Alarms(deployment_alarms=[...])``, e.g. on a dead-letter queue).
    """

    @checked()
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ServiceCluster,
        task_definition: TaskDefinitionSpec,
        desired_count: int = 1,
        daemon: bool = False,
        scaling: Scaling | None = None,
        placement: Placement | None = None,
        network: ServiceNetwork | None = None,
        enable_exec: bool = False,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        deployment: Deployment | None = None,
        alarms: Alarms | None = None,
        **moved: Any,
    ) -> None:
        """
        :param cluster: The cluster the tasks run on: an ``EcsCluster``, an
            ``ExistingCluster``, or any ``ServiceCluster``.
        :param task_definition: What to run (``TaskDefinitionSpec.from_file(...)`` or Python).
        :param desired_count: Tasks to run (replica services). Default: 1.
        :param daemon: One task per instance instead of ``desired_count``. Default: replica.
        :param scaling: Task auto scaling on CPU/memory (replica services). Default: none.
        :param placement: Strategies and constraints. Default: spread across AZs, then
            bin-pack on memory (daemons take no strategy); no constraint.
        :param network: The tasks' security groups (awsvpc), Service Connect, Cloud Map
            service discovery (``ServiceNetwork(...)``). Default: ``ServiceNetwork()``: a
            security group of its own for awsvpc tasks, neither Service Connect nor discovery.
        :param enable_exec: ECS Exec into the tasks, logged to the cluster's exec log group.
            Default: off.
        :param log_retention: Retention of the service's log group. Default: one month.
        :param deployment: How a deploy replaces the tasks. ``Deployment.rolling(...)``
            (daemons: ``min_healthy_percent`` only); ``blue_green``, ``canary`` and ``linear``
            with a Service Connect ``dns_name`` only. Default: ``Deployment.rolling()``.
        :param alarms: The service's alarms; ``Alarms.off()`` for none. Default: ``Alarms()``
            (CPU, memory, missing tasks; no deployment alarm).
        """
        taken = take_moved(WorkerService, moved, NETWORK_MOVED)
        network = network_of(network, taken)
        service_connect = network.service_connect
        placement = placement or Placement()
        deployment = deployment or Deployment.rolling()
        super().__init__(
            scope,
            construct_id,
            cluster=cluster,
            task_definition=task_definition,
            log_retention=log_retention,
            security_groups=network.security_groups,
        )
        announce_moved(self, taken, NETWORK_MOVED)
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
        if (
            daemon
            and placement.strategies is not None
            and placement_rules(placement.strategies)
            != placement_rules(cluster.placement_strategies)
        ):
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
        if not daemon:
            expect_int(
                "desired_count", desired_count, minimum=0, maximum=TASKS_PER_SERVICE, why=QUOTA
            )
        if (
            deployment.shifts_traffic
            and not daemon
            and (service_connect is None or service_connect.dns_name is None)
        ):
            raise ConfigurationError(
                "deployment",
                f"Deployment.{deployment.strategy.value.lower()}()",
                "Deployment.rolling() for a worker that no one calls: ECS shifts traffic "
                "between revisions only behind a load balancer (a WebService) or for a Service "
                "Connect server; give it network=ServiceNetwork(service_connect=ServiceConnect("
                "dns_name=...)), or deploy rolling",
            )
        # At most: a daemon runs one task on every instance (so its port is taken on each).
        most = scaling.max_count if scaling else desired_count
        tasks = (cluster.max_capacity or 1) if daemon else most
        shifting = deployment.shifts_traffic
        if daemon:
            self._check_static_ports(tasks, rolls=False)
        else:
            self._check_static_ports(most, doubles=shifting, deployment=deployment)
            self._check_distinct_instances(placement, most, doubles=shifting, deployment=deployment)
        counts = (scaling.min_count, scaling.max_count) if scaling else (desired_count,) * 2
        settings = self._deployment_settings(
            deployment, placement=placement, counts=counts, daemon=daemon
        )
        deployment_alarms = self._add_alarms(alarms or Alarms())
        service = self._define_service(
            placement_constraints=placement.constraints,
            service_connect=service_connect,
            enable_exec=enable_exec,
            tasks=tasks,
            service_discovery=network.service_discovery,
            daemon=daemon,
            desired_count=None if (daemon or scaling) else desired_count,
            capacity_provider_strategies=None
            if daemon
            else (cluster.capacity_provider_strategies or None),
            placement_strategies=None if daemon else self._placement_strategies(placement),
            deployment_alarms=deployment_alarms,
            **settings,
        )
        self._wait_for()
        if daemon:
            cfn = service.node.default_child
            assert isinstance(cfn, ecs.CfnService)
            cfn.launch_type = "EC2"
        self.scalable_task_count = self._add_scaling(scaling)
        self._after_service(deployment)
