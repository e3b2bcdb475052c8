"""The review on hand-written assemblies: the cases of issue 16 with the report lines expected,
consequences across references and stacks, update policies, the rollout model, Service Connect
namespaces in the diagram, rename pairing, counts and long values."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from constructs_ecs.review import (
    AssemblyDiff,
    ReplacementRules,
    SchemaLibrary,
    diff_assemblies,
    load_assembly,
    render_report,
)
from constructs_ecs.review._schemas import installed_schema_dir
from tests.conftest import REPO

ENV = "aws://111111111111/eu-west-1"
TIMES = "\N{MULTIPLICATION SIGN}"


def write(root: Path, stacks: dict[str, dict[str, Any]], env: dict[str, str] | None = None) -> Path:
    """A cloud assembly of ``{stack name: template}`` (environment ``ENV`` unless given)."""
    root.mkdir(parents=True, exist_ok=True)
    artifacts = {}
    for name, template in stacks.items():
        (root / f"{name}.template.json").write_text(json.dumps(template))
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "environment": (env or {}).get(name, ENV),
            "properties": {"templateFile": f"{name}.template.json"},
            "displayName": name,
        }
    (root / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    return root


def review(tmp_path: Path, base: dict[str, Any], head: dict[str, Any], **kwargs: Any) -> str:
    """The report of ``head`` against ``base`` (``{stack: template}`` each)."""
    return render_report(
        write(tmp_path / "head", head, **kwargs),
        against=write(tmp_path / "base", base, **kwargs),
    )


def diff(tmp_path: Path, base: dict[str, Any], head: dict[str, Any]) -> AssemblyDiff:
    """The review's structured result for ``head`` against ``base`` (what the report renders)."""
    return diff_assemblies(
        load_assembly(write(tmp_path / "base", base)), load_assembly(write(tmp_path / "head", head))
    )


def changes(found: AssemblyDiff) -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    """Each changed resource, ``(stack, logical ID)``, with its kind of change and details."""
    return {
        (change.stack, change.logical_id): (change.kind, change.details)
        for stack in found.stacks
        for change in stack.changes
    }


def row(report: str, logical_id: str) -> str:
    """The row of ``logical_id`` in the per-stack change tables."""
    changes = report.split("## Changes against the base", 1)[1].split("\n## Stack", 1)[0]
    changes = changes[changes.index("### Changes in") :]
    found = [line for line in changes.splitlines() if f" `{logical_id}` |" in line]
    assert len(found) == 1, found
    return found[0]


def section(report: str, heading: str) -> str:
    rest = report.split(heading, 1)[1]
    return rest.split("\n### ", 1)[0].split("\n## ", 1)[0]


# ---- the cases of issue 16 ------------------------------------------------------------------
def _database(name: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "DBName": name,
                    "Engine": "postgres",
                    "DBInstanceClass": "db.t3.micro",
                    "AllocatedStorage": "20",
                },
            },
            "Task": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {
                    "ContainerDefinitions": [
                        {
                            "Name": "app",
                            "Image": "app:1",
                            "Environment": [
                                {
                                    "Name": "DB_HOST",
                                    "Value": {"Fn::GetAtt": ["Db", "Endpoint.Address"]},
                                }
                            ],
                        }
                    ]
                },
            },
            "Web": {
                "Type": "AWS::ECS::Service",
                "Properties": {"TaskDefinition": {"Ref": "Task"}, "DesiredCount": 2},
            },
        }
    }


def test_changing_the_database_name_replaces_the_database(tmp_path: Path) -> None:
    found = diff(tmp_path, {"App": _database("orders")}, {"App": _database("billing")})
    assert changes(found) == {
        ("App", "Db"): ("replaced", ("`DBName`: `orders` → `billing` (forces replacement)",))
    }
    assert [(w.stack, w.logical_id, w.resource_type) for w in found.warnings] == [
        ("App", "Db", "AWS::RDS::DBInstance")
    ]
    assert "the old one is deleted with its data" in found.warnings[0].text
    # The task definition reads the endpoint: a new revision, and the service redeploys.
    assert [(c.logical_id, c.effects) for c in found.consequences] == [
        (
            "Db",
            (
                "- `Task` (`AWS::ECS::TaskDefinition`) in "
                "`ContainerDefinitions[0].Environment[0].Value`: a new revision; service `Web` "
                "redeploys",
            ),
        )
    ]
    assert [rollout.service for rollout in found.rollouts] == [("App", "Web")]


