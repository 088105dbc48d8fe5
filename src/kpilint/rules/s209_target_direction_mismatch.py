"""S209 target-direction-mismatch: the target does not move the way `direction` says."""

import operator
from collections.abc import Callable, Iterator

from kpilint.build import SpecFile
from kpilint.checks import describe, number
from kpilint.diagnostics import Severity, Violation
from kpilint.rule import Context, FileRule

WANTED: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "increase": ("above", operator.gt),
    "decrease": ("below", operator.lt),
    "maintain": ("equal to", operator.eq),
}


class TargetDirectionMismatch(FileRule):
    """Compares target with baseline for KPIs and KGIs that declare all three fields."""

    code = "S209"
    name = "target-direction-mismatch"
    severity = Severity.ERROR
    summary = "A target does not move from the baseline in the declared direction"

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        for record in spec.entities:
            model = record.model
            direction = getattr(model, "direction", None)
            target = getattr(model, "target", None)
            baseline = getattr(model, "baseline", None)
            if direction is None or target is None or baseline is None:
                continue
            relation, holds = WANTED[direction]
            if holds(target, baseline.value):
                continue
            yield Violation(
                record.at_field("target"),
                f"{describe(record)} has `direction: {direction}` but its target"
                f" {number(target)} is not {relation} its baseline {number(baseline.value)}:"
                " fix the target or the direction",
                subject=record.id, field="target")
