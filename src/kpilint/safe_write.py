"""Rewriting users' spec files safely (``--add-suppressions`` now, ``check --fix`` next).

One rewrite is a locked read-modify-write of one file:

- the file is resolved through symbolic links and written where its data lives, but only inside
  the project root; a file with several hard links, or that is not a regular file, is refused
  (replacing it would split the links; writing into it in place could leave half a file);
- an exclusive ``fcntl`` lock is held from the read to the rename, and the file must still hold
  the text kpilint linted (another run or an editor may have changed it: then it is refused,
  and a rerun sees the new text);
- the caller's ``transform`` computes the new bytes and checks them (it raises
  :class:`WriteRefused` to leave the file alone);
- the new bytes go to a temporary file in the same directory, with the old mode and owner, and
  are renamed over the old file, so a reader sees the old or the new file, never half.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from kpilint.fileio import write_atomically
from kpilint.load import UTF8_BOM

ATTEMPTS = 5  # how often to reopen a file another writer replaced while we waited for its lock


class WriteRefused(Exception):
    """A file kpilint will not change; the message says why, in a few words."""


def decoded(data: bytes) -> str | None:
    """The text the loader reads from ``data`` (UTF-8, without a BOM); None if not UTF-8."""
    try:
        return data.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError:
        return None


def rewrite_file(path: Path, root: Path, linted_text: str,
                 transform: Callable[[bytes], bytes]) -> bool:
    """Replace the bytes of ``path`` with ``transform(bytes)``; whether the file changed.

    ``linted_text`` is the text the findings were computed from: if the file no longer holds it,
    nothing is written. Raises :class:`WriteRefused` when the file is left alone.
    """
    target = _target_inside(path, root)
    for _ in range(ATTEMPTS):
        try:
            descriptor = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as error:
            raise WriteRefused(f"cannot open it: {error.strerror or error}") from None
        try:
            info = os.fstat(descriptor)
            _check_kind(info)
            _lock(descriptor)
            if not _same_file(info, target):
                continue  # another run renamed a new file into place: read that one
            # more bytes than the linted text can take means it changed: no need to read them
            most = len(linted_text.encode("utf-8")) + len(UTF8_BOM) + 1
            current = _read_at_most(descriptor, most)
            if decoded(current) != linted_text:
                raise WriteRefused("it changed while kpilint ran; run kpilint again")
            updated = transform(current)
            if updated == current:
                return False
            try:
                write_atomically(target, updated, like=info)
            except OSError as error:
                raise WriteRefused(f"cannot write it: {error.strerror or error}") from None
            return True
        finally:
            os.close(descriptor)  # releases the lock
    raise WriteRefused("other programs kept replacing it; run kpilint again")


def _target_inside(path: Path, root: Path) -> Path:
    """Where ``path``'s data lives, if that is inside the project root."""
    target = Path(os.path.realpath(path))
    real_root = Path(os.path.realpath(root))
    if not target.is_relative_to(real_root):
        raise WriteRefused(f"it resolves to {target}, outside the project root {real_root}")
    return target


def _check_kind(info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise WriteRefused("it is not a regular file")
    if info.st_nlink > 1:
        raise WriteRefused(f"it has {info.st_nlink} hard links, which a rewrite would split;"
                           " edit it by hand")


def _lock(descriptor: int) -> None:
    try:
        import fcntl
    except ImportError:  # no fcntl (Windows): the changed-text check still guards the write
        return
    fcntl.flock(descriptor, fcntl.LOCK_EX)


def _same_file(info: os.stat_result, target: Path) -> bool:
    try:
        now = os.stat(target, follow_symlinks=False)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino)


def _read_at_most(descriptor: int, limit: int) -> bytes:
    chunks = []
    while limit > 0 and (chunk := os.read(descriptor, min(limit, 1 << 20))):
        chunks.append(chunk)
        limit -= len(chunk)
    return b"".join(chunks)


def write_new_files(contents: dict[Path, str], directory: Path, command: str) -> list[Path]:
    """Create every file of ``contents``, all or nothing, never overwriting one (``init``,
    ``convert``). Raises :class:`WriteRefused` naming what exists or what could not be written.
    """
    existing = [path for path in contents if os.path.lexists(path)]  # a dangling link too
    if existing:
        *others, last = [path.name for path in existing]
        names = f"{', '.join(others)} and {last}" if others else last
        raise WriteRefused(f"{names} already exist{'s' if len(existing) == 1 else ''} in"
                           f" {directory}; kpilint {command} never overwrites files")
    written: list[Path] = []
    try:
        for path, text in contents.items():
            with open(path, "x", encoding="utf-8") as handle:
                written.append(path)
                handle.write(text)
    except OSError as error:  # all or nothing: take back what this run wrote
        for path in written:
            path.unlink(missing_ok=True)
        raise WriteRefused(f"cannot write {error.filename or directory}:"
                           f" {error.strerror or error}; nothing was written") from None
    return list(contents)
