"""Python types at the public boundary: every argument is checked against its annotation when
a construct or option object is defined, and a mismatch is a ``ConfigurationError`` naming the
parameter, the value received and what is expected, never a ``TypeError`` from deep inside
aws-cdk-lib or jsii.

``checked`` wraps a constructor (``__init__``) or a dataclass's ``__post_init__``; the
annotations of the constructor (or of the dataclass's fields) say what is expected. Conversions
that are unambiguous happen first (``convert``): an instance type given as ``"t3.medium"``
becomes ``ec2.InstanceType("t3.medium")``.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import functools
import importlib
import importlib.util
import inspect
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ec2 as ec2

from constructs_ecs._errors import ConfigurationError, closest
from constructs_ecs._jsii import implements

__all__ = ["checked", "expect_int"]

F = TypeVar("F", bound=Callable[..., Any])

_EXAMPLES = {
    "Duration": "a cdk.Duration, e.g. Duration.seconds(30)",
    "RetentionDays": "an aws_logs.RetentionDays, e.g. RetentionDays.ONE_MONTH",
    "InstanceType": "an ec2.InstanceType or its name, e.g. 't3.medium'",
    "IVpc": "an ec2.IVpc, e.g. Network(...).vpc or ec2.Vpc.from_lookup(...)",
    "TaskDefinitionSpec": (
        "a TaskDefinitionSpec, e.g. TaskDefinitionSpec.from_file('task.json') or "
        "TaskDefinitionSpec.from_dict({...})"
    ),
    "ScheduleExpression": "an aws_scheduler.ScheduleExpression, e.g. ScheduleExpression.cron(...)",
    "ServiceCluster": "an EcsCluster or an ExistingCluster (a ServiceCluster)",
    "ServiceLoadBalancer": "a LoadBalancer or an ExistingLoadBalancer (a ServiceLoadBalancer)",
}


def checked(prefix: str = "", *, shallow: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Check the arguments of the decorated ``__init__`` against its annotations.

    ``prefix`` names the parameter group in messages (``"scaling."``). For a dataclass, wrap
    ``__post_init__``: the fields are checked before it runs. The parameters (or fields) named
    in ``shallow`` are checked as a list or mapping only: their items are the constructor's to
    check (say, to keep a credential out of the message).
    """

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        is_post_init = function.__name__ == "__post_init__"
        is_method = next(iter(signature.parameters), None) in ("self", "cls")
        resolved: dict[type, dict[str, Any]] = {}  # the annotations, read on first use

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not is_method:
                hints = resolved.get(type(None))
                if hints is None:
                    hints = resolved[type(None)] = _hints(type(None), function)
                return _call_checked(function, signature, hints, prefix, shallow, args, kwargs)
            self = args[0]
            args = args[1:]
            hints = resolved.get(type(self))
            if hints is None:
                hints = resolved[type(self)] = _hints(type(self), function)
            if is_post_init:
                for field in dataclasses.fields(self):
                    value = getattr(self, field.name)
                    hint = hints.get(field.name)
                    if field.name in shallow:
                        hint = _shallow(hint)
                    converted = _check(f"{prefix}{field.name}", value, hint)
                    if converted is not value:
                        object.__setattr__(self, field.name, converted)
                return function(self, *args, **kwargs)
            try:
                bound = signature.bind(self, *args, **kwargs)
            except TypeError as error:
                raise _unexpected(type(self).__name__, signature, kwargs, error) from None
            for name, value in list(bound.arguments.items())[1:]:
                parameter = signature.parameters[name]
                if parameter.kind is parameter.VAR_KEYWORD:
                    continue
                hint = hints.get(name)
                if name in shallow:
                    hint = _shallow(hint)
                bound.arguments[name] = _check(f"{prefix}{name}", value, hint)
                if name == "construct_id" and cdk.Token.is_unresolved(value):
                    raise ConfigurationError(
                        name,
                        value,
                        "a literal string: construct paths and logical ids are built "
                        "from it when the app is defined, before any token resolves",
                    )
            _refuse_taken_id(bound.arguments)
            return function(*bound.args, **bound.kwargs)

        return typing.cast(F, wrapper)

    return decorate


