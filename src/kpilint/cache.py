"""The result cache (SPEC 10.9): ``.kpilint_cache/`` at the project root, or config ``cache-dir``.

Layout: ``<cache-dir>/<format>-<run key>/`` holds one summary per checked file version
(``files/<digest>.json``, see :mod:`kpilint.summary`) and ``state.json``, the engine's findings of
the last run (per project rule and unit, and per file after suppressions) with the file versions
they belong to and the facts the graph is built from (:mod:`kpilint.run_state`); a run that
changed a few files' lines of it writes them to ``state-delta.json`` beside it instead, named by
the checksum of the ``state.json`` it applies to, until the delta grows too large. The run key
(:func:`run_key`) covers everything that can change a finding besides the spec files
themselves; a spec file's summary is keyed on its content and display path.

- Nothing changed: the findings come straight from ``state.json`` (no file is parsed).
- Some files changed: the engine is restored to the last run's findings and graph (a file's
  summary is read only when a rule needs more of it than the graph's facts), and the changed
  files go through the incremental engine as in the editor.
- The rendered report is kept too (``reports/<digest of the render key>``, see
  :class:`CachedReport`): a run whose files, run key and render key match the last such run writes
  it back without restoring the engine. A run that copied most of its records from the report
  kept before writes only what changed beside it (``reports/<digest>-delta``: its header, where
  its records and parts stand, and the bytes it added), until that grows too large. Beside them,
  ``signatures.json`` keeps each file's stat signature and digest, so that an unchanged file is
  not read again (git's racy-timestamp rule applies: see :mod:`kpilint.reading`).

Every cache file starts with the CRC-32 and size of its payload and a tag naming the write: a
truncated or garbled file is a miss, never an error; so is one that is no regular file (a FIFO
is never waited on, a device never read), and none is read past the size it had when opened.
Writes go to a temporary file renamed into place, so concurrent runs never read a half-written
file; the last writer wins. The directory ignores itself (a ``.gitignore`` of ``*``).
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import os
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpilint import __version__
from kpilint.config import Config
from kpilint.dbt import PROJECT_FILE
from kpilint.fileio import new_temporary, open_regular, read_regular
from kpilint.resources import data_path
from kpilint.rule import Context

FORMAT = "8"
STATE = "state.json"
STATE_DELTA = "state-delta.json"
REPORTS = "reports"
SIGNATURES = "signatures.json"
REPORTS_KEPT = 16
"""The most reports kept (per run key): the renderings used last, e.g. by a hook that names a
different set of files on each run."""
REPORT_DELTA = "-delta"
"""The suffix of a kept report's delta (:meth:`ResultCache.put_report`)."""
DELTA_SHARE = 4
"""A report delta's bytes may grow to 1/``DELTA_SHARE`` of its base's text; past that the whole
report is written again."""
KEYS_KEPT = 8
"""Run-key directories kept side by side: a new day (without a fixed ``today``), config or rule
selection starts a new one, and the least recently written beyond these are removed."""
GITIGNORE = "# written by kpilint: the cache is never committed\n*\n"
_RUN_KEY_DIRECTORY = re.compile(r"[0-9]+-[0-9a-f]{24}")
Json = Any
Utf8 = bytes | memoryview | list[bytes | memoryview]
"""A text in UTF-8, whole or in parts to write one after the other (an 11 MB report is not joined
into one more copy)."""


