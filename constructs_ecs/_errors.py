"""The one exception type this library raises for bad input."""

from __future__ import annotations

import difflib
import math
import re
import reprlib
from collections.abc import Iterable
from typing import Any

__all__ = ["ConfigurationError", "closest", "shorten"]

#: The longest value (and field) a message prints in full: a value just over an AWS name limit
#: (255 or 256 characters, often) is still shown whole.
MAX_SHOWN = 300
#: A CDK token encoded in a string (``${Token[TOKEN.12]}``, ``#{Token[...]}`` in a list): its
#: encoding means nothing to a reader, so messages say "<a CDK token>" instead.
_STRING_TOKEN = re.compile(r"[$#]\{Token\[[^\]]*\]\}")


class ConfigurationError(ValueError):
    """Bad input, detected when a construct or spec is defined (at synth, never at deploy).

    The message names the field (a parameter name or a JSON path such as
    ``containerDefinitions[0].memory``), the value received and what is allowed. ``field``
    and ``value`` hold them as given; the message shortens a large value (see ``shorten``).
    """

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{_short_text(str(field))}: got {shorten(value)}; {allowed}")


def _short_text(text: str, limit: int = MAX_SHOWN) -> str:
    if len(text) <= limit:
        return text
    return f"{text[: limit - 40]}... ({len(text)} characters)"


def _huge_int(value: int) -> str:
    digits = int(value.bit_length() * math.log10(2)) + 1
    sign = "-" if value < 0 else ""
    return f"{sign}an integer of about {digits} digits"


def shorten(value: Any, limit: int = MAX_SHOWN) -> str:
    """``repr(value)`` for a message, at most about ``limit`` characters, never raising.

    A long string or list is cut (``'aaaa...' (70000 characters)``), a deeply nested or
    recursive structure shown to a few levels, an integer too large to print (``10**5000``)
    described by its size, an object whose ``repr`` fails by its type, and a CDK token in a
    string as ``<a CDK token>``.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return _huge_int(value)
    if isinstance(value, str | bytes | bytearray) and len(value) > limit:
        head = f"{repr(value[:limit])[: limit - 40]}... ({len(value)} characters)"
        return _STRING_TOKEN.sub("<a CDK token>", head)
    text: str | None
    try:
        text = repr(value)
    except Exception:  # RecursionError, a huge nested int, a failing __repr__
        text = None
    if text is None or len(text) > limit:
        brief = reprlib.Repr()
        brief.maxlevel = 3
        brief.maxstring = brief.maxother = limit // 2
        try:
            text = brief.repr(value)
        except Exception:
            return f"<{type(value).__name__} object>"
    return _short_text(_STRING_TOKEN.sub("<a CDK token>", text), limit)


def closest(word: str, candidates: Iterable[str]) -> str:
    """A ``did you mean 'x'?`` hint for a misspelt key, or an empty string."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in candidates}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f" (did you mean {matches[0]!r}?)" if matches else ""
