"""Task definitions for ECS on EC2: native ECS JSON or Python, validated when defined.

``TaskDefinitionSpec.from_file("webserver.json")`` reads the JSON of
``aws ecs register-task-definition --cli-input-json`` (or ``describe-task-definition``
output); ``TaskDefinitionSpec(containers=[ContainerSpec(...)], ...)`` builds the same in
Python. The services bind a spec (``spec.bind(scope, id, log_group=...)``) to define the
``ecs.Ec2TaskDefinition`` with least-privilege roles.

The modules, each importing only those listed before it: ``_common`` (paths, checks, read-only
values), ``references`` (images, roles, ARNs) and ``secret_sources`` (secrets as strings or CDK
references, and their grants); ``_kinds`` and ``_table`` (the field table: one entry per ECS
field drives the JSON shape check, the import, validation and rendering);
``units``; the models ``ports``, ``linux``, ``log_config``, ``container``, ``volumes``, the
``network_mode`` rules and ``host_access`` (what a task may do to the instance, and why);
``registration`` (the JSON ECS registers, and its 64 KiB quota);
``importer`` (ECS JSON) and ``bind`` (the ``Ec2TaskDefinition``);
``task`` (``TaskDefinitionSpec``, which ties them together).
"""

from constructs_ecs.errors import ConfigurationError
from constructs_ecs.taskdef.bind import BoundTaskDefinition
from constructs_ecs.taskdef.container import (
    ContainerDependency,
    ContainerSpec,
    HealthCheck,
    HostEntry,
    MountPoint,
    RestartPolicy,
    VolumeFrom,
)
from constructs_ecs.taskdef.host_access import HostAccess
from constructs_ecs.taskdef.linux import Device, LinuxParameters, Tmpfs, Ulimit
from constructs_ecs.taskdef.log_config import FirelensConfiguration, LogConfiguration
from constructs_ecs.taskdef.ports import PortMapping, PortRange
from constructs_ecs.taskdef.references import ImageRepositoryLike
from constructs_ecs.taskdef.task import ProxyConfiguration, ResourceNeeds, TaskDefinitionSpec
from constructs_ecs.taskdef.units import cpu_units, memory_mib
from constructs_ecs.taskdef.volumes import (
    DockerVolumeConfiguration,
    EfsVolumeConfiguration,
    Volume,
)

__all__ = [
    "BoundTaskDefinition",
    "ConfigurationError",
    "ContainerDependency",
    "ContainerSpec",
    "Device",
    "DockerVolumeConfiguration",
    "EfsVolumeConfiguration",
    "FirelensConfiguration",
    "HealthCheck",
    "HostAccess",
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
    "cpu_units",
    "memory_mib",
]
