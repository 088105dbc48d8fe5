"""S214 duplicate-definition: two or more KPIs or KGIs of the project share one definition."""

import functools
import unicodedata
from operator import attrgetter

from kpilint.checks import Original, describe
from kpilint.diagnostics import Severity, Violation
from kpilint.graph import ProjectGraph
from kpilint.rule import Context, ProjectRule

LINE = attrgetter("line")
KINDS = ("KPI", "KGI")
ADVICE = (": two different indicators need two definitions; say what this one counts that the"
          " other does not")


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

    def check(self, graph: ProjectGraph, context: Context) -> list[Violation]:
        firsts: dict[str, tuple[Original, str]] = {}
        """Each definition key's first, and what its repeats' messages say after their names."""
        found: list[Violation] = []
        for spec in graph.files:
            for record in sorted(spec.entities, key=LINE):
                if record.kind not in KINDS:
                    continue
                definition = getattr(record.model, "definition", None)
                key = definition_key(definition) if definition else None
                if not key:
                    continue
                first = firsts.get(key)
                if first is None:
                    name = describe(record)
                    original = Original.of(record, "definition", f"{name} has this definition")
                    firsts[key] = (original, f" has the same definition as {name}"
                                             f"{original.where}{ADVICE}")
                else:
                    original, rest = first
                    found.append(original.said(record, describe(record) + rest))
        return found
