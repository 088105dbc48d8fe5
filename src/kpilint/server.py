"""The language server (``kpilint server``: LSP over stdio), kpilint in the editor.

- Diagnostics on open, change (debounced) and save of each open spec file, from its unsaved text
  checked together with the rest of its project (other files from disk, or from their open
  buffers). A change re-reads only the changed documents (:meth:`Linter.update`), re-runs their file
  rules and the project rules, and republishes every open document of the project whose findings
  changed: fixing a reference in one file clears the finding shown in another.
- Columns go from kpilint's code points to the negotiated position encoding (UTF-16 unless the
  client offers UTF-8 or UTF-32).
- Quick fixes: a finding's certain fix (preferred), and suppression comments for the line or file.
- Hover (the entity card), go to definition, find references, and completion of ids (of the kinds a
  field accepts), enum values, and keys (an entity's fields; `min`/`max` of a band target,
  `value`/`as_of` of an actual or baseline).
- A config change (a watched file, or saving the config) reloads the projects.
- Nothing a document or a request does stops the server: failures are logged and answered.

One :class:`Project` per project root (SPEC §3) keeps one :class:`Linter`; linting runs in one
worker thread while the event loop keeps answering. pygls is imported in :func:`create_server`.
"""

from __future__ import annotations

import asyncio
import bisect
import concurrent.futures
import datetime
import gc
import logging
import os
import re
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from lsprotocol import types

from kpilint import __version__
from kpilint.add_suppressions import add_suppression_comments
from kpilint.build import NESTED_MODELS, SECTIONS, EntityRecord, SpecFile, did_you_mean
from kpilint.checks import number
from kpilint.config import CONFIG_NAMES, Config, ConfigError, find_config_in, load_config
from kpilint.diagnostics import Diagnostic, Location, Severity, Span
from kpilint.engine import Linter, ProjectResult, rule_url
from kpilint.formula import formula_location, tokenize
from kpilint.graph import ALLOWED_TARGETS, PAIRED_WITH, SUPPORTS
from kpilint.load import LINE_BREAK
from kpilint.model import Band, Cadence, Direction, Entity, Indicator
from kpilint.project import FileFilter, ProjectPlan, find_root, project_files
from kpilint.registry import UNSUPPRESSIBLE, lookup
from kpilint.rule import Context
from kpilint.safe_write import WriteRefused
from kpilint.suppressions import DIRECTIVE, parse_suppressions

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pygls.lsp.server import LanguageServer

logger = logging.getLogger("kpilint.server")

SOURCE = "kpilint"
DEBOUNCE_SECONDS = 0.15
STATUS_METHOD = "kpilint/status"
"""A custom request answering what the server holds and what its last runs read (for tests and
debugging): ``{"projects": [{"root", "files", "runs", "last_run": {...}}]}``."""

UTF8 = types.PositionEncodingKind.Utf8.value
UTF16 = types.PositionEncodingKind.Utf16.value
UTF32 = types.PositionEncodingKind.Utf32.value
LSP_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error,
                Severity.WARNING: types.DiagnosticSeverity.Warning,
                Severity.INFO: types.DiagnosticSeverity.Information}
KINDS_BY_SECTION = {"kgis": "KGI", "ksfs": "KSF", "kpis": "KPI"}
STANDARD_UNITS = ("count", "percent", "ratio", "score", "seconds", "minutes", "hours", "days",
                  "JPY", "USD", "EUR")
ENUM_VALUES: dict[str, tuple[str, ...]] = {
    "indicator": get_args(Indicator), "direction": get_args(Direction),
    "cadence": get_args(Cadence), "unit": STANDARD_UNITS,
}
CADENCE_PERIODS = {"daily": "day", "weekly": "week", "biweekly": "two weeks", "monthly": "month",
                   "quarterly": "quarter", "semiannual": "half-year", "annual": "year"}
META_PREFIX = "X"  # findings about kpilint's own comments: fixed, not suppressed
WATCHED_GLOBS = ("**/*.{yaml,yml}", "**/kpilint.toml", "**/.kpilint.toml", "**/pyproject.toml")

ID_CHARS = re.compile(r"[A-Za-z0-9_.-]*")
KEY_LINE = re.compile(r"^(?P<indent>[ \t]*(?:-[ \t]+)*)(?P<key>[A-Za-z_][A-Za-z0-9_-]*)[ \t]*:"
                      r"(?P<value>(?:[ \t].*)?)$")
ITEM_LINE = re.compile(r"^(?P<indent>[ \t]*)-(?:[ \t]+(?P<value>[^:#]*))?$")
SECTION_LINE = re.compile(r"^(?P<section>kgis|ksfs|kpis)[ \t]*:")
BLANK_OR_COMMENT = re.compile(r"^[ \t]*(?:#.*)?$")
KEY_TYPING = re.compile(r"^(?P<indent>[ \t]*(?:-[ \t]+)?)(?P<partial>[A-Za-z_]*)$")
FLOW_KEY_TYPING = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_-]*)[ \t]*:[ \t]*\{(?:[^{}]*,)?[ \t]*"
                             r"(?P<partial>[A-Za-z_]*)$")


# --- positions: kpilint's 1-based code-point spans <-> LSP positions ----------------------------


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


# --- the project index behind hover, definition, references and completion -----------------------

AnyRecord = EntityRecord[Entity]


@dataclass(frozen=True, slots=True)
class Mention:
    """An id at a place: its definition (``id``), a reference, or a formula term."""

    entity_id: str
    location: Location
    role: str  # "id", "supports", "paired_with" or "formula"
    record: AnyRecord


