"""E002 schema-violation: a value, key or required field breaks the v1 spec format."""

from kpilint.diagnostics import Severity
from kpilint.rule import LoaderRule


class SchemaViolation(LoaderRule):
    """Reports what the loader found; see rules/schema-violation.md."""

    code = "E002"
    name = "schema-violation"
    severity = Severity.ERROR
    summary = "A key, value or document does not match the v1 spec file format"
