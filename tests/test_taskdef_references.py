"""CDK references in task definitions: secrets, images and the service's log group.

One app (cdk-nag on), synthesized once:

- ``Secrets``: every way a CDK user writes a secret (``Secret``, ``Secret.from_secret_name_v2``,
  ``StringParameter``, ``StringParameter.from_string_parameter_name``; the construct itself,
  ``ecs.Secret`` with a JSON field or a version stage, or a token ARN/name), in ``secrets``,
  ``repositoryCredentials`` and a log driver's ``secretOptions``; the execution role may read
  exactly those, through each construct's own grant (snapshot + the statements one by one);
- ``Images``: ``ImageRepository.image(tag)``, ``ContainerImage.from_ecr_repository`` with a
  tag and a digest, an alias of an ``ecr.IRepository`` in ECS JSON, and
  ``ContainerImage.from_asset`` (staged at synth, built by the CDK CLI at deploy: no Docker);
- ``Logs``: awslogs with only a stream prefix (and the user's other options) logs to the
  service's log group in the stack's region.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from aws_cdk.assertions import Template

from constructs_ecs._errors import ConfigurationError
from constructs_ecs._nag import acknowledge
from constructs_ecs._repository import ImageRepository
from constructs_ecs.taskdef import (
    BoundTaskDefinition,
    ContainerSpec,
    LogConfiguration,
    TaskDefinitionSpec,
)
from constructs_ecs.testing import (
    assert_cfn_lint_clean,
    new_app,
    resource_manifest,
    template_of,
)
from tests.conftest import CDK_JSON

DIGEST = "sha256:" + "0123456789abcdef" * 4
PSEUDO = {
    "partition": {"Ref": "AWS::Partition"},
    "region": {"Ref": "AWS::Region"},
    "account": {"Ref": "AWS::AccountId"},
}


def _arn(service: str, resource: str) -> dict[str, Any]:
    """``arn:<partition>:<service>:<region>:<account>:<resource>`` as CDK renders it."""
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                PSEUDO["partition"],
                f":{service}:",
                PSEUDO["region"],
                ":",
                PSEUDO["account"],
                f":{resource}",
            ],
        ]
    }


class Synthesized:
    """The app's stacks, their bound task definitions and templates."""

    def __init__(self) -> None:
        app = new_app(cdk_json=CDK_JSON)
        self.secrets_stack = cdk.Stack(app, "Secrets")
        self.images_stack = cdk.Stack(app, "Images")
        self.logs_stack = cdk.Stack(app, "Logs")
        self.secrets = self._secrets(self.secrets_stack)
        self.images = self._images(self.images_stack)
        self.logs = self._logs(self.logs_stack)
        self.templates = {
            stack.stack_name: template_of(stack)
            for stack in (self.secrets_stack, self.images_stack, self.logs_stack)
        }

    @staticmethod
    def _log_group(stack: cdk.Stack) -> logs.LogGroup:
        return logs.LogGroup(stack, "LogGroup", removal_policy=cdk.RemovalPolicy.RETAIN)

    def _secrets(self, stack: cdk.Stack) -> BoundTaskDefinition:
        database = secretsmanager.Secret(stack, "Database")
        acknowledge(
            database.node.default_child,  # type: ignore[arg-type]
            "SMG4",
            "test secret: rotation is the application's concern",
        )
        api_key = secretsmanager.Secret.from_secret_name_v2(stack, "ApiKey", "prod/api-key")
        registry = secretsmanager.Secret.from_secret_name_v2(stack, "Registry", "prod/registry")
        splunk = secretsmanager.Secret.from_secret_name_v2(stack, "Splunk", "prod/splunk")
        feature = ssm.StringParameter(stack, "Feature", string_value="on")
        config = ssm.StringParameter.from_string_parameter_name(stack, "Config", "/app/config")
        self.names = {
            "database": database,
            "api_key": api_key,
            "feature": feature,
            "config": config,
        }
        spec = TaskDefinitionSpec(
            family="secrets",
            containers=[
                ContainerSpec(
                    name="app",
                    image="registry.example.com/team/app:1.0",
                    memory_mib=256,
                    repository_credentials=registry,
                    secrets={
                        "DB_SECRET": database,
                        "DB_PASSWORD": ecs.Secret.from_secrets_manager(database, "password"),
                        "DB_ARN": database.secret_arn,
                        "API_KEY": api_key,
                        "API_KEY_PREVIOUS": ecs.Secret.from_secrets_manager_version(
                            api_key, ecs.SecretVersionInfo(version_stage="AWSPREVIOUS")
                        ),
                        "API_KEY_ARN": api_key.secret_arn,
                        "FEATURE": feature,
                        "FEATURE_NAME": feature.parameter_name,
                        "CONFIG": config,
                        "CONFIG_ARN": config.parameter_arn,
                        "LITERAL": "/app/literal",
                    },
                ),
                ContainerSpec(
                    name="shipper",
                    image="busybox:1.36",
                    memory_mib=64,
                    essential=False,
                    log_configuration=LogConfiguration(
                        log_driver="splunk",
                        options={"splunk-url": "https://splunk.example.com:8088"},
                        secret_options={"splunk-token": splunk},
                    ),
                ),
            ],
        )
        return spec.bind(stack, "TaskDefinition", log_group=self._log_group(stack))

    def _images(self, stack: cdk.Stack) -> BoundTaskDefinition:
        library = ImageRepository(stack, "Library")
        repository = ecr.Repository(stack, "Repository", removal_policy=cdk.RemovalPolicy.RETAIN)
        asset = Path(__file__).parent / "data" / "asset"
        spec = TaskDefinitionSpec(
            family="images",
            containers=[
                ContainerSpec(name="library", image=library.image("1.4.2"), memory_mib=64),
                ContainerSpec(
                    name="tagged",
                    image=ecs.ContainerImage.from_ecr_repository(repository, "v2"),
                    memory_mib=64,
                    essential=False,
                ),
                ContainerSpec(
                    name="pinned",
                    image=ecs.ContainerImage.from_ecr_repository(repository, DIGEST),
                    memory_mib=64,
                    essential=False,
                ),
                ContainerSpec(
                    name="built",
                    image=ecs.ContainerImage.from_asset(str(asset)),
                    memory_mib=64,
                    essential=False,
                ),
            ],
        )
        self.repository = repository
        return spec.bind(stack, "TaskDefinition", log_group=self._log_group(stack))

    def _logs(self, stack: cdk.Stack) -> BoundTaskDefinition:
        spec = TaskDefinitionSpec.from_dict(
            {
                "family": "logs",
                "containerDefinitions": [
                    {
                        "name": "app",
                        "image": "nginx:1.27",
                        "memory": 64,
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-stream-prefix": "app",
                                "mode": "non-blocking",
                                "max-buffer-size": "25m",
                                "awslogs-datetime-format": "%Y-%m-%d %H:%M:%S",
                            },
                        },
                    },
                    {
                        "name": "audit",
                        "image": "busybox:1.36",
                        "memory": 64,
                        "essential": False,
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {"awslogs-group": "/audit", "awslogs-stream-prefix": "a"},
                        },
                    },
                ],
            }
        )
        return spec.bind(stack, "TaskDefinition", log_group=self._log_group(stack))

    def template(self, stack: str) -> dict[str, Any]:
        return self.templates[stack]

    def properties(self, stack: str, bound: BoundTaskDefinition) -> dict[str, Any]:
        cfn = bound.task_definition.node.default_child
        assert isinstance(cfn, cdk.CfnResource)
        logical_id = cdk.Stack.of(cfn).resolve(cfn.logical_id)
        props: dict[str, Any] = self.template(stack)["Resources"][logical_id]["Properties"]
        return props

    def execution_statements(self, stack: str) -> list[dict[str, Any]]:
        policies = [
            resource
            for logical_id, resource in self.template(stack)["Resources"].items()
            if resource["Type"] == "AWS::IAM::Policy"
            and logical_id.startswith("TaskDefinitionExecutionRole")
        ]
        assert len(policies) == 1
        statements: list[dict[str, Any]] = policies[0]["Properties"]["PolicyDocument"]["Statement"]
        return statements


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    return Synthesized()


