"""Load-balancer shards: a platform's several load balancers, each ServicesStack on the one it
names, capacity counted in rules and target groups, and stability under change (issue 18)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_ecs import (
    ConfigurationError,
    PlatformStack,
    Routing,
    ServicesStack,
    WebService,
)
from constructs_ecs.load_balancer._routes import Route, RouteTable
from constructs_ecs.testing import assert_cfn_lint_clean, new_app, synth
from tests.conftest import CDK_JSON
from tests.factories import TEST_HTTP, web_spec

RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
QUOTA = 3
"""A lowered rule quota (``max_rules_per_load_balancer``): a few services fill a shard."""


def web(stack: ServicesStack, name: str, *, host: bool = False) -> WebService:
    """A service routed by path, or with ``host`` by host name."""
    routing = (
        Routing(host_headers=[f"{name}.example.com"])
        if host
        else Routing(path_patterns=[f"/{name}/*"])
    )
    return WebService(
        stack,
        name.capitalize(),
        cluster=stack.cluster,
        load_balancer=stack.load_balancer,
        task_definition=web_spec(name),
        routing=routing,
    )


@dataclass
class Layout:
    """What an app holds: services stacks, each with its shard and its services (and whether
    each is routed by host)."""

    stacks: dict[str, tuple[int, dict[str, bool]]] = field(default_factory=dict)

    def copy(self) -> Layout:
        return Layout({k: (s, dict(names)) for k, (s, names) in self.stacks.items()})


def build(layout: Layout, *, order: random.Random | None = None, nag: bool = False) -> cdk.App:
    """The layout's app; with ``order``, stacks and services are defined in a shuffled order."""
    app = new_app({"aws:cdk:enable-path-metadata": True}, cdk_json=CDK_JSON, nag=nag)
    platform = PlatformStack(
        app, "Platform", max_rules_per_load_balancer=QUOTA, plain_http=TEST_HTTP
    )
    stacks = list(layout.stacks.items())
    if order is not None:
        order.shuffle(stacks)
    for stack_id, (shard, services) in stacks:
        if not services:
            continue  # a stack with no resources is not a template CloudFormation takes
        stack = ServicesStack(app, stack_id, platform=platform, shard=shard)
        names = list(services.items())
        if order is not None:
            order.shuffle(names)
        for name, host in names:
            web(stack, name, host=host)
    return app


def resources_by_owner(app: cdk.App) -> dict[str, dict[str, Any]]:
    """``{owner: {logical id: resource}}``: an owner is a service (``Stack/Service``) or, for
    what no service holds, the stack."""
    owners: dict[str, dict[str, Any]] = {}
    for artifact in synth(app).stacks:
        for logical_id, resource in artifact.template["Resources"].items():
            path = resource.get("Metadata", {}).get("aws:cdk:path", "")
            parts = path.split("/")
            owner = "/".join(parts[:2]) if artifact.stack_name != "Platform" else "Platform"
            owners.setdefault(owner, {})[logical_id] = resource
        outputs = artifact.template.get("Outputs", {})
        owners.setdefault(f"{artifact.stack_name}#Outputs", {}).update(outputs)
    return owners


# ------------------------------------------------------------------------------- layout


@pytest.fixture(scope="module")
def two_shards() -> tuple[cdk.App, dict[str, dict[str, Any]]]:
    layout = Layout(
        {
            "Shop": (1, {"cart": False, "orders": True}),
            "Blog": (2, {"posts": False, "feeds": True}),
        }
    )
    app = build(layout, nag=True)
    templates = {a.stack_name: a.template for a in synth(app).stacks}
    return app, templates


def test_each_services_stack_routes_on_the_shard_it_names(
    two_shards: tuple[cdk.App, dict[str, dict[str, Any]]],
) -> None:
    app, templates = two_shards
    platform = app.node.find_child("Platform")
    assert isinstance(platform, PlatformStack)
    shop, blog = app.node.find_child("Shop"), app.node.find_child("Blog")
    assert isinstance(shop, ServicesStack)
    assert isinstance(blog, ServicesStack)
    assert list(platform.load_balancers) == [1, 2]
    assert shop.load_balancer is platform.load_balancer is platform.load_balancers[1]
    assert blog.load_balancer is platform.load_balancers[2]
    assert (shop.shard, blog.shard) == (1, 2)
    assert platform.load_balancers[2].node.id == "LoadBalancer2"
    assert [lb.rule_count for lb in platform.load_balancers.values()] == [2, 2]
    assert [lb.target_group_count for lb in platform.load_balancers.values()] == [2, 2]

    def listeners(stack: str) -> set[str]:
        rules = [r for r in templates[stack]["Resources"].values() if r["Type"] == RULE]
        return {json.dumps(r["Properties"]["ListenerArn"]) for r in rules}

    assert len(listeners("Shop")) == len(listeners("Blog")) == 1
    assert listeners("Shop") != listeners("Blog")
    assert "LoadBalancer2" in next(iter(listeners("Blog")))
    loads = [r for r in templates["Platform"]["Resources"].values() if r["Type"] == LOAD_BALANCER]
    assert len(loads) == 2


