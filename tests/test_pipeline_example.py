"""The CDK Pipelines example (examples/pipeline): waves, steps, cross-account roles, compliance.

One synthesis of the example app, with its own cdk.json and committed cdk.context.json (as
`cd examples/pipeline && cdk synth` runs it, offline) and cdk-nag on, is shared by every test.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from constructs_ecs.testing import (
    assert_cfn_lint_clean,
    assert_nag_clean,
    nag_acknowledgements,
    new_app,
    synth,
)
from tests.conftest import CDK_JSON, REPO

EXAMPLE = REPO / "examples" / "pipeline"
TOOLING = "111111111111"
BOOTSTRAP = "hnb659fds"


@dataclass(frozen=True)
class Example:
    app_module: ModuleType
    config: Any
    stack: Any  # delivery.DeliveryPipelineStack
    outdir: Path
    template: dict[str, Any]
    support_template: dict[str, Any]
    stage_templates: dict[str, dict[str, dict[str, Any]]]
    """{environment name: {stack id in the stage: template}}."""


def _load_example() -> ModuleType:
    """examples/pipeline/app.py, with its directory importable (its `delivery` package)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(EXAMPLE))
        spec = importlib.util.spec_from_file_location("pipeline_example_app", EXAMPLE / "app.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        importlib.import_module("delivery.compliance")
    return module


@pytest.fixture(scope="module")
def example() -> Example:
    module = _load_example()
    app = new_app(cdk_json=EXAMPLE / "cdk.json")
    stack = module.build(app)
    # Fails on any unacknowledged cdk-nag finding, in the pipeline stack or in any stage, and
    # on a zone lookup the committed context cannot answer.
    assembly = synth(app)
    support = next(s for s in assembly.stacks if s.stack_name == "ShopDelivery-support-us-east-1")
    stages: dict[str, dict[str, dict[str, Any]]] = {}
    for name, stage in stack.stages.items():
        nested = stage.synth()  # the assembly build_pipeline() made, not a second synthesis
        stages[name] = {s.stack_name.split("-", 1)[1]: s.template for s in nested.stacks}
    return Example(
        app_module=module,
        config=sys.modules["delivery"].CONFIG,
        stack=stack,
        outdir=Path(assembly.directory),
        template=assembly.get_stack_by_name("ShopDelivery").template,
        support_template=support.template,
        stage_templates=stages,
    )


# --------------------------------------------------------------------------- helpers


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def pipeline_stages(template: dict[str, Any]) -> list[dict[str, Any]]:
    [pipeline] = resources(template, "AWS::CodePipeline::Pipeline").values()
    stages: list[dict[str, Any]] = pipeline["Properties"]["Stages"]
    return stages


def actions_of(template: dict[str, Any], stage: str) -> dict[str, dict[str, Any]]:
    [found] = [s for s in pipeline_stages(template) if s["Name"] == stage]
    return {a["Name"]: a for a in found["Actions"]}


def run_orders(actions: dict[str, dict[str, Any]], *, provider: str, prefix: str = "") -> set[int]:
    return {
        a["RunOrder"]
        for name, a in actions.items()
        if a["ActionTypeId"]["Provider"] == provider and name.startswith(prefix)
    }


def role_arn(account: str, region: str, role: str) -> dict[str, Any]:
    """A bootstrap role's ARN as CDK Pipelines writes it."""
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                f":iam::{account}:role/cdk-{BOOTSTRAP}-{role}-{account}-{region}",
            ],
        ]
    }


def assumed_roles(template: dict[str, Any], policy_prefix: str) -> list[Any]:
    found: list[Any] = []
    for logical_id, policy in resources(template, "AWS::IAM::Policy").items():
        if logical_id.startswith(policy_prefix):
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                if statement["Action"] == "sts:AssumeRole":
                    found += statement["Resource"]
    return found


def project_of(template: dict[str, Any], action: dict[str, Any]) -> dict[str, Any]:
    project: dict[str, Any] = template["Resources"][action["Configuration"]["ProjectName"]["Ref"]]
    return project


def build_commands(project: dict[str, Any]) -> list[str]:
    spec = json.loads(project["Properties"]["Source"]["BuildSpec"])
    commands: list[str] = spec["phases"]["build"]["commands"]
    return commands


