"""Force-delete an Auto Scaling group when its stack is deleted (aws-cdk issue 18179)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from constructs_ecs._log_encryption import new_log_group
from constructs_ecs._nag import (
    COMPLIANCE_PACKS,
    acknowledge,
    arn_pattern,
    explain_inline_policies,
    explain_wildcards,
)

__all__ = ["ForceDeleteOnDestroy"]

FUNCTION_TIMEOUT_SECONDS = 900
"""The Lambda function's timeout, Lambda's maximum: the handler's wait ends before it."""
SERVICE_TIMEOUT_SECONDS = 1200
"""How long CloudFormation waits for the custom resource's answer (its ``ServiceTimeout``).

Longer than the function's timeout, so that the handler's own answer (it answers on every path,
before its deadline) always arrives first; and a third of CloudFormation's default hour, the
most a stack waits if the function could not run at all.
"""


_FORCE_DELETE_HANDLER = """
import json
import time
from urllib.request import Request, urlopen

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# Each call: at most 4 attempts of 5 s to connect and 10 s to read, backing off between them
# (throttling included), so under 90 s at worst; the Lambda function has 900 s.
CONFIG = Config(
    connect_timeout=5, read_timeout=10, retries={"mode": "standard", "total_max_attempts": 4}
)
AUTOSCALING = boto3.client("autoscaling", config=CONFIG)
CLOUDFORMATION = boto3.client("cloudformation", config=CONFIG)
# Only a stack that is going away takes its instances with it: removing this resource from a
# stack that stays (an update) must not touch the Auto Scaling group.
STACK_GOING_AWAY = ("DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS")
RETRIED = ("Throttling", "ThrottlingException", "RequestLimitExceeded", "ResourceContention")
POLL_SECONDS = 15
# Give up with this much time left: one more poll and call, then the response, fit in it.
RESERVE_MS = 150000
PUT_ATTEMPTS = 3
PUT_TIMEOUT = 10


def _late(context):
    return context.get_remaining_time_in_millis() < RESERVE_MS


def _call(context, method, **params):
    # botocore retried already; throttling (or a busy group) is retried on until the deadline.
    while True:
        try:
            return method(**params)
        except ClientError as error:
            if error.response["Error"]["Code"] not in RETRIED or _late(context):
                raise
        time.sleep(POLL_SECONDS)


def _status(context, name):
    found = _call(
        context, AUTOSCALING.describe_auto_scaling_groups, AutoScalingGroupNames=[name]
    )["AutoScalingGroups"]
    return found[0].get("Status", "InService") if found else None


def _force_delete(event, context):
    stack_id = event["StackId"]
    stack = _call(context, CLOUDFORMATION.describe_stacks, StackName=stack_id)["Stacks"][0]
    if stack["StackStatus"] not in STACK_GOING_AWAY:
        return
    name = event["ResourceProperties"]["AutoScalingGroupName"]
    status = _status(context, name)
    if status is not None and status != "Delete in progress":
        _call(
            context,
            AUTOSCALING.delete_auto_scaling_group,
            AutoScalingGroupName=name,
            ForceDelete=True,
        )
    while _status(context, name) is not None:
        if _late(context):
            raise TimeoutError(name + " is still being deleted: delete the stack again later")
        time.sleep(POLL_SECONDS)


def _respond(event, context, status, reason):
    body = json.dumps({
        "Status": status,
        "Reason": reason or "see log stream " + context.log_stream_name,
        "PhysicalResourceId": "force-delete-on-destroy",
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
    }).encode()
    for attempt in range(PUT_ATTEMPTS):
        if attempt:
            time.sleep(2 ** attempt)
        try:
            request = Request(
                event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""}
            )
            urlopen(request, timeout=PUT_TIMEOUT).close()
            return
        except Exception as error:
            print("Response not sent:", repr(error))


def handler(event, context):
    status, reason = "SUCCESS", ""
    try:
        if event["RequestType"] == "Delete":
            _force_delete(event, context)
    except Exception as error:
        print(repr(error))
        status, reason = "FAILED", str(error)[:500] or repr(error)
    _respond(event, context, status, reason)
"""


