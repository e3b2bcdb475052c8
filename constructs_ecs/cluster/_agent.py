"""The ECS container agent's configuration: defaults, validation and rendering.

On the ECS-optimized Amazon Linux 2023 AMI the agent reads ``/etc/ecs/ecs.config`` (``KEY=value``
lines); on Bottlerocket the same settings are TOML under ``[settings.ecs]`` in the user data.
``EcsCluster`` merges the caller's ``ContainerAgent.settings`` over
``default_agent_settings()``, checks every key against the variables the agent knows (a typo
fails at synth, with a suggestion) and the values where that is cheap, then renders them for
the instance's operating system.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from constructs_ecs._errors import ConfigurationError, closest

__all__ = [
    "BOTTLEROCKET_SETTINGS",
    "DEFAULT_HOST_PORT_RANGE",
    "DEFAULT_RESERVED_MEMORY_MIB",
    "KNOWN_AGENT_SETTINGS",
    "allows_privileged_containers",
    "default_agent_settings",
    "host_port_range_of",
    "merge_agent_settings",
    "registers_with_tags",
    "render_bottlerocket_settings",
    "render_ecs_config",
    "reserved_memory_of",
]

DEFAULT_HOST_PORT_RANGE = (32768, 60999)
"""The dynamic host-port range written to ``ECS_DYNAMIC_HOST_PORT_RANGE``.

