"""GitHub Actions output: one workflow command per finding, which the runner turns into an
annotation on the file and line:
``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=CODE name::message``.

Commands are written exactly as ``@actions/core`` writes them (packages/core/src/command.ts):
the message escapes ``%``, CR and LF; property values also escape ``:`` and ``,``, the
characters that delimit properties. The runner rejects ``col``/``endColumn`` when ``line`` and
``endLine`` differ, so a span over several lines is annotated by lines only. Nothing else is
printed: every stdout line is a command (a clean run prints nothing).
"""

from __future__ import annotations

from kpilint.diagnostics import Diagnostic, Severity, printable
from kpilint.report import RenderOptions, RunResult, posix_relative

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message (``escapeData`` in ``@actions/core``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``escapeProperty`` in ``@actions/core``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(diagnostic: Diagnostic) -> str:
    """The ``::error``/``::warning``/``::notice`` command of one finding."""
    span = diagnostic.location.span
    properties: list[tuple[str, str | int]] = [
        ("file", printable(posix_relative(diagnostic.location.path))), ("line", span.line)]
    if span.end_line == span.line:
        properties += [("col", span.column), ("endLine", span.end_line),
                       ("endColumn", max(span.end_column, span.column))]
    else:
        properties.append(("endLine", max(span.end_line, span.line)))
    properties.append(("title", f"{diagnostic.code} {diagnostic.name}"))
    listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    message = escape_data(printable(diagnostic.message))
    return f"::{COMMANDS[diagnostic.severity]} {listed}::{message}"


def render(result: RunResult, options: RenderOptions) -> str:
    return "".join(workflow_command(diagnostic) + "\n" for diagnostic in result.diagnostics)
