"""The project graph: every entity of every spec file as one directed graph, kept up to date.

Nodes are entity ids (the first definition in path then line order wins; later ones are E004).
Edges point from the supporting entity to what it supports (KPI -> KSF -> KGI, KPI -> KGI) with
``kind="supports"``, from a KPI to its counter KPI with ``kind="paired_with"``, and from a KGI to
each KPI term of its formula with ``kind="formula"``. References that name no entity, or one of the
wrong kind, get no edge: they are E005. "Reaches" follows supports edges only (``supports_graph``),
so a KPI named only in a formula still reaches no KGI.

The edges are kept as plain adjacency (:class:`_Edges`) that the rules' queries walk; the same
graph as a networkx ``DiGraph`` (:attr:`ProjectGraph.graph`, :attr:`ProjectGraph.supports_graph`)
is built from it when asked for (``kpilint graph`` does), so a check never pays for importing
networkx.

The graph is incremental: :meth:`ProjectGraph.replace_file` swaps one file's entities, re-resolves
only the references that name them, forgets only the reachability answers they can change, and
returns a :class:`GraphChange` saying which goals and entities the project rules must look at again.
Reachability (``kpis_reaching``, ``kgis_reached``) is computed per entity on demand and kept until a
change touches it. The server's hover, definition, references and completion ask this same graph.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping, ValuesView
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from kpilint.build import EntityRecord, SpecFile
from kpilint.diagnostics import Location, Related
from kpilint.formula import Formula, parse_or_error
from kpilint.load import ScalarNode
from kpilint.model import Entity, Kgi, Kpi, Ksf
from kpilint.suggestions import Suggester
from kpilint.summary import span_of

if TYPE_CHECKING:
    import networkx as nx

AnyRecord = EntityRecord[Entity]
FileKey = tuple[str, ...]
"""Orders files: the engine uses an absolute path's parts, so files sort as paths do."""

SUPPORTS = "supports"
PAIRED_WITH = "paired_with"
FORMULA = "formula"
ALL_KINDS = frozenset({"KGI", "KSF", "KPI"})
KGI = Kgi.kind
_PATH_LINE = attrgetter("path", "line")
"""Where an entity stands in the project, as reachability lists it (read in C)."""
ALLOWED_TARGETS: dict[tuple[str, str], frozenset[str]] = {
    ("KSF", SUPPORTS): frozenset({"KGI"}),
    ("KPI", SUPPORTS): frozenset({"KSF", "KGI"}),
    ("KPI", PAIRED_WITH): frozenset({"KPI"}),
    ("KGI", FORMULA): frozenset({"KPI"}),
}

_REFERENCE_FIELDS: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {
    kind: tuple((name, ALLOWED_TARGETS[(kind, name)]) for name in (SUPPORTS, PAIRED_WITH)
                if (kind, name) in ALLOWED_TARGETS)
    for kind in sorted(ALL_KINDS)}
"""Each kind's id fields, with the kinds they may name (the formula is read apart)."""
_FORMULA_TARGETS = ALLOWED_TARGETS[(KGI, FORMULA)]
_NONE_BROKEN: list[str] = []
"""No broken reference (never modified: a broken one makes a new list)."""


def _related(record: AnyRecord) -> Related:
    """An entity as a related location of a finding ("KPI 'leads'")."""
    return Related(record.at_entity(), f"{record.kind} '{record.id}'")


Place = Location | tuple[str, ScalarNode | list[int]]
"""Where a reference stands: a location, or its path and its value node (or, for an entity read
back from a summary, ``[line, column, end_line, end_column]``), made a location when asked for."""


_Named = tuple[AnyRecord, str, str, Place, str, frozenset[str], bool]
"""A reference as the graph makes it from its entity: the arguments of :class:`Reference`."""


class Reference:
    """One id named in a reference field of an entity."""

    __slots__ = ("_place", "allowed_kinds", "exact", "field", "field_path", "source", "target_id")

    def __init__(self, source: AnyRecord, field: str, target_id: str, place: Place,
                 field_path: str, allowed_kinds: frozenset[str], exact: bool = True) -> None:
        self.source = source
        self.field = field
        self.target_id = target_id
        self._place = place
        self.field_path = field_path
        self.allowed_kinds = allowed_kinds
        self.exact = exact
        """Whether ``location`` is exactly the id's text (a fix may replace it): false for a
        formula term inside a quoted or multi-line formula, located at the whole formula value."""

    @property
    def location(self) -> Location:
        """Where the id is named."""
        place = self._place
        if isinstance(place, Location):
            return place
        path, where = place
        span = where.span if isinstance(where, ScalarNode) else span_of(where)
        self._place = location = Location(str(path), span)
        return location


