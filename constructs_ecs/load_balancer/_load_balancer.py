"""One Application Load Balancer that many services share, routed by path and host."""

from __future__ import annotations

import contextlib
import functools
import ipaddress
from collections.abc import Sequence
from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from constructs_ecs._arguments import checked, expect_int
from constructs_ecs._deprecated import Moved, announce_moved, exclusive, take_moved
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._limits import LISTENER_RULES_PER_LOAD_BALANCER
from constructs_ecs._nag import acknowledge
from constructs_ecs.load_balancer._access_logs import (
    ACCESS_LOGS_MOVED,
    DEFAULT_RETENTION_DAYS,
    AccessLogs,
    access_logs_of,
    log_delivery_principals,
    new_log_bucket,
)
from constructs_ecs.load_balancer._existing_load_balancer import ExistingLoadBalancer
from constructs_ecs.load_balancer._routes import (
    RouteTable,
)
from constructs_ecs.load_balancer._rules import ListenerRoutes
from constructs_ecs.load_balancer._security import (
    PlainHttp,
    check_certificates,
    check_plain_http,
    check_web_acl_arn,
    record_no_web_acl,
    record_plain_http,
    record_redirect,
    record_unprotected,
)

__all__ = ["LoadBalancer"]

HTTP_PORT = 80
HTTPS_PORT = 443
TEST_PORT = 8080
"""The test listener's port without a certificate (blue/green test traffic)."""
TEST_TLS_PORT = 8443
"""The test listener's port with a certificate (HTTPS, the same certificate)."""

_MOVED = {
    **ACCESS_LOGS_MOVED,
    "certificate": Moved(acm.ICertificate | None, "certificates=[...]"),
}
"""The keywords of 0.1 that ``access_logs`` and ``certificates`` replace."""


