"""``kpilint check --statistics``: how many findings each rule has, most first."""

from __future__ import annotations

import json
from collections import Counter

from kpilint.diagnostics import plural
from kpilint.report import RunResult
from kpilint.report.text_format import files_shown


def render_statistics(result: RunResult, output_format: str) -> str:
    """A table (text) or a list of {code, name, severity, count} (json)."""
    counts = Counter((diagnostic.code, diagnostic.name, diagnostic.severity.label)
                     for diagnostic in result.diagnostics)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    if output_format == "json":
        records = [{"code": code, "name": name, "severity": severity, "count": count}
                   for (code, name, severity), count in rows]
        return json.dumps(records, indent=2) + "\n"
    if not rows:
        return "No findings.\n"
    width = len(str(rows[0][1]))
    lines = [f"{count:>{width}}  {code}  [{severity}]  {name}"
             for (code, name, severity), count in rows]
    total = sum(counts.values())
    lines.append(f"{plural(total, 'finding')} in {files_shown(result)}")
    return "\n".join(lines) + "\n"