class ProjectIndex:
    """Every entity and every mention of an id in a project, as the graph sees them.

    The first definition of an id is the entity (later ones are E004); ``supports`` edges count
    only to an existing entity of an allowed kind, as in :class:`kpilint.graph.ProjectGraph`.
    """

    def __init__(self, specs: Iterable[SpecFile]) -> None:
        self.records: dict[str, list[AnyRecord]] = {}
        self.mentions_in: dict[str, list[Mention]] = {}
        self.mentions_of: dict[str, list[Mention]] = {}
        self.units: set[str] = set()
        for spec in sorted(specs, key=lambda each: each.path):
            for record in sorted(spec.entities, key=lambda each: each.node.span.line):
                self.records.setdefault(record.id, []).append(record)
                self._mention(record.id, record.at_field("id"), "id", record)
                for field_name in (SUPPORTS, PAIRED_WITH):
                    for target, location, _ in record.reference_locations(field_name):
                        self._mention(target, location, field_name, record)
                self._formula_terms(record)
                unit = getattr(record.model, "unit", None)
                if unit:
                    self.units.add(unit)
        self.supports: dict[str, list[str]] = {}
        self.supported_by: dict[str, list[str]] = {}
        for records in self.records.values():
            record = records[0]
            allowed = ALLOWED_TARGETS.get((record.kind, SUPPORTS))
            if allowed is None or getattr(record.model, SUPPORTS, None) is None:
                continue
            for target, _, _ in record.reference_locations(SUPPORTS):
                entity = self.entity(target)
                if entity is not None and entity.kind in allowed and target != record.id:
                    self.supports.setdefault(record.id, []).append(target)
                    self.supported_by.setdefault(target, []).append(record.id)

    def _formula_terms(self, record: AnyRecord) -> None:
        """The ids of a KGI's formula, where their place in the file is exact (SPEC §2)."""
        formula = getattr(record.model, "formula", None)
        if not formula:
            return
        for token in tokenize(formula):
            if token.kind == "id":
                location, exact = formula_location(record, token)
                if exact:
                    self._mention(token.text, location, "formula", record)

    def _mention(self, entity_id: str, location: Location, role: str, record: AnyRecord) -> None:
        mention = Mention(entity_id, location, role, record)
        self.mentions_in.setdefault(location.path, []).append(mention)
        self.mentions_of.setdefault(entity_id, []).append(mention)

    def entity(self, entity_id: str) -> AnyRecord | None:
        records = self.records.get(entity_id)
        return records[0] if records else None

    def of_kinds(self, kinds: Iterable[str]) -> list[AnyRecord]:
        wanted = set(kinds)
        return [records[0] for records in self.records.values() if records[0].kind in wanted]

    def _walk(self, start: str, edges: dict[str, list[str]]) -> list[AnyRecord]:
        seen = {start}
        stack = [start]
        while stack:
            for following in edges.get(stack.pop(), ()):
                if following not in seen:
                    seen.add(following)
                    stack.append(following)
        seen.discard(start)
        found = [record for record in map(self.entity, seen) if record is not None]
        return sorted(found, key=lambda record: (record.path, record.node.span.line))

    def kgis_reached(self, entity_id: str) -> list[AnyRecord]:
        """The KGIs an entity reaches through ``supports`` (SPEC §3 "reaches")."""
        return [record for record in self._walk(entity_id, self.supports) if record.kind == "KGI"]

    def kpis_reaching(self, entity_id: str) -> list[AnyRecord]:
        return [record for record in self._walk(entity_id, self.supported_by)
                if record.kind == "KPI"]

    def mention_at(self, path: str, line: int, column: int) -> Mention | None:
        for mention in self.mentions_in.get(path, ()):
            if span_contains(mention.location.span, line, column):
                return mention
        return None


# --- the entity card (hover) --------------------------------------------------------------------


def _in_unit(model: Entity, value: float) -> str:
    unit = getattr(model, "unit", None) or ""
    return f"{number(value)}%" if unit == "percent" else f"{number(value)} {unit}".rstrip()


def _target_text(model: Entity) -> str:
    target = getattr(model, "target", None)
    if target is None:
        return "none"
    if isinstance(target, Band):
        bounds = [f"{word} {_in_unit(model, value)}" for word, value in (
            ("at least", target.min), ("at most", target.max)) if value is not None]
        cadence = getattr(model, "cadence", None)
        every = f"held every {CADENCE_PERIODS[cadence]}" if cadence else "no cadence"
        return f"{' and '.join(bounds)} (standing target, {every})"
    text = _in_unit(model, target)
    baseline = getattr(model, "baseline", None)
    details = [part for part in (
        getattr(model, "direction", None),
        f"baseline {number(baseline.value)}" if baseline is not None else None) if part]
    if details:
        text += f" ({', '.join(details)})"
    deadline = getattr(model, "deadline", None)
    return f"{text} by {deadline.isoformat()}" if deadline else f"{text}, no deadline"


def entity_card(record: AnyRecord, index: ProjectIndex, markdown: bool) -> str:
    """What a hover on an id shows: kind, name, definition, target, owner, cadence, reach."""
    model = record.model

    def code(text: str) -> str:
        return f"`{text}`" if markdown else text

    def entity_list(records: Sequence[AnyRecord]) -> str:
        return ", ".join(f"{code(each.id)} ({each.model.name})" for each in records)

    title = f"{record.kind} {code(record.id)}: {model.name}"
    lines = [f"**{title}**" if markdown else title]
    if model.definition:
        lines += ["", model.definition]
    facts: list[tuple[str, str]] = []
    if record.kind != "KSF":
        facts.append(("Target", _target_text(model)))
        actual = getattr(model, "actual", None)
        if actual is not None:
            facts.append(("Actual", f"{_in_unit(model, actual.value)} as of"
                                    f" {actual.as_of.isoformat()}"))
    facts.append(("Owner", model.owner or "none"))
    if record.kind != "KSF":
        facts.append(("Cadence", getattr(model, "cadence", None) or "none"))
    if record.kind == "KPI":
        facts.append(("Indicator", getattr(model, "indicator", None) or "not declared"))
        paired = getattr(model, PAIRED_WITH, None)
        if paired:
            facts.append(("Paired with", ", ".join(code(each) for each in paired)))
    if record.kind == "KGI":
        facts.append(("KPIs reaching it", str(len(index.kpis_reaching(record.id)))))
    else:
        reached = index.kgis_reached(record.id)
        facts.append(("Reaches KGI", entity_list(reached) if reached else "none"))
    facts.append(("Defined in", f"{record.path}:{record.at_field('id').span.line}"))
    duplicates = len(index.records.get(record.id, ())) - 1
    if duplicates:
        facts.append(("Duplicates", f"{duplicates} other definition(s) of this id (E004)"))
    lines.append("")
    lines += [f"- **{label}:** {value}" if markdown else f"{label}: {value}"
              for label, value in facts]
    return "\n".join(lines)


