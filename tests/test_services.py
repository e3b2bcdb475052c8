"""WebService, WorkerService (replica and daemon) and ScheduledTask on one shared platform."""

from __future__ import annotations

import math
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from constructs_ecs import (
    ConfigurationError,
    Deployment,
    EcsCluster,
    LoadBalancer,
    Network,
    Placement,
    Routing,
    Scaling,
    ScheduledTask,
    ServiceConnect,
    ServiceNetwork,
    TargetHealthCheck,
    TaskDefinitionSpec,
    WebService,
    WorkerService,
)
from constructs_ecs.services._base import DISTINCT_INSTANCE_BATCHES, STATIC_PORT_BATCHES
from constructs_ecs.testing import (
    NagFindingsError,
    assert_cfn_lint_clean,
    resource_manifest,
    template_of,
)
from tests.conftest import REPO, make_stack
from tests.factories import TEST_HTTP, web_spec, worker_spec
from tests.factories import Platform as Bare


def platform(stack: cdk.Stack) -> tuple[EcsCluster, LoadBalancer]:
    network = Network(stack, "Network")
    cluster = EcsCluster(stack, "Cluster", vpc=network.vpc, min_capacity=1, max_capacity=4)
    load_balancer = LoadBalancer(stack, "LoadBalancer", vpc=network.vpc, plain_http=TEST_HTTP)
    return cluster, load_balancer


class Platform:
    """Every kind of workload in one stack, synthesized once for the module."""

    def __init__(self) -> None:
        self.stack = make_stack("Services")
        cluster, lb = platform(self.stack)
        cluster.cluster.add_default_cloud_map_namespace(
            name="shop.internal", use_for_service_connect=True
        )
        self.cluster, self.lb = cluster, lb
        self.web = WebService(
            self.stack,
            "Web",
            cluster=cluster,
            load_balancer=lb,
            task_definition=web_spec("web"),
            routing=Routing(path_patterns=["/web/*"]),
            network=ServiceNetwork(service_connect=ServiceConnect(dns_name="web")),
        )
        self.api = WebService(
            self.stack,
            "Api",
            cluster=cluster,
            load_balancer=lb,
            task_definition=web_spec("api", port=8080),
            routing=Routing(
                path_patterns=["/api/*"],
                host_headers=["api.example.com"],
                health_check=TargetHealthCheck(path="/healthz"),
            ),
            scaling=Scaling(min_count=2, max_count=8, memory_percent=75, requests_per_target=500),
            enable_exec=True,
        )
        self.worker = WorkerService(
            self.stack,
            "Worker",
            cluster=cluster,
            task_definition=worker_spec(),
            desired_count=2,
            placement=Placement(constraints=[ecs.PlacementConstraint.distinct_instances()]),
            network=ServiceNetwork(service_connect=ServiceConnect()),
        )
        self.daemon = WorkerService(
            self.stack, "Agent", cluster=cluster, task_definition=worker_spec("agent"), daemon=True
        )
        self.job = ScheduledTask(
            self.stack,
            "Nightly",
            cluster=cluster,
            task_definition=worker_spec("etl", memory=512),
            schedule=scheduler.ScheduleExpression.cron(hour="2", minute="0"),
        )
        self.queue = sqs.Queue(
            self.stack,
            "Orders",
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=3, queue=self.job.dead_letter_queue
            ),
        )
        self.queue.grant_consume_messages(self.worker.task_role)
        self.json = template_of(self.stack)
        self.template = Template.from_json(self.json)

    def resources(self, cfn_type: str, prefix: str) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.json["Resources"].items()
            if v["Type"] == cfn_type and k.startswith(prefix)
        }

    def one(self, cfn_type: str, prefix: str) -> tuple[str, dict[str, Any]]:
        found = self.resources(cfn_type, prefix)
        assert len(found) == 1, f"{cfn_type} {prefix}*: {sorted(found)}"
        return next(iter(found.items()))


@pytest.fixture(scope="module")
def p() -> Platform:
    return Platform()


def service_props(p: Platform, prefix: str) -> dict[str, Any]:
    props: dict[str, Any] = p.one("AWS::ECS::Service", prefix)[1]["Properties"]
    return props


