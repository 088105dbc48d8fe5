"""A run's display paths are cut from the working directory's prefix (``checker._relative_to``)
where that gives what ``os.path.relpath`` gives, which it is compared with here."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kpilint.checker import _relative_to

NAMES = st.sampled_from(["a", "b", "a..b", "..a", "a.", ".", "..", "é", "a b", "a\\b"])
ABSOLUTE = st.lists(NAMES, max_size=5).map(lambda names: "/" + "/".join(names))


@given(ABSOLUTE, ABSOLUTE)
def test_display_paths_are_those_of_relpath(path: str, cwd: str) -> None:
    normal = os.path.normpath(cwd)
    assert _relative_to(Path(normal))(Path(path)) == os.path.relpath(path, normal)


@given(ABSOLUTE, st.lists(NAMES, min_size=1, max_size=4))
def test_a_path_under_the_directory_is_its_tail(cwd: str, tail: list[str]) -> None:
    directory = Path(os.path.normpath(cwd))
    path = directory.joinpath(*tail)
    assert _relative_to(directory)(path) == os.path.relpath(path, directory)
