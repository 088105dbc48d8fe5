"""G105 lagging-only: every KPI of a KGI whose indicator is known is lagging."""

from kpilint.checks import IndicatorInference
from kpilint.diagnostics import Severity, Violation
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.rule import Context, ProjectRule, Scope


class LaggingOnly(IndicatorInference, ProjectRule):
    """Indicators are declared, or inferred from the lexicon when undeclared."""

    code = "G105"
    name = "lagging-only"
    severity = Severity.WARNING
    summary = "A KGI is tracked only by lagging KPIs, which report results too late to act"

    scope = Scope.GOAL
    reads = frozenset({"indicator", "name"})

    def check_unit(self, graph: ProjectGraph, kgi: AnyRecord,
                   context: Context) -> list[Violation]:
        """A list, not a generator; the first leading KPI ends the search."""
        lagging: list[AnyRecord] = []
        indicator = self.indicator
        for kpi in graph.kpis_reaching[kgi.id]:
            found = indicator(kpi.model)
            if found == "leading":
                return []
            if found == "lagging":
                lagging.append(kpi)
        if not lagging:
            return []
        return [Violation(
            kgi.at_entity(),
            f"every KPI of KGI '{kgi.id}' with a known indicator is lagging"
            f" ({len(lagging)}): they report the result once it is too late to change;"
            " add a leading KPI the team can move this month (activity, pipeline,"
            " adoption)",
            subject=kgi.id, related=graph.as_related(lagging))]
