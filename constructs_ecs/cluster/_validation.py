"""Checks of ``EcsCluster``'s arguments: the capacity, the root volume and the instance
types (readable by aws-cdk-lib, one architecture, GPU or not)."""

from __future__ import annotations

import re

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2

from constructs_ecs._errors import ConfigurationError
from constructs_ecs._limits import CONTAINER_INSTANCES_PER_CLUSTER, EBS_VOLUME_GIB
from constructs_ecs.cluster._instance_types import is_gpu_family
from constructs_ecs.cluster._options import InstanceImage, SpotOptions

__all__ = [
    "READABLE_INSTANCE_TYPE",
    "check_readable",
    "instance_types_of",
    "validate_capacity",
    "validate_volume",
]

READABLE_INSTANCE_TYPE = re.compile(r"^([a-z]+)(\d{1,2})([a-z\-]*)\.([a-z0-9\-]+)$")
"""The instance type names whose architecture aws-cdk-lib reads (``InstanceType.architecture``
in aws-ec2/lib/instance-types.ts): family, generation, capabilities, size."""


def validate_capacity(min_capacity: int, max_capacity: int, spot: SpotOptions | None) -> None:
    """Refuse a capacity range ECS or Spot's On-Demand base cannot have."""
    if cdk.Token.is_unresolved(min_capacity) or cdk.Token.is_unresolved(max_capacity):
        return
    if min_capacity < 0:
        raise ConfigurationError("min_capacity", min_capacity, "must be 0 or more")
    if max_capacity < 1:
        raise ConfigurationError(
            "max_capacity", max_capacity, "must be at least 1 (no instance, no task)"
        )
    if max_capacity > CONTAINER_INSTANCES_PER_CLUSTER:
        raise ConfigurationError(
            "max_capacity",
            max_capacity,
            f"at most {CONTAINER_INSTANCES_PER_CLUSTER}: an ECS cluster registers no more "
            "container instances (a quota AWS does not raise); use several clusters",
        )
    if min_capacity > max_capacity:
        raise ConfigurationError(
            "min_capacity",
            min_capacity,
            f"must not exceed max_capacity ({max_capacity})",
        )
    if spot is not None and spot.on_demand_base_capacity > max_capacity:
        raise ConfigurationError(
            "spot.on_demand_base_capacity",
            spot.on_demand_base_capacity,
            f"must not exceed max_capacity ({max_capacity})",
        )


def validate_volume(size: int, image: InstanceImage) -> None:
    """Refuse a root volume smaller than the image's snapshot or larger than EBS allows."""
    low = 30 if image.kind == "amazon-linux-2023" else 1
    if cdk.Token.is_unresolved(size):
        return
    if not low <= size <= EBS_VOLUME_GIB:
        why = " (the size of the AMI's snapshot)" if low == 30 else ""
        raise ConfigurationError(
            "root_volume_size_gib", size, f"must be between {low}{why} and {EBS_VOLUME_GIB}"
        )


def instance_types_of(
    instance_type: ec2.InstanceType, spot: SpotOptions | None
) -> tuple[ec2.InstanceType, ...]:
    """``instance_type`` then Spot's other types, each once: readable by aws-cdk-lib, of one
    architecture, all GPU or none."""
    types: dict[str, ec2.InstanceType] = {instance_type.to_string(): instance_type}
    for extra in spot.instance_types if spot else ():
        types.setdefault(extra.to_string(), extra)
    result = tuple(types.values())
    for index, each in enumerate(result):
        check_readable(each, "instance_type" if index == 0 else "spot.instance_types")
    if spot is not None and len(result) < 2:
        raise ConfigurationError(
            "spot.instance_types",
            [t.to_string() for t in spot.instance_types],
            f"must add at least one type other than instance_type "
            f"({instance_type.to_string()}): Spot needs several pools",
        )
    for other in result[1:]:
        if other.architecture != instance_type.architecture:
            raise ConfigurationError(
                "spot.instance_types",
                other.to_string(),
                f"every type must share the architecture of instance_type "
                f"({instance_type.to_string()}, {instance_type.architecture.value}): "
                "the instances boot one AMI",
            )
        if is_gpu_family(other) != is_gpu_family(instance_type):
            raise ConfigurationError(
                "spot.instance_types",
                other.to_string(),
                "mixes GPU and non-GPU types: they boot different AMIs",
            )
    return result


def check_readable(instance_type: ec2.InstanceType, field: str) -> None:
    """aws-cdk-lib can tell ``instance_type``'s architecture (which picks the AMI): it cannot
    for the families with a dash before the generation (``u-6tb1``, ``mac2-m2pro``).

    ``ec2.InstanceType.architecture`` matches the name against ``READABLE_INSTANCE_TYPE`` and
    throws otherwise; the same check, made here, refuses such a name before it is read.
    """
    name = instance_type.to_string()
    if READABLE_INSTANCE_TYPE.match(name):
        return
    raise ConfigurationError(
        field,
        name,
        "an instance type aws-cdk-lib can read the architecture of (its ec2.InstanceType "
        "refuses this name as malformed): choose a family that runs ECS tasks, such as "
        "m7i, m7g, c7i or r7i",
    )
