"""Types at the boundary: every parameter of every public construct, option class and factory,
given odd input, raises ``ConfigurationError`` naming the parameter, or accepts the value.

The matrix is generated from the signatures: each case replaces one argument of a valid call
with a value of the wrong type, ``None``, a bool, a number as a string, a float, a huge number,
a CDK string token or a CDK number token. No case may end in a raw ``TypeError``,
``AttributeError``, ``RecursionError`` or jsii error, and no message may print a token's
encoding. Every construct an odd value was accepted for is then synthesized, with cdk-nag and
cfn-lint, in one app per class.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from constructs_ecs import (
    AccessLogs,
    CapacityProviderOptions,
    ClusterLogs,
    ConfigurationError,
    ContainerAgent,
    EcsCluster,
    ImageRepository,
    InstanceImage,
    LoadBalancer,
    Network,
    Placement,
    PlainHttp,
    PlatformStack,
    Routing,
    Scaling,
    ScheduledTask,
    ServiceConnect,
    ServiceNetwork,
    ServicesStack,
    SpotOptions,
    TargetHealthCheck,
    WebService,
    WorkerService,
    enforce_resource_budget,
)
from constructs_ecs.testing import assert_cfn_lint_clean, synth
from tests.factories import TEST_HTTP, Platform, web_spec, worker_spec

STRING_TOKEN = cdk.Token.as_string(cdk.Fn.ref("Param"))
NUMBER_TOKEN = cdk.Token.as_number(cdk.Fn.ref("Count"))
"""References to the parameters every platform of this test defines (so a template that holds
one is valid)."""
ODD: dict[str, Any] = {
    "object": object(),
    "None": None,
    "bool": True,
    "number-as-string": "2",
    "float": 2.5,
    "huge": 10**30,
    "string-token": STRING_TOKEN,
    "number-token": NUMBER_TOKEN,
    "empty-list": [],
    "duration-token": cdk.Duration.seconds(NUMBER_TOKEN),
}


@dataclass
class Subject:
    """How to call one public callable validly; ``call(**overrides)`` calls it."""

    name: str
    target: Callable[..., Any]
    valid: Callable[[Platform, str], dict[str, Any]]
    positional: tuple[str, ...] = ()


def _construct(kind: Any, extra: Callable[[Platform], dict[str, Any]]) -> Callable[..., Any]:
    def valid(platform: Platform, construct_id: str) -> dict[str, Any]:
        return {"scope": platform.stack, "construct_id": construct_id, **extra(platform)}

    return valid


SUBJECTS = [
    Subject("Network", Network, _construct(Network, lambda p: {}), ("scope", "construct_id")),
    Subject(
        "EcsCluster",
        EcsCluster,
        _construct(EcsCluster, lambda p: {"vpc": p.cluster.vpc}),
        ("scope", "construct_id"),
    ),
    Subject(
        "LoadBalancer",
        LoadBalancer,
        _construct(LoadBalancer, lambda p: {"vpc": p.cluster.vpc, "plain_http": TEST_HTTP}),
        ("scope", "construct_id"),
    ),
    Subject(
        "ImageRepository",
        ImageRepository,
        _construct(ImageRepository, lambda p: {}),
        ("scope", "construct_id"),
    ),
    Subject(
        "WebService",
        WebService,
        _construct(
            WebService,
            lambda p: {
                "cluster": p.cluster,
                "load_balancer": p.load_balancer,
                "task_definition": web_spec("web"),
                # each case its own route: two identical ones are refused (not the point here)
                "routing": Routing(path_patterns=[f"/{len(p.stack.node.children)}/*"]),
            },
        ),
        ("scope", "construct_id"),
    ),
    Subject(
        "WorkerService",
        WorkerService,
        _construct(
            WorkerService, lambda p: {"cluster": p.cluster, "task_definition": worker_spec()}
        ),
        ("scope", "construct_id"),
    ),
    Subject(
        "ScheduledTask",
        ScheduledTask,
        _construct(
            ScheduledTask,
            lambda p: {
                "cluster": p.cluster,
                "task_definition": worker_spec(),
                "schedule": scheduler.ScheduleExpression.cron(hour="2", minute="0"),
            },
        ),
        ("scope", "construct_id"),
    ),
    Subject("Placement", Placement, lambda p, i: {}),
    Subject("Scaling", Scaling, lambda p, i: {"min_count": 1, "max_count": 2}),
    Subject("TargetHealthCheck", TargetHealthCheck, lambda p, i: {}),
    Subject("ServiceConnect", ServiceConnect, lambda p, i: {}),
    Subject("Routing", Routing, lambda p, i: {}),
    Subject("ServiceNetwork", ServiceNetwork, lambda p, i: {}),
    Subject("ContainerAgent", ContainerAgent, lambda p, i: {}),
    Subject("ClusterLogs", ClusterLogs, lambda p, i: {}),
    Subject("PlainHttp", PlainHttp, lambda p, i: {"reason": "Internal test traffic only."}),
    Subject("AccessLogs", AccessLogs, lambda p, i: {}),
    Subject(
        "SpotOptions",
        SpotOptions,
        lambda p, i: {"instance_types": [ec2.InstanceType("t3a.medium")]},
    ),
    Subject("CapacityProviderOptions", CapacityProviderOptions, lambda p, i: {}),
    Subject("InstanceImage.amazon_linux_2023", InstanceImage.amazon_linux_2023, lambda p, i: {}),
    Subject(
        "InstanceImage.bottlerocket", InstanceImage.bottlerocket, lambda p, i: {"version": "1.54.0"}
    ),
    Subject(
        "InstanceImage.custom",
        InstanceImage.custom,
        lambda p, i: {"machine_image": ec2.MachineImage.latest_amazon_linux2023()},
    ),
    Subject("enforce_resource_budget", enforce_resource_budget, lambda p, i: {"scope": p.stack}),
]


def signature_of(target: Callable[..., Any]) -> inspect.Signature:
    """The signature a user calls: a construct's ``__init__`` (a jsii class's metaclass makes
    ``inspect.signature(cls)`` read ``(*args, **kwargs)``)."""
    if isinstance(target, type) and issubclass(target, Construct):
        return inspect.signature(target.__init__)
    return inspect.signature(target)


def parameters(subject: Subject) -> list[str]:
    return [
        name
        for name, p in signature_of(subject.target).parameters.items()
        if name not in ("self", "cls") and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]


def test_the_matrix_covers_every_keyword_of_every_subject() -> None:
    """Guards the generator: a construct's keywords are in it (they once were not)."""
    covered = {subject.name: set(parameters(subject)) for subject in SUBJECTS}
    assert {"vpc", "instance_type", "max_capacity", "agent", "logs"} <= covered["EcsCluster"]
    assert {"desired_count", "routing", "task_definition"} <= covered["WebService"]
    assert all(covered.values()), [name for name, found in covered.items() if not found]


