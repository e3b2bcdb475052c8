"""The load balancer's access logs: where they go (``AccessLogs``), the bucket, and who may
write into it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import region_info
from constructs import Construct

from constructs_ecs._arguments import checked
from constructs_ecs._deprecated import Moved, exclusive, from_moved
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._nag import COMPLIANCE_PACKS, acknowledge

__all__ = [
    "ACCESS_LOGS_MOVED",
    "DEFAULT_RETENTION_DAYS",
    "LOG_DELIVERY_PRINCIPAL",
    "AccessLogs",
    "access_logs_of",
    "log_delivery_principals",
    "new_log_bucket",
]

LOG_DELIVERY_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com"
_ELB_ACCOUNT_REGION = "ElbAccountRegion"
"""Stack-level condition: the stack's region delivers access logs from an ELB account."""


DEFAULT_RETENTION_DAYS = 90
"""How long the access-log bucket the load balancer defines keeps logs, by default."""


@dataclass(frozen=True, kw_only=True)
class AccessLogs:
    """Where the load balancer writes its access logs: a bucket of yours, or the one it defines
    (and how long that one keeps them).

    Attributes:
        bucket: An existing bucket (SSE-S3 encrypted, same Region) for the access logs; if it
            is defined in this app, its policy gets the log delivery grant. Default: a new
            bucket (SSE-S3, TLS-only, public access blocked, retained when the stack is
            deleted).
        retention: How long the new bucket keeps logs, in whole days; only without ``bucket``
            (a bucket of yours keeps its own lifecycle rules). Default: 90 days.
    """

    bucket: s3.IBucket | None = None
    retention: cdk.Duration | None = None

    @checked("access_logs.")
    def __post_init__(self) -> None:
        bucket, retention = self.bucket, self.retention
        if bucket is not None and retention is not None:
            raise ConfigurationError(
                "access_logs.retention",
                retention.to_human_string(),
                "only with the bucket this construct defines: an existing access_logs.bucket "
                "keeps its own lifecycle rules",
            )
        if bucket is not None and bucket.encryption_key is not None:
            raise ConfigurationError(
                "access_logs.bucket",
                bucket.node.path,
                "a bucket encrypted with SSE-S3: load balancer access logs cannot be written "
                "to a KMS-encrypted bucket",
            )
        if retention is not None:
            hours = retention.to_hours()
            if hours < 24 or hours % 24:
                raise ConfigurationError(
                    "access_logs.retention",
                    retention.to_human_string(),
                    "whole days, at least 1 (S3 lifecycle expiration is in days)",
                )


ACCESS_LOGS_MOVED = {
    "access_log_bucket": Moved(s3.IBucket | None, "access_logs=AccessLogs(bucket=...)"),
    "access_log_retention": Moved(cdk.Duration | None, "access_logs=AccessLogs(retention=...)"),
}
"""LoadBalancer's keywords of 0.1 that ``access_logs=AccessLogs(...)`` replaces."""

_FIELDS = {"access_log_bucket": "bucket", "access_log_retention": "retention"}


def access_logs_of(access_logs: bool | AccessLogs, taken: dict[str, Any]) -> AccessLogs | None:
    """Where the access logs go (``None``: off), from ``access_logs`` or the moved keywords
    in ``taken`` (not both)."""
    old = {
        name: value
        for name, value in taken.items()
        if name in ACCESS_LOGS_MOVED and value is not None
    }
    exclusive(old, "access_logs", access_logs if isinstance(access_logs, AccessLogs) else None)
    if access_logs is False:
        if old:
            raise ConfigurationError(
                "access_logs",
                False,
                "True when access_log_bucket or access_log_retention is given (or drop them)",
            )
        return None
    if isinstance(access_logs, AccessLogs):
        return access_logs
    return from_moved(AccessLogs, "access_logs", old, _FIELDS)


