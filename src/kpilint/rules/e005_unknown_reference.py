"""E005 unknown-reference: a reference names no entity, or one of the wrong kind."""

from collections.abc import Iterator

from kpilint.build import did_you_mean, replacement_fix, suggestion_suffix
from kpilint.diagnostics import Related, Severity, Violation
from kpilint.graph import ProjectGraph, Reference
from kpilint.rule import Context, ProjectRule


class UnknownReference(ProjectRule):
    """`supports` must name KGIs (from a KSF) or KSFs/KGIs (from a KPI); `paired_with` KPIs."""

    code = "E005"
    name = "unknown-reference"
    severity = Severity.ERROR
    summary = "A supports or paired_with reference names no entity of the right kind"

    def check(self, graph: ProjectGraph, context: Context) -> Iterator[Violation]:
        for reference in graph.broken:
            yield self._violation(graph, reference)

    def _violation(self, graph: ProjectGraph, reference: Reference) -> Violation:
        source = reference.source
        wanted = " or ".join(sorted(reference.allowed_kinds))
        target = graph.entities.get(reference.target_id)
        candidates = [
            record.id for record in graph.entities.values()
            if record.kind in reference.allowed_kinds and record.id != source.id
        ]
        matches = did_you_mean(reference.target_id, candidates)
        fix = replacement_fix(reference.location.span, matches)
        if reference.target_id == source.id:
            message = (f"`{reference.field}` of {source.kind} '{source.id}' names the"
                       f" {source.kind} itself; name another {wanted}")
            related: tuple[Related, ...] = ()
        elif target is None:
            message = (f"`{reference.field}` of {source.kind} '{source.id}' names"
                       f" '{reference.target_id}', which is not defined in the project"
                       f"{suggestion_suffix(matches)}")
            related = ()
        else:
            message = (f"`{reference.field}` of {source.kind} '{source.id}' must name a {wanted};"
                       f" '{reference.target_id}' is a {target.kind}{suggestion_suffix(matches)}")
            related = (Related(target.at_entity(), f"{target.kind} '{target.id}'"),)
        return Violation(reference.location, message, subject=source.id,
                         field=reference.field_path, related=related, fix=fix)
