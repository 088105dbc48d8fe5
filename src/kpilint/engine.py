"""The rule engine: per-file rules on each file's model, project rules on the graph.

A :class:`Linter` keeps each file's loaded model and file-rule findings, so one changed file can be
re-read (:meth:`Linter.update`) and the project re-checked without reloading the others: only the
graph and the project rules are recomputed. A rule that raises becomes X002 for that file.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kpilint import DOCUMENTATION_URL
from kpilint.build import SpecFile
from kpilint.config import Config
from kpilint.diagnostics import Diagnostic, Location, Severity, Span, Violation, position
from kpilint.dialects import build_file, dialect_named, name_entities
from kpilint.graph import FileKey, GraphChange, ProjectGraph
from kpilint.load import LINE_BREAK, parse_bytes, read_file
from kpilint.reading import printable_path
from kpilint.registry import lookup, split_by_kind
from kpilint.rule import Context, FileRule, ProjectRule, Rule, Scope
from kpilint.suppressions import (
    ALL,
    Suppression,
    SuppressionIndex,
    parse_suppressions,
    unused_code_fix,
)

if TYPE_CHECKING:
    from kpilint.run_state import KeptFindings, KeptPart

RuleT = TypeVar("RuleT", bound=Rule)
_RULE_INDEX = itemgetter(0)
"""A located key's project rule (its index), to compose findings in rule order."""
_FILE_KEY = itemgetter(0)
"""A (key, spec) pair's file key."""
_PATH_OF = attrgetter("location.path")
"""A finding's path (read in C)."""


def documentation_base() -> str:
    """The ``Documentation`` project URL; rule URLs are this plus the rule's name."""
    return DOCUMENTATION_URL


def rule_url(rule: type[Rule]) -> str:
    """A rule's documentation page; for a pack or plugin rule its own ``url``, or ""."""
    from kpilint.custom import is_custom
    from kpilint.custom import rule_url as custom_url

    if is_custom(rule):
        return custom_url(rule) or ""
    return documentation_base() + rule.name


def _move_to_end(mapping: dict[Path, Any], paths: list[Path]) -> None:
    for path in paths:
        if path in mapping:
            mapping[path] = mapping.pop(path)


def _same_findings(old: list[Diagnostic], new: list[Diagnostic]) -> bool:
    """Whether two runs of a rule found the same (fingerprints and project paths aside, which
    composing a file adds)."""
    return len(old) == len(new) and all(
        (a.code, a.message, a.location, a.severity, a.subject, a.field, a.related, a.fix)
        == (b.code, b.message, b.location, b.severity, b.subject, b.field, b.related, b.fix)
        for a, b in zip(old, new, strict=True))


def _locate(located: dict[str, dict[tuple[int, str], list[Diagnostic]]], key: tuple[int, str],
            diagnostics: list[Diagnostic]) -> None:
    """File one project rule's findings in one unit (``key``) under their paths in
    ``located``, in order."""
    for diagnostic in diagnostics:
        path = diagnostic.location.path
        by_unit = located.get(path)
        if by_unit is None:
            by_unit = located[path] = {}
        same = by_unit.get(key)
        if same is None:
            by_unit[key] = [diagnostic]
        else:
            same.append(diagnostic)


@dataclass(slots=True)
class LoadedFile:
    """A file's model, its suppression comments, and the cached findings of the file rules."""

    absolute: Path
    spec: SpecFile
    findings: list[Diagnostic] | None = None
    suppressions: list[Suppression] | None = None

    def suppression_comments(self) -> list[Suppression]:
        """The file's ``# kpilint:`` comments; none in a file of a foreign format (they were
        written for its dialect, which this run does not read it in)."""
        if self.suppressions is None:
            self.suppressions = [] if self.spec.foreign else parse_suppressions(
                self.spec.text, self.spec.quoted_or_block_scalars())
        return self.suppressions


