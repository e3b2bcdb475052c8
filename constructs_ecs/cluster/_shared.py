"""What the services of one cluster share on its instances: static host ports, the ingress
opened from each load balancer, and who may call whom by Service Connect. Kept on the cluster
(``EcsCluster`` or ``ExistingCluster``)."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

__all__ = ["InstancePorts", "ServiceConnectPeers"]


class InstancePorts:
    """The host ports a cluster's services take on its instances, and who may reach them."""

    def __init__(self, connections: ec2.Connections) -> None:
        self._connections = connections
        self._static: dict[int, list[tuple[str, int]]] = {}
        self._opened_to: set[tuple[ec2.IConnectable, int, int]] = set()

    def holders(self, port: int) -> tuple[tuple[str, int], ...]:
        """``(construct path, instances)`` of each workload that binds static host ``port``,
        with how many instances it may occupy (one task each)."""
        return tuple(self._static.get(port, ()))

    def hold(self, port: int, *, holder: str, instances: int) -> None:
        """Record that the workload at construct path ``holder`` may occupy static host
        ``port`` on up to ``instances`` instances; later workloads' checks count it."""
        self._static.setdefault(port, []).append((holder, instances))

    def open_to(self, peer: ec2.IConnectable, low: int, high: int) -> None:
        """Let ``peer`` (a load balancer) reach the instances on host ports ``low``-``high``.

        Every bridge-mode service behind one load balancer needs the same rule: it is defined
        once per cluster, peer and range (aws-cdk-lib would find the existing rule too, in
        three more jsii round trips per service).
        """
        if (peer, low, high) in self._opened_to:
            return
        self._opened_to.add((peer, low, high))
        ports = ec2.Port.tcp(low) if low == high else ec2.Port.tcp_range(low, high)
        self._connections.allow_from(peer, ports, "Load balancer to task host ports")


class ServiceConnectPeers:
    """Who may call the cluster's Service Connect services, and on which port.

    Every Service Connect service is a client of every endpoint of its namespace (ECS gives
    each task the proxy routes to all of them). A client's proxy runs in its own task, so its
    calls leave from the task's network interface: the instances' security group for bridge
    (and host) tasks, the task's own groups in awsvpc mode. The awsvpc clients of the cluster
    all carry one more group, ``ServiceConnectClients`` (defined with the first of them, with
    no rule of its own), so a server admits two sources at most, whatever the number of
    clients and whichever stacks they are in. A server admits only the sources that have a
    client, on the port its proxy listens on: the port mapping's container port in awsvpc
    mode; in bridge mode the proxy's ephemeral host port, which can be any of the agent's
    dynamic range.
    """

    def __init__(self, scope: Construct, vpc: ec2.IVpc, instances: ec2.ISecurityGroup) -> None:
        self._scope = scope
        self._vpc = vpc
        self._instances = instances
        self._clients_group: ec2.SecurityGroup | None = None
        self._sources: list[tuple[ec2.ISecurityGroup, str]] = []
        self._servers: list[tuple[str, ec2.Connections, ec2.Port]] = []

    @property
    def clients_group(self) -> ec2.SecurityGroup | None:
        """The group every awsvpc Service Connect client carries (None until there is one)."""
        return self._clients_group

    def add_client(self, *, awsvpc: bool) -> ec2.ISecurityGroup | None:
        """A Service Connect service of the cluster: every server admits where its calls come
        from. Returns the group its awsvpc tasks must carry (None for bridge and host)."""
        if awsvpc:
            if self._clients_group is None:
                self._clients_group = ec2.SecurityGroup(
                    self._scope,
                    "ServiceConnectClients",
                    vpc=self._vpc,
                    description="Service Connect clients in awsvpc mode: servers admit this "
                    "group on their Service Connect port",
                    allow_all_outbound=True,
                )
            source: tuple[ec2.ISecurityGroup, str] = (
                self._clients_group,
                "Service Connect clients in awsvpc mode",
            )
        else:
            source = (self._instances, "Service Connect clients on the cluster's instances")
        if all(known is not source[0] for known, _ in self._sources):
            self._sources.append(source)
            for server in self._servers:
                self._admit(server, source)
        return self._clients_group if awsvpc else None

    def add_server(self, key: str, connections: ec2.Connections, port: ec2.Port) -> None:
        """A Service Connect endpoint, ``key`` (its construct path, or ``"instances"`` for what
        bridge tasks share), whose proxy listens on ``port`` of ``connections``' groups."""
        if any(known == key for known, _, _ in self._servers):
            return
        server = (key, connections, port)
        self._servers.append(server)
        for source in self._sources:
            self._admit(server, source)

    def _admit(
        self,
        server: tuple[str, ec2.Connections, ec2.Port],
        source: tuple[ec2.ISecurityGroup, str],
    ) -> None:
        key, connections, port = server
        group, description = source
        if key == "instances" and group is self._instances:
            description = "Service Connect between tasks"
        connections.allow_from(group, port, description)
