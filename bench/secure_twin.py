"""The secure twin: this library's apps written by hand with ``aws_ecs_patterns`` and L2s.

What a user of plain aws-cdk-lib writes to get the posture ``constructs_ecs`` gives by
default, and to pass cdk-nag's AwsSolutions pack with every finding acknowledged on its one
resource with a reason. Two apps, both synthesized by ``bench/bench_app.py``:

- ``reference_app`` (kind ``secure-reference-patterns``): ``app.py``'s ``WebserverStack``
  (``Network`` + ``EcsCluster`` + ``LoadBalancer`` + one ``WebService`` from
  ``examples/webserver.json``), its service an ``ApplicationLoadBalancedEc2Service``.
  ``python bench/secure_twin.py`` synthesizes it with cdk-nag, as ``python app.py`` does, and
  reads the same context values (``instance_type``, ``desired_count``, ``max_capacity``,
  ``certificate_arn``).
- ``services_app`` (kind ``secure-patterns``): the ``ours`` kind of ``bench_app.py``, a
  ``Platform`` stack and ``Services<k>`` stacks of 25 web services each, path-routed on a
  shared load balancer, 4 stacks (100 services) to a load balancer.

Resource for resource, the templates hold what ours hold: a VPC with flow logs to a retained
log group, an S3 gateway endpoint, public subnets that map no public addresses and its default
security group stripped; an ECS cluster with Container Insights and exec logging to a retained
log group; an IMDSv2-only launch template (encrypted gp3 root volume, no key pair, the pinned
ECS-optimized AL2023 AMI from its public SSM parameter, the same ``ecs.config``); an instance
role with the agent's statements and the minimum Session Manager policy; an Auto Scaling group
with group metrics and notifications to a KMS-encrypted, TLS-only topic; a capacity provider
with managed scaling and managed draining as the cluster's default strategy; an internet-facing
ALB that drops invalid headers, answers 404 to what no rule matches, has deletion protection on
(off in ``reference_app``, as ``app.py``), admits only its listener ports and logs to an
SSE-S3, TLS-only, retained bucket that expires logs after 90 days (the ELB account or
log-delivery principal chosen per region at deploy time, as ``log_access_logs`` refuses an
environment-agnostic stack); the load-balancer-to-instance ingress that aws-cdk#22764 leaves
out; and per service a retained log group, task and execution roles (the latter scoped to that
log group), a bridge-mode task definition, a service with a circuit breaker that rolls back,
tag propagation, AZ-spread placement and AZ rebalancing on the capacity provider, a target
group with 15 s health checks and a 30 s deregistration delay, a listener rule, and
``WebService``'s six CloudWatch alarms (5xx rate, unhealthy targets, p99 response time, CPU,
memory, tasks missing; the first two the service's deployment alarms, rolling back): 14
resources per service, as ours.

What differs, and why:

- The pattern cannot share a listener: it adds its own ``PublicListener`` to the load balancer,
  so two patterns on one load balancer ask for two listeners on port 80. ``services_app``
  therefore uses ``ecs.Ec2Service`` with a target group and a listener rule per service (the
  pattern's own pieces), and ``reference_app`` uses the pattern once, replacing its listener's
  default action (forward) with the 404 and routing ``/*`` by a rule; the pattern also adds two
  ``CfnOutput``s (``LoadBalancerDNS``, ``ServiceURL``).
- ``Cluster.add_asg_capacity_provider`` grants the instance role ``logs:CreateLogStream`` and
  ``logs:PutLogEvents`` on ``*`` with the agent's statements; ours leaves them out (tasks log
  with their execution role). Here they stay, acknowledged with the agent's ``*`` statements.
- Listener rule priorities are the service's index; ours derives them from construct paths.
- The alarms use the target group's L2 metrics: with a target group attached by a listener
  rule, their ``LoadBalancer`` dimension is cut out of the listener's ARN
  (``Fn::Select``/``Fn::Split``), where ours references the load balancer's full name: about
  1.9 KB more template per service. The pattern has no props for
  AZ rebalancing or the deployment strategy: ``reference_app`` sets them on the L1.
- The listener's ingress rule reads ``80 from all``; ours ``HTTP from 0.0.0.0/0``.
- Target groups keep the L2's attributes (no explicit ``stickiness.enabled=false``).
- No library validation: a bad value fails at deploy time, not at synth.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_ecs_patterns as ecs_patterns
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import region_info

AMI = (
    "/aws/service/ecs/optimized-ami/amazon-linux-2023/"
    "al2023-ami-ecs-hvm-2023.0.20261030-kernel-6.1-x86_64/image_id"
)
ECS_CONFIG = [
    "ECS_AWSVPC_BLOCK_IMDS=true",
    "ECS_CONTAINER_STOP_TIMEOUT=30s",
    "ECS_DYNAMIC_HOST_PORT_RANGE=32768-60999",
    "ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true",
    "ECS_ENABLE_CONTAINER_METADATA=true",
    "ECS_IMAGE_PULL_BEHAVIOR=once",
    "ECS_RESERVED_MEMORY=256",
]
SERVICES_PER_STACK = 25
"""Web services per ``Services<k>`` stack, as ``bench_app.py``'s ``ours``."""
STACKS_PER_SHARD = 4
"""``Services<k>`` stacks per load balancer: 100 listener rules and target groups each."""


