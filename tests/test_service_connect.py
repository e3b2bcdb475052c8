"""Service Connect ingress as narrow as the network mode allows (issue 15, point 6).

A client's Service Connect proxy runs in the client's task: its calls leave from the instance
(bridge) or from the task's own network interface (awsvpc). A server's proxy listens on the
port mapping's container port (awsvpc) or on an ephemeral host port of the agent's dynamic
range (bridge). Each test asserts the exact ingress rules of one layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import aws_cdk as cdk
import pytest
from constructs import IConstruct

from constructs_ecs import (
    EcsCluster,
    Network,
    ServiceConnect,
    ServiceNetwork,
    TaskDefinitionSpec,
    WorkerService,
)
from constructs_ecs.testing import assert_cfn_lint_clean, new_app, template_of
from tests.conftest import CDK_JSON

LOW, HIGH = 32768, 60999
"""The agent's dynamic host-port range (the cluster's ``host_port_range`` by default)."""


def spec(
    name: str, network_mode: str, *, port: int | None = None, host_port: int | None = None
) -> TaskDefinitionSpec:
    container: dict[str, Any] = {"name": name, "image": "nginx:1.27", "memory": 128}
    if port is not None:
        mapping: dict[str, Any] = {"containerPort": port, "name": f"{name}-http"}
        if host_port is not None:
            mapping["hostPort"] = host_port
        container["portMappings"] = [mapping]
    return TaskDefinitionSpec.from_dict(
        {"family": name, "networkMode": network_mode, "containerDefinitions": [container]}
    )


def logical_id(construct: IConstruct) -> str:
    stack = cdk.Stack.of(construct)
    return stack.get_logical_id(cast(cdk.CfnElement, construct.node.default_child))


@dataclass(frozen=True)
class Layout:
    template: dict[str, Any]
    instances: str
    clients: str | None
    groups: dict[str, str]
    """Logical id of each awsvpc service's own security group, by construct id."""

    def ingress(self, group: str) -> list[tuple[str, int, int, str]]:
        """``(source, from port, to port, description)`` of every rule into ``group``
        (inline or a resource of its own), sources named ``instances``/``clients``/service."""
        names = {self.instances: "instances", **{v: k for k, v in self.groups.items()}}
        if self.clients:
            names[self.clients] = "clients"
        found = []
        for logical, resource in self.template["Resources"].items():
            properties = resource.get("Properties", {})
            rules: list[dict[str, Any]] = []
            if resource["Type"] == "AWS::EC2::SecurityGroupIngress":
                if properties["GroupId"] == {"Fn::GetAtt": [group, "GroupId"]}:
                    rules = [properties]
            elif resource["Type"] == "AWS::EC2::SecurityGroup" and logical == group:
                rules = properties.get("SecurityGroupIngress", [])
            for rule in rules:
                source = rule.get("SourceSecurityGroupId", {}).get("Fn::GetAtt", [None])[0]
                found.append(
                    (
                        names.get(source, source or rule.get("CidrIp")),
                        rule["FromPort"],
                        rule["ToPort"],
                        rule["Description"],
                    )
                )
        return sorted(found)

    def service_groups(self, service: str) -> list[str]:
        """The security groups of a service's awsvpc tasks, named as in ``ingress``."""
        (props,) = [
            r["Properties"]
            for logical, r in self.template["Resources"].items()
            if r["Type"] == "AWS::ECS::Service" and logical.startswith(service)
        ]
        names = {**{v: k for k, v in self.groups.items()}, self.clients: "clients"}
        configuration = props["NetworkConfiguration"]["AwsvpcConfiguration"]
        return [names[g["Fn::GetAtt"][0]] for g in configuration["SecurityGroups"]]


