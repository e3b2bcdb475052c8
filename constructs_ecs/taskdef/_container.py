"""One container of a task (``containerDefinitions[i]``).

Its small parts (health check, dependencies, mounts, hosts entries, restart policy) are in
``_container_parts``, port mappings in ``_ports``, the Linux settings in ``_linux``, the log
configuration in ``_log_config``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_secretsmanager as secretsmanager

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef import _references as references
from constructs_ecs.taskdef import _secret_sources as secret_sources
from constructs_ecs.taskdef._common import (
    EMPTY_MAP,
    NAME_PATTERN,
    NAME_RULE,
    check_ip_address,
)
from constructs_ecs.taskdef._container_parts import (
    ContainerDependency,
    HealthCheck,
    HostEntry,
    MountPoint,
    RestartPolicy,
    VolumeFrom,
)
from constructs_ecs.taskdef._linux import LinuxParameters, Ulimit
from constructs_ecs.taskdef._log_config import (
    SECRET_PAIRS,
    FirelensConfiguration,
    LogConfiguration,
    check_value_from,
)
from constructs_ecs.taskdef._ports import PortMapping, PortMappingsOf, PortRange
from constructs_ecs.taskdef._secret_sources import SecretSource
from constructs_ecs.taskdef._table import (
    Bool,
    ImportContext,
    Int,
    JsonKey,
    JsonShape,
    Kind,
    ListOf,
    Obj,
    Objs,
    Pairs,
    Str,
    StrMap,
    TypedValues,
    check_shape,
    entry,
    model,
)
from constructs_ecs.taskdef._units import MIN_CONTAINER_MEMORY_MIB, TASK_CPU_MAX

__all__ = ["ContainerSpec"]

#: Container CPU units: a container cannot reserve more than the largest EC2 task may.
CONTAINER_CPU_MAX = TASK_CPU_MAX
#: Why ECS JSON wants strings where a number or a boolean looks natural.
STRING_VALUES = 'ECS accepts only string values; quote numbers and booleans, e.g. "8080", "true"'

_NAME = Str(pattern=NAME_PATTERN, rule=NAME_RULE)
_LINK = re.compile(r"^([A-Za-z0-9_-]{1,255})(?::([A-Za-z0-9_-]{1,255}))?$")
_ENV_NAME = re.compile(r"^[^=\s\x00]+$")
_SECRET_LIKE = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL", re.I)
_SECURITY_OPTION = re.compile(r"^(no-new-privileges|apparmor:.+|label:.+|credentialspec:.+)$")
_CREDENTIAL_SPEC = re.compile(r"^(credentialspec|credentialspecdomainless):.+$")


# --------------------------------------------------------------------------- container


class _Image(Kind):
    """``image``: a registry reference, or (from JSON) an alias of a repository passed to the
    importer, or (from Python) an ``ecs.ContainerImage``."""

    token_hint = (
        "; for an image known only at deploy, pass an ecs.ContainerImage "
        "(ContainerImage.from_ecr_repository(repository, tag), which also grants pull, or "
        "ContainerImage.from_registry(name))"
    )

    @property
    def literal(self) -> bool:
        return True

    def check_json(self, value: Any, path: str) -> Any:
        return Str().check_json(value, path)

    def from_json(self, value: Any, context: ImportContext) -> Any:
        return references.image_of("", value, context.repositories)

    def check(self, value: Any, name: str) -> Any:
        if isinstance(value, str):
            return references.check_image(name, value)
        return references.check_image_object(name, value)


class _Credentials(Kind):
    """``repositoryCredentials.credentialsParameter``: a Secrets Manager secret, as an ARN or
    name (a string, literal or a CDK token) or a ``secretsmanager.ISecret``."""

    def check_json(self, value: Any, path: str) -> Any:
        return Str().check_json(value, path)

    def check(self, value: Any, name: str) -> Any:
        secret_sources.check_source(name, value, credentials=True)
        return value

    def render(self, value: Any) -> Any:
        return secret_sources.value_from(value)


@dataclass(frozen=True, kw_only=True)
class _GpuCount(Int):
    """``gpu_count``: in JSON, ``resourceRequirements`` of type GPU with the count as a string."""

    _shape = JsonShape(
        name="ResourceRequirement",
        keys={
            "type": JsonKey(Str(), required=True),
            "value": JsonKey(
                Str(hint='ECS takes the GPU count as a string, e.g. "1"'), required=True
            ),
        },
    )

    def check_json(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise ConfigurationError(path, value, "must be a list")
        return [check_shape(item, self._shape, f"{path}[{i}]") for i, item in enumerate(value)]

    def from_json(self, value: Any, context: ImportContext) -> Any:
        count: int | None = None
        for index, item in enumerate(value):
            kind, number = item["type"], item["value"]
            if kind == "InferenceAccelerator":
                raise ConfigurationError(
                    f"[{index}].type",
                    kind,
                    "Amazon Elastic Inference is retired (no new accelerators since April "
                    '2023); use a GPU instance type with {"type": "GPU"}',
                )
            if kind != "GPU":
                raise ConfigurationError(f"[{index}].type", kind, 'must be "GPU"')
            if count is not None:
                raise ConfigurationError(f"[{index}].type", kind, "GPU is set twice")
            if not (number.isascii() and number.isdigit()) or len(number) > 9 or int(number) < 1:
                raise ConfigurationError(
                    f"[{index}].value", number, 'must be the number of GPUs as a string, e.g. "1"'
                )
            count = int(number)
        return count

    def render(self, value: Any) -> Any:
        return [{"Type": "GPU", "Value": str(value)}]

    def to_json(self, value: Any) -> Any:
        return [{"type": "GPU", "value": str(value)}]


def _check_environment_file(field: str, value: object) -> None:
    references.parse_s3_object(field, value, suffix=".env")


def _pattern(pattern: re.Pattern[str], rule: str) -> Str:
    return Str(pattern=pattern, rule=rule)


@model(
    "ContainerDefinition",
    what="a container definition",
    groups={"repositoryCredentials": "RepositoryCredentials"},
    rejected={
        "inferenceDevices": (
            "Amazon Elastic Inference is retired (no new accelerators since April 2023); use a "
            'GPU instance type with resourceRequirements [{"type": "GPU", "value": "1"}] or '
            "AWS Inferentia instances instead"
        ),
    },
)
class ContainerSpec:
    """One container of a task (``containerDefinitions[i]``).

    Only ``name`` and ``image`` are required. Omitted fields are left to ECS and Docker (no
    CPU reservation, not privileged, the image's command and user, ...); ``essential``
    defaults to true as in ECS; without ``log_configuration`` the container logs to the
    service's log group through awslogs (stream prefix: the container name).
    """

    name: str = entry(
        "name", _NAME, l2=True, doc="1-255 letters, digits, hyphens, underscores; unique."
    )
    image: str | ecs.ContainerImage = entry(
        "image",
        _Image(),
        l2=True,
        doc='A registry reference ("nginx:1.27") or an ecs.ContainerImage such as '
        'repository.image("1.4.2"); private ECR URIs get pull permission on their repository.',
    )
    cpu: int | None = entry(
        "cpu",
        Int(minimum=0, maximum=CONTAINER_CPU_MAX, unit="CPU units"),
        default=None,
        l2=True,
        doc="CPU units reserved (1024 = one vCPU); omitted: no reservation.",
    )
    memory_mib: int | None = entry(
        "memory",
        Int(minimum=MIN_CONTAINER_MEMORY_MIB, unit="MiB"),
        default=None,
        l2=True,
        doc="Hard memory limit, at least 6 MiB; omitted: no limit.",
    )
    memory_reservation_mib: int | None = entry(
        "memoryReservation",
        Int(minimum=1, unit="MiB"),
        default=None,
        l2=True,
        doc="Soft limit reserved on the instance; omitted: the hard limit.",
    )
    essential: bool = entry(
        "essential",
        Bool(),
        default=True,
        l2=True,
        doc="Whether the task stops when this container stops; omitted: true (as in ECS).",
    )
    port_mappings: Sequence[PortMapping] = entry(
        "portMappings",
        PortMappingsOf(PortMapping),
        default=(),
        l2=True,
        doc="Ports published (PortMapping); omitted: none.",
    )
    port_ranges: Sequence[PortRange] = entry(
        "portMappings",
        PortMappingsOf(PortRange),
        default=(),
        l2=True,
        doc="Port ranges published (PortRange, containerPortRange items); omitted: none.",
    )
    environment: Mapping[str, str] = entry(
        "environment",
        StrMap(
            pairs=Pairs(shape="KeyValuePair", key="name", value="value"),
            hint=STRING_VALUES,
            key_pattern=_ENV_NAME,
            key_rule="variable names must be non-empty strings without '=', spaces or NUL",
        ),
        default=EMPTY_MAP,
        l2=True,
        doc="Plain configuration (strings; credentials belong in secrets); omitted: none.",
    )
    environment_files: Sequence[str] = entry(
        "environmentFiles",
        TypedValues(
            shape="EnvironmentFile",
            type="s3",
            type_rule='must be "s3"',
            value="value",
            item=Str(check_with=_check_environment_file),
        ),
        default=(),
        doc="S3 object ARNs of .env files (the execution role may read exactly those); "
        "omitted: none.",
    )
    secrets: Mapping[str, SecretSource] = entry(
        "secrets",
        StrMap(
            pairs=SECRET_PAIRS,
            key_pattern=_ENV_NAME,
            key_rule="names must be non-empty strings without '=', spaces or NUL",
            value_check=check_value_from,
            value_render=secret_sources.value_from,
        ),
        default=EMPTY_MAP,
        doc="Variable -> valueFrom: an SSM parameter name/ARN or a Secrets Manager ARN "
        "(optionally :json-key:version-stage:version-id), or a secretsmanager.ISecret, "
        "ssm.IParameter or ecs.Secret (ecs.Secret.from_secrets_manager(secret, field)); the "
        "execution role may read exactly those, through their own grant; omitted: none.",
    )
    command: Sequence[str] = entry(
        "command", ListOf(item=Str(allow_empty=True)), default=(), doc="Omitted: the image's CMD."
    )
    entry_point: Sequence[str] = entry(
        "entryPoint",
        ListOf(item=Str(allow_empty=True)),
        default=(),
        doc="Omitted: the image's ENTRYPOINT.",
    )
    working_directory: str | None = entry(
        "workingDirectory", Str(), default=None, doc="Omitted: the image's WORKDIR."
    )
    user: str | None = entry("user", Str(), default=None, doc="Omitted: the image's USER.")
    hostname: str | None = entry(
        "hostname", Str(), default=None, doc="Omitted: Docker's (the container id)."
    )
    health_check: HealthCheck | None = entry(
        "healthCheck", Obj(HealthCheck), default=None, doc="Omitted: the image's HEALTHCHECK."
    )
    log_configuration: LogConfiguration | None = entry(
        "logConfiguration",
        Obj(LogConfiguration),
        default=None,
        doc="Omitted: awslogs into the service's log group.",
    )
    links: Sequence[str] = entry(
        "links",
        ListOf(item=_pattern(_LINK, "'container' or 'container:alias'")),
        default=(),
        doc="name or name:alias of containers in the task (bridge mode only); omitted: none.",
    )
    depends_on: Sequence[ContainerDependency] = entry(
        "dependsOn", Objs(ContainerDependency), default=(), doc="Start order; omitted: none."
    )
    volumes_from: Sequence[VolumeFrom] = entry(
        "volumesFrom",
        Objs(VolumeFrom),
        default=(),
        doc="Containers whose volumes to mount; omitted: none.",
    )
    mount_points: Sequence[MountPoint] = entry(
        "mountPoints", Objs(MountPoint), default=(), doc="Task volumes mounted; omitted: none."
    )
    linux_parameters: LinuxParameters | None = entry(
        "linuxParameters", Obj(LinuxParameters), default=None, doc="Omitted: Docker's defaults."
    )
    ulimits: Sequence[Ulimit] = entry(
        "ulimits", Objs(Ulimit), default=(), doc="Omitted: the Docker daemon's defaults."
    )
    system_controls: Mapping[str, str] = entry(
        "systemControls",
        StrMap(
            pairs=Pairs(shape="SystemControl", key="namespace", value="value", value_required=True),
            hint=STRING_VALUES,
        ),
        default=EMPTY_MAP,
        doc="sysctl namespace -> value; omitted: none.",
    )
    docker_labels: Mapping[str, str] = entry(
        "dockerLabels", StrMap(item="label"), default=EMPTY_MAP, doc="Omitted: none."
    )
    docker_security_options: Sequence[str] = entry(
        "dockerSecurityOptions",
        ListOf(
            item=_pattern(
                _SECURITY_OPTION,
                "no-new-privileges, apparmor:PROFILE, label:VALUE or credentialspec:SPEC",
            )
        ),
        default=(),
        doc="no-new-privileges, apparmor:PROFILE, label:VALUE, credentialspec:SPEC; omitted: none.",
    )
    dns_servers: Sequence[str] = entry(
        "dnsServers",
        ListOf(item=Str(check_with=check_ip_address)),
        default=(),
        doc="IP addresses; omitted: the instance's.",
    )
    dns_search_domains: Sequence[str] = entry(
        "dnsSearchDomains",
        ListOf(item=Str(allow_empty=True)),
        default=(),
        doc="Omitted: the instance's.",
    )
    extra_hosts: Sequence[HostEntry] = entry(
        "extraHosts", Objs(HostEntry), default=(), doc="/etc/hosts entries; omitted: none."
    )
    privileged: bool | None = entry(
        "privileged", Bool(), default=None, doc="Root on the instance; omitted: false."
    )
    readonly_root_filesystem: bool | None = entry(
        "readonlyRootFilesystem", Bool(), default=None, doc="Omitted: false (writable)."
    )
    disable_networking: bool | None = entry(
        "disableNetworking", Bool(), default=None, doc="Omitted: false."
    )
    interactive: bool | None = entry(
        "interactive", Bool(), default=None, doc="Keep stdin open; omitted: false."
    )
    pseudo_terminal: bool | None = entry(
        "pseudoTerminal", Bool(), default=None, doc="Allocate a TTY; omitted: false."
    )
    start_timeout_seconds: int | None = entry(
        "startTimeout",
        Int(minimum=0, unit="s"),
        default=None,
        doc="How long to wait for dependencies before giving up; omitted: the agent's default.",
    )
    stop_timeout_seconds: int | None = entry(
        "stopTimeout",
        Int(minimum=0, unit="s"),
        default=None,
        doc="Grace between SIGTERM and SIGKILL; omitted: the agent's default (30 s).",
    )
    gpu_count: int | None = entry(
        "resourceRequirements",
        _GpuCount(minimum=1),
        default=None,
        name="resourceRequirements[GPU].value",
        doc="GPUs reserved (resourceRequirements of type GPU); omitted: none.",
    )
    repository_credentials: str | secretsmanager.ISecret | None = entry(
        "repositoryCredentials.credentialsParameter",
        _Credentials(),
        default=None,
        required=True,
        doc="Secrets Manager secret (ARN or name, or a secretsmanager.ISecret) with "
        "private-registry credentials (the execution role may read exactly that secret); "
        "omitted: public or ECR images only.",
    )
    firelens_configuration: FirelensConfiguration | None = entry(
        "firelensConfiguration",
        Obj(FirelensConfiguration),
        default=None,
        doc="Makes this container the FireLens log router; omitted: it is not.",
    )
    credential_specs: Sequence[str] = entry(
        "credentialSpecs",
        ListOf(
            item=_pattern(
                _CREDENTIAL_SPEC, "credentialspec:<ARN> or credentialspecdomainless:<ARN>"
            )
        ),
        default=(),
        doc="gMSA credential specs (credentialspec:ARN, credentialspecdomainless:ARN); "
        "omitted: none.",
    )
    restart_policy: RestartPolicy | None = entry(
        "restartPolicy", Obj(RestartPolicy), default=None, doc="Omitted: no restarts."
    )
    version_consistency: str | None = entry(
        "versionConsistency",
        Str(choices=("enabled", "disabled")),
        default=None,
        doc="enabled (pin the image digest at deploy) or disabled; omitted: enabled.",
    )

    def _validate(self) -> None:
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
        seen: dict[tuple[int, str], int] = {}
        for index, mapping in enumerate(self.port_mappings):
            key = (mapping.container_port, mapping.protocol)
            if key in seen:
                raise ConfigurationError(
                    f"portMappings[{index}].containerPort",
                    mapping.container_port,
                    f"is already mapped for {mapping.protocol} by portMappings[{seen[key]}]",
                )
            seen[key] = index
        for name, source in self.secrets.items():
            if name in self.environment:
                raise ConfigurationError(
                    f"secrets.{name}",
                    references.shown(source) if isinstance(source, str) else source,
                    "is also set in environment; a variable comes from one place",
                )
        names = [u.name for u in self.ulimits]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise ConfigurationError(f"ulimits[{index}].name", name, "is set twice")
        paths = [m.container_path for m in self.mount_points]
        for index, path in enumerate(paths):
            if path in paths[:index]:
                raise ConfigurationError(
                    f"mountPoints[{index}].containerPath", path, "is mounted twice"
                )

    @property
    def memory_reserved_mib(self) -> int:
        """What the scheduler reserves for this container: the reservation, else the limit."""
        if self.memory_reservation_mib is not None:
            return self.memory_reservation_mib
        return self.memory_mib or 0

    def secret_like_environment(self) -> tuple[str, ...]:
        """Environment variable names that look like credentials (they belong in secrets)."""
        return tuple(name for name in self.environment if _SECRET_LIKE.search(name))
