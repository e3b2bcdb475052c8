"""A Griffe extension for the API reference: the task-definition option classes.

``ContainerSpec``, ``PortMapping``, ``HealthCheck`` and the other ``@model`` classes of
``constructs_ecs.taskdef`` become dataclasses when their module runs, and document their
fields in the ``entry(..., doc=...)`` of each (``help()`` shows them: ``model`` appends them
to ``__doc__``). Griffe reads the source without running it, so it sees neither a signature
nor a field. This extension imports each such class and gives Griffe what it lacks: an
``__init__`` with the dataclass's keyword-only parameters (types as written, defaults as
``dataclasses.fields`` has them), and an ``Attributes:`` section with each field's doc and
its ECS JSON and CloudFormation names. Nothing in the library changes.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from typing import Any

import griffe


def _is_model(cls: griffe.Class) -> bool:
    return any(
        str(decorator.callable_path).endswith("_table.model") for decorator in cls.decorators
    )


def _default(field: dataclasses.Field[Any]) -> str | None:
    if field.default is not dataclasses.MISSING:
        return repr(field.default)
    if field.default_factory is not dataclasses.MISSING:
        factory = field.default_factory
        return f"{getattr(factory, '__name__', 'factory')}()"
    return None


_CODE = re.compile(r"(``.*?``)")


def _markdown(text: str) -> str:
    """``text`` with ``<`` outside code spans escaped: ``"<first>-<last>"`` is not HTML."""
    parts = _CODE.split(text)
    return "".join(p if p.startswith("``") else p.replace("<", "&lt;") for p in parts)


def _attribute_line(field: dataclasses.Field[Any], table: str) -> str:
    spec = field.metadata[table]
    names = [f"ECS JSON ``{spec.json}``"] if spec.json else []
    if spec.cfn:
        names.append(f"CloudFormation ``{spec.cfn}``")
    where = f" ({', '.join(names)})" if names else ""
    return f"    {field.name}: {_markdown(spec.doc)}{where}"


def _document(cls: griffe.Class) -> None:
    from constructs_ecs.taskdef import _table

    runtime = getattr(importlib.import_module(cls.module.path), cls.name)
    fields = dataclasses.fields(runtime)
    parameters = [
        griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword),
        *(
            griffe.Parameter(
                field.name,
                annotation=getattr(cls.members.get(field.name), "annotation", None),
                kind=griffe.ParameterKind.keyword_only,
                default=_default(field),
            )
            for field in fields
            if field.init
        ),
    ]
    cls.set_member(
        "__init__",
        griffe.Function(
            "__init__",
            lineno=0,
            endlineno=0,
            parent=cls,
            parameters=griffe.Parameters(*parameters),
            returns="None",
        ),
    )
    lines = [_attribute_line(f, _table._TABLE) for f in fields if _table._TABLE in f.metadata]
    if lines:
        text = cls.docstring.value if cls.docstring else ""
        section = "Attributes:\n" + "\n".join(lines)
        cls.docstring = griffe.Docstring(
            f"{text}\n\n{section}", lineno=cls.lineno, endlineno=cls.endlineno, parent=cls
        )
    cls.labels.add("dataclass")


def _walk(obj: griffe.Module | griffe.Class) -> None:
    for member in list(obj.members.values()):
        if member.is_alias:
            continue
        if isinstance(member, griffe.Class):
            if _is_model(member):
                _document(member)
            _walk(member)
        elif isinstance(member, griffe.Module):
            _walk(member)


class TaskDefinitionModels(griffe.Extension):
    """Signatures and fields of the ``@model`` classes, from the classes themselves."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.name == "constructs_ecs":
            _walk(pkg)
