"""Gitignore-style globs (include, exclude, per-file-ignores, ``.gitignore`` files).

Globs come from files a pull request can change, so they are matched with RE2 (pathspec's
``re2`` backend, the ``google-re2`` package), in time linear in the path: ``*a*a*a*a*a*a*a*a*b``
against a long name cannot backtrack for minutes as it does with Python's ``re``.

A set of plain name globs, such as the default include and exclude (``**/*.kpi.yaml``,
``node_modules``), is matched by :class:`NameGlobs` instead, with the same result, and pathspec
(its import is a few per cent of a one-file run) is imported only for other globs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pathspec

BACKEND = "re2"
# A name glob: an optional "**/", then a file or folder name of these characters, where a "*"
# stands for any run of characters within the name.
NAME_GLOB = re.compile(r"(?:\*\*/)?([A-Za-z0-9_.*-]+)")


class InvalidGlob(ValueError):
    """A glob that is not a valid gitignore pattern; the message says which and why."""


class GlobMatcher(Protocol):
    """What kpilint needs of a compiled glob set (pathspec made ``PathSpec`` generic in 1.1,
    so its own type cannot be written the same way for every supported pathspec)."""

    def match_file(self, file: str, /) -> bool:
        """Whether the ``/``-separated relative path matches."""
        ...


class NameGlobs:
    """Name globs matched as pathspec's gitignore patterns match them: a path matches when one
    of its ``/``-separated names matches a glob whole (so a folder's glob matches everything in
    it). Like pathspec's, the names after a line feed are not looked at (its ``.`` stops there).
    Linear in the path: each glob is a name's start, its end, and pieces found in order."""

    def __init__(self, names: Iterable[str]) -> None:
        self.exact: frozenset[str] = frozenset(name for name in names if "*" not in name)
        self.wild: tuple[tuple[str, ...], ...] = tuple(
            tuple(name.split("*")) for name in names if "*" in name)

    @classmethod
    def of(cls, patterns: list[str]) -> NameGlobs | None:
        """The matcher of ``patterns`` if each is a name glob (``NAME_GLOB``, no ``**`` in the
        name, and some letter, digit, ``_`` or ``-`` in it), else None."""
        names = []
        for pattern in patterns:
            found = NAME_GLOB.fullmatch(pattern)
            if found is None or "**" in found[1] or not found[1].strip(".*"):
                return None
            names.append(found[1])
        return cls(names)

    def match_file(self, file: str, /) -> bool:
        """Whether a name of the ``/``-separated relative path ``file`` matches a glob."""
        if file.startswith("/"):
            file = file[1:]  # as pathspec normalises it
        elif file.startswith("./"):
            file = file[2:]
        names = file.split("/")
        for index, name in enumerate(names):
            if (index != 1 or names[0]) and self._matches(name):
                return True
            if "\n" in name:
                return False
        return False

    def _matches(self, name: str) -> bool:
        if name in self.exact:
            return True
        return any(_wild_match(pieces, name) for pieces in self.wild)


def _wild_match(pieces: tuple[str, ...], name: str) -> bool:
    """Whether ``name`` is ``pieces`` joined by runs of any characters (a glob's ``*``)."""
    first, *middle, last = pieces
    if len(name) < len(first) + len(last) or not (
            name.startswith(first) and name.endswith(last)):
        return False
    position, end = len(first), len(name) - len(last)
    for piece in middle:
        found = name.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def glob_spec(patterns: Iterable[str]) -> GlobMatcher:
    """A matcher for config globs; raises :class:`InvalidGlob` for a bad one."""
    patterns = list(patterns)
    names = NameGlobs.of(patterns)
    if names is not None:
        return names
    import pathspec

    try:
        return pathspec.PathSpec.from_lines("gitignore", patterns, backend=BACKEND)
    except (ValueError, re.error):
        bad = next(pattern for pattern in patterns if not _is_valid(pattern))
        raise InvalidGlob(f"{bad!r} is not a valid gitignore-style glob") from None


def gitignore_spec(lines: Iterable[str]) -> pathspec.GitIgnoreSpec:
    """A ``.gitignore`` file's matcher; lines git would not understand are skipped, as git
    skips them."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(
        [line for line in lines if _is_valid(line)], backend=BACKEND)


def _is_valid(pattern: str) -> bool:
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([pattern], backend=BACKEND)
    except (ValueError, re.error):
        return False
    return True
