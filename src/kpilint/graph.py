"""The project graph: every entity of every spec file as one networkx DiGraph.

Nodes are entity ids (the first definition wins; later ones are E004). Edges point from the
supporting entity to what it supports (KPI -> KSF -> KGI, KPI -> KGI) with ``kind="supports"``,
and from a KPI to its counter KPI with ``kind="paired_with"``. References that name no entity, or
one of the wrong kind, get no edge: they are E005. "Reaches" follows supports edges only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from kpilint.build import EntityRecord, SpecFile
from kpilint.diagnostics import Location, Related

SUPPORTS = "supports"
PAIRED_WITH = "paired_with"
ALLOWED_TARGETS: dict[tuple[str, str], frozenset[str]] = {
    ("KSF", SUPPORTS): frozenset({"KGI"}),
    ("KPI", SUPPORTS): frozenset({"KSF", "KGI"}),
    ("KPI", PAIRED_WITH): frozenset({"KPI"}),
}


def as_related(records: Iterable[EntityRecord]) -> tuple[Related, ...]:
    """Entities as related locations of a finding ("KPI 'leads'")."""
    return tuple(Related(record.at_entity(), f"{record.kind} '{record.id}'") for record in records)


@dataclass(frozen=True, slots=True)
class Reference:
    """One id named in a reference field of an entity."""

    source: EntityRecord
    field: str
    target_id: str
    location: Location
    field_path: str
    allowed_kinds: frozenset[str]


class ProjectGraph:
    """The graph of one project, rebuilt cheaply from its (cached) spec files."""

    def __init__(self, files: Iterable[SpecFile]) -> None:
        self.files: list[SpecFile] = sorted(files, key=lambda spec: spec.path)
        self.graph: nx.DiGraph = nx.DiGraph()
        self.entities: dict[str, EntityRecord] = {}
        self.duplicates: list[tuple[EntityRecord, EntityRecord]] = []
        self.references: list[Reference] = []
        self.broken: list[Reference] = []
        for spec in self.files:
            for record in sorted(spec.entities, key=lambda rec: rec.node.span.line):
                self._add_entity(record)
        for record in self.entities.values():
            self._add_references(record)

    def _add_entity(self, record: EntityRecord) -> None:
        first = self.entities.get(record.id)
        if first is not None:
            self.duplicates.append((record, first))
            return
        self.entities[record.id] = record
        self.graph.add_node(record.id, kind=record.kind, record=record)

    def _add_references(self, record: EntityRecord) -> None:
        for field_name in (SUPPORTS, PAIRED_WITH):
            allowed = ALLOWED_TARGETS.get((record.kind, field_name))
            if allowed is None or getattr(record.model, field_name, None) is None:
                continue
            for target_id, location, field_path in record.reference_locations(field_name):
                reference = Reference(record, field_name, target_id, location, field_path,
                                      allowed)
                self.references.append(reference)
                target = self.entities.get(target_id)
                if target is None or target.kind not in allowed:
                    self.broken.append(reference)
                    continue
                self.graph.add_edge(record.id, target_id, kind=field_name)

    def of_kind(self, kind: str) -> list[EntityRecord]:
        """Entities of one kind, in path then line order."""
        return [record for record in self.entities.values() if record.kind == kind]

    @functools.cached_property
    def supports_graph(self) -> nx.DiGraph:
        """The subgraph of supports edges only (what "reaches" follows)."""
        view = nx.subgraph_view(
            self.graph, filter_edge=lambda a, b: self.graph.edges[a, b]["kind"] == SUPPORTS)
        return nx.DiGraph(view)

    @functools.cached_property
    def kpis_reaching(self) -> dict[str, list[EntityRecord]]:
        """For each KGI id, the distinct KPIs that reach it (directly or via KSFs)."""
        supports = self.supports_graph
        result: dict[str, list[EntityRecord]] = {}
        for kgi in self.of_kind("KGI"):
            ancestors = nx.ancestors(supports, kgi.id)
            result[kgi.id] = [
                self.entities[node] for node in sorted(
                    ancestors, key=lambda node: self._order(self.entities[node]))
                if self.entities[node].kind == "KPI"
            ]
        return result

    @functools.cached_property
    def kgis_reached(self) -> dict[str, list[EntityRecord]]:
        """For each KPI or KSF id, the KGIs it reaches."""
        result: dict[str, list[EntityRecord]] = {}
        supports = self.supports_graph
        for record in self.entities.values():
            if record.kind == "KGI":
                continue
            result[record.id] = [
                self.entities[node] for node in sorted(
                    nx.descendants(supports, record.id),
                    key=lambda node: self._order(self.entities[node]))
                if self.entities[node].kind == "KGI"
            ]
        return result

    def supporters(self, entity_id: str, kind: str) -> list[EntityRecord]:
        """Entities of ``kind`` with a supports edge straight into ``entity_id``."""
        return [
            self.entities[source] for source, _, data in self.graph.in_edges(entity_id, data=True)
            if data["kind"] == SUPPORTS and self.entities[source].kind == kind
        ]

    def _order(self, record: EntityRecord) -> tuple[str, int]:
        return record.path, record.node.span.line
