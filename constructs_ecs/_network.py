"""The network an ECS cluster runs in: a new VPC, or an existing one."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from constructs_ecs._arguments import checked
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._limits import AVAILABILITY_ZONES_PER_REGION
from constructs_ecs._log_encryption import new_log_group
from constructs_ecs._nag import COMPLIANCE_PACKS, acknowledge, explain_inline_policies

__all__ = ["INTERFACE_ENDPOINTS", "Network"]

_DEFAULT_MAX_AZS = 2
_DEFAULT_SUBNET_MASK = 24
_DEFAULT_NAT_GATEWAYS = 1
_DEFAULT_FLOW_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS
_DEFAULT_CIDR = "10.0.0.0/16"
_PROVIDER_ERROR = "$providerError"
"""The context key under which the CDK CLI hands back a lookup it could not make
(``cx_api.PROVIDER_ERROR_KEY`` in aws-cdk-lib's TypeScript, not exported to Python)."""


class _EndpointServices(Mapping[str, ec2.InterfaceVpcEndpointAwsService]):
    """Read-only id -> service map; each service is read from aws-cdk-lib (a jsii round trip)
    when asked for, not when the module is imported."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self._names = dict(names)

    def __getitem__(self, key: str) -> ec2.InterfaceVpcEndpointAwsService:
        service: ec2.InterfaceVpcEndpointAwsService = getattr(
            ec2.InterfaceVpcEndpointAwsService, self._names[key]
        )
        return service

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


INTERFACE_ENDPOINTS: Mapping[str, ec2.InterfaceVpcEndpointAwsService] = _EndpointServices(
    {
        "EcrApiEndpoint": "ECR",
        "EcrDockerEndpoint": "ECR_DOCKER",
        "LogsEndpoint": "CLOUDWATCH_LOGS",
        "EcsEndpoint": "ECS",
        "EcsAgentEndpoint": "ECS_AGENT",
        "EcsTelemetryEndpoint": "ECS_TELEMETRY",
        "SsmEndpoint": "SSM",
        "SsmMessagesEndpoint": "SSM_MESSAGES",
        "Ec2MessagesEndpoint": "EC2_MESSAGES",
    }
)
"""Construct id -> service of the interface endpoints ``vpc_endpoints=True`` adds.

What an instance in a private subnet needs to pull images from ECR (the API and the Docker
registry; layers come from S3 through the gateway endpoint), ship logs, register with ECS and
take SSM sessions and ECS Exec without going through a NAT gateway. The ids are children of the
VPC and name the endpoints' logical ids: renaming one replaces that endpoint on deploy.
"""
_IN_CHINA = "InChinaPartition"
"""Stack-level condition: the stack is deployed in the ``aws-cn`` partition."""
_CHINA_PREFIXED = (("EcrApiEndpoint", "ecr.api"), ("EcrDockerEndpoint", "ecr.dkr"))
"""The endpoints whose service name starts ``cn.com.amazonaws`` in the ``aws-cn`` partition
(the rest keep ``com.amazonaws``), as aws-cdk-lib's region facts list them."""


class Network(Construct):
    """A VPC for an ECS cluster: a new one across ``max_azs`` zones, or an existing one.

    A new VPC has a public and a private subnet (``/24`` each, routed to the internet through
    the NAT gateways) in each zone, VPC flow logs of all traffic to a CloudWatch log group kept
    on stack deletion, the default security group stripped of all rules, and a gateway endpoint
    for S3 (free; ECR image layers are served from S3, so pulls skip the NAT gateway). With
    ``nat_gateways=0`` the private subnets are isolated and ``vpc_endpoints=True`` is required.

    Passing ``vpc`` wraps that VPC and defines nothing; the new-VPC options must then be left
    out (passing one, even with its default value, raises ``ConfigurationError``).
    """

    @checked()
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc | None = None,
        max_azs: int | None = None,
        nat_gateways: int | None = None,
        vpc_endpoints: bool | None = None,
        flow_log_retention: logs.RetentionDays | None = None,
        cidr: str | None = None,
        availability_zones: Sequence[str] | None = None,
        log_key: kms.IKey | None = None,
        subnet_mask: int | None = None,
    ) -> None:
        """
        :param vpc: An existing VPC to use as is; the other parameters configure a new VPC
            and must then be left out. Default: a new VPC.
        :param max_azs: Availability Zones the new VPC spans, at least 2 (an Application
            Load Balancer needs two): the first ones of the region. In a stack with a concrete
            account and region CDK looks the zones up (the CDK CLI records them in
            ``cdk.context.json``: commit it); an environment-agnostic stack can only see 2.
            Asking for more zones than the stack has is a ``ConfigurationError``. Default: 2.
        :param nat_gateways: NAT gateways of the new VPC, at most ``max_azs``. Default: 1, in
            the first zone, shared by all private subnets: the cheapest way to give instances
            outbound access, but a failure of that zone also cuts the others' egress. Use
            ``max_azs`` for one per zone (zone-independent, one gateway charge each), or 0
            with ``vpc_endpoints=True`` for a VPC without internet egress.
        :param vpc_endpoints: Add interface endpoints for ECR, CloudWatch Logs, ECS and SSM
            (``INTERFACE_ENDPOINTS``), in the private subnets and open to the VPC's CIDR on
            443. Default: no interface endpoints (each one is billed per zone and hour).
        :param flow_log_retention: How long the new VPC's flow logs are kept. Default: three
            months.
        :param cidr: IPv4 range of the new VPC, ``/16`` to ``/20``, with room for a public and
            a private subnet of ``subnet_mask`` in each zone. Default: ``10.0.0.0/16``; pick
            distinct ranges for VPCs you peer.
        :param availability_zones: The zones of the new VPC by name (at least 2, in the stack's
            region), instead of ``max_azs``: these zones, not the first ones of the region.
            aws-cdk-lib's ``Vpc`` checks them against the stack's ``availability_zones``, which
            a stack with a concrete account and region looks up (the CDK CLI records the answer
            in ``cdk.context.json``: commit it) unless the stack answers itself:
            ``PlatformStack(availability_zones=...)`` does, and so does a ``cdk.Stack``
            subclass that overrides the ``availability_zones`` property. Default: the first
            ``max_azs`` zones of the region.
        :param log_key: A customer-managed KMS key for the flow log group; a key this app
            defines gets the key policy statement CloudWatch Logs needs. Default: CloudWatch
            Logs' own encryption (HIPAA's and NIST's ``CloudWatchLogGroupEncrypted`` then
            acknowledged on the log group).
        :param subnet_mask: Prefix length of each subnet of the new VPC, public and private,
            ``16`` to ``28``: ``20`` gives a subnet 4,096 addresses (awsvpc tasks take one
            each). Default: ``24`` (256 addresses).
        """
        super().__init__(scope, construct_id)
        self.flow_log_group: logs.LogGroup | None = None
        """Log group of the new VPC's flow logs (None for an existing VPC)."""
        self.flow_log: ec2.FlowLog | None = None
        """The new VPC's flow log (None for an existing VPC)."""
        self.s3_endpoint: ec2.GatewayVpcEndpoint | None = None
        """The new VPC's S3 gateway endpoint (None for an existing VPC)."""
        self.endpoint_security_group: ec2.SecurityGroup | None = None
        """Security group of the interface endpoints (None unless ``vpc_endpoints``)."""
        self.interface_endpoints: Mapping[str, ec2.InterfaceVpcEndpoint] = MappingProxyType({})
        """Interface endpoints by construct id, the keys of ``INTERFACE_ENDPOINTS`` (empty
        unless ``vpc_endpoints``)."""

        if vpc is not None:
            self._refuse_new_vpc_options(
                max_azs=max_azs,
                nat_gateways=nat_gateways,
                vpc_endpoints=vpc_endpoints,
                flow_log_retention=flow_log_retention,
                cidr=cidr,
                availability_zones=availability_zones,
                log_key=log_key,
                subnet_mask=subnet_mask,
            )
            self.vpc: ec2.IVpc = vpc
            """The VPC: the one passed in, or the new ``ec2.Vpc``."""
            return

        zones = self._zones(availability_zones, max_azs)
        if zones:
            self._explain_failed_zone_lookup(zones)
        max_azs = len(zones) if zones else _DEFAULT_MAX_AZS if max_azs is None else max_azs
        nat_gateways = _DEFAULT_NAT_GATEWAYS if nat_gateways is None else nat_gateways
        vpc_endpoints = bool(vpc_endpoints)
        if flow_log_retention is None:
            flow_log_retention = _DEFAULT_FLOW_LOG_RETENTION
        cidr = _DEFAULT_CIDR if cidr is None else cidr
        self._validate(
            max_azs=max_azs, nat_gateways=nat_gateways, vpc_endpoints=vpc_endpoints, cidr=cidr
        )
        if not zones:
            self._check_zones_exist(max_azs)
        subnet_mask = _DEFAULT_SUBNET_MASK if subnet_mask is None else subnet_mask
        _check_subnet_mask(subnet_mask, max_azs, cidr)
        private = (
            ec2.SubnetType.PRIVATE_WITH_EGRESS if nat_gateways else ec2.SubnetType.PRIVATE_ISOLATED
        )
        new_vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(cidr),
            max_azs=None if zones else max_azs,
            availability_zones=list(zones) if zones else None,
            nat_gateways=nat_gateways,
            subnet_configuration=[
                # Nothing launched there needs an address of its own: the NAT gateways and the
                # load balancers get theirs explicitly.
                ec2.SubnetConfiguration(
                    name="Public",
                    subnet_type=ec2.SubnetType.PUBLIC,
                    cidr_mask=subnet_mask,
                    map_public_ip_on_launch=False,
                ),
                ec2.SubnetConfiguration(name="Private", subnet_type=private, cidr_mask=subnet_mask),
            ],
            restrict_default_security_group=True,
        )
        self.vpc = new_vpc
        self._drop_redundant_provider_dependency()
        self._acknowledge_public_routes(new_vpc)
        self.flow_log_group = new_log_group(
            self,
            "FlowLogGroup",
            key=log_key,
            option="Network(log_key=...)",
            retention=flow_log_retention,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.flow_log = new_vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_log_group),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )
        explain_inline_policies(self.flow_log.iam_role)
        private_subnets = ec2.SubnetSelection(subnet_type=private)
        self.s3_endpoint = new_vpc.add_gateway_endpoint(
            "S3Endpoint",
            service=ec2.GatewayVpcEndpointAwsService.S3,
            subnets=[private_subnets],
        )
        if vpc_endpoints:
            self.endpoint_security_group = ec2.SecurityGroup(
                self,
                "EndpointSecurityGroup",
                vpc=new_vpc,
                description="Interface VPC endpoints: HTTPS from inside the VPC",
                allow_all_outbound=False,
            )
            # The literal range rather than the VPC's CidrBlock attribute: the same rule, and
            # one that cdk-nag can read.
            self.endpoint_security_group.add_ingress_rule(
                ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), "HTTPS from the VPC"
            )
            self.interface_endpoints = MappingProxyType(
                {
                    endpoint_id: new_vpc.add_interface_endpoint(
                        endpoint_id,
                        service=service,
                        subnets=private_subnets,
                        security_groups=[self.endpoint_security_group],
                        open=False,
                    )
                    for endpoint_id, service in self._endpoint_services().items()
                }
            )

    def _endpoint_services(self) -> dict[str, ec2.InterfaceVpcEndpointAwsService]:
        """``INTERFACE_ENDPOINTS``, with the service names right in every partition.

        CDK names a service after the stack's region: ``cn.com.amazonaws.cn-north-1.ecr.api``
        in China, where ECR's endpoints use that prefix. An environment-agnostic stack learns
        its region at deploy time, so there the prefix is chosen by a condition on it.
        """
        services = dict(INTERFACE_ENDPOINTS)
        if not cdk.Token.is_unresolved(cdk.Stack.of(self).region):
            return services
        stack = cdk.Stack.of(self)
        # One condition per stack, as aws-cdk-lib keeps one mapping per regional fact: every
        # Network of the stack asks the same question.
        in_china = stack.node.try_find_child(_IN_CHINA)
        if not isinstance(in_china, cdk.CfnCondition):
            in_china = cdk.CfnCondition(
                stack, _IN_CHINA, expression=cdk.Fn.condition_equals(cdk.Aws.PARTITION, "aws-cn")
            )
        prefix = cdk.Token.as_string(
            cdk.Fn.condition_if(in_china.logical_id, "cn.com.amazonaws", "com.amazonaws")
        )
        for endpoint_id, name in _CHINA_PREFIXED:
            services[endpoint_id] = ec2.InterfaceVpcEndpointAwsService(name, prefix)
        return services

    def _zones(self, zones: Sequence[str] | None, max_azs: int | None) -> tuple[str, ...]:
        if zones is None:
            return ()
        if max_azs is not None:
            raise ConfigurationError(
                "max_azs",
                max_azs,
                "leave it out when availability_zones names the zones (their number is the "
                "VPC's number of zones)",
            )
        if isinstance(zones, str) or not all(isinstance(z, str) and z for z in zones):
            raise ConfigurationError(
                "availability_zones",
                zones,
                "a list of zone names such as ['eu-west-1a', 'eu-west-1b']",
            )
        unique = tuple(dict.fromkeys(zones))
        if len(unique) < 2:
            raise ConfigurationError(
                "availability_zones",
                list(zones),
                "at least 2 distinct zones: an Application Load Balancer needs two",
            )
        region = cdk.Stack.of(self).region
        for zone in unique:
            if not cdk.Token.is_unresolved(region) and not zone.startswith(region):
                raise ConfigurationError(
                    "availability_zones",
                    zone,
                    f"zone names of the stack's region {region} (e.g. '{region}a'); zone IDs "
                    "such as 'use1-az1' are not zone names",
                )
        return unique

    def _explain_failed_zone_lookup(self, zones: tuple[str, ...]) -> None:
        """Say how to synthesize without the lookup when the CDK CLI could not make it.

        aws-cdk-lib's ``Vpc`` reads the stack's zones to check the named ones against them. In a
        stack with a concrete account and region that is a lookup; when it fails (no
        credentials), the CLI synthesizes again with the failure in the context, and CDK's own
        error names only the credentials.
        """
        stack = cdk.Stack.of(self)
        if cdk.Token.is_unresolved(stack.account) or cdk.Token.is_unresolved(stack.region):
            return
        key = f"availability-zones:account={stack.account}:region={stack.region}"
        value = stack.node.try_get_context(key)
        if not (isinstance(value, dict) and _PROVIDER_ERROR in value):
            return
        listed = ", ".join(f'"{zone}"' for zone in zones)
        cdk.Annotations.of(self).add_error(
            f"Network(availability_zones=...): CDK could not look up the Availability Zones of "
            f"account {stack.account} in {stack.region} (aws-cdk-lib's Vpc checks the named "
            "zones against them). Either synthesize once with credentials for the account "
            "(`cdk synth` records the answer in cdk.context.json: commit it), or add the entry "
            f'to cdk.context.json yourself: "{key}": [{listed}, ...] (the region\'s zones), or '
            "let the stack answer: PlatformStack(availability_zones=[...]), or override the "
            "availability_zones property of your cdk.Stack subclass. In tests: "
            "new_app(availability_zones_context(env, [...])) from constructs_ecs.testing."
        )

    def _drop_redundant_provider_dependency(self) -> None:
        """Keep CDK's restrict-default-security-group provider cfn-lint clean (W3005).

        Its handler function DependsOn its role and also reads the role's Arn with GetAtt,
        which already orders them; the explicit edge adds nothing.
        """
        provider = cdk.Stack.of(self).node.try_find_child(
            "Custom::VpcRestrictDefaultSGCustomResourceProvider"
        )
        handler = provider.node.try_find_child("Handler") if provider else None
        if isinstance(handler, cdk.CfnResource):
            handler.add_deletion_override("DependsOn")

    @staticmethod
    def _refuse_new_vpc_options(
        *,
        max_azs: int | None,
        nat_gateways: int | None,
        vpc_endpoints: bool | None,
        flow_log_retention: logs.RetentionDays | None,
        cidr: str | None,
        availability_zones: Sequence[str] | None,
        log_key: kms.IKey | None,
        subnet_mask: int | None,
    ) -> None:
        given = {
            "max_azs": max_azs,
            "nat_gateways": nat_gateways,
            "vpc_endpoints": vpc_endpoints,
            "flow_log_retention": flow_log_retention,
            "cidr": cidr,
            "availability_zones": availability_zones,
            "log_key": log_key,
            "subnet_mask": subnet_mask,
        }
        for name, value in given.items():
            # Any value given, even the default's: it says the caller expects a new VPC.
            if value is not None:
                raise ConfigurationError(
                    name,
                    value,
                    "configures a new VPC and cannot be combined with an existing `vpc`; "
                    "leave it out, or leave out `vpc` to have one defined",
                )

    @staticmethod
    def _acknowledge_public_routes(vpc: ec2.Vpc) -> None:
        """The public subnets' route to the internet gateway is what makes them public."""
        for subnet in vpc.public_subnets:
            route = subnet.node.try_find_child("DefaultRoute")
            if isinstance(route, cdk.CfnResource):
                acknowledge(
                    route,
                    "VPCNoUnrestrictedRouteToIGW",
                    "The public subnets' default route to the internet gateway: it is what "
                    "the NAT gateways and internet-facing load balancers there need; instances "
                    "and tasks run in the private subnets, which have no such route.",
                    packs=COMPLIANCE_PACKS,
                )

    def _check_zones_exist(self, max_azs: int) -> None:
        """Refuse more zones than the stack has: ``ec2.Vpc`` would silently span fewer. An
        environment-agnostic stack has the zones CDK gives it (2, ``Fn::GetAZs`` at deploy
        time); a concrete one those ``cdk.context.json`` records (none yet: the lookup's own
        missing-context error says so at synthesis)."""
        if cdk.Token.is_unresolved(max_azs):
            return
        stack = cdk.Stack.of(self)
        if cdk.Token.is_unresolved(stack.account) or cdk.Token.is_unresolved(stack.region):
            available = len(stack.availability_zones)
            why = (
                "the stack is environment-agnostic, and CDK gives such a stack "
                f"{available}: give the stack env=cdk.Environment(account=..., region=...) "
                "(its zones then come from cdk.context.json), or availability_zones=[...]"
            )
        else:
            key = f"availability-zones:account={stack.account}:region={stack.region}"
            recorded = stack.node.try_get_context(key)
            if not isinstance(recorded, list):
                return
            available = len(recorded)
            why = f"cdk.context.json records {available} for {stack.region}"
        if max_azs > available:
            raise ConfigurationError(
                "max_azs", max_azs, f"at most {available} Availability Zones here: {why}"
            )

    @staticmethod
    def _validate(*, max_azs: int, nat_gateways: int, vpc_endpoints: bool, cidr: str) -> None:
        try:
            network = ipaddress.IPv4Network(cidr)
        except ValueError:
            network = None
        if network is None or not 16 <= network.prefixlen <= 20:
            raise ConfigurationError(
                "cidr", cidr, "must be an IPv4 network from /16 to /20, e.g. '10.0.0.0/16'"
            )
        if not cdk.Token.is_unresolved(max_azs) and max_azs < 2:
            raise ConfigurationError(
                "max_azs",
                max_azs,
                "must be at least 2: an Application Load Balancer needs subnets in two "
                "Availability Zones, and one zone is no cheaper (subnets are free)",
            )
        if not cdk.Token.is_unresolved(max_azs) and max_azs > AVAILABILITY_ZONES_PER_REGION:
            raise ConfigurationError(
                "max_azs",
                max_azs,
                f"at most {AVAILABILITY_ZONES_PER_REGION}: no Region has more Availability Zones",
            )
        if cdk.Token.is_unresolved(nat_gateways):
            return
        if not 0 <= nat_gateways <= max_azs:
            raise ConfigurationError(
                "nat_gateways", nat_gateways, f"must be between 0 and max_azs ({max_azs})"
            )
        if nat_gateways == 0 and not vpc_endpoints:
            raise ConfigurationError(
                "nat_gateways",
                nat_gateways,
                "without a NAT gateway the private subnets reach neither ECS, ECR nor "
                "CloudWatch: set vpc_endpoints=True, or use at least 1",
            )


def _check_subnet_mask(mask: int, zones: int, cidr: str) -> None:
    """A public and a private subnet of ``/mask`` in each of ``zones`` must fit in ``cidr``
    (already checked: a /16 to /20 network)."""
    if cdk.Token.is_unresolved(mask):
        raise ConfigurationError(
            "subnet_mask", "a CDK token", "a number known at synthesis: ec2.Vpc splits the cidr"
        )
    if cdk.Token.is_unresolved(zones):
        return
    if not 16 <= mask <= 28:
        raise ConfigurationError(
            "subnet_mask", mask, "16 to 28 (a subnet of 65,536 to 16 addresses)"
        )
    prefix = ipaddress.IPv4Network(cidr).prefixlen
    needed = 2 * zones * 2 ** (32 - mask)
    if needed > 2 ** (32 - prefix):
        widest = next(m for m in range(16, 29) if 2 * zones * 2 ** (32 - m) <= 2 ** (32 - prefix))
        raise ConfigurationError(
            "subnet_mask",
            mask,
            f"a mask whose {2 * zones} subnets (a public and a private one in each of "
            f"{zones} zones) fit in cidr {cidr}: /{widest} or longer, or a larger cidr",
        )
