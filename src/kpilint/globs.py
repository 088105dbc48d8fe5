"""Gitignore-style globs (include, exclude, per-file-ignores, ``.gitignore`` files).

Globs come from files a pull request can change, so they are matched with RE2 (pathspec's
``re2`` backend, the ``google-re2`` package), in time linear in the path: ``*a*a*a*a*a*a*a*a*b``
against a long name cannot backtrack for minutes as it does with Python's ``re``.

A set of plain name globs, such as the default include and exclude (``**/*.kpi.yaml``,
``node_modules``) or a ``.gitignore`` such as ``__pycache__/`` and ``*.pyc``, is matched by
:class:`NameGlobs` instead, with the same result, and pathspec (its import is a few per cent of
a one-file run) is imported only for other globs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple, Protocol

BACKEND = "re2"
# A name glob: an optional "**/", then a file or folder name of these characters, where a "*"
# stands for any run of characters within the name; a "/" after it: a folder's name only.
NAME_GLOB = re.compile(r"(?:\*\*/)?([A-Za-z0-9_.*-]+)(/?)")


class InvalidGlob(ValueError):
    """A glob that is not a valid gitignore pattern; the message says which and why."""


class GlobMatcher(Protocol):
    """What kpilint needs of a compiled glob set (pathspec made ``PathSpec`` generic in 1.1,
    so its own type cannot be written the same way for every supported pathspec)."""

    def match_file(self, file: str, /) -> bool:
        """Whether the ``/``-separated relative path matches."""
        ...


class Verdict(Protocol):
    """A ``.gitignore`` file's say on a path: ignored (True), kept (False) or none (None)."""

    @property
    def include(self) -> bool | None:
        """Whether the last pattern that matched ignores the path; None if none matched."""
        ...


class GitIgnoreMatcher(Protocol):
    """What kpilint needs of a ``.gitignore`` file's matcher."""

    def check_file(self, file: str, /) -> Verdict:
        """The file's say on the ``/``-separated relative path (a folder's ends in ``/``)."""
        ...


class NameVerdict(NamedTuple):
    """:class:`NameGlobs`' say on a path: ignored, or no say (name globs cannot re-include)."""

    include: bool | None


class _Names:
    """Names matched whole: exact ones; ``*X`` and ``X*`` ones by their end or start (one call
    each for all); others with ``*`` as pieces found in order."""

    def __init__(self, names: Iterable[str]) -> None:
        names = list(names)
        self.exact = frozenset(name for name in names if "*" not in name)
        wild = [name for name in names if "*" in name]
        self.ends = tuple(name[1:] for name in wild if name.rfind("*") == 0)
        self.starts = tuple(name[:-1] for name in wild if name.find("*") == len(name) - 1)
        self.wild = tuple(tuple(name.split("*")) for name in wild
                          if name.count("*") > 1 or "*" not in (name[0], name[-1]))

    def any_in(self, names: list[str]) -> bool:
        """Whether one of ``names`` matches."""
        if not self.exact.isdisjoint(names):
            return True
        if self.ends or self.starts:
            for name in names:
                if name.endswith(self.ends) or name.startswith(self.starts):
                    return True
        return any(_wild_match(pieces, name) for pieces in self.wild for name in names)

    def matches(self, name: str) -> bool:
        """Whether ``name`` matches (``any_in([name])``)."""
        return (name in self.exact or name.endswith(self.ends) or name.startswith(self.starts)
                or any(_wild_match(pieces, name) for pieces in self.wild))


class NameGlobs:
    """Name globs matched as pathspec's gitignore patterns match them: a path matches when one
    of its ``/``-separated names matches a glob whole (so a folder's glob matches everything in
    it; a glob ending in ``/``, only a name that a ``/`` follows). Like pathspec's, the names
    after a line feed are not looked at (its ``.`` stops there). Linear in the path: each glob
    is a name's start, its end, and pieces found in order."""

    def __init__(self, names: list[str], folders: list[str]) -> None:
        self.names = _Names(names)
        self.folders = _Names(folders)

    @classmethod
    def of(cls, patterns: list[str]) -> NameGlobs | None:
        """The matcher of ``patterns`` if each is a name glob (``NAME_GLOB``, no ``**`` in the
        name, and some letter, digit, ``_`` or ``-`` in it), else None."""
        names: list[str] = []
        folders: list[str] = []
        for pattern in patterns:
            found = NAME_GLOB.fullmatch(pattern)
            if found is None or "**" in found[1] or not found[1].strip(".*"):
                return None
            (folders if found[2] else names).append(found[1])
        return cls(names, folders)

    def match_file(self, file: str, /) -> bool:
        """Whether a name of the ``/``-separated relative path ``file`` matches a glob."""
        if file.startswith("/"):
            file = file[1:]  # as pathspec normalises it
        elif file.startswith("./"):
            file = file[2:]
        names = file.split("/")
        if "\n" in file or (not names[0] and len(names) > 1):
            names, folders = _looked_at(names)
        else:
            folders = names[:-1]
        return self.names.any_in(names) or self.folders.any_in(folders)

    def check_file(self, file: str, /) -> NameVerdict:
        """As a ``.gitignore`` file of these globs: ignored if one matches, else no say."""
        return NameVerdict(True if self.match_file(file) else None)


def folder_test(spec: GlobMatcher, folder: str) -> Callable[[str], bool]:
    """``spec.match_file(folder + name)`` for the names of the files in one folder (``folder``:
    ``""`` or a relative path ending in ``/``, as discovery builds it). Name globs match the
    folder's names once, then each file's name alone."""
    if isinstance(spec, NameGlobs) and not folder.startswith(("/", "./")) and "\n" not in folder:
        above = folder.split("/")[:-1]
        if spec.names.any_in(above) or spec.folders.any_in(above):
            return _always
        return spec.names.matches
    return lambda name: spec.match_file(folder + name)


def _always(name: str) -> bool:
    return True


def _looked_at(names: list[str]) -> tuple[list[str], list[str]]:
    """The names pathspec's patterns look at (``(?:.+/)?`` cannot end at a ``/`` that starts
    the path, and its ``.`` stops at a line feed), and those of them that a ``/`` follows."""
    looked: list[str] = []
    folders: list[str] = []
    for index, name in enumerate(names):
        if index != 1 or names[0]:
            looked.append(name)
            if index < len(names) - 1:
                folders.append(name)
        if "\n" in name:
            break
    return looked, folders


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


def gitignore_spec(lines: Iterable[str]) -> GitIgnoreMatcher:
    """A ``.gitignore`` file's matcher; lines git would not understand are skipped, as git
    skips them. A file of name globs, blank lines and comments needs no pathspec."""
    lines = list(lines)
    names = NameGlobs.of([line for line in lines if line and not line.startswith("#")])
    if names is not None:
        return names
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
