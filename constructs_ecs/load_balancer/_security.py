"""What a load balancer lets in, and on what terms: its certificates (several host names by
SNI), plain HTTP as a decision with a reason, an AWS WAF web ACL, deletion protection.

The decisions a user makes here are recorded where reviewers and compliance checks read them:
as acknowledgements of the cdk-nag rules they answer, on the one resource each concerns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from constructs_ecs._arguments import checked
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._nag import COMPLIANCE_PACKS, NIST, acknowledge, require_reason

__all__ = [
    "CERTIFICATES_PER_LISTENER",
    "PlainHttp",
    "check_certificates",
    "check_web_acl_arn",
]

# Quotas for your Application Load Balancers:
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
CERTIFICATES_PER_LISTENER = 25
"""Certificates per Application Load Balancer, the default certificate excluded (adjustable):
with the default one, at most 26 on the HTTPS listener."""

_WEB_ACL_NAME = re.compile(r"^[\w-]{1,128}$")
_WEB_ACL_ID = re.compile(r"^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$")
_ACCOUNT = re.compile(r"^\d{12}$")


@dataclass(frozen=True, kw_only=True)
class PlainHttp:
    """The decision to serve plain HTTP on port 80, without TLS, and why.

    A ``LoadBalancer`` without a certificate needs one (internet-facing or internal): requests,
    cookies and credentials then cross the network unencrypted. The reason is written into the
    template as the acknowledgement of the cdk-nag rules that ask for HTTPS (HIPAA Security's
    and NIST 800-53 rev 5's ``ALBHttpToHttpsRedirection`` and ``ELBv2ACMCertificateRequired``),
    on the HTTP listener::

        LoadBalancer(
            stack,
            "LoadBalancer",
            vpc=vpc,
            plain_http=PlainHttp(reason="A demo without a domain; it serves no user data."),
        )

    Attributes:
        reason: Why plain HTTP is acceptable here: a sentence (at least 10 characters), recorded in
            the template.
    """

    reason: str

    @checked("plain_http.")
    def __post_init__(self) -> None:
        require_reason("plain_http.reason", self.reason)


def check_certificates(
    scope: Construct,
    certificate: acm.ICertificate | None,
    certificates: Sequence[acm.ICertificate],
) -> list[acm.ICertificate]:
    """The listener's certificates, the default first: ``certificates``, or the deprecated
    ``certificate`` (never both: the caller refuses that), each of the stack's Region and
    partition, each once, within the quota."""
    if isinstance(certificates, str):
        raise ConfigurationError(
            "certificates", certificates, "a list of acm.ICertificate, the default first"
        )
    chosen = list(certificates)
    field = "certificates"
    if certificate is not None:  # LoadBalancer(certificate=...) of 0.1, never beside these
        chosen, field = [certificate], "certificate"
    if len(chosen) > CERTIFICATES_PER_LISTENER + 1:
        raise ConfigurationError(
            "certificates",
            f"{len(chosen)} certificates",
            f"at most {CERTIFICATES_PER_LISTENER + 1}: the default and "
            f"{CERTIFICATES_PER_LISTENER} more (the 'Certificates per Application Load "
            "Balancer' quota; raised for your account? use a second LoadBalancer meanwhile)",
        )
    seen: dict[str, int] = {}
    for index, item in enumerate(chosen):
        name = field if field == "certificate" else f"certificates[{index}]"
        arn = item.certificate_arn
        if cdk.Token.is_unresolved(arn):
            continue
        _check_certificate_arn(scope, name, arn)
        if arn in seen:
            raise ConfigurationError(
                name, arn, f"each certificate once: it is certificates[{seen[arn]}] already"
            )
        seen[arn] = index
    return chosen


def _check_certificate_arn(scope: Construct, field: str, arn: str) -> None:
    """An ACM certificate serves a load balancer of its own Region and partition only."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] not in ("acm", "iam"):
        raise ConfigurationError(
            field,
            arn,
            "the ARN of an ACM certificate (arn:<partition>:acm:<region>:<account>:"
            "certificate/<id>) or of an IAM server certificate",
        )
    if parts[2] == "iam":
        return  # IAM server certificates are global
    stack = cdk.Stack.of(scope)
    region = stack.region
    if not cdk.Token.is_unresolved(region) and parts[3] != region:
        raise ConfigurationError(
            field,
            arn,
            f"a certificate of the stack's Region ({region}): a load balancer can use only "
            "ACM certificates of its own Region; request or import one there",
        )
    partition = stack.partition
    if not cdk.Token.is_unresolved(partition) and parts[1] != partition:
        raise ConfigurationError(
            field, arn, f"a certificate of the stack's partition ({partition})"
        )


def check_plain_http(
    plain_http: PlainHttp | None, certificates: Sequence[acm.ICertificate]
) -> None:
    """Without a certificate plain HTTP is a decision; with one it is not on offer."""
    if certificates and plain_http is not None:
        raise ConfigurationError(
            "plain_http",
            plain_http,
            "only without a certificate: with one, port 80 redirects to HTTPS (drop plain_http)",
        )
    if not certificates and plain_http is None:
        raise ConfigurationError(
            "plain_http",
            None,
            "a decision when the load balancer has no certificate: give one "
            "(certificates=[...]) for HTTPS, or plain_http=PlainHttp(reason='...') to serve "
            "unencrypted HTTP on port 80, saying why",
        )


def check_web_acl_arn(scope: Construct, arn: str | None) -> None:
    """A regional AWS WAF web ACL of the stack's Region and partition (a token is left to
    deploy time: ``CfnWebACL(...).attr_arn``)."""
    if arn is None or cdk.Token.is_unresolved(arn):
        return
    shape = (
        "the ARN of an AWS WAF web ACL of scope REGIONAL: arn:<partition>:wafv2:<region>:"
        "<account>:regional/webacl/<name>/<id> (e.g. wafv2.CfnWebACL(...).attr_arn)"
    )
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "wafv2":
        raise ConfigurationError("web_acl_arn", arn, shape)
    resource = parts[5].split("/")
    if resource[0] == "global":
        raise ConfigurationError(
            "web_acl_arn",
            arn,
            "a web ACL of scope REGIONAL: a CLOUDFRONT (global) web ACL protects CloudFront "
            "distributions only",
        )
    if (
        len(resource) != 4
        or resource[:2] != ["regional", "webacl"]
        or not _WEB_ACL_NAME.match(resource[2])
        or not _WEB_ACL_ID.match(resource[3])
        or not _ACCOUNT.match(parts[4])
    ):
        raise ConfigurationError("web_acl_arn", arn, shape)
    stack = cdk.Stack.of(scope)
    if not cdk.Token.is_unresolved(stack.region) and parts[3] != stack.region:
        raise ConfigurationError(
            "web_acl_arn",
            arn,
            f"a web ACL of the stack's Region ({stack.region}): a regional web ACL protects "
            "resources of its own Region only",
        )
    if not cdk.Token.is_unresolved(stack.partition) and parts[1] != stack.partition:
        raise ConfigurationError(
            "web_acl_arn", arn, f"a web ACL of the stack's partition ({stack.partition})"
        )


# ------------------------------------------------------------------ decisions, recorded

REASON_REDIRECT = (
    "This listener only answers HTTP with a permanent redirect to the HTTPS listener: it "
    "serves no content, so it has no certificate."
)


def record_plain_http(listener: elbv2.ApplicationListener, plain_http: PlainHttp) -> None:
    """The user's reason, on the HTTP listener, for the rules that ask for HTTPS."""
    reason = f"Plain HTTP chosen (PlainHttp): {plain_http.reason.strip()}"
    resource = cast(cdk.CfnResource, listener.node.default_child)
    acknowledge(resource, "ALBHttpToHttpsRedirection", reason, packs=COMPLIANCE_PACKS)
    acknowledge(resource, "ELBv2ACMCertificateRequired", reason, packs=COMPLIANCE_PACKS)


def record_redirect(listener: elbv2.ApplicationListener) -> None:
    """The redirect listener needs no certificate of its own."""
    resource = cast(cdk.CfnResource, listener.node.default_child)
    acknowledge(resource, "ELBv2ACMCertificateRequired", REASON_REDIRECT, packs=COMPLIANCE_PACKS)


def record_unprotected(load_balancer: elbv2.ApplicationLoadBalancer) -> None:
    """``deletion_protection=False``: the user's decision, on the load balancer."""
    acknowledge(
        cast(cdk.CfnResource, load_balancer.node.default_child),
        "ELBDeletionProtectionEnabled",
        "Deletion protection turned off by LoadBalancer(deletion_protection=False): this load "
        "balancer is meant to go when its stack is destroyed.",
        packs=COMPLIANCE_PACKS,
    )


def record_no_web_acl(load_balancer: elbv2.ApplicationLoadBalancer, internet_facing: bool) -> None:
    """No ``web_acl_arn``: which rules filter requests is the application's to decide."""
    where = (
        "it admits only its listener ports and forwards only requests a service's rule matches"
        if internet_facing
        else "it is internal, reachable from its allowed CIDR blocks only"
    )
    acknowledge(
        cast(cdk.CfnResource, load_balancer.node.default_child),
        "ALBWAFEnabled",
        f"No AWS WAF web ACL given (LoadBalancer(web_acl_arn=...) associates one): {where}; "
        "which requests a firewall should block depends on the application.",
        packs=(NIST,),
    )
