"""The task-definition model: frozen dataclasses, validated when they are created.

``TaskDefinitionSpec.from_file/from_json/from_dict`` (the JSON importer) and the Python
constructors produce the same objects and run the same checks. Error messages name fields by
their ECS JSON names (``containerDefinitions[1].portMappings[0].hostPort``), for Python input
too, so one vocabulary covers the ECS documentation, JSON files and this API.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from aws_cdk import aws_ecs as ecs

from constructs_ecs.errors import ConfigurationError, closest
from constructs_ecs.taskdef import references
from constructs_ecs.taskdef._common import (
    check_bool,
    check_choice,
    check_int,
    check_name,
    check_optional_int,
    check_optional_str,
    check_str,
    check_str_list,
    check_str_map,
)
from constructs_ecs.taskdef.units import MIN_CONTAINER_MEMORY_MIB, TASK_CPU_MAX

if TYPE_CHECKING:
    from aws_cdk import aws_logs as logs
    from constructs import Construct

    from constructs_ecs.taskdef.bind import BoundTaskDefinition

__all__ = [
    "ContainerDependency",
    "ContainerSpec",
    "Device",
    "DockerVolumeConfiguration",
    "EfsVolumeConfiguration",
    "FirelensConfiguration",
    "HealthCheck",
    "HostEntry",
    "ImageRepositoryLike",
    "LinuxParameters",
    "LogConfiguration",
    "MountPoint",
    "PortMapping",
    "PortRange",
    "ProxyConfiguration",
    "ResourceNeeds",
    "RestartPolicy",
    "TaskDefinitionSpec",
    "Tmpfs",
    "Ulimit",
    "Volume",
    "VolumeFrom",
]

NETWORK_MODES = ("bridge", "host", "awsvpc", "none")
PROTOCOLS = ("tcp", "udp")
APP_PROTOCOLS = ("http", "http2", "grpc")
LOG_DRIVERS = (
    "awslogs",
    "fluentd",
    "gelf",
    "json-file",
    "journald",
    "logentries",
    "splunk",
    "syslog",
    "awsfirelens",
    "none",
)
#: The awslogs options ECS documents (and cfn-lint accepts).
AWSLOGS_OPTIONS = (
    "awslogs-create-group",
    "awslogs-datetime-format",
    "awslogs-group",
    "awslogs-multiline-pattern",
    "awslogs-region",
    "awslogs-stream-prefix",
    "max-buffer-size",
    "mode",
)
ULIMIT_NAMES = (
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
)
DEPENDENCY_CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")
CAPABILITIES = (
    "ALL",
    "AUDIT_CONTROL",
    "AUDIT_WRITE",
    "BLOCK_SUSPEND",
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "IPC_LOCK",
    "IPC_OWNER",
    "KILL",
    "LEASE",
    "LINUX_IMMUTABLE",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "MKNOD",
    "NET_ADMIN",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_CHROOT",
    "SYS_MODULE",
    "SYS_NICE",
    "SYS_PACCT",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "SYSLOG",
    "WAKE_ALARM",
)
DEVICE_PERMISSIONS = ("read", "write", "mknod")
TMPFS_MOUNT_OPTIONS = (
    "defaults",
    "ro",
    "rw",
    "suid",
    "nosuid",
    "dev",
    "nodev",
    "exec",
    "noexec",
    "sync",
    "async",
    "dirsync",
    "remount",
    "mand",
    "nomand",
    "atime",
    "noatime",
    "diratime",
    "nodiratime",
    "bind",
    "rbind",
    "unbindable",
    "runbindable",
    "private",
    "rprivate",
    "shared",
    "rshared",
    "slave",
    "rslave",
    "relatime",
    "norelatime",
    "strictatime",
    "nostrictatime",
    "mode",
    "uid",
    "gid",
    "nr_inodes",
    "nr_blocks",
    "mpol",
)
_TMPFS_VALUED = ("mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol", "size")
FIRELENS_TYPES = ("fluentbit", "fluentd")
FIRELENS_OPTIONS = ("enable-ecs-log-metadata", "config-file-type", "config-file-value")
CPU_ARCHITECTURES = ("X86_64", "ARM64")
PID_MODES = ("host", "task")
IPC_MODES = ("host", "task", "none")
#: Ports the ECS agent reserves on every instance by default (ECS_RESERVED_PORTS).
AGENT_RESERVED_PORTS = (22, 2375, 2376, 51678, 51679)
#: ECS quota: containers per task definition.
MAX_CONTAINERS = 10
MAX_PLACEMENT_CONSTRAINTS = 10
#: Container CPU units: a container cannot reserve more than the largest EC2 task may.
CONTAINER_CPU_MAX = TASK_CPU_MAX

_PORT_NAME = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,63}$")
_PORT_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$")
_LINK = re.compile(r"^([A-Za-z0-9_-]{1,255})(?::([A-Za-z0-9_-]{1,255}))?$")
_ENV_NAME_FORBIDDEN = re.compile(r"[=\s\x00]")
_SECRET_LIKE = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL", re.I)
_SECURITY_OPTION = re.compile(r"^(no-new-privileges|apparmor:.+|label:.+|credentialspec:.+)$")
_CREDENTIAL_SPEC = re.compile(r"^(credentialspec|credentialspecdomainless):.+$")


def _to_tuple(name: str, value: object) -> tuple[Any, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise ConfigurationError(name, value, "must be a list")
    return tuple(value)


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _freeze_seq(obj: object, attr: str, json_name: str) -> tuple[Any, ...]:
    values = _to_tuple(json_name, getattr(obj, attr))
    _set(obj, attr, values)
    return values


def _freeze_map(obj: object, attr: str, json_name: str) -> dict[str, Any]:
    values = getattr(obj, attr)
    if not isinstance(values, Mapping):
        raise ConfigurationError(json_name, values, "must be a mapping")
    frozen = dict(values)
    _set(obj, attr, frozen)
    return frozen


def _check_items(json_name: str, values: tuple[Any, ...], kind: type) -> None:
    for index, item in enumerate(values):
        if not isinstance(item, kind):
            raise ConfigurationError(f"{json_name}[{index}]", item, f"must be a {kind.__name__}")


def _check_value_from(field_name: str, value: object) -> None:
    references.parse_value_from(field_name, value)


@runtime_checkable
class ImageRepositoryLike(Protocol):
    """What the importer needs of an image repository: ``image(tag)`` -> a container image.

    ``constructs_ecs.ImageRepository`` is one; binding its image grants the execution role
    pull on that repository only.
    """

    def image(self, tag: str) -> ecs.ContainerImage: ...


# --------------------------------------------------------------------------- containers


@dataclass(frozen=True, kw_only=True)
class PortMapping:
    """A container port, published on the instance (bridge, host) or on the task's ENI (awsvpc).

    ``host_port`` omitted or 0 in bridge mode: a dynamic host port from the agent's range.
    In host and awsvpc modes the host port is the container port.
    """

    container_port: int
    """The port the container listens on (1-65535)."""
    host_port: int | None = None
    """The instance port (bridge mode); omitted or 0 means dynamic."""
    protocol: str = "tcp"
    """``tcp`` (the default) or ``udp``."""
    name: str | None = None
    """A name for Service Connect (lowercase letters, digits, ``_``, ``-``); omitted: unnamed."""
    app_protocol: str | None = None
    """``http``, ``http2`` or ``grpc`` for Service Connect; omitted: none (requires ``name``)."""

    def __post_init__(self) -> None:
        check_int("containerPort", self.container_port, minimum=1, maximum=65535)
        check_optional_int("hostPort", self.host_port, minimum=0, maximum=65535)
        check_choice("protocol", self.protocol, PROTOCOLS)
        if self.name is not None and (
            not isinstance(self.name, str) or not _PORT_NAME.match(self.name)
        ):
            raise ConfigurationError(
                "name",
                self.name,
                "must be 1-64 lowercase letters, digits, underscores and hyphens, "
                "not starting with a hyphen",
            )
        if self.app_protocol is not None:
            check_choice("appProtocol", self.app_protocol, APP_PROTOCOLS)
            if self.name is None:
                raise ConfigurationError(
                    "appProtocol", self.app_protocol, "needs a port-mapping 'name' as well"
                )


@dataclass(frozen=True, kw_only=True)
class PortRange:
    """A range of container ports (``containerPortRange`` "8000-8099"), dynamic host ports."""

    container_port_range: str
    protocol: str = "tcp"

    def __post_init__(self) -> None:
        value = self.container_port_range
        match = _PORT_RANGE.match(value) if isinstance(value, str) else None
        low, high = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
        if match is None or not 1 <= low < high <= 65535:
            raise ConfigurationError(
                "containerPortRange",
                value,
                'must be "<first>-<last>" with 1 <= first < last <= 65535',
            )
        check_choice("protocol", self.protocol, PROTOCOLS)

    @property
    def ports(self) -> tuple[int, int]:
        low, high = self.container_port_range.split("-")
        return int(low), int(high)


@dataclass(frozen=True, kw_only=True)
class HealthCheck:
    """A Docker health check run by the agent.

    Omitted timings take ECS's defaults (interval 30 s, timeout 5 s, 3 retries, no start period).
    """

    command: Sequence[str]
    """Exec form ``["CMD", "curl", "-f", "http://localhost/"]`` or shell form
    ``["CMD-SHELL", "curl -f http://localhost/ || exit 1"]``."""
    interval_seconds: int | None = None
    """5-300 s."""
    timeout_seconds: int | None = None
    """2-60 s."""
    retries: int | None = None
    """1-10."""
    start_period_seconds: int | None = None
    """0-300 s of grace after the container starts."""

    def __post_init__(self) -> None:
        command = _freeze_seq(self, "command", "command")
        check_str_list("command", command)
        if len(command) < 2 or command[0] not in ("CMD", "CMD-SHELL"):
            raise ConfigurationError(
                "command",
                list(command),
                'must start with "CMD" (exec form) or "CMD-SHELL" (shell form), followed by '
                "the command",
            )
        check_optional_int("interval", self.interval_seconds, minimum=5, maximum=300, what="s")
        check_optional_int("timeout", self.timeout_seconds, minimum=2, maximum=60, what="s")
        check_optional_int("retries", self.retries, minimum=1, maximum=10)
        check_optional_int(
            "startPeriod", self.start_period_seconds, minimum=0, maximum=300, what="s"
        )


@dataclass(frozen=True, kw_only=True)
class LogConfiguration:
    """A container's log driver, used as given (omit it to log to the service's log group)."""

    log_driver: str
    """One of awslogs, fluentd, gelf, json-file, journald, logentries, splunk, syslog,
    awsfirelens, none."""
    options: Mapping[str, str] = field(default_factory=dict)
    """Driver options, strings only; omitted: none."""
    secret_options: Mapping[str, str] = field(default_factory=dict)
    """Option name -> ``valueFrom`` (SSM parameter or Secrets Manager ARN); omitted: none."""

    def __post_init__(self) -> None:
        check_choice("logDriver", self.log_driver, LOG_DRIVERS)
        options = _freeze_map(self, "options", "options")
        check_str_map("options", options, what="option value")
        secrets = _freeze_map(self, "secret_options", "secretOptions")
        for name, value_from in secrets.items():
            check_str("secretOptions", name)
            _check_value_from(f"secretOptions.{name}", value_from)
        if self.log_driver == "awslogs":
            for key in options:
                if key not in AWSLOGS_OPTIONS:
                    raise ConfigurationError(
                        f"options.{key}",
                        options[key],
                        "is not an awslogs option"
                        f"{closest(key, AWSLOGS_OPTIONS)}; awslogs takes "
                        + ", ".join(AWSLOGS_OPTIONS),
                    )
            for required in ("awslogs-group", "awslogs-region"):
                if not options.get(required):
                    raise ConfigurationError(
                        f"options.{required}",
                        None,
                        "the awslogs driver needs awslogs-group and awslogs-region (omit "
                        "logConfiguration to log to the service's own log group)",
                    )
            create = options.get("awslogs-create-group")
            if create is not None and create.lower() not in ("true", "false"):
                raise ConfigurationError(
                    "options.awslogs-create-group", create, 'must be "true" or "false"'
                )


@dataclass(frozen=True, kw_only=True)
class ContainerDependency:
    """Start this container after ``container_name`` reaches ``condition``."""

    container_name: str
    condition: str
    """START, COMPLETE, SUCCESS or HEALTHY (the target then needs a health check)."""

    def __post_init__(self) -> None:
        check_name("containerName", self.container_name)
        check_choice("condition", self.condition, DEPENDENCY_CONDITIONS)


@dataclass(frozen=True, kw_only=True)
class VolumeFrom:
    """Mount every volume of ``source_container``."""

    source_container: str
    read_only: bool | None = None
    """Omitted: read-write."""

    def __post_init__(self) -> None:
        check_name("sourceContainer", self.source_container)
        check_bool("readOnly", self.read_only)


@dataclass(frozen=True, kw_only=True)
class MountPoint:
    """Mount the task volume ``source_volume`` at ``container_path``."""

    source_volume: str
    container_path: str
    read_only: bool | None = None
    """Omitted: read-write."""

    def __post_init__(self) -> None:
        check_str("sourceVolume", self.source_volume)
        check_str("containerPath", self.container_path)
        check_bool("readOnly", self.read_only)


@dataclass(frozen=True, kw_only=True)
class Device:
    """A host device exposed to the container."""

    host_path: str
    container_path: str | None = None
    """Omitted: the host path."""
    permissions: Sequence[str] = ()
    """read, write, mknod; omitted: all three."""

    def __post_init__(self) -> None:
        check_str("hostPath", self.host_path)
        check_optional_str("containerPath", self.container_path)
        for index, permission in enumerate(_freeze_seq(self, "permissions", "permissions")):
            check_choice(f"permissions[{index}]", permission, DEVICE_PERMISSIONS)


@dataclass(frozen=True, kw_only=True)
class Tmpfs:
    """A tmpfs mount of ``size_mib`` MiB at ``container_path``."""

    container_path: str
    size_mib: int
    mount_options: Sequence[str] = ()
    """Omitted: Docker's defaults."""

    def __post_init__(self) -> None:
        check_str("containerPath", self.container_path)
        check_int("size", self.size_mib, minimum=1, what="MiB")
        for index, option in enumerate(_freeze_seq(self, "mount_options", "mountOptions")):
            name = option.split("=", 1)[0] if isinstance(option, str) else option
            valued = isinstance(option, str) and "=" in option
            if (valued and name not in _TMPFS_VALUED) or (
                not valued and name not in TMPFS_MOUNT_OPTIONS
            ):
                raise ConfigurationError(
                    f"mountOptions[{index}]",
                    option,
                    "must be a tmpfs mount option (" + ", ".join(TMPFS_MOUNT_OPTIONS) + ")",
                )


