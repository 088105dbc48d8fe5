"""`kpilint graph` (SPEC §7): the KPI tree as Mermaid, DOT, JSON and a self-contained HTML page.

DOT is rendered with Graphviz's `dot` and the HTML page in headless Chromium; those tests skip
with the reason when the program is not installed (`.ci/run` installs both with apt-get).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from kpilint import cli
from kpilint.checker import CheckOptions, run_check
from kpilint.graph import ProjectGraph
from kpilint.tree import FORMATS, ProjectView, build_tree, display_width, renderer
from kpilint.tree.dot import quote
from kpilint.tree.html import wrap
from kpilint.tree.layout import NODE_H, NODE_W
from kpilint.tree.mermaid import escape
from tests.conftest import REPO, TODAY, run_kpilint, write_files

TINY: dict[str, str | bytes] = {
    "kpilint.toml": f'today = "{TODAY}"\nselect = ["E", "G"]\n',
    "goals.kpi.yaml": """
        version: 1
        kgis:
          - id: revenue
            name: Revenue "FY26"
            unit: USD
            target: 1000
            deadline: 2026-12-31
        ksfs:
          - id: grow
            name: Grow <leads>
            supports: revenue
        kpis:
          - id: leads
            name: Leads per month
            supports: grow
            indicator: leading
            unit: count
            target: 200
            deadline: 2026-12
            paired_with: win-rate
          - id: win-rate
            name: Win rate
            supports: grow
            indicator: lagging
            unit: percent
            target: 25
            deadline: 2026-Q4
          - id: orphan
            name: Orphan metric
        """,
}

TINY_MERMAID = """\
flowchart BT
  n_revenue["Revenue #quot;FY26#quot;<br/>KGI · revenue<br/>target 1,000 USD · by 2026-12-31"]
  n_grow["Grow #lt;leads#gt;<br/>KSF · grow"]
  n_leads["Leads per month<br/>KPI · leading · leads<br/>target 200 count · by 2026-12-31\
<br/>paired with win-rate"]
  n_win_rate["Win rate<br/>KPI · lagging · win-rate<br/>target 25% · by 2026-12-31\
<br/>paired with leads"]
  n_orphan["Orphan metric<br/>KPI · indicator? · orphan<br/>⚠ 1 finding, worst: error"]
  n_grow --> n_revenue
  n_leads --> n_grow
  n_win_rate --> n_grow
  classDef kgi fill:#1f3a5f,stroke:#1f3a5f,color:#ffffff
  classDef ksf fill:#e6eef8,stroke:#5b7ba3,color:#1f2328
  classDef leading fill:#e3f5e8,stroke:#2f8a4c,color:#1f2328
  classDef lagging fill:#f1e8fb,stroke:#8250df,color:#1f2328,stroke-dasharray:6 3
  classDef unknown fill:#ffffff,stroke:#8c959f,color:#1f2328,stroke-dasharray:2 3
  classDef error stroke:#d1242f,stroke-width:3px
  classDef warning stroke:#bf8700,stroke-width:3px
  classDef info stroke:#0969da,stroke-width:2px
  classDef offtrack stroke:#d1242f,stroke-width:3px,stroke-dasharray:8 3
  classDef bottleneck stroke:#bc4c00,stroke-width:5px
  class n_revenue kgi
  class n_grow ksf
  class n_leads leading
  class n_win_rate lagging
  class n_orphan unknown
  class n_orphan error
"""

HOSTILE_NAME = 'Q"1" <img src=x onerror=alert(1)> & back\\slash # | [x] {y} `z`'
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                  "--hide-scrollbars")
DOCS_PNG = REPO / "docs" / "kpi-tree.png"
DOCS_WINDOW = (1200, 760)


# --- helpers ---------------------------------------------------------------------------------

def _program(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(f"{names[0]} is not installed (CI installs it: `apt-get install -y graphviz"
                " chromium`, see .ci/run)")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on a local file, offline, with a throwaway profile."""
    binary = _program("chromium", "chromium-browser")
    profile = tmp_path / "chromium-profile"
    return subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, check=False)


