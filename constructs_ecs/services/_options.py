"""Option groups of the services: placement, task auto scaling, the target health check,
Service Connect, a web service's routing, a service's network."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2

from constructs_ecs._arguments import checked, expect_int
from constructs_ecs._deprecated import Moved, exclusive, from_moved
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._limits import TASKS_PER_SERVICE
from constructs_ecs.cluster._options import default_placement_strategies

QUOTA = f" (ECS: at most {TASKS_PER_SERVICE} tasks per service)"

__all__ = [
    "DEFAULT_PLACEMENT_STRATEGIES",
    "NETWORK_MOVED",
    "ROUTING_MOVED",
    "Placement",
    "Routing",
    "Scaling",
    "ServiceConnect",
    "ServiceNetwork",
    "TargetHealthCheck",
    "default_placement_strategies",
    "network_of",
    "routing_of",
]


if TYPE_CHECKING:
    DEFAULT_PLACEMENT_STRATEGIES: tuple[ecs.PlacementStrategy, ...]
    """Spread tasks across availability zones, then bin-pack on memory within each zone."""


def __getattr__(name: str) -> Any:
    # Made on first use, not at import: each strategy is a jsii round trip.
    if name == "DEFAULT_PLACEMENT_STRATEGIES":
        return default_placement_strategies()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def placement_rules(strategies: Sequence[ecs.PlacementStrategy]) -> list[Any]:
    """The strategies as ECS receives them: two lists of the same rules are equal, whichever
    objects built them."""
    return [rule for strategy in strategies for rule in strategy.to_json()]


@dataclass(frozen=True, kw_only=True)
class Placement:
    """Where ECS places a workload's tasks on the cluster's instances.

    Attributes:
        strategies: Tried in order; ``()`` for none. Default: the cluster's ``placement_strategies``
            (spread across availability zones, then bin-pack on memory); daemons take none.
        constraints: E.g. ``ecs.PlacementConstraint.distinct_instances()`` or
            ``ecs.PlacementConstraint.member_of("attribute:ecs.instance-type =~ m7g.*")``. Default:
            none.
        availability_zone_rebalancing: Whether ECS moves tasks back into balance across Availability
            Zones (after a zone outage, or a scale-in that left them uneven). ECS requires a first
            strategy that spreads across zones, no constraint on the zone and a maximum above 100 %.
            Default: on for replica services (a placement that prevents it is refused: fix it or set
            ``False``), off for daemons and for a rolling deployment with ``max_percent=100``.
    """

    strategies: Sequence[ecs.PlacementStrategy] | None = None
    constraints: Sequence[ecs.PlacementConstraint] = ()
    availability_zone_rebalancing: bool | None = None

    @checked("placement.")
    def __post_init__(self) -> None:
        if self.strategies is not None:
            object.__setattr__(self, "strategies", tuple(self.strategies))
        object.__setattr__(self, "constraints", tuple(self.constraints))


@dataclass(frozen=True, kw_only=True)
class Scaling:
    """Auto scaling of a service's task count (target tracking).

    Once scaling is set, the service template omits ``DesiredCount``: a deploy never resets the
    count that scaling chose (aws-cdk issue 3919). ECS creates the service with one task, and
    scaling raises it to ``min_count`` right after.

    Attributes:
        min_count: Fewest tasks.
        max_count: Most tasks.
        cpu_percent: Target average CPU utilization. ``None`` turns CPU tracking off. Default: 70 %.
        memory_percent: Target average memory utilization. Default: memory is not tracked.
        requests_per_target: Target ALB requests per task per minute (web services only). Default:
            not tracked.
        scale_in_cooldown: Wait after a scale-in before the next one. Default: 2 minutes.
        scale_out_cooldown: Wait after a scale-out before the next one. Default: 1 minute.
    """

    min_count: int
    max_count: int
    cpu_percent: float | None = 70
    memory_percent: float | None = None
    requests_per_target: int | None = None
    scale_in_cooldown: cdk.Duration | None = None
    scale_out_cooldown: cdk.Duration | None = None

    @checked("scaling.")
    def __post_init__(self) -> None:
        expect_int(
            "scaling.min_count", self.min_count, minimum=0, maximum=TASKS_PER_SERVICE, why=QUOTA
        )
        expect_int(
            "scaling.max_count", self.max_count, minimum=1, maximum=TASKS_PER_SERVICE, why=QUOTA
        )
        if self.max_count < self.min_count:
            raise ConfigurationError(
                "scaling.max_count",
                self.max_count,
                f"must be at least min_count ({self.min_count})",
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


INTERVAL_S, TIMEOUT_S = 15, 5
"""The target health check's default interval and timeout."""
SCALE_IN_COOLDOWN_S, SCALE_OUT_COOLDOWN_S = 120, 60
"""Task auto scaling's default cooldowns."""


