"""ECS task-definition JSON -> ``TaskDefinitionSpec``.

Accepts the input of ``aws ecs register-task-definition --cli-input-json`` and the output of
``aws ecs describe-task-definition`` (``{"taskDefinition": {...}, "tags": [...]}``, read-only
fields ignored). Structure (keys, types) is checked against ``fields.SHAPES`` first, then the
spec's own validation runs; every error names the JSON path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from constructs_ecs.errors import ConfigurationError, closest
from constructs_ecs.taskdef import references, units
from constructs_ecs.taskdef._common import at
from constructs_ecs.taskdef.fields import check_shape
from constructs_ecs.taskdef.spec import (
    ContainerDependency,
    ContainerSpec,
    Device,
    DockerVolumeConfiguration,
    EfsVolumeConfiguration,
    FirelensConfiguration,
    HealthCheck,
    HostEntry,
    ImageRepositoryLike,
    LinuxParameters,
    LogConfiguration,
    MountPoint,
    PortMapping,
    PortRange,
    ProxyConfiguration,
    RestartPolicy,
    TaskDefinitionSpec,
    Tmpfs,
    Ulimit,
    Volume,
    VolumeFrom,
)

__all__ = ["load_dict", "load_file", "load_json"]

_WRAPPER_KEYS = ("taskDefinition", "tags")
_COMPATIBILITIES = ("EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES")

NOTE_DEFAULT_NETWORK_MODE = (
    'networkMode "default" was imported as "bridge": it is not a CloudFormation value, and '
    "the ECS agent on Linux runs such tasks in bridge mode"
)


def _note_compatibilities(dropped: list[str]) -> str:
    return (
        f"requiresCompatibilities {dropped} dropped: this library registers the task "
        "definition for EC2 only"
    )


Repositories = Mapping[str, ImageRepositoryLike] | None


def load_file(path: str | Path, *, repositories: Repositories = None) -> TaskDefinitionSpec:
    """Read and import the task-definition JSON file at ``path``."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(
            str(file), str(path), f"cannot be read: {error.strerror}"
        ) from None
    try:
        return load_json(text, repositories=repositories)
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


def load_json(text: str, *, repositories: Repositories = None) -> TaskDefinitionSpec:
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
    return load_dict(document, repositories=repositories)


def load_dict(document: Any, *, repositories: Repositories = None) -> TaskDefinitionSpec:
    """Import a parsed task definition (register-task-definition input or describe output)."""
    if not isinstance(document, Mapping):
        raise ConfigurationError(
            "(document)", document, "must be a JSON object (a task definition)"
        )
    tags: dict[str, str] = {}
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
            checked = [check_shape(tag, "Tag", f"[{i}]") for i, tag in enumerate(raw_tags)]
            tags = _pairs(checked, "key", "value")
    with at(prefix):
        return _task(check_shape(body, "TaskDefinition", ""), tags, repositories)


# --------------------------------------------------------------------------- task


