"""constructs_ecs: AWS CDK constructs for a production-grade Amazon ECS platform on EC2.

Small constructs wired together in your own stacks::

    network = Network(stack, "Network")
    cluster = EcsCluster(stack, "Cluster", vpc=network.vpc)
    load_balancer = LoadBalancer(stack, "LoadBalancer", vpc=network.vpc)
    WebService(stack, "Web", cluster=cluster, load_balancer=load_balancer,
               task_definition=TaskDefinitionSpec.from_file("webserver.json"))
"""

from constructs_ecs.budget import RESOURCE_BUDGET, enforce_resource_budget
from constructs_ecs.cluster import (
    AL2023_ECS_AMI_RELEASE,
    CapacityProviderOptions,
    EcsCluster,
    InstanceImage,
    InstanceResources,
    SpotOptions,
)
from constructs_ecs.errors import ConfigurationError
from constructs_ecs.load_balancer import LoadBalancer
from constructs_ecs.network import INTERFACE_ENDPOINTS, Network
from constructs_ecs.repository import ImageRepository
from constructs_ecs.services import (
    DEFAULT_PLACEMENT_STRATEGIES,
    Placement,
    Scaling,
    ScheduledTask,
    ServiceConnect,
    TargetHealthCheck,
    WebService,
    WorkerService,
)
from constructs_ecs.stacks import PlatformStack, ServicesStack
from constructs_ecs.taskdef import (
    BoundTaskDefinition,
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

__all__ = [
    "AL2023_ECS_AMI_RELEASE",
    "DEFAULT_PLACEMENT_STRATEGIES",
    "INTERFACE_ENDPOINTS",
    "RESOURCE_BUDGET",
    "BoundTaskDefinition",
    "CapacityProviderOptions",
    "ConfigurationError",
    "ContainerDependency",
    "ContainerSpec",
    "Device",
    "DockerVolumeConfiguration",
    "EcsCluster",
    "EfsVolumeConfiguration",
    "FirelensConfiguration",
    "HealthCheck",
    "HostEntry",
    "ImageRepository",
    "ImageRepositoryLike",
    "InstanceImage",
    "InstanceResources",
    "LinuxParameters",
    "LoadBalancer",
    "LogConfiguration",
    "MountPoint",
    "Network",
    "Placement",
    "PlatformStack",
    "PortMapping",
    "PortRange",
    "ProxyConfiguration",
    "ResourceNeeds",
    "RestartPolicy",
    "Scaling",
    "ScheduledTask",
    "ServiceConnect",
    "ServicesStack",
    "SpotOptions",
    "TargetHealthCheck",
    "TaskDefinitionSpec",
    "Tmpfs",
    "Ulimit",
    "Volume",
    "VolumeFrom",
    "WebService",
    "WorkerService",
    "enforce_resource_budget",
]
