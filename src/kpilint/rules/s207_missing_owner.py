"""S207 missing-owner: A KPI or KGI has no owner who answers for it."""

from kpilint.build import EntityRecord
from kpilint.checks import MissingField
from kpilint.diagnostics import Severity
from kpilint.model import Entity
from kpilint.rule import Context


class MissingOwner(MissingField):
    """Reported at the entity."""

    code = "S207"
    name = "missing-owner"
    severity = Severity.WARNING
    summary = "A KPI or KGI has no owner who answers for it"
    field_name = "owner"
    kinds = ("KPI", "KGI")

    def advice(self, record: EntityRecord[Entity], context: Context) -> str:
        return "name the person or team who answers for it, e.g. `owner: marketing-ops`"
