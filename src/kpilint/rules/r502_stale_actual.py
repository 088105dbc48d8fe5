"""R502 stale-actual: the actual is older than two review periods, or dated after today."""

from collections.abc import Iterator, Mapping
from typing import ClassVar

from kpilint.build import SpecFile
from kpilint.checks import describe
from kpilint.diagnostics import Severity, Violation
from kpilint.model import Actual
from kpilint.rule import Context, FileRule, Option, measured_entities

MAX_AGE_BY_CADENCE: dict[str, int] = {
    "daily": 2, "weekly": 14, "biweekly": 28, "monthly": 62, "quarterly": 184,
    "semiannual": 366, "annual": 731,
}


class StaleActual(FileRule):
    """Two cadence periods at most; `max-age-days` without a cadence."""

    code = "R502"
    name = "stale-actual"
    severity = Severity.WARNING
    summary = "The recorded actual is too old to tell where the KPI stands, or dated in the future"
    options: ClassVar[Mapping[str, Option]] = {
        "max-age-days": Option(92, {"type": "integer", "minimum": 1},
                               "most days an actual may be old when the entity has no `cadence`"),
    }

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        for record in measured_entities(spec):
            actual: Actual | None = getattr(record.model, "actual", None)
            if actual is None:
                continue
            age = (context.today - actual.as_of).days
            cadence: str | None = getattr(record.model, "cadence", None)
            limit = MAX_AGE_BY_CADENCE[cadence] if cadence else self.option("max-age-days")
            if age < 0:
                message = (f"the actual of {describe(record)} is dated"
                           f" {actual.as_of.isoformat()}, after today"
                           f" ({context.today.isoformat()}): record the date it was measured")
            elif age > limit:
                rhythm = (f"a {cadence} {record.kind} is measured at least every {limit} days"
                          if cadence else f"more than {limit} days")
                message = (f"the actual of {describe(record)} is {age} days old (as of"
                           f" {actual.as_of.isoformat()}; {rhythm}): record the latest value"
                           " and its date")
            else:
                continue
            yield Violation(record.at_field("actual.as_of"), message, subject=record.id,
                            field="actual.as_of")
