"""The force-delete custom resource always answers CloudFormation, within a bounded time.

The handler's source (the string inlined into the template) runs here on every path, its AWS
clients stubbed with botocore's ``Stubber`` (or, where botocore is not installed, a minimal
stand-in with the same interface), its clock and its response PUT faked: create, update,
delete while the stack goes away, delete when the stack stays, a group stuck deleting, access
denied, throttling, and a response PUT that fails. The construct's side is checked in the
template: a ``ServiceTimeout`` longer than the function's timeout and well under an hour.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.error import URLError

import pytest
from aws_cdk import aws_ec2 as ec2

from constructs_ecs.cluster import CapacityProviderOptions, EcsCluster, _force_delete
from constructs_ecs.testing import assert_cfn_lint_clean, template_of
from tests.conftest import make_stack

GROUP = "Platform-ClusterAutoScalingGroupASG-1A2B3C"
STACK_ID = "arn:aws:cloudformation:eu-west-1:123456789012:stack/Platform/0a1b2c3d"
SOURCE = _force_delete._FORCE_DELETE_HANDLER.strip() + "\n"

# The real Stubber where boto3 is installed (aws-cdk-lib does not bring it), else a stand-in.
REAL_BOTOCORE = all(importlib.util.find_spec(name) for name in ("boto3", "botocore"))


# -- a stand-in for boto3/botocore, used only when they are not installed ----------------------


class _FakeClientError(Exception):
    """botocore.exceptions.ClientError: ``response`` and the same message format."""

    def __init__(self, error_response: dict[str, Any], operation_name: str) -> None:
        self.response = error_response
        error = error_response["Error"]
        super().__init__(
            f"An error occurred ({error['Code']}) when calling the {operation_name} "
            f"operation: {error['Message']}"
        )


class _FakeConfig:
    """botocore.config.Config: keeps what it is given, as attributes."""

    def __init__(self, **options: Any) -> None:
        self.__dict__.update(options)


class _FakeClient:
    """A client that answers only from the stubbed queue, in order, checking parameters."""

    def __init__(self, service: str, config: _FakeConfig) -> None:
        self.service = service
        self.config = config
        self.queue: list[tuple[str, dict[str, Any] | None, Any]] = []

    def __getattr__(self, method: str) -> Any:
        operation = "".join(part.title() for part in method.split("_"))

        def call(**params: Any) -> Any:
            assert self.queue, f"unexpected call {self.service}.{method}({params})"
            expected_method, expected_params, answer = self.queue.pop(0)
            assert method == expected_method, f"{method} called, {expected_method} expected"
            if expected_params is not None:
                assert params == expected_params
            if isinstance(answer, dict) and "Error" in answer:
                raise _FakeClientError(answer, operation)
            return answer

        return call


class _FakeStubber:
    """The part of botocore.stub.Stubber's interface these tests use."""

    def __init__(self, client: _FakeClient) -> None:
        self.client = client

    def add_response(
        self, method: str, service_response: Any, expected_params: dict[str, Any] | None = None
    ) -> None:
        self.client.queue.append((method, expected_params, service_response))

    def add_client_error(
        self,
        method: str,
        service_error_code: str = "",
        service_message: str = "",
        http_status_code: int = 400,
        expected_params: dict[str, Any] | None = None,
    ) -> None:
        error = {
            "Error": {"Code": service_error_code, "Message": service_message},
            "ResponseMetadata": {"HTTPStatusCode": http_status_code},
        }
        self.client.queue.append((method, expected_params, error))

    def activate(self) -> None:
        pass

    def deactivate(self) -> None:
        pass

    def assert_no_pending_responses(self) -> None:
        assert not self.client.queue, f"responses not used: {self.client.queue}"


def _fake_modules() -> dict[str, types.ModuleType]:
    boto3 = types.ModuleType("boto3")
    boto3.client = lambda service, config: _FakeClient(service, config)  # type: ignore[attr-defined]
    botocore = types.ModuleType("botocore")
    config = types.ModuleType("botocore.config")
    config.Config = _FakeConfig  # type: ignore[attr-defined]
    exceptions = types.ModuleType("botocore.exceptions")
    exceptions.ClientError = _FakeClientError  # type: ignore[attr-defined]
    return {
        "boto3": boto3,
        "botocore": botocore,
        "botocore.config": config,
        "botocore.exceptions": exceptions,
    }


# -- the handler, loaded from the inline source ------------------------------------------------


