"""The graph's and the file rules' quick paths against plain computations of the same answers:
reach composed from one supported entity, references made from their entity when asked (their
places kept as nodes until a location is asked), an id's referrers read from the edges, a graph
loaded in order without sorting, and a file's entities by kind made once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kpilint.build import SpecFile, build_spec_file
from kpilint.graph import ALLOWED_TARGETS, SUPPORTS, AnyRecord, ProjectGraph
from kpilint.load import Limits, parse_bytes
from kpilint.model import Kgi, Kpi
from kpilint.rule import (
    MEASURED_KINDS,
    entities_of_kinds,
    kgis_of,
    kpis_of,
    measured_entities,
)

IDS = {"kgis": ["g0", "g1", "g2"], "ksfs": ["s0", "s1", "s2", "s3"],
       "kpis": ["k0", "k1", "k2", "k3", "k4"]}
NAMED = [*IDS["kgis"], *IDS["ksfs"], *IDS["kpis"], "nowhere"]
FILES = 3

ids_named = st.lists(st.sampled_from(NAMED), max_size=3)
reference = st.one_of(st.none(), st.sampled_from(NAMED), ids_named)
entity = st.tuples(st.sampled_from(range(FILES)), reference, reference)
project = st.fixed_dictionaries({
    section: st.lists(st.tuples(st.sampled_from(ids), entity), max_size=6)
    for section, ids in IDS.items()})


def _yaml(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "[" + ", ".join(value) + "]"


def spec_files(drawn: dict[str, list[tuple[str, tuple[Any, ...]]]], paths: list[str],
               fields: Callable[[str, tuple[Any, ...]], list[str]]) -> list[SpecFile]:
    """The drawn entities as spec files at ``paths``: each entity (id, (file index, ...)) under
    its section in its file, with the field lines ``fields(section, drawn tuple)`` gives."""
    texts = [["version: 1"] for _ in paths]
    for section, entities in drawn.items():
        for index, lines in enumerate(texts):
            mine = [each for each in entities if each[1][0] == index]
            if not mine:
                continue
            lines.append(f"{section}:")
            for entity_id, drawn_entity in mine:
                lines += [f"  - id: {entity_id}", f"    name: Entity {entity_id}"]
                lines += fields(section, drawn_entity)
    return [build_spec_file(path, parse_bytes(("\n".join(lines) + "\n").encode(), Limits()))
            for path, lines in zip(paths, texts, strict=True)]


def _references(section: str, drawn_entity: tuple[Any, ...]) -> list[str]:
    """An entity's `supports` and (for a KPI) `paired_with` lines, when drawn."""
    _, supports, paired = drawn_entity
    lines = [] if supports is None else [f"    supports: {_yaml(supports)}"]
    if paired is not None and section == "kpis":
        lines.append(f"    paired_with: {_yaml(paired)}")
    return lines


def _files(drawn: dict[str, list[tuple[str, tuple[int, object, object]]]]) -> list[SpecFile]:
    """The drawn entities as spec files f0 to f2, with their references."""
    return spec_files(drawn, [f"f{index}.kpi.yaml" for index in range(FILES)],
                      _references)


def _supported(graph: ProjectGraph, record: AnyRecord) -> list[str]:
    """What an entity's `supports` names and resolves to (an entity of an allowed kind)."""
    named = getattr(record.model, "supports", None) or []
    allowed = ALLOWED_TARGETS.get((record.kind, SUPPORTS), frozenset())
    return [target for target in ([named] if isinstance(named, str) else named)
            if target in graph.entities and graph.entities[target].kind in allowed
            and target != record.id]


def _reached(graph: ProjectGraph, entity_id: str) -> list[str]:
    """The KGIs an entity reaches over supports edges, searched, in path then line order."""
    seen: set[str] = set()
    stack = [entity_id]
    while stack:
        for target in _supported(graph, graph.entities[stack.pop()]):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    kgis = [graph.entities[each] for each in seen if graph.entities[each].kind == Kgi.kind]
    return [record.id for record in sorted(kgis, key=lambda record: (record.path, record.line))]


