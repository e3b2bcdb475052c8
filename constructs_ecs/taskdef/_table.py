"""The field table of ECS task definitions: one entry per field, and everything it drives.

Each model (``TaskDefinitionSpec``, ``ContainerSpec``, ``HealthCheck``, ...) is a frozen
dataclass declared with ``@model`` whose fields are table entries::

    stop_timeout_seconds: int | None = entry(
        "stopTimeout",
        Int(minimum=0, unit="s"),
        default=None,
        doc="Grace between SIGTERM and SIGKILL; omitted: the agent's default (30 s).",
    )

An entry names the field in ECS JSON (``stopTimeout``; dotted for a key of a nested JSON
object, ``capabilities.add``), in Python (the attribute) and in CloudFormation (derived from
the JSON name, ``StopTimeout``, unless given), says its kind (type, bounds, allowed values) and
documents it in one line. From the entries of a model, this module:

- checks the structure of parsed JSON (``check_shape``): unknown keys with the closest valid
  one, keys ECS has but this library refuses (with why), required keys, value types;
- imports JSON (``import_object``), each value through its kind (or the entry's own hook);
- validates Python values when an object is created: types, bounds and allowed values, then
  the model's own ``_validate`` (cross-field rules, next to the fields they concern); sequences
  become tuples and mappings ``FrozenMap``, so a validated object is immutable all the way down;
- renders the CloudFormation properties that aws-cdk-lib's L2 does not (``render``).

Adding an ECS field is one entry, plus a rule in ``_validate`` if it has one. A CDK token skips
the literal checks of an entry that allows it (``tokens=True``); elsewhere it is refused with a
message that does not print its encoding.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar, dataclass_transform

from constructs_ecs._errors import ConfigurationError, closest
from constructs_ecs.taskdef._common import TOKEN, as_tuple, at, is_token, under
from constructs_ecs.taskdef._kinds import (
    Bool,
    ImportContext,
    Int,
    JsonKey,
    JsonShape,
    Kind,
    ListOf,
    Pairs,
    Str,
    StrMap,
    TypedValues,
    cfn_name,
    check_shape,
    check_value,
)

__all__ = [
    "Bool",
    "Entry",
    "ImportContext",
    "Int",
    "JsonKey",
    "JsonShape",
    "Kind",
    "ListOf",
    "Obj",
    "Objs",
    "Pairs",
    "Str",
    "StrMap",
    "TypedValues",
    "check_shape",
    "entry",
    "import_fields",
    "import_object",
    "json_only",
    "model",
    "render",
    "shape_of",
    "table_of",
    "to_json",
]

T = TypeVar("T")
_TABLE = "__taskdef_table__"
_DERIVED: Any = object()


# --------------------------------------------------------------------------- objects


def _article(name: str) -> str:
    return f"an {name}" if name[:1] in "AEIO" else f"a {name}"


@dataclass(frozen=True)
class Obj(Kind):
    """One object of model ``cls``."""

    cls: type
    nested = True

    def check_json(self, value: Any, path: str) -> Any:
        return check_shape(value, shape_of(self.cls), path)

    def from_json(self, value: Any, context: ImportContext) -> Any:
        return import_object(self.cls, value, context)

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, self.cls):
            raise ConfigurationError(name, value, f"must be {_article(self.cls.__name__)}")
        return value

    def render(self, value: Any) -> Any:
        return render(value)

    def to_json(self, value: Any) -> Any:
        return to_json(value)


@dataclass(frozen=True)
class Objs(Kind):
    """A list of objects of model ``cls`` (a tuple in Python)."""

    cls: type
    nested = True

    def check_json(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise ConfigurationError(path, value, "must be a list")
        shape = shape_of(self.cls)
        return [check_shape(item, shape, f"{path}[{i}]") for i, item in enumerate(value)]

    def from_json(self, value: Any, context: ImportContext) -> Any:
        built: list[Any] = []
        for index, item in enumerate(value):
            with at(f"[{index}]"):
                built.append(import_object(self.cls, item, context))
        return built

    def check(self, value: Any, name: str) -> Any:
        values = as_tuple(name, value)
        for index, item in enumerate(values):
            if not isinstance(item, self.cls):
                raise ConfigurationError(
                    f"{name}[{index}]", item, f"must be {_article(self.cls.__name__)}"
                )
        return values

    def render(self, value: Any) -> Any:
        return [render(item) for item in value]

    def to_json(self, value: Any) -> Any:
        return [to_json(item) for item in value]


# --------------------------------------------------------------------------- entries


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One field: its names in ECS JSON, Python and CloudFormation, its kind, its doc."""

    json: str | None
    """ECS JSON name (dotted below a nested object: ``capabilities.add``); None: Python only."""
    kind: Kind
    doc: str
    cfn: str | None
    """CloudFormation property (dotted below a nested property); None: not in the template."""
    l2: bool = False
    """Rendered by aws-cdk-lib's L2 constructs (``bind.py``), not as a property override."""
    required: bool | str = False
    """Required in JSON; a string says why."""
    name: str = ""
    """The field in error messages: the JSON name unless given."""
    tokens: bool = False
    """A CDK token skips the literal checks (it is resolved at deploy)."""
    import_hook: Callable[[Any, ImportContext], Any] | None = None
    """Imports the JSON value in place of the kind (an ECS idiom of this one field)."""
    value_of: Callable[[Any], Any] | None = None
    """The value of a JSON-only entry, from the object, for the template."""
    attr: str | None = None
    """The Python attribute (set by ``model``); None for a JSON-only entry."""
    default: Any = None
    """The Python default (``dataclasses.MISSING``: required)."""


