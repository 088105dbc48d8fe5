"""``kpilint check --show-settings``: the resolved configuration and where each value came from."""

from __future__ import annotations

import datetime
import json
from typing import Any

from kpilint import registry
from kpilint.checker import CheckOptions
from kpilint.config import LIMIT_KEYS, Config
from kpilint.project import ProjectPlan

COMMAND_LINE = "command line"


def _value(value: Any) -> str:
    """A value as TOML writes it."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False)


def describe_settings(plan: ProjectPlan, options: CheckOptions) -> str:
    """The settings of one project as commented TOML."""
    config = plan.config
    rows: list[str] = [f"# project root: {plan.root}",
                       f"# config file: {config.path or 'none (all defaults)'}"]

    def row(key: str, value: Any, origin: str) -> None:
        rows.append(f"{key} = {_value(value)}  # {origin}")

    row("include", config.include, config.origin("include"))
    excludes = [origin for origin in (config.origin("exclude"), config.origin("extend-exclude"))
                if origin != "default"]
    row("exclude", config.exclude, " + ".join(excludes) or "default")
    row("force-exclude", config.force_exclude if options.force_exclude is None else True,
        config.origin("force-exclude") if options.force_exclude is None else COMMAND_LINE)
    row("respect-gitignore", config.respect_gitignore, config.origin("respect-gitignore"))
    row("cache-dir", config.cache_dir, config.origin("cache-dir"))
    if config.dbt_project is not None:
        row("dbt-project", config.dbt_project, config.origin("dbt-project"))
    if config.rule_packs:
        root = plan.root.resolve()
        row("rule-packs", [path.relative_to(root).as_posix() for path in config.rule_packs],
            config.origin("rule-packs"))
    rows.extend(_selection_rows(config, options, row))
    row("fail-on", (options.fail_on or config.fail_on).label,
        COMMAND_LINE if options.fail_on else config.origin("fail-on"))
    if options.today:
        row("today", options.today, COMMAND_LINE)
    elif config.today:
        row("today", config.today, config.origin("today"))
    else:
        row("today", datetime.date.today(), "default: the system date")
    row("allow-suppressions", config.allow_suppressions, config.origin("allow-suppressions"))
    row("require-suppression-reason", config.require_suppression_reason,
        config.origin("require-suppression-reason"))
    rows.append("")
    rows.append("[limits]")
    for key, attribute in LIMIT_KEYS.items():
        row(key, getattr(config.limits, attribute), config.origin(f"limits.{key}"))
    if config.per_file_ignores:
        rows.append("")
        rows.append("[per-file-ignores]")
        for pattern, selectors in config.per_file_ignores.items():
            row(json.dumps(pattern), selectors, config.origin(f"per-file-ignores.{pattern}"))
    if config.dialects:
        rows.append("")
        rows.append("[dialects]")
        for pattern, name in config.dialects.items():
            row(json.dumps(pattern), name, config.origins.get(f"dialects.{pattern}",
                                                              COMMAND_LINE))
    rows.append("")
    rows.append("[indicators]")
    for key in ("extend-leading", "extend-lagging"):
        row(key, config.shared_options.get(key, []), config.origin(f"indicators.{key}"))
    rows.append("")
    rows.append("[severity]")
    for rule in config.selected_rules():
        level = config.severity_of(rule)
        origin = "default" if rule.code not in config.severities else next(
            (config.origin(f"severity.{key}") for key in (rule.code, rule.name)
             if f"severity.{key}" in config.origins), "config")
        row(f"{rule.code}", level.label, f"{rule.name}, {origin}")
    for rule in registry.all_rules():
        if not rule.options:
            continue
        rows.append("")
        rows.append(f"[rules.{rule.name}]")
        configured = config.rule_options.get(rule.code, {})
        origin = next((config.origin(f"rules.{key}") for key in (rule.name, rule.code)
                       if f"rules.{key}" in config.origins), "default")
        for key, option in rule.options.items():
            if key in configured:
                row(key, configured[key], origin)
            else:
                row(key, option.default, "default")
    return "\n".join(rows) + "\n"


def _selection_rows(config: Config, options: CheckOptions, row: Any) -> list[str]:
    """select / extend-select / ignore, each key once: a later layer's select (the command
    line's) replaces the config's, and the lists of extend-select and ignore add up; the line
    after them names the rules that are on."""
    for key in ("select", "extend-select", "ignore"):
        values: list[str] | None = None
        origins: list[str] = []
        for layer in config.selections:
            given = getattr(layer, key.replace("-", "_"))
            if given is None or (key != "select" and not given):
                continue
            origin = COMMAND_LINE if layer is options.selection else config.origin(key)
            if key == "select" or values is None:
                values, origins = list(given), [origin]
            else:
                values += given
                origins.append(origin)
        if values is not None:
            row(key, values, " + ".join(origins))
        elif key == "select":
            row(key, ["ALL"], "default")
    enabled = [rule.code for rule in config.selected_rules()]
    return [f"# {len(enabled)} of {len(config.available_entries())} rules enabled: "
            + ", ".join(enabled)]
