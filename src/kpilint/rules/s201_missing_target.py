"""S201 missing-target: A KPI has no target, so nobody can tell whether it is on track."""

import json

from kpilint.build import EntityRecord
from kpilint.checks import MissingField, describe
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

    def message(self, record: EntityRecord[Entity], context: Context) -> str | None:
        if record.target_text is not None:
            return (f"{describe(record)} has a target kpilint cannot read:"
                    f" {json.dumps(record.target_text, ensure_ascii=False)}; state it as a"
                    " comparison and a number, e.g. `target: At or above 95%`")
        return super().message(record, context)

    def advice(self, record: EntityRecord[Entity], context: Context) -> str:
        return "add the value it must reach by its deadline, e.g. `target: 200` (in its unit)"
