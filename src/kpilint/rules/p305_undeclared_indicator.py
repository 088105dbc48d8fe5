"""P305 undeclared-indicator: a KPI does not say whether it is leading or lagging."""

import re
from collections.abc import Iterator

from kpilint.build import EntityRecord, SpecFile
from kpilint.checks import IndicatorInference
from kpilint.diagnostics import UNSAFE, Edit, Fix, Severity, Span, Violation
from kpilint.dialects import format_note
from kpilint.load import LIBYAML_ONLY_BREAKS
from kpilint.model import Kpi
from kpilint.rule import Context, FileRule, kpis_of

# patterns compiled (by ``re``, once) for the first fix, not at import
LINE_AND_BREAK = r"(\r\n|\r|\n)"
BLOCK_PREFIX = r"[ -]*"  # indentation and block sequence dashes
COMMENT_OR_NOTHING = r"(?:[ \t]+#.*)?[ \t]*"


class UndeclaredIndicator(IndicatorInference, FileRule):
    """The message gives the lexicon's guess when it has one; writing the guess is an unsafe fix
    (it changes what the file says)."""

    code = "P305"
    name = "undeclared-indicator"
    severity = Severity.INFO
    summary = "A KPI does not declare whether it is a leading or a lagging indicator"

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        parts: list[str] | None = None
        for kpi in kpis_of(spec):
            if not kpi.lacks("indicator"):
                continue
            guessed = self.guess(kpi.model)
            advice = (f"its name ('{guessed[1]}') suggests `indicator: {guessed[0]}`" if guessed
                      else "add `indicator: leading` (it moves first) or `indicator: lagging`"
                           " (it confirms the outcome)")
            fix = None
            if guessed:
                parts = parts or re.split(LINE_AND_BREAK, spec.text)
                fix = indicator_fix(kpi, guessed[0], parts)
            yield Violation(
                kpi.at_entity(),
                f"KPI '{kpi.id}' does not declare `indicator`: {advice}"
                f"{format_note(kpi, 'indicator')}", subject=kpi.id, fix=fix)


def indicator_fix(kpi: EntityRecord[Kpi], indicator: str, parts: list[str]) -> Fix | None:
    """Insert ``indicator: <guess>`` on a line of its own after the KPI's first pair, when that
    pair is one line of a block mapping (``parts``: the file's lines and breaks, alternating)."""
    head = kpi.node.head
    if head is None or head.line != head.end_line:
        return None
    line = parts[2 * (head.line - 1)]
    prefix = line[:head.column - 1]
    if (not re.fullmatch(BLOCK_PREFIX, prefix) or not re.fullmatch(
            COMMENT_OR_NOTHING, line[head.end_column - 1:])
            or any(mark in line for mark in LIBYAML_ONLY_BREAKS)):
        return None
    pair = f"{' ' * len(prefix)}indicator: {indicator}"
    has_break = 2 * head.line - 1 < len(parts)
    if has_break:
        edit = Edit(Span(head.line + 1, 1, head.line + 1, 1), pair + parts[2 * head.line - 1])
    else:
        end = len(line) + 1
        ending = parts[1] if len(parts) > 1 else "\n"
        edit = Edit(Span(head.line, end, head.line, end), ending + pair)
    return Fix(f"Declare `indicator: {indicator}`", (edit,), UNSAFE)
