"""ScheduledTask: a batch or ETL task started on a schedule by EventBridge Scheduler."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from constructs_ecs._arguments import checked, expect_int
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._limits import SCHEDULER_RETRY_ATTEMPTS, SCHEDULER_TASK_COUNT
from constructs_ecs._nag import acknowledge, explain_inline_policies, explain_wildcards
from constructs_ecs.cluster import ServiceCluster
from constructs_ecs.services._base import Workload
from constructs_ecs.services._options import Placement
from constructs_ecs.services._schedules import check_schedule_expression

if TYPE_CHECKING:
    from aws_cdk import aws_scheduler as scheduler

    from constructs_ecs.taskdef import TaskDefinitionSpec

__all__ = ["ScheduledTask"]


def _run_task_wildcard_reason(actions: frozenset[str], resource: str) -> str | None:
    """Why the schedule's role may tag tasks it has not started yet."""
    if actions <= {"ecs:TagResource"} and resource.endswith("/*") and ":task/" in resource:
        return (
            "EventBridge Scheduler tags the tasks it starts; their ids are not known before "
            "they run, and the ARN is limited to this cluster's tasks."
        )
    return None


class ScheduledTask(Workload):
    """A batch/ETL task run on a schedule by EventBridge Scheduler on the cluster's capacity.

    Failed invocations are retried (``retry_attempts``, within ``max_event_age``) and then sent
    to a dead-letter queue (``.dead_letter_queue``, SSE, SSL-only, 14-day retention).
    """

    @checked()
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ServiceCluster,
        task_definition: TaskDefinitionSpec,
        schedule: scheduler.ScheduleExpression,
        task_count: int = 1,
        retry_attempts: int = 3,
        max_event_age: cdk.Duration | None = None,
        placement: Placement | None = None,
        enabled: bool = True,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
    ) -> None:
        """
        :param cluster: The cluster the tasks run on: an ``EcsCluster``, an
            ``ExistingCluster``, or any ``ServiceCluster``.
        :param task_definition: What to run (``TaskDefinitionSpec.from_file(...)`` or Python).
        :param schedule: ``scheduler.ScheduleExpression.cron(...)`` or ``.rate(...)``.
        :param task_count: Tasks started per invocation (1-10). Default: 1.
        :param retry_attempts: Retries of a failed invocation (0-185). Default: 3.
        :param max_event_age: Give up on an invocation after this long (1 min - 24 h).
            Default: 1 hour.
        :param placement: Strategies and constraints. Default: spread across AZs, then
            bin-pack on memory; no constraint.
        :param enabled: Whether the schedule is on. Default: on.
        :param log_retention: Retention of the task's log group. Default: one month.
        :param security_groups: The security groups of awsvpc tasks (yours; the library
            adds the ingress its load balancer and Service Connect need). Default: one
            defined for the service, open to nothing but those.
        """
        # Loaded here, on first use: an app without scheduled tasks does not pay for them.
        from aws_cdk import aws_scheduler as scheduler
        from aws_cdk import aws_scheduler_targets as scheduler_targets
        from aws_cdk import aws_sqs as sqs

        placement = placement or Placement()
        max_event_age = max_event_age or cdk.Duration.hours(1)
        super().__init__(
            scope,
            construct_id,
            cluster=cluster,
            task_definition=task_definition,
            log_retention=log_retention,
            security_groups=security_groups,
        )
        if not cdk.Token.is_unresolved(schedule.expression_string):
            check_schedule_expression("schedule", schedule.expression_string)
        expect_int(
            "task_count",
            task_count,
            minimum=1,
            maximum=SCHEDULER_TASK_COUNT,
            why=" (EventBridge Scheduler's EcsParameters.TaskCount)",
        )
        self._check_static_ports(task_count, rolls=False, field="task_count")
        expect_int(
            "retry_attempts",
            retry_attempts,
            minimum=0,
            maximum=SCHEDULER_RETRY_ATTEMPTS,
            why=" (EventBridge Scheduler's RetryPolicy.MaximumRetryAttempts)",
            literal=True,
        )
        age = max_event_age.to_seconds()
        if not 60 <= age <= 86400:
            raise ConfigurationError(
                "max_event_age", f"{age}s", "must be between 60 seconds and 24 hours"
            )
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
        )
        """Invocations that failed every retry land here (14-day retention)."""
        acknowledge(
            self.dead_letter_queue.node.default_child,  # type: ignore[arg-type]
            "SQS3",
            "This queue is itself the dead-letter queue of the schedule's target.",
        )
        security_groups, subnets = self._network_options(task_count)
        self.role = iam.Role(
            self,
            "ScheduleRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}},
            ),
            description="EventBridge Scheduler runs this task on the cluster",
        )
        """The role EventBridge Scheduler assumes to run the task."""
        explain_inline_policies(self.role)
        target = scheduler_targets.EcsRunEc2Task(
            cluster.cluster,
            role=self.role,
            task_definition=self.task_definition,
            capacity_provider_strategies=cluster.capacity_provider_strategies,
            placement_strategies=self._placement_strategies(placement),
            placement_constraints=list(placement.constraints) or None,
            task_count=task_count,
            propagate_tags=True,
            enable_ecs_managed_tags=True,
            security_groups=security_groups,
            vpc_subnets=subnets,
            dead_letter_queue=self.dead_letter_queue,
            retry_attempts=retry_attempts,
            max_event_age=max_event_age,
        )
        self.schedule = scheduler.Schedule(
            self, "Schedule", schedule=schedule, target=target, enabled=enabled
        )
        """The ``scheduler.Schedule``."""
        explain_wildcards(self.role, _run_task_wildcard_reason)
