"""The listener rules the routes become."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
import jsii
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from constructs_ecs.load_balancer.routes import Route, RouteTable, clean_conditions

__all__ = ["add_route"]


def add_route(
    routes: RouteTable,
    listener: elbv2.IApplicationListener,
    owner: Construct,
    *,
    target_group: elbv2.IApplicationTargetGroup,
    path_patterns: Sequence[str],
    host_headers: Sequence[str],
    priority: int | None,
) -> elbv2.ApplicationListenerRule:
    """Check the route against ``routes`` and define its rule, ``ListenerRule`` in ``owner``,
    forwarding to ``target_group`` (see ``LoadBalancer.add_route``)."""
    owner_path = owner.node.path
    paths, hosts = clean_conditions(path_patterns, host_headers)
    routes.add(Route(owner=owner_path, hosts=hosts, paths=paths, priority=priority))
    conditions = []
    if hosts:
        conditions.append(elbv2.ListenerCondition.host_headers(list(hosts)))
    if paths:
        conditions.append(elbv2.ListenerCondition.path_patterns(list(paths)))
    return elbv2.ApplicationListenerRule(
        owner,
        "ListenerRule",
        listener=listener,
        priority=priority or cdk.Lazy.number(_RulePriority(routes, owner_path)),
        conditions=conditions,
        target_groups=[target_group],
    )


@jsii.implements(cdk.IStableNumberProducer)
class _RulePriority:
    """A rule's priority, from all the routes of its listener once they are known."""

    def __init__(self, routes: RouteTable, owner: str) -> None:
        self._routes = routes
        self._owner = owner

    def produce(self) -> int:
        return self._routes.priority_of(self._owner)
