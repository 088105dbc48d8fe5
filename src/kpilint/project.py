"""Projects (SPEC §3): which root each named path belongs to, and which files a project holds."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kpilint.config import Config, ConfigError, find_config_in, load_config
from kpilint.globs import GitIgnoreMatcher, folder_test, gitignore_spec, glob_spec
from kpilint.reading import printable_path


@dataclass(slots=True)
class ProjectPlan:
    """One project of a run: its root, its config and the paths named in it."""

    root: Path
    config: Config
    named: list[Path] = field(default_factory=list)
    spellings: dict[Path, str] = field(default_factory=dict)

    def is_named(self, path: Path) -> bool:
        """Whether ``path`` is one of the named paths or lies under a named directory.

        Compared as (case-normalised) strings: the paths are absolute and normalised, and
        building ``path.parents`` for each of a project's files cost more than reading it.
        """
        text = os.path.normcase(path)
        return any(text == named or text.startswith(os.path.join(named, ""))
                   for named in map(os.path.normcase, self.named))

    def read_named_in(self, dialect: str) -> None:
        """``--dialect``: read the named files, and ``*.yml``/``*.yaml`` files under the named
        directories, in ``dialect`` (added to the config's ``[dialects]``, where it wins)."""
        for named in self.named:
            if named != self.root and self.root not in named.parents:
                continue
            relative = "" if named == self.root else "/" + _escaped(
                named.relative_to(self.root).as_posix())
            globs = [f"{relative}/**/*.{suffix}" for suffix in ("yml", "yaml")] if (
                named.is_dir()) else [relative]
            for glob in globs:
                self.config.dialects.pop(glob, None)  # re-added last, so that it wins
                self.config.dialects[glob] = dialect


def _escaped(path: str) -> str:
    """A path as a glob matching only itself."""
    return re.sub(r"([*?\[\]!\\])", r"\\\1", path)


def plan_projects(paths: list[str], cwd: Path, config_file: Path | None,
                  unsaved: str | None = None) -> list[ProjectPlan]:
    """Group the named paths by project root (SPEC §3).

    ``unsaved`` names a file whose content comes from stdin: it need not exist on disk.
    """
    if config_file is not None:
        config_file = config_file.resolve()
        if not config_file.is_file():
            raise ConfigError(f"{config_file}: config file not found")
        config = load_config(config_file)
        root = config_file.parent
        plan = ProjectPlan(root, config)
        for text in paths or [str(root)]:
            _name(plan, text, cwd, unsaved)
        return [plan]
    plans: dict[Path, ProjectPlan] = {}
    for text in paths or ["."]:
        absolute = _existing(text, cwd, unsaved)
        root, found = find_root(absolute, cwd)
        if root not in plans:
            plans[root] = ProjectPlan(root, load_config(found) if found else Config())
        _name(plans[root], text, cwd, unsaved)
    return list(plans.values())


def _existing(text: str, cwd: Path, unsaved: str | None) -> Path:
    absolute = Path(os.path.abspath(cwd / text))
    if not absolute.exists() and text != unsaved:
        raise ConfigError(f"{printable_path(text)}: no such file or directory")
    return absolute


def _name(plan: ProjectPlan, text: str, cwd: Path, unsaved: str | None) -> None:
    absolute = _existing(text, cwd, unsaved)
    plan.named.append(absolute)
    if not absolute.is_dir() or text == unsaved:  # a named FIFO or device is E001, not skipped
        plan.spellings[absolute] = text


def find_root(path: Path, cwd: Path) -> tuple[Path, Path | None]:
    """The project root of ``path`` and its config file, if any."""
    start = path if path.is_dir() else path.parent
    for directory in (start, *start.parents):
        found = find_config_in(directory)
        if found is not None:
            return directory, found
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory, None
    if cwd == start or cwd in start.parents:
        return cwd, None
    return start, None


class FileFilter:
    """The include, exclude and .gitignore decisions of one project."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self.config = config
        self.include = glob_spec((*config.include, *config.dialects))  # dialect files too
        self.exclude = glob_spec(config.exclude)
        self.gitignores: dict[Path, GitIgnoreMatcher] = {}
        self.gitignores_read: set[Path] = set()

    def relative(self, path: Path) -> str:
        return printable_path(os.path.relpath(path, self.root).replace(os.sep, "/"))

    def excluded(self, path: Path, is_dir: bool = False) -> bool:
        return self.excludes(self.relative(path), is_dir)

    def excludes(self, relative: str, is_dir: bool) -> bool:
        """Whether ``exclude`` drops the root-relative path ``relative``."""
        return self.exclude.match_file(relative + ("/" if is_dir else "")) or (
            is_dir and self.exclude.match_file(relative))

    def ignored_by_git(self, path: Path, is_dir: bool) -> bool:
        if not self.config.respect_gitignore:
            return False
        ignores: list[tuple[GitIgnoreMatcher, str]] = []
        for directory in (path.parent, *path.parent.parents):
            spec = self.gitignores.get(directory)
            if spec is not None:
                ignores.append((spec, "" if directory == self.root
                                else self.relative(directory) + "/"))
            if directory == self.root:
                break
        return _ignored_by(ignores, self.relative(path), is_dir)

    def keeps_named(self, path: Path) -> bool:
        """Whether discovery would find the named file ``path`` (``force-exclude``, SPEC §3):
        include matches it, and neither exclude nor a ``.gitignore`` drops it or a folder above it.
        """
        if self.root not in path.parents or not self.include.match_file(self.relative(path)):
            return False
        folders = [path.parent, *path.parent.parents]
        folders = folders[:folders.index(self.root)]  # below the root, nearest first
        for folder in (self.root, *reversed(folders)):
            self.read_gitignore(folder)
        return not (self.excluded(path) or self.ignored_by_git(path, False) or any(
            self.excluded(folder, True) or self.ignored_by_git(folder, True)
            for folder in folders))

    def read_gitignore(self, directory: Path) -> GitIgnoreMatcher | None:
        """The ``.gitignore`` of ``directory`` (read once), if there is one and it counts."""
        if not self.config.respect_gitignore or directory in self.gitignores_read:
            return self.gitignores.get(directory)
        self.gitignores_read.add(directory)
        ignore_file = directory / ".gitignore"
        if ignore_file.is_file():
            try:
                lines = ignore_file.read_text("utf-8", errors="replace").splitlines()
            except OSError:
                return None
            self.gitignores[directory] = gitignore_spec(lines)
        return self.gitignores.get(directory)


def _ignored_by(ignores: list[tuple[GitIgnoreMatcher, str]], relative: str,
                is_dir: bool) -> bool:
    """Whether the nearest ``.gitignore`` that has a say on the root-relative path ``relative``
    ignores it. ``ignores``: each file's matcher and its directory's root-relative prefix (``""``
    or ending in ``/``), nearest first."""
    for spec, prefix in ignores:
        result = spec.check_file(relative[len(prefix):] + ("/" if is_dir else ""))
        if result.include is not None:
            return bool(result.include)
    return False


def discover(root: Path, config: Config, nested: list[Path] | None = None) -> Iterator[Path]:
    """Every spec file of the project rooted at ``root``, in sorted order.

    Subdirectories with their own config are separate projects: they are skipped here and, when
    ``nested`` is given, appended to it. The walk never leaves the root: directory links are not
    followed (each real directory is visited once, at its real place); a file link counts only
    when its target lies inside the root and is not discovered already (under its own name or
    another link's); FIFOs, devices and sockets are skipped (a dangling link is kept: it is
    reported unreadable).
    """
    walk = _Walk(FileFilter(root, config), os.path.realpath(root), nested)
    walk.visit(root, "", [])
    found = walk.regular
    if walk.linked:
        seen = {os.path.realpath(path) for path, _, _ in found}
        for path, folder, name, target in walk.linked:
            if target not in seen:
                seen.add(target)
                found.append((path, folder, name))
    # each made as its folder's path / its name: a third cheaper than parsing the whole path
    yield from (folder / name for _, folder, name in sorted(found, key=_path_order_of_first))


def path_order(path: str) -> list[str]:
    """The key that sorts normalised absolute paths as their ``Path`` objects sort (by their
    parts, case-folded where the platform folds case): strings sort faster than paths."""
    return os.path.normcase(path).split(os.sep)


def _path_order_of_first(found: tuple[str, Path, str]) -> list[str]:
    return path_order(found[0])


class _Walk:
    """One discovery walk, top down in name order like ``os.walk``.

    Each directory is listed once with ``os.scandir`` (whose entries know their type, so a
    regular file costs no ``stat``), excluded and ignored directories are pruned there, and
    the globs are matched on root-relative strings built as the walk goes down.
    """

    def __init__(self, file_filter: FileFilter, real_root: str, nested: list[Path] | None):
        self.filter = file_filter
        self.real_root = real_root
        self.nested = nested
        self.regular: list[tuple[str, Path, str]] = []
        """Each regular file found: its path, its folder's ``Path`` and its name."""
        self.linked: list[tuple[str, Path, str, str]] = []
        """Each link to a file found: the same, and the real path of its target."""

    def visit(self, folder: Path, prefix: str,
              ignores: list[tuple[GitIgnoreMatcher, str]]) -> None:
        """Walk ``folder`` (root-relative ``prefix``: ``""`` or ending in ``/``), under the
        ``.gitignore`` files of the directories above it (nearest first)."""
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_name_of)
        except OSError:
            return  # unreadable: skipped, as os.walk skips it
        spec = self.filter.read_gitignore(folder)
        if spec is not None:
            ignores = [(spec, prefix), *ignores]
        file_filter = self.filter
        # whether a .gitignore here or above has a say (none: nothing to ask for each path)
        gitignored = file_filter.config.respect_gitignore and bool(ignores)
        kept: list[str] = []
        files: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                files.append(entry)
                continue
            relative = prefix + printable_path(entry.name)
            if entry.is_symlink() or file_filter.excludes(relative, True) or (
                    gitignored and _ignored_by(ignores, relative, True)):
                continue
            if find_config_in(Path(entry.path)) is not None:
                if self.nested is not None:
                    self.nested.append(Path(entry.path))
                continue
            kept.append(entry.name)
        included = folder_test(file_filter.include, prefix)
        excluded = folder_test(file_filter.exclude, prefix)  # ``excludes(prefix + name, False)``
        for entry in files:
            name = printable_path(entry.name)
            if not included(name) or excluded(name) or (
                    gitignored and _ignored_by(ignores, prefix + name, False)):
                continue
            if not entry.is_symlink():
                if entry.is_file(follow_symlinks=False):
                    self.regular.append((entry.path, folder, entry.name))
                continue
            target = os.path.realpath(entry.path)
            if os.path.commonpath((self.real_root, target)) == self.real_root and (
                    _is_regular(Path(target)) or not os.path.lexists(target)):
                self.linked.append((entry.path, folder, entry.name, target))
        for name in kept:
            self.visit(folder / name, prefix + printable_path(name) + "/", ignores)


