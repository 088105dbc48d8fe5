"""Reading a spec file's bytes: one read of the size ``fstat`` gave, the same bytes and limit
as reading up to the limit, also when the file grew or shrank after ``fstat``."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpilint import reading


def _reference(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of a regular file up to the limit, read the plain way; None when over it."""
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    return data if len(data) <= max_bytes else None


def _lying_fstat(monkeypatch: pytest.MonkeyPatch, size_change: int) -> None:
    """``os.fstat`` reports the size ``size_change`` off, as if the file changed after it."""
    real = os.fstat

    def fstat(fd: int) -> os.stat_result:
        status = real(fd)
        fields = list(status)
        fields[6] = max(0, status.st_size + size_change)  # st_size
        return os.stat_result(fields)

    monkeypatch.setattr(os, "fstat", fstat)


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=300), max_bytes=st.integers(0, 320),
       size_change=st.integers(-40, 40))
def test_same_bytes_as_reading_to_the_limit(tmp_path_factory: pytest.TempPathFactory,
                                             content: bytes, max_bytes: int,
                                             size_change: int) -> None:
    path = tmp_path_factory.mktemp("read") / "a.kpi.yaml"
    path.write_bytes(content)
    with pytest.MonkeyPatch.context() as patch:
        _lying_fstat(patch, size_change)
        data, signature = reading._regular_file_bytes(path, max_bytes)
    reported_size = max(0, len(content) + size_change)
    expected = None if reported_size > max_bytes else _reference(path, max_bytes)
    assert data == expected
    assert (signature is None) == (expected is None)


def test_a_file_that_grew_past_the_limit_is_not_read(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.kpi.yaml"
    path.write_bytes(b"x" * 150)
    _lying_fstat(monkeypatch, -100)  # fstat saw 50 bytes; 150 are there when it is read
    assert reading._regular_file_bytes(path, 100) == (None, None)
    assert reading._regular_file_bytes(path, 150)[0] == b"x" * 150


def test_rest_reads_on_after_short_reads() -> None:
    class Trickle(io.BytesIO):
        """A file that returns at most 3 bytes per read."""

        def read(self, size: int | None = -1) -> bytes:
            return super().read(3 if size is None or size < 0 else min(size, 3))

    assert reading._rest(Trickle(b"0123456789"), 100) == b"0123456789"
    assert reading._rest(Trickle(b"0123456789"), 7) == b"0123456"
    assert reading._rest(Trickle(b""), 5) == b""


@pytest.mark.skipif(os.sep == "\\", reason="a backslash separates folders here")
@settings(max_examples=300)
@given(st.binary(max_size=12).filter(lambda name: b"\0" not in name))
def test_a_printable_path_spells_its_file_name_bytes_back(name: bytes) -> None:
    """SARIF names a file by its bytes: the inverse of the escaped spelling findings use."""
    printable = reading.printable_path(os.fsdecode(name))
    assert reading.file_name_bytes(printable) == name