The Linux default ``ip_local_port_range`` of Amazon Linux 2023 and Bottlerocket, which is what
the agent would use anyway, made explicit so that the security-group rules services open from
the load balancer cover exactly the ports the agent assigns (aws-cdk issue 9778: CDK assumes
32768-65535).
"""

DEFAULT_RESERVED_MEMORY_MIB = 256
"""MiB kept from tasks for the OS, the agent, Docker/containerd and the SSM agent."""

_BOOL = frozenset(
    {
        "ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS",
        "ECS_APPARMOR_CAPABLE",
        "ECS_AWSVPC_BLOCK_IMDS",
        "ECS_CHECKPOINT",
        "ECS_DISABLE_DOCKER_HEALTH_CHECK",
        "ECS_DISABLE_IMAGE_CLEANUP",
        "ECS_DISABLE_METRICS",
        "ECS_DISABLE_PRIVILEGED",
        "ECS_EBSTA_SUPPORTED",
        "ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE",
        "ECS_ENABLE_CONTAINER_METADATA",
        "ECS_ENABLE_GPU_SUPPORT",
        "ECS_ENABLE_HIGH_DENSITY_ENI",
        "ECS_ENABLE_RUNTIME_STATS",
        "ECS_ENABLE_SPOT_INSTANCE_DRAINING",
        "ECS_ENABLE_TASK_CPU_MEM_LIMIT",
        "ECS_ENABLE_TASK_ENI",
        "ECS_ENABLE_TASK_IAM_ROLE",
        "ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST",
        "ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP",
        "ECS_EXCLUDE_IPV6_PORTBINDING",
        "ECS_FSX_WINDOWS_FILE_SERVER_SUPPORTED",
        "ECS_GMSA_SUPPORTED",
        "ECS_POLL_METRICS",
        "ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT",
        "ECS_SELINUX_CAPABLE",
        "ECS_SHARED_VOLUME_MATCH_FULL_CONFIG",
        "ECS_SKIP_LOCALHOST_TRAFFIC_FILTER",
        "ECS_UPDATES_ENABLED",
        "ECS_WARM_POOLS_CHECK",
    }
)
_DURATION = frozenset(
    {
        "ECS_CONTAINER_CREATE_TIMEOUT",
        "ECS_CONTAINER_START_TIMEOUT",
        "ECS_CONTAINER_STOP_TIMEOUT",
        "ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION",
        "ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER",
        "ECS_IMAGE_CLEANUP_INTERVAL",
        "ECS_IMAGE_MINIMUM_CLEANUP_AGE",
        "ECS_IMAGE_PULL_INACTIVITY_TIMEOUT",
        "ECS_IMAGE_PULL_TIMEOUT",
        "ECS_MANIFEST_PULL_TIMEOUT",
        "ECS_POLLING_METRICS_WAIT_DURATION",
        "NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE",
    }
)
_INTEGER = {
    "ECS_LOG_MAX_FILE_SIZE_MB": (1, None),
    "ECS_LOG_MAX_ROLL_COUNT": (1, None),
    "ECS_NUM_IMAGES_DELETE_PER_CYCLE": (1, None),
    "ECS_RESERVED_MEMORY": (0, None),
    "ECS_TASK_PIDS_LIMIT": (1, 4 * 1024 * 1024),
}
_CHOICES = {
    "ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM": ("none", "ec2_instance"),
    "ECS_IMAGE_PULL_BEHAVIOR": ("default", "always", "once", "prefer-cached"),
    "ECS_LOGLEVEL": ("crit", "error", "warn", "info", "debug"),
    "ECS_LOGLEVEL_ON_INSTANCE": ("none", "crit", "error", "warn", "info", "debug"),
    "ECS_LOG_OUTPUT_FORMAT": ("logfmt", "json"),
    "ECS_LOG_ROLLOVER_TYPE": ("size", "hourly"),
}
_FREE_FORM = frozenset(
    {
        "CREDENTIALS_FETCHER_HOST",
        "CREDENTIALS_FETCHER_SECRET_NAME_FOR_DOMAINLESS_GMSA",
        "ECS_AGENT_APPARMOR_PROFILE",
        "ECS_AGENT_HEALTHCHECK_HOST",
        "ECS_AGENT_LABELS",
        "ECS_ALTERNATE_CREDENTIAL_PROFILE",
        "ECS_AVAILABLE_LOGGING_DRIVERS",
        "ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES",
        "ECS_BACKEND_HOST",
        "ECS_CGROUP_CPU_PERIOD",
        "ECS_CGROUP_PATH",
        "ECS_CNI_PLUGINS_PATH",
        "ECS_CONTAINER_INSTANCE_TAGS",
        "ECS_DATADIR",
        "ECS_DYNAMIC_HOST_PORT_RANGE",
        "ECS_EXCLUDE_UNTRACKED_IMAGE",
        "ECS_HOST_DATA_DIR",
        "ECS_INSTANCE_ATTRIBUTES",
        "ECS_LOGFILE",
        "ECS_LOG_DRIVER",
        "ECS_LOG_OPTS",
        "ECS_NVIDIA_RUNTIME",
        "ECS_OFFHOST_INTROSPECTION_INTERFACE_NAME",
        "ECS_RESERVED_PORTS",
        "ECS_RESERVED_PORTS_UDP",
        "ECS_TASK_METADATA_RPS_LIMIT",
        "HTTP_PROXY",
        "NO_PROXY",
    }
)

_REGISTRY_CREDENTIALS = (
    "registry credentials belong in a Secrets Manager secret (a JSON object with "
    '"username" and "password"), named in each container that pulls from that registry: '
    '"repositoryCredentials": {"credentialsParameter": "<the secret\'s ARN>"} in task-definition '
    "JSON, or ContainerSpec(repository_credentials=...); the task's execution role is then "
    "granted secretsmanager:GetSecretValue on that secret only"
)
_INSTANCE_ROLE = (
    "the agent takes its AWS credentials from the instance role (EcsCluster.instance_role): "
    "grant what it needs there, and what tasks need to their task roles"
)
_CREDENTIALS: Mapping[str, str] = {
    "AWS_ACCESS_KEY_ID": _INSTANCE_ROLE,
    "AWS_SECRET_ACCESS_KEY": _INSTANCE_ROLE,
    "AWS_SESSION_TOKEN": _INSTANCE_ROLE,
    "ECS_ENGINE_AUTH_DATA": _REGISTRY_CREDENTIALS,
    "ECS_ENGINE_AUTH_TYPE": _REGISTRY_CREDENTIALS,
}
"""Agent variables that carry credentials, and where the credentials go instead."""

KNOWN_AGENT_SETTINGS = frozenset(
    {"ECS_CLUSTER"} | _BOOL | _DURATION | set(_INTEGER) | set(_CHOICES) | _FREE_FORM
) | frozenset(_CREDENTIALS)
"""Every variable the container agent (and ecs-init) reads from ``/etc/ecs/ecs.config``.

