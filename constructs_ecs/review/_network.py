"""Load balancers, listeners, listener rules and security-group ingress of an assembly."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from constructs_ecs.review._assembly import Assembly, ResourceKey, StackTemplate
from constructs_ecs.review._intrinsics import Resolver, as_list, intrinsic, properties_of

LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
SECURITY_GROUP = "AWS::EC2::SecurityGroup"
SECURITY_GROUP_INGRESS = "AWS::EC2::SecurityGroupIngress"
SECURITY_GROUP_EGRESS = "AWS::EC2::SecurityGroupEgress"
WORLD = frozenset({"0.0.0.0/0", "::/0"})
_PROTOCOLS = {"-1": "all", "all": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
_LB_KINDS = {"application": "ALB", "network": "NLB", "gateway": "GWLB"}
_MAX_PORT_SPAN = 1024


@dataclass(frozen=True, kw_only=True)
class TargetGroupRef:
    """A target group an action forwards to: resolved ``key`` or its rendering, and weight."""

    key: ResourceKey | None
    text: str
    weight: str | None = None


@dataclass(frozen=True, kw_only=True)
class Action:
    """A listener or rule action; ``text`` says what it does in a few words."""

    kind: str
    text: str
    target_groups: tuple[TargetGroupRef, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Listener:
    key: ResourceKey
    load_balancer: ResourceKey | None
    load_balancer_text: str
    port: str
    port_number: int | None
    protocol: str
    certificates: tuple[str, ...]
    ssl_policy: str | None
    default_actions: tuple[Action, ...]


@dataclass(frozen=True, kw_only=True)
class ListenerRule:
    key: ResourceKey
    listener: ResourceKey | None
    listener_text: str
    priority: str
    conditions: tuple[str, ...]
    actions: tuple[Action, ...]


@dataclass(frozen=True, kw_only=True)
class LoadBalancer:
    key: ResourceKey
    kind: str
    scheme: str
    security_groups: tuple[ResourceKey, ...]
    unresolved_security_groups: tuple[str, ...]

    @property
    def internet_facing(self) -> bool:
        return self.scheme == "internet-facing"

    @property
    def short_kind(self) -> str:
        return _LB_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True, kw_only=True)
class IngressRule:
    """One ingress permission, inline in a security group or an ``SecurityGroupIngress``."""

    stack: str
    defined_by: str
    destination: ResourceKey | None
    destination_text: str
    source_text: str
    source_group: ResourceKey | None
    cidr: str | None
    protocol: str
    from_port: int | None
    to_port: int | None
    ports: str
    description: str

    @property
    def world(self) -> bool:
        return self.cidr in WORLD

    @property
    def sort_key(self) -> tuple[str, ...]:
        return (
            self.stack,
            self.destination_text,
            self.source_text,
            self.protocol,
            f"{self.from_port if self.from_port is not None else -1:06d}",
            self.ports,
            self.defined_by,
        )


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def protocol_name(value: Any, resolver: Resolver, stack: StackTemplate) -> str:
    literal = resolver.literal(stack, value)
    if literal is None:
        return resolver.render(stack, value)
    return _PROTOCOLS.get(literal.lower(), literal.lower())


def port_text(protocol: str, from_port: int | None, to_port: int | None) -> str:
    if protocol == "all":
        return "all"
    if protocol.startswith("icmp"):
        return "all" if from_port in (None, -1) else f"type {from_port}"
    if from_port in (None, -1) and to_port in (None, -1):
        return "all"
    if from_port == to_port or to_port is None:
        return str(from_port)
    if from_port == 0 and to_port == 65535:
        return "all"
    return f"{from_port}-{to_port}"


class Network:
    """The network facts of one assembly, computed once."""

    def __init__(self, assembly: Assembly, resolver: Resolver) -> None:
        self.assembly = assembly
        self.resolver = resolver

    # ---- load balancers ------------------------------------------------------------------
    @cached_property
    def load_balancers(self) -> dict[ResourceKey, LoadBalancer]:
        found: dict[ResourceKey, LoadBalancer] = {}
        for stack in self.assembly.stacks:
            for logical_id, resource in stack.of_type(LOAD_BALANCER):
                properties = properties_of(resource)
                scheme = self.resolver.literal(stack, properties.get("Scheme"))
                kind = self.resolver.literal(stack, properties.get("Type"))
                groups: list[ResourceKey] = []
                unresolved: list[str] = []
                _, group_values = self.resolver.deref(stack, properties.get("SecurityGroups"))
                for value in as_list(group_values):
                    key = self.resolver.key(stack, value)
                    if key is not None:
                        groups.append(key)
                    else:
                        unresolved.append(self.resolver.render(stack, value))
                found[(stack.key, logical_id)] = LoadBalancer(
                    key=(stack.key, logical_id),
                    # CloudFormation's defaults when the properties are absent.
                    kind=kind or "application",
                    scheme=scheme
                    or (
                        "internet-facing"
                        if "Scheme" not in properties
                        else self.resolver.render(stack, properties["Scheme"])
                    ),
                    security_groups=tuple(groups),
                    unresolved_security_groups=tuple(unresolved),
                )
        return found

    def action(self, stack: StackTemplate, value: Any) -> Action:
        if not isinstance(value, dict) or intrinsic(value) is not None:
            return Action(kind="unknown", text=self.resolver.render(stack, value))
        kind = self.resolver.literal(stack, value.get("Type")) or "unknown"
        render = self.resolver.render
        if kind == "forward":
            groups: list[TargetGroupRef] = []
            if "TargetGroupArn" in value:
                arn = value["TargetGroupArn"]
                groups.append(
                    TargetGroupRef(key=self.resolver.key(stack, arn), text=render(stack, arn))
                )
            config = value.get("ForwardConfig")
            if isinstance(config, dict):
                for item in as_list(config.get("TargetGroups")):
                    if not isinstance(item, dict):
                        continue
                    arn = item.get("TargetGroupArn")
                    ref = TargetGroupRef(
                        key=self.resolver.key(stack, arn),
                        text=render(stack, arn),
                        weight=render(stack, item["Weight"]) if "Weight" in item else None,
                    )
                    if all(existing.text != ref.text for existing in groups):
                        groups.append(ref)
            names = [self._target_group_name(stack, group) for group in groups]
            return Action(
                kind=kind, text="forward to " + ", ".join(names), target_groups=tuple(groups)
            )
        if kind == "redirect":
            config = value.get("RedirectConfig")
            config = config if isinstance(config, dict) else {}
            protocol = render(stack, config.get("Protocol", "#{protocol}"))
            port = render(stack, config.get("Port", "#{port}"))
            text = f"redirect to {protocol}:{port}"
            if "StatusCode" in config:
                text += f" ({render(stack, config['StatusCode'])})"
            return Action(kind=kind, text=text)
        if kind == "fixed-response":
            config = value.get("FixedResponseConfig")
            config = config if isinstance(config, dict) else {}
            return Action(
                kind=kind, text=f"fixed response {render(stack, config.get('StatusCode', '?'))}"
            )
        return Action(kind=kind, text=kind)

    def _target_group_name(self, stack: StackTemplate, group: TargetGroupRef) -> str:
        name = self.resolver.name_of(group.key, relative_to=stack) if group.key else group.text
        return f"{name} (weight {group.weight})" if group.weight is not None else name

    def _actions(self, stack: StackTemplate, value: Any) -> tuple[Action, ...]:
        items = list(as_list(value))

        def order(item: Any) -> int:
            found = _int(item.get("Order")) if isinstance(item, dict) else None
            return found if found is not None else 50000

        return tuple(self.action(stack, item) for item in sorted(items, key=order))

    @cached_property
    def listeners(self) -> dict[ResourceKey, Listener]:
        found: dict[ResourceKey, Listener] = {}
        for stack in self.assembly.stacks:
            for logical_id, resource in stack.of_type(LISTENER):
                properties = properties_of(resource)
                arn = properties.get("LoadBalancerArn")
                certificates = []
                for certificate in as_list(properties.get("Certificates")):
                    if isinstance(certificate, dict) and "CertificateArn" in certificate:
                        certificates.append(
                            self.resolver.render(stack, certificate["CertificateArn"])
                        )
                    else:
                        certificates.append(self.resolver.render(stack, certificate))
                policy = properties.get("SslPolicy")
                found[(stack.key, logical_id)] = Listener(
                    key=(stack.key, logical_id),
                    load_balancer=self.resolver.key(stack, arn),
                    load_balancer_text=self.resolver.render(stack, arn),
                    port=self.resolver.render(stack, properties.get("Port", "?")),
                    port_number=_int(properties.get("Port")),
                    protocol=self.resolver.literal(stack, properties.get("Protocol"))
                    or self.resolver.render(stack, properties.get("Protocol", "?")),
                    certificates=tuple(certificates),
                    ssl_policy=self.resolver.render(stack, policy) if policy else None,
                    default_actions=self._actions(stack, properties.get("DefaultActions")),
                )
        return found

    def condition(self, stack: StackTemplate, value: Any) -> str:
        render = self.resolver.render
        if not isinstance(value, dict) or intrinsic(value) is not None:
            return render(stack, value)
        field = self.resolver.literal(stack, value.get("Field")) or "condition"
        configs = {
            "path-pattern": ("PathPatternConfig", "path"),
            "host-header": ("HostHeaderConfig", "host"),
            "http-request-method": ("HttpRequestMethodConfig", "method"),
            "source-ip": ("SourceIpConfig", "source IP"),
        }
        if field in configs:
            config_name, word = configs[field]
            config = value.get(config_name)
            values = config.get("Values") if isinstance(config, dict) else value.get("Values")
            return f"{word} " + ", ".join(render(stack, v) for v in as_list(values))
        if field == "http-header":
            config = value.get("HttpHeaderConfig")
            config = config if isinstance(config, dict) else {}
            name = render(stack, config.get("HttpHeaderName", "?"))
            values = ", ".join(render(stack, v) for v in as_list(config.get("Values")))
            return f"header {name}: {values}"
        if field == "query-string":
            config = value.get("QueryStringConfig")
            config = config if isinstance(config, dict) else {}
            pairs = []
            for pair in as_list(config.get("Values")):
                if isinstance(pair, dict):
                    pairs.append(
                        f"{render(stack, pair.get('Key', '*'))}={render(stack, pair.get('Value'))}"
                    )
            return "query " + ", ".join(pairs)
        values = value.get("Values")
        return f"{field} " + ", ".join(render(stack, v) for v in as_list(values))

    @cached_property
    def rules(self) -> dict[ResourceKey, ListenerRule]:
        found: dict[ResourceKey, ListenerRule] = {}
        for stack in self.assembly.stacks:
            for logical_id, resource in stack.of_type(LISTENER_RULE):
                properties = properties_of(resource)
                arn = properties.get("ListenerArn")
                found[(stack.key, logical_id)] = ListenerRule(
                    key=(stack.key, logical_id),
                    listener=self.resolver.key(stack, arn),
                    listener_text=self.resolver.render(stack, arn),
                    priority=self.resolver.render(stack, properties.get("Priority", "?")),
                    conditions=tuple(
                        self.condition(stack, c) for c in as_list(properties.get("Conditions"))
                    ),
                    actions=self._actions(stack, properties.get("Actions")),
                )
        return found

    def rules_of(self, listener: ResourceKey) -> list[ListenerRule]:
        """The rules of ``listener``, by priority (numerically when literal)."""

        def order(rule: ListenerRule) -> tuple[int, str, ResourceKey]:
            number = _int(rule.priority)
            return (number if number is not None else 1 << 30, rule.priority, rule.key)

        return sorted((r for r in self.rules.values() if r.listener == listener), key=order)

    def listeners_of(self, load_balancer: ResourceKey) -> list[Listener]:
        def order(listener: Listener) -> tuple[int, ResourceKey]:
            return (listener.port_number or 0, listener.key)

        found = (x for x in self.listeners.values() if x.load_balancer == load_balancer)
        return sorted(found, key=order)

    # ---- security groups -----------------------------------------------------------------
    @cached_property
    def security_group_users(self) -> dict[ResourceKey, list[tuple[ResourceKey, str]]]:
        """``{security group: [(resource using it, its type)]}``, rules themselves excluded."""
        users: dict[ResourceKey, list[tuple[ResourceKey, str]]] = {}
        rule_types = {SECURITY_GROUP, SECURITY_GROUP_INGRESS, SECURITY_GROUP_EGRESS}
        for reference in self.resolver.references:
            target = self.assembly.resource(reference.target.key)
            source = self.assembly.resource(reference.source)
            if target is None or source is None or target["Type"] != SECURITY_GROUP:
                continue
            if source["Type"] in rule_types:
                continue
            entry = (reference.source, str(source["Type"]))
            listed = users.setdefault(reference.target.key, [])
            if entry not in listed:
                listed.append(entry)
        return {key: sorted(value) for key, value in users.items()}

    def _rule(
        self,
        stack: StackTemplate,
        defined_by: str,
        destination: ResourceKey | None,
        destination_text: str,
        value: dict[str, Any],
    ) -> IngressRule:
        render = self.resolver.render
        protocol = protocol_name(value.get("IpProtocol", "?"), self.resolver, stack)
        from_port = _int(value.get("FromPort"))
        to_port = _int(value.get("ToPort"))
        cidr: str | None = None
        source_group: ResourceKey | None = None
        if "CidrIp" in value or "CidrIpv6" in value:
            raw = value.get("CidrIp", value.get("CidrIpv6"))
            cidr = self.resolver.literal(stack, raw)
            source_text = cidr if cidr is not None else render(stack, raw)
        elif "SourceSecurityGroupId" in value:
            raw = value["SourceSecurityGroupId"]
            source_group = self.resolver.key(stack, raw)
            source_text = (
                self.resolver.name_of(source_group, relative_to=stack)
                if source_group
                else render(stack, raw)
            )
        elif "SourceSecurityGroupName" in value:
            source_text = render(stack, value["SourceSecurityGroupName"])
        elif "SourcePrefixListId" in value:
            source_text = "prefix list " + render(stack, value["SourcePrefixListId"])
        else:
            source_text = "?"
        description = value.get("Description")
        return IngressRule(
            stack=stack.key,
            defined_by=defined_by,
            destination=destination,
            destination_text=destination_text,
            source_text=source_text,
            source_group=source_group,
            cidr=cidr,
            protocol=protocol,
            from_port=from_port,
            to_port=to_port,
            ports=port_text(protocol, from_port, to_port)
            if from_port is not None or "FromPort" not in value
            else render(stack, value.get("FromPort")) + "-" + render(stack, value.get("ToPort")),
            description=render(stack, description) if description is not None else "",
        )

    @cached_property
    def ingress_rules(self) -> tuple[IngressRule, ...]:
        found: list[IngressRule] = []
        for stack in self.assembly.stacks:
            for logical_id, resource in stack.of_type(SECURITY_GROUP):
                _, inline = self.resolver.deref(
                    stack, properties_of(resource).get("SecurityGroupIngress")
                )
                for item in as_list(inline):
                    if isinstance(item, dict) and intrinsic(item) is None:
                        found.append(
                            self._rule(stack, logical_id, (stack.key, logical_id), logical_id, item)
                        )
            for logical_id, resource in stack.of_type(SECURITY_GROUP_INGRESS):
                properties = properties_of(resource)
                group = properties.get("GroupId", properties.get("GroupName"))
                destination = self.resolver.key(stack, group)
                text = (
                    self.resolver.name_of(destination, relative_to=stack)
                    if destination
                    else self.resolver.render(stack, group)
                )
                found.append(self._rule(stack, logical_id, destination, text, properties))
        return tuple(sorted(found, key=lambda rule: rule.sort_key))

    @cached_property
    def listener_ports_by_group(self) -> dict[ResourceKey, set[tuple[str, int]]]:
        """``{load balancer security group: {(protocol, listener port)}}``."""
        ports: dict[ResourceKey, set[tuple[str, int]]] = {}
        for balancer in self.load_balancers.values():
            for listener in self.listeners_of(balancer.key):
                if listener.port_number is None:
                    continue
                protocols = {"UDP": ("udp",), "TCP_UDP": ("tcp", "udp")}.get(
                    listener.protocol.upper(), ("tcp",)
                )
                for group in balancer.security_groups:
                    for protocol in protocols:
                        ports.setdefault(group, set()).add((protocol, listener.port_number))
        return ports

    def on_listener_port(self, rule: IngressRule) -> bool:
        """Whether ``rule`` only opens listener ports of a load balancer using its group."""
        if rule.destination is None or rule.from_port is None:
            return False
        allowed = self.listener_ports_by_group.get(rule.destination)
        if not allowed or rule.protocol not in ("tcp", "udp"):
            return False
        to_port = rule.to_port if rule.to_port is not None else rule.from_port
        if to_port - rule.from_port > _MAX_PORT_SPAN:
            return False
        return all((rule.protocol, port) in allowed for port in range(rule.from_port, to_port + 1))

    def rules_into(self, groups: Iterable[ResourceKey]) -> list[IngressRule]:
        wanted = set(groups)
        return [rule for rule in self.ingress_rules if rule.destination in wanted]

    def internet_ingress_elsewhere(self) -> list[IngressRule]:
        """World-open ingress rules that are not load-balancer listener ports."""
        return [r for r in self.ingress_rules if r.world and not self.on_listener_port(r)]
