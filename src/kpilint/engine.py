"""The rule engine: per-file rules on each file's model, project rules on the graph.

A :class:`Linter` keeps each file's loaded model and file-rule findings, so one changed file can be
re-read (:meth:`Linter.update`) and the project re-checked without reloading the others: only the
graph and the project rules are recomputed. A rule that raises becomes X002 for that file.
"""

from __future__ import annotations

import functools
import hashlib
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from kpilint.build import SpecFile, build_spec_file
from kpilint.config import Config
from kpilint.diagnostics import Diagnostic, Location, Span, Violation
from kpilint.graph import ProjectGraph
from kpilint.load import parse_bytes, read_file
from kpilint.registry import lookup, split_by_kind
from kpilint.rule import Context, FileRule, ProjectRule, Rule
from kpilint.suppressions import ALL, Suppression, SuppressionIndex, parse_suppressions

RuleT = TypeVar("RuleT", bound=Rule)


@functools.cache
def documentation_base() -> str:
    """The ``Documentation`` project URL; rule URLs are this plus the rule's name."""
    from importlib import metadata

    try:
        urls = metadata.metadata("kpilint").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "documentation":
            return str(url).strip()
    return "https://kpilint.dev/rules/"


def rule_url(rule: type[Rule]) -> str:
    return documentation_base() + rule.name


