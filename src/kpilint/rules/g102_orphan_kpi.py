"""G102 orphan-kpi: a KPI has no supports path to any KGI."""

from typing import cast

from kpilint.build import EntityRecord
from kpilint.checks import broken_supports
from kpilint.diagnostics import Severity, Violation
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.model import Kpi
from kpilint.rule import Context, ProjectRule, Scope


class OrphanKpi(ProjectRule):
    """A KPI must reach a KGI directly or through a KSF."""

    code = "G102"
    name = "orphan-kpi"
    severity = Severity.ERROR
    summary = "A KPI is not linked to any KGI, directly or through a KSF"

    scope = Scope.ENTITY
    kinds = ("KPI",)
    reads = frozenset({"supports"})

    def units(self, graph: ProjectGraph) -> list[AnyRecord]:
        """Only a KPI that reaches no KGI has a finding: the whole run checks those alone (a
        change checks every KPI it reaches)."""
        facts = graph.kpi_facts()
        return [record for record, reached in zip(facts.records, facts.reached, strict=True)
                if not reached]

    def check_unit(self, graph: ProjectGraph, record: AnyRecord,
                   context: Context) -> list[Violation]:
        """A list, not a generator: nearly every KPI reaches a KGI, and is done at once."""
        kpi = cast("EntityRecord[Kpi]", record)
        if graph.kgis_reached.ids(kpi.id):
            return []
        linked = [target for target in kpi.model.supports or []
                  if graph.supports(kpi.id, target)]
        if linked:
            detail = ("its `supports` (" + ", ".join(linked) + ") lead to no KGI;"
                      " link those KSFs to a KGI or point the KPI at one")
        else:
            detail = broken_supports(kpi, "KSF or KGI") or (
                "add `supports:` with the id of the KSF or KGI it drives")
        return [Violation(kpi.at_entity(), f"KPI '{kpi.id}' does not reach any KGI: {detail}",
                          subject=kpi.id)]
