"""Standing targets and actuals (SPEC §10.1-10.2) through the real CLI: R501-R503, T404, the
changes to S201, S202, S209, S210, S212 and T403, and E002 on bands and actuals.

Each test writes one spec holding the positive cases and their near misses side by side, runs
kpilint once with only the rule under test selected, and pins every finding's subject and exact
message (the numbers: actual, expected value on the actual's date, the gap in the unit, the
date). ``today`` is pinned to 2026-11-23 by the project's config.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent, indent
from typing import Any

from tests.conftest import run_kpilint, write_files


def check(root: Path, text: str, select: str, *args: str) -> list[dict[str, Any]]:
    """The findings of the selected rules on one spec file ``a.kpi.yaml``."""
    write_files(root, {"a.kpi.yaml": text})
    run = run_kpilint("check", "--select", select, "--output-format", "json", "--exit-zero",
                      *args, cwd=root)
    assert run.code == 0, run.stderr
    found: list[dict[str, Any]] = run.json()["diagnostics"]
    return found


def messages(found: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(d["code"], d["subject"], d["message"]) for d in found]


def kpis(body: str) -> str:
    """A spec of the KPIs listed in ``body`` (list items at any common indentation)."""
    return "version: 1\nkpis:\n" + indent(dedent(body), "  ")


# --- R501 off-track ---------------------------------------------------------------------------

OFF_TRACK = kpis("""\
  - id: inc-behind
    name: Leads per month
    unit: count
    baseline: {value: 150, as_of: 2026-09-30}
    target: 200
    deadline: 2027-03-31
    actual: {value: 150, as_of: 2026-11-15}
  - id: inc-boundary
    name: Trials per month
    unit: count
    direction: increase
    baseline: {value: 100, as_of: 2026-01-01}
    target: 200
    deadline: 2026-05-01
    actual: {value: 140, as_of: 2026-03-02}
  - id: inc-past-boundary
    name: Demos per month
    unit: count
    direction: increase
    baseline: {value: 100, as_of: 2026-01-01}
    target: 200
    deadline: 2026-05-01
    actual: {value: 139.99, as_of: 2026-03-02}
  - id: dec-behind
    name: Median incident resolution time
    unit: hours
    direction: decrease
    baseline: {value: 10, as_of: 2026-07-01}
    target: 4
    deadline: 2027-03-31
    actual: {value: 9, as_of: 2026-11-16}
  - id: dec-ahead
    name: Median time to first response
    unit: hours
    direction: decrease
    baseline: {value: 10, as_of: 2026-07-01}
    target: 4
    deadline: 2027-03-31
    actual: {value: 5, as_of: 2026-11-16}
  - id: past-deadline
    name: Monthly churn rate
    unit: percent
    baseline: {value: 3, as_of: 2026-01-01}
    target: 2
    deadline: 2026-06-30
    actual: {value: 2.5, as_of: 2026-11-15}
  - id: no-as-of
    name: Signups per month
    unit: count
    baseline: 150
    target: 200
    deadline: 2027-03-31
    actual: {value: 0, as_of: 2026-11-15}
  - id: before-baseline
    name: Webinars per month
    unit: count
    baseline: {value: 150, as_of: 2026-09-30}
    target: 200
    deadline: 2027-03-31
    actual: {value: 0, as_of: 2026-09-01}
  - id: zero-length
    name: Partner deals per month
    unit: count
    baseline: {value: 150, as_of: 2026-06-30}
    target: 200
    deadline: 2026-06
    actual: {value: 0, as_of: 2026-11-15}
  - id: flat
    name: Referrals per month
    unit: count
    baseline: {value: 100, as_of: 2026-01-01}
    target: 100
    deadline: 2026-12-31
    actual: {value: 0, as_of: 2026-11-15}
  - id: band-min
    name: API availability
    unit: percent
    target: {min: 99.5}
    actual: {value: 99.2, as_of: 2026-11-15}
  - id: band-min-edge
    name: Web availability
    unit: percent
    target: {min: 99.5}
    actual: {value: 99.5, as_of: 2026-11-15}
  - id: band-max
    name: Days sales outstanding
    unit: days
    target: {max: 45}
    actual: {value: 45.5, as_of: 2026-11-15}
  - id: band-both
    name: Inventory days
    unit: days
    target: {min: 10, max: 20}
    actual: {value: 20, as_of: 2026-11-15}
  - id: maintain
    name: Days payable outstanding
    unit: days
    direction: maintain
    target: 40
    actual: {value: 46, as_of: 2026-11-15}
  - id: maintain-edge
    name: Days in stock
    unit: days
    direction: maintain
    target: 40
    actual: {value: 44, as_of: 2026-11-15}
  - id: maintain-zero
    name: Open security findings
    unit: count
    direction: maintain
    target: 0
    actual: {value: 5, as_of: 2026-11-15}
