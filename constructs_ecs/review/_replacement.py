"""What a template change does to a deployed resource: replacement-forcing properties, stateful
types and custom-name properties.

``REPLACEMENT_PROPERTIES`` lists, for the resource types that this library's stacks define,
the properties whose change makes CloudFormation replace the resource ("Update requires:
Replacement"), then those that replace it only in some cases. It is the ``createOnlyProperties``
and ``conditionalCreateOnlyProperties`` of the CloudFormation registry schemas (as shipped by
cfn-lint, which a test compares this table with). Nested properties are dotted paths.
"""

from __future__ import annotations

from collections.abc import Mapping

REPLACEMENT_PROPERTIES: Mapping[str, tuple[frozenset[str], frozenset[str]]] = {
    "AWS::ApplicationAutoScaling::ScalableTarget": (
        frozenset({"ResourceId", "ScalableDimension", "ServiceNamespace"}),
        frozenset(),
    ),
    "AWS::ApplicationAutoScaling::ScalingPolicy": (
        frozenset(
            {"PolicyName", "ResourceId", "ScalableDimension", "ScalingTargetId", "ServiceNamespace"}
        ),
        frozenset(),
    ),
    "AWS::AutoScaling::AutoScalingGroup": (
        frozenset({"AutoScalingGroupName", "InstanceId"}),
        frozenset(
            {
                "LaunchConfigurationName",
                "LaunchTemplate",
                "MixedInstancesPolicy",
                "VPCZoneIdentifier",
            }
        ),
    ),
    "AWS::AutoScaling::LaunchConfiguration": (
        frozenset(
            {
                "AssociatePublicIpAddress",
                "BlockDeviceMappings",
                "ClassicLinkVPCId",
                "ClassicLinkVPCSecurityGroups",
                "EbsOptimized",
                "IamInstanceProfile",
                "ImageId",
                "InstanceId",
                "InstanceMonitoring",
                "InstanceType",
                "KernelId",
                "KeyName",
                "LaunchConfigurationName",
                "MetadataOptions",
                "PlacementTenancy",
                "RamDiskId",
                "SecurityGroups",
                "SpotPrice",
                "UserData",
            }
        ),
        frozenset(),
    ),
    "AWS::AutoScaling::LifecycleHook": (
        frozenset({"AutoScalingGroupName", "LifecycleHookName"}),
        frozenset(),
    ),
    "AWS::CertificateManager::Certificate": (
        frozenset(
            {
                "CertificateAuthorityArn",
                "CertificateExport",
                "DomainName",
                "DomainValidationOptions",
                "KeyAlgorithm",
                "SubjectAlternativeNames",
            }
        ),
        frozenset(),
    ),
    "AWS::CloudWatch::Alarm": (frozenset({"AlarmName"}), frozenset()),
    "AWS::CloudWatch::Dashboard": (frozenset({"DashboardName"}), frozenset()),
    "AWS::DynamoDB::Table": (
        frozenset({"ImportSourceSpecification", "TableName"}),
        frozenset({"KeySchema"}),
    ),
    "AWS::EC2::EIP": (
        frozenset({"Address", "IpamPoolId", "NetworkBorderGroup", "TransferAddress"}),
        frozenset(),
    ),
    "AWS::EC2::FlowLog": (
        frozenset(
            {
                "DeliverCrossAccountRole",
                "DeliverLogsPermissionArn",
                "DestinationOptions",
                "LogDestination",
                "LogDestinationType",
                "LogFormat",
                "LogGroupName",
                "MaxAggregationInterval",
                "ResourceId",
                "ResourceType",
                "TagFieldSpecifications",
                "TrafficType",
            }
        ),
        frozenset(),
    ),
    "AWS::EC2::InternetGateway": (frozenset(), frozenset()),
    "AWS::EC2::LaunchTemplate": (frozenset({"LaunchTemplateName"}), frozenset()),
    "AWS::EC2::NatGateway": (
        frozenset(
            {
                "AllocationId",
                "AvailabilityMode",
                "ConnectivityType",
                "PrivateIpAddress",
                "SubnetId",
                "VpcId",
            }
        ),
        frozenset(),
    ),
    "AWS::EC2::Route": (
        frozenset(
            {
                "DestinationCidrBlock",
                "DestinationIpv6CidrBlock",
                "DestinationPrefixListId",
                "RouteTableId",
            }
        ),
        frozenset(),
    ),
    "AWS::EC2::RouteTable": (frozenset({"VpcId"}), frozenset()),
    "AWS::EC2::SecurityGroup": (frozenset({"GroupDescription", "GroupName", "VpcId"}), frozenset()),
    "AWS::EC2::SecurityGroupEgress": (
        frozenset(
            {
                "CidrIp",
                "CidrIpv6",
                "DestinationPrefixListId",
                "DestinationSecurityGroupId",
                "FromPort",
                "GroupId",
                "IpProtocol",
                "ToPort",
            }
        ),
        frozenset(),
    ),
    "AWS::EC2::SecurityGroupIngress": (
        frozenset(
            {
                "CidrIp",
                "CidrIpv6",
                "FromPort",
                "GroupId",
                "GroupName",
                "IpProtocol",
                "SourcePrefixListId",
                "SourceSecurityGroupId",
                "SourceSecurityGroupName",
                "SourceSecurityGroupOwnerId",
                "ToPort",
            }
        ),
        frozenset(),
    ),
    "AWS::EC2::Subnet": (
        frozenset(
            {
                "AvailabilityZone",
                "AvailabilityZoneId",
                "CidrBlock",
                "Ipv4IpamPoolId",
                "Ipv4NetmaskLength",
                "Ipv6IpamPoolId",
                "Ipv6Native",
                "Ipv6NetmaskLength",
                "OutpostArn",
                "VpcId",
            }
        ),
        frozenset({"Ipv6CidrBlock"}),
    ),
    "AWS::EC2::SubnetRouteTableAssociation": (frozenset({"RouteTableId", "SubnetId"}), frozenset()),
    "AWS::EC2::VPC": (
        frozenset({"CidrBlock", "Ipv4IpamPoolId", "Ipv4NetmaskLength", "VpcEncryptionControl"}),
        frozenset({"InstanceTenancy"}),
    ),
    "AWS::EC2::VPCEndpoint": (
        frozenset(
            {
                "DnsOptions.PrivateDnsPreference",
                "DnsOptions.PrivateDnsSpecifiedDomains",
                "ResourceConfigurationArn",
                "ServiceName",
                "ServiceNetworkArn",
                "ServiceRegion",
                "VpcEndpointType",
                "VpcId",
            }
        ),
        frozenset(),
    ),
    "AWS::EC2::VPCGatewayAttachment": (frozenset({"VpcId"}), frozenset()),
    "AWS::ECR::Repository": (
        frozenset(
            {
                "EncryptionConfiguration",
                "EncryptionConfiguration.EncryptionType",
                "EncryptionConfiguration.KmsKey",
                "RepositoryName",
            }
        ),
        frozenset(),
    ),
    "AWS::ECS::CapacityProvider": (
        frozenset({"AutoScalingGroupProvider.AutoScalingGroupArn", "ClusterName", "Name"}),
        frozenset(),
    ),
    "AWS::ECS::Cluster": (frozenset({"ClusterName"}), frozenset()),
    "AWS::ECS::ClusterCapacityProviderAssociations": (frozenset({"Cluster"}), frozenset()),
    "AWS::ECS::Service": (
        frozenset({"Cluster", "Role", "SchedulingStrategy", "ServiceName"}),
        frozenset({"LaunchType"}),
    ),
    "AWS::ECS::TaskDefinition": (
        frozenset(
            {
                "ContainerDefinitions",
                "Cpu",
                "EnableFaultInjection",
                "EphemeralStorage",
                "ExecutionRoleArn",
                "Family",
                "InferenceAccelerators",
                "IpcMode",
                "Memory",
                "NetworkMode",
                "PidMode",
                "PlacementConstraints",
                "ProxyConfiguration",
                "RequiresCompatibilities",
                "RuntimePlatform",
                "TaskRoleArn",
                "Volumes",
            }
        ),
        frozenset(),
    ),
    "AWS::EFS::FileSystem": (
        frozenset({"AvailabilityZoneName", "Encrypted", "KmsKeyId", "PerformanceMode"}),
        frozenset(),
    ),
    "AWS::ElasticLoadBalancingV2::Listener": (frozenset({"LoadBalancerArn"}), frozenset()),
    "AWS::ElasticLoadBalancingV2::ListenerCertificate": (frozenset({"ListenerArn"}), frozenset()),
    "AWS::ElasticLoadBalancingV2::ListenerRule": (frozenset({"ListenerArn"}), frozenset()),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (
        frozenset({"Name", "Scheme", "Type"}),
        frozenset(),
    ),
    "AWS::ElasticLoadBalancingV2::TargetGroup": (
        frozenset(
            {"IpAddressType", "Name", "Port", "Protocol", "ProtocolVersion", "TargetType", "VpcId"}
        ),
        frozenset(),
    ),
    "AWS::Events::Rule": (frozenset({"Name"}), frozenset({"EventBusName"})),
    "AWS::IAM::InstanceProfile": (frozenset({"InstanceProfileName", "Path"}), frozenset()),
    "AWS::IAM::ManagedPolicy": (
        frozenset({"Description", "ManagedPolicyName", "Path"}),
        frozenset(),
    ),
    "AWS::IAM::Policy": (frozenset(), frozenset()),
    "AWS::IAM::Role": (frozenset({"Path", "RoleName"}), frozenset()),
    "AWS::IAM::RolePolicy": (frozenset({"PolicyName", "RoleName"}), frozenset()),
    "AWS::KMS::Alias": (frozenset({"AliasName"}), frozenset()),
    "AWS::KMS::Key": (frozenset(), frozenset()),
    "AWS::Lambda::Function": (
        frozenset({"FunctionName", "PackageType", "TenancyConfig"}),
        frozenset({"DurableConfig"}),
    ),
    "AWS::Lambda::Permission": (
        frozenset(
            {
                "Action",
                "EventSourceToken",
                "FunctionName",
                "FunctionUrlAuthType",
                "InvokedViaFunctionUrl",
                "Principal",
                "PrincipalOrgID",
                "SourceAccount",
                "SourceArn",
            }
        ),
        frozenset(),
    ),
    "AWS::Logs::LogGroup": (frozenset({"LogGroupName"}), frozenset()),
    "AWS::Logs::MetricFilter": (frozenset({"FilterName", "LogGroupName"}), frozenset()),
    "AWS::Logs::SubscriptionFilter": (frozenset({"FilterName", "LogGroupName"}), frozenset()),
    "AWS::Route53::RecordSet": (frozenset({"HostedZoneId", "HostedZoneName"}), frozenset()),
    "AWS::S3::Bucket": (
        frozenset({"BucketName", "BucketNamePrefix", "BucketNamespace"}),
        frozenset(),
    ),
    "AWS::S3::BucketPolicy": (frozenset({"Bucket"}), frozenset()),
    "AWS::SNS::Subscription": (
        frozenset({"Endpoint", "Protocol", "TopicArn"}),
        frozenset({"Region"}),
    ),
    "AWS::SNS::Topic": (frozenset({"FifoTopic", "TopicName"}), frozenset()),
    "AWS::SNS::TopicPolicy": (frozenset(), frozenset()),
    "AWS::SQS::Queue": (frozenset({"FifoQueue", "QueueName"}), frozenset()),
    "AWS::SQS::QueuePolicy": (frozenset(), frozenset()),
    "AWS::SSM::Parameter": (frozenset({"Name"}), frozenset()),
    "AWS::Scheduler::Schedule": (frozenset({"Name"}), frozenset()),
    "AWS::Scheduler::ScheduleGroup": (frozenset({"Name"}), frozenset()),
    "AWS::SecretsManager::Secret": (frozenset({"Name"}), frozenset()),
    "AWS::ServiceDiscovery::HttpNamespace": (frozenset({"Name"}), frozenset()),
    "AWS::ServiceDiscovery::PrivateDnsNamespace": (frozenset({"Name", "Vpc"}), frozenset()),
    "AWS::ServiceDiscovery::Service": (
        frozenset({"HealthCheckCustomConfig", "Name", "NamespaceId", "Type"}),
        frozenset(),
    ),
    "AWS::WAFv2::WebACLAssociation": (frozenset({"ResourceArn", "WebACLArn"}), frozenset()),
}

