"""G104 unmeasured-ksf: no KPI supports the KSF."""

from collections.abc import Iterator

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

    def check_unit(self, graph: ProjectGraph, ksf: AnyRecord,
                   context: Context) -> Iterator[Violation]:
        if not graph.is_supported(ksf.id, "KPI"):
            yield Violation(
                ksf.at_entity(),
                f"no KPI supports KSF '{ksf.id}': add a KPI with `supports: {ksf.id}` that"
                " measures whether this factor is happening",
                subject=ksf.id)
