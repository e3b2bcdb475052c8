"""Binding a TaskDefinitionSpec: the Ec2TaskDefinition, its roles, grants, logs and overrides.

One app, four stacks, synthesized once (cdk-nag on): the concept's webserver, a kitchen sink
using every field, a task with existing roles, and a task built with the Python API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Template
from constructs import Construct

from constructs_ecs._errors import ConfigurationError
from constructs_ecs._nag import REASON_ECR_TOKEN
from constructs_ecs.taskdef import (
    BoundTaskDefinition,
    ContainerSpec,
    PortMapping,
    TaskDefinitionSpec,
)
from constructs_ecs.taskdef._bind import REASON_ENVIRONMENT, REASON_LOG_STREAMS
from constructs_ecs.testing import (
    NagFindingsError,
    assert_cfn_lint_clean,
    nag_acknowledgements,
    new_app,
    resource_manifest,
    template_of,
)
from tests.conftest import CDK_JSON, make_stack
from tests.roundtrip import missing_fields

DATA = Path(__file__).parent / "data"
TASK_ROLE = "arn:aws:iam::123456789012:role/appTaskRole"
EXECUTION_ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

IMPORTED = {
    "family": "imported",
    "taskRoleArn": TASK_ROLE,
    "executionRoleArn": EXECUTION_ROLE,
    "containerDefinitions": [
        {
            "name": "app",
            "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
            "memory": 128,
            "secrets": [
                {
                    "name": "TOKEN",
                    "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/app/token",
                }
            ],
        }
    ],
}


class RepositoryImages:
    """Stands in for constructs_ecs.ImageRepository: ``image(tag)`` from one ECR repository."""

    def __init__(self, repository: ecr.IRepository) -> None:
        self.repository = repository

    def image(self, tag: str) -> ecs.ContainerImage:
        return ecs.ContainerImage.from_ecr_repository(self.repository, tag)


@dataclass(frozen=True)
class Bound:
    stack: cdk.Stack
    bound: BoundTaskDefinition
    template: dict[str, Any]

    @property
    def assertions(self) -> Template:
        return Template.from_json(self.template)

    @property
    def properties(self) -> dict[str, Any]:
        cfn = self.bound.task_definition.node.default_child
        assert isinstance(cfn, cdk.CfnResource)
        logical_id = self.stack.resolve(cfn.logical_id)
        props: dict[str, Any] = self.template["Resources"][logical_id]["Properties"]
        return props

    def container(self, name: str) -> dict[str, Any]:
        found = [c for c in self.properties["ContainerDefinitions"] if c["Name"] == name]
        assert len(found) == 1
        return found[0]

    def statements(self, role: str) -> list[dict[str, Any]]:
        """Statements of the DefaultPolicy of ``role`` ("TaskRole" or "ExecutionRole")."""
        policies = [
            r
            for logical_id, r in self.template["Resources"].items()
            if r["Type"] == "AWS::IAM::Policy" and logical_id.startswith(f"TaskDefinition{role}")
        ]
        assert len(policies) == 1, [p["Properties"]["PolicyName"] for p in policies]
        statements: list[dict[str, Any]] = policies[0]["Properties"]["PolicyDocument"]["Statement"]
        return statements


def _log_group(stack: cdk.Stack) -> logs.LogGroup:
    return logs.LogGroup(
        stack,
        "LogGroup",
        retention=logs.RetentionDays.ONE_MONTH,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )


@pytest.fixture(scope="module")
def bound() -> dict[str, Bound]:
    app = new_app(cdk_json=CDK_JSON)
    specs: dict[str, tuple[cdk.Stack, BoundTaskDefinition]] = {}
    for name, source in (
        ("Webserver", DATA / "webserver.json"),
        ("KitchenSink", DATA / "kitchen-sink.json"),
        ("Imported", IMPORTED),
    ):
        stack = cdk.Stack(app, name)
        spec = (
            TaskDefinitionSpec.from_file(source)
            if isinstance(source, Path)
            else TaskDefinitionSpec.from_dict(source)
        )
        specs[name] = (stack, spec.bind(stack, "TaskDefinition", log_group=_log_group(stack)))

    stack = cdk.Stack(app, "PythonApi")
    repository = ecr.Repository(stack, "Repository", removal_policy=cdk.RemovalPolicy.RETAIN)
    spec = TaskDefinitionSpec(
        family="python-api",
        network_mode="awsvpc",
        cpu=512,
        memory_mib=1024,
        containers=[
            ContainerSpec(
                name="api",
                image=RepositoryImages(repository).image("1.0.0"),
                port_mappings=[PortMapping(container_port=8080)],
            ),
            ContainerSpec(
                name="worker",
                image="public.ecr.aws/docker/library/busybox:1.36",
                environment={"QUEUE": "jobs", "DB_PASSWORD": "hunter2"},
                essential=False,
            ),
        ],
    )
    specs["PythonApi"] = (stack, spec.bind(stack, "TaskDefinition", log_group=_log_group(stack)))
    # The credential-looking name is on purpose (see the warning test); a user acknowledges so.
    cdk.Validations.of(specs["PythonApi"][1].task_definition).acknowledge(
        cdk.Acknowledgment(
            id="Annotation::@constructs-ecs/taskdef:secretInEnvironment",
            reason="test fixture: DB_PASSWORD shows the warning",
        )
    )
    return {
        name: Bound(stack=stack, bound=bound_td, template=template_of(stack))
        for name, (stack, bound_td) in specs.items()
    }


# --------------------------------------------------------------------------- webserver


def test_webserver_container_is_the_concepts_example(bound: dict[str, Bound]) -> None:
    web = bound["Webserver"]
    assert web.properties["Family"] == "webserver"
    assert web.properties["NetworkMode"] == "bridge"
    assert web.properties["RequiresCompatibilities"] == ["EC2"]
    container = web.container("web")
    assert container["Image"] == "nginx"
    assert container["Cpu"] == 99
    assert container["Memory"] == 100
    assert container["PortMappings"] == [{"ContainerPort": 80, "HostPort": 80, "Protocol": "tcp"}]


def test_webserver_logs_to_the_given_log_group_with_the_container_name_as_prefix(
    bound: dict[str, Bound],
) -> None:
    log = bound["Webserver"].container("web")["LogConfiguration"]
    assert log["LogDriver"] == "awslogs"
    assert log["Options"]["awslogs-group"] == {"Ref": "LogGroupF5B46931"}
    assert log["Options"]["awslogs-stream-prefix"] == "web"


def test_webserver_execution_role_may_only_write_to_its_log_group(
    bound: dict[str, Bound],
) -> None:
    assert bound["Webserver"].statements("ExecutionRole") == [
        {
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": ["LogGroupF5B46931", "Arn"]},
        }
    ]


def test_webserver_task_role_has_no_permissions(bound: dict[str, Bound]) -> None:
    template = bound["Webserver"].assertions
    template.resource_count_is("AWS::IAM::Role", 2)
    template.resource_count_is("AWS::IAM::Policy", 1)
    assert bound["Webserver"].properties.get("Cpu") is None
    assert bound["Webserver"].properties.get("Memory") is None


def test_webserver_snapshot(bound: dict[str, Bound], snapshot_json: Any) -> None:
    template = bound["Webserver"].template
    assert resource_manifest(template) == {
        "LogGroupF5B46931": "AWS::Logs::LogGroup",
        "TaskDefinitionB36D86D9": "AWS::ECS::TaskDefinition",
        "TaskDefinitionExecutionRole8D61C2FB": "AWS::IAM::Role",
        "TaskDefinitionExecutionRoleDefaultPolicy1F3406F5": "AWS::IAM::Policy",
        "TaskDefinitionTaskRoleFD40A61D": "AWS::IAM::Role",
    }
    assert template == snapshot_json


def test_bound_exposes_the_l2s(bound: dict[str, Bound]) -> None:
    web = bound["Webserver"].bound
    assert isinstance(web.task_definition, ecs.Ec2TaskDefinition)
    assert list(web.containers) == ["web"]
    assert web.containers["web"].container_name == "web"
    default = web.task_definition.default_container
    assert default is not None
    assert default.node.path == web.containers["web"].node.path
    execution_role = web.task_definition.execution_role
    assert execution_role is not None
    assert web.task_role.node.path == web.task_definition.task_role.node.path
    assert (
        web.execution_role.node.path
        == execution_role.node.path
        == ("Webserver/TaskDefinition/ExecutionRole")
    )


# --------------------------------------------------------------------------- kitchen sink


def test_kitchen_sink_round_trips_every_field(bound: dict[str, Bound]) -> None:
    document = json.loads((DATA / "kitchen-sink.json").read_text(encoding="utf-8"))
    assert missing_fields(document, bound["KitchenSink"].properties) == []


def test_task_level_sizes_are_normalised_to_what_ecs_registers(bound: dict[str, Bound]) -> None:
    properties = bound["KitchenSink"].properties
    assert properties["Cpu"] == "1024"
    assert properties["Memory"] == "2048"
    assert properties["RuntimePlatform"] == {
        "CpuArchitecture": "ARM64",
        "OperatingSystemFamily": "LINUX",
    }


def test_overrides_use_cloudformation_shapes(bound: dict[str, Bound]) -> None:
    app = bound["KitchenSink"].container("app")
    assert app["LinuxParameters"] == {
        "Capabilities": {"Add": ["NET_BIND_SERVICE"], "Drop": ["MKNOD", "NET_RAW"]},
        "Devices": [
            {
                "HostPath": "/dev/fuse",
                "ContainerPath": "/dev/fuse",
                "Permissions": ["read", "write"],
            }
        ],
        "InitProcessEnabled": True,
        "SharedMemorySize": 128,
        "Tmpfs": [{"ContainerPath": "/tmp", "Size": 64, "MountOptions": ["noexec", "mode=1777"]}],
        "MaxSwap": 512,
        "Swappiness": 10,
    }
    assert app["Ulimits"] == [{"Name": "nofile", "SoftLimit": 65536, "HardLimit": 65536}]
    assert app["ExtraHosts"] == [{"Hostname": "db.internal", "IpAddress": "10.0.12.7"}]
    assert app["VolumesFrom"] == [{"SourceContainer": "sidecar", "ReadOnly": True}]
    assert app["MountPoints"][1] == {"SourceVolume": "host-logs", "ContainerPath": "/logs"}
    assert app["ResourceRequirements"] == [{"Type": "GPU", "Value": "1"}]
    assert app["PortMappings"][2] == {"ContainerPortRange": "9000-9010", "Protocol": "udp"}


def test_volumes_of_every_kind(bound: dict[str, Bound]) -> None:
    volumes = {v["Name"]: v for v in bound["KitchenSink"].properties["Volumes"]}
    assert volumes["scratch"] == {"Name": "scratch"}
    assert volumes["host-logs"]["Host"] == {"SourcePath": "/var/log/app"}
    assert volumes["cache"]["DockerVolumeConfiguration"]["Autoprovision"] is True
    assert volumes["shared-data"]["EFSVolumeConfiguration"] == {
        "FilesystemId": "fs-0123456789abcdef0",
        "RootDirectory": "/",
        "TransitEncryption": "ENABLED",
        "TransitEncryptionPort": 2049,
        "AuthorizationConfig": {"AccessPointId": "fsap-0123456789abcdef0", "IAM": "ENABLED"},
    }


def test_firelens_router_keeps_its_options_and_no_default_router_is_added(
    bound: dict[str, Bound],
) -> None:
    names = [c["Name"] for c in bound["KitchenSink"].properties["ContainerDefinitions"]]
    assert names == ["app", "sidecar", "init", "log_router"]
    assert bound["KitchenSink"].container("log_router")["FirelensConfiguration"] == {
        "Type": "fluentbit",
        "Options": {
            "enable-ecs-log-metadata": "true",
            "config-file-type": "s3",
            "config-file-value": "arn:aws:s3:::config-bucket/fluent-bit/extra.conf",
        },
    }
    assert bound["KitchenSink"].container("app")["LogConfiguration"]["LogDriver"] == "awsfirelens"


def test_log_secret_options_reach_the_template(bound: dict[str, Bound]) -> None:
    log = bound["KitchenSink"].container("sidecar")["LogConfiguration"]
    assert log == {
        "LogDriver": "splunk",
        "Options": {"splunk-url": "https://splunk.example.com:8088"},
        "SecretOptions": [
            {
                "Name": "splunk-token",
                "ValueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
                "splunk-token-ZxCvBn",
            }
        ],
    }


def _statement(statements: list[dict[str, Any]], action: str) -> dict[str, Any]:
    found = [s for s in statements if action in json.dumps(s["Action"])]
    assert len(found) == 1, found
    return found[0]


def test_execution_role_reads_exactly_the_secrets(bound: dict[str, Bound]) -> None:
    statements = bound["KitchenSink"].statements("ExecutionRole")
    secrets = _statement(statements, "secretsmanager:GetSecretValue")
    assert secrets["Action"] == "secretsmanager:GetSecretValue"
    assert secrets["Resource"] == [
        # the json-key suffix is not part of the secret's ARN
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/db-AbCdEf",
        # a partial ARN (no six-character suffix) matches only that secret's versions
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/signing-??????",
        # repositoryCredentials and the log driver's secretOptions
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-login-QwErTy",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:splunk-token-ZxCvBn",
    ]
    parameters = _statement(statements, "ssm:GetParameters")
    assert parameters["Action"] == "ssm:GetParameters"
    assert parameters["Resource"][:2] == [
        "arn:aws:ssm:us-east-1:123456789012:parameter/orders/api-token",
        "arn:aws:ssm:us-east-1:123456789012:parameter/orders/gmsa-credspec",
    ]
    # a bare parameter name: this stack's partition, region and account
    assert parameters["Resource"][2] == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ssm:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":parameter/orders/db-password",
            ],
        ]
    }


def test_execution_role_pulls_only_the_ecr_repository_the_image_names(
    bound: dict[str, Bound],
) -> None:
    statements = bound["KitchenSink"].statements("ExecutionRole")
    pull = _statement(statements, "ecr:BatchGetImage")
    assert pull["Resource"] == "arn:aws:ecr:us-east-1:123456789012:repository/orders"
    token = _statement(statements, "ecr:GetAuthorizationToken")
    assert token == {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"}


def test_execution_role_reads_environment_files_and_the_firelens_config(
    bound: dict[str, Bound],
) -> None:
    statements = bound["KitchenSink"].statements("ExecutionRole")
    assert _statement(statements, "s3:GetObject")["Resource"] == [
        "arn:aws:s3:::config-bucket/fluent-bit/extra.conf",
        "arn:aws:s3:::config-bucket/orders/app.env",
    ]
    assert (
        _statement(statements, "s3:GetBucketLocation")["Resource"] == "arn:aws:s3:::config-bucket"
    )


def test_execution_role_writes_to_the_log_groups_of_awslogs_configurations(
    bound: dict[str, Bound],
) -> None:
    statements = bound["KitchenSink"].statements("ExecutionRole")
    write = _statement(statements, "logs:PutLogEvents")
    rendered = json.dumps(write["Resource"])
    assert '"LogGroupF5B46931", "Arn"' in rendered
    assert ":logs:us-east-1:" in rendered
    assert ":log-group:/ecs/firelens:*" in rendered
    create = _statement(statements, "logs:CreateLogGroup")
    assert len(create["Resource"]) == 2


def test_task_role_mounts_the_efs_file_system_with_iam(bound: dict[str, Bound]) -> None:
    (statement,) = bound["KitchenSink"].statements("TaskRole")
    assert statement["Action"] == ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    assert statement["Resource"]["Fn::Join"][1][-1] == ":file-system/fs-0123456789abcdef0"


def test_nag_acknowledgements_are_one_rule_one_resource(bound: dict[str, Bound]) -> None:
    acks = nag_acknowledgements(bound["KitchenSink"].template)
    assert acks == {
        "AwsSolutions-ECS2": ["TaskDefinitionB36D86D9"],
        "AwsSolutions-IAM5[Resource::*]": ["TaskDefinitionExecutionRoleDefaultPolicy1F3406F5"],
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:us-east-1:<AWS::AccountId>:"
        "log-group:/ecs/firelens:*]": ["TaskDefinitionExecutionRoleDefaultPolicy1F3406F5"],
    }
    reasons = {
        rule["id"]: rule["reason"]
        for resource in bound["KitchenSink"].template["Resources"].values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    }
    assert reasons["AwsSolutions-ECS2"] == REASON_ENVIRONMENT
    assert reasons["AwsSolutions-IAM5[Resource::*]"] == REASON_ECR_TOKEN
    assert REASON_LOG_STREAMS in reasons.values()


def test_kitchen_sink_snapshot(bound: dict[str, Bound], snapshot_json: Any) -> None:
    template = bound["KitchenSink"].template
    assert bound["KitchenSink"].properties["Tags"] == [{"Key": "team", "Value": "platform"}]
    assert template == snapshot_json


# --------------------------------------------------------------------------- existing roles


def test_existing_roles_are_used_as_given(bound: dict[str, Bound]) -> None:
    imported = bound["Imported"]
    assert imported.properties["TaskRoleArn"] == TASK_ROLE
    assert imported.properties["ExecutionRoleArn"] == EXECUTION_ROLE
    assert imported.bound.task_role.role_arn == TASK_ROLE
    assert imported.bound.execution_role.role_arn == EXECUTION_ROLE


def test_existing_roles_are_not_modified(bound: dict[str, Bound]) -> None:
    template = bound["Imported"].assertions
    template.resource_count_is("AWS::IAM::Role", 0)
    template.resource_count_is("AWS::IAM::Policy", 0)
    assert bound["Imported"].container("app")["Secrets"] == [
        {"Name": "TOKEN", "ValueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/app/token"}
    ]


# --------------------------------------------------------------------------- python api


def test_library_repository_image_grants_pull_on_that_repository_only(
    bound: dict[str, Bound],
) -> None:
    statements = bound["PythonApi"].statements("ExecutionRole")
    pull = _statement(statements, "ecr:BatchGetImage")
    assert pull["Resource"] == {"Fn::GetAtt": ["Repository22E53BBD", "Arn"]}
    image = bound["PythonApi"].container("api")["Image"]
    assert "Repository22E53BBD" in json.dumps(image)
    assert ":1.0.0" in json.dumps(image)


def test_awsvpc_environment_is_exactly_the_specs(bound: dict[str, Bound]) -> None:
    # Ec2TaskDefinition.add_container would add AWS_REGION in awsvpc mode.
    worker = bound["PythonApi"].container("worker")
    assert worker["Environment"] == [
        {"Name": "QUEUE", "Value": "jobs"},
        {"Name": "DB_PASSWORD", "Value": "hunter2"},
    ]
    assert "Environment" not in bound["PythonApi"].container("api")


def test_task_memory_alone_leaves_container_memory_unset(bound: dict[str, Bound]) -> None:
    properties = bound["PythonApi"].properties
    assert properties["Memory"] == "1024"
    assert properties["Cpu"] == "512"
    for container in properties["ContainerDefinitions"]:
        assert "Memory" not in container
        assert "MemoryReservation" not in container


def test_credential_like_environment_name_is_a_warning_that_fails_the_gate() -> None:
    """A warning, not an error: synthesis succeeds, and the test kit's gate reports it."""
    spec = TaskDefinitionSpec.from_dict(
        {
            "family": "leaky",
            "containerDefinitions": [
                {
                    "name": "worker",
                    "image": "busybox:1.36",
                    "memory": 64,
                    "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}],
                }
            ],
        }
    )
    stack = make_stack("Leaky")
    spec.bind(stack, "TaskDefinition", log_group=_log_group(stack))
    assert template_of(stack, allow_warnings=True)["Resources"]
    with pytest.raises(NagFindingsError, match="'DB_PASSWORD' looks like a credential"):
        template_of(stack)


