"""Where a secret comes from: a container's ``secrets``, a log driver's ``secretOptions`` and
``repositoryCredentials``.

A source is one of

- a string, as ECS JSON writes ``valueFrom``: an SSM parameter name or ARN, or a Secrets
  Manager secret ARN, optionally ``:json-key:version-stage:version-id``; checked strictly
  (names, ARN grammar, partition against region). A string holding a CDK token
  (``secret.secret_arn``, ``parameter.parameter_name``, ``parameter.parameter_arn``) has its
  literal parts checked, and is traced back to the construct it references where it can be;
- ``secretsmanager.ISecret`` (the whole secret) or ``ssm.IParameter``;
- ``ecs.Secret``, aws-cdk-lib's own value for a secret of a container:
  ``ecs.Secret.from_secrets_manager(secret, "password")`` (a JSON field),
  ``ecs.Secret.from_secrets_manager_version(secret, ecs.SecretVersionInfo(version_stage=...))``
  (a version), ``ecs.Secret.from_ssm_parameter(parameter)``.

The execution role may read exactly what a source names: through the referenced construct's
own grant (``secret.grant_read(role)``, ``parameter.grant_read(role)``, which also grant
decryption with a customer-managed key), else a statement on the ARN the string writes
(``<secret ARN>-??????`` when it omits the six characters Secrets Manager appends).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import aws_cdk as cdk
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm

from constructs_ecs._errors import ConfigurationError
from constructs_ecs._jsii import implements
from constructs_ecs.taskdef._common import type_name
from constructs_ecs.taskdef._references import (
    check_arn_head,
    has_token,
    literal,
    shown,
)

__all__ = [
    "SecretRef",
    "SecretSource",
    "check_source",
    "grant_source",
    "parse_value_from",
    "value_from",
]

SecretSource: TypeAlias = "str | ecs.Secret | secretsmanager.ISecret | ssm.IParameter"
"""What a secret may come from (see the module docstring)."""

# SSM parameter names (PutParameter, "Name": a-zA-Z0-9_.- and "/" between the levels of a
# hierarchy, which then starts with "/"; at most 15 levels; "The maximum length for a
# parameter name, including the full length of the parameter ARN, is 1011 characters"),
# https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
_SSM_NAME = re.compile(r"[A-Za-z0-9_.\-/]+", re.ASCII)
SSM_NAME_MAX = 1011
SSM_MAX_LEVELS = 15
# Secrets Manager names: 1-512 of [A-Za-z0-9/_+=.@-] (CreateSecret, "Name"),
# https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html; a
# version stage is 1-256 characters and a version id 32-64 (GetSecretValue).
_SECRET_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}", re.ASCII)
_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}")
_VERSION_ID = re.compile(r"[A-Za-z0-9-]{32,64}", re.ASCII)

_VALUE_FROM_RULE = (
    "must be an SSM parameter name or ARN (arn:aws:ssm:<region>:<account>:parameter/<name>), "
    "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>"
    "[:json-key:version-stage:version-id]), a secretsmanager.ISecret, an ssm.IParameter or an "
    "ecs.Secret (ecs.Secret.from_secrets_manager(secret, json_field))"
)
_CREDENTIALS_RULE = (
    "must be a Secrets Manager secret ARN or name, or a secretsmanager.ISecret: the secret "
    "holding the registry's username and password"
)
_UNTRACED = (
    "is a CDK token that names no secret or parameter this library can find, so the "
    "execution role could not be granted read on it: pass the secretsmanager.ISecret, "
    "ssm.IParameter or ecs.Secret itself"
)


@dataclass(frozen=True, kw_only=True)
class SecretRef:
    """What a ``valueFrom`` (or a credentials parameter) string reads.

    ``kind`` is ``"ssm"`` or ``"secretsmanager"``. ``resource`` is the ARN to grant on: the
    parameter ARN, or the secret's ARN without the ``:json-key:version-stage:version-id``
    suffix (ending in ``-??????`` when the reference omits the six random characters Secrets
    Manager appends). ``parameter_name`` is set for an SSM parameter name in this account and
    region, ``secret_name`` for a secret name (the binder builds their ARNs in the stack's
    partition, region and account).
    """

    kind: str
    resource: str | None = None
    parameter_name: str | None = None
    secret_name: str | None = None

    @property
    def actions(self) -> tuple[str, ...]:
        return ("ssm:GetParameters",) if self.kind == "ssm" else ("secretsmanager:GetSecretValue",)


# --------------------------------------------------------------------------- literal strings


def _check_ssm_name(field: str, value: str, name: str) -> None:
    """``name`` as SSM writes it (with its leading ``/`` for a hierarchy)."""
    if not _SSM_NAME.fullmatch(name):
        raise ConfigurationError(
            field,
            shown(value),
            "has an SSM parameter name with a character other than letters, digits, "
            "'_', '.', '-' and '/'",
        )
    if "/" in name:
        if not name.startswith("/"):
            raise ConfigurationError(
                field,
                shown(value),
                f"is an SSM parameter path, which starts with '/' (/{name}); a name without "
                "'/' is a parameter at the top level",
            )
        levels = name[1:].split("/")
        if "" in levels:
            raise ConfigurationError(
                field,
                shown(value),
                "has an empty level in its SSM parameter path ('//' or a trailing '/')",
            )
        if len(levels) > SSM_MAX_LEVELS:
            raise ConfigurationError(
                field,
                shown(value),
                f"has {len(levels)} levels; SSM parameter hierarchies have at most "
                f"{SSM_MAX_LEVELS}",
            )


def _secret_arn(field: str, value: str, *, whole: bool) -> SecretRef:
    parts = value.split(":")
    if len(parts) not in (7, 10) or parts[5] != "secret":
        raise ConfigurationError(field, value, _VALUE_FROM_RULE)
    check_arn_head(field, value)
    if not _SECRET_NAME.fullmatch(parts[6]):
        raise ConfigurationError(
            field, value, "has a secret name that is not 1-512 of A-Z a-z 0-9 / _ + = . @ -"
        )
    if len(parts) == 10:
        if whole:
            raise ConfigurationError(field, value, _CREDENTIALS_RULE + " (the whole secret)")
        stage, version_id = parts[8], parts[9]
        if len(stage) > 256:
            raise ConfigurationError(field, value, "has a version stage over 256 characters")
        if version_id and not _VERSION_ID.fullmatch(version_id):
            raise ConfigurationError(field, value, "has a version id that is not 32-64 characters")
    base = ":".join(parts[:7])
    if not _SECRET_SUFFIX.search(parts[6]):
        base += "-??????"
    return SecretRef(kind="secretsmanager", resource=base)


def parse_value_from(field: str, value: object, *, allow_secret_name: bool = False) -> SecretRef:
    """The SSM parameter or Secrets Manager secret a literal ``valueFrom`` string reads
    (``allow_secret_name``: a Secrets Manager secret's name or ARN, as repository credentials
    take it)."""
    rule = _CREDENTIALS_RULE if allow_secret_name else _VALUE_FROM_RULE
    if not isinstance(value, str) or not value:
        raise ConfigurationError(field, value, rule)
    if not value.startswith("arn:"):
        if allow_secret_name:
            if not _SECRET_NAME.fullmatch(value):
                raise ConfigurationError(field, value, rule)
            return SecretRef(kind="secretsmanager", secret_name=value)
        _check_ssm_name(field, value, value)
        if len(value) > SSM_NAME_MAX:
            raise ConfigurationError(field, value, f"is over {SSM_NAME_MAX} characters")
        return SecretRef(kind="ssm", parameter_name=value)
    parts = value.split(":", 5)
    if len(parts) != 6:
        raise ConfigurationError(field, value, rule)
    if parts[2] == "ssm" and not allow_secret_name:
        if not parts[5].startswith("parameter/") or len(parts[5]) == len("parameter/"):
            raise ConfigurationError(field, value, rule)
        check_arn_head(field, value)
        name = parts[5].removeprefix("parameter")  # "/app/x" or "/x": the name as a path
        _check_ssm_name(field, value, name if name.count("/") > 1 else name[1:])
        if len(value) > SSM_NAME_MAX:
            raise ConfigurationError(field, value, f"is over {SSM_NAME_MAX} characters")
        return SecretRef(kind="ssm", resource=value)
    if parts[2] == "secretsmanager":
        return _secret_arn(field, value, whole=allow_secret_name)
    raise ConfigurationError(field, value, rule)


# --------------------------------------------------------------------------- tokens


def _check_token_string(field: str, value: str, *, credentials: bool) -> None:
    """What can be checked of a string holding tokens: the literal parts of an ARN
    (partition, region, account, service, resource type), the characters of an SSM path, the
    ``:json-key:version-stage:version-id`` written after a secret's ARN token."""
    if value.startswith("arn:"):
        parts = value.split(":")
        if len(parts) < 6:
            raise ConfigurationError(field, shown(value), _VALUE_FROM_RULE)
        check_arn_head(field, value)
        service, resource = parts[2], parts[5]
        services = ("secretsmanager",) if credentials else ("ssm", "secretsmanager")
        if literal(service) and service not in services:
            raise ConfigurationError(
                field, shown(value), _CREDENTIALS_RULE if credentials else _VALUE_FROM_RULE
            )
        if service == "secretsmanager" and literal(resource) and resource != "secret":
            raise ConfigurationError(field, shown(value), _VALUE_FROM_RULE)
        if service == "ssm" and literal(resource[:10]) and not resource.startswith("parameter/"):
            raise ConfigurationError(field, shown(value), _VALUE_FROM_RULE)
        return
    if value.startswith("/"):
        literal_text = re.sub(r"[$#]\{Token\[[^\]]*\]\}", "x", value)
        _check_ssm_name(field, value, literal_text)
        return
    tail = re.split(r"[$#]\{Token\[[^\]]*\]\}", value)[-1]
    if tail.startswith(":") and not re.fullmatch(r"(?::[^:]*){3}", tail):
        raise ConfigurationError(
            field,
            shown(value),
            "writes a suffix after the secret that is not :json-key:version-stage:version-id",
        )


