"""S214 duplicate-definition: two or more KPIs or KGIs of the project share one definition."""

import functools
import unicodedata
from collections.abc import Iterator

from kpilint.build import EntityRecord
from kpilint.checks import describe, repeat_of
from kpilint.diagnostics import Related, Severity, Violation
from kpilint.graph import ProjectGraph
from kpilint.model import Entity
from kpilint.rule import Context, ProjectRule


@functools.lru_cache(maxsize=65536)
def definition_key(definition: str) -> str:
    """The definition as compared: NFKC, case-folded, without punctuation or whitespace."""
    return "".join(
        char for char in unicodedata.normalize("NFKC", definition).casefold()
        if not (char.isspace() or unicodedata.category(char).startswith("P")))


class DuplicateDefinition(ProjectRule):
    """Every occurrence after the first (path order, then line order) is reported, with the first
    as related location; entities whose definition is empty once normalised are left to S204."""

    code = "S214"
    name = "duplicate-definition"
    severity = Severity.WARNING
    summary = "Two KPIs or KGIs share one definition, so at least one of them is not defined"
    reads = frozenset({"definition"})

    def check(self, graph: ProjectGraph, context: Context) -> Iterator[Violation]:
        first_by_key: dict[str, tuple[EntityRecord[Entity], Related]] = {}
        for spec in graph.files:
            for record in sorted(spec.entities, key=lambda rec: rec.line):
                if record.kind not in ("KPI", "KGI"):
                    continue
                definition = getattr(record.model, "definition", None)
                key = definition_key(definition) if definition else None
                if not key:
                    continue
                found = first_by_key.get(key)
                if found is None:
                    first_by_key[key] = (record, Related(
                        record.at_field("definition"), f"{describe(record)} has this definition"))
                    continue
                first, related = found
                yield repeat_of(
                    record, first, "definition",
                    f"{describe(record)} has the same definition as {describe(first)}",
                    ": two different indicators need two definitions; say what this one counts"
                    " that the other does not",
                    related.message, related=related)