def _refuse_taken_id(arguments: dict[str, Any]) -> None:
    """Refuse a construct id that a child of the scope already has, before the construct is
    made (constructs' own refusal would come from deep inside jsii, as a ``RuntimeError``)."""
    construct_id, scope = arguments.get("construct_id"), arguments.get("scope")
    if not isinstance(construct_id, str) or scope is None:
        return
    node = scope.node
    if node.try_find_child(construct_id) is None:
        return
    where = repr(node.path) if node.path else "the app"
    raise ConfigurationError(
        "construct_id",
        construct_id,
        f"an id no other construct in {where} has (ids are unique among a scope's children: "
        "they make the construct's path and its logical ids)",
    )


def _call_checked(
    function: Callable[..., Any],
    signature: inspect.Signature,
    hints: dict[str, Any],
    prefix: str,
    shallow: tuple[str, ...],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    """A plain function's call, checked like a constructor's."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as error:
        raise _unexpected(function.__name__, signature, kwargs, error) from None
    for name, value in bound.arguments.items():
        hint = hints.get(name)
        bound.arguments[name] = _check(
            f"{prefix}{name}", value, _shallow(hint) if name in shallow else hint
        )
    return function(*bound.args, **bound.kwargs)


_NUMBER_TOKENS_BELOW = -1e288
"""aws-cdk-lib encodes a number token as a double near -1.888e+289 (``token-map``'s
``DOUBLE_TOKEN_MARKER``): a float above this is a literal."""


def is_token(value: Any) -> bool:
    """``cdk.Token.is_unresolved(value)``, without the round trip to Node.js for values that
    cannot hold a token: ``None``, a bool or an int (number tokens are floats), a float
    outside the range aws-cdk-lib encodes number tokens in."""
    if value is None or isinstance(value, int):
        return False
    if isinstance(value, float) and value > _NUMBER_TOKENS_BELOW:
        return False
    return bool(cdk.Token.is_unresolved(value))


def expect_int(
    field: str,
    value: Any,
    *,
    minimum: int,
    maximum: int | None = None,
    why: str = "",
    literal: bool = False,
) -> None:
    """``value`` within ``minimum``..``maximum``. A CDK number token is left to deploy time,
    unless ``literal`` (aws-cdk-lib itself compares the value when the construct is defined)."""
    if is_token(value):
        if literal:
            raise ConfigurationError(
                field, value, f"a literal integer: aws-cdk-lib checks it when defined{why}"
            )
        return
    low = value < minimum
    high = maximum is not None and value > maximum
    if low or high:
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
        raise ConfigurationError(field, value, f"an integer {bounds}{why}")


# ---------------------------------------------------------------------------- internals


def _hints(cls: type, function: Callable[..., Any]) -> dict[str, Any]:
    """The annotations of ``function`` (or of the dataclass ``cls``), with the names its module
    imports only for type checking (to keep imports cheap and acyclic) resolved too: each of
    the module's own ``if TYPE_CHECKING:`` imports is imported here, when an annotation names
    it."""
    target: Any = cls if function.__name__ == "__post_init__" else function
    module = inspect.getmodule(target)
    namespace: dict[str, Any] = dict(vars(module)) if module else {}
    local = _TypeCheckingNames(_type_checking_imports(module) if module else {})
    return typing.get_type_hints(target, globalns=namespace, localns=local)


_TYPE_CHECKING_BLOCK = re.compile(
    r"^if (?:typing\.)?TYPE_CHECKING:[^\n]*\n(?:[ \t]+[^\n]*\n|[ \t]*\n)*", re.MULTILINE
)
"""A module's top-level ``if TYPE_CHECKING:`` block: its line and the indented lines after."""


@dataclasses.dataclass(frozen=True)
class _Import:
    """One name a type-checking import binds: ``import_module(module)``, then the attribute
    ``attribute`` of it (a ``from`` import), or the top-level package ``top`` (a plain
    ``import a.b``, which binds ``a``)."""

    module: str
    attribute: str | None = None
    top: str | None = None

    def load(self) -> Any:
        imported = importlib.import_module(self.module)
        if self.attribute is None:
            return importlib.import_module(self.top) if self.top else imported
        try:
            return getattr(imported, self.attribute)
        except AttributeError:  # ``from package import submodule``, not yet imported
            return importlib.import_module(f"{self.module}.{self.attribute}")


def _type_checking_imports(module: types.ModuleType) -> dict[str, _Import]:
    """``{name: how to import it}`` for what ``module`` imports under ``if TYPE_CHECKING:``
    (only those blocks are parsed: the first call of each decorated function reads them, and
    its hints are then kept on it). A relative import resolves against the module's package."""
    imports: dict[str, _Import] = {}
    blocks = _TYPE_CHECKING_BLOCK.findall(inspect.getsource(module))
    for node in ast.parse("".join(blocks)).body:
        for statement in node.body if isinstance(node, ast.If) else ():
            if isinstance(statement, ast.ImportFrom):
                source = importlib.util.resolve_name(
                    "." * statement.level + (statement.module or ""), module.__package__
                )
                for alias in statement.names:
                    imports[alias.asname or alias.name] = _Import(source, alias.name)
            elif isinstance(statement, ast.Import):
                for alias in statement.names:
                    top = None if alias.asname else alias.name.split(".")[0]
                    imports[alias.asname or top or alias.name] = _Import(alias.name, top=top)
    return imports


class _TypeCheckingNames(dict[str, Any]):
    """The local namespace annotations are evaluated in: a type-checking name is imported the
    first time an annotation uses it (``aws_lambda``, say, costs 0.3 s to import)."""

    def __init__(self, imports: dict[str, _Import]) -> None:
        super().__init__()
        self._imports = imports

    def __missing__(self, name: str) -> Any:
        found = self._imports.get(name)
        if found is None:
            raise KeyError(name)
        value = self[name] = found.load()
        return value


def _unexpected(
    owner: str, signature: inspect.Signature, kwargs: Mapping[str, Any], error: TypeError
) -> ConfigurationError:
    known = [name for name in signature.parameters if name != "self"]
    for name in kwargs:
        if name not in signature.parameters:
            return ConfigurationError(
                name,
                kwargs[name],
                f"is not a parameter of {owner}{closest(name, known)}; its parameters are "
                f"{', '.join(known)}",
            )
    return ConfigurationError(owner, "the arguments", f"{error}; parameters: {', '.join(known)}")


def _check(field: str, value: Any, hint: Any) -> Any:
    """``value`` if it matches ``hint`` (converted where that is unambiguous), else raise,
    naming the item or key of a list or mapping that does not match."""
    if hint is None or hint is Any:
        return value
    converted = _convert(value, hint)
    if _matches(converted, hint):
        if isinstance(converted, cdk.Duration) and converted.is_unresolved():
            raise ConfigurationError(
                field,
                converted.to_string(),
                "a literal cdk.Duration: the library converts and checks it when the construct "
                "is defined, before a token resolves",
            )
        return converted
    container = _container(hint)
    if container is not None and _matches(value, _shape_only(container)):
        origin, args = typing.get_origin(container), typing.get_args(container)
        if origin in (Mapping, dict):
            for key, item in value.items():
                if not _matches(key, args[0]):
                    raise ConfigurationError(field, key, f"keys: {_describe(args[0])}")
                if not _matches(item, args[1]):
                    raise ConfigurationError(f"{field}[{key!r}]", item, _describe(args[1]))
        else:
            for index, item in enumerate(value):
                if not _matches(item, args[0]):
                    raise ConfigurationError(f"{field}[{index}]", item, _describe(args[0]))
    raise ConfigurationError(field, value, f"expected {_describe(hint)}")


def _shallow(hint: Any) -> Any:
    """``hint`` with the item types of its lists and mappings left out."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return typing.Union[tuple(_shallow(arg) for arg in args)]  # noqa: UP007
    container = _container(hint)
    return _shape_only(container) if container is not None else hint


def _container(hint: Any) -> Any:
    """The list or mapping type in ``hint`` (``Sequence[str] | None`` -> ``Sequence[str]``)."""
    candidates = [hint, *typing.get_args(hint)]
    for candidate in candidates:
        if typing.get_origin(candidate) in (Sequence, list, tuple, Mapping, dict):
            return candidate
    return None


def _shape_only(container: Any) -> Any:
    """The container without item types: a list whose items are wrong is still a list."""
    return Mapping if typing.get_origin(container) in (Mapping, dict) else Sequence


def _convert(value: Any, hint: Any) -> Any:
    if isinstance(value, str) and _accepts(hint, ec2.InstanceType):
        return ec2.InstanceType(value) if _looks_like_instance_type(value) else value
    return value


_INSTANCE_TYPE = re.compile(
    r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*\."
    r"(?:nano|micro|small|medium|large|xlarge|[1-9][0-9]*xlarge|metal(?:-[1-9][0-9]*xl)?)"
)
"""An EC2 instance type's name: a family (``m7g``, ``u-6tb1``, ``m7i-flex``) and one of the
sizes EC2 names (``large``, ``24xlarge``, ``metal``, ``metal-48xl``)."""


def _looks_like_instance_type(name: str) -> bool:
    return _INSTANCE_TYPE.fullmatch(name) is not None


def _accepts(hint: Any, cls: type) -> bool:
    return hint is cls or any(arg is cls for arg in typing.get_args(hint))


def _matches(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is type(None) or hint is None:
        return value is None
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if origin is typing.Literal:
        return value in args
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        if isinstance(value, float) and cdk.Token.is_unresolved(value):
            return True  # a number token
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint is Sequence:
        return isinstance(value, Sequence) and not isinstance(value, str | bytes)
    if hint is Mapping:
        return isinstance(value, Mapping)
    if origin in (Sequence, list, tuple) or origin is typing.Sequence:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            return False
        item = args[0] if args else Any
        return item is Any or all(_matches(v, item) for v in value)
    if origin in (Mapping, dict) or origin is typing.Mapping:
        if not isinstance(value, Mapping):
            return False
        key, item = args if args else (Any, Any)
        return all(
            (key is Any or _matches(k, key)) and (item is Any or _matches(v, item))
            for k, v in value.items()
        )
    if isinstance(hint, type):
        if _is_role(hint):
            return _plays(value, hint)
        if issubclass(hint, enum.Enum) or not _is_jsii_interface(hint):
            return isinstance(value, hint)
        return _implements(value, hint)
    return True  # a form this checker does not know: aws-cdk-lib checks it


def _is_role(cls: type) -> bool:
    """One of this library's roles (``ServiceCluster``): a ``typing.Protocol`` of its own."""
    return getattr(cls, "_is_protocol", False) and cls.__module__.startswith("constructs_ecs.")


def _role_members(role: type) -> tuple[str, ...]:
    """The public members a role declares (its properties and methods); read each time, as
    no module-level cache is filled by defining an app (tests/test_no_module_state.py)."""
    return tuple(name for name in vars(role) if not name.startswith("_"))


def _plays(value: Any, role: type) -> bool:
    """``value`` has every member of ``role``, found without calling any (a property of a
    jsii object is a round trip to Node.js)."""
    return all(
        inspect.getattr_static(value, name, _ABSENT) is not _ABSENT for name in _role_members(role)
    )


_ABSENT = object()


def _is_jsii_interface(cls: type) -> bool:
    """A jsii interface (``ec2.IVpc``), told by jsii's public API, not by its name: jsii has a
    proxy class for it (``jsii.proxy_for``) and it is no jsii class (those, abstract ones
    included, are made by ``jsii.JSIIMeta``)."""
    if isinstance(cls, jsii.JSIIMeta):
        return False
    try:
        jsii.proxy_for(cls)
    except TypeError:  # jsii's answer for a type it has no proxy of
        return False
    return True


def _implements(value: Any, interface: type) -> bool:
    """A jsii interface (``ec2.IVpc``): the object's class (or, for an imported resource, a
    class it delegates to) implements it."""
    return implements(value, interface)


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        parts = [_describe(arg) for arg in args if arg is not type(None)]
        optional = " (or None for the default)" if type(None) in args else ""
        return " or ".join(parts) + optional
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if hint is int:
        return "an integer (not a string, a float or a bool)"
    if hint is bool:
        return "True or False"
    if hint is float:
        return "a number"
    if hint is str:
        return "a string"
    if origin in (Sequence, list, tuple) or origin is typing.Sequence:
        item = _describe(args[0]) if args else "items"
        return f"a list (not a single value) of {item.removeprefix('a ').removeprefix('an ')}s"
    if origin in (Mapping, dict) or origin is typing.Mapping:
        return "a mapping (dict) of strings to strings"
    name = getattr(hint, "__name__", str(hint))
    if name in _EXAMPLES:
        return _EXAMPLES[name]
    module = getattr(hint, "__module__", "")
    if module.startswith("aws_cdk."):
        return f"an {module.removeprefix('aws_cdk.')}.{name}"
    return f"a {name}"
