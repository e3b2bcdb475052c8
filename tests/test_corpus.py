"""Real-world task definitions (../shared/corpus/taskdefs): each does what MANIFEST.md says.

- ``ok`` (and the two ``either`` files, which this library imports): imported, run as a
  ``WorkerService`` on an ``EcsCluster``, all in ONE stack (one synthesis, cdk-nag on),
  cfn-lint clean, and every JSON field found in the template (``tests/roundtrip.py``).
- ``reject``: ``ConfigurationError`` whose message holds the manifest's reason (``REJECTS``).
- Five ``ok`` files still hold placeholders of their source repositories (``DEFECTS``): they are
  rejected as they are, naming the bad field, and synthesized after the placeholder is filled.
- Eight ``ok`` files reach into the instance (privileged, host network or PID namespace,
  SYS_ADMIN, host /proc, /dev, /sys): each is imported with the ``host_access`` its features in
  the manifest call for, with the reason its source needs it (``HOST_ACCESS``), and refused
  without it; the cluster they run on allows privileged tasks.

The ``either`` choices: ``nvidia-gpu`` imports (a cluster without GPUs is the services' check,
``resource_needs().gpus``); ``networkMode: "default"`` imports as bridge with a note.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from constructs_ecs import Alarms, ContainerAgent, EcsCluster, HostAccess, Network, WorkerService
from constructs_ecs._errors import ConfigurationError
from constructs_ecs.services._base import MUTABLE_TAG_PULLED_ONCE
from constructs_ecs.taskdef import TaskDefinitionSpec
from constructs_ecs.taskdef._importer import NOTE_DEFAULT_NETWORK_MODE
from constructs_ecs.testing import cfn_lint_findings, template_of
from tests.conftest import CORPUS, make_stack
from tests.roundtrip import missing_fields


def _manifest(corpus: Path, column: int = 6) -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in (corpus / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0].endswith(".json"):
            rows[cells[0]] = cells[column]
    return rows


MANIFEST = _manifest(CORPUS) if CORPUS.is_dir() else {}
#: The manifest's "features" column: ``net=host``, ``privileged``, ``pidMode``, ...
FEATURES = _manifest(CORPUS, column=5) if CORPUS.is_dir() else {}

#: reject rows: the fragments the error message must hold (the manifest's reason, in words).
REJECTS: dict[str, tuple[str, ...]] = {
    "ecs-agent__nginx-awsvpc.json": ("containerDefinitions[0].portBindings", "'portMappings'"),
    "ecs-agent__security-opt-nonewprivileges.json": (
        "containerDefinitions[0].portBindings",
        "not a field of a container definition",
    ),
    "ecs-agent__task-elastic-inference.json": (
        "inferenceAccelerators",
        "Elastic Inference is retired",
    ),
    "ecs-docs__example_task_definitions-1-fargate-task-definition.json": (
        "requiresCompatibilities",
        "['FARGATE']",
        'must include "EC2"',
    ),
    "ecs-docs__example_task_definitions-2-windows-simple-iis-2019-core.json": (
        "requiresCompatibilities",
        "['FARGATE']",
    ),
    "ecs-docs__example_task_definitions-5-appmesh-gateway.json": (
        "containerDefinitions[0].memory",
        "'app'",
        "memory or memoryReservation",
        "task sets no memory",
    ),
    "firelens-examples__appmesh-colorteller.json": ("requiresCompatibilities", "['FARGATE']"),
}


@dataclass(frozen=True)
class Defect:
    """An ``ok`` file still holding a placeholder of its source repository."""

    field: str
    """Where the import stops (the first bad value)."""
    repair: Callable[[str], str]
    """Fills the placeholder(s) the way the source's own tooling would."""


def _replace(old: str, new: str) -> Callable[[str], str]:
    return lambda text: text.replace(old, new)


DEFECTS: dict[str, Defect] = {
    # The agent's test harness substitutes "$$$NAME$$$"; "$value$" remains in image,
    # executionRoleArn and awslogs-region.
    "ecs-agent__execution-role.json": Defect(
        "containerDefinitions[0].image", lambda text: re.sub(r'"\$([^"$]*)\$"', r'"\1"', text)
    ),
    "ecs-agent__task-efs-vol-read.json": Defect(
        "volumes[0].efsVolumeConfiguration.fileSystemId",
        _replace("FILESYSTEM_ID", "fs-12345678"),
    ),
    # An 11-digit account: not an IAM ARN (cfn-lint E3511 rejects it too).
    "firelens-examples__efs-wrapped.json": Defect(
        "taskDefinition.taskRoleArn", _replace("::11111111111:", "::111111111111:")
    ),
    "firelens-examples__emf-bridge.json": Defect(
        "taskRoleArn", _replace("XXXXXXXXXXXX", "123456789012")
    ),
    "firelens-examples__log-collection-tail.json": Defect(
        "taskRoleArn", _replace("XXXXXXXXXXXX", "123456789012")
    ),
}


