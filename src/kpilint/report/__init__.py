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
    from kpilint.cache import Json
    from kpilint.suppressions import Suppression

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit")
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
    kept_records: KeptRecords | None = None

    def count(self, severity: Severity) -> int:
        return countOf(map(_SEVERITY, self.diagnostics), severity)


@dataclass(slots=True)
class KeptRecords:
    """What lets the JSON writer copy a file's records from the report a run of the same
    rendering kept, instead of writing them again.

    A file's records are a function of its findings alone. ``reusable`` names the files whose
    findings are all reported and are those of their line in the cached state's base
    ``base`` (its checksum); the kept report's pieces (``load``: ``{"base": checksum, "files":
    {path: [start, end]}}`` and the report's text) give where each file's records are in it,
    written when the findings were those of the base named there. The writer fills ``pieces``
    with this report's, for the files of ``keep`` (their findings are those of base ``after``).
    """

    reusable: set[str]
    base: str
    load: Callable[[], tuple[Json, bytes] | None]
    keep: set[str]
    after: str
    pieces: Json = None

    def previous(self) -> tuple[str, dict[str, Json]] | None:
        """The kept report's text and its files' pieces, when they were written against the
        same base (else None: nothing of it can be copied)."""
        if not self.reusable or not self.base:
            return None
        loaded = self.load()
        if loaded is None:
            return None
        pieces, text = loaded
        if not isinstance(pieces, dict) or pieces.get("base") != self.base:
            return None
        files = pieces.get("files")
        try:
            return (text.decode("utf-8"), files) if isinstance(files, dict) else None
        except UnicodeDecodeError:
            return None


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
