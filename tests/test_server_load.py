"""The language server's first load of a project: from the result cache of a `kpilint check`
of the root where it has one, with the same findings, models and graph as a load from scratch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kpilint.config import load_config
from kpilint.engine import Linter
from kpilint.server.workspace import Project
from tests.test_engine import _shown, example_project


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
    parsed: list[Path] = []
    real_load, real_update = Linter.load, Linter.update
    monkeypatch.setattr(Linter, "load", lambda self, path, display: (
        parsed.append(path), real_load(self, path, display))[1])
    monkeypatch.setattr(Linter, "update", lambda self, path, display, content: (
        parsed.append(path), real_update(self, path, display, content))[1])
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
