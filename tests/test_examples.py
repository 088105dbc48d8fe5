"""The projects in examples/ behave as documented: good/ is clean, bad/ shows every rule.

Both are run through the real CLI, the way a user would run them from the repository root.
When you add a rule, extend examples/bad so that it fires there, and add its findings to
``BAD_FINDINGS`` after checking each position by hand against the "at" column of SPEC §4.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kpilint import registry
from tests.conftest import REPO, run_kpilint

EXAMPLES = REPO / "examples"
GOOD = EXAMPLES / "good"
BAD = EXAMPLES / "bad"
SPEC_PATTERNS = ("*.kpi.yaml", "*.kpi.yml", "kpis.yaml", "kpis.yml")
FINDING_LINE = re.compile(r"^\S+:\d+:\d+: [A-Z]\d{3} \[(error|warning|info)\] \S.*$")
RULES_THAT_NEED_A_CRASH = {"X002"}

# (path, code, line, column), in the order kpilint sorts them (path, line, column, code).
# Each position was read off the files: entity = its first key (the `id` after `- `, column 5);
# field = the value node; key = the key node; a list reference = the list item.
BAD_FINDINGS = [
    # `name:` value holds an unquoted ": " -> the parser stops at that second colon
    ("examples/bad/broken.kpi.yaml", "E001", 6, 26),
    # revenue-fy26 entity: 6 KPIs reach it (4 in marketing, 2 in sales) ...
    ("examples/bad/company.kpi.yaml", "G101", 6, 5),
    # ... and two of them (mql-count, sourced-pipeline) say `primary: true`
    ("examples/bad/company.kpi.yaml", "G106", 6, 5),
    # gross-margin-fy26 entity: no KPI reaches it
    ("examples/bad/company.kpi.yaml", "G103", 19, 5),
    # build-partner-channel entity: supports the KGI, but no KPI supports it
    ("examples/bad/company.kpi.yaml", "G104", 45, 5),
    # cut-hosting-costs entity: no `supports` at all
    ("examples/bad/company.kpi.yaml", "G108", 51, 5),
    # finance/ is a project of its own (own kpilint.toml, allow-suppressions = false):
    # `cadence: quarterly` value of days-sales-outstanding, a declared leading KPI; the comment
    # on the line cannot hide it ...
    ("examples/bad/finance/finance.kpi.yaml", "P304", 29, 14),
    # ... and the `# kpilint: disable=P304 -- ...` comment itself is forbidden there
    ("examples/bad/finance/finance.kpi.yaml", "X003", 29, 25),
    # inbound-revenue-fy26 `formula` value: 12 * 200 * 30% * 20% * 500,000 = 72,000,000 JPY,
    # short of the 100,000,000 JPY target
    ("examples/bad/forecast.kpi.yaml", "T403", 15, 14),
    # ... and on the KPI actuals (12 * 180 * 30% * 15% * 480,000) it forecasts 46,656,000 JPY;
    # the bottleneck is deal-win-rate at 15% of a 20% target (75%)
    ("examples/bad/forecast.kpi.yaml", "T404", 15, 14),
    # support-cost-fy26 `formula` value: 12 * agent-hours yields hours, the KGI is in JPY
    ("examples/bad/forecast.kpi.yaml", "T402", 26, 14),
    # partner-revenue-fy26 `formula` value: the '(' at formula column 6 is never closed
    ("examples/bad/forecast.kpi.yaml", "T401", 37, 14),
    # `actual` value of lead-opportunity-rate: 30% on 2026-11-15 meets its 30% target early
    ("examples/bad/forecast.kpi.yaml", "R503", 69, 13),
    # `source: dbt:inbound_winrate` value: warehouse/ (the dbt project) defines no such metric
    # (did you mean 'inbound_win_rate'?)
    ("examples/bad/forecast.kpi.yaml", "E006", 88, 13),
    # `name: Company share price` value: 'share price' is in the uncontrollable lexicon
    ("examples/bad/investor-relations.kpi.yaml", "P306", 20, 11),
    # list item `- mql-count` of a KSF's supports: a KPI, not a KGI
    ("examples/bad/marketing.kpi.yaml", "E005", 10, 9),
    # `paired_with: mql-to-sql-rates` value: no such id (did you mean 'mql-to-sql-rate'?)
    ("examples/bad/marketing.kpi.yaml", "E005", 28, 18),
    # `direction: decreasing` value: not an enum member (did you mean 'decrease'?)
    ("examples/bad/marketing.kpi.yaml", "E002", 54, 16),
    # `last_review` key: unknown (did you mean 'last_reviewed'?)
    ("examples/bad/marketing.kpi.yaml", "E002", 77, 5),
    # event-lead-conversion-rate entity: no `supports`
    ("examples/bad/marketing.kpi.yaml", "G102", 79, 5),
    # `actual` value of incident-resolution-time: 9 hours on 2026-11-16, the plan from 10 hours
    # (2026-07-01) to 4 (2027-03-31) expects about 6.97 by then: 2.03 behind > 10% of 6 hours
    ("examples/bad/operations.kpi.yaml", "R501", 36, 13),
    # `actual` value of change-failure-rate: 18% is above its band {max: 15}
    ("examples/bad/operations.kpi.yaml", "R501", 48, 13),
    # `actual.as_of` value of deployments-per-week: 24 days before today, a weekly KPI (> 14)
    ("examples/bad/operations.kpi.yaml", "R502", 63, 32),
    # `target: {max: 2}` value of on-call-pages: a band with `direction: decrease`
    ("examples/bad/operations.kpi.yaml", "S209", 72, 13),
    # second `owner` key of expansion-opportunities (first at line 16)
    ("examples/bad/sales.kpi.yaml", "E003", 20, 5),
    # `deadline: 2027-06-30` value: after revenue-fy26's 2027-03-31
    ("examples/bad/sales.kpi.yaml", "G107", 31, 15),
    # hosting-cost-per-customer entity: its KSF (cut-hosting-costs) reaches no KGI
    ("examples/bad/sales.kpi.yaml", "G102", 38, 5),
    # second mql-to-sql-rate (marketing.kpi.yaml has the first): entity without `name` ...
    ("examples/bad/sales.kpi.yaml", "E002", 54, 5),
    # ... and its `id` value repeats an id defined in marketing.kpi.yaml:32
    ("examples/bad/sales.kpi.yaml", "E004", 54, 9),
    # net-revenue-retention-fy26 entity: its 5 KPIs are lagging (4 declared, one inferred)
    ("examples/bad/success.kpi.yaml", "G105", 5, 5),
    # gross-revenue-churn-rate entity: no `indicator` (the lexicon guesses lagging: 'churn rate')
    ("examples/bad/success.kpi.yaml", "P305", 19, 5),
    # downgrade-rate entity: no `source`, no `owner`, no `cadence` ...
    ("examples/bad/success.kpi.yaml", "S206", 33, 5),
    ("examples/bad/success.kpi.yaml", "S207", 33, 5),
    ("examples/bad/success.kpi.yaml", "S208", 33, 5),
    # ... and its `definition: See CS dashboard.` value is 17 characters (< 20)
    ("examples/bad/success.kpi.yaml", "S204", 35, 17),
    # renewals-closed entity: `unit: count`, no `paired_with`, and no KPI pairs with it
    ("examples/bad/success.kpi.yaml", "P302", 45, 5),
    # `# kpilint: disable=P304` comment (column of `#`) on gross-renewal-rate's cadence: the KPI is
    # lagging, so there is no P304 to suppress ...
    ("examples/bad/success.kpi.yaml", "X001", 70, 25),
    # ... and the comment gives no ` -- reason` (require-suppression-reason = true)
    ("examples/bad/success.kpi.yaml", "X004", 70, 25),
    # `last_reviewed: 2026-04-14` value: 223 days before today (2026-11-23) > 183
    ("examples/bad/success.kpi.yaml", "P303", 73, 20),
    # `deadline: 2026-09-30` value of expansion-arr-h1: before today
    ("examples/bad/success.kpi.yaml", "S211", 84, 15),
    # customer-happiness entity: a KGI with neither `target` nor `unit` ...
    ("examples/bad/support.kpi.yaml", "S212", 5, 5),
    # ... and its `name: Improve customer happiness` value uses 'improve'
    ("examples/bad/support.kpi.yaml", "S213", 6, 11),
    # `target: 120` value of first-response-time: direction decrease, baseline 95
    ("examples/bad/support.kpi.yaml", "S209", 25, 13),
    # `target: 32` value of csat-response-rate: +300% from baseline 8 (max-change 100%)
    ("examples/bad/support.kpi.yaml", "S210", 40, 13),
    # ticket-quality-score entity: no `target`, `deadline`, `baseline` or `unit`
    ("examples/bad/support.kpi.yaml", "S201", 48, 5),
    ("examples/bad/support.kpi.yaml", "S202", 48, 5),
    ("examples/bad/support.kpi.yaml", "S203", 48, 5),
    ("examples/bad/support.kpi.yaml", "S205", 48, 5),
    # ... and its `definition` value is customer-happiness's (line 7), copied word for word
    ("examples/bad/support.kpi.yaml", "S214", 50, 17),
    # `name: Help center page views` value: 'page views' is in the vanity lexicon
    ("examples/bad/support.kpi.yaml", "P301", 60, 11),
    # `cadence: quarterly` value of self-service-rate, a declared leading KPI
    ("examples/bad/support.kpi.yaml", "P304", 85, 14),
]


def spec_files(directory: Path) -> list[Path]:
    """The spec files under ``directory`` that default discovery finds."""
    found = {path for pattern in SPEC_PATTERNS for path in directory.rglob(pattern)}
    return sorted(found)


def implemented_codes() -> set[str]:
    """Every registered rule an example can trigger (X002 needs a crashing rule)."""
    return {rule.code for rule in registry.all_rules()} - RULES_THAT_NEED_A_CRASH


# ---------------------------------------------------------------------------------------------
# (a) examples/good is clean


def test_good_example_passes_in_text() -> None:
    result = run_kpilint("check", "examples/good", cwd=REPO)
    assert result.code == 0, result.stdout + result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1, f"expected only the summary line, got:\n{result.stdout}"
    assert not FINDING_LINE.match(lines[0])
    assert f"{len(spec_files(GOOD))} files" in lines[0]


def test_good_example_passes_in_json() -> None:
    result = run_kpilint("check", "examples/good", "--output-format", "json", cwd=REPO)
    assert result.code == 0, result.stdout + result.stderr
    report = result.json()
    assert report["diagnostics"] == []
    assert report["summary"] == {
        "files": len(spec_files(GOOD)), "errors": 0, "warnings": 0, "infos": 0}


def test_good_example_is_split_over_files_with_cross_file_references() -> None:
    assert len(spec_files(GOOD)) >= 2
    defined: dict[str, Path] = {}
    references: list[tuple[Path, str]] = []
    for path in spec_files(GOOD):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            for section in ("kgis", "ksfs", "kpis"):
                for entity in (document or {}).get(section) or []:
                    defined[entity["id"]] = path
                    for field in ("supports", "paired_with"):
                        value = entity.get(field) or []
                        for target in [value] if isinstance(value, str) else value:
                            references.append((path, target))
    assert any(defined[target] != path for path, target in references)


# ---------------------------------------------------------------------------------------------
# (b), (c) examples/bad shows every rule, at exactly the documented positions


@pytest.fixture(scope="module")
def bad_report() -> dict[str, Any]:
    result = run_kpilint("check", "examples/bad", "--output-format", "json", cwd=REPO)
    assert result.code == 1, result.stdout + result.stderr
    assert result.stderr == ""
    report: dict[str, Any] = result.json()
    return report


def test_bad_example_findings_are_exactly_the_expected_ones(bad_report: dict[str, Any]) -> None:
    found = [(d["path"], d["code"], d["line"], d["column"]) for d in bad_report["diagnostics"]]
    assert found == BAD_FINDINGS


def test_bad_example_summary_counts_the_findings(bad_report: dict[str, Any]) -> None:
    severities = [d["severity"] for d in bad_report["diagnostics"]]
    assert bad_report["summary"] == {
        "files": len(spec_files(BAD)),
        "errors": severities.count("error"),
        "warnings": severities.count("warning"),
        "infos": severities.count("info"),
    }


def test_bad_example_triggers_every_implemented_rule(bad_report: dict[str, Any]) -> None:
    fired = {d["code"] for d in bad_report["diagnostics"]}
    missing = sorted(implemented_codes() - fired)
    assert not missing, (
        f"examples/bad triggers no {', '.join(missing)}: extend examples/bad so that each rule"
        " fires there, and add the new findings to BAD_FINDINGS in tests/test_examples.py")


def test_bad_example_offers_did_you_mean_fixes(bad_report: dict[str, Any]) -> None:
    fixes = {(d["code"], d["line"]): d["fix"] for d in bad_report["diagnostics"]
             if d["path"] == "examples/bad/marketing.kpi.yaml"}
    replacements = {key: [edit["text"] for edit in fix["edits"]]
                    for key, fix in fixes.items() if fix is not None}
    assert replacements == {
        ("E005", 28): ["mql-to-sql-rate"],
        ("E002", 54): ["decrease"],
        ("E002", 77): ["last_reviewed"],
    }


# ---------------------------------------------------------------------------------------------
# (d) text output shape


def test_bad_example_text_output_shape(bad_report: dict[str, Any]) -> None:
    result = run_kpilint("check", "examples/bad", cwd=REPO)
    assert result.code == 1, result.stdout + result.stderr
    *findings, summary = result.stdout.splitlines()
    assert findings, "no findings printed"
    for line in findings:
        assert FINDING_LINE.match(line), f"not `path:line:col: CODE [severity] message`: {line!r}"
    assert not FINDING_LINE.match(summary)
    assert str(len(findings)) in summary and f"{len(spec_files(BAD))} files" in summary, summary
    printed = [tuple(line.split(" ", 2)[:2]) for line in findings]
    expected = [(f"{d['path']}:{d['line']}:{d['column']}:", d["code"])
                for d in bad_report["diagnostics"]]
    assert printed == expected


# ---------------------------------------------------------------------------------------------
# (e) the published JSON Schema agrees with the examples


def _iso_dates(value: Any) -> Any:
    """YAML 1.1 timestamps as the ISO strings a YAML 1.2 editor would see."""
    if isinstance(value, dict):
        return {key: _iso_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso_dates(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _schema_errors(path: Path) -> list[str] | None:
    """Schema errors of every document of ``path``; None when it is not valid YAML."""
    schema = json.loads((REPO / "schemas" / "kpi-spec.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    try:
        documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValueError):
        return None
    return [f"{'/'.join(map(str, leaf.absolute_path))}: {leaf.message}"
            for document in documents if document is not None
            for error in validator.iter_errors(_iso_dates(document))
            for leaf in _leaf_errors(error)]


def _leaf_errors(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """The errors inside an ``anyOf``, without the "or null" alternative of optional fields."""
    if not error.context:
        return [error]
    leaves = [leaf for child in error.context for leaf in _leaf_errors(child)]
    return [leaf for leaf in leaves
            if not (leaf.validator == "type" and leaf.validator_value == "null")] or leaves


@pytest.mark.parametrize("path", spec_files(GOOD), ids=lambda path: path.name)
def test_good_files_validate_against_the_schema(path: Path) -> None:
    errors = _schema_errors(path)
    assert errors is not None, f"{path.name} is not valid YAML"
    assert errors == []


@pytest.mark.parametrize("path", spec_files(BAD), ids=lambda path: path.name)
def test_bad_files_break_the_schema_exactly_where_kpilint_reports_e001_or_e002(
        path: Path, bad_report: dict[str, Any]) -> None:
    relative = path.relative_to(REPO).as_posix()
    codes = {d["code"] for d in bad_report["diagnostics"] if d["path"] == relative}
    errors = _schema_errors(path)
    if errors is None:
        assert "E001" in codes, f"{path.name} is not valid YAML, yet kpilint reports no E001"
        return
    assert bool(errors) == ("E002" in codes), errors
