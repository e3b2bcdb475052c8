"""The alarms every service gets: what they watch, when they fire, which roll a deploy back.

=====================  =========================================  ===========================
alarm                  fires when (1-minute periods)               deployment alarm (rollback)
=====================  =========================================  ===========================
``Target5xxRate``      5xx responses of the tasks above 5 % of     yes
                       the requests, 2 of 3 minutes
``UnhealthyTargets``   at least 1 target failing its health        yes
                       check, 2 of 3 minutes
``ResponseTimeP99``    p99 target response time above 2 s,         no (load raises it too)
                       5 minutes in a row
``CpuUtilization``     average CPU above 90 % of what the tasks    no (load)
                       reserve, 5 minutes in a row
``MemoryUtilization``  average memory above 90 %, 5 minutes in a   no (load)
                       row
``TasksMissing``       fewer tasks running than desired, 10        no (capacity)
                       minutes in a row
=====================  =========================================  ===========================

The first three are a web service's (per target group: with two, blue/green, the worse of the
two, so a canary's errors are not diluted by the old revision's traffic). Every alarm treats
missing data as not breaching: a first deploy, an idle service or a target group without
traffic raises nothing. The last needs Container Insights (on for ``EcsCluster``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from constructs_ecs._arguments import checked, is_token
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._nag import COMPLIANCE_PACKS, acknowledge

if TYPE_CHECKING:
    from aws_cdk import aws_ecs as ecs
    from aws_cdk import aws_elasticloadbalancingv2 as elbv2
    from aws_cdk import aws_sns as sns

__all__ = ["Alarms", "ServiceAlarms"]


def period() -> cdk.Duration:
    """Every alarm and graph uses 1-minute periods (the finest standard resolution); made
    on use, so that importing the module costs no jsii call."""
    return cdk.Duration.minutes(1)


@dataclass(frozen=True, kw_only=True)
class Alarms:
    """A service's alarms: each threshold can be changed, or turned off with ``None``.

    ``Alarms.off()`` turns all of them off. Alarm actions go to ``topic`` when one is given;
    the deployment alarms roll a deploy back either way.

    Attributes:
        target_5xx_percent: Web services: 5xx responses from the tasks, % of requests, 2 of 3
            minutes above. A deployment alarm. Default: 5 %.
        unhealthy_targets: Web services: targets failing their health check, 2 of 3 minutes at or
            above. A deployment alarm. Default: 1.
        response_time_p99_seconds: Web services: p99 target response time, 5 minutes in a row above.
            Default: 2 s.
        cpu_percent: Average CPU utilisation of the tasks, 5 minutes in a row above. Default: 90 %.
        memory_percent: Average memory utilisation of the tasks, 5 minutes in a row above. Default:
            90 %.
        tasks_missing_minutes: Minutes in a row with fewer tasks running than desired. Default: 10.
        topic: Where alarm and OK notifications go. Default: nowhere (the alarms still show in the
            console, and the deployment alarms still roll back).
        deployment_alarms: More alarms that mean "this version is bad" (a queue's dead letters, a
            business metric): any of them in ALARM during a deploy rolls it back. Default: none.
    """

    target_5xx_percent: float | None = 5.0
    unhealthy_targets: int | None = 1
    response_time_p99_seconds: float | None = 2.0
    cpu_percent: float | None = 90.0
    memory_percent: float | None = 90.0
    tasks_missing_minutes: int | None = 10
    topic: sns.ITopic | None = None
    deployment_alarms: Sequence[cloudwatch.IAlarm] = ()

    @checked("alarms.")
    def __post_init__(self) -> None:
        object.__setattr__(self, "deployment_alarms", tuple(self.deployment_alarms))
        for name, low, high in (
            ("target_5xx_percent", 0, 100),
            ("cpu_percent", 0, 100),
            ("memory_percent", 0, 100),
        ):
            value = getattr(self, name)
            if value is not None and not is_token(value) and not low < value < high:
                raise ConfigurationError(
                    f"alarms.{name}", value, f"above {low} and below {high} (%), or None for off"
                )
        for name, minimum in (("unhealthy_targets", 1), ("tasks_missing_minutes", 1)):
            value = getattr(self, name)
            if value is not None and not is_token(value) and value < minimum:
                raise ConfigurationError(
                    f"alarms.{name}", value, f"{minimum} or more, or None for off"
                )
        p99 = self.response_time_p99_seconds
        if p99 is not None and not is_token(p99) and not 0 < p99 <= 4000:
            raise ConfigurationError(
                "alarms.response_time_p99_seconds",
                p99,
                "above 0 and at most 4000 seconds (the load balancer's longest idle timeout), "
                "or None for off",
            )
        minutes = self.tasks_missing_minutes
        if minutes is not None and not is_token(minutes) and minutes > 1440:
            raise ConfigurationError(
                "alarms.tasks_missing_minutes",
                minutes,
                "at most 1440 (CloudWatch evaluates at most a day of 1-minute periods)",
            )

    @staticmethod
    def off() -> Alarms:
        """No alarm at all (and so no deployment alarm)."""
        return Alarms(
            target_5xx_percent=None,
            unhealthy_targets=None,
            response_time_p99_seconds=None,
            cpu_percent=None,
            memory_percent=None,
            tasks_missing_minutes=None,
        )


class ServiceAlarms(Construct):
    """The alarms of one service (``<service>/Alarms``): ``alarms`` by name, and the
    ``deployment_alarms`` ECS watches during a deploy."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        options: Alarms,
        target_groups: Sequence[elbv2.ApplicationTargetGroup] = (),
        load_balancer_name: str | None = None,
    ) -> None:
        """``load_balancer_name``: the full name of the target groups' load balancer."""
        super().__init__(scope, construct_id)
        self._options = options
        self._period: cdk.Duration | None = None
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        """Every alarm this construct defined, by name (``Target5xxRate``, ...)."""
        self._deployment: list[cloudwatch.IAlarm] = []
        if target_groups:
            assert load_balancer_name is not None
            self._watch_targets(tuple(target_groups), load_balancer_name)
        self._deployment.extend(options.deployment_alarms)

    def _minute(self) -> cdk.Duration:
        """The 1-minute period of every metric of these alarms, made once."""
        if self._period is None:
            self._period = period()
        return self._period

    @property
    def deployment_alarms(self) -> tuple[cloudwatch.IAlarm, ...]:
        """The alarms that roll a deploy back: 5xx rate, unhealthy targets, and the user's."""
        return tuple(self._deployment)

    def watch_service(self, service: ecs.Ec2Service, cluster_name: str) -> None:
        """Add the alarms on the service's own metrics (once it is defined)."""
        options = self._options
        if options.cpu_percent is not None:
            self._alarm(
                "CpuUtilization",
                service.metric_cpu_utilization(period=self._minute(), statistic="Average"),
                threshold=options.cpu_percent,
                periods=(5, 5),
                description=f"Average CPU above {options.cpu_percent} % of what the tasks "
                "reserve for 5 minutes: scale out, or give the task more CPU.",
            )
        if options.memory_percent is not None:
            self._alarm(
                "MemoryUtilization",
                service.metric_memory_utilization(period=self._minute(), statistic="Average"),
                threshold=options.memory_percent,
                periods=(5, 5),
                description=f"Average memory above {options.memory_percent} % for 5 minutes: "
                "tasks near their limit are killed (OutOfMemory).",
            )
        minutes = options.tasks_missing_minutes
        if minutes is not None:
            dimensions = {"ClusterName": cluster_name, "ServiceName": service.service_name}
            self._alarm(
                "TasksMissing",
                cloudwatch.MathExpression(
                    expression="FILL(desired, 0) - FILL(running, 0)",
                    using_metrics={
                        name: cloudwatch.Metric(
                            namespace="ECS/ContainerInsights",
                            metric_name=metric,
                            dimensions_map=dimensions,
                            statistic="Average",
                            period=self._minute(),
                        )
                        for name, metric in (
                            ("desired", "DesiredTaskCount"),
                            ("running", "RunningTaskCount"),
                        )
                    },
                    period=self._minute(),
                    label="Tasks desired but not running",
                ),
                threshold=1,
                periods=(minutes, minutes),
                inclusive=True,
                description=f"Fewer tasks running than desired for {minutes} minutes: no "
                "capacity to place them, or tasks that keep stopping (see the service's "
                "events).",
            )

    def _watch_targets(
        self, groups: tuple[elbv2.ApplicationTargetGroup, ...], load_balancer: str
    ) -> None:
        options = self._options
        names = [g.target_group_full_name for g in groups]

        def metric(index: int, name: str, statistic: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/ApplicationELB",
                metric_name=name,
                dimensions_map={"TargetGroup": names[index], "LoadBalancer": load_balancer},
                statistic=statistic,
                period=self._minute(),
            )

        indexes = range(len(groups))
        if options.target_5xx_percent is not None:
            rates = [
                cloudwatch.MathExpression(
                    expression=f"100 * FILL(errors{i}, 0) / FILL(requests{i}, 1)",
                    using_metrics={
                        f"errors{i}": metric(i, "HTTPCode_Target_5XX_Count", "Sum"),
                        f"requests{i}": metric(i, "RequestCount", "Sum"),
                    },
                    period=self._minute(),
                    label="Target 5xx responses, % of requests",
                )
                for i in indexes
            ]
            self._deployment.append(
                self._alarm(
                    "Target5xxRate",
                    _worst(rates, "rate", self._minute()),
                    threshold=options.target_5xx_percent,
                    periods=(3, 2),
                    description=f"5xx responses from the tasks above "
                    f"{options.target_5xx_percent} % of requests in 2 of 3 minutes. A "
                    "deployment alarm: a deploy in progress rolls back.",
                )
            )
        if options.unhealthy_targets is not None:
            unhealthy: cloudwatch.IMetric = metric(0, "UnHealthyHostCount", "Maximum")
            if len(groups) > 1:
                unhealthy = cloudwatch.MathExpression(
                    expression=" + ".join(f"FILL(unhealthy{i}, 0)" for i in indexes),
                    using_metrics={
                        f"unhealthy{i}": metric(i, "UnHealthyHostCount", "Maximum") for i in indexes
                    },
                    period=self._minute(),
                    label="Unhealthy targets",
                )
            self._deployment.append(
                self._alarm(
                    "UnhealthyTargets",
                    unhealthy,
                    threshold=options.unhealthy_targets,
                    periods=(3, 2),
                    inclusive=True,
                    description=f"At least {options.unhealthy_targets} target(s) failing "
                    "the load balancer's health check in 2 of 3 minutes. A deployment alarm: "
                    "a deploy in progress rolls back.",
                )
            )
        p99 = options.response_time_p99_seconds
        if p99 is not None:
            latencies: list[cloudwatch.IMetric] = [
                metric(i, "TargetResponseTime", "p99") for i in indexes
            ]
            if len(groups) > 1:
                latencies = [
                    cloudwatch.MathExpression(
                        expression=f"FILL(p99_{i}, 0)",
                        using_metrics={f"p99_{i}": latency},
                        period=self._minute(),
                        label="p99 target response time",
                    )
                    for i, latency in enumerate(latencies)
                ]
            self._alarm(
                "ResponseTimeP99",
                _worst(latencies, "latency", self._minute()),
                threshold=p99,
                periods=(5, 5),
                description=f"p99 target response time above {p99} s for 5 minutes.",
            )

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        periods: tuple[int, int],
        description: str,
        inclusive: bool = False,
    ) -> cloudwatch.Alarm:
        evaluation_periods, datapoints = periods
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints,
            comparison_operator=(
                cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
                if inclusive
                else cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
            ),
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        topic = self._options.topic
        if topic is not None:
            from aws_cdk import aws_cloudwatch_actions as actions

            action = actions.SnsAction(topic)
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)
        elif not self.alarms:
            # Made once, on this construct: its subtree is this service's alarms and nothing
            # else, and the rule asks every one of them the same question.
            acknowledge(
                self,
                "CloudWatchAlarmAction",
                "No Alarms(topic=...) given: the alarm notifies no one, it shows its state in "
                "the CloudWatch console, and a deployment alarm still rolls a deploy back.",
                packs=COMPLIANCE_PACKS,
            )
        self.alarms[construct_id] = alarm
        return alarm


def _worst(
    series: Sequence[cloudwatch.IMetric], name: str, period: cdk.Duration
) -> cloudwatch.IMetric:
    """The highest of the per-target-group series at each minute (the series itself when
    there is one target group)."""
    if len(series) == 1:
        return series[0]
    using = {f"{name}{i}": s for i, s in enumerate(series)}
    return cloudwatch.MathExpression(
        expression=f"MAX([{', '.join(using)}])",
        using_metrics=using,
        period=period,
        label=f"Worst {name} of the two target groups",
    )
