"""Agent settings never carry credentials; registry credentials go through repositoryCredentials.

A refused setting's error names it and says where the credential belongs, and never shows the
value. The alternative it points to, a container's ``repositoryCredentials`` naming a Secrets
Manager secret, is exercised end to end: a service on an ``EcsCluster`` whose execution role
may read exactly that secret, and user data that holds no credential.
"""

from __future__ import annotations

import json
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.cluster import ContainerAgent, EcsCluster, InstanceImage
from constructs_ecs.cluster._agent import KNOWN_AGENT_SETTINGS, merge_agent_settings
from constructs_ecs.services import WorkerService
from constructs_ecs.taskdef import ContainerSpec, TaskDefinitionSpec
from constructs_ecs.testing import assert_cfn_lint_clean, template_of
from tests.conftest import make_stack

DOCKERCFG = '{"https://registry.example.com":{"auth":"c2VjcmV0LXVzZXI6aHVudGVyMg==","email":""}}'
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-login-QwErTy"


def cluster_with(*, bottlerocket: bool = False, **settings: object) -> EcsCluster:
    stack = make_stack("Agent")
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        private_subnet_ids=["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
        private_subnet_route_table_ids=["rtb-0bbbbbbbbbbbbbbb1", "rtb-0bbbbbbbbbbbbbbb2"],
    )
    image = (
        InstanceImage.bottlerocket("1.54.0") if bottlerocket else InstanceImage.amazon_linux_2023()
    )
    return EcsCluster(
        stack,
        "Cluster",
        vpc=vpc,
        image=image,
        agent=ContainerAgent(settings=cast(dict[str, str], settings)),
    )


def refused(**settings: object) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as caught:
        cluster_with(**settings)
    return caught.value


# -- refused, and the secret never shown --------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [("ECS_ENGINE_AUTH_DATA", DOCKERCFG), ("ECS_ENGINE_AUTH_TYPE", "dockercfg")],
    ids=["auth-data", "auth-type"],
)
def test_fails_when_agent_settings_carry_registry_credentials(key: str, value: str) -> None:
    error = refused(**{key: value})
    message = str(error)
    assert error.field == f"agent.settings[{key!r}]"
    assert error.value == f"<redacted, {len(value)} characters>"
    assert message.startswith(f"agent.settings[{key!r}]: got '<redacted, {len(value)} characters>'")
    assert value not in message
    assert "c2VjcmV0LXVzZXI6aHVudGVyMg==" not in message
    for fragment in (
        "no credentials in agent settings",
        "ec2:DescribeLaunchTemplateVersions",
        "Secrets Manager secret",
        '"repositoryCredentials": {"credentialsParameter": ',
        "ContainerSpec(repository_credentials=...)",
        "secretsmanager:GetSecretValue on that secret only",
    ):
        assert fragment in message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLETOKEN"),
    ],
    ids=["access-key-id", "secret-access-key", "session-token"],
)
def test_fails_when_agent_settings_carry_aws_keys(key: str, value: str) -> None:
    error = refused(**{key: value})
    message = str(error)
    assert error.field == f"agent.settings[{key!r}]"
    assert error.value == f"<redacted, {len(value)} characters>"
    assert value not in message
    assert "instance role (EcsCluster.instance_role)" in message


def test_fails_when_bottlerocket_is_given_credentials_with_the_credentials_message() -> None:
    """The credentials check comes before Bottlerocket's own list of settings."""
    error = refused(bottlerocket=True, ECS_ENGINE_AUTH_DATA=DOCKERCFG)
    assert error.field == "agent.settings['ECS_ENGINE_AUTH_DATA']"
    assert "repositoryCredentials" in str(error)
    assert "Bottlerocket" not in str(error)


def test_fails_when_a_credential_is_a_token_without_showing_its_encoding() -> None:
    token = cdk.SecretValue.secrets_manager("registry-login").unsafe_unwrap()
    error = refused(ECS_ENGINE_AUTH_DATA=token)
    assert error.value == "<redacted token>"
    assert "Token[" not in str(error)
    assert "resolve:secretsmanager" not in str(error)


def test_fails_when_a_credential_is_not_a_string_without_showing_it() -> None:
    error = refused(ECS_ENGINE_AUTH_DATA={"auth": "c2VjcmV0"})
    assert error.value == "<redacted dict>"
    assert "c2VjcmV0" not in str(error)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("http://proxy-user:hunter2@10.0.0.131:3128", "http://<redacted>@10.0.0.131:3128"),
        ("proxy-user:hunter2@proxy.internal:3128", "<redacted>@proxy.internal:3128"),
    ],
    ids=["url", "host-port"],
)
def test_fails_when_the_proxy_address_carries_a_password(value: str, shown: str) -> None:
    error = refused(HTTP_PROXY=value)
    assert error.field == "agent.settings['HTTP_PROXY']"
    assert error.value == shown
    assert "hunter2" not in str(error)
    assert "proxy-user" not in str(error)
    assert "without a user name or password" in str(error)


