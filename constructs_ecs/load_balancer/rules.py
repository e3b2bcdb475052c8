"""The listener rules the routes become."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
import jsii
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from constructs_ecs.load_balancer.routes import Route, RouteTable, clean_conditions

__all__ = ["TEST_LISTENER_RULE", "add_route"]

TEST_LISTENER_RULE = "TestListenerRule"
"""Construct id, in the owner, of a blue/green route's rule on the test listener."""


def add_route(
    routes: RouteTable,
    listener: elbv2.IApplicationListener,
    owner: Construct,
    *,
    target_group: elbv2.IApplicationTargetGroup,
    path_patterns: Sequence[str],
    host_headers: Sequence[str],
    priority: int | None,
    alternate_target_group: elbv2.IApplicationTargetGroup | None = None,
    test_listener: elbv2.IApplicationListener | None = None,
) -> tuple[elbv2.ApplicationListenerRule, elbv2.ApplicationListenerRule | None]:
    """Check the route against ``routes`` and define its rule, ``ListenerRule`` in ``owner``,
    forwarding to ``target_group`` (see ``LoadBalancer.add_route``).

    With an ``alternate_target_group`` (blue/green, canary, linear), the rule forwards to both
    target groups, weighted 100 and 0, and ECS moves the weights during a deploy; with a
    ``test_listener`` too, a second rule with the same conditions and priority,
    ``TestListenerRule``, is defined on it. Both rules hold a single forward action, the only
    kind ECS can shift. Returns the rule and the test rule (``None`` without one).
    """
    owner_path = owner.node.path
    paths, hosts = clean_conditions(path_patterns, host_headers)
    shifting = alternate_target_group is not None
    routes.add(
        Route(
            owner=owner_path,
            hosts=hosts,
            paths=paths,
            priority=priority,
            target_groups=2 if shifting else 1,
            rules=2 if shifting and test_listener is not None else 1,
        )
    )
    conditions = []
    if hosts:
        conditions.append(elbv2.ListenerCondition.host_headers(list(hosts)))
    if paths:
        conditions.append(elbv2.ListenerCondition.path_patterns(list(paths)))
    rule_priority = priority or cdk.Lazy.number(_RulePriority(routes, owner_path))
    if alternate_target_group is None:
        rule = elbv2.ApplicationListenerRule(
            owner,
            "ListenerRule",
            listener=listener,
            priority=rule_priority,
            conditions=conditions,
            target_groups=[target_group],
        )
        return rule, None
    rules = [
        elbv2.ApplicationListenerRule(
            owner,
            rule_id,
            listener=on,
            priority=rule_priority,
            conditions=conditions,
            action=elbv2.ListenerAction.weighted_forward(
                [
                    elbv2.WeightedTargetGroup(target_group=target_group, weight=100),
                    elbv2.WeightedTargetGroup(target_group=alternate_target_group, weight=0),
                ]
            ),
        )
        for rule_id, on in (("ListenerRule", listener), (TEST_LISTENER_RULE, test_listener))
        if on is not None
    ]
    return rules[0], rules[1] if len(rules) > 1 else None


@jsii.implements(cdk.IStableNumberProducer)
class _RulePriority:
    """A rule's priority, from all the routes of its listener once they are known."""

    def __init__(self, routes: RouteTable, owner: str) -> None:
        self._routes = routes
        self._owner = owner

    def produce(self) -> int:
        return self._routes.priority_of(self._owner)
