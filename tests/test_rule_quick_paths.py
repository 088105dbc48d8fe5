"""The rules' quick paths against plain computations of the same answers: P302's partners merged
by place from the KPI facts (rates taken for quality at once), G105's search that stops at the
first leading KPI, S204's circular test that counts words before comparing sets, and names
matched once per rule (P301, P306, S213)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kpilint.build import EntityRecord, build_spec_file
from kpilint.checks import Memo
from kpilint.graph import ProjectGraph
from kpilint.lexicon import words
from kpilint.limits import Limits
from kpilint.load import parse_bytes
from kpilint.model import Kpi
from kpilint.rule import Context
from kpilint.rules.g105_lagging_only import LaggingOnly
from kpilint.rules.p301_vanity_metric import VanityMetric
from kpilint.rules.p302_unpaired_volume import QualityIndex, UnpairedVolume, measures_quality
from kpilint.rules.p306_uncontrollable_kpi import UncontrollableKpi
from kpilint.rules.s213_vague_name import VagueName
from kpilint.wording import _definition_words, definition_flaws, is_volume
from tests.test_graph_quick_paths import _yaml, spec_files

PATHS = ["b.kpi.yaml", "a.kpi.yaml", "a/c.kpi.yaml"]
UNITS = [None, "count", "percent", "ratio", "score", "hours", "leads", "USD", "tickets per agent"]
NAMES = ["Entity", "Win rate", "Number of demos", "Revenue", "Qualified pipeline", "Churn"]
INDICATORS = [None, "leading", "lagging"]
CONTEXT = Context(today=datetime.date(2026, 12, 7))

KGIS, KSFS, KPIS = ["g0", "g1", "g2"], ["s0", "s1", "s2"], [f"k{index}" for index in range(9)]
supports = st.one_of(st.sampled_from([*KGIS, *KSFS]),
                     st.lists(st.sampled_from([*KGIS, *KSFS, "nowhere"]), max_size=3))
paired_with = st.sampled_from([None, None, None, "k6", "k7", "k8", "nowhere"])
entity = st.tuples(st.sampled_from(range(len(PATHS))), supports, paired_with,
                   st.sampled_from(UNITS), st.sampled_from(INDICATORS), st.sampled_from(NAMES))
project = st.fixed_dictionaries({
    section: st.lists(st.tuples(st.sampled_from(ids), entity), min_size=size, max_size=12)
    for section, ids, size in [("kgis", KGIS, 1), ("ksfs", KSFS, 0), ("kpis", KPIS, 6)]})


def _fields(section: str, drawn: tuple[Any, ...]) -> list[str]:
    """`supports` (not a KGI's), and a KPI's `paired_with`, unit, indicator and a second name
    (the last name written wins)."""
    _, supports, paired, unit, indicator, name = drawn
    lines = [] if supports is None or section == "kgis" else [f"    supports: {_yaml(supports)}"]
    if section == "kpis":
        lines += [] if paired is None else [f"    paired_with: {_yaml(paired)}"]
        lines += [] if unit is None else [f"    unit: {unit}"]
        lines += [] if indicator is None else [f"    indicator: {indicator}"]
        lines.append(f"    name: {name}")
    return lines


def _graph(drawn: dict[str, Any]) -> ProjectGraph:
    graph = ProjectGraph()
    graph.load_all(((f"{index}",), spec) for index, spec
                   in enumerate(spec_files(drawn, PATHS, _fields)))
    return graph


def _plain_partners(graph: ProjectGraph, kpi: EntityRecord[Kpi]) -> list[str]:
    """Quality KPIs sharing one of the KPI's targets, else one of its KGIs; not yet paired ones
    first, then in project order; at most three, never itself."""
    quality = [other for other in graph.kpis if measures_quality(other.model)]
    own = set(kpi.model.supports or [])
    near = [other for other in quality if own & set(other.model.supports or [])]
    if not near:
        goals = set(graph.kgis_reached.ids(kpi.id))
        near = [other for other in quality if goals & set(graph.kgis_reached.ids(other.id))]
    near.sort(key=lambda other: other.id in graph.paired)  # stable: project order within
    return [other.id for other in near if other.id != kpi.id][:3]


@settings(max_examples=300, deadline=None)
@given(project)
def test_p302_volume_kpis_and_partners_match_a_plain_search(drawn: dict[str, Any]) -> None:
    graph = _graph(drawn)
    volume = [kpi for kpi in graph.kpis
              if is_volume(kpi.model.name, kpi.model.unit) and kpi.id not in graph.paired
              and not kpi.model.paired_with and "paired_with" not in kpi.invalid]
    index = QualityIndex(graph)
    assert index.unpaired_volume == volume
    for kpi in volume:
        assert [other.id for other in index.partners(kpi)] == _plain_partners(graph, kpi)
    findings = list(UnpairedVolume().check(graph, CONTEXT))
    assert [finding.subject for finding in findings] == [kpi.id for kpi in volume]
    for finding, kpi in zip(findings, volume, strict=True):
        assert [related.message for related in finding.related] == [
            f"KPI '{other}' could pair with it" for other in _plain_partners(graph, kpi)]


@settings(max_examples=150, deadline=None)
@given(project)
def test_g105_matches_every_kpis_indicator_looked_at(drawn: dict[str, Any]) -> None:
    graph = _graph(drawn)
    rule = LaggingOnly()
    for kgi in graph.kgis:
        kpis = graph.kpis_reaching[kgi.id]
        indicators = [rule.indicator(kpi.model) for kpi in kpis]
        lagging = [kpi.id for kpi, indicator in zip(kpis, indicators, strict=True)
                   if indicator == "lagging"]
        findings = list(rule.check_unit(graph, kgi, CONTEXT))
        if not lagging or "leading" in indicators:
            assert findings == []
        else:
            [finding] = findings
            assert finding.subject == kgi.id
            assert f"({len(lagging)})" in finding.message
            assert [related.message for related in finding.related] == [
                f"KPI '{kpi_id}'" for kpi_id in lagging]


VOCABULARY = ["lead", "leads", "count", "monthly", "the", "of", "qualified", "demo", "per", "rate",
              "won", "deals", "number", "total", "usd", "hours"]
phrase = st.lists(st.sampled_from(VOCABULARY), max_size=7).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(phrase, phrase.filter(bool), st.one_of(st.none(), phrase))
def test_s204_circular_test_matches_comparing_the_word_sets(
        name: str, definition: str, unit: str | None) -> None:
    _, flaws, content = _definition_words(definition)
    assert content is not None  # English
    circular = content.difference(words(unit or "")).issubset(words(name))
    expected = [*flaws, "adds nothing to its name"] if circular else list(flaws)
    assert definition_flaws(name, definition, unit) == expected


def test_a_memo_computes_each_text_once() -> None:
    asked: list[str] = []

    def shout(text: str) -> str:
        asked.append(text)
        return text.upper()

    memo = Memo(shout, limit=2)
    assert [memo[text] for text in ["a", "b", "a", "a", "b"]] == ["A", "B", "A", "A", "B"]
    assert asked == ["a", "b"]
    assert memo["c"] == "C"  # past the limit: started afresh
    assert dict(memo) == {"c": "C"}
    assert [memo[text] for text in ["a", "c"]] == ["A", "C"]
    assert asked == ["a", "b", "c", "a"]


def test_name_rules_report_every_entity_that_shares_a_name() -> None:
    text = "\n".join([
        "version: 1", "kgis:", "  - id: g1", "    name: Improve revenue", "kpis:",
        *(line for kpi_id in ("k1", "k2", "k3") for line in (
            f"  - id: {kpi_id}", "    name: Social media followers", "    supports: g1")),
        "  - id: k4", "    name: Share price", "    supports: g1",
        "  - id: k5", "    name: Share price", "    supports: g1",
        "  - id: k6", "    name: Improve revenue", "    supports: g1"]) + "\n"
    spec = build_spec_file("a.kpi.yaml", parse_bytes(text.encode(), Limits()))
    for rule, subjects in [(VanityMetric(), ["k1", "k2", "k3"]),
                           (UncontrollableKpi(), ["k4", "k5"]),
                           (VagueName(), ["g1", "k6"])]:
        for _ in range(2):  # the second run reads the names matched in the first
            found = list(rule.check(spec, CONTEXT))
            assert [violation.subject for violation in found] == subjects, rule.code
            assert len({re.sub(r"K[GP]I '\w+'", "", violation.message)
                        for violation in found}) == 1, rule.code
