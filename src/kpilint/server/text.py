"""Positions and text: kpilint's 1-based code-point spans <-> LSP positions in the negotiated
encoding, document lines as editors split them, and file URIs."""


from __future__ import annotations

import bisect
import os
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from kpilint.diagnostics import Span
from kpilint.load import LINE_BREAK

if TYPE_CHECKING:
    pass


UTF8 = types.PositionEncodingKind.Utf8.value
UTF16 = types.PositionEncodingKind.Utf16.value
UTF32 = types.PositionEncodingKind.Utf32.value


def client_units(text: str, encoding: str) -> int:
    """The length of ``text`` in the client's code units."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for character in text if ord(character) > 0xFFFF)


def code_point_index(line: str, character: int, encoding: str) -> int:
    """The code-point index in ``line`` of a client ``character`` offset (clamped to the line)."""
    if encoding == UTF32:
        return min(max(character, 0), len(line))
    units = 0
    for index, each in enumerate(line):
        if units >= character:
            return index
        units += client_units(each, encoding)
    return len(line)


class SourceText:
    """A document's text split into lines as editors split them (LF, CRLF, CR)."""

    def __init__(self, text: str, encoding: str) -> None:
        self.text = text
        self.encoding = encoding
        self.lines = LINE_BREAK.split(text)
        self.line_starts = [0, *(match.end() for match in LINE_BREAK.finditer(text))]

    def position(self, line: int, column: int) -> types.Position:
        """The LSP position of a 1-based line and code-point column."""
        if line > len(self.lines):
            return types.Position(len(self.lines) - 1,
                                  client_units(self.lines[-1], self.encoding))
        text = self.lines[max(line, 1) - 1]
        return types.Position(max(line, 1) - 1,
                              client_units(text[:max(column, 1) - 1], self.encoding))

    def range(self, span: Span) -> types.Range:
        return types.Range(self.position(span.line, span.column),
                           self.position(span.end_line, span.end_column))

    def at_offset(self, offset: int) -> types.Position:
        """The LSP position of a code-point offset into the text."""
        line = bisect.bisect_right(self.line_starts, offset)
        return self.position(line, offset - self.line_starts[line - 1] + 1)

    def code_point(self, position: types.Position) -> tuple[int, int]:
        """The 1-based line and code-point column of an LSP position."""
        if position.line >= len(self.lines):
            return len(self.lines), len(self.lines[-1]) + 1
        line = self.lines[position.line]
        return position.line + 1, code_point_index(line, position.character, self.encoding) + 1


def span_contains(span: Span, line: int, column: int) -> bool:
    """Whether the cursor at ``line:column`` touches ``span`` (its end included)."""
    return (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column)


def ranges_touch(first: types.Range, second: types.Range) -> bool:
    def key(position: types.Position) -> tuple[int, int]:
        return position.line, position.character

    return key(first.start) <= key(second.end) and key(second.start) <= key(first.end)


def minimal_edit(old: SourceText, new: str) -> types.TextEdit:
    """One edit turning ``old`` into ``new``: the differing middle, so the cursor stays put."""
    text = old.text
    limit = min(len(text), len(new))
    prefix = 0
    while prefix < limit and text[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and text[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return types.TextEdit(types.Range(old.at_offset(prefix), old.at_offset(len(text) - suffix)),
                          new[prefix:len(new) - suffix])


def fs_path(uri: str) -> Path | None:
    from pygls.uris import to_fs_path

    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(os.path.abspath(path)) if path else None


def file_uri(path: Path) -> str:
    from pygls.uris import from_fs_path

    uri = from_fs_path(str(path))
    return str(uri) if uri else path.as_uri()

