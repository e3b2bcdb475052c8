"""Round-trip oracle: is every field of an ECS task-definition JSON in the synthesized template?

Independent of ``constructs_ecs.taskdef`` on purpose: it maps JSON to CloudFormation by the
generic rule (camelCase key -> PascalCase key) plus the few renames CloudFormation makes, and
walks the JSON leaf by leaf. Lists of objects match regardless of order (each JSON item must be
found in some template item); lists of scalars must be equal.

The only exceptions, each with its reason:
- task-level ``cpu``/``memory`` are compared after ECS's unit conversion ("1 vCPU" -> "1024",
  "2 GB" -> "2048"), which the library applies so the template holds what ECS registers;
- ``networkMode: "default"`` becomes "bridge" and non-EC2 ``requiresCompatibilities`` entries are
  dropped, both recorded as notes on the spec (and warnings on the task definition);
- ``runtimePlatform.operatingSystemFamily`` is always LINUX here and is emitted together with
  ``cpuArchitecture`` only;
- DescribeTaskDefinition's read-only fields are not part of a registration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from constructs_ecs.taskdef._units import cpu_units, memory_mib

RENAMES = {
    "efsVolumeConfiguration": "EFSVolumeConfiguration",
    "fileSystemId": "FilesystemId",
    "iam": "IAM",
    "properties": "ProxyConfigurationProperties",
}
#: Objects whose keys are user data (Docker labels, driver options): compared verbatim.
VERBATIM = {"dockerLabels", "options", "driverOpts", "labels"}
READ_ONLY = {
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
}


def cfn_key(key: str) -> str:
    return RENAMES.get(key, key[:1].upper() + key[1:])


def missing_fields(task: Mapping[str, Any], properties: Mapping[str, Any]) -> list[str]:
    """JSON paths of ``task`` whose value is not found in the template ``properties``."""
    missing: list[str] = []
    for key, value in task.items():
        if key in READ_ONLY or value in (None, [], {}):
            continue
        if key == "cpu":
            _expect(missing, key, str(cpu_units(value)), properties.get("Cpu"))
        elif key == "memory":
            _expect(missing, key, str(memory_mib(value)), properties.get("Memory"))
        elif key == "networkMode" and value == "default":
            _expect(missing, key, "bridge", properties.get("NetworkMode"))
        elif key == "requiresCompatibilities":
            _expect(missing, key, ["EC2"], properties.get("RequiresCompatibilities"))
        elif key == "runtimePlatform" and "cpuArchitecture" not in value:
            continue
        else:
            _walk(missing, key, value, properties.get(cfn_key(key)), verbatim=False)
    return missing


def _expect(missing: list[str], path: str, expected: Any, actual: Any) -> None:
    if expected != actual:
        missing.append(f"{path}: expected {expected!r}, template has {actual!r}")


def _walk(missing: list[str], path: str, value: Any, template: Any, *, verbatim: bool) -> None:
    if template is None:
        missing.append(f"{path}: absent from the template")
        return
    if isinstance(value, Mapping):
        if not isinstance(template, Mapping):
            missing.append(f"{path}: template has {template!r}")
            return
        for key, item in value.items():
            if item in (None, [], {}):
                continue
            target = key if verbatim else cfn_key(key)
            _walk(missing, f"{path}.{key}", item, template.get(target), verbatim=key in VERBATIM)
        return
    if isinstance(value, list):
        if not isinstance(template, list):
            missing.append(f"{path}: template has {template!r}")
            return
        if all(not isinstance(item, Mapping | list) for item in value):
            _expect(missing, path, value, template)
            return
        by_name = {c.get("Name"): c for c in template if isinstance(c, Mapping)}
        for index, item in enumerate(value):
            if isinstance(item, Mapping) and "name" in item and item["name"] in by_name:
                # Named items (containers, volumes, variables): walk for a precise path.
                _walk(missing, f"{path}[{index}]", item, by_name[item["name"]], verbatim=False)
            elif not any(_matches(item, candidate) for candidate in template):
                missing.append(f"{path}[{index}]: {item!r} not found in {template!r}")
        return
    _expect(missing, path, value, template)


def _matches(value: Any, template: Any) -> bool:
    found: list[str] = []
    _walk(found, "", value, template, verbatim=False)
    return not found
