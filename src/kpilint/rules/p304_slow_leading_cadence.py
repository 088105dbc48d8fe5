"""P304 slow-leading-cadence: a leading KPI is reviewed less often than monthly."""

from collections.abc import Iterator

from kpilint.build import SpecFile
from kpilint.checks import IndicatorInference
from kpilint.diagnostics import Severity, Violation
from kpilint.model import CADENCE_DAYS
from kpilint.rule import Context, FileRule, kpis_of

MONTHLY = CADENCE_DAYS["monthly"]
HOW_OFTEN = {"quarterly": "quarterly", "semiannual": "twice a year", "annual": "once a year"}


class SlowLeadingCadence(IndicatorInference, FileRule):
    """Uses the declared indicator, else the lexicon's guess from the name."""

    code = "P304"
    name = "slow-leading-cadence"
    severity = Severity.WARNING
    summary = "A leading KPI is reviewed too rarely for its early warning to be acted on"

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        for kpi in kpis_of(spec):
            cadence = kpi.model.cadence
            if cadence is None or CADENCE_DAYS[cadence] <= MONTHLY:
                continue
            if self.indicator(kpi.model) != "leading":
                continue
            how = "is" if kpi.model.indicator else "looks"
            yield Violation(
                kpi.at_field("cadence"),
                f"KPI '{kpi.id}' {how} leading but is reviewed only {HOW_OFTEN[cadence]}: a"
                " leading indicator"
                " only helps if the team looks at it while it can still act; use `cadence:"
                " monthly` or more often",
                subject=kpi.id, field="cadence")
