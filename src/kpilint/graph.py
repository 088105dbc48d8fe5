"""The project graph: every entity of every spec file as one networkx DiGraph.

Nodes are entity ids (the first definition wins; later ones are E004). Edges point from the
supporting entity to what it supports (KPI -> KSF -> KGI, KPI -> KGI) with ``kind="supports"``,
from a KPI to its counter KPI with ``kind="paired_with"``, and from a KGI to each KPI term of its
formula with ``kind="formula"``. References that name no entity, or one of the wrong kind, get no
edge: they are E005. "Reaches" follows supports edges only (``supports_graph``), so a KPI named only
in a formula still reaches no KGI.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import networkx as nx

from kpilint.build import EntityRecord, SpecFile
from kpilint.diagnostics import Location, Related
from kpilint.formula import Formula, formula_location, parse_or_error
from kpilint.model import Entity, Kgi, Kpi, Ksf

AnyRecord = EntityRecord[Entity]

SUPPORTS = "supports"
PAIRED_WITH = "paired_with"
FORMULA = "formula"
ALLOWED_TARGETS: dict[tuple[str, str], frozenset[str]] = {
    ("KSF", SUPPORTS): frozenset({"KGI"}),
    ("KPI", SUPPORTS): frozenset({"KSF", "KGI"}),
    ("KPI", PAIRED_WITH): frozenset({"KPI"}),
    ("KGI", FORMULA): frozenset({"KPI"}),
}


def as_related(records: Iterable[AnyRecord]) -> tuple[Related, ...]:
    """Entities as related locations of a finding ("KPI 'leads'")."""
    return tuple(Related(record.at_entity(), f"{record.kind} '{record.id}'") for record in records)


@dataclass(frozen=True, slots=True)
class Reference:
    """One id named in a reference field of an entity."""

    source: AnyRecord
    field: str
    target_id: str
    location: Location
    field_path: str
    allowed_kinds: frozenset[str]
    exact: bool = True
    """Whether ``location`` is exactly the id's text (a fix may replace it): false for a formula
    term inside a quoted or multi-line formula, located at the whole formula value."""


class ProjectGraph:
    """The graph of one project, rebuilt cheaply from its (cached) spec files."""

    def __init__(self, files: Iterable[SpecFile]) -> None:
        self.files: list[SpecFile] = list(files)  # in path order: the caller sorts them
        self.graph: nx.DiGraph[str] = nx.DiGraph()
        self.supports_graph: nx.DiGraph[str] = nx.DiGraph()
        self.entities: dict[str, AnyRecord] = {}
        self.duplicates: list[tuple[AnyRecord, AnyRecord]] = []
        self.references: list[Reference] = []
        self.broken: list[Reference] = []
        self.formulas: dict[str, Formula] = {}
        for spec in self.files:
            for record in sorted(spec.entities, key=lambda rec: rec.node.span.line):
                self._add_entity(record)
        for record in self.entities.values():
            self._add_references(record)

    def _add_entity(self, record: AnyRecord) -> None:
        first = self.entities.get(record.id)
        if first is not None:
            self.duplicates.append((record, first))
            return
        self.entities[record.id] = record
        self.graph.add_node(record.id, kind=record.kind, record=record)
        self.supports_graph.add_node(record.id)

    def _add_references(self, record: AnyRecord) -> None:
        for field_name in (SUPPORTS, PAIRED_WITH):
            allowed = ALLOWED_TARGETS.get((record.kind, field_name))
            if allowed is None or getattr(record.model, field_name, None) is None:
                continue
            for target_id, location, field_path in record.reference_locations(field_name):
                reference = Reference(record, field_name, target_id, location, field_path,
                                      allowed)
                self.references.append(reference)
                target = self.entities.get(target_id)
                if target is None or target.kind not in allowed or target_id == record.id:
                    self.broken.append(reference)
                    continue
                self.graph.add_edge(record.id, target_id, kind=field_name)
                if field_name == SUPPORTS:
                    self.supports_graph.add_edge(record.id, target_id)
        if isinstance(record.model, Kgi) and record.model.formula is not None:
            self._add_formula(record, record.model.formula)

    def _add_formula(self, record: AnyRecord, text: str) -> None:
        """Formula terms: references to KPIs, and edges KGI -> KPI that "reaches" ignores.

        A formula that does not parse (T401) adds nothing.
        """
        formula = parse_or_error(text)
        if not isinstance(formula, Formula):
            return
        self.formulas[record.id] = formula
        allowed = ALLOWED_TARGETS[(record.kind, FORMULA)]
        for token in formula.terms:
            location, exact = formula_location(record, token)
            reference = Reference(record, FORMULA, token.text, location, FORMULA, allowed, exact)
            self.references.append(reference)
            target = self.entities.get(token.text)
            if target is None or target.kind not in allowed:
                self.broken.append(reference)
                continue
            self.graph.add_edge(record.id, token.text, kind=FORMULA)

    def formula_terms(self, kgi_id: str) -> list[EntityRecord[Kpi]] | None:
        """The KPI of each id term of the KGI's formula, in reading order (repeats kept); None
        when the KGI has no parsed formula or a term is not a KPI (that is E005)."""
        formula = self.formulas.get(kgi_id)
        if formula is None:
            return None
        records = [self.entities.get(token.text) for token in formula.terms]
        if any(record is None or record.kind != Kpi.kind for record in records):
            return None
        return cast(list[EntityRecord[Kpi]], records)

    def of_kind(self, kind: str) -> list[AnyRecord]:
        """Entities of one kind, in path then line order."""
        return [record for record in self.entities.values() if record.kind == kind]

    @property
    def kgis(self) -> list[EntityRecord[Kgi]]:
        return cast(list[EntityRecord[Kgi]], self.of_kind(Kgi.kind))

    @property
    def ksfs(self) -> list[EntityRecord[Ksf]]:
        return cast(list[EntityRecord[Ksf]], self.of_kind(Ksf.kind))

    @property
    def kpis(self) -> list[EntityRecord[Kpi]]:
        return cast(list[EntityRecord[Kpi]], self.of_kind(Kpi.kind))

    @functools.cached_property
    def kpis_reaching(self) -> dict[str, list[EntityRecord[Kpi]]]:
        """For each KGI id, the distinct KPIs that reach it (directly or via KSFs)."""
        return {
            kgi.id: cast(list[EntityRecord[Kpi]], self._in_order(
                nx.ancestors(self.supports_graph, kgi.id), Kpi.kind))
            for kgi in self.kgis
        }

    @functools.cached_property
    def kgis_reached(self) -> dict[str, list[EntityRecord[Kgi]]]:
        """For each KPI or KSF id, the KGIs it reaches."""
        return {
            record.id: cast(list[EntityRecord[Kgi]], self._in_order(
                nx.descendants(self.supports_graph, record.id), Kgi.kind))
            for record in self.entities.values() if record.kind != Kgi.kind
        }

    @functools.cached_property
    def paired(self) -> frozenset[str]:
        """KPIs at either end of a `paired_with` edge: pairing is symmetric."""
        return frozenset(
            node for source, target, data in self.graph.edges(data=True)
            if data["kind"] == PAIRED_WITH for node in (source, target))

    def _in_order(self, ids: Iterable[str], kind: str) -> list[AnyRecord]:
        """The entities of ``kind`` among ``ids``, in path then line order."""
        records = [self.entities[node] for node in ids if self.entities[node].kind == kind]
        return sorted(records, key=lambda record: (record.path, record.node.span.line))

    def supporters(self, entity_id: str, kind: str) -> list[AnyRecord]:
        """Entities of ``kind`` with a supports edge straight into ``entity_id``."""
        return [
            self.entities[source] for source, _, data in self.graph.in_edges(entity_id, data=True)
            if data["kind"] == SUPPORTS and self.entities[source].kind == kind
        ]
