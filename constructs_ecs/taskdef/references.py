"""Parsing of the references a task definition holds: images, secrets, roles, S3 objects.

Each parser returns a small value object or raises ``ConfigurationError`` naming the field;
the binder turns the value objects into least-privilege IAM statements.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from constructs_ecs.errors import ConfigurationError, closest

if TYPE_CHECKING:
    from aws_cdk import aws_ecs as ecs

# Docker's reference grammar (distribution/reference), restricted to what ECS accepts.
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|-+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_DOMAIN = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
IMAGE_PATTERN = re.compile(
    rf"^(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?$"
)
TAG_PATTERN = re.compile(rf"^{_TAG}$")
IMAGE_MAX_LENGTH = 255
IMAGE_RULE = (
    "an image reference such as 'nginx:1.27', 'public.ecr.aws/docker/library/busybox:1.36' "
    "or '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1' "
    "([registry/]repository[:tag][@digest], lowercase repository, at most 255 characters)"
)

_ECR = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com"
    r"(?P<cn>\.cn)?/(?P<name>[^:@]+)(?::[^@]+)?(?:@.+)?$"
)

_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):")
ROLE_ARN_PATTERN = re.compile(r"^arn:aws[a-zA-Z-]*:iam::\d{12}:role/[A-Za-z0-9_+=,.@/-]+$")
_SSM_NAME = re.compile(r"^[A-Za-z0-9_.\-/]{1,2048}$")
_SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")
_S3_OBJECT = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):s3:::(?P<bucket>[a-z0-9.-]{3,63})/(?P<key>.+)$"
)


def check_image(field: str, image: object) -> str:
    """``image`` if it is a valid image reference, else a ``ConfigurationError``."""
    if not isinstance(image, str) or not image:
        raise ConfigurationError(field, image, f"must be {IMAGE_RULE}")
    if len(image) > IMAGE_MAX_LENGTH or not IMAGE_PATTERN.match(image):
        raise ConfigurationError(field, image, f"must be {IMAGE_RULE}")
    return image


@runtime_checkable
class ImageRepositoryLike(Protocol):
    """What the importer needs of an image repository: ``image(tag)`` -> a container image.

    ``constructs_ecs.ImageRepository`` is one; binding its image grants the execution role
    pull on that repository only.
    """

    def image(self, tag: str) -> ecs.ContainerImage: ...


def image_of(
    field: str, value: object, repositories: Mapping[str, ImageRepositoryLike]
) -> str | ecs.ContainerImage:
    """The image a task-definition JSON ``image`` names: ``repository.image(tag)`` for an
    ``alias:tag`` of ``repositories``, else the reference as written."""
    image = check_image(field, value)
    if not repositories:
        return image
    name, tag, digest = split_image(image)
    repository = repositories.get(name)
    if repository is None:
        _check_not_a_misspelt_alias(field, image, name, repositories)
        return image
    if tag is None or digest is not None:
        raise ConfigurationError(
            field,
            image,
            f"names the image repository {name!r}: give it as {name}:<tag> (a tag of "
            "letters, digits, '_', '.', '-', at most 128 characters; digests are not "
            "supported for library repositories)",
        )
    return repository.image(tag)


def _check_not_a_misspelt_alias(
    field: str, image: str, name: str, repositories: Mapping[str, ImageRepositoryLike]
) -> None:
    """Reject a bare ``name[:tag|@digest]`` close to an alias: Docker would silently pull it
    from Docker Hub's library instead of the repository the alias names. A name with a
    registry host or a path (``docker.io/library/x``, ``org/x``) is always taken as written."""
    if "/" in name:
        return
    aliases = sorted(repositories)
    hint = closest(name, aliases)
    if hint:
        raise ConfigurationError(
            field,
            image,
            f"must be an alias of the repositories passed ({aliases}) or a full image "
            "reference; a bare name this close to an alias is taken for a misspelt alias, "
            "not a Docker Hub image (write a Docker Hub image as "
            f"docker.io/library/{name}:<tag>){hint}",
        )


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """``(name, tag, digest)`` of a valid image reference (``name`` includes the registry)."""
    match = IMAGE_PATTERN.match(image)
    assert match is not None, image
    domain = match.group("domain")
    name = f"{domain}/{match.group('path')}" if domain else match.group("path")
    return name, match.group("tag"), match.group("digest")


@dataclass(frozen=True, kw_only=True)
class EcrRepositoryRef:
    """A private ECR repository named by an image URI."""

    partition: str
    region: str
    account: str
    name: str

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:ecr:{self.region}:{self.account}:repository/{self.name}"


def ecr_repository_of(image: str) -> EcrRepositoryRef | None:
    """The private ECR repository an image URI pulls from, or ``None`` for other registries."""
    match = _ECR.match(image)
    if match is None:
        return None
    region = match.group("region")
    if match.group("cn"):
        partition = "aws-cn"
    elif region.startswith("us-gov-"):
        partition = "aws-us-gov"
    else:
        partition = "aws"
    return EcrRepositoryRef(
        partition=partition, region=region, account=match.group("account"), name=match.group("name")
    )


def check_role_arn(field: str, arn: object) -> str:
    if not isinstance(arn, str) or not ROLE_ARN_PATTERN.match(arn):
        raise ConfigurationError(
            field,
            arn,
            "must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)",
        )
    return arn


@dataclass(frozen=True, kw_only=True)
class SecretRef:
    """What a ``valueFrom`` (or a credentials parameter) reads.

    ``kind`` is ``"ssm"`` or ``"secretsmanager"``. ``resource`` is the ARN to grant on: the
    parameter ARN, or the secret's ARN without the ``:json-key:version-stage:version-id``
    suffix (ending in ``-??????`` when the reference omits the six random characters Secrets
    Manager appends). ``parameter_name`` is set for a bare SSM parameter name in this
    account and region (the binder builds its ARN in the stack's partition, region, account).
    """

    kind: str
    resource: str | None = None
    parameter_name: str | None = None
    secret_name: str | None = None

    @property
    def actions(self) -> tuple[str, ...]:
        return ("ssm:GetParameters",) if self.kind == "ssm" else ("secretsmanager:GetSecretValue",)


_VALUE_FROM_RULE = (
    "must be an SSM parameter name or ARN (arn:aws:ssm:<region>:<account>:parameter/<name>) "
    "or a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>"
    "[:json-key:version-stage:version-id])"
)


def _secret_arn(field: str, value: str) -> SecretRef:
    parts = value.split(":")
    if len(parts) not in (7, 10) or parts[5] != "secret" or not _SECRET_NAME.match(parts[6]):
        raise ConfigurationError(field, value, _VALUE_FROM_RULE)
    base = ":".join(parts[:7])
    if not _SECRET_SUFFIX.search(parts[6]):
        base += "-??????"
    return SecretRef(kind="secretsmanager", resource=base)


def parse_value_from(field: str, value: object, *, allow_secret_name: bool = False) -> SecretRef:
    """The SSM parameter or Secrets Manager secret a secret's ``valueFrom`` reads."""
    if not isinstance(value, str) or not value:
        raise ConfigurationError(field, value, _VALUE_FROM_RULE)
    match = _ARN.match(value)
    if match is None:
        if allow_secret_name:
            if not _SECRET_NAME.match(value):
                raise ConfigurationError(
                    field, value, "must be a Secrets Manager secret ARN or name"
                )
            return SecretRef(kind="secretsmanager", secret_name=value)
        if not _SSM_NAME.match(value):
            raise ConfigurationError(field, value, _VALUE_FROM_RULE)
        return SecretRef(kind="ssm", parameter_name=value)
    service = match.group("service")
    if service == "ssm":
        parts = value.split(":", 5)
        if len(parts) != 6 or not parts[5].startswith("parameter/") or len(parts[5]) == 10:
            raise ConfigurationError(field, value, _VALUE_FROM_RULE)
        if allow_secret_name:
            raise ConfigurationError(field, value, "must be a Secrets Manager secret ARN or name")
        return SecretRef(kind="ssm", resource=value)
    if service == "secretsmanager":
        return _secret_arn(field, value)
    raise ConfigurationError(field, value, _VALUE_FROM_RULE)


@dataclass(frozen=True, kw_only=True)
class S3ObjectRef:
    partition: str
    bucket: str
    key: str

    @property
    def object_arn(self) -> str:
        return f"arn:{self.partition}:s3:::{self.bucket}/{self.key}"

    @property
    def bucket_arn(self) -> str:
        return f"arn:{self.partition}:s3:::{self.bucket}"


def parse_s3_object(field: str, value: object, *, suffix: str | None = None) -> S3ObjectRef:
    rule = "must be an S3 object ARN (arn:aws:s3:::<bucket>/<key>)"
    if suffix:
        rule += f" whose key ends in {suffix}"
    if not isinstance(value, str):
        raise ConfigurationError(field, value, rule)
    match = _S3_OBJECT.match(value)
    if match is None or "*" in value or (suffix and not value.endswith(suffix)):
        raise ConfigurationError(field, value, rule)
    return S3ObjectRef(
        partition=match.group("partition"), bucket=match.group("bucket"), key=match.group("key")
    )


def ssm_parameter_arn_of(value: str) -> str | None:
    """The SSM parameter ARN a credential-spec ARN names, if it is one."""
    match = _ARN.match(value)
    if match and match.group("service") == "ssm" and ":parameter/" in value:
        return value
    return None
