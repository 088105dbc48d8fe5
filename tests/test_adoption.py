"""Adoption helpers (README "Other adoption helpers", SPEC §6-7): per-file-ignores,
`--statistics`, `--show-settings` and `kpilint init`, through the real CLI.
"""

from __future__ import annotations

import datetime
import json
import tomllib
from pathlib import Path

import pytest

from kpilint import registry
from tests.conftest import TODAY, run_kpilint, write_files

VANITY = """
    version: 1
    kpis:
      - id: views
        name: Page views
    """
BROKEN = "version: 1\nkpis:\n  - id: a\n    name: a: b\n"


# --- per-file-ignores -------------------------------------------------------------------------


def ignores_project(root: Path, selectors: str) -> Path:
    write_files(root, {
        "kpilint.toml": f"""
            today = "{TODAY}"
            select = ["E001", "P301", "S201", "S204"]
            [per-file-ignores]
            "legacy/*.kpi.yaml" = [{selectors}]
            """,
        "a.kpi.yaml": VANITY,
        "legacy/old.kpi.yaml": VANITY,
        "legacy/deep/older.kpi.yaml": VANITY,
    })
    return root


def test_per_file_ignores_codes_prefixes_and_names(project: Path) -> None:
    ignores_project(project, '"S2", "vanity-metric"')
    run = run_kpilint("check", "--output-format", "json", cwd=project)
    assert run.code == 1
    # legacy/old.kpi.yaml is silent; the top-level file and the deeper one (`*` stops at `/`)
    # keep every finding
    assert run.findings() == [
        ("a.kpi.yaml", "S201", 3, 5), ("a.kpi.yaml", "S204", 3, 5), ("a.kpi.yaml", "P301", 4, 11),
        ("legacy/deep/older.kpi.yaml", "S201", 3, 5),
        ("legacy/deep/older.kpi.yaml", "S204", 3, 5),
        ("legacy/deep/older.kpi.yaml", "P301", 4, 11),
    ]
    assert run.json()["summary"]["files"] == 3


@pytest.mark.parametrize("selectors", ['"P301"', '"P3"', '"P"', '"vanity-metric"'])
def test_per_file_ignores_each_kind_of_selector(project: Path, selectors: str) -> None:
    ignores_project(project, selectors)
    run = run_kpilint("check", "--output-format", "json", "--select", "P301", cwd=project)
    assert run.findings() == [("a.kpi.yaml", "P301", 4, 11),
                              ("legacy/deep/older.kpi.yaml", "P301", 4, 11)]


def test_per_file_ignores_globs_are_relative_to_the_root(project: Path) -> None:
    ignores_project(project, '"ALL"')
    # run from inside legacy/: the glob still means <root>/legacy/*.kpi.yaml
    run = run_kpilint("check", "--output-format", "json", cwd=project / "legacy")
    assert run.findings() == [("deep/older.kpi.yaml", "S201", 3, 5),
                              ("deep/older.kpi.yaml", "S204", 3, 5),
                              ("deep/older.kpi.yaml", "P301", 4, 11)]
    # a file named explicitly is matched by its root-relative path as well
    named = run_kpilint("check", "--output-format", "json", "old.kpi.yaml",
                        cwd=project / "legacy")
    assert (named.code, named.findings()) == (0, [])