def _repository_stacks(
    repository_id: str, *, weak: bool = True, output: str = "RepoUri"
) -> dict[str, Any]:
    producer = {
        "Resources": {repository_id: {"Type": "AWS::ECR::Repository"}},
        "Outputs": {
            output: {
                "Value": {"Fn::GetAtt": [repository_id, "RepositoryUri"]},
                **({} if weak else {"Export": {"Name": "platform-repo-uri"}}),
            }
        },
    }
    source = (
        {"Fn::GetStackOutput": {"StackName": "Platform", "OutputName": output}}
        if weak
        else {"Fn::ImportValue": "platform-repo-uri"}
    )
    consumer = {
        "Resources": {
            "Task": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {
                    "ContainerDefinitions": [
                        {"Name": "web", "Image": {"Fn::Join": ["", [source, ":v1"]]}}
                    ]
                },
            },
            "Web": {"Type": "AWS::ECS::Service", "Properties": {"TaskDefinition": {"Ref": "Task"}}},
        }
    }
    return {"Platform": producer, "Services": consumer}


def test_renamed_repository_in_another_stack_leaves_the_service_without_an_image(
    tmp_path: Path,
) -> None:
    report = review(tmp_path, _repository_stacks("Repository"), _repository_stacks("Images"))
    assert row(report, "Images").startswith(
        "| 🔁 **renamed → replaced** | `Repository` → `Images` | `AWS::ECR::Repository` |"
    )
    consequences = section(report, "### What refers to replaced and removed resources")
    assert consequences.splitlines()[2:5] == [
        "`Platform/Images` (`AWS::ECR::Repository`) is renamed → replaced; what refers to it:",
        "",
        "- `Services/Task` (`AWS::ECS::TaskDefinition`) in `ContainerDefinitions[0].Image`: a new "
        "revision: its tasks pull from a new, empty repository and fail to pull the image "
        "(`CannotPullContainerError`) until an image is pushed to it; service `Web` redeploys — "
        "across stacks through output `RepoUri` (`Fn::GetStackOutput`, a weak reference): "
        "`Services` keeps the old value until its stack is updated again (its template is "
        "unchanged, so `cdk deploy` skips it: deploy it with `--force`)",
    ]
    assert "| `Services/Web` | new revision of task definition `Task` |" in report


def test_a_changed_reference_to_another_stack_names_the_resources(tmp_path: Path) -> None:
    base = _repository_stacks("Repository", output="OutRepository")
    head = _repository_stacks("Images", output="OutImages")  # CDK names outputs after the id
    assert changes(diff(tmp_path, base, head))[("Services", "Task")] == (
        "new revision",
        (
            "`ContainerDefinitions[0].Image`: now refers to `Platform/Images`; no longer to "
            "`Platform/Repository` (new revision)",
            "ECS deploys new tasks for `Web`",
        ),
    )


def test_replacing_an_exported_value_that_another_stack_imports_fails(tmp_path: Path) -> None:
    report = review(
        tmp_path,
        _repository_stacks("Repository", weak=False),
        _repository_stacks("Images", weak=False),
    )
    assert (
        "— across stacks through the export `platform-repo-uri`: CloudFormation refuses to "
        "change an export that `Services` imports, so this update fails until it stops "
        "importing it"
    ) in report


def _capacity(
    instance_type: str, *, policy: dict[str, Any] | None = None, spot: bool = False
) -> dict[str, Any]:
    template = {
        "Type": "AWS::EC2::LaunchTemplate",
        "Properties": {
            "LaunchTemplateData": {
                "ImageId": "ami-1",
                **({} if spot else {"InstanceType": instance_type}),
            }
        },
    }
    launch_template = {
        "LaunchTemplateId": {"Ref": "LaunchTemplate"},
        "Version": {"Fn::GetAtt": ["LaunchTemplate", "LatestVersionNumber"]},
    }
    group: dict[str, Any] = {
        "Type": "AWS::AutoScaling::AutoScalingGroup",
        "Properties": {"MinSize": "1", "MaxSize": "4", "VPCZoneIdentifier": ["subnet-1"]},
    }
    if spot:
        group["Properties"]["MixedInstancesPolicy"] = {
            "LaunchTemplate": {
                "LaunchTemplateSpecification": launch_template,
                "Overrides": [{"InstanceType": instance_type}],
            }
        }
    else:
        group["Properties"]["LaunchTemplate"] = launch_template
    if policy:
        group["UpdatePolicy"] = policy
    return {"Resources": {"LaunchTemplate": template, "Asg": group}}


