"""LoadBalancer: defaults, options, access logs, routing (priorities, clashes, quota), checks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_wafv2 as wafv2
from aws_cdk.assertions import Match, Template
from constructs import Construct, IConstruct
from syrupy.assertion import SnapshotAssertion

from constructs_ecs._errors import ConfigurationError
from constructs_ecs._nag import acknowledge
from constructs_ecs._network import Network
from constructs_ecs.load_balancer import AccessLogs, LoadBalancer, PlainHttp
from constructs_ecs.load_balancer._access_logs import LOG_DELIVERY_PRINCIPAL
from constructs_ecs.load_balancer._routes import Band, preferred_priority
from constructs_ecs.testing import (
    NagFindingsError,
    assert_cfn_lint_clean,
    assert_nag_clean,
    nag_acknowledgements,
    resource_manifest,
    template_of,
)
from tests.conftest import make_stack
from tests.factories import TEST_HTTP

CERTIFICATE_ARN = (
    "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"
)
SHOP_ARN = CERTIFICATE_ARN.replace("0a1b2c3d-1111", "5e6f7a8b-9999")
WEB_ACL_ARN = (
    "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop/0a1b2c3d-1111-2222-3333-444455556666"
)
VPC_CIDR = "10.20.0.0/16"
PUBLIC_SUBNETS = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
PRIVATE_SUBNETS = ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"]
PQ_POLICY = "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09"
CIDR_EXPORT = "SharedVpcCidr"

# Renaming or moving LoadBalancer(stack, "LoadBalancer") replaces these: pinned on purpose.
DEFAULT_MANIFEST = {
    "LoadBalancerAccessLogsB27DFC85": "AWS::S3::Bucket",
    "LoadBalancerAccessLogsPolicy1239BC76": "AWS::S3::BucketPolicy",
    "LoadBalancer8E47CE52": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "LoadBalancerHttpListener9DD37EAA": "AWS::ElasticLoadBalancingV2::Listener",
    "LoadBalancerSecurityGroupA28D6DD7": "AWS::EC2::SecurityGroup",
}
BUCKET_ID = "LoadBalancerAccessLogsB27DFC85"


def imported_vpc(scope: Construct, cidr: str = VPC_CIDR) -> ec2.IVpc:
    """A VPC without resources of its own: templates stay about the load balancer."""
    return ec2.Vpc.from_vpc_attributes(
        scope,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        vpc_cidr_block=cidr,
        availability_zones=["eu-west-1a", "eu-west-1b"],
        public_subnet_ids=PUBLIC_SUBNETS,
        public_subnet_route_table_ids=["rtb-0aaaaaaaaaaaaaaa1", "rtb-0aaaaaaaaaaaaaaa2"],
        private_subnet_ids=PRIVATE_SUBNETS,
        private_subnet_route_table_ids=["rtb-0bbbbbbbbbbbbbbb1", "rtb-0bbbbbbbbbbbbbbb2"],
    )


def service(
    scope: Construct,
    construct_id: str,
    lb: LoadBalancer,
    vpc: ec2.IVpc,
    *,
    paths: Sequence[str] = (),
    hosts: Sequence[str] = (),
    priority: int | None = None,
) -> elbv2.ApplicationListenerRule:
    """An owner construct with an instance target group, routed on ``lb``."""
    owner = Construct(scope, construct_id)
    target_group = elbv2.ApplicationTargetGroup(
        owner,
        "TargetGroup",
        vpc=vpc,
        port=80,
        protocol=elbv2.ApplicationProtocol.HTTP,
        target_type=elbv2.TargetType.INSTANCE,
    )
    return lb.add_route(
        owner,
        target_group=target_group,
        path_patterns=paths,
        host_headers=hosts,
        priority=priority,
    )


def priority_of(rule: elbv2.ApplicationListenerRule) -> int:
    return cast(int, cast(elbv2.CfnListenerRule, rule.node.default_child).priority)


def logical_id(construct: IConstruct) -> str:
    element = cast(cdk.CfnElement, construct.node.default_child)
    return cdk.Stack.of(construct).get_logical_id(element)


def logical_id_of_element(element: IConstruct) -> str:
    return cdk.Stack.of(element).get_logical_id(cast(cdk.CfnElement, element))


def suppressed(template: dict[str, Any], resource_id: str) -> dict[str, str]:
    """``{rule id: reason}`` of every acknowledgement on one resource, every pack's."""
    metadata = template["Resources"][resource_id].get("Metadata", {})
    rules = metadata.get("cdk_nag", {}).get("rules_to_suppress", [])
    return {rule["id"]: rule["reason"] for rule in rules}


def attributes(template: dict[str, Any], lb_id: str) -> dict[str, Any]:
    props = template["Resources"][lb_id]["Properties"]
    return {a["Key"]: a["Value"] for a in props["LoadBalancerAttributes"]}


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def fresh() -> tuple[cdk.Stack, ec2.IVpc, LoadBalancer]:
    """An unsynthesized stack for definition-time behaviour (routing, validation)."""
    stack = make_stack("Fresh")
    vpc = imported_vpc(stack)
    return stack, vpc, LoadBalancer(stack, "LoadBalancer", vpc=vpc, plain_http=TEST_HTTP)


