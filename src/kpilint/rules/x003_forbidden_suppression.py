"""X003 forbidden-suppression: a suppression comment in a project that forbids them."""

from kpilint.diagnostics import Severity
from kpilint.rule import Rule


class ForbiddenSuppression(Rule):
    """Made by the engine when the config sets `allow-suppressions = false`, at the comment."""

    code = "X003"
    name = "forbidden-suppression"
    severity = Severity.ERROR
    summary = "A suppression comment is used where the project forbids them"
