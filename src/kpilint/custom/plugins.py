"""Python plugins (SPEC 10.7): rule classes registered in the entry-point group ``kpilint.rules``.

A distribution declares, in its ``pyproject.toml``::

    [project.entry-points."kpilint.rules"]
    team-prefix = "kpilint_acme.rules:TeamPrefix"

and each entry point names a :class:`~kpilint.rule.FileRule` or :class:`~kpilint.rule.ProjectRule`
subclass with ``code``, ``name``, ``severity`` and ``summary``. Entry points are read once per
process, on first use (a run that needs no rule never scans the installed distributions).
"""

from __future__ import annotations

import functools
import os
import re
import sys
from dataclasses import dataclass
from importlib.machinery import PathFinder
from typing import TYPE_CHECKING

from kpilint.config import ConfigError
from kpilint.diagnostics import Severity
from kpilint.rule import FileRule, LoaderRule, ProjectRule, Rule

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "kpilint.rules"
CODE = re.compile(r"^[A-Z][0-9]{3}$")
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class PluginError(ConfigError):
    """A plugin that cannot be used; the message names the entry point and its distribution."""


@dataclass(frozen=True, slots=True)
class Plugin:
    """One entry point of the group, and the distribution that installed it."""

    name: str
    value: str
    distribution: str
    version: str

    @property
    def origin(self) -> str:
        return f"plugin {self.name} = {self.value} ({self.distribution} {self.version})"


def _may_declare_plugins() -> bool:
    """False when no distribution on ``sys.path`` can declare the group: no ``entry_points.txt``
    of a ``*.dist-info`` or ``*.egg-info`` folder (or an ``.egg`` folder's ``EGG-INFO``, where
    :mod:`importlib.metadata` looks too) names it. True when unsure (a zip file on the
    path, another finder of distributions): :mod:`importlib.metadata` reads them then. Importing
    it, with the ``email`` package it loads, is several percent of a one-file run."""
    if any(hasattr(finder, "find_distributions") and finder is not PathFinder
           for finder in sys.meta_path):
        return True
    for entry in sys.path:
        folder = entry or "."
        if os.path.isfile(folder):
            return True
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        egg = folder.endswith(".egg")
        for name in names:
            low = name.lower()
            if (low.endswith((".dist-info", ".egg-info")) or (egg and low == "egg-info")) and (
                    GROUP.encode() in _read(os.path.join(folder, name, "entry_points.txt"))):
                return True
    return False


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


@functools.cache
def installed_plugins() -> tuple[tuple[Plugin, EntryPoint], ...]:
    """The group's entry points, in a stable order, without importing them."""
    if not _may_declare_plugins():
        return ()
    from importlib import metadata

    found = []
    for entry_point in metadata.entry_points(group=GROUP):
        dist = entry_point.dist
        found.append((Plugin(entry_point.name, entry_point.value,
                             dist.metadata["Name"] if dist else "?",
                             dist.version if dist else "?"), entry_point))
    return tuple(sorted(found, key=lambda pair: (pair[0].name, pair[0].value)))


def plugin_versions() -> list[str]:
    """Each installed plugin as one line (entry point, distribution, version): a cache key."""
    return [f"{plugin.name}={plugin.value} {plugin.distribution} {plugin.version}"
            for plugin, _ in installed_plugins()]


@functools.cache
def plugin_rules() -> tuple[type[Rule], ...]:
    """The rule classes of every installed plugin; a bad plugin or a clash is a
    :class:`PluginError`."""
    from kpilint import registry
    from kpilint.custom.names import TakenNames

    taken = TakenNames()
    rules: list[type[Rule]] = []
    for plugin, entry_point in installed_plugins():
        rule = _load(plugin, entry_point)
        taken.claim(rule, f"rule {rule.code} ({rule.name}) of {plugin.origin}", plugin.origin,
                    PluginError)
        rules.append(rule)
    registry.add_custom_rules(rules)
    return tuple(rules)


def _load(plugin: Plugin, entry_point: EntryPoint) -> type[Rule]:
    """The rule class an entry point names, checked."""
    try:
        value = entry_point.load()
    except Exception as error:  # a plugin's import may fail in any way
        raise PluginError(f"{plugin.origin}: cannot be imported: {type(error).__name__}:"
                          f" {error}") from None
    if not (isinstance(value, type) and issubclass(value, (FileRule, ProjectRule))
            and not issubclass(value, LoaderRule)):
        raise PluginError(f"{plugin.origin}: not a subclass of kpilint.rule.FileRule or"
                          " kpilint.rule.ProjectRule")
    problems = [
        "`code` must be a capital letter and three digits (e.g. P901)"
        if not isinstance(getattr(value, "code", None), str) or not CODE.match(value.code)
        else "",
        "`name` must be a kebab-case name (e.g. team-prefix)"
        if not isinstance(getattr(value, "name", None), str) or not NAME.match(value.name)
        else "",
        "`severity` must be a kpilint.diagnostics.Severity"
        if not isinstance(getattr(value, "severity", None), Severity) else "",
        "`summary` must be a string" if not isinstance(getattr(value, "summary", None), str)
        else "",
    ]
    problem = next((each for each in problems if each), None)
    if problem:
        raise PluginError(f"{plugin.origin}: {problem}")
    return value