class Synthesized:
    """Every nag-clean variant in one app, synthesized once for the module."""

    def __init__(self) -> None:
        self.defaults_stack = make_stack("Defaults")
        app = cast(cdk.App, self.defaults_stack.node.scope)
        self.default_lb = LoadBalancer(
            self.defaults_stack,
            "LoadBalancer",
            vpc=imported_vpc(self.defaults_stack),
            plain_http=TEST_HTTP,
        )

        configured = cdk.Stack(
            app, "Configured", env=cdk.Environment(account="123456789012", region="eu-west-1")
        )
        vpc = imported_vpc(configured)
        self.configured_lb = LoadBalancer(
            configured,
            "LoadBalancer",
            vpc=vpc,
            internet_facing=False,
            certificates=[
                acm.Certificate.from_certificate_arn(configured, "Certificate", CERTIFICATE_ARN),
                acm.Certificate.from_certificate_arn(configured, "ShopCertificate", SHOP_ARN),
            ],
            ingress_cidrs=["203.0.113.0/24", "198.51.100.0/24"],
            deletion_protection=False,
            web_acl_arn=WEB_ACL_ARN,
            access_logs=AccessLogs(retention=cdk.Duration.days(30)),
            idle_timeout=cdk.Duration.seconds(120),
        )
        self.shop_rule = service(configured, "Shop", self.configured_lb, vpc, paths=["/shop/*"])

        routes = cdk.Stack(app, "Routes")
        vpc = imported_vpc(routes)
        self.routes_lb = LoadBalancer(routes, "LoadBalancer", vpc=vpc, plain_http=TEST_HTTP)
        self.orders = service(routes, "Orders", self.routes_lb, vpc, paths=["/orders/*"])
        self.api = service(
            routes, "Api", self.routes_lb, vpc, paths=["/v1/*"], hosts=["API.example.com"]
        )
        self.web = service(routes, "Web", self.routes_lb, vpc, paths=["/web/*", "/static/*"])
        self.pinned = service(routes, "Pinned", self.routes_lb, vpc, paths=["/p/*"], priority=10)

        own = cdk.Stack(
            app, "OwnBucket", env=cdk.Environment(account="123456789012", region="il-central-1")
        )
        self.own_bucket = s3.Bucket(
            own,
            "Logs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        acknowledge(
            cast(cdk.CfnResource, self.own_bucket.node.default_child),
            "S1",
            "test fixture: a log bucket",
        )
        self.own_lb = LoadBalancer(
            own,
            "LoadBalancer",
            vpc=imported_vpc(own),
            access_logs=AccessLogs(bucket=self.own_bucket),
            ingress_cidrs=[],
            certificates=[
                acm.Certificate.from_certificate_arn(
                    own, "Certificate", CERTIFICATE_ARN.replace("eu-west-1", "il-central-1")
                )
            ],
            ssl_policy=elbv2.SslPolicy.TLS13_13,
        )

        internal = cdk.Stack(app, "Internal")
        self.internal_lb = LoadBalancer(
            internal,
            "LoadBalancer",
            vpc=imported_vpc(internal),
            internet_facing=False,
            access_logs=False,
            plain_http=TEST_HTTP,
        )
        acknowledge(
            cast(cdk.CfnResource, self.internal_lb.load_balancer.node.default_child),
            "ELB2",
            "test fixture: access logs off on purpose",
        )

        on_network = cdk.Stack(app, "OnNetwork")
        self.network = Network(on_network, "Network")
        self.on_network_lb = LoadBalancer(
            on_network,
            "LoadBalancer",
            vpc=self.network.vpc,
            internet_facing=False,
            plain_http=TEST_HTTP,
        )

        token_cidr = cdk.Stack(app, "TokenCidr")
        self.token_cidr_lb = LoadBalancer(
            token_cidr,
            "LoadBalancer",
            vpc=imported_vpc(token_cidr, cdk.Fn.import_value(CIDR_EXPORT)),
            internet_facing=False,
            plain_http=TEST_HTTP,
        )

        two = cdk.Stack(app, "TwoLoadBalancers")
        vpc = imported_vpc(two)
        self.first_lb = LoadBalancer(two, "Public", vpc=vpc, plain_http=TEST_HTTP)
        self.second_lb = LoadBalancer(
            two, "Internal", vpc=vpc, internet_facing=False, plain_http=TEST_HTTP
        )

        stacks = [self.defaults_stack, configured, routes, own, internal]
        stacks += [on_network, token_cidr, two]
        self.defaults = template_of(self.defaults_stack)
        self.configured = template_of(configured)
        self.routes = template_of(routes)
        self.own = template_of(own)
        self.internal = template_of(internal)
        self.on_network = template_of(on_network)
        self.token_cidr = template_of(token_cidr)
        self.two = template_of(two)
        for stack in stacks:  # the validation report, warnings included, is empty
            assert_nag_clean(stack)


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    return Synthesized()


@pytest.fixture(scope="module")
def defaults(synthesized: Synthesized) -> Template:
    return Template.from_json(synthesized.defaults)


@pytest.fixture(scope="module")
def configured(synthesized: Synthesized) -> Template:
    return Template.from_json(synthesized.configured)


LB_ID = "LoadBalancer8E47CE52"
SG_ID = "LoadBalancerSecurityGroupA28D6DD7"


# ------------------------------------------------------------------------------ defaults


def test_stateful_logical_ids_are_pinned(synthesized: Synthesized) -> None:
    assert resource_manifest(synthesized.defaults) == DEFAULT_MANIFEST
    assert logical_id(synthesized.default_lb.security_group) == SG_ID
    assert logical_id(cast(s3.Bucket, synthesized.default_lb.access_log_bucket)) == BUCKET_ID


def test_is_internet_facing_in_the_public_subnets(defaults: Template) -> None:
    defaults.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {"Scheme": "internet-facing", "Subnets": PUBLIC_SUBNETS, "Type": "application"},
    )


def test_drops_invalid_header_fields(synthesized: Synthesized) -> None:
    attrs = attributes(synthesized.defaults, LB_ID)
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"


def test_http2_on_and_desync_mitigation_defensive(synthesized: Synthesized) -> None:
    attrs = attributes(synthesized.defaults, LB_ID)
    assert attrs["routing.http2.enabled"] == "true"
    assert attrs["routing.http.desync_mitigation_mode"] == "defensive"


def test_deletion_protection_on_and_idle_timeout_left_at_60s_by_default(
    synthesized: Synthesized,
) -> None:
    attrs = attributes(synthesized.defaults, LB_ID)
    assert attrs["deletion_protection.enabled"] == "true"
    assert "idle_timeout.timeout_seconds" not in attrs
    assert not any("DeletionProtection" in rule for rule in suppressed(synthesized.defaults, LB_ID))


def test_http_listener_answers_404_by_default(defaults: Template) -> None:
    defaults.resource_count_is("AWS::ElasticLoadBalancingV2::Listener", 1)
    defaults.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 80,
            "Protocol": "HTTP",
            "DefaultActions": [
                {
                    "Type": "fixed-response",
                    "FixedResponseConfig": {
                        "StatusCode": "404",
                        "ContentType": "text/plain",
                        "MessageBody": "Not Found",
                    },
                }
            ],
        },
    )


def test_no_redirect_listener_without_certificate(synthesized: Synthesized) -> None:
    assert synthesized.default_lb.redirect_listener is None
    assert synthesized.default_lb.listener.node.id == "HttpListener"
    assert synthesized.default_lb.certificates == ()


def test_plain_http_reason_acknowledges_the_https_rules_on_the_http_listener(
    synthesized: Synthesized,
) -> None:
    reason = f"Plain HTTP chosen (PlainHttp): {TEST_HTTP.reason}"
    listener = logical_id(synthesized.default_lb.listener)
    assert suppressed(synthesized.defaults, listener) == {
        f"{pack}-{rule}": reason
        for pack in ("HIPAA.Security", "NIST.800.53.R5")
        for rule in ("ALBHttpToHttpsRedirection", "ELBv2ACMCertificateRequired")
    }


def test_no_web_acl_by_default_and_nists_waf_rule_acknowledged_with_why(
    synthesized: Synthesized,
) -> None:
    assert synthesized.default_lb.web_acl_association is None
    assert of_type(synthesized.defaults, "AWS::WAFv2::WebACLAssociation") == {}
    rules = suppressed(synthesized.defaults, LB_ID)
    assert list(rules) == ["NIST.800.53.R5-ALBWAFEnabled"]
    assert "web_acl_arn" in rules["NIST.800.53.R5-ALBWAFEnabled"]


def test_ingress_is_port_80_from_anywhere_only(synthesized: Synthesized) -> None:
    props = synthesized.defaults["Resources"][SG_ID]["Properties"]
    assert props["SecurityGroupIngress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "HTTP from 0.0.0.0/0",
            "FromPort": 80,
            "IpProtocol": "tcp",
            "ToPort": 80,
        }
    ]
    assert of_type(synthesized.defaults, "AWS::EC2::SecurityGroupIngress") == {}


def test_sends_nothing_until_a_service_opens_a_port(synthesized: Synthesized) -> None:
    props = synthesized.defaults["Resources"][SG_ID]["Properties"]
    assert props["SecurityGroupEgress"] == [
        {
            "CidrIp": "255.255.255.255/32",
            "Description": "Disallow all traffic",
            "FromPort": 252,
            "IpProtocol": "icmp",
            "ToPort": 86,
        }
    ]


def test_defaults_acknowledge_ec23_on_the_security_group_and_s1_on_the_log_bucket(
    synthesized: Synthesized,
) -> None:
    assert nag_acknowledgements(synthesized.defaults) == {
        "AwsSolutions-EC23": [SG_ID],
        "AwsSolutions-S1": [BUCKET_ID],
    }


