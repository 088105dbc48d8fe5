"""A layered layout of the KPI tree: layers, order within layers, and coordinates for the SVG.

1. Layers: longest-path layering over ``supports`` edges, each kind no higher than its own layer
   (KGIs 0, KSFs 1, KPIs 2), empty layers dropped: KGIs on top, KSFs in the middle, KPIs at the
   bottom.
2. Order: barycenter sweeps, down then up, over ``supports`` and ``formula`` edges; the order with
   the fewest crossings between adjacent layers wins. Nodes linked to nothing go last.
3. Coordinates (:func:`place`, HTML only): each node hangs under its primary parent (the first
   entity it supports in the nearest layer above), upper layers side by side, and the bottom layer
   wraps: a parent's bottom-layer children stand in a column under it, several columns of at most
   ``MAX_ROWS`` when there are many. So 200 KPIs make a grid a few thousand pixels wide, drawn at
   full size, instead of one row 40,000 pixels long. Edges other than the tree lines (formula
   terms, second parents) are routed through the gaps between boxes, never under one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx

from kpilint.graph import SUPPORTS
from kpilint.tree import FORMULA, KIND_LAYER, KpiTree, TreeEdge, TreeNode

SWEEPS = 4
NODE_W, NODE_H = 248.0, 90.0
GAP_X, GAP_Y = 28.0, 64.0
STACK_GAP, INDENT = 14.0, 22.0
MAX_ROWS = 10
MARGIN = 32.0
PAIR_BULGE = 48.0
OFF_CENTER = 0.7


def assign_layers(nodes: Sequence[TreeNode], edges: Sequence[TreeEdge]) -> None:
    """Longest-path layering from the top over supports edges, then empty layers removed."""
    floor = {node.key: KIND_LAYER.get(node.kind, len(KIND_LAYER) - 1) for node in nodes}
    downward: nx.DiGraph[str] = nx.DiGraph()
    downward.add_nodes_from(floor)
    downward.add_edges_from((edge.target, edge.source) for edge in edges
                            if edge.kind == SUPPORTS)
    layer = dict(floor)
    if nx.is_directed_acyclic_graph(downward):
        for key in nx.topological_sort(downward):
            above = [layer[parent] + 1 for parent in downward.predecessors(key)]
            layer[key] = max([floor[key], *above])
    used = {value: index for index, value in enumerate(sorted(set(layer.values())))}
    for node in nodes:
        node.layer = used[layer[node.key]]


def order_layers(nodes: Sequence[TreeNode], edges: Sequence[TreeEdge]) -> None:
    """Set each node's ``order`` in its layer by barycenter sweeps (fewest crossings kept)."""
    neighbours: dict[str, set[str]] = {node.key: set() for node in nodes}
    layer_of = {node.key: node.layer for node in nodes}
    for edge in edges:
        if edge.kind in (SUPPORTS, FORMULA) and layer_of[edge.source] != layer_of[edge.target]:
            neighbours[edge.source].add(edge.target)
            neighbours[edge.target].add(edge.source)
    count = max((node.layer for node in nodes), default=-1) + 1
    layers: list[list[str]] = [[] for _ in range(count)]
    for node in nodes:
        layers[node.layer].append(node.key)
    for keys in layers:
        keys.sort(key=lambda key: not neighbours[key])
    best = [list(keys) for keys in layers]
    fewest = _crossings(best, neighbours)
    for _ in range(SWEEPS):
        if fewest == 0:
            break
        for index in range(1, count):
            _reorder(layers, index, neighbours, layer_of, above=True)
        for index in range(count - 2, -1, -1):
            _reorder(layers, index, neighbours, layer_of, above=False)
        crossings = _crossings(layers, neighbours)
        if crossings < fewest:
            best, fewest = [list(keys) for keys in layers], crossings
    position = {key: index for keys in best for index, key in enumerate(keys)}
    for node in nodes:
        node.order = position[node.key]


def _reorder(layers: list[list[str]], index: int, neighbours: dict[str, set[str]],
             layer_of: dict[str, int], above: bool) -> None:
    """Sort one layer by the mean position of its neighbours on the fixed side."""
    position = {key: (rank + 0.5) / len(keys) for keys in layers
                for rank, key in enumerate(keys)}

    def barycenter(key: str) -> float:
        fixed = [position[other] for other in neighbours[key]
                 if (layer_of[other] < index) == above and layer_of[other] != index]
        return sum(fixed) / len(fixed) if fixed else position[key]

    layers[index].sort(key=barycenter)


