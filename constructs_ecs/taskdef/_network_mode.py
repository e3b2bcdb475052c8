"""Network modes: what each allows a task's containers, and which instance ports a task binds."""

from __future__ import annotations

from collections.abc import Sequence

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef._container import ContainerSpec
from constructs_ecs.taskdef._ports import PortMapping

__all__ = ["AGENT_RESERVED_PORTS", "NETWORK_MODES", "check", "static_host_port"]

NETWORK_MODES = ("bridge", "host", "awsvpc", "none")
#: Ports the ECS agent reserves on every instance by default (ECS_RESERVED_PORTS).
AGENT_RESERVED_PORTS = (22, 2375, 2376, 51678, 51679)


def static_host_port(mode: str, mapping: PortMapping) -> int | None:
    """The instance port ``mapping`` binds in ``mode``: its fixed host port in bridge mode, its
    container port in host mode; ``None`` for a dynamic port, in awsvpc and none modes."""
    if mode == "bridge":
        return mapping.host_port or None
    if mode == "host":
        return mapping.container_port
    return None


def check(mode: str, containers: Sequence[ContainerSpec]) -> None:
    """The rules of network mode ``mode`` for the task's ``containers``: what the mode allows
    (ports, links, hostnames, DNS), unique Service Connect names, and the instance ports one
    task binds (none reserved by the agent, none twice)."""
    static: dict[tuple[int, str], str] = {}
    names: dict[str, str] = {}
    for index, container in enumerate(containers):
        path = f"containerDefinitions[{index}]"
        if mode == "none" and (container.port_mappings or container.port_ranges):
            raise ConfigurationError(
                f"{path}.portMappings",
                "...",
                'a task with networkMode "none" has no network to publish ports on',
            )
        if container.links and mode != "bridge":
            raise ConfigurationError(
                f"{path}.links",
                list(container.links),
                f'links work only in bridge network mode, not "{mode}"; containers of '
                "an awsvpc or host task reach each other on localhost",
            )
        if mode == "awsvpc":
            for attr, json_name in (
                ("hostname", "hostname"),
                ("dns_servers", "dnsServers"),
                ("dns_search_domains", "dnsSearchDomains"),
                ("extra_hosts", "extraHosts"),
            ):
                if getattr(container, attr):
                    raise ConfigurationError(
                        f"{path}.{json_name}",
                        getattr(container, attr),
                        "is not supported in awsvpc network mode (the task's ENI sets it)",
                    )
        if container.port_ranges and mode not in ("bridge", "awsvpc"):
            raise ConfigurationError(
                f"{path}.portMappings",
                container.port_ranges[0].container_port_range,
                "containerPortRange works in bridge and awsvpc network modes only",
            )
        for pm_index, mapping in enumerate(container.port_mappings):
            pm_path = f"{path}.portMappings[{pm_index}]"
            if mode in ("awsvpc", "host") and mapping.host_port not in (
                None,
                mapping.container_port,
            ):
                raise ConfigurationError(
                    f"{pm_path}.hostPort",
                    mapping.host_port,
                    f"must equal containerPort ({mapping.container_port}) or be omitted in "
                    f"{mode} network mode",
                )
            if (mapping.name or mapping.app_protocol) and mode not in ("bridge", "awsvpc"):
                raise ConfigurationError(
                    f"{pm_path}.name",
                    mapping.name,
                    "Service Connect port names work in bridge and awsvpc modes only",
                )
            if mapping.name:
                if mapping.name in names:
                    raise ConfigurationError(
                        f"{pm_path}.name",
                        mapping.name,
                        f"must be unique in the task; {names[mapping.name]} uses it",
                    )
                names[mapping.name] = pm_path
            host_port = static_host_port(mode, mapping)
            if host_port is None:
                continue
            if host_port in AGENT_RESERVED_PORTS:
                raise ConfigurationError(
                    f"{pm_path}.{'hostPort' if mode == 'bridge' else 'containerPort'}",
                    host_port,
                    "is reserved on every container instance by the ECS agent "
                    f"({', '.join(map(str, AGENT_RESERVED_PORTS))}); pick another port",
                )
            key = (host_port, mapping.protocol)
            if key in static:
                raise ConfigurationError(
                    f"{pm_path}.{'hostPort' if mode == 'bridge' else 'containerPort'}",
                    host_port,
                    f"clashes with {static[key]}: one task cannot bind the same "
                    f"{mapping.protocol} port twice on an instance",
                )
            static[key] = pm_path