""")


def test_r501_plans_bands_and_maintain(project: Path) -> None:
    found = check(project, OFF_TRACK, "R501")
    assert messages(found) == [
        ("R501", "inc-behind",
         "KPI 'inc-behind' is off track: actual 150 count on 2026-11-15, expected about 162.64"
         " count by then (the straight-line plan from 150 count on 2026-09-30 to 200 count on"
         " 2027-03-31); about 12.64 count behind, more than the tolerance of 5 count"),
        ("R501", "inc-past-boundary",
         "KPI 'inc-past-boundary' is off track: actual 139.99 count on 2026-03-02, expected 150"
         " count by then (the straight-line plan from 100 count on 2026-01-01 to 200 count on"
         " 2026-05-01); 10.01 count behind, more than the tolerance of 10 count"),
        ("R501", "dec-behind",
         "KPI 'dec-behind' is off track: actual 9 hours on 2026-11-16, expected about 6.97"
         " hours by then (the straight-line plan from 10 hours on 2026-07-01 to 4 hours on"
         " 2027-03-31); about 2.03 hours behind, more than the tolerance of 0.6 hours"),
        ("R501", "past-deadline",
         "KPI 'past-deadline' is off track: actual 2.5% on 2026-11-15, expected 2% by then (the"
         " target itself, as the deadline has passed); 0.5 percentage points behind, more than"
         " the tolerance of 0.1 percentage points"),
        ("R501", "band-min",
         "KPI 'band-min' is off track: actual 99.2% on 2026-11-15 is 0.3 percentage points"
         " below the band's minimum 99.5%"),
        ("R501", "band-max",
         "KPI 'band-max' is off track: actual 45.5 days on 2026-11-15 is 0.5 days above the"
         " band's maximum 45 days"),
        ("R501", "maintain",
         "KPI 'maintain' is off track: actual 46 days on 2026-11-15, target 40 days to"
         " maintain; 6 days away, more than the tolerance of 4 days"),
    ]
    first = found[0]
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == (
        9, 13, 9, 44)
    assert (first["field"], first["severity"]) == ("actual", "warning")


def test_r501_tolerance_option(project: Path) -> None:
    (project / "kpilint.toml").write_text(
        'today = "2026-11-23"\n[rules.off-track]\ntolerance = 0\n', encoding="utf-8")
    found = check(project, OFF_TRACK, "R501")
    boundary = [d["message"] for d in found if d["subject"] == "inc-boundary"]
    assert boundary == [
        "KPI 'inc-boundary' is off track: actual 140 count on 2026-03-02, expected 150 count by"
        " then (the straight-line plan from 100 count on 2026-01-01 to 200 count on"
        " 2026-05-01); 10 count behind, more than the tolerance of 0 count"]
    assert "dec-ahead" not in {d["subject"] for d in found}


def test_r501_on_a_kgi(project: Path) -> None:
    text = dedent("""\
        version: 1
        kgis:
          - id: revenue
            name: Annual recurring revenue
            unit: USD
            baseline: {value: 1000000, as_of: 2026-01-01}
            target: 2000000
            deadline: 2026-12-31
            actual: {value: 1500000, as_of: 2026-10-01}
        """)
    # (2026-10-01 - 2026-01-01) / (2026-12-31 - 2026-01-01) = 273 / 364 = 0.75
    [finding] = check(project, text, "R501")
    assert finding["message"] == (
        "KGI 'revenue' is off track: actual 1,500,000 USD on 2026-10-01, expected 1,750,000 USD"
        " by then (the straight-line plan from 1,000,000 USD on 2026-01-01 to 2,000,000 USD on"
        " 2026-12-31); 250,000 USD behind, more than the tolerance of 100,000 USD")


# --- R502 stale-actual ------------------------------------------------------------------------

STALE = kpis("""\
  - id: weekly-fresh
    name: Deployments per week
    cadence: weekly
    actual: {value: 1, as_of: 2026-11-09}
  - id: weekly-old
    name: Releases per week
    cadence: weekly
    actual: {value: 1, as_of: 2026-11-08}
  - id: quarterly-fresh
    name: Net promoter score
    cadence: quarterly
    actual: {value: 1, as_of: 2026-05-23}
  - id: no-cadence-fresh
    name: Customer effort score
    actual: {value: 1, as_of: 2026-08-23}
  - id: no-cadence-old
    name: Employee NPS
    actual: {value: 1, as_of: 2026-08-22}
  - id: today
    name: Open tickets
    actual: {value: 1, as_of: 2026-11-23}
  - id: future
    name: Closed tickets
    actual: {value: 1, as_of: 2026-11-24}