@dataclass(frozen=True, kw_only=True)
class LinuxParameters:
    """Linux-specific container settings (``linuxParameters``)."""

    capabilities_add: Sequence[str] = ()
    capabilities_drop: Sequence[str] = ()
    devices: Sequence[Device] = ()
    init_process_enabled: bool | None = None
    """Run an init process (PID 1) that reaps zombies; omitted: Docker's default (off)."""
    shared_memory_size_mib: int | None = None
    """/dev/shm size; omitted: Docker's default (64 MiB)."""
    tmpfs: Sequence[Tmpfs] = ()
    max_swap_mib: int | None = None
    """Swap the container may use; omitted: the instance's default; 0: none."""
    swappiness: int | None = None
    """0-100; omitted: 60."""

    def __post_init__(self) -> None:
        for attr, json_name in (
            ("capabilities_add", "capabilities.add"),
            ("capabilities_drop", "capabilities.drop"),
        ):
            for index, capability in enumerate(_freeze_seq(self, attr, json_name)):
                check_choice(f"{json_name}[{index}]", capability, CAPABILITIES)
        _check_items("devices", _freeze_seq(self, "devices", "devices"), Device)
        _check_items("tmpfs", _freeze_seq(self, "tmpfs", "tmpfs"), Tmpfs)
        check_bool("initProcessEnabled", self.init_process_enabled)
        check_optional_int("sharedMemorySize", self.shared_memory_size_mib, minimum=1, what="MiB")
        check_optional_int("maxSwap", self.max_swap_mib, minimum=0, what="MiB")
        check_optional_int("swappiness", self.swappiness, minimum=0, maximum=100)