@dataclass(frozen=True, kw_only=True)
class TargetHealthCheck:
    """The target group's health check of a web service.

    Attributes:
        path: HTTP path probed on each task. Default: ``/``.
        healthy_http_codes: Status codes that count as healthy. Default: ``200-399``.
        interval: Time between probes. Default: 15 seconds (ALB default is 30: slower deploys).
        timeout: Time a probe may take. Default: 5 seconds.
        healthy_threshold: Consecutive successes before a task receives traffic. Default: 2.
        unhealthy_threshold: Consecutive failures before a task is taken out. Default: 3.
    """

    path: str = "/"
    healthy_http_codes: str = "200-399"
    interval: cdk.Duration | None = None
    timeout: cdk.Duration | None = None
    healthy_threshold: int = 2
    unhealthy_threshold: int = 3

    @checked("health_check.")
    def __post_init__(self) -> None:
        if not self.path.startswith("/") or len(self.path) > 1024:
            raise ConfigurationError(
                "health_check.path", self.path, "must start with '/' and be at most 1024 chars"
            )
        for name in ("healthy_threshold", "unhealthy_threshold"):
            value = getattr(self, name)
            if not 2 <= value <= 10:
                raise ConfigurationError(f"health_check.{name}", value, "must be between 2 and 10")
        interval = self.interval.to_seconds() if self.interval is not None else INTERVAL_S
        timeout = self.timeout.to_seconds() if self.timeout is not None else TIMEOUT_S
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

    def bind(self) -> elbv2.HealthCheck:
        """The target group's ``elbv2.HealthCheck``."""
        return elbv2.HealthCheck(
            port="traffic-port",
            path=self.path,
            healthy_http_codes=self.healthy_http_codes,
            interval=self.interval or cdk.Duration.seconds(INTERVAL_S),
            timeout=self.timeout or cdk.Duration.seconds(TIMEOUT_S),
            healthy_threshold_count=self.healthy_threshold,
            unhealthy_threshold_count=self.unhealthy_threshold,
        )


@dataclass(frozen=True, kw_only=True)
class ServiceConnect:
    """ECS Service Connect: call other services by name, and be called by ``dns_name``.

    The cluster needs a Service Connect namespace first, e.g.
    ``platform.cluster.add_default_cloud_map_namespace(name="shop.internal",
    use_for_service_connect=True)``.

    Attributes:
        dns_name: Name other services use to call this one. Default: client only (calls others).
        port_mapping_name: The named port mapping published. Default: the first port mapping that
            has a name.
        port: Port clients call. Default: the port mapping's container port.
    """

    dns_name: str | None = None
    port_mapping_name: str | None = None
    port: int | None = None

    @checked("service_connect.")
    def __post_init__(self) -> None:
        if self.port is not None:
            expect_int("service_connect.port", self.port, minimum=1, maximum=65535)


