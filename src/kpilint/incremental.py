"""Loading a project for a check run: from the result cache, from worker processes, or in process.

:func:`load_project_files` fills a :class:`~kpilint.engine.Linter` with the project's files:

- with a cache whose last state matches every file, the linter is restored as it was (nothing is
  parsed); when some files changed, it is restored with the graph of the files as they were
  (built from the facts the state keeps; a file's summary is read only when a rule needs more),
  and the changed files are then put in, so the engine re-checks only what they reach;
- files without a summary are parsed, by ``jobs`` worker processes when there are many (each
  worker runs the file rules too and sends back a summary), else in this process.

:func:`save_to_cache` writes the summaries of the files parsed and the run's state afterwards.
Reading the files, and the report a run of the same files kept, is :mod:`kpilint.reading`'s.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpilint.build import SpecFile
from kpilint.cache import ResultCache, json_bytes
from kpilint.config import Config
from kpilint.diagnostics import Diagnostic
from kpilint.dialects import build_file
from kpilint.engine import Linter, LoadedFile
from kpilint.load import parse_bytes
from kpilint.reading import (
    FileChanged,
    ProjectFile,
    digest_files,
    read_late,
    read_project_files,
)
from kpilint.rule import Context
from kpilint.run_state import FileLine, RunState, state_payload
from kpilint.summary import (
    FileSource,
    Json,
    Places,
    SummaryError,
    SummarySpec,
    diagnostic_of,
    file_facts,
    file_places,
    file_summary,
    spec_of,
    spec_of_facts,
    suppression_of,
)
from kpilint.suppressions import Suppression

if TYPE_CHECKING:
    from concurrent.futures import Executor
    from multiprocessing.process import BaseProcess

__all__ = ["LoadReport", "ProjectFile", "load_project_files", "read_project_files",
           "save_to_cache"]

MANY_FILES = 200
"""From this many files to parse, ``--jobs`` defaults to the CPU count."""
CHUNK = 16
WORKER_CHUNKS = 4
"""A worker is started for at most every this many chunks (64 files), however many CPUs
``--jobs`` offers: its start (a fork, and the pages it then copies) takes a few milliseconds."""


@dataclass(slots=True)
class LoadReport:
    """What loading did: the files parsed (to store in the cache) and the cache used."""

    cache: ResultCache | None
    parsed: list[ProjectFile] = field(default_factory=list)
    restored: bool = False
    unchanged: bool = False
    state: RunState | None = None
    """The state the run was restored from (its unchanged lines are written back as they were)."""


def load_project_files(linter: Linter, files: list[ProjectFile], cache: ResultCache | None,
                       jobs: int | None,
                       progress: Callable[[int, int], None] | None = None,
                       models: bool = False, pool: Executor | None = None) -> LoadReport:
    """Put every file into ``linter``, from the cache where it can. With ``models`` every
    file's model and the graph are built even when nothing changed (the language server reads
    them); without, an unchanged project is answered from the cached findings alone. With a
    ``pool`` (:func:`worker_pool`) its workers and this process share the parsing."""
    report = LoadReport(cache)
    if cache is not None:
        digest_files(files)
    pending = files
    if cache is not None:
        pending = _restore(linter, files, cache, report, models)
    for each in pending:
        if each.trusted:  # its bytes are needed now: they are the truth
            read_late(each, linter.config.limits.max_file_bytes)
    _parse(linter, pending, jobs, progress, pool, cache)
    report.parsed = [each for each in pending if each.digest is not None]
    return report


def _restore(linter: Linter, files: list[ProjectFile], cache: ResultCache,
             report: LoadReport, models: bool) -> list[ProjectFile]:
    """Restore the last run where it fits; the files still to parse."""
    previous: dict[str, FileLine] = {}
    stored = cache.state()
    if stored is not None and all(each.digest is not None for each in files):
        try:
            state = RunState.parse(stored)
            previous = state.lines
            if not state.fits(linter):
                raise ValueError("the cached state is of other rules")
            if len(previous) == len(files) and not models and all(
                    _as_before(each, previous) for each in files):
                linter.resume([], state.kept()[1], {
                    each.absolute: LoadedFile(each.absolute, SpecFile(each.display, ""))
                    for each in files}, graph=False)
                report.restored = report.unchanged = True
                return []
            before = _files_before(linter, state, files, cache, lazy=not (
                models or linter.config.dialects))
            if before is not None:
                unit_findings, kept = state.kept()
                linter.resume(unit_findings, kept, before, graph=True)
                report.restored = True
                report.state = state
        except (LookupError, TypeError, ValueError, SummaryError):
            linter.reset()
            report.restored = False
            report.state = None
    pending = []
    for each in files:
        if report.restored and each.absolute in linter.files and _as_before(each, previous):
            continue
        summary = cache.summary(each.digest) if each.digest else None
        loaded = _from_summary(linter, each.absolute, summary)
        if loaded is not None:
            each.summary = summary
            linter.put(loaded)
        else:
            pending.append(each)
    if report.restored:
        now = {each.absolute for each in files}
        for absolute in [path for path in linter.files if path not in now]:
            linter.forget(absolute)
    return pending


def _as_before(file: ProjectFile, lines: dict[str, FileLine]) -> bool:
    """Whether ``file`` is as the state's ``lines`` have it (display path and digest)."""
    line = lines.get(str(file.absolute))
    return line is not None and line.digest == file.digest and line.display == file.display


