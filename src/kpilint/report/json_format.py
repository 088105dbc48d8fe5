"""JSON output, exactly as SPEC §8 lays it out.

The text is what ``json.dumps(document, indent=2, ensure_ascii=False)`` writes for the document
of SPEC §8 (a ``diagnostics`` record per finding, ``suppressed`` records with
``--show-suppressed``), but each record is written from one template, its strings through the C
encoder: the pure-Python encoder that ``json.dumps`` runs with an indent took most of the time of
a warm run's report (tests/test_json_format.py checks the identity on generated findings).
"""

from __future__ import annotations

from kpilint import __version__
from kpilint.diagnostics import Diagnostic, Fix, Severity
from kpilint.report import RenderOptions, RunResult
from kpilint.report.json_text import dumps, encode_basestring, scalar
from kpilint.suppressions import Suppression

_RECORD = "\n    }"  # a record's closing brace, at the depth of the document's lists


def render(result: RunResult, options: RenderOptions) -> str:
    head = dumps({
        "version": 1,
        "tool": {"name": "kpilint", "version": __version__},
        "summary": {
            "files": result.files,
            "errors": result.count(Severity.ERROR),
            "warnings": result.count(Severity.WARNING),
            "infos": result.count(Severity.INFO),
        },
        "diagnostics": [],
    })[:-len('"diagnostics": []\n}')]
    parts = [head, '"diagnostics": ', _records([
        _fields(diagnostic) + _RECORD for diagnostic in result.diagnostics])]
    if options.show_suppressed:
        parts += [',\n  "suppressed": ', _records([
            _fields(diagnostic) + _comment(comment) + _RECORD
            for diagnostic, comment in result.suppressed])]
    parts.append("\n}\n")
    return "".join(parts)


def _records(records: list[str]) -> str:
    """A list of records (each written from ``    {`` to its closing brace)."""
    return "[\n" + ",\n".join(records) + "\n  ]" if records else "[]"


def _fields(diagnostic: Diagnostic) -> str:
    """A diagnostic's record up to its last field (SPEC §8's keys, in order)."""
    span = diagnostic.location.span
    related = diagnostic.related
    return (
        f'    {{\n      "code": {encode_basestring(diagnostic.code)},'
        f'\n      "name": {encode_basestring(diagnostic.name)},'
        f'\n      "severity": {encode_basestring(diagnostic.severity.label)},'
        f'\n      "message": {encode_basestring(diagnostic.message)},'
        f'\n      "path": {encode_basestring(diagnostic.location.path)},'
        f'\n      "line": {span.line},\n      "column": {span.column},'
        f'\n      "end_line": {span.end_line},\n      "end_column": {span.end_column},'
        f'\n      "subject": {scalar(diagnostic.subject)},'
        f'\n      "field": {scalar(diagnostic.field)},'
        f'\n      "url": {scalar(diagnostic.url or None)},'
        f'\n      "fingerprint": {encode_basestring(diagnostic.fingerprint)},'
        f'\n      "related": ' + ("[\n" + ",\n".join(
            f'        {{\n          "path": {encode_basestring(each.location.path)},'
            f'\n          "line": {each.location.span.line},'
            f'\n          "column": {each.location.span.column},'
            f'\n          "message": {encode_basestring(each.message)}\n        }}'
            for each in related) + "\n      ]" if related else "[]")
        + ',\n      "fix": ' + _fix(diagnostic.fix))


def _fix(fix: Fix | None) -> str:
    if fix is None:
        return "null"
    edits = fix.edits
    return (
        f'{{\n        "message": {encode_basestring(fix.message)},'
        f'\n        "applicability": {encode_basestring(fix.applicability)},'
        '\n        "edits": ' + ("[\n" + ",\n".join(
            f'          {{\n            "line": {edit.span.line},'
            f'\n            "column": {edit.span.column},'
            f'\n            "end_line": {edit.span.end_line},'
            f'\n            "end_column": {edit.span.end_column},'
            f'\n            "text": {encode_basestring(edit.text)}\n          }}'
            for edit in edits) + "\n        ]" if edits else "[]") + "\n      }")


def _comment(comment: Suppression) -> str:
    """The fields a suppressed finding's record adds: the comment's reason and place."""
    return (f',\n      "reason": {scalar(comment.reason)},\n      "comment": {{'
            f'\n        "line": {comment.span.line},\n        "column": {comment.span.column}'
            "\n      }")
