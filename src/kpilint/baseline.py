"""Baselines (SPEC §5): adopt kpilint in a project that already has findings.

A baseline counts findings per (root-relative path, code, subject) — never line numbers, so it
survives edits. A key is reported again once its findings outnumber the baseline's count; entries
that no longer match are listed so the baseline only shrinks.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kpilint.config import ConfigError
from kpilint.diagnostics import Diagnostic, position
from kpilint.fileio import write_atomically

FORMAT_VERSION = 1
ENTRY_KEYS = ("path", "code", "subject", "count")
"""A diagnostic's ``sort_key``, read in C."""


@dataclass(frozen=True, slots=True)
class BaselineKey:
    """What a baseline entry counts findings of."""

    path: str
    code: str
    subject: str | None

    def sort_key(self) -> tuple[str, str, str]:
        return self.path, self.code, self.subject or ""

    def describe(self) -> str:
        return f"{self.path}: {self.code}" + (f" ({self.subject})" if self.subject else "")


def key_of(diagnostic: Diagnostic) -> BaselineKey:
    return BaselineKey(*_key_fields(diagnostic))


def _key_fields(diagnostic: Diagnostic) -> tuple[str, str, str | None]:
    """The fields of a diagnostic's key (a tuple hashes in C; a key, in Python)."""
    return (diagnostic.project_path or diagnostic.location.path, diagnostic.code,
            diagnostic.subject)


@dataclass(frozen=True, slots=True)
class BaselineOutcome:
    """What applying a baseline did."""

    reported: list[Diagnostic]
    hidden: int
    stale: list[tuple[BaselineKey, int, int]]


class _Malformed(Exception):
    """What is wrong with a baseline file's content, in the user's terms."""


def read_baseline(path: Path) -> Counter[BaselineKey]:
    """Load a baseline file; a missing or malformed one is a one-line error."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the baseline: {error.strerror or error}") from None
    try:
        return _entries(_json(raw))
    except _Malformed as problem:
        raise ConfigError(f"{path}: not a kpilint baseline file: {problem}; write one with"
                          " `kpilint baseline FILE`") from None


def _json(raw: bytes) -> object:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise _Malformed(f"not UTF-8 (byte {error.start + 1})") from None
    except json.JSONDecodeError as error:
        raise _Malformed(f"invalid JSON at line {error.lineno}, column {error.colno}") from None


def _entries(data: object) -> Counter[BaselineKey]:
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise _Malformed("expected a JSON object with an `entries` list")
    if data.get("version", FORMAT_VERSION) != FORMAT_VERSION:
        raise _Malformed(f"`version` must be {FORMAT_VERSION}")
    counts: Counter[BaselineKey] = Counter()
    for number, entry in enumerate(data["entries"], 1):
        if not isinstance(entry, dict):
            raise _Malformed(f"entry {number} is not an object")
        path, code, subject, count = (entry.get(key) for key in ENTRY_KEYS)
        if not isinstance(path, str) or not isinstance(code, str):
            raise _Malformed(f"entry {number} needs `path` and `code` as strings")
        if subject is not None and not isinstance(subject, str):
            raise _Malformed(f"entry {number}: `subject` must be a string or null")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise _Malformed(f"entry {number}: `count` must be a whole number of at least 1")
        counts[BaselineKey(path, code, subject)] += count
    return counts


def baseline_text(diagnostics: Iterable[Diagnostic]) -> str:
    """A stable, sorted, diff-friendly baseline of ``diagnostics``."""
    counts = Counter(key_of(diagnostic) for diagnostic in diagnostics)
    entries = [
        dict(zip(ENTRY_KEYS, (key.path, key.code, key.subject, count), strict=True))
        for key, count in sorted(counts.items(), key=lambda item: item[0].sort_key())
    ]
    document = {"version": FORMAT_VERSION, "tool": "kpilint", "entries": entries}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_baseline(path: Path, diagnostics: Iterable[Diagnostic]) -> None:
    try:
        write_atomically(path, baseline_text(diagnostics).encode("utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot write the baseline: {error.strerror or error}") from None


def in_scope(path: str, named: set[str]) -> bool:
    """Whether a root-relative path is, or lies under, one of the named root-relative paths."""
    return any(prefix == "." or path == prefix or path.startswith(prefix + "/")
               for prefix in named)


def apply_baseline(diagnostics: list[Diagnostic], baseline: Counter[BaselineKey],
                   named: set[str]) -> BaselineOutcome:
    """Hide the keys whose findings do not outnumber the baseline; list entries that shrank
    (also those of deleted files) among the ``named`` root-relative paths."""
    if not baseline:
        unsorted = _sorted_ungrouped(diagnostics)
        if unsorted is not None:
            return BaselineOutcome(unsorted, 0, [])
    groups: dict[tuple[str, str, str | None], list[Diagnostic]] = {}  # a key's fields
    for diagnostic in diagnostics:
        fields = _key_fields(diagnostic)
        group = groups.get(fields)
        if group is None:
            groups[fields] = [diagnostic]
        else:
            group.append(diagnostic)
    reported: list[Diagnostic] = []
    hidden = 0
    for fields, group in groups.items():
        if not baseline or len(group) > baseline.get(BaselineKey(*fields), 0):
            reported.extend(group)
        else:
            hidden += len(group)
    stale = [(key, allowed, now)
             for key, allowed in sorted(baseline.items(), key=lambda item: item[0].sort_key())
             if in_scope(key.path, named)
             and (now := len(groups.get((key.path, key.code, key.subject), ()))) < allowed]
    reported.sort(key=position)
    return BaselineOutcome(reported, hidden, stale)


def _sorted_ungrouped(diagnostics: list[Diagnostic]) -> list[Diagnostic] | None:
    """The order :func:`apply_baseline` gives ``diagnostics`` with an empty baseline (each
    key's group in turn, then sorted by place), without grouping them: the same as sorting
    them by place, unless findings of different keys share a place (then None)."""
    ordered = sorted(diagnostics, key=position)
    positions = list(map(position, ordered))
    if len(set(positions)) == len(positions):
        return ordered  # no two share a place
    for index in range(1, len(positions)):
        if positions[index] == positions[index - 1] and key_of(ordered[index]) != key_of(
                ordered[index - 1]):
            return None  # their groups' order decides: group them
    return ordered