def _traced(value: str) -> secretsmanager.ISecret | ssm.IParameter | None:
    """The secret or parameter construct a token in ``value`` references (``secret.secret_arn``
    is a reference to the secret's ``CfnSecret``, whose scope is the ``Secret``), if any."""
    for token in cdk.Tokenization.reverse_string(value).tokens:
        if not isinstance(token, cdk.Reference):
            continue
        target = token.target
        for candidate in (target, target.node.scope):
            if implements(candidate, secretsmanager.ISecret) or implements(
                candidate, ssm.IParameter
            ):
                return candidate  # type: ignore[return-value]
    return None


def _untraced_ref(field: str, value: str) -> SecretRef | None:
    """The ``SecretRef`` of a string holding tokens that reference no construct: an ARN whose
    service and resource type are literal, or an SSM path starting with a literal ``/``."""
    if value.startswith("arn:"):
        parts = value.split(":")
        if parts[2] == "ssm":
            return SecretRef(kind="ssm", resource=value)
        if parts[2] == "secretsmanager" and len(parts) in (7, 10):
            base = ":".join(parts[:7])
            name = parts[6]
            if literal(name) and not _SECRET_SUFFIX.search(name):
                base += "-??????"
            return SecretRef(kind="secretsmanager", resource=base)
        return None
    if value.startswith("/") and ":" not in value:
        return SecretRef(kind="ssm", parameter_name=value)
    return None


