"""S212 unquantified-kgi: a KGI lacks a numeric target or a unit."""

from collections.abc import Iterator

from kpilint.build import SpecFile
from kpilint.diagnostics import Severity, Violation
from kpilint.rule import Context, FileRule, kgis_of

EXAMPLES = {"target": "`target: 100000000`", "unit": "`unit: JPY`"}


class UnquantifiedKgi(FileRule):
    """For KGIs this replaces missing-target (S201) and missing-unit (S205)."""

    code = "S212"
    name = "unquantified-kgi"
    severity = Severity.ERROR
    summary = "A KGI has no numeric target or no unit, so it is a wish, not a goal"

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        for kgi in kgis_of(spec):
            missing = [name for name in ("target", "unit") if kgi.lacks(name)]
            if not missing:
                continue
            fields = " and no ".join(f"`{name}`" for name in missing)
            examples = " and ".join(EXAMPLES[name] for name in missing)
            yield Violation(
                kgi.at_entity(),
                f"KGI '{kgi.id}' has no {fields}: a goal needs a number to reach and the unit"
                f" it is counted in, e.g. {examples}",
                subject=kgi.id)
