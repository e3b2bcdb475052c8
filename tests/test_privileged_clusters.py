"""Clusters refuse privileged containers unless created to run them (issue 15, point 3).

- The agent is told ``ECS_DISABLE_PRIVILEGED=true`` (Bottlerocket:
  ``allow-privileged-containers = false``) unless the cluster is created with
  ``allow_privileged_tasks=True``; user data never depends on the services.
- A service with a privileged container on a cluster that refuses them is a
  ``ConfigurationError``; on one that allows them it synthesizes clean (cdk-nag, cfn-lint).
- ``agent_settings`` may repeat what the option decides, never contradict it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_ecs import (
    ConfigurationError,
    ContainerAgent,
    ContainerSpec,
    EcsCluster,
    HostAccess,
    InstanceImage,
    Network,
    TaskDefinitionSpec,
    WorkerService,
)
from constructs_ecs.cluster._agent import merge_agent_settings
from constructs_ecs.testing import assert_cfn_lint_clean, assert_nag_clean, template_of
from tests.conftest import make_stack

BOTTLEROCKET = "1.54.0"


def container(**overrides: Any) -> ContainerSpec:
    options: dict[str, Any] = {"name": "agent", "image": "busybox:1.36", "memory_mib": 128}
    options.update(overrides)
    return ContainerSpec(**options)


def privileged_task() -> TaskDefinitionSpec:
    """A sidecar, then a privileged container (acknowledged: the task's half of the consent)."""
    return TaskDefinitionSpec(
        family="node-agent",
        containers=[container(name="sidecar"), container(privileged=True)],
        host_access=[HostAccess(allow=["privileged"], reason="It manages the instance's disks.")],
    )


def refused(build: Any) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as caught:
        build()
    return caught.value


@dataclass
class Synthesized:
    template: dict[str, Any]
    stack: cdk.Stack
    clusters: dict[str, EcsCluster]
    user_data_before_services: dict[str, str]


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    stack = make_stack("PrivilegedClusters")
    network = Network(stack, "Network")
    rocket = InstanceImage.bottlerocket(BOTTLEROCKET)
    clusters = {
        "refusing": EcsCluster(stack, "Refusing", vpc=network.vpc),
        "allowing": EcsCluster(
            stack, "Allowing", vpc=network.vpc, agent=ContainerAgent(allow_privileged_tasks=True)
        ),
        "rocket": EcsCluster(stack, "Rocket", vpc=network.vpc, image=rocket),
        "rocket-allowing": EcsCluster(
            stack,
            "RocketAllowing",
            vpc=network.vpc,
            image=rocket,
            agent=ContainerAgent(allow_privileged_tasks=True),
        ),
    }
    before = {name: _rendered_user_data(cluster) for name, cluster in clusters.items()}
    WorkerService(
        stack, "Privileged", cluster=clusters["allowing"], task_definition=privileged_task()
    )
    WorkerService(
        stack, "OnRocket", cluster=clusters["rocket-allowing"], task_definition=privileged_task()
    )
    WorkerService(
        stack,
        "Plain",
        cluster=clusters["refusing"],
        task_definition=TaskDefinitionSpec(family="plain", containers=[container()]),
    )
    return Synthesized(
        template=template_of(stack),
        stack=stack,
        clusters=clusters,
        user_data_before_services=before,
    )


def _rendered_user_data(cluster: EcsCluster) -> str:
    user_data = cluster.launch_template.user_data
    assert user_data is not None
    return user_data.render()


def user_data(synthesized: Synthesized, cluster: str) -> str:
    """The synthesized user data of ``cluster``, with tokens as ``<Ref:LogicalId>``."""
    cfn = synthesized.clusters[cluster].launch_template.node.default_child
    assert isinstance(cfn, cdk.CfnResource)
    resource = synthesized.template["Resources"][synthesized.stack.resolve(cfn.logical_id)]
    parts = resource["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else f"<Ref:{p['Ref']}>" for p in parts)


def ecs_config(synthesized: Synthesized, cluster: str) -> list[str]:
    text = user_data(synthesized, cluster)
    body = text.split("<<'ECS_CONFIG' >> /etc/ecs/ecs.config\n", 1)[1]
    return body.split("\nECS_CONFIG\n")[0].splitlines()


def test_clusters_refuse_privileged_containers_by_default(synthesized: Synthesized) -> None:
    assert "ECS_DISABLE_PRIVILEGED=true" in ecs_config(synthesized, "refusing")
    assert synthesized.clusters["refusing"].agent_settings["ECS_DISABLE_PRIVILEGED"] == "true"


def test_allow_privileged_tasks_lets_the_agent_run_them(synthesized: Synthesized) -> None:
    lines = ecs_config(synthesized, "allowing")
    assert "ECS_DISABLE_PRIVILEGED=false" in lines
    assert "ECS_DISABLE_PRIVILEGED=true" not in lines
    assert synthesized.clusters["allowing"].agent_settings["ECS_DISABLE_PRIVILEGED"] == "false"


@pytest.mark.parametrize(("cluster", "allowed"), [("rocket", False), ("rocket-allowing", True)])
def test_bottlerocket_writes_its_own_setting(
    synthesized: Synthesized, cluster: str, allowed: bool
) -> None:
    text = user_data(synthesized, cluster)
    assert tomllib.loads(text)["settings"]["ecs"]["allow-privileged-containers"] is allowed
    assert "ECS_DISABLE_PRIVILEGED" not in text


def test_user_data_does_not_depend_on_the_services(synthesized: Synthesized) -> None:
    for name, cluster in synthesized.clusters.items():
        assert _rendered_user_data(cluster) == synthesized.user_data_before_services[name], name


def test_privileged_tasks_on_clusters_that_allow_them_synthesize_clean(
    synthesized: Synthesized,
) -> None:
    privileged = [
        container
        for resource in synthesized.template["Resources"].values()
        if resource["Type"] == "AWS::ECS::TaskDefinition"
        for container in resource["Properties"]["ContainerDefinitions"]
        if container.get("Privileged")
    ]
    assert len(privileged) == 2
    assert_nag_clean(synthesized.stack)
    assert_cfn_lint_clean(synthesized.template)


@pytest.fixture(scope="module")
def refusing_clusters() -> dict[str, EcsCluster]:
    stack = make_stack("Refusing", nag=False)
    network = Network(stack, "Network")
    return {
        "al2023": EcsCluster(stack, "Cluster", vpc=network.vpc),
        "bottlerocket": EcsCluster(
            stack, "Rocket", vpc=network.vpc, image=InstanceImage.bottlerocket(BOTTLEROCKET)
        ),
    }


@pytest.mark.parametrize("image", ["al2023", "bottlerocket"])
def test_fails_when_a_privileged_task_runs_on_a_cluster_that_refuses_them(
    refusing_clusters: dict[str, EcsCluster], image: str
) -> None:
    cluster = refusing_clusters[image]
    error = refused(
        lambda: WorkerService(
            cdk.Stack.of(cluster),
            f"Privileged{image}",
            cluster=cluster,
            task_definition=privileged_task(),
        )
    )
    assert (error.field, error.value) == (
        "task_definition.containerDefinitions[1].privileged",
        True,
    )
    assert "ECS_DISABLE_PRIVILEGED=true" in error.allowed
    assert "EcsCluster(..., agent=ContainerAgent(allow_privileged_tasks=True))" in error.allowed


# --------------------------------------------------------------------------- agent settings


def test_a_setting_that_agrees_with_the_option_is_accepted() -> None:
    for bottlerocket in (False, True):
        settings = merge_agent_settings(
            {"ECS_DISABLE_PRIVILEGED": "true"}, spot=False, gpu=False, bottlerocket=bottlerocket
        )
        assert settings["ECS_DISABLE_PRIVILEGED"] == "true"


def test_fails_when_agent_settings_allow_privileged_containers_without_the_option() -> None:
    error = refused(
        lambda: merge_agent_settings(
            {"ECS_DISABLE_PRIVILEGED": "false"}, spot=False, gpu=False, bottlerocket=False
        )
    )
    assert (error.field, error.value) == ("agent.settings['ECS_DISABLE_PRIVILEGED']", "false")
    assert "EcsCluster(..., agent=ContainerAgent(allow_privileged_tasks=True))" in error.allowed


def test_fails_when_agent_settings_contradict_allow_privileged_tasks() -> None:
    error = refused(
        lambda: merge_agent_settings(
            {"ECS_DISABLE_PRIVILEGED": "true"},
            spot=False,
            gpu=False,
            bottlerocket=False,
            allow_privileged=True,
        )
    )
    assert (error.field, error.value) == ("agent.settings['ECS_DISABLE_PRIVILEGED']", "true")
    assert "contradicts agent.allow_privileged_tasks=True" in error.allowed


def test_fails_when_the_cluster_is_given_a_contradicting_setting() -> None:
    stack = make_stack("Contradiction", nag=False)
    network = Network(stack, "Network")
    error = refused(
        lambda: EcsCluster(
            stack,
            "Cluster",
            vpc=network.vpc,
            agent=ContainerAgent(settings={"ECS_DISABLE_PRIVILEGED": "false"}),
        )
    )
    assert error.field == "agent.settings['ECS_DISABLE_PRIVILEGED']"
