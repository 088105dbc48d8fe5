"""E005 unknown-reference: a reference names no entity, or one of the wrong kind.

References are `supports`, `paired_with` and the id terms of a KGI's `formula` (see
:mod:`kpilint.graph`); a formula term is located at its own token when the formula is a plain
one-line scalar, else at the whole formula value (and then offers no automatic fix).
"""

from collections.abc import Iterator

from kpilint.build import replacement_fix, suggestion_suffix
from kpilint.diagnostics import Related, Severity, Violation
from kpilint.formula import NUMBER
from kpilint.graph import FORMULA, ProjectGraph, Reference
from kpilint.rule import Context, ProjectRule


class UnknownReference(ProjectRule):
    """`supports` must name KGIs (from a KSF) or KSFs/KGIs (from a KPI); `paired_with` and
    formula terms KPIs."""

    code = "E005"
    name = "unknown-reference"
    severity = Severity.ERROR
    summary = "A supports, paired_with or formula reference names no entity of the right kind"
    reads = frozenset({"supports", "paired_with", "formula"})

    def check(self, graph: ProjectGraph, context: Context) -> Iterator[Violation]:
        for reference in graph.broken:
            yield self._violation(graph, reference)

    def _violation(self, graph: ProjectGraph, reference: Reference) -> Violation:
        source = reference.source
        wanted = " or ".join(sorted(reference.allowed_kinds))
        target = graph.entities.get(reference.target_id)
        matches = graph.suggester(reference.allowed_kinds).suggest(reference.target_id,
                                                                    exclude=source.id)
        fix = replacement_fix(reference.location.span, matches, reference.target_id,
                              whole_scalar=reference.field != "formula") if (
            reference.exact and reference.target_id != source.id) else None
        if reference.target_id == source.id:
            message = (f"`{reference.field}` of {source.kind} '{source.id}' names the"
                       f" {source.kind} itself; name another {wanted}")
            related: tuple[Related, ...] = ()
        elif target is None:
            message = (f"`{reference.field}` of {source.kind} '{source.id}' names"
                       f" '{reference.target_id}', which is not defined in the project"
                       f"{suggestion_suffix(matches)}{_subtraction_hint(graph, reference)}")
            related = ()
        else:
            message = (f"`{reference.field}` of {source.kind} '{source.id}' must name a {wanted};"
                       f" '{reference.target_id}' is a {target.kind}{suggestion_suffix(matches)}")
            related = (Related(target.at_entity(), f"{target.kind} '{target.id}'"),)
        return Violation(reference.location, message, subject=source.id,
                         field=reference.field_path, related=related, fix=fix)


def _subtraction_hint(graph: ProjectGraph, reference: Reference) -> str:
    """For a formula term like `leads-churned` whose parts are KPIs or numbers: the id is read
    whole, so subtraction needs spaces."""
    if reference.field != FORMULA:
        return ""
    term = reference.target_id
    for index, char in enumerate(term):
        if char != "-" or index == 0:
            continue
        left, right = term[:index], term[index + 1:]
        if all(_operand(graph, part) for part in (left, right)):
            return f" (to subtract, put spaces around '-': `{left} - {right}`)"
    return ""


def _operand(graph: ProjectGraph, part: str) -> bool:
    if NUMBER.fullmatch(part):
        return True
    record = graph.entities.get(part)
    return record is not None and record.kind == "KPI"