def project_env(project: dict[str, Any]) -> dict[str, Any]:
    return {
        v["Name"]: v["Value"] for v in project["Properties"]["Environment"]["EnvironmentVariables"]
    }


def environments(example: Example) -> Iterator[Any]:
    yield from example.config.environments


# --------------------------------------------------------------------------- waves and steps


def test_waves_deploy_dev_then_staging_then_production(example: Example) -> None:
    names = [s["Name"] for s in pipeline_stages(example.template)]
    assert names == ["Source", "Build", "UpdatePipeline", "Assets", "Dev", "Staging", "Production"]
    assert [w.name for w in example.config.waves] == names[4:]


def test_synth_step_runs_cdk_synth_of_the_example_and_outputs_its_cloud_assembly(
    example: Example,
) -> None:
    [synth_action] = actions_of(example.template, "Build").values()
    spec = json.loads(
        project_of(example.template, synth_action)["Properties"]["Source"]["BuildSpec"]
    )
    assert spec["phases"]["build"]["commands"] == [
        "cd examples/pipeline && ../../node_modules/.bin/cdk synth"
    ]
    assert spec["artifacts"]["base-directory"] == "examples/pipeline/cdk.out"
    cdk_json = json.loads((EXAMPLE / "cdk.json").read_text())
    assert cdk_json["app"] == "python3 app.py"


def test_production_deploys_both_regions_in_one_wave(example: Example) -> None:
    actions = actions_of(example.template, "Production")
    eu = run_orders(actions, provider="CloudFormation", prefix="ProdEu.")
    us = run_orders(actions, provider="CloudFormation", prefix="ProdUs.")
    assert eu == us  # side by side, not one after the other
    regions = {a.get("Region") for n, a in actions.items() if n.startswith("ProdUs.Platform")}
    assert regions == {"us-east-1"}


def test_production_waits_for_the_reviews_then_a_manual_approval(example: Example) -> None:
    actions = actions_of(example.template, "Production")
    reviews = {actions[n]["RunOrder"] for n in ("ReviewProdEu", "ReviewProdUs")}
    [approval] = [a for a in actions.values() if a["ActionTypeId"]["Provider"] == "Manual"]
    deploys = run_orders(actions, provider="CloudFormation")
    assert max(reviews) < approval["RunOrder"] < min(deploys)
    assert "review reports" in json.dumps(approval["Configuration"]["CustomData"])


def test_only_production_asks_for_approval(example: Example) -> None:
    manual = {
        stage["Name"]
        for stage in pipeline_stages(example.template)
        for action in stage["Actions"]
        if action["ActionTypeId"]["Provider"] == "Manual"
    }
    assert manual == {"Production"}


@pytest.mark.parametrize(
    ("wave", "name", "prefix"),
    [("Dev", "Dev", ""), ("Staging", "Staging", ""), ("Production", "ProdUs", "ProdUs.")],
)
def test_each_stage_is_reviewed_before_and_recorded_after_it_deploys(
    example: Example, wave: str, name: str, prefix: str
) -> None:
    actions = actions_of(example.template, wave)
    deploys = run_orders(actions, provider="CloudFormation", prefix=prefix)
    review = actions[f"Review{name}"]
    record = actions[f"{prefix}Record{name}"]
    assert review["RunOrder"] < min(deploys)
    assert max(deploys) < record["RunOrder"]
    # The report is a pipeline artifact of the execution.
    assert review["OutputArtifacts"] == [{"Name": f"Review{name}_Output"}]
    assert project_env(project_of(example.template, review))["ASSEMBLY"] == (
        f"assembly-ShopDelivery-{name}"
    )
    assert (example.outdir / f"assembly-ShopDelivery-{name}" / "manifest.json").is_file()


FAKE_AWS = textwrap.dedent(
    """\
    #!{python}
    # `aws s3 sync|cp [--options] SOURCE DESTINATION` on a local directory standing for S3.
    import os, shutil, sys
    from pathlib import Path

    command, *args = sys.argv[2:]
    source, destination = [a for a in args if not a.startswith("--")]

    def local(path):
        return Path(os.environ["FAKE_S3"], path[5:]) if path.startswith("s3://") else Path(path)

    source, destination = local(source), local(destination)
    if command == "cp":
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
    elif source.is_dir():
        if "--delete" in args:
            shutil.rmtree(destination, ignore_errors=True)
        shutil.copytree(source, destination, dirs_exist_ok=True)
    """
)