# --- every service -----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["Web", "Api", "Worker"])
def test_replica_services_roll_with_circuit_breaker_and_full_capacity(
    p: Platform, prefix: str
) -> None:
    deployment = service_props(p, prefix)["DeploymentConfiguration"]
    assert deployment["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert deployment["MinimumHealthyPercent"] == 100
    assert deployment["MaximumPercent"] == 200


@pytest.mark.parametrize("prefix", ["Web", "Api", "Worker"])
def test_replica_services_use_the_capacity_provider(p: Platform, prefix: str) -> None:
    props = service_props(p, prefix)
    assert "LaunchType" not in props
    provider = props["CapacityProviderStrategy"]
    assert len(provider) == 1
    assert provider[0]["CapacityProvider"]["Ref"].startswith("Cluster")


@pytest.mark.parametrize("prefix", ["Web", "Api", "Worker"])
def test_default_placement_spreads_across_zones_then_binpacks_memory(
    p: Platform, prefix: str
) -> None:
    assert service_props(p, prefix)["PlacementStrategies"] == [
        {"Field": "attribute:ecs.availability-zone", "Type": "spread"},
        {"Field": "MEMORY", "Type": "binpack"},
    ]


@pytest.mark.parametrize("prefix", ["Web", "Api", "Worker", "Agent"])
def test_services_depend_on_the_capacity_provider_association(p: Platform, prefix: str) -> None:
    """On delete, services go before the capacity provider association (clean cdk destroy)."""
    service = p.one("AWS::ECS::Service", prefix)[1]
    associations = p.resources("AWS::ECS::ClusterCapacityProviderAssociations", "Cluster")
    assert associations
    assert set(associations) & set(service.get("DependsOn", []))


@pytest.mark.parametrize("prefix", ["Web", "Api", "Worker", "Agent", "Nightly"])
def test_each_workload_logs_to_its_own_retained_log_group(p: Platform, prefix: str) -> None:
    logical_id, group = p.one("AWS::Logs::LogGroup", f"{prefix}LogGroup")
    assert group["DeletionPolicy"] == "Retain"
    assert group["Properties"]["RetentionInDays"] == 30
    task = p.one("AWS::ECS::TaskDefinition", prefix)[1]["Properties"]
    options = task["ContainerDefinitions"][0]["LogConfiguration"]["Options"]
    assert options["awslogs-group"] == {"Ref": logical_id}


def test_desired_count_is_set_without_scaling(p: Platform) -> None:
    assert service_props(p, "Web")["DesiredCount"] == 2
    assert service_props(p, "Worker")["DesiredCount"] == 2


def test_desired_count_is_left_to_scaling_once_scaling_is_on(p: Platform) -> None:
    """aws-cdk issue 3919: a deploy must not reset the count that auto scaling chose."""
    assert "DesiredCount" not in service_props(p, "Api")
    target = p.one("AWS::ApplicationAutoScaling::ScalableTarget", "Api")[1]["Properties"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 8)


def test_scaling_tracks_cpu_memory_and_requests(p: Platform) -> None:
    policies = p.resources("AWS::ApplicationAutoScaling::ScalingPolicy", "Api")
    metrics = {
        v["Properties"]["TargetTrackingScalingPolicyConfiguration"][
            "PredefinedMetricSpecification"
        ]["PredefinedMetricType"]: v["Properties"]["TargetTrackingScalingPolicyConfiguration"][
            "TargetValue"
        ]
        for v in policies.values()
    }
    assert metrics == {
        "ECSServiceAverageCPUUtilization": 70,
        "ECSServiceAverageMemoryUtilization": 75,
        "ALBRequestCountPerTarget": 500,
    }


def test_exec_is_off_by_default_and_on_when_asked(p: Platform) -> None:
    assert service_props(p, "Web").get("EnableExecuteCommand") in (None, False)
    assert service_props(p, "Api")["EnableExecuteCommand"] is True


def test_task_role_works_with_cdk_grants(p: Platform) -> None:
    role_id = p.one("AWS::IAM::Role", "WorkerTaskDefinitionTaskRole")[0]
    p.template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": role_id}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Action": Match.array_with(["sqs:ReceiveMessage"])})]
                )
            },
        },
    )


# --- web services ------------------------------------------------------------------------------