def run_key(config: Config, context: Context, salt: str) -> str:
    """The digest of every input besides the spec files that can change a finding.

    Later inputs (rule packs, plugins and their versions, dbt metric files, dialect globs) are
    added here, in :func:`key_inputs`.
    """
    digest = hashlib.sha256()
    for label, content in key_inputs(config, context, salt):
        digest.update(label.encode("utf-8") + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()[:24]


def key_inputs(config: Config, context: Context, salt: str) -> Iterable[tuple[str, bytes]]:
    """(label, content) of each key input: the kpilint version, the effective today, the config
    file and the rules the command line selects, the fingerprint salt, the dialect globs, the
    lexicon files, the dbt project's `dbt_project.yml` and metric files, the rule packs and the
    installed plugins with their versions."""
    yield "version", __version__.encode()
    yield "today", context.today.isoformat().encode()
    yield "config", _read(config.path) if config.path else b""
    yield "selection", repr([(layer.select, layer.extend_select, layer.ignore)
                             for layer in config.selections]).encode()
    yield "salt", salt.encode()
    yield "dialects", repr(list(config.dialects.items())).encode()  # --dialect adds globs
    lexicons = data_path("rules", "lexicons")
    for path in sorted(lexicons.glob("*.yaml")):
        yield f"lexicon:{path.name}", _read(path)
    dbt = context.dbt
    if dbt is not None:  # E006 reads the dbt project's metric files, and names the project
        directory = dbt.directory
        yield (f"dbt-project:{dbt.shown()}", _read(directory / PROJECT_FILE)) if (
            directory is not None) else ("dbt-project", b"\0none")
        for path in dbt.metric_files():
            yield f"dbt:{path.relative_to(dbt.root).as_posix()}", _read(path)
    for path in config.rule_packs:
        yield f"rule-pack:{path}", _read(path)
    from kpilint.custom.plugins import plugin_versions

    yield "plugins", "\n".join(plugin_versions()).encode("utf-8")


def _read(path: Path) -> bytes:
    data = read_regular(path)
    return b"\0unreadable" if data is None else data


def content_digest(display: str, content: bytes) -> str:
    """The key of one file's summary: its display path (findings name it) and its bytes."""
    return hashlib.sha256(display.encode("utf-8") + b"\0" + content).hexdigest()[:32]


def json_bytes(payload: Json) -> bytes:
    """Compact UTF-8 JSON; a path with a byte that is not UTF-8 (a lone surrogate in Python) is
    written as a ``\\udcff`` escape, which reads back as the same string."""
    try:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(payload, separators=(",", ":")).encode("ascii")


@dataclass(slots=True)
class ResultCache:
    """One project's cache directory for one run key."""

    base: Path
    directory: Path
    written: set[str] = field(default_factory=set)
    """The digests whose summaries this run stored (its forked workers' included)."""
    pruned: bool = False
    made: set[Path] = field(default_factory=set)
    """The folders this run made sure of (and of the ``.gitignore`` beside them)."""
    copied_from: KeptText | None = None
    """The kept report whose records this run copies (:meth:`report_pieces`)."""

    @classmethod
    def of(cls, root: Path, config: Config, context: Context, salt: str) -> ResultCache:
        base = root / config.cache_dir
        return cls(base, base / f"{FORMAT}-{run_key(config, context, salt)}")

    def summary(self, digest: str) -> Json | None:
        return _load(self.directory / "files" / f"{digest}.json")

    def put_summary(self, digest: str, summary: Json) -> None:
        self.written.add(digest)
        self._store(self.directory / "files" / f"{digest}.json", summary)

    def _store(self, path: Path, payload: Json) -> None:
        """Write a JSON payload atomically; a cache that cannot be written is skipped."""
        try:
            data = json_bytes(payload)
        except (TypeError, ValueError):
            return
        self._store_bytes(path, data)

    def _store_bytes(self, path: Path, *parts: bytes | memoryview) -> None:
        """Write ``parts`` (one payload, not joined: a report weighs 11 MB) after the payload's
        checksum to a temporary file, then rename it into place."""
        line = checksum_line(path, *parts)
        try:
            if not self.pruned:
                self.pruned = True
                if not self.directory.exists():
                    self._prune_other_keys()
            if path.parent not in self.made:  # once per folder and run, not per file
                path.parent.mkdir(parents=True, exist_ok=True)
                ignore = self.base / ".gitignore"
                if not ignore.exists():
                    ignore.write_text(GITIGNORE, encoding="utf-8")
                self.made.add(path.parent)
            handle, temporary = new_temporary(path.parent, ".tmp-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.writelines([line, b"\n", *parts])
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return

    def _prune_other_keys(self) -> None:
        """Before a new run-key directory is made, remove the least recently written ones
        beyond :data:`KEYS_KEPT`; only in a directory kpilint's own ``.gitignore`` marks as its
        cache, and only folders named as run keys. A run still using one just misses."""
        try:
            if (self.base / ".gitignore").read_text(encoding="utf-8") != GITIGNORE:
                return
            keys = sorted(((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path)
                           for entry in os.scandir(self.base)
                           if _RUN_KEY_DIRECTORY.fullmatch(entry.name)
                           and entry.is_dir(follow_symlinks=False)), reverse=True)
        except (OSError, UnicodeDecodeError):
            return
        import shutil

        for _, stale in keys[KEYS_KEPT - 1:]:
            shutil.rmtree(stale, ignore_errors=True)

    def report(self, render_key: str, files: str) -> CachedReport | None:
        """The report kept for ``render_key`` if it was made from the same ``files`` (see
        :func:`files_digest`), else None (also when it is missing or damaged)."""
        kept = self._kept_report(render_key, files)
        if kept is None:
            return None
        fields = kept.fields
        try:
            return CachedReport(kept.report(), int(fields["count"]),
                                bool(fields["failed"]), fields["baseline_hidden"],
                                [(str(path), str(code), subject, int(allowed), int(now))
                                 for path, code, subject, allowed, now in fields["stale"]])
        except (KeyError, TypeError, ValueError):
            return None

    def report_pieces(self, render_key: str) -> tuple[Json, StoredText] | None:
        """The pieces of the report kept for ``render_key``, whatever files it was made from
        (``CachedReport.pieces``), and the text they point into; None when it is missing or
        damaged. A report that copies them can be kept as a delta of it (:meth:`put_report`)."""
        kept = self._kept_report(render_key, None)
        if kept is None:
            return None
        try:
            pieces = json.loads(kept.pieces)
        except ValueError:
            return None
        self.copied_from = kept
        return pieces, kept.text

    def _kept_report(self, render_key: str, files: str | None) -> KeptText | None:
        """The report kept for ``render_key`` (made from ``files`` unless None) with its delta,
        when both are whole and the delta was written beside that base: a delta of another
        base (a concurrent run wrote it) is a miss, as a damaged one is."""
        path = self._report_path(render_key)
        delta_path = path.with_name(path.name + REPORT_DELTA)
        delta: ReportDelta | None = None  # the headers first: the report of other files is
        written = _read_cached(delta_path)  # not read (11 MB)
        if written is not None:
            delta = ReportDelta.read(delta_path, written)
            if delta is None or not _same_rendering(delta.fields, render_key, files):
                return None
        opened = open_regular(path)
        if opened is None:
            return None
        stream, status = opened
        try:
            with stream:
                checksum, header, pieces = stream.readline(), stream.readline(), stream.readline()
                base_fields = json.loads(header)
                if not _same_rendering(base_fields, render_key, None if delta else files):
                    return None  # of another rendering, or of no pieces line
                base = stream.read(status.st_size - stream.tell())
        except (OSError, ValueError, AttributeError):
            return None
        if not (header.endswith(b"\n") and pieces.endswith(b"\n")) or not (
                checksum.endswith(b"\n") and _intact(checksum[:-1], path, header, pieces, base)):
            return None
        if delta is None:
            return KeptText(base_fields, pieces, StoredText(base), None, checksum[:-1])
        text = StoredText(base, delta.added)
        if delta.base != checksum[:-1] or not all(
                0 <= start < stop <= len(text) for start, stop in delta.layout):
            return None
        return KeptText(delta.fields, delta.pieces, text, delta.layout, checksum[:-1])

    def put_report(self, render_key: str, files: str, report: CachedReport) -> None:
        """Keep ``report`` for ``render_key`` and ``files``, replacing the one kept before: as a
        delta of the report it copied its records from (:meth:`report_pieces`) while the bytes
        the delta adds stay small beside it (:data:`DELTA_SHARE`), else whole."""
        header = json.dumps({
            "render": render_key, "files": files, "count": report.files,
            "failed": report.failed, "baseline_hidden": report.baseline_hidden,
            "stale": report.baseline_stale, "pieces": True,  # their line follows
        }, ensure_ascii=True).encode("ascii") + b"\n"
        path = self._report_path(render_key)
        delta_path = path.with_name(path.name + REPORT_DELTA)
        kept = self.copied_from
        delta = kept.delta(report) if kept is not None and kept.fields.get(
            "render") == render_key else None
        if kept is not None and delta is not None:
            pieces, layout, added = delta
            self._store_bytes(delta_path, kept.checksum + b"\n", header,
                              json_bytes(pieces) + b"\n", json_bytes(layout) + b"\n", *added)
        else:
            with contextlib.suppress(OSError):  # none, or another run removed it already
                os.unlink(delta_path)  # first: the base alone is a whole report
            text = report.text if isinstance(report.text, list) else [report.text]
            self._store_bytes(path, header, json_bytes(report.pieces) + b"\n", *text)
        self._prune_reports(path.name)

    def _prune_reports(self, name: str) -> None:
        """Keep the report ``name`` and the others written last (:data:`REPORTS_KEPT`), each
        with its delta."""
        written: dict[str, int] = {}
        try:
            for entry in os.scandir(self.directory / REPORTS):
                if not entry.name.startswith("."):
                    report = entry.name.removesuffix(REPORT_DELTA)
                    written[report] = max(written.get(report, 0), entry.stat().st_mtime_ns)
        except OSError:
            return
        written.pop(name, None)
        for stale in sorted(written, key=written.__getitem__, reverse=True)[REPORTS_KEPT - 1:]:
            for each in (stale, stale + REPORT_DELTA):
                with contextlib.suppress(OSError):  # none, or another run removed it already
                    os.unlink(self.directory / REPORTS / each)

    def _report_path(self, render_key: str) -> Path:
        name = hashlib.sha256(render_key.encode("utf-8")).hexdigest()[:24]
        return self.directory / REPORTS / name

    def clock(self) -> int | None:
        """The cache directory's file system clock now (ns), read from the time stamp of a new
        file; None when the directory cannot be written."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = new_temporary(self.directory, ".clock-")
            try:
                return os.fstat(handle).st_mtime_ns
            finally:
                os.close(handle)
                os.unlink(temporary)
        except OSError:
            return None

    def signatures(self) -> Json | None:
        """The files' stat signatures kept with the last report (see
        :mod:`kpilint.reading`), if they are there and whole."""
        return _load(self.directory / SIGNATURES)

    def put_signatures(self, signatures: Json) -> None:
        self._store(self.directory / SIGNATURES, signatures)

    def state(self) -> StoredState | None:
        """The last run's state (see :mod:`kpilint.run_state`): its base and the delta written
        beside it since, if any. None when the base is missing or damaged, or a delta is there
        that is damaged or was written beside another base (a concurrent run): a miss."""
        base = _read_cached(self.directory / STATE)
        if base is None or not _whole(self.directory / STATE, base):
            return None
        checksum = base[:base.find(b"\n")]
        delta = _read_cached(self.directory / STATE_DELTA)
        if delta is not None and not _whole(self.directory / STATE_DELTA, delta, checksum):
            return None
        return StoredState(checksum.decode("ascii"), base, delta)

    def put_state(self, state: bytes, keep: set[str]) -> None:
        """Write the run's whole state (the delta beside the last one goes); drop the summaries
        no longer named by it."""
        with contextlib.suppress(OSError):  # none, or another run removed it already
            os.unlink(self.directory / STATE_DELTA)  # first: the base alone is a whole state
        self._store_bytes(self.directory / STATE, state)
        self._drop_summaries(keep)

    def put_state_delta(self, base: str, delta: bytes, keep: set[str]) -> None:
        """Write what the run's state changed of the base whose checksum is ``base`` (see
        :mod:`kpilint.run_state`), beside it; drop the summaries no longer named."""
        self._store_bytes(self.directory / STATE_DELTA, base.encode("ascii") + b"\n", delta)
        self._drop_summaries(keep)

    def _drop_summaries(self, keep: set[str]) -> None:
        """Remove the summaries that neither ``keep`` nor this run names, and the temporary
        files a writer that was killed left behind."""
        folder = self.directory / "files"
        try:
            stale = [entry for entry in os.scandir(folder) if (
                entry.name.endswith(".json") and entry.name[:-5] not in keep
                and entry.name[:-5] not in self.written) or _left_behind(entry)]
            stale += [entry for where in (self.directory, self.directory / REPORTS)
                      if where.is_dir() for entry in os.scandir(where) if _left_behind(entry)]
        except OSError:
            return
        for entry in stale:
            with contextlib.suppress(OSError):  # another run removed it already: harmless
                os.unlink(entry.path)


LEFT_BEHIND_SECONDS = 3600
"""A temporary file older than this was left by a writer that was killed (another run's write in
progress takes a moment, and its file is not touched)."""


def _left_behind(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a temporary file of :meth:`ResultCache._store_bytes` that no writer
    will rename any more."""
    if not entry.name.startswith(".tmp-"):
        return False
    import time

    try:
        return entry.stat(follow_symlinks=False).st_mtime < time.time() - LEFT_BEHIND_SECONDS
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class StoredState:
    """A state as stored: the checksum of its base, the base's file (its first line is that
    checksum), and the file of the delta written beside that base since (its first line is
    its own checksum, its second the base's), if any."""

    checksum: str
    base: bytes
    delta: bytes | None = None


