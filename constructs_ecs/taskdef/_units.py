"""Task-level CPU and memory as ECS accepts them: ``1024`` or ``"1 vCPU"``; ``2048`` or ``"2 GB"``.

ECS converts the string forms to integers (CPU units, MiB) when it registers a task definition;
this module does the same conversion so sizes can be checked against the containers and the
cluster's instances before deploy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef._common import ECS_INTEGER_MAX
from constructs_ecs.taskdef._kinds import ImportContext, Int

#: CPU units of one vCPU.
CPU_UNITS_PER_VCPU = 1024
#: Task-level CPU range ECS accepts for tasks on EC2: 128 to 196608 CPU units (0.125 to 192
#: vCPUs), https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
#: ("cpu": "If you're using the EC2 launch type ... Supported values are between 128 CPU units
#: (0.125 vCPUs) and 196608 CPU units (192 vCPUs)").
TASK_CPU_MIN = 128
TASK_CPU_MAX = 196_608
#: Task-level memory: ECS converts it to an integer of MiB (same page, "memory"); on EC2 any
#: value of that 32-bit integer is registered (the cluster's instances must still hold it).
TASK_MEMORY_MAX = ECS_INTEGER_MAX
#: The smallest memory limit Docker accepts for a container, in MiB.
MIN_CONTAINER_MEMORY_MIB = 6

_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_VCPU = re.compile(rf"\s*{_NUMBER}\s*vcpus?\s*", re.IGNORECASE | re.ASCII)
_GB = re.compile(rf"\s*{_NUMBER}\s*gb\s*", re.IGNORECASE | re.ASCII)
_DIGITS = re.compile(r"\s*\d+\s*", re.ASCII)

_CPU_FORMS = 'CPU units as an integer or a string of digits (1024), or vCPUs ("1 vCPU", "0.5 vcpu")'
_MEMORY_FORMS = 'MiB as an integer or a string of digits (2048), or GB ("2 GB", "0.5GB")'


def _digits(text: str) -> int:
    """The integer a string of ASCII digits writes; past the 32-bit range, one above it (a
    string of thousands of digits is never converted: Python refuses to)."""
    text = text.strip()
    return int(text) if len(text) <= 12 else ECS_INTEGER_MAX + 1


def _scaled(text: str, factor: int) -> int | None:
    try:
        amount = Decimal(text) * factor
    except InvalidOperation:  # pragma: no cover - the patterns only admit decimals
        return None
    return int(amount) if amount == amount.to_integral_value() else None


def cpu_units(value: int | str, *, field: str = "cpu") -> int:
    """CPU units of a task-level ``cpu``: ``1024``, ``"1024"``, ``"1 vCPU"`` -> 1024.

    Raises ``ConfigurationError`` for other forms, fractions of a CPU unit, and values outside
    what ECS accepts on EC2 (128 to 196608 units, 0.125 to 192 vCPUs).
    """
    units: int | None
    if isinstance(value, bool):
        units = None
    elif isinstance(value, int):
        units = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        units = _digits(value)
    elif isinstance(value, str) and (match := _VCPU.fullmatch(value)):
        units = _scaled(match.group(1), CPU_UNITS_PER_VCPU)
        if units is None:
            raise ConfigurationError(
                field, value, f"must be a whole number of CPU units ({_CPU_FORMS})"
            )
    else:
        units = None
    if units is None:
        raise ConfigurationError(field, value, f"must be {_CPU_FORMS}")
    if not TASK_CPU_MIN <= units <= TASK_CPU_MAX:
        raise ConfigurationError(
            field,
            value,
            f"must be between {TASK_CPU_MIN} and {TASK_CPU_MAX} CPU units "
            "(0.125 to 192 vCPUs) for tasks on EC2",
        )
    return units


def memory_mib(value: int | str, *, field: str = "memory") -> int:
    """MiB of a task-level ``memory``: ``2048``, ``"2048"``, ``"2 GB"`` -> 2048.

    Raises ``ConfigurationError`` for other forms (ECS takes MiB as digits or GB with a unit),
    fractions of a MiB, values below the 6 MiB Docker needs for one container, and values
    above the 32-bit integer ECS stores (2147483647 MiB).
    """
    mib: int | None
    if isinstance(value, bool):
        mib = None
    elif isinstance(value, int):
        mib = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        mib = _digits(value)
    elif isinstance(value, str) and (match := _GB.fullmatch(value)):
        mib = _scaled(match.group(1), 1024)
        if mib is None:
            raise ConfigurationError(
                field, value, f"must be a whole number of MiB ({_MEMORY_FORMS})"
            )
    else:
        mib = None
    if mib is None:
        raise ConfigurationError(field, value, f"must be {_MEMORY_FORMS}")
    if mib < MIN_CONTAINER_MEMORY_MIB:
        raise ConfigurationError(
            field, value, f"must be at least {MIN_CONTAINER_MEMORY_MIB} MiB (Docker's minimum)"
        )
    if mib > TASK_MEMORY_MAX:
        raise ConfigurationError(
            field,
            value,
            f"must be at most {TASK_MEMORY_MAX} MiB: ECS stores task memory as a 32-bit integer "
            "of MiB",
        )
    return mib


@dataclass(frozen=True, kw_only=True)
class TaskSize(Int):
    """The kind of task-level ``cpu`` and ``memory``: an integer in Python; in ECS JSON also a
    string, with a unit (``"1 vCPU"``, ``"2 GB"``) converted as ECS does; in CloudFormation a
    string of digits."""

    convert: Callable[..., int]
    """``cpu_units`` or ``memory_mib``."""

    def check_json(self, value: Any, path: str) -> Any:
        if not (isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))):
            raise ConfigurationError(path, value, "must be a number or a string")
        return value

    def from_json(self, value: Any, context: ImportContext) -> Any:
        return self.convert(value, field="")

    def render(self, value: Any) -> Any:
        return str(value)

    def to_json(self, value: Any) -> Any:
        return str(value)
