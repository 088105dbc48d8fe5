"""``check --fix`` and ``--diff`` (SPEC 10.8): apply the findings' fix edits to spec files.

The edits are the ones the JSON output and the language server show (``Diagnostic.fix``). One
pass applies, per file, every wanted fix whose edits overlap no fix already taken (in position
order); the project is then checked again, since a fix may reveal another (a key spelled right
shows its value's typo) or free the edits a skipped fix needed. Passes repeat until nothing
changes, at most :data:`MAX_PASSES` times. A pass is kept only when the new text is well-formed
YAML whose data differs from the old only as its fixes say (:func:`same_data_but_fixed`); else
its fixes are tried one at a time, and one that fails alone is named on stderr and left out.
Only the named files of each project are fixed (never one that is not well-formed YAML); each
is written once, at the end, through :func:`~kpilint.safe_write.rewrite_file` (atomic, locked,
refused if the file changed meanwhile). Every byte no edit touches stays: line breaks, a BOM,
comments, flow style, a missing final newline.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kpilint.diagnostics import SAFE, Diagnostic, Edit, Fix
from kpilint.engine import Linter
from kpilint.load import LINE_BREAK, UTF8_BOM, Limits, parse_bytes
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
        return at if at <= line_end else None


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, list[Fix]]:
    """``text`` with every fix applied whose edits overlap no fix taken before it (fixes are
    taken in order of their first edit), and the fixes taken. A fix whose edits point outside
    the text is left out."""
    offsets = _Offsets(text)
    candidates: list[tuple[tuple[int, int], Fix, list[tuple[int, int, str]]]] = []
    for fix in fixes:
        ranges = _ranges(offsets, fix.edits)
        if ranges:
            candidates.append((min((start, end) for start, end, _ in ranges), fix, ranges))
    candidates.sort(key=lambda candidate: candidate[0])
    edits: list[tuple[int, int, str]] = []
    taken: list[Fix] = []
    for _, fix, ranges in candidates:
        if any(_overlap(edit, other) for edit in ranges for other in edits):
            continue
        edits.extend(ranges)
        taken.append(fix)
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, taken


def _extent(offsets: _Offsets, fix: Fix) -> tuple[int, int]:
    """The offsets from a fix's first edited character to its last."""
    ranges = _ranges(offsets, fix.edits)
    return min(start for start, _, _ in ranges), max(end for _, end, _ in ranges)


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
    """One file ``--fix`` works on: the text it was linted with, the fixed text, how many fixes
    were applied, and the findings whose fix was not (it would have changed more than it says:
    a comment that ends a multi-line scalar, say), with the text they were found in."""

    absolute: Path
    display: str
    original: str
    text: str
    fixes: int = 0
    refused: list[tuple[Diagnostic, str]] = field(default_factory=list)
    kept_out: set[tuple[object, ...]] = field(default_factory=set)

    def apply(self, diagnostics: list[Diagnostic]) -> int:
        """One pass over the fixes of ``diagnostics``; how many were applied. When the pass as a
        whole fails :func:`same_data_but_fixed`, its fixes are tried one at a time, the last
        first (so the positions of the earlier ones stay valid); one that fails alone is
        refused, and not offered again."""
        safe = [each for each in diagnostics if each.fix and each.fix.applicability == SAFE]
        diagnostics = safe or diagnostics  # unsafe fixes once the safe ones are all done
        finding = {id(each.fix): each for each in diagnostics}
        text, taken = apply_fixes(self.text, [each.fix for each in diagnostics if each.fix])
        if not taken or text == self.text:
            return 0
        if same_data_but_fixed(self.text, text, taken):
            self.text = text
            self.fixes += len(taken)
            return len(taken)
        offsets = _Offsets(self.text)
        tried: list[tuple[int, int]] = []
        applied = 0
        for fix in sorted(taken, key=lambda fix: _extent(offsets, fix), reverse=True):
            low, high = _extent(offsets, fix)
            if any(low <= other_high and other_low <= high for other_low, other_high in tried):
                continue  # edits interleaved with a fix tried already: the next pass
            tried.append((low, high))
            text, one = apply_fixes(self.text, [fix])
            if not one or text == self.text:
                continue
            if same_data_but_fixed(self.text, text, one):
                self.text = text
                applied += 1
            else:
                self.kept_out.add(_fix_key(finding[id(fix)]))
                self.refused.append((finding[id(fix)], self.text))
        self.fixes += applied
        return applied


def _fix_key(diagnostic: Diagnostic) -> tuple[object, ...]:
    """What identifies a fix across passes (the same fix, offered again on the same text)."""
    assert diagnostic.fix is not None
    return (diagnostic.code, diagnostic.fix.message, diagnostic.fix.edits)


