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
from kpilint.build import SpecFile, build_spec_file
from kpilint.diagnostics import Violation
from kpilint.graph import ProjectGraph
from kpilint.load import LoadedYaml
from kpilint.rule import Context
from kpilint.rules.g104_unmeasured_ksf import UnmeasuredKsf
from kpilint.rules.s206_missing_source import MissingSource
from kpilint.server import serve

real_graph = ProjectGraph
file_rule_check = MissingSource.check
project_rule_check = UnmeasuredKsf.check


def crashing_file_rule(self: Any, spec: SpecFile, context: Context) -> Iterator[Violation]:
    if "x-crash-rule" in spec.text:
        raise RuntimeError("planted file rule bug")
    return file_rule_check(self, spec, context)


def crashing_project_rule(self: Any, graph: ProjectGraph, context: Context,
                          ) -> Iterator[Violation]:
    if any("x-crash-project" in spec.text for spec in graph.files):
        raise ZeroDivisionError("planted project rule bug")
    return project_rule_check(self, graph, context)


def crashing_builder(path: str, loaded: LoadedYaml) -> SpecFile:
    if "x-crash-loader" in loaded.text:
        raise RuntimeError("planted loader bug")
    return build_spec_file(path, loaded)


def crashing_graph(files: Iterable[SpecFile]) -> ProjectGraph:
    specs = list(files)
    if any("x-crash-engine" in spec.text for spec in specs):
        raise RuntimeError("planted engine bug")
    return real_graph(specs)


MissingSource.check = crashing_file_rule  # type: ignore[method-assign]
UnmeasuredKsf.check = crashing_project_rule  # type: ignore[method-assign]
engine.build_spec_file = crashing_builder  # type: ignore[attr-defined]
engine.ProjectGraph = crashing_graph  # type: ignore[attr-defined, assignment]

if __name__ == "__main__":
    serve()