@dataclass(frozen=True, kw_only=True)
class Ulimit:
    """A resource limit (``ulimit``) for the container's processes."""

    name: str
    soft_limit: int
    hard_limit: int

    def __post_init__(self) -> None:
        check_choice("name", self.name, ULIMIT_NAMES)
        check_int("softLimit", self.soft_limit, minimum=-1)
        check_int("hardLimit", self.hard_limit, minimum=-1)
        if self.hard_limit != -1 and (self.soft_limit == -1 or self.soft_limit > self.hard_limit):
            raise ConfigurationError(
                "softLimit", self.soft_limit, f"must not exceed hardLimit ({self.hard_limit})"
            )


@dataclass(frozen=True, kw_only=True)
class HostEntry:
    """An ``/etc/hosts`` entry (``extraHosts``)."""

    hostname: str
    ip_address: str

    def __post_init__(self) -> None:
        check_str("hostname", self.hostname)
        check_str("ipAddress", self.ip_address)
        try:
            ipaddress.ip_address(self.ip_address)
        except ValueError:
            raise ConfigurationError(
                "ipAddress", self.ip_address, "must be an IPv4 or IPv6 address"
            ) from None


@dataclass(frozen=True, kw_only=True)
class FirelensConfiguration:
    """Makes this container the task's FireLens log router."""

    type: str
    """``fluentbit`` or ``fluentd``."""
    options: Mapping[str, str] = field(default_factory=dict)
    """enable-ecs-log-metadata, config-file-type (s3 or file), config-file-value; omitted: none."""

    def __post_init__(self) -> None:
        check_choice("type", self.type, FIRELENS_TYPES)
        options = _freeze_map(self, "options", "options")
        check_str_map("options", options, what="option value")
        for key in options:
            if key not in FIRELENS_OPTIONS:
                raise ConfigurationError(
                    f"options.{key}",
                    options[key],
                    f"is not a FireLens option{closest(key, FIRELENS_OPTIONS)}; allowed: "
                    + ", ".join(FIRELENS_OPTIONS),
                )
        file_type = options.get("config-file-type")
        file_value = options.get("config-file-value")
        if (file_type is None) != (file_value is None):
            raise ConfigurationError(
                "options",
                options,
                "config-file-type and config-file-value go together",
            )
        if file_type is not None:
            check_choice("options.config-file-type", file_type, ("s3", "file"))
            if file_type == "s3":
                references.parse_s3_object("options.config-file-value", file_value)
        metadata = options.get("enable-ecs-log-metadata")
        if metadata is not None and metadata not in ("true", "false"):
            raise ConfigurationError(
                "options.enable-ecs-log-metadata", metadata, 'must be "true" or "false"'
            )

    @property
    def s3_config(self) -> references.S3ObjectRef | None:
        if self.options.get("config-file-type") != "s3":
            return None
        return references.parse_s3_object(
            "options.config-file-value", self.options["config-file-value"]
        )


@dataclass(frozen=True, kw_only=True)
class RestartPolicy:
    """Restart the container in place when it exits (agent 1.86+)."""

    enabled: bool
    ignored_exit_codes: Sequence[int] = ()
    """Exit codes that do not trigger a restart (at most 50); omitted: none."""
    restart_attempt_period_seconds: int | None = None
    """60-1800 s the container must run before a restart is attempted; omitted: 300."""

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise ConfigurationError("enabled", self.enabled, "must be true or false")
        codes = _freeze_seq(self, "ignored_exit_codes", "ignoredExitCodes")
        if len(codes) > 50:
            raise ConfigurationError("ignoredExitCodes", list(codes), "must hold at most 50 codes")
        for index, code in enumerate(codes):
            check_int(f"ignoredExitCodes[{index}]", code)
        check_optional_int(
            "restartAttemptPeriod",
            self.restart_attempt_period_seconds,
            minimum=60,
            maximum=1800,
            what="s",
        )
        if not self.enabled and (codes or self.restart_attempt_period_seconds is not None):
            raise ConfigurationError(
                "enabled",
                self.enabled,
                "must be true when ignoredExitCodes or restartAttemptPeriod is set",
            )