def acknowledge(construct: Any, rule: str, reason: str) -> None:
    cdk.Validations.of(construct).acknowledge(
        cdk.Acknowledgment(id=f"AwsSolutions-{rule}", reason=reason)
    )


@dataclass
class Platform:
    vpc: ec2.Vpc
    cluster: ecs.Cluster
    capacity_provider: ecs.AsgCapacityProvider
    instances: ec2.SecurityGroup
    host_ports: ec2.Port
    listener_ports: list[int]
    deletion_protection: bool
    access_logs: s3.Bucket
    load_balancer: elbv2.ApplicationLoadBalancer = field(init=False)


def platform(
    stack: cdk.Stack,
    *,
    instance_type: str,
    max_capacity: int,
    host_ports: ec2.Port,
    listener_ports: list[int],
    deletion_protection: bool,
) -> Platform:
    """Network, cluster and load balancer, as ``PlatformStack`` defines them."""
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        ip_addresses=ec2.IpAddresses.cidr("10.0.0.0/16"),
        max_azs=2,
        nat_gateways=1,
        subnet_configuration=[
            ec2.SubnetConfiguration(
                name="Public",
                subnet_type=ec2.SubnetType.PUBLIC,
                cidr_mask=24,
                map_public_ip_on_launch=False,
            ),
            ec2.SubnetConfiguration(
                name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=24
            ),
        ],
        restrict_default_security_group=True,
    )
    flow_logs = logs.LogGroup(
        stack,
        "FlowLogGroup",
        retention=logs.RetentionDays.THREE_MONTHS,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs))
    private = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
    vpc.add_gateway_endpoint(
        "S3Endpoint", service=ec2.GatewayVpcEndpointAwsService.S3, subnets=[private]
    )

    exec_logs = logs.LogGroup(
        stack,
        "ExecLogGroup",
        retention=logs.RetentionDays.ONE_YEAR,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    cluster = ecs.Cluster(
        stack,
        "Cluster",
        vpc=vpc,
        container_insights_v2=ecs.ContainerInsights.ENABLED,
        execute_command_configuration=ecs.ExecuteCommandConfiguration(
            logging=ecs.ExecuteCommandLogging.OVERRIDE,
            log_configuration=ecs.ExecuteCommandLogConfiguration(cloud_watch_log_group=exec_logs),
        ),
    )

    instances = ec2.SecurityGroup(
        stack,
        "InstanceSecurityGroup",
        vpc=vpc,
        description="ECS container instances: no ingress unless a service opens it",
    )
    role = iam.Role(
        stack,
        "InstanceRole",
        assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
        description="ECS container instances: the agent and SSM Session Manager",
    )
    session_manager = iam.Policy(
        stack,
        "SessionManagerPolicy",
        roles=[role],
        statements=[
            iam.PolicyStatement(
                actions=["ssm:UpdateInstanceInformation"],
                resources=[stack.format_arn(service="ec2", resource="instance", resource_name="*")],
            ),
            iam.PolicyStatement(
                actions=[
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                resources=["*"],
            ),
        ],
    )
    acknowledge(
        session_manager,
        "IAM5[Resource::*]",
        "Session Manager's data channels have no resource-level permissions.",
    )
    acknowledge(
        session_manager,
        "IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*]",
        "An instance registers itself with SSM; its id is unknown before launch.",
    )
    user_data = ec2.UserData.for_linux()
    user_data.add_commands("cat <<'ECS_CONFIG' >> /etc/ecs/ecs.config", *ECS_CONFIG, "ECS_CONFIG")
    launch_template = ec2.LaunchTemplate(
        stack,
        "LaunchTemplate",
        instance_type=ec2.InstanceType(instance_type),
        machine_image=ec2.MachineImage.from_ssm_parameter(AMI),
        user_data=user_data,
        role=role,
        security_group=instances,
        require_imdsv2=True,
        http_endpoint=True,
        http_put_response_hop_limit=1,
        block_devices=[
            ec2.BlockDevice(
                device_name="/dev/xvda",
                volume=ec2.BlockDeviceVolume.ebs(
                    30, encrypted=True, volume_type=ec2.EbsDeviceVolumeType.GP3
                ),
            )
        ],
    )

    key = kms.Key(
        stack,
        "NotificationsKey",
        description="Encrypts the Auto Scaling notifications of an ECS cluster",
        enable_key_rotation=True,
        removal_policy=cdk.RemovalPolicy.DESTROY,
        pending_window=cdk.Duration.days(7),
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowAutoScalingNotifications",
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            principals=[iam.AnyPrincipal()],
            resources=["*"],
            conditions={
                "StringEquals": {
                    "aws:PrincipalArn": f"arn:{stack.partition}:iam::{stack.account}:role/"
                    "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                    "kms:CallerAccount": stack.account,
                }
            },
        )
    )
    topic = sns.Topic(
        stack,
        "NotificationsTopic",
        display_name="ECS cluster Auto Scaling notifications",
        master_key=key,
        enforce_ssl=True,
    )
    group = autoscaling.AutoScalingGroup(
        stack,
        "AutoScalingGroup",
        vpc=vpc,
        vpc_subnets=private,
        launch_template=launch_template,
        min_capacity=1,
        max_capacity=max_capacity,
        group_metrics=[autoscaling.GroupMetrics.all()],
        notifications=[
            autoscaling.NotificationConfiguration(
                topic=topic,
                scaling_events=autoscaling.ScalingEvents(
                    autoscaling.ScalingEvent.INSTANCE_LAUNCH,
                    autoscaling.ScalingEvent.INSTANCE_LAUNCH_ERROR,
                    autoscaling.ScalingEvent.INSTANCE_TERMINATE,
                    autoscaling.ScalingEvent.INSTANCE_TERMINATE_ERROR,
                ),
            )
        ],
    )
    capacity_provider = ecs.AsgCapacityProvider(
        stack,
        "CapacityProvider",
        auto_scaling_group=group,
        enable_managed_scaling=True,
        target_capacity_percent=100,
        enable_managed_termination_protection=False,
        enable_managed_draining=True,
    )
    cluster.add_asg_capacity_provider(capacity_provider)
    cluster.add_default_capacity_provider_strategy(
        [
            ecs.CapacityProviderStrategy(
                capacity_provider=capacity_provider.capacity_provider_name, weight=1
            )
        ]
    )
    acknowledge(
        role.node.find_child("DefaultPolicy"),
        "IAM5[Resource::*]",
        "The ECS agent's statements added by ecs.Cluster: DiscoverPollEndpoint, "
        "GetAuthorizationToken and the logs actions have no resource-level permissions; "
        "Poll and StartTelemetrySession are limited to this cluster by condition.",
    )
    acknowledge(
        role.node.find_child("DefaultPolicy"),
        "IAM5[Action::ecs:Submit*]",
        "The agent's state reports, scoped to this cluster's ARN.",
    )

    shared = Platform(
        vpc,
        cluster,
        capacity_provider,
        instances,
        host_ports,
        listener_ports,
        deletion_protection,
        access_log_bucket(stack),
    )
    shared.load_balancer = add_load_balancer(stack, "LoadBalancer", shared)
    return shared


def add_load_balancer(
    stack: cdk.Stack, construct_id: str, shared: Platform
) -> elbv2.ApplicationLoadBalancer:
    """An internet-facing ALB with its own security group, logging to the platform's bucket
    (``log_access_logs`` refuses an environment-agnostic stack)."""
    balancer_group = ec2.SecurityGroup(
        stack,
        f"{construct_id}SecurityGroup",
        vpc=shared.vpc,
        description="Load balancer: listener ports from the allowed CIDR blocks only",
        allow_all_outbound=False,
    )
    for port in shared.listener_ports:
        balancer_group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(port), f"{port} from all")
    acknowledge(balancer_group, "EC23", "Internet-facing load balancer: listener ports only.")
    # aws-cdk#22764: bridge-mode services open nothing on the instances.
    shared.instances.connections.allow_from(
        balancer_group, shared.host_ports, "Load balancer to task host ports"
    )
    load_balancer = elbv2.ApplicationLoadBalancer(
        stack,
        construct_id,
        vpc=shared.vpc,
        internet_facing=True,
        security_group=balancer_group,
        deletion_protection=shared.deletion_protection,
        drop_invalid_header_fields=True,
        http2_enabled=True,
        desync_mitigation_mode=elbv2.DesyncMitigationMode.DEFENSIVE,
    )
    load_balancer.set_attribute("access_logs.s3.enabled", "true")
    load_balancer.set_attribute("access_logs.s3.bucket", shared.access_logs.bucket_name)
    assert shared.access_logs.policy is not None
    cast(cdk.CfnResource, load_balancer.node.default_child).add_resource_dependency(
        cast(cdk.CfnResource, shared.access_logs.policy.node.default_child)
    )
    return load_balancer


