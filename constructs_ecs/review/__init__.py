"""A Markdown review report for pull requests, from synthesized cloud assemblies (offline).

Run ``python -m constructs_ecs.review cdk.out [--against BASE_CDK_OUT] [--output FILE]``, or::

    from constructs_ecs.review import render_report

    markdown = render_report(Path("cdk.out"), against=Path("base.out"))

The report opens with a Mermaid diagram of the traffic path (internet → load balancers →
listeners → listener rules → target groups → ECS services → containers, service-to-service
links and scheduled tasks), then, per stack: resources by type, what is reachable from
outside, security-group ingress, IAM permissions per role and the resource policies of
buckets, topics, queues, repositories and keys. With a base assembly it also lists what was
added, removed or changed and whether CloudFormation replaces it (the registry schemas of the
installed cfn-lint for every type, the built-in table without it, corrected by the documented
update behaviour and the template's update policies), warns first about stateful resources
that would lose data, follows what refers to replaced resources across stacks, and models the
rollout of every ECS service that redeploys. It needs neither AWS credentials nor aws-cdk-lib
nor Node.js: only the ``cdk.out`` directories.
"""

from __future__ import annotations

from pathlib import Path

from constructs_ecs.review._assembly import (
    Assembly,
    AssemblyError,
    ResourceKey,
    StackTemplate,
    load_assembly,
)
from constructs_ecs.review._consequences import Consequence
from constructs_ecs.review._diff import AssemblyDiff, Change, DataLossWarning, diff_assemblies
from constructs_ecs.review._intrinsics import Resolver, render
from constructs_ecs.review._replacement import (
    REPLACEMENT_PROPERTIES,
    STATEFUL_TYPES,
    replacement,
)
from constructs_ecs.review._report import build_report
from constructs_ecs.review._rollout import Rollout
from constructs_ecs.review._rules import ReplacementRules, Verdict
from constructs_ecs.review._schemas import SchemaLibrary

__all__ = [
    "REPLACEMENT_PROPERTIES",
    "STATEFUL_TYPES",
    "Assembly",
    "AssemblyDiff",
    "AssemblyError",
    "Change",
    "Consequence",
    "DataLossWarning",
    "ReplacementRules",
    "Resolver",
    "ResourceKey",
    "Rollout",
    "SchemaLibrary",
    "StackTemplate",
    "Verdict",
    "build_report",
    "diff_assemblies",
    "load_assembly",
    "render",
    "render_report",
    "replacement",
]


def render_report(
    assembly_dir: Path,
    against: Path | None = None,
    *,
    max_chars: int | None = None,
    rules: ReplacementRules | None = None,
) -> str:
    """The Markdown report for the cloud assembly in ``assembly_dir`` (a ``cdk.out``).

    ``against``: the assembly of the base branch; the report then also says what changes.
    Omitted: no change section. ``max_chars``: shorten the report to at most this many
    characters (see ``build_report``). Default: no limit. ``rules``: which property changes
    replace a resource. Default: the registry schemas of the installed cfn-lint, else the
    built-in table. Raises ``AssemblyError`` when a directory has no readable
    ``manifest.json``.
    """
    assembly = load_assembly(assembly_dir)
    base = load_assembly(against) if against is not None else None
    return build_report(assembly, base, max_chars=max_chars, rules=rules)
