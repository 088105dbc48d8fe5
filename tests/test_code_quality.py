"""The code stays clean: ruff, mypy --strict, and a README rule table in step with the registry."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from kpilint import registry
from tests.conftest import REPO


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(REPO / ".venv" / "bin")) or shutil.which(
        name, path=str(sys.executable.rsplit("/", 1)[0]))
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


def test_readme_rule_table_matches_registry() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    row = r"^\| ([A-Z]\d{3}) \| \[([a-z-]+)\]\(rules/([a-z-]+)\.md\) \| (\w+) \| (.+) \|$"
    rows = re.findall(row, readme, re.M)
    expected = [(rule.code, rule.name, rule.name, rule.severity.label, rule.summary)
                for rule in registry.all_rules()]
    assert rows == expected, "update the rule table in README.md"