def access_log_bucket(stack: cdk.Stack) -> s3.Bucket:
    """The load balancers' access-log bucket, writable by the region's log delivery."""
    bucket = s3.Bucket(
        stack,
        "AccessLogs",
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        minimum_tls_version=1.2,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="ExpireAccessLogs",
                expiration=cdk.Duration.days(90),
                abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
            )
        ],
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    acknowledge(bucket, "S1", "Receives only the load balancer's access logs.")
    # Regions older than August 2022 deliver from an ELB account, newer ones from a service.
    regions: list[Any] = [
        cdk.Fn.condition_equals(cdk.Aws.REGION, region)
        for region in sorted(
            region_info.RegionInfo.limited_region_map(
                region_info.FactName.ELBV2_ACCOUNT, ["aws", "aws-cn", "aws-us-gov"]
            )
        )
    ]
    while len(regions) > 1:  # Fn::Or takes 2 to 10 conditions
        chunks = [regions[i : i + 10] for i in range(0, len(regions), 10)]
        regions = [cdk.Fn.condition_or(*c) if len(c) > 1 else c[0] for c in chunks]
    condition = cdk.CfnCondition(stack, "ElbAccountRegion", expression=regions[0])
    account = stack.regional_fact(region_info.FactName.ELBV2_ACCOUNT)
    bucket.add_to_resource_policy(
        iam.PolicyStatement(
            actions=["s3:PutObject"],
            principals=[
                iam.ArnPrincipal(
                    cdk.Token.as_string(
                        cdk.Fn.condition_if(
                            condition.logical_id,
                            f"arn:{stack.partition}:iam::{account}:root",
                            cdk.Aws.NO_VALUE,
                        )
                    )
                ),
                iam.ServicePrincipal(
                    cdk.Token.as_string(
                        cdk.Fn.condition_if(
                            condition.logical_id,
                            cdk.Aws.NO_VALUE,
                            "logdelivery.elasticloadbalancing.amazonaws.com",
                        )
                    )
                ),
            ],
            resources=[bucket.arn_for_objects(f"AWSLogs/{stack.account}/*")],
        )
    )
    return bucket


