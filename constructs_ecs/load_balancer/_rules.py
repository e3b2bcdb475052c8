"""The listener rules the routes become."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
import jsii
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from constructs_ecs.load_balancer._routes import Route, RouteTable, clean_conditions

__all__ = ["TEST_LISTENER_RULE", "ListenerRoutes", "add_route"]

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


class ListenerRoutes:
    """What ``LoadBalancer`` and ``ExistingLoadBalancer`` share: services' routes become rules
    on ``listener`` (and, for blue/green, canary and linear, on the test listener), counted in
    ``routes``. A class using it sets ``routes`` and ``listener`` and says where test rules go.
    """

    routes: RouteTable
    listener: elbv2.IApplicationListener

    def _listener_for_tests(self) -> elbv2.IApplicationListener | None:
        """The listener blue/green test rules go on (``None``: no test rules)."""
        raise NotImplementedError

    @property
    def rule_count(self) -> int:
        """How many listener rules ``add_route`` and ``add_blue_green_route`` have defined, on
        ``listener`` and the test listener (quota: 100 per load balancer)."""
        return self.routes.rule_count

    @property
    def target_group_count(self) -> int:
        """How many target groups the rules forward to (at most 100 per load balancer)."""
        return self.routes.target_group_count

    def add_route(
        self,
        owner: Construct,
        *,
        target_group: elbv2.IApplicationTargetGroup,
        path_patterns: Sequence[str] = (),
        host_headers: Sequence[str] = (),
        priority: int | None = None,
    ) -> elbv2.ApplicationListenerRule:
        """Forward requests matching the patterns to ``target_group``; return the rule.

        The rule is defined inside ``owner`` (the service) as ``ListenerRule``, so each service
        owns its rule and one owner has at most one route. A request matches when its path
        matches one of ``path_patterns`` and its host one of ``host_headers``; an omitted
        condition matches every request. At least one is required: route a catch-all service
        with ``path_patterns=["/*"]``.

        Priority: ``priority`` when given (1-50000, unique on this load balancer); otherwise
        derived in the route's band (host and path, host, path, catch-all: the more specific
        first) from ``owner``'s construct path, stable across synths and unaffected by other
        services coming and going (``constructs_ecs.load_balancer._routes``). Routes of
        different bands combine freely; two routes of one band that can match the same
        request (``/api/*`` and ``/api/orders``) need explicit priorities (the lower number
        wins), and two with the same conditions are refused.

        :param owner: The construct that owns the rule, usually the service.
        :param target_group: Where matching requests go.
        :param path_patterns: Path patterns (case-sensitive, ``*`` and ``?`` wildcards, up to
            128 characters, starting with ``/`` or a wildcard). Default: any path.
        :param host_headers: Host names (case-insensitive, ``*`` and ``?`` wildcards, with a
            dot and a letters-only last label). Default: any host.
        :param priority: An explicit rule priority. Default: derived in the route's band.
        """
        return add_route(
            self.routes,
            self.listener,
            owner,
            target_group=target_group,
            path_patterns=path_patterns,
            host_headers=host_headers,
            priority=priority,
        )[0]

    def add_blue_green_route(
        self,
        owner: Construct,
        *,
        target_group: elbv2.IApplicationTargetGroup,
        alternate_target_group: elbv2.IApplicationTargetGroup,
        path_patterns: Sequence[str] = (),
        host_headers: Sequence[str] = (),
        priority: int | None = None,
    ) -> tuple[elbv2.ApplicationListenerRule, elbv2.ApplicationListenerRule | None]:
        """Route as ``add_route``, for a service that ECS deploys blue/green, canary or linear.

        Defines the production rule ``ListenerRule`` on ``listener``, forwarding to both target
        groups (weighted 100 and 0; ECS moves the weights), and the test rule
        ``TestListenerRule`` with the same conditions and priority on ``test_listener`` (defined
        with the first such route). Both hold one forward action only: ECS cannot shift a
        rule that also redirects, answers or authenticates. The route counts two target groups
        and two rules against the load balancer's quotas (one rule without a test listener).
        Returns both rules (the test rule ``None`` without a test listener).
        """
        return add_route(
            self.routes,
            self.listener,
            owner,
            target_group=target_group,
            alternate_target_group=alternate_target_group,
            test_listener=self._listener_for_tests(),
            path_patterns=path_patterns,
            host_headers=host_headers,
            priority=priority,
        )
