"""P302 unpaired-volume: a count KPI has no quality or counter KPI paired with it."""

from collections.abc import Iterator

from kpilint.diagnostics import Related, Severity, Violation
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.rule import Context, ProjectRule

RATE_UNITS = frozenset({"percent", "ratio", "score"})


class UnpairedVolume(ProjectRule):
    """Pairing is symmetric: a KPI named in another KPI's `paired_with` is paired too."""

    code = "P302"
    name = "unpaired-volume"
    severity = Severity.WARNING
    summary = "A volume KPI has no quality KPI beside it, which invites gaming the count"

    def check(self, graph: ProjectGraph, context: Context) -> Iterator[Violation]:
        rate_supporters: dict[str, list[AnyRecord]] = {}  # each target's rate KPIs, found once
        for kpi in graph.kpis:
            if (kpi.model.unit != "count" or kpi.id in graph.paired or kpi.model.paired_with
                    or "paired_with" in kpi.invalid):
                continue
            siblings = {
                other.id: other for target in (kpi.model.supports or [])
                if target in graph.entities
                for other in _rate_supporters(graph, target, rate_supporters)
                if other.id != kpi.id
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


def _rate_supporters(graph: ProjectGraph, target: str,
                     known: dict[str, list[AnyRecord]]) -> list[AnyRecord]:
    """The rate-unit KPIs supporting ``target`` directly (computed once per target, so 5,000
    count KPIs of one KGI cost linear, not quadratic, time)."""
    if target not in known:
        known[target] = [other for other in graph.supporters(target, "KPI")
                         if getattr(other.model, "unit", None) in RATE_UNITS]
    return known[target]
