"""S209 target-direction-mismatch: the target does not move the way `direction` says."""

import operator
from collections.abc import Callable, Iterator

from kpilint.build import EntityRecord, SpecFile
from kpilint.checks import describe, number
from kpilint.diagnostics import Severity, Violation
from kpilint.model import Band, Entity
from kpilint.progress import MAINTAIN
from kpilint.rule import Context, FileRule, measured_entities

WANTED: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "increase": ("above", operator.gt),
    "decrease": ("below", operator.lt),
    "maintain": ("equal to", operator.eq),
}


def band_text(band: Band) -> str:
    """``{min: 95}``, ``{min: 95, max: 99}``, as written in YAML."""
    bounds = [f"{key}: {number(value)}" for key, value in (("min", band.min), ("max", band.max))
              if value is not None]
    return "{" + ", ".join(bounds) + "}"


class TargetDirectionMismatch(FileRule):
    """Compares target with baseline for KPIs and KGIs that declare all three fields; a band
    target is a standing one, so it only goes with `maintain`."""

    code = "S209"
    name = "target-direction-mismatch"
    severity = Severity.ERROR
    summary = "A target does not move from the baseline in the declared direction"

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        for record in measured_entities(spec):
            message = self._mismatch(record)
            if message is not None:
                yield Violation(record.at_field("target"), message, subject=record.id,
                                field="target")

    @staticmethod
    def _mismatch(record: EntityRecord[Entity]) -> str | None:
        model = record.model
        direction = getattr(model, "direction", None)
        target = getattr(model, "target", None)
        baseline = getattr(model, "baseline", None)
        if direction is None or target is None:
            return None
        if isinstance(target, Band):
            if direction == MAINTAIN:
                return None
            return (f"{describe(record)} has a band target {band_text(target)} but"
                    f" `direction: {direction}`: a band is a standing target to hold every"
                    " period; remove the direction (a band means `maintain`) or give a number"
                    " to reach")
        relation, holds = WANTED[direction]
        if baseline is None or holds(target, baseline.value):
            return None
        return (f"{describe(record)} has `direction: {direction}` but its target"
                f" {number(target)} is not {relation} its baseline {number(baseline.value)}:"
                " fix the target or the direction")
