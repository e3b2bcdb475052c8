"""An ECS cluster on EC2 capacity: the cluster, its Auto Scaling group, capacity provider and
container agent (``EcsCluster``), or one defined elsewhere (``ExistingCluster``); services
take either as a ``ServiceCluster``."""

from constructs_ecs.cluster._ecs_cluster import EcsCluster
from constructs_ecs.cluster._existing_cluster import ExistingCluster
from constructs_ecs.cluster._instance_types import InstanceResources
from constructs_ecs.cluster._options import (
    AL2023_ECS_AMI_RELEASE,
    CapacityProviderOptions,
    ClusterLogs,
    ContainerAgent,
    InstanceImage,
    SpotOptions,
)
from constructs_ecs.cluster._service_cluster import ServiceCluster

__all__ = [
    "AL2023_ECS_AMI_RELEASE",
    "CapacityProviderOptions",
    "ClusterLogs",
    "ContainerAgent",
    "EcsCluster",
    "ExistingCluster",
    "InstanceImage",
    "InstanceResources",
    "ServiceCluster",
    "SpotOptions",
]
