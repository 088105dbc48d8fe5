"""Diagnostics: kpilint's findings as LSP diagnostics (ranges in the client's encoding, related
locations, rule links), and X002 for a failure outside the rules."""

from __future__ import annotations

from lsprotocol import types

from kpilint.diagnostics import Diagnostic, Location, Severity, Span
from kpilint.engine import rule_url
from kpilint.registry import lookup
from kpilint.server.text import SourceText, file_uri
from kpilint.server.workspace import Snapshot

SOURCE = "kpilint"
LSP_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error,
                Severity.WARNING: types.DiagnosticSeverity.Warning,
                Severity.INFO: types.DiagnosticSeverity.Information}


def internal_error(path: str, message: str) -> Diagnostic:
    """An X002 finding for a failure outside the rules (the loader, the engine)."""
    rule = lookup("X002")
    assert rule is not None
    return Diagnostic(code=rule.code, name=rule.name, severity=Severity.ERROR,
                      message=f"kpilint could not check this file: {message} (see the server log)",
                      location=Location(path, Span.file_start()), url=rule_url(rule))


class Rendering:
    """Turns findings and locations of one snapshot into LSP terms (each file's text read once)."""

    def __init__(self, snapshot: Snapshot, encoding: str) -> None:
        self.snapshot = snapshot
        self.encoding = encoding
        self.texts: dict[str, SourceText] = {}

    def source_text(self, display: str) -> SourceText:
        text = self.texts.get(display)
        if text is None:
            absolute = self.snapshot.paths.get(display)
            spec = self.snapshot.specs.get(absolute) if absolute else None
            text = self.texts[display] = SourceText(spec.text if spec else "", self.encoding)
        return text

    def diagnostic(self, finding: Diagnostic) -> types.Diagnostic:
        text = self.source_text(finding.location.path)
        related = [types.DiagnosticRelatedInformation(
            location=self.location(each.location), message=each.message)
            for each in finding.related]
        return types.Diagnostic(
            range=text.range(finding.location.span), message=finding.message,
            severity=LSP_SEVERITY[finding.severity], code=finding.code, source=SOURCE,
            code_description=types.CodeDescription(href=finding.url) if finding.url else None,
            related_information=related or None,
            tags=[types.DiagnosticTag.Unnecessary] if finding.code == "X001" else None,
            data={"fingerprint": finding.fingerprint} if finding.fingerprint else None)

    def location(self, location: Location) -> types.Location:
        absolute = self.snapshot.paths.get(location.path)
        text = self.source_text(location.path)
        uri = file_uri(absolute) if absolute else location.path
        return types.Location(uri=uri, range=text.range(location.span))
