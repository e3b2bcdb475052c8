"""The small parts of a container (``containerDefinitions[i]``): its health check, its
dependencies on other containers, the volumes it mounts (from the task or from another
container), its ``/etc/hosts`` entries and its restart policy.
"""

from __future__ import annotations

from collections.abc import Sequence

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef._common import NAME_PATTERN, NAME_RULE, check_ip_address
from constructs_ecs.taskdef._table import Bool, Int, ListOf, Str, entry, model

__all__ = [
    "ContainerDependency",
    "HealthCheck",
    "HostEntry",
    "MountPoint",
    "RestartPolicy",
    "VolumeFrom",
]

DEPENDENCY_CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")

_NAME = Str(pattern=NAME_PATTERN, rule=NAME_RULE)


@model("HealthCheck")
class HealthCheck:
    """A Docker health check run by the agent.

    Omitted timings take ECS's defaults (interval 30 s, timeout 5 s, 3 retries, no start period).
    """

    command: Sequence[str] = entry(
        "command",
        ListOf(item=Str()),
        doc='Exec form ["CMD", "curl", "-f", "http://localhost/"] or shell form '
        '["CMD-SHELL", "curl -f http://localhost/ || exit 1"].',
    )
    interval_seconds: int | None = entry(
        "interval",
        Int(minimum=5, maximum=300, unit="s"),
        default=None,
        doc="5-300 s; omitted: 30 s.",
    )
    timeout_seconds: int | None = entry(
        "timeout", Int(minimum=2, maximum=60, unit="s"), default=None, doc="2-60 s; omitted: 5 s."
    )
    retries: int | None = entry(
        "retries", Int(minimum=1, maximum=10), default=None, doc="1-10; omitted: 3."
    )
    start_period_seconds: int | None = entry(
        "startPeriod",
        Int(minimum=0, maximum=300, unit="s"),
        default=None,
        doc="0-300 s of grace after the container starts; omitted: none.",
    )

    def _validate(self) -> None:
        command = self.command
        if len(command) < 2 or command[0] not in ("CMD", "CMD-SHELL"):
            raise ConfigurationError(
                "command",
                list(command),
                'must start with "CMD" (exec form) or "CMD-SHELL" (shell form), followed by '
                "the command",
            )


@model("ContainerDependency")
class ContainerDependency:
    """Start this container after ``container_name`` reaches ``condition``."""

    container_name: str = entry("containerName", _NAME, doc="Another container of the task.")
    condition: str = entry(
        "condition",
        Str(choices=DEPENDENCY_CONDITIONS),
        doc="START, COMPLETE, SUCCESS or HEALTHY (the target then needs a health check).",
    )


@model("VolumeFrom")
class VolumeFrom:
    """Mount every volume of ``source_container``."""

    source_container: str = entry("sourceContainer", _NAME, doc="Another container of the task.")
    read_only: bool | None = entry("readOnly", Bool(), default=None, doc="Omitted: read-write.")


@model("MountPoint")
class MountPoint:
    """Mount the task volume ``source_volume`` at ``container_path``."""

    source_volume: str = entry("sourceVolume", Str(), doc="A volume of the task.")
    container_path: str = entry("containerPath", Str(), doc="Where it is mounted.")
    read_only: bool | None = entry("readOnly", Bool(), default=None, doc="Omitted: read-write.")


@model("HostEntry")
class HostEntry:
    """An ``/etc/hosts`` entry (``extraHosts``)."""

    hostname: str = entry("hostname", Str(), doc="The host name.")
    ip_address: str = entry(
        "ipAddress", Str(check_with=check_ip_address), doc="Its IPv4 or IPv6 address."
    )


@model("RestartPolicy")
class RestartPolicy:
    """Restart the container in place when it exits (agent 1.86+)."""

    enabled: bool = entry("enabled", Bool(), doc="Whether the container is restarted.")
    ignored_exit_codes: Sequence[int] = entry(
        "ignoredExitCodes",
        ListOf(item=Int(), max_items=50, items="codes"),
        default=(),
        doc="Exit codes that do not trigger a restart (at most 50); omitted: none.",
    )
    restart_attempt_period_seconds: int | None = entry(
        "restartAttemptPeriod",
        Int(minimum=60, maximum=1800, unit="s"),
        default=None,
        doc="60-1800 s the container must run before a restart is attempted; omitted: 300.",
    )

    def _validate(self) -> None:
        if not self.enabled and (
            self.ignored_exit_codes or self.restart_attempt_period_seconds is not None
        ):
            raise ConfigurationError(
                "enabled",
                self.enabled,
                "must be true when ignoredExitCodes or restartAttemptPeriod is set",
            )
