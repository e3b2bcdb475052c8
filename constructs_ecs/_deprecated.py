"""Keywords of 0.1 that moved into option values in 0.2: they keep working for one release,
with a warning that names the new form, and are removed in 0.3.

A construct whose keywords moved takes them as ``**moved`` and hands them here before it
defines anything: each is checked against the annotation it had (a wrong type is the same
``ConfigurationError`` as before), a keyword that never existed is refused as before, and each
one used gives a ``DeprecationWarning`` (at the user's call) and, once the construct exists, a
warning annotation (``cdk synth`` prints it; ``--strict`` fails on it).
"""

from __future__ import annotations

import dataclasses
import inspect
import warnings
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import aws_cdk as cdk
from constructs import Construct

from constructs_ecs._arguments import _check
from constructs_ecs._errors import ConfigurationError, closest

__all__ = ["REMOVED_IN", "Moved", "announce_moved", "exclusive", "from_moved", "take_moved"]

_T = TypeVar("_T")

REMOVED_IN = "0.3.0"
"""The release the moved keywords are removed in."""


@dataclasses.dataclass(frozen=True)
class Moved:
    """A keyword that moved: what it accepted (``hint``) and the form that replaces it
    (``form``, e.g. ``"routing=Routing(path_patterns=...)"``)."""

    hint: Any
    form: str


def take_moved(
    owner: type, received: Mapping[str, Any], moved: Mapping[str, Moved]
) -> dict[str, Any]:
    """The moved keywords in ``received`` (the constructor's ``**moved``), checked against
    their old annotations, each with a ``DeprecationWarning`` naming its new form. A keyword
    that is neither a parameter of ``owner`` nor a moved one is refused, as before."""
    if not received:
        return {}
    parameters = [
        name
        for name, parameter in inspect.signature(vars(owner)["__init__"]).parameters.items()
        if name != "self" and parameter.kind is not parameter.VAR_KEYWORD
    ]
    for name, value in received.items():
        if name not in moved:
            raise ConfigurationError(
                name,
                value,
                f"is not a parameter of {owner.__name__}{closest(name, [*parameters, *moved])}; "
                f"its parameters are {', '.join(parameters)}",
            )
    taken: dict[str, Any] = {}
    for name, value in received.items():
        taken[name] = _check(name, value, moved[name].hint)
        warnings.warn(
            f"{owner.__name__}({name}=...) is deprecated and is removed in {REMOVED_IN}: "
            f"use {moved[name].form}",
            DeprecationWarning,
            # the user's call: take_moved < __init__ < checked's wrapper < jsii's metaclass < it
            stacklevel=5,
        )
    return taken


def announce_moved(
    construct: Construct, taken: Mapping[str, Any], moved: Mapping[str, Moved]
) -> None:
    """Record each moved keyword used as a warning on ``construct``, with an id of its own
    (``@constructs-ecs/deprecated:WebService.path_patterns``): ``cdk synth`` prints it,
    ``--strict`` fails on it, and it can be acknowledged. Not aws-cdk-lib's deprecation
    annotation: that one says "the next major release" of aws-cdk-lib, and throws a bare
    JavaScript error under ``CDK_BLOCK_DEPRECATIONS``, which is meant for aws-cdk-lib's own
    APIs."""
    owner = type(construct).__name__
    for name in taken:
        cdk.Annotations.of(construct).add_warning_v2(
            f"@constructs-ecs/deprecated:{owner}.{name}",
            f"constructs_ecs.{owner}({name}=...) is deprecated: use {moved[name].form}; it is "
            f"removed in {REMOVED_IN}",
        )


def exclusive(taken: Mapping[str, Any], option: str, given: object) -> None:
    """Refuse a moved keyword given beside the option value that replaces it."""
    if given is not None and taken:
        name = next(iter(taken))
        raise ConfigurationError(
            name,
            taken[name],
            f"only without {option}= (it moved into it): give one or the other",
        )


def from_moved(
    build: Callable[..., _T], option: str, old: Mapping[str, Any], fields: Mapping[str, str]
) -> _T:
    """The option value the moved keywords ``old`` describe: ``build`` given each under its
    field (``fields``: moved keyword to field). A value ``build`` refuses is reported under the
    keyword the user wrote (``access_log_retention``, not ``access_logs.retention``), as in
    0.1."""
    try:
        return build(**{fields[name]: value for name, value in old.items()})
    except ConfigurationError as error:
        for name in old:
            new = f"{option}.{fields[name]}"
            if error.field == new or error.field.startswith(f"{new}["):
                raise ConfigurationError(
                    name + error.field[len(new) :], error.value, error.allowed
                ) from None
        raise
