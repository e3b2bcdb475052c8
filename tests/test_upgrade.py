"""The upgrade test: an app that upgrades from the previous release to this one keeps its
resources.

The reference app (each tree's ``app.py``, as ``cdk synth`` runs it, in account 123456789012 /
eu-west-1) and a full platform (``tests/data/upgrade_platform.py``, the same file on both
sides) are synthesized twice, each in a subprocess with this venv's Python, aws-cdk-lib and
Node.js: once with the previous release's ``constructs_ecs`` (its tree exported from git into
a temporary directory, first on ``PYTHONPATH``, its ``cdk.json`` in force), once with the
working tree's. The library's own review (``constructs_ecs.review.diff_assemblies``) compares
the two, and this test refuses what would hurt a deployed app, unless the CHANGELOG section of
the current version declares it under ``### Breaking`` (see ``tests/changelog.py`` and
``docs/guide/upgrading.md``):

- a stateful resource replaced, possibly replaced, renamed or removed, or one whose retain
  policy is dropped (the review's data-loss warnings);
- any resource whose logical ID moved (a rename: CloudFormation creates a new one and deletes
  the old);
- any resource replaced, or possibly replaced, by a changed property (an interruption);
- a whole stack gone.

The previous release is the CHANGELOG's release below the current version; its commit is the
tag ``v<version>`` or, where tags did not travel, the commit its link reference records. With
neither in the git history (a shallow clone), the synthesized tests skip and say so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import constructs_ecs
from constructs_ecs.review import (
    STATEFUL_TYPES,
    AssemblyDiff,
    diff_assemblies,
    load_assembly,
)
from tests.changelog import Declaration, Release, breaking, releases
from tests.conftest import REPO

DRIVER = REPO / "tests" / "data" / "upgrade_synth.py"
ACCOUNT, REGION = "123456789012", "eu-west-1"
"""The reference app's environment, as ``cdk deploy`` with credentials gives it one (its zones
are in each tree's committed ``cdk.context.json``)."""
APPS = ("reference", "platform")
SYNTH_TIMEOUT = 600
REPLACING = frozenset({"replaced", "may be replaced"})
RENAMED = "renamed → replaced"


# ---- what the review finds, and what the CHANGELOG declares -------------------------------
@dataclass(frozen=True, kw_only=True)
class Finding:
    """One resource a deployed app would lose, replace or rename on upgrading."""

    stack: str
    logical_ids: tuple[str, ...]
    """The deployed resource's logical ID first, then its new one after a rename."""
    resource_type: str
    reasons: tuple[str, ...]

    def declared_by(self, declarations: Iterable[Declaration]) -> bool:
        names = {f"{self.stack}/*"}
        for logical_id in self.logical_ids:
            if logical_id != "*":
                names |= {logical_id, f"{self.stack}/{logical_id}"}
        return any(names & set(declaration.keys) for declaration in declarations)

    def describe(self) -> str:
        ids = " → ".join(f"`{i}`" for i in self.logical_ids)
        return f"{self.stack}: {ids} ({self.resource_type}): " + "; ".join(self.reasons)


def findings(diff: AssemblyDiff) -> list[Finding]:
    """What ``diff`` (old release → working tree) does to a deployed app that this test
    refuses unless declared: see the module docstring."""
    found: dict[tuple[str, str], dict[str, Any]] = {}

    def add(stack: str, ids: tuple[str, ...], resource_type: str, reason: str) -> None:
        entry = found.setdefault(
            (stack, ids[0]), {"ids": ids, "type": resource_type, "reasons": []}
        )
        if len(ids) > len(entry["ids"]):
            entry["ids"] = ids
        if reason not in entry["reasons"]:
            entry["reasons"].append(reason)

    for warning in diff.warnings:
        add(warning.stack, (warning.logical_id,), warning.resource_type, warning.text)
    for stack in diff.stacks:
        if stack.status == "removed":
            add(stack.key, ("*",), "stack", "the whole stack is gone from the new assembly")
            continue
        for change in stack.changes:
            if change.kind == RENAMED and change.old_logical_id:
                add(
                    stack.key,
                    (change.old_logical_id, change.logical_id),
                    change.resource_type,
                    "logical ID moved: CloudFormation creates a new resource and deletes the old",
                )
            elif change.kind in REPLACING:
                forcing = [d for d in change.details if "replacement" in d] or list(
                    change.details[:1]
                )
                add(
                    stack.key,
                    (change.logical_id,),
                    change.resource_type,
                    f"{change.kind}"
                    + (" (stateful)" if change.resource_type in STATEFUL_TYPES else "")
                    + (": " + ", ".join(forcing) if forcing else ""),
                )
    return [
        Finding(
            stack=stack,
            logical_ids=entry["ids"],
            resource_type=entry["type"],
            reasons=tuple(entry["reasons"]),
        )
        for (stack, _), entry in sorted(found.items())
    ]