def test_host_routing_and_the_priority_bands_on_every_shard(
    two_shards: tuple[cdk.App, dict[str, dict[str, Any]]],
) -> None:
    """Each shard's listener: the host-routed service in the HOST band, the path-routed one in
    the PATH band, both at the number its construct path derives."""
    _, templates = two_shards
    from constructs_ecs.load_balancer._routes import Band, preferred_priority

    for stack, (path_routed, host_routed) in {
        "Shop": ("Cart", "Orders"),
        "Blog": ("Posts", "Feeds"),
    }.items():
        rules = {
            r["Metadata"]["aws:cdk:path"].split("/")[1]: r["Properties"]
            for r in templates[stack]["Resources"].values()
            if r["Type"] == RULE
        }
        assert rules[host_routed]["Priority"] == preferred_priority(
            f"{stack}/{host_routed}", Band.HOST
        )
        assert rules[host_routed]["Conditions"] == [
            {
                "Field": "host-header",
                "HostHeaderConfig": {"Values": [f"{host_routed.lower()}.example.com"]},
            }
        ]
        assert rules[path_routed]["Priority"] == preferred_priority(
            f"{stack}/{path_routed}", Band.PATH
        )


def test_every_shards_dns_name_is_an_output(
    two_shards: tuple[cdk.App, dict[str, dict[str, Any]]],
) -> None:
    _, templates = two_shards
    template = templates["Platform"]
    by_path = {
        r["Metadata"]["aws:cdk:path"]: k
        for k, r in template["Resources"].items()
        if r["Type"] == LOAD_BALANCER
    }
    for output, construct_id in (
        ("LoadBalancerDnsName", "LoadBalancer"),
        ("LoadBalancer2DnsName", "LoadBalancer2"),
    ):
        logical_id = by_path[f"Platform/{construct_id}/LoadBalancer/Resource"]
        assert template["Outputs"][output]["Value"] == {"Fn::GetAtt": [logical_id, "DNSName"]}
        assert "Export" not in template["Outputs"][output]


def test_shards_log_to_the_first_shards_bucket(
    two_shards: tuple[cdk.App, dict[str, dict[str, Any]]],
) -> None:
    _, templates = two_shards
    resources = templates["Platform"]["Resources"]
    buckets = [k for k, r in resources.items() if r["Type"] == "AWS::S3::Bucket"]
    logging = {
        k: {a["Key"]: a["Value"] for a in r["Properties"]["LoadBalancerAttributes"]}
        for k, r in resources.items()
        if r["Type"] == LOAD_BALANCER
    }
    targets = {json.dumps(a["access_logs.s3.bucket"]) for a in logging.values()}
    assert len(targets) == 1, targets
    (bucket,) = [b for b in buckets if b in next(iter(targets))]
    assert bucket.startswith("LoadBalancer")


def test_the_platform_of_two_shards_passes_cfn_lint(
    two_shards: tuple[cdk.App, dict[str, dict[str, Any]]],
) -> None:
    """cdk-nag ran on every stack in the fixture's synth (it fails on any finding); a services
    stack on shard 2 differs from one on shard 1 only in the listener it names."""
    assert_cfn_lint_clean(two_shards[1]["Platform"])


# --------------------------------------------------------------------------- capacity


def test_fails_when_a_shard_is_full_naming_another_shard() -> None:
    app = new_app(cdk_json=CDK_JSON, nag=False)
    platform = PlatformStack(app, "Platform", max_rules_per_load_balancer=2, plain_http=TEST_HTTP)
    stack = ServicesStack(app, "Shop", platform=platform)
    web(stack, "cart")
    web(stack, "orders")
    with pytest.raises(
        ConfigurationError,
        match=r"^add_route: got 'Shop/Payments'; at most 2 rules on one Application Load "
        r"Balancer \(its quota\): shard 1 of the platform 'Platform' is full; .*"
        r"ServicesStack\(\.\.\., shard=<n>\)",
    ):
        web(stack, "payments")
    # What the message says works: the next stack, on shard 2.
    overflow = ServicesStack(app, "ShopMore", platform=platform, shard=2)
    assert web(overflow, "payments").listener_rule is not None


def test_target_groups_count_against_their_own_limit_whatever_the_rule_quota() -> None:
    """100 target groups per load balancer (not adjustable) bind before a raised rule quota."""
    table = RouteTable(max_rules=150)
    for index in range(100):
        table.add(Route(owner=f"S/Svc{index}", hosts=(), paths=(f"/s{index}/*",)))
    assert (len(table), table.target_group_count) == (100, 100)
    with pytest.raises(ConfigurationError, match=r"at most 100 target groups .*100 in use"):
        table.add(Route(owner="S/Svc100", hosts=(), paths=("/s100/*",)))


