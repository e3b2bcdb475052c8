"""Bring your own, the CDK way: services on a cluster and behind a listener this app does not
define, the app's own security groups, Cloud Map discovery, and the warnings for deploys that
would quietly misbehave."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_servicediscovery as servicediscovery
from aws_cdk.assertions import Match, Template

from constructs_ecs import (
    ConfigurationError,
    EcsCluster,
    ExistingCluster,
    ExistingLoadBalancer,
    LoadBalancer,
    Routing,
    ServiceNetwork,
    TaskDefinitionSpec,
    WebService,
    WorkerService,
)
from constructs_ecs.cluster._existing_cluster import FACTS_MISSING
from constructs_ecs.load_balancer._existing_load_balancer import UNKNOWN_RULES
from constructs_ecs.services._base import AWSVPC_INTERFACES, MUTABLE_TAG_PULLED_ONCE
from constructs_ecs.testing import template_of
from tests.conftest import make_stack
from tests.factories import Platform, web_spec, worker_spec

VPC_ID = "vpc-0123456789abcdef0"


def warnings_of(construct: Any) -> list[str]:
    return [str(m.data) for m in construct.node.metadata if m.type == "aws:cdk:warning"]


def imported(stack: cdk.Stack) -> tuple[ec2.IVpc, ecs.ICluster, ec2.ISecurityGroup]:
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id=VPC_ID,
        vpc_cidr_block="10.20.0.0/16",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        public_subnet_ids=["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
        public_subnet_route_table_ids=["rtb-0aaaaaaaaaaaaaaa1", "rtb-0aaaaaaaaaaaaaaa2"],
        private_subnet_ids=["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
        private_subnet_route_table_ids=["rtb-0bbbbbbbbbbbbbbb1", "rtb-0bbbbbbbbbbbbbbb2"],
    )
    instances = ec2.SecurityGroup.from_security_group_id(stack, "Instances", "sg-0123456789abcdef1")
    # Without security_groups: the instances' group is given to ExistingCluster instead.
    cluster = ecs.Cluster.from_cluster_attributes(stack, "Cluster", cluster_name="legacy", vpc=vpc)
    return vpc, cluster, instances


def existing(stack: cdk.Stack, **facts: Any) -> ExistingCluster:
    vpc, cluster, instances = imported(stack)
    return EcsCluster.from_cluster_attributes(
        stack, "Legacy", cluster=cluster, vpc=vpc, security_group=instances, **facts
    )


def listener(stack: cdk.Stack) -> ExistingLoadBalancer:
    alb_group = ec2.SecurityGroup.from_security_group_id(stack, "AlbGroup", "sg-0123456789abcdef2")
    return LoadBalancer.from_listener(
        stack,
        "Shared",
        listener=elbv2.ApplicationListener.from_application_listener_attributes(
            stack,
            "Listener",
            listener_arn="arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/"
            "0123456789abcdef/0123456789abcdef",
            security_group=alb_group,
        ),
        security_group=alb_group,
        rules_in_use=40,
    )


def test_a_web_service_runs_on_an_existing_cluster_behind_an_existing_listener() -> None:
    stack = make_stack("Legacy")
    cluster = existing(
        stack,
        instance_type=ec2.InstanceType("m5.large"),
        max_capacity=6,
        capacity_provider_name="cp",
    )
    shared = listener(stack)
    web = WebService(
        stack,
        "Web",
        cluster=cluster,
        load_balancer=shared,
        task_definition=web_spec(),
        routing=Routing(path_patterns=["/web/*"], priority=4242),
    )
    cdk.Annotations.of(shared).acknowledge_warning(UNKNOWN_RULES, "test: 4242 is free there")
    template = Template.from_json(template_of(stack))
    template.resource_count_is("AWS::ECS::Cluster", 0)
    template.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", 0)
    template.has_resource_properties(
        "AWS::ECS::Service",
        {
            "Cluster": "legacy",
            "CapacityProviderStrategy": [{"CapacityProvider": "cp", "Weight": 1}],
        },
    )
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {"Priority": 4242, "ListenerArn": Match.string_like_regexp("listener/app/shared")},
    )
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {"GroupId": "sg-0123456789abcdef1", "SourceSecurityGroupId": "sg-0123456789abcdef2"},
    )
    assert shared.rule_count == 1
    assert warnings_of(web) == []


def test_an_existing_listener_counts_its_rules_against_the_quota() -> None:
    stack = make_stack("Quota")
    shared = listener(stack)
    assert shared.routes.max_rules == 60


def test_checks_without_their_facts_are_skipped_with_a_warning() -> None:
    stack = make_stack("NoFacts")
    cluster = existing(stack)
    spec = web_spec(host_port=80)
    worker = WorkerService(stack, "Worker", cluster=cluster, task_definition=spec)
    found = warnings_of(worker)
    assert len(found) == 2
    assert all(FACTS_MISSING in w for w in found)
    assert any("fits one instance skipped" in w and "instance_type" in w for w in found)
    assert any("static host port check skipped" in w and "max_capacity" in w for w in found)


def test_the_facts_given_are_checked() -> None:
    stack = make_stack("Facts")
    cluster = existing(stack, instance_type=ec2.InstanceType("t3.small"), max_capacity=2)
    big = TaskDefinitionSpec.from_dict(
        {
            "family": "big",
            "containerDefinitions": [{"name": "big", "image": "busybox:1.36", "memory": 4096}],
        }
    )
    with pytest.raises(ConfigurationError, match=r"^task_definition\.memory: got 4096;"):
        WorkerService(stack, "Big", cluster=cluster, task_definition=big)
    with pytest.raises(ConfigurationError, match=r"^desired_count: got 2;.*at most 1 tasks"):
        WorkerService(
            stack, "Port", cluster=cluster, task_definition=web_spec(host_port=80), desired_count=2
        )


def test_fails_when_an_existing_cluster_is_given_both_a_type_and_resources() -> None:
    from constructs_ecs import InstanceResources

    stack = make_stack("Both")
    with pytest.raises(ConfigurationError, match=r"^instance_resources: got "):
        existing(
            stack,
            instance_type=ec2.InstanceType("m5.large"),
            instance_resources=InstanceResources(cpu_units=2048, memory_mib=7000),
        )


def awsvpc_spec(name: str = "app", image: str = "nginx:1.27") -> TaskDefinitionSpec:
    return TaskDefinitionSpec.from_dict(
        {
            "family": name,
            "networkMode": "awsvpc",
            "containerDefinitions": [
                {
                    "name": name,
                    "image": image,
                    "memory": 128,
                    "portMappings": [{"containerPort": 8080}],
                }
            ],
        }
    )


def test_awsvpc_tasks_take_the_apps_own_security_groups() -> None:
    platform = Platform("OwnGroups")
    own = ec2.SecurityGroup(platform.stack, "Own", vpc=platform.cluster.vpc)
    web = platform.web(
        "App", task_definition=awsvpc_spec(), network=ServiceNetwork(security_groups=[own])
    )
    assert web.security_group is None
    template = Template.from_json(template_of(platform.stack))
    group_id = platform.stack.resolve(own.security_group_id)
    template.has_resource_properties(
        "AWS::ECS::Service",
        {
            "NetworkConfiguration": {
                "AwsvpcConfiguration": Match.object_like({"SecurityGroups": [group_id]})
            }
        },
    )
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress", {"GroupId": group_id, "FromPort": 8080}
    )


def test_fails_when_security_groups_are_given_to_a_bridge_task() -> None:
    platform = Platform("BridgeGroups")
    own = ec2.SecurityGroup(platform.stack, "Own", vpc=platform.cluster.vpc)
    with pytest.raises(ConfigurationError, match=r"^security_groups: .*awsvpc"):
        platform.web("Bridge", network=ServiceNetwork(security_groups=[own]))


def test_cloud_map_discovery_beside_service_connect() -> None:
    platform = Platform("Discovery")
    namespace = servicediscovery.PrivateDnsNamespace(
        platform.stack, "Namespace", name="shop.internal", vpc=platform.cluster.vpc
    )
    platform.worker(
        "Api",
        task_definition=awsvpc_spec("api"),
        network=ServiceNetwork(
            service_discovery=ecs.CloudMapOptions(name="api", cloud_map_namespace=namespace)
        ),
    )
    template = Template.from_json(template_of(platform.stack))
    template.has_resource_properties("AWS::ServiceDiscovery::Service", {"Name": "api"})
    template.has_resource_properties("AWS::ECS::Service", {"ServiceRegistries": Match.any_value()})


def test_more_awsvpc_tasks_than_network_interfaces_is_a_warning() -> None:
    """t3.medium: 3 interfaces, 2 for tasks; 4 instances: 8 awsvpc tasks at most."""
    platform = Platform("Interfaces")
    fits = platform.worker("Fits", task_definition=awsvpc_spec("fits"), desired_count=8)
    over = platform.worker("Over", task_definition=awsvpc_spec("over"), desired_count=9)
    assert warnings_of(fits) == []
    (warning,) = warnings_of(over)
    assert AWSVPC_INTERFACES in warning
    assert "room for 8" in warning


@pytest.mark.parametrize("image", ["nginx", "nginx:latest", "registry.example.com:5000/app"])
def test_a_mutable_tag_pulled_once_is_a_warning(image: str) -> None:
    platform = Platform("PulledOnce")
    spec = TaskDefinitionSpec.from_dict(
        {
            "family": "w",
            "containerDefinitions": [{"name": "w", "image": image, "memory": 64}],
        }
    )
    worker = platform.worker("W", task_definition=spec)
    (warning,) = warnings_of(worker)
    assert MUTABLE_TAG_PULLED_ONCE in warning


@pytest.mark.parametrize(
    "image", ["nginx:1.27", "nginx@sha256:" + "a" * 64, "registry.example.com:5000/app:2.1"]
)
def test_a_pinned_image_is_no_warning(image: str) -> None:
    platform = Platform("Pinned")
    spec = TaskDefinitionSpec.from_dict(
        {
            "family": "w",
            "containerDefinitions": [{"name": "w", "image": image, "memory": 64}],
        }
    )
    assert warnings_of(platform.worker("W", task_definition=spec)) == []


def test_worker_spec_is_pinned() -> None:
    """The factories' images are pinned, so the other tests see no pull warning."""
    assert ":" in worker_spec().containers[0].image  # type: ignore[operator]


