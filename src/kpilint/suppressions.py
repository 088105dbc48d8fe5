"""Inline suppressions (SPEC §5): ``# kpilint: disable=P301,S203 -- reason``.

At the end of a line a comment suppresses those codes (or rule names, or ``all``) on that line;
on a line of its own it suppresses them on the next line that is neither blank nor a comment.
``disable-file=`` suppresses in the whole file. E001 and X002 are never suppressed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kpilint import registry
from kpilint.diagnostics import Diagnostic, Span
from kpilint.load import LINE_BREAK

DIRECTIVE = re.compile(
    r"#\s*kpilint:\s*(?P<kind>disable-file|disable)\s*=\s*"
    r"(?P<codes>[A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)"
    r"(?:\s+--(?:\s+(?P<reason>.*?))?|\s+#.*)?\s*$")
COMMENT_START = re.compile(r"(?:^|(?<=\s))#")
BLANK_OR_COMMENT = re.compile(r"^\s*(#.*)?$")
ALL = "all"


@dataclass(slots=True)
class Suppression:
    """One ``# kpilint:`` comment."""

    span: Span
    selectors: tuple[str, ...]
    reason: str | None
    whole_file: bool
    target_line: int | None
    used: set[str] = field(default_factory=set)

    @property
    def written(self) -> str:
        """The directive as written: ``disable=P301`` or ``disable-file=P301``."""
        kind = "disable-file" if self.whole_file else "disable"
        return f"{kind}={','.join(self.selectors)}"

    @property
    def codes(self) -> frozenset[str]:
        """The rule codes it names (``all`` stays ``all``)."""
        found = set()
        for selector in self.selectors:
            if selector.lower() == ALL:
                found.add(ALL)
                continue
            rule = registry.lookup(selector)
            if rule is not None:
                found.add(rule.code)
        return frozenset(found)

    def covers(self, diagnostic: Diagnostic) -> bool:
        if diagnostic.code in registry.UNSUPPRESSIBLE:
            return False
        if not self.whole_file and diagnostic.location.span.line != self.target_line:
            return False
        codes = self.codes
        return ALL in codes or diagnostic.code in codes


def parse_suppressions(text: str, inside_scalar: Iterable[Span] = ()) -> list[Suppression]:
    """Every suppression comment of a file's text.

    ``inside_scalar`` are the spans of multi-line or quoted scalars: a ``#`` inside one of them
    is text, not a comment.
    """
    if "kpilint:" not in text:
        return []
    lines = LINE_BREAK.split(text)
    scalars = list(inside_scalar)
    found: list[Suppression] = []
    for index, line in enumerate(lines):
        if "kpilint:" not in line:
            continue
        for comment in COMMENT_START.finditer(line):
            column = comment.start() + 1
            if _inside(scalars, index + 1, column):
                continue
            match = DIRECTIVE.match(line, comment.start())
            if match is None:
                continue
            whole_file = match["kind"] == "disable-file"
            own_line = not line[:comment.start()].strip()
            target = None if whole_file else (
                _next_content_line(lines, index) if own_line else index + 1)
            found.append(Suppression(
                Span(index + 1, column, index + 1, len(line) + 1),
                tuple(part.strip() for part in match["codes"].split(",")),
                (match["reason"] or "").strip() or None, whole_file, target))
            break
    return found


def _inside(spans: list[Span], line: int, column: int) -> bool:
    return any((span.line, span.column) < (line, column) < (span.end_line, span.end_column)
               for span in spans)


def _next_content_line(lines: list[str], index: int) -> int | None:
    """The 1-based number of the next line after ``index`` that is not blank or a comment."""
    for later in range(index + 1, len(lines)):
        if not BLANK_OR_COMMENT.match(lines[later]):
            return later + 1
    return None
