"""SARIF 2.1.0 output (OASIS Static Analysis Results Interchange Format), for GitHub code
scanning (``github/codeql-action/upload-sarif``), GitLab, Azure DevOps and SARIF viewers.

One run; ``tool.driver`` lists every registered rule (id = code, name, short and full
description, help text and Markdown from the rule's page, ``helpUri``, default level), so the
same rules come out whatever the findings. Each result has its rule (``ruleId``/``ruleIndex``),
``level`` (error, warning, note), the message, one physical location, the related locations with
their messages, the fix if any (``properties.applicability`` says ``safe``, what ``--fix``
applies, or ``unsafe``, what needs ``--unsafe-fixes``), and ``partialFingerprints["kpilint/v1"]``:
the fingerprint of the JSON output, stable across line moves.

Regions are 1-based with an exclusive end column, exactly kpilint's spans; columns count code
points, hence ``columnKind: unicodeCodePoints``, and lines break at CRLF, LF or CR, hence
``newlineSequences``. URIs are the POSIX paths relative to the working directory
(percent-encoded, RFC 3986) against the base id ``%SRCROOT%``, which ``originalUriBaseIds``
resolves to the working directory (the repository root in CI); a file outside it gets an
absolute ``file:`` URI, as SARIF forbids ``..`` segments in relative references' resolution.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kpilint import __version__
from kpilint.diagnostics import Diagnostic, Fix, Severity, Span
from kpilint.reading import file_name_bytes
from kpilint.registry import all_rules
from kpilint.report import RenderOptions, RunResult, posix_relative
from kpilint.report.json_text import dumps
from kpilint.rule import Rule

SCHEMA_URI = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
              "sarif-schema-2.1.0.json")
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "kpilint/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
DESCRIPTION_LIMIT = 1024  # GitHub code scanning truncates rule descriptions longer than this


@functools.cache
def _page(name: str) -> str:
    """The body of a rule's documentation page (without its front matter), or ""."""
    from kpilint.resources import data_path

    try:
        text = data_path("rules", f"{name}.md").read_text(encoding="utf-8")
    except OSError:
        return ""
    if text.startswith("---\n"):
        _, _, text = text[4:].partition("\n---\n")
    return text.strip()


