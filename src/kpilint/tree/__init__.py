"""The KPI tree that ``kpilint graph`` draws (SPEC §7): the model every format renders.

:func:`tree_of_run` turns a check run into a :class:`KpiTree`: the entities of the named files and
everything connected to them (so a team file is drawn with the goal it supports), the edges between
them as the project graph holds them (``supports`` KPI -> KSF -> KGI, ``paired_with`` KPI -> KPI,
``formula`` KGI -> KPI), and on each node the findings of that check run whose subject it is.
A node with an ``actual`` shows it against its target; the run's findings mark it off track (R501)
or as the bottleneck of its KGI's formula (the first related entity of a T404 finding).
Nodes are layered (KGIs on top, KSFs in the middle, KPIs at the bottom) and ordered within their
layer to reduce crossings (:mod:`kpilint.tree.layout`). Each format is one module with a
``render(tree) -> str`` function, imported on first use.
"""

from __future__ import annotations

import datetime
import importlib
import os
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from kpilint.checks import IndicatorInference, number
from kpilint.diagnostics import Diagnostic, Location, Severity, plural
from kpilint.graph import PAIRED_WITH, SUPPORTS, ProjectGraph
from kpilint.model import Actual, Band

if TYPE_CHECKING:
    from kpilint.checker import CheckOutcome
    from kpilint.engine import Linter

