"""The state of a check run that the result cache keeps (``state.json``), to take it up again.

One JSON value per line, so that a run rewrites only what changed:

- the first line: the project rules' codes, each rule's findings per unit it checked (but those
  kept per file, below), the rules that keep findings per file (``per_file``), and the findings
  of paths that are no file of the run (``elsewhere``);
- then one line per file, in the run's order: its absolute path, display path and content
  digest, its facts (:func:`kpilint.summary.file_facts`: what the graph is built from) and what
  its findings are (:func:`_findings_meta`: their token, counts per severity...), then after a
  tab its places (:func:`kpilint.summary.file_places`: its entities' heads, references' and
  formula terms' spans), parsed only when a location is asked for, then after a tab, if it has
  any, its findings after suppressions (active, and suppressed with their comment), which are
  parsed only when read, then after a tab, if there are any, the whole-project rules' findings
  kept per file there (``[[rule index, findings]...]``, a unit ``IN_FILE + path`` whose findings
  all stand in the file), parsed when the file's findings are composed again or the rule runs
  again.

Each finding is written once: a rule's finding that a file's findings hold is written as where
it stands there (``[path, index]``, ``[path, -1 - index]`` among the suppressed ones), any other
in full (``[null, finding]``). A file line whose file, findings and findings kept per file are
as they were read is written back as it was, without encoding it again.

Restored (:meth:`RunState.kept`), a path's findings and the whole-project rules' findings kept
per file in it stay as stored (:class:`KeptFindings`) until the engine needs them as objects: a
run that changed one file decodes only the findings its change reaches, and the JSON writer
writes the rest from the stored data. So do, whole, the findings of a rule none of whose
findings are kept per file, until one of their paths is composed again or the rule runs again.

A run restored from a state writes only what changed of it, its *delta*, beside that state (the
*base*, left as it is): the absolute paths of the base's files that are gone, then the first
line, then the lines that are not the base's (see :meth:`StateLines.delta`). The base with its
delta reads back as the whole state; once the delta would reach a quarter of the base, the whole
state is written again instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

from kpilint.cache import StoredState, json_bytes
from kpilint.engine import IN_FILE
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
class KeptPart:
    """One path's findings after suppressions as the state stores them: ``raw``, their JSON
    (``[active, suppressed]``, each finding as :func:`~kpilint.summary.diagnostic_data` writes
    it), parsed when first read, and ``meta`` (:func:`_findings_meta`)."""

    path: str
    raw: bytes | memoryview
    meta: Json
    decoded: ProjectResult | None = None
    parsed: Json = None

    @property
    def data(self) -> Json:
        """Its findings' data."""
        if self.parsed is None:
            self.parsed = json.loads(str(self.raw, "utf-8"))
        return self.parsed

    def result(self) -> ProjectResult:
        """Its findings as objects (the same ones on every call)."""
        if self.decoded is None:
            self.decoded = _result_of(self.data)
        return self.decoded

    @property
    def token(self) -> str:
        """A digest of ``raw``: equal tokens, equal findings."""
        return str(self.meta[0])

    def count(self, severity: int) -> int:
        """How many of its active findings have ``severity``."""
        return int(self.meta[severity])

    def worst(self) -> int:
        """The highest severity of its active findings (0 without any)."""
        meta = self.meta  # a severity's count at its value
        return 3 if meta[3] else 2 if meta[2] else 1 if meta[1] else 0

    def regrouped(self) -> bool:
        """Whether two active findings share a place but not a baseline key (their code and
        place, not their subject): :func:`kpilint.baseline.apply_baseline` then orders them by
        key, not as they are stored."""
        return bool(self.meta[4])

    @property
    def suppressed(self) -> int:
        """How many of its findings suppression comments hid."""
        return int(self.meta[5])


_SEVERITIES = (1, 2, 3)  # Severity's values (INFO, WARNING, ERROR), as findings are stored


def _findings_meta(raw: bytes, data: Json) -> Json:
    """What :class:`KeptPart` tells without parsing ``raw`` (``data``'s JSON): ``[token,
    infos, warnings, errors, regrouped, suppressed]`` (a severity's count at its value)."""
    active, suppressed = data
    severities = [each[2] for each in active]
    regrouped = len(active) > 1 and any(a[0] == b[0] and a[5][:2] == b[5][:2] and a[7] != b[7]
                                        for a, b in pairwise(active))
    return [hashlib.blake2b(raw, digest_size=8).hexdigest(),
            *map(severities.count, _SEVERITIES), regrouped, len(suppressed)]


