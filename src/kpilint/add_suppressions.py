"""``kpilint check --add-suppressions``: write a suppression comment for every current finding.

Each comment goes at the end of the finding's line, or on a line of its own just above it when
the end of the line is no safe place: it lies inside a multi-line scalar (a ``#`` there is text),
follows a tab (some YAML readers, PyYAML's pure-Python one among them, reject ``\t#``), the line
holds a break only YAML sees (NEL, LS, PS), or it already holds a ``disable-file`` comment. A
finding on a line without YAML content (an empty file, a comment line) goes into the file's
``disable-file`` comment, or a new one at the top. Only inserted bytes change: line endings, a
BOM, a missing final newline and every other byte stay as they were.

:func:`add_suppression_comments` is the pure text-to-text step, and checks its own result: the
new text must hold the same YAML data, and its suppression comments must cover exactly what they
covered before plus the findings meant to be suppressed (with the reason, when one is given).
Otherwise it raises :class:`~kpilint.safe_write.WriteRefused`. :func:`add_suppressions` writes
files through :func:`~kpilint.safe_write.rewrite_file`. Running it twice changes nothing.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kpilint.build import SpecFile
from kpilint.diagnostics import Diagnostic
from kpilint.load import LIBYAML_ONLY_BREAKS, UTF8_BOM, Limits, parse_bytes
from kpilint.registry import UNSUPPRESSIBLE, lookup
from kpilint.safe_write import WriteRefused, decoded, rewrite_file
from kpilint.suppressions import BLANK_OR_COMMENT, DIRECTIVE, Suppression, parse_suppressions

META_PREFIX = "X"  # findings about kpilint itself and its comments: fixed, never suppressed
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
LEADING_SPACES = re.compile(r" *")
EVENT_FIELDS = ("anchor", "tag", "implicit", "value", "style", "explicit", "version", "tags",
                "flow_style")
DEFAULT_LIMITS = Limits()
FILE_WIDE = 0  # the key of codes that go into the file's ``disable-file`` comment
FILE_START = -1  # the key of codes found at 1:1 outside any entity: they stay on line 1


@dataclass(slots=True)
class AddResult:
    """What one ``--add-suppressions`` run did: comments written, files changed, files refused."""

    comments: int = 0
    files: int = 0
    refused: list[tuple[Path, str]] = field(default_factory=list)


def suppressible_codes(diagnostics: Iterable[Diagnostic]) -> dict[int, list[str]]:
    """The codes to suppress on each line (1-based), in finding order, without repeats."""
    codes_by_line: dict[int, list[str]] = {}
    for diagnostic in diagnostics:
        if diagnostic.code in UNSUPPRESSIBLE or diagnostic.code.startswith(META_PREFIX):
            continue
        span = diagnostic.location.span
        at_start = diagnostic.subject is None and (span.line, span.column) == (1, 1)
        line_codes = codes_by_line.setdefault(FILE_START if at_start else span.line, [])
        if diagnostic.code not in line_codes:
            line_codes.append(diagnostic.code)
    return codes_by_line


def add_suppressions(root: Path, files: Iterable[tuple[Path, str, list[Diagnostic]]],
                     reason: str | None = None, limits: Limits = DEFAULT_LIMITS) -> AddResult:
    """Write comments for the findings of each (file, linted text, findings) of one project."""
    result = AddResult()
    written: set[str] = set()
    for path, linted_text, diagnostics in files:
        codes_by_line = suppressible_codes(diagnostics)
        target = os.path.realpath(path)
        if not codes_by_line or target in written:
            continue  # a second name (symbolic link) of a file already done
        written.add(target)
        try:
            changed = rewrite_file(path, root, linted_text, functools.partial(
                add_suppression_comments, codes_by_line=codes_by_line, reason=reason,
                limits=limits))
        except WriteRefused as refusal:
            result.refused.append((path, str(refusal)))
            continue
        if changed:
            result.comments += len(codes_by_line)
            result.files += 1
    return result


def add_suppression_comments(data: bytes, codes_by_line: Mapping[int, Sequence[str]], *,
                             reason: str | None = None, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """``data`` with comments suppressing ``codes_by_line`` (1-based line -> codes, and
    :data:`FILE_START` -> codes reported at the file's start), checked.

    Raises :class:`WriteRefused` when the file cannot take such comments safely.
    """
    text = decoded(data)
    if text is None:
        raise WriteRefused("it is not UTF-8")
    before = _Comments.of(text, limits, "it is not valid YAML")
    plan = _Plan(text, before, reason)
    lines = {line: list(codes) for line, codes in codes_by_line.items() if line != FILE_START}
    pinned = list(codes_by_line.get(FILE_START, ()))
    if pinned:
        first = lines.setdefault(1, [])
        first.extend(code for code in pinned if code not in first)
    for line, codes in sorted(lines.items()):
        plan.suppress(line, codes, pinned if line == 1 else ())
    new_text = plan.text()
    if new_text == text:
        return data
    after = _Comments.of(new_text, limits, "the comments would make it invalid YAML")
    if not _same_data(text, new_text):
        raise WriteRefused("the comments would change its YAML data")
    if not after.covers_as_planned(before, plan):
        raise WriteRefused("the comments would not be read as written")
    return (UTF8_BOM if data.startswith(UTF8_BOM) else b"") + new_text.encode("utf-8")


@dataclass(slots=True)
class _Comments:
    """A file's suppression comments and the lines whose end lies inside a scalar."""

    comments: list[Suppression]
    unsafe: set[int]
    by_line: dict[int, Suppression] = field(init=False)

    def __post_init__(self) -> None:
        self.by_line = {comment.span.line: comment for comment in self.comments}

    @classmethod
    def of(cls, text: str, limits: Limits, invalid: str) -> _Comments:
        loaded = parse_bytes(text.encode("utf-8"), limits)
        if any(problem.code == "E001" for problem in loaded.problems):
            raise WriteRefused(invalid)
        spec = SpecFile("", text, [document for document in loaded.documents if document])
        return cls(parse_suppressions(text, spec.quoted_or_block_scalars()),
                   unsafe_line_ends(spec))

    def on_line(self, line: int) -> Suppression | None:
        """The comment written on ``line`` (not the one that applies to it)."""
        return self.by_line.get(line)

    def coverage(self, without_reason: bool = False) -> dict[int | None, set[str]]:
        """Selectors (rule codes; unknown ones as written) per target line (FILE_WIDE: all),
        of every comment or only of those without a reason."""
        covered: dict[int | None, set[str]] = {}
        for comment in self.comments:
            if without_reason and comment.reason is not None:
                continue
            key = FILE_WIDE if comment.whole_file else comment.target_line
            covered.setdefault(key, set()).update(map(_selector_key, comment.selectors))
        return covered

    def covers_as_planned(self, before: _Comments, plan: _Plan) -> bool:
        """Whether these comments cover what ``before`` covered plus what ``plan`` added."""
        expected: dict[int | None, set[str]] = {}
        for line, selectors in before.coverage().items():
            expected[plan.new_line(line)] = set(selectors)
        for line, codes in plan.added.items():
            expected.setdefault(plan.new_line(line), set()).update(map(_selector_key, codes))
        if self.coverage() != expected:
            return False
        if plan.reason is None:
            return True
        unexplained = self.coverage(without_reason=True)
        return not any(unexplained.get(plan.new_line(line), set()) & set(map(_selector_key, codes))
                       for line, codes in plan.added.items())


def _selector_key(selector: str) -> str:
    """A rule's code for a code or name, else the selector in lower case (``all``)."""
    rule = lookup(selector)
    return rule.code if rule is not None else selector.lower()


class _Plan:
    """The comments to insert into one text, and where its lines move."""

    def __init__(self, text: str, comments: _Comments, reason: str | None) -> None:
        self.lines: list[str] = [line for line in LINE.findall(text) if line]
        self.comments = comments
        self.reason = reason
        self.added: dict[int, list[str]] = {}  # old line (FILE_WIDE: whole file) -> codes
        self.end_of_line: dict[int, str] = {}  # old line -> its new text
        self.above: dict[int, str] = {}  # old line -> a comment line to insert before it
        self.top = ""  # a new ``disable-file`` line at the start of the file
        self._above_sorted: list[int] | None = None

    def suppress(self, line: int, codes: list[str], pinned: Sequence[str] = ()) -> None:
        """Plan comments for ``codes`` on ``line``; ``pinned`` ones stay at 1:1 (file start)."""
        content = self._content(line)
        if content is None or BLANK_OR_COMMENT.fullmatch(content):
            self._suppress_file_wide(codes)
            return
        self.added[line] = codes
        existing = self.comments.on_line(line)
        if (line in self.comments.unsafe or any(mark in content for mark in LIBYAML_ONLY_BREAKS)
                or "\t" in content[len(content.rstrip(" \t")):]
                or (existing is not None and (
                    existing.whole_file or not self._mergeable(existing, content)))):
            staying = [code for code in codes if code in pinned]
            if staying:  # a line inserted above would not cover what stays at the file's start
                self._suppress_file_wide(staying)
                codes = [code for code in codes if code not in staying]
                if not codes:
                    del self.added[line]
                    return
                self.added[line] = codes
            self.above[line] = self._own_line(line, "disable", codes)
        elif existing is not None:
            self.end_of_line[line] = self._merged(existing, content, codes)
        else:
            gap = "" if content.endswith(" ") else "  "
            self.end_of_line[line] = f"{content}{gap}{self._directive('disable', codes)}"

    def _suppress_file_wide(self, codes: list[str]) -> None:
        added = self.added.setdefault(FILE_WIDE, [])
        added.extend(code for code in codes if code not in added)
        existing = next((comment for comment in self.comments.comments if comment.whole_file),
                        None)
        content = self._content(existing.span.line) if existing is not None else None
        if existing is not None and content is not None and self._mergeable(existing, content):
            self.end_of_line[existing.span.line] = self._merged(existing, content, added)
        else:
            self.top = self._directive("disable-file", added) + self._ending(1)

    def _content(self, line: int) -> str | None:
        """Line ``line`` without its line break (None past the end of the text)."""
        if not 1 <= line <= len(self.lines):
            return None
        return self.lines[line - 1].rstrip("\r\n")

    def _ending(self, line: int) -> str:
        """The line break of ``line``, else of the first line, else a newline."""
        for text in (self.lines[line - 1] if line <= len(self.lines) else "",
                     self.lines[0] if self.lines else ""):
            ending = text[len(text.rstrip("\r\n")):]
            if ending:
                return ending
        return "\n"

    def _directive(self, kind: str, codes: list[str]) -> str:
        explained = f" -- {self.reason}" if self.reason else ""
        return f"# kpilint: {kind}={','.join(codes)}{explained}"

    def _own_line(self, line: int, kind: str, codes: list[str]) -> str:
        indent = LEADING_SPACES.match(self.lines[line - 1])
        return f"{indent[0] if indent else ''}{self._directive(kind, codes)}{self._ending(line)}"

    def _mergeable(self, existing: Suppression, content: str) -> bool:
        """Whether codes can join ``existing``: it explains itself, or no reason is asked, or
        nothing follows its codes (where the reason would go)."""
        if existing.reason is not None or self.reason is None:
            return True
        return not content[self._codes_end(existing, content):].strip()

    def _merged(self, existing: Suppression, content: str, codes: list[str]) -> str:
        end = self._codes_end(existing, content)
        explained = f" -- {self.reason}" if self.reason and existing.reason is None else ""
        return f"{content[:end]},{','.join(codes)}{explained}{content[end:]}"

    @staticmethod
    def _codes_end(existing: Suppression, content: str) -> int:
        match = DIRECTIVE.match(content, existing.span.column - 1)
        assert match is not None  # the parser found this directive at that column
        return match.end("codes")

    def new_line(self, line: int | None) -> int | None:
        """Where old line ``line`` ends up (FILE_WIDE and None stay)."""
        if not line:
            return line
        if self._above_sorted is None:
            self._above_sorted = sorted(self.above)
        return line + (1 if self.top else 0) + bisect.bisect_right(self._above_sorted, line)

    def text(self) -> str:
        parts = [self.top]
        for number, line in enumerate(self.lines, start=1):
            parts.append(self.above.get(number, ""))
            replaced = self.end_of_line.get(number)
            parts.append(line if replaced is None else
                         replaced + line[len(line.rstrip("\r\n")):])
        return "".join(parts)


def _same_data(old: str, new: str) -> bool:
    """Whether two texts give the same YAML event stream (comments are no events)."""
    try:
        pairs = itertools.zip_longest(_events(old), _events(new))
        return all(first == second for first, second in pairs)
    except yaml.YAMLError:
        return False


def _events(text: str) -> Iterator[tuple[Any, ...]]:
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        yield type(event), *(getattr(event, name, None) for name in EVENT_FIELDS)


def unsafe_line_ends(spec: SpecFile) -> set[int]:
    """Lines whose end lies inside a scalar (a comment there would become part of it)."""
    unsafe: set[int] = set()
    for node, block in spec.scalars():
        first = node.span.line + 1 if block else node.span.line
        unsafe.update(range(first, node.span.end_line))
    return unsafe
