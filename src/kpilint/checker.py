"""A check run: plan the projects, load their files, run the engine, keep what was named."""

from __future__ import annotations

import datetime
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kpilint.baseline import BaselineKey, apply_baseline, read_baseline
from kpilint.cache import CachedReport, ResultCache, Utf8
from kpilint.config import (
    RuleSelection,
    check_dialect,
    check_selectors,
    find_config_in,
    load_config,
)
from kpilint.dbt import DbtProject
from kpilint.diagnostics import Diagnostic, Severity, position
from kpilint.project import ProjectPlan, plan_projects, project_files
from kpilint.reading import (
    FileChanged,
    ProjectFile,
    ReportSlot,
    Signatures,
    printable_path,
    read_project_files,
    read_trusted,
)
from kpilint.report import RunResult
from kpilint.rule import Context

if TYPE_CHECKING:
    from kpilint.engine import Linter, ProjectResult
    from kpilint.incremental import LoadReport
    from kpilint.report.json_format import KeptRecords
    from kpilint.run_state import KeptPart
    from kpilint.suppressions import Suppression


@dataclass(slots=True)
class CheckOptions:
    """Command-line settings that override the config."""

    paths: list[str] = field(default_factory=list)
    config_file: Path | None = None
    selection: RuleSelection = field(default_factory=RuleSelection)
    today: datetime.date | None = None
    force_exclude: bool | None = None
    fail_on: Severity | None = None
    baseline: Path | None = None
    stdin: tuple[str, bytes] | None = None
    progress: bool = False
    cache: bool = True
    jobs: int | None = None  # None: the CPU count when there are many files to parse
    dialect: str | None = None  # --dialect: the named paths' dialect
    render_key: str | None = None
    """What the caller renders the result with (format, options, working directory): with the
    cache, a run of one project keeps its report, and a run of the same files writes it back."""
    keep_stored: bool = False
    """Whether the caller's renderer writes findings as a restored state stores them
    (``RunResult.kept``: the JSON writer): unchanged files' findings are then not decoded."""


@dataclass(slots=True)
class CheckOutcome:
    """The reported result plus what the CLI needs to choose an exit code."""

    result: RunResult
    crashes: list[str]
    failed: bool
    linters: list[Linter] = field(default_factory=list)
    force_excluded_all: bool = False
    """Files were named and ``force-exclude`` left out every one of them (SPEC 10.4)."""
    plans: list[ProjectPlan] = field(default_factory=list)  # one per linter, in the same order
    kept_report: Utf8 | None = None
    """The report (UTF-8) a run of the same files kept (``CheckOptions.render_key``);
    ``result`` then holds no findings, only the file count and the baseline's notes."""
    report_slot: ReportSlot | None = None

    def keep_report(self, text: str | Utf8) -> None:
        """Keep the rendered report of this run (not ``str``: in UTF-8) for the next run of the
        same files (not of a run that crashed or checked no file: those say why on stderr every
        time)."""
        if self.report_slot is None or self.crashes or not self.result.files:
            return
        result = self.result
        self.report_slot.keep(CachedReport(
            text.encode("utf-8") if isinstance(text, str) else text, result.files, self.failed,
            result.baseline_hidden,
            [(key.path, key.code, key.subject, allowed, now)
             for key, allowed, now in result.baseline_stale],
            None if result.records is None else result.records.pieces,
            None if result.records is None else result.records.copies))


