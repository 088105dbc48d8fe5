"""Reading a project's files for a check run, and the report a run of the same files kept.

This is all a run answered from the result cache does besides finding the files, so it imports
neither the engine nor the models (:mod:`kpilint.incremental` loads the files when it is not).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from kpilint.cache import CachedReport, Json, ResultCache, content_digest, files_digest


@dataclass(slots=True)
class ProjectFile:
    """A file of the run: where it is, how findings name it, and its bytes (None: unreadable)."""

    absolute: Path
    display: str
    content: bytes | None
    digest: str | None = None
    from_stdin: bool = False
    summary: Json | None = None
    """Its summary when one was made (by a worker process) or read from the cache: ready for
    the cache, and for the facts the run's state keeps of it."""


def read_project_files(paths: list[tuple[Path, str]], stdin: tuple[str, bytes] | None,
                       max_bytes: int) -> list[ProjectFile]:
    """Each file's bytes; too large or unreadable files are left to the loader's E001."""
    files = []
    for absolute, display in paths:
        if stdin is not None and display == stdin[0]:
            files.append(ProjectFile(absolute, display, stdin[1], from_stdin=True))
            continue
        files.append(ProjectFile(absolute, printable_path(display),
                                 _regular_file_bytes(absolute, max_bytes)))
    return files


def printable_path(path: str) -> str:
    """``path`` as findings name it: a byte of a file name that is not UTF-8 written ``\\xff``
    (Python decodes it as a lone surrogate, which no report, fingerprint or cache can encode)."""
    if path.isascii():
        return path
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def _regular_file_bytes(path: Path, max_bytes: int) -> bytes | None:
    """A regular file's bytes within the size limit; None leaves the file to the loader, which
    reports why (E001). A FIFO is never opened for reading, and no more than the limit is read."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode) or status.st_size > max_bytes:
                return None
            data = handle.read(max_bytes + 1)
    except OSError:
        return None
    return data if len(data) <= max_bytes else None


def digest_files(files: list[ProjectFile]) -> None:
    """Give each readable file, stdin aside, the digest that keys its summary."""
    for each in files:
        if each.digest is None and each.content is not None and not each.from_stdin:
            each.digest = content_digest(each.display, each.content)


@dataclass(frozen=True, slots=True)
class ReportSlot:
    """Where the report of a run is kept: its cache, what it is rendered with (format,
    options, working directory, baseline...), and the digest of the run's files."""

    cache: ResultCache
    render_key: str
    files: str

    @classmethod
    def of(cls, files: list[ProjectFile], cache: ResultCache | None,
           render_key: str) -> ReportSlot | None:
        """The slot of a run of ``files``; None without a cache or when a file has no
        digest (stdin, an unreadable file)."""
        if cache is None:
            return None
        digest_files(files)
        if any(each.digest is None for each in files):
            return None
        return cls(cache, render_key, files_digest(
            (str(each.absolute), each.display, str(each.digest)) for each in files))

    def kept(self) -> CachedReport | None:
        """The report a run of the same files rendered the same way kept, if any."""
        return self.cache.report(self.render_key, self.files)

    def keep(self, report: CachedReport) -> None:
        self.cache.put_report(self.render_key, self.files, report)


