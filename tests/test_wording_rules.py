"""Wording rules through the real CLI: S204's circular and nonsense definitions (English and
Japanese), S214 duplicate-definition, and what P302 counts as volume (SPEC 10.3)."""



from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_files
from tests.test_practice_rules import (
    diagnostics,
    entity_span,
    kgi,
    kpi,
    lint,
    span,
    spec,
    value_span,
)

ADVICE = ": say what is counted, from which data and over which period"


@pytest.mark.parametrize(("name", "definition", "unit", "reasons"), [
    ("Accounting process efficiency", "Efficiency of accounting processes in %.", "percent",
     "adds nothing to its name"),
    ("Accounting efficiency", "Efficiency of accounting processes in %.", "percent",
     "adds nothing to its name"),
    ("Deals closed", "The total number of deals closed, counted.", "deals",
     "adds nothing to its name"),
    ("Win rate", "asdf asdf asdf asdf asdf", "percent", "has only 1 distinct word"),
    ("Inbound leads", "Leads, leads, leads and more leads", "count",
     "repeats 'lead' in 4 of its 6 words"),
    ("Conversion rate", "Conversion rate, conversion rate", "percent",
     "has only 2 distinct words and adds nothing to its name"),
    ("リード商談化率", "商談化したリードの件数の割合を示すパーセンテージの値。", "percent",
     "adds nothing to its name"),
    ("リード獲得単価", "あああああああああああああああああああああ", "JPY",
     "has only 0 distinct words and adds nothing to its name"),
])
def test_s204_reports_each_reason_once_at_the_definition(
        project: Path, name: str, definition: str, unit: str, reasons: str) -> None:
    text = spec(kpi(name=name, definition=f'"{definition}"', unit=unit))
    [finding] = lint(project, text, "S204")
    assert span(finding) == value_span(text, "mql-rate", "definition")
    assert (finding["subject"], finding["field"]) == ("mql-rate", "definition")
    assert finding["message"] == f"the definition of KPI 'mql-rate' {reasons}{ADVICE}"


def test_s204_names_length_and_wording_reasons_in_one_finding(project: Path) -> None:
    text = spec(kgis=(kgi(name="Revenue", definition='"Revenue, revenue."'),))
    [finding] = lint(project, text, "S204")
    assert span(finding) == value_span(text, "revenue", "definition")
    assert finding["message"] == (
        "the definition of KGI 'revenue' is 17 characters, under the 20 needed to pin it down,"
        f" has only 1 distinct word and adds nothing to its name{ADVICE}")


@pytest.mark.parametrize(("name", "definition"), [
    ("Deployment frequency", "Frequency of deployments per day."),  # adds the window
    ("Win rate", "Opportunities closed won / all opportunities closed in the quarter."),
    ("Accounting process efficiency",
     "Supplier invoices posted without manual correction / all invoices posted, monthly."),
    ("商談化率",
     "当月に獲得したリードのうち、30日以内に商談化したリードの割合（CRMの商談作成日）。"),
    ("顧客満足度", "問い合わせ完了後アンケートで5段階中4以上と回答した割合（暦月単位）。"),
])
def test_s204_accepts_definitions_that_say_more_than_the_name(
        project: Path, name: str, definition: str) -> None:
    assert lint(project, spec(kpi(name=name, definition=f'"{definition}"')), "S204") == []


def test_s204_leaves_ksf_definitions_alone(project: Path) -> None:
    text = spec(kpi()).replace("    supports: revenue\n",
                               "    definition: asdf asdf asdf asdf asdf\n    supports: revenue\n")
    assert "asdf" in text
    assert lint(project, text, "S204") == []


COPIED = "Share of customers paying on 1 April who still pay on 31 March."


def test_s214_reports_every_copy_after_the_first_in_path_then_line_order(project: Path) -> None:
    first = spec(kpi("sales-retention", name="Sales retention", definition=COPIED),
                 kgis=(kgi(definition=COPIED),))
    later = "version: 1\nkpis:\n" + kpi(
        "cs-retention", name="CS retention",
        definition='"share of customers paying on 1 April, who still pay on 31 March"')
    write_files(project, {"a.kpi.yaml": first, "b.kpi.yaml": later})
    found = diagnostics(project, "--select", "S214")
    revenue_definition = value_span(first, "revenue", "definition")
    assert [(d["path"], span(d), d["subject"], d["field"]) for d in found] == [
        ("a.kpi.yaml", value_span(first, "sales-retention", "definition"), "sales-retention",
         "definition"),
        ("b.kpi.yaml", value_span(later, "cs-retention", "definition"), "cs-retention",
         "definition")]
    assert found[1]["message"] == (
        f"KPI 'cs-retention' has the same definition as KGI 'revenue' at a.kpi.yaml:"
        f"{revenue_definition[0]}: two different indicators need two definitions; say what this"
        " one counts that the other does not")
    for finding in found:
        assert finding["severity"] == "warning"
        assert [(r["path"], r["line"], r["column"], r["message"]) for r in finding["related"]] == [
            ("a.kpi.yaml", revenue_definition[0], revenue_definition[1],
             "KGI 'revenue' has this definition")]


