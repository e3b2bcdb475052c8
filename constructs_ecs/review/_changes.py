"""The report's change section: data-loss warnings, counts per stack, what the replacements
affect, the ECS deployments, then every change per stack."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from constructs_ecs.review._diff import (
    ADDED,
    CHANGED,
    COLUMNS,
    MAY_REPLACE,
    NEW_REVISION,
    NOT_CHECKED,
    REMOVED,
    RENAMED,
    REPLACED,
    AssemblyDiff,
    StackDiff,
)
from constructs_ecs.review._markdown import WARNING, code, table
from constructs_ecs.review._rollout import duration

KIND_LABELS: Mapping[str, str] = {
    RENAMED: "🔁 **renamed → replaced**",
    REPLACED: "🔁 **replaced**",
    MAY_REPLACE: f"{WARNING} may be replaced",
    REMOVED: "\N{HEAVY MINUS SIGN} removed",
    NOT_CHECKED: "❔ not checked",
    ADDED: "\N{HEAVY PLUS SIGN} added",
    NEW_REVISION: "🆕 new revision",
    CHANGED: "✏️ changed",
}
_WHAT: Mapping[str, str] = {RENAMED: "renamed → replaced", REPLACED: "replaced", REMOVED: "removed"}


def summary_line(diff: AssemblyDiff) -> str:
    """The summary's change counts: the same columns and numbers as the change table."""
    counts = diff.counts()
    line = "- Changes: " + ", ".join(f"{n} {label.lower()}" for label, n in counts.items())
    if diff.warnings:
        line += f"; {WARNING} **{len(diff.warnings)} data-loss warning(s)**"
    if diff.rollouts:
        line += f"; {len(diff.rollouts)} ECS service(s) redeploy"
    return line


def _warnings(diff: AssemblyDiff) -> list[str]:
    if not diff.warnings:
        return ["No stateful resource is removed or replaced.", ""]
    lines = [f"### {WARNING} Data-loss warnings", ""]
    for warning in diff.warnings:
        lines.append(
            f"- {WARNING} {code(warning.stack + '/' + warning.logical_id)} "
            f"({code(warning.resource_type)}): {warning.text}"
        )
    return [*lines, ""]


def _consequences(diff: AssemblyDiff) -> list[str]:
    if not diff.consequences:
        return []
    lines = ["### What refers to replaced and removed resources", ""]
    for consequence in diff.consequences:
        lines.append(
            f"{code(consequence.stack + '/' + consequence.logical_id)} "
            f"({code(consequence.resource_type)}) is {_WHAT[consequence.what]}; what refers to it:"
        )
        lines += ["", *consequence.effects, ""]
    return lines


def _rollouts(diff: AssemblyDiff) -> list[str]:
    if not diff.rollouts:
        return []
    rows = []
    for rollout in diff.rollouts:
        model = rollout.model
        if rollout.warning:
            model = f"{WARNING} **{rollout.warning}**\n{model}"
        rows.append(
            [
                code(rollout.service[0] + "/" + rollout.service[1]),
                "\n".join(rollout.reasons),
                rollout.strategy,
                model,
            ]
        )
    known = [r.seconds for r in diff.rollouts if r.seconds is not None]
    lines = ["### ECS deployments", ""]
    if known:
        lines += [
            f"{len(diff.rollouts)} service(s) redeploy; the longest modelled rollout takes about "
            f"{duration(max(known))} (a floor: image pulls and container start-up are not in "
            "the template).",
            "",
        ]
    return [*lines, table(["Service", "Why", "Strategy", "Modelled rollout"], rows), ""]


def _stack_changes(stack: StackDiff) -> list[str]:
    lines = [f"### Changes in {code(stack.key)}", ""]
    if stack.status == "unchanged":
        return [*lines, "No changes.", ""]
    if stack.status == "removed":
        return [
            *lines,
            f"Not in this assembly any more. `cdk deploy` leaves the deployed stack and its "
            f"{len(stack.changes)} resources in place; destroying it would delete them.",
            "",
        ]
    if stack.status == "added":
        counts = Counter(change.resource_type for change in stack.changes)
        rows = [[code(kind), str(count)] for kind, count in sorted(counts.items())]
        return [
            *lines,
            f"New stack with {len(stack.changes)} resources.",
            "",
            table(["Type", "Count"], rows),
            "",
        ]
    rows = []
    for change in stack.changes:
        name = (
            f"{code(change.old_logical_id)} → {code(change.logical_id)}"
            if change.old_logical_id
            else code(change.logical_id)
        )
        rows.append(
            [
                KIND_LABELS[change.kind],
                name,
                code(change.resource_type),
                "\n".join(change.details) or "—",
            ]
        )
    return [*lines, table(["Change", "Logical ID", "Type", "Details"], rows), ""]


def changes_section(diff: AssemblyDiff) -> list[str]:
    """``## Changes against the base`` and everything under it."""
    lines = ["## Changes against the base", "", *_warnings(diff)]
    rows = []
    for stack in diff.stacks:
        name = code(stack.key)
        if stack.status not in ("changed", "unchanged"):
            name += f" ({stack.status})"
        rows.append([name, *(str(stack.count(*kinds)) for _, kinds in COLUMNS)])
    lines += [table(["Stack", *(label for label, _ in COLUMNS)], rows), ""]
    lines += _consequences(diff)
    lines += _rollouts(diff)
    for stack in diff.stacks:
        lines += _stack_changes(stack)
    return lines
