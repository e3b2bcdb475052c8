"""What changes between two assemblies: added, removed and changed resources, replacements
(a changed logical id, or a changed property that forces replacement) and data-loss risks."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from constructs_ecs.review._assembly import Assembly, ResourceKey, StackTemplate
from constructs_ecs.review._intrinsics import get_att, intrinsic, render, shorten
from constructs_ecs.review._markdown import code
from constructs_ecs.review._replacement import (
    NAME_PROPERTIES,
    NEW_REVISION_TYPES,
    RETAINING_POLICIES,
    STATEFUL_TYPES,
    replacement,
)

ADDED = "added"
REMOVED = "removed"
RENAMED = "renamed → replaced"
REPLACED = "replaced"
NEW_REVISION = "new revision"
MAY_REPLACE = "may be replaced"
CHANGED = "changed"
KIND_ORDER = (RENAMED, REPLACED, MAY_REPLACE, REMOVED, ADDED, NEW_REVISION, CHANGED)
RENAME_SIMILARITY = 0.8
_MISSING = object()
_VALUE_LIMIT = 40
_MAX_DETAILS = 6
_ATTRIBUTES = (
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
    "Condition",
    "DependsOn",
)


@dataclass(frozen=True, kw_only=True)
class Change:
    """One resource-level change in one stack."""

    kind: str
    stack: str
    logical_id: str
    resource_type: str
    old_logical_id: str | None = None
    details: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DataLossWarning:
    stack: str
    logical_id: str
    resource_type: str
    text: str


@dataclass(frozen=True, kw_only=True)
class StackDiff:
    """``status``: ``added`` / ``removed`` (the whole stack), ``changed`` or ``unchanged``."""

    key: str
    status: str
    changes: tuple[Change, ...]

    def count(self, *kinds: str) -> int:
        return sum(1 for change in self.changes if change.kind in kinds)


@dataclass(frozen=True, kw_only=True)
class AssemblyDiff:
    stacks: tuple[StackDiff, ...]
    warnings: tuple[DataLossWarning, ...]

    @property
    def status(self) -> dict[ResourceKey, str]:
        """``{resource of the new assembly: "added" | "changed" | "replaced"}`` for the diagram."""
        marks = {
            ADDED: "added",
            CHANGED: "changed",
            NEW_REVISION: "changed",
            MAY_REPLACE: "replaced",
            REPLACED: "replaced",
            RENAMED: "replaced",
        }
        found: dict[ResourceKey, str] = {}
        for stack in self.stacks:
            for change in stack.changes:
                if change.kind in marks:
                    found[(stack.key, change.logical_id)] = marks[change.kind]
        return found


def _short(value: Any) -> str:
    """A value for a Markdown cell: a code span, or *(absent)*."""
    if value is _MISSING:
        return "*(absent)*"
    return code(shorten(render(value), _VALUE_LIMIT))


def _referenced(value: Any) -> set[str]:
    """Logical ids that ``Ref`` / ``Fn::GetAtt`` name anywhere inside ``value``."""
    found: set[str] = set()
    call = intrinsic(value)
    if call is not None and call[0] == "Ref" and isinstance(call[1], str):
        if not call[1].startswith("AWS::"):
            found.add(call[1])
        return found
    if call is not None and call[0] == "Fn::GetAtt":
        parts = get_att(call[1])
        if parts is not None:
            found.add(parts[0])
        return found
    if isinstance(value, dict):
        for item in value.values():
            found |= _referenced(item)
    elif isinstance(value, list):
        for item in value:
            found |= _referenced(item)
    return found


def describe_change(old: Any, new: Any) -> str:
    """``old → new`` for a Markdown cell, short even for long intrinsic values."""
    if old is _MISSING or new is _MISSING:
        return f"{_short(old)} → {_short(new)}"
    before, after = render(old), render(new)
    if len(before) <= _VALUE_LIMIT and len(after) <= _VALUE_LIMIT:
        return f"{code(before)} → {code(after)}"
    gone, came = _referenced(old) - _referenced(new), _referenced(new) - _referenced(old)
    if gone or came:
        parts = []
        if came:
            parts.append("now refers to " + ", ".join(code(x) for x in sorted(came)))
        if gone:
            parts.append("no longer to " + ", ".join(code(x) for x in sorted(gone)))
        return "; ".join(parts)
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while (
        end < min(len(before), len(after)) - start
        and before[len(before) - 1 - end] == after[len(after) - 1 - end]
    ):
        end += 1
    middle_before = before[start : len(before) - end]
    middle_after = after[start : len(after) - end]
    prefix = "…" if start else ""
    suffix = "…" if end else ""
    return (
        f"{code(prefix + shorten(middle_before, _VALUE_LIMIT) + suffix)} → "
        f"{code(prefix + shorten(middle_after, _VALUE_LIMIT) + suffix)}"
    )


def _atomic(value: Any) -> bool:
    return not isinstance(value, dict | list) or intrinsic(value) is not None


def leaf_changes(old: Any, new: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """``(dotted path, old, new)`` for each differing leaf; intrinsics count as leaves."""
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict) and not _atomic(old) and not _atomic(new):
        for key in sorted(set(old) | set(new), key=str):
            child = f"{path}.{key}" if path else str(key)
            yield from leaf_changes(old.get(key, _MISSING), new.get(key, _MISSING), child)
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from leaf_changes(a, b, f"{path}[{index}]")
        return
    yield path, old, new


def _normalised(value: Any, types: Mapping[str, str]) -> Any:
    """References replaced by the referenced resource's type, for rename detection."""
    call = intrinsic(value)
    if call is not None:
        name, argument = call
        if name == "Ref" and isinstance(argument, str) and argument in types:
            return {"Ref": f"<{types[argument]}>"}
        if name == "Fn::GetAtt":
            parts = get_att(argument)
            if parts is not None and parts[0] in types:
                return {"Fn::GetAtt": [f"<{types[parts[0]]}>", parts[1]]}
    if isinstance(value, dict):
        return {key: _normalised(item, types) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalised(item, types) for item in value]
    return value


