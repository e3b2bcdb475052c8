"""The documentation site: a short README, an API reference that covers the public API, and
recipes a reader reaches from the navigation. (Every ```python block of it runs in
``test_readme``; ``./dev docs`` builds it with ``mkdocs build --strict``.)"""

from __future__ import annotations

import importlib
import re

import pytest

import constructs_ecs
import constructs_ecs.testing
from tests.conftest import REPO

DOCS = REPO / "docs"
REFERENCE = DOCS / "reference"
IDENTIFIER = re.compile(r"^::: ([\w.]+)\s*$", re.MULTILINE)
NAV_PAGE = re.compile(r"^\s*- (?:[^:\n]+: )?([\w./-]+\.md)\s*$", re.MULTILINE)
RECIPES = (
    "recipes/sqs-worker.md",
    "recipes/grant-permission.md",
    "recipes/custom-domain-https.md",
    "recipes/private-service.md",
)
OTHER_BRANCHES = (
    "guide/new-project.md",
    "guide/upgrading.md",
    "guide/compatibility.md",
    "guide/testing.md",
)
"""Pages of the guide written with the scaffold, release and compatibility work: the
navigation links them."""


def documented() -> set[str]:
    """Every object the reference pages render (``::: dotted.path``)."""
    return {m for page in REFERENCE.glob("*.md") for m in IDENTIFIER.findall(page.read_text())}


def nav_pages() -> list[str]:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:\n", 1)[1]
    return NAV_PAGE.findall(nav)


def resolve(dotted: str) -> object:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_readme_is_at_most_400_lines() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 400, f"README.md has {lines} lines"


@pytest.mark.parametrize(
    ("module", "names"),
    [
        pytest.param("constructs_ecs", constructs_ecs.__all__, id="constructs_ecs"),
        pytest.param(
            "constructs_ecs.testing", constructs_ecs.testing.__all__, id="constructs_ecs.testing"
        ),
    ],
)
def test_every_public_name_is_in_the_reference(module: str, names: list[str]) -> None:
    missing = [n for n in names if f"{module}.{n}" not in documented()]
    assert not missing, f"not in docs/reference/: {missing}"


def test_the_reference_documents_only_public_names() -> None:
    public = {f"constructs_ecs.{n}" for n in constructs_ecs.__all__} | {
        f"constructs_ecs.testing.{n}" for n in constructs_ecs.testing.__all__
    }
    assert documented() <= public, documented() - public
    for dotted in documented():
        resolve(dotted)  # an object the package really has


def test_every_page_is_in_the_navigation() -> None:
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    listed = nav_pages()
    assert len(listed) == len(set(listed)), "a page is listed twice"
    assert set(listed) - set(OTHER_BRANCHES) <= pages, set(listed) - pages
    assert pages <= set(listed), pages - set(listed)


@pytest.mark.parametrize("page", RECIPES)
def test_recipe_is_reachable_from_the_navigation(page: str) -> None:
    assert page in nav_pages()
    assert re.search(r"^```python\n", (DOCS / page).read_text(encoding="utf-8"), re.M), (
        f"{page} has no executed block"
    )


@pytest.mark.parametrize("page", OTHER_BRANCHES)
def test_pages_of_the_other_branches_are_linked(page: str) -> None:
    assert page in nav_pages()


def test_readme_links_resolve() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    targets = {t.split("#")[0] for t in re.findall(r"\]\(([^)\s]+)\)", text)}
    local = {t for t in targets if not re.match(r"[a-z]+:", t)}
    assert local
    missing = [
        t
        for t in local
        if not (REPO / t).exists() and t not in {f"docs/{p}" for p in OTHER_BRANCHES}
    ]
    assert not missing, missing
