"""The quick path of the models (``kpilint.model.quick_model``) against pydantic's validator.

Whatever it accepts it must build exactly as ``model_validate`` does (values, types, the fields
set, nested models); whatever pydantic rejects it must leave to pydantic (None).
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from kpilint import model as model_module
from kpilint.model import (
    PART_FIELDS,
    QUICK_FIELDS,
    Band,
    Kgi,
    Kpi,
    Ksf,
    SpecDocument,
    construct_valid,
    quick_model,
)

DAY = datetime.date(2026, 3, 31)
SCALARS: list[Any] = [
    None, True, False, 0, 1, -7, 2**53, 2**53 + 1, 2**70, 1.5, -0.0, math.inf, math.nan, "",
    "x", "ok-id", "Ok.id_2", "-bad", "bad id", "id\n", "増加", "increase", "decrease",
    "maintain", "monthly", "annual", "leading", "lagging", "2026-03-31", "2026-02-30",
    "2026-03", "2026-Q4", "2026-Q5", "2026-13", "1", DAY,
    datetime.datetime(2026, 3, 31, 0, 0), datetime.datetime(2026, 3, 31, 12, 30),
]
MAPPINGS: list[Any] = [
    {}, {"value": 3}, {"value": 3, "as_of": DAY}, {"value": 3, "as_of": "2026-03-31"},
    {"value": 3, "as_of": None}, {"value": "3"}, {"as_of": DAY}, {"value": 1, "extra": 2},
    {"min": 1}, {"max": 2.5}, {"min": 1, "max": 2}, {"min": 2, "max": 1}, {"min": None},
    {"min": None, "max": None}, {"min": True}, {"min": math.inf},
]
VALUES = st.recursive(
    st.sampled_from(SCALARS) | st.sampled_from(MAPPINGS),
    lambda inner: st.lists(inner, max_size=3), max_leaves=6)
FIELDS = sorted({name for fields in QUICK_FIELDS.values() for name in fields} | {"kgis", "x-a"})


def _same(quick: BaseModel, validated: BaseModel) -> None:
    assert type(quick) is type(validated)
    assert quick.model_fields_set == validated.model_fields_set
    assert repr(quick) == repr(validated)
    for name in type(validated).model_fields:
        mine, theirs = getattr(quick, name), getattr(validated, name)
        assert type(mine) is type(theirs), name
        if isinstance(theirs, BaseModel):
            _same(mine, theirs)
        elif isinstance(theirs, list):
            assert [type(item) for item in mine] == [type(item) for item in theirs]


def _compare(model: type[BaseModel], values: dict[str, Any]) -> None:
    quick = quick_model(model, dict(values))
    try:
        validated = model.model_validate(values)
    except ValidationError:
        assert quick is None, values
        return
    if quick is not None:
        _same(quick, validated)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([Kgi, Ksf, Kpi, SpecDocument]),
       st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6), st.booleans())
def test_the_quick_path_builds_what_pydantic_builds(model: type[BaseModel],
                                                    values: dict[str, Any],
                                                    named: bool) -> None:
    if named:  # the required fields, so that the other fields' checks decide
        required = {"version": 1} if model is SpecDocument else {"id": "ok-id", "name": "A"}
        values = {**required, **{key: value for key, value in values.items()
                                 if key in model.model_fields}}
    _compare(model, values)


FULL_KPI = {
    "id": "win-rate", "name": "Win rate", "definition": "Won / closed.", "owner": "sales",
    "tags": ["funnel"], "supports": "convert", "indicator": "leading", "primary": True,
    "unit": "%", "direction": "increase", "baseline": 18, "target": {"min": 20, "max": 30},
    "actual": {"value": 21.5, "as_of": DAY}, "deadline": "2026-Q4", "cadence": "monthly",
    "source": "CRM", "paired_with": ["deal-size"], "last_reviewed": "2026-03-01",
}


@pytest.mark.parametrize(("model", "values"), [
    (Kpi, FULL_KPI),
    (Kgi, {"id": "revenue", "name": "Revenue", "baseline": {"value": 1, "as_of": DAY},
           "target": 2, "deadline": DAY, "formula": "a * b", "last_reviewed": DAY}),
    (Ksf, {"id": "convert", "name": "Convert", "supports": ["revenue", "growth"]}),
    (SpecDocument, {"version": 1, "scope": "growth"}),
])
def test_typical_valid_entities_take_the_quick_path(model: type[BaseModel],
                                                    values: dict[str, Any]) -> None:
    quick = quick_model(model, dict(values))
    assert quick is not None
    _same(quick, model.model_validate(values))


@pytest.mark.parametrize("values", [
    {**FULL_KPI, "target": {"min": 30, "max": 20}},  # the band's own validator decides
    {**FULL_KPI, "primary": 1},
    {**FULL_KPI, "baseline": 2**60},
    {**FULL_KPI, "deadline": datetime.datetime(2026, 3, 31, 0, 0)},
    {**FULL_KPI, "x-note": "extension keys never reach the model"},
    {"name": "No id"},
])
def test_anything_uncertain_is_left_to_pydantic(values: dict[str, Any]) -> None:
    assert quick_model(Kpi, values) is None


def test_every_model_field_has_a_quick_check() -> None:
    """A field added to a model needs its quick check (else every entity takes the slow path)."""
    for model, fields in {**QUICK_FIELDS, **PART_FIELDS}.items():
        sections = {"kgis", "ksfs", "kpis"} if model is SpecDocument else set()
        assert set(fields) == set(model.model_fields) - sections, model.__name__


def test_a_model_inside_a_field_is_made_only_through_its_field() -> None:
    """A band's own validator (min above max) runs in the target's check, not in a band alone."""
    assert quick_model(Band, {"min": 2, "max": 1}) is None
    assert quick_model(Kpi, {"id": "a", "name": "A", "target": {"min": 2, "max": 1}}) is None


def test_the_quick_path_gives_way_to_a_built_validator_and_after_its_budget(
        monkeypatch: pytest.MonkeyPatch) -> None:
    values = {"id": "convert", "name": "Convert"}
    monkeypatch.setattr(model_module, "_quick_left", 2)
    monkeypatch.setattr(Ksf, "__pydantic_complete__", False)
    assert construct_valid(Ksf, values) is not None
    assert construct_valid(Ksf, {"id": "-bad", "name": "x"}) is None
    assert construct_valid(Ksf, values) is None  # the budget is spent
    monkeypatch.setattr(model_module, "_quick_left", 2)
    monkeypatch.setattr(Ksf, "__pydantic_complete__", True)
    assert construct_valid(Ksf, values) is None


@given(st.integers(1, 9999), st.integers(1, 12))
def test_a_period_ends_on_its_months_last_day_as_calendar_counts_it(year: int,
                                                                    month: int) -> None:
    """``YYYY-MM`` and ``YYYY-Qn`` end on the last day ``calendar.monthrange`` gives (leap
    years, December of year 9999), without importing calendar."""
    import calendar

    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    assert model_module._last_day(f"{year:04d}-{month:02d}") == last
    if month % 3 == 0:
        assert model_module._last_day(f"{year:04d}-Q{month // 3}") == last
