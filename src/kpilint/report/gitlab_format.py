"""GitLab Code Quality output: a JSON array of issues for ``artifacts:reports:codequality``.

GitLab reads a subset of the Code Climate issue format (docs.gitlab.com, "Code Quality",
"Implement a custom tool"): ``description``, ``check_name`` ("a unique name representing the
check": the rule code, which SPEC §4 keeps stable), ``fingerprint`` (unique; GitLab shows
issues with one fingerprint as one entry), ``severity`` (``info``, ``minor``, ``major``,
``critical`` or ``blocker``), ``location.path`` (relative to the repository root) and
``location.lines.begin``. ``lines.end`` completes the Code Climate ``lines`` object; GitLab
ignores it. No byte order mark, which GitLab's parser rejects.
"""

from __future__ import annotations

from typing import Any

from kpilint.diagnostics import Diagnostic, Severity, printable
from kpilint.report import RenderOptions, RunResult, posix_relative
from kpilint.report.json_text import dumps

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def issue(diagnostic: Diagnostic) -> dict[str, Any]:
    span = diagnostic.location.span
    return {
        "description": f"{diagnostic.code} {printable(diagnostic.message)}",
        "check_name": diagnostic.code,
        "fingerprint": diagnostic.fingerprint,
        "severity": SEVERITIES[diagnostic.severity],
        "location": {
            "path": posix_relative(diagnostic.location.path),
            "lines": {"begin": span.line, "end": max(span.end_line, span.line)},
        },
    }


def render(result: RunResult, options: RenderOptions) -> str:
    issues = [issue(diagnostic) for diagnostic in result.diagnostics]
    return dumps(issues) + "\n"
