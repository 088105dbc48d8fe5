"""P306 uncontrollable-kpi: the KPI's name is an outcome no team moves directly."""

from collections.abc import Callable, Mapping
from typing import ClassVar

from kpilint.checks import TERMS_SCHEMA, KpiNameRule, extended
from kpilint.diagnostics import Severity
from kpilint.lexicon import Term, lexicon
from kpilint.rule import Option


class UncontrollableKpi(KpiNameRule):
    """Matches KPI names against rules/lexicons/uncontrollable*.yaml; KGIs are outcomes anyway."""

    code = "P306"
    name = "uncontrollable-kpi"
    severity = Severity.WARNING
    summary = "A KPI tracks an outcome that no team can move directly"
    options: ClassVar[Mapping[str, Option]] = {
        "extend-terms": Option([], TERMS_SCHEMA, "more uncontrollable outcomes to report"),
    }

    def matcher(self) -> Callable[[str], Term | None]:
        return extended(lexicon("uncontrollable", "terms"), self.option("extend-terms")).match

    def message(self, kpi_id: str, term: Term) -> str:
        return (f"KPI '{kpi_id}' tracks {term.phrase}, an outcome no team moves directly: the"
                " team cannot act on it, so it reports luck; track what the team controls that"
                " drives it, and leave the outcome to a KGI")
