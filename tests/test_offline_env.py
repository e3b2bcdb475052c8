"""A stack pinned to an account and region synthesizes offline when the app names its zones.

aws-cdk-lib's ``Vpc`` reads the stack's ``availability_zones`` to check named zones against;
in a stack with a concrete account and region that is a lookup the CDK CLI makes with AWS
credentials. ``PlatformStack(availability_zones=...)`` answers it itself (no lookup at all);
with a plain ``cdk.Stack``, when the CLI's lookup fails, ``Network`` says how to do without it.
The account 111111111111 is in no ``cdk.context.json`` of this repository, as in a new user's app.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import assertions

from constructs_ecs import Network, PlatformStack
from constructs_ecs.testing import (
    MissingContextError,
    assert_cfn_lint_clean,
    new_app,
    synth,
    template_of,
)
from tests.conftest import CDK_JSON, REPO
from tests.factories import TEST_HTTP

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
ZONES = ["eu-west-1a", "eu-west-1c"]
ZONES_KEY = "availability-zones:account=111111111111:region=eu-west-1"
FAILED_LOOKUP = {
    ZONES_KEY: {
        "$providerError": "Need to perform AWS calls for account 111111111111, but no "
        "credentials have been configured",
        "$dontSaveContext": True,
    }
}
CDK = REPO / "node_modules" / ".bin" / "cdk"


def subnet_zones(template: dict) -> set[str]:
    return {
        r["Properties"]["AvailabilityZone"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::EC2::Subnet"
    }


def test_platform_stack_with_named_zones_needs_no_lookup() -> None:
    app = new_app(cdk_json=CDK_JSON)
    assert ZONES_KEY not in app.node.get_all_context()
    platform = PlatformStack(
        app, "Platform", env=ENV, availability_zones=ZONES, plain_http=TEST_HTTP
    )
    synth(app)  # raises MissingContextError on any lookup the app still needs
    assert platform.availability_zones == ZONES
    assert subnet_zones(template_of(platform)) == set(ZONES)


def test_platform_stack_with_named_zones_is_cfn_lint_clean() -> None:
    """The literal zones are acknowledged (W3010) as aws-cdk-lib does for looked-up ones."""
    app = new_app(cdk_json=CDK_JSON)
    platform = PlatformStack(
        app, "Platform", env=ENV, availability_zones=ZONES, plain_http=TEST_HTTP
    )
    assert_cfn_lint_clean(template_of(platform), regions=["eu-west-1"])


def test_platform_stack_without_named_zones_still_looks_them_up() -> None:
    app = new_app(cdk_json=CDK_JSON)
    PlatformStack(app, "Platform", env=ENV, plain_http=TEST_HTTP)
    with pytest.raises(MissingContextError) as caught:
        synth(app)
    assert ZONES_KEY in str(caught.value)


def test_platform_stack_zones_in_an_environment_agnostic_stack() -> None:
    app = new_app(cdk_json=CDK_JSON)
    platform = PlatformStack(app, "Platform", availability_zones=ZONES, plain_http=TEST_HTTP)
    assert subnet_zones(template_of(platform)) == set(ZONES)


def synth_errors(app: cdk.App) -> str:
    """The error annotations that make synthesis fail, as CDK reports them."""
    with pytest.raises(RuntimeError, match="ValidationFailed") as caught:
        app.synth()
    return str(caught.value)


def test_plain_stack_names_the_fixes_when_the_cli_lookup_failed() -> None:
    app = new_app(FAILED_LOOKUP, cdk_json=CDK_JSON, nag=False)
    stack = cdk.Stack(app, "Shop", env=ENV)
    Network(stack, "Network", availability_zones=ZONES)
    message = synth_errors(app)
    assert "Shop/Network" in message
    assert "cdk.context.json" in message
    assert f'"{ZONES_KEY}": ["eu-west-1a", "eu-west-1c", ...]' in message
    assert "cdk synth" in message
    assert "availability_zones_context" in message
    assert "PlatformStack(availability_zones=" in message


def test_plain_stack_says_nothing_while_the_lookup_can_still_be_made() -> None:
    app = new_app(cdk_json=CDK_JSON, nag=False)
    stack = cdk.Stack(app, "Shop", env=ENV)
    Network(stack, "Network", availability_zones=ZONES)
    with pytest.raises(MissingContextError):  # the lookup the CLI makes, and nothing else
        synth(app)
    errors = assertions.Annotations.from_stack(stack).find_error("*", assertions.Match.any_value())
    assert errors == []


def test_network_without_named_zones_adds_nothing_to_cdks_own_error() -> None:
    app = new_app(FAILED_LOOKUP, cdk_json=CDK_JSON, nag=False)
    stack = cdk.Stack(app, "Shop", env=ENV)
    Network(stack, "Network")
    message = synth_errors(app)
    assert "no credentials have been configured" in message
    assert "Network(availability_zones" not in message


APP = """
import aws_cdk as cdk
from constructs_ecs import Network, PlainHttp, PlatformStack

app = cdk.App()
env = cdk.Environment(account="111111111111", region="eu-west-1")
if app.node.try_get_context("plain"):
    Network(cdk.Stack(app, "Shop", env=env), "Network", availability_zones={zones})
else:
    PlatformStack(app, "Shop", env=env, availability_zones={zones},
                  plain_http=PlainHttp(reason="An offline synthesis test, never deployed."))
app.synth()
"""


def cli_synth(folder: Path, *context: str) -> subprocess.CompletedProcess[str]:
    if not CDK.exists() or not (REPO / ".venv" / "bin" / "node").exists():
        pytest.skip("the CDK CLI is not set up here: run ./dev setup")
    (folder / "app.py").write_text(APP.format(zones=ZONES))
    flags = json.loads(CDK_JSON.read_text())["context"]
    (folder / "cdk.json").write_text(
        json.dumps({"app": f"{REPO / '.venv' / 'bin' / 'python'} app.py", "context": flags})
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        CDK_DISABLE_VERSION_CHECK="1",
        CDK_DISABLE_CLI_TELEMETRY="true",
        PYTHONPATH=str(REPO),
        # Somewhere with no credentials and no configuration files.
        HOME=str(folder),
        AWS_EC2_METADATA_DISABLED="true",
    )
    env["PATH"] = f"{REPO / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    args = [str(CDK), "synth", "--quiet", "-o", str(folder / "cdk.out")]
    for value in context:
        args += ["-c", value]
    return subprocess.run(
        args, cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_cdk_cli_synthesizes_a_pinned_platform_offline(tmp_path: Path) -> None:
    result = cli_synth(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "cdk.context.json").exists()
    template = json.loads((tmp_path / "cdk.out" / "Shop.template.json").read_text())
    assert subnet_zones(template) == set(ZONES)


def test_cdk_cli_offline_failure_names_the_fixes(tmp_path: Path) -> None:
    result = cli_synth(tmp_path, "plain=1")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "no credentials have been configured" in output  # CDK's own error, then ours
    assert "cdk.context.json" in output
    assert "availability_zones_context" in output