def _check(graph: ProjectGraph) -> None:
    for entity_id, record in graph.entities.items():
        if record.kind != Kgi.kind:
            assert graph.kgis_reached.ids(entity_id) == _reached(graph, entity_id), entity_id
            assert [each.id for each in graph.kgis_reached[entity_id]] == _reached(
                graph, entity_id)
    references = graph.references
    for target in NAMED:
        assert [(each.source.id, each.field_path) for each in graph.references_to(target)] == [
            (each.source.id, each.field_path) for each in references if each.target_id == target]
    for each in references:
        assert (each.target_id, each.location, each.field_path) in each.source.reference_locations(
            each.field), each.field_path


@settings(max_examples=150, deadline=None)
@given(project, st.lists(st.tuples(st.sampled_from(range(FILES)), project), max_size=3))
def test_reach_and_references_match_a_search_after_any_edits(
        drawn: dict[str, list[tuple[str, tuple[int, object, object]]]],
        edits: list[tuple[int, dict[str, list[tuple[str, tuple[int, object, object]]]]]],
) -> None:
    files = _files(drawn)
    graph = ProjectGraph()
    graph.load_all(((f"{index}",), spec) for index, spec in enumerate(files))
    _check(graph)
    for index, other in edits:  # replace one file by that file of another drawn project
        graph.replace_file((f"{index}",), _files(other)[index])
        _check(graph)
        fresh = ProjectGraph()
        fresh.load_all(((f"{each}",), spec) for each, spec in enumerate(graph.files))
        assert {entity_id: fresh.kgis_reached.ids(entity_id) for entity_id in fresh.entities} == {
            entity_id: graph.kgis_reached.ids(entity_id) for entity_id in graph.entities}


def _shape(graph: ProjectGraph) -> tuple[object, ...]:
    """What a graph holds, in the orders it gives them."""
    return (list(graph.entities),
            [(each.id, each.path, each.line) for each in graph.entities.values()],
            [(later.path, later.line, first.path, first.line) for later, first in graph.duplicates],
            {node: list(targets.items()) for node, targets in graph.edges.succ.items()},
            {node: sorted(sources.items()) for node, sources in graph.edges.pred.items()},
            [(each.source.path, each.source.line, each.field_path, each.target_id,
              each.location) for each in graph.broken],
            [(each.source.path, each.field_path, each.target_id) for each in graph.references],
            {entity_id: graph.kgis_reached.ids(entity_id) for entity_id in graph.entities})


@settings(max_examples=100, deadline=None)
@given(project, st.permutations(range(FILES)))
def test_a_graph_loaded_out_of_order_is_the_graph_loaded_in_order(
        drawn: dict[str, list[tuple[str, tuple[int, object, object]]]],
        shuffled: list[int]) -> None:
    """Ids defined in several files (E004): the first definition in key order wins however the
    files come; files in key order take the quick path, which sorts nothing."""
    files = _files(drawn)
    in_order = ProjectGraph()
    in_order.load_all(((f"{index}",), spec) for index, spec in enumerate(files))
    out_of_order = ProjectGraph()
    out_of_order.load_all(((f"{index}",), files[index]) for index in shuffled)
    assert _shape(out_of_order) == _shape(in_order)
    backwards = ProjectGraph()  # entities out of line order in a file: sorted by line
    reversed_files = [SpecFile(spec.path, spec.text, entities=spec.entities[::-1])
                      for spec in files]
    backwards.load_all(((f"{index}",), spec) for index, spec in enumerate(reversed_files))
    assert _shape(backwards) == _shape(in_order)


@settings(max_examples=60, deadline=None)
@given(project)
def test_entities_by_kind_match_a_filter_of_the_file(
        drawn: dict[str, list[tuple[str, tuple[int, object, object]]]]) -> None:
    for spec in _files(drawn):
        assert kpis_of(spec) == spec.entities_of(Kpi)
        assert kgis_of(spec) == spec.entities_of(Kgi)
        assert measured_entities(spec) == [
            record for record in spec.entities if record.kind in MEASURED_KINDS]
        for kinds in (("KPI",), ("KSF",), ("KPI", "KGI"), ("KGI", "KSF"), ("KGI", "KSF", "KPI")):
            assert entities_of_kinds(spec, kinds) == [
                record for record in spec.entities if record.kind in kinds], kinds
