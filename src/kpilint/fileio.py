"""Atomic file writes: a temporary file beside the target, then a rename; mode and owner kept."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


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
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
