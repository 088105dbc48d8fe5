"""Stat signatures kept with the report: a file whose signature is unchanged is not read again,
and every change (even one that keeps the size and the modification time) is still seen."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kpilint import reading
from kpilint.reading import Signatures, read_project_files, read_trusted
from tests.conftest import run_kpilint
from tests.test_cache import _summary_digest
from tests.test_engine import example_project

CACHE = ".kpilint_cache"
HOUR = 3600 * 10**9
SAME_SIZE_EDIT = ("supports: upsell-existing-customers", "supports: upsell-existing-customerz")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """examples/bad, its files last modified an hour ago (well before any run's clock)."""
    root = example_project(tmp_path)
    past = time.time_ns() - HOUR
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(past, past))
    return root


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the files read in this process."""
    names: list[str] = []
    real = reading._regular_file_bytes

    def counting(path: Path, max_bytes: int) -> tuple[bytes | None, object]:
        names.append(path.name)
        return real(path, max_bytes)

    monkeypatch.setattr(reading, "_regular_file_bytes", counting)
    yield names


def _cli(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from kpilint import cli

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root.parent)
        patch.delenv("GITHUB_ACTIONS", raising=False)
        code = cli.main(["check", root.name, "--jobs", "1", "--output-format", "json", *args])
    return code, capsys.readouterr().out


def _signatures_of(path: Path, display: str, digest: str, taken: int) -> Signatures:
    status = path.stat()
    return Signatures(taken, {str(path): (display, (
        status.st_mtime_ns, status.st_size, status.st_ino, status.st_ctime_ns), digest)})


def _edit_keeping_size_and_mtime(path: Path) -> None:
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert SAME_SIZE_EDIT[0] in text
    path.write_text(text.replace(*SAME_SIZE_EDIT, 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_an_unchanged_file_is_trusted_without_reading(tmp_path: Path) -> None:
    spec = tmp_path / "a.kpi.yaml"
    spec.write_bytes(b"version: 1\n")
    mtime = spec.stat().st_mtime_ns
    kept = _signatures_of(spec, "a.kpi.yaml", "kept-digest", taken=mtime + 1)
    (file,) = read_project_files([(spec, "a.kpi.yaml")], None, 1000, kept)
    assert (file.content, file.digest, file.trusted) == (None, "kept-digest", True)
    read_trusted([file], 1000)  # a run that needs its bytes reads them: they are the truth
    assert (file.content, file.digest, file.trusted) == (b"version: 1\n", None, False)
    assert file.signature is not None and file.signature[1] == 11


@pytest.mark.parametrize("case", ["racily clean", "another display path", "changed",
                                  "not kept"])
def test_a_file_is_read_unless_its_signature_can_be_trusted(tmp_path: Path, case: str) -> None:
    spec = tmp_path / "a.kpi.yaml"
    spec.write_bytes(b"version: 1\n")
    mtime = spec.stat().st_mtime_ns
    taken = mtime if case == "racily clean" else mtime + 1  # not older than the moment: read
    display = "b.kpi.yaml" if case == "another display path" else "a.kpi.yaml"
    kept = _signatures_of(spec, display, "kept-digest", taken)
    if case == "changed":
        spec.write_bytes(b"version: 2\n")
        os.utime(spec, ns=(mtime, mtime))
    if case == "not kept":
        kept = Signatures(taken, {})
    (file,) = read_project_files([(spec, "a.kpi.yaml")], None, 1000, kept)
    assert file.trusted is False and file.digest is None
    assert file.content == (b"version: 2\n" if case == "changed" else b"version: 1\n")


@pytest.mark.parametrize("kept", [{}, {"taken": "x", "files": []}, {"taken": 1, "files": [[1]]},
                                  {"taken": 1}, []])
def test_signatures_of_another_shape_are_none(kept: object) -> None:
    assert Signatures.of(kept) is None


def test_signatures_round_trip(tmp_path: Path) -> None:
    kept = _signatures_of(tmp_path, "x", "digest", 5)
    assert Signatures.of(kept.to_json()) == kept


def test_a_warm_run_reads_no_unchanged_file(project: Path, reads: list[str],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    cold = _cli(project, capsys=capsys)
    assert len(reads) == len(list(project.rglob("*.kpi.yaml")))
    reads.clear()
    assert _cli(project, capsys=capsys) == cold
    assert reads == []


def test_signatures_are_kept_when_a_kept_report_answered_without_them(
        project: Path, reads: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    cold = _cli(project, capsys=capsys)
    (signatures,) = project.joinpath(CACHE).glob("*/signatures.json")
    signatures.unlink()
    assert _cli(project, capsys=capsys) == cold
    assert signatures.exists()
    reads.clear()
    assert _cli(project, capsys=capsys) == cold
    assert reads == []


@pytest.mark.parametrize("racy", [False, True])
def test_an_edit_keeping_size_and_mtime_is_seen(project: Path, reads: list[str],
                                                capsys: pytest.CaptureFixture[str],
                                                racy: bool) -> None:
    sales = project / "sales.kpi.yaml"
    if racy:  # its time stamp is never older than a run's clock: read by every run
        future = time.time_ns() + HOUR
        os.utime(sales, ns=(future, future))
    _cli(project, capsys=capsys)
    reads.clear()
    _cli(project, capsys=capsys)
    assert reads == (["sales.kpi.yaml"] if racy else [])
    _edit_keeping_size_and_mtime(sales)
    reads.clear()
    changed = _cli(project, capsys=capsys)
    assert "upsell-existing-customerz" in changed[1]
    assert changed == _cli(project, "--no-cache", capsys=capsys)


def test_a_damaged_signatures_file_is_a_miss(project: Path, reads: list[str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    cold = _cli(project, capsys=capsys)
    (signatures,) = project.joinpath(CACHE).glob("*/signatures.json")
    data = signatures.read_bytes()
    signatures.write_bytes(data.replace(b'"taken":', b'"takem":', 1))
    reads.clear()
    assert _cli(project, capsys=capsys) == cold
    assert len(reads) == len(list(project.rglob("*.kpi.yaml")))


def test_the_warm_report_is_byte_identical_on_stdout_and_in_a_file(project: Path) -> None:
    args = ("check", project.name, "--output-format", "json", "--exit-zero")
    uncached = run_kpilint(*args, "--no-cache", cwd=project.parent)
    assert '"code": "E' in uncached.stdout
    for _ in range(2):  # keeps the report, then writes it back
        assert run_kpilint(*args, cwd=project.parent) == uncached
    out = project.parent / "report.json"
    assert run_kpilint(*args, "--output-file", str(out), cwd=project.parent).stdout == ""
    assert out.read_text(encoding="utf-8") == uncached.stdout


@pytest.mark.parametrize("path", ["/work/p/a.kpi.yaml", "/work/p/d/b.kpi.yaml", "/work/pq/c.yaml",
                                  "/work/p/../q/x.kpi.yaml", "/other/y.kpi.yaml", "/work/p",
                                  "/work/p/a..b.kpi.yaml"])
@pytest.mark.parametrize("cwd", ["/work/p", "/", "/work/p/d"])
def test_display_paths_are_those_of_relpath(path: str, cwd: str) -> None:
    from kpilint.checker import _relative_to

    assert _relative_to(Path(cwd))(Path(path)) == os.path.relpath(path, cwd)


@pytest.mark.parametrize("encoding", ["utf-8", "UTF8", "utf-16", "latin-1"])
def test_a_kept_report_is_written_as_stdout_would_write_its_text(
        monkeypatch: pytest.MonkeyPatch, encoding: str) -> None:
    import io

    from kpilint import cli

    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding=encoding, newline="\n")
    monkeypatch.setattr("sys.stdout", stdout)
    stdout.write("before\n")  # still in the text layer: written first
    cli._write_stdout(memoryview("« report »\n".encode()))
    assert raw.getvalue() == "before\n« report »\n".encode(encoding)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_run_with_one_changed_file_reads_only_that_file(
        project: Path, reads: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    _cli(project, capsys=capsys)
    _replace(project / "forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    reads.clear()
    changed = _cli(project, capsys=capsys)
    assert reads == ["forecast.kpi.yaml"]
    assert changed == _cli(project, "--no-cache", capsys=capsys)


def test_signatures_are_written_again_once_more_than_a_few_files_would_be_read(
        project: Path, reads: list[str], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "STALE_SHARE", 4)  # here: more than 2 files of 10
    assert len(list(project.rglob("*.kpi.yaml"))) // 4 == 2
    _cli(project, capsys=capsys)
    (signatures,) = project.joinpath(CACHE).glob("*/signatures.json")
    kept = signatures.read_bytes()

    def edit(name: str, old: str, new: str) -> None:
        """An edit made well before the next run (not racily clean)."""
        _replace(project / name, old, new)
        past = time.time_ns() - HOUR
        os.utime(project / name, ns=(past, past))

    edit("forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    for _ in range(2):  # an edit, then a run answered by the report it kept
        reads.clear()
        cached = _cli(project, capsys=capsys)
        assert reads == ["forecast.kpi.yaml"] and signatures.read_bytes() == kept
        assert cached == _cli(project, "--no-cache", capsys=capsys)
    edit("sales.kpi.yaml", *SAME_SIZE_EDIT)
    edit("marketing.kpi.yaml", "name: ", "name: Renamed ")
    reads.clear()
    changed = _cli(project, capsys=capsys)
    assert sorted(reads) == ["forecast.kpi.yaml", "marketing.kpi.yaml", "sales.kpi.yaml"]
    assert signatures.read_bytes() != kept  # 3 files: written again
    reads.clear()
    assert _cli(project, capsys=capsys) == changed
    assert reads == []
    assert changed == _cli(project, "--no-cache", capsys=capsys)


def _lose_summaries_but_the_old_sales(project: Path) -> None:
    """Remove every summary but that of the last run's sales.kpi.yaml, then move one of its
    edges: the whole-project rules read every file, whose summaries are made again."""
    old_sales = _summary_digest(project, "sales.kpi.yaml")
    for summary in project.joinpath(CACHE).glob("*/files/*.json"):
        if summary.stem != old_sales:
            summary.unlink()
    _replace(project / "sales.kpi.yaml", "supports: upsell-existing-customers",
             "supports: nowhere-yet")


def test_a_lost_summary_of_a_trusted_file_is_made_from_its_bytes(
        project: Path, reads: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    _cli(project, capsys=capsys)
    _lose_summaries_but_the_old_sales(project)
    reads.clear()
    changed = _cli(project, capsys=capsys)
    assert "sales.kpi.yaml" in reads and "marketing.kpi.yaml" in reads  # read when needed
    assert len(reads) == len(set(reads))  # once each
    assert changed == _cli(project, "--no-cache", capsys=capsys)


def test_a_trusted_file_that_changes_during_the_run_starts_it_again(
        project: Path, reads: list[str], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _cli(project, capsys=capsys)
    _lose_summaries_but_the_old_sales(project)
    marketing = project / "marketing.kpi.yaml"
    real = Signatures.unchanged

    def stale(self: Signatures, absolute: Path, display: str) -> object:
        """Trusts marketing.kpi.yaml as if it changed after its signature was taken."""
        kept = self.files.get(str(absolute))
        if absolute.name == marketing.name and kept is not None:
            return kept[1], kept[2]
        return real(self, absolute, display)

    monkeypatch.setattr(Signatures, "unchanged", stale)
    _replace(marketing, "name: ", "name: Renamed ")
    reads.clear()
    changed = _cli(project, capsys=capsys)
    # read late, found changed: the run started again from every file's bytes
    assert reads[:2] == ["sales.kpi.yaml", "marketing.kpi.yaml"]
    assert sorted(reads) == sorted(path.name for path in project.rglob("*.kpi.yaml"))
    monkeypatch.undo()
    assert changed == _cli(project, "--no-cache", capsys=capsys)