def web_service_options(platform: Platform, desired_count: int) -> dict[str, Any]:
    """The service settings ``WebService`` applies, for ``Ec2Service`` and the pattern."""
    return {
        "cluster": platform.cluster,
        "desired_count": desired_count,
        "circuit_breaker": ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
        "min_healthy_percent": 100,
        "max_healthy_percent": 200,
        "health_check_grace_period": cdk.Duration.seconds(60),
        "enable_ecs_managed_tags": True,
        "propagate_tags": ecs.PropagatedTagSource.SERVICE,
        "enable_execute_command": False,
        "placement_strategies": [
            ecs.PlacementStrategy.spread_across(ecs.BuiltInAttributes.AVAILABILITY_ZONE),
            ecs.PlacementStrategy.packed_by_memory(),
        ],
        "capacity_provider_strategies": [
            ecs.CapacityProviderStrategy(
                capacity_provider=platform.capacity_provider.capacity_provider_name, weight=1
            )
        ],
    }


NOT_FOUND = elbv2.ListenerAction.fixed_response(
    404, content_type="text/plain", message_body="Not Found"
)


def web_task(
    scope: cdk.Stack,
    prefix: str,
    *,
    family: str,
    image: str,
    cpu: int,
    memory_mib: int,
    host_port: int,
) -> ecs.Ec2TaskDefinition:
    """A bridge-mode task with one ``web`` container logging to its retained log group."""
    log_group = logs.LogGroup(
        scope,
        f"{prefix}LogGroup",
        retention=logs.RetentionDays.ONE_MONTH,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    task = ecs.Ec2TaskDefinition(
        scope, f"{prefix}TaskDefinition", family=family, network_mode=ecs.NetworkMode.BRIDGE
    )
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_registry(image),
        cpu=cpu,
        memory_limit_mib=memory_mib,
        port_mappings=[ecs.PortMapping(container_port=80, host_port=host_port)],
        logging=ecs.LogDrivers.aws_logs(stream_prefix="web", log_group=log_group),
    )
    return task


