"""ECS services, task definitions, containers and scheduled tasks of an assembly."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from constructs_ecs.review._assembly import Assembly, ResourceKey, StackTemplate
from constructs_ecs.review._intrinsics import Resolver, as_list, intrinsic, properties_of, shorten

SERVICE = "AWS::ECS::Service"
TASK_DEFINITION = "AWS::ECS::TaskDefinition"
CLUSTER = "AWS::ECS::Cluster"
EVENTS_RULE = "AWS::Events::Rule"
SCHEDULE = "AWS::Scheduler::Schedule"
ECR_REPOSITORY = "AWS::ECR::Repository"
_IMAGE_LIMIT = 48


@dataclass(frozen=True, kw_only=True)
class Container:
    name: str
    ports: tuple[str, ...]
    image: str


@dataclass(frozen=True, kw_only=True)
class TaskDefinition:
    key: ResourceKey
    network_mode: str
    containers: tuple[Container, ...]


@dataclass(frozen=True, kw_only=True)
class LoadBalancerTarget:
    target_group: ResourceKey | None
    target_group_text: str
    container: str
    port: str


@dataclass(frozen=True, kw_only=True)
class Service:
    key: ResourceKey
    name: str | None
    task_definition: ResourceKey | None
    task_definition_text: str
    load_balancers: tuple[LoadBalancerTarget, ...]
    security_groups: tuple[ResourceKey, ...]
    public_ip: bool
    namespace: str | None
    """The Service Connect namespace when Service Connect is on (client or server)."""
    namespace_id: tuple[str, str] | None
    """Which namespace that is: the namespace resource, or the name in one environment (two
    stacks that each define a ``shop.internal`` namespace have different ones)."""
    aliases: tuple[str, ...]
    """``dns-name:port`` of each Service Connect endpoint the service serves."""
    registries: tuple[str, ...]
    """Cloud Map names the service registers (``name.namespace``)."""


@dataclass(frozen=True, kw_only=True)
class ScheduledTask:
    key: ResourceKey
    kind: str
    expression: str
    task_definition: ResourceKey | None
    task_definition_text: str


def _enabled(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


class Ecs:
    """The ECS facts of one assembly, computed once."""

    def __init__(self, assembly: Assembly, resolver: Resolver) -> None:
        self.assembly = assembly
        self.resolver = resolver

    def _image(self, stack: StackTemplate, value: Any) -> str:
        literal = self.resolver.literal(stack, value)
        if literal is not None:
            return shorten(literal, _IMAGE_LIMIT)
        for target in self.resolver.targets_in(stack, value):
            resource = self.assembly.resource(target.key)
            if resource is not None and resource["Type"] == ECR_REPOSITORY:
                tag = ""
                call = intrinsic(value)
                if call and call[0] == "Fn::Join" and isinstance(call[1], list):
                    parts = call[1][1] if len(call[1]) == 2 else None
                    last = parts[-1] if isinstance(parts, list) and parts else None
                    if isinstance(last, str) and last[:1] in (":", "@"):
                        tag = last
                name = self.resolver.name_of(target.key, relative_to=stack)
                return shorten(f"ECR {name}{tag}", _IMAGE_LIMIT)
        return shorten(self.resolver.render(stack, value), _IMAGE_LIMIT)

    def _container(self, stack: StackTemplate, value: Any) -> Container | None:
        if not isinstance(value, dict) or intrinsic(value) is not None:
            return None
        render = self.resolver.render
        ports = []
        for mapping in as_list(value.get("PortMappings")):
            if not isinstance(mapping, dict) or "ContainerPort" not in mapping:
                continue
            protocol = self.resolver.literal(stack, mapping.get("Protocol")) or "tcp"
            port = f"{render(stack, mapping['ContainerPort'])}/{protocol.lower()}"
            ports.append(port)
        return Container(
            name=render(stack, value.get("Name", "?")),
            ports=tuple(ports),
            image=self._image(stack, value.get("Image")) if "Image" in value else "",
        )

    @cached_property
    def task_definitions(self) -> dict[ResourceKey, TaskDefinition]:
        found: dict[ResourceKey, TaskDefinition] = {}
        for stack in self.assembly.stacks:
            for logical_id, resource in stack.of_type(TASK_DEFINITION):
                properties = properties_of(resource)
                containers = [
                    self._container(stack, item)
                    for item in as_list(properties.get("ContainerDefinitions"))
                ]
                found[(stack.key, logical_id)] = TaskDefinition(
                    key=(stack.key, logical_id),
                    network_mode=self.resolver.literal(stack, properties.get("NetworkMode"))
                    or "bridge",
                    containers=tuple(c for c in containers if c is not None),
                )
        return found

    def _namespace(self, stack: StackTemplate, value: Any) -> str:
        target = self.resolver.target(stack, value)
        if target is not None:
            resource = self.assembly.resource(target.key)
            if resource is not None:
                name = self.resolver.literal(
                    self.assembly.stack(target.key[0]), properties_of(resource).get("Name")
                )
                if name is not None:
                    return name
            return self.resolver.name_of(target.key)
        literal = self.resolver.literal(stack, value)
        return literal if literal is not None else self.resolver.render(stack, value)

    def _cluster_default_namespace(self, stack: StackTemplate, cluster: Any) -> Any:
        key = self.resolver.key(stack, cluster)
        resource = self.assembly.resource(key) if key else None
        if key is None or resource is None:
            return None
        defaults = properties_of(resource).get("ServiceConnectDefaults")
        if isinstance(defaults, dict) and "Namespace" in defaults:
            return self.assembly.stack(key[0]), defaults["Namespace"]
        return None

    def _namespace_id(self, stack: StackTemplate, value: Any) -> tuple[str, str]:
        target = self.resolver.target(stack, value)
        if target is not None:
            return "resource", f"{target.key[0]}/{target.key[1]}"
        literal = self.resolver.literal(stack, value)
        return stack.environment, literal if literal is not None else self.resolver.render(
            stack, value
        )

    def _service_connect(
        self, stack: StackTemplate, properties: dict[str, Any]
    ) -> tuple[str | None, tuple[str, str] | None, tuple[str, ...]]:
        config = properties.get("ServiceConnectConfiguration")
        if not isinstance(config, dict) or not _enabled(config.get("Enabled")):
            return None, None, ()
        if "Namespace" in config:
            namespace = self._namespace(stack, config["Namespace"])
            identity = self._namespace_id(stack, config["Namespace"])
        else:
            default = self._cluster_default_namespace(stack, properties.get("Cluster"))
            if default:
                namespace = self._namespace(default[0], default[1])
                identity = self._namespace_id(default[0], default[1])
            else:
                namespace = "(cluster default)"
                identity = ("cluster", self.resolver.render(stack, properties.get("Cluster")))
        render = self.resolver.render
        aliases: list[str] = []
        for endpoint in as_list(config.get("Services")):
            if not isinstance(endpoint, dict):
                continue
            fallback = endpoint.get("DiscoveryName", endpoint.get("PortName", "?"))
            client_aliases = [
                a for a in as_list(endpoint.get("ClientAliases")) if isinstance(a, dict)
            ]
            for alias in client_aliases:
                dns = render(stack, alias.get("DnsName", fallback))
                aliases.append(f"{dns}:{render(stack, alias.get('Port', '?'))}")
            if not client_aliases:
                aliases.append(render(stack, fallback))
        return namespace, identity, tuple(sorted(set(aliases)))

    def _registry(self, stack: StackTemplate, value: Any) -> str:
        arn = value.get("RegistryArn") if isinstance(value, dict) else value
        key = self.resolver.key(stack, arn)
        resource = self.assembly.resource(key) if key else None
        if key is None or resource is None:
            return self.resolver.render(stack, arn)
        owner = self.assembly.stack(key[0])
        properties = properties_of(resource)
        name = self.resolver.literal(owner, properties.get("Name")) or key[1]
        dns = properties.get("DnsConfig")
        namespace_ref = properties.get(
            "NamespaceId", dns.get("NamespaceId") if isinstance(dns, dict) else None
        )
        if namespace_ref is None:
            return name
        return f"{name}.{self._namespace(owner, namespace_ref)}"

    @cached_property
    def services(self) -> dict[ResourceKey, Service]:
        found: dict[ResourceKey, Service] = {}
        render = self.resolver.render
        for stack in self.assembly.stacks:
            for logical_id, resource in stack.of_type(SERVICE):
                properties = properties_of(resource)
                targets = []
                for item in as_list(properties.get("LoadBalancers")):
                    if not isinstance(item, dict) or "TargetGroupArn" not in item:
                        continue
                    arn = item["TargetGroupArn"]
                    targets.append(
                        LoadBalancerTarget(
                            target_group=self.resolver.key(stack, arn),
                            target_group_text=render(stack, arn),
                            container=render(stack, item.get("ContainerName", "?")),
                            port=render(stack, item.get("ContainerPort", "?")),
                        )
                    )
                network = properties.get("NetworkConfiguration")
                awsvpc = network.get("AwsvpcConfiguration") if isinstance(network, dict) else None
                awsvpc = awsvpc if isinstance(awsvpc, dict) else {}
                namespace, namespace_id, aliases = self._service_connect(stack, properties)
                task = properties.get("TaskDefinition")
                name = self.resolver.literal(stack, properties.get("ServiceName"))
                found[(stack.key, logical_id)] = Service(
                    key=(stack.key, logical_id),
                    name=name,
                    task_definition=self.resolver.key(stack, task),
                    task_definition_text=render(stack, task),
                    load_balancers=tuple(targets),
                    security_groups=tuple(self.resolver.keys(stack, awsvpc.get("SecurityGroups"))),
                    public_ip=self.resolver.literal(stack, awsvpc.get("AssignPublicIp"))
                    == "ENABLED",
                    namespace=namespace,
                    namespace_id=namespace_id,
                    aliases=aliases,
                    registries=tuple(
                        sorted(
                            self._registry(stack, item)
                            for item in as_list(properties.get("ServiceRegistries"))
                        )
                    ),
                )
        return found

    @cached_property
    def scheduled_tasks(self) -> list[ScheduledTask]:
        found: list[ScheduledTask] = []
        render = self.resolver.render
        for stack in self.assembly.stacks:
            for logical_id, resource in stack.of_type(EVENTS_RULE, SCHEDULE):
                properties = properties_of(resource)
                if resource["Type"] == EVENTS_RULE:
                    kind = "EventBridge rule"
                    targets = as_list(properties.get("Targets"))
                    expression = (
                        render(stack, properties["ScheduleExpression"])
                        if "ScheduleExpression" in properties
                        else "on events"
                    )
                else:
                    kind = "EventBridge Scheduler"
                    targets = [properties.get("Target")]
                    expression = render(stack, properties.get("ScheduleExpression", "?"))
                for target in targets:
                    if not isinstance(target, dict):
                        continue
                    parameters = target.get("EcsParameters")
                    if not isinstance(parameters, dict):
                        continue
                    task = parameters.get("TaskDefinitionArn")
                    found.append(
                        ScheduledTask(
                            key=(stack.key, logical_id),
                            kind=kind,
                            expression=expression,
                            task_definition=self.resolver.key(stack, task),
                            task_definition_text=render(stack, task),
                        )
                    )
        return found