""")


def test_r502_two_cadence_periods_or_max_age_and_future_dates(project: Path) -> None:
    found = check(project, STALE, "R502")
    assert messages(found) == [
        ("R502", "weekly-old",
         "the actual of KPI 'weekly-old' is 15 days old (as of 2026-11-08; a weekly KPI is"
         " measured at least every 14 days): record the latest value and its date"),
        ("R502", "no-cadence-old",
         "the actual of KPI 'no-cadence-old' is 93 days old (as of 2026-08-22; more than 92"
         " days): record the latest value and its date"),
        ("R502", "future",
         "the actual of KPI 'future' is dated 2026-11-24, after today (2026-11-23): record the"
         " date it was measured"),
    ]
    first = found[0]
    assert (first["line"], first["column"], first["end_line"], first["end_column"],
            first["field"]) == (10, 31, 10, 41, "actual.as_of")


def test_r502_max_age_days_option(project: Path) -> None:
    (project / "kpilint.toml").write_text(
        'today = "2026-11-23"\n[rules.stale-actual]\nmax-age-days = 100\n', encoding="utf-8")
    found = check(project, STALE, "R502")
    assert [d["subject"] for d in found] == ["weekly-old", "future"]


# --- R503 target-met ----------------------------------------------------------------------------

TARGET_MET = kpis("""\
  - id: met
    name: Leads per month
    unit: count
    direction: increase
    target: 200
    deadline: 2027-03-31
    actual: {value: 200, as_of: 2026-11-15}
  - id: not-yet
    name: Trials per month
    unit: count
    direction: increase
    target: 200
    deadline: 2027-03-31
    actual: {value: 199.5, as_of: 2026-11-15}
  - id: met-decrease
    name: Support agent hours per month
    unit: hours
    baseline: 2600
    target: 2400
    deadline: 2027-Q1
    actual: {value: 2350, as_of: 2026-11-15}
  - id: met-percent
    name: Lead to opportunity rate
    unit: percent
    direction: increase
    target: 30
    deadline: 2027-03-31
    actual: {value: 30.5, as_of: 2027-03-31}
  - id: met-late
    name: Demos per month
    unit: count
    direction: increase
    target: 50
    deadline: 2026-10-31
    actual: {value: 60, as_of: 2026-11-15}
  - id: no-deadline
    name: Webinars per month
    unit: count
    direction: increase
    target: 5
    actual: {value: 6, as_of: 2026-11-15}
  - id: maintain
    name: Days payable outstanding
    unit: days
    direction: maintain
    target: 40
    deadline: 2027-03-31
    actual: {value: 40, as_of: 2026-11-15}
  - id: band
    name: API availability
    unit: percent
    target: {min: 99.5}
    deadline: 2027-03-31
    actual: {value: 99.9, as_of: 2026-11-15}
  - id: direction-unknown
    name: Referrals per month
    unit: count
    target: 10
    deadline: 2027-03-31
    actual: {value: 12, as_of: 2026-11-15}