def entry(
    json: str | None,
    kind: Kind,
    *,
    doc: str,
    default: Any = dataclasses.MISSING,
    cfn: str | None = _DERIVED,
    l2: bool = False,
    required: bool | str | None = None,
    name: str | None = None,
    tokens: bool = False,
    from_json: Callable[[Any, ImportContext], Any] | None = None,
) -> Any:
    """A field of a ``@model`` class (a dataclass field holding its table entry).

    ``cfn`` defaults to the JSON name with each part capitalised (``StopTimeout``);
    ``required`` (in JSON) defaults to "the attribute has no default" (never for a dotted name).
    """
    if required is None:
        required = default is dataclasses.MISSING and json is not None and "." not in json
    spec = Entry(
        json=json,
        kind=kind,
        doc=doc,
        cfn=(cfn_name(json) if json else None) if cfn is _DERIVED else cfn,
        l2=l2,
        required=required,
        name=name or json or "",
        tokens=tokens,
        import_hook=from_json,
        default=default,
    )
    return dataclasses.field(default=default, metadata={_TABLE: spec})


def json_only(
    json: str,
    kind: Kind,
    *,
    doc: str,
    cfn: str | None = _DERIVED,
    l2: bool = False,
    from_json: Callable[[Any, ImportContext], Any] | None = None,
    value_of: Callable[[Any], Any] | None = None,
) -> Entry:
    """A JSON field with no Python attribute: checked and imported by ``from_json`` (for its
    effect: a check, a note), rendered from ``value_of(obj)`` unless the L2 renders it."""
    return Entry(
        json=json,
        kind=kind,
        doc=doc,
        cfn=cfn_name(json) if cfn is _DERIVED else cfn,
        l2=l2,
        name=json,
        import_hook=from_json,
        value_of=value_of,
    )


@dataclass(frozen=True)
class _Group(Kind):
    """The JSON object holding the dotted entries of one prefix (``capabilities``)."""

    shape: JsonShape

    def check_json(self, value: Any, path: str) -> Any:
        return check_shape(value, self.shape, path)


# --------------------------------------------------------------------------- models


@dataclass(frozen=True, kw_only=True)
class Table:
    """The entries of one model, and what is derived from them once."""

    name: str
    entries: tuple[Entry, ...]
    shape: JsonShape

    @functools.cached_property
    def fields(self) -> tuple[Entry, ...]:
        """The entries with a Python attribute, in order."""
        return tuple(e for e in self.entries if e.attr is not None)

    @functools.cached_property
    def import_order(self) -> tuple[tuple[Entry, str, str], ...]:
        """JSON entries (with the parts of their JSON name): plain values, then JSON-only
        ones, then nested objects, so the outer problem shows first."""
        from_json = [e for e in self.entries if e.json is not None]
        ordered = (
            *(e for e in from_json if e.attr is not None and not e.kind.nested),
            *(e for e in from_json if e.attr is None),
            *(e for e in from_json if e.attr is not None and e.kind.nested),
        )
        return tuple((e, *_parts(e.json or "")) for e in ordered)

    @functools.cached_property
    def rendered(self) -> tuple[Entry, ...]:
        """The entries rendered as CloudFormation by ``render`` (the rest: L2 or nothing)."""
        return tuple(e for e in self.entries if e.cfn is not None and not e.l2)


