"""T404 actuals-fall-short: the KGI formula over the KPI actuals forecasts a miss of the KGI
target, and names the term furthest behind its own target (the bottleneck)."""

from collections.abc import Iterator
from typing import cast

from kpilint.build import EntityRecord
from kpilint.diagnostics import Related, Severity, Violation
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.model import Kgi, Kpi
from kpilint.progress import actual_value, bottleneck, quantity, ratio_text, rollup
from kpilint.rule import Context, ProjectRule, Scope


class ActualsFallShort(ProjectRule):
    """Formula terms are rates per period, so the formula over the actuals is the run rate."""

    code = "T404"
    name = "actuals-fall-short"
    severity = Severity.WARNING
    summary = "At the KPIs' current actuals, the KGI formula forecasts a miss of the KGI target"

    scope = Scope.GOAL

    def check_unit(self, graph: ProjectGraph, record: AnyRecord,
                   context: Context) -> Iterator[Violation]:
        kgi = cast(EntityRecord[Kgi], record)
        result = rollup(graph, kgi, actual_value)
        shortfall = result.shortfall() if result is not None else None
        if result is None or shortfall is None:
            return
        message = f"at the KPI actuals the formula forecasts {shortfall}"
        slowest = bottleneck(result.terms)
        terms = result.terms
        if slowest is not None:
            kpi, ratio = slowest
            message += f"; bottleneck: {kpi.id} at {ratio_text(ratio)} of its target"
            terms = [kpi, *(term for term in terms if term is not kpi)]
        related = tuple(Related(term.at_field("actual"), _actual_of(term)) for term in terms)
        yield Violation(kgi.at_field("formula"), message, subject=kgi.id, field="formula",
                        related=related)


def _actual_of(kpi: EntityRecord[Kpi]) -> str:
    """``KPI 'win-rate' actual 15% on 2026-11-15``."""
    actual = kpi.model.actual
    value = actual_value(kpi)
    assert actual is not None and value is not None
    return (f"KPI '{kpi.id}' actual {quantity(value, kpi.model.unit)} on"
            f" {actual.as_of.isoformat()}")
