"""Code actions: a finding's certain fix (preferred), and suppression comments for its line or its
file."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from lsprotocol import types

from kpilint.add_suppressions import add_suppression_comments
from kpilint.build import SpecFile
from kpilint.config import Config
from kpilint.diagnostics import SAFE, Diagnostic
from kpilint.load import LINE_BREAK, Limits
from kpilint.registry import UNSUPPRESSIBLE
from kpilint.safe_write import WriteRefused
from kpilint.server.fix_all import FIX_ALL_KIND, fix_all_edit, requested
from kpilint.server.text import SourceText, client_units, minimal_edit, ranges_touch
from kpilint.suppressions import DIRECTIVE, parse_suppressions

if TYPE_CHECKING:
    from kpilint.server.service import KpilintService

META_PREFIX = "X"  # findings about kpilint's own comments: fixed, not suppressed


async def code_action(service: KpilintService,
                      params: types.CodeActionParams) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    found = await service.current(uri)
    published = service.published.get(uri)
    if found is None or published is None:
        return None
    document, project, snapshot = found
    wanted = {(each.code, each.range.start.line, each.range.start.character)
              for each in params.context.diagnostics}
    source = service.server.workspace.get_text_document(uri).source
    text = SourceText(source, service.encoding)
    spec = snapshot.specs.get(document.path)
    config = project.config or Config()
    builder = _ActionBuilder(service, uri, published.version, config.limits)
    findings = published.findings
    if spec is not None and spec.dialect is not None:  # fixes edit v1 specs only (SPEC 10.8)
        findings = [dataclasses.replace(finding, fix=None) for finding in findings]
    actions: list[types.CodeAction] = []
    for finding, diagnostic in zip(findings, published.diagnostics, strict=True):
        key = (diagnostic.code, diagnostic.range.start.line, diagnostic.range.start.character)
        if key not in wanted and not ranges_touch(diagnostic.range, params.range):
            continue
        actions += builder.actions_for(finding, diagnostic, text,
                                       spec if project.config is not None
                                       and config.allow_suppressions else None)
    only = [str(getattr(kind, "value", kind)) for kind in params.context.only or ()]
    fix_all = fix_all_edit(text, findings) if requested(only) else None
    if fix_all is not None:
        actions.append(builder.action("Fix all safely fixable kpilint problems", None,
                                      [fix_all], kind=FIX_ALL_KIND))
    if only:
        actions = [action for action in actions if any(
            str(getattr(action.kind, "value", action.kind)).startswith(kind) for kind in only)]
    return actions


class _ActionBuilder:
    """The quick fixes of one document version."""

    def __init__(self, service: KpilintService, uri: str, version: int | None,
                 limits: Limits) -> None:
        capabilities = service.server.client_capabilities.workspace
        self.document_changes = bool(capabilities and capabilities.workspace_edit
                                     and capabilities.workspace_edit.document_changes)
        self.uri = uri
        self.version = version
        self.limits = limits

    def actions_for(self, finding: Diagnostic, diagnostic: types.Diagnostic, text: SourceText,
                    spec: SpecFile | None) -> list[types.CodeAction]:
        """``spec`` is None when suppression comments are not to be offered."""
        actions: list[types.CodeAction] = []
        if finding.fix is not None:
            edits = [types.TextEdit(text.range(edit.span), edit.text)
                     for edit in finding.fix.edits]
            actions.append(self.action(finding.fix.message, diagnostic, edits,
                                       preferred=finding.fix.applicability == SAFE))
        if (spec is None or finding.code in UNSUPPRESSIBLE
                or finding.code.startswith(META_PREFIX)):
            return actions
        line = finding.location.span.line
        try:
            with_line_comment = add_suppression_comments(
                text.text.encode("utf-8", "surrogatepass"), {line: [finding.code]},
                limits=self.limits).decode("utf-8")
        except WriteRefused:
            with_line_comment = None  # the line cannot hold a comment safely: no such action
        if with_line_comment is not None:
            actions.append(self.action(f"Suppress {finding.code} on this line", diagnostic,
                                       [minimal_edit(text, with_line_comment)]))
        actions.append(self.action(f"Suppress {finding.code} in this file", diagnostic,
                                   [file_suppression(text, spec, finding.code)]))
        return actions

    def action(self, title: str, diagnostic: types.Diagnostic | None,
               edits: list[types.TextEdit], preferred: bool = False,
               kind: str = types.CodeActionKind.QuickFix) -> types.CodeAction:
        if self.document_changes:
            edit = types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(self.uri,
                                                                            self.version),
                edits=list(edits))])
        else:
            edit = types.WorkspaceEdit(changes={self.uri: edits})
        return types.CodeAction(title=title, kind=kind,
                                diagnostics=[diagnostic] if diagnostic else None,
                                is_preferred=preferred or None, edit=edit)


def file_suppression(text: SourceText, spec: SpecFile, code: str) -> types.TextEdit:
    """Add ``code`` to the file's ``disable-file`` comment, or write one at the top."""
    for comment in parse_suppressions(text.text, spec.quoted_or_block_scalars()):
        if not comment.whole_file or code in comment.codes:
            continue
        line = text.lines[comment.span.line - 1]
        match = DIRECTIVE.match(line, comment.span.column - 1)
        if match is not None:
            end = text.position(comment.span.line, match.end("codes") + 1)
            return types.TextEdit(types.Range(end, end), f",{code}")
    ending = LINE_BREAK.search(text.text)
    start = types.Position(0, client_units("\ufeff", text.encoding)
                           if text.text.startswith("\ufeff") else 0)
    return types.TextEdit(types.Range(start, start), f"# kpilint: disable-file={code}"
                          f"{ending[0] if ending else chr(10)}")
