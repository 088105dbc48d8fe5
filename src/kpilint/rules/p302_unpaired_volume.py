"""P302 unpaired-volume: a count KPI has no quality or counter KPI paired with it."""

from collections.abc import Iterator
from typing import cast

from kpilint.build import EntityRecord
from kpilint.diagnostics import Related, Severity, Violation
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.model import Kpi
from kpilint.rule import Context, ProjectRule, Scope

RATE_UNITS = frozenset({"percent", "ratio", "score"})


class UnpairedVolume(ProjectRule):
    """Pairing is symmetric: a KPI named in another KPI's `paired_with` is paired too."""

    code = "P302"
    name = "unpaired-volume"
    severity = Severity.WARNING
    summary = "A volume KPI has no quality KPI beside it, which invites gaming the count"

    scope = Scope.ENTITY
    kinds = ("KPI",)

    def check_unit(self, graph: ProjectGraph, record: AnyRecord,
                   context: Context) -> Iterator[Violation]:
        kpi = cast(EntityRecord[Kpi], record)
        if (kpi.model.unit != "count" or graph.is_paired(kpi.id) or kpi.model.paired_with
                or "paired_with" in kpi.invalid):
            return
        siblings = {
            other.id: other for target in (kpi.model.supports or [])
            if target in graph.entities
            for other in graph.supporters(target, "KPI")
            if other.id != kpi.id and getattr(other.model, "unit", None) in RATE_UNITS
        }
        hint = (f", e.g. `paired_with: {next(iter(siblings))}`" if siblings else
                " (a conversion, error or quality rate of the same work)")
        yield Violation(
            kpi.at_entity(),
            f"KPI '{kpi.id}' counts volume (`unit: count`) with no quality KPI paired with"
            f" it: a count alone can be pushed up at the expense of quality; add"
            f" `paired_with:` naming the KPI that keeps it honest{hint}",
            subject=kpi.id,
            related=tuple(Related(other.at_entity(), f"KPI '{other.id}' could pair with it")
                          for other in siblings.values()))
