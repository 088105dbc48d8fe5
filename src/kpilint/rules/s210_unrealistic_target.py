"""S210 unrealistic-target: the target is too far from the baseline to be believable."""

from collections.abc import Iterator, Mapping
from typing import ClassVar

from kpilint.build import SpecFile
from kpilint.checks import describe, number
from kpilint.diagnostics import Severity, Violation
from kpilint.progress import plain_target
from kpilint.rule import Context, FileRule, Option, measured_entities


class UnrealisticTarget(FileRule):
    """|target - baseline| / |baseline| over `max-change`; a baseline of 0 and band targets are
    skipped."""

    code = "S210"
    name = "unrealistic-target"
    severity = Severity.WARNING
    summary = "A target changes the baseline by more than is realistic in one period"
    options: ClassVar[Mapping[str, Option]] = {
        "max-change": Option(1.0, {"type": "number", "exclusiveMinimum": 0},
                             "largest relative change allowed (1.0 = 100%)"),
    }

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        limit: float = self.option("max-change")
        for record in measured_entities(spec):
            target = plain_target(record.model)
            baseline = getattr(record.model, "baseline", None)
            if target is None or baseline is None or baseline.value == 0:
                continue
            change = (target - baseline.value) / abs(baseline.value)
            if abs(change) <= limit:
                continue
            yield Violation(
                record.at_field("target"),
                f"the target of {describe(record)} ({number(target)}) is {change:+.0%} from its"
                f" baseline {number(baseline.value)}, more than the {limit:.0%} a team can"
                " credibly plan for: set an intermediate target or split the goal",
                subject=record.id, field="target")