@dataclass(frozen=True, slots=True)
class CachedReport:
    """A rendered report (UTF-8) and what else the run that rendered it told: the number of
    files checked, whether a finding reached ``fail-on``, and what the baseline hid and which of its
    entries went stale (path, code, subject, count in the baseline, findings then)."""

    text: Utf8
    files: int
    failed: bool
    baseline_hidden: int | None = None
    baseline_stale: list[tuple[str, str, str | None, int, int]] = field(default_factory=list)
    pieces: Json = None
    """Where files' records are in ``text`` (:class:`kpilint.report.json_format.KeptRecords`)."""
    copies: list[tuple[int, int]] | None = None
    """Where the views among ``text``'s parts were copied from in the kept report's text
    (``KeptRecords.copies``); None when it was not copied from one."""


@dataclass(frozen=True, slots=True)
class KeptText:
    """A kept report as read: its header's fields, its pieces line (JSON, see
    ``CachedReport.pieces``), the text they point into (its base's text, then the bytes its delta
    adds), the report's layout in that text (its spans in order; None: all of it), and the base's
    checksum line."""

    fields: dict[str, Json]
    pieces: bytes
    text: StoredText
    layout: list[tuple[int, int]] | None
    checksum: bytes

    def report(self) -> Utf8:
        """The report's text, in parts (views of :attr:`text`)."""
        if self.layout is None:
            return self.text[0:len(self.text)]
        return [self.text[start:stop] for start, stop in self.layout]

    def delta(self, report: CachedReport) -> tuple[Json, list[list[int]],
                                                   list[bytes | memoryview]] | None:
        """``report`` as a delta of this text's base: its pieces and layout in the text the delta
        makes (this one, then the bytes it adds), and those bytes (first the ones this text's
        delta added: its pieces stand); None when ``report`` was not copied from this text as
        ``report.copies`` say, or when the delta would add too much (:data:`DELTA_SHARE`)."""
        if report.copies is None or not isinstance(report.text, list) or not isinstance(
                report.pieces, dict):
            return None
        added: list[bytes | memoryview] = [self.text.added]
        end = len(self.text)
        base_size = len(self.text.base)
        copies = iter(report.copies)
        layout: list[list[int]] = []
        starts: list[int] = []  # where each part starts in the report, and in the text
        places: list[int] = []
        size = 0
        for part in report.text:
            if not part:
                continue
            if isinstance(part, memoryview):  # a copied span (render_utf8's only views)
                place, stop = next(copies, (0, 0))
                if stop - place != len(part):
                    return None
            else:
                place, end = end, end + len(part)
                added.append(part)
            if layout and layout[-1][1] == place:
                layout[-1][1] += len(part)
            else:
                layout.append([place, place + len(part)])
            starts.append(size)
            places.append(place)
            size += len(part)
        if next(copies, None) is not None or end - base_size > base_size // DELTA_SHARE:
            return None
        pieces: dict[str, Json] = {}
        for path, (first, last, token) in report.pieces.items():
            index = bisect.bisect_right(starts, first) - 1
            if index < 0 or last > (starts[index + 1] if index + 1 < len(starts) else size):
                return None  # (a path's records stand in one part)
            shift = places[index] - starts[index]
            pieces[path] = [first + shift, last + shift, token]
        return pieces, layout, added


