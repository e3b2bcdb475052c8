"""The traffic-path diagram: internet → load balancers → listeners → rules → target groups →
ECS services → containers, service-to-service links, and scheduled tasks."""

from __future__ import annotations

from collections.abc import Mapping

from constructs_ecs.review._assembly import Assembly, ResourceKey, short_name
from constructs_ecs.review._ecs import Ecs, TaskDefinition
from constructs_ecs.review._intrinsics import Resolver, properties_of, shorten
from constructs_ecs.review._mermaid import Flowchart
from constructs_ecs.review._network import Action, Network

_CONDITION_LIMIT = 40
_INTERNET = "internet"
_RANK = {
    "internet": 0,
    "lb": 1,
    "listener": 2,
    "rule": 3,
    "action": 4,
    "tg": 5,
    "cloudmap": 5,
    "schedule": 5,
    "service": 6,
    "asg": 6,
    "taskdef": 7,
    "container": 8,
}


def _node_key(key: ResourceKey, *extra: str) -> str:
    return "/".join((key[0], key[1], *extra))


class TrafficDiagram:
    """Builds the Mermaid flowchart of one assembly."""

    def __init__(
        self,
        assembly: Assembly,
        resolver: Resolver,
        network: Network,
        ecs: Ecs,
        status: Mapping[ResourceKey, str] | None = None,
    ) -> None:
        self.assembly = assembly
        self.resolver = resolver
        self.network = network
        self.ecs = ecs
        self.status = dict(status or {})
        self.chart = Flowchart()

    # ---- nodes ---------------------------------------------------------------------------
    def _node(
        self, key: ResourceKey, kind: str, lines: list[str], *, shape: str = "rect", extra: str = ""
    ) -> str:
        node_key = _node_key(key, extra) if extra else _node_key(key)
        node_id = self.chart.node(node_key, lines, shape=shape, group=key[0], rank=_RANK[kind])
        if key in self.status:
            self.chart.mark(node_key, self.status[key])
        return node_id

    def _target_group(self, key: ResourceKey) -> str:
        resource = self.assembly.resource(key) or {}
        stack = self.assembly.stack(key[0])
        properties = properties_of(resource)
        render = self.resolver.render
        lines = [f"target group {short_name(key[1])}"]
        if "Protocol" in properties or "Port" in properties:
            protocol = render(stack, properties.get("Protocol", ""))
            lines.append(f"{protocol} :{render(stack, properties.get('Port', '?'))}".strip())
        if "TargetType" in properties:
            lines.append(f"targets: {render(stack, properties['TargetType'])}")
        return self._node(key, "tg", lines)

    def _containers(self, source: str, task: TaskDefinition) -> None:
        for container in task.containers:
            lines = [f"container {container.name}"]
            if container.ports:
                lines.append(" ".join(container.ports))
            if container.image:
                lines.append(container.image)
            node_id = self._node(task.key, "container", lines, shape="round", extra=container.name)
            self.chart.edge(source, node_id)

    def _actions(
        self, source: str, owner: ResourceKey, actions: tuple[Action, ...], text: str
    ) -> None:
        for index, action in enumerate(actions):
            if action.kind == "forward":
                for group in action.target_groups:
                    if group.key is not None:
                        weight = f"weight {group.weight}" if group.weight is not None else ""
                        label = ", ".join(part for part in (text, weight) if part)
                        self.chart.edge(source, self._target_group(group.key), label)
                    else:
                        node_id = self._node(
                            owner, "tg", ["target group", group.text], extra=f"tg{index}"
                        )
                        self.chart.edge(source, node_id, text)
            elif action.kind in ("redirect", "fixed-response"):
                node_id = self._node(
                    owner, "action", [action.text], shape="stadium", extra=f"action{index}"
                )
                self.chart.edge(source, node_id, text)

    # ---- the path ------------------------------------------------------------------------
    def _load_balancers(self) -> None:
        for balancer in sorted(self.network.load_balancers.values(), key=lambda b: b.key):
            lb_id = self._node(
                balancer.key,
                "lb",
                [f"{balancer.short_kind} {short_name(balancer.key[1])}", balancer.scheme],
            )
            if balancer.internet_facing:
                internet = self.chart.node(
                    _INTERNET, ["Internet"], shape="circle", rank=_RANK["internet"]
                )
                self.chart.edge(internet, lb_id)

    def _listeners(self) -> None:
        for listener in sorted(self.network.listeners.values(), key=lambda x: x.key):
            lines = [f"listener {listener.protocol} :{listener.port}"]
            if listener.certificates:
                lines.append("TLS certificate")
            lines.extend(
                a.kind for a in listener.default_actions if a.kind.startswith("authenticate")
            )
            listener_id = self._node(listener.key, "listener", lines, shape="stadium")
            if (
                listener.load_balancer is not None
                and listener.load_balancer in self.network.load_balancers
            ):
                lb_id = self.chart.id_of(_node_key(listener.load_balancer))
                self.chart.edge(lb_id, listener_id)
            self._actions(listener_id, listener.key, listener.default_actions, "default")

    def _rules(self) -> None:
        for rule in sorted(self.network.rules.values(), key=lambda r: r.key):
            lines = [f"rule priority {rule.priority}"]
            lines.extend(shorten(condition, _CONDITION_LIMIT) for condition in rule.conditions)
            lines.extend(a.kind for a in rule.actions if a.kind.startswith("authenticate"))
            rule_id = self._node(rule.key, "rule", lines, shape="hexagon")
            if rule.listener is not None and rule.listener in self.network.listeners:
                self.chart.edge(self.chart.id_of(_node_key(rule.listener)), rule_id)
            else:
                external = self._node(
                    rule.key,
                    "listener",
                    ["listener outside this assembly", rule.listener_text],
                    shape="stadium",
                    extra="listener",
                )
                self.chart.edge(external, rule_id)
            self._actions(rule_id, rule.key, rule.actions, "")

    def _services(self) -> None:
        for service in sorted(self.ecs.services.values(), key=lambda s: s.key):
            lines = [f"ECS service {short_name(service.key[1])}"]
            if service.name:
                lines.append(service.name)
            service_id = self._node(service.key, "service", lines)
            for target in service.load_balancers:
                if target.target_group is not None:
                    source = self._target_group(target.target_group)
                else:
                    source = self._node(
                        service.key, "tg", ["target group", target.target_group_text], extra="tg"
                    )
                self.chart.edge(source, service_id, f"{target.container}:{target.port}")
            task = self.ecs.task_definitions.get(service.task_definition or ("", ""))
            if task is not None:
                self._containers(service_id, task)

    def _service_links(self) -> None:
        services = sorted(self.ecs.services.values(), key=lambda s: s.key)
        ids = {s.key: self.chart.id_of(_node_key(s.key)) for s in services}
        for server in services:
            if server.namespace_id is None or not server.aliases:
                continue
            for client in services:
                if client.key != server.key and client.namespace_id == server.namespace_id:
                    for alias in server.aliases:
                        self.chart.edge(
                            ids[client.key],
                            ids[server.key],
                            f"Service Connect {alias}",
                            dotted=True,
                        )
        for service in services:
            for registry in service.registries:
                node_id = self._node(
                    service.key,
                    "cloudmap",
                    ["Cloud Map", registry],
                    shape="cylinder",
                    extra=registry,
                )
                self.chart.edge(node_id, ids[service.key], "DNS", dotted=True)
        by_group: dict[ResourceKey, list[ResourceKey]] = {}
        for service in services:
            for group in service.security_groups:
                by_group.setdefault(group, []).append(service.key)
        for rule in self.network.ingress_rules:
            if rule.source_group is None or rule.destination is None:
                continue
            for client_key in by_group.get(rule.source_group, []):
                for server_key in by_group.get(rule.destination, []):
                    if client_key != server_key:
                        text = f"security group {rule.protocol} {rule.ports}"
                        self.chart.edge(ids[client_key], ids[server_key], text, dotted=True)

    def _auto_scaling_groups(self) -> None:
        for stack in self.assembly.stacks:
            for logical_id, resource in stack.of_type("AWS::AutoScaling::AutoScalingGroup"):
                groups = self.resolver.keys(stack, properties_of(resource).get("TargetGroupARNs"))
                if not groups:
                    continue
                asg_id = self._node(
                    (stack.key, logical_id), "asg", [f"Auto Scaling group {short_name(logical_id)}"]
                )
                for group in groups:
                    self.chart.edge(self._target_group(group), asg_id)

    def _scheduled_tasks(self) -> None:
        for scheduled in self.ecs.scheduled_tasks:
            schedule_id = self._node(
                scheduled.key,
                "schedule",
                [f"{scheduled.kind} {short_name(scheduled.key[1])}", scheduled.expression],
                shape="parallelogram",
            )
            task = self.ecs.task_definitions.get(scheduled.task_definition or ("", ""))
            if task is None:
                node_id = self._node(
                    scheduled.key,
                    "taskdef",
                    ["task definition", scheduled.task_definition_text],
                    shape="subroutine",
                    extra="task",
                )
                self.chart.edge(schedule_id, node_id, "runs task", dotted=True)
                continue
            task_id = self._node(
                task.key,
                "taskdef",
                [f"task definition {short_name(task.key[1])}"],
                shape="subroutine",
            )
            self.chart.edge(schedule_id, task_id, "runs task", dotted=True)
            self._containers(task_id, task)

    def render(self) -> str:
        self._load_balancers()
        self._listeners()
        self._rules()
        self._services()
        self._service_links()
        self._auto_scaling_groups()
        self._scheduled_tasks()
        if self.chart.empty:
            self.chart.node("empty", ["No load balancer, ECS service or scheduled task"], rank=0)
        return self.chart.render()
