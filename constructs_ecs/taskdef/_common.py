"""Small helpers below everything else in the package: error paths, checks, read-only values.

Nothing here knows a task-definition field; ``_table`` builds on it.
"""

from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, SupportsIndex, TypeVar

import aws_cdk as cdk

from constructs_ecs._errors import ConfigurationError

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
NAME_RULE = "1-255 letters, digits, hyphens and underscores"
#: ECS API integers are 32-bit: every integer field of a task definition has type ``Integer``
#: (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html,
#: a Smithy ``integer``: https://smithy.io/2.0/spec/simple-types.html#integer). A larger value
#: passes synth and fails the deploy.
ECS_INTEGER_MAX = 2**31 - 1
ECS_INTEGER_MIN = -(2**31)

K = TypeVar("K")
V = TypeVar("V")


def join_path(prefix: str, field: str) -> str:
    """``prefix`` + ``field`` as a JSON path: ``a.b``, or ``a[0]`` for an index."""
    if not prefix:
        return field
    if not field:
        return prefix
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"


def under(prefix: str, error: ConfigurationError) -> ConfigurationError:
    """``error`` with its field placed under ``prefix``."""
    return ConfigurationError(join_path(prefix, error.field), error.value, error.allowed)


@contextmanager
def at(prefix: str) -> Iterator[None]:
    """Re-raise a ``ConfigurationError`` from inside with its field placed under ``prefix``."""
    try:
        yield
    except ConfigurationError as error:
        raise under(prefix, error) from None


# --------------------------------------------------------------------------- read-only values


class FrozenMap(Mapping[K, V]):
    """A read-only, hashable mapping that keeps its insertion order (``spec.tags``,
    ``container.environment``, ...): ``m["k"] = v`` raises ``TypeError``, and it compares
    equal to a ``dict`` with the same items."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._items: dict[K, V] = dict(items)

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __repr__(self) -> str:
        return repr(self._items)


EMPTY_MAP: FrozenMap[Any, Any] = FrozenMap()


def type_name(value: object) -> str:
    """``str``, ``dict``, ``aws_cdk.Duration``: what a message calls the type of ``value``."""
    kind = type(value)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def as_tuple(name: str, value: object) -> tuple[Any, ...]:
    """``value`` (a list, a tuple or another sequence, never a string) as a tuple, or a
    ``ConfigurationError``; a set (no order) and a one-shot iterator are refused too."""
    if isinstance(value, str | bytes | bytearray):
        raise ConfigurationError(
            name, value, f"must be a list, not one {type_name(value)} (write [value])"
        )
    if isinstance(value, Mapping) or not isinstance(value, Sequence):
        raise ConfigurationError(name, value, f"must be a list, not {type_name(value)}")
    return tuple(value)


def as_map(name: str, value: object) -> FrozenMap[Any, Any]:
    """``value`` (any mapping) as a ``FrozenMap``, or a ``ConfigurationError``."""
    if isinstance(value, FrozenMap):
        return value
    if not isinstance(value, Mapping):
        raise ConfigurationError(name, value, f"must be a mapping, not {type_name(value)}")
    return FrozenMap(value)


# --------------------------------------------------------------------------- tokens


class _Token:
    """Stands for a CDK token in an error: its encoding means nothing to a reader."""

    def __repr__(self) -> str:
        return "a CDK token (a value known only at deploy)"


TOKEN = _Token()


def is_token(value: object) -> bool:
    """Whether ``value`` is an unresolved CDK token (``secret.secret_arn``, a number token).

    Only strings holding an encoded token and floats are asked (a jsii round trip); literal
    input costs nothing.
    """
    if isinstance(value, str):
        return "Token[" in value and cdk.Token.is_unresolved(value)
    if isinstance(value, float):
        return cdk.Token.is_unresolved(value)
    return False


# --------------------------------------------------------------------------- checks


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _not_an_integer(value: object) -> str:
    """Why ``value`` is not an integer, with the fix for the usual slips."""
    if isinstance(value, bool):
        return ", not a bool"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return f", not a float (write {int(value)})"
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return f", not a string (write {value.strip()}, without quotes)"
    if isinstance(value, cdk.Duration):
        return ", not a Duration (give whole seconds: duration.to_seconds())"
    if isinstance(value, cdk.Size):
        return ", not a Size (give whole MiB: size.to_mebibytes())"
    return f", not {type_name(value)}"


def as_int(value: object) -> int | None:
    """``value`` as an ``int``: an int, or an integer type of another library (anything with
    ``__index__``, such as numpy's); ``None`` for anything else (bools, floats, strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, SupportsIndex):
        try:
            return operator.index(value)
        except TypeError:  # pragma: no cover - an __index__ that refuses
            return None
    return None


def check_int(
    field: str,
    value: object,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    what: str = "",
) -> int:
    """``value`` as an int within [minimum, maximum] (and the 32-bit range of the ECS API), or
    a ``ConfigurationError`` saying why (a number as a string, a float, a bool, ...)."""
    unit = f" {what}" if what else ""
    number = as_int(value)
    if number is None:
        kind = f" ({what})" if what else ""
        raise ConfigurationError(field, value, f"must be an integer{kind}{_not_an_integer(value)}")
    value = number
    if minimum is not None and maximum is not None and not minimum <= value <= maximum:
        raise ConfigurationError(field, value, f"must be between {minimum} and {maximum}{unit}")
    if minimum is not None and value < minimum:
        raise ConfigurationError(field, value, f"must be at least {minimum}{unit}")
    if maximum is not None and value > maximum:
        raise ConfigurationError(field, value, f"must be at most {maximum}{unit}")
    if not ECS_INTEGER_MIN <= value <= ECS_INTEGER_MAX:
        raise ConfigurationError(
            field,
            value,
            f"must be between {ECS_INTEGER_MIN} and {ECS_INTEGER_MAX}{unit}: ECS stores it "
            "as a 32-bit integer",
        )
    return value


def check_str(field: str, value: object, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        hint = " (decode it: value.decode())" if isinstance(value, bytes | bytearray) else ""
        raise ConfigurationError(field, value, f"must be a string, not {type_name(value)}{hint}")
    if not allow_empty and not value:
        raise ConfigurationError(field, value, "must not be empty")
    return value


def check_bool(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(
            field, value, f"must be true or false (a bool), not {type_name(value)}"
        )
    return value


def check_choice(field: str, value: object, allowed: Iterable[str]) -> str:
    choices = list(allowed)
    if not isinstance(value, str) or value not in choices:
        hint = ""
        if isinstance(value, str):
            lowered = {c.lower(): c for c in choices}
            if value.lower() in lowered:
                hint = f" (did you mean {lowered[value.lower()]!r}?)"
        raise ConfigurationError(field, value, f"must be one of {', '.join(choices)}{hint}")
    return value


def check_ip_address(field: str, value: object) -> str:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        ipaddress.ip_address(value)
    except ValueError:
        raise ConfigurationError(field, value, "must be an IPv4 or IPv6 address") from None
    return value
