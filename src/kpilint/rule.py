"""What a rule is: metadata beside a check, as in ruff and yamllint.

A rule module under :mod:`kpilint.rules` defines one subclass of :class:`FileRule` (checks one
file's entities) or :class:`ProjectRule` (checks the project graph after every file is loaded).
The registry finds it; nothing else needs to change to add a rule.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from kpilint.diagnostics import Severity, Violation

if TYPE_CHECKING:
    from kpilint.build import EntityRecord, SpecFile
    from kpilint.dbt import DbtProject
    from kpilint.graph import ProjectGraph
    from kpilint.model import Entity


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
    dbt: DbtProject | None = None
    """The dbt project whose metrics `source: dbt:<metric>` names (SPEC 10.6)."""


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


MEASURED_KINDS = frozenset({"KGI", "KPI"})
"""The kinds of entity that have values: a unit, baseline, target, actual, direction, deadline,
cadence, source, last review (a KSF has none of them)."""


def measured_entities(spec: SpecFile) -> list[EntityRecord[Entity]]:
    """A file's KGIs and KPIs, in file order: the entities a rule about values reads (asking a
    KSF for a field it lacks would only say None, more slowly)."""
    return [record for record in spec.entities if record.kind in MEASURED_KINDS]


class Scope(enum.Enum):
    """What a project rule's findings depend on, so a change re-runs it only where needed.

    - ``GOAL``: one KGI at a time (:meth:`ProjectRule.check_unit` gets the KGI); its findings may
      read the KGI, every entity that reaches it, and its formula terms.
    - ``ENTITY``: one entity of the rule's ``kinds`` at a time; its findings may read the entity,
      what it reaches, its direct neighbours (either edge direction, any edge kind), and the other
      supporters of what a KPI supports (its siblings).
    - ``PROJECT``: the whole project; re-run on every change, so it must stay near-linear.
    """

    GOAL = "goal"
    ENTITY = "entity"
    PROJECT = "project"


class ProjectRule(Rule):
    """A rule over the project graph: run after all files are loaded.

    A ``GOAL`` or ``ENTITY`` rule implements :meth:`check_unit`; a ``PROJECT`` rule overrides
    :meth:`check`.
    """

    scope: ClassVar[Scope] = Scope.PROJECT
    kinds: ClassVar[tuple[str, ...]] = ("KGI", "KSF", "KPI")
    """For ``ENTITY`` rules: the kinds of entity it checks."""
    dialects: bool = False
    """Set when the project reads files in a dialect (SPEC 10.5), which may widen the scope."""
    reads: ClassVar[frozenset[str] | None] = None
    """The entity fields its findings depend on (any scope), besides ids, kinds, references
    and where entities and those fields stand (``scope``: the file's scope). A change that
    edits none of them (and moves nothing) keeps its findings; None: any field, so every
    change re-runs it where it reaches."""

    @property
    def effective_scope(self) -> Scope:
        """The scope with these settings (an option may widen it to the project)."""
        return self.scope

    def units(self, graph: ProjectGraph) -> list[EntityRecord[Entity]]:
        """The entities checked one at a time, in path then line order."""
        wanted = ("KGI",) if self.effective_scope is Scope.GOAL else self.kinds
        return graph.of_kinds(wanted)

    def check(self, graph: ProjectGraph, context: Context) -> Iterable[Violation]:
        for record in self.units(graph):
            yield from self.check_unit(graph, record, context)

    def check_unit(self, graph: ProjectGraph, record: EntityRecord[Entity],
                   context: Context) -> Iterable[Violation]:
        raise NotImplementedError


class LoaderRule(FileRule):
    """A rule whose findings the loader makes (E001-E003); its check hands them over."""

    def check(self, spec: SpecFile, context: Context) -> Iterable[Violation]:
        return spec.violations_of(self.code)
