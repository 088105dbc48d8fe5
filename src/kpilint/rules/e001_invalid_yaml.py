"""E001 invalid-yaml: the file is not well-formed YAML, not UTF-8, unreadable, or over a limit."""

from kpilint.diagnostics import Severity
from kpilint.rule import LoaderRule


class InvalidYaml(LoaderRule):
    """Reports what the loader found; see rules/invalid-yaml.md."""

    code = "E001"
    name = "invalid-yaml"
    severity = Severity.ERROR
    summary = "The file is not well-formed YAML, not UTF-8, unreadable or over a limit"
