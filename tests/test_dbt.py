"""SPEC 10.6: `source: dbt:<metric_name>` resolved against the dbt project's metrics (E006), with
real CLI runs on dbt projects written to temp dirs and the example in examples/dbt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, TODAY, run_kpilint, write_files

DBT_PROJECT = """\
name: analytics
version: "1.0.0"
config-version: 2
profile: analytics
"""

METRICS = """\
version: 2
metrics:
  - name: mrr
    label: Monthly recurring revenue
    description: Sum of the monthly amount of active subscriptions.
    type: simple
    type_params:
      measure: mrr_usd
  - name: logo_churn_rate
    label: Logo churn rate
    type: ratio
    type_params:
      numerator: churned_subscriptions
      denominator: active_subscriptions
"""


def kpi_file(*sources: str) -> str:
    """A spec file with one KPI per source (the `source` value on line 5 + 4 * index)."""
    lines = ["version: 1", "kpis:"]
    for index, source in enumerate(sources):
        lines += [f"  - id: kpi-{index}", f"    name: Metric number {index}",
                  "    unit: percent", f"    source: {source}"]
    return "\n".join(lines) + "\n"


def e006(root: Path, *args: str) -> list[tuple[str, int, int, str]]:
    run = run_kpilint("check", "--select", "E006", "--output-format", "json", *args, cwd=root)
    assert run.code in (0, 1), run.stderr
    return [(d["path"], d["line"], d["column"], d["message"])
            for d in run.json()["diagnostics"]]


def project(tmp_path: Path, files: dict[str, str], config: str = "") -> Path:
    return write_files(tmp_path, {"kpilint.toml": f'today = "{TODAY}"\n{config}', **files})


def test_an_unknown_metric_is_reported_at_the_source_with_did_you_mean(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "analytics/dbt_project.yml": DBT_PROJECT, "analytics/models/metrics.yml": METRICS,
        "team.kpi.yaml": kpi_file("dbt:mrr", "dbt:logo_churn", "dbt:nps", '"dbt:logo_churn_rate"'),
    })
    run = run_kpilint("check", "--select", "E006", "--output-format", "json", cwd=root)
    assert run.code == 1
    [first, second] = run.json()["diagnostics"]
    assert (first["code"], first["name"], first["severity"]) == ("E006", "unknown-metric", "error")
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == (
        10, 13, 10, 27)
    assert (first["subject"], first["field"]) == ("kpi-1", "source")
    assert first["message"] == ("`source` of KPI 'kpi-1' names dbt metric 'logo_churn', which the"
                                " dbt project 'analytics' does not define (did you mean"
                                " 'logo_churn_rate'?)")
    assert (second["line"], second["column"], second["message"]) == (
        14, 13, "`source` of KPI 'kpi-2' names dbt metric 'nps', which the dbt project"
                " 'analytics' does not define")


def test_known_metrics_and_other_sources_are_clean(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "analytics/dbt_project.yml": DBT_PROJECT, "analytics/models/metrics.yml": METRICS,
        "team.kpi.yaml": kpi_file("dbt:mrr", "HubSpot report \"dbt:mrr\"", "dbt:logo_churn_rate"),
    })
    assert e006(root) == []


def test_kgi_sources_are_checked_too(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "analytics/dbt_project.yml": DBT_PROJECT, "analytics/models/metrics.yml": METRICS,
        "company.kpi.yaml": "version: 1\nkgis:\n  - id: arr\n    name: ARR\n"
                            "    source: dbt:arr\n",
    })
    assert e006(root) == [("company.kpi.yaml", 5, 13,
                           "`source` of KGI 'arr' names dbt metric 'arr', which the dbt project"
                           " 'analytics' does not define (did you mean 'mrr'?)")]


def test_an_empty_metric_name(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "analytics/dbt_project.yml": DBT_PROJECT, "analytics/models/metrics.yml": METRICS,
        "team.kpi.yaml": kpi_file('"dbt:"'),
    })
    assert e006(root) == [("team.kpi.yaml", 6, 13,
                           "`source` of KPI 'kpi-0' names no dbt metric: write"
                           " `dbt:<metric_name>`")]


def test_without_a_dbt_project_each_file_gets_one_finding(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "a.kpi.yaml": kpi_file("Stripe export", "dbt:mrr", "dbt:churn"),
        "b.kpi.yaml": kpi_file("dbt:nps"),
        "models/metrics.yml": METRICS,  # metrics without a dbt_project.yml are no dbt project
    })
    message = ("`source` of KPI '{id}' names dbt metric '{name}', but no dbt project was found"
               " under the project root (no dbt_project.yml): add the dbt project, or set"
               " `dbt-project` in the config")
    assert e006(root) == [
        ("a.kpi.yaml", 10, 13, message.format(id="kpi-1", name="mrr")),
        ("b.kpi.yaml", 6, 13, message.format(id="kpi-0", name="nps"))]


def test_the_shallowest_dbt_project_wins_and_packages_and_target_are_skipped(
        tmp_path: Path) -> None:
    other = "version: 2\nmetrics:\n  - name: from_elsewhere\n    type: simple\n"
    root = project(tmp_path, {
        "dbt_packages/dbt_utils/dbt_project.yml": "name: dbt_utils\n",
        "dbt_packages/dbt_utils/models/m.yml": other,
        "target/dbt_project.yml": "name: compiled\n",
        "target/models/m.yml": other,
        "warehouse/b/dbt_project.yml": DBT_PROJECT,
        "warehouse/b/models/m.yml": other,
        "warehouse/a/dbt_project.yml": DBT_PROJECT,
        "warehouse/a/models/marts/finance/metrics.yml": METRICS,
        "team.kpi.yaml": kpi_file("dbt:mrr", "dbt:from_elsewhere"),
    })
    assert e006(root) == [("team.kpi.yaml", 10, 13,
                           "`source` of KPI 'kpi-1' names dbt metric 'from_elsewhere', which the"
                           " dbt project 'warehouse/a' does not define")]


def test_model_paths_of_dbt_project_yml_are_read(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "dbt/dbt_project.yml": DBT_PROJECT + 'model-paths: ["semantic", "marts"]\n',
        "dbt/semantic/metrics.yaml": METRICS,
        "dbt/models/other.yml": "version: 2\nmetrics:\n  - name: only_in_models\n",
        "team.kpi.yaml": kpi_file("dbt:mrr", "dbt:only_in_models"),
    })
    assert [line for _, line, _, _ in e006(root)] == [10]


def test_config_dbt_project_chooses_the_project(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "a/dbt_project.yml": DBT_PROJECT,
        "b/analytics/dbt_project.yml": DBT_PROJECT,
        "b/analytics/models/metrics.yml": METRICS,
        "team.kpi.yaml": kpi_file("dbt:mrr"),
    }, config='dbt-project = "b/analytics"\n')
    assert e006(root) == []
    (root / "kpilint.toml").write_text(f'today = "{TODAY}"\n', encoding="utf-8")
    assert [message.split(", which")[1] for _, _, _, message in e006(root, "--no-cache")] == [
        " the dbt project 'a' does not define"]


@pytest.mark.parametrize("change", ["removed", "made", "moved"])
def test_the_cache_knows_where_the_dbt_project_is(tmp_path: Path, change: str) -> None:
    """An empty ``dbt_project.yml`` without metrics reads as no project at all, but the message
    names the project, or says there is none: a cached run must say what an uncached one says."""
    root = project(tmp_path, {"team.kpi.yaml": kpi_file("dbt:mrr")} | (
        {} if change == "made" else {"warehouse/dbt_project.yml": ""}))
    e006(root)  # the cache, written
    if change == "removed":
        (root / "warehouse" / "dbt_project.yml").unlink()
    elif change == "made":
        write_files(root, {"warehouse/dbt_project.yml": ""})
    else:
        (root / "warehouse").rename(root / "lakehouse")
    assert e006(root) == e006(root, "--no-cache")


def test_a_dbt_project_outside_the_root_is_exit_2(tmp_path: Path) -> None:
    write_files(tmp_path, {"analytics/dbt_project.yml": DBT_PROJECT})
    root = project(tmp_path / "goals", {"team.kpi.yaml": kpi_file("dbt:mrr")},
                   config='dbt-project = "../analytics"\n')
    run = run_kpilint("check", cwd=root)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (f"kpilint: error: {root / 'kpilint.toml'}: key `dbt-project`:"
                          f" '../analytics' is outside the project root {root.resolve()}; the dbt"
                          " project must lie under it\n")


def test_a_dbt_project_without_dbt_project_yml_is_exit_2(tmp_path: Path) -> None:
    root = project(tmp_path, {"team.kpi.yaml": kpi_file("dbt:mrr"), "analytics/x": ""},
                   config='dbt-project = "analytics"\n')
    run = run_kpilint("check", cwd=root)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (f"kpilint: error: {root / 'kpilint.toml'}: key `dbt-project`:"
                          " 'analytics' holds no dbt_project.yml\n")


def test_the_dbt_example_is_clean_and_a_typo_is_caught(tmp_path: Path) -> None:
    run = run_kpilint("check", "examples/dbt", cwd=REPO)
    assert (run.code, run.stdout) == (0, "All checks passed (1 file checked).\n")
    example = REPO / "examples" / "dbt"
    write_files(tmp_path, {
        "kpilint.toml": (example / "kpilint.toml").read_text(encoding="utf-8"),
        "growth.kpi.yaml": (example / "growth.kpi.yaml").read_text(encoding="utf-8").replace(
            "dbt:median_first_response_minutes", "dbt:median_first_response_mins"),
    })
    for path in (example / "analytics").rglob("*.yml"):
        target = tmp_path / "analytics" / path.relative_to(example / "analytics")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    assert e006(tmp_path) == [(
        "growth.kpi.yaml", 47, 13,
        "`source` of KPI 'first-response' names dbt metric 'median_first_response_mins', which"
        " the dbt project 'analytics' does not define (did you mean"
        " 'median_first_response_minutes'?)")]
