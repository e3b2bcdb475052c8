"""The package's layout (issues 13 and 25): no module outside ``review/`` over 600 lines, and
no import cycle between the package's modules, counting imports for type checkers and imports
inside functions (a cycle broken by a function-level import is still a cycle to a reader)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "constructs_ecs"
MAX_LINES = 600


def _name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    _name(path): path
    for path in sorted(PACKAGE.rglob("*.py"))
    if "review" not in path.relative_to(PACKAGE).parts
}


def _imports(name: str, path: Path) -> set[str]:
    """The package's modules ``name`` imports: ``from a import b`` is ``a.b`` when that is a
    module, else ``a``; the parent packages Python imports on the way are not counted."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # a submodule, or a name of the module ``base``
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


def test_no_module_outside_review_is_over_600_lines() -> None:
    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()
    }
    assert {name: size for name, size in sizes.items() if size > MAX_LINES} == {}


def test_modules_import_each_other_without_a_cycle() -> None:
    # A package's __init__ re-exports its modules; a module importing a name from its own
    # package's __init__ would be the cycle this test exists to find.
    graph = {name: _imports(name, path) for name, path in MODULES.items()}
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise AssertionError(f"import cycle: {' -> '.join(error.args[1])}") from None


def test_the_layout_test_sees_the_modules_and_their_imports() -> None:
    """Guards the test itself: it would pass vacuously on an empty or unparsed package."""
    assert "constructs_ecs.services._web_service" in MODULES
    assert "constructs_ecs.review" not in MODULES
    assert "constructs_ecs._errors" in _imports(
        "constructs_ecs.services._web_service", MODULES["constructs_ecs.services._web_service"]
    )
