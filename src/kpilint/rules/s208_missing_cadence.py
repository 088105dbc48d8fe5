"""S208 missing-cadence: A KPI has no review cadence, so it risks being set and forgotten."""

from kpilint.build import EntityRecord
from kpilint.checks import MissingField
from kpilint.diagnostics import Severity
from kpilint.model import Entity
from kpilint.rule import Context


class MissingCadence(MissingField):
    """Reported at the entity."""

    code = "S208"
    name = "missing-cadence"
    severity = Severity.WARNING
    summary = "A KPI has no review cadence, so it risks being set and forgotten"
    field_name = "cadence"
    kinds = ("KPI",)

    def advice(self, record: EntityRecord[Entity], context: Context) -> str:
        return ("say how often it is reviewed, e.g. `cadence: monthly` (daily, weekly, biweekly,"
                " monthly, quarterly, semiannual or annual)")
