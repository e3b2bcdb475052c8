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
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from constructs_ecs.errors import ConfigurationError, closest
from constructs_ecs.taskdef._common import at
from constructs_ecs.taskdef._table import ImportContext, check_shape, import_fields, table_of
from constructs_ecs.taskdef.references import ImageRepositoryLike

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
Repositories = Mapping[str, ImageRepositoryLike] | None

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


def load_file(cls: type[T], path: str | Path, *, repositories: Repositories = None) -> T:
    """Read and import the task-definition JSON file at ``path``."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(
            str(file), str(path), f"cannot be read: {error.strerror}"
        ) from None
    try:
        return load_json(cls, text, repositories=repositories)
    except ConfigurationError as error:
        raise ConfigurationError(f"{file}: {error.field}", error.value, error.allowed) from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ConfigurationError(
                key, value, "appears twice in one JSON object (the first would be lost)"
            )
        result[key] = value
    return result


def load_json(cls: type[T], text: str, *, repositories: Repositories = None) -> T:
    """Parse and import task-definition JSON ``text``."""
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as error:
        lines = error.doc.splitlines()
        line = lines[error.lineno - 1].strip() if 0 < error.lineno <= len(lines) else ""
        raise ConfigurationError(
            f"line {error.lineno}, column {error.colno}",
            line[:80],
            f"is not valid JSON: {error.msg}",
        ) from None
    return load_dict(cls, document, repositories=repositories)


def load_dict(cls: type[T], document: Any, *, repositories: Repositories = None) -> T:
    """Import a parsed task definition (register-task-definition input or describe output)."""
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
