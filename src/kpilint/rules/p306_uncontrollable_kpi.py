"""P306 uncontrollable-kpi: the KPI's name is an outcome no team moves directly."""

from collections.abc import Iterator, Mapping
from typing import ClassVar

from kpilint.build import SpecFile
from kpilint.checks import TERMS_SCHEMA, extended
from kpilint.diagnostics import Severity, Violation
from kpilint.lexicon import lexicon
from kpilint.model import Kpi
from kpilint.rule import Context, FileRule, Option


class UncontrollableKpi(FileRule):
    """Matches KPI names against rules/lexicons/uncontrollable*.yaml; KGIs are outcomes anyway."""

    code = "P306"
    name = "uncontrollable-kpi"
    severity = Severity.WARNING
    summary = "A KPI tracks an outcome that no team can move directly"
    options: ClassVar[Mapping[str, Option]] = {
        "extend-terms": Option([], TERMS_SCHEMA, "more uncontrollable outcomes to report"),
    }

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        terms = extended(lexicon("uncontrollable", "terms"), self.option("extend-terms"))
        for kpi in spec.entities_of(Kpi):
            term = terms.match(kpi.model.name)
            if term is None:
                continue
            yield Violation(
                kpi.at_field("name"),
                f"KPI '{kpi.id}' tracks {term.phrase}, an outcome no team moves directly: the"
                " team cannot act on it, so it reports luck; track what the team controls that"
                " drives it, and leave the outcome to a KGI",
                subject=kpi.id, field="name")