_KEEP = (
    "running instances keep their old configuration and only instances launched from now on "
    "get the new one (no AutoScalingRollingUpdate or AutoScalingReplacingUpdate policy)"
)


def test_instance_type_change_without_a_replacing_policy_is_an_update(tmp_path: Path) -> None:
    found = diff(tmp_path, {"C": _capacity("t3.medium")}, {"C": _capacity("t3.large")})
    assert changes(found) == {
        ("C", "LaunchTemplate"): (
            "changed",
            (
                "`LaunchTemplateData.InstanceType`: `t3.medium` → `t3.large`",
                f"Auto Scaling group `Asg` launches a new launch-template version: {_KEEP}",
            ),
        )
    }
    assert (found.warnings, found.consequences, found.rollouts) == ((), (), ())


def test_instance_type_override_of_a_spot_group_without_a_replacing_policy(tmp_path: Path) -> None:
    base, head = _capacity("t3.medium", spot=True), _capacity("t3.large", spot=True)
    report = review(tmp_path, {"C": base}, {"C": head})
    assert row(report, "Asg") == (
        "| ✏️ changed | `Asg` | `AWS::AutoScaling::AutoScalingGroup` | "
        "`MixedInstancesPolicy.LaunchTemplate.Overrides[0].InstanceType`: `t3.medium` → "
        f"`t3.large`<br>{_KEEP} |"
    )
    assert "- Changes: 0 added, 0 removed, 1 changed, 0 replaced, 0 may be replaced" in report


def test_instance_type_change_with_a_rolling_update_replaces_instances(tmp_path: Path) -> None:
    policy = {"AutoScalingRollingUpdate": {"MinInstancesInService": 1, "MaxBatchSize": 2}}
    base = _capacity("t3.medium", policy=policy, spot=True)
    head = _capacity("t3.large", policy=policy, spot=True)
    assert row(review(tmp_path, {"C": base}, {"C": head}), "Asg").endswith(
        "<br>AutoScalingRollingUpdate replaces the instances in batches of 2, keeping at least "
        "1 in service |"
    )


def test_instance_type_change_with_a_replacing_update_replaces_the_group(tmp_path: Path) -> None:
    policy = {"AutoScalingReplacingUpdate": {"WillReplace": True}}
    base = _capacity("t3.medium", policy=policy, spot=True)
    head = _capacity("t3.large", policy=policy, spot=True)
    assert row(review(tmp_path, {"C": base}, {"C": head}), "Asg").startswith(
        "| 🔁 **replaced** | `Asg` |"
    )


def _connected(namespace: Any, *, own_namespace: bool) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "Api": {
            "Type": "AWS::ECS::Service",
            "Properties": {
                "ServiceConnectConfiguration": {
                    "Enabled": True,
                    "Namespace": namespace,
                    "Services": [
                        {"PortName": "http", "ClientAliases": [{"DnsName": "api", "Port": 80}]}
                    ],
                }
            },
        },
        "Web": {
            "Type": "AWS::ECS::Service",
            "Properties": {
                "ServiceConnectConfiguration": {"Enabled": True, "Namespace": namespace}
            },
        },
    }
    if own_namespace:
        resources["Namespace"] = {
            "Type": "AWS::ServiceDiscovery::PrivateDnsNamespace",
            "Properties": {"Name": "shop.internal", "Vpc": "vpc-1"},
        }
    return {"Resources": resources}


def _service_connect_edges(report: str) -> set[tuple[str, str]]:
    edges = re.findall(r"^\s*(n_\w+) -\.->\|\"([^\"]*)\"\| (n_\w+)$", report, re.M)
    return {(a, b) for a, label, b in edges if "Service Connect" in label}


