"""constructs_ecs: AWS CDK constructs for a production-grade Amazon ECS platform on EC2.

Small constructs wired together in your own stacks (``stack`` is your ``cdk.Stack``)::

    from constructs_ecs import (
        EcsCluster, LoadBalancer, Network, PlainHttp, TaskDefinitionSpec, WebService,
    )

    network = Network(stack, "Network")
    cluster = EcsCluster(stack, "Cluster", vpc=network.vpc)
    # HTTPS takes certificates=[...]; plain HTTP is a decision, with its reason.
    load_balancer = LoadBalancer(
        stack, "LoadBalancer", vpc=network.vpc,
        plain_http=PlainHttp(reason="A first try: no domain yet, no user data to protect."),
    )
    WebService(
        stack, "Web", cluster=cluster, load_balancer=load_balancer,
        # Or TaskDefinitionSpec.from_file("web.json"): the JSON of
        # `aws ecs register-task-definition --cli-input-json`.
        task_definition=TaskDefinitionSpec.from_dict({
            "family": "web",
            "containerDefinitions": [{
                "name": "web", "image": "nginx:1.27", "memory": 128,
                "portMappings": [{"containerPort": 80}],
            }],
        }),
    )
"""

import importlib
from typing import TYPE_CHECKING, Any

from constructs_ecs._node import warn_if_unsupported as _warn_if_unsupported
from constructs_ecs._version import __version__ as __version__

# jsii on an end-of-life Node.js fails in ways that name neither; say the fix once, here.
_warn_if_unsupported()

