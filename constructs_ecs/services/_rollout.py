"""A ``Deployment`` checked against the service it deploys, as ``ecs.Ec2Service`` keywords:
strategy, percentages, bake time, traffic shift, Availability Zone rebalancing; and the
lifecycle hooks, with the role ECS invokes them with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from constructs import Construct

from constructs_ecs._arguments import is_token
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._nag import explain_inline_policies, explain_wildcards
from constructs_ecs.services._deployment import Deployment, LifecycleHook, rolling_counts
from constructs_ecs.services._options import Placement, placement_rules

__all__ = ["AZ_ATTRIBUTE", "add_lifecycle_hooks", "deployment_settings"]

AZ_ATTRIBUTE = "attribute:ecs.availability-zone"
"""The placement attribute of an instance's Availability Zone."""
_NO_REBALANCING = "or Placement(availability_zone_rebalancing=False)"


def deployment_settings(
    deployment: Deployment,
    *,
    placement: Placement,
    cluster_strategies: Sequence[ecs.PlacementStrategy],
    counts: tuple[int, int],
    daemon: bool = False,
    web: bool = False,
) -> dict[str, Any]:
    """The ``ecs.Ec2Service`` keywords of ``deployment`` for a service with ``placement``
    (the cluster's strategies when it names none) that runs ``counts`` tasks (fewest, most)."""
    if daemon and deployment.shifts_traffic:
        raise ConfigurationError(
            "deployment",
            f"Deployment.{deployment.strategy.value.lower()}()",
            "Deployment.rolling() for a daemon: ECS replaces a daemon's task instance by "
            "instance and has no second revision to shift traffic to",
        )
    if not web:
        for name in ("deregistration_delay", "health_check_grace"):
            value = getattr(deployment, name)
            if value is not None:
                raise ConfigurationError(
                    f"deployment.{name}",
                    "a CDK token" if value.is_unresolved() else value.to_human_string(),
                    "only for a WebService: a worker has no target group or load balancer "
                    "health check",
                )
    low, high = deployment.min_healthy_percent, deployment.max_percent
    if daemon:
        # Replaced instance by instance: stop the old task, then start the new.
        if high is not None and high != 100:
            raise ConfigurationError(
                "deployment.max_percent",
                high,
                "100 for a daemon (ECS requires it: an instance runs one copy, so the old task "
                "stops before the new one starts)",
            )
        low = 0 if low is None else low
        high = 100
    else:
        low = 100 if low is None else low
        high = 200 if high is None else high
        _check_progress(low, high, counts)
    settings: dict[str, Any] = {
        "min_healthy_percent": low,
        "max_healthy_percent": high,
        "deployment_strategy": deployment.strategy,
        "availability_zone_rebalancing": _az_rebalancing(
            placement, cluster_strategies, daemon=daemon, max_percent=high
        ),
    }
    if deployment.shifts_traffic:
        settings["bake_time"] = deployment.bake_time or cdk.Duration.minutes(
            deployment.bake_minutes
        )
        shift = deployment.traffic_shift()
        if deployment.strategy == ecs.DeploymentStrategy.CANARY:
            settings["canary_configuration"] = shift
        elif deployment.strategy == ecs.DeploymentStrategy.LINEAR:
            settings["linear_configuration"] = shift
    return settings


def _check_progress(low: int, high: int, counts: tuple[int, int]) -> None:
    """A rolling deploy must be able to stop an old task or start a new one at every task count
    the service may run (ECS rounds the minimum up and the maximum down)."""
    fewest, most = counts
    if any(is_token(v) for v in (low, high, fewest, most)):
        return
    for tasks in range(max(fewest, 1), most + 1):
        kept, running = rolling_counts(tasks, low, high)
        if not (kept < tasks or running > tasks):
            raise ConfigurationError(
                "deployment.max_percent",
                high,
                f"with {tasks} task(s), minimum {low} % keeps all {tasks} running and maximum "
                f"{high} % starts none beside them, so a deploy never progresses: raise "
                "max_percent or lower min_healthy_percent",
            )


