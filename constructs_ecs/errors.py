"""The one exception type this library raises for bad input."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any


class ConfigurationError(ValueError):
    """Bad input, detected when a construct or spec is defined (at synth, never at deploy).

    The message names the field (a parameter name or a JSON path such as
    ``containerDefinitions[0].memory``), the value received and what is allowed.
    """

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}: got {value!r}; {allowed}")


def closest(word: str, candidates: Iterable[str]) -> str:
    """A ``did you mean 'x'?`` hint for a misspelt key, or an empty string."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in candidates}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f" (did you mean {matches[0]!r}?)" if matches else ""
