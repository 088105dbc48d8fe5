"""The model builder's quick path (each value checked as it is read, no pydantic validator)
against pydantic's validator on the same files: the same entities, fields set, invalid fields,
scopes and findings, message for message."""

from __future__ import annotations

import dataclasses
import datetime
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpilint import build, model
from kpilint.build import SpecFile, build_spec_file
from kpilint.diagnostics import (
    Location,
    Related,
    Span,
    Violation,
    new_location,
    new_related,
    new_violation,
)
from kpilint.limits import Limits
from kpilint.load import MappingNode, SequenceNode, parse_bytes
from kpilint.model import ENTITY_MODELS, SpecDocument

ROOT = Path(__file__).resolve().parent.parent


def _outcome(spec: SpecFile) -> list[Any]:
    """Everything the rules read of a built file, models as their type, fields set and repr."""
    entities = [(type(record.model).__name__, repr(record.model),
                 sorted(record.model.model_fields_set), sorted(record.invalid), record.scope,
                 record.id, record.kind, record.line) for record in spec.entities]
    violations = sorted(
        (code, repr(violation)) for code, found in spec.violations.items() for violation in found)
    return [entities, violations, spec.scopes]


def _both_ways(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    loaded = parse_bytes(text.encode("utf-8"), Limits())
    with monkeypatch.context() as patch:  # the quick path as in a fresh process
        patch.setattr(model, "_quick_left", model.QUICK_BUDGET)
        for each in (SpecDocument, *ENTITY_MODELS):
            patch.setattr(each, "__pydantic_complete__", False)
        quick = _outcome(build_spec_file("spec.yaml", loaded))
    with monkeypatch.context() as patch:  # every entity through pydantic's validator
        patch.setattr(build, "quick_shape", lambda model: None)
        patch.setattr(build, "construct_valid", lambda model, values: None)
        validated = _outcome(build_spec_file("spec.yaml", loaded))
    return quick, validated


SPEC_FILES = sorted(path for pattern in ("examples/**/*.yaml", "tests/**/*.yaml")
                    for path in ROOT.glob(pattern))


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_repositorys_spec_files_build_alike(path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    quick, validated = _both_ways(path.read_text("utf-8"), monkeypatch)
    assert quick == validated


VALUES: list[Any] = [
    None, True, False, 0, 1, -7, 2**53, 2**53 + 1, 1.5, -0.0, math.inf, math.nan, "", "x",
    "ok-id", "-bad", "bad id", "増加", "increase", "monthly", "leading", "2026-03-31",
    "2026-02-30", "2026-03", "2026-Q4", "2026-13", "1", "1,000", "1e5", "yes",
    datetime.date(2026, 3, 31), [], ["ok-id", "b"], ["x", 2], [None], {"value": 3},
    {"value": 3, "as_of": "2026-03-31"}, {"value": "3"}, {"min": 1}, {"min": 2, "max": 1},
    {"value": 1, "as_of": datetime.date(2026, 1, 1), "extra": 1}, {}, {"x-note": 1},
]
FIELDS = sorted({name for kind in ENTITY_MODELS for name in kind.model_fields}
                | {"x-note", "unknown", "nam"})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(section=st.sampled_from(["kgis", "ksfs", "kpis"]),
       fields=st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(VALUES), max_size=8),
       named=st.booleans(), scope=st.sampled_from([None, "growth", 7]))
def test_any_entity_builds_alike(section: str, fields: dict[str, Any], named: bool,
                                 scope: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    entity = {"id": "ok-id", "name": "A", **fields} if named else fields
    document = {"version": 1, section: [entity]}
    if scope is not None:
        document["scope"] = scope
    quick, validated = _both_ways(yaml.safe_dump(document, allow_unicode=True), monkeypatch)
    assert quick == validated


def test_a_valid_file_takes_the_quick_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above is not vacuous: each valid entity is made without pydantic."""
    made: list[str] = []
    original = build.made_model

    def spy(kind: Any, data: dict[str, Any], fields_set: set[str]) -> Any:
        made.append(kind.__name__)
        return original(kind, data, fields_set)

    monkeypatch.setattr(build, "made_model", spy)
    text = (ROOT / "examples" / "good" / "company.kpi.yaml").read_text("utf-8")
    quick, validated = _both_ways(text, monkeypatch)
    assert quick == validated
    assert made.count("SpecDocument") == 1 and len(made) == len(quick[0]) + 1


@pytest.mark.parametrize("slots_known", [True, False], ids=["slots", "model_construct"])
def test_a_pydantic_with_other_slots_makes_models_through_model_construct(
        monkeypatch: pytest.MonkeyPatch, slots_known: bool) -> None:
    """Setting a model's slots relies on pydantic 2's layout; another layout takes the public
    ``model_construct``, with the same models (the installed pydantic decides which path the
    first case takes)."""
    if not slots_known:
        monkeypatch.setattr(model, "SLOT_SETTERS", None)
    text = (ROOT / "examples" / "good" / "company.kpi.yaml").read_text("utf-8")
    quick, validated = _both_ways(text, monkeypatch)
    assert quick == validated


def _without_composer_facts(node: Any) -> None:
    """Withhold what the composer vouches for: no key index, every collection maybe faulty."""
    if isinstance(node, MappingNode):
        node.index = None
        node.tainted = True
        for pair in node.pairs:
            for part in pair:
                _without_composer_facts(part)
    elif isinstance(node, SequenceNode):
        node.tainted = True
        for item in node.items:
            _without_composer_facts(item)


def _with_and_without_composer_facts(text: str) -> tuple[list[Any], list[Any]]:
    plain = _outcome(build_spec_file("spec.yaml", parse_bytes(text.encode("utf-8"), Limits())))
    loaded = parse_bytes(text.encode("utf-8"), Limits())
    for document in loaded.documents:
        _without_composer_facts(document)
    return plain, _outcome(build_spec_file("spec.yaml", loaded))


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_composers_facts_change_no_outcome(path: Path) -> None:
    """The builder trusts a mapping's key index (distinct string keys) and an untainted
    collection (no fault inside) instead of checking each key and value again; without them
    it checks everything, with the same entities and findings."""
    with_facts, without = _with_and_without_composer_facts(path.read_text("utf-8"))
    assert with_facts == without


@pytest.mark.parametrize("text", [
    "version: 1\nkpis:\n  - id: a\n    name: A\n    1: int key\n    [k]: complex\n",
    "version: 1\nkpis:\n  - id: a\n    name: A\n    name: B\n    tags: [x, !!int 2]\n",
    "version: 1\nkpis:\n  - &e {id: a, name: A}\n  - <<: *e\n    id: b\n    target: !x 3\n",
    "version: 1\nkpis:\n  - id: a\n    name: !!int no\n    baseline: {value: 2026-02-30}\n",
])
def test_keys_and_values_the_composer_cannot_vouch_for(text: str) -> None:
    """Keys that are not distinct strings, merges and faulty values are checked one by one (a
    key index made by a look-up, as ``_entity``'s of ``id``, is not the composer's)."""
    with_facts, without = _with_and_without_composer_facts(text)
    assert with_facts == without
    assert with_facts[1], "each text has findings"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(section=st.sampled_from(["kgis", "ksfs", "kpis"]),
       fields=st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(VALUES), max_size=8))
def test_any_entity_builds_alike_without_the_composers_facts(section: str,
                                                            fields: dict[str, Any]) -> None:
    document = {"version": 1, section: [{"id": "ok-id", "name": "A", **fields}]}
    with_facts, without = _with_and_without_composer_facts(
        yaml.safe_dump(document, allow_unicode=True))
    assert with_facts == without


@pytest.mark.parametrize("supports", [
    "ksf-a", "'ksf-a'", "2026", "[ksf-a, ksf-b]", "[ksf-a, [x], {k: v}]", "[]", "{k: v}", "",
    "!!str ksf-a", "&a ksf-a\n    paired_with: *a",
])
def test_reference_targets_are_the_ids_of_reference_places(supports: str) -> None:
    """The one-id shortcut of ``reference_targets`` names what the places name, in order."""
    text = f"version: 1\nkpis:\n  - id: k\n    name: K\n    supports: {supports}\n"
    spec = build_spec_file("spec.yaml", parse_bytes(text.encode("utf-8"), Limits()))
    (record,) = spec.entities
    for name in ("supports", "paired_with", "absent"):
        assert record.reference_targets(name) == [
            target for target, _, _ in record.reference_places(name)], name


def test_an_entity_without_invalid_fields_shares_the_empty_set() -> None:
    text = "version: 1\nkpis:\n  - id: a\n    name: A\n  - id: b\n    name: B\n    unit: [x]\n"
    spec = build_spec_file("spec.yaml", parse_bytes(text.encode("utf-8"), Limits()))
    valid, invalid = spec.entities
    assert valid.invalid == frozenset() and valid.invalid is build.VALID
    assert invalid.invalid == frozenset({"unit"})


def test_locations_and_violations_built_through_their_slots_are_ordinary_ones() -> None:
    span = Span(3, 5, 3, 9)
    location = new_location("a.kpi.yaml", span)
    assert type(location) is Location and location == Location("a.kpi.yaml", span)
    assert hash(location) == hash(Location("a.kpi.yaml", span))
    related = (new_related(location, "note"),)
    assert type(related[0]) is Related and related[0] == Related(location, "note")
    made = new_violation(location, "message", "k", "definition", related)
    plain = Violation(location, "message", "k", "definition", related)
    assert type(made) is Violation and made == plain and hash(made) == hash(plain)
    assert dataclasses.astuple(made) == dataclasses.astuple(plain)
    assert tuple(each.name for each in dataclasses.fields(Violation)) == (  # all set there
        "location", "message", "subject", "field", "related", "fix")
    assert tuple(each.name for each in dataclasses.fields(Location)) == ("path", "span")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.message = "changed"  # type: ignore[misc]
