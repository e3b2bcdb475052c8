"""Task definitions for ECS on EC2: native ECS JSON or Python, validated when defined.

``TaskDefinitionSpec.from_file("webserver.json")`` reads the JSON of
``aws ecs register-task-definition --cli-input-json`` (or ``describe-task-definition``
output); ``TaskDefinitionSpec(containers=[ContainerSpec(...)], ...)`` builds the same in
Python. The services bind a spec (``spec.bind(scope, id, log_group=...)``) to define the
``ecs.Ec2TaskDefinition`` with least-privilege roles.
"""

from constructs_ecs.errors import ConfigurationError
from constructs_ecs.taskdef.bind import BoundTaskDefinition
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
    ResourceNeeds,
    RestartPolicy,
    TaskDefinitionSpec,
    Tmpfs,
    Ulimit,
    Volume,
    VolumeFrom,
)
from constructs_ecs.taskdef.units import cpu_units, memory_mib

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
