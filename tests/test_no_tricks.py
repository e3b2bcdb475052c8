"""The library uses the public API of the libraries it builds on (issue 25, point 5): no
``exec``, ``eval`` or ``compile`` of code of its own, and no ``except RuntimeError`` (how jsii
reports any error of aws-cdk-lib, whose message would then be all there is to decide on).
Where a library has no public API for a behaviour, a test pins it against the supported
versions instead (tests/test_testing_synth.py, tests/test_jsii_shapes.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "constructs_ecs"
MODULES = sorted(PACKAGE.rglob("*.py"))
_RUNS_CODE = {"exec", "eval", "compile"}


def _relative(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _name(node: ast.expr) -> str | None:
    """``exec`` for ``exec`` and ``builtins.exec``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr if node.value.id == "builtins" else None
    return None


def _caught(handler: ast.ExceptHandler) -> list[str]:
    if handler.type is None:
        return []
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return [name for name in map(_name, types) if name is not None]


def _tricks(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _name(node.func) in _RUNS_CODE:
            found.append(f"{node.lineno}: {_name(node.func)}()")
        elif isinstance(node, ast.ExceptHandler) and "RuntimeError" in _caught(node):
            found.append(f"{node.lineno}: except RuntimeError")
    return found


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_no_module_runs_code_it_made_or_catches_runtime_error(path: Path) -> None:
    assert _tricks(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_what_it_refuses() -> None:
    """Guards the test itself: it would pass vacuously if it recognised nothing."""
    source = """
import builtins
import re
exec("x = 1")
builtins.eval("1")
compile("", "<string>", "exec")
re.compile("x")
try:
    pass
except (ValueError, RuntimeError):
    pass
except ValueError:
    pass
"""
    assert _tricks(source) == [
        "4: exec()",
        "5: eval()",
        "6: compile()",
        "10: except RuntimeError",
    ]
    assert len(MODULES) > 50
