"""``constructs-ecs new DIR``: write a ready app of this repository's two-command shape.

The files come from ``template/`` (package data). Names there stand for the names written:
``dot-gitignore`` is ``.gitignore``, ``dot-github/`` is ``.github/``, a ``.tmpl`` suffix is
dropped. In each file, ``{{key}}`` is replaced by a value of ``ScaffoldOptions.values()``, and
lines between ``#% if NAME`` (or ``#% if not NAME``), ``#% else`` and ``#% end`` are kept or
dropped by ``ScaffoldOptions.flags()``; other ``{{`` (GitHub's ``${{ ... }}``) stay as written.

Nothing here imports aws-cdk-lib: the command is quick and needs no Node.js.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from constructs_ecs._errors import ConfigurationError
from constructs_ecs._version import __version__

__all__ = ["ScaffoldOptions", "render", "write_project"]

_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_STACK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_MAX_STACK_NAME = 128
_KEY = re.compile(r"\{\{(\w+)\}\}")
_DIRECTIVE = re.compile(r"^\s*#% (if (not )?(\w+)|else|end)\s*$")
# Zone names that are not the Region's "a" and "b" for every account.
_ZONE_LETTERS = {"ap-northeast-1": "ac"}


@dataclass(frozen=True, kw_only=True)
class ScaffoldOptions:
    """What ``constructs-ecs new`` was asked for, checked by ``validate``."""

    name: str
    """The app's name: the stack is ``<Name>`` of class ``<Name>Stack``."""
    account: str | None = None
    """The account the stack is pinned to, with ``region``. Default: environment-agnostic."""
    region: str | None = None
    """The Region the stack is pinned to, with ``account``."""
    https: str | None = None
    """A domain name for an HTTPS listener with an ACM certificate. Default: plain HTTP."""

    def validate(self) -> None:
        """Raise ``ConfigurationError`` naming the first option that is wrong."""
        if not _STACK_NAME.fullmatch(self.name) or len(self.name) > _MAX_STACK_NAME:
            raise ConfigurationError(
                "--name",
                self.name,
                "a stack name is a letter, then letters, digits and hyphens (at most 128)",
            )
        if self.account is not None and not _ACCOUNT.fullmatch(self.account):
            raise ConfigurationError("--account", self.account, "an AWS account id is 12 digits")
        if self.region is not None and not _REGION.fullmatch(self.region):
            raise ConfigurationError(
                "--region", self.region, "a Region name is like eu-west-1 or us-gov-west-1"
            )
        if (self.account is None) != (self.region is None):
            given, value, missing = (
                ("--account", self.account, "--region")
                if self.account
                else ("--region", self.region, "--account")
            )
            raise ConfigurationError(given, value, f"give {missing} too: a stack is pinned to both")
        if self.https is not None and not _is_dns_name(self.https):
            raise ConfigurationError(
                "--https", self.https, "a domain is a DNS name such as shop.example.com"
            )

    @property
    def pinned(self) -> bool:
        return self.account is not None

    @property
    def zones(self) -> list[str]:
        """The zones a pinned stack names: the Region's first two, by name."""
        assert self.region is not None
        return [self.region + letter for letter in _ZONE_LETTERS.get(self.region, "ab")]

    def flags(self) -> dict[str, bool]:
        return {"pinned": self.pinned, "https": self.https is not None}

    def values(self) -> dict[str, str]:
        stack_id = "".join(part[:1].upper() + part[1:] for part in self.name.split("-"))
        return {
            "stack_id": stack_id,
            "stack_class": f"{stack_id}Stack",
            "version": __version__,
            "account": self.account or "",
            "region": self.region or "",
            "zones": ", ".join(f'"{zone}"' for zone in self.zones) if self.pinned else "",
            "domain": self.https or "",
        }


def _is_dns_name(name: str) -> bool:
    labels = name.removeprefix("*.").split(".")
    return (
        len(name) <= 253
        and len(labels) >= 2
        and all(_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )


def _render_text(text: str, flags: Mapping[str, bool], values: Mapping[str, str]) -> str:
    kept: list[str] = []
    keep = [True]  # one entry per open `#% if`, plus the file itself
    for line in text.splitlines(keepends=True):
        directive = _DIRECTIVE.match(line)
        if directive is None:
            if all(keep):
                kept.append(line)
        elif directive.group(3):
            keep.append(flags[directive.group(3)] != bool(directive.group(2)))
        elif directive.group(1) == "else":
            keep[-1] = not keep[-1]
        else:
            keep.pop()
    if len(keep) != 1:
        raise ValueError("unbalanced #% if ... #% end in a template")
    return _KEY.sub(lambda m: values.get(m.group(1), m.group(0)), "".join(kept))


def _target(relative: str) -> str:
    parts = [
        part.replace("dot-", ".", 1) if part.startswith("dot-") else part
        for part in relative.split("/")
    ]
    return "/".join(parts).removesuffix(".tmpl")


def _walk(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            found.extend(_walk(entry, f"{prefix}{entry.name}/"))
        else:
            found.append((prefix + entry.name, entry))
    return found


def render(options: ScaffoldOptions) -> dict[str, str]:
    """``{path in the project: content}`` of every file of the app ``options`` asks for."""
    options.validate()
    flags, values = options.flags(), options.values()
    template = resources.files(__package__).joinpath("template")
    return {
        _target(relative): _render_text(entry.read_text(encoding="utf-8"), flags, values)
        for relative, entry in _walk(template)
    }


EXECUTABLE = frozenset({"dev"})
"""Files written with the executable bit (a wheel may not keep it)."""


def write_project(directory: Path, options: ScaffoldOptions) -> list[Path]:
    """Write the app into ``directory`` (new or empty); return the files written."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ConfigurationError(
            "DIR", str(directory), "the app is written into a new or empty directory"
        )
    files = render(options)
    written = []
    for relative, content in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        if relative in EXECUTABLE:
            path.chmod(0o755)
        written.append(path)
    return written
