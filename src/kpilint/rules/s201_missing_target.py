"""S201 missing-target: A KPI has no target, so nobody can tell whether it is on track."""

from kpilint.build import EntityRecord
from kpilint.checks import MissingField
from kpilint.diagnostics import Severity
from kpilint.model import Entity
from kpilint.rule import Context


class MissingTarget(MissingField):
    """Reported at the entity."""

    code = "S201"
    name = "missing-target"
    severity = Severity.ERROR
    summary = "A KPI has no target, so nobody can tell whether it is on track"
    field_name = "target"
    kinds = ("KPI",)

    def advice(self, record: EntityRecord[Entity], context: Context) -> str:
        return "add the value it must reach by its deadline, e.g. `target: 200` (in its unit)"
