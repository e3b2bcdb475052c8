"""The kinds of value a task-definition field holds, and the JSON shapes they check.

A kind says how the values of a field are checked in ECS JSON (``check_json``, structure and
type) and in Python (``check``: type, bounds, allowed values; sequences become tuples and
mappings ``FrozenMap``), imported from JSON (``from_json``) and rendered for CloudFormation
(``render``). ``_table`` builds the field table on them; a field with an idiom of its own
defines its kind next to its model.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from constructs_ecs._errors import ConfigurationError, closest
from constructs_ecs.taskdef._common import (
    TOKEN,
    as_map,
    as_tuple,
    at,
    check_bool,
    check_choice,
    check_int,
    check_str,
    is_int,
    is_token,
    join_path,
)
from constructs_ecs.taskdef._references import check_repositories

__all__ = [
    "Bool",
    "ImportContext",
    "Int",
    "JsonKey",
    "JsonShape",
    "Kind",
    "ListOf",
    "Pairs",
    "Str",
    "StrMap",
    "TypedValues",
    "cfn_name",
    "check_shape",
    "check_value",
]

_STRING_VALUES = "ECS accepts only string {}s"
#: What an object known only at deploy (an ``ecs.ContainerImage``, an ``ISecret``) counts as in
#: the registered JSON: the longest image reference ECS takes; ARNs are usually shorter.
DEPLOY_TIME_VALUE = "?" * 255
_NO_KEYS: Mapping[str, str] = MappingProxyType({})


def cfn_name(json: str) -> str:
    """The CloudFormation name of a JSON name by the usual rule: ``stopTimeout`` ->
    ``StopTimeout`` (each part of a dotted name)."""
    return ".".join(part[:1].upper() + part[1:] for part in json.split("."))


class ImportContext:
    """What importing JSON needs besides the JSON: image repositories by alias
    (``ImageRepositoryLike`` or ``ecr.IRepository``); what the import changed on the way in
    (``notes``)."""

    def __init__(self, repositories: Mapping[str, Any] | None = None) -> None:
        self.repositories: Mapping[str, Any] = check_repositories("repositories", repositories)
        self.notes: list[str] = []


# --------------------------------------------------------------------------- kinds


class Kind:
    """How the values of a field are checked (in JSON and in Python), imported and rendered.

    The kinds below cover most fields; a field with an idiom of its own (task cpu as "1 vCPU",
    ``portMappings`` holding ports and port ranges) defines its kind next to its model.
    """

    #: Holds objects: imported after the plain values of its model, so the outer problem shows.
    nested = False
    #: Added to the message refusing a token where a literal is checked: what to pass instead.
    token_hint = ""

    @property
    def literal(self) -> bool:
        """Whether the Python check needs a literal (bounds, allowed values, a pattern)."""
        return False

    def check_json(self, value: Any, path: str) -> Any:
        """``value`` of parsed JSON if its type is right (without nulls), else an error."""
        return value

    def from_json(self, value: Any, context: ImportContext) -> Any:
        """The Python value of JSON ``value`` (which ``check_json`` passed)."""
        return value

    def check(self, value: Any, name: str) -> Any:
        """``value`` frozen (tuples, ``FrozenMap``), or a ``ConfigurationError`` naming ``name``."""
        return value

    def render(self, value: Any) -> Any:
        """The CloudFormation value of ``value``."""
        return value

    def to_json(self, value: Any) -> Any:
        """The ECS JSON value of ``value``, as ``RegisterTaskDefinition`` carries it (to measure
        the registered size); a CDK object stands as ``DEPLOY_TIME_VALUE``."""
        return value if isinstance(value, str | int | bool) else DEPLOY_TIME_VALUE


def check_value(kind: Kind, value: Any, name: str, *, tokens: bool = False) -> Any:
    """``kind.check``, with tokens let through (``tokens``) or refused without their encoding."""
    if kind.literal and is_token(value):
        if tokens and isinstance(value, str):  # a string token where a string goes
            return value
        raise ConfigurationError(
            name,
            TOKEN,
            "must be a literal value: it is checked when the task is defined" + kind.token_hint,
        )
    return kind.check(value, name)


def _check_count(name: str, values: tuple[Any, ...], max_items: int | None, items: str) -> None:
    if max_items is not None and len(values) > max_items:
        noun = f" {items}" if items else ""
        raise ConfigurationError(name, list(values), f"ECS allows at most {max_items}{noun}")


def _hint(hint: str) -> str:
    return f" ({hint})" if hint else ""


@dataclass(frozen=True, kw_only=True)
class Str(Kind):
    """A string: one of ``choices``, or matching ``pattern`` (described by ``rule``), or
    checked by ``check_with(name, value)``, or any non-empty string."""

    choices: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    rule: str = ""
    check_with: Callable[[str, Any], object] | None = None
    allow_empty: bool = False
    hint: str = ""
    """Why a JSON value that is not a string is wrong (added to the message)."""

    @property
    def literal(self) -> bool:
        return bool(self.choices or self.pattern or self.check_with)

    def check_json(self, value: Any, path: str) -> Any:
        if not isinstance(value, str):
            raise ConfigurationError(path, value, f"must be a string{_hint(self.hint)}")
        return value

    def check(self, value: Any, name: str) -> Any:
        if self.choices:
            return check_choice(name, value, self.choices)
        if self.check_with is not None:
            self.check_with(name, value)
            return value
        if self.pattern is not None:
            if not isinstance(value, str) or not self.pattern.fullmatch(value):
                raise ConfigurationError(name, value, f"must be {self.rule}")
            return value
        return check_str(name, value, allow_empty=self.allow_empty)


@dataclass(frozen=True, kw_only=True)
class Int(Kind):
    """An integer (never a bool or a float) within [minimum, maximum], counted in ``unit``."""

    minimum: int | None = None
    maximum: int | None = None
    unit: str = ""

    @property
    def literal(self) -> bool:
        return True

    def check_json(self, value: Any, path: str) -> Any:
        if not is_int(value):
            raise ConfigurationError(path, value, "must be an integer")
        return value

    def check(self, value: Any, name: str) -> Any:
        return check_int(name, value, minimum=self.minimum, maximum=self.maximum, what=self.unit)


@dataclass(frozen=True, kw_only=True)
class Bool(Kind):
    """``true`` or ``false``."""

    @property
    def literal(self) -> bool:
        return True

    def check_json(self, value: Any, path: str) -> Any:
        if not isinstance(value, bool):
            raise ConfigurationError(path, value, "must be true or false")
        return value

    def check(self, value: Any, name: str) -> Any:
        return check_bool(name, value)


@dataclass(frozen=True, kw_only=True)
class ListOf(Kind):
    """A list of plain values (a tuple in Python), at most ``max_items`` ``items``."""

    item: Kind
    max_items: int | None = None
    items: str = ""

    def check_json(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise ConfigurationError(path, value, "must be a list")
        return [self.item.check_json(v, f"{path}[{i}]") for i, v in enumerate(value)]

    def check(self, value: Any, name: str) -> Any:
        values = as_tuple(name, value)
        _check_count(name, values, self.max_items, self.items)
        for index, item in enumerate(values):
            check_value(self.item, item, f"{name}[{index}]")
        return values

    def render(self, value: Any) -> Any:
        return [self.item.render(v) for v in value]

    def to_json(self, value: Any) -> Any:
        return [self.item.to_json(v) for v in value]


@dataclass(frozen=True, kw_only=True)
class Pairs:
    """How ECS JSON writes a mapping: a list of ``{key: k, value: v}`` objects (``shape``)."""

    shape: str
    key: str
    value: str
    value_required: bool = False

    def cfn(self, key: str, value: str) -> dict[str, str]:
        return {cfn_name(self.key): key, cfn_name(self.value): value}


@dataclass(frozen=True, kw_only=True)
class StrMap(Kind):
    """A mapping of strings to strings (a ``FrozenMap`` in Python): a JSON object, or with
    ``pairs`` a JSON list of ``{key, value}`` objects (rendered as such)."""

    item: str = "value"
    """What a value is called in messages (``ECS accepts only string {item}s``)."""
    hint: str = ""
    """Why a value that is not a string is wrong; omitted: from ``item``."""
    keys: tuple[str, ...] = ()
    """The keys allowed; omitted: any non-empty string."""
    key_noun: str = ""
    """What a key is, for an unknown key (``is not {key_noun}``)."""
    key_pattern: re.Pattern[str] | None = None
    key_rule: str = "keys must be non-empty strings"
    value_check: Callable[[str, Any], object] | None = None
    """Checks each value in place of "a string" (e.g. a secret's ``valueFrom``)."""
    value_render: Callable[[Any], Any] | None = None
    """Renders each value (a secret's source: an ``ISecret`` is rendered as its ARN)."""
    pairs: Pairs | None = None

    @property
    def _value_hint(self) -> str:
        return self.hint or _STRING_VALUES.format(self.item)

    def check_json(self, value: Any, path: str) -> Any:
        if self.pairs is not None:
            if not isinstance(value, list):
                raise ConfigurationError(path, value, "must be a list")
            shape = self._pair_shape
            return [check_shape(item, shape, f"{path}[{i}]") for i, item in enumerate(value)]
        if not isinstance(value, Mapping):
            raise ConfigurationError(path, value, "must be an object of string values")
        for key, item in value.items():
            if not isinstance(item, str):
                raise ConfigurationError(
                    join_path(path, str(key)), item, f"must be a string ({self._value_hint})"
                )
        return dict(value)

    @functools.cached_property
    def _pair_shape(self) -> JsonShape:
        assert self.pairs is not None
        pairs = self.pairs
        return JsonShape(
            name=pairs.shape,
            keys={
                pairs.key: JsonKey(Str(), required=True),
                pairs.value: JsonKey(
                    Str(hint=self._value_hint if self.value_check is None else ""),
                    required=pairs.value_required,
                ),
            },
        )

    def from_json(self, value: Any, context: ImportContext) -> Any:
        if self.pairs is None:
            return value
        key_name, value_name = self.pairs.key, self.pairs.value
        result: dict[str, str] = {}
        first: dict[str, int] = {}
        for index, item in enumerate(value):
            key = item[key_name]
            if key in result:
                raise ConfigurationError(
                    f"[{index}].{key_name}",
                    key,
                    f"is set twice (also at [{first[key]}]); each {key_name} may appear once",
                )
            first[key] = index
            result[key] = item.get(value_name, "")
        return result

    def check(self, value: Any, name: str) -> Any:
        values = as_map(name, value)
        for key, item in values.items():
            if (
                not isinstance(key, str)
                or not key
                or (self.key_pattern is not None and not self.key_pattern.fullmatch(key))
            ):
                raise ConfigurationError(name, key, self.key_rule)
            if self.value_check is not None:
                self.value_check(f"{name}.{key}", item)
            elif not isinstance(item, str):
                raise ConfigurationError(
                    f"{name}.{key}", item, f"must be a string ({self._value_hint})"
                )
            if self.keys and key not in self.keys:
                raise ConfigurationError(
                    f"{name}.{key}",
                    item,
                    f"is not {self.key_noun}{closest(key, self.keys)}; allowed: "
                    + ", ".join(self.keys),
                )
        return values

    def render(self, value: Any) -> Any:
        convert = self.value_render
        if convert is not None:
            value = {k: convert(v) for k, v in value.items()}
        if self.pairs is None:
            return dict(value)
        return [self.pairs.cfn(k, v) for k, v in value.items()]

    def to_json(self, value: Any) -> Any:
        items = {k: v if isinstance(v, str) else DEPLOY_TIME_VALUE for k, v in value.items()}
        if self.pairs is None:
            return items
        return [{self.pairs.key: k, self.pairs.value: v} for k, v in items.items()]


@dataclass(frozen=True, kw_only=True)
class TypedValues(Kind):
    """A JSON list of ``{"type": <type>, <value>: v}`` objects of one allowed type (a tuple of
    the values in Python): ``environmentFiles`` (type ``s3``), ``placementConstraints``
    (type ``memberOf``)."""

    shape: str
    type: str
    type_rule: str
    """Why another type is refused."""
    value: str
    """The JSON key of the value."""
    missing_rule: str = ""
    """Why the value is required, when ECS does not require it for every type."""
    item: Kind = Str()
    max_items: int | None = None
    items: str = ""

    def check_json(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise ConfigurationError(path, value, "must be a list")
        shape = self._json_shape
        return [check_shape(item, shape, f"{path}[{i}]") for i, item in enumerate(value)]

    @functools.cached_property
    def _json_shape(self) -> JsonShape:
        return JsonShape(
            name=self.shape,
            keys={
                "type": JsonKey(Str(), required=True),
                self.value: JsonKey(Str(), required=not self.missing_rule),
            },
        )

    def from_json(self, value: Any, context: ImportContext) -> Any:
        values = []
        for index, item in enumerate(value):
            with at(f"[{index}]"):
                if item["type"] != self.type:
                    raise ConfigurationError("type", item["type"], self.type_rule)
                if self.value not in item:
                    raise ConfigurationError(self.value, None, self.missing_rule)
                values.append(item[self.value])
        return values

    def check(self, value: Any, name: str) -> Any:
        values = as_tuple(name, value)
        _check_count(name, values, self.max_items, self.items)
        for index, item in enumerate(values):
            check_value(self.item, item, f"{name}[{index}].{self.value}")
        return values

    def render(self, value: Any) -> Any:
        return [{"Type": self.type, cfn_name(self.value): v} for v in value]

    def to_json(self, value: Any) -> Any:
        return [{"type": self.type, self.value: v} for v in value]


# --------------------------------------------------------------------------- JSON shapes


@dataclass(frozen=True)
class JsonKey:
    kind: Kind
    required: bool | str = False


@dataclass(frozen=True, kw_only=True)
class JsonShape:
    """The keys of one JSON object: what each holds, which are required, which are refused
    (with why) and which are ignored (read-only output of ``DescribeTaskDefinition``)."""

    name: str
    keys: Mapping[str, JsonKey]
    what: str = ""
    rejected: Mapping[str, str] = dataclasses.field(default_factory=lambda: _NO_KEYS)
    ignored: frozenset[str] = frozenset()

    @property
    def description(self) -> str:
        return self.what or f"a {self.name} object"


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


def check_shape(value: Any, shape: JsonShape, path: str) -> dict[str, Any]:
    """Check ``value`` against ``shape``; return it without nulls and ignored keys.

    Raises ``ConfigurationError`` for a non-object, an unknown key (with the closest valid
    one), a refused key (with why), a missing required key, or a value of the wrong type.
    """
    if not isinstance(value, Mapping):
        raise ConfigurationError(path or "(document)", value, "must be a JSON object")
    keys = shape.keys
    present: list[str] = []
    # Keys of this level first, values (and the levels below) after: the outermost problem
    # is reported first.
    for key, item in value.items():
        key_path = join_path(path, str(key))
        if key in shape.rejected:
            # Console and describe output carry empty lists of retired features: harmless.
            if _empty(item):
                continue
            raise ConfigurationError(key_path, item, shape.rejected[key])
        if key in shape.ignored:
            continue
        if key not in keys:
            raise ConfigurationError(
                key_path,
                key,
                f"is not a field of {shape.description}{closest(str(key), keys)}; "
                "ECS rejects unknown keys",
            )
        if item is not None:
            present.append(key)
    cleaned: dict[str, Any] = {}
    for key in present:
        cleaned[key] = keys[key].kind.check_json(value[key], join_path(path, key))
    for key, spec in keys.items():
        if spec.required and key not in cleaned:
            why = f" ({spec.required})" if isinstance(spec.required, str) else ""
            raise ConfigurationError(join_path(path, key), None, f"is required{why}")
    return cleaned