def test_web_target_group_deregisters_fast_and_checks_health(p: Platform) -> None:
    group = p.one("AWS::ElasticLoadBalancingV2::TargetGroup", "Api")[1]["Properties"]
    assert {"Key": "deregistration_delay.timeout_seconds", "Value": "30"} in group[
        "TargetGroupAttributes"
    ]
    assert group["HealthCheckPath"] == "/healthz"
    assert group["HealthCheckIntervalSeconds"] == 15
    assert group["TargetType"] == "instance"
    assert group["Port"] == 8080


def test_web_service_registers_first_port_mapping_with_grace_period(p: Platform) -> None:
    props = service_props(p, "Api")
    assert props["HealthCheckGracePeriodSeconds"] == 60
    balancer = props["LoadBalancers"][0]
    assert (balancer["ContainerName"], balancer["ContainerPort"]) == ("api", 8080)


def test_web_rules_route_by_path_and_host(p: Platform) -> None:
    rule = p.one("AWS::ElasticLoadBalancingV2::ListenerRule", "Api")[1]["Properties"]
    fields = {c["Field"]: c for c in rule["Conditions"]}
    assert fields["path-pattern"]["PathPatternConfig"]["Values"] == ["/api/*"]
    assert fields["host-header"]["HostHeaderConfig"]["Values"] == ["api.example.com"]


def instance_ingress(p: Platform) -> list[dict[str, Any]]:
    return [
        v["Properties"]
        for v in p.json["Resources"].values()
        if v["Type"] == "AWS::EC2::SecurityGroupIngress"
        and "ClusterInstance" in str(v["Properties"]["GroupId"])
    ]


def test_instances_accept_only_the_load_balancer_on_the_agent_port_range(p: Platform) -> None:
    low, high = p.cluster.host_port_range
    from_lb = [r for r in instance_ingress(p) if "LoadBalancer" in str(r["SourceSecurityGroupId"])]
    assert len(from_lb) == 1, "two web services in bridge mode share one rule"
    assert (from_lb[0]["FromPort"], from_lb[0]["ToPort"]) == (low, high)
    sources = {str(r["SourceSecurityGroupId"]) for r in instance_ingress(p)}
    assert all("LoadBalancer" in s or "ClusterInstance" in s for s in sources), sources


def test_service_connect_server_is_reachable_from_other_instances(p: Platform) -> None:
    """Service Connect proxies call the server on its instance's host port from other instances."""
    low, high = p.cluster.host_port_range
    internal = [
        r for r in instance_ingress(p) if "ClusterInstance" in str(r["SourceSecurityGroupId"])
    ]
    assert [(r["FromPort"], r["ToPort"]) for r in internal] == [(low, high)]


def test_service_connect_publishes_named_port_and_worker_is_client(p: Platform) -> None:
    web = service_props(p, "Web")["ServiceConnectConfiguration"]
    assert web["Enabled"] is True
    assert web["Services"][0]["PortName"] == "web-http"
    assert web["Services"][0]["ClientAliases"][0]["DnsName"] == "web"
    worker = service_props(p, "Worker")["ServiceConnectConfiguration"]
    assert worker["Enabled"] is True
    assert "Services" not in worker


def test_worker_constraints_are_configurable(p: Platform) -> None:
    assert service_props(p, "Worker")["PlacementConstraints"] == [{"Type": "distinctInstance"}]


# --- daemon ------------------------------------------------------------------------------------


def test_daemon_runs_one_task_per_instance_on_ec2_launch_type(p: Platform) -> None:
    """containers-roadmap 692: a daemon must name EC2 when the cluster default is a provider."""
    props = service_props(p, "Agent")
    assert props["SchedulingStrategy"] == "DAEMON"
    assert props["LaunchType"] == "EC2"
    assert "CapacityProviderStrategy" not in props
    assert "DesiredCount" not in props
    assert "PlacementStrategies" not in props
    assert props["DeploymentConfiguration"]["MaximumPercent"] == 100


# --- scheduled task ----------------------------------------------------------------------------


def test_scheduled_task_runs_on_capacity_provider_with_retries_and_dlq(p: Platform) -> None:
    schedule = p.one("AWS::Scheduler::Schedule", "Nightly")[1]["Properties"]
    assert schedule["ScheduleExpression"] == "cron(0 2 * * ? *)"
    target = schedule["Target"]
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3}
    queue_id = p.one("AWS::SQS::Queue", "NightlyDeadLetterQueue")[0]
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    ecs_parameters = target["EcsParameters"]
    assert ecs_parameters["CapacityProviderStrategy"][0]["Weight"] == 1
    assert "LaunchType" not in ecs_parameters


