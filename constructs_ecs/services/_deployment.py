"""How a service replaces its tasks: ``Deployment.rolling()``, ``.blue_green()``, ``.canary()``,
``.linear()``, ECS's own deployment strategies (the ECS deployment controller, no CodeDeploy).

The limits each factory checks are ECS's and CloudFormation's (``DeploymentConfiguration``,
``CanaryConfiguration``, ``LinearConfiguration``):

- bake time, canary and step intervals: whole minutes, 0 to 1440;
- canary percent: 0.1 to 100, in steps of 0.1; linear step: 3 to 100, in steps of 0.1;
- CloudFormation refuses a canary or linear deployment it computes to take more than 33 hours
  (``bake + interval`` for a canary, ``bake + interval x steps`` for linear), since its own
  operations time out after 36;
- at most 10 Lambda lifecycle hooks per service;
- rolling: minimum healthy 0 to 100 %, maximum 100 to 200 %, a deregistration delay of 0 to
  3600 seconds (the target group attribute), a grace period of whole seconds.

What depends on the service (daemon or replica, load balancer or Service Connect, static host
ports) is checked when the service is defined.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_ecs as ecs

from constructs_ecs._arguments import checked
from constructs_ecs._errors import ConfigurationError

if TYPE_CHECKING:
    from aws_cdk import aws_lambda as lambda_

__all__ = ["Deployment", "LifecycleHook", "rolling_counts"]

MAX_STEP_MINUTES = 1440
"""Bake times and intervals: at most 24 hours (ECS)."""
CLOUDFORMATION_MINUTES = 33 * 60
"""The longest canary or linear deployment CloudFormation accepts, as it computes it."""
MAX_LAMBDA_HOOKS = 10
"""Lambda lifecycle hooks per service (ECS)."""
MAX_DEREGISTRATION_S = 3600
"""A target group's deregistration delay: 0 to 3600 seconds (Elastic Load Balancing)."""
MAX_GRACE_S = 2_147_483_647
"""The longest health-check grace period ECS accepts, in seconds."""

BAKE_MINUTES = 5
"""Default bake time of blue/green, canary and linear: both revisions run this long after all
traffic moved, so a rollback is a weight flip, not a redeploy."""
CANARY_PERCENT = 5.0
CANARY_INTERVAL_MINUTES = 5
LINEAR_STEP_PERCENT = 20.0
LINEAR_INTERVAL_MINUTES = 3

ROLLING = ecs.DeploymentStrategy.ROLLING
TRAFFIC_SHIFTING = frozenset(
    {
        ecs.DeploymentStrategy.BLUE_GREEN,
        ecs.DeploymentStrategy.CANARY,
        ecs.DeploymentStrategy.LINEAR,
    }
)
"""The strategies that run a second revision and move traffic between two target groups."""


@dataclass(frozen=True, kw_only=True)
class LifecycleHook:
    """A Lambda function ECS invokes at stages of a blue/green, canary or linear deployment.

    The function returns ``{"hookStatus": "SUCCEEDED"}``, ``"FAILED"`` (the deployment rolls
    back) or ``"IN_PROGRESS"`` (ECS invokes it again). The service's ``hook_role`` may invoke
    it; nothing else is granted.

    Attributes:
        function: The function to invoke.
        stages: When: e.g. ``ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT`` to test the new
            revision through the test listener before production traffic moves.
    """

    function: lambda_.IFunction
    stages: Sequence[ecs.DeploymentLifecycleStage]

    @checked("lifecycle_hook.")
    def __post_init__(self) -> None:
        stages = tuple(self.stages)
        if not stages:
            raise ConfigurationError(
                "lifecycle_hook.stages", [], "at least one ecs.DeploymentLifecycleStage"
            )
        if len(set(stages)) != len(stages):
            raise ConfigurationError(
                "lifecycle_hook.stages", [s.value for s in stages], "each stage once"
            )
        object.__setattr__(self, "stages", stages)


