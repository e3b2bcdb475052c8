"""The role services depend on: a cluster they run on (``ServiceCluster``).

``EcsCluster`` (defined here) and ``ExistingCluster`` (defined elsewhere) play it; services
read the cluster only through it, never by asking which kind they got, so a new kind of
cluster is a new class that plays the role, not a new branch in every service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kms as kms
from constructs import Construct, IDependable, Node

from constructs_ecs.cluster._shared import InstancePorts

if TYPE_CHECKING:
    from constructs_ecs.cluster._instance_types import InstanceResources
    from constructs_ecs.cluster._shared import ServiceConnectPeers

__all__ = ["ServiceCluster", "SharedInstances"]


class ServiceCluster(Protocol):
    """A cluster the services of this library run on: ``EcsCluster`` or ``ExistingCluster``.

    What a service reads from it (where its tasks go, what they may be, what one instance
    offers, how many instances there are at most) and what the services of one cluster record
    on it (static host ports taken, ingress opened, Service Connect peers). A fact the cluster
    does not know is ``None``: the check that needs it is skipped, and the cluster says so
    (``warn_unknown``). A class of your own plays the role by having these members; services
    check that when they are defined.
    """

    @property
    def node(self) -> Node:
        """The construct's node: the role is played by a construct."""
        ...

    @property
    def cluster(self) -> ecs.ICluster:
        """The ``ecs.ICluster`` the services are created in."""
        ...

    @property
    def vpc(self) -> ec2.IVpc:
        """The VPC of the instances."""
        ...

    @property
    def vpc_subnets(self) -> ec2.SubnetSelection:
        """Where services place awsvpc tasks."""
        ...

    @property
    def security_group(self) -> ec2.ISecurityGroup:
        """The instances' security group (services open it to their load balancer)."""
        ...

    @property
    def log_key(self) -> kms.IKey | None:
        """The KMS key of the services' log groups (``None``: CloudWatch Logs' own)."""
        ...

    @property
    def instance_types(self) -> tuple[ec2.InstanceType, ...]:
        """The instance types tasks may land on (empty: not known)."""
        ...

    @property
    def instance_resources(self) -> InstanceResources | None:
        """What one instance (the smallest) offers to tasks (``None``: not known)."""
        ...

    @property
    def max_capacity(self) -> int | None:
        """The most instances the cluster runs (``None``: not known)."""
        ...

    @property
    def host_port_range(self) -> tuple[int, int]:
        """The agent's dynamic host-port range (bridge-mode tasks' ports)."""
        ...

    @property
    def placement_strategies(self) -> tuple[ecs.PlacementStrategy, ...]:
        """Where services place tasks unless their ``Placement`` says otherwise."""
        ...

    @property
    def capacity_provider_strategies(self) -> list[ecs.CapacityProviderStrategy]:
        """The capacity provider strategy services use (empty: the cluster's default)."""
        ...

    @property
    def capacity_provider_dependency(self) -> IDependable:
        """What a service depends on, so that ``cdk destroy`` deletes it before the capacity."""
        ...

    @property
    def allows_privileged_tasks(self) -> bool | None:
        """Whether the instances' agent runs ``privileged`` containers (``None``: not known)."""
        ...

    @property
    def pulls_images_once(self) -> bool:
        """Whether the agent pulls an image tag once per instance
        (``ECS_IMAGE_PULL_BEHAVIOR=once``): a mutable tag then never updates."""
        ...

    @property
    def service_connect_peers(self) -> ServiceConnectPeers:
        """Who may call the cluster's Service Connect services, and on which port."""
        ...

    def how_to_allow_privileged_tasks(self) -> str:
        """What a user does for a privileged task to run, said when one is refused."""
        ...

    def static_host_port_holders(self, port: int) -> tuple[tuple[str, int], ...]:
        """``(construct path, instances)`` of each workload that binds static host ``port``
        on the instances, with how many instances it may occupy (one task each)."""
        ...

    def hold_static_host_port(self, port: int, *, holder: str, instances: int) -> None:
        """Record that the workload at ``holder`` may occupy static host ``port`` on up to
        ``instances`` instances; later workloads' checks count it."""
        ...

    def open_host_ports_to(self, peer: ec2.IConnectable, low: int, high: int) -> None:
        """Let ``peer`` (a load balancer) reach the instances on host ports ``low``-``high``
        (one rule per peer and range)."""
        ...

    def warn_unknown(self, scope: Construct, check: str, fact: str) -> None:
        """Say on ``scope`` (a service) that ``check`` was skipped for want of ``fact``."""
        ...


class SharedInstances:
    """The part of ``ServiceCluster`` every kind implements alike: the host ports the services
    take on the instances, kept in ``instance_ports``."""

    instance_ports: InstancePorts

    def static_host_port_holders(self, port: int) -> tuple[tuple[str, int], ...]:
        """``(construct path, instances)`` of each workload that binds static host ``port``
        on the instances, with how many instances it may occupy (one task each)."""
        return self.instance_ports.holders(port)

    def hold_static_host_port(self, port: int, *, holder: str, instances: int) -> None:
        """Record that the workload at ``holder`` may occupy static host ``port`` on up to
        ``instances`` instances; later workloads' checks count it."""
        self.instance_ports.hold(port, holder=holder, instances=instances)

    def open_host_ports_to(self, peer: ec2.IConnectable, low: int, high: int) -> None:
        """Let ``peer`` (a load balancer) reach the instances on host ports ``low``-``high``
        (one rule per peer and range)."""
        self.instance_ports.open_to(peer, low, high)
