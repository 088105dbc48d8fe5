"""Projects and documents: one :class:`Project` per root (SPEC §3) keeps one incremental
:class:`~kpilint.engine.Linter`, shared by the diagnostics and the navigation features."""


from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import gc
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from lsprotocol import types

from kpilint.build import SpecFile
from kpilint.cache import ResultCache
from kpilint.config import Config, RuleSelection
from kpilint.dbt import DbtProject
from kpilint.diagnostics import Diagnostic
from kpilint.engine import Linter, ProjectResult
from kpilint.graph import ProjectGraph
from kpilint.project import FileFilter, ProjectPlan, project_files
from kpilint.rule import Context

if TYPE_CHECKING:
    pass

logger = logging.getLogger("kpilint.server")

# --- projects -----------------------------------------------------------------------------------

START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
"""How load workers start: the server has threads, and a forked copy of a threaded process can
deadlock on a lock another thread held."""

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
        self.graph_lock = threading.Lock()
        """Held while a run updates the graph, and by requests that read it."""
        self.specs: dict[Path, SpecFile] = {}
        self.spec_paths: dict[str, Path] = {}

    def graph(self) -> ProjectGraph:
        """The graph the rules checked last (hold :attr:`graph_lock` while reading it)."""
        graph = self.linter.graph if self.linter is not None else None
        return graph if graph is not None else ProjectGraph()

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
        with self.graph_lock:
            if not full and self.linter is not None:
                return self._lint(changes, full)
            with _frozen_after():
                return self._lint(changes, full)

    def _bulk_load(self, linter: Linter, paths: dict[Path, str]) -> list[Path]:
        """Load many files from disk as ``kpilint check`` does: where the result cache of a
        check of the root knows a file, from its summary, with that check's findings (so only
        what changed since is checked again); the others parsed. The paths left to load one by
        one: all of them when this failed. ``paths``: each file's display path."""
        if not paths:
            return []
        assert self.config is not None
        from kpilint.incremental import (
            MANY_FILES,
            load_project_files,
            read_project_files,
            worker_pool,
        )

        files = read_project_files(list(paths.items()), None,
                                   self.config.limits.max_file_bytes)
        # The cache of a plain `kpilint check` in the root: no rules chosen on its command line.
        as_checked = dataclasses.replace(
            self.config, selections=[*self.config.selections, RuleSelection()])
        # This process parses too, so one worker fewer than cores keeps each core busy.
        workers = (os.cpu_count() or 1) - 1 if len(paths) >= MANY_FILES else 0
        pool = None
        try:
            pool = worker_pool(linter, workers, START_METHOD) if workers > 0 else None
        except OSError:  # no processes to be had here (a sandbox): this one parses alone
            logger.exception("starting %d worker process(es) failed", workers)
        try:
            load_project_files(linter, files, ResultCache.of(
                self.root, as_checked, linter.context, linter.fingerprint_salt), 1,
                models=True, pool=pool)
        except Exception:  # a loader bug: each file again, to report it on its own
            logger.exception("loading the project in one go failed; loading file by file")
            linter.reset()
            return list(paths)
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        return []

    def _track_specs(self, linter: Linter, changes: dict[Path, Change], full: bool) -> None:
        """Keep :attr:`specs` and :attr:`spec_paths` as the linter's files stand, touching only
        the changed files (a snapshot copies them whole, which costs far less than rebuilding)."""
        if full:
            self.specs = {path: loaded.spec for path, loaded in linter.files.items()}
            self.spec_paths = {spec.path: path for path, spec in self.specs.items()}
            return
        for absolute in changes:
            old = self.specs.pop(absolute, None)
            if old is not None and self.spec_paths.get(old.path) == absolute:
                del self.spec_paths[old.path]
            loaded = linter.files.get(absolute)
            if loaded is not None:
                self.specs[absolute] = loaded.spec
                self.spec_paths[loaded.spec.path] = absolute

    def _lint(self, changes: dict[Path, Change], full: bool) -> RunReport:
        assert self.config is not None
        started = time.perf_counter()
        fresh = full or self.linter is None
        if fresh:
            if self.discover:
                _start_fork_server()
            today = self.config.today or datetime.date.today()
            context = Context(today=today, dbt=DbtProject(self.root, self.config.dbt_project))
            self.linter = Linter(self.root, self.config, context)
            discovered = project_files(ProjectPlan(self.root, self.config),
                                       self.config.force_exclude) if self.discover else []
            self.failures.clear()
            on_disk = {path: self.display(path) for path in discovered if path not in changes}
            left = self._bulk_load(self.linter, on_disk)
            failed = set(left)
            from_disk = [display for path, display in on_disk.items() if path not in failed]
            changes = {**dict.fromkeys(left, DISK), **changes}
        else:
            from_disk = []
        linter = self.linter
        assert linter is not None
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
        self._track_specs(linter, changes, fresh)
        file_rules_run = [loaded.spec.path for loaded in linter.files.values()
                          if loaded.findings is None]
        result = linter.check()
        crashes = list(linter.crashes)
        linter.crashes.clear()
        snapshot = Snapshot(result, dict(self.specs), dict(self.spec_paths), dict(self.failures))
        return RunReport(snapshot, from_disk, from_buffer, file_rules_run,
                         time.perf_counter() - started, crashes)


def _start_fork_server() -> None:
    """Start the process that forks load workers (with kpilint imported) now, while the project
    is being discovered, rather than when its files are handed out."""
    if START_METHOD == "forkserver" and (os.cpu_count() or 1) > 1:
        from multiprocessing import forkserver

        multiprocessing.set_forkserver_preload(["kpilint.incremental"])
        try:
            forkserver.ensure_running()  # undocumented; a pool starts it only when it forks
        except OSError:  # a pool cannot start either: the load parses in this process
            logger.exception("starting the fork server failed")


@contextlib.contextmanager
def _frozen_after() -> Iterator[None]:
    """Load a project with the cyclic garbage collector off, then freeze what was made.

    The files read live as long as the session and hold no reference cycles: the collector
    would only walk them again and again while they load (a third of the load time of 2,000
    files) and at every full collection afterwards (one took as long as a re-check). What a
    previous load left behind is collected first, while that is cheap, so it is not frozen too.
    """
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


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
