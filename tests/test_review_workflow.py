"""The pull-request workflows of ``examples/``: their shell steps run here, as written.

``review-workflow.yml`` runs in a throw-away git repository with two commits of a small CDK
app (the base, then a head that renames its image repository): the steps' ``run`` scripts
execute verbatim with the workflow's environment, and ``./dev synth -o`` is a stand-in that
runs the app with aws-cdk-lib. ``review-comment-workflow.yml`` runs against a fake ``gh`` that
records what it is asked to do.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

REVIEW_WORKFLOW = REPO / "examples" / "review-workflow.yml"
COMMENT_WORKFLOW = REPO / "examples" / "review-comment-workflow.yml"

APP = """\
import sys

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs

REPOSITORY = "{repository}"

app = cdk.App(outdir=sys.argv[sys.argv.index("-o") + 1], analytics_reporting=False)
stack = cdk.Stack(app, "Shop")
repository = ecr.Repository(stack, REPOSITORY)
task = ecs.Ec2TaskDefinition(stack, "Task")
task.add_container(
    "web", image=ecs.ContainerImage.from_ecr_repository(repository, "v1"), memory_limit_mib=128
)
app.synth()
"""

DEV = """\
#!/bin/sh
# Stand-in for the project's ./dev: `./dev synth -o DIR` runs the app with this Python.
[ "$1" = synth ] || exit 2
shift
exec "{python}" app.py "$@"
"""


def _load(path: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _trigger(workflow: dict[Any, Any]) -> dict[str, Any]:
    found: dict[str, Any] = workflow.get("on", workflow.get(True))  # YAML 1.1 reads on: as True
    return found


def _steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    (job,) = workflow["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def _expand(value: str, context: dict[str, str]) -> str:
    """``${{ expression }}`` replaced from ``context`` (a test's stand-in for GitHub's)."""

    def lookup(match: re.Match[str]) -> str:
        return context[match.group(1).strip()]

    return re.sub(r"\$\{\{(.*?)\}\}", lookup, value)


def _run(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A ``run:`` script the way GitHub runs it: ``bash --noprofile --norc -eo pipefail``."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


# ---- the review workflow ------------------------------------------------------------------
@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the review workflow's steps on a pull request that renames the repository; return
    the runner's temporary directory (``$RUNNER_TEMP``)."""
    root = tmp_path_factory.mktemp("workflow")
    repo, temp = root / "repo", root / "runner-temp"
    repo.mkdir()
    temp.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    dev = repo / "dev"
    dev.write_text(DEV.format(python=sys.executable))
    dev.chmod(dev.stat().st_mode | stat.S_IEXEC)
    (repo / ".gitignore").write_text(".venv\n")
    (repo / "app.py").write_text(APP.format(repository="Images"))
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    base_sha = _git(repo, "rev-parse", "HEAD")
    (repo / "app.py").write_text(APP.format(repository="ImageRepository"))
    _git(repo, "commit", "-q", "-am", "rename the repository")
    (repo / ".venv").symlink_to(REPO / ".venv")  # what ./dev setup makes in the checkout

    workflow = _load(REVIEW_WORKFLOW)
    context = {
        "github.event.pull_request.number": "42",
        "github.event.pull_request.base.sha": base_sha,
    }
    env = {
        "PATH": f"{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(root),
        "RUNNER_TEMP": str(temp),
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_STEP_SUMMARY": str(temp / "summary.md"),
        **{k: str(v) for k, v in workflow["env"].items()},
    }
    run_steps(workflow, repo, env, context)
    return temp


def run_steps(
    workflow: dict[Any, Any], repo: Path, env: dict[str, str], context: dict[str, str]
) -> None:
    """Run each ``run:`` step of ``workflow`` in ``repo``, as written; fail on the first that
    fails. (Also used for the workflows ``constructs-ecs new`` writes.)"""
    for step in _steps(workflow):
        if "run" not in step:
            continue
        step_env = {**env, **{k: _expand(str(v), context) for k, v in step.get("env", {}).items()}}
        result = _run(step["run"], repo, step_env)
        assert result.returncode == 0, (step["name"], result.stdout, result.stderr)