class Clock:
    """time.sleep for the handler: advances a clock instead of waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Context:
    """The Lambda context: remaining time follows the fake clock."""

    clock: Clock
    timeout_ms: int = _force_delete.FUNCTION_TIMEOUT_SECONDS * 1000
    log_stream_name: str = "2026/11/30/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return int(self.timeout_ms - self.clock.now * 1000)


@dataclass
class Handler:
    """The handler module with its clients stubbed, its clock and its response PUT faked."""

    module: types.ModuleType
    autoscaling: Any
    cloudformation: Any
    clock: Clock
    sent: list[dict[str, Any]] = field(default_factory=list)
    put_failures: list[Exception] = field(default_factory=list)
    put_attempts: int = 0

    def urlopen(self, request: Any, timeout: float) -> Any:
        self.put_attempts += 1
        assert request.get_method() == "PUT"
        assert request.full_url == "https://cloudformation-custom-resource-response.example/r"
        # The presigned URL is signed without a content type: urllib must not add its own.
        assert request.get_header("Content-type") == ""
        assert 0 < timeout <= self.module.PUT_TIMEOUT
        if self.put_failures:
            raise self.put_failures.pop(0)
        self.sent.append(json.loads(request.data))
        return types.SimpleNamespace(close=lambda: None)

    def __call__(self, request_type: str, *, context: Context | None = None) -> dict[str, Any]:
        self.module.handler(event(request_type), context or Context(self.clock))
        self.autoscaling.assert_no_pending_responses()
        self.cloudformation.assert_no_pending_responses()
        assert len(self.sent) == 1, self.sent
        return self.sent[0]

    def stack_status(self, status: str) -> None:
        self.cloudformation.add_response(
            "describe_stacks",
            {"Stacks": [stack(status)]},
            {"StackName": STACK_ID},
        )

    def group_status(self, status: str | None) -> None:
        self.autoscaling.add_response(
            "describe_auto_scaling_groups",
            {"AutoScalingGroups": [] if status is None else [group(status)]},
            {"AutoScalingGroupNames": [GROUP]},
        )

    def deleted(self) -> None:
        self.autoscaling.add_response(
            "delete_auto_scaling_group", {}, {"AutoScalingGroupName": GROUP, "ForceDelete": True}
        )


def stack(status: str) -> dict[str, Any]:
    return {"StackName": "Platform", "StackId": STACK_ID, "CreationTime": "2026-11-30T12:00:00Z",
            "StackStatus": status}  # fmt: skip


def group(status: str) -> dict[str, Any]:
    found = {
        "AutoScalingGroupName": GROUP,
        "MinSize": 0,
        "MaxSize": 4,
        "DesiredCapacity": 1,
        "DefaultCooldown": 300,
        "AvailabilityZones": ["eu-west-1a"],
        "HealthCheckType": "EC2",
        "CreatedTime": "2026-11-30T12:00:00Z",
    }
    if status != "InService":  # DescribeAutoScalingGroups sets Status only while deleting
        found["Status"] = status
    return found


def event(request_type: str) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "ServiceToken": "arn:aws:lambda:eu-west-1:123456789012:function:ForceDelete",
        "ResponseURL": "https://cloudformation-custom-resource-response.example/r",
        "StackId": STACK_ID,
        "RequestId": "5d4e3f2a-request",
        "ResourceType": "Custom::AutoScalingGroupForceDelete",
        "LogicalResourceId": "ClusterForceDeleteOnDestroy0A1B2C3D",
        "ResourceProperties": {"AutoScalingGroupName": GROUP},
    }


@pytest.fixture
def handler(monkeypatch: pytest.MonkeyPatch) -> Iterator[Handler]:
    if REAL_BOTOCORE:
        from botocore.stub import Stubber

        monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
        stubber: Any = Stubber
    else:
        for name, module in _fake_modules().items():
            monkeypatch.setitem(sys.modules, name, module)
        stubber = _FakeStubber
    module = types.ModuleType("index")
    exec(compile(SOURCE, "index.py", "exec"), module.__dict__)
    clock = Clock()
    module.time = clock  # type: ignore[attr-defined]
    loaded = Handler(
        module=module,
        autoscaling=stubber(module.AUTOSCALING),
        cloudformation=stubber(module.CLOUDFORMATION),
        clock=clock,
    )
    module.urlopen = loaded.urlopen  # type: ignore[attr-defined]
    loaded.autoscaling.activate()
    loaded.cloudformation.activate()
    yield loaded
    loaded.autoscaling.deactivate()
    loaded.cloudformation.deactivate()


# -- every path answers --------------------------------------------------------------------------


@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_create_and_update_answer_success_without_calling_aws(
    handler: Handler, request_type: str
) -> None:
    response = handler(request_type)
    assert response == {
        "Status": "SUCCESS",
        "Reason": "see log stream 2026/11/30/[$LATEST]0123456789abcdef",
        "PhysicalResourceId": "force-delete-on-destroy",
        "StackId": STACK_ID,
        "RequestId": "5d4e3f2a-request",
        "LogicalResourceId": "ClusterForceDeleteOnDestroy0A1B2C3D",
    }
    assert handler.clock.sleeps == []


@pytest.mark.parametrize("stack_status", ["DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"])
def test_delete_force_deletes_the_group_and_waits_while_the_stack_goes_away(
    handler: Handler, stack_status: str
) -> None:
    handler.stack_status(stack_status)
    handler.group_status("InService")
    handler.deleted()
    handler.group_status("Delete in progress")
    handler.group_status("Delete in progress")
    handler.group_status(None)
    assert handler("Delete")["Status"] == "SUCCESS"
    assert handler.clock.sleeps == [handler.module.POLL_SECONDS] * 2


@pytest.mark.parametrize(
    "stack_status", ["UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS"]
)
def test_delete_leaves_the_group_alone_when_the_stack_stays(
    handler: Handler, stack_status: str
) -> None:
    handler.stack_status(stack_status)
    assert handler("Delete")["Status"] == "SUCCESS"


def test_delete_does_not_delete_a_group_already_deleting(handler: Handler) -> None:
    handler.stack_status("DELETE_IN_PROGRESS")
    handler.group_status("Delete in progress")
    handler.group_status(None)
    assert handler("Delete")["Status"] == "SUCCESS"


def test_delete_succeeds_when_the_group_is_already_gone(handler: Handler) -> None:
    handler.stack_status("DELETE_IN_PROGRESS")
    handler.group_status(None)
    handler.group_status(None)
    assert handler("Delete")["Status"] == "SUCCESS"


def _polls_until_late(module: types.ModuleType) -> int:
    """Calls made 15 s apart from t=0 until one finds less than RESERVE_MS left: one at 0, one
    after each poll that still found enough time."""
    timeout_ms = _force_delete.FUNCTION_TIMEOUT_SECONDS * 1000
    return int((timeout_ms - module.RESERVE_MS) // (module.POLL_SECONDS * 1000) + 2)


def test_a_group_stuck_deleting_fails_cleanly_before_the_deadline(handler: Handler) -> None:
    handler.stack_status("DELETE_IN_PROGRESS")
    handler.group_status("Delete in progress")
    module = handler.module
    for _ in range(_polls_until_late(module)):
        handler.group_status("Delete in progress")
    response = handler("Delete")
    assert response["Status"] == "FAILED"
    assert response["Reason"] == f"{GROUP} is still being deleted: delete the stack again later"
    remaining = Context(handler.clock).get_remaining_time_in_millis()
    assert module.RESERVE_MS - module.POLL_SECONDS * 1000 <= remaining < module.RESERVE_MS


@pytest.mark.parametrize(
    ("fail", "method"),
    [
        ("stack", "describe_stacks"),
        ("describe", "describe_auto_scaling_groups"),
        ("delete", "delete_auto_scaling_group"),
    ],
)
def test_access_denied_fails_at_once_with_the_reason(
    handler: Handler, fail: str, method: str
) -> None:
    message = (
        f"User: arn:aws:sts::123456789012:assumed-role/r/f is not authorized to perform: {method}"
    )
    code = "AccessDenied"
    if fail == "stack":
        handler.cloudformation.add_client_error(method, code, message, 403)
    else:
        handler.stack_status("DELETE_IN_PROGRESS")
        if fail == "describe":
            handler.autoscaling.add_client_error(method, code, message, 403)
        else:
            handler.group_status("InService")
            handler.autoscaling.add_client_error(method, code, message, 403)
    response = handler("Delete")
    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith("An error occurred (AccessDenied) when calling the ")
    assert message in response["Reason"]
    assert handler.clock.sleeps == []


def test_throttling_is_retried_then_succeeds(handler: Handler) -> None:
    handler.cloudformation.add_client_error("describe_stacks", "Throttling", "Rate exceeded")
    handler.stack_status("DELETE_IN_PROGRESS")
    handler.autoscaling.add_client_error(
        "describe_auto_scaling_groups", "Throttling", "Rate exceeded"
    )
    handler.group_status("InService")
    handler.autoscaling.add_client_error(
        "delete_auto_scaling_group", "ResourceContention", "pending update"
    )
    handler.deleted()
    handler.group_status(None)
    assert handler("Delete")["Status"] == "SUCCESS"
    assert handler.clock.sleeps == [handler.module.POLL_SECONDS] * 3


def test_throttling_that_never_stops_fails_before_the_deadline(handler: Handler) -> None:
    module = handler.module
    for _ in range(_polls_until_late(module)):
        handler.cloudformation.add_client_error("describe_stacks", "Throttling", "Rate exceeded")
    response = handler("Delete")
    assert response["Status"] == "FAILED"
    assert "(Throttling)" in response["Reason"]
    assert Context(handler.clock).get_remaining_time_in_millis() >= (
        module.RESERVE_MS - module.POLL_SECONDS * 1000
    )


def test_an_unexpected_error_still_answers(handler: Handler) -> None:
    broken = event("Delete")
    del broken["ResourceProperties"]["AutoScalingGroupName"]
    handler.stack_status("DELETE_IN_PROGRESS")
    handler.module.handler(broken, Context(handler.clock))
    assert [r["Status"] for r in handler.sent] == ["FAILED"]
    assert handler.sent[0]["Reason"] == "'AutoScalingGroupName'"


def test_a_failed_response_put_is_retried(handler: Handler) -> None:
    handler.put_failures = [URLError("connection reset"), TimeoutError("timed out")]
    assert handler("Create")["Status"] == "SUCCESS"
    assert handler.put_attempts == 3
    assert handler.clock.sleeps == [2, 4]


def test_a_response_put_that_keeps_failing_gives_up_without_raising(handler: Handler) -> None:
    attempts = handler.module.PUT_ATTEMPTS
    handler.put_failures = [URLError("unreachable")] * attempts
    handler.module.handler(event("Create"), Context(handler.clock))
    assert handler.sent == []
    assert handler.put_attempts == attempts


# -- the time budget -----------------------------------------------------------------------------


def _worst_call_seconds(config: Any) -> float:
    """One boto3 call at worst: every attempt times out, after standard mode's longest backoff
    (2**i s, at most 20, plus up to 5 more when the service asks with x-amz-retry-after)."""
    attempts = config.retries["total_max_attempts"]
    backoffs = sum(min(2**retry, 20) + 5 for retry in range(attempts - 1))
    return float(attempts * (config.connect_timeout + config.read_timeout) + backoffs)


def test_clients_have_timeouts_and_retries_within_the_deadline(handler: Handler) -> None:
    module = handler.module
    config = module.CONFIG
    assert config.retries["mode"] in ("standard", "adaptive")
    assert 2 <= config.retries["total_max_attempts"] <= 5
    assert 0 < config.connect_timeout <= 10
    assert 0 < config.read_timeout <= 30
    if not REAL_BOTOCORE:
        assert module.AUTOSCALING.config is config
        assert module.CLOUDFORMATION.config is config
    respond = module.PUT_ATTEMPTS * module.PUT_TIMEOUT + sum(
        2**attempt for attempt in range(1, module.PUT_ATTEMPTS)
    )
    # After the last check of the remaining time: one poll, one call, then the response.
    assert module.POLL_SECONDS + _worst_call_seconds(config) + respond < module.RESERVE_MS / 1000


def test_handler_fits_an_inline_zip_file_with_room_to_spare() -> None:
    """CloudFormation's old 4,096-character ZipFile limit (now 4 MB zipped) as a size budget."""
    assert len(SOURCE) <= 4096
    compile(SOURCE, "index.py", "exec")


