"""Every validation message of the importer and the spec, one case each.

A case patches a valid task definition at JSON paths (the same syntax as the error's field) and
asserts the ``ConfigurationError``: the field (JSON path), the value received, and a fragment of
what is allowed.
"""

from __future__ import annotations

import copy
import itertools
import re
from typing import Any, NamedTuple

import pytest

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef import TaskDefinitionSpec

DELETE = object()
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")

BASE: dict[str, Any] = {
    "family": "web",
    "containerDefinitions": [
        {
            "name": "web",
            "image": "nginx:1.27",
            "cpu": 128,
            "memory": 256,
            "portMappings": [{"containerPort": 80}],
        }
    ],
}
SIDECAR = {"name": "sidecar", "image": "busybox", "memory": 64}
SSM = "arn:aws:ssm:us-east-1:123456789012:parameter/app/token"


def patched(patches: dict[str, Any]) -> dict[str, Any]:
    """``BASE`` with each ``path: value`` applied: ``DELETE`` removes, a missing object is
    created, an index equal to the list's length appends."""
    document = copy.deepcopy(BASE)
    for path, value in patches.items():
        tokens = [int(i) if i else k for k, i in _TOKEN.findall(path)]
        target: Any = document
        for token, following in itertools.pairwise(tokens):
            empty: Any = [] if isinstance(following, int) else {}
            if isinstance(token, int) and token == len(target):
                target.append(empty)
            elif isinstance(token, str):
                target.setdefault(token, empty)
            target = target[token]
        last = tokens[-1]
        if value is DELETE:
            target.pop(last, None)
        elif isinstance(last, int) and last == len(target):
            target.append(value)
        else:
            target[last] = value
    return document


class Case(NamedTuple):
    patches: dict[str, Any]
    field: str
    value: Any
    allowed: str


C0 = "containerDefinitions[0]"
PM = f"{C0}.portMappings[0]"
LOG = f"{C0}.logConfiguration"
LP = f"{C0}.linuxParameters"
EFS = "volumes[0].efsVolumeConfiguration"
ANY = object()

