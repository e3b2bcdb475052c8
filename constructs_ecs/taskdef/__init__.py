"""Task definitions for ECS on EC2: native ECS JSON or Python, validated when defined.

``TaskDefinitionSpec.from_file("webserver.json")`` reads the JSON of
``aws ecs register-task-definition --cli-input-json`` (or ``describe-task-definition``
output); ``TaskDefinitionSpec(containers=[ContainerSpec(...)], ...)`` builds the same in
Python. The services bind a spec (``spec.bind(scope, id, log_group=...)``) to define the
``ecs.Ec2TaskDefinition`` with least-privilege roles.

The modules, each importing only those listed before it: ``_common`` (paths, checks, read-only
values), ``_references`` (images, roles, ARNs) and ``_secret_sources`` (secrets as strings or CDK
references, and their grants); ``_kinds`` and ``_table`` (the field table: one entry per ECS
field drives the JSON shape check, the import, validation and rendering);
``_units``; the models ``_ports``, ``_linux``, ``_log_config``, ``_container_parts`` (health
check, dependencies, mounts, hosts entries, restart policy), ``_container``, ``_volumes``, the
``_network_mode`` rules and ``_host_access`` (what a task may do to the instance, and why);
``_registration`` (the JSON ECS registers, and its 64 KiB quota);
``_importer`` (ECS JSON) and ``_bind`` (the ``Ec2TaskDefinition``); ``_task_validation`` (the
rules that span a task's containers and volumes); ``_task`` (``TaskDefinitionSpec``, which ties
them together).
"""

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef._bind import BoundTaskDefinition
from constructs_ecs.taskdef._container import ContainerSpec
from constructs_ecs.taskdef._container_parts import (
    ContainerDependency,
    HealthCheck,
    HostEntry,
    MountPoint,
    RestartPolicy,
    VolumeFrom,
)
from constructs_ecs.taskdef._host_access import HostAccess
from constructs_ecs.taskdef._linux import Device, LinuxParameters, Tmpfs, Ulimit
from constructs_ecs.taskdef._log_config import FirelensConfiguration, LogConfiguration
from constructs_ecs.taskdef._ports import PortMapping, PortRange
from constructs_ecs.taskdef._references import ImageRepositoryLike
from constructs_ecs.taskdef._task import ProxyConfiguration, ResourceNeeds, TaskDefinitionSpec
from constructs_ecs.taskdef._volumes import (
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
]
