"""Discovery sorts its paths as strings (``project.path_order``) in the order of their ``Path``s."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kpilint.config import Config
from kpilint.project import discover, path_order

NAMES = st.text(alphabet="aAbB-_. 0é~", min_size=1, max_size=4).filter(
    lambda name: name not in (".", ".."))
RELATIVE = st.lists(NAMES, min_size=1, max_size=4).map(os.sep.join)


@given(st.lists(RELATIVE, max_size=30), st.sampled_from(["/", "/r", "/r/a-b", "/r/a b/é"]))
def test_the_string_order_is_the_order_of_paths(relatives: list[str], root: str) -> None:
    paths = [os.path.join(root, relative) for relative in relatives]
    assert list(map(Path, sorted(paths, key=path_order))) == sorted(map(Path, paths))


def test_discovery_lists_files_in_the_order_of_their_paths(tmp_path: Path) -> None:
    """A folder's files come before a name that extends the folder's (``a/b/c`` < ``a/b-c``),
    though ``/`` sorts after `` ``, ``-`` and ``.`` as a character."""
    for relative in ("a/b-c.kpi.yaml", "a/b/c.kpi.yaml", "a/b.kpi.yaml", "a.kpi.yaml",
                     "a-b/z.kpi.yaml", "a b.kpi.yaml", "B.kpi.yaml"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("version: 1\n", encoding="utf-8")
    found = list(discover(tmp_path, Config()))
    assert found == sorted(found)
    assert [path.relative_to(tmp_path).as_posix() for path in found] == [
        "B.kpi.yaml", "a/b/c.kpi.yaml", "a/b-c.kpi.yaml", "a/b.kpi.yaml", "a b.kpi.yaml",
        "a-b/z.kpi.yaml", "a.kpi.yaml"]


def test_each_found_path_is_the_path_of_its_string(tmp_path: Path) -> None:
    """Discovery makes each path as its folder's ``Path`` joined with its name: the same path,
    parts and string as parsing the file's whole path (odd names and a linked file too)."""
    relatives = ["...kpi.yaml", " a/ b .kpi.yaml", "é/x\\y.kpi.yaml", "a/.b/c/d.kpi.yaml",
                 "z/-.kpi.yaml"]
    for relative in relatives:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("version: 1\n", encoding="utf-8")
    (tmp_path / "link.kpi.yaml").symlink_to(tmp_path / "z" / "-.kpi.yaml")
    (tmp_path / "z" / "-.kpi.yaml").rename(tmp_path / "z" / "moved.yaml")  # dangling: kept
    found = list(discover(tmp_path, Config()))
    assert [str(path) for path in found] == sorted(
        (os.path.join(tmp_path, *relative.split("/"))
         for relative in [*relatives[:-1], "link.kpi.yaml"]), key=path_order)
    assert [Path(str(path)).parts for path in found] == [path.parts for path in found]
    assert found == [Path(str(path)) for path in found]
