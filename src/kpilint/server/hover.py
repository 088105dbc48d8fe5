"""Hover: the entity card of the id under the cursor, from the project graph."""


from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lsprotocol import types

from kpilint.checks import number
from kpilint.graph import ALL_KINDS, PAIRED_WITH, AnyRecord, ProjectGraph
from kpilint.model import Band, Entity

if TYPE_CHECKING:
    from kpilint.server.service import KpilintService

CADENCE_PERIODS = {"daily": "day", "weekly": "week", "biweekly": "two weeks", "monthly": "month",
                   "quarterly": "quarter", "semiannual": "half-year", "annual": "year"}

def _in_unit(model: Entity, value: float) -> str:
    unit = getattr(model, "unit", None) or ""
    return f"{number(value)}%" if unit == "percent" else f"{number(value)} {unit}".rstrip()


def _target_text(model: Entity) -> str:
    target = getattr(model, "target", None)
    if target is None:
        return "none"
    if isinstance(target, Band):
        bounds = [f"{word} {_in_unit(model, value)}" for word, value in (
            ("at least", target.min), ("at most", target.max)) if value is not None]
        cadence = getattr(model, "cadence", None)
        every = f"held every {CADENCE_PERIODS[cadence]}" if cadence else "no cadence"
        return f"{' and '.join(bounds)} (standing target, {every})"
    text = _in_unit(model, target)
    baseline = getattr(model, "baseline", None)
    details = [part for part in (
        getattr(model, "direction", None),
        f"baseline {number(baseline.value)}" if baseline is not None else None) if part]
    if details:
        text += f" ({', '.join(details)})"
    deadline = getattr(model, "deadline", None)
    return f"{text} by {deadline.isoformat()}" if deadline else f"{text}, no deadline"


def entity_card(record: AnyRecord, graph: ProjectGraph, markdown: bool) -> str:
    """What a hover on an id shows: kind, name, definition, target, owner, cadence, reach."""
    model = record.model

    def code(text: str) -> str:
        return f"`{text}`" if markdown else text

    def entity_list(records: Sequence[AnyRecord]) -> str:
        return ", ".join(f"{code(each.id)} ({each.model.name})" for each in records)

    title = f"{record.kind} {code(record.id)}: {model.name}"
    lines = [f"**{title}**" if markdown else title]
    if model.definition:
        lines += ["", model.definition]
    facts: list[tuple[str, str]] = []
    if record.kind != "KSF":
        facts.append(("Target", _target_text(model)))
        actual = getattr(model, "actual", None)
        if actual is not None:
            facts.append(("Actual", f"{_in_unit(model, actual.value)} as of"
                                    f" {actual.as_of.isoformat()}"))
    facts.append(("Owner", model.owner or "none"))
    if record.kind != "KSF":
        facts.append(("Cadence", getattr(model, "cadence", None) or "none"))
    if record.kind == "KPI":
        facts.append(("Indicator", getattr(model, "indicator", None) or "not declared"))
        paired = getattr(model, PAIRED_WITH, None)
        if paired:
            facts.append(("Paired with", ", ".join(code(each) for each in paired)))
    if record.kind == "KGI":
        facts.append(("KPIs reaching it", str(len(graph.kpis_reaching[record.id]))))
    else:
        reached = graph.kgis_reached[record.id]
        facts.append(("Reaches KGI", entity_list(reached) if reached else "none"))
    facts.append(("Defined in", f"{record.path}:{record.at_field('id').span.line}"))
    duplicates = len(graph.definitions(record.id)) - 1
    if duplicates:
        facts.append(("Duplicates", f"{duplicates} other definition(s) of this id (E004)"))
    lines.append("")
    lines += [f"- **{label}:** {value}" if markdown else f"{label}: {value}"
              for label, value in facts]
    return "\n".join(lines)


def unknown_card(entity_id: str, graph: ProjectGraph, markdown: bool) -> str:
    matches = graph.suggester(ALL_KINDS).suggest(entity_id)
    shown = f"`{entity_id}`" if markdown else entity_id
    hint = " (did you mean " + " or ".join(matches) + "?)" if matches else ""
    return f"{shown}: no entity with this id in the project{hint}"



async def hover(service: KpilintService, params: types.HoverParams) -> types.Hover | None:
    found = await service.mention_at(params.text_document.uri, params.position)
    if found is None:
        return None
    project, rendering, mention = found
    markdown = service.markdown()
    with project.graph_lock:
        graph = project.graph()
        record = graph.entities.get(mention.entity_id)
        value = (entity_card(record, graph, markdown) if record is not None
                 else unknown_card(mention.entity_id, graph, markdown))
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
            value=value),
        range=rendering.source_text(mention.location.path).range(mention.location.span))