def unknown_card(entity_id: str, index: ProjectIndex, markdown: bool) -> str:
    matches = did_you_mean(entity_id, list(index.records))
    shown = f"`{entity_id}`" if markdown else entity_id
    hint = " (did you mean " + " or ".join(matches) + "?)" if matches else ""
    return f"{shown}: no entity with this id in the project{hint}"


# --- completion context (from the text as typed, which may not parse) ---------------------------


@dataclass(frozen=True, slots=True)
class CompletionSpot:
    """What the cursor is completing: the value of ``key`` in an entity of ``kind``."""

    key: str
    kind: str | None
    partial: str


def completion_spot(lines: Sequence[str], line: int, column: int) -> CompletionSpot | None:
    """The field whose value the cursor (0-based line, code-point column) is typing, if any."""
    before = lines[line][:column]
    key: str | None = None
    value: str
    match = KEY_LINE.match(before)
    if match is not None:
        key, value = match["key"], match["value"]
    else:
        item = ITEM_LINE.match(before)
        if item is None:
            return None
        key, value = _parent_key(lines, line, len(item["indent"])), item["value"] or ""
        if key is None:
            return None
    stripped = value.lstrip()
    if stripped.startswith("["):
        stripped = re.split(r"[\[,]", stripped)[-1].lstrip()
        if "]" in stripped:
            return None
    if not ID_CHARS.fullmatch(stripped):
        return None
    return CompletionSpot(key, _section_kind(lines, line), stripped)


def key_completion(lines: Sequence[str], line: int, column: int,
                   ) -> tuple[str, list[str]] | None:
    """(the partial key, the keys that may come) when the cursor types a key: of an entity (its
    model's fields not written yet) or of a `target`, `actual` or `baseline` mapping, in block
    style or in a flow mapping (``actual: {v``)."""
    before = lines[line][:column]
    flow = FLOW_KEY_TYPING.search(before)
    if flow is not None:
        nested = NESTED_MODELS.get(flow["key"])
        return (flow["partial"], list(nested.model_fields)) if nested else None
    typing = KEY_TYPING.match(before)
    if typing is None:
        return None
    prefix, partial = typing["indent"], typing["partial"]
    new_item = "-" in prefix  # the first key of a new list item: its owner is the list's key
    keys_at = prefix.index("-") if new_item else len(prefix)
    present: set[str] = set()
    for above in range(line - 1, -1, -1):
        text = lines[above]
        if BLANK_OR_COMMENT.match(text):
            continue
        match = KEY_LINE.match(text)
        at = len(match["indent"]) if match else len(text) - len(text.lstrip(" \t"))
        if at > keys_at:
            continue  # deeper: inside a sibling's value
        if match is None:
            return None
        if new_item:
            is_section = match["key"] in SECTIONS
            return _keys_under(match, lines, above, partial, present, True) if is_section else None
        if at < keys_at:
            return _keys_under(match, lines, above, partial, present, False)
        present.add(match["key"])
        if "-" in match["indent"]:  # the entity's first line: `- id: ...`
            return _keys_under(match, lines, above, partial, present, True)
    return None


def _keys_under(owner: re.Match[str], lines: Sequence[str], index: int, partial: str,
                present: set[str], entity: bool) -> tuple[str, list[str]] | None:
    """The keys not yet ``present`` of an entity (``owner`` is its section line or first line)
    or of the nested mapping that ``owner`` opens."""
    model: type[BaseModel] | None
    if entity:
        kind = _section_kind(lines, index)
        model = next((each for each in SECTIONS.values() if each.kind == kind), None)
    else:
        model = NESTED_MODELS.get(owner["key"]) if not owner["value"].strip() else None
    if model is None:
        return None
    return partial, [name for name in model.model_fields if name not in present]


def _parent_key(lines: Sequence[str], line: int, indent: int) -> str | None:
    """The key that a block-sequence item at ``indent`` on ``line`` belongs to."""
    for above in range(line - 1, -1, -1):
        text = lines[above]
        if BLANK_OR_COMMENT.match(text):
            continue
        sibling = ITEM_LINE.match(text)
        if sibling is not None and len(sibling["indent"]) == indent:
            continue
        match = KEY_LINE.match(text)
        if match is not None and len(match["indent"]) <= indent and (
                match["value"].strip() == "" or match["value"].lstrip().startswith("#")):
            return match["key"]
        return None
    return None


def entity_id_at(spec: SpecFile | None, line: int) -> str | None:
    """The id of the entity whose mapping spans the 1-based ``line`` (the one being edited)."""
    for record in spec.entities if spec else ():
        if record.node.span.line <= line <= record.node.span.end_line:
            return record.id
    return None


def _section_kind(lines: Sequence[str], line: int) -> str | None:
    for above in range(line, -1, -1):
        match = SECTION_LINE.match(lines[above])
        if match is not None:
            return KINDS_BY_SECTION[match["section"]]
    return None


# --- projects -----------------------------------------------------------------------------------

DISK: Literal["disk"] = "disk"
FORGET: Literal["forget"] = "forget"
Change = bytes | Literal["disk", "forget"]