def test_dead_letter_queue_is_encrypted_and_ssl_only(p: Platform) -> None:
    queue_id, queue = p.one("AWS::SQS::Queue", "NightlyDeadLetterQueue")
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    p.template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": queue_id}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )


# --- the whole template ------------------------------------------------------------------------


def test_platform_template_passes_cfn_lint(p: Platform) -> None:
    assert_cfn_lint_clean(p.json)


def test_platform_snapshot(p: Platform, snapshot_json: Any) -> None:
    assert len(p.resources("AWS::ECS::Service", "")) == 4
    assert resource_manifest(p.json) == snapshot_json(name="manifest")
    assert p.json == snapshot_json(name="template")


# --- awsvpc ------------------------------------------------------------------------------------


def test_awsvpc_web_service_gets_its_own_security_group_and_ip_targets() -> None:
    stack = make_stack("Awsvpc")
    cluster, lb = platform(stack)
    spec = TaskDefinitionSpec.from_dict(
        {
            "family": "vpcweb",
            "networkMode": "awsvpc",
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": "nginx:1.27",
                    "memory": 128,
                    "portMappings": [{"containerPort": 8080}],
                }
            ],
        }
    )
    service = WebService(stack, "App", cluster=cluster, load_balancer=lb, task_definition=spec)
    assert service.security_group is not None
    template = Template.from_json(template_of(stack))
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup", {"TargetType": "ip"}
    )
    sg_id = stack.get_logical_id(service.security_group.node.default_child)  # type: ignore[arg-type]
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {"GroupId": {"Fn::GetAtt": [sg_id, "GroupId"]}, "FromPort": 8080, "ToPort": 8080},
    )
    template.has_resource_properties(
        "AWS::ECS::Service",
        {
            "NetworkConfiguration": {
                "AwsvpcConfiguration": Match.object_like(
                    {"SecurityGroups": [{"Fn::GetAtt": [sg_id, "GroupId"]}]}
                )
            }
        },
    )


def two_container_spec(*, admin_essential: bool) -> TaskDefinitionSpec:
    return TaskDefinitionSpec.from_dict(
        {
            "family": "two",
            "containerDefinitions": [
                {
                    "name": "admin",
                    "image": "nginx:1.27",
                    "memory": 128,
                    "essential": admin_essential,
                    "portMappings": [{"containerPort": 9000}],
                },
                {
                    "name": "web",
                    "image": "nginx:1.27",
                    "memory": 256,
                    "portMappings": [{"containerPort": 80}, {"containerPort": 8080}],
                },
            ],
        }
    )


@pytest.mark.parametrize(
    ("admin_essential", "container_name", "container_port", "expected"),
    [
        (True, None, None, ("admin", 9000)),  # the service's default target
        (False, None, None, ("admin", 9000)),  # first with a port, though not essential
        (False, "web", None, ("web", 80)),  # the default target once admin is not essential
        (True, "web", None, ("web", 80)),
        (True, "web", 8080, ("web", 8080)),  # not the container's first port
    ],
)
def test_target_group_sends_to_the_chosen_container_and_port(
    admin_essential: bool,
    container_name: str | None,
    container_port: int | None,
    expected: tuple[str, int],
) -> None:
    stack = make_stack("Target")
    cluster, lb = platform(stack)
    WebService(
        stack,
        "Two",
        cluster=cluster,
        load_balancer=lb,
        task_definition=two_container_spec(admin_essential=admin_essential),
        routing=Routing(container_name=container_name, container_port=container_port),
    )
    template = Template.from_json(template_of(stack))
    name, port = expected
    template.has_resource_properties(
        "AWS::ECS::Service",
        {"LoadBalancers": [Match.object_like({"ContainerName": name, "ContainerPort": port})]},
    )
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::TargetGroup", {"Port": port})


# --- validation --------------------------------------------------------------------------------


@pytest.fixture
def bare() -> Bare:
    return Bare("Validation")


