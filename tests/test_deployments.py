"""Deployments (rolling, blue/green, canary, linear), the alarms that roll them back, and
Availability Zone rebalancing: one platform of every kind, synthesized once for the module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns

from constructs_ecs import (
    Alarms,
    ConfigurationError,
    Deployment,
    ExistingLoadBalancer,
    LifecycleHook,
    Placement,
    Routing,
    ServiceConnect,
    ServiceNetwork,
    WebService,
)
from constructs_ecs.load_balancer._routes import Route, RouteTable
from constructs_ecs.testing import (
    assert_cfn_lint_clean,
    assert_nag_clean,
    new_app,
    resource_manifest,
    template_of,
)
from tests.conftest import CDK_JSON, make_stack
from tests.factories import Platform, web_spec

HOOK_ARN = "arn:aws:lambda:us-east-1:123456789012:function:smoke-test"
PAGER_ARN = "arn:aws:sns:us-east-1:123456789012:pager"


class Deployments:
    """A service per strategy and alarm setting on one platform."""

    def __init__(self) -> None:
        self.platform = platform = Platform("Deployments")
        stack, cluster = platform.stack, platform.cluster
        cluster.cluster.add_default_cloud_map_namespace(
            name="deploy.internal", use_for_service_connect=True
        )
        hook = lambda_.Function.from_function_attributes(
            stack, "SmokeTest", function_arn=HOOK_ARN, same_environment=True
        )
        self.rolling = platform.web("Rolling", routing=Routing(path_patterns=["/rolling/*"]))
        self.tuned = platform.web(
            "Tuned",
            routing=Routing(path_patterns=["/tuned/*"]),
            desired_count=4,
            deployment=Deployment.rolling(
                min_healthy_percent=50,
                max_percent=150,
                deregistration_delay=cdk.Duration.seconds(10),
                health_check_grace=cdk.Duration.minutes(2),
            ),
        )
        self.blue = platform.web(
            "Blue",
            routing=Routing(path_patterns=["/blue/*"]),
            deployment=Deployment.blue_green(
                bake_time=cdk.Duration.minutes(10),
                lifecycle_hooks=[
                    LifecycleHook(
                        function=hook,
                        stages=[ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
                    )
                ],
            ),
        )
        self.canary = platform.web(
            "Canary",
            routing=Routing(path_patterns=["/canary/*"]),
            deployment=Deployment.canary(
                percent=10,
                interval=cdk.Duration.minutes(10),
                bake_time=cdk.Duration.minutes(15),
            ),
        )
        self.linear = platform.web(
            "Linear",
            routing=Routing(path_patterns=["/linear/*"]),
            deployment=Deployment.linear(step_percent=25, interval=cdk.Duration.minutes(4)),
        )
        self.mesh = platform.worker(
            "Mesh",
            task_definition=web_spec("mesh"),
            network=ServiceNetwork(service_connect=ServiceConnect(dns_name="mesh")),
            deployment=Deployment.blue_green(),
        )
        self.agent = platform.worker("Agent", daemon=True)
        self.queue = platform.worker("Queue")
        self.quiet = platform.web(
            "Quiet", routing=Routing(path_patterns=["/quiet/*"]), alarms=Alarms.off()
        )
        self.business = cloudwatch.Alarm(
            stack,
            "Business",
            metric=cloudwatch.Metric(namespace="Shop", metric_name="FailedOrders"),
            threshold=5,
            evaluation_periods=1,
        )
        self.paged = platform.web(
            "Paged",
            routing=Routing(path_patterns=["/paged/*"]),
            alarms=Alarms(
                target_5xx_percent=2,
                response_time_p99_seconds=None,
                topic=sns.Topic.from_topic_arn(stack, "Pager", PAGER_ARN),
                deployment_alarms=[self.business],
            ),
        )
        self.json = template_of(stack)
        self.resources: dict[str, Any] = self.json["Resources"]

    def id_of(self, construct: Any) -> str:
        child = construct.node.default_child
        return str(self.platform.stack.get_logical_id(child))

    def service(self, web: Any) -> dict[str, Any]:
        props: dict[str, Any] = self.resources[self.id_of(web.service)]["Properties"]
        return props

    def of(self, construct: Any) -> dict[str, Any]:
        props: dict[str, Any] = self.resources[self.id_of(construct)]["Properties"]
        return props


@pytest.fixture(scope="module")
def d() -> Deployments:
    return Deployments()


def ref(d: Deployments, construct: Any) -> dict[str, str]:
    return {"Ref": d.id_of(construct)}


# --- strategies ---------------------------------------------------------------------------------


def test_rolling_is_the_default_with_circuit_breaker_and_full_capacity(d: Deployments) -> None:
    config = d.service(d.rolling)["DeploymentConfiguration"]
    assert config["Strategy"] == "ROLLING"
    assert (config["MinimumHealthyPercent"], config["MaximumPercent"]) == (100, 200)
    assert config["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert "BakeTimeInMinutes" not in config
    assert "AdvancedConfiguration" not in d.service(d.rolling)["LoadBalancers"][0]


def test_rolling_options_reach_the_service_and_the_target_group(d: Deployments) -> None:
    props = d.service(d.tuned)
    config = props["DeploymentConfiguration"]
    assert (config["MinimumHealthyPercent"], config["MaximumPercent"]) == (50, 150)
    assert props["HealthCheckGracePeriodSeconds"] == 120
    attributes = d.of(d.tuned.target_group)["TargetGroupAttributes"]
    assert {"Key": "deregistration_delay.timeout_seconds", "Value": "10"} in attributes


def test_blue_green_bakes_rolls_back_on_alarms_and_runs_its_hook(d: Deployments) -> None:
    config = d.service(d.blue)["DeploymentConfiguration"]
    assert config["Strategy"] == "BLUE_GREEN"
    assert config["BakeTimeInMinutes"] == 10
    assert config["Alarms"]["Enable"] is True
    assert config["Alarms"]["Rollback"] is True
    assert config["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    [hook] = config["LifecycleHooks"]
    assert hook["LifecycleStages"] == ["POST_TEST_TRAFFIC_SHIFT"]
    assert hook["HookTargetArn"] == HOOK_ARN
    assert hook["RoleArn"] == {"Fn::GetAtt": [d.id_of(d.blue.hook_role), "Arn"]}


def test_blue_green_has_two_target_groups_and_the_rules_ecs_shifts(d: Deployments) -> None:
    assert d.blue.alternate_target_group is not None
    assert d.blue.test_listener_rule is not None
    [balanced] = d.service(d.blue)["LoadBalancers"]
    assert balanced["TargetGroupArn"] == ref(d, d.blue.target_group)
    assert balanced["AdvancedConfiguration"] == {
        "AlternateTargetGroupArn": ref(d, d.blue.alternate_target_group),
        "ProductionListenerRule": ref(d, d.blue.listener_rule),
        "TestListenerRule": ref(d, d.blue.test_listener_rule),
        "RoleArn": {"Fn::GetAtt": [d.id_of(d.blue.deployment_role), "Arn"]},
    }
    weighted = [
        {"TargetGroupArn": ref(d, d.blue.target_group), "Weight": 100},
        {"TargetGroupArn": ref(d, d.blue.alternate_target_group), "Weight": 0},
    ]
    production, test = d.of(d.blue.listener_rule), d.of(d.blue.test_listener_rule)
    for rule in (production, test):
        # One forward action and nothing else: the only kind of rule ECS can shift.
        assert rule["Actions"] == [{"Type": "forward", "ForwardConfig": {"TargetGroups": weighted}}]
    assert production["ListenerArn"] == ref(d, d.platform.load_balancer.listener)
    assert test["ListenerArn"] == ref(d, d.platform.load_balancer.test_listener)
    assert test["Priority"] == production["Priority"]
    assert test["Conditions"] == production["Conditions"]


def test_canary_sends_its_percent_for_the_interval_then_bakes(d: Deployments) -> None:
    config = d.service(d.canary)["DeploymentConfiguration"]
    assert config["Strategy"] == "CANARY"
    assert config["CanaryConfiguration"] == {"CanaryPercent": 10, "CanaryBakeTimeInMinutes": 10}
    assert config["BakeTimeInMinutes"] == 15
    assert "LinearConfiguration" not in config


def test_linear_moves_its_step_every_interval_then_bakes_five_minutes(d: Deployments) -> None:
    config = d.service(d.linear)["DeploymentConfiguration"]
    assert config["Strategy"] == "LINEAR"
    assert config["LinearConfiguration"] == {"StepPercent": 25, "StepBakeTimeInMinutes": 4}
    assert config["BakeTimeInMinutes"] == 5


STRATEGIES = {"rolling": "ROLLING", "blue": "BLUE_GREEN", "canary": "CANARY", "linear": "LINEAR"}


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_rolls_back_on_the_deployment_alarms_and_the_circuit_breaker(
    d: Deployments, name: str
) -> None:
    web = getattr(d, name)
    config = d.service(web)["DeploymentConfiguration"]
    assert config["Strategy"] == STRATEGIES[name]
    assert config["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    alarms = web.alarms.alarms
    assert config["Alarms"] == {
        "AlarmNames": [ref(d, alarms["Target5xxRate"]), ref(d, alarms["UnhealthyTargets"])],
        "Enable": True,
        "Rollback": True,
    }
    # No controller named: ECS itself deploys (not CodeDeploy).
    assert d.service(web).get("DeploymentController", {"Type": "ECS"}) == {"Type": "ECS"}


@pytest.mark.parametrize(("name", "bake"), [("blue", 10), ("canary", 15), ("linear", 5)])
def test_each_traffic_shifting_strategy_wires_two_groups_two_rules_and_a_role(
    d: Deployments, name: str, bake: int
) -> None:
    web = getattr(d, name)
    assert d.service(web)["DeploymentConfiguration"]["BakeTimeInMinutes"] == bake
    [balanced] = d.service(web)["LoadBalancers"]
    advanced = balanced["AdvancedConfiguration"]
    assert advanced["AlternateTargetGroupArn"] == ref(d, web.alternate_target_group)
    assert advanced["ProductionListenerRule"] == ref(d, web.listener_rule)
    assert advanced["TestListenerRule"] == ref(d, web.test_listener_rule)
    assert advanced["RoleArn"] == {"Fn::GetAtt": [d.id_of(web.deployment_role), "Arn"]}
    for group in (web.target_group, web.alternate_target_group):
        props = d.of(group)
        assert (props["Port"], props["Protocol"], props["TargetType"]) == (80, "HTTP", "instance")
        assert props["HealthCheckPath"] == "/"
    # Both revisions are judged by the same health check, on the same port.
    assert d.of(web.target_group)["HealthCheckIntervalSeconds"] == 15
    assert d.of(web.alternate_target_group)["HealthCheckIntervalSeconds"] == 15
    role = d.of(web.deployment_role)
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "ecs.amazonaws.com"}


def test_only_blue_green_with_hooks_gets_a_hook_role(d: Deployments) -> None:
    assert d.blue.hook_role is not None
    for web in (d.canary, d.linear, d.rolling):
        assert web.hook_role is None
        assert "LifecycleHooks" not in d.service(web)["DeploymentConfiguration"]


def test_deployment_role_shifts_only_its_own_rules_and_target_groups(d: Deployments) -> None:
    role = d.of(d.canary.deployment_role)
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "ecs.amazonaws.com"
    }
    assert "ManagedPolicyArns" not in role
    policy_id = d.id_of(d.canary.deployment_role.node.find_child("DefaultPolicy"))
    statements = d.resources[policy_id]["Properties"]["PolicyDocument"]["Statement"]
    by_action = {str(s["Action"]): s["Resource"] for s in statements}
    groups = [d.canary.alternate_target_group, d.canary.target_group]
    assert by_action[
        str(["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"])
    ] == [ref(d, g) for g in groups]
    assert by_action["elasticloadbalancing:ModifyRule"] == [
        ref(d, d.canary.listener_rule),
        ref(d, d.canary.test_listener_rule),
    ]
    [describe] = [a for a in by_action if "Describe" in a]
    assert by_action[describe] == "*"


def test_hook_role_may_invoke_the_hook_function_only(d: Deployments) -> None:
    policy_id = d.id_of(d.blue.hook_role.node.find_child("DefaultPolicy"))
    [statement] = d.resources[policy_id]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Resource"] == [HOOK_ARN, f"{HOOK_ARN}:*"]


def test_a_service_connect_server_deploys_blue_green_without_a_load_balancer(
    d: Deployments,
) -> None:
    props = d.service(d.mesh)
    assert props["DeploymentConfiguration"]["Strategy"] == "BLUE_GREEN"
    assert props.get("LoadBalancers", []) == []
    assert d.mesh.alarms.deployment_alarms == ()
    assert "Alarms" not in props["DeploymentConfiguration"]


def test_rolling_services_get_no_second_target_group_or_role(d: Deployments) -> None:
    assert d.rolling.alternate_target_group is None
    assert d.rolling.test_listener_rule is None
    assert d.rolling.deployment_role is None
    assert d.rolling.hook_role is None


def test_test_listener_is_a_port_of_its_own_open_to_no_one(d: Deployments) -> None:
    listener = d.of(d.platform.load_balancer.test_listener)
    assert (listener["Port"], listener["Protocol"]) == (8080, "HTTP")
    assert listener["DefaultActions"][0]["Type"] == "fixed-response"
    group = d.of(d.platform.load_balancer.security_group)
    assert {rule["FromPort"] for rule in group.get("SecurityGroupIngress", [])} == {80}


CERTIFICATE_ARN = (
    "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"
)


def test_with_a_certificate_the_test_listener_is_https_and_the_redirect_holds_no_rule() -> None:
    """Blue/green fails on a rule that mixes forward with redirect or fixed-response actions:
    the service's rules sit on the HTTPS and test listeners, forward only; the redirect
    listener keeps its one default action."""
    from aws_cdk import aws_certificatemanager as acm

    from constructs_ecs import EcsCluster, LoadBalancer, Network

    stack = make_stack("CertifiedDeployments")
    network = Network(stack, "Network")
    cluster = EcsCluster(stack, "Cluster", vpc=network.vpc, min_capacity=1, max_capacity=4)
    lb = LoadBalancer(
        stack,
        "LoadBalancer",
        vpc=network.vpc,
        certificates=[acm.Certificate.from_certificate_arn(stack, "Certificate", CERTIFICATE_ARN)],
    )
    web = WebService(
        stack,
        "Canary",
        cluster=cluster,
        load_balancer=lb,
        task_definition=web_spec("canary"),
        routing=Routing(path_patterns=["/canary/*"]),
        deployment=Deployment.canary(),
    )
    resources = template_of(stack)["Resources"]
    assert lb.test_listener is not None
    assert lb.redirect_listener is not None
    listeners = {
        stack.get_logical_id(c.node.default_child) for c in (lb.listener, lb.test_listener)
    }
    test = resources[stack.get_logical_id(lb.test_listener.node.default_child)]["Properties"]
    assert (test["Port"], test["Protocol"]) == (8443, "HTTPS")
    assert test["Certificates"] == [{"CertificateArn": CERTIFICATE_ARN}]
    rules = [r["Properties"] for r in resources.values() if r["Type"].endswith("ListenerRule")]
    assert {rule["ListenerArn"]["Ref"] for rule in rules} == listeners
    for rule in rules:
        assert [action["Type"] for action in rule["Actions"]] == ["forward"]
    redirect = stack.get_logical_id(lb.redirect_listener.node.default_child)
    assert [a["Type"] for a in resources[redirect]["Properties"]["DefaultActions"]] == ["redirect"]
    assert web.test_listener_rule is not None


def test_load_balancer_counts_two_target_groups_and_rules_per_blue_green_route(
    d: Deployments,
) -> None:
    lb = d.platform.load_balancer
    # Rolling, Tuned, Quiet, Paged: one each; Blue, Canary, Linear: two target groups, and a
    # production and a test rule.
    assert lb.target_group_count == 4 + 3 * 2
    assert lb.rule_count == 4 + 3 * 2


def test_a_route_counts_its_test_rule_against_the_rule_quota() -> None:
    table = RouteTable(max_rules=3)
    table.add(Route(owner="A", hosts=(), paths=("/a/*",), target_groups=2, rules=2))
    with pytest.raises(ConfigurationError, match=r"at most 3 rules"):
        table.add(Route(owner="B", hosts=(), paths=("/b/*",), target_groups=2, rules=2))
    table.add(Route(owner="C", hosts=(), paths=("/c/*",)))
    assert (table.rule_count, table.target_group_count) == (3, 3)


# --- alarms -------------------------------------------------------------------------------------

# name: (metric names, threshold, evaluation periods, datapoints, comparison)
WEB_ALARMS = {
    "Target5xxRate": (
        {"HTTPCode_Target_5XX_Count", "RequestCount"},
        5,
        3,
        2,
        "GreaterThanThreshold",
    ),
    "UnhealthyTargets": ({"UnHealthyHostCount"}, 1, 3, 2, "GreaterThanOrEqualToThreshold"),
    "ResponseTimeP99": ({"TargetResponseTime"}, 2, 5, 5, "GreaterThanThreshold"),
    "CpuUtilization": ({"CPUUtilization"}, 90, 5, 5, "GreaterThanThreshold"),
    "MemoryUtilization": ({"MemoryUtilization"}, 90, 5, 5, "GreaterThanThreshold"),
    "TasksMissing": (
        {"DesiredTaskCount", "RunningTaskCount"},
        1,
        10,
        10,
        "GreaterThanOrEqualToThreshold",
    ),
}


def metric_names(alarm: dict[str, Any]) -> set[str]:
    if "MetricName" in alarm:
        return {alarm["MetricName"]}
    return {m["MetricStat"]["Metric"]["MetricName"] for m in alarm["Metrics"] if "MetricStat" in m}


@pytest.mark.parametrize("name", sorted(WEB_ALARMS))
def test_each_web_alarm_watches_its_metric_with_its_threshold(d: Deployments, name: str) -> None:
    alarm = d.of(d.rolling.alarms.alarms[name])
    metrics, threshold, periods, datapoints, comparison = WEB_ALARMS[name]
    assert metric_names(alarm) == metrics
    assert alarm["Threshold"] == threshold
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (periods, datapoints)
    assert alarm["ComparisonOperator"] == comparison
    # No alarm on a first deploy or an idle service.
    assert alarm["TreatMissingData"] == "notBreaching"


def test_the_5xx_rate_is_a_percentage_of_one_minute_requests(d: Deployments) -> None:
    alarm = d.of(d.rolling.alarms.alarms["Target5xxRate"])
    [returned] = [m for m in alarm["Metrics"] if m["ReturnData"]]
    assert returned["Expression"] == "100 * FILL(errors0, 0) / FILL(requests0, 1)"
    stats = [m["MetricStat"] for m in alarm["Metrics"] if "MetricStat" in m]
    assert {(s["Period"], s["Stat"]) for s in stats} == {(60, "Sum")}


def test_only_this_version_is_bad_alarms_roll_a_deploy_back(d: Deployments) -> None:
    names = d.service(d.rolling)["DeploymentConfiguration"]["Alarms"]["AlarmNames"]
    alarms = d.rolling.alarms.alarms
    assert names == [ref(d, alarms["Target5xxRate"]), ref(d, alarms["UnhealthyTargets"])]


def test_blue_green_alarms_judge_each_target_group_on_its_own(d: Deployments) -> None:
    """A canary's errors are not diluted by the old revision's traffic: the worse group wins."""
    alarm = d.of(d.canary.alarms.alarms["Target5xxRate"])
    [returned] = [m for m in alarm["Metrics"] if m["ReturnData"]]
    assert returned["Expression"] == "MAX([rate0, rate1])"
    groups = {
        dimension["Value"]["Fn::GetAtt"][0]
        for m in alarm["Metrics"]
        if "MetricStat" in m
        for dimension in m["MetricStat"]["Metric"]["Dimensions"]
        if dimension["Name"] == "TargetGroup"
    }
    assert groups == {d.id_of(d.canary.target_group), d.id_of(d.canary.alternate_target_group)}
    unhealthy = d.of(d.canary.alarms.alarms["UnhealthyTargets"])
    [total] = [m for m in unhealthy["Metrics"] if m["ReturnData"]]
    assert total["Expression"] == "FILL(unhealthy0, 0) + FILL(unhealthy1, 0)"


def test_workers_alarm_on_load_and_missing_tasks_but_roll_back_on_none(d: Deployments) -> None:
    assert set(d.queue.alarms.alarms) == {"CpuUtilization", "MemoryUtilization", "TasksMissing"}
    assert "Alarms" not in d.service(d.queue)["DeploymentConfiguration"]


def test_alarms_off_defines_no_alarm_and_no_deployment_alarm(d: Deployments) -> None:
    assert d.quiet.alarms.alarms == {}
    assert "Alarms" not in d.service(d.quiet)["DeploymentConfiguration"]
    assert not any(k.startswith("QuietAlarms") for k in d.resources)


def test_alarms_notify_the_topic_and_the_users_alarms_roll_back_too(d: Deployments) -> None:
    alarms = d.paged.alarms.alarms
    assert "ResponseTimeP99" not in alarms
    assert d.of(alarms["Target5xxRate"])["Threshold"] == 2
    for alarm in alarms.values():
        assert d.of(alarm)["AlarmActions"] == [PAGER_ARN]
        assert d.of(alarm)["OKActions"] == [PAGER_ARN]
    names = d.service(d.paged)["DeploymentConfiguration"]["Alarms"]["AlarmNames"]
    assert names[-1] == ref(d, d.business)
    assert len(names) == 3


def test_deployment_alarms_are_the_5xx_rate_and_unhealthy_targets_only(d: Deployments) -> None:
    for web in (d.rolling, d.blue, d.canary, d.linear):
        alarms = web.alarms.alarms
        assert web.alarms.deployment_alarms == (
            alarms["Target5xxRate"],
            alarms["UnhealthyTargets"],
        )
    for worker in (d.queue, d.agent, d.mesh):
        assert worker.alarms.deployment_alarms == ()


@pytest.mark.parametrize("name", ["CpuUtilization", "MemoryUtilization", "TasksMissing"])
def test_a_workers_alarms_match_a_web_services(d: Deployments, name: str) -> None:
    alarm = d.of(d.queue.alarms.alarms[name])
    metrics, threshold, periods, datapoints, comparison = WEB_ALARMS[name]
    assert metric_names(alarm) == metrics
    assert alarm["Threshold"] == threshold
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (periods, datapoints)
    assert alarm["ComparisonOperator"] == comparison
    assert alarm["TreatMissingData"] == "notBreaching"
    assert "AlarmActions" not in alarm


def test_tasks_missing_compares_desired_and_running_tasks_of_the_service(d: Deployments) -> None:
    alarm = d.of(d.rolling.alarms.alarms["TasksMissing"])
    [returned] = [m for m in alarm["Metrics"] if m["ReturnData"]]
    assert returned["Expression"] == "FILL(desired, 0) - FILL(running, 0)"
    namespaces = {
        m["MetricStat"]["Metric"]["Namespace"] for m in alarm["Metrics"] if "MetricStat" in m
    }
    assert namespaces == {"ECS/ContainerInsights"}


# --- Availability Zone rebalancing ---------------------------------------------------------------


def test_replica_services_rebalance_across_zones_and_daemons_do_not(d: Deployments) -> None:
    for service in (d.rolling, d.blue, d.queue, d.mesh):
        assert d.service(service)["AvailabilityZoneRebalancing"] == "ENABLED"
    assert d.service(d.agent)["AvailabilityZoneRebalancing"] == "DISABLED"
    assert d.service(d.agent)["DeploymentConfiguration"]["MaximumPercent"] == 100


# --- the whole template -------------------------------------------------------------------------


def test_template_passes_cfn_lint(d: Deployments) -> None:
    assert_cfn_lint_clean(d.json)


def test_template_passes_cdk_nag(d: Deployments) -> None:
    assert_nag_clean(d.platform.stack)


def test_every_web_service_of_the_reference_app_rolls_back_on_its_deployment_alarms() -> None:
    import app as reference

    stack = reference.build(new_app(cdk_json=CDK_JSON))
    template = template_of(stack)
    webs = [c for c in stack.node.find_all() if isinstance(c, WebService)]
    assert webs
    for web in webs:
        service = stack.get_logical_id(web.service.node.default_child)
        config = template["Resources"][service]["Properties"]["DeploymentConfiguration"]
        names = [
            {"Ref": stack.get_logical_id(a.node.default_child)}
            for a in web.alarms.alarms.values()
            if a in web.alarms.deployment_alarms
        ]
        assert len(names) == 2
        assert config["Alarms"] == {"AlarmNames": names, "Enable": True, "Rollback": True}
        assert config["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}


def service_resources(d: Deployments, prefix: str) -> dict[str, Any]:
    return {
        "Resources": {k: v for k, v in d.resources.items() if k.startswith(prefix)},
        "Parameters": {},
    }


@pytest.mark.parametrize("prefix", ["Blue", "Canary"])
def test_service_snapshot(d: Deployments, prefix: str, snapshot_json: Any) -> None:
    resources = service_resources(d, prefix)
    types = resource_manifest(resources).values()
    assert list(types).count("AWS::ElasticLoadBalancingV2::TargetGroup") == 2
    assert list(types).count("AWS::ElasticLoadBalancingV2::ListenerRule") == 2
    assert resource_manifest(resources) == snapshot_json(name=f"{prefix}-manifest")
    assert resources == snapshot_json(name=f"{prefix}-template")


# --- validation ---------------------------------------------------------------------------------


@pytest.fixture
def v() -> Platform:
    """A platform of the test's own, never synthesized: what one test defines cannot make
    another pass or fail, whatever the order."""
    platform = Platform("DeploymentChecks")
    platform.cluster.cluster.add_default_cloud_map_namespace(
        name="checks.internal", use_for_service_connect=True
    )
    return platform


def test_fails_when_a_daemon_deploys_blue_green(v: Platform) -> None:
    with pytest.raises(
        ConfigurationError, match=r"^deployment: .*Deployment\.rolling\(\) for a daemon"
    ):
        v.worker("BlueDaemon", daemon=True, deployment=Deployment.blue_green())


def test_fails_when_a_worker_no_one_calls_deploys_canary(v: Platform) -> None:
    with pytest.raises(ConfigurationError, match=r"^deployment: .*Service Connect server"):
        v.worker(
            "CanaryClient",
            network=ServiceNetwork(service_connect=ServiceConnect()),
            deployment=Deployment.canary(),
        )


def test_fails_when_a_worker_is_given_a_deregistration_delay(v: Platform) -> None:
    with pytest.raises(
        ConfigurationError, match=r"^deployment\.deregistration_delay: .*WebService"
    ):
        v.worker(
            "Draining",
            deployment=Deployment.rolling(deregistration_delay=cdk.Duration.seconds(5)),
        )


def test_fails_when_a_daemon_is_given_a_maximum_over_100(v: Platform) -> None:
    with pytest.raises(ConfigurationError, match=r"^deployment\.max_percent: got 200;"):
        v.worker("WideDaemon", daemon=True, deployment=Deployment.rolling(max_percent=200))


def test_fails_when_a_rolling_deploy_can_neither_stop_nor_start_a_task(v: Platform) -> None:
    with pytest.raises(ConfigurationError, match=r"with 2 task\(s\).*never progresses"):
        v.web(
            "Stuck",
            routing=Routing(path_patterns=["/stuck/*"]),
            deployment=Deployment.rolling(min_healthy_percent=75, max_percent=125),
        )


def test_fails_when_blue_green_needs_more_instances_than_a_static_port_allows() -> None:
    platform = Platform("StaticBlueGreen")  # a cluster of at most 4 instances
    platform.web(
        "Two",
        routing=Routing(path_patterns=["/two/*"]),
        task_definition=web_spec("two", host_port=8081),
        deployment=Deployment.blue_green(),
    )
    with pytest.raises(ConfigurationError, match=r"^desired_count: got 3;.*blue/green deploy"):
        platform.web(
            "Three",
            routing=Routing(path_patterns=["/three/*"]),
            task_definition=web_spec("three", host_port=8082),
            desired_count=3,
            deployment=Deployment.blue_green(),
        )


def test_fails_when_a_worker_without_service_connect_deploys_blue_green(v: Platform) -> None:
    with pytest.raises(ConfigurationError, match=r"^deployment: .*behind a load balancer"):
        v.worker("Headless", deployment=Deployment.blue_green())


def test_fails_when_a_worker_is_given_a_health_check_grace(v: Platform) -> None:
    with pytest.raises(ConfigurationError, match=r"^deployment\.health_check_grace: .*WebService"):
        v.worker(
            "Graceful",
            deployment=Deployment.rolling(health_check_grace=cdk.Duration.seconds(30)),
        )


def test_fails_when_a_daemon_asks_for_zone_rebalancing(v: Platform) -> None:
    with pytest.raises(
        ConfigurationError, match=r"^placement\.availability_zone_rebalancing: .*daemon"
    ):
        v.worker(
            "BalancedDaemon",
            daemon=True,
            placement=Placement(availability_zone_rebalancing=True),
        )


def test_fails_when_a_scaled_service_would_stall_at_its_fewest_tasks(v: Platform) -> None:
    from constructs_ecs import Scaling

    with pytest.raises(ConfigurationError, match=r"with 1 task\(s\).*never progresses"):
        v.web(
            "Scaled",
            routing=Routing(path_patterns=["/scaled/*"]),
            scaling=Scaling(min_count=1, max_count=4),
            deployment=Deployment.rolling(min_healthy_percent=50, max_percent=100),
        )


def test_fails_when_a_blue_green_service_scales_on_requests_per_target(v: Platform) -> None:
    from constructs_ecs import Scaling

    with pytest.raises(ConfigurationError, match=r"^scaling\.requests_per_target: .*other target"):
        v.web(
            "Counted",
            routing=Routing(path_patterns=["/counted/*"]),
            scaling=Scaling(min_count=2, max_count=4, requests_per_target=500),
            deployment=Deployment.canary(),
        )


def test_fails_when_the_first_strategy_does_not_spread_across_zones(v: Platform) -> None:
    binpack = Placement(strategies=[ecs.PlacementStrategy.packed_by_memory()])
    with pytest.raises(ConfigurationError, match=r"^placement\.strategies: .*spread_across"):
        v.worker("Packed", placement=binpack)
    packed = v.worker(
        "PackedOnPurpose",
        placement=Placement(strategies=binpack.strategies, availability_zone_rebalancing=False),
    )
    assert rebalancing(packed) == "DISABLED"


def test_fails_when_a_constraint_pins_the_zone(v: Platform) -> None:
    pinned = ecs.PlacementConstraint.member_of("attribute:ecs.availability-zone == us-east-1a")
    with pytest.raises(ConfigurationError, match=r"^placement\.constraints: .*Availability Zone"):
        v.worker("Pinned", placement=Placement(constraints=[pinned]))


def test_rebalancing_is_off_when_a_deploy_may_not_exceed_the_desired_count(v: Platform) -> None:
    narrow = v.worker(
        "Narrow", deployment=Deployment.rolling(min_healthy_percent=0, max_percent=100)
    )
    assert rebalancing(narrow) == "DISABLED"
    with pytest.raises(ConfigurationError, match=r"availability_zone_rebalancing: got True;"):
        v.worker(
            "NarrowOn",
            placement=Placement(availability_zone_rebalancing=True),
            deployment=Deployment.rolling(min_healthy_percent=0, max_percent=100),
        )


def rebalancing(service: Any) -> str:
    cfn = service.service.node.default_child
    return str(cfn.availability_zone_rebalancing)


def test_an_existing_load_balancer_without_a_test_listener_gets_no_test_rule(v: Platform) -> None:
    existing = ExistingLoadBalancer(
        v.stack,
        "Existing",
        listener=v.load_balancer.listener,
        security_group=v.load_balancer.security_group,
    )
    service = v.web(
        "Elsewhere",
        load_balancer=existing,
        routing=Routing(path_patterns=["/elsewhere/*"]),
        deployment=Deployment.canary(),
    )
    assert service.test_listener_rule is None
    assert (existing.target_group_count, existing.rule_count) == (2, 1)
    [balanced] = v.stack.resolve(service.service.node.default_child.load_balancers)
    assert "testListenerRule" not in balanced["advancedConfiguration"]


MINUTES = cdk.Duration.minutes


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Deployment.blue_green(bake_time=MINUTES(1441)), "deployment.bake_time"),
        (lambda: Deployment.blue_green(bake_time=cdk.Duration.seconds(90)), "deployment.bake_time"),
        (lambda: Deployment.canary(percent=0.05), "deployment.percent"),
        (lambda: Deployment.canary(percent=0.15), "deployment.percent"),
        (lambda: Deployment.canary(percent=101), "deployment.percent"),
        (lambda: Deployment.canary(interval=MINUTES(1500)), "deployment.interval"),
        (lambda: Deployment.canary(percent="5"), "deployment.percent"),
        (lambda: Deployment.linear(step_percent=2.5), "deployment.step_percent"),
        # CloudFormation: 5 + 60 x 33 steps = 1985 minutes, over 33 hours.
        (lambda: Deployment.linear(step_percent=3, interval=MINUTES(60)), "deployment.interval"),
        (
            lambda: Deployment.canary(interval=MINUTES(1440), bake_time=MINUTES(600)),
            "deployment.interval",
        ),
        (lambda: Deployment.rolling(min_healthy_percent=101), "deployment.min_healthy_percent"),
        (lambda: Deployment.rolling(max_percent=250), "deployment.max_percent"),
        (lambda: Deployment.rolling(max_percent=99), "deployment.max_percent"),
        (
            lambda: Deployment.rolling(deregistration_delay=cdk.Duration.hours(2)),
            "deployment.deregistration_delay",
        ),
        (
            lambda: Deployment.rolling(health_check_grace=cdk.Duration.millis(1500)),
            "deployment.health_check_grace",
        ),
        (
            lambda: Deployment(strategy=ecs.DeploymentStrategy.BLUE_GREEN, interval=MINUTES(3)),
            "deployment.interval",
        ),
        (
            lambda: Deployment(strategy=ecs.DeploymentStrategy.ROLLING, bake_time=MINUTES(3)),
            "deployment.bake_time",
        ),
        (
            lambda: Deployment.blue_green(
                lifecycle_hooks=[
                    LifecycleHook(
                        function=_hook(), stages=[ecs.DeploymentLifecycleStage.PRE_SCALE_UP]
                    )
                ]
                * 11
            ),
            "deployment.lifecycle_hooks",
        ),
        (lambda: LifecycleHook(function=_hook(), stages=[]), "lifecycle_hook.stages"),
        (lambda: Alarms(target_5xx_percent=0), "alarms.target_5xx_percent"),
        (lambda: Alarms(cpu_percent=120), "alarms.cpu_percent"),
        (lambda: Alarms(unhealthy_targets=0), "alarms.unhealthy_targets"),
        (lambda: Alarms(tasks_missing_minutes=2000), "alarms.tasks_missing_minutes"),
        (lambda: Alarms(response_time_p99_seconds=0), "alarms.response_time_p99_seconds"),
        (lambda: Alarms(topic="arn:aws:sns:us-east-1:123456789012:pager"), "alarms.topic"),
        (lambda: Alarms(memory_percent=100), "alarms.memory_percent"),
        (lambda: Alarms(tasks_missing_minutes=0), "alarms.tasks_missing_minutes"),
        (lambda: Alarms(response_time_p99_seconds=4001), "alarms.response_time_p99_seconds"),
        (lambda: Deployment.rolling(min_healthy_percent=-1), "deployment.min_healthy_percent"),
        (
            lambda: Deployment(strategy=ecs.DeploymentStrategy.CANARY, step_percent=10),
            "deployment.step_percent",
        ),
        (
            lambda: Deployment(strategy=ecs.DeploymentStrategy.LINEAR, percent=10),
            "deployment.percent",
        ),
        (
            lambda: Deployment(strategy=ecs.DeploymentStrategy.BLUE_GREEN, max_percent=150),
            "deployment.max_percent",
        ),
        (
            lambda: Deployment(
                strategy=ecs.DeploymentStrategy.ROLLING,
                lifecycle_hooks=[
                    LifecycleHook(
                        function=_hook(), stages=[ecs.DeploymentLifecycleStage.PRE_SCALE_UP]
                    )
                ],
            ),
            "deployment.lifecycle_hooks",
        ),
        (
            lambda: LifecycleHook(
                function=_hook(),
                stages=[ecs.DeploymentLifecycleStage.PRE_SCALE_UP] * 2,
            ),
            "lifecycle_hook.stages",
        ),
    ],
)
def test_fails_when_an_option_is_out_of_range(build: Callable[[], Any], field: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        build()
    assert caught.value.field == field


_HOOKS: dict[str, Any] = {}


def _hook() -> lambda_.IFunction:
    if "hook" not in _HOOKS:
        stack = cdk.Stack(cdk.App(), "Hooks")
        _HOOKS["hook"] = lambda_.Function.from_function_attributes(
            stack, "Hook", function_arn=HOOK_ARN, same_environment=True
        )
    return _HOOKS["hook"]


def test_a_percent_that_is_a_token_is_left_to_deploy_time() -> None:
    token = cdk.Token.as_number(cdk.Fn.ref("Percent"))
    assert Deployment.canary(percent=token).traffic_shift() is not None
    assert Deployment.linear(step_percent=token).shifts_traffic


def test_a_web_service_keeps_its_target_group_ids_under_every_strategy(v: Platform) -> None:
    """Stateful-ish ids: switching strategy must not replace the first target group."""
    for name, deployment in (("IdsRolling", None), ("IdsCanary", Deployment.canary())):
        service: WebService = v.web(
            name, routing=Routing(path_patterns=[f"/{name.lower()}/*"]), deployment=deployment
        )
        assert service.target_group.node.id == "TargetGroup"
        assert service.listener_rule.node.id == "ListenerRule"
    assert isinstance(service.alternate_target_group, elbv2.ApplicationTargetGroup)
    assert service.alternate_target_group.node.id == "AlternateTargetGroup"


def test_the_roles_ecs_deploys_with_leave_no_compliance_finding(d: Deployments) -> None:
    """HIPAA Security's and NIST 800-53 rev 5's IAMNoInlinePolicy is answered on the deployment
    role and the hook role (their policies are CDK's default policies, made by grants)."""
    from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks

    from constructs_ecs.testing import NagFindingsError, assert_nag_clean

    packs = [AwsSolutionsChecks(), HIPAASecurityChecks(), NIST80053R5Checks()]
    try:
        assert_nag_clean(d.platform.stack, packs=packs)
        findings: list[str] = []
    except NagFindingsError as error:
        findings = list(error.findings)
    on_roles = [f for f in findings if "DeploymentRole" in f or "HookRole" in f]
    assert on_roles == []
    assert d.blue.deployment_role is not None
    assert d.blue.hook_role is not None


@pytest.mark.parametrize(
    "factory",
    [Deployment.blue_green, Deployment.canary, Deployment.linear],
    ids=["blue_green", "canary", "linear"],
)
def test_a_traffic_shifting_deploy_takes_a_deregistration_delay_for_both_target_groups(
    v: Platform, factory: Callable[..., Deployment]
) -> None:
    """Issue 26: the delay is a target group attribute; both target groups of a blue/green,
    canary or linear service get it (it was refused as rolling-only)."""
    deployment = factory(deregistration_delay=cdk.Duration.seconds(5))
    web = v.web("Shifting", routing=Routing(path_patterns=["/shifting/*"]), deployment=deployment)
    assert web.alternate_target_group is not None
    for group in (web.target_group, web.alternate_target_group):
        cfn = cast(elbv2.CfnTargetGroup, group.node.default_child)
        attributes = v.stack.resolve(cfn.target_group_attributes)
        assert {"key": "deregistration_delay.timeout_seconds", "value": "5"} in attributes


def test_fails_when_a_canary_deregistration_delay_is_out_of_range() -> None:
    with pytest.raises(ConfigurationError, match=r"^deployment\.deregistration_delay: "):
        Deployment.canary(deregistration_delay=cdk.Duration.hours(2))
