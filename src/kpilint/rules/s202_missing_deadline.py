"""S202 missing-deadline: A KPI or KGI has no deadline by which its target must be met.

A standing target (a band, or `direction: maintain`) must hold every period instead: its `cadence`
bounds it in time, so it needs a deadline only when it has no cadence either.
"""

from kpilint.build import EntityRecord
from kpilint.checks import MissingField, describe, example_deadline
from kpilint.diagnostics import Severity
from kpilint.model import Entity
from kpilint.progress import MAINTAIN, band_of, direction_of
from kpilint.rule import Context


class MissingDeadline(MissingField):
    """Reported at the entity."""

    code = "S202"
    name = "missing-deadline"
    severity = Severity.ERROR
    summary = "A KPI or KGI has no deadline by which its target must be met"
    field_name = "deadline"
    kinds = ("KPI", "KGI")

    def advice(self, record: EntityRecord[Entity], context: Context) -> str:
        example = example_deadline(context.today)
        return (f"add the date its target is due, e.g. `deadline: {example}`"
                " (YYYY-MM-DD, YYYY-MM or YYYY-Qn)")

    def message(self, record: EntityRecord[Entity], context: Context) -> str | None:
        if band_of(record.model) is None and direction_of(record.model) != MAINTAIN:
            return super().message(record, context)
        if not record.lacks("cadence"):
            return None
        return (f"{describe(record)} has no `deadline` and no `cadence`: a `maintain` target"
                " must hold every period, so add the period it is checked in, e.g. `cadence:"
                f" monthly`, or the date it must hold by, e.g. `deadline:"
                f" {example_deadline(context.today)}`")
