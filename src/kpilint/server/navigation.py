"""Definition and references: the ids in a file and where the project graph defines and names them.

The mentions of one file come from its entities (their ``id``, ``supports`` and ``paired_with``
values, and formula terms whose place is exact); definitions and the references to an id come from
the :class:`~kpilint.graph.ProjectGraph` the rules use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lsprotocol import types

from kpilint.build import SpecFile
from kpilint.diagnostics import Location
from kpilint.graph import PAIRED_WITH, SUPPORTS, AnyRecord, ProjectGraph
from kpilint.server.text import span_contains

if TYPE_CHECKING:
    from kpilint.server.service import KpilintService


@dataclass(frozen=True, slots=True)
class Mention:
    """An id at a place: its definition (``id``), a reference, or a formula term."""

    entity_id: str
    location: Location
    role: str  # "id", "supports", "paired_with" or "formula"
    record: AnyRecord


def mentions_in(spec: SpecFile) -> list[Mention]:
    """Every id the file's entities define or name, in line order."""
    found: list[Mention] = []
    for record in sorted(spec.entities, key=lambda each: each.line):
        found.append(Mention(record.id, record.at_field("id"), "id", record))
        for field_name in (SUPPORTS, PAIRED_WITH):
            found.extend(Mention(target, location, field_name, record)
                         for target, location, _ in record.reference_locations(field_name))
        found.extend(Mention(term, location, "formula", record)
                     for term, location, exact in record.formula_references() if exact)
    return found


def mention_at(spec: SpecFile, line: int, column: int) -> Mention | None:
    """The id under the cursor."""
    return next((mention for mention in mentions_in(spec)
                 if span_contains(mention.location.span, line, column)), None)


def mentions_of(graph: ProjectGraph, entity_id: str) -> list[Mention]:
    """The definitions of an id and every reference the graph holds to it, in path order."""
    found = [Mention(entity_id, record.at_field("id"), "id", record)
             for record in graph.definitions(entity_id)]
    found += [Mention(entity_id, reference.location, reference.field, reference.source)
              for reference in graph.references_to(entity_id) if reference.exact]
    return sorted(found, key=lambda each: (each.location.path, each.location.span.line,
                                           each.location.span.column))


async def definition(service: KpilintService,
                     params: types.DefinitionParams) -> list[types.Location] | None:
    return await _locations(service, params, lambda graph, mention: [
        record.at_field("id") for record in graph.definitions(mention.entity_id)])


async def references(service: KpilintService,
                     params: types.ReferenceParams) -> list[types.Location] | None:
    return await _locations(service, params, lambda graph, mention: [
        each.location for each in mentions_of(graph, mention.entity_id)
        if params.context.include_declaration or each.role != "id"])


async def _locations(service: KpilintService,
                     params: types.DefinitionParams | types.ReferenceParams,
                     pick: Callable[[ProjectGraph, Mention], list[Location]],
                     ) -> list[types.Location] | None:
    """The places ``pick`` finds in the graph for the id under the cursor."""
    found = await service.mention_at(params.text_document.uri, params.position)
    if found is None:
        return None
    project, rendering, mention = found
    with project.graph_lock:
        locations = pick(project.graph(), mention)
    return [rendering.location(each) for each in locations]
