"""Completion: ids of the kinds a field accepts and enum values, from the text as typed
(which may not parse) and the project graph."""


from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args

from lsprotocol import types

from kpilint.build import NESTED_MODELS, SECTIONS, SpecFile
from kpilint.graph import ALLOWED_TARGETS, PAIRED_WITH, SUPPORTS, ProjectGraph
from kpilint.model import Cadence, Direction, Indicator
from kpilint.server.text import SourceText, client_units, code_point_index

if TYPE_CHECKING:
    from pydantic import BaseModel

    from kpilint.server.service import KpilintService

KINDS_BY_SECTION = {"kgis": "KGI", "ksfs": "KSF", "kpis": "KPI"}
STANDARD_UNITS = ("count", "percent", "ratio", "score", "seconds", "minutes", "hours", "days",
                  "JPY", "USD", "EUR")
ENUM_VALUES: dict[str, tuple[str, ...]] = {
    "indicator": get_args(Indicator), "direction": get_args(Direction),
    "cadence": get_args(Cadence), "unit": STANDARD_UNITS,
}

ID_CHARS = re.compile(r"[A-Za-z0-9_.-]*")
KEY_LINE = re.compile(r"^(?P<indent>[ \t]*(?:-[ \t]+)*)(?P<key>[A-Za-z_][A-Za-z0-9_-]*)[ \t]*:"
                      r"(?P<value>(?:[ \t].*)?)$")
ITEM_LINE = re.compile(r"^(?P<indent>[ \t]*)-(?:[ \t]+(?P<value>[^:#]*))?$")
SECTION_LINE = re.compile(r"^(?P<section>kgis|ksfs|kpis)[ \t]*:")
BLANK_OR_COMMENT = re.compile(r"^[ \t]*(?:#.*)?$")
KEY_TYPING = re.compile(r"^(?P<indent>[ \t]*(?:-[ \t]+)?)(?P<partial>[A-Za-z_]*)$")
FLOW_KEY_TYPING = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_-]*)[ \t]*:[ \t]*\{(?:[^{}]*,)?[ \t]*"
                             r"(?P<partial>[A-Za-z_]*)$")


@dataclass(frozen=True, slots=True)
class CompletionSpot:
    """What the cursor is completing: the value of ``key`` in an entity of ``kind``."""

    key: str
    kind: str | None
    partial: str


def completion_spot(lines: Sequence[str], line: int, column: int) -> CompletionSpot | None:
    """The field whose value the cursor (0-based line, code-point column) is typing, if any."""
    before = lines[line][:column]
    key: str | None = None
    value: str
    match = KEY_LINE.match(before)
    if match is not None:
        key, value = match["key"], match["value"]
    else:
        item = ITEM_LINE.match(before)
        if item is None:
            return None
        key, value = _parent_key(lines, line, len(item["indent"])), item["value"] or ""
        if key is None:
            return None
    stripped = value.lstrip()
    if stripped.startswith("["):
        stripped = re.split(r"[\[,]", stripped)[-1].lstrip()
        if "]" in stripped:
            return None
    if not ID_CHARS.fullmatch(stripped):
        return None
    return CompletionSpot(key, _section_kind(lines, line), stripped)


def key_completion(lines: Sequence[str], line: int, column: int,
                   ) -> tuple[str, list[str]] | None:
    """(the partial key, the keys that may come) when the cursor types a key: of an entity (its
    model's fields not written yet) or of a `target`, `actual` or `baseline` mapping, in block
    style or in a flow mapping (``actual: {v``)."""
    before = lines[line][:column]
    flow = FLOW_KEY_TYPING.search(before)
    if flow is not None:
        nested = NESTED_MODELS.get(flow["key"])
        return (flow["partial"], list(nested.model_fields)) if nested else None
    typing = KEY_TYPING.match(before)
    if typing is None:
        return None
    prefix, partial = typing["indent"], typing["partial"]
    new_item = "-" in prefix  # the first key of a new list item: its owner is the list's key
    keys_at = prefix.index("-") if new_item else len(prefix)
    present: set[str] = set()
    for above in range(line - 1, -1, -1):
        text = lines[above]
        if BLANK_OR_COMMENT.match(text):
            continue
        match = KEY_LINE.match(text)
        at = len(match["indent"]) if match else len(text) - len(text.lstrip(" \t"))
        if at > keys_at:
            continue  # deeper: inside a sibling's value
        if match is None:
            return None
        if new_item:
            is_section = match["key"] in SECTIONS
            return _keys_under(match, lines, above, partial, present, True) if is_section else None
        if at < keys_at:
            return _keys_under(match, lines, above, partial, present, False)
        present.add(match["key"])
        if "-" in match["indent"]:  # the entity's first line: `- id: ...`
            return _keys_under(match, lines, above, partial, present, True)
    return None


