"""R503 target-met: the actual already meets the target before the deadline."""

from collections.abc import Iterator

from kpilint.build import SpecFile
from kpilint.checks import describe
from kpilint.diagnostics import Severity, Violation
from kpilint.model import Actual
from kpilint.progress import (
    DECREASE,
    INCREASE,
    actual_value,
    direction_of,
    exact,
    plain_target,
    quantity,
)
from kpilint.rule import Context, FileRule, measured_entities


class TargetMet(FileRule):
    """A plain target reached (inclusive) on or before the deadline, in the entity's direction."""

    code = "R503"
    name = "target-met"
    severity = Severity.INFO
    summary = "The actual already meets the target: raise it, or record the result and retire it"

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        for record in measured_entities(spec):
            actual: Actual | None = getattr(record.model, "actual", None)
            if actual is None:  # most entities: nothing else to read
                continue
            target = plain_target(record.model)
            deadline = getattr(record.model, "deadline", None)
            direction = direction_of(record.model)
            if (target is None or deadline is None
                    or direction not in (INCREASE, DECREASE) or actual.as_of > deadline):
                continue
            value = actual_value(record)
            goal = exact(record, "target", target)
            assert value is not None
            met = value >= goal if direction == INCREASE else value <= goal
            if not met:
                continue
            unit = getattr(record.model, "unit", None)
            relation = "≥" if direction == INCREASE else "≤"
            yield Violation(
                record.at_field("actual"),
                f"{describe(record)} has met its target: actual {quantity(value, unit)} on"
                f" {actual.as_of.isoformat()} {relation} target {quantity(goal, unit)}, due"
                f" {deadline.isoformat()}: raise the target, or record the result and retire it",
                subject=record.id, field="actual")
