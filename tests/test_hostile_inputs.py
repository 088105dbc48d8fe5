"""Hostile repositories (issue 13): no hang, no unbounded read, no crash, no escape from the root.

Every test here failed before its fix: a FIFO blocked the run, ``/dev/zero`` was read until
MemoryError, directory links were followed out of the root and round in circles, and explicitly
tagged scalars or a trailing ``? `` crashed the run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kpilint.load import Limits, read_file
from tests.conftest import Run, run_kpilint, write_files

KPI = "version: 1\nkpis:\n  - id: {id}\n    name: K\n"
NOT_REGULAR = "not a regular file but {}; spec files must be regular files"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
needs_dev_zero = pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")


def check(root: Path, *args: str) -> Run:
    return run_kpilint("check", "--output-format", "json", "--select", "E,G102", *args,
                       cwd=root)


def findings(run: Run) -> list[tuple[str, str, int, int, str]]:
    return [(d["path"], d["code"], d["line"], d["column"], d["message"])
            for d in run.json()["diagnostics"]]


def g102(path: str, line: int = 3) -> tuple[str, str, int, int, str]:
    return (path, "G102", line, 5, "KPI 'k' does not reach any KGI: add `supports:` with the id"
            " of the KSF or KGI it drives")


# --- files that are not regular files (items 1 and 2) -----------------------------------------


@needs_fifo
def test_fifo_is_skipped_by_discovery_and_e001_when_named(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "good.kpi.yaml": KPI.format(id="k")})
    os.mkfifo(tmp_path / "pipe.kpi.yaml")
    discovered = check(tmp_path)
    assert (discovered.code, discovered.stderr) == (1, "")
    assert findings(discovered) == [g102("good.kpi.yaml")]
    named = check(tmp_path, "pipe.kpi.yaml", "good.kpi.yaml")
    assert findings(named) == [
        g102("good.kpi.yaml"),
        ("pipe.kpi.yaml", "E001", 1, 1, NOT_REGULAR.format("a FIFO"))]


@needs_dev_zero
def test_link_to_dev_zero_is_never_read(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "good.kpi.yaml": KPI.format(id="k")})
    (tmp_path / "zero.kpi.yaml").symlink_to("/dev/zero")
    assert findings(check(tmp_path)) == [g102("good.kpi.yaml")]
    named = check(tmp_path, "zero.kpi.yaml", "good.kpi.yaml")
    assert findings(named) == [
        g102("good.kpi.yaml"),
        ("zero.kpi.yaml", "E001", 1, 1, NOT_REGULAR.format("a character device"))]


def test_read_stops_one_byte_past_the_limit(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # A file whose size says 0 but that goes on (like /proc files): read() is asked for at most
    # max-file-bytes + 1 bytes, and that is enough to refuse it.
    path = tmp_path / "growing.kpi.yaml"
    path.write_bytes(b"version: 1\n" + b"#" * 200 + b"\n")
    real_fstat = os.fstat

    def fstat_reporting_no_size(descriptor: int) -> os.stat_result:
        status = list(real_fstat(descriptor))
        status[6] = 0  # st_size
        return os.stat_result(status)

    monkeypatch.setattr(os, "fstat", fstat_reporting_no_size)
    loaded = read_file(path, Limits(max_file_bytes=100))
    assert [(p.code, p.span.line, p.span.column, p.message) for p in loaded.problems] == [
        ("E001", 1, 1, "file is over limits.max-file-bytes (100); not read")]


# --- links in discovery (item 3) ---------------------------------------------------------------


def test_links_to_the_root_do_not_loop_or_repeat_findings(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "a.kpi.yaml": KPI.format(id="k")})
    (tmp_path / "l1").symlink_to(".")
    (tmp_path / "l2").symlink_to(".")
    run = check(tmp_path)
    assert (run.code, run.stderr) == (1, "")
    assert findings(run) == [g102("a.kpi.yaml")]
    assert run.json()["summary"]["files"] == 1


def test_link_to_an_outside_project_is_not_linted(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    write_files(root, {"kpilint.toml": "", "a.kpi.yaml": KPI.format(id="k")})
    write_files(outside, {"kpilint.toml": "", "x.kpi.yaml": KPI.format(id="x"),
                          "sub/y.kpi.yaml": KPI.format(id="y")})
    (root / "ext").symlink_to(outside)
    (root / "ext-sub").symlink_to(outside / "sub")
    (root / "x.kpi.yaml").symlink_to(outside / "x.kpi.yaml")
    run = check(root)
    assert findings(run) == [g102("a.kpi.yaml")]
    assert run.json()["summary"]["files"] == 1


def test_file_links_inside_the_root_count_once(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "a.kpi.yaml": KPI.format(id="k"),
                           "data/goals.yaml": KPI.format(id="g")})
    (tmp_path / "twin.kpi.yaml").symlink_to("a.kpi.yaml")
    (tmp_path / "goals.kpi.yaml").symlink_to("data/goals.yaml")
    (tmp_path / "goals-again.kpi.yaml").symlink_to("data/goals.yaml")
    run = check(tmp_path)
    # twin.kpi.yaml is a.kpi.yaml again (no duplicate-id E004); data/goals.yaml is not a spec
    # name, so its first link stands for it, once.
    assert [(path, code) for path, code, *_ in findings(run)] == [
        ("a.kpi.yaml", "G102"), ("goals-again.kpi.yaml", "G102")]


# --- scalars that crashed the loader and the builder (items 9 and 10) --------------------------


@pytest.mark.parametrize(("value", "kind"), [
    ('!!bool ""', "bool"), ('!!int ""', "int"), ('!!int "-"', "int"), ('!!float ""', "float"),
    ("!!timestamp x", "timestamp"), ("!!null x", "null"), ('!!float "."', "float"),
])
def test_explicitly_tagged_scalar_that_does_not_resolve_is_e002(tmp_path: Path, value: str,
                                                                   kind: str) -> None:
    text = value.split(" ", 1)[1].strip('"')
    write_files(tmp_path, {"kpilint.toml": "", "a.kpi.yaml": (
        f"version: 1\nscope: {value}\nkpis:\n  - id: k\n    name: K\n    target: {value}\n"
        "    x-note: " + value + "\n")})
    run = check(tmp_path)
    assert run.stderr == ""
    message = f"{text!r} is not a valid {kind} (it is tagged !!{kind})"
    assert findings(run) == [
        ("a.kpi.yaml", "E002", 2, 8, f"`scope`: {message}"),
        g102("a.kpi.yaml", line=4),
        ("a.kpi.yaml", "E002", 6, 13, f"`target`: {message}")]


@pytest.mark.parametrize("content", ["? ", "?", "version: 1\nkgis:\n  - ? ",
                                     "version: 1\nkpis:\n  - id: k\n    name: K\n    ? "])
def test_question_mark_at_end_of_file_is_reported_and_suppressible(tmp_path: Path,
                                                                  content: str) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "a.kpi.yaml": content.encode()})
    run = check(tmp_path)
    assert (run.code, run.stderr) == (1, "")
    assert ("a.kpi.yaml", "E002") in [(path, code) for path, code, *_ in findings(run)]
    added = run_kpilint("check", "--select", "E002", "--add-suppressions", cwd=tmp_path)
    assert (added.code, added.stderr) == (0, "")
    after = findings(check(tmp_path))
    assert [finding for finding in after if finding[1] == "E002"] == []