NEW_REVISION_TYPES = frozenset({"AWS::ECS::TaskDefinition"})
"""Types whose "replacement" is the normal way to change them: a new revision is registered."""

STATEFUL_TYPES = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::EC2::Volume",
        "AWS::ECR::Repository",
        "AWS::EFS::FileSystem",
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::Kinesis::Stream",
        "AWS::KMS::Key",
        "AWS::Logs::LogGroup",
        "AWS::OpenSearchService::Domain",
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::S3::Bucket",
        "AWS::SecretsManager::Secret",
        "AWS::SQS::Queue",
    }
)
"""Types that hold data: removing or replacing one loses it unless it is retained."""

RETAINING_POLICIES = frozenset({"Retain", "RetainExceptOnCreate", "Snapshot"})

NAME_PROPERTIES: Mapping[str, str] = {
    "AWS::AutoScaling::AutoScalingGroup": "AutoScalingGroupName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::EC2::LaunchTemplate": "LaunchTemplateName",
    "AWS::EC2::SecurityGroup": "GroupName",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::ECS::CapacityProvider": "Name",
    "AWS::ECS::Cluster": "ClusterName",
    "AWS::ECS::Service": "ServiceName",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "Name",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::Role": "RoleName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::ServiceDiscovery::Service": "Name",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SSM::Parameter": "Name",
}
"""The custom-name property of each type: CloudFormation creates a replacement before it
deletes the original, so replacing a resource whose custom name stays the same fails."""


def _matches(path: str, properties: frozenset[str]) -> bool:
    for prop in properties:
        if path == prop or path.startswith((prop + ".", prop + "[")):
            return True
        if prop.startswith((path + ".", path + "[")):
            return True  # a parent object changed as a whole
    return False


def replacement(resource_type: str, path: str) -> str | None:
    """``"always"``, ``"conditional"`` or ``None``: does changing ``path`` (a dotted property
    path such as ``Port`` or ``AutoScalingGroupProvider.AutoScalingGroupArn``) replace a
    resource of ``resource_type``? ``None`` too for types this table does not know."""
    always, conditional = REPLACEMENT_PROPERTIES.get(resource_type, (frozenset(), frozenset()))
    if _matches(path, always):
        return "always"
    if _matches(path, conditional):
        return "conditional"
    return None
