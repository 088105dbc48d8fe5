"""The real language server, with bugs planted to show that it keeps serving through them.

- S206 (a file rule) raises on a file containing ``x-crash-rule``;
- G104 (a project rule) raises when any file contains ``x-crash-project``;
- the model builder raises on a file containing ``x-crash-loader`` (a bug outside any rule);
- the engine's graph raises when any file contains ``x-crash-engine`` (the whole check fails).

Run as ``python tests/lsp/crashing_server.py``; it speaks LSP over stdio like ``kpilint server``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from kpilint import engine
from kpilint.build import EntityRecord, SpecFile
from kpilint.diagnostics import Violation
from kpilint.dialects import build_file
from kpilint.graph import FileKey, GraphChange, ProjectGraph
from kpilint.load import LoadedYaml
from kpilint.rule import Context
from kpilint.rules.g104_unmeasured_ksf import UnmeasuredKsf
from kpilint.rules.s206_missing_source import MissingSource
from kpilint.server import serve

real_load_all = ProjectGraph.load_all
real_replace_file = ProjectGraph.replace_file
file_rule_check = MissingSource.check
project_rule_check = UnmeasuredKsf.check_unit


def crashing_file_rule(self: Any, spec: SpecFile, context: Context) -> Iterator[Violation]:
    if "x-crash-rule" in spec.text:
        raise RuntimeError("planted file rule bug")
    return file_rule_check(self, spec, context)


def crashing_project_rule(self: Any, graph: ProjectGraph, record: EntityRecord[Any],
                          context: Context) -> Iterator[Violation]:
    if any("x-crash-project" in spec.text for spec in graph.files):
        raise ZeroDivisionError("planted project rule bug")
    return project_rule_check(self, graph, record, context)


def crashing_builder(path: str, loaded: LoadedYaml, dialect: str | None) -> SpecFile:
    if "x-crash-loader" in loaded.text:
        raise RuntimeError("planted loader bug")
    return build_file(path, loaded, dialect)


def crashing_load_all(self: ProjectGraph, files: Iterable[tuple[FileKey, SpecFile]]) -> None:
    listed = list(files)
    if any("x-crash-engine" in spec.text for _, spec in listed):
        raise RuntimeError("planted engine bug")
    real_load_all(self, listed)


def crashing_replace_file(self: ProjectGraph, key: FileKey, spec: SpecFile | None,
                          ) -> GraphChange:
    if spec is not None and "x-crash-engine" in spec.text:
        raise RuntimeError("planted engine bug")
    return real_replace_file(self, key, spec)


MissingSource.check = crashing_file_rule  # type: ignore[method-assign]
UnmeasuredKsf.check_unit = crashing_project_rule  # type: ignore[method-assign]
UnmeasuredKsf.reads = None  # the planted bug reads every file's text: re-run on any change
engine.build_file = crashing_builder
ProjectGraph.load_all = crashing_load_all  # type: ignore[method-assign]
ProjectGraph.replace_file = crashing_replace_file  # type: ignore[method-assign]

if __name__ == "__main__":
    serve()