@dataclass(slots=True)
class GraphChange:
    """What one or more file replacements may have changed, for re-running project rules.

    ``goals``: KGIs whose tree (what reaches them, their formula terms) may differ. ``entities``:
    entities whose own definition, reach, direct neighbours or supporting siblings may differ.
    ``ids``: the ids defined in the replaced files, before or after.
    """

    ids: set[str] = field(default_factory=set)
    goals: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)
    structural: bool = False
    """Whether an entity came, went, moved or changed kind, or a reference changed."""
    fields: set[str] = field(default_factory=set)
    """The fields whose value or place changed (``scope``: the file's scope)."""

    def merge(self, other: GraphChange) -> None:
        self.ids |= other.ids
        self.goals |= other.goals
        self.entities |= other.entities
        self.structural |= other.structural
        self.fields |= other.fields


@dataclass(frozen=True, slots=True)
class KpiFacts:
    """What the project rules read of every KPI, gathered in one pass over the project's KPIs
    (:meth:`ProjectGraph.kpi_facts`) instead of one pass per rule; kept until a change. The
    lists run parallel to :attr:`ProjectGraph.kpis`, in project order (not to be modified)."""

    records: list[EntityRecord[Kpi]]
    reached: list[list[str]]
    """The ids of the KGIs each KPI reaches (``kgis_reached.ids``)."""
    deadlines: list[datetime.date | None]
    goal_deadlines: dict[str, datetime.date]
    """The deadline of each KGI that has one."""


RecordT = TypeVar("RecordT")


class _Reach(Generic[RecordT]):
    """Reachability per entity: the ids found on first use, kept until a change forgets them;
    each read maps them to the current definitions (an edit that moves no edge keeps them)."""

    def __init__(self, compute: Callable[[str], list[str]],
                 winners: dict[str, AnyRecord]) -> None:
        self.compute = compute
        self.winners = winners
        self.known: dict[str, list[str]] = {}

    def __getitem__(self, entity_id: str) -> list[RecordT]:
        return cast("list[RecordT]", list(map(self.winners.__getitem__, self.ids(entity_id))))

    def ids(self, entity_id: str) -> list[str]:
        """The ids reached, as found (not to be modified)."""
        ids = self.known.get(entity_id)
        if ids is None:
            ids = self.known[entity_id] = self.compute(entity_id)
        return ids

    def forget(self, ids: Iterable[str]) -> None:
        for entity_id in ids:
            self.known.pop(entity_id, None)