def test_review_workflow_reports_the_renamed_repository(reviewed: Path) -> None:
    report = (reviewed / "review" / "review.md").read_text(encoding="utf-8")
    assert report.startswith("# Infrastructure review\n")
    assert re.search(
        r"^\| 🔁 \*\*renamed → replaced\*\* \| `Images\w+` → `ImageRepository\w+` \| "
        r"`AWS::ECR::Repository` \|",
        report,
        re.M,
    )
    assert re.search(
        r"^- `Task\w+` \(`AWS::ECS::TaskDefinition`\) in `ContainerDefinitions\[0\]\.Image`: "
        r"a new revision: its tasks pull from a new, empty repository",
        report,
        re.M,
    )
    assert len(report) <= 65000
    assert (reviewed / "summary.md").read_text(encoding="utf-8") == report


def test_review_workflow_keeps_the_pull_request_number(reviewed: Path) -> None:
    assert (reviewed / "review" / "pr-number").read_text() == "42\n"


def test_review_workflow_synthesizes_the_base_in_a_worktree(reviewed: Path) -> None:
    base = json.loads((reviewed / "base.out" / "Shop.template.json").read_text())
    head = json.loads((reviewed / "head.out" / "Shop.template.json").read_text())
    assert any(key.startswith("Images") for key in base["Resources"])
    assert any(key.startswith("ImageRepository") for key in head["Resources"])


def test_review_workflow_runs_the_pull_request_without_a_write_token() -> None:
    assert_runs_the_pull_request_without_a_write_token(REVIEW_WORKFLOW)


