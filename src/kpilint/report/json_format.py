"""JSON output, exactly as SPEC §8 lays it out.

The text is what ``json.dumps(document, indent=2, ensure_ascii=False)`` writes for the document
of SPEC §8 (a ``diagnostics`` record per finding, ``suppressed`` records with
``--show-suppressed``), but each record is written from one template, its strings through the C
encoder: the pure-Python encoder that ``json.dumps`` runs with an indent took most of the time of
a warm run's report (tests/test_json_format.py checks the identity on generated findings).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kpilint import __version__
from kpilint.diagnostics import Diagnostic, Severity
from kpilint.report import RenderOptions, RunResult
from kpilint.report.json_text import dumps, encode_basestring, scalar
from kpilint.suppressions import Suppression

if TYPE_CHECKING:
    from kpilint.summary import Json

_RECORDS = ("[\n", "\n    },\n", "\n    }\n  ]")  # a list's opening, between records, its end
_SEVERITIES: dict[int, str] = {severity: encode_basestring(severity.label)
                               for severity in Severity}


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
    _add_records(parts, _records(result))
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


def _records(result: RunResult) -> list[str]:
    """The records of the reported findings, in order: ``result.diagnostics``, and the parts
    still stored (``result.kept``) written from their data where their paths sort."""
    diagnostics = result.diagnostics
    if not result.kept:
        return [_fields(diagnostic) for diagnostic in diagnostics]
    records: list[str] = []
    at = 0
    for part in result.kept:
        end = at
        while end < len(diagnostics) and diagnostics[end].location.path < part.path:
            end += 1
        records += map(_fields, diagnostics[at:end])
        records += map(_stored_fields, part.data[0])
        at = end
    records += map(_fields, diagnostics[at:])
    return records


def _fields(diagnostic: Diagnostic) -> str:
    """A diagnostic's record up to its last field (SPEC §8's keys, in order)."""
    location = diagnostic.location
    span = location.span
    related, fix = diagnostic.related, diagnostic.fix
    return _record(
        diagnostic.code, diagnostic.name, diagnostic.severity, diagnostic.message, location.path,
        (span.line, span.column, span.end_line, span.end_column), diagnostic.subject,
        diagnostic.field, diagnostic.url, diagnostic.fingerprint,
        _related([(each.location.path, each.location.span.line, each.location.span.column,
                   each.message) for each in related]) if related else "[]",
        "null" if fix is None else _fix(fix.message, fix.applicability, [
            (edit.span.line, edit.span.column, edit.span.end_line, edit.span.end_column,
             edit.text) for edit in fix.edits]))


def _stored_fields(data: Json) -> str:
    """:func:`_fields` of a finding as the state stores it (``summary.diagnostic_data``)."""
    (code, name, severity, message, path, span, url, subject, field, related, fix,
     fingerprint, _) = data
    return _record(
        code, name, severity, message, path, span, subject, field, url, fingerprint,
        _related([(where, at[0], at[1], text) for where, at, text in related])
        if related else "[]",
        "null" if fix is None else _fix(fix[0], fix[2], [(*at, text) for at, text in fix[1]]))


def _record(code: str, name: str, severity: int, message: str, path: str,
            span: Sequence[int], subject: str | None, field: str | None, url: str,
            fingerprint: str, related: str, fix: str) -> str:
    """A record up to its last field, of a finding's values (``related`` and ``fix``
    written)."""
    line, column, end_line, end_column = span
    return (
        f'    {{\n      "code": {encode_basestring(code)},'
        f'\n      "name": {encode_basestring(name)},'
        f'\n      "severity": {_SEVERITIES[severity]},'
        f'\n      "message": {encode_basestring(message)},'
        f'\n      "path": {encode_basestring(path)},'
        f'\n      "line": {line},\n      "column": {column},'
        f'\n      "end_line": {end_line},\n      "end_column": {end_column},'
        f'\n      "subject": {"null" if subject is None else scalar(subject)},'
        f'\n      "field": {"null" if field is None else scalar(field)},'
        f'\n      "url": {encode_basestring(url) if url else "null"},'
        f'\n      "fingerprint": {encode_basestring(fingerprint)},'
        f'\n      "related": {related},'
        f'\n      "fix": {fix}')


def _related(related: list[tuple[str, int, int, str]]) -> str:
    """A non-empty ``related`` list, of each place's path, line, column and message."""
    return "[\n" + ",\n".join([
        f'        {{\n          "path": {encode_basestring(path)},'
        f'\n          "line": {line},'
        f'\n          "column": {column},'
        f'\n          "message": {encode_basestring(message)}\n        }}'
        for path, line, column, message in related]) + "\n      ]"


def _fix(message: str, applicability: str, edits: list[tuple[int, int, int, int, str]]) -> str:
    """A fix, of its message, applicability and edits (each edit's span and text)."""
    return (
        f'{{\n        "message": {encode_basestring(message)},'
        f'\n        "applicability": {encode_basestring(applicability)},'
        '\n        "edits": ' + ("[\n" + ",\n".join(
            f'          {{\n            "line": {line},'
            f'\n            "column": {column},'
            f'\n            "end_line": {end_line},'
            f'\n            "end_column": {end_column},'
            f'\n            "text": {encode_basestring(text)}\n          }}'
            for line, column, end_line, end_column, text in edits) + "\n        ]"
                               if edits else "[]") + "\n      }")


def _comment(comment: Suppression) -> str:
    """The fields a suppressed finding's record adds: the comment's reason and place."""
    return (f',\n      "reason": {scalar(comment.reason)},\n      "comment": {{'
            f'\n        "line": {comment.span.line},\n        "column": {comment.span.column}'
            "\n      }")
