"""Option groups of ``EcsCluster``: the machine image, Spot, the capacity provider, the
container agent and the cluster's logs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs

from constructs_ecs._arguments import _shallow, checked
from constructs_ecs._deprecated import Moved, exclusive, from_moved
from constructs_ecs._errors import ConfigurationError

__all__ = [
    "AL2023_ECS_AMI_RELEASE",
    "CLUSTER_MOVED",
    "CapacityProviderOptions",
    "ClusterLogs",
    "ContainerAgent",
    "InstanceImage",
    "SpotOptions",
    "agent_of",
    "default_placement_strategies",
    "logs_of",
]

AL2023_ECS_AMI_RELEASE = "2023.0.20261030"
"""The ECS-optimized Amazon Linux 2023 AMI release instances boot by default.

Release ``20261030`` of github.com/aws/amazon-ecs-ami (ECS agent 1.108.2, Docker 25.0.18).
Bumping it is a deliberate change, released with this library: see "Rolling instances onto a
new AMI without downtime" in docs/guide/cluster-and-capacity.md.
"""

_AL2023_RELEASE = re.compile(r"^2023\.0\.\d{8}$")
_BOTTLEROCKET_VERSION = re.compile(r"^\d+\.\d+\.\d+(-[0-9a-f]{8})?$")
_SSM_PREFIX = "/aws/service/ecs/optimized-ami/amazon-linux-2023"


@dataclass(frozen=True, kw_only=True)
class InstanceImage:
    """The machine image of the instances, pinned so it never changes between two deploys.

    Build one with ``amazon_linux_2023()`` (the default), ``bottlerocket(version)`` or
    ``custom(machine_image)``. The ECS-optimized images are read at deploy time from the
    release-specific public SSM parameter (``/aws/service/ecs/optimized-ami/amazon-linux-2023/
    <release>/image_id``), never from ``recommended`` or ``latest``, and never from a context
    lookup: synthesis works offline and the AMI only changes when the release does.

    Attributes:
        kind: Which family of image: ECS-optimized AL2023, Bottlerocket, or your own.
        version: The AL2023 release (``2023.0.YYYYMMDD``) or the Bottlerocket version.
        machine_image: Your image (``custom`` only).
        custom_bottlerocket: Whether your image is Bottlerocket (``custom`` only).
    """

    kind: Literal["amazon-linux-2023", "bottlerocket", "custom"]
    version: str | None = None
    machine_image: ec2.IMachineImage | None = field(default=None, compare=False)
    custom_bottlerocket: bool = False

    def __post_init__(self) -> None:
        version = self.version or ""
        if self.kind == "amazon-linux-2023" and not _AL2023_RELEASE.match(version):
            raise ConfigurationError(
                "release",
                self.version,
                "must be an ECS-optimized AL2023 AMI release such as "
                f"{AL2023_ECS_AMI_RELEASE!r} (github.com/aws/amazon-ecs-ami/releases)",
            )
        if self.kind == "bottlerocket" and not _BOTTLEROCKET_VERSION.match(version):
            raise ConfigurationError(
                "version",
                self.version,
                "must be a published Bottlerocket version such as '1.54.0' (not 'latest': "
                "the AMI must not change between two deploys)",
            )
        if self.kind == "custom" and self.machine_image is None:
            raise ConfigurationError(
                "machine_image", None, "a custom image needs an ec2.IMachineImage"
            )

    @staticmethod
    @checked()
    def amazon_linux_2023(release: str = AL2023_ECS_AMI_RELEASE) -> InstanceImage:
        """The ECS-optimized Amazon Linux 2023 AMI of ``release`` (``2023.0.YYYYMMDD``).

        x86_64 or arm64 after the instance type; the GPU variant (NVIDIA drivers) for GPU
        instance types. Default release: ``AL2023_ECS_AMI_RELEASE``.
        """
        return InstanceImage(kind="amazon-linux-2023", version=release)

    @staticmethod
    @checked()
    def bottlerocket(version: str) -> InstanceImage:
        """Bottlerocket's ``aws-ecs-2`` variant (``aws-ecs-2-nvidia`` on GPU types) at ``version``.

        ``version`` as published under ``/aws/service/bottlerocket/aws-ecs-2/<arch>/``, e.g.
        ``1.54.0``; ``latest`` is refused because it changes silently.
        """
        return InstanceImage(kind="bottlerocket", version=version)

    @staticmethod
    @checked()
    def custom(machine_image: ec2.IMachineImage, *, bottlerocket: bool = False) -> InstanceImage:
        """Any image with the ECS agent; pinning it is then up to you.

        ``bottlerocket=True`` when it is a Bottlerocket image (agent settings go in TOML).
        """
        return InstanceImage(
            kind="custom", machine_image=machine_image, custom_bottlerocket=bottlerocket
        )

    @property
    def is_bottlerocket(self) -> bool:
        """Whether the agent is configured through Bottlerocket's TOML settings."""
        return self.kind == "bottlerocket" or self.custom_bottlerocket

    def ssm_parameter_name(
        self, *, architecture: ec2.InstanceArchitecture, gpu: bool
    ) -> str | None:
        """The public SSM parameter holding the AMI id (None for a custom image)."""
        arm = architecture == ec2.InstanceArchitecture.ARM_64
        arch = "arm64" if arm else "x86_64"
        if self.kind == "bottlerocket":
            variant = "aws-ecs-2-nvidia" if gpu else "aws-ecs-2"
            return f"/aws/service/bottlerocket/{variant}/{arch}/{self.version}/image_id"
        if self.kind == "amazon-linux-2023":
            if gpu:
                name = f"al2023-ami-ecs-gpu-hvm-{self.version}-kernel-6.1-{arch}-ebs"
                return f"{_SSM_PREFIX}/gpu/{name}/image_id"
            name = f"al2023-ami-ecs-hvm-{self.version}-kernel-6.1-{arch}"
            return (
                f"{_SSM_PREFIX}/arm64/{name}/image_id" if arm else f"{_SSM_PREFIX}/{name}/image_id"
            )
        return None

    def _resolve(self, *, architecture: ec2.InstanceArchitecture, gpu: bool) -> ec2.IMachineImage:
        if self.machine_image is not None:
            return self.machine_image
        name = self.ssm_parameter_name(architecture=architecture, gpu=gpu)
        assert name is not None
        return ec2.MachineImage.from_ssm_parameter(name, os=ec2.OperatingSystemType.LINUX)