def assert_runs_the_pull_request_without_a_write_token(path: Path) -> None:
    workflow = _load(path)
    assert set(_trigger(workflow)) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False
    text = path.read_text()
    assert "secrets." not in text
    assert "pull_request_target" not in text
    for step in job["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]  # no expression in a script
    upload = next(
        s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")
    )
    assert upload["with"]["name"] == "infrastructure-review"


# ---- the comment workflow -----------------------------------------------------------------
FAKE_GH = """\
#!/usr/bin/env python3
# A stand-in for the GitHub CLI: answers from state.json, records each call in calls.jsonl.
import json, os, sys
here = os.path.dirname(os.path.abspath(__file__))
state = json.load(open(os.path.join(here, "state.json")))
args = sys.argv[1:]
call = {"args": args}
if "-F" in args:
    field = args[args.index("-F") + 1]
    call["body"] = open(field.split("=@", 1)[1]).read()
with open(os.path.join(here, "calls.jsonl"), "a") as log:
    log.write(json.dumps(call) + "\\n")
path = next(a for a in args if a.startswith("repos/"))
if path.endswith("/pulls/" + state["pr"]):
    print(state["head_sha"])
elif path.endswith("/comments") and "--method" not in args:
    for comment in state["comments"]:
        if comment["bot"] and comment["body"].startswith(os.environ["MARKER"]):
            print(comment["id"])
"""


def _comment(
    tmp_path: Path,
    *,
    pr_number: str,
    head_sha: str = "abc123",
    existing: int | None = None,
    path: Path = COMMENT_WORKFLOW,
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """Run the comment workflow at ``path`` on an artifact with ``pr_number``, against a fake
    ``gh``; return the run and the calls ``gh`` received."""
    workflow = _load(path)
    (step,) = [s for s in _steps(workflow) if "run" in s]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH)
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    marker = step["env"]["MARKER"]
    comments = [{"id": 7, "bot": False, "body": "looks good"}]
    if existing is not None:
        comments.append({"id": existing, "bot": True, "body": f"{marker}\nold report"})
    state = {"pr": "42", "head_sha": "abc123", "comments": comments}
    (bin_dir / "state.json").write_text(json.dumps(state))
    artifact = tmp_path / "review"
    artifact.mkdir()
    (artifact / "pr-number").write_text(pr_number)
    (artifact / "review.md").write_text("# Infrastructure review\n\n`$(touch pwned)` stays text\n")
    context = {
        "github.token": "token",
        "github.repository": "owner/repo",
        "github.event.workflow_run.head_sha": head_sha,
    }
    env = {k: _expand(str(v), context) for k, v in step["env"].items()}
    env["PATH"] = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    result = _run(step["run"], tmp_path, env)
    log = bin_dir / "calls.jsonl"
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return result, calls


def test_comment_workflow_creates_one_comment_with_the_marker(tmp_path: Path) -> None:
    result, calls = _comment(tmp_path, pr_number="42\n")
    assert result.returncode == 0, result.stderr
    posts = [c for c in calls if "--method" in c["args"]]
    assert len(posts) == 1
    assert posts[0]["args"][:4] == [
        "api",
        "--method",
        "POST",
        "repos/owner/repo/issues/42/comments",
    ]
    marker = _load(COMMENT_WORKFLOW)["jobs"]["comment"]["steps"][1]["env"]["MARKER"]
    assert posts[0]["body"].startswith(f"{marker}\n# Infrastructure review\n")
    assert not (tmp_path / "pwned").exists()  # the report is data, never run


def test_comment_workflow_updates_its_previous_comment(tmp_path: Path) -> None:
    result, calls = _comment(tmp_path, pr_number="42", existing=99)
    assert result.returncode == 0, result.stderr
    posts = [c for c in calls if "--method" in c["args"]]
    assert [c["args"][:4] for c in posts] == [
        ["api", "--method", "PATCH", "repos/owner/repo/issues/comments/99"]
    ]


@pytest.mark.parametrize(
    "pr_number", ["", "42; touch pwned", "4 2", "-1", "../42", "42\n$(touch pwned)", " 42"]
)
def test_comment_workflow_rejects_an_artifact_that_is_not_a_number(
    tmp_path: Path, pr_number: str
) -> None:
    result, calls = _comment(tmp_path, pr_number=pr_number)
    assert result.returncode != 0
    assert calls == []
    assert not (tmp_path / "pwned").exists()


def test_comment_workflow_rejects_a_number_of_another_pull_request(tmp_path: Path) -> None:
    result, calls = _comment(tmp_path, pr_number="42", head_sha="not-the-reviewed-commit")
    assert result.returncode != 0
    assert not [c for c in calls if "--method" in c["args"]]


def test_comment_workflow_runs_no_pull_request_code() -> None:
    assert_runs_no_pull_request_code(COMMENT_WORKFLOW, REVIEW_WORKFLOW)


def assert_runs_no_pull_request_code(path: Path, review_path: Path) -> None:
    workflow = _load(path)
    trigger = _trigger(workflow)
    assert set(trigger) == {"workflow_run"}
    assert trigger["workflow_run"]["workflows"] == [_load(review_path)["name"]]
    assert workflow["permissions"] == {}
    job = workflow["jobs"]["comment"]
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert "github.event.workflow_run.conclusion == 'success'" in job["if"]
    uses = [s["uses"].split("@")[0] for s in job["steps"] if "uses" in s]
    assert uses == ["actions/download-artifact"]
    text = path.read_text()
    assert "pull_request_target" not in text
    for step in job["steps"]:
        assert "${{" not in step.get("run", "")


def test_the_guide_shows_the_workflows_as_they_are() -> None:
    page = (REPO / "docs" / "guide" / "reviewing-changes.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```", page, re.S | re.M)
    for path in (REVIEW_WORKFLOW, COMMENT_WORKFLOW):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        while lines and lines[0].startswith("#"):  # the file's header comment
            lines.pop(0)
        assert "".join(lines) in blocks, f"the guide shows an outdated {path.name}"
