"""The "fix all" source action (``source.fixAll.kpilint``): every safe fix of a document in one
edit, as ``kpilint check --fix`` applies them in one pass (fixes that overlap a fix taken first,
or that would change more of the YAML data than they say, wait for the next request)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from kpilint.diagnostics import Diagnostic
from kpilint.fixes import FixedFile, wanted
from kpilint.server.text import SourceText, minimal_edit

FIX_ALL_KIND = "source.fixAll.kpilint"
BOM = "\ufeff"


def requested(only: list[str]) -> bool:
    """Whether a code action request with ``only`` kinds asks for source actions."""
    return any(FIX_ALL_KIND.startswith(kind) for kind in only)


def fix_all_edit(text: SourceText, findings: list[Diagnostic]) -> types.TextEdit | None:
    """The edit applying the document's safe fixes; None when there is none to apply."""
    safe = [finding for finding in findings if wanted(finding, unsafe=False)]
    if not safe:
        return None
    bom = BOM if text.text.startswith(BOM) else ""
    body = text.text[len(bom):]
    fixed = FixedFile(Path(), "", body, body)
    if not fixed.apply(safe):
        return None
    return minimal_edit(text, bom + fixed.text)