def test_access_logs_go_to_the_new_bucket(synthesized: Synthesized) -> None:
    attrs = attributes(synthesized.defaults, LB_ID)
    assert attrs["access_logs.s3.enabled"] == "true"
    assert attrs["access_logs.s3.bucket"] == {"Ref": BUCKET_ID}
    assert synthesized.default_lb.access_log_bucket is not None


def test_access_log_bucket_is_sse_s3_private_and_owner_enforced(defaults: Template) -> None:
    defaults.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        },
    )


def test_access_logs_expire_after_90_days_by_default(defaults: Template) -> None:
    defaults.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Id": "ExpireAccessLogs",
                        "ExpirationInDays": 90,
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                        "Status": "Enabled",
                    }
                ]
            }
        },
    )


def test_access_log_bucket_is_retained(defaults: Template) -> None:
    defaults.has_resource(
        "AWS::S3::Bucket", {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    )


def test_access_log_bucket_accepts_tls_1_2_or_later_only(synthesized: Synthesized) -> None:
    statements = bucket_policy_statements(synthesized.defaults)
    denies = [s["Condition"] for s in statements if s["Effect"] == "Deny"]
    assert denies == [
        {"Bool": {"aws:SecureTransport": "false"}},
        {"NumericLessThan": {"s3:TlsVersion": 1.2}},
    ]


def bucket_policy_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    (policy,) = of_type(template, "AWS::S3::BucketPolicy").values()
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def test_log_delivery_principal_is_chosen_by_region_at_deploy_time(
    synthesized: Synthesized,
) -> None:
    template = synthesized.defaults
    (condition_id,) = template["Conditions"]
    (allow,) = [s for s in bucket_policy_statements(template) if s["Effect"] == "Allow"]
    account_arn = {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":iam::",
                {"Fn::FindInMap": ["Elbv2AccountMap", {"Ref": "AWS::Region"}, "value"]},
                ":root",
            ],
        ]
    }
    assert allow == {
        "Action": "s3:PutObject",
        "Effect": "Allow",
        "Principal": {
            "AWS": {"Fn::If": [condition_id, account_arn, {"Ref": "AWS::NoValue"}]},
            "Service": {"Fn::If": [condition_id, {"Ref": "AWS::NoValue"}, LOG_DELIVERY_PRINCIPAL]},
        },
        "Resource": {
            "Fn::Join": [
                "",
                [
                    {"Fn::GetAtt": [BUCKET_ID, "Arn"]},
                    "/AWSLogs/",
                    {"Ref": "AWS::AccountId"},
                    "/*",
                ],
            ]
        },
    }
    regions = re.findall(
        r"'Fn::Equals': \[\{'Ref': 'AWS::Region'\}, '([a-z0-9-]+)'\]",
        str(template["Conditions"][condition_id]),
    )
    assert sorted(regions) == sorted(template["Mappings"]["Elbv2AccountMap"])
    assert {"us-east-1", "eu-west-1", "cn-north-1"} <= set(regions)
    assert "il-central-1" not in regions


def test_load_balancer_waits_for_the_bucket_policy(defaults: Template) -> None:
    defaults.has_resource(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {"DependsOn": ["LoadBalancerAccessLogsPolicy1239BC76"]},
    )


def test_defaults_snapshot(synthesized: Synthesized, snapshot_json: SnapshotAssertion) -> None:
    assert set(resource_manifest(synthesized.defaults)) == set(DEFAULT_MANIFEST)
    assert synthesized.defaults == snapshot_json(name="template")
    assert resource_manifest(synthesized.defaults) == snapshot_json(name="manifest")


def test_defaults_pass_cfn_lint(synthesized: Synthesized) -> None:
    assert_cfn_lint_clean(synthesized.defaults)


# ----------------------------------------------------------------- fully configured (HTTPS)


def test_https_listener_with_the_certificate_and_a_current_tls_policy(
    configured: Template,
) -> None:
    configured.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": CERTIFICATE_ARN}],
            "SslPolicy": PQ_POLICY,
            "DefaultActions": [Match.object_like({"Type": "fixed-response"})],
        },
    )


def test_http_redirects_permanently_to_https(
    configured: Template, synthesized: Synthesized
) -> None:
    configured.resource_count_is("AWS::ElasticLoadBalancingV2::Listener", 2)
    configured.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 80,
            "Protocol": "HTTP",
            "DefaultActions": [
                {
                    "Type": "redirect",
                    "RedirectConfig": {
                        "Protocol": "HTTPS",
                        "Port": "443",
                        "StatusCode": "HTTP_301",
                    },
                }
            ],
        },
    )
    assert synthesized.configured_lb.redirect_listener is not None
    assert synthesized.configured_lb.listener.node.id == "HttpsListener"


def test_services_route_on_the_https_listener(
    configured: Template, synthesized: Synthesized
) -> None:
    configured.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {"ListenerArn": {"Ref": logical_id(synthesized.configured_lb.listener)}},
    )


def test_ingress_only_from_the_given_cidrs_on_both_listener_ports(
    synthesized: Synthesized,
) -> None:
    sg_id = logical_id(synthesized.configured_lb.load_balancer.connections.security_groups[0])
    rules = synthesized.configured["Resources"][sg_id]["Properties"]["SecurityGroupIngress"]
    assert sorted((r["CidrIp"], r["FromPort"], r["ToPort"]) for r in rules) == [
        ("198.51.100.0/24", 80, 80),
        ("198.51.100.0/24", 443, 443),
        ("203.0.113.0/24", 80, 80),
        ("203.0.113.0/24", 443, 443),
    ]


def test_no_ec23_acknowledgement_without_a_world_open_cidr(synthesized: Synthesized) -> None:
    assert "AwsSolutions-EC23" not in nag_acknowledgements(synthesized.configured)


def test_internal_scheme_in_the_private_subnets(configured: Template) -> None:
    configured.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {"Scheme": "internal", "Subnets": PRIVATE_SUBNETS},
    )


def test_deletion_protection_and_idle_timeout_options(synthesized: Synthesized) -> None:
    lb_id = logical_id(synthesized.configured_lb.load_balancer)
    attrs = attributes(synthesized.configured, lb_id)
    assert attrs["deletion_protection.enabled"] == "false"
    assert attrs["idle_timeout.timeout_seconds"] == "120"
    rules = suppressed(synthesized.configured, lb_id)
    assert sorted(rules) == [
        "HIPAA.Security-ELBDeletionProtectionEnabled",
        "NIST.800.53.R5-ELBDeletionProtectionEnabled",
    ]
    assert "deletion_protection=False" in rules["HIPAA.Security-ELBDeletionProtectionEnabled"]


def test_several_certificates_the_first_the_default_the_others_by_sni(
    synthesized: Synthesized,
) -> None:
    template = synthesized.configured
    listener = logical_id(synthesized.configured_lb.listener)
    assert template["Resources"][listener]["Properties"]["Certificates"] == [
        {"CertificateArn": CERTIFICATE_ARN}
    ]
    (added,) = of_type(template, "AWS::ElasticLoadBalancingV2::ListenerCertificate").values()
    assert added["Properties"] == {
        "Certificates": [{"CertificateArn": SHOP_ARN}],
        "ListenerArn": {"Ref": listener},
    }
    assert [c.certificate_arn for c in synthesized.configured_lb.certificates] == [
        CERTIFICATE_ARN,
        SHOP_ARN,
    ]