def test_service_connect_edges_stay_within_one_namespace_resource(tmp_path: Path) -> None:
    arn = {"Fn::GetAtt": ["Namespace", "Arn"]}
    stacks = {
        "Prod": _connected(arn, own_namespace=True),
        "Stage": _connected(arn, own_namespace=True),
    }
    report = render_report(write(tmp_path / "a", stacks))
    assert _service_connect_edges(report) == {
        ("n_Prod_Web", "n_Prod_Api"),
        ("n_Stage_Web", "n_Stage_Api"),
    }


def test_service_connect_by_name_joins_services_of_one_environment_only(tmp_path: Path) -> None:
    stacks = {
        "Prod": _connected("shop.internal", own_namespace=False),
        "Stage": _connected("shop.internal", own_namespace=False),
    }
    apart = render_report(
        write(tmp_path / "apart", stacks, env={"Stage": "aws://222222222222/eu-west-1"})
    )
    assert _service_connect_edges(apart) == {
        ("n_Prod_Web", "n_Prod_Api"),
        ("n_Stage_Web", "n_Stage_Api"),
    }
    together = render_report(write(tmp_path / "together", stacks))
    assert ("n_Stage_Web", "n_Prod_Api") in _service_connect_edges(together)


def test_service_connect_across_stacks_is_drawn_as_cross_stack(tmp_path: Path) -> None:
    platform = {
        "Resources": {
            "Namespace": {
                "Type": "AWS::ServiceDiscovery::PrivateDnsNamespace",
                "Properties": {"Name": "shop.internal", "Vpc": "vpc-1"},
            }
        },
        "Outputs": {"NamespaceArn": {"Value": {"Fn::GetAtt": ["Namespace", "Arn"]}}},
    }
    weak = {"Fn::GetStackOutput": {"StackName": "Platform", "OutputName": "NamespaceArn"}}
    api = _connected(weak, own_namespace=False)
    web = {"Resources": {"Web": api["Resources"].pop("Web")}}
    report = render_report(write(tmp_path / "a", {"Platform": platform, "Api": api, "Web": web}))
    assert (
        '  n_Web_Web -.->|"Service Connect api:80<br/>cross-stack"| n_Api_Api'
        in report.splitlines()
    )


# ---- consequences, counts, long values ----------------------------------------------------------
def test_summary_counts_equal_the_table(tmp_path: Path) -> None:
    base = {
        "S": {
            "Resources": {"Q": {"Type": "AWS::SQS::Queue"}, **_capacity("t3.medium")["Resources"]}
        }
    }
    head_resources = copy.deepcopy(base["S"]["Resources"])
    head_resources["Q"]["Properties"] = {"QueueName": "jobs"}
    head_resources["Asg"]["Properties"]["VPCZoneIdentifier"] = ["subnet-2"]
    head_resources["Asg"]["UpdatePolicy"] = {
        "AutoScalingReplacingUpdate": {"WillReplace": {"Ref": "Replace"}}
    }
    head_resources["T"] = {"Type": "AWS::SNS::Topic"}
    report = review(tmp_path, base, {"S": {"Resources": head_resources}})
    summary = re.search(r"^- Changes: (.*?)(;|$)", report, re.M)
    assert summary
    said = {label: int(n) for n, label in re.findall(r"(\d+) ([a-z ]+?)(?:,|$)", summary.group(1))}
    header = next(line for line in report.splitlines() if line.startswith("| Stack |"))
    labels = [cell.strip().lower() for cell in header.strip("|").split("|")][1:]
    stack_row = next(line for line in report.splitlines() if line.startswith("| `S` |"))
    numbers = [int(cell) for cell in stack_row.strip("|").split("|")[1:]]
    assert said == dict(zip(labels, numbers, strict=True))
    assert said["replaced"] == 1  # the queue
    assert said["may be replaced"] == 1  # the group: WillReplace is a parameter
    assert said["added"] == 1


def test_removed_output_still_read_by_another_stack_is_flagged(tmp_path: Path) -> None:
    base = _repository_stacks("Repository")
    head = copy.deepcopy(base)
    head["Platform"] = {"Resources": {"Other": {"Type": "AWS::SQS::Queue"}}}
    report = review(tmp_path, base, head)
    assert (
        "- `Services/Task` (`AWS::ECS::TaskDefinition`) in `ContainerDefinitions[0].Image`: "
        "**still reads it from the other stack**: its next deploy fails, and until then it uses "
        "a deleted resource"
    ) in report