def run_step(
    example: Example, action: dict[str, Any], workdir: Path, s3: Path, execution: str
) -> subprocess.CompletedProcess[str]:
    """Run a step's build commands as CodeBuild would, with `aws s3` on a local directory."""
    bin_dir = s3.parent / "bin"
    if not bin_dir.is_dir():
        bin_dir.mkdir()
        (bin_dir / "aws").write_text(FAKE_AWS.format(python=sys.executable))
        (bin_dir / "aws").chmod(0o755)
    project = project_of(example.template, action)
    env = {
        **os.environ,
        **{k: v for k, v in project_env(project).items() if isinstance(v, str)},
        "BUCKET": "deployed-assemblies",
        "EXECUTION_ID": execution,
        "FAKE_S3": str(s3),
        # `python` is this interpreter (the package is installed in it).
        "PATH": os.pathsep.join(
            [str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]]
        ),
    }
    script = "set -e\n" + "\n".join(build_commands(project))
    return subprocess.run(
        ["bash", "-c", script], cwd=workdir, env=env, capture_output=True, text=True, check=True
    )


def test_review_compares_with_what_the_record_step_kept(example: Example, tmp_path: Path) -> None:
    actions = actions_of(example.template, "Production")
    review, record = actions["ReviewProdEu"], actions["ProdEu.RecordProdEu"]
    s3 = tmp_path / "s3"
    source = tmp_path / "source"  # the review's primary input: the repository
    source.mkdir()
    (source / "cdk.out").symlink_to(example.outdir)  # its second input: the synth output

    first = run_step(example, review, source, s3, "execution-1")
    report = s3 / "deployed-assemblies" / "reviews" / "ProdEu" / "execution-1.md"
    assert "## Summary" in report.read_text()
    assert "Changes against the base" not in report.read_text()  # nothing deployed yet

    run_step(example, record, example.outdir, s3, "execution-1")  # after the deploy
    kept = s3 / "deployed-assemblies" / "deployed" / "ProdEu" / "manifest.json"
    assert kept.is_file()

    again = tmp_path / "again"  # every build starts from a fresh checkout
    again.mkdir()
    (again / "cdk.out").symlink_to(example.outdir)
    second = run_step(example, review, again, s3, "execution-2")
    text = (s3 / "deployed-assemblies" / "reviews" / "ProdEu" / "execution-2.md").read_text()
    assert "Changes: 0 added, 0 removed, 0 changed, 0 replaced" in text
    assert "## Summary" in first.stdout  # printed in the build log too
    assert "## Summary" in second.stdout


# --------------------------------------------------------------------------- cross-account


def test_pipeline_assumes_the_deploy_roles_of_every_environment(example: Example) -> None:
    assumed = assumed_roles(example.template, "PipelineRoleDefaultPolicy")
    for env in environments(example):
        assert role_arn(env.account, env.region, "deploy-role") in assumed


@pytest.mark.parametrize(
    ("wave", "action", "account", "region"),
    [
        ("Dev", "Platform.Deploy", "222222222222", "eu-west-1"),
        ("Staging", "Platform.Deploy", "333333333333", "eu-west-1"),
        ("Production", "ProdEu.Platform.Deploy", "444444444444", "eu-west-1"),
        ("Production", "ProdUs.Platform.Deploy", "444444444444", "us-east-1"),
    ],
)
def test_stacks_deploy_through_the_bootstrap_roles_of_their_account(
    example: Example, wave: str, action: str, account: str, region: str
) -> None:
    actions = actions_of(example.template, wave)
    assert actions[action]["RoleArn"] == role_arn(account, region, "deploy-role")
    prepare = actions[action.replace(".Deploy", ".Prepare")]
    assert prepare["Configuration"]["RoleArn"] == role_arn(account, region, "cfn-exec-role")