def test_fails_when_task_needs_more_memory_than_an_instance_offers(bare: Bare) -> None:
    with pytest.raises(ConfigurationError, match=r"task_definition\.memory: got 65536;.*offers"):
        bare.worker("Big", task_definition=worker_spec(memory=65536))


def test_fails_when_task_needs_more_cpu_than_an_instance_offers(bare: Bare) -> None:
    with pytest.raises(ConfigurationError, match=r"task_definition\.cpu: got 8192;"):
        bare.worker("Hot", task_definition=worker_spec(cpu=8192))


def test_fails_when_static_host_port_has_more_tasks_than_instances(bare: Bare) -> None:
    with pytest.raises(ConfigurationError, match=r"desired_count: got 5;.*static host port"):
        bare.web(
            "Static",
            task_definition=web_spec(host_port=80),
            desired_count=5,
        )


def test_fails_when_web_task_exposes_no_port(bare: Bare) -> None:
    with pytest.raises(ConfigurationError, match=r"task_definition:.*no port"):
        bare.web("Portless", task_definition=worker_spec())


def test_fails_when_container_name_is_not_in_the_task(bare: Bare) -> None:
    with pytest.raises(ConfigurationError, match=r"exposes \['web:80'\]"):
        bare.web(
            "Wrong",
            task_definition=web_spec(),
            routing=Routing(container_name="sidecar"),
        )


def test_fails_when_two_services_clash_on_a_path(bare: Bare) -> None:
    bare.web("One", task_definition=web_spec())
    with pytest.raises(ConfigurationError, match=r"Validation/One .* has the same"):
        bare.web("Two", task_definition=web_spec())


def test_fails_when_daemon_is_given_scaling(bare: Bare) -> None:
    with pytest.raises(ConfigurationError, match=r"scaling: .*daemon"):
        bare.worker(
            "D",
            task_definition=worker_spec(),
            daemon=True,
            scaling=Scaling(min_count=1, max_count=2),
        )


def test_fails_when_service_connect_has_no_namespace(bare: Bare) -> None:
    with pytest.raises(ConfigurationError, match="no Service Connect namespace"):
        bare.worker(
            "Sc",
            task_definition=worker_spec(),
            network=ServiceNetwork(service_connect=ServiceConnect()),
        )


def test_fails_when_service_connect_port_has_no_name(bare: Bare) -> None:
    bare.cluster.cluster.add_default_cloud_map_namespace(
        name="x.internal", use_for_service_connect=True
    )
    spec = TaskDefinitionSpec.from_dict(
        {
            "family": "anon",
            "containerDefinitions": [
                {
                    "name": "a",
                    "image": "nginx",
                    "memory": 64,
                    "portMappings": [{"containerPort": 80}],
                }
            ],
        }
    )
    with pytest.raises(ConfigurationError, match=r"service_connect\.port_mapping_name"):
        bare.web(
            "Anon",
            task_definition=spec,
            network=ServiceNetwork(service_connect=ServiceConnect(dns_name="anon")),
        )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"min_count": -1, "max_count": 2}, "scaling.min_count"),
        ({"min_count": 3, "max_count": 2}, "scaling.max_count"),
        ({"min_count": 1, "max_count": 2, "cpu_percent": 0}, "scaling.cpu_percent"),
        ({"min_count": 1, "max_count": 2, "memory_percent": 120}, "scaling.memory_percent"),
        ({"min_count": 1, "max_count": 2, "requests_per_target": 0}, "scaling.requests_per_target"),
        ({"min_count": 1, "max_count": 2, "cpu_percent": None}, "scaling"),
    ],
)
def test_fails_when_scaling_is_invalid(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigurationError, match=rf"^{field}: got"):
        Scaling(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"path": "health"}, "health_check.path"),
        ({"healthy_threshold": 1}, "health_check.healthy_threshold"),
        ({"unhealthy_threshold": 11}, "health_check.unhealthy_threshold"),
        ({"interval": cdk.Duration.seconds(400)}, "health_check.interval"),
        ({"timeout": cdk.Duration.seconds(20)}, "health_check.timeout"),
    ],
)
def test_fails_when_health_check_is_invalid(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigurationError, match=rf"^{field}: got"):
        TargetHealthCheck(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"task_count": 0}, "task_count"),
        ({"retry_attempts": 200}, "retry_attempts"),
        ({"max_event_age": cdk.Duration.seconds(30)}, "max_event_age"),
    ],
)
def test_fails_when_schedule_options_are_invalid(
    bare: Any, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ConfigurationError, match=rf"^{field}: got"):
        bare.scheduled(
            "Job",
            task_definition=worker_spec(),
            schedule=scheduler.ScheduleExpression.rate(cdk.Duration.hours(1)),
            **kwargs,
        )


