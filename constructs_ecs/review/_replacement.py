"""What a template change does to a deployed resource: the built-in table of
replacement-forcing properties, the corrections from CloudFormation's documentation, stateful
types and custom-name properties.

``REPLACEMENT_PROPERTIES`` lists, for the resource types that this library's stacks define,
the properties whose change makes CloudFormation replace the resource ("Update requires:
Replacement"), then those that replace it only in some cases. It is the ``createOnlyProperties``
and ``conditionalCreateOnlyProperties`` of the CloudFormation registry schemas (as shipped by
cfn-lint, which a test compares this table with). Nested properties are dotted paths. The review
reads the installed cfn-lint's schemas for every type (see ``_schemas``); this table decides
only when cfn-lint is not installed.

``DOCUMENTED_REPLACEMENT`` and ``DOCUMENTED_IN_PLACE`` correct the schemas where the
CloudFormation documentation ("Update requires") says otherwise, whichever source is used.
"""

from __future__ import annotations

import re
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

DOCUMENTED_REPLACEMENT: Mapping[str, frozenset[str]] = {
    "AWS::CertificateManager::Certificate": frozenset({"ValidationMethod"}),
    "AWS::DynamoDB::GlobalTable": frozenset({"KeySchema", "LocalSecondaryIndexes"}),
    "AWS::DynamoDB::Table": frozenset({"KeySchema", "LocalSecondaryIndexes"}),
    "AWS::Events::Rule": frozenset({"EventBusName"}),
    "AWS::KMS::Key": frozenset({"KeySpec", "KeyUsage", "MultiRegion", "Origin"}),
    "AWS::Route53::RecordSet": frozenset({"Name"}),
}
"""Properties documented as "Update requires: Replacement" that the registry schemas list
as conditional or not at all."""

_REBOOT = "RDS may reboot the instance or fail over (Some interruptions)"
_STOP_START = (
    "CloudFormation stops and starts the instance (Some interruptions; an instance-store-backed "
    "instance is replaced)"
)
DOCUMENTED_IN_PLACE: Mapping[str, Mapping[str, str]] = {
    "AWS::EC2::Instance": {
        "EbsOptimized": _STOP_START,
        "InstanceType": _STOP_START,
        "KernelId": _STOP_START,
        "RamdiskId": _STOP_START,
        "SecurityGroupIds": "Some interruptions",
        "Tenancy": _STOP_START,
        "UserData": _STOP_START + "; the new user data does not run again",
    },
    "AWS::EC2::Subnet": {"Ipv6CidrBlock": "Some interruptions"},
    "AWS::ECS::Service": {"LaunchType": "ECS starts a new deployment (Some interruptions)"},
    "AWS::RDS::DBCluster": {
        "Engine": "RDS may restart the cluster (Some interruptions)",
        "MasterUsername": "Some interruptions",
    },
    "AWS::RDS::DBInstance": {
        "AutoMinorVersionUpgrade": "updated without interruption",
        "AvailabilityZone": _REBOOT,
        "BackupRetentionPeriod": _REBOOT,
        "DBParameterGroupName": _REBOOT,
        "Engine": _REBOOT,
        "MultiAZ": _REBOOT,
        "PreferredMaintenanceWindow": "updated without interruption",
    },
    "AWS::SNS::Subscription": {
        "Region": "Some interruptions; the update fails unless the region changes between "
        "none and the stack's region",
    },
}
"""Conditionally create-only in the registry schemas, documented as updated in place ("No
interruption" or "Some interruptions"), with what the update interrupts."""

UPDATE_FAILS: Mapping[str, str] = {
    "AWS::KMS::Key": (
        "CloudFormation does not replace a KMS key: the update fails whatever the "
        "UpdateReplacePolicy (create a new key and move to it instead)"
    ),
}
"""Types whose replacement CloudFormation refuses: the stack update fails instead."""

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


def path_matches(path: str, properties: frozenset[str]) -> bool:
    """Does changing ``path`` (``Port``, ``LaunchTemplate.Version``, ``Volumes[0].Name``)
    change one of ``properties`` (dotted paths), or a parent of one as a whole?"""
    plain = re.sub(r"\[\d+\]", "", path)
    for prop in properties:
        if plain == prop or plain.startswith(prop + "."):
            return True
        if prop.startswith(plain + "."):
            return True  # a parent object changed as a whole
    return False


def replacement(resource_type: str, path: str) -> str | None:
    """``"always"``, ``"conditional"`` or ``None``: does changing ``path`` (a dotted property
    path such as ``Port`` or ``AutoScalingGroupProvider.AutoScalingGroupArn``) replace a
    resource of ``resource_type``, by this module's tables alone (what the review uses
    without cfn-lint)? ``None`` too for types the table does not know."""
    if path_matches(path, DOCUMENTED_REPLACEMENT.get(resource_type, frozenset())):
        return "always"
    if path_matches(path, frozenset(DOCUMENTED_IN_PLACE.get(resource_type, {}))):
        return None
    always, conditional = REPLACEMENT_PROPERTIES.get(resource_type, (frozenset(), frozenset()))
    if path_matches(path, always):
        return "always"
    if path_matches(path, conditional):
        return "conditional"
    return None
