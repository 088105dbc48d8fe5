"""E003 duplicate-key: a mapping repeats a key, and YAML would silently keep only the last."""

from kpilint.diagnostics import Severity
from kpilint.rule import LoaderRule


class DuplicateKey(LoaderRule):
    """Reports what the loader found; see rules/duplicate-key.md."""

    code = "E003"
    name = "duplicate-key"
    severity = Severity.ERROR
    summary = "A mapping repeats a key, so one of the two values would be silently lost"
