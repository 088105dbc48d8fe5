"""JSON output, exactly as SPEC §8 lays it out.

The text is what ``json.dumps(document, indent=2, ensure_ascii=False)`` writes for the document
of SPEC §8 (a ``diagnostics`` record per finding, ``suppressed`` records with
``--show-suppressed``), but each record is written from one template, its strings through the C
encoder: the pure-Python encoder that ``json.dumps`` runs with an indent took most of the time of
a warm run's report (tests/test_json_format.py checks the identity on generated findings).
"""

from __future__ import annotations

from kpilint import __version__
from kpilint.diagnostics import Diagnostic, Fix, Related, Severity
from kpilint.report import RenderOptions, RunResult
from kpilint.report.json_text import dumps, encode_basestring, scalar
from kpilint.suppressions import Suppression

_RECORDS = ("[\n", "\n    },\n", "\n    }\n  ]")  # a list's opening, between records, its end
_SEVERITIES = {severity: encode_basestring(severity.label) for severity in Severity}


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
    parts = [head, '"diagnostics": ']
    _add_records(parts, [_fields(diagnostic) for diagnostic in result.diagnostics])
    if options.show_suppressed:
        parts.append(',\n  "suppressed": ')
        _add_records(parts, [_fields(diagnostic) + _comment(comment)
                             for diagnostic, comment in result.suppressed])
    parts.append("\n}\n")
    return "".join(parts)


def _add_records(parts: list[str], records: list[str]) -> None:
    """Append a list of records (each written from ``    {`` to its last field), with their
    closing braces and separators, to ``parts`` (joined once, at the end)."""
    if not records:
        parts.append("[]")
        return
    opening, between, end = _RECORDS
    laid = [between] * (2 * len(records) - 1)
    laid[::2] = records
    parts.append(opening)
    parts += laid
    parts.append(end)


def _fields(diagnostic: Diagnostic) -> str:
    """A diagnostic's record up to its last field (SPEC §8's keys, in order)."""
    location = diagnostic.location
    span = location.span
    subject, field, url = diagnostic.subject, diagnostic.field, diagnostic.url
    related, fix = diagnostic.related, diagnostic.fix
    return (
        f'    {{\n      "code": {encode_basestring(diagnostic.code)},'
        f'\n      "name": {encode_basestring(diagnostic.name)},'
        f'\n      "severity": {_SEVERITIES[diagnostic.severity]},'
        f'\n      "message": {encode_basestring(diagnostic.message)},'
        f'\n      "path": {encode_basestring(location.path)},'
        f'\n      "line": {span.line},\n      "column": {span.column},'
        f'\n      "end_line": {span.end_line},\n      "end_column": {span.end_column},'
        f'\n      "subject": {"null" if subject is None else scalar(subject)},'
        f'\n      "field": {"null" if field is None else scalar(field)},'
        f'\n      "url": {encode_basestring(url) if url else "null"},'
        f'\n      "fingerprint": {encode_basestring(diagnostic.fingerprint)},'
        f'\n      "related": {_related(related) if related else "[]"},'
        f'\n      "fix": {"null" if fix is None else _fix(fix)}')


def _related(related: tuple[Related, ...]) -> str:
    """A non-empty ``related`` list."""
    return "[\n" + ",\n".join([
        f'        {{\n          "path": {encode_basestring(each.location.path)},'
        f'\n          "line": {each.location.span.line},'
        f'\n          "column": {each.location.span.column},'
        f'\n          "message": {encode_basestring(each.message)}\n        }}'
        for each in related]) + "\n      ]"


def _fix(fix: Fix) -> str:
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
