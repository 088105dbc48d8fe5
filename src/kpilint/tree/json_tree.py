"""The KPI tree as JSON: nodes with their facts and findings, and the graph's edges.

Edges are written as the project graph holds them: ``supports`` from the supporting entity to
what it supports, ``paired_with`` from a KPI to its counter KPI, ``formula`` from a KGI to a KPI
of its formula. ``source`` and ``target`` are node ``key``s: the entity id, or ``p<N>:<id>``
when several projects drawn together share an id (``project`` tells them apart).
"""

from __future__ import annotations

import json
from typing import Any

from kpilint import __version__
from kpilint.model import Band
from kpilint.tree import Finding, KpiTree, TreeNode, worst_of


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value.is_integer() else value


def target_record(target: float | Band | None) -> float | int | dict[str, Any] | None:
    """A number target as a number, a band as ``{"min": 95, "max": null}``."""
    if isinstance(target, Band):
        return {"min": _number(target.min), "max": _number(target.max)}
    return _number(target)


def finding_record(finding: Finding) -> dict[str, Any]:
    return {"code": finding.code, "name": finding.name, "severity": finding.severity.label,
            "message": finding.message, "path": finding.path, "line": finding.line,
            "column": finding.column}


def findings_record(findings: list[Finding]) -> dict[str, Any]:
    worst = worst_of(findings)
    return {"count": len(findings), "worst_severity": worst.label if worst else None,
            "diagnostics": [finding_record(finding) for finding in findings]}


def node_record(node: TreeNode) -> dict[str, Any]:
    return {
        "key": node.key,
        "id": node.id,
        "kind": node.kind,
        "name": node.name,
        "target": target_record(node.target),
        "unit": node.unit,
        "deadline": node.deadline.isoformat() if node.deadline else None,
        "indicator": node.indicator,
        "indicator_inferred": node.indicator_inferred,
        "primary": node.primary,
        "project": node.project,
        "path": node.path,
        "line": node.line,
        "layer": node.layer,
        "order": node.order,
        "findings": findings_record(node.findings),
        "actual": None if node.actual is None else {
            "value": _number(node.actual.value), "as_of": node.actual.as_of.isoformat()},
        "progress": node.progress,
        "off_track": node.off_track,
        "bottleneck": node.bottleneck,
    }


def render(tree: KpiTree) -> str:
    counts = tree.counts()
    document = {
        "version": 1,
        "tool": {"name": "kpilint", "version": __version__},
        "summary": {"kgis": counts["KGI"], "ksfs": counts["KSF"], "kpis": counts["KPI"],
                    "edges": len(tree.edges), "errors": counts["error"],
                    "warnings": counts["warning"], "infos": counts["info"]},
        "nodes": [node_record(node) for node in tree.nodes],
        "edges": [{"source": edge.source, "target": edge.target, "kind": edge.kind}
                  for edge in tree.edges],
        "other_findings": findings_record(tree.other_findings),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