def _flatten(value: Any, path: str, out: dict[str, str]) -> None:
    if isinstance(value, dict) and not _atomic(value):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}", out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten(item, f"{path}[{index}]", out)
    else:
        out[path] = json.dumps(value, sort_keys=True)


def similarity(old: Mapping[str, Any], new: Mapping[str, Any]) -> float:
    """Share of identical leaves between two resources (1.0: the same properties)."""
    a: dict[str, str] = {}
    b: dict[str, str] = {}
    _flatten({k: old.get(k) for k in ("Properties", *_ATTRIBUTES) if k in old}, "", a)
    _flatten({k: new.get(k) for k in ("Properties", *_ATTRIBUTES) if k in new}, "", b)
    if not a and not b:
        return 1.0
    same = sum(1 for path in a.keys() & b.keys() if a[path] == b[path])
    return 2 * same / (len(a) + len(b))


def _types(stack: StackTemplate) -> dict[str, str]:
    return {logical_id: str(resource["Type"]) for logical_id, resource in stack.resources.items()}


def _renames(
    old: StackTemplate, new: StackTemplate, removed: set[str], added: set[str]
) -> list[tuple[str, str]]:
    old_types, new_types = _types(old), _types(new)
    candidates = []
    for old_id in removed:
        for new_id in added:
            if old_types[old_id] != new_types[new_id]:
                continue
            score = similarity(
                _normalised(old.resources[old_id], old_types),
                _normalised(new.resources[new_id], new_types),
            )
            if score >= RENAME_SIMILARITY:
                name_score = difflib.SequenceMatcher(None, old_id, new_id).ratio()
                candidates.append((-score, -name_score, old_id, new_id))
    pairs = []
    taken_old: set[str] = set()
    taken_new: set[str] = set()
    for _, _, old_id, new_id in sorted(candidates):
        if old_id not in taken_old and new_id not in taken_new:
            pairs.append((old_id, new_id))
            taken_old.add(old_id)
            taken_new.add(new_id)
    return sorted(pairs)


def _policy(resource: Mapping[str, Any], name: str) -> str:
    value = resource.get(name, "Delete")
    return value if isinstance(value, str) else render(value)


def _stateful(resource: Mapping[str, Any]) -> bool:
    return (
        resource["Type"] in STATEFUL_TYPES
        or _policy(resource, "DeletionPolicy") in RETAINING_POLICIES
        or _policy(resource, "UpdateReplacePolicy") in RETAINING_POLICIES
    )


def _kept_or_lost(policy: str, attribute: str) -> str:
    if policy == "Snapshot":
        return f"the old one is deleted after a final snapshot ({attribute} Snapshot)"
    if policy in RETAINING_POLICIES:
        return (
            f"the old one and its data stay in the account, no longer managed by the stack "
            f"({attribute} {policy})"
        )
    return f"**the old one is deleted with its data** ({attribute} {policy})"


