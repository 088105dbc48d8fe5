"""S206 missing-source: A KPI names no data source, so its value cannot be checked."""

from kpilint.build import EntityRecord
from kpilint.checks import MissingField
from kpilint.diagnostics import Severity
from kpilint.model import Entity
from kpilint.rule import Context


class MissingSource(MissingField):
    """Reported at the entity."""

    code = "S206"
    name = "missing-source"
    severity = Severity.WARNING
    summary = "A KPI names no data source, so its value cannot be checked"
    field_name = "source"
    kinds = ("KPI",)

    def advice(self, record: EntityRecord[Entity], context: Context) -> str:
        return ("name the system or report its value comes from, e.g."
                " `source: HubSpot report \"Inbound MQLs\"`")
