"""T401 formula-syntax: a KGI's formula does not parse, or uses more than the formula grammar."""

from collections.abc import Iterator

from kpilint.build import SpecFile
from kpilint.diagnostics import Severity, Violation
from kpilint.formula import FormulaSyntaxError, formula_location, parse_or_error
from kpilint.rule import Context, FileRule, kgis_of


class FormulaSyntax(FileRule):
    """Parses each KGI formula (never with eval); reports the first offending token."""

    code = "T401"
    name = "formula-syntax"
    severity = Severity.ERROR
    summary = "A KGI formula is not arithmetic over KPI ids, numbers, + - * / and parentheses"

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        for kgi in kgis_of(spec):
            if kgi.model.formula is None:
                continue
            result = parse_or_error(kgi.model.formula)
            if not isinstance(result, FormulaSyntaxError):
                continue
            location, _ = formula_location(kgi, result.token)
            yield Violation(location, f"`formula` of KGI '{kgi.id}': {result.message}",
                            subject=kgi.id, field="formula")
