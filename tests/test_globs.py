"""Name globs (``kpilint.globs.NameGlobs``) match exactly as pathspec's gitignore patterns do.

The default include and exclude globs, and any config glob set made only of name globs, are
matched without pathspec; these tests compare the two on the defaults and on generated globs and
paths (folders, dots, line feeds, leading ``/`` and ``./``, empty names).
"""

from __future__ import annotations

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpilint.config import DEFAULT_EXCLUDE, DEFAULT_INCLUDE
from kpilint.globs import InvalidGlob, NameGlobs, folder_test, gitignore_spec, glob_spec

NAMES = st.sampled_from(["a", "b", "ab", "a.b", ".git", "node_modules", "x.kpi.yaml", "kpis.yml",
                         "kpis.yaml", "y.kpi.yml", ".kpi.yaml", "dist", "", ".", "..", "a\nb",
                         "\n.git", "x.kpi.yaml\n", "a-b_c", "build.kpi.yaml"])
PATHS = st.builds(lambda start, names, end: start + "/".join(names) + end,
                  st.sampled_from(["", "/", "./", "//", "a/"]), st.lists(NAMES, max_size=5),
                  st.sampled_from(["", "/"]))
NAME_GLOBS = st.builds(lambda prefix, name, folder: prefix + name + folder,
                       st.sampled_from(["", "**/"]), st.text("ab.-_*", min_size=1, max_size=6),
                       st.sampled_from(["", "/"]))
GITIGNORE_LINES = st.one_of(NAME_GLOBS, st.sampled_from(["", "# a comment", "#ab", "!ab"]))
SAMPLES = ["growth.kpi.yaml", "specs/kpis.yml", "node_modules/x/a.kpi.yaml", ".git", ".git/",
           "a/.git/b", "x.kpi.yaml/", "notkpis.yaml", "kpis.yaml.bak", "/dist/a", "./venv",
           "a\n/.git", "a/b\n.git", ".kpilint_cache/x", "build.kpi.yaml", "a.kpi.yamlx"]


def _pathspec(patterns: list[str]) -> pathspec.PathSpec:
    return pathspec.PathSpec.from_lines("gitignore", patterns, backend="re2")


@pytest.mark.parametrize("patterns", [DEFAULT_INCLUDE, DEFAULT_EXCLUDE])
def test_the_default_globs_need_no_pathspec(patterns: tuple[str, ...]) -> None:
    matcher = glob_spec(patterns)
    assert isinstance(matcher, NameGlobs)
    reference = _pathspec(list(patterns))
    assert [matcher.match_file(path) for path in SAMPLES] == [
        reference.match_file(path) for path in SAMPLES]


@settings(max_examples=400, deadline=None)
@given(st.lists(PATHS, min_size=1, max_size=20),
       st.sampled_from([DEFAULT_INCLUDE, DEFAULT_EXCLUDE, ("*.kpi.yaml", "a*b*a"), ("ab",)]))
def test_default_and_chosen_globs_match_as_pathspec_does(paths: list[str],
                                                         patterns: tuple[str, ...]) -> None:
    matcher = NameGlobs.of(list(patterns))
    assert matcher is not None
    reference = _pathspec(list(patterns))
    assert [matcher.match_file(path) for path in paths] == [
        reference.match_file(path) for path in paths]


@settings(max_examples=600, deadline=None)
@given(st.lists(NAME_GLOBS, min_size=1, max_size=3), st.lists(PATHS, min_size=1, max_size=10))
def test_generated_name_globs_match_as_pathspec_does(patterns: list[str],
                                                     paths: list[str]) -> None:
    matcher = NameGlobs.of(patterns)
    if matcher is None:  # not a name glob set: pathspec matches it
        assert not isinstance(glob_spec(patterns), NameGlobs)
        return
    reference = _pathspec(patterns)
    assert [matcher.match_file(path) for path in paths] == [
        reference.match_file(path) for path in paths], patterns


FOLDERS = st.builds(lambda names: "".join(name + "/" for name in names),
                   st.lists(NAMES.filter(lambda name: name not in ("", ".", "..")), max_size=4))
FILE_NAMES = NAMES.filter(lambda name: name not in ("", ".", ".."))


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.lists(NAME_GLOBS, min_size=1, max_size=3),
                 st.sampled_from([list(DEFAULT_INCLUDE), list(DEFAULT_EXCLUDE), ["a/b"]])),
       FOLDERS, st.lists(FILE_NAMES, min_size=1, max_size=10))
def test_a_folder_test_matches_each_file_as_the_glob_set_does(
        patterns: list[str], folder: str, names: list[str]) -> None:
    """Discovery matches a folder's names once, then each file's name: the same answers as
    matching each file's whole path (name globs, and pathspec's for other globs)."""
    matcher = glob_spec(patterns)
    test = folder_test(matcher, folder)
    assert [test(name) for name in names] == [
        matcher.match_file(folder + name) for name in names], (patterns, folder)


@settings(max_examples=600, deadline=None)
@given(st.lists(GITIGNORE_LINES, max_size=4), st.lists(PATHS, min_size=1, max_size=10))
def test_gitignore_files_of_name_globs_decide_as_pathspec_does(lines: list[str],
                                                               paths: list[str]) -> None:
    """Each path's say (ignored, re-included, none) is pathspec's, with or without it."""
    matcher = gitignore_spec(lines)
    reference = pathspec.GitIgnoreSpec.from_lines(lines, backend="re2")
    assert [matcher.check_file(path).include for path in paths] == [
        reference.check_file(path).include for path in paths], lines


def test_a_usual_gitignore_needs_no_pathspec() -> None:
    lines = ["# Python", "__pycache__/", "*.py[cod]", ".venv/", "", "build/", "*.egg-info/"]
    assert not isinstance(gitignore_spec(lines), NameGlobs)  # [cod] needs pathspec
    lines[2] = "*.pyc"
    matcher = gitignore_spec(lines)
    assert isinstance(matcher, NameGlobs)
    assert [matcher.check_file(path).include for path in (
        "a/__pycache__/", "a/__pycache__", "x.pyc", "build/a.kpi.yaml", "kpis.yaml")] == [
        True, None, True, True, None]


@pytest.mark.parametrize("patterns", [["/top.kpi.yaml"], ["specs/*.yaml"], ["a?b"],
                                      ["[ab].yaml"], ["!keep.kpi.yaml"], ["a**b"], ["."], [".*"],
                                      ["#comment"], ["*"], ["a "]])
def test_other_globs_go_to_pathspec(patterns: list[str]) -> None:
    assert NameGlobs.of(patterns) is None
    assert not isinstance(glob_spec(patterns), NameGlobs)


def test_an_invalid_glob_is_still_reported() -> None:
    with pytest.raises(InvalidGlob) as raised:
        glob_spec(["*.kpi.yaml", "\\"])
    assert str(raised.value) == "'\\\\' is not a valid gitignore-style glob"