def _files_before(linter: Linter, state: RunState, files: list[ProjectFile], cache: ResultCache,
                  lazy: bool) -> dict[Path, LoadedFile] | None:
    """The files of the last run as they were, from their facts (``lazy``: a summary is read
    when a rule needs it) or their summaries; None when a summary is missing."""
    current = {str(each.absolute): each for each in files}
    before: dict[Path, LoadedFile] = {}
    limits = linter.config.limits
    for absolute, line in state.lines.items():
        now = current.get(absolute)
        path = now.absolute if now is not None else Path(absolute)
        if not lazy:
            loaded = _from_summary(linter, path, cache.summary(line.digest))
            if loaded is None:
                return None
            before[path] = loaded
            continue
        same = now if now is not None and now.digest == line.digest else None
        restored = SummarisedFile(path, spec_of_facts(line.display, line.facts, Places(
            line.places), FileSource(line.display, limits, line.facts.get("dialect"),
            load=functools.partial(_summary_again, linter, cache, path, line, same))))
        if same is None and now is not None:  # a changed file: its old version, at once
            _ = restored.source.summary  # now: its file's bytes cannot make it again
        before[path] = restored
    return before


def _summary_again(linter: Linter, cache: ResultCache, absolute: Path, line: FileLine,
                   file: ProjectFile | None) -> Json:
    """The summary of a file restored from its facts; made again from the file's content when
    the cache lost it (a miss, never an error; ``SummaryError`` for an old version,
    ``FileChanged`` when a trusted file changed during the run)."""
    summary = cache.summary(line.digest)
    if isinstance(summary, dict) and len(summary.get("entities", ())) == len(
            line.facts["entities"]) and summary.get("path") == line.display:
        return summary
    if file is not None and file.trusted and not read_late(
            file, linter.config.limits.max_file_bytes):
        raise FileChanged(file.display)
    if file is None or file.content is None:
        raise SummaryError(f"{line.display}: the summary of its last version is lost")
    spec = build_file(line.display, parse_bytes(file.content, linter.config.limits),
                      linter.dialect_of(absolute))
    fresh = LoadedFile(absolute, spec)
    summary = file_summary(spec, linter.file_findings(fresh), fresh.suppression_comments())
    cache.put_summary(line.digest, summary)
    return summary


