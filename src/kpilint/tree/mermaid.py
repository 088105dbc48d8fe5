"""Mermaid flowchart text of the KPI tree, in the syntax GitHub renders (```mermaid blocks).

``flowchart BT`` puts KGIs on top with every arrow pointing up ("contributes to"): supports
edges as solid arrows, formula terms as dashed arrows labelled ``formula``. Pairings are written
in the KPI's label (an edge between two KPIs would push one of them up a layer). Classes style
the kinds, leading and lagging KPIs, the worst severity of each node's findings, and the off-track
and bottleneck marks (also written in the label, with the actual). User text is
quoted and escaped with Mermaid's entity codes, so no name can break the chart.
"""

from __future__ import annotations

import re

from kpilint.graph import SUPPORTS
from kpilint.tree import FORMULA, KpiTree, TreeNode

CLASSES = (
    ("kgi", "fill:#1f3a5f,stroke:#1f3a5f,color:#ffffff"),
    ("ksf", "fill:#e6eef8,stroke:#5b7ba3,color:#1f2328"),
    ("leading", "fill:#e3f5e8,stroke:#2f8a4c,color:#1f2328"),
    ("lagging", "fill:#f1e8fb,stroke:#8250df,color:#1f2328,stroke-dasharray:6 3"),
    ("unknown", "fill:#ffffff,stroke:#8c959f,color:#1f2328,stroke-dasharray:2 3"),
    ("error", "stroke:#d1242f,stroke-width:3px"),
    ("warning", "stroke:#bf8700,stroke-width:3px"),
    ("info", "stroke:#0969da,stroke-width:2px"),
    ("offtrack", "stroke:#d1242f,stroke-width:3px,stroke-dasharray:8 3"),
    ("bottleneck", "stroke:#bc4c00,stroke-width:5px"),
)
_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;",
             "`": "#96;", "|": "#124;", "[": "#91;", "]": "#93;", "{": "#123;", "}": "#125;"}
_SPECIAL = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")


def escape(text: str) -> str:
    """User text for a quoted Mermaid label: one line, special characters as entity codes."""
    return _SPECIAL.sub(lambda match: _ENTITIES[match.group()], " ".join(text.split()))


def node_ids(tree: KpiTree) -> dict[str, str]:
    """Mermaid ids: ``n_`` plus the key with other characters as ``_``, made unique."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for node in tree.nodes:
        base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", node.key)
        candidate, suffix = base, 2
        while candidate in used:
            candidate, suffix = f"{base}_{suffix}", suffix + 1
        used.add(candidate)
        ids[node.key] = candidate
    return ids


def label(node: TreeNode, partners: list[str]) -> str:
    lines = [escape(node.name), escape(f"{node.kind_line} · {node.id}")]
    facts = [text for text in (node.target_text, node.deadline_text) if text]
    if facts:
        lines.append(escape(" · ".join(facts)))
    lines += [escape(line) for line in node.progress_lines]
    if partners:
        lines.append(escape("paired with " + ", ".join(partners)))
    if node.findings_text:
        lines.append(escape(f"⚠ {node.findings_text}"))
    return "<br/>".join(lines)


def render(tree: KpiTree) -> str:
    ids = node_ids(tree)
    out = ["flowchart BT"]
    if not tree.nodes:
        out.append('  empty["no KGI, KSF or KPI found"]')
        return "\n".join(out) + "\n"
    partners: dict[str, list[str]] = {node.key: [] for node in tree.nodes}
    for first, second in tree.pairs():
        partners[first.key].append(second.id)
        partners[second.key].append(first.id)
    for node in tree.nodes:
        out.append(f'  {ids[node.key]}["{label(node, partners[node.key])}"]')
    for lower, upper, kind in tree.drawn_edges():
        if kind == SUPPORTS:
            arrow = "-->"
        elif kind == FORMULA:
            arrow = "-. formula .->"
        else:
            arrow = f"-. {escape(kind)} .->"
        out.append(f"  {ids[lower.key]} {arrow} {ids[upper.key]}")
    for name, style in CLASSES:
        out.append(f"  classDef {name} {style}")
    groups: dict[str, list[str]] = {}
    for node in tree.nodes:
        groups.setdefault(node.style, []).append(ids[node.key])
    for node in tree.nodes:
        if node.worst is not None:
            groups.setdefault(node.worst.label, []).append(ids[node.key])
        for mark in node.marks:
            groups.setdefault(mark.replace(" ", ""), []).append(ids[node.key])
    for name, _ in CLASSES:
        if name in groups:
            out.append(f"  class {','.join(groups[name])} {name}")
    return "\n".join(out) + "\n"