FORMULA = "formula"
FORMATS = ("mermaid", "dot", "json", "html")
_MODULES = {"mermaid": "mermaid", "dot": "dot", "json": "json_tree", "html": "html"}
KIND_LAYER = {"KGI": 0, "KSF": 1, "KPI": 2}
EDGE_KINDS = (SUPPORTS, PAIRED_WITH, FORMULA)
OFF_TRACK_CODE = "R501"
BOTTLENECK_CODE = "T404"


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported diagnostic, as the tree shows it."""

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    line: int
    column: int

    @classmethod
    def of(cls, diagnostic: Diagnostic) -> Finding:
        span = diagnostic.location.span
        return cls(diagnostic.code, diagnostic.name, diagnostic.severity, diagnostic.message,
                   diagnostic.location.path, span.line, span.column)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


def worst_of(findings: Iterable[Finding]) -> Severity | None:
    return max((finding.severity for finding in findings), default=None)


@dataclass(slots=True)
class TreeNode:
    """One entity: what the drawing shows of it, and its findings."""

    key: str
    id: str
    kind: str
    name: str
    project: str
    path: str
    line: int
    target: float | Band | None = None
    unit: str | None = None
    deadline: datetime.date | None = None
    baseline: float | None = None
    direction: str | None = None
    actual: Actual | None = None
    off_track: bool = False
    bottleneck: bool = False
    indicator: str | None = None
    indicator_inferred: bool = False
    primary: bool = False
    layer: int = 0
    order: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def worst(self) -> Severity | None:
        return worst_of(self.findings)

    @property
    def style(self) -> str:
        """``kgi``, ``ksf``, or for a KPI ``leading``, ``lagging`` or ``unknown``."""
        if self.kind != "KPI":
            return self.kind.lower()
        return self.indicator or "unknown"

    @property
    def kind_line(self) -> str:
        """``KPI · leading (inferred) · primary``."""
        parts = [self.kind]
        if self.kind == "KPI":
            parts.append(f"{self.indicator} (inferred)" if self.indicator_inferred else (
                self.indicator or "indicator?"))
        if self.primary:
            parts.append("primary")
        return " · ".join(parts)

    def quantity(self, value: float) -> str:
        """``200 count``, ``24%``, ``1,500``."""
        unit = self.unit or ""
        return f"{number(value)}%" if unit == "percent" else f"{number(value)} {unit}".rstrip()

    @property
    def target_text(self) -> str | None:
        """``target 200 count``, ``target 24%``, ``target ≥ 99.5%``, ``target 10 to 20 days``,
        or None without a target."""
        target = self.target
        if target is None:
            return None
        if not isinstance(target, Band):
            return f"target {self.quantity(target)}"
        if target.min is not None and target.max is not None:
            return f"target {number(target.min)} to {self.quantity(target.max)}"
        if target.min is not None:
            return f"target ≥ {self.quantity(target.min)}"
        assert target.max is not None
        return f"target ≤ {self.quantity(target.max)}"

    @property
    def progress(self) -> float | None:
        """How far the actual has come, 0 to 1: from the baseline to a number target (from 0
        without a baseline); 1 or 0 for a standing target (a band, `maintain`) held or not."""
        if self.actual is None or self.target is None:
            return None
        actual = self.actual.value
        if isinstance(self.target, Band) or self.direction == "maintain":
            return 0.0 if self.off_track else 1.0
        start = self.baseline if self.baseline is not None else 0.0
        if self.target == start:
            return None
        share = (actual - start) / (self.target - start)
        return min(1.0, max(0.0, share))

    @property
    def share_text(self) -> str | None:
        """``50%``: the share of the way from the baseline to a number target, or None."""
        progress = self.progress
        if progress is None or isinstance(self.target, Band) or self.direction == "maintain":
            return None
        return f"{progress:.0%}"

    @property
    def actual_short(self) -> str | None:
        """``160 count (20%)``, or None without an actual."""
        if self.actual is None:
            return None
        share = self.share_text
        text = self.quantity(self.actual.value)
        return f"{text} ({share})" if share else text

    @property
    def actual_text(self) -> str | None:
        """``actual 160 count on 2026-11-15 · 20% of the way``, or None without an actual."""
        if self.actual is None:
            return None
        text = f"actual {self.quantity(self.actual.value)} on {self.actual.as_of.isoformat()}"
        share = self.share_text
        return f"{text} · {share} of the way" if share else text

    @property
    def marks(self) -> list[str]:
        """``off track``, ``bottleneck``: what the drawing flags on the node."""
        return [mark for mark, flagged in (("off track", self.off_track),
                                           ("bottleneck", self.bottleneck)) if flagged]

    @property
    def progress_lines(self) -> list[str]:
        """The actual and the marks, as label lines: ``⚑ off track · bottleneck``."""
        lines = [self.actual_text] if self.actual_text else []
        return lines + (["⚑ " + " · ".join(self.marks)] if self.marks else [])

    @property
    def deadline_text(self) -> str | None:
        return f"by {self.deadline.isoformat()}" if self.deadline else None

    @property
    def findings_text(self) -> str | None:
        """``2 findings, worst: error``, or None without findings."""
        worst = self.worst
        if worst is None:
            return None
        count = len(self.findings)
        return f"{plural(count, 'finding')}, worst: {worst.label}"


@dataclass(frozen=True, slots=True)
class TreeEdge:
    """An edge of the project graph between two drawn nodes (keys), as the graph holds it."""

    source: str
    target: str
    kind: str


@dataclass(slots=True)
class KpiTree:
    """The drawn nodes (by layer, then order in the layer), their edges, and other findings."""

    nodes: list[TreeNode]
    edges: list[TreeEdge]
    other_findings: list[Finding] = field(default_factory=list)
    by_key: dict[str, TreeNode] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_key = {node.key: node for node in self.nodes}

    @property
    def layers(self) -> list[list[TreeNode]]:
        layers: list[list[TreeNode]] = []
        for node in self.nodes:
            while len(layers) <= node.layer:
                layers.append([])
            layers[node.layer].append(node)
        return layers

    def edges_of(self, kind: str) -> list[TreeEdge]:
        return [edge for edge in self.edges if edge.kind == kind]

    def pairs(self) -> list[tuple[TreeNode, TreeNode]]:
        """``paired_with`` edges once per pair (pairing is symmetric), in tree order."""
        seen: set[frozenset[str]] = set()
        pairs = []
        for edge in self.edges_of(PAIRED_WITH):
            both = frozenset((edge.source, edge.target))
            if both not in seen:
                seen.add(both)
                pairs.append((self.by_key[edge.source], self.by_key[edge.target]))
        return pairs

    def drawn_edges(self) -> list[tuple[TreeNode, TreeNode, str]]:
        """(lower, upper, kind) of every edge but pairings, each pointing up the tree.

        A supports edge already points from the contributor to what it supports; a formula edge
        (KGI -> its term KPI) is drawn from the term up to the KGI, so every arrow reads
        "contributes to".
        """
        drawn = []
        for edge in self.edges:
            if edge.kind == PAIRED_WITH:
                continue
            source, target = self.by_key[edge.source], self.by_key[edge.target]
            if edge.kind == FORMULA:
                source, target = target, source
            drawn.append((source, target, edge.kind))
        return drawn

    def counts(self) -> dict[str, int]:
        """Drawn nodes of each kind and findings of each severity (all findings of the run)."""
        counts = {kind: 0 for kind in KIND_LAYER}
        for node in self.nodes:
            counts[node.kind] = counts.get(node.kind, 0) + 1
        findings = [finding for node in self.nodes for finding in node.findings]
        findings += self.other_findings
        for severity in Severity:
            counts[severity.label] = sum(1 for finding in findings
                                         if finding.severity is severity)
        return counts


@dataclass(slots=True)
class ProjectView:
    """One project to draw: its graph, which of its files were named, how to infer indicators."""

    label: str
    graph: ProjectGraph
    named_paths: set[str] | None = None
    inference: IndicatorInference | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def tree_of_run(outcome: CheckOutcome, named: Sequence[Path], cwd: Path) -> KpiTree:
    """The tree of a check run; ``named`` are the absolute paths named (empty: every file)."""
    views = []
    reported = outcome.result.diagnostics
    for linter in outcome.linters:
        displays = {loaded.spec.path for loaded in linter.files.values()}
        named_paths = None if not named else {
            loaded.spec.path for loaded in linter.files.values()
            if any(loaded.absolute == path or path in loaded.absolute.parents
                   for path in named)}
        label = os.path.relpath(linter.root, cwd).replace(os.sep, "/")
        views.append(ProjectView(
            label, ProjectGraph(loaded.spec for loaded in linter.files.values()), named_paths,
            _inference(linter),
            [diagnostic for diagnostic in reported if diagnostic.location.path in displays]))
    claimed = {id(diagnostic) for view in views for diagnostic in view.diagnostics}
    tree = build_tree(views)
    tree.other_findings.extend(Finding.of(diagnostic) for diagnostic in reported
                               if id(diagnostic) not in claimed)
    tree.other_findings.sort(key=lambda finding: (finding.path, finding.line, finding.column))
    return tree


def _inference(linter: Linter) -> IndicatorInference | None:
    """G105's indicator inference with the project's settings (its extra lexicon terms)."""
    from kpilint import registry

    rule = registry.lookup("G105")
    if rule is None:
        return None
    instance = linter.config.make_rule(rule)
    return instance if isinstance(instance, IndicatorInference) else None


def build_tree(views: Sequence[ProjectView]) -> KpiTree:
    """The drawn nodes and edges of each project, and each node's findings."""
    from kpilint.tree.layout import assign_layers, order_layers

    chosen = [(view, _drawn_ids(view)) for view in views]
    counts: dict[str, int] = {}
    for _, ids in chosen:
        for entity_id in ids:
            counts[entity_id] = counts.get(entity_id, 0) + 1
    nodes: list[TreeNode] = []
    edges: list[TreeEdge] = []
    others: list[Finding] = []
    for index, (view, ids) in enumerate(chosen, start=1):
        keys = {entity_id: entity_id if counts[entity_id] == 1 else f"p{index}:{entity_id}"
                for entity_id in ids}
        project_nodes = {entity_id: _node(view, keys[entity_id], entity_id)
                         for entity_id in view.graph.entities if entity_id in ids}
        nodes.extend(project_nodes.values())
        for source, target, data in view.graph.graph.edges(data=True):
            if source in ids and target in ids:
                edges.append(TreeEdge(keys[source], keys[target], str(data.get("kind"))))
        for diagnostic in view.diagnostics:
            node = project_nodes.get(diagnostic.subject or "")
            (node.findings if node else others).append(Finding.of(diagnostic))
            if node is not None and diagnostic.code == OFF_TRACK_CODE:
                node.off_track = True
            if diagnostic.code == BOTTLENECK_CODE and diagnostic.related:
                term = project_nodes.get(_entity_at(view.graph, diagnostic.related[0].location))
                if term is not None:
                    term.bottleneck = True
    assign_layers(nodes, edges)
    order_layers(nodes, edges)
    nodes.sort(key=lambda node: (node.layer, node.order))
    return KpiTree(nodes, edges, others)


