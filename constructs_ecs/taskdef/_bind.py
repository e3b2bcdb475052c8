"""``TaskDefinitionSpec`` -> ``ecs.Ec2TaskDefinition``, with least-privilege roles.

The L2 defines what it models (network mode, family, roles, placement constraints, and per
container: image, name, cpu, memory, essential, port mappings, environment, logging, the
FireLens router): the field table marks those entries ``l2``. Everything else is rendered from
the table (``_table.render``) and reaches the template as property overrides on the
``AWS::ECS::TaskDefinition``: one per container (``ContainerDefinitions.<i>``) and per volume
(``Volumes.<i>``), deep-merged into what the L2 rendered, and one per task-level property.

Permissions: the execution role gets exactly what the containers use: pull on the private ECR
repositories their images name, read on each secret's parameter or secret ARN, write to the
log groups they log to, read on environment files and S3 FireLens configs. The task role gets
``ClientMount``/``ClientWrite`` on EFS file systems mounted with IAM authorization, nothing
else: the application's own permissions are granted by the user (``bound.task_role``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, cast

import aws_cdk as cdk
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from constructs_ecs._errors import ConfigurationError
from constructs_ecs._jsii import implements
from constructs_ecs._nag import (
    LOG_STREAMS_OF_ONE_GROUP,
    acknowledge,
    ecr_token_reason,
    explain_inline_policies,
    explain_wildcards,
)
from constructs_ecs.taskdef import _host_access as host_access
from constructs_ecs.taskdef import _references as references
from constructs_ecs.taskdef import _secret_sources as secret_sources
from constructs_ecs.taskdef._container import ContainerSpec
from constructs_ecs.taskdef._host_access import HostAccess, HostAccessFinding
from constructs_ecs.taskdef._table import render
from constructs_ecs.taskdef._volumes import Volume

__all__ = ["METADATA_KEY", "BoundTaskDefinition", "bind_task_definition"]

METADATA_KEY = "constructs_ecs"
"""The template metadata key of what this library records on a resource for its reviewers
(``{"host_access": [{"what", "fields", "reason"}]}`` on a task definition), as cdk-nag
records its acknowledgements under ``cdk_nag``."""

_NETWORK_MODES = {
    "bridge": ecs.NetworkMode.BRIDGE,
    "host": ecs.NetworkMode.HOST,
    "awsvpc": ecs.NetworkMode.AWS_VPC,
    "none": ecs.NetworkMode.NONE,
}
_PROTOCOLS = {"tcp": ecs.Protocol.TCP, "udp": ecs.Protocol.UDP}


def _app_protocol(name: str) -> ecs.AppProtocol:
    """``ecs.AppProtocol.http`` etc. (a jsii round trip each)."""
    return cast(ecs.AppProtocol, getattr(ecs.AppProtocol, name))


_FIRELENS_TYPES = {
    "fluentbit": ecs.FirelensLogRouterType.FLUENTBIT,
    "fluentd": ecs.FirelensLogRouterType.FLUENTD,
}
#: Construct ids the L2 task definition uses for its own children.
_RESERVED_IDS = ("Resource", "TaskRole", "ExecutionRole")
TASK_ROLE_IMPORT_ID = "ImportedTaskRole"
EXECUTION_ROLE_IMPORT_ID = "ImportedExecutionRole"

_ECR_PULL = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
)
_LOGS_WRITE = ("logs:CreateLogStream", "logs:PutLogEvents")

REASON_ENVIRONMENT = (
    "Plain environment values are configuration taken from the task definition as written; "
    "credentials belong in 'secrets', which this library maps to SSM Parameter Store or "
    "Secrets Manager and grants read on exactly those ARNs (a warning flags names that look "
    "like credentials)."
)
REASON_ECR_IMAGE = (
    "The execution role is granted pull on this image's ECR repository explicitly (see "
    "constructs_ecs.taskdef._bind), so the image can stay the exact URI of the task definition."
)
REASON_LOG_STREAMS = (
    "The ':*' suffix names the log streams of this one log group, which the awslogs driver "
    "creates per task (stream names are not known before deploy); the group itself is fixed "
    "by the task definition's logConfiguration."
)


class _Task(Protocol):
    """What the binder reads of a ``TaskDefinitionSpec`` (``task.py``, which sits above this
    module); the rest of the task's properties come from the field table (``render``)."""

    @property
    def containers(self) -> Sequence[ContainerSpec]: ...
    @property
    def volumes(self) -> Sequence[Volume]: ...
    @property
    def family(self) -> str | None: ...
    @property
    def network_mode(self) -> str: ...
    @property
    def memory_mib(self) -> int | None: ...
    @property
    def task_role_arn(self) -> str | None: ...
    @property
    def execution_role_arn(self) -> str | None: ...
    @property
    def placement_constraints(self) -> Sequence[str]: ...
    @property
    def enable_fault_injection(self) -> bool | None: ...
    @property
    def tags(self) -> Mapping[str, str]: ...
    @property
    def notes(self) -> Sequence[str]: ...
    @property
    def host_access(self) -> Sequence[HostAccess]: ...
    def host_access_findings(self) -> tuple[HostAccessFinding, ...]: ...


