"""``--jobs``: files parsed by forked workers and the checking process together
(``incremental.ForkedParse``): the same findings as one process, whatever the workers do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kpilint import cli, incremental
from kpilint.config import load_config
from kpilint.engine import Linter
from kpilint.incremental import CHUNK, WORKER_CHUNKS, ForkedParse
from kpilint.reading import ProjectFile
from kpilint.rule import Context
from tests.conftest import REPO, benchmark_module, run_kpilint

pytestmark = pytest.mark.skipif(not hasattr(os, "memfd_create"),
                                reason="forked workers need Linux's memory files")

TEAM_FILES = 2 * WORKER_CHUNKS * CHUNK + 3
"""With examples/bad's ten, nine chunks (the last one short): enough for two workers."""


def _generated(tmp_path: Path) -> Path:
    """The benchmarks' generated project (team files with findings of every kind, a company
    file), plus examples/bad's files (E004 duplicates across files, suppressions, errors)."""
    root = tmp_path / "project"
    benchmark_module("generate").generate_project(root, files=TEAM_FILES, kpis=3)
    for example in (REPO / "examples" / "bad").glob("*.kpi.yaml"):
        shutil.copy(example, root / f"bad-{example.name}")
    return root


@pytest.fixture
def workers_go_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process takes its first chunk only once a worker has taken one (so that the tests
    see both at work however slowly the workers start)."""
    take = ForkedParse._take

    def after_a_worker(self: ForkedParse, from_front: bool) -> int | None:
        deadline = time.monotonic() + 60
        while not from_front and self.shared[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.001)
        return take(self, from_front)

    monkeypatch.setattr(ForkedParse, "_take", after_a_worker)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generated(tmp_path_factory.mktemp("forked"))


def _files(root: Path) -> list[ProjectFile]:
    return [ProjectFile(path, path.relative_to(root).as_posix(), path.read_bytes())
            for path in sorted(root.rglob("*.kpi.yaml"))]


def _loaded(root: Path, jobs: int) -> dict[str, Any]:
    """Parse the project with ``jobs`` processes in this one's linter: each file's display
    path with its file rules' findings (code, line, column, message), and its entity ids."""
    linter = Linter(root, load_config(root / "kpilint.toml"), Context())
    incremental._parse(linter, _files(root), jobs, None)
    return {loaded.spec.path: (
        [(each.code, each.location.span.line, each.location.span.column,
          each.message) for each in linter.file_findings(loaded)],
        [entity.id for entity in loaded.spec.entities])
        for loaded in linter.files.values()}


def test_the_cli_reports_the_same_for_any_number_of_jobs(project: Path) -> None:
    reports = {jobs: run_kpilint("check", ".", "--no-cache", "--jobs", jobs, "--output-format",
                                 "json", cwd=project) for jobs in ("1", "2", "3")}
    one = reports["1"]
    assert one.code == 1 and json.loads(one.stdout)["summary"]["files"] == TEAM_FILES + 10
    assert {code for _, code, *_ in one.findings()} >= {"E004", "E005", "S201", "G101"}
    for jobs in ("2", "3"):
        assert (reports[jobs].code, reports[jobs].stdout, reports[jobs].stderr) == (
            one.code, one.stdout, one.stderr)


def test_summaries_from_workers_serve_the_next_run(project: Path, tmp_path: Path) -> None:
    root = tmp_path / "cached"
    shutil.copytree(project, root)
    cold = run_kpilint("check", ".", "--no-cache", "--jobs", "1", "--output-format", "json",
                       cwd=root)
    first = run_kpilint("check", ".", "--jobs", "2", "--output-format", "json", cwd=root)
    again = run_kpilint("check", ".", "--jobs", "1", "--output-format", "json", cwd=root)
    assert first.stdout == again.stdout == cold.stdout
    assert len(list((root / ".kpilint_cache").rglob("*.json"))) >= TEAM_FILES


