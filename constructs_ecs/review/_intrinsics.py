"""CloudFormation values: compact rendering of intrinsic functions, and reference resolution.

Resolution follows ``Ref`` / ``Fn::GetAtt`` to resources, and ``Fn::ImportValue``,
``Fn::GetStackOutput`` (CDK's "weak" cross-stack references) and SSM parameters (template
parameters of type ``AWS::SSM::Parameter::Value<...>`` and ``{{resolve:ssm:...}}`` dynamic
references) to the resource that another stack of the same assembly exported or stored.
Anything that cannot be resolved stays as it is: nothing here raises on an unknown shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from constructs_ecs.review._assembly import Assembly, ResourceKey, StackTemplate

_MAX_DEPTH = 12
_SSM_DYNAMIC = re.compile(r"^\{\{resolve:ssm:([^:}]+)(?::\d+)?\}\}$")
_SSM_PARAMETER_TYPE = "AWS::SSM::Parameter::Value<"
_CROSS_STACK = ("Fn::ImportValue", "Fn::GetStackOutput")


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """``(function name, argument)`` when ``value`` is an intrinsic function call."""
    if isinstance(value, dict) and len(value) == 1:
        (name, argument), *_ = value.items()
        if name == "Ref" or name == "Condition" or name.startswith("Fn::"):
            return name, argument
    return None


def get_att(argument: Any) -> tuple[str, str] | None:
    """``(logical id, attribute)`` of a ``Fn::GetAtt`` argument in either of its forms."""
    if isinstance(argument, list) and len(argument) == 2:
        logical_id, attribute = argument
        if isinstance(logical_id, str) and isinstance(attribute, str):
            return logical_id, attribute
    if isinstance(argument, str) and "." in argument:
        logical_id, _, attribute = argument.partition(".")
        return logical_id, attribute
    return None


Hook = Callable[[Any], str | None]


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _render(value: Any, hook: Hook | None) -> str:
    if hook is not None:
        replaced = hook(value)
        if replaced is not None:
            return replaced
    if isinstance(value, list):
        return "[" + ", ".join(_render(item, hook) for item in value) + "]"
    call = intrinsic(value)
    if call is not None:
        return _render_call(call[0], call[1], hook)
    if isinstance(value, dict):
        inner = ", ".join(f"{key}: {_render(value[key], hook)}" for key in sorted(value, key=str))
        return "{" + inner + "}"
    return _scalar(value)


def _inline(value: Any, hook: Hook | None) -> str:
    """A part of a concatenation: literals as they are, references as ``${X}``."""
    if isinstance(value, str):
        return value
    call = intrinsic(value)
    if call is not None and call[0] == "Ref" and isinstance(call[1], str):
        rendered = _render(value, hook)
        if rendered.startswith("Ref(") and rendered.endswith(")"):
            return "${" + rendered[4:-1] + "}"
        return "${" + rendered + "}"
    if call is not None and call[0] == "Fn::GetAtt":
        rendered = _render(value, hook)
        if rendered.startswith("GetAtt(") and rendered.endswith(")"):
            return "${" + rendered[7:-1] + "}"
        return "${" + rendered + "}"
    return "${" + _render(value, hook) + "}"


def _render_call(name: str, argument: Any, hook: Hook | None) -> str:
    if name == "Ref":
        return (
            f"Ref({_scalar(argument)})"
            if not isinstance(argument, dict | list)
            else (f"Ref({_render(argument, hook)})")
        )
    if name == "Fn::GetAtt":
        parts = get_att(argument)
        if parts is not None:
            return f"GetAtt({parts[0]}.{parts[1]})"
        return f"GetAtt({_render(argument, hook)})"
    if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        delimiter, parts = argument
        if isinstance(parts, list):
            if delimiter == "":
                return "".join(_inline(part, hook) for part in parts)
            inner = ", ".join(_render(part, hook) for part in parts)
            return f"Join({json.dumps(delimiter)}, [{inner}])"
    if name == "Fn::Sub":
        if isinstance(argument, str):
            return argument
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str):
            text: str = argument[0]
            variables = argument[1]
            if isinstance(variables, dict):
                for variable in sorted(variables, key=str):
                    text = text.replace(
                        "${" + str(variable) + "}", _inline(variables[variable], hook)
                    )
            return text
    if name == "Fn::Split" and isinstance(argument, list) and len(argument) == 2:
        return f"Split({json.dumps(argument[0])}, {_render(argument[1], hook)})"
    if name == "Fn::GetStackOutput" and isinstance(argument, dict):
        stack = _render(argument.get("StackName"), hook)
        output = _render(argument.get("OutputName"), hook)
        return f"GetStackOutput({stack}.{output})"
    short = name[4:] if name.startswith("Fn::") else name
    if isinstance(argument, list):
        inner = ", ".join(_render(item, hook) for item in argument)
    else:
        inner = _render(argument, hook)
    return f"{short}({inner})"


def render(value: Any) -> str:
    """A compact one-line rendering: ``Ref(X)``, ``GetAtt(X.Arn)``, ``arn:${AWS::Partition}:...``
    for ``Fn::Join`` with an empty delimiter, ``Join(",", [...])``, ``If(c, a, b)``..."""
    return _render(value, None)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


@dataclass(frozen=True)
class Target:
    """What a reference points at: a resource, and the attribute (``None`` for ``Ref``)."""

    key: ResourceKey
    attribute: str | None = None


@dataclass(frozen=True)
class Reference:
    """``source`` refers to ``target`` at ``path`` (``TaskRoleArn``, ``Roles[0]``...)."""

    source: ResourceKey
    path: str
    target: Target


class Resolver:
    """Follows references inside one assembly (see the module docstring)."""

    def __init__(self, assembly: Assembly) -> None:
        self.assembly = assembly

    # ---- indexes -------------------------------------------------------------------------
    @cached_property
    def _stacks_by_name(self) -> dict[str, list[StackTemplate]]:
        index: dict[str, list[StackTemplate]] = {}
        for stack in self.assembly.stacks:
            index.setdefault(stack.name, []).append(stack)
            if stack.key != stack.name:
                index.setdefault(stack.key, []).append(stack)
        return index

    @cached_property
    def _exports(self) -> dict[str, tuple[StackTemplate, Any]]:
        index: dict[str, tuple[StackTemplate, Any]] = {}
        for stack in self.assembly.stacks:
            for output in stack.section("Outputs").values():
                if not isinstance(output, dict) or not isinstance(output.get("Export"), dict):
                    continue
                name = self.literal(stack, output["Export"].get("Name"))
                if name is not None and "Value" in output:
                    index.setdefault(name, (stack, output["Value"]))
        return index

    @cached_property
    def _ssm_parameters(self) -> dict[str, tuple[StackTemplate, Any]]:
        index: dict[str, tuple[StackTemplate, Any]] = {}
        for stack in self.assembly.stacks:
            for _, resource in stack.of_type("AWS::SSM::Parameter"):
                properties = properties_of(resource)
                name = self.literal(stack, properties.get("Name"))
                if name is not None and "Value" in properties:
                    index.setdefault(name, (stack, properties["Value"]))
        return index

    @cached_property
    def references(self) -> tuple[Reference, ...]:
        """Every resolvable reference from a resource's properties to another resource."""
        found: list[Reference] = []
        for stack, logical_id, resource in self.assembly.iter_resources():
            for path, target in self._walk(stack, resource.get("Properties"), ""):
                if target.key != (stack.key, logical_id):
                    found.append(Reference((stack.key, logical_id), path, target))
        return tuple(found)

    @cached_property
    def _referrers(self) -> dict[ResourceKey, list[Reference]]:
        index: dict[ResourceKey, list[Reference]] = {}
        for reference in self.references:
            index.setdefault(reference.target.key, []).append(reference)
        return index

    def referrers(self, key: ResourceKey) -> list[Reference]:
        """References to the resource ``key``, in source order."""
        return list(self._referrers.get(key, ()))

    # ---- evaluation ----------------------------------------------------------------------
    def literal(self, stack: StackTemplate, value: Any) -> str | None:
        """``value`` as a plain string when it is one (or a join of literals); else ``None``."""
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return str(value)
        call = intrinsic(value)
        if call is None:
            return None
        name, argument = call
        if name == "Ref" and argument == "AWS::StackName":
            return stack.name
        if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            delimiter, parts = argument
            if isinstance(delimiter, str) and isinstance(parts, list):
                rendered = [self.literal(stack, part) for part in parts]
                if all(part is not None for part in rendered):
                    return delimiter.join(part for part in rendered if part is not None)
        if name == "Fn::Sub" and isinstance(argument, str):
            text = argument.replace("${AWS::StackName}", stack.name)
            return None if "${" in text else text
        return None

    def _ssm_name(self, stack: StackTemplate, value: Any) -> str | None:
        if isinstance(value, str):
            match = _SSM_DYNAMIC.match(value)
            return match.group(1) if match else None
        call = intrinsic(value)
        if call and call[0] == "Ref" and isinstance(call[1], str):
            parameter = stack.section("Parameters").get(call[1])
            if isinstance(parameter, dict):
                kind = parameter.get("Type")
                default = parameter.get("Default")
                if isinstance(kind, str) and kind.startswith(_SSM_PARAMETER_TYPE):
                    return default if isinstance(default, str) else None
        return None

    def _cross_stack(self, stack: StackTemplate, value: Any) -> tuple[StackTemplate, Any] | None:
        call = intrinsic(value)
        if call is None:
            return None
        name, argument = call
        if name == "Fn::ImportValue":
            export = self.literal(stack, argument)
            return self._exports.get(export) if export is not None else None
        if name == "Fn::GetStackOutput" and isinstance(argument, dict):
            stack_name = self.literal(stack, argument.get("StackName"))
            output_name = self.literal(stack, argument.get("OutputName"))
            if stack_name is None or output_name is None:
                return None
            for candidate in self._stacks_by_name.get(stack_name, []):
                output = candidate.section("Outputs").get(output_name)
                if isinstance(output, dict) and "Value" in output:
                    return candidate, output["Value"]
        return None

    def deref(self, stack: StackTemplate, value: Any, depth: int = 0) -> tuple[StackTemplate, Any]:
        """Follow exports, stack outputs, SSM parameters and ``Fn::Select`` to the value in the
        stack that defines it; return ``(stack, value)`` unchanged when there is nothing to
        follow."""
        if depth > _MAX_DEPTH:
            return stack, value
        crossed = self._cross_stack(stack, value)
        if crossed is not None:
            return self.deref(crossed[0], crossed[1], depth + 1)
        ssm_name = self._ssm_name(stack, value)
        if ssm_name is not None and ssm_name in self._ssm_parameters:
            defined_in, stored = self._ssm_parameters[ssm_name]
            return self.deref(defined_in, stored, depth + 1)
        call = intrinsic(value)
        if call and call[0] == "Fn::Select":
            selected = self._select(stack, call[1], depth)
            if selected is not None:
                return self.deref(selected[0], selected[1], depth + 1)
        return stack, value

    def _select(
        self, stack: StackTemplate, argument: Any, depth: int
    ) -> tuple[StackTemplate, Any] | None:
        if not (isinstance(argument, list) and len(argument) == 2):
            return None
        index = self.literal(stack, argument[0])
        if index is None or not index.isdigit():
            return None
        position = int(index)
        source_stack, source = self.deref(stack, argument[1], depth + 1)
        if isinstance(source, list):
            return (source_stack, source[position]) if position < len(source) else None
        split = intrinsic(source)
        if split and split[0] == "Fn::Split" and isinstance(split[1], list) and len(split[1]) == 2:
            delimiter, joined = split[1]
            joined_stack, joined = self.deref(source_stack, joined, depth + 1)
            join = intrinsic(joined)
            if (
                join
                and join[0] == "Fn::Join"
                and isinstance(join[1], list)
                and len(join[1]) == 2
                and join[1][0] == delimiter
                and isinstance(join[1][1], list)
                and position < len(join[1][1])
            ):
                return joined_stack, join[1][1][position]
            if isinstance(joined, str) and isinstance(delimiter, str):
                pieces = joined.split(delimiter)
                return (joined_stack, pieces[position]) if position < len(pieces) else None
        return None

    def target(self, stack: StackTemplate, value: Any) -> Target | None:
        """The resource ``value`` refers to (through ``Ref``/``GetAtt`` after ``deref``)."""
        defined_in, value = self.deref(stack, value)
        call = intrinsic(value)
        if call is None:
            return None
        name, argument = call
        if name == "Ref" and isinstance(argument, str) and argument in defined_in.resources:
            return Target((defined_in.key, argument))
        if name == "Fn::GetAtt":
            parts = get_att(argument)
            if parts is not None and parts[0] in defined_in.resources:
                return Target((defined_in.key, parts[0]), parts[1])
        return None

    def key(self, stack: StackTemplate, value: Any) -> ResourceKey | None:
        """The ``(stack key, logical id)`` that ``value`` refers to, or ``None``."""
        found = self.target(stack, value)
        return found.key if found else None

    def keys(self, stack: StackTemplate, value: Any) -> list[ResourceKey]:
        """Each resource a list-valued property refers to (a single value counts as a list)."""
        defined_in, value = self.deref(stack, value)
        items = value if isinstance(value, list) else [value]
        found = [self.key(defined_in, item) for item in items]
        return [key for key in found if key is not None]

    def targets_in(self, stack: StackTemplate, value: Any) -> list[Target]:
        """Every resource referred to anywhere inside ``value``, in order."""
        return [target for _, target in self._walk(stack, value, "")]

    def _walk(
        self, stack: StackTemplate, value: Any, path: str, *, inside: bool = False
    ) -> Iterator[tuple[str, Target]]:
        """References in ``value`` with their property path; inside an intrinsic function
        the path stays that of the property (``Image``, not ``Image[1][0]``)."""
        call = intrinsic(value)
        if call is not None:
            found = self.target(stack, value) if call[0] != "Condition" else None
            if found is not None:
                yield path, found
                return
            if call[0] == "Fn::Sub":
                yield from self._sub(stack, call[1], path)
                return
            if call[0] not in ("Ref", "Fn::GetAtt", *_CROSS_STACK):
                yield from self._walk(stack, call[1], path, inside=True)
            return
        if isinstance(value, dict):
            for key in value:
                child = path if inside else (f"{path}.{key}" if path else str(key))
                yield from self._walk(stack, value[key], child, inside=inside)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                child = path if inside else f"{path}[{index}]"
                yield from self._walk(stack, item, child, inside=inside)
        elif isinstance(value, str) and _SSM_DYNAMIC.match(value):
            found = self.target(stack, value)
            if found is not None:
                yield path, found

    def _sub(self, stack: StackTemplate, argument: Any, path: str) -> Iterator[tuple[str, Target]]:
        """``${X}`` / ``${X.Attribute}`` in a ``Fn::Sub`` string that name a resource, then the
        references inside its variables."""
        text, variables = argument, {}
        if isinstance(argument, list) and len(argument) == 2:
            text, variables = argument[0], argument[1] if isinstance(argument[1], dict) else {}
        if isinstance(text, str):
            for name, attribute in sub_variables(text):
                if name not in variables and name in stack.resources:
                    yield path, Target((stack.key, name), attribute)
        for item in variables.values():
            yield from self._walk(stack, item, path, inside=True)

    # ---- rendering -----------------------------------------------------------------------
    def name_of(self, key: ResourceKey, *, relative_to: StackTemplate | None = None) -> str:
        """``LogicalId``, qualified as ``Stack/LogicalId`` outside ``relative_to``."""
        if relative_to is not None and key[0] == relative_to.key:
            return key[1]
        return f"{key[0]}/{key[1]}"

    def render(self, stack: StackTemplate, value: Any) -> str:
        """Like ``render``, but cross-stack references show what they resolve to."""

        def hook(node: Any) -> str | None:
            call = intrinsic(node)
            if call is None:
                return None
            if call[0] in _CROSS_STACK or (
                call[0] == "Ref" and self._ssm_name(stack, node) is not None
            ):
                found = self.target(stack, node)
                if found is None:
                    return None
                name = self.name_of(found.key, relative_to=stack)
                return f"GetAtt({name}.{found.attribute})" if found.attribute else f"Ref({name})"
            return None

        return _render(value, hook)


_SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}]+)\}")


def sub_variables(text: str) -> list[tuple[str, str | None]]:
    """``(name, attribute)`` of each ``${Name}`` / ``${Name.Attribute}`` in a ``Fn::Sub``
    string, without pseudo parameters (``${AWS::Region}``) and literals (``${!Literal}``)."""
    found = []
    for match in _SUB_VARIABLE.finditer(text):
        name, _, attribute = match.group(1).strip().partition(".")
        if not name.startswith("AWS::"):
            found.append((name, attribute or None))
    return found


def properties_of(resource: Mapping[str, Any]) -> dict[str, Any]:
    """A resource's ``Properties`` as a dict (empty when absent or not an object)."""
    properties = resource.get("Properties")
    return properties if isinstance(properties, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a list, ``[value]`` if it is something, ``[]`` if it is ``None``."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
