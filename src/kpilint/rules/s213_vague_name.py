"""S213 vague-name: a KPI's or KGI's name states an aspiration instead of a metric."""

from collections.abc import Iterator, Mapping
from typing import ClassVar

from kpilint.build import SpecFile
from kpilint.checks import TERMS_SCHEMA, describe, extended
from kpilint.diagnostics import Severity, Violation
from kpilint.lexicon import vague_lexicon
from kpilint.rule import Context, FileRule, Option


class VagueName(FileRule):
    """Matches names against the vague-wording lexicon (rules/lexicons/vague-words.yaml)."""

    code = "S213"
    name = "vague-name"
    severity = Severity.WARNING
    summary = "A KPI or KGI name says what to hope for instead of what to measure"
    options: ClassVar[Mapping[str, Option]] = {
        "extend-terms": Option([], TERMS_SCHEMA, "more vague words or phrases to report"),
    }

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        lexicon = extended(vague_lexicon(), self.option("extend-terms"))
        for record in spec.entities:
            if record.kind not in ("KPI", "KGI") or not record.model.name:
                continue
            term = lexicon.match(record.model.name)
            if term is None:
                continue
            yield Violation(
                record.at_field("name"),
                f"the name of {describe(record)} says '{term.phrase}', a wish rather than a"
                " metric: name the quantity and how it is counted, e.g. 'Monthly logo churn"
                " rate' instead of 'Improve retention'",
                subject=record.id, field="name")
