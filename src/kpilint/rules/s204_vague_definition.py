"""S204 vague-definition: a KPI or KGI has no definition, or one too short to pin it down."""

from collections.abc import Iterator, Mapping
from typing import ClassVar

from kpilint.build import SpecFile
from kpilint.checks import describe
from kpilint.diagnostics import Severity, Violation
from kpilint.rule import Context, FileRule, Option


class VagueDefinition(FileRule):
    """At the entity when `definition` is missing, at the `definition` when it is too short."""

    code = "S204"
    name = "vague-definition"
    severity = Severity.WARNING
    summary = "A KPI or KGI is not defined precisely enough to be measured the same way twice"
    options: ClassVar[Mapping[str, Option]] = {
        "min-length": Option(20, {"type": "integer", "minimum": 1},
                             "fewest characters a definition may have"),
    }

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        minimum: int = self.option("min-length")
        for record in spec.entities:
            if record.kind not in ("KPI", "KGI"):
                continue
            definition = record.model.definition
            if definition is None and not record.lacks("definition"):
                continue
            if definition is None:
                yield Violation(
                    record.at_entity(),
                    f"{describe(record)} has no `definition`: say what is counted, from which"
                    " data and over which period, e.g. `definition: Inbound leads that pass MQL"
                    " scoring, counted per calendar month.`",
                    subject=record.id)
            elif len(definition.strip()) < minimum:
                yield Violation(
                    record.at_field("definition"),
                    f"the definition of {describe(record)} is {len(definition.strip())}"
                    f" characters, under the {minimum} needed to pin it down: say what is"
                    " counted, from which data and over which period",
                    subject=record.id, field="definition")
