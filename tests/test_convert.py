"""`kpilint convert --from gitlab-pi` (SPEC 10.5): real CLI runs, exact output files."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

from tests.conftest import REPO, TODAY, run_kpilint, write_files

FIXTURE = REPO / "examples" / "gitlab-pi"
INPUT = """
- name: Uptime  # kpilint: disable=S206 -- status page only
  definition: Minutes the service answered divided by minutes in the month.
  target: At or above 99.9%
  org: Infrastructure
  is_key: true
  dri: Ann
- name: Backlog size
  is_key: false
- name: Hiring plan attainment
  definition: Hires started divided by hires planned for the quarter.
  target: TBD
  org: People
  is_key: true
  sisense_data: {chart: 12, dashboard: 345}
- name: Incident response time
  definition: Minutes from page to acknowledgement, median over the month's incidents.
  target: under 15 min
  org: Infrastructure
  is_key: true
  urls: [https://example.com/incidents, https://example.com/other]
"""
OUTPUT = """\
# Converted by `kpilint convert --from gitlab-pi` from pis.yml.
# Fill in each goal's target, deadline and baseline, then run `kpilint check`.
---
version: 1
scope: Infrastructure
kgis:
  - id: infrastructure-goal
    name: Infrastructure goal
kpis:
  - id: uptime  # kpilint: disable=S206 -- status page only
    name: Uptime
    definition: Minutes the service answered divided by minutes in the month.
    supports: infrastructure-goal
    unit: percent
    target: {min: 99.9}
    owner: Ann
  - id: incident-response-time
    name: Incident response time
    definition: Minutes from page to acknowledgement, median over the month's incidents.
    supports: infrastructure-goal
    unit: minutes
    target: {max: 15}
    source: https://example.com/incidents
---
version: 1
scope: People
kgis:
  - id: people-goal
    name: People goal
kpis:
  - id: hiring-plan-attainment
    name: Hiring plan attainment
    definition: Hires started divided by hires planned for the quarter.
    supports: people-goal
    source: Sisense dashboard 345
    x-target-text: TBD
"""
CONFIG = """\
# Written by `kpilint convert`: count KPIs per goal and per scope (an org of the source files).
[rules.too-many-kpis]
per = ["kgi", "scope"]
"""


def test_convert_writes_one_spec_per_input_and_a_config(tmp_path: Path) -> None:
    write_files(tmp_path, {"pis.yml": INPUT})
    run = run_kpilint("convert", "--from", "gitlab-pi", "pis.yml", "--output-dir", "out",
                      cwd=tmp_path)
    assert (run.code, run.stderr) == (0, "")
    assert run.stdout == ("Wrote out/pis.kpi.yaml: 3 KPIs from pis.yml\n"
                          "Wrote out/kpilint.toml\n"
                          "Next: fill in the goals, then run `kpilint check out`.\n")
    assert (tmp_path / "out" / "pis.kpi.yaml").read_text("utf-8") == OUTPUT
    assert (tmp_path / "out" / "kpilint.toml").read_text("utf-8") == CONFIG
    check = run_kpilint("check", "--no-cache", "--today", TODAY, "out", "--select",
                        "S201,S206,S212", cwd=tmp_path)
    assert check.stdout.splitlines() == [
        "out/pis.kpi.yaml:7:5: S212 [error] KGI 'infrastructure-goal' has no `target` and no"
        " `unit`: a goal needs a number to reach and the unit it is counted in, e.g."
        " `target: 100000000` and `unit: JPY`",
        "out/pis.kpi.yaml:28:5: S212 [error] KGI 'people-goal' has no `target` and no `unit`:"
        " a goal needs a number to reach and the unit it is counted in, e.g."
        " `target: 100000000` and `unit: JPY`",
        "out/pis.kpi.yaml:31:5: S201 [error] KPI 'hiring-plan-attainment' has no `target`,"
        ' only `x-target-text` "TBD": write it as a number or a band, e.g.'
        " `target: {min: 95}`",
        # the suppression comment came along: Uptime's S206 is suppressed, not reported
        "Found 3 problems (3 errors, 0 warnings, 0 infos) in 1 file. 1 suppressed.",
    ]


def test_a_goal_id_that_a_kpi_already_has_gets_a_suffix(tmp_path: Path) -> None:
    write_files(tmp_path, {"pis.yml": "- name: Sales goal\n  org: Sales\n  is_key: true\n"
                                      "- name: Sales goal 2\n  org: Sales\n  is_key: true\n"})
    run = run_kpilint("convert", "--from", "gitlab-pi", "pis.yml", "--output-dir", "out",
                      cwd=tmp_path)
    assert (run.code, run.stderr) == (0, "")
    text = (tmp_path / "out" / "pis.kpi.yaml").read_text("utf-8")
    assert text.splitlines()[4:14] == [
        "kgis:",
        "  - id: sales-goal-3",
        "    name: Sales goal",
        "kpis:",
        "  - id: sales-goal",
        "    name: Sales goal",
        "    supports: sales-goal-3",
        "  - id: sales-goal-2",
        "    name: Sales goal 2",
        "    supports: sales-goal-3",
    ]
    check = run_kpilint("check", "--no-cache", "--today", TODAY, "out", "--select", "E004",
                        cwd=tmp_path)
    assert (check.code, check.stdout) == (0, "All checks passed (1 file checked).\n")


def test_convert_never_overwrites(tmp_path: Path) -> None:
    write_files(tmp_path, {"pis.yml": INPUT, "out/kpilint.toml": "# mine\n"})
    run = run_kpilint("convert", "--from", "gitlab-pi", "pis.yml", "--output-dir", "out",
                      cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == ("kpilint: error: kpilint.toml already exists in out; kpilint convert"
                          " never overwrites files\n")
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["kpilint.toml"]
    assert (tmp_path / "out" / "kpilint.toml").read_text("utf-8") == "# mine\n"


def test_two_inputs_with_one_stem_write_nothing(tmp_path: Path) -> None:
    write_files(tmp_path, {"a/sales.yml": INPUT, "b/sales.yaml": INPUT})
    run = run_kpilint("convert", "--from", "gitlab-pi", "a/sales.yml", "b/sales.yaml",
                      "--output-dir", "out", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == ("kpilint: error: a/sales.yml and b/sales.yaml would both be written to"
                          " out/sales.kpi.yaml; rename one of them\n")
    assert not (tmp_path / "out").exists()


def test_bad_inputs_are_usage_errors(tmp_path: Path) -> None:
    write_files(tmp_path, {"map.yml": "name: Uptime\n", "ok.yml": INPUT})
    run = run_kpilint("convert", "--from", "gitlab-pi", "ok.yml", "map.yml", "--output-dir",
                      "out", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        "kpilint: error: map.yml:1:1: E002 a gitlab-pi file is a list of performance indicators"
        " (`- name: ...`); this is not a list; nothing was written\n")
    assert not (tmp_path / "out").exists()
    run = run_kpilint("convert", "--from", "okr", "ok.yml", "--output-dir", "out",
                      cwd=tmp_path)
    assert run.code == 2
    assert run.stderr == ("kpilint: error: option --from: unknown dialect 'okr'"
                          " (dialects: gitlab-pi)\n")
    run = run_kpilint("convert", "--from", "gitlab-pi", "missing.yml", "--output-dir", "out",
                      cwd=tmp_path)
    assert (run.code, run.stderr) == (2, "kpilint: error: missing.yml: no such file\n")
    (tmp_path / "handbook").mkdir()
    run = run_kpilint("convert", "--from", "gitlab-pi", "handbook", "--output-dir", "out",
                      cwd=tmp_path)
    assert (run.code, run.stderr) == (2, "kpilint: error: handbook: a directory; name the files"
                                         " to convert (e.g. handbook/*.yml)\n")


def findings(run_stdout: str) -> list[dict[str, object]]:
    diagnostics: list[dict[str, object]] = json.loads(run_stdout)["diagnostics"]
    return diagnostics


def test_converted_fixture_finds_what_native_reading_found(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "pi")
    native = run_kpilint("check", "--no-cache", "--today", TODAY, "--dialect", "gitlab-pi",
                         "pi", "--output-format", "json", cwd=tmp_path)
    inputs = [f"pi/{name}" for name in ("engineering.yml", "people.yml", "sales.yml")]
    converted = run_kpilint("convert", "--from", "gitlab-pi", *inputs, "--output-dir", "out",
                            cwd=tmp_path)
    assert converted.code == 0, converted.stderr
    after = run_kpilint("check", "--no-cache", "--today", TODAY, "out", "--output-format",
                        "json", cwd=tmp_path)
    before_found = findings(native.stdout)
    after_found = findings(after.stdout)
    assert {(d["code"], d["subject"]) for d in before_found} <= {
        (d["code"], d["subject"]) for d in after_found}
    by_code_before = Counter(str(d["code"]) for d in before_found)
    by_code_after = Counter(str(d["code"]) for d in after_found)
    assert dict(by_code_before) == {
        "G101": 3, "P301": 1, "P302": 1, "P305": 22, "S201": 3, "S204": 1, "S205": 9,
        "S206": 2, "S207": 1, "S213": 1, "S214": 1}
    assert dict(by_code_after) == {
        "G101": 6, "G105": 1, "P301": 1, "P302": 1, "P305": 22, "S201": 3, "S202": 25,
        "S203": 25, "S204": 4, "S205": 9, "S206": 2, "S207": 4, "S208": 22, "S212": 3,
        "S213": 1, "S214": 1}
    # the extra findings are about the goals convert added, or fields the format cannot hold
    extra = by_code_after - by_code_before
    goals = {"engineering-division-goal", "people-group-goal", "sales-goal"}
    for diagnostic in after_found:
        if diagnostic["code"] in ("G101", "G105", "S204", "S207", "S212"):
            assert diagnostic["subject"] in goals or (
                diagnostic["code"], diagnostic["subject"]) in {
                (d["code"], d["subject"]) for d in before_found}
    assert set(extra) == {"G101", "G105", "S202", "S203", "S204", "S207", "S208", "S212"}