def _resources(statement: dict[str, Any]) -> list[Any]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


def _statement_for(statements: list[dict[str, Any]], resource: Any) -> dict[str, Any]:
    found = [s for s in statements if resource in _resources(s)]
    assert len(found) == 1, (resource, statements)
    return found[0]


# --------------------------------------------------------------------------- secrets


def _secrets_of(synthesized: Synthesized, container: int = 0) -> dict[str, Any]:
    props = synthesized.properties("Secrets", synthesized.secrets)
    return {s["Name"]: s["ValueFrom"] for s in props["ContainerDefinitions"][container]["Secrets"]}


def test_secrets_are_written_as_the_references_resolve(synthesized: Synthesized) -> None:
    database = {"Ref": "DatabaseB269D8BB"}
    secrets = _secrets_of(synthesized)
    assert secrets["DB_SECRET"] == database
    assert secrets["DB_ARN"] == database
    assert secrets["DB_PASSWORD"] == {"Fn::Join": ["", [database, ":password::"]]}
    api_key = _arn("secretsmanager", "secret:prod/api-key")
    assert secrets["API_KEY"] == api_key
    assert secrets["API_KEY_ARN"] == api_key
    assert secrets["API_KEY_PREVIOUS"] == _arn(
        "secretsmanager", "secret:prod/api-key::AWSPREVIOUS:"
    )
    assert secrets["CONFIG"] == _arn("ssm", "parameter/app/config")
    assert secrets["CONFIG_ARN"] == _arn("ssm", "parameter/app/config")
    assert secrets["FEATURE_NAME"] == {"Ref": "Feature47984D2C"}
    assert secrets["LITERAL"] == "/app/literal"
    assert list(secrets) == [  # in the order given
        "DB_SECRET",
        "DB_PASSWORD",
        "DB_ARN",
        "API_KEY",
        "API_KEY_PREVIOUS",
        "API_KEY_ARN",
        "FEATURE",
        "FEATURE_NAME",
        "CONFIG",
        "CONFIG_ARN",
        "LITERAL",
    ]


