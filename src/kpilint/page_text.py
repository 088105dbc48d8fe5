"""Rule pages (markdown in ``rules/``) as terminal text: what ``kpilint rule`` prints.

The front matter and HTML comments go; headings are underlined, code blocks indented, tables
aligned; links keep their text (a link to a rule page is the rule's name, for ``kpilint rule
NAME``); the test markers of examples (``# expect: P302``) say in words where the rule fires, and
an example's ``config`` block is labelled. On a terminal, headings are bold and inline code is
colored; otherwise the text is plain.
"""

from __future__ import annotations

import re

FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
EXPECT_MARKER = re.compile(r"\s*(?:#|--)\s*expect:\s*([A-Z]\d{3})\s*$")
BOLD, CYAN, RESET = "\033[1m", "\033[36m", "\033[0m"
UNDERLINES = {1: "=", 2: "-"}
CODE_INDENT = "    "


def page_text(markdown: str, color: bool = False) -> str:
    """The page as text for a terminal (``color``) or a pipe."""
    body = HTML_COMMENT.sub("", FRONT_MATTER.sub("", markdown, count=1))
    lines: list[str] = []
    table: list[list[str]] = []
    in_code = False
    for line in body.splitlines():
        if not in_code and line.startswith("|"):
            table.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        if table:
            lines.extend(_table(table, color))
            table = []
        if line.startswith("```"):
            in_code = not in_code
            if in_code and line.endswith(" config"):
                lines.extend(["With this configuration (kpilint.toml):", ""])
            continue
        if in_code:
            lines.append(CODE_INDENT + EXPECT_MARKER.sub(r"  # \1 fires here", line)
                         if line else "")
        elif heading := HEADING.match(line):
            lines.extend(_heading(len(heading[1]), _inline(heading[2], color=False), color))
        else:
            lines.append(_inline(line, color))
    lines.extend(_table(table, color))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines).strip("\n") + "\n")


def _table(rows: list[list[str]], color: bool) -> list[str]:
    """A pipe table as aligned columns, without its ``|---|`` separator row."""
    cells = [[_shown(cell, color) for cell in row]
             for row in rows if not all(set(cell) <= set("-: ") for cell in row)]
    widths: dict[int, int] = {}
    for row in cells:
        for column, (_, width) in enumerate(row):
            widths[column] = max(widths.get(column, 0), width)
    return ["  ".join(shown + " " * (widths[column] - width)
                      for column, (shown, width) in enumerate(row)).rstrip() for row in cells]


def _heading(level: int, title: str, color: bool) -> list[str]:
    shown = f"{BOLD}{title}{RESET}" if color else title
    underline = UNDERLINES.get(level)
    return ["", shown, underline * len(title)] if underline else ["", shown]


def _inline(line: str, color: bool) -> str:
    return _shown(line, color)[0]


def _shown(text: str, color: bool) -> tuple[str, int]:
    """Inline markdown as shown, and its width on screen (escape codes take none)."""
    plain = LINK.sub(_link, text)
    if not color:
        return plain, len(plain)
    return CODE_SPAN.sub(rf"{CYAN}\1{RESET}", plain), len(CODE_SPAN.sub(r"\1", plain))


def _link(match: re.Match[str]) -> str:
    text, target = match[1], match[2]
    if "://" in target:
        return f"{text} ({target})"
    page = target.removesuffix(".md")
    return text if text == page or not target.endswith(".md") else f"{text} (kpilint rule {page})"
