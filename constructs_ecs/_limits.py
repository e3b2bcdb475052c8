"""The AWS limits this library checks when a construct is defined, each with its source.

A value over one of these fails at synth with a ``ConfigurationError`` rather than in a
CloudFormation rollback. docs/guide/task-definitions.md ("Bad input") lists them.
"""

from __future__ import annotations

__all__ = [
    "AVAILABILITY_ZONES_PER_REGION",
    "CONTAINER_INSTANCES_PER_CLUSTER",
    "EBS_VOLUME_GIB",
    "LISTENER_RULES_PER_LOAD_BALANCER",
    "LOAD_BALANCERS_PER_REGION",
    "SCHEDULER_RETRY_ATTEMPTS",
    "SCHEDULER_TASK_COUNT",
    "TARGET_GROUPS_PER_LOAD_BALANCER",
    "TASKS_PER_SERVICE",
]

# Amazon ECS service quotas:
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
TASKS_PER_SERVICE = 5_000
"""Tasks per service (not adjustable)."""
CONTAINER_INSTANCES_PER_CLUSTER = 5_000
"""Container instances per cluster (not adjustable): the most instances a cluster's Auto
Scaling group may usefully run."""

# Quotas for your Application Load Balancers:
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
LISTENER_RULES_PER_LOAD_BALANCER = 100
"""Rules per Application Load Balancer, default rules excluded (adjustable)."""
TARGET_GROUPS_PER_LOAD_BALANCER = 100
"""Target groups per Application Load Balancer (not adjustable)."""
LOAD_BALANCERS_PER_REGION = 50
"""Application Load Balancers per Region (adjustable): the most shards one platform takes."""

# Amazon EC2 Regions and Availability Zones: the largest Regions have six zones.
# https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html
AVAILABILITY_ZONES_PER_REGION = 6
"""The most Availability Zones a Region offers."""

# Amazon EBS volume types: gp3 volumes are 1 GiB to 16 TiB.
# https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html
EBS_VOLUME_GIB = 16_384
"""The largest gp3 volume."""

# EventBridge Scheduler ECS target (EcsParameters.TaskCount, RetryPolicy.MaximumRetryAttempts):
# https://docs.aws.amazon.com/scheduler/latest/APIReference/API_EcsParameters.html
# https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
SCHEDULER_TASK_COUNT = 10
"""Tasks one schedule invocation may start."""
SCHEDULER_RETRY_ATTEMPTS = 185
"""Retries of a failed invocation."""
