"""A cluster this app does not define, described by the facts the services' checks need."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kms as kms
from constructs import Construct, DependencyGroup, IDependable

from constructs_ecs._arguments import checked, expect_int
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._limits import CONTAINER_INSTANCES_PER_CLUSTER
from constructs_ecs.cluster._agent import DEFAULT_HOST_PORT_RANGE, DEFAULT_RESERVED_MEMORY_MIB
from constructs_ecs.cluster._instance_types import InstanceResources, offered_resources
from constructs_ecs.cluster._options import default_placement_strategies
from constructs_ecs.cluster._service_cluster import SharedInstances
from constructs_ecs.cluster._shared import InstancePorts, ServiceConnectPeers

__all__ = ["FACTS_MISSING", "ExistingCluster"]

FACTS_MISSING = "@constructs-ecs/cluster:factsNotGiven"
"""Warning id: a check of a service was skipped, the existing cluster's facts not given."""


class ExistingCluster(SharedInstances, Construct):
    """An ECS cluster on EC2 capacity defined elsewhere (another app, the console, Terraform),
    for this library's services to run on.

    Defines nothing. The services read what they need from it: the ``ecs.ICluster``, its VPC
    and instance security group (they open it to their load balancer), and, for their
    placement checks, the instance type (or what one instance offers), the most instances the
    cluster runs and the agent's dynamic host-port range. A check whose fact is not given is
    skipped, with a warning on the service.
    """

    @checked()
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ecs.ICluster,
        vpc: ec2.IVpc,
        security_group: ec2.ISecurityGroup,
        capacity_provider_name: str | None = None,
        instance_type: ec2.InstanceType | None = None,
        instance_resources: InstanceResources | None = None,
        max_capacity: int | None = None,
        host_port_range: tuple[int, int] = DEFAULT_HOST_PORT_RANGE,
        vpc_subnets: ec2.SubnetSelection | None = None,
        allows_privileged_tasks: bool | None = None,
        log_key: kms.IKey | None = None,
    ) -> None:
        """
        :param cluster: The cluster (``ecs.Cluster.from_cluster_attributes(...)``).
        :param vpc: The VPC of its instances.
        :param security_group: The security group of its instances.
        :param capacity_provider_name: The capacity provider services use. Default: the
            cluster's default capacity provider strategy.
        :param instance_type: The instances' type (services check their tasks fit one).
            Default: not known: the fit checks are skipped, with a warning.
        :param instance_resources: What one instance offers to tasks, instead of
            ``instance_type`` (for a type outside ``constructs_ecs.cluster._instance_types``).
            Default: derived from ``instance_type`` with the agent's default reservation.
        :param max_capacity: The most instances the cluster runs (static host ports and
            ``distinctInstance`` allow one task per instance). Default: not known: those
            checks are skipped, with a warning.
        :param host_port_range: The agent's dynamic host-port range (opened to load
            balancers for bridge-mode tasks). Default: 32768-60999, the agent's.
        :param vpc_subnets: Where awsvpc tasks go. Default: the VPC's private subnets.
        :param allows_privileged_tasks: Whether the instances' agent runs ``privileged``
            containers (``ECS_DISABLE_PRIVILEGED``). ``False``: a service with a privileged
            container is a ``ConfigurationError``. Default: not known: such a service gets a
            warning instead.
        :param log_key: A customer-managed KMS key for the log groups of the services in it
            (its policy must let CloudWatch Logs use it; a key this app defines gets that
            statement). Default: CloudWatch Logs' own encryption.
        """
        super().__init__(scope, construct_id)
        if instance_type is not None and instance_resources is not None:
            raise ConfigurationError(
                "instance_resources",
                instance_resources,
                "only without instance_type (one or the other describes the instances)",
            )
        if cluster.connections.security_groups:
            raise ConfigurationError(
                "cluster",
                cluster.cluster_name,
                "an ecs.ICluster imported without security_groups: with them, aws-cdk-lib opens "
                "ports 32768-65535 of those groups to every load balancer of its services "
                "(aws-cdk issue 9778); give the instances' group as security_group instead",
            )
        if max_capacity is not None:
            expect_int(
                "max_capacity", max_capacity, minimum=1, maximum=CONTAINER_INSTANCES_PER_CLUSTER
            )
        low, high = host_port_range
        expect_int("host_port_range[0]", low, minimum=1, maximum=65535)
        expect_int("host_port_range[1]", high, minimum=low, maximum=65535)
        self.cluster = cluster
        """The ``ecs.ICluster``."""
        self.log_key: kms.IKey | None = log_key
        """The KMS key of its services' log groups (None: CloudWatch Logs' own encryption)."""
        self.vpc = vpc
        """The VPC of the instances."""
        self.security_group = security_group
        """The instances' security group."""
        self.connections = security_group.connections
        """The instances' ``ec2.Connections``."""
        self.vpc_subnets = vpc_subnets or ec2.SubnetSelection(
            subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS
        )
        """Where services of this library place awsvpc tasks."""
        self.instance_types: tuple[ec2.InstanceType, ...] = (
            (instance_type,) if instance_type is not None else ()
        )
        """The instance type, when given."""
        self.instance_resources: InstanceResources | None = instance_resources or (
            offered_resources(self.instance_types, reserved_memory_mib=DEFAULT_RESERVED_MEMORY_MIB)
            if instance_type is not None
            else None
        )
        """What one instance offers to tasks, when known."""
        self.max_capacity: int | None = max_capacity
        """The most instances, when given."""
        self.host_port_range: tuple[int, int] = (low, high)
        """The agent's dynamic host-port range."""
        self.placement_strategies: tuple[ecs.PlacementStrategy, ...] = (
            default_placement_strategies()
        )
        """Where services place tasks unless their ``Placement`` says otherwise."""
        self.capacity_provider_strategies: list[ecs.CapacityProviderStrategy] = (
            [ecs.CapacityProviderStrategy(capacity_provider=capacity_provider_name, weight=1)]
            if capacity_provider_name is not None
            else []
        )
        """The strategy services use (empty: the cluster's default)."""
        self.capacity_provider_dependency: IDependable = DependencyGroup()
        """Nothing to wait for: the cluster's capacity is not defined here."""
        self.allows_privileged_tasks: bool | None = allows_privileged_tasks
        """Whether the agent runs privileged containers, when given."""
        self.instance_ports = InstancePorts(self.connections)
        """The host ports the services take on the instances, and who may reach them."""
        self.service_connect_peers = ServiceConnectPeers(self, vpc, security_group)
        """Who may call the cluster's Service Connect services, and on which port."""

    @property
    def pulls_images_once(self) -> bool:
        """Not known here: the mutable-tag warning is for clusters this app defines."""
        return False

    def how_to_allow_privileged_tasks(self) -> str:
        """Said when a privileged task is refused: the instances refuse it."""
        return "its instances' agent has ECS_DISABLE_PRIVILEGED=true"

    def warn_unknown(self, scope: Construct, check: str, fact: str) -> None:
        """Say on ``scope`` (a service) that ``check`` was skipped for want of ``fact``."""
        cdk.Annotations.of(scope).add_warning_v2(
            FACTS_MISSING,
            f"{check} skipped: the existing cluster's {fact} was not given "
            f"(ExistingCluster(..., {fact}=...)).",
        )
