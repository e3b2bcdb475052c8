"""The field table drives the task-definition package; these tests are generated from it.

- Every CloudFormation name in the table exists in the CloudFormation registry schema of
  ``AWS::ECS::TaskDefinition`` (shipped with cfn-lint) with the type the renderer writes; every
  property of that schema is in the table or listed here as not supported, with why.
- The table and the round-trip oracle (``tests/roundtrip.py``, independent of the package) turn
  JSON names into CloudFormation names alike.
- Every JSON field of the table is used by a round-trip fixture, so a new entry is round-tripped
  as soon as a fixture uses it, and fails here until one does.
- In Python, every field given a value of the wrong type, or ``None`` where one is needed, fails
  with a ``ConfigurationError`` naming it.
- Validated specs are immutable all the way down.
- A CDK token passes where an entry allows it (role ARNs), and is refused elsewhere with a
  message that does not print its encoding.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Template
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef import ContainerSpec, HealthCheck, TaskDefinitionSpec
from constructs_ecs.taskdef._common import FrozenMap
from constructs_ecs.taskdef._table import (
    Bool,
    Entry,
    Int,
    Kind,
    ListOf,
    Obj,
    Objs,
    StrMap,
    TypedValues,
    table_of,
)
from constructs_ecs.testing import assert_cfn_lint_clean, template_of
from tests.conftest import make_stack
from tests.roundtrip import cfn_key, missing_fields

DATA = Path(__file__).parent / "data"
#: Documents whose every field is checked in the template (kitchen-sink.json also by
#: test_taskdef_bind.py); together they use every field of the table.
ROUND_TRIPPED = ("kitchen-sink.json", "awsvpc.json")
#: Fields no round trip can hold, and why.
NOT_ROUND_TRIPPED = {
    "volumes[].configuredAtLaunch": "refused when bound: the services define no EBS volume "
    "configuration for it (test_taskdef_bind.py)",
}
#: Properties of AWS::ECS::TaskDefinition that the table does not hold, and why.
NOT_IN_TABLE = {
    "TaskDefinitionArn": "read-only",
    "EphemeralStorage": "Fargate only: refused with the reason",
    "InferenceAccelerators": "Elastic Inference is retired: refused with the reason",
    "Volumes[].FSxWindowsFileServerVolumeConfiguration": "Windows containers only: refused",
    "Volumes[].S3FilesVolumeConfiguration": "not supported yet (an unknown key in the JSON)",
    "ContainerDefinitions[].ResourceRequirements[].SharingStrategy": "NVIDIA MPS GPU sharing: "
    "not supported yet (an unknown key in the JSON)",
}


# --------------------------------------------------------------------------- walking the table


def _entries(cls: type = TaskDefinitionSpec, prefix: str = "") -> Iterator[tuple[str, Entry]]:
    """Every entry under ``cls``, with its JSON path (``containerDefinitions[].user``)."""
    for entry in table_of(cls).entries:
        if entry.json is None:
            continue
        path = f"{prefix}{entry.json}"
        yield path, entry
        if isinstance(entry.kind, Obj):
            yield from _entries(entry.kind.cls, f"{path}.")
        elif isinstance(entry.kind, Objs):
            yield from _entries(entry.kind.cls, f"{path}[].")


def _instances(value: Any) -> Iterator[Any]:
    """Every model object in ``value`` (a spec), the spec included."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield value
        for field in dataclasses.fields(value):
            yield from _instances(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _instances(item)


@cache
def _specs() -> tuple[TaskDefinitionSpec, ...]:
    return tuple(TaskDefinitionSpec.from_file(DATA / name) for name in ROUND_TRIPPED)


def _one_of_each_model() -> dict[type, Any]:
    found: dict[type, Any] = {}
    for spec in _specs():
        for instance in _instances(spec):
            found.setdefault(type(instance), instance)
    return found


# --------------------------------------------------------------------------- CloudFormation


@cache
def _schema() -> dict[str, Any]:
    resource = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::ECS::TaskDefinition")
    schema: dict[str, Any] = resource.schema
    return schema


def _resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        node = _schema()["definitions"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _property(node: Mapping[str, Any], path: str) -> Mapping[str, Any] | None:
    for part in path.split("."):
        found = _resolve(node).get("properties", {}).get(part)
        if found is None:
            return None
        node = found
    return _resolve(node)


def _rendered_type(kind: Kind) -> str:
    """The JSON type the renderer writes for ``kind``."""
    if isinstance(kind, Obj):
        return "object"
    if isinstance(kind, Objs):
        return "array"
    samples: list[tuple[type, Any]] = [
        (Bool, True),
        (Int, 1),
        (StrMap, FrozenMap({"k": "v"})),
        (ListOf, ()),
        (TypedValues, ()),
        (Kind, "x"),
    ]
    sample = next(value for cls, value in samples if isinstance(kind, cls))
    rendered = kind.render(sample)
    names = {bool: "boolean", int: "integer", str: "string", dict: "object", list: "array"}
    return names[type(rendered)]


def _cloudformation(
    cls: type = TaskDefinitionSpec, node: Mapping[str, Any] | None = None, prefix: str = ""
) -> Iterator[tuple[str, Kind, Mapping[str, Any] | None]]:
    """Every CloudFormation path of the table, its kind, and its node in the schema."""
    node = _schema() if node is None else node
    for entry in table_of(cls).entries:
        if entry.cfn is None:
            continue
        path = f"{prefix}{entry.cfn}"
        target = _property(node, entry.cfn)
        yield path, entry.kind, target
        if target is None:
            continue
        if isinstance(entry.kind, Obj):
            yield from _cloudformation(entry.kind.cls, target, f"{path}.")
        elif isinstance(entry.kind, Objs):
            yield from _cloudformation(entry.kind.cls, _resolve(target["items"]), f"{path}[].")


def _item_keys(kind: Kind) -> set[str]:
    """The keys of the objects a kind renders as a list (``Name``/``Value``, ``Type``/...);
    none for lists of models (walked as models) and of plain values."""
    if isinstance(kind, Obj | Objs | ListOf):
        return set()
    sample: Any = FrozenMap({"k": "v"}) if isinstance(kind, StrMap) else ("x",)
    if isinstance(kind, Int):
        sample = 1
    rendered = kind.render(sample)
    return set(rendered[0]) if isinstance(rendered, list) and rendered else set()


def test_every_cloudformation_name_is_in_the_registry_schema_with_its_type() -> None:
    checked = 0
    for path, kind, node in _cloudformation():
        assert node is not None, f"{path} is not a property of AWS::ECS::TaskDefinition"
        expected = node.get("type", "object" if "properties" in node else None)
        assert _rendered_type(kind) == expected, path
        if _item_keys(kind):
            items = _resolve(node["items"]).get("properties", {})
            assert _item_keys(kind) <= set(items), path
        checked += 1
    assert checked > 100


def _schema_paths(node: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    node = _resolve(node)
    if node.get("type") == "array" and "items" in node:
        yield from _schema_paths(node["items"], f"{prefix}[]")
        return
    for name, child in node.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        yield path
        yield from _schema_paths(child, path)


def test_every_property_of_the_schema_is_in_the_table_or_said_why_not() -> None:
    covered = set()
    for path, kind, _ in _cloudformation():
        parts = path.split(".")
        covered.update(".".join(parts[: i + 1]) for i in range(len(parts)))
        covered.update(f"{path}[].{key}" for key in _item_keys(kind))
    uncovered = {
        path
        for path in _schema_paths(_schema())
        if path not in covered
        and not any(path.startswith((f"{skip}.", f"{skip}[]")) for skip in NOT_IN_TABLE)
    }
    assert uncovered == set(NOT_IN_TABLE)


def test_the_table_names_fields_as_the_round_trip_oracle_does() -> None:
    for path, entry in _entries():
        if entry.cfn is None:
            continue
        expected = ".".join(cfn_key(part) for part in entry.json.split("."))  # type: ignore[union-attr]
        assert entry.cfn == expected, path


# --------------------------------------------------------------------------- round trip


def _json_paths(value: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path
            if key not in ("options", "dockerLabels", "driverOpts", "labels"):
                yield from _json_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            yield from _json_paths(item, f"{prefix}[]")


def test_every_field_of_the_table_is_in_a_round_trip_fixture() -> None:
    used: set[str] = set()
    for name in ROUND_TRIPPED:
        used.update(_json_paths(json.loads((DATA / name).read_text(encoding="utf-8"))))
    table = {path for path, _ in _entries()}
    assert table - used == set(NOT_ROUND_TRIPPED)


def test_awsvpc_fixture_round_trips_every_field() -> None:
    """kitchen-sink.json is round-tripped in test_taskdef_bind.py; this is its awsvpc twin."""
    document = json.loads((DATA / "awsvpc.json").read_text(encoding="utf-8"))
    stack = make_stack("Awsvpc")
    log_group = logs.LogGroup(stack, "Logs", removal_policy=cdk.RemovalPolicy.RETAIN)
    bound = TaskDefinitionSpec.from_dict(document).bind(stack, "Task", log_group=log_group)
    template = template_of(stack)
    cfn = bound.task_definition.node.default_child
    assert isinstance(cfn, cdk.CfnResource)
    properties = template["Resources"][stack.resolve(cfn.logical_id)]["Properties"]
    assert missing_fields(document, properties) == []
    assert properties["ProxyConfiguration"]["ContainerName"] == "envoy"
    assert "MemoryReservation" not in properties["ContainerDefinitions"][0]
    assert_cfn_lint_clean(template)


# --------------------------------------------------------------------------- Python values


def _wrong_type(kind: Kind) -> Any:
    """A value of the wrong type for ``kind``: a number where a string goes, and the reverse."""
    if isinstance(kind, Int):
        return "1"
    if isinstance(kind, Bool):
        return "true"
    if isinstance(kind, StrMap):
        return [("k", "v")]
    if isinstance(kind, ListOf | Objs | TypedValues):
        return "x"
    return 1


def _python_cases() -> Iterator[Any]:
    for cls, instance in sorted(_one_of_each_model().items(), key=lambda i: i[0].__name__):
        for entry in table_of(cls).fields:
            yield pytest.param(instance, entry, id=f"{cls.__name__}.{entry.attr}")


@pytest.mark.parametrize(("instance", "entry"), list(_python_cases()))
def test_fails_when_a_python_field_has_the_wrong_type_or_none(instance: Any, entry: Entry) -> None:
    assert entry.attr is not None
    bad = [_wrong_type(entry.kind)]
    if entry.default is not None:
        bad.append(None)  # None is not "omitted" for this field
    for value in bad:
        with pytest.raises(ConfigurationError) as error:
            dataclasses.replace(instance, **{entry.attr: value})
        assert error.value.field.startswith(entry.name), (value, str(error.value))


def test_one_instance_of_every_model_is_exercised() -> None:
    assert {cls.__name__ for cls in _one_of_each_model()} == {
        "ContainerDependency",
        "ContainerSpec",
        "Device",
        "DockerVolumeConfiguration",
        "EfsVolumeConfiguration",
        "FirelensConfiguration",
        "HealthCheck",
        "HostEntry",
        "LinuxParameters",
        "LogConfiguration",
        "MountPoint",
        "PortMapping",
        "PortRange",
        "ProxyConfiguration",
        "RestartPolicy",
        "TaskDefinitionSpec",
        "Tmpfs",
        "Ulimit",
        "Volume",
        "VolumeFrom",
    }


# --------------------------------------------------------------------------- immutability


def test_validated_specs_are_immutable_all_the_way_down() -> None:
    for spec in _specs():
        for instance in _instances(spec):
            for entry in table_of(type(instance)).fields:
                assert entry.attr is not None
                value = getattr(instance, entry.attr)
                if isinstance(entry.kind, StrMap):
                    assert isinstance(value, FrozenMap), entry.attr
                    with pytest.raises(TypeError):
                        value["X"] = "y"
                elif isinstance(entry.kind, ListOf | Objs | TypedValues):
                    assert isinstance(value, tuple), entry.attr
            with pytest.raises(dataclasses.FrozenInstanceError):
                instance.__setattr__(table_of(type(instance)).fields[0].attr, None)


def test_a_container_environment_cannot_be_changed_after_validation() -> None:
    environment = {"MODE": "a"}
    spec = TaskDefinitionSpec(
        containers=[
            ContainerSpec(name="web", image="nginx", memory_mib=64, environment=environment)
        ]
    )
    with pytest.raises(TypeError):
        spec.containers[0].environment["X"] = "y"  # type: ignore[index]
    environment["MODE"] = "b"  # the caller's dict is copied, not kept
    assert spec.containers[0].environment == {"MODE": "a"}


def test_specs_are_values_equal_and_hashable() -> None:
    first, second = (TaskDefinitionSpec.from_file(DATA / "kitchen-sink.json") for _ in range(2))
    assert first == second
    assert hash(first) == hash(second)
    assert repr(first.tags) == "{'team': 'platform'}"


# --------------------------------------------------------------------------- docs


def test_every_model_documents_its_fields_from_the_table() -> None:
    doc = ContainerSpec.__doc__ or ""
    assert "- ``stop_timeout_seconds`` (``stopTimeout``, ``StopTimeout``): Grace between" in doc
    assert "- ``command`` (``command``, ``Command``): Exec form" in (HealthCheck.__doc__ or "")
    for cls in _one_of_each_model():
        assert all(entry.doc for entry in table_of(cls).entries), cls


# --------------------------------------------------------------------------- tokens


def _web() -> ContainerSpec:
    return ContainerSpec(name="web", image="nginx", memory_mib=64)


def test_a_token_role_arn_is_used_as_given() -> None:
    stack = make_stack("TokenRole", nag=False)
    role = iam.Role(stack, "AppRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    spec = TaskDefinitionSpec(containers=[_web()], task_role_arn=role.role_arn)
    log_group = logs.LogGroup(stack, "Logs", removal_policy=cdk.RemovalPolicy.RETAIN)
    bound = spec.bind(stack, "Task", log_group=log_group)
    role_id = stack.get_logical_id(role.node.default_child)  # type: ignore[arg-type]
    Template.from_stack(stack).has_resource_properties(
        "AWS::ECS::TaskDefinition", {"TaskRoleArn": {"Fn::GetAtt": [role_id, "Arn"]}}
    )
    assert bound.task_role.role_arn == role.role_arn


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: TaskDefinitionSpec(containers=[_web()], pid_mode=cdk.Aws.REGION), "pidMode"),
        (
            lambda: ContainerSpec(
                name="web", image="nginx", cpu=cdk.Token.as_number(cdk.Fn.ref("Cpu"))
            ),
            "cpu",
        ),
        (lambda: ContainerSpec(name="web", image=cdk.Aws.ACCOUNT_ID), "image"),
    ],
)
def test_fails_without_printing_the_token_where_a_literal_is_checked(
    build: Any, field: str
) -> None:
    with pytest.raises(ConfigurationError) as error:
        build()
    assert error.value.field == field
    assert "must be a literal value" in error.value.allowed
    message = str(error.value)
    assert "a CDK token" in message
    assert "Token[" not in message
    assert "e+" not in message  # a number token's encoding
