"""The keywords of 0.1 that moved into option values in 0.2 keep working for one release.

Each gives the same template as its new form, a ``DeprecationWarning`` at the user's call
that names the new form, and a synth-time warning with an id of its own (``cdk synth`` prints
it); a wrong value is refused naming the old keyword, as before; the old and new forms
together are refused; a keyword that never existed is refused as it always was.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs

from constructs_ecs import (
    AccessLogs,
    ClusterLogs,
    ConfigurationError,
    ContainerAgent,
    Deployment,
    EcsCluster,
    LoadBalancer,
    Network,
    Routing,
    ServiceConnect,
    ServiceNetwork,
    TargetHealthCheck,
    WebService,
    WorkerService,
)
from constructs_ecs.testing import template_of
from tests.conftest import REPO, make_stack
from tests.factories import TEST_HTTP, Platform, web_spec
from tests.test_bring_your_own import warnings_of
from tests.test_load_balancer import CERTIFICATE_ARN

ROUTING_CASES: dict[str, Any] = {
    "path_patterns": ["/api/*"],
    "host_headers": ["api.example.com"],
    "priority": 7,
    "container_name": "web",
    "container_port": 80,
    "health_check": TargetHealthCheck(path="/healthz"),
}
NETWORK_CASES: dict[str, Any] = {
    "service_connect": ServiceConnect(),
}


def _web(platform: Platform, **options: Any) -> WebService:
    return WebService(
        platform.stack,
        "Web",
        cluster=platform.cluster,
        load_balancer=platform.load_balancer,
        task_definition=web_spec(),
        **options,
    )


def _namespace(platform: Platform) -> None:
    platform.cluster.cluster.add_default_cloud_map_namespace(
        name="shop.internal", use_for_service_connect=True
    )


@pytest.mark.parametrize("keyword", sorted(ROUTING_CASES))
def test_a_routing_keyword_of_0_1_gives_the_template_of_its_new_form(keyword: str) -> None:
    value = ROUTING_CASES[keyword]
    old, new = Platform("Moved"), Platform("Moved")
    with pytest.warns(
        DeprecationWarning, match=rf"WebService\({keyword}=\.\.\.\) is deprecated"
    ) as caught:
        _web(old, **{keyword: value})
    message = str(caught[0].message)
    assert f"use routing=Routing({keyword}=...)" in message
    assert "0.3.0" in message
    assert caught[0].filename == __file__  # the user's line, not the library's
    _web(new, routing=Routing(**{keyword: value}))
    assert template_of(old.stack, allow_warnings=True) == template_of(new.stack)
    (deprecation,) = [w for w in warnings_of(old.stack.node.find_child("Web")) if "deprecated" in w]
    assert f"constructs_ecs.WebService({keyword}=...) is deprecated" in deprecation
    assert f"use routing=Routing({keyword}=...)" in deprecation
    assert deprecation.endswith(f"[ack: @constructs-ecs/deprecated:WebService.{keyword}]")


_BLOCKED_SCRIPT = """
import warnings
from tests.factories import Platform, web_spec
from constructs_ecs import WebService
from tests.test_bring_your_own import warnings_of

