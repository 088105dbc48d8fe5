"""E004 duplicate-id: two entities of the project share an id."""

from collections.abc import Iterator

from kpilint.checks import repeat_of
from kpilint.diagnostics import Severity, Violation
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
            yield repeat_of(
                record, first, "id",
                f"id '{record.id}' is already used by the {first.kind}",
                "; ids must be unique across the project",
                f"{first.kind} '{first.id}' first defined here")
