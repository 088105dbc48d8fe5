"""SPEC 10.4: files in other KPI formats get one E002 naming the format and the next step, and a
run that checks no spec file is exit 2 (real CLI runs on real files)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, run_kpilint, write_files

FIXTURES = REPO / "tests" / "fixtures" / "formats"
INCLUDE = "**/*.kpi.yaml, **/*.kpi.yml, **/kpis.yaml, **/kpis.yml"

GITLAB = ("this looks like GitLab handbook performance indicators (a list of indicators with"
          " name, is_key, org, health, target), not a kpilint v1 spec: read it as it is with"
          " `--dialect gitlab-pi` (or map its glob to \"gitlab-pi\" in the config's `[dialects]`"
          " table), or convert it once with"
          " `kpilint convert --from gitlab-pi FILE --output-dir DIR`")
DBT = ("this looks like a dbt semantic layer file (top-level `metrics` or `semantic_models`), not"
       " a kpilint v1 spec: keep the metric in dbt and link the KPI it measures with"
       " `source: dbt:<metric_name>` in a spec file; kpilint checks that the metric exists")
OPENSLO = ("this looks like an OpenSLO document (`apiVersion: openslo/...`), not a kpilint v1"
           " spec: kpilint does not read SLOs; describe the KPI the objective serves in a spec"
           " file (`version: 1` with kgis, ksfs, kpis), or leave this file out of the run"
           " (config `extend-exclude`)")
OKR = ("this looks like an OKR file (objectives with key results), not a kpilint v1 spec:"
       " rewrite it as a spec file (`version: 1`): an objective becomes a KGI (or a KSF under"
       " one) and each measurable key result a KPI that supports it")


def findings(tmp_path: Path, *paths: str) -> list[tuple[str, str, int, int, str]]:
    run = run_kpilint("check", "--output-format", "json", *paths, cwd=tmp_path)
    assert run.code == 1, run.stderr
    return [(d["path"], d["code"], d["line"], d["column"], d["message"])
            for d in run.json()["diagnostics"]]


@pytest.mark.parametrize(("name", "message"), [
    ("gitlab_pi.yml", GITLAB), ("dbt_metrics.yml", DBT), ("openslo.yaml", OPENSLO),
    ("okrs.yaml", OKR)])
def test_a_foreign_format_gets_one_finding_at_the_start(tmp_path: Path, name: str,
                                                        message: str) -> None:
    shutil.copy(FIXTURES / name, tmp_path / name)
    assert findings(tmp_path, name) == [(name, "E002", 1, 1, message)]


def test_a_foreign_files_comments_are_not_read_and_fix_leaves_it_alone(tmp_path: Path) -> None:
    """Its suppression comments were written for its dialect: no X001 for them, nothing to
    fix, and read in that dialect they suppress as they should."""
    shutil.copy(REPO / "examples" / "gitlab-pi" / "sales.yml", tmp_path / "sales.yml")
    okr = ("objectives:\n  - name: Grow\n    key_results:\n"
           "      - name: KR1  # kpilint: disable=S206\n")
    write_files(tmp_path, {"okrs.kpi.yaml": okr})
    before = (tmp_path / "sales.yml").read_bytes()
    for args in (("--no-cache",), (), ()):  # uncached, writing the cache, from the cache
        assert findings(tmp_path, "sales.yml", "okrs.kpi.yaml", *args) == [
            ("okrs.kpi.yaml", "E002", 1, 1, OKR), ("sales.yml", "E002", 1, 1, GITLAB)]
    fix = run_kpilint("check", "--fix", "sales.yml", "okrs.kpi.yaml", cwd=tmp_path)
    assert (fix.code, fix.stderr) == (1, "")
    assert (tmp_path / "sales.yml").read_bytes() == before
    assert (tmp_path / "okrs.kpi.yaml").read_text("utf-8") == okr
    read = run_kpilint("check", "--dialect", "gitlab-pi", "--show-suppressed", "--select", "S206",
                       "--output-format", "json", "sales.yml", cwd=tmp_path)
    assert [(each["code"], each["line"]) for each in read.json()["suppressed"]] == [("S206", 70)]


def test_the_text_output_names_the_format_and_the_dialect_option(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "gitlab_pi.yml", tmp_path / "gitlab_pi.yml")
    run = run_kpilint("check", "gitlab_pi.yml", cwd=tmp_path)
    assert (run.code, run.stderr) == (1, "")
    assert run.stdout == (f"gitlab_pi.yml:1:1: E002 [error] {GITLAB}\n"
                          "Found 1 problem (1 error, 0 warnings, 0 infos) in 1 file.\n")


def test_a_json_list_of_indicators_is_gitlab_pi(tmp_path: Path) -> None:
    write_files(tmp_path, {"pi.json": '[{"name": "Revenue", "target": "At or above $10M"}]\n'})
    assert findings(tmp_path, "pi.json") == [("pi.json", "E002", 1, 1, GITLAB)]


def test_dbt_is_recognised_whatever_its_version(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "v1.yaml": "version: 1\nsemantic_models:\n  - name: orders\n",
        "none.yaml": "metrics:\n  - name: revenue\n",
    })
    assert findings(tmp_path, "v1.yaml", "none.yaml") == [
        ("none.yaml", "E002", 1, 1, DBT), ("v1.yaml", "E002", 1, 1, DBT)]


def test_a_multi_document_openslo_file_gets_one_finding(tmp_path: Path) -> None:
    text = (FIXTURES / "openslo.yaml").read_text(encoding="utf-8")
    write_files(tmp_path, {"slos.yaml": f"{text}---\n{text.replace('SLO', 'SLI', 1)}"})
    assert findings(tmp_path, "slos.yaml") == [("slos.yaml", "E002", 1, 1, OPENSLO)]


def test_okrs_key_is_recognised_too(tmp_path: Path) -> None:
    write_files(tmp_path, {"okrs.yaml": """\
        okrs:
          - objective: Be the fastest support team in the market
            keyResults:
              - Median first response under 30 minutes
        """})
    assert findings(tmp_path, "okrs.yaml") == [("okrs.yaml", "E002", 1, 1, OKR)]


def test_a_v1_spec_with_a_stray_key_keeps_the_per_key_messages(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.kpi.yaml": """\
        version: 1
        objectives:
          - title: Grow
            key_results: [More]
        kpis: []
        """})
    assert findings(tmp_path, "a.kpi.yaml") == [
        ("a.kpi.yaml", "E002", 2, 1,
         "unknown key `objectives` at the top level (extension keys start with `x-`)")]


def test_a_mapping_that_matches_no_format_keeps_todays_messages(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "plain_metrics.yaml", tmp_path / "plain_metrics.yaml")
    assert findings(tmp_path, "plain_metrics.yaml") == [
        ("plain_metrics.yaml", "E002", 1, 1,
         "unknown key `metrics_owner` at the top level (extension keys start with `x-`)"),
        ("plain_metrics.yaml", "E002", 1, 1,
         "missing required field `version`: add `version: 1` at the top"),
        ("plain_metrics.yaml", "E002", 2, 1,
         "unknown key `indicators` at the top level (extension keys start with `x-`)")]


def test_a_list_of_plain_items_is_not_gitlab(tmp_path: Path) -> None:
    write_files(tmp_path, {"list.yaml": "- name: Revenue\n  owner: cfo\n"})
    [(path, code, line, column, message)] = findings(tmp_path, "list.yaml")
    assert (path, code, line, column) == ("list.yaml", "E002", 1, 1)
    assert message.startswith("a top-level list is not a kpilint v1 spec")


# -- runs that check nothing (SPEC 10.4) --

def no_spec_file(root: str, include: str = INCLUDE) -> str:
    return (f"kpilint: error: no spec file to check: searched {root} (include: {include}); name"
            " a spec file, or set `include` in the config (`kpilint check --show-settings`"
            " shows the settings)\n")


@pytest.mark.parametrize("command", [["check"], ["graph"], ["baseline", "known.json"]])
def test_a_run_that_checks_nothing_is_exit_2(tmp_path: Path, command: list[str]) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "notes/readme.yaml": "a: 1\n"})
    run = run_kpilint(*command, cwd=tmp_path)
    assert (run.code, run.stdout, run.stderr) == (2, "", no_spec_file("."))
    assert not (tmp_path / "known.json").exists()


def test_the_error_names_each_root_and_its_include_globs(tmp_path: Path) -> None:
    write_files(tmp_path, {"a/kpilint.toml": 'include = ["goals/*.yaml"]\n',
                           "b/kpilint.toml": ""})
    run = run_kpilint("check", "a", "b", "--exit-zero", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        "kpilint: error: no spec file to check: searched a (include: goals/*.yaml),"
        f" b (include: {INCLUDE}); name a spec file, or set `include` in the config"
        " (`kpilint check --show-settings` shows the settings)\n")


def test_the_error_names_the_folders_searched_not_their_project(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "teams/sales/notes.yaml": "a: 1\n",
                           "teams/ops/readme.md": "x\n"})
    run = run_kpilint("check", "teams/sales", "teams/ops", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == no_spec_file("teams/sales, teams/ops")
    run = run_kpilint("check", "sales", cwd=tmp_path / "teams")
    assert (run.code, run.stderr) == (2, no_spec_file("sales"))


def test_a_file_that_was_read_counts_as_checked(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "kpis.yaml": "version: [\n"})
    run = run_kpilint("check", "--output-format", "concise", cwd=tmp_path)
    assert run.code == 1
    assert run.stdout.startswith("kpis.yaml:2:1: E001 ")


def test_force_exclude_leaving_out_every_named_file_is_a_note(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "force-exclude = true\n",
                           ".pre-commit-config.yaml": "repos: []\n"})
    run = run_kpilint("check", ".pre-commit-config.yaml", cwd=tmp_path)
    assert (run.code, run.stdout) == (0, "All checks passed (0 files checked).\n")
    assert run.stderr == ("kpilint: note: no spec file checked: the named files are not among"
                          " the project's spec files (include, exclude, force-exclude)\n")


def test_stdin_outside_include_is_a_note(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "force-exclude = true\n"})
    run = run_kpilint("check", "--stdin-filename", "ci.yaml", "-", cwd=tmp_path, stdin="a: 1\n")
    assert (run.code, run.stdout) == (0, "All checks passed (0 files checked).\n")
    assert run.stderr == ("kpilint: note: no spec file checked: ci.yaml (from stdin) is not"
                          " among the project's spec files (include, exclude, force-exclude)\n")


def test_a_named_directory_without_spec_files_is_exit_2_even_with_force_exclude(
        tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "force-exclude = true\n", "docs/a.md": "x\n"})
    run = run_kpilint("check", "docs", cwd=tmp_path)
    assert (run.code, run.stdout, run.stderr) == (2, "", no_spec_file("docs"))
