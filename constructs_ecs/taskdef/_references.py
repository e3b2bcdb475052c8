"""Parsing of the references a task definition holds: images, roles, S3 objects, ARNs.

Each parser returns a small value object or raises ``ConfigurationError`` naming the field;
the binder turns the value objects into least-privilege IAM statements. Secrets, which may be
CDK references too, are in ``secret_sources``.

CDK tokens: a string holding one (``secret.secret_arn``, ``f"{repo.repository_uri}:v1"``) is
checked where its literal parts can be, and shown in messages with each token as
``<a CDK token>``, never as its encoding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs

from constructs_ecs._errors import ConfigurationError, closest
from constructs_ecs._jsii import implements

# --------------------------------------------------------------------------- tokens

#: An encoded token inside a string: ``${Token[TOKEN.12]}`` (``#{...}`` in a list).
TOKEN_IN_STRING = re.compile(r"[$#]\{Token\[[^\]]*\]\}")


def has_token(value: str) -> bool:
    """Whether the string ``value`` holds an unresolved CDK token (a jsii round trip only for a
    string that holds an encoded one)."""
    return "Token[" in value and cdk.Token.is_unresolved(value)


def shown(value: str) -> str:
    """``value`` with each token written ``<a CDK token>``, for a message."""
    return TOKEN_IN_STRING.sub("<a CDK token>", value)


def literal(part: str) -> bool:
    """Whether a part of a string holds no token (and so can be checked)."""
    return "Token[" not in part


# --------------------------------------------------------------------------- ARNs

#: Partitions and the regions in them. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
#: ("partition": aws, aws-cn, aws-us-gov, ...); a region belongs to exactly one partition.
_PARTITION_OF_REGION = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("eusc-", "aws-eusc"),
)
PARTITIONS = (
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
)
_REGION = re.compile(r"[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}", re.ASCII)
_ACCOUNT = re.compile(r"[0-9]{12}", re.ASCII)


def partition_of_region(region: str) -> str:
    """The partition of a (literal) region: ``cn-north-1`` -> ``aws-cn``."""
    for prefix, partition in _PARTITION_OF_REGION:
        if region.startswith(prefix):
            return partition
    return "aws"


def check_arn_head(field: str, value: str, *, region: bool = True, account: bool = True) -> None:
    """The ``arn:<partition>:<service>:<region>:<account>`` of ``value`` (split on ``:``; a
    part holding a token is skipped): a known partition, a region of that partition, a
    12-digit account."""
    parts = value.split(":")
    partition, region_part, account_part = parts[1], parts[3], parts[4]
    if literal(partition) and partition not in PARTITIONS:
        raise ConfigurationError(
            field,
            shown(value),
            f"has partition {partition!r}; an ARN's partition is one of {', '.join(PARTITIONS)}",
        )
    if region and literal(region_part):
        if not _REGION.fullmatch(region_part):
            raise ConfigurationError(
                field, shown(value), f"has region {region_part!r}, which is not a region name"
            )
        if literal(partition) and partition_of_region(region_part) != partition:
            raise ConfigurationError(
                field,
                shown(value),
                f"names region {region_part} in partition {partition}; {region_part} is in "
                f"{partition_of_region(region_part)}",
            )
    if account and literal(account_part) and not _ACCOUNT.fullmatch(account_part):
        raise ConfigurationError(
            field, shown(value), f"has account {account_part!r}; an account id is 12 digits"
        )


# --------------------------------------------------------------------------- images

# Docker's reference grammar (distribution/reference, "reference.go"), ASCII only as there:
# Go's \w is [0-9A-Za-z_]. https://github.com/distribution/reference/blob/main/reference.go
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|-+)"
_PATH_COMPONENT = re.compile(rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*", re.ASCII)
_DOMAIN_COMPONENT = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_DOMAIN = re.compile(rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*(?::[0-9]+)?", re.ASCII)
TAG_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", re.ASCII)
_DIGEST_ALGORITHM = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*", re.ASCII)
#: The encoded length of the digests the OCI image spec registers (image-spec, "descriptor.md":
#: sha256 and sha512 are lowercase hex), https://github.com/opencontainers/image-spec/blob/main/descriptor.md#registered-algorithms
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
#: ECS: "Up to 255 letters (uppercase and lowercase), numbers, hyphens, underscores, colons,
#: periods, forward slashes, and number signs are allowed" (ContainerDefinition "image",
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html).
IMAGE_MAX_LENGTH = 255
IMAGE_RULE = (
    "an image reference such as 'nginx:1.27', 'public.ecr.aws/docker/library/busybox:1.36' "
    "or '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1' "
    "([registry/]repository[:tag][@digest], lowercase repository, at most 255 characters)"
)
TAG_RULE = "a tag is 1-128 ASCII letters, digits, '_', '.' and '-', not starting with '.' or '-'"

_ECR = re.compile(
    r"(?P<account>[0-9]{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com"
    r"(?P<cn>\.cn)?/(?P<name>[^:@]+)(?::[^@]+)?(?:@.+)?",
    re.ASCII,
)


@dataclass(frozen=True)
class _Reference:
    domain: str | None
    path: str
    tag: str | None
    digest: str | None


def _why_not_an_image(image: str) -> str | _Reference:
    """The parts of a valid image reference, or why ``image`` is not one."""
    for index, char in enumerate(image):
        if not char.isascii() or not char.isprintable() or char.isspace():
            return (
                f"character {index + 1} ({char!r}) is not allowed: image references are "
                "printable ASCII without spaces"
            )
    name, at, digest = image.partition("@")
    if at and (error := _why_not_a_digest(digest)):
        return error
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
        if len(tag) > 128:
            return f"its tag is {len(tag)} characters; {TAG_RULE}"
        if not TAG_PATTERN.fullmatch(tag):
            return f"its tag {tag!r} is not a tag; {TAG_RULE}"
    first, _, rest = name.partition("/")
    domain = None
    if rest and ("." in first or ":" in first or first == "localhost"):
        domain, name = first, rest
        if not _DOMAIN.fullmatch(domain):
            return f"{domain!r} is not a registry host[:port]"
    elif rest and first != first.lower():
        return (
            f"{first!r} is neither a registry host (it has no '.' or ':') nor a repository "
            f"name (those are lowercase: did you mean {image.lower()!r}?)"
        )
    for component in name.split("/"):
        if not _PATH_COMPONENT.fullmatch(component):
            hint = ""
            if _PATH_COMPONENT.fullmatch(component.lower()):
                hint = f" (repository names are lowercase: did you mean {component.lower()!r}?)"
            return (
                f"{component!r} is not a repository name component: lowercase letters and "
                f"digits separated by '.', '_', '__' or '-'{hint}"
            )
    return _Reference(domain=domain, path=name, tag=tag, digest=digest if at else None)


def _why_not_a_digest(digest: str) -> str:
    algorithm, colon, encoded = digest.partition(":")
    if not colon or not _DIGEST_ALGORITHM.fullmatch(algorithm):
        return f"its digest {digest!r} is not <algorithm>:<hex> (sha256:<64 hex digits>)"
    length = _DIGEST_LENGTHS.get(algorithm)
    if length is not None and not re.fullmatch(rf"[0-9a-f]{{{length}}}", encoded, re.ASCII):
        return f"its digest must be {algorithm}:<{length} lowercase hex digits>"
    if length is None and not re.fullmatch(r"[0-9a-fA-F]{32,}", encoded, re.ASCII):
        return f"its digest {digest!r} must end in at least 32 hex digits"
    return ""


def check_image(field: str, image: object) -> str:
    """``image`` if it is a valid image reference, else a ``ConfigurationError`` saying which
    part is wrong (a non-ASCII letter, an uppercase repository, a tag over 128 characters, a
    digest of the wrong length, ...)."""
    if not isinstance(image, str) or not image:
        raise ConfigurationError(field, image, f"must be {IMAGE_RULE}")
    if len(image) > IMAGE_MAX_LENGTH:
        raise ConfigurationError(field, image, f"is {len(image)} characters; must be {IMAGE_RULE}")
    parsed = _why_not_an_image(image)
    if isinstance(parsed, str):
        raise ConfigurationError(field, image, f"{parsed}; must be {IMAGE_RULE}")
    return image


def check_image_object(field: str, image: object) -> ecs.ContainerImage:
    """An ``ecs.ContainerImage`` as given, after checking what it shows: the tag or digest
    (and a literal repository name) of an ECR image (``ImageRepository.image(tag)``,
    ``ContainerImage.from_ecr_repository(repository, tag)``). Anything else that is not a
    ``ContainerImage`` is refused, with the call that makes one."""
    if isinstance(image, ecs.EcrImage):
        _check_ecr_image_name(field, image.image_name)
        return image
    if isinstance(image, ecs.ContainerImage):
        return image  # a registry name, an asset (built by the CDK CLI at deploy), ...
    if isinstance(image, ImageRepositoryLike):
        hint = "pass repository.image(tag)"
    elif implements(image, ecr.IRepository):
        hint = "pass ecs.ContainerImage.from_ecr_repository(repository, tag_or_digest)"
    else:
        hint = "pass a string or an ecs.ContainerImage"
    raise ConfigurationError(
        field, image, f"must be an image reference string or an ecs.ContainerImage ({hint})"
    )


def _check_ecr_image_name(field: str, name: str) -> None:
    """``<account>.dkr.ecr.<region>.<suffix>/<repository>(:tag|@digest)``, tokens anywhere but
    in the tag or digest, which ``from_ecr_repository`` appends as written."""
    head, at, digest = name.rpartition("@")
    if at:
        if literal(digest) and (error := _why_not_a_digest(digest)):
            raise ConfigurationError(field, shown(name), f"{error} (the ECR image's digest)")
    else:
        head, _, tag = name.rpartition(":")
        if literal(tag) and not TAG_PATTERN.fullmatch(tag):
            raise ConfigurationError(field, shown(name), f"has tag {tag!r}; {TAG_RULE}")
    repository = head.split("/", 1)[1] if "/" in head else ""
    for component in repository.split("/") if literal(repository) else ():
        if not _PATH_COMPONENT.fullmatch(component):
            raise ConfigurationError(
                field,
                shown(name),
                f"names repository {repository!r}; repository names are lowercase letters and "
                "digits separated by '.', '_', '__', '-' or '/'",
            )


@runtime_checkable
class ImageRepositoryLike(Protocol):
    """What the importer needs of an image repository: ``image(tag)`` -> a container image.

    ``constructs_ecs.ImageRepository`` is one; binding its image grants the execution role
    pull on that repository only.
    """

    def image(self, tag: str) -> ecs.ContainerImage: ...


def check_repositories(field: str, value: object) -> Mapping[str, Any]:
    """The ``repositories=`` of the importer: a mapping of aliases to ``ImageRepository``
    (anything with ``image(tag)``) or ``ecr.IRepository``; ``None`` is none."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            field, value, "must be a mapping of aliases to ImageRepository or ecr.IRepository"
        )
    for alias, repository in value.items():
        if not isinstance(alias, str) or not _PATH_COMPONENT.fullmatch(alias):
            raise ConfigurationError(
                field,
                alias,
                "aliases are repository names as images write them: lowercase letters and "
                "digits separated by '.', '_', '__' or '-'",
            )
        if not isinstance(repository, ImageRepositoryLike) and not implements(
            repository, ecr.IRepository
        ):
            raise ConfigurationError(
                f"{field}.{alias}", repository, "must be an ImageRepository or an ecr.IRepository"
            )
    return value


