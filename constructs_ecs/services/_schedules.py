"""EventBridge Scheduler's schedule expressions, checked the way Scheduler checks them.

``cron(minutes hours day-of-month month day-of-week year)``, ``rate(value unit)`` and
``at(yyyy-mm-ddThh:mm:ss)``, as documented in "Schedule types on EventBridge Scheduler":
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
"""

from __future__ import annotations

import datetime
import re

from constructs_ecs._errors import ConfigurationError

__all__ = ["check_schedule_expression"]

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# name, lowest, highest, names (for month and day of week)
_CRON_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minutes", 0, 59, ()),
    ("hours", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 1, 7, _DAYS),
    ("year", 1970, 2199, ()),
)
_RATE = re.compile(r"(\d+) (minute|minutes|hour|hours|day|days)")
_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def check_schedule_expression(field: str, expression: str) -> None:
    """Raise ``ConfigurationError`` unless ``expression`` is one EventBridge Scheduler takes."""
    match = re.fullmatch(r"(cron|rate|at)\((.*)\)", expression)
    if match is None:
        raise ConfigurationError(
            field,
            expression,
            "a cron(...), rate(...) or at(...) expression, e.g. 'cron(0 2 * * ? *)'",
        )
    kind, body = match.groups()
    if kind == "cron":
        _check_cron(field, expression, body)
    elif kind == "rate":
        rate = _RATE.fullmatch(body)
        if rate is None or int(rate.group(1)) < 1:
            raise ConfigurationError(
                field,
                expression,
                "rate(value unit): a whole number of at least 1 and minute(s), hour(s) or "
                "day(s), e.g. 'rate(5 minutes)'",
            )
    else:
        try:
            valid = bool(_AT.fullmatch(body)) and bool(datetime.datetime.fromisoformat(body))
        except ValueError:
            valid = False
        if not valid:
            raise ConfigurationError(
                field, expression, "at(yyyy-mm-ddThh:mm:ss), e.g. 'at(2027-01-31T09:00:00)'"
            )


def _check_cron(field: str, expression: str, body: str) -> None:
    parts = body.split()
    if len(parts) != len(_CRON_FIELDS):
        raise ConfigurationError(
            field,
            expression,
            "cron with six fields: minutes hours day-of-month month day-of-week year, e.g. "
            f"'cron(0 2 * * ? *)' (got {len(parts)}; Scheduler's cron has a year, unlike Unix)",
        )
    for part, (name, low, high, names) in zip(parts, _CRON_FIELDS, strict=True):
        if not _cron_field_ok(part, name, low, high, names):
            raise ConfigurationError(
                field,
                expression,
                f"a cron {name} field of values from {low} to {high}"
                + (f" (or {names[0]}-{names[-1]})" if names else "")
                + ", ranges (a-b), lists (a,b), increments (a/b), * or the field's special "
                "characters",
            )
    day_of_month, day_of_week = parts[2], parts[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ConfigurationError(
            field,
            expression,
            "'?' in exactly one of day-of-month and day-of-week (Scheduler's cron cannot give "
            "both), e.g. 'cron(0 2 * * ? *)' or 'cron(0 2 ? * MON *)'",
        )


def _cron_field_ok(part: str, name: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    if part == "*":
        return True
    if part == "?":
        return name in ("day-of-month", "day-of-week")
    if name == "day-of-month" and (part in ("L", "LW") or re.fullmatch(r"\d{1,2}W", part)):
        return part in ("L", "LW") or low <= int(part[:-1]) <= high
    if name == "day-of-week":
        special = re.fullmatch(r"(\w+)(L|#([1-5]))", part)
        if special is not None:
            return _value_ok(special.group(1), low, high, names)
    return all(_item_ok(item, low, high, names) for item in part.split(","))


def _item_ok(item: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    base, slash, step = item.partition("/")
    if slash and not (step.isdigit() and int(step) >= 1):
        return False
    if base == "*" and slash:
        return True
    first, dash, last = base.partition("-")
    if dash:
        return _value_ok(first, low, high, names) and _value_ok(last, low, high, names)
    return _value_ok(first, low, high, names)


def _value_ok(value: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    if value.upper() in names:
        return True
    return value.isdigit() and low <= int(value) <= high
