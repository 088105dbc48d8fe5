"""The result cache (SPEC 10.9) and ``--jobs``: same findings, fewer files parsed."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpilint import cache as cache_module
from kpilint import engine, run_state, summary
from kpilint.checker import CheckOptions, run_check
from kpilint.diagnostics import Diagnostic, Location, Severity, Span
from kpilint.load import Limits, LoadedYaml, parse_bytes
from kpilint.report import RenderOptions, renderer
from kpilint.run_state import RunState
from tests.conftest import REPO, run_kpilint
from tests.test_engine import example_project
from tests.test_json_format import DIAGNOSTIC

CACHE = ".kpilint_cache"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of examples/bad: many findings of every kind, suppressions, nested folders."""
    return example_project(tmp_path)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the files the engine parses in this process."""
    calls: list[int] = []

    def counting(data: bytes, limits: Limits) -> LoadedYaml:
        calls.append(1)
        return parse_bytes(data, limits)

    monkeypatch.setattr(engine, "parse_bytes", counting)
    yield calls


def _check(root: Path, **options: object) -> str:
    """A check run in this process (one job, so the counter sees every parse); the JSON
    report."""
    run = CheckOptions(paths=[str(root)], jobs=1, **options)  # type: ignore[arg-type]
    outcome = run_check(run, cwd=root.parent)
    return renderer("json")(outcome.result, RenderOptions())


def _spec_count(root: Path) -> int:
    return len(list(root.rglob("*.kpi.yaml")))


def test_a_warm_run_parses_nothing_and_reports_the_same(project: Path,
                                                        parsed: list[int]) -> None:
    cold = _check(project)
    assert len(parsed) == _spec_count(project)
    parsed.clear()
    assert _check(project) == cold
    assert parsed == []
    ignore = project / CACHE / ".gitignore"
    assert ignore.read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_one_changed_file_is_the_only_one_parsed(project: Path, parsed: list[int]) -> None:
    _check(project)
    sales = project / "sales.kpi.yaml"
    sales.write_text(sales.read_text(encoding="utf-8").replace(
        "supports: upsell-existing-customers", "supports: nowhere-yet", 1), encoding="utf-8")
    parsed.clear()
    incremental = _check(project)
    assert parsed == [1]
    shutil.rmtree(project / CACHE)
    assert _check(project) == incremental
    assert "nowhere-yet" in incremental


def test_added_and_removed_files_are_seen(project: Path, parsed: list[int]) -> None:
    _check(project)
    shutil.copyfile(project / "sales.kpi.yaml", project / "copy.kpi.yaml")
    (project / "marketing.kpi.yaml").unlink()
    parsed.clear()
    incremental = _check(project)
    assert parsed == [1]
    assert "E004" in incremental
    shutil.rmtree(project / CACHE)
    assert _check(project) == incremental


@pytest.mark.parametrize("change", ["config", "today", "selection", "version", "lexicon",
                                    "dbt"])
def test_every_key_input_invalidates_the_cache(project: Path, parsed: list[int],
                                               monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path, change: str) -> None:
    _check(project)
    parsed.clear()
    options: dict[str, object] = {}
    if change == "config":
        config = project / "kpilint.toml"
        config.write_text(config.read_text(encoding="utf-8") + "\n# a comment\n",
                          encoding="utf-8")
    elif change == "today":
        options["today"] = datetime.date(2027, 1, 1)
    elif change == "selection":
        from kpilint.config import RuleSelection

        options["selection"] = RuleSelection(ignore=("P301",))
    elif change == "version":
        monkeypatch.setattr(cache_module, "__version__", "999.0")
    elif change == "dbt":
        with (project / "warehouse" / "models" / "sales_metrics.yml").open(
                "a", encoding="utf-8") as handle:
            handle.write("  - name: inbound_winrate\n    type: simple\n")
    else:
        lexicons = tmp_path / "data" / "rules" / "lexicons"
        shutil.copytree(REPO / "rules" / "lexicons", lexicons)
        with (lexicons / "vanity.yaml").open("a", encoding="utf-8") as handle:
            handle.write("\n# one more line\n")
        monkeypatch.setattr(cache_module, "data_path",
                            lambda *parts: tmp_path.joinpath("data", *parts))
    _check(project, **options)
    assert len(parsed) == _spec_count(project)


def test_a_metric_defined_in_dbt_clears_e006_on_a_warm_run(project: Path) -> None:
    assert '"code": "E006"' in _check(project)
    metrics = project / "warehouse" / "models" / "sales_metrics.yml"
    metrics.write_text(metrics.read_text(encoding="utf-8").replace(
        "name: inbound_win_rate", "name: inbound_winrate"), encoding="utf-8")
    assert '"code": "E006"' not in _check(project)


@pytest.mark.parametrize("damage", [b"", b"garbage\n{", b"0" * 64 + b"\n{}"])
def test_a_damaged_cache_is_ignored_and_rebuilt(project: Path, parsed: list[int],
                                                damage: bytes) -> None:
    cold = _check(project)
    for path in (project / CACHE).rglob("*.json"):
        path.write_bytes(damage if damage else path.read_bytes()[:len(path.read_bytes()) // 2])
    parsed.clear()
    assert _check(project) == cold
    assert len(parsed) == _spec_count(project)
    parsed.clear()
    assert _check(project) == cold
    assert parsed == []


def test_a_state_that_does_not_fit_is_ignored(project: Path, parsed: list[int]) -> None:
    cold = _check(project)
    state = next((project / CACHE).rglob("state.json"))
    directory = state.parent
    cache = cache_module.ResultCache(project / CACHE, directory)
    data = cache.state()
    assert data is not None
    header, _, lines = data.base.partition(b"\n")[2].partition(b"\n")
    other_rules = json.loads(header) | {"rules": ["E004"]}
    cache.put_state(json.dumps(other_rules).encode() + b"\n" + lines,
                    {line.digest for line in RunState.parse(data).lines.values()})
    parsed.clear()
    assert _check(project) == cold
    assert parsed == []  # the summaries were still good


@pytest.mark.parametrize("shape", ["short", "id not text", "line not a number"])
def test_a_state_whose_facts_have_another_shape_is_a_miss(project: Path, shape: str) -> None:
    """As a cache of another make under the same format would hold them (its checksum fits)."""
    _check(project)
    state = next((project / CACHE).rglob("state.json"))
    cache = cache_module.ResultCache(project / CACHE, state.parent)
    data = cache.state()
    assert data is not None
    header, _, lines = data.base.partition(b"\n")[2].partition(b"\n")
    reshaped = []
    for line in lines.splitlines():
        head, tab, rest = line.partition(b"\t")
        fields = json.loads(head)
        for entity in fields[3]["entities"]:
            if shape == "short":
                del entity[4:]
            else:
                entity[0 if shape == "id not text" else 2] = [entity[0]]
        reshaped.append(json.dumps(fields, separators=(",", ":")).encode() + tab + rest)
    cache.put_state(header + b"\n" + b"\n".join(reshaped) + b"\n",
                    {line.digest for line in RunState.parse(data).lines.values()})
    _edit(project / "forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    assert _check(project) == _fresh(project)


def test_no_cache_neither_reads_nor_writes(project: Path, parsed: list[int]) -> None:
    cold = _check(project, cache=False)
    assert not (project / CACHE).exists()
    _check(project)
    parsed.clear()
    assert _check(project, cache=False) == cold
    assert len(parsed) == _spec_count(project)


def test_cli_cache_dir_and_no_cache(project: Path) -> None:
    config = project / "kpilint.toml"
    config.write_text(config.read_text(encoding="utf-8") + 'cache-dir = "build/lint-cache"\n',
                      encoding="utf-8")
    first = run_kpilint("check", "bad", "--output-format", "json", cwd=project.parent)
    assert (project / "build" / "lint-cache" / ".gitignore").is_file()
    assert not (project / CACHE).exists()
    second = run_kpilint("check", "bad", "--output-format", "json", cwd=project.parent)
    uncached = run_kpilint("check", "bad", "--output-format", "json", "--no-cache",
                           cwd=project.parent)
    assert first.code == second.code == uncached.code == 1
    assert first.stdout == second.stdout == uncached.stdout
    shown = run_kpilint("check", "bad", "--show-settings", cwd=project.parent)
    assert 'cache-dir = "build/lint-cache"' in shown.stdout


def test_concurrent_runs_agree(project: Path) -> None:
    expected = run_kpilint("check", "bad", "--output-format", "json", "--no-cache",
                           cwd=project.parent).stdout
    command = [sys.executable, "-m", "kpilint", "check", "bad", "--output-format", "json"]
    processes = [subprocess.Popen(command, cwd=project.parent, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for _ in range(3)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [stdout.decode() for stdout, _ in outputs] == [expected] * 3
    assert all(stderr == b"" for _, stderr in outputs)
    assert run_kpilint("check", "bad", "--output-format", "json",
                       cwd=project.parent).stdout == expected


def test_jobs_change_nothing_in_the_output(project: Path) -> None:
    for extra in range(12):  # enough files for the workers to share
        shutil.copyfile(project / "sales.kpi.yaml", project / f"team{extra:02d}.kpi.yaml")
    outputs = {jobs: run_kpilint("check", "bad", "--output-format", "json", "--no-cache",
                                 "--jobs", jobs, cwd=project.parent) for jobs in ("1", "2")}
    assert outputs["1"].code == outputs["2"].code == 1
    assert outputs["1"].stdout == outputs["2"].stdout
    assert outputs["1"].json()["diagnostics"]
    text = {jobs: run_kpilint("check", "bad", "--no-cache", "--jobs", jobs,
                              cwd=project.parent).stdout for jobs in ("1", "2")}
    assert text["1"] == text["2"]


def test_jobs_must_be_positive(project: Path) -> None:
    run = run_kpilint("check", "bad", "--jobs", "0", cwd=project.parent)
    assert run.code == 2
    assert run.stderr.startswith("kpilint: error: argument --jobs/-j: '0' is not a positive")


# -- the kept report -------------------------------------------------------------------------------

@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Counts the reports rendered in this process, by format."""
    from kpilint import report
    from kpilint.report import json_format

    calls: list[str] = []
    real = report.renderer
    real_utf8 = json_format.render_utf8  # the JSON report kept in the cache, in UTF-8

    def counting(name: str) -> report.Renderer:
        render = real(name)

        def wrapped(result: report.RunResult, options: report.RenderOptions) -> str:
            calls.append(name)
            return render(result, options)

        return wrapped

    def counting_utf8(result: report.RunResult, options: report.RenderOptions) -> bytes:
        calls.append("json")
        return real_utf8(result, options)

    monkeypatch.setattr(report, "renderer", counting)
    monkeypatch.setattr(json_format, "render_utf8", counting_utf8)
    yield calls


