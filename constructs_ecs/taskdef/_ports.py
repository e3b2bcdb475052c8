"""A container's published ports (``portMappings``): single ports, and port ranges."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef._common import at
from constructs_ecs.taskdef._table import (
    ImportContext,
    Int,
    JsonKey,
    JsonShape,
    Objs,
    Str,
    check_shape,
    entry,
    import_object,
    model,
    shape_of,
)

__all__ = ["PortMapping", "PortMappingsOf", "PortRange"]

PROTOCOLS = ("tcp", "udp")
APP_PROTOCOLS = ("http", "http2", "grpc")

_PORT_NAME = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,63}$")
_PORT_RANGE = re.compile(r"(\d{1,5})-(\d{1,5})", re.ASCII)


def _check_port_range(field: str, value: object) -> None:
    match = _PORT_RANGE.fullmatch(value) if isinstance(value, str) else None
    low, high = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if match is None or not 1 <= low < high <= 65535:
        raise ConfigurationError(
            field, value, 'must be "<first>-<last>" with 1 <= first < last <= 65535'
        )


@model("PortMapping")
class PortMapping:
    """A container port, published on the instance (bridge, host) or on the task's ENI (awsvpc).

    ``host_port`` omitted or 0 in bridge mode: a dynamic host port from the agent's range.
    In host and awsvpc modes the host port is the container port.
    """

    container_port: int = entry(
        "containerPort",
        Int(minimum=1, maximum=65535),
        l2=True,
        required=False,  # in JSON, an item may be a containerPortRange instead
        doc="The port the container listens on (1-65535).",
    )
    host_port: int | None = entry(
        "hostPort",
        Int(minimum=0, maximum=65535),
        default=None,
        l2=True,
        doc="The instance port (bridge mode); omitted or 0 means dynamic.",
    )
    protocol: str = entry(
        "protocol", Str(choices=PROTOCOLS), default="tcp", l2=True, doc="tcp or udp; omitted: tcp."
    )
    name: str | None = entry(
        "name",
        Str(
            pattern=_PORT_NAME,
            rule="1-64 lowercase letters, digits, underscores and hyphens, not starting with "
            "a hyphen",
        ),
        default=None,
        l2=True,
        doc="A name for Service Connect; omitted: unnamed.",
    )
    app_protocol: str | None = entry(
        "appProtocol",
        Str(choices=APP_PROTOCOLS),
        default=None,
        l2=True,
        doc="http, http2 or grpc for Service Connect (requires name); omitted: none.",
    )

    def _validate(self) -> None:
        if self.app_protocol is not None and self.name is None:
            raise ConfigurationError(
                "appProtocol", self.app_protocol, "needs a port-mapping 'name' as well"
            )


@model("PortMapping")
class PortRange:
    """A range of container ports (``containerPortRange`` "8000-8099"), dynamic host ports."""

    container_port_range: str = entry(
        "containerPortRange",
        Str(check_with=_check_port_range),
        l2=True,
        doc='"<first>-<last>" container ports, each published on a dynamic host port.',
    )
    protocol: str = entry(
        "protocol", Str(choices=PROTOCOLS), default="tcp", l2=True, doc="tcp or udp; omitted: tcp."
    )

    @property
    def ports(self) -> tuple[int, int]:
        low, high = self.container_port_range.split("-")
        return int(low), int(high)


@dataclass(frozen=True)
class PortMappingsOf(Objs):
    """``portMappings`` items of one form: ports, or (with a ``containerPortRange``) ranges.

    ECS JSON mixes both in one list; Python keeps them apart (``port_mappings``,
    ``port_ranges``), each entry taking its own items.
    """

    @functools.cached_property
    def _json_shape(self) -> JsonShape:
        keys = {**shape_of(PortMapping).keys, **shape_of(PortRange).keys}
        return JsonShape(name="PortMapping", keys={k: JsonKey(v.kind) for k, v in keys.items()})

    def check_json(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise ConfigurationError(path, value, "must be a list")
        shape = self._json_shape
        return [check_shape(item, shape, f"{path}[{i}]") for i, item in enumerate(value)]

    def from_json(self, value: Any, context: ImportContext) -> Any:
        ranges = self.cls is PortRange
        built: list[Any] = []
        for index, item in enumerate(value):
            if ("containerPortRange" in item) != ranges:
                continue
            with at(f"[{index}]"):
                if ranges:
                    for key in ("containerPort", "hostPort", "name", "appProtocol"):
                        if key in item:
                            raise ConfigurationError(
                                key, item[key], "cannot be combined with containerPortRange"
                            )
                elif "containerPort" not in item:
                    raise ConfigurationError(
                        "containerPort", None, "is required (or give a containerPortRange)"
                    )
                built.append(import_object(self.cls, item, context))
        return built