def service_alarms(
    scope: cdk.Stack,
    prefix: str,
    *,
    service: ecs.BaseService,
    cluster: ecs.ICluster,
    target_group: elbv2.ApplicationTargetGroup,
) -> None:
    """``WebService``'s six alarms (1-minute periods, missing data not breaching); the 5xx
    rate and unhealthy targets roll a deployment back."""
    minute = cdk.Duration.minutes(1)

    def alarm(
        name: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        periods: tuple[int, int],
        description: str,
        operator: cloudwatch.ComparisonOperator = (
            cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
        ),
    ) -> cloudwatch.Alarm:
        return cloudwatch.Alarm(
            scope,
            f"{prefix}{name}",
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods[0],
            datapoints_to_alarm=periods[1],
            comparison_operator=operator,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )

    at_least = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
    targets = target_group.metrics
    errors = alarm(
        "Target5xxRate",
        cloudwatch.MathExpression(
            expression="100 * FILL(errors0, 0) / FILL(requests0, 1)",
            using_metrics={
                "errors0": targets.http_code_target(
                    elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=minute, statistic="Sum"
                ),
                "requests0": targets.request_count(period=minute, statistic="Sum"),
            },
            period=minute,
            label="Target 5xx responses, % of requests",
        ),
        5,
        (3, 2),
        "5xx responses from the tasks above 5.0 % of requests in 2 of 3 minutes. A "
        "deployment alarm: a deploy in progress rolls back.",
    )
    unhealthy = alarm(
        "UnhealthyTargets",
        targets.unhealthy_host_count(period=minute, statistic="Maximum"),
        1,
        (3, 2),
        "At least 1 target(s) failing the load balancer's health check in 2 of 3 minutes. "
        "A deployment alarm: a deploy in progress rolls back.",
        at_least,
    )
    alarm(
        "ResponseTimeP99",
        targets.target_response_time(period=minute, statistic="p99"),
        2,
        (5, 5),
        "p99 target response time above 2.0 s for 5 minutes.",
    )
    alarm(
        "CpuUtilization",
        service.metric_cpu_utilization(period=minute, statistic="Average"),
        90,
        (5, 5),
        "Average CPU above 90.0 % of what the tasks reserve for 5 minutes: scale out, or "
        "give the task more CPU.",
    )
    alarm(
        "MemoryUtilization",
        service.metric_memory_utilization(period=minute, statistic="Average"),
        90,
        (5, 5),
        "Average memory above 90.0 % for 5 minutes: tasks near their limit are killed "
        "(OutOfMemory).",
    )
    dimensions = {"ClusterName": cluster.cluster_name, "ServiceName": service.service_name}
    alarm(
        "TasksMissing",
        cloudwatch.MathExpression(
            expression="FILL(desired, 0) - FILL(running, 0)",
            using_metrics={
                name: cloudwatch.Metric(
                    namespace="ECS/ContainerInsights",
                    metric_name=metric,
                    dimensions_map=dimensions,
                    statistic="Average",
                    period=minute,
                )
                for name, metric in (
                    ("desired", "DesiredTaskCount"),
                    ("running", "RunningTaskCount"),
                )
            },
            period=minute,
            label="Tasks desired but not running",
        ),
        1,
        (10, 10),
        "Fewer tasks running than desired for 10 minutes: no capacity to place them, or "
        "tasks that keep stopping (see the service's events).",
        at_least,
    )
    service.enable_deployment_alarms(
        [errors.alarm_name, unhealthy.alarm_name],
        behavior=ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
    )