""")


def test_r503_met_early_in_either_direction(project: Path) -> None:
    found = check(project, TARGET_MET, "R503")
    assert messages(found) == [
        ("R503", "met",
         "KPI 'met' has met its target: actual 200 count on 2026-11-15 ≥ target 200 count, due"
         " 2027-03-31: raise the target, or record the result and retire it"),
        ("R503", "met-decrease",
         "KPI 'met-decrease' has met its target: actual 2,350 hours on 2026-11-15 ≤ target"
         " 2,400 hours, due 2027-03-31: raise the target, or record the result and retire it"),
        ("R503", "met-percent",
         "KPI 'met-percent' has met its target: actual 30.5% on 2027-03-31 ≥ target 30%, due"
         " 2027-03-31: raise the target, or record the result and retire it"),
    ]
    assert {d["severity"] for d in found} == {"info"}


# --- T404 actuals-fall-short --------------------------------------------------------------------

TREE = """\
version: 1
kgis:
  - id: revenue
    name: Annual recognised revenue
    unit: JPY
    baseline: 80000000
    target: {kgi_target}
    formula: 12 * leads * opportunity-rate * win-rate * deal-size
kpis:
  - id: leads
    name: Leads per month
    unit: count
    target: 200
    actual: {{value: 180, as_of: 2026-11-15}}
  - id: opportunity-rate
    name: Lead to opportunity rate
    unit: percent
    target: 30
    actual: {{value: 30, as_of: 2026-11-15}}
  - id: win-rate
    name: Opportunity win rate
    unit: percent
    target: {win_target}
    actual: {{value: 15, as_of: 2026-11-15}}
  - id: deal-size
    name: Average deal size
    unit: JPY
    target: 500000
{deal_size_actual}"""
DEAL_SIZE_ACTUAL = "    actual: {value: 480000, as_of: 2026-11-15}\n"


def tree(kgi_target: str = "100000000", win_target: str = "20",
         deal_size_actual: str = DEAL_SIZE_ACTUAL) -> str:
    return TREE.format(kgi_target=kgi_target, win_target=win_target,
                       deal_size_actual=deal_size_actual)


def test_t404_forecast_and_bottleneck(project: Path) -> None:
    [finding] = check(project, tree(), "T404")
    assert finding["message"] == (
        "at the KPI actuals the formula forecasts 46,656,000 JPY; the KGI target is 100,000,000"
        " JPY (53,344,000 JPY short); bottleneck: win-rate at 75% of its target")
    assert (finding["line"], finding["column"], finding["field"]) == (8, 14, "formula")
    assert [(item["line"], item["message"]) for item in finding["related"]] == [
        (24, "KPI 'win-rate' actual 15% on 2026-11-15"),
        (14, "KPI 'leads' actual 180 count on 2026-11-15"),
        (19, "KPI 'opportunity-rate' actual 30% on 2026-11-15"),
        (29, "KPI 'deal-size' actual 480,000 JPY on 2026-11-15"),
    ]


def test_t404_near_misses(project: Path) -> None:
    # the forecast reaches the goal
    assert check(project, tree(kgi_target="46656000"), "T404") == []
    # a term without an actual: no forecast
    assert check(project, tree(deal_size_actual=""), "T404") == []
    # a band on the KGI or on a term: skipped, as T403
    assert check(project, tree(kgi_target="{min: 100000000}"), "T404,T403") == []
    assert check(project, tree(win_target="{min: 20}"), "T404,T403") == []


def test_t404_decrease_and_ties(project: Path) -> None:
    text = dedent("""\
        version: 1
        kgis:
          - id: support-cost
            name: Annual support staffing cost
            unit: JPY
            target: 30000000
            direction: decrease
            formula: 12 * agents * monthly-cost
        kpis:
          - id: agents
            name: Support agents
            unit: count
            direction: decrease
            target: 20
            actual: {value: 22, as_of: 2026-11-15}
          - id: monthly-cost
            name: Monthly cost per agent
            unit: JPY
            direction: decrease
            target: 125000
            actual: {value: 130000, as_of: 2026-11-15}
        """)
    [finding] = check(project, text, "T404")
    assert finding["message"] == (
        "at the KPI actuals the formula forecasts 34,320,000 JPY; the KGI target is 30,000,000"
        " JPY (4,320,000 JPY above it, and KGI 'support-cost' is to decrease); bottleneck:"
        " agents at 90.91% of its target")
    # 100,000 / 110,000 = 20 / 22: a tie goes to the first term of the formula
    tie = (text.replace("target: 125000", "target: 100000").replace("value: 130000", (
        "value: 110000")).replace("12 * agents * monthly-cost", "12 * monthly-cost * agents")
        .replace("target: 30000000", "target: 25000000"))
    [finding] = check(project, tie, "T404")
    assert finding["message"].endswith("; bottleneck: monthly-cost at 90.91% of its target")
    assert finding["related"][0]["message"] == (
        "KPI 'monthly-cost' actual 110,000 JPY on 2026-11-15")


# --- standing targets in the S and T rules ------------------------------------------------------

STANDING = kpis("""\
  - id: band-no-direction
    name: API availability
    unit: percent
    baseline: 99.7
    target: {min: 99.5}
    cadence: monthly
  - id: band-increase
    name: Web availability
    unit: percent
    direction: increase
    target: {min: 99.5, max: 100}
    cadence: monthly
  - id: band-maintain
    name: Days sales outstanding
    unit: days
    direction: maintain
    baseline: 50
    target: {max: 45}
    cadence: monthly
  - id: band-no-cadence
    name: Inventory days
    unit: days
    target: {min: 10, max: 20}
  - id: maintain-number
    name: Days payable outstanding
    unit: days
    direction: maintain
    baseline: 40
    target: 42
    cadence: monthly
  - id: plain
    name: Leads per month
    unit: count
    baseline: 150
    target: 200
    cadence: monthly
