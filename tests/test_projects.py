"""Project resolution (SPEC §3): roots, nested projects, named paths, and incremental re-checks."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest

from kpilint import engine as engine_module
from kpilint.config import Config
from kpilint.engine import Linter
from kpilint.rule import Context
from tests.conftest import run_kpilint, write_files

GOAL = """\
version: 1
kgis:
  - id: {kgi}
    name: Annual revenue
kpis:
  - id: {kpi}
    name: Leads per month
    supports: {supports}
"""


def spec(kgi: str, kpi: str, supports: str | None = None) -> str:
    return GOAL.format(kgi=kgi, kpi=kpi, supports=supports or kgi)


def findings(root: Path, *args: str) -> list[tuple[str, str, int, int]]:
    run = run_kpilint("check", "--output-format", "json", "--exit-zero", *args, cwd=root)
    assert run.code == 0, run.stderr
    return [finding for finding in run.findings() if finding[1][0] in "EG"]


def test_nearest_config_is_the_root(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "kpilint.toml": 'select = ["G102"]\n',
        "team/kpilint.toml": 'select = ["E005"]\n',
        "team/a.kpi.yaml": spec("rev", "leads", supports="missing"),
    })
    assert findings(tmp_path, "team/a.kpi.yaml") == [("team/a.kpi.yaml", "E005", 8, 15)]


def test_git_root_without_config(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write_files(tmp_path, {"company.kpi.yaml": spec("rev", "leads"),
                           "teams/sales/team.kpi.yaml": spec("rev2", "calls", supports="rev")})
    work = tmp_path / "teams" / "sales"
    assert findings(work, "--select", "E005", "team.kpi.yaml") == []


def test_without_config_or_git_the_working_directory_is_the_root(tmp_path: Path) -> None:
    write_files(tmp_path, {"company.kpi.yaml": spec("rev", "leads"),
                           "team/t.kpi.yaml": spec("rev2", "calls", supports="rev")})
    assert findings(tmp_path, "--select", "E005", "team/t.kpi.yaml") == []


def test_nested_config_is_a_separate_project(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "kpilint.toml": "",
        "company.kpi.yaml": spec("rev", "leads"),
        "lab/kpilint.toml": "",
        "lab/lab.kpi.yaml": spec("lab-goal", "experiments", supports="rev"),
    })
    found = findings(tmp_path, "--select", "E005")
    assert found == [("lab/lab.kpi.yaml", "E005", 8, 15)]
    run = run_kpilint("check", "--output-format", "json", "--select", "E005", cwd=tmp_path)
    assert run.json()["summary"]["files"] == 2


def test_named_paths_in_several_projects_in_one_run(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "a/kpilint.toml": 'select = ["G102"]\n',
        "a/x.kpi.yaml": "version: 1\nkpis:\n  - id: lonely\n    name: Lonely\n",
        "b/kpilint.toml": 'select = ["G103"]\n',
        "b/y.kpi.yaml": "version: 1\nkgis:\n  - id: lonely\n    name: Lonely goal\n",
    })
    assert findings(tmp_path, "a/x.kpi.yaml", "b") == [
        ("a/x.kpi.yaml", "G102", 3, 5), ("b/y.kpi.yaml", "G103", 3, 5)]


def test_named_file_outside_include_is_linted(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": 'select = ["G102"]\n',
                           "notes/goals.yaml": "version: 1\nkpis:\n  - id: k\n    name: K\n"})
    discovered = run_kpilint("check", cwd=tmp_path)  # nothing matches include: exit 2
    assert (discovered.code, discovered.stdout) == (2, "")
    assert findings(tmp_path, "notes/goals.yaml") == [("notes/goals.yaml", "G102", 3, 5)]


def test_paths_are_shown_as_named(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": 'select = ["G102"]\n',
                           "specs/a.kpi.yaml": "version: 1\nkpis:\n  - id: k\n    name: K\n"})
    assert findings(tmp_path, "./specs/a.kpi.yaml")[0][0] == "./specs/a.kpi.yaml"
    assert findings(tmp_path / "specs", "..")[0][0] == "a.kpi.yaml"
    absolute = str(tmp_path / "specs" / "a.kpi.yaml")
    assert findings(tmp_path, absolute)[0][0] == absolute


def test_unreadable_discovered_file_is_e001_and_the_run_goes_on(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "",
                           "good.kpi.yaml": "version: 1\nkpis:\n  - id: k\n    name: K\n"})
    (tmp_path / "dangling.kpi.yaml").symlink_to(tmp_path / "nowhere.kpi.yaml")
    found = findings(tmp_path, "--select", "E001,G102")
    assert found == [("dangling.kpi.yaml", "E001", 1, 1), ("good.kpi.yaml", "G102", 3, 5)]


def test_update_rereads_only_the_changed_file(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {"a.kpi.yaml": spec("rev", "leads"),
                           "b.kpi.yaml": spec("rev-b", "calls", supports="rev-b")})
    linter = Linter(tmp_path, Config(), Context(today=datetime.date(2026, 11, 23)))
    for name in ("a.kpi.yaml", "b.kpi.yaml"):
        linter.load(tmp_path / name, name)
    assert [d.code for d in linter.check().diagnostics if d.code[0] in "EG"] == []
    reads: list[str] = []
    original = engine_module.read_file

    def counting_read(path: Path, limits: object) -> object:
        reads.append(str(path))
        return original(path, limits)  # type: ignore[arg-type]


    monkeypatch.setattr(engine_module, "read_file", counting_read)
    cached_b = linter.files[tmp_path / "b.kpi.yaml"]
    linter.update(tmp_path / "a.kpi.yaml", "a.kpi.yaml",
                  spec("rev", "leads", supports="rev-typo").encode())
    found = linter.check().diagnostics
    assert reads == []
    assert linter.files[tmp_path / "b.kpi.yaml"] is cached_b
    assert cached_b.findings is not None
    assert [(d.code, d.location.path, d.location.span.line) for d in found
            if d.code[0] in "EG"] == [
        ("G103", "a.kpi.yaml", 3), ("G102", "a.kpi.yaml", 6), ("E005", "a.kpi.yaml", 8)]


def test_discovery_prunes_once_and_lists_files_in_path_order(tmp_path: Path) -> None:
    """Excludes and each directory's .gitignore (nearest first, relative to its directory),
    nested projects, links and special files, in the order of the paths' parts."""
    import os

    from kpilint.config import load_config
    from kpilint.project import discover

    names = ["Z.kpi.yaml", "a/1.kpi.yaml", "a/b/x.kpi.yaml", "a/b/y.kpi.yaml",
             "a/b/c/z.kpi.yaml", "a-b/m.kpi.yaml", "skip/s.kpi.yaml", "keep/sub/q.kpi.yaml",
             "keep/sub/ign.kpi.yaml", "keep/k.kpi.yaml", "nest/n.kpi.yaml", "notes.yml",
             "other.yml"]
    write_files(tmp_path, {
        **{name: "version: 1\n" for name in names},
        "kpilint.toml": 'include = ["**/*.kpi.yaml", "**/*.yml"]\n'
                        'exclude = ["skip/", "a/b/x.kpi.yaml"]\n',
        "nest/kpilint.toml": "",
        ".gitignore": "*.yml\n!other.yml\nign*\n",
        "a/.gitignore": "c/\n",
        "keep/sub/.gitignore": "!ign.kpi.yaml\nq.*\n"})
    (tmp_path / "links").mkdir()
    (tmp_path / "links/again.kpi.yaml").symlink_to("../a/1.kpi.yaml")
    (tmp_path / "links/dangling.kpi.yaml").symlink_to("missing.kpi.yaml")
    (tmp_path / "links/folder").symlink_to("../a")
    os.mkfifo(tmp_path / "keep/pipe.kpi.yaml")
    nested: list[Path] = []
    found = list(discover(tmp_path, load_config(tmp_path / "kpilint.toml"), nested))
    assert [path.relative_to(tmp_path).as_posix() for path in found] == [
        "Z.kpi.yaml", "a/1.kpi.yaml", "a/b/y.kpi.yaml", "a-b/m.kpi.yaml", "keep/k.kpi.yaml",
        "keep/sub/ign.kpi.yaml", "links/dangling.kpi.yaml", "other.yml"]
    assert nested == [tmp_path / "nest"]


