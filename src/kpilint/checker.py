"""A check run: plan the projects, load their files, run the engine, keep what was named."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path

from kpilint.config import RuleSelection, check_selectors, find_config_in, load_config
from kpilint.diagnostics import Diagnostic, Severity
from kpilint.engine import Linter
from kpilint.project import ProjectPlan, plan_projects, project_files
from kpilint.report import RunResult
from kpilint.rule import Context


@dataclass(slots=True)
class CheckOptions:
    """Command-line settings that override the config."""

    paths: list[str] = field(default_factory=list)
    config_file: Path | None = None
    selection: RuleSelection = field(default_factory=RuleSelection)
    today: datetime.date | None = None
    force_exclude: bool | None = None
    fail_on: Severity | None = None
    progress: bool = False


@dataclass(slots=True)
class CheckOutcome:
    """The reported result plus what the CLI needs to choose an exit code."""

    result: RunResult
    crashes: list[str]
    failed: bool


def run_check(options: CheckOptions, cwd: Path | None = None) -> CheckOutcome:
    """Lint the named paths (or the project of the working directory)."""
    cwd = cwd or Path.cwd()
    for selectors in (options.selection.select or (), options.selection.extend_select,
                      options.selection.ignore):
        check_selectors(selectors, "command line")
    reported: list[Diagnostic] = []
    crashes: list[str] = []
    files = 0
    failed = False
    plans = plan_projects(options.paths, cwd, options.config_file)
    for plan in plans:
        plan.config.selections.append(options.selection)
        nested: list[Path] = []
        linter = _load_project(plan, options, cwd, nested)
        _add_nested_projects(plans, nested)
        diagnostics = linter.check()
        crashes.extend(linter.crashes)
        named_paths = {loaded.spec.path for loaded in linter.files.values()
                       if plan.is_named(loaded.absolute)}
        files += len(named_paths)
        shown = [diagnostic for diagnostic in diagnostics
                 if _is_reported(diagnostic, named_paths)]
        fail_on = options.fail_on or plan.config.fail_on
        failed = failed or any(diagnostic.severity >= fail_on for diagnostic in shown)
        reported.extend(shown)
    reported.sort(key=lambda diagnostic: diagnostic.sort_key)
    return CheckOutcome(RunResult(reported, files), crashes, failed)


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
                  nested: list[Path]) -> Linter:
    force_exclude = plan.config.force_exclude if options.force_exclude is None else (
        options.force_exclude)
    today = options.today or plan.config.today or datetime.date.today()
    linter = Linter(plan.root, plan.config, Context(today=today))
    paths = project_files(plan, force_exclude, nested)
    for index, absolute in enumerate(paths):
        if options.progress:
            _progress(index, len(paths))
        display = plan.spellings.get(absolute) or os.path.relpath(absolute, cwd)
        linter.load(absolute, display)
    if options.progress:
        _progress(len(paths), len(paths))
    return linter


def _progress(done: int, total: int) -> None:
    """A one-line progress counter on stderr (only used on a terminal, for long runs)."""
    import sys

    if total < 200:
        return
    if done % 100 == 0 or done == total:
        end = "\n" if done == total else ""
        sys.stderr.write(f"\rkpilint: loading {done}/{total} files{end}")
        sys.stderr.flush()


def _is_reported(diagnostic: Diagnostic, named_paths: set[str]) -> bool:
    if diagnostic.code == "X002" or diagnostic.location.path in named_paths:
        return True
    return any(related.location.path in named_paths for related in diagnostic.related)