CASES = [
    pytest.param(subject, parameter, odd, id=f"{subject.name}-{parameter}-{odd}")
    for subject in SUBJECTS
    for parameter in parameters(subject)
    for odd in ODD
]


@dataclass
class Run:
    platform: Platform
    counter: int = 0

    def next_id(self) -> str:
        self.counter += 1
        return f"Case{self.counter}"


RUNS: dict[str, Run] = {}


def run_for(subject: Subject) -> Run:
    """One platform per subject: the accepted cases are defined in it, side by side."""
    if subject.name not in RUNS:
        name = "".join(part.title() for part in subject.name.replace(".", "_").split("_"))
        run = RUNS[subject.name] = Run(Platform(f"Boundary{name}"))
        cdk.CfnParameter(run.platform.stack, "Param", type="String")
        cdk.CfnParameter(run.platform.stack, "Count", type="Number")
        cdk.CfnOutput(  # a use of each, whatever the cases accepted
            run.platform.stack,
            "Params",
            value=cdk.Fn.join(",", [cdk.Fn.ref("Param"), cdk.Fn.ref("Count")]),
        )
    return RUNS[subject.name]


def call(subject: Subject, run: Run, parameter: str, value: Any) -> Any:
    construct_id = run.next_id()
    arguments = subject.valid(run.platform, construct_id)
    arguments[parameter] = value
    args = [arguments.pop(name) for name in subject.positional]
    return subject.target(*args, **arguments)


