"""T403 targets-fall-short: the KPI targets, put through the formula, miss the KGI target."""

import decimal
from collections.abc import Iterator
from decimal import Decimal
from typing import cast

from kpilint.build import EntityRecord
from kpilint.diagnostics import Related, Severity, Violation
from kpilint.formula import DivisionByZero, evaluate, scalar_decimal, show_number
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.model import Kgi, Kpi
from kpilint.rule import Context, ProjectRule, Scope
from kpilint.rules.t402_formula_unit_mismatch import distinct, unit_problem

PERCENT = "percent"


def direction_of(kgi: Kgi) -> str | None:
    """The declared direction, else the sign of target - baseline (None when that is 0 or
    there is no baseline)."""
    if kgi.direction is not None:
        return kgi.direction
    if kgi.target is None or kgi.baseline is None or kgi.target == kgi.baseline.value:
        return None
    return "increase" if kgi.target > kgi.baseline.value else "decrease"


def exact_target(record: EntityRecord[Kgi] | EntityRecord[Kpi], target: float) -> Decimal:
    """The target as an exact decimal; a percent enters the formula as value/100."""
    value = scalar_decimal(record, "target", target)
    return value.scaleb(-2) if record.model.unit == PERCENT else value


def shown(value: Decimal, unit: str | None) -> str:
    """``72,000,000 JPY``, ``24%`` (a percent value is shown back on the 0-100 scale), with
    "about" when the number had to be rounded."""
    if unit == PERCENT:
        value = value.scaleb(2)
    text = show_number(value)
    if Decimal(text.replace(",", "")) != value:
        text = f"about {text}"
    if unit is None:
        return text
    return f"{text}%" if unit == PERCENT else f"{text} {unit}"


class TargetsFallShort(ProjectRule):
    """Evaluates each KGI formula on the KPI targets with exact decimal arithmetic."""

    code = "T403"
    name = "targets-fall-short"
    severity = Severity.WARNING
    summary = "The KPI targets, combined by the KGI formula, miss the KGI target"

    scope = Scope.GOAL

    def check_unit(self, graph: ProjectGraph, record: AnyRecord,
                   context: Context) -> Iterator[Violation]:
        violation = self._check_kgi(graph, cast(EntityRecord[Kgi], record))
        if violation is not None:
            yield violation

    def _check_kgi(self, graph: ProjectGraph, kgi: EntityRecord[Kgi]) -> Violation | None:
        formula = graph.formula(kgi.id)
        terms = graph.formula_terms(kgi.id)
        direction = direction_of(kgi.model)
        if (formula is None or terms is None or kgi.model.target is None
                or direction not in ("increase", "decrease")):
            return None
        values: dict[str, Decimal] = {}
        for kpi in terms:
            if kpi.model.target is None:
                return None
            values[kpi.id] = exact_target(kpi, kpi.model.target)
        if unit_problem(kgi, formula, terms) is not None:
            return None  # T402: comparing numbers in different units means nothing
        related = tuple(
            Related(kpi.at_field("target"),
                    f"KPI '{kpi.id}' target {shown(values[kpi.id], kpi.model.unit)}")
            for kpi in distinct(terms))
        at = kgi.at_field("formula")
        try:
            reached = evaluate(formula.tree, values)
        except DivisionByZero as zero:
            return Violation(
                at, f"on the KPI targets the formula divides by zero (the"
                f" '{zero.operator.text}' at column {zero.operator.column} of the formula), so"
                " it cannot reach the KGI target: give the divisor a non-zero target or fix the"
                " formula", subject=kgi.id, field="formula", related=related)
        except (decimal.Overflow, decimal.InvalidOperation):
            return None
        goal = exact_target(kgi, kgi.model.target)
        unit = kgi.model.unit
        if direction == "increase" and reached < goal:
            gap = f"{shown(goal - reached, unit)} short"
        elif direction == "decrease" and reached > goal:
            gap = f"{shown(reached - goal, unit)} above it, and KGI '{kgi.id}' is to decrease"
        else:
            return None
        return Violation(
            at, f"KPI targets reach {shown(reached, unit)}; the KGI target is"
            f" {shown(goal, unit)} ({gap})", subject=kgi.id, field="formula", related=related)
