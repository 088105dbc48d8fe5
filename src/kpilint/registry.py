"""The rule registry: code <-> rule, indexed from the module names of :mod:`kpilint.rules`.

A rule module is named after its rule (``g101_too_many_kpis.py``: G101 ``too-many-kpis``), so the
registry knows every code and name without importing any rule module; a module is imported when
its rule is looked up, selected or run. ``tests/test_registry.py`` holds each module to its name.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kpilint import rules as rules_package
from kpilint.rule import FileRule, ProjectRule, Rule

UNSUPPRESSIBLE = frozenset({"E001", "X002"})
CODE_PATTERN = re.compile(r"^[A-Z][0-9]{3}$")


RULE_MODULE = re.compile(r"^([a-z][0-9]{3})_([a-z0-9_]+)$")
"""A rule module's file name: its code and its name (``g101_too_many_kpis``)."""


@dataclass(frozen=True, slots=True)
class RuleEntry:
    """A rule known by its code and name before its module is imported."""

    code: str
    name: str
    module: str
    rule: type[Rule] | None = None
    """A custom rule's class (pack and plugin rules are known once they are read)."""

    @classmethod
    def of(cls, rule: type[Rule]) -> RuleEntry:
        """The entry of a rule class already at hand (a pack or plugin rule)."""
        return cls(rule.code, rule.name, rule.__module__, rule)

    def load(self) -> type[Rule]:
        """The rule class (imports its module on first use)."""
        return self.rule or _load(self.module, self.code)


@functools.cache
def builtin_entries() -> tuple[RuleEntry, ...]:
    """The built-in rules, from the file names of :mod:`kpilint.rules` (``g101_too_many_kpis``:
    G101 too-many-kpis), sorted by code. The one place the built-in set is enumerated."""
    found: list[RuleEntry] = []
    for module_info in pkgutil.iter_modules(rules_package.__path__):
        match = RULE_MODULE.match(module_info.name)
        if match is not None:
            found.append(RuleEntry(match[1].upper(), match[2].replace("_", "-"),
                                   f"{rules_package.__name__}.{module_info.name}"))
    return tuple(sorted(found, key=lambda entry: entry.code))


def entries() -> tuple[RuleEntry, ...]:
    """Every built-in rule's entry, sorted by code, without importing any rule module."""
    return builtin_entries()


def known_entries() -> list[RuleEntry]:
    """Built-in rules and every custom rule known in this process (the installed plugins' and
    those of the packs read so far), sorted by code."""
    from kpilint.custom.plugins import plugin_rules

    plugin_rules()
    custom = {rule.code: RuleEntry.of(rule) for rule in _custom.values()}
    return sorted([*entries(), *custom.values()], key=lambda entry: entry.code)


@functools.cache
def _entries_by_key() -> dict[str, RuleEntry]:
    table: dict[str, RuleEntry] = {}
    for entry in entries():
        table[entry.code] = entry
        table[entry.name] = entry
    return table


@functools.cache
def _load(module_name: str, code: str) -> type[Rule]:
    module = importlib.import_module(module_name)
    for value in vars(module).values():
        if (isinstance(value, type) and issubclass(value, Rule)
                and value.__module__ == module.__name__ and vars(value).get("code") == code):
            return value
    raise LookupError(f"{module_name} defines no rule {code}")


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, sorted by code (imports every rule module)."""
    return tuple(entry.load() for entry in entries())


@functools.cache
def by_key() -> dict[str, type[Rule]]:
    """Rules addressable by code or by name."""
    return {key: entry.load() for key, entry in _entries_by_key().items()}


def entry_of(key: str) -> RuleEntry | None:
    """The entry of the rule named by a code (``G101``) or a name (``too-many-kpis``)."""
    return _entries_by_key().get(key.upper() if CODE_PATTERN.match(key.upper()) else key)


def lookup(key: str) -> type[Rule] | None:
    """The rule named by a code (``G101``) or a name (``too-many-kpis``)."""
    entry = entry_of(key)
    if entry is not None:
        return entry.load()
    return _custom_key(key)


def _custom_key(key: str) -> type[Rule] | None:
    return custom_lookup(key.upper() if CODE_PATTERN.match(key.upper()) else key)


def selector_codes(selector: str) -> list[str] | None:
    """The codes a selector names, without importing rule modules; None: it names no rule."""
    known = known_entries()
    if selector.upper() == "ALL":
        return [entry.code for entry in known]
    entry = entry_of(selector)
    if entry is not None:
        return [entry.code]
    rule = _custom_key(selector)
    if rule is not None:
        return [rule.code]
    prefix = selector.upper()
    if re.fullmatch(r"[A-Z][0-9]{0,3}", prefix):
        matched = [entry.code for entry in known if entry.code.startswith(prefix)]
        return matched or None
    return None


def expand_selector(selector: str) -> list[type[Rule]] | None:
    """Rules a selector names: ``ALL``, a code prefix (``G1``, ``S20``) or a rule name."""
    codes = selector_codes(selector)
    if codes is None:
        return None
    return [rule for rule in (lookup(code) for code in codes) if rule is not None]


def selector_suggestions() -> list[str]:
    return [key for entry in known_entries() for key in (entry.code, entry.name)]


def split_by_kind(
    rules: Iterable[type[Rule]],
) -> tuple[list[type[FileRule]], list[type[ProjectRule]]]:
    file_rules = [rule for rule in rules if issubclass(rule, FileRule)]
    project_rules = [rule for rule in rules if issubclass(rule, ProjectRule)]
    return file_rules, project_rules


# Custom rules (SPEC 10.7): the rules of plugins and of the rule packs read in this process,
# by code and by name. kpilint.custom adds them; a project's own rule set is
# kpilint.custom.active_entries (a pack read for another project is known here but not run there).
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
