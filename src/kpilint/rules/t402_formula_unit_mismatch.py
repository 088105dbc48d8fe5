"""T402 formula-unit-mismatch: the units of a formula's terms do not combine to the KGI's unit."""

from collections.abc import Collection, Iterator
from typing import cast

from kpilint.build import EntityRecord
from kpilint.diagnostics import Related, Severity, Violation
from kpilint.formula import (
    Chain,
    Dimension,
    Expr,
    Formula,
    Neg,
    Num,
    Ref,
    UnitMismatch,
    dimension_of,
    show_dimension,
    show_number,
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


def percent_literals(formula: Formula, percent: Collection[str]) -> Iterator[tuple[Num, str]]:
    """Each number beyond ±1 added to or subtracted from a term of the ``percent`` KPIs (``100 +
    expansion - churn``), with that KPI's id: percent terms enter as value/100, so the number
    is on the wrong scale (1 is 100%)."""
    stack: list[Expr] = [formula.tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Neg):
            stack.append(node.operand)
        if not isinstance(node, Chain):
            continue
        operands = [node.first, *(operand for _, operand in node.rest)]
        stack.extend(reversed(operands))
        term = _percent_term(node, percent)
        if term is None:
            continue
        for number in (_number(operand) for operand in operands):
            if number is not None and abs(number.value) > 1:
                yield number, term


def percent_literal_message(number: Num, term: str) -> str:
    return (f"the number {number.token.text} at column {number.token.column} of the formula is"
            f" added to or subtracted from percent KPI '{term}', which enters a formula as"
            f" value/100 (40% is 0.4): write {show_number(number.value / 100)} for"
            f" {number.token.text}%")


def _number(operand: Expr) -> Num | None:
    while isinstance(operand, Neg):
        operand = operand.operand
    return operand if isinstance(operand, Num) else None


def _percent_term(operand: Expr, percent: Collection[str]) -> str | None:
    """The id of the percent KPI that ``operand`` is, negates, or adds or subtracts."""
    while isinstance(operand, Neg):
        operand = operand.operand
    if isinstance(operand, Ref):
        return operand.id if operand.id in percent else None
    if isinstance(operand, Chain) and operand.rest[0][0].text in "+-":
        inner = [operand.first, *(item for _, item in operand.rest)]
        return next(filter(None, (_percent_term(item, percent) for item in inner)), None)
    return None


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
        by_id = {kpi.id: kpi for kpi in terms}
        percent = [kpi.id for kpi in terms if kpi.model.unit == "percent"]
        for number, term in percent_literals(formula, percent):
            yield Violation(kgi.at_field("formula"), percent_literal_message(number, term),
                            subject=kgi.id, field="formula", related=_units_of([by_id[term]]))
        problem = unit_problem(kgi, formula, terms)
        if problem is not None:
            yield Violation(kgi.at_field("formula"), problem, subject=kgi.id,
                            field="formula", related=_units_of(distinct(terms)))


def _units_of(terms: list[EntityRecord[Kpi]]) -> tuple[Related, ...]:
    return tuple(Related(kpi.at_field("unit"), f"KPI '{kpi.id}' is in {kpi.model.unit}")
                 for kpi in terms)
