"""Reading a project's files for a check run, and the report a run of the same files kept.

This is all a run answered from the result cache does besides finding the files, so it imports
neither the engine nor the models (:mod:`kpilint.incremental` loads the files when it is not).

Stat signatures: a run that keeps its report keeps, beside it, each file's signature (``st_mtime_ns,
st_size, st_ino, st_ctime_ns`` of the file it read) and content digest, with the moment they were
taken (the cache directory's clock before the first file was read). The next run trusts the
digest of a file whose signature is the same, as git trusts its index, without reading it; a
file whose time stamp is not older than that moment is "racily clean" (it may have changed again
within the same clock tick) and is always read. Whenever a file is read, its digest is the
truth. A trusted file is read only when its bytes are needed (it is parsed, or its lost summary
made again): if they are no longer those of its digest, it changed during the run
(:class:`FileChanged`).

The signatures are written again only when the ones kept would have the next run read more
than a few files (:data:`STALE_SHARE`): after one edit, the next run reads that file again rather
than this run rewriting every file's signature. A kept signature stays true of its file: one
whose file changed since differs from it.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kpilint.cache import CachedReport, Json, ResultCache, content_digest, files_digest
from kpilint.fileio import open_regular

Signature = tuple[int, int, int, int]
"""``st_mtime_ns, st_size, st_ino, st_ctime_ns``."""
STALE_SHARE = 64
"""The signatures are written again once the next run would read more than this share (1/64)
of the files for want of them (for a file that was read: reading it again costs about what
writing a dozen signatures does)."""


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
    signature: Signature | None = None
    """The stat signature of the file read or trusted (None: unreadable, or from stdin)."""
    trusted: bool = False
    """Not read: its signature matched the one kept, and so is its digest (``content`` None
    until :func:`read_late`)."""


@dataclass(slots=True)
class Signatures:
    """The signatures and digests of a run's files (by absolute path), and when they were
    taken: the cache directory's clock before the first file was read."""

    taken: int
    files: dict[str, tuple[str, Signature, str]]  # absolute: display, signature, digest

    @classmethod
    def of(cls, kept: Json) -> Signatures | None:
        """The signatures as :meth:`to_json` wrote them; None if they are not that shape."""
        try:
            return cls(int(kept["taken"]), {
                str(absolute): (str(display), (int(mtime), int(size), int(inode), int(ctime)),
                                str(digest))
                for absolute, display, mtime, size, inode, ctime, digest in kept["files"]})
        except (KeyError, TypeError, ValueError):
            return None

    def to_json(self) -> Json:
        return {"taken": self.taken, "files": [
            [absolute, display, *signature, digest]
            for absolute, (display, signature, digest) in self.files.items()]}

    def unchanged(self, absolute: Path, display: str) -> tuple[Signature, str] | None:
        """The kept signature and digest of a file that has not changed since, by its
        signature; None when the file must be read (changed, new, not a regular file, or
        racily clean)."""
        kept = self.files.get(str(absolute))
        if kept is None or kept[0] != display:
            return None
        try:
            status = os.stat(absolute)
        except OSError:
            return None
        if (not stat.S_ISREG(status.st_mode) or status.st_mtime_ns >= self.taken
                or _signature(status) != kept[1]):
            return None
        return kept[1], kept[2]


def _signature(status: os.stat_result) -> Signature:
    return status.st_mtime_ns, status.st_size, status.st_ino, status.st_ctime_ns


def read_project_files(paths: list[tuple[Path, str]], stdin: tuple[str, bytes] | None,
                       max_bytes: int, kept: Signatures | None = None) -> list[ProjectFile]:
    """Each file's bytes; too large or unreadable files are left to the loader's E001. With
    ``kept`` signatures, a file whose signature matches is not read (see :func:`read_trusted`)."""
    files = []
    for absolute, display in paths:
        if stdin is not None and display == stdin[0]:
            files.append(ProjectFile(absolute, display, stdin[1], from_stdin=True))
            continue
        display = printable_path(display)
        unchanged = kept.unchanged(absolute, display) if kept is not None else None
        if unchanged is not None:
            files.append(ProjectFile(absolute, display, None, unchanged[1],
                                     signature=unchanged[0], trusted=True))
            continue
        content, signature = _regular_file_bytes(absolute, max_bytes)
        files.append(ProjectFile(absolute, display, content, signature=signature))
    return files


def read_trusted(files: list[ProjectFile], max_bytes: int) -> None:
    """Read the files whose kept digest was trusted: their bytes and digest are the truth."""
    for each in files:
        if each.trusted:
            each.content, each.signature = _regular_file_bytes(each.absolute, max_bytes)
            each.digest, each.trusted = None, False