def _access(reason: str, *allow: str) -> tuple[HostAccess, ...]:
    return (HostAccess(allow=allow, reason=reason),)


#: What each file that reaches into the instance is allowed, and why its source needs it.
HOST_ACCESS: dict[str, tuple[HostAccess, ...]] = {
    "aws-containers-task-definitions__ConsulClient.json": _access(
        "A Consul agent binds and advertises the instance's own address (CONSUL_BIND_INTERFACE "
        "eth0) for gossip with the other members.",
        "networkMode",
    ),
    "aws-containers-task-definitions__ConsulServer.json": _access(
        "A Consul server binds and advertises the instance's own address for gossip and "
        "consensus with the other servers.",
        "networkMode",
    ),
    "container-insights__cwagent-ecs-instance-metric.json": _access(
        "The CloudWatch agent collects the instance's metrics for Container Insights from the "
        "host's /proc, /dev and cgroups, all mounted read-only.",
        "/proc",
        "/dev",
        "/sys/fs/cgroup",
    ),
    "ecs-agent__add-drop-capabilities.json": _access(
        "The ECS agent's functional test of linuxParameters.capabilities: it checks that "
        "SYS_ADMIN was added.",
        "SYS_ADMIN",
    ),
    "ecs-agent__agent-introspection-validator.json": _access(
        "The ECS agent's functional test of its introspection API, which listens on the "
        "instance's localhost.",
        "networkMode",
    ),
    "ecs-agent__appmesh-plugin-validator.json": _access(
        "The ECS agent's functional test of the App Mesh plugin: it reads the task's iptables "
        "rules, which needs a privileged container.",
        "privileged",
    ),
    "ecs-agent__pid-namespace-host-share.json": _access(
        "The ECS agent's functional test of pidMode host: it looks for the instance's processes.",
        "pidMode",
    ),
    "ecs-agent__privileged.json": _access(
        "The ECS agent's functional test of privileged containers: it bind-mounts inside the "
        "container, which needs privileged.",
        "privileged",
    ),
}


def _text(corpus: Path, name: str) -> str:
    text = (corpus / name).read_text(encoding="utf-8")
    defect = DEFECTS.get(name)
    return defect.repair(text) if defect is not None else text


def _synthesized_names() -> list[str]:
    return sorted(name for name, expect in MANIFEST.items() if not expect.startswith("reject"))


@dataclass(frozen=True)
class Synthesized:
    template: dict[str, Any]
    specs: dict[str, TaskDefinitionSpec]
    properties: dict[str, dict[str, Any]]
    metadata: dict[str, dict[str, Any]]


GPU_TASK = "ecs-agent__nvidia-gpu.json"


@pytest.fixture(scope="module")
def synthesized(corpus_dir: Path) -> Synthesized:
    """Every ok/either file run as a WorkerService on an EcsCluster, in one stack synthesized
    once (cdk-nag on); the GPU task on a cluster of GPU instances."""
    stack = make_stack("CorpusStack")
    network = Network(stack, "Network")
    cluster = EcsCluster(
        stack,
        "Cluster",
        vpc=network.vpc,
        instance_type=ec2.InstanceType("m5.xlarge"),
        # two of the ECS agent's tests are privileged
        agent=ContainerAgent(allow_privileged_tasks=True),
    )
    gpu_cluster = EcsCluster(
        stack, "GpuCluster", vpc=network.vpc, instance_type=ec2.InstanceType("g4dn.xlarge")
    )
    specs: dict[str, TaskDefinitionSpec] = {}
    logical_ids: dict[str, str] = {}
    for index, name in enumerate(_synthesized_names()):
        spec = TaskDefinitionSpec.from_json(
            _text(corpus_dir, name), host_access=HOST_ACCESS.get(name)
        )
        service = WorkerService(
            stack,
            f"Task{index:02d}",
            cluster=gpu_cluster if name == GPU_TASK else cluster,
            task_definition=spec,
            # What is under test is the task definitions: the services' alarms (tested in
            # test_deployments) would take the one stack over its resource budget.
            alarms=Alarms.off(),
        )
        specs[name] = spec
        # the corpus keeps its sources' images as published, many with no tag or latest
        cdk.Validations.of(service).acknowledge(
            cdk.Acknowledgment(
                id=f"Annotation::{MUTABLE_TAG_PULLED_ONCE}",
                reason="corpus test: public task definitions keep their sources' image tags",
            )
        )
        if spec.notes:  # what the importer changed is a warning; reviewed here, so acknowledged
            cdk.Validations.of(service.task_definition).acknowledge(
                cdk.Acknowledgment(
                    id="Annotation::@constructs-ecs/taskdef:importNote",
                    reason="corpus test: the note is asserted by its own test",
                )
            )
        cfn = service.task_definition.node.default_child
        assert isinstance(cfn, cdk.CfnResource)
        logical_ids[name] = stack.resolve(cfn.logical_id)
    template = template_of(stack)
    properties = {
        name: template["Resources"][logical_id]["Properties"]
        for name, logical_id in logical_ids.items()
    }
    metadata = {
        name: template["Resources"][logical_id].get("Metadata", {})
        for name, logical_id in logical_ids.items()
    }
    return Synthesized(template=template, specs=specs, properties=properties, metadata=metadata)


