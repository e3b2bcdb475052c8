"""The role web services depend on: a load balancer they route through
(``ServiceLoadBalancer``).

``LoadBalancer`` (defined here) and ``ExistingLoadBalancer`` (defined elsewhere) play it; a
web service reads the load balancer only through it, never by asking which kind it got.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct, Node

__all__ = ["ServiceLoadBalancer"]


class ServiceLoadBalancer(Protocol):
    """A load balancer the web services of this library route through: ``LoadBalancer`` or
    ``ExistingLoadBalancer``.

    A service adds its route (a listener rule, with the priority and quotas kept by the load
    balancer), lets ``connections`` reach its tasks, and names ``full_name`` in its alarms. A
    class of your own plays the role by having these members; services check that when they
    are defined.
    """

    @property
    def node(self) -> Node:
        """The construct's node: the role is played by a construct."""
        ...

    @property
    def connections(self) -> ec2.Connections:
        """The load balancer's ``ec2.Connections`` (services admit it to their tasks)."""
        ...

    @property
    def full_name(self) -> str:
        """``app/<name>/<id>``: the ``LoadBalancer`` dimension of its CloudWatch metrics."""
        ...

    def add_route(
        self,
        owner: Construct,
        *,
        target_group: elbv2.IApplicationTargetGroup,
        path_patterns: Sequence[str] = (),
        host_headers: Sequence[str] = (),
        priority: int | None = None,
    ) -> elbv2.ApplicationListenerRule:
        """Forward the requests matching the conditions to ``target_group``; the rule is
        defined in ``owner`` (see ``LoadBalancer.add_route``)."""
        ...

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
        """Route as ``add_route`` to two target groups that ECS shifts traffic between, with
        a test rule when the load balancer has a test listener (see
        ``LoadBalancer.add_blue_green_route``)."""
        ...
