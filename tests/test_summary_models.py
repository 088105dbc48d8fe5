"""A summary's entity models: written as pydantic's JSON mode writes them, read back equal."""

from __future__ import annotations

import json
import math

import pytest

from kpilint import summary
from kpilint.build import EntityRecord, SpecFile, build_spec_file
from kpilint.cache import json_bytes
from kpilint.diagnostics import Span
from kpilint.graph import ProjectGraph
from kpilint.load import Limits, parse_bytes
from kpilint.model import Kpi
from kpilint.summary import (
    REFERENCE_FIELDS,
    FileSource,
    Places,
    file_facts,
    file_places,
    file_summary,
    model_data,
    plain_model_data,
    spec_of,
    spec_of_facts,
)

SPEC = """\
version: 1
scope: sales
kgis:
  - id: revenue
    name: Revenue
    unit: EUR
    target: {min: 10, max: 20.5}
    formula: leads * win-rate
    x-team: sales
  - id: margin
    name: Margin
    target: 0.3
    actual: {value: 0.25, as_of: 2026-06-30}
    deadline: 2027-Q1
ksfs:
  - id: grow
    name: Grow deals
    supports: [revenue, nowhere]
    tags: [a, "b:c"]
kpis:
  - id: leads
    name: Leads
    supports: [grow, revenue]
    primary: true
    baseline: {value: 261, as_of: 2026-06-30}
    target: 1335
    deadline: 2027-01-31
    last_reviewed: 2026-07-06
    paired_with: win-rate
  - id: win-rate
    name: "Win rate \\u00e9"
    definition: null
    supports: grow
    baseline: 18.8
    target: {min: 0.2}
"""


def _records() -> SpecFile:
    spec = build_spec_file("sales.kpi.yaml", parse_bytes(SPEC.encode(), Limits()))
    assert [record.id for record in spec.entities] == ["revenue", "margin", "grow", "leads",
                                                       "win-rate"]
    return spec


@pytest.mark.parametrize("index", range(5))
def test_model_data_is_pydantics_json_dump(index: int) -> None:
    model = _records().entities[index].model
    plain = plain_model_data(model)
    expected = model.model_dump(mode="json", exclude_unset=True)
    assert json.dumps(plain) == json.dumps(expected)
    assert json.dumps(model_data(model)) == json.dumps(expected)


def test_a_value_not_plain_is_left_to_pydantic() -> None:
    model = Kpi.model_construct(id="leads", name="Leads", target=math.inf)
    assert plain_model_data(model) is None
    assert model_data(model) == model.model_dump(mode="json", exclude_unset=True)


def test_models_read_back_equal_and_graph_of_facts_matches() -> None:
    spec = _records()
    spec.entities[0].target_text = "at least 95%"  # as a dialect's entity has it
    summary = json.loads(json.dumps(file_summary(spec, [], [])))
    restored, _, _ = spec_of(summary, Limits())
    assert [record.model for record in restored.entities] == [
        record.model for record in spec.entities]
    facts = _restored(spec.path, summary)
    assert [(each.dialect, each.target_text) for each in facts.entities] == [
        (each.dialect, each.target_text) for each in spec.entities]
    assert [len(entity) for entity in file_facts(summary)["entities"]] == [10, 8, 8, 8, 8]
    fresh, from_facts = ProjectGraph([spec]), ProjectGraph([facts])
    assert [(each.source.id, each.field, each.target_id, each.location, each.field_path,
             each.exact) for each in from_facts.references] == [
        (each.source.id, each.field, each.target_id, each.location, each.field_path, each.exact)
        for each in fresh.references]
    assert [(each.source.id, each.target_id, each.location) for each in from_facts.broken] == [
        ("grow", "nowhere", each.location) for each in fresh.broken]
    assert len(fresh.broken) == 1


def _restored(path: str, summary_data: object) -> SpecFile:
    """A file restored as a run's state keeps it: its facts and places through JSON."""
    facts = json.loads(json_bytes(file_facts(summary_data)))
    places = Places(json_bytes(file_places(summary_data)))
    return spec_of_facts(path, facts, places, FileSource(path, Limits(), None,
                                                         summary=summary_data))


def _places(record: EntityRecord[object]) -> object:
    """Everything of ``record`` that has a place, and the ids it names (of a reference field
    whose value is valid: a summary keeps no other)."""
    return (record.id, record.kind, record.line, record.scope, record.invalid,
            record.at_entity(), record.formula_references(), record.formula_terms(),
            [(name, record.reference_locations(name), record.reference_targets(name))
             for name in REFERENCE_FIELDS if record.has_references(name)])


ODD = """\
version: 1
scope: "marché"
kgis:
  - {name: "Chiffré", id: chiffre, formula: "(leads + marge) / 2 + leads", target: {min: no}}
kpis:
  - {name: "Ventes ü", id: ventes, supports: [chiffre, grow], paired_with: leads}
  - id: leads
    name: Leads
    supports: [chiffre]
    paired_with: ventes
    target: lots
  - id: again
    name: Again
    supports: 3
  - {id: none-named, name: None named, supports: []}
"""


@pytest.mark.parametrize("text", [SPEC, ODD])
def test_a_restored_files_places_are_those_of_the_parsed_file(text: str) -> None:
    spec = build_spec_file("a/ü.kpi.yaml", parse_bytes(text.encode(), Limits()))
    assert any(record.invalid for record in spec.entities) == (text == ODD)
    summary_data = json.loads(json.dumps(file_summary(spec, [], [])))
    restored = _restored(spec.path, summary_data)
    assert [_places(record) for record in restored.entities] == [
        _places(record) for record in spec.entities]
    assert restored.scopes == spec.scopes
    assert any(record.formula_terms() for record in spec.entities)
    assert any(record.has_references("paired_with") for record in spec.entities)
    assert not all(record.has_references("supports") for record in spec.entities)
    assert any(record.has_references("supports") and not record.reference_targets("supports")
               for record in spec.entities) == (text == ODD)  # a field present, naming none


def test_places_that_do_not_match_their_facts_are_an_error_not_wrong_places() -> None:
    spec = _records()
    summary_data = json.loads(json.dumps(file_summary(spec, [], [])))
    places = file_places(summary_data)
    places[2][1].pop()  # "grow" names two ids: one span left out
    restored = spec_of_facts(spec.path, file_facts(summary_data), Places(json_bytes(places)),
                             FileSource(spec.path, Limits(), None, summary=summary_data))
    assert restored.entities[2].reference_targets("supports") == ["revenue", "nowhere"]
    with pytest.raises(ValueError):
        restored.entities[2].reference_locations("supports")


def test_spans_read_back_are_shared_and_the_cache_stays_bounded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary, "_SPANS", {})
    monkeypatch.setattr(summary, "SPANS_KEPT", 3)
    first = summary.span_of([1, 2, 1, 9])
    assert summary.span_of([1, 2, 1, 9]) is first
    assert (first.line, first.column, first.end_line, first.end_column) == (1, 2, 1, 9)
    for line in range(2, 9):  # past the bound: started afresh, every span still right
        assert summary.span_of([line, 1, line, 5]) == Span(line, 1, line, 5)
        assert len(summary._SPANS) <= 3
    assert summary.span_of([1, 2, 1, 9]) == first
    with pytest.raises(ValueError):
        summary.span_of([1, 2, 3])
