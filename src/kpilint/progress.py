"""Targets, actuals and progress (SPEC §10.1-10.2): the arithmetic the R and T4 rules share.

Every number is an exact decimal read from its source text (``0.1`` is one tenth), and dates count
in days. An entity's direction is the declared one; else ``maintain`` for a band target; else the
sign of target - baseline (None when that cannot be told). A formula over the KPI terms
(:func:`rollup`) is evaluated on their targets (T403) or on their actuals (T404).
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kpilint.build import EntityRecord
from kpilint.formula import DivisionByZero, evaluate, scalar_decimal, show_number
from kpilint.graph import ProjectGraph
from kpilint.model import Band, Entity, Kgi, Kpi
from kpilint.rules.t402_formula_unit_mismatch import distinct, unit_problem

PERCENT = "percent"
INCREASE, DECREASE, MAINTAIN = "increase", "decrease", "maintain"
EXACT = decimal.Context(prec=60, traps=[decimal.Overflow, decimal.InvalidOperation])

AnyRecord = EntityRecord[Entity]


def _field(entity: Entity, name: str) -> Any:
    """The value of field ``name``, None when the entity's kind has none (a KSF has no target).

    Read from the model's ``__dict__`` (where pydantic keeps field values): ``getattr`` with a
    default goes through pydantic's slow ``__getattr__`` for every KSF.
    """
    return entity.__dict__.get(name)


def plain_target(entity: Entity) -> float | None:
    """The target when it is a number (not a band)."""
    target = entity.__dict__.get("target")  # _field, inlined: two rules ask for every KPI
    return target if isinstance(target, float) else None


def band_of(entity: Entity) -> Band | None:
    target = _field(entity, "target")
    return target if isinstance(target, Band) else None


def direction_of(entity: Entity) -> str | None:
    """Declared; else ``maintain`` for a band; else the sign of target - baseline (None when
    there is no target or baseline, or they are equal)."""
    declared: str | None = entity.__dict__.get("direction")
    if declared is not None:
        return declared
    if band_of(entity) is not None:
        return MAINTAIN
    target = plain_target(entity)
    baseline = _field(entity, "baseline")
    if target is None or baseline is None or target == baseline.value:
        return None
    return INCREASE if target > baseline.value else DECREASE


def exact(record: AnyRecord, name: str, value: float) -> Decimal:
    """A numeric field (``target``, ``actual.value``, ``baseline.value``) as an exact decimal."""
    return scalar_decimal(record, name, value)


def quantity(value: Decimal, unit: str | None) -> str:
    """``72,000,000 JPY``, ``24%``, ``about 162.64 count`` (a rounded number says so)."""
    text = show_number(value)
    if Decimal(text.replace(",", "")) != value:
        text = f"about {text}"
    if unit is None:
        return text
    return f"{text}%" if unit == PERCENT else f"{text} {unit}"


def difference(value: Decimal, unit: str | None) -> str:
    """A gap in the unit: percent values differ by ``percentage points``."""
    if unit == PERCENT:
        return f"{quantity(value, None)} percentage points"
    return quantity(value, unit)


def as_formula_value(record: AnyRecord, value: Decimal) -> Decimal:
    """A percent enters a formula as value/100."""
    return value.scaleb(-2) if getattr(record.model, "unit", None) == PERCENT else value


def formula_quantity(value: Decimal, unit: str | None) -> str:
    """A formula value in the KGI's unit (a percent is shown back on the 0-100 scale)."""
    return quantity(value.scaleb(2) if unit == PERCENT else value, unit)


def ratio_text(ratio: Decimal) -> str:
    """``75%``, ``83.33%``."""
    return f"{show_number(ratio.scaleb(2))}%"


@dataclass(frozen=True, slots=True)
class Rollup:
    """A KGI formula evaluated on one value per KPI term, and the KGI target it should reach."""

    kgi: EntityRecord[Kgi]
    terms: list[EntityRecord[Kpi]]
    values: dict[str, Decimal]
    direction: str
    goal: Decimal
    reached: Decimal | DivisionByZero

    def shortfall(self) -> str | None:
        """``result; the KGI target is goal (gap)`` when the result misses the goal in the KGI's
        direction, else None."""
        reached = self.reached
        if isinstance(reached, DivisionByZero):
            return None
        unit = self.kgi.model.unit
        if self.direction == INCREASE and reached < self.goal:
            gap = f"{formula_quantity(self.goal - reached, unit)} short"
        elif self.direction == DECREASE and reached > self.goal:
            gap = (f"{formula_quantity(reached - self.goal, unit)} above it, and KGI"
                   f" '{self.kgi.id}' is to decrease")
        else:
            return None
        return (f"{formula_quantity(reached, unit)}; the KGI target is"
                f" {formula_quantity(self.goal, unit)} ({gap})")


def rollup(graph: ProjectGraph, kgi: EntityRecord[Kgi],
           value_of: Callable[[EntityRecord[Kpi]], Decimal | None]) -> Rollup | None:
    """The KGI's formula on ``value_of`` each term (percent as value/100), or None when it cannot
    be compared: no parsed formula or plain target, a `maintain` or band KGI or term, a term
    without a value, units that disagree (T402), or an absurd magnitude."""
    formula = graph.formulas.get(kgi.id)
    terms = graph.formula_terms(kgi.id)
    target = plain_target(kgi.model)
    direction = direction_of(kgi.model)
    if (formula is None or terms is None or target is None
            or direction not in (INCREASE, DECREASE)
            or any(band_of(kpi.model) is not None for kpi in terms)):
        return None
    values: dict[str, Decimal] = {}
    for kpi in terms:
        value = value_of(kpi)
        if value is None:
            return None
        values[kpi.id] = as_formula_value(kpi, value)
    if unit_problem(kgi, formula, terms) is not None:
        return None  # comparing numbers in different units means nothing
    reached: Decimal | DivisionByZero
    try:
        reached = evaluate(formula.tree, values)
    except DivisionByZero as zero:
        reached = zero
    except (decimal.Overflow, decimal.InvalidOperation):
        return None
    goal = as_formula_value(kgi, exact(kgi, "target", target))
    return Rollup(kgi, distinct(terms), values, direction, goal, reached)


def target_value(kpi: EntityRecord[Kpi]) -> Decimal | None:
    target = plain_target(kpi.model)
    return None if target is None else exact(kpi, "target", target)


def actual_value(record: AnyRecord) -> Decimal | None:
    actual = getattr(record.model, "actual", None)
    return None if actual is None else exact(record, "actual.value", actual.value)


def achievement(record: AnyRecord) -> Decimal | None:
    """How far the actual has come to the target, as actual/target (target/actual for
    `decrease`); None without a plain target and an actual, or when the ratio means nothing
    (a zero or negative divisor)."""
    target = plain_target(record.model)
    actual = actual_value(record)
    if target is None or actual is None:
        return None
    goal = exact(record, "target", target)
    numerator, denominator = (goal, actual) if direction_of(record.model) == DECREASE else (
        actual, goal)
    if denominator <= 0 or numerator < 0:
        return None
    return EXACT.divide(numerator, denominator)


def bottleneck(terms: list[EntityRecord[Kpi]]) -> tuple[EntityRecord[Kpi], Decimal] | None:
    """The term furthest behind its own target (lowest achievement; the first on a tie)."""
    ranked = [(ratio, index, kpi) for index, kpi in enumerate(terms)
              if (ratio := achievement(kpi)) is not None]
    if not ranked:
        return None
    ratio, _, kpi = min(ranked, key=lambda item: (item[0], item[1]))
    return kpi, ratio
