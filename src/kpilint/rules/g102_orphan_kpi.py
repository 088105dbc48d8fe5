"""G102 orphan-kpi: a KPI has no supports path to any KGI."""

from collections.abc import Iterator

from kpilint.checks import broken_supports
from kpilint.diagnostics import Severity, Violation
from kpilint.graph import ProjectGraph
from kpilint.rule import Context, ProjectRule


class OrphanKpi(ProjectRule):
    """A KPI must reach a KGI directly or through a KSF."""

    code = "G102"
    name = "orphan-kpi"
    severity = Severity.ERROR
    summary = "A KPI is not linked to any KGI, directly or through a KSF"

    def check(self, graph: ProjectGraph, context: Context) -> Iterator[Violation]:
        for kpi in graph.kpis:
            if graph.kgis_reached[kpi.id]:
                continue
            linked = [target for target in kpi.model.supports or []
                      if graph.supports_graph.has_edge(kpi.id, target)]
            if linked:
                detail = ("its `supports` (" + ", ".join(linked) + ") lead to no KGI;"
                          " link those KSFs to a KGI or point the KPI at one")
            else:
                detail = broken_supports(kpi, "KSF or KGI") or (
                    "add `supports:` with the id of the KSF or KGI it drives")
            yield Violation(kpi.at_entity(), f"KPI '{kpi.id}' does not reach any KGI: {detail}",
                            subject=kpi.id)