def test_assets_are_published_through_each_environments_publishing_role(
    example: Example,
) -> None:
    assumed = assumed_roles(example.template, "PipelineAssetsFileRole")
    for env in environments(example):
        expected = {
            "Fn::Sub": f"arn:${{AWS::Partition}}:iam::{env.account}:role/"
            f"cdk-{BOOTSTRAP}-file-publishing-role-{env.account}-{env.region}"
        }
        assert expected in assumed


def test_target_accounts_can_decrypt_the_artifacts_in_their_region(example: Example) -> None:
    def decrypting(template: dict[str, Any]) -> list[Any]:
        [key] = resources(template, "AWS::KMS::Key").values()
        found: list[Any] = []
        for statement in key["Properties"]["KeyPolicy"]["Statement"]:
            if statement["Action"] == ["kms:Decrypt", "kms:DescribeKey"]:
                principal = statement["Principal"]["AWS"]
                found += principal if isinstance(principal, list) else [principal]
        return found

    for env in environments(example):
        template = example.template if env.region == "eu-west-1" else example.support_template
        assert role_arn(env.account, env.region, "deploy-role") in decrypting(template)


def test_images_are_pulled_cross_account_from_the_tooling_repositories(example: Example) -> None:
    repositories = resources(example.template, "AWS::ECR::Repository")
    assert len(repositories) == len(example.config.services)
    accounts = sorted({f"arn:aws:iam::{e.account}:root" for e in environments(example)})
    for repository in repositories.values():
        [statement] = repository["Properties"]["RepositoryPolicyText"]["Statement"]
        assert statement["Principal"] == {"AWS": accounts}
        assert statement["Action"] == [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
        ]
    for name, stacks in example.stage_templates.items():
        template = stacks["Storefront"]
        [web] = [
            t["Properties"]["ContainerDefinitions"][0]["Image"]
            for t in resources(template, "AWS::ECS::TaskDefinition").values()
            if t["Properties"]["Family"] == "web"
        ]
        assert web == {
            "Fn::Join": [
                "",
                [f"{TOOLING}.dkr.ecr.eu-west-1.", {"Ref": "AWS::URLSuffix"}, "/shop/web:1.4.2"],
            ]
        }, name
        pulls = [
            s["Resource"]
            for p in resources(template, "AWS::IAM::Policy").values()
            for s in p["Properties"]["PolicyDocument"]["Statement"]
            if "ecr:BatchGetImage" in s["Action"]
        ]
        assert f"arn:aws:ecr:eu-west-1:{TOOLING}:repository/shop/web" in pulls, name


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize("name", ["Dev", "Staging", "ProdEu", "ProdUs"])
def test_environment_settings_come_from_the_configuration(example: Example, name: str) -> None:
    [env] = [e for e in environments(example) if e.name == name]
    stacks = example.stage_templates[name]
    platform = stacks["Platform"]
    [template] = resources(platform, "AWS::EC2::LaunchTemplate").values()
    assert template["Properties"]["LaunchTemplateData"]["InstanceType"] == env.instance_type
    [group] = resources(platform, "AWS::AutoScaling::AutoScalingGroup").values()
    assert (group["Properties"]["MinSize"], group["Properties"]["MaxSize"]) == (
        str(env.min_capacity),
        str(env.max_capacity),
    )
    counts = {
        s["Properties"]["DesiredCount"]
        for stack in stacks.values()
        for s in resources(stack, "AWS::ECS::Service").values()
    }
    assert counts == {env.desired_count}
    ports = {
        listener["Properties"]["Port"]
        for listener in resources(platform, "AWS::ElasticLoadBalancingV2::Listener").values()
    }
    records = [
        r["Properties"]["Name"] for r in resources(platform, "AWS::Route53::RecordSet").values()
    ]
    if env.domain is None:
        assert ports == {80}
        assert records == []
        assert "Certificate" not in stacks
    else:
        assert ports == {80, 443}
        assert records == [f"{env.domain.name}."]
        [certificate] = resources(
            stacks["Certificate"], "AWS::CertificateManager::Certificate"
        ).values()
        assert certificate["Properties"]["DomainName"] == env.domain.name


