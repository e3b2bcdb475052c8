"""Privileged work needs a reason (issue 15, point 3).

- A task that reaches into the instance (privileged, host network/PID/IPC namespace, a
  capability beyond Docker's defaults, a host volume of a protected path) is refused when it is
  defined, naming the field, unless ``host_access`` acknowledges it with a reason; an
  acknowledgement of what the task does not do is refused too.
- Acknowledged tasks synthesize clean (cdk-nag, cfn-lint), the acknowledgements recorded in the
  task definition's metadata.
- Only privileged containers also need the cluster's consent (``test_privileged_clusters.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_ecs import (
    ConfigurationError,
    ContainerAgent,
    ContainerSpec,
    EcsCluster,
    HostAccess,
    LinuxParameters,
    MountPoint,
    Network,
    TaskDefinitionSpec,
    Volume,
    WorkerService,
)
from constructs_ecs.taskdef._host_access import (
    DOCKER_DEFAULT_CAPABILITIES,
    PROTECTED_HOST_PATHS,
)
from constructs_ecs.taskdef._linux import CAPABILITIES
from constructs_ecs.testing import assert_cfn_lint_clean, assert_nag_clean, template_of
from tests.conftest import make_stack

REASON = "The test says why, in a sentence."
ADDED_CAPABILITIES = sorted(set(CAPABILITIES) - DOCKER_DEFAULT_CAPABILITIES)


def container(**overrides: Any) -> ContainerSpec:
    options: dict[str, Any] = {"name": "agent", "image": "busybox:1.36", "memory_mib": 128}
    options.update(overrides)
    return ContainerSpec(**options)


def task(*, host_access: Any = (), **overrides: Any) -> TaskDefinitionSpec:
    options: dict[str, Any] = {"family": "agent", "containers": [container()]}
    options.update(overrides)
    return TaskDefinitionSpec(host_access=host_access, **options)


def with_capabilities(*add: str) -> TaskDefinitionSpec:
    return task(
        containers=[container(linux_parameters=LinuxParameters(capabilities_add=list(add)))]
    )


def with_host_volume(path: str, **overrides: Any) -> TaskDefinitionSpec:
    mount = MountPoint(source_volume="host", container_path="/host", read_only=True)
    options: dict[str, Any] = {"containers": [container(mount_points=[mount])]}
    options.update(overrides)
    return task(volumes=[Volume(name="host", host_source_path=path)], **options)


def refused(build: Any) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as caught:
        build()
    return caught.value


# --------------------------------------------------------------------------- what needs a reason


def test_fails_when_a_container_is_privileged() -> None:
    error = refused(lambda: task(containers=[container(privileged=True)]))
    assert error.field == "containerDefinitions[0].privileged"
    assert error.value is True
    assert "root on the instance" in error.allowed
    assert "agent=ContainerAgent(allow_privileged_tasks=True)" in error.allowed
    assert "host_access=[HostAccess(allow=['privileged'], reason='...')]" in error.allowed


@pytest.mark.parametrize(("field", "attribute"), [("pidMode", "pid_mode"), ("ipcMode", "ipc_mode")])
def test_fails_when_a_namespace_of_the_instance_is_shared(field: str, attribute: str) -> None:
    error = refused(lambda: task(**{attribute: "host"}))
    assert (error.field, error.value) == (field, "host")
    assert f"allow=['{field}']" in error.allowed


def test_fails_when_network_mode_is_host() -> None:
    error = refused(lambda: task(network_mode="host"))
    assert (error.field, error.value) == ("networkMode", "host")
    assert "the instance role's credentials" in error.allowed
    assert "allow=['networkMode']" in error.allowed


@pytest.mark.parametrize(("attribute", "value"), [("pid_mode", "task"), ("ipc_mode", "task")])
def test_task_namespaces_need_no_reason(attribute: str, value: str) -> None:
    assert task(**{attribute: value}).host_access_findings() == ()


@pytest.mark.parametrize("capability", ADDED_CAPABILITIES)
def test_fails_when_a_capability_beyond_dockers_defaults_is_added(capability: str) -> None:
    error = refused(lambda: with_capabilities("CHOWN", capability))
    assert error.field == "containerDefinitions[0].linuxParameters.capabilities.add[1]"
    assert error.value == capability
    assert "not in Docker's default set" in error.allowed
    assert f"allow=[{capability!r}]" in error.allowed


def test_the_capabilities_that_need_a_reason_include_the_notorious_ones() -> None:
    assert {"SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "ALL", "DAC_READ_SEARCH"} <= set(
        ADDED_CAPABILITIES
    )
    assert len(DOCKER_DEFAULT_CAPABILITIES) == 14


@pytest.mark.parametrize("capability", sorted(DOCKER_DEFAULT_CAPABILITIES))
def test_re_adding_a_docker_default_capability_needs_no_reason(capability: str) -> None:
    spec = task(
        containers=[
            container(
                linux_parameters=LinuxParameters(
                    capabilities_drop=["ALL"], capabilities_add=[capability]
                )
            )
        ]
    )
    assert spec.host_access_findings() == ()


@pytest.mark.parametrize(
    ("path", "exposes"),
    [
        ("/", "the instance's whole file system"),
        ("/var/run/docker.sock", "the Docker API"),
        ("/run/docker.sock", "the Docker API"),
        ("/run/containerd/containerd.sock", "under /run/containerd"),
        ("/etc", "the agent's ecs.config"),
        ("/etc/ecs", "under /etc"),
        ("/proc", "every process of the instance"),
        ("/proc/sys/kernel", "under /proc"),
        ("/sys", "cgroups"),
        ("/sys/fs/cgroup", "under /sys"),
        ("/dev", "its disks"),
        ("/dev/shm", "under /dev"),
        ("/var/lib/docker", "their secrets among them"),
        ("/var/lib/docker/containers", "under /var/lib/docker"),
        ("/boot", "kernel and boot loader"),
        ("/root", "root user"),
        ("/var", "it holds /var/lib/docker"),
        ("/var/lib", "it holds /var/lib/docker"),
        ("/run", "it holds /run/docker.sock"),
        ("/var/run", "it holds /run/docker.sock"),
        ("//etc/", "the agent's ecs.config"),
        ("/var/./lib/../run/docker.sock", "the Docker API"),
    ],
)
def test_fails_when_a_protected_host_path_is_mounted(path: str, exposes: str) -> None:
    error = refused(lambda: with_host_volume(path))
    assert (error.field, error.value) == ("volumes[0].host.sourcePath", path)
    assert exposes in error.allowed


@pytest.mark.parametrize(
    "path",
    [
        "/var/log",
        "/var/log/ecs",
        "/tmp",
        "/data",
        "/opt/app",
        "/etcetera",
        "/procs",
        "/var/lib/app",
    ],
)
def test_other_host_paths_need_no_reason(path: str) -> None:
    assert with_host_volume(path).host_access_findings() == ()


def test_the_protected_paths_are_the_documented_ones() -> None:
    assert set(PROTECTED_HOST_PATHS) == {
        "/",
        "/boot",
        "/dev",
        "/etc",
        "/proc",
        "/root",
        "/run/containerd",
        "/run/docker.sock",
        "/sys",
        "/var/lib/docker",
    }


def test_a_docker_managed_volume_needs_no_reason() -> None:
    spec = task(volumes=[Volume(name="scratch")])
    assert spec.host_access_findings() == ()


def test_the_error_lists_everything_the_task_needs_so_one_fix_covers_it() -> None:
    error = refused(
        lambda: with_host_volume(
            "/proc",
            pid_mode="host",
            containers=[
                container(
                    privileged=True,
                    mount_points=[MountPoint(source_volume="host", container_path="/host")],
                )
            ],
        )
    )
    assert error.field == "pidMode"
    assert "allow=['pidMode', 'privileged', '/proc']" in error.allowed


def test_fails_when_json_asks_for_host_access_naming_the_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "agent.json"
    path.write_text(
        json.dumps(
            {
                "family": "agent",
                "containerDefinitions": [
                    {
                        "name": "agent",
                        "image": "busybox:1.36",
                        "memory": 64,
                        "mountPoints": [{"sourceVolume": "docker", "containerPath": "/d"}],
                    }
                ],
                "volumes": [{"name": "docker", "host": {"sourcePath": "/var/run/docker.sock"}}],
            }
        ),
        encoding="utf-8",
    )
    error = refused(lambda: TaskDefinitionSpec.from_file(path))
    assert error.field == f"{path}: volumes[0].host.sourcePath"
    spec = TaskDefinitionSpec.from_file(
        path, host_access=[HostAccess(allow=["/var/run/docker.sock"], reason=REASON)]
    )
    assert spec.host_access == (HostAccess(allow=("/var/run/docker.sock",), reason=REASON),)
    assert (
        TaskDefinitionSpec.from_json(path.read_text(encoding="utf-8"), host_access=spec.host_access)
        == spec
    )


# --------------------------------------------------------------------------- acknowledgements


def test_an_acknowledged_task_is_defined() -> None:
    spec = task(
        network_mode="host",
        pid_mode="host",
        containers=[container(privileged=True)],
        host_access=[
            HostAccess(allow=["networkMode", "pidMode"], reason=REASON),
            HostAccess(allow="privileged", reason=REASON),
        ],
    )
    assert [finding.what for finding in spec.host_access_findings()] == [
        "networkMode",
        "pidMode",
        "privileged",
    ]


def test_a_path_is_acknowledged_as_written_up_to_slashes_and_dots() -> None:
    access = [HostAccess(allow=["/var/run/docker.sock/"], reason=REASON)]
    assert with_host_volume("/var/run//docker.sock", host_access=access).host_access == tuple(
        access
    )


def test_fails_when_a_path_is_acknowledged_under_another_name() -> None:
    """/var/run links to /run on the instance, but the acknowledgement names what is written."""
    error = refused(
        lambda: with_host_volume(
            "/var/run/docker.sock",
            host_access=[HostAccess(allow=["/run/docker.sock"], reason=REASON)],
        )
    )
    assert error.field == "volumes[0].host.sourcePath"
    assert "allow=['/var/run/docker.sock']" in error.allowed


@pytest.mark.parametrize(
    ("allow", "said"),
    [
        ("privileged", "the task does not use it"),
        ("SYS_ADMIN", "the task does not use it"),
        ("/proc", "the task does not use it"),
        ("NET_BIND_SERVICE", "in Docker's default capability set"),
        ("/var/log", "not a protected host path"),
    ],
)
def test_fails_when_an_acknowledgement_names_what_the_task_does_not_need(
    allow: str, said: str
) -> None:
    error = refused(lambda: task(host_access=[HostAccess(allow=[allow], reason=REASON)]))
    assert (error.field, error.value) == ("host_access[0].allow[0]", allow)
    assert said in error.allowed
    assert "records only what the task does" in error.allowed


def test_fails_when_something_is_acknowledged_twice() -> None:
    error = refused(
        lambda: task(
            pid_mode="host",
            host_access=[
                HostAccess(allow=["pidMode"], reason=REASON),
                HostAccess(allow=["pidMode"], reason=REASON),
            ],
        )
    )
    assert (error.field, error.value) == ("host_access[1].allow[0]", "pidMode")
    assert "host_access[0].allow[0] names it too" in error.allowed


@pytest.mark.parametrize(
    ("allow", "hint"),
    [("SYS_ADMN", "did you mean 'SYS_ADMIN'?"), ("pidmode", "did you mean 'pidMode'?"), ("", "")],
)
def test_fails_when_host_access_names_something_unknown(allow: str, hint: str) -> None:
    error = refused(lambda: HostAccess(allow=[allow], reason=REASON))
    assert (error.field, error.value) == ("allow[0]", allow)
    assert "an absolute host path" in error.allowed
    assert hint in error.allowed


@pytest.mark.parametrize("reason", ["", "   ", "because", "   needed  "])
def test_fails_when_the_reason_is_not_a_sentence(reason: str) -> None:
    error = refused(lambda: HostAccess(allow=["privileged"], reason=reason))
    assert error.field == "reason"
    assert "at least 10 characters" in error.allowed


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"allow": [], "reason": REASON}, "allow"),
        ({"allow": None, "reason": REASON}, "allow"),
        ({"allow": [1], "reason": REASON}, "allow[0]"),
        ({"allow": ["privileged"], "reason": None}, "reason"),
        ({"allow": ["privileged"], "reason": cdk.Fn.ref("Reason")}, "reason"),
    ],
)
def test_fails_when_host_access_is_given_the_wrong_types(
    arguments: dict[str, Any], field: str
) -> None:
    error = refused(lambda: HostAccess(**arguments))
    assert error.field == field
    assert "Token[" not in str(error)


def test_fails_when_host_access_is_not_a_list_of_host_access() -> None:
    access = HostAccess(allow=["pidMode"], reason=REASON)
    error = refused(lambda: task(pid_mode="host", host_access=access))
    assert error.field == "host_access"
    error = refused(lambda: task(pid_mode="host", host_access=[{"allow": ["pidMode"]}]))
    assert error.field == "host_access[0]"


# --------------------------------------------------------------------------- synthesized


@dataclass
class Synthesized:
    template: dict[str, Any]
    stack: cdk.Stack
    services: dict[str, WorkerService]


EVERYTHING_ACCESS = (
    HostAccess(
        allow=["networkMode", "pidMode", "ipcMode", "privileged", "SYS_ADMIN", "NET_ADMIN"],
        reason="A node agent: it manages the instance's network and inspects its processes.",
    ),
    HostAccess(
        allow=["/proc", "/var/run/docker.sock"],
        reason="It reads the instance's processes and lists its containers, read-only.",
    ),
)


def everything() -> TaskDefinitionSpec:
    """A task that does every kind of thing that needs a reason, all acknowledged."""
    return TaskDefinitionSpec(
        family="node-agent",
        network_mode="host",
        pid_mode="host",
        ipc_mode="host",
        containers=[
            container(
                privileged=True,
                linux_parameters=LinuxParameters(capabilities_add=["SYS_ADMIN", "NET_ADMIN"]),
                mount_points=[
                    MountPoint(source_volume="proc", container_path="/host/proc", read_only=True),
                    MountPoint(
                        source_volume="docker",
                        container_path="/var/run/docker.sock",
                        read_only=True,
                    ),
                ],
            )
        ],
        volumes=[
            Volume(name="proc", host_source_path="/proc"),
            Volume(name="docker", host_source_path="/var/run/docker.sock"),
        ],
        host_access=EVERYTHING_ACCESS,
    )


def task_definition(synthesized: Synthesized, service: str) -> dict[str, Any]:
    cfn = synthesized.services[service].task_definition.node.default_child
    assert isinstance(cfn, cdk.CfnResource)
    resource: dict[str, Any] = synthesized.template["Resources"][
        synthesized.stack.resolve(cfn.logical_id)
    ]
    return resource


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    stack = make_stack("HostAccess")
    network = Network(stack, "Network")
    allowing = EcsCluster(
        stack, "Allowing", vpc=network.vpc, agent=ContainerAgent(allow_privileged_tasks=True)
    )
    refusing = EcsCluster(stack, "Refusing", vpc=network.vpc)
    services = {
        "everything": WorkerService(
            stack, "Everything", cluster=allowing, task_definition=everything()
        ),
        "plain": WorkerService(stack, "Plain", cluster=refusing, task_definition=task()),
        # Only privileged containers need the cluster's consent.
        "unprivileged": WorkerService(
            stack,
            "Unprivileged",
            cluster=refusing,
            task_definition=task(
                pid_mode="host",
                host_access=[HostAccess(allow=["pidMode"], reason="It samples every process.")],
            ),
        ),
    }
    return Synthesized(template=template_of(stack), stack=stack, services=services)


def test_acknowledgements_are_recorded_in_the_task_definitions_metadata(
    synthesized: Synthesized,
) -> None:
    node_agent, docker = EVERYTHING_ACCESS
    metadata = task_definition(synthesized, "everything")["Metadata"]["constructs_ecs"]
    assert metadata == {
        "host_access": [
            {"what": "networkMode", "fields": ["networkMode"], "reason": node_agent.reason},
            {"what": "pidMode", "fields": ["pidMode"], "reason": node_agent.reason},
            {"what": "ipcMode", "fields": ["ipcMode"], "reason": node_agent.reason},
            {
                "what": "privileged",
                "fields": ["containerDefinitions[0].privileged"],
                "reason": node_agent.reason,
            },
            {
                "what": "SYS_ADMIN",
                "fields": ["containerDefinitions[0].linuxParameters.capabilities.add[0]"],
                "reason": node_agent.reason,
            },
            {
                "what": "NET_ADMIN",
                "fields": ["containerDefinitions[0].linuxParameters.capabilities.add[1]"],
                "reason": node_agent.reason,
            },
            {"what": "/proc", "fields": ["volumes[0].host.sourcePath"], "reason": docker.reason},
            {
                "what": "/var/run/docker.sock",
                "fields": ["volumes[1].host.sourcePath"],
                "reason": docker.reason,
            },
        ]
    }


def test_an_acknowledged_task_reaches_the_template_as_written(synthesized: Synthesized) -> None:
    properties = task_definition(synthesized, "everything")["Properties"]
    assert (properties["NetworkMode"], properties["PidMode"], properties["IpcMode"]) == (
        "host",
        "host",
        "host",
    )
    (agent,) = properties["ContainerDefinitions"]
    assert agent["Privileged"] is True
    assert agent["LinuxParameters"]["Capabilities"] == {"Add": ["SYS_ADMIN", "NET_ADMIN"]}
    assert properties["Volumes"] == [
        {"Name": "proc", "Host": {"SourcePath": "/proc"}},
        {"Name": "docker", "Host": {"SourcePath": "/var/run/docker.sock"}},
    ]


def test_a_task_without_host_access_has_no_metadata_of_ours(synthesized: Synthesized) -> None:
    assert "constructs_ecs" not in task_definition(synthesized, "plain").get("Metadata", {})


def test_only_privileged_containers_need_the_clusters_consent(synthesized: Synthesized) -> None:
    """The host PID namespace on a cluster that refuses privileged containers: defined."""
    metadata = task_definition(synthesized, "unprivileged")["Metadata"]["constructs_ecs"]
    assert metadata == {
        "host_access": [
            {"what": "pidMode", "fields": ["pidMode"], "reason": "It samples every process."}
        ]
    }


def test_acknowledged_tasks_synthesize_nag_and_cfn_lint_clean(synthesized: Synthesized) -> None:
    assert_nag_clean(synthesized.stack)
    assert_cfn_lint_clean(synthesized.template)