@dataclass(frozen=True, kw_only=True)
class ContainerSpec:
    """One container of a task (``containerDefinitions[i]``).

    Only ``name`` and ``image`` are required. Omitted fields are left to ECS and Docker (no
    CPU reservation, not privileged, the image's command and user, ...); ``essential``
    defaults to true as in ECS; without ``log_configuration`` the container logs to the
    service's log group through awslogs (stream prefix: the container name).
    """

    name: str
    """1-255 letters, digits, hyphens, underscores; unique in the task."""
    image: str | ecs.ContainerImage
    """A registry reference (``nginx:1.27``), or a ``ContainerImage`` such as
    ``repository.image("1.4.2")``. Private ECR URIs get pull permission on their repository."""
    cpu: int | None = None
    """CPU units reserved (1024 = one vCPU); omitted: no reservation."""
    memory_mib: int | None = None
    """Hard memory limit (``memory``), at least 6 MiB; omitted: no limit."""
    memory_reservation_mib: int | None = None
    """Soft limit reserved on the instance (``memoryReservation``); omitted: the hard limit."""
    essential: bool = True
    """Whether the task stops when this container stops (ECS's default: true)."""
    port_mappings: Sequence[PortMapping] = ()
    port_ranges: Sequence[PortRange] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    """Plain configuration (strings); put credentials in ``secrets``."""
    environment_files: Sequence[str] = ()
    """S3 object ARNs of ``.env`` files; the execution role may read exactly those objects."""
    secrets: Mapping[str, str] = field(default_factory=dict)
    """Variable name -> ``valueFrom`` (SSM parameter name/ARN or Secrets Manager ARN, with an
    optional ``:json-key:version-stage:version-id``); the execution role may read exactly those."""
    command: Sequence[str] = ()
    """Omitted: the image's CMD."""
    entry_point: Sequence[str] = ()
    """Omitted: the image's ENTRYPOINT."""
    working_directory: str | None = None
    user: str | None = None
    hostname: str | None = None
    health_check: HealthCheck | None = None
    log_configuration: LogConfiguration | None = None
    links: Sequence[str] = ()
    """``name`` or ``name:alias`` of containers in the task (bridge mode only)."""
    depends_on: Sequence[ContainerDependency] = ()
    volumes_from: Sequence[VolumeFrom] = ()
    mount_points: Sequence[MountPoint] = ()
    linux_parameters: LinuxParameters | None = None
    ulimits: Sequence[Ulimit] = ()
    system_controls: Mapping[str, str] = field(default_factory=dict)
    """sysctl namespace -> value."""
    docker_labels: Mapping[str, str] = field(default_factory=dict)
    docker_security_options: Sequence[str] = ()
    """no-new-privileges, apparmor:PROFILE, label:VALUE, credentialspec:SPEC."""
    dns_servers: Sequence[str] = ()
    dns_search_domains: Sequence[str] = ()
    extra_hosts: Sequence[HostEntry] = ()
    privileged: bool | None = None
    readonly_root_filesystem: bool | None = None
    disable_networking: bool | None = None
    interactive: bool | None = None
    pseudo_terminal: bool | None = None
    start_timeout_seconds: int | None = None
    """How long to wait for dependencies before giving up; omitted: the agent's default."""
    stop_timeout_seconds: int | None = None
    """Grace between SIGTERM and SIGKILL; omitted: the agent's default (30 s)."""
    gpu_count: int | None = None
    """GPUs reserved (``resourceRequirements`` type GPU); omitted: none."""
    repository_credentials: str | None = None
    """Secrets Manager secret (ARN or name) with private-registry credentials; the execution
    role may read exactly that secret."""
    firelens_configuration: FirelensConfiguration | None = None
    credential_specs: Sequence[str] = ()
    """gMSA credential specs (``credentialspec:ARN``/``credentialspecdomainless:ARN``)."""
    restart_policy: RestartPolicy | None = None
    version_consistency: str | None = None
    """``enabled`` (pin the image digest at deploy, ECS's default) or ``disabled``."""

    def __post_init__(self) -> None:
        check_name("name", self.name)
        if isinstance(self.image, str):
            references.check_image("image", self.image)
        elif not isinstance(self.image, ecs.ContainerImage):
            raise ConfigurationError(
                "image", self.image, "must be an image reference string or an ecs.ContainerImage"
            )
        check_optional_int("cpu", self.cpu, minimum=0, maximum=CONTAINER_CPU_MAX, what="CPU units")
        check_optional_int("memory", self.memory_mib, minimum=MIN_CONTAINER_MEMORY_MIB, what="MiB")
        check_optional_int("memoryReservation", self.memory_reservation_mib, minimum=1, what="MiB")
        if (
            self.memory_mib is not None
            and self.memory_reservation_mib is not None
            and self.memory_reservation_mib > self.memory_mib
        ):
            raise ConfigurationError(
                "memoryReservation",
                self.memory_reservation_mib,
                f"must not exceed the container's memory limit ({self.memory_mib} MiB)",
            )
        if not isinstance(self.essential, bool):
            raise ConfigurationError("essential", self.essential, "must be true or false")
        self._check_ports()
        self._check_environment()
        self._check_lists()
        self._check_scalars()

    def _check_ports(self) -> None:
        mappings = _freeze_seq(self, "port_mappings", "portMappings")
        _check_items("portMappings", mappings, PortMapping)
        ranges = _freeze_seq(self, "port_ranges", "portMappings")
        _check_items("portMappings", ranges, PortRange)
        seen: dict[tuple[int, str], int] = {}
        for index, mapping in enumerate(mappings):
            key = (mapping.container_port, mapping.protocol)
            if key in seen:
                raise ConfigurationError(
                    f"portMappings[{index}].containerPort",
                    mapping.container_port,
                    f"is already mapped for {mapping.protocol} by portMappings[{seen[key]}]",
                )
            seen[key] = index

    def _check_environment(self) -> None:
        environment = _freeze_map(self, "environment", "environment")
        for name, value in environment.items():
            if not isinstance(name, str) or not name or _ENV_NAME_FORBIDDEN.search(name):
                raise ConfigurationError(
                    "environment",
                    name,
                    "variable names must be non-empty strings without '=', spaces or NUL",
                )
            if not isinstance(value, str):
                raise ConfigurationError(
                    f"environment.{name}",
                    value,
                    "must be a string (ECS accepts only string values; quote numbers and "
                    'booleans, e.g. "8080", "true")',
                )
        secrets = _freeze_map(self, "secrets", "secrets")
        for name, value_from in secrets.items():
            if not isinstance(name, str) or not name or _ENV_NAME_FORBIDDEN.search(name):
                raise ConfigurationError(
                    "secrets", name, "names must be non-empty strings without '=', spaces or NUL"
                )
            if name in environment:
                raise ConfigurationError(
                    f"secrets.{name}",
                    value_from,
                    "is also set in environment; a variable comes from one place",
                )
            _check_value_from(f"secrets.{name}", value_from)
        for index, arn in enumerate(_freeze_seq(self, "environment_files", "environmentFiles")):
            references.parse_s3_object(f"environmentFiles[{index}].value", arn, suffix=".env")

    def _check_lists(self) -> None:
        for attr, json_name in (
            ("command", "command"),
            ("entry_point", "entryPoint"),
            ("dns_search_domains", "dnsSearchDomains"),
        ):
            check_str_list(json_name, _freeze_seq(self, attr, json_name), allow_empty_items=True)
        for index, server in enumerate(_freeze_seq(self, "dns_servers", "dnsServers")):
            try:
                ipaddress.ip_address(server)
            except ValueError:
                raise ConfigurationError(
                    f"dnsServers[{index}]", server, "must be an IPv4 or IPv6 address"
                ) from None
        for index, link in enumerate(_freeze_seq(self, "links", "links")):
            if not isinstance(link, str) or not _LINK.match(link):
                raise ConfigurationError(
                    f"links[{index}]", link, "must be 'container' or 'container:alias'"
                )
        for index, option in enumerate(
            _freeze_seq(self, "docker_security_options", "dockerSecurityOptions")
        ):
            if not isinstance(option, str) or not _SECURITY_OPTION.match(option):
                raise ConfigurationError(
                    f"dockerSecurityOptions[{index}]",
                    option,
                    "must be no-new-privileges, apparmor:PROFILE, label:VALUE or "
                    "credentialspec:SPEC",
                )
        for index, spec in enumerate(_freeze_seq(self, "credential_specs", "credentialSpecs")):
            if not isinstance(spec, str) or not _CREDENTIAL_SPEC.match(spec):
                raise ConfigurationError(
                    f"credentialSpecs[{index}]",
                    spec,
                    "must be credentialspec:<ARN> or credentialspecdomainless:<ARN>",
                )
        _check_items("dependsOn", _freeze_seq(self, "depends_on", "dependsOn"), ContainerDependency)
        _check_items("volumesFrom", _freeze_seq(self, "volumes_from", "volumesFrom"), VolumeFrom)
        _check_items("mountPoints", _freeze_seq(self, "mount_points", "mountPoints"), MountPoint)
        _check_items("extraHosts", _freeze_seq(self, "extra_hosts", "extraHosts"), HostEntry)
        ulimits = _freeze_seq(self, "ulimits", "ulimits")
        _check_items("ulimits", ulimits, Ulimit)
        names = [u.name for u in ulimits]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise ConfigurationError(f"ulimits[{index}].name", name, "is set twice")
        paths = [m.container_path for m in self.mount_points]
        for index, path in enumerate(paths):
            if path in paths[:index]:
                raise ConfigurationError(
                    f"mountPoints[{index}].containerPath", path, "is mounted twice"
                )
        check_str_map("systemControls", _freeze_map(self, "system_controls", "systemControls"))
        check_str_map(
            "dockerLabels", _freeze_map(self, "docker_labels", "dockerLabels"), what="label"
        )

    def _check_scalars(self) -> None:
        for attr, json_name in (
            ("working_directory", "workingDirectory"),
            ("user", "user"),
            ("hostname", "hostname"),
        ):
            check_optional_str(json_name, getattr(self, attr))
        for attr, json_name in (
            ("privileged", "privileged"),
            ("readonly_root_filesystem", "readonlyRootFilesystem"),
            ("disable_networking", "disableNetworking"),
            ("interactive", "interactive"),
            ("pseudo_terminal", "pseudoTerminal"),
        ):
            check_bool(json_name, getattr(self, attr))
        check_optional_int("startTimeout", self.start_timeout_seconds, minimum=0, what="s")
        check_optional_int("stopTimeout", self.stop_timeout_seconds, minimum=0, what="s")
        check_optional_int("resourceRequirements[GPU].value", self.gpu_count, minimum=1)
        if self.repository_credentials is not None:
            references.parse_value_from(
                "repositoryCredentials.credentialsParameter",
                self.repository_credentials,
                allow_secret_name=True,
            )
        for attr, kind, json_name in (
            ("health_check", HealthCheck, "healthCheck"),
            ("log_configuration", LogConfiguration, "logConfiguration"),
            ("linux_parameters", LinuxParameters, "linuxParameters"),
            ("firelens_configuration", FirelensConfiguration, "firelensConfiguration"),
            ("restart_policy", RestartPolicy, "restartPolicy"),
        ):
            value = getattr(self, attr)
            if value is not None and not isinstance(value, kind):
                raise ConfigurationError(json_name, value, f"must be a {kind.__name__}")
        if self.version_consistency is not None:
            check_choice("versionConsistency", self.version_consistency, ("enabled", "disabled"))

    @property
    def memory_reserved_mib(self) -> int:
        """What the scheduler reserves for this container: the reservation, else the limit."""
        if self.memory_reservation_mib is not None:
            return self.memory_reservation_mib
        return self.memory_mib or 0

    def secret_like_environment(self) -> tuple[str, ...]:
        """Environment variable names that look like credentials (they belong in secrets)."""
        return tuple(name for name in self.environment if _SECRET_LIKE.search(name))