def undeclared(diff: AssemblyDiff, declarations: Sequence[Declaration]) -> list[Finding]:
    return [finding for finding in findings(diff) if not finding.declared_by(declarations)]


def failure_message(app: str, left: Sequence[Finding], previous: str, current: str) -> str:
    lines = [
        f"Upgrading the {app} app from {previous} to the working tree ({current}) would "
        f"replace, rename or remove {len(left)} resource(s) of a deployed app:",
        *(f"  - {finding.describe()}" for finding in left),
        "Keep the logical ID (and the properties that force replacement) as they were, or, if "
        f"the change is intended, declare each resource in CHANGELOG.md under `## [{current}]` "
        "in a `### Breaking` section, one item per resource: "
        "``- `LogicalId`: what changes. Migration: what a user does.`` "
        "(`Stack/LogicalId` where an ID is in several stacks; see docs/guide/upgrading.md).",
    ]
    return "\n".join(lines)


# ---- the previous release ------------------------------------------------------------------
def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False
    )


def current_and_previous() -> tuple[Release, Release]:
    """The CHANGELOG's release of ``constructs_ecs.__version__`` and the one below it."""
    found = releases()
    versions = [release.version for release in found]
    current = constructs_ecs.__version__
    assert current in versions, f"CHANGELOG.md has no `## [{current}] - DATE` heading"
    index = versions.index(current)
    assert index + 1 < len(found), f"CHANGELOG.md lists no release before {current}"
    return found[index], found[index + 1]