warnings.simplefilter("ignore", DeprecationWarning)
platform = Platform("Blocked")
web = WebService(
    platform.stack, "Web", cluster=platform.cluster, load_balancer=platform.load_balancer,
    task_definition=web_spec(), priority=7,
)
print([w for w in warnings_of(web) if "deprecated" in w])
"""


def test_a_moved_keyword_is_not_blocked_as_a_deprecated_aws_cdk_lib_api() -> None:
    """``CDK_BLOCK_DEPRECATIONS`` (read by the Node.js process, hence a process of its own)
    blocks aws-cdk-lib's deprecated APIs; a moved keyword of this library is its own warning,
    which ``cdk synth --strict`` fails on, not a bare JavaScript error."""
    env = {**os.environ, "CDK_BLOCK_DEPRECATIONS": "1"}
    run = subprocess.run(
        [sys.executable, "-c", _BLOCKED_SCRIPT],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "@constructs-ecs/deprecated:WebService.priority" in run.stdout


@pytest.mark.parametrize("kind", ["web", "worker"])
def test_a_network_keyword_of_0_1_gives_the_template_of_its_new_form(kind: str) -> None:
    old, new = Platform("Moved"), Platform("Moved")
    for platform in (old, new):
        _namespace(platform)
    with pytest.warns(DeprecationWarning, match=r"use network=ServiceNetwork\(service_connect="):
        getattr(old, kind)("Svc", service_connect=ServiceConnect())
    getattr(new, kind)("Svc", network=ServiceNetwork(service_connect=ServiceConnect()))
    assert template_of(old.stack, allow_warnings=True) == template_of(new.stack)


def test_security_groups_of_0_1_still_reach_the_tasks() -> None:
    from tests.test_bring_your_own import awsvpc_spec

    platform = Platform("Groups")
    own = ec2.SecurityGroup(platform.stack, "Own", vpc=platform.cluster.vpc)
    with pytest.warns(DeprecationWarning, match="network=ServiceNetwork"):
        worker = platform.worker("Worker", task_definition=awsvpc_spec(), security_groups=[own])
    assert worker.security_group is None


def test_the_new_forms_give_no_warning() -> None:
    platform = Platform("Quiet")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="jsii.*")
        _web(platform, routing=Routing(path_patterns=["/*"]), network=ServiceNetwork())
    assert not [w for w in warnings_of(platform.stack.node.find_child("Web")) if "deprecated" in w]


def test_fails_when_a_moved_keyword_has_a_wrong_type() -> None:
    platform = Platform("Wrong")
    with pytest.raises(ConfigurationError) as raised:
        _web(platform, path_patterns="/api/*")
    assert raised.value.field == "path_patterns"
    assert "a list (not a single value) of strings" in str(raised.value)


def test_fails_when_a_moved_keyword_is_given_beside_its_new_form() -> None:
    platform = Platform("Both")
    with (
        pytest.warns(DeprecationWarning, match="priority"),
        pytest.raises(ConfigurationError) as raised,
    ):
        _web(platform, routing=Routing(), priority=3)
    assert raised.value.field == "priority"
    assert "only without routing=" in str(raised.value)


def test_fails_when_a_keyword_never_existed() -> None:
    with pytest.raises(ConfigurationError) as raised:
        WorkerService(
            Platform("Typo").stack,
            "Worker",
            cluster=Platform("Other").cluster,
            task_definition=web_spec(),
            path_patterns=["/"],  # a web service's, never a worker's
        )
    assert raised.value.field == "path_patterns"
    assert "is not a parameter of WorkerService" in str(raised.value)
    assert "its parameters are scope, construct_id, cluster" in str(raised.value)


SHARED_DOCS = ("cluster", "task_definition", "network", "enable_exec", "log_retention")
"""The parameters the services document alike (the others say what differs for each)."""


def _param_docs(cls: type) -> dict[str, str]:
    import inspect
    import re

    doc = inspect.getdoc(vars(cls)["__init__"]) or ""
    found = re.findall(r":param (\w+): (.*?)(?=\n:param |\Z)", doc, re.S)
    return {name: " ".join(text.split()) for name, text in found}


def test_the_services_share_one_signature() -> None:
    """What WebService and WorkerService both take is the same parameter, annotated alike,
    and documented alike where it means the same."""
    import inspect

    web = inspect.signature(WebService.__init__).parameters
    worker = inspect.signature(WorkerService.__init__).parameters
    shared = [name for name in worker if name in web and name != "self"]
    assert {"cluster", "task_definition", "network", "deployment", "alarms"} <= set(shared)
    for name in shared:
        assert web[name].annotation == worker[name].annotation, name
        assert web[name].kind == worker[name].kind, name
    web_docs, worker_docs = _param_docs(WebService), _param_docs(WorkerService)
    for name in SHARED_DOCS:
        assert web_docs[name] == worker_docs[name], name


# --------------------------------------------------------------------------- EcsCluster

CLUSTER_CASES: dict[str, tuple[Any, str]] = {
    # keyword: (its value in a stack, the new form)
    "agent_settings": (lambda stack: {"ECS_LOGLEVEL": "debug"}, "agent=ContainerAgent(settings="),
    "allow_privileged_tasks": (
        lambda stack: True,
        "agent=ContainerAgent(allow_privileged_tasks=",
    ),
    "exec_log_retention": (
        lambda stack: logs.RetentionDays.SIX_MONTHS,
        "logs=ClusterLogs(exec_log_retention=",
    ),
    "log_key": (
        lambda stack: kms.Key(stack, "LogKey", enable_key_rotation=True),
        "logs=ClusterLogs(key=",
    ),
}
NEW_FORMS: dict[str, Any] = {
    "agent_settings": lambda value: {"agent": ContainerAgent(settings=value)},
    "allow_privileged_tasks": lambda value: {"agent": ContainerAgent(allow_privileged_tasks=value)},
    "exec_log_retention": lambda value: {"logs": ClusterLogs(exec_log_retention=value)},
    "log_key": lambda value: {"logs": ClusterLogs(key=value)},
}


def _cluster(stack: cdk.Stack, **options: Any) -> EcsCluster:
    network = Network(stack, "Network")
    return EcsCluster(stack, "Cluster", vpc=network.vpc, **options)


@pytest.mark.parametrize("keyword", sorted(CLUSTER_CASES))
def test_a_cluster_keyword_of_0_1_gives_the_template_of_its_new_form(keyword: str) -> None:
    value_in, form = CLUSTER_CASES[keyword]
    old, new = make_stack("MovedCluster"), make_stack("MovedCluster")
    with pytest.warns(
        DeprecationWarning, match=rf"EcsCluster\({keyword}=\.\.\.\) is deprecated"
    ) as caught:
        cluster = _cluster(old, **{keyword: value_in(old)})
    message = str(caught[0].message)
    assert f"use {form}...)" in message
    assert "0.3.0" in message
    assert caught[0].filename == __file__  # the user's line, not the library's
    _cluster(new, **NEW_FORMS[keyword](value_in(new)))
    assert template_of(old, allow_warnings=True) == template_of(new)
    (deprecation,) = [w for w in warnings_of(cluster) if "deprecated" in w]
    assert f"constructs_ecs.EcsCluster({keyword}=...) is deprecated" in deprecation
    assert f"use {form}...)" in deprecation


def test_the_moved_cluster_keywords_together_give_the_template_of_the_new_forms() -> None:
    old, new = make_stack("MovedTogether"), make_stack("MovedTogether")
    with pytest.warns(DeprecationWarning, match=r"EcsCluster\(") as caught:
        _cluster(
            old,
            agent_settings={"ECS_LOGLEVEL": "debug"},
            allow_privileged_tasks=True,
            exec_log_retention=logs.RetentionDays.SIX_MONTHS,
            log_key=kms.Key(old, "LogKey", enable_key_rotation=True),
        )
    assert len([w for w in caught if "EcsCluster(" in str(w.message)]) == 4
    _cluster(
        new,
        agent=ContainerAgent(settings={"ECS_LOGLEVEL": "debug"}, allow_privileged_tasks=True),
        logs=ClusterLogs(
            exec_log_retention=logs.RetentionDays.SIX_MONTHS,
            key=kms.Key(new, "LogKey", enable_key_rotation=True),
        ),
    )
    assert template_of(old, allow_warnings=True) == template_of(new)


def test_the_new_cluster_forms_give_no_warning() -> None:
    stack = make_stack("QuietCluster")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="jsii.*")
        cluster = _cluster(stack, agent=ContainerAgent(), logs=ClusterLogs())
    assert not [w for w in warnings_of(cluster) if "deprecated" in w]


@pytest.mark.parametrize(
    ("keyword", "value", "new"),
    [
        ("agent_settings", {"ECS_LOGLEVEL": "debug"}, {"agent": ContainerAgent()}),
        ("allow_privileged_tasks", True, {"agent": ContainerAgent()}),
        ("exec_log_retention", logs.RetentionDays.ONE_DAY, {"logs": ClusterLogs()}),
        ("log_key", None, {"logs": ClusterLogs()}),
    ],
)
def test_fails_when_a_moved_cluster_keyword_is_given_beside_its_new_form(
    keyword: str, value: Any, new: dict[str, Any]
) -> None:
    stack = make_stack("BothCluster", nag=False)
    with (
        pytest.warns(DeprecationWarning, match=keyword),
        pytest.raises(ConfigurationError) as raised,
    ):
        _cluster(stack, **{keyword: value}, **new)
    assert raised.value.field == keyword
    assert f"only without {next(iter(new))}=" in str(raised.value)


@pytest.mark.parametrize(
    ("keyword", "value", "expected"),
    [
        ("agent_settings", ["ECS_LOGLEVEL=debug"], "mapping"),
        ("allow_privileged_tasks", "yes", "True or False"),
        ("exec_log_retention", 30, "RetentionDays"),
        ("log_key", "alias/logs", "IKey"),
    ],
)
def test_fails_when_a_moved_cluster_keyword_has_a_wrong_type(
    keyword: str, value: Any, expected: str
) -> None:
    stack = make_stack("WrongCluster", nag=False)
    with pytest.raises(ConfigurationError) as raised:
        _cluster(stack, **{keyword: value})
    assert raised.value.field == keyword
    assert expected.lower() in str(raised.value).lower()


def test_a_moved_agent_setting_is_never_shown() -> None:
    stack = make_stack("SecretCluster", nag=False)
    with (
        pytest.warns(DeprecationWarning, match="agent_settings"),
        pytest.raises(ConfigurationError) as raised,
    ):
        _cluster(stack, agent_settings={"ECS_ENGINE_AUTH_DATA": "hunter2-secret"})
    assert raised.value.field == "agent.settings['ECS_ENGINE_AUTH_DATA']"
    assert "hunter2" not in str(raised.value)


# ---------------------------------------------------------------------- LoadBalancer


def _certificate(platform: Platform) -> acm.ICertificate:
    return acm.Certificate.from_certificate_arn(platform.stack, "Certificate", CERTIFICATE_ARN)


LOAD_BALANCER_CASES: dict[str, tuple[Callable[[Platform], Any], Callable[[Any], dict[str, Any]]]]
LOAD_BALANCER_CASES = {
    # shard 1's bucket, as PlatformStack hands it to the next shard
    "access_log_bucket": (
        lambda p: p.load_balancer.access_log_bucket,
        lambda bucket: {"access_logs": AccessLogs(bucket=bucket)},
    ),
    "access_log_retention": (
        lambda p: cdk.Duration.days(30),
        lambda retention: {"access_logs": AccessLogs(retention=retention)},
    ),
    "certificate": (_certificate, lambda certificate: {"certificates": [certificate]}),
}
"""Each moved keyword of LoadBalancer: its value in a platform, and its new form."""
LOAD_BALANCER_FORMS = {
    "access_log_bucket": "access_logs=AccessLogs(bucket=...)",
    "access_log_retention": "access_logs=AccessLogs(retention=...)",
    "certificate": "certificates=[...]",
}


def _lb(platform: Platform, **options: Any) -> LoadBalancer:
    if "certificate" not in options and "certificates" not in options:
        options.setdefault("plain_http", TEST_HTTP)
    return LoadBalancer(platform.stack, "Lb", vpc=platform.cluster.vpc, **options)


@pytest.mark.parametrize("keyword", sorted(LOAD_BALANCER_CASES))
def test_a_load_balancer_keyword_of_0_1_gives_the_template_of_its_new_form(keyword: str) -> None:
    value_in, new_form = LOAD_BALANCER_CASES[keyword]
    old, new = Platform("Moved"), Platform("Moved")
    with pytest.warns(
        DeprecationWarning, match=rf"LoadBalancer\({keyword}=\.\.\.\) is deprecated"
    ) as caught:
        old_lb = _lb(old, **{keyword: value_in(old)})
    message = str(caught[0].message)
    assert f"use {LOAD_BALANCER_FORMS[keyword]}" in message
    assert "0.3.0" in message
    assert caught[0].filename == __file__  # the user's line, not the library's
    new_lb = _lb(new, **new_form(value_in(new)))
    for platform, lb in ((old, old_lb), (new, new_lb)):
        # the test listener too (HTTPS with the certificate)
        platform.web(
            "Canary",
            load_balancer=lb,
            routing=Routing(path_patterns=["/canary/*"]),
            deployment=Deployment.canary(),
        )
    assert template_of(old.stack, allow_warnings=True) == template_of(new.stack)
    (deprecation,) = [w for w in warnings_of(old_lb) if "deprecated" in w]
    assert f"constructs_ecs.LoadBalancer({keyword}=...) is deprecated" in deprecation
    assert f"use {LOAD_BALANCER_FORMS[keyword]}" in deprecation


def test_the_new_load_balancer_forms_give_no_warning() -> None:
    platform = Platform("Quiet")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="jsii.*")
        lb = _lb(
            platform,
            certificates=[_certificate(platform)],
            access_logs=AccessLogs(retention=cdk.Duration.days(7)),
        )
    assert not [w for w in warnings_of(lb) if "deprecated" in w]
    assert lb.access_log_bucket is not None


def test_access_logs_true_is_access_logs_with_its_defaults() -> None:
    default, explicit = Platform("Logs"), Platform("Logs")
    _lb(default, access_logs=True)
    _lb(explicit, access_logs=AccessLogs())
    assert template_of(default.stack) == template_of(explicit.stack)


def test_access_logs_false_defines_no_bucket() -> None:
    assert _lb(Platform("NoLogs"), access_logs=False).access_log_bucket is None


@pytest.mark.parametrize(
    ("keyword", "access_logs", "allowed"),
    [
        ("access_log_bucket", AccessLogs(), "only without access_logs="),
        ("access_log_retention", AccessLogs(), "only without access_logs="),
        ("access_log_bucket", False, "True when access_log_bucket or access_log_retention"),
        ("access_log_retention", False, "True when access_log_bucket or access_log_retention"),
    ],
    ids=[
        "bucket-beside-access-logs",
        "retention-beside-access-logs",
        "bucket-off",
        "retention-off",
    ],
)
def test_fails_when_an_access_log_keyword_is_given_beside_access_logs(
    keyword: str, access_logs: Any, allowed: str
) -> None:
    platform = Platform("Both")
    value = LOAD_BALANCER_CASES[keyword][0](platform)
    with (
        pytest.warns(DeprecationWarning, match=keyword),
        pytest.raises(ConfigurationError) as raised,
    ):
        _lb(platform, access_logs=access_logs, **{keyword: value})
    assert raised.value.field == (keyword if access_logs is not False else "access_logs")
    assert allowed in str(raised.value)


def test_fails_when_certificate_is_given_beside_certificates() -> None:
    platform = Platform("Both")
    first = _certificate(platform)
    second = acm.Certificate.from_certificate_arn(
        platform.stack, "Shop", CERTIFICATE_ARN.replace("0a1b2c3d-1111", "5e6f7a8b-9999")
    )
    with (
        pytest.warns(DeprecationWarning, match="certificate"),
        pytest.raises(ConfigurationError) as raised,
    ):
        _lb(platform, certificate=first, certificates=[second])
    assert raised.value.field == "certificate"
    assert "only without certificates=" in str(raised.value)


def test_fails_when_a_moved_load_balancer_keyword_has_a_wrong_type() -> None:
    with pytest.raises(ConfigurationError) as raised:
        _lb(Platform("Wrong"), access_log_retention=30)
    assert raised.value.field == "access_log_retention"
    assert "cdk.Duration" in str(raised.value)


def test_fails_when_a_load_balancer_keyword_never_existed() -> None:
    with pytest.raises(ConfigurationError) as raised:
        _lb(Platform("Typo"), access_log_buckett=None)
    assert raised.value.field == "access_log_buckett"
    assert "is not a parameter of LoadBalancer" in str(raised.value)
    assert "did you mean 'access_log_bucket'" in str(raised.value)


def test_a_value_the_new_form_refuses_is_reported_under_the_moved_keyword() -> None:
    """The user wrote ``access_log_retention``: the error names it, as 0.1 did, not the
    ``access_logs.retention`` field it moved to."""
    with (
        pytest.warns(DeprecationWarning, match="access_log_retention"),
        pytest.raises(ConfigurationError) as raised,
    ):
        _lb(Platform("Hours"), access_log_retention=cdk.Duration.hours(5))
    assert raised.value.field == "access_log_retention"
    assert "whole days" in raised.value.allowed


def test_a_routing_value_refused_names_the_moved_keyword() -> None:
    platform = Platform("PortZero")
    with (
        pytest.warns(DeprecationWarning, match="container_port"),
        pytest.raises(ConfigurationError) as raised,
    ):
        _web(platform, path_patterns=["/x/*"], container_port=0)
    assert raised.value.field == "container_port"
    with pytest.raises(ConfigurationError) as new_form:
        Routing(path_patterns=["/x/*"], container_port=0)
    assert new_form.value.field == "routing.container_port"