def test_redirect_listener_needs_no_certificate_and_says_why(synthesized: Synthesized) -> None:
    redirect = synthesized.configured_lb.redirect_listener
    assert redirect is not None
    rules = suppressed(synthesized.configured, logical_id(redirect))
    assert sorted(rules) == [
        "HIPAA.Security-ELBv2ACMCertificateRequired",
        "NIST.800.53.R5-ELBv2ACMCertificateRequired",
    ]
    assert "redirect" in rules["HIPAA.Security-ELBv2ACMCertificateRequired"]
    https = logical_id(synthesized.configured_lb.listener)
    assert suppressed(synthesized.configured, https) == {}


def test_web_acl_is_associated_with_the_load_balancer(synthesized: Synthesized) -> None:
    lb = synthesized.configured_lb
    (association,) = of_type(synthesized.configured, "AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"] == {
        "ResourceArn": {"Ref": logical_id(lb.load_balancer)},
        "WebACLArn": WEB_ACL_ARN,
    }
    assert lb.web_acl_association is not None
    assert lb.web_acl_association.node.path == "Configured/LoadBalancer/WebAclAssociation"
    assert "NIST.800.53.R5-ALBWAFEnabled" not in suppressed(
        synthesized.configured, logical_id(lb.load_balancer)
    )


def test_access_log_retention_option(configured: Template) -> None:
    configured.has_resource_properties(
        "AWS::S3::Bucket",
        {"LifecycleConfiguration": {"Rules": [Match.object_like({"ExpirationInDays": 30})]}},
    )


def test_known_region_grants_its_elb_account_without_conditions(
    synthesized: Synthesized,
) -> None:
    (allow,) = [
        s for s in bucket_policy_statements(synthesized.configured) if s["Effect"] == "Allow"
    ]
    assert allow["Principal"] == {"AWS": "arn:aws:iam::156460612806:root"}
    assert "/AWSLogs/123456789012/*" in str(allow["Resource"])
    assert "Conditions" not in synthesized.configured
    assert "Mappings" not in synthesized.configured


def test_configured_snapshot(synthesized: Synthesized, snapshot_json: SnapshotAssertion) -> None:
    assert len(of_type(synthesized.configured, "AWS::ElasticLoadBalancingV2::Listener")) == 2
    assert synthesized.configured == snapshot_json(name="template")
    assert resource_manifest(synthesized.configured) == snapshot_json(name="manifest")


def test_configured_passes_cfn_lint(synthesized: Synthesized) -> None:
    assert_cfn_lint_clean(synthesized.configured)


# ---------------------------------------------------------------- other synthesized options