def release_commit(release: Release) -> str:
    """The commit of ``release``: its tag, else the commit its link reference records.

    Skips when git history is absent (no checkout, or a shallow clone without the commit).
    """
    if _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip(f"not a git checkout: the previous release {release.version} is not at hand")
    tagged = _git("rev-parse", "--verify", "--quiet", f"refs/tags/v{release.version}^{{commit}}")
    recorded = release.commit
    if tagged.returncode == 0:
        sha = tagged.stdout.strip()
        assert recorded in (None, sha), (
            f"tag v{release.version} is {sha}, but CHANGELOG.md's link reference "
            f"[{release.version}] records {recorded}: correct one of them"
        )
        return sha
    assert recorded, (
        f"no tag v{release.version} and no commit recorded for it: add the link reference "
        f"`[{release.version}]: ../../commit/<full hash>` at the bottom of CHANGELOG.md"
    )
    if _git("cat-file", "-e", f"{recorded}^{{commit}}").returncode == 0:
        return recorded
    shallow = _git("rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    if shallow:
        pytest.skip(
            f"shallow clone: the previous release {release.version} ({recorded[:12]}) is not in "
            "the history; clone with full history (`git fetch --unshallow --tags`) to run it"
        )
    pytest.fail(f"release {release.version}'s recorded commit {recorded} is not in the history")


# ---- the syntheses -------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Synthesis:
    tree: Path
    out: Path
    imported: Path
    """The ``constructs_ecs/__init__.py`` the subprocess imported."""


def _context(tree: Path) -> dict[str, Any]:
    """What the CDK CLI passes an app run in ``tree``: its cdk.json's context and its
    cdk.context.json (templates kept small, as the test kit keeps them)."""
    context: dict[str, Any] = dict(
        json.loads((tree / "cdk.json").read_text(encoding="utf-8")).get("context", {})
    )
    recorded = tree / "cdk.context.json"
    if recorded.is_file():
        context.update(json.loads(recorded.read_text(encoding="utf-8")))
    context.setdefault("aws:cdk:enable-path-metadata", False)
    context.setdefault("aws:cdk:version-reporting", False)
    return context


def _start(tree: Path, out: Path) -> subprocess.Popen[str]:
    out.mkdir(parents=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("CDK_")}
    env.update(
        PYTHONPATH=str(tree),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        CDK_OUTDIR=str(out / "reference"),
        CDK_CONTEXT_JSON=json.dumps(_context(tree)),
        CDK_DEFAULT_ACCOUNT=ACCOUNT,
        CDK_DEFAULT_REGION=REGION,
    )
    return subprocess.Popen(
        [sys.executable, str(DRIVER), str(out)],
        cwd=tree,
        env=env,
        stdout=(out / "stdout.txt").open("w"),
        stderr=(out / "stderr.txt").open("w"),
        text=True,
    )


def _finish(process: subprocess.Popen[str], tree: Path, out: Path, label: str) -> Synthesis:
    code = process.wait(timeout=SYNTH_TIMEOUT)
    stdout = (out / "stdout.txt").read_text()
    stderr = (out / "stderr.txt").read_text()
    assert code == 0, f"synthesis with {label} failed ({code}):\n{stderr[-4000:]}"
    imported = Path(json.loads(stdout.splitlines()[0])["constructs_ecs"]).resolve()
    return Synthesis(tree=tree, out=out, imported=imported)


@pytest.fixture(scope="module")
def releases_compared() -> tuple[Release, Release]:
    return current_and_previous()


@pytest.fixture(scope="module")
def syntheses(
    releases_compared: tuple[Release, Release], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Synthesis]:
    """``{"old": ..., "new": ...}``: both apps synthesized with the previous release and with
    the working tree, the two subprocesses side by side, once per test session."""
    _, previous = releases_compared
    commit = release_commit(previous)
    root = tmp_path_factory.mktemp("upgrade")
    old_tree = root / f"constructs_ecs-{previous.version}"
    old_tree.mkdir()
    archive = root / "previous.tar"
    exported = _git("archive", "--format=tar", "-o", str(archive), commit)
    assert exported.returncode == 0, exported.stderr
    subprocess.run(["tar", "-xf", str(archive), "-C", str(old_tree)], check=True)
    old = _start(old_tree, root / "old")
    new = _start(REPO, root / "new")
    return {
        "old": _finish(old, old_tree, root / "old", f"release {previous.version}"),
        "new": _finish(new, REPO, root / "new", "the working tree"),
    }


# ---- the upgrade ---------------------------------------------------------------------------
def test_the_base_is_synthesized_by_the_previous_release(
    syntheses: dict[str, Synthesis],
) -> None:
    # The working tree's editable install must not win over PYTHONPATH.
    old, new = syntheses["old"], syntheses["new"]
    assert old.imported.is_relative_to(old.tree.resolve()), old.imported
    assert new.imported.is_relative_to(REPO), new.imported


@pytest.mark.parametrize("app", APPS)
def test_upgrading_replaces_no_resource_unless_the_changelog_declares_it(
    app: str, syntheses: dict[str, Synthesis], releases_compared: tuple[Release, Release]
) -> None:
    current, previous = releases_compared
    old = load_assembly(syntheses["old"].out / app)
    new = load_assembly(syntheses["new"].out / app)
    assert old.stacks, f"the previous release synthesized no stack of the {app} app"
    left = undeclared(diff_assemblies(old, new), breaking(current))
    assert not left, failure_message(app, left, previous.version, current.version)


def test_the_previous_release_records_its_commit(
    releases_compared: tuple[Release, Release],
) -> None:
    _, previous = releases_compared
    assert previous.commit, (
        f"CHANGELOG.md: record release {previous.version}'s commit in its link reference, "
        f"`[{previous.version}]: ../../commit/<full hash>` (tags may not travel with a clone)"
    )


# ---- the judgement itself, on small assemblies ----------------------------------------------
def _assembly(directory: Path, resources: dict[str, Any], stack: str = "Shop") -> Path:
    directory.mkdir()
    (directory / f"{stack}.template.json").write_text(json.dumps({"Resources": resources}))
    manifest = {
        "version": "48.0.0",
        "artifacts": {
            stack: {
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": f"{stack}.template.json"},
            }
        },
    }
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return directory


def _diff(
    tmp_path: Path, old: dict[str, Any], new: dict[str, Any], new_stack: str = "Shop"
) -> AssemblyDiff:
    return diff_assemblies(
        load_assembly(_assembly(tmp_path / "old", old)),
        load_assembly(_assembly(tmp_path / "new", new, stack=new_stack)),
    )


LOG_GROUP = {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}}


