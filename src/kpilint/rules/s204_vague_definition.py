"""S204 vague-definition: a KPI or KGI has no definition, or one that cannot pin it down: too
short, nonsense (too few distinct words, one word repeated), or circular (it restates the name)."""

from collections.abc import Iterator, Mapping
from typing import ClassVar

from kpilint.build import SpecFile
from kpilint.checks import describe
from kpilint.diagnostics import Severity, Violation
from kpilint.rule import Context, FileRule, Option, measured_entities
from kpilint.wording import definition_flaws


class VagueDefinition(FileRule):
    """At the entity when `definition` is missing, else at the `definition`: one finding per
    entity, naming every reason."""

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
        for record in measured_entities(spec):
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
            else:
                flaws = definition_flaws(record.model.name, definition,
                                         getattr(record.model, "unit", None))
                if len(definition.strip()) < minimum:
                    flaws.insert(0, f"is {len(definition.strip())} characters, under the"
                                    f" {minimum} needed to pin it down")
                if flaws:
                    yield Violation(
                        record.at_field("definition"),
                        f"the definition of {describe(record)} {in_words(flaws)}: say what is"
                        " counted, from which data and over which period",
                        subject=record.id, field="definition")


def in_words(phrases: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join(filter(None, (", ".join(phrases[:-1]), phrases[-1])))