def run_check(options: CheckOptions, cwd: Path | None = None) -> CheckOutcome:
    """Lint the named paths (or the project of the working directory)."""
    cwd = cwd or Path.cwd()
    unsaved = options.stdin[0] if options.stdin else None
    plans = plan_projects(options.paths, cwd, options.config_file, unsaved)
    for option, selectors in (("--select", options.selection.select or ()),  # after the
                              ("--extend-select", options.selection.extend_select),  # packs
                              ("--ignore", options.selection.ignore)):
        check_selectors(selectors, f"option {option}")
    if options.dialect is not None:
        check_dialect(options.dialect, "option --dialect")
    baseline = read_baseline(options.baseline) if options.baseline else None
    shown: list[Diagnostic] = []
    suppressed: list[tuple[Diagnostic, Suppression]] = []
    fail_on: dict[int, Severity] = {}
    crashes: list[str] = []
    stored: list[KeptPart] = []
    kept_failed = False
    tokens: dict[str, str] | None = None
    linters: list[Linter] = []
    named_files: set[str] = set()
    files = 0
    force_excluded = 0
    slot: ReportSlot | None = None
    for plan in plans:
        plan.config.selections.append(options.selection)
        if options.dialect is not None:
            plan.read_named_in(options.dialect)
        nested: list[Path] = []
        named_before = len(plan.named)
        reading = _read_project(plan, options, cwd, nested)
        force_excluded += named_before - len(plan.named)
        if options.render_key is not None and len(plans) == 1 and not nested:
            slot = ReportSlot.of(reading.files, reading.cache,
                                 _run_render_key(options, baseline, cwd), reading.taken)
            kept = slot.kept() if slot is not None else None
            if kept is not None:
                assert slot is not None
                slot.refresh_signatures()
                return _kept_outcome(kept, plans)
        trusted = sum(each.trusted for each in reading.files)
        linter, parts, report = _load_and_check(plan, reading, options)
        if slot is not None and sum(each.trusted for each in reading.files) < trusted:
            # some were read after all (their bytes are the truth): key the report on them
            slot = ReportSlot.of(reading.files, reading.cache, slot.render_key, reading.taken)
        linters.append(linter)
        _add_nested_projects(plans, nested)
        from kpilint.incremental import save_to_cache

        saved = save_to_cache(linter, reading.files, report)
        crashes.extend(linter.crashes)
        is_named = _named_test(plan)
        named = {loaded.spec.path: loaded for loaded in linter.files.values()
                 if is_named(loaded.absolute)}
        named_files.update(os.path.relpath(path, plan.root).replace(os.sep, "/")
                           for path in plan.named)
        files += len(named)
        named_paths = set(named)  # once, not per finding: 5,000 files x 40,000 findings
        threshold = options.fail_on or plan.config.fail_on
        if options.keep_stored and baseline is None and len(plans) == 1 and not nested:
            tokens = {path: token for path, token in (saved or {}).items() if path in named}
            passed, parts = _passed_through(parts, named_paths)
            stored += passed
            kept_failed = any(part.worst() >= threshold for part in passed)
        from kpilint.engine import joined

        project_result = joined(parts)
        reported = [diagnostic for diagnostic in project_result.diagnostics
                    if diagnostic.location.path in named_paths
                    or _is_reported(diagnostic, named_paths)]
        shown += reported
        fail_on.update(dict.fromkeys(map(id, reported), threshold))
        suppressed.extend(pair for pair in project_result.suppressed
                          if pair[0].location.path in named)
    outcome = apply_baseline(shown, baseline or Counter(), named_files)
    failed = kept_failed or any(diagnostic.severity >= fail_on[id(diagnostic)]
                                for diagnostic in outcome.reported)
    suppressed.sort(key=lambda pair: position(pair[0]))
    result = RunResult(outcome.reported, files, suppressed,
                       outcome.hidden if baseline is not None else None, outcome.stale, kept=stored,
                       records=_kept_records(slot, tokens if outcome.in_place_order else {})
                       if tokens is not None else None)
    left_out_all = force_excluded > 0 and not any(plan.named for plan in plans)
    return CheckOutcome(result, crashes, failed, linters, force_excluded_all=left_out_all,
                        plans=plans, report_slot=slot if len(plans) == 1 else None)


def _kept_records(slot: ReportSlot | None, tokens: dict[str, str]) -> KeptRecords:
    """What lets the JSON writer copy records from the report kept for this rendering; the
    named paths' ``tokens`` (their records are their stored findings in order, which findings
    sorted by place alone keep)."""
    from kpilint.report.json_format import KeptRecords

    cache = slot.cache if slot is not None else None
    render_key = slot.render_key if slot is not None else ""
    return KeptRecords(tokens, lambda: cache.report_pieces(render_key) if cache else None)


def _passed_through(parts: list[ProjectResult | KeptPart],
                    named: set[str]) -> tuple[list[KeptPart], list[ProjectResult | KeptPart]]:
    """The parts still stored that go to the renderer as they are, and the others: a named
    path's (all its findings are reported) without suppressed findings (they are listed among
    every file's) whose order no baseline step changes (:meth:`KeptPart.regrouped`)."""
    from kpilint.run_state import KeptPart

    passed: list[KeptPart] = []
    others: list[ProjectResult | KeptPart] = []
    for part in parts:
        if (isinstance(part, KeptPart) and part.path in named and not part.suppressed
                and not part.regrouped()):
            passed.append(part)
        else:
            others.append(part)
    return passed, others


def _named_test(plan: ProjectPlan) -> Callable[[Path], bool]:
    """``plan.is_named``, asked once per directory rather than once per file (the paths are
    absolute and normalised: compared as strings, without a ``Path`` for each parent); not
    asked when the project's root is named (each of its files lies under it)."""
    if plan.root in plan.named:
        return _every_path
    named = {os.path.normcase(path) for path in plan.named}
    directories: dict[str, bool] = {}

    def is_named(path: Path) -> bool:
        text = str(path)
        if os.path.normcase(text) in named:
            return True
        parent = os.path.dirname(text)
        known = directories.get(parent)
        if known is None:
            known = directories[parent] = plan.is_named(path.parent)
        return known

    return is_named


def _every_path(path: Path) -> bool:
    return True


