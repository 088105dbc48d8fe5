"""S202 missing-deadline: A KPI or KGI has no deadline by which its target must be met."""

from kpilint.build import EntityRecord
from kpilint.checks import MissingField, example_deadline
from kpilint.diagnostics import Severity
from kpilint.model import Entity
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
