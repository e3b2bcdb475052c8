"""The CloudFormation registry schemas that an installed cfn-lint ships, read as plain JSON.

Importing cfn-lint costs about half a second, so the package is only located
(``importlib.util.find_spec`` does not run it) and the schema files are read directly, one
resource type at a time and only when a change to that type is being judged. Two layouts are
known: cfn-lint 1.4x and later keep a ``providers/<region>.json`` index of schema hashes next to
``resources/<hash>.json``; earlier 1.x releases keep ``providers/<region_with_underscores>/
<aws-service-type>.json``. Without cfn-lint (or with a layout neither of these), every lookup
answers ``None`` and the built-in table decides.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True, kw_only=True)
class CreateOnly:
    """A type's ``createOnlyProperties`` and ``conditionalCreateOnlyProperties`` as dotted
    property paths (``Port``, ``DnsOptions.PrivateDnsPreference``)."""

    always: frozenset[str]
    conditional: frozenset[str]


def _dotted(pointers: Any) -> frozenset[str]:
    if not isinstance(pointers, list):
        return frozenset()
    found = set()
    for pointer in pointers:
        if isinstance(pointer, str) and pointer.startswith("/properties/"):
            parts = pointer.removeprefix("/properties/").split("/")
            found.add(".".join(part for part in parts if part != "*"))
    return frozenset(found)


def installed_schema_dir() -> Path | None:
    """``cfnlint/data/schemas`` of the installed cfn-lint, found without importing it."""
    try:
        spec = importlib.util.find_spec("cfnlint")
    except (ImportError, ValueError):  # ValueError: a test blocked it in sys.modules
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "data" / "schemas"
        if (candidate / "providers").is_dir():
            return candidate
    return None


class SchemaLibrary:
    """Create-only properties per resource type and region, read lazily from one schema
    directory. One instance per review: it caches what it has read."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._indexes: dict[str, dict[str, str] | None] = {}
        self._by_file: dict[Path, CreateOnly | None] = {}

    @classmethod
    def installed(cls) -> SchemaLibrary:
        """The schemas of the installed cfn-lint (none when it is not installed)."""
        return cls(installed_schema_dir())

    @property
    def available(self) -> bool:
        return self.directory is not None

    def _index(self, region: str) -> dict[str, str] | None:
        if region not in self._indexes:
            index: dict[str, str] | None = None
            if self.directory is not None:
                path = self.directory / "providers" / f"{region}.json"
                data = _read(path)
                if isinstance(data, dict):
                    index = {k: v for k, v in data.items() if isinstance(v, str)}
            self._indexes[region] = index
        return self._indexes[region]

    def _file(self, resource_type: str, region: str) -> Path | None:
        if self.directory is None:
            return None
        index = self._index(region)
        if index is not None:
            schema_hash = index.get(resource_type)
            return self.directory / "resources" / f"{schema_hash}.json" if schema_hash else None
        legacy = self.directory / "providers" / region.replace("-", "_")
        name = resource_type.lower().replace("::", "-") + ".json"
        return legacy / name if legacy.is_dir() else None

    def create_only(self, resource_type: str, region: str | None = None) -> CreateOnly | None:
        """What the registry schema of ``resource_type`` says, or ``None`` when there is no
        schema for it (in ``region``, else in us-east-1)."""
        for candidate in dict.fromkeys((region or DEFAULT_REGION, DEFAULT_REGION)):
            path = self._file(resource_type, candidate)
            if path is None:
                continue
            if path not in self._by_file:
                schema = _read(path)
                self._by_file[path] = (
                    CreateOnly(
                        always=_dotted(schema.get("createOnlyProperties")),
                        conditional=_dotted(schema.get("conditionalCreateOnlyProperties")),
                    )
                    if isinstance(schema, dict) and schema.get("typeName") == resource_type
                    else None
                )
            if self._by_file[path] is not None:
                return self._by_file[path]
        return None


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