CASES: dict[str, Case] = {
    # ---- structure: unknown, rejected, required keys, types
    "unknown-task-key": Case({"famly": "x"}, "famly", "famly", "(did you mean 'family'?)"),
    "unknown-container-key": Case(
        {f"{C0}.portMapping": []}, f"{C0}.portMapping", "portMapping", "'portMappings'"
    ),
    "unknown-port-key": Case(
        {f"{PM}.contianerPort": 80}, f"{PM}.contianerPort", "contianerPort", "'containerPort'"
    ),
    "unknown-key-without-suggestion": Case(
        {f"{C0}.zzz": 1}, f"{C0}.zzz", "zzz", "ECS rejects unknown keys"
    ),
    "ephemeral-storage": Case(
        {"ephemeralStorage": {"sizeInGiB": 30}}, "ephemeralStorage", ANY, "Fargate-only"
    ),
    "inference-accelerators": Case(
        {"inferenceAccelerators": [{"deviceName": "d", "deviceType": "eia2.medium"}]},
        "inferenceAccelerators",
        ANY,
        "Elastic Inference is retired",
    ),
    "inference-devices": Case(
        {f"{C0}.inferenceDevices": ["d"]}, f"{C0}.inferenceDevices", ["d"], "retired"
    ),
    "fsx-windows-volume": Case(
        {
            "volumes[0]": {
                "name": "v",
                "fsxWindowsFileServerVolumeConfiguration": {"fileSystemId": "fs-1"},
            }
        },
        "volumes[0].fsxWindowsFileServerVolumeConfiguration",
        ANY,
        "only with Windows containers",
    ),
    "missing-image": Case({f"{C0}.image": DELETE}, f"{C0}.image", None, "is required"),
    "missing-name": Case({f"{C0}.name": DELETE}, f"{C0}.name", None, "is required"),
    "missing-containers": Case(
        {"containerDefinitions": DELETE}, "containerDefinitions", None, "is required"
    ),
    "missing-family": Case({"family": DELETE}, "family", None, "is required"),
    "string-expected": Case({f"{C0}.image": 5}, f"{C0}.image", 5, "must be a string"),
    "integer-expected": Case({f"{C0}.memory": "256"}, f"{C0}.memory", "256", "an integer"),
    "float-is-not-integer": Case({f"{C0}.memory": 256.0}, f"{C0}.memory", 256.0, "an integer"),
    "boolean-expected": Case(
        {f"{C0}.essential": "true"}, f"{C0}.essential", "true", "true or false"
    ),
    "list-expected": Case({f"{C0}.command": "run"}, f"{C0}.command", "run", "a list"),
    "list-item-type": Case({f"{C0}.command": ["a", 1]}, f"{C0}.command[1]", 1, "a string"),
    "object-expected": Case(
        {f"{C0}.healthCheck": ["CMD"]}, f"{C0}.healthCheck", ["CMD"], "a JSON object"
    ),
    "map-expected": Case({f"{C0}.dockerLabels": []}, f"{C0}.dockerLabels", [], "an object"),
    "map-value-not-string": Case(
        {f"{C0}.dockerLabels": {"tier": 1}}, f"{C0}.dockerLabels.tier", 1, "must be a string"
    ),
    "size-type": Case({"cpu": True}, "cpu", True, "a number or a string"),
    "environment-value-not-string": Case(
        {f"{C0}.environment": [{"name": "PORT", "value": 8080}]},
        f"{C0}.environment[0].value",
        8080,
        "ECS accepts only string values",
    ),
    "environment-name-required": Case(
        {f"{C0}.environment": [{"value": "x"}]}, f"{C0}.environment[0].name", None, "is required"
    ),
    # ---- importer rules
    "duplicate-environment": Case(
        {f"{C0}.environment": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]},
        f"{C0}.environment[1].name",
        "A",
        "is set twice",
    ),
    "duplicate-secret": Case(
        {
            f"{C0}.secrets": [
                {"name": "T", "valueFrom": SSM},
                {"name": "T", "valueFrom": SSM},
            ]
        },
        f"{C0}.secrets[1].name",
        "T",
        "is set twice",
    ),
    "duplicate-sysctl": Case(
        {
            f"{C0}.systemControls": [
                {"namespace": "net.core.somaxconn", "value": "1"},
                {"namespace": "net.core.somaxconn", "value": "2"},
            ]
        },
        f"{C0}.systemControls[1].namespace",
        "net.core.somaxconn",
        "is set twice",
    ),
    "duplicate-tag": Case(
        {"tags": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]},
        "tags[1].key",
        "a",
        "is set twice",
    ),
    "fargate-only": Case(
        {"requiresCompatibilities": ["FARGATE"]},
        "requiresCompatibilities",
        ["FARGATE"],
        'must include "EC2"',
    ),
    "unknown-compatibility": Case(
        {"requiresCompatibilities": ["EC3"]},
        "requiresCompatibilities[0]",
        "EC3",
        "did you mean 'EC2'",
    ),
    "windows-runtime-platform": Case(
        {"runtimePlatform": {"operatingSystemFamily": "WINDOWS_SERVER_2019_CORE"}},
        "runtimePlatform.operatingSystemFamily",
        "WINDOWS_SERVER_2019_CORE",
        "Windows task definitions need Windows container instances",
    ),
    "unknown-os-family": Case(
        {"runtimePlatform": {"operatingSystemFamily": "MACOS"}},
        "runtimePlatform.operatingSystemFamily",
        "MACOS",
        "must be LINUX",
    ),
    "cpu-architecture": Case(
        {"runtimePlatform": {"cpuArchitecture": "arm64"}},
        "runtimePlatform.cpuArchitecture",
        "arm64",
        "did you mean 'ARM64'",
    ),
    "placement-type": Case(
        {"placementConstraints": [{"type": "distinctInstance"}]},
        "placementConstraints[0].type",
        "distinctInstance",
        'must be "memberOf"',
    ),
    "placement-expression": Case(
        {"placementConstraints": [{"type": "memberOf"}]},
        "placementConstraints[0].expression",
        None,
        "is required for memberOf",
    ),
    "port-range-with-container-port": Case(
        {f"{PM}.containerPortRange": "8000-8010"},
        f"{PM}.containerPort",
        80,
        "cannot be combined with containerPortRange",
    ),
    "port-without-container-port": Case(
        {f"{PM}.containerPort": DELETE, f"{PM}.hostPort": 80},
        f"{PM}.containerPort",
        None,
        "is required",
    ),
    "environment-file-type": Case(
        {f"{C0}.environmentFiles": [{"value": "arn:aws:s3:::bucket/app.env", "type": "ssm"}]},
        f"{C0}.environmentFiles[0].type",
        "ssm",
        'must be "s3"',
    ),
    "inference-accelerator-requirement": Case(
        {f"{C0}.resourceRequirements": [{"type": "InferenceAccelerator", "value": "d"}]},
        f"{C0}.resourceRequirements[0].type",
        "InferenceAccelerator",
        "Elastic Inference is retired",
    ),
    "unknown-requirement": Case(
        {f"{C0}.resourceRequirements": [{"type": "TPU", "value": "1"}]},
        f"{C0}.resourceRequirements[0].type",
        "TPU",
        'must be "GPU"',
    ),
    "gpu-twice": Case(
        {
            f"{C0}.resourceRequirements": [
                {"type": "GPU", "value": "1"},
                {"type": "GPU", "value": "1"},
            ]
        },
        f"{C0}.resourceRequirements[1].type",
        "GPU",
        "GPU is set twice",
    ),
    "gpu-count": Case(
        {f"{C0}.resourceRequirements": [{"type": "GPU", "value": "one"}]},
        f"{C0}.resourceRequirements[0].value",
        "one",
        "number of GPUs",
    ),
    "gpu-empty": Case(
        {f"{C0}.resourceRequirements": [{"type": "GPU", "value": "0"}]},
        f"{C0}.resourceRequirements[0].value",
        "0",
        "number of GPUs",
    ),
    # ---- units
    "task-cpu-form": Case({"cpu": "1 GHz"}, "cpu", "1 GHz", "vCPUs"),
    "task-cpu-fraction": Case(
        {"cpu": "0.0001 vCPU"}, "cpu", "0.0001 vCPU", "whole number of CPU units"
    ),
    "task-cpu-range": Case({"cpu": "200 vCPU"}, "cpu", "200 vCPU", "between 128 and 196608"),
    "task-memory-form": Case({"memory": "2 TB"}, "memory", "2 TB", 'GB ("2 GB"'),
    "task-memory-fraction": Case(
        {"memory": "0.0001 GB"}, "memory", "0.0001 GB", "whole number of MiB"
    ),
    "task-memory-minimum": Case({"memory": 4}, "memory", 4, "at least 6 MiB"),
    # ---- references
    "image-syntax": Case(
        {f"{C0}.image": "Nginx:latest"}, f"{C0}.image", "Nginx:latest", "image reference"
    ),
    "image-placeholder": Case(
        {f"{C0}.image": "$nginx$"}, f"{C0}.image", "$nginx$", "lowercase repository"
    ),
    "image-empty": Case({f"{C0}.image": ""}, f"{C0}.image", "", "image reference"),
    "image-length": Case({f"{C0}.image": "a" * 256}, f"{C0}.image", "a" * 256, "at most 255"),
    "task-role-arn": Case(
        {"taskRoleArn": "arn:aws:iam::XXXXXXXXXXXX:role/r"},
        "taskRoleArn",
        "arn:aws:iam::XXXXXXXXXXXX:role/r",
        "12-digit account",
    ),
    "execution-role-arn": Case(
        {"executionRoleArn": "ecsTaskExecutionRole"},
        "executionRoleArn",
        "ecsTaskExecutionRole",
        "must be an IAM role ARN",
    ),
    "secret-from-s3": Case(
        {f"{C0}.secrets": [{"name": "T", "valueFrom": "arn:aws:s3:::bucket/key"}]},
        f"{C0}.secrets.T",
        "arn:aws:s3:::bucket/key",
        "SSM parameter name or ARN",
    ),
    "secret-arn-shape": Case(
        {
            f"{C0}.secrets": [
                {
                    "name": "T",
                    "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:s:k",
                }
            ]
        },
        f"{C0}.secrets.T",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:s:k",
        "[:json-key:version-stage:version-id]",
    ),
    "ssm-arn-without-parameter": Case(
        {
            f"{C0}.secrets": [
                {"name": "T", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:document/x"}
            ]
        },
        f"{C0}.secrets.T",
        "arn:aws:ssm:us-east-1:123456789012:document/x",
        "SSM parameter",
    ),
    "secret-empty": Case(
        {f"{C0}.secrets": [{"name": "T", "valueFrom": ""}]},
        f"{C0}.secrets.T",
        "",
        "SSM parameter name or ARN",
    ),
    "ssm-parameter-name": Case(
        {f"{C0}.secrets": [{"name": "T", "valueFrom": "my token"}]},
        f"{C0}.secrets.T",
        "my token",
        "SSM parameter name",
    ),
    "repository-credentials-ssm": Case(
        {f"{C0}.repositoryCredentials": {"credentialsParameter": SSM}},
        f"{C0}.repositoryCredentials.credentialsParameter",
        SSM,
        "Secrets Manager secret ARN or name",
    ),
    "repository-credentials-name": Case(
        {f"{C0}.repositoryCredentials": {"credentialsParameter": "bad name!"}},
        f"{C0}.repositoryCredentials.credentialsParameter",
        "bad name!",
        "Secrets Manager secret ARN or name",
    ),
    "environment-file-arn": Case(
        {f"{C0}.environmentFiles": [{"value": "arn:aws:s3:::bucket/app.txt", "type": "s3"}]},
        f"{C0}.environmentFiles[0].value",
        "arn:aws:s3:::bucket/app.txt",
        "ends in .env",
    ),
    # ---- port mappings
    "container-port-range": Case(
        {f"{PM}.containerPort": 70000}, f"{PM}.containerPort", 70000, "between 1 and 65535"
    ),
    "host-port-range": Case({f"{PM}.hostPort": -1}, f"{PM}.hostPort", -1, "between 0 and 65535"),
    "protocol": Case({f"{PM}.protocol": "sctp"}, f"{PM}.protocol", "sctp", "tcp, udp"),
    "protocol-case": Case({f"{PM}.protocol": "TCP"}, f"{PM}.protocol", "TCP", "did you mean 'tcp'"),
    "port-name": Case({f"{PM}.name": "Web"}, f"{PM}.name", "Web", "lowercase letters"),
    "app-protocol": Case(
        {f"{PM}.name": "web", f"{PM}.appProtocol": "https"},
        f"{PM}.appProtocol",
        "https",
        "http, http2, grpc",
    ),
    "app-protocol-without-name": Case(
        {f"{PM}.appProtocol": "http"}, f"{PM}.appProtocol", "http", "needs a port-mapping 'name'"
    ),
    "port-range-format": Case(
        {f"{C0}.portMappings[1]": {"containerPortRange": "9000:9010"}},
        f"{C0}.portMappings[1].containerPortRange",
        "9000:9010",
        '"<first>-<last>"',
    ),
    "port-range-protocol": Case(
        {f"{C0}.portMappings[1]": {"containerPortRange": "9000-9010", "protocol": "icmp"}},
        f"{C0}.portMappings[1].protocol",
        "icmp",
        "tcp, udp",
    ),
    "port-mapped-twice": Case(
        {f"{C0}.portMappings[1]": {"containerPort": 80}},
        f"{C0}.portMappings[1].containerPort",
        80,
        "already mapped for tcp by portMappings[0]",
    ),
    # ---- health check
    "health-check-form": Case(
        {f"{C0}.healthCheck": {"command": ["curl", "-f", "http://localhost/"]}},
        f"{C0}.healthCheck.command",
        ["curl", "-f", "http://localhost/"],
        '"CMD" (exec form) or "CMD-SHELL"',
    ),
    "health-check-empty-command": Case(
        {f"{C0}.healthCheck": {"command": ["CMD-SHELL"]}},
        f"{C0}.healthCheck.command",
        ["CMD-SHELL"],
        "followed by the command",
    ),
    "health-check-interval": Case(
        {f"{C0}.healthCheck": {"command": ["CMD", "true"], "interval": 4}},
        f"{C0}.healthCheck.interval",
        4,
        "between 5 and 300",
    ),
    "health-check-timeout": Case(
        {f"{C0}.healthCheck": {"command": ["CMD", "true"], "timeout": 61}},
        f"{C0}.healthCheck.timeout",
        61,
        "between 2 and 60",
    ),
    "health-check-retries": Case(
        {f"{C0}.healthCheck": {"command": ["CMD", "true"], "retries": 0}},
        f"{C0}.healthCheck.retries",
        0,
        "between 1 and 10",
    ),
    "health-check-start-period": Case(
        {f"{C0}.healthCheck": {"command": ["CMD", "true"], "startPeriod": 301}},
        f"{C0}.healthCheck.startPeriod",
        301,
        "between 0 and 300",
    ),
    # ---- logging
    "log-driver": Case(
        {f"{LOG}": {"logDriver": "cloudwatch"}},
        f"{LOG}.logDriver",
        "cloudwatch",
        "awslogs, fluentd",
    ),
    "awslogs-option": Case(
        {f"{LOG}": {"logDriver": "awslogs", "options": {"awslogs-grup": "g"}}},
        f"{LOG}.options.awslogs-grup",
        "g",
        "did you mean 'awslogs-group'",
    ),
    "awslogs-region-without-group": Case(
        {f"{LOG}": {"logDriver": "awslogs", "options": {"awslogs-region": "eu-west-1"}}},
        f"{LOG}.options.awslogs-region",
        "eu-west-1",
        "goes with awslogs-group",
    ),
    "awslogs-create-group-without-group": Case(
        {f"{LOG}": {"logDriver": "awslogs", "options": {"awslogs-create-group": "true"}}},
        f"{LOG}.options.awslogs-create-group",
        "true",
        "the service's log group",
    ),
    "awslogs-empty-group": Case(
        {f"{LOG}": {"logDriver": "awslogs", "options": {"awslogs-group": ""}}},
        f"{LOG}.options.awslogs-group",
        "",
        "must not be empty",
    ),
    "awslogs-create-group": Case(
        {
            f"{LOG}": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "g",
                    "awslogs-region": "us-east-1",
                    "awslogs-create-group": "yes",
                },
            }
        },
        f"{LOG}.options.awslogs-create-group",
        "yes",
        '"true" or "false"',
    ),
    "log-secret-option": Case(
        {
            f"{LOG}": {
                "logDriver": "splunk",
                "secretOptions": [{"name": "splunk-token", "valueFrom": "arn:aws:kms:x"}],
            }
        },
        f"{LOG}.secretOptions.splunk-token",
        "arn:aws:kms:x",
        "Secrets Manager secret ARN",
    ),
    "firelens-without-router": Case(
        {f"{LOG}": {"logDriver": "awsfirelens"}},
        f"{LOG}.logDriver",
        "awsfirelens",
        "needs a log-router container with a firelensConfiguration",
    ),
    "firelens-router-logs-to-itself": Case(
        {
            f"{C0}.firelensConfiguration": {"type": "fluentbit"},
            f"{LOG}": {"logDriver": "awsfirelens"},
        },
        f"{LOG}.logDriver",
        "awsfirelens",
        "cannot log through itself",
    ),
    "two-firelens-routers": Case(
        {
            f"{C0}.firelensConfiguration": {"type": "fluentbit"},
            "containerDefinitions[1]": dict(SIDECAR, firelensConfiguration={"type": "fluentd"}),
        },
        "containerDefinitions",
        ["web", "sidecar"],
        "at most one container may have a firelensConfiguration",
    ),
    "firelens-type": Case(
        {f"{C0}.firelensConfiguration": {"type": "logstash"}},
        f"{C0}.firelensConfiguration.type",
        "logstash",
        "fluentbit, fluentd",
    ),
    "firelens-option": Case(
        {f"{C0}.firelensConfiguration": {"type": "fluentbit", "options": {"config-file": "x"}}},
        f"{C0}.firelensConfiguration.options.config-file",
        "x",
        "is not a FireLens option",
    ),
    "firelens-config-pair": Case(
        {
            f"{C0}.firelensConfiguration": {
                "type": "fluentbit",
                "options": {"config-file-type": "file"},
            }
        },
        f"{C0}.firelensConfiguration.options",
        {"config-file-type": "file"},
        "go together",
    ),
    "firelens-config-type": Case(
        {
            f"{C0}.firelensConfiguration": {
                "type": "fluentbit",
                "options": {"config-file-type": "http", "config-file-value": "x"},
            }
        },
        f"{C0}.firelensConfiguration.options.config-file-type",
        "http",
        "s3, file",
    ),
    "firelens-s3-config": Case(
        {
            f"{C0}.firelensConfiguration": {
                "type": "fluentbit",
                "options": {"config-file-type": "s3", "config-file-value": "s3://b/k"},
            }
        },
        f"{C0}.firelensConfiguration.options.config-file-value",
        "s3://b/k",
        "S3 object ARN",
    ),
    "firelens-metadata": Case(
        {
            f"{C0}.firelensConfiguration": {
                "type": "fluentbit",
                "options": {"enable-ecs-log-metadata": "yes"},
            }
        },
        f"{C0}.firelensConfiguration.options.enable-ecs-log-metadata",
        "yes",
        '"true" or "false"',
    ),
    # ---- container fields
    "container-name": Case({f"{C0}.name": "web app"}, f"{C0}.name", "web app", "letters, digits"),
    "container-cpu": Case({f"{C0}.cpu": -1}, f"{C0}.cpu", -1, "between 0 and 196608"),
    "container-memory-minimum": Case({f"{C0}.memory": 4}, f"{C0}.memory", 4, "at least 6 MiB"),
    "memory-reservation-minimum": Case(
        {f"{C0}.memoryReservation": 0}, f"{C0}.memoryReservation", 0, "at least 1 MiB"
    ),
    "memory-reservation-above-limit": Case(
        {f"{C0}.memoryReservation": 512},
        f"{C0}.memoryReservation",
        512,
        "must not exceed the container's memory limit (256 MiB)",
    ),
    "environment-name": Case(
        {f"{C0}.environment": [{"name": "MY VAR", "value": "1"}]},
        f"{C0}.environment",
        "MY VAR",
        "without '=', spaces or NUL",
    ),
    "secret-name": Case(
        {f"{C0}.secrets": [{"name": "A=B", "valueFrom": SSM}]},
        f"{C0}.secrets",
        "A=B",
        "without '=', spaces or NUL",
    ),
    "secret-and-environment": Case(
        {
            f"{C0}.environment": [{"name": "TOKEN", "value": "x"}],
            f"{C0}.secrets": [{"name": "TOKEN", "valueFrom": SSM}],
        },
        f"{C0}.secrets.TOKEN",
        SSM,
        "is also set in environment",
    ),
    "dns-server": Case(
        {f"{C0}.dnsServers": ["dns.example.com"]},
        f"{C0}.dnsServers[0]",
        "dns.example.com",
        "IPv4 or IPv6 address",
    ),
    "link-format": Case(
        {f"{C0}.links": ["a:b:c"]}, f"{C0}.links[0]", "a:b:c", "'container' or 'container:alias'"
    ),
    "security-option": Case(
        {f"{C0}.dockerSecurityOptions": ["seccomp:unconfined"]},
        f"{C0}.dockerSecurityOptions[0]",
        "seccomp:unconfined",
        "no-new-privileges, apparmor:PROFILE",
    ),
    "credential-spec": Case(
        {f"{C0}.credentialSpecs": ["arn:aws:ssm:us-east-1:123456789012:parameter/spec"]},
        f"{C0}.credentialSpecs[0]",
        "arn:aws:ssm:us-east-1:123456789012:parameter/spec",
        "credentialspec:<ARN> or credentialspecdomainless:<ARN>",
    ),
    "ulimit-name": Case(
        {f"{C0}.ulimits": [{"name": "files", "softLimit": 1, "hardLimit": 1}]},
        f"{C0}.ulimits[0].name",
        "files",
        "core, cpu, data",
    ),
    "ulimit-soft-above-hard": Case(
        {f"{C0}.ulimits": [{"name": "nofile", "softLimit": 10, "hardLimit": 5}]},
        f"{C0}.ulimits[0].softLimit",
        10,
        "must not exceed hardLimit (5)",
    ),
    "ulimit-minimum": Case(
        {f"{C0}.ulimits": [{"name": "nofile", "softLimit": -2, "hardLimit": 5}]},
        f"{C0}.ulimits[0].softLimit",
        -2,
        "at least -1",
    ),
    "ulimit-twice": Case(
        {
            f"{C0}.ulimits": [
                {"name": "nofile", "softLimit": 1, "hardLimit": 1},
                {"name": "nofile", "softLimit": 2, "hardLimit": 2},
            ]
        },
        f"{C0}.ulimits[1].name",
        "nofile",
        "is set twice",
    ),
    "mounted-twice": Case(
        {
            "volumes": [{"name": "a"}, {"name": "b"}],
            f"{C0}.mountPoints": [
                {"sourceVolume": "a", "containerPath": "/data"},
                {"sourceVolume": "b", "containerPath": "/data"},
            ],
        },
        f"{C0}.mountPoints[1].containerPath",
        "/data",
        "is mounted twice",
    ),
    "extra-host-address": Case(
        {f"{C0}.extraHosts": [{"hostname": "db", "ipAddress": "db.internal"}]},
        f"{C0}.extraHosts[0].ipAddress",
        "db.internal",
        "IPv4 or IPv6 address",
    ),
    "start-timeout": Case({f"{C0}.startTimeout": -5}, f"{C0}.startTimeout", -5, "at least 0"),
    "stop-timeout": Case({f"{C0}.stopTimeout": -1}, f"{C0}.stopTimeout", -1, "at least 0"),
    "version-consistency": Case(
        {f"{C0}.versionConsistency": "on"}, f"{C0}.versionConsistency", "on", "enabled, disabled"
    ),
    "dependency-condition": Case(
        {
            "containerDefinitions[1]": SIDECAR,
            f"{C0}.dependsOn": [{"containerName": "sidecar", "condition": "RUNNING"}],
        },
        f"{C0}.dependsOn[0].condition",
        "RUNNING",
        "START, COMPLETE, SUCCESS, HEALTHY",
    ),
    "dependency-name": Case(
        {f"{C0}.dependsOn": [{"containerName": "side car", "condition": "START"}]},
        f"{C0}.dependsOn[0].containerName",
        "side car",
        "letters, digits",
    ),
    "volumes-from-name": Case(
        {f"{C0}.volumesFrom": [{"sourceContainer": ""}]},
        f"{C0}.volumesFrom[0].sourceContainer",
        "",
        "letters, digits",
    ),
    "mount-point-path": Case(
        {
            "volumes": [{"name": "a"}],
            f"{C0}.mountPoints": [{"sourceVolume": "a", "containerPath": ""}],
        },
        f"{C0}.mountPoints[0].containerPath",
        "",
        "must not be empty",
    ),
    "restart-policy-period": Case(
        {f"{C0}.restartPolicy": {"enabled": True, "restartAttemptPeriod": 30}},
        f"{C0}.restartPolicy.restartAttemptPeriod",
        30,
        "between 60 and 1800",
    ),
    "restart-policy-disabled": Case(
        {f"{C0}.restartPolicy": {"enabled": False, "ignoredExitCodes": [1]}},
        f"{C0}.restartPolicy.enabled",
        False,
        "must be true when ignoredExitCodes",
    ),
    "restart-policy-codes": Case(
        {f"{C0}.restartPolicy": {"enabled": True, "ignoredExitCodes": list(range(51))}},
        f"{C0}.restartPolicy.ignoredExitCodes",
        list(range(51)),
        "at most 50 codes",
    ),
    # ---- linux parameters
    "capability": Case(
        {f"{LP}.capabilities": {"add": ["CAP_SYS_ADMIN"]}},
        f"{LP}.capabilities.add[0]",
        "CAP_SYS_ADMIN",
        "ALL, AUDIT_CONTROL",
    ),
    "device-permission": Case(
        {f"{LP}.devices": [{"hostPath": "/dev/fuse", "permissions": ["rw"]}]},
        f"{LP}.devices[0].permissions[0]",
        "rw",
        "read, write, mknod",
    ),
    "device-host-path": Case(
        {f"{LP}.devices": [{"hostPath": ""}]},
        f"{LP}.devices[0].hostPath",
        "",
        "must not be empty",
    ),
    "tmpfs-size": Case(
        {f"{LP}.tmpfs": [{"containerPath": "/tmp", "size": 0}]},
        f"{LP}.tmpfs[0].size",
        0,
        "at least 1 MiB",
    ),
    "tmpfs-option": Case(
        {f"{LP}.tmpfs": [{"containerPath": "/tmp", "size": 8, "mountOptions": ["fast"]}]},
        f"{LP}.tmpfs[0].mountOptions[0]",
        "fast",
        "tmpfs mount option",
    ),
    "tmpfs-valued-option": Case(
        {f"{LP}.tmpfs": [{"containerPath": "/tmp", "size": 8, "mountOptions": ["ro=1"]}]},
        f"{LP}.tmpfs[0].mountOptions[0]",
        "ro=1",
        "tmpfs mount option",
    ),
    "shared-memory": Case(
        {f"{LP}.sharedMemorySize": 0}, f"{LP}.sharedMemorySize", 0, "at least 1 MiB"
    ),
    "max-swap": Case({f"{LP}.maxSwap": -1}, f"{LP}.maxSwap", -1, "at least 0 MiB"),
    "swappiness": Case({f"{LP}.swappiness": 101}, f"{LP}.swappiness", 101, "between 0 and 100"),
    # ---- volumes
    "volume-name": Case(
        {"volumes": [{"name": "my volume"}]}, "volumes[0].name", "my volume", "letters, digits"
    ),
    "volume-two-kinds": Case(
        {
            "volumes": [
                {
                    "name": "v",
                    "host": {"sourcePath": "/data"},
                    "dockerVolumeConfiguration": {"scope": "task"},
                }
            ]
        },
        "volumes[0].name",
        "v",
        "sets host and dockerVolumeConfiguration",
    ),
    "volume-name-twice": Case(
        {"volumes": [{"name": "v"}, {"name": "v"}]}, "volumes[1].name", "v", "unique in the task"
    ),
    "docker-scope": Case(
        {"volumes": [{"name": "v", "dockerVolumeConfiguration": {"scope": "global"}}]},
        "volumes[0].dockerVolumeConfiguration.scope",
        "global",
        "task, shared",
    ),
    "docker-autoprovision": Case(
        {"volumes": [{"name": "v", "dockerVolumeConfiguration": {"autoprovision": True}}]},
        "volumes[0].dockerVolumeConfiguration.autoprovision",
        True,
        'only valid with scope "shared"',
    ),
    "efs-id": Case(
        {"volumes": [{"name": "v", "efsVolumeConfiguration": {"fileSystemId": "FILESYSTEM_ID"}}]},
        f"{EFS}.fileSystemId",
        "FILESYSTEM_ID",
        "EFS file system id",
    ),
    "efs-encryption": Case(
        {
            "volumes": [
                {
                    "name": "v",
                    "efsVolumeConfiguration": {
                        "fileSystemId": "fs-12345678",
                        "transitEncryption": "TLS",
                    },
                }
            ]
        },
        f"{EFS}.transitEncryption",
        "TLS",
        "ENABLED, DISABLED",
    ),
    "efs-port": Case(
        {
            "volumes": [
                {
                    "name": "v",
                    "efsVolumeConfiguration": {
                        "fileSystemId": "fs-12345678",
                        "transitEncryptionPort": 2049,
                    },
                }
            ]
        },
        f"{EFS}.transitEncryptionPort",
        2049,
        "needs transitEncryption ENABLED",
    ),
    "efs-iam-without-encryption": Case(
        {
            "volumes": [
                {
                    "name": "v",
                    "efsVolumeConfiguration": {
                        "fileSystemId": "fs-12345678",
                        "authorizationConfig": {"iam": "ENABLED"},
                    },
                }
            ]
        },
        f"{EFS}.transitEncryption",
        None,
        "must be ENABLED when authorizationConfig uses IAM",
    ),
    "efs-iam": Case(
        {
            "volumes": [
                {
                    "name": "v",
                    "efsVolumeConfiguration": {
                        "fileSystemId": "fs-12345678",
                        "authorizationConfig": {"iam": "yes"},
                    },
                }
            ]
        },
        f"{EFS}.authorizationConfig.iam",
        "yes",
        "ENABLED, DISABLED",
    ),
    "efs-access-point": Case(
        {
            "volumes": [
                {
                    "name": "v",
                    "efsVolumeConfiguration": {
                        "fileSystemId": "fs-12345678",
                        "transitEncryption": "ENABLED",
                        "authorizationConfig": {"accessPointId": "ap-1"},
                    },
                }
            ]
        },
        f"{EFS}.authorizationConfig.accessPointId",
        "ap-1",
        "access point id (fsap-...)",
    ),
    "efs-root-with-access-point": Case(
        {
            "volumes": [
                {
                    "name": "v",
                    "efsVolumeConfiguration": {
                        "fileSystemId": "fs-12345678",
                        "rootDirectory": "/data",
                        "transitEncryption": "ENABLED",
                        "authorizationConfig": {"accessPointId": "fsap-12345678"},
                    },
                }
            ]
        },
        f"{EFS}.rootDirectory",
        "/data",
        "the access point sets the root",
    ),
    "two-volumes-at-launch": Case(
        {
            "volumes": [
                {"name": "a", "configuredAtLaunch": True},
                {"name": "b", "configuredAtLaunch": True},
            ]
        },
        "volumes",
        ["a", "b"],
        "at most one volume may be configuredAtLaunch",
    ),
    "volume-at-launch-unmounted": Case(
        {"volumes": [{"name": "a", "configuredAtLaunch": True}]},
        "volumes[0].configuredAtLaunch",
        True,
        "must be mounted by a container",
    ),
    "mount-unknown-volume": Case(
        {
            "volumes": [{"name": "data"}],
            f"{C0}.mountPoints": [{"sourceVolume": "dta", "containerPath": "/data"}],
        },
        f"{C0}.mountPoints[0].sourceVolume",
        "dta",
        "must name a volume of the task (data) (did you mean 'data'?)",
    ),
    # ---- task level
    "family-pattern": Case({"family": "web/app"}, "family", "web/app", "letters, digits"),
    "network-mode": Case(
        {"networkMode": "nat"}, "networkMode", "nat", "bridge, host, awsvpc, none"
    ),
    "pid-mode": Case({"pidMode": "container"}, "pidMode", "container", "host, task"),
    "ipc-mode": Case({"ipcMode": "shareable"}, "ipcMode", "shareable", "host, task, none"),
    "too-many-containers": Case(
        {f"containerDefinitions[{i}]": dict(SIDECAR, name=f"s{i}") for i in range(1, 11)},
        "containerDefinitions",
        "11 containers",
        "at most 10 containers",
    ),
    "no-containers": Case(
        {"containerDefinitions": []}, "containerDefinitions", [], "at least one container"
    ),
    "duplicate-container-name": Case(
        {"containerDefinitions[1]": dict(SIDECAR, name="web")},
        "containerDefinitions[1].name",
        "web",
        "containerDefinitions[0] has the same name",
    ),
    "no-essential-container": Case(
        {f"{C0}.essential": False},
        "containerDefinitions",
        ["web"],
        "at least one container must be essential",
    ),
    "ec2-memory-rule": Case(
        {f"{C0}.memory": DELETE},
        f"{C0}.memory",
        None,
        "needs memory or memoryReservation (MiB) when the task sets no memory",
    ),
    "container-memory-above-task": Case(
        {"memory": "128"}, f"{C0}.memory", 256, "must not exceed the task's memory (128 MiB)"
    ),
    "reservation-above-task": Case(
        {"memory": "128", f"{C0}.memory": DELETE, f"{C0}.memoryReservation": 200},
        f"{C0}.memoryReservation",
        200,
        "must not exceed the task's memory (128 MiB)",
    ),
    "container-cpu-above-task": Case(
        {"cpu": "128", f"{C0}.cpu": 256}, f"{C0}.cpu", 256, "must not exceed the task's cpu"
    ),
    "memory-sum-above-task": Case(
        {"memory": "300", "containerDefinitions[1]": dict(SIDECAR, memory=100)},
        "memory",
        300,
        "must cover what the containers reserve (356 MiB",
    ),
    "cpu-sum-above-task": Case(
        {"cpu": "200", "containerDefinitions[1]": dict(SIDECAR, cpu=100)},
        "cpu",
        200,
        "must cover the containers' cpu (228 CPU units summed)",
    ),
    "link-target": Case(
        {"containerDefinitions[1]": SIDECAR, f"{C0}.links": ["sidecr"]},
        f"{C0}.links[0]",
        "sidecr",
        "(did you mean 'sidecar'?)",
    ),
    "link-to-itself": Case(
        {f"{C0}.links": ["web"]}, f"{C0}.links[0]", "web", "must name another container"
    ),
    "depends-on-target": Case(
        {f"{C0}.dependsOn": [{"containerName": "db", "condition": "START"}]},
        f"{C0}.dependsOn[0].containerName",
        "db",
        "must name another container of the task (no other container)",
    ),
    "healthy-without-health-check": Case(
        {
            "containerDefinitions[1]": SIDECAR,
            f"{C0}.dependsOn": [{"containerName": "sidecar", "condition": "HEALTHY"}],
        },
        f"{C0}.dependsOn[0].condition",
        "HEALTHY",
        "needs a healthCheck on container 'sidecar'",
    ),
    "complete-on-essential": Case(
        {
            "containerDefinitions[1]": SIDECAR,
            f"{C0}.dependsOn": [{"containerName": "sidecar", "condition": "COMPLETE"}],
        },
        f"{C0}.dependsOn[0].condition",
        "COMPLETE",
        'set "essential": false on it',
    ),
    "volumes-from-target": Case(
        {f"{C0}.volumesFrom": [{"sourceContainer": "data"}]},
        f"{C0}.volumesFrom[0].sourceContainer",
        "data",
        "must name another container",
    ),
    "dependency-cycle": Case(
        {
            "containerDefinitions[1]": dict(
                SIDECAR, dependsOn=[{"containerName": "web", "condition": "START"}]
            ),
            f"{C0}.dependsOn": [{"containerName": "sidecar", "condition": "START"}],
        },
        "containerDefinitions[1].dependsOn",
        "web -> sidecar -> web",
        "must not form a cycle",
    ),
    "none-mode-ports": Case(
        {"networkMode": "none"}, f"{C0}.portMappings", ANY, 'networkMode "none" has no network'
    ),
    "links-outside-bridge": Case(
        {"networkMode": "awsvpc", "containerDefinitions[1]": SIDECAR, f"{C0}.links": ["sidecar"]},
        f"{C0}.links",
        ["sidecar"],
        "links work only in bridge network mode",
    ),
    "awsvpc-hostname": Case(
        {"networkMode": "awsvpc", f"{C0}.hostname": "web"},
        f"{C0}.hostname",
        "web",
        "not supported in awsvpc network mode",
    ),
    "awsvpc-dns-servers": Case(
        {"networkMode": "awsvpc", f"{C0}.dnsServers": ["10.0.0.2"]},
        f"{C0}.dnsServers",
        ("10.0.0.2",),
        "not supported in awsvpc network mode",
    ),
    "awsvpc-host-port": Case(
        {"networkMode": "awsvpc", f"{PM}.hostPort": 8080},
        f"{PM}.hostPort",
        8080,
        "must equal containerPort (80) or be omitted in awsvpc network mode",
    ),
    "awsvpc-host-port-zero": Case(
        {"networkMode": "awsvpc", f"{PM}.hostPort": 0},
        f"{PM}.hostPort",
        0,
        "must equal containerPort (80)",
    ),
    "host-mode-host-port": Case(
        {"networkMode": "host", f"{PM}.hostPort": 8080},
        f"{PM}.hostPort",
        8080,
        "or be omitted in host network mode",
    ),
    "host-mode-port-range": Case(
        {"networkMode": "host", f"{C0}.portMappings[1]": {"containerPortRange": "9000-9010"}},
        f"{C0}.portMappings",
        "9000-9010",
        "bridge and awsvpc network modes only",
    ),
    "host-mode-port-name": Case(
        {"networkMode": "host", f"{PM}.name": "web"},
        f"{PM}.name",
        "web",
        "Service Connect port names work in bridge and awsvpc modes only",
    ),
    "port-name-twice": Case(
        {
            f"{PM}.name": "web",
            "containerDefinitions[1]": dict(
                SIDECAR, portMappings=[{"containerPort": 9000, "name": "web"}]
            ),
        },
        "containerDefinitions[1].portMappings[0].name",
        "web",
        f"must be unique in the task; {PM} uses it",
    ),
    "agent-reserved-port": Case(
        {f"{PM}.hostPort": 51678},
        f"{PM}.hostPort",
        51678,
        "reserved on every container instance by the ECS agent",
    ),
    "host-mode-reserved-port": Case(
        {"networkMode": "host", f"{PM}.containerPort": 22},
        f"{PM}.containerPort",
        22,
        "reserved on every container instance",
    ),
    "static-host-port-clash": Case(
        {
            f"{PM}.hostPort": 8080,
            "containerDefinitions[1]": dict(
                SIDECAR, portMappings=[{"containerPort": 9000, "hostPort": 8080}]
            ),
        },
        "containerDefinitions[1].portMappings[0].hostPort",
        8080,
        f"clashes with {PM}: one task cannot bind the same tcp port twice",
    ),
    "host-mode-port-clash": Case(
        {
            "networkMode": "host",
            "containerDefinitions[1]": dict(SIDECAR, portMappings=[{"containerPort": 80}]),
        },
        "containerDefinitions[1].portMappings[0].containerPort",
        80,
        "clashes with",
    ),
    "proxy-outside-awsvpc": Case(
        {"proxyConfiguration": {"containerName": "web"}},
        "proxyConfiguration",
        "web",
        'needs awsvpc network mode (this task uses "bridge")',
    ),
    "proxy-container": Case(
        {
            "networkMode": "awsvpc",
            f"{PM}.hostPort": DELETE,
            "proxyConfiguration": {"containerName": "envoy"},
        },
        "proxyConfiguration.containerName",
        "envoy",
        "must name a container of the task (web)",
    ),
    "proxy-property": Case(
        {
            "networkMode": "awsvpc",
            "proxyConfiguration": {
                "containerName": "web",
                "properties": [{"name": "IgnoredUser", "value": "1337"}],
            },
        },
        "proxyConfiguration.properties.IgnoredUser",
        "1337",
        "(did you mean 'IgnoredUID'?)",
    ),
    "proxy-type": Case(
        {"networkMode": "awsvpc", "proxyConfiguration": {"containerName": "web", "type": "ISTIO"}},
        "proxyConfiguration.type",
        "ISTIO",
        "APPMESH",
    ),
    "fault-injection-in-bridge": Case(
        {"enableFaultInjection": True},
        "enableFaultInjection",
        True,
        'needs awsvpc or host network mode (this task uses "bridge")',
    ),
    "too-many-placement-constraints": Case(
        {"placementConstraints": [{"type": "memberOf", "expression": "x"}] * 11},
        "placementConstraints",
        ["x"] * 11,
        "at most 10",
    ),
    "empty-placement-expression": Case(
        {"placementConstraints": [{"type": "memberOf", "expression": ""}]},
        "placementConstraints[0].expression",
        "",
        "must not be empty",
    ),
}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_fails_with_path_value_and_what_is_allowed(case_id: str) -> None:
    case = CASES[case_id]
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(patched(case.patches))
    assert error.value.field == case.field
    if case.value is not ANY:
        assert error.value.value == case.value
    assert case.allowed in error.value.allowed
    assert str(error.value).startswith(f"{case.field}: got ")


def test_base_document_is_valid() -> None:
    spec = TaskDefinitionSpec.from_dict(BASE)
    assert spec.containers[0].name == "web"


@pytest.mark.parametrize(
    ("patches", "check"),
    [
        ({"requiresCompatibilities": ["EC2", "FARGATE"]}, "notes"),
        ({"requiresCompatibilities": []}, "no notes"),
        ({"inferenceAccelerators": []}, "no notes"),
        (
            {"runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"}},
            "x86",
        ),
    ],
)
def test_accepts_what_ecs_on_ec2_linux_accepts(patches: dict[str, Any], check: str) -> None:
    spec = TaskDefinitionSpec.from_dict(patched(patches))
    if check == "notes":
        assert spec.notes == (
            "requiresCompatibilities ['FARGATE'] dropped: this library registers the task "
            "definition for EC2 only",
        )
    elif check == "x86":
        assert spec.cpu_architecture == "X86_64"
    else:
        assert spec.notes == ()
