"""Shared helpers: temp projects on disk and real runs of the kpilint CLI."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent
from types import ModuleType
from typing import Any

import pytest
import pytest_lsp
from pytest_lsp import client_capabilities

from tests.lsp.client import RecordingClient, initialize, server_config

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-23"


def benchmark_module(name: str) -> ModuleType:
    """A script of ``benchmarks/`` imported as a module (it is not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@dataclass
class Run:
    """The result of one kpilint process."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.stdout)
        return data

    def findings(self) -> list[tuple[str, str, int, int]]:
        """(path, code, line, column) of each JSON diagnostic."""
        return [(d["path"], d["code"], d["line"], d["column"]) for d in self.json()["diagnostics"]]


def run_kpilint(*args: str, cwd: Path, stdin: str | None = None,
                env: dict[str, str] | None = None) -> Run:
    """Run ``python -m kpilint`` as a real subprocess."""
    full_env = {key: value for key, value in os.environ.items() if key != "GITHUB_ACTIONS"}
    full_env.update(env or {})
    process = subprocess.run(
        [sys.executable, "-m", "kpilint", *args], cwd=cwd, capture_output=True, text=True,
        input=stdin, env=full_env, timeout=120, check=False)
    return Run(process.returncode, process.stdout, process.stderr)


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text, dedented, or bytes) under ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project root with a config that pins today's date."""
    (tmp_path / "kpilint.toml").write_text(f'today = "{TODAY}"\n', encoding="utf-8")
    return tmp_path


@pytest_lsp.fixture(config=server_config())
async def client(lsp_client: RecordingClient, workspace: Path) -> AsyncIterator[None]:
    """A language client like VS Code's, initialised on the test module's ``workspace``."""
    await initialize(lsp_client, workspace, client_capabilities("visual-studio-code"))
    yield
    await lsp_client.shutdown_session()
