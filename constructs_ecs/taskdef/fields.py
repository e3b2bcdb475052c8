"""The field catalogue of ECS task-definition JSON, and the structural check built on it.

Every key of ``RegisterTaskDefinition`` that ECS on EC2 (Linux) supports is listed with its
type; keys that exist in the API but do not apply here are listed in ``REJECTED`` with the
reason; ``READ_ONLY`` keys of ``DescribeTaskDefinition`` output are ignored. Anything else is
an unknown key (a typo, or another tool's field) and is rejected with the closest valid key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from constructs_ecs.errors import ConfigurationError, closest
from constructs_ecs.taskdef._common import is_int, join_path


@dataclass(frozen=True)
class Key:
    """One JSON key: its type, and for objects and lists the shape of what they hold.

    ``type`` is ``string``, ``integer``, ``boolean``, ``size`` (a string or an integer, as
    task-level cpu and memory), ``map`` (string -> string), ``object`` or ``list``; ``of``
    names the shape of an object, or the item type of a list (a type or a shape).
    """

    type: str
    of: str | None = None
    required: bool = False
    hint: str = ""


STR = Key("string")
INT = Key("integer")
BOOL = Key("boolean")
STRINGS = Key("list", "string")
MAP = Key("map")


def _obj(shape: str, *, required: bool = False) -> Key:
    return Key("object", shape, required=required)


def _list(of: str) -> Key:
    return Key("list", of)


_STRING_VALUE_HINT = (
    'ECS accepts only string values; quote numbers and booleans, e.g. "8080", "true"'
)

SHAPES: dict[str, dict[str, Key]] = {
    "TaskDefinition": {
        "family": STR,
        "taskRoleArn": STR,
        "executionRoleArn": STR,
        "networkMode": STR,
        "containerDefinitions": Key("list", "ContainerDefinition", required=True),
        "volumes": _list("Volume"),
        "placementConstraints": _list("PlacementConstraint"),
        "requiresCompatibilities": STRINGS,
        "cpu": Key("size"),
        "memory": Key("size"),
        "pidMode": STR,
        "ipcMode": STR,
        "proxyConfiguration": _obj("ProxyConfiguration"),
        "runtimePlatform": _obj("RuntimePlatform"),
        "tags": _list("Tag"),
        "enableFaultInjection": BOOL,
    },
    "ContainerDefinition": {
        "name": Key("string", required=True),
        "image": Key("string", required=True),
        "repositoryCredentials": _obj("RepositoryCredentials"),
        "cpu": INT,
        "memory": INT,
        "memoryReservation": INT,
        "links": STRINGS,
        "portMappings": _list("PortMapping"),
        "essential": BOOL,
        "restartPolicy": _obj("RestartPolicy"),
        "entryPoint": STRINGS,
        "command": STRINGS,
        "environment": _list("KeyValuePair"),
        "environmentFiles": _list("EnvironmentFile"),
        "mountPoints": _list("MountPoint"),
        "volumesFrom": _list("VolumeFrom"),
        "linuxParameters": _obj("LinuxParameters"),
        "secrets": _list("Secret"),
        "dependsOn": _list("ContainerDependency"),
        "startTimeout": INT,
        "stopTimeout": INT,
        "versionConsistency": STR,
        "hostname": STR,
        "user": STR,
        "workingDirectory": STR,
        "disableNetworking": BOOL,
        "privileged": BOOL,
        "readonlyRootFilesystem": BOOL,
        "dnsServers": STRINGS,
        "dnsSearchDomains": STRINGS,
        "extraHosts": _list("HostEntry"),
        "dockerSecurityOptions": STRINGS,
        "interactive": BOOL,
        "pseudoTerminal": BOOL,
        "dockerLabels": MAP,
        "ulimits": _list("Ulimit"),
        "logConfiguration": _obj("LogConfiguration"),
        "healthCheck": _obj("HealthCheck"),
        "systemControls": _list("SystemControl"),
        "resourceRequirements": _list("ResourceRequirement"),
        "firelensConfiguration": _obj("FirelensConfiguration"),
        "credentialSpecs": STRINGS,
    },
    "PortMapping": {
        "containerPort": INT,
        "hostPort": INT,
        "protocol": STR,
        "name": STR,
        "appProtocol": STR,
        "containerPortRange": STR,
    },
    "KeyValuePair": {
        "name": Key("string", required=True),
        "value": Key("string", hint=_STRING_VALUE_HINT),
    },
    "EnvironmentFile": {
        "value": Key("string", required=True),
        "type": Key("string", required=True),
    },
    "MountPoint": {
        "sourceVolume": Key("string", required=True),
        "containerPath": Key("string", required=True),
        "readOnly": BOOL,
    },
    "VolumeFrom": {"sourceContainer": Key("string", required=True), "readOnly": BOOL},
    "LinuxParameters": {
        "capabilities": _obj("KernelCapabilities"),
        "devices": _list("Device"),
        "initProcessEnabled": BOOL,
        "sharedMemorySize": INT,
        "tmpfs": _list("Tmpfs"),
        "maxSwap": INT,
        "swappiness": INT,
    },
    "KernelCapabilities": {"add": STRINGS, "drop": STRINGS},
    "Device": {
        "hostPath": Key("string", required=True),
        "containerPath": STR,
        "permissions": STRINGS,
    },
    "Tmpfs": {
        "containerPath": Key("string", required=True),
        "size": Key("integer", required=True),
        "mountOptions": STRINGS,
    },
    "Secret": {"name": Key("string", required=True), "valueFrom": Key("string", required=True)},
    "ContainerDependency": {
        "containerName": Key("string", required=True),
        "condition": Key("string", required=True),
    },
    "HostEntry": {
        "hostname": Key("string", required=True),
        "ipAddress": Key("string", required=True),
    },
    "Ulimit": {
        "name": Key("string", required=True),
        "softLimit": Key("integer", required=True),
        "hardLimit": Key("integer", required=True),
    },
    "LogConfiguration": {
        "logDriver": Key("string", required=True),
        "options": Key("map", hint=_STRING_VALUE_HINT),
        "secretOptions": _list("Secret"),
    },
    "HealthCheck": {
        "command": Key("list", "string", required=True),
        "interval": INT,
        "timeout": INT,
        "retries": INT,
        "startPeriod": INT,
    },
    "SystemControl": {
        "namespace": Key("string", required=True),
        "value": Key("string", required=True, hint=_STRING_VALUE_HINT),
    },
    "ResourceRequirement": {
        "type": Key("string", required=True),
        "value": Key("string", required=True, hint='ECS takes the GPU count as a string, e.g. "1"'),
    },
    "FirelensConfiguration": {"type": Key("string", required=True), "options": MAP},
    "RepositoryCredentials": {"credentialsParameter": Key("string", required=True)},
    "RestartPolicy": {
        "enabled": Key("boolean", required=True),
        "ignoredExitCodes": Key("list", "integer"),
        "restartAttemptPeriod": INT,
    },
    "Volume": {
        "name": Key("string", required=True),
        "host": _obj("HostVolumeProperties"),
        "dockerVolumeConfiguration": _obj("DockerVolumeConfiguration"),
        "efsVolumeConfiguration": _obj("EFSVolumeConfiguration"),
        "configuredAtLaunch": BOOL,
    },
    "HostVolumeProperties": {"sourcePath": STR},
    "DockerVolumeConfiguration": {
        "scope": STR,
        "autoprovision": BOOL,
        "driver": STR,
        "driverOpts": MAP,
        "labels": MAP,
    },
    "EFSVolumeConfiguration": {
        "fileSystemId": Key("string", required=True),
        "rootDirectory": STR,
        "transitEncryption": STR,
        "transitEncryptionPort": INT,
        "authorizationConfig": _obj("AuthorizationConfig"),
    },
    "AuthorizationConfig": {"accessPointId": STR, "iam": STR},
    "PlacementConstraint": {"type": Key("string", required=True), "expression": STR},
    "ProxyConfiguration": {
        "type": STR,
        "containerName": Key("string", required=True),
        "properties": _list("KeyValuePair"),
    },
    "RuntimePlatform": {"cpuArchitecture": STR, "operatingSystemFamily": STR},
    "Tag": {"key": Key("string", required=True), "value": Key("string", hint=_STRING_VALUE_HINT)},
}

_ELASTIC_INFERENCE = (
    "Amazon Elastic Inference is retired (no new accelerators since April 2023); use a GPU "
    'instance type with resourceRequirements [{"type": "GPU", "value": "1"}] or AWS Inferentia '
    "instances instead"
)

#: Keys ECS has but that do not apply to Linux tasks on EC2: (shape, key) -> why.
REJECTED: dict[tuple[str, str], str] = {
    ("TaskDefinition", "ephemeralStorage"): (
        "is a Fargate-only setting; tasks on EC2 use the instance's Docker storage (size the "
        "instances' volumes instead)"
    ),
    ("TaskDefinition", "inferenceAccelerators"): _ELASTIC_INFERENCE,
    ("ContainerDefinition", "inferenceDevices"): _ELASTIC_INFERENCE,
    ("Volume", "fsxWindowsFileServerVolumeConfiguration"): (
        "FSx for Windows File Server volumes work only with Windows containers; this library "
        "runs Linux tasks on EC2 (use efsVolumeConfiguration for shared storage)"
    ),
}

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

_SHAPE_WHAT = {
    "TaskDefinition": "a task definition",
    "ContainerDefinition": "a container definition",
}

_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "boolean": "true or false",
    "size": "a number or a string",
    "map": "an object of string values",
    "object": "an object",
    "list": "a list",
}


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


def check_shape(value: Any, shape: str, path: str) -> dict[str, Any]:
    """Check ``value`` against ``SHAPES[shape]``; return it without nulls and read-only keys.

    Raises ``ConfigurationError`` for a non-object, an unknown key (with the closest valid
    one), a rejected key (with why), a missing required key, or a value of the wrong type.
    """
    if not isinstance(value, Mapping):
        raise ConfigurationError(path or "(document)", value, "must be a JSON object")
    keys = SHAPES[shape]
    present: list[str] = []
    # Keys of this level first, values (and the levels below) after: the outermost problem
    # is reported first.
    for key, item in value.items():
        key_path = join_path(path, str(key))
        if (shape, key) in REJECTED:
            # Console and describe output carry empty lists of retired features: harmless.
            if _empty(item):
                continue
            raise ConfigurationError(key_path, item, REJECTED[(shape, key)])
        if shape == "TaskDefinition" and key in READ_ONLY:
            continue
        if key not in keys:
            what = _SHAPE_WHAT.get(shape, f"a {shape} object")
            raise ConfigurationError(
                key_path,
                key,
                f"is not a field of {what}{closest(str(key), keys)}; ECS rejects unknown keys",
            )
        if item is not None:
            present.append(key)
    cleaned: dict[str, Any] = {}
    for key in present:
        cleaned[key] = _check_value(value[key], keys[key], join_path(path, key))
    for key, spec in keys.items():
        if spec.required and key not in cleaned:
            raise ConfigurationError(join_path(path, key), None, "is required")
    return cleaned


def _check_value(value: Any, spec: Key, path: str) -> Any:
    hint = f" ({spec.hint})" if spec.hint else ""
    wrong = ConfigurationError(path, value, f"must be {_TYPE_WORDS[spec.type]}{hint}")
    if spec.type == "string":
        if not isinstance(value, str):
            raise wrong
        return value
    if spec.type == "integer":
        if not is_int(value):
            raise wrong
        return value
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise wrong
        return value
    if spec.type == "size":
        if not (isinstance(value, str) or is_int(value)):
            raise wrong
        return value
    if spec.type == "map":
        if not isinstance(value, Mapping):
            raise wrong
        for key, item in value.items():
            if not isinstance(item, str):
                raise ConfigurationError(join_path(path, str(key)), item, f"must be a string{hint}")
        return dict(value)
    if spec.type == "object":
        assert spec.of is not None
        return check_shape(value, spec.of, path)
    assert spec.type == "list"
    assert spec.of is not None
    if not isinstance(value, list):
        raise wrong
    if spec.of in SHAPES:
        return [check_shape(item, spec.of, f"{path}[{index}]") for index, item in enumerate(value)]
    item_spec = Key(spec.of, hint=spec.hint)
    return [_check_value(item, item_spec, f"{path}[{index}]") for index, item in enumerate(value)]
