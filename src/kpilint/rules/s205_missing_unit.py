"""S205 missing-unit: A KPI has no unit, so its numbers cannot be read or combined."""

from kpilint.build import EntityRecord
from kpilint.checks import MissingField
from kpilint.diagnostics import Severity
from kpilint.model import Entity
from kpilint.rule import Context


class MissingUnit(MissingField):
    """Reported at the entity."""

    code = "S205"
    name = "missing-unit"
    severity = Severity.WARNING
    summary = "A KPI has no unit, so its numbers cannot be read or combined"
    field_name = "unit"
    kinds = ("KPI",)

    def advice(self, record: EntityRecord[Entity], context: Context) -> str:
        return ("add what its numbers count, e.g. `unit: count` (or percent, ratio, score, days,"
                " hours, minutes, seconds, a currency code such as JPY, or your own unit)")