def test_a_route_of_two_target_groups_counts_two() -> None:
    """A blue/green service forwards to two target groups."""
    table = RouteTable(max_rules=10, max_target_groups=3)
    table.add(Route(owner="S/Blue", hosts=(), paths=("/b/*",), target_groups=2))
    assert table.target_group_count == 2
    with pytest.raises(ConfigurationError, match=r"2 in use, this route adds 2"):
        table.add(Route(owner="S/Green", hosts=(), paths=("/g/*",), target_groups=2))
    table.add(Route(owner="S/Plain", hosts=(), paths=("/p/*",)))
    assert (len(table), table.target_group_count) == (2, 3)


@pytest.mark.parametrize(
    "shard",
    [0, 51, -1, True, "2", 2.5, None, cdk.Token.as_number(cdk.Fn.ref("Shard"))],
    ids=["0", "51", "-1", "True", "str", "2.5", "None", "token"],
)
def test_fails_when_the_shard_is_not_a_number_from_1_to_50(shard: Any) -> None:
    app = cdk.App()
    platform = PlatformStack(app, "Platform", plain_http=TEST_HTTP)
    with pytest.raises(ConfigurationError) as caught:
        ServicesStack(app, "Services", platform=platform, shard=shard)
    assert caught.value.field == "shard"
    assert "Token[" not in str(caught.value)
    assert "e+" not in str(caught.value)
    assert list(platform.load_balancers) == [1]


@pytest.mark.parametrize(
    "quota",
    [0, -5, "100", cdk.Token.as_number(cdk.Fn.ref("Quota"))],
    ids=["0", "-5", "str", "token"],
)
def test_fails_when_the_rule_quota_is_not_a_whole_number_of_rules(quota: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        PlatformStack(
            cdk.App(), "Platform", max_rules_per_load_balancer=quota, plain_http=TEST_HTTP
        )
    assert caught.value.field in ("max_rules_per_load_balancer", "max_rules")
    assert "Token[" not in str(caught.value)
    assert "e+" not in str(caught.value)


# -------------------------------------------------------------------------- stability


def test_services_coming_and_going_never_move_another_service() -> None:
    """Random insertions and removals (fixed seed), each app defined in a shuffled order:
    between two consecutive assemblies, every service in both is byte-identical (its load
    balancer, rule priority, logical ids and all), and so is every platform resource and output
    in both. A new shard is a new ServicesStack on the next number; a full shard is refused."""
    rng = random.Random(18)
    layout = Layout({"Team1": (1, {}), "Team2": (1, {})})
    names = iter(f"svc{n}" for n in range(1000))
    previous: dict[str, dict[str, Any]] | None = None
    shards_seen: set[int] = set()
    moved_between: list[tuple[int, str]] = []
    for step in range(7):
        for _ in range(rng.randint(1, 4)):
            _mutate(layout, rng, names)
        current = resources_by_owner(build(layout, order=rng))
        shards_seen |= {shard for shard, _ in layout.stacks.values()}
        if previous is not None:
            for owner in previous.keys() & current.keys():
                if owner == "Platform" or owner.endswith("#Outputs"):
                    common = previous[owner].keys() & current[owner].keys()
                    before = {k: _placeholder_free(previous[owner][k]) for k in common}
                    after = {k: _placeholder_free(current[owner][k]) for k in common}
                else:
                    before, after = previous[owner], current[owner]
                if before != after:
                    moved_between.append((step, owner))
        previous = current
    assert not moved_between
    assert len(shards_seen) >= 3, shards_seen  # the walk filled shards and opened new ones


def _placeholder_free(resource: dict[str, Any]) -> dict[str, Any]:
    """``resource`` without aws-cdk-lib's "Disallow all traffic" egress placeholder: a
    security group that sends nothing carries it until its first egress rule, so a shard's
    group loses it when its first service opens a port (a change of that service's own)."""
    egress = resource.get("Properties", {}).get("SecurityGroupEgress")
    if not egress:
        return resource
    kept = [rule for rule in egress if rule.get("Description") != "Disallow all traffic"]
    properties = {**resource["Properties"], "SecurityGroupEgress": kept}
    if not kept:
        del properties["SecurityGroupEgress"]
    return {**resource, "Properties": properties}


def _mutate(layout: Layout, rng: random.Random, names: Any) -> None:
    """Insert a service (into a stack whose shard has room, or a new stack on a new shard),
    remove one, or remove a whole stack."""
    services = [(s, n) for s, (_, names_) in layout.stacks.items() for n in names_]
    if len(layout.stacks) > 2 and rng.random() < 0.1:
        del layout.stacks[rng.choice(sorted(layout.stacks))]
        return
    if services and rng.random() < 0.35:
        stack, name = rng.choice(services)
        del layout.stacks[stack][1][name]
        return
    used: dict[int, int] = {}
    for shard, names_ in layout.stacks.values():
        used[shard] = used.get(shard, 0) + len(names_)
    open_stacks = [s for s, (shard, _) in layout.stacks.items() if used[shard] < QUOTA]
    if open_stacks:
        stack = rng.choice(sorted(open_stacks))
    else:
        shard = max(used) + 1
        stack = f"Team{next(names)}"
        layout.stacks[stack] = (shard, {})
    layout.stacks[stack][1][next(names)] = rng.random() < 0.3
