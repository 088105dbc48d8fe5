"""Gitignore-style globs (include, exclude, per-file-ignores, ``.gitignore`` files).

Globs come from files a pull request can change, so they are matched with RE2 (pathspec's
``re2`` backend, the ``google-re2`` package), in time linear in the path: ``*a*a*a*a*a*a*a*a*b``
against a long name cannot backtrack for minutes as it does with Python's ``re``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

import pathspec

BACKEND = "re2"


class InvalidGlob(ValueError):
    """A glob that is not a valid gitignore pattern; the message says which and why."""


class GlobMatcher(Protocol):
    """What kpilint needs of a compiled glob set (pathspec made ``PathSpec`` generic in 1.1,
    so its own type cannot be written the same way for every supported pathspec)."""

    def match_file(self, file: str, /) -> bool:
        """Whether the ``/``-separated relative path matches."""
        ...


def glob_spec(patterns: Iterable[str]) -> GlobMatcher:
    """A matcher for config globs; raises :class:`InvalidGlob` for a bad one."""
    patterns = list(patterns)
    try:
        return pathspec.PathSpec.from_lines("gitignore", patterns, backend=BACKEND)
    except (ValueError, re.error):
        bad = next(pattern for pattern in patterns if not _is_valid(pattern))
        raise InvalidGlob(f"{bad!r} is not a valid gitignore-style glob") from None


def gitignore_spec(lines: Iterable[str]) -> pathspec.GitIgnoreSpec:
    """A ``.gitignore`` file's matcher; lines git would not understand are skipped, as git
    skips them."""
    return pathspec.GitIgnoreSpec.from_lines(
        [line for line in lines if _is_valid(line)], backend=BACKEND)


def _is_valid(pattern: str) -> bool:
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern], backend=BACKEND)
    except (ValueError, re.error):
        return False
    return True
