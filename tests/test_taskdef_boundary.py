"""Types at the boundary: every public class and factory of the task-definition package, given
odd input, raises ``ConfigurationError`` naming the field, or accepts the value.

- A matrix generated from the field table: every field of one object of every model x a value
  of the wrong type, ``None``, a bool, a number as a string, a huge value, a CDK token. Each
  ends in a ``ConfigurationError`` naming the field (never a raw ``TypeError``,
  ``AttributeError``, ``RecursionError`` or jsii error), whose message is short and never
  prints a token's encoding; or the value is accepted, and a spec holding every accepted token
  binds to a template that cfn-lint and cdk-nag pass.
- The constructors' own signatures: positional arguments, misspelt and missing keywords.
- The factories (``from_dict``, ``from_json``, ``from_file``, ``bind``) given hostile input:
  wrong types, deep and recursive structures, non-UTF-8 files, JSON that is not JSON.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs

from constructs_ecs._errors import MAX_SHOWN, ConfigurationError, shorten
from constructs_ecs.taskdef import (
    ContainerSpec,
    HealthCheck,
    PortMapping,
    TaskDefinitionSpec,
    Volume,
)
from constructs_ecs.taskdef._table import (
    Bool,
    Entry,
    Str,
    table_of,
)
from constructs_ecs.taskdef._units import cpu_units, memory_mib
from constructs_ecs.testing import assert_cfn_lint_clean, template_of
from tests.conftest import make_stack

DATA = Path(__file__).parent / "data"
STRING_TOKEN = cdk.Token.as_string(cdk.Fn.ref("Param"))
NUMBER_TOKEN = cdk.Token.as_number(cdk.Fn.ref("Param"))


def _instances(value: Any) -> Iterator[Any]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield value
        for field in dataclasses.fields(value):
            yield from _instances(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _instances(item)


@cache
def _one_of_each_model() -> dict[type, Any]:
    found: dict[type, Any] = {}
    for name in ("kitchen-sink.json", "awsvpc.json"):
        for instance in _instances(TaskDefinitionSpec.from_file(DATA / name)):
            found.setdefault(type(instance), instance)
    return found


# --------------------------------------------------------------------------- the matrix

ODD_VALUES: dict[str, Any] = {
    "a wrong type": object(),
    "None": None,
    "a bool": True,
    "a number as a string": "512",
    "a float": 512.5,
    "a huge integer": 10**5000,
    "bytes": b"nginx",
    "a set": {"a"},
    "a string token": STRING_TOKEN,
    "a number token": NUMBER_TOKEN,
}


def _cases() -> Iterator[Any]:
    for cls, instance in sorted(_one_of_each_model().items(), key=lambda i: i[0].__name__):
        for entry in table_of(cls).fields:
            for label, value in ODD_VALUES.items():
                if value is None and entry.default is None:
                    continue  # None is "omitted" for this field
                yield pytest.param(
                    instance, entry, value, id=f"{cls.__name__}.{entry.attr}-{label}"
                )


def _outcome(instance: Any, entry: Entry, value: Any) -> ConfigurationError | Any:
    assert entry.attr is not None
    try:
        return dataclasses.replace(instance, **{entry.attr: value})
    except ConfigurationError as error:
        return error


@pytest.mark.parametrize(("instance", "entry", "value"), list(_cases()))
def test_an_odd_value_is_refused_naming_the_field_or_accepted(
    instance: Any, entry: Entry, value: Any
) -> None:
    outcome = _outcome(instance, entry, value)  # anything but ConfigurationError propagates
    if isinstance(outcome, ConfigurationError):
        assert outcome.field.startswith(entry.name), str(outcome)
        message = str(outcome)
        assert "Token[" not in message
        assert "e+289" not in message  # a number token's encoding
        assert len(message) < 1500
        return
    assert entry.attr is not None
    assert _accepted(entry, value), (entry.attr, value)


def _accepted(entry: Entry, value: Any) -> bool:
    """What may be accepted: a bool where a bool goes; a string where a string goes (a string
    of digits is a valid name, image or secret name); a string token only where nothing
    literal is checked (or the entry allows tokens: role ARNs)."""
    kind = entry.kind
    if isinstance(kind, Bool):
        return value is True
    takes_strings = isinstance(kind, Str) or type(kind).__name__ in ("_Image", "_Credentials")
    if value == "512":
        return takes_strings
    if value is STRING_TOKEN:
        return isinstance(kind, Str) and (not kind.literal or entry.tokens)
    return False


def test_the_matrix_covers_every_model_and_refuses_what_it_must() -> None:
    refused = accepted = 0
    for param in _cases():
        instance, entry, value = param.values
        outcome = _outcome(instance, entry, value)
        if isinstance(outcome, ConfigurationError):
            refused += 1
        else:
            accepted += 1
    assert len(_one_of_each_model()) == 20
    assert refused > 1000
    assert 0 < accepted < refused / 10


def test_a_spec_with_a_token_in_every_field_that_takes_one_binds_cleanly() -> None:
    stack = make_stack("Tokens")
    stage = cdk.CfnParameter(stack, "Stage", default="prod").value_as_string
    spec = TaskDefinitionSpec(
        family="tokens",
        containers=[
            ContainerSpec(
                name="app",
                image="nginx:1.27",
                memory_mib=128,
                user=stage,
                working_directory=stage,
                hostname=stage,
                command=["serve", stage],
                entry_point=[stage],
                environment={"STAGE": stage},
                docker_labels={"stage": stage},
                health_check=HealthCheck(command=["CMD-SHELL", stage]),
            )
        ],
        volumes=[Volume(name="data", host_source_path=stage)],
        tags={"stage": stage},
    )
    log_group = logs.LogGroup(stack, "Logs", removal_policy=cdk.RemovalPolicy.RETAIN)
    spec.bind(stack, "Task", log_group=log_group)
    template = template_of(stack)
    container = next(
        r for r in template["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition"
    )["Properties"]["ContainerDefinitions"][0]
    assert container["User"] == {"Ref": "Stage"}
    assert container["Environment"] == [{"Name": "STAGE", "Value": {"Ref": "Stage"}}]
    assert_cfn_lint_clean(template)


# --------------------------------------------------------------------------- signatures


@pytest.mark.parametrize(
    ("build", "field", "allowed"),
    [
        (lambda: ContainerSpec("web", "nginx"), "ContainerSpec(...)", "keyword arguments only"),
        (
            lambda: ContainerSpec(name="web", image="nginx", memory=256),
            "memory",
            "did you mean 'memory_mib'?",
        ),
        (
            lambda: ContainerSpec(name="web", image="nginx", memoryReservation=256),
            "memoryReservation",
            "did you mean 'memory_reservation_mib'?",
        ),
        (lambda: ContainerSpec(name="web"), "image", "is required"),
        (lambda: PortMapping(), "containerPort", "is required"),
        (lambda: TaskDefinitionSpec(), "containerDefinitions", "is required"),
        (
            lambda: TaskDefinitionSpec(containers=[], famliy="x"),
            "famliy",
            "did you mean 'family'?",
        ),
    ],
)
def test_fails_when_called_with_the_wrong_arguments(build: Any, field: str, allowed: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        build()
    assert error.value.field == field
    assert allowed in error.value.allowed


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("512", "not a string (write 512, without quotes)"),
        (512.0, "not a float (write 512)"),
        (True, "not a bool"),
        (cdk.Size.mebibytes(512), "size.to_mebibytes()"),
        (2**31, "32-bit integer"),
    ],
    ids=["string", "float", "bool", "size", "int32"],
)
def test_an_integer_field_says_how_to_fix_a_near_miss(value: Any, allowed: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        ContainerSpec(name="web", image="nginx", memory_mib=value)
    assert error.value.field == "memory"
    assert allowed in error.value.allowed


def test_an_integer_of_another_library_is_accepted_as_an_int() -> None:
    class Index:
        def __index__(self) -> int:
            return 256

    container = ContainerSpec(name="web", image="nginx", memory_mib=Index())  # type: ignore[arg-type]
    assert container.memory_mib == 256
    assert type(container.memory_mib) is int


def test_a_string_where_a_list_goes_is_refused_not_split() -> None:
    with pytest.raises(ConfigurationError) as error:
        ContainerSpec(name="web", image="nginx", command="serve --port 80")
    assert error.value.field == "command"
    assert "not one str (write [value])" in error.value.allowed


# --------------------------------------------------------------------------- factories

MINIMAL = {
    "family": "web",
    "containerDefinitions": [{"name": "web", "image": "nginx", "memory": 64}],
}


def _deep_list(depth: int) -> list[Any]:
    root: list[Any] = []
    current = root
    for _ in range(depth):
        child: list[Any] = []
        current.append(child)
        current = child
    return root


def _recursive() -> dict[str, Any]:
    document: dict[str, Any] = {"family": "loop", "containerDefinitions": []}
    document["containerDefinitions"].append(document)
    return document


def _with(**container: Any) -> dict[str, Any]:
    return {
        "family": "web",
        "containerDefinitions": [{"name": "web", "image": "nginx", **container}],
    }


@pytest.mark.parametrize(
    ("document", "field", "allowed"),
    [
        ([MINIMAL], "(document)", "must be a JSON object"),
        (None, "(document)", "must be a JSON object"),
        ({**MINIMAL, "containerDefinitions": "web"}, "containerDefinitions", "must be a list"),
        (_recursive(), "containerDefinitions[0].family", "is not a field of a container"),
        (
            _with(memory=64, command=_deep_list(50_000)),
            "containerDefinitions[0].command[0]",
            "string",
        ),
        (_with(memory=10**30), "containerDefinitions[0].memory", "32-bit integer"),
        (_with(memory=512.0), "containerDefinitions[0].memory", "must be an integer"),
        (_with(memory=float("inf")), "containerDefinitions[0].memory", "must be an integer"),
        (_with(memory="512"), "containerDefinitions[0].memory", "must be an integer"),
        (_with(memory=64, image=b"nginx"), "containerDefinitions[0].image", "must be a string"),
        (
            _with(memory=64, dockerLabels={1: "x"}),
            "containerDefinitions[0].dockerLabels",
            "keys must be non-empty strings",
        ),
        (
            _with(memory=64, environment=[{"name": "A", "value": {"deep": _deep_list(9_000)}}]),
            "containerDefinitions[0].environment[0].value",
            "must be a string",
        ),
    ],
)
def test_from_dict_fails_on_hostile_documents(document: Any, field: str, allowed: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(document)
    assert error.value.field == field
    assert allowed in error.value.allowed
    assert len(str(error.value)) < 1500


@pytest.mark.parametrize(
    ("text", "field", "allowed"),
    [
        (None, "text", "must be JSON text (a str), not NoneType"),
        (42, "text", "must be JSON text"),
        ("[" * 100_000 + "]" * 100_000, "(document)", "nested too deeply"),
        ('{"family": NaN}', "NaN", "JSON has no NaN or Infinity"),
        ('{"family": "w", "x": ' + "9" * 5000 + "}", "(document)", "digits"),
        (b'{"family": "\xff"}', "byte 12", "is not UTF-8 text"),
        ("{", "line 1, column 2", "is not valid JSON"),
    ],
)
def test_from_json_fails_on_what_is_not_json_text(text: Any, field: str, allowed: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_json(text)
    assert error.value.field == field
    assert allowed in error.value.allowed


def test_from_json_takes_utf8_bytes() -> None:
    spec = TaskDefinitionSpec.from_json(json.dumps(MINIMAL).encode("utf-8"))
    assert spec.family == "web"


def test_from_file_reads_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "web.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(MINIMAL).encode("utf-8"))
    assert TaskDefinitionSpec.from_file(path).family == "web"


@pytest.mark.parametrize(
    ("path", "field", "allowed"),
    [
        (None, "path", "must be a file path"),
        (b"web.json", "path", "must be a file path"),
        (42, "path", "must be a file path"),
        ("no\x00such.json", "no\x00such.json", "cannot be read"),
    ],
)
def test_from_file_fails_on_what_is_not_a_path(path: Any, field: str, allowed: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_file(path)
    assert error.value.field == field
    assert allowed in error.value.allowed


def test_from_file_fails_on_a_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_file(path)
    assert error.value.field == f"{path}: byte 0"
    assert "is not UTF-8 text" in error.value.allowed


def test_from_file_fails_on_a_directory_and_a_missing_file(tmp_path: Path) -> None:
    for path in (tmp_path, tmp_path / "missing.json"):
        with pytest.raises(ConfigurationError) as error:
            TaskDefinitionSpec.from_file(path)
        assert "cannot be read" in error.value.allowed


@pytest.mark.parametrize(
    ("repositories", "field", "allowed"),
    [
        ("web", "repositories", "must be a mapping"),
        (
            {"web": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web"},
            "repositories.web",
            "ecr.IRepository",
        ),
        ({"Web": object()}, "repositories", "aliases are repository names"),
    ],
)
def test_fails_when_repositories_are_not_repositories(
    repositories: Any, field: str, allowed: str
) -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(MINIMAL, repositories=repositories)
    assert error.value.field == field
    assert allowed in error.value.allowed


@pytest.mark.parametrize(
    ("arguments", "field", "allowed"),
    [
        ({"scope": "stack"}, "scope", "must be a Construct"),
        ({"construct_id": None}, "construct_id", "non-empty string"),
        ({"construct_id": ""}, "construct_id", "non-empty string"),
        ({"log_group": "/ecs/web"}, "log_group", "must be a logs.ILogGroup"),
        ({"construct_id": "Logs"}, "construct_id", "is already used in Bind"),
    ],
)
def test_bind_fails_on_the_wrong_arguments(
    arguments: dict[str, Any], field: str, allowed: str
) -> None:
    stack = make_stack("Bind", nag=False)
    log_group = logs.LogGroup(stack, "Logs")
    values: dict[str, Any] = {"scope": stack, "construct_id": "Task", "log_group": log_group}
    values.update(arguments)
    spec = TaskDefinitionSpec.from_dict(MINIMAL)
    with pytest.raises(ConfigurationError) as error:
        spec.bind(values["scope"], values["construct_id"], log_group=values["log_group"])
    assert error.value.field == field
    assert allowed in error.value.allowed


def test_bind_fails_outside_a_stack() -> None:
    stack = make_stack("Outside", nag=False)
    log_group = logs.LogGroup(stack, "Logs")
    app = stack.node.scope
    assert isinstance(app, cdk.App)
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(MINIMAL).bind(app, "Task", log_group=log_group)
    assert error.value.field == "scope"
    assert "must be a Stack or a construct in one" in error.value.allowed


def test_bind_fails_in_a_stage_with_no_stack_before_importing_a_role() -> None:
    """The scope is checked first (``scope.node.scopes``): importing the task role there would
    fail inside jsii."""
    stack = make_stack("InStage", nag=False)
    log_group = logs.LogGroup(stack, "Logs")
    stage = cdk.Stage(cdk.App(), "Stage")
    role = "arn:aws:iam::123456789012:role/task"
    spec = TaskDefinitionSpec.from_dict({**MINIMAL, "taskRoleArn": role})
    with pytest.raises(ConfigurationError) as error:
        spec.bind(stage, "Task", log_group=log_group)
    assert (error.value.field, error.value.value) == ("scope", "Stage")
    assert stage.node.try_find_child("ImportedTaskRole") is None


def test_bind_fails_on_the_id_of_a_role_it_imports() -> None:
    stack = make_stack("RoleId", nag=False)
    log_group = logs.LogGroup(stack, "Logs")
    spec = TaskDefinitionSpec.from_dict(
        {**MINIMAL, "executionRoleArn": "arn:aws:iam::123456789012:role/exec"}
    )
    with pytest.raises(ConfigurationError) as error:
        spec.bind(stack, "ImportedExecutionRole", log_group=log_group)
    assert error.value.field == "construct_id"
    assert "is already used in RoleId" in error.value.allowed
    spec.bind(stack, "ImportedTaskRole", log_group=log_group)  # no task role is imported


def test_bind_in_a_nested_construct_of_a_stack() -> None:
    from constructs import Construct

    stack = make_stack("Nested", nag=False)
    log_group = logs.LogGroup(stack, "Logs")
    inner = Construct(Construct(stack, "Outer"), "Inner")
    bound = TaskDefinitionSpec.from_dict(MINIMAL).bind(inner, "Task", log_group=log_group)
    assert bound.task_definition.node.path == "Nested/Outer/Inner/Task"


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("x" * 100_000, "... (100000 characters)"),
        (10**5000, "an integer of about 5001 digits"),
        (_deep_list(100_000), "[[[[...]]]]"),
        (_recursive(), "[{...}]"),
        (b"\xff" * 1000, "... (1000 characters)"),
    ],
    ids=["long-string", "huge-int", "deep-list", "recursive", "long-bytes"],
)
def test_a_message_shortens_what_it_shows(value: Any, shown: str) -> None:
    text = shorten(value)
    assert shown in text
    assert len(text) <= MAX_SHOWN + 40
    assert len(str(ConfigurationError("field", value, "allowed"))) < 400
    assert ConfigurationError("field", value, "allowed").value is value  # kept as given


@pytest.mark.parametrize("name", [None, 5, b"web", ["web"]])
def test_container_lookup_fails_naming_the_argument(name: Any) -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(MINIMAL).container(name)
    assert error.value.field == "container_name"
    assert "must be one of web" in error.value.allowed


@pytest.mark.parametrize("value", [None, 2.5, True, "1.5 GB and more", b"1024", [1024]])
def test_the_unit_helpers_fail_naming_the_field(value: Any) -> None:
    for convert, field in ((cpu_units, "cpu"), (memory_mib, "memory")):
        with pytest.raises(ConfigurationError) as error:
            convert(value)
        assert error.value.field == field
