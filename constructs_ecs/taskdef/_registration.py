"""What ``RegisterTaskDefinition`` carries, and ECS's quota on its size.

ECS registers at most 64 KiB of task definition: "Task definition size: 64 KiB", a quota that
cannot be raised (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html;
the API answers "Actual length: '66420'. Max allowed length is '65536' bytes",
https://github.com/awsdocs/amazon-ecs-developer-guide/pull/149). Past it, CloudFormation
fails the deploy and rolls back; here it fails when the spec is defined.

The spec is measured as the request would carry it: its ECS JSON (``_table.to_json``), plus
what binding adds (the role ARNs, a family, the awslogs configuration of containers without
one, ``requiresCompatibilities``), compact and UTF-8 encoded. A value known only at deploy
counts as ``TOKEN_BYTES`` (a token in a string) or 255 bytes (an object such as an
``ecs.ContainerImage``): the check is exact for literal content, which is what grows a task
definition (environment, commands, labels).
"""

from __future__ import annotations

import json
import re
from typing import Any

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef._kinds import DEPLOY_TIME_VALUE
from constructs_ecs.taskdef._table import to_json

__all__ = ["MAX_BYTES", "TOKEN_BYTES", "check_size", "registered_json", "size_of"]

MAX_BYTES = 65_536
#: What a CDK token in a string counts as: about an ARN (a role, a log group, a region is less).
TOKEN_BYTES = 100
_TOKEN = re.compile(r"[$#]\{Token\[[^\]]*\]\}")


def size_of(value: Any) -> int:
    """Bytes of ``value`` as compact UTF-8 JSON, each token counted as ``TOKEN_BYTES``."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    size = len(text.encode("utf-8"))
    for token in _TOKEN.findall(text):
        size += TOKEN_BYTES - len(token)
    return size


def registered_json(task: Any) -> dict[str, Any]:
    """The ECS JSON of ``task`` (a ``TaskDefinitionSpec``) with what binding adds."""
    document = to_json(task)
    document.setdefault("family", DEPLOY_TIME_VALUE)
    document.setdefault("taskRoleArn", DEPLOY_TIME_VALUE)
    document.setdefault("executionRoleArn", DEPLOY_TIME_VALUE)
    document.setdefault("networkMode", task.network_mode)
    document["requiresCompatibilities"] = ["EC2"]
    for container in document["containerDefinitions"]:
        container.setdefault(
            "logConfiguration",
            {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": DEPLOY_TIME_VALUE,
                    "awslogs-region": DEPLOY_TIME_VALUE,
                    "awslogs-stream-prefix": container["name"],
                },
            },
        )
    return document


def _largest_part(document: dict[str, Any]) -> tuple[str, int]:
    """The field of ``document`` (a task-level one, or one of a container) that weighs most."""
    parts: list[tuple[str, int]] = [
        (key, size_of(value)) for key, value in document.items() if key != "containerDefinitions"
    ]
    for index, container in enumerate(document["containerDefinitions"]):
        parts.extend(
            (f"containerDefinitions[{index}].{key}", size_of(value))
            for key, value in container.items()
        )
    return max(parts, key=lambda part: part[1])


def check_size(task: Any) -> None:
    """Refuse ``task`` if ``RegisterTaskDefinition`` would carry over ``MAX_BYTES``."""
    document = registered_json(task)
    size = size_of(document)
    if size <= MAX_BYTES:
        return
    field, part = _largest_part(document)
    raise ConfigurationError(
        field,
        f"{part} bytes",
        f"makes the task definition {size} bytes of JSON; ECS registers at most {MAX_BYTES} "
        "(64 KiB, a quota that cannot be raised): move large values to environmentFiles (an "
        ".env file in S3), secrets or the image",
    )