def test_long_string_changes_show_a_short_diff_of_the_changed_part(tmp_path: Path) -> None:
    script = "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n{}\nsystemctl start ecs\n"

    def launch_template(line: str, image: str) -> dict[str, Any]:
        data = {"UserData": {"Fn::Base64": script.format(line)}, "ImageId": image}
        return {
            "Resources": {
                "Lt": {
                    "Type": "AWS::EC2::LaunchTemplate",
                    "Properties": {"LaunchTemplateData": data},
                }
            }
        }

    image = "123456789808.dkr.ecr.eu-west-1.amazonaws.com/base/ecs-optimised-al2023:2024.10"
    report = review(
        tmp_path,
        {"S": launch_template("echo ECS_ENABLE_TASK_IAM_ROLE=false >> /etc/ecs/ecs.config", image)},
        {
            "S": launch_template(
                "echo ECS_ENABLE_TASK_IAM_ROLE=true >> /etc/ecs/ecs.config",
                image.replace("808", "909"),
            )
        },
    )
    cells = row(report, "Lt").removesuffix(" |").split(" | ")[3].split("<br>")
    assert cells == [
        "`LaunchTemplateData.ImageId`: ",
        "`- 123456789808.dkr.ecr.eu-west-1…`",
        "`+ 123456789909.dkr.ecr.eu-west-1…`",
        "`LaunchTemplateData.UserData`: ",
        "`echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config`",
        "`- …ECS_ENABLE_TASK_IAM_ROLE=false >> /etc/ecs/ecs…`",
        "`+ …ECS_ENABLE_TASK_IAM_ROLE=true >> /etc/ecs/ecs…`",
        "`systemctl start ecs`",
    ]


# ---- rollouts -------------------------------------------------------------------------------
def _service(config: dict[str, Any], image: str, **extra: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "Group": {
                "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                "Properties": {
                    "Port": 80,
                    "Protocol": "HTTP",
                    "HealthCheckIntervalSeconds": 10,
                    "HealthyThresholdCount": 3,
                    "TargetGroupAttributes": [
                        {"Key": "deregistration_delay.timeout_seconds", "Value": "30"}
                    ],
                },
            },
            "Task": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {"ContainerDefinitions": _containers(image)},
            },
            "Web": {
                "Type": "AWS::ECS::Service",
                "Properties": {
                    "TaskDefinition": {"Ref": "Task"},
                    "DesiredCount": 4,
                    "DeploymentConfiguration": config,
                    "LoadBalancers": [
                        {
                            "TargetGroupArn": {"Ref": "Group"},
                            "ContainerName": "web",
                            "ContainerPort": 80,
                        }
                    ],
                    **extra,
                },
            },
        }
    }


def _containers(image: str) -> list[dict[str, Any]]:
    return [{"Name": "web", "Image": image, "PortMappings": [{"ContainerPort": 80}]}]


def _rollout(tmp_path: Path, config: dict[str, Any], **extra: Any) -> str:
    report = review(
        tmp_path,
        {"S": _service(config, "web:1", **extra)},
        {"S": _service(config, "web:2", **extra)},
    )
    lines = [
        line for line in section(report, "### ECS deployments").splitlines() if "`S/Web`" in line
    ]
    assert len(lines) == 1, lines
    return lines[0]


def test_rolling_rollout_is_modelled_from_percentages_and_health_checks(tmp_path: Path) -> None:
    line = _rollout(tmp_path, {"MinimumHealthyPercent": 50, "MaximumPercent": 100})
    assert line == (
        "| `S/Web` | new revision of task definition `Task` | rolling, minimum healthy 50 %, "
        f"maximum 100 % | 4 task(s), up to 2 replaced at a time: 2 batch(es) {TIMES} 1 min "
        f"(10 s {TIMES} 3 health checks = 30 s; then 30 s deregistration delay) ≈ 2 min |"
    )


def test_grace_period_longer_than_the_health_checks_is_what_a_batch_waits(tmp_path: Path) -> None:
    line = _rollout(tmp_path, {}, HealthCheckGracePeriodSeconds=120)
    assert (
        f"1 batch(es) {TIMES} 2 min 30 s (120 s grace period (longer than 10 s {TIMES} 3 health"
    ) in line
    assert line.endswith("≈ 2 min 30 s |")