def _crossings(layers: list[list[str]], neighbours: dict[str, set[str]]) -> int:
    """Crossings between edges joining adjacent layers (inversions, counted with a Fenwick
    tree, so a sweep stays fast with thousands of KPIs)."""
    total = 0
    for upper, lower in itertools.pairwise(layers):
        up_position = {key: rank for rank, key in enumerate(upper)}
        spans = sorted((rank, up_position[other]) for rank, key in enumerate(lower)
                       for other in neighbours[key] if other in up_position)
        counts = [0] * (len(upper) + 1)
        inserted = start = 0
        while start < len(spans):
            end = start
            while end < len(spans) and spans[end][0] == spans[start][0]:
                end += 1
            for _, up in spans[start:end]:
                total += inserted - _prefix(counts, up + 1)
            for _, up in spans[start:end]:
                index = up + 1
                while index < len(counts):
                    counts[index] += 1
                    index += index & -index
                inserted += 1
            start = end
    return total


def _prefix(counts: list[int], index: int) -> int:
    """How many inserted positions are below ``index`` (Fenwick prefix sum)."""
    total = 0
    while index > 0:
        total += counts[index]
        index -= index & -index
    return total


@dataclass(frozen=True, slots=True)
class Box:
    """A node's rectangle (top-left corner); ``stacked`` when it stands in a column below
    another box (not the column's first)."""

    x: float
    y: float
    stacked: bool = False

    @property
    def center(self) -> float:
        return self.x + NODE_W / 2

    @property
    def bottom(self) -> float:
        return self.y + NODE_H

    @property
    def middle(self) -> float:
        return self.y + NODE_H / 2


@dataclass(frozen=True, slots=True)
class Line:
    """One drawn edge: an SVG path, its kind and whether it is the tree line to the parent."""

    path: str
    kind: str
    source: str
    target: str
    tree_line: bool = False


@dataclass(slots=True)
class Drawing:
    boxes: dict[str, Box] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0


def _n(value: float) -> str:
    return f"{value:g}"