class _Elements(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def elements(page: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(page)
    return parser.tags


def drawn_nodes(page: str) -> list[tuple[str, float, float]]:
    """(data-id, x, y) of each node group of an HTML page."""
    found = []
    for tag, attrs in elements(page):
        if tag == "g" and "node" in attrs.get("class", "").split() and "data-id" in attrs:
            match = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\)", attrs["transform"])
            assert match, attrs
            found.append((attrs["data-id"], float(match[1]), float(match[2])))
    return found


def svg_size(page: str) -> tuple[float, float, str]:
    for tag, attrs in elements(page):
        if tag == "svg" and "kpi-tree" in attrs.get("class", ""):
            return float(attrs["width"]), float(attrs["height"]), attrs["viewbox"]
    raise AssertionError("no svg.kpi-tree in the page")


def graph_json(*args: str, cwd: Path) -> dict[str, Any]:
    run = run_kpilint("graph", *args, "--format", "json", cwd=cwd)
    assert (run.code, run.stderr) == (0, "")
    return run.json()


DRAWN_CHECK = """
<script>
const frame = document.querySelector("svg.kpi-tree").getBoundingClientRect();
const report = {drawn: [], overflowing: []};
for (const node of document.querySelectorAll("g.node")) {
  const box = node.querySelector("rect.box").getBoundingClientRect();
  const name = node.querySelector("text.name");
  if (box.width > 100 && box.height > 40 && box.left >= frame.left - 1
      && box.right <= frame.right + 1 && box.top >= frame.top - 12
      && box.bottom <= frame.bottom + 1 && name.getComputedTextLength() > 0) {
    report.drawn.push(node.dataset.id);
  }
  for (const text of node.querySelectorAll("text:not(.badge text)")) {
    const bounds = text.getBoundingClientRect();
    if (bounds.right > box.right + 2) report.overflowing.push(node.dataset.id);
  }
}
const out = document.createElement("pre");
out.id = "drawn-report";
out.textContent = JSON.stringify(report);
document.body.appendChild(out);
</script>
"""


def chromium_report(page: str, tmp_path: Path) -> dict[str, list[str]]:
    """Load ``page`` in headless Chromium and report which nodes it drew (from the DOM)."""
    path = tmp_path / "tree-check.html"
    path.write_text(page.replace("</body>", DRAWN_CHECK + "</body>"), encoding="utf-8")
    result = chromium(tmp_path, "--window-size=1400,900", "--dump-dom", path.as_uri())
    match = re.search(r'<pre id="drawn-report">(.*?)</pre>', result.stdout, re.S)
    assert match, f"chromium printed no DOM: {result.stderr[-2000:]}"
    report: dict[str, list[str]] = json.loads(match.group(1).replace("&quot;", '"'))
    return report


def big_project(root: Path) -> list[str]:
    """4 KGIs x 5 KSFs x 9 KPIs, 10 KPIs straight on a KGI and 10 orphans: 200 KPIs."""
    ids: list[str] = []
    kgis, ksfs, kpis = [], [], []
    for goal in range(4):
        kgis.append(f"  - id: goal-{goal}\n    name: Goal number {goal} with a fairly long"
                    f" name\n    unit: USD\n    target: {1000 * (goal + 1)}\n"
                    "    deadline: 2027-03-31\n")
        ids.append(f"goal-{goal}")
        for factor in range(5):
            ksf = f"factor-{goal}-{factor}"
            ksfs.append(f"  - id: {ksf}\n    name: Success factor {goal}.{factor}\n"
                        f"    supports: goal-{goal}\n")
            ids.append(ksf)
            for metric in range(9):
                kpi = f"kpi-{goal}-{factor}-{metric}"
                also = f", factor-{goal}-{(factor + 1) % 5}" if metric == 0 else ""
                pair = f"\n    paired_with: kpi-{goal}-{factor}-{metric + 1}" if metric == 2 else ""
                kpis.append(f"  - id: {kpi}\n    name: Measured quantity {kpi} per calendar"
                            f" month across every region\n    supports: [{ksf}{also}]\n"
                            f"    indicator: {'leading' if metric % 2 else 'lagging'}\n"
                            f"    unit: count\n    target: {metric + 10}{pair}\n")
                ids.append(kpi)
    for index in range(10):
        kpis.append(f"  - id: direct-{index}\n    name: Direct KPI {index}\n"
                    "    supports: goal-0\n")
        kpis.append(f"  - id: loose-{index}\n    name: Loose KPI {index}\n")
        ids += [f"direct-{index}", f"loose-{index}"]
    write_files(root, {
        "kpilint.toml": f'today = "{TODAY}"\n',
        "big.kpi.yaml": "version: 1\nkgis:\n" + "".join(kgis) + "ksfs:\n" + "".join(ksfs)
                        + "kpis:\n" + "".join(kpis),
    })
    assert sum(1 for entity in ids if not entity.startswith(("goal", "factor"))) == 200
    return ids


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --- command line ----------------------------------------------------------------------------

def test_default_format_is_mermaid_and_exact(tmp_path: Path) -> None:
    write_files(tmp_path, TINY)
    run = run_kpilint("graph", cwd=tmp_path)
    assert (run.code, run.stderr) == (0, "")
    assert run.stdout == TINY_MERMAID
    assert run_kpilint("graph", "--format", "mermaid", cwd=tmp_path).stdout == TINY_MERMAID


def test_cli_choices_are_the_tree_formats() -> None:
    parser = cli.build_parser()
    run = parser.parse_args(["graph"])
    assert (run.format, run.output_file) == ("mermaid", None)
    for name in FORMATS:
        assert parser.parse_args(["graph", "--format", name]).format == name


@pytest.mark.parametrize("args", [["--format", "png"], ["no-such-dir"], ["--select", "Z9"]])
def test_usage_errors_are_one_line_exit_2(tmp_path: Path, args: list[str]) -> None:
    write_files(tmp_path, TINY)
    run = run_kpilint("graph", *args, cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr.startswith("kpilint: error: ") and run.stderr.count("\n") == 1
    assert "Traceback" not in run.stderr


def test_findings_do_not_fail_the_drawing(tmp_path: Path) -> None:
    run = run_kpilint("graph", "examples/bad", "--format", "dot", cwd=REPO)
    assert (run.code, run.stderr) == (0, "")
    assert run_kpilint("check", "examples/bad", cwd=REPO).code == 1


def test_output_file(tmp_path: Path) -> None:
    write_files(tmp_path, TINY)
    run = run_kpilint("graph", "--format", "html", "--output-file", "tree.html", cwd=tmp_path)
    assert (run.code, run.stdout, run.stderr) == (0, "", "")
    assert (tmp_path / "tree.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    run = run_kpilint("graph", "--output-file", "missing/tree.md", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr.startswith("kpilint: error: cannot write missing/tree.md")


def test_named_file_draws_the_tree_it_belongs_to(tmp_path: Path) -> None:
    everything = graph_json("examples/good", cwd=REPO)
    marketing = graph_json("examples/good/marketing.kpi.yaml", cwd=REPO)
    assert [node["id"] for node in marketing["nodes"]] == [
        node["id"] for node in everything["nodes"]]
    write_files(tmp_path, {**TINY, "other.kpi.yaml": """
        version: 1
        kgis:
          - id: unrelated
            name: Unrelated goal
        """})
    drawn = graph_json("goals.kpi.yaml", cwd=tmp_path)
    assert "unrelated" not in [node["id"] for node in drawn["nodes"]]
    assert "unrelated" in [node["id"] for node in graph_json(cwd=tmp_path)["nodes"]]


# --- formats ---------------------------------------------------------------------------------

def test_json_structure(tmp_path: Path) -> None:
    write_files(tmp_path, TINY)
    document = graph_json(cwd=tmp_path)
    assert document["summary"] == {"kgis": 1, "ksfs": 1, "kpis": 3, "edges": 4, "errors": 1,
                                   "warnings": 0, "infos": 0}
    nodes = {node["id"]: node for node in document["nodes"]}
    assert list(nodes) == ["revenue", "grow", "leads", "win-rate", "orphan"]
    assert nodes["leads"] == {
        "key": "leads", "id": "leads", "kind": "KPI", "name": "Leads per month", "target": 200,
        "unit": "count", "deadline": "2026-12-31", "indicator": "leading",
        "indicator_inferred": False, "primary": False, "project": ".",
        "path": "goals.kpi.yaml", "line": 13, "layer": 2, "order": 0,
        "findings": {"count": 0, "worst_severity": None, "diagnostics": []},
        "actual": None, "progress": None, "off_track": False, "bottleneck": False}
    assert (nodes["revenue"]["kind"], nodes["revenue"]["layer"], nodes["grow"]["layer"]) == (
        "KGI", 0, 1)
    assert nodes["grow"]["target"] is None
    orphan = nodes["orphan"]["findings"]
    assert (orphan["count"], orphan["worst_severity"]) == (1, "error")
    assert orphan["diagnostics"][0]["code"] == "G102"
    assert document["edges"] == [
        {"source": "grow", "target": "revenue", "kind": "supports"},
        {"source": "leads", "target": "grow", "kind": "supports"},
        {"source": "leads", "target": "win-rate", "kind": "paired_with"},
        {"source": "win-rate", "target": "grow", "kind": "supports"},
    ]


def test_json_findings_match_a_check_run_by_subject() -> None:
    document = graph_json("examples/bad", cwd=REPO)
    check = run_kpilint("check", "examples/bad", "--output-format", "json", cwd=REPO).json()
    by_subject: dict[str, int] = {}
    for diagnostic in check["diagnostics"]:
        if diagnostic["subject"]:
            by_subject[diagnostic["subject"]] = by_subject.get(diagnostic["subject"], 0) + 1
    nodes = document["nodes"]
    drawn = {node["id"]: node["findings"]["count"] for node in nodes
             if node["findings"]["count"]}
    others = document["other_findings"]["count"]
    assert sum(drawn.values()) + others == len(check["diagnostics"])
    assert all(by_subject[subject] == count for subject, count in drawn.items())
    summary = document["summary"]
    assert [summary[key] for key in ("errors", "warnings", "infos")] == [
        check["summary"][key] for key in ("errors", "warnings", "infos")]


def _formula_tree(tmp_path: Path) -> ProjectView:
    write_files(tmp_path, TINY)
    outcome = run_check(CheckOptions(), cwd=tmp_path)
    graph = ProjectGraph(loaded.spec for loaded in outcome.linters[0].files.values())
    graph.graph.add_edge("revenue", "leads", kind="formula")
    return ProjectView(".", graph)


def test_formula_edges_in_every_format(tmp_path: Path) -> None:
    tree = build_tree([_formula_tree(tmp_path)])
    assert "  n_leads -. formula .-> n_revenue\n" in renderer("mermaid")(tree)
    assert ('  "leads" -> "revenue" [style=dashed, color="#8250df", fontcolor="#8250df",'
            ' label="formula"];') in renderer("dot")(tree)
    edges = json.loads(renderer("json")(tree))["edges"]
    assert {"source": "revenue", "target": "leads", "kind": "formula"} in edges
    page = renderer("html")(tree)
    formula = [attrs for tag, attrs in elements(page)
               if tag == "path" and attrs.get("data-kind") == "formula"]
    assert [(attrs["data-source"], attrs["data-target"]) for attrs in formula] == [
        ("leads", "revenue")]


def test_formula_of_a_spec_is_drawn(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": f'today = "{TODAY}"\n', "f.kpi.yaml": """
        version: 1
        kgis:
          - id: revenue
            name: Revenue
            formula: leads * win-rate
        kpis:
          - id: leads
            name: Leads per month
            supports: revenue
          - id: win-rate
            name: Win rate
        """})
    edges = graph_json(cwd=tmp_path)["edges"]
    assert {"source": "revenue", "target": "win-rate", "kind": "formula"} in edges
    assert {"source": "leads", "target": "revenue", "kind": "supports"} in edges
    mermaid = run_kpilint("graph", cwd=tmp_path).stdout
    assert "  n_win_rate -. formula .-> n_revenue\n" in mermaid
    assert "  n_leads --> n_revenue\n" in mermaid


def test_mermaid_escapes_user_text(tmp_path: Path) -> None:
    assert escape('a "b" <c> & #d | [e] `f`\nnext') == (
        "a #quot;b#quot; #lt;c#gt; #amp; #35;d #124; #91;e#93; #96;f#96; next")
    write_files(tmp_path, {"kpilint.toml": f'today = "{TODAY}"\n', "x.kpi.yaml": f"""
        version: 1
        kgis:
          - id: end
            name: '{HOSTILE_NAME.replace("'", "''")}'
        """})
    text = run_kpilint("graph", cwd=tmp_path).stdout
    label = re.search(r'^  n_end\["(.*)"\]$', text, re.M)
    assert label, text
    assert not re.search(r'["<>&`|\[\]{}]', label.group(1).replace("<br/>", ""))


def test_dot_gives_each_node_one_color(tmp_path: Path) -> None:
    text = run_kpilint("graph", "examples/bad", "--format", "dot", cwd=REPO).stdout
    statements = re.findall(r'^  "[^"]+" \[label=.*\];$', text, re.M)
    assert len(statements) == len(graph_json("examples/bad", cwd=REPO)["nodes"])
    for statement in statements:
        attributes = re.findall(r'(?<![a-z])([a-z]+)=(?:"(?:[^"\\]|\\.)*"|\S+?)(?=[,\]])',
                                statement)
        assert attributes.count("color") == 1, statement
        assert len(attributes) == len(set(attributes)), statement
    flagged = [line for line in statements if "⚠" in line]
    assert flagged and all('penwidth="3"' in line for line in flagged)
    assert all(re.search(r'(?<![a-z])color="#(d1242f|bf8700|0969da)"', line) for line in flagged)


def test_dot_escapes_quotes_and_backslashes() -> None:
    assert quote('say "hi" \\n') == '"say \\"hi\\" \\\\n"'


def test_dot_renders_with_graphviz(tmp_path: Path) -> None:
    dot = _program("dot")
    write_files(tmp_path, {"kpilint.toml": f'today = "{TODAY}"\n', "x.kpi.yaml": f"""
        version: 1
        kgis:
          - id: hostile
            name: '{HOSTILE_NAME.replace("'", "''")}'
        kpis:
          - id: back.slash
            name: 'ends with a backslash \\'
            supports: hostile
        """})
    for cwd, args, ids in ((REPO, ["examples/bad"], None), (tmp_path, [], ["hostile",
                                                                            "back.slash"])):
        text = run_kpilint("graph", *args, "--format", "dot", cwd=cwd).stdout
        result = subprocess.run([dot, "-Tsvg"], input=text, capture_output=True, text=True,
                                timeout=120, check=False)
        assert (result.returncode, result.stderr) == (0, ""), text
        if ids is None:
            ids = [node["id"] for node in graph_json(*args, cwd=cwd)["nodes"]]
        titles = set(re.findall(r"<title>(.*?)</title>", result.stdout))
        assert {html.unescape(title) for title in titles} >= set(ids)


# --- HTML ------------------------------------------------------------------------------------

def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": f'today = "{TODAY}"\n', "x.kpi.yaml": f"""
        version: 1
        kgis:
          - id: hostile
            name: '{HOSTILE_NAME.replace("'", "''")}'
            source: https://example.com/report
        """})
    for cwd, args in ((tmp_path, []), (REPO, ["examples/bad"])):
        page = run_kpilint("graph", *args, "--format", "html", cwd=cwd).stdout
        tags = elements(page)
        names = {tag for tag, _ in tags}
        assert not names & {"script", "link", "img", "iframe", "object", "embed"}
        for _, attrs in tags:
            for name in ("src", "href", "xlink:href", "action"):
                assert attrs.get(name, "#").startswith("#"), attrs
            assert not any(value.startswith(("http:", "https:", "//"))
                           for value in attrs.values())
        assert "@import" not in page and "url(http" not in page
    assert "<img" not in page.replace("&lt;img", "")
    assert "onerror" not in " ".join(k for _, attrs in tags for k in attrs)


def test_html_has_every_node_and_the_findings_beside_the_tree() -> None:
    page = run_kpilint("graph", "examples/bad", "--format", "html", cwd=REPO).stdout
    document = graph_json("examples/bad", cwd=REPO)
    ids = [node["id"] for node in document["nodes"]]
    assert sorted(entity for entity, _, _ in drawn_nodes(page)) == sorted(ids)
    check = run_kpilint("check", "examples/bad", "--output-format", "json", cwd=REPO).json()
    items = [attrs for tag, attrs in elements(page)
             if tag == "li" and attrs.get("class") in ("error", "warning", "info")]
    assert len(items) == len(check["diagnostics"])
    assert f"<h2>Findings ({len(check['diagnostics'])})</h2>" in page
    assert 'class="badge error"' in page and 'class="node lagging' in page


def test_html_with_200_kpis_keeps_every_node_at_a_sane_size(tmp_path: Path) -> None:
    ids = big_project(tmp_path)
    run = run_kpilint("graph", "--format", "html", cwd=tmp_path)
    assert run.code == 0
    nodes = drawn_nodes(run.stdout)
    assert sorted(entity for entity, _, _ in nodes) == sorted(ids)
    width, height, view_box = svg_size(run.stdout)
    assert view_box == f"0 0 {width:g} {height:g}"  # drawn 1:1: text keeps its size
    assert 2000 < width <= 9000 and height <= 2000, (width, height)
    assert len(run.stdout) < 1_500_000
    boxes = sorted((x, y) for _, x, y in nodes)
    for index, (x, y) in enumerate(boxes):
        assert x >= 0 and x + NODE_W <= width and y >= 0 and y + NODE_H <= height
        for other_x, other_y in boxes[index + 1:]:
            if other_x >= x + NODE_W:
                break
            assert abs(other_y - y) >= NODE_H, f"boxes overlap at {(x, y)}"


def formula_project(root: Path) -> None:
    """A KGI whose formula takes KPIs from three KSFs, some standing under others in their
    column; one KPI also supports a second KSF. Names are long, one is Japanese."""
    kpis = "".join(
        f"  - id: kpi-{factor}-{row}\n    name: Measured quantity {factor}.{row} per calendar"
        f" month across every region and channel\n    supports: ksf-{factor}\n"
        for factor in range(3) for row in range(4))
    write_files(root, {"kpilint.toml": f'today = "{TODAY}"\n', "f.kpi.yaml": """\
version: 1
kgis:
  - id: revenue
    name: Annual recognised revenue for the whole company in fiscal 2026
    formula: kpi-0-3 * win-rate * kpi-2-2 * (kpi-2-0 + kpi-1-3)
ksfs:
""" + "".join(f"  - id: ksf-{factor}\n    name: 成功要因{factor} 見込み客の育成を強化する\n"
              "    supports: revenue\n" for factor in range(3)) + "kpis:\n" + kpis + """\
  - id: win-rate
    name: 商談の受注率「全チャネル・全地域の合計で月次に集計したもの」
    supports: ksf-1
  - id: also-kpi
    name: Supports two factors
    supports: [ksf-0, ksf-2]
"""})


def runs(path: str) -> list[tuple[float, float, float, float]]:
    """The straight runs (x1, y1, x2, y2) of an orthogonal SVG path (M, then H and V only)."""
    assert re.fullmatch(r"M[-\d.]+,[-\d.]+( [HV][-\d.]+)+", path), path
    x, y = (float(value) for value in path.split()[0][1:].split(","))
    found = []
    for step in path.split()[1:]:
        new_x, new_y = (float(step[1:]), y) if step[0] == "H" else (x, float(step[1:]))
        found.append((x, y, new_x, new_y))
        x, y = new_x, new_y
    return found


def crosses(run: tuple[float, float, float, float], x: float, y: float) -> bool:
    """Whether a horizontal or vertical run passes through the inside of the box at (x, y)."""
    left, right = sorted((run[0], run[2]))
    top, bottom = sorted((run[1], run[3]))
    return left < x + NODE_W and right > x and top < y + NODE_H and bottom > y and (
        left != right or x < left < x + NODE_W) and (top != bottom or y < top < y + NODE_H)


@pytest.mark.parametrize("where", ["formula", "examples/bad"])
def test_html_edges_run_between_boxes_not_under_them(tmp_path: Path, where: str) -> None:
    cwd = REPO if where == "examples/bad" else tmp_path
    if where == "formula":
        formula_project(tmp_path)
    page = run_kpilint("graph", *([where] if cwd == REPO else []), "--format", "html",
                       cwd=cwd).stdout
    boxes = {entity: (x, y) for entity, x, y in drawn_nodes(page)}
    routed = [attrs for tag, attrs in elements(page) if tag == "path" and "data-kind" in attrs
              and attrs["class"].startswith(("edge formula", "edge also"))]
    kinds = {attrs["data-kind"] for attrs in routed}
    assert kinds == ({"formula", "supports"} if where == "formula" else {"formula"})
    for attrs in routed:
        lower, upper = attrs["data-source"], attrs["data-target"]  # drawn up the tree
        path = runs(attrs["d"])
        assert path[-1][3] == boxes[upper][1] + NODE_H  # into the upper box's bottom
        assert boxes[upper][0] < path[-1][2] < boxes[upper][0] + NODE_W
        first_x, first_y = path[0][:2]
        lower_x, lower_y = boxes[lower]
        assert first_y == lower_y or first_x == lower_x + NODE_W  # out of its top or side
        for run in path:
            assert not [entity for entity, (x, y) in boxes.items() if crosses(run, x, y)], (
                attrs["d"])


def test_html_names_fit_their_box_and_the_page_has_japanese_fonts(tmp_path: Path) -> None:
    formula_project(tmp_path)
    page = run_kpilint("graph", "--format", "html", cwd=tmp_path).stdout
    stack = re.search(r"--font: ([^;]+);", page)
    assert stack is not None
    fonts = [font.strip() for font in stack[1].split(",")]
    assert {'"Noto Sans CJK JP"', '"Hiragino Sans"', '"Yu Gothic"', '"Meiryo"'} <= set(fonts)
    assert fonts[-1] == "sans-serif"
    assert "body { margin: 0; font: 14px/1.45 var(--font);" in page
    assert ".node text { font-family: var(--font);" in page
    node = page[page.index('data-id="win-rate"'):]
    node = node[:node.index("</g>")]
    assert re.findall(r'<text class="name" x="11" y="([\d.]+)">([^<]*)</text>', node) == [
        ("34", "商談の受注率「全チャネル・"), ("48.5", "全地域の合計で月次に集計し…")]
    assert "商談の受注率「全チャネル・全地域の合計で月次に集計したもの」" in node  # the title
    assert re.findall(r'<text class="(meta|id)" x="11" y="([\d.]+)">', node) == [
        ("meta", "65"), ("id", "82")]


@pytest.mark.parametrize(("text", "lines"), [
    ("Marketing qualified leads per month", ["Marketing qualified leads", "per month"]),
    ("Averagedealsizeinyenacrossallproductlines", ["Averagedealsizeinyenacrossa",
                                                  "llproductlines"]),
    ("Win rate 商談の受注率 of deals", ["Win rate 商談の受注率 of", "deals"]),
    ("月次の新規商談数「インバウンド経由、全地域」",
     ["月次の新規商談数「インバウ", "ンド経由、全地域」"]),
    ("", [""]),
])
def test_html_name_wrapping_counts_wide_characters_twice(text: str, lines: list[str]) -> None:
    assert wrap(text, 27) == lines
    assert all(display_width(line) <= 27 for line in lines)


def test_chromium_draws_every_node(tmp_path: Path) -> None:
    for cwd, args in ((REPO, ["examples/bad"]), (REPO, ["examples/good"])):
        page = run_kpilint("graph", *args, "--format", "html", cwd=cwd).stdout
        report = chromium_report(page, tmp_path)
        expected = sorted(entity for entity, _, _ in drawn_nodes(page))
        assert sorted(report["drawn"]) == expected
        assert report["overflowing"] == []


def test_chromium_draws_200_kpis(tmp_path: Path) -> None:
    ids = big_project(tmp_path / "project")
    page = run_kpilint("graph", "--format", "html", cwd=tmp_path / "project").stdout
    report = chromium_report(page, tmp_path)
    assert sorted(report["drawn"]) == sorted(ids)
    assert report["overflowing"] == []


# --- the picture in the README ---------------------------------------------------------------

def test_readme_and_guide_show_the_committed_picture() -> None:
    assert "](docs/kpi-tree.png)" in (REPO / "README.md").read_text(encoding="utf-8")
    assert "](kpi-tree.png)" in (REPO / "docs" / "kpi-tree.md").read_text(encoding="utf-8")
    assert png_size(DOCS_PNG) == DOCS_WINDOW


def test_docs_picture_is_the_html_of_examples_good(tmp_path: Path) -> None:
    """The guide's command makes a screenshot like the committed one (copy it to refresh)."""
    page = tmp_path / "kpi-tree.html"
    run = run_kpilint("graph", "examples/good", "--format", "html", "--output-file", str(page),
                      cwd=REPO)
    assert run.code == 0
    shot = tmp_path / "kpi-tree.png"
    result = chromium(tmp_path, f"--screenshot={shot}",
                      f"--window-size={DOCS_WINDOW[0]},{DOCS_WINDOW[1]}", page.as_uri())
    assert shot.is_file(), result.stderr[-2000:]
    assert png_size(shot) == png_size(DOCS_PNG) == DOCS_WINDOW