def test_either_gpu_task_is_refused_by_a_cluster_without_gpus(corpus_dir: Path) -> None:
    stack = make_stack("NoGpu")
    network = Network(stack, "Network")
    cluster = EcsCluster(stack, "Cluster", vpc=network.vpc)
    spec = TaskDefinitionSpec.from_file(corpus_dir / GPU_TASK)
    with pytest.raises(ConfigurationError, match=r"^task_definition\.gpus: got 1;"):
        WorkerService(stack, "Gpu", cluster=cluster, task_definition=spec)


def test_manifest_lists_every_file_and_every_reject_has_an_expectation(corpus_dir: Path) -> None:
    files = {path.name for path in corpus_dir.glob("*.json")}
    assert set(MANIFEST) == files
    rejects = {name for name, expect in MANIFEST.items() if expect.startswith("reject")}
    assert rejects == set(REJECTS)
    assert all(MANIFEST[name].startswith("ok") for name in DEFECTS)


@pytest.mark.parametrize("name", sorted(REJECTS))
def test_reject_raises_with_the_reason(corpus_dir: Path, name: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_file(corpus_dir / name)
    for fragment in REJECTS[name]:
        assert fragment in str(error.value)


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_placeholder_is_rejected_as_is(corpus_dir: Path, name: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_file(corpus_dir / name)
    assert error.value.field.endswith(DEFECTS[name].field)


@pytest.mark.parametrize("name", _synthesized_names())
def test_imports_synthesizes_and_round_trips(
    corpus_dir: Path, synthesized: Synthesized, name: str
) -> None:
    document = json.loads(_text(corpus_dir, name))
    task = document.get("taskDefinition", document)
    properties = synthesized.properties[name]
    assert properties["Family"] == task["family"]
    assert missing_fields(task, properties) == []


def test_synthesized_corpus_is_cfn_lint_clean(synthesized: Synthesized) -> None:
    assert cfn_lint_findings(synthesized.template) == []


@pytest.mark.parametrize("name", sorted(HOST_ACCESS))
def test_host_access_is_refused_unless_acknowledged(corpus_dir: Path, name: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_json(_text(corpus_dir, name))
    needed = [
        f.field
        for f in TaskDefinitionSpec.from_json(
            _text(corpus_dir, name), host_access=HOST_ACCESS[name]
        ).host_access_findings()
    ]
    assert error.value.field == needed[0]


def test_what_the_manifest_shows_of_host_access_is_acknowledged() -> None:
    for name in _synthesized_names():
        features = set(FEATURES[name].split(", "))
        allowed = {what for access in HOST_ACCESS.get(name, ()) for what in access.allow}
        for feature, what in (("privileged", "privileged"), ("net=host", "networkMode")):
            assert (feature in features) == (what in allowed), name
        # pidMode and ipcMode are features whatever their value: "task" needs no reason.
        assert ("pidMode" in allowed) <= ("pidMode" in features), name
        assert ("SYS_ADMIN" in allowed) <= ("linuxParameters" in features), name
        assert any(w.startswith("/") for w in allowed) <= ("volumes" in features), name


@pytest.mark.parametrize("name", sorted(HOST_ACCESS))
def test_acknowledged_host_access_is_recorded_with_its_reason(
    synthesized: Synthesized, name: str
) -> None:
    (access,) = HOST_ACCESS[name]
    recorded = synthesized.metadata[name]["constructs_ecs"]["host_access"]
    assert [(entry["what"], entry["reason"]) for entry in recorded] == [
        (what, access.reason) for what in access.allow
    ]


def test_either_gpu_task_imports_with_its_gpu_need(synthesized: Synthesized) -> None:
    spec = synthesized.specs["ecs-agent__nvidia-gpu.json"]
    assert spec.resource_needs().gpus == 1
    assert synthesized.properties["ecs-agent__nvidia-gpu.json"]["ContainerDefinitions"][0][
        "ResourceRequirements"
    ] == [{"Type": "GPU", "Value": "1"}]


def test_either_default_network_mode_imports_as_bridge_with_a_note(
    synthesized: Synthesized,
) -> None:
    name = "otel-collector__ecs-ec2-prometheus.json"
    assert synthesized.specs[name].network_mode == "bridge"
    assert synthesized.specs[name].notes == (NOTE_DEFAULT_NETWORK_MODE,)
    assert synthesized.properties[name]["NetworkMode"] == "bridge"


def test_counts(synthesized: Synthesized) -> None:
    expects = [expect.split(":", 1)[0] for expect in MANIFEST.values()]
    assert len(MANIFEST) == 67
    assert expects.count("ok") == 58
    assert expects.count("reject") == len(REJECTS) == 7
    assert expects.count("either") == 2
    assert len(synthesized.specs) == 60