def test_rollout_that_cannot_start_a_task_is_flagged(tmp_path: Path) -> None:
    line = _rollout(tmp_path, {"MinimumHealthyPercent": 100, "MaximumPercent": 100})
    assert (
        "⚠️ **MaximumPercent 100 leaves no room above MinimumHealthyPercent 100 for 4 task(s): "
        "the deployment cannot start a new task**"
    ) in line


@pytest.mark.parametrize(
    ("config", "strategy", "total"),
    [
        ({"Strategy": "BLUE_GREEN", "BakeTimeInMinutes": 5}, "blue/green", "≈ 6 min"),
        (
            {"Strategy": "CANARY", "CanaryConfiguration": {"CanaryPercent": 10}},
            "canary: 10 % of traffic for 10 min, then the rest",
            "≈ 26 min",
        ),
        (
            {
                "Strategy": "CANARY",
                "BakeTimeInMinutes": 0,
                "CanaryConfiguration": {"CanaryBakeTimeInMinutes": 0},
            },
            "canary: 5 % of traffic for 0 min, then the rest",
            "≈ 1 min",
        ),
        (
            {
                "Strategy": "LINEAR",
                "BakeTimeInMinutes": 0,
                "LinearConfiguration": {"StepPercent": 25, "StepBakeTimeInMinutes": 2},
            },
            "linear: 25 % of traffic every 2 min (4 steps)",
            "≈ 7 min",
        ),
    ],
)
def test_traffic_shifting_strategies_add_their_bake_times(
    tmp_path: Path, config: dict[str, Any], strategy: str, total: str
) -> None:
    line = _rollout(tmp_path, config)
    assert f"| {strategy} |" in line
    assert line.endswith(f"{total} |")


def test_changed_network_configuration_redeploys_the_service(tmp_path: Path) -> None:
    def stack(group: str) -> dict[str, Any]:
        template = _service({}, "web:1")
        template["Resources"]["Web"]["Properties"]["NetworkConfiguration"] = {
            "AwsvpcConfiguration": {"SecurityGroups": [group], "Subnets": ["subnet-1"]}
        }
        return template

    report = review(tmp_path, {"S": stack("sg-1")}, {"S": stack("sg-2")})
    assert "| `S/Web` | changed `NetworkConfiguration` | rolling" in report
    assert row(report, "Web").endswith("<br>ECS starts a new deployment of this service |")


# ---- schemas: lazily, without cfn-lint, and without aws-cdk-lib or Node.js -------------------
def test_only_the_schemas_of_changed_types_are_read(tmp_path: Path) -> None:
    base = _database("orders")
    head = _database("billing")
    rules = ReplacementRules()
    assembly = load_assembly(write(tmp_path / "head", {"App": head}))
    diff_assemblies(load_assembly(write(tmp_path / "base", {"App": base})), assembly, rules=rules)
    read = {json.loads(path.read_text())["typeName"] for path in rules.schemas._by_file}
    # The changed database, and the task definition that refers to it (is it replaced too?);
    # not the service, nor any of the other types cfn-lint knows.
    assert read == {"AWS::RDS::DBInstance", "AWS::ECS::TaskDefinition"}


def test_the_schemas_of_older_cfn_lint_releases_are_read_too(tmp_path: Path) -> None:
    legacy = tmp_path / "schemas" / "providers" / "us_east_1"
    legacy.mkdir(parents=True)
    schema = {"typeName": "Acme::Billing::Account", "createOnlyProperties": ["/properties/Plan"]}
    (legacy / "acme-billing-account.json").write_text(json.dumps(schema))
    rules = ReplacementRules(SchemaLibrary(tmp_path / "schemas"))
    assert rules.verdict("Acme::Billing::Account", "Plan").effect == "replacement"
    assert rules.verdict("Acme::Billing::Account", "Name").effect == "in place"
    assert rules.verdict("AWS::RDS::DBInstance", "DBName").effect == "unknown"


def test_the_installed_cfn_lint_is_found_without_importing_it() -> None:
    assert installed_schema_dir() is not None
    assert "cfnlint" not in sys.modules or "cfnlint.schema" in sys.modules  # not by us


