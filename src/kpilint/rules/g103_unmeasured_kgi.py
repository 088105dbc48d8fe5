"""G103 unmeasured-kgi: no KPI reaches the KGI."""

from collections.abc import Iterator

from kpilint.diagnostics import Severity, Violation
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.rule import Context, ProjectRule, Scope


class UnmeasuredKgi(ProjectRule):
    """A goal with no KPI under it has nothing to steer by until the result is in."""

    code = "G103"
    name = "unmeasured-kgi"
    severity = Severity.WARNING
    summary = "No KPI reaches a KGI, so progress toward the goal is not tracked"

    scope = Scope.GOAL
    reads = frozenset()

    def check_unit(self, graph: ProjectGraph, kgi: AnyRecord,
                   context: Context) -> Iterator[Violation]:
        if not graph.kpis_reaching[kgi.id]:
            yield Violation(
                kgi.at_entity(),
                f"no KPI reaches KGI '{kgi.id}': add KPIs that support it (directly or"
                " through a KSF) so progress shows before the deadline",
                subject=kgi.id)