""")


def test_bands_in_s201_s202_s209_s210(project: Path) -> None:
    found = check(project, STANDING, "S201,S202,S209,S210")
    assert messages(found) == [
        ("S209", "band-increase",
         "KPI 'band-increase' has a band target {min: 99.5, max: 100} but `direction:"
         " increase`: a band is a standing target to hold every period; remove the direction"
         " (a band means `maintain`) or give a number to reach"),
        ("S202", "band-no-cadence",
         "KPI 'band-no-cadence' has no `deadline` and no `cadence`: a `maintain` target must"
         " hold every period, so add the period it is checked in, e.g. `cadence: monthly`, or"
         " the date it must hold by, e.g. `deadline: 2027-03-31`"),
        ("S209", "maintain-number",
         "KPI 'maintain-number' has `direction: maintain` but its target 42 is not equal to"
         " its baseline 40: fix the target or the direction"),
        ("S202", "plain",
         "KPI 'plain' has no `deadline`: add the date its target is due, e.g. `deadline:"
         " 2027-03-31` (YYYY-MM-DD, YYYY-MM or YYYY-Qn)"),
    ]
    s209 = found[0]
    assert (s209["line"], s209["column"], s209["field"]) == (13, 13, "target")


def test_band_kgi_is_quantified_and_t403_skips_bands(project: Path) -> None:
    text = tree(kgi_target="{min: 100000000}").replace("    unit: JPY\n    baseline", (
        "    unit: JPY\n    cadence: monthly\n    baseline"), 1)
    found = check(project, text, "S212,S202,T403,T404")
    assert [d for d in found if d["subject"] == "revenue"] == []
    assert [d["code"] for d in check(project, tree(), "T403")] == ["T403"]


def test_e002_on_bands_and_actuals(project: Path) -> None:
    text = kpis("""\
      - id: a
        name: A
        target: {min: 5, max: 3}
        actual: {value: 3}
      - id: b
        name: B
        target: {}
        actual: {value: x, as_of: 2026-01-01}
      - id: c
        name: C
        target: {min: 2, mx: 3}
        actual: 5
    """)
    found = check(project, text, "E002")
    assert [(d["line"], d["column"], d["field"], d["message"]) for d in found] == [
        (5, 13, "target", "`target` is invalid: its `min` is above its `max`"),
        (6, 13, "actual.as_of", "`actual` is missing required field `as_of`: add `as_of: ...`"),
        (9, 13, "target", "`target` is invalid: a band needs `min`, `max` or both"),
        (10, 21, "actual.value", "`actual.value` must be a number, not 'x'"),
        (13, 22, "target.mx", "unknown key `mx` in `target` (did you mean 'max'?)"),
        (14, 13, "actual", "`actual` must be a mapping, not '5'"),
    ]
