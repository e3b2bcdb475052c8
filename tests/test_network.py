"""Network: the default VPC, its options, an existing VPC, and every validation path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from syrupy.assertion import SnapshotAssertion

from constructs_ecs._errors import ConfigurationError
from constructs_ecs._network import INTERFACE_ENDPOINTS, Network
from constructs_ecs.testing import (
    MissingContextError,
    assert_cfn_lint_clean,
    nag_acknowledgements,
    new_app,
    resource_manifest,
    template_of,
)
from tests.conftest import CDK_JSON, make_stack

# Renaming Network(stack, "Network") or its children replaces these: pinned on purpose.
VPC_ID = "NetworkVpc7FB7348F"
FLOW_LOG_GROUP_ID = "NetworkFlowLogGroup4F8CEEEF"
# A replaced interface endpoint with private DNS fails to deploy (its DNS names are taken by
# the one it replaces until that is deleted): pinned too.
INTERFACE_ENDPOINT_IDS = {
    "Ec2MessagesEndpoint": "NetworkVpcEc2MessagesEndpoint2925AEA1",
    "EcrApiEndpoint": "NetworkVpcEcrApiEndpointE3D7E09F",
    "EcrDockerEndpoint": "NetworkVpcEcrDockerEndpoint18F85AD4",
    "EcsAgentEndpoint": "NetworkVpcEcsAgentEndpointE4011C10",
    "EcsEndpoint": "NetworkVpcEcsEndpointB9B4BF6F",
    "EcsTelemetryEndpoint": "NetworkVpcEcsTelemetryEndpointEDCDB469",
    "LogsEndpoint": "NetworkVpcLogsEndpointA7731FD0",
    "SsmEndpoint": "NetworkVpcSsmEndpointB5FBDFB0",
    "SsmMessagesEndpoint": "NetworkVpcSsmMessagesEndpoint235160D7",
}


@dataclass
class Synthesized:
    defaults: dict[str, Any]
    configured: dict[str, Any]
    isolated: dict[str, Any]
    networks: dict[str, Network]


def imported_vpc(scope: cdk.Stack) -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        scope,
        "ImportedVpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        private_subnet_ids=["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
        private_subnet_route_table_ids=["rtb-0bbbbbbbbbbbbbbb1", "rtb-0bbbbbbbbbbbbbbb2"],
    )


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    """One app, three stacks, one synthesis (with cdk-nag: any finding fails here)."""
    defaults = make_stack("Defaults")
    app = defaults.node.root
    assert isinstance(app, cdk.App)
    configured = cdk.Stack(app, "Configured")
    isolated = cdk.Stack(app, "Isolated")
    networks = {
        "defaults": Network(defaults, "Network"),
        "configured": Network(
            configured,
            "Network",
            nat_gateways=2,
            vpc_endpoints=True,
            flow_log_retention=logs.RetentionDays.ONE_YEAR,
            cidr="10.20.0.0/16",
        ),
        "isolated": Network(isolated, "Network", nat_gateways=0, vpc_endpoints=True),
    }
    return Synthesized(
        defaults=template_of(defaults),
        configured=template_of(configured),
        isolated=template_of(isolated),
        networks=networks,
    )


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def props_of_type(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [v.get("Properties", {}) for v in of_type(template, kind).values()]


def subnets(template: dict[str, Any], *, public: bool) -> dict[str, dict[str, Any]]:
    """The public subnets (by CDK's ``aws-cdk:subnet-type`` tag), or the private ones."""
    return {
        k: v
        for k, v in of_type(template, "AWS::EC2::Subnet").items()
        if ({"Key": "aws-cdk:subnet-type", "Value": "Public"} in v["Properties"]["Tags"]) is public
    }


def test_no_subnet_gives_an_address_to_what_launches_there(synthesized: Synthesized) -> None:
    # NAT gateways and load balancers get their public addresses explicitly (HIPAA's and
    # NIST's VPCSubnetAutoAssignPublicIpDisabled).
    found = of_type(synthesized.defaults, "AWS::EC2::Subnet")
    assert len(found) == 4
    assert {v["Properties"]["MapPublicIpOnLaunch"] for v in found.values()} == {False}


def test_public_routes_to_the_internet_gateway_are_acknowledged_with_why(
    synthesized: Synthesized,
) -> None:
    routes = {
        k: v
        for k, v in of_type(synthesized.defaults, "AWS::EC2::Route").items()
        if "GatewayId" in v["Properties"]
    }
    assert len(routes) == 2
    for route in routes.values():
        rules = {
            r["id"]: r["reason"]
            for r in route["Metadata"]["cdk_nag"]["rules_to_suppress"]
            if not r["id"].startswith("CloudFormation-Validate::")
        }
        assert set(rules) == {
            "HIPAA.Security-VPCNoUnrestrictedRouteToIGW",
            "NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW",
        }
        assert "private subnets" in rules["NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW"]


def routes_of(template: dict[str, Any], subnet_kind: str) -> list[dict[str, Any]]:
    return [
        v["Properties"] for k, v in of_type(template, "AWS::EC2::Route").items() if subnet_kind in k
    ]


def endpoints(template: dict[str, Any], endpoint_type: str) -> list[dict[str, Any]]:
    return [
        p
        for p in props_of_type(template, "AWS::EC2::VPCEndpoint")
        if p["VpcEndpointType"] == endpoint_type
    ]


# -- defaults -------------------------------------------------------------------------------


def test_new_vpc_spans_two_zones_with_a_public_and_a_private_subnet_in_each(
    synthesized: Synthesized,
) -> None:
    template = synthesized.defaults
    assert len(subnets(template, public=True)) == 2
    assert len(subnets(template, public=False)) == 2
    zones = {
        str(s["Properties"]["AvailabilityZone"]) for s in subnets(template, public=False).values()
    }
    assert len(zones) == 2


def test_new_vpc_uses_the_default_cidr_with_24_bit_subnets(synthesized: Synthesized) -> None:
    vpc = synthesized.defaults["Resources"][VPC_ID]["Properties"]
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert vpc["EnableDnsHostnames"] is True
    assert vpc["EnableDnsSupport"] is True
    masks = {
        p["CidrBlock"].split("/")[1]
        for p in props_of_type(synthesized.defaults, "AWS::EC2::Subnet")
    }
    assert masks == {"24"}


def test_default_is_one_nat_gateway_shared_by_the_private_subnets(
    synthesized: Synthesized,
) -> None:
    template = synthesized.defaults
    gateways = of_type(template, "AWS::EC2::NatGateway")
    assert len(gateways) == 1
    (gateway_id,) = gateways
    private_routes = routes_of(template, "PrivateSubnet")
    assert len(private_routes) == 2
    assert all(r["NatGatewayId"] == {"Ref": gateway_id} for r in private_routes)


def test_public_subnets_route_to_the_internet_gateway(synthesized: Synthesized) -> None:
    public_routes = routes_of(synthesized.defaults, "PublicSubnet")
    assert len(public_routes) == 2
    assert all("GatewayId" in r and r["DestinationCidrBlock"] == "0.0.0.0/0" for r in public_routes)


def test_flow_logs_capture_all_traffic_into_a_retained_log_group(
    synthesized: Synthesized,
) -> None:
    template = synthesized.defaults
    (flow_log,) = props_of_type(template, "AWS::EC2::FlowLog")
    assert flow_log["TrafficType"] == "ALL"
    assert flow_log["ResourceType"] == "VPC"
    assert flow_log["ResourceId"] == {"Ref": VPC_ID}
    assert flow_log["LogDestinationType"] == "cloud-watch-logs"
    assert flow_log["LogGroupName"] == {"Ref": FLOW_LOG_GROUP_ID}
    group = template["Resources"][FLOW_LOG_GROUP_ID]
    assert group["Properties"]["RetentionInDays"] == 90
    assert group["DeletionPolicy"] == "Retain"
    assert group["UpdateReplacePolicy"] == "Retain"


def test_flow_log_group_is_exposed(synthesized: Synthesized) -> None:
    network = synthesized.networks["defaults"]
    assert isinstance(network.flow_log_group, logs.LogGroup)
    assert isinstance(network.flow_log, ec2.FlowLog)
    assert isinstance(network.vpc, ec2.Vpc)


def test_default_security_group_is_stripped_of_its_rules(synthesized: Synthesized) -> None:
    (restrict,) = props_of_type(synthesized.defaults, "Custom::VpcRestrictDefaultSG")
    assert restrict["DefaultSecurityGroupId"] == {"Fn::GetAtt": [VPC_ID, "DefaultSecurityGroup"]}


def test_s3_gateway_endpoint_serves_the_private_route_tables(synthesized: Synthesized) -> None:
    template = synthesized.defaults
    (endpoint,) = [
        p
        for p in props_of_type(template, "AWS::EC2::VPCEndpoint")
        if p["VpcEndpointType"] == "Gateway"
    ]
    assert "s3" in str(endpoint["ServiceName"])
    tables = endpoint["RouteTableIds"]
    assert len(tables) == 2
    assert all("PrivateSubnet" in t["Ref"] for t in tables)


def test_no_interface_endpoints_by_default(synthesized: Synthesized) -> None:
    assert endpoints(synthesized.defaults, "Interface") == []
    assert dict(synthesized.networks["defaults"].interface_endpoints) == {}
    assert synthesized.networks["defaults"].endpoint_security_group is None


def test_stateful_logical_ids_are_pinned(synthesized: Synthesized) -> None:
    manifest = resource_manifest(synthesized.defaults)
    assert manifest[VPC_ID] == "AWS::EC2::VPC"
    assert manifest[FLOW_LOG_GROUP_ID] == "AWS::Logs::LogGroup"


def test_defaults_need_no_nag_acknowledgement(synthesized: Synthesized) -> None:
    acknowledged = {
        rule
        for rule in nag_acknowledgements(synthesized.defaults)
        if rule.startswith("AwsSolutions")
    }
    assert acknowledged == set()


def test_defaults_pass_cfn_lint(synthesized: Synthesized) -> None:
    assert_cfn_lint_clean(synthesized.defaults)


def test_defaults_snapshot(synthesized: Synthesized, snapshot_json: SnapshotAssertion) -> None:
    assert resource_manifest(synthesized.defaults)[VPC_ID] == "AWS::EC2::VPC"
    assert synthesized.defaults == snapshot_json(name="template")
    assert resource_manifest(synthesized.defaults) == snapshot_json(name="manifest")


# -- options --------------------------------------------------------------------------------


def test_nat_gateways_option_puts_one_in_each_zone(synthesized: Synthesized) -> None:
    template = synthesized.configured
    gateways = of_type(template, "AWS::EC2::NatGateway")
    assert len(gateways) == 2
    targets = {r["NatGatewayId"]["Ref"] for r in routes_of(template, "PrivateSubnet")}
    assert targets == set(gateways)


def test_cidr_option_sets_the_vpc_range(synthesized: Synthesized) -> None:
    vpc = next(iter(props_of_type(synthesized.configured, "AWS::EC2::VPC")))
    assert vpc["CidrBlock"] == "10.20.0.0/16"
    assert all(
        p["CidrBlock"].startswith("10.20.")
        for p in props_of_type(synthesized.configured, "AWS::EC2::Subnet")
    )


def test_flow_log_retention_option(synthesized: Synthesized) -> None:
    (group,) = props_of_type(synthesized.configured, "AWS::Logs::LogGroup")
    assert group["RetentionInDays"] == 365


def test_vpc_endpoints_option_adds_every_interface_endpoint_in_private_subnets(
    synthesized: Synthesized,
) -> None:
    template = synthesized.configured
    interface = [
        p
        for p in props_of_type(template, "AWS::EC2::VPCEndpoint")
        if p["VpcEndpointType"] == "Interface"
    ]
    assert len(interface) == len(INTERFACE_ENDPOINTS) == 9
    services = " ".join(str(p["ServiceName"]) for p in interface)
    for suffix in (
        "ecr.api",
        "ecr.dkr",
        ".logs",
        ".ecs",
        ".ecs-agent",
        ".ecs-telemetry",
        ".ssm",
        ".ssmmessages",
        ".ec2messages",
    ):
        assert suffix in services, suffix
    for props in interface:
        assert props["PrivateDnsEnabled"] is True
        assert all("PrivateSubnet" in s["Ref"] for s in props["SubnetIds"])
    assert set(synthesized.networks["configured"].interface_endpoints) == set(INTERFACE_ENDPOINTS)


def test_interface_endpoint_logical_ids_are_pinned(synthesized: Synthesized) -> None:
    network = synthesized.networks["configured"]
    stack = cdk.Stack.of(network)
    logical_ids = {
        endpoint_id: stack.get_logical_id(
            cast(cdk.CfnElement, endpoint.node.default_child),
        )
        for endpoint_id, endpoint in network.interface_endpoints.items()
    }
    assert logical_ids == INTERFACE_ENDPOINT_IDS
    assert set(INTERFACE_ENDPOINTS) == set(INTERFACE_ENDPOINT_IDS)
    manifest = resource_manifest(synthesized.configured)
    assert all(manifest[i] == "AWS::EC2::VPCEndpoint" for i in INTERFACE_ENDPOINT_IDS.values())


def test_interface_endpoints_accept_https_from_the_vpc_only(synthesized: Synthesized) -> None:
    template = synthesized.configured
    network = synthesized.networks["configured"]
    assert network.endpoint_security_group is not None
    groups = props_of_type(template, "AWS::EC2::SecurityGroup")
    (endpoint_group,) = [g for g in groups if "Interface VPC endpoints" in g["GroupDescription"]]
    assert endpoint_group["SecurityGroupIngress"] == [
        {
            "CidrIp": "10.20.0.0/16",
            "Description": "HTTPS from the VPC",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]
    endpoint_sg_id = next(
        k for k, v in of_type(template, "AWS::EC2::SecurityGroup").items() if "Endpoint" in k
    )
    for props in props_of_type(template, "AWS::EC2::VPCEndpoint"):
        if props["VpcEndpointType"] == "Interface":
            assert props["SecurityGroupIds"] == [{"Fn::GetAtt": [endpoint_sg_id, "GroupId"]}]


def test_without_nat_gateways_private_subnets_are_isolated(synthesized: Synthesized) -> None:
    template = synthesized.isolated
    assert of_type(template, "AWS::EC2::NatGateway") == {}
    assert routes_of(template, "PrivateSubnet") == []
    assert len(endpoints(template, "Interface")) == 9
    assert len(endpoints(template, "Gateway")) == 1


def test_options_pass_cfn_lint(synthesized: Synthesized) -> None:
    assert_cfn_lint_clean(synthesized.configured)
    assert_cfn_lint_clean(synthesized.isolated)


# -- existing VPC ---------------------------------------------------------------------------


def test_existing_vpc_is_used_as_is_and_nothing_is_defined() -> None:
    stack = make_stack("Existing")
    vpc = imported_vpc(stack)
    network = Network(stack, "Network", vpc=vpc)
    assert network.vpc is vpc
    assert [c for c in network.node.find_all() if isinstance(c, cdk.CfnElement)] == []
    assert network.flow_log_group is None
    assert network.flow_log is None
    assert network.s3_endpoint is None
    assert network.endpoint_security_group is None
    assert dict(network.interface_endpoints) == {}


def test_existing_vpc_accepts_the_new_vpc_options_left_out() -> None:
    stack = make_stack("ExistingNone")
    vpc = imported_vpc(stack)
    network = Network(
        stack,
        "Network",
        vpc=vpc,
        max_azs=None,
        nat_gateways=None,
        vpc_endpoints=None,
        flow_log_retention=None,
        cidr=None,
    )
    assert network.vpc is vpc


# -- validation -----------------------------------------------------------------------------


def assert_error(error: ConfigurationError, field: str, value: object, *fragments: str) -> None:
    assert error.field == field
    assert error.value == value
    message = str(error)
    assert message.startswith(f"{field}: got {value!r}; ")
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("max_azs", 3),
        ("nat_gateways", 2),
        ("vpc_endpoints", True),
        ("flow_log_retention", logs.RetentionDays.ONE_WEEK),
        ("cidr", "10.1.0.0/16"),
        ("availability_zones", ["eu-west-1a", "eu-west-1b"]),
        ("subnet_mask", 20),
    ],
)
def test_fails_when_an_existing_vpc_is_combined_with_new_vpc_options(
    option: str, value: object
) -> None:
    stack = make_stack("Fails")
    vpc = imported_vpc(stack)
    with pytest.raises(ConfigurationError) as caught:
        Network(stack, "Network", vpc=vpc, **{option: value})
    assert_error(caught.value, option, value, "cannot be combined with an existing `vpc`")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("max_azs", 2),
        ("nat_gateways", 1),
        ("vpc_endpoints", False),
        ("flow_log_retention", logs.RetentionDays.THREE_MONTHS),
        ("cidr", "10.0.0.0/16"),
    ],
)
def test_fails_when_an_existing_vpc_is_combined_with_an_option_at_its_default_value(
    option: str, value: object
) -> None:
    """Passing an option says a new VPC is expected, even with the value it defaults to."""
    stack = make_stack("Fails")
    vpc = imported_vpc(stack)
    with pytest.raises(ConfigurationError) as caught:
        Network(stack, "Network", vpc=vpc, **{option: value})
    assert_error(caught.value, option, value, "cannot be combined with an existing `vpc`")


