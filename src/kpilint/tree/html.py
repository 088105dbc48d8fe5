"""One self-contained HTML page: the KPI tree as inline SVG, the findings listed beside it.

No script, no external resource, no URL: inline CSS and an inline ``<svg>`` drawn at full size
(one SVG unit per CSS pixel, the pane scrolls) from :mod:`kpilint.tree.layout`, so the text stays
readable however large the tree. Each node is a ``<g class="node" id="node-KEY" data-id="ID">``;
a node with findings links to its entry in the list, and each entry links back to the node. A node
with an actual shows it over a bar of its progress (red, and a dashed border, when off track);
the T404 bottleneck has a thick orange border. Every user string goes through :func:`html.escape`.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator

from kpilint.diagnostics import Severity, plural
from kpilint.graph import PAIRED_WITH, SUPPORTS
from kpilint.tree import FORMULA, Finding, KpiTree, TreeNode, clip, display_width, fitting
from kpilint.tree.layout import NODE_H, NODE_W, Box, Drawing, place

NAME_CHARS, NAME_LINES, META_CHARS = 27, 2, 40
SEVERITY_LETTER = {Severity.ERROR: "E", Severity.WARNING: "W", Severity.INFO: "I"}

CSS = """
:root { color-scheme: light; --error: #d1242f; --warning: #bf8700; --info: #0969da;
  --line: #8c959f; --text: #1f2328; --muted: #59636e;
  --font: system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Hiragino Kaku Gothic ProN",
    "Noto Sans CJK JP", "Noto Sans JP", "Yu Gothic", "Meiryo", "DejaVu Sans", Helvetica, Arial,
    sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 var(--font); color: var(--text); background: #f6f8fa;
  display: flex; flex-direction: column; height: 100vh; }
header { padding: 10px 20px; background: #fff; border-bottom: 1px solid #d1d9e0;
  display: flex; flex-wrap: wrap; align-items: center; gap: 6px 24px; }
header h1 { font-size: 18px; margin: 0; }
.summary { color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: var(--muted);
  margin: 0; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: 5px; }
