"""Custom rules (SPEC 10.7): rule packs (declarative YAML) and Python plugins.

The one hook: :func:`active_entries` is a project's rule set, built-in rules plus the installed
plugins' rules plus the rules of the packs its config lists (:func:`load_packs`). Pack and plugin
rules are also made known to :mod:`kpilint.registry`, so selectors, suppression comments,
severities and ``kpilint rule`` reach them as they reach built-in rules.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from kpilint import registry
from kpilint.config import ConfigError
from kpilint.rule import Rule


def active_entries(pack_rules: Iterable[type[Rule]]) -> list[registry.RuleEntry]:
    """Built-in, plugin and pack rules, sorted by code (built-in modules not yet imported)."""
    from kpilint.custom.plugins import plugin_rules

    custom = [registry.RuleEntry.of(rule) for rule in (*plugin_rules(), *pack_rules)]
    return sorted([*registry.entries(), *custom], key=lambda entry: entry.code)


def rule_url(rule: type[Rule]) -> str | None:
    """A custom rule's documentation page (its ``url``), or None."""
    url = getattr(rule, "url", None)
    return url if isinstance(url, str) and url else None


def is_custom(rule: type[Rule]) -> bool:
    """Whether a rule comes from a pack or a plugin."""
    return registry.custom_lookup(rule.code) is rule


def custom_page(rule: type[Rule]) -> str:
    """The markdown ``kpilint rule`` prints for a pack or plugin rule."""
    origin = getattr(rule, "pack", None)
    description = str(getattr(rule, "description", "") if origin else rule.__doc__ or "").strip()
    lines = [f"# {rule.code} {rule.name}", "",
             f"Default severity: {rule.severity.label}. "
             + (f"From the rule pack `{origin}`." if origin else f"From the plugin module"
                f" `{rule.__module__}`."), "", description or rule.summary]
    url = rule_url(rule)
    if url:
        lines += ["", f"Documentation: {url}"]
    return "\n".join(lines) + "\n"


def load_packs(entries: Sequence[str], base: Path, where: str) -> tuple[
        tuple[Path, ...], tuple[type[Rule], ...]]:
    """The pack files a config lists (relative to ``base``, its folder, which they may not
    leave) and their rules, checked for clashes with built-in and plugin rules and each other."""
    from kpilint.custom.names import TakenNames
    from kpilint.custom.packs import PackError, load_pack
    from kpilint.custom.plugins import plugin_rules

    taken = TakenNames()
    for plugin_rule in plugin_rules():
        taken.claim(plugin_rule, f"plugin rule {plugin_rule.code} ({plugin_rule.name},"
                                 f" {plugin_rule.__module__})", "plugins")
    paths: list[Path] = []
    rules: list[type[Rule]] = []
    for entry in entries:
        path = _pack_path(entry, base, where)
        shown = _shown(path)
        for rule in load_pack(path, shown):
            taken.claim(rule, f"rule {rule.code} ({rule.name}) of {shown}", shown, PackError)
            rules.append(rule)
        paths.append(path)
    registry.add_custom_rules(rules)
    return tuple(paths), tuple(rules)


def _shown(path: Path) -> str:
    """A pack's path as messages name it: relative to the working directory when under it."""
    cwd = Path.cwd()
    return path.relative_to(cwd).as_posix() if path.is_relative_to(cwd) else str(path)


def _pack_path(entry: str, base: Path, where: str) -> Path:
    """A listed pack's file, which must lie inside the project root (the config's folder)."""
    if os.path.isabs(entry):
        raise ConfigError(f"{where}: {entry!r}: a rule pack is named relative to the config"
                          " file, not by an absolute path")
    root = base.resolve()
    path = (root / entry).resolve()
    if not path.is_relative_to(root):
        raise ConfigError(f"{where}: {entry!r} lies outside the project root {root}; keep"
                          " rule packs inside the project")
    if not path.is_file():
        raise ConfigError(f"{where}: {entry!r}: no such rule pack file")
    return path