def _kept_part(path: str, data: Json) -> KeptPart:
    """A part of findings held as data (those of paths that are no file of the run)."""
    raw = json_bytes(data)
    return KeptPart(path, raw, _findings_meta(raw, data), parsed=data)


@dataclass(slots=True)
class KeptFindings:
    """What a restored run keeps as stored until the engine needs it: ``parts``, each path's
    findings (of the paths whose findings were not composed again), and ``units``, per path the
    whole-project rules' findings kept per file there (rule index to where they stand, as the
    state writes them), or still their JSON (``unit_lines``, parsed when first needed)."""

    parts: dict[str, KeptPart]
    units: dict[str, dict[int, Json]]
    rules: dict[int, tuple[set[str], Json]] = field(default_factory=dict)
    """The rules whose findings stay stored whole (none of them kept per file): by rule index,
    the paths they are in and their findings per unit, as the state writes them."""
    unit_lines: dict[str, memoryview] = field(default_factory=dict)
    """Per path, the JSON of its ``units`` as its file line holds them, not parsed yet."""

    def units_at(self, path: str) -> dict[int, Json]:
        """Take out ``path``'s ``units`` (parsed)."""
        raw = self.unit_lines.pop(path, None)
        return self.units.pop(path, {}) if raw is None else _units_of(raw)

    def _parse_unit_lines(self) -> None:
        """Parse every path's ``unit_lines`` into ``units``."""
        for path, raw in self.unit_lines.items():
            self.units[path] = _units_of(raw)
        self.unit_lines.clear()

    def take_rules(self, path: str | None = None,
                   index: int | None = None) -> list[tuple[int, UnitFindings]]:
        """Take out, as objects, the stored rules with findings in ``path`` or of rule
        ``index`` (before ``path``'s part goes: their findings may point into it)."""
        taken = [each for each, (paths, _) in self.rules.items()
                 if each == index or path in paths]
        return [(each, {str(unit): self.found(refs) for unit, refs
                        in self.rules.pop(each)[1].items()}) for each in taken]

    def open(self, path: str) -> tuple[ProjectResult | None, list[tuple[int, list[Diagnostic]]]]:
        """Take ``path``'s findings out: its result (None without one), and each rule's
        findings kept per file there."""
        found = [(index, self.found(refs)) for index, refs in self.units_at(path).items()]
        part = self.parts.pop(path, None)
        return (None if part is None else part.result()), found

    def take_rule(self, index: int) -> list[tuple[str, list[Diagnostic]]]:
        """Take out rule ``index``'s findings kept per file, by path."""
        self._parse_unit_lines()
        taken = [(path, units.pop(index)) for path, units in self.units.items()
                 if index in units]
        return [(path, self.found(refs)) for path, refs in taken]

    def found(self, refs: Json) -> list[Diagnostic]:
        """The findings ``[path, where]`` point at (see the module's docstring)."""
        found = []
        for path, where in refs:
            if path is None:
                found.append(diagnostic_of(where))
            else:
                result = self.parts[path].result()
                found.append(result.diagnostics[where] if where >= 0
                             else result.suppressed[-1 - where][0])
        return found


def _units_of(raw: bytes | memoryview) -> dict[int, Json]:
    """A file line's findings kept per file, by rule index."""
    return {int(index): refs for index, refs in json.loads(str(raw, "utf-8"))}