@pytest.mark.parametrize("max_azs", [0, 1])
def test_fails_when_max_azs_is_below_two(max_azs: int) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Network(make_stack("Fails"), "Network", max_azs=max_azs)
    assert_error(caught.value, "max_azs", max_azs, "must be at least 2")


@pytest.mark.parametrize("nat_gateways", [-1, 3])
def test_fails_when_nat_gateways_is_outside_zero_to_max_azs(nat_gateways: int) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Network(make_stack("Fails"), "Network", nat_gateways=nat_gateways)
    assert_error(caught.value, "nat_gateways", nat_gateways, "between 0 and max_azs (2)")


def test_fails_when_there_is_neither_a_nat_gateway_nor_endpoints() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Network(make_stack("Fails"), "Network", nat_gateways=0)
    assert_error(caught.value, "nat_gateways", 0, "set vpc_endpoints=True")


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "10.0.0.0/24", "not-a-cidr", "10.0.0.1/16"])
def test_fails_when_cidr_is_not_a_16_to_20_network(cidr: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Network(make_stack("Fails"), "Network", cidr=cidr)
    assert_error(caught.value, "cidr", cidr, "/16 to /20")


# --- environments: zones and partitions ----------------------------------------------------


def endpoint_service_names(template: dict[str, Any]) -> dict[str, Any]:
    return {
        logical_id: resource["Properties"]["ServiceName"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::EC2::VPCEndpoint"
        and resource["Properties"].get("VpcEndpointType") == "Interface"
    }


def test_agnostic_ecr_endpoints_pick_their_prefix_by_partition_at_deploy(
    synthesized: Synthesized,
) -> None:
    """In aws-cn, ECR's endpoint services are cn.com.amazonaws.<region>.ecr.*: an agnostic
    stack learns its partition at deploy time, so one stack-level condition decides."""
    template = synthesized.configured
    assert template["Conditions"]["InChinaPartition"] == {
        "Fn::Equals": [{"Ref": "AWS::Partition"}, "aws-cn"]
    }
    names = endpoint_service_names(template)
    prefix = {"Fn::If": ["InChinaPartition", "cn.com.amazonaws", "com.amazonaws"]}
    for endpoint_id in ("EcrApiEndpoint", "EcrDockerEndpoint"):
        name = names[INTERFACE_ENDPOINT_IDS[endpoint_id]]
        assert name["Fn::Join"][1][0] == prefix, name
    logs = names[INTERFACE_ENDPOINT_IDS["LogsEndpoint"]]
    assert "InChinaPartition" not in str(logs)  # com.amazonaws in every partition


@pytest.mark.parametrize(
    ("region", "ecr", "logs"),
    [
        ("cn-north-1", "cn.com.amazonaws.cn-north-1.ecr.api", "com.amazonaws.cn-north-1.logs"),
        (
            "us-gov-west-1",
            "com.amazonaws.us-gov-west-1.ecr.api",
            "com.amazonaws.us-gov-west-1.logs",
        ),
        ("eu-west-1", "com.amazonaws.eu-west-1.ecr.api", "com.amazonaws.eu-west-1.logs"),
    ],
)
def test_endpoints_of_a_concrete_region_are_named_for_it(region: str, ecr: str, logs: str) -> None:
    app = new_app(cdk_json=CDK_JSON)
    stack = cdk.Stack(app, "Regional", env=cdk.Environment(account="123456789012", region=region))
    Network(stack, "Network", vpc_endpoints=True)
    template = template_of(stack)
    names = endpoint_service_names(template)
    assert names[INTERFACE_ENDPOINT_IDS["EcrApiEndpoint"]] == ecr
    assert names[INTERFACE_ENDPOINT_IDS["LogsEndpoint"]] == logs
    assert "Conditions" not in template or "InChinaPartition" not in template["Conditions"]


def test_two_networks_of_a_stack_share_the_partition_condition() -> None:
    stack = make_stack("Two")
    Network(stack, "Blue", vpc_endpoints=True)
    Network(stack, "Green", vpc_endpoints=True, cidr="10.1.0.0/16")
    template = template_of(stack)  # CDK's own check fails on equivalent conditions (W9053)
    assert list(template["Conditions"]) == ["InChinaPartition"]


def test_availability_zones_option_places_the_subnets_in_exactly_those_zones() -> None:
    """Not the first two of the region's zones: us-east-1a and us-east-1f (CDK checks them
    against the zones cdk.context.json records for the account and region)."""
    app = new_app(cdk_json=CDK_JSON)
    env = cdk.Environment(account="123456789012", region="us-east-1")
    stack = cdk.Stack(app, "Virginia", env=env)
    Network(stack, "Network", availability_zones=["us-east-1a", "us-east-1f"])
    template = template_of(stack)
    subnet_zones = [
        r["Properties"]["AvailabilityZone"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::EC2::Subnet"
    ]
    assert sorted(subnet_zones) == ["us-east-1a", "us-east-1a", "us-east-1f", "us-east-1f"]


def test_max_azs_in_a_concrete_environment_takes_the_committed_zones() -> None:
    """The zones cdk.context.json records for the account and region (what `cdk synth`
    with credentials writes), never CDK's offline 'dummy1a'."""
    app = new_app(cdk_json=CDK_JSON)
    env = cdk.Environment(account="123456789012", region="eu-west-1")
    stack = cdk.Stack(app, "Ireland", env=env)
    Network(stack, "Network", max_azs=3)
    template = template_of(stack)
    subnet_zones = {
        r["Properties"]["AvailabilityZone"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::EC2::Subnet"
    }
    assert subnet_zones == {"eu-west-1a", "eu-west-1b", "eu-west-1c"}


def test_fails_when_a_concrete_stack_looks_up_zones_it_has_no_context_for() -> None:
    app = new_app(cdk_json=CDK_JSON)
    stack = cdk.Stack(
        app, "Unknown", env=cdk.Environment(account="210987654321", region="eu-west-1")
    )
    Network(stack, "Network")
    with pytest.raises(MissingContextError) as caught:
        template_of(stack)
    assert caught.value.keys == ["availability-zones:account=210987654321:region=eu-west-1"]
    assert "cdk.context.json" in str(caught.value)


@pytest.mark.parametrize(
    ("zones", "message"),
    [
        (["eu-west-1a"], "at least 2 distinct zones"),
        (["eu-west-1a", "eu-west-1a"], "at least 2 distinct zones"),
        ("eu-west-1a", "expected a list"),
        (["eu-west-1a", ""], "a list of zone names"),
    ],
)
def test_fails_when_availability_zones_are_not_two_zone_names(zones: Any, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Network(make_stack("Fails"), "Network", availability_zones=zones)
    assert caught.value.field == "availability_zones"
    assert message in str(caught.value)


def test_fails_when_availability_zones_are_of_another_region() -> None:
    app = new_app(cdk_json=CDK_JSON)
    stack = cdk.Stack(
        app, "Ireland", env=cdk.Environment(account="123456789012", region="eu-west-1")
    )
    with pytest.raises(ConfigurationError) as caught:
        Network(stack, "Network", availability_zones=["us-east-1a", "us-east-1b"])
    assert_error(
        caught.value, "availability_zones", "us-east-1a", "of the stack's region eu-west-1"
    )


def test_fails_when_availability_zones_and_max_azs_are_both_given() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Network(
            make_stack("Fails"),
            "Network",
            max_azs=2,
            availability_zones=["eu-west-1a", "eu-west-1b"],
        )
    assert_error(caught.value, "max_azs", 2, "leave it out when availability_zones")


@pytest.mark.parametrize("max_azs", [3, 4])
def test_fails_when_an_environment_agnostic_stack_asks_for_more_than_two_zones(
    max_azs: int,
) -> None:
    """Issue 26: CDK gives an environment-agnostic stack 2 zones; ec2.Vpc would silently
    span 2 of the 3 asked for."""
    with pytest.raises(ConfigurationError) as caught:
        Network(make_stack("Agnostic"), "Network", max_azs=max_azs)
    assert_error(
        caught.value, "max_azs", max_azs, "at most 2 Availability Zones", "environment-agnostic"
    )


def test_fails_when_a_concrete_stack_asks_for_more_zones_than_its_region_records() -> None:
    app = new_app(cdk_json=CDK_JSON)
    env = cdk.Environment(account="123456789012", region="eu-west-1")
    stack = cdk.Stack(app, "Ireland", env=env)
    with pytest.raises(ConfigurationError) as caught:
        Network(stack, "Network", max_azs=4)
    assert_error(caught.value, "max_azs", 4, "at most 3", "cdk.context.json records 3")


def test_two_zones_in_an_environment_agnostic_stack_and_named_zones_are_accepted() -> None:
    Network(make_stack("Two"), "Network", max_azs=2)
    named = Network(make_stack("Named"), "Network", availability_zones=["x-1a", "x-1b", "x-1c"])
    assert len(named.vpc.availability_zones) == 3


def test_subnet_mask_sizes_every_subnet_of_the_new_vpc() -> None:
    """Issue 26: peers size their subnets /20 to /21; the default stays /24."""
    stack = make_stack("Wide")
    Network(stack, "Network", subnet_mask=20)
    masks = {
        cast(ec2.CfnSubnet, c).cidr_block.split("/")[1]
        for c in stack.node.find_all()
        if isinstance(c, ec2.CfnSubnet)
    }
    assert masks == {"20"}


@pytest.mark.parametrize(
    ("options", "value", "allowed"),
    [
        ({"subnet_mask": 15}, 15, "16 to 28"),
        ({"subnet_mask": 29}, 29, "16 to 28"),
        ({"subnet_mask": 17, "cidr": "10.0.0.0/16"}, 17, "/18 or longer"),
        ({"subnet_mask": 21, "cidr": "10.0.0.0/20"}, 21, "/22 or longer"),
    ],
)
def test_fails_when_the_subnets_do_not_fit(
    options: dict[str, Any], value: int, allowed: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Network(make_stack("Tight"), "Network", **options)
    assert_error(caught.value, "subnet_mask", value, allowed)


def test_fails_when_subnet_mask_is_not_an_int() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Network(make_stack("Text"), "Network", subnet_mask="20")  # type: ignore[arg-type]
    assert caught.value.field == "subnet_mask"
