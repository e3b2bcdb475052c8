"""Answers about the construct tree that Python can give without a jsii round trip.

Every call into aws-cdk-lib is a round trip to the Node.js process (0.1 to 1 ms), and
synthesis time is a product goal (see bench/). Reading ``construct.node.path`` costs two
(``node``, then ``path``): the library's own constructs record their path when they are
defined, from their scope's path (read once per scope). ``is_unresolved`` skips the call for
values that cannot be tokens.
"""

from __future__ import annotations

import weakref
from typing import Any

import aws_cdk as cdk
from constructs import IConstruct

__all__ = ["is_unresolved", "path_of", "remember_path"]

_PATHS: weakref.WeakKeyDictionary[IConstruct, str] = weakref.WeakKeyDictionary()


def path_of(construct: IConstruct) -> str:
    """``construct.node.path``, from the cache when the path is known."""
    path = _PATHS.get(construct)
    if path is None:
        path = _PATHS[construct] = construct.node.path
    return path


def remember_path(construct: IConstruct, scope: IConstruct, construct_id: str) -> None:
    """Record the path of ``construct``, just defined as ``construct_id`` in ``scope``."""
    parent = path_of(scope)
    # constructs replaces the path separator in ids (Node.PATH_SEP) with "--".
    child = construct_id.replace("/", "--")
    _PATHS[construct] = f"{parent}/{child}" if parent else child


def is_unresolved(value: Any) -> bool:
    """``cdk.Token.is_unresolved``, answered without asking for an ``int`` (number tokens are
    floats in Python) and for a string holding no encoded token."""
    if isinstance(value, int) or (isinstance(value, str) and "Token[" not in value):
        return False
    return cdk.Token.is_unresolved(value)