def _section(page: str, title: str) -> str:
    """The text of a ``## title`` section of a page, as one paragraph."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", page, re.M | re.S)
    return " ".join(match.group(1).split()) if match else ""


def _shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0] + "…"


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    """A SARIF ``reportingDescriptor`` for a registered rule."""
    from kpilint.engine import rule_url

    url = rule_url(rule)
    page = _page(rule.name)
    full = _shorten(_section(page, "What it does") or rule.summary)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {"text": f"{full}\n\nDocumentation: {url}",
                 "markdown": f"{page}\n\n[Documentation]({url})" if page else f"[{url}]({url})"},
        "helpUri": url,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


def _custom_descriptor(diagnostic: Diagnostic) -> dict[str, Any]:
    """A descriptor for a pack or plugin rule: its summary and description (SPEC 10.7)."""
    from kpilint.registry import lookup

    descriptor = _unregistered_descriptor(diagnostic)
    rule = lookup(diagnostic.code)
    if rule is None or rule.name != diagnostic.name:
        return descriptor
    description = str(getattr(rule, "description", "") or "").strip()
    descriptor["shortDescription"] = {"text": rule.summary}
    descriptor["fullDescription"] = {"text": _shorten(" ".join(description.split())
                                                      or rule.summary)}
    if description:
        descriptor["help"] = {"text": description, "markdown": description}
    return descriptor


def _unregistered_descriptor(diagnostic: Diagnostic) -> dict[str, Any]:
    """A descriptor for a code the registry does not know (a plugin rule), from its finding."""
    text = diagnostic.name or diagnostic.code
    descriptor: dict[str, Any] = {
        "id": diagnostic.code, "name": diagnostic.name or diagnostic.code,
        "shortDescription": {"text": text}, "fullDescription": {"text": text},
        "help": {"text": f"Documentation: {diagnostic.url}" if diagnostic.url else text},
        "defaultConfiguration": {"level": LEVELS[diagnostic.severity]},
    }
    if diagnostic.url:
        descriptor["helpUri"] = diagnostic.url
    return descriptor


def artifact_location(path: str) -> dict[str, Any]:
    """``artifactLocation`` of a file: a relative reference against %SRCROOT% when the file is
    under the working directory, else an absolute ``file:`` URI."""
    relative = posix_relative(path)
    if relative == ".." or relative.startswith("../"):
        return {"uri": Path(os.fsdecode(file_name_bytes(path))).resolve().as_uri()}
    return {"uri": quote(file_name_bytes(relative), safe="/"), "uriBaseId": SRCROOT}


def region(span: Span) -> dict[str, int]:
    end_line, end_column = max((span.end_line, span.end_column), (span.line, span.column))
    return {"startLine": span.line, "startColumn": span.column,
            "endLine": end_line, "endColumn": end_column}


def _physical(path: str, span: Span) -> dict[str, Any]:
    return {"artifactLocation": artifact_location(path), "region": region(span)}


def _fix(path: str, fix: Fix) -> dict[str, Any]:
    return {
        "description": {"text": fix.message},
        "artifactChanges": [{
            "artifactLocation": artifact_location(path),
            "replacements": [{"deletedRegion": region(edit.span),
                              "insertedContent": {"text": edit.text}} for edit in fix.edits],
        }],
        "properties": {"applicability": fix.applicability},
    }


def sarif_result(diagnostic: Diagnostic, rule_index: int) -> dict[str, Any]:
    path = diagnostic.location.path
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": LEVELS[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": _physical(path, diagnostic.location.span)}],
    }
    if diagnostic.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: diagnostic.fingerprint}
    if diagnostic.related:
        result["relatedLocations"] = [
            {"id": index,
             "physicalLocation": _physical(related.location.path, related.location.span),
             "message": {"text": related.message}}
            for index, related in enumerate(diagnostic.related)]
    if diagnostic.fix is not None and diagnostic.fix.edits:
        result["fixes"] = [_fix(path, diagnostic.fix)]
    return result


def _working_directory_uri() -> str:
    uri = Path.cwd().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def render(result: RunResult, options: RenderOptions) -> str:
    rules = [rule_descriptor(rule) for rule in all_rules()]
    index = {descriptor["id"]: position for position, descriptor in enumerate(rules)}

    def rule_index(diagnostic: Diagnostic) -> int:
        if diagnostic.code not in index:
            index[diagnostic.code] = len(rules)
            rules.append(_custom_descriptor(diagnostic))
        return index[diagnostic.code]

    results = [sarif_result(diagnostic, rule_index(diagnostic))
               for diagnostic in result.diagnostics]
    if options.show_suppressed:
        for diagnostic, comment in result.suppressed:
            suppressed = sarif_result(diagnostic, rule_index(diagnostic))
            suppression: dict[str, Any] = {
                "kind": "inSource",
                "location": {"physicalLocation": _physical(diagnostic.location.path,
                                                           comment.span)}}
            if comment.reason:
                suppression["justification"] = comment.reason
            suppressed["suppressions"] = [suppression]
            results.append(suppressed)
    crashed = any(diagnostic.code == "X002" for diagnostic in result.diagnostics)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kpilint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": _information_uri(),
                "rules": rules,
            }},
            "invocations": [{"executionSuccessful": not crashed}],
            "originalUriBaseIds": {SRCROOT: {
                "uri": _working_directory_uri(),
                "description": {"text": "The working directory of the run (the repository"
                                        " root in CI); relative URIs resolve against it."}}},
            "results": results,
            "columnKind": "unicodeCodePoints",
            "newlineSequences": ["\r\n", "\n", "\r"],
        }],
    }
    return dumps(log) + "\n"


def _information_uri() -> str:
    from kpilint.engine import documentation_base

    return documentation_base()
