"""Renderers: one module per output format, each a pure function of the run's result."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from kpilint.diagnostics import Diagnostic, Severity

FORMATS = ("text", "json")


@dataclass(frozen=True, slots=True)
class RunResult:
    """What a check run found: the reported diagnostics and the number of files reported on."""

    diagnostics: list[Diagnostic]
    files: int

    def count(self, severity: Severity) -> int:
        return sum(1 for diagnostic in self.diagnostics if diagnostic.severity is severity)


@dataclass(frozen=True, slots=True)
class RenderOptions:
    color: bool = False
    quiet: bool = False


Renderer = Callable[[RunResult, RenderOptions], str]


def renderer(name: str) -> Renderer:
    """The ``render`` function of ``kpilint.report.<name>``, imported on first use."""
    module = importlib.import_module(f"{__name__}.{name}_format")
    render: Renderer = module.render
    return render
