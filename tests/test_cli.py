"""The real CDK CLI synthesizes the reference app, and the review report reads what it wrote.

This is README command (a) from inside the suite: `cdk synth` with cdk.json's `app` command, on
the Node.js LTS that `./dev` installs, without AWS credentials. Skipped (with the reason) where
the CLI has not been set up.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

import app as reference
from constructs_ecs.review import render_report
from constructs_ecs.testing import load_cdk_context
from tests.conftest import CDK_JSON, REPO

CDK = REPO / "node_modules" / ".bin" / "cdk"


def cdk_synth(outdir: Path, *context: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(CDK_DISABLE_VERSION_CHECK="1", CDK_DISABLE_CLI_TELEMETRY="true")
    env["PATH"] = f"{REPO / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    args = [str(CDK), "synth", "--quiet", "-o", str(outdir)]
    for value in context:
        args += ["-c", value]
    return subprocess.run(
        args, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def base_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CDK.exists() or not (REPO / ".venv" / "bin" / "node").exists():
        pytest.skip("the CDK CLI is not set up here: run ./dev setup")
    outdir = tmp_path_factory.mktemp("cli") / "base.out"
    result = cdk_synth(outdir)
    assert result.returncode == 0, result.stdout + result.stderr
    output = (result.stdout + result.stderr).lower()
    assert "end-of-life" not in output
    assert "deprecated node" not in output
    return outdir


def test_cdk_cli_writes_the_reference_template(base_out: Path) -> None:
    template = json.loads((base_out / "WebserverStack.template.json").read_text())
    services = [r for r in template["Resources"].values() if r["Type"] == "AWS::ECS::Service"]
    assert len(services) == 1
    assert services[0]["Properties"]["DesiredCount"] == 2


def test_cdk_cli_takes_context_values(base_out: Path) -> None:
    outdir = base_out.parent / "one.out"
    result = cdk_synth(outdir, "desired_count=1", "instance_type=t3.large")
    assert result.returncode == 0, result.stderr
    template = json.loads((outdir / "WebserverStack.template.json").read_text())
    text = json.dumps(template)
    assert '"DesiredCount": 1' in text
    assert "t3.large" in text
    shutil.rmtree(outdir)


def head_with_a_renamed_log_group(outdir: Path) -> None:
    """The reference app with one reviewable mistake: a named log group (forces replacement)."""
    app = cdk.App(outdir=str(outdir), context=load_cdk_context(CDK_JSON))
    stack = reference.build(app)
    webserver: Any = stack.node.find_child("Webserver")
    webserver.log_group.node.default_child.add_property_override("LogGroupName", "/ecs/webserver")
    app.synth()


def test_review_report_of_the_reference_app(base_out: Path) -> None:
    report = render_report(base_out)
    assert report.startswith("```mermaid") or "```mermaid" in report.split("\n## ")[0]
    diagram = report.split("```mermaid", 1)[1].split("```", 1)[0]
    assert "internet" in diagram.lower()
    assert "web" in diagram
    assert "WebserverStack" in report


def test_review_report_flags_a_replaced_stateful_resource(base_out: Path) -> None:
    head = base_out.parent / "head.out"
    head_with_a_renamed_log_group(head)
    report = render_report(head, against=base_out)
    assert "LogGroupName" in report
    assert "replace" in report.lower()
    warnings = report.lower().split("data-loss", 1)
    assert len(warnings) == 2, "expected a data-loss warning section"
    assert "webserverloggroup" in warnings[1].lower()
