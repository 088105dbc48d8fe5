"""``kpilint init``: a commented example spec and a ``kpilint.toml`` to start from."""

from __future__ import annotations

import datetime
from pathlib import Path

from kpilint.checks import example_deadline
from kpilint.safe_write import WriteRefused, write_new_files

CONFIG_NAME = "kpilint.toml"
SPEC_NAME = "goals.kpi.yaml"

CONFIG = """\
# kpilint configuration: every key is optional; these are the defaults unless noted.
# Full list: https://kpilint.dev/ (README "Configuration").

# Which files are spec files (gitignore-style globs, relative to this folder).
include = ["**/*.kpi.yaml", "**/*.kpi.yml", "**/kpis.yaml", "**/kpis.yml"]
# extend-exclude = ["archive/**"]

# Rules: codes (G101), prefixes (G1, S), names (too-many-kpis) or ALL.
select = ["ALL"]
ignore = []

# The lowest severity that makes `kpilint check` exit 1: error, warning or info.
fail-on = "warning"

# Pin "today" for reproducible runs of the time rules (S211, P303); default: the system date.
# today = {today}

# [severity]
# undeclared-indicator = "warning"

# [rules.too-many-kpis]
# max = 5

# [per-file-ignores]
# "legacy/*.kpi.yaml" = ["S2"]
"""

SPEC = """\
# A KPI-as-code spec: one goal (KGI), the factors that decide it (KSFs) and the metrics that
# show whether those factors are happening (KPIs). Run `kpilint check` to lint it.
version: 1
scope: marketing

kgis:
  - id: revenue
    name: Annual recognised revenue
    definition: Revenue recognised in the fiscal year across all products, from the ledger.
    unit: JPY
    baseline: 80000000
    target: 100000000
    direction: increase
    deadline: {goal_deadline}
    owner: cfo
    source: ERP report "Recognised revenue"

ksfs:
  - id: nurture-leads
    name: Strengthen lead nurturing
    definition: Turn more inbound interest into sales-ready opportunities.
    supports: revenue

kpis:
  # A leading volume KPI, paired with the quality KPI that keeps it honest.
  - id: qualified-leads
    name: Marketing qualified leads per month
    definition: Inbound leads that pass MQL scoring, counted per calendar month.
    supports: nurture-leads
    indicator: leading
    primary: true
    unit: count
    direction: increase
    baseline: 150
    target: 200
    deadline: {deadline}
    cadence: weekly
    owner: marketing-ops
    source: CRM report "Inbound MQLs"
    paired_with: lead-to-opportunity-rate
    last_reviewed: {today}

  - id: lead-to-opportunity-rate
    name: Lead to opportunity conversion rate
    definition: Share of the month's qualified leads that become sales opportunities.
    supports: nurture-leads
    indicator: leading
    unit: percent
    direction: increase
    baseline: 25
    target: 30
    deadline: {deadline}
    cadence: monthly
    owner: sales-ops
    source: CRM report "Lead conversion"
    last_reviewed: {today}
"""


class InitError(Exception):
    """``init`` refused; the message says why."""


def write_starter_files(directory: Path, today: datetime.date) -> list[Path]:
    """Write the example spec and config into ``directory``; never overwrite anything."""
    targets = [directory / CONFIG_NAME, directory / SPEC_NAME]
    deadline = example_deadline(today)
    goal_deadline = example_deadline(datetime.date.fromisoformat(deadline))
    contents = {
        targets[0]: CONFIG.format(today=today.isoformat()),
        targets[1]: SPEC.format(deadline=deadline, goal_deadline=goal_deadline,
                                today=today.isoformat()),
    }
    try:
        return write_new_files(contents, directory, "init")
    except WriteRefused as error:
        raise InitError(str(error)) from None