@dataclass(frozen=True, kw_only=True)
class Routing:
    """How the load balancer reaches a web service: the listener rule's conditions and
    priority, the container and port that receive the traffic, and the target group's health
    check.

    A request matches when its path matches one of ``path_patterns`` and its host one of
    ``host_headers``; an omitted condition matches every request (see
    ``LoadBalancer.add_route``).

    Attributes:
        path_patterns: Listener-rule path patterns. Default: ``/*`` when no ``host_headers``
            are given either.
        host_headers: Listener-rule host headers. Default: any host.
        priority: Listener-rule priority. Default: derived from the construct path, stable
            across synths and unchanged when other services come and go.
        container_name: Container that receives traffic. Default: the first container with a
            port mapping.
        container_port: Its port. Default: that container's first port mapping.
        health_check: Target-group health check. Default: ``TargetHealthCheck()``.
    """

    path_patterns: Sequence[str] = ()
    host_headers: Sequence[str] = ()
    priority: int | None = None
    container_name: str | None = None
    container_port: int | None = None
    health_check: TargetHealthCheck | None = None

    @checked("routing.")
    def __post_init__(self) -> None:
        if self.container_port is not None:
            expect_int("routing.container_port", self.container_port, minimum=1, maximum=65535)


@dataclass(frozen=True, kw_only=True)
class ServiceNetwork:
    """How a service's tasks are reached and reach others: their security groups (awsvpc
    tasks), Service Connect, Cloud Map service discovery.

    Attributes:
        security_groups: The security groups of awsvpc tasks (yours; the library adds the
            ingress its load balancer and Service Connect need). Default: one defined for the
            service, open to nothing but those.
        service_connect: Service Connect (call and be called by name). Default: off.
        service_discovery: Cloud Map service discovery (DNS records for the tasks), beside or
            instead of Service Connect. Default: none.
    """

    security_groups: Sequence[ec2.ISecurityGroup] | None = None
    service_connect: ServiceConnect | None = None
    service_discovery: ecs.CloudMapOptions | None = None

    @checked("network.")
    def __post_init__(self) -> None:
        pass


ROUTING_MOVED = {
    "path_patterns": Moved(Sequence[str], "routing=Routing(path_patterns=...)"),
    "host_headers": Moved(Sequence[str], "routing=Routing(host_headers=...)"),
    "priority": Moved(int | None, "routing=Routing(priority=...)"),
    "container_name": Moved(str | None, "routing=Routing(container_name=...)"),
    "container_port": Moved(int | None, "routing=Routing(container_port=...)"),
    "health_check": Moved(TargetHealthCheck | None, "routing=Routing(health_check=...)"),
}
"""WebService's keywords of 0.1 that ``routing`` replaces."""

NETWORK_MOVED = {
    "security_groups": Moved(
        Sequence[ec2.ISecurityGroup] | None, "network=ServiceNetwork(security_groups=...)"
    ),
    "service_connect": Moved(ServiceConnect | None, "network=ServiceNetwork(service_connect=...)"),
    "service_discovery": Moved(
        ecs.CloudMapOptions | None, "network=ServiceNetwork(service_discovery=...)"
    ),
}
"""The services' keywords of 0.1 that ``network`` replaces."""


def routing_of(routing: Routing | None, taken: dict[str, Any]) -> Routing:
    """``routing``, or the one the moved keywords in ``taken`` describe (not both)."""
    old = {name: value for name, value in taken.items() if name in ROUTING_MOVED}
    exclusive(old, "routing", routing)
    return routing or from_moved(Routing, "routing", old, {name: name for name in old})


def network_of(network: ServiceNetwork | None, taken: dict[str, Any]) -> ServiceNetwork:
    """``network``, or the one the moved keywords in ``taken`` describe (not both)."""
    old = {name: value for name, value in taken.items() if name in NETWORK_MOVED}
    exclusive(old, "network", network)
    return network or from_moved(ServiceNetwork, "network", old, {name: name for name in old})
