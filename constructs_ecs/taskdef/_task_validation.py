"""The rules of a ``TaskDefinitionSpec`` that span its containers and volumes: unique names,
sizes within the task's, references between containers (links, dependencies, volumes from),
volumes declared and mounted, and the task options that need a network mode or another
container (proxy, fault injection, FireLens). ``_task`` runs them when a spec is created, around
the network-mode rules (``_network_mode``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from constructs_ecs._errors import ConfigurationError, closest
from constructs_ecs.taskdef._container import ContainerSpec
from constructs_ecs.taskdef._volumes import Volume

__all__ = ["MAX_CONTAINERS", "check_containers", "check_volumes_and_options"]

#: ECS quota: "Containers per task definition: 10", not adjustable
#: (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
MAX_CONTAINERS = 10


class _Proxy(Protocol):
    @property
    def container_name(self) -> str: ...


class _Task(Protocol):
    """What the checks read of a ``TaskDefinitionSpec`` (``_task``, which sits above this
    module)."""

    @property
    def containers(self) -> Sequence[ContainerSpec]: ...
    @property
    def volumes(self) -> Sequence[Volume]: ...
    @property
    def network_mode(self) -> str: ...
    @property
    def memory_mib(self) -> int | None: ...
    @property
    def cpu(self) -> int | None: ...
    @property
    def proxy_configuration(self) -> _Proxy | None: ...
    @property
    def enable_fault_injection(self) -> bool | None: ...


def check_containers(spec: _Task) -> None:
    """How many containers, their names, their sizes against the task's and their references
    to each other (before the network-mode rules)."""
    if not spec.containers:
        raise ConfigurationError(
            "containerDefinitions", [], "must hold at least one container definition"
        )
    if len(spec.containers) > MAX_CONTAINERS:
        raise ConfigurationError(
            "containerDefinitions",
            f"{len(spec.containers)} containers",
            f"ECS allows at most {MAX_CONTAINERS} containers per task definition",
        )
    _check_names(spec)
    _check_resources(spec)
    _check_references(spec)


def check_volumes_and_options(spec: _Task) -> None:
    """The volumes, then the task options (after the network-mode rules)."""
    _check_volumes(spec)
    _check_task_options(spec)


def _check_names(spec: _Task) -> None:
    seen: dict[str, int] = {}
    for index, container in enumerate(spec.containers):
        if container.name in seen:
            raise ConfigurationError(
                f"containerDefinitions[{index}].name",
                container.name,
                f"must be unique in the task; containerDefinitions[{seen[container.name]}] "
                "has the same name",
            )
        seen[container.name] = index
    if not any(c.essential for c in spec.containers):
        raise ConfigurationError(
            "containerDefinitions",
            [c.name for c in spec.containers],
            'at least one container must be essential (set "essential": true)',
        )


def _check_resources(spec: _Task) -> None:
    for index, container in enumerate(spec.containers):
        path = f"containerDefinitions[{index}]"
        if (
            spec.memory_mib is None
            and container.memory_mib is None
            and container.memory_reservation_mib is None
        ):
            raise ConfigurationError(
                f"{path}.memory",
                None,
                f"container {container.name!r} needs memory or memoryReservation (MiB) "
                "when the task sets no memory: on EC2 the scheduler must know what to "
                "reserve",
            )
        if spec.memory_mib is not None:
            for value, json_name in (
                (container.memory_mib, "memory"),
                (container.memory_reservation_mib, "memoryReservation"),
            ):
                if value is not None and value > spec.memory_mib:
                    raise ConfigurationError(
                        f"{path}.{json_name}",
                        value,
                        f"must not exceed the task's memory ({spec.memory_mib} MiB)",
                    )
        if spec.cpu is not None and container.cpu is not None and container.cpu > spec.cpu:
            raise ConfigurationError(
                f"{path}.cpu",
                container.cpu,
                f"must not exceed the task's cpu ({spec.cpu} CPU units)",
            )
    if spec.memory_mib is not None:
        reserved = sum(c.memory_reserved_mib for c in spec.containers)
        if reserved > spec.memory_mib:
            raise ConfigurationError(
                "memory",
                spec.memory_mib,
                f"must cover what the containers reserve ({reserved} MiB: memoryReservation, "
                "else memory, summed over the containers)",
            )
    if spec.cpu is not None:
        total = sum(c.cpu or 0 for c in spec.containers)
        if total > spec.cpu:
            raise ConfigurationError(
                "cpu",
                spec.cpu,
                f"must cover the containers' cpu ({total} CPU units summed)",
            )


def _check_references(spec: _Task) -> None:
    by_name = {c.name: c for c in spec.containers}
    for index, container in enumerate(spec.containers):
        path = f"containerDefinitions[{index}]"
        names = sorted(set(by_name) - {container.name}) or ["no other container"]
        for link_index, link in enumerate(container.links):
            target = link.split(":", 1)[0]
            if target not in by_name or target == container.name:
                raise ConfigurationError(
                    f"{path}.links[{link_index}]",
                    link,
                    f"must name another container of the task ({', '.join(names)})"
                    f"{closest(target, names)}",
                )
        for dep_index, dependency in enumerate(container.depends_on):
            dep_path = f"{path}.dependsOn[{dep_index}]"
            target = dependency.container_name
            if target not in by_name or target == container.name:
                raise ConfigurationError(
                    f"{dep_path}.containerName",
                    target,
                    f"must name another container of the task ({', '.join(names)})"
                    f"{closest(target, names)}",
                )
            if dependency.condition == "HEALTHY" and by_name[target].health_check is None:
                raise ConfigurationError(
                    f"{dep_path}.condition",
                    "HEALTHY",
                    f"needs a healthCheck on container {target!r}",
                )
            if dependency.condition in ("COMPLETE", "SUCCESS") and by_name[target].essential:
                raise ConfigurationError(
                    f"{dep_path}.condition",
                    dependency.condition,
                    f"waits for container {target!r} to exit, so it must not be essential "
                    '(set "essential": false on it)',
                )
        for vol_index, volume_from in enumerate(container.volumes_from):
            target = volume_from.source_container
            if target not in by_name or target == container.name:
                raise ConfigurationError(
                    f"{path}.volumesFrom[{vol_index}].sourceContainer",
                    target,
                    f"must name another container of the task ({', '.join(names)})"
                    f"{closest(target, names)}",
                )
    _check_dependency_cycles(spec)


def _check_dependency_cycles(spec: _Task) -> None:
    edges = {c.name: [d.container_name for d in c.depends_on] for c in spec.containers}
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in edges[name]:
            if state.get(target) == 1:
                cycle = [*trail[trail.index(target) :], target] if target in trail else [name]
                index = next(i for i, c in enumerate(spec.containers) if c.name == name)
                raise ConfigurationError(
                    f"containerDefinitions[{index}].dependsOn",
                    " -> ".join(cycle),
                    "container dependencies must not form a cycle",
                )
            if state.get(target) is None:
                visit(target, [*trail, target])
        state[name] = 2

    for container in spec.containers:
        if container.name not in state:
            visit(container.name, [container.name])


def _check_volumes(spec: _Task) -> None:
    declared: dict[str, int] = {}
    for index, volume in enumerate(spec.volumes):
        if volume.name in declared:
            raise ConfigurationError(
                f"volumes[{index}].name", volume.name, "must be unique in the task"
            )
        declared[volume.name] = index
    at_launch = [v.name for v in spec.volumes if v.configured_at_launch]
    if len(at_launch) > 1:
        raise ConfigurationError(
            "volumes", at_launch, "at most one volume may be configuredAtLaunch"
        )
    mounted: set[str] = set()
    for index, container in enumerate(spec.containers):
        for mp_index, mount in enumerate(container.mount_points):
            mounted.add(mount.source_volume)
            if mount.source_volume not in declared:
                names = sorted(declared) or ["no volume is declared"]
                raise ConfigurationError(
                    f"containerDefinitions[{index}].mountPoints[{mp_index}].sourceVolume",
                    mount.source_volume,
                    f"must name a volume of the task ({', '.join(names)})"
                    f"{closest(mount.source_volume, declared)}",
                )
    for name in at_launch:
        if name not in mounted:
            raise ConfigurationError(
                f"volumes[{declared[name]}].configuredAtLaunch",
                True,
                f"volume {name!r} must be mounted by a container",
            )


def _check_task_options(spec: _Task) -> None:
    names = {c.name for c in spec.containers}
    proxy = spec.proxy_configuration
    if proxy is not None:
        if spec.network_mode != "awsvpc":
            raise ConfigurationError(
                "proxyConfiguration",
                proxy.container_name,
                f'needs awsvpc network mode (this task uses "{spec.network_mode}")',
            )
        if proxy.container_name not in names:
            raise ConfigurationError(
                "proxyConfiguration.containerName",
                proxy.container_name,
                f"must name a container of the task ({', '.join(sorted(names))})",
            )
    if spec.enable_fault_injection and spec.network_mode not in ("awsvpc", "host"):
        raise ConfigurationError(
            "enableFaultInjection",
            True,
            f'needs awsvpc or host network mode (this task uses "{spec.network_mode}")',
        )
    routers = [c.name for c in spec.containers if c.firelens_configuration is not None]
    if len(routers) > 1:
        raise ConfigurationError(
            "containerDefinitions",
            routers,
            "at most one container may have a firelensConfiguration",
        )
    for index, container in enumerate(spec.containers):
        log = container.log_configuration
        if log is not None and log.log_driver == "awsfirelens" and not routers:
            raise ConfigurationError(
                f"containerDefinitions[{index}].logConfiguration.logDriver",
                "awsfirelens",
                "needs a log-router container with a firelensConfiguration in the task",
            )
        routes_to_itself = log is not None and log.log_driver == "awsfirelens"
        if container.firelens_configuration is not None and routes_to_itself:
            raise ConfigurationError(
                f"containerDefinitions[{index}].logConfiguration.logDriver",
                "awsfirelens",
                "the FireLens router cannot log through itself; use awslogs",
            )