.legend svg { flex: none; }
main { flex: 1; display: flex; min-height: 0; }
.tree { flex: 1; overflow: auto; min-width: 0; }
.tree svg { display: block; max-width: none; }
aside { width: 380px; flex: none; overflow: auto; background: #fff;
  border-left: 1px solid #d1d9e0; padding: 12px 16px; }
aside h2 { font-size: 15px; margin: 0 0 8px; }
aside h3 { font-size: 13px; margin: 14px 0 4px; }
aside h3 a { color: inherit; }
aside h3 .kind { color: var(--muted); font-weight: normal; }
aside ul { margin: 0; padding: 0; list-style: none; }
aside li { margin: 4px 0; padding: 4px 8px; border-left: 3px solid var(--line);
  background: #f6f8fa; font-size: 12.5px; }
aside li.error { border-color: var(--error); }
aside li.warning { border-color: var(--warning); }
aside li.info { border-color: var(--info); }
aside .where { display: block; color: var(--muted); font-size: 11.5px; }
aside .none { color: var(--muted); }
code { font: 12px ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
section:target, g.node:target rect.box { outline: 3px solid #0969da; }
.node rect.box { stroke-width: 1.5; }
.node text { font-family: var(--font); fill: var(--text); }
.node .kind { font-size: 10.5px; letter-spacing: .03em; fill: var(--muted); }
.node .name { font-size: 12.5px; font-weight: 600; }
.node .meta { font-size: 11px; }
.node .id { font: 10.5px ui-monospace, "DejaVu Sans Mono", Menlo, monospace; fill: var(--muted); }
.node.kgi rect.box { fill: #1f3a5f; stroke: #1f3a5f; }
.node.kgi text { fill: #fff; }
.node.kgi .kind, .node.kgi .id { fill: #c8d6e8; }
.node.ksf rect.box { fill: #e6eef8; stroke: #5b7ba3; }
.node.leading rect.box { fill: #e3f5e8; stroke: #2f8a4c; }
.node.lagging rect.box { fill: #f1e8fb; stroke: #8250df; stroke-dasharray: 6 3; }
.node.unknown rect.box { fill: #fff; stroke: #8c959f; stroke-dasharray: 2 3; }
.node.sev-error rect.box { stroke: var(--error); stroke-width: 3; }
.node.sev-warning rect.box { stroke: var(--warning); stroke-width: 3; }
.node.sev-info rect.box { stroke: var(--info); stroke-width: 2.5; }
.badge rect { stroke: #fff; stroke-width: 1.5; }
.badge text { fill: #fff; font-size: 11px; font-weight: 700; text-anchor: middle; }
.badge.error rect { fill: var(--error); }
.badge.warning rect { fill: var(--warning); }
.badge.info rect { fill: var(--info); }
.edge { fill: none; stroke: var(--line); stroke-width: 1.5; }
.edge.also { stroke: #57606a; stroke-width: 1.2; }
.edge.formula { stroke: #8250df; stroke-width: 1.4; stroke-dasharray: 7 4; }
.edge.paired { stroke: #1a7f64; stroke-width: 1.4; stroke-dasharray: 2 3; }
.arrow { fill: #57606a; }
.arrow.formula { fill: #8250df; }
.node .actual { font-size: 10.5px; font-weight: 600; text-anchor: end; }
.node.kgi .actual { fill: #fff; }
.progress .track { fill: #d1d9e0; }
.progress .fill { fill: #2f8a4c; }
.progress.off-track .fill, .progress.off-track .track { fill: var(--error); }
.node.off-track .actual { fill: var(--error); }
.node.kgi.off-track .actual { fill: #ffb3b3; }
.node.off-track rect.box { stroke-dasharray: 8 3; }
.node.bottleneck rect.box { stroke: #bc4c00; stroke-width: 4.5; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def name_lines(name: str) -> list[str]:
    """The name wrapped to at most two lines, the last cut with an ellipsis (the node's title
    holds it in full)."""
    lines = wrap(name, NAME_CHARS)
    if len(lines) > NAME_LINES:
        lines = [*lines[:NAME_LINES - 1], clip(" ".join(lines[NAME_LINES - 1:]), NAME_CHARS)]
    return lines


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines at most ``width`` columns wide (:func:`display_width`), broken at
    spaces and between wide characters (Japanese has no spaces), and inside a word too long
    for a line."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        for index, chunk in enumerate(_pieces(word)):
            joined = f"{line} {chunk}" if line and index == 0 else line + chunk
            if display_width(joined) <= width:
                line = joined
                continue
            if line:
                lines.append(line)
            line = chunk
            while display_width(line) > width:
                head = fitting(line, width)
                lines.append(head)
                line = line[len(head):]
    return [*lines, line] if line or not lines else lines


def _pieces(word: str) -> Iterator[str]:
    """A word cut where a line may break: around each wide character."""
    for wide, chars in itertools.groupby(word, key=lambda char: display_width(char) == 2):
        run = "".join(chars)
        yield from run if wide else [run]


def meta_line(node: TreeNode, supporters: int) -> str:
    if node.kind == "KSF":
        return f"supported by {plural(supporters, 'KPI')}"
    facts = [node.target_text or ("no target" if node.kind != "KGI" or node.unit else
                                  "no target, no unit"),
             node.deadline_text or "no deadline"]
    return clip(" · ".join(facts), META_CHARS)


def progress_svg(node: TreeNode) -> str:
    """The actual at the bottom right, over a bar of the share of the way to the target."""
    progress = node.progress
    if node.actual_short is None or progress is None:
        return ""
    width = NODE_W - 22
    state = " off-track" if node.off_track else ""
    return (f'<g class="progress{state}"><rect class="track" x="11" y="{NODE_H - 6:g}"'
            f' width="{width:g}" height="3" rx="1.5"/><rect class="fill" x="11"'
            f' y="{NODE_H - 6:g}" width="{width * progress:.1f}" height="3" rx="1.5"/></g>'
            f'<text class="actual" x="{NODE_W - 11:g}" y="{NODE_H - 11:g}">'
            f"{_e(clip(node.actual_short, 22))}</text>")


def node_svg(node: TreeNode, box: Box, supporters: int) -> str:
    worst = node.worst
    classes = f"node {node.style}" + (f" sev-{worst.label}" if worst else "") + "".join(
        f" {mark.replace(' ', '-')}" for mark in node.marks)
    tooltip = [f"{node.kind} {node.id}: {node.name}", node.kind_line,
               meta_line(node, supporters), *node.progress_lines, f"{node.path}:{node.line}"]
    tooltip += [f"{finding.code} [{finding.severity.label}] {finding.message}"
                for finding in node.findings]
    parts = [
        f'<g class="{classes}" id="node-{_e(node.key)}" data-id="{_e(node.id)}"'
        f' data-kind="{node.kind}" transform="translate({box.x:g},{box.y:g})">',
        f"<title>{_e(chr(10).join(tooltip))}</title>",
        f'<rect class="box" width="{NODE_W:g}" height="{NODE_H:g}" rx="7"/>',
        f'<text class="kind" x="11" y="17">{_e(clip(node.kind_line.upper(), 36))}</text>',
    ]
    lines = name_lines(node.name)
    for index, line in enumerate(lines):
        parts.append(f'<text class="name" x="11" y="{34 + 14.5 * index:g}">{_e(line)}</text>')
    parts.append(f'<text class="meta" x="11" y="{65 if len(lines) > 1 else 54}">'
                 f"{_e(meta_line(node, supporters))}</text>")
    actual_chars = display_width(clip(node.actual_short, 22)) if node.actual_short else 0
    id_chars = 34 if not actual_chars else max(8, 34 - actual_chars - 3)  # beside the actual
    parts.append(f'<text class="id" x="11" y="{NODE_H - 8:g}">{_e(clip(node.id, id_chars))}</text>')
    parts.append(progress_svg(node))
    if worst is not None:
        count = str(len(node.findings))
        width = 12 + 7 * len(count)
        parts.append(
            f'<a href="#findings-{_e(node.key)}" class="badge {worst.label}">'
            f"<title>{_e(node.findings_text or '')}</title>"
            f'<rect x="{NODE_W - width / 2 - 8:g}" y="-9" width="{width}" height="18"'
            f' rx="9"/><text x="{NODE_W - 8:g}" y="4">{count}</text></a>')
    parts.append("</g>")
    return "".join(parts)


def edge_svg(path: str, kind: str, source: str, target: str, tree_line: bool) -> str:
    if kind == PAIRED_WITH:
        classes, marker = "edge paired", ""
    elif kind == FORMULA:
        classes, marker = "edge formula", ' marker-end="url(#arrow-formula)"'
    elif tree_line:
        classes, marker = "edge", ""
    else:
        classes, marker = f"edge also {_e(kind)}" if kind != SUPPORTS else "edge also", (
            ' marker-end="url(#arrow)"')
    return (f'<path class="{classes}" d="{path}" data-kind="{_e(kind)}"'
            f' data-source="{_e(source)}" data-target="{_e(target)}"{marker}/>')


def svg(tree: KpiTree, drawing: Drawing) -> str:
    supporters = {node.key: 0 for node in tree.nodes}
    for edge in tree.edges_of(SUPPORTS):
        if tree.by_key[edge.source].kind == "KPI":
            supporters[edge.target] += 1
    width, height = max(drawing.width, 320), max(drawing.height, 120)
    out = [
        f'<svg class="kpi-tree" width="{width:g}" height="{height:g}"'
        f' viewBox="0 0 {width:g} {height:g}" role="img" aria-label="KPI tree">',
        "<defs>",
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"'
        ' markerHeight="7" orient="auto-start-reverse"><path class="arrow" d="M0,0 L10,5 L0,10'
        ' z"/></marker>',
        '<marker id="arrow-formula" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"'
        ' markerHeight="7" orient="auto-start-reverse"><path class="arrow formula"'
        ' d="M0,0 L10,5 L0,10 z"/></marker>',
        "</defs>",
        '<g class="edges">',
        *(edge_svg(line.path, line.kind, line.source, line.target, line.tree_line)
          for line in drawing.lines),
        "</g>",
        '<g class="nodes">',
        *(node_svg(node, drawing.boxes[node.key], supporters[node.key]) for node in tree.nodes),
        "</g>",
    ]
    if not tree.nodes:
        out.append('<text x="24" y="40">No KGI, KSF or KPI found.</text>')
    out.append("</svg>")
    return "\n".join(out)


def finding_item(finding: Finding) -> str:
    return (f'<li class="{finding.severity.label}"><code>{_e(finding.code)}</code>'
            f" [{finding.severity.label}] {_e(finding.message)}"
            f'<span class="where">{_e(finding.where)}</span></li>')


def findings_panel(tree: KpiTree) -> str:
    total = sum(len(node.findings) for node in tree.nodes) + len(tree.other_findings)
    out = [f"<h2>Findings ({total})</h2>"]
    if not total:
        out.append('<p class="none">No findings: every drawn entity passes the check.</p>')
    for node in tree.nodes:
        if not node.findings:
            continue
        out.append(f'<section id="findings-{_e(node.key)}"><h3>'
                   f'<a href="#node-{_e(node.key)}"><span class="kind">{node.kind}</span>'
                   f" {_e(node.id)}</a></h3><ul>")
        out.extend(finding_item(finding) for finding in node.findings)
        out.append("</ul></section>")
    if tree.other_findings:
        out.append('<section id="findings-other"><h3>Not about a drawn entity</h3><ul>')
        out.extend(finding_item(finding) for finding in tree.other_findings)
        out.append("</ul></section>")
    return "\n".join(out)


def _swatch(css_class: str, text: str) -> str:
    return (f'<li><svg width="26" height="14" aria-hidden="true"><g class="node {css_class}">'
            f'<rect class="box" x="1" y="1" width="24" height="12" rx="3"/></g></svg>'
            f"{text}</li>")


def _line_key(css_class: str, text: str) -> str:
    return (f'<li><svg width="30" height="10" aria-hidden="true"><path class="{css_class}"'
            f' d="M1,5 H29"/></svg>{text}</li>')


LEGEND = "".join([
    _swatch("kgi", "KGI"), _swatch("ksf", "KSF"), _swatch("leading", "leading KPI"),
    _swatch("lagging", "lagging KPI"), _swatch("unknown", "indicator unknown"),
    _swatch("ksf sev-error", "has errors"), _swatch("ksf sev-warning", "has warnings"),
    _swatch("ksf off-track", "off track (R501)"), _swatch("ksf bottleneck", "bottleneck (T404)"),
    _line_key("edge", "supports"), _line_key("edge formula", "formula term"),
    _line_key("edge paired", "paired with"),
])


def render(tree: KpiTree) -> str:
    counts = tree.counts()

    summary = (f"{plural(counts['KGI'], 'KGI')} · {plural(counts['KSF'], 'KSF')} ·"
               f" {plural(counts['KPI'], 'KPI')} — {plural(counts['error'], 'error')},"
               f" {plural(counts['warning'], 'warning')}, {plural(counts['info'], 'info')}")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>KPI tree — kpilint</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>KPI tree</h1>",
        f'<span class="summary">{_e(summary)}</span>',
        f'<ul class="legend">{LEGEND}</ul>',
        "</header>",
        "<main>",
        f'<div class="tree">\n{svg(tree, place(tree))}\n</div>',
        f'<aside class="findings">\n{findings_panel(tree)}\n</aside>',
        "</main>",
        "</body>",
        "</html>",
    ]) + "\n"
