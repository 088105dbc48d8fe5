"""The JSON writers are byte-identical to ``json.dumps(..., indent=2, ensure_ascii=False)``.

``reference_render`` is the JSON format as it was first written (a dict per finding, then
``json.dumps``); the templates of ``kpilint.report.json_format`` and the generic writer of
``kpilint.report.json_text`` must produce the same bytes on any finding: non-ASCII text, quotes,
backslashes, control characters, lone surrogates, empty and long ``related`` and ``edits``
lists, no fix, no url, ``--show-suppressed``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpilint import __version__
from kpilint.diagnostics import (
    SAFE,
    UNSAFE,
    Diagnostic,
    Edit,
    Fix,
    Location,
    Related,
    Severity,
    Span,
)
from kpilint.report import RenderOptions, RunResult
from kpilint.report.json_format import render
from kpilint.report.json_text import dumps
from kpilint.suppressions import Suppression

TEXT = st.text(st.characters(codec="utf-8") | st.sampled_from(
    ['"', "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "\u2028", "é", "名", "\U0001f600",
     "\ud800"]), max_size=12)
NUMBER = st.integers(min_value=0, max_value=10**12)
SPAN = st.builds(Span, NUMBER, NUMBER, NUMBER, NUMBER)
LOCATION = st.builds(Location, TEXT, SPAN)
FIX = st.builds(Fix, TEXT, st.lists(st.builds(Edit, SPAN, TEXT), max_size=3).map(tuple),
                st.sampled_from([SAFE, UNSAFE]))
DIAGNOSTIC = st.builds(
    Diagnostic, code=TEXT, name=TEXT, severity=st.sampled_from(list(Severity)), message=TEXT,
    location=LOCATION, url=TEXT, subject=st.none() | TEXT, field=st.none() | TEXT,
    related=st.lists(st.builds(Related, LOCATION, TEXT), max_size=3).map(tuple),
    fix=st.none() | FIX, fingerprint=TEXT)
SUPPRESSION = st.builds(Suppression, SPAN, st.just(("all",)), st.none() | TEXT, st.booleans(),
                        st.none() | NUMBER)


def reference_record(diagnostic: Diagnostic) -> dict[str, Any]:
    span = diagnostic.location.span
    fix = diagnostic.fix
    return {
        "code": diagnostic.code, "name": diagnostic.name,
        "severity": diagnostic.severity.label, "message": diagnostic.message,
        "path": diagnostic.location.path, "line": span.line, "column": span.column,
        "end_line": span.end_line, "end_column": span.end_column,
        "subject": diagnostic.subject, "field": diagnostic.field,
        "url": diagnostic.url or None, "fingerprint": diagnostic.fingerprint,
        "related": [{"path": each.location.path, "line": each.location.span.line,
                     "column": each.location.span.column, "message": each.message}
                    for each in diagnostic.related],
        "fix": None if fix is None else {
            "message": fix.message, "applicability": fix.applicability,
            "edits": [{"line": edit.span.line, "column": edit.span.column,
                       "end_line": edit.span.end_line, "end_column": edit.span.end_column,
                       "text": edit.text} for edit in fix.edits]},
    }


def reference_render(result: RunResult, options: RenderOptions) -> str:
    document: dict[str, Any] = {
        "version": 1,
        "tool": {"name": "kpilint", "version": __version__},
        "summary": {"files": result.files, "errors": result.count(Severity.ERROR),
                    "warnings": result.count(Severity.WARNING),
                    "infos": result.count(Severity.INFO)},
        "diagnostics": [reference_record(each) for each in result.diagnostics],
    }
    if options.show_suppressed:
        document["suppressed"] = [
            {**reference_record(diagnostic), "reason": comment.reason,
             "comment": {"line": comment.span.line, "column": comment.span.column}}
            for diagnostic, comment in result.suppressed]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@settings(max_examples=300, deadline=None)
@given(diagnostics=st.lists(DIAGNOSTIC, max_size=4),
       suppressed=st.lists(st.tuples(DIAGNOSTIC, SUPPRESSION), max_size=3),
       files=NUMBER, show_suppressed=st.booleans())
def test_json_report_is_json_dumps_byte_for_byte(
        diagnostics: list[Diagnostic], suppressed: list[tuple[Diagnostic, Suppression]],
        files: int, show_suppressed: bool) -> None:
    result = RunResult(diagnostics, files, suppressed)
    options = RenderOptions(show_suppressed=show_suppressed)
    assert render(result, options) == reference_render(result, options)


def test_an_empty_report_with_suppressed_shown() -> None:
    text = render(RunResult([], 0), RenderOptions(show_suppressed=True))
    assert text == (
        '{\n  "version": 1,\n  "tool": {\n    "name": "kpilint",\n'
        f'    "version": "{__version__}"\n  }},\n  "summary": {{\n    "files": 0,\n'
        '    "errors": 0,\n    "warnings": 0,\n    "infos": 0\n  },\n'
        '  "diagnostics": [],\n  "suppressed": []\n}\n')


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda children: st.lists(children, max_size=4) | st.lists(children, max_size=3).map(tuple)
    | st.dictionaries(TEXT | st.integers() | st.booleans() | st.none() | st.floats(),
                      children, max_size=4),
    max_leaves=25)


@settings(max_examples=500, deadline=None)
@given(JSON_VALUE)
def test_dumps_is_json_dumps_byte_for_byte(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("value", [{(1, 2): 3}, [object()], {"a": {1, 2}}, b"bytes"])
def test_dumps_refuses_what_json_refuses(value: Any) -> None:
    with pytest.raises(TypeError):
        json.dumps(value, indent=2, ensure_ascii=False)
    with pytest.raises(TypeError):
        dumps(value)
