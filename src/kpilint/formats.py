"""Recognise KPI-adjacent file formats that are not kpilint v1 specs (SPEC 10.4).

A file whose first document looks like one of :data:`FORMATS` gets one E002 at 1:1 that names
the format and the next step, instead of "missing `version`" plus one "unknown key" per entry.
Adding a format is one :class:`ForeignFormat` entry: a name, a test on the document's root node,
and the advice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kpilint.load import MappingNode, Node, ScalarNode, SequenceNode

V1_SECTIONS = ("kgis", "ksfs", "kpis")
GITLAB_PI_KEYS = ("is_key", "org", "health", "target")
KEY_RESULT_KEYS = ("key_results", "keyResults", "key-results", "krs", "results")


@dataclass(frozen=True, slots=True)
class ForeignFormat:
    """A file format kpilint recognises but does not read as a v1 spec (without a dialect)."""

    name: str
    looks_like: Callable[[Node], bool]
    advice: str
    any_version: bool = False
    """Whether a `version` key does not rule it out (dbt files carry `version: 2`)."""

    def message(self) -> str:
        """The E002 message: which format, and what to do."""
        return f"this looks like {self.name}, not a kpilint v1 spec: {self.advice}"


def _mapping_items(node: Node) -> list[MappingNode] | None:
    """The items of a list whose items are all mappings, else None."""
    if not isinstance(node, SequenceNode) or not node.items:
        return None
    items = [item for item in node.items if isinstance(item, MappingNode)]
    return items if len(items) == len(node.items) else None


def _is_gitlab_pi(root: Node) -> bool:
    """A top-level list of mappings, each with `name`, and any of is_key, org, health, target."""
    items = _mapping_items(root)
    return items is not None and all(item.get("name") is not None for item in items) and any(
        item.get(key) is not None for item in items for key in GITLAB_PI_KEYS)


def _is_dbt_semantic_layer(root: Node) -> bool:
    """A mapping with top-level `semantic_models` or `metrics` and no v1 section."""
    return isinstance(root, MappingNode) and any(
        root.get(key) is not None for key in ("semantic_models", "metrics")) and all(
        root.get(key) is None for key in V1_SECTIONS)


def _is_openslo(root: Node) -> bool:
    """A mapping whose `apiVersion` is `openslo/...`."""
    if not isinstance(root, MappingNode):
        return False
    pair = root.get("apiVersion")
    return pair is not None and isinstance(pair[1], ScalarNode) and (
        pair[1].text.lower().startswith("openslo/"))


def _is_okr(root: Node) -> bool:
    """A mapping with top-level `objectives` or `okrs`: a list of items holding key results."""
    if not isinstance(root, MappingNode):
        return False
    for key in ("objectives", "okrs"):
        pair = root.get(key)
        items = _mapping_items(pair[1]) if pair is not None else None
        if items and any(item.get(name) is not None
                         for item in items for name in KEY_RESULT_KEYS):
            return True
    return False


FORMATS: tuple[ForeignFormat, ...] = (
    ForeignFormat(
        "GitLab handbook performance indicators (a list of indicators with name, is_key, org,"
        " health, target)", _is_gitlab_pi,
        "read it as it is with `--dialect gitlab-pi` (or map its glob to \"gitlab-pi\" in the"
        " config's `[dialects]` table), or convert it once with"
        " `kpilint convert --from gitlab-pi FILE --output-dir DIR`"),
    ForeignFormat(
        "a dbt semantic layer file (top-level `metrics` or `semantic_models`)",
        _is_dbt_semantic_layer,
        "keep the metric in dbt and link the KPI it measures with `source: dbt:<metric_name>`"
        " in a spec file; kpilint checks that the metric exists",
        any_version=True),
    ForeignFormat(
        "an OpenSLO document (`apiVersion: openslo/...`)", _is_openslo,
        "kpilint does not read SLOs; describe the KPI the objective serves in a spec file"
        " (`version: 1` with kgis, ksfs, kpis), or leave this file out of the run"
        " (config `extend-exclude`)"),
    ForeignFormat(
        "an OKR file (objectives with key results)", _is_okr,
        "rewrite it as a spec file (`version: 1`): an objective becomes a KGI (or a KSF under"
        " one) and each measurable key result a KPI that supports it"),
)


def _is_v1(root: Node) -> bool:
    """Whether the document declares `version: 1` (so it is read as a v1 spec)."""
    if not isinstance(root, MappingNode):
        return False
    pair = root.get("version")
    return pair is not None and isinstance(pair[1], ScalarNode) and pair[1].value == 1 and (
        pair[1].value is not True)


def recognise(root: Node) -> ForeignFormat | None:
    """The foreign format ``root`` (a document's root node) looks like, if any."""
    v1 = _is_v1(root)
    return next((each for each in FORMATS
                 if (each.any_version or not v1) and each.looks_like(root)), None)
