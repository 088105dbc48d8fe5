"""Hover and go-to-definition on `source: dbt:<metric_name>` (SPEC 10.6).

A hover on such a source shows the dbt metric's label, description and type; definition jumps to
the metric's `name` in the dbt project's YAML. Anywhere else both hand over to the id features of
:mod:`kpilint.server.hover` and :mod:`kpilint.server.navigation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lsprotocol import types

from kpilint.build import did_you_mean
from kpilint.dbt import DbtProject, Metric, metric_name
from kpilint.diagnostics import Span
from kpilint.server.hover import hover
from kpilint.server.navigation import definition
from kpilint.server.text import SourceText, file_uri, span_contains

if TYPE_CHECKING:
    from kpilint.server.service import KpilintService


@dataclass(frozen=True, slots=True)
class MetricLink:
    """A `dbt:` source under the cursor: the metric it names and where the value stands."""

    name: str
    span: Span
    text: SourceText
    dbt: DbtProject
    metric: Metric | None


async def _link_at(service: KpilintService, uri: str,
                   position: types.Position) -> MetricLink | None:
    found = await service.current(uri)
    if found is None:
        return None
    document, project, snapshot = found
    spec = snapshot.specs.get(document.path)
    if spec is None or project.linter is None or project.linter.context.dbt is None:
        return None
    text = SourceText(service.server.workspace.get_text_document(uri).source, service.encoding)
    line, column = text.code_point(position)
    for record in spec.entities:
        name = metric_name(getattr(record.model, "source", None) or "")
        span = record.at_field("source").span
        if name is not None and span_contains(span, line, column):
            dbt = project.linter.context.dbt
            with project.graph_lock:
                metric = dbt.metrics.get(name) if dbt.directory is not None else None
            return MetricLink(name, span, text, dbt, metric)
    return None


def metric_card(link: MetricLink, markdown: bool) -> str:
    """What a hover on a `dbt:` source shows."""
    shown = f"`{link.name}`" if markdown else link.name
    metric = link.metric
    if link.dbt.directory is None:
        return f"dbt metric {shown}: no dbt project under the project root (no dbt_project.yml)"
    if metric is None:
        matches = did_you_mean(link.name, list(link.dbt.metrics))
        hint = " (did you mean " + " or ".join(matches) + "?)" if matches else ""
        return (f"dbt metric {shown}: not defined in the dbt project '{link.dbt.shown()}'"
                f"{hint}")
    title = f"dbt metric {shown}: {metric.label or metric.name}"
    lines = [f"**{title}**" if markdown else title]
    if metric.description:
        lines += ["", metric.description]
    where = metric.path.relative_to(link.dbt.root).as_posix()
    facts = [("Type", metric.type or "not given"), ("Defined in", f"{where}:{metric.span.line}")]
    lines.append("")
    lines += [f"- **{label}:** {value}" if markdown else f"{label}: {value}"
              for label, value in facts]
    return "\n".join(lines)


async def hover_with_metrics(service: KpilintService,
                             params: types.HoverParams) -> types.Hover | None:
    """The metric card on a `dbt:` source, else the entity card."""
    link = await _link_at(service, params.text_document.uri, params.position)
    if link is None:
        return await hover(service, params)
    markdown = service.markdown()
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
            value=metric_card(link, markdown)),
        range=link.text.range(link.span))


async def definition_with_metrics(service: KpilintService, params: types.DefinitionParams,
                                  ) -> list[types.Location] | None:
    """The metric's `name` in the dbt YAML on a `dbt:` source, else the id's definitions."""
    link = await _link_at(service, params.text_document.uri, params.position)
    if link is None:
        return await definition(service, params)
    if link.metric is None:
        return []
    text = SourceText(link.dbt.text_of(link.metric.path), service.encoding)
    return [types.Location(uri=file_uri(link.metric.path), range=text.range(link.metric.span))]