_BLOCKED = """
import sys
for name in ("aws_cdk", "jsii", "constructs", "cfnlint"):
    sys.modules[name] = None  # importing any of them now fails
from constructs_ecs.review.__main__ import main
main(sys.argv[1:])
"""


def test_cli_runs_without_aws_cdk_lib_node_or_cfn_lint(tmp_path: Path) -> None:
    head = write(tmp_path / "head", {"App": _database("billing")})
    base = write(tmp_path / "base", {"App": _database("orders")})
    result = subprocess.run(
        [sys.executable, "-c", _BLOCKED, str(head), "--against", str(base)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PATH": "/nonexistent"},  # no node either
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # Without cfn-lint, the built-in table does not know RDS: "not checked", never "changed".
    assert "| ❔ not checked | `Db` | `AWS::RDS::DBInstance` |" in result.stdout


# ---- renames (synthesized with aws-cdk-lib: the logical ids CDK derives from construct paths) --
def _scaled_service(outdir: Path, name: str, target: int) -> Path:
    import aws_cdk as cdk
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_ecs as ecs

    from constructs_ecs.testing import load_cdk_context
    from tests.conftest import CDK_JSON

    app = cdk.App(outdir=str(outdir), context=load_cdk_context(CDK_JSON), analytics_reporting=False)
    stack = cdk.Stack(app, "Svc")
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a"],
        private_subnet_ids=["subnet-0123456789abcdef0"],
        private_subnet_route_table_ids=["rtb-0123456789abcdef0"],
    )
    task = ecs.FargateTaskDefinition(stack, "Task")
    task.add_container("web", image=ecs.ContainerImage.from_registry("nginx:1.27"))
    service = ecs.FargateService(
        stack,
        name,
        cluster=ecs.Cluster(stack, "Cluster", vpc=vpc),
        task_definition=task,
        min_healthy_percent=100,
        circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
    )
    scaling = service.auto_scale_task_count(max_capacity=4)
    scaling.scale_on_cpu_utilization("Cpu", target_utilization_percent=target)
    app.synth()
    return outdir


def test_a_renamed_service_takes_its_scaling_policy_along(tmp_path: Path) -> None:
    base = _scaled_service(tmp_path / "base", "Web", 60)
    head = _scaled_service(tmp_path / "head", "Checkout", 70)  # renamed, and a new target
    report = render_report(head, against=base)
    changes = report.split("### Changes in `Svc`", 1)[1].split("\n## ", 1)[0]
    kinds = {
        cells[2]: cells[0].removeprefix("| ")
        for cells in (line.split(" | ") for line in changes.splitlines() if line.startswith("| "))
    }
    assert kinds["`AWS::ApplicationAutoScaling::ScalingPolicy`"] == "🔁 **renamed → replaced**"
    assert kinds["`AWS::ApplicationAutoScaling::ScalableTarget`"] == "🔁 **renamed → replaced**"
    assert "removed" not in changes
    assert "added" not in changes
    policy = next(line for line in changes.splitlines() if "ScalingPolicy" in line)
    assert "`TargetTrackingScalingPolicyConfiguration.TargetValue`: `60` → `70`" in policy


def test_a_replaced_launch_template_follows_the_group_update_policy(tmp_path: Path) -> None:
    base, head = _capacity("t3.medium"), _capacity("t3.medium")
    base["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateName"] = "capacity"
    head["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateName"] = "capacity-v2"
    report = review(tmp_path, {"C": base}, {"C": head})
    effects = section(report, "### What refers to replaced and removed resources")
    group = next(line for line in effects.splitlines() if line.startswith("- `Asg`"))
    assert group.startswith(
        "- `Asg` (`AWS::AutoScaling::AutoScalingGroup`) in `LaunchTemplate.LaunchTemplateId`, "
        "`LaunchTemplate.Version`: updated in place to use the new one"
    )


def test_a_new_service_on_a_changed_task_definition_is_not_a_redeployment(tmp_path: Path) -> None:
    base = _service({}, "web:1")
    head = _service({}, "web:2")
    head["Resources"]["Canary"] = copy.deepcopy(head["Resources"]["Web"])
    report = review(tmp_path, {"S": base}, {"S": head})
    deployments = section(report, "### ECS deployments")
    assert "`S/Web`" in deployments
    assert "`S/Canary`" not in deployments
