"""cdk-nag acknowledgements for what CDK Pipelines defines in the tooling account.

The pipeline's roles hold wildcards that aws-cdk-lib writes (bucket and key grant action
groups, the log streams and report groups of each CodeBuild project, the bootstrap roles found
by tag). Each finding is acknowledged on the one policy that holds it, and only when every
statement holding it is one of the kinds explained below; any other wildcard, such as one a
later change adds, stays a finding and fails synthesis.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import IConstruct

__all__ = ["acknowledge_pipeline_wildcards", "explained_wildcards"]

_ARN = r"arn:[^:]+:{service}:[^:]*:\d*:"

ACTION_GROUPS = {
    "s3:Abort*": "s3",
    "s3:DeleteObject*": "s3",
    "s3:GetBucket*": "s3",
    "s3:GetObject*": "s3",
    "s3:List*": "s3",
    "kms:GenerateDataKey*": "kms",
    "kms:ReEncrypt*": "kms",
}
"""The action groups of aws-cdk-lib's bucket and key grants."""

REASON_ACTION_GROUP = (
    "An action group of aws-cdk-lib's grant (grantRead, grantReadWrite, grantDelete of a "
    "bucket; encrypt and decrypt with a key), on the resources this statement names: the "
    "pipeline's artifact bucket and keys, or one stage's prefix of the deployed-assemblies "
    "bucket."
)
REASON_OBJECTS = (
    "Objects of a bucket this pipeline owns: CodePipeline and CodeBuild write each execution's "
    "artifacts under keys they generate; the review and record steps are each limited to one "
    "stage's prefix."
)
REASON_BUILD_LOGS = (
    "The log streams of a CodeBuild project's own log group (/aws/codebuild/<project>), one "
    "stream per build; the shared asset-publishing role is used by every publishing project."
)
REASON_REPORTS = "CodeBuild test report groups named after the project (CodeBuild's own grant)."
REASON_BOOTSTRAP_ROLES = (
    "Self-mutation assumes the CDK bootstrap roles of the tooling account (deploy, file and "
    "image publishing), selected by their aws-cdk:bootstrap-role tag in the statement's "
    "condition."
)
REASON_SELF_MUTATION_LOOKUPS = (
    "cdk deploy of the pipeline stack reads stack states and the bootstrap bucket's listing; "
    "neither action has a resource the template can name in advance."
)
REASON_REPLICATION_KEY = (
    "The artifact replication bucket in another region is encrypted with a key of the "
    "cross-region support stack, which this stack cannot reference; CodePipeline's grant "
    "names it '*'."
)
REASON_BUILD_CONTROL = (
    "CDK Pipelines lets its asset-publishing role start and watch CodeBuild builds; the role "
    "can only be assumed by CodeBuild and by this pipeline."
)


def _resource_reason(actions: frozenset[str], resource: str) -> str | None:
    if re.fullmatch(r"<[A-Za-z0-9]+\.Arn>/.*\*", resource) or re.fullmatch(
        r"arn:[^:]+:s3:::[a-z0-9.-]+/\*", resource
    ):
        return REASON_OBJECTS
    if re.fullmatch(_ARN.format(service="logs") + r"log-group:/aws/codebuild/.*\*", resource):
        return REASON_BUILD_LOGS
    if re.fullmatch(_ARN.format(service="codebuild") + r"report-group/.*\*", resource):
        return REASON_REPORTS
    if re.fullmatch(r"arn:\*:iam::\d{12}:role/\*", resource) and actions == {"sts:AssumeRole"}:
        return REASON_BOOTSTRAP_ROLES
    if resource != "*":
        return None
    if actions <= {"cloudformation:DescribeStacks", "s3:ListBucket"}:
        return REASON_SELF_MUTATION_LOOKUPS
    if actions <= {"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt"} | set(ACTION_GROUPS):
        return REASON_REPLICATION_KEY
    if actions <= {"codebuild:BatchGetBuilds", "codebuild:StartBuild", "codebuild:StopBuild"}:
        return REASON_BUILD_CONTROL
    return None


def _action_reason(action: str) -> str | None:
    return REASON_ACTION_GROUP if action in ACTION_GROUPS else None


def acknowledge_pipeline_wildcards(scope: IConstruct) -> None:
    """Acknowledge the explained ``AwsSolutions-IAM5`` findings of every IAM policy under
    ``scope``, each on its own policy. Call it once the pipeline is built
    (``CodePipeline.build_pipeline()``), when its policies hold every statement."""
    for policy in _policies(scope):
        stack = cdk.Stack.of(policy)
        document = stack.resolve(policy.policy_document)
        for finding, reason in explained_wildcards(document).items():
            cdk.Validations.of(policy).acknowledge(
                cdk.Acknowledgment(id=f"AwsSolutions-IAM5[{finding}]", reason=reason)
            )


def _policies(scope: IConstruct) -> Iterator[iam.CfnPolicy]:
    for construct in scope.node.find_all():
        if isinstance(construct, iam.CfnPolicy):
            yield construct


def explained_wildcards(document: dict[str, Any]) -> dict[str, str]:
    """``{finding: reason}`` for the findings whose every statement is explained."""
    reasons: dict[str, list[str | None]] = {}
    for statement in document.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        actions = frozenset(_as_list(statement.get("Action", [])))
        for action in actions:
            if "*" in action:
                reasons.setdefault(f"Action::{action}", []).append(_action_reason(action))
        for value in _as_list(statement.get("Resource", [])):
            resource = _render(value)
            if "*" in resource:
                reasons.setdefault(f"Resource::{resource}", []).append(
                    _resource_reason(actions, resource)
                )
    return {
        finding: " ".join(dict.fromkeys(r for r in found if r is not None))
        for finding, found in reasons.items()
        if None not in found
    }


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_RENDER: dict[str, Callable[[Any], str]] = {
    "Fn::Join": lambda v: str(v[0]).join(_render(item) for item in v[1]),
    "Fn::Sub": lambda v: _render(v),
    "Fn::GetAtt": lambda v: f"<{_render(v[0])}.{_render(v[1])}>",
    "Ref": lambda v: f"<{_render(v)}>",
}


def _render(value: Any) -> str:
    """A resolved CloudFormation value as cdk-nag writes it in a finding's id."""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, dict) and len(value) == 1:
        [(function, argument)] = value.items()
        if function in _RENDER:
            return _RENDER[function](argument)
    return json.dumps(value, separators=(",", ":"))
