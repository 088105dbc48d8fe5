"""kpilint.lexicon: word normalisation, phrase matching, and the three lexicon data files.

The coverage tests pin how the indicator lexicon reads the usual KPIs of the seven functions it
claims to know (marketing, sales, customer success, product, finance, support, engineering), with
the phrase that decided each guess, so a change to rules/lexicons/indicators.yaml that flips one
of them is a deliberate, reviewed change. Leading and lagging follow the domain notes: activity,
pipeline, adoption and speed lead; revenue, churn, retention, satisfaction, margin, cash and
incident outcomes lag (e.g. DSO, NPS, MAU and cost per lead are listed as lagging there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kpilint.lexicon import (
    Lexicon,
    Term,
    VanityLexicon,
    indicator_lexicon,
    singular,
    vague_lexicon,
    vanity_lexicon,
    words,
)
from tests.conftest import REPO

LEXICONS = REPO / "rules" / "lexicons"
FUNCTIONS = ["marketing", "sales", "customer success", "product", "finance", "support",
             "engineering"]
# Single words that name no metric by themselves and would misfire as a lexicon term.
GENERIC_WORDS = {"rate", "time", "count", "number", "total", "value", "score", "ratio",
                 "percent", "percentage", "amount", "volume", "user", "customer", "sale",
                 "growth", "level", "index", "call", "usage", "day", "week", "month", "year",
                 "average", "new", "monthly", "weekly", "daily", "per", "of", "to"}


def read(name: str) -> Any:
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
    ("", ()),
    ("--- ??? ---", ()),
])
def test_words(text: str, expected: tuple[str, ...]) -> None:
    assert words(text) == expected


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


# --- VanityLexicon ---------------------------------------------------------------------------


def test_vanity_rate_words_exclude_a_name() -> None:
    lexicon = VanityLexicon(Lexicon.of([("followers", "engagement rate")]),
                            frozenset(words("rate per share")))
    term = lexicon.match("Social Media Followers")
    assert term is not None and term.value == "engagement rate"
    assert lexicon.match("Follower engagement rate") is None
    assert lexicon.match("Followers per post") is None
    assert lexicon.match("Followers' shares") is None  # plural of a rate word
    assert lexicon.match("Followers to customers %") is None
    assert lexicon.match("Followers (% of reach)") is None
    assert lexicon.match("Ratepayers") is None  # not a vanity term at all


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
    for term in vanity_lexicon().terms.terms:
        assert term.value.strip(), term.phrase
        assert {"rate", "ratio", "share", "per", "/"} & {*words(term.value), *term.value}, term


# --- the vague-wording lexicon ---------------------------------------------------------------


@pytest.mark.parametrize("name,phrase", [
    ("Improve retention", "improve"), ("Improves retention", "improve"),
    ("Improvement backlog size", "improvement"), ("Better onboarding", "better"),
    ("World-class uptime", "world class"), ("Best in class support", "best in class"),
    ("Optimizing spend", "optimizing"), ("Close deals as soon as possible", "as soon as possible"),
    ("TRY HARDER on renewals", "try harder")])
def test_vague_lexicon(name: str, phrase: str) -> None:
    term = vague_lexicon().match(name)
    assert term is not None and term.phrase == phrase


@pytest.mark.parametrize("name", [
    "Monthly logo churn rate", "Betterment fund balance", "Days sales outstanding",
    "Gross revenue retention", "Boosters sold", "Exception rate"])
def test_vague_lexicon_near_misses(name: str) -> None:
    assert vague_lexicon().match(name) is None


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
        ("Weekly active users", "leading", "weekly active users"),
        ("Day-7 retention", "leading", "day 7 retention"),
        ("Bug fix rate", "leading", "bug fix rate"),
        ("Experiments shipped per quarter", "leading", "experiments shipped"),
        ("Monthly active users", "lagging", "monthly active users"),
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
}


@pytest.mark.parametrize("name,indicator,phrase", [
    pytest.param(*case, id=f"{function}: {case[0]}")
    for function, cases in COVERAGE.items() for case in cases])
def test_indicator_coverage(name: str, indicator: str, phrase: str) -> None:
    assert guess(name) == (indicator, phrase)


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
    assert list(data) == ["leading", "lagging"]
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
        "vague-words": {words(term) for term in read("vague-words")["terms"]},
    }
    for name, phrases in lexicons.items():
        generic = sorted(phrase for phrase in phrases
                         if len(phrase) == 1 and phrase[0] in GENERIC_WORDS)
        assert generic == [], name


def test_builtin_indicator_lexicon_holds_every_phrase() -> None:
    data = read("indicators")
    expected = {(phrase, indicator) for indicator in ("leading", "lagging")
                for phrases in data[indicator].values() for phrase in phrases}
    assert {(term.phrase, term.value) for term in indicator_lexicon().terms} == expected


def test_vanity_file_format() -> None:
    data = read("vanity")
    assert list(data) == ["rate-words", "terms"]
    assert all(isinstance(word, str) and words(word) == (singular(word),)
               for word in data["rate-words"])
    rate_words = set(words(" ".join(data["rate-words"])))
    seen: set[tuple[str, ...]] = set()
    for entry in data["terms"]:
        assert set(entry) == {"term", "instead"}, entry
        term_words = words(entry["term"])
        assert term_words and term_words not in seen, entry
        seen.add(term_words)
        # a term holding a rate word could never be reported
        assert not rate_words & set(term_words), entry


def test_vague_file_format() -> None:
    data = read("vague-words")
    assert list(data) == ["terms"]
    normalised = [words(term) for term in data["terms"]]
    assert all(isinstance(term, str) and term == term.lower() for term in data["terms"])
    assert all(normalised) and len(set(normalised)) == len(normalised)


def test_no_vague_word_hides_in_a_usual_kpi_name() -> None:
    """A usual KPI name (an indicator phrase) must not read as an aspiration."""
    vague = vague_lexicon()
    for phrase in sorted(_phrases("leading") | _phrases("lagging")):
        assert vague.match(" ".join(phrase)) is None, phrase


def test_lexicon_files_keep_their_header_comments() -> None:
    for name in ("indicators", "vanity", "vague-words"):
        text = (LEXICONS / f"{name}.yaml").read_text(encoding="utf-8")
        assert text.startswith("# "), name


def test_lexicon_data_paths_exist() -> None:
    assert {path.name for path in Path(LEXICONS).glob("*.yaml")} >= {
        "indicators.yaml", "vanity.yaml", "vague-words.yaml"}
