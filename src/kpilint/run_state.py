"""The state of a check run that the result cache keeps (``state.json``), to take it up again.

One JSON value per line, so that a run rewrites only what changed:

- the first line: the project rules' codes, each rule's findings per unit it checked, and the
  findings of paths that are no file of the run (``elsewhere``);
- then one line per file, in the run's order: its absolute path, display path and content
  digest, its facts (:func:`kpilint.summary.file_facts`: what the graph is built from) and its
  findings after suppressions (active, and suppressed with their comment).

Each finding is written once: a rule's finding that a file's findings hold is written as where
it stands there (``[path, index]``, ``[path, -1 - index]`` among the suppressed ones), any other
in full (``[null, finding]``). A file line whose file and findings are as they were read is
written back as it was, without encoding it again.

A run restored from a state writes only what changed of it, its *delta*, beside that state (the
*base*, left as it is): the absolute paths of the base's files that are gone, then the first
line, then the lines that are not the base's (see :meth:`StateLines.delta`). The base with its
delta reads back as the whole state; once the delta would reach a quarter of the base, the whole
state is written again instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kpilint.cache import StoredState, json_bytes
from kpilint.summary import (
    Json,
    diagnostic_data,
    diagnostic_of,
    suppression_data,
    suppression_of,
)

if TYPE_CHECKING:
    from kpilint.diagnostics import Diagnostic
    from kpilint.engine import Linter, ProjectResult, UnitFindings
    from kpilint.reading import ProjectFile


@dataclass(slots=True)
class FileLine:
    """One file's line of a state as read: its bytes, and what they hold."""

    raw: bytes
    display: str
    digest: str
    facts: Json
    composed: Json | None
    result: ProjectResult | None = None
    """Its findings once decoded (:meth:`RunState.composed`)."""
    in_base: bool = True
    """Whether it is the base's line of its file (not the delta's)."""


DELTA_SHARE = 4
"""A delta is written while it stays under this share of its base (1/4), else the whole state."""


@dataclass(slots=True)
class RunState:
    """A state read back: its first line, its file lines by absolute path, and its base (the
    checksum and size of the stored base, the paths of the base's lines)."""

    header: Json
    lines: dict[str, FileLine]
    checksum: str = ""
    base_size: int = 0
    base_paths: set[str] = field(default_factory=set)
    decoded: dict[str, ProjectResult] | None = field(default=None)

    @classmethod
    def parse(cls, stored: StoredState) -> RunState:
        """Read a state (its base and delta); ``ValueError`` (or ``KeyError``, ``TypeError``)
        when it is damaged."""
        _, first, *rest = stored.base.split(b"\n")  # after the checksum
        lines = _file_lines(rest, in_base=True)
        base_paths = set(lines)
        if stored.delta is not None:  # after its checksum and the base's
            _, _, gone, first, *rest = stored.delta.split(b"\n")
            for absolute in json.loads(gone):
                del lines[absolute]
            lines.update(_file_lines(rest, in_base=False))
        header = json.loads(first)
        if not isinstance(header, dict) or not isinstance(header["elsewhere"], dict):
            raise ValueError("not a run state")
        return cls(header, lines, stored.checksum, len(stored.base) - len(stored.checksum) - 1,
                   base_paths)

    @property
    def files(self) -> dict[str, list[str]]:
        """Each file's display path and digest, by absolute path."""
        return {absolute: [line.display, line.digest] for absolute, line in self.lines.items()}

    def fits(self, linter: Linter) -> bool:
        """Whether the state was written by the same project rules."""
        return bool(self.header["rules"] == [rule.code for rule in linter.project_rules]
                    and len(self.header["units"]) == len(linter.project_rules))

    def composed(self) -> dict[str, ProjectResult]:
        """Each path's findings after suppressions."""
        if self.decoded is None:
            self.decoded = {str(path): _result_of(data)
                            for path, data in self.header["elsewhere"].items()}
            for line in self.lines.values():
                if line.composed is not None:
                    line.result = self.decoded[line.display] = _result_of(line.composed)
        return self.decoded

    def unit_findings(self) -> list[UnitFindings]:
        """Each project rule's findings per unit: the very findings of :meth:`composed` where
        they are there."""
        composed = self.composed()

        def finding(path: str | None, where: Json) -> Diagnostic:
            if path is None:
                return diagnostic_of(where)
            result = composed[path]
            return result.diagnostics[where] if where >= 0 else result.suppressed[-1 - where][0]

        return [{str(unit): [finding(path, where) for path, where in found]
                 for unit, found in units.items()} for units in self.header["units"]]


