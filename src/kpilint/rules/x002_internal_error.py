"""X002 internal-error: a rule crashed; the engine reports it, other rules still run."""

from kpilint.diagnostics import Severity
from kpilint.rule import Rule


class InternalError(Rule):
    """Made by the engine when a rule raises; it cannot be selected away or suppressed."""

    code = "X002"
    name = "internal-error"
    severity = Severity.ERROR
    summary = "A rule crashed while checking this file; the other rules still ran"