def test_per_file_ignores_pattern_without_slash_matches_at_any_depth(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": f"""
            today = "{TODAY}"
            select = ["P301", "S201"]
            [per-file-ignores]
            "*.draft.kpi.yaml" = ["missing-target"]
            """,
        "team/x.draft.kpi.yaml": VANITY,
        "x.kpi.yaml": VANITY,
    })
    run = run_kpilint("check", "--output-format", "json", cwd=project)
    assert run.findings() == [("team/x.draft.kpi.yaml", "P301", 4, 11),
                              ("x.kpi.yaml", "S201", 3, 5), ("x.kpi.yaml", "P301", 4, 11)]


def test_per_file_ignores_never_hide_e001(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": f"""
            today = "{TODAY}"
            [per-file-ignores]
            "legacy/*.kpi.yaml" = ["ALL", "E", "E001", "invalid-yaml"]
            """,
        "legacy/broken.kpi.yaml": BROKEN,
        "legacy/old.kpi.yaml": VANITY,
    })
    run = run_kpilint("check", "--output-format", "json", cwd=project)
    assert run.code == 1
    assert run.findings() == [("legacy/broken.kpi.yaml", "E001", 4, 12)]


def test_per_file_ignores_apply_to_suppression_comment_findings(project: Path) -> None:
    # Only E001 and X002 cannot be ignored: X001 and X004 about comments in legacy files can.
    spec = ("version: 1\nkpis:\n  - id: rate\n"
            "    name: Engagement rate per post  # kpilint: disable=P301\n")
    write_files(project, {
        "kpilint.toml": f"""
            today = "{TODAY}"
            select = ["P301", "X"]
            require-suppression-reason = true
            [per-file-ignores]
            "legacy/*.kpi.yaml" = ["unused-suppression", "X004"]
            """,
        "a.kpi.yaml": spec,
        "legacy/a.kpi.yaml": spec,
    })
    run = run_kpilint("check", "--output-format", "json", cwd=project)
    assert run.findings() == [("a.kpi.yaml", "X001", 4, 37), ("a.kpi.yaml", "X004", 4, 37)]


def test_per_file_ignores_bad_selector_is_a_config_error(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": '[per-file-ignores]\n"legacy/*.kpi.yaml" = ["vanity-metrics"]\n',
        "a.kpi.yaml": VANITY,
    })
    run = run_kpilint("check", cwd=project)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        f"kpilint: error: {project.resolve() / 'kpilint.toml'}: key"
        " `per-file-ignores.legacy/*.kpi.yaml`: 'vanity-metrics' matches no rule (did you mean"
        " 'vanity-metric'?)\n")


# --- --statistics -----------------------------------------------------------------------------


def statistics_project(root: Path) -> Path:
    rates = "".join(
        f"  - id: rate-{index}\n    name: Conversion rate {index} per week\n"
        "    definition: Share of weekly visitors who sign up, from web analytics.\n"
        for index in range(9))
    write_files(root, {
        "kpilint.toml": f"""
            today = "{TODAY}"
            select = ["E005", "P301", "S201", "S204"]
            [severity]
            vanity-metric = "error"
            """,
        "a.kpi.yaml": "version: 1\nkpis:\n" + rates,
        "b.kpi.yaml": """
            version: 1
            kpis:
              - id: views
                name: Page views
              - id: likes
                name: Post likes
                supports: nope
            """,
    })
    return root


def test_statistics_text(project: Path) -> None:
    statistics_project(project)
    run = run_kpilint("check", "--statistics", cwd=project)
    assert run.code == 1
    assert run.stderr == ""
    # S201: 9 + 2; P301 and S204 tie at 2 (code order); E005 1
    assert run.stdout == (
        "11  S201  [error]  missing-target\n"
        " 2  P301  [error]  vanity-metric\n"
        " 2  S204  [warning]  vague-definition\n"
        " 1  E005  [error]  unknown-reference\n"
        "16 findings in 2 files\n")


def test_statistics_json(project: Path) -> None:
    statistics_project(project)
    run = run_kpilint("check", "--statistics", "--output-format", "json", cwd=project)
    assert run.code == 1
    assert json.loads(run.stdout) == [
        {"code": "S201", "name": "missing-target", "severity": "error", "count": 11},
        {"code": "P301", "name": "vanity-metric", "severity": "error", "count": 2},
        {"code": "S204", "name": "vague-definition", "severity": "warning", "count": 2},
        {"code": "E005", "name": "unknown-reference", "severity": "error", "count": 1},
    ]


def test_statistics_count_only_reported_findings(project: Path) -> None:
    statistics_project(project)
    run = run_kpilint("check", "--statistics", "--select", "P301,S204", "b.kpi.yaml",
                      cwd=project)
    assert run.stdout == (
        "2  P301  [error]  vanity-metric\n"
        "2  S204  [warning]  vague-definition\n"
        "4 findings in 1 file\n")
    clean = run_kpilint("check", "--statistics", "--select", "P301", "a.kpi.yaml", cwd=project)
    assert (clean.code, clean.stdout) == (0, "No findings.\n")
    empty = run_kpilint("check", "--statistics", "--output-format", "json", "--select", "P301",
                        "a.kpi.yaml", cwd=project)
    assert (empty.code, json.loads(empty.stdout)) == (0, [])


# --- --show-settings --------------------------------------------------------------------------


SETTINGS_CONFIG = """\
include = ["**/*.kpi.yaml", "goals/*.yaml"]
select = ["S", "P301"]
ignore = ["S206"]
fail-on = "error"
today = 2026-11-23

[severity]
vanity-metric = "error"

[rules.too-many-kpis]
max = 4

[rules.S204]
min-length = 10
"""


def settings_rows(stdout: str) -> dict[str, list[str]]:
    """Rows per section ("" for the top level)."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in stdout.splitlines():
        if line.startswith("["):
            current = line
            sections[current] = []
        elif line:
            sections[current].append(line)
    return sections


def test_show_settings_origins_from_the_config_file(project: Path) -> None:
    write_files(project, {"kpilint.toml": SETTINGS_CONFIG, "broken.kpi.yaml": BROKEN})
    config_path = project.resolve() / "kpilint.toml"
    run = run_kpilint("check", "--show-settings", cwd=project)
    assert (run.code, run.stderr) == (0, "")
    rows = settings_rows(run.stdout)
    top = rows[""]
    assert top[:2] == [f"# project root: {project.resolve()}", f"# config file: {config_path}"]
    for row in [
        f'include = ["**/*.kpi.yaml", "goals/*.yaml"]  # {config_path}',
        f'select = ["S", "P301"]  # {config_path}',
        f'ignore = ["S206"]  # {config_path}',
        f'fail-on = "error"  # {config_path}',
        f"today = 2026-11-23  # {config_path}",
        "force-exclude = false  # default",
        "respect-gitignore = true  # default",
        "allow-suppressions = true  # default",
    ]:
        assert row in top, row
    assert f'P301 = "error"  # vanity-metric, {config_path}' in rows["[severity]"]
    assert 'S203 = "warning"  # missing-baseline, default' in rows["[severity]"]
    assert f"max = 4  # {config_path}" in rows["[rules.too-many-kpis]"]
    assert 'per = ["kgi"]  # default' in rows["[rules.too-many-kpis]"]
    assert f"min-length = 10  # {config_path}" in rows["[rules.vague-definition]"]
    assert "max-age-days = 183  # default" in rows["[rules.stale-review]"]
    # nothing was linted: the broken file is not reported
    assert "broken.kpi.yaml" not in run.stdout
    assert "Found" not in run.stdout and "All checks passed" not in run.stdout


def test_show_settings_origins_from_the_command_line(project: Path) -> None:
    write_files(project, {"kpilint.toml": SETTINGS_CONFIG, "broken.kpi.yaml": BROKEN})
    run = run_kpilint("check", "--show-settings", "--select", "P301", "--fail-on", "info",
                      "--today", "2026-01-01", "--ignore", "S2", cwd=project)
    assert (run.code, run.stderr) == (0, "")
    top = settings_rows(run.stdout)[""]
    config_path = project.resolve() / "kpilint.toml"
    assert tomllib.loads(run.stdout)["select"] == ["P301"]  # valid TOML: each key once
    for row in [
        'select = ["P301"]  # command line',
        f'ignore = ["S206", "S2"]  # {config_path} + command line',
        'fail-on = "info"  # command line',
        "today = 2026-01-01  # command line",
        f"# 3 of {len(registry.all_rules())} rules enabled: E001, P301, X002",
    ]:
        assert row in top, row
    assert "broken.kpi.yaml" not in run.stdout


def test_show_settings_defaults_without_a_config(tmp_path: Path) -> None:
    run = run_kpilint("check", "--show-settings", cwd=tmp_path)
    assert (run.code, run.stderr) == (0, "")
    rows = settings_rows(run.stdout)
    top = rows[""]
    assert "# config file: none (all defaults)" in top
    shown = run_kpilint("check", "--show-settings", "--select", "G1", cwd=tmp_path)
    assert 'select = ["G1"]  # command line' in settings_rows(shown.stdout)[""]
    for row in [
        'include = ["**/*.kpi.yaml", "**/*.kpi.yml", "**/kpis.yaml", "**/kpis.yml"]  # default',
        'select = ["ALL"]  # default',
        'fail-on = "warning"  # default',
        f"today = {datetime.date.today().isoformat()}  # default: the system date",
    ]:
        assert row in top, row
    assert 'P301 = "warning"  # vanity-metric, default' in rows["[severity]"]
    assert "max = 5  # default" in rows["[rules.too-many-kpis]"]
    assert "max-file-bytes = 10485760  # default" in rows["[limits]"]


# --- kpilint init -----------------------------------------------------------------------------


def test_init_writes_a_project_that_passes(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    run = run_kpilint("init", cwd=root)
    assert (run.code, run.stderr) == (0, "")
    assert run.stdout == ("Wrote kpilint.toml\nWrote goals.kpi.yaml\n"
                          "Next: edit goals.kpi.yaml, then run `kpilint check`.\n")
    assert sorted(path.name for path in root.iterdir()) == ["goals.kpi.yaml", "kpilint.toml"]
    check = run_kpilint("check", cwd=root)
    assert (check.code, check.stdout, check.stderr) == (
        0, "All checks passed (1 file checked).\n", "")
    as_json = run_kpilint("check", "--output-format", "json", "--fail-on", "info", cwd=root)
    assert as_json.code == 0
    assert as_json.json()["diagnostics"] == []


def test_init_into_a_named_directory(tmp_path: Path) -> None:
    (tmp_path / "goals").mkdir()
    run = run_kpilint("init", "goals", cwd=tmp_path)
    assert run.code == 0
    assert run.stdout.splitlines()[:2] == ["Wrote goals/kpilint.toml",
                                           "Wrote goals/goals.kpi.yaml"]
    assert run_kpilint("check", "goals", cwd=tmp_path).code == 0


@pytest.mark.parametrize("existing", ["kpilint.toml", "goals.kpi.yaml"])
def test_init_never_overwrites(tmp_path: Path, existing: str) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    mine = "# my own file\n"
    (root / existing).write_text(mine, encoding="utf-8")
    run = run_kpilint("init", "proj", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (f"kpilint: error: {existing} already exists in proj;"
                          " kpilint init never overwrites files\n")
    assert (root / existing).read_text(encoding="utf-8") == mine
    assert [path.name for path in root.iterdir()] == [existing]


def test_init_with_both_files_present(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "# mine\n", "goals.kpi.yaml": "# mine too\n"})
    run = run_kpilint("init", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == ("kpilint: error: kpilint.toml and goals.kpi.yaml already exist in .;"
                          " kpilint init never overwrites files\n")
    assert (tmp_path / "kpilint.toml").read_text(encoding="utf-8") == "# mine\n"
    assert (tmp_path / "goals.kpi.yaml").read_text(encoding="utf-8") == "# mine too\n"


def test_init_missing_directory_is_exit_2(tmp_path: Path) -> None:
    run = run_kpilint("init", "missing", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == "kpilint: error: missing: no such directory\n"
    assert not (tmp_path / "missing").exists()
