"""Importing the library costs no jsii round trip: values are made when an app first uses them."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

_PROBE = """
import aws_cdk
from jsii._kernel.providers import process

calls = []
send = process._NodeProcess.send


def counting(self, request, kind):
    calls.append(request)
    return send(self, request, kind)


process._NodeProcess.send = counting
import sys
from constructs_ecs import (
    EcsCluster, LoadBalancer, Network, Placement, PlatformStack, Scaling, ScheduledTask,
    ServicesStack, TargetHealthCheck, TaskDefinitionSpec, WebService, WorkerService,
)
print(len(calls), sorted(name for name in sys.modules if name.startswith("aws_cdk.aws_")))
"""


def test_importing_the_platform_and_services_makes_no_jsii_call() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=REPO, capture_output=True, text=True, check=True
    )
    calls, modules = done.stdout.split(" ", 1)
    assert calls == "0", done.stdout
    # ScheduledTask's and the force-delete custom resource's modules load on first use.
    for lazy in ("aws_cdk.aws_scheduler", "aws_cdk.aws_sqs", "aws_cdk.aws_lambda"):
        assert lazy not in modules


def test_default_placement_is_the_published_default() -> None:
    """Placement() leaves the strategies to the cluster, whose default is the published one."""
    import aws_cdk as cdk

    from constructs_ecs import DEFAULT_PLACEMENT_STRATEGIES, EcsCluster, Network, Placement
    from constructs_ecs.services._options import placement_rules

    stack = cdk.Stack(cdk.App(), "Placement")
    cluster = EcsCluster(stack, "Cluster", vpc=Network(stack, "Network").vpc)
    assert Placement().strategies is None
    assert placement_rules(cluster.placement_strategies) == placement_rules(
        DEFAULT_PLACEMENT_STRATEGIES
    )
    assert len(DEFAULT_PLACEMENT_STRATEGIES) == 2
