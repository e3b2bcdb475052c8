"""Every ```python block of the README and of the documentation (``docs/**/*.md``) runs, and
its stacks pass cdk-nag and cfn-lint.

A block runs in a namespace holding ``app`` (a fresh ``cdk.App`` with the project's context,
cdk-nag on) and, when the block uses it, ``stack`` (a ``cdk.Stack`` in that app); it must import
everything else it uses, so a reader can copy it. Every stack it defines must pass cdk-nag and
cfn-lint. Blocks meant as fragments use the ``py`` info string instead and are not run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_ecs.testing import assert_cfn_lint_clean, new_app, synth
from tests.conftest import CDK_JSON, REPO

BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def documents() -> list[Path]:
    """The README, then every page of the documentation site, in a fixed order."""
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def examples() -> list[Any]:
    """One ``pytest.param(code, source)`` per ```python block, with an id made of the file,
    the block's number in it and its line (never of the code: every worker collects the same
    ids)."""
    found = []
    for path in documents():
        source = path.relative_to(REPO).as_posix()
        text = path.read_text(encoding="utf-8")
        for number, match in enumerate(BLOCK.finditer(text), start=1):
            line = text[: match.start()].count("\n") + 1
            # Blank lines first: a traceback then names the block's line in the file.
            code = "\n" * line + match.group(1)
            found.append(pytest.param(code, source, id=f"{source}-block{number}-line{line}"))
    return found


def test_readme_has_examples() -> None:
    assert len([p for p in examples() if p.values[1] == "README.md"]) >= 1
    assert len(examples()) >= 20


DEFINES = {
    "Network": "AWS::EC2::VPC",
    "EcsCluster": "AWS::ECS::Cluster",
    "LoadBalancer": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "ImageRepository": "AWS::ECR::Repository",
    "WebService": "AWS::ElasticLoadBalancingV2::ListenerRule",
    "WorkerService": "AWS::ECS::Service",
    "ScheduledTask": "AWS::Scheduler::Schedule",
    "PlatformStack": "AWS::ECS::CapacityProvider",
}
"""What a block that uses one of these constructs (called, not only imported) must define."""


def expected_types(code: str) -> set[str]:
    return {kind for name, kind in DEFINES.items() if re.search(rf"\b{name}\(", code)}


@pytest.mark.parametrize(("code", "source"), examples())
def test_readme_example_synthesizes_clean(code: str, source: str) -> None:
    """The block runs, defines what the constructs it calls define, and its stacks pass
    cdk-nag (at synthesis) and cfn-lint."""
    app = new_app(cdk_json=CDK_JSON)
    namespace: dict[str, Any] = {"app": app, "__name__": "readme_example"}
    if re.search(r"\bstack\b", code):
        namespace["stack"] = cdk.Stack(app, "ReadmeExample")
    exec(compile(code, source, "exec"), namespace)
    stacks = synth(app).stacks
    defined = {r["Type"] for a in stacks for r in a.template.get("Resources", {}).values()}
    assert expected_types(code) <= defined, expected_types(code) - defined
    for artifact in stacks:
        assert artifact.template["Resources"], f"{artifact.stack_name} defines nothing"
        assert_cfn_lint_clean(artifact.template)


def test_every_construct_of_the_library_appears_in_a_readme_block() -> None:
    covered = set().union(*(expected_types(p.values[0]) for p in examples()))
    assert covered == set(DEFINES.values())
