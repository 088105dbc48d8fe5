"""Renderers: one module per output format, each a pure function of the run's result."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter, countOf
from typing import TYPE_CHECKING

from kpilint.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from kpilint.baseline import BaselineKey
    from kpilint.report.json_format import KeptRecords
    from kpilint.run_state import KeptPart
    from kpilint.suppressions import Suppression

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit")
TEXT_FORMATS = ("text", "concise")
"""The formats written for people, in the terminal's encoding; the others are documents for
programs, always UTF-8."""
_SEVERITY = attrgetter("severity")


@dataclass(frozen=True, slots=True)
class RunResult:
    """What a check run found: the reported diagnostics and the number of files reported on.

    ``suppressed`` pairs each finding a comment hid with that comment; ``baseline_hidden`` is
    None without a baseline; ``baseline_stale`` lists (entry, its count, findings now).
    """

    diagnostics: list[Diagnostic]
    files: int
    suppressed: list[tuple[Diagnostic, Suppression]] = field(default_factory=list)
    baseline_hidden: int | None = None
    baseline_stale: list[tuple[BaselineKey, int, int]] = field(default_factory=list)
    fixed: int = 0  # fixes ``--fix`` applied before this result was found
    kept: list[KeptPart] = field(default_factory=list)
    """Reported findings of other paths than those of ``diagnostics``, as a restored state
    stores them, by path (only with ``CheckOptions.keep_stored``, for the JSON writer)."""
    records: KeptRecords | None = None
    """What lets the JSON writer copy records from the report kept for the same rendering."""

    def count(self, severity: Severity) -> int:
        return countOf(map(_SEVERITY, self.diagnostics), severity) + sum(
            part.count(severity) for part in self.kept)


@dataclass(frozen=True, slots=True)
class RenderOptions:
    color: bool = False
    quiet: bool = False
    show_suppressed: bool = False


Renderer = Callable[[RunResult, RenderOptions], str]


def posix_relative(path: str) -> str:
    """A path as machine formats write it: POSIX, relative to the working directory."""
    relative = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    return relative.replace(os.sep, "/")


def renderer(name: str) -> Renderer:
    """The ``render`` function of ``kpilint.report.<name>``, imported on first use."""
    module = importlib.import_module(f"{__name__}.{name}_format")
    render: Renderer = module.render
    return render
