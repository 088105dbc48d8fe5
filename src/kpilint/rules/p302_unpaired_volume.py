"""P302 unpaired-volume: a count KPI has no quality or counter KPI paired with it."""

from collections.abc import Iterator

from kpilint.build import EntityRecord
from kpilint.diagnostics import Related, Severity, Violation
from kpilint.formula import CURRENCY, TIME_UNITS
from kpilint.graph import ProjectGraph
from kpilint.lexicon import PERCENT_SIGN, words
from kpilint.model import Kpi
from kpilint.rule import Context, ProjectRule
from kpilint.wording import is_volume

RATE_UNITS = frozenset({"percent", "ratio", "score"})
RATE_WORDS = frozenset({"rate", "ratio", "score", "share", "percent", "percentage"})
RATE_MARKS = (PERCENT_SIGN, "率", "割合", "スコア")
PRESSURE = {"increase": "pushed up", "decrease": "pushed down"}


def measures_quality(kpi: Kpi) -> bool:
    """A rate, ratio or score: by its unit, or by its name when no unit says it is a count,
    an amount of money or a duration."""
    if kpi.unit in RATE_UNITS:
        return True
    if kpi.unit is not None and (kpi.unit == "count" or kpi.unit in TIME_UNITS
                                 or CURRENCY.match(kpi.unit)):
        return False
    return any(mark in kpi.name for mark in RATE_MARKS) or not RATE_WORDS.isdisjoint(
        words(kpi.name))


def quality_partners(kpi: EntityRecord[Kpi], graph: ProjectGraph) -> list[EntityRecord[Kpi]]:
    """Quality KPIs that could pair with ``kpi``: those supporting one of its own KSFs or KGIs,
    else those reaching one of its KGIs; ones not yet paired with anything first."""
    reached = {kgi.id for kgi in graph.kgis_reached[kpi.id]}
    same_target, same_goal = [], []
    for other in graph.kpis:
        if other.id == kpi.id or not measures_quality(other.model):
            continue
        if any(graph.supports_graph.has_edge(other.id, target)
               for target in kpi.model.supports or []):
            same_target.append(other)
        elif reached.intersection(kgi.id for kgi in graph.kgis_reached[other.id]):
            same_goal.append(other)
    return sorted(same_target or same_goal, key=lambda other: other.id in graph.paired)


class UnpairedVolume(ProjectRule):
    """Pairing is symmetric: a KPI named in another KPI's `paired_with` is paired too."""

    code = "P302"
    name = "unpaired-volume"
    severity = Severity.WARNING
    summary = "A volume KPI has no quality KPI beside it, which invites gaming the count"

    def check(self, graph: ProjectGraph, context: Context) -> Iterator[Violation]:
        for kpi in graph.kpis:
            if (not is_volume(kpi.model.name, kpi.model.unit) or kpi.id in graph.paired
                    or kpi.model.paired_with or "paired_with" in kpi.invalid):
                continue
            partners = quality_partners(kpi, graph)
            hint = (f", e.g. `paired_with: {partners[0].id}`" if partners else
                    " (a conversion, error or quality rate of the same work)")
            pressure = PRESSURE.get(kpi.model.direction or "", "made to look good")
            yield Violation(
                kpi.at_entity(),
                f"KPI '{kpi.id}' counts volume (`unit: count`) with no quality KPI paired with"
                f" it: a count alone can be {pressure} at the expense of quality; add"
                f" `paired_with:` naming the KPI that keeps it honest{hint}",
                subject=kpi.id,
                related=tuple(Related(other.at_entity(), f"KPI '{other.id}' could pair with it")
                              for other in partners))