def test_fails_when_the_cluster_is_imported_with_its_security_groups() -> None:
    """aws-cdk-lib would open 32768-65535 of them to every load balancer (aws-cdk 9778)."""
    stack = make_stack("WithGroups")
    vpc, _, instances = imported(stack)
    cluster = ecs.Cluster.from_cluster_attributes(
        stack, "Grouped", cluster_name="legacy", vpc=vpc, security_groups=[instances]
    )
    with pytest.raises(ConfigurationError, match=r"^cluster: got 'legacy'; .*without security"):
        EcsCluster.from_cluster_attributes(
            stack, "Legacy", cluster=cluster, vpc=vpc, security_group=instances
        )


def privileged_spec() -> TaskDefinitionSpec:
    from constructs_ecs import HostAccess

    return TaskDefinitionSpec.from_dict(
        {
            "family": "disks",
            "containerDefinitions": [
                {"name": "disks", "image": "busybox:1.36", "memory": 64, "privileged": True}
            ],
        },
        host_access=[HostAccess(allow=["privileged"], reason="It manages the instance's disks.")],
    )


def test_a_privileged_task_on_an_existing_cluster_of_unknown_policy_is_a_warning() -> None:
    stack = make_stack("PrivilegedUnknown")
    worker = WorkerService(
        stack, "Disks", cluster=existing(stack), task_definition=privileged_spec()
    )
    assert any(
        "privileged container check skipped" in w and "allows_privileged_tasks" in w
        for w in warnings_of(worker)
    )


def test_a_privileged_task_on_an_existing_cluster_that_allows_them_is_no_warning() -> None:
    stack = make_stack("PrivilegedAllowed")
    cluster = existing(stack, allows_privileged_tasks=True)
    worker = WorkerService(stack, "Disks", cluster=cluster, task_definition=privileged_spec())
    assert not any("privileged" in w for w in warnings_of(worker))


def test_fails_when_a_privileged_task_runs_on_an_existing_cluster_that_refuses_them() -> None:
    stack = make_stack("PrivilegedRefused")
    cluster = existing(stack, allows_privileged_tasks=False)
    with pytest.raises(
        ConfigurationError,
        match=r"^task_definition\.containerDefinitions\[0\]\.privileged: got True;.*"
        r"ECS_DISABLE_PRIVILEGED=true",
    ):
        WorkerService(stack, "Disks", cluster=cluster, task_definition=privileged_spec())