class FileChanged(BaseException):
    """A trusted file's bytes were needed after all, and they are not the ones its signature
    vouched for: it changed during the run, which starts again from every file's bytes. Not an
    ``Exception``: it must pass the rules' handlers (where an error becomes X002)."""


def read_late(each: ProjectFile, max_bytes: int) -> bool:
    """Read a trusted file whose bytes are needed after all (see :func:`read_trusted`);
    whether its digest is still the one trusted."""
    trusted = each.digest
    read_trusted([each], max_bytes)
    digest_files([each])
    return each.digest == trusted


ESCAPE = "\\"


def printable_path(path: str) -> str:
    """``path`` as findings name it: a byte of a file name that is not UTF-8 written ``\\xff``
    (Python decodes it as a lone surrogate, which no report, fingerprint or cache can encode).
    Where a backslash is an ordinary file-name character (POSIX), it is written ``\\\\``, so
    that two files never share a spelling."""
    if path.isascii() and (ESCAPE not in path or os.sep == ESCAPE):
        return path
    if os.sep != ESCAPE:
        path = path.replace(ESCAPE, ESCAPE * 2)
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def file_name_bytes(printable: str) -> bytes:
    """The bytes of the path :func:`printable_path` spelled ``printable`` (its inverse), for
    formats that must name the file itself, such as a URI."""
    if ESCAPE not in printable or os.sep == ESCAPE:
        return os.fsencode(printable)
    return re.sub(rb"\\(\\|x([0-9a-f]{2}))", _unescaped, printable.encode("utf-8"))


def _unescaped(escape: re.Match[bytes]) -> bytes:
    return bytes([int(escape[2], 16)]) if escape[2] else b"\\"


def _regular_file_bytes(path: Path, max_bytes: int) -> tuple[bytes | None, Signature | None]:
    """A regular file's bytes within the size limit, and its signature before they were read;
    None leaves the file to the loader, which reports why (E001). A FIFO is never opened for
    reading, and no more than the limit is read.

    One unbuffered read of the size ``fstat`` gave, and one byte more, reads a file that did not
    change: asking for the limit instead (10 MiB) had every read allocate that much."""
    opened = open_regular(path, buffering=0)
    if opened is None:
        return None, None
    handle, status = opened
    try:
        with handle:
            if status.st_size > max_bytes:
                return None, None
            data = handle.read(status.st_size + 1)
            if len(data) != status.st_size:  # it grew or shrank since, or a short read
                data += _rest(handle, max_bytes + 1 - len(data))
    except OSError:
        return None, None
    return (data, _signature(status)) if len(data) <= max_bytes else (None, None)


def _rest(handle: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` more bytes of an open file, to its end."""
    parts = []
    while limit > 0:
        part = handle.read(limit)
        if not part:
            break
        parts.append(part)
        limit -= len(part)
    return b"".join(parts)


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
    read: list[ProjectFile]
    taken: int | None
    """The cache directory's clock before the files were read (None: unknown)."""

    @classmethod
    def of(cls, files: list[ProjectFile], cache: ResultCache | None, render_key: str,
           taken: int | None) -> ReportSlot | None:
        """The slot of a run of ``files``; None without a cache or when a file has no
        digest (stdin, an unreadable file)."""
        if cache is None:
            return None
        digest_files(files)
        if any(each.digest is None for each in files):
            return None
        return cls(cache, render_key, files_digest(
            (str(each.absolute), each.display, str(each.digest)) for each in files),
            files, taken)

    def kept(self) -> CachedReport | None:
        """The report a run of the same files rendered the same way kept, if any."""
        return self.cache.report(self.render_key, self.files)

    def keep(self, report: CachedReport) -> None:
        """Keep the report, and the signatures of the files it was made from when the ones kept
        are stale (:meth:`refresh_signatures`)."""
        self.cache.put_report(self.render_key, self.files, report)
        self.refresh_signatures()

    def keep_signatures(self) -> None:
        """Keep the files' signatures with the moment they were taken (when all are known)."""
        if self.taken is None:
            return
        signatures = {}
        for each in self.read:
            if each.signature is None or each.digest is None:
                return
            signatures[str(each.absolute)] = (each.display, each.signature, each.digest)
        self.cache.put_signatures(Signatures(self.taken, signatures).to_json())

    def refresh_signatures(self) -> None:
        """Keep the signatures again if more than 1/:data:`STALE_SHARE` of the files were read
        whose signature the next run could trust (none kept, changed, or racily clean then)."""
        if self.taken is not None and sum(
                not each.trusted and each.signature is not None
                and each.signature[0] < self.taken for each in self.read
        ) > len(self.read) // STALE_SHARE:
            self.keep_signatures()