# -- the template: ServiceTimeout -----------------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    stack = make_stack("ForceDelete")
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        private_subnet_ids=["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
        private_subnet_route_table_ids=["rtb-0bbbbbbbbbbbbbbb1", "rtb-0bbbbbbbbbbbbbbb2"],
    )
    EcsCluster(
        stack,
        "Cluster",
        vpc=vpc,
        capacity_provider_options=CapacityProviderOptions(managed_termination_protection=True),
    )
    return template_of(stack)


def _one(template: dict[str, Any], kind: str) -> dict[str, Any]:
    (found,) = [r for r in template["Resources"].values() if r["Type"] == kind]
    return found


def test_custom_resource_times_out_after_the_function_and_well_under_an_hour(
    template: dict[str, Any],
) -> None:
    custom = _one(template, "Custom::AutoScalingGroupForceDelete")
    function = _one(template, "AWS::Lambda::Function")
    service_timeout = int(custom["Properties"]["ServiceTimeout"])
    assert service_timeout == _force_delete.SERVICE_TIMEOUT_SECONDS == 1200
    assert function["Properties"]["Timeout"] == _force_delete.FUNCTION_TIMEOUT_SECONDS == 900
    assert function["Properties"]["Timeout"] < service_timeout <= 3600 // 2


def test_the_template_inlines_exactly_the_tested_source(template: dict[str, Any]) -> None:
    function = _one(template, "AWS::Lambda::Function")
    assert function["Properties"]["Code"] == {"ZipFile": SOURCE}
    assert function["Properties"]["Handler"] == "index.handler"


def test_force_delete_template_passes_cfn_lint(template: dict[str, Any]) -> None:
    assert_cfn_lint_clean(template)
