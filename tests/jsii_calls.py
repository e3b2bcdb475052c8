"""Count the calls Python makes into the jsii kernel (each a round trip to Node.js)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jsii

KINDS = ("create", "get", "set", "invoke", "sget", "sset", "sinvoke")
"""The kernel calls the generated bindings make, as the ``jsii`` module's functions."""


@contextmanager
def jsii_calls() -> Iterator[Counter[str]]:
    """Within the block, ``counts[kind]`` is how many kernel calls of each kind were made."""
    counts: Counter[str] = Counter()
    originals = {kind: getattr(jsii, kind) for kind in KINDS}

    def counting(kind: str) -> Any:
        original = originals[kind]

        def call(*args: Any, **kwargs: Any) -> Any:
            counts[kind] += 1
            return original(*args, **kwargs)

        return call

    for kind in KINDS:
        setattr(jsii, kind, counting(kind))
    try:
        yield counts
    finally:
        for kind, original in originals.items():
            setattr(jsii, kind, original)