def _run_render_key(options: CheckOptions, baseline: Counter[BaselineKey] | None,
                    cwd: Path) -> str:
    """Everything besides the run key and the files that shapes the report and the exit code."""
    return repr((options.render_key, str(cwd), options.paths, options.fail_on,
                 str(options.baseline), None if baseline is None else sorted(
                     (key.sort_key(), count) for key, count in baseline.items())))


def _kept_outcome(kept: CachedReport, plans: list[ProjectPlan]) -> CheckOutcome:
    """The outcome of a run answered by a kept report."""
    stale = [(BaselineKey(path, code, subject), allowed, now)
             for path, code, subject, allowed, now in kept.baseline_stale]
    return CheckOutcome(RunResult([], kept.files, baseline_hidden=kept.baseline_hidden,
                                  baseline_stale=stale), [], kept.failed, plans=plans,
                        kept_report=kept.text)


def _add_nested_projects(plans: list[ProjectPlan], roots: list[Path]) -> None:
    """Queue the projects found under a named directory (each with its own config)."""
    known = {plan.root: plan for plan in plans}
    for root in roots:
        if root in known:
            if root not in known[root].named:
                known[root].named.append(root)
            continue
        found = find_config_in(root)
        assert found is not None
        plan = ProjectPlan(root, load_config(found), [root])
        plans.append(plan)
        known[root] = plan


@dataclass(slots=True)
class _Reading:
    """A project's files, read, with the context and the cache of their check."""

    context: Context
    salt: str
    files: list[ProjectFile]
    cache: ResultCache | None
    taken: int | None = None
    """The cache directory's clock before the files were read, for their signatures."""


def _read_project(plan: ProjectPlan, options: CheckOptions, cwd: Path,
                  nested: list[Path]) -> _Reading:
    force_exclude = plan.config.force_exclude if options.force_exclude is None else (
        options.force_exclude)
    today = options.today or plan.config.today or datetime.date.today()
    salt = os.path.relpath(plan.root, cwd)
    salt = "" if salt == "." else printable_path(salt.replace(os.sep, "/"))
    context = Context(today=today, dbt=DbtProject(plan.root, plan.config.dbt_project))
    relative = _relative_to(cwd)
    paths = [(absolute, plan.spellings.get(absolute) or relative(absolute))
             for absolute in project_files(plan, force_exclude, nested)]
    cache = ResultCache.of(plan.root, plan.config, context, salt) if options.cache else None
    kept, taken = None, None
    if cache is not None and options.render_key is not None and options.stdin is None:
        signatures = cache.signatures()
        kept = Signatures.of(signatures) if signatures is not None else None
        taken = cache.clock()
    files = read_project_files(paths, options.stdin, plan.config.limits.max_file_bytes, kept)
    return _Reading(context, salt, files, cache, taken)


def _relative_to(cwd: Path) -> Callable[[Path], str]:
    """``os.path.relpath(path, cwd)``, without its normalizing of both paths for a path under
    ``cwd`` that has no ``..`` (a run's files are absolute, found under their project)."""
    prefix = os.path.join(cwd, "")

    def relative(path: Path) -> str:
        text = str(path)
        if text.startswith(prefix) and len(text) > len(prefix) and ".." not in text:
            return text[len(prefix):]
        return os.path.relpath(path, cwd)

    return relative


def _load_and_check(plan: ProjectPlan, reading: _Reading, options: CheckOptions) -> tuple[
        Linter, list[ProjectResult | KeptPart], LoadReport]:
    """Load the project's files and check it (its findings per path: ``Linter.check_parts``);
    once more from every file's bytes if a file trusted by its signature changed during the
    run."""
    try:
        linter, report = _load_project(plan, reading, options)
        return linter, linter.check_parts(), report
    except FileChanged:
        read_trusted(reading.files, plan.config.limits.max_file_bytes)
        linter, report = _load_project(plan, reading, options)
        return linter, linter.check_parts(), report


def _load_project(plan: ProjectPlan, reading: _Reading,
                  options: CheckOptions) -> tuple[Linter, LoadReport]:
    from kpilint.engine import Linter  # neither is imported when a kept report answers
    from kpilint.incremental import load_project_files

    linter = Linter(plan.root, plan.config, reading.context, fingerprint_salt=reading.salt)
    report = load_project_files(linter, reading.files, reading.cache, options.jobs,
                                _progress if options.progress else None)
    return linter, report


def _progress(done: int, total: int) -> None:
    """A one-line progress counter on stderr (only used on a terminal, for long runs)."""
    import sys

    if total < 200:
        return
    if done % 100 == 0 or done == total - 1:
        done = total if done == total - 1 else done
        end = "\n" if done == total else ""
        sys.stderr.write(f"\rkpilint: loading {done}/{total} files{end}")
        sys.stderr.flush()


def _is_reported(diagnostic: Diagnostic, named_paths: set[str]) -> bool:
    if diagnostic.code == "X002" or diagnostic.location.path in named_paths:
        return True
    return any(related.location.path in named_paths for related in diagnostic.related)
