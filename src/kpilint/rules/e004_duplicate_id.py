"""E004 duplicate-id: two entities of the project share an id."""

from collections.abc import Iterator

from kpilint.diagnostics import Related, Severity, Violation
from kpilint.graph import ProjectGraph
from kpilint.rule import Context, ProjectRule


class DuplicateId(ProjectRule):
    """Every occurrence after the first (path order, then line order) is reported."""

    code = "E004"
    name = "duplicate-id"
    severity = Severity.ERROR
    summary = "Two entities in the project share the same id"
    reads = frozenset({"id"})

    def check(self, graph: ProjectGraph, context: Context) -> Iterator[Violation]:
        for record, first in graph.duplicates:
            where = first.at_field("id")
            yield Violation(
                record.at_field("id"),
                f"id '{record.id}' is already used by the {first.kind} at"
                f" {where.path}:{where.span.line}; ids must be unique across the project",
                subject=record.id, field="id",
                related=(Related(where, f"{first.kind} '{first.id}' first defined here"),),
            )
