"""Host access: what a task may do to the instance beyond its own containers, and the reasons.

A container is isolated from the instance by its namespaces, its capability set and its mounts.
These settings widen that isolation, and each is refused when the task is defined unless the
task acknowledges it with a reason (``HostAccess``), as the IAM acknowledgements of this
library are made (``constructs_ecs._nag``): for one task, naming what is allowed, with a
reason that the template then records (metadata ``constructs_ecs.host_access`` on the
``AWS::ECS::TaskDefinition``).

- ``privileged: true``: root on the instance (every capability and device, no seccomp profile).
- ``networkMode``, ``pidMode`` or ``ipcMode`` ``host``: the instance's network stack, its
  processes, its shared memory.
- ``linuxParameters.capabilities.add`` outside Docker's default set
  (``DOCKER_DEFAULT_CAPABILITIES``): adding one Docker grants anyway (after ``drop: ["ALL"]``)
  gives nothing a default container lacks; any other widens what the container may ask of the
  kernel, and this module does not rank them (``NET_BROADCAST`` needs a reason as ``SYS_ADMIN``
  does: one sentence costs less than a ranking to maintain).
- A host volume (``host.sourcePath``) at, under or above a protected path
  (``PROTECTED_HOST_PATHS``), each of which exposes the instance or its other tasks.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from constructs_ecs._errors import ConfigurationError, closest
from constructs_ecs.taskdef._common import as_tuple, is_token, type_name
from constructs_ecs.taskdef._container import ContainerSpec
from constructs_ecs.taskdef._linux import CAPABILITIES
from constructs_ecs.taskdef._volumes import Volume

__all__ = [
    "DOCKER_DEFAULT_CAPABILITIES",
    "HOST_SETTINGS",
    "MIN_REASON_LENGTH",
    "PROTECTED_HOST_PATHS",
    "HostAccess",
    "HostAccessFinding",
    "check",
    "findings",
    "metadata",
]

#: What Docker (moby's ``oci/caps/defaults.go``) grants every container: adding one of these
#: needs no reason. Kubernetes' "baseline" Pod Security Standard allows the same list less
#: NET_RAW; a default Docker container holds NET_RAW, so re-adding it is not flagged here.
DOCKER_DEFAULT_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "NET_RAW",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)

#: Host paths a task may not mount without a reason, and what each exposes. A ``sourcePath``
#: at one of them, under one (``/proc/sys``), or above one (``/var`` holds ``/var/lib/docker``,
#: ``/run`` the Docker socket) is flagged; ``/var/run`` is read as ``/run``, which it links to
#: on Amazon Linux 2023 and Bottlerocket. Other host paths (``/var/log``, ``/tmp``, a data
#: directory) pass: they are the instance's files all the same, but expose neither the
#: instance's control nor other tasks' secrets.
PROTECTED_HOST_PATHS: Mapping[str, str] = {
    "/": "the instance's whole file system",
    "/boot": "the instance's kernel and boot loader",
    "/dev": "the instance's devices, its disks among them",
    "/etc": "the instance's configuration: users, sudoers, cron, the agent's ecs.config",
    "/proc": "every process of the instance (their command lines and environments) and the "
    "kernel's tunables",
    "/root": "the home directory of the instance's root user",
    "/run/docker.sock": "the Docker API, which starts any container, privileged, as root",
    "/run/containerd": "containerd's socket, which starts any container as root",
    "/sys": "the kernel's devices, cgroups and tunables",
    "/var/lib/docker": "every container's files and configuration, their secrets among them",
}

#: Task and container settings that need a reason, by the name ``HostAccess.allow`` uses.
HOST_SETTINGS: Mapping[str, str] = {
    "privileged": "a privileged container is root on the instance: every capability and "
    "device, no seccomp profile (the cluster must also allow it: "
    "EcsCluster(..., agent=ContainerAgent(allow_privileged_tasks=True)))",
    "networkMode": "the task shares the instance's network stack: the instance's ports and "
    "interfaces, its traffic, and instance metadata with the instance role's credentials; "
    "no security group of its own",
    "pidMode": "the task shares the instance's process namespace: it sees every process of "
    "the instance with its command line, and root in it may signal them",
    "ipcMode": "the task shares the instance's IPC namespace: the shared memory, semaphores "
    "and message queues of the instance's processes",
}

_CAPABILITY_RISKS = {
    "ALL": "it is every capability: what privileged gives, short of the devices",
    "DAC_READ_SEARCH": "it reads any file by handle, which reaches the instance's file system",
    "NET_ADMIN": "it configures interfaces, routes and firewall rules (the instance's, in "
    "host network mode)",
    "SYS_ADMIN": "it mounts file systems and makes namespaces: nearly root on the instance",
    "SYS_MODULE": "it loads kernel modules: root on the instance",
    "SYS_PTRACE": "it traces other processes and reads their memory",
    "SYS_RAWIO": "it reaches the instance's I/O ports and memory",
}

#: cdk-nag's minimum for a suppression's reason, kept for the same purpose: a sentence.
MIN_REASON_LENGTH = 10


@dataclass(frozen=True, kw_only=True)
class HostAccess:
    """Host access a task is allowed, and why: the acknowledgement its settings need.

    ``allow`` names what is allowed, as ECS JSON does: ``"privileged"``, ``"networkMode"``,
    ``"pidMode"`` or ``"ipcMode"`` (their ``host`` value), a capability added
    (``"SYS_ADMIN"``), or a host volume's ``sourcePath`` (``"/var/run/docker.sock"``). Given to
    ``TaskDefinitionSpec(host_access=[...])`` or ``TaskDefinitionSpec.from_file(path,
    host_access=[...])``; the error that asks for one says what to write::

        HostAccess(
            allow=["/proc", "/sys"],
            reason="The CloudWatch agent reads the instance's metrics, read-only.",
        )

    Attributes:
        allow: What the task may do: setting names, capabilities, host paths (a list; one string is
            taken as a list of one).
        reason: Why the task needs it: a sentence (at least 10 characters), recorded in the
            template.
    """

    allow: Sequence[str]
    reason: str

    def __post_init__(self) -> None:
        allow = (self.allow,) if isinstance(self.allow, str) else as_tuple("allow", self.allow)
        if not allow:
            raise ConfigurationError("allow", [], "must name at least one thing to allow")
        for index, what in enumerate(allow):
            _check_allowed(f"allow[{index}]", what)
        object.__setattr__(self, "allow", allow)
        reason = self.reason
        if not isinstance(reason, str) or is_token(reason):
            shown = "<a CDK token>" if is_token(reason) else reason
            raise ConfigurationError(
                "reason", shown, f"must be a sentence (a literal str), not {type_name(reason)}"
            )
        if len(reason.strip()) < MIN_REASON_LENGTH:
            raise ConfigurationError(
                "reason",
                reason,
                f"must say why, in at least {MIN_REASON_LENGTH} characters (reviewers read it "
                "in the template)",
            )


def _check_allowed(field: str, what: object) -> None:
    if not isinstance(what, str) or is_token(what):
        raise ConfigurationError(field, what, "must be a str")
    if what in HOST_SETTINGS or what in CAPABILITIES:
        return
    if what.startswith("/"):
        return
    names = [*HOST_SETTINGS, *CAPABILITIES]
    raise ConfigurationError(
        field,
        what,
        f"must be one of {', '.join(HOST_SETTINGS)}, a capability (SYS_ADMIN, ...) or an "
        f"absolute host path (/var/run/docker.sock){closest(what, names)}",
    )


@dataclass(frozen=True, kw_only=True)
class HostAccessFinding:
    """One setting of a task that reaches into the instance."""

    what: str
    """The name ``HostAccess.allow`` gives it."""
    field: str
    """Where it is, as a JSON path (``containerDefinitions[0].privileged``)."""
    value: Any
    """Its value there."""
    why: str
    """What it gives the task."""


def normalized(path: str) -> str:
    """``path`` with ``.``, ``..``, repeated and trailing slashes resolved."""
    clean = posixpath.normpath(path)
    return "/" + clean.lstrip("/") if clean.startswith("//") else clean


def _protected(path: str) -> str | None:
    """What a host volume of ``path`` (normalized) exposes, or None."""
    resolved = "/run" + path[len("/var/run") :] if (path + "/").startswith("/var/run/") else path
    for protected, exposes in PROTECTED_HOST_PATHS.items():
        if resolved == protected:
            return exposes
        if protected != "/" and resolved.startswith(f"{protected}/"):
            return f"it is under {protected}: {exposes}"
    for protected, exposes in PROTECTED_HOST_PATHS.items():
        if protected.startswith(f"{resolved}/"):
            return f"it holds {protected}: {exposes}"
    return None


def _capability_why(name: str) -> str:
    risk = _CAPABILITY_RISKS.get(name)
    return f"capability {name} is not in Docker's default set" + (f"; {risk}" if risk else "")


def findings(
    *,
    network_mode: str,
    pid_mode: str | None,
    ipc_mode: str | None,
    containers: Sequence[ContainerSpec],
    volumes: Sequence[Volume],
) -> tuple[HostAccessFinding, ...]:
    """What a task with these fields does that needs a reason, in the order of its JSON."""
    found: list[HostAccessFinding] = []
    for name, value in (
        ("networkMode", network_mode),
        ("pidMode", pid_mode),
        ("ipcMode", ipc_mode),
    ):
        if value == "host":
            found.append(
                HostAccessFinding(what=name, field=name, value=value, why=HOST_SETTINGS[name])
            )
    for index, container in enumerate(containers):
        path = f"containerDefinitions[{index}]"
        if container.privileged:
            found.append(
                HostAccessFinding(
                    what="privileged",
                    field=f"{path}.privileged",
                    value=True,
                    why=HOST_SETTINGS["privileged"],
                )
            )
        linux = container.linux_parameters
        for cap_index, capability in enumerate(linux.capabilities_add if linux else ()):
            if capability not in DOCKER_DEFAULT_CAPABILITIES:
                found.append(
                    HostAccessFinding(
                        what=capability,
                        field=f"{path}.linuxParameters.capabilities.add[{cap_index}]",
                        value=capability,
                        why=_capability_why(capability),
                    )
                )
    for index, volume in enumerate(volumes):
        source = volume.host_source_path
        if source is None or not source.startswith("/"):
            continue
        exposes = _protected(normalized(source))
        if exposes is not None:
            found.append(
                HostAccessFinding(
                    what=normalized(source),
                    field=f"volumes[{index}].host.sourcePath",
                    value=source,
                    why=f"a host volume of {source} reaches into the instance ({exposes})",
                )
            )
    return tuple(found)


def _key(what: str) -> str:
    return normalized(what) if what.startswith("/") else what


def check(needed: Sequence[HostAccessFinding], host_access: Sequence[HostAccess]) -> None:
    """Every finding acknowledged by ``host_access``, and nothing acknowledged that the task
    does not do (the template records the acknowledgements: they must be true)."""
    given: dict[str, str] = {}
    for index, access in enumerate(host_access):
        for item, what in enumerate(access.allow):
            field = f"host_access[{index}].allow[{item}]"
            if _key(what) in given:
                raise ConfigurationError(
                    field, what, f"is acknowledged twice ({given[_key(what)]} names it too)"
                )
            given[_key(what)] = field
    missing = [finding for finding in needed if finding.what not in given]
    if missing:
        first = missing[0]
        allow = list(dict.fromkeys(finding.what for finding in missing))
        raise ConfigurationError(
            first.field,
            first.value,
            f"{first.why}. Remove it, or acknowledge it for this task with a reason: "
            f"host_access=[HostAccess(allow={allow!r}, reason='...')], a parameter of "
            "TaskDefinitionSpec and of its from_file, from_json and from_dict",
        )
    used = {finding.what for finding in needed}
    for key, field in given.items():
        if key not in used:
            raise ConfigurationError(field, key, _unused(key))


def _unused(what: str) -> str:
    fix = "remove it, so that the template records only what the task does"
    if what in DOCKER_DEFAULT_CAPABILITIES:
        return f"is in Docker's default capability set, so adding it needs no reason: {fix}"
    if what.startswith("/") and _protected(what) is None:
        protected = ", ".join(PROTECTED_HOST_PATHS)
        return f"is not a protected host path ({protected}), so mounting it needs no reason: {fix}"
    return f"the task does not use it: {fix}"


def metadata(
    needed: Sequence[HostAccessFinding], host_access: Sequence[HostAccess]
) -> list[dict[str, Any]]:
    """The acknowledgements as the template records them: one entry per thing allowed, with
    the fields it covers and the reason, in the order of the task's JSON."""
    reasons = {_key(what): access.reason for access in host_access for what in access.allow}
    fields: dict[str, list[str]] = {}
    for finding in needed:
        fields.setdefault(finding.what, []).append(finding.field)
    return [
        {"what": what, "fields": covered, "reason": reasons[what]}
        for what, covered in fields.items()
    ]
