"""Concise output: ``path:line:col: CODE message`` per finding and nothing else (as ruff's).

No severity, no summary line and no suppressed list: the lines are meant for editors' and
terminals' "file:line:col" matchers and for ``grep``/``wc -l``. A clean run prints nothing.
"""

from __future__ import annotations

from kpilint.diagnostics import Diagnostic, printable
from kpilint.report import RenderOptions, RunResult
from kpilint.report.text_format import BOLD, COLORS, RESET


def concise_line(diagnostic: Diagnostic, color: bool = False) -> str:
    """``path:line:col: CODE message`` (the path as the user named it, like the text output)."""
    span = diagnostic.location.span
    where = f"{printable(diagnostic.location.path)}:{span.line}:{span.column}:"
    code = diagnostic.code
    if color:
        where = f"{BOLD}{where}{RESET}"
        code = f"{COLORS[diagnostic.severity]}{BOLD}{code}{RESET}"
    return f"{where} {code} {printable(diagnostic.message)}"


def render(result: RunResult, options: RenderOptions) -> str:
    return "".join(concise_line(diagnostic, options.color) + "\n"
                   for diagnostic in result.diagnostics)
