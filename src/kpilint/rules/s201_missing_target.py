"""S201 missing-target: A KPI has no target, so nobody can tell whether it is on track."""

import json

from kpilint.build import EntityRecord
from kpilint.checks import MissingField, describe
from kpilint.diagnostics import Severity
from kpilint.load import ScalarNode
from kpilint.model import Entity
from kpilint.rule import Context

TARGET_TEXT = "x-target-text"


class MissingTarget(MissingField):
    """Reported at the entity."""

    code = "S201"
    name = "missing-target"
    severity = Severity.ERROR
    summary = "A KPI has no target, so nobody can tell whether it is on track"
    field_name = "target"
    kinds = ("KPI",)

    def message(self, record: EntityRecord[Entity], context: Context) -> str | None:
        """A dialect's target text that did not parse (or, once converted, `x-target-text`) is
        quoted."""
        if record.target_text is not None:
            return (f"{describe(record)} has a target kpilint cannot read:"
                    f" {json.dumps(record.target_text, ensure_ascii=False)}; state it as a"
                    " comparison and a number, e.g. `target: At or above 95%`")
        kept = record.node.get(TARGET_TEXT) if record.dialect is None else None
        if kept is not None and isinstance(kept[1], ScalarNode):
            return (f"{describe(record)} has no `target`, only `{TARGET_TEXT}`"
                    f" {json.dumps(kept[1].text, ensure_ascii=False)}: write it as a number or a"
                    " band, e.g. `target: {min: 95}`")
        return super().message(record, context)

    def advice(self, record: EntityRecord[Entity], context: Context) -> str:
        return "add the value it must reach by its deadline, e.g. `target: 200` (in its unit)"
