"""What a rule is: metadata beside a check, as in ruff and yamllint.

A rule module under :mod:`kpilint.rules` defines one subclass of :class:`FileRule` (checks one
file's entities) or :class:`ProjectRule` (checks the project graph after every file is loaded).
The registry finds it; nothing else needs to change to add a rule.
"""

from __future__ import annotations

import datetime
import enum
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

from kpilint.diagnostics import Severity, Violation

if TYPE_CHECKING:
    from kpilint.build import EntityRecord, SpecFile
    from kpilint.dbt import DbtProject
    from kpilint.graph import ProjectGraph
    from kpilint.model import Entity, Kgi, Kpi


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


MEASURED = "measured"
"""The key of :func:`measured_entities`' list among a file's lists by kind."""


class _LastFile:
    """The entities by kind of the file whose rules run now: made once for every rule that asks
    (file rules run one file at a time; a file's entities do not change once built)."""

    __slots__ = ("lists", "spec")

    def __init__(self, spec: SpecFile | None, lists: dict[str, list[EntityRecord[Entity]]]) -> None:
        self.spec = spec
        self.lists = lists


_last_file = [_LastFile(None, {})]


def entities_by_kind(spec: SpecFile) -> dict[str, list[EntityRecord[Entity]]]:
    """A file's entities per kind ("KPI", ...; :data:`MEASURED`: KGIs and KPIs), each in file
    order (not to be modified)."""
    last = _last_file[0]
    if last.spec is spec:
        return last.lists
    lists: dict[str, list[EntityRecord[Entity]]] = {"KGI": [], "KSF": [], "KPI": [], MEASURED: []}
    for record in spec.entities:
        lists.setdefault(record.kind, []).append(record)
        if record.kind in MEASURED_KINDS:
            lists[MEASURED].append(record)
    _last_file[0] = _LastFile(spec, lists)
    return lists


def entities_of_kinds(spec: SpecFile, kinds: tuple[str, ...]) -> list[EntityRecord[Entity]]:
    """A file's entities of ``kinds``, in file order (not to be modified)."""
    key = _list_of(kinds)
    if key is None:
        return [record for record in spec.entities if record.kind in kinds]
    last = _last_file[0]  # entities_by_kind's answer, without its call when it is known
    return (last.lists if last.spec is spec else entities_by_kind(spec)).get(key, [])


@functools.cache
def _list_of(kinds: tuple[str, ...]) -> str | None:
    """The key of the list of :func:`entities_by_kind` that holds the entities of ``kinds``."""
    wanted = frozenset(kinds)
    if len(wanted) == 1:
        return next(iter(wanted))
    return MEASURED if wanted == MEASURED_KINDS else None


def measured_entities(spec: SpecFile) -> list[EntityRecord[Entity]]:
    """A file's KGIs and KPIs, in file order: the entities a rule about values reads (asking a
    KSF for a field it lacks would only say None, more slowly). Not to be modified."""
    last = _last_file[0]
    return (last.lists if last.spec is spec else entities_by_kind(spec))[MEASURED]


def kpis_of(spec: SpecFile) -> list[EntityRecord[Kpi]]:
    """A file's KPIs, in file order (``spec.entities_of(Kpi)``, made once; not to be
    modified)."""
    last = _last_file[0]
    return cast("list[EntityRecord[Kpi]]",
                (last.lists if last.spec is spec else entities_by_kind(spec))["KPI"])


def kgis_of(spec: SpecFile) -> list[EntityRecord[Kgi]]:
    """A file's KGIs, in file order (not to be modified)."""
    return cast("list[EntityRecord[Kgi]]", entities_by_kind(spec)["KGI"])


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
        """The entities a whole run checks one at a time, in path then line order (a change
        checks the units it reaches); a rule may narrow it to the units that can have a
        finding."""
        if self.effective_scope is Scope.GOAL:
            graph.reach_every_goal()  # every goal's KPIs are about to be asked for
            return graph.of_kinds(("KGI",))
        return graph.of_kinds(self.kinds)

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
