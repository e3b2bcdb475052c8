"""Where a container's logs go: ``logConfiguration`` (a log driver) and
``firelensConfiguration`` (the task's FireLens log router)."""

from __future__ import annotations

from collections.abc import Mapping

from constructs_ecs._errors import ConfigurationError, closest
from constructs_ecs.taskdef import _references as references
from constructs_ecs.taskdef import _secret_sources as secret_sources
from constructs_ecs.taskdef._common import EMPTY_MAP, check_choice
from constructs_ecs.taskdef._secret_sources import SecretSource
from constructs_ecs.taskdef._table import Pairs, Str, StrMap, entry, model

__all__ = ["FirelensConfiguration", "LogConfiguration", "check_value_from"]

LOG_DRIVERS = (
    "awslogs",
    "fluentd",
    "gelf",
    "json-file",
    "journald",
    "logentries",
    "splunk",
    "syslog",
    "awsfirelens",
    "none",
)
#: The awslogs options ECS documents (and cfn-lint accepts).
AWSLOGS_OPTIONS = (
    "awslogs-create-group",
    "awslogs-datetime-format",
    "awslogs-group",
    "awslogs-multiline-pattern",
    "awslogs-region",
    "awslogs-stream-prefix",
    "max-buffer-size",
    "mode",
)
FIRELENS_TYPES = ("fluentbit", "fluentd")
FIRELENS_OPTIONS = ("enable-ecs-log-metadata", "config-file-type", "config-file-value")


def check_value_from(field: str, value: object) -> None:
    """A secret's source: an SSM parameter (name or ARN) or a Secrets Manager ARN, as a string
    or a CDK reference (see ``secret_sources``)."""
    secret_sources.check_source(field, value)


#: A secret in ECS JSON: ``{"name": ..., "valueFrom": ...}``.
SECRET_PAIRS = Pairs(shape="Secret", key="name", value="valueFrom", value_required=True)


def _check_true_false(field: str, value: str | None) -> None:
    if value is not None and value.lower() not in ("true", "false"):
        raise ConfigurationError(field, value, 'must be "true" or "false"')


@model("LogConfiguration")
class LogConfiguration:
    """A container's log driver, used as given (omit it to log to the service's log group).

    awslogs without ``awslogs-group`` logs to the service's log group, and without
    ``awslogs-region`` to the stack's region; the other options (``awslogs-stream-prefix``,
    ``mode``, ``max-buffer-size``, ``awslogs-datetime-format``, ...) are kept as written.
    """

    log_driver: str = entry(
        "logDriver",
        Str(choices=LOG_DRIVERS),
        l2=True,
        doc="awslogs, fluentd, gelf, json-file, journald, logentries, splunk, syslog, "
        "awsfirelens or none.",
    )
    options: Mapping[str, str] = entry(
        "options",
        StrMap(item="option value"),
        default=EMPTY_MAP,
        l2=True,
        doc="Driver options, strings only; omitted: none.",
    )
    secret_options: Mapping[str, SecretSource] = entry(
        "secretOptions",
        StrMap(
            pairs=SECRET_PAIRS,
            value_check=check_value_from,
            value_render=secret_sources.value_from,
        ),
        default=EMPTY_MAP,
        doc="Option name -> valueFrom (SSM parameter or Secrets Manager ARN), or a "
        "secretsmanager.ISecret, ssm.IParameter or ecs.Secret; omitted: none.",
    )

    def _validate(self) -> None:
        if self.log_driver != "awslogs":
            return
        options = self.options
        for key in options:
            if key not in AWSLOGS_OPTIONS:
                raise ConfigurationError(
                    f"options.{key}",
                    options[key],
                    "is not an awslogs option"
                    f"{closest(key, AWSLOGS_OPTIONS)}; awslogs takes " + ", ".join(AWSLOGS_OPTIONS),
                )
        for key in ("awslogs-group", "awslogs-region"):
            if key in options and not options[key]:
                raise ConfigurationError(
                    f"options.{key}",
                    options[key],
                    "must not be empty (omit it: the service's log group and the stack's "
                    "region are filled in)",
                )
        if "awslogs-group" not in options:
            for key in ("awslogs-region", "awslogs-create-group"):
                if key in options:
                    raise ConfigurationError(
                        f"options.{key}",
                        options[key],
                        "goes with awslogs-group: without it, the container logs to the "
                        "service's log group, which the stack defines in its own region (omit "
                        f"{key}, or name the group)",
                    )
        _check_true_false("options.awslogs-create-group", options.get("awslogs-create-group"))


@model("FirelensConfiguration")
class FirelensConfiguration:
    """Makes this container the task's FireLens log router."""

    type: str = entry("type", Str(choices=FIRELENS_TYPES), doc="fluentbit or fluentd.")
    options: Mapping[str, str] = entry(
        "options",
        StrMap(item="option value", keys=FIRELENS_OPTIONS, key_noun="a FireLens option"),
        default=EMPTY_MAP,
        doc="enable-ecs-log-metadata, config-file-type (s3 or file), config-file-value; "
        "omitted: none.",
    )

    def _validate(self) -> None:
        options = self.options
        file_type = options.get("config-file-type")
        file_value = options.get("config-file-value")
        if (file_type is None) != (file_value is None):
            raise ConfigurationError(
                "options", dict(options), "config-file-type and config-file-value go together"
            )
        if file_type is not None:
            check_choice("options.config-file-type", file_type, ("s3", "file"))
            if file_type == "s3":
                references.parse_s3_object("options.config-file-value", file_value)
        metadata = options.get("enable-ecs-log-metadata")
        if metadata is not None and metadata not in ("true", "false"):
            raise ConfigurationError(
                "options.enable-ecs-log-metadata", metadata, 'must be "true" or "false"'
            )

    @property
    def s3_config(self) -> references.S3ObjectRef | None:
        """The S3 object of an ``s3`` config file (the execution role reads it)."""
        if self.options.get("config-file-type") != "s3":
            return None
        return references.parse_s3_object(
            "options.config-file-value", self.options["config-file-value"]
        )
