"""The pre-commit hook, run by pre-commit itself (`pre-commit try-repo`) on a temp git repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, write_files

pytestmark = pytest.mark.slow

BAD = """\
version: 1
kgis:
  - id: revenue
    name: Annual revenue
kpis:
  - id: leads
    name: Leads per month
    supports: revnue
"""
GOOD = BAD.replace("supports: revnue", "supports: revenue")
CONFIG = 'select = ["E", "G"]\nignore = ["G103"]\nexclude = ["legacy/**"]\n'


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this repository at HEAD: what `pre-commit try-repo` installs the hook from."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    clone = tmp_path_factory.mktemp("hook") / "kpilint"
    _git("clone", "-q", str(REPO), str(clone), cwd=REPO)
    return clone


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One pre-commit cache for the module, so the hook's environment is built once."""
    yield tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(hook_repo: Path, home: Path, project: Path,
              *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "kpilint",
         "--files", *files],
        cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False)


@pytest.fixture
def git_project(tmp_path: Path) -> Path:
    _git("init", "-q", cwd=tmp_path)
    write_files(tmp_path, {"kpilint.toml": CONFIG})
    return tmp_path


def test_bad_spec_fails_and_good_spec_passes(hook_repo: Path, pre_commit_home: Path,
                                             git_project: Path) -> None:
    write_files(git_project, {"team.kpi.yaml": BAD})
    _git("add", "-A", cwd=git_project)
    failed = _try_repo(hook_repo, pre_commit_home, git_project, "team.kpi.yaml")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "team.kpi.yaml:8:15: E005 [error] `supports` of KPI 'leads' names 'revnue'" in (
        failed.stdout)
    assert "Failed" in failed.stdout
    write_files(git_project, {"team.kpi.yaml": GOOD})
    _git("add", "-A", cwd=git_project)
    passed = _try_repo(hook_repo, pre_commit_home, git_project, "team.kpi.yaml")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_project_excludes_hold_for_files_pre_commit_names(
        hook_repo: Path, pre_commit_home: Path, git_project: Path) -> None:
    write_files(git_project, {"legacy/old.kpi.yaml": BAD})
    _git("add", "-A", cwd=git_project)
    result = _try_repo(hook_repo, pre_commit_home, git_project, "legacy/old.kpi.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_other_yaml_files_pass_through_the_hook(hook_repo: Path, pre_commit_home: Path,
                                                git_project: Path) -> None:
    write_files(git_project, {"notes.yaml": "not: [a spec", "team.kpi.yaml": GOOD})
    _git("add", "-A", cwd=git_project)
    result = _try_repo(hook_repo, pre_commit_home, git_project, "notes.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kpilint" in result.stdout and "Passed" in result.stdout


def test_custom_include_globs_and_gitignore_decide_what_the_hook_lints(
        hook_repo: Path, pre_commit_home: Path, tmp_path: Path) -> None:
    _git("init", "-q", cwd=tmp_path)
    write_files(tmp_path, {
        "kpilint.toml": 'include = ["goals/*.yaml"]\nselect = ["E", "G"]\nignore = ["G103"]\n',
        "goals/q1.yaml": BAD,
        "notes.yaml": "not: [a spec",
        "generated/.gitignore": "*\n",
        "generated/q2.yaml": BAD.replace("leads", "calls").replace("revenue", "rev2"),
    })
    _git("add", "-A", "-f", cwd=tmp_path)
    linted = _try_repo(hook_repo, pre_commit_home, tmp_path, "goals/q1.yaml", "notes.yaml")
    assert linted.returncode == 1, linted.stdout + linted.stderr
    assert "goals/q1.yaml:8:15: E005 [error] `supports` of KPI 'leads' names 'revnue'" in (
        linted.stdout)
    assert "notes.yaml" not in linted.stdout
    skipped = _try_repo(hook_repo, pre_commit_home, tmp_path, "notes.yaml", "generated/q2.yaml")
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr


def test_the_documented_local_hook_works_as_written(pre_commit_home: Path, tmp_path: Path) -> None:
    guide = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    snippet = guide.split("```yaml\n# .pre-commit-config.yaml\n", 1)[1].split("```", 1)[0]
    _git("init", "-q", cwd=tmp_path)
    write_files(tmp_path, {".pre-commit-config.yaml": snippet, "kpilint.toml": CONFIG,
                           "team.kpi.yaml": BAD, "notes.yaml": "not: [a spec"})
    _git("add", "-A", cwd=tmp_path)
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "NO_COLOR": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("GITHUB_ACTIONS", None)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--files", "team.kpi.yaml", "notes.yaml"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "team.kpi.yaml:8:15: E005 [error] `supports` of KPI 'leads' names 'revnue'" in (
        result.stdout)
    assert "notes.yaml" not in result.stdout.replace("--files", "")
