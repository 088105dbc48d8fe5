"""`kpilint graph` shows actuals against targets and marks off-track nodes and the T404
bottleneck (SPEC §10.2), in every format, through the real CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import REPO, TODAY, run_kpilint, write_files

TREE = """\
version: 1
kgis:
  - id: revenue
    name: Annual revenue
    unit: JPY
    baseline: 80000000
    target: 100000000
    deadline: 2027-03-31
    formula: 12 * leads * win-rate * deal-size
ksfs:
  - id: sell
    name: Sell more
    supports: revenue
kpis:
  - id: leads
    name: Leads per month
    supports: sell
    unit: count
    baseline: {value: 100, as_of: 2026-09-30}
    target: 200
    deadline: 2027-03-31
    actual: {value: 150, as_of: 2026-11-15}
  - id: win-rate
    name: Win rate
    supports: sell
    unit: percent
    target: 40
    actual: {value: 10, as_of: 2026-11-15}
  - id: deal-size
    name: Deal size
    supports: sell
    unit: JPY
    target: {min: 100000}
    actual: {value: 90000, as_of: 2026-11-15}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    config = f'today = "{TODAY}"\nselect = ["R", "T"]\n'
    return write_files(tmp_path, {"kpilint.toml": config, "a.kpi.yaml": TREE})


def graph(root: Path, form: str, *args: str) -> str:
    run = run_kpilint("graph", "--format", form, *args, cwd=root)
    assert (run.code, run.stderr) == (0, ""), run.stderr
    return run.stdout


def node_html(html: str, key: str) -> tuple[str, str]:
    """The classes of a node's ``<g>`` and its markup up to the next node."""
    match = re.search(rf'<g class="node (?P<classes>[^"]*)" id="node-{key}"(?P<body>.*?)'
                      r'(?=<g class="node |</g>\n</svg>)', html, re.S)
    assert match is not None, f"no node {key}"
    return match["classes"], match["body"]


def test_json_actuals_progress_and_marks(project: Path) -> None:
    nodes = {node["id"]: node for node in json.loads(graph(project, "json"))["nodes"]}
    marks = {key: (node["actual"], node["progress"], node["off_track"], node["bottleneck"])
             for key, node in nodes.items()}
    assert marks == {
        "revenue": (None, None, False, False),
        "sell": (None, None, False, False),
        # (150 - 100) / (200 - 100)
        "leads": ({"value": 150, "as_of": "2026-11-15"}, 0.5, False, False),
        # no baseline: 10 / 40
        "win-rate": ({"value": 10, "as_of": "2026-11-15"}, 0.25, False, False),
        # a band held or not: 90,000 is below {min: 100000}
        "deal-size": ({"value": 90000, "as_of": "2026-11-15"}, 0.0, True, False),
    }
    assert nodes["deal-size"]["target"] == {"min": 100000, "max": None}


def test_bottleneck_needs_a_formula_of_plain_targets(project: Path) -> None:
    text = TREE.replace("target: {min: 100000}", "target: 100000")
    (project / "a.kpi.yaml").write_text(text, encoding="utf-8")
    nodes = {node["id"]: node for node in json.loads(graph(project, "json"))["nodes"]}
    # T404: 12 * 150 * 10% * 90,000 = 16,200,000 JPY; win-rate is at 25% of its target
    assert [key for key, node in nodes.items() if node["bottleneck"]] == ["win-rate"]
    assert [node["off_track"] for node in nodes.values()] == [False] * 5
    mermaid = graph(project, "mermaid")
    assert ('  n_win_rate["Win rate<br/>KPI · lagging (inferred) · win-rate<br/>target 40%<br/>'
            'actual 10% on 2026-11-15 · 25% of the way<br/>⚑ bottleneck"]') in mermaid
    assert "  class n_win_rate bottleneck\n" in mermaid
    dot = graph(project, "dot")
    line = next(each for each in dot.splitlines() if each.startswith('  "win-rate" ['))
    assert '\\nactual 10% on 2026-11-15 · 25% of the way\\n⚑ bottleneck"' in line
    assert line.endswith('peripheries="2"];')
    html = graph(project, "html")
    assert node_html(html, "win-rate")[0] == "lagging bottleneck"


def test_off_track_in_every_format(project: Path) -> None:
    mermaid = graph(project, "mermaid")
    assert ('actual 90,000 JPY on 2026-11-15<br/>⚑ off track<br/>⚠ 1 finding, worst: warning"]'
            in mermaid)
    assert "  class n_deal_size offtrack\n" in mermaid
    html = graph(project, "html")
    classes, body = node_html(html, "deal-size")
    assert classes == "lagging sev-warning off-track"
    assert ('<g class="progress off-track"><rect class="track" x="11" y="84" width="226"'
            ' height="3" rx="1.5"/><rect class="fill" x="11" y="84" width="0.0" height="3"'
            ' rx="1.5"/></g><text class="actual" x="237" y="79">90,000 JPY</text>') in body
    leads = node_html(html, "leads")[1]
    assert '<rect class="fill" x="11" y="84" width="113.0"' in leads
    assert '<text class="actual" x="237" y="79">150 count (50%)</text>' in leads
    # an ignored R501 is no mark: the drawing follows the check run
    ignored = graph(project, "html", "--ignore", "R501")
    assert node_html(ignored, "deal-size")[0] == "lagging"


def test_examples_bad_marks_the_revenue_tree_bottleneck() -> None:
    run = run_kpilint("graph", "examples/bad", "--format", "json", cwd=REPO)
    nodes = {node["id"]: node for node in json.loads(run.stdout)["nodes"]}
    assert [key for key, node in nodes.items() if node["bottleneck"]] == ["deal-win-rate"]
    assert sorted(key for key, node in nodes.items() if node["off_track"]) == [
        "change-failure-rate", "incident-resolution-time"]
