"""Force-delete an Auto Scaling group when its stack is deleted (aws-cdk issue 18179)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from constructs_ecs._nag import acknowledge, arn_pattern, explain_wildcards

__all__ = ["ForceDeleteOnDestroy"]


_FORCE_DELETE_HANDLER = """
import json
import time
import urllib.request

import boto3

AUTOSCALING = boto3.client("autoscaling")
CLOUDFORMATION = boto3.client("cloudformation")
# Only a stack that is going away takes its instances with it: removing this resource from a
# stack that stays (an update) must not touch the Auto Scaling group.
STACK_GOING_AWAY = ("DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS")


def _respond(event, context, status, reason=""):
    body = json.dumps({
        "Status": status,
        "Reason": reason or "see log stream " + context.log_stream_name,
        "PhysicalResourceId": "force-delete-on-destroy",
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
    }).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""}
    )
    urllib.request.urlopen(request, timeout=30)


def _status(name):
    groups = AUTOSCALING.describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    found = groups["AutoScalingGroups"]
    return found[0].get("Status", "InService") if found else None


def _stack_going_away(stack_id):
    stack = CLOUDFORMATION.describe_stacks(StackName=stack_id)["Stacks"][0]
    return stack["StackStatus"] in STACK_GOING_AWAY


def handler(event, context):
    try:
        if event["RequestType"] == "Delete" and _stack_going_away(event["StackId"]):
            name = event["ResourceProperties"]["AutoScalingGroupName"]
            status = _status(name)
            if status is not None and status != "Delete in progress":
                AUTOSCALING.delete_auto_scaling_group(
                    AutoScalingGroupName=name, ForceDelete=True
                )
            while _status(name) is not None:
                if context.get_remaining_time_in_millis() < 60000:
                    raise TimeoutError(name + " is still being deleted")
                time.sleep(15)
        _respond(event, context, "SUCCESS")
    except Exception as error:
        print(repr(error))
        _respond(event, context, "FAILED", str(error)[:500])
"""


class ForceDeleteOnDestroy(Construct):
    """A custom resource that, when deleted, force-deletes an Auto Scaling group and waits.

    CloudFormation deletes an Auto Scaling group by scaling it to zero, which never finishes
    while instances are protected from scale-in (aws-cdk issue 18179). ForceDelete terminates
    them regardless and drops pending lifecycle actions. It acts only while the stack itself
    is being deleted (or rolled back from its creation): nothing happens on create or update,
    nor when the resource is removed from a stack that stays.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, group: autoscaling.AutoScalingGroup
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        log_group = logs.LogGroup(
            self,
            "LogGroup",
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
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.handler",
            code=lambda_.Code.from_inline(_FORCE_DELETE_HANDLER.strip() + "\n"),
            timeout=cdk.Duration.minutes(15),
            role=role,
            log_group=log_group,
            description="Force-deletes the cluster's Auto Scaling group on stack deletion",
        )
        function = self.function.node.default_child
        assert isinstance(function, cdk.CfnResource)
        # Lambda's DependsOn its role duplicates the GetAtt of the role's Arn (cfn-lint W3005).
        function.add_deletion_override("DependsOn")
        self.resource = cdk.CustomResource(
            self,
            "Resource",
            service_token=self.function.function_arn,
            resource_type="Custom::AutoScalingGroupForceDelete",
            properties={"AutoScalingGroupName": group.auto_scaling_group_name},
        )


_GROUP_BY_NAME = arn_pattern("autoscaling", r"autoScalingGroup:\*:autoScalingGroupName/[^*]+")


def _this_group(actions: frozenset[str], resource: str) -> str | None:
    if actions == {"autoscaling:DeleteAutoScalingGroup"} and _GROUP_BY_NAME.match(resource):
        return (
            "The wildcard is the group's UUID, unknown until it exists; the ARN names this "
            "one Auto Scaling group."
        )
    return None