@pytest.mark.parametrize("named", [
    [""], ["team", ""], ["team"], ["team/a.kpi.yaml"], ["team/sub", "b.kpi.yaml"], ["te"],
    ["team/sub/c.kpi.yaml"]])
def test_named_test_agrees_with_is_named(tmp_path: Path, named: list[str]) -> None:
    """The run's per-file test (strings, once per directory) says what ``is_named`` says."""
    from kpilint.checker import _named_test
    from kpilint.project import ProjectPlan

    root = tmp_path.resolve()
    files = ["a.kpi.yaml", "b.kpi.yaml", "team/a.kpi.yaml", "team/b.kpi.yaml", "teams/a.kpi.yaml",
             "te/a.kpi.yaml", "team/sub/c.kpi.yaml", "team/sub/d.kpi.yaml", "team/subs/e.kpi.yaml"]
    plan = ProjectPlan(root, Config(), [root / each for each in named])
    test = _named_test(plan)
    for relative in files * 2:  # the second time from what was learnt per directory
        path = root / relative
        assert test(path) == plan.is_named(path), relative


def test_project_files_of_one_discovery_come_sorted(tmp_path: Path) -> None:
    """Left unsorted when nothing was added to one discovery: its order is ``sorted``'s."""
    from kpilint.project import plan_projects, project_files

    names = ["a/x.kpi.yaml", "a-b/x.kpi.yaml", "a.b/x.kpi.yaml", "A/x.kpi.yaml", "a/b/x.kpi.yaml",
             "a/B.kpi.yaml", "ab.kpi.yaml", "a0/x.kpi.yaml", "é/x.kpi.yaml", "z.kpi.yaml"]
    write_files(tmp_path, {name: "version: 1\n" for name in names})
    (tmp_path / "kpilint.toml").write_text("", encoding="utf-8")
    plan = plan_projects([str(tmp_path)], tmp_path, None)[0]
    files = project_files(plan, False, [])
    assert files == sorted(tmp_path / name for name in names)
