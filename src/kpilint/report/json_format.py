"""JSON output, exactly as SPEC §8 lays it out."""

from __future__ import annotations

import json
from typing import Any

from kpilint import __version__
from kpilint.diagnostics import Diagnostic, Fix, Severity
from kpilint.report import RenderOptions, RunResult


def diagnostic_record(diagnostic: Diagnostic) -> dict[str, Any]:
    span = diagnostic.location.span
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "severity": diagnostic.severity.label,
        "message": diagnostic.message,
        "path": diagnostic.location.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "subject": diagnostic.subject,
        "field": diagnostic.field,
        "url": diagnostic.url or None,
        "fingerprint": diagnostic.fingerprint,
        "related": [
            {"path": related.location.path, "line": related.location.span.line,
             "column": related.location.span.column, "message": related.message}
            for related in diagnostic.related
        ],
        "fix": _fix_record(diagnostic.fix),
    }


def _fix_record(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "message": fix.message,
        "applicability": fix.applicability,
        "edits": [
            {"line": edit.span.line, "column": edit.span.column, "end_line": edit.span.end_line,
             "end_column": edit.span.end_column, "text": edit.text}
            for edit in fix.edits
        ],
    }


def render(result: RunResult, options: RenderOptions) -> str:
    document: dict[str, Any] = {
        "version": 1,
        "tool": {"name": "kpilint", "version": __version__},
        "summary": {
            "files": result.files,
            "errors": result.count(Severity.ERROR),
            "warnings": result.count(Severity.WARNING),
            "infos": result.count(Severity.INFO),
        },
        "diagnostics": [diagnostic_record(diagnostic) for diagnostic in result.diagnostics],
    }
    if options.show_suppressed:
        document["suppressed"] = [
            {**diagnostic_record(diagnostic), "reason": comment.reason,
             "comment": {"line": comment.span.line, "column": comment.span.column}}
            for diagnostic, comment in result.suppressed]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