# --------------------------------------------------------------------------- sources


def check_source(field: str, value: object, *, credentials: bool = False) -> None:
    """Check a secret's source (see the module docstring); ``credentials``: repository
    credentials, which only Secrets Manager holds (the whole secret)."""
    if isinstance(value, str):
        if not has_token(value):
            parse_value_from(field, value, allow_secret_name=credentials)
            return
        _check_token_string(field, value, credentials=credentials)
        if _traced(value) is None and _untraced_ref(field, value) is None:
            raise ConfigurationError(field, shown(value), _UNTRACED)
        return
    if implements(value, secretsmanager.ISecret):
        return
    if credentials:
        raise ConfigurationError(field, value, f"{_CREDENTIALS_RULE}, not {type_name(value)}")
    if isinstance(value, ecs.Secret):
        arn = value.arn
        if has_token(arn):
            _check_token_string(field, arn, credentials=False)
        else:
            parse_value_from(field, arn)
        return
    if implements(value, ssm.IParameter):
        return
    raise ConfigurationError(field, value, f"{_VALUE_FROM_RULE}, not {type_name(value)}")


def value_from(value: SecretSource) -> str:
    """The ``valueFrom`` (or credentials parameter) of a checked source, for the template: a
    string as written, a construct's ARN."""
    if isinstance(value, ecs.Secret):
        return value.arn
    if implements(value, secretsmanager.ISecret):
        return value.secret_arn  # type: ignore[union-attr]
    if implements(value, ssm.IParameter):
        return value.parameter_arn  # type: ignore[union-attr]
    return value  # type: ignore[return-value]


def grant_source(
    field: str,
    value: SecretSource,
    role: Callable[[], iam.IRole],
    *,
    credentials: bool = False,
) -> SecretRef | None:
    """Grant ``role()`` read on a checked source through its construct's own grant and return
    ``None``; or return the ``SecretRef`` of a string, for the caller to grant on its ARN
    (``role`` is called only for a construct: obtaining the role is a jsii round trip)."""
    if isinstance(value, str):
        if not has_token(value):
            return parse_value_from(field, value, allow_secret_name=credentials)
        construct = _traced(value)
        if construct is None:
            ref = _untraced_ref(field, value)
            assert ref is not None, "check_source passed it"
            return ref
        construct.grant_read(role())
        return None
    value.grant_read(role())
    return None
