"""The wheel ships the rule pages and schemas and works from a fresh venv outside the repo."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from kpilint.page_text import page_text
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(arg) for arg in args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False)


def test_wheel_in_fresh_venv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, REPO,
                 cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    [wheel] = dist.glob("kpilint-*.whl")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    installed = _run(python, "-m", "pip", "install", "-q", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    kpilint = environment / "bin" / "kpilint"
    page = _run(kpilint, "rule", "G101", cwd=outside)
    assert page.returncode == 0, page.stderr
    assert page.stdout == page_text((REPO / "rules" / "too-many-kpis.md").read_text("utf-8"))
    schema = _run(kpilint, "schema", cwd=outside)
    assert schema.returncode == 0, schema.stderr
    assert schema.stdout == (REPO / "schemas" / "kpi-spec.schema.json").read_text("utf-8")
    where = _run(python, "-c", "import kpilint, sys; print(kpilint.__file__)", cwd=outside)
    assert str(environment) in where.stdout
    spec = outside / "a.kpi.yaml"
    spec.write_text("version: 1\nkpis:\n  - id: x\n    name: X\n", encoding="utf-8")
    checked = _run(kpilint, "check", "--select", "G102", "--output-format", "json", "a.kpi.yaml",
                   cwd=outside)
    assert checked.returncode == 1, checked.stderr
    [finding] = json.loads(checked.stdout)["diagnostics"]
    assert finding["url"] == "https://kpilint.dev/rules/orphan-kpi"
