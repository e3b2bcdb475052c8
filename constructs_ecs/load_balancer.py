"""One Application Load Balancer that many services share, routed by path and host."""

from __future__ import annotations

import contextlib
import ipaddress
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import aws_cdk as cdk
import jsii
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import region_info
from constructs import Construct

from constructs_ecs._nag import acknowledge
from constructs_ecs._roundtrips import is_unresolved, path_of
from constructs_ecs.errors import ConfigurationError

__all__ = ["LoadBalancer"]

HTTP_PORT = 80
HTTPS_PORT = 443
#: Listener rule priorities an ALB accepts.
MIN_PRIORITY, MAX_PRIORITY = 1, 50_000
#: ALB quotas: rules per load balancer (default rules excluded), and per rule: condition
#: values and wildcards (``*``, ``?``) over all its conditions.
MAX_RULES = 100
MAX_CONDITION_VALUES = 5
MAX_WILDCARDS = 5
MAX_CONDITION_LENGTH = 128
LOG_DELIVERY_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com"
#: Stack-level construct id under which the stack's one region condition is recorded.
_SHARED_CONDITION_ID = "ConstructsEcsElbAccountRegion"

_PATH = re.compile(r"[A-Za-z0-9_\-.$/~\"'@:+&*?]+")
_HOST = re.compile(r"[A-Za-z0-9\-.*?]+")
_TLD = re.compile(r"[A-Za-z]+")


def preferred_priority(path: str) -> int:
    """The rule priority a route owned by construct ``path`` asks for: a stable hash.

    ``zlib.crc32`` of the construct path (not Python's ``hash()``, which is salted per process)
    mapped onto 1..50000.
    """
    return zlib.crc32(path.encode("utf-8")) % MAX_PRIORITY + MIN_PRIORITY


@cache
def _literal_prefix(pattern: str) -> str:
    cut = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=len(pattern))
    return pattern[:cut]


def _overlap(a: str, b: str) -> bool:
    """Whether two ALB wildcard patterns (``*`` any run, ``?`` one character) share a match."""
    prefix_a, prefix_b = _literal_prefix(a), _literal_prefix(b)
    if not (prefix_a.startswith(prefix_b) or prefix_b.startswith(prefix_a)):
        return False  # every match of each starts with its literal prefix: they cannot meet

    @cache
    def meet(i: int, j: int) -> bool:
        if i < len(a) and a[i] == "*" and meet(i + 1, j):
            return True
        if j < len(b) and b[j] == "*" and meet(i, j + 1):
            return True
        if i == len(a) or j == len(b):
            return i == len(a) and j == len(b)
        x, y = a[i], b[j]
        if x == "*" and y == "*":
            return False  # consuming a character together makes no progress
        if x in "*?" or y in "*?" or x == y:
            return meet(i if x == "*" else i + 1, j if y == "*" else j + 1)
        return False

    return meet(0, 0)


def _values_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """An empty condition matches every request, so it overlaps anything."""
    return not a or not b or any(_overlap(x, y) for x in a for y in b)


@dataclass(frozen=True, kw_only=True)
class _Route:
    path: str
    hosts: tuple[str, ...]
    paths: tuple[str, ...]
    priority: int | None
    rule: elbv2.ApplicationListenerRule


