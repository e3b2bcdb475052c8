"""A deploy rehearsal: the pinned CDK CLI bootstraps, deploys and destroys the reference app
against moto's server on loopback, with credentials and a region set as a workstation has them.

What it proves, step by step:

1. ``cdk bootstrap aws://123456789012/us-east-1`` creates the CDKToolkit stack (its bucket,
   roles and version parameter) through CloudFormation.
2. ``cdk deploy`` synthesizes ``app.py`` the way it does with credentials: the CLI asks STS for
   the account and passes it with the region to the app (``CDK_DEFAULT_ACCOUNT``/
   ``CDK_DEFAULT_REGION``), so the stack has a concrete environment and cdk-nag checks it;
   the bug of issue 12 (acknowledgements written for an environment-agnostic stack) failed
   here, before anything was sent.
3. Every file asset (the template, the custom resource's code) is published to the bootstrap
   bucket, and the stack operation is sent: CloudFormation creates the change set from the
   template it reads back from that bucket, with the resources the app synthesized.
4. ``cdk destroy`` deletes the stack.

What it cannot prove, and why: the change set is prepared, not executed
(``--method=prepare-change-set``). moto 5.2.5 refuses to seed AWS's public
``/aws/service/ecs/optimized-ami/...`` parameter the launch template reads its AMI from (the
stack then fails in moto's own code, and the CLI retries for a minute), skips about ten of the
resource types the app uses, needs Docker for Lambda-backed custom resources, and has no
``Fn::GetStackOutput``. So nothing here shows resources being created, instances joining the
cluster or ECS placing tasks; those need a real account.

moto's CloudFormation reads a template URL's bucket from its path only when the host is
``localhost``, hence that endpoint name. The CLI reads no credentials or config of this
machine: both files point into the test's temporary directory. Skipped, with the reason, where
the CDK CLI or moto is not installed (a checkout without ``./dev setup``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

CDK = REPO / "node_modules" / ".bin" / "cdk"
ACCOUNT = "123456789012"  # the account moto's STS answers with
REGION = "us-east-1"
STACK = "WebserverStack"
TIMEOUT = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """moto's server on loopback, and the environment a workstation's CLI runs with."""
    if not CDK.exists():
        pytest.skip(f"the CDK CLI is not installed at {CDK} (run ./dev setup)")
    pytest.importorskip("moto.server", reason="moto[server] is not installed (run ./dev setup)")
    home = tmp_path_factory.mktemp("aws")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("moto's server did not start")
                time.sleep(0.1)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
        env.update(
            PATH=f"{REPO / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_REGION=REGION,
            AWS_DEFAULT_REGION=REGION,
            AWS_ENDPOINT_URL=f"http://localhost:{port}",
            AWS_CONFIG_FILE=str(home / "config"),
            AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
            CDK_DISABLE_VERSION_CHECK="1",
            CDK_DISABLE_CLI_TELEMETRY="true",
        )
        yield env
    finally:
        server.terminate()
        server.wait(timeout=10)


def cdk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CDK), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def client(env: dict[str, str], service: str) -> Any:
    import boto3

    return boto3.client(
        service,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def succeeded(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def deployed(aws: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bootstrap, then deploy up to the prepared change set; the cloud assembly's folder."""
    succeeded(cdk(aws, "bootstrap", f"aws://{ACCOUNT}/{REGION}"))
    outdir = tmp_path_factory.mktemp("deploy") / "cdk.out"
    succeeded(
        cdk(
            aws,
            "deploy",
            STACK,
            "--require-approval",
            "never",
            "--method",
            "prepare-change-set",
            "--output",
            str(outdir),
        )
    )
    return outdir


def test_bootstrap_creates_the_toolkit_stack(aws: dict[str, str], deployed: Path) -> None:
    stacks = client(aws, "cloudformation").describe_stacks(StackName="CDKToolkit")["Stacks"]
    assert stacks[0]["StackStatus"] == "CREATE_COMPLETE"


def test_deploy_synthesizes_for_the_credentials_account_and_region(deployed: Path) -> None:
    manifest = json.loads((deployed / "manifest.json").read_text(encoding="utf-8"))
    artifact = manifest["artifacts"][STACK]
    assert artifact["environment"] == f"aws://{ACCOUNT}/{REGION}"
    template = json.loads((deployed / f"{STACK}.template.json").read_text(encoding="utf-8"))
    zones = {
        r["Properties"]["AvailabilityZone"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::EC2::Subnet"
    }
    assert zones == {f"{REGION}a", f"{REGION}b"}  # from the committed cdk.context.json


def test_deploy_publishes_every_asset_to_the_bootstrap_bucket(
    aws: dict[str, str], deployed: Path
) -> None:
    assets = json.loads((deployed / f"{STACK}.assets.json").read_text(encoding="utf-8"))
    destinations = [
        destination
        for asset in assets["files"].values()
        for destination in asset["destinations"].values()
    ]
    assert len(destinations) >= 2  # the template and the custom resource's code
    s3 = client(aws, "s3")
    for destination in destinations:
        bucket = destination["bucketName"].replace("${AWS::AccountId}", ACCOUNT)
        bucket = bucket.replace("${AWS::Region}", REGION)
        s3.head_object(Bucket=bucket, Key=destination["objectKey"])  # raises if missing


def test_deploy_sends_the_stack_operation_with_the_synthesized_template(
    aws: dict[str, str], deployed: Path
) -> None:
    cloudformation = client(aws, "cloudformation")
    change_set = cloudformation.describe_change_set(
        StackName=STACK, ChangeSetName="cdk-deploy-change-set"
    )
    assert change_set["Status"] == "CREATE_COMPLETE"
    assert change_set["ExecutionStatus"] == "AVAILABLE"
    template = json.loads((deployed / f"{STACK}.template.json").read_text(encoding="utf-8"))
    added = {
        change["ResourceChange"]["LogicalResourceId"]: change["ResourceChange"]["ResourceType"]
        for change in change_set["Changes"]
        if change["ResourceChange"]["Action"] == "Add"
    }
    assert added == {
        logical_id: resource["Type"] for logical_id, resource in template["Resources"].items()
    }


def test_destroy_deletes_the_stack(aws: dict[str, str], deployed: Path) -> None:
    succeeded(cdk(aws, "destroy", STACK, "--force", "--output", str(deployed)))
    summaries = client(aws, "cloudformation").list_stacks()["StackSummaries"]
    assert {s["StackStatus"] for s in summaries if s["StackName"] == STACK} == {"DELETE_COMPLETE"}
