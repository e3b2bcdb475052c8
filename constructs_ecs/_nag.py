"""Scoped cdk-nag acknowledgements: one rule, one resource, one reason."""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Callable, Iterable
from typing import Any, cast

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

WildcardReason = Callable[[frozenset[str], str], "str | None"]
"""Given a statement's actions and one wildcard resource (as cdk-nag renders it), the reason
to acknowledge it, or ``None`` to leave the finding to the user."""

LOG_STREAMS_OF_ONE_GROUP = re.compile(r":logs:.*:log-group:.+:\*$")


def acknowledge(resource: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge AwsSolutions ``rule`` (e.g. ``"IAM5[Resource::*]"``) on ``resource`` only.

    Pass the L1 (``CfnResource``) child where the L2 has children of its own: an
    acknowledgement applies to the whole subtree it is made on.
    """
    cdk.Validations.of(resource).acknowledge(
        cdk.Acknowledgment(id=f"AwsSolutions-{rule}", reason=reason)
    )


def flatten_reference(node: Any) -> str:
    """cdk-nag's rendering of a CloudFormation value in a finding id (flatten-cfn-reference)."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(flatten_reference(item) for item in items)
        if "Fn::Sub" in node:
            return flatten_reference(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
        if "Fn::ImportValue" in node:
            return flatten_reference(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{flatten_reference(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


REASON_ECR_TOKEN = (
    "ecr:GetAuthorizationToken does not support resource-level permissions; the image pull "
    "and push actions themselves are scoped to the repositories used."
)


def ecr_token_reason(actions: frozenset[str], resource: str) -> str | None:
    """``ecr:GetAuthorizationToken`` on ``*``: the one ECR action without resource scoping."""
    if resource == "*" and actions == {"ecr:GetAuthorizationToken"}:
        return REASON_ECR_TOKEN
    return None


def acknowledge_wildcard_resources(role: iam.IRole, reason_for: WildcardReason) -> None:
    """Acknowledge, finding by finding, the ``IAM5[Resource::...]`` wildcards of ``role``'s
    default policy that ``reason_for`` explains; any other wildcard stays a finding.

    Decided at synthesis, on the policy as it is then: a finding is acknowledged only when
    every statement holding that wildcard resource is explained (by this or another call's
    ``reason_for``), so an acknowledgement never covers a grant someone adds later.
    """
    policy = role.node.try_find_child("DefaultPolicy")
    if not isinstance(policy, iam.Policy):
        return
    # jsii may hand out a new proxy for the same policy: key by app and construct path.
    app = cdk.Stage.of(policy)
    acknowledgers = _ACKNOWLEDGERS.setdefault(app, {})
    path = policy.node.path
    acknowledger = acknowledgers.get(path)
    if acknowledger is None:
        acknowledger = acknowledgers[path] = _WildcardAcknowledger()
        cdk.Aspects.of(policy).add(acknowledger, priority=cdk.AspectPriority.MUTATING)
    acknowledger.reason_fors.append(reason_for)


_ACKNOWLEDGERS: weakref.WeakKeyDictionary[Any, dict[str, _WildcardAcknowledger]] = (
    weakref.WeakKeyDictionary()
)


@jsii.implements(cdk.IAspect)
class _WildcardAcknowledger:
    """At synthesis: acknowledge the explained wildcard resources of one default policy."""

    def __init__(self) -> None:
        self.reason_fors: list[WildcardReason] = []

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, iam.Policy):
            return
        reason_fors = self.reason_fors
        document = cdk.Stack.of(node).resolve(node.document)
        reasons: dict[str, list[str | None]] = {}
        for statement in document.get("Statement", []):
            if statement.get("Effect") != "Allow":
                continue
            actions = frozenset(_as_list(statement.get("Action", [])))
            resources: Iterable[str] = (
                flatten_reference(r) for r in _as_list(statement.get("Resource", []))
            )
            for resource in resources:
                if "*" in resource:
                    reason = next(
                        (r for r in (f(actions, resource) for f in reason_fors) if r), None
                    )
                    reasons.setdefault(resource, []).append(reason)
        for resource, found in reasons.items():
            explained = [reason for reason in found if reason is not None]
            if len(explained) != len(found):
                continue
            acknowledge(
                cast(Construct, node.node.default_child),
                f"IAM5[Resource::{resource}]",
                " ".join(dict.fromkeys(explained)),
            )
