"""The services layout with every service option on, in ServicesStacks, in every environment
of ``tests.environments``: 100 services environment-agnostic, the first 8 of them in each
concrete environment."""

from __future__ import annotations

from typing import Any

import pytest

from tests.environments import (
    ENVIRONMENTS,
    REGIONS,
    check_acknowledgements,
    check_environment,
    services_layout,
    synthesized,
)

RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_synthesizes_clean(name: str) -> None:
    """cdk-nag checks every stack; cfn-lint (about 20 ms per resource) the platform and the
    first services stack: the four services stacks come from one loop and differ only in
    their services' names."""
    check_environment(services_layout, name, lint=lambda stack: stack in ("Platform", "Services0"))


@pytest.mark.parametrize("name", REGIONS)
def test_acknowledges_what_the_agnostic_app_acknowledges(name: str) -> None:
    check_acknowledgements(services_layout, name)


def test_a_hundred_services_fit_the_stack_budget_and_the_rule_quota() -> None:
    """Issue 7: 100 web services on one cluster and one ALB, in 4 services stacks."""
    templates = synthesized(services_layout, "agnostic")
    counts = {name: len(t["Resources"]) for name, t in templates.items()}
    assert max(counts.values()) <= 450, counts

    def of_type(cfn_type: str) -> list[dict[str, Any]]:
        return [
            r for t in templates.values() for r in t["Resources"].values() if r["Type"] == cfn_type
        ]

    assert len(of_type("AWS::ECS::Service")) == 100
    priorities = [r["Properties"]["Priority"] for r in of_type(RULE)]
    assert len(priorities) == len(set(priorities)) == 100