def _keys_under(owner: re.Match[str], lines: Sequence[str], index: int, partial: str,
                present: set[str], entity: bool) -> tuple[str, list[str]] | None:
    """The keys not yet ``present`` of an entity (``owner`` is its section line or first line)
    or of the nested mapping that ``owner`` opens."""
    model: type[BaseModel] | None
    if entity:
        kind = _section_kind(lines, index)
        model = next((each for each in SECTIONS.values() if each.kind == kind), None)
    else:
        model = NESTED_MODELS.get(owner["key"]) if not owner["value"].strip() else None
    if model is None:
        return None
    return partial, [name for name in model.model_fields if name not in present]


def _parent_key(lines: Sequence[str], line: int, indent: int) -> str | None:
    """The key that a block-sequence item at ``indent`` on ``line`` belongs to."""
    for above in range(line - 1, -1, -1):
        text = lines[above]
        if BLANK_OR_COMMENT.match(text):
            continue
        sibling = ITEM_LINE.match(text)
        if sibling is not None and len(sibling["indent"]) == indent:
            continue
        match = KEY_LINE.match(text)
        if match is not None and len(match["indent"]) <= indent and (
                match["value"].strip() == "" or match["value"].lstrip().startswith("#")):
            return match["key"]
        return None
    return None


def entity_id_at(spec: SpecFile | None, line: int) -> str | None:
    """The id of the entity whose mapping spans the 1-based ``line`` (the one being edited)."""
    for record in spec.entities if spec else ():
        if record.node.span.line <= line <= record.node.span.end_line:
            return record.id
    return None


def _section_kind(lines: Sequence[str], line: int) -> str | None:
    for above in range(line, -1, -1):
        match = SECTION_LINE.match(lines[above])
        if match is not None:
            return KINDS_BY_SECTION[match["section"]]
    return None



async def completion(service: KpilintService,
                     params: types.CompletionParams) -> types.CompletionList | None:
    document = service.documents.get(params.text_document.uri)
    if document is None or not document.linted:
        return None
    project = document.project
    if project.snapshot is None:
        await service.flush(project)
    snapshot = project.snapshot
    text = SourceText(service.server.workspace.get_text_document(document.uri).source,
                      service.encoding)
    if snapshot is None or params.position.line >= len(text.lines):
        return None
    line_text = text.lines[params.position.line]
    column = code_point_index(line_text, params.position.character, service.encoding)
    keys = key_completion(text.lines, params.position.line, column)
    if keys is not None:
        partial, names = keys
        start = types.Position(params.position.line, client_units(
            line_text[:column - len(partial)], service.encoding))
        return types.CompletionList(is_incomplete=False, items=[types.CompletionItem(
            label=name, kind=types.CompletionItemKind.Property, sort_text=f"{order:03d}",
            text_edit=types.TextEdit(types.Range(start, params.position), f"{name}: "))
            for order, name in enumerate(names)])
    spot = completion_spot(text.lines, params.position.line, column)
    if spot is None:
        return None
    start = types.Position(params.position.line, client_units(
        line_text[:column - len(spot.partial)], service.encoding))
    edit_range = types.Range(start, params.position)
    lead = " " if line_text[:column].endswith(":") else ""
    items: list[types.CompletionItem] = []
    allowed = ALLOWED_TARGETS.get((spot.kind or "", spot.key))
    with project.graph_lock:
        graph = project.graph()
        if spot.key in (SUPPORTS, PAIRED_WITH) and allowed is not None:
            own = entity_id_at(snapshot.specs.get(document.path), params.position.line + 1)
            for record in sorted((record for record in graph.entities.values()
                                  if record.kind in allowed), key=lambda each: each.id):
                if record.id == own:
                    continue
                items.append(types.CompletionItem(
                    label=record.id, kind=types.CompletionItemKind.Reference,
                    detail=f"{record.kind}: {record.model.name}",
                    documentation=record.model.definition,
                    text_edit=types.TextEdit(edit_range, lead + record.id)))
        elif spot.key in ENUM_VALUES:
            values = list(ENUM_VALUES[spot.key])
            if spot.key == "unit":
                values += sorted(project_units(graph) - set(values))
            items = [types.CompletionItem(
                label=value, kind=types.CompletionItemKind.EnumMember,
                detail=f"{spot.key} value", sort_text=f"{position:03d}",
                text_edit=types.TextEdit(edit_range, lead + value))
                for position, value in enumerate(values)]
    return types.CompletionList(is_incomplete=False, items=items)


def project_units(graph: ProjectGraph) -> set[str]:
    """Every unit the project's files use (first definitions and duplicates alike)."""
    return {unit for spec in graph.files for record in spec.entities
            if (unit := getattr(record.model, "unit", None))}
