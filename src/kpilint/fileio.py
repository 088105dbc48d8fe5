"""Atomic file writes: a temporary file beside the target, then a rename; mode and owner kept.
Reads of regular files only, that never wait on a FIFO nor run on past a file's size."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

_NEW_FILE = (os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
             | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0))


def new_temporary(directory: Path, prefix: str, suffix: str = "") -> tuple[int, str]:
    """A new file in ``directory``, readable and writable by its owner only, named ``prefix``,
    12 random hex digits and ``suffix``: its descriptor and absolute path.

    What ``tempfile.mkstemp`` does (the file is made, never opened when it exists, a link
    never followed; another name is tried on a clash), without importing tempfile with shutil,
    bz2 and lzma (2 ms of every run that writes the cache).
    """
    folder = os.path.abspath(directory)
    for _ in range(100):
        path = os.path.join(folder, f"{prefix}{os.urandom(6).hex()}{suffix}")
        try:
            return os.open(path, _NEW_FILE, 0o600), path
        except FileExistsError:
            continue
        except PermissionError:  # Windows: a name being deleted; mkstemp tries another too
            if os.name == "nt" and os.path.isdir(folder):
                continue
            raise
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", folder)


def write_atomically(path: Path, data: bytes | memoryview,
                     like: os.stat_result | None = None) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never half.

    The new file takes the mode and owner of ``like`` (the file it replaces), else those of the
    regular file now at ``path``, else the umask's default. A symbolic link at ``path`` is
    replaced by the new file, never followed: whatever it pointed to stays untouched.
    """
    if like is None:
        try:
            existing = path.lstat()
        except FileNotFoundError:
            existing = None
        like = existing if existing is not None and stat.S_ISREG(existing.st_mode) else None
    handle, temporary = new_temporary(path.parent, f".{path.name}.", ".tmp")
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(data)
            output.flush()
            if like is not None:
                if (like.st_uid, like.st_gid) != (os.geteuid(), os.getegid()):
                    os.fchown(output.fileno(), like.st_uid, like.st_gid)
                os.fchmod(output.fileno(), stat.S_IMODE(like.st_mode))
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(output.fileno(), 0o666 & ~umask)
            os.fsync(output.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename durable (best effort: some file systems cannot sync a directory)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def open_regular(path: Path, buffering: int = -1) -> tuple[BinaryIO, os.stat_result] | None:
    """``path`` open for reading, with its status, when it is a regular file (a link followed),
    else None: neither a FIFO (which would wait for a writer), a device nor a directory is
    opened, and one swapped in since the first look is not read."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                         | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        status = os.fstat(handle)
        if stat.S_ISREG(status.st_mode):
            return open(handle, "rb", buffering=buffering), status
    except OSError:
        pass
    os.close(handle)
    return None


def read_regular(path: Path) -> bytes | None:
    """The bytes of the regular file ``path``, no more than its size when it was opened; None
    when it is no regular file or cannot be read."""
    opened = open_regular(path)
    if opened is None:
        return None
    stream, status = opened
    with stream:
        try:
            return stream.read(status.st_size)
        except OSError:
            return None
