"""Task volumes (``volumes``): Docker-managed, host paths, Docker volume drivers, Amazon EFS."""

from __future__ import annotations

import re
from collections.abc import Mapping

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef._common import EMPTY_MAP, NAME_PATTERN, NAME_RULE
from constructs_ecs.taskdef._table import Bool, Int, Obj, Str, StrMap, entry, model

__all__ = ["DockerVolumeConfiguration", "EfsVolumeConfiguration", "Volume"]

_ENABLED = ("ENABLED", "DISABLED")


@model("DockerVolumeConfiguration")
class DockerVolumeConfiguration:
    """A Docker volume managed by a volume driver."""

    scope: str | None = entry(
        "scope",
        Str(choices=("task", "shared")),
        default=None,
        doc="task (deleted with the task) or shared (outlives it); omitted: task.",
    )
    autoprovision: bool | None = entry(
        "autoprovision",
        Bool(),
        default=None,
        doc="Create the shared volume if missing (shared scope only); omitted: false.",
    )
    driver: str | None = entry("driver", Str(), default=None, doc="Omitted: Docker's local driver.")
    driver_opts: Mapping[str, str] = entry(
        "driverOpts", StrMap(), default=EMPTY_MAP, doc="Driver options; omitted: none."
    )
    labels: Mapping[str, str] = entry(
        "labels", StrMap(item="label"), default=EMPTY_MAP, doc="Volume labels; omitted: none."
    )

    def _validate(self) -> None:
        if self.autoprovision and self.scope != "shared":
            raise ConfigurationError(
                "autoprovision", self.autoprovision, 'is only valid with scope "shared"'
            )


@model("EFSVolumeConfiguration", groups={"authorizationConfig": "AuthorizationConfig"})
class EfsVolumeConfiguration:
    """An Amazon EFS file system mounted into the task."""

    file_system_id: str = entry(
        "fileSystemId",
        Str(pattern=re.compile(r"^fs-[0-9a-f]{8,40}$"), rule="an EFS file system id (fs-...)"),
        cfn="FilesystemId",
        doc="The file system (fs-...).",
    )
    root_directory: str | None = entry(
        "rootDirectory", Str(), default=None, doc="Omitted: the file system's root."
    )
    transit_encryption: str | None = entry(
        "transitEncryption", Str(choices=_ENABLED), default=None, doc="Omitted: DISABLED."
    )
    transit_encryption_port: int | None = entry(
        "transitEncryptionPort",
        Int(minimum=1, maximum=65535),
        default=None,
        doc="Omitted: the EFS mount helper's choice.",
    )
    access_point_id: str | None = entry(
        "authorizationConfig.accessPointId",
        Str(
            pattern=re.compile(r"^fsap-[0-9a-f]{8,40}$"),
            rule="an EFS access point id (fsap-...)",
        ),
        default=None,
        doc="Mount through this access point (fsap-...); omitted: none.",
    )
    iam: str | None = entry(
        "authorizationConfig.iam",
        Str(choices=_ENABLED),
        default=None,
        cfn="AuthorizationConfig.IAM",
        doc="ENABLED mounts with the task role (which then gets ClientMount/ClientWrite); "
        "omitted: DISABLED.",
    )

    def _validate(self) -> None:
        encrypted = self.transit_encryption == "ENABLED"
        if (self.iam == "ENABLED" or self.access_point_id) and not encrypted:
            raise ConfigurationError(
                "transitEncryption",
                self.transit_encryption,
                "must be ENABLED when authorizationConfig uses IAM or an access point",
            )
        if self.transit_encryption_port is not None and not encrypted:
            raise ConfigurationError(
                "transitEncryptionPort",
                self.transit_encryption_port,
                "needs transitEncryption ENABLED",
            )
        if self.access_point_id and self.root_directory not in (None, "/"):
            raise ConfigurationError(
                "rootDirectory",
                self.root_directory,
                'must be omitted or "/" with an access point (the access point sets the root)',
            )


@model(
    "Volume",
    groups={"host": "HostVolumeProperties"},
    rejected={
        "fsxWindowsFileServerVolumeConfiguration": (
            "FSx for Windows File Server volumes work only with Windows containers; this "
            "library runs Linux tasks on EC2 (use efsVolumeConfiguration for shared storage)"
        ),
    },
)
class Volume:
    """A task volume that containers mount by ``name``.

    With none of ``host_source_path``, ``docker``, ``efs``: a Docker-managed data volume.
    """

    name: str = entry(
        "name",
        Str(pattern=NAME_PATTERN, rule=NAME_RULE),
        l2=True,
        doc="What mount points name; unique in the task.",
    )
    host_source_path: str | None = entry(
        "host.sourcePath",
        Str(),
        default=None,
        doc="Bind mount of this instance path; omitted: not a host volume.",
    )
    docker: DockerVolumeConfiguration | None = entry(
        "dockerVolumeConfiguration",
        Obj(DockerVolumeConfiguration),
        default=None,
        doc="A volume-driver volume; omitted: not one.",
    )
    efs: EfsVolumeConfiguration | None = entry(
        "efsVolumeConfiguration",
        Obj(EfsVolumeConfiguration),
        default=None,
        cfn="EFSVolumeConfiguration",
        doc="An Amazon EFS file system; omitted: not one.",
    )
    configured_at_launch: bool | None = entry(
        "configuredAtLaunch",
        Bool(),
        default=None,
        doc="The volume is given when the service or task is started (EBS); omitted: false.",
    )

    def _validate(self) -> None:
        kinds = [
            key
            for key, value in (
                ("host", self.host_source_path),
                ("dockerVolumeConfiguration", self.docker),
                ("efsVolumeConfiguration", self.efs),
            )
            if value is not None
        ]
        if len(kinds) > 1:
            raise ConfigurationError(
                "name", self.name, f"a volume is one kind; this one sets {' and '.join(kinds)}"
            )