@dataclass(slots=True)
class Snapshot:
    """The outcome of one check of a project, as handlers read it (never mutated afterwards)."""

    result: ProjectResult
    specs: dict[Path, SpecFile]
    paths: dict[str, Path]
    failures: dict[Path, str] = field(default_factory=dict)
    _index: ProjectIndex | None = None

    @property
    def index(self) -> ProjectIndex:
        if self._index is None:
            self._index = ProjectIndex(self.specs.values())
        return self._index


@dataclass(slots=True)
class RunReport:
    """What one lint run read and how long it took."""

    snapshot: Snapshot
    from_disk: list[str]
    from_buffer: list[str]
    file_rules_run: list[str]
    seconds: float
    crashes: list[str]

    def as_json(self) -> dict[str, Any]:
        return {"from_disk": self.from_disk, "from_buffer": self.from_buffer,
                "file_rules_run": self.file_rules_run,
                "milliseconds": round(self.seconds * 1000, 1)}


class Project:
    """One project root (SPEC §3): its config, its :class:`Linter` and its pending changes.

    :meth:`lint` runs in the worker thread, the rest on the event loop; handlers only read
    :attr:`snapshot`, which each run replaces whole.
    """

    def __init__(self, root: Path, config: Config | None, error: str | None,
                 discover: bool) -> None:
        self.root = root
        self.config = config
        self.error = error
        self.discover = discover
        self.file_filter = FileFilter(root, config or Config())
        self.gitignores_read: set[Path] = set()
        self.linter: Linter | None = None
        self.snapshot: Snapshot | None = None
        self.pending: dict[Path, str | None] = {}
        self.linted: dict[str, int | None] = {}  # open documents whose buffer was read: version
        self.full_load = True
        self.timer: asyncio.TimerHandle | None = None
        self.lock = asyncio.Lock()
        self.closed = False
        self.failures: dict[Path, str] = {}
        self.runs = 0
        self.last_run: RunReport | None = None

    def display(self, absolute: Path) -> str:
        """How diagnostics name a file: its POSIX path relative to the root."""
        return os.path.relpath(absolute, self.root).replace(os.sep, "/")

    def includes(self, absolute: Path) -> bool:
        """Whether discovery would lint this file (include globs, excludes, .gitignore)."""
        if self.config is None or not absolute.is_relative_to(self.root):
            return False
        relative = self.display(absolute)
        if not self.file_filter.include.match_file(relative) or self.file_filter.excluded(
                absolute):
            return False
        for directory in reversed((absolute.parent, *absolute.parent.parents)):
            if directory.is_relative_to(self.root) and directory not in self.gitignores_read:
                self.file_filter.read_gitignore(directory)
                self.gitignores_read.add(directory)
        return not self.file_filter.ignored_by_git(absolute, False)

    def lint(self, changes: dict[Path, Change], full: bool) -> RunReport:
        """Apply the changes (all files when ``full``), check the project (worker thread)."""
        assert self.config is not None
        started = time.perf_counter()
        if full or self.linter is None:
            today = self.config.today or datetime.date.today()
            self.linter = Linter(self.root, self.config, Context(today=today))
            discovered = project_files(ProjectPlan(self.root, self.config),
                                       self.config.force_exclude) if self.discover else []
            changes = {**dict.fromkeys(discovered, DISK), **changes}
            self.failures.clear()
        linter = self.linter
        from_disk: list[str] = []
        from_buffer: list[str] = []
        for absolute, change in changes.items():
            display = self.display(absolute)
            self.failures.pop(absolute, None)
            try:
                if isinstance(change, bytes):
                    linter.update(absolute, display, change)
                    from_buffer.append(display)
                elif change == DISK and absolute.is_file():
                    linter.load(absolute, display)
                    from_disk.append(display)
                else:
                    linter.forget(absolute)
            except Exception as error:  # a loader bug must not stop the server
                logger.exception("reading %s failed", display)
                self.failures[absolute] = f"{type(error).__name__}: {error}"
        if full:
            # The files just read live as long as the session and hold no reference cycles:
            # moved out of the collector's sight, they no longer make every full collection
            # walk them (one on a 2,000-file project took as long as the re-check itself).
            # Collecting first keeps what a previous load left behind from being frozen too.
            gc.collect()
            gc.freeze()
        file_rules_run = [loaded.spec.path for loaded in linter.files.values()
                          if loaded.findings is None]
        result = linter.check()
        crashes = list(linter.crashes)
        linter.crashes.clear()
        snapshot = Snapshot(result, {path: loaded.spec for path, loaded in linter.files.items()},
                            {loaded.spec.path: path for path, loaded in linter.files.items()},
                            dict(self.failures))
        return RunReport(snapshot, from_disk, from_buffer, file_rules_run,
                         time.perf_counter() - started, crashes)


def internal_error(path: str, message: str) -> Diagnostic:
    """An X002 finding for a failure outside the rules (the loader, the engine)."""
    rule = lookup("X002")
    assert rule is not None
    return Diagnostic(code=rule.code, name=rule.name, severity=Severity.ERROR,
                      message=f"kpilint could not check this file: {message} (see the server log)",
                      location=Location(path, Span.file_start()), url=rule_url(rule))


@dataclass(slots=True)
class OpenDocument:
    """A document the client has open, the project it belongs to, and whether it is linted."""

    uri: str
    path: Path
    project: Project
    linted: bool


@dataclass(slots=True)
class Published:
    """The findings last published for a document, with the LSP form the client holds."""

    version: int | None
    findings: list[Diagnostic]
    diagnostics: list[types.Diagnostic]


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