class StoredText:
    """A kept report's text: its base's text, then the bytes its delta adds (if any), addressed
    as one text (views of either: the base's 11 MB are neither joined nor copied)."""

    __slots__ = ("_views", "added", "base")

    def __init__(self, base: bytes, added: bytes = b"") -> None:
        self.base = base
        self.added = added
        self._views = (memoryview(base), memoryview(added))

    def __len__(self) -> int:
        return len(self.base) + len(self.added)

    def __getitem__(self, where: slice) -> memoryview:
        """The bytes from ``where.start`` to ``where.stop`` (a view, unless they straddle both)."""
        start, stop, size = where.start, where.stop, len(self.base)
        base, added = self._views
        if stop <= size:
            return base[start:stop]
        if start >= size:
            return added[start - size:stop - size]
        return memoryview(self.base[start:] + self.added[:stop - size])

    def is_utf8(self) -> bool:
        """Whether the text is UTF-8: each part on its own (each was written as whole texts)."""
        for part in (self.base, self.added):
            if not part.isascii():  # (ASCII is UTF-8: a quick test)
                try:
                    part.decode("utf-8")
                except UnicodeDecodeError:
                    return False
        return True


@dataclass(frozen=True, slots=True)
class ReportDelta:
    """A kept report's delta as read: the checksum line of the base it was written beside, its
    header's fields, its pieces line, the report's layout, and the bytes it adds to the base's
    text. Its file holds them in that order, a line each, after its own checksum line."""

    base: bytes
    fields: dict[str, Json]
    pieces: bytes
    layout: list[tuple[int, int]]
    added: bytes

    @classmethod
    def read(cls, path: Path, data: bytes) -> ReportDelta | None:
        """The delta in the file ``path`` (``data``); None when it is damaged."""
        if not _whole(path, data):
            return None
        ends: list[int] = []
        for _ in range(5):
            ends.append(data.find(b"\n", ends[-1] + 1 if ends else 0))
            if ends[-1] < 0:
                return None
        try:
            fields = json.loads(data[ends[1] + 1:ends[2]])
            layout = [(int(start), int(stop)) for start, stop in json.loads(
                data[ends[3] + 1:ends[4]])]
        except (ValueError, TypeError):
            return None
        if not isinstance(fields, dict):
            return None
        return cls(data[ends[0] + 1:ends[1]], fields, data[ends[2] + 1:ends[3] + 1], layout,
                   data[ends[4] + 1:])


