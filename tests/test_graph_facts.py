"""The project rules' fewer passes against plain computations of the same answers: the KPI facts
gathered in one pass, every KGI's KPIs from the KPIs' reach, and the entity rules that check only
their candidates in a whole run against checking every entity of their kinds."""

from __future__ import annotations

import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kpilint.build import SpecFile
from kpilint.graph import ProjectGraph
from kpilint.rule import Context, ProjectRule, Scope
from kpilint.rules.g101_too_many_kpis import TooManyKpis
from kpilint.rules.g102_orphan_kpi import OrphanKpi
from kpilint.rules.g104_unmeasured_ksf import UnmeasuredKsf
from kpilint.rules.g107_deadline_after_goal import DeadlineAfterGoal
from kpilint.rules.g108_orphan_ksf import OrphanKsf
from tests.test_graph_quick_paths import IDS, NAMED, _reached, _yaml, spec_files

PATHS = ["b.kpi.yaml", "a.kpi.yaml", "a/c.kpi.yaml", "a-b/c.kpi.yaml"]
"""Files in an order (the graph's) other than their paths' (the order reach lists are sorted
in): ``a-b/c`` sorts before ``a/c`` as a path, after it by parts."""
DEADLINES = [None, "2026-03-31", "2026-06", "2026-Q3", "2027-01-15", "2026-06-30"]

reference = st.one_of(st.none(), st.sampled_from(NAMED), st.lists(st.sampled_from(NAMED),
                                                                  max_size=3))
entity = st.tuples(st.sampled_from(range(len(PATHS))), reference, st.sampled_from(DEADLINES))
project = st.fixed_dictionaries({
    section: st.lists(st.tuples(st.sampled_from(ids), entity), max_size=7)
    for section, ids in IDS.items()})
Drawn = dict[str, list[tuple[str, tuple[int, object, str | None]]]]


def _fields(section: str, drawn_entity: tuple[Any, ...]) -> list[str]:
    """An entity's `supports` (not a KGI's) and deadline (not a KSF's), when drawn."""
    _, supports, deadline = drawn_entity
    lines = [] if supports is None or section == "kgis" else [f"    supports: {_yaml(supports)}"]
    if deadline is not None and section != "ksfs":
        lines.append(f"    deadline: '{deadline}'")
    return lines


def _files(drawn: Drawn) -> list[SpecFile]:
    return spec_files(drawn, PATHS, _fields)


def _graph(drawn: Drawn) -> ProjectGraph:
    graph = ProjectGraph()
    graph.load_all(((f"{index}",), spec) for index, spec in enumerate(_files(drawn)))
    return graph


def _kpis_reaching(graph: ProjectGraph, kgi_id: str) -> list[str]:
    """The KPIs whose searched reach holds the KGI, in path then line order."""
    kpis = [record for record in graph.kpis if kgi_id in _reached(graph, record.id)]
    return [record.id for record in sorted(kpis, key=lambda record: (record.path, record.line))]


def _check(graph: ProjectGraph) -> None:
    facts = graph.kpi_facts()
    assert facts.records == graph.kpis
    assert facts.reached == [_reached(graph, record.id) for record in graph.kpis]
    assert facts.deadlines == [record.model.deadline for record in graph.kpis]
    assert facts.goal_deadlines == {kgi.id: kgi.model.deadline for kgi in graph.kgis
                                    if kgi.model.deadline is not None}
    at_once = ProjectGraph()  # every goal's KPIs in one pass, against a search per goal
    at_once.load_all(((f"{index}",), spec) for index, spec in enumerate(graph.files))
    at_once.reach_every_goal()
    for record in graph.kgis:
        searched = _kpis_reaching(graph, record.id)
        assert at_once.kpis_reaching.known[record.id] == searched, record.id
        assert [kpi.id for kpi in graph.kpis_reaching[record.id]] == searched, record.id
    context = Context(today=datetime.date(2026, 12, 7))
    rules: list[ProjectRule] = [TooManyKpis({"max": 1}), TooManyKpis(), OrphanKpi(),
                                UnmeasuredKsf(), DeadlineAfterGoal(), OrphanKsf()]
    for rule in rules:
        assert [violation for unit in rule.units(graph)
                for violation in rule.check_unit(graph, unit, context)] == [
            violation for unit in graph.of_kinds(
                ("KGI",) if rule.scope is Scope.GOAL else rule.kinds)
            for violation in rule.check_unit(graph, unit, context)], rule.code


@settings(max_examples=150, deadline=None)
@given(project, st.lists(st.tuples(st.sampled_from(range(len(PATHS))), project), max_size=3))
def test_facts_reach_and_candidates_match_plain_answers_after_any_edits(
        drawn: Drawn, edits: list[tuple[int, Drawn]]) -> None:
    graph = _graph(drawn)
    _check(graph)
    for index, other in edits:  # replace one file by that file of another drawn project
        graph.replace_file((f"{index}",), _files(other)[index])
        _check(graph)


def test_a_kgis_kpis_are_in_path_order_not_the_graphs() -> None:
    drawn: Drawn = {
        "kpis": [("k0", (3, "g0", None)), ("k1", (2, "g0", None)),
                 ("k2", (0, "s0", None))],
        "ksfs": [("s0", (1, "g0", None))], "kgis": [("g0", (1, None, None))]}
    graph = _graph(drawn)
    assert [kpi.id for kpi in graph.kpis] == ["k2", "k1", "k0"]  # b, a/c, a-b/c by parts
    graph.reach_every_goal()
    assert graph.kpis_reaching.known == {"g0": ["k0", "k1", "k2"]}
    assert [kpi.id for kpi in graph.kpis_reaching["g0"]] == ["k0", "k1", "k2"]
    assert [kgi.id for kgi in TooManyKpis({"max": 2}).units(graph)] == ["g0"]
    assert TooManyKpis({"max": 3}).units(graph) == []


def test_a_late_kpi_is_a_candidate_of_g107_only_when_a_goal_it_reaches_is_earlier() -> None:
    graph = _graph({
        "kpis": [("k0", (0, "g0", "2026-06")), ("k1", (0, ["g0", "g1"], "2026-06")),
                 ("k2", (0, "g1", None)), ("k3", (0, "g2", "2027-01-15"))],
        "ksfs": [], "kgis": [("g0", (1, None, "2026-Q3")),
                             ("g1", (1, None, "2026-03-31")), ("g2", (1, None, None))]})
    assert [unit.id for unit in DeadlineAfterGoal().units(graph)] == ["k1"]
    assert [unit.id for unit in OrphanKpi().units(graph)] == []