@pytest.mark.parametrize(("subject", "parameter", "odd"), CASES)
def test_odd_input_is_refused_naming_the_parameter_or_accepted(
    subject: Subject, parameter: str, odd: str
) -> None:
    run = run_for(subject)
    value = ODD[odd]
    error: ConfigurationError | None = None
    try:
        call(subject, run, parameter, value)
    except ConfigurationError as raised:
        error = raised
    # Anything else (TypeError, AttributeError, RuntimeError from jsii) fails the test.
    if error is not None:
        message = str(error)
        # The parameter is the field, or a rule across parameters names it.
        assert parameter in error.field or parameter in message, (error.field, message)
        assert "Token[" not in message, message
        assert len(message) < 1500, message


@pytest.mark.parametrize("subject", [s for s in SUBJECTS if s.positional], ids=lambda s: s.name)
def test_what_odd_input_was_accepted_for_synthesizes_clean(subject: Subject) -> None:
    """Runs after the matrix (pytest keeps file order): every accepted odd value's construct,
    synthesized with cdk-nag; cfn-lint on the template."""
    run = run_for(subject)
    stack = run.platform.stack
    app = cdk.Stage.of(stack)
    assert app is not None
    for artifact in synth(app, allow_warnings=True).stacks:
        assert_cfn_lint_clean(artifact.template)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda p: WebService(p.stack, "W", cluster=p.cluster, desired_countt=2), "desired_countt"),
        (lambda p: Network(p.stack), "Network"),
        (lambda p: EcsCluster(p.stack, "C", vpc="vpc-123"), "vpc"),
        (lambda p: Network(p.stack, "N", vpc="vpc-123"), "vpc"),
        (lambda p: Network(p.stack, "N", max_azs=2.5), "max_azs"),
        (lambda p: Network(p.stack, "N", vpc_endpoints="yes"), "vpc_endpoints"),
        (lambda p: EcsCluster(p.stack, "C", vpc=p.cluster.vpc, max_capacity=10**9), "max_capacity"),
        (
            lambda p: WebService(
                p.stack,
                "W",
                cluster=p.cluster,
                load_balancer=p.load_balancer,
                task_definition=web_spec(),
                desired_count=10**9,
            ),
            "desired_count",
        ),
        (
            lambda p: WebService(
                p.stack,
                "W",
                cluster=p.cluster,
                load_balancer=p.load_balancer,
                task_definition={"family": "x"},
            ),
            "task_definition",
        ),
        (
            lambda p: WebService(
                p.stack,
                "W",
                cluster=p.cluster,
                load_balancer=p.load_balancer,
                task_definition=web_spec(),
                routing=Routing(path_patterns="/api/*"),
            ),
            "routing.path_patterns",
        ),
        (
            lambda p: ScheduledTask(
                p.stack,
                "S",
                cluster=p.cluster,
                task_definition=worker_spec(),
                schedule=scheduler.ScheduleExpression.expression("cron(0 2 * * *)"),
            ),
            "schedule",
        ),
        (
            lambda p: ScheduledTask(
                p.stack,
                "S",
                cluster=p.cluster,
                task_definition=worker_spec(),
                schedule=scheduler.ScheduleExpression.cron(hour="25"),
            ),
            "schedule",
        ),
        (lambda p: TargetHealthCheck(interval=15), "health_check.interval"),
        (lambda p: AccessLogs(retention=30), "access_logs.retention"),
        (lambda p: AccessLogs(bucket="my-logs"), "access_logs.bucket"),
        (lambda p: Scaling(min_count="1", max_count=2), "scaling.min_count"),
    ],
)
def test_the_inputs_the_issue_names_are_refused(
    build: Callable[[Platform], Any], field: str
) -> None:
    platform = Platform("Named")
    with pytest.raises(ConfigurationError) as caught:
        build(platform)
    assert caught.value.field == field


def test_an_instance_type_given_by_name_is_accepted() -> None:
    platform = Platform("ByName")
    cluster = EcsCluster(
        platform.stack, "Named", vpc=platform.cluster.vpc, instance_type="m7g.large"
    )
    assert cluster.instance_types[0].to_string() == "m7g.large"
    stack = PlatformStack(cdk.App(), "Platform", instance_type="t3.large", plain_http=TEST_HTTP)
    assert stack.cluster.instance_types[0].to_string() == "t3.large"