def reference_app(app: cdk.App, *, env: cdk.Environment | None = None) -> cdk.Stack:
    """``app.py``'s ``WebserverStack``, with ``ApplicationLoadBalancedEc2Service``."""
    context = app.node
    instance_type = str(context.try_get_context("instance_type") or "t3.medium")
    desired_count = int(context.try_get_context("desired_count") or 2)
    max_capacity = int(context.try_get_context("max_capacity") or 4)
    certificate_arn = context.try_get_context("certificate_arn")

    stack = cdk.Stack(app, "WebserverStack", env=env)
    shared = platform(
        stack,
        instance_type=instance_type,
        max_capacity=max_capacity,
        host_ports=ec2.Port.tcp(80),
        listener_ports=[80, 443] if certificate_arn else [80],
        deletion_protection=False,  # as app.py: people try it, then `cdk destroy` it
    )
    certificate = (
        acm.Certificate.from_certificate_arn(stack, "Certificate", certificate_arn)
        if certificate_arn
        else None
    )
    task = web_task(
        stack, "Web", family="webserver", image="nginx", cpu=99, memory_mib=100, host_port=80
    )
    web = ecs_patterns.ApplicationLoadBalancedEc2Service(
        stack,
        "Web",
        task_definition=task,
        load_balancer=shared.load_balancer,
        open_listener=False,
        certificate=certificate,
        redirect_http=certificate is not None,
        ssl_policy=elbv2.SslPolicy.TLS13_12_PQ if certificate else None,
        **web_service_options(shared, desired_count),
    )
    web.target_group.configure_health_check(
        path="/",
        port="traffic-port",
        interval=cdk.Duration.seconds(15),
        timeout=cdk.Duration.seconds(5),
        healthy_threshold_count=2,
        unhealthy_threshold_count=3,
        healthy_http_codes="200-399",
    )
    web.target_group.set_attribute("deregistration_delay.timeout_seconds", "30")
    # The pattern forwards everything by default: answer 404 instead and route by a rule.
    web.listener.add_action("NotFound", action=NOT_FOUND)
    cdk.Annotations.of(web.listener).acknowledge_warning(
        "@aws-cdk/aws-elbv2:listenerExistingDefaultActionReplaced",
        "The pattern's forward action is replaced by a 404 on purpose.",
    )
    rule = elbv2.ApplicationListenerRule(
        stack,
        "WebRule",
        listener=web.listener,
        priority=1,
        conditions=[elbv2.ListenerCondition.path_patterns(["/*"])],
        target_groups=[web.target_group],
    )
    web.service.node.add_dependency(rule)
    # The pattern has no props for these: the L1 escape hatch.
    cfn_service = cast(ecs.CfnService, web.service.node.default_child)
    cfn_service.availability_zone_rebalancing = "ENABLED"
    cfn_service.add_property_override("DeploymentConfiguration.Strategy", "ROLLING")
    service_alarms(
        stack, "Web", service=web.service, cluster=shared.cluster, target_group=web.target_group
    )
    cdk.CfnOutput(
        stack,
        "Url",
        value=f"http{'s' if certificate else ''}://{shared.load_balancer.load_balancer_dns_name}",
    )
    return stack


