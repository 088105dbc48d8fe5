"""T403 targets-fall-short: the KPI targets, put through the formula, miss the KGI target."""

from collections.abc import Iterator
from typing import cast

from kpilint.build import EntityRecord
from kpilint.diagnostics import Related, Severity, Violation
from kpilint.formula import DivisionByZero
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.model import Kgi
from kpilint.progress import formula_quantity, rollup, target_value
from kpilint.rule import Context, ProjectRule, Scope


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
        result = rollup(graph, kgi, target_value)
        if result is None:
            return None
        related = tuple(
            Related(kpi.at_field("target"), f"KPI '{kpi.id}' target"
                    f" {formula_quantity(result.values[kpi.id], kpi.model.unit)}")
            for kpi in result.terms)
        at = kgi.at_field("formula")
        if isinstance(result.reached, DivisionByZero):
            zero = result.reached
            return Violation(
                at, f"on the KPI targets the formula divides by zero (the"
                f" '{zero.operator.text}' at column {zero.operator.column} of the formula), so"
                " it cannot reach the KGI target: give the divisor a non-zero target or fix the"
                " formula", subject=kgi.id, field="formula", related=related)
        shortfall = result.shortfall()
        if shortfall is None:
            return None
        return Violation(at, f"KPI targets reach {shortfall}", subject=kgi.id, field="formula",
                         related=related)