class ForceDeleteOnDestroy(Construct):
    """A custom resource that, when deleted, force-deletes an Auto Scaling group and waits.

    CloudFormation deletes an Auto Scaling group by scaling it to zero, which never finishes
    while instances are protected from scale-in (aws-cdk issue 18179). ForceDelete terminates
    them regardless and drops pending lifecycle actions. It acts only while the stack itself
    is being deleted (or rolled back from its creation): nothing happens on create or update,
    nor when the resource is removed from a stack that stays.

    It always answers CloudFormation: on success, on failure (access denied, a group still
    deleting when the function's time runs out) and when the response PUT fails (retried), so a
    stack waits at most the function's 15 minutes, and never more than ``ServiceTimeout``
    (20 minutes) even if the function cannot run. Throttled calls are retried until then.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        group: autoscaling.AutoScalingGroup,
        log_key: kms.IKey | None = None,
    ) -> None:
        """
        :param group: The Auto Scaling group to force-delete when the stack is deleted.
        :param log_key: A customer-managed KMS key for the function's log group. Default:
            CloudWatch Logs' own encryption.
        """
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        log_group = new_log_group(
            self,
            "LogGroup",
            key=log_key,
            option="EcsCluster(log_key=...)",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        group_arn = stack.format_arn(
            service="autoscaling",
            resource="autoScalingGroup",
            resource_name=f"*:autoScalingGroupName/{group.auto_scaling_group_name}",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Force-deletes the cluster's Auto Scaling group on stack deletion",
            inline_policies={
                "ForceDelete": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=["autoscaling:DeleteAutoScalingGroup"],
                            resources=[group_arn],
                        ),
                        iam.PolicyStatement(
                            actions=["autoscaling:DescribeAutoScalingGroups"],
                            resources=["*"],
                        ),
                        iam.PolicyStatement(
                            actions=["cloudformation:DescribeStacks"],
                            resources=[stack.stack_id],
                        ),
                        iam.PolicyStatement(
                            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                            resources=[log_group.log_group_arn],
                        ),
                    ]
                )
            },
        )
        acknowledge(
            role.node.default_child,  # type: ignore[arg-type]
            "IAM5[Resource::*]",
            "autoscaling:DescribeAutoScalingGroups has no resource-level permissions; it "
            "only reads group status.",
        )
        explain_wildcards(role, _this_group)
        explain_inline_policies(role)
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.handler",
            code=lambda_.Code.from_inline(_FORCE_DELETE_HANDLER.strip() + "\n"),
            timeout=cdk.Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
            role=role,
            log_group=log_group,
            description="Force-deletes the cluster's Auto Scaling group on stack deletion",
        )
        function = self.function.node.default_child
        assert isinstance(function, cdk.CfnResource)
        for rule, reason in _FUNCTION_FINDINGS.items():
            acknowledge(function, rule, reason, packs=COMPLIANCE_PACKS)
        # Lambda's DependsOn its role duplicates the GetAtt of the role's Arn (cfn-lint W3005).
        function.add_deletion_override("DependsOn")
        self.resource = cdk.CustomResource(
            self,
            "Resource",
            service_token=self.function.function_arn,
            resource_type="Custom::AutoScalingGroupForceDelete",
            properties={"AutoScalingGroupName": group.auto_scaling_group_name},
            service_timeout=cdk.Duration.seconds(SERVICE_TIMEOUT_SECONDS),
        )


_FUNCTION_FINDINGS = {
    "LambdaConcurrency": (
        "CloudFormation invokes this function once per delete of the stack; reserving "
        "concurrency for it would take from the account's unreserved pool for nothing."
    ),
    "LambdaDLQ": (
        "CloudFormation invokes this custom resource handler synchronously and waits for its "
        "answer (ServiceTimeout); a dead-letter queue only receives failed asynchronous events."
    ),
    "LambdaInsideVPC": (
        "The function calls the Auto Scaling, CloudFormation and CloudWatch Logs APIs and the "
        "response URL only, nothing inside the VPC; in the VPC it would depend on a NAT "
        "gateway or endpoints while the stack is being torn down."
    ),
}
"""The compliance packs' findings on the function, and why they do not apply."""

_GROUP_BY_NAME = arn_pattern("autoscaling", r"autoScalingGroup:\*:autoScalingGroupName/[^*]+")


def _this_group(actions: frozenset[str], resource: str) -> str | None:
    if actions == {"autoscaling:DeleteAutoScalingGroup"} and _GROUP_BY_NAME.match(resource):
        return (
            "The wildcard is the group's UUID, unknown until it exists; the ARN names this "
            "one Auto Scaling group."
        )
    return None
