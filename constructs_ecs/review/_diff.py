"""What changes between two assemblies: added, removed and changed resources, replacements
(a changed logical id, or a changed property that forces replacement), data-loss risks, what
refers to the replaced resources, and the ECS services that redeploy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from constructs_ecs.review._assembly import Assembly, ResourceKey, StackTemplate
from constructs_ecs.review._consequences import Consequence, Consequences, revision_reason
from constructs_ecs.review._intrinsics import Resolver, properties_of
from constructs_ecs.review._markdown import code
from constructs_ecs.review._renames import find_renames, rename_prefixes
from constructs_ecs.review._replacement import (
    NAME_PROPERTIES,
    NEW_REVISION_TYPES,
    STATEFUL_TYPES,
    UPDATE_FAILS,
)
from constructs_ecs.review._rollout import REDEPLOYING_PROPERTIES, Rollout, RolloutModel
from constructs_ecs.review._rules import (
    CONDITIONAL,
    IN_PLACE,
    REPLACEMENT,
    UNKNOWN,
    ReplacementRules,
    is_custom,
    region_of,
)
from constructs_ecs.review._update import (
    AUTO_SCALING_GROUP,
    instance_rollout,
    kept_or_lost,
    policy,
    refine,
    retains,
)
from constructs_ecs.review._values import (
    ATTRIBUTES,
    MISSING,
    describe_change,
    leaf_changes,
    normalised,
    short,
)

ADDED = "added"
REMOVED = "removed"
RENAMED = "renamed → replaced"
REPLACED = "replaced"
NEW_REVISION = "new revision"
MAY_REPLACE = "may be replaced"
NOT_CHECKED = "not checked"
CHANGED = "changed"
KIND_ORDER = (RENAMED, REPLACED, MAY_REPLACE, REMOVED, NOT_CHECKED, ADDED, NEW_REVISION, CHANGED)
COLUMNS: Sequence[tuple[str, tuple[str, ...]]] = (
    ("Added", (ADDED,)),
    ("Removed", (REMOVED,)),
    ("Changed", (CHANGED, NEW_REVISION)),
    ("Replaced", (REPLACED, RENAMED)),
    ("May be replaced", (MAY_REPLACE,)),
    ("Not checked", (NOT_CHECKED,)),
)
"""How changes are counted, the same in the summary and in the table."""
_MAX_DETAILS = 6
_MARK = {
    REPLACEMENT: " (forces replacement)",
    CONDITIONAL: " (may force replacement)",
    UNKNOWN: " (not checked)",
}


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
    consequences: tuple[Consequence, ...] = ()
    rollouts: tuple[Rollout, ...] = ()

    def counts(self) -> dict[str, int]:
        """``{column: number of changes}`` over every stack, in ``COLUMNS`` order."""
        return {
            label: sum(stack.count(*kinds) for stack in self.stacks) for label, kinds in COLUMNS
        }

    @property
    def status(self) -> dict[ResourceKey, str]:
        """``{resource of the new assembly: "added" | "changed" | "replaced"}`` for the diagram."""
        marks = {
            ADDED: "added",
            CHANGED: "changed",
            NEW_REVISION: "changed",
            NOT_CHECKED: "changed",
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


def _stateful(resource: Mapping[str, Any]) -> bool:
    return (
        resource["Type"] in STATEFUL_TYPES
        or retains(resource, "DeletionPolicy")
        or retains(resource, "UpdateReplacePolicy")
    )


def _name_clash(old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    prop = NAME_PROPERTIES.get(str(new["Type"]))
    if prop is None:
        return None
    old_name = properties_of(old).get(prop)
    new_name = properties_of(new).get(prop)
    if old_name is not None and old_name == new_name:
        return (
            f"the custom name `{prop}` {short(new_name)} is unchanged: CloudFormation creates "
            "the replacement first, so the update fails"
        )
    return None


def _top(path: str) -> str:
    return path.split(".")[0].split("[")[0]


class _StackComparison:
    def __init__(
        self, old: StackTemplate, new: StackTemplate, rules: ReplacementRules, follow: Consequences
    ) -> None:
        self.old = old
        self.new = new
        self.rules = rules
        self.follow = follow
        self.region = region_of(new.environment)
        self.changes: list[Change] = []
        self.warnings: list[DataLossWarning] = []
        self.prefixes: dict[str, str] = {}

    def _warn(self, logical_id: str, resource_type: str, text: str) -> None:
        self.warnings.append(
            DataLossWarning(
                stack=self.new.key, logical_id=logical_id, resource_type=resource_type, text=text
            )
        )

    def _add(self, kind: str, logical_id: str, resource_type: str, **extra: Any) -> None:
        self.changes.append(
            Change(
                kind=kind,
                stack=self.new.key,
                logical_id=logical_id,
                resource_type=resource_type,
                **extra,
            )
        )

    def run(self) -> None:
        old_resources, new_resources = self.old.resources, self.new.resources
        removed = set(old_resources) - set(new_resources)
        added = set(new_resources) - set(old_resources)
        renames = find_renames(self.old, self.new, removed, added)
        self.prefixes = rename_prefixes(renames)
        for old_id, new_id in renames:
            removed.discard(old_id)
            added.discard(new_id)
            self._renamed(old_id, new_id)
        for logical_id in sorted(added):
            self._add(ADDED, logical_id, str(new_resources[logical_id]["Type"]))
        for logical_id in sorted(removed):
            self._removed(logical_id)
        for logical_id in sorted(set(old_resources) & set(new_resources)):
            self._compare(logical_id)

    def _renamed(self, old_id: str, new_id: str) -> None:
        old, new = self.old.resources[old_id], self.new.resources[new_id]
        resource_type = str(new["Type"])
        details = [f"logical ID `{old_id}` → `{new_id}`: CloudFormation creates a new resource"]
        old_types = {k: str(v["Type"]) for k, v in self.old.resources.items()}
        new_types = {k: str(v["Type"]) for k, v in self.new.resources.items()}
        for path, a, b in leaf_changes(old.get("Properties", {}), new.get("Properties", {})):
            if normalised(a, old_types, self.prefixes) != normalised(b, new_types, {}):
                details.append(f"`{path}`: {describe_change(a, b)}")
        clash = _name_clash(old, new)
        if clash:
            details.append(clash)
        self._add(RENAMED, new_id, resource_type, old_logical_id=old_id, details=tuple(details))
        if _stateful(old):
            text = f"renamed to `{new_id}`: a new, empty one is created and " + kept_or_lost(
                policy(old, "DeletionPolicy"), "DeletionPolicy"
            )
            if clash:
                text += "; " + clash
            self._warn(old_id, resource_type, text)

    def _removed(self, logical_id: str) -> None:
        old = self.old.resources[logical_id]
        resource_type = str(old["Type"])
        deletion = policy(old, "DeletionPolicy")
        self._add(
            REMOVED,
            logical_id,
            resource_type,
            details=(f"DeletionPolicy {deletion}",) if "DeletionPolicy" in old else (),
        )
        if not _stateful(old):
            return
        if deletion == "Snapshot":
            text = "removed: deleted after a final snapshot (DeletionPolicy Snapshot)"
        elif retains(old, "DeletionPolicy"):
            text = (
                f"removed: it and its data stay in the account, no longer managed by the stack "
                f"(DeletionPolicy {deletion})"
            )
        else:
            text = (
                f"removed: **CloudFormation deletes it and its data** (DeletionPolicy {deletion})"
            )
        self._warn(logical_id, resource_type, text)

    def _leaves(self, old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
        leaves: list[tuple[str, Any, Any]] = []
        if old["Type"] != new["Type"]:
            leaves.append(("Type", old["Type"], new["Type"]))
        # A missing Properties object is an empty one: adding a name is a change to the name.
        leaves.extend(leaf_changes(old.get("Properties", {}), new.get("Properties", {})))
        for attribute in ATTRIBUTES:
            a, b = old.get(attribute, MISSING), new.get(attribute, MISSING)
            if attribute == "DependsOn":
                a = sorted(a) if isinstance(a, list) else a
                b = sorted(b) if isinstance(b, list) else b
            if a != b:
                leaves.append((f"@{attribute}", a, b))
        return leaves

    def _compare(self, logical_id: str) -> None:
        old, new = self.old.resources[logical_id], self.new.resources[logical_id]
        resource_type = str(new["Type"])
        leaves = self._leaves(old, new)
        if not leaves:
            return
        effects: set[str] = set()
        details, notes = [], []
        for path, a, b in leaves:
            if path == "Type":
                effect = REPLACEMENT
            elif path.startswith("@"):
                effect = IN_PLACE
            else:
                verdict = self.rules.verdict(resource_type, path, self.region)
                effect, note = refine(resource_type, path, verdict.effect, new, a, b)
                for text in (note, verdict.note):
                    if text and text not in notes:
                        notes.append(text)
            effects.add(effect)
            shown = path.lstrip("@") or "Properties"
            text = f"`{shown}`: {describe_change(a, b, self._references(a, b))}"
            if effect == REPLACEMENT and resource_type in NEW_REVISION_TYPES:
                text += " (new revision)"
            else:
                text += _MARK.get(effect, "")
            details.append(text)
        # Replacement-forcing changes first, then the rest, capped.
        details.sort(key=lambda d: (" (forces" not in d and " (new rev" not in d, "(may" not in d))
        details = list(dict.fromkeys(details))
        if len(details) > _MAX_DETAILS:
            details = [*details[:_MAX_DETAILS], f"… and {len(details) - _MAX_DETAILS} more"]
        kind = self._kind(effects, old, new)
        details += notes
        details += self._explain(kind, logical_id, old, new, leaves)
        self._add(kind, logical_id, resource_type, details=tuple(details))
        self._data_safety(logical_id, old, new, kind)

    def _references(self, before: Any, after: Any) -> tuple[set[str], set[str]]:
        """What each side of a change refers to, named relative to this stack; references
        across stacks (exports, stack outputs, SSM) resolved to the resource."""
        old_resolver, new_resolver = self.follow.old_resolver, self.follow.new_resolver
        return (
            {
                old_resolver.name_of(target.key, relative_to=self.old)
                for target in old_resolver.targets_in(self.old, before)
            }
            if before is not MISSING
            else set(),
            {
                new_resolver.name_of(target.key, relative_to=self.new)
                for target in new_resolver.targets_in(self.new, after)
            }
            if after is not MISSING
            else set(),
        )

    def _kind(self, effects: set[str], old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
        resource_type = str(new["Type"])
        if REPLACEMENT in effects:
            same_type = old["Type"] == new["Type"]
            return NEW_REVISION if resource_type in NEW_REVISION_TYPES and same_type else REPLACED
        if CONDITIONAL in effects:
            return MAY_REPLACE
        if UNKNOWN in effects:
            return NOT_CHECKED
        return CHANGED

    def _explain(
        self,
        kind: str,
        logical_id: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        leaves: list[tuple[str, Any, Any]],
    ) -> list[str]:
        resource_type = str(new["Type"])
        key = (self.new.key, logical_id)
        extra: list[str] = []
        if kind == NEW_REVISION:
            services, scheduled = self.follow.users_of_task_definition(key, revision_reason(key))
            name = self.follow.new_resolver.name_of
            if services:
                extra.append(
                    "ECS deploys new tasks for "
                    + ", ".join(code(name(s, relative_to=self.new)) for s in services)
                )
            extra += [
                f"scheduled task {code(name(s, relative_to=self.new))} runs the new revision "
                "from its next run"
                for s in scheduled
            ]
        if kind == NOT_CHECKED:
            extra.append(
                "a custom resource: its provider decides whether it is replaced (a new physical "
                "ID replaces it)"
                if is_custom(resource_type)
                else f"no registry schema or built-in rule for `{resource_type}`: whether "
                "CloudFormation replaces it is not checked"
            )
        if kind in (REPLACED, MAY_REPLACE):
            clash = _name_clash(old, new)
            if clash:
                extra.append(clash)
            if kind == REPLACED and resource_type in UPDATE_FAILS:
                extra.append(f"⚠️ {UPDATE_FAILS[resource_type]}")
            if resource_type == "AWS::ECS::Service" and "ServiceConnectConfiguration" in new.get(
                "Properties", {}
            ):
                extra.append(
                    "Service Connect is configured: CloudFormation cannot replace this service "
                    "(the new one's endpoint names would clash in the namespace)"
                )
        if resource_type == "AWS::ECS::Service" and kind in (CHANGED, NOT_CHECKED):
            changed = sorted({_top(path) for path, _, _ in leaves} & REDEPLOYING_PROPERTIES)
            if changed:
                self.follow.redeploy(key, "changed " + ", ".join(code(p) for p in changed))
                extra.append("ECS starts a new deployment of this service")
        if resource_type == "AWS::ECS::Service" and kind == REPLACED:
            self.follow.redeploy(
                key,
                "the service is replaced: a new service starts its tasks, then the old one "
                "is deleted",
            )
        if resource_type == "AWS::EC2::LaunchTemplate" and kind == CHANGED:
            extra += self._launch_template_users(key)
        return extra

    def _launch_template_users(self, key: ResourceKey) -> list[str]:
        found = []
        for reference in self.follow.new_resolver.referrers(key):
            group = self.follow.new.resource(reference.source)
            if group is None or group["Type"] != AUTO_SCALING_GROUP:
                continue
            if reference.target.attribute not in ("LatestVersionNumber", "DefaultVersionNumber"):
                continue
            name = self.follow.new_resolver.name_of(reference.source, relative_to=self.new)
            found.append(
                f"Auto Scaling group {code(name)} launches a new launch-template version: "
                + instance_rollout(group)
            )
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
                + kept_or_lost(policy(old, "UpdateReplacePolicy"), "UpdateReplacePolicy"),
            )
        for attribute in ("DeletionPolicy", "UpdateReplacePolicy"):
            before, after = policy(old, attribute), policy(new, attribute)
            if retains(old, attribute) and not retains(new, attribute):
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


def _consequences(stacks: list[StackDiff], follow: Consequences) -> list[Consequence]:
    found = []
    for stack in stacks:
        if stack.status != "changed":
            continue
        for change in stack.changes:
            key = (stack.key, change.logical_id)
            if change.kind in (REPLACED, RENAMED):
                effects = follow.follow(key, change.resource_type)
            elif change.kind == REMOVED:
                effects = follow.removed(key)
            else:
                continue
            if effects:
                found.append(
                    Consequence(
                        stack=stack.key,
                        logical_id=change.logical_id,
                        resource_type=change.resource_type,
                        what=change.kind,
                        effects=tuple(effects),
                    )
                )
    return found


def diff_assemblies(
    old: Assembly, new: Assembly, *, rules: ReplacementRules | None = None
) -> AssemblyDiff:
    """Compare ``new`` (the pull request's head) with ``old`` (its base).

    Stacks are matched by environment and CloudFormation stack name, the identity
    CloudFormation deploys to. ``rules``: which property changes replace a resource.
    Default: the registry schemas of the installed cfn-lint, else the built-in table.
    """
    rules = rules if rules is not None else ReplacementRules()
    new_resolver = Resolver(new)
    follow = Consequences(
        old=old,
        new=new,
        rules=rules,
        old_resolver=Resolver(old),
        new_resolver=new_resolver,
    )

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
            comparison = _StackComparison(before, after, rules, follow)
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
    consequences = _consequences(stacks, follow)
    model = RolloutModel(new, new_resolver)
    created = {
        (stack.key, change.logical_id)
        for stack in stacks
        for change in stack.changes
        if change.kind == ADDED
    }
    rollouts = [
        model.rollout(key, tuple(reasons))
        for key, reasons in sorted(follow.redeploys.items())
        if key not in created  # a new service starts; it does not redeploy
    ]
    return AssemblyDiff(
        stacks=tuple(stacks),
        warnings=tuple(warnings),
        consequences=tuple(consequences),
        rollouts=tuple(rollouts),
    )
