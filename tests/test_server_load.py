"""The language server's first load of a project: from the result cache of a `kpilint check`
of the root where it has one, with the same findings, models and graph as a load from scratch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

import pytest

from kpilint import incremental
from kpilint.config import load_config
from kpilint.engine import Linter
from kpilint.server.workspace import Project
from tests.conftest import TODAY, write_files
from tests.lsp.client import RecordingClient, open_document, summary, version, wait_for
from tests.test_engine import _shown, example_project
from tests.test_server import COMPANY, GOOD_TEAM

T = TypeVar("T")


def _first_load(root: Path) -> Project:
    project = Project(root, load_config(root / "kpilint.toml"), None, True)
    project.snapshot = project.lint({}, True).snapshot
    return project


def test_first_load_from_the_cache_equals_a_load_from_scratch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = example_project(tmp_path)
    fresh = _first_load(root)
    assert fresh.snapshot is not None
    subprocess.run([sys.executable, "-m", "kpilint", "check", "--exit-zero", "-q"], cwd=root,
                   check=True, capture_output=True)
    assert (root / ".kpilint_cache").is_dir()
    parsed = _parsed_here(monkeypatch)
    cached = _first_load(root)
    assert parsed == []  # every file came from its summary
    assert cached.snapshot is not None and fresh.snapshot is not None
    assert _shown(cached.snapshot.result.diagnostics) == _shown(fresh.snapshot.result.diagnostics)
    assert sorted(cached.snapshot.specs) == sorted(fresh.snapshot.specs)
    assert list(cached.graph().entities) == list(fresh.graph().entities)
    assert [(ref.source.id, ref.target_id) for ref in cached.graph().references] == [
        (ref.source.id, ref.target_id) for ref in fresh.graph().references]
    # An edit after a cached load is checked as after a load from scratch.
    path = root / "sales.kpi.yaml"
    edited = path.read_bytes().replace(b"unit: percent", b"unit: count", 1)
    after_cache = cached.lint({path: edited}, False).snapshot.result.diagnostics
    after_fresh = fresh.lint({path: edited}, False).snapshot.result.diagnostics
    assert _shown(after_cache) == _shown(after_fresh)
    assert parsed == [path, path]  # the edited file only, once per project


class _Started(Executor):
    """A pool whose chunks all run in its worker processes: none is left for the server."""

    def __init__(self, pool: Executor) -> None:
        self.pool = pool

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        started: Future[T] = Future()
        started.set_running_or_notify_cancel()

        def copy(done: Future[T]) -> None:
            error = done.exception()
            if error is not None:
                started.set_exception(error)
            else:
                started.set_result(done.result())

        self.pool.submit(fn, *args, **kwargs).add_done_callback(copy)
        return started

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait, cancel_futures=cancel_futures)


class _Idle(Executor):
    """A pool whose workers never start: the server takes every chunk back."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return Future()


class _Broken(Executor):
    """A pool whose worker died on the first chunk."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        died: Future[T] = Future()
        died.set_running_or_notify_cancel()
        died.set_exception(BrokenProcessPool("a worker died"))
        return died


def _parsed_here(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files this process parses from now on."""
    parsed: list[Path] = []
    real_load, real_update = Linter.load, Linter.update
    monkeypatch.setattr(Linter, "load", lambda self, path, display: (
        parsed.append(path), real_load(self, path, display))[1])
    monkeypatch.setattr(Linter, "update", lambda self, path, display, content: (
        parsed.append(path), real_update(self, path, display, content))[1])
    return parsed


def _assert_same_load(shared: Project, alone: Project) -> None:
    assert shared.snapshot is not None and alone.snapshot is not None
    assert _shown(shared.snapshot.result.diagnostics) == _shown(alone.snapshot.result.diagnostics)
    assert sorted(shared.snapshot.specs) == sorted(alone.snapshot.specs)
    assert list(shared.graph().entities) == list(alone.graph().entities)


