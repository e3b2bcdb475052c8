"""PlatformDashboard: one CloudWatch dashboard per platform, optional.

Rows, top to bottom: the cluster (capacity, reservation, capacity provider scaling), the load
balancer (requests, its own 5xx, latency), then one row per service with its alarms and golden
signals: traffic and errors, latency (web services), saturation and tasks.

Placement: the dashboard reads every service it shows, so its stack depends on theirs. It can
live in a services stack, or in a stack of its own, but not in the stack holding the cluster
or the load balancer when services live in other stacks (those depend on it: a cycle). That
is refused when a service is added, as is a dashboard over CloudWatch's 500 widgets or 2500
metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct, IConstruct

from constructs_ecs._arguments import checked
from constructs_ecs._errors import ConfigurationError
from constructs_ecs.cluster import ServiceCluster
from constructs_ecs.load_balancer import ServiceLoadBalancer
from constructs_ecs.services._web_service import WebService
from constructs_ecs.services._worker_service import WorkerService

__all__ = ["MAX_DASHBOARD_METRICS", "MAX_DASHBOARD_WIDGETS", "PlatformDashboard"]

MAX_DASHBOARD_WIDGETS = 500
"""Widgets per CloudWatch dashboard (a CloudWatch limit)."""
MAX_DASHBOARD_METRICS = 2500
"""Metrics per CloudWatch dashboard, over all its widgets (a CloudWatch limit)."""


def period() -> cdk.Duration:
    """Every alarm and graph uses 1-minute periods (the finest standard resolution); made
    on use, so that importing the module costs no jsii call."""
    return cdk.Duration.minutes(1)


HEIGHT = 6

MetricFactory = Callable[[str, str, str], cloudwatch.Metric]
"""``metric(name, statistic, label)`` with the namespace and dimensions already chosen."""


class PlatformDashboard(Construct):
    """A CloudWatch dashboard of a cluster, its load balancer and its services.

    ``services`` are shown in the order given; ``add_service`` adds more. The dashboard is
    ``dashboard`` (a ``cloudwatch.Dashboard``): add your own widgets to it.
    """

    @checked()
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ServiceCluster,
        load_balancer: ServiceLoadBalancer | None = None,
        services: Sequence[WebService | WorkerService] = (),
        dashboard_name: str | None = None,
    ) -> None:
        """
        :param cluster: The cluster whose capacity the first row shows.
        :param load_balancer: The load balancer of the second row. Default: no such row.
        :param services: The services, a row each. Default: none (see ``add_service``).
        :param dashboard_name: The dashboard's name. Default: a name CloudFormation makes.
        """
        super().__init__(scope, construct_id)
        self._stack = cdk.Stack.of(self)
        self._cluster = cluster
        self._load_balancer = load_balancer
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Resource",
            dashboard_name=dashboard_name,
            period_override=cloudwatch.PeriodOverride.AUTO,
        )
        """The ``cloudwatch.Dashboard``."""
        self.widget_count = 0
        """Widgets on the dashboard (CloudWatch allows 500)."""
        self.metric_count = 0
        """Metrics on the dashboard, over all widgets (CloudWatch allows 2500)."""
        self._add_row(self._cluster_row(cluster))
        if load_balancer is not None:
            self._add_row(self._load_balancer_row(load_balancer))
        for service in services:
            self.add_service(service)

    def add_service(self, service: WebService | WorkerService) -> list[cloudwatch.IWidget]:
        """Add a row for ``service``: its alarms and golden signals; return its widgets."""
        if not isinstance(service, WebService | WorkerService):
            raise ConfigurationError(
                "service", service, "a WebService or WorkerService of this library"
            )
        self._check_placement(service)
        title = service.node.path
        row = _Row()
        alarms = list(service.alarms.alarms.values())
        if alarms:
            row.add(
                cloudwatch.AlarmStatusWidget(
                    alarms=alarms, title=f"{title}: alarms", width=6, height=HEIGHT
                )
            )
        if isinstance(service, WebService):
            groups = [
                g for g in (service.target_group, service.alternate_target_group) if g is not None
            ]
            _web_signals(row, title, groups, service.load_balancer_name)
        ecs_service = service.service
        dimensions = {
            "ClusterName": ecs_service.cluster.cluster_name,
            "ServiceName": ecs_service.service_name,
        }
        ecs_metric = _metric_factory("AWS/ECS", dimensions)
        insights = _metric_factory("ECS/ContainerInsights", dimensions)
        row.graph(
            f"{title}: saturation (%) and tasks",
            [
                ecs_metric("CPUUtilization", "Average", "CPU"),
                ecs_metric("MemoryUtilization", "Average", "Memory"),
            ],
            [
                insights("RunningTaskCount", "Average", "Running tasks"),
                insights("DesiredTaskCount", "Average", "Desired tasks"),
            ],
            width=24 - 6 * len(row.widgets),
        )
        self._add_row(row)
        return row.widgets

    # ------------------------------------------------------------------------- rows

    def _add_row(self, row: _Row) -> None:
        widgets = self.widget_count + len(row.widgets)
        if widgets > MAX_DASHBOARD_WIDGETS:
            raise ConfigurationError(
                "services",
                f"{widgets} widgets",
                f"at most {MAX_DASHBOARD_WIDGETS} widgets on one CloudWatch dashboard: show "
                "the further services on another PlatformDashboard",
            )
        metrics = self.metric_count + row.metrics
        if metrics > MAX_DASHBOARD_METRICS:
            raise ConfigurationError(
                "services",
                f"{metrics} metrics",
                f"at most {MAX_DASHBOARD_METRICS} metrics on one CloudWatch dashboard: show "
                "the further services on another PlatformDashboard",
            )
        self.dashboard.add_widgets(*row.widgets)  # one call: left to right
        self.widget_count, self.metric_count = widgets, metrics

    def _cluster_row(self, cluster: ServiceCluster) -> _Row:
        name = cluster.cluster.cluster_name
        ecs_metric = _metric_factory("AWS/ECS", {"ClusterName": name})
        insights = _metric_factory("ECS/ContainerInsights", {"ClusterName": name})
        scaling = [
            cloudwatch.Metric(
                namespace="AWS/ECS/ManagedScaling",
                metric_name="CapacityProviderReservation",
                dimensions_map={
                    "ClusterName": name,
                    "CapacityProviderName": strategy.capacity_provider,
                },
                statistic="Average",
                period=period(),
                label="Capacity provider reservation (%)",
            )
            for strategy in cluster.capacity_provider_strategies
        ]
        row = _Row()
        row.add(
            cloudwatch.TextWidget(
                markdown=f"## {self.node.path}\nCluster capacity, the load balancer, and each "
                "service's alarms and golden signals.",
                width=6,
                height=HEIGHT,
            )
        )
        row.graph(
            "Cluster: reservation and utilisation (%)",
            [
                ecs_metric("CPUReservation", "Average", "CPU reserved"),
                ecs_metric("MemoryReservation", "Average", "Memory reserved"),
                ecs_metric("CPUUtilization", "Average", "CPU used"),
                ecs_metric("MemoryUtilization", "Average", "Memory used"),
            ],
            left_y_axis=cloudwatch.YAxisProps(min=0, max=100),
            width=9,
        )
        row.graph(
            "Cluster: instances and capacity provider scaling",
            [insights("ContainerInstanceCount", "Average", "Instances")],
            scaling,
            width=9,
        )
        return row

    @staticmethod
    def _load_balancer_row(load_balancer: ServiceLoadBalancer) -> _Row:
        metric = _metric_factory("AWS/ApplicationELB", {"LoadBalancer": load_balancer.full_name})
        row = _Row()
        row.graph(
            "Load balancer: requests and its own errors",
            [metric("RequestCount", "Sum", "Requests")],
            [
                metric("HTTPCode_ELB_5XX_Count", "Sum", "5xx from the load balancer"),
                metric("HTTPCode_ELB_4XX_Count", "Sum", "4xx from the load balancer"),
            ],
            width=12,
        )
        row.graph(
            "Load balancer: target response time (s)",
            [
                metric("TargetResponseTime", "p50", "p50"),
                metric("TargetResponseTime", "p99", "p99"),
            ],
            width=12,
        )
        return row

    def _check_placement(self, service: WebService | WorkerService) -> None:
        """No stack dependency cycle: a service in another stack must not depend on this one."""
        stack = cdk.Stack.of(service)
        if stack is self._stack:
            return
        shared = [
            (what, construct)
            for what, construct in (
                ("cluster", self._cluster),
                ("load balancer", self._load_balancer),
            )
            # Both roles are played by constructs (they have a node).
            if construct is not None and cdk.Stack.of(cast(IConstruct, construct)) is self._stack
        ]
        if shared:
            what = shared[0][0]
            raise ConfigurationError(
                "scope",
                self._stack.stack_name,
                f"a stack that {service.node.path} (in stack {stack.stack_name!r}) does not "
                f"depend on: this stack holds the {what} it uses, and the dashboard would read "
                "the service, a dependency cycle; put the dashboard in the services' stack or "
                "in a stack of its own",
            )


def _web_signals(
    row: _Row, title: str, groups: Sequence[elbv2.ApplicationTargetGroup], load_balancer: str
) -> None:
    """Traffic and errors, and latency, per target group (two for blue/green)."""
    traffic: list[cloudwatch.IMetric] = []
    errors: list[cloudwatch.IMetric] = []
    latency: list[cloudwatch.IMetric] = []
    for index, group in enumerate(groups):
        name = "" if len(groups) == 1 else (" (first)", " (alternate)")[index]
        metric = _metric_factory(
            "AWS/ApplicationELB",
            {
                "TargetGroup": group.target_group_full_name,
                "LoadBalancer": load_balancer,
            },
        )
        traffic.append(metric("RequestCount", "Sum", f"Requests{name}"))
        errors.append(metric("HTTPCode_Target_5XX_Count", "Sum", f"5xx{name}"))
        latency.append(metric("TargetResponseTime", "p50", f"p50{name}"))
        latency.append(metric("TargetResponseTime", "p99", f"p99{name}"))
    row.graph(f"{title}: requests and 5xx", traffic, errors, width=6)
    row.graph(f"{title}: response time (s)", latency, width=6)


def _metric_factory(namespace: str, dimensions: dict[str, str]) -> MetricFactory:
    def metric(name: str, statistic: str, label: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=namespace,
            metric_name=name,
            dimensions_map=dimensions,
            statistic=statistic,
            period=period(),
            label=label,
        )

    return metric


class _Row:
    """The widgets of one dashboard row, and how many metrics they show."""

    def __init__(self) -> None:
        self.widgets: list[cloudwatch.IWidget] = []
        self.metrics = 0

    def add(self, widget: cloudwatch.IWidget) -> None:
        self.widgets.append(widget)

    def graph(
        self,
        title: str,
        left: Sequence[cloudwatch.IMetric],
        right: Sequence[cloudwatch.IMetric] = (),
        *,
        width: int,
        left_y_axis: cloudwatch.YAxisProps | None = None,
    ) -> None:
        self.widgets.append(
            cloudwatch.GraphWidget(
                title=title,
                left=list(left),
                right=list(right) or None,
                left_y_axis=left_y_axis,
                width=width,
                height=HEIGHT,
            )
        )
        self.metrics += len(left) + len(right)
