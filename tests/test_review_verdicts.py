"""One-property template changes and what the review says CloudFormation does with them.

Every expected verdict below is written by hand from the "Update requires" line of the
property in the CloudFormation template reference (Replacement → replaced; No interruption or
Some interruptions → updated in place; a documented condition the template leaves open → may
be replaced; a type CloudFormation documents no update behaviour for, here custom and
third-party types → not checked). It is not derived from the registry schemas the review reads:
where the two disagree (KMS KeySpec, DynamoDB KeySchema, Route 53 record names, RDS settings
that reboot), the documentation is the reference.

The pairs run through the whole report (``render_report`` on two hand-written cloud
assemblies), so the verdict read back is the one a reviewer sees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from constructs_ecs.review import ReplacementRules, SchemaLibrary, render_report

REPLACED = "replaced"
MAY_REPLACE = "may be replaced"
IN_PLACE = "updated in place"
NOT_CHECKED = "not checked"
LABELS = {
    "🔁 **replaced**": REPLACED,
    "🔁 **renamed → replaced**": REPLACED,
    "🆕 new revision": REPLACED,  # a task definition's replacement: a new revision
    "⚠️ may be replaced": MAY_REPLACE,
    "✏️ changed": IN_PLACE,
    "❔ not checked": NOT_CHECKED,
}


@dataclass(frozen=True)
class Pair:
    """A resource of ``type_`` whose ``prop`` changes from ``old`` to ``new``."""

    type_: str
    prop: str
    old: Any
    new: Any
    verdict: str
    base: dict[str, Any] = field(default_factory=dict)
    """Other properties, the same on both sides."""
    attributes: dict[str, Any] = field(default_factory=dict)
    """Resource attributes (``UpdatePolicy``...), the same on both sides."""

    @property
    def id(self) -> str:
        return f"{self.type_.split('::', 1)[1]}.{self.prop}"


def _container(image: str) -> list[dict[str, Any]]:
    return [{"Name": "web", "Image": image, "Memory": 256}]


_ASG = {"MinSize": "1", "MaxSize": "2", "VPCZoneIdentifier": ["subnet-1", "subnet-2"]}
_LAUNCH_TEMPLATE = {"LaunchTemplateId": "lt-0123", "Version": "1"}
_REPLACING = {"UpdatePolicy": {"AutoScalingReplacingUpdate": {"WillReplace": True}}}

PAIRS = [
    # RDS: "DBName — Update requires: Replacement"; "AllocatedStorage — No interruption";
    # "MultiAZ — Some interruptions"; "DBInstanceIdentifier — Replacement";
    # "StorageEncrypted — Replacement"; "DBInstanceClass — Some interruptions".
    Pair("AWS::RDS::DBInstance", "DBName", "orders", "billing", REPLACED),
    Pair("AWS::RDS::DBInstance", "AllocatedStorage", "20", "50", IN_PLACE),
    Pair("AWS::RDS::DBInstance", "MultiAZ", False, True, IN_PLACE),
    Pair("AWS::RDS::DBInstance", "DBInstanceIdentifier", "db-a", "db-b", REPLACED),
    Pair("AWS::RDS::DBInstance", "StorageEncrypted", False, True, REPLACED),
    Pair("AWS::RDS::DBInstance", "DBInstanceClass", "db.t3.micro", "db.t3.small", IN_PLACE),
    # DynamoDB: TableName, KeySchema, LocalSecondaryIndexes — Replacement; BillingMode and
    # PointInTimeRecoverySpecification — No interruption.
    Pair("AWS::DynamoDB::Table", "TableName", "orders", "orders-v2", REPLACED),
    Pair(
        "AWS::DynamoDB::Table",
        "KeySchema",
        [{"AttributeName": "id", "KeyType": "HASH"}],
        [{"AttributeName": "pk", "KeyType": "HASH"}],
        REPLACED,
    ),
    Pair("AWS::DynamoDB::Table", "BillingMode", "PROVISIONED", "PAY_PER_REQUEST", IN_PLACE),
    # S3: BucketName — Replacement; VersioningConfiguration — No interruption.
    Pair("AWS::S3::Bucket", "BucketName", "logs-a", "logs-b", REPLACED),
    Pair(
        "AWS::S3::Bucket",
        "VersioningConfiguration",
        {"Status": "Suspended"},
        {"Status": "Enabled"},
        IN_PLACE,
    ),
    # SQS: QueueName, FifoQueue — Replacement; VisibilityTimeout — No interruption.
    Pair("AWS::SQS::Queue", "QueueName", "jobs", "tasks", REPLACED),
    Pair("AWS::SQS::Queue", "FifoQueue", False, True, REPLACED),
    Pair("AWS::SQS::Queue", "VisibilityTimeout", 30, 60, IN_PLACE),
    # SNS: TopicName — Replacement; DisplayName — No interruption; Subscription Protocol —
    # Replacement.
    Pair("AWS::SNS::Topic", "TopicName", "alerts", "alarms", REPLACED),
    Pair("AWS::SNS::Topic", "DisplayName", "Alerts", "Alarms", IN_PLACE),
    Pair(
        "AWS::SNS::Subscription",
        "Protocol",
        "email",
        "email-json",
        REPLACED,
        base={"TopicArn": "arn:aws:sns:eu-west-1:111111111111:t", "Endpoint": "a@example.com"},
    ),
    # Lambda: FunctionName — Replacement; MemorySize, Runtime — No interruption.
    Pair("AWS::Lambda::Function", "FunctionName", "resize", "resize-v2", REPLACED),
    Pair("AWS::Lambda::Function", "MemorySize", 128, 256, IN_PLACE),
    Pair("AWS::Lambda::Function", "Runtime", "python3.11", "python3.12", IN_PLACE),
    # IAM: RoleName, Path — Replacement; MaxSessionDuration — No interruption.
    Pair("AWS::IAM::Role", "RoleName", "app", "app-v2", REPLACED),
    Pair("AWS::IAM::Role", "Path", "/", "/apps/", REPLACED),
    Pair("AWS::IAM::Role", "MaxSessionDuration", 3600, 7200, IN_PLACE),
    # EC2: SecurityGroup GroupDescription, VpcId — Replacement; SecurityGroupIngress — No
    # interruption; Subnet CidrBlock — Replacement; MapPublicIpOnLaunch — No interruption; VPC
    # CidrBlock — Replacement; EnableDnsHostnames — No interruption.
    Pair("AWS::EC2::SecurityGroup", "GroupDescription", "web", "web servers", REPLACED),
    Pair("AWS::EC2::SecurityGroup", "VpcId", "vpc-1", "vpc-2", REPLACED),
    Pair(
        "AWS::EC2::SecurityGroup",
        "SecurityGroupIngress",
        [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "10.0.0.0/8"}],
        [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8"}],
        IN_PLACE,
    ),
    Pair("AWS::EC2::Subnet", "CidrBlock", "10.0.0.0/24", "10.0.1.0/24", REPLACED),
    Pair("AWS::EC2::Subnet", "MapPublicIpOnLaunch", False, True, IN_PLACE),
    Pair("AWS::EC2::VPC", "CidrBlock", "10.0.0.0/16", "10.1.0.0/16", REPLACED),
    Pair("AWS::EC2::VPC", "EnableDnsHostnames", False, True, IN_PLACE),
    # VPC InstanceTenancy: "dedicated to default requires no replacement; default to dedicated
    # requires replacement"; a parameter leaves it open.
    Pair("AWS::EC2::VPC", "InstanceTenancy", "default", "dedicated", REPLACED),
    Pair("AWS::EC2::VPC", "InstanceTenancy", "dedicated", "default", IN_PLACE),
    Pair("AWS::EC2::VPC", "InstanceTenancy", "default", {"Ref": "Tenancy"}, MAY_REPLACE),
    # EC2 instance: ImageId — Replacement; InstanceType — Some interruptions; a block device
    # change other than DeleteOnTermination replaces the instance.
    Pair("AWS::EC2::Instance", "ImageId", "ami-1", "ami-2", REPLACED),
    Pair("AWS::EC2::Instance", "InstanceType", "t3.micro", "t3.large", IN_PLACE),
    Pair(
        "AWS::EC2::Instance",
        "BlockDeviceMappings",
        [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}],
        [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 16}}],
        REPLACED,
    ),
    # ELBv2: LoadBalancer Scheme, Name — Replacement; SecurityGroups — No interruption;
    # TargetGroup Port, Protocol — Replacement; HealthCheckPath — No interruption.
    Pair(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "Scheme",
        "internal",
        "internet-facing",
        REPLACED,
    ),
    Pair("AWS::ElasticLoadBalancingV2::LoadBalancer", "Name", "web", "web-v2", REPLACED),
    Pair(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "SecurityGroups",
        ["sg-1"],
        ["sg-2"],
        IN_PLACE,
    ),
    Pair("AWS::ElasticLoadBalancingV2::TargetGroup", "Port", 80, 8080, REPLACED),
    Pair("AWS::ElasticLoadBalancingV2::TargetGroup", "Protocol", "HTTP", "HTTPS", REPLACED),
    Pair("AWS::ElasticLoadBalancingV2::TargetGroup", "HealthCheckPath", "/", "/health", IN_PLACE),
    # ECS: Service ServiceName — Replacement; DesiredCount — No interruption; Cluster
    # ClusterName — Replacement; TaskDefinition ContainerDefinitions, Cpu — Replacement.
    Pair("AWS::ECS::Service", "ServiceName", "web", "web-v2", REPLACED),
    Pair("AWS::ECS::Service", "DesiredCount", 2, 3, IN_PLACE),
    Pair("AWS::ECS::Cluster", "ClusterName", "apps", "apps-v2", REPLACED),
    Pair(
        "AWS::ECS::TaskDefinition",
        "ContainerDefinitions",
        _container("nginx:1.25"),
        _container("nginx:1.27"),
        REPLACED,
    ),
    Pair("AWS::ECS::TaskDefinition", "Cpu", "256", "512", REPLACED),
    # ECR: RepositoryName — Replacement; ImageTagMutability — No interruption.
    Pair("AWS::ECR::Repository", "RepositoryName", "web", "web-images", REPLACED),
    Pair("AWS::ECR::Repository", "ImageTagMutability", "MUTABLE", "IMMUTABLE", IN_PLACE),
    # Auto Scaling: AutoScalingGroupName — Replacement; MaxSize — No interruption;
    # LaunchTemplate — No interruption, but a replacing update policy replaces the group
    # (WillReplace from a parameter: either).
    Pair("AWS::AutoScaling::AutoScalingGroup", "AutoScalingGroupName", "a", "b", REPLACED, _ASG),
    Pair("AWS::AutoScaling::AutoScalingGroup", "MaxSize", "2", "4", IN_PLACE, {"MinSize": "1"}),
    Pair(
        "AWS::AutoScaling::AutoScalingGroup",
        "LaunchTemplate",
        _LAUNCH_TEMPLATE,
        {**_LAUNCH_TEMPLATE, "Version": "2"},
        IN_PLACE,
        _ASG,
    ),
    Pair(
        "AWS::AutoScaling::AutoScalingGroup",
        "LaunchTemplate",
        _LAUNCH_TEMPLATE,
        {**_LAUNCH_TEMPLATE, "Version": "2"},
        REPLACED,
        _ASG,
        _REPLACING,
    ),
    Pair(
        "AWS::AutoScaling::AutoScalingGroup",
        "LaunchTemplate",
        _LAUNCH_TEMPLATE,
        {**_LAUNCH_TEMPLATE, "Version": "2"},
        MAY_REPLACE,
        _ASG,
        {"UpdatePolicy": {"AutoScalingReplacingUpdate": {"WillReplace": {"Ref": "Replace"}}}},
    ),
    # Application Auto Scaling: ScalableTarget ResourceId — Replacement; MaxCapacity — No
    # interruption.
    Pair(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        "ResourceId",
        "service/c/a",
        "service/c/b",
        REPLACED,
    ),
    Pair("AWS::ApplicationAutoScaling::ScalableTarget", "MaxCapacity", 4, 8, IN_PLACE),
    # CloudWatch Logs: LogGroupName — Replacement; RetentionInDays — No interruption.
    Pair("AWS::Logs::LogGroup", "LogGroupName", "/app/a", "/app/b", REPLACED),
    Pair("AWS::Logs::LogGroup", "RetentionInDays", 7, 30, IN_PLACE),
    # KMS: KeySpec, KeyUsage — Replacement (and the update fails); EnableKeyRotation — No
    # interruption.
    Pair("AWS::KMS::Key", "KeySpec", "SYMMETRIC_DEFAULT", "RSA_2048", REPLACED),
    Pair("AWS::KMS::Key", "KeyUsage", "ENCRYPT_DECRYPT", "SIGN_VERIFY", REPLACED),
    Pair("AWS::KMS::Key", "EnableKeyRotation", False, True, IN_PLACE),
    # Secrets Manager: Name — Replacement; Description — No interruption.
    Pair("AWS::SecretsManager::Secret", "Name", "db", "db-v2", REPLACED),
    Pair("AWS::SecretsManager::Secret", "Description", "a", "b", IN_PLACE),
    # Route 53: RecordSet Name — Replacement; TTL — No interruption.
    Pair(
        "AWS::Route53::RecordSet",
        "Name",
        "a.example.com.",
        "b.example.com.",
        REPLACED,
        {"HostedZoneId": "Z1", "Type": "A", "TTL": "60", "ResourceRecords": ["10.0.0.1"]},
    ),
    Pair(
        "AWS::Route53::RecordSet",
        "TTL",
        "60",
        "300",
        IN_PLACE,
        {"HostedZoneId": "Z1", "Type": "A", "Name": "a.example.com.", "ResourceRecords": ["1"]},
    ),
    # EventBridge: Rule EventBusName — Replacement; ScheduleExpression — No interruption.
    Pair("AWS::Events::Rule", "EventBusName", "default", "orders", REPLACED),
    Pair("AWS::Events::Rule", "ScheduleExpression", "rate(1 hour)", "rate(2 hours)", IN_PLACE),
    # SSM: Parameter Name — Replacement; Value — No interruption.
    Pair("AWS::SSM::Parameter", "Name", "/a", "/b", REPLACED, {"Type": "String", "Value": "x"}),
    Pair("AWS::SSM::Parameter", "Value", "x", "y", IN_PLACE, {"Type": "String", "Name": "/a"}),
    # ACM: Certificate ValidationMethod, DomainName — Replacement; IAM ManagedPolicy
    # Description — Replacement.
    Pair(
        "AWS::CertificateManager::Certificate",
        "ValidationMethod",
        "EMAIL",
        "DNS",
        REPLACED,
        {"DomainName": "example.com"},
    ),
    Pair(
        "AWS::CertificateManager::Certificate",
        "DomainName",
        "a.example.com",
        "b.example.com",
        REPLACED,
    ),
    Pair("AWS::IAM::ManagedPolicy", "Description", "read", "read only", REPLACED),
    # Custom and third-party types: the provider decides; CloudFormation documents nothing.
    Pair("Custom::Seeder", "Rows", 10, 20, NOT_CHECKED, {"ServiceToken": "arn:fn"}),
    Pair("Acme::Billing::Account", "Plan", "basic", "pro", NOT_CHECKED),
]


def _assembly(root: Path, resource: dict[str, Any]) -> Path:
    root.mkdir(parents=True)
    (root / "S.template.json").write_text(json.dumps({"Resources": {"R": resource}}))
    manifest = {
        "version": "55.0.0",
        "artifacts": {
            "S": {
                "type": "aws:cloudformation:stack",
                "environment": "aws://111111111111/eu-west-1",
                "properties": {"templateFile": "S.template.json"},
            }
        },
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


def verdict(tmp_path: Path, pair: Pair, rules: ReplacementRules | None = None) -> str:
    """The verdict the report gives for the change of ``pair``: the label of its row."""

    def resource(value: Any) -> dict[str, Any]:
        properties = {**pair.base, pair.prop: value}
        return {"Type": pair.type_, "Properties": properties, **pair.attributes}

    base = _assembly(tmp_path / "base", resource(pair.old))
    head = _assembly(tmp_path / "head", resource(pair.new))
    report = render_report(head, against=base, rules=rules)
    changes = report.split("### Changes in `S`", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in changes.splitlines() if line.startswith("| ") and "| `R` |" in line]
    assert len(rows) == 1, rows
    label = rows[0].split(" | ")[0].removeprefix("| ")
    return LABELS[label]


def test_the_table_covers_the_services_named_in_issue_16() -> None:
    services = {pair.type_.split("::")[1] for pair in PAIRS}
    wanted = {"RDS", "DynamoDB", "S3", "SQS", "SNS", "Lambda", "IAM", "EC2"}
    wanted |= {"ElasticLoadBalancingV2", "ECS", "ECR", "AutoScaling", "Logs", "KMS"}
    wanted |= {"SecretsManager"}
    assert wanted <= services
    assert len(PAIRS) >= 30
    assert {pair.verdict for pair in PAIRS} == {REPLACED, MAY_REPLACE, IN_PLACE, NOT_CHECKED}


@pytest.mark.parametrize("pair", PAIRS, ids=[pair.id for pair in PAIRS])
def test_verdict_follows_the_documented_update_behaviour(tmp_path: Path, pair: Pair) -> None:
    assert verdict(tmp_path, pair) == pair.verdict


def test_a_type_without_a_schema_or_table_entry_is_not_checked(tmp_path: Path) -> None:
    pair = Pair("AWS::RDS::DBInstance", "DBName", "orders", "billing", REPLACED)
    # Without cfn-lint the built-in table (this library's types) decides: RDS is not in it.
    assert verdict(tmp_path, pair, ReplacementRules(SchemaLibrary(None))) == NOT_CHECKED


@pytest.mark.parametrize(
    "pair",
    [
        p
        for p in PAIRS
        if p.type_.split("::")[1] in ("ECS", "ECR", "Logs", "IAM", "SQS", "SNS", "S3")
        and p.verdict != NOT_CHECKED
    ],
    ids=lambda pair: pair.id,
)
def test_without_cfn_lint_the_built_in_table_gives_the_same_verdicts(
    tmp_path: Path, pair: Pair
) -> None:
    assert verdict(tmp_path, pair, ReplacementRules(SchemaLibrary(None))) == pair.verdict