From the agent's README (github.com/aws/amazon-ecs-agent). Those that carry credentials
(``ECS_ENGINE_AUTH_TYPE``/``ECS_ENGINE_AUTH_DATA``, ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``) are known but refused: user data is readable
by anyone who may describe the launch template. A variable newer than this list can still be
written with ``auto_scaling_group.add_user_data(...)``.
"""

BOTTLEROCKET_SETTINGS: Mapping[str, str] = {
    "ECS_AWSVPC_BLOCK_IMDS": "awsvpc-block-imds",
    "ECS_BACKEND_HOST": "backend-host",
    "ECS_CONTAINER_STOP_TIMEOUT": "container-stop-timeout",
    "ECS_DISABLE_PRIVILEGED": "allow-privileged-containers",
    "ECS_ENABLE_CONTAINER_METADATA": "enable-container-metadata",
    "ECS_ENABLE_SPOT_INSTANCE_DRAINING": "enable-spot-instance-draining",
    "ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION": "task-cleanup-wait",
    "ECS_IMAGE_CLEANUP_INTERVAL": "image-cleanup-wait",
    "ECS_IMAGE_MINIMUM_CLEANUP_AGE": "image-cleanup-age",
    "ECS_IMAGE_PULL_BEHAVIOR": "image-pull-behavior",
    "ECS_LOGLEVEL": "loglevel",
    "ECS_NUM_IMAGES_DELETE_PER_CYCLE": "image-cleanup-delete-per-cycle",
    "ECS_RESERVED_MEMORY": "reserved-memory",
}
"""Agent variables Bottlerocket exposes, and their ``settings.ecs`` names.

