"""``TaskDefinitionSpec``: a task definition for ECS on EC2 (Linux), validated when created.

The top of the package: the task ties its containers and volumes together, checks the rules
that span them (names, sizes, references, volumes; the network-mode rules are in
``network_mode``), and offers the two ways in
(``from_file``/``from_json``/``from_dict`` through ``importer``, or the constructor) and the way
out (``bind`` through ``bind``). Error messages name fields by their ECS JSON names
(``containerDefinitions[1].portMappings[0].hostPort``), for Python input too, so one vocabulary
covers the ECS documentation, JSON files and this API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from constructs_ecs._errors import ConfigurationError, closest
from constructs_ecs.taskdef import _host_access as host_access
from constructs_ecs.taskdef import _importer as importer
from constructs_ecs.taskdef import _network_mode as network_mode
from constructs_ecs.taskdef import _references as references
from constructs_ecs.taskdef import _registration as registration
from constructs_ecs.taskdef import _task_validation as task_validation
from constructs_ecs.taskdef import _units as units
from constructs_ecs.taskdef._bind import BoundTaskDefinition, bind_task_definition
from constructs_ecs.taskdef._common import EMPTY_MAP, NAME_PATTERN, NAME_RULE
from constructs_ecs.taskdef._container import ContainerSpec
from constructs_ecs.taskdef._host_access import HostAccess, HostAccessFinding
from constructs_ecs.taskdef._ports import PortMapping
from constructs_ecs.taskdef._references import ImageRepositoryLike
from constructs_ecs.taskdef._table import (
    Bool,
    ListOf,
    Obj,
    Objs,
    Pairs,
    Str,
    StrMap,
    TypedValues,
    entry,
    json_only,
    model,
)
from constructs_ecs.taskdef._volumes import Volume

if TYPE_CHECKING:
    from aws_cdk import aws_logs as logs
    from constructs import Construct

__all__ = ["ProxyConfiguration", "ResourceNeeds", "TaskDefinitionSpec"]

CPU_ARCHITECTURES = ("X86_64", "ARM64")
PID_MODES = ("host", "task")
IPC_MODES = ("host", "task", "none")
PROXY_PROPERTIES = (
    "IgnoredUID",
    "IgnoredGID",
    "AppPorts",
    "ProxyIngressPort",
    "ProxyEgressPort",
    "EgressIgnoredPorts",
    "EgressIgnoredIPs",
)
#: RegisterTaskDefinition "placementConstraints": "You can specify a maximum of 10 constraints
#: for each task" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html).
MAX_PLACEMENT_CONSTRAINTS = 10


# --------------------------------------------------------------------------- task


@model("ProxyConfiguration")
class ProxyConfiguration:
    """The App Mesh proxy (``proxyConfiguration``); requires awsvpc network mode."""

    container_name: str = entry(
        "containerName",
        Str(pattern=NAME_PATTERN, rule=NAME_RULE),
        doc="The proxy container of the task.",
    )
    properties: Mapping[str, str] = entry(
        "properties",
        StrMap(
            pairs=Pairs(shape="KeyValuePair", key="name", value="value"),
            item="property value",
            keys=PROXY_PROPERTIES,
            key_noun="an App Mesh proxy property",
        ),
        default=EMPTY_MAP,
        cfn="ProxyConfigurationProperties",
        doc="IgnoredUID, IgnoredGID, AppPorts, ProxyIngressPort, ProxyEgressPort, "
        "EgressIgnoredPorts, EgressIgnoredIPs; omitted: none.",
    )
    type: str = entry(
        "type", Str(choices=("APPMESH",)), default="APPMESH", doc="APPMESH; omitted: APPMESH."
    )


@dataclass(frozen=True, kw_only=True)
class ResourceNeeds:
    """What the scheduler reserves on one instance for one task.

    Attributes:
        cpu_units: CPU units (1024 per vCPU): the task's ``cpu``, else its containers' sum.
        memory_mib: MiB: the task's ``memory``, else the sum of its containers' memory
            reservations (their memory limits where they reserve none).
        gpus: GPUs, summed over the containers.
    """

    cpu_units: int
    memory_mib: int
    gpus: int


@model(
    "TaskDefinition",
    what="a task definition",
    groups={"runtimePlatform": "RuntimePlatform"},
    rejected={
        "ephemeralStorage": (
            "is a Fargate-only setting; tasks on EC2 use the instance's Docker storage (size "
            "the instances' volumes instead)"
        ),
        "inferenceAccelerators": (
            "Amazon Elastic Inference is retired (no new accelerators since April 2023); use a "
            'GPU instance type with resourceRequirements [{"type": "GPU", "value": "1"}] or '
            "AWS Inferentia instances instead"
        ),
    },
    ignored=importer.READ_ONLY,
    json_fields=(
        json_only(
            "requiresCompatibilities",
            ListOf(item=Str()),
            l2=True,
            from_json=importer.compatibilities,
            doc="Must include EC2; the others are dropped with a note (the L2 writes [EC2]).",
        ),
        json_only(
            "runtimePlatform.operatingSystemFamily",
            Str(),
            from_json=importer.linux_only,
            value_of=lambda spec: "LINUX" if spec.cpu_architecture else None,
            doc="LINUX (the only family here); written with cpuArchitecture.",
        ),
    ),
)
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

    containers: Sequence[ContainerSpec] = entry(
        "containerDefinitions",
        Objs(ContainerSpec),
        l2=True,
        doc="1 to 10 containers, stored as a tuple, in order.",
    )
    family: str | None = entry(
        "family",
        Str(pattern=NAME_PATTERN, rule=NAME_RULE),
        default=None,
        l2=True,
        required="the name ECS registers revisions under",
        doc="Omitted (Python only): CDK derives a unique family from the construct path.",
    )
    network_mode: str = entry(
        "networkMode",
        Str(choices=network_mode.NETWORK_MODES),
        default="bridge",
        l2=True,
        from_json=importer.network_mode,
        doc='bridge, host, awsvpc or none (JSON "default" is bridge); omitted: bridge.',
    )
    cpu: int | None = entry(
        "cpu",
        units.TaskSize(
            minimum=units.TASK_CPU_MIN,
            maximum=units.TASK_CPU_MAX,
            unit="CPU units",
            convert=units.cpu_units,
        ),
        default=None,
        doc="Task CPU units (a hard limit, 128-196608; JSON also 1 vCPU); omitted: the "
        "containers' sum is reserved, with no task-level limit.",
    )
    memory_mib: int | None = entry(
        "memory",
        units.TaskSize(
            minimum=units.MIN_CONTAINER_MEMORY_MIB, unit="MiB", convert=units.memory_mib
        ),
        default=None,
        doc="Task memory in MiB (a hard limit; JSON also 2 GB); omitted: the containers' "
        "limits apply, and each must then set memory_mib or memory_reservation_mib.",
    )
    task_role_arn: str | None = entry(
        "taskRoleArn",
        Str(check_with=references.check_role_arn),
        default=None,
        l2=True,
        tokens=True,
        doc="An existing task role (ARN or token); omitted: a least-privilege role is defined.",
    )
    execution_role_arn: str | None = entry(
        "executionRoleArn",
        Str(check_with=references.check_role_arn),
        default=None,
        l2=True,
        tokens=True,
        doc="An existing execution role (ARN or token); omitted: one is defined with exactly "
        "what the containers need (image pulls, logs, secrets).",
    )
    volumes: Sequence[Volume] = entry(
        "volumes", Objs(Volume), default=(), l2=True, doc="Task volumes; omitted: none."
    )
    placement_constraints: Sequence[str] = entry(
        "placementConstraints",
        TypedValues(
            shape="PlacementConstraint",
            type="memberOf",
            type_rule='must be "memberOf" (distinctInstance is a service placement constraint)',
            value="expression",
            missing_rule="is required for memberOf",
            max_items=MAX_PLACEMENT_CONSTRAINTS,
            items="constraints",
        ),
        default=(),
        l2=True,
        doc="memberOf cluster-query expressions (at most 10); omitted: none.",
    )
    pid_mode: str | None = entry(
        "pidMode",
        Str(choices=PID_MODES),
        default=None,
        doc="host or task; omitted: each container has its own PID namespace.",
    )
    ipc_mode: str | None = entry(
        "ipcMode",
        Str(choices=IPC_MODES),
        default=None,
        doc="host, task or none; omitted: Docker's private IPC namespace.",
    )
    proxy_configuration: ProxyConfiguration | None = entry(
        "proxyConfiguration", Obj(ProxyConfiguration), default=None, doc="Omitted: no proxy."
    )
    cpu_architecture: str | None = entry(
        "runtimePlatform.cpuArchitecture",
        Str(choices=CPU_ARCHITECTURES),
        default=None,
        doc="X86_64 or ARM64; omitted: unspecified, the task runs on the cluster's.",
    )
    tags: Mapping[str, str] = entry(
        "tags",
        StrMap(pairs=Pairs(shape="Tag", key="key", value="value"), item="tag value"),
        default=EMPTY_MAP,
        l2=True,
        doc="Tags of the task definition; omitted: none.",
    )
    enable_fault_injection: bool | None = entry(
        "enableFaultInjection",
        Bool(),
        default=None,
        l2=True,
        doc="Accept fault-injection requests (awsvpc or host mode); omitted: false.",
    )
    host_access: Sequence[HostAccess] = entry(
        None,
        Objs(HostAccess),
        default=(),
        name="host_access",
        doc="Why the task may reach into the instance (privileged, host network, PID or IPC "
        "namespace, capabilities beyond Docker's defaults, protected host paths), each of "
        "which is refused without one (Python only: from_file(path, host_access=[...])); "
        "omitted: none allowed.",
    )
    notes: Sequence[str] = entry(
        None,
        ListOf(item=Str()),
        default=(),
        name="notes",
        doc='What the importer changed on the way in (networkMode "default" -> bridge), each '
        "a warning on the task definition when bound; omitted: none.",
    )

    # ------------------------------------------------------------------ import

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        repositories: Mapping[str, ImageRepositoryLike] | None = None,
        host_access: Sequence[HostAccess] | None = None,
    ) -> TaskDefinitionSpec:
        """Read ECS task-definition JSON (register or describe shape) from ``path``.

        ``repositories`` maps an alias to an image repository: an image ``"alias:tag"`` is
        bound to ``repository.image(tag)``; a bare ``name[:tag]`` close to an alias (a
        misspelt alias, e.g. ``"wbe:1.4.2"`` for ``"web"``) is an error rather than a Docker
        Hub image (write such an image as ``docker.io/library/name:tag``). Omitted: every
        image is a registry reference.

        ``host_access`` acknowledges, with reasons, what the task does to the instance
        (``privileged``, ``networkMode: host``, ``SYS_ADMIN``, a host volume of ``/proc``...):
        JSON has no field for it. Omitted: none allowed, and such a task is refused.
        """
        return importer.load_file(cls, path, repositories=repositories, host_access=host_access)

    @classmethod
    def from_json(
        cls,
        text: str,
        *,
        repositories: Mapping[str, ImageRepositoryLike] | None = None,
        host_access: Sequence[HostAccess] | None = None,
    ) -> TaskDefinitionSpec:
        """Parse ECS task-definition JSON text; see ``from_file``."""
        return importer.load_json(cls, text, repositories=repositories, host_access=host_access)

    @classmethod
    def from_dict(
        cls,
        mapping: Mapping[str, Any],
        *,
        repositories: Mapping[str, ImageRepositoryLike] | None = None,
        host_access: Sequence[HostAccess] | None = None,
    ) -> TaskDefinitionSpec:
        """Import an already-parsed ECS task definition; see ``from_file``."""
        return importer.load_dict(cls, mapping, repositories=repositories, host_access=host_access)

    # ------------------------------------------------------------------ validation

    def _validate(self) -> None:
        task_validation.check_containers(self)
        network_mode.check(self.network_mode, self.containers)
        task_validation.check_volumes_and_options(self)
        host_access.check(self.host_access_findings(), self.host_access)
        registration.check_size(self)

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

    def host_access_findings(self) -> tuple[HostAccessFinding, ...]:
        """What the task does to the instance beyond its own containers: each needs a reason
        in ``host_access`` (see ``constructs_ecs.taskdef._host_access``)."""
        return host_access.findings(
            network_mode=self.network_mode,
            pid_mode=self.pid_mode,
            ipc_mode=self.ipc_mode,
            containers=self.containers,
            volumes=self.volumes,
        )

    def static_host_ports(self) -> tuple[int, ...]:
        """Instance ports each task binds: fixed host ports in bridge mode, container ports in
        host mode; none in awsvpc (each task has its own ENI) and none modes."""
        ports: list[int] = []
        for container in self.containers:
            for mapping in container.port_mappings:
                port = network_mode.static_host_port(self.network_mode, mapping)
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
        hint = closest(name, names) if isinstance(name, str) else ""
        raise ConfigurationError("container_name", name, f"must be one of {', '.join(names)}{hint}")

    # ------------------------------------------------------------------ binding

    def bind(
        self, scope: Construct, construct_id: str, *, log_group: logs.ILogGroup
    ) -> BoundTaskDefinition:
        """Define the ``ecs.Ec2TaskDefinition`` ``construct_id`` in ``scope`` (see ``bind.py``).

        Containers without a ``logConfiguration`` log to ``log_group`` through awslogs.
        """
        return bind_task_definition(self, scope, construct_id, log_group=log_group)
