"""AWS limits known at synth, refused when the task definition is defined (each limit's source
is cited where the library enforces it).

- The registered task definition is at most 64 KiB (measured as RegisterTaskDefinition
  carries it).
- Task and container CPU and memory, and every integer field, within what ECS stores.
- Image references by Docker's reference grammar: ASCII, lowercase repositories, tags of at
  most 128 characters, digests of the registered length.
- Secrets: SSM parameter names and ARNs, Secrets Manager ARNs, partition against region; a
  token is checked where its literal parts can be, and never printed.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef import ContainerSpec, TaskDefinitionSpec
from constructs_ecs.taskdef._registration import MAX_BYTES, registered_json, size_of
from constructs_ecs.testing import template_of
from tests.conftest import make_stack

ACCOUNT = "123456789012"


def _spec(**container: Any) -> TaskDefinitionSpec:
    return TaskDefinitionSpec(
        family="limits",
        containers=[ContainerSpec(name="app", image="nginx:1.27", memory_mib=64, **container)],
    )


# --------------------------------------------------------------------------- 64 KiB


def _sized(total: int) -> TaskDefinitionSpec:
    """A spec whose registered JSON is exactly ``total`` bytes (padding one variable)."""
    base = size_of(registered_json(_spec(environment={"PAD": ""})))
    return _spec(environment={"PAD": "x" * (total - base)})


def test_a_task_definition_of_64_kib_is_accepted_and_binds() -> None:
    spec = _sized(MAX_BYTES)
    assert size_of(registered_json(spec)) == MAX_BYTES
    stack = make_stack("Largest")
    spec.bind(stack, "Task", log_group=logs.LogGroup(stack, "Logs"))
    template = template_of(stack, allow_warnings=True)  # the log group's retention is not ours
    assert any(r["Type"] == "AWS::ECS::TaskDefinition" for r in template["Resources"].values())


def test_fails_when_the_task_definition_is_over_64_kib() -> None:
    with pytest.raises(ConfigurationError) as error:
        _sized(MAX_BYTES + 1)
    assert error.value.field == "containerDefinitions[0].environment"
    assert f"makes the task definition {MAX_BYTES + 1} bytes" in error.value.allowed
    assert "64 KiB" in error.value.allowed


def test_the_size_counts_utf8_bytes_not_characters() -> None:
    ascii_size = size_of(registered_json(_spec(environment={"X": "a" * 100})))
    utf8_size = size_of(registered_json(_spec(environment={"X": "é" * 100})))
    assert utf8_size - ascii_size == 100


def test_the_size_counts_what_binding_adds() -> None:
    document = registered_json(_spec())
    assert document["requiresCompatibilities"] == ["EC2"]
    assert document["containerDefinitions"][0]["logConfiguration"]["logDriver"] == "awslogs"
    assert len(document["executionRoleArn"]) == 255  # known at deploy: counted generously


def test_fails_when_the_largest_part_is_in_another_container() -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec(
            containers=[
                ContainerSpec(name="a", image="nginx", memory_mib=64),
                ContainerSpec(name="b", image="nginx", memory_mib=64, command=["x" * 70_000]),
            ]
        )
    assert error.value.field == "containerDefinitions[1].command"


# --------------------------------------------------------------------------- CPU, memory, ints


@pytest.mark.parametrize(
    ("document", "field", "allowed"),
    [
        ({"cpu": "127"}, "cpu", "between 128 and 196608"),
        ({"cpu": "193 vCPU"}, "cpu", "between 128 and 196608"),
        ({"memory": "99999999999999 GB"}, "memory", "32-bit integer"),
        ({"memory": "2097152 GB"}, "memory", "at most 2147483647 MiB"),
        ({"memory": "9" * 5000}, "memory", "at most 2147483647 MiB"),
        ({"memory": "\u0661\u0660\u0662\u0664"}, "memory", "MiB as an integer"),  # not ASCII
    ],
)
def test_fails_when_task_size_is_beyond_what_ecs_registers(
    document: dict[str, Any], field: str, allowed: str
) -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(
            {
                "family": "big",
                "containerDefinitions": [{"name": "a", "image": "nginx", "memory": 64}],
                **document,
            }
        )
    assert error.value.field == field
    assert allowed in error.value.allowed


def test_the_largest_task_size_is_accepted() -> None:
    spec = TaskDefinitionSpec.from_dict(
        {
            "family": "big",
            "cpu": "192 vCPU",
            "memory": "2097151 GB",
            "containerDefinitions": [{"name": "a", "image": "nginx"}],
        }
    )
    assert (spec.cpu, spec.memory_mib) == (196_608, 2_097_151 * 1024)


@pytest.mark.parametrize(
    ("container", "field", "allowed"),
    [
        ({"memory_mib": 2**70}, "memory", "32-bit integer"),
        ({"memory_reservation_mib": 2**31}, "memoryReservation", "32-bit integer"),
        ({"cpu": 196_609}, "cpu", "between 0 and 196608"),
        ({"stop_timeout_seconds": 2**31}, "stopTimeout", "32-bit integer"),
        ({"gpu_count": 2**40}, "resourceRequirements[GPU].value", "32-bit integer"),
    ],
)
def test_fails_when_a_container_integer_is_beyond_what_ecs_stores(
    container: dict[str, Any], field: str, allowed: str
) -> None:
    with pytest.raises(ConfigurationError) as error:
        ContainerSpec(name="a", image="nginx", **container)
    assert error.value.field == field
    assert allowed in error.value.allowed


def test_a_gpu_count_of_other_digits_is_refused() -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(
            {
                "family": "gpu",
                "containerDefinitions": [
                    {
                        "name": "a",
                        "image": "nginx",
                        "memory": 64,
                        "resourceRequirements": [{"type": "GPU", "value": "\u0661"}],
                    }
                ],
            }
        )
    assert error.value.field == "containerDefinitions[0].resourceRequirements[0].value"


# --------------------------------------------------------------------------- images


@pytest.mark.parametrize(
    "image",
    [
        "nginx",
        "nginx:1.27",
        "library/nginx:1.27-alpine",
        "public.ecr.aws/docker/library/busybox:1.36",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1",
        "localhost:5000/app",
        "ghcr.io/org/app@sha256:" + "a" * 64,
        "ghcr.io/org/app:v1@sha512:" + "b" * 128,
        "registry.Example.com/app",  # hosts are case-insensitive
        "a" * 16 + ":" + "t" * 128,
    ],
)
def test_image_references_by_the_registry_grammar_are_accepted(image: str) -> None:
    assert ContainerSpec(name="a", image=image).image == image


@pytest.mark.parametrize(
    ("image", "allowed"),
    [
        ("nginx:1.27-ünïcode", "character 12 ('ü') is not allowed"),
        ("ngïnx", "printable ASCII"),
        ("nginx:\uff11\uff12", "printable ASCII"),  # full-width digits are not ASCII
        ("Nginx:latest", "did you mean 'nginx'?"),
        ("MyOrg/app:1", "did you mean 'myorg/app:1'?"),
        ("nginx:" + "t" * 129, "its tag is 129 characters"),
        ("nginx:.hidden", "is not a tag"),
        ("nginx@sha256:" + "A" * 64, "64 lowercase hex digits"),
        ("nginx@sha256:" + "a" * 63, "64 lowercase hex digits"),
        ("nginx@md5", "is not <algorithm>:<hex>"),
        ("nginx@foo:1234", "at least 32 hex digits"),
        ("nginx latest", "printable ASCII without spaces"),
        ("nginx\n", "printable ASCII"),
        ("a" * 256, "is 256 characters"),
        ("registry.example.com:port/app", "is not a registry host[:port]"),
    ],
)
def test_fails_when_an_image_breaks_the_registry_grammar(image: str, allowed: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        ContainerSpec(name="a", image=image)
    assert error.value.field == "image"
    assert allowed in error.value.allowed


# --------------------------------------------------------------------------- secrets

SSM_ARN = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter"
SM_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret"


@pytest.mark.parametrize(
    "value_from",
    [
        "token",
        "/app/db/password",
        "/aws/reference/secretsmanager/prod/db",  # SSM's reference to a Secrets Manager secret
        f"{SSM_ARN}/app/token",
        f"{SSM_ARN}/token",
        f"{SM_ARN}:db-AbCdEf",
        f"{SM_ARN}:db",
        f"{SM_ARN}:db:password::",
        f"{SM_ARN}:db::AWSPREVIOUS:",
        f"{SM_ARN}:db:::" + "0" * 8 + "-0000-0000-0000-" + "0" * 12,
        f"arn:aws-cn:secretsmanager:cn-north-1:{ACCOUNT}:secret:db",
        f"arn:aws-us-gov:ssm:us-gov-west-1:{ACCOUNT}:parameter/x",
        "/" + "/".join(["level"] * 15),
    ],
)
def test_secret_references_ecs_accepts_are_accepted(value_from: str) -> None:
    assert _spec(secrets={"S": value_from}).containers[0].secrets["S"] == value_from


@pytest.mark.parametrize(
    ("value_from", "allowed"),
    [
        ("app/db/password", "starts with '/' (/app/db/password)"),
        ("/app//password", "empty level"),
        ("/app/", "empty level"),
        ("/" + "/".join(["level"] * 16), "16 levels"),
        ("/" + "x" * 1011, "over 1011 characters"),
        ("my token", "other than letters"),
        ("/app/ünïcode", "other than letters"),
        (f"{SSM_ARN}app", "must be an SSM parameter name or ARN"),
        (f"{SM_ARN}:db:password", "must be an SSM parameter name or ARN"),
        (f"{SM_ARN}:bad name", "secret name"),
        (f"{SM_ARN}:db:key:stage:short", "version id"),
        (f"{SM_ARN}:db:key:{'s' * 257}:", "version stage over 256"),
        (f"arn:aws-cn:secretsmanager:us-east-1:{ACCOUNT}:secret:db", "us-east-1 is in aws"),
        (f"arn:aws:ssm:cn-north-1:{ACCOUNT}:parameter/x", "cn-north-1 is in aws-cn"),
        ("arn:aws:ssm:us-east-1:12345:parameter/x", "an account id is 12 digits"),
        (f"arn:aws-mars:ssm:us-east-1:{ACCOUNT}:parameter/x", "partition 'aws-mars'"),
        (f"arn:aws:ssm:moon:{ACCOUNT}:parameter/x", "not a region name"),
        ("arn:aws:s3:::bucket/key", "must be an SSM parameter name or ARN"),
    ],
)
def test_fails_when_a_secret_reference_breaks_the_grammar(value_from: str, allowed: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        _spec(secrets={"S": value_from})
    assert error.value.field == "secrets.S"
    assert allowed in error.value.allowed


def test_fails_when_a_role_arn_names_an_unknown_partition() -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec(
            containers=[ContainerSpec(name="a", image="nginx", memory_mib=64)],
            task_role_arn=f"arn:aws-mars:iam::{ACCOUNT}:role/app",
        )
    assert error.value.field == "taskRoleArn"


def test_a_token_arn_is_checked_where_it_is_literal() -> None:
    region = cdk.Aws.REGION
    ok = f"arn:aws-cn:secretsmanager:{region}:{ACCOUNT}:secret:db"
    assert _spec(secrets={"S": ok}).containers[0].secrets["S"] == ok
    with pytest.raises(ConfigurationError) as error:
        _spec(secrets={"S": f"arn:aws:ssm:{region}:12345:parameter/x"})
    assert "an account id is 12 digits" in error.value.allowed
    assert "<a CDK token>" in str(error.value)
    assert "Token[" not in str(error.value)


def test_fails_when_a_token_names_no_secret_or_parameter() -> None:
    stack = make_stack("Untraced", nag=False)
    secret = secretsmanager.Secret(stack, "Secret")
    with pytest.raises(ConfigurationError) as error:
        _spec(secrets={"S": secret.secret_name})  # a name: SSM or Secrets Manager?
    assert error.value.field == "secrets.S"
    assert "pass the secretsmanager.ISecret" in error.value.allowed
    assert "Token[" not in str(error.value)


def test_fails_when_repository_credentials_are_not_a_secrets_manager_secret() -> None:
    with pytest.raises(ConfigurationError) as error:
        _spec(repository_credentials=f"{SM_ARN}:registry:username::")
    assert error.value.field == "repositoryCredentials.credentialsParameter"
    assert "the whole secret" in error.value.allowed
