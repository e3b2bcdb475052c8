"""The Python API: accessors the services rely on, immutability, and Python-only type checks."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from aws_cdk import aws_ecs as ecs

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef import (
    ContainerDependency,
    ContainerSpec,
    DockerVolumeConfiguration,
    HealthCheck,
    HostAccess,
    LogConfiguration,
    PortMapping,
    ProxyConfiguration,
    ResourceNeeds,
    RestartPolicy,
    TaskDefinitionSpec,
    Volume,
)


def web(**overrides: Any) -> ContainerSpec:
    options: dict[str, Any] = {"name": "web", "image": "nginx:1.27", "memory_mib": 256}
    options.update(overrides)
    return ContainerSpec(**options)


def test_defaults_follow_ecs() -> None:
    spec = TaskDefinitionSpec(containers=[web()])
    assert spec.family is None
    assert spec.network_mode == "bridge"
    assert spec.containers[0].essential is True
    assert PortMapping(container_port=80).protocol == "tcp"


def test_sequences_are_stored_as_tuples_and_specs_are_frozen() -> None:
    spec = TaskDefinitionSpec(containers=[web(port_mappings=[PortMapping(container_port=80)])])
    assert isinstance(spec.containers, tuple)
    assert isinstance(spec.containers[0].port_mappings, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.family = "other"  # type: ignore[misc]


def test_resource_needs_use_task_sizes_when_set() -> None:
    spec = TaskDefinitionSpec(cpu=1024, memory_mib=2048, containers=[web(cpu=256)])
    assert spec.resource_needs() == ResourceNeeds(cpu_units=1024, memory_mib=2048, gpus=0)


def test_resource_needs_sum_containers_reservation_else_limit() -> None:
    spec = TaskDefinitionSpec(
        containers=[
            web(cpu=256, memory_mib=512, memory_reservation_mib=128),
            ContainerSpec(name="side", image="busybox", cpu=64, memory_mib=64, gpu_count=2),
        ]
    )
    assert spec.resource_needs() == ResourceNeeds(cpu_units=320, memory_mib=192, gpus=2)


@pytest.mark.parametrize(
    ("mode", "mapping", "ports"),
    [
        ("bridge", PortMapping(container_port=80, host_port=8080), (8080,)),
        ("bridge", PortMapping(container_port=80), ()),
        ("bridge", PortMapping(container_port=80, host_port=0), ()),
        ("host", PortMapping(container_port=80), (80,)),
        ("awsvpc", PortMapping(container_port=80), ()),
    ],
)
def test_static_host_ports(mode: str, mapping: PortMapping, ports: tuple[int, ...]) -> None:
    access = [HostAccess(allow="networkMode", reason="Binds port 80 of the instance.")]
    spec = TaskDefinitionSpec(
        network_mode=mode,
        containers=[web(port_mappings=[mapping])],
        host_access=access if mode == "host" else (),
    )
    assert spec.static_host_ports() == ports


def test_first_port_mapping_is_of_the_first_container_with_one() -> None:
    mapping = PortMapping(container_port=8080, name="api")
    spec = TaskDefinitionSpec(
        containers=[
            ContainerSpec(name="init", image="busybox", memory_mib=16, essential=False),
            web(port_mappings=[mapping, PortMapping(container_port=9090)]),
        ]
    )
    found = spec.first_port_mapping()
    assert found is not None
    assert found[0].name == "web"
    assert found[1] is mapping


def test_first_port_mapping_is_none_without_ports() -> None:
    assert TaskDefinitionSpec(containers=[web()]).first_port_mapping() is None


def test_container_by_name() -> None:
    spec = TaskDefinitionSpec(containers=[web()])
    assert spec.container("web").image == "nginx:1.27"
    with pytest.raises(ConfigurationError) as error:
        spec.container("wbe")
    assert error.value.field == "container_name"
    assert "(did you mean 'web'?)" in error.value.allowed


def test_container_image_objects_are_accepted() -> None:
    image = ecs.ContainerImage.from_registry("nginx")
    assert web(image=image).image is image


def test_secret_like_environment_names() -> None:
    container = web(environment={"DB_PASSWORD": "x", "api_key": "y", "PORT": "80"})
    assert container.secret_like_environment() == ("DB_PASSWORD", "api_key")


@pytest.mark.parametrize(
    ("build", "field", "allowed"),
    [
        (lambda: web(image=123), "image", "an image reference string or an ecs.ContainerImage"),
        (lambda: web(cpu="1024"), "cpu", "must be an integer (CPU units)"),
        (lambda: web(essential="yes"), "essential", "true or false"),
        (lambda: web(command="run"), "command", "must be a list"),
        (lambda: web(environment=[("A", "1")]), "environment", "must be a mapping"),
        (lambda: web(environment={"PORT": 80}), "environment.PORT", "quote numbers"),
        (lambda: web(port_mappings=[80]), "portMappings[0]", "must be a PortMapping"),
        (lambda: web(health_check=["CMD", "true"]), "healthCheck", "must be a HealthCheck"),
        (lambda: web(log_configuration="awslogs"), "logConfiguration", "LogConfiguration"),
        (lambda: web(privileged="false"), "privileged", "true or false"),
        (lambda: web(docker_labels={"": "x"}), "dockerLabels", "keys must be non-empty strings"),
        (lambda: web(environment_files=[1]), "environmentFiles[0].value", "S3 object ARN"),
        (lambda: web(working_directory=1), "workingDirectory", "must be a string"),
        (lambda: web(gpu_count=0), "resourceRequirements[GPU].value", "at least 1"),
        (lambda: TaskDefinitionSpec(containers=[web()], cpu="1 vCPU"), "cpu", "an integer"),
        (
            lambda: TaskDefinitionSpec(containers=[web()], memory_mib=4),
            "memory",
            "at least 6 MiB",
        ),
        (
            lambda: TaskDefinitionSpec(containers=["web"]),
            "containerDefinitions[0]",
            "ContainerSpec",
        ),
        (lambda: TaskDefinitionSpec(containers=web()), "containerDefinitions", "must be a list"),
        (lambda: TaskDefinitionSpec(containers=[web()], volumes=["v"]), "volumes[0]", "a Volume"),
        (
            lambda: TaskDefinitionSpec(containers=[web()], tags={"team": 1}),
            "tags.team",
            "string tag values",
        ),
        (
            lambda: TaskDefinitionSpec(containers=[web()], enable_fault_injection="yes"),
            "enableFaultInjection",
            "true or false",
        ),
        (
            lambda: TaskDefinitionSpec(
                containers=[web()], network_mode="awsvpc", proxy_configuration="envoy"
            ),
            "proxyConfiguration",
            "must be a ProxyConfiguration",
        ),
        (lambda: Volume(name="v", docker="local"), "dockerVolumeConfiguration", "must be a"),
        (lambda: Volume(name="v", efs="fs-1"), "efsVolumeConfiguration", "must be an"),
        (lambda: RestartPolicy(enabled="yes"), "enabled", "true or false"),
        (
            lambda: RestartPolicy(enabled=True, ignored_exit_codes=["1"]),
            "ignoredExitCodes[0]",
            "an integer",
        ),
        (lambda: HealthCheck(command=("CMD", 1)), "command[1]", "must be a string"),
        (
            lambda: LogConfiguration(log_driver="splunk", options={"splunk-url": 1}),
            "options.splunk-url",
            "string option values",
        ),
        (
            lambda: LogConfiguration(log_driver="splunk", options=[("a", "b")]),
            "options",
            "must be a mapping",
        ),
        (
            lambda: DockerVolumeConfiguration(driver_opts={"size": 1}),
            "driverOpts.size",
            "must be a string",
        ),
        (
            lambda: ProxyConfiguration(container_name="envoy", properties={"AppPorts": 80}),
            "properties.AppPorts",
            "string property values",
        ),
    ],
)
def test_fails_when_python_values_have_the_wrong_type(build: Any, field: str, allowed: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        build()
    assert error.value.field == field
    assert allowed in error.value.allowed


def test_a_dependency_given_as_python_objects_is_kept_as_given() -> None:
    """The right type where the table above gives wrong ones."""
    dependency = ContainerDependency(container_name="x", condition="START")
    container = web(depends_on=[dependency])
    assert container.depends_on == (dependency,)
    assert (container.depends_on[0].container_name, container.depends_on[0].condition) == (
        "x",
        "START",
    )
