"""T402 formula-unit-mismatch: the units of a formula's terms do not combine to the KGI's unit."""

from collections.abc import Iterator
from typing import cast

from kpilint.build import EntityRecord
from kpilint.diagnostics import Related, Severity, Violation
from kpilint.formula import (
    Dimension,
    Formula,
    UnitMismatch,
    dimension_of,
    show_dimension,
    unit_dimension,
)
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.model import Kgi, Kpi
from kpilint.rule import Context, ProjectRule, Scope


def unit_problem(kgi: EntityRecord[Kgi], formula: Formula,
                 terms: list[EntityRecord[Kpi]]) -> str | None:
    """Why the formula's units disagree with the KGI's, or None when they agree or cannot be
    checked (a KPI or the KGI without a unit, or with a free unit)."""
    wanted = unit_dimension(kgi.model.unit)
    if wanted is None:
        return None
    units: dict[str, Dimension] = {}
    for kpi in terms:
        dimension = unit_dimension(kpi.model.unit)
        if dimension is None:
            return None
        units[kpi.id] = dimension
    try:
        yielded = dimension_of(formula.tree, units)
    except UnitMismatch as mismatch:
        verb = "adds" if mismatch.operator.text == "+" else "subtracts"
        return (f"the formula {verb} {show_dimension(mismatch.left)} and"
                f" {show_dimension(mismatch.right)} (the '{mismatch.operator.text}' at column"
                f" {mismatch.operator.column} of the formula): terms added or subtracted must"
                " share a unit")
    if yielded == wanted:
        return None
    return f"formula yields {show_dimension(yielded)} but KGI '{kgi.id}' is in {kgi.model.unit}"


def distinct(terms: list[EntityRecord[Kpi]]) -> list[EntityRecord[Kpi]]:
    """The term KPIs without repeats, in reading order."""
    return list({kpi.id: kpi for kpi in reversed(terms)}.values())[::-1]


class FormulaUnitMismatch(ProjectRule):
    """Unit algebra over the formula: currencies and time units are dimensions; count, percent,
    ratio, score and numbers are dimensionless; a free unit makes the check skip."""

    code = "T402"
    name = "formula-unit-mismatch"
    severity = Severity.WARNING
    summary = "The units of a KGI formula's terms do not combine to the KGI's unit"

    scope = Scope.GOAL

    def check_unit(self, graph: ProjectGraph, record: AnyRecord,
                   context: Context) -> Iterator[Violation]:
        kgi = cast(EntityRecord[Kgi], record)
        formula = graph.formula(kgi.id)
        terms = graph.formula_terms(kgi.id)
        if formula is None or terms is None:
            return
        problem = unit_problem(kgi, formula, terms)
        if problem is None:
            return
        related = tuple(
            Related(kpi.at_field("unit"), f"KPI '{kpi.id}' is in {kpi.model.unit}")
            for kpi in distinct(terms))
        yield Violation(kgi.at_field("formula"), problem, subject=kgi.id, field="formula",
                        related=related)