# --------------------------------------------------------------------------- volumes


@dataclass(frozen=True, kw_only=True)
class DockerVolumeConfiguration:
    """A Docker volume managed by a volume driver."""

    scope: str | None = None
    """``task`` (deleted with the task) or ``shared`` (outlives it); omitted: task."""
    autoprovision: bool | None = None
    """Create the shared volume if missing (shared scope only); omitted: false."""
    driver: str | None = None
    """Omitted: Docker's ``local`` driver."""
    driver_opts: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.scope is not None:
            check_choice("scope", self.scope, ("task", "shared"))
        check_bool("autoprovision", self.autoprovision)
        if self.autoprovision and self.scope != "shared":
            raise ConfigurationError(
                "autoprovision", self.autoprovision, 'is only valid with scope "shared"'
            )
        check_optional_str("driver", self.driver)
        check_str_map("driverOpts", _freeze_map(self, "driver_opts", "driverOpts"))
        check_str_map("labels", _freeze_map(self, "labels", "labels"), what="label")


@dataclass(frozen=True, kw_only=True)
class EfsVolumeConfiguration:
    """An Amazon EFS file system mounted into the task."""

    file_system_id: str
    root_directory: str | None = None
    """Omitted: the file system's root."""
    transit_encryption: str | None = None
    """``ENABLED`` or ``DISABLED``; omitted: DISABLED."""
    transit_encryption_port: int | None = None
    access_point_id: str | None = None
    iam: str | None = None
    """``ENABLED`` mounts with the task role (which then gets ClientMount/ClientWrite)."""

    def __post_init__(self) -> None:
        if not isinstance(self.file_system_id, str) or not re.match(
            r"^fs-[0-9a-f]{8,40}$", self.file_system_id
        ):
            raise ConfigurationError(
                "fileSystemId", self.file_system_id, "must be an EFS file system id (fs-...)"
            )
        check_optional_str("rootDirectory", self.root_directory)
        if self.transit_encryption is not None:
            check_choice("transitEncryption", self.transit_encryption, ("ENABLED", "DISABLED"))
        check_optional_int(
            "transitEncryptionPort", self.transit_encryption_port, minimum=1, maximum=65535
        )
        if self.access_point_id is not None and (
            not isinstance(self.access_point_id, str)
            or not re.match(r"^fsap-[0-9a-f]{8,40}$", self.access_point_id)
        ):
            raise ConfigurationError(
                "authorizationConfig.accessPointId",
                self.access_point_id,
                "must be an EFS access point id (fsap-...)",
            )
        if self.iam is not None:
            check_choice("authorizationConfig.iam", self.iam, ("ENABLED", "DISABLED"))
        encrypted = self.transit_encryption == "ENABLED"
        if (self.iam == "ENABLED" or self.access_point_id) and not encrypted:
            raise ConfigurationError(
                "transitEncryption",
                self.transit_encryption,
                "must be ENABLED when authorizationConfig uses IAM or an access point",
            )
        if self.transit_encryption_port is not None and not encrypted:
            raise ConfigurationError(
                "transitEncryptionPort",
                self.transit_encryption_port,
                "needs transitEncryption ENABLED",
            )
        if self.access_point_id and self.root_directory not in (None, "/"):
            raise ConfigurationError(
                "rootDirectory",
                self.root_directory,
                'must be omitted or "/" with an access point (the access point sets the root)',
            )


@dataclass(frozen=True, kw_only=True)
class Volume:
    """A task volume that containers mount by ``name``.

    With none of ``host_source_path``, ``docker``, ``efs``: a Docker-managed data volume.
    """

    name: str
    host_source_path: str | None = None
    """Bind mount of this instance path (``host.sourcePath``)."""
    docker: DockerVolumeConfiguration | None = None
    efs: EfsVolumeConfiguration | None = None
    configured_at_launch: bool | None = None
    """The volume is given when the service or task is started (EBS); omitted: false."""

    def __post_init__(self) -> None:
        check_name("name", self.name)
        check_optional_str("host.sourcePath", self.host_source_path)
        check_bool("configuredAtLaunch", self.configured_at_launch)
        kinds = [
            key
            for key, value in (
                ("host", self.host_source_path),
                ("dockerVolumeConfiguration", self.docker),
                ("efsVolumeConfiguration", self.efs),
            )
            if value is not None
        ]
        if len(kinds) > 1:
            raise ConfigurationError(
                "name", self.name, f"a volume is one kind; this one sets {' and '.join(kinds)}"
            )
        if self.docker is not None and not isinstance(self.docker, DockerVolumeConfiguration):
            raise ConfigurationError(
                "dockerVolumeConfiguration", self.docker, "must be a DockerVolumeConfiguration"
            )
        if self.efs is not None and not isinstance(self.efs, EfsVolumeConfiguration):
            raise ConfigurationError(
                "efsVolumeConfiguration", self.efs, "must be an EfsVolumeConfiguration"
            )


