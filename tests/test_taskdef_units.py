"""Task-level CPU and memory in the forms ECS accepts ("1 vCPU", "2 GB", digits)."""

from __future__ import annotations

import pytest

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef._units import cpu_units, memory_mib


@pytest.mark.parametrize(
    ("value", "units"),
    [
        (1024, 1024),
        ("1024", 1024),
        (" 256 ", 256),
        ("1 vCPU", 1024),
        ("1vcpu", 1024),
        ("0.25 vCPU", 256),
        (".5 vcpu", 512),
        ("2 vCPUs", 2048),
        ("0.125 vCPU", 128),
        ("192 vCPU", 196608),
    ],
)
def test_cpu_units(value: int | str, units: int) -> None:
    assert cpu_units(value) == units


@pytest.mark.parametrize(
    ("value", "mib"),
    [(2048, 2048), ("2048", 2048), ("2 GB", 2048), ("2GB", 2048), ("0.5 gb", 512), (6, 6)],
)
def test_memory_mib(value: int | str, mib: int) -> None:
    assert memory_mib(value) == mib


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("1 GHz", 'vCPUs ("1 vCPU", "0.5 vcpu")'),
        (True, "CPU units as an integer"),
        (1.5, "CPU units as an integer"),
        ("0.0001 vCPU", "must be a whole number of CPU units"),
        (64, "between 128 and 196608 CPU units (0.125 to 192 vCPUs) for tasks on EC2"),
        ("200 vCPU", "between 128 and 196608"),
    ],
)
def test_fails_when_cpu_is_not_what_ecs_accepts(value: object, allowed: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        cpu_units(value)  # type: ignore[arg-type]
    assert error.value.field == "cpu"
    assert error.value.value == value
    assert allowed in error.value.allowed


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("2 TB", 'GB ("2 GB", "0.5GB")'),
        ("512 MiB", "MiB as an integer or a string of digits"),
        (False, "MiB as an integer"),
        ("0.0001 GB", "must be a whole number of MiB"),
        (4, "at least 6 MiB (Docker's minimum)"),
    ],
)
def test_fails_when_memory_is_not_what_ecs_accepts(value: object, allowed: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        memory_mib(value, field="taskDefinition.memory")  # type: ignore[arg-type]
    assert error.value.field == "taskDefinition.memory"
    assert allowed in error.value.allowed