class BoundTaskDefinition:
    """What ``TaskDefinitionSpec.bind`` defined."""

    def __init__(
        self,
        *,
        task_definition: ecs.Ec2TaskDefinition,
        containers: Mapping[str, ecs.ContainerDefinition],
    ) -> None:
        self.task_definition = task_definition
        """The ``ecs.Ec2TaskDefinition``."""
        self.containers = containers
        """The container definitions by container name, in task order."""

    # The roles are looked up on first use: each lookup is a jsii round trip, and a service
    # that never reads them should not pay for it (see bench/).
    @functools.cached_property
    def task_role(self) -> iam.IRole:
        """The role the containers run as: imported from ``taskRoleArn``, else defined here with
        no permissions beyond EFS IAM mounts; grant the application's own permissions to it."""
        return self.task_definition.task_role

    @functools.cached_property
    def execution_role(self) -> iam.IRole:
        """The role the agent uses to pull images, write logs, read secrets: imported from
        ``executionRoleArn``, else defined here with exactly what the containers need."""
        return self.task_definition.obtain_execution_role()


def bind_task_definition(
    spec: _Task, scope: Construct, construct_id: str, *, log_group: logs.ILogGroup
) -> BoundTaskDefinition:
    """Define ``spec`` as an ``ecs.Ec2TaskDefinition`` ``construct_id`` in ``scope``.

    Existing roles (``taskRoleArn``, ``executionRoleArn``) are imported in ``scope`` as
    ``ImportedTaskRole``/``ImportedExecutionRole`` (immutable: nothing is added to them).
    """
    for index, container in enumerate(spec.containers):
        if container.name in _RESERVED_IDS:
            raise ConfigurationError(
                f"containerDefinitions[{index}].name",
                container.name,
                f"clashes with a construct id of the task definition ({', '.join(_RESERVED_IDS)}); "
                "rename the container",
            )
    for index, volume in enumerate(spec.volumes):
        if volume.configured_at_launch:
            raise ConfigurationError(
                f"volumes[{index}].configuredAtLaunch",
                True,
                "an EBS volume configured at launch needs a volume configuration on the "
                "service or RunTask call, which this library's services do not define; "
                "use a host, Docker or EFS volume",
            )
    _check_arguments(scope, construct_id, log_group)
    _check_scope(scope, construct_id, spec)
    task_role = _imported_role(scope, TASK_ROLE_IMPORT_ID, spec.task_role_arn)
    execution_role = _imported_role(scope, EXECUTION_ROLE_IMPORT_ID, spec.execution_role_arn)
    task_definition = ecs.Ec2TaskDefinition(
        scope,
        construct_id,
        family=spec.family,
        network_mode=_NETWORK_MODES[spec.network_mode],
        task_role=task_role,
        execution_role=execution_role,
        placement_constraints=[
            ecs.PlacementConstraint.member_of(expression)
            for expression in spec.placement_constraints
        ]
        or None,
        enable_fault_injection=spec.enable_fault_injection,
        volumes=[ecs.Volume(name=volume.name) for volume in spec.volumes] or None,
    )
    cfn = _Overrides(task_definition)
    grants = _Grants(task_definition)

    containers: dict[str, ecs.ContainerDefinition] = {}
    for index, container in enumerate(spec.containers):
        containers[container.name] = _add_container(
            task_definition, cfn, spec, index, container, log_group
        )
        grants.for_container(container, log_group)
    for index, volume in enumerate(spec.volumes):
        properties = render(volume)
        if properties:
            cfn.add_property_override(f"Volumes.{index}", properties)
        grants.for_volume(volume, spec)
    _task_overrides(cfn, spec)
    if spec.host_access:  # what the task may do to the instance, and why: for reviewers
        recorded = host_access.metadata(spec.host_access_findings(), spec.host_access)
        existing = cfn.resource.get_metadata(METADATA_KEY) or {}
        cfn.resource.add_metadata(METADATA_KEY, {**existing, "host_access": recorded})

    if any(c.environment for c in spec.containers):
        acknowledge(cfn.resource, "ECS2", REASON_ENVIRONMENT)
    if grants.wildcards:  # skips resolving the policy (a jsii round trip) when there is none
        explain_wildcards(task_definition.obtain_execution_role(), _wildcard_reason)
    # The roles defined here get their grants in their own default policies (cdk-nag's
    # IAMNoInlinePolicy of HIPAA Security and NIST 800-53 rev 5); imported ones are left alone.
    explain_inline_policies(task_definition.task_role)
    explain_inline_policies(task_definition.execution_role)
    for note in spec.notes:
        cdk.Annotations.of(task_definition).add_warning_v2(
            "@constructs-ecs/taskdef:importNote", note
        )
    for container in spec.containers:
        for name in container.secret_like_environment():
            cdk.Annotations.of(task_definition).add_warning_v2(
                "@constructs-ecs/taskdef:secretInEnvironment",
                f"container {container.name!r}: environment variable {name!r} looks like a "
                "credential; plain environment values are visible in the task definition, "
                "move it to 'secrets' (SSM Parameter Store or Secrets Manager)",
            )
    return BoundTaskDefinition(task_definition=task_definition, containers=containers)