def _parts(json: str) -> tuple[str, str]:
    head, _, tail = json.partition(".")
    return head, tail


def table_of(cls: type) -> Table:
    """The table of a ``@model`` class."""
    table: Table = getattr(cls, _TABLE)
    return table


def shape_of(cls: type) -> JsonShape:
    """The JSON shape of a ``@model`` class."""
    return table_of(cls).shape


def _shape(
    name: str,
    entries: Sequence[Entry],
    *,
    what: str,
    groups: Mapping[str, str],
    rejected: Mapping[str, str],
    ignored: frozenset[str],
) -> JsonShape:
    keys: dict[str, JsonKey] = {}
    grouped: dict[str, dict[str, JsonKey]] = {}
    for spec in entries:
        if spec.json is None:
            continue
        head, _, tail = spec.json.partition(".")
        if tail:
            grouped.setdefault(head, {}).setdefault(tail, JsonKey(spec.kind, spec.required))
            keys.setdefault(head, JsonKey(Kind()))  # its place; filled below
        else:
            keys.setdefault(head, JsonKey(spec.kind, spec.required))
    for head, members in grouped.items():
        keys[head] = JsonKey(_Group(JsonShape(name=groups[head], keys=MappingProxyType(members))))
    return JsonShape(
        name=name,
        keys=MappingProxyType(keys),
        what=what,
        rejected=MappingProxyType(dict(rejected)),
        ignored=ignored,
    )


def _fields_doc(entries: Sequence[Entry]) -> str:
    lines = ["Fields (Python, ECS JSON, CloudFormation):", ""]
    for spec in entries:
        names = ", ".join(f"``{n}``" for n in (spec.json, spec.cfn) if n)
        python = f"``{spec.attr}``" if spec.attr else "(JSON only)"
        lines.append(f"- {python} ({names}): {spec.doc}" if names else f"- {python}: {spec.doc}")
    return "\n".join(lines)


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(entry,))
def model(
    name: str,
    *,
    what: str = "",
    groups: Mapping[str, str] | None = None,
    rejected: Mapping[str, str] | None = None,
    ignored: frozenset[str] = frozenset(),
    json_fields: Sequence[Entry] = (),
) -> Callable[[type[T]], type[T]]:
    """Make a class a frozen, keyword-only dataclass whose fields are table entries.

    ``name`` is ECS's name of the JSON object (``ContainerDefinition``), ``what`` how messages
    call it; ``groups`` names the nested JSON objects of dotted entries (``{"capabilities":
    "KernelCapabilities"}``); ``rejected`` maps keys ECS has but this library refuses to why;
    ``ignored`` keys are skipped; ``json_fields`` are JSON-only entries (``json_only``). A
    ``_validate(self)`` method, if the class has one, runs after the entries' checks.
    """

    def decorate(cls: type[T]) -> type[T]:
        validate = cls.__dict__.get("_validate")

        def post_init(self: Any) -> None:
            try:
                for spec in table.fields:
                    assert spec.attr is not None
                    value = getattr(self, spec.attr)
                    if value is spec.default:  # valid by construction (None, (), EMPTY_MAP, ...)
                        continue
                    checked = check_value(spec.kind, value, spec.name, tokens=spec.tokens)
                    if checked is not value:
                        object.__setattr__(self, spec.attr, checked)
                if validate is not None:
                    validate(self)
            except ConfigurationError as error:
                if isinstance(error.value, float) and is_token(error.value):
                    # A number token's encoding (-1.888e+289) printed as such means nothing.
                    raise ConfigurationError(error.field, TOKEN, error.allowed) from None
                raise

        cls.__post_init__ = post_init  # type: ignore[attr-defined]
        dataclasses.dataclass(frozen=True, kw_only=True)(cls)
        _check_arguments(cls)
        entries = [
            dataclasses.replace(f.metadata[_TABLE], attr=f.name)
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if _TABLE in f.metadata
        ]
        entries.extend(json_fields)
        table = Table(
            name=name,
            entries=tuple(entries),
            shape=_shape(
                name,
                entries,
                what=what,
                groups=groups or {},
                rejected=rejected or {},
                ignored=ignored,
            ),
        )
        setattr(cls, _TABLE, table)
        cls.__doc__ = f"{inspect.cleandoc(cls.__doc__ or '')}\n\n{_fields_doc(entries)}"
        return cls

    return decorate