@pytest.mark.parametrize("pool", ["workers", "idle", "broken", "unavailable"])
def test_a_load_shared_with_worker_processes_equals_a_load_in_one_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool: str) -> None:
    root = example_project(tmp_path)
    alone = _first_load(root)
    assert alone.snapshot is not None
    codes = {each.code for each in alone.snapshot.result.diagnostics}
    assert {"E004", "E005", "G102"} <= codes  # project rules found something to compare
    # Every file counts as "many" and is a chunk of its own, on a machine with two cores.
    monkeypatch.setattr(incremental, "MANY_FILES", 1)
    monkeypatch.setattr(incremental, "CHUNK", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    made: list[int] = []

    def worker_pool(linter: Linter, workers: int, method: str) -> Executor:
        made.append(workers)
        if pool == "unavailable":
            raise OSError("no semaphores here")
        return {"idle": _Idle(), "broken": _Broken()}.get(pool) or _Started(
            real_worker_pool(linter, workers, method))

    real_worker_pool = incremental.worker_pool
    monkeypatch.setattr(incremental, "worker_pool", worker_pool)
    parsed = _parsed_here(monkeypatch)
    shared = _first_load(root)
    assert made == [1]  # one worker: this process is the other parser
    files = sorted(alone.snapshot.specs)
    # Without workers (or when one died, file by file again) this process parses every file.
    assert sorted(parsed) == ([] if pool == "workers" else files)
    _assert_same_load(shared, alone)
    # The findings a worker sent back serve the next edit as if this process had made them.
    path = root / "sales.kpi.yaml"
    edited = path.read_bytes().replace(b"unit: percent", b"unit: count", 1)
    after_shared = shared.lint({path: edited}, False).snapshot.result.diagnostics
    after_alone = alone.lint({path: edited}, False).snapshot.result.diagnostics
    assert _shown(after_shared) == _shown(after_alone)


# --- a large project in the real server -----------------------------------------------------------

LAST = f"teams/team{incremental.MANY_FILES - 1:03}.kpi.yaml"


def team(number: int) -> str:
    """A team file with ids of its own (``leads-N``, ``mql-rate-N``)."""
    return GOOD_TEAM.replace("id: leads", f"id: leads-{number}").replace(
        "mql-rate", f"mql-rate-{number}")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """As many team files as make the server parse in worker processes; the last one defines
    the first one's KPI again (E004, S214) and names a KSF with a typo (E005, and so G102)."""
    files: dict[str, str | bytes] = {"kpilint.toml": f'today = "{TODAY}"\n',
                                     "company.kpi.yaml": COMPANY}
    for number in range(incremental.MANY_FILES):
        files[f"teams/team{number:03}.kpi.yaml"] = team(number)
    files[LAST] = team(0).replace("id: mql-rate-0", "id: mql-rate-last").replace(
        "nurture-leads", "nurture-leadz")
    return write_files(tmp_path / "goals", files)


@pytest.mark.asyncio
async def test_the_first_diagnostics_of_a_large_project_are_the_whole_projects(
        client: RecordingClient, workspace: Path) -> None:
    uri = open_document(client, workspace / LAST)
    published = await wait_for(client, uri, accept=version(1))
    assert next(each for each in client.published if each.uri == uri) is published
    check = subprocess.run([sys.executable, "-m", "kpilint", "check", "--output-format", "json",
                            "--exit-zero", "--no-cache"], cwd=workspace, check=True,
                           capture_output=True, text=True)
    expected = [(each["code"], each["line"] - 1, each["column"] - 1, each["end_line"] - 1,
                 each["end_column"] - 1, each["message"])
                for each in json.loads(check.stdout)["diagnostics"] if each["path"] == LAST]
    assert [(*each, diagnostic.message) for each, diagnostic in zip(
        summary(published.diagnostics), published.diagnostics, strict=True)] == expected
    # Among them the project rules' findings, which need every other file of the project.
    assert [each[:5] for each in expected if each[0] in ("E004", "E005", "G102", "S214")] == [
        ("E004", 2, 8, 2, 15), ("S214", 4, 16, 4, 80), ("G102", 15, 4, 15, 21),
        ("E005", 17, 14, 17, 27)]
    assert "already used by the KPI at teams/team000.kpi.yaml:3" in expected[1][5]
