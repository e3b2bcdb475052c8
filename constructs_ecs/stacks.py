"""Ready-made stacks for platforms that outgrow one stack.

Every stack holding one of this library's workloads is held to ``RESOURCE_BUDGET`` resources
(see ``constructs_ecs.budget``): put services in several ``ServicesStack``s on one
``PlatformStack``.

Cross-stack references: ``cdk.json`` sets ``@aws-cdk/core:defaultCrossStackReferences`` to
``weak`` (what ``cdk init`` writes), so a services stack reads the platform's values with
``Fn::GetStackOutput`` instead of ``Fn::ImportValue``: no CloudFormation export ties the two,
and removing a service (or a whole services stack) never deadlocks (aws-cdk issue 7602).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from constructs_ecs._arguments import checked
from constructs_ecs.budget import ResourceBudget, enforce_resource_budget
from constructs_ecs.cluster import EcsCluster
from constructs_ecs.load_balancer import LoadBalancer
from constructs_ecs.network import Network

__all__ = ["PlatformStack", "ServicesStack"]


class PlatformStack(cdk.Stack):
    """The shared platform: network, EC2 cluster and load balancer, in one stack.

    Services go in ``ServicesStack``s that take this stack as ``platform``.
    """

    @checked()
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc | None = None,
        instance_type: ec2.InstanceType | None = None,
        min_capacity: int = 1,
        max_capacity: int = 4,
        certificate: acm.ICertificate | None = None,
        **stack_props: Any,
    ) -> None:
        """
        :param vpc: An existing VPC. Default: a new one (``Network`` defaults).
        :param instance_type: Instance type of the cluster. Default: ``EcsCluster``'s.
        :param min_capacity: Fewest instances. Default: 1.
        :param max_capacity: Most instances. Default: 4.
        :param certificate: HTTPS certificate of the load balancer. Default: HTTP only.
        :param stack_props: ``cdk.Stack`` keyword arguments (``env``, ``description``, ...).
        """
        super().__init__(scope, construct_id, **stack_props)
        self.resource_budget: ResourceBudget = enforce_resource_budget(self)
        """The stack's ``ResourceBudget`` (``RESOURCE_BUDGET`` resources)."""
        self.network = Network(self, "Network", vpc=vpc)
        cluster_options: dict[str, Any] = {}
        if instance_type is not None:
            cluster_options["instance_type"] = instance_type
        self.cluster = EcsCluster(
            self,
            "Cluster",
            vpc=self.network.vpc,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            **cluster_options,
        )
        self.load_balancer = LoadBalancer(
            self, "LoadBalancer", vpc=self.network.vpc, certificate=certificate
        )


class ServicesStack(cdk.Stack):
    """A group of services on a ``PlatformStack``'s cluster and load balancer.

    Define services with this stack as their scope and ``stack.cluster`` /
    ``stack.load_balancer``. Deploys after the platform; can be destroyed on its own.
    """

    @checked()
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        platform: PlatformStack,
        **stack_props: Any,
    ) -> None:
        """
        :param platform: The stack holding the cluster and load balancer.
        :param stack_props: ``cdk.Stack`` keyword arguments (``env``, ``description``, ...).
            Default ``env``: the platform's.
        """
        if "env" not in stack_props and not cdk.Token.is_unresolved(platform.account):
            stack_props["env"] = cdk.Environment(account=platform.account, region=platform.region)
        super().__init__(scope, construct_id, **stack_props)
        self.resource_budget: ResourceBudget = enforce_resource_budget(self)
        """The stack's ``ResourceBudget`` (``RESOURCE_BUDGET`` resources)."""
        self.platform = platform
        self.cluster: EcsCluster = platform.cluster
        self.load_balancer: LoadBalancer = platform.load_balancer
