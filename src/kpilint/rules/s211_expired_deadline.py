"""S211 expired-deadline: the deadline has passed."""

from collections.abc import Iterator

from kpilint.build import SpecFile
from kpilint.checks import describe
from kpilint.diagnostics import Severity, Violation
from kpilint.rule import Context, FileRule, measured_entities


class ExpiredDeadline(FileRule):
    """Compares the deadline (a period's last day for YYYY-MM and YYYY-Qn) with today."""

    code = "S211"
    name = "expired-deadline"
    severity = Severity.WARNING
    summary = "A deadline has passed, so the KPI or KGI is no longer steering anything"

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        for record in measured_entities(spec):
            deadline = getattr(record.model, "deadline", None)
            if deadline is None or deadline >= context.today:
                continue
            yield Violation(
                record.at_field("deadline"),
                f"the deadline of {describe(record)} ({deadline.isoformat()}) has passed"
                f" (today is {context.today.isoformat()}): record the result, then set the next"
                " period's target and deadline or retire it",
                subject=record.id, field="deadline")
