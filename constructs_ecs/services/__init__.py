"""Services on the EC2 cluster: web services behind the shared ALB, workers, daemons, schedules.

Every service binds a ``TaskDefinitionSpec`` to the cluster, gets its own log group (retained on
delete), runs on the cluster's capacity provider (daemons excepted, see ``WorkerService``),
deploys with the circuit breaker and rollback on (``Deployment``: rolling, blue/green, canary,
linear), and has alarms whose "this version is bad" ones roll a deploy back too (``Alarms``).
Placement is checked when the service is defined: a task that cannot fit on one instance, or a
static host port with more tasks than instances, is a ``ConfigurationError`` at synth rather
than a deployment stuck for hours.
"""

from typing import TYPE_CHECKING, Any

from constructs_ecs.services._alarms import Alarms, ServiceAlarms
from constructs_ecs.services._deployment import Deployment, LifecycleHook
from constructs_ecs.services._options import (
    Placement,
    Routing,
    Scaling,
    ServiceConnect,
    ServiceNetwork,
    TargetHealthCheck,
    default_placement_strategies,
)
from constructs_ecs.services._web_service import WebService
from constructs_ecs.services._worker_service import WorkerService

if TYPE_CHECKING:
    from aws_cdk import aws_ecs as ecs

    from constructs_ecs.services._scheduled_task import ScheduledTask

    DEFAULT_PLACEMENT_STRATEGIES: tuple[ecs.PlacementStrategy, ...]
    """Spread tasks across availability zones, then bin-pack on memory within each zone."""

__all__ = [
    "DEFAULT_PLACEMENT_STRATEGIES",
    "Alarms",
    "Deployment",
    "LifecycleHook",
    "Placement",
    "Routing",
    "Scaling",
    "ScheduledTask",
    "ServiceAlarms",
    "ServiceConnect",
    "ServiceNetwork",
    "TargetHealthCheck",
    "WebService",
    "WorkerService",
]


def __getattr__(name: str) -> Any:
    # Made on first use: the strategies are jsii objects, and an app without scheduled tasks
    # does not load EventBridge Scheduler's modules.
    if name == "DEFAULT_PLACEMENT_STRATEGIES":
        return default_placement_strategies()
    if name == "ScheduledTask":
        from constructs_ecs.services._scheduled_task import ScheduledTask

        return ScheduledTask
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
