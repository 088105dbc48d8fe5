"""Text output: ``path:line:col: CODE [severity] message`` per finding, then a summary line."""

from __future__ import annotations

from kpilint.diagnostics import Diagnostic, Severity, plural, printable
from kpilint.report import RenderOptions, RunResult

COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def finding_line(diagnostic: Diagnostic, color: bool) -> str:
    """``path:line:col: CODE [severity] message``."""
    span = diagnostic.location.span
    where = f"{printable(diagnostic.location.path)}:{span.line}:{span.column}:"
    code, level = diagnostic.code, f"[{diagnostic.severity.label}]"
    if color:
        where = f"{BOLD}{where}{RESET}"
        code = f"{COLORS[diagnostic.severity]}{BOLD}{code}{RESET}"
        level = f"{COLORS[diagnostic.severity]}{level}{RESET}"
    return f"{where} {code} {level} {printable(diagnostic.message)}"


def render(result: RunResult, options: RenderOptions) -> str:
    lines = [finding_line(diagnostic, options.color) for diagnostic in result.diagnostics]
    if options.show_suppressed and result.suppressed:
        lines.append(f"Suppressed ({len(result.suppressed)}):")
        for diagnostic, comment in result.suppressed:
            reason = f"reason: {printable(comment.reason)}" if comment.reason else "no reason given"
            lines.append(f"  {finding_line(diagnostic, options.color)} ({reason};"
                         f" comment at line {comment.span.line})")
    if not options.quiet:
        lines.append(summary_line(result, options.color))
    return "".join(line + "\n" for line in lines)


def files_shown(result: RunResult) -> str:
    """The files the findings are in (``3 files``), and how many were checked when that
    differs (``3 files (8 checked)``): the checked count is JSON's ``summary.files``."""
    shown = len({diagnostic.location.path for diagnostic in result.diagnostics})
    checked = "" if shown == result.files else f" ({result.files} checked)"
    return plural(shown, "file") + checked


def summary_line(result: RunResult, color: bool = False) -> str:
    if not result.diagnostics:
        text = f"All checks passed ({plural(result.files, 'file')} checked)."
        if result.suppressed:
            text += f" {len(result.suppressed)} suppressed."
        text += _fixed(result)
        return f"\033[32m{text}{RESET}" if color else text
    counts = ", ".join(
        plural(result.count(severity), severity.label) for severity in
        (Severity.ERROR, Severity.WARNING, Severity.INFO))
    problems = plural(len(result.diagnostics), "problem")
    text = f"Found {problems} ({counts}) in {files_shown(result)}."
    if result.suppressed:
        text += f" {len(result.suppressed)} suppressed."
    text += _fixed(result)
    return f"{BOLD}{text}{RESET}" if color else text


def _fixed(result: RunResult) -> str:
    """`` 2 fixed.`` after ``--fix`` changed something (the findings shown are what remains)."""
    return f" {result.fixed} fixed." if result.fixed else ""