class LoadBalancer(ListenerRoutes, Construct):
    """One Application Load Balancer that many services attach to, with a rule each.

    With a certificate (``certificates``: one, or several for several host names, served by
    SNI), ``listener`` is HTTPS on 443 and ``redirect_listener`` answers HTTP on 80 with a
    permanent redirect to HTTPS. Plain HTTP is a decision: without a certificate, only
    ``plain_http=PlainHttp(reason=...)`` makes ``listener`` HTTP on 80. A request no service's
    rule matches gets a fixed 404. Services call ``add_route``.

    Defined by default: an internet-facing ALB in the VPC's public subnets; a security group
    that admits only the listener ports from ``ingress_cidrs`` and sends nothing until a service
    opens a port (``cluster.connections.allow_from(lb.connections, port)``); invalid header
    fields dropped; HTTP/2 on; defensive desync mitigation; 60 s idle timeout; access logs to a
    new S3 bucket (SSE-S3, TLS-only, public access blocked, logs expire after 90 days, retained
    when the stack is deleted); deletion protection on; no web ACL.
    """

    @checked()
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        internet_facing: bool = True,
        vpc_subnets: ec2.SubnetSelection | None = None,
        certificates: Sequence[acm.ICertificate] = (),
        plain_http: PlainHttp | None = None,
        ssl_policy: elbv2.SslPolicy = elbv2.SslPolicy.TLS13_12_PQ,
        ingress_cidrs: Sequence[str] | None = None,
        deletion_protection: bool = True,
        web_acl_arn: str | None = None,
        access_logs: bool | AccessLogs = True,
        idle_timeout: cdk.Duration | None = None,
        max_rules: int = LISTENER_RULES_PER_LOAD_BALANCER,
        **moved: Any,
    ) -> None:
        """Define the load balancer, its security group, listener(s) and access-log bucket.

        :param vpc: The VPC to place the load balancer in.
        :param internet_facing: ``False`` for an internal load balancer. Default: internet
            facing.
        :param vpc_subnets: Where to place the load balancer. Default: the public subnets when
            internet facing, the private subnets otherwise.
        :param certificates: ACM certificates of the stack's Region: the listener is then HTTPS
            and port 80 redirects to it. Several serve several host names (SNI): the first is
            the listener's default, served to clients that name no host or one no certificate
            covers; the others are added to the listener (``ListenerCertificate``), at most 25.
            Default: none (then ``plain_http`` is required).
        :param plain_http: Serve unencrypted HTTP on port 80, with the reason
            (``PlainHttp(reason=...)``): required without a certificate, refused with one.
            The reason is recorded in the template as the acknowledgement of the HIPAA and
            NIST rules that ask for HTTPS. Default: none (a certificate is then required).
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
        :param deletion_protection: ``False`` lets CloudFormation delete the load balancer
            (``cdk destroy``, or a replacement); with it on, deleting fails until protection is
            turned off (deploy once with ``False`` first). Default: on.
        :param web_acl_arn: An AWS WAF web ACL (scope ``REGIONAL``, the stack's Region) to
            associate with the load balancer: a literal ARN or a token such as
            ``wafv2.CfnWebACL(...).attr_arn``. Default: none.
        :param access_logs: Where access logs go: ``AccessLogs(bucket=...)`` for an existing
            bucket, ``AccessLogs(retention=...)`` for how long the new one keeps them; ``True``
            is ``AccessLogs()``. ``False`` turns access logging off (cdk-nag's ELB2 then reports
            the load balancer: acknowledge it with your reason). Default: on, to a new bucket
            that keeps logs 90 days.
        :param idle_timeout: Idle connection timeout, 1 to 4000 seconds. Default: 60 seconds.
        :param max_rules: The listener rules ``add_route`` may define: the load balancer's rule
            quota (raised for your account?), or fewer to keep room for rules added elsewhere.
            Default: 100, the quota AWS starts every account with.
        """
        taken = take_moved(LoadBalancer, moved, _MOVED)
        logs = access_logs_of(access_logs, taken)
        certificate = taken.get("certificate")
        if certificate is not None:
            exclusive({"certificate": certificate.node.path}, "certificates", certificates or None)
        super().__init__(scope, construct_id)
        announce_moved(self, taken, _MOVED)
        _expect_literal_int("max_rules", max_rules)
        expect_int("max_rules", max_rules, minimum=1)
        self._validate_idle_timeout(idle_timeout)
        chosen = check_certificates(self, certificate, certificates)
        check_plain_http(plain_http, chosen)
        check_web_acl_arn(self, web_acl_arn)
        self.certificates: tuple[acm.ICertificate, ...] = tuple(chosen)
        """The HTTPS listener's certificates, its default first; empty with plain HTTP."""
        peers = self._peers(ingress_cidrs, internet_facing, vpc)
        self.routes = RouteTable(max_rules=max_rules)
        """The routes of ``listener`` and their priorities (see ``constructs_ecs.load_balancer
        .routes``)."""

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

        listener, redirect_listener = self._add_listeners(chosen, ssl_policy)
        self._certificate = chosen[0] if chosen else None
        self._ssl_policy = ssl_policy
        self.test_listener: elbv2.ApplicationListener | None = None
        """The listener of blue/green test traffic (``TEST_PORT``): defined with the first
        blue/green, canary or linear service, admitting no one until you open it, e.g.
        ``test_listener.connections.allow_default_port_from(ec2.Peer.ipv4(...))``."""
        self.listener: elbv2.ApplicationListener = listener
        """The ``elbv2.ApplicationListener`` services route on (HTTPS with a certificate)."""
        self.redirect_listener: elbv2.ApplicationListener | None = redirect_listener
        """The HTTP listener that redirects to HTTPS; ``None`` without a certificate."""
        if redirect_listener is not None:
            record_redirect(redirect_listener)
        elif plain_http is not None:
            record_plain_http(listener, plain_http)
        if not deletion_protection:
            record_unprotected(self.load_balancer)
        self.web_acl_association: wafv2.CfnWebACLAssociation | None = None
        """The association with ``web_acl_arn``'s web ACL; ``None`` without one."""
        if web_acl_arn is None:
            record_no_web_acl(self.load_balancer, internet_facing)
        else:
            self.web_acl_association = wafv2.CfnWebACLAssociation(
                self,
                "WebAclAssociation",
                resource_arn=self.load_balancer.load_balancer_arn,
                web_acl_arn=web_acl_arn,
            )
        ports = [HTTP_PORT, HTTPS_PORT] if chosen else [HTTP_PORT]
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
        elif ingress_cidrs is None and cdk.Token.is_unresolved(_vpc_cidr(vpc)):
            acknowledge(
                cast(cdk.CfnResource, security_group.node.default_child),
                "EC23",
                "Internal load balancer: ingress is limited to the listener ports "
                f"({', '.join(str(p) for p in ports)}) from the VPC's own CIDR block, known "
                "only at deploy time (imported VPC): cdk-nag cannot evaluate the token.",
            )

        self.access_log_bucket: s3.IBucket | None = None
        """The ``s3.IBucket`` receiving access logs; ``None`` when they are off."""
        if logs is not None:
            self.access_log_bucket = logs.bucket or new_log_bucket(
                self, logs.retention or cdk.Duration.days(DEFAULT_RETENTION_DAYS)
            )
            self._log_to(self.access_log_bucket)

    def _add_listeners(
        self, certificates: Sequence[acm.ICertificate], ssl_policy: elbv2.SslPolicy
    ) -> tuple[elbv2.ApplicationListener, elbv2.ApplicationListener | None]:
        """The routing listener (404 by default) and, with a certificate, the redirect."""
        not_found = elbv2.ListenerAction.fixed_response(
            404, content_type="text/plain", message_body="Not Found"
        )
        # open=False: ingress is added per CIDR and port by the caller, never 0.0.0.0/0 by CDK.
        if not certificates:
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
            # The first is the default; aws-cdk-lib adds each other one to this listener as a
            # ListenerCertificate resource (SNI).
            certificates=[
                elbv2.ListenerCertificate.from_certificate_manager(c) for c in certificates
            ],
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

    @functools.cached_property
    def full_name(self) -> str:
        """``app/<name>/<id>``: the ``LoadBalancer`` dimension of its CloudWatch metrics."""
        return self.load_balancer.load_balancer_full_name

    def _listener_for_tests(self) -> elbv2.ApplicationListener:
        """The test listener, defined on first use (HTTPS when ``listener`` is)."""
        if self.test_listener is None:
            not_found = elbv2.ListenerAction.fixed_response(
                404, content_type="text/plain", message_body="Not Found"
            )
            certificate = self._certificate
            self.test_listener = self.load_balancer.add_listener(
                "TestListener",
                protocol=elbv2.ApplicationProtocol.HTTP
                if certificate is None
                else elbv2.ApplicationProtocol.HTTPS,
                port=TEST_PORT if certificate is None else TEST_TLS_PORT,
                certificates=None
                if certificate is None
                else [elbv2.ListenerCertificate.from_certificate_manager(certificate)],
                ssl_policy=None if certificate is None else self._ssl_policy,
                open=False,
                default_action=not_found,
            )
        return self.test_listener

    # ------------------------------------------------------------------------- set-up help

    @staticmethod
    def from_listener(
        scope: Construct, construct_id: str, **attributes: Any
    ) -> ExistingLoadBalancer:
        """A load balancer defined elsewhere: services route through its ``listener`` (see
        ``ExistingLoadBalancer`` for the attributes)."""
        return ExistingLoadBalancer(scope, construct_id, **attributes)

    @staticmethod
    def _validate_idle_timeout(idle_timeout: cdk.Duration | None) -> None:
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
            if cdk.Token.is_unresolved(cidr):
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

    def _log_to(self, bucket: s3.IBucket) -> None:
        """Enable access logs; the bucket policy grant works in environment-agnostic stacks."""
        stack = cdk.Stack.of(self)
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                principals=log_delivery_principals(stack),
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


def _expect_literal_int(field: str, value: int) -> None:
    """A count checked at synth: a deploy-time token cannot be compared with anything."""
    if cdk.Token.is_unresolved(value):
        raise ConfigurationError(
            field, "<a CDK token>", "a literal integer: it is checked at synth"
        )


def _vpc_cidr(vpc: ec2.IVpc) -> str:
    """The VPC's primary IPv4 CIDR block, as a literal whenever it is known at synth time.

    ``vpc.vpc_cidr_block`` of a VPC defined in this app is a ``Fn::GetAtt`` token (which
    cdk-nag's EC23 cannot evaluate); its ``CfnVPC`` holds the literal block it was given.
    An imported VPC returns what it was imported with: a literal, or a token.
    """
    resource = vpc.node.default_child
    if isinstance(resource, ec2.CfnVPC):
        cidr = resource.cidr_block
        if cidr is not None and not cdk.Token.is_unresolved(cidr):
            return cidr
    return vpc.vpc_cidr_block
