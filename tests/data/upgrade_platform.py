"""A full platform for the upgrade test (``tests/test_upgrade.py``), synthesized with the
previous release and with the working tree.

It uses only public API that exists in every release the test compares (0.1.0 onwards), the
way a user's app would, and imports nothing from ``tests``: the previous release's tree has
this repository's files as they were then. Two layouts: one environment-agnostic stack with
every construct (network with endpoints, Spot cluster with options, a Bottlerocket cluster,
public and internal load balancers, a repository, web, worker, daemon and scheduled
services), and a ``PlatformStack`` with two ``ServicesStack``s in a concrete account and
Region (zones from the committed ``cdk.context.json``), on two load-balancer shards.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs

from constructs_ecs import (
    CapacityProviderOptions,
    EcsCluster,
    ImageRepository,
    InstanceImage,
    LoadBalancer,
    Network,
    PlainHttp,
    PlatformStack,
    Scaling,
    ScheduledTask,
    ServiceConnect,
    ServicesStack,
    SpotOptions,
    TaskDefinitionSpec,
    WebService,
    WorkerService,
)

ACCOUNT = "123456789012"
REGION = "eu-west-1"
INTERNAL_HTTP = PlainHttp(reason="Internal traffic of the upgrade test's platform, in the VPC.")


def _spec(name: str, network_mode: str = "bridge", **container: Any) -> TaskDefinitionSpec:
    return TaskDefinitionSpec.from_dict(
        {
            "family": name,
            "networkMode": network_mode,
            "containerDefinitions": [
                {"name": name, "image": "nginx:1.27", "memory": 128, **container}
            ],
        }
    )


def _everything(app: cdk.App) -> None:
    stack = cdk.Stack(app, "UpgradeFull")
    network = Network(stack, "Network", vpc_endpoints=True)
    cluster = EcsCluster(
        stack,
        "Cluster",
        vpc=network.vpc,
        spot=SpotOptions(instance_types=[ec2.InstanceType("t3a.medium")]),
        agent_settings={"ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM": "ec2_instance"},
        capacity_provider_options=CapacityProviderOptions(managed_termination_protection=True),
        max_capacity=6,
    )
    cluster.cluster.add_default_cloud_map_namespace(
        name="shop.internal", use_for_service_connect=True
    )
    EcsCluster(
        stack,
        "Bottlerocket",
        vpc=network.vpc,
        image=InstanceImage.bottlerocket("1.54.0"),
        instance_type=ec2.InstanceType("m7g.large"),
    )
    public = LoadBalancer(
        stack,
        "LoadBalancer",
        vpc=network.vpc,
        certificate=acm.Certificate.from_certificate_arn(
            stack,
            "Certificate",
            f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0123abcd",
        ),
    )
    LoadBalancer(
        stack, "Internal", vpc=network.vpc, internet_facing=False, plain_http=INTERNAL_HTTP
    )
    images = ImageRepository(stack, "Images", repository_name="shop/web")
    images.grant_push(
        iam.Role(stack, "CiRole", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    )
    web = TaskDefinitionSpec.from_dict(
        {
            "family": "web",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": "images:1.4.2",
                    "memory": 256,
                    "portMappings": [{"containerPort": 80, "name": "http"}],
                    "secrets": [{"name": "API_KEY", "valueFrom": "/shop/api-key"}],
                }
            ],
        },
        repositories={"images": images},
    )
    WebService(
        stack,
        "Web",
        cluster=cluster,
        load_balancer=public,
        task_definition=web,
        path_patterns=["/web/*"],
        enable_exec=True,
        service_connect=ServiceConnect(dns_name="web"),
        scaling=Scaling(min_count=1, max_count=3, requests_per_target=500),
    )
    worker = WorkerService(
        stack,
        "Worker",
        cluster=cluster,
        task_definition=_spec("worker", network_mode="awsvpc"),
        service_connect=ServiceConnect(),
    )
    WorkerService(stack, "Agent", cluster=cluster, task_definition=_spec("agent"), daemon=True)
    nightly = ScheduledTask(
        stack,
        "Nightly",
        cluster=cluster,
        task_definition=_spec("etl"),
        schedule=scheduler.ScheduleExpression.cron(hour="2", minute="0"),
    )
    queue = sqs.Queue(
        stack,
        "Orders",
        enforce_ssl=True,
        encryption=sqs.QueueEncryption.KMS_MANAGED,
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=nightly.dead_letter_queue),
    )
    queue.grant_consume_messages(worker.task_role)


def _stacks(app: cdk.App) -> None:
    platform = PlatformStack(
        app,
        "UpgradePlatform",
        env=cdk.Environment(account=ACCOUNT, region=REGION),
        max_capacity=6,
        plain_http=PlainHttp(reason="The upgrade test's platform: synthesized, never deployed."),
    )
    for shard in (1, 2):
        stack = ServicesStack(app, f"UpgradeServices{shard}", platform=platform, shard=shard)
        for index in range(2):
            name = f"svc{shard}{index}"
            WebService(
                stack,
                name.capitalize(),
                cluster=stack.cluster,
                load_balancer=stack.load_balancer,
                task_definition=_spec(name, portMappings=[{"containerPort": 80}]),
                path_patterns=[f"/{name}/*"],
            )
        WorkerService(
            stack, f"Worker{shard}", cluster=stack.cluster, task_definition=_spec(f"worker{shard}")
        )


def build(app: cdk.App) -> None:
    """Define both layouts in ``app``."""
    _everything(app)
    _stacks(app)