@dataclass(slots=True)
class ProjectResult:
    """The findings of a project, and those that suppression comments hid (with the comment)."""

    diagnostics: list[Diagnostic]
    suppressed: list[tuple[Diagnostic, Suppression]]


def joined(parts: list[ProjectResult | KeptPart]) -> ProjectResult:
    """The findings of ``parts`` (:meth:`Linter.check_parts`), one after the other, decoded."""
    diagnostics: list[Diagnostic] = []
    suppressed: list[tuple[Diagnostic, Suppression]] = []
    for part in parts:
        result = part if isinstance(part, ProjectResult) else part.result()
        diagnostics.extend(result.diagnostics)
        suppressed.extend(result.suppressed)
    return ProjectResult(diagnostics, suppressed)


def file_key(absolute: Path) -> FileKey:
    """Where a file sorts in the project: as its absolute path does."""
    return absolute.parts


UnitFindings = dict[str, list[Diagnostic]]
"""A project rule's findings per unit it checked: a KGI or entity id, or for a whole-project rule
its findings in one file (a crash is reported under ``WHOLE``)."""
WHOLE = ""
IN_FILE = "\0"  # a whole-project rule's findings in one file: IN_FILE + the file's path


@dataclass
class Linter:
    """Lints one project: its root, config and files, re-checking only what a change touches.

    The first :meth:`check` builds the graph and runs every rule. After :meth:`load`,
    :meth:`update` or :meth:`forget`, the next check re-runs the file rules of the changed files,
    replaces them in the graph, and re-runs each project rule only on the goals or entities the
    change reaches (whole-project rules run again whole); only the files whose findings changed
    go through suppressions, sorting and fingerprints again.
    """

    root: Path
    config: Config
    context: Context
    files: dict[Path, LoadedFile] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)
    fingerprint_salt: str = ""  # the root relative to the run's directory, when it is not "."
    file_rules: list[FileRule] = field(init=False)
    project_rules: list[ProjectRule] = field(init=False)
    graph: ProjectGraph | None = field(default=None, init=False)
    changed: dict[Path, str | None] = field(default_factory=dict, init=False)
    """Files changed since the last check, with the display path they had then."""
    unit_findings: list[UnitFindings] = field(default_factory=list, init=False)
    crashed: set[int] = field(default_factory=set, init=False)
    located: dict[str, dict[tuple[int, str], list[Diagnostic]]] = field(
        default_factory=dict, init=False)
    composed: dict[str, ProjectResult] = field(default_factory=dict, init=False)
    displays: dict[str, Path] = field(default_factory=dict, init=False)
    """Each file's display path (as findings name it) to its absolute path."""
    settled: bool = field(default=False, init=False)
    """Whether ``composed`` and ``kept`` hold the findings of every file as they stand."""
    kept: KeptFindings | None = field(default=None, init=False)
    """Findings a restored state keeps as stored until they are composed again (the paths not
    in ``composed``, and the whole-project rules' findings kept per file there)."""
    _rule_facts: dict[type[Rule], tuple[str, str, Severity, str]] = field(
        default_factory=dict, init=False)
    """Each rule's code, name, severity and URL, as its findings carry them."""

    def __post_init__(self) -> None:
        file_rules, project_rules = split_by_kind(self.config.selected_rules())
        self.file_rules = [self._make(rule) for rule in file_rules]
        self.project_rules = [self._make(rule) for rule in project_rules]
        self.unit_findings = [{} for _ in self.project_rules]
        if self.config.dialects:
            for project_rule in self.project_rules:
                project_rule.dialects = True

    def _make(self, rule: type[RuleT]) -> RuleT:
        instance = self.config.make_rule(rule)
        assert isinstance(instance, rule)
        return instance

    def load(self, absolute: Path, display: str) -> None:
        """Read a file from disk into the project."""
        loaded = read_file(absolute, self.config.limits)
        self.put(LoadedFile(absolute, build_file(display, loaded, self.dialect_of(absolute))))

    def update(self, absolute: Path, display: str, content: bytes) -> None:
        """Replace one file's content (editor buffers, stdin); the others stay loaded."""
        loaded = parse_bytes(content, self.config.limits)
        self.put(LoadedFile(absolute, build_file(display, loaded, self.dialect_of(absolute))))

    def dialect_of(self, absolute: Path) -> str | None:
        """The dialect a file of the project is read in (config ``[dialects]``), if any."""
        if not self.config.dialects or not absolute.is_relative_to(self.root):
            return None
        return self.config.dialect_of(absolute.relative_to(self.root).as_posix())

    def put(self, loaded: LoadedFile) -> None:
        """Add or replace a file already read (from a worker process or the cache)."""
        self._mark_changed(loaded.absolute)
        self.files[loaded.absolute] = loaded
        self.displays[loaded.spec.path] = loaded.absolute

    def arrival(self, paths: list[Path]) -> tuple[list[Path], list[Path]]:
        """Of ``paths`` about to be put, those new to the files and to the changes: what
        :meth:`put_in_order` moves."""
        return ([path for path in paths if path not in self.files],
                [path for path in paths if path not in self.changed])

    def put_in_order(self, arrival: tuple[list[Path], list[Path]]) -> None:
        """Order the files and changes that :meth:`arrival` named as they were named: files
        parsed by several processes come in as each finishes, one process puts them in path
        order, and what is done with every file in turn (fixes, ``--diff``) keeps that."""
        new_files, new_changes = arrival
        _move_to_end(self.files, new_files)
        _move_to_end(self.changed, new_changes)

    def forget(self, absolute: Path) -> None:
        if absolute in self.files:
            self._mark_changed(absolute)
            del self.files[absolute]

    def _mark_changed(self, absolute: Path) -> None:
        if absolute not in self.changed:
            previous = self.files.get(absolute)
            self.changed[absolute] = previous.spec.path if previous else None

    def check(self) -> ProjectResult:
        """All findings of the project, sorted, with fingerprints, after suppressions.

        If the engine itself fails, the next check starts over from the files (never from a
        half-updated graph).
        """
        return joined(self.check_parts())

    def check_parts(self) -> list[ProjectResult | KeptPart]:
        """:meth:`check`'s findings per path, in path order; a path whose findings are those
        a restored state kept (``kept``) comes as it is stored."""
        try:
            self._check()
        except BaseException:
            self._forget_findings()
            raise
        kept = self.kept.parts if self.kept is not None else {}
        return [self.composed.get(path) or kept[path]
                for path in sorted(self.composed.keys() | kept.keys())]

    def _check(self) -> None:
        if self.changed or not self.settled:
            self._name_dialect_entities()
        dirty: set[str] = set()
        if not self.settled:  # everything is checked afresh
            dirty.update(loaded.spec.path for loaded in self.files.values())
        for absolute, old_display in self.changed.items():
            if old_display is not None:
                dirty.add(old_display)
            loaded = self.files.get(absolute)
            if loaded is not None:
                dirty.add(loaded.spec.path)
                self.file_findings(loaded)
        if self.changed or not self.settled:
            change = self._update_graph()
            for index, project_rule in enumerate(self.project_rules):
                dirty |= self._run_project_rule(index, project_rule, change)
        self.changed.clear()
        self.settled = True
        for path in dirty:
            self._open(path)
            file_path = self.displays.get(path)
            loaded = self.files.get(file_path) if file_path is not None else None
            if loaded is not None and loaded.spec.path != path:
                loaded = None
            if loaded is not None or self.located.get(path):
                self.composed[path] = self._compose(path, loaded)
            else:
                self.composed.pop(path, None)

    def _open(self, path: str) -> None:
        """Take ``path``'s findings out of ``kept``, to compose them again."""
        if self.kept is not None:
            self._add_kept_rules(self.kept.take_rules(path=path))
            result, units = self.kept.open(path)
            if result is not None:
                self.composed[path] = result
            for index, found in units:
                self._add_kept_unit(index, path, found)

    def _add_kept_unit(self, index: int, path: str, found: list[Diagnostic]) -> None:
        """Give back a rule's findings ``kept`` held for one file."""
        unit = IN_FILE + path
        self.unit_findings[index][unit] = found
        if found:
            self.located.setdefault(path, {})[(index, unit)] = found

    def _add_kept_rules(self, taken: list[tuple[int, UnitFindings]]) -> None:
        """Give back the findings of rules ``kept`` held whole, located in order as
        :meth:`resume` would have located them."""
        for index, found in taken:
            current = self.unit_findings[index]
            for unit, diagnostics in found.items():
                current[unit] = diagnostics
                _locate(self.located, (index, unit), diagnostics)

    def _name_dialect_entities(self) -> None:
        """Give dialect entities their project-wide ids; a file whose ids changed is checked
        again (its findings name them)."""
        if not self.config.dialects or not any(
                loaded.spec.dialect for loaded in self.files.values()):
            return
        by_spec = {id(loaded.spec): loaded for loaded in self.files.values()}
        for old, new in name_entities(self.files[path].spec for path in sorted(self.files)):
            loaded = by_spec[id(old)]
            self.put(LoadedFile(loaded.absolute, new, None, loaded.suppressions))

    def reset(self) -> None:
        """Forget every file and finding (a cached state that did not fit)."""
        self.files.clear()
        self.displays.clear()
        self.changed.clear()
        self._forget_findings()

    def _forget_findings(self) -> None:
        self.graph = None
        self.settled = False
        self.unit_findings = [{} for _ in self.project_rules]
        self.crashed.clear()
        self.located.clear()
        self.composed.clear()
        self.kept = None

    def file_findings(self, loaded: LoadedFile) -> list[Diagnostic]:
        """The file rules' findings of one file (run once, then kept)."""
        if loaded.findings is None:
            loaded.findings = self._run_file_rules(loaded.spec)
        return loaded.findings

    def resume(self, unit_findings: list[UnitFindings], kept: KeptFindings,
               files: dict[Path, LoadedFile], graph: bool) -> None:
        """Take up where a cached check left off (:mod:`kpilint.run_state`): its findings per
        project rule and unit, per path after suppressions as stored (``kept``, the whole-project
        rules' findings kept per file with them), and its files as they were.

        With ``graph`` the project graph is built from ``files``, so later changes re-check
        only what they reach; without it (and without ``unit_findings``, which matter only to a
        later change) nothing may change before the check.
        """
        self.unit_findings = unit_findings if graph else [{} for _ in self.project_rules]
        located: dict[str, dict[tuple[int, str], list[Diagnostic]]] = {}
        self.located = located
        for index, units in enumerate(self.unit_findings):
            for unit, found in units.items():
                _locate(located, (index, unit), found)
        self.composed = {}
        if not graph:  # as ``unit_findings``: no later change needs them
            kept.rules.clear()
        self.kept = kept
        self.files = dict(files)
        self.displays = {loaded.spec.path: path for path, loaded in files.items()}
        self.changed.clear()
        if graph:
            self._build_graph()
        self.settled = True

    def _build_graph(self) -> None:
        """The graph of the files afresh (given in key order: loading it sorts nothing)."""
        self.graph = ProjectGraph()
        self.graph.load_all(sorted(((file_key(path), loaded.spec)
                                    for path, loaded in self.files.items()), key=_FILE_KEY))

    def _update_graph(self) -> GraphChange | None:
        """Bring the graph up to date; None when it was built afresh (every rule runs whole)."""
        if self.graph is None:
            assert not self.settled, "a project restored without its graph cannot change"
            self._build_graph()
            return None
        change = GraphChange()
        for absolute in self.changed:
            loaded = self.files.get(absolute)
            change.merge(self.graph.replace_file(file_key(absolute),
                                                 loaded.spec if loaded else None))
        return change

    def _run_project_rule(self, index: int, rule: ProjectRule,
                          change: GraphChange | None) -> set[str]:
        """Re-run one project rule where ``change`` reaches (everywhere when None); the paths
        whose findings may have changed."""
        graph = self.graph
        assert graph is not None
        scope = rule.effective_scope
        if (change is not None and index not in self.crashed
                and rule.reads is not None and not change.structural
                and not change.fields & rule.reads):
            return set()  # nothing it reads changed
        if change is None or scope is Scope.PROJECT or index in self.crashed:
            return self._set_findings(index, self._run_whole(rule, scope), replace_all=True)
        wanted = change.goals if scope is Scope.GOAL else change.entities | change.ids
        kinds = ("KGI",) if scope is Scope.GOAL else rule.kinds
        found: UnitFindings = {}
        for unit_id in wanted:
            record = graph.entities.get(unit_id)
            if record is None or record.kind not in kinds:
                found[unit_id] = []
                continue
            try:
                found[unit_id] = [self._diagnostic(rule, violation) for violation
                                  in rule.check_unit(graph, record, self.context)]
            except Exception as error:  # any rule bug must not stop the run
                return self._set_findings(index, {WHOLE: [self._crash(rule, error)]},
                                          replace_all=True)
        return self._set_findings(index, found, replace_all=False)

    def _run_whole(self, rule: ProjectRule, scope: Scope) -> UnitFindings:
        graph = self.graph
        assert graph is not None
        found: UnitFindings = {}
        try:
            if scope is Scope.PROJECT:  # kept per file, so that unchanged files stay composed
                path: str | None = None
                in_file: list[Diagnostic] = []
                for diagnostic in self._diagnostics(rule, list(rule.check(graph, self.context))):
                    if diagnostic.location.path != path:  # findings come mostly file by file
                        path = diagnostic.location.path
                        in_file = found.setdefault(IN_FILE + path, [])
                    in_file.append(diagnostic)
            else:
                check_unit, context, make = rule.check_unit, self.context, self._diagnostics
                for record in rule.units(graph):  # a unit without findings needs no entry
                    violations = list(check_unit(graph, record, context))
                    if violations:
                        found[record.id] = make(rule, violations)
        except Exception as error:  # any rule bug must not stop the run
            return {WHOLE: [self._crash(rule, error)]}
        return found

    def _set_findings(self, index: int, found: UnitFindings, replace_all: bool) -> set[str]:
        """Store a rule's findings per unit; the paths whose findings from it changed (a unit
        found again as it was keeps its findings, so its files need not be composed again)."""
        if self.kept is not None:
            self._add_kept_rules(self.kept.take_rules(index=index))
        if replace_all and self.kept is not None:
            for path, kept in self.kept.take_rule(index):
                self._add_kept_unit(index, path, kept)
        current = self.unit_findings[index]
        dirty: set[str] = set()
        crashed = WHOLE in found and any(each.code == "X002" for each in found[WHOLE])
        if crashed:
            self.crashed.add(index)
        else:
            self.crashed.discard(index)
        stale = list(current) if replace_all else [unit for unit in found if unit in current]
        for unit in stale:
            old = current.pop(unit)
            new = found.get(unit, [])
            if old and _same_findings(old, new):
                found[unit] = old
                current[unit] = old
                continue
            for diagnostic in old:
                path = diagnostic.location.path
                dirty.add(path)
                self.located.get(path, {}).pop((index, unit), None)
        for unit, diagnostics in found.items():
            if not diagnostics or current.get(unit) is diagnostics:
                continue
            current[unit] = diagnostics
            dirty.update(map(_PATH_OF, diagnostics))
            _locate(self.located, (index, unit), diagnostics)
        return dirty

    def _compose(self, path: str, loaded: LoadedFile | None) -> ProjectResult:
        """One file's findings: file and project rules, minus ignored and suppressed ones, plus
        the findings about its suppression comments; sorted, with fingerprints."""
        located = self.located.get(path)
        found = list(loaded.findings or []) if loaded else []
        if located:
            for unit in sorted(located, key=_RULE_INDEX):
                found.extend(located[unit])
        dialect = dialect_named(loaded.spec.dialect) if loaded else None
        relative = self.root_relative(loaded) if loaded else path
        ignored = self.config.ignored_in(relative)
        diagnostics: list[Diagnostic] = []
        seen: set[tuple[str, str, int, int, int, int, str]] = set()
        for diagnostic in found:  # in one pass:
            location = diagnostic.location
            span = location.span  # its fields, not the span: hashing those runs no Python code
            key = (diagnostic.code, location.path, span.line, span.column, span.end_line,
                   span.end_column, diagnostic.message)
            if key in seen:  # an exact repeat (a merged or aliased node reports once)
                continue
            seen.add(key)
            if dialect is not None and not dialect.runs(diagnostic.code):
                continue  # rules the format cannot answer report nothing there
            diagnostic.project_path = relative
            if diagnostic.code not in ignored:
                diagnostics.append(diagnostic)
        active, suppressed = self._apply_suppressions(diagnostics, loaded, relative)
        active.sort(key=position)
        self._fingerprint(active, sorted([each for each, _ in suppressed], key=position)
                          if suppressed else [])
        return ProjectResult(active, suppressed)

    def _apply_suppressions(
        self, diagnostics: list[Diagnostic], loaded: LoadedFile | None, relative: str,
    ) -> tuple[list[Diagnostic], list[tuple[Diagnostic, Suppression]]]:
        """Hide what one file's comments suppress; report unused (X001), forbidden (X003) and
        unexplained (X004) comments (``diagnostics``, the caller's own list, may come back as
        the active findings)."""
        comments = loaded.suppression_comments() if loaded else []
        for comment in comments:
            comment.used.clear()
        index = SuppressionIndex(comments) if comments and self.config.allow_suppressions else None
        active = diagnostics  # when no comment can suppress anything: the list, kept whole
        suppressed: list[tuple[Diagnostic, Suppression]] = []
        if index is not None:
            active = []
            for diagnostic in diagnostics:
                covering = index.covering(diagnostic)
                if covering is None:
                    active.append(diagnostic)
                else:
                    covering.used.add(diagnostic.code)
                    suppressed.append((diagnostic, covering))
        if loaded is None or not comments:  # most files: no comment to report on
            return active, suppressed
        wanted = self.selected_codes - self.config.ignored_in(relative)
        lines: list[str] | None = None
        for comment in comments:
            subject = loaded.spec.entity_on_line(comment.span.line)
            for code, message, unused in self._comment_findings(comment, wanted):
                rule = lookup(code)
                assert rule is not None
                fix = None
                if unused is not None:
                    lines = lines or LINE_BREAK.split(loaded.spec.text)
                    fix = unused_code_fix(comment, unused, lines)
                finding = self._diagnostic(rule(), Violation(
                    Location(loaded.spec.path, comment.span), message, subject=subject,
                    fix=fix))
                finding.project_path = relative
                active.append(finding)
        return active, suppressed

    @functools.cached_property
    def selected_codes(self) -> set[str]:
        return {rule.code for rule in self.config.selected_rules()}

    def _comment_findings(self, comment: Suppression,
                          selected: set[str]) -> Iterator[tuple[str, str, str | None]]:
        """(code, message, the unused code for X001) of what is wrong with one suppression
        comment."""
        shown = comment.written
        if not self.config.allow_suppressions:
            if "X003" in selected:
                yield "X003", (f"suppression comment `{shown}` is not allowed in this"
                               " project (allow-suppressions = false): fix the finding"
                               " instead"), None
            return
        if self.config.require_suppression_reason and comment.reason is None and (
                "X004" in selected):
            yield "X004", (f"suppression `{shown}` gives no reason: add one after"
                           " ` -- `, e.g. `# kpilint: disable=P301 -- benchmarking year`"), None
        if "X001" not in selected:
            return
        where = "in this file" if comment.whole_file else (
            f"on line {comment.target_line}" if comment.target_line else "below it")
        unused = sorted(code for code in comment.codes
                        if code in selected and code not in comment.used)
        if ALL in comment.codes and not comment.used:
            unused = [ALL]
        for code in unused:
            yield "X001", (f"unused suppression: no {code} finding {where} to suppress;"
                           " remove it from the comment" if code != ALL else
                           f"unused suppression: nothing is reported {where}; remove the"
                           " comment"), code

    def _run_file_rules(self, spec: SpecFile) -> list[Diagnostic]:
        """The file rules' findings of one file; a rule that raises gives X002 at its start
        instead of its findings."""
        found: list[Diagnostic] = []
        dialect = dialect_named(spec.dialect)
        context, make = self.context, self._diagnostics
        for file_rule in self.file_rules:
            if dialect is not None and not dialect.runs(file_rule.code):
                continue
            try:
                violations = list(file_rule.check(spec, context))
                if violations:  # most rules find nothing in most files
                    found.extend(make(file_rule, violations))
            except Exception as error:  # any rule bug must not stop the run
                found.append(self._crash(file_rule, error, spec.path))
        return found

    def _crash(self, rule: Rule, error: Exception, path: str | None = None) -> Diagnostic:
        """X002 for a rule that raised (at the first file's start for a project rule)."""
        import traceback  # only when a rule crashed

        self.crashes.append(traceback.format_exc())
        internal = lookup("X002")
        assert internal is not None
        message = (f"rule {rule.code} ({rule.name}) crashed: {type(error).__name__}: {error};"
                   " the other rules still ran (run with --debug for the traceback)")
        if path is None:
            path = self.graph.files[0].path if self.graph and self.graph.files else ""
        return self._diagnostic(internal(), Violation(Location(path, Span.file_start()), message))

    def _diagnostic(self, rule: Rule, violation: Violation) -> Diagnostic:
        """A rule's finding as reports carry it: with the rule's code, name, severity and URL."""
        return self._diagnostics(rule, [violation])[0]

    def _diagnostics(self, rule: Rule, violations: list[Violation]) -> list[Diagnostic]:
        """:meth:`_diagnostic` of each of a rule's findings (the rule's facts looked up once)."""
        rule_type = type(rule)
        facts = self._rule_facts.get(rule_type)
        if facts is None:
            facts = self._rule_facts[rule_type] = (
                rule.code, rule.name, self.config.severity_of(rule_type), rule_url(rule_type))
        code, name, severity, url = facts
        return [Diagnostic(code, name, severity, violation.message, violation.location, url,
                           violation.subject, violation.field, violation.related, violation.fix)
                for violation in violations]

    def root_relative(self, loaded: LoadedFile) -> str:
        """A file's POSIX path relative to the project root."""
        parts, root = loaded.absolute.parts, self.root.parts
        if len(parts) > len(root) and parts[:len(root)] == root:  # as pathlib says, faster
            return printable_path("/".join(parts[len(root):]))
        try:
            return printable_path(loaded.absolute.relative_to(self.root).as_posix())
        except ValueError:  # not under the root
            return printable_path(loaded.absolute.as_posix())

    def _fingerprint(self, active: list[Diagnostic], suppressed: list[Diagnostic]) -> None:
        """sha256 of path, code, subject, field, the occurrence of those four and the salt,
        joined by NULs; suppressed findings count on after the active ones, so that the active
        ones keep the fingerprints they had and none of the run's repeats another."""
        seen: dict[tuple[str, str, str, str], int] = {}
        salt = "\0" + self.fingerprint_salt if self.fingerprint_salt else ""
        sha256 = hashlib.sha256
        for diagnostic in itertools.chain(active, suppressed):
            key = (diagnostic.project_path, diagnostic.code, diagnostic.subject or "",
                   diagnostic.field or "")
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            path, code, subject, field_name = key
            digest = sha256(
                f"{path}\0{code}\0{subject}\0{field_name}\0{occurrence}{salt}".encode())
            diagnostic.fingerprint = digest.hexdigest()[:32]