class KpilintService:
    """The server's state and the LSP features, over a pygls server that delivers the messages."""

    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.projects: dict[Path, Project] = {}
        self.documents: dict[str, OpenDocument] = {}
        self.published: dict[str, Published] = {}
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="kpilint-lint")
        self.tasks: set[asyncio.Future[None]] = set()
        self.shown_errors: set[str] = set()

    # -- client facts --

    @property
    def encoding(self) -> str:
        try:
            encoding = self.server.workspace.position_encoding
        except RuntimeError:
            return UTF16
        return str(getattr(encoding, "value", encoding) or UTF16)

    def markdown(self) -> bool:
        hover = self.server.client_capabilities.text_document
        formats = hover.hover.content_format if hover and hover.hover else None
        return not formats or types.MarkupKind.Markdown in formats

    def folders(self) -> list[Path]:
        try:
            workspace = self.server.workspace
        except RuntimeError:
            return []
        found = [fs_path(folder.uri) for folder in workspace.folders.values()]
        root = workspace.root_uri and fs_path(workspace.root_uri)
        return [path for path in (*found, root) if path is not None]

    # -- messages to the client --

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        try:
            self.server.window_log_message(types.LogMessageParams(kind, message))
        except Exception:  # the client is gone: stderr is all that is left
            logger.warning("%s", message)

    def show_once(self, message: str) -> None:
        self.log(message, types.MessageType.Error)
        if message not in self.shown_errors:
            self.shown_errors.add(message)
            self.server.window_show_message(
                types.ShowMessageParams(types.MessageType.Error, message))

    # -- projects and documents --

    def project_for(self, path: Path) -> Project:
        folders = self.folders()
        containing = [folder for folder in folders if path.is_relative_to(folder)]
        cwd = max(containing, key=lambda folder: len(folder.parts)) if containing else path.parent
        root, config_file = find_root(path, cwd)
        project = self.projects.get(root)
        if project is None:
            discover = config_file is not None or (root / ".git").exists() or root in folders
            try:
                config = load_config(config_file) if config_file else Config()
                project = Project(root, config, None, discover)
            except ConfigError as error:
                project = Project(root, None, f"kpilint: {error}", discover)
            self.projects[root] = project
        return project

    def attach(self, uri: str) -> OpenDocument | None:
        path = fs_path(uri)
        if path is None:
            return None
        project = self.project_for(path)
        if project.error is not None:
            self.show_once(project.error)
        document = OpenDocument(uri, path, project, project.includes(path))
        self.documents[uri] = document
        if not document.linted:
            self.clear(uri)
            return document
        project.pending[path] = uri
        return document

    def open_in(self, project: Project) -> list[OpenDocument]:
        return [document for document in self.documents.values()
                if document.project is project and document.linted]

    def reload(self) -> None:
        """Drop every project and resolve the open documents again (a config changed)."""
        for project in self.projects.values():
            project.closed = True
            if project.timer is not None:
                project.timer.cancel()
        self.projects.clear()
        self.shown_errors.clear()
        for uri in list(self.documents):
            self.attach(uri)
        for project in self.projects.values():
            if self.open_in(project):
                self.schedule(project, 0)
        self.log("kpilint: configuration changed; projects reloaded")

    def is_config(self, path: Path) -> bool:
        if path.name not in CONFIG_NAMES:
            return False
        if path.name != "pyproject.toml":
            return True
        return any(project.config is not None and project.config.path == path
                   for project in self.projects.values()) or (
            find_config_in(path.parent) == path)

    # -- running lints --

    def schedule(self, project: Project, delay: float) -> None:
        if project.timer is not None:
            project.timer.cancel()
        project.timer = asyncio.get_running_loop().call_later(delay, self._start, project)

    def _start(self, project: Project) -> None:
        project.timer = None
        task = asyncio.ensure_future(self.run(project))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def flush(self, project: Project) -> None:
        """Lint now what is pending (requests that need positions call this first)."""
        if project.timer is not None:
            project.timer.cancel()
            project.timer = None
        await self.run(project)

    def _changes(self, project: Project) -> tuple[dict[Path, Change], set[str]]:
        """The pending changes (open buffers' current text, other files from disk), and the
        open documents among them."""
        changes: dict[Path, Change] = {}
        buffers: set[str] = set()
        for path, uri in project.pending.items():
            document = self.documents.get(uri) if uri else None
            if document is not None and document.linted:
                changes[path] = self._buffer(project, document)
                buffers.add(document.uri)
            else:
                changes[path] = DISK if project.includes(path) else FORGET
        project.pending.clear()
        if project.full_load:
            for document in self.open_in(project):
                if document.path not in changes:
                    changes[document.path] = self._buffer(project, document)
                    buffers.add(document.uri)
        return changes, buffers

    def _buffer(self, project: Project, document: OpenDocument) -> bytes:
        text = self.server.workspace.get_text_document(document.uri)
        project.linted[document.uri] = text.version
        return text.source.encode("utf-8", "surrogatepass")

    async def run(self, project: Project) -> None:
        async with project.lock:
            if project.closed or project.config is None or not self.open_in(project):
                return
            if not project.pending and not project.full_load:
                return
            full = project.full_load
            changes, buffers = self._changes(project)
            project.full_load = False
            loop = asyncio.get_running_loop()
            try:
                report = await loop.run_in_executor(self.executor, project.lint, changes, full)
            except Exception as error:  # an engine bug: report it, keep serving
                trace = traceback.format_exc()
                logger.error("checking %s failed:\n%s", project.root, trace)
                self.log(f"kpilint: checking {project.root} failed:\n{trace}",
                         types.MessageType.Error)
                project.full_load = full or project.linter is None
                self._publish_failure(project, buffers, f"{type(error).__name__}: {error}")
                return
            if project.closed:
                return
            project.snapshot = report.snapshot
            project.runs += 1
            project.last_run = report
            for crash in report.crashes:
                self.log(f"kpilint: a rule crashed (reported as X002):\n{crash}",
                         types.MessageType.Error)
            self.log(f"kpilint: checked {project.root} in {report.seconds * 1000:.0f} ms;"
                     f" read {len(report.from_buffer)} open document(s)"
                     f" and {len(report.from_disk)} file(s) from disk;"
                     f" file rules ran on {len(report.file_rules_run)} file(s)")
            self.publish(project, report.snapshot, buffers)

    # -- diagnostics --

    def clear(self, uri: str) -> None:
        if self.published.pop(uri, None) is not None or uri in self.documents:
            self.server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def publish(self, project: Project, snapshot: Snapshot, buffers: set[str]) -> None:
        """Publish for each open document of the project whose findings or text changed.

        Only documents whose buffer the linter holds: one opened while a run was reading the
        others from disk waits for the next run, which reads it.
        """
        by_path: dict[str, list[Diagnostic]] = {}
        for diagnostic in snapshot.result.diagnostics:
            by_path.setdefault(diagnostic.location.path, []).append(diagnostic)
        texts: dict[str, SourceText] = {}
        for document in self.open_in(project):
            if document.uri not in project.linted:
                continue
            display = project.display(document.path)
            failure = snapshot.failures.get(document.path)
            findings = [internal_error(display, failure)] if failure is not None else (
                by_path.get(display, []))
            previous = self.published.get(document.uri)
            if previous is not None and previous.findings == findings and (
                    document.uri not in buffers):
                continue
            self._send(document.uri, project.linted[document.uri], findings,
                       [self.to_lsp(each, snapshot, texts) for each in findings])

    def _publish_failure(self, project: Project, buffers: set[str], message: str) -> None:
        """An X002 at the top of each document the failed run was checking."""
        nothing = Snapshot(ProjectResult([], []), {}, {})
        for document in self.open_in(project):
            if document.uri in buffers:
                finding = internal_error(project.display(document.path), message)
                self._send(document.uri, project.linted[document.uri], [finding],
                           [self.to_lsp(finding, nothing, {})])

    def _send(self, uri: str, version: int | None, findings: list[Diagnostic],
              diagnostics: list[types.Diagnostic]) -> None:
        self.published[uri] = Published(version, findings, diagnostics)
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))

    def source_text(self, snapshot: Snapshot, display: str,
                    texts: dict[str, SourceText]) -> SourceText:
        text = texts.get(display)
        if text is None:
            absolute = snapshot.paths.get(display)
            spec = snapshot.specs.get(absolute) if absolute else None
            text = texts[display] = SourceText(spec.text if spec else "", self.encoding)
        return text

    def to_lsp(self, finding: Diagnostic, snapshot: Snapshot,
               texts: dict[str, SourceText]) -> types.Diagnostic:
        text = self.source_text(snapshot, finding.location.path, texts)
        related = [types.DiagnosticRelatedInformation(
            location=self.lsp_location(snapshot, each.location, texts), message=each.message)
            for each in finding.related]
        return types.Diagnostic(
            range=text.range(finding.location.span), message=finding.message,
            severity=LSP_SEVERITY[finding.severity], code=finding.code, source=SOURCE,
            code_description=types.CodeDescription(href=finding.url),
            related_information=related or None,
            tags=[types.DiagnosticTag.Unnecessary] if finding.code == "X001" else None,
            data={"fingerprint": finding.fingerprint} if finding.fingerprint else None)

    def lsp_location(self, snapshot: Snapshot, location: Location,
                     texts: dict[str, SourceText]) -> types.Location:
        absolute = snapshot.paths.get(location.path)
        text = self.source_text(snapshot, location.path, texts)
        uri = file_uri(absolute) if absolute else location.path
        return types.Location(uri=uri, range=text.range(location.span))

    # -- document notifications --

    def did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        document = self.attach(params.text_document.uri)
        if document is not None and document.linted:
            self.schedule(document.project, 0)

    def did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        document = self.documents.get(params.text_document.uri)
        if document is None or not document.linted:
            return
        document.project.pending[document.path] = document.uri
        self.schedule(document.project, DEBOUNCE_SECONDS)

    def did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        path = fs_path(params.text_document.uri)
        if path is not None and self.is_config(path):
            self.reload()
            return
        self.check_now(params.text_document.uri)

    def check_now(self, uri: str) -> None:
        document = self.documents.get(uri)
        if document is None or not document.linted:
            return
        document.project.pending[document.path] = uri
        self.schedule(document.project, 0)

    def did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        document = self.documents.pop(uri, None)
        self.clear(uri)
        if document is None or not document.linted:
            return
        project = document.project
        project.pending[document.path] = None
        project.linted.pop(uri, None)
        if self.open_in(project):
            self.schedule(project, DEBOUNCE_SECONDS)

    def did_change_watched_files(self, params: types.DidChangeWatchedFilesParams) -> None:
        touched: dict[Path, Project] = {}
        open_paths = {document.path for document in self.documents.values()}
        for change in params.changes:
            path = fs_path(change.uri)
            if path is None:
                continue
            if self.is_config(path):
                self.reload()
                return
            if path in open_paths:
                continue  # the buffer, not the disk, is what the user sees
            for project in self.projects.values():
                if project.linter is not None and path.is_relative_to(project.root) and (
                        find_root(path, project.root)[0] == project.root):
                    project.pending[path] = None
                    touched[project.root] = project
        for project in touched.values():
            self.schedule(project, DEBOUNCE_SECONDS)

    async def initialized(self, params: types.InitializedParams) -> None:
        capabilities = self.server.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities else None
        if not (watched and watched.dynamic_registration):
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS])
        try:
            await self.server.client_register_capability_async(types.RegistrationParams(
                registrations=[types.Registration(
                    id="kpilint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=options)]))
        except Exception as error:  # the client refused: config reloads on save only
            self.log(f"kpilint: could not watch files ({error}); the config reloads on save")

    def shutdown(self, params: None) -> None:
        for project in self.projects.values():
            project.closed = True
            if project.timer is not None:
                project.timer.cancel()
        self.executor.shutdown(wait=False, cancel_futures=True)

    # -- requests that need the document's current state --

    async def current(self, uri: str) -> tuple[OpenDocument, Project, Snapshot] | None:
        """The open document, its project and a snapshot that includes its latest text."""
        document = self.documents.get(uri)
        if document is None or not document.linted:
            return None
        project = document.project
        await self.flush(project)
        if project.snapshot is None:
            return None
        return document, project, project.snapshot

    async def mention_at(self, uri: str, position: types.Position,
                         ) -> tuple[Project, Snapshot, Mention] | None:
        found = await self.current(uri)
        if found is None:
            return None
        document, project, snapshot = found
        text = SourceText(self.server.workspace.get_text_document(uri).source, self.encoding)
        line, column = text.code_point(position)
        mention = snapshot.index.mention_at(project.display(document.path), line, column)
        return (project, snapshot, mention) if mention is not None else None

    async def hover(self, params: types.HoverParams) -> types.Hover | None:
        found = await self.mention_at(params.text_document.uri, params.position)
        if found is None:
            return None
        _, snapshot, mention = found
        index = snapshot.index
        markdown = self.markdown()
        record = index.entity(mention.entity_id)
        value = (entity_card(record, index, markdown) if record is not None
                 else unknown_card(mention.entity_id, index, markdown))
        text = self.source_text(snapshot, mention.location.path, {})
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
                value=value),
            range=text.range(mention.location.span))

    async def definition(self, params: types.DefinitionParams) -> list[types.Location] | None:
        found = await self.mention_at(params.text_document.uri, params.position)
        if found is None:
            return None
        _, snapshot, mention = found
        texts: dict[str, SourceText] = {}
        return [self.lsp_location(snapshot, record.at_field("id"), texts)
                for record in snapshot.index.records.get(mention.entity_id, [])]

    async def references(self, params: types.ReferenceParams) -> list[types.Location] | None:
        found = await self.mention_at(params.text_document.uri, params.position)
        if found is None:
            return None
        _, snapshot, mention = found
        texts: dict[str, SourceText] = {}
        mentions = sorted(
            (each for each in snapshot.index.mentions_of.get(mention.entity_id, [])
             if params.context.include_declaration or each.role != "id"),
            key=lambda each: (each.location.path, each.location.span.line,
                              each.location.span.column))
        return [self.lsp_location(snapshot, each.location, texts) for each in mentions]

    async def completion(self, params: types.CompletionParams) -> types.CompletionList | None:
        document = self.documents.get(params.text_document.uri)
        if document is None or not document.linted:
            return None
        project = document.project
        if project.snapshot is None:
            await self.flush(project)
        snapshot = project.snapshot
        text = SourceText(self.server.workspace.get_text_document(document.uri).source,
                          self.encoding)
        if snapshot is None or params.position.line >= len(text.lines):
            return None
        line_text = text.lines[params.position.line]
        column = code_point_index(line_text, params.position.character, self.encoding)
        keys = key_completion(text.lines, params.position.line, column)
        if keys is not None:
            partial, names = keys
            start = types.Position(params.position.line, client_units(
                line_text[:column - len(partial)], self.encoding))
            return types.CompletionList(is_incomplete=False, items=[types.CompletionItem(
                label=name, kind=types.CompletionItemKind.Property, sort_text=f"{order:03d}",
                text_edit=types.TextEdit(types.Range(start, params.position), f"{name}: "))
                for order, name in enumerate(names)])
        spot = completion_spot(text.lines, params.position.line, column)
        if spot is None:
            return None
        start = types.Position(params.position.line, client_units(
            line_text[:column - len(spot.partial)], self.encoding))
        edit_range = types.Range(start, params.position)
        lead = " " if line_text[:column].endswith(":") else ""
        index = snapshot.index
        items: list[types.CompletionItem] = []
        allowed = ALLOWED_TARGETS.get((spot.kind or "", spot.key))
        if spot.key in (SUPPORTS, PAIRED_WITH) and allowed is not None:
            own = entity_id_at(snapshot.specs.get(document.path), params.position.line + 1)
            for record in sorted(index.of_kinds(allowed), key=lambda each: each.id):
                if record.id == own:
                    continue
                items.append(types.CompletionItem(
                    label=record.id, kind=types.CompletionItemKind.Reference,
                    detail=f"{record.kind}: {record.model.name}",
                    documentation=record.model.definition,
                    text_edit=types.TextEdit(edit_range, lead + record.id)))
        elif spot.key in ENUM_VALUES:
            values = list(ENUM_VALUES[spot.key])
            if spot.key == "unit":
                values += sorted(index.units - set(values))
            items = [types.CompletionItem(
                label=value, kind=types.CompletionItemKind.EnumMember,
                detail=f"{spot.key} value", sort_text=f"{position:03d}",
                text_edit=types.TextEdit(edit_range, lead + value))
                for position, value in enumerate(values)]
        return types.CompletionList(is_incomplete=False, items=items)

    async def code_action(self, params: types.CodeActionParams,
                          ) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        found = await self.current(uri)
        published = self.published.get(uri)
        if found is None or published is None:
            return None
        document, project, snapshot = found
        wanted = {(each.code, each.range.start.line, each.range.start.character)
                  for each in params.context.diagnostics}
        source = self.server.workspace.get_text_document(uri).source
        text = SourceText(source, self.encoding)
        spec = snapshot.specs.get(document.path)
        actions: list[types.CodeAction] = []
        for finding, diagnostic in zip(published.findings, published.diagnostics, strict=True):
            key = (diagnostic.code, diagnostic.range.start.line,
                   diagnostic.range.start.character)
            if key not in wanted and not ranges_touch(diagnostic.range, params.range):
                continue
            actions += self._actions_for(finding, diagnostic, text, spec, project, uri,
                                         published.version)
        only = [str(getattr(kind, "value", kind)) for kind in params.context.only or ()]
        if only:
            actions = [action for action in actions if any(
                str(getattr(action.kind, "value", action.kind)).startswith(kind)
                for kind in only)]
        return actions

    def _actions_for(self, finding: Diagnostic, diagnostic: types.Diagnostic, text: SourceText,
                     spec: SpecFile | None, project: Project, uri: str,
                     version: int | None) -> list[types.CodeAction]:
        actions: list[types.CodeAction] = []
        if finding.fix is not None:
            edits = [types.TextEdit(text.range(edit.span), edit.text)
                     for edit in finding.fix.edits]
            actions.append(self._action(finding.fix.message, diagnostic, uri, version, edits,
                                        preferred=True))
        allowed = project.config is not None and project.config.allow_suppressions
        if (not allowed or spec is None or finding.code in UNSUPPRESSIBLE
                or finding.code.startswith(META_PREFIX)):
            return actions
        line = finding.location.span.line
        assert project.config is not None  # allowed above
        try:
            with_line_comment = add_suppression_comments(
                text.text.encode("utf-8", "surrogatepass"), {line: [finding.code]},
                limits=project.config.limits).decode("utf-8")
        except WriteRefused:
            with_line_comment = None  # the line cannot hold a comment safely: no such action
        if with_line_comment is not None:
            actions.append(self._action(
                f"Suppress {finding.code} on this line", diagnostic, uri, version,
                [minimal_edit(text, with_line_comment)]))
        actions.append(self._action(
            f"Suppress {finding.code} in this file", diagnostic, uri, version,
            [self._file_suppression(text, spec, finding.code)]))
        return actions

    @staticmethod
    def _file_suppression(text: SourceText, spec: SpecFile, code: str) -> types.TextEdit:
        """Add ``code`` to the file's ``disable-file`` comment, or write one at the top."""
        for comment in parse_suppressions(text.text, spec.quoted_or_block_scalars()):
            if not comment.whole_file or code in comment.codes:
                continue
            line = text.lines[comment.span.line - 1]
            match = DIRECTIVE.match(line, comment.span.column - 1)
            if match is not None:
                end = text.position(comment.span.line, match.end("codes") + 1)
                return types.TextEdit(types.Range(end, end), f",{code}")
        ending = LINE_BREAK.search(text.text)
        start = types.Position(0, client_units("\ufeff", text.encoding)
                               if text.text.startswith("\ufeff") else 0)
        return types.TextEdit(types.Range(start, start), f"# kpilint: disable-file={code}"
                              f"{ending[0] if ending else chr(10)}")

    def _action(self, title: str, diagnostic: types.Diagnostic, uri: str, version: int | None,
                edits: list[types.TextEdit], preferred: bool = False) -> types.CodeAction:
        capabilities = self.server.client_capabilities.workspace
        document_changes = bool(capabilities and capabilities.workspace_edit
                                and capabilities.workspace_edit.document_changes)
        if document_changes:
            edit = types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri, version),
                edits=list(edits))])
        else:
            edit = types.WorkspaceEdit(changes={uri: edits})
        return types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix,
                                diagnostics=[diagnostic], is_preferred=preferred or None,
                                edit=edit)

    def status(self, params: Any) -> dict[str, Any]:
        return {"version": __version__, "encoding": self.encoding, "projects": [{
            "root": str(project.root),
            "config": str(project.config.path) if project.config and project.config.path
            else None,
            "error": project.error,
            "files": len(project.linter.files) if project.linter else 0,
            "runs": project.runs,
            "last_run": project.last_run.as_json() if project.last_run else None,
        } for project in self.projects.values()]}


