"""A container's Linux settings: ``linuxParameters`` (capabilities, devices, tmpfs, swap) and
``ulimits``."""

from __future__ import annotations

from collections.abc import Sequence

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef._table import Bool, Int, ListOf, Objs, Str, entry, model

__all__ = ["Device", "LinuxParameters", "Tmpfs", "Ulimit"]

CAPABILITIES = (
    "ALL",
    "AUDIT_CONTROL",
    "AUDIT_WRITE",
    "BLOCK_SUSPEND",
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "IPC_LOCK",
    "IPC_OWNER",
    "KILL",
    "LEASE",
    "LINUX_IMMUTABLE",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "MKNOD",
    "NET_ADMIN",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_CHROOT",
    "SYS_MODULE",
    "SYS_NICE",
    "SYS_PACCT",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "SYSLOG",
    "WAKE_ALARM",
)
DEVICE_PERMISSIONS = ("read", "write", "mknod")
TMPFS_MOUNT_OPTIONS = (
    "defaults",
    "ro",
    "rw",
    "suid",
    "nosuid",
    "dev",
    "nodev",
    "exec",
    "noexec",
    "sync",
    "async",
    "dirsync",
    "remount",
    "mand",
    "nomand",
    "atime",
    "noatime",
    "diratime",
    "nodiratime",
    "bind",
    "rbind",
    "unbindable",
    "runbindable",
    "private",
    "rprivate",
    "shared",
    "rshared",
    "slave",
    "rslave",
    "relatime",
    "norelatime",
    "strictatime",
    "nostrictatime",
    "mode",
    "uid",
    "gid",
    "nr_inodes",
    "nr_blocks",
    "mpol",
)
_TMPFS_VALUED = ("mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol", "size")
ULIMIT_NAMES = (
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
)


def _check_tmpfs_option(field: str, option: object) -> None:
    name = option.split("=", 1)[0] if isinstance(option, str) else option
    valued = isinstance(option, str) and "=" in option
    if (valued and name not in _TMPFS_VALUED) or (not valued and name not in TMPFS_MOUNT_OPTIONS):
        raise ConfigurationError(
            field, option, "must be a tmpfs mount option (" + ", ".join(TMPFS_MOUNT_OPTIONS) + ")"
        )


@model("Device")
class Device:
    """A host device exposed to the container."""

    host_path: str = entry("hostPath", Str(), doc="The device on the instance.")
    container_path: str | None = entry(
        "containerPath", Str(), default=None, doc="Where it appears; omitted: the host path."
    )
    permissions: Sequence[str] = entry(
        "permissions",
        ListOf(item=Str(choices=DEVICE_PERMISSIONS)),
        default=(),
        doc="read, write, mknod; omitted: all three.",
    )


@model("Tmpfs")
class Tmpfs:
    """A tmpfs mount of ``size_mib`` MiB at ``container_path``."""

    container_path: str = entry("containerPath", Str(), doc="Where the tmpfs is mounted.")
    size_mib: int = entry("size", Int(minimum=1, unit="MiB"), doc="Its size in MiB.")
    mount_options: Sequence[str] = entry(
        "mountOptions",
        ListOf(item=Str(check_with=_check_tmpfs_option)),
        default=(),
        doc="tmpfs mount options (noexec, mode=1777, ...); omitted: Docker's defaults.",
    )


@model("LinuxParameters", groups={"capabilities": "KernelCapabilities"})
class LinuxParameters:
    """Linux-specific container settings (``linuxParameters``)."""

    capabilities_add: Sequence[str] = entry(
        "capabilities.add",
        ListOf(item=Str(choices=CAPABILITIES)),
        default=(),
        doc="Kernel capabilities added to Docker's default set; omitted: none.",
    )
    capabilities_drop: Sequence[str] = entry(
        "capabilities.drop",
        ListOf(item=Str(choices=CAPABILITIES)),
        default=(),
        doc="Kernel capabilities removed from Docker's default set; omitted: none.",
    )
    devices: Sequence[Device] = entry(
        "devices", Objs(Device), default=(), doc="Host devices exposed; omitted: none."
    )
    init_process_enabled: bool | None = entry(
        "initProcessEnabled",
        Bool(),
        default=None,
        doc="Run an init process (PID 1) that reaps zombies; omitted: Docker's default (off).",
    )
    shared_memory_size_mib: int | None = entry(
        "sharedMemorySize",
        Int(minimum=1, unit="MiB"),
        default=None,
        doc="/dev/shm size; omitted: Docker's default (64 MiB).",
    )
    tmpfs: Sequence[Tmpfs] = entry(
        "tmpfs", Objs(Tmpfs), default=(), doc="tmpfs mounts; omitted: none."
    )
    max_swap_mib: int | None = entry(
        "maxSwap",
        Int(minimum=0, unit="MiB"),
        default=None,
        doc="Swap the container may use; omitted: the instance's default; 0: none.",
    )
    swappiness: int | None = entry(
        "swappiness", Int(minimum=0, maximum=100), default=None, doc="0-100; omitted: 60."
    )


@model("Ulimit")
class Ulimit:
    """A resource limit (``ulimit``) for the container's processes."""

    name: str = entry("name", Str(choices=ULIMIT_NAMES), doc="The limit (nofile, nproc, ...).")
    soft_limit: int = entry("softLimit", Int(minimum=-1), doc="The soft limit; -1: unlimited.")
    hard_limit: int = entry("hardLimit", Int(minimum=-1), doc="The hard limit; -1: unlimited.")

    def _validate(self) -> None:
        if self.hard_limit != -1 and (self.soft_limit == -1 or self.soft_limit > self.hard_limit):
            raise ConfigurationError(
                "softLimit", self.soft_limit, f"must not exceed hardLimit ({self.hard_limit})"
            )