def test_fails_when_desired_count_is_zero_for_a_web_service(bare: Bare) -> None:
    with pytest.raises(ConfigurationError, match="desired_count: got 0"):
        bare.web(
            "Zero",
            task_definition=web_spec(),
            desired_count=0,
        )


def test_fails_when_static_host_port_leaves_no_spare_instance_to_deploy(bare: Bare) -> None:
    """4 tasks take the cluster's 4 instances: the first new task of a deploy has nowhere to go
    (minimum healthy 100 %), so the deploy would never start."""
    with pytest.raises(
        ConfigurationError,
        match=r"desired_count: got 4;.*4 tasks take 4 of .* at most 4 instances and a rolling "
        r"deploy needs one more.*at most 3 tasks",
    ):
        bare.web("Rolling", task_definition=web_spec(host_port=80), desired_count=4)


def test_a_static_host_port_with_one_spare_instance_deploys_in_batches(bare: Bare) -> None:
    """3 tasks on 4 instances: one new task at a time (not 200 %), a warning, not an error."""
    web = bare.web("Batches", task_definition=web_spec(host_port=80), desired_count=3)
    (warning,) = [str(m.data) for m in web.node.metadata if m.type == "aws:cdk:warning"]
    assert "starts at most 1 new ones at a time" in warning
    assert warning.endswith(f"[ack: {STATIC_PORT_BATCHES}]")


def test_the_concepts_webserver_runs_two_tasks_on_three_instances() -> None:
    """Issue 14: hostPort 80, desired 2, at most 3 instances: deploys one task at a time."""
    bare = Bare("Concept")
    three = EcsCluster(bare.stack, "Three", vpc=bare.cluster.vpc, max_capacity=3)
    spec = TaskDefinitionSpec.from_file(REPO / "examples" / "webserver.json")
    web = bare.web("Webserver", cluster=three, task_definition=spec, desired_count=2)
    assert [m for m in web.node.metadata if m.type == "aws:cdk:warning"]


def test_fails_when_task_architecture_is_not_the_clusters(bare: Bare) -> None:
    spec = TaskDefinitionSpec.from_dict(
        {
            "family": "arm",
            "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
            "containerDefinitions": [{"name": "a", "image": "busybox:1.36", "memory": 64}],
        }
    )
    with pytest.raises(
        ConfigurationError,
        match=r"task_definition\.runtimePlatform\.cpuArchitecture: got 'ARM64';.*t3\.medium",
    ):
        bare.worker("Arm", task_definition=spec)


def test_fails_when_task_needs_a_gpu_the_instances_do_not_have(bare: Bare) -> None:
    spec = TaskDefinitionSpec.from_dict(
        {
            "family": "gpu",
            "containerDefinitions": [
                {
                    "name": "a",
                    "image": "busybox:1.36",
                    "memory": 64,
                    "resourceRequirements": [{"type": "GPU", "value": "1"}],
                }
            ],
        }
    )
    with pytest.raises(ConfigurationError, match=r"task_definition\.gpus: got 1;.*offers 0 GPUs"):
        bare.worker("Gpu", task_definition=spec)


def test_fails_when_worker_desired_count_is_negative(bare: Bare) -> None:
    with pytest.raises(ConfigurationError, match=r"^desired_count: got -1;"):
        bare.worker("Neg", task_definition=worker_spec(), desired_count=-1)


def test_fails_when_worker_scales_on_requests(bare: Bare) -> None:
    with pytest.raises(ConfigurationError, match=r"^scaling\.requests_per_target: got 100;"):
        bare.worker(
            "Req",
            task_definition=worker_spec(),
            scaling=Scaling(min_count=1, max_count=2, cpu_percent=None, requests_per_target=100),
        )