def test_zones_come_from_the_committed_context(example: Example) -> None:
    context = json.loads((EXAMPLE / "cdk.context.json").read_text())
    for env in environments(example):
        zones = context[f"availability-zones:account={env.account}:region={env.region}"]
        platform = example.stage_templates[env.name]["Platform"]
        used = {
            s["Properties"]["AvailabilityZone"]
            for s in resources(platform, "AWS::EC2::Subnet").values()
        }
        assert used == set(zones[:2]), env.name


def test_feature_flags_are_the_repositorys(example: Example) -> None:
    ours = json.loads((EXAMPLE / "cdk.json").read_text())["context"]
    assert ours == json.loads(CDK_JSON.read_text())["context"]


# --------------------------------------------------------------------------- compliance


def test_every_stack_passes_cdk_nag(example: Example) -> None:
    """cdk-nag's AwsSolutions pack over the whole app: the pipeline stack, its cross-region
    support stack and every stack of every stage."""
    assert_nag_clean(example.stack)
    assert sum(len(stacks) for stacks in example.stage_templates.values()) == 15


def test_pipeline_findings_are_acknowledged_on_their_own_resources(example: Example) -> None:
    acknowledged = nag_acknowledgements(example.template)
    assert set(acknowledged["AwsSolutions-S1"]) == {
        "DeployedAssembliesA054282D",
        "PipelineArtifactsBucketAEA9A052",
    }
    review_role = "ReviewProdEuRoleDefaultPolicy"
    rules = {
        rule["id"]
        for logical_id, resource in example.template["Resources"].items()
        if logical_id.startswith(review_role)
        for rule in resource["Metadata"]["cdk_nag"]["rules_to_suppress"]
    }
    prefixes = {r for r in rules if "DeployedAssemblies" in r}
    assert prefixes == {
        "AwsSolutions-IAM5[Resource::<DeployedAssembliesA054282D.Arn>/deployed/ProdEu/*]",
        "AwsSolutions-IAM5[Resource::<DeployedAssembliesA054282D.Arn>/reviews/ProdEu/*]",
    }
    support = nag_acknowledgements(example.support_template)
    assert list(support) == ["AwsSolutions-S1"]


def test_stateful_logical_ids_are_pinned(example: Example) -> None:
    """A rename replaces these: the images, or the baselines the reviews compare with, would be
    lost with them (all are retained on deletion)."""
    assert set(resources(example.template, "AWS::ECR::Repository")) == {
        "WebImagesRepository77D61D1C",
        "ApiImagesRepository1C8EE0C3",
        "AdminImagesRepository10515F51",
    }
    assert set(resources(example.template, "AWS::S3::Bucket")) == {
        "DeployedAssembliesA054282D",
        "PipelineArtifactsBucketAEA9A052",
    }
    bucket = example.template["Resources"]["DeployedAssembliesA054282D"]
    assert bucket["DeletionPolicy"] == "Retain"
    assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}


def test_an_unexplained_wildcard_stays_a_finding(example: Example) -> None:
    explained = sys.modules["delivery.compliance"].explained_wildcards
    document = {
        "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:GetObject*", "Resource": "arn:aws:s3:::b/*"},
            {"Effect": "Allow", "Action": "codebuild:StartBuild", "Resource": "*"},
        ]
    }
    assert set(explained(document)) == {"Action::s3:GetObject*", "Resource::arn:aws:s3:::b/*"}


#: What cfn-lint finds in aws-cdk-lib's own rendering of a CodePipeline, which the example does not
#: write: the pipeline's DependsOn on its role (W3005) and the deploy actions' role ARNs built
#: with Fn::Join rather than Fn::Sub (E3703). Neither changes what CloudFormation deploys.
CDK_PIPELINES_RENDERING = ["W3005", "E3703"]


def test_templates_are_cfn_lint_clean(example: Example) -> None:
    assert_cfn_lint_clean(
        example.template, regions=["eu-west-1"], ignore_checks=CDK_PIPELINES_RENDERING
    )
    assert_cfn_lint_clean(example.support_template, regions=["us-east-1"])
    # Stages differ only by the configuration's values: Dev (HTTP only) and ProdUs (a domain,
    # another region) hold every kind of template the stages have.
    for name, region in (("Dev", "eu-west-1"), ("ProdUs", "us-east-1")):
        for template in example.stage_templates[name].values():
            assert_cfn_lint_clean(template, regions=[region])
