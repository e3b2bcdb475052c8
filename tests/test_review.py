"""``python -m constructs_ecs.review``: the pull-request report, on real synthesized assemblies.

Two versions of a small two-stack app are synthesized once for the module: the *base*, and a
*head* that renames the image repository's construct (a new logical id: replaced), changes
the target group's port (a replacement-forcing property), changes a desired count (an
update), removes a log group whose data is not retained, and adds a queue.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from constructs_ecs.review import (
    REPLACEMENT_PROPERTIES,
    AssemblyError,
    Resolver,
    load_assembly,
    render,
    render_report,
    replacement,
)
from constructs_ecs.review._mermaid import escape
from constructs_ecs.testing import ASSET_HASH, load_cdk_context
from tests.conftest import CDK_JSON, REPO

BASE_ENV = "aws://unknown-account/unknown-region"
ADDED_MARK = "\N{HEAVY PLUS SIGN}"
REMOVED_MARK = "\N{HEAVY MINUS SIGN}"


# ---- the app under review -------------------------------------------------------------------
def _synth(outdir: Path, *, head: bool) -> Path:
    context = load_cdk_context(CDK_JSON)
    context["aws:cdk:enable-path-metadata"] = False
    context["aws:cdk:version-reporting"] = False
    app = cdk.App(outdir=str(outdir), context=context, analytics_reporting=False)

    edge = cdk.Stack(app, "ReviewEdge")
    vpc = ec2.Vpc(edge, "Vpc", max_azs=2, nat_gateways=1)
    alb = elbv2.ApplicationLoadBalancer(edge, "Alb", vpc=vpc, internet_facing=True)
    listener = alb.add_listener(
        "Http", port=80, open=True, default_action=elbv2.ListenerAction.fixed_response(404)
    )

    stack = cdk.Stack(app, "ReviewApp")
    repository = ecr.Repository(stack, "Images" if head else "Repository")
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    cluster.add_capacity(
        "Capacity",
        instance_type=ec2.InstanceType("t3.small"),
        machine_image=ecs.EcsOptimizedImage.amazon_linux2023(),
        min_capacity=1,
        max_capacity=2,
    )
    cluster.connections.allow_from_any_ipv4(ec2.Port.tcp(22), "SSH from anywhere")
    cluster.add_default_cloud_map_namespace(name="internal.local", use_for_service_connect=True)
    breaker = ecs.DeploymentCircuitBreaker(rollback=True)

    web_task = ecs.Ec2TaskDefinition(stack, "WebTask", network_mode=ecs.NetworkMode.AWS_VPC)
    web_task.add_container(
        "web",
        image=ecs.ContainerImage.from_ecr_repository(repository, "v1"),
        memory_limit_mib=256,
        port_mappings=[ecs.PortMapping(container_port=8080, name="http")],
        logging=ecs.LogDrivers.aws_logs(stream_prefix="web"),
    )
    web = ecs.Ec2Service(
        stack,
        "Web",
        cluster=cluster,
        task_definition=web_task,
        desired_count=2 if head else 1,
        min_healthy_percent=100,
        circuit_breaker=breaker,
        service_connect_configuration=ecs.ServiceConnectProps(
            services=[ecs.ServiceConnectService(port_mapping_name="http", dns_name="web", port=80)]
        ),
    )
    target_group = elbv2.ApplicationTargetGroup(
        stack,
        "WebTargets",
        vpc=vpc,
        port=8080 if head else 80,
        protocol=elbv2.ApplicationProtocol.HTTP,
        targets=[web.load_balancer_target(container_name="web", container_port=8080)],
    )
    elbv2.ApplicationListenerRule(
        stack,
        "ApiRule",
        listener=listener,
        priority=10,
        conditions=[elbv2.ListenerCondition.path_patterns(["/api/*"])],
        target_groups=[target_group],
    )

    worker_task = ecs.Ec2TaskDefinition(stack, "WorkerTask", network_mode=ecs.NetworkMode.AWS_VPC)
    worker_task.add_container(
        "worker",
        image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/busybox:1.36"),
        memory_limit_mib=128,
        port_mappings=[ecs.PortMapping(container_port=9000)],
    )
    worker = ecs.Ec2Service(
        stack,
        "Worker",
        cluster=cluster,
        task_definition=worker_task,
        min_healthy_percent=100,
        circuit_breaker=breaker,
        service_connect_configuration=ecs.ServiceConnectProps(),
        cloud_map_options=ecs.CloudMapOptions(name="worker", container_port=9000),
    )
    web.connections.allow_from(worker, ec2.Port.tcp(8080), "Worker calls the web API")

    report_task = ecs.Ec2TaskDefinition(stack, "ReportTask")
    report_task.add_container(
        "report",
        image=ecs.ContainerImage.from_ecr_repository(repository, "report"),
        memory_limit_mib=128,
    )
    events.Rule(
        stack,
        "Nightly",
        schedule=events.Schedule.cron(hour="2", minute="0"),
        targets=[targets.EcsTask(cluster=cluster, task_definition=report_task)],
    )
    if head:
        sqs.Queue(stack, "Jobs", enforce_ssl=True)
    else:
        logs.LogGroup(stack, "AuditLogs", removal_policy=cdk.RemovalPolicy.DESTROY)
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("review")
    return _synth(root / "base.out", head=False), _synth(root / "head.out", head=True)


@pytest.fixture(scope="module")
def base_dir(assemblies: tuple[Path, Path]) -> Path:
    return assemblies[0]


@pytest.fixture(scope="module")
def head_dir(assemblies: tuple[Path, Path]) -> Path:
    return assemblies[1]


@pytest.fixture(scope="module")
def report(head_dir: Path) -> str:
    return render_report(head_dir)


@pytest.fixture(scope="module")
def diff_report(head_dir: Path, base_dir: Path) -> str:
    return render_report(head_dir, against=base_dir)


def _template(directory: Path, stack: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / f"{stack}.template.json").read_text())
    return data


def _logical_id(directory: Path, stack: str, prefix: str, type_: str) -> str:
    resources = _template(directory, stack)["Resources"]
    found = [k for k, v in resources.items() if k.startswith(prefix) and v["Type"] == type_]
    assert len(found) == 1, found
    return found[0]


# ---- Mermaid parsing helpers ----------------------------------------------------------------
NODE = re.compile(r'^\s*(n_\w+)(?:\(\(|\(\[|\[\[|\[\(|\[/|\{\{|\[|\()"(.*?)"')
EDGE = re.compile(r'^\s*(\w+) (-->|==>|-\.->)(?:\|"(.*?)"\|)? (\w+)$')


def _mermaid(text: str) -> str:
    match = re.search(r"```mermaid\n(.*?)```", text, re.S)
    assert match, "no mermaid block"
    return match.group(1)


def _nodes(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in map(NODE.match, _mermaid(text).splitlines()) if m}


def _edges(text: str) -> dict[tuple[str, str], str]:
    found = {}
    for line in _mermaid(text).splitlines():
        match = EDGE.match(line)
        if match:
            found[(match.group(1), match.group(4))] = match.group(3) or ""
    return found


def _node(text: str, label_start: str) -> str:
    found = [i for i, label in _nodes(text).items() if label.startswith(label_start)]
    assert len(found) == 1, (label_start, found)
    return found[0]


# ---- hand-made assemblies for edge cases ----------------------------------------------------
def _write_assembly(
    root: Path, stacks: dict[str, dict[str, Any]], *, nested: dict[str, Any] | None = None
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    artifacts: dict[str, Any] = {}
    for name, template in stacks.items():
        (root / f"{name}.template.json").write_text(json.dumps(template))
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "environment": BASE_ENV,
            "properties": {"templateFile": f"{name}.template.json"},
            "displayName": name,
        }
    for directory, inner in (nested or {}).items():
        _write_assembly(root / directory, inner)
        artifacts[f"assembly-{directory}"] = {
            "type": "cdk:cloud-assembly",
            "properties": {"directoryName": directory, "displayName": directory},
        }
    (root / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    return root


def _resources(**resources: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": resources}


# ---- diagram --------------------------------------------------------------------------------
def test_report_opens_with_a_mermaid_flowchart(report: str) -> None:
    lines = report.splitlines()
    assert lines[0] == "# Infrastructure review"
    assert lines[2:4] == ["```mermaid", "flowchart LR"]


def test_diagram_follows_internet_to_load_balancer_rule_service_and_container(report: str) -> None:
    edges = _edges(report)
    internet = _node(report, "Internet")
    alb = _node(report, "ALB Alb")
    listener = _node(report, "listener HTTP :80")
    rule = _node(report, "rule priority 10")
    target_group = _node(report, "target group WebTargets")
    service = _node(report, "ECS service WebService")
    container = _node(report, "container web")
    assert (internet, alb) in edges
    assert (alb, listener) in edges
    assert (listener, rule) in edges
    assert (rule, target_group) in edges
    assert edges[(target_group, service)] == "web:8080"
    assert (service, container) in edges
    assert "path /api/*" in _nodes(report)[rule]
    assert "8080/tcp" in _nodes(report)[container]


def test_diagram_resolves_a_listener_of_another_stack(head_dir: Path, report: str) -> None:
    rule_id = _logical_id(
        head_dir, "ReviewApp", "ApiRule", "AWS::ElasticLoadBalancingV2::ListenerRule"
    )
    listener_arn = _template(head_dir, "ReviewApp")["Resources"][rule_id]["Properties"][
        "ListenerArn"
    ]
    assert "Ref" not in listener_arn  # a cross-stack reference, resolved through the outputs
    listener = _node(report, "listener HTTP :80")
    rule = _node(report, "rule priority 10")
    assert listener.startswith("n_ReviewEdge_")
    assert rule.startswith("n_ReviewApp_")
    assert (listener, rule) in _edges(report)


def test_diagram_shows_the_listener_default_action(report: str) -> None:
    edges = _edges(report)
    action = _node(report, "fixed response 404")
    assert edges[(_node(report, "listener HTTP :80"), action)] == "default"


def test_diagram_links_services_through_service_connect(report: str) -> None:
    label = _edges(report)[
        (_node(report, "ECS service WorkerService"), _node(report, "ECS service WebService"))
    ]
    assert "Service Connect web:80" in label


def test_diagram_links_services_through_security_groups(report: str) -> None:
    label = _edges(report)[
        (_node(report, "ECS service WorkerService"), _node(report, "ECS service WebService"))
    ]
    assert "security group tcp 8080" in label
    assert (
        _node(report, "ECS service WebService"),
        _node(report, "ECS service WorkerService"),
    ) not in _edges(report)


def test_diagram_shows_cloud_map_registration(report: str) -> None:
    cloud_map = _node(report, "Cloud Map<br/>worker.internal.local")
    assert _edges(report)[(cloud_map, _node(report, "ECS service WorkerService"))] == "DNS"


def test_diagram_runs_the_scheduled_task_definition(report: str) -> None:
    schedule = _node(report, "EventBridge rule Nightly")
    task = _node(report, "task definition ReportTask")
    assert "cron(0 2 * * ? *)" in _nodes(report)[schedule]
    assert _edges(report)[(schedule, task)] == "runs task"
    assert (task, _node(report, "container report")) in _edges(report)


def test_diagram_ids_are_mermaid_safe(report: str) -> None:
    mermaid = _mermaid(report)
    ids = set(_nodes(report))
    assert ids
    assert all(re.fullmatch(r"n_[A-Za-z0-9_]+", node_id) for node_id in ids)
    for source, target in _edges(report):
        assert source in ids
        assert target in ids
    for line in mermaid.splitlines():
        assert line.count('"') % 2 == 0, line


def test_diagram_labels_escape_what_mermaid_would_read() -> None:
    assert escape('a "quoted" <b>|x|</b> `c` #1 & end') == (
        "a #34;quoted#34; #60;b#62;#124;x#124;#60;/b#62; #96;c#96; #35;1 #38; end"
    )


def test_diagram_escapes_hostile_names(tmp_path: Path) -> None:
    template = _resources(
        end={
            "Type": "AWS::ECS::Service",
            "Properties": {"ServiceName": 'a"b|c<script>', "TaskDefinition": "arn:x"},
        }
    )
    text = render_report(_write_assembly(tmp_path / "a", {'Weird-"Stack"': template}))
    label = _nodes(text)["n_Weird__Stack__end"]
    assert "#34;" in label
    assert "#124;" in label
    assert "<script>" not in label
    assert 'subgraph s_Weird__Stack_["Weird-#34;Stack#34;"]' in _mermaid(text)


def test_diagram_marks_what_changed(diff_report: str) -> None:
    mermaid = _mermaid(diff_report)
    target_group = _node(diff_report, "target group WebTargets")
    replaced = re.search(r"^  class (\S+) replaced$", mermaid, re.M)
    assert replaced
    assert target_group in replaced.group(1).split(",")
    assert "classDef replaced" in mermaid


def test_diagram_of_an_assembly_without_traffic_says_so(tmp_path: Path) -> None:
    directory = _write_assembly(
        tmp_path / "a", {"Empty": _resources(Q={"Type": "AWS::SQS::Queue"})}
    )
    assert "No load balancer, ECS service or scheduled task" in _mermaid(render_report(directory))


# ---- inventory, exposure, ingress, IAM -------------------------------------------------------
def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    rest = text[start + len(heading) :]
    end = re.search(r"^## ", rest, re.M)
    return rest[: end.start()] if end else rest


def test_resources_are_counted_by_type_per_stack(report: str) -> None:
    app = _section(report, "## Stack `ReviewApp`")
    edge = _section(report, "## Stack `ReviewEdge`")
    assert "| `AWS::ECS::Service` | 2 |" in app
    assert "| `AWS::ECS::TaskDefinition` | 3 |" in app
    assert "| `AWS::ElasticLoadBalancingV2::Listener` | 1 |" in edge
    assert "AWS::ECS::Service" not in edge


def test_exposure_lists_the_listener_scheme_and_ingress(report: str) -> None:
    edge = _section(report, "## Stack `ReviewEdge`")
    exposure = edge[
        edge.index("### Reachable from outside") : edge.index("### Security-group ingress")
    ]
    assert "application load balancer, **internet-facing**" in exposure
    assert "| `80` | `HTTP` | none (plain text) | `fixed response 404` |" in exposure
    assert "`10`: `path /api/*` → `forward to WebTargets" in exposure
    assert "| `0.0.0.0/0` (internet, to a listener port) | `tcp` | `80` |" in exposure


def test_listener_port_open_to_the_internet_is_not_flagged(report: str) -> None:
    edge = _section(report, "## Stack `ReviewEdge`")
    assert "⚠️" not in edge.split("### IAM permissions")[0]


def test_ssh_open_to_the_internet_is_flagged(report: str) -> None:
    app = _section(report, "## Stack `ReviewApp`")
    ingress = app[app.index("### Security-group ingress") : app.index("### IAM permissions")]
    ssh = next(line for line in ingress.splitlines() if "SSH from anywhere" in line)
    assert "⚠️ **`0.0.0.0/0`** open to the internet" in ssh
    assert "| `tcp` | `22` |" in ssh
    assert "**1 ingress rule(s) open to the internet**" in report


def test_load_balancer_group_open_beyond_its_listener_ports_is_flagged(tmp_path: Path) -> None:
    def world(port: int) -> dict[str, Any]:
        return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": "0.0.0.0/0"}

    template = _resources(
        Lb={
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {"SecurityGroups": [{"Fn::GetAtt": ["LbSg", "GroupId"]}]},
        },
        LbSg={
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"SecurityGroupIngress": [world(443), world(8443)]},
        },
        Https={
            "Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {"LoadBalancerArn": {"Ref": "Lb"}, "Port": 443, "Protocol": "HTTPS"},
        },
    )
    text = render_report(_write_assembly(tmp_path / "a", {"S": template}))
    ingress = _section(text, "### Security-group ingress")
    rows = {line.split(" | ")[4]: line for line in ingress.splitlines() if "0.0.0.0/0" in line}
    assert "(internet, to a listener port)" in rows["`443`"]
    assert "⚠️ **`0.0.0.0/0`** open to the internet" in rows["`8443`"]


def test_ingress_names_source_groups_across_stacks(report: str) -> None:
    app = _section(report, "## Stack `ReviewApp`")
    line = next(line for line in app.splitlines() if "Load balancer to target" in line)
    assert "`ReviewEdge/AlbSecurityGroup" in line
    assert "| `WebService" in line  # the group is attached to the web service


def _role(text: str, prefix: str) -> str:
    start = text.index(f"#### Role `{prefix}")
    end = text.find("#### Role", start + 1)
    return text[start : end if end > 0 else None]


def test_iam_flags_get_authorization_token_on_any_resource(report: str) -> None:
    role = _role(report, "WebTaskExecutionRole")
    row = next(line for line in role.splitlines() if "ecr:GetAuthorizationToken" in line)
    assert row.startswith("| Allow | ⚠️ **`*`** | `ecr:GetAuthorizationToken` |")
    assert role.splitlines()[0].endswith("⚠️")


def test_iam_groups_actions_by_resource(report: str) -> None:
    role = _role(report, "WebTaskExecutionRole")
    row = next(line for line in role.splitlines() if "ecr:BatchGetImage" in line)
    assert "| `GetAtt(Images" in row
    assert (
        "`ecr:BatchCheckLayerAvailability`<br>`ecr:BatchGetImage`<br>`ecr:GetDownloadUrlForLayer`"
        in row
    )


def test_iam_flags_wildcard_actions(report: str) -> None:
    role = _role(report, "ClusterCapacityInstanceRole")
    assert "⚠️ **`ecs:Submit*`**" in role
    assert "`ecs:RegisterContainerInstance`" in role


def test_iam_shows_trust_principal_and_user(report: str) -> None:
    role = _role(report, "WebTaskTaskRole")
    assert "- Trusted by: `Service: ecs-tasks.amazonaws.com`" in role
    assert "- Used by: `WebTask" in role
    assert ".TaskRoleArn`" in role
    assert "⚠️" not in role


def test_iam_lists_aws_managed_policies(report: str) -> None:
    role = _role(report, "ClusterCapacityDrainECSHookFunctionServiceRole")
    managed = "Managed policies (contents not in the template): "
    assert f"{managed}`service-role/AWSLambdaBasicExecutionRole`" in role


# ---- changes --------------------------------------------------------------------------------
def _change(text: str, logical_id_prefix: str) -> str:
    """The row of the per-stack change tables whose logical ID starts with the prefix."""
    changes = _section(text, "## Changes against the base")
    changes = changes[changes.index("### Changes in") :]
    found = [
        line
        for line in changes.splitlines()
        if line.startswith("| ") and f"`{logical_id_prefix}" in line.split("|")[2]
    ]
    assert len(found) == 1, found
    return found[0]


def test_no_change_section_without_a_base(report: str) -> None:
    assert "## Changes" not in report


def test_renamed_repository_is_flagged_as_replaced(
    diff_report: str, base_dir: Path, head_dir: Path
) -> None:
    old = _logical_id(base_dir, "ReviewApp", "Repository", "AWS::ECR::Repository")
    new = _logical_id(head_dir, "ReviewApp", "Images", "AWS::ECR::Repository")
    row = _change(diff_report, old)
    assert row.startswith(
        f"| 🔁 **renamed → replaced** | `{old}` → `{new}` | `AWS::ECR::Repository` |"
    )


def test_target_group_port_change_forces_replacement(diff_report: str) -> None:
    row = _change(diff_report, "WebTargets")
    assert row.startswith("| 🔁 **replaced** |")
    assert "`Port`: `80` → `8080` (forces replacement)" in row


def test_desired_count_change_is_an_update(diff_report: str) -> None:
    row = _change(diff_report, "WebService")
    assert row.startswith("| ✏️ changed |")
    assert "`DesiredCount`: `1` → `2`" in row


def test_task_definition_change_is_a_new_revision(diff_report: str) -> None:
    row = _change(diff_report, "WebTask5")
    assert row.startswith("| 🆕 new revision |")
    assert "now refers to `Images" in row
    assert "ECS deploys new tasks for `WebService" in row


def test_added_and_removed_resources_are_listed(diff_report: str, head_dir: Path) -> None:
    queue = _logical_id(head_dir, "ReviewApp", "Jobs", "AWS::SQS::Queue")
    assert _change(diff_report, queue).startswith(
        f"| {ADDED_MARK} added | `{queue}` | `AWS::SQS::Queue` |"
    )
    assert _change(diff_report, "AuditLogs").startswith(f"| {REMOVED_MARK} removed | `AuditLogs")
    # Added: the queue and its TLS-only policy; changed: 2 policies, 2 task definitions and
    # the service; replaced: the repository and the target group.
    assert "| `ReviewApp` | 2 | 1 | 5 | 2 | 0 | 0 |" in diff_report
    assert "| `ReviewEdge` | 0 | 0 | 0 | 0 | 0 | 0 |" in diff_report
    assert (
        "- Changes: 2 added, 1 removed, 5 changed, 2 replaced, 0 may be replaced, 0 not checked"
    ) in diff_report


def test_renamed_repository_leaves_the_new_tasks_without_an_image(
    diff_report: str, head_dir: Path
) -> None:
    repository = _logical_id(head_dir, "ReviewApp", "Images", "AWS::ECR::Repository")
    service = _logical_id(head_dir, "ReviewApp", "WebService", "AWS::ECS::Service")
    task = _logical_id(head_dir, "ReviewApp", "WebTask", "AWS::ECS::TaskDefinition")
    consequences = _section(diff_report, "### What refers to replaced and removed resources")
    assert (
        f"`ReviewApp/{repository}` (`AWS::ECR::Repository`) is renamed → replaced; what refers "
        "to it:"
    ) in consequences
    assert (
        f"- `{task}` (`AWS::ECS::TaskDefinition`) in `ContainerDefinitions[0].Image`: a new "
        "revision: its tasks pull from a new, empty repository and fail to pull the image "
        f"(`CannotPullContainerError`) until an image is pushed to it; service `{service}` "
        "redeploys"
    ) in consequences
    deployments = _section(diff_report, "### ECS deployments")
    assert f"| `ReviewApp/{service}` | new revision of task definition `{task}`" in deployments


def test_data_loss_warnings_open_the_change_section(diff_report: str) -> None:
    changes = _section(diff_report, "## Changes against the base")
    warnings = changes[: changes.index("| Stack |")]
    assert warnings.lstrip().startswith("### ⚠️ Data-loss warnings")
    log_group = next(line for line in warnings.splitlines() if "AuditLogs" in line)
    assert "**CloudFormation deletes it and its data** (DeletionPolicy Delete)" in log_group
    repository = next(line for line in warnings.splitlines() if "Repository" in line)
    assert "renamed to `Images" in repository
    assert (
        "stay in the account, no longer managed by the stack (DeletionPolicy Retain)" in repository
    )
    assert "**2 data-loss warning(s)**" in diff_report


def test_report_snapshot(
    diff_report: str, snapshot: SnapshotAssertion, head_dir: Path, base_dir: Path
) -> None:
    assert render_report(head_dir, against=base_dir) == diff_report  # deterministic
    assert not ASSET_HASH.search(diff_report)
    assert diff_report == snapshot(extension_class=MarkdownSnapshot)


class MarkdownSnapshot(SingleFileSnapshotExtension):
    """The report as a reviewable ``.md`` file."""

    _write_mode = WriteMode.TEXT
    file_extension = "md"


def test_report_does_not_depend_on_template_key_order(
    head_dir: Path, report: str, tmp_path: Path
) -> None:
    stacks = {}
    for name in ("ReviewApp", "ReviewEdge"):
        template = _template(head_dir, name)
        template["Resources"] = dict(reversed(list(template["Resources"].items())))
        template["Outputs"] = dict(reversed(list(template.get("Outputs", {}).items())))
        stacks[name] = template
    shuffled = _write_assembly(tmp_path / "shuffled", dict(reversed(list(stacks.items()))))
    assert render_report(shuffled) == report


# ---- CLI ------------------------------------------------------------------------------------
def test_cli_prints_the_report(head_dir: Path, base_dir: Path, diff_report: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "constructs_ecs.review", str(head_dir), "--against", str(base_dir)],
        capture_output=True,
        cwd=REPO,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8") == diff_report


def test_cli_writes_the_report_to_a_file(head_dir: Path, report: str, tmp_path: Path) -> None:
    output = tmp_path / "review.md"
    result = subprocess.run(
        [sys.executable, "-m", "constructs_ecs.review", str(head_dir), "--output", str(output)],
        capture_output=True,
        cwd=REPO,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""
    assert output.read_text(encoding="utf-8") == report


def test_cli_shortens_the_report_to_max_chars(head_dir: Path, report: str) -> None:
    def run(*limit: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "constructs_ecs.review", str(head_dir), *limit],
            capture_output=True,
            cwd=REPO,
            check=True,
            timeout=120,
        )
        return result.stdout.decode("utf-8")

    assert len(report) < 65536  # so the default limit (a GitHub comment) leaves it whole
    assert run() == report == run("--max-chars", "0")
    assert run("--max-chars", "1500") == render_report(head_dir, max_chars=1500)
    assert len(run("--max-chars", "1500")) <= 1500


def test_cli_fails_when_the_directory_has_no_manifest(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "constructs_ecs.review", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2
    assert f"{tmp_path}: no manifest.json" in result.stderr
    assert "cdk.out" in result.stderr


def test_fails_when_the_directory_has_no_manifest(tmp_path: Path) -> None:
    with pytest.raises(AssemblyError, match=r"no manifest\.json; pass the output directory"):
        render_report(tmp_path)


# ---- replacement table, intrinsics, resolution, odd shapes ----------------------------------
def test_replacement_table_matches_the_cloudformation_schemas() -> None:
    from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

    def dotted(paths: list[str]) -> frozenset[str]:
        return frozenset(p.removeprefix("/properties/").replace("/", ".") for p in paths)

    stale = {}
    for resource_type, (always, conditional) in REPLACEMENT_PROPERTIES.items():
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
        expected = (
            dotted(schema.get("createOnlyProperties", [])),
            dotted(schema.get("conditionalCreateOnlyProperties", [])),
        )
        if (always, conditional) != expected:
            stale[resource_type] = expected
    assert not stale, f"update REPLACEMENT_PROPERTIES: {stale}"
    assert "AWS::ECS::Service" in REPLACEMENT_PROPERTIES


@pytest.mark.parametrize(
    ("resource_type", "path", "verdict"),
    [
        ("AWS::ECR::Repository", "RepositoryName", "always"),
        ("AWS::ECR::Repository", "LifecyclePolicy.LifecyclePolicyText", None),
        # Conditionally create-only in the schema, "Some interruptions" in the documentation.
        ("AWS::ECS::Service", "LaunchType", None),
        ("AWS::DynamoDB::Table", "KeySchema", "always"),  # conditional in the schema
        ("AWS::KMS::Key", "KeySpec", "always"),  # absent from the schema
        ("AWS::ECS::TaskDefinition", "Volumes[0].Name", "always"),
        ("AWS::ECS::Service", "DesiredCount", None),
        ("AWS::ECS::CapacityProvider", "AutoScalingGroupProvider.AutoScalingGroupArn", "always"),
        ("AWS::ECS::CapacityProvider", "AutoScalingGroupProvider", "always"),
        ("AWS::ECS::TaskDefinition", "ContainerDefinitions[0].Image", "always"),
        ("AWS::Made::Up", "Anything", None),
    ],
)
def test_replacement_verdicts(resource_type: str, path: str, verdict: str | None) -> None:
    assert replacement(resource_type, path) == verdict


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "Bucket"}, "Ref(Bucket)"),
        ({"Fn::GetAtt": ["Role", "Arn"]}, "GetAtt(Role.Arn)"),
        ({"Fn::GetAtt": "Role.Arn"}, "GetAtt(Role.Arn)"),
        (
            {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "B"}, "/*"]]},
            "arn:${AWS::Partition}:s3:::${B}/*",
        ),
        ({"Fn::Join": [",", ["a", {"Ref": "B"}]]}, 'Join(",", [a, Ref(B)])'),
        ({"Fn::Sub": ["${A}-x", {"A": {"Ref": "Q"}}]}, "${Q}-x"),
        ({"Fn::ImportValue": "Shared:Vpc"}, "ImportValue(Shared:Vpc)"),
        ({"Fn::Select": [0, {"Fn::GetAZs": ""}]}, "Select(0, GetAZs())"),
        ({"Fn::If": ["Prod", 2, {"Ref": "AWS::NoValue"}]}, "If(Prod, 2, Ref(AWS::NoValue))"),
        ({"Fn::Split": [":", {"Ref": "X"}]}, 'Split(":", Ref(X))'),
        ({"Key": "k", "Value": True}, "{Key: k, Value: true}"),
        ([1, None, "x"], "[1, null, x]"),
    ],
)
def test_intrinsics_render_compactly(value: Any, expected: str) -> None:
    assert render(value) == expected


def test_references_resolve_through_exports_stack_outputs_and_ssm(tmp_path: Path) -> None:
    producer = {
        "Resources": {
            "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {}},
            "Subnet1": {"Type": "AWS::EC2::Subnet"},
            "Subnet2": {"Type": "AWS::EC2::Subnet"},
            "Param": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {
                    "Name": "/app/listener",
                    "Type": "String",
                    "Value": {"Ref": "Listener"},
                },
            },
        },
        "Outputs": {
            "L": {
                "Value": {"Ref": "Listener"},
                "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-listener"}},
            },
            "S": {
                "Value": {"Fn::Join": [",", [{"Ref": "Subnet1"}, {"Ref": "Subnet2"}]]},
                "Export": {"Name": "subnets"},
            },
        },
    }
    consumer = {
        "Parameters": {
            "ListenerParam": {
                "Type": "AWS::SSM::Parameter::Value<String>",
                "Default": "/app/listener",
            }
        },
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
    }
    assembly = load_assembly(
        _write_assembly(tmp_path / "a", {"Producer": producer, "Consumer": consumer})
    )
    resolver = Resolver(assembly)
    stack = assembly.stack("Consumer")
    listener = ("Producer", "Listener")
    assert resolver.key(stack, {"Fn::ImportValue": "Producer-listener"}) == listener
    assert (
        resolver.key(stack, {"Fn::GetStackOutput": {"StackName": "Producer", "OutputName": "L"}})
        == listener
    )
    assert resolver.key(stack, {"Ref": "ListenerParam"}) == listener
    assert resolver.key(stack, "{{resolve:ssm:/app/listener}}") == listener
    second_subnet = {"Fn::Select": [1, {"Fn::Split": [",", {"Fn::ImportValue": "subnets"}]}]}
    assert resolver.key(stack, second_subnet) == ("Producer", "Subnet2")
    assert resolver.key(stack, {"Fn::ImportValue": "missing"}) is None
    assert resolver.render(stack, {"Ref": "ListenerParam"}) == "Ref(Producer/Listener)"


def test_odd_shapes_do_not_crash(tmp_path: Path) -> None:
    odd = {
        "Resources": {
            "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer"},
            "Listener": {
                "Type": "AWS::ElasticLoadBalancingV2::Listener",
                "Properties": {
                    "LoadBalancerArn": {"Ref": "Lb"},
                    "Port": {"Fn::If": ["Tls", 443, 80]},
                    "Protocol": {"Ref": "Proto"},
                    "DefaultActions": {"Fn::If": ["Tls", [], []]},
                    "Certificates": [{"CertificateArn": {"Ref": "Cert"}}],
                },
            },
            "Rule": {
                "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
                "Properties": {
                    "ListenerArn": "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/x",
                    "Priority": {"Ref": "Priority"},
                    "Conditions": [
                        {"Field": "host-header", "HostHeaderConfig": {"Values": ["a.example.com"]}},
                        "junk",
                    ],
                    "Actions": [
                        {"Type": "authenticate-oidc"},
                        {
                            "Type": "forward",
                            "ForwardConfig": {
                                "TargetGroups": [{"TargetGroupArn": "arn:tg", "Weight": 1}]
                            },
                        },
                    ],
                },
            },
            "Sg": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "SecurityGroupIngress": [
                        {"IpProtocol": -1, "CidrIpv6": "::/0"},
                        {"Fn::If": ["X", {}, {}]},
                        {
                            "IpProtocol": "tcp",
                            "FromPort": {"Ref": "P"},
                            "ToPort": {"Ref": "P"},
                            "SourcePrefixListId": "pl-1",
                        },
                    ]
                },
            },
            "Ingress": {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {
                    "GroupId": "sg-123",
                    "IpProtocol": "icmp",
                    "FromPort": 8,
                    "ToPort": -1,
                    "CidrIp": "10.0.0.0/8",
                },
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": {
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "sts:AssumeRole",
                        }
                    },
                    "Policies": [
                        {
                            "PolicyName": "p",
                            "PolicyDocument": {
                                "Statement": {
                                    "Effect": "Allow",
                                    "NotAction": "iam:*",
                                    "Resource": "*",
                                }
                            },
                        },
                        {"Fn::If": ["c", {}, {}]},
                    ],
                    "ManagedPolicyArns": [
                        "arn:aws:iam::aws:policy/AdministratorAccess",
                        {"Ref": "External"},
                    ],
                },
            },
            "Orphan": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "Roles": ["someone-elses-role"],
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Deny",
                                "Action": ["s3:*"],
                                "Resource": ["arn:aws:s3:::b/*"],
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ]
                    },
                },
            },
            "Service": {
                "Type": "AWS::ECS::Service",
                "Properties": {
                    "TaskDefinition": {"Ref": "Task"},
                    "LoadBalancers": [
                        {"TargetGroupArn": "arn:tg2", "ContainerName": "c", "ContainerPort": 80}
                    ],
                    "ServiceConnectConfiguration": {"Enabled": True},
                    "NetworkConfiguration": {
                        "AwsvpcConfiguration": {
                            "AssignPublicIp": "ENABLED",
                            "SecurityGroups": [{"Fn::GetAtt": ["Sg", "GroupId"]}],
                        }
                    },
                },
            },
            "Task": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {
                    "ContainerDefinitions": [
                        {
                            "Name": "c",
                            "Image": {"Ref": "Image"},
                            "PortMappings": [{"ContainerPort": 80, "Protocol": "udp"}],
                        },
                        "junk",
                    ]
                },
            },
            "Sched": {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {
                    "ScheduleExpression": "rate(1 hour)",
                    "Target": {
                        "Arn": "x",
                        "RoleArn": "y",
                        "EcsParameters": {"TaskDefinitionArn": "arn:task:1"},
                    },
                },
            },
            "NoProps": {"Type": "AWS::SNS::Topic", "Properties": "nonsense"},
            "NotAResource": "text",
        }
    }
    text = render_report(_write_assembly(tmp_path / "a", {"Odd": odd}))
    assert "listener outside this assembly" in text
    assert "⚠️ **`::/0`** open to the internet" in text
    assert "⚠️ **NotAction**" in text
    assert "⚠️ **`AdministratorAccess`**" in text
    assert "#### Role outside this assembly: `someone-elses-role`" in text
    # A wildcard in a Deny protects: it is not highlighted.
    deny = "| **Deny** | `arn:aws:s3:::b/*` | `s3:*` | `Bool aws:SecureTransport = false` |"
    assert deny in text
    assert "tasks get public IP addresses" in text
    assert "- Trusted by: ⚠️ **`*`**" in text
    assert "authenticate-oidc" in _nodes(text)["n_Odd_Rule"]


def test_nested_assemblies_are_read(tmp_path: Path) -> None:
    queue = _resources(Queue={"Type": "AWS::SQS::Queue"})
    directory = _write_assembly(
        tmp_path / "a", {"Top": queue}, nested={"Prod": {"Prod-Api": queue}}
    )
    assert [stack.key for stack in load_assembly(directory).stacks] == ["Prod-Api", "Top"]
    assert "## Stack `Prod-Api`" in render_report(directory)


def test_nested_stack_templates_are_read(tmp_path: Path) -> None:
    parent = _resources(
        Child={
            "Type": "AWS::CloudFormation::Stack",
            "Metadata": {"aws:asset:path": "ParentChild.nested.template.json"},
            "Properties": {"TemplateURL": "https://example.com/x.json"},
        }
    )
    directory = _write_assembly(tmp_path / "a", {"Parent": parent})
    child = _resources(Queue={"Type": "AWS::SQS::Queue"})
    (directory / "ParentChild.nested.template.json").write_text(json.dumps(child))
    assembly = load_assembly(directory)
    assert [stack.key for stack in assembly.stacks] == ["Parent", "Parent/Child"]
    assert assembly.stack("Parent/Child").resources == child["Resources"]


def _diff(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> str:
    base = _write_assembly(tmp_path / "base", {"S": old})
    head = _write_assembly(tmp_path / "head", {"S": new})
    return render_report(head, against=base)


def test_dropping_retention_is_a_data_loss_warning(tmp_path: Path) -> None:
    retained = {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
    }
    text = _diff(tmp_path, _resources(B=retained), _resources(B={"Type": "AWS::S3::Bucket"}))
    assert "DeletionPolicy Retain → Delete: a later removal or replacement deletes its data" in text
    assert "`DeletionPolicy`: `Retain` → *(absent)*" in text


def test_replacing_a_custom_named_resource_is_flagged_as_failing(tmp_path: Path) -> None:
    def group(port: int) -> dict[str, Any]:
        return {
            "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
            "Properties": {"Name": "web", "Port": port},
        }

    text = _diff(tmp_path, _resources(Tg=group(80)), _resources(Tg=group(81)))
    row = next(line for line in text.splitlines() if line.startswith("| 🔁 **replaced** | `Tg`"))
    assert "the custom name `Name` `web` is unchanged" in row
    assert "the update fails" in row


def test_replacing_a_stateful_resource_in_place_warns(tmp_path: Path) -> None:
    def log_group(name: str) -> dict[str, Any]:
        return {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": name}}

    text = _diff(tmp_path, _resources(Logs=log_group("/a")), _resources(Logs=log_group("/b")))
    assert (
        "`S/Logs` (`AWS::Logs::LogGroup`): replaced: a new, empty one is created and "
        "**the old one is deleted with its data** (UpdateReplacePolicy Delete)"
    ) in text


def test_a_stack_that_disappears_is_left_in_place(tmp_path: Path) -> None:
    base = _write_assembly(tmp_path / "base", {"Gone": _resources(Q={"Type": "AWS::SQS::Queue"})})
    head = _write_assembly(tmp_path / "head", {"New": _resources(T={"Type": "AWS::SNS::Topic"})})
    text = render_report(head, against=base)
    assert "| `Gone` (removed) | 0 | 1 | 0 | 0 |" in text
    assert "`cdk deploy` leaves the deployed stack and its 1 resources in place" in text
    assert "New stack with 1 resources." in text
    assert "Data-loss warnings" not in text


# --- size limit (a GitHub comment holds 65,536 characters) ------------------------------------


def _stack_headings(text: str) -> list[str]:
    return re.findall(r"(?m)^## Stack `(.+)`$", text)


def test_report_within_the_limit_is_unchanged(head_dir: Path, report: str) -> None:
    assert render_report(head_dir, max_chars=len(report)) == report


def test_report_over_the_limit_leaves_out_the_diagram_first(head_dir: Path, report: str) -> None:
    limit = len(report) - 1
    text = render_report(head_dir, max_chars=limit)
    assert len(text) <= limit
    assert "```mermaid" not in text
    assert re.search(r"The traffic diagram \(\d+ characters\) is left out", text)
    assert "## Summary" in text
    assert _stack_headings(text) == _stack_headings(report)  # every stack still there


def test_report_leaves_out_whole_stacks_from_the_last(head_dir: Path, report: str) -> None:
    stacks = _stack_headings(report)
    assert len(stacks) >= 2
    last = report.index(f"## Stack `{stacks[-1]}`")
    diagram = report.index("## Summary") - report.index("```mermaid")
    # Room for all but the last stack once the diagram is out, with the notes (under 1000).
    limit = last - diagram + 1000
    assert len(report) - last > 1000  # the last stack does not fit in that room
    text = render_report(head_dir, max_chars=limit)
    assert len(text) <= limit
    assert _stack_headings(text) == stacks[:-1]
    assert f"Left out to fit {limit} characters: stack `{stacks[-1]}`" in text


def test_report_keeps_summary_and_changes_before_any_stack(
    head_dir: Path, base_dir: Path, diff_report: str
) -> None:
    changes = diff_report.index("## Changes")
    first_stack = diff_report.index("## Stack `")
    limit = first_stack - changes + 1200
    text = render_report(head_dir, against=base_dir, max_chars=limit)
    assert len(text) <= limit
    assert "## Summary" in text
    assert _stack_headings(text) == []


def test_report_is_cut_at_a_line_when_even_the_summary_is_over(head_dir: Path) -> None:
    text = render_report(head_dir, max_chars=600)
    assert len(text) <= 600
    assert text.endswith(
        "*Cut at 600 characters; run `python -m constructs_ecs.review` with "
        "`--max-chars 0` for the whole report.*\n"
    )


# --- resource policies ------------------------------------------------------------------------


def _policies(text: str, stack: str) -> str:
    section = _section(text, f"## Stack `{stack}`")
    return section[section.index("### Resource policies") :]


def test_resource_policies_list_the_queue_policy_with_its_statements(report: str) -> None:
    policies = "\n".join(_policies(report, stack) for stack in _stack_headings(report))
    assert re.search(r"(?m)^#### `JobsPolicy\w+` on `Jobs\w+`$", policies), policies
    assert re.search(
        r"\| \*\*Deny\*\* \| `AWS: \*` \| `sqs:\*` \| `GetAtt\(Jobs\w+\.Arn\)` \| "
        r"`Bool aws:SecureTransport = false` \|",
        policies,
    )
    assert "none allows anyone without a condition" in report  # a Deny is not an opening


def test_resource_policy_that_allows_anyone_without_condition_is_flagged(tmp_path: Path) -> None:
    def statement(**extra: Any) -> dict[str, Any]:
        return {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", **extra}

    template = _resources(
        Bucket={"Type": "AWS::S3::Bucket"},
        Open={
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "Bucket"},
                "PolicyDocument": {"Statement": [statement(Resource="arn:aws:s3:::b/*")]},
            },
        },
        Repo={
            "Type": "AWS::ECR::Repository",
            "Properties": {
                "RepositoryPolicyText": {
                    "Statement": [
                        statement(
                            Action="ecr:BatchGetImage",
                            Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
                        )
                    ]
                }
            },
        },
    )
    text = render_report(_write_assembly(tmp_path / "a", {"S": template}))
    policies = _policies(text, "S")
    assert "#### `Open` on `Bucket` ⚠️" in policies
    assert "| Allow | ⚠️ **`*`** | `s3:GetObject` | `arn:aws:s3:::b/*` | — |" in policies
    assert "#### Policy of `Repo`\n" in policies  # conditioned on the organization: not flagged
    assert "StringEquals aws:PrincipalOrgID = o-abc123" in policies
    assert "2 resource polic(ies); ⚠️ **1 statement(s) allow anyone, with no condition**" in text


def test_stack_without_resource_policies_says_so(tmp_path: Path) -> None:
    template = _resources(Topic={"Type": "AWS::SNS::Topic"})
    text = render_report(_write_assembly(tmp_path / "a", {"S": template}))
    assert "No bucket, topic, queue, repository or key policy in this stack." in _policies(
        text, "S"
    )
    assert "- 0 resource polic(ies); none allows anyone without a condition" in text