class _Placer:
    """Tidy placement of the primary-parent forest, with the bottom layer in columns."""

    def __init__(self, tree: KpiTree) -> None:
        self.tree = tree
        self.bottom = max((node.layer for node in tree.nodes), default=0)
        self.parent: dict[str, TreeNode] = {}
        for edge in tree.edges_of(SUPPORTS):
            child, candidate = tree.by_key[edge.source], tree.by_key[edge.target]
            if candidate.layer >= child.layer:
                continue
            current = self.parent.get(child.key)
            if current is None or (-candidate.layer, candidate.order) < (
                    -current.layer, current.order):
                self.parent[child.key] = candidate
        self.children: dict[str, list[TreeNode]] = {node.key: [] for node in tree.nodes}
        for node in tree.nodes:
            if node.key in self.parent:
                self.children[self.parent[node.key].key].append(node)
        self.slots: dict[str, float] = {}
        self.spines: dict[str, float] = {}
        self.drawing = Drawing()

    def top(self, layer: int) -> float:
        return MARGIN + layer * (NODE_H + GAP_Y)

    def split(self, node: TreeNode) -> tuple[list[TreeNode], list[TreeNode]]:
        kids = self.children[node.key]
        return ([kid for kid in kids if kid.layer != self.bottom],
                [kid for kid in kids if kid.layer == self.bottom])

    @staticmethod
    def stack_width(count: int) -> float:
        return math.ceil(count / MAX_ROWS) * (INDENT + NODE_W + GAP_X)

    def slot(self, node: TreeNode) -> float:
        if node.key not in self.slots:
            flow, stack = self.split(node)
            self.slots[node.key] = max(
                NODE_W + GAP_X,
                sum(self.slot(kid) for kid in flow) + self.stack_width(len(stack)))
        return self.slots[node.key]

    def put(self, node: TreeNode, left: float) -> None:
        flow, stack = self.split(node)
        x = left
        for kid in flow:
            self.put(kid, x)
            x += self.slot(kid)
        if stack:
            self.put_stack(stack, x)
        self.drawing.boxes[node.key] = Box(left + (self.slot(node) - GAP_X - NODE_W) / 2,
                                           self.top(node.layer))

    def put_stack(self, nodes: list[TreeNode], left: float) -> None:
        columns = math.ceil(len(nodes) / MAX_ROWS)
        rows = math.ceil(len(nodes) / columns)
        for index, node in enumerate(nodes):
            column, row = divmod(index, rows)
            column_left = left + column * (INDENT + NODE_W + GAP_X)
            self.drawing.boxes[node.key] = Box(
                column_left + INDENT, self.top(self.bottom) + row * (NODE_H + STACK_GAP),
                row > 0)
            self.spines[node.key] = column_left + INDENT / 2

    def place(self) -> Drawing:
        roots = [node for node in self.tree.nodes if node.key not in self.parent]
        x = MARGIN
        for root in roots:
            if root.layer != self.bottom:
                self.put(root, x)
                x += self.slot(root)
        loose = [root for root in roots if root.layer == self.bottom]
        if loose:
            self.put_stack(loose, x)
        self.draw_lines()
        boxes = self.drawing.boxes.values()
        self.drawing.width = max((box.x + NODE_W for box in boxes), default=0) + (
            MARGIN + PAIR_BULGE)
        self.drawing.height = max((box.bottom for box in boxes), default=0) + MARGIN
        return self.drawing

    def draw_lines(self) -> None:
        boxes, lines = self.drawing.boxes, self.drawing.lines
        for child_key, parent in self.parent.items():
            child, up = boxes[child_key], boxes[parent.key]
            if child_key in self.spines:
                path = (f"M{_n(up.center)},{_n(up.bottom)} V{_n(up.bottom + GAP_Y / 2)}"
                        f" H{_n(self.spines[child_key])} V{_n(child.middle)} H{_n(child.x)}")
            else:
                path = (f"M{_n(child.center)},{_n(child.y)} V{_n(child.y - GAP_Y / 2)}"
                        f" H{_n(up.center)} V{_n(up.bottom)}")
            lines.append(Line(path, SUPPORTS, child_key, parent.key, tree_line=True))
        for lower, upper, kind in self.tree.drawn_edges():
            if kind == SUPPORTS and self.parent.get(lower.key) is upper:
                continue
            path = (self.route(lower, upper) if lower.layer > upper.layer else
                    self.curve(boxes[lower.key], boxes[upper.key]))
            lines.append(Line(path, kind, lower.key, upper.key))
        for first, second in self.tree.pairs():
            a, b = boxes[first.key], boxes[second.key]
            ax, bx = a.x + NODE_W, b.x + NODE_W
            reach = max(ax, bx) + PAIR_BULGE
            lines.append(Line(
                f"M{_n(ax)},{_n(a.middle)} C{_n(reach)},{_n(a.middle)}"
                f" {_n(reach)},{_n(b.middle)} {_n(bx)},{_n(b.middle)}",
                "paired_with", first.key, second.key))

    def route(self, lower: TreeNode, upper: TreeNode) -> str:
        """An edge up the tree that runs only between boxes, never under one: out of the lower
        box (its top, or beside its column when a box stands on it), across in the gap below
        each layer, up through each layer in between at the free channel nearest the upper
        box, and into the upper box's bottom. It leaves and enters boxes off centre and runs
        across a quarter of the gap above the lower layer, clear of the tree lines (centred,
        halfway)."""
        start, end = self.drawing.boxes[lower.key], self.drawing.boxes[upper.key]
        end_x = end.x + NODE_W * OFF_CENTER
        if start.stacked:
            x = start.x + NODE_W + GAP_X / 2
            path = [f"M{_n(start.x + NODE_W)},{_n(start.middle)} H{_n(x)}"]
        else:
            path = [f"M{_n(start.x + NODE_W * OFF_CENTER)},{_n(start.y)}"]
        for layer in range(lower.layer - 1, upper.layer - 1, -1):
            path.append(f"V{_n(self.top(layer + 1) - GAP_Y / 4)}")
            x = end_x if layer == upper.layer else self.channel(layer, end_x)
            path.append(f"H{_n(x)}")
        path.append(f"V{_n(end.bottom)}")
        return " ".join(path)

    def channel(self, layer: int, target: float) -> float:
        """The x nearest ``target`` where a vertical line crosses ``layer`` between its boxes."""
        lefts = sorted(self.drawing.boxes[node.key].x for node in self.tree.nodes
                       if node.layer == layer)
        if all(not left - GAP_X / 2 <= target <= left + NODE_W + GAP_X / 2 for left in lefts):
            return target
        channels = [lefts[0] - GAP_X / 2, lefts[-1] + NODE_W + GAP_X / 2] + [
            (left + NODE_W + right) / 2 for left, right in itertools.pairwise(lefts)]
        return min(channels, key=lambda x: abs(x - target))

    @staticmethod
    def curve(lower: Box, upper: Box) -> str:
        """A curve from the lower box (its top, or its right side when a box stands on it) to the
        upper box's bottom."""
        if lower.stacked:
            start_x, start_y = lower.x + NODE_W, lower.middle
            bend_x, bend_y = start_x + GAP_X, start_y
        else:
            start_x, start_y = lower.center, lower.y
            bend_x, bend_y = start_x, start_y - GAP_Y
        end_x, end_y = upper.center, upper.bottom
        return (f"M{_n(start_x)},{_n(start_y)} C{_n(bend_x)},{_n(bend_y)}"
                f" {_n(end_x)},{_n(end_y + GAP_Y)} {_n(end_x)},{_n(end_y)}")


def place(tree: KpiTree) -> Drawing:
    """Boxes and edge paths of the tree, and the size of the picture."""
    return _Placer(tree).place()
