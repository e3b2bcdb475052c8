"""ECS task-definition JSON (a file, text, or parsed) -> the arguments of the task model.

Accepts the input of ``aws ecs register-task-definition --cli-input-json`` and the output of
``aws ecs describe-task-definition`` (``{"taskDefinition": {...}, "tags": [...]}``, read-only
fields ignored). The structure (keys, types) is checked against the field table first, then each
value is imported through its entry; the model's own validation runs when it is created. Every
error names the JSON path.

This module knows the document and the ECS JSON idioms that are not a field's type
(``networkMode: "default"``, ``requiresCompatibilities``, ``operatingSystemFamily``): the task's
table entries name the hooks below. It is given the model class (``TaskDefinitionSpec``, which
sits above it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from constructs_ecs._errors import ConfigurationError, closest
from constructs_ecs.taskdef._common import at, type_name
from constructs_ecs.taskdef._host_access import HostAccess
from constructs_ecs.taskdef._references import ImageRepositoryLike
from constructs_ecs.taskdef._table import ImportContext, check_shape, import_fields, table_of

if TYPE_CHECKING:
    from aws_cdk import aws_ecr as ecr

__all__ = [
    "NOTE_DEFAULT_NETWORK_MODE",
    "READ_ONLY",
    "Repositories",
    "compatibilities",
    "linux_only",
    "load_dict",
    "load_file",
    "load_json",
    "network_mode",
]

T = TypeVar("T")
Repositories = Mapping[str, "ImageRepositoryLike | ecr.IRepository"] | None
#: The largest file ``load_file`` reads. ECS registers at most 64 KiB of task definition; a
#: file this much larger (indented ``describe-task-definition`` output is) is something else.
MAX_FILE_BYTES = 4 * 1024 * 1024

_WRAPPER_KEYS = ("taskDefinition", "tags")
_COMPATIBILITIES = ("EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES")
#: ``DescribeTaskDefinition`` output fields that are not part of a registration: ignored.
READ_ONLY = frozenset(
    {
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
    }
)

NOTE_DEFAULT_NETWORK_MODE = (
    'networkMode "default" was imported as "bridge": it is not a CloudFormation value, and '
    "the ECS agent on Linux runs such tasks in bridge mode"
)


# --------------------------------------------------------------------------- documents


def load_file(
    cls: type[T],
    path: str | Path,
    *,
    repositories: Repositories = None,
    host_access: Sequence[HostAccess] | None = None,
) -> T:
    """Read and import the task-definition JSON file at ``path`` (UTF-8, with or without a
    byte-order mark)."""
    if not isinstance(path, str | os.PathLike) or isinstance(path, bytes):
        raise ConfigurationError(
            "path", path, f"must be a file path (a str or pathlib.Path), not {type_name(path)}"
        )
    file = Path(path)
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise ConfigurationError(
                str(file),
                f"{file.stat().st_size} bytes",
                f"is larger than a task definition can be (at most {MAX_FILE_BYTES} bytes "
                "read; ECS registers at most 64 KiB)",
            )
        data = file.read_bytes()
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigurationError(str(file), str(path), f"cannot be read: {reason}") from None
    try:
        return load_json(cls, _decode(data), repositories=repositories, host_access=host_access)
    except ConfigurationError as error:
        raise ConfigurationError(f"{file}: {error.field}", error.value, error.allowed) from None


def _decode(data: bytes | bytearray) -> str:
    """UTF-8 ``data`` as text (a byte-order mark dropped), or where it is not UTF-8."""
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigurationError(
            f"byte {error.start}",
            bytes(data[error.start : error.start + 8]),
            "is not UTF-8 text: task-definition JSON is UTF-8 (is this a binary file?)",
        ) from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ConfigurationError(
                key, value, "appears twice in one JSON object (the first would be lost)"
            )
        result[key] = value
    return result


def _not_json(constant: str) -> Any:
    raise ConfigurationError(constant, constant, "is not JSON (JSON has no NaN or Infinity)")


def load_json(
    cls: type[T],
    text: str,
    *,
    repositories: Repositories = None,
    host_access: Sequence[HostAccess] | None = None,
) -> T:
    """Parse and import task-definition JSON ``text`` (a str, or UTF-8 bytes)."""
    if isinstance(text, bytes | bytearray):
        text = _decode(text)
    if not isinstance(text, str):
        raise ConfigurationError("text", text, f"must be JSON text (a str), not {type_name(text)}")
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_not_json)
    except ConfigurationError:
        raise
    except RecursionError:
        raise ConfigurationError(
            "(document)", f"{len(text)} characters", "is nested too deeply to be a task definition"
        ) from None
    except json.JSONDecodeError as error:
        lines = error.doc.splitlines()
        line = lines[error.lineno - 1].strip() if 0 < error.lineno <= len(lines) else ""
        raise ConfigurationError(
            f"line {error.lineno}, column {error.colno}",
            line[:80],
            f"is not valid JSON: {error.msg}",
        ) from None
    except ValueError as error:  # an integer of thousands of digits
        raise ConfigurationError("(document)", f"{len(text)} characters", str(error)) from None
    return load_dict(cls, document, repositories=repositories, host_access=host_access)


def load_dict(
    cls: type[T],
    document: Any,
    *,
    repositories: Repositories = None,
    host_access: Sequence[HostAccess] | None = None,
) -> T:
    """Import a parsed task definition (register-task-definition input or describe output);
    ``host_access`` is the task's acknowledgements (JSON has no field for them)."""
    if not isinstance(document, Mapping):
        raise ConfigurationError(
            "(document)", document, "must be a JSON object (a task definition)"
        )
    context = ImportContext(repositories)
    table = table_of(cls)
    described_tags: Mapping[str, str] = {}
    prefix = ""
    body: Any = document
    if "taskDefinition" in document:
        for key in document:
            if key not in _WRAPPER_KEYS:
                raise ConfigurationError(
                    key,
                    key,
                    "is not a field of describe-task-definition output"
                    f"{closest(key, _WRAPPER_KEYS)}; expected taskDefinition and tags",
                )
        body = document["taskDefinition"]
        prefix = "taskDefinition"
        with at("tags"):
            raw_tags = document.get("tags") or []
            if not isinstance(raw_tags, list):
                raise ConfigurationError("", raw_tags, "must be a list of {key, value}")
            tags = table.shape.keys["tags"].kind
            described_tags = tags.from_json(tags.check_json(raw_tags, ""), context)
    with at(prefix):
        kwargs = import_fields(cls, check_shape(body, table.shape, ""), context)
        # describe-task-definition --include TAGS puts the tags beside the task definition
        kwargs["tags"] = {**kwargs.get("tags", {}), **described_tags}
        kwargs["notes"] = context.notes
        if host_access is not None:
            kwargs["host_access"] = host_access
        return cls(**kwargs)