def _check_arguments(cls: type) -> None:
    """Wrap the dataclass ``__init__`` of ``cls`` so that a positional argument, a misspelt
    keyword (``memory=`` for ``memory_mib=``, or a JSON name) or a missing required one is a
    ``ConfigurationError`` naming it, not Python's ``TypeError``."""
    init = cls.__dict__["__init__"]
    fields = dataclasses.fields(cls)
    names = tuple(f.name for f in fields)
    required = tuple(f for f in fields if f.default is dataclasses.MISSING)
    by_json = {f.metadata[_TABLE].json: f.name for f in fields if _TABLE in f.metadata}

    @functools.wraps(init)
    def checked_init(self: Any, *args: Any, **kwargs: Any) -> None:
        if args:
            example = ", ".join(f"{f.name}=..." for f in required) or "..."
            raise ConfigurationError(
                f"{cls.__name__}(...)",
                args,
                f"takes keyword arguments only: {cls.__name__}({example})",
            )
        for key, value in kwargs.items():
            if key not in names:
                hint = f" (did you mean {by_json[key]!r}?)" if key in by_json else ""
                hint = hint or closest(key, names) or "; it takes " + ", ".join(names)
                raise ConfigurationError(key, value, f"is not a parameter of {cls.__name__}{hint}")
        for field in required:
            if field.name not in kwargs:
                name = field.metadata[_TABLE].name if _TABLE in field.metadata else field.name
                raise ConfigurationError(
                    name, None, f"is required ({cls.__name__}({field.name}=...))"
                )
        init(self, **kwargs)

    cls.__init__ = checked_init  # type: ignore[misc]


# --------------------------------------------------------------------------- import, render


def import_fields(cls: type, raw: Mapping[str, Any], context: ImportContext) -> dict[str, Any]:
    """The constructor arguments of ``cls`` from JSON that ``check_shape`` passed."""
    kwargs: dict[str, Any] = {}
    for spec, head, tail in table_of(cls).import_order:
        value = raw.get(head)
        if value is not None and tail:
            value = value.get(tail)
        if value is None:
            continue
        try:
            if spec.import_hook is not None:
                imported = spec.import_hook(value, context)
            else:
                imported = spec.kind.from_json(value, context)
        except ConfigurationError as error:
            raise under(head if not tail else f"{head}.{tail}", error) from None
        if spec.attr is not None:
            kwargs[spec.attr] = imported
    return kwargs


def import_object(cls: type[T], raw: Mapping[str, Any], context: ImportContext) -> T:
    """An object of ``cls`` from JSON that ``check_shape`` passed."""
    return cls(**import_fields(cls, raw, context))


def _put(out: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = out
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def render(obj: Any) -> dict[str, Any]:
    """The CloudFormation properties of ``obj`` that its L2 does not render, by their names
    (nested as in the template); absent and empty values are left out."""
    out: dict[str, Any] = {}
    for spec in table_of(type(obj)).rendered:
        assert spec.cfn is not None
        value = spec.value_of(obj) if spec.value_of is not None else getattr(obj, spec.attr or "")
        if value is None:
            continue
        rendered = spec.kind.render(value)
        if isinstance(rendered, list | dict) and not rendered:
            continue
        _put(out, spec.cfn, rendered)
    return out


def to_json(obj: Any) -> dict[str, Any]:
    """``obj`` as ECS JSON (``register-task-definition --cli-input-json``), by the JSON names
    of its table: what ``RegisterTaskDefinition`` carries, to measure it. Absent and empty
    values are left out; entries sharing a JSON name (``portMappings``) are joined."""
    out: dict[str, Any] = {}
    for spec in table_of(type(obj)).entries:
        if spec.json is None:
            continue
        value = spec.value_of(obj) if spec.value_of is not None else None
        if spec.attr is not None:
            value = getattr(obj, spec.attr)
        if value is None or (isinstance(value, tuple | Mapping) and not value):
            continue
        converted = spec.kind.to_json(value)
        head, _, tail = spec.json.partition(".")
        target = out.setdefault(head, {}) if tail else out
        key = tail or head
        if isinstance(converted, list) and isinstance(target.get(key), list):
            target[key] = [*target[key], *converted]
        else:
            target[key] = converted
    return out
