"""Inline suppressions (SPEC §5): ``# kpilint: disable=P301,S203 -- reason``.

At the end of a line a comment suppresses those codes (or rule names, or ``all``) on that line;
on a line of its own it suppresses them on the next line that is neither blank nor a comment.
``disable-file=`` suppresses in the whole file. E001 and X002 are never suppressed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kpilint import registry
from kpilint.diagnostics import Diagnostic, Edit, Fix, Span
from kpilint.load import LINE_BREAK

# The head of a directive; what may follow it (a reason after ` -- `, or another comment) is read
# by `_tail_reason` without a regular expression, so parsing stays linear in the line's length.
DIRECTIVE = re.compile(
    r"#\s*kpilint:\s*(?P<kind>disable-file|disable)\s*=\s*"
    r"(?P<codes>[A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)")
SELECTOR = re.compile(r"[A-Za-z0-9_-]+")
COMMENT_START = re.compile(r"(?:^|(?<=\s))#")
BLANK_OR_COMMENT = re.compile(r"\s*(?:#.*)?")
NOT_A_DIRECTIVE = object()
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
    codes: frozenset[str] = field(init=False)  # the rule codes it names (``all`` stays ``all``)

    def __post_init__(self) -> None:
        found = set()
        for selector in self.selectors:
            if selector.lower() == ALL:
                found.add(ALL)
                continue
            rule = registry.lookup(selector)
            if rule is not None:
                found.add(rule.code)
        self.codes = frozenset(found)

    @property
    def written(self) -> str:
        """The directive as written: ``disable=P301`` or ``disable-file=P301``."""
        kind = "disable-file" if self.whole_file else "disable"
        return f"{kind}={','.join(self.selectors)}"

    def covers(self, diagnostic: Diagnostic) -> bool:
        if diagnostic.code in registry.UNSUPPRESSIBLE:
            return False
        if not self.whole_file and diagnostic.location.span.line != self.target_line:
            return False
        return ALL in self.codes or diagnostic.code in self.codes


class SuppressionIndex:
    """A file's comments by the line they apply to, so matching a finding costs no scan."""

    def __init__(self, comments: list[Suppression]) -> None:
        self.comments = comments
        self.whole_file = [comment for comment in comments if comment.whole_file]
        self.by_line: dict[int | None, list[Suppression]] = {}
        for comment in comments:
            if not comment.whole_file:
                self.by_line.setdefault(comment.target_line, []).append(comment)

    def covering(self, diagnostic: Diagnostic) -> Suppression | None:
        """The first comment (in file order) that suppresses ``diagnostic``."""
        candidates = [*self.whole_file, *self.by_line.get(diagnostic.location.span.line, ())]
        candidates.sort(key=lambda comment: comment.span.line)
        return next((comment for comment in candidates if comment.covers(diagnostic)), None)


def parse_suppressions(text: str, inside_scalar: Iterable[Span] = ()) -> list[Suppression]:
    """Every suppression comment of a file's text, in linear time.

    ``inside_scalar`` are the spans of multi-line or quoted scalars: a ``#`` inside one of them
    is text, not a comment.
    """
    if "kpilint:" not in text:
        return []
    lines = LINE_BREAK.split(text)
    scalars = _ScalarSpans(inside_scalar)
    next_content: list[int | None] | None = None
    found: list[Suppression] = []
    for index, line in enumerate(lines):
        if "kpilint:" not in line:
            continue
        for comment in COMMENT_START.finditer(line):
            column = comment.start() + 1
            if scalars.contains(index + 1, column):
                continue
            match = DIRECTIVE.match(line, comment.start())
            reason = NOT_A_DIRECTIVE if match is None else _tail_reason(line[match.end():])
            if match is None or reason is NOT_A_DIRECTIVE:
                continue
            whole_file = match["kind"] == "disable-file"
            target: int | None = index + 1
            if whole_file:
                target = None
            elif not line[:comment.start()].strip():
                next_content = next_content or _next_content_lines(lines)
                target = next_content[index]
            found.append(Suppression(
                Span(index + 1, column, index + 1, len(line) + 1),
                tuple(part.strip() for part in match["codes"].split(",")),
                reason if isinstance(reason, str) else None, whole_file, target))
            break
    return found