def test_every_template_is_cfn_lint_clean(bound: dict[str, Bound]) -> None:
    for name in ("Webserver", "KitchenSink", "Imported", "PythonApi"):
        assert_cfn_lint_clean(bound[name].template)


# --------------------------------------------------------------------------- bind errors


def test_fails_when_a_container_name_is_a_construct_id_of_the_task_definition() -> None:
    spec = TaskDefinitionSpec(
        containers=[ContainerSpec(name="TaskRole", image="nginx", memory_mib=64)]
    )
    stack = make_stack(nag=False)
    with pytest.raises(ConfigurationError) as error:
        spec.bind(stack, "TaskDefinition", log_group=_log_group(stack))
    assert error.value.field == "containerDefinitions[0].name"
    assert error.value.value == "TaskRole"
    assert "rename the container" in error.value.allowed


def test_fails_when_one_scope_binds_two_different_existing_task_roles() -> None:
    stack = make_stack(nag=False)
    log_group = _log_group(stack)
    first = TaskDefinitionSpec.from_dict(IMPORTED)
    first.bind(stack, "First", log_group=log_group)
    other = dict(IMPORTED, taskRoleArn="arn:aws:iam::123456789012:role/other")
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(other).bind(stack, "Second", log_group=log_group)
    assert error.value.field == "scope"
    assert "ImportedTaskRole" in error.value.allowed


