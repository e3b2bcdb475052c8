"""State lives on the constructs it concerns: defining and synthesizing an app changes no
module-level object of the library, and what used to depend on hidden state now does not."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import weakref
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_scheduler as scheduler

import constructs_ecs
from constructs_ecs import (
    ConfigurationError,
    Network,
    Placement,
    PlatformStack,
    ScheduledTask,
    ServicesStack,
    TaskDefinitionSpec,
    WebService,
    WorkerService,
    enforce_resource_budget,
)
from constructs_ecs.testing import NagFindingsError, new_app, synth
from tests.conftest import CDK_JSON
from tests.factories import TEST_HTTP

MUTABLE = (dict, list, set, bytearray, weakref.WeakKeyDictionary, weakref.WeakValueDictionary)


def spec(name: str, **container: Any) -> TaskDefinitionSpec:
    return TaskDefinitionSpec.from_dict(
        {
            "family": name,
            "containerDefinitions": [
                {"name": name, "image": "nginx:1.27", "memory": 128, **container}
            ],
        }
    )


def module_state() -> dict[str, Any]:
    """Every mutable module-level value of the library (the review tool and the test kit
    aside), the attributes of its module-level objects, and the fill of every module-level
    cache."""
    state: dict[str, Any] = {}
    for name, module in sorted(sys.modules.items()):
        if not name.startswith("constructs_ecs") or name.startswith(
            ("constructs_ecs.review", "constructs_ecs.testing")
        ):
            continue
        for attr, value in vars(module).items():
            key = f"{name}.{attr}"
            if hasattr(value, "cache_info"):
                state[key] = value.cache_info().currsize
            elif isinstance(value, MUTABLE):
                state[key] = repr(sorted(map(repr, value)))
            elif type(value).__module__.startswith("constructs_ecs") and hasattr(value, "__dict__"):
                state[key] = repr(sorted((k, repr(v)) for k, v in vars(value).items()))
    return state


def import_everything() -> None:
    for info in pkgutil.walk_packages(constructs_ecs.__path__, "constructs_ecs."):
        if not info.name.startswith(("constructs_ecs.review", "constructs_ecs.testing")):
            importlib.import_module(info.name)


def build_and_synth() -> None:
    app = new_app(cdk_json=CDK_JSON)
    platform = PlatformStack(app, "Platform", plain_http=TEST_HTTP)
    Network(platform, "Endpoints", vpc_endpoints=True, cidr="10.1.0.0/16")
    stack = ServicesStack(app, "Services", platform=platform)
    WebService(
        stack,
        "Web",
        cluster=stack.cluster,
        load_balancer=stack.load_balancer,
        task_definition=spec(
            "web",
            portMappings=[
                {"containerPort": 80, "hostPort": 80, "name": "http", "appProtocol": "http"}
            ],
        ),
        enable_exec=True,
    )
    WorkerService(stack, "Agent", cluster=stack.cluster, task_definition=spec("agent"), daemon=True)
    ScheduledTask(
        stack,
        "Job",
        cluster=stack.cluster,
        task_definition=spec("job"),
        schedule=scheduler.ScheduleExpression.rate(cdk.Duration.hours(1)),
    )
    synth(app)


def test_defining_and_synthesizing_an_app_changes_no_module_level_object() -> None:
    import_everything()
    before = module_state()
    build_and_synth()
    after = module_state()
    assert {k: v for k, v in after.items() if before.get(k) != v} == {}


def test_a_budget_asked_for_after_a_service_applies() -> None:
    """The smallest budget asked for applies, whenever it is asked (not the first caller's)."""
    app = new_app(cdk_json=CDK_JSON)
    platform = PlatformStack(app, "Platform", plain_http=TEST_HTTP)
    stack = ServicesStack(app, "Services", platform=platform)
    WorkerService(stack, "Worker", cluster=stack.cluster, task_definition=spec("worker"))
    enforce_resource_budget(stack, budget=5)
    with pytest.raises(NagFindingsError) as caught:
        synth(app)
    assert any("over this library's budget of 5" in f for f in caught.value.findings)


@pytest.mark.parametrize("budget", [0, 501, "450", True])
def test_fails_when_a_budget_is_not_1_to_500(budget: Any) -> None:
    app = new_app(cdk_json=CDK_JSON)
    with pytest.raises(ConfigurationError, match=r"^budget: got "):
        enforce_resource_budget(cdk.Stack(app, "S"), budget=budget)


def test_a_daemon_with_user_built_default_strategies_is_a_daemon_with_the_default() -> None:
    """Compared as ECS receives them, not as jsii objects (which compare by identity)."""
    app = new_app(cdk_json=CDK_JSON)
    platform = PlatformStack(app, "Platform", plain_http=TEST_HTTP)
    built = Placement(
        strategies=[
            ecs.PlacementStrategy.spread_across(ecs.BuiltInAttributes.AVAILABILITY_ZONE),
            ecs.PlacementStrategy.packed_by_memory(),
        ]
    )
    for name, placement in (("Default", None), ("Built", built), ("Placed", Placement())):
        WorkerService(
            platform,
            name,
            cluster=platform.cluster,
            task_definition=spec(name.lower()),
            daemon=True,
            placement=placement,
        )
    with pytest.raises(ConfigurationError, match=r"placement\.strategies: .*takes no strategy"):
        WorkerService(
            platform,
            "Spread",
            cluster=platform.cluster,
            task_definition=spec("spread"),
            daemon=True,
            placement=Placement(strategies=[ecs.PlacementStrategy.spread_across_instances()]),
        )