def new_log_bucket(scope: Construct, retention: cdk.Duration) -> s3.Bucket:
    """An SSE-S3, TLS-only, private bucket that keeps access logs ``retention`` days."""
    bucket = s3.Bucket(
        scope,
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
    resource = cast(cdk.CfnResource, bucket.node.default_child)
    for rule, reason in _LOG_BUCKET_FINDINGS.items():
        acknowledge(resource, rule, reason, packs=COMPLIANCE_PACKS)
    return bucket


_LOG_BUCKET_FINDINGS = {
    "S3BucketLoggingEnabled": (
        "This bucket only receives the load balancer's access logs; server access logs of a "
        "log bucket would need yet another bucket and add nothing a reviewer needs."
    ),
    "S3DefaultEncryptionKMS": (
        "Elastic Load Balancing delivers access logs only to buckets encrypted with SSE-S3 "
        "(Amazon S3 managed keys): SSE-KMS is not supported for access logs."
    ),
    "S3BucketVersioningEnabled": (
        "The log delivery service writes each access log object once, under a unique name, "
        "and never overwrites it; objects go only by the bucket's expiry rule."
    ),
    "S3BucketReplicationEnabled": (
        "Access logs are kept in the load balancer's Region for the retention chosen; a copy "
        "in another Region needs a bucket there, which is the account's decision "
        "(LoadBalancer(access_log_bucket=...) takes a bucket you replicate)."
    ),
}
"""The compliance packs' findings on the access-log bucket this library defines, and why."""


def log_delivery_principals(stack: cdk.Stack) -> list[iam.IPrincipal]:
    """Who writes access logs: the region's ELB account, or the log delivery service.

    Regions launched before August 2022 deliver from a regional Elastic Load Balancing
    account; later ones from ``logdelivery.elasticloadbalancing.amazonaws.com`` (the same
    rule ``ApplicationLoadBalancer.log_access_logs`` applies). In an environment-agnostic
    stack the choice is made at deploy time by one condition on ``AWS::Region``, shared by
    every load balancer of the stack (CloudFormation warns about equivalent conditions).
    """
    if not cdk.Token.is_unresolved(stack.region):
        account = region_info.RegionInfo.get(stack.region).elbv2_account
        if account:
            return [iam.AccountPrincipal(account)]
        return [iam.ServicePrincipal(LOG_DELIVERY_PRINCIPAL)]
    condition = stack.node.try_find_child(_ELB_ACCOUNT_REGION)
    if not isinstance(condition, cdk.CfnCondition):
        partitions = stack.node.try_get_context("@aws-cdk/core:target-partitions")
        accounts = (
            region_info.RegionInfo.limited_region_map(
                region_info.FactName.ELBV2_ACCOUNT, list(partitions)
            )
            if isinstance(partitions, list)
            else region_info.RegionInfo.region_map(region_info.FactName.ELBV2_ACCOUNT)
        )
        condition = cdk.CfnCondition(
            stack, _ELB_ACCOUNT_REGION, expression=_region_is(sorted(accounts))
        )
    account = stack.regional_fact(region_info.FactName.ELBV2_ACCOUNT)
    arn = f"arn:{cdk.Aws.PARTITION}:iam::{account}:root"
    return [
        iam.ArnPrincipal(
            cdk.Token.as_string(cdk.Fn.condition_if(condition.logical_id, arn, cdk.Aws.NO_VALUE))
        ),
        iam.ServicePrincipal(
            cdk.Token.as_string(
                cdk.Fn.condition_if(condition.logical_id, cdk.Aws.NO_VALUE, LOG_DELIVERY_PRINCIPAL)
            )
        ),
    ]


def _region_is(regions: Sequence[str]) -> cdk.ICfnConditionExpression:
    """``AWS::Region`` equals one of ``regions`` (``Fn::Or`` takes 2 to 10 conditions)."""
    conditions: list[Any] = [cdk.Fn.condition_equals(cdk.Aws.REGION, r) for r in regions]
    while len(conditions) > 1:
        conditions = [
            conditions[i]
            if len(conditions[i : i + 10]) == 1
            else cdk.Fn.condition_or(*conditions[i : i + 10])
            for i in range(0, len(conditions), 10)
        ]
    return cast(cdk.ICfnConditionExpression, conditions[0])