def test_fails_when_daemon_is_given_a_desired_count(bare: Bare) -> None:
    with pytest.raises(ConfigurationError, match=r"^desired_count: got 3;.*daemon"):
        bare.worker(
            "D3",
            task_definition=worker_spec(),
            daemon=True,
            desired_count=3,
        )


def test_fails_when_daemon_is_given_placement_strategies(bare: Bare) -> None:
    with pytest.raises(ConfigurationError, match=r"^placement\.strategies: got .*daemon"):
        bare.worker(
            "Dp",
            task_definition=worker_spec(),
            daemon=True,
            placement=Placement(strategies=[ecs.PlacementStrategy.packed_by_cpu()]),
        )


def test_fails_when_web_task_exposes_only_udp(bare: Bare) -> None:
    spec = TaskDefinitionSpec.from_dict(
        {
            "family": "dns",
            "containerDefinitions": [
                {
                    "name": "dns",
                    "image": "busybox:1.36",
                    "memory": 64,
                    "portMappings": [{"containerPort": 53, "protocol": "udp"}],
                }
            ],
        }
    )
    with pytest.raises(ConfigurationError, match="TCP port mapping"):
        bare.web("Dns", task_definition=spec)


def test_fails_when_scheduled_tasks_need_more_static_ports_than_instances(bare: Bare) -> None:
    with pytest.raises(ConfigurationError, match=r"^task_count: got 5;.*static host port"):
        bare.scheduled(
            "Ports",
            task_definition=web_spec(host_port=8080),
            schedule=scheduler.ScheduleExpression.rate(cdk.Duration.hours(1)),
            task_count=5,
        )


def test_awsvpc_tasks_run_in_the_clusters_subnets_on_an_isolated_network() -> None:
    """No NAT, endpoints only: awsvpc tasks go where the instances are (isolated subnets)."""
    stack = make_stack("Isolated")
    network = Network(stack, "Network", nat_gateways=0, vpc_endpoints=True)
    cluster = EcsCluster(stack, "Cluster", vpc=network.vpc)
    spec = TaskDefinitionSpec.from_dict(
        {
            "family": "private",
            "networkMode": "awsvpc",
            "containerDefinitions": [{"name": "app", "image": "busybox:1.36", "memory": 64}],
        }
    )
    WorkerService(stack, "Private", cluster=cluster, task_definition=spec)
    template = template_of(stack)
    isolated = {stack.resolve(subnet.subnet_id)["Ref"] for subnet in network.vpc.isolated_subnets}
    service = next(
        r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::ECS::Service"
    )
    subnets = service["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"]
    assert {s["Ref"] for s in subnets} == isolated


def test_a_users_later_wildcard_grant_is_not_covered_by_exec_acknowledgements() -> None:
    """The library acknowledges its own wildcards at synth, never a grant added after it."""
    stack = make_stack("LaterGrant")
    cluster, lb = platform(stack)
    web = WebService(
        stack,
        "Web",
        cluster=cluster,
        load_balancer=lb,
        task_definition=web_spec(),
        enable_exec=True,
    )
    web.task_role.add_to_principal_policy(
        iam.PolicyStatement(actions=["dynamodb:DeleteTable"], resources=["*"])
    )
    with pytest.raises(NagFindingsError, match=r"IAM5\[Resource::\*\] LaterGrant/Web/TaskDef"):
        template_of(stack)


def test_a_later_wildcard_grant_on_the_instance_role_stays_a_finding() -> None:
    stack = make_stack("InstanceGrant")
    cluster, _ = platform(stack)
    cluster.instance_role.add_to_policy(
        iam.PolicyStatement(actions=["s3:ListAllMyBuckets"], resources=["*"])
    )
    with pytest.raises(
        NagFindingsError, match=r"IAM5\[Resource::\*\] InstanceGrant/Cluster/Default/Inst"
    ):
        template_of(stack)


def test_fails_when_services_together_need_more_static_port_slots_than_instances(
    bare: Bare,
) -> None:
    """Two web services on host port 80 take the 4 instances (2 each while deploying)."""
    for name in ("A", "B"):
        bare.web(
            name,
            task_definition=web_spec(f"web{name.lower()}", host_port=80),
            routing=Routing(path_patterns=[f"/{name.lower()}/*"]),
            desired_count=1,
        )
    with pytest.raises(
        ConfigurationError, match=r"port 80.*Validation/A holds 1, Validation/B holds 1"
    ):
        bare.worker(
            "Proxy",
            task_definition=web_spec("proxy", host_port=80),
            daemon=True,
        )