class ProjectGraph:
    """The graph of one project, built from its spec files and updated one file at a time."""

    def __init__(self, files: Iterable[SpecFile] = ()) -> None:
        self.edges = _Edges()
        self._networkx: dict[str, nx.DiGraph[str]] = {}
        self._files: dict[FileKey, SpecFile] = {}
        self._order: dict[AnyRecord, tuple[FileKey, int]] = {}
        self._definitions: dict[str, list[AnyRecord]] = {}
        self._winners: dict[str, AnyRecord] = {}
        self._with_broken: dict[str, list[str]] = {}
        """The ids of the entities with a reference that does not resolve (in the order found),
        with the ids those references name."""
        self._broken_to: dict[str, dict[str, None]] = {}
        """The same the other way: an id, and the entities naming it in a broken reference."""
        self._repeated: set[str] = set()  # ids defined more than once
        self._ordered: dict[str, AnyRecord] | None = None
        self._sorted_files: list[SpecFile] | None = None
        self._suggesters: dict[frozenset[str], Suggester] = {}
        self._by_kinds: dict[frozenset[str], list[AnyRecord]] = {}
        self._related: dict[AnyRecord, Related] = {}
        self._kpi_facts: KpiFacts | None = None
        self.kpis_reaching: _Reach[EntityRecord[Kpi]] = _Reach(self._kpis_reaching,
                                                                self._winners)
        """For each KGI id, the distinct KPIs that reach it (directly or via KSFs)."""
        self.kgis_reached: _Reach[EntityRecord[Kgi]] = _Reach(self._kgis_reached,
                                                               self._winners)
        """For each KPI or KSF id, the KGIs it reaches."""
        self.load_all(((f"{index:09d}",), spec) for index, spec in enumerate(files))

    # -- building and updating ------------------------------------------------------------------

    def load_all(self, files: Iterable[tuple[FileKey, SpecFile]]) -> None:
        """Add files to an empty graph in one pass: every entity first, then every reference.
        Files that come in key order with their entities in line order (the engine's) need no
        sorting: the first definition of each id comes first."""
        order, definitions, repeated = self._order, self._definitions, self._repeated
        in_order = True
        last: FileKey | None = None
        for key, spec in files:
            self._files[key] = spec
            if last is not None and not last < key:
                in_order = False
            last, before = key, 0
            for record in spec.entities:
                entity_id, line = record.id, record.line
                if line < before:
                    in_order = False
                before = line
                order[record] = (key, line)
                records = definitions.get(entity_id)
                if records is None:
                    definitions[entity_id] = [record]
                else:
                    records.append(record)
                    repeated.add(entity_id)
        if not in_order:
            for entity_id in repeated:
                definitions[entity_id].sort(key=order.__getitem__)
        ordered = {entity_id: definitions[entity_id][0] for entity_id in (
            definitions if in_order else self._in_file_order(definitions))}
        self._winners.update(ordered)
        self.edges.add_nodes(ordered)
        self._add_references(ordered.values())
        self._changed()
        self._ordered = ordered

    def replace_file(self, key: FileKey, spec: SpecFile | None) -> GraphChange:
        """Put ``spec`` in place of the file at ``key`` (None removes it); what may have changed."""
        old = self._files.pop(key, None)
        moves_edges = _shape(old) != _shape(spec)
        ids = {record.id for record in old.entities} if old else set()
        if spec is not None:
            ids |= {record.id for record in spec.entities}
        moved, edited = _edits(old, spec)
        change = GraphChange(ids=ids, structural=moves_edges or moved, fields=edited)
        before_goals, before_entities = self._neighbourhood(ids)
        change.goals |= before_goals
        change.entities |= before_entities
        for record in old.entities if old else ():
            records = self._definitions[record.id]
            records.remove(record)
            del self._order[record]
            if len(records) < 2:
                self._repeated.discard(record.id)
        if spec is not None:
            self._files[key] = spec
            for record in spec.entities:
                self._define(key, record)
                self._definitions[record.id].sort(key=self._order.__getitem__)
        self._changed()
        naming = self._referrers(sorted(ids))  # while the edges they name stand
        resolve: dict[str, None] = {}
        for entity_id, referrers in naming.items():
            self._replace_winner(entity_id)
            if entity_id in self._winners:
                resolve[entity_id] = None
            resolve.update(referrers)
        for source_id in resolve:
            self._remove_references(source_id)
        self._add_references([self._winners[source_id] for source_id in resolve
                              if source_id in self._winners])
        change.entities |= set(resolve)
        after_goals, after_entities = self._neighbourhood(ids)
        change.goals |= after_goals
        change.entities |= after_entities
        change.goals |= {entity_id for entity_id in resolve
                         if self._kind_of(entity_id) == Kgi.kind}
        self._changed()
        if moves_edges:
            self.kpis_reaching.forget(change.goals)
            self.kgis_reached.forget(change.entities)
        return change

    def _define(self, key: FileKey, record: AnyRecord) -> None:
        self._order[record] = (key, record.line)
        records = self._definitions.setdefault(record.id, [])
        records.append(record)
        if len(records) > 1:
            self._repeated.add(record.id)

    def _changed(self) -> None:
        self._ordered = None
        self._sorted_files = None
        self._suggesters.clear()
        self._by_kinds.clear()
        self._related.clear()
        self._kpi_facts = None
        self._networkx.clear()
        self.__dict__.pop("paired", None)

    def _replace_winner(self, entity_id: str) -> None:
        records = self._definitions.get(entity_id)
        if not records:
            self._definitions.pop(entity_id, None)
            self._winners.pop(entity_id, None)
            self._remove_references(entity_id)
            self.edges.remove_node(entity_id)
            return
        self._winners[entity_id] = records[0]
        self.edges.add_node(entity_id)

    def _neighbourhood(self, ids: set[str]) -> tuple[set[str], set[str]]:
        """Goals and entities whose findings may depend on the entities ``ids`` as they stand."""
        edges = self.edges
        present = [entity_id for entity_id in ids if entity_id in edges.succ]
        below: set[str] = set(present)
        above: set[str] = set(present)
        for entity_id in present:
            below |= edges.reach(entity_id, edges.succ)
            above |= edges.reach(entity_id, edges.pred)
        entities = above | below
        for entity_id in present:
            entities.update(edges.succ[entity_id])
            entities.update(edges.pred[entity_id])
            if self._kind_of(entity_id) == Kpi.kind:  # siblings: KPIs beside it under a target
                for target, kind in edges.succ[entity_id].items():
                    if kind == SUPPORTS:
                        entities.update(source for source, each in edges.pred[target].items()
                                        if each == SUPPORTS)
        goals = {entity_id for entity_id in below if self._kind_of(entity_id) == Kgi.kind}
        goals |= {source for entity_id in present for source in edges.pred[entity_id]
                  if self._kind_of(source) == Kgi.kind}
        return goals, entities

    def _kind_of(self, entity_id: str) -> str | None:
        record = self._winners.get(entity_id)
        return record.kind if record else None

    def _add_references(self, records: Iterable[AnyRecord]) -> None:
        """The edges of the ids each of ``records`` names (its references are made when asked
        for, :meth:`_named`, from the record: the winner of its id, whose edges these are)."""
        winners, succ, pred = self._winners, self.edges.succ, self.edges.pred
        with_broken, broken_to = self._with_broken, self._broken_to
        for record in records:  # 13,000 entities restored: one loop, its names read once
            source_id, kind = record.id, record.kind
            targets = succ[source_id]
            broken: list[str] = _NONE_BROKEN  # (most entities: no list of their own)
            for field_name, allowed in _REFERENCE_FIELDS.get(kind, ()):
                for target_id in record.reference_targets(field_name):
                    target = winners.get(target_id)  # self._resolves and edges.add_edge, inline
                    if target is not None and target.kind in allowed and target_id != source_id:
                        targets[target_id] = field_name
                        pred[target_id][source_id] = field_name
                    else:
                        broken = [*broken, target_id]
            if kind == KGI:
                for term in record.formula_terms():
                    target = winners.get(term)
                    if target is not None and target.kind in _FORMULA_TARGETS:
                        targets[term] = FORMULA
                        pred[term][source_id] = FORMULA
                    else:
                        broken = [*broken, term]
            if broken:
                with_broken[source_id] = broken
                for target_id in broken:
                    broken_to.setdefault(target_id, {})[source_id] = None

    @staticmethod
    def _named(record: AnyRecord) -> list[_Named]:
        """The references ``record`` makes (:data:`_Named`); each place stays its node
        (or stored span) until a location is asked for."""
        kind, path = record.kind, record.path
        references: list[_Named] = [
            (record, field_name, target_id, (path, where), field_path, allowed, True)
            for field_name, allowed in _REFERENCE_FIELDS.get(kind, ())
            for target_id, where, field_path in record.reference_places(field_name)]
        if kind == KGI:
            allowed = ALLOWED_TARGETS[(kind, FORMULA)]
            references.extend((record, FORMULA, term, place, FORMULA, allowed, exact)
                              for term, place, exact in record.formula_places())
        return references

    def _remove_references(self, source_id: str) -> None:
        for target_id in self._with_broken.pop(source_id, ()):
            naming = self._broken_to.get(target_id)
            if naming is not None:
                naming.pop(source_id, None)
                if not naming:
                    del self._broken_to[target_id]
        self.edges.remove_out_edges(source_id)

    def _referrers(self, target_ids: Iterable[str]) -> dict[str, dict[str, None]]:
        """For each id, the ids of the entities whose references name it, resolved or not (the
        edges into it, then the broken references naming it)."""
        pred, broken = self.edges.pred, self._broken_to
        found: dict[str, dict[str, None]] = {}
        for target_id in target_ids:
            referrers = found[target_id] = dict.fromkeys(pred.get(target_id, ()))
            referrers.update(broken.get(target_id, ()))
        return found

    def _resolves(self, named: _Named) -> bool:
        source, field_name, target_id, _, _, allowed, _ = named
        target = self._winners.get(target_id)
        return (target is not None and target.kind in allowed
                and (field_name == FORMULA or target_id != source.id))

    # -- what rules and the server read ---------------------------------------------------------

    @property
    def files(self) -> list[SpecFile]:
        """The files in path order."""
        if self._sorted_files is None:
            self._sorted_files = [self._files[key] for key in sorted(self._files)]
        return self._sorted_files

    @property
    def entities(self) -> Mapping[str, AnyRecord]:
        """The first definition of each id; iterated in path then line order."""
        return _Entities(self)

    def ordered_entities(self) -> dict[str, AnyRecord]:
        """The first definition of each id, in path then line order (kept until a change)."""
        if self._ordered is None:
            self._ordered = {entity_id: self._winners[entity_id]
                             for entity_id in self._in_file_order(self._winners)}
        return self._ordered

    def _in_file_order(self, ids: Iterable[str]) -> list[str]:
        return sorted(ids, key=lambda entity_id: self._order[self._definitions[entity_id][0]])

    def as_related(self, records: Iterable[AnyRecord]) -> tuple[Related, ...]:
        """Entities as related locations of a finding ("KPI 'leads'"), each made once until a
        change (the goal rules name the same KPIs, thousands under a large goal)."""
        known = self._related
        found = []
        for record in records:
            related = known.get(record)
            if related is None:
                related = known[record] = _related(record)
            found.append(related)
        return tuple(found)

    def definitions(self, entity_id: str) -> list[AnyRecord]:
        """Every definition of an id, in path then line order (more than one is E004)."""
        return list(self._definitions.get(entity_id, ()))

    @property
    def duplicates(self) -> list[tuple[AnyRecord, AnyRecord]]:
        """(later definition, first definition) for each repeated id, in path then line order."""
        pairs = [(record, records[0]) for records in map(self._definitions.__getitem__,
                                                          self._repeated)
                 for record in records[1:]]
        return sorted(pairs, key=lambda pair: self._order[pair[0]])

    @property
    def references(self) -> list[Reference]:
        """Every reference of the project, in the order of the entities that make them."""
        return [Reference(*named) for record in self.ordered_entities().values()
                for named in self._named(record)]

    def references_of(self, entity_id: str) -> list[Reference]:
        """The references the entity ``entity_id`` makes."""
        record = self._winners.get(entity_id)
        return [] if record is None else [Reference(*named) for named in self._named(record)]

    def references_to(self, entity_id: str) -> list[Reference]:
        """Every reference naming ``entity_id`` (resolved or not), in entity order."""
        sources = self._in_file_order(self._referrers((entity_id,))[entity_id])
        return [Reference(*named) for source in sources
                for named in self._named(self._winners[source]) if named[2] == entity_id]

    @property
    def broken(self) -> list[Reference]:
        """References that name no entity of an allowed kind (E005), in entity order."""
        return [Reference(*named) for source in self._in_file_order(self._with_broken)
                for named in self._named(self._winners[source]) if not self._resolves(named)]

    @property
    def formulas(self) -> dict[str, Formula]:
        """Each KGI's parsed formula (a formula that does not parse, T401, is left out)."""
        return _FormulaView(self)

    def formula(self, kgi_id: str) -> Formula | None:
        record = self._winners.get(kgi_id)
        if record is None or not isinstance(record.model, Kgi) or record.model.formula is None:
            return None
        formula = parse_or_error(record.model.formula)
        return formula if isinstance(formula, Formula) else None

    def formula_terms(self, kgi_id: str) -> list[EntityRecord[Kpi]] | None:
        """The KPI of each id term of the KGI's formula, in reading order (repeats kept); None
        when the KGI has no parsed formula or a term is not a KPI (that is E005)."""
        formula = self.formula(kgi_id)
        if formula is None:
            return None
        records = [self._winners.get(token.text) for token in formula.terms]
        if any(record is None or record.kind != Kpi.kind for record in records):
            return None
        return cast(list[EntityRecord[Kpi]], records)

    def suggester(self, kinds: frozenset[str]) -> Suggester:
        """"Did you mean" over the ids of entities of ``kinds``, in path then line order (kept
        until a change)."""
        found = self._suggesters.get(kinds)
        if found is None:
            found = self._suggesters[kinds] = Suggester(
                [record.id for record in self._of_kinds(kinds)])
        return found

    def of_kinds(self, kinds: Iterable[str]) -> list[AnyRecord]:
        """Entities of the given kinds, in path then line order."""
        return list(self._of_kinds(frozenset(kinds)))

    def _of_kinds(self, kinds: frozenset[str]) -> list[AnyRecord]:
        """The list behind :meth:`of_kinds`, kept until a change (not to be modified)."""
        found = self._by_kinds.get(kinds)
        if found is None:
            found = self._by_kinds[kinds] = [record for record in
                                             self.ordered_entities().values()
                                             if record.kind in kinds]
        return found

    def of_kind(self, kind: str) -> list[AnyRecord]:
        """Entities of one kind, in path then line order."""
        return self.of_kinds((kind,))

    @property
    def kgis(self) -> list[EntityRecord[Kgi]]:
        return cast(list[EntityRecord[Kgi]], self.of_kind(Kgi.kind))

    @property
    def ksfs(self) -> list[EntityRecord[Ksf]]:
        return cast(list[EntityRecord[Ksf]], self.of_kind(Ksf.kind))

    @property
    def kpis(self) -> list[EntityRecord[Kpi]]:
        return cast(list[EntityRecord[Kpi]], self.of_kind(Kpi.kind))

    def kpi_facts(self) -> KpiFacts:
        """Every KPI's reach and deadline, and every KGI's deadline, kept until a change."""
        facts = self._kpi_facts
        if facts is None:
            records = self.kpis
            reached = list(map(self.kgis_reached.ids, [record.id for record in records]))
            deadlines = [record.model.deadline for record in records]
            goal_deadlines = {kgi.id: kgi.model.deadline for kgi in self.kgis
                              if kgi.model.deadline is not None}
            facts = self._kpi_facts = KpiFacts(records, reached, deadlines, goal_deadlines)
        return facts

    def _kpis_reaching(self, kgi_id: str) -> list[str]:
        if kgi_id not in self.edges.pred:
            return []
        return [record.id for record in self._in_order(
            self.edges.reach(kgi_id, self.edges.pred), Kpi.kind)]

    def reach_every_goal(self) -> None:
        """Find every KGI's KPIs (``kpis_reaching``) at once when none is known yet, for a run
        that asks about every goal: from each KPI's reach, in one pass over the KPIs in path
        then line order (the order a search's answer is sorted in), instead of one search per
        KGI. A change asks about a few goals, and searches from each."""
        known = self.kpis_reaching.known
        if known:
            return
        for kgi in self.kgis:
            known[kgi.id] = []
        found, compute = self.kgis_reached.known, self._kgis_reached
        for record in sorted(self.kpis, key=_PATH_LINE):  # kgis_reached.ids, inline
            kpi_id = record.id
            reached = found.get(kpi_id)
            if reached is None:
                reached = found[kpi_id] = compute(kpi_id)
            for kgi_id in reached:
                known[kgi_id].append(kpi_id)

    def _kgis_reached(self, entity_id: str) -> list[str]:
        """Composed from what it supports: supports edges only go KPI -> KSF -> KGI and
        KPI -> KGI (``ALLOWED_TARGETS``), so there is no cycle, a KGI reaches nothing, and a
        KPI's answer reuses its KSFs' (a change that moves an edge forgets every entity above
        it too)."""
        targets = self.edges.succ.get(entity_id)
        if not targets:
            return []
        if len(targets) == 1:  # most entities support one thing: its answer, without sorting
            target, kind = next(iter(targets.items()))
            if kind != SUPPORTS:
                return []
            if self._winners[target].kind == KGI:
                return [target]
            return self.kgis_reached.ids(target)  # the KGIs above a KSF (not to be modified)
        reached: set[str] = set()
        for target, kind in targets.items():
            if kind == SUPPORTS:
                reached.add(target)
                reached.update(self.kgis_reached.ids(target))
        return [record.id for record in self._in_order(reached, Kgi.kind)]

    @functools.cached_property
    def paired(self) -> frozenset[str]:
        """KPIs at either end of a `paired_with` edge: pairing is symmetric."""
        paired: set[str] = set()
        for source, targets in self.edges.succ.items():
            if PAIRED_WITH in targets.values():  # read in C: few entities are paired
                paired.add(source)
                paired.update(target for target, kind in targets.items() if kind == PAIRED_WITH)
        return frozenset(paired)

    @property
    def graph(self) -> nx.DiGraph[str]:
        """The project as a networkx DiGraph: a node per id (``kind`` and ``record``
        attributes), an edge per resolved reference (``kind``: supports, paired_with, formula).
        Built on first use after a change, so that a run that never asks imports no networkx."""
        return self._as_networkx(supports_only=False)

    @property
    def supports_graph(self) -> nx.DiGraph[str]:
        """The same nodes with the supports edges only (what "reaches" follows)."""
        return self._as_networkx(supports_only=True)

    def _as_networkx(self, supports_only: bool) -> nx.DiGraph[str]:
        key = SUPPORTS if supports_only else "all"
        built = self._networkx.get(key)
        if built is None:
            import networkx

            built = self._networkx[key] = networkx.DiGraph()
            for node in self.edges.succ:
                if supports_only:
                    built.add_node(node)
                else:
                    winner = self._winners[node]
                    built.add_node(node, kind=winner.kind, record=winner)
            for source, targets in self.edges.succ.items():
                for target, kind in targets.items():
                    if supports_only and kind == SUPPORTS:
                        built.add_edge(source, target)
                    elif not supports_only:
                        built.add_edge(source, target, kind=kind)
        return built

    def _in_order(self, ids: Iterable[str], kind: str) -> list[AnyRecord]:
        """The entities of ``kind`` among ``ids``, in path then line order."""
        winners = self._winners
        records = [record for record in map(winners.__getitem__, ids) if record.kind == kind]
        if len(records) > 1:
            records.sort(key=_PATH_LINE)
        return records

    def supports(self, source_id: str, target_id: str) -> bool:
        """Whether ``source_id`` has a resolved supports edge to ``target_id``."""
        return self.edges.succ.get(source_id, {}).get(target_id) == SUPPORTS

    def supporters(self, entity_id: str, kind: str) -> list[AnyRecord]:
        """Entities of ``kind`` with a supports edge straight into ``entity_id``, in path then
        line order."""
        if entity_id not in self.edges.pred:
            return []
        found = [self._winners[source] for source, each in self.edges.pred[entity_id].items()
                 if each == SUPPORTS and self._winners[source].kind == kind]
        if len(found) > 1:
            found.sort(key=self._order.__getitem__)
        return found

    def is_supported(self, entity_id: str, kind: str) -> bool:
        """Whether an entity of ``kind`` has a supports edge straight into ``entity_id``."""
        winners = self._winners
        return any(each == SUPPORTS and winners[source].kind == kind
                   for source, each in self.edges.pred.get(entity_id, {}).items())


