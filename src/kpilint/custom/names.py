"""Codes and names are unique across built-in rules, plugins and packs (SPEC 10.7)."""

from __future__ import annotations

from kpilint import registry
from kpilint.config import ConfigError
from kpilint.rule import Rule


class TakenNames:
    """The codes and names taken so far, each with how an error names the rule holding it."""

    def __init__(self) -> None:
        self.owners = {key: f"built-in rule {rule.code} ({rule.name})"
                       for rule in registry.entries() for key in (rule.code, rule.name)}

    def claim(self, rule: type[Rule], owner: str, where: str,
              error: type[ConfigError] = ConfigError) -> None:
        """Take ``rule``'s code and name for ``owner``; a clash raises ``error`` naming both."""
        for key in (rule.code, rule.name):
            if key in self.owners:
                raise error(f"{where}: rule {rule.code} ({rule.name}): {key!r} clashes with"
                            f" {self.owners[key]}: codes and names must be unique")
        for key in (rule.code, rule.name):
            self.owners[key] = owner
