"""Scoped cdk-nag acknowledgements: one rule, one resource, one reason."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct


def acknowledge(resource: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge AwsSolutions ``rule`` (e.g. ``"IAM5[Resource::*]"``) on ``resource`` only.

    Pass the L1 (``CfnResource``) child where the L2 has children of its own: an
    acknowledgement applies to the whole subtree it is made on.
    """
    cdk.Validations.of(resource).acknowledge(
        cdk.Acknowledgment(id=f"AwsSolutions-{rule}", reason=reason)
    )