def _task(
    raw: dict[str, Any], extra_tags: dict[str, str], repos: Repositories
) -> TaskDefinitionSpec:
    notes: list[str] = []
    if "family" not in raw:
        raise ConfigurationError(
            "family", None, "is required (the name ECS registers revisions under)"
        )
    network_mode = raw.get("networkMode", "bridge")
    if network_mode == "default":
        network_mode = "bridge"
        notes.append(NOTE_DEFAULT_NETWORK_MODE)
    compatibilities = raw.get("requiresCompatibilities") or []
    for index, value in enumerate(compatibilities):
        if value not in _COMPATIBILITIES:
            raise ConfigurationError(
                f"requiresCompatibilities[{index}]",
                value,
                f"must be one of {', '.join(_COMPATIBILITIES)}{closest(value, _COMPATIBILITIES)}",
            )
    if compatibilities and "EC2" not in compatibilities:
        raise ConfigurationError(
            "requiresCompatibilities",
            compatibilities,
            'must include "EC2": this library runs tasks on EC2 instances (a FARGATE-only '
            'task definition is for Fargate); use ["EC2"] or ["EC2", "FARGATE"]',
        )
    dropped = [value for value in compatibilities if value != "EC2"]
    if dropped:
        notes.append(_note_compatibilities(dropped))
    cpu = units.cpu_units(raw["cpu"]) if "cpu" in raw else None
    memory = units.memory_mib(raw["memory"]) if "memory" in raw else None

    containers = []
    for index, item in enumerate(raw["containerDefinitions"]):
        with at(f"containerDefinitions[{index}]"):
            containers.append(_container(item, repos))
    volumes = []
    for index, item in enumerate(raw.get("volumes", [])):
        with at(f"volumes[{index}]"):
            volumes.append(_volume(item))
    constraints = []
    for index, item in enumerate(raw.get("placementConstraints", [])):
        with at(f"placementConstraints[{index}]"):
            if item["type"] != "memberOf":
                raise ConfigurationError(
                    "type",
                    item["type"],
                    'must be "memberOf" (distinctInstance is a service placement constraint)',
                )
            if "expression" not in item:
                raise ConfigurationError("expression", None, "is required for memberOf")
            constraints.append(item["expression"])
    proxy = None
    if "proxyConfiguration" in raw:
        with at("proxyConfiguration"):
            proxy_raw = raw["proxyConfiguration"]
            with at("properties"):
                properties = _pairs(proxy_raw.get("properties", []), "name", "value")
            proxy = ProxyConfiguration(
                container_name=proxy_raw["containerName"],
                properties=properties,
                type=proxy_raw.get("type", "APPMESH"),
            )
    architecture = None
    if "runtimePlatform" in raw:
        with at("runtimePlatform"):
            architecture = _runtime_platform(raw["runtimePlatform"])
    with at("tags"):
        tags = _pairs(raw.get("tags", []), "key", "value")
    # describe-task-definition --include TAGS puts the tags beside the task definition
    tags.update(extra_tags)
    return TaskDefinitionSpec(
        family=raw["family"],
        containers=containers,
        network_mode=network_mode,
        cpu=cpu,
        memory_mib=memory,
        task_role_arn=raw.get("taskRoleArn"),
        execution_role_arn=raw.get("executionRoleArn"),
        volumes=volumes,
        placement_constraints=constraints,
        pid_mode=raw.get("pidMode"),
        ipc_mode=raw.get("ipcMode"),
        proxy_configuration=proxy,
        cpu_architecture=architecture,
        tags=tags,
        enable_fault_injection=raw.get("enableFaultInjection"),
        notes=notes,
    )


def _runtime_platform(raw: dict[str, Any]) -> str | None:
    family = raw.get("operatingSystemFamily")
    if family is not None and family != "LINUX":
        if family.startswith("WINDOWS"):
            raise ConfigurationError(
                "operatingSystemFamily",
                family,
                "must be LINUX: Windows task definitions need Windows container instances; "
                "this library runs Linux tasks on EC2",
            )
        raise ConfigurationError("operatingSystemFamily", family, "must be LINUX")
    return raw.get("cpuArchitecture")


def _pairs(items: list[dict[str, Any]], key_name: str, value_name: str) -> dict[str, str]:
    """A list of ``{name, value}`` objects as a mapping; a repeated name is an error."""
    result: dict[str, str] = {}
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        key = item[key_name]
        if key in result:
            raise ConfigurationError(
                f"[{index}].{key_name}",
                key,
                f"is set twice (also at [{first[key]}]); each {key_name} may appear once",
            )
        first[key] = index
        result[key] = item.get(value_name, "")
    return result


# --------------------------------------------------------------------------- containers


def _image(value: str, repos: Repositories) -> Any:
    image = references.check_image("image", value)
    if not repos:
        return image
    name, tag, digest = references.split_image(image)
    repository = repos.get(name)
    if repository is None:
        _check_not_a_misspelt_alias(value, name, repos)
        return image
    if tag is None or digest is not None:
        raise ConfigurationError(
            "image",
            value,
            f"names the image repository {name!r}: give it as {name}:<tag> (a tag of "
            "letters, digits, '_', '.', '-', at most 128 characters; digests are not "
            "supported for library repositories)",
        )
    return repository.image(tag)


def _check_not_a_misspelt_alias(
    value: str, name: str, repos: Mapping[str, ImageRepositoryLike]
) -> None:
    """Reject a bare ``name[:tag|@digest]`` close to an alias: Docker would silently pull it
    from Docker Hub's library instead of the repository the alias names. A name with a
    registry host or a path (``docker.io/library/x``, ``org/x``) is always taken as written."""
    if "/" in name:
        return
    aliases = sorted(repos)
    hint = closest(name, aliases)
    if hint:
        raise ConfigurationError(
            "image",
            value,
            f"must be an alias of the repositories passed ({aliases}) or a full image "
            "reference; a bare name this close to an alias is taken for a misspelt alias, "
            "not a Docker Hub image (write a Docker Hub image as "
            f"docker.io/library/{name}:<tag>){hint}",
        )


