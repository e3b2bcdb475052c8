"""One place that defines the library's constructs with working defaults, so a test states
only what it is about: ``platform.web(desired_count=0)``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_scheduler as scheduler

from constructs_ecs import (
    EcsCluster,
    LoadBalancer,
    Network,
    PlainHttp,
    ScheduledTask,
    TaskDefinitionSpec,
    WebService,
    WorkerService,
)
from tests.conftest import make_stack

TEST_HTTP = PlainHttp(reason="A test platform: synthesized, never deployed, with no domain.")
"""The plain-HTTP decision of the test load balancers (they have no certificate)."""


def web_spec(name: str = "web", port: int = 80, host_port: int | None = None) -> TaskDefinitionSpec:
    mapping: dict[str, Any] = {"containerPort": port, "name": f"{name}-http"}
    if host_port is not None:
        mapping["hostPort"] = host_port
    return TaskDefinitionSpec.from_dict(
        {
            "family": name,
            "containerDefinitions": [
                {"name": name, "image": "nginx:1.27", "memory": 256, "portMappings": [mapping]}
            ],
        }
    )


def worker_spec(name: str = "worker", memory: int = 128, cpu: int = 128) -> TaskDefinitionSpec:
    return TaskDefinitionSpec.from_dict(
        {
            "family": name,
            "containerDefinitions": [
                {"name": name, "image": "busybox:1.36", "memory": memory, "cpu": cpu}
            ],
        }
    )


class Platform:
    """A network, a cluster (1 to 4 t3.medium) and a load balancer in a fresh stack."""

    def __init__(self, stack_id: str = "Validation", stack: cdk.Stack | None = None) -> None:
        self.stack = stack or make_stack(stack_id)
        network = Network(self.stack, "Network")
        self.cluster = EcsCluster(
            self.stack, "Cluster", vpc=network.vpc, min_capacity=1, max_capacity=4
        )
        self.load_balancer = LoadBalancer(
            self.stack, "LoadBalancer", vpc=network.vpc, plain_http=TEST_HTTP
        )

    def __iter__(self) -> Iterator[Any]:
        """``stack, cluster, lb = platform``."""
        return iter((self.stack, self.cluster, self.load_balancer))

    def web(self, construct_id: str = "Web", **options: Any) -> WebService:
        options.setdefault("cluster", self.cluster)
        options.setdefault("load_balancer", self.load_balancer)
        options.setdefault("task_definition", web_spec(construct_id.lower()))
        return WebService(self.stack, construct_id, **options)

    def worker(self, construct_id: str = "Worker", **options: Any) -> WorkerService:
        options.setdefault("cluster", self.cluster)
        options.setdefault("task_definition", worker_spec(construct_id.lower()))
        return WorkerService(self.stack, construct_id, **options)

    def scheduled(self, construct_id: str = "Job", **options: Any) -> ScheduledTask:
        options.setdefault("cluster", self.cluster)
        options.setdefault("task_definition", worker_spec(construct_id.lower()))
        options.setdefault("schedule", scheduler.ScheduleExpression.cron(hour="2", minute="0"))
        return ScheduledTask(self.stack, construct_id, **options)
