"""A kept report written as a delta of the one it copied its records from.

After an edit, the JSON writer copies most records from the report kept before; the cache then
writes only what changed beside that report (``<report>-delta``): the new header, pieces and
layout, and the bytes the report added. Every run must print what an uncached run prints, and
a damaged, foreign or oversized delta must never change that.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kpilint import cache
from kpilint.cache import REPORT_DELTA, StoredText, checksum_line
from tests.conftest import run_kpilint
from tests.test_engine import example_project
from tests.test_kept_findings import CACHE, _run, _swap

TARGET = ("forecast.kpi.yaml", "target: 100000000", "target: 100000001")


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example project, its cache written once; deltas while they stay smaller than their
    base (the example's report is small beside one file's records)."""
    monkeypatch.setattr(cache, "DELTA_SHARE", 1)
    return example_project(tmp_path)


def _reports(root: Path) -> list[Path]:
    return sorted(root.joinpath(CACHE).glob("*/reports/*"))


def _edit_and_check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Swap the forecast's target, then check: what an uncached run prints."""
    _swap(root / TARGET[0], TARGET[1], TARGET[2])
    cached = _run(root, ["bad"], [], capsys)
    assert cached == _run(root, ["bad"], [], capsys, "--no-cache")
    return cached


def test_an_edit_keeps_its_report_as_a_delta_of_the_one_it_copied(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(root, ["bad"], [], capsys)
    (base,) = _reports(root)
    written = base.stat()
    for _ in range(3):
        _edit_and_check(root, capsys)
        assert _reports(root) == [base, base.with_name(base.name + REPORT_DELTA)]
        assert (base.stat().st_ino, base.stat().st_mtime_ns) == (written.st_ino,
                                                                 written.st_mtime_ns)


def test_a_warm_run_writes_back_the_report_of_a_base_and_its_delta(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(root, ["bad"], [], capsys)
    changed = _edit_and_check(root, capsys)
    delta = _reports(root)[1]
    assert _run(root, ["bad"], [], capsys) == changed  # the kept report, as laid out
    assert delta.read_bytes() == _reports(root)[1].read_bytes()  # nothing written again


def test_a_delta_that_would_grow_past_its_share_makes_a_whole_report(
        root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _run(root, ["bad"], [], capsys)
    _edit_and_check(root, capsys)
    base, _ = _reports(root)
    before = base.read_bytes()
    monkeypatch.setattr(cache, "DELTA_SHARE", 10**9)  # no byte may be added
    changed = _edit_and_check(root, capsys)
    assert _reports(root) == [base] and base.read_bytes() != before
    assert _run(root, ["bad"], [], capsys) == changed


def _damage(delta: Path, how: str) -> None:
    data = delta.read_bytes()
    _, base, header, pieces, layout, added = data.split(b"\n", 5)
    if how == "truncated":
        delta.write_bytes(data[:len(data) // 2])
        return
    if how == "garbled":
        delta.write_bytes(data.replace(b'"code"', b'"cOde"', 1))
        return
    if how == "of another base":
        base = base[:-1] + (b"0" if base[-1:] != b"0" else b"1")
    elif how == "layout out of the text":
        layout = json.dumps([[0, 10**9]]).encode()
    elif how == "layout not spans":
        layout = b'["a"]'
    elif how == "header not a mapping":
        header = b"[]"
    payload = b"\n".join((base, header, pieces, layout, added))
    delta.write_bytes(checksum_line(delta, payload) + b"\n" + payload)


@pytest.mark.parametrize("how", ["truncated", "garbled", "of another base",
                                 "layout out of the text", "layout not spans",
                                 "header not a mapping"])
def test_a_damaged_or_foreign_delta_is_a_miss(
        root: Path, capsys: pytest.CaptureFixture[str], how: str) -> None:
    _run(root, ["bad"], [], capsys)
    _edit_and_check(root, capsys)
    base, delta = _reports(root)
    _damage(delta, how)
    assert _run(root, ["bad"], [], capsys) == _run(root, ["bad"], [], capsys, "--no-cache")
    assert _reports(root) == [base]  # nothing copied from it: the report written whole


def test_the_delta_of_a_base_another_run_wrote_again_is_a_miss(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(root, ["bad"], [], capsys)
    _edit_and_check(root, capsys)
    base, _ = _reports(root)
    _, _, payload = base.read_bytes().partition(b"\n")
    base.write_bytes(checksum_line(base, payload) + b"\n" + payload)  # a write with a new tag
    assert _run(root, ["bad"], [], capsys) == _run(root, ["bad"], [], capsys, "--no-cache")
    assert _reports(root) == [base]


def test_reports_past_the_kept_number_go_with_their_deltas(
        root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _run(root, ["bad"], [], capsys)
    _edit_and_check(root, capsys)
    old = _reports(root)
    assert len(old) == 2
    monkeypatch.setattr(cache, "REPORTS_KEPT", 1)
    _run(root, ["bad"], [], capsys, "--show-suppressed")  # another rendering: its own report
    (kept,) = _reports(root)
    assert kept not in old


def test_a_stored_text_addresses_its_base_and_its_delta_as_one() -> None:
    text = StoredText(b"abcdef", b"XYZ")
    assert len(text) == 9
    assert [bytes(text[start:stop]) for start, stop in ((0, 6), (1, 3), (6, 9), (7, 8), (4, 8))] \
        == [b"abcdef", b"bc", b"XYZ", b"Y", b"efXY"]


@pytest.mark.parametrize(("base", "added", "utf8"), [
    ("ab€cd".encode(), b"", True),
    ("a€".encode(), "€b".encode(), True),
    (b"ab\xffcd", b"", False),
    (b"abcd", b"\xff", False),
    ("a€".encode(), b"\xe2\x82", False),  # cut short at the end
    ("a€".encode()[:-1], "€".encode()[-1:] + b"b", False),  # each part is whole on its own
])
def test_a_stored_text_is_checked_to_be_utf8(base: bytes, added: bytes, utf8: bool) -> None:
    assert StoredText(base, added).is_utf8() is utf8


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize(("where", "what"), [
    ("delta", "fifo"), ("base", "fifo"), ("state", "fifo"), ("delta", "endless device"),
    ("state", "endless device")])
def test_a_cache_file_that_is_no_regular_file_is_a_miss(
        root: Path, capsys: pytest.CaptureFixture[str], where: str, what: str) -> None:
    """Neither waits on a FIFO nor reads a device without end (a real process: a hang fails
    its timeout instead of the test run)."""
    _run(root, ["bad"], [], capsys)
    _edit_and_check(root, capsys)
    base, delta = _reports(root)
    path = {"delta": delta, "base": base,
            "state": next(root.joinpath(CACHE).glob("*/state.json"))}[where]
    path.unlink()
    if what == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    cached = run_kpilint("check", "bad", "--jobs", "1", "--output-format", "json",
                         cwd=root.parent)
    uncached = run_kpilint("check", "bad", "--jobs", "1", "--output-format", "json",
                           "--no-cache", cwd=root.parent)
    assert (cached.code, cached.stdout, cached.stderr) == (
        uncached.code, uncached.stdout, uncached.stderr)