if TYPE_CHECKING:  # static imports for type checkers; at run time, see __getattr__
    from constructs_ecs._budget import RESOURCE_BUDGET, enforce_resource_budget
    from constructs_ecs._dashboard import PlatformDashboard
    from constructs_ecs._errors import ConfigurationError
    from constructs_ecs._network import INTERFACE_ENDPOINTS, Network
    from constructs_ecs._repository import ImageRepository
    from constructs_ecs._stacks import PlatformStack, ServicesStack
    from constructs_ecs.cluster import (
        AL2023_ECS_AMI_RELEASE,
        CapacityProviderOptions,
        ClusterLogs,
        ContainerAgent,
        EcsCluster,
        ExistingCluster,
        InstanceImage,
        InstanceResources,
        ServiceCluster,
        SpotOptions,
    )
    from constructs_ecs.load_balancer import (
        AccessLogs,
        ExistingLoadBalancer,
        LoadBalancer,
        PlainHttp,
        ServiceLoadBalancer,
    )
    from constructs_ecs.services import (
        DEFAULT_PLACEMENT_STRATEGIES,
        Alarms,
        Deployment,
        LifecycleHook,
        Placement,
        Routing,
        Scaling,
        ScheduledTask,
        ServiceAlarms,
        ServiceConnect,
        ServiceNetwork,
        TargetHealthCheck,
        WebService,
        WorkerService,
    )
    from constructs_ecs.taskdef import (
        BoundTaskDefinition,
        ContainerDependency,
        ContainerSpec,
        Device,
        DockerVolumeConfiguration,
        EfsVolumeConfiguration,
        FirelensConfiguration,
        HealthCheck,
        HostAccess,
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

# Imported on first use (PEP 562): `python -m constructs_ecs.review` then needs neither
# aws-cdk-lib nor Node.js, and `import constructs_ecs` stays cheap.
_EXPORTS = {
    "AL2023_ECS_AMI_RELEASE": "constructs_ecs.cluster",
    "AccessLogs": "constructs_ecs.load_balancer",
    "Alarms": "constructs_ecs.services",
    "BoundTaskDefinition": "constructs_ecs.taskdef",
    "CapacityProviderOptions": "constructs_ecs.cluster",
    "ClusterLogs": "constructs_ecs.cluster",
    "ConfigurationError": "constructs_ecs._errors",
    "ContainerAgent": "constructs_ecs.cluster",
    "ContainerDependency": "constructs_ecs.taskdef",
    "ContainerSpec": "constructs_ecs.taskdef",
    "DEFAULT_PLACEMENT_STRATEGIES": "constructs_ecs.services",
    "Deployment": "constructs_ecs.services",
    "Device": "constructs_ecs.taskdef",
    "DockerVolumeConfiguration": "constructs_ecs.taskdef",
    "EcsCluster": "constructs_ecs.cluster",
    "ExistingCluster": "constructs_ecs.cluster",
    "ExistingLoadBalancer": "constructs_ecs.load_balancer",
    "EfsVolumeConfiguration": "constructs_ecs.taskdef",
    "FirelensConfiguration": "constructs_ecs.taskdef",
    "HealthCheck": "constructs_ecs.taskdef",
    "HostAccess": "constructs_ecs.taskdef",
    "HostEntry": "constructs_ecs.taskdef",
    "INTERFACE_ENDPOINTS": "constructs_ecs._network",
    "ImageRepository": "constructs_ecs._repository",
    "ImageRepositoryLike": "constructs_ecs.taskdef",
    "InstanceImage": "constructs_ecs.cluster",
    "InstanceResources": "constructs_ecs.cluster",
    "LifecycleHook": "constructs_ecs.services",
    "LinuxParameters": "constructs_ecs.taskdef",
    "LoadBalancer": "constructs_ecs.load_balancer",
    "LogConfiguration": "constructs_ecs.taskdef",
    "MountPoint": "constructs_ecs.taskdef",
    "Network": "constructs_ecs._network",
    "Placement": "constructs_ecs.services",
    "PlainHttp": "constructs_ecs.load_balancer",
    "PlatformDashboard": "constructs_ecs._dashboard",
    "PlatformStack": "constructs_ecs._stacks",
    "PortMapping": "constructs_ecs.taskdef",
    "PortRange": "constructs_ecs.taskdef",
    "ProxyConfiguration": "constructs_ecs.taskdef",
    "RESOURCE_BUDGET": "constructs_ecs._budget",
    "ResourceNeeds": "constructs_ecs.taskdef",
    "RestartPolicy": "constructs_ecs.taskdef",
    "Routing": "constructs_ecs.services",
    "Scaling": "constructs_ecs.services",
    "ScheduledTask": "constructs_ecs.services",
    "ServiceAlarms": "constructs_ecs.services",
    "ServiceCluster": "constructs_ecs.cluster",
    "ServiceConnect": "constructs_ecs.services",
    "ServiceLoadBalancer": "constructs_ecs.load_balancer",
    "ServiceNetwork": "constructs_ecs.services",
    "ServicesStack": "constructs_ecs._stacks",
    "SpotOptions": "constructs_ecs.cluster",
    "TargetHealthCheck": "constructs_ecs.services",
    "TaskDefinitionSpec": "constructs_ecs.taskdef",
    "Tmpfs": "constructs_ecs.taskdef",
    "Ulimit": "constructs_ecs.taskdef",
    "Volume": "constructs_ecs.taskdef",
    "VolumeFrom": "constructs_ecs.taskdef",
    "WebService": "constructs_ecs.services",
    "WorkerService": "constructs_ecs.services",
    "enforce_resource_budget": "constructs_ecs._budget",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'constructs_ecs' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "AL2023_ECS_AMI_RELEASE",
    "DEFAULT_PLACEMENT_STRATEGIES",
    "INTERFACE_ENDPOINTS",
    "RESOURCE_BUDGET",
    "AccessLogs",
    "Alarms",
    "BoundTaskDefinition",
    "CapacityProviderOptions",
    "ClusterLogs",
    "ConfigurationError",
    "ContainerAgent",
    "ContainerDependency",
    "ContainerSpec",
    "Deployment",
    "Device",
    "DockerVolumeConfiguration",
    "EcsCluster",
    "EfsVolumeConfiguration",
    "ExistingCluster",
    "ExistingLoadBalancer",
    "FirelensConfiguration",
    "HealthCheck",
    "HostAccess",
    "HostEntry",
    "ImageRepository",
    "ImageRepositoryLike",
    "InstanceImage",
    "InstanceResources",
    "LifecycleHook",
    "LinuxParameters",
    "LoadBalancer",
    "LogConfiguration",
    "MountPoint",
    "Network",
    "Placement",
    "PlainHttp",
    "PlatformDashboard",
    "PlatformStack",
    "PortMapping",
    "PortRange",
    "ProxyConfiguration",
    "ResourceNeeds",
    "RestartPolicy",
    "Routing",
    "Scaling",
    "ScheduledTask",
    "ServiceAlarms",
    "ServiceCluster",
    "ServiceConnect",
    "ServiceLoadBalancer",
    "ServiceNetwork",
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