def test_existing_bucket_gets_the_log_delivery_grant(synthesized: Synthesized) -> None:
    template = synthesized.own
    assert list(of_type(template, "AWS::S3::Bucket")) == [logical_id(synthesized.own_bucket)]
    (allow,) = [s for s in bucket_policy_statements(template) if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": LOG_DELIVERY_PRINCIPAL}
    attrs = attributes(template, logical_id(synthesized.own_lb.load_balancer))
    assert attrs["access_logs.s3.bucket"] == {"Ref": logical_id(synthesized.own_bucket)}
    assert synthesized.own_lb.access_log_bucket is synthesized.own_bucket


def test_ssl_policy_option(synthesized: Synthesized) -> None:
    props = synthesized.own["Resources"][logical_id(synthesized.own_lb.listener)]["Properties"]
    assert (props["Protocol"], props["SslPolicy"]) == (
        "HTTPS",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
    )


def test_vpc_subnets_option() -> None:
    stack = make_stack()
    vpc = imported_vpc(stack)
    lb = LoadBalancer(
        stack,
        "LoadBalancer",
        vpc=vpc,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        access_logs=False,
        plain_http=TEST_HTTP,
    )
    cfn = cast(elbv2.CfnLoadBalancer, lb.load_balancer.node.default_child)
    assert stack.resolve(cfn.subnets) == PRIVATE_SUBNETS
    assert stack.resolve(cfn.scheme) == "internet-facing"


def test_empty_ingress_cidrs_admit_no_one(synthesized: Synthesized) -> None:
    sg_id = logical_id(synthesized.own_lb.connections.security_groups[0])
    props = synthesized.own["Resources"][sg_id]["Properties"]
    assert "SecurityGroupIngress" not in props
    assert "AwsSolutions-EC23" not in nag_acknowledgements(synthesized.own)


def test_internal_load_balancer_admits_the_vpc_cidr_by_default(synthesized: Synthesized) -> None:
    sg_id = logical_id(synthesized.internal_lb.connections.security_groups[0])
    rules = synthesized.internal["Resources"][sg_id]["Properties"]["SecurityGroupIngress"]
    assert [(r["CidrIp"], r["FromPort"], r["Description"]) for r in rules] == [
        (VPC_CIDR, 80, "HTTP from the VPC")
    ]


def security_group_ingress(template: dict[str, Any], lb: LoadBalancer) -> list[dict[str, Any]]:
    props = template["Resources"][logical_id(lb.security_group)]["Properties"]
    rules: list[dict[str, Any]] = props["SecurityGroupIngress"]
    return rules


def test_internal_load_balancer_on_a_new_vpc_admits_its_literal_cidr(
    synthesized: Synthesized,
) -> None:
    cidr = cast(ec2.CfnVPC, synthesized.network.vpc.node.default_child).cidr_block
    assert cidr == "10.0.0.0/16"
    rules = security_group_ingress(synthesized.on_network, synthesized.on_network_lb)
    assert [(r["CidrIp"], r["FromPort"], r["Description"]) for r in rules] == [
        (cidr, 80, "HTTP from the VPC")
    ]
    assert "AwsSolutions-EC23" not in nag_acknowledgements(synthesized.on_network)


def test_imported_vpc_with_a_token_cidr_admits_it_and_acknowledges_ec23(
    synthesized: Synthesized,
) -> None:
    rules = security_group_ingress(synthesized.token_cidr, synthesized.token_cidr_lb)
    assert [(r["CidrIp"], r["FromPort"]) for r in rules] == [({"Fn::ImportValue": CIDR_EXPORT}, 80)]
    sg_id = logical_id(synthesized.token_cidr_lb.security_group)
    assert nag_acknowledgements(synthesized.token_cidr)["AwsSolutions-EC23"] == [sg_id]
    (acknowledgement,) = synthesized.token_cidr["Resources"][sg_id]["Metadata"]["cdk_nag"][
        "rules_to_suppress"
    ]
    assert "from the VPC's own CIDR block" in acknowledgement["reason"]


def test_two_load_balancers_in_a_stack_share_one_region_condition(
    synthesized: Synthesized,
) -> None:
    template = synthesized.two
    assert list(template["Conditions"]) == ["ElbAccountRegion"]
    assert list(template["Mappings"]) == ["Elbv2AccountMap"]
    (condition_id,) = template["Conditions"]
    policies = of_type(template, "AWS::S3::BucketPolicy")
    assert len(policies) == 2
    for policy in policies.values():
        (allow,) = [
            s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"
        ]
        assert allow["Principal"]["AWS"]["Fn::If"][0] == condition_id
        assert allow["Principal"]["Service"]["Fn::If"][0] == condition_id


def test_access_logs_off_defines_no_bucket(synthesized: Synthesized) -> None:
    assert of_type(synthesized.internal, "AWS::S3::Bucket") == {}
    attrs = attributes(synthesized.internal, logical_id(synthesized.internal_lb.load_balancer))
    assert "access_logs.s3.enabled" not in attrs
    assert synthesized.internal_lb.access_log_bucket is None


def test_other_variants_pass_cfn_lint(synthesized: Synthesized) -> None:
    for template in (
        synthesized.own,
        synthesized.internal,
        synthesized.routes,
        synthesized.on_network,
        synthesized.token_cidr,
        synthesized.two,
    ):
        assert_cfn_lint_clean(template)


def test_nag_reports_what_a_user_chose_and_must_acknowledge() -> None:
    stack = make_stack("NoLogs")
    LoadBalancer(
        stack, "LoadBalancer", vpc=imported_vpc(stack), access_logs=False, plain_http=TEST_HTTP
    )
    world = cdk.Stack(cast(cdk.App, stack.node.scope), "InternalWorld")
    LoadBalancer(
        world,
        "LoadBalancer",
        vpc=imported_vpc(world),
        internet_facing=False,
        ingress_cidrs=["0.0.0.0/0"],
        plain_http=TEST_HTTP,
    )
    with pytest.raises(NagFindingsError) as caught:
        template_of(stack)
    assert [f.split(":")[0] for f in caught.value.findings] == [
        "AwsSolutions-EC23 InternalWorld/LoadBalancer/SecurityGroup/Resource",
        "AwsSolutions-ELB2 NoLogs/LoadBalancer/LoadBalancer/Resource",
    ]


# ----------------------------------------------------------------------- routing (synth)


def test_rules_get_the_priorities_their_owners_derive_in_their_bands(
    synthesized: Synthesized,
) -> None:
    rules = of_type(synthesized.routes, "AWS::ElasticLoadBalancingV2::ListenerRule")
    priorities = {k: v["Properties"]["Priority"] for k, v in rules.items()}
    # Pinned: changing the scheme would move every rule of every deployed load balancer.
    assert priorities == {
        logical_id(synthesized.orders): 29690,
        logical_id(synthesized.api): 9095,
        logical_id(synthesized.web): 31863,
        logical_id(synthesized.pinned): 10,
    }
    assert preferred_priority("Routes/Orders", Band.PATH) == 29690
    assert preferred_priority("Routes/Api", Band.HOST_AND_PATH) == 9095


def test_each_service_owns_its_rule(synthesized: Synthesized) -> None:
    assert synthesized.orders.node.path == "Routes/Orders/ListenerRule"
    assert logical_id(synthesized.orders).startswith("OrdersListenerRule")


def test_rule_matches_hosts_and_paths_and_forwards_to_the_target_group(
    synthesized: Synthesized,
) -> None:
    props = synthesized.routes["Resources"][logical_id(synthesized.api)]["Properties"]
    assert props["Conditions"] == [
        {"Field": "host-header", "HostHeaderConfig": {"Values": ["api.example.com"]}},
        {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/v1/*"]}},
    ]
    owner = cast(Construct, synthesized.api.node.scope)
    target_group = owner.node.find_child("TargetGroup")
    assert props["Actions"] == [
        {"Type": "forward", "TargetGroupArn": {"Ref": logical_id(target_group)}}
    ]
    assert props["ListenerArn"] == {"Ref": logical_id(synthesized.routes_lb.listener)}


def test_rule_count(synthesized: Synthesized) -> None:
    assert synthesized.routes_lb.rule_count == 4
    assert synthesized.default_lb.rule_count == 0


# ------------------------------------------------------------------ routing (priorities)


Routes = Sequence[tuple[str, dict[str, Any]]]


def priorities(routes: Routes, stack_id: str = "Shop") -> dict[str, int]:
    """``{owner id: priority}`` of the synthesized rules of ``routes`` on one listener."""
    stack = make_stack(stack_id)
    vpc = imported_vpc(stack)
    lb = LoadBalancer(stack, "LoadBalancer", vpc=vpc, access_logs=False, plain_http=TEST_HTTP)
    acknowledge(cast(cdk.CfnResource, lb.load_balancer.node.default_child), "ELB2", "test: no logs")
    rules = {name: service(stack, name, lb, vpc, **options) for name, options in routes}
    template = template_of(stack)
    return {
        name: template["Resources"][logical_id(rule)]["Properties"]["Priority"]
        for name, rule in rules.items()
    }


def paths(*names: str) -> list[tuple[str, dict[str, Any]]]:
    return [(name, {"paths": [f"/{name.lower()}/*"]}) for name in names]


def test_priorities_are_stable_across_synths() -> None:
    assert priorities(paths("Orders", "Cart", "Search")) == priorities(
        paths("Orders", "Cart", "Search")
    )


def test_priorities_unchanged_when_a_service_is_added_or_removed() -> None:
    three = priorities(paths("Orders", "Cart", "Search"))
    two = priorities(paths("Orders", "Search"))
    four = priorities(paths("Payments", "Orders", "Cart", "Search"))
    assert two == {k: three[k] for k in two}
    assert {k: four[k] for k in three} == three


def test_priorities_do_not_depend_on_definition_order() -> None:
    assert priorities(paths("Orders", "Cart", "Search")) == priorities(
        paths("Search", "Cart", "Orders")
    )


def test_more_specific_routes_come_first_whatever_their_order() -> None:
    """Host and path, then host, then path, then the catch-all: no explicit priority needed."""
    found = priorities(
        [
            ("CatchAll", {"paths": ["/*"]}),
            ("Web", {"paths": ["/web/*"]}),
            ("Admin", {"hosts": ["admin.example.com"]}),
            ("AdminApi", {"hosts": ["admin.example.com"], "paths": ["/api/*"]}),
        ]
    )
    assert found["AdminApi"] < found["Admin"] < found["Web"] < found["CatchAll"]
    assert Band.HOST_AND_PATH.first <= found["AdminApi"] <= Band.HOST_AND_PATH.last
    assert Band.HOST.first <= found["Admin"] <= Band.HOST.last
    assert Band.PATH.first <= found["Web"] <= Band.PATH.last
    assert Band.CATCH_ALL.first <= found["CatchAll"] <= Band.CATCH_ALL.last


def test_a_host_with_every_path_is_a_host_route() -> None:
    found = priorities([("Shop", {"hosts": ["shop.example.com"], "paths": ["/*"]})])
    assert Band.HOST.first <= found["Shop"] <= Band.HOST.last


def colliding_pair(stack_id: str, band: Band) -> tuple[str, str]:
    """Two owner names of ``stack_id`` whose paths ask for one priority of ``band``."""
    seen: dict[int, str] = {}
    for index in range(10_000):
        name = f"Svc{index}"
        wanted = preferred_priority(f"{stack_id}/{name}", band)
        if wanted in seen:
            return seen[wanted], name
        seen[wanted] = name
    raise AssertionError("no collision found")


def test_colliding_derived_priorities_go_to_the_path_that_sorts_first_then_the_next() -> None:
    first, second = colliding_pair("Collide", Band.PATH)
    wanted = preferred_priority(f"Collide/{first}", Band.PATH)
    winner, loser = sorted([first, second], key=lambda n: f"Collide/{n}")
    forward = priorities(paths(first, second), "Collide")
    backward = priorities(paths(second, first), "Collide")
    assert forward == backward == {winner: wanted, loser: wanted + 1}


def test_explicit_priority_keeps_its_number_and_the_derived_route_moves_up() -> None:
    wanted = preferred_priority("Fresh/Hashed", Band.PATH)
    alone = priorities(paths("Hashed"), "Fresh")
    assert alone == {"Hashed": wanted}
    both = priorities(
        [*paths("Hashed"), ("Explicit", {"paths": ["/explicit/*"], "priority": wanted})], "Fresh"
    )
    assert both == {"Hashed": wanted + 1, "Explicit": wanted}


def test_the_next_number_after_a_bands_last_is_its_first() -> None:
    stack_id = "Wrap"
    name = next(
        f"Svc{i}"
        for i in range(200_000)
        if preferred_priority(f"{stack_id}/Svc{i}", Band.PATH) == Band.PATH.last
    )
    found = priorities(
        [("Last", {"paths": ["/last/*"], "priority": Band.PATH.last}), *paths(name)], stack_id
    )
    assert found[name] == Band.PATH.first


def test_disjoint_paths_and_hosts_do_not_clash() -> None:
    stack, vpc, lb = fresh()
    service(stack, "A", lb, vpc, paths=["/api/*"])
    service(stack, "B", lb, vpc, paths=["/web/*"])
    service(stack, "C", lb, vpc, paths=["/API/*"])  # paths are case-sensitive
    service(stack, "D", lb, vpc, hosts=["a.example.com"], paths=["/x/*"])
    service(stack, "E", lb, vpc, hosts=["b.example.com"], paths=["/x/*"])
    assert lb.rule_count == 5


def test_explicit_distinct_priorities_allow_overlapping_routes_of_one_band() -> None:
    stack, vpc, lb = fresh()
    service(stack, "Orders", lb, vpc, paths=["/api/orders"], priority=20_001)
    service(stack, "Api", lb, vpc, paths=["/api/*"], priority=20_002)
    assert lb.rule_count == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"paths": ["/*"]}, {"paths": ["/web/*"]}),
        ({"paths": ["/api/*"]}, {"paths": ["/api/*"], "hosts": ["api.example.com"]}),
        ({"hosts": ["a.example.com"]}, {"paths": ["/a/*"]}),
        (
            {"paths": ["/a/*"], "hosts": ["Shop.example.com"]},
            {"paths": ["/*"], "hosts": ["shop.example.com"]},
        ),
        ({"paths": ["/api/*"], "priority": 10}, {"paths": ["/api/orders"]}),
    ],
)
def test_overlapping_routes_of_different_bands_combine(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    """Their order is the bands' (or an explicit priority outside the other's band)."""
    stack, vpc, lb = fresh()
    service(stack, "First", lb, vpc, **first)
    service(stack, "Second", lb, vpc, **second)
    assert lb.rule_count == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"paths": ["/api/*"]}, {"paths": ["/api/orders"]}),
        ({"paths": ["/api/v?/x"]}, {"paths": ["/api/v1/*"]}),
        ({"hosts": ["*.example.com"]}, {"hosts": ["API.example.com"]}),
        ({"paths": ["/api/*"], "priority": 30_000}, {"paths": ["/api/orders"]}),
    ],
)
def test_fails_when_two_routes_of_one_band_overlap_without_explicit_priorities(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    stack, vpc, lb = fresh()
    service(stack, "First", lb, vpc, **first)
    with pytest.raises(ConfigurationError) as caught:
        service(stack, "Second", lb, vpc, **second)
    message = str(caught.value)
    assert message.startswith("path_patterns: got {'owner': 'Fresh/Second'")
    assert "Fresh/First" in message
    assert "band" in message
    assert "explicit priorities" in message


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"paths": ["/api/*"]}, {"paths": ["/api/*"]}),
        ({"paths": ["/api/*"], "priority": 5}, {"paths": ["/api/*"], "priority": 6}),
        (
            {"hosts": ["a.example.com"], "paths": ["/x/*", "/y/*"]},
            {"hosts": ["A.example.com"], "paths": ["/y/*", "/x/*"]},
        ),
    ],
)
def test_fails_when_two_routes_have_the_same_conditions(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    """Even with explicit priorities: the second rule would never be matched."""
    stack, vpc, lb = fresh()
    service(stack, "First", lb, vpc, **first)
    with pytest.raises(ConfigurationError, match=r"Fresh/First .* has the same"):
        service(stack, "Second", lb, vpc, **second)


def test_fails_when_the_listener_already_has_100_rules() -> None:
    stack, vpc, lb = fresh()
    for index in range(100):
        service(stack, f"S{index}", lb, vpc, paths=[f"/s{index}/*"])
    assert lb.rule_count == 100
    with pytest.raises(
        ConfigurationError,
        match=r"add_route: got 'Fresh/S100'; at most 100 rules .*another LoadBalancer",
    ):
        service(stack, "S100", lb, vpc, paths=["/s100/*"])


# ---------------------------------------------------------------------- route validation


def test_fails_when_a_route_has_neither_path_nor_host() -> None:
    stack, vpc, lb = fresh()
    with pytest.raises(
        ConfigurationError, match=r"path_patterns: got \[\]; at least one path pattern or host"
    ):
        service(stack, "Nothing", lb, vpc)


@pytest.mark.parametrize("path", ["api/*", "/api/<id>", "/a b", "/" + "a" * 128, "", "/é"])
def test_fails_when_a_path_pattern_is_invalid(path: str) -> None:
    stack, vpc, lb = fresh()
    with pytest.raises(ConfigurationError) as caught:
        service(stack, "Bad", lb, vpc, paths=[path])
    assert str(caught.value).startswith(f"path_patterns: got {path!r}; path patterns of 1 to 128")


@pytest.mark.parametrize(
    "host",
    ["localhost", "example.123", "exa_mple.com", "shop.example.com:8080", "a" * 126 + ".com"],
)
def test_fails_when_a_host_header_is_invalid(host: str) -> None:
    stack, vpc, lb = fresh()
    with pytest.raises(ConfigurationError) as caught:
        service(stack, "Bad", lb, vpc, hosts=[host])
    assert str(caught.value).startswith(f"host_headers: got {host!r}; host names of up to 128")


def test_fails_when_paths_or_hosts_are_a_string_not_a_list() -> None:
    stack, vpc, lb = fresh()
    with pytest.raises(ConfigurationError, match=r"path_patterns: got '/api/\*'; a list"):
        service(stack, "Bad", lb, vpc, paths="/api/*")


def test_fails_when_a_rule_has_more_than_5_condition_values() -> None:
    stack, vpc, lb = fresh()
    with pytest.raises(
        ConfigurationError, match=r"at most 5 path patterns and host headers .*; got 6"
    ):
        service(
            stack,
            "Many",
            lb,
            vpc,
            paths=["/a", "/b", "/c", "/d"],
            hosts=["a.example.com", "b.example.com"],
        )


def test_fails_when_a_rule_has_more_than_5_wildcards() -> None:
    stack, vpc, lb = fresh()
    with pytest.raises(ConfigurationError, match=r"at most 5 wildcards .*; got 6"):
        service(stack, "Wild", lb, vpc, paths=["/a/*/*/*", "/b/*/?/?"])


def test_duplicate_values_count_once() -> None:
    stack, vpc, lb = fresh()
    rule = service(stack, "Dup", lb, vpc, paths=["/a/*"] * 6)
    conditions = stack.resolve(cast(elbv2.CfnListenerRule, rule.node.default_child).conditions)
    assert conditions == [{"field": "path-pattern", "pathPatternConfig": {"values": ["/a/*"]}}]


@pytest.mark.parametrize("priority", [0, 50001, -3, True])
def test_fails_when_priority_is_out_of_range(priority: int) -> None:
    stack, vpc, lb = fresh()
    with pytest.raises(
        ConfigurationError, match=rf"priority: got {priority!r}; an integer from 1 to 50000"
    ):
        service(stack, "Bad", lb, vpc, paths=["/bad/*"], priority=priority)


def test_fails_when_an_explicit_priority_is_taken() -> None:
    stack, vpc, lb = fresh()
    service(stack, "First", lb, vpc, paths=["/first/*"], priority=7)
    with pytest.raises(
        ConfigurationError, match=r"priority: got 7; .*Fresh/First already has 7 .*Fresh/Second"
    ):
        service(stack, "Second", lb, vpc, paths=["/second/*"], priority=7)


def test_fails_when_an_owner_adds_a_second_route() -> None:
    stack, vpc, lb = fresh()
    rule = service(stack, "Owner", lb, vpc, paths=["/a/*"])
    owner = cast(Construct, rule.node.scope)
    target_group = cast(elbv2.ApplicationTargetGroup, owner.node.find_child("TargetGroup"))
    with pytest.raises(
        ConfigurationError, match=r"owner: got 'Fresh/Owner'; a construct with no route yet"
    ):
        lb.add_route(owner, target_group=target_group, path_patterns=["/b/*"])


# -------------------------------------------------------------------- option validation


@pytest.mark.parametrize(
    ("cidr", "allowed"),
    [
        (
            "10.0.0.1/8",
            r"IPv4 CIDR blocks such as '203.0.113.0/24' \(did you mean '10.0.0.0/8'\?\)",
        ),
        ("not-a-cidr", r"IPv4 CIDR blocks such as '203.0.113.0/24'$"),
        ("::/0", r"IPv4 CIDR blocks: the load balancer has IPv4 addresses only"),
    ],
)
def test_fails_when_an_ingress_cidr_is_invalid(cidr: str, allowed: str) -> None:
    stack = make_stack()
    with pytest.raises(
        ConfigurationError, match=rf"^ingress_cidrs: got '{re.escape(cidr)}'; {allowed}"
    ):
        LoadBalancer(
            stack,
            "LoadBalancer",
            vpc=imported_vpc(stack),
            ingress_cidrs=[cidr],
            plain_http=TEST_HTTP,
        )


def test_fails_when_ingress_cidrs_is_a_string() -> None:
    stack = make_stack()
    with pytest.raises(
        ConfigurationError, match=r"ingress_cidrs: got '10.0.0.0/8'; expected a list"
    ):
        LoadBalancer(
            stack,
            "LoadBalancer",
            vpc=imported_vpc(stack),
            ingress_cidrs="10.0.0.0/8",
            plain_http=TEST_HTTP,
        )


def test_repeated_cidrs_admit_once() -> None:
    stack = make_stack()
    lb = LoadBalancer(
        stack,
        "LoadBalancer",
        vpc=imported_vpc(stack),
        ingress_cidrs=["10.0.0.0/8", "10.0.0.0/8"],
        plain_http=TEST_HTTP,
    )
    group = cast(ec2.CfnSecurityGroup, lb.connections.security_groups[0].node.default_child)
    assert len(stack.resolve(group.security_group_ingress)) == 1


def test_fails_when_retention_is_given_with_an_existing_bucket() -> None:
    stack = make_stack()
    bucket = s3.Bucket(stack, "Logs")
    with pytest.raises(
        ConfigurationError, match=r"^access_logs\.retention: got '7 days'; only with the bucket"
    ):
        AccessLogs(bucket=bucket, retention=cdk.Duration.days(7))


def test_fails_when_the_log_bucket_is_kms_encrypted() -> None:
    stack = make_stack()
    bucket = s3.Bucket(stack, "Logs", encryption_key=kms.Key(stack, "Key"))
    with pytest.raises(
        ConfigurationError,
        match=r"^access_logs\.bucket: got 'TestStack/Logs'; a bucket encrypted with SSE-S3",
    ):
        AccessLogs(bucket=bucket)


def test_fails_when_retention_is_not_whole_days() -> None:
    with pytest.raises(
        ConfigurationError, match=r"^access_logs\.retention: got '1 day 12 hours'; whole days"
    ):
        AccessLogs(retention=cdk.Duration.hours(36))


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"bucket": "my-logs"}, "access_logs.bucket"),
        ({"retention": 30}, "access_logs.retention"),
        ({"retention": cdk.Duration.seconds(cdk.Token.as_number(cdk.Fn.ref("D")))}, "retention"),
    ],
    ids=["bucket-name", "retention-int", "retention-token"],
)
def test_fails_when_access_logs_have_a_wrong_type(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        AccessLogs(**options)
    assert raised.value.field == field or field in str(raised.value)


def test_fails_when_access_logs_is_neither_a_bool_nor_access_logs() -> None:
    stack = make_stack()
    with pytest.raises(ConfigurationError, match=r"^access_logs: got 'yes'"):
        LoadBalancer(
            stack,
            "LoadBalancer",
            vpc=imported_vpc(stack),
            access_logs=cast(Any, "yes"),
            plain_http=TEST_HTTP,
        )


@pytest.mark.parametrize("timeout", [cdk.Duration.seconds(0), cdk.Duration.seconds(4001)])
def test_fails_when_idle_timeout_is_out_of_range(timeout: cdk.Duration) -> None:
    stack = make_stack()
    with pytest.raises(ConfigurationError, match=r"idle_timeout: got '.*'; 1 to 4000 seconds"):
        LoadBalancer(
            stack,
            "LoadBalancer",
            vpc=imported_vpc(stack),
            idle_timeout=timeout,
            plain_http=TEST_HTTP,
        )


@pytest.mark.parametrize(
    ("arn", "allowed"),
    [
        (CERTIFICATE_ARN.replace("eu-west-1", "us-east-1"), "of the stack's Region (eu-west-1)"),
        (CERTIFICATE_ARN.replace("arn:aws:", "arn:aws-cn:"), "of the stack's partition (aws)"),
        ("not-an-arn", "the ARN of an ACM certificate"),
    ],
)
def test_fails_when_the_certificate_cannot_serve_the_load_balancers_region(
    arn: str, allowed: str
) -> None:
    app = cast(cdk.App, make_stack().node.scope)
    stack = cdk.Stack(
        app, "Ireland", env=cdk.Environment(account="123456789012", region="eu-west-1")
    )
    certificate = acm.Certificate.from_certificate_arn(stack, "Certificate", arn)
    with pytest.raises(
        ConfigurationError,
        match=rf"^certificates\[0\]: got '{re.escape(arn)}'; .*{re.escape(allowed)}",
    ):
        LoadBalancer(stack, "LoadBalancer", vpc=imported_vpc(stack), certificates=[certificate])


def test_a_certificate_of_another_region_is_left_to_deploy_time_in_an_agnostic_stack() -> None:
    stack = make_stack()
    certificate = acm.Certificate.from_certificate_arn(
        stack, "Certificate", CERTIFICATE_ARN.replace("eu-west-1", "us-east-1")
    )
    LoadBalancer(stack, "LoadBalancer", vpc=imported_vpc(stack), certificates=[certificate])


# ------------------------------------------------ HTTP is a decision; SNI; web ACL; types


def ireland() -> cdk.Stack:
    app = cast(cdk.App, make_stack().node.scope)
    return cdk.Stack(
        app, "Ireland", env=cdk.Environment(account="123456789012", region="eu-west-1")
    )


@pytest.mark.parametrize("internet_facing", [True, False], ids=["internet-facing", "internal"])
def test_fails_when_there_is_neither_a_certificate_nor_a_plain_http_decision(
    internet_facing: bool,
) -> None:
    stack = make_stack()
    with pytest.raises(
        ConfigurationError,
        match=r"^plain_http: got None; a decision when the load balancer has no certificate: "
        r"give one \(certificates=\[\.\.\.\]\) for HTTPS, or plain_http=PlainHttp\(reason='...'\)",
    ):
        LoadBalancer(
            stack, "LoadBalancer", vpc=imported_vpc(stack), internet_facing=internet_facing
        )


def test_fails_when_plain_http_is_given_with_a_certificate() -> None:
    stack = ireland()
    certificate = acm.Certificate.from_certificate_arn(stack, "Certificate", CERTIFICATE_ARN)
    with pytest.raises(ConfigurationError, match=r"^plain_http: got .*; only without a cert"):
        LoadBalancer(
            stack,
            "LoadBalancer",
            vpc=imported_vpc(stack),
            certificates=[certificate],
            plain_http=TEST_HTTP,
        )


@pytest.mark.parametrize(
    ("reason", "allowed"),
    [
        ("demo", r"must say why, in at least 10 characters"),
        ("         .", r"must say why, in at least 10 characters"),
        (42, r"expected a string"),
        (cdk.Token.as_string(cdk.Fn.ref("Why")), r"a sentence \(a literal str\)"),
    ],
    ids=["short", "blank", "int", "token"],
)
def test_fails_when_the_plain_http_reason_is_not_a_sentence(reason: Any, allowed: str) -> None:
    with pytest.raises(ConfigurationError, match=rf"^plain_http\.reason: got .*; {allowed}") as e:
        PlainHttp(reason=reason)
    assert "Token[" not in str(e.value)


@pytest.mark.parametrize(
    ("arn", "allowed"),
    [
        (SHOP_ARN.replace("eu-west-1", "us-east-1"), "of the stack's Region (eu-west-1)"),
        (SHOP_ARN.replace("arn:aws:", "arn:aws-us-gov:"), "of the stack's partition (aws)"),
        (CERTIFICATE_ARN, "each certificate once: it is certificates[0] already"),
    ],
)
def test_fails_when_one_of_several_certificates_cannot_serve(arn: str, allowed: str) -> None:
    stack = ireland()
    certificates = [
        acm.Certificate.from_certificate_arn(stack, "Certificate", CERTIFICATE_ARN),
        acm.Certificate.from_certificate_arn(stack, "Other", arn),
    ]
    with pytest.raises(
        ConfigurationError,
        match=rf"^certificates\[1\]: got '{re.escape(arn)}'; .*{re.escape(allowed)}",
    ):
        LoadBalancer(stack, "LoadBalancer", vpc=imported_vpc(stack), certificates=certificates)


def test_fails_when_there_are_more_certificates_than_a_listener_takes() -> None:
    stack = ireland()
    certificates = [
        acm.Certificate.from_certificate_arn(
            stack, f"Certificate{i}", CERTIFICATE_ARN.replace("444455556666", f"{i:012d}")
        )
        for i in range(27)
    ]
    with pytest.raises(
        ConfigurationError, match=r"^certificates: got '27 certificates'; at most 26: the default"
    ):
        LoadBalancer(stack, "LoadBalancer", vpc=imported_vpc(stack), certificates=certificates)


def test_26_certificates_are_the_default_and_25_by_sni() -> None:
    stack = ireland()
    certificates = [
        acm.Certificate.from_certificate_arn(
            stack, f"Certificate{i}", CERTIFICATE_ARN.replace("444455556666", f"{i:012d}")
        )
        for i in range(26)
    ]
    lb = LoadBalancer(stack, "LoadBalancer", vpc=imported_vpc(stack), certificates=certificates)
    added = [c for c in lb.listener.node.find_all() if isinstance(c, elbv2.CfnListenerCertificate)]
    assert len(added) == 25


def test_certificate_tokens_are_left_to_deploy_time() -> None:
    stack = ireland()
    imported = acm.Certificate.from_certificate_arn(
        stack, "Imported", cdk.Fn.import_value("ShopCertificateArn")
    )
    lb = LoadBalancer(
        stack,
        "LoadBalancer",
        vpc=imported_vpc(stack),
        certificates=[acm.Certificate.from_certificate_arn(stack, "C", CERTIFICATE_ARN), imported],
    )
    assert len(lb.certificates) == 2


@pytest.mark.parametrize(
    ("parameter", "value", "allowed"),
    [
        ("certificates", "arn:aws:acm:eu-west-1:123456789012:certificate/x", "expected a list"),
        ("certificates", [object()], r"certificates\[0\]: got <object object at .*>; "),
        ("plain_http", "yes", "expected a PlainHttp"),
        ("plain_http", True, "expected a PlainHttp"),
        ("deletion_protection", "false", "expected True or False"),
        ("deletion_protection", None, "expected True or False"),
        ("web_acl_arn", 42, "expected a string"),
    ],
)
def test_fails_when_an_option_has_the_wrong_type(parameter: str, value: Any, allowed: str) -> None:
    stack = ireland()
    options: dict[str, Any] = {"plain_http": TEST_HTTP, parameter: value}
    with pytest.raises(ConfigurationError, match=allowed) as caught:
        LoadBalancer(stack, "LoadBalancer", vpc=imported_vpc(stack), **options)
    assert caught.value.field.startswith(parameter)


WEB_ACL_ID = "0a1b2c3d-1111-2222-3333-444455556666"


@pytest.mark.parametrize(
    ("arn", "allowed"),
    [
        (
            f"arn:aws:wafv2:us-east-1:123456789012:global/webacl/shop/{WEB_ACL_ID}",
            "a CLOUDFRONT (global) web ACL protects CloudFront distributions only",
        ),
        (
            f"arn:aws:wafv2:eu-west-1:123456789012:regional/rulegroup/shop/{WEB_ACL_ID}",
            "the ARN of an AWS WAF web ACL of scope REGIONAL",
        ),
        (f"arn:aws:waf-regional:eu-west-1:123456789012:webacl/{WEB_ACL_ID}", "of an AWS WAF"),
        ("arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop/1234", "scope REGIONAL"),
        (f"arn:aws:wafv2:eu-west-1:1234:regional/webacl/shop/{WEB_ACL_ID}", "scope REGIONAL"),
        (f"arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a b/{WEB_ACL_ID}", "REGIONAL"),
        ("shop-firewall", "the ARN of an AWS WAF web ACL"),
        (WEB_ACL_ARN.replace("eu-west-1", "eu-central-1"), "of the stack's Region (eu-west-1)"),
        (WEB_ACL_ARN.replace("arn:aws:", "arn:aws-cn:"), "of the stack's partition (aws)"),
    ],
)
def test_fails_when_the_web_acl_arn_cannot_protect_this_load_balancer(
    arn: str, allowed: str
) -> None:
    stack = ireland()
    with pytest.raises(
        ConfigurationError, match=rf"^web_acl_arn: got '{re.escape(arn)}'; .*{re.escape(allowed)}"
    ):
        LoadBalancer(
            stack, "LoadBalancer", vpc=imported_vpc(stack), plain_http=TEST_HTTP, web_acl_arn=arn
        )


def test_a_web_acl_of_this_app_is_associated_by_its_token() -> None:
    stack = ireland()
    acl = wafv2.CfnWebACL(
        stack,
        "Firewall",
        scope="REGIONAL",
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name="shop", sampled_requests_enabled=True
        ),
    )
    lb = LoadBalancer(
        stack,
        "LoadBalancer",
        vpc=imported_vpc(stack),
        plain_http=TEST_HTTP,
        web_acl_arn=acl.attr_arn,
    )
    assert lb.web_acl_association is not None
    assert stack.resolve(lb.web_acl_association.web_acl_arn) == {
        "Fn::GetAtt": [stack.get_logical_id(acl), "Arn"]
    }