# --------------------------------------------------------------------------- ECS JSON idioms
# What ECS JSON writes in its own way; the task's table entries name these hooks.


def network_mode(value: str, context: ImportContext) -> str:
    if value == "default":
        context.notes.append(NOTE_DEFAULT_NETWORK_MODE)
        return "bridge"
    return value


def compatibilities(values: list[str], context: ImportContext) -> None:
    for index, value in enumerate(values):
        if value not in _COMPATIBILITIES:
            raise ConfigurationError(
                f"[{index}]",
                value,
                f"must be one of {', '.join(_COMPATIBILITIES)}{closest(value, _COMPATIBILITIES)}",
            )
    if values and "EC2" not in values:
        raise ConfigurationError(
            "",
            values,
            'must include "EC2": this library runs tasks on EC2 instances (a FARGATE-only '
            'task definition is for Fargate); use ["EC2"] or ["EC2", "FARGATE"]',
        )
    dropped = [value for value in values if value != "EC2"]
    if dropped:
        context.notes.append(
            f"requiresCompatibilities {dropped} dropped: this library registers the task "
            "definition for EC2 only"
        )


def linux_only(family: str, context: ImportContext) -> None:
    if family == "LINUX":
        return
    if family.startswith("WINDOWS"):
        raise ConfigurationError(
            "",
            family,
            "must be LINUX: Windows task definitions need Windows container instances; "
            "this library runs Linux tasks on EC2",
        )
    raise ConfigurationError("", family, "must be LINUX")