def build(stack_id: str, services: list[tuple[str, str, ServiceConnect, dict[str, Any]]]) -> Layout:
    """One cluster with a Service Connect namespace and ``services``: (construct id, network
    mode, Service Connect options, spec options), defined in that order."""
    app = new_app(cdk_json=CDK_JSON)
    stack = cdk.Stack(app, stack_id)
    network = Network(stack, "Network")
    cluster = EcsCluster(stack, "Cluster", vpc=network.vpc)
    cluster.cluster.add_default_cloud_map_namespace(
        name="shop.internal", use_for_service_connect=True
    )
    groups = {}
    for construct_id, mode, options, extra in services:
        service = WorkerService(
            stack,
            construct_id,
            cluster=cluster,
            task_definition=spec(construct_id.lower(), mode, **extra),
            network=ServiceNetwork(service_connect=options),
        )
        if service.security_group is not None:
            groups[construct_id] = logical_id(service.security_group)
    clients = cluster.service_connect_peers.clients_group
    return Layout(
        template=template_of(stack),
        instances=logical_id(cluster.security_group),
        clients=logical_id(clients) if clients is not None else None,
        groups=groups,
    )


SERVER = ServiceConnect(dns_name="orders")
CLIENT = ServiceConnect()


@pytest.fixture(scope="module")
def awsvpc() -> Layout:
    """An awsvpc server, an awsvpc client and a bridge client (defined after the server)."""
    return build(
        "Awsvpc",
        [
            ("Orders", "awsvpc", SERVER, {"port": 8080}),
            ("Checkout", "awsvpc", CLIENT, {}),
            ("Mailer", "bridge", CLIENT, {}),
        ],
    )


@pytest.fixture(scope="module")
def bridge() -> Layout:
    """A bridge server (static host port), an awsvpc client and a bridge client."""
    return build(
        "Bridge",
        [
            ("Checkout", "awsvpc", CLIENT, {}),
            ("Orders", "bridge", SERVER, {"port": 8080, "host_port": 8080}),
            ("Mailer", "bridge", CLIENT, {}),
        ],
    )


@pytest.fixture(scope="module")
def bridge_only() -> Layout:
    return build(
        "BridgeOnly",
        [("Orders", "bridge", SERVER, {"port": 8080}), ("Mailer", "bridge", CLIENT, {})],
    )


def test_awsvpc_server_admits_its_clients_on_its_port_only(awsvpc: Layout) -> None:
    assert awsvpc.ingress(awsvpc.groups["Orders"]) == [
        ("clients", 8080, 8080, "Service Connect clients in awsvpc mode"),
        ("instances", 8080, 8080, "Service Connect clients on the cluster's instances"),
    ]


def test_awsvpc_server_opens_nothing_on_the_instances(awsvpc: Layout) -> None:
    assert awsvpc.ingress(awsvpc.instances) == []


def test_awsvpc_clients_carry_the_clients_group_which_admits_nothing(awsvpc: Layout) -> None:
    assert awsvpc.service_groups("Orders") == ["Orders", "clients"]
    assert awsvpc.service_groups("Checkout") == ["Checkout", "clients"]
    assert awsvpc.clients is not None
    assert awsvpc.ingress(awsvpc.clients) == []
    assert awsvpc.ingress(awsvpc.groups["Checkout"]) == []


def test_bridge_server_admits_its_clients_on_the_dynamic_range(bridge: Layout) -> None:
    # The proxy of a bridge task listens on an ephemeral host port, whatever the application's
    # own (static) host port: the whole range stays open, to the two sources with clients.
    assert bridge.ingress(bridge.instances) == [
        ("clients", LOW, HIGH, "Service Connect clients in awsvpc mode"),
        ("instances", LOW, HIGH, "Service Connect between tasks"),
    ]


def test_bridge_only_opens_the_instances_to_themselves_and_defines_no_clients_group(
    bridge_only: Layout,
) -> None:
    assert bridge_only.clients is None
    assert bridge_only.ingress(bridge_only.instances) == [
        ("instances", LOW, HIGH, "Service Connect between tasks"),
    ]


def test_layouts_pass_cfn_lint(awsvpc: Layout, bridge: Layout) -> None:
    assert_cfn_lint_clean(awsvpc.template)
    assert_cfn_lint_clean(bridge.template)