def _shape(spec: SpecFile | None) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """What of a file decides edges and reachability order: its entities in line order, with
    their kinds and the ids each names (an edit of other fields leaves it unchanged)."""
    if spec is None:
        return []
    return [(record.id, record.kind, [
        *((name, target) for name in (SUPPORTS, PAIRED_WITH) if record.has_references(name)
          for target, _, _ in record.reference_locations(name)),
        *((FORMULA, term) for term, _, _ in record.formula_references())])
        for record in sorted(spec.entities, key=lambda each: each.line)]


def _edits(old: SpecFile | None, new: SpecFile | None) -> tuple[bool, set[str]]:
    """Whether the file's entities came, went or moved; else the fields whose value or place
    changed."""
    if old is None or new is None:
        return True, set()
    before = sorted(old.entities, key=lambda record: record.line)
    after = sorted(new.entities, key=lambda record: record.line)
    if [(each.id, each.kind, each.at_entity()) for each in before] != [
            (each.id, each.kind, each.at_entity()) for each in after]:
        return True, set()
    edited: set[str] = set()
    old_lines, new_lines = old.text.split("\n"), new.text.split("\n")
    for first, second in zip(before, after, strict=True):
        if first.scope != second.scope:
            edited.add("scope")
        if first.node.span == second.node.span and _same_text(first, old_lines, second,
                                                             new_lines):
            continue  # same text at the same place: every field's value and place are too
        for name in type(first.model).model_fields:
            if (getattr(first.model, name) != getattr(second.model, name)
                    or first.at_field(name) != second.at_field(name)):
                edited.add(name)
        edited |= first.invalid ^ second.invalid
    return False, edited