class LoadBalancer(Construct):
    """One Application Load Balancer that many services attach to, with a rule each.

    With a ``certificate``, ``listener`` is HTTPS on 443 and ``redirect_listener`` answers
    HTTP on 80 with a permanent redirect to HTTPS; without one, ``listener`` is HTTP on 80.
    A request no service's rule matches gets a fixed 404. Services call ``add_route``.

    Defined by default: an internet-facing ALB in the VPC's public subnets; a security group
    that admits only the listener ports from ``ingress_cidrs`` and sends nothing until a service
    opens a port (``cluster.connections.allow_from(lb.connections, port)``); invalid header
    fields dropped; HTTP/2 on; defensive desync mitigation; 60 s idle timeout; access logs to a
    new S3 bucket (SSE-S3, TLS-only, public access blocked, logs expire after 90 days, retained
    when the stack is deleted); no deletion protection.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        internet_facing: bool = True,
        vpc_subnets: ec2.SubnetSelection | None = None,
        certificate: acm.ICertificate | None = None,
        ssl_policy: elbv2.SslPolicy = elbv2.SslPolicy.TLS13_12_PQ,
        ingress_cidrs: Sequence[str] | None = None,
        deletion_protection: bool = False,
        access_logs: bool = True,
        access_log_bucket: s3.IBucket | None = None,
        access_log_retention: cdk.Duration | None = None,
        idle_timeout: cdk.Duration | None = None,
    ) -> None:
        """Define the load balancer, its security group, listener(s) and access-log bucket.

        :param vpc: The VPC to place the load balancer in.
        :param internet_facing: ``False`` for an internal load balancer. Default: internet
            facing.
        :param vpc_subnets: Where to place the load balancer. Default: the public subnets when
            internet facing, the private subnets otherwise.
        :param certificate: An ACM certificate: the listener is then HTTPS and port 80
            redirects to it. Default: plain HTTP on port 80 only.
        :param ssl_policy: The HTTPS listener's security policy. Default:
            ``ELBSecurityPolicy-TLS13-1-2-PQ-2025-09``: TLS 1.3 and 1.2 with forward-secret AEAD
            ciphers only, plus hybrid post-quantum key exchange for clients that offer it.
        :param ingress_cidrs: IPv4 CIDR blocks allowed to reach the listener ports; an empty
            sequence admits no one (open to security groups with ``connections.allow_from``).
            A token (known at deploy time only) is passed on as is: cdk-nag's EC23 cannot
            evaluate it, so acknowledge EC23 on ``security_group`` with your reason.
            Default: ``0.0.0.0/0`` when internet facing; when internal, the VPC's primary CIDR
            block (written literally for a VPC defined in this app; when it is a token, as for
            a VPC imported by reference, EC23 is acknowledged: the peer is the VPC's own block).
        :param deletion_protection: ``True`` makes deleting the load balancer fail until
            protection is turned off. Default: off.
        :param access_logs: ``False`` turns access logging off (cdk-nag's ELB2 then reports the
            load balancer: acknowledge it with your reason). Default: on.
        :param access_log_bucket: An existing bucket (SSE-S3 encrypted, same region) for the
            access logs; if it is defined in this app, its policy gets the log delivery grant.
            Default: a new bucket.
        :param access_log_retention: How long the new access-log bucket keeps logs. Default:
            90 days.
        :param idle_timeout: Idle connection timeout, 1 to 4000 seconds. Default: 60 seconds.
        """
        super().__init__(scope, construct_id)
        self._validate_options(access_logs, access_log_bucket, access_log_retention, idle_timeout)
        peers = self._peers(ingress_cidrs, internet_facing, vpc)
        self._routes: list[_Route] = []
        self._applied: dict[str, int] = {}

        security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="Load balancer: listener ports from the allowed CIDR blocks only",
            allow_all_outbound=False,
        )
        self.security_group: ec2.SecurityGroup = security_group
        """The load balancer's ``ec2.SecurityGroup`` (no egress until targets are opened)."""
        self.load_balancer: elbv2.ApplicationLoadBalancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            internet_facing=internet_facing,
            vpc_subnets=vpc_subnets,
            security_group=security_group,
            deletion_protection=deletion_protection,
            drop_invalid_header_fields=True,
            http2_enabled=True,
            desync_mitigation_mode=elbv2.DesyncMitigationMode.DEFENSIVE,
            idle_timeout=idle_timeout,
        )
        """The ``elbv2.ApplicationLoadBalancer``."""
        self.connections: ec2.Connections = self.load_balancer.connections
        """The load balancer's ``ec2.Connections``: open targets to it with ``allow_from``."""

        listener, redirect_listener = self._add_listeners(certificate, ssl_policy)
        self.listener: elbv2.ApplicationListener = listener
        """The ``elbv2.ApplicationListener`` services route on (HTTPS with a certificate)."""
        self.redirect_listener: elbv2.ApplicationListener | None = redirect_listener
        """The HTTP listener that redirects to HTTPS; ``None`` without a certificate."""
        ports = [HTTP_PORT] if certificate is None else [HTTP_PORT, HTTPS_PORT]
        for peer, label in peers:
            for port in ports:
                security_group.add_ingress_rule(
                    peer,
                    ec2.Port.tcp(port),
                    f"{'HTTPS' if port == HTTPS_PORT else 'HTTP'} from {label}",
                )
        if internet_facing and any(label == "0.0.0.0/0" for _, label in peers):
            acknowledge(
                cast(cdk.CfnResource, security_group.node.default_child),
                "EC23",
                "Internet-facing load balancer: the world may reach its listener ports "
                f"({', '.join(str(p) for p in ports)}) and nothing else; that is its purpose.",
            )
        elif ingress_cidrs is None and is_unresolved(_vpc_cidr(vpc)):
            acknowledge(
                cast(cdk.CfnResource, security_group.node.default_child),
                "EC23",
                "Internal load balancer: ingress is limited to the listener ports "
                f"({', '.join(str(p) for p in ports)}) from the VPC's own CIDR block, known "
                "only at deploy time (imported VPC): cdk-nag cannot evaluate the token.",
            )

        self.access_log_bucket: s3.IBucket | None = None
        """The ``s3.IBucket`` receiving access logs; ``None`` when they are off."""
        if access_logs:
            self.access_log_bucket = access_log_bucket or self._new_log_bucket(
                access_log_retention or cdk.Duration.days(90)
            )
            self._log_to(self.access_log_bucket)

    def _add_listeners(
        self, certificate: acm.ICertificate | None, ssl_policy: elbv2.SslPolicy
    ) -> tuple[elbv2.ApplicationListener, elbv2.ApplicationListener | None]:
        """The routing listener (404 by default) and, with a certificate, the redirect."""
        not_found = elbv2.ListenerAction.fixed_response(
            404, content_type="text/plain", message_body="Not Found"
        )
        # open=False: ingress is added per CIDR and port by the caller, never 0.0.0.0/0 by CDK.
        if certificate is None:
            http = self.load_balancer.add_listener(
                "HttpListener",
                protocol=elbv2.ApplicationProtocol.HTTP,
                port=HTTP_PORT,
                open=False,
                default_action=not_found,
            )
            return http, None
        https = self.load_balancer.add_listener(
            "HttpsListener",
            protocol=elbv2.ApplicationProtocol.HTTPS,
            port=HTTPS_PORT,
            certificates=[elbv2.ListenerCertificate.from_certificate_manager(certificate)],
            ssl_policy=ssl_policy,
            open=False,
            default_action=not_found,
        )
        redirect = self.load_balancer.add_listener(
            "HttpListener",
            protocol=elbv2.ApplicationProtocol.HTTP,
            port=HTTP_PORT,
            open=False,
            default_action=elbv2.ListenerAction.redirect(
                protocol="HTTPS", port=str(HTTPS_PORT), permanent=True
            ),
        )
        return https, redirect

    # ----------------------------------------------------------------------------- routing

    @property
    def rule_count(self) -> int:
        """How many listener rules ``add_route`` has defined on ``listener`` (quota: 100)."""
        return len(self._routes)

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

        Priority: ``priority`` when given (1-50000, unique on this load balancer). Otherwise
        ``1 + crc32(owner's construct path) % 50000``: stable across synths and unaffected by
        adding or removing other services. If that number is contested, an explicit priority
        keeps it, then the owner whose path sorts first; the others take the next free number
        upward (50000 wraps to 1). So a service's priority only moves when its own number
        becomes contested.

        Two routes whose hosts and paths can match the same request (``/api/*`` and
        ``/api/orders``; a route without hosts and one with hosts and an overlapping path)
        would be ordered by hash: that raises ``ConfigurationError`` unless both have explicit
        priorities (the lower number wins).

        :param owner: The construct that owns the rule, usually the service.
        :param target_group: Where matching requests go.
        :param path_patterns: Path patterns (case-sensitive, ``*`` and ``?`` wildcards, up to
            128 characters, starting with ``/`` or a wildcard). Default: any path.
        :param host_headers: Host names (case-insensitive, ``*`` and ``?`` wildcards, with a
            dot and a letters-only last label). Default: any host.
        :param priority: An explicit rule priority. Default: derived from ``owner``'s path.
        """
        owner_path = path_of(owner)
        if len(self._routes) >= MAX_RULES:
            raise ConfigurationError(
                "add_route",
                owner_path,
                f"at most {MAX_RULES} rules on one Application Load Balancer (its quota): "
                "put further services behind another LoadBalancer",
            )
        if owner_path in self._applied:  # (a rule of another load balancer fails in CDK)
            raise ConfigurationError(
                "owner",
                owner_path,
                "a construct with no route yet: each owner has one rule, 'ListenerRule'; "
                "list all its paths and hosts in one add_route call",
            )
        paths = _clean(path_patterns, "path_patterns", _validate_path)
        hosts = tuple(h.lower() for h in _clean(host_headers, "host_headers", _validate_host))
        if not paths and not hosts:
            raise ConfigurationError(
                "path_patterns",
                list(path_patterns),
                "at least one path pattern or host header: a service needs something to be "
                "routed on (path_patterns=['/*'] routes every request)",
            )
        _validate_limits(paths, hosts)
        if priority is not None:
            self._validate_priority(priority, owner_path)
        for route in self._routes:
            if route.priority is not None and priority is not None:
                continue  # explicit and distinct: the lower number wins, by design
            if _values_overlap(route.hosts, hosts) and _values_overlap(route.paths, paths):
                raise ConfigurationError(
                    "path_patterns",
                    {
                        "owner": owner_path,
                        "host_headers": list(hosts),
                        "path_patterns": list(paths),
                    },
                    f"a route no other service's rule also matches, but {route.path} "
                    f"(host_headers {list(route.hosts)}, path_patterns {list(route.paths)}) can "
                    "match the same requests (an empty list matches any) and the order of "
                    "hashed priorities is arbitrary; make the patterns disjoint, or give both "
                    "services explicit priorities (the lower number wins)",
                )

        conditions = []
        if hosts:
            conditions.append(elbv2.ListenerCondition.host_headers(list(hosts)))
        if paths:
            conditions.append(elbv2.ListenerCondition.path_patterns(list(paths)))
        rule = elbv2.ApplicationListenerRule(
            owner,
            "ListenerRule",
            listener=self.listener,
            priority=priority or preferred_priority(owner_path),
            conditions=conditions,
            target_groups=[target_group],
        )
        self._routes.append(
            _Route(path=owner_path, hosts=hosts, paths=paths, priority=priority, rule=rule)
        )
        self._applied[owner_path] = priority or preferred_priority(owner_path)
        self._assign_priorities()
        return rule

    def _validate_priority(self, priority: int, owner_path: str) -> None:
        if (
            isinstance(priority, bool)
            or not isinstance(priority, int)
            or not MIN_PRIORITY <= priority <= MAX_PRIORITY
        ):
            raise ConfigurationError(
                "priority", priority, f"an integer from {MIN_PRIORITY} to {MAX_PRIORITY}"
            )
        for route in self._routes:
            if route.priority == priority:
                raise ConfigurationError(
                    "priority",
                    priority,
                    f"a priority no other rule on this load balancer has: {route.path} already "
                    f"has {priority} (asked by {owner_path})",
                )

    def _assign_priorities(self) -> None:
        """(Re)compute every hashed priority from the full set of routes: order-independent."""
        taken = {r.priority for r in self._routes if r.priority is not None}
        hashed = sorted((r for r in self._routes if r.priority is None), key=lambda r: r.path)
        assigned: dict[str, int] = {}
        losers: list[_Route] = []
        for route in hashed:
            wanted = preferred_priority(route.path)
            if wanted in taken:
                losers.append(route)
            else:
                taken.add(wanted)
                assigned[route.path] = wanted
        for route in losers:
            candidate = preferred_priority(route.path)
            while candidate in taken:
                candidate = candidate % MAX_PRIORITY + MIN_PRIORITY
            taken.add(candidate)
            assigned[route.path] = candidate
        for route in self._routes:
            value = route.priority if route.priority is not None else assigned[route.path]
            if self._applied.get(route.path) != value:  # each jsii call costs: set changes only
                cast(elbv2.CfnListenerRule, route.rule.node.default_child).priority = value
                self._applied[route.path] = value

    # ------------------------------------------------------------------------- set-up help

    @staticmethod
    def _validate_options(
        access_logs: bool,
        access_log_bucket: s3.IBucket | None,
        access_log_retention: cdk.Duration | None,
        idle_timeout: cdk.Duration | None,
    ) -> None:
        if not access_logs and (access_log_bucket or access_log_retention):
            raise ConfigurationError(
                "access_logs",
                False,
                "True when access_log_bucket or access_log_retention is given (or drop them)",
            )
        if access_log_bucket is not None and access_log_retention is not None:
            raise ConfigurationError(
                "access_log_retention",
                access_log_retention.to_human_string(),
                "only with the bucket this construct defines: an existing access_log_bucket "
                "keeps its own lifecycle rules",
            )
        if access_log_bucket is not None and access_log_bucket.encryption_key is not None:
            raise ConfigurationError(
                "access_log_bucket",
                access_log_bucket.node.path,
                "a bucket encrypted with SSE-S3: load balancer access logs cannot be written "
                "to a KMS-encrypted bucket",
            )
        if access_log_retention is not None:
            hours = access_log_retention.to_hours()
            if hours < 24 or hours % 24:
                raise ConfigurationError(
                    "access_log_retention",
                    access_log_retention.to_human_string(),
                    "whole days, at least 1 (S3 lifecycle expiration is in days)",
                )
        if idle_timeout is not None:
            seconds = idle_timeout.to_seconds()
            if not 1 <= seconds <= 4000:
                raise ConfigurationError(
                    "idle_timeout", idle_timeout.to_human_string(), "1 to 4000 seconds"
                )

    @staticmethod
    def _peers(
        ingress_cidrs: Sequence[str] | None, internet_facing: bool, vpc: ec2.IVpc
    ) -> list[tuple[ec2.IPeer, str]]:
        if ingress_cidrs is None:
            if internet_facing:
                return [(ec2.Peer.any_ipv4(), "0.0.0.0/0")]
            return [(ec2.Peer.ipv4(_vpc_cidr(vpc)), "the VPC")]
        if isinstance(ingress_cidrs, str):
            raise ConfigurationError(
                "ingress_cidrs",
                ingress_cidrs,
                "a sequence of IPv4 CIDR blocks, e.g. ['10.0.0.0/8']",
            )
        peers: list[tuple[ec2.IPeer, str]] = []
        for cidr in ingress_cidrs:
            if is_unresolved(cidr):
                peers.append((ec2.Peer.ipv4(cidr), "a CIDR block"))
                continue
            try:
                network = ipaddress.ip_network(cidr, strict=True)
            except ValueError:
                hint = ""
                with contextlib.suppress(ValueError):
                    hint = f" (did you mean {str(ipaddress.ip_network(cidr, strict=False))!r}?)"
                raise ConfigurationError(
                    "ingress_cidrs", cidr, "IPv4 CIDR blocks such as '203.0.113.0/24'" + hint
                ) from None
            if network.version != 4:
                raise ConfigurationError(
                    "ingress_cidrs",
                    cidr,
                    "IPv4 CIDR blocks: the load balancer has IPv4 addresses only",
                )
            if str(network) not in [label for _, label in peers]:
                peers.append((ec2.Peer.ipv4(str(network)), str(network)))
        return peers

    def _new_log_bucket(self, retention: cdk.Duration) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireAccessLogs",
                    expiration=cdk.Duration.days(int(retention.to_hours() // 24)),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                )
            ],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        acknowledge(
            cast(cdk.CfnResource, bucket.node.default_child),
            "S1",
            "This bucket only receives the load balancer's access logs, written by the ELB "
            "log delivery service; server access logs of a log bucket would need yet another "
            "bucket and add nothing a reviewer needs.",
        )
        return bucket

    def _log_to(self, bucket: s3.IBucket) -> None:
        """Enable access logs; the bucket policy grant works in environment-agnostic stacks."""
        stack = cdk.Stack.of(self)
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                principals=self._log_delivery_principals(stack),
                resources=[bucket.arn_for_objects(f"AWSLogs/{stack.account}/*")],
            )
        )
        self.load_balancer.set_attribute("access_logs.s3.enabled", "true")
        self.load_balancer.set_attribute("access_logs.s3.bucket", bucket.bucket_name)
        policy = bucket.policy
        if policy is not None:
            cast(cdk.CfnResource, self.load_balancer.node.default_child).add_resource_dependency(
                cast(cdk.CfnResource, policy.node.default_child)
            )

    def _log_delivery_principals(self, stack: cdk.Stack) -> list[iam.IPrincipal]:
        """Who writes access logs: the region's ELB account, or the log delivery service.

        Regions launched before August 2022 deliver from a regional Elastic Load Balancing
        account; later ones from ``logdelivery.elasticloadbalancing.amazonaws.com`` (the same
        rule ``ApplicationLoadBalancer.log_access_logs`` applies). In an environment-agnostic
        stack the choice is made at deploy time by a condition on ``AWS::Region``.
        """
        if not is_unresolved(stack.region):
            account = region_info.RegionInfo.get(stack.region).elbv2_account
            if account:
                return [iam.AccountPrincipal(account)]
            return [iam.ServicePrincipal(LOG_DELIVERY_PRINCIPAL)]
        shared = stack.node.try_find_child(_SHARED_CONDITION_ID)
        if isinstance(shared, _SharedCondition):
            return _conditional_principals(stack, shared.condition)
        partitions = self.node.try_get_context("@aws-cdk/core:target-partitions")
        accounts = (
            region_info.RegionInfo.limited_region_map(
                region_info.FactName.ELBV2_ACCOUNT, list(partitions)
            )
            if isinstance(partitions, list)
            else region_info.RegionInfo.region_map(region_info.FactName.ELBV2_ACCOUNT)
        )
        legacy = cdk.CfnCondition(
            self,
            "ElbAccountRegion",
            expression=_RegionIs(sorted(accounts)),
        )
        _SharedCondition(stack, _SHARED_CONDITION_ID, condition=legacy)
        return _conditional_principals(stack, legacy)


class _SharedCondition(Construct):
    """Defines nothing: records, at stack level, the stack's one region condition.

    The first load balancer that needs the condition defines it as its own child (so a stack
    with one load balancer keeps the logical id it always had); the others reuse it, so the
    template holds a single condition (CloudFormation warns about equivalent ones, W9053).
    """

    def __init__(self, scope: Construct, construct_id: str, *, condition: cdk.CfnCondition) -> None:
        super().__init__(scope, construct_id)
        self.condition = condition


def _conditional_principals(stack: cdk.Stack, legacy: cdk.CfnCondition) -> list[iam.IPrincipal]:
    """The region's ELB account where ``legacy`` holds, the log delivery service elsewhere.

    ``regional_fact`` defines the ``Elbv2AccountMap`` mapping once per stack.
    """
    account = stack.regional_fact(region_info.FactName.ELBV2_ACCOUNT)
    arn = f"arn:{cdk.Aws.PARTITION}:iam::{account}:root"
    return [
        iam.ArnPrincipal(
            cdk.Token.as_string(cdk.Fn.condition_if(legacy.logical_id, arn, cdk.Aws.NO_VALUE))
        ),
        iam.ServicePrincipal(
            cdk.Token.as_string(
                cdk.Fn.condition_if(legacy.logical_id, cdk.Aws.NO_VALUE, LOG_DELIVERY_PRINCIPAL)
            )
        ),
    ]


def _vpc_cidr(vpc: ec2.IVpc) -> str:
    """The VPC's primary IPv4 CIDR block, as a literal whenever it is known at synth time.

    ``vpc.vpc_cidr_block`` of a VPC defined in this app is a ``Fn::GetAtt`` token (which
    cdk-nag's EC23 cannot evaluate); its ``CfnVPC`` holds the literal block it was given.
    An imported VPC returns what it was imported with: a literal, or a token.
    """
    resource = vpc.node.default_child
    if isinstance(resource, ec2.CfnVPC):
        cidr = resource.cidr_block
        if cidr is not None and not is_unresolved(cidr):
            return cidr
    return vpc.vpc_cidr_block


@jsii.implements(cdk.ICfnConditionExpression)
class _RegionIs:
    """``AWS::Region`` equals one of ``regions``: ``Fn::Or`` (2 to 10 operands at a time) over
    ``Fn::Equals``.

    Built in Python and handed to CloudFormation as it is, rather than composed from
    ``cdk.Fn.condition_equals``/``condition_or``: the same JSON, for one jsii round trip
    instead of one per region.
    """

    def __init__(self, regions: Sequence[str]) -> None:
        self._expression = _any_of(
            [{"Fn::Equals": [{"Ref": "AWS::Region"}, region]} for region in regions]
        )

    @property
    def creation_stack(self) -> list[str]:
        return []

    @property
    def type_hint(self) -> cdk.ResolutionTypeHint | None:
        return None

    def resolve(self, _context: cdk.IResolveContext) -> Any:
        return self._expression

    def to_string(self) -> str:
        return "constructs_ecs region condition"


def _any_of(conditions: list[dict[str, Any]]) -> dict[str, Any]:
    """``Fn::Or`` over any number of conditions (CloudFormation takes 2 to 10 at a time)."""
    if len(conditions) == 1:
        return conditions[0]
    if len(conditions) <= 10:
        return {"Fn::Or": conditions}
    return _any_of([_any_of(conditions[i : i + 10]) for i in range(0, len(conditions), 10)])


def _clean(
    values: Sequence[str], field: str, validate: Callable[[str, str], None]
) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ConfigurationError(field, values, f"a list, e.g. [{values!r}]")
    out: list[str] = []
    for value in values:
        if not is_unresolved(value):
            validate(value, field)
        if value not in out:
            out.append(value)
    return tuple(out)


def _validate_path(value: str, field: str) -> None:
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= MAX_CONDITION_LENGTH
        or not _PATH.fullmatch(value)
        or value[0] not in "/*?"
    ):
        raise ConfigurationError(
            field,
            value,
            f"path patterns of 1 to {MAX_CONDITION_LENGTH} characters starting with '/' "
            "(or a wildcard): letters, digits, _ - . $ / ~ \" ' @ : + &, and the wildcards "
            "* (any run) and ? (one character)",
        )


def _validate_host(value: str, field: str) -> None:
    last_label = value.rsplit(".", 1)[-1] if isinstance(value, str) else ""
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= MAX_CONDITION_LENGTH
        or not _HOST.fullmatch(value)
        or "." not in value
        or not _TLD.fullmatch(last_label)
    ):
        raise ConfigurationError(
            field,
            value,
            f"host names of up to {MAX_CONDITION_LENGTH} characters: letters, digits, '-', "
            "'.', and the wildcards * and ?, with at least one '.' and only letters after "
            "the last one (e.g. 'api.example.com', '*.example.com')",
        )


def _validate_limits(paths: tuple[str, ...], hosts: tuple[str, ...]) -> None:
    values = len(paths) + len(hosts)
    if values > MAX_CONDITION_VALUES:
        raise ConfigurationError(
            "path_patterns",
            {"path_patterns": list(paths), "host_headers": list(hosts)},
            f"at most {MAX_CONDITION_VALUES} path patterns and host headers in total per "
            f"rule (an ALB quota); got {values}",
        )
    wildcards = sum(v.count("*") + v.count("?") for v in paths + hosts)
    if wildcards > MAX_WILDCARDS:
        raise ConfigurationError(
            "path_patterns",
            {"path_patterns": list(paths), "host_headers": list(hosts)},
            f"at most {MAX_WILDCARDS} wildcards ('*', '?') in total per rule (an ALB quota); "
            f"got {wildcards}",
        )
