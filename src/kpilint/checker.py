"""A check run: plan the projects, load their files, run the engine, keep what was named."""

from __future__ import annotations

import datetime
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kpilint.baseline import apply_baseline, read_baseline
from kpilint.cache import ResultCache
from kpilint.config import (
    RuleSelection,
    check_dialect,
    check_selectors,
    find_config_in,
    load_config,
)
from kpilint.dbt import DbtProject
from kpilint.diagnostics import Diagnostic, Severity
from kpilint.engine import Linter
from kpilint.incremental import (
    LoadReport,
    ProjectFile,
    load_project_files,
    read_project_files,
    save_to_cache,
)
from kpilint.project import ProjectPlan, plan_projects, project_files
from kpilint.report import RunResult
from kpilint.rule import Context
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
    linters: list[Linter] = []
    named_files: set[str] = set()
    files = 0
    force_excluded = 0
    for plan in plans:
        plan.config.selections.append(options.selection)
        if options.dialect is not None:
            plan.read_named_in(options.dialect)
        nested: list[Path] = []
        named_before = len(plan.named)
        linter, read, report = _load_project(plan, options, cwd, nested)
        force_excluded += named_before - len(plan.named)
        linters.append(linter)
        _add_nested_projects(plans, nested)
        project_result = linter.check()
        save_to_cache(linter, read, report)
        crashes.extend(linter.crashes)
        named = {loaded.spec.path: loaded for loaded in linter.files.values()
                 if plan.is_named(loaded.absolute)}
        named_files.update(os.path.relpath(path, plan.root).replace(os.sep, "/")
                           for path in plan.named)
        files += len(named)
        named_paths = set(named)  # once, not per finding: 5,000 files x 40,000 findings
        for diagnostic in project_result.diagnostics:
            if _is_reported(diagnostic, named_paths):
                shown.append(diagnostic)
                fail_on[id(diagnostic)] = options.fail_on or plan.config.fail_on
        suppressed.extend(pair for pair in project_result.suppressed
                          if pair[0].location.path in named)
    outcome = apply_baseline(shown, baseline or Counter(), named_files)
    failed = any(diagnostic.severity >= fail_on[id(diagnostic)]
                 for diagnostic in outcome.reported)
    suppressed.sort(key=lambda pair: pair[0].sort_key)
    result = RunResult(outcome.reported, files, suppressed,
                       outcome.hidden if baseline is not None else None, outcome.stale)
    left_out_all = force_excluded > 0 and not any(plan.named for plan in plans)
    return CheckOutcome(result, crashes, failed, linters, force_excluded_all=left_out_all,
                        plans=plans)


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


def _load_project(plan: ProjectPlan, options: CheckOptions, cwd: Path,
                  nested: list[Path]) -> tuple[Linter, list[ProjectFile], LoadReport]:
    force_exclude = plan.config.force_exclude if options.force_exclude is None else (
        options.force_exclude)
    today = options.today or plan.config.today or datetime.date.today()
    salt = os.path.relpath(plan.root, cwd)
    salt = "" if salt == "." else salt.replace(os.sep, "/")
    context = Context(today=today, dbt=DbtProject(plan.root, plan.config.dbt_project))
    linter = Linter(plan.root, plan.config, context, fingerprint_salt=salt)
    paths = [(absolute, plan.spellings.get(absolute) or os.path.relpath(absolute, cwd))
             for absolute in project_files(plan, force_exclude, nested)]
    files = read_project_files(paths, options.stdin, plan.config.limits.max_file_bytes)
    cache = ResultCache.of(plan.root, plan.config, context, salt) if options.cache else None
    report = load_project_files(linter, files, cache, options.jobs,
                                _progress if options.progress else None)
    return linter, files, report


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