class _Overrides:
    """Property overrides on the ``CfnTaskDefinition``, which is looked up (a jsii round trip)
    only when the first override needs it: most task definitions need none."""

    def __init__(self, task_definition: ecs.Ec2TaskDefinition) -> None:
        self._task_definition = task_definition

    @functools.cached_property
    def resource(self) -> ecs.CfnTaskDefinition:
        return cast(ecs.CfnTaskDefinition, self._task_definition.node.default_child)

    def add_property_override(self, path: str, value: Any) -> None:
        self.resource.add_property_override(path, value)

    def add_property_deletion_override(self, path: str) -> None:
        self.resource.add_property_deletion_override(path)


def _check_arguments(scope: object, construct_id: object, log_group: object) -> None:
    """The arguments of ``bind``, checked in Python (no jsii round trip)."""
    if not isinstance(scope, Construct):
        raise ConfigurationError(
            "scope",
            scope,
            f"must be a Construct (a Stack or a construct in one), not {type(scope).__name__}",
        )
    if not isinstance(construct_id, str) or not construct_id:
        raise ConfigurationError(
            "construct_id", construct_id, "must be a non-empty string (a construct id)"
        )
    if not implements(log_group, logs.ILogGroup):
        raise ConfigurationError(
            "log_group",
            log_group,
            "must be a logs.ILogGroup (logs.LogGroup(...), LogGroup.from_log_group_name(...))",
        )