def _tail_reason(tail: str) -> str | object | None:
    """The reason in the text after a directive's codes: ``-- reason``, nothing, or another
    comment; ``NOT_A_DIRECTIVE`` when anything else follows."""
    rest = tail.lstrip()
    if not rest or (rest.startswith("#") and len(rest) < len(tail)):
        return None
    if len(rest) == len(tail) or not rest.startswith("--"):
        return NOT_A_DIRECTIVE
    after = rest[2:]
    if not after.strip():
        return None
    return after.strip() if after[0].isspace() else NOT_A_DIRECTIVE


class _ScalarSpans:
    """Spans of scalars (they never overlap), found by binary search."""

    def __init__(self, spans: Iterable[Span]) -> None:
        ordered = sorted(spans, key=lambda span: (span.line, span.column))
        self.starts = [(span.line, span.column) for span in ordered]
        self.ends = [(span.end_line, span.end_column) for span in ordered]

    def contains(self, line: int, column: int) -> bool:
        """Whether (line, column) lies strictly inside one of the spans."""
        at = bisect.bisect_left(self.starts, (line, column)) - 1
        return at >= 0 and (line, column) < self.ends[at]


def _next_content_lines(lines: list[str]) -> list[int | None]:
    """For each line index, the 1-based number of the next later line that is neither blank nor
    a comment (one backward pass)."""
    result: list[int | None] = [None] * len(lines)
    following: int | None = None
    for index in range(len(lines) - 1, -1, -1):
        result[index] = following
        if not BLANK_OR_COMMENT.fullmatch(lines[index]):
            following = index + 1
    return result


def unused_code_fix(comment: Suppression, code: str, lines: list[str]) -> Fix | None:
    """Remove ``code`` (every selector naming it) from ``comment``, or the whole comment when
    nothing else would be left in it or ``code`` is ``all`` (``lines``: the file's lines, without
    their breaks). Other text on the line (YAML content, a later ``# comment``) stays."""
    number = comment.span.line
    line = lines[number - 1]
    match = DIRECTIVE.match(line, comment.span.column - 1)
    if match is None:
        return None
    selectors = list(SELECTOR.finditer(line, match.start("codes"), match.end("codes")))
    removed = [index for index, selector in enumerate(selectors)
               if code == ALL or _code_of(selector[0]) == code]
    if len(removed) < len(selectors):
        edits = [Edit(Span(number, start + 1, number, end + 1), "")
                 for start, end in _removals(selectors, removed)]
        return Fix(f"Remove {code} from the suppression comment", tuple(edits))
    return Fix("Remove the unused suppression comment", (_comment_removal(
        lines, number, match.start(), match.end("codes")),))


def _code_of(selector: str) -> str:
    if selector.lower() == ALL:
        return ALL
    rule = registry.lookup(selector)
    return rule.code if rule is not None else selector


def _removals(selectors: list[re.Match[str]], removed: list[int]) -> list[tuple[int, int]]:
    """Column ranges (0-based, end exclusive) that delete the ``removed`` selectors and one
    separator each: the one after a run of them, or before the run that ends the list."""
    ranges = []
    last = len(selectors) - 1
    runs: list[list[int]] = []
    for index in removed:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    for run in runs:
        first, final = run[0], run[-1]
        if final < last:
            ranges.append((selectors[first].start(), selectors[final + 1].start()))
        else:
            ranges.append((selectors[first - 1].end(), selectors[final].end()))
    return ranges


def _comment_removal(lines: list[str], number: int, start: int, codes_end: int) -> Edit:
    """The edit deleting the directive at ``start`` (its reason too, not a later comment), with
    the blanks before it; its whole line when nothing else is on it."""
    line = lines[number - 1]
    rest = line[codes_end:]
    later = rest.lstrip()
    end = len(line) - len(later) if later.startswith("#") else len(line)
    before = line[:start].rstrip(" \t")
    if before or end < len(line):
        begin = len(before) if end == len(line) else start
        return Edit(Span(number, begin + 1, number, end + 1), "")
    if number < len(lines):
        return Edit(Span(number, 1, number + 1, 1), "")
    return Edit(Span(number, 1, number, len(line) + 1), "")  # the last line: its break stays