def test_binding_the_same_existing_roles_twice_in_one_scope_reuses_them() -> None:
    stack = make_stack(nag=False)
    log_group = _log_group(stack)
    spec = TaskDefinitionSpec.from_dict(IMPORTED)
    first = spec.bind(stack, "First", log_group=log_group)
    second = spec.bind(Construct(stack, "Other"), "Second", log_group=log_group)
    third = spec.bind(stack, "Third", log_group=log_group)
    assert third.task_role.node.path == first.task_role.node.path == "TestStack/ImportedTaskRole"
    assert second.task_role.node.path == "TestStack/Other/ImportedTaskRole"


def test_import_notes_become_warnings_on_the_task_definition() -> None:
    document = {**IMPORTED, "networkMode": "default"}
    stack = make_stack(nag=False)
    bound_td = TaskDefinitionSpec.from_dict(document).bind(
        stack, "TaskDefinition", log_group=_log_group(stack)
    )
    warnings = [
        json.dumps(entry.data)
        for entry in bound_td.task_definition.node.metadata
        if entry.type == "aws:cdk:warning"
    ]
    assert len(warnings) == 1
    assert 'networkMode \\"default\\" was imported as \\"bridge\\"' in warnings[0]


def test_fails_when_a_volume_is_configured_at_launch() -> None:
    """EBS-at-launch volumes need a service volume configuration the services do not define."""
    spec = TaskDefinitionSpec.from_dict(
        {
            "family": "ebs",
            "volumes": [{"name": "data", "configuredAtLaunch": True}],
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": "busybox:1.36",
                    "memory": 64,
                    "mountPoints": [{"sourceVolume": "data", "containerPath": "/data"}],
                }
            ],
        }
    )
    stack = make_stack("Ebs")
    log_group = logs.LogGroup(stack, "Logs", removal_policy=cdk.RemovalPolicy.RETAIN)
    with pytest.raises(ConfigurationError, match=r"^volumes\[0\]\.configuredAtLaunch: got True;"):
        spec.bind(stack, "TaskDefinition", log_group=log_group)
