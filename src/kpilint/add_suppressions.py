"""``kpilint check --add-suppressions``: write a suppression comment for every current finding.

Each comment goes at the end of the finding's line, or on a line of its own just above it when
the line ends inside a multi-line scalar (where a ``#`` would be text). Only inserted bytes
change: line endings, a BOM, a missing final newline and every other byte stay as they were.
Files are replaced atomically; running it twice changes nothing the second time.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from kpilint.build import SpecFile
from kpilint.diagnostics import Diagnostic
from kpilint.fileio import write_atomically
from kpilint.load import UTF8_BOM
from kpilint.registry import UNSUPPRESSIBLE
from kpilint.suppressions import DIRECTIVE

META_PREFIX = "X"  # findings about kpilint itself and its comments: fixed, never suppressed
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
LEADING_SPACE = re.compile(r"[ \t]*")


def add_suppressions(files: Iterable[tuple[Path, SpecFile, list[Diagnostic]]]) -> tuple[int, int]:
    """Write comments for the findings of each (file, model, findings); (comments, files)."""
    comments = changed = 0
    for absolute, spec, diagnostics in files:
        codes_by_line: dict[int, list[str]] = defaultdict(list)
        for diagnostic in diagnostics:
            if diagnostic.code in UNSUPPRESSIBLE or diagnostic.code.startswith(META_PREFIX):
                continue
            line_codes = codes_by_line[diagnostic.location.span.line]
            if diagnostic.code not in line_codes:
                line_codes.append(diagnostic.code)
        if not codes_by_line:
            continue
        original = absolute.read_bytes()
        updated = with_comments(original, codes_by_line, unsafe_line_ends(spec))
        if updated != original:
            write_atomically(absolute, updated)
            comments += len(codes_by_line)
            changed += 1
    return comments, changed


def with_comments(data: bytes, codes_by_line: dict[int, list[str]],
                   unsafe: set[int]) -> bytes:
    bom = data.startswith(UTF8_BOM)
    text = data[len(UTF8_BOM):].decode("utf-8") if bom else data.decode("utf-8")
    lines = [line for line in LINE.findall(text) if line]
    output: list[str] = []
    for number, line in enumerate(lines, start=1):
        codes = codes_by_line.get(number)
        if codes is None:
            output.append(line)
        elif number in unsafe:
            indent = LEADING_SPACE.match(line)
            ending = _ending(line) or _ending(lines[0]) or "\n"
            output.append(f"{indent[0] if indent else ''}# kpilint: disable={','.join(codes)}"
                          f"{ending}{line}")
        else:
            output.append(_append_to_line(line, codes))
    result = "".join(output)
    return (UTF8_BOM if bom else b"") + result.encode("utf-8")


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


def _append_to_line(line: str, codes: list[str]) -> str:
    ending = _ending(line)
    body = line[:len(line) - len(ending)]
    existing = next((match for match in DIRECTIVE.finditer(body)
                     if match["kind"] == "disable"), None)
    if existing is not None:
        end = existing.end("codes")
        return f"{body[:end]},{','.join(codes)}{body[end:]}{ending}"
    gap = "" if body[-1:].isspace() else "  "
    return f"{body}{gap}# kpilint: disable={','.join(codes)}{ending}"


def unsafe_line_ends(spec: SpecFile) -> set[int]:
    """Lines whose end lies inside a scalar (a comment there would become part of it)."""
    unsafe: set[int] = set()
    for node, block in spec.scalars():
        first = node.span.line + 1 if block else node.span.line
        unsafe.update(range(first, node.span.end_line))
    return unsafe