def test_services_stack_refuses_a_platform_of_the_wrong_kind() -> None:
    app = cdk.App()
    with pytest.raises(ConfigurationError, match=r"^platform: got "):
        ServicesStack(app, "Services", platform=cdk.Stack(app, "NotAPlatform"))


def test_scope_must_be_a_construct() -> None:
    with pytest.raises(ConfigurationError, match=r"^scope: got "):
        Network("stack", "Network")  # type: ignore[arg-type]
    assert isinstance(Platform("Ok").stack, Construct)


CONSTRUCT_SUBJECTS = [s for s in SUBJECTS if "construct_id" in parameters(s)]


@pytest.mark.parametrize("subject", CONSTRUCT_SUBJECTS, ids=lambda s: s.name)
def test_fails_when_the_construct_id_is_taken_in_its_scope(subject: Subject) -> None:
    """A second child of the same id is refused naming ``construct_id`` (constructs' own
    refusal is a RuntimeError from Node that names no parameter)."""
    platform = Platform(f"Taken{subject.name}")
    cdk.CfnResource(platform.stack, "Taken", type="AWS::SNS::Topic")
    with pytest.raises(ConfigurationError) as caught:
        subject.target(**subject.valid(platform, "Taken"))
    assert caught.value.field == "construct_id"
    assert str(caught.value).startswith("construct_id: got 'Taken'; an id no other construct in")


def test_fails_when_a_stack_id_is_taken_in_the_app() -> None:
    app = cdk.App()
    PlatformStack(app, "Platform", plain_http=TEST_HTTP)
    with pytest.raises(ConfigurationError, match=r"^construct_id: got 'Platform'; .* the app"):
        PlatformStack(app, "Platform", plain_http=TEST_HTTP)


def test_a_child_id_clash_inside_a_construct_is_not_blamed_on_its_id() -> None:
    """Only the construct's own id is reported as taken: here ``Outer`` is free in the stack,
    and the clash is between two children it makes."""
    from constructs import Construct

    from constructs_ecs._arguments import checked

    class Outer(Construct):
        @checked()
        def __init__(self, scope: Construct, construct_id: str) -> None:
            super().__init__(scope, construct_id)
            Construct(self, "Inner")
            Construct(self, "Inner")

    stack = cdk.Stack(cdk.App(), "Clash")
    with pytest.raises(RuntimeError, match="There is already a Construct with name 'Inner'"):
        Outer(stack, "Outer")
    with pytest.raises(ConfigurationError, match=r"^construct_id: got 'Outer'; .*'Clash'"):
        Outer(stack, "Outer")  # the first one's node was added before its children clashed


@pytest.mark.parametrize("name", ["t3.nonexistent", "T3.large", "t3.", "t3.0xlarge", "t3 .large"])
def test_fails_when_the_instance_type_name_has_no_ec2_size(name: str) -> None:
    platform = Platform("BadSize")
    with pytest.raises(ConfigurationError, match=r"^instance_type: got .*e\.g\. 't3\.medium'"):
        EcsCluster(platform.stack, "Other", vpc=platform.cluster.vpc, instance_type=name)


@pytest.mark.parametrize("name", ["u-6tb1.metal", "mac2-m2pro.metal"])
def test_fails_when_aws_cdk_lib_cannot_read_the_instance_types_architecture(name: str) -> None:
    platform = Platform("Unreadable")
    with pytest.raises(ConfigurationError, match=r"^instance_type: got .*architecture"):
        EcsCluster(platform.stack, "Other", vpc=platform.cluster.vpc, instance_type=name)


@pytest.mark.parametrize("name", ["c7i.metal-24xl", "t3.2xlarge", "m7i-flex.large", "r8g.metal"])
def test_instance_type_names_of_every_ec2_size_are_accepted(name: str) -> None:
    platform = Platform("Sizes")
    cluster = EcsCluster(
        platform.stack, f"Other-{name}", vpc=platform.cluster.vpc, instance_type=name
    )
    assert cluster.instance_types[0].to_string() == name
