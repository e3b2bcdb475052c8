"""Does a property change replace the resource? The registry schemas of the installed cfn-lint
for every type, the built-in table otherwise, both corrected by CloudFormation's documentation;
types that neither knows are "not checked"."""

from __future__ import annotations

from dataclasses import dataclass

from constructs_ecs.review._replacement import (
    DOCUMENTED_IN_PLACE,
    DOCUMENTED_REPLACEMENT,
    REPLACEMENT_PROPERTIES,
    path_matches,
)
from constructs_ecs.review._schemas import CreateOnly, SchemaLibrary

REPLACEMENT = "replacement"
CONDITIONAL = "conditional"
IN_PLACE = "in place"
UNKNOWN = "unknown"

CUSTOM_RESOURCE = "AWS::CloudFormation::CustomResource"


def is_custom(resource_type: str) -> bool:
    """A custom resource: its provider, not CloudFormation, decides about replacement."""
    return resource_type == CUSTOM_RESOURCE or resource_type.startswith("Custom::")


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """What changing one property does: ``effect`` is ``REPLACEMENT``, ``CONDITIONAL``,
    ``IN_PLACE`` or ``UNKNOWN``; ``source`` says who says so; ``note`` what it interrupts."""

    effect: str
    source: str
    note: str | None = None


class ReplacementRules:
    """Property verdicts for one review (it reads each type's schema at most once).

    ``schemas``: where the registry schemas are. Default: the installed cfn-lint's; pass
    ``SchemaLibrary(None)`` to decide with the built-in table alone.
    """

    def __init__(self, schemas: SchemaLibrary | None = None) -> None:
        self.schemas = schemas if schemas is not None else SchemaLibrary.installed()

    def _create_only(self, resource_type: str, region: str | None) -> tuple[CreateOnly, str] | None:
        schema_type = CUSTOM_RESOURCE if is_custom(resource_type) else resource_type
        found = self.schemas.create_only(schema_type, region)
        if found is not None:
            return found, "registry schema"
        if resource_type in REPLACEMENT_PROPERTIES:
            always, conditional = REPLACEMENT_PROPERTIES[resource_type]
            return CreateOnly(always=always, conditional=conditional), "built-in table"
        return None

    def knows(self, resource_type: str, region: str | None = None) -> bool:
        """Is there a schema or a table entry for ``resource_type``?"""
        return self._create_only(resource_type, region) is not None

    def verdict(self, resource_type: str, path: str, region: str | None = None) -> Verdict:
        """What changing ``path`` (``Port``, ``ContainerDefinitions[0].Image``) does to a
        resource of ``resource_type`` in ``region`` (default: us-east-1's schemas)."""
        if path_matches(path, DOCUMENTED_REPLACEMENT.get(resource_type, frozenset())):
            return Verdict(effect=REPLACEMENT, source="CloudFormation documentation")
        for prop, note in DOCUMENTED_IN_PLACE.get(resource_type, {}).items():
            if path_matches(path, frozenset({prop})):
                return Verdict(effect=IN_PLACE, source="CloudFormation documentation", note=note)
        found = self._create_only(resource_type, region)
        if found is None:
            return Verdict(effect=UNKNOWN, source="no schema")
        create_only, source = found
        if path_matches(path, create_only.always):
            return Verdict(effect=REPLACEMENT, source=source)
        if path_matches(path, create_only.conditional):
            return Verdict(effect=CONDITIONAL, source=source)
        if is_custom(resource_type):
            return Verdict(effect=UNKNOWN, source="custom resource")
        return Verdict(effect=IN_PLACE, source=source)


def region_of(environment: str) -> str | None:
    """The region of ``aws://account/region``, or ``None`` when it is not known."""
    region = environment.rsplit("/", 1)[-1]
    return None if not region or region.startswith("unknown") else region
