"""How an ECS service redeploys: its deployment strategy and a rollout time modelled from the
template.

The model (also in the docs): a task counts once its load balancer finds it healthy, after
``HealthCheckIntervalSeconds * HealthyThresholdCount`` of its target group, or after the
service's health-check grace period when that is longer; a replaced task then drains for the
target group's deregistration delay. A rolling deployment runs ``desired count / (tasks that
may run - tasks that must stay healthy)`` such batches, from MaximumPercent (rounded down) and
MinimumHealthyPercent (rounded up). Blue/green, canary and linear deployments start every new
task at once, then add their bake times. Image pulls, container start-up and placement waits
are not in the template, so the figure is a floor.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from constructs_ecs.review._assembly import Assembly, ResourceKey
from constructs_ecs.review._intrinsics import Resolver, as_list, properties_of

SCALABLE_TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
REDEPLOYING_PROPERTIES = frozenset(
    {
        "CapacityProviderStrategy",
        "ForceNewDeployment",
        "LoadBalancers",
        "NetworkConfiguration",
        "PlacementConstraints",
        "PlacementStrategies",
        "PlatformVersion",
        "ServiceConnectConfiguration",
        "ServiceRegistries",
        "TaskDefinition",
        "VolumeConfigurations",
    }
)
"""Service properties whose change starts a new ECS deployment (new tasks replace the old)."""
_DEREGISTRATION_DELAY = 300
_INTERVAL: Mapping[str, int] = {"lambda": 35, "GENEVE": 10}


@dataclass(frozen=True, kw_only=True)
class Rollout:
    """One service's redeployment: why, how, and the modelled time (``None``: not modelled)."""

    service: ResourceKey
    reasons: tuple[str, ...]
    strategy: str
    model: str
    seconds: int | None
    warning: str | None = None