@dataclass(slots=True)
class FileLine:
    """One file's line of a state as read: its bytes, and what they hold."""

    raw: memoryview
    display: str
    digest: str
    facts: Json
    places: bytes
    """Its places' JSON (:func:`kpilint.summary.file_places`)."""
    meta: Json
    findings: memoryview | None
    """Its findings' JSON (:class:`KeptPart`), None without any."""
    units: memoryview | None = None
    """The JSON of the whole-project rules' findings kept per file there, None without any."""
    result: KeptPart | None = None
    """Its findings as kept (:meth:`RunState.kept`)."""
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

    @classmethod
    def parse(cls, stored: StoredState) -> RunState:
        """Read a state (its base and delta); ``ValueError`` (or ``KeyError``, ``TypeError``)
        when it is damaged."""
        base = stored.base
        start = base.index(b"\n") + 1  # after the checksum
        end = _line_end(base, start)
        first = base[start:end]
        lines = _file_lines(base, end + 1, in_base=True)
        base_paths = set(lines)
        if stored.delta is not None:  # after its checksum and the base's
            _, _, gone, first, *rest = stored.delta.split(b"\n", 4)
            for absolute in json.loads(gone):
                del lines[absolute]
            lines.update(_file_lines(rest[0] if rest else b"", 0, in_base=False))
        header = json.loads(first)
        if not isinstance(header, dict) or not isinstance(header["elsewhere"], dict) or not (
                isinstance(header["per_file"], list)):
            raise ValueError("not a run state")
        return cls(header, lines, stored.checksum, len(stored.base) - len(stored.checksum) - 1,
                   base_paths)

    def fits(self, linter: Linter) -> bool:
        """Whether the state was written by the same project rules."""
        return bool(self.header["rules"] == [rule.code for rule in linter.project_rules]
                    and len(self.header["units"]) == len(linter.project_rules))

    def kept(self) -> tuple[list[UnitFindings], KeptFindings]:
        """Each project rule's findings per unit, but for the whole-project rules' findings
        kept per file, which stay stored with each path's findings, and the rules without any
        kept per file, which stay stored whole (:class:`KeptFindings`)."""
        parts = {str(path): _kept_part(str(path), data)
                 for path, data in self.header["elsewhere"].items()}
        kept = KeptFindings(parts, {})
        for line in self.lines.values():
            if line.findings is not None:
                line.result = parts[line.display] = KeptPart(line.display, line.findings,
                                                             line.meta)
            if line.units is not None:
                kept.unit_lines[line.display] = line.units
        per_file = set(self.header["per_file"])
        resolved: list[UnitFindings] = []
        for index, units in enumerate(self.header["units"]):
            others = {str(unit): refs for unit, refs in units.items()}
            if others and index not in per_file:
                kept.rules[index] = ({where[4] if at is None else str(at) for refs
                                      in others.values() for at, where in refs}, others)
                others = {}  # stored whole: located as they were when first needed
            resolved.append({unit: kept.found(refs) for unit, refs in others.items()})
        return resolved, kept


def _file_lines(data: bytes, start: int, in_base: bool) -> dict[str, FileLine]:
    """The file lines of ``data`` from ``start`` on, by absolute path. A line, its findings and
    its units are views of ``data``, not copies (9 MB here, mostly findings never read)."""
    view = memoryview(data)
    lines: dict[str, FileLine] = {}
    while start < len(data):
        end = _line_end(data, start)
        places = data.find(b"\t", start, end) + 1  # compact JSON writes no tab
        findings = _line_end(data, places, end, b"\t") + 1
        units = _line_end(data, findings, end, b"\t") + 1
        if not places or places == findings - 1:
            raise ValueError("a file line without its places")
        absolute, display, digest, facts, meta = json.loads(  # as text: json.loads of bytes
            data[start:places - 1].decode("utf-8"))  # first guesses their encoding, in Python
        lines[str(absolute)] = FileLine(
            view[start:end], str(display), str(digest), facts, data[places:findings - 1], meta,
            view[findings:units - 1] if units - 1 > findings else None,
            view[units:end] if units <= end else None, in_base=in_base)
        start = end + 1
    return lines


def _line_end(data: bytes, start: int, end: int | None = None, separator: bytes = b"\n") -> int:
    """Where the field of ``data`` from ``start`` ends: at the next ``separator`` before
    ``end`` (the data's end when None), else at ``end``."""
    found = data.find(separator, start, end)
    return found if found >= 0 else len(data) if end is None else end


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
    lines: list[bytes | memoryview]
    changed: list[bytes | memoryview]
    gone: list[str]
    tokens: dict[str, str] = field(default_factory=dict)
    """Each file's findings' token (:attr:`KeptPart.token`), by display path."""

    def whole(self) -> bytes:
        return b"\n".join([self.header, *self.lines])

    def delta(self, before: RunState | None) -> bytes | None:
        """What changed of ``before``'s base (see the module's docstring), or None when the
        whole state is to be written: no base, or a delta of a quarter of it or more."""
        if before is None or not before.checksum:
            return None
        delta = b"\n".join([json_bytes(self.gone), self.header, *self.changed])
        return delta if len(delta) * DELTA_SHARE < before.base_size else None


