"""What a replacement, rename or removal does to the resources that refer to it (``Ref``,
``Fn::GetAtt``, ``Fn::Sub``, exports, ``Fn::GetStackOutput`` and SSM parameters across
stacks), followed as far as the replacements cascade; and which ECS services redeploy."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from constructs_ecs.review._assembly import Assembly, ResourceKey
from constructs_ecs.review._intrinsics import Reference, Resolver, intrinsic, properties_of
from constructs_ecs.review._markdown import code
from constructs_ecs.review._rollout import REDEPLOYING_PROPERTIES
from constructs_ecs.review._rules import CONDITIONAL, IN_PLACE, REPLACEMENT, ReplacementRules
from constructs_ecs.review._rules import region_of as _region
from constructs_ecs.review._update import refine

SERVICE = "AWS::ECS::Service"
TASK_DEFINITION = "AWS::ECS::TaskDefinition"
REPOSITORY = "AWS::ECR::Repository"
_SCHEDULERS = ("AWS::Events::Rule", "AWS::Scheduler::Schedule")
_MAX_DEPTH = 3
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_TARGET_EFFECTS: Mapping[tuple[str, str | None], str] = {
    ("AWS::ElasticLoadBalancingV2::TargetGroup", SERVICE): (
        "its tasks register with the new target group"
    ),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", None): (
        "it forwards to the new target group, which has no healthy target until the tasks "
        "register and pass its health checks: requests may fail meanwhile"
    ),
    ("AWS::Logs::LogGroup", None): "its logs go to the new, empty log group",
    ("AWS::SecretsManager::Secret", None): (
        "it reads the new secret (with a new value, if CloudFormation generates it)"
    ),
    ("AWS::EC2::SecurityGroup", None): (
        "it moves to the new security group; rules that named the old group no longer apply"
    ),
    (
        "AWS::KMS::Key",
        None,
    ): "it uses the new key; data encrypted with the old key needs the old key",
    ("AWS::IAM::Role", None): "it uses the new role",
}
"""What a replacement of the target type does to a referrer (of a type, or any: ``None``)."""


def target_effect(target_type: str, source_type: str) -> str | None:
    return _TARGET_EFFECTS.get((target_type, source_type), _TARGET_EFFECTS.get((target_type, None)))


@dataclass(frozen=True, kw_only=True)
class Consequence:
    """The resources that refer to one replaced, renamed or removed resource, and what
    happens to each (``effects``, one Markdown line each)."""

    stack: str
    logical_id: str
    resource_type: str
    what: str
    effects: tuple[str, ...]


def _top(path: str) -> str:
    return path.split(".")[0].split("[")[0]


def value_at(value: Any, path: str) -> Any:
    """The value at a dotted path with ``[n]`` indexes (``Targets[0].Arn``), or ``None``."""
    for name, index in _PATH_PART.findall(path):
        if name and isinstance(value, dict):
            value = value.get(name)
        elif index and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            return None
    return value


def _calls(value: Any) -> Iterator[tuple[str, Any]]:
    call = intrinsic(value)
    if call is not None:
        yield call
        yield from _calls(call[1])
    elif isinstance(value, dict):
        for item in value.values():
            yield from _calls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _calls(item)


def _mechanism(value: Any) -> str | None:
    """How a value crosses stacks: an export, a weak reference or an SSM parameter."""
    for name, argument in _calls(value):
        if name == "Fn::ImportValue":
            return f"the export {code(str(argument)) if isinstance(argument, str) else ''}"
        if name == "Fn::GetStackOutput" and isinstance(argument, dict):
            output = argument.get("OutputName")
            return f"weak:{output if isinstance(output, str) else '?'}"
    call = intrinsic(value)
    if (isinstance(value, str) and value.startswith("{{resolve:ssm:")) or (
        call is not None and call[0] == "Ref"
    ):
        return "ssm"  # a Ref that resolves in another stack is an SSM parameter
    return None


def revision_reason(task_definition: ResourceKey) -> str:
    """Why a service redeploys when its task definition gets a new revision."""
    return f"new revision of task definition {code(task_definition[1])}"


class Consequences:
    """Follows references from the changed resources of one pull request (``old`` is its
    base, ``new`` its head), and collects the ECS services that redeploy."""

    def __init__(
        self,
        *,
        old: Assembly,
        new: Assembly,
        rules: ReplacementRules,
        old_resolver: Resolver,
        new_resolver: Resolver,
    ) -> None:
        self.old = old
        self.new = new
        self.rules = rules
        self.old_resolver = old_resolver
        self.new_resolver = new_resolver
        self.redeploys: dict[ResourceKey, list[str]] = {}
        """``{service: reasons}`` of the ECS services that a change redeploys."""

    def redeploy(self, service: ResourceKey, reason: str) -> None:
        reasons = self.redeploys.setdefault(service, [])
        if reason not in reasons:
            reasons.append(reason)

    def users_of_task_definition(
        self, key: ResourceKey, reason: str
    ) -> tuple[list[ResourceKey], list[ResourceKey]]:
        """The services (marked to redeploy, for ``reason``) and the scheduled tasks that run
        the task definition at ``key``."""
        services, scheduled = [], []
        for reference in self.new_resolver.referrers(key):
            source = self.new.resource(reference.source)
            if source is None:
                continue
            if source["Type"] == SERVICE and reference.path == "TaskDefinition":
                self.redeploy(reference.source, reason)
                services.append(reference.source)
            elif source["Type"] in _SCHEDULERS:
                scheduled.append(reference.source)
        return services, scheduled

    def users_text(self, key: ResourceKey, reason: str) -> list[str]:
        """``service `X` redeploys``, ``scheduled task `Y` runs the new revision…``."""
        services, scheduled = self.users_of_task_definition(key, reason)
        stack = self.new.stack(key[0])

        def name(user: ResourceKey) -> str:
            return code(self.new_resolver.name_of(user, relative_to=stack))

        return [f"service {name(s)} redeploys" for s in services] + [
            f"scheduled task {name(s)} runs the new revision from its next run" for s in scheduled
        ]

    def _cross_stack(self, reference: Reference, value: Any, target_stack: str) -> str:
        if reference.source[0] == target_stack:
            return ""
        mechanism = _mechanism(value)
        if mechanism is None:
            return ""
        if mechanism.startswith("weak:"):
            text = (
                f" — across stacks through output {code(mechanism[5:])} "
                "(`Fn::GetStackOutput`, a weak reference): "
                f"{code(reference.source[0])} keeps the old value until its stack is updated again"
            )
            if self._unchanged(reference.source[0]):
                text += (
                    " (its template is unchanged, so `cdk deploy` skips it: deploy it with "
                    "`--force`)"
                )
            return text
        if mechanism == "ssm":
            return (
                f" — across stacks through an SSM parameter: {code(reference.source[0])} reads "
                "the new value at its next deploy"
            )
        return (
            f" — across stacks through {mechanism}: CloudFormation refuses to change an export "
            f"that {code(reference.source[0])} imports, so this update fails until it stops "
            "importing it"
        )

    def _effect(
        self, target: ResourceKey, target_type: str, source: ResourceKey, paths: list[str]
    ) -> tuple[str, bool]:
        """What the change of ``target`` does to ``source``; whether ``source`` is replaced."""
        resource = self.new.resource(source) or {}
        source_type = str(resource.get("Type"))
        region = _region(self.new.stack(source[0]).environment)
        effects = {
            refine(
                source_type,
                path,
                self.rules.verdict(source_type, path, region).effect,
                resource,
                None,
                None,
            )[0]
            for path in paths
        }
        replaced = REPLACEMENT in effects
        name = code(self.new_resolver.name_of(target, relative_to=self.new.stack(source[0])))
        extra = target_effect(target_type, source_type)
        if source_type == TASK_DEFINITION and replaced:
            text = "a new revision"
            if target_type == REPOSITORY:
                text += (
                    ": its tasks pull from a new, empty repository and fail to pull the image "
                    "(`CannotPullContainerError`) until an image is pushed to it"
                )
            elif extra:
                text += f"; {extra}"
            users = self.users_text(source, revision_reason(source))
            return text + ("; " + "; ".join(users) if users else ""), False
        if replaced:
            text = "**replaced too** (the property it is used in cannot change in place)"
        elif CONDITIONAL in effects:
            text = "may be replaced too"
        elif IN_PLACE in effects:
            text = "updated in place to use the new one"
        else:
            text = "updated (whether that replaces it is not checked)"
        if extra:
            text += f": {extra}"
        if source_type == SERVICE and any(_top(path) in REDEPLOYING_PROPERTIES for path in paths):
            self.redeploy(source, f"{name} is replaced")
            text += "; the service redeploys"
        return text, replaced

    def follow(
        self,
        key: ResourceKey,
        resource_type: str,
        depth: int = 0,
        seen: set[ResourceKey] | None = None,
    ) -> list[str]:
        """Effect lines for the resources that refer to ``key`` (replaced, in the head)."""
        seen = seen if seen is not None else {key}
        by_source: dict[ResourceKey, list[Reference]] = {}
        for reference in self.new_resolver.referrers(key):
            if reference.source not in seen:
                by_source.setdefault(reference.source, []).append(reference)
        lines = []
        indent = "  " * depth
        for source, references in sorted(by_source.items()):
            seen.add(source)
            resource = self.new.resource(source) or {}
            paths = sorted({r.path for r in references})
            effect, replaced = self._effect(key, resource_type, source, paths)
            value = value_at(properties_of(resource), paths[0])
            name = self.new_resolver.name_of(source, relative_to=self.new.stack(key[0]))
            shown = ", ".join(code(p) for p in paths[:3]) + (" …" if len(paths) > 3 else "")
            lines.append(
                f"{indent}- {code(name)} ({code(str(resource.get('Type')))}) in {shown}: "
                f"{effect}{self._cross_stack(references[0], value, key[0])}"
            )
            if replaced and depth < _MAX_DEPTH:
                lines += self.follow(source, str(resource.get("Type")), depth + 1, seen)
        return lines

    def removed(self, key: ResourceKey) -> list[str]:
        """Effect lines for what referred to ``key`` (removed; in the base)."""
        lines = []
        by_source: dict[ResourceKey, list[Reference]] = {}
        for reference in self.old_resolver.referrers(key):
            by_source.setdefault(reference.source, []).append(reference)
        for source, references in sorted(by_source.items()):
            old_resource = self.old.resource(source) or {}
            name = self.old_resolver.name_of(source, relative_to=self.old.stack(key[0]))
            head = self.new.resource(source) if source[0] in self._new_stacks else None
            path = references[0].path
            if head is None:
                effect = "removed too"
            else:
                before = value_at(properties_of(old_resource), path)
                after = value_at(properties_of(head), path)
                mechanism = _mechanism(before) if source[0] != key[0] else None
                if before == after and mechanism is not None:
                    effect = (
                        "**still reads it from the other stack**: its next deploy fails, and "
                        "until then it uses a deleted resource"
                        if mechanism.startswith("weak:")
                        else "**still imports it**: CloudFormation refuses to delete an export "
                        "in use, so this update fails"
                    )
                else:
                    effect = "no longer refers to it"
            lines.append(
                f"- {code(name)} ({code(str(old_resource.get('Type')))}) in {code(path)}: {effect}"
            )
        return lines

    def _unchanged(self, stack_key: str) -> bool:
        before = {stack.key: stack for stack in self.old.stacks}.get(stack_key)
        return before is not None and before.template == self.new.stack(stack_key).template

    @property
    def _new_stacks(self) -> set[str]:
        return {stack.key for stack in self.new.stacks}