def _without_repeats(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Drop exact repeats (a merged or aliased node reports its problem once)."""
    seen: set[tuple[str, str, object, str]] = set()
    unique = []
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.location.path, diagnostic.location.span,
               diagnostic.message)
        if key not in seen:
            seen.add(key)
            unique.append(diagnostic)
    return unique


@dataclass(slots=True)
class LoadedFile:
    """A file's model, its suppression comments, and the cached findings of the file rules."""

    absolute: Path
    spec: SpecFile
    findings: list[Diagnostic] | None = None
    suppressions: list[Suppression] | None = None

    def suppression_comments(self) -> list[Suppression]:
        if self.suppressions is None:
            self.suppressions = parse_suppressions(
                self.spec.text, self.spec.quoted_or_block_scalars())
        return self.suppressions


@dataclass(slots=True)
class ProjectResult:
    """The findings of a project, and those that suppression comments hid (with the comment)."""

    diagnostics: list[Diagnostic]
    suppressed: list[tuple[Diagnostic, Suppression]]


@dataclass(slots=True)
class Linter:
    """Lints one project: its root, config and files."""

    root: Path
    config: Config
    context: Context
    files: dict[Path, LoadedFile] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)
    fingerprint_salt: str = ""  # the root relative to the run's directory, when it is not "."
    file_rules: list[FileRule] = field(init=False)
    project_rules: list[ProjectRule] = field(init=False)

    def __post_init__(self) -> None:
        file_rules, project_rules = split_by_kind(self.config.selected_rules())
        self.file_rules = [self._make(rule) for rule in file_rules]
        self.project_rules = [self._make(rule) for rule in project_rules]

    def _make(self, rule: type[RuleT]) -> RuleT:
        instance = self.config.make_rule(rule)
        assert isinstance(instance, rule)
        return instance

    def load(self, absolute: Path, display: str) -> None:
        """Read a file from disk into the project."""
        loaded = read_file(absolute, self.config.limits)
        self.files[absolute] = LoadedFile(absolute, build_spec_file(display, loaded))

    def update(self, absolute: Path, display: str, content: bytes) -> None:
        """Replace one file's content (editor buffers, stdin); the others stay loaded."""
        loaded = parse_bytes(content, self.config.limits)
        self.files[absolute] = LoadedFile(absolute, build_spec_file(display, loaded))

    def forget(self, absolute: Path) -> None:
        self.files.pop(absolute, None)

    def check(self) -> ProjectResult:
        """All findings of the project, sorted, with fingerprints, after suppressions."""
        diagnostics: list[Diagnostic] = []
        for loaded in self.files.values():
            if loaded.findings is None:
                loaded.findings = self._run_file_rules(loaded.spec)
            diagnostics.extend(loaded.findings)
        graph = ProjectGraph(self.files[path].spec for path in sorted(self.files))
        first_file = graph.files[0].path if graph.files else ""
        for project_rule in self.project_rules:
            diagnostics.extend(self._guarded(
                project_rule, functools.partial(project_rule.check, graph, self.context),
                first_file))
        diagnostics = _without_repeats(diagnostics)
        relative = self.root_relative_paths()
        for diagnostic in diagnostics:
            diagnostic.project_path = relative.get(diagnostic.location.path,
                                                   diagnostic.location.path)
        diagnostics = [diagnostic for diagnostic in diagnostics
                       if diagnostic.code not in self.config.ignored_in(diagnostic.project_path)]
        active, suppressed = self._apply_suppressions(diagnostics)
        active.sort(key=lambda diagnostic: diagnostic.sort_key)
        self._fingerprint(active)
        return ProjectResult(active, suppressed)

    def _apply_suppressions(
        self, diagnostics: list[Diagnostic],
    ) -> tuple[list[Diagnostic], list[tuple[Diagnostic, Suppression]]]:
        """Hide what comments suppress; report unused (X001), forbidden (X003) and unexplained
        (X004) comments."""
        by_path: dict[str, list[Suppression]] = {
            loaded.spec.path: loaded.suppression_comments() for loaded in self.files.values()}
        for comments in by_path.values():
            for comment in comments:
                comment.used.clear()
        indexes = {path: SuppressionIndex(comments) for path, comments in by_path.items()}
        active: list[Diagnostic] = []
        suppressed: list[tuple[Diagnostic, Suppression]] = []
        for diagnostic in diagnostics:
            index = indexes.get(diagnostic.location.path)
            covering = index.covering(diagnostic) if (
                index is not None and self.config.allow_suppressions) else None
            if covering is None:
                active.append(diagnostic)
            else:
                covering.used.add(diagnostic.code)
                suppressed.append((diagnostic, covering))
        selected = {rule.code for rule in self.config.selected_rules()}
        for loaded in self.files.values():
            relative = self.root_relative(loaded)
            wanted = selected - self.config.ignored_in(relative)
            for comment in by_path[loaded.spec.path]:
                subject = loaded.spec.entity_on_line(comment.span.line)
                for code, message in self._comment_findings(comment, wanted):
                    rule = lookup(code)
                    assert rule is not None
                    finding = self._diagnostic(rule(), Violation(
                        Location(loaded.spec.path, comment.span), message, subject=subject))
                    finding.project_path = relative
                    active.append(finding)
        return active, suppressed

    def _comment_findings(self, comment: Suppression,
                          selected: set[str]) -> Iterator[tuple[str, str]]:
        """(code, message) of what is wrong with one suppression comment."""
        shown = comment.written
        if not self.config.allow_suppressions:
            if "X003" in selected:
                yield "X003", (f"suppression comment `{shown}` is not allowed in this"
                               " project (allow-suppressions = false): fix the finding instead")
            return
        if self.config.require_suppression_reason and comment.reason is None and (
                "X004" in selected):
            yield "X004", (f"suppression `{shown}` gives no reason: add one after"
                           " ` -- `, e.g. `# kpilint: disable=P301 -- benchmarking year`")
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
                           f"unused suppression: nothing is reported {where}; remove the comment")

    def _run_file_rules(self, spec: SpecFile) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        for file_rule in self.file_rules:
            found.extend(self._guarded(
                file_rule, functools.partial(file_rule.check, spec, self.context), spec.path))
        return found

    def _guarded(self, rule: Rule, run: Callable[[], Iterable[Violation]],
                 path: str) -> list[Diagnostic]:
        """Run one rule; a crash becomes X002 at the start of ``path``."""
        try:
            return [self._diagnostic(rule, violation) for violation in run()]
        except Exception as error:  # any rule bug must not stop the run
            self.crashes.append(traceback.format_exc())
            internal = lookup("X002")
            assert internal is not None
            message = (f"rule {rule.code} ({rule.name}) crashed: {type(error).__name__}: {error};"
                       " the other rules still ran (run with --debug for the traceback)")
            return [self._diagnostic(internal(), Violation(
                Location(path, Span.file_start()), message))]

    def _diagnostic(self, rule: Rule, violation: Violation) -> Diagnostic:
        rule_type = type(rule)
        return Diagnostic(
            code=rule.code, name=rule.name, severity=self.config.severity_of(rule_type),
            message=violation.message, location=violation.location, url=rule_url(rule_type),
            subject=violation.subject, field=violation.field, related=violation.related,
            fix=violation.fix)

    def root_relative(self, loaded: LoadedFile) -> str:
        """A file's POSIX path relative to the project root."""
        if loaded.absolute.is_relative_to(self.root):
            return loaded.absolute.relative_to(self.root).as_posix()
        return loaded.absolute.as_posix()

    def root_relative_paths(self) -> dict[str, str]:
        """Each file's display path mapped to its POSIX path relative to the project root."""
        return {loaded.spec.path: self.root_relative(loaded) for loaded in self.files.values()}

    def _fingerprint(self, diagnostics: list[Diagnostic]) -> None:
        seen: Counter[tuple[str, str, str, str]] = Counter()
        for diagnostic in diagnostics:
            key = (diagnostic.project_path, diagnostic.code, diagnostic.subject or "",
                   diagnostic.field or "")
            occurrence = seen[key]
            seen[key] += 1
            parts = (*key, str(occurrence), *((self.fingerprint_salt,) if self.fingerprint_salt
                                             else ()))
            digest = hashlib.sha256("\0".join(parts).encode("utf-8"))
            diagnostic.fingerprint = digest.hexdigest()[:32]
