"""WebService: a service behind the shared load balancer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from constructs_ecs._arguments import checked, expect_int
from constructs_ecs._deprecated import announce_moved, take_moved
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._limits import TASKS_PER_SERVICE
from constructs_ecs._nag import explain_inline_policies, explain_wildcards
from constructs_ecs.cluster import ServiceCluster
from constructs_ecs.load_balancer import ServiceLoadBalancer
from constructs_ecs.services._alarms import Alarms
from constructs_ecs.services._base import ServiceBase
from constructs_ecs.services._deployment import Deployment
from constructs_ecs.services._options import (
    NETWORK_MOVED,
    QUOTA,
    ROUTING_MOVED,
    Placement,
    Routing,
    Scaling,
    ServiceNetwork,
    TargetHealthCheck,
    network_of,
    routing_of,
)

if TYPE_CHECKING:
    from constructs_ecs.taskdef import PortMapping, TaskDefinitionSpec

__all__ = ["WebService"]

_MOVED = {**ROUTING_MOVED, **NETWORK_MOVED}
"""The keywords of 0.1 that ``routing`` and ``network`` replace."""

GRACE_PERIOD_S = 60
"""Health-check grace period of a web service: time for a task to start before the ALB counts."""
DEREGISTRATION_DELAY_S = 30
"""Connection draining of a web service's targets: deploys finish in a minute, not five."""
_READ_ONLY_ELB = frozenset(
    {
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
    }
)


def _deployment_wildcard_reason(actions: frozenset[str], resource: str) -> str | None:
    """Why the role ECS shifts traffic with may describe any load balancer resource."""
    if resource == "*" and actions <= _READ_ONLY_ELB:
        return (
            "Blue/green traffic shifting: the Elastic Load Balancing Describe actions have no "
            "resource-level permissions (AWS documents Resource '*'); they only read."
        )
    return None


