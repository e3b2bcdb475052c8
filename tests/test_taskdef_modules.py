"""The task-definition package's layout: modules in layers, each small enough to read.

Each module imports only modules below it (no cycle, counting imports for type checkers too),
no import hides inside a function, and no module is over 600 lines.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter

from tests.conftest import REPO

PACKAGE = REPO / "constructs_ecs" / "taskdef"
MODULES = sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")


def _tree(module: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))


def _package_imports(module: str) -> set[str]:
    """The modules of the package that ``module`` imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.ImportFrom) and node.module == "constructs_ecs.taskdef":
            found.update(alias.name for alias in node.names if alias.name in MODULES)
        elif isinstance(node, ast.ImportFrom) and node.module:
            prefix = "constructs_ecs.taskdef."
            if node.module.startswith(prefix):
                found.add(node.module.removeprefix(prefix))
        elif isinstance(node, ast.Import):
            found.update(
                alias.name.removeprefix("constructs_ecs.taskdef.")
                for alias in node.names
                if alias.name.startswith("constructs_ecs.taskdef.")
            )
    return found


def test_modules_import_in_layers_without_a_cycle() -> None:
    graph = {module: _package_imports(module) for module in MODULES}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as error:  # pragma: no cover - the failure message
        raise AssertionError(f"import cycle: {error.args[1]}") from None
    assert order[-1] == "_task"  # the top: TaskDefinitionSpec ties the others together
    assert graph["_common"] == set()
    assert graph["_references"] == set()


def test_no_import_is_hidden_inside_a_function() -> None:
    hidden = [
        f"{module}.py:{inner.lineno}"
        for module in MODULES
        for node in ast.walk(_tree(module))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(node)
        if isinstance(inner, ast.Import | ast.ImportFrom)
    ]
    assert hidden == []


def test_no_module_is_over_600_lines() -> None:
    sizes = {
        module: len((PACKAGE / f"{module}.py").read_text(encoding="utf-8").splitlines())
        for module in MODULES
    }
    assert {module: size for module, size in sizes.items() if size > 600} == {}
    assert len(MODULES) >= 12  # the package is split by concept


def test_the_package_docstring_names_every_module() -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8")))
    assert doc is not None
    for module in MODULES:
        assert f"``{module}``" in doc, module