def _same_text(first: AnyRecord, old_lines: list[str], second: AnyRecord,
               new_lines: list[str]) -> bool:
    """Whether the lines of two entities read the same, with nothing that could draw a value
    from elsewhere in the file (an alias ``*``, a tag ``!``)."""
    span = first.node.span
    text = old_lines[span.line - 1:span.end_line]
    return (text == new_lines[span.line - 1:span.end_line]
            and not any("*" in line or "!" in line for line in text))


class _Edges:
    """The resolved references as adjacency both ways: ``succ[source][target]`` and
    ``pred[target][source]`` are the edge's kind; every entity id is a key of both (in the order
    entities were added, as networkx keeps nodes). The rules' queries walk it directly; the
    networkx view (:attr:`ProjectGraph.graph`) is built from it on demand."""

    def __init__(self) -> None:
        self.succ: dict[str, dict[str, str]] = {}
        self.pred: dict[str, dict[str, str]] = {}

    def add_node(self, node: str) -> None:
        self.succ.setdefault(node, {})
        self.pred.setdefault(node, {})

    def add_nodes(self, nodes: Iterable[str]) -> None:
        """Add nodes that are not in the graph yet."""
        succ, pred = self.succ, self.pred
        for node in nodes:
            succ[node] = {}
            pred[node] = {}

    def remove_node(self, node: str) -> None:
        for target in self.succ.pop(node, {}):
            self.pred[target].pop(node, None)
        for source in self.pred.pop(node, {}):
            self.succ[source].pop(node, None)

    def remove_out_edges(self, source: str) -> None:
        targets = self.succ.get(source)
        if targets:
            for target in targets:
                self.pred[target].pop(source, None)
            targets.clear()

    @staticmethod
    def reach(node: str, adjacency: dict[str, dict[str, str]]) -> set[str]:
        """The nodes ``node`` reaches over supports edges of ``adjacency`` (``succ``: what it
        supports, ``pred``: what supports it), itself excluded."""
        seen: set[str] = set()
        stack = [node]
        while stack:
            for neighbour, kind in adjacency[stack.pop()].items():
                if kind == SUPPORTS and neighbour not in seen:
                    seen.add(neighbour)
                    stack.append(neighbour)
        seen.discard(node)
        return seen