def _from_summary(linter: Linter, absolute: Path, summary: Json | None) -> LoadedFile | None:
    if summary is None:
        return None
    try:
        spec, findings, comments = spec_of(summary, linter.config.limits)
    except (LookupError, TypeError, ValueError, SummaryError):
        return None
    return LoadedFile(absolute, spec, findings, comments)


class SummarisedFile(LoadedFile):
    """A file restored from its facts: its file rules' findings and its suppression comments
    are read from its summary when first needed."""

    __slots__ = ("_findings", "_suppressions", "source")
    _findings: list[Diagnostic] | None
    _suppressions: list[Suppression] | None

    def __init__(self, absolute: Path, spec: SummarySpec) -> None:  # LoadedFile's, inline
        self.source = spec.source
        self.absolute = absolute
        self.spec = spec
        self._findings = self._suppressions = None

    @property
    def findings(self) -> list[Diagnostic] | None:
        if self._findings is None:
            self._findings = [diagnostic_of(each) for each in self.source.summary["findings"]]
        return self._findings

    @findings.setter
    def findings(self, value: list[Diagnostic] | None) -> None:
        self._findings = value

    @property
    def suppressions(self) -> list[Suppression] | None:
        if self._suppressions is None:
            self._suppressions = [suppression_of(each)
                                  for each in self.source.summary["suppressions"]]
        return self._suppressions

    @suppressions.setter
    def suppressions(self, value: list[Suppression] | None) -> None:
        self._suppressions = value


def _parse(linter: Linter, files: list[ProjectFile], jobs: int | None,
           progress: Callable[[int, int], None] | None, pool: Executor | None = None,
           cache: ResultCache | None = None) -> None:
    """Parse and build files, in worker processes when that pays (forked ones store the
    summaries they make in ``cache``)."""
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(files) >= MANY_FILES else 1
    sharing = len(files) > 1 and (pool is not None or jobs > 1)
    arrival = linter.arrival([each.absolute for each in files]) if sharing else None
    if pool is not None and sharing:
        files = _parse_sharing(pool, linter, files)
    elif sharing:
        files = _parse_with_workers(linter, files, jobs - 1, progress, cache)
    for index, each in enumerate(files):
        if progress is not None:
            progress(index, len(files))
        _parse_here(linter, each)
    if arrival is not None:  # in path order, as if this process had parsed them one by one
        linter.put_in_order(arrival)