def _cli(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``kpilint check`` in this process, from the project's parent: exit code, stdout, stderr."""
    from kpilint import cli

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root.parent)
        patch.delenv("GITHUB_ACTIONS", raising=False)
        code = cli.main(["check", root.name, "--jobs", "1", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _kept_reports(root: Path) -> list[Path]:
    return sorted(root.joinpath(CACHE).glob("*/reports/*"))


def test_a_warm_run_writes_back_the_kept_report(project: Path, parsed: list[int],
                                                rendered: list[str],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    cold = _cli(project, "--output-format", "json", capsys=capsys)
    assert rendered == ["json"] and len(_kept_reports(project)) == 1
    parsed.clear()
    rendered.clear()
    assert _cli(project, "--output-format", "json", capsys=capsys) == cold
    assert parsed == [] and rendered == []
    assert cold[0] == 1  # the exit code comes back with the report
    uncached = _cli(project, "--output-format", "json", "--no-cache", capsys=capsys)
    assert uncached == cold


@pytest.mark.parametrize("options", [
    ["--output-format", "sarif"], ["--output-format", "text"], ["--quiet"],
    ["--show-suppressed", "--output-format", "json"], ["--statistics"],
    ["--fail-on", "info"], ["--select", "E"]])
def test_a_kept_report_serves_only_the_same_rendering(project: Path, rendered: list[str],
                                                      capsys: pytest.CaptureFixture[str],
                                                      options: list[str]) -> None:
    _cli(project, "--output-format", "json", capsys=capsys)
    _cli(project, "--output-format", "json", "--fail-on", "error", capsys=capsys)
    expected = _cli(project, *options, "--no-cache", capsys=capsys)
    rendered.clear()
    assert _cli(project, *options, capsys=capsys) == expected
    shown = options[options.index("--output-format") + 1] if (
        "--output-format" in options) else "text"
    assert rendered == ([] if "--statistics" in options else [shown])
    rendered.clear()
    assert _cli(project, *options, capsys=capsys) == expected
    assert rendered == []


def test_fail_on_changes_the_exit_code_of_a_kept_report(project: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    for _ in range(2):
        assert _cli(project, "--output-format", "json", "--fail-on", "error",
                    capsys=capsys)[0] == 1
        assert _cli(project, "--output-format", "json", "--exit-zero", capsys=capsys)[0] == 0


def test_a_changed_file_renders_again(project: Path, rendered: list[str],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    _cli(project, "--output-format", "json", capsys=capsys)
    sales = project / "sales.kpi.yaml"
    sales.write_text(sales.read_text(encoding="utf-8").replace(
        "supports: upsell-existing-customers", "supports: nowhere-yet", 1), encoding="utf-8")
    rendered.clear()
    changed = _cli(project, "--output-format", "json", capsys=capsys)
    assert rendered == ["json"] and "nowhere-yet" in changed[1]
    assert _cli(project, "--output-format", "json", "--no-cache", capsys=capsys) == changed
    (project / "sales.kpi.yaml").unlink()
    assert _cli(project, "--output-format", "json", capsys=capsys) == _cli(
        project, "--output-format", "json", "--no-cache", capsys=capsys)
    assert len(_kept_reports(project)) == 1  # one report per rendering, replaced


def test_the_working_directory_is_part_of_the_rendering(project: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    from kpilint import cli

    first = _cli(project, "--output-format", "sarif", capsys=capsys)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        assert cli.main(["check", ".", "--jobs", "1", "--output-format", "sarif"]) == first[0]
    from_inside = capsys.readouterr().out
    assert from_inside != first[1]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        assert cli.main(["check", ".", "--no-cache", "--jobs", "1", "--output-format",
                         "sarif"]) == first[0]
    assert capsys.readouterr().out == from_inside


@pytest.mark.parametrize("damage", ["truncate", "garble", "header"])
def test_a_damaged_kept_report_is_ignored(project: Path, rendered: list[str],
                                          capsys: pytest.CaptureFixture[str],
                                          damage: str) -> None:
    cold = _cli(project, "--output-format", "json", capsys=capsys)
    (kept,) = _kept_reports(project)
    data = kept.read_bytes()
    if damage == "truncate":
        kept.write_bytes(data[:len(data) // 2])
    elif damage == "garble":
        kept.write_bytes(data.replace(b'"code"', b'"cOde"', 1))
    else:  # a checksum that fits a header that does not
        payload = b'{"render": 1}\n' + data.partition(b"\n")[2].partition(b"\n")[2]
        kept.write_bytes(cache_module.checksum_line(kept, payload) + b"\n" + payload)
    rendered.clear()
    assert _cli(project, "--output-format", "json", capsys=capsys) == cold
    assert rendered == ["json"]
    rendered.clear()
    assert _cli(project, "--output-format", "json", capsys=capsys) == cold
    assert rendered == []


def test_a_kept_report_repeats_the_baseline_notes(project: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from kpilint import cli

    baseline = project.parent / "baseline.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project.parent)
        assert cli.main(["baseline", str(baseline), project.name, "--no-cache"]) == 0
    capsys.readouterr()
    (project / "sales.kpi.yaml").unlink()  # its entries go stale
    runs = [_cli(project, "--output-format", "json", "--baseline", str(baseline),
                 capsys=capsys) for _ in range(2)]
    uncached = _cli(project, "--output-format", "json", "--baseline", str(baseline),
                    "--no-cache", capsys=capsys)
    assert runs == [uncached, uncached]
    assert "baseline" in uncached[2] and "sales.kpi.yaml" in uncached[2]
    document = baseline.read_text(encoding="utf-8")
    assert '"count": 1' in document
    baseline.write_text(document.replace('"count": 1', '"count": 9', 1), encoding="utf-8")
    assert _cli(project, "--output-format", "json", "--baseline", str(baseline),
                capsys=capsys) == _cli(project, "--output-format", "json", "--baseline",
                                       str(baseline), "--no-cache", capsys=capsys)


def test_a_kept_report_from_the_command_line(project: Path) -> None:
    runs = [run_kpilint("check", "bad", "--output-format", "github", cwd=project.parent)
            for _ in range(2)]
    uncached = run_kpilint("check", "bad", "--output-format", "github", "--no-cache",
                           cwd=project.parent)
    assert [run.code for run in runs] == [1, 1]
    assert runs[0] == runs[1] == uncached
    assert len(_kept_reports(project)) == 1


@settings(max_examples=200, deadline=None)
@given(DIAGNOSTIC)
def test_a_finding_reads_back_equal_from_its_summary(diagnostic: Diagnostic) -> None:
    data = json.loads(json.dumps(summary.diagnostic_data(diagnostic)))
    again = summary.diagnostic_of(data)
    assert again == diagnostic
    assert hash(again.location) == hash(diagnostic.location)
    with pytest.raises(dataclasses.FrozenInstanceError):
        again.location.span.line = 0  # type: ignore[misc]


def test_a_finding_with_an_unknown_severity_does_not_read_back() -> None:
    data = summary.diagnostic_data(Diagnostic("E001", "n", Severity.ERROR, "m", Location(
        "a.kpi.yaml", Span(1, 1, 1, 2)), ""))
    data[2] = 7
    with pytest.raises(KeyError):
        summary.diagnostic_of(data)


def test_a_run_that_checks_no_file_keeps_no_report(project: Path) -> None:
    config = project / "kpilint.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + 'exclude = ["sales.kpi.yaml"]\nforce-exclude = true\n', encoding="utf-8")
    runs = [run_kpilint("check", "--output-format", "json", "sales.kpi.yaml", cwd=project)
            for _ in range(2)]
    assert runs[0] == runs[1]
    assert (runs[0].code, runs[0].json()["summary"]["files"]) == (0, 0)
    assert runs[0].stderr == (
        "kpilint: note: no spec file checked: the named files are not among the project's spec"
        " files (include, exclude, force-exclude)\n")
    assert _kept_reports(project) == []


def test_only_the_reports_used_last_are_kept(project: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cache_module, "REPORTS_KEPT", 2)
    written: dict[str, Path] = {}
    for age, output_format in enumerate(["json", "sarif", "text"]):
        before = set(_kept_reports(project))
        _cli(project, "--output-format", output_format, capsys=capsys)
        (new,) = set(_kept_reports(project)) - before
        os.utime(new, ns=(age * 10**9, age * 10**9))  # written in this order, whatever the clock
        written[output_format] = new
    assert _kept_reports(project) == sorted([written["sarif"], written["text"]])


def _key_directories(project: Path) -> set[Path]:
    return {path for path in (project / CACHE).iterdir() if path.is_dir()}


def test_only_the_run_keys_written_last_are_kept(project: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A new day (or config, or selection) starts a new run-key directory; the cache does not
    grow without end, and what is not a run key is never removed."""
    monkeypatch.setattr(cache_module, "KEYS_KEPT", 3)
    (project / CACHE / "notes").mkdir(parents=True)
    made: list[Path] = []
    for day in range(1, 6):
        before = _key_directories(project)
        _check(project, today=datetime.date(2027, 1, day))
        (new,) = _key_directories(project) - before
        os.utime(new, ns=(day * 10**9, day * 10**9))  # written in this order, whatever the clock
        made.append(new)
    assert _key_directories(project) == {*made[-3:], project / CACHE / "notes"}
    assert _check(project, today=datetime.date(2027, 1, 5)) == _check(
        project, today=datetime.date(2027, 1, 5), cache=False)


def test_a_cache_dir_kpilint_did_not_mark_is_never_pruned(project: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "KEYS_KEPT", 1)
    _check(project, today=datetime.date(2027, 1, 1))
    (project / CACHE / ".gitignore").write_text("*\n", encoding="utf-8")  # the user's own
    _check(project, today=datetime.date(2027, 1, 2))
    assert len(_key_directories(project)) == 2


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _fresh(project: Path) -> str:
    """The report of an uncached run of the files as they stand."""
    return _check(project, cache=False)


def test_one_changed_file_reads_only_the_summaries_its_rules_need(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _check(project)
    read: list[str] = []
    summary = cache_module.ResultCache.summary

    def counting(self: cache_module.ResultCache, digest: str) -> object:
        read.append(digest)
        return summary(self, digest)

    monkeypatch.setattr(cache_module.ResultCache, "summary", counting)
    _edit(project / "forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    assert _check(project) == _fresh(project)
    # the changed file's new and old versions, and the files whose findings the edit reaches
    assert 2 <= len(read) < _spec_count(project) - 1


@pytest.mark.parametrize("share", [1, 10**9])  # a delta (while under the base) or never
def test_successive_changes_report_as_uncached_runs(project: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    share: int) -> None:
    monkeypatch.setattr(run_state, "DELTA_SHARE", share)
    _check(project)
    for old, new in [("target: 100000000", "target: 100000001"),
                     ("formula: 12 * agent-hours", "formula: 12 * agent-hour"),
                     ("formula: 12 * agent-hour\n", "formula: 12 * agent-hours\n"),
                     ("name: Inbound new-business revenue", "name: Inbound revenue")]:
        _edit(project / "forecast.kpi.yaml", old, new)
        assert _check(project) == _fresh(project), (old, new)
    (project / "teams").mkdir()
    (project / "sales.kpi.yaml").rename(project / "teams" / "sales.kpi.yaml")
    assert _check(project) == _fresh(project)
    (project / "marketing.kpi.yaml").unlink()
    _edit(project / "forecast.kpi.yaml", "target: 100000001", "target: 100000000")
    assert _check(project) == _fresh(project)
    assert _check(project) == _fresh(project)


def _state(project: Path) -> RunState:
    """The last run's state (its base and delta)."""
    directory = next((project / CACHE).rglob("state.json")).parent
    stored = cache_module.ResultCache(project / CACHE, directory).state()
    assert stored is not None
    return RunState.parse(stored)


def _summary_digest(project: Path, name: str) -> str:
    """The digest of the summary of ``name`` that the last run's state names."""
    return _state(project).lines[str((project / name).resolve())].digest


@pytest.mark.parametrize("damage", ["remove", "garble"])
def test_a_lost_summary_of_an_unchanged_file_is_made_again(project: Path, parsed: list[int],
                                                           damage: str) -> None:
    _check(project)
    changed = _summary_digest(project, "sales.kpi.yaml")
    _edit(project / "sales.kpi.yaml", "supports: upsell-existing-customers",
          "supports: nowhere-yet")  # moves an edge: the whole-project rules read every file
    summaries = next((project / CACHE).rglob("files"))
    for path in summaries.iterdir():
        if path.name == f"{changed}.json":
            continue  # kept: the engine is restored, and the others are read as rules ask
        if damage == "remove":
            path.unlink()
        else:
            path.write_bytes(b"0" * 64 + b"\n{}")
    parsed.clear()
    assert _check(project) == _fresh(project)
    cache = cache_module.ResultCache(project / CACHE, summaries.parent)
    state = cache.state()
    assert state is not None
    lines = RunState.parse(state).lines.values()
    lost = [line.display for line in lines if cache.summary(line.digest) is None]
    assert lost == ["bad/broken.kpi.yaml"]  # the only file whose entities no rule read: it
    # does not parse (a mapping value in a plain scalar), so it has none
    assert _check(project) == _fresh(project)  # and the state it wrote is whole


def test_a_lost_summary_of_a_changed_files_last_version_restores_nothing(
        project: Path, parsed: list[int]) -> None:
    _check(project)
    next((project / CACHE).rglob(f"{_summary_digest(project, 'forecast.kpi.yaml')}.json")
         ).unlink()
    _edit(project / "forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    parsed.clear()
    incremental = _check(project)
    assert parsed == [1]  # the others came back from their summaries
    assert incremental == _fresh(project)


def test_the_state_lines_of_untouched_files_are_written_back_as_they_were(
        project: Path) -> None:
    _check(project)
    before = _state(project).lines
    _edit(project / "support.kpi.yaml", "target: ", "target: 1")  # reaches no other file
    assert _check(project) == _fresh(project)
    after = _state(project).lines
    assert sorted(after) == sorted(before)
    changed = [str(project.resolve() / "support.kpi.yaml")]
    assert [name for name in after if after[name].raw != before[name].raw] == changed
    assert [name for name in after if not after[name].in_base] == changed  # in the delta


@pytest.fixture
def deltas(monkeypatch: pytest.MonkeyPatch) -> None:
    """A delta is written while it is smaller than its base (this project is small: its
    header weighs more than a quarter of its state)."""
    monkeypatch.setattr(run_state, "DELTA_SHARE", 1)


@pytest.mark.usefixtures("deltas")
def test_a_change_writes_a_delta_beside_the_unchanged_state(project: Path,
                                                             parsed: list[int]) -> None:
    _check(project)
    base = next((project / CACHE).rglob("state.json"))
    written = base.read_bytes()
    delta = base.parent / cache_module.STATE_DELTA
    _edit(project / "forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    assert _check(project) == _fresh(project)
    assert base.read_bytes() == written
    assert delta.read_bytes().split(b"\n")[1] == written.split(b"\n")[0]  # names its base
    (project / "marketing.kpi.yaml").unlink()  # a second change: a delta of the same base
    _edit(project / "forecast.kpi.yaml", "target: 100000001", "target: 100000002")
    second = _check(project)
    assert second == _fresh(project)
    assert base.read_bytes() == written
    state = _state(project)
    gone = str((project / "marketing.kpi.yaml").resolve())
    assert gone in state.base_paths and gone not in state.lines
    in_delta = [line.display for line in state.lines.values() if not line.in_base]
    assert "bad/forecast.kpi.yaml" in in_delta and len(in_delta) < len(state.lines)
    parsed.clear()
    assert _check(project) == second  # nothing changed: the base and its delta
    assert parsed == []


def test_a_delta_that_grows_too_large_is_folded_into_the_state(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_state, "DELTA_SHARE", 1)
    _check(project)
    base = next((project / CACHE).rglob("state.json"))
    written = base.read_bytes()
    _edit(project / "forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    _check(project)
    assert (base.parent / cache_module.STATE_DELTA).exists()
    monkeypatch.setattr(run_state, "DELTA_SHARE", 10**9)  # any delta is too large now
    _edit(project / "forecast.kpi.yaml", "target: 100000001", "target: 100000002")
    assert _check(project) == _fresh(project)
    assert base.read_bytes() != written
    assert not (base.parent / cache_module.STATE_DELTA).exists()
    assert all(line.in_base for line in _state(project).lines.values())


def _damage_delta(delta: Path, damage: str) -> None:
    """Truncate, garble or misname a state's delta, or give it a whole checksum over content
    that is no delta."""
    data = delta.read_bytes()
    _, meta, payload = data.split(b"\n", 2)
    if damage == "truncate":
        delta.write_bytes(data[:len(data) // 2])
    elif damage == "garble":
        delta.write_bytes(b"garbage\n{")
    else:
        meta = b"0" * 64 if damage == "other base" else meta
        payload = b'["/nowhere"]\n{}' if damage == "content" else payload
        whole = meta + b"\n" + payload
        delta.write_bytes(cache_module.checksum_line(delta, whole) + b"\n" + whole)


@pytest.mark.usefixtures("deltas")
@pytest.mark.parametrize("damage", ["truncate", "garble", "other base", "content"])
def test_a_damaged_or_foreign_delta_is_a_miss_and_rebuilt(project: Path, parsed: list[int],
                                                          damage: str) -> None:
    _check(project)
    _edit(project / "forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    _check(project)
    delta = next((project / CACHE).rglob(cache_module.STATE_DELTA))
    _damage_delta(delta, damage)
    _edit(project / "forecast.kpi.yaml", "target: 100000001", "target: 100000002")
    rebuilt = _check(project)
    assert rebuilt == _fresh(project)
    assert not delta.exists()  # the whole state was written again
    parsed.clear()
    assert _check(project) == rebuilt
    assert parsed == []


@given(payload=st.binary(min_size=1, max_size=200), place=st.integers(min_value=0),
       flip=st.integers(min_value=1, max_value=255), cut=st.integers(min_value=0))
def test_a_checksum_line_tells_a_whole_payload_from_a_damaged_or_misplaced_one(
        payload: bytes, place: int, flip: int, cut: int) -> None:
    here = Path("/p/.kpilint_cache/6-0123456789abcdef01234567/files/a.json")
    line = cache_module.checksum_line(here, payload[:1], payload[1:])
    assert cache_module._intact(line, here, payload)
    moved = Path("/elsewhere/cache") / here.relative_to("/p/.kpilint_cache")
    assert cache_module._intact(line, moved, payload)  # the cache folder may move
    garbled = bytearray(payload)
    garbled[place % len(payload)] ^= flip  # CRC-32 catches every change of one byte
    assert not cache_module._intact(line, here, bytes(garbled))
    assert not cache_module._intact(line, here, payload[:cut % len(payload)])
    assert not cache_module._intact(line, here, payload + b"\n")
    assert not cache_module._intact(line, here.with_name("b.json"), payload)  # swapped
    other_key = Path("/p/.kpilint_cache/6-1123456789abcdef01234567/files/a.json")
    assert not cache_module._intact(line, other_key, payload)
    assert cache_module.checksum_line(here, payload) != line  # each write has its own tag


def test_swapped_summaries_are_misses(tmp_path: Path) -> None:
    """Two files' summaries swapped in the cache: each fails its checksum (it names its place),
    so the run reads the files again instead of taking one's summary for the other's (a false
    E004 and a failing exit, before)."""
    project = tmp_path / "good"
    shutil.copytree(REPO / "examples" / "good", project)
    _check(project)
    first, second, *_ = sorted((project / CACHE).rglob("files/*.json"))
    one, other = first.read_bytes(), second.read_bytes()
    first.write_bytes(other)
    second.write_bytes(one)
    _edit(project / "company.kpi.yaml", "version: 1", "version: 1  # edited")
    assert _check(project) == _fresh(project)


def test_temporary_files_a_killed_writer_left_are_removed(project: Path) -> None:
    """A run killed while it wrote a cache file leaves its temporary file; a later run that
    writes the state removes those older than an hour, never a newer one (another run's
    write may be in progress)."""
    _check(project)
    key = next((project / CACHE).glob("*/"))
    old, recent = time.time() - cache_module.LEFT_BEHIND_SECONDS - 60, time.time()
    left = {}
    for folder in (key / "files", key, key / "reports"):
        folder.mkdir(exist_ok=True)
        for name, when in ((".tmp-0123456789ab", old), (".tmp-ba9876543210", recent)):
            path = folder / name
            path.write_bytes(b"half a summ")
            os.utime(path, (when, when))
            left[path] = when
    sales = project / "sales.kpi.yaml"
    sales.write_text(sales.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _check(project)
    assert [path for path in left if path.exists()] == [
        path for path, when in left.items() if when == recent]
