"""S214 duplicate-definition: two or more KPIs or KGIs of the project share one definition."""

import functools
import unicodedata
from collections.abc import Iterator
from operator import attrgetter

from kpilint.checks import Original, describe
from kpilint.diagnostics import Severity, Violation
from kpilint.graph import ProjectGraph
from kpilint.rule import Context, ProjectRule

LINE = attrgetter("line")


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
        first_by_key: dict[str, tuple[str, Original]] = {}
        for spec in graph.files:
            for record in sorted(spec.entities, key=LINE):
                if record.kind not in ("KPI", "KGI"):
                    continue
                definition = getattr(record.model, "definition", None)
                key = definition_key(definition) if definition else None
                if not key:
                    continue
                found = first_by_key.get(key)
                if found is None:
                    first = describe(record)
                    first_by_key[key] = (first, Original.of(
                        record, "definition", f"{first} has this definition"))
                    continue
                first, original = found
                yield original.repeat(
                    record, f"{describe(record)} has the same definition as {first}",
                    ": two different indicators need two definitions; say what this one counts"
                    " that the other does not")