class _Entities(Mapping[str, AnyRecord]):
    """``graph.entities``: looking an id up costs nothing; iterating sorts once per change."""

    def __init__(self, graph: ProjectGraph) -> None:
        self.graph = graph

    def __getitem__(self, entity_id: str) -> AnyRecord:
        return self.graph._winners[entity_id]

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.graph._winners

    def __len__(self) -> int:
        return len(self.graph._winners)

    def __iter__(self) -> Iterator[str]:
        return iter(self.graph.ordered_entities())

    def values(self) -> ValuesView[AnyRecord]:
        return self.graph.ordered_entities().values()

    def items(self) -> ItemsView[str, AnyRecord]:
        return self.graph.ordered_entities().items()


class _FormulaView(dict[str, Formula]):
    """``graph.formulas``: the parsed formula of each KGI, read through on demand."""

    def __init__(self, graph: ProjectGraph) -> None:
        super().__init__()
        self.graph = graph

    def get(self, kgi_id: str, default: Formula | None = None) -> Formula | None:  # type: ignore[override]
        return self.graph.formula(kgi_id) or default

    def __getitem__(self, kgi_id: str) -> Formula:
        formula = self.graph.formula(kgi_id)
        if formula is None:
            raise KeyError(kgi_id)
        return formula

    def __contains__(self, kgi_id: object) -> bool:
        return isinstance(kgi_id, str) and self.graph.formula(kgi_id) is not None
