"""P301 vanity-metric: the KPI's name is a vanity metric; the message names the rate to track."""

import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import ClassVar

from kpilint.checks import TERMS_SCHEMA, KpiNameRule, extended
from kpilint.diagnostics import Severity
from kpilint.lexicon import Term, vanity_lexicon
from kpilint.rule import Option

USER_TERM_ADVICE = "a rate or ratio that shows progress toward the goal"


class VanityMetric(KpiNameRule):
    """Matches KPI names against rules/lexicons/vanity*.yaml (rates and ratios never match)."""

    code = "P301"
    name = "vanity-metric"
    severity = Severity.WARNING
    summary = "A KPI tracks a vanity metric that can grow without moving the goal"
    options: ClassVar[Mapping[str, Option]] = {
        "extend-terms": Option([], TERMS_SCHEMA, "more vanity words or phrases to report"),
    }

    def matcher(self) -> Callable[[str], Term | None]:
        return self._match

    @functools.cached_property
    def _match(self) -> Callable[[str], Term | None]:
        """The vanity lexicon's match with this rule's ``extend-terms`` (made once per rule)."""
        base = vanity_lexicon()
        return dataclasses.replace(
            base, terms=extended(base.terms, self.option("extend-terms"), USER_TERM_ADVICE)).match

    def message(self, kpi_id: str, term: Term) -> str:
        return (f"KPI '{kpi_id}' tracks {term.phrase}, a vanity metric: it can rise while the"
                f" goal does not move; track {term.value} instead")
