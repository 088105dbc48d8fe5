"""X001 unused-suppression: a suppression comment names a selected rule it did not suppress."""

from kpilint.diagnostics import Severity
from kpilint.rule import Rule


class UnusedSuppression(Rule):
    """Made by the engine's suppression pass, at the comment."""

    code = "X001"
    name = "unused-suppression"
    severity = Severity.WARNING
    summary = "A suppression comment names a rule that reports nothing there"
