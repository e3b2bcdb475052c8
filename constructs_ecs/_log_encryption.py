"""Customer-managed KMS keys for the library's log groups (``log_key=`` of ``Network`` and
``ExistingCluster``, ``logs=ClusterLogs(key=...)`` of ``EcsCluster``), and the key policy
CloudWatch Logs needs to use one.

Without a key, CloudWatch Logs encrypts log data at rest with keys it manages; HIPAA Security
and NIST 800-53 rev 5 ask for a key of your own (``CloudWatchLogGroupEncrypted``), which the
library acknowledges on each log group until one is given.
"""

from __future__ import annotations

from typing import cast

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from constructs_ecs._nag import acknowledge_log_group_key

__all__ = ["allow_cloudwatch_logs", "new_log_group"]

_MARKER_ID = "AllowsCloudWatchLogs"
"""A child of a key whose policy already lets CloudWatch Logs use it (added once per key)."""


def allow_cloudwatch_logs(key: kms.IKey) -> None:
    """Let CloudWatch Logs use ``key`` for the log groups of its stack's account and Region.

    The statement CloudWatch Logs documents ("Encrypt log data in CloudWatch Logs using AWS
    KMS"), limited by the ``aws:logs:arn`` encryption context to log groups of this account
    and Region; added once to the policy of a key this app defines. An imported key's policy is
    not this app's: add the statement to it where it is defined.
    """
    if key.node.try_find_child(_MARKER_ID) is not None:
        return
    Construct(cast(Construct, key), _MARKER_ID)
    stack = cdk.Stack.of(key)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchLogs",
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.{stack.url_suffix}")],
            actions=[
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            resources=["*"],
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": (
                        f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:*"
                    )
                }
            },
        )
    )


def new_log_group(
    scope: Construct,
    construct_id: str,
    *,
    key: kms.IKey | None,
    option: str,
    retention: logs.RetentionDays,
    removal_policy: cdk.RemovalPolicy,
) -> logs.LogGroup:
    """A log group encrypted with ``key``, or, without one, with CloudWatch Logs' own key and
    the compliance packs' finding acknowledged, naming ``option`` (where a key is given)."""
    if key is not None:
        allow_cloudwatch_logs(key)
    log_group = logs.LogGroup(
        scope,
        construct_id,
        retention=retention,
        removal_policy=removal_policy,
        encryption_key=key,
    )
    if key is None:
        acknowledge_log_group_key(log_group, option)
    return log_group
