"""P302 unpaired-volume: a count KPI has no quality or counter KPI paired with it."""

from collections import defaultdict
from collections.abc import Iterator

from kpilint.build import EntityRecord
from kpilint.diagnostics import Related, Severity, Violation
from kpilint.dialects import format_note
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
MAX_PARTNERS = 3
Placed = tuple[int, EntityRecord[Kpi]]
"""A KPI with its place in project order (by which groups are merged)."""
Groups = tuple[list[Placed], list[Placed]]
"""Quality KPIs not yet paired, and paired ones, each in project order."""


def volume_evidence(kpi: Kpi) -> str:
    """Why the KPI counts volume: its unit, or else its name."""
    if kpi.unit is not None and is_volume("", kpi.unit):
        return f"`unit: {kpi.unit}`"
    return "its name counts"


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


class QualityIndex:
    """The project's quality KPIs by what they support directly and by the KGIs they reach,
    built once per check so that finding partners stays linear in the project's size; and, from
    the same pass over the KPIs, the unpaired ones that count volume."""

    def __init__(self, graph: ProjectGraph) -> None:
        self.graph = graph
        self.by_target: dict[str, Groups] = defaultdict(lambda: ([], []))
        self.by_goal: dict[str, Groups] = defaultdict(lambda: ([], []))
        self.unpaired_volume: list[EntityRecord[Kpi]] = []
        """Volume KPIs paired with nothing, in project order (each one a finding)."""
        facts = graph.kpi_facts()  # each KPI's reach, shared with the goal rules
        by_target, by_goal, pairs = self.by_target, self.by_goal, graph.paired
        for place, (other, reached) in enumerate(zip(facts.records, facts.reached,
                                                     strict=True)):
            model = other.model  # in project order, not yet paired ones in [0]
            if model.unit in RATE_UNITS:  # a rate (is_volume says no): of quality at once
                quality = True
            else:
                if (is_volume(model.name, model.unit) and other.id not in pairs
                        and not model.paired_with and "paired_with" not in other.invalid):
                    self.unpaired_volume.append(other)
                quality = measures_quality(model)
            if quality:
                paired = other.id in pairs
                placed = (place, other)
                for target in model.supports or []:
                    by_target[target][paired].append(placed)
                for kgi_id in reached:
                    by_goal[kgi_id][paired].append(placed)

    def partners(self, kpi: EntityRecord[Kpi]) -> list[EntityRecord[Kpi]]:
        """Quality KPIs that could pair with ``kpi``, at most :data:`MAX_PARTNERS`: those
        supporting one of its own KSFs or KGIs, else those reaching one of its KGIs; ones not
        yet paired with anything first, then in project order."""
        groups = [self.by_target[target] for target in kpi.model.supports or []
                  if target in self.by_target]
        if not groups:
            groups = [self.by_goal[kgi_id] for kgi_id in self.graph.kgis_reached.ids(kpi.id)
                      if kgi_id in self.by_goal]
        import heapq  # only when a volume KPI is unpaired: a run that checks none skips it

        found: dict[str, EntityRecord[Kpi]] = {}
        for paired in (False, True):  # each group is in project order: merge, stop early
            # by place (a KPI in two groups ties with itself, and equal tuples compare no
            # records)
            for _, other in heapq.merge(*(group[paired] for group in groups)):
                if other.id != kpi.id:
                    found.setdefault(other.id, other)
                    if len(found) == MAX_PARTNERS:
                        return list(found.values())
        return list(found.values())


class UnpairedVolume(ProjectRule):
    """Pairing is symmetric: a KPI named in another KPI's `paired_with` is paired too."""

    code = "P302"
    name = "unpaired-volume"
    severity = Severity.WARNING
    summary = "A volume KPI has no quality KPI beside it, which invites gaming the count"
    reads = frozenset({"name", "unit", "supports", "paired_with", "direction"})

    def check(self, graph: ProjectGraph, context: Context) -> Iterator[Violation]:
        quality = QualityIndex(graph)
        for kpi in quality.unpaired_volume:
            partners = quality.partners(kpi)
            hint = (f", e.g. `paired_with: {partners[0].id}`" if partners else
                    " (a conversion, error or quality rate of the same work)")
            pressure = PRESSURE.get(kpi.model.direction or "", "made to look good")
            yield Violation(
                kpi.at_entity(),
                f"KPI '{kpi.id}' counts volume ({volume_evidence(kpi.model)}) with no quality KPI"
                f" paired with it: a count alone can be {pressure} at the expense of quality; add"
                f" `paired_with:` naming the KPI that keeps it honest{hint}"
                f"{format_note(kpi, 'paired_with')}",
                subject=kpi.id,
                related=tuple(Related(other.at_entity(), f"KPI '{other.id}' could pair with it")
                              for other in partners))
