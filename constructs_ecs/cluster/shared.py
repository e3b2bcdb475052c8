"""What the services of one cluster share on its instances: static host ports, and the ingress
opened from each load balancer. Kept on the cluster (``EcsCluster`` or ``ExistingCluster``)."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2

__all__ = ["InstancePorts"]


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