``ECS_DISABLE_PRIVILEGED`` is the negation of its Bottlerocket setting,
``allow-privileged-containers`` (``_NEGATED``).
``ECS_DYNAMIC_HOST_PORT_RANGE`` is also accepted on Bottlerocket: it becomes the kernel's
``net.ipv4.ip_local_port_range``, which the agent uses as its dynamic range.
"""

_NEGATED = frozenset({"ECS_DISABLE_PRIVILEGED"})
"""Boolean agent variables whose Bottlerocket setting means the opposite."""

_PRIVILEGED = "ECS_DISABLE_PRIVILEGED"

_GO_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")
_PORT_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$")


def default_agent_settings(
    *, spot: bool, gpu: bool, bottlerocket: bool, allow_privileged: bool = False
) -> dict[str, str]:
    """The settings ``EcsCluster`` writes unless ``ContainerAgent.settings`` overrides them.

    - ``ECS_CONTAINER_STOP_TIMEOUT=30s``: SIGTERM to SIGKILL; a container may ask for more
      (``stopTimeout``, up to 120 s).
    - ``ECS_IMAGE_PULL_BEHAVIOR=once``: a tag is pulled the first time an instance needs it and
      then reused (faster restarts and scale-out, no registry or NAT round trip); unlike
      ``prefer-cached`` the automated image cleanup still runs, so disks do not fill up over
      many deploys. Deploy immutable tags (CDK's asset hashes, a git SHA); a mutable tag such as
      ``latest`` is not pulled again on an instance that already has it.
    - ``ECS_AWSVPC_BLOCK_IMDS=true``: awsvpc tasks cannot reach instance metadata (bridge-mode
      tasks are kept out by the IMDSv2 hop limit of 1).
    - ``ECS_ENABLE_CONTAINER_METADATA=true``: containers get the metadata file.
    - ``ECS_DYNAMIC_HOST_PORT_RANGE=32768-60999`` and ``ECS_RESERVED_MEMORY=256``.
    - ``ECS_DISABLE_PRIVILEGED=true`` (Bottlerocket: ``allow-privileged-containers = false``,
      its own default, written down): the agent refuses ``privileged`` containers, which are
      root on the instance. ``allow_privileged``
      (``EcsCluster(agent=ContainerAgent(allow_privileged_tasks=True))``) writes ``false``;
      the setting is the cluster's, whatever its services run.
    - ``ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true`` (not on Bottlerocket): the awslogs
      driver writes with the task's execution role, so the instance role needs no CloudWatch
      Logs permissions. ecs-init already defaults to it; written down because ``EcsCluster``
      relies on it.
    - With Spot: ``ECS_ENABLE_SPOT_INSTANCE_DRAINING=true``. With NVIDIA GPUs on Amazon Linux:
      ``ECS_ENABLE_GPU_SUPPORT=true``.
    """
    low, high = DEFAULT_HOST_PORT_RANGE
    settings = {
        "ECS_AWSVPC_BLOCK_IMDS": "true",
        "ECS_CONTAINER_STOP_TIMEOUT": "30s",
        _PRIVILEGED: "false" if allow_privileged else "true",
        "ECS_DYNAMIC_HOST_PORT_RANGE": f"{low}-{high}",
        "ECS_ENABLE_CONTAINER_METADATA": "true",
        "ECS_IMAGE_PULL_BEHAVIOR": "once",
        "ECS_RESERVED_MEMORY": str(DEFAULT_RESERVED_MEMORY_MIB),
    }
    if not bottlerocket:
        settings["ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE"] = "true"
    if spot:
        settings["ECS_ENABLE_SPOT_INSTANCE_DRAINING"] = "true"
    if gpu and not bottlerocket:
        settings["ECS_ENABLE_GPU_SUPPORT"] = "true"
    return settings


def _field(key: str) -> str:
    return f"agent.settings[{key!r}]"


def _redacted(value: object) -> str:
    """What an error may show of a value that may hold a secret: its size, never its text."""
    if not isinstance(value, str):
        return f"<redacted {type(value).__name__}>"
    if "Token[" in value:
        return "<redacted token>"
    return f"<redacted, {len(value)} characters>"


_USERINFO = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?(?P<userinfo>[^@/]*)@(?P<host>.*)$"
)
# Option names of the agent container's own log driver that hold a secret (splunk-token,
# logentries-token, a password of some driver...).
_SECRET_OPTION = re.compile(r"token|password|secret|credential", re.IGNORECASE)


def _refuse_credentials(key: object, value: object) -> None:
    """Refuse a setting that would write a credential into user data, without printing it."""
    readable = "user data is readable by anyone allowed ec2:DescribeLaunchTemplateVersions"
    if key in _CREDENTIALS:
        raise ConfigurationError(
            _field(str(key)),
            _redacted(value),
            f"no credentials in agent settings ({readable}, and a Secrets Manager dynamic "
            f"reference would be resolved into it in plain text): {_CREDENTIALS[str(key)]}",
        )
    if key == "HTTP_PROXY" and isinstance(value, str) and (match := _USERINFO.match(value)):
        raise ConfigurationError(
            _field(key),
            f"{match['scheme'] or ''}<redacted>@{match['host']}",
            f"a proxy address without a user name or password ({readable}): let the proxy "
            "admit the instances by their address or security group",
        )
    if key == "ECS_LOG_OPTS" and isinstance(value, str):
        try:
            options = json.loads(value)
        except ValueError:
            return
        secret = (
            [k for k in options if _SECRET_OPTION.search(k)] if isinstance(options, dict) else []
        )
        if secret:
            raise ConfigurationError(
                _field(key),
                _redacted(value),
                f"no secret options such as {sorted(secret)} for the agent's own log driver "
                f"({readable}): log the agent with a driver that authenticates with the "
                "instance role (awslogs), or leave ECS_LOG_DRIVER unset",
            )


def _check_key(key: object, *, bottlerocket: bool) -> str:
    if not isinstance(key, str) or key not in KNOWN_AGENT_SETTINGS:
        hint = closest(str(key), KNOWN_AGENT_SETTINGS)
        raise ConfigurationError(
            "agent.settings",
            key,
            f"not a container agent variable{hint}; see the agent's README for the list "
            "(github.com/aws/amazon-ecs-agent)",
        )
    if key == "ECS_CLUSTER":
        raise ConfigurationError(
            _field(key), key, "EcsCluster writes the name of its own cluster; leave it out"
        )
    if bottlerocket and key not in BOTTLEROCKET_SETTINGS and key != "ECS_DYNAMIC_HOST_PORT_RANGE":
        supported = sorted([*BOTTLEROCKET_SETTINGS, "ECS_DYNAMIC_HOST_PORT_RANGE"])
        raise ConfigurationError(
            "agent.settings",
            key,
            f"Bottlerocket configures the agent through its own settings; supported: {supported}",
        )
    return key


def _check_value(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(_field(key), value, "agent settings are strings")
    if any(c in value for c in "\n\r\0"):
        raise ConfigurationError(_field(key), value, "must be a single line")
    if key in _BOOL and value not in ("true", "false"):
        raise ConfigurationError(_field(key), value, "must be 'true' or 'false'")
    if key in _DURATION and not _GO_DURATION.match(value):
        raise ConfigurationError(
            _field(key), value, "must be a duration such as '30s', '2m' or '1h30m'"
        )
    if key in _CHOICES and value not in _CHOICES[key]:
        raise ConfigurationError(_field(key), value, f"must be one of {list(_CHOICES[key])}")
    if key in _INTEGER:
        low, high = _INTEGER[key]
        bounds = f"an integer >= {low}" + (f" and <= {high}" if high is not None else "")
        if not value.isdigit() or int(value) < low or (high is not None and int(value) > high):
            raise ConfigurationError(_field(key), value, f"must be {bounds}")
    if key == "ECS_DYNAMIC_HOST_PORT_RANGE":
        _parse_port_range(value)
    if key == "ECS_CONTAINER_INSTANCE_TAGS":
        _parse_instance_tags(value)
    return value


def _parse_instance_tags(value: str) -> dict[str, str]:
    # The agent cannot use anything else and says so only in its log on the instance.
    try:
        tags = json.loads(value)
    except ValueError:
        tags = None
    if not isinstance(tags, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in tags.items()
    ):
        raise ConfigurationError(
            _field("ECS_CONTAINER_INSTANCE_TAGS"),
            value,
            'must be a JSON object of string keys and values, e.g. \'{"team": "payments"}\'',
        )
    return tags


def _parse_port_range(value: str) -> tuple[int, int]:
    match = _PORT_RANGE.match(value)
    low, high = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if not match or not 1024 <= low < high <= 65535:
        raise ConfigurationError(
            _field("ECS_DYNAMIC_HOST_PORT_RANGE"),
            value,
            "must be '<low>-<high>' with 1024 <= low < high <= 65535, e.g. '32768-60999'",
        )
    return low, high


def merge_agent_settings(
    overrides: Mapping[str, str] | None,
    *,
    spot: bool,
    gpu: bool,
    bottlerocket: bool,
    allow_privileged: bool = False,
) -> dict[str, str]:
    """``overrides`` over the defaults, every key and value checked; sorted by key.

    ``ECS_DISABLE_PRIVILEGED`` follows ``allow_privileged`` (``EcsCluster``'s
    ``agent.allow_privileged_tasks``): an override that says the same is accepted, one that says the
    opposite is refused, pointing to the option.

    Settings that would put a credential into user data are refused, their values redacted
    in the error: ``ECS_ENGINE_AUTH_TYPE``/``ECS_ENGINE_AUTH_DATA`` (use the container's
    ``repositoryCredentials``), ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/
    ``AWS_SESSION_TOKEN`` (the instance role), an ``HTTP_PROXY`` with a user name or password,
    and ``ECS_LOG_OPTS`` with a token, password or secret option.
    """
    settings = default_agent_settings(
        spot=spot, gpu=gpu, bottlerocket=bottlerocket, allow_privileged=allow_privileged
    )
    for key, value in (overrides or {}).items():
        _refuse_credentials(key, value)
        checked = _check_key(key, bottlerocket=bottlerocket)
        checked_value = _check_value(checked, value)
        if checked == _PRIVILEGED and checked_value != settings[_PRIVILEGED]:
            raise ConfigurationError(
                _field(checked),
                checked_value,
                "contradicts agent.allow_privileged_tasks=True, which writes "
                f"{_PRIVILEGED}=false: leave the setting out, or leave allow_privileged_tasks "
                "out to refuse privileged containers"
                if allow_privileged
                else "privileged containers are allowed by the cluster's option, not by this "
                "setting: create the cluster with "
                "EcsCluster(..., agent=ContainerAgent(allow_privileged_tasks=True)), "
                f"which writes {_PRIVILEGED}=false",
            )
        settings[checked] = checked_value
    return dict(sorted(settings.items()))


def allows_privileged_containers(settings: Mapping[str, str]) -> bool:
    """Whether an agent with ``settings`` runs ``privileged`` containers (it refuses them
    with ``ECS_DISABLE_PRIVILEGED=true``)."""
    return settings.get(_PRIVILEGED, "false") != "true"


def host_port_range_of(settings: Mapping[str, str]) -> tuple[int, int]:
    """The dynamic host-port range the agent assigns from, per ``settings``."""
    return _parse_port_range(settings["ECS_DYNAMIC_HOST_PORT_RANGE"])


def registers_with_tags(settings: Mapping[str, str]) -> bool:
    """Whether the agent tags the container instance when it registers it.

    True with ``ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance`` or a non-empty
    ``ECS_CONTAINER_INSTANCE_TAGS``: ``RegisterContainerInstance`` then carries tags, which
    needs ``ecs:TagResource`` (with the ``ecs:CreateAction`` condition) besides the
    registration itself.
    """
    if settings.get("ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM") == "ec2_instance":
        return True
    tags = settings.get("ECS_CONTAINER_INSTANCE_TAGS")
    return tags is not None and bool(_parse_instance_tags(tags))


def reserved_memory_of(settings: Mapping[str, str]) -> int:
    """``ECS_RESERVED_MEMORY`` in MiB (0 when unset, as the agent does)."""
    return int(settings.get("ECS_RESERVED_MEMORY", "0"))


def render_ecs_config(settings: Mapping[str, str]) -> list[str]:
    """Shell user-data lines appending ``settings`` to ``/etc/ecs/ecs.config``.

    A quoted here-document: no shell expansion, so values reach the file byte for byte.
    """
    return [
        "cat <<'ECS_CONFIG' >> /etc/ecs/ecs.config",
        *(f"{key}={value}" for key, value in settings.items()),
        "ECS_CONFIG",
    ]


def _toml_value(key: str, value: str) -> str:
    if key in _NEGATED:
        return "false" if value == "true" else "true"
    if key in _BOOL:
        return value
    if key in _INTEGER:
        return str(int(value))
    return json.dumps(value)


def render_bottlerocket_settings(settings: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """TOML for Bottlerocket: ``(lines inside [settings.ecs], lines after it)``.

    The first list continues the ``[settings.ecs]`` table that CDK opens (with the cluster
    name); the second adds the kernel port range the agent's dynamic host ports come from.
    ``ECS_DISABLE_PRIVILEGED=true`` becomes ``allow-privileged-containers = false``.
    """
    ecs_lines = [
        f"{BOTTLEROCKET_SETTINGS[key]} = {_toml_value(key, value)}"
        for key, value in settings.items()
        if key in BOTTLEROCKET_SETTINGS
    ]
    low, high = host_port_range_of(settings)
    sysctl = [
        "[settings.kernel.sysctl]",
        f'"net.ipv4.ip_local_port_range" = "{low} {high}"',
    ]
    return ecs_lines, sysctl