def duration(seconds: int) -> str:
    """``45 s``, ``2 min 30 s``, ``1 h 5 min``."""
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _number(value: Any, default: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return default
    return default


@dataclass(frozen=True, kw_only=True)
class _Health:
    healthy: int
    """Seconds for a new task to count: the longer of the health checks and the grace period."""
    drain: int
    text: str


class RolloutModel:
    """Rollouts of the services of one assembly (the pull request's head)."""

    def __init__(self, assembly: Assembly, resolver: Resolver) -> None:
        self.assembly = assembly
        self.resolver = resolver

    def _target_groups(self, key: ResourceKey, properties: dict[str, Any]) -> list[dict[str, Any]]:
        stack = self.assembly.stack(key[0])
        found = []
        for item in as_list(properties.get("LoadBalancers")):
            if isinstance(item, dict):
                group_key = self.resolver.key(stack, item.get("TargetGroupArn"))
                group = self.assembly.resource(group_key) if group_key else None
                if group is not None:
                    found.append(properties_of(group))
        return found

    def _health(self, key: ResourceKey, properties: dict[str, Any]) -> _Health:
        grace = _int(properties.get("HealthCheckGracePeriodSeconds")) or 0
        groups = self._target_groups(key, properties)
        if not groups:
            return _Health(
                healthy=grace,
                drain=0,
                text=(
                    f"{grace} s health-check grace period"
                    if grace
                    else "no load balancer: a task counts once it runs"
                ),
            )
        checks, drain = 0, 0
        check_text = ""
        for group in groups:
            interval = _int(group.get("HealthCheckIntervalSeconds")) or _INTERVAL.get(
                str(group.get("TargetType", group.get("Protocol", ""))), 30
            )
            threshold = _int(group.get("HealthyThresholdCount")) or 5
            if interval * threshold >= checks:
                checks = interval * threshold
                check_text = (
                    f"{interval} s \N{MULTIPLICATION SIGN} {threshold} health checks = {checks} s"
                )
            delay = _DEREGISTRATION_DELAY
            for attribute in as_list(group.get("TargetGroupAttributes")):
                if (
                    isinstance(attribute, dict)
                    and attribute.get("Key") == "deregistration_delay.timeout_seconds"
                ):
                    delay = _int(attribute.get("Value")) or 0
            drain = max(drain, delay)
        if grace > checks:
            healthy, healthy_text = grace, f"{grace} s grace period (longer than {check_text})"
        else:
            healthy, healthy_text = checks, check_text
            if grace:
                healthy_text += f", grace period {grace} s"
        return _Health(
            healthy=healthy,
            drain=drain,
            text=f"{healthy_text}; then {drain} s deregistration delay",
        )

    def _desired(self, key: ResourceKey, properties: dict[str, Any]) -> tuple[int, str]:
        desired = _int(properties.get("DesiredCount"))
        maximum = None
        for reference in self.resolver.referrers(key):
            source = self.assembly.resource(reference.source)
            if source is not None and source["Type"] == SCALABLE_TARGET:
                maximum = _int(properties_of(source).get("MaxCapacity"))
        if desired is None:
            return 1, "desired count not in the template: 1 task assumed"
        text = f"{desired} task(s)"
        if maximum is not None and maximum > desired:
            text += f" (auto scaling up to {maximum}: longer when scaled out)"
        return desired, text

    def rollout(self, key: ResourceKey, reasons: tuple[str, ...]) -> Rollout:
        """The redeployment of the service at ``key`` (in the head assembly)."""
        resource = self.assembly.resource(key) or {}
        properties = properties_of(resource)
        config = properties.get("DeploymentConfiguration")
        config = config if isinstance(config, dict) else {}
        controller = properties.get("DeploymentController")
        kind = controller.get("Type", "ECS") if isinstance(controller, dict) else "ECS"
        if kind != "ECS":
            return Rollout(
                service=key,
                reasons=reasons,
                strategy=f"{kind} deployment controller",
                model="not modelled: the deployment is driven outside the template",
                seconds=None,
            )
        health = self._health(key, properties)
        strategy = str(config.get("Strategy", "ROLLING"))
        if properties.get("SchedulingStrategy") == "DAEMON":
            minimum = _int(config.get("MinimumHealthyPercent"))
            return Rollout(
                service=key,
                reasons=reasons,
                strategy=f"daemon, minimum healthy {0 if minimum is None else minimum} %",
                model=(
                    "one task per instance, stopped and started again instance by instance: "
                    f"about {duration(health.healthy + health.drain)} each ({health.text})"
                ),
                seconds=None,
            )
        if strategy == "ROLLING":
            return self._rolling(key, reasons, properties, config, health)
        return self._shifting(key, reasons, strategy, config, health)

    def _rolling(
        self,
        key: ResourceKey,
        reasons: tuple[str, ...],
        properties: dict[str, Any],
        config: dict[str, Any],
        health: _Health,
    ) -> Rollout:
        minimum = _int(config.get("MinimumHealthyPercent"))
        maximum = _int(config.get("MaximumPercent"))
        minimum = 100 if minimum is None else minimum
        maximum = 200 if maximum is None else maximum
        strategy = f"rolling, minimum healthy {minimum} %, maximum {maximum} %"
        breaker = config.get("DeploymentCircuitBreaker")
        if isinstance(breaker, dict) and breaker.get("Enable") in (True, "true"):
            rollback = breaker.get("Rollback") in (True, "true")
            strategy += ", circuit breaker" + (" with rollback" if rollback else "")
        bake = _int(config.get("BakeTimeInMinutes")) or 0
        desired, desired_text = self._desired(key, properties)
        room = math.floor(desired * maximum / 100) - math.ceil(desired * minimum / 100)
        if desired and room <= 0:
            return Rollout(
                service=key,
                reasons=reasons,
                strategy=strategy,
                model=f"{desired_text}: no task can be replaced",
                seconds=None,
                warning=(
                    f"MaximumPercent {maximum} leaves no room above MinimumHealthyPercent "
                    f"{minimum} for {desired} task(s): the deployment cannot start a new task"
                ),
            )
        batches = math.ceil(desired / room) if desired else 0
        per_batch = health.healthy + health.drain
        if not per_batch and not bake:
            return Rollout(
                service=key,
                reasons=reasons,
                strategy=strategy,
                model=(
                    f"{desired_text}, up to {room} replaced at a time: {batches} batch(es); "
                    "no health check or grace period in the template to time them"
                ),
                seconds=None,
            )
        seconds = batches * per_batch + bake * 60
        model = (
            f"{desired_text}, up to {room} replaced at a time: {batches} batch(es) "
            f"\N{MULTIPLICATION SIGN} {duration(per_batch)} ({health.text})"
        )
        if bake:
            model += f" + {bake} min bake time"
        return Rollout(
            service=key,
            reasons=reasons,
            strategy=strategy,
            model=f"{model} ≈ {duration(seconds)}",
            seconds=seconds,
        )

    @staticmethod
    def _shifting(
        key: ResourceKey,
        reasons: tuple[str, ...],
        strategy: str,
        config: dict[str, Any],
        health: _Health,
    ) -> Rollout:
        bake = _int(config.get("BakeTimeInMinutes"))
        bake = 15 if bake is None else bake
        shifting = 0
        text = strategy.lower().replace("_", "/")
        if strategy == "CANARY":
            canary = config.get("CanaryConfiguration")
            canary = canary if isinstance(canary, dict) else {}
            percent = _number(canary.get("CanaryPercent"), 5.0)
            wait = _int(canary.get("CanaryBakeTimeInMinutes"))
            shifting = 10 if wait is None else wait
            text += f": {percent:g} % of traffic for {shifting} min, then the rest"
        elif strategy == "LINEAR":
            linear = config.get("LinearConfiguration")
            linear = linear if isinstance(linear, dict) else {}
            step = _number(linear.get("StepPercent"), 10.0)
            wait = _int(linear.get("StepBakeTimeInMinutes"))
            wait = 6 if wait is None else wait
            steps = math.ceil(100 / step) if step > 0 else 1
            shifting = (steps - 1) * wait
            text += f": {step:g} % of traffic every {wait} min ({steps} steps)"
        seconds = health.healthy + (shifting + bake) * 60 + health.drain
        model = (
            f"every new task at once, then {shifting} min of traffic shifting and {bake} min "
            f"bake time ({health.text}) ≈ {duration(seconds)}"
        )
        return Rollout(service=key, reasons=reasons, strategy=text, model=model, seconds=seconds)
