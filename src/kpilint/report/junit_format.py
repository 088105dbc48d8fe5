"""JUnit XML output, for CI systems that show test reports (GitLab ``artifacts:reports:junit``,
Jenkins, Azure Pipelines, the JUnit reporter actions of GitHub).

``<testsuites>`` holds one ``<testsuite>`` per file with findings (named by its POSIX path
relative to the working directory) and one ``<testcase>`` per finding, each with a
``<failure message="…" type="severity">``. GitLab keys test cases on (``classname``, ``name``)
and drops duplicates, and shows ``classname`` as the suite, the ``file`` attribute and the
failure's text (not its ``message``). So ``classname`` is the file's path, ``name`` is
``CODE rule-name at line:col`` (made unique within the file), and the failure text repeats the
whole finding: location, code, severity, message and documentation URL.

A clean run is one suite ``kpilint`` with one passing test case ``kpilint check`` (a stable
name, so branches compare), not an empty report: Jenkins' ``junit`` step fails a build whose
reports hold no test case at all (unless ``allowEmptyResults``), and test views (GitLab's
pipeline tab, Jenkins) then show a pass rather than no tests.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from kpilint.diagnostics import Diagnostic, printable
from kpilint.report import RenderOptions, RunResult, posix_relative

# Characters XML 1.0 cannot hold, even as character references.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _failure_text(diagnostic: Diagnostic, path: str) -> str:
    span = diagnostic.location.span
    lines = [f"{path}:{span.line}:{span.column}: {diagnostic.code} [{diagnostic.severity.label}]"
             f" {diagnostic.message}"]
    lines += [f"  related: {posix_relative(related.location.path)}:{related.location.span.line}:"
              f"{related.location.span.column}: {related.message}"
              for related in diagnostic.related]
    if diagnostic.url:
        lines.append(f"  docs: {diagnostic.url}")
    return "\n".join(printable(line) for line in lines)


def _suite(path: str, diagnostics: list[Diagnostic]) -> ET.Element:
    """The suite of one file; control characters in its path and messages are escaped."""
    path = printable(path)
    count = str(len(diagnostics))
    suite = ET.Element("testsuite", {
        "name": xml_text(path), "tests": count, "failures": count, "errors": "0",
        "skipped": "0"})
    names: Counter[str] = Counter()
    for diagnostic in diagnostics:
        span = diagnostic.location.span
        name = f"{diagnostic.code} {diagnostic.name} at {span.line}:{span.column}"
        names[name] += 1
        if names[name] > 1:
            name = f"{name} (#{names[name]})"
        case = ET.SubElement(suite, "testcase", {
            "name": xml_text(name), "classname": xml_text(path), "file": xml_text(path),
            "line": str(span.line)})
        failure = ET.SubElement(case, "failure", {
            "message": xml_text(printable(diagnostic.message)), "type": diagnostic.severity.label})
        failure.text = xml_text(_failure_text(diagnostic, path))
    return suite


def render(result: RunResult, options: RenderOptions) -> str:
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in result.diagnostics:
        by_path.setdefault(posix_relative(diagnostic.location.path), []).append(diagnostic)
    total = str(len(result.diagnostics))
    root = ET.Element("testsuites", {
        "name": "kpilint", "tests": total, "failures": total, "errors": "0", "skipped": "0"})
    for path, diagnostics in by_path.items():
        root.append(_suite(path, diagnostics))
    if not by_path:
        files = f"{result.files} file{'' if result.files == 1 else 's'}"
        root.set("tests", "1")
        suite = ET.SubElement(root, "testsuite", {
            "name": "kpilint", "tests": "1", "failures": "0", "errors": "0", "skipped": "0"})
        case = ET.SubElement(suite, "testcase", {"name": "kpilint check", "classname": "kpilint"})
        ET.SubElement(case, "system-out").text = f"All checks passed ({files} checked)."
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