@dataclass(frozen=True, kw_only=True)
class SpotOptions:
    """Run instances above an On-Demand base on Spot, across several instance types.

    The Auto Scaling group gets a mixed-instances policy over ``instance_type`` plus
    ``instance_types`` (at least two distinct types, same architecture), Capacity Rebalancing,
    and the agent drains a Spot instance as soon as its interruption notice arrives.

    Attributes:
        instance_types: Types Spot may use besides the cluster's ``instance_type``; required. Pick
            types of similar size (the placement checks use the smallest).
        on_demand_base_capacity: Instances that are always On-Demand (a floor that survives Spot
            interruptions).
        on_demand_percentage_above_base_capacity: Share of the instances above the base that are
            On-Demand (0: all Spot).
        allocation_strategy: How Spot pools are chosen. Default: capacity-optimized, the pools least
            likely to be interrupted; ``PRICE_CAPACITY_OPTIMIZED`` trades a little of that for
            price.
        capacity_rebalance: Replace a Spot instance proactively when EC2 signals an elevated
            interruption risk.
    """

    instance_types: Sequence[ec2.InstanceType] = ()
    on_demand_base_capacity: int = 1
    on_demand_percentage_above_base_capacity: int = 0
    allocation_strategy: autoscaling.SpotAllocationStrategy = (
        autoscaling.SpotAllocationStrategy.CAPACITY_OPTIMIZED
    )
    capacity_rebalance: bool = True

    @checked("spot.")
    def __post_init__(self) -> None:
        object.__setattr__(self, "instance_types", tuple(self.instance_types))
        if not self.instance_types:
            raise ConfigurationError(
                "spot.instance_types",
                (),
                "list at least one instance type besides instance_type: Spot capacity comes "
                "from several pools so that one pool's interruptions do not empty the cluster",
            )
        if self.on_demand_base_capacity < 0:
            raise ConfigurationError(
                "spot.on_demand_base_capacity", self.on_demand_base_capacity, "must be 0 or more"
            )
        if not 0 <= self.on_demand_percentage_above_base_capacity <= 100:
            raise ConfigurationError(
                "spot.on_demand_percentage_above_base_capacity",
                self.on_demand_percentage_above_base_capacity,
                "must be between 0 and 100",
            )


MAX_SCALING_STEP = 10_000
"""ECS's bound on managed scaling's step sizes."""


@dataclass(frozen=True, kw_only=True)
class CapacityProviderOptions:
    """How the capacity provider scales and protects the instances.

    Attributes:
        target_capacity_percent: Managed scaling's target utilisation of the instances (1-100; below
            100 keeps spare instances for faster task starts).
        managed_termination_protection: Keep Auto Scaling from terminating instances that still run
            tasks. Default: off; managed draining (always on) already drains an instance before it
            terminates.
        force_delete_on_destroy: On stack deletion, force-delete the Auto Scaling group (terminating
            protected instances) once services and the capacity provider are gone. Default: on
            exactly when ``managed_termination_protection`` is, which otherwise blocks deletion.
        minimum_scaling_step_size: Fewest instances managed scaling adds or removes at a time
            (1-10000). Default: ECS's, 1.
        maximum_scaling_step_size: Most instances managed scaling adds or removes at a time
            (1-10000, at least the minimum). Default: ECS's, 10000.
    """

    target_capacity_percent: int = 100
    managed_termination_protection: bool = False
    force_delete_on_destroy: bool | None = None
    minimum_scaling_step_size: int | None = None
    maximum_scaling_step_size: int | None = None

    @checked("capacity_provider_options.")
    def __post_init__(self) -> None:
        if not 1 <= self.target_capacity_percent <= 100:
            raise ConfigurationError(
                "capacity_provider_options.target_capacity_percent",
                self.target_capacity_percent,
                "must be between 1 and 100",
            )
        low, high = self.minimum_scaling_step_size, self.maximum_scaling_step_size
        known = {n: v for n, v in (("minimum", low), ("maximum", high)) if v is not None}
        known = {n: v for n, v in known.items() if not cdk.Token.is_unresolved(v)}
        for name, step in known.items():
            if not 1 <= step <= MAX_SCALING_STEP:
                raise ConfigurationError(
                    f"capacity_provider_options.{name}_scaling_step_size",
                    step,
                    f"1 to {MAX_SCALING_STEP} instances (ECS managed scaling)",
                )
        if len(known) == 2 and known["minimum"] > known["maximum"]:
            raise ConfigurationError(
                "capacity_provider_options.maximum_scaling_step_size",
                high,
                f"at least minimum_scaling_step_size ({low})",
            )

    @property
    def force_delete(self) -> bool:
        """Whether the force-delete-on-destroy custom resource is defined."""
        if self.force_delete_on_destroy is None:
            return self.managed_termination_protection
        return self.force_delete_on_destroy


