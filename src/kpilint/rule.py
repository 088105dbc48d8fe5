"""What a rule is: metadata beside a check, as in ruff and yamllint.

A rule module under :mod:`kpilint.rules` defines one subclass of :class:`FileRule` (checks one
file's entities) or :class:`ProjectRule` (checks the project graph after every file is loaded).
The registry finds it; nothing else needs to change to add a rule.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from kpilint.diagnostics import Severity, Violation

if TYPE_CHECKING:
    from kpilint.build import SpecFile
    from kpilint.graph import ProjectGraph


@dataclass(frozen=True, slots=True)
class Option:
    """A rule option: its default, a JSON Schema for its value, and what it means."""

    default: Any
    schema: Mapping[str, Any]
    description: str


@dataclass(frozen=True, slots=True)
class Context:
    """Run-wide facts rules may use."""

    today: datetime.date = field(default_factory=datetime.date.today)


class Rule:
    """Base of all rules; subclasses set the class attributes and implement ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    options: ClassVar[Mapping[str, Option]] = {}

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        merged = {key: option.default for key, option in self.options.items()}
        merged.update(settings or {})
        self.settings: Mapping[str, Any] = merged

    def option(self, key: str) -> Any:
        return self.settings[key]


class FileRule(Rule):
    """A rule over one file: re-run only when that file changes."""

    def check(self, spec: SpecFile, context: Context) -> Iterable[Violation]:
        raise NotImplementedError


class ProjectRule(Rule):
    """A rule over the whole project graph: run after all files are loaded."""

    def check(self, graph: ProjectGraph, context: Context) -> Iterable[Violation]:
        raise NotImplementedError


class LoaderRule(FileRule):
    """A rule whose findings the loader makes (E001-E003); its check hands them over."""

    def check(self, spec: SpecFile, context: Context) -> Iterable[Violation]:
        return spec.violations_of(self.code)