def _name_of(entry: os.DirEntry[str]) -> str:
    return entry.name


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def project_files(plan: ProjectPlan, force_exclude: bool,
                  nested: list[Path] | None = None) -> list[Path]:
    """The project's files: all discovered ones plus named files discovery skipped.

    Roots of nested projects that lie under a named directory are appended to ``nested``.
    """
    found_nested: list[Path] = []
    files = list(discover(plan.root, plan.config, found_nested))
    in_order = True  # one discovery's files come sorted
    for named in plan.named:
        if named.is_dir() and named != plan.root and plan.root not in named.parents:
            files.extend(discover(named, plan.config, found_nested))  # --config from elsewhere
            in_order = False
    if nested is not None:
        nested.extend(sub for sub in found_nested if any(
            sub == named or named in sub.parents for named in plan.named if named.is_dir()))
    named_files = [named for named in plan.named if named.is_file() or named in plan.spellings]
    if named_files:
        in_order = False
        known = set(files)
        file_filter = FileFilter(plan.root, plan.config)
        for named in named_files:
            if named not in known:
                if force_exclude and not file_filter.keeps_named(named):
                    continue
                files.append(named)
                known.add(named)
        if force_exclude:
            plan.named = [path for path in plan.named
                          if not path.is_file() or file_filter.keeps_named(path)]
    return files if in_order else sorted(files)
