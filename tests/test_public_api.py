"""The public boundary (issue 25): ``constructs_ecs.__all__`` is the list of public names. The
top-level module's imports for type checkers and its lazy-import table name exactly those,
and a module whose name has no underscore hands on only public names. (``test_docs`` checks
the list against the API reference.)"""

from __future__ import annotations

import ast
import importlib

import pytest

import constructs_ecs
from tests.conftest import REPO

PACKAGE = REPO / "constructs_ecs"
PUBLIC_MODULES = ("constructs_ecs.testing", "constructs_ecs.review")


def _type_checking_names() -> set[str]:
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                names.update(alias.asname or alias.name for alias in statement.names)
    return names


def _internal_free_modules() -> list[str]:
    """The package's modules with no underscore-prefixed part (bar ``__init__``/``__main__``)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] in ("__init__", "__main__"):
            parts.pop()
        if any(part.startswith("_") for part in parts) or ".".join(parts) in found:
            continue
        found.append(".".join(parts))
    return found


def test_the_three_forms_of_the_public_list_agree() -> None:
    public = set(constructs_ecs.__all__)
    assert len(public) == len(constructs_ecs.__all__)  # no name twice
    assert set(constructs_ecs._EXPORTS) == public
    assert _type_checking_names() == public


def _same(name: str, one: object, other: object) -> bool:
    if name == "DEFAULT_PLACEMENT_STRATEGIES":  # jsii objects, made on each first use
        return [s.to_json() for s in one] == [s.to_json() for s in other]  # type: ignore[attr-defined]
    return one is other


@pytest.mark.parametrize("name", sorted(constructs_ecs._EXPORTS))
def test_each_public_name_comes_from_the_module_the_table_names(name: str) -> None:
    module = importlib.import_module(constructs_ecs._EXPORTS[name])
    assert _same(name, getattr(constructs_ecs, name), getattr(module, name))


def test_modules_without_an_underscore_are_the_faces() -> None:
    assert _internal_free_modules() == [
        "constructs_ecs",
        "constructs_ecs.cluster",
        "constructs_ecs.load_balancer",
        "constructs_ecs.review",
        "constructs_ecs.services",
        "constructs_ecs.taskdef",
        "constructs_ecs.testing",
    ]


@pytest.mark.parametrize(
    "face",
    [
        "constructs_ecs.cluster",
        "constructs_ecs.load_balancer",
        "constructs_ecs.services",
        "constructs_ecs.taskdef",
    ],
)
def test_a_package_face_hands_on_only_public_names(face: str) -> None:
    module = importlib.import_module(face)
    assert set(module.__all__) <= set(constructs_ecs.__all__)
    for name in module.__all__:
        assert _same(name, getattr(module, name), getattr(constructs_ecs, name)), name


MOST_KEYWORDS = 12
"""The most keyword parameters a public construct takes (issue 25): more goes into a typed
option value (``Routing``, ``ServiceNetwork``, ...)."""


def _public_constructs() -> list[str]:
    from constructs import Construct

    return [
        name
        for name in constructs_ecs.__all__
        if isinstance(getattr(constructs_ecs, name), type)
        and issubclass(getattr(constructs_ecs, name), Construct)
    ]


@pytest.mark.parametrize("name", _public_constructs())
def test_a_public_construct_takes_at_most_twelve_keywords(name: str) -> None:
    import inspect

    construct = getattr(constructs_ecs, name)
    parameters = inspect.signature(vars(construct)["__init__"]).parameters.values()
    keywords = [p.name for p in parameters if p.kind is p.KEYWORD_ONLY]
    assert len(keywords) <= MOST_KEYWORDS, f"{name} takes {len(keywords)}: {keywords}"


@pytest.mark.parametrize("face", ["cluster", "load_balancer"])
def test_the_cluster_and_load_balancer_faces_only_hand_names_on(face: str) -> None:
    source = (PACKAGE / face / "__init__.py").read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 80
    tree = ast.parse(source)
    kinds = {type(node) for node in tree.body} - {ast.Expr, ast.ImportFrom, ast.Assign}
    assert not kinds, f"constructs_ecs/{face}/__init__.py defines {kinds}"
