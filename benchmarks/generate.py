"""Generate realistic kpilint projects (KGI -> KSF -> KPI spec files) for benchmarks.

Usage::

    python benchmarks/generate.py OUTDIR --files N --kpis M [--seed S]
    python benchmarks/generate.py OUTDIR --single-file --kpis M [--seed S]

A project is ``company.kpi.yaml`` (a handful of KGIs), N team files
``<department>/teamXXXX.kpi.yaml`` whose KSFs support those KGIs, and a ``kpilint.toml``
fixing ``today``. ``--single-file`` writes one file with its own KGI, KSFs and M KPIs.
The output depends only on the arguments (same seed, same bytes). Standard library only.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Final

TODAY: Final = date(2026, 11, 23)
GOAL_DEADLINE: Final = date(2027, 3, 31)
CONFIG_TEXT: Final = f'# A fixed date keeps the time-based rules reproducible.\ntoday = "{TODAY}"\n'
KPI_DEADLINES: Final[tuple[date | str, ...]] = (
    date(2026, 12, 31),
    date(2027, 1, 31),
    date(2027, 3, 31),
    "2026-12",
    "2027-02",
    "2027-03",
    "2026-Q4",
    "2027-Q1",
)
AS_OF_DATES: Final = (date(2026, 6, 30), date(2026, 9, 30))
FUNNEL: Final = ("leads", "opportunity-rate", "win-rate", "avg-deal-size")
REVENUE_KGI: Final = "revenue-fy26"

Scalar = str | int | float | bool | date
Value = Scalar | list[Scalar] | dict[str, Scalar]
Entity = list[tuple[str, Value]]


@dataclass(frozen=True)
class KpiTemplate:
    """A KPI as a department would define it; values are drawn from [low, high]."""

    slug: str
    name: str
    definition: str
    indicator: str
    unit: str
    direction: str
    low: float
    high: float
    source: str
    tag: str
    pair: str | None = None


@dataclass(frozen=True)
class KsfTemplate:
    """A key success factor and the company KGI it supports."""

    slug: str
    name: str
    definition: str
    kgi: str


@dataclass(frozen=True)
class Department:
    """A team type: where its files live, who owns its KPIs, its KSFs and its KPIs."""

    name: str
    owners: tuple[str, ...]
    ksfs: tuple[KsfTemplate, ...]
    kpis: tuple[KpiTemplate, ...]


K = KpiTemplate
S = KsfTemplate

SALES = Department(
    "sales",
    ("sales-ops", "revops", "sales-director"),
    (
        S("convert-pipeline", "Convert pipeline faster", "Qualify early, shorten cycles.",
          REVENUE_KGI),
        S("grow-deal-size", "Sell multi-product bundles", "Lead with bundled offers.", REVENUE_KGI),
        S("win-new-logos", "Win mid-market accounts", "Focus reps on the 200-999 segment.",
          "new-customers-fy26"),
    ),
    (
        K("leads", "Qualified leads accepted by sales per month",
          "Leads accepted by an account executive, per calendar month.", "leading", "count",
          "increase", 120, 400, 'Salesforce report "Accepted leads"', "funnel:lead-generation",
          "opportunity-rate"),
        K("opportunity-rate", "Lead-to-opportunity conversion rate",
          "Share of accepted leads that become an opportunity in 30 days.", "leading",
          "percent", "increase", 20, 35, 'Salesforce report "Lead conversion"',
          "funnel:opportunity"),
        K("win-rate", "Opportunity win rate",
          "Closed-won opportunities divided by all closed opportunities.", "lagging",
          "percent", "increase", 15, 30, 'Salesforce dashboard "Win rate"', "funnel:closing"),
        K("avg-deal-size", "Average deal size",
          "Mean first-year contract value of closed-won deals.", "lagging", "JPY",
          "increase", 800_000, 2_000_000, 'Salesforce dashboard "Bookings"', "funnel:closing"),
        K("sales-cycle", "Median sales cycle length",
          "Days from opportunity creation to closed-won, median.", "lagging", "days",
          "decrease", 40, 90, 'Salesforce report "Cycle time"', "funnel:closing"),
        K("pipeline-coverage", "Pipeline coverage of next quarter quota",
          "Open pipeline for next quarter divided by its quota.", "leading", "ratio",
          "increase", 2.0, 3.5, 'Clari forecast "Coverage"', "funnel:opportunity"),
        K("discovery-calls", "Discovery calls held per rep per week",
          "First meetings with a qualified buyer, per rep and week.", "leading", "count",
          "increase", 6, 15, 'Gong report "Discovery calls"', "funnel:opportunity",
          "demo-show-rate"),
        K("new-arr", "New annual recurring revenue booked per quarter",
          "ARR of new logos signed in the quarter.", "lagging", "JPY", "increase",
          20_000_000, 80_000_000, 'Salesforce dashboard "New ARR"', "funnel:closing"),
        K("quota-attainment", "Share of reps at or above quota",
          "Ramped reps whose bookings reached their quarterly quota.", "lagging", "percent",
          "increase", 40, 65, 'Salesforce report "Attainment"', "sales:performance"),
        K("proposal-turnaround", "Proposal turnaround time",
          "Hours from proposal request to proposal sent, median.", "leading", "hours",
          "decrease", 24, 72, 'PandaDoc report "Turnaround"', "funnel:opportunity"),
        K("demo-show-rate", "Demo show rate",
          "Booked product demos that the buyer attended.", "leading", "percent", "increase",
          60, 80, 'Chili Piper report "Show rate"', "funnel:opportunity"),
    ),
)

MARKETING = Department(
    "marketing",
    ("marketing-ops", "demand-gen-lead", "content-lead"),
    (
        S("nurture-leads", "Strengthen lead nurturing", "Score and nurture every inbound lead.",
          REVENUE_KGI),
        S("own-category-search", "Own the category in search", "Rank for buyer-intent terms.",
          "new-customers-fy26"),
        S("run-field-events", "Run regional field events", "Meet buyers in person quarterly.",
          REVENUE_KGI),
    ),
    (
        K("mqls", "Marketing qualified leads per month",
          "Inbound leads that pass MQL scoring, per calendar month.", "leading", "count",
          "increase", 150, 600, 'HubSpot report "Inbound MQLs"', "funnel:lead-generation",
          "mql-to-sql-rate"),
        K("mql-to-sql-rate", "MQL to SQL conversion rate",
          "Share of MQLs accepted by sales within 14 days.", "leading", "percent", "increase",
          15, 35, 'HubSpot report "MQL to SQL"', "funnel:lead-generation"),
        K("cost-per-lead", "Cost per qualified lead",
          "Paid media spend divided by the MQLs it sourced.", "lagging", "JPY", "decrease",
          8_000, 25_000, 'Looker "Paid media"', "funnel:lead-generation"),
        K("organic-signups", "Organic trial sign-ups per week",
          "Trial accounts created from unpaid channels, per week.", "leading", "count",
          "increase", 80, 300, 'Amplitude chart "Sign-ups"', "funnel:acquisition",
          "trial-activation-rate"),
        K("trial-activation-rate", "Trial activation rate",
          "Trials that complete the key setup steps in 7 days.", "leading", "percent",
          "increase", 25, 45, 'Amplitude chart "Activation"', "funnel:acquisition"),
        K("webinar-attendance-rate", "Webinar attendance rate",
          "Registrants who attend a live webinar for 10+ minutes.", "leading", "percent",
          "increase", 30, 50, 'Zoom report "Attendance"', "channel:events"),
        K("email-ctr", "Nurture email click-through rate",
          "Unique clicks divided by delivered nurture emails.", "leading", "percent",
          "increase", 2, 6, 'HubSpot report "Nurture emails"', "channel:email"),
        K("cac-payback", "CAC payback period",
          "Days of gross margin needed to recover acquisition cost.", "lagging", "days",
          "decrease", 300, 540, 'Looker "Unit economics"', "funnel:acquisition"),
        K("sourced-pipeline", "Marketing-sourced pipeline per quarter",
          "Opportunity value whose first touch was marketing.", "lagging", "JPY", "increase",
          50_000_000, 200_000_000, 'Salesforce report "Sourced pipeline"', "funnel:opportunity"),
        K("blog-page-views", "Blog page views per month",
          "Page views of blog articles, per calendar month.", "leading", "count", "increase",
          40_000, 120_000, 'Google Analytics "Blog"', "channel:content"),
        K("content-conversions", "Content-assisted conversions per month",
          "Sign-ups that read two or more articles before converting.", "leading", "count",
          "increase", 40, 150, 'Amplitude chart "Assisted"', "channel:content",
          "trial-activation-rate"),
    ),
)

SUCCESS = Department(
    "success",
    ("cs-director", "cs-ops", "onboarding-lead"),
    (
        S("speed-up-onboarding", "Shorten onboarding", "Get every account live in 30 days.",
          "net-revenue-retention-fy26"),
        S("run-business-reviews", "Run business reviews", "Review value with key accounts.",
          "net-revenue-retention-fy26"),
        S("act-on-health", "Act on health signals", "Call at-risk accounts within a week.",
          "customer-satisfaction-fy26"),
    ),
    (
        K("gross-churn-rate", "Monthly gross revenue churn rate",
          "MRR lost to cancellations and downgrades over starting MRR.", "lagging", "percent",
          "decrease", 1.5, 4, 'ChartMogul "Churn"', "lifecycle:retention"),
        K("grr", "Gross revenue retention",
          "Revenue kept from last year's cohort, before expansion.", "lagging", "percent",
          "increase", 85, 93, 'ChartMogul "Retention"', "lifecycle:retention"),
        K("onboarding-completion", "Onboarding completed within 30 days",
          "New accounts that finish the onboarding plan in 30 days.", "leading", "percent",
          "increase", 55, 80, 'Gainsight report "Onboarding"', "lifecycle:onboarding"),
        K("time-to-value", "Median time to first value",
          "Days from contract start to the first value milestone.", "leading", "days",
          "decrease", 10, 30, 'Gainsight report "Time to value"', "lifecycle:onboarding"),
        K("qbr-coverage", "Key accounts with a quarterly review",
          "Key accounts that held a business review this quarter.", "leading", "percent",
          "increase", 50, 80, 'Gainsight report "QBRs"', "lifecycle:adoption"),
        K("health-score", "Average customer health score",
          "Mean Gainsight health score of active paying accounts.", "leading", "score",
          "increase", 60, 75, 'Gainsight dashboard "Health"', "lifecycle:adoption"),
        K("expansion-arr", "Expansion ARR per quarter",
          "ARR added by upsell and cross-sell to existing accounts.", "lagging", "JPY",
          "increase", 10_000_000, 40_000_000, 'ChartMogul "Expansion"', "lifecycle:expansion"),
        K("renewal-rate", "Logo renewal rate",
          "Accounts up for renewal in the period that renewed.", "lagging", "percent",
          "increase", 80, 92, 'Salesforce report "Renewals"', "lifecycle:retention"),
        K("at-risk-accounts", "Accounts flagged at risk",
          "Active accounts whose health score is red at month end.", "leading", "count",
          "decrease", 20, 60, 'Gainsight dashboard "Risk"', "lifecycle:retention", "grr"),
        K("success-plans", "Success plans agreed per month",
          "Written success plans signed off by the customer.", "leading", "count",
          "increase", 10, 40, 'Gainsight report "Success plans"', "lifecycle:adoption",
          "health-score"),
    ),
)

SUPPORT = Department(
    "support",
    ("support-manager", "support-ops", "cx-lead"),
    (
        S("answer-fast", "Answer within the first hour", "Staff queues to the forecast.",
          "customer-satisfaction-fy26"),
        S("deflect-with-docs", "Deflect repeat questions", "Keep the help center current.",
          "customer-satisfaction-fy26"),
        S("fix-it-once", "Fix it the first time", "Give agents runbooks and authority.",
          "customer-satisfaction-fy26"),
    ),
    (
        K("first-response-time", "Median first response time",
          "Minutes from ticket creation to the first public reply.", "leading", "minutes",
          "decrease", 30, 180, 'Zendesk Explore "First reply"', "queue:responsiveness"),
        K("resolution-time", "Median time to resolution",
          "Hours from ticket creation to solved, business hours.", "lagging", "hours",
          "decrease", 8, 48, 'Zendesk Explore "Resolution"', "queue:responsiveness"),
        K("support-csat", "Support CSAT",
          "Good ratings divided by all ratings of solved tickets.", "lagging", "percent",
          "increase", 80, 92, 'Zendesk Explore "Satisfaction"', "quality:satisfaction"),
        K("first-contact-resolution", "First contact resolution rate",
          "Tickets solved with a single agent reply.", "leading", "percent", "increase", 55,
          75, 'Zendesk Explore "One touch"', "quality:resolution"),
        K("backlog", "Open ticket backlog",
          "Tickets open longer than 24 hours at end of day.", "leading", "count", "decrease",
          200, 800, 'Zendesk Explore "Backlog"', "queue:capacity", "resolution-time"),
        K("tickets-per-account", "Tickets per 100 active accounts per month",
          "Monthly tickets divided by active accounts, times 100.", "leading", "ratio",
          "decrease", 8, 20, 'Looker "Contact rate"', "quality:deflection"),
        K("self-service-rate", "Self-service resolution rate",
          "Help center sessions that end without a ticket.", "leading", "percent", "increase",
          20, 40, 'Zendesk Guide "Deflection"', "quality:deflection"),
        K("sla-breach-rate", "SLA breach rate",
          "Tickets whose first reply missed the contractual SLA.", "lagging", "percent",
          "decrease", 3, 10, 'Zendesk Explore "SLA"', "queue:responsiveness"),
        K("reopen-rate", "Ticket reopen rate",
          "Solved tickets reopened by the customer within 7 days.", "lagging", "percent",
          "decrease", 4, 12, 'Zendesk Explore "Reopens"', "quality:resolution"),
        K("tickets-solved", "Tickets solved per agent per week",
          "Solved tickets divided by agents on shift, per week.", "leading", "count",
          "increase", 40, 90, 'Zendesk Explore "Productivity"', "queue:capacity",
          "reopen-rate"),
    ),
)

ENGINEERING = Department(
    "engineering",
    ("vp-engineering", "platform-lead", "sre-lead"),
    (
        S("ship-small-changes", "Ship small changes often", "Trunk-based, small pull requests.",
          "service-availability-fy26"),
        S("recover-fast", "Recover from incidents fast", "Runbooks, alerts and rollbacks.",
          "service-availability-fy26"),
        S("build-quality-in", "Build quality in", "Catch defects before customers do.",
          "customer-satisfaction-fy26"),
    ),
    (
        K("deploy-frequency", "Production deployments per week",
          "Successful deployments to production, per week.", "leading", "count", "increase",
          5, 30, 'GitHub Actions "Deploys"', "dora:throughput", "change-failure-rate"),
        K("lead-time", "Lead time for changes",
          "Hours from merge to running in production, median.", "leading", "hours",
          "decrease", 24, 120, 'GitHub Actions "Lead time"', "dora:throughput"),
        K("change-failure-rate", "Change failure rate",
          "Deployments that cause an incident or a rollback.", "lagging", "percent",
          "decrease", 8, 20, 'PagerDuty "Change events"', "dora:stability"),
        K("mttr", "Mean time to restore service",
          "Minutes from incident start to full recovery, mean.", "lagging", "minutes",
          "decrease", 60, 240, 'PagerDuty "Incidents"', "dora:stability"),
        K("api-availability", "Monthly API availability",
          "Successful API requests over all requests, per month.", "lagging", "percent",
          "maintain", 99.9, 99.9, 'Datadog SLO "Public API"', "sre:availability"),
        K("p95-latency", "p95 API latency",
          "95th percentile latency of public API requests.", "leading", "seconds",
          "decrease", 0.3, 0.8, 'Datadog SLO "Latency"', "sre:performance"),
        K("escaped-defects", "Customer-reported defects per month",
          "Bugs first reported by customers, per calendar month.", "lagging", "count",
          "decrease", 15, 60, 'Jira filter "Escaped defects"', "quality:defects"),
        K("rollback-coverage", "Services with automated rollback",
          "Production services that roll back on failed health checks.", "leading",
          "percent", "increase", 30, 70, 'Backstage "Service catalog"', "sre:availability"),
        K("review-time", "Median pull request review time",
          "Hours from review request to first approving review.", "leading", "hours",
          "decrease", 6, 30, 'GitHub Insights "Reviews"', "dora:throughput"),
        K("off-hours-pages", "Off-hours pages per on-call week",
          "Pages outside working hours, per on-call rotation week.", "leading", "count",
          "decrease", 5, 20, 'PagerDuty "Analytics"', "sre:toil", "mttr"),
        K("patch-time", "Median days to patch critical vulnerabilities",
          "Days from a critical CVE advisory to the patch deployed.", "lagging", "days",
          "decrease", 7, 30, 'Snyk report "Fix time"', "security:patching"),
    ),
)

PRODUCT = Department(
    "product",
    ("cpo", "product-ops", "growth-pm"),
    (
        S("guide-new-users", "Guide new users to value", "In-app checklists and templates.",
          "product-adoption-fy26"),
        S("ship-what-customers-ask", "Ship what customers ask", "Close the feedback loop.",
          "product-adoption-fy26"),
        S("test-before-building", "Test before building", "Validate ideas with experiments.",
          "product-adoption-fy26"),
    ),
    (
        K("weekly-active-accounts", "Weekly active accounts",
          "Paying accounts with a key action in the last 7 days.", "leading", "count",
          "increase", 2_000, 8_000, 'Amplitude chart "WAA"', "usage:engagement",
          "feature-adoption"),
        K("feature-adoption", "Accounts using three core features",
          "Active accounts that used three or more core features.", "lagging", "percent",
          "increase", 25, 45, 'Amplitude chart "Breadth"', "usage:adoption"),
        K("activation-rate", "New account activation rate",
          "New accounts reaching the activation event in 14 days.", "leading", "percent",
          "increase", 35, 60, 'Amplitude chart "Activation"', "usage:activation"),
        K("nps", "Net promoter score",
          "Promoters minus detractors, quarterly in-app survey.", "lagging", "score",
          "increase", 20, 40, 'Delighted survey "NPS"', "usage:satisfaction"),
        K("experiments-shipped", "Product experiments shipped per month",
          "A/B tests launched to production with a written hypothesis.", "leading", "count",
          "increase", 4, 12, 'Statsig "Experiments"', "discovery:experiments",
          "activation-rate"),
        K("d30-retention", "Day-30 user retention",
          "New users still active on day 30 after sign-up.", "lagging", "percent",
          "increase", 30, 50, 'Amplitude chart "Retention"', "usage:retention"),
        K("onboarding-time", "Median in-app onboarding time",
          "Minutes for a new user to finish the onboarding checklist.", "leading", "minutes",
          "decrease", 15, 45, 'Amplitude chart "Onboarding"', "usage:activation"),
        K("requests-resolved", "Feature requests resolved per quarter",
          "Customer feature requests shipped or declined with a reply.", "lagging", "count",
          "increase", 20, 60, 'Productboard "Insights"', "discovery:feedback", "nps"),
        K("task-success-rate", "Usability test task success rate",
          "Tasks completed unaided in moderated usability tests.", "leading", "percent",
          "increase", 70, 85, 'Dovetail "Usability"', "discovery:research"),
        K("roadmap-delivery", "Roadmap commitments delivered on time",
          "Committed roadmap items shipped in their planned quarter.", "lagging", "percent",
          "increase", 60, 80, 'Jira Product Discovery "Roadmap"', "delivery:predictability"),
    ),
)

DEPARTMENTS: Final = (SALES, MARKETING, SUCCESS, SUPPORT, ENGINEERING, PRODUCT)

COMPANY_KGIS: Final[tuple[Entity, ...]] = (
    [
        ("id", REVENUE_KGI),
        ("name", "Annual revenue"),
        ("definition", "Recognised revenue in the fiscal year, all products."),
        ("unit", "JPY"),
        ("baseline", 8_000_000_000),
        ("target", 10_000_000_000),
        ("direction", "increase"),
        ("deadline", GOAL_DEADLINE),
        ("owner", "cfo"),
        ("source", 'NetSuite report "Revenue"'),
        ("cadence", "quarterly"),
        ("last_reviewed", date(2026, 10, 5)),
        ("tags", ["company:growth"]),
    ],
    [
        ("id", "new-customers-fy26"),
        ("name", "New paying customers in FY26"),
        ("definition", "Accounts that signed their first paid contract in FY26."),
        ("unit", "count"),
        ("baseline", 1_200),
        ("target", 1_500),
        ("direction", "increase"),
        ("deadline", GOAL_DEADLINE),
        ("owner", "cro"),
        ("source", 'Salesforce report "New logos"'),
        ("cadence", "monthly"),
        ("last_reviewed", date(2026, 10, 5)),
        ("tags", ["company:growth"]),
    ],
    [
        ("id", "net-revenue-retention-fy26"),
        ("name", "Net revenue retention"),
        ("definition", "Revenue from last year's customers now, over a year ago."),
        ("unit", "percent"),
        ("baseline", 98.0),
        ("target", 99.5),
        ("direction", "increase"),
        ("deadline", GOAL_DEADLINE),
        ("owner", "cco"),
        ("source", 'ChartMogul "Net retention"'),
        ("cadence", "quarterly"),
        ("last_reviewed", date(2026, 10, 5)),
        ("tags", ["company:retention"]),
    ],
    [
        ("id", "customer-satisfaction-fy26"),
        ("name", "Customer satisfaction score"),
        ("definition", "Share of surveyed customers answering 4 or 5 out of 5."),
        ("unit", "percent"),
        ("baseline", 82.0),
        ("target", 88.0),
        ("direction", "increase"),
        ("deadline", GOAL_DEADLINE),
        ("owner", "cco"),
        ("source", 'Qualtrics survey "Relationship CSAT"'),
        ("cadence", "quarterly"),
        ("last_reviewed", date(2026, 10, 5)),
        ("tags", ["company:customer"]),
    ],
    [
        ("id", "service-availability-fy26"),
        ("name", "Customer-facing service availability"),
        ("definition", "Minutes without a customer-facing outage over all minutes."),
        ("unit", "percent"),
        ("baseline", 99.5),
        ("target", 99.9),
        ("direction", "increase"),
        ("deadline", GOAL_DEADLINE),
        ("owner", "cto"),
        ("source", 'Statuspage "Uptime"'),
        ("cadence", "monthly"),
        ("last_reviewed", date(2026, 10, 5)),
        ("tags", ["company:reliability"]),
    ],
    [
        ("id", "product-adoption-fy26"),
        ("name", "Accounts adopting the full suite"),
        ("definition", "Paying accounts that use three or more product modules."),
        ("unit", "percent"),
        ("baseline", 30.0),
        ("target", 40.0),
        ("direction", "increase"),
        ("deadline", GOAL_DEADLINE),
        ("owner", "cpo"),
        ("source", 'Amplitude chart "Suite adoption"'),
        ("cadence", "quarterly"),
        ("last_reviewed", date(2026, 10, 5)),
        ("tags", ["company:adoption"]),
    ],
)

# --- YAML emitting (stdlib only) ------------------------------------------------------

# PyYAML's YAML 1.1 implicit resolvers: a plain scalar matching one of these is not a string.
_IMPLICIT = re.compile(
    r"""(?x)
    yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|y|Y|n|N
    |~|null|Null|NULL
    |[-+]?(?:0b[01_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)
    |[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
    |[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+).*)?
    |=|<<
    """
)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


def _is_plain(text: str, flow: bool) -> bool:
    """Whether ``text`` can be written as a plain scalar and still read back as that string."""
    return not (
        not text
        or text[0] in _INDICATORS
        or text[0].isspace()
        or text[-1].isspace()
        or text.endswith(":")
        or ": " in text
        or " #" in text
        or "\n" in text
        or (flow and any(c in text for c in ",[]{}"))
        or _IMPLICIT.fullmatch(text) is not None
    )


def _scalar(value: Scalar, flow: bool = False) -> str:
    """Render one scalar: plain when safe, else double-quoted (JSON strings are valid YAML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return value if _is_plain(value, flow) else json.dumps(value, ensure_ascii=False)


def _value(value: Value) -> str:
    """Render a field value; lists and mappings in flow style."""
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(item, flow=True) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{key}: {_scalar(item, flow=True)}" for key, item in value.items())
        return "{" + ", ".join(pairs) + "}"
    return _scalar(value)


def render_spec(
    scope: str | None,
    kgis: Sequence[Entity] = (),
    ksfs: Sequence[Entity] = (),
    kpis: Sequence[Entity] = (),
    header: str = "",
) -> str:
    """Render one spec file (version 1) in the block style of the spec's examples."""
    lines = [f"# {header}"] if header else []
    lines.append("version: 1")
    if scope is not None:
        lines.append(f"scope: {_scalar(scope)}")
    for section, entities in (("kgis", kgis), ("ksfs", ksfs), ("kpis", kpis)):
        if not entities:
            continue
        lines.append(f"{section}:")
        for entity in entities:
            for index, (key, value) in enumerate(entity):
                lead = "  - " if index == 0 else "    "
                lines.append(f"{lead}{key}: {_value(value)}")
    return "\n".join(lines) + "\n"


# --- Values ---------------------------------------------------------------------------

_DECIMALS: Final = {"percent": 1, "ratio": 2, "score": 1, "hours": 1, "seconds": 2}


def _step(unit: str, magnitude: float) -> float:
    """The resolution values of ``unit`` are written with."""
    if unit == "JPY":
        return 10_000 if magnitude >= 1_000_000 else 100
    return 10.0 ** -_DECIMALS.get(unit, 0)


def _quantize(unit: str, value: float, step: float) -> int | float:
    """Round ``value`` to ``step``; integers for integral units."""
    if step >= 1:
        return int(round(value / step) * step)
    return round(value, _DECIMALS[unit])


def draw_values(template: KpiTemplate, rng: random.Random) -> tuple[int | float, int | float]:
    """A (baseline, target) pair consistent with the template's direction, change <= 15%."""
    raw = rng.uniform(template.low, template.high)
    step = _step(template.unit, raw)
    baseline = _quantize(template.unit, raw, step)
    change = rng.uniform(0.03, 0.15)
    if template.direction == "increase":
        target = _quantize(template.unit, max(baseline * (1 + change), baseline + step), step)
        if template.unit == "percent" and target > 100:
            target = _quantize(template.unit, (baseline + 100) / 2, step)
    elif template.direction == "decrease":
        target = _quantize(template.unit, min(baseline * (1 - change), baseline - step), step)
    else:
        target = baseline
    return baseline, target


def _last_reviewed(rng: random.Random) -> date:
    """A review date within the last five months before TODAY (never stale)."""
    return TODAY - timedelta(days=rng.randint(7, 150))


@dataclass
class DrawnKpi:
    """A KPI being built for one file: its template, id, KSF and numbers."""

    template: KpiTemplate
    kpi_id: str
    ksf_id: str
    baseline: int | float
    target: int | float
    paired_with: list[str]


def _pick_templates(
    catalog: Sequence[KpiTemplate], count: int, rng: random.Random, funnel_first: bool
) -> list[tuple[KpiTemplate, str]]:
    """``count`` (template, slug) pairs: distinct while the catalog lasts, then suffixed."""
    ordered = list(catalog)
    rng.shuffle(ordered)
    if funnel_first:
        funnel = [t for slug in FUNNEL for t in catalog if t.slug == slug]
        ordered = funnel + [t for t in ordered if t.slug not in FUNNEL]
    picked: list[tuple[KpiTemplate, str]] = []
    for index in range(count):
        template = ordered[index % len(ordered)]
        rounds = index // len(ordered)
        picked.append((template, template.slug if rounds == 0 else f"{template.slug}-{rounds + 1}"))
    return picked


def _pair(kpis: list[DrawnKpi], rng: random.Random) -> None:
    """Pair most volume (count) KPIs with a quality KPI of the file, and a few others."""
    by_slug = {kpi.template.slug: kpi for kpi in kpis}
    for kpi in kpis:
        others = [other for other in kpis if other is not kpi]
        if not others:
            return
        if kpi.template.unit == "count" and rng.random() < 0.75:
            hinted = by_slug.get(kpi.template.pair or "")
            quality = [other for other in others if other.template.unit != "count"]
            partner = hinted if hinted is not None else rng.choice(quality or others)
            kpi.paired_with = [partner.kpi_id]
            if len(others) > 2 and rng.random() < 0.2:
                extra = rng.choice([o for o in others if o is not partner])
                kpi.paired_with.append(extra.kpi_id)
        elif kpi.template.unit != "count" and rng.random() < 0.1:
            kpi.paired_with = [rng.choice(others).kpi_id]


def _kpi_entity(kpi: DrawnKpi, primary: bool, owner: str, dept: str, rng: random.Random) -> Entity:
    """All v1 KPI fields, in the order of the spec's example."""
    template = kpi.template
    cadences = ("weekly", "biweekly", "monthly") if template.indicator == "leading" else (
        "monthly", "quarterly")
    baseline: Value = kpi.baseline
    if rng.random() < 0.25:
        baseline = {"value": kpi.baseline, "as_of": rng.choice(AS_OF_DATES)}
    entity: Entity = [
        ("id", kpi.kpi_id),
        ("name", template.name),
        ("definition", template.definition),
        ("supports", kpi.ksf_id),
        ("indicator", template.indicator),
        ("primary", primary),
        ("unit", template.unit),
        ("direction", template.direction),
        ("baseline", baseline),
        ("target", kpi.target),
        ("deadline", rng.choice(KPI_DEADLINES)),
        ("cadence", rng.choice(cadences)),
        ("owner", owner),
        ("source", template.source),
    ]
    if kpi.paired_with:
        paired: Value = kpi.paired_with[0] if len(kpi.paired_with) == 1 else list(kpi.paired_with)
        entity.append(("paired_with", paired))
    entity += [("last_reviewed", _last_reviewed(rng)), ("tags", [template.tag, f"team:{dept}"])]
    return entity


def _ksf_entity(template: KsfTemplate, ksf_id: str, kgi: str, owner: str) -> Entity:
    """All v1 KSF fields."""
    return [
        ("id", ksf_id),
        ("name", template.name),
        ("definition", template.definition),
        ("supports", kgi),
        ("owner", owner),
        ("tags", ["strategy:fy26"]),
    ]


def _draw_kpis(
    picks: Sequence[tuple[KpiTemplate, str]], prefix: str, ksf_ids: Sequence[str],
    rng: random.Random,
) -> list[DrawnKpi]:
    """Numbers and pairings for each picked template; ``ksf_ids[i]`` is the i-th KPI's KSF."""
    drawn = []
    for (template, slug), ksf_id in zip(picks, ksf_ids, strict=True):
        baseline, target = draw_values(template, rng)
        drawn.append(DrawnKpi(template, prefix + slug, ksf_id, baseline, target, []))
    _pair(drawn, rng)
    return drawn


def _revenue_formula(drawn: Sequence[DrawnKpi], prefix: str) -> tuple[str, int, int] | None:
    """``12 * leads * opportunity-rate * win-rate * avg-deal-size`` over the funnel KPIs.

    Returns (formula, baseline, target): the KGI's numbers evaluated from the KPIs (percent as
    value/100), so the targets add up to the KGI target. None when the funnel is not there.
    """
    by_id = {kpi.kpi_id: kpi for kpi in drawn}
    terms = [by_id.get(prefix + slug) for slug in FUNNEL]
    present = [term for term in terms if term is not None]
    if len(present) != len(FUNNEL):
        return None

    def evaluate(values: Sequence[int | float]) -> float:
        leads, opportunity, win, deal = values
        return 12 * leads * (opportunity / 100) * (win / 100) * deal

    baseline = evaluate([term.baseline for term in present])
    target = evaluate([term.target for term in present])
    million = 1_000_000
    formula = "12 * " + " * ".join(term.kpi_id for term in present)
    return formula, int(baseline // million) * million, int(target // million) * million


def _with_formula(kgi: Entity, formula: tuple[str, int, int] | None) -> Entity:
    """The revenue KGI with its formula and the numbers the formula gives."""
    if formula is None:
        return kgi
    expression, baseline, target = formula
    replaced: dict[str, Value] = {"baseline": baseline, "target": target}
    entity = [(key, replaced.get(key, value)) for key, value in kgi]
    return [*entity, ("formula", expression)]


# --- Files ----------------------------------------------------------------------------


def _team_file(
    index: int, width: int, kpi_count: int, rng: random.Random
) -> tuple[Department, str, list[DrawnKpi]]:
    """One team file's department, text and KPIs."""
    dept = DEPARTMENTS[(index - 1) % len(DEPARTMENTS)]
    team = f"team{index:0{width}d}"
    prefix = f"t{index:0{width}d}-"
    ksf_count = 2 if kpi_count >= 4 and rng.random() < 0.5 else 1
    ksf_templates = rng.sample(dept.ksfs, ksf_count)
    ksf_ids = [prefix + t.slug for t in ksf_templates]
    picks = _pick_templates(dept.kpis, kpi_count, rng, funnel_first=index == 1)
    supports = [ksf_ids[position % ksf_count] for position in range(kpi_count)]
    drawn = _draw_kpis(picks, prefix, supports, rng)
    owner = rng.choice(dept.owners)
    ksfs = [_ksf_entity(t, i, t.kgi, owner) for t, i in zip(ksf_templates, ksf_ids, strict=True)]
    first_primary = rng.random() < 0.3
    kpis = [
        _kpi_entity(kpi, position == 0 and first_primary, rng.choice(dept.owners), dept.name, rng)
        for position, kpi in enumerate(drawn)
    ]
    text = render_spec(f"{dept.name}-{team}", ksfs=ksfs, kpis=kpis, header=f"{dept.name} {team}")
    return dept, text, drawn


def _write(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8, LF) creating parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def generate_project(outdir: Path | str, files: int, kpis: int, seed: int = 0) -> list[Path]:
    """Write ``files`` team files of ``kpis`` KPIs each, company.kpi.yaml and kpilint.toml.

    Returns the spec files written (team files in order, then company.kpi.yaml).
    """
    if files < 1 or kpis < 1:
        raise ValueError("files and kpis must be at least 1")
    root = Path(outdir)
    rng = random.Random(seed)
    width = max(4, len(str(files)))
    written: list[Path] = []
    formula: tuple[str, int, int] | None = None
    for index in range(1, files + 1):
        dept, text, drawn = _team_file(index, width, kpis, rng)
        if index == 1:
            formula = _revenue_formula(drawn, f"t{index:0{width}d}-")
        written.append(_write(root / dept.name / f"team{index:0{width}d}.kpi.yaml", text))
    kgis = [_with_formula(kgi, formula) if kgi[0][1] == REVENUE_KGI else kgi
            for kgi in COMPANY_KGIS]
    company = render_spec("company", kgis=kgis, header="Company goals (KGIs) for FY26")
    written.append(_write(root / "company.kpi.yaml", company))
    _write(root / "kpilint.toml", CONFIG_TEXT)
    return written


def generate_single_file(outdir: Path | str, kpis: int, seed: int = 0) -> Path:
    """Write one spec file with a KGI, one KSF per department and ``kpis`` KPIs, plus config.

    KPIs are drawn across all departments (the funnel four first, feeding the KGI formula).
    """
    if kpis < 1:
        raise ValueError("kpis must be at least 1")
    root = Path(outdir)
    rng = random.Random(seed)
    catalog = [t for dept in DEPARTMENTS for t in dept.kpis]
    picks = _pick_templates(catalog, kpis, rng, funnel_first=kpis >= len(FUNNEL))
    owner_of = {t.slug: dept for dept in DEPARTMENTS for t in dept.kpis}
    ksf_of = {dept.name: dept.ksfs[0] for dept in DEPARTMENTS}
    supports = [ksf_of[owner_of[template.slug].name].slug for template, _ in picks]
    drawn = _draw_kpis(picks, "", supports, rng)
    used = [dept for dept in DEPARTMENTS if ksf_of[dept.name].slug in supports]
    ksfs = [_ksf_entity(ksf_of[d.name], ksf_of[d.name].slug, REVENUE_KGI, d.owners[0])
            for d in used]
    kpi_entities = []
    for position, kpi in enumerate(drawn):
        dept = owner_of[kpi.template.slug]
        owner = rng.choice(dept.owners)
        kpi_entities.append(_kpi_entity(kpi, position == 0, owner, dept.name, rng))
    kgi = _with_formula(COMPANY_KGIS[0], _revenue_formula(drawn, ""))
    text = render_spec("growth", kgis=[kgi], ksfs=ksfs, kpis=kpi_entities,
                       header="One team's whole KPI tree in a single file")
    path = _write(root / "growth.kpi.yaml", text)
    _write(root / "kpilint.toml", CONFIG_TEXT)
    return path


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("outdir", type=Path, help="directory to write into (created if needed)")
    parser.add_argument("--files", type=positive_int, help="number of team files")
    parser.add_argument("--kpis", type=positive_int, required=True, help="KPIs per file")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--single-file", action="store_true",
                        help="write one file with its own KGI, KSFs and --kpis KPIs")
    args = parser.parse_args(argv)
    if args.single_file:
        if args.files not in (None, 1):
            parser.error("--files cannot be combined with --single-file")
        path = generate_single_file(args.outdir, args.kpis, args.seed)
        print(f"wrote {path} ({args.kpis} KPIs)")
        return 0
    if args.files is None:
        parser.error("--files is required unless --single-file is given")
    written = generate_project(args.outdir, args.files, args.kpis, args.seed)
    print(f"wrote {len(written)} spec files ({args.files * args.kpis} KPIs) to {args.outdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
