"""Construct paths known on the Python side.

Reading ``construct.node.path`` costs two jsii round trips (``node``, then ``path``). The
library's own constructs record their path when they are defined, from their scope's path
(read once per scope), so the checks that key on paths cost nothing per service.
"""

from __future__ import annotations

import weakref

from constructs import IConstruct

__all__ = ["path_of", "remember_path"]

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
