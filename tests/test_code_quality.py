"""The code stays clean: ruff and mypy --strict run over the sources."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _tool(name: str) -> str:
    """The tool installed beside the Python running the tests (a venv of the lowest supported
    versions checks with its own ruff and mypy), else the one in the repository's ``.venv``."""
    path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(
        name, path=str(REPO / ".venv" / "bin"))
    if path is None:
        pytest.skip(f"{name} is not installed (it comes with the test extras)")
    return path


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "src", "tests", "benchmarks", "fuzz"],
                            cwd=REPO,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    result = subprocess.run([_tool("mypy"), "--strict", "src"], cwd=REPO, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
