"""Small helpers shared by the spec, the importer and the binder: error paths and checks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from constructs_ecs.errors import ConfigurationError

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
NAME_RULE = "1-255 letters, digits, hyphens and underscores"


def join_path(prefix: str, field: str) -> str:
    """``prefix`` + ``field`` as a JSON path: ``a.b``, or ``a[0]`` for an index."""
    if not prefix:
        return field
    if not field:
        return prefix
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"


@contextmanager
def at(prefix: str) -> Iterator[None]:
    """Re-raise a ``ConfigurationError`` from inside with its field placed under ``prefix``."""
    try:
        yield
    except ConfigurationError as error:
        raise ConfigurationError(
            join_path(prefix, error.field), error.value, error.allowed
        ) from None


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_int(
    field: str,
    value: object,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    what: str = "",
) -> int:
    """``value`` as an int within [minimum, maximum], or a ``ConfigurationError``."""
    unit = f" {what}" if what else ""
    if not is_int(value):
        kind = f" ({what})" if what else ""
        raise ConfigurationError(field, value, f"must be an integer{kind}")
    assert isinstance(value, int)
    if minimum is not None and maximum is not None and not minimum <= value <= maximum:
        raise ConfigurationError(field, value, f"must be between {minimum} and {maximum}{unit}")
    if minimum is not None and value < minimum:
        raise ConfigurationError(field, value, f"must be at least {minimum}{unit}")
    return value


def check_optional_int(
    field: str,
    value: object,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    what: str = "",
) -> None:
    if value is not None:
        check_int(field, value, minimum=minimum, maximum=maximum, what=what)


def check_str(field: str, value: object, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(field, value, "must be a string")
    if not allow_empty and not value:
        raise ConfigurationError(field, value, "must not be empty")
    return value


def check_optional_str(field: str, value: object, *, allow_empty: bool = False) -> None:
    if value is not None:
        check_str(field, value, allow_empty=allow_empty)


def check_bool(field: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise ConfigurationError(field, value, "must be true or false")


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


def check_name(field: str, value: object) -> str:
    if not isinstance(value, str) or not NAME_PATTERN.match(value):
        raise ConfigurationError(field, value, f"must be {NAME_RULE}")
    return value


def check_str_list(field: str, values: Sequence[Any], *, allow_empty_items: bool = False) -> None:
    for index, item in enumerate(values):
        check_str(f"{field}[{index}]", item, allow_empty=allow_empty_items)


def check_str_map(field: str, values: Mapping[Any, Any], *, what: str = "value") -> None:
    for key, item in values.items():
        if not isinstance(key, str) or not key:
            raise ConfigurationError(field, key, "keys must be non-empty strings")
        if not isinstance(item, str):
            raise ConfigurationError(
                f"{field}.{key}", item, f"must be a string (ECS accepts only string {what}s)"
            )
