"""Template values compared: which leaves differ, how two values read side by side in a
Markdown cell (a short unified diff for long strings), and how alike two resources are."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from constructs_ecs.review._intrinsics import get_att, intrinsic, render, shorten
from constructs_ecs.review._markdown import code

MISSING: Any = object()
"""A property or attribute that one side does not have."""

VALUE_LIMIT = 40
"""Longer values are shown as a short diff of the part that changed."""
_CONTEXT = 16
_LINE_LIMIT = 72
_MAX_DIFF_LINES = 6
_TOKEN_EDGE = re.compile(r"[/:,;=@ .|{}()\[\]\"'$]")
ATTRIBUTES = (
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
    "Condition",
    "DependsOn",
)
"""Resource attributes compared besides ``Properties``."""


def short(value: Any) -> str:
    """A value for a Markdown cell: a code span, or *(absent)*."""
    if value is MISSING:
        return "*(absent)*"
    return code(shorten(render(value), VALUE_LIMIT))


def referenced(value: Any) -> set[str]:
    """Logical ids that ``Ref`` / ``Fn::GetAtt`` name anywhere inside ``value``."""
    found: set[str] = set()
    call = intrinsic(value)
    if call is not None and call[0] == "Ref" and isinstance(call[1], str):
        if not call[1].startswith("AWS::"):
            found.add(call[1])
        return found
    if call is not None and call[0] == "Fn::GetAtt":
        parts = get_att(call[1])
        if parts is not None:
            found.add(parts[0])
        return found
    if isinstance(value, dict):
        for item in value.values():
            found |= referenced(item)
    elif isinstance(value, list):
        for item in value:
            found |= referenced(item)
    return found


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` grown to whole tokens plus some context, within ``text``."""
    start = max(0, start - _CONTEXT)
    end = min(len(text), end + _CONTEXT)
    while start > 0 and not _TOKEN_EDGE.match(text[start - 1]):
        start -= 1
    while end < len(text) and not _TOKEN_EDGE.match(text[end]):
        end += 1
    return start, end


def _excerpt(text: str, start: int, end: int) -> str:
    start, end = _widen(text, start, end)
    middle = text[start:end]
    if len(middle) > _LINE_LIMIT:
        middle = middle[: _LINE_LIMIT - 1] + "…"
    return ("…" if start else "") + middle + ("…" if end < len(text) else "")


def _line_diff(before: str, after: str) -> list[str]:
    """``- old`` / ``+ new`` excerpts of the part of one line that changed."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    changed = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    if not changed:
        return []
    a_start, a_end = changed[0][1], changed[-1][2]
    b_start, b_end = changed[0][3], changed[-1][4]
    return [f"- {_excerpt(before, a_start, a_end)}", f"+ {_excerpt(after, b_start, b_end)}"]


def unified(before: str, after: str) -> list[str]:
    """A short unified diff of two long strings: changed lines with one line of context
    (``  `` context, ``-`` old, ``+`` new), each cut to the part that changed."""
    old_lines, new_lines = before.splitlines() or [""], after.splitlines() or [""]
    if len(old_lines) == 1 and len(new_lines) == 1:
        return _line_diff(old_lines[0], new_lines[0])
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(1):
        if out:
            out.append("  …")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out.extend(f"  {shorten(line.strip(), _LINE_LIMIT)}" for line in old_lines[a1:a2])
            elif tag == "replace" and a2 - a1 == b2 - b1:
                for old_line, new_line in zip(old_lines[a1:a2], new_lines[b1:b2], strict=True):
                    out.extend(_line_diff(old_line.strip(), new_line.strip()))
            else:
                out.extend(f"- {shorten(line.strip(), _LINE_LIMIT)}" for line in old_lines[a1:a2])
                out.extend(f"+ {shorten(line.strip(), _LINE_LIMIT)}" for line in new_lines[b1:b2])
    if len(out) > _MAX_DIFF_LINES:
        rest = sum(1 for line in out[_MAX_DIFF_LINES:] if line[:1] in "-+")
        out = out[:_MAX_DIFF_LINES]
        if rest:
            out.append(f"  … {rest} more changed line(s)")
    return out


def describe_change(old: Any, new: Any, references: tuple[set[str], set[str]] | None = None) -> str:
    """``old → new`` for a Markdown cell; long values as a short diff of the changed part.

    ``references``: the names of what each side refers to, across stacks too. Default: the
    logical ids that ``Ref`` and ``Fn::GetAtt`` name."""
    if old is MISSING or new is MISSING:
        return f"{short(old)} → {short(new)}"
    before, after = render(old), render(new)
    if len(before) <= VALUE_LIMIT and len(after) <= VALUE_LIMIT and "\n" not in before + after:
        return f"{code(before)} → {code(after)}"
    old_refs, new_refs = references or (referenced(old), referenced(new))
    gone, came = old_refs - new_refs, new_refs - old_refs
    if gone or came:
        parts = []
        if came:
            parts.append("now refers to " + ", ".join(code(x) for x in sorted(came)))
        if gone:
            parts.append("no longer to " + ", ".join(code(x) for x in sorted(gone)))
        return "; ".join(parts)
    lines = unified(before, after)
    return "\n" + "\n".join(code(line) for line in lines)


def _atomic(value: Any) -> bool:
    return not isinstance(value, dict | list) or intrinsic(value) is not None


def leaf_changes(old: Any, new: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """``(dotted path, old, new)`` for each differing leaf; intrinsics count as leaves."""
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict) and not _atomic(old) and not _atomic(new):
        for key in sorted(set(old) | set(new), key=str):
            child = f"{path}.{key}" if path else str(key)
            yield from leaf_changes(old.get(key, MISSING), new.get(key, MISSING), child)
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from leaf_changes(a, b, f"{path}[{index}]")
        return
    yield path, old, new


def normalised(value: Any, types: Mapping[str, str], renamed: Mapping[str, str]) -> Any:
    """References replaced by the referenced resource's type, and the logical-id prefixes in
    ``renamed`` (old → new) substituted in strings, for rename detection."""
    call = intrinsic(value)
    if call is not None:
        name, argument = call
        if name == "Ref" and isinstance(argument, str) and argument in types:
            return {"Ref": f"<{types[argument]}>"}
        if name == "Fn::GetAtt":
            parts = get_att(argument)
            if parts is not None and parts[0] in types:
                return {"Fn::GetAtt": [f"<{types[parts[0]]}>", parts[1]]}
    if isinstance(value, dict):
        return {key: normalised(item, types, renamed) for key, item in value.items()}
    if isinstance(value, list):
        return [normalised(item, types, renamed) for item in value]
    if isinstance(value, str):
        for old, new in renamed.items():
            value = value.replace(old, new)
    return value


def _flatten(value: Any, path: str, out: dict[str, str]) -> None:
    if isinstance(value, dict) and not _atomic(value):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}", out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten(item, f"{path}[{index}]", out)
    else:
        out[path] = json.dumps(value, sort_keys=True)


def similarity(old: Mapping[str, Any], new: Mapping[str, Any]) -> float:
    """Share of identical leaves between two resources (1.0: the same properties)."""
    a: dict[str, str] = {}
    b: dict[str, str] = {}
    _flatten({k: old.get(k) for k in ("Properties", *ATTRIBUTES) if k in old}, "", a)
    _flatten({k: new.get(k) for k in ("Properties", *ATTRIBUTES) if k in new}, "", b)
    if not a and not b:
        return 1.0
    same = sum(1 for path in a.keys() & b.keys() if a[path] == b[path])
    return 2 * same / (len(a) + len(b))