def _stored_summaries(root: Path) -> dict[str, Any]:
    """The cache's summaries by file name, read past their checksum line (its tag is random).
    A finding's fingerprint and project path (its last two fields) are left out: a check gives
    them to every finding of a file it composes, and a summary made before the check (by the
    workers, and by this process beside them) has them empty."""
    stored = {}
    for path in (root / ".kpilint_cache").glob("*/files/*.json"):
        summary = json.loads(path.read_bytes().partition(b"\n")[2])
        summary["findings"] = [finding[:-2] for finding in summary["findings"]]
        stored[path.name] = summary
    return stored


def test_workers_store_the_summaries_one_process_would(project: Path, tmp_path: Path) -> None:
    stored = {}
    for jobs in ("1", "2"):
        root = tmp_path / jobs
        shutil.copytree(project, root)
        run_kpilint("check", ".", "--jobs", jobs, cwd=root)
        stored[jobs] = _stored_summaries(root)
    assert len(stored["1"]) == TEAM_FILES + 10
    assert stored["2"] == stored["1"]


@pytest.mark.usefixtures("workers_go_first")
def test_fixes_come_in_path_order_whoever_parsed_the_files(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "fixing"
    shutil.copytree(project, root)
    shutil.copy(REPO / "examples" / "bad" / "marketing.kpi.yaml", root / "zz-last.kpi.yaml")
    monkeypatch.chdir(root)
    diffs = []
    for jobs in ("1", "2"):
        assert cli.main(["check", ".", "--no-cache", "--jobs", jobs, "--diff"]) == 1
        diffs.append(capsys.readouterr().out)
    assert [line for line in diffs[0].splitlines() if line.startswith("--- ")] == [
        "--- bad-marketing.kpi.yaml", "--- bad-success.kpi.yaml", "--- zz-last.kpi.yaml"]
    assert diffs[1] == diffs[0]


@pytest.mark.usefixtures("workers_go_first")
def test_workers_and_one_process_load_the_same(project: Path) -> None:
    alone = _loaded(project, jobs=1)
    assert len(alone) == TEAM_FILES + 10
    assert _loaded(project, jobs=2) == alone
    assert _loaded(project, jobs=8) == alone  # two workers: one for every four chunks


@pytest.mark.usefixtures("workers_go_first")
def test_a_worker_that_dies_leaves_its_chunks_to_this_process(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = _loaded(project, jobs=1)
    parent = os.getpid()

    def dying(item: tuple[Path, str, bytes | None]) -> Any:
        if os.getpid() != parent:
            os._exit(3)
        raise AssertionError("only workers summarise")

    monkeypatch.setattr(incremental, "_summarize", dying)
    assert _loaded(project, jobs=2) == alone


def test_a_worker_killed_in_its_turn_blocks_nobody(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = _loaded(project, jobs=1)
    parent, died = os.getpid(), tmp_path / "died"
    turn, take = ForkedParse._turn, ForkedParse._take

    @contextmanager
    def fatal(self: ForkedParse) -> Iterator[memoryview]:
        with turn(self) as shared:
            if os.getpid() != parent:  # the worker: gone with the lock held
                died.touch()
                os._exit(9)
            yield shared

    def after_the_death(self: ForkedParse, from_front: bool) -> int | None:
        deadline = time.monotonic() + 60
        while not from_front and not died.exists() and time.monotonic() < deadline:
            time.sleep(0.001)
        return take(self, from_front)

    monkeypatch.setattr(ForkedParse, "_turn", fatal)
    monkeypatch.setattr(ForkedParse, "_take", after_the_death)
    assert _loaded(project, jobs=2) == alone
    assert died.exists()


@pytest.mark.usefixtures("workers_go_first")
def test_summaries_that_do_not_read_back_are_parsed_here(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = _loaded(project, jobs=1)
    monkeypatch.setattr(incremental, "_summarize",
                        lambda item: ({"format": "not a summary"}, []))
    assert _loaded(project, jobs=2) == alone


def test_without_shared_memory_this_process_parses_alone(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = _loaded(project, jobs=1)

    def refused(*args: object) -> None:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(ForkedParse, "__init__", refused)
    assert _loaded(project, jobs=2) == alone


def test_without_memory_files_a_spawned_pool_shares_the_work(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = _loaded(project, jobs=1)
    monkeypatch.delattr(os, "memfd_create")  # as on macOS and Windows
    monkeypatch.setattr(ForkedParse, "__init__", None)  # never made
    here = incremental._parse_chunk_here
    taken: list[int] = []

    def slowly(linter: Linter, chunk: list[ProjectFile]) -> None:
        """This process's chunks, slowly enough for the spawned worker to start and take some."""
        taken.append(len(chunk))
        time.sleep(0.3)
        here(linter, chunk)

    monkeypatch.setattr(incremental, "_parse_chunk_here", slowly)
    assert _loaded(project, jobs=2) == alone
    assert 0 < sum(taken) < TEAM_FILES + 10


def test_a_spawned_pool_that_breaks_leaves_the_files_to_this_process(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures.process import BrokenProcessPool

    alone = _loaded(project, jobs=1)
    monkeypatch.delattr(os, "memfd_create")

    def broken(*args: object) -> list[ProjectFile]:
        raise BrokenProcessPool("a worker died")

    monkeypatch.setattr(incremental, "_parse_sharing", broken)
    assert _loaded(project, jobs=2) == alone


def test_an_interrupt_while_workers_start_stops_them_all(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C as the workers are forked: this process answers it once they are started (no
    worker sees it half-started, where it would print a traceback), and stops every one."""
    import multiprocessing
    import signal

    linter = Linter(project, load_config(project / "kpilint.toml"), Context())
    memory_file = os.memfd_create

    def interrupted(name: str) -> int:
        if name == "kpilint-summaries":  # a worker's, as it is started
            os.kill(os.getpid(), signal.SIGINT)  # held back until the workers are started
        return memory_file(name)

    monkeypatch.setattr(os, "memfd_create", interrupted)
    forked = ForkedParse(linter, _files(project), 2)
    with pytest.raises(KeyboardInterrupt):
        forked.run(None)
    assert len(forked.outputs) == 2  # both were started before the interrupt came through
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("limit", [10, 16, 64])
def test_a_low_open_files_limit_means_fewer_workers_not_a_failure(project: Path,
                                                                  limit: int) -> None:
    import resource

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (limit, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    runs = [subprocess.run([sys.executable, "-m", "kpilint", "check", ".", "--no-cache",
                            "--jobs", jobs, "--output-format", "json"], cwd=project,
                           capture_output=True, text=True, check=False, preexec_fn=limited)
            for jobs in ("1", "8")]
    assert runs[0].returncode == 1 and runs[0].stderr == ""
    assert (runs[1].returncode, runs[1].stdout, runs[1].stderr) == (
        runs[0].returncode, runs[0].stdout, runs[0].stderr)


def test_progress_counts_every_file_once_in_order(project: Path) -> None:
    linter = Linter(project, load_config(project / "kpilint.toml"), Context())
    files = _files(project)
    calls: list[tuple[int, int]] = []
    assert ForkedParse(linter, files, 1).run(lambda done, total: calls.append(
        (done, total))) == []
    assert calls == [(done, len(files)) for done in range(len(files))]
    assert len(linter.files) == len(files)


CRASHING_FILE_RULE = """\
import sys
from kpilint.rules import s201_missing_target as module
def explode(self, *args):
    raise ZeroDivisionError("division by zero")
module.MissingTarget.check = explode
from kpilint.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_file_rule_crashing_in_a_worker_is_reported_as_in_one_process(project: Path) -> None:
    runs = [subprocess.run([sys.executable, "-c", CRASHING_FILE_RULE, "check", ".",
                            "--no-cache", "--jobs", jobs, "--output-format", "json"],
                           cwd=project, capture_output=True, text=True, check=False)
            for jobs in ("1", "2")]
    assert runs[0].returncode == 2 and runs[0].stderr == ""
    crashes = [each for each in json.loads(runs[0].stdout)["diagnostics"]
               if each["code"] == "X002"]
    assert crashes and crashes[0]["message"].startswith(
        "rule S201 (missing-target) crashed: ZeroDivisionError: division by zero")
    assert (runs[1].returncode, runs[1].stdout, runs[1].stderr) == (
        runs[0].returncode, runs[0].stdout, runs[0].stderr)
