"""The rule registry: code <-> rule, built from the modules of :mod:`kpilint.rules`."""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from collections.abc import Iterable

from kpilint import rules as rules_package
from kpilint.rule import FileRule, ProjectRule, Rule

UNSUPPRESSIBLE = frozenset({"E001", "X002"})
CODE_PATTERN = re.compile(r"^[A-Z][0-9]{3}$")


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, sorted by code."""
    found: dict[str, type[Rule]] = {}
    for module_info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{module_info.name}")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, Rule)
                    and value.__module__ == module.__name__ and "code" in vars(value)):
                found[value.code] = value
    return tuple(found[code] for code in sorted(found))


@functools.cache
def by_key() -> dict[str, type[Rule]]:
    """Rules addressable by code or by name."""
    table: dict[str, type[Rule]] = {}
    for rule in all_rules():
        table[rule.code] = rule
        table[rule.name] = rule
    return table


def lookup(key: str) -> type[Rule] | None:
    """The rule named by a code (``G101``) or a name (``too-many-kpis``)."""
    key = key.upper() if CODE_PATTERN.match(key.upper()) else key
    return by_key().get(key) or custom_lookup(key)


def expand_selector(selector: str) -> list[type[Rule]] | None:
    """Rules a selector names: ``ALL``, a code prefix (``G1``, ``S20``) or a rule name."""
    if selector.upper() == "ALL":
        return list(known_rules())
    rule = lookup(selector)
    if rule is not None:
        return [rule]
    prefix = selector.upper()
    if re.fullmatch(r"[A-Z][0-9]{0,3}", prefix):
        matched = [rule for rule in known_rules() if rule.code.startswith(prefix)]
        return matched or None
    return None


def selector_suggestions() -> list[str]:
    return [key for rule in known_rules() for key in (rule.code, rule.name)]


def split_by_kind(
    rules: Iterable[type[Rule]],
) -> tuple[list[type[FileRule]], list[type[ProjectRule]]]:
    file_rules = [rule for rule in rules if issubclass(rule, FileRule)]
    project_rules = [rule for rule in rules if issubclass(rule, ProjectRule)]
    return file_rules, project_rules


# Custom rules (SPEC 10.7): the rules of plugins and of the rule packs read in this process,
# by code and by name. kpilint.custom adds them; a project's own rule set is
# kpilint.custom.active_rules (a pack read for another project is known here but not run there).
_custom: dict[str, type[Rule]] = {}


def add_custom_rules(rules: Iterable[type[Rule]]) -> None:
    """Make pack or plugin rules addressable (selectors, suppressions, ``kpilint rule``)."""
    for rule in rules:
        _custom[rule.code] = rule
        _custom[rule.name] = rule


def custom_lookup(key: str) -> type[Rule] | None:
    """A plugin or pack rule named by code or name."""
    from kpilint.custom.plugins import plugin_rules

    plugin_rules()
    return _custom.get(key)


def known_rules() -> list[type[Rule]]:
    """Built-in rules and every custom rule known in this process, sorted by code."""
    from kpilint.custom.plugins import plugin_rules

    plugin_rules()
    custom = {rule.code: rule for rule in _custom.values()}
    return sorted([*all_rules(), *custom.values()], key=lambda rule: rule.code)