def test_the_execution_role_reads_a_defined_secret_through_its_grant(
    synthesized: Synthesized,
) -> None:
    statement = _statement_for(
        synthesized.execution_statements("Secrets"), {"Ref": "DatabaseB269D8BB"}
    )
    assert sorted(statement["Action"]) == [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
    ]


def test_an_imported_secret_is_read_by_name_with_the_six_character_suffix(
    synthesized: Synthesized,
) -> None:
    statements = synthesized.execution_statements("Secrets")
    suffixed = _arn("secretsmanager", "secret:prod/api-key-??????")
    granted = [s for s in statements if suffixed in _resources(s)]
    assert granted  # the construct's grant (API_KEY) and the token ARN's (API_KEY_ARN)
    for statement in granted:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert set(actions) <= {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
    exact = _arn("secretsmanager", "secret:prod/api-key")
    assert all(exact not in _resources(s) for s in statements)  # never without the suffix


def test_parameters_are_read_through_their_grant_or_their_arn(synthesized: Synthesized) -> None:
    statements = synthesized.execution_statements("Secrets")
    feature = _arn("ssm", "parameter/").copy()
    feature = {
        "Fn::Join": [
            "",
            [
                "arn:",
                PSEUDO["partition"],
                ":ssm:",
                PSEUDO["region"],
                ":",
                PSEUDO["account"],
                ":parameter/",
                {"Ref": "Feature47984D2C"},
            ],
        ]
    }
    assert "ssm:GetParameters" in _statement_for(statements, feature)["Action"]
    config = _arn("ssm", "parameter/app/config")
    assert any("ssm:GetParameters" in s["Action"] for s in statements if config in _resources(s))
    literal = _arn("ssm", "parameter/app/literal")
    assert _statement_for(statements, literal)["Action"] == "ssm:GetParameters"


def test_repository_credentials_and_secret_options_take_a_secret(
    synthesized: Synthesized,
) -> None:
    props = synthesized.properties("Secrets", synthesized.secrets)
    app, shipper = props["ContainerDefinitions"]
    registry = _arn("secretsmanager", "secret:prod/registry")
    assert app["RepositoryCredentials"] == {"CredentialsParameter": registry}
    splunk = _arn("secretsmanager", "secret:prod/splunk")
    assert shipper["LogConfiguration"]["SecretOptions"] == [
        {"Name": "splunk-token", "ValueFrom": splunk}
    ]
    statements = synthesized.execution_statements("Secrets")
    for name in ("prod/registry", "prod/splunk"):
        assert any(
            _arn("secretsmanager", f"secret:{name}-??????") in _resources(s) for s in statements
        )


def test_no_secret_statement_holds_a_wildcard(synthesized: Synthesized) -> None:
    for statement in synthesized.execution_statements("Secrets"):
        for resource in _resources(statement):
            assert resource != "*"
            text = str(resource)
            assert "*" not in text or ":log-group:" in text, statement


def test_secrets_stack_snapshot(synthesized: Synthesized, snapshot_json: Any) -> None:
    template = synthesized.template("Secrets")
    assert resource_manifest(template) == {
        "DatabaseB269D8BB": "AWS::SecretsManager::Secret",
        "Feature47984D2C": "AWS::SSM::Parameter",
        "LogGroupF5B46931": "AWS::Logs::LogGroup",
        "TaskDefinitionB36D86D9": "AWS::ECS::TaskDefinition",
        "TaskDefinitionExecutionRole8D61C2FB": "AWS::IAM::Role",
        "TaskDefinitionExecutionRoleDefaultPolicy1F3406F5": "AWS::IAM::Policy",
        "TaskDefinitionTaskRoleFD40A61D": "AWS::IAM::Role",
    }
    assert_cfn_lint_clean(template)
    assert template == snapshot_json


# --------------------------------------------------------------------------- images


def test_ecr_images_are_written_with_their_tag_or_digest(synthesized: Synthesized) -> None:
    props = synthesized.properties("Images", synthesized.images)
    images = {c["Name"]: c["Image"] for c in props["ContainerDefinitions"]}
    assert images["tagged"]["Fn::Join"][1][-1] == ":v2"
    assert images["pinned"]["Fn::Join"][1][-1] == f"@{DIGEST}"
    built = images["built"]["Fn::Sub"]
    assert "cdk-hnb659fds-container-assets" in built  # the CLI builds and pushes it at deploy


def test_the_execution_role_pulls_from_exactly_the_repositories_used(
    synthesized: Synthesized,
) -> None:
    template = Template.from_json(synthesized.template("Images"))
    statements = synthesized.execution_statements("Images")
    pulls = [s for s in statements if "ecr:BatchGetImage" in s["Action"]]
    pulled = {str(r) for s in pulls for r in _resources(s)}
    assert any("Repository" in r and "Library" not in r for r in pulled)
    assert any("LibraryRepository" in r for r in pulled)
    assert any("container-assets" in r for r in pulled)
    template.resource_count_is("AWS::ECR::Repository", 2)


def test_images_stack_is_clean(synthesized: Synthesized) -> None:
    assert_cfn_lint_clean(synthesized.template("Images"))


def test_an_alias_of_an_ecr_repository_takes_a_tag_or_a_digest() -> None:
    app = new_app(cdk_json=CDK_JSON, nag=False)
    stack = cdk.Stack(app, "Alias")
    repository = ecr.Repository(stack, "Repository")
    document = {
        "family": "alias",
        "containerDefinitions": [
            {"name": "a", "image": "api:1.2", "memory": 64},
            {"name": "b", "image": f"api@{DIGEST}", "memory": 64, "essential": False},
        ],
    }
    spec = TaskDefinitionSpec.from_dict(document, repositories={"api": repository})
    assert all(isinstance(c.image, ecs.EcrImage) for c in spec.containers)
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(
            {**document, "containerDefinitions": [{"name": "a", "image": "api", "memory": 64}]},
            repositories={"api": repository},
        )
    assert error.value.field == "containerDefinitions[0].image"
    assert "api:<tag> or api@sha256:<digest>" in error.value.allowed


@pytest.mark.parametrize(
    ("tag", "allowed"),
    [
        ("bad tag!", "has tag 'bad tag!'"),
        ("x" * 129, "a tag is 1-128"),
        ("sha256:abc", "digest must be sha256:<64 lowercase hex digits>"),
        ("ünïcode", "a tag is 1-128 ASCII"),
    ],
)
def test_fails_when_an_ecr_image_has_a_bad_tag_or_digest(tag: str, allowed: str) -> None:
    app = new_app(cdk_json=CDK_JSON, nag=False)
    repository = ecr.Repository(cdk.Stack(app, "S"), "Repository")
    with pytest.raises(ConfigurationError) as error:
        ContainerSpec(name="a", image=ecs.ContainerImage.from_ecr_repository(repository, tag))
    assert error.value.field == "image"
    assert allowed in error.value.allowed
    assert "Token[" not in str(error.value)
    assert "<a CDK token>" in str(error.value)


@pytest.mark.parametrize(
    ("image", "hint"),
    [
        (lambda stack: ImageRepository(stack, "Images"), "pass repository.image(tag)"),
        (
            lambda stack: ecr.Repository(stack, "Repository"),
            "ecs.ContainerImage.from_ecr_repository(repository, tag_or_digest)",
        ),
        (lambda stack: {"image": "nginx"}, "pass a string or an ecs.ContainerImage"),
    ],
)
def test_fails_when_an_image_is_a_repository_not_an_image(image: Any, hint: str) -> None:
    app = new_app(cdk_json=CDK_JSON, nag=False)
    with pytest.raises(ConfigurationError) as error:
        ContainerSpec(name="a", image=image(cdk.Stack(app, "S")))
    assert error.value.field == "image"
    assert hint in error.value.allowed


# --------------------------------------------------------------------------- awslogs


def test_awslogs_without_a_group_logs_to_the_service_log_group(synthesized: Synthesized) -> None:
    props = synthesized.properties("Logs", synthesized.logs)
    app = props["ContainerDefinitions"][0]["LogConfiguration"]
    assert app == {
        "LogDriver": "awslogs",
        "Options": {
            "awslogs-group": {"Ref": "LogGroupF5B46931"},
            "awslogs-region": {"Ref": "AWS::Region"},
            "awslogs-stream-prefix": "app",
            "mode": "non-blocking",
            "max-buffer-size": "25m",
            "awslogs-datetime-format": "%Y-%m-%d %H:%M:%S",
        },
    }
    statement = _statement_for(
        synthesized.execution_statements("Logs"), {"Fn::GetAtt": ["LogGroupF5B46931", "Arn"]}
    )
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]


