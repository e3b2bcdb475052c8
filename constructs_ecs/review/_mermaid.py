"""A small, conservative Mermaid ``flowchart`` writer that GitHub renders.

Node ids are ``[A-Za-z][A-Za-z0-9_]*`` with a prefix (so never a keyword such as ``end``),
labels are always quoted with every character that means something to Mermaid, Markdown or
HTML written as a ``#NN;`` entity code, and lines break with ``<br/>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_ENTITY = set('"#&<>|`\\')
_SHAPES = {
    "rect": ('["', '"]'),
    "round": ('("', '")'),
    "stadium": ('(["', '"])'),
    "circle": ('(("', '"))'),
    "hexagon": ('{{"', '"}}'),
    "parallelogram": ('[/"', '"/]'),
    "cylinder": ('[("', '")]'),
    "subroutine": ('[["', '"]]'),
}
CLASS_STYLES = {
    "added": "fill:#dafbe1,stroke:#1a7f37,stroke-width:2px",
    "changed": "fill:#fff8c5,stroke:#9a6700,stroke-width:2px",
    "replaced": "fill:#ffebe9,stroke:#cf222e,stroke-width:3px",
}
MAX_LINE = 60
CROSS_STACK = "cross-stack"
"""Label added to arrows between nodes of two stacks (thick when solid)."""


def escape(text: str) -> str:
    """``text`` safe inside a quoted Mermaid label, on one line."""
    text = " ".join(str(text).split())
    if len(text) > MAX_LINE:
        text = text[: MAX_LINE - 1] + "…"
    return "".join(f"#{ord(char)};" if char in _ENTITY else char for char in text)


def label(lines: Iterable[str]) -> str:
    """Escaped lines joined with ``<br/>``."""
    return "<br/>".join(escape(line) for line in lines if line)


@dataclass
class _Node:
    node_id: str
    lines: tuple[str, ...]
    shape: str
    group: str | None
    rank: int
    css_class: str | None = None


@dataclass
class Flowchart:
    """Nodes (optionally grouped in subgraphs) and edges, rendered in a stable order."""

    direction: str = "LR"
    _nodes: dict[str, _Node] = field(default_factory=dict)
    _ids: dict[str, str] = field(default_factory=dict)
    _edges: dict[tuple[str, str, bool], list[str]] = field(default_factory=dict)
    _groups: dict[str, str] = field(default_factory=dict)  # insertion-ordered set

    def has(self, key: str) -> bool:
        return key in self._ids

    def id_of(self, key: str) -> str:
        return self._ids[key]

    def node(
        self,
        key: str,
        lines: Sequence[str],
        *,
        shape: str = "rect",
        group: str | None = None,
        rank: int = 0,
    ) -> str:
        """Add (once) the node for ``key``; return its Mermaid id."""
        if key in self._ids:
            return self._ids[key]
        base = "n_" + _UNSAFE.sub("_", key).strip("_")
        node_id, suffix = base, 2
        while node_id in self._nodes:
            node_id, suffix = f"{base}_{suffix}", suffix + 1
        self._ids[key] = node_id
        self._nodes[node_id] = _Node(node_id, tuple(lines), shape, group, rank)
        if group is not None and group not in self._groups:
            self._groups[group] = ""
        return node_id

    def mark(self, key: str, css_class: str) -> None:
        """Style the node for ``key`` with one of ``CLASS_STYLES``."""
        if key in self._ids and css_class in CLASS_STYLES:
            self._nodes[self._ids[key]].css_class = css_class

    def edge(self, source: str, target: str, text: str = "", *, dotted: bool = False) -> None:
        """An arrow between two node ids; labels of parallel arrows are merged."""
        labels = self._edges.setdefault((source, target, dotted), [])
        if text and text not in labels:
            labels.append(text)

    @property
    def empty(self) -> bool:
        return not self._nodes

    def _node_line(self, node: _Node) -> str:
        opening, closing = _SHAPES.get(node.shape, _SHAPES["rect"])
        return f"{node.node_id}{opening}{label(node.lines)}{closing}"

    def render(self) -> str:
        lines = [f"flowchart {self.direction}"]
        order = sorted(self._nodes.values(), key=lambda n: (n.rank, n.lines, n.node_id))
        for node in order:
            if node.group is None:
                lines.append(f"  {self._node_line(node)}")
        group_ids: set[str] = set()
        for group in sorted(self._groups):
            group_id, suffix = "s_" + _UNSAFE.sub("_", group), 2
            while group_id in group_ids or group_id in self._nodes:
                group_id, suffix = f"s_{_UNSAFE.sub('_', group)}_{suffix}", suffix + 1
            group_ids.add(group_id)
            lines.append(f'  subgraph {group_id}["{escape(group)}"]')
            for node in order:
                if node.group == group:
                    lines.append(f"    {self._node_line(node)}")
            lines.append("  end")
        for (source, target, dotted), texts in sorted(self._edges.items()):
            arrow = "-.->" if dotted else "-->"
            ends = (self._nodes[source].group, self._nodes[target].group)
            if None not in ends and ends[0] != ends[1]:
                # Across stacks: a cross-stack reference (export, Fn::GetStackOutput, SSM).
                arrow = "-.->" if dotted else "==>"
                texts = [*texts, CROSS_STACK]
            if texts:
                text = "<br/>".join(escape(t) for t in sorted(texts))
                lines.append(f'  {source} {arrow}|"{text}"| {target}')
            else:
                lines.append(f"  {source} {arrow} {target}")
        used = sorted({n.css_class for n in self._nodes.values() if n.css_class})
        for css_class in used:
            lines.append(f"  classDef {css_class} {CLASS_STYLES[css_class]}")
            members = sorted(n.node_id for n in self._nodes.values() if n.css_class == css_class)
            lines.append(f"  class {','.join(members)} {css_class}")
        return "\n".join(lines)
