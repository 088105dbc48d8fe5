"""The name rules on real KPI names, English and Japanese, through the real CLI.

P301 vanity-metric (a period after "per" is a time window), S213 vague-name (a verb that starts an
English name or ends a Japanese one), P306 uncontrollable-kpi, and the indicator guesses of G105,
P304 and P305 with the shared ``[indicators]`` config table. Each test writes many KPIs into one
spec and runs kpilint once, then pins every finding: code, position of the `name` value, subject
and the whole message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_kpilint, write_files
from tests.test_practice_rules import (
    configure,
    diagnostics,
    kgi,
    kpi,
    lint,
    only,
    spec,
    value_span,
)

WISH = (", a wish rather than a metric: name the quantity and how it is counted, e.g. 'Monthly"
        " logo churn rate' instead of 'Improve retention'")
UNCONTROLLABLE = (", an outcome no team moves directly: the team cannot act on it, so it reports"
                  " luck; track what the team controls that drives it, and leave the outcome to"
                  " a KGI")


def named_kpis(names: list[str], **fields: str | None) -> str:
    """A spec with one KPI per name, ids k0, k1…, all else as in the base tree."""
    return spec(*(kpi(f"k{index}", name=name, **fields) for index, name in enumerate(names)))


def findings_by_name(project: Path, names: list[str], code: str,
                     **fields: str | None) -> dict[str, str]:
    """Lint the KPIs named ``names``; name -> message of its one finding of ``code``.

    Every finding must be at the `name` value of its KPI, with the KPI as subject.
    """
    text = named_kpis(names, **fields)
    found = lint(project, text, code)
    messages: dict[str, str] = {}
    for d in found:
        index = int(d["subject"].removeprefix("k"))
        assert (d["line"], d["column"], d["end_line"], d["end_column"]) == value_span(
            text, d["subject"], "name"), d
        assert d["field"] == "name"
        assert names[index] not in messages, f"two findings for {names[index]}"
        messages[names[index]] = d["message"]
    return messages


# --- P301 vanity-metric ----------------------------------------------------------------------

VANITY = {
    "Followers per month": ("followers", "engagement rate per post (interactions / reach)"),
    "Page views per quarter": ("page views",
                               "conversion rate per visit (sign-ups or leads / sessions)"),
    "Forum likes per quarter": ("likes", "engagement rate per post (interactions / reach)"),
    "App downloads per month": (
        "downloads", "activation rate (new users who complete the first key action / downloads)"),
    "Product downloads": (
        "downloads", "activation rate (new users who complete the first key action / downloads)"),
    "Monthly impressions": ("impressions", "click-through rate (clicks / impressions)"),
    "Video views / week": ("video views",
                           "completion rate or view-to-lead conversion rate"),
    "ページビュー数": ("ページビュー",
                "訪問あたりコンバージョン率（登録またはリード / セッション）"),
    "フォロワー数": ("フォロワー", "投稿あたりエンゲージメント率（反応数 / リーチ）"),
    "いいね数": ("いいね", "投稿あたりエンゲージメント率（反応数 / リーチ）"),
    "ダウンロード数": ("ダウンロード",
                 "有効化率（最初の重要な操作を終えた新規ユーザー / ダウンロード数）"),
    "月間PV数": ("pv", "訪問あたりコンバージョン率（登録またはリード / セッション）"),
    "月あたりのアプリダウンロード数": (
        "ダウンロード", "有効化率（最初の重要な操作を終えた新規ユーザー / ダウンロード数）"),
}

NOT_VANITY = [
    "Page views / session", "Page views per session", "Likes per post per month",
    "Follower engagement rate", "Active newsletter subscribers", "Download to activation rate",
    "セッションあたりページビュー", "投稿あたりいいね数", "ダウンロードからの有効化率",
    "フォロワーのエンゲージメント率", "月間アクティブユーザー数",
]


def test_p301_time_windows_and_japanese_names_are_vanity(project: Path) -> None:
    names = [*VANITY, *NOT_VANITY]
    messages = findings_by_name(project, names, "P301")
    assert set(messages) == set(VANITY)
    for index, (name, (term, instead)) in enumerate(VANITY.items()):
        assert messages[name] == (
            f"KPI 'k{index}' tracks {term}, a vanity metric: it can rise while the goal does not"
            f" move; track {instead} instead"), name


def test_p301_exact_position_of_a_japanese_name(project: Path) -> None:
    text = spec(kpi(name="「いいね」数"))
    [d] = lint(project, text, "P301")
    # columns count code points: 「いいね」数 is six characters
    assert (d["line"], d["column"], d["end_line"], d["end_column"]) == (18, 11, 18, 17)


def test_p301_extend_terms_accepts_japanese(project: Path) -> None:
    text = named_kpis(["ウェビナー視聴者数", "ウェビナー視聴者あたりの商談化率"])
    assert lint(project, text, "P301") == []
    configure(project, '[rules.vanity-metric]\nextend-terms = ["ウェビナー視聴者"]\n')
    [d] = lint(project, text, "P301")
    assert d["subject"] == "k0"
    assert d["message"] == (
        "KPI 'k0' tracks ウェビナー視聴者, a vanity metric: it can rise while the goal does not"
        " move; track a rate or ratio that shows progress toward the goal instead")


# --- S213 vague-name -------------------------------------------------------------------------

VAGUE = {
    "Increase revenue": "starts with 'increase'",
    "Grow MRR": "starts with 'grow'",
    "Drive engagement": "starts with 'drive'",
    "Reduce churn": "starts with 'reduce'",
    "Deliver annualized savings": "starts with 'deliver'",
    "Improve onboarding": "starts with 'improve'",
    "Boost trial sign-ups": "starts with 'boost'",
    "Maximize pipeline": "starts with 'maximize'",
    "Try harder on renewals": "says 'try harder'",
    "Renewals, do better": "says 'do better'",
    "顧客満足度を改善する": "ends with '改善する'",
    "売上を伸ばす": "ends with '伸ばす'",
    "客単価を高める": "ends with '高める'",
    "商談数を増やす": "ends with '増やす'",
    "解約数を減らす": "ends with '減らす'",
    "売上を伸ばします": "ends with '伸ばします'",
    "顧客満足度を改善します。": "ends with '改善します'",
    "MRRを 伸ばす": "ends with '伸ばす'",
    "営業サイクルを短縮する": "ends with '短縮する'",
    "できるだけ早く返信する件数": "says 'できるだけ'",
}

NOT_VAGUE = [
    "Revenue of best-selling SKUs", "Share of reviews rated excellent",
    "Process improvement ideas implemented per quarter", "Enhanced support plan attach rate",
    "Revenue growth rate", "Improved-plan adoption", "Increase in AOV", "Decrease rate of refunds",
    "Lift per campaign", "Drive-thru wait time", "Drive time to customer sites",
    "Boost pack attach rate", "Brand lift study completion",
    "Improvement backlog size", "Betterment fund contributions", "売上改善率", "顧客満足度向上",
    "売上を伸ばす施策の実施数",
]


def test_s213_verbs_that_start_or_end_a_name(project: Path) -> None:
    names = [*VAGUE, *NOT_VAGUE]
    messages = findings_by_name(project, names, "S213")
    assert set(messages) == set(VAGUE)
    for index, (name, wording) in enumerate(VAGUE.items()):
        assert messages[name] == f"the name of KPI 'k{index}' {wording}{WISH}", name


def test_s213_kgi_in_japanese_yes_ksf_no(project: Path) -> None:
    text = spec(kpi(), kgis=(kgi(name="年間売上を伸ばす"),)).replace(
        "Strengthen lead nurturing", "リード育成を強化する")
    [d] = lint(project, text, "S213")
    assert (d["subject"], d["field"]) == ("revenue", "name")
    assert (d["line"], d["column"], d["end_line"], d["end_column"]) == value_span(
        text, "revenue", "name")
    assert d["message"] == f"the name of KGI 'revenue' ends with '伸ばす'{WISH}"


def test_s213_extend_verbs_in_both_languages(project: Path) -> None:
    names = ["Supercharge demo show-ups", "コミュニティを活性化する", "Supercharge in AOV"]
    assert lint(project, named_kpis(names), "S213") == []
    configure(project, '[rules.vague-name]\nextend-verbs = ["supercharge", "活性化する"]\n')
    assert findings_by_name(project, names, "S213") == {
        "Supercharge demo show-ups": f"the name of KPI 'k0' starts with 'supercharge'{WISH}",
        "コミュニティを活性化する": f"the name of KPI 'k1' ends with '活性化する'{WISH}",
    }


def test_s213_extend_terms_accepts_japanese_phrases(project: Path) -> None:
    configure(project, '[rules.vague-name]\nextend-terms = ["全力で"]\n')
    [d] = lint(project, spec(kpi(name="全力で対応した問い合わせ数")), "S213")
    assert d["message"] == f"the name of KPI 'mql-rate' says '全力で'{WISH}"


# --- P306 uncontrollable-kpi -----------------------------------------------------------------

UNCONTROLLABLE_NAMES = {
    "Company share price": "share price",
    "Stock price vs. peers": "stock price",
    "Market capitalisation": "market capitalisation",
    "Market capitalization at quarter end": "market capitalization",
    "USD/JPY exchange rate": "exchange rate",
    "Central bank interest rate": "interest rate",
    "Inflation": "inflation",
    "GDP growth": "gdp",
    "Industry growth": "industry growth",
    "Competitor's list price": "competitor's",
    "Competitors' list prices": "competitor's",
    "Competitors’ discounts": "competitor's",
    "Rainy days in the sales region": "rainy day",
    "Weather-adjusted footfall": "weather",
    "株価": "株価",
    "時価総額": "時価総額",
    "為替レート（円/ドル）": "為替レート",
    "金利水準": "金利",
    "景気動向指数": "景気",
}

CONTROLLABLE = ["Deals lost to competitors", "Win rate against competitors",
                "Cost per marketing qualified lead", "競合への勝率", "外貨建て売上のヘッジ比率",
                "Interest income from invoices paid late"]


def test_p306_outcomes_no_team_moves(project: Path) -> None:
    names = [*UNCONTROLLABLE_NAMES, *CONTROLLABLE]
    messages = findings_by_name(project, names, "P306")
    assert set(messages) == set(UNCONTROLLABLE_NAMES)
    for index, (name, term) in enumerate(UNCONTROLLABLE_NAMES.items()):
        assert messages[name] == f"KPI 'k{index}' tracks {term}{UNCONTROLLABLE}", name


def test_p306_severity_and_kgis_are_exempt(project: Path) -> None:
    text = spec(kpi(name="Company share price"), kgis=(kgi(name="時価総額"),))
    [d] = lint(project, text, "P306")
    assert (d["subject"], d["severity"], d["code"], d["name"]) == (
        "mql-rate", "warning", "P306", "uncontrollable-kpi")


def test_p306_extend_terms(project: Path) -> None:
    text = named_kpis(["Analyst rating", "日経平均との連動率"])
    assert lint(project, text, "P306") == []
    configure(project,
              '[rules.uncontrollable-kpi]\nextend-terms = ["analyst rating", "日経平均"]\n')
    messages = findings_by_name(project, ["Analyst rating", "日経平均との連動率"], "P306")
    assert messages == {"Analyst rating": f"KPI 'k0' tracks analyst rating{UNCONTROLLABLE}",
                        "日経平均との連動率": f"KPI 'k1' tracks 日経平均{UNCONTROLLABLE}"}


# --- indicator guesses (P305 shows them) -----------------------------------------------------

GUESSES = {
    "Time to first response": ("time to first response", "leading"),
    "App downloads": ("app downloads", "leading"),
    "Activation rate of new sign-ups": ("activation rate", "leading"),
    "Weekly active users": ("weekly active users", "lagging"),
    "WAU": ("wau", "lagging"),
    "MAU": ("mau", "lagging"),
    "商談化率": ("商談化率", "leading"),
    "問い合わせ数": ("問い合わせ数", "leading"),
    "解約率": ("解約率", "lagging"),
    "月間売上": ("売上", "lagging"),
}


def test_p305_guesses_real_names_in_both_languages(project: Path) -> None:
    text = named_kpis(list(GUESSES), indicator=None)
    found = lint(project, text, "P305")
    assert [(d["subject"], d["message"]) for d in found] == [
        (f"k{index}", f"KPI 'k{index}' does not declare `indicator`: its name ('{phrase}')"
                      f" suggests `indicator: {indicator}`")
        for index, (phrase, indicator) in enumerate(GUESSES.values())]


# --- the shared [indicators] table -----------------------------------------------------------


def test_indicators_table_reaches_g105_p304_and_p305(project: Path) -> None:
    text = spec(kpi("win-rate", name="Win rate", indicator="lagging"),
                kpi(name="パートナー紹介数", indicator=None, cadence="quarterly"))
    write_files(project, {"a.kpi.yaml": text})
    configure(project)
    before = diagnostics(project, "--select", "G105,P304,P305")
    assert [d["code"] for d in before] == ["G105", "P305"]
    configure(project, '[indicators]\nextend-leading = ["パートナー紹介"]\n')
    after = diagnostics(project, "--select", "G105,P304,P305")
    assert [(d["code"], d["subject"]) for d in after] == [("P305", "mql-rate"),
                                                          ("P304", "mql-rate")]
    assert after[0]["message"] == (
        "KPI 'mql-rate' does not declare `indicator`: its name ('パートナー紹介') suggests"
        " `indicator: leading`")
    assert after[1]["message"].startswith(
        "KPI 'mql-rate' looks leading but is reviewed only quarterly")


def test_a_rules_own_list_adds_to_the_shared_one_for_that_rule(project: Path) -> None:
    text = spec(kpi(name="Partner referrals", indicator=None),
                kpi("events", name="Community events held", indicator=None))
    write_files(project, {"a.kpi.yaml": text})
    configure(project, '[indicators]\nextend-lagging = ["partner referrals"]\n'
                       '[rules.undeclared-indicator]\nextend-leading = ["community events"]\n')
    found = only(project, "P305")
    assert [d["message"].split(": ", 1)[1] for d in found] == [
        "its name ('partner referrals') suggests `indicator: lagging`",
        "its name ('community events') suggests `indicator: leading`"]
    # G105 sees only the shared list: one lagging KPI, the other unknown
    [d] = only(project, "G105")
    assert [r["message"] for r in d["related"]] == ["KPI 'mql-rate'"]


@pytest.mark.parametrize("table,problem", [
    ('[indicators]\nextend-leading = "demo requests"\n',
     "key `indicators.extend-leading`: 'demo requests' is not of type 'array'"),
    ('[indicators]\nextend-leading = [""]\n', "key `indicators.extend-leading.0`"),
    ('[indicators]\nextend-leadin = ["x"]\n',
     "key `indicators.extend-leadin`: unknown key (did you mean 'extend-leading'?)"),
])
def test_indicators_table_is_validated(project: Path, table: str, problem: str) -> None:
    configure(project, table)
    write_files(project, {"a.kpi.yaml": spec(kpi())})
    run = run_kpilint("check", cwd=project)
    assert (run.code, run.stdout) == (2, "")
    [line] = run.stderr.strip().splitlines()
    assert "kpilint.toml" in line and problem in line, line


def test_show_settings_lists_the_indicators_table(project: Path) -> None:
    configure(project, '[indicators]\nextend-lagging = ["解約"]\n')
    write_files(project, {"a.kpi.yaml": spec(kpi())})
    run = run_kpilint("check", "--show-settings", cwd=project)
    assert run.code == 0, run.stderr
    section = run.stdout.split("[indicators]\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert section == ["extend-leading = []  # default",
                       f'extend-lagging = ["解約"]  # {project / "kpilint.toml"}']


def test_indicators_table_reaches_the_graph(project: Path) -> None:
    text = spec(kpi(name="パートナー紹介数", indicator=None),
                kpi("ja", name="問い合わせ数", indicator=None))
    write_files(project, {"a.kpi.yaml": text})

    def drawn() -> list[tuple[str, str | None, bool]]:
        run = run_kpilint("graph", "--format", "json", cwd=project)
        assert run.code == 0, run.stderr
        return [(node["id"], node["indicator"], node["indicator_inferred"])
                for node in run.json()["nodes"] if node["kind"] == "KPI"]

    configure(project)
    assert drawn() == [("mql-rate", None, False), ("ja", "leading", True)]
    configure(project, '[indicators]\nextend-lagging = ["パートナー紹介"]\n')
    assert drawn() == [("mql-rate", "lagging", True), ("ja", "leading", True)]
