"""``check --fix`` and ``--diff`` (SPEC 10.8): apply the findings' fix edits to spec files.

The edits are the ones the JSON output and the language server show (``Diagnostic.fix``). One
pass applies, per file, every wanted fix whose edits overlap no fix already taken (in position
order); the project is then checked again, since a fix may reveal another (a key spelled right
shows its value's typo) or free the edits a skipped fix needed. Passes repeat until nothing
changes, at most :data:`MAX_PASSES` times. A pass whose result would not parse as YAML is not
taken for that file. Only the named files of each project are fixed; each is written once, at
the end, through :func:`~kpilint.safe_write.rewrite_file` (atomic, locked, refused if the file
changed meanwhile). Every byte no edit touches stays: line breaks, a BOM, comments, flow style,
a missing final newline.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kpilint.diagnostics import SAFE, Diagnostic, Edit, Fix
from kpilint.engine import Linter
from kpilint.load import LINE_BREAK, UTF8_BOM, parse_bytes
from kpilint.safe_write import WriteRefused, rewrite_file

MAX_PASSES = 10
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
NO_NEWLINE = "\\ No newline at end of file\n"


def wanted(diagnostic: Diagnostic, unsafe: bool) -> bool:
    """Whether ``--fix`` applies this finding's fix (unsafe ones only with ``--unsafe-fixes``)."""
    fix = diagnostic.fix
    return fix is not None and bool(fix.edits) and (unsafe or fix.applicability == SAFE)


class _Offsets:
    """Code-point offsets of (line, column) positions in one text (lines as editors count)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(match.end() for match in LINE_BREAK.finditer(text))]

    def offset(self, line: int, column: int) -> int | None:
        """The offset of a 1-based position, or None when no such place exists in the text."""
        if not 1 <= line <= len(self.starts) or column < 1:
            return None
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        line_end = len(self.text[start:end].rstrip("\r\n")) + start
        at = start + column - 1
        return at if at <= line_end or (column == 1 and at == end) else None

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, int]:
    """``text`` with every fix applied whose edits overlap no fix taken before it (fixes are
    taken in order of their first edit); the number taken. A fix whose edits point outside
    the text is left out."""
    offsets = _Offsets(text)
    candidates: list[tuple[tuple[int, int], list[tuple[int, int, str]]]] = []
    for fix in fixes:
        ranges = _ranges(offsets, fix.edits)
        if ranges:
            candidates.append((min((start, end) for start, end, _ in ranges), ranges))
    candidates.sort(key=lambda candidate: candidate[0])
    taken: list[tuple[int, int, str]] = []
    count = 0
    for _, ranges in candidates:
        if any(_overlap(edit, other) for edit in ranges for other in taken):
            continue
        taken.extend(ranges)
        count += 1
    for start, end, replacement in sorted(taken, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, count


def _ranges(offsets: _Offsets, edits: Sequence[Edit]) -> list[tuple[int, int, str]]:
    """The edits as (start, end, text) offsets; empty when one of them does not fit the text
    or two of them overlap."""
    ranges = []
    for edit in edits:
        span = edit.span
        start = offsets.offset(span.line, span.column)
        end = offsets.offset(span.end_line, span.end_column)
        if start is None or end is None or end < start:
            return []
        ranges.append((start, end, edit.text))
    if any(_overlap(first, second) for index, first in enumerate(ranges)
           for second in ranges[index + 1:]):
        return []
    return ranges


def _overlap(first: tuple[int, int, str], second: tuple[int, int, str]) -> bool:
    """Whether two edits touch the same text; two insertions at one place also clash (their
    order would be a guess)."""
    (start, end, _), (other_start, other_end, _) = first, second
    if start == end and other_start == other_end:
        return start == other_start
    return (start < other_end and other_start < end) or (
        start == end and other_start < start < other_end) or (
        other_start == other_end and start < other_start < end)


@dataclass(slots=True)
class FixedFile:
    """One file ``--fix`` changed: the text it was linted with and the fixed text."""

    absolute: Path
    display: str
    original: str
    text: str
    fixes: int = 0


@dataclass(slots=True)
class FixRun:
    """What fixing the named files of one or more projects did."""

    files: list[FixedFile] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def fixes(self) -> int:
        return sum(each.fixes for each in self.files)


def fix_project(linter: Linter, named: Callable[[Path], bool], unsafe: bool) -> list[FixedFile]:
    """Fix the named files of one project in memory (the linter ends up holding the fixed
    texts); the files that changed."""
    fixing = {loaded.spec.path: FixedFile(absolute, loaded.spec.path, loaded.spec.text,
                                          loaded.spec.text)
              for absolute, loaded in linter.files.items() if named(absolute)}
    for _ in range(MAX_PASSES):
        by_path: dict[str, list[Fix]] = {}
        for diagnostic in linter.check().diagnostics:
            if diagnostic.location.path in fixing and wanted(diagnostic, unsafe):
                assert diagnostic.fix is not None
                by_path.setdefault(diagnostic.location.path, []).append(diagnostic.fix)
        changed = False
        for path, fixes in by_path.items():
            fixed = fixing[path]
            text, count = apply_fixes(fixed.text, fixes)
            if count == 0 or text == fixed.text or not _parses(text, linter):
                continue
            fixed.text = text
            fixed.fixes += count
            linter.update(fixed.absolute, path, text.encode("utf-8"))
            changed = True
        if not changed:
            break
    return [fixed for fixed in fixing.values() if fixed.text != fixed.original]


def _parses(text: str, linter: Linter) -> bool:
    """Whether ``text`` is still well-formed YAML within the project's limits."""
    loaded = parse_bytes(text.encode("utf-8"), linter.config.limits)
    return not any(problem.code == "E001" for problem in loaded.problems)


def write_fixed(root: Path, files: Iterable[FixedFile], run: FixRun) -> None:
    """Write each fixed file in place (atomically, its BOM kept); refusals go to ``run``."""
    written: set[str] = set()
    for fixed in files:
        target = os.path.realpath(fixed.absolute)
        if target in written:
            continue  # a second name (symbolic link) of a file already written
        written.add(target)
        try:
            if os.path.exists(target) and not os.stat(target).st_mode & (
                    stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
                raise WriteRefused("it is read-only")
            rewrite_file(fixed.absolute, root, fixed.original,
                         functools.partial(_replaced, fixed.text))
        except WriteRefused as refusal:
            run.refused.append((fixed.absolute, str(refusal)))
            continue
        run.files.append(fixed)


def _replaced(text: str, current: bytes) -> bytes:
    """``text`` as the file's new bytes, with the BOM ``current`` starts with, if any."""
    return (UTF8_BOM if current.startswith(UTF8_BOM) else b"") + text.encode("utf-8")


def unified_diff(fixed: FixedFile) -> str:
    """The unified diff of one fixed file (``--diff``), line breaks as they are in the file."""
    old = [line for line in LINE.findall(fixed.original) if line]
    new = [line for line in LINE.findall(fixed.text) if line]
    lines = []
    for line in difflib.unified_diff(old, new, fixed.display, fixed.display):
        lines.append(line if line.endswith(("\n", "\r")) else f"{line}\n{NO_NEWLINE}")
    return "".join(lines)
