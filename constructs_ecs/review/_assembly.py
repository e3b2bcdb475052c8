"""Reading a synthesized cloud assembly (``cdk.out``) without aws-cdk-lib: stacks and templates."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

STACK_ARTIFACT = "aws:cloudformation:stack"
NESTED_ASSEMBLY_ARTIFACT = "cdk:cloud-assembly"
NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
_MAX_NESTING = 8

ResourceKey = tuple[str, str]
"""``(stack key, logical id)``: one resource anywhere in an assembly."""

_CDK_HASH = re.compile(r"^(.*?[A-Za-z0-9])([0-9A-F]{8})$")


def short_name(logical_id: str) -> str:
    """A logical id without the hash CDK appends: ``WebService1A2B3C4D`` → ``WebService``."""
    match = _CDK_HASH.match(logical_id)
    return match.group(1) if match else logical_id


class AssemblyError(ValueError):
    """The directory is not a readable cloud assembly (no ``manifest.json``, or a broken one)."""


@dataclass(frozen=True, kw_only=True)
class StackTemplate:
    """One CloudFormation stack of an assembly.

    ``key`` is unique in the assembly (the construct path CDK shows, such as ``Prod/Api``);
    ``name`` is the CloudFormation stack name; ``environment`` is ``aws://account/region``.
    """

    key: str
    name: str
    environment: str
    template: Mapping[str, Any] = field(repr=False)

    @cached_property
    def resources(self) -> dict[str, dict[str, Any]]:
        """``{logical id: resource}``, without ``AWS::CDK::Metadata`` and malformed entries."""
        raw = self.template.get("Resources")
        if not isinstance(raw, Mapping):
            return {}
        return {
            logical_id: resource
            for logical_id, resource in raw.items()
            if isinstance(resource, dict)
            and isinstance(resource.get("Type"), str)
            and resource["Type"] != "AWS::CDK::Metadata"
        }

    def section(self, name: str) -> dict[str, Any]:
        """A top-level template section (``Parameters``, ``Outputs``...) as a dict."""
        value = self.template.get(name)
        return value if isinstance(value, dict) else {}

    def of_type(self, *types: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(logical id, resource)`` of the given types, sorted by logical id."""
        for logical_id, resource in sorted(self.resources.items()):
            if resource["Type"] in types:
                yield logical_id, resource


@dataclass(frozen=True, kw_only=True)
class Assembly:
    """The stacks of a cloud assembly, nested assemblies (stages) included, sorted by key."""

    stacks: tuple[StackTemplate, ...]

    @cached_property
    def _by_key(self) -> dict[str, StackTemplate]:
        return {stack.key: stack for stack in self.stacks}

    def stack(self, key: str) -> StackTemplate:
        """The stack whose ``key`` is ``key`` (``KeyError`` when there is none)."""
        return self._by_key[key]

    def resource(self, key: ResourceKey) -> dict[str, Any] | None:
        """The resource at ``(stack key, logical id)``, or ``None``."""
        stack = self._by_key.get(key[0])
        return stack.resources.get(key[1]) if stack else None

    def iter_resources(self) -> Iterator[tuple[StackTemplate, str, dict[str, Any]]]:
        for stack in self.stacks:
            for logical_id, resource in sorted(stack.resources.items()):
                yield stack, logical_id, resource


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise AssemblyError(f"{path}: not found") from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AssemblyError(f"{path}: not readable as JSON ({error})") from error


def _nested_stacks(directory: Path, parent: StackTemplate, depth: int) -> Iterator[StackTemplate]:
    """Templates of CDK nested stacks, found through their ``aws:asset:path`` metadata."""
    if depth > _MAX_NESTING:
        return
    for logical_id, resource in sorted(parent.resources.items()):
        if resource["Type"] != NESTED_STACK_TYPE:
            continue
        metadata = resource.get("Metadata")
        asset = metadata.get("aws:asset:path") if isinstance(metadata, dict) else None
        if not isinstance(asset, str) or not asset.endswith(".json"):
            continue
        path = directory / asset
        if not path.is_file():
            continue
        template = _read_json(path)
        if not isinstance(template, dict):
            continue
        child = StackTemplate(
            key=f"{parent.key}/{logical_id}",
            name=f"{parent.name}-{logical_id}",
            environment=parent.environment,
            template=template,
        )
        yield child
        yield from _nested_stacks(directory, child, depth + 1)


def _load(directory: Path, depth: int) -> Iterator[StackTemplate]:
    manifest = _read_json(directory / "manifest.json")
    artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
    if not isinstance(artifacts, dict):
        return
    for artifact_id, artifact in artifacts.items():
        if not isinstance(artifact, dict):
            continue
        properties = artifact.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        kind = artifact.get("type")
        if kind == STACK_ARTIFACT:
            template_file = properties.get("templateFile")
            if not isinstance(template_file, str):
                continue
            template = _read_json(directory / template_file)
            if not isinstance(template, dict):
                raise AssemblyError(f"{directory / template_file}: not a template")
            display = artifact.get("displayName")
            stack_name = properties.get("stackName")
            stack = StackTemplate(
                key=display if isinstance(display, str) and display else artifact_id,
                name=stack_name if isinstance(stack_name, str) and stack_name else artifact_id,
                environment=str(
                    artifact.get("environment", "aws://unknown-account/unknown-region")
                ),
                template=template,
            )
            yield stack
            yield from _nested_stacks(directory, stack, 0)
        elif kind == NESTED_ASSEMBLY_ARTIFACT and depth < _MAX_NESTING:
            nested = properties.get("directoryName")
            if isinstance(nested, str) and (directory / nested / "manifest.json").is_file():
                yield from _load(directory / nested, depth + 1)


def load_assembly(path: str | Path) -> Assembly:
    """Read the stacks of the cloud assembly at ``path`` (a ``cdk.out`` directory, or its
    ``manifest.json``), including nested assemblies (CDK stages) and nested-stack templates.

    Raises ``AssemblyError`` when there is no readable ``manifest.json``.
    """
    directory = Path(path)
    if directory.name == "manifest.json" and directory.is_file():
        directory = directory.parent
    if not (directory / "manifest.json").is_file():
        raise AssemblyError(
            f"{directory}: no manifest.json; pass the output directory of `cdk synth` (cdk.out)"
        )
    stacks: dict[str, StackTemplate] = {}
    for stack in _load(directory, 0):
        stacks.setdefault(stack.key, stack)
    return Assembly(stacks=tuple(stacks[key] for key in sorted(stacks)))
