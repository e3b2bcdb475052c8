"""``ContainerAgent`` and ``ClusterLogs``, ``EcsCluster``'s option values for its container
agent and its log groups: each field checked at the boundary, named ``agent.<field>`` or
``logs.<field>``, an agent setting's value never shown; and the instance type names the
cluster refuses as unreadable are exactly those aws-cdk-lib cannot read the architecture of."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs

from constructs_ecs import ClusterLogs, ConfigurationError, ContainerAgent, EcsCluster, Network
from constructs_ecs.cluster._validation import READABLE_INSTANCE_TYPE, check_readable
from tests.conftest import make_stack


def _cluster(**options: Any) -> EcsCluster:
    stack = make_stack("Options", nag=False)
    return EcsCluster(stack, "Cluster", vpc=Network(stack, "Network").vpc, **options)


# --------------------------------------------------------------------------- ContainerAgent


def test_container_agent_defaults_to_the_default_settings_and_no_privileged_tasks() -> None:
    agent = ContainerAgent()
    assert agent.settings is None
    assert agent.allow_privileged_tasks is False


def test_container_agent_keeps_a_copy_of_its_settings() -> None:
    settings = {"ECS_LOGLEVEL": "debug"}
    agent = ContainerAgent(settings=settings)
    settings["ECS_LOGLEVEL"] = "warn"
    assert agent.settings == {"ECS_LOGLEVEL": "debug"}


def test_container_agent_does_not_show_its_settings_in_its_repr() -> None:
    agent = ContainerAgent(settings={"HTTP_PROXY": "http://user:hunter2@proxy:3128"})
    assert "hunter2" not in repr(agent)


@pytest.mark.parametrize("settings", ["ECS_LOGLEVEL=debug", ["ECS_LOGLEVEL"], 3])
def test_fails_when_container_agent_settings_are_not_a_mapping(settings: Any) -> None:
    with pytest.raises(ConfigurationError) as raised:
        ContainerAgent(settings=settings)
    assert raised.value.field == "agent.settings"


@pytest.mark.parametrize("allow", ["yes", 1, None])
def test_fails_when_container_agent_allow_privileged_tasks_is_not_a_bool(allow: Any) -> None:
    with pytest.raises(ConfigurationError) as raised:
        ContainerAgent(allow_privileged_tasks=allow)
    assert raised.value.field == "agent.allow_privileged_tasks"


def test_fails_when_container_agent_settings_hold_a_credential_never_showing_it() -> None:
    agent = ContainerAgent(settings={"ECS_ENGINE_AUTH_DATA": "hunter2-secret"})
    with pytest.raises(ConfigurationError) as raised:
        _cluster(agent=agent)
    assert raised.value.field == "agent.settings['ECS_ENGINE_AUTH_DATA']"
    assert "hunter2" not in str(raised.value)


def test_fails_when_a_container_agent_setting_is_not_a_string_never_showing_it() -> None:
    agent = ContainerAgent(settings={"ECS_ENGINE_AUTH_DATA": 123456789})  # type: ignore[dict-item]
    with pytest.raises(ConfigurationError) as raised:
        _cluster(agent=agent)
    assert raised.value.field.startswith("agent.settings")
    assert "123456789" not in str(raised.value)


def test_fails_when_agent_is_not_a_container_agent() -> None:
    with pytest.raises(ConfigurationError) as raised:
        _cluster(agent={"ECS_LOGLEVEL": "debug"})
    assert raised.value.field == "agent"
    assert "ContainerAgent" in str(raised.value)


def test_allowing_privileged_tasks_is_said_in_the_new_form() -> None:
    refusing = _cluster()
    assert refusing.allows_privileged_tasks is False
    assert "agent=ContainerAgent(allow_privileged_tasks=True)" in (
        refusing.how_to_allow_privileged_tasks()
    )
    assert _cluster(agent=ContainerAgent(allow_privileged_tasks=True)).allows_privileged_tasks


# --------------------------------------------------------------------------- ClusterLogs


def test_cluster_logs_default_to_a_year_and_cloudwatch_logs_own_key() -> None:
    options = ClusterLogs()
    assert options.exec_log_retention == logs.RetentionDays.ONE_YEAR
    assert options.key is None
    cluster = _cluster(logs=options)
    assert cluster.log_key is None


def test_cluster_logs_key_is_the_cluster_log_key() -> None:
    stack = make_stack("Key", nag=False)
    key = kms.Key(stack, "LogKey", enable_key_rotation=True)
    cluster = EcsCluster(
        stack, "Cluster", vpc=Network(stack, "Network").vpc, logs=ClusterLogs(key=key)
    )
    assert cluster.log_key is key


@pytest.mark.parametrize("retention", [30, "ONE_YEAR", None])
def test_fails_when_cluster_logs_exec_log_retention_is_not_retention_days(retention: Any) -> None:
    with pytest.raises(ConfigurationError) as raised:
        ClusterLogs(exec_log_retention=retention)
    assert raised.value.field == "logs.exec_log_retention"


@pytest.mark.parametrize("key", ["alias/logs", "arn:aws:kms:eu-west-1:123456789012:key/x", 3])
def test_fails_when_cluster_logs_key_is_not_a_key(key: Any) -> None:
    with pytest.raises(ConfigurationError) as raised:
        ClusterLogs(key=key)
    assert raised.value.field == "logs.key"


def test_fails_when_logs_is_not_cluster_logs() -> None:
    with pytest.raises(ConfigurationError) as raised:
        _cluster(logs=logs.RetentionDays.ONE_DAY)
    assert raised.value.field == "logs"
    assert "ClusterLogs" in str(raised.value)


# --------------------------------------------------------------------------- readable types

NAMES = [
    "t3.medium",
    "m7g.large",
    "c7gn.16xlarge",
    "g5.xlarge",
    "a1.metal",
    "m7i-flex.large",
    "r7iz.metal-16xl",
    "x2iedn.32xlarge",
    "inf2.48xlarge",
    "p5e.48xlarge",
    "u-6tb1.metal",
    "u7i-12tb.224xlarge",
    "mac2-m2pro.metal",
    "mac1.metal",
    "M5.large",
    "m5large",
    "m.large",
    "m123.large",
    "m5.",
    "m5.Large",
]


def _cdk_reads(name: str) -> bool:
    try:
        ec2.InstanceType(name).architecture  # noqa: B018  (read for its check)
    except Exception:  # jsii's error for aws-cdk-lib's UnscopedValidationError
        return False
    return True


def _we_accept(name: str) -> bool:
    try:
        check_readable(ec2.InstanceType(name), "instance_type")
    except ConfigurationError:
        return False
    return True


def test_the_names_cover_both_sides() -> None:
    readable = {name for name in NAMES if _cdk_reads(name)}
    assert {"t3.medium", "m7i-flex.large"} <= readable
    assert not {"u-6tb1.metal", "mac2-m2pro.metal"} & readable


@pytest.mark.parametrize("name", NAMES)
def test_our_check_refuses_exactly_the_names_aws_cdk_lib_cannot_read(name: str) -> None:
    assert _we_accept(name) == _cdk_reads(name) == bool(READABLE_INSTANCE_TYPE.match(name))


def test_fails_when_the_instance_type_is_unreadable_naming_the_field() -> None:
    with pytest.raises(ConfigurationError) as raised:
        _cluster(instance_type=ec2.InstanceType("u-6tb1.metal"))
    assert (raised.value.field, raised.value.value) == ("instance_type", "u-6tb1.metal")
    assert "aws-cdk-lib can read the architecture of" in str(raised.value)
