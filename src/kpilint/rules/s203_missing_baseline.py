"""S203 missing-baseline: A KPI or KGI has no baseline to compare its target with."""

from kpilint.build import EntityRecord
from kpilint.checks import MissingField
from kpilint.diagnostics import Severity
from kpilint.model import Entity
from kpilint.rule import Context


class MissingBaseline(MissingField):
    """Reported at the entity."""

    code = "S203"
    name = "missing-baseline"
    severity = Severity.WARNING
    summary = "A KPI or KGI has no baseline to compare its target with"
    field_name = "baseline"
    kinds = ("KPI", "KGI")

    def advice(self, record: EntityRecord[Entity], context: Context) -> str:
        return ("add where it stands today, e.g. `baseline: 150` or"
                " `baseline: {value: 150, as_of: 2026-09-30}`")
