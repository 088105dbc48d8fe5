"""Graphviz DOT of the KPI tree (``dot -Tsvg tree.dot > tree.svg``).

``rankdir=BT`` with one ``rank=same`` group per layer keeps KGIs on top, KSFs in the middle and
KPIs at the bottom; every arrow points up ("contributes to"): supports solid, formula terms dashed.
Pairings are dotted lines without arrows that do not constrain the ranks. Node fill and border
show the kind and leading/lagging, a thick coloured border the worst severity of the node's
findings; the label carries the actual and the off-track and bottleneck marks, and a bottleneck
node has a double border. Every string is quoted with quotes and backslashes escaped.
"""

from __future__ import annotations

from kpilint.graph import SUPPORTS
from kpilint.tree import FORMULA, KpiTree, TreeNode

FONT = "Helvetica,Arial,sans-serif"
STYLES: dict[str, dict[str, str]] = {
    "kgi": {"fillcolor": "#1f3a5f", "color": "#1f3a5f", "fontcolor": "#ffffff",
            "style": "rounded,filled"},
    "ksf": {"fillcolor": "#e6eef8", "color": "#5b7ba3", "style": "rounded,filled"},
    "leading": {"fillcolor": "#e3f5e8", "color": "#2f8a4c", "style": "rounded,filled"},
    "lagging": {"fillcolor": "#f1e8fb", "color": "#8250df", "style": "rounded,filled,dashed"},
    "unknown": {"fillcolor": "#ffffff", "color": "#8c959f", "style": "rounded,filled,dotted"},
}
SEVERITY_COLORS = {"error": "#d1242f", "warning": "#bf8700", "info": "#0969da"}


def quote(text: str) -> str:
    """A DOT double-quoted string of ``text``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def one_line(text: str) -> str:
    return " ".join(text.split())


def label(node: TreeNode) -> str:
    """The node's lines joined with DOT's centred line break (added after escaping)."""
    lines = [f"{node.kind_line} · {node.id}", node.name]
    facts = [text for text in (node.target_text, node.deadline_text) if text]
    if facts:
        lines.append(" · ".join(facts))
    lines += node.progress_lines
    if node.findings_text:
        lines.append(f"⚠ {node.findings_text}")
    escaped = [quote(one_line(line))[1:-1] for line in lines]
    return '"' + "\\n".join(escaped) + '"'


def attributes(node: TreeNode) -> str:
    """Each attribute once: the worst finding's colour replaces the kind's border colour."""
    style = dict(STYLES[node.style])
    if node.worst is not None:
        style.update(color=SEVERITY_COLORS[node.worst.label], penwidth="3")
    if node.bottleneck:
        style["peripheries"] = "2"
    return ", ".join([f"label={label(node)}",
                      *(f"{key}={quote(value)}" for key, value in style.items())])


def render(tree: KpiTree) -> str:
    out = [
        "digraph kpi_tree {",
        f'  graph [rankdir=BT, nodesep=0.3, ranksep=0.6, fontname="{FONT}"];',
        f'  node [shape=box, fontname="{FONT}", fontsize=10, margin="0.15,0.08"];',
        f'  edge [color="#57606a", arrowsize=0.7, fontname="{FONT}", fontsize=9];',
    ]
    for layer in tree.layers:
        out.append("  { rank=same; " + " ".join(f"{quote(node.key)};" for node in layer) + " }")
    for node in tree.nodes:
        out.append(f"  {quote(node.key)} [{attributes(node)}];")
    for lower, upper, kind in tree.drawn_edges():
        edge = f"  {quote(lower.key)} -> {quote(upper.key)}"
        if kind == FORMULA:
            edge += ' [style=dashed, color="#8250df", fontcolor="#8250df", label="formula"]'
        elif kind != SUPPORTS:
            edge += f" [style=dashed, label={quote(kind)}]"
        out.append(edge + ";")
    for first, second in tree.pairs():
        out.append(f"  {quote(first.key)} -> {quote(second.key)} [dir=none, style=dotted,"
                   ' color="#1a7f64", constraint=false, label="paired", fontcolor="#1a7f64"];')
    out.append("}")
    return "\n".join(out) + "\n"