# --- the pygls server ---------------------------------------------------------------------------


def create_server() -> LanguageServer:
    """A pygls server with kpilint's features registered (not started)."""
    from pygls.exceptions import JsonRpcException
    from pygls.lsp.server import LanguageServer
    from pygls.protocol import LanguageServerProtocol

    answered = object()

    class Protocol(LanguageServerProtocol):
        """pygls' protocol, but a request it cannot read still gets an error answer."""

        def structure_message(self, data: dict[str, Any]) -> Any:
            try:
                return super().structure_message(data)
            except JsonRpcException as error:
                if not (isinstance(data.get("id"), (int, str)) and "method" in data):
                    raise
                logger.warning("malformed %s request: %s", data["method"], error)
                self._send_response(data["id"], error=types.ResponseError(
                    error.code, f"{error.message}: {data['method']} with parameters that do not"
                                f" fit the protocol"))
                return answered

        def handle_message(self, message: Any) -> None:
            if message is not answered:
                super().handle_message(message)

    server = LanguageServer("kpilint", __version__, protocol_cls=Protocol,
                            text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    service = KpilintService(server)

    def register(method: str, handler: Callable[[Any], Any], options: Any = None) -> None:
        """pygls marks the function it registers, so each handler gets a function of its own."""
        if asyncio.iscoroutinefunction(handler):
            async def answer_async(params: Any) -> Any:
                return await handler(params)

            server.feature(method, options)(answer_async)
        else:
            def answer(params: Any) -> Any:
                return handler(params)

            server.feature(method, options)(answer)

    register(types.INITIALIZED, service.initialized)
    register(types.SHUTDOWN, service.shutdown)
    register(types.TEXT_DOCUMENT_DID_OPEN, service.did_open)
    register(types.TEXT_DOCUMENT_DID_CHANGE, service.did_change)
    register(types.TEXT_DOCUMENT_DID_SAVE, service.did_save, types.SaveOptions(include_text=False))
    register(types.TEXT_DOCUMENT_DID_CLOSE, service.did_close)
    register(types.WORKSPACE_DID_CHANGE_WATCHED_FILES, service.did_change_watched_files)
    register(types.TEXT_DOCUMENT_HOVER, service.hover)
    register(types.TEXT_DOCUMENT_DEFINITION, service.definition)
    register(types.TEXT_DOCUMENT_REFERENCES, service.references)
    register(types.TEXT_DOCUMENT_COMPLETION, service.completion,
             types.CompletionOptions(trigger_characters=[" ", "[", ","]))
    register(types.TEXT_DOCUMENT_CODE_ACTION, service.code_action,
             types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    register(STATUS_METHOD, service.status)
    return server


def serve() -> None:
    """Run the language server over stdio until the client says exit."""
    logging.basicConfig(level=logging.WARNING, format="kpilint server: %(levelname)s: %(message)s")
    create_server().start_io()