def state_payload(linter: Linter, files: list[ProjectFile],
                  facts_of: Callable[[ProjectFile], tuple[Json, bytes]],
                  before: RunState | None) -> StateLines:
    """The state of ``linter``'s last check of ``files`` (see the module's docstring);
    ``facts_of`` gives a file's facts and its places' JSON, ``before`` is the state the run was
    restored from."""
    kept = linter.kept if linter.kept is not None else KeptFindings({}, {})
    where: dict[int, Json] = {}
    decoded = [*linter.composed.items(), *((path, part.decoded) for path, part
                                           in kept.parts.items() if part.decoded is not None)]
    for path, composed in decoded:
        for index, diagnostic in enumerate(composed.diagnostics):
            where[id(diagnostic)] = [path, index]
        for index, (diagnostic, _) in enumerate(composed.suppressed):
            where[id(diagnostic)] = [path, -1 - index]
    displays = {each.display for each in files}
    units = _Units(displays, [{} for _ in linter.project_rules])
    for index, rule_units in enumerate(linter.unit_findings):
        for unit, found in rule_units.items():
            units.add(index, unit, [where.get(id(diagnostic)) or [None, diagnostic_data(diagnostic)]
                                    for diagnostic in found])
    for path, stored in kept.units.items():  # where they stood still holds: not composed again
        for index, refs in stored.items():
            units.add(index, IN_FILE + path, refs)
    for path in kept.unit_lines.keys() - displays:  # (a path composed again never stays)
        for index, refs in _units_of(kept.unit_lines[path]).items():
            units.add(index, IN_FILE + path, refs)
    for index, (_, rule_units) in kept.rules.items():  # none of their paths composed again
        units.header[index].update(rule_units)
    lines: list[bytes | memoryview] = []
    changed: list[bytes | memoryview] = []
    tokens: dict[str, str] = {}
    absolutes: set[str] = set()
    for each in files:
        absolute = str(each.absolute)
        absolutes.add(absolute)
        result = linter.composed.get(each.display) or kept.parts.get(each.display)
        as_read = kept.unit_lines.get(each.display)
        line = before.lines.get(absolute) if before is not None else None
        if line is not None and (line.display, line.digest) == (each.display, each.digest):
            if (line.result is result and line.units is as_read
                    and each.display not in units.lines):
                lines.append(line.raw)
                if not line.in_base:
                    changed.append(line.raw)
                if line.result is not None:
                    tokens[each.display] = line.result.token
                continue
            facts, places = line.facts, line.places
        else:
            facts, places = facts_of(each)
        lines.append(_file_line([absolute, each.display, each.digest, facts], places, result,
                                units.line_json(each.display, as_read), tokens))
        changed.append(lines[-1])
    elsewhere = {path: _result_data(result) for path, result in linter.composed.items()
                 if path not in displays}
    elsewhere.update((path, part.data) for path, part in kept.parts.items()
                     if path not in displays)
    per_file = {index for stored in units.lines.values() for index in stored}
    if kept.unit_lines:  # lines whose units stay as read: the rules they had then
        per_file.update(before.header["per_file"] if before is not None else ())
    header = {"rules": [rule.code for rule in linter.project_rules], "units": units.header,
              "per_file": sorted(per_file), "elsewhere": elsewhere}
    gone = sorted(before.base_paths - absolutes) if before is not None else []
    return StateLines(json_bytes(header), lines, changed, gone, tokens)


@dataclass(slots=True)
class _Units:
    """The project rules' findings per unit as a state writes them: a whole-project rule's unit
    ``IN_FILE + path`` whose findings all stand in that file, one of ``displays``, on its line
    (``lines``), every other in the first line (``header``)."""

    displays: set[str]
    header: list[dict[str, Json]]
    lines: dict[str, dict[int, Json]] = field(default_factory=dict)

    def add(self, index: int, unit: str, refs: Json) -> None:
        path = unit[len(IN_FILE):]
        if unit.startswith(IN_FILE) and path in self.displays and all(
                (found[4] if at is None else at) == path for at, found in refs):
            self.lines.setdefault(path, {})[index] = refs
        else:
            self.header[index][unit] = refs

    def line_json(self, path: str, stored: memoryview | None) -> bytes | memoryview | None:
        """The JSON of ``path``'s units on its line (with those ``stored`` there as read)."""
        on_line = self.lines.get(path)
        if on_line is None:
            return stored
        if stored is not None:
            on_line = {**_units_of(stored), **on_line}
        return json_bytes(sorted(on_line.items()))


def _file_line(head: list[Json], places: bytes, result: ProjectResult | KeptPart | None,
               units: bytes | memoryview | None, tokens: dict[str, str]) -> bytes:
    """A file's line of the state (see the module's docstring); its token goes to ``tokens``."""
    after = b"" if units is None else b"\t" + units  # (behind an empty part without findings)
    if result is None:
        return json_bytes([*head, None]) + b"\t" + places + (after and b"\t" + after)
    if isinstance(result, KeptPart):
        raw, meta = result.raw, result.meta
    else:
        data = _result_data(result)
        raw = json_bytes(data)
        meta = _findings_meta(raw, data)
    tokens[str(head[1])] = str(meta[0])
    return json_bytes([*head, meta]) + b"\t" + places + b"\t" + raw + after