def _name_clash(old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    prop = NAME_PROPERTIES.get(str(new["Type"]))
    if prop is None:
        return None
    old_name = (
        old.get("Properties", {}).get(prop) if isinstance(old.get("Properties"), dict) else None
    )
    new_name = (
        new.get("Properties", {}).get(prop) if isinstance(new.get("Properties"), dict) else None
    )
    if old_name is not None and old_name == new_name:
        return (
            f"the custom name `{prop}` {_short(new_name)} is unchanged: CloudFormation creates "
            "the replacement first, so the update fails"
        )
    return None


class _StackComparison:
    def __init__(self, old: StackTemplate, new: StackTemplate) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []
        self.warnings: list[DataLossWarning] = []

    def _warn(self, logical_id: str, resource_type: str, text: str) -> None:
        self.warnings.append(
            DataLossWarning(
                stack=self.new.key, logical_id=logical_id, resource_type=resource_type, text=text
            )
        )

    def run(self) -> None:
        old_resources, new_resources = self.old.resources, self.new.resources
        removed = set(old_resources) - set(new_resources)
        added = set(new_resources) - set(old_resources)
        for old_id, new_id in _renames(self.old, self.new, removed, added):
            removed.discard(old_id)
            added.discard(new_id)
            self._renamed(old_id, new_id)
        for logical_id in sorted(added):
            self.changes.append(
                Change(
                    kind=ADDED,
                    stack=self.new.key,
                    logical_id=logical_id,
                    resource_type=str(new_resources[logical_id]["Type"]),
                )
            )
        for logical_id in sorted(removed):
            self._removed(logical_id)
        for logical_id in sorted(set(old_resources) & set(new_resources)):
            self._compare(logical_id)

    def _renamed(self, old_id: str, new_id: str) -> None:
        old, new = self.old.resources[old_id], self.new.resources[new_id]
        resource_type = str(new["Type"])
        details = [f"logical ID `{old_id}` → `{new_id}`: CloudFormation creates a new resource"]
        clash = _name_clash(old, new)
        if clash:
            details.append(clash)
        self.changes.append(
            Change(
                kind=RENAMED,
                stack=self.new.key,
                logical_id=new_id,
                old_logical_id=old_id,
                resource_type=resource_type,
                details=tuple(details),
            )
        )
        if _stateful(old):
            text = f"renamed to `{new_id}`: a new, empty one is created and " + _kept_or_lost(
                _policy(old, "DeletionPolicy"), "DeletionPolicy"
            )
            if clash:
                text += "; " + clash
            self._warn(old_id, resource_type, text)

    def _removed(self, logical_id: str) -> None:
        old = self.old.resources[logical_id]
        resource_type = str(old["Type"])
        policy = _policy(old, "DeletionPolicy")
        self.changes.append(
            Change(
                kind=REMOVED,
                stack=self.new.key,
                logical_id=logical_id,
                resource_type=resource_type,
                details=(f"DeletionPolicy {policy}",) if "DeletionPolicy" in old else (),
            )
        )
        if not _stateful(old):
            return
        if policy == "Snapshot":
            text = "removed: deleted after a final snapshot (DeletionPolicy Snapshot)"
        elif policy in RETAINING_POLICIES:
            text = (
                f"removed: it and its data stay in the account, no longer managed by the stack "
                f"(DeletionPolicy {policy})"
            )
        else:
            text = f"removed: **CloudFormation deletes it and its data** (DeletionPolicy {policy})"
        self._warn(logical_id, resource_type, text)

    def _compare(self, logical_id: str) -> None:
        old, new = self.old.resources[logical_id], self.new.resources[logical_id]
        resource_type = str(new["Type"])
        leaves: list[tuple[str, Any, Any]] = []
        if old["Type"] != new["Type"]:
            leaves.append(("Type", old["Type"], new["Type"]))
        leaves.extend(
            leaf_changes(old.get("Properties", _MISSING), new.get("Properties", _MISSING))
        )
        for attribute in _ATTRIBUTES:
            a, b = old.get(attribute, _MISSING), new.get(attribute, _MISSING)
            if attribute == "DependsOn":
                a = sorted(a) if isinstance(a, list) else a
                b = sorted(b) if isinstance(b, list) else b
            if a != b:
                leaves.append((f"@{attribute}", a, b))
        if not leaves:
            return
        always, conditional, details = [], [], []
        for path, a, b in leaves:
            if path == "Type":
                verdict: str | None = "always"
            elif path.startswith("@"):
                verdict = None
            else:
                verdict = replacement(str(old["Type"]), path)
            shown = path.lstrip("@") or "Properties"
            text = f"`{shown}`: {describe_change(a, b)}"
            if verdict == "always":
                always.append(shown)
                text += (
                    " (new revision)"
                    if resource_type in NEW_REVISION_TYPES
                    else " (forces replacement)"
                )
            elif verdict == "conditional":
                conditional.append(shown)
                text += " (may force replacement)"
            details.append(text)
        # Replacement-forcing changes first, then the rest, capped.
        details.sort(key=lambda d: (" (forces" not in d, " (may force" not in d))
        details = list(dict.fromkeys(details))
        if len(details) > _MAX_DETAILS:
            details = [*details[:_MAX_DETAILS], f"… and {len(details) - _MAX_DETAILS} more"]
        if always and resource_type in NEW_REVISION_TYPES and old["Type"] == new["Type"]:
            kind = NEW_REVISION
        elif always:
            kind = REPLACED
        elif conditional:
            kind = MAY_REPLACE
        else:
            kind = CHANGED
        if kind == NEW_REVISION:
            users = self._services_running(logical_id)
            if users:
                details.append("ECS deploys new tasks for " + ", ".join(code(u) for u in users))
        if kind in (REPLACED, MAY_REPLACE):
            clash = _name_clash(old, new)
            if clash:
                details.append(clash)
            if resource_type == "AWS::ECS::Service" and "ServiceConnectConfiguration" in new.get(
                "Properties", {}
            ):
                details.append(
                    "Service Connect is configured: CloudFormation cannot replace this service "
                    "(the new one's endpoint names would clash in the namespace)"
                )
        self.changes.append(
            Change(
                kind=kind,
                stack=self.new.key,
                logical_id=logical_id,
                resource_type=resource_type,
                details=tuple(details),
            )
        )
        self._data_safety(logical_id, old, new, kind)

    def _services_running(self, task_definition: str) -> list[str]:
        found = []
        for logical_id, resource in self.new.of_type("AWS::ECS::Service"):
            properties = resource.get("Properties")
            if isinstance(properties, dict) and properties.get("TaskDefinition") == {
                "Ref": task_definition
            }:
                found.append(logical_id)
        return found

    def _data_safety(
        self, logical_id: str, old: Mapping[str, Any], new: Mapping[str, Any], kind: str
    ) -> None:
        resource_type = str(new["Type"])
        if kind in (REPLACED, MAY_REPLACE) and _stateful(old):
            verb = "replaced" if kind == REPLACED else "may be replaced"
            self._warn(
                logical_id,
                resource_type,
                f"{verb}: a new, empty one is created and "
                + _kept_or_lost(_policy(old, "UpdateReplacePolicy"), "UpdateReplacePolicy"),
            )
        for attribute in ("DeletionPolicy", "UpdateReplacePolicy"):
            before, after = _policy(old, attribute), _policy(new, attribute)
            if before in RETAINING_POLICIES and after not in RETAINING_POLICIES:
                self._warn(
                    logical_id,
                    resource_type,
                    f"{attribute} {before} → {after}: a later removal or replacement deletes "
                    "its data",
                )


def _whole_stack(stack: StackTemplate, kind: str) -> tuple[Change, ...]:
    return tuple(
        Change(kind=kind, stack=stack.key, logical_id=logical_id, resource_type=str(r["Type"]))
        for logical_id, r in sorted(stack.resources.items())
    )


def diff_assemblies(old: Assembly, new: Assembly) -> AssemblyDiff:
    """Compare ``new`` (the pull request's head) with ``old`` (its base).

    Stacks are matched by environment and CloudFormation stack name, the identity
    CloudFormation deploys to.
    """

    def identity(stack: StackTemplate) -> tuple[str, str]:
        return stack.environment, stack.name

    old_by_id = {identity(stack): stack for stack in old.stacks}
    new_by_id = {identity(stack): stack for stack in new.stacks}
    stacks: list[StackDiff] = []
    warnings: list[DataLossWarning] = []
    for ident in sorted(old_by_id.keys() | new_by_id.keys()):
        before, after = old_by_id.get(ident), new_by_id.get(ident)
        if before is None and after is not None:
            stacks.append(
                StackDiff(key=after.key, status="added", changes=_whole_stack(after, ADDED))
            )
        elif after is None and before is not None:
            stacks.append(
                StackDiff(key=before.key, status="removed", changes=_whole_stack(before, REMOVED))
            )
        elif before is not None and after is not None:
            comparison = _StackComparison(before, after)
            comparison.run()
            changes = sorted(
                comparison.changes, key=lambda c: (KIND_ORDER.index(c.kind), c.logical_id)
            )
            stacks.append(
                StackDiff(
                    key=after.key,
                    status="changed" if changes else "unchanged",
                    changes=tuple(changes),
                )
            )
            warnings.extend(comparison.warnings)
    stacks.sort(key=lambda s: s.key)
    warnings.sort(key=lambda w: (w.stack, w.logical_id, w.text))
    return AssemblyDiff(stacks=tuple(stacks), warnings=tuple(warnings))