@dataclass(frozen=True, kw_only=True)
class Deployment:
    """How a service replaces its tasks on a deploy. Make one with a factory:

    - ``Deployment.rolling()``: start new tasks, then stop old ones, in batches (the default);
    - ``Deployment.blue_green()``: start a full second revision, send it test traffic, move
      all production traffic at once, keep the old revision for the bake time;
    - ``Deployment.canary()``: as blue/green, but first ``percent`` of the traffic for
      ``interval``, then the rest;
    - ``Deployment.linear()``: as blue/green, moving ``step_percent`` more every ``interval``.

    Every strategy keeps the circuit breaker (rollback when tasks do not stabilise) and the
    service's deployment alarms (rollback when one fires). The last three need a load balancer
    (``WebService``) or a Service Connect server (``WorkerService`` with a ``dns_name``), run
    twice the tasks while they deploy, and take a second target group and a test listener rule.

    Attributes:
        strategy: ECS's deployment strategy.
        bake_time: Blue/green, canary, linear: how long both revisions run after all traffic moved.
        interval: Canary: time at ``percent`` before the rest moves. Linear: time between steps.
        percent: Canary: share of traffic sent to the new revision first.
        step_percent: Linear: share of traffic moved at each step.
        lifecycle_hooks: Blue/green, canary, linear: Lambda functions ECS invokes at the stages they
            name.
        min_healthy_percent: Rolling: tasks kept running and healthy during a deploy, % of the
            desired count.
        max_percent: Rolling: most tasks running during a deploy, % of the desired count.
        deregistration_delay: Web services: time the load balancer lets old tasks finish their
            requests.
        health_check_grace: Rolling, web services: time a new task has before load balancer health
            checks count.
    """

    strategy: ecs.DeploymentStrategy
    bake_time: cdk.Duration | None = None
    interval: cdk.Duration | None = None
    percent: float | None = None
    step_percent: float | None = None
    lifecycle_hooks: Sequence[LifecycleHook] = ()
    min_healthy_percent: int | None = None
    max_percent: int | None = None
    deregistration_delay: cdk.Duration | None = None
    health_check_grace: cdk.Duration | None = None

    @checked("deployment.")
    def __post_init__(self) -> None:
        object.__setattr__(self, "lifecycle_hooks", tuple(self.lifecycle_hooks))
        rolling_only: dict[str, object] = {
            "min_healthy_percent": self.min_healthy_percent,
            "max_percent": self.max_percent,
            "health_check_grace": self.health_check_grace,
        }
        self._check_delay()
        if self.strategy == ROLLING:
            self._check_rolling()
            shifting: dict[str, object] = {
                "bake_time": self.bake_time,
                "interval": self.interval,
                "percent": self.percent,
                "step_percent": self.step_percent,
                "lifecycle_hooks": self.lifecycle_hooks or None,
            }
            for name, value in shifting.items():
                if value is not None:
                    raise ConfigurationError(
                        f"deployment.{name}",
                        _shown(value),
                        "only for Deployment.blue_green(), canary() or linear()",
                    )
            return
        for name, value in rolling_only.items():
            if value is not None:
                raise ConfigurationError(
                    f"deployment.{name}", _shown(value), "only for Deployment.rolling()"
                )
        self._check_shifting()

    # ------------------------------------------------------------------------- factories

    @staticmethod
    @checked("deployment.")
    def rolling(
        *,
        min_healthy_percent: int | None = None,
        max_percent: int | None = None,
        deregistration_delay: cdk.Duration | None = None,
        health_check_grace: cdk.Duration | None = None,
    ) -> Deployment:
        """Replace tasks in batches: start new ones, wait until they are healthy, stop old ones.

        :param min_healthy_percent: Tasks kept running and healthy, % of the desired count
            (0-100). Default: 100 (full capacity throughout); 0 for a daemon.
        :param max_percent: Most tasks running during the deploy, % of the desired count
            (100-200; above 100 starts new tasks before stopping old ones). Default: 200; 100
            for a daemon (ECS requires it).
        :param deregistration_delay: Web services: time the load balancer gives old tasks to
            finish in-flight requests (0-3600 s). Default: 30 seconds.
        :param health_check_grace: Web services: time a new task has to start before failed
            load balancer health checks count. Default: 60 seconds.
        """
        return Deployment(
            strategy=ROLLING,
            min_healthy_percent=min_healthy_percent,
            max_percent=max_percent,
            deregistration_delay=deregistration_delay,
            health_check_grace=health_check_grace,
        )

    @staticmethod
    @checked("deployment.")
    def blue_green(
        *,
        bake_time: cdk.Duration | None = None,
        lifecycle_hooks: Sequence[LifecycleHook] = (),
        deregistration_delay: cdk.Duration | None = None,
    ) -> Deployment:
        """Start the new revision in full beside the old, then move all traffic at once.

        :param bake_time: How long the old revision keeps running after the shift, ready for
            an instant rollback (whole minutes, 0-1440). Default: 5 minutes.
        :param lifecycle_hooks: Lambda functions invoked at deployment stages (at most 10).
            Default: none.
        :param deregistration_delay: Web services: time the load balancer gives old tasks to
            finish in-flight requests once traffic has moved off them (0-3600 s). Default: 30
            seconds.
        """
        return Deployment(
            strategy=ecs.DeploymentStrategy.BLUE_GREEN,
            bake_time=bake_time,
            lifecycle_hooks=lifecycle_hooks,
            deregistration_delay=deregistration_delay,
        )

    @staticmethod
    @checked("deployment.")
    def canary(
        *,
        percent: float = CANARY_PERCENT,
        interval: cdk.Duration | None = None,
        bake_time: cdk.Duration | None = None,
        lifecycle_hooks: Sequence[LifecycleHook] = (),
        deregistration_delay: cdk.Duration | None = None,
    ) -> Deployment:
        """Send ``percent`` of the traffic to the new revision for ``interval``, then the rest.

        :param percent: Share of the traffic sent first (0.1-100, steps of 0.1). Default: 5.
        :param interval: Time at that share, for the deployment alarms to judge it (whole
            minutes, 0-1440). Default: 5 minutes.
        :param bake_time: How long the old revision keeps running after the full shift (whole
            minutes, 0-1440). Default: 5 minutes.
        :param lifecycle_hooks: Lambda functions invoked at deployment stages. Default: none.
        :param deregistration_delay: Web services: time the load balancer gives old tasks to
            finish in-flight requests once traffic has moved off them (0-3600 s). Default: 30
            seconds.
        """
        return Deployment(
            strategy=ecs.DeploymentStrategy.CANARY,
            percent=percent,
            interval=interval,
            bake_time=bake_time,
            lifecycle_hooks=lifecycle_hooks,
            deregistration_delay=deregistration_delay,
        )

    @staticmethod
    @checked("deployment.")
    def linear(
        *,
        step_percent: float = LINEAR_STEP_PERCENT,
        interval: cdk.Duration | None = None,
        bake_time: cdk.Duration | None = None,
        lifecycle_hooks: Sequence[LifecycleHook] = (),
        deregistration_delay: cdk.Duration | None = None,
    ) -> Deployment:
        """Move ``step_percent`` more of the traffic to the new revision every ``interval``.

        :param step_percent: Share moved at each step (3-100, steps of 0.1). Default: 20.
        :param interval: Time between steps (whole minutes, 0-1440). Default: 3 minutes.
        :param bake_time: How long the old revision keeps running after the last step (whole
            minutes, 0-1440). Default: 5 minutes.
        :param lifecycle_hooks: Lambda functions invoked at deployment stages. Default: none.
        :param deregistration_delay: Web services: time the load balancer gives old tasks to
            finish in-flight requests once traffic has moved off them (0-3600 s). Default: 30
            seconds.
        """
        return Deployment(
            strategy=ecs.DeploymentStrategy.LINEAR,
            step_percent=step_percent,
            interval=interval,
            bake_time=bake_time,
            lifecycle_hooks=lifecycle_hooks,
            deregistration_delay=deregistration_delay,
        )

    # ------------------------------------------------------------------------- derived

    @property
    def shifts_traffic(self) -> bool:
        """Whether this runs a second revision behind a second target group."""
        return self.strategy in TRAFFIC_SHIFTING

    def rolling_bounds(self, tasks: int) -> tuple[int, int, int]:
        """A rolling deploy of ``tasks``: the fewest tasks it keeps running (the minimum
        healthy percent, rounded up as ECS does), the most it runs (the maximum percent,
        rounded down) and that maximum percent. A percent given as a token counts as its
        default, 100 and 200."""
        low, high = self.min_healthy_percent, self.max_percent
        low = 100 if low is None or cdk.Token.is_unresolved(low) else low
        high = 200 if high is None or cdk.Token.is_unresolved(high) else high
        return (*rolling_counts(tasks, low, high), high)

    @property
    def bake_minutes(self) -> int:
        return _minutes(self.bake_time, BAKE_MINUTES)

    @property
    def interval_minutes(self) -> int:
        default = (
            CANARY_INTERVAL_MINUTES
            if self.strategy == ecs.DeploymentStrategy.CANARY
            else LINEAR_INTERVAL_MINUTES
        )
        return _minutes(self.interval, default)

    def traffic_shift(self) -> ecs.TrafficShiftConfig | None:
        """Canary or linear configuration for ``ecs.Ec2Service``."""
        interval = self.interval or cdk.Duration.minutes(self.interval_minutes)
        if self.strategy == ecs.DeploymentStrategy.CANARY:
            percent = self.percent
        elif self.strategy == ecs.DeploymentStrategy.LINEAR:
            percent = self.step_percent
        else:
            return None
        if percent is not None and not cdk.Token.is_unresolved(percent):
            percent = round(percent, 1)  # 0.3 * 10 is not 3.0 in floating point
        return ecs.TrafficShiftConfig(step_percent=percent, step_bake_time=interval)

    def linear_steps(self) -> int:
        """The waits CloudFormation counts for a linear deployment (none after 100 %)."""
        assert self.step_percent is not None
        tenths = round(self.step_percent * 10)
        return 1000 // tenths - 1 if 1000 % tenths == 0 else 1000 // tenths

    # ------------------------------------------------------------------------- checks

    def _check_rolling(self) -> None:
        low, high = self.min_healthy_percent, self.max_percent
        if low is not None and not cdk.Token.is_unresolved(low) and not 0 <= low <= 100:
            raise ConfigurationError(
                "deployment.min_healthy_percent", low, "0 to 100 (% of the desired count)"
            )
        if high is not None and not cdk.Token.is_unresolved(high) and not 100 <= high <= 200:
            raise ConfigurationError(
                "deployment.max_percent",
                high,
                "100 to 200 (% of the desired count): a deploy replaces every task once, so "
                "more than 200 % starts nothing sooner",
            )
        grace = _seconds(self.health_check_grace)
        if grace is not None and (grace != int(grace) or not 0 <= grace <= MAX_GRACE_S):
            raise ConfigurationError(
                "deployment.health_check_grace",
                _shown(self.health_check_grace),
                f"0 to {MAX_GRACE_S} whole seconds",
            )

    def _check_delay(self) -> None:
        delay = _seconds(self.deregistration_delay)
        if delay is not None and (delay != int(delay) or not 0 <= delay <= MAX_DEREGISTRATION_S):
            raise ConfigurationError(
                "deployment.deregistration_delay",
                _shown(self.deregistration_delay),
                f"whole seconds, 0 to {MAX_DEREGISTRATION_S} (a target group attribute)",
            )

    def _check_shifting(self) -> None:
        for name in ("bake_time", "interval"):
            value = getattr(self, name)
            if value is None or value.is_unresolved():
                continue
            minutes = value.to_minutes(integral=False)
            if minutes != int(minutes) or not 0 <= minutes <= MAX_STEP_MINUTES:
                raise ConfigurationError(
                    f"deployment.{name}",
                    _shown(value),
                    f"whole minutes, 0 to {MAX_STEP_MINUTES} (24 hours)",
                )
        strategy = self.strategy
        if strategy == ecs.DeploymentStrategy.BLUE_GREEN:
            for name in ("interval", "percent", "step_percent"):
                if getattr(self, name) is not None:
                    raise ConfigurationError(
                        f"deployment.{name}",
                        _shown(getattr(self, name)),
                        "only for Deployment.canary() or linear(): blue/green moves all "
                        "traffic at once",
                    )
        elif strategy == ecs.DeploymentStrategy.CANARY:
            if self.step_percent is not None:
                raise ConfigurationError(
                    "deployment.step_percent", self.step_percent, "only for Deployment.linear()"
                )
            _check_percent("deployment.percent", self.percent, 0.1)
            self._check_cloudformation_time(self.interval_minutes, "bake_time + interval")
        elif strategy == ecs.DeploymentStrategy.LINEAR:
            if self.percent is not None:
                raise ConfigurationError(
                    "deployment.percent", self.percent, "only for Deployment.canary()"
                )
            _check_percent("deployment.step_percent", self.step_percent, 3.0)
            if not cdk.Token.is_unresolved(self.step_percent):
                steps = self.linear_steps()
                self._check_cloudformation_time(
                    self.interval_minutes * steps, f"bake_time + interval x {steps} steps"
                )
        hooks = self.lifecycle_hooks
        if len(hooks) > MAX_LAMBDA_HOOKS:
            raise ConfigurationError(
                "deployment.lifecycle_hooks",
                f"{len(hooks)} hooks",
                f"at most {MAX_LAMBDA_HOOKS} Lambda lifecycle hooks per service (ECS)",
            )

    def _check_cloudformation_time(self, shifting_minutes: int, formula: str) -> None:
        if any(d is not None and d.is_unresolved() for d in (self.bake_time, self.interval)):
            return
        total = self.bake_minutes + shifting_minutes
        if total > CLOUDFORMATION_MINUTES:
            raise ConfigurationError(
                "deployment.interval",
                f"{formula} = {total} minutes",
                f"at most {CLOUDFORMATION_MINUTES} minutes (33 hours): CloudFormation refuses "
                "a longer canary or linear deployment (its operations time out after 36 "
                "hours); shorten the interval or the bake time, or take larger steps",
            )


def rolling_counts(tasks: int, low: float, high: float) -> tuple[int, int]:
    """What a rolling deploy of ``tasks`` at ``low`` % minimum healthy and ``high`` % maximum
    keeps running and runs at most: ECS rounds the minimum up and the maximum down."""
    return math.ceil(tasks * low / 100), math.floor(tasks * high / 100)


def _check_percent(field: str, value: float | None, minimum: float) -> None:
    if value is None or cdk.Token.is_unresolved(value):
        return
    tenths = value * 10
    if not minimum <= value <= 100 or not math.isclose(tenths, round(tenths), abs_tol=1e-6):
        raise ConfigurationError(field, value, f"{minimum} to 100, in steps of 0.1")


def _minutes(value: cdk.Duration | None, default: int) -> int:
    if value is None or value.is_unresolved():
        return default
    return int(value.to_minutes(integral=False))


def _seconds(value: cdk.Duration | None) -> float | None:
    if value is None or value.is_unresolved():
        return None
    return value.to_seconds(integral=False)


def _shown(value: object) -> object:
    """A duration as its human form in a message, anything else as given."""
    if isinstance(value, cdk.Duration):
        return "a CDK token" if value.is_unresolved() else value.to_human_string()
    return value