def _parse_with_workers(linter: Linter, files: list[ProjectFile], workers: int,
                        progress: Callable[[int, int], None] | None,
                        cache: ResultCache | None) -> list[ProjectFile]:
    """Parse the files with up to ``workers`` more processes (one for each
    :data:`WORKER_CHUNKS` chunks): forked where Linux lets workers write to memory files
    (:class:`ForkedParse`), else spawned. The files still to parse."""
    workers = min(workers, len(files) // (WORKER_CHUNKS * CHUNK), _descriptors_for_workers())
    if workers < 1:
        return files
    if not hasattr(os, "memfd_create"):
        from concurrent.futures import BrokenExecutor

        try:
            with worker_pool(linter, workers, "spawn") as spawned:
                return _parse_sharing(spawned, linter, files)
        except (OSError, BrokenExecutor):  # no processes, or one died: each file here again
            return files
    try:
        forked = ForkedParse(linter, files, workers, cache)
    except OSError:  # no shared memory or file to be had here: this process alone
        return files
    return forked.run(progress)


def _descriptors_for_workers() -> int:
    """How many workers the open-files limit leaves room for: each holds three descriptors
    here (its output, its pipe, its sentinel), and the run keeps 32 for its own files."""
    try:
        import resource
    except ImportError:  # Windows: no such limit to speak of
        return 1 << 16
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return (1 << 16) if soft == resource.RLIM_INFINITY else max(0, (soft - 32) // 3)


def _parse_here(linter: Linter, each: ProjectFile) -> None:
    """Parse and build one file in this process."""
    if each.content is None:
        linter.load(each.absolute, each.display)
    else:
        linter.update(each.absolute, each.display, each.content)


def _put_summary(linter: Linter, each: ProjectFile, summary: Json, crashes: list[str]) -> bool:
    """Put a file a worker summarised into ``linter``; False if the summary did not read back."""
    loaded = _from_summary(linter, each.absolute, summary)
    if loaded is None:
        return False
    linter.crashes.extend(crashes)
    if crashes:
        each.digest = None  # a crash is reported again on the next run
    each.summary = summary
    linter.put(loaded)
    return True


def _parse_sharing(pool: Executor, linter: Linter, files: list[ProjectFile],
                   ) -> list[ProjectFile]:
    """Parse the files in chunks: the pool's workers take them from the front while this
    process takes, from the back, those no worker has started, and runs their file rules as the
    workers do (it has no summaries to write or read back). The files whose summary did not
    read back."""
    chunks = [files[start:start + CHUNK] for start in range(0, len(files), CHUNK)]
    futures = [pool.submit(_summarize_all, [(each.absolute, each.display, each.content)
                                            for each in chunk]) for chunk in chunks]
    while futures and futures[-1].cancel():
        futures.pop()
        _parse_chunk_here(linter, chunks[len(futures)])
    return [each for chunk, future in zip(chunks, futures, strict=False)
            for each, (summary, crashes) in zip(chunk, future.result(), strict=True)
            if not _put_summary(linter, each, summary, crashes)]


def _parse_chunk_here(linter: Linter, chunk: list[ProjectFile]) -> None:
    """Parse a chunk in this process and run its file rules, as a worker does."""
    for each in chunk:
        _parse_here(linter, each)
        linter.file_findings(linter.files[each.absolute])


class ForkedParse:
    """Files parsed in chunks by this process and forked workers (Linux), with no executor.

    The workers take chunks from the front and this process from the back, until they meet;
    a pair of bounds in shared memory is all they take turns on, so a worker never waits for
    this busy process to hand it work. A worker writes each chunk's summaries, pickled, to its
    own in-memory file and publishes where they are; between its own chunks this process reads
    what is published, so little is left to read when the chunks run out. A worker that cannot
    start or dies leaves its unpublished chunks to this process, which parses them again and
    reports what happens there. The turns are taken under a lock the kernel lets go of when
    its holder dies (a record lock on an in-memory file), so a killed worker blocks nobody.
    """

    def __init__(self, linter: Linter, files: list[ProjectFile], workers: int,
                 cache: ResultCache | None = None) -> None:
        import mmap

        self.linter = linter
        self.cache = cache
        """Where workers store the summaries they make (as :func:`save_to_cache` would)."""
        self.workers = workers
        self.total = len(files)
        self.chunks = [files[start:start + CHUNK] for start in range(0, len(files), CHUNK)]
        self.memory = mmap.mmap(-1, 8 * (2 + 3 * len(self.chunks)))  # shared with the forks
        self.shared = memoryview(self.memory).cast("q")
        """The next chunk from the front, the end of those left from the back, then per chunk:
        its worker's number + 1 (0 until published), the offset and size of its summaries."""
        self.shared[1] = len(self.chunks)
        self.lock = os.memfd_create("kpilint-turns")
        self.outputs: list[int] = []
        self.unread = 0
        """Chunks before this one are read, or left to this process."""
        self.left: list[ProjectFile] = []

    def run(self, progress: Callable[[int, int], None] | None) -> list[ProjectFile]:
        """Parse every file; those whose summary did not read back, still to parse."""
        workers: list[BaseProcess] = []
        try:
            self._start(workers)
            counted = 0
            while (index := self._take(from_front=False)) is not None:
                _parse_chunk_here(self.linter, self.chunks[index])
                self._store_here(self.chunks[index])
                self._read_published()
                if progress is not None:
                    taken = min(self.total, CHUNK * (
                        len(self.chunks) - self.shared[1] + self.shared[0]))
                    for done in range(counted, taken):
                        progress(done, self.total)
                    counted = taken
            for worker in workers:
                worker.join()
            self._read_published(finished=True)
        finally:
            for worker in workers:
                if worker.is_alive():  # an interrupt or a failure here: no more work
                    worker.kill()
                    worker.join()
            for handle in [*self.outputs, self.lock]:
                os.close(handle)
        return self.left

    def _start(self, workers: list[BaseProcess]) -> None:
        """Start the workers, with interrupts held back meanwhile: a worker ignores them
        before it lets them through (an interrupt is this process's to answer), and one that
        came in the meantime reaches this process once they are started."""
        import multiprocessing
        import signal

        context = multiprocessing.get_context("fork")
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for number in range(self.workers):
                self.outputs.append(os.memfd_create("kpilint-summaries"))
                worker = context.Process(target=self._work, args=(number,), daemon=True)
                worker.start()
                workers.append(worker)
        except OSError:  # no more processes or files to be had: this one parses more
            pass
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def _store_here(self, chunk: list[ProjectFile]) -> None:
        """With a cache, summarise and store a chunk parsed here at once, as the workers do,
        rather than after the check: the work is then shared with them."""
        if self.cache is None:
            return
        for each in chunk:
            loaded = self.linter.files[each.absolute]
            if each.digest is not None and not self.linter.crashes:
                assert loaded.findings is not None
                each.summary = file_summary(loaded.spec, loaded.findings,
                                            loaded.suppression_comments())
                self.cache.put_summary(each.digest, each.summary)

    @contextmanager
    def _turn(self) -> Iterator[memoryview]:
        """The shared memory, for this process alone while the block runs."""
        import fcntl

        fcntl.lockf(self.lock, fcntl.LOCK_EX)
        try:
            yield self.shared
        finally:
            fcntl.lockf(self.lock, fcntl.LOCK_UN)

    def _take(self, from_front: bool) -> int | None:
        """The index of the next chunk nobody has taken, or None."""
        with self._turn() as shared:
            front, back = shared[0], shared[1]
            if front >= back:
                return None
            if from_front:
                shared[0] = front + 1
                return int(front)
            shared[1] = back - 1
            return int(back - 1)

    def _read_published(self, finished: bool = False) -> None:
        """Put the workers' published chunks into the linter, in order; once they have
        ``finished``, a chunk taken but not published is left to this process."""
        with self._turn() as shared:  # what a worker published before its turn ended
            published = [tuple(shared[2 + 3 * index:5 + 3 * index])
                         for index in range(self.unread, shared[0])]
        for index, (worker, offset, size) in enumerate(published, self.unread):
            if not worker and not finished:
                return
            self.unread = index + 1
            chunk = self.chunks[index]
            summaries = self._summaries(worker, offset, size) if worker else None
            if summaries is None or len(summaries) != len(chunk):
                self.left.extend(chunk)
                continue
            for each, (summary, crashes) in zip(chunk, summaries, strict=True):
                if not _put_summary(self.linter, each, summary, crashes):
                    self.left.append(each)
                elif self.cache is not None and _to_store(each, crashes):
                    self.cache.written.add(str(each.digest))  # by the worker

    def _summaries(self, worker: int, offset: int, size: int) -> Any:
        """A published chunk's summaries as its worker wrote them; None if they do not read."""
        import pickle

        try:
            return pickle.loads(os.pread(self.outputs[worker - 1], size, offset))
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            return None

    def _work(self, number: int) -> None:
        """In a forked worker: summarise chunks from the front and publish each. Any failure
        ends the worker quietly (its chunks are parsed again by the parent)."""
        import pickle
        import signal

        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is the parent's
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held by _start
            _start_worker(self.linter.root, self.linter.config, self.linter.context)
            output, offset = self.outputs[number], 0
            while (index := self._take(from_front=True)) is not None:
                chunk = self.chunks[index]
                made = [_summarize((each.absolute, each.display, each.content))
                        for each in chunk]
                if self.cache is not None:
                    for each, (summary, crashes) in zip(chunk, made, strict=True):
                        if _to_store(each, crashes):
                            self.cache.put_summary(str(each.digest), summary)
                data = pickle.dumps(made, pickle.HIGHEST_PROTOCOL)
                written = 0
                while written < len(data):
                    written += os.pwrite(output, memoryview(data)[written:], offset + written)
                with self._turn() as shared:
                    place = 2 + 3 * index
                    shared[place], shared[place + 1], shared[place + 2] = (
                        number + 1, offset, len(data))
                offset += len(data)
        except BaseException:  # whatever it was, the parent meets it again
            code = 1
        os._exit(code)  # nothing of the parent's (buffered output, exit handlers) runs twice


def _to_store(file: ProjectFile, crashes: list[str]) -> bool:
    """Whether a worker stores the summary it made of ``file``: one with a digest (the cache's
    name for it) whose rules did not crash (a crash is reported again on the next run)."""
    return file.digest is not None and not crashes


def worker_pool(linter: Linter, workers: int, method: str) -> Executor:
    """``workers`` processes started by ``method`` that parse files for ``linter``, for
    :func:`load_project_files`' ``pool``. A process with threads (the language server) must not
    fork: it asks for "spawn" or "forkserver"."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                               initializer=_start_fresh_worker,
                               initargs=(linter.root, linter.config, linter.context))


_WORKER: list[Linter] = []


def _start_worker(root: Path, config: Config, context: Context) -> None:
    _WORKER[:] = [Linter(root, config, context)]


def _start_fresh_worker(root: Path, config: Config, context: Context) -> None:
    """A worker not forked from a check (which turned it off): no cyclic collector either."""
    gc.disable()
    _start_worker(root, config, context)


def _summarize_all(items: list[tuple[Path, str, bytes | None]]) -> list[tuple[Json, list[str]]]:
    """In a worker: :func:`_summarize` each file of a chunk."""
    return [_summarize(item) for item in items]


def _summarize(item: tuple[Path, str, bytes | None]) -> tuple[Json, list[str]]:
    """In a worker: parse one file, run its file rules, and summarise it."""
    absolute, display, content = item
    linter = _WORKER[0]
    if content is None:
        linter.load(absolute, display)
    else:
        linter.update(absolute, display, content)
    loaded = linter.files.pop(absolute)
    linter.changed.clear()
    findings = linter.file_findings(loaded)
    crashes = list(linter.crashes)
    linter.crashes.clear()
    return file_summary(loaded.spec, findings, loaded.suppression_comments()), crashes


def _facts_and_places(file: ProjectFile) -> tuple[Json, bytes]:
    """A parsed file's facts and its places' JSON, as the run's state keeps them."""
    return file_facts(file.summary), json_bytes(file_places(file.summary))


def save_to_cache(linter: Linter, files: list[ProjectFile],
                  report: LoadReport) -> dict[str, str] | None:
    """Store the summaries of the files parsed and the state of the run (not after a crash);
    each file's findings' token in it (``StateLines.tokens``), None when none was stored."""
    cache = report.cache
    if cache is None or report.unchanged or linter.crashes or any(
            each.digest is None for each in files):
        return None
    for each in report.parsed:
        loaded = linter.files[each.absolute]
        assert each.digest is not None and loaded.findings is not None
        if each.digest in cache.written:  # stored as it was parsed (``--jobs``)
            continue
        if each.summary is None:
            each.summary = file_summary(loaded.spec, loaded.findings,
                                        loaded.suppression_comments())
        cache.put_summary(each.digest, each.summary)
    try:
        state = state_payload(linter, files, _facts_and_places, report.state)
        delta = state.delta(report.state)
    except (TypeError, ValueError):  # a value JSON cannot hold (a lone surrogate): no state
        return None
    keep = {str(each.digest) for each in files}
    if delta is not None and report.state is not None:
        cache.put_state_delta(report.state.checksum, delta, keep)
    else:
        cache.put_state(state.whole(), keep)
    return state.tokens