def _container(raw: dict[str, Any], repos: Repositories) -> ContainerSpec:
    name = raw["name"]
    image = _image(raw["image"], repos)
    kwargs: dict[str, Any] = {}

    mappings, ranges = [], []
    for index, item in enumerate(raw.get("portMappings", [])):
        with at(f"portMappings[{index}]"):
            if "containerPortRange" in item:
                for key in ("containerPort", "hostPort", "name", "appProtocol"):
                    if key in item:
                        raise ConfigurationError(
                            key, item[key], "cannot be combined with containerPortRange"
                        )
                ranges.append(
                    PortRange(
                        container_port_range=item["containerPortRange"],
                        protocol=item.get("protocol", "tcp"),
                    )
                )
                continue
            if "containerPort" not in item:
                raise ConfigurationError(
                    "containerPort", None, "is required (or give a containerPortRange)"
                )
            mappings.append(
                PortMapping(
                    container_port=item["containerPort"],
                    host_port=item.get("hostPort"),
                    protocol=item.get("protocol", "tcp"),
                    name=item.get("name"),
                    app_protocol=item.get("appProtocol"),
                )
            )
    kwargs["port_mappings"] = mappings
    kwargs["port_ranges"] = ranges

    with at("environment"):
        kwargs["environment"] = _pairs(raw.get("environment", []), "name", "value")
    with at("secrets"):
        kwargs["secrets"] = _pairs(raw.get("secrets", []), "name", "valueFrom")
    with at("systemControls"):
        kwargs["system_controls"] = _pairs(raw.get("systemControls", []), "namespace", "value")
    files = []
    for index, item in enumerate(raw.get("environmentFiles", [])):
        with at(f"environmentFiles[{index}]"):
            if item["type"] != "s3":
                raise ConfigurationError("type", item["type"], 'must be "s3"')
            files.append(item["value"])
    kwargs["environment_files"] = files

    for json_name, attr, build in (
        ("dependsOn", "depends_on", _dependency),
        ("volumesFrom", "volumes_from", _volume_from),
        ("mountPoints", "mount_points", _mount_point),
        ("extraHosts", "extra_hosts", _host_entry),
        ("ulimits", "ulimits", _ulimit),
    ):
        built = []
        for index, item in enumerate(raw.get(json_name, [])):
            with at(f"{json_name}[{index}]"):
                built.append(build(item))
        kwargs[attr] = built

    for json_name, attr, build_one in (
        ("healthCheck", "health_check", _health_check),
        ("logConfiguration", "log_configuration", _log_configuration),
        ("linuxParameters", "linux_parameters", _linux_parameters),
        ("firelensConfiguration", "firelens_configuration", _firelens),
        ("restartPolicy", "restart_policy", _restart_policy),
    ):
        if json_name in raw:
            with at(json_name):
                kwargs[attr] = build_one(raw[json_name])

    if raw.get("resourceRequirements"):
        kwargs["gpu_count"] = _gpu_count(raw["resourceRequirements"])
    if "repositoryCredentials" in raw:
        kwargs["repository_credentials"] = raw["repositoryCredentials"]["credentialsParameter"]

    for json_name, attr in (
        ("cpu", "cpu"),
        ("memory", "memory_mib"),
        ("memoryReservation", "memory_reservation_mib"),
        ("essential", "essential"),
        ("links", "links"),
        ("command", "command"),
        ("entryPoint", "entry_point"),
        ("workingDirectory", "working_directory"),
        ("user", "user"),
        ("hostname", "hostname"),
        ("dockerLabels", "docker_labels"),
        ("dockerSecurityOptions", "docker_security_options"),
        ("dnsServers", "dns_servers"),
        ("dnsSearchDomains", "dns_search_domains"),
        ("privileged", "privileged"),
        ("readonlyRootFilesystem", "readonly_root_filesystem"),
        ("disableNetworking", "disable_networking"),
        ("interactive", "interactive"),
        ("pseudoTerminal", "pseudo_terminal"),
        ("startTimeout", "start_timeout_seconds"),
        ("stopTimeout", "stop_timeout_seconds"),
        ("credentialSpecs", "credential_specs"),
        ("versionConsistency", "version_consistency"),
    ):
        if json_name in raw:
            kwargs[attr] = raw[json_name]
    return ContainerSpec(name=name, image=image, **kwargs)


def _gpu_count(items: list[dict[str, Any]]) -> int:
    count: int | None = None
    for index, item in enumerate(items):
        path = f"resourceRequirements[{index}]"
        kind, value = item["type"], item["value"]
        if kind == "InferenceAccelerator":
            raise ConfigurationError(
                f"{path}.type",
                kind,
                "Amazon Elastic Inference is retired (no new accelerators since April 2023); "
                'use a GPU instance type with {"type": "GPU"}',
            )
        if kind != "GPU":
            raise ConfigurationError(f"{path}.type", kind, 'must be "GPU"')
        if count is not None:
            raise ConfigurationError(f"{path}.type", kind, "GPU is set twice")
        if not value.isdigit() or int(value) < 1:
            raise ConfigurationError(
                f"{path}.value", value, 'must be the number of GPUs as a string, e.g. "1"'
            )
        count = int(value)
    assert count is not None  # the caller passes a non-empty list
    return count


