"""G108 orphan-ksf: a KSF supports no KGI."""

from kpilint.checks import broken_supports
from kpilint.diagnostics import Severity, Violation
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.rule import Context, ProjectRule, Scope


class OrphanKsf(ProjectRule):
    """A success factor must be the key to some goal."""

    code = "G108"
    name = "orphan-ksf"
    severity = Severity.ERROR
    summary = "A KSF supports no KGI, so the strategy is not tied to any goal"

    scope = Scope.ENTITY
    kinds = ("KSF",)
    reads = frozenset({"supports"})

    def units(self, graph: ProjectGraph) -> list[AnyRecord]:
        """Only a KSF that reaches no KGI has a finding: the whole run checks those alone."""
        reached = graph.kgis_reached.ids
        return [ksf for ksf in graph.ksfs if not reached(ksf.id)]

    def check_unit(self, graph: ProjectGraph, ksf: AnyRecord,
                   context: Context) -> list[Violation]:
        """A list, not a generator: nearly every KSF reaches a KGI, and is done at once."""
        if graph.kgis_reached.ids(ksf.id):
            return []
        detail = broken_supports(ksf, "KGI") or (
            "add `supports:` with the id of the KGI this factor is key to")
        return [Violation(ksf.at_entity(), f"KSF '{ksf.id}' supports no KGI: {detail}",
                          subject=ksf.id)]