def _file_lines(raws: list[bytes], in_base: bool) -> dict[str, FileLine]:
    """File lines by absolute path."""
    lines: dict[str, FileLine] = {}
    for raw in raws:
        absolute, display, digest, facts, composed = json.loads(raw)
        lines[str(absolute)] = FileLine(raw, str(display), str(digest), facts, composed,
                                        in_base=in_base)
    return lines


def _result_of(data: Json) -> ProjectResult:
    from kpilint.engine import ProjectResult

    active, suppressed = data
    return ProjectResult([diagnostic_of(each) for each in active],
                         [(diagnostic_of(each), suppression_of(comment))
                          for each, comment in suppressed])


def _result_data(result: ProjectResult) -> Json:
    return [[diagnostic_data(each) for each in result.diagnostics],
            [[diagnostic_data(each), suppression_data(comment)]
             for each, comment in result.suppressed]]


@dataclass(slots=True)
class StateLines:
    """A run's state, encoded: its first line, its file lines, and against the base the run
    was restored from, which lines are not the base's and which of its files are gone."""

    header: bytes
    lines: list[bytes]
    changed: list[bytes]
    gone: list[str]

    def whole(self) -> bytes:
        return b"\n".join([self.header, *self.lines])

    def delta(self, before: RunState | None) -> bytes | None:
        """What changed of ``before``'s base (see the module's docstring), or None when the
        whole state is to be written: no base, or a delta of a quarter of it or more."""
        if before is None or not before.checksum:
            return None
        delta = b"\n".join([json_bytes(self.gone), self.header, *self.changed])
        return delta if len(delta) * DELTA_SHARE < before.base_size else None


def state_payload(linter: Linter, files: Iterable[ProjectFile],
                  facts_of: Callable[[ProjectFile], Json],
                  before: RunState | None) -> StateLines:
    """The state of ``linter``'s last check of ``files`` (see the module's docstring);
    ``facts_of`` gives a file's facts, ``before`` is the state the run was restored from."""
    where: dict[int, Json] = {}
    for path, composed in linter.composed.items():
        for index, diagnostic in enumerate(composed.diagnostics):
            where[id(diagnostic)] = [path, index]
        for index, (diagnostic, _) in enumerate(composed.suppressed):
            where[id(diagnostic)] = [path, -1 - index]
    units = [{unit: [where.get(id(diagnostic)) or [None, diagnostic_data(diagnostic)]
                     for diagnostic in found]
              for unit, found in rule_units.items()} for rule_units in linter.unit_findings]
    lines: list[bytes] = []
    changed: list[bytes] = []
    displays: set[str] = set()
    absolutes: set[str] = set()
    for each in files:
        displays.add(each.display)
        absolute = str(each.absolute)
        absolutes.add(absolute)
        result = linter.composed.get(each.display)
        line = before.lines.get(absolute) if before is not None else None
        if line is not None and (line.display, line.digest) == (each.display, each.digest):
            if line.result is result:
                lines.append(line.raw)
                if not line.in_base:
                    changed.append(line.raw)
                continue
            facts = line.facts
        else:
            facts = facts_of(each)
        lines.append(json_bytes([absolute, each.display, each.digest, facts,
                                 None if result is None else _result_data(result)]))
        changed.append(lines[-1])
    header = {"rules": [rule.code for rule in linter.project_rules], "units": units,
              "elsewhere": {path: _result_data(result) for path, result in linter.composed.items()
                            if path not in displays}}
    gone = sorted(before.base_paths - absolutes) if before is not None else []
    return StateLines(json_bytes(header), lines, changed, gone)