@dataclass(frozen=True, kw_only=True)
class ContainerAgent:
    """The ECS container agent of the instances: its settings and whether it runs privileged
    containers.

    Attributes:
        settings: Container agent variables (``ECS_*``) merged over the defaults and written to
            ``/etc/ecs/ecs.config`` (Bottlerocket: its TOML settings). Each key and value is
            checked when the cluster is defined; a value is never shown in an error (it may be
            a credential, which is refused). Default: the defaults only.
        allow_privileged_tasks: Let the agent run ``privileged`` containers (root on the
            instance; each task must also acknowledge it, ``HostAccess``). Decided for every
            instance, whatever services run. Default: refused (``ECS_DISABLE_PRIVILEGED=true``;
            Bottlerocket: ``allow-privileged-containers = false``): a service with a privileged
            container is then a ``ConfigurationError``.
    """

    settings: Mapping[str, str] | None = field(default=None, repr=False)
    allow_privileged_tasks: bool = False

    @checked("agent.", shallow=("settings",))  # settings may hold credentials: never shown
    def __post_init__(self) -> None:
        if self.settings is not None:  # a copy: a later change to the caller's dict is not seen
            object.__setattr__(self, "settings", MappingProxyType(dict(self.settings)))


@dataclass(frozen=True, kw_only=True)
class ClusterLogs:
    """The cluster's log groups: how long ECS Exec sessions are kept, and their KMS key.

    Attributes:
        exec_log_retention: How long ECS Exec session logs are kept.
        key: A customer-managed KMS key for the cluster's log groups (ECS Exec, the
            force-delete function) and those of the services in it; a key this app defines
            gets the key policy statement CloudWatch Logs needs. Default: CloudWatch Logs' own
            encryption (HIPAA's and NIST's ``CloudWatchLogGroupEncrypted`` then acknowledged on
            each log group).
    """

    exec_log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR
    key: kms.IKey | None = field(default=None, compare=False)

    @checked("logs.")
    def __post_init__(self) -> None:
        pass


_AGENT_MOVED = {"agent_settings": "settings", "allow_privileged_tasks": "allow_privileged_tasks"}
_LOGS_MOVED = {"exec_log_retention": "exec_log_retention", "log_key": "key"}

CLUSTER_MOVED = {
    # checked as a mapping only: the agent's own check never shows a setting's value
    "agent_settings": Moved(
        _shallow(Mapping[str, str] | None), "agent=ContainerAgent(settings=...)"
    ),
    "allow_privileged_tasks": Moved(bool, "agent=ContainerAgent(allow_privileged_tasks=...)"),
    "exec_log_retention": Moved(logs.RetentionDays, "logs=ClusterLogs(exec_log_retention=...)"),
    "log_key": Moved(kms.IKey | None, "logs=ClusterLogs(key=...)"),
}
"""EcsCluster's keywords of 0.1 that ``agent`` and ``logs`` replace."""


def agent_of(agent: ContainerAgent | None, taken: Mapping[str, Any]) -> ContainerAgent:
    """``agent``, or the one the moved keywords in ``taken`` describe (not both)."""
    old = {name: value for name, value in taken.items() if name in _AGENT_MOVED}
    exclusive(old, "agent", agent)
    return agent or from_moved(ContainerAgent, "agent", old, _AGENT_MOVED)


def logs_of(given: ClusterLogs | None, taken: Mapping[str, Any]) -> ClusterLogs:
    """``given`` (the ``logs``), or the one the moved keywords in ``taken`` describe (not
    both)."""
    old = {name: value for name, value in taken.items() if name in _LOGS_MOVED}
    exclusive(old, "logs", given)
    return given or from_moved(ClusterLogs, "logs", old, _LOGS_MOVED)


def default_placement_strategies() -> tuple[ecs.PlacementStrategy, ...]:
    """Spread tasks across availability zones, then bin-pack on memory within each zone."""
    return (
        ecs.PlacementStrategy.spread_across(ecs.BuiltInAttributes.AVAILABILITY_ZONE),
        ecs.PlacementStrategy.packed_by_memory(),
    )
