"""X004 missing-suppression-reason: a suppression comment gives no reason."""

from kpilint.diagnostics import Severity
from kpilint.rule import Rule


class MissingSuppressionReason(Rule):
    """Made by the engine when the config sets `require-suppression-reason = true`."""

    code = "X004"
    name = "missing-suppression-reason"
    severity = Severity.WARNING
    summary = "A suppression comment does not say why the finding is acceptable"