def test_awslogs_without_a_region_logs_in_the_stack_region(synthesized: Synthesized) -> None:
    props = synthesized.properties("Logs", synthesized.logs)
    audit = props["ContainerDefinitions"][1]["LogConfiguration"]["Options"]
    assert audit == {
        "awslogs-group": "/audit",
        "awslogs-stream-prefix": "a",
        "awslogs-region": {"Ref": "AWS::Region"},
    }
    statements = synthesized.execution_statements("Logs")
    audit_arn = {
        "Fn::Join": [
            "",
            [
                "arn:",
                PSEUDO["partition"],
                ":logs:",
                PSEUDO["region"],
                ":",
                PSEUDO["account"],
                ":log-group:/audit:*",
            ],
        ]
    }
    assert _statement_for(statements, audit_arn)["Action"] == [
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]


def test_logs_stack_is_clean(synthesized: Synthesized) -> None:
    assert_cfn_lint_clean(synthesized.template("Logs"))


def test_awslogs_region_is_the_stack_region_in_a_concrete_environment() -> None:
    app = new_app(cdk_json=CDK_JSON)
    env = cdk.Environment(account="123456789012", region="eu-west-1")
    stack = cdk.Stack(app, "InRegion", env=env)
    spec = TaskDefinitionSpec(
        containers=[
            ContainerSpec(
                name="app",
                image="nginx:1.27",
                memory_mib=64,
                log_configuration=LogConfiguration(
                    log_driver="awslogs", options={"awslogs-stream-prefix": "app"}
                ),
            )
        ]
    )
    spec.bind(stack, "TaskDefinition", log_group=Synthesized._log_group(stack))
    Template.from_json(template_of(stack)).has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "ContainerDefinitions": [
                {
                    "LogConfiguration": {
                        "Options": {
                            "awslogs-group": {"Ref": "LogGroupF5B46931"},
                            "awslogs-region": "eu-west-1",
                            "awslogs-stream-prefix": "app",
                        }
                    }
                }
            ]
        },
    )


