"""Reading ``CHANGELOG.md``: its releases, where each release's commit is recorded, and the
breaking changes a release declares (what ``tests/test_upgrade.py`` accepts).

A release is a heading ``## [X.Y.Z] - YYYY-MM-DD``; its link reference at the bottom of the
file, ``[X.Y.Z]: ../../commit/<40 hex digits>`` or ``../../compare/vA...vX.Y.Z``, records the
commit of a release whose tag may not travel with a clone. A ``### Breaking`` section lists one
item per resource an unchanged app loses, replaces or renames::

    ### Breaking

    - `ImagesRepository2D0F5B9C`: the repository's `Images` id became `Registry` (a rename
      replaces it). Migration: pass `construct_id="Images"` ... before upgrading.

Each item starts with one or more backticked keys (``LogicalId``, ``Stack/LogicalId``, or
``Stack/*`` for a whole stack), then says what changes and how to migrate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.conftest import REPO

CHANGELOG = REPO / "CHANGELOG.md"

_RELEASE = re.compile(r"^## \[(?P<version>\d+\.\d+\.\d+[^\]]*)\] - (?P<date>\d{4}-\d{2}-\d{2})\s*$")
_LINK = re.compile(r"^\[(?P<label>[^\]]+)\]:\s*(?P<target>\S+)")
_COMMIT = re.compile(r"/commit/(?P<sha>[0-9a-f]{40})$")
_ITEM_KEYS = re.compile(r"^((?:`[^`\s]+`(?:\s*,\s*|\s+and\s+|\s*))+)(?P<rest>.*)$", re.DOTALL)


@dataclass(frozen=True, kw_only=True)
class Release:
    version: str
    date: str
    body: str
    """The section's text below its heading, up to the next ``## `` heading."""
    link: str | None
    """The target of the release's link reference, if there is one."""

    @property
    def commit(self) -> str | None:
        """The full commit hash the link reference records (``.../commit/<sha>``), or ``None``."""
        match = _COMMIT.search(self.link or "")
        return match.group("sha") if match else None


@dataclass(frozen=True, kw_only=True)
class Declaration:
    keys: tuple[str, ...]
    text: str
    """What changes and the migration (the item after its keys)."""


def releases(text: str | None = None) -> list[Release]:
    """The releases, newest first, as the file lists them."""
    text = CHANGELOG.read_text(encoding="utf-8") if text is None else text
    links = {}
    for line in text.splitlines():
        match = _LINK.match(line)
        if match:
            links[match.group("label")] = match.group("target")
    found: list[Release] = []
    heading: re.Match[str] | None = None
    body: list[str] = []

    def close() -> None:
        if heading is not None:
            version = heading.group("version")
            found.append(
                Release(
                    version=version,
                    date=heading.group("date"),
                    body="\n".join(body),
                    link=links.get(version),
                )
            )

    for line in text.splitlines():
        if line.startswith("## "):
            close()
            heading, body = _RELEASE.match(line), []
        elif heading is not None and not _LINK.match(line):
            body.append(line)
    close()
    return found


def breaking(release: Release) -> list[Declaration]:
    """The items of ``release``'s ``### Breaking`` section.

    Raises ``ValueError`` for an item that does not start with a backticked key or that says
    nothing after its keys (every breaking change carries its migration).
    """
    lines = release.body.splitlines()
    items: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("### "):
            inside = line.strip() == "### Breaking"
            continue
        if not inside:
            continue
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif line.startswith(" ") and items and line.strip():
            items[-1] += " " + line.strip()
    declarations = []
    for item in items:
        match = _ITEM_KEYS.match(item)
        if match is None:
            raise ValueError(
                f"CHANGELOG.md [{release.version}] ### Breaking: {item[:80]!r} does not start "
                "with the logical ID it concerns, in backticks (`LogicalId` or `Stack/LogicalId`)"
            )
        keys = tuple(re.findall(r"`([^`\s]+)`", match.group(1)))
        text = match.group("rest").lstrip(" :-\u2014\u2013").strip()
        if not text:
            raise ValueError(
                f"CHANGELOG.md [{release.version}] ### Breaking: {', '.join(keys)} says nothing "
                "after its logical IDs: write what changes and the migration"
            )
        declarations.append(Declaration(keys=keys, text=text))
    return declarations
