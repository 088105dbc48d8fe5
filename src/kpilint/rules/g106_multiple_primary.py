"""G106 multiple-primary: more than one KPI of a KGI is marked `primary: true`."""

from collections.abc import Iterator

from kpilint.diagnostics import Severity, Violation
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.rule import Context, ProjectRule, Scope


class MultiplePrimary(ProjectRule):
    """A goal has one headline KPI; several make none of them the headline."""

    code = "G106"
    name = "multiple-primary"
    severity = Severity.WARNING
    summary = "More than one KPI is marked as the primary KPI of the same KGI"

    scope = Scope.GOAL
    reads = frozenset({"primary"})

    def check_unit(self, graph: ProjectGraph, kgi: AnyRecord,
                   context: Context) -> Iterator[Violation]:
        primaries = [kpi for kpi in graph.kpis_reaching[kgi.id] if kpi.model.primary]
        if len(primaries) > 1:
            names = ", ".join(f"'{kpi.id}'" for kpi in primaries[:5]) + (
                f" and {len(primaries) - 5} more" if len(primaries) > 5 else "")
            yield Violation(
                kgi.at_entity(),
                f"KGI '{kgi.id}' has {len(primaries)} primary KPIs ({names}); mark only"
                " one `primary: true`",
                subject=kgi.id, related=graph.as_related(primaries))
