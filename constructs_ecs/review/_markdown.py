"""GitHub-flavoured Markdown helpers: code spans, warnings, tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

WARNING = "⚠️"


def code(text: str) -> str:
    """``text`` as a code span (safe for ``*``, ``_`` and the like)."""
    text = " ".join(str(text).split()) or " "
    if "`" not in text:
        return f"`{text}`"
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"``{padded}``"


def flagged(text: str) -> str:
    """A highlighted code span: a warning sign and bold."""
    return f"{WARNING} **{code(text)}**"


def plain(text: str) -> str:
    """``text`` with Markdown and HTML syntax escaped, on one line."""
    text = " ".join(str(text).split())
    out = []
    for char in text:
        if char in "\\`*_[]<>#|~":
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def _cell(value: str) -> str:
    return value.replace("\r", "").replace("\n", "<br>").replace("|", "\\|") or " "


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; ``|`` in cells is escaped, newlines become ``<br>``."""
    lines = [
        "| " + " | ".join(_cell(h) for h in headers) + " |",
        "| " + " | ".join("---" for _ in headers) + " |",
    ]
    lines.extend("| " + " | ".join(_cell(value) for value in row) + " |" for row in rows)
    return "\n".join(lines)


def joined(items: Iterable[str], separator: str = ", ") -> str:
    """Items joined, or an em dash when there are none."""
    values = list(items)
    return separator.join(values) if values else "—"
