"""Ready-made stacks for platforms that outgrow one stack.

Every stack holding one of this library's workloads is held to ``RESOURCE_BUDGET`` resources
(see ``constructs_ecs._budget``): put services in several ``ServicesStack``s on one
``PlatformStack``.

Load-balancer shards: a platform owns one or more load balancers, numbered from 1, and each
``ServicesStack`` names the one its services route through (``shard``, 1 by default). A number
no stack asked for before gives the platform another load balancer (``LoadBalancer2``, ...);
nothing already defined changes. The assignment is the user's, written in the app, never
derived from the other stacks: adding or removing services or whole stacks moves no service to
another load balancer. A full shard refuses the next route and says which shard to use.

Cross-stack references: ``cdk.json`` sets ``@aws-cdk/core:defaultCrossStackReferences`` to
``weak`` (what ``cdk init`` writes), so a services stack reads the platform's values with
``Fn::GetStackOutput`` instead of ``Fn::ImportValue``: no CloudFormation export ties the two,
and removing a service (or a whole services stack) never deadlocks (aws-cdk issue 7602).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from constructs_ecs._arguments import checked
from constructs_ecs._budget import ResourceBudget, enforce_resource_budget
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._limits import (
    LISTENER_RULES_PER_LOAD_BALANCER,
    LOAD_BALANCERS_PER_REGION,
)
from constructs_ecs._network import Network
from constructs_ecs.cluster import EcsCluster
from constructs_ecs.load_balancer import AccessLogs, LoadBalancer, PlainHttp

__all__ = ["PlatformStack", "ServicesStack"]


class PlatformStack(cdk.Stack):
    """The shared platform: network, EC2 cluster and load balancers, in one stack.

    Services go in ``ServicesStack``s that take this stack as ``platform``. The platform starts
    with one load balancer, ``load_balancer`` (shard 1); a ``ServicesStack`` created with
    ``shard=2`` gives it a second one, and so on (see ``load_balancer_shard``). Each shard's DNS
    name is an output: ``LoadBalancerDnsName`` for shard 1, ``LoadBalancer<n>DnsName`` after.
    """

    @checked()
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc | None = None,
        availability_zones: Sequence[str] | None = None,
        instance_type: ec2.InstanceType | None = None,
        min_capacity: int = 1,
        max_capacity: int = 4,
        certificate: acm.ICertificate | None = None,
        plain_http: PlainHttp | None = None,
        deletion_protection: bool = True,
        max_rules_per_load_balancer: int = LISTENER_RULES_PER_LOAD_BALANCER,
        **stack_props: Any,
    ) -> None:
        """
        :param vpc: An existing VPC. Default: a new one (``Network`` defaults).
        :param availability_zones: The zones of the new VPC by name (at least 2, in the
            stack's region). The stack then answers ``availability_zones`` with them itself, so
            a stack with a concrete account and region synthesizes with no zone lookup: no
            credentials and no ``cdk.context.json`` entry needed. Default: the first 2 zones of
            the region (looked up, in a concrete environment).
        :param instance_type: Instance type of the cluster. Default: ``EcsCluster``'s.
        :param min_capacity: Fewest instances. Default: 1.
        :param max_capacity: Most instances. Default: 4.
        :param plain_http: Serve plain HTTP without a certificate, saying why
            (``PlainHttp(reason=...)``): required without ``certificate``. Default: none.
        :param deletion_protection: ``False`` lets ``cdk destroy`` delete the load balancer.
            Default: on.
        :param certificate: HTTPS certificate of the load balancers, every shard's. Default: HTTP
            only.
        :param max_rules_per_load_balancer: Listener rules each shard takes before it refuses
            the next route: the account's "Rules per Application Load Balancer" quota (raised
            for your account?). Target groups are held to 100 per shard whatever this says.
            Default: 100, the quota AWS starts every account with.
        :param stack_props: ``cdk.Stack`` keyword arguments (``env``, ``description``, ...).
        """
        # Read by aws-cdk-lib (the availability_zones property below) while the VPC is defined.
        self._named_zones = None if availability_zones is None else tuple(availability_zones)
        super().__init__(scope, construct_id, **stack_props)
        self.resource_budget: ResourceBudget = enforce_resource_budget(self)
        """The stack's ``ResourceBudget`` (``RESOURCE_BUDGET`` resources)."""
        if availability_zones is None:
            self.network = Network(self, "Network", vpc=vpc)
        else:
            self.network = Network(self, "Network", vpc=vpc, availability_zones=availability_zones)
            # What aws-cdk-lib acknowledges when its own lookup supplies the zones.
            cdk.Validations.of(self).acknowledge(
                cdk.Acknowledgment(
                    id="CloudFormation-Validate::W3010",
                    reason="Literal zones in the template are the ones this app names "
                    "(PlatformStack(availability_zones=...)): expected and safe.",
                )
            )
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
        self._certificate = certificate
        self._plain_http, self._deletion_protection = plain_http, deletion_protection
        self._max_rules = max_rules_per_load_balancer
        self._shards: dict[int, LoadBalancer] = {}
        self.load_balancer: LoadBalancer = self.load_balancer_shard(1)
        """The first load balancer (shard 1): every ``ServicesStack``'s unless it names
        another shard."""

    @property
    def availability_zones(self) -> list[str]:
        """The zones given as ``availability_zones``; otherwise aws-cdk-lib's answer (a lookup
        in a stack with a concrete account and region, two ``Fn::GetAZs`` picks elsewhere)."""
        if self._named_zones is not None:
            return list(self._named_zones)
        return super().availability_zones

    @property
    def load_balancers(self) -> dict[int, LoadBalancer]:
        """The load balancers defined so far, by shard number."""
        return dict(sorted(self._shards.items()))

    def load_balancer_shard(self, shard: int) -> LoadBalancer:
        """Load balancer ``shard`` of this platform, defined the first time it is asked for.

        Shard 1 is ``load_balancer`` (construct id ``LoadBalancer``); shard ``n`` is
        ``LoadBalancer<n>``, with the same certificate and rule quota, its access logs in
        shard 1's bucket, and its DNS name in the output ``LoadBalancer<n>DnsName``. Defining
        a shard changes nothing that is already defined. ``ServicesStack(..., shard=n)`` calls
        this; call it yourself to keep a shard (and its DNS name) while no stack uses it.

        :param shard: The shard's number, 1 to 50 (Application Load Balancers per Region,
            AWS's starting quota).
        """
        if (
            isinstance(shard, bool)
            or not isinstance(shard, int)
            or not 1 <= shard <= LOAD_BALANCERS_PER_REGION
        ):
            raise ConfigurationError(
                "shard",
                "<a CDK token>" if cdk.Token.is_unresolved(shard) else shard,
                f"a load-balancer shard number from 1 to {LOAD_BALANCERS_PER_REGION} "
                "(Application Load Balancers per Region)",
            )
        existing = self._shards.get(shard)
        if existing is not None:
            return existing
        # Numbered like aws-cdk-lib's subnets (PublicSubnet1, ...): shard 1 keeps the id it
        # had before shards existed, so its logical ids never change.
        construct_id = "LoadBalancer" if shard == 1 else f"LoadBalancer{shard}"
        first = self._shards.get(1)
        load_balancer = LoadBalancer(
            self,
            construct_id,
            vpc=self.network.vpc,
            certificates=() if self._certificate is None else [self._certificate],
            plain_http=self._plain_http,
            deletion_protection=self._deletion_protection,
            access_logs=AccessLogs(bucket=first.access_log_bucket if first is not None else None),
            max_rules=self._max_rules,
        )
        load_balancer.routes.when_full = (
            f"shard {shard} of the platform {self.node.path!r} is full; create the next "
            "services in a ServicesStack on another shard (ServicesStack(..., shard=<n>)): a "
            "new number gives the platform another load balancer, and nothing on this one "
            "changes"
        )
        cdk.CfnOutput(
            self,
            f"{construct_id}DnsName",
            value=load_balancer.load_balancer.load_balancer_dns_name,
            description=f"DNS name of load-balancer shard {shard}",
        )
        self._shards[shard] = load_balancer
        return load_balancer


class ServicesStack(cdk.Stack):
    """A group of services on a ``PlatformStack``'s cluster and one of its load balancers.

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
        shard: int = 1,
        **stack_props: Any,
    ) -> None:
        """
        :param platform: The stack holding the cluster and load balancers.
        :param shard: Which of the platform's load balancers routes to this stack's services
            (``load_balancer``), 1 to 50; a number no stack used before gives the platform
            another load balancer. Keep a stack's number once deployed: changing it moves the
            stack's services to another load balancer (and DNS name). Default: 1, the
            platform's ``load_balancer``.
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
        self.load_balancer: LoadBalancer = platform.load_balancer_shard(shard)
        """The platform's load balancer number ``shard``, for this stack's web services."""
        self.shard: int = shard
        """The number of ``load_balancer`` among the platform's shards."""
