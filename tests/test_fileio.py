"""``fileio.new_temporary`` makes its files as ``tempfile.mkstemp`` does."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

import pytest

from kpilint import fileio


def test_a_new_temporary_file_is_made_as_mkstemp_makes_one(tmp_path: Path) -> None:
    handle, name = fileio.new_temporary(tmp_path, ".tmp-", ".part")
    theirs, their_name = tempfile.mkstemp(dir=tmp_path, prefix=".tmp-", suffix=".part")
    try:
        ours = os.fstat(handle)
        assert stat.S_IMODE(ours.st_mode) == stat.S_IMODE(os.fstat(theirs).st_mode)
        assert stat.S_ISREG(ours.st_mode) and ours.st_size == 0
        assert not os.get_inheritable(handle)
        assert os.write(handle, b"data") == 4  # open for writing
    finally:
        os.close(handle)
        os.close(theirs)
    path = Path(name)
    assert path.is_absolute() and path.parent == Path(their_name).parent == tmp_path
    assert path.name.startswith(".tmp-") and path.name.endswith(".part")
    assert len(path.name) == len(".tmp-.part") + 12 and path.read_bytes() == b"data"


def test_a_relative_directory_gives_an_absolute_path(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    handle, name = fileio.new_temporary(Path("."), "x")
    os.close(handle)
    assert Path(name).parent == tmp_path


def test_a_name_in_use_is_never_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file or a link (even a dangling one) already at the name: another name is drawn."""
    draws = iter([b"\1" * 6, b"\2" * 6, b"\3" * 6])
    monkeypatch.setattr(os, "urandom", lambda size: next(draws))
    (tmp_path / "t010101010101").write_bytes(b"kept")
    if sys.platform != "win32":
        (tmp_path / "t020202020202").symlink_to(tmp_path / "elsewhere")
    else:
        (tmp_path / "t020202020202").write_bytes(b"kept")
    handle, name = fileio.new_temporary(tmp_path, "t")
    os.close(handle)
    assert Path(name).name == "t030303030303"
    assert (tmp_path / "t010101010101").read_bytes() == b"kept"
    assert not (tmp_path / "elsewhere").exists()


def test_when_every_name_is_in_use_it_says_so(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "urandom", lambda size: b"\0" * size)
    (tmp_path / "t000000000000").write_bytes(b"")
    with pytest.raises(FileExistsError):
        fileio.new_temporary(tmp_path, "t")


def test_a_missing_directory_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        fileio.new_temporary(tmp_path / "missing", "t")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_only_regular_files_are_opened_and_read_no_further_than_their_size(
        tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "zero").symlink_to("/dev/zero")
    (tmp_path / "file").write_bytes(b"abc")
    for name in ("pipe", "zero", ".", "none"):
        assert fileio.open_regular(tmp_path / name) is None, name
    assert fileio.read_regular(tmp_path / "file") == b"abc"
    opened = fileio.open_regular(tmp_path / "file", buffering=0)
    assert opened is not None and opened[1].st_size == 3
    opened[0].close()