def _group(description: str) -> dict[str, Any]:
    return {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": description}}


def test_fails_when_a_log_group_is_renamed(tmp_path: Path) -> None:
    diff = _diff(tmp_path, {"LogsA1B2C3D4": LOG_GROUP}, {"EventsE5F6A7B8": LOG_GROUP})
    (finding,) = undeclared(diff, [])
    assert finding.logical_ids == ("LogsA1B2C3D4", "EventsE5F6A7B8")
    message = failure_message("reference", [finding], "0.1.0", "0.2.0")
    assert "`LogsA1B2C3D4` → `EventsE5F6A7B8` (AWS::Logs::LogGroup)" in message
    assert "logical ID moved" in message
    assert "## [0.2.0]" in message
    assert "### Breaking" in message


def test_fails_when_a_stateful_resource_is_removed(tmp_path: Path) -> None:
    diff = _diff(tmp_path, {"LogsA1B2C3D4": LOG_GROUP, "Sg": _group("web")}, {"Sg": _group("web")})
    (finding,) = undeclared(diff, [])
    assert finding.logical_ids == ("LogsA1B2C3D4",)
    assert "removed" in finding.reasons[0]


def test_fails_when_a_property_change_replaces_a_resource(tmp_path: Path) -> None:
    diff = _diff(tmp_path, {"Sg": _group("web")}, {"Sg": _group("web servers")})
    (finding,) = undeclared(diff, [])
    assert finding.logical_ids == ("Sg",)
    assert finding.reasons[0].startswith("replaced: `GroupDescription`")


def test_fails_when_a_stack_is_gone(tmp_path: Path) -> None:
    diff = _diff(tmp_path, {"Sg": _group("web")}, {"Sg": _group("web")}, new_stack="Store")
    (finding,) = undeclared(diff, [])
    assert (finding.stack, finding.logical_ids) == ("Shop", ("*",))
    assert undeclared(diff, [Declaration(keys=("Shop/*",), text="split")]) == []


def test_an_in_place_change_is_no_finding(tmp_path: Path) -> None:
    longer = {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 90}}
    diff = _diff(tmp_path, {"LogsA1B2C3D4": LOG_GROUP}, {"LogsA1B2C3D4": longer})
    assert diff.counts()["Changed"] == 1
    assert undeclared(diff, []) == []


@pytest.mark.parametrize("key", ["LogsA1B2C3D4", "EventsE5F6A7B8", "Shop/LogsA1B2C3D4", "Shop/*"])
def test_a_declared_rename_passes(tmp_path: Path, key: str) -> None:
    diff = _diff(tmp_path, {"LogsA1B2C3D4": LOG_GROUP}, {"EventsE5F6A7B8": LOG_GROUP})
    declared = [Declaration(keys=(key,), text="renamed; migration: none, logs are kept")]
    assert undeclared(diff, declared) == []


def test_a_declaration_of_another_resource_does_not_pass(tmp_path: Path) -> None:
    diff = _diff(tmp_path, {"LogsA1B2C3D4": LOG_GROUP}, {"EventsE5F6A7B8": LOG_GROUP})
    declared = [Declaration(keys=("Other/LogsA1B2C3D4", "Logs"), text="another stack's")]
    assert len(undeclared(diff, declared)) == 1


# ---- the CHANGELOG's declarations ----------------------------------------------------------
def _release(body: str) -> Release:
    text = f"# Changelog\n\n## [1.0.0] - 2027-01-01\n\n{body}\n\n## [0.9.0] - 2026-12-01\n"
    return releases(text)[0]


def test_breaking_items_are_read_with_their_keys_and_migration() -> None:
    release = _release(
        "### Added\n\n- `NotBreaking`: added.\n\n### Breaking\n\n"
        "- `LogsA1B2C3D4`, `Prod/QueueE5F6A7B8`: both renamed.\n"
        "  Migration: none needed.\n- `Prod/*`: the stack is split.\n\n### Fixed\n\n- `X`: fixed."
    )
    declared = breaking(release)
    assert [d.keys for d in declared] == [("LogsA1B2C3D4", "Prod/QueueE5F6A7B8"), ("Prod/*",)]
    assert declared[0].text == "both renamed. Migration: none needed."


def test_fails_when_a_breaking_item_has_no_migration() -> None:
    with pytest.raises(ValueError, match=r"LogsA1B2C3D4 says nothing after its logical IDs"):
        breaking(_release("### Breaking\n\n- `LogsA1B2C3D4`\n"))


def test_fails_when_a_breaking_item_names_no_logical_id() -> None:
    with pytest.raises(ValueError, match=r"does not start with the logical ID"):
        breaking(_release("### Breaking\n\n- The log group is renamed.\n"))


def test_a_release_records_its_commit_in_its_link_reference() -> None:
    sha = "1bf5cfa5d19c6686c0570b069b82907808eb7f7e"
    text = f"## [0.1.0] - 2026-11-30\n\n- first\n\n[0.1.0]: ../../commit/{sha}\n"
    (release,) = releases(text)
    assert release.commit == sha
    assert "[0.1.0]:" not in release.body