def _same_rendering(fields: Json, render_key: str, files: str | None) -> bool:
    """Whether a kept report's header ``fields`` are of ``render_key`` (and ``files`` unless
    None), with their pieces line."""
    return isinstance(fields, dict) and fields.get("render") == render_key and fields.get(
        "pieces") is True and (files is None or fields.get("files") == files)


def files_digest(files: Iterable[tuple[str, str, str]]) -> str:
    """One digest of a run's files: each one's absolute path, display path and content digest."""
    lines = "".join([f"{absolute}\0{display}\0{content}\n" for absolute, display, content in files])
    return hashlib.sha256(lines.encode("utf-8", "surrogateescape")).hexdigest()


def _read_cached(path: Path) -> bytes | None:
    """A cache file's bytes, not yet checked; None when it cannot be read or is no regular
    file (a FIFO or a device there must not hang the run)."""
    return read_regular(path)


def _read_unchecked(path: Path) -> tuple[bytes, bytes] | None:
    """A cache file's checksum and payload, not yet compared; None when it cannot be read."""
    data = _read_cached(path)
    if data is None:
        return None
    digest, _, payload = data.partition(b"\n")
    return digest, payload


def _whole(path: Path, data: bytes, second: bytes | None = None) -> bool:
    """Whether the checksum of the cache file ``path`` (``data``) matches its payload (not
    copied out of it, which a state's 11 MB would cost), and its second line is ``second`` if
    given."""
    first = data.find(b"\n")
    if second is not None and data[first + 1:first + 2 + len(second)] != second + b"\n":
        return False
    return first > 0 and _intact(data[:first], path, memoryview(data)[first + 1:])


