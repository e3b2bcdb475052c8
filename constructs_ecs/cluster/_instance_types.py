"""What an EC2 instance type offers to ECS tasks: vCPUs, memory and GPUs of common families.

A small, offline table (no ``DescribeInstanceTypes`` call: synthesis stays deterministic). It
covers the general-purpose, compute- and memory-optimised families ECS clusters use most, the
previous-generation ``t2`` and ``m4``, and the NVIDIA GPU families ``g4dn`` and ``g5``. A type
outside the table is still accepted by ``EcsCluster``; only the placement checks that need its
size are skipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aws_cdk import aws_ec2 as ec2

__all__ = [
    "KERNEL_OVERHEAD_PERCENT",
    "InstanceResources",
    "InstanceTypeSpec",
    "is_gpu_family",
    "offered_resources",
    "spec_of",
]

KERNEL_OVERHEAD_PERCENT = 3
"""Share of installed memory the kernel and platform keep before ECS sees it.

The agent registers the memory the kernel reports (``MemTotal``), not the nominal size: AWS's
own example is an ``m4.large`` (8192 MiB installed) registering 7985 MiB, 2.5 % less. We take
3 %, rounded up, so the estimate errs on the side of what really registers.
"""


@dataclass(frozen=True, kw_only=True)
class InstanceResources:
    """What ONE container instance offers to tasks, after the OS and agent reservations.

    Attributes:
        cpu_units: CPU units (1024 per vCPU), what ECS registers for the instance.
        memory_mib: MiB left for tasks: installed memory, minus the kernel's share, minus
            ECS_RESERVED_MEMORY.
        gpus: NVIDIA GPUs.
        awsvpc_tasks: Tasks in awsvpc network mode the instance runs without ENI trunking: its
            network interfaces but the primary one. None when not known.
    """

    cpu_units: int
    memory_mib: int
    gpus: int = 0
    awsvpc_tasks: int | None = None


@dataclass(frozen=True, kw_only=True)
class InstanceTypeSpec:
    """Installed resources of one instance type."""

    vcpus: int
    memory_mib: int
    gpus: int = 0
    network_interfaces: int | None = None


_GIB = 1024

# Burstable families: (vCPUs, memory MiB) by size.
_BURSTABLE = {
    "nano": (2, 512),
    "micro": (2, 1 * _GIB),
    "small": (2, 2 * _GIB),
    "medium": (2, 4 * _GIB),
    "large": (2, 8 * _GIB),
    "xlarge": (4, 16 * _GIB),
    "2xlarge": (8, 32 * _GIB),
}


def _sizes(*multiples: int, medium: bool = False) -> frozenset[str]:
    names = {"large", "xlarge"} | {f"{n}xlarge" for n in multiples}
    if medium:
        names.add("medium")
    return frozenset(names)


_GRAVITON_2_3 = _sizes(2, 4, 8, 12, 16, medium=True)
_GRAVITON_4 = _sizes(2, 4, 8, 12, 16, 24, 48, medium=True)
_GEN5 = _sizes(2, 4, 8, 12, 16, 24)
_GEN6 = _sizes(2, 4, 8, 12, 16, 24, 32)
_GEN6A = _sizes(2, 4, 8, 12, 16, 24, 32, 48)
_GEN7 = _sizes(2, 4, 8, 12, 16, 24, 48)
_GEN7A = _sizes(2, 4, 8, 12, 16, 24, 32, 48, medium=True)

# Fixed-ratio families: memory GiB per vCPU, and the sizes that exist.
_RATIO_FAMILIES: dict[str, tuple[int, frozenset[str]]] = {
    # general purpose: 4 GiB per vCPU
    "m5": (4, _GEN5),
    "m5a": (4, _GEN5),
    "m6i": (4, _GEN6),
    "m6a": (4, _GEN6A),
    "m6g": (4, _GRAVITON_2_3),
    "m7i": (4, _GEN7),
    "m7a": (4, _GEN7A),
    "m7g": (4, _GRAVITON_2_3),
    "m8g": (4, _GRAVITON_4),
    # compute optimised: 2 GiB per vCPU
    "c5": (2, _sizes(2, 4, 9, 12, 18, 24)),
    "c5a": (2, _GEN5),
    "c6i": (2, _GEN6),
    "c6a": (2, _GEN6A),
    "c6g": (2, _GRAVITON_2_3),
    "c7i": (2, _GEN7),
    "c7a": (2, _GEN7A),
    "c7g": (2, _GRAVITON_2_3),
    "c8g": (2, _GRAVITON_4),
    # memory optimised: 8 GiB per vCPU
    "r5": (8, _GEN5),
    "r5a": (8, _GEN5),
    "r6i": (8, _GEN6),
    "r6a": (8, _GEN6A),
    "r6g": (8, _GRAVITON_2_3),
    "r7i": (8, _GEN7),
    "r7a": (8, _GEN7A),
    "r7g": (8, _GRAVITON_2_3),
    "r8g": (8, _GRAVITON_4),
}

# Previous-generation families still common in older clusters, with their own network
# interface counts: (vCPUs, memory MiB, network interfaces) by size. t2's nano, micro and small
# have one vCPU; m4 has 4 GiB per vCPU, but one interface fewer at large and 8 at most.
_PREVIOUS_GENERATION: dict[str, dict[str, tuple[int, int, int]]] = {
    "t2": {
        "nano": (1, 512, 2),
        "micro": (1, 1 * _GIB, 2),
        "small": (1, 2 * _GIB, 3),
        "medium": (2, 4 * _GIB, 3),
        "large": (2, 8 * _GIB, 3),
        "xlarge": (4, 16 * _GIB, 3),
        "2xlarge": (8, 32 * _GIB, 3),
    },
    "m4": {
        "large": (2, 8 * _GIB, 2),
        "xlarge": (4, 16 * _GIB, 4),
        "2xlarge": (8, 32 * _GIB, 4),
        "4xlarge": (16, 64 * _GIB, 8),
        "10xlarge": (40, 160 * _GIB, 8),
        "16xlarge": (64, 256 * _GIB, 8),
    },
}

# GPU families do not follow a ratio: (vCPUs, memory GiB, GPUs) by size.
_GPU_FAMILIES: dict[str, dict[str, tuple[int, int, int]]] = {
    "g4dn": {
        "xlarge": (4, 16, 1),
        "2xlarge": (8, 32, 1),
        "4xlarge": (16, 64, 1),
        "8xlarge": (32, 128, 1),
        "12xlarge": (48, 192, 4),
        "16xlarge": (64, 256, 1),
        "metal": (96, 384, 8),
    },
    "g5": {
        "xlarge": (4, 16, 1),
        "2xlarge": (8, 32, 1),
        "4xlarge": (16, 64, 1),
        "8xlarge": (32, 128, 1),
        "12xlarge": (48, 192, 4),
        "16xlarge": (64, 256, 1),
        "24xlarge": (96, 384, 4),
        "48xlarge": (192, 768, 8),
    },
}

# Families that need the GPU variant of the ECS-optimized AMI (NVIDIA drivers), in or out of
# the table above.
_NVIDIA_FAMILIES = frozenset(
    {"g4dn", "g5", "g6", "g6e", "gr6", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en"}
)


def _split(instance_type: ec2.InstanceType) -> tuple[str, str]:
    family, _, size = instance_type.to_string().partition(".")
    return family.lower(), size.lower()


def _vcpus_of(size: str) -> int | None:
    if size == "medium":
        return 1
    if size == "large":
        return 2
    if size == "xlarge":
        return 4
    if size.endswith("xlarge") and size[: -len("xlarge")].isdigit():
        return 4 * int(size[: -len("xlarge")])
    return None


# Network interfaces by size, as the EC2 documentation lists them for the general purpose,
# compute and memory optimized families of the table ("Maximum network interfaces"):
# https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html#gp_network
_NETWORK_INTERFACES = {
    "nano": 2,
    "micro": 2,
    "small": 3,
    "medium": 3,
    "large": 3,
    "xlarge": 4,
    "2xlarge": 4,
    "4xlarge": 8,
    "8xlarge": 8,
    "12xlarge": 8,
    "16xlarge": 15,
    "24xlarge": 15,
    "32xlarge": 15,
    "48xlarge": 15,
    "metal": 15,
}


def spec_of(instance_type: ec2.InstanceType) -> InstanceTypeSpec | None:
    """Installed vCPUs, memory, GPUs and network interfaces of ``instance_type``, or None when
    not in the table."""
    family, size = _split(instance_type)
    previous = _PREVIOUS_GENERATION.get(family, {}).get(size)
    if previous is not None:
        vcpus, memory, interfaces = previous
        return InstanceTypeSpec(vcpus=vcpus, memory_mib=memory, network_interfaces=interfaces)
    spec = _installed(instance_type)
    if spec is None:
        return None
    return InstanceTypeSpec(
        vcpus=spec.vcpus,
        memory_mib=spec.memory_mib,
        gpus=spec.gpus,
        network_interfaces=_NETWORK_INTERFACES.get(size),
    )


def _installed(instance_type: ec2.InstanceType) -> InstanceTypeSpec | None:
    family, size = _split(instance_type)
    if family in ("t3", "t3a", "t4g") and size in _BURSTABLE:
        vcpus, memory = _BURSTABLE[size]
        return InstanceTypeSpec(vcpus=vcpus, memory_mib=memory)
    if family in _GPU_FAMILIES and size in _GPU_FAMILIES[family]:
        vcpus, memory_gib, gpus = _GPU_FAMILIES[family][size]
        return InstanceTypeSpec(vcpus=vcpus, memory_mib=memory_gib * _GIB, gpus=gpus)
    if family in _RATIO_FAMILIES:
        gib_per_vcpu, sizes = _RATIO_FAMILIES[family]
        count = _vcpus_of(size) if size in sizes else None
        if count is not None:
            return InstanceTypeSpec(vcpus=count, memory_mib=count * gib_per_vcpu * _GIB)
    return None


def is_gpu_family(instance_type: ec2.InstanceType) -> bool:
    """Whether the type carries NVIDIA GPUs (and so needs the GPU variant of the AMI)."""
    return _split(instance_type)[0] in _NVIDIA_FAMILIES


def offered_resources(
    instance_types: tuple[ec2.InstanceType, ...], *, reserved_memory_mib: int
) -> InstanceResources | None:
    """What one instance of the smallest of ``instance_types`` offers to tasks.

    Per resource, the minimum over the types (a task must fit whichever type the Auto Scaling
    group launches): CPU units are 1024 per vCPU; memory is the installed memory, less
    ``KERNEL_OVERHEAD_PERCENT`` (rounded up), less ``reserved_memory_mib`` (ECS_RESERVED_MEMORY).
    None when any type is outside the table.
    """
    specs = [spec_of(t) for t in instance_types]
    known = [s for s in specs if s is not None]
    if not known or len(known) != len(specs):
        return None

    def memory(spec: InstanceTypeSpec) -> int:
        kernel = math.ceil(spec.memory_mib * KERNEL_OVERHEAD_PERCENT / 100)
        return max(spec.memory_mib - kernel - reserved_memory_mib, 0)

    interfaces = [s.network_interfaces for s in known]
    return InstanceResources(
        cpu_units=min(s.vcpus for s in known) * 1024,
        memory_mib=min(memory(s) for s in known),
        gpus=min(s.gpus for s in known),
        awsvpc_tasks=None if None in interfaces else min(i for i in interfaces if i) - 1,
    )
