"""The JSON importer: files, syntax, describe output, read-only fields, image repositories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_ecs as ecs

from constructs_ecs._errors import ConfigurationError
from constructs_ecs.taskdef import ContainerSpec, PortMapping, TaskDefinitionSpec

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

REGISTER: dict[str, Any] = {
    "family": "web",
    "containerDefinitions": [{"name": "web", "image": "orders:1.4.2", "memory": 128}],
}


class FakeRepository:
    """An ``ImageRepositoryLike`` recording the tags it was asked for."""

    def __init__(self) -> None:
        self.tags: list[str] = []
        self.images: list[ecs.ContainerImage] = []

    def image(self, tag: str) -> ecs.ContainerImage:
        self.tags.append(tag)
        image = ecs.ContainerImage.from_registry(f"example.com/orders:{tag}")
        self.images.append(image)
        return image


def test_the_concepts_webserver_example_imports_cleanly() -> None:
    for path in (DATA / "webserver.json", EXAMPLES / "webserver.json"):
        spec = TaskDefinitionSpec.from_file(path)
        assert spec.family == "webserver"
        assert spec.network_mode == "bridge"
        assert spec.notes == ()
        (web,) = spec.containers
        assert (web.name, web.image, web.cpu, web.memory_mib) == ("web", "nginx", 99, 100)
        assert web.port_mappings == (PortMapping(container_port=80, host_port=80),)
    assert (DATA / "webserver.json").read_text() == (EXAMPLES / "webserver.json").read_text()


def test_json_and_python_build_the_same_spec() -> None:
    from_json = TaskDefinitionSpec.from_file(DATA / "webserver.json")
    from_python = TaskDefinitionSpec(
        family="webserver",
        containers=[
            ContainerSpec(
                name="web",
                image="nginx",
                cpu=99,
                memory_mib=100,
                port_mappings=[PortMapping(container_port=80, host_port=80)],
            )
        ],
    )
    assert from_json == from_python


def test_from_json_and_from_dict_agree() -> None:
    assert TaskDefinitionSpec.from_json(json.dumps(REGISTER)) == TaskDefinitionSpec.from_dict(
        REGISTER
    )


def test_fails_when_the_json_is_malformed_naming_line_and_column() -> None:
    text = '{\n  "family": "web",\n  "containerDefinitions": [\n    {"name": "web",}\n  ]\n}'
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_json(text)
    assert error.value.field == "line 4, column 20"
    assert error.value.value == '{"name": "web",}'
    assert "is not valid JSON: Expecting property name enclosed in double quotes" in str(
        error.value
    )


def test_fails_when_a_key_appears_twice_in_one_object() -> None:
    text = '{"family": "a", "family": "b", "containerDefinitions": []}'
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_json(text)
    assert error.value.field == "family"
    assert error.value.value == "b"
    assert "appears twice in one JSON object" in error.value.allowed


def test_fails_when_the_document_is_not_an_object() -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_json("[]")
    assert error.value.field == "(document)"
    assert error.value.value == []
    assert "must be a JSON object" in error.value.allowed


def test_fails_when_the_file_cannot_be_read(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_file(missing)
    assert error.value.field == str(missing)
    assert "cannot be read: No such file or directory" in error.value.allowed


def test_errors_from_a_file_name_the_file_and_the_json_path(tmp_path: Path) -> None:
    path = tmp_path / "task.json"
    path.write_text(json.dumps({**REGISTER, "networkMode": "nat"}), encoding="utf-8")
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_file(path)
    assert error.value.field == f"{path}: networkMode"
    assert error.value.value == "nat"


def test_describe_output_is_accepted_and_read_only_fields_are_ignored() -> None:
    described = {
        "taskDefinition": {
            **REGISTER,
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
            "revision": 3,
            "status": "ACTIVE",
            "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
            "compatibilities": ["EC2"],
            "registeredAt": "2024-05-01T10:00:00.000Z",
            "registeredBy": "arn:aws:sts::123456789012:assumed-role/deploy/ci",
            "deregisteredAt": None,
        },
        "tags": [{"key": "team", "value": "web"}],
    }
    assert TaskDefinitionSpec.from_dict(described) == TaskDefinitionSpec.from_dict(
        {**REGISTER, "tags": [{"key": "team", "value": "web"}]}
    )


def test_errors_inside_describe_output_name_the_wrapper() -> None:
    described = {"taskDefinition": {**REGISTER, "networkMode": "nat"}}
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(described)
    assert error.value.field == "taskDefinition.networkMode"


def test_fails_when_describe_output_holds_an_unknown_key() -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict({"taskDefinition": REGISTER, "tag": []})
    assert error.value.field == "tag"
    assert "(did you mean 'tags'?)" in error.value.allowed


def test_fails_when_describe_tags_are_not_a_list() -> None:
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict({"taskDefinition": REGISTER, "tags": {"team": "web"}})
    assert error.value.field == "tags"
    assert "must be a list of {key, value}" in error.value.allowed


def test_null_values_are_absent_values() -> None:
    document = {**REGISTER, "cpu": None, "volumes": None}
    assert TaskDefinitionSpec.from_dict(document) == TaskDefinitionSpec.from_dict(REGISTER)


def test_empty_lists_of_retired_features_are_ignored() -> None:
    document = {**REGISTER, "inferenceAccelerators": [], "ephemeralStorage": None}
    assert TaskDefinitionSpec.from_dict(document) == TaskDefinitionSpec.from_dict(REGISTER)


def test_default_network_mode_is_imported_as_bridge_with_a_note() -> None:
    spec = TaskDefinitionSpec.from_dict({**REGISTER, "networkMode": "default"})
    assert spec.network_mode == "bridge"
    assert len(spec.notes) == 1
    assert 'networkMode "default" was imported as "bridge"' in spec.notes[0]


def test_an_image_naming_a_repository_alias_is_bound_to_that_repository() -> None:
    repository = FakeRepository()
    spec = TaskDefinitionSpec.from_dict(REGISTER, repositories={"orders": repository})
    assert repository.tags == ["1.4.2"]
    assert spec.containers[0].image is repository.images[0]


def test_images_naming_no_alias_stay_registry_references() -> None:
    repository = FakeRepository()
    document = {
        "family": "web",
        "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "memory": 128}],
    }
    spec = TaskDefinitionSpec.from_dict(document, repositories={"orders": repository})
    assert spec.containers[0].image == "nginx:1.27"
    assert repository.tags == []


@pytest.mark.parametrize("image", ["orders", "orders@sha256:" + "a" * 64])
def test_fails_when_an_alias_image_has_no_tag(image: str) -> None:
    document = {
        "family": "web",
        "containerDefinitions": [{"name": "web", "image": image, "memory": 128}],
    }
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(document, repositories={"orders": FakeRepository()})
    assert error.value.field == "containerDefinitions[0].image"
    assert error.value.value == image
    assert "give it as orders:<tag>" in error.value.allowed


def test_fails_when_an_alias_tag_is_not_a_valid_tag() -> None:
    document = {
        "family": "web",
        "containerDefinitions": [{"name": "web", "image": "orders:-bad", "memory": 128}],
    }
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(document, repositories={"orders": FakeRepository()})
    assert error.value.field == "containerDefinitions[0].image"
    assert "image reference" in error.value.allowed


def _one_image(image: str) -> dict[str, Any]:
    return {
        "family": "web",
        "containerDefinitions": [
            {"name": "sidecar", "image": "busybox:1.36", "memory": 64},
            {"name": "web", "image": image, "memory": 128},
        ],
    }


@pytest.mark.parametrize("image", ["wbe:1.4.2", "wbe", "weeb@sha256:" + "a" * 64])
def test_fails_when_a_bare_image_is_a_misspelt_alias(image: str) -> None:
    repository = FakeRepository()
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(_one_image(image), repositories={"web": repository})
    assert error.value.field == "containerDefinitions[1].image"
    assert error.value.value == image
    assert "an alias of the repositories passed (['web']) or a full image reference" in (
        error.value.allowed
    )
    assert error.value.allowed.endswith(" (did you mean 'web'?)")
    assert repository.tags == []


def test_fails_when_a_bare_image_is_a_misspelt_alias_among_several() -> None:
    repositories = {"web": FakeRepository(), "orders": FakeRepository()}
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict(_one_image("ordres:2"), repositories=repositories)
    assert error.value.field == "containerDefinitions[1].image"
    assert "(['orders', 'web'])" in error.value.allowed
    assert "(did you mean 'orders'?)" in error.value.allowed
    assert "docker.io/library/ordres:<tag>" in error.value.allowed


def test_an_unrelated_public_image_imports_with_repositories_given() -> None:
    repository = FakeRepository()
    spec = TaskDefinitionSpec.from_dict(_one_image("nginx:1.27"), repositories={"web": repository})
    assert [c.image for c in spec.containers] == ["busybox:1.36", "nginx:1.27"]
    assert repository.tags == []


@pytest.mark.parametrize(
    "image", ["docker.io/library/wbe:1.4.2", "library/wbe:1.4.2", "ghcr.io/acme/wbe:1"]
)
def test_an_image_close_to_an_alias_with_a_registry_or_path_is_taken_as_written(
    image: str,
) -> None:
    repository = FakeRepository()
    spec = TaskDefinitionSpec.from_dict(_one_image(image), repositories={"web": repository})
    assert spec.containers[1].image == image
    assert repository.tags == []


def test_a_bare_image_close_to_an_alias_is_a_docker_hub_image_without_repositories() -> None:
    spec = TaskDefinitionSpec.from_dict(_one_image("wbe:1.4.2"))
    assert spec.containers[1].image == "wbe:1.4.2"


def test_repositories_in_from_file_and_from_json(tmp_path: Path) -> None:
    path = tmp_path / "task.json"
    path.write_text(json.dumps(REGISTER), encoding="utf-8")
    first, second = FakeRepository(), FakeRepository()
    TaskDefinitionSpec.from_file(path, repositories={"orders": first})
    TaskDefinitionSpec.from_json(json.dumps(REGISTER), repositories={"orders": second})
    assert first.tags == second.tags == ["1.4.2"]


def test_task_sizes_in_units_are_converted() -> None:
    spec = TaskDefinitionSpec.from_dict({**REGISTER, "cpu": "0.5 vCPU", "memory": "1 GB"})
    assert (spec.cpu, spec.memory_mib) == (512, 1024)


def test_kitchen_sink_maps_every_json_field_to_the_model() -> None:
    spec = TaskDefinitionSpec.from_file(DATA / "kitchen-sink.json")
    app = spec.container("app")
    assert app.secrets["DB_PASSWORD"] == "/orders/db-password"
    assert app.port_ranges[0].container_port_range == "9000-9010"
    assert app.linux_parameters is not None
    assert app.linux_parameters.capabilities_drop == ("MKNOD", "NET_RAW")
    assert app.gpu_count == 1
    assert app.system_controls == {"net.core.somaxconn": "1024"}
    assert spec.volumes[3].efs is not None
    assert spec.volumes[3].efs.access_point_id == "fsap-0123456789abcdef0"
    assert spec.placement_constraints == (
        "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
    )
    assert spec.cpu_architecture == "ARM64"
    assert spec.tags == {"team": "platform"}
    assert spec.container("sidecar").repository_credentials == (
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-login-QwErTy"
    )


def test_fails_when_describe_output_repeats_a_tag() -> None:
    tags = [{"key": "team", "value": "a"}, {"key": "team", "value": "b"}]
    with pytest.raises(ConfigurationError) as error:
        TaskDefinitionSpec.from_dict({"taskDefinition": REGISTER, "tags": tags})
    assert error.value.field == "tags[1].key"
    assert "is set twice" in error.value.allowed