def image_of(
    field: str, value: object, repositories: Mapping[str, Any]
) -> str | ecs.ContainerImage:
    """The image a task-definition JSON ``image`` names: for ``alias:tag`` (or
    ``alias@sha256:...`` of an ``ecr.IRepository``) of ``repositories``, that repository's
    image; else the reference as written."""
    image = check_image(field, value)
    if not repositories:
        return image
    name, tag, digest = split_image(image)
    repository = repositories.get(name)
    if repository is None:
        _check_not_a_misspelt_alias(field, image, name, repositories)
        return image
    if not isinstance(repository, ImageRepositoryLike):  # an ecr.IRepository
        if (tag is None) == (digest is None):
            raise ConfigurationError(
                field,
                image,
                f"names the ECR repository {name!r}: give it as {name}:<tag> or "
                f"{name}@sha256:<digest>",
            )
        return ecs.ContainerImage.from_ecr_repository(repository, tag or digest)
    if tag is None or digest is not None:
        raise ConfigurationError(
            field,
            image,
            f"names the image repository {name!r}: give it as {name}:<tag> ({TAG_RULE}; "
            "for a digest, pass the repository's ecr.IRepository)",
        )
    return repository.image(tag)


def _check_not_a_misspelt_alias(
    field: str, image: str, name: str, repositories: Mapping[str, Any]
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
    parsed = _why_not_an_image(image)
    assert isinstance(parsed, _Reference), image
    name = f"{parsed.domain}/{parsed.path}" if parsed.domain else parsed.path
    return name, parsed.tag, parsed.digest


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
    match = _ECR.fullmatch(image)
    if match is None:
        return None
    region = match.group("region")
    partition = "aws-cn" if match.group("cn") else partition_of_region(region)
    return EcrRepositoryRef(
        partition=partition, region=region, account=match.group("account"), name=match.group("name")
    )


# --------------------------------------------------------------------------- roles, S3

#: IAM role ARN: role names are 1-64 characters of [\w+=,.@-] and paths up to 512
#: (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html).
ROLE_ARN_PATTERN = re.compile(
    r"arn:(aws[a-z-]*):iam::[0-9]{12}:role/(?:[A-Za-z0-9_+=,.@-]+/)*[A-Za-z0-9_+=,.@-]{1,64}",
    re.ASCII,
)


def check_role_arn(field: str, arn: object) -> str:
    if not isinstance(arn, str) or len(arn) > 2048 or not ROLE_ARN_PATTERN.fullmatch(arn):
        raise ConfigurationError(
            field,
            arn,
            "must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)",
        )
    check_arn_head(field, arn, region=False)
    return arn


_S3_OBJECT = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):s3:::(?P<bucket>[a-z0-9.-]{3,63})/(?P<key>.+)", re.ASCII
)


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
    match = _S3_OBJECT.fullmatch(value)
    if match is None or "*" in value or (suffix and not value.endswith(suffix)):
        raise ConfigurationError(field, value, rule)
    check_arn_head(field, value, region=False, account=False)
    return S3ObjectRef(
        partition=match.group("partition"), bucket=match.group("bucket"), key=match.group("key")
    )


_SSM_ARN = re.compile(r"arn:aws[a-z-]*:ssm:[^:]*:[^:]*:parameter/.+", re.ASCII)


def ssm_parameter_arn_of(value: str) -> str | None:
    """The SSM parameter ARN a credential-spec ARN names, if it is one."""
    return value if _SSM_ARN.fullmatch(value) else None
