"""G108 orphan-ksf: a KSF supports no KGI."""

from collections.abc import Iterator

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

    def check_unit(self, graph: ProjectGraph, ksf: AnyRecord,
                   context: Context) -> Iterator[Violation]:
        if not graph.kgis_reached.ids(ksf.id):
            detail = broken_supports(ksf, "KGI") or (
                "add `supports:` with the id of the KGI this factor is key to")
            yield Violation(ksf.at_entity(), f"KSF '{ksf.id}' supports no KGI: {detail}",
                            subject=ksf.id)
