"""The roles services depend on: ``ServiceCluster`` and ``ServiceLoadBalancer``.

Services read a cluster and a load balancer only through their role: both kinds this library
defines play it, a kind of the user's own (here, a wrapper that delegates) is accepted as is,
and an object that lacks a member is refused at definition, naming the parameter. Nothing in
``constructs_ecs/services/`` names the concrete classes or asks which one it got.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template
from constructs import Construct

from constructs_ecs import (
    ConfigurationError,
    ContainerSpec,
    EcsCluster,
    ExistingCluster,
    ExistingLoadBalancer,
    HostAccess,
    LoadBalancer,
    ServiceCluster,
    ServiceLoadBalancer,
    TaskDefinitionSpec,
    WebService,
    WorkerService,
)
from constructs_ecs._arguments import _plays
from tests.factories import Platform, web_spec, worker_spec

SERVICES = Path(__file__).parent.parent / "constructs_ecs" / "services"
CONCRETE = {"EcsCluster", "ExistingCluster", "LoadBalancer", "ExistingLoadBalancer"}


class DelegatingCluster(Construct):
    """A cluster kind of the user's own: it plays the role by delegating to an EcsCluster."""

    def __init__(self, scope: Construct, construct_id: str, inner: EcsCluster) -> None:
        super().__init__(scope, construct_id)
        self._inner = inner

    def __getattr__(self, name: str) -> Any:  # only for members not found below
        return getattr(self._inner, name)

    cluster = property(lambda self: self._inner.cluster)
    vpc = property(lambda self: self._inner.vpc)
    vpc_subnets = property(lambda self: self._inner.vpc_subnets)
    security_group = property(lambda self: self._inner.security_group)
    log_key = property(lambda self: self._inner.log_key)
    instance_types = property(lambda self: self._inner.instance_types)
    instance_resources = property(lambda self: self._inner.instance_resources)
    max_capacity = property(lambda self: self._inner.max_capacity)
    host_port_range = property(lambda self: self._inner.host_port_range)
    placement_strategies = property(lambda self: self._inner.placement_strategies)
    capacity_provider_strategies = property(lambda self: self._inner.capacity_provider_strategies)
    capacity_provider_dependency = property(lambda self: self._inner.capacity_provider_dependency)
    allows_privileged_tasks = property(lambda self: self._inner.allows_privileged_tasks)
    pulls_images_once = property(lambda self: self._inner.pulls_images_once)
    service_connect_peers = property(lambda self: self._inner.service_connect_peers)

    def how_to_allow_privileged_tasks(self) -> str:
        return "ask the platform team"

    def static_host_port_holders(self, port: int) -> tuple[tuple[str, int], ...]:
        return self._inner.static_host_port_holders(port)

    def hold_static_host_port(self, port: int, *, holder: str, instances: int) -> None:
        self._inner.hold_static_host_port(port, holder=holder, instances=instances)

    def open_host_ports_to(self, peer: Any, low: int, high: int) -> None:
        self._inner.open_host_ports_to(peer, low, high)

    def warn_unknown(self, scope: Construct, check: str, fact: str) -> None:
        self._inner.warn_unknown(scope, check, fact)


def test_both_cluster_kinds_and_both_load_balancer_kinds_play_their_roles() -> None:
    platform = Platform("Roles")
    assert _plays(platform.cluster, ServiceCluster)
    assert _plays(platform.load_balancer, ServiceLoadBalancer)
    for kind, role in (
        (EcsCluster, ServiceCluster),
        (ExistingCluster, ServiceCluster),
        (LoadBalancer, ServiceLoadBalancer),
        (ExistingLoadBalancer, ServiceLoadBalancer),
    ):
        members = [n for n in vars(role) if not n.startswith("_")]
        assert members
        # A member is a class attribute (a method or property) or set on each instance.
        missing = [n for n in members if not hasattr(kind, n) and n not in _instance_fields(kind)]
        assert not missing, f"{kind.__name__} lacks {missing}"


def _instance_fields(kind: type) -> set[str]:
    """The names ``kind.__init__`` assigns on ``self``."""
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(kind.__init__)))
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and isinstance(node.ctx, ast.Store)
    }


def test_a_cluster_kind_of_ones_own_runs_services_as_the_library_s_own_do() -> None:
    ours, theirs = Platform("Same"), Platform("Same")
    WorkerService(ours.stack, "Worker", cluster=ours.cluster, task_definition=worker_spec())
    WebService(
        ours.stack,
        "Web",
        cluster=ours.cluster,
        load_balancer=ours.load_balancer,
        task_definition=web_spec(),
    )
    wrapped = DelegatingCluster(theirs.stack, "Wrapped", theirs.cluster)
    WorkerService(theirs.stack, "Worker", cluster=wrapped, task_definition=worker_spec())
    WebService(
        theirs.stack,
        "Web",
        cluster=wrapped,
        load_balancer=theirs.load_balancer,
        task_definition=web_spec(),
    )
    mine = Template.from_stack(ours.stack).to_json()
    yours = Template.from_stack(theirs.stack).to_json()
    assert yours == mine


def test_a_refused_privileged_task_says_what_the_cluster_kind_advises() -> None:
    platform = Platform("Advice")
    wrapped = DelegatingCluster(platform.stack, "Wrapped", platform.cluster)
    spec = TaskDefinitionSpec(
        family="node-agent",
        containers=[
            ContainerSpec(name="agent", image="busybox:1.36", memory_mib=128, privileged=True)
        ],
        host_access=[HostAccess(allow=["privileged"], reason="It manages the instance's disks.")],
    )
    with pytest.raises(ConfigurationError, match="so no instance would start this task: ask the"):
        WorkerService(platform.stack, "Worker", cluster=wrapped, task_definition=spec)


class HalfACluster(Construct):
    """Has a cluster and a VPC, and nothing else a service needs."""

    def __init__(self, scope: Construct, construct_id: str, inner: EcsCluster) -> None:
        super().__init__(scope, construct_id)
        self.cluster = inner.cluster
        self.vpc = inner.vpc


def test_fails_when_the_cluster_does_not_play_the_role() -> None:
    platform = Platform("Half")
    half = HalfACluster(platform.stack, "Half", platform.cluster)
    with pytest.raises(ConfigurationError) as raised:
        WorkerService(platform.stack, "Worker", cluster=half, task_definition=worker_spec())
    assert raised.value.field == "cluster"
    assert "an EcsCluster or an ExistingCluster (a ServiceCluster)" in str(raised.value)


def test_fails_when_the_load_balancer_does_not_play_the_role() -> None:
    platform = Platform("NoLb")
    with pytest.raises(ConfigurationError) as raised:
        WebService(
            platform.stack,
            "Web",
            cluster=platform.cluster,
            load_balancer=platform.cluster,  # a cluster is no load balancer
            task_definition=web_spec(),
        )
    assert raised.value.field == "load_balancer"
    assert "a LoadBalancer or an ExistingLoadBalancer" in str(raised.value)


@pytest.mark.parametrize("path", sorted(SERVICES.glob("*.py")), ids=lambda p: p.name)
def test_services_never_name_a_concrete_cluster_or_load_balancer_class(path: Path) -> None:
    tree = ast.parse(path.read_text())
    named = sorted(
        {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id in CONCRETE}
        | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
            if alias.name in CONCRETE
        }
    )
    assert not named, f"{path.name} names {named}: use ServiceCluster / ServiceLoadBalancer"
