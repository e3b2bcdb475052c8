"""Renamed resources: a removed and an added logical id of the same type with (nearly) the
same properties. Dependants follow their parent: once ``WebService…`` is paired with
``ApiService…``, a scaling policy ``WebServiceTaskCountTargetCpuScaling…`` is compared with the
old name's prefix replaced by the new one, in its logical id and in its string values."""

from __future__ import annotations

import difflib

from constructs_ecs.review._assembly import StackTemplate, short_name
from constructs_ecs.review._values import normalised, similarity

RENAME_SIMILARITY = 0.8
"""Share of identical leaves above which two resources of one type are a rename."""
DEPENDANT_SIMILARITY = 0.5
"""Enough for a resource whose logical id follows a renamed parent's."""
_ROUNDS = 4


def _types(stack: StackTemplate) -> dict[str, str]:
    return {logical_id: str(resource["Type"]) for logical_id, resource in stack.resources.items()}


def rename_prefixes(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """``{old short name: new short name}`` of the renames found so far, longest first."""
    found = {short_name(old): short_name(new) for old, new in pairs}
    found = {old: new for old, new in found.items() if old != new and len(old) >= 3}
    return dict(sorted(found.items(), key=lambda item: -len(item[0])))


def _follows(old_id: str, new_id: str, prefixes: dict[str, str]) -> bool:
    old_short, new_short = short_name(old_id), short_name(new_id)
    return any(
        old_short.startswith(old) and new + old_short[len(old) :] == new_short
        for old, new in prefixes.items()
    )


def find_renames(
    old: StackTemplate, new: StackTemplate, removed: set[str], added: set[str]
) -> list[tuple[str, str]]:
    """``(old logical id, new logical id)`` pairs among ``removed`` and ``added``."""
    old_types, new_types = _types(old), _types(new)
    pairs: list[tuple[str, str]] = []
    removed, added = set(removed), set(added)
    for _ in range(_ROUNDS):
        prefixes = rename_prefixes(pairs)
        candidates = []
        for old_id in removed:
            for new_id in added:
                if old_types[old_id] != new_types[new_id]:
                    continue
                score = similarity(
                    normalised(old.resources[old_id], old_types, prefixes),
                    normalised(new.resources[new_id], new_types, {}),
                )
                follows = _follows(old_id, new_id, prefixes)
                if score >= RENAME_SIMILARITY or (follows and score >= DEPENDANT_SIMILARITY):
                    name_score = difflib.SequenceMatcher(None, old_id, new_id).ratio()
                    candidates.append((not follows, -score, -name_score, old_id, new_id))
        found = []
        for *_, old_id, new_id in sorted(candidates):
            if old_id in removed and new_id in added:
                found.append((old_id, new_id))
                removed.discard(old_id)
                added.discard(new_id)
        if not found:
            break
        pairs.extend(found)
    return sorted(pairs)