def _entity_at(graph: ProjectGraph, location: Location) -> str:
    """The id of the entity whose mapping holds ``location`` ("" when none does)."""
    start = (location.span.line, location.span.column)
    for entity_id, record in graph.entities.items():
        span = record.node.span
        if record.path == location.path and (
                (span.line, span.column) <= start <= (span.end_line, span.end_column)):
            return entity_id
    return ""


def _drawn_ids(view: ProjectView) -> set[str]:
    """Entities of the named files and every entity connected to them."""
    graph = view.graph
    if view.named_paths is None:
        return set(graph.entities)
    seeds = {entity_id for entity_id, record in graph.entities.items()
             if record.path in view.named_paths}
    drawn: set[str] = set()
    for component in nx.weakly_connected_components(graph.graph):
        if component & seeds:
            drawn |= component
    return drawn


def _node(view: ProjectView, key: str, entity_id: str) -> TreeNode:
    from kpilint.progress import direction_of

    record = view.graph.entities[entity_id]
    model = record.model
    node = TreeNode(key, entity_id, record.kind, model.name, view.label, record.path,
                    record.node.span.line)
    node.target = getattr(model, "target", None)
    node.unit = getattr(model, "unit", None)
    node.deadline = getattr(model, "deadline", None)
    baseline = getattr(model, "baseline", None)
    node.baseline = baseline.value if baseline is not None else None
    node.direction = direction_of(model)
    node.actual = getattr(model, "actual", None)
    node.primary = bool(getattr(model, "primary", False))
    if record.kind == "KPI":
        node.indicator = getattr(model, "indicator", None)
        if node.indicator is None and view.inference is not None:
            from kpilint.model import Kpi

            assert isinstance(model, Kpi)
            node.indicator = view.inference.indicator(model)
            node.indicator_inferred = node.indicator is not None
    return node


def renderer(name: str) -> Callable[[KpiTree], str]:
    """The ``render`` function of one format's module."""
    module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    render: Callable[[KpiTree], str] = module.render
    return render


def display_width(text: str) -> int:
    """The columns ``text`` takes: a wide character (Japanese, Chinese, Korean) counts two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def fitting(text: str, limit: int) -> str:
    """The longest start of ``text`` at most ``limit`` columns wide."""
    width = 0
    for index, char in enumerate(text):
        width += display_width(char)
        if width > limit:
            return text[:index]
    return text


def clip(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` columns with an ellipsis."""
    text = " ".join(text.split())
    if display_width(text) <= limit:
        return text
    return fitting(text, limit - 1).rstrip() + "…"
