"""Multi-stack layouts: platform + services stacks, weak references, the resource budget."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_ecs import (
    PlatformStack,
    Routing,
    ServicesStack,
    TaskDefinitionSpec,
    WebService,
    WorkerService,
    enforce_resource_budget,
)
from constructs_ecs.testing import assert_cfn_lint_clean, new_app, synth
from tests.conftest import CDK_JSON, make_stack
from tests.factories import TEST_HTTP


def spec(name: str) -> TaskDefinitionSpec:
    return TaskDefinitionSpec.from_dict(
        {
            "family": name,
            "containerDefinitions": [
                {
                    "name": name,
                    "image": "nginx:1.27",
                    "memory": 128,
                    "portMappings": [{"containerPort": 80}],
                }
            ],
        }
    )


def build(services: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """Synthesize a platform and one services stack per key; return templates by stack."""
    app = new_app(cdk_json=CDK_JSON)
    platform = PlatformStack(app, "Platform", plain_http=TEST_HTTP)
    for stack_id, names in services.items():
        stack = ServicesStack(app, stack_id, platform=platform)
        for name in names:
            WebService(
                stack,
                name.capitalize(),
                cluster=stack.cluster,
                load_balancer=stack.load_balancer,
                task_definition=spec(name),
                routing=Routing(path_patterns=[f"/{name}/*"]),
            )
    assembly = synth(app)
    return {s.stack_name: s.template for s in assembly.stacks}


@pytest.fixture(scope="module")
def layout() -> dict[str, dict[str, Any]]:
    return build({"Shop": ["cart", "orders"], "Blog": ["posts"]})


def test_services_stacks_reference_the_platform_without_exports(
    layout: dict[str, dict[str, Any]],
) -> None:
    """No Fn::ImportValue: removing a service never deadlocks on an export (aws-cdk 7602)."""
    for name, template in layout.items():
        text = json.dumps(template)
        assert "Fn::ImportValue" not in text, name
        assert "Export" not in json.dumps(template.get("Outputs", {})), name
    assert "Fn::GetStackOutput" in json.dumps(layout["Shop"])


def test_each_stack_holds_its_own_services(layout: dict[str, dict[str, Any]]) -> None:
    def services(template: dict[str, Any]) -> int:
        return sum(1 for r in template["Resources"].values() if r["Type"] == "AWS::ECS::Service")

    assert services(layout["Platform"]) == 0
    assert services(layout["Shop"]) == 2
    assert services(layout["Blog"]) == 1


def test_every_stack_passes_cfn_lint(layout: dict[str, dict[str, Any]]) -> None:
    for template in layout.values():
        assert_cfn_lint_clean(template)


def test_removing_a_services_stack_leaves_the_others_unchanged(
    layout: dict[str, dict[str, Any]],
) -> None:
    smaller = build({"Shop": ["cart", "orders"]})
    assert set(smaller) == {"Platform", "Shop"}
    for name in ("Platform", "Shop"):
        assert json.dumps(smaller[name], sort_keys=True) == json.dumps(layout[name], sort_keys=True)


def test_fails_when_a_stack_goes_over_its_resource_budget() -> None:
    stack = make_stack("Crowded")
    enforce_resource_budget(stack, budget=20)
    platform_stack = PlatformStack(stack.node.root, "CrowdedPlatform", plain_http=TEST_HTTP)  # type: ignore[arg-type]
    for index in range(4):  # about 6 resources each
        WorkerService(
            stack,
            f"Worker{index}",
            cluster=platform_stack.cluster,
            task_definition=spec(f"worker{index}"),
        )
    app = cdk.Stage.of(stack)
    assert app is not None
    with pytest.raises(RuntimeError, match=r"stack 'Crowded' defines \d+ resources, over .* 20"):
        app.synth()