class WebService(ServiceBase):
    """A service behind the shared ``LoadBalancer``, routed by path and/or host.

    Defaults: 2 tasks, rolling deploys at 100/200 % healthy (full capacity kept), circuit
    breaker with rollback, the deployment alarms (5xx rate, unhealthy targets) rolling a deploy
    back too, a target group with a 30 s deregistration delay and a 15 s health check on ``/``,
    a 60 s health-check grace period, spread across AZs then bin-packed on memory with
    Availability Zone rebalancing on, the alarms of ``Alarms()``, and an ingress rule on the
    instances from the load balancer's security group only, on the ports the tasks use (the
    agent's dynamic host-port range in bridge mode).

    With ``Deployment.blue_green()``, ``canary()`` or ``linear()``: a second target group
    (``alternate_target_group``), the rule forwarding to both (ECS moves the weights), a test
    rule on the load balancer's ``test_listener``, and ``deployment_role``, which ECS uses to
    move traffic: it may change those two rules and register targets in those two target
    groups only.
    """

    @checked()
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ServiceCluster,
        load_balancer: ServiceLoadBalancer,
        task_definition: TaskDefinitionSpec,
        desired_count: int = 2,
        routing: Routing | None = None,
        scaling: Scaling | None = None,
        placement: Placement | None = None,
        network: ServiceNetwork | None = None,
        enable_exec: bool = False,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        deployment: Deployment | None = None,
        alarms: Alarms | None = None,
        **moved: Any,
    ) -> None:
        """
        :param cluster: The cluster the tasks run on: an ``EcsCluster``, an
            ``ExistingCluster``, or any ``ServiceCluster``.
        :param load_balancer: The load balancer that routes to this service: a
            ``LoadBalancer``, an ``ExistingLoadBalancer``, or any ``ServiceLoadBalancer``.
        :param task_definition: What to run (``TaskDefinitionSpec.from_file(...)`` or Python).
        :param desired_count: Tasks to run. Default: 2. Ignored once ``scaling`` is set.
        :param routing: How the load balancer reaches the service: the listener rule's path
            patterns, host headers and priority, the container and port, the health check
            (``Routing(path_patterns=["/api/*"])``). Default: ``Routing()``: every path
            (``/*``), a derived priority, the first container's first port, ``/`` checked.
        :param scaling: Task auto scaling. Default: a fixed ``desired_count``.
        :param placement: Strategies and constraints. Default: spread across AZs, then
            bin-pack on memory; no constraint.
        :param network: The tasks' security groups (awsvpc), Service Connect, Cloud Map
            service discovery (``ServiceNetwork(...)``). Default: ``ServiceNetwork()``: a
            security group of its own for awsvpc tasks, neither Service Connect nor discovery.
        :param enable_exec: ECS Exec into the tasks, logged to the cluster's exec log group.
            Default: off.
        :param log_retention: Retention of the service's log group. Default: one month.
        :param deployment: How a deploy replaces the tasks: ``Deployment.rolling(...)``,
            ``blue_green(...)``, ``canary(...)`` or ``linear(...)``. Default:
            ``Deployment.rolling()``.
        :param alarms: The service's alarms, their thresholds and SNS topic; ``Alarms.off()``
            for none. Default: ``Alarms()`` (5xx rate and unhealthy targets roll a deploy back;
            p99 response time, CPU, memory and missing tasks only alarm).
        """
        taken = take_moved(WebService, moved, _MOVED)
        routing = routing_of(routing, taken)
        network = network_of(network, taken)
        placement = placement or Placement()
        health_check = routing.health_check or TargetHealthCheck()
        deployment = deployment or Deployment.rolling()
        super().__init__(
            scope,
            construct_id,
            cluster=cluster,
            task_definition=task_definition,
            log_retention=log_retention,
            security_groups=network.security_groups,
        )
        announce_moved(self, taken, _MOVED)
        expect_int("desired_count", desired_count, minimum=1, maximum=TASKS_PER_SERVICE, why=QUOTA)
        container, port = self._exposed_port(
            task_definition, routing.container_name, routing.container_port
        )
        tasks = scaling.max_count if scaling else desired_count
        counts = (scaling.min_count, scaling.max_count) if scaling else (desired_count,) * 2
        shifting = deployment.shifts_traffic
        if shifting and scaling is not None and scaling.requests_per_target is not None:
            raise ConfigurationError(
                "scaling.requests_per_target",
                scaling.requests_per_target,
                "cpu_percent or memory_percent with Deployment.blue_green(), canary() or "
                "linear(): ECS moves production traffic to the other target group on every "
                "deploy, and request-count scaling tracks one target group, which then serves "
                "nothing (the service would scale in)",
            )
        self._check_static_ports(tasks, doubles=shifting, deployment=deployment)
        self._check_distinct_instances(placement, tasks, doubles=shifting, deployment=deployment)
        settings = self._deployment_settings(
            deployment, placement=placement, counts=counts, web=True
        )
        self.target_group = self._target_group("TargetGroup", port, health_check, deployment)
        """The service's ``elbv2.ApplicationTargetGroup`` (blue/green: the first revision's)."""
        self.alternate_target_group: elbv2.ApplicationTargetGroup | None = None
        """Blue/green, canary, linear: the second target group, which ECS alternates with
        ``target_group`` from one deploy to the next. ``None`` for rolling."""
        self.test_listener_rule: elbv2.ApplicationListenerRule | None = None
        """Blue/green, canary, linear: the rule on the load balancer's test listener. ``None``
        for rolling, or without a test listener (``ExistingLoadBalancer``)."""
        host_headers = tuple(routing.host_headers)
        routes = tuple(routing.path_patterns) or (() if host_headers else ("/*",))
        if shifting:
            self.alternate_target_group = self._target_group(
                "AlternateTargetGroup", port, health_check, deployment
            )
            self.listener_rule, self.test_listener_rule = load_balancer.add_blue_green_route(
                self,
                target_group=self.target_group,
                alternate_target_group=self.alternate_target_group,
                path_patterns=routes,
                host_headers=host_headers,
                priority=routing.priority,
            )
        else:
            self.listener_rule = load_balancer.add_route(
                self,
                target_group=self.target_group,
                path_patterns=routes,
                host_headers=host_headers,
                priority=routing.priority,
            )
        """The ``elbv2.ApplicationListenerRule`` that forwards to this service."""
        groups = [g for g in (self.target_group, self.alternate_target_group) if g is not None]
        deployment_alarms = self._add_alarms(
            alarms or Alarms(), groups, load_balancer_name=load_balancer.full_name
        )
        service = self._define_service(
            placement_constraints=placement.constraints,
            service_connect=network.service_connect,
            enable_exec=enable_exec,
            tasks=tasks,
            service_discovery=network.service_discovery,
            desired_count=None if scaling else desired_count,
            capacity_provider_strategies=cluster.capacity_provider_strategies or None,
            health_check_grace_period=deployment.health_check_grace
            or cdk.Duration.seconds(GRACE_PERIOD_S),
            placement_strategies=self._placement_strategies(placement),
            deployment_alarms=deployment_alarms,
            **settings,
        )
        self.load_balancer_name = load_balancer.full_name
        """The full name of the load balancer (``app/<name>/<id>``), the ``LoadBalancer``
        dimension of the target groups' metrics."""
        self.deployment_role: iam.Role | None = None
        """Blue/green, canary, linear: the role ECS moves traffic with. ``None`` for rolling."""
        target = service.load_balancer_target(
            container_name=container,
            container_port=port.container_port,
            alternate_target=self._alternate_target(),
        )
        target.attach_to_application_target_group(self.target_group)
        # ECS refuses a target group that no listener rule uses yet: wait for the rule (a
        # blue/green service names its rules, and waits for the deployment role's policy,
        # which ECS uses as soon as the service exists).
        if self.deployment_role is None:
            self._wait_for(self.listener_rule)
        else:
            self._wait_for(self.deployment_role.node.find_child("DefaultPolicy"))
            cdk.Validations.of(service.node.default_child).acknowledge(
                cdk.Acknowledgment(
                    id="CloudFormation-Validate::W3005",
                    reason="aws-cdk-lib makes a service DependsOn the listener rules of its target "
                    "group; a blue/green service also names them (AdvancedConfiguration), so "
                    "the DependsOn entries are redundant, and harmless.",
                )
            )
        self._open_from(load_balancer, port)
        self.scalable_task_count = self._add_scaling(scaling, target_group=self.target_group)
        self._after_service(deployment)

    def _target_group(
        self,
        construct_id: str,
        port: PortMapping,
        health_check: TargetHealthCheck,
        deployment: Deployment,
    ) -> elbv2.ApplicationTargetGroup:
        awsvpc = self._spec.network_mode == "awsvpc"
        return elbv2.ApplicationTargetGroup(
            self,
            construct_id,
            vpc=self._cluster.vpc,
            port=port.container_port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP if awsvpc else elbv2.TargetType.INSTANCE,
            deregistration_delay=deployment.deregistration_delay
            or cdk.Duration.seconds(DEREGISTRATION_DELAY_S),
            health_check=health_check.bind(),
        )

    def _alternate_target(self) -> ecs.AlternateTarget | None:
        """What ECS needs to move traffic: the second target group, both rules, the role."""
        alternate = self.alternate_target_group
        if alternate is None:
            return None
        role = iam.Role(
            self,
            "DeploymentRole",
            assumed_by=iam.ServicePrincipal("ecs.amazonaws.com"),
            description="ECS moves this service's traffic between its two target groups",
        )
        rules = [r for r in (self.listener_rule, self.test_listener_rule) if r is not None]
        role.add_to_policy(iam.PolicyStatement(actions=sorted(_READ_ONLY_ELB), resources=["*"]))
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "elasticloadbalancing:DeregisterTargets",
                    "elasticloadbalancing:RegisterTargets",
                ],
                resources=[self.target_group.target_group_arn, alternate.target_group_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["elasticloadbalancing:ModifyRule"],
                resources=[rule.listener_rule_arn for rule in rules],
            )
        )
        explain_wildcards(role, _deployment_wildcard_reason)
        explain_inline_policies(role)
        self.deployment_role = role
        test = self.test_listener_rule
        return ecs.AlternateTarget(
            "AlternateTarget",
            alternate_target_group=alternate,
            production_listener=ecs.ListenerRuleConfiguration.application_listener_rule(
                self.listener_rule
            ),
            test_listener=None
            if test is None
            else ecs.ListenerRuleConfiguration.application_listener_rule(test),
            role=role,
        )

    @staticmethod
    def _exposed_port(
        spec: TaskDefinitionSpec, container_name: str | None, container_port: int | None
    ) -> tuple[str, PortMapping]:
        candidates = [
            (c.name, pm)
            for c in spec.containers
            if container_name is None or c.name == container_name
            for pm in c.port_mappings
            if pm.protocol == "tcp"
            and (container_port is None or pm.container_port == container_port)
        ]
        if not candidates:
            exposed = [
                f"{c.name}:{pm.container_port}" for c in spec.containers for pm in c.port_mappings
            ]
            raise ConfigurationError(
                "task_definition",
                f"Routing(container_name={container_name!r}, container_port={container_port!r})",
                "a web service needs a container with a TCP port mapping to send traffic to; "
                f"the task exposes {exposed or 'no port'}",
            )
        return candidates[0]

    def _open_from(self, load_balancer: ServiceLoadBalancer, port: PortMapping) -> None:
        """Let the load balancer, and nothing else, reach the tasks' ports."""
        mode = self._spec.network_mode
        if mode == "awsvpc":
            assert self.connections is not None
            self.connections.allow_from(
                load_balancer.connections,
                ec2.Port.tcp(port.container_port),
                "Load balancer to the tasks",
            )
            return
        if mode == "host" or port.host_port:
            low = high = port.host_port or port.container_port
        else:
            low, high = self._cluster.host_port_range
        self._cluster.open_host_ports_to(load_balancer.connections, low, high)
