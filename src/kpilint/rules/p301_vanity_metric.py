"""P301 vanity-metric: the KPI's name is a vanity metric; the message names the rate to track."""

import dataclasses
from collections.abc import Iterator, Mapping
from typing import ClassVar

from kpilint.build import SpecFile
from kpilint.checks import TERMS_SCHEMA, extended
from kpilint.diagnostics import Severity, Violation
from kpilint.lexicon import vanity_lexicon
from kpilint.model import Kpi
from kpilint.rule import Context, FileRule, Option

USER_TERM_ADVICE = "a rate or ratio that shows progress toward the goal"


class VanityMetric(FileRule):
    """Matches KPI names against rules/lexicons/vanity*.yaml (rates and ratios never match)."""

    code = "P301"
    name = "vanity-metric"
    severity = Severity.WARNING
    summary = "A KPI tracks a vanity metric that can grow without moving the goal"
    options: ClassVar[Mapping[str, Option]] = {
        "extend-terms": Option([], TERMS_SCHEMA, "more vanity words or phrases to report"),
    }

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        base = vanity_lexicon()
        lexicon = dataclasses.replace(
            base, terms=extended(base.terms, self.option("extend-terms"), USER_TERM_ADVICE))
        for kpi in spec.entities_of(Kpi):
            term = lexicon.match(kpi.model.name)
            if term is None:
                continue
            yield Violation(
                kpi.at_field("name"),
                f"KPI '{kpi.id}' tracks {term.phrase}, a vanity metric: it can rise while the"
                f" goal does not move; track {term.value} instead",
                subject=kpi.id, field="name")
