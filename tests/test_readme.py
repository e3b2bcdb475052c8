"""Every ```python block of the README runs, and its stack passes cdk-nag and cfn-lint.

A block runs in a namespace holding ``stack`` (a fresh ``cdk.Stack`` with the project's
context, cdk-nag on) and must import everything else it uses, so a reader can copy it. Blocks
meant as fragments use the ``py`` info string instead and are not run.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from constructs_ecs.testing import assert_cfn_lint_clean, template_of
from tests.conftest import REPO, make_stack

BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def examples() -> list[Any]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = []
    for number, match in enumerate(BLOCK.finditer(text), start=1):
        line = text[: match.start()].count("\n") + 1
        found.append(pytest.param(match.group(1), id=f"block{number}-line{line}"))
    return found


def test_readme_has_examples() -> None:
    assert len(examples()) >= 6


@pytest.mark.parametrize("code", examples())
def test_readme_example_synthesizes_clean(code: str) -> None:
    stack = make_stack("ReadmeExample")
    namespace: dict[str, Any] = {"stack": stack, "__name__": "readme_example"}
    exec(compile(code, "README.md", "exec"), namespace)
    template = template_of(stack)
    assert template["Resources"], "the example defines nothing"
    assert_cfn_lint_clean(template)
