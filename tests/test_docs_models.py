"""The API reference shows the signature and fields of the task-definition option classes
(``ContainerSpec``, ``PortMapping``, ...), which ``@model`` makes dataclasses at import: the
Griffe extension ``docs/_griffe/models.py`` gives Griffe, which reads the source without
running it, what the classes themselves say."""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
from types import ModuleType

import griffe
import pytest

import constructs_ecs
from constructs_ecs.taskdef import _table
from tests.conftest import REPO

EXTENSION = REPO / "docs" / "_griffe" / "models.py"
MODELS = sorted(
    name for name in constructs_ecs.__all__ if hasattr(getattr(constructs_ecs, name), _table._TABLE)
)


def extension() -> ModuleType:
    spec = importlib.util.spec_from_file_location("griffe_models", EXTENSION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def package() -> griffe.Module:
    """constructs_ecs as mkdocstrings loads it, with the extension."""
    loaded = griffe.load(
        "constructs_ecs",
        search_paths=[str(REPO)],
        extensions=griffe.load_extensions(extension().TaskDefinitionModels),
        resolve_aliases=False,
    )
    assert isinstance(loaded, griffe.Module)
    return loaded


def static(name: str) -> griffe.Class:
    runtime = getattr(constructs_ecs, name)
    found = package()[runtime.__module__.removeprefix("constructs_ecs.") + "." + name]
    assert isinstance(found, griffe.Class)
    return found


def test_the_public_api_has_model_classes() -> None:
    assert {"ContainerSpec", "PortMapping", "HealthCheck"} <= set(MODELS)


@pytest.mark.parametrize("name", MODELS)
def test_signature_has_every_field_keyword_only_with_its_default(name: str) -> None:
    fields = [f for f in dataclasses.fields(getattr(constructs_ecs, name)) if f.init]
    init = static(name).members["__init__"]
    assert isinstance(init, griffe.Function)
    parameters = [p for p in init.parameters if p.name != "self"]
    assert [p.name for p in parameters] == [f.name for f in fields]
    assert {p.kind for p in parameters} == {griffe.ParameterKind.keyword_only}
    required = [p.name for p in parameters if p.default is None]
    assert required == [f.name for f in fields if f.default is dataclasses.MISSING]


@pytest.mark.parametrize("name", MODELS)
def test_attributes_section_documents_every_field(name: str) -> None:
    docstring = static(name).docstring
    assert docstring is not None
    sections = docstring.parse("google")
    attributes = [s for s in sections if s.kind is griffe.DocstringSectionKind.attributes]
    assert len(attributes) == 1
    described = {item.name: item.description for item in attributes[0].value}
    markdown = extension()._markdown
    table = getattr(constructs_ecs, name).__dict__[_table._TABLE]
    for spec in table.entries:
        if spec.attr is not None:
            assert described[spec.attr].startswith(markdown(spec.doc)), spec.attr


def test_angle_brackets_outside_code_are_text_not_html() -> None:
    markdown = extension()._markdown
    assert markdown('"<first>-<last>" or ``<n>``') == '"&lt;first>-&lt;last>" or ``<n>``'