@dataclass(frozen=True, kw_only=True)
class ProxyConfiguration:
    """The App Mesh proxy (``proxyConfiguration``); requires awsvpc network mode."""

    container_name: str
    properties: Mapping[str, str] = field(default_factory=dict)
    """IgnoredUID, IgnoredGID, AppPorts, ProxyIngressPort, ProxyEgressPort, EgressIgnoredPorts,
    EgressIgnoredIPs."""
    type: str = "APPMESH"

    def __post_init__(self) -> None:
        check_name("containerName", self.container_name)
        check_choice("type", self.type, ("APPMESH",))
        properties = _freeze_map(self, "properties", "properties")
        check_str_map("properties", properties, what="property value")
        allowed = (
            "IgnoredUID",
            "IgnoredGID",
            "AppPorts",
            "ProxyIngressPort",
            "ProxyEgressPort",
            "EgressIgnoredPorts",
            "EgressIgnoredIPs",
        )
        for key in properties:
            if key not in allowed:
                raise ConfigurationError(
                    f"properties.{key}",
                    properties[key],
                    f"is not an App Mesh proxy property{closest(key, allowed)}; allowed: "
                    + ", ".join(allowed),
                )


# --------------------------------------------------------------------------- task


@dataclass(frozen=True, kw_only=True)
class ResourceNeeds:
    """What the scheduler reserves on one instance for one task."""

    cpu_units: int
    memory_mib: int
    gpus: int