def _check_scope(scope: Construct, construct_id: str, spec: _Task) -> None:
    """Refuse, before any construct is made, the two things about a scope aws-cdk-lib would
    refuse from deep inside jsii: an id a child of the scope (or a role this bind imports
    there) already has, and a scope in no Stack."""
    imports = {
        TASK_ROLE_IMPORT_ID: spec.task_role_arn,
        EXECUTION_ROLE_IMPORT_ID: spec.execution_role_arn,
    }
    if scope.node.try_find_child(construct_id) is not None or imports.get(construct_id):
        raise ConfigurationError(
            "construct_id",
            construct_id,
            f"is already used in {scope.node.path or 'the app'}: give each task definition its "
            "own id or scope",
        )
    if not any(isinstance(each, cdk.Stack) for each in scope.node.scopes):
        raise ConfigurationError(
            "scope", scope.node.path or "the app", "must be a Stack or a construct in one"
        )


def _imported_role(scope: Construct, construct_id: str, arn: str | None) -> iam.IRole | None:
    if arn is None:
        return None
    existing = scope.node.try_find_child(construct_id)
    if existing is not None:
        role = cast(iam.IRole, existing)
        if role.role_arn != arn:
            raise ConfigurationError(
                "scope",
                scope.node.path,
                f"already holds {construct_id} for another role; bind task definitions with "
                "different existing roles in different scopes",
            )
        return role
    return iam.Role.from_role_arn(scope, construct_id, arn, mutable=False)


# --------------------------------------------------------------------------- containers


def _add_container(
    task_definition: ecs.Ec2TaskDefinition,
    cfn: _Overrides,
    spec: _Task,
    index: int,
    container: ContainerSpec,
    log_group: logs.ILogGroup,
) -> ecs.ContainerDefinition:
    image = (
        container.image
        if isinstance(container.image, ecs.ContainerImage)
        else ecs.ContainerImage.from_registry(container.image)
    )
    reservation = container.memory_reservation_mib
    placeholder_reservation = (
        container.memory_mib is None and reservation is None and spec.memory_mib is not None
    )
    if placeholder_reservation:
        # The L2 insists on a container memory value when the task has none it knows of
        # (Ec2TaskDefinition takes no task memory); ECS does not when the task sets memory.
        # Satisfy the L2, then remove the value from the template below.
        reservation = spec.memory_mib
    port_mappings = [
        ecs.PortMapping(
            container_port=mapping.container_port,
            host_port=mapping.host_port,
            protocol=_PROTOCOLS[mapping.protocol],
            name=mapping.name,
            app_protocol=_app_protocol(mapping.app_protocol) if mapping.app_protocol else None,
        )
        for mapping in container.port_mappings
    ] + [
        ecs.PortMapping(
            container_port=ecs.ContainerDefinition.CONTAINER_PORT_USE_RANGE,
            container_port_range=port_range.container_port_range,
            protocol=_PROTOCOLS[port_range.protocol],
        )
        for port_range in container.port_ranges
    ]
    log = container.log_configuration
    if log is None:
        logging: ecs.LogDriver = ecs.LogDrivers.aws_logs(
            stream_prefix=container.name, log_group=log_group
        )
    else:
        logging = ecs.GenericLogDriver(
            log_driver=log.log_driver,
            options=_log_options(task_definition, log.log_driver, log.options, log_group) or None,
        )
    options: dict[str, Any] = {
        "container_name": container.name,
        "image": image,
        "cpu": container.cpu,
        "memory_limit_mib": container.memory_mib,
        "memory_reservation_mib": reservation,
        "essential": container.essential,
        "port_mappings": port_mappings or None,
        "environment": dict(container.environment) or None,
        "logging": logging,
    }
    # Containers are constructed directly rather than through add_container: in awsvpc mode
    # Ec2TaskDefinition.add_container adds (and overwrites) an AWS_REGION variable, and the
    # template must hold the environment exactly as the spec gives it.
    definition: ecs.ContainerDefinition
    if container.firelens_configuration is not None:
        definition = ecs.FirelensLogRouter(
            task_definition,
            container.name,
            task_definition=task_definition,
            firelens_config=ecs.FirelensConfig(
                type=_FIRELENS_TYPES[container.firelens_configuration.type]
            ),
            **options,
        )
    else:
        definition = ecs.ContainerDefinition(
            task_definition, container.name, task_definition=task_definition, **options
        )
    if isinstance(container.image, str) and references.ecr_repository_of(container.image):
        cdk.Annotations.of(definition).acknowledge_warning(
            "@aws-cdk/aws-ecs:ecrImageRequiresPolicy", REASON_ECR_IMAGE
        )
    # What the L2 does not render, as one override deep-merged into the container's properties.
    properties = render(container)
    if properties:
        cfn.add_property_override(f"ContainerDefinitions.{index}", properties)
    if placeholder_reservation:  # after the override above, which would replace it
        cfn.add_property_deletion_override(f"ContainerDefinitions.{index}.MemoryReservation")
    return definition