def test_an_imported_log_group_is_granted_on_its_streams_and_acknowledged() -> None:
    """An imported group's ARN ends in ``:*`` (its streams): the IAM5 finding is explained on
    the execution role's policy, for the default driver and for awslogs without a group."""
    app = new_app(cdk_json=CDK_JSON)
    stack = cdk.Stack(app, "ImportedGroup")
    spec = TaskDefinitionSpec(
        containers=[
            ContainerSpec(name="default", image="nginx:1.27", memory_mib=64),
            ContainerSpec(
                name="prefixed",
                image="nginx:1.27",
                memory_mib=64,
                essential=False,
                log_configuration=LogConfiguration(
                    log_driver="awslogs", options={"awslogs-stream-prefix": "p"}
                ),
            ),
        ]
    )
    group = logs.LogGroup.from_log_group_name(stack, "Logs", "/orders")
    spec.bind(stack, "TaskDefinition", log_group=group)
    template = template_of(stack)  # fails on any unacknowledged cdk-nag finding
    policy = next(r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy")
    streams = _arn("logs", "log-group:/orders:*")
    assert _statement_for(policy["Properties"]["PolicyDocument"]["Statement"], streams)
    reasons = [rule["reason"] for rule in policy["Metadata"]["cdk_nag"]["rules_to_suppress"]]
    assert any("log group" in reason for reason in reasons)
