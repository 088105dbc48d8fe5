"""The gitlab-pi dialect read natively (SPEC 10.5): CLI runs on GitLab-handbook-shaped files."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import REPO, TODAY, Run, run_kpilint, write_files

FIXTURE = REPO / "examples" / "gitlab-pi"

# (path, code, line, column, subject) of every finding on the fixture, read natively
FIXTURE_FINDINGS = [
    ("pi/engineering.yml", "P305", 3, 3, "engineering-mr-rate"),
    ("pi/engineering.yml", "S205", 3, 3, "engineering-mr-rate"),
    ("pi/engineering.yml", "G101", 7, 8, None),
    ("pi/engineering.yml", "P305", 20, 3, "mean-time-to-merge-mttm"),
    ("pi/engineering.yml", "P305", 35, 3, "largest-contentful-paint-of-the-issue-page"),
    ("pi/engineering.yml", "P305", 49, 3, "open-s1-bugs-past-slo"),
    ("pi/engineering.yml", "S201", 49, 3, "open-s1-bugs-past-slo"),
    ("pi/engineering.yml", "S205", 49, 3, "open-s1-bugs-past-slo"),
    ("pi/engineering.yml", "S206", 49, 3, "open-s1-bugs-past-slo"),
    ("pi/engineering.yml", "P305", 61, 3, "improve-deployment-frequency"),
    ("pi/engineering.yml", "S205", 61, 3, "improve-deployment-frequency"),
    ("pi/engineering.yml", "S213", 61, 9, "improve-deployment-frequency"),
    ("pi/engineering.yml", "P305", 75, 3, "gitlab-com-availability"),
    ("pi/engineering.yml", "P305", 89, 3, "total-page-views-of-the-documentation"),
    ("pi/engineering.yml", "S205", 89, 3, "total-page-views-of-the-documentation"),
    ("pi/engineering.yml", "P301", 89, 9, "total-page-views-of-the-documentation"),
    ("pi/engineering.yml", "P305", 103, 3, "average-location-factor"),
    ("pi/engineering.yml", "S205", 103, 3, "average-location-factor"),
    ("pi/people.yml", "P305", 2, 3, "team-member-retention"),
    ("pi/people.yml", "G101", 6, 8, None),
    ("pi/people.yml", "P305", 16, 3, "voluntary-team-member-turnover"),
    ("pi/people.yml", "P305", 30, 3, "cost-per-hire"),
    ("pi/people.yml", "P305", 44, 3, "time-to-offer-accept"),
    ("pi/people.yml", "P305", 58, 3, "engagement-survey-response-rate"),
    ("pi/people.yml", "S204", 60, 15, "engagement-survey-response-rate"),
    ("pi/people.yml", "P305", 72, 3, "average-location-factor-2"),
    ("pi/people.yml", "S205", 72, 3, "average-location-factor-2"),
    ("pi/sales.yml", "P305", 2, 3, "net-arr"),
    ("pi/sales.yml", "S201", 2, 3, "net-arr"),
    ("pi/sales.yml", "S205", 2, 3, "net-arr"),
    ("pi/sales.yml", "G101", 6, 8, None),
    ("pi/sales.yml", "P305", 17, 3, "pipeline-coverage"),
    ("pi/sales.yml", "P305", 31, 3, "win-rate"),
    ("pi/sales.yml", "P305", 45, 3, "close-rate"),
    ("pi/sales.yml", "S207", 45, 3, "close-rate"),
    ("pi/sales.yml", "S214", 47, 15, "close-rate"),
    ("pi/sales.yml", "P305", 58, 3, "customer-acquisition-cost"),
    ("pi/sales.yml", "S206", 58, 3, "customer-acquisition-cost"),
    ("pi/sales.yml", "P305", 70, 3, "average-sales-cycle"),
    ("pi/sales.yml", "P302", 82, 3, "number-of-new-logos"),
    ("pi/sales.yml", "P305", 82, 3, "number-of-new-logos"),
    ("pi/sales.yml", "S205", 82, 3, "number-of-new-logos"),
    ("pi/sales.yml", "P305", 96, 3, "quota-attainment"),
    ("pi/sales.yml", "S201", 96, 3, "quota-attainment"),
    ("pi/sales.yml", "S205", 96, 3, "quota-attainment"),
]
UNIT_ADVICE = ("the format has no unit field: give the unit with the number in `target`"
               " (`95%`, `$10K`, `45 days`, `500ms`)")


def copy_fixture(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "pi")
    return tmp_path


def check(cwd: Path, *args: str) -> Run:
    return run_kpilint("check", "--no-cache", "--today", TODAY, *args, cwd=cwd)


def detailed(run: Run) -> list[tuple[str, str, int, int, str | None]]:
    return [(d["path"], d["code"], d["line"], d["column"], d["subject"])
            for d in run.json()["diagnostics"]]


def messages(run: Run) -> dict[tuple[str, int, int], str]:
    return {(d["code"], d["line"], d["column"]): d["message"] for d in run.json()["diagnostics"]}


def test_the_fixture_read_natively(tmp_path: Path) -> None:
    cwd = copy_fixture(tmp_path)
    run = check(cwd, "--dialect", "gitlab-pi", "pi", "--output-format", "json")
    assert run.code == 1, run.stderr
    assert detailed(run) == FIXTURE_FINDINGS
    assert run.json()["summary"] == {"files": 3, "errors": 3, "warnings": 20, "infos": 22}


def test_the_dialect_reaches_a_nested_project_under_a_named_folder(tmp_path: Path) -> None:
    """A folder with its own config under the named one is its own project, read the same."""
    cwd = copy_fixture(tmp_path)
    nested = cwd / "pi" / "team"
    nested.mkdir()
    shutil.copyfile(cwd / "pi" / "sales.yml", nested / "sales.yml")
    (nested / "kpilint.toml").write_text(f'today = "{TODAY}"\n', encoding="utf-8")
    run = check(cwd, "--dialect", "gitlab-pi", "pi", "--output-format", "json")
    found = detailed(run)
    nested_found = [each for each in found if each[0] == "pi/team/sales.yml"]
    assert [each[1:] for each in nested_found] == [
        each[1:] for each in found if each[0] == "pi/sales.yml"]
    assert nested_found and all(code != "E002" for _, code, _, _, _ in found)


def test_messages_speak_the_format(tmp_path: Path) -> None:
    cwd = copy_fixture(tmp_path)
    run = check(cwd, "--dialect", "gitlab-pi", "pi/sales.yml", "pi/engineering.yml")
    lines = run.stdout.splitlines()
    for expected in [
        "pi/engineering.yml:7:8: G101 [warning] org 'Engineering Division' has 8 key indicators"
        " (`is_key: true`); keep at most 5",
        "pi/engineering.yml:49:3: S201 [error] KPI 'open-s1-bugs-past-slo' has a target kpilint"
        " cannot read: \"TBD\"; state it as a comparison and a number, e.g. `target: At or above"
        " 95%`",
        "pi/engineering.yml:49:3: S206 [warning] KPI 'open-s1-bugs-past-slo' has no `source`:"
        " add a dashboard link to `urls` (or `sisense_data` with its `dashboard`)",
        f"pi/sales.yml:2:3: S205 [warning] KPI 'net-arr' has no `unit`: {UNIT_ADVICE}",
        "pi/sales.yml:2:3: S201 [error] KPI 'net-arr' has a target kpilint cannot read:"
        " \"Confidential\"; state it as a comparison and a number, e.g. `target: At or above"
        " 95%`",
        "pi/sales.yml:2:3: P305 [info] KPI 'net-arr' does not declare `indicator`: its name"
        " ('arr') suggests `indicator: lagging`; gitlab-pi has no field for it: `kpilint"
        " convert --from gitlab-pi` writes v1 specs that can hold it",
        "pi/sales.yml:82:3: P302 [warning] KPI 'number-of-new-logos' counts volume (its name"
        " counts) with no quality KPI paired with it: a count alone can be made to look good at"
        " the expense of quality; add `paired_with:` naming the KPI that keeps it honest (a"
        " conversion, error or quality rate of the same work); gitlab-pi has no field for it:"
        " `kpilint convert --from gitlab-pi` writes v1 specs that can hold it",
        "pi/sales.yml:45:3: S207 [warning] KPI 'close-rate' has no `owner`: add the directly"
        " responsible individual as `dri`",
        "pi/sales.yml:96:3: S201 [error] KPI 'quota-attainment' has a target kpilint cannot"
        " read: \"<a href=\\\"https://example.com/handbook/sales/targets\\\">Targets page</a>\";"
        " state it as a comparison and a number, e.g. `target: At or above 95%`",
    ]:
        assert expected in lines


def test_config_dialects_globs_are_discovered_beside_include(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "kpilint.toml": """
            [dialects]
            "data/performance_indicators/*.yml" = "gitlab-pi"
        """,
        "data/performance_indicators/people.yml": (FIXTURE / "people.yml").read_text("utf-8"),
        "data/other/people.yml": (FIXTURE / "people.yml").read_text("utf-8"),
        "goals.kpi.yaml": """
            version: 1
            kpis:
              - id: cost-per-hire
                name: Cost per hire of contractors
                definition: Agency fees for contractors divided by contractors started.
        """,
    })
    run = check(tmp_path, "--select", "G101,S201,S204,E002", "--output-format", "json")
    assert detailed(run) == [
        ("data/performance_indicators/people.yml", "G101", 6, 8, None),
        ("data/performance_indicators/people.yml", "S204", 60, 15,
         "engagement-survey-response-rate"),
        ("goals.kpi.yaml", "S201", 3, 5, "cost-per-hire"),
    ]
    subjects = {d["subject"] for d in run.json()["diagnostics"]}
    assert "cost-per-hire-2" not in subjects  # the dialect's KPI avoids the v1 id
    run = check(tmp_path, "--select", "P305", "--output-format", "json")
    assert ("data/performance_indicators/people.yml", "P305", 30, 3, "cost-per-hire-2") in (
        detailed(run))


def test_rules_the_format_cannot_answer_do_not_run(tmp_path: Path) -> None:
    cwd = copy_fixture(tmp_path)
    run = check(cwd, "--dialect", "gitlab-pi", "pi", "--select", "ALL", "--output-format", "json")
    codes = {code for _, code, *_ in detailed(run)}
    assert codes == {"G101", "P301", "P302", "P305", "S201", "S204", "S205", "S206", "S207",
                     "S213", "S214"}


def test_only_key_indicators_are_checked_and_ids_are_unique(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.yml": """
        - name: Uptime
          is_key: false
          target: whenever
        - name: Uptime
          definition: Minutes the service answered divided by minutes in the month.
          is_key: true
          target: above 99%
          dri: Ann
          urls: [https://example.com/uptime]
        - name: "Uptime!"
          definition: Minutes the service answered divided by minutes in the quarter.
          is_key: true
          target: above 99%
          dri: Ann
          urls: [https://example.com/uptime-q]
        - name: "%%"
          definition: Something nobody named, counted in a way nobody wrote down.
          is_key: yes
          target: 5%
          dri: Ann
          sisense_data: {chart: 1, dashboard: 77}
    """})
    run = check(tmp_path, "--dialect", "gitlab-pi", "a.yml", "--select", "P305",
                "--output-format", "json")
    assert detailed(run) == [("a.yml", "P305", 4, 3, "uptime"),
                             ("a.yml", "P305", 10, 3, "uptime-2"),
                             ("a.yml", "P305", 16, 3, "pi")]


SUPPRESSED_DEPLOYS = """\
- name: Deploys  # kpilint: disable=S205,S201 -- counted on the release dashboard
  definition: Deployments to production per working day, averaged over the month.
  is_key: true
  target: Above 5
  dri: Ann
  urls: [https://example.com/deploys]
"""


def test_suppression_comments_work_in_dialect_files(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.yml": SUPPRESSED_DEPLOYS})
    run = check(tmp_path, "--dialect", "gitlab-pi", "a.yml", "--ignore", "P305")
    assert run.stdout.splitlines()[0] == (
        "a.yml:1:18: X001 [warning] unused suppression: no S201 finding on line 1 to suppress;"
        " remove it from the comment")
    assert len(run.stdout.splitlines()) == 2  # and the summary line
    assert run.code == 1


def test_shape_errors(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "mapping.yml": "name: Uptime\nis_key: true\n",
        "items.yml": """
            - is_key: true
              definition: no name
            - name: [a, b]
              is_key: true
            - name: Deploys
              is_key: true
              is_key: true
        """,
    })
    run = check(tmp_path, "--dialect", "gitlab-pi", "mapping.yml", "items.yml", "--select", "E",
                "--output-format", "json")
    assert [(path, code, line, column) for path, code, line, column, _ in detailed(run)] == [
        ("items.yml", "E002", 1, 3), ("items.yml", "E002", 3, 9), ("items.yml", "E003", 7, 3),
        ("mapping.yml", "E002", 1, 1)]
    assert messages(run)[("E002", 1, 1)] == (
        "a gitlab-pi file is a list of performance indicators (`- name: ...`); this is not a list")
    assert messages(run)[("E002", 3, 9)] == "`name` must be text, not a list"
    assert messages(run)[("E002", 1, 3)] == "missing required field `name` of a key indicator"


def test_g101_counts_orgs_whatever_per_says(tmp_path: Path) -> None:
    cwd = copy_fixture(tmp_path)
    (cwd / "kpilint.toml").write_text('[rules.too-many-kpis]\nper = ["kgi"]\nmax = 7\n')
    run = check(cwd, "--dialect", "gitlab-pi", "pi", "--select", "G101")
    assert run.stdout.splitlines()[:2] == [
        "pi/engineering.yml:7:8: G101 [warning] org 'Engineering Division' has 8 key indicators"
        " (`is_key: true`); keep at most 7",
        "pi/sales.yml:6:8: G101 [warning] org 'Sales' has 8 key indicators (`is_key: true`);"
        " keep at most 7",
    ]


def test_cached_and_parallel_runs_agree(tmp_path: Path) -> None:
    cwd = copy_fixture(tmp_path)
    (cwd / "kpilint.toml").write_text('[dialects]\n"pi/*.yml" = "gitlab-pi"\n')
    fresh = check(cwd, "--output-format", "json")
    first = run_kpilint("check", "--today", TODAY, "--output-format", "json", cwd=cwd)
    again = run_kpilint("check", "--today", TODAY, "--output-format", "json", cwd=cwd)
    parallel = check(cwd, "--jobs", "2", "--output-format", "json")
    assert detailed(fresh) == detailed(first) == detailed(again) == detailed(parallel)
    assert [row[1:] for row in detailed(fresh)] == [row[1:] for row in FIXTURE_FINDINGS]
    # a v1 file taking an id renames the dialect's KPI in the incremental run
    write_files(cwd, {"goals.kpi.yaml": """
        version: 1
        kpis:
          - id: win-rate
            name: Win rate of partners
    """})
    changed = run_kpilint("check", "--today", TODAY, "--select", "P305", "--output-format",
                          "json", cwd=cwd)
    assert ("pi/sales.yml", "P305", 31, 3, "win-rate-2") in detailed(changed)
    assert detailed(changed) == detailed(check(cwd, "--select", "P305", "--output-format",
                                               "json"))


def test_unknown_dialect_is_a_usage_error(tmp_path: Path) -> None:
    copy_fixture(tmp_path)
    run = check(tmp_path, "--dialect", "gitlab", "pi")
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == ("kpilint: error: option --dialect: unknown dialect 'gitlab' (did you"
                          " mean 'gitlab-pi'?) (dialects: gitlab-pi)\n")
    (tmp_path / "kpilint.toml").write_text('[dialects]\n"pi/*.yml" = "gitlab_pi"\n')
    run = check(tmp_path)
    assert run.code == 2
    assert run.stderr.endswith("key `dialects.pi/*.yml`: unknown dialect 'gitlab_pi' (did you"
                               " mean 'gitlab-pi'?) (dialects: gitlab-pi)\n")


def test_force_exclude_keeps_files_of_a_dialect_glob(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "kpilint.toml": '[dialects]\n"pis/*.yml" = "gitlab-pi"\n',
        "pis/a.yml": "- name: Deploys\n  is_key: true\n  target: TBD\n",
        "ci/build.yml": "- name: Deploys\n  is_key: true\n",
    })
    run = check(tmp_path, "--force-exclude", "pis/a.yml", "ci/build.yml", "--select", "S201")
    assert run.stdout.splitlines() == [
        "pis/a.yml:1:3: S201 [error] KPI 'deploys' has a target kpilint cannot read: \"TBD\";"
        " state it as a comparison and a number, e.g. `target: At or above 95%`",
        "Found 1 problem (1 error, 0 warnings, 0 infos) in 1 file.",
    ]


def test_show_settings_lists_the_dialect_globs(tmp_path: Path) -> None:
    copy_fixture(tmp_path)
    (tmp_path / "kpilint.toml").write_text('[dialects]\n"data/*.yml" = "gitlab-pi"\n')
    run = run_kpilint("check", "--show-settings", "--dialect", "gitlab-pi", "pi", cwd=tmp_path)
    lines = run.stdout.splitlines()
    start = lines.index("[dialects]")
    assert lines[start:start + 4] == [
        "[dialects]",
        f'"data/*.yml" = "gitlab-pi"  # {tmp_path / "kpilint.toml"}',
        '"/pi/**/*.yml" = "gitlab-pi"  # command line',
        '"/pi/**/*.yaml" = "gitlab-pi"  # command line',
    ]


def test_fix_never_touches_dialect_files(tmp_path: Path) -> None:
    text = SUPPRESSED_DEPLOYS
    (tmp_path / "a.yml").write_text(text, encoding="utf-8")
    diff = check(tmp_path, "--dialect", "gitlab-pi", "a.yml", "--diff", "--unsafe-fixes")
    assert (diff.code, diff.stdout) == (0, "")
    run = check(tmp_path, "--dialect", "gitlab-pi", "a.yml", "--ignore", "P305", "--fix",
                "--unsafe-fixes")
    assert run.stdout.splitlines()[0] == (
        "a.yml:1:18: X001 [warning] unused suppression: no S201 finding on line 1 to"
        " suppress; remove it from the comment")
    assert run.code == 1
    assert (tmp_path / "a.yml").read_text(encoding="utf-8") == text