def test_fails_when_the_agent_log_driver_options_carry_a_token() -> None:
    options = json.dumps({"splunk-url": "https://splunk.example.com", "splunk-token": "s3cr3t"})
    error = refused(ECS_LOG_DRIVER="splunk", ECS_LOG_OPTS=options)
    assert error.field == "agent.settings['ECS_LOG_OPTS']"
    assert error.value == f"<redacted, {len(options)} characters>"
    assert "s3cr3t" not in str(error)
    assert "['splunk-token']" in str(error)


def test_credential_settings_are_known_so_a_typo_is_suggested_then_refused() -> None:
    assert {"ECS_ENGINE_AUTH_TYPE", "ECS_ENGINE_AUTH_DATA", "AWS_SECRET_ACCESS_KEY"} <= (
        KNOWN_AGENT_SETTINGS
    )
    with pytest.raises(ConfigurationError, match=r"did you mean 'ECS_ENGINE_AUTH_DATA'\?"):
        merge_agent_settings(
            {"ECS_ENGINE_AUTH_DAT": "x"}, spot=False, gpu=False, bottlerocket=False
        )


# -- what stays allowed -------------------------------------------------------------------------


def test_a_proxy_without_credentials_and_plain_log_options_are_written() -> None:
    settings = merge_agent_settings(
        {
            "HTTP_PROXY": "http://10.0.0.131:3128",
            "NO_PROXY": "169.254.169.254,169.254.170.2,/var/run/docker.sock",
            "ECS_LOG_DRIVER": "awslogs",
            "ECS_LOG_OPTS": '{"awslogs-group": "/ecs/agent"}',
        },
        spot=False,
        gpu=False,
        bottlerocket=False,
    )
    assert settings["HTTP_PROXY"] == "http://10.0.0.131:3128"
    assert settings["ECS_LOG_OPTS"] == '{"awslogs-group": "/ecs/agent"}'


# -- the way that works: repositoryCredentials, end to end -------------------------------------


def _private_image_service(stack: cdk.Stack, cluster: EcsCluster, credentials: str) -> None:
    WorkerService(
        stack,
        "Worker",
        cluster=cluster,
        task_definition=TaskDefinitionSpec(
            family="private",
            containers=[
                ContainerSpec(
                    name="app",
                    image="registry.example.com/team/app:1.4.2",
                    memory_mib=256,
                    repository_credentials=credentials,
                )
            ],
        ),
    )


def _execution_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    (policy,) = [
        r
        for logical_id, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::Policy" and "ExecutionRole" in logical_id
    ]
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _user_data(template: dict[str, Any]) -> str:
    (launch_template,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::LaunchTemplate"
    ]
    return json.dumps(launch_template["Properties"]["LaunchTemplateData"]["UserData"])


@pytest.fixture(scope="module")
def private_registry() -> dict[str, Any]:
    cluster = cluster_with()
    stack = cdk.Stack.of(cluster)
    _private_image_service(stack, cluster, SECRET_ARN)
    return template_of(stack)


def test_repository_credentials_reach_the_container(private_registry: dict[str, Any]) -> None:
    (task,) = [
        r for r in private_registry["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition"
    ]
    (container,) = task["Properties"]["ContainerDefinitions"]
    assert container["RepositoryCredentials"] == {"CredentialsParameter": SECRET_ARN}


def test_execution_role_may_read_exactly_the_registry_secret(
    private_registry: dict[str, Any],
) -> None:
    reads = [
        s
        for s in _execution_statements(private_registry)
        if "secretsmanager:GetSecretValue" in json.dumps(s["Action"])
    ]
    assert reads == [
        {"Action": "secretsmanager:GetSecretValue", "Effect": "Allow", "Resource": SECRET_ARN}
    ]


def test_user_data_holds_no_registry_credentials(private_registry: dict[str, Any]) -> None:
    text = _user_data(private_registry)
    assert "ECS_ENGINE_AUTH" not in text
    assert "registry-login" not in text


def test_private_registry_service_passes_cfn_lint(private_registry: dict[str, Any]) -> None:
    assert_cfn_lint_clean(private_registry)


def test_a_secret_name_grants_that_secrets_versions_only() -> None:
    cluster = cluster_with()
    stack = cdk.Stack.of(cluster)
    _private_image_service(stack, cluster, "registry-login")
    (read,) = [
        s
        for s in _execution_statements(template_of(stack))
        if "secretsmanager:GetSecretValue" in json.dumps(s["Action"])
    ]
    assert read["Resource"] == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":secretsmanager:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":secret:registry-login-??????",
            ],
        ]
    }