def checksum_line(path: Path, *parts: bytes | memoryview) -> bytes:
    """The first line of the cache file ``path`` whose payload is ``parts`` joined: the CRC-32
    of its place in the cache (:func:`_place`) and payload, and the payload's size, which tell a
    truncated, garbled or misplaced file from a whole one, then a random tag, which tells this
    write from any other (a delta names its base by this line)."""
    return _crc_and_size(path, parts) + b"-" + os.urandom(8).hex().encode("ascii")


def _place(path: Path) -> bytes:
    """Where a cache file stands from its run-key directory on (``<key>/files/<digest>.json``):
    a file copied or swapped to another place fails its checksum, the cache folder may move."""
    parts = path.parts
    start = next((index for index in range(len(parts) - 1, -1, -1)
                  if _RUN_KEY_DIRECTORY.fullmatch(parts[index])), 0)
    return "/".join(parts[start:]).encode("utf-8", "surrogateescape") + b"\0"


def _crc_and_size(path: Path, parts: tuple[bytes | memoryview, ...]) -> bytes:
    crc = zlib.crc32(_place(path))
    for part in parts:
        crc = zlib.crc32(part, crc)
    return f"{crc:08x}-{sum(map(len, parts)):x}".encode("ascii")


def _intact(line: bytes, path: Path, *parts: bytes | memoryview) -> bool:
    """Whether ``line`` (see :func:`checksum_line`) fits the cache file ``path`` whose payload
    is ``parts`` joined."""
    return line.rpartition(b"-")[0] == _crc_and_size(path, parts)


def _load_bytes(path: Path) -> bytes | None:
    """A cache file's payload, or None when it is missing or its checksum does not match."""
    read = _read_unchecked(path)
    return read[1] if read is not None and _intact(read[0], path, read[1]) else None


def _load(path: Path) -> Json | None:
    """A cache file's JSON payload, or None when it is missing or damaged."""
    payload = _load_bytes(path)
    if payload is None:
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return None
