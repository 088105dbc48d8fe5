"""kpilint.lexicon: word normalisation, phrase matching, and the lexicon data files.

The coverage tests pin how the indicator lexicon reads the usual KPIs of the seven functions it
claims to know (marketing, sales, customer success, product, finance, support, engineering), with
the phrase that decided each guess, so a change to rules/lexicons/indicators.yaml that flips one
of them is a deliberate, reviewed change. Leading and lagging follow the domain notes: activity,
pipeline, adoption and speed lead; revenue, churn, retention, satisfaction, margin, cash and
incident outcomes lag (e.g. DSO, NPS, MAU and cost per lead are listed as lagging there).
Active-user counts are one class whatever their period: DAU and WAU lag like MAU.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kpilint.lexicon import (
    NEITHER,
    Lexicon,
    Term,
    VanityLexicon,
    compact,
    indicator_lexicon,
    lexicon,
    lexicon_files,
    read_lexicon,
    singular,
    vague_lexicon,
    vague_verbs,
    vanity_lexicon,
    words,
)
from tests.conftest import REPO

LEXICONS = REPO / "rules" / "lexicons"
FUNCTIONS = ["marketing", "sales", "customer success", "product", "finance", "support",
             "engineering", "people"]
# Single words that name no metric by themselves and would misfire as a lexicon term.
GENERIC_WORDS = {"rate", "time", "count", "number", "total", "value", "score", "ratio",
                 "percent", "percentage", "amount", "volume", "user", "customer", "sale",
                 "growth", "level", "index", "call", "usage", "day", "week", "month", "year",
                 "average", "new", "monthly", "weekly", "daily", "per", "of", "to"}


def read(name: str) -> Any:
    """The English file of a lexicon; ``name`` may name a language file ("vanity.ja")."""
    with open(LEXICONS / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def guess(name: str) -> tuple[str, str] | None:
    term = indicator_lexicon().match(name)
    return (term.value, term.phrase) if term else None


# --- singular() and words() ------------------------------------------------------------------


@pytest.mark.parametrize("word,expected", [
    ("followers", "follower"), ("leads", "lead"), ("activities", "activity"),
    ("opportunities", "opportunity"), ("businesses", "business"), ("pushes", "push"),
    ("matches", "match"), ("boxes", "box"), ("days", "day"), ("mqls", "mql"),
    ("follower", "follower"), ("process", "process"), ("status", "status"),
    ("analysis", "analysis"), ("ties", "tie"), ("gas", "gas"), ("us", "us"), ("is", "is"),
    ("s", "s"), ("", "")])
def test_singular(word: str, expected: str) -> None:
    assert singular(word) == expected


def test_singular_applies_to_both_sides_so_odd_stems_still_match() -> None:
    # "series" becomes "sery": crude, but the same on the lexicon's side and the name's
    assert singular("series") == singular("series")
    assert Lexicon.of([("time series", "x")]).match("Time Series backlog") is not None


@pytest.mark.parametrize("text,expected", [
    ("Social Media Followers", ("social", "media", "follower")),
    ("follower count", ("follower", "count")),
    ("click-through rate", ("click", "through", "rate")),
    ("MQL→SQL: 30%", ("mql", "sql", "30")),
    ("  Day-30   retention  ", ("day", "30", "retention")),
    ("P95 API latency", ("p95", "api", "latency")),
    ("Sign-ups", ("sign", "ups")),  # words of three letters or fewer stay as they are
    ("Signups", ("signup",)),
    ("Schüler-Anmeldungen", ("schüler", "anmeldungen")),
    ("ＫＰＩ_2026", ("kpi", "2026")),
    ("", ()),
    ("--- ??? ---", ()),
    # a plural possessive reads as the singular one: both give the word "s"
    ("Competitor's prices", ("competitor", "s", "price")),
    ("Competitors' prices", ("competitor", "s", "price")),
    ("competitors’ 'quoted' prices", ("competitor", "s", "quoted", "price")),
])
def test_words(text: str, expected: tuple[str, ...]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize("name,phrase", [
    ("CI pipeline duration", "ci pipeline"), ("Invoice error rate", "invoice error rate"),
    ("データパイプラインの遅延", "データパイプライン")])
def test_neither_phrases_win_over_the_indicator_word_they_hold(name: str, phrase: str) -> None:
    assert guess(name) == (NEITHER, phrase)
    assert guess("Sales pipeline") == ("leading", "pipeline")
    assert guess("API error rate") == ("leading", "error rate")


def test_short_plurals_are_listed_in_both_forms() -> None:
    # singular() leaves "ups" alone, so the lexicon lists "sign-up" beside "sign-ups"
    assert words("sign-up") != words("sign-ups")
    assert guess("Trial sign-ups") == ("leading", "trial sign-ups")
    assert guess("Sign-up to activation time") == ("leading", "sign-up")


def test_words_skip_non_latin_text() -> None:
    assert words("フォロワー数 followers") == ("follower",)


# --- Lexicon ---------------------------------------------------------------------------------


SAMPLE = Lexicon.of([
    ("response time", "leading"), ("lead response time", "leading-3"), ("leads", "leading"),
    ("resolution time", "lagging"), ("churn", "lagging")])


def test_match_longest_phrase_wins() -> None:
    term = SAMPLE.match("Lead response time")
    assert term == Term("lead response time", ("lead", "response", "time"), "leading-3")
    assert SAMPLE.match("Median response time") == Term(
        "response time", ("response", "time"), "leading")
    assert SAMPLE.match("Leads per month") == Term("leads", ("lead",), "leading")


def test_match_is_case_and_plural_insensitive() -> None:
    for name in ("LEAD RESPONSE TIMES", "lead Response Time", "Leads response times"):
        term = SAMPLE.match(name)
        assert term is not None and term.value == "leading-3", name
    assert SAMPLE.match("Lead") == SAMPLE.match("LEADS")


def test_match_needs_whole_words_in_order_and_adjacent() -> None:
    assert SAMPLE.match("Churned accounts") is None  # "churned" is not "churn"
    assert SAMPLE.match("Leadership offsite") is None
    assert SAMPLE.match("Time to response") is None  # wrong order
    assert SAMPLE.match("Response and resolution time") == Term(
        "resolution time", ("resolution", "time"), "lagging")
    assert SAMPLE.match("Time") is None


def test_match_hyphens_and_punctuation_split_words() -> None:
    lexicon = Lexicon.of([("sign-ups", "a"), ("click through rate", "b"), ("follow-up", "c")])
    assert lexicon.match("Trial sign ups") is not None
    assert lexicon.match("Trial SIGN-UPS") is not None
    assert lexicon.match("Trial signups") is None  # one word, not two
    term = lexicon.match("Email click-through rate")
    assert term is not None and term.phrase == "click through rate"
    term = lexicon.match("Follow/up time")
    assert term is not None and term.value == "c"


def test_equal_length_ties_go_to_the_first_listed() -> None:
    lexicon = Lexicon.of([("cycle time", "leading"), ("sales cycle", "lagging")])
    term = lexicon.match("Sales cycle time")
    assert term is not None and term.value == "leading"
    swapped = Lexicon.of([("sales cycle", "lagging"), ("cycle time", "leading")])
    term = swapped.match("Sales cycle time")
    assert term is not None and term.value == "lagging"


def test_extended_adds_terms_and_the_users_win_ties() -> None:
    extended = SAMPLE.extended([("churn", "user"), ("partner referrals", "leading")])
    term = extended.match("Logo churn")
    assert term is not None and term.value == "user"
    term = extended.match("Partner referral count")
    assert term is not None and term.phrase == "partner referrals"
    # a longer built-in phrase still beats a shorter user phrase
    assert SAMPLE.extended([("time", "user")]).match("Lead response time") == SAMPLE.match(
        "Lead response time")
    # the original is unchanged
    assert SAMPLE.match("Partner referrals") is None


def test_of_drops_phrases_without_words_and_keeps_the_written_phrase() -> None:
    lexicon = Lexicon.of([("---", "x"), ("", "y"), ("Page-Views", "z")])
    assert lexicon.terms == (Term("Page-Views", ("page", "view"), "z"),)
    assert lexicon.match("") is None


def test_empty_lexicon_matches_nothing() -> None:
    assert Lexicon.of([]).match("anything at all") is None


def test_unspaced_terms_match_as_substrings_spaces_ignored() -> None:
    lexicon = Lexicon.of([("フォロワー", "a"), ("商談化率", "b"), ("商談", "c"), ("売上", "d")])
    assert lexicon.terms[1] == Term("商談化率", (), "b", "商談化率")  # by length: 5, 4, 2, 2
    assert lexicon.match("フォロワー数") == Term("フォロワー", (), "a", "フォロワー")
    term = lexicon.match("リードの 商談化 率")  # spaces inside a Japanese name do not matter
    assert term is not None and term.value == "b"
    term = lexicon.match("新規商談数")
    assert term is not None and term.value == "c"
    assert lexicon.match("ﾌｫﾛﾜｰ数") is not None  # half-width katakana, read after NFKC
    assert lexicon.match("followers") is None
    assert lexicon.match("売り上げ") is None  # no analyser: another spelling is another term


def test_latin_words_inside_japanese_text_stay_whole_words() -> None:
    lexicon = Lexicon.of([("mrr", "lagging"), ("pv", "vanity")])
    term = lexicon.match("MRRを伸ばす")
    assert term is not None and term.phrase == "mrr"
    assert lexicon.match("ＰＶ数") is not None  # full-width Latin letters
    assert lexicon.match("MRRRを伸ばす") is None
    assert lexicon.match("PVC使用量") is None


def test_longest_wins_across_scripts_and_ties_go_to_the_first_listed() -> None:
    lexicon = Lexicon.of([("解約", "x"), ("churn rate", "y"), ("解約率", "z")])
    term = lexicon.match("Churn rate（解約率）")
    assert term is not None and term.value == "z"  # three characters beat two words
    term = Lexicon.of([("churn", "y"), ("解", "x")]).match("Churn（解約）")
    assert term is not None and term.value == "y"


def test_on_equal_length_the_head_of_an_english_name_wins() -> None:
    lexicon = Lexicon.of([("sign-ups", "first listed"), ("activation rate", "head")])
    term = lexicon.match("Activation rate of new sign-ups")
    assert term is not None and term.value == "head"
    term = lexicon.match("Sign-ups by activation rate band")
    assert term is not None and term.value == "first listed"
    term = lexicon.match("Sign-ups and activation rate")  # no complement: first listed
    assert term is not None and term.value == "first listed"


def test_starting_and_ending() -> None:
    lexicon = Lexicon.of([("grow", ""), ("get more", ""), ("伸ばす", ""), ("売上", "")])
    assert lexicon.starting("Grow MRR") == Term("grow", ("grow",), "")
    assert lexicon.starting("Get more referrals") == Term("get more", ("get", "more"), "")
    assert lexicon.starting("MRR grow") is None
    assert lexicon.starting("売上を伸ばす") == Term("売上", (), "", "売上")
    assert lexicon.ending("売上を伸ばす") == Term("伸ばす", (), "", "伸ばす")
    assert lexicon.ending("売上を伸ばす。") is not None
    assert lexicon.ending("売上を伸ばす施策") is None
    assert lexicon.ending("Grow") is None  # only unspaced terms end a name
    assert lexicon.starting("") is None and lexicon.ending("") is None


def test_compact_normalises_width_case_and_spaces() -> None:
    assert compact(" ＰＶ 数\u3000（月間） ") == "pv数(月間)"


def test_read_lexicon_joins_the_language_files(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "rules" / "lexicons"
    folder.mkdir(parents=True)
    (folder / "demo.yaml").write_text("count-nouns: [students]\nnested: {a: [x]}\n", "utf-8")
    (folder / "demo.ja.yaml").write_text("count-nouns: [人, 件]\nnested: {a: [y]}\n", "utf-8")
    (folder / "demo.de.yaml").write_text("count-nouns: [Schüler]\n", "utf-8")
    (folder / "demonstration.yaml").write_text("count-nouns: [never]\n", "utf-8")
    monkeypatch.setattr("kpilint.lexicon.data_path", lambda *parts: tmp_path.joinpath(*parts))
    read_lexicon.cache_clear()
    lexicon.cache_clear()
    try:
        assert [path.name for path in lexicon_files("demo")] == [
            "demo.yaml", "demo.de.yaml", "demo.ja.yaml"]
        assert read_lexicon("demo") == {"count-nouns": ["students", "Schüler", "人", "件"],
                                        "nested": {"a": ["x", "y"]}}
        count_nouns = lexicon("demo", "count-nouns")
        assert [term.phrase for term in count_nouns.terms] == ["students", "Schüler", "人", "件"]
        assert count_nouns.match("Students enrolled") is not None
        assert count_nouns.match("件") is not None
        assert lexicon("demo", "no-such-key").match("students") is None
    finally:
        read_lexicon.cache_clear()
        lexicon.cache_clear()


# --- VanityLexicon ---------------------------------------------------------------------------


def plain(*phrases: str) -> Lexicon:
    return Lexicon.of((phrase, phrase) for phrase in phrases)


SMALL_VANITY = VanityLexicon(
    Lexicon.of([("followers", "engagement rate"), ("フォロワー", "エンゲージメント率")]),
    rate_words=plain("rate", "share", "率"), per_words=plain("per", "あたり"),
    period_words=plain("month", "monthly", "fiscal year", "月", "四半期"))


def test_vanity_rate_words_exclude_a_name() -> None:
    lexicon = SMALL_VANITY
    term = lexicon.match("Social Media Followers")
    assert term is not None and term.value == "engagement rate"
    assert lexicon.match("Follower engagement rate") is None
    assert lexicon.match("Followers per post") is None
    assert lexicon.match("Followers' shares") is None  # plural of a rate word
    assert lexicon.match("Followers to customers %") is None
    assert lexicon.match("Followers (% of reach)") is None
    assert lexicon.match("Followers (％ of reach)") is None  # full-width, read after NFKC
    assert lexicon.match("Ratepayers") is None  # not a vanity term at all
    assert lexicon.match("フォロワー増加率") is None


@pytest.mark.parametrize("name", [
    "Followers per month", "Followers per Monthly cohort", "Followers per fiscal year",
    "Followers / month", "Followers/month", "Monthly followers", "フォロワー数（月あたり）",
    "月あたりフォロワー数", "四半期あたりのフォロワー", "月間フォロワー数"])
def test_vanity_per_a_period_is_a_time_window(name: str) -> None:
    assert SMALL_VANITY.match(name) is not None


@pytest.mark.parametrize("name", [
    "Followers per post", "Followers per month per post", "Followers / post",
    "Followers / month / post", "Followers per", "投稿あたりフォロワー", "フォロワー/投稿",
    "月あたりフォロワー数（投稿あたり）"])
def test_vanity_per_anything_else_is_a_rate(name: str) -> None:
    assert SMALL_VANITY.match(name) is None


def test_builtin_vanity_lexicon() -> None:
    lexicon = vanity_lexicon()
    for name, phrase in [("Social Media Followers", "followers"), ("follower count", "followers"),
                         ("Total page views", "page views"), ("YouTube video views", "video views"),
                         ("App installs", "app installs"), ("Registered users", "registered users"),
                         ("LinkedIn followers", "followers"), ("Whitepaper downloads", "downloads"),
                         ("Email opens", "email opens")]:
        term = lexicon.match(name)
        assert term is not None and term.phrase == phrase, name
    for name in ["Follower engagement rate", "Followers per post", "Active newsletter subscribers",
                 "Cost per install", "Download to activation conversion", "Reviews per release",
                 "Marketing qualified leads per month", "Net revenue retention",
                 "Share of voice", "Engagement rate per post"]:
        assert lexicon.match(name) is None, name


def test_builtin_vanity_suggestions_are_rates() -> None:
    rates = vanity_lexicon().rate_words
    for term in vanity_lexicon().terms.terms:
        assert term.value.strip(), term.phrase
        assert rates.match(term.value) or "/" in term.value or "あたり" in term.value, term


@pytest.mark.parametrize("name,phrase", [
    ("Followers per month", "followers"), ("Page views per quarter", "page views"),
    ("Forum likes per quarter", "likes"), ("App downloads per month", "downloads"),
    ("Product downloads", "downloads"), ("Monthly impressions", "impressions"),
    ("Followers per calendar month", "followers"), ("Video views / week", "video views"),
    ("ページビュー数", "ページビュー"), ("フォロワー数", "フォロワー"), ("いいね数", "いいね"),
    ("ダウンロード数", "ダウンロード"), ("月間PV数", "pv"), ("ＰＶ数", "pv"),
    ("月あたりダウンロード数", "ダウンロード"), ("1日あたりのインストール数", "インストール"),
    ("四半期のインプレッション", "インプレッション"), ("ｲﾝﾌﾟﾚｯｼｮﾝ数", "インプレッション")])
def test_builtin_vanity_time_windows_and_japanese(name: str, phrase: str) -> None:
    term = vanity_lexicon().match(name)
    assert term is not None and term.phrase == phrase


@pytest.mark.parametrize("name", [
    "Page views / session", "Page views per session", "Likes per post per month",
    "Downloads per active account", "セッションあたりページビュー", "投稿あたりいいね数",
    "ページビュー/セッション", "フォロワーのエンゲージメント率", "ダウンロードからの有効化率",
    "月間アクティブユーザー数", "インストール単価"])
def test_builtin_vanity_rates_in_both_languages(name: str) -> None:
    assert vanity_lexicon().match(name) is None


# --- the vague-wording lexicon ---------------------------------------------------------------


@pytest.mark.parametrize("name,phrase", [
    ("World-class uptime", "world class"), ("Best in class support", "best in class"),
    ("Close deals as soon as possible", "as soon as possible"),
    ("TRY HARDER on renewals", "try harder"), ("Do better on renewals", "do better"),
    ("もっと頑張る", "もっと頑張る"), ("できるだけ早く返信", "できるだけ")])
def test_vague_phrases(name: str, phrase: str) -> None:
    term = vague_lexicon().match(name)
    assert term is not None and term.phrase == phrase


@pytest.mark.parametrize("name", [
    "Monthly logo churn rate", "Betterment fund balance", "Days sales outstanding",
    "Gross revenue retention", "Boosters sold", "Exception rate", "Improve retention",
    "Revenue of best-selling SKUs", "Share of reviews rated excellent"])
def test_vague_phrases_near_misses(name: str) -> None:
    assert vague_lexicon().match(name) is None


@pytest.mark.parametrize("name,verb", [
    ("Improve retention", "improve"), ("Improves retention", "improve"),
    ("Increase revenue", "increase"), ("Grow MRR", "grow"), ("Drive engagement", "drive"),
    ("Reduce churn", "reduce"), ("Deliver annualized savings", "deliver"),
    ("Optimizing spend", "optimizing"), ("BOOST demo show-ups", "boost"),
    ("Get more referrals", "get more")])
def test_vague_verbs_start_a_name(name: str, verb: str) -> None:
    term = vague_verbs().starting(name)
    assert term is not None and term.phrase == verb


@pytest.mark.parametrize("name,verb", [
    ("顧客満足度を改善する", "改善する"), ("売上を伸ばす", "伸ばす"), ("単価を高める。", "高める"),
    ("商談数を増やします", "増やします"), ("解約を減らす！", "減らす"), ("MRRを伸ばす", "伸ばす"),
    ("リード数を 増やす", "増やす")])
def test_vague_verbs_end_a_japanese_name(name: str, verb: str) -> None:
    term = vague_verbs().ending(name)
    assert term is not None and term.phrase == verb


@pytest.mark.parametrize("name", [
    "Revenue growth rate", "Improved-plan adoption", "Process improvement ideas implemented",
    "Enhanced support plan attach rate", "売上改善率", "顧客満足度向上", "売上を伸ばす施策の数"])
def test_vague_verbs_elsewhere_do_not_count(name: str) -> None:
    assert vague_verbs().starting(name) is None
    assert vague_verbs().ending(name) is None


# --- indicator coverage by function ----------------------------------------------------------

COVERAGE: dict[str, list[tuple[str, str, str]]] = {
    "marketing": [
        ("Marketing qualified leads per month", "leading", "marketing qualified leads"),
        ("Website sessions from organic search", "leading", "website sessions"),
        ("Organic search traffic", "leading", "organic search traffic"),
        ("Email click-through rate", "leading", "click-through rate"),
        ("Lead to MQL conversion rate", "leading", "lead to mql"),
        ("Webinar attendance rate", "leading", "webinar attendance"),
        ("Form submissions per week", "leading", "form submissions"),
        ("Share of voice in category", "leading", "share of voice"),
        ("Cost per lead", "lagging", "cost per lead"),
        ("Cost per marketing qualified lead", "lagging", "cost per marketing qualified lead"),
        ("Customer acquisition cost", "lagging", "customer acquisition cost"),
        ("Return on ad spend", "lagging", "return on ad spend"),
        ("Brand awareness in target segment", "lagging", "brand awareness"),
    ],
    "sales": [
        ("Sales pipeline value", "leading", "pipeline"),
        ("Pipeline coverage for next quarter", "leading", "pipeline coverage"),
        ("Number of new proposals sent", "leading", "proposals sent"),
        ("Lead response time", "leading", "lead response time"),
        ("Demos booked per rep", "leading", "demos booked"),
        ("Discovery calls per week", "leading", "discovery calls"),
        ("Win rate", "lagging", "win rate"),
        ("Opportunity win rate", "lagging", "win rate"),
        ("Expansion opportunity win rate", "lagging", "win rate"),
        ("Average deal size", "lagging", "average deal size"),
        ("Quota attainment", "lagging", "quota attainment"),
        ("Monthly sales revenue", "lagging", "revenue"),
        ("Sales cycle time", "lagging", "sales cycle time"),
        ("Closed deals per month", "lagging", "closed deals"),
    ],
    "customer success": [
        ("Onboarding completion rate", "leading", "onboarding completion"),
        ("Feature adoption rate", "leading", "feature adoption"),
        ("Support tickets per user", "leading", "tickets per user"),
        ("Customer health score", "leading", "health score"),
        ("Time to first value", "leading", "time to first value"),
        ("Seat utilization", "leading", "seat utilization"),
        ("Net revenue retention", "lagging", "net revenue retention"),
        ("Gross revenue retention", "lagging", "gross revenue retention"),
        ("Customer churn rate", "lagging", "churn rate"),
        ("Customer satisfaction score", "lagging", "customer satisfaction"),
        ("Net promoter score", "lagging", "net promoter score"),
        ("Renewal rate", "lagging", "renewal rate"),
    ],
    "product": [
        ("User activation rate", "leading", "activation rate"),
        ("Feature usage frequency", "leading", "usage frequency"),
        ("Activation rate of new sign-ups", "leading", "activation rate"),
        ("App downloads", "leading", "app downloads"),
        ("Day-7 retention", "leading", "day 7 retention"),
        ("Bug fix rate", "leading", "bug fix rate"),
        ("Experiments shipped per quarter", "leading", "experiments shipped"),
        ("Monthly active users", "lagging", "monthly active users"),
        ("Weekly active users", "lagging", "weekly active users"),
        ("DAU", "lagging", "dau"),
        ("Customer lifetime value", "lagging", "customer lifetime value"),
        ("Trial to paid conversion rate", "lagging", "trial to paid"),
        ("Average revenue per user", "lagging", "average revenue per user"),
    ],
    "finance": [
        ("Budget vs. actual spend variance", "leading", "budget vs actual"),
        ("Forecast accuracy", "leading", "forecast accuracy"),
        ("Overdue invoices", "leading", "overdue invoices"),
        ("Gross profit margin", "lagging", "gross profit"),
        ("Operating cash flow", "lagging", "operating cash flow"),
        ("Days sales outstanding", "lagging", "days sales outstanding"),
        ("DSO", "lagging", "dso"),
        ("EBITDA", "lagging", "ebitda"),
        ("Net burn rate", "lagging", "burn rate"),
        ("Monthly hosting cost per active customer", "lagging", "hosting cost"),
    ],
    "support": [
        ("First response time", "leading", "first response time"),
        ("Time to first response", "leading", "time to first response"),
        ("First contact resolution rate", "leading", "first contact resolution"),
        ("Ticket backlog", "leading", "backlog"),
        ("Self-service deflection rate", "leading", "deflection rate"),
        ("Average handle time", "leading", "average handle time"),
        ("Average resolution time", "lagging", "resolution time"),
        ("Support CSAT", "lagging", "support csat"),
        ("Ticket reopen rate", "lagging", "reopen rate"),
        ("Ticket escalation rate", "lagging", "escalations"),
    ],
    "engineering": [
        ("Deployment frequency", "leading", "deployment frequency"),
        ("Lead time for changes", "leading", "lead time for changes"),
        ("Code review time", "leading", "code review time"),
        ("Test coverage", "leading", "test coverage"),
        ("P95 API latency", "leading", "latency"),
        ("API error rate", "leading", "error rate"),
        ("Error budget burn rate", "leading", "error budget burn"),
        ("Change failure rate", "lagging", "change failure rate"),
        ("Mean time to recovery", "lagging", "mean time to recovery"),
        ("Failed deployment recovery time", "lagging", "failed deployment recovery time"),
        ("Escaped defects per release", "lagging", "escaped defects"),
        ("Service uptime", "lagging", "uptime"),
    ],
    "people": [
        ("Job applications per opening", "leading", "job applications"),
        ("Qualified candidates in pipeline", "leading", "candidates in pipeline"),
        ("Interviews held per week", "leading", "interviews held"),
        ("Mandatory training completion rate", "leading", "training completion"),
        ("Manager one-on-ones held", "leading", "one-on-ones held"),
        ("Engagement survey participation", "leading", "engagement survey participation"),
        ("Voluntary employee turnover", "lagging", "employee turnover"),
        ("Regretted attrition rate", "lagging", "attrition rate"),
        ("Employee engagement score", "lagging", "employee engagement score"),
        ("eNPS", "lagging", "enps"),
        ("Time to fill engineering roles", "lagging", "time to fill"),
        ("Offer acceptance rate", "lagging", "offer acceptance rate"),
    ],
}


@pytest.mark.parametrize("name,indicator,phrase", [
    pytest.param(*case, id=f"{function}: {case[0]}")
    for function, cases in COVERAGE.items() for case in cases])
def test_indicator_coverage(name: str, indicator: str, phrase: str) -> None:
    assert guess(name) == (indicator, phrase)


JAPANESE_COVERAGE: list[tuple[str, str, str]] = [
    ("月間リード獲得数", "leading", "リード獲得数"), ("問い合わせ数", "leading", "問い合わせ数"),
    ("Webサイトからの資料請求数", "leading", "資料請求数"), ("メール開封率", "leading", "開封率"),
    ("商談化率", "leading", "商談化率"), ("リードの商談化率", "leading", "商談化率"),
    ("新規商談数", "leading", "新規商談"), ("アポイント獲得数", "leading", "アポイント獲得"),
    ("オンボーディング完了率", "leading", "オンボーディング完了"),
    ("ヘルススコア", "leading", "ヘルススコア"),
    ("アクティベーション率", "leading", "アクティベーション率"),
    ("予実差異", "leading", "予実差異"), ("初回応答時間", "leading", "初回応答時間"),
    ("デプロイ頻度", "leading", "デプロイ頻度"),
    ("売上", "lagging", "売上"), ("月間売上高", "lagging", "売上"), ("受注率", "lagging", "受注率"),
    ("成約率", "lagging", "成約率"), ("解約率", "lagging", "解約率"),
    ("顧客満足度", "lagging", "顧客満足度"),
    ("月間アクティブユーザー数", "lagging", "アクティブユーザー"),
    ("週間アクティブユーザー数", "lagging", "アクティブユーザー"),
    ("営業利益", "lagging", "営業利益"), ("顧客獲得単価", "lagging", "顧客獲得単価"),
    ("平均解決時間", "lagging", "平均解決時間"), ("変更失敗率", "lagging", "変更失敗率"),
    ("障害件数", "lagging", "障害件数"), ("応募者数", "leading", "応募者数"),
    ("研修受講率", "leading", "研修受講率"), ("1on1実施率", "leading", "1on1実施率"),
    ("離職率", "lagging", "離職率"), ("中途採用数", "lagging", "採用数"),
    ("従業員満足度", "lagging", "従業員満足度"),
]


@pytest.mark.parametrize("name,indicator,phrase", JAPANESE_COVERAGE)
def test_japanese_indicator_coverage(name: str, indicator: str, phrase: str) -> None:
    assert guess(name) == (indicator, phrase)


@pytest.mark.parametrize("name", [
    "DAU", "WAU", "MAU", "Daily active users", "Weekly active users", "Monthly active users",
    "Active users", "日次アクティブユーザー数", "週間アクティブユーザー",
    "月間アクティブユーザー数"])
def test_active_user_counts_are_one_class_whatever_the_period(name: str) -> None:
    guessed = guess(name)
    assert guessed is not None and guessed[0] == "lagging"


def test_coverage_spans_every_function_with_both_kinds() -> None:
    assert list(COVERAGE) == FUNCTIONS
    for function, cases in COVERAGE.items():
        assert len(cases) >= 8, function
        assert {indicator for _, indicator, _ in cases} == {"leading", "lagging"}, function


@pytest.mark.parametrize("name,expected", [
    # a generic word alone says nothing
    ("Partner referrals", None), ("API calls per second", None), ("Time", None),
    ("Count of things", None), ("Rate", None),
    # longer phrases settle names that contain a shorter phrase of the other kind
    ("Sales cycle length", ("lagging", "sales cycle length")),
    ("Cycle time", ("leading", "cycle time")),
    ("Usage-based revenue", ("lagging", "revenue")),
    ("Code churn", ("leading", "code churn")),
    ("Failed deployments per month", ("lagging", "failed deployments")),
    ("Expansion opportunities opened per month", ("leading", "opportunities")),
    ("Marketing-sourced pipeline value per month", ("leading", "sourced pipeline")),
    ("MQL to SQL conversion rate", ("leading", "mql to sql")),
    ("Gross margin rate", ("lagging", "gross margin")),
    ("Logo churn rate: share of customers lost per quarter", ("lagging", "churn rate")),
])
def test_indicator_near_misses_and_tie_breaks(name: str,
                                              expected: tuple[str, str] | None) -> None:
    assert guess(name) == expected


def test_examples_good_declared_indicators_agree_with_the_lexicon() -> None:
    """The example project declares its indicators; where the lexicon guesses, it agrees."""
    checked = 0
    for path in sorted((REPO / "examples" / "good").glob("*.kpi.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            for kpi in (document or {}).get("kpis") or []:
                declared = kpi.get("indicator")
                guessed = guess(str(kpi["name"]))
                if declared and guessed:
                    checked += 1
                    assert guessed[0] == declared, (path.name, kpi["id"], guessed)
    assert checked >= 3


# --- the data files: format and hygiene ------------------------------------------------------


def test_indicators_file_format() -> None:
    data = read("indicators")
    assert list(data) == ["leading", "lagging", "neither"]
    assert all(isinstance(phrase, str) and phrase == phrase.strip().lower()
               for phrase in data["neither"])
    for indicator in ("leading", "lagging"):
        assert list(data[indicator]) == FUNCTIONS, indicator
        for function, phrases in data[indicator].items():
            assert isinstance(phrases, list) and phrases, (indicator, function)
            for phrase in phrases:
                assert isinstance(phrase, str) and phrase == phrase.strip().lower(), phrase
                assert words(phrase), phrase


def _phrases(indicator: str) -> set[tuple[str, ...]]:
    return {words(phrase) for phrases in read("indicators")[indicator].values()
            for phrase in phrases}


def test_no_phrase_is_both_leading_and_lagging() -> None:
    assert _phrases("leading") & _phrases("lagging") == set()


def test_no_generic_single_word_terms() -> None:
    lexicons = {
        "indicators": _phrases("leading") | _phrases("lagging"),
        "vanity": {words(entry["term"]) for entry in read("vanity")["terms"]},
        "vague-words": {words(term) for key in ("verbs", "phrases")
                        for term in read("vague-words")[key]},
        "uncontrollable": {words(term) for term in read("uncontrollable")["terms"]},
    }
    for name, phrases in lexicons.items():
        generic = sorted(phrase for phrase in phrases
                         if len(phrase) == 1 and phrase[0] in GENERIC_WORDS)
        assert generic == [], name


def test_builtin_indicator_lexicon_holds_every_phrase() -> None:
    data = read_lexicon("indicators")
    expected = {(phrase, indicator) for indicator in ("leading", "lagging")
                for phrases in data[indicator].values() for phrase in phrases}
    expected |= {(phrase, NEITHER) for phrase in data[NEITHER]}
    assert {(term.phrase, term.value) for term in indicator_lexicon().terms} == expected


@pytest.mark.parametrize("name", ["vanity", "vanity.ja"])
def test_vanity_file_format(name: str) -> None:
    data = read(name)
    assert list(data) == ["rate-words", "per-words", "period-words", "terms"]
    for key in ("rate-words", "per-words", "period-words"):
        assert all(isinstance(word, str) and word.strip() for word in data[key]), key
    rates = Lexicon.of((word, word) for word in [*data["rate-words"], *data["per-words"]])
    seen: set[tuple[str, ...] | str] = set()
    for entry in data["terms"]:
        assert set(entry) == {"term", "instead"}, entry
        term = Term.of(entry["term"], "")
        key = term.chars or term.words
        assert key and key not in seen, entry
        seen.add(key)
        # a term holding a rate word could never be reported
        assert rates.match(entry["term"]) is None, entry


@pytest.mark.parametrize("name", ["vague-words", "vague-words.ja", "uncontrollable",
                                  "uncontrollable.ja"])
def test_word_list_file_format(name: str) -> None:
    data = read(name)
    for key, terms in data.items():
        assert all(isinstance(term, str) and term == term.lower() for term in terms), key
        normalised = [Term.of(term, "") for term in terms]
        keys = [term.chars or term.words for term in normalised]
        assert all(keys) and len(set(keys)) == len(keys), key


def test_japanese_files_are_in_japanese_and_keep_the_english_keys() -> None:
    for path in sorted(LEXICONS.glob("*.ja.yaml")):
        english = read(path.name.removesuffix(".ja.yaml"))
        assert list(yaml.safe_load(path.read_text(encoding="utf-8"))) == list(english), path


def test_no_vague_word_hides_in_a_usual_kpi_name() -> None:
    """A usual KPI name (an indicator phrase) must not read as an aspiration."""
    data = read_lexicon("indicators")
    for phrase in sorted(phrase for indicator in ("leading", "lagging")
                         for phrases in data[indicator].values() for phrase in phrases):
        assert vague_lexicon().match(phrase) is None, phrase
        assert vague_verbs().starting(phrase) is None, phrase
        assert vague_verbs().ending(phrase) is None, phrase


def test_lexicon_files_keep_their_header_comments() -> None:
    for path in sorted(LEXICONS.glob("*.yaml")):
        assert path.read_text(encoding="utf-8").startswith("# "), path.name


def test_lexicon_data_paths_exist() -> None:
    assert {path.name for path in Path(LEXICONS).glob("*.yaml")} >= {
        "indicators.yaml", "vanity.yaml", "vague-words.yaml", "uncontrollable.yaml",
        "indicators.ja.yaml", "vanity.ja.yaml", "vague-words.ja.yaml", "uncontrollable.ja.yaml"}
