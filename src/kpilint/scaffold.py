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

# Your own rules (docs/custom-rules.md); `kpilint init --rule-pack` writes a starter pack.
# rule-packs = ["kpi-conventions.yaml"]
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


RULE_PACK_NAME = "kpi-conventions.yaml"

RULE_PACK = """\
# yaml-language-server: $schema=https://kpilint.dev/schemas/kpi-rule-pack.schema.json
# A kpilint rule pack: your team's conventions as declarative rules (they never run code).
# List it in kpilint.toml:  rule-packs = ["kpi-conventions.yaml"]
# Then `kpilint rules` lists these rules and `kpilint rule C001` prints a rule's description.
# Full reference: docs/custom-rules.md.
rules:
  # A field test: every entity's `owner`, when it has one, is one of the listed teams.
  - code: C001                      # C and three digits, unique
    name: known-owner               # usable wherever a code is: select, ignore, suppressions
    severity: error                 # error, warning or info
    given: entities                 # kgis, ksfs, kpis or entities
    then:
      field: owner                  # a key, a dotted path (baseline.value) or an x- key
      enum: [cfo, marketing-ops, sales-ops]
    message: "owner '{value}' of {id} is not a known team; use one of the teams in the pack"
    description: |
      Every KPI and goal names an accountable team from the organisation's list, so that a
      review knows whom to ask. Add teams to the `enum` list as they form.

  # A count test: a success factor with many KPIs has no clear signal.
  - code: C002
    name: focused-ksf
    severity: warning
    given: ksfs
    then:
      count: kpis                   # the KPIs whose `supports` names this KSF
      max: 3
    message: "KSF {id} has {value} KPIs; keep at most 3 so the factor has a clear signal"
"""


class InitError(Exception):
    """``init`` refused; the message says why."""


def write_rule_pack(directory: Path) -> list[Path]:
    """Write the starter rule pack into ``directory``; never overwrite anything."""
    return _write_new({directory / RULE_PACK_NAME: RULE_PACK}, directory)


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
    return _write_new(contents, directory)


def _write_new(contents: dict[Path, str], directory: Path) -> list[Path]:
    """Write new files, all or nothing; refuse when any of them exists."""
    try:
        return write_new_files(contents, directory, "init")
    except WriteRefused as error:
        raise InitError(str(error)) from None
