"""G104 unmeasured-ksf: no KPI supports the KSF."""

from kpilint.diagnostics import Severity, Violation
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.rule import Context, ProjectRule, Scope


class UnmeasuredKsf(ProjectRule):
    """A success factor without a KPI is a strategy nobody can check."""

    code = "G104"
    name = "unmeasured-ksf"
    severity = Severity.WARNING
    summary = "No KPI supports a KSF, so the success factor is never measured"

    scope = Scope.ENTITY
    kinds = ("KSF",)
    reads = frozenset()

    def units(self, graph: ProjectGraph) -> list[AnyRecord]:
        """Only a KSF no KPI supports has a finding: the whole run checks those alone."""
        supported = graph.is_supported
        return [ksf for ksf in graph.ksfs if not supported(ksf.id, "KPI")]

    def check_unit(self, graph: ProjectGraph, ksf: AnyRecord,
                   context: Context) -> list[Violation]:
        """A list, not a generator: nearly every KSF has a KPI, and is done at once."""
        if graph.is_supported(ksf.id, "KPI"):
            return []
        return [Violation(
            ksf.at_entity(),
            f"no KPI supports KSF '{ksf.id}': add a KPI with `supports: {ksf.id}` that"
            " measures whether this factor is happening",
            subject=ksf.id)]