def test_s214_is_reported_when_only_the_copy_is_named(project: Path) -> None:
    write_files(project, {
        "a.kpi.yaml": spec(kgis=(kgi(definition=COPIED),)),
        "b.kpi.yaml": "version: 1\nkpis:\n" + kpi(definition=COPIED)})
    found = diagnostics(project, "b.kpi.yaml", "--select", "S214")
    assert [(d["path"], d["subject"], d["related"][0]["path"]) for d in found] == [
        ("b.kpi.yaml", "mql-rate", "a.kpi.yaml")]


@pytest.mark.parametrize(("first", "second", "reported"), [
    ("期首の有料顧客のうち、期末にも契約を継続している顧客の割合。",
     "期首の有料顧客のうち期末にも契約を継続している顧客の割合", True),
    ("ＭＡＵ：暦月中に主要操作を行ったユーザー（ＦＹ２６）",
     "MAU: 暦月中に主要操作を行ったユーザー (FY26)", True),
    ("Won deals / closed deals, per quarter.", "Won deals / closed deals, per month.", False),
    ("...", "...", False),
])
def test_s214_compares_definitions_after_normalising(
        project: Path, first: str, second: str, reported: bool) -> None:
    text = spec(kpi("one", definition=f'"{first}"'), kpi("two", definition=f'"{second}"'))
    found = lint(project, text, "S214")
    assert [d["subject"] for d in found] == (["two"] if reported else [])


def test_s214_ignores_ksfs(project: Path) -> None:
    text = spec(kpi(definition=COPIED)).replace(
        "    supports: revenue\n", f"    definition: {COPIED}\n    supports: revenue\n", 1)
    assert text.count(COPIED) == 2
    assert lint(project, text, "S214") == []


@pytest.mark.parametrize(("name", "unit"), [
    ("Support tickets closed per week", "tickets"),
    ("Students enrolled", "Students"),
    ("Marketing qualified leads", "qualified leads per month"),
    ("Number of demos held", None),
    ("Total number of new hires", None),
    ("No. of demo requests", None),
    ("# of form submissions", None),
    ("Number of demos per calendar month", None),
    ("月間商談数", "件"),
    ("新規顧客", "社"),
    ("商談", "件/月"),
    ("問い合わせ件数（月間）", None),
    ("月あたり商談数", None),
])
def test_p302_counts_volume_beyond_unit_count(project: Path, name: str, unit: str | None) -> None:
    text = spec(kpi(name=f'"{name}"', unit=f'"{unit}"' if unit else None))
    [finding] = lint(project, text, "P302")
    assert (span(finding)[:2], finding["subject"]) == (entity_span(text, "mql-rate")[:2],
                                                      "mql-rate")


@pytest.mark.parametrize(("name", "unit"), [
    ("Number of demos held", "percent"),
    ("Number of leads", "ratio"),
    ("Total number of hires", "USD"),
    ("Number of days to close", "days"),
    ("Number of tickets per agent", None),
    ("Tickets", "tickets per agent"),
    ("Numbers of the quarter", None),
    ("営業一人あたり商談数", None),
    ("平均商談数", None),
    ("顧客推奨指数", None),
    ("営業サイクル日数", None),
    ("商談化率", None),
])
def test_p302_leaves_rates_and_other_units_alone(
        project: Path, name: str, unit: str | None) -> None:
    assert lint(project, spec(kpi(name=f'"{name}"', unit=f'"{unit}"' if unit else None)),
                "P302") == []


def test_p302_free_unit_volume_is_paired_like_a_count(project: Path) -> None:
    text = spec(kpi("closed", name="Tickets closed", unit="tickets", paired_with="reopen"),
                kpi("reopen", name="Ticket reopen rate"))
    assert lint(project, text, "P302") == []