def test_fails_when_distinct_instances_leave_no_spare_instance_to_deploy(bare: Bare) -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"^placement\.constraints: got 'distinctInstance';.*at most 3 tasks",
    ):
        bare.worker(
            "Spread",
            task_definition=worker_spec(),
            desired_count=4,
            placement=Placement(constraints=[ecs.PlacementConstraint.distinct_instances()]),
        )


def test_distinct_instances_with_one_spare_instance_deploy_in_batches(bare: Bare) -> None:
    worker = bare.worker(
        "Spread",
        desired_count=3,
        placement=Placement(constraints=[ecs.PlacementConstraint.distinct_instances()]),
    )
    (warning,) = [str(m.data) for m in worker.node.metadata if m.type == "aws:cdk:warning"]
    assert warning.endswith(f"[ack: {DISTINCT_INSTANCE_BATCHES}]")


@pytest.mark.parametrize(
    ("min_healthy_percent", "max_percent"), [(0, 100), (50, 100), (75, 150), (50, 200)]
)
def test_a_static_host_port_on_every_instance_deploys_when_old_tasks_may_stop_first(
    bare: Bare, min_healthy_percent: int, max_percent: int
) -> None:
    """Issue 26: 4 tasks on the cluster's 4 instances deploy when the rolling deploy may stop
    an old task before it starts a new one (minimum healthy below 100 % of 4): no spare
    instance, and no batch warning when its maximum fits too."""
    web = bare.web(
        "StopFirst",
        task_definition=web_spec(host_port=80),
        desired_count=4,
        deployment=Deployment.rolling(
            min_healthy_percent=min_healthy_percent, max_percent=max_percent
        ),
    )
    warnings = [str(m.data) for m in web.node.metadata if m.type == "aws:cdk:warning"]
    fits = max_percent * 4 // 100 <= 4
    assert (warnings == []) is fits
    if not fits:
        (warning,) = warnings
        assert f"more slowly than its {max_percent} % maximum allows" in warning
        kept = math.ceil(4 * min_healthy_percent / 100)  # ECS rounds the minimum up
        assert f"starts at most {4 - kept} new ones" in warning


def test_fails_when_a_rolling_deploy_that_keeps_every_task_has_no_spare_instance(
    bare: Bare,
) -> None:
    """A minimum of 80 % of 4 tasks rounds up to 4 (as ECS rounds it): no task stops first."""
    with pytest.raises(ConfigurationError, match=r"desired_count: got 4;.*needs one more"):
        bare.web(
            "KeepsAll",
            task_definition=web_spec(host_port=80),
            desired_count=4,
            deployment=Deployment.rolling(min_healthy_percent=80),
        )


def test_fails_when_more_static_host_port_tasks_than_instances_even_stopping_first(
    bare: Bare,
) -> None:
    with pytest.raises(ConfigurationError, match=r"desired_count: got 5;.*at most 4 tasks"):
        bare.web(
            "TooMany",
            task_definition=web_spec(host_port=80),
            desired_count=5,
            deployment=Deployment.rolling(min_healthy_percent=0, max_percent=100),
        )


def test_distinct_instances_on_every_instance_deploy_when_old_tasks_may_stop_first(
    bare: Bare,
) -> None:
    worker = bare.worker(
        "SpreadAll",
        desired_count=4,
        placement=Placement(constraints=[ecs.PlacementConstraint.distinct_instances()]),
        deployment=Deployment.rolling(min_healthy_percent=50, max_percent=100),
    )
    assert [m for m in worker.node.metadata if m.type == "aws:cdk:warning"] == []


def test_fails_when_distinct_instances_are_more_than_instances_even_stopping_first(
    bare: Bare,
) -> None:
    with pytest.raises(
        ConfigurationError, match=r"^placement\.constraints: got 'distinctInstance';.*at most 4 "
    ):
        bare.worker(
            "SpreadTooMany",
            desired_count=5,
            placement=Placement(constraints=[ecs.PlacementConstraint.distinct_instances()]),
            deployment=Deployment.rolling(min_healthy_percent=0, max_percent=100),
        )
