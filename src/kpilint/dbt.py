"""The dbt semantic layer (SPEC 10.6): the metrics a `source: dbt:<metric_name>` names.

The dbt project is config ``dbt-project`` (a directory under the root holding ``dbt_project.yml``),
else the shallowest ``dbt_project.yml`` under the root in path order, skipping ``dbt_packages/``,
``target/`` and the default excludes. Its metrics are the ``metrics:`` entries of the YAML files
under its ``model-paths`` (default ``models``), read with kpilint's own safe loader so that each
metric keeps its position (for go-to-definition). Everything is read once, on first use; the
YAML reader is imported only then (a check answered by its kept report finds no dbt project).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kpilint.config import DEFAULT_EXCLUDE
from kpilint.diagnostics import Span

if TYPE_CHECKING:
    from kpilint.load import MappingNode, Node

PREFIX = "dbt:"
PROJECT_FILE = "dbt_project.yml"
SKIPPED_DIRS = frozenset({"dbt_packages", "target", *DEFAULT_EXCLUDE})
DEFAULT_MODEL_PATHS = ("models",)
YAML_SUFFIXES = (".yml", ".yaml")


def metric_name(source: str) -> str | None:
    """The metric a `source` names (``dbt:revenue`` → ``revenue``), or None for other sources."""
    return source[len(PREFIX):].strip() if source.startswith(PREFIX) else None


@dataclass(frozen=True, slots=True)
class Metric:
    """One dbt metric and where its `name` is written."""

    name: str
    label: str | None
    description: str | None
    type: str | None
    path: Path
    span: Span


@dataclass(eq=False, slots=True)
class DbtProject:
    """The dbt project of a kpilint project (found lazily) and its metrics.

    ``configured`` is config ``dbt-project``, already checked to lie under ``root``.
    """

    root: Path
    configured: str | None = None
    _directory: Path | None = None
    _found: bool = False
    _metrics: dict[str, Metric] | None = None
    _texts: dict[Path, str] = field(default_factory=dict)
    _model_paths: tuple[str, ...] | None = None

    @property
    def directory(self) -> Path | None:
        """The dbt project's directory, or None when the root holds none."""
        if not self._found:
            self._found = True
            self._directory = (self.root / self.configured if self.configured is not None
                               else find_dbt_project(self.root))
        return self._directory

    def shown(self) -> str:
        """The dbt project's directory relative to the root, as messages name it."""
        directory = self.directory
        assert directory is not None
        relative = os.path.relpath(directory, self.root).replace(os.sep, "/")
        return relative

    @property
    def metrics(self) -> dict[str, Metric]:
        """The project's metrics by name (the first definition of a name wins)."""
        if self._metrics is None:
            from kpilint.load import Limits, read_file

            self._metrics = {}
            for path in self.metric_files():
                loaded = read_file(path, Limits())
                self._texts[path] = loaded.text
                for document in loaded.documents:
                    for metric in _metrics_in(document, path):
                        self._metrics.setdefault(metric.name, metric)
        return self._metrics

    def text_of(self, path: Path) -> str:
        """The text of a metric file as it was read (for positions in the editor)."""
        self.metrics  # noqa: B018 - reads the files once
        return self._texts.get(path, "")

    def reads(self, path: Path) -> bool:
        """Whether a change at ``path`` can change the metrics: a ``dbt_project.yml`` (this
        project's, or another that may now be found first), anything under a model path (a
        metric file, or a folder of them removed at once), or a folder holding the project."""
        if path.name == PROJECT_FILE:
            return True
        directory = self.directory
        if directory is None:
            return False
        path = Path(os.path.normpath(path))
        return Path(os.path.normpath(directory)).is_relative_to(path) or any(
            path.is_relative_to(os.path.normpath(directory / model_path))
            for model_path in self.model_paths())

    def model_paths(self) -> tuple[str, ...]:
        """``model-paths`` of the project's ``dbt_project.yml`` (read once)."""
        if self._model_paths is None:
            directory = self.directory
            self._model_paths = _model_paths(directory) if directory is not None else ()
        return self._model_paths

    def metric_files(self) -> list[Path]:
        """The YAML files under the dbt project's model paths, in path order."""
        directory = self.directory
        if directory is None:
            return []
        found: list[Path] = []
        for model_path in self.model_paths():
            base = directory / model_path
            if not base.resolve().is_relative_to(directory.resolve()) or not base.is_dir():
                continue
            for folder, subdirs, files in os.walk(base):
                subdirs[:] = sorted(name for name in subdirs if name not in SKIPPED_DIRS)
                found.extend(Path(folder) / name for name in sorted(files)
                             if name.endswith(YAML_SUFFIXES))
        return found


def find_dbt_project(root: Path) -> Path | None:
    """The shallowest directory under ``root`` holding ``dbt_project.yml`` (path order)."""
    level = [root]
    while level:
        below: list[Path] = []
        for directory in level:
            if (directory / PROJECT_FILE).is_file():
                return directory
            try:
                entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
            except OSError:
                continue
            below.extend(Path(entry.path) for entry in entries
                         if entry.name not in SKIPPED_DIRS and entry.is_dir(follow_symlinks=False))
        level = below
    return None


def _model_paths(directory: Path) -> tuple[str, ...]:
    """`model-paths` of ``dbt_project.yml`` (default ``models``); unreadable: the default."""
    from kpilint.load import Limits, MappingNode, ScalarNode, SequenceNode, read_file

    loaded = read_file(directory / PROJECT_FILE, Limits())
    root = loaded.documents[0] if loaded.documents else None
    pair = root.get("model-paths") if isinstance(root, MappingNode) else None
    if pair is None or not isinstance(pair[1], SequenceNode):
        return DEFAULT_MODEL_PATHS
    paths = tuple(item.text for item in pair[1].items if isinstance(item, ScalarNode))
    return paths or DEFAULT_MODEL_PATHS


def _metrics_in(document: Node | None, path: Path) -> list[Metric]:
    """The named entries of a document's top-level `metrics:` list."""
    from kpilint.load import MappingNode, ScalarNode, SequenceNode

    pair = document.get("metrics") if isinstance(document, MappingNode) else None
    if pair is None or not isinstance(pair[1], SequenceNode):
        return []
    found = []
    for item in pair[1].items:
        name = item.get("name") if isinstance(item, MappingNode) else None
        if isinstance(item, MappingNode) and name is not None and isinstance(
                name[1], ScalarNode) and name[1].text:
            found.append(Metric(name[1].text, _text(item, "label"), _text(item, "description"),
                                _text(item, "type"), path, name[1].span))
    return found


def _text(node: MappingNode, key: str) -> str | None:
    from kpilint.load import ScalarNode

    pair = node.get(key)
    if pair is None or not isinstance(pair[1], ScalarNode) or pair[1].value is None:
        return None
    return pair[1].text.strip() or None