def same_data_but_fixed(old: str, new: str, fixes: Sequence[Fix]) -> bool:
    """Whether ``new`` is well-formed YAML whose event stream is ``old``'s but for what the
    fixes say: scalars whose new value is (or, for a term inside a formula, holds) a fix's
    replacement text, and inserted scalars that the inserted text holds; and no mapping has
    more duplicate keys than before. Comments are no events, so removing a suppression comment
    must leave the stream as it was."""
    replaced: set[str] = set()
    inserted: set[str] = set()
    for fix in fixes:
        for edit in fix.edits:
            if not edit.text:
                continue
            values = _scalar_values(edit.text)
            (inserted if edit.span.line == edit.span.end_line
             and edit.span.column == edit.span.end_column else replaced).update(values)
    try:
        before, after = list(_events(old)), list(_events(new))
    except yaml.YAMLError:
        return False
    if _duplicate_keys(new) > _duplicate_keys(old):
        return False  # a key renamed or added that the mapping has: a value would be lost
    same = 0  # the common head and tail are skipped: the matcher costs more on long streams
    while same < min(len(before), len(after)) and before[same] == after[same]:
        same += 1
    while len(before) > same and len(after) > same and before[-1] == after[-1]:
        before.pop()
        after.pop()
    before, after = before[same:], after[same:]
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for operation, start, end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            continue
        if operation == "insert":
            if not all(event[0] == "scalar" and event[3] in inserted
                       for event in after[new_start:new_end]):
                return False
        elif operation != "replace" or end - start != new_end - new_start or not all(
                _rewritten_scalar(first, second, replaced) for first, second
                in zip(before[start:end], after[new_start:new_end], strict=True)):
            return False
    return True


def _duplicate_keys(text: str) -> int:
    """How many duplicate keys (E003) the loader finds in ``text``."""
    loaded = parse_bytes(text.encode("utf-8"), Limits())
    return sum(1 for problem in loaded.problems if problem.code == "E003")


def _rewritten_scalar(old: tuple[object, ...], new: tuple[object, ...],
                      values: set[str]) -> bool:
    """Whether scalar event ``new`` is ``old`` with a value a fix writes."""
    if old[0] != "scalar" or old[:3] != new[:3]:
        return False
    value = str(new[3])
    return value in values or any(text in value for text in values)


def _scalar_values(text: str) -> set[str]:
    """The scalar values of a fix's text read as YAML on its own (``'2026'`` -> ``2026``)."""
    try:
        return {str(event[3]) for event in _events(text.strip()) if event[0] == "scalar"}
    except yaml.YAMLError:
        return {text}


def _events(text: str) -> Iterator[tuple[object, ...]]:
    """The YAML events of ``text`` without positions: scalars as (kind, anchor, tag, value)."""
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.ScalarEvent):
            yield "scalar", event.anchor, event.tag, event.value
        else:
            yield (type(event).__name__, getattr(event, "anchor", None),
                   getattr(event, "tag", None), getattr(event, "flow_style", None))


@dataclass(slots=True)
class FixRun:
    """What writing the fixed files of one or more projects did: the files written and those
    left alone, with why."""

    files: list[FixedFile] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def fixes(self) -> int:
        return sum(each.fixes for each in self.files)


def fix_project(linter: Linter, named: Callable[[Path], bool], unsafe: bool) -> list[FixedFile]:
    """Fix the named files of one project in memory (the linter ends up holding the fixed
    texts); the files that changed, or that hold a fix that was not taken. A file that is not
    well-formed YAML (E001) is left as it is."""
    fixing = {loaded.spec.path: FixedFile(absolute, loaded.spec.path, loaded.spec.text,
                                          loaded.spec.text)
              for absolute, loaded in linter.files.items()
              if named(absolute) and loaded.spec.dialect is None  # v1 specs only (SPEC 10.8)
              and not loaded.spec.foreign
              and not loaded.spec.violations_of("E001")}
    for _ in range(MAX_PASSES):
        by_path: dict[str, list[Diagnostic]] = {}
        for diagnostic in linter.check().diagnostics:
            path = diagnostic.location.path
            if path in fixing and wanted(diagnostic, unsafe) and (
                    _fix_key(diagnostic) not in fixing[path].kept_out):
                by_path.setdefault(path, []).append(diagnostic)
        changed = False
        for path, diagnostics in by_path.items():
            fixed = fixing[path]
            count = fixed.apply(diagnostics)
            if count:
                linter.update(fixed.absolute, path, fixed.text.encode("utf-8"))
                changed = True
        if not changed:
            break
    return [fixed for fixed in fixing.values() if fixed.text != fixed.original or fixed.refused]


def write_fixed(root: Path, files: Iterable[FixedFile], run: FixRun) -> None:
    """Write each fixed file in place (atomically, its BOM kept); refusals go to ``run``."""
    written: set[str] = set()
    for fixed in files:
        if fixed.text == fixed.original:
            continue
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


def refusal_lines(files: Iterable[FixedFile]) -> list[str]:
    """One line per fix that was not applied because it would change more than it says, at
    the finding's place in the text it was found in."""
    lines = []
    for fixed in files:
        for diagnostic, _ in fixed.refused:
            span = diagnostic.location.span
            assert diagnostic.fix is not None
            lines.append(f"kpilint: {fixed.display}:{span.line}:{span.column}: {diagnostic.code}"
                         f" not fixed: {diagnostic.fix.message} would change the YAML data"
                         " beyond the fix (fix it by hand)")
    return lines