def _az_rebalancing(
    placement: Placement,
    cluster_strategies: Sequence[ecs.PlacementStrategy],
    *,
    daemon: bool,
    max_percent: int,
) -> ecs.AvailabilityZoneRebalancing:
    """On for replica services where ECS allows it: not daemons, a maximum above 100 %, no
    strategy but an AZ spread first, no constraint on the Availability Zone."""
    wanted = placement.availability_zone_rebalancing
    off = ecs.AvailabilityZoneRebalancing.DISABLED
    if wanted is False:
        return off
    if daemon:
        if wanted:
            raise ConfigurationError(
                "placement.availability_zone_rebalancing",
                True,
                "not for a daemon: it runs one task on every instance, wherever that is",
            )
        return off
    if not cdk.Token.is_unresolved(max_percent) and max_percent <= 100:
        if wanted:
            raise ConfigurationError(
                "placement.availability_zone_rebalancing",
                True,
                "a maximum above 100 %: ECS rebalances by starting a task in the emptier zone "
                f"before stopping one (the deployment's max_percent is {max_percent})",
            )
        return off
    strategies, source = placement.strategies, "placement.strategies"
    if strategies is None:
        strategies, source = cluster_strategies, "the cluster's placement_strategies"
    rules = placement_rules(strategies)
    if rules and not (rules[0].type == "spread" and rules[0].field == AZ_ATTRIBUTE):
        raise ConfigurationError(
            "placement.strategies",
            [f"{rule.type}:{rule.field}" for rule in rules],
            f"a first strategy that spreads across Availability Zones ({source} begin with "
            f"{rules[0].type} on {rules[0].field}): ECS rebalances a service across zones only "
            "then; put ecs.PlacementStrategy.spread_across(ecs.BuiltInAttributes."
            f"AVAILABILITY_ZONE) first, {_NO_REBALANCING}",
        )
    for constraint in placement.constraints:
        for rule in constraint.to_json():
            expression = rule.expression
            if isinstance(expression, str) and AZ_ATTRIBUTE.split(":")[1] in expression:
                raise ConfigurationError(
                    "placement.constraints",
                    expression,
                    "no constraint on the Availability Zone: ECS cannot rebalance a service "
                    f"across zones it may not use; drop the constraint, {_NO_REBALANCING}",
                )
    return ecs.AvailabilityZoneRebalancing.ENABLED


def add_lifecycle_hooks(
    scope: Construct, service: ecs.Ec2Service, hooks: Sequence[LifecycleHook]
) -> iam.Role | None:
    """Register ``hooks`` on ``service`` with one role, ``HookRole`` in ``scope``, that may
    invoke those functions and nothing else; ``None`` without hooks."""
    if not hooks:
        return None
    role = iam.Role(
        scope,
        "HookRole",
        assumed_by=iam.ServicePrincipal("ecs.amazonaws.com"),
        description="ECS invokes this service's deployment lifecycle hooks",
    )
    for index, hook in enumerate(hooks):
        hook.function.grant_invoke(role)
        service.add_lifecycle_hook(
            ecs.DeploymentLifecycleLambdaTarget(
                hook.function, f"Hook{index}", lifecycle_stages=list(hook.stages), role=role
            )
        )
    explain_wildcards(role, _hook_wildcard_reason)
    explain_inline_policies(role)
    # The service names the role; its policy must exist too before ECS invokes a hook.
    service.node.add_dependency(role.node.find_child("DefaultPolicy"))
    return role


def _hook_wildcard_reason(actions: frozenset[str], resource: str) -> str | None:
    """Why the role ECS invokes lifecycle hooks with may invoke ``<function>:*``."""
    if actions <= {"lambda:InvokeFunction"} and resource.endswith(":*"):
        return (
            "Deployment lifecycle hooks: ':*' names the versions and aliases of one hook "
            "function (CDK's grantInvoke), which ECS invokes during a deploy."
        )
    return None