def _dependency(raw: dict[str, Any]) -> ContainerDependency:
    return ContainerDependency(container_name=raw["containerName"], condition=raw["condition"])


def _volume_from(raw: dict[str, Any]) -> VolumeFrom:
    return VolumeFrom(source_container=raw["sourceContainer"], read_only=raw.get("readOnly"))


def _mount_point(raw: dict[str, Any]) -> MountPoint:
    return MountPoint(
        source_volume=raw["sourceVolume"],
        container_path=raw["containerPath"],
        read_only=raw.get("readOnly"),
    )


def _host_entry(raw: dict[str, Any]) -> HostEntry:
    return HostEntry(hostname=raw["hostname"], ip_address=raw["ipAddress"])


def _ulimit(raw: dict[str, Any]) -> Ulimit:
    return Ulimit(name=raw["name"], soft_limit=raw["softLimit"], hard_limit=raw["hardLimit"])


def _health_check(raw: dict[str, Any]) -> HealthCheck:
    return HealthCheck(
        command=raw["command"],
        interval_seconds=raw.get("interval"),
        timeout_seconds=raw.get("timeout"),
        retries=raw.get("retries"),
        start_period_seconds=raw.get("startPeriod"),
    )


def _log_configuration(raw: dict[str, Any]) -> LogConfiguration:
    with at("secretOptions"):
        secret_options = _pairs(raw.get("secretOptions", []), "name", "valueFrom")
    return LogConfiguration(
        log_driver=raw["logDriver"], options=raw.get("options", {}), secret_options=secret_options
    )


def _linux_parameters(raw: dict[str, Any]) -> LinuxParameters:
    capabilities = raw.get("capabilities", {})
    devices = []
    for index, item in enumerate(raw.get("devices", [])):
        with at(f"devices[{index}]"):
            devices.append(
                Device(
                    host_path=item["hostPath"],
                    container_path=item.get("containerPath"),
                    permissions=item.get("permissions", []),
                )
            )
    tmpfs = []
    for index, item in enumerate(raw.get("tmpfs", [])):
        with at(f"tmpfs[{index}]"):
            tmpfs.append(
                Tmpfs(
                    container_path=item["containerPath"],
                    size_mib=item["size"],
                    mount_options=item.get("mountOptions", []),
                )
            )
    return LinuxParameters(
        capabilities_add=capabilities.get("add", []),
        capabilities_drop=capabilities.get("drop", []),
        devices=devices,
        init_process_enabled=raw.get("initProcessEnabled"),
        shared_memory_size_mib=raw.get("sharedMemorySize"),
        tmpfs=tmpfs,
        max_swap_mib=raw.get("maxSwap"),
        swappiness=raw.get("swappiness"),
    )


def _firelens(raw: dict[str, Any]) -> FirelensConfiguration:
    return FirelensConfiguration(type=raw["type"], options=raw.get("options", {}))


def _restart_policy(raw: dict[str, Any]) -> RestartPolicy:
    return RestartPolicy(
        enabled=raw["enabled"],
        ignored_exit_codes=raw.get("ignoredExitCodes", []),
        restart_attempt_period_seconds=raw.get("restartAttemptPeriod"),
    )


# --------------------------------------------------------------------------- volumes


def _volume(raw: dict[str, Any]) -> Volume:
    docker = None
    if "dockerVolumeConfiguration" in raw:
        with at("dockerVolumeConfiguration"):
            item = raw["dockerVolumeConfiguration"]
            docker = DockerVolumeConfiguration(
                scope=item.get("scope"),
                autoprovision=item.get("autoprovision"),
                driver=item.get("driver"),
                driver_opts=item.get("driverOpts", {}),
                labels=item.get("labels", {}),
            )
    efs = None
    if "efsVolumeConfiguration" in raw:
        with at("efsVolumeConfiguration"):
            item = raw["efsVolumeConfiguration"]
            authorization = item.get("authorizationConfig", {})
            efs = EfsVolumeConfiguration(
                file_system_id=item["fileSystemId"],
                root_directory=item.get("rootDirectory"),
                transit_encryption=item.get("transitEncryption"),
                transit_encryption_port=item.get("transitEncryptionPort"),
                access_point_id=authorization.get("accessPointId"),
                iam=authorization.get("iam"),
            )
    return Volume(
        name=raw["name"],
        host_source_path=raw.get("host", {}).get("sourcePath"),
        docker=docker,
        efs=efs,
        configured_at_launch=raw.get("configuredAtLaunch"),
    )
