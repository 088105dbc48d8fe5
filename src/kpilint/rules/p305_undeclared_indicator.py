"""P305 undeclared-indicator: a KPI does not say whether it is leading or lagging."""

from collections.abc import Iterator

from kpilint.build import SpecFile
from kpilint.checks import IndicatorInference
from kpilint.diagnostics import Severity, Violation
from kpilint.dialects import format_note
from kpilint.model import Kpi
from kpilint.rule import Context, FileRule


class UndeclaredIndicator(IndicatorInference, FileRule):
    """The message gives the lexicon's guess when it has one."""

    code = "P305"
    name = "undeclared-indicator"
    severity = Severity.INFO
    summary = "A KPI does not declare whether it is a leading or a lagging indicator"

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        for kpi in spec.entities_of(Kpi):
            if not kpi.lacks("indicator"):
                continue
            guessed = self.guess(kpi.model)
            advice = (f"its name ('{guessed[1]}') suggests `indicator: {guessed[0]}`" if guessed
                      else "add `indicator: leading` (it moves first) or `indicator: lagging`"
                           " (it confirms the outcome)")
            yield Violation(
                kpi.at_entity(),
                f"KPI '{kpi.id}' does not declare `indicator`: {advice}"
                f"{format_note(kpi, 'indicator')}", subject=kpi.id)
