"""Every rule page in rules/ is complete, matches its rule, and its examples behave as shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kpilint import registry
from tests.conftest import REPO, TODAY, run_kpilint

PAGES = REPO / "rules"
FENCE = re.compile(r"^```(\w+) (bad|good|config)\n(.*?)^```$", re.S | re.M)
FILE_FENCE = re.compile(r"^```\w+ file=(\S+)\n(.*?)^```$", re.S | re.M)
EXPECT = re.compile(r"(?:#|--)\s*expect:\s*([A-Z]\d{3})")
SECTIONS = ["## What it does", "## Why is this bad?", "## Options", "## How to fix", "## Example"]


def front_matter(text: str) -> dict[str, str]:
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert match, "page has no front matter"
    pairs = (line.split(":", 1) for line in match[1].splitlines())
    return {key.strip(): value.strip() for key, value in pairs}


def blocks(text: str) -> dict[str, str]:
    return {kind: body for _, kind, body in FENCE.findall(text)}


RULES = registry.all_rules()


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_page_matches_rule(rule: type) -> None:
    page = PAGES / f"{rule.name}.md"
    assert page.is_file(), f"rules/{rule.name}.md is missing"
    text = page.read_text(encoding="utf-8")
    meta = front_matter(text)
    assert meta == {"code": rule.code, "name": rule.name, "severity": rule.severity.label,
                    "summary": rule.summary}
    assert f"# {rule.name} ({rule.code})" in text
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    for option in rule.options:
        assert f"`{option}`" in text, f"option {option} is not documented"


def _run_example(tmp_path: Path, code: str, example: str, config: str,
                 page: str = "") -> list[int]:
    (tmp_path / "kpilint.toml").write_text(f'today = "{TODAY}"\n{config}', encoding="utf-8")
    for relative, body in FILE_FENCE.findall(page):  # other files the examples need (dbt...)
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(body, encoding="utf-8")
    (tmp_path / "example.kpi.yaml").write_text(example, encoding="utf-8")
    run = run_kpilint("check", "--output-format", "json", "--exit-zero", cwd=tmp_path)
    assert run.code == 0, run.stderr
    return sorted(d["line"] for d in run.json()["diagnostics"] if d["code"] == code)


RUNNABLE = [rule for rule in RULES
            if "```yaml bad" in (PAGES / f"{rule.name}.md").read_text(encoding="utf-8")]


@pytest.mark.parametrize("rule", RUNNABLE, ids=[rule.code for rule in RUNNABLE])
def test_bad_example_fires_where_marked(rule: type, tmp_path: Path) -> None:
    page = (PAGES / f"{rule.name}.md").read_text(encoding="utf-8")
    examples = blocks(page)
    expected = sorted(
        number for number, line in enumerate(examples["bad"].splitlines(), start=1)
        for code in EXPECT.findall(line) if code == rule.code)
    assert expected, "the bad example marks no line with # expect:"
    assert _run_example(tmp_path, rule.code, examples["bad"], examples.get("config", ""),
                        page) == expected


@pytest.mark.parametrize("rule", RUNNABLE, ids=[rule.code for rule in RUNNABLE])
def test_good_example_is_clean(rule: type, tmp_path: Path) -> None:
    page = (PAGES / f"{rule.name}.md").read_text(encoding="utf-8")
    examples = blocks(page)
    assert "expect:" not in examples["good"]
    assert _run_example(tmp_path, rule.code, examples["good"], examples.get("config", ""),
                        page) == []


def test_pages_without_examples_say_why() -> None:
    for rule in RULES:
        if rule not in RUNNABLE:
            text = (PAGES / f"{rule.name}.md").read_text(encoding="utf-8")
            assert "no runnable example" in text