def services_app(app: cdk.App, services: int) -> None:
    """The ``ours`` kind: ``Platform`` plus ``Services<k>`` stacks of 25 web services, 4
    stacks to a load balancer (shard ``n`` > 1 is ``LoadBalancer<n>``, with its own security
    group, logging to the same bucket)."""
    platform_stack = cdk.Stack(app, "Platform")
    shared = platform(
        platform_stack,
        instance_type="t3.medium",
        max_capacity=10,
        host_ports=ec2.Port.tcp_range(32768, 60999),
        listener_ports=[80],
        deletion_protection=True,
    )
    listeners: dict[int, elbv2.ApplicationListener] = {}
    health_check = elbv2.HealthCheck(
        path="/",
        port="traffic-port",
        interval=cdk.Duration.seconds(15),
        timeout=cdk.Duration.seconds(5),
        healthy_threshold_count=2,
        unhealthy_threshold_count=3,
        healthy_http_codes="200-399",
    )
    stack = platform_stack
    for index in range(services):
        shard = index // (SERVICES_PER_STACK * STACKS_PER_SHARD) + 1
        if shard not in listeners:
            load_balancer = shared.load_balancer
            if shard > 1:
                load_balancer = add_load_balancer(platform_stack, f"LoadBalancer{shard}", shared)
            listeners[shard] = load_balancer.add_listener(
                "HttpListener", port=80, open=False, default_action=NOT_FOUND
            )
        if index % SERVICES_PER_STACK == 0:
            stack = cdk.Stack(app, f"Services{index // SERVICES_PER_STACK + 1}")
        prefix = f"Svc{index}"
        task = web_task(
            stack,
            prefix,
            family=f"svc{index}",
            image="nginx:1.27",
            cpu=128,
            memory_mib=256,
            host_port=0,
        )
        service = ecs.Ec2Service(
            stack,
            f"{prefix}Service",
            task_definition=task,
            availability_zone_rebalancing=ecs.AvailabilityZoneRebalancing.ENABLED,
            deployment_strategy=ecs.DeploymentStrategy.ROLLING,
            **web_service_options(shared, 2),
        )
        target_group = elbv2.ApplicationTargetGroup(
            stack,
            f"{prefix}TargetGroup",
            vpc=shared.vpc,
            port=80,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.INSTANCE,
            health_check=health_check,
            deregistration_delay=cdk.Duration.seconds(30),
            targets=[service],
        )
        elbv2.ApplicationListenerRule(
            stack,
            f"{prefix}ListenerRule",
            listener=listeners[shard],
            priority=index % (SERVICES_PER_STACK * STACKS_PER_SHARD) + 1,
            conditions=[elbv2.ListenerCondition.path_patterns([f"/svc{index}/*"])],
            target_groups=[target_group],
        )
        service_alarms(
            stack, prefix, service=service, cluster=shared.cluster, target_group=target_group
        )


def main() -> None:
    from cdk_nag import AwsSolutionsChecks

    app = cdk.App()
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = os.environ.get("CDK_DEFAULT_REGION")
    reference_app(
        app, env=cdk.Environment(account=account, region=region) if account and region else None
    )
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True)
    )
    app.synth()


if __name__ == "__main__":
    main()