def _log_options(
    task_definition: ecs.Ec2TaskDefinition,
    driver: str,
    options: Mapping[str, str],
    log_group: logs.ILogGroup,
) -> dict[str, str]:
    """The options of a given log configuration; awslogs without ``awslogs-group`` logs to the
    service's log group, and without ``awslogs-region`` to the stack's region (the user's other
    options are kept as written)."""
    if driver != "awslogs" or ("awslogs-group" in options and "awslogs-region" in options):
        return dict(options)
    filled = dict(options)
    if "awslogs-group" not in options:
        filled["awslogs-group"] = log_group.log_group_name
    filled["awslogs-region"] = cdk.Stack.of(task_definition).region
    return filled


def _task_overrides(cfn: _Overrides, spec: _Task) -> None:
    for key, value in render(spec).items():
        cfn.add_property_override(key, value)
    for key, value in spec.tags.items():
        cfn.resource.tags.set_tag(key, value)


# --------------------------------------------------------------------------- grants


class _Grants:
    """Least-privilege statements on the execution role (and the task role for EFS)."""

    def __init__(self, task_definition: ecs.Ec2TaskDefinition) -> None:
        self._td = task_definition
        self._ecr_token = False
        self.wildcards = False
        """Whether the execution role may now hold wildcard resources (cdk-nag IAM5): from
        these grants, or from CDK's own pull grant of an ``ecs.ContainerImage`` object."""

    @functools.cached_property
    def _stack(self) -> cdk.Stack:
        return cdk.Stack.of(self._td)

    @functools.cached_property
    def _execution_role(self) -> iam.IRole:
        return self._td.obtain_execution_role()

    def _role(self) -> iam.IRole:
        return self._execution_role

    def _source(
        self, field: str, source: secret_sources.SecretSource, *, credentials: bool = False
    ) -> None:
        """Read on a secret's source: its construct's own grant, else a statement on the ARN
        its string writes."""
        ref = secret_sources.grant_source(field, source, self._role, credentials=credentials)
        if ref is not None:
            self._secret(ref)

    def _execution(self, actions: Iterable[str], resources: Iterable[str]) -> None:
        resources = list(resources)
        self.wildcards = self.wildcards or any("*" in resource for resource in resources)
        self._td.add_to_execution_role_policy(
            iam.PolicyStatement(actions=list(actions), resources=resources)
        )

    def _secret(self, ref: secret_sources.SecretRef) -> None:
        if ref.resource is not None:
            resource = ref.resource
        elif ref.parameter_name is not None:
            resource = self._stack.format_arn(
                service="ssm",
                resource="parameter",
                resource_name=ref.parameter_name.lstrip("/"),
                arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
            )
        else:
            assert ref.secret_name is not None
            resource = self._stack.format_arn(
                service="secretsmanager",
                resource="secret",
                resource_name=f"{ref.secret_name}-??????",
                arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
            )
        self._execution(ref.actions, [resource])

    def _s3_object(self, ref: references.S3ObjectRef) -> None:
        self._execution(["s3:GetObject"], [ref.object_arn])
        self._execution(["s3:GetBucketLocation"], [ref.bucket_arn])

    def for_container(self, container: ContainerSpec, log_group: logs.ILogGroup) -> None:
        if not isinstance(container.image, str):
            self.wildcards = True  # e.g. an EcrImage: CDK grants ecr:GetAuthorizationToken on *
        log = container.log_configuration
        to_service_group = log is None or (
            log.log_driver == "awslogs" and "awslogs-group" not in log.options
        )
        if to_service_group and not isinstance(log_group, logs.LogGroup):
            # An imported group's ARN names its streams (<group ARN>:*): CDK's grant_write.
            self.wildcards = True
        if isinstance(container.image, str):
            repository = references.ecr_repository_of(container.image)
            if repository is not None:
                self._execution(_ECR_PULL, [repository.arn])
                if not self._ecr_token:
                    self._execution(["ecr:GetAuthorizationToken"], ["*"])
                    self._ecr_token = True
        for name, source in container.secrets.items():
            self._source(f"secrets.{name}", source)
        if container.repository_credentials is not None:
            self._source(
                "repositoryCredentials", container.repository_credentials, credentials=True
            )
        for arn in container.environment_files:
            self._s3_object(references.parse_s3_object("environmentFiles", arn))
        if log is not None:
            for name, source in log.secret_options.items():
                self._source(f"secretOptions.{name}", source)
            if log.log_driver == "awslogs" and "awslogs-group" not in log.options:
                log_group.grant_write(self._execution_role)  # as the default awslogs driver
            elif log.log_driver == "awslogs":
                self._log_group(log.options)
        if container.firelens_configuration is not None:
            s3_config = container.firelens_configuration.s3_config
            if s3_config is not None:
                self._s3_object(s3_config)
        for spec in container.credential_specs:
            arn = spec.split(":", 1)[1]
            if references.ssm_parameter_arn_of(arn):
                self._execution(["ssm:GetParameters"], [arn])
            elif arn.startswith("arn:") and ":s3:::" in arn:
                self._execution(["s3:GetObject"], [arn])

    def _log_group(self, options: Mapping[str, str]) -> None:
        group = options["awslogs-group"]
        region = options.get("awslogs-region") or self._stack.region
        arn = f"arn:{self._stack.partition}:logs:{region}:{self._stack.account}:log-group:{group}"
        self._execution(_LOGS_WRITE, [f"{arn}:*"])
        if options.get("awslogs-create-group", "").lower() == "true":
            self._execution(["logs:CreateLogGroup"], [arn, f"{arn}:*"])

    def for_volume(self, volume: Volume, spec: _Task) -> None:
        if volume.efs is None or volume.efs.iam != "ENABLED":
            return
        writes = any(
            not mount.read_only
            for container in spec.containers
            for mount in container.mount_points
            if mount.source_volume == volume.name
        )
        actions = ["elasticfilesystem:ClientMount"]
        if writes:
            actions.append("elasticfilesystem:ClientWrite")
        arn = self._stack.format_arn(
            service="elasticfilesystem",
            resource="file-system",
            resource_name=volume.efs.file_system_id,
        )
        self._td.add_to_task_role_policy(iam.PolicyStatement(actions=actions, resources=[arn]))


# --------------------------------------------------------------------------- nag


def _wildcard_reason(actions: frozenset[str], resource: str) -> str | None:
    """The IAM5 wildcards this module's grants need, and why."""
    if reason := ecr_token_reason(actions, resource):
        return reason
    if LOG_STREAMS_OF_ONE_GROUP.search(resource) and actions <= {
        *_LOGS_WRITE,
        "logs:CreateLogGroup",
    }:
        return REASON_LOG_STREAMS
    return None
