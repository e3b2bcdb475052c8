"""A load balancer this app does not define: services route through one of its listeners."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from constructs_ecs._arguments import checked, expect_int
from constructs_ecs._limits import LISTENER_RULES_PER_LOAD_BALANCER
from constructs_ecs.load_balancer._routes import RouteTable
from constructs_ecs.load_balancer._rules import ListenerRoutes

__all__ = ["UNKNOWN_RULES", "ExistingLoadBalancer"]

UNKNOWN_RULES = "@constructs-ecs/load-balancer:existingRulesNotKnown"
"""Warning id: the listener's own rules are not known to this app."""


class ExistingLoadBalancer(ListenerRoutes, Construct):
    """An Application Load Balancer defined elsewhere, for this library's web services: they
    add their rules to ``listener`` and open their instances to ``security_group``.

    The rules already on the listener are not known here: give services explicit priorities
    that those rules do not use (or let them derive theirs, and check; a clash fails the
    deploy), and say how many rules the listener has, so the 100-rule quota is kept.
    """

    @checked()
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        listener: elbv2.IApplicationListener,
        security_group: ec2.ISecurityGroup,
        rules_in_use: int = 0,
        max_rules: int = LISTENER_RULES_PER_LOAD_BALANCER,
        test_listener: elbv2.IApplicationListener | None = None,
    ) -> None:
        """
        :param listener: The listener to add rules to
            (``elbv2.ApplicationListener.from_lookup`` or ``from_application_listener_attributes``).
        :param security_group: The load balancer's security group (services let it reach
            their tasks).
        :param rules_in_use: Rules the load balancer has already (they count against its
            quota). Default: 0.
        :param max_rules: The load balancer's rule quota (raised for your account?).
            Default: 100.
        :param test_listener: A listener of the same load balancer for blue/green test traffic:
            blue/green, canary and linear services add their test rule to it. Default: none
            (those services get no test rule, and their test stages see no traffic).
        """
        super().__init__(scope, construct_id)
        expect_int("max_rules", max_rules, minimum=1)
        expect_int("rules_in_use", rules_in_use, minimum=0, maximum=max_rules - 1)
        self.listener = listener
        """The listener services route on."""
        self.connections: ec2.Connections = security_group.connections
        """The load balancer's ``ec2.Connections``."""
        self.routes = RouteTable(max_rules=max_rules - rules_in_use)
        """The routes this app adds, and their priorities."""
        self.test_listener = test_listener
        """The listener blue/green test rules go on (``None``: no test rules)."""
        cdk.Annotations.of(self).add_warning_v2(
            UNKNOWN_RULES,
            "the listener's existing rules are not known to this app: a derived priority may "
            "be one of theirs (the deploy then fails); give services explicit priorities the "
            "listener does not use, or check, then acknowledge this warning.",
        )

    @property
    def full_name(self) -> str:
        """``app/<name>/<id>``, from the listener's ARN: the ``LoadBalancer`` dimension of its
        CloudWatch metrics."""
        parts = cdk.Fn.split("/", self.listener.listener_arn)
        return cdk.Fn.join("/", [cdk.Fn.select(i, parts) for i in (1, 2, 3)])

    def _listener_for_tests(self) -> elbv2.IApplicationListener | None:
        return self.test_listener
