"""JSON output, exactly as SPEC §8 lays it out.

The text is what ``json.dumps(document, indent=2, ensure_ascii=False)`` writes for the document
of SPEC §8 (a ``diagnostics`` record per finding, ``suppressed`` records with
``--show-suppressed``), but each record is written from one template, its strings through the C
encoder: the pure-Python encoder that ``json.dumps`` runs with an indent took most of the time of
a warm run's report (tests/test_json_format.py checks the identity on generated findings).

A report kept in the cache is written in UTF-8 (:func:`render_utf8`): the records it copies from
the report kept before stay bytes, neither decoded nor encoded again, nor joined (the records of
paths that follow each other there are copied as one span).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, cast

from kpilint import __version__
from kpilint.diagnostics import Diagnostic, Fix, Related, Severity
from kpilint.report import RenderOptions, RunResult
from kpilint.report.json_text import dumps, encode_basestring, scalar
from kpilint.suppressions import Suppression

if TYPE_CHECKING:
    from kpilint.cache import StoredText
    from kpilint.run_state import KeptPart
    from kpilint.summary import Json

_RECORDS = ("[\n", "\n    },\n", "\n    }\n  ]")  # a list's opening, between records, its end
Part = str | memoryview
"""A piece of the report: text written, or records copied from the kept report (UTF-8)."""
_PATH = attrgetter("location.path")
_FIRST = itemgetter(0)
_SEVERITIES = {severity: encode_basestring(severity.label) for severity in Severity}


@dataclass(slots=True)
class KeptRecords:
    """What lets the writer copy a path's records from the report kept for the same rendering.

    A path's records are a function of its active findings alone, which a state's token names
    (``run_state.KeptPart.token``). ``tokens`` gives the token of each path whose records here
    are its stored active findings, in order, besides the parts still stored (``RunResult.kept``,
    which know theirs); ``load`` reads the kept report's pieces and text
    (``ResultCache.report_pieces``). The writer notes this report's pieces in ``pieces``: per
    path, where its records start and end in the text (bytes of its UTF-8) and their token; and
    in ``copies`` where each span it copied stands in the kept text, in the order of its views
    among the parts :func:`render_utf8` returns (the cache keeps a report so copied as a delta).
    """

    tokens: dict[str, str]
    load: Callable[[], tuple[Json, StoredText] | None]
    pieces: dict[str, list[Json]] = field(default_factory=dict)
    copies: list[tuple[int, int]] = field(default_factory=list)

    def previous(self) -> tuple[dict[str, Json], StoredText] | None:
        """The kept report's pieces by path and its text, if it has any and the text is UTF-8
        (its pieces are copied as bytes)."""
        loaded = self.load()
        if loaded is None or not isinstance(loaded[0], dict) or not loaded[1].is_utf8():
            return None
        return loaded


def render(result: RunResult, options: RenderOptions) -> str:
    """The report (written whole: only :func:`render_utf8` copies records)."""
    return "".join(cast("list[str]", _parts(result, options, copy=False)))


def render_utf8(result: RunResult, options: RenderOptions) -> list[bytes | memoryview]:
    """:func:`render`'s text in UTF-8, in parts to write one after the other; the records of
    ``result.records``' kept report are copied where they fit (views of it: neither decoded nor
    encoded again)."""
    encoded: list[bytes | memoryview] = []
    written: list[str] = []  # text since the last copied piece: encoded at once
    for part in _parts(result, options, copy=True):
        if isinstance(part, str):
            written.append(part)
        else:
            encoded += ("".join(written).encode("utf-8"), part)
            written.clear()
    encoded.append("".join(written).encode("utf-8"))
    return encoded


def _parts(result: RunResult, options: RenderOptions, copy: bool) -> list[Part]:
    """The report's text in pieces, joined by the caller; ``copy``: records may be copied
    (they are the only pieces that are not ``str``)."""
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
    parts: list[Part] = [head, '"diagnostics": ']
    if result.records is None and not result.kept:
        _add_records(parts, [_fields(diagnostic) for diagnostic in result.diagnostics])
    else:
        _add_pieces(parts, result, result.records, copy)
    if options.show_suppressed:
        parts.append(',\n  "suppressed": ')
        _add_records(parts, [_fields(diagnostic) + _comment(comment)
                             for diagnostic, comment in result.suppressed])
    parts.append("\n}\n")
    return parts


def _add_records(parts: list[Part], records: list[str]) -> None:
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


def _add_pieces(parts: list[Part], result: RunResult, kept: KeptRecords | None,
                copy: bool) -> None:
    """:func:`_add_records` of the findings (``result.diagnostics`` and the parts still stored,
    ``result.kept``), laid path by path: a path's records are copied from the kept report
    where its piece there has the same token (``kept``, with ``copy``), else written; where they
    are goes to ``kept.pieces``."""
    groups: list[tuple[str, list[Diagnostic] | KeptPart]] = [
        (path, list(found)) for path, found in groupby(result.diagnostics, _PATH)]
    groups += [(part.path, part) for part in result.kept if part.worst()]  # none: no records
    groups.sort(key=_FIRST)
    if not groups:
        parts.append("[]")
        return
    tokens = kept.tokens if kept is not None else {}
    previous = kept.previous() if kept is not None and copy and result.kept else None
    text: StoredText | memoryview
    pieces, text = previous if previous is not None else ({}, memoryview(b""))
    copies = kept.copies if kept is not None else []
    opening, between, end = _RECORDS
    separator = between.encode("utf-8")
    offset = sum(map(_size, parts)) + len(opening)
    laid: list[Part] = []
    span: list[int] = []  # where the records copied last stand in ``text`` (grown while the
    for path, found in groups:  # next path's records follow them there)
        token = tokens.get(path) if isinstance(found, list) else found.token
        place = _place(pieces.get(path), token, len(text))
        if place is None:
            piece = between.join(map(_fields, found) if isinstance(found, list)
                                 else map(_stored_fields, found.data[0]))
            size = _size(piece)
            laid += (piece, between)
            span = []
        else:
            start, stop = place
            size = stop - start
            if span and text[span[1]:start] == separator:
                span[1] = stop
                laid[-2] = text[span[0]:stop]
                copies[-1] = (span[0], stop)
            else:
                span = [start, stop]
                laid += (text[start:stop], between)
                copies.append((start, stop))
        if kept is not None and token is not None:
            kept.pieces[path] = [offset, offset + size, token]
        offset += size + len(between)
    laid[-1] = end
    parts.append(opening)
    parts += laid


def _size(part: Part) -> int:
    """The size of a piece of the report in UTF-8."""
    return len(part) if not isinstance(part, str) or part.isascii() else len(part.encode("utf-8"))


def _place(place: Json, token: str | None, size: int) -> tuple[int, int] | None:
    """Where the records ``place`` (``[start, end, token]``) points at are in a text of ``size``
    bytes, when they are of ``token``."""
    if token is None or not isinstance(place, list) or len(place) != 3 or place[2] != token:
        return None
    start, end, _ = place
    if type(start) is not int or type(end) is not int or not 0 <= start < end <= size:
        return None
    return start, end


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


def _stored_fields(data: Json) -> str:
    """:func:`_fields` of a finding as the state stores it (``summary.diagnostic_data``): for a
    part whose records the kept report lacks."""
    from kpilint.summary import diagnostic_of

    return _fields(diagnostic_of(data))


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