@dataclass(frozen=True, kw_only=True)
class TaskDefinitionSpec:
    """A task definition for ECS on EC2 (Linux), validated when created.

    Build it from ECS JSON (``from_file``, ``from_json``, ``from_dict``) or in Python::

        TaskDefinitionSpec(
            family="web",
            containers=[
                ContainerSpec(
                    name="web",
                    image="nginx:1.27",
                    memory_mib=256,
                    port_mappings=[PortMapping(container_port=80)],
                )
            ],
        )

    The services bind it (``bind``) to define the ``ecs.Ec2TaskDefinition``.
    """

    containers: Sequence[ContainerSpec]
    """1 to 10 containers, stored as a tuple, in order."""
    family: str | None = None
    """Omitted: CDK derives a unique family from the construct path."""
    network_mode: str = "bridge"
    """``bridge`` (the EC2 default), ``host``, ``awsvpc`` or ``none``."""
    cpu: int | None = None
    """Task CPU units (hard limit for the task, 128-196608); omitted: the containers' sum is
    reserved and there is no task-level limit."""
    memory_mib: int | None = None
    """Task memory (hard limit); omitted: the containers' limits apply, and each container
    must then set ``memory_mib`` or ``memory_reservation_mib``."""
    task_role_arn: str | None = None
    """An existing task role; omitted: a least-privilege task role is defined."""
    execution_role_arn: str | None = None
    """An existing execution role; omitted: an execution role is defined with exactly the
    permissions the containers need (image pulls, logs, secrets)."""
    volumes: Sequence[Volume] = ()
    placement_constraints: Sequence[str] = ()
    """``memberOf`` cluster-query expressions; omitted: none."""
    pid_mode: str | None = None
    """``host`` or ``task``; omitted: each container has its own PID namespace."""
    ipc_mode: str | None = None
    """``host``, ``task`` or ``none``; omitted: Docker's private IPC namespace."""
    proxy_configuration: ProxyConfiguration | None = None
    cpu_architecture: str | None = None
    """``X86_64`` or ``ARM64`` (``runtimePlatform.cpuArchitecture``); omitted: unspecified,
    the task runs on the cluster's architecture."""
    tags: Mapping[str, str] = field(default_factory=dict)
    enable_fault_injection: bool | None = None
    """Accept fault-injection requests (awsvpc or host mode); omitted: false."""
    notes: Sequence[str] = ()
    """What the importer changed on the way in (e.g. ``networkMode: default`` -> bridge);
    each becomes a warning on the task definition when it is bound."""

    # ------------------------------------------------------------------ import

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        repositories: Mapping[str, ImageRepositoryLike] | None = None,
    ) -> TaskDefinitionSpec:
        """Read ECS task-definition JSON (register or describe shape) from ``path``.

        ``repositories`` maps an alias to an image repository: an image ``"alias:tag"`` is
        bound to ``repository.image(tag)``; a bare ``name[:tag]`` close to an alias (a
        misspelt alias, e.g. ``"wbe:1.4.2"`` for ``"web"``) is an error rather than a Docker
        Hub image (write such an image as ``docker.io/library/name:tag``). Omitted: every
        image is a registry reference.
        """
        from constructs_ecs.taskdef.importer import load_file

        return load_file(path, repositories=repositories)

    @classmethod
    def from_json(
        cls,
        text: str,
        *,
        repositories: Mapping[str, ImageRepositoryLike] | None = None,
    ) -> TaskDefinitionSpec:
        """Parse ECS task-definition JSON text; see ``from_file``."""
        from constructs_ecs.taskdef.importer import load_json

        return load_json(text, repositories=repositories)

    @classmethod
    def from_dict(
        cls,
        mapping: Mapping[str, Any],
        *,
        repositories: Mapping[str, ImageRepositoryLike] | None = None,
    ) -> TaskDefinitionSpec:
        """Import an already-parsed ECS task definition; see ``from_file``."""
        from constructs_ecs.taskdef.importer import load_dict

        return load_dict(mapping, repositories=repositories)

    # ------------------------------------------------------------------ validation

    def __post_init__(self) -> None:
        containers = _freeze_seq(self, "containers", "containerDefinitions")
        if not containers:
            raise ConfigurationError(
                "containerDefinitions", [], "must hold at least one container definition"
            )
        if len(containers) > MAX_CONTAINERS:
            raise ConfigurationError(
                "containerDefinitions",
                f"{len(containers)} containers",
                f"ECS allows at most {MAX_CONTAINERS} containers per task definition",
            )
        _check_items("containerDefinitions", containers, ContainerSpec)
        if self.family is not None:
            check_name("family", self.family)
        check_choice("networkMode", self.network_mode, NETWORK_MODES)
        check_optional_int("cpu", self.cpu, minimum=128, maximum=TASK_CPU_MAX, what="CPU units")
        check_optional_int("memory", self.memory_mib, minimum=MIN_CONTAINER_MEMORY_MIB, what="MiB")
        if self.task_role_arn is not None:
            references.check_role_arn("taskRoleArn", self.task_role_arn)
        if self.execution_role_arn is not None:
            references.check_role_arn("executionRoleArn", self.execution_role_arn)
        if self.pid_mode is not None:
            check_choice("pidMode", self.pid_mode, PID_MODES)
        if self.ipc_mode is not None:
            check_choice("ipcMode", self.ipc_mode, IPC_MODES)
        if self.cpu_architecture is not None:
            check_choice(
                "runtimePlatform.cpuArchitecture", self.cpu_architecture, CPU_ARCHITECTURES
            )
        check_bool("enableFaultInjection", self.enable_fault_injection)
        check_str_map("tags", _freeze_map(self, "tags", "tags"), what="tag value")
        check_str_list("notes", _freeze_seq(self, "notes", "notes"))
        self._check_names()
        self._check_resources()
        self._check_references()
        self._check_network()
        self._check_volumes()
        self._check_task_options()

    def _check_names(self) -> None:
        seen: dict[str, int] = {}
        for index, container in enumerate(self.containers):
            if container.name in seen:
                raise ConfigurationError(
                    f"containerDefinitions[{index}].name",
                    container.name,
                    f"must be unique in the task; containerDefinitions[{seen[container.name]}] "
                    "has the same name",
                )
            seen[container.name] = index
        if not any(c.essential for c in self.containers):
            raise ConfigurationError(
                "containerDefinitions",
                [c.name for c in self.containers],
                'at least one container must be essential (set "essential": true)',
            )

    def _check_resources(self) -> None:
        for index, container in enumerate(self.containers):
            path = f"containerDefinitions[{index}]"
            if (
                self.memory_mib is None
                and container.memory_mib is None
                and container.memory_reservation_mib is None
            ):
                raise ConfigurationError(
                    f"{path}.memory",
                    None,
                    f"container {container.name!r} needs memory or memoryReservation (MiB) "
                    "when the task sets no memory: on EC2 the scheduler must know what to "
                    "reserve",
                )
            if self.memory_mib is not None:
                for value, json_name in (
                    (container.memory_mib, "memory"),
                    (container.memory_reservation_mib, "memoryReservation"),
                ):
                    if value is not None and value > self.memory_mib:
                        raise ConfigurationError(
                            f"{path}.{json_name}",
                            value,
                            f"must not exceed the task's memory ({self.memory_mib} MiB)",
                        )
            if self.cpu is not None and container.cpu is not None and container.cpu > self.cpu:
                raise ConfigurationError(
                    f"{path}.cpu",
                    container.cpu,
                    f"must not exceed the task's cpu ({self.cpu} CPU units)",
                )
        if self.memory_mib is not None:
            reserved = sum(c.memory_reserved_mib for c in self.containers)
            if reserved > self.memory_mib:
                raise ConfigurationError(
                    "memory",
                    self.memory_mib,
                    f"must cover what the containers reserve ({reserved} MiB: memoryReservation, "
                    "else memory, summed over the containers)",
                )
        if self.cpu is not None:
            total = sum(c.cpu or 0 for c in self.containers)
            if total > self.cpu:
                raise ConfigurationError(
                    "cpu",
                    self.cpu,
                    f"must cover the containers' cpu ({total} CPU units summed)",
                )

    def _check_references(self) -> None:
        by_name = {c.name: c for c in self.containers}
        for index, container in enumerate(self.containers):
            path = f"containerDefinitions[{index}]"
            names = sorted(set(by_name) - {container.name}) or ["no other container"]
            for link_index, link in enumerate(container.links):
                target = link.split(":", 1)[0]
                if target not in by_name or target == container.name:
                    raise ConfigurationError(
                        f"{path}.links[{link_index}]",
                        link,
                        f"must name another container of the task ({', '.join(names)})"
                        f"{closest(target, names)}",
                    )
            for dep_index, dependency in enumerate(container.depends_on):
                dep_path = f"{path}.dependsOn[{dep_index}]"
                target = dependency.container_name
                if target not in by_name or target == container.name:
                    raise ConfigurationError(
                        f"{dep_path}.containerName",
                        target,
                        f"must name another container of the task ({', '.join(names)})"
                        f"{closest(target, names)}",
                    )
                if dependency.condition == "HEALTHY" and by_name[target].health_check is None:
                    raise ConfigurationError(
                        f"{dep_path}.condition",
                        "HEALTHY",
                        f"needs a healthCheck on container {target!r}",
                    )
                if dependency.condition in ("COMPLETE", "SUCCESS") and by_name[target].essential:
                    raise ConfigurationError(
                        f"{dep_path}.condition",
                        dependency.condition,
                        f"waits for container {target!r} to exit, so it must not be essential "
                        '(set "essential": false on it)',
                    )
            for vol_index, volume_from in enumerate(container.volumes_from):
                target = volume_from.source_container
                if target not in by_name or target == container.name:
                    raise ConfigurationError(
                        f"{path}.volumesFrom[{vol_index}].sourceContainer",
                        target,
                        f"must name another container of the task ({', '.join(names)})"
                        f"{closest(target, names)}",
                    )
        self._check_dependency_cycles()

    def _check_dependency_cycles(self) -> None:
        edges = {c.name: [d.container_name for d in c.depends_on] for c in self.containers}
        state: dict[str, int] = {}

        def visit(name: str, trail: list[str]) -> None:
            state[name] = 1
            for target in edges[name]:
                if state.get(target) == 1:
                    cycle = [*trail[trail.index(target) :], target] if target in trail else [name]
                    index = next(i for i, c in enumerate(self.containers) if c.name == name)
                    raise ConfigurationError(
                        f"containerDefinitions[{index}].dependsOn",
                        " -> ".join(cycle),
                        "container dependencies must not form a cycle",
                    )
                if state.get(target) is None:
                    visit(target, [*trail, target])
            state[name] = 2

        for container in self.containers:
            if container.name not in state:
                visit(container.name, [container.name])

    def _check_network(self) -> None:
        mode = self.network_mode
        static: dict[tuple[int, str], str] = {}
        names: dict[str, str] = {}
        for index, container in enumerate(self.containers):
            path = f"containerDefinitions[{index}]"
            if mode == "none" and (container.port_mappings or container.port_ranges):
                raise ConfigurationError(
                    f"{path}.portMappings",
                    "...",
                    'a task with networkMode "none" has no network to publish ports on',
                )
            if container.links and mode != "bridge":
                raise ConfigurationError(
                    f"{path}.links",
                    list(container.links),
                    f'links work only in bridge network mode, not "{mode}"; containers of '
                    "an awsvpc or host task reach each other on localhost",
                )
            if mode == "awsvpc":
                for attr, json_name in (
                    ("hostname", "hostname"),
                    ("dns_servers", "dnsServers"),
                    ("dns_search_domains", "dnsSearchDomains"),
                    ("extra_hosts", "extraHosts"),
                ):
                    if getattr(container, attr):
                        raise ConfigurationError(
                            f"{path}.{json_name}",
                            getattr(container, attr),
                            "is not supported in awsvpc network mode (the task's ENI sets it)",
                        )
            if container.port_ranges and mode not in ("bridge", "awsvpc"):
                raise ConfigurationError(
                    f"{path}.portMappings",
                    container.port_ranges[0].container_port_range,
                    "containerPortRange works in bridge and awsvpc network modes only",
                )
            for pm_index, mapping in enumerate(container.port_mappings):
                pm_path = f"{path}.portMappings[{pm_index}]"
                if mode in ("awsvpc", "host") and mapping.host_port not in (
                    None,
                    mapping.container_port,
                ):
                    raise ConfigurationError(
                        f"{pm_path}.hostPort",
                        mapping.host_port,
                        f"must equal containerPort ({mapping.container_port}) or be omitted in "
                        f"{mode} network mode",
                    )
                if (mapping.name or mapping.app_protocol) and mode not in ("bridge", "awsvpc"):
                    raise ConfigurationError(
                        f"{pm_path}.name",
                        mapping.name,
                        "Service Connect port names work in bridge and awsvpc modes only",
                    )
                if mapping.name:
                    if mapping.name in names:
                        raise ConfigurationError(
                            f"{pm_path}.name",
                            mapping.name,
                            f"must be unique in the task; {names[mapping.name]} uses it",
                        )
                    names[mapping.name] = pm_path
                host_port = _static_host_port(mode, mapping)
                if host_port is None:
                    continue
                if host_port in AGENT_RESERVED_PORTS:
                    raise ConfigurationError(
                        f"{pm_path}.{'hostPort' if mode == 'bridge' else 'containerPort'}",
                        host_port,
                        "is reserved on every container instance by the ECS agent "
                        f"({', '.join(map(str, AGENT_RESERVED_PORTS))}); pick another port",
                    )
                key = (host_port, mapping.protocol)
                if key in static:
                    raise ConfigurationError(
                        f"{pm_path}.{'hostPort' if mode == 'bridge' else 'containerPort'}",
                        host_port,
                        f"clashes with {static[key]}: one task cannot bind the same "
                        f"{mapping.protocol} port twice on an instance",
                    )
                static[key] = pm_path

    def _check_volumes(self) -> None:
        declared: dict[str, int] = {}
        for index, volume in enumerate(_freeze_seq(self, "volumes", "volumes")):
            if not isinstance(volume, Volume):
                raise ConfigurationError(f"volumes[{index}]", volume, "must be a Volume")
            if volume.name in declared:
                raise ConfigurationError(
                    f"volumes[{index}].name", volume.name, "must be unique in the task"
                )
            declared[volume.name] = index
        at_launch = [v.name for v in self.volumes if v.configured_at_launch]
        if len(at_launch) > 1:
            raise ConfigurationError(
                "volumes", at_launch, "at most one volume may be configuredAtLaunch"
            )
        mounted: set[str] = set()
        for index, container in enumerate(self.containers):
            for mp_index, mount in enumerate(container.mount_points):
                mounted.add(mount.source_volume)
                if mount.source_volume not in declared:
                    names = sorted(declared) or ["no volume is declared"]
                    raise ConfigurationError(
                        f"containerDefinitions[{index}].mountPoints[{mp_index}].sourceVolume",
                        mount.source_volume,
                        f"must name a volume of the task ({', '.join(names)})"
                        f"{closest(mount.source_volume, declared)}",
                    )
        for name in at_launch:
            if name not in mounted:
                raise ConfigurationError(
                    f"volumes[{declared[name]}].configuredAtLaunch",
                    True,
                    f"volume {name!r} must be mounted by a container",
                )

    def _check_task_options(self) -> None:
        constraints = _freeze_seq(self, "placement_constraints", "placementConstraints")
        if len(constraints) > MAX_PLACEMENT_CONSTRAINTS:
            raise ConfigurationError(
                "placementConstraints",
                list(constraints),
                f"ECS allows at most {MAX_PLACEMENT_CONSTRAINTS}",
            )
        for index, expression in enumerate(constraints):
            check_str(f"placementConstraints[{index}].expression", expression)
        names = {c.name for c in self.containers}
        proxy = self.proxy_configuration
        if proxy is not None:
            if not isinstance(proxy, ProxyConfiguration):
                raise ConfigurationError(
                    "proxyConfiguration", proxy, "must be a ProxyConfiguration"
                )
            if self.network_mode != "awsvpc":
                raise ConfigurationError(
                    "proxyConfiguration",
                    proxy.container_name,
                    f'needs awsvpc network mode (this task uses "{self.network_mode}")',
                )
            if proxy.container_name not in names:
                raise ConfigurationError(
                    "proxyConfiguration.containerName",
                    proxy.container_name,
                    f"must name a container of the task ({', '.join(sorted(names))})",
                )
        if self.enable_fault_injection and self.network_mode not in ("awsvpc", "host"):
            raise ConfigurationError(
                "enableFaultInjection",
                True,
                f'needs awsvpc or host network mode (this task uses "{self.network_mode}")',
            )
        routers = [c.name for c in self.containers if c.firelens_configuration is not None]
        if len(routers) > 1:
            raise ConfigurationError(
                "containerDefinitions",
                routers,
                "at most one container may have a firelensConfiguration",
            )
        for index, container in enumerate(self.containers):
            log = container.log_configuration
            if log is not None and log.log_driver == "awsfirelens" and not routers:
                raise ConfigurationError(
                    f"containerDefinitions[{index}].logConfiguration.logDriver",
                    "awsfirelens",
                    "needs a log-router container with a firelensConfiguration in the task",
                )
            routes_to_itself = log is not None and log.log_driver == "awsfirelens"
            if container.firelens_configuration is not None and routes_to_itself:
                raise ConfigurationError(
                    f"containerDefinitions[{index}].logConfiguration.logDriver",
                    "awsfirelens",
                    "the FireLens router cannot log through itself; use awslogs",
                )

    # ------------------------------------------------------------------ accessors

    def resource_needs(self) -> ResourceNeeds:
        """CPU, memory and GPUs the scheduler reserves on an instance for one task.

        Task-level ``cpu``/``memory`` when set, else the containers' sums (cpu; the memory
        reservation, else the memory limit); GPUs summed over the containers.
        """
        cpu = self.cpu if self.cpu is not None else sum(c.cpu or 0 for c in self.containers)
        memory = (
            self.memory_mib
            if self.memory_mib is not None
            else sum(c.memory_reserved_mib for c in self.containers)
        )
        gpus = sum(c.gpu_count or 0 for c in self.containers)
        return ResourceNeeds(cpu_units=cpu, memory_mib=memory, gpus=gpus)

    def static_host_ports(self) -> tuple[int, ...]:
        """Instance ports each task binds: fixed host ports in bridge mode, container ports in
        host mode; none in awsvpc (each task has its own ENI) and none modes."""
        ports: list[int] = []
        for container in self.containers:
            for mapping in container.port_mappings:
                port = _static_host_port(self.network_mode, mapping)
                if port is not None and port not in ports:
                    ports.append(port)
        return tuple(ports)

    def first_port_mapping(self) -> tuple[ContainerSpec, PortMapping] | None:
        """The first container with a port mapping, and that mapping (``None``: no ports)."""
        for container in self.containers:
            if container.port_mappings:
                return container, container.port_mappings[0]
        return None

    def container(self, name: str) -> ContainerSpec:
        """The container called ``name``."""
        for container in self.containers:
            if container.name == name:
                return container
        names = [c.name for c in self.containers]
        raise ConfigurationError(
            "container_name", name, f"must be one of {', '.join(names)}{closest(name, names)}"
        )

    # ------------------------------------------------------------------ binding

    def bind(
        self, scope: Construct, construct_id: str, *, log_group: logs.ILogGroup
    ) -> BoundTaskDefinition:
        """Define the ``ecs.Ec2TaskDefinition`` ``construct_id`` in ``scope`` (see ``bind.py``).

        Containers without a ``logConfiguration`` log to ``log_group`` through awslogs.
        """
        from constructs_ecs.taskdef.bind import bind_task_definition

        return bind_task_definition(self, scope, construct_id, log_group=log_group)


def _static_host_port(mode: str, mapping: PortMapping) -> int | None:
    if mode == "bridge":
        return mapping.host_port or None
    if mode == "host":
        return mapping.container_port
    return None
