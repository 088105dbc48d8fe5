"""Baselines (SPEC §5, README "Switch kpilint on in a project that already has hundreds of
findings"): `kpilint baseline FILE` and `kpilint check --baseline FILE`, through the real CLI.

A baseline counts findings per (root-relative path, code, subject), never line numbers.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpilint.baseline import BaselineKey, BaselineOutcome, apply_baseline, in_scope, key_of
from kpilint.diagnostics import Diagnostic, Location, Severity, Span, position
from tests.conftest import TODAY, Run, run_kpilint, write_files

CONFIG = f'today = "{TODAY}"\nselect = ["E005", "P301"]\n'

COMPANY = """
    version: 1
    kgis:
      - id: revenue
        name: Annual revenue
    kpis:
      - id: leads
        name: Qualified leads per month
        supports: [revenue, nope]
      - id: views
        name: Page views
        supports: revenue
    """

TEAM = """
    version: 1
    kpis:
      - id: likes
        name: Post likes
        supports: revenue
    """

BASELINE = """\
{
  "version": 1,
  "tool": "kpilint",
  "entries": [
    {
      "path": "a.kpi.yaml",
      "code": "E005",
      "subject": "leads",
      "count": 1
    },
    {
      "path": "a.kpi.yaml",
      "code": "P301",
      "subject": "views",
      "count": 1
    },
    {
      "path": "team/b.kpi.yaml",
      "code": "P301",
      "subject": "likes",
      "count": 1
    }
  ]
}
"""

STALE_HEADER_START = "kpilint: 1 baseline entr"
STALE_HEADER_END = "shrink the baseline with `kpilint baseline FILE`:"


def make_project(root: Path) -> Path:
    write_files(root, {"kpilint.toml": CONFIG, "a.kpi.yaml": COMPANY, "team/b.kpi.yaml": TEAM})
    return root


def write_baseline(root: Path, *paths: str, name: str = "base.json") -> Run:
    run = run_kpilint("baseline", name, *paths, cwd=root)
    assert run.code == 0, run.stderr
    return run


def check_with_baseline(root: Path, *args: str, name: str = "base.json") -> Run:
    return run_kpilint("check", "--baseline", name, "--output-format", "json", *args, cwd=root)


def test_baseline_writes_sorted_stable_json(project: Path) -> None:
    make_project(project)
    run = write_baseline(project)
    assert run.stdout == "Wrote base.json: 3 findings in the baseline.\n"
    assert run.stderr == ""
    assert (project / "base.json").read_text(encoding="utf-8") == BASELINE


def test_baseline_twice_gives_identical_bytes(project: Path) -> None:
    make_project(project)
    write_baseline(project)
    first = (project / "base.json").read_bytes()
    write_baseline(project)
    assert (project / "base.json").read_bytes() == first
    # paths are root-relative whatever the working directory and the spelling of the paths
    run = run_kpilint("baseline", "../other.json", "..", cwd=project / "team")
    assert run.code == 0
    assert (project / "other.json").read_bytes() == first


def test_baseline_entries_sorted_by_path_code_subject(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": CONFIG,
        "z.kpi.yaml": "version: 1\nkpis:\n  - id: b-views\n    name: Page views\n"
                      "    supports: [x]\n  - id: a-views\n    name: Page views\n"
                      "    supports: [y]\n",
        "m.kpi.yaml": "version: 1\nkpis:\n  - id: likes\n    name: Post likes\n"
                      "    supports: [z]\n",
    })
    write_baseline(project)
    entries = json.loads((project / "base.json").read_text(encoding="utf-8"))["entries"]
    assert [(e["path"], e["code"], e["subject"], e["count"]) for e in entries] == [
        ("m.kpi.yaml", "E005", "likes", 1),
        ("m.kpi.yaml", "P301", "likes", 1),
        ("z.kpi.yaml", "E005", "a-views", 1),
        ("z.kpi.yaml", "E005", "b-views", 1),
        ("z.kpi.yaml", "P301", "a-views", 1),
        ("z.kpi.yaml", "P301", "b-views", 1),
    ]


def test_check_with_baseline_hides_known_findings(project: Path) -> None:
    make_project(project)
    assert run_kpilint("check", cwd=project).code == 1
    write_baseline(project)
    run = check_with_baseline(project)
    assert run.code == 0
    assert run.findings() == []
    assert run.stderr == "kpilint: the baseline hid 3 known findings\n"
    text = run_kpilint("check", "--baseline", "base.json", cwd=project)
    assert (text.code, text.stdout) == (0, "All checks passed (2 files checked).\n")


def test_inserted_lines_and_moved_entities_stay_hidden(project: Path) -> None:
    make_project(project)
    write_baseline(project)
    write_files(project, {"a.kpi.yaml": """
        # Company goals: reviewed every quarter

        version: 1
        kgis:
          - id: revenue
            name: Annual revenue
            x-note: recognised revenue

        kpis:
          # the vanity metric moved to the top of the list
          - id: views
            x-owner-note: web team
            name: Page views
            supports: revenue

          - id: leads
            name: Qualified leads per month
            supports:
              - revenue
              - nope
        """})
    before = run_kpilint("check", "--output-format", "json", "--select", "E005,P301",
                         cwd=project)
    assert before.findings() == [("a.kpi.yaml", "P301", 13, 11), ("a.kpi.yaml", "E005", 20, 9),
                                 ("team/b.kpi.yaml", "P301", 4, 11)]
    run = check_with_baseline(project)
    assert (run.code, run.findings()) == (0, [])
    assert run.stderr == "kpilint: the baseline hid 3 known findings\n"


def test_a_second_finding_of_the_same_key_reports_that_key(project: Path) -> None:
    make_project(project)
    write_baseline(project)
    write_files(project, {"a.kpi.yaml": COMPANY.replace("[revenue, nope]",
                                                        "[revenue, nope, nada]")})
    run = check_with_baseline(project)
    assert run.code == 1
    # the key (a.kpi.yaml, E005, leads) now has 2 findings for 1 in the baseline: both shown
    assert run.findings() == [("a.kpi.yaml", "E005", 8, 25), ("a.kpi.yaml", "E005", 8, 31)]
    assert {d["subject"] for d in run.json()["diagnostics"]} == {"leads"}
    assert run.stderr == "kpilint: the baseline hid 2 known findings\n"


def test_same_code_on_another_entity_is_a_new_key(project: Path) -> None:
    make_project(project)
    write_baseline(project)
    write_files(project, {"team/b.kpi.yaml": TEAM + """
      - id: followers
        name: Social media followers
        supports: revenue
    """})
    run = check_with_baseline(project)
    assert run.code == 1
    assert run.findings() == [("team/b.kpi.yaml", "P301", 8, 11)]
    assert run.stderr == "kpilint: the baseline hid 3 known findings\n"


def test_fixed_finding_is_listed_without_changing_the_exit_code(project: Path) -> None:
    make_project(project)
    write_baseline(project)
    write_files(project, {"a.kpi.yaml": COMPANY.replace("Page views", "Pricing page visits")})
    run = check_with_baseline(project)
    assert run.code == 0
    assert run.findings() == []
    lines = run.stderr.splitlines()
    assert lines[0] == "kpilint: the baseline hid 2 known findings"
    assert lines[1].startswith(STALE_HEADER_START) and lines[1].endswith(STALE_HEADER_END)
    assert "no longer match" in lines[1]
    assert lines[2:] == ["  a.kpi.yaml: P301 (views): 1 in the baseline, 0 now"]
    # with a new finding the exit code is 1, as without the stale entry
    write_files(project, {"team/b.kpi.yaml": TEAM.replace("revenue", "revenu")})
    run = check_with_baseline(project)
    assert run.code == 1
    assert run.findings() == [("team/b.kpi.yaml", "E005", 5, 15)]
    assert run.stderr.splitlines()[2:] == ["  a.kpi.yaml: P301 (views): 1 in the baseline, 0 now"]
    # rewriting the baseline shrinks it
    write_baseline(project)
    entries = json.loads((project / "base.json").read_text(encoding="utf-8"))["entries"]
    assert [(e["path"], e["code"], e["subject"]) for e in entries] == [
        ("a.kpi.yaml", "E005", "leads"), ("team/b.kpi.yaml", "E005", "likes"),
        ("team/b.kpi.yaml", "P301", "likes")]


def test_entries_of_a_deleted_file_are_listed_in_a_full_run(project: Path) -> None:
    make_project(project)
    write_baseline(project)
    (project / "team" / "b.kpi.yaml").unlink()
    run = check_with_baseline(project)
    assert (run.code, run.findings()) == (0, [])
    lines = run.stderr.splitlines()
    assert lines[0] == "kpilint: the baseline hid 2 known findings"
    assert lines[1].startswith(STALE_HEADER_START) and lines[1].endswith(STALE_HEADER_END)
    assert lines[2:] == ["  team/b.kpi.yaml: P301 (likes): 1 in the baseline, 0 now"]


def test_missing_baseline_file_is_exit_2(project: Path) -> None:
    make_project(project)
    run = run_kpilint("check", "--baseline", "missing.json", cwd=project)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        "kpilint: error: missing.json: cannot read the baseline: No such file or directory\n")


ENTRY = '"path": "a.kpi.yaml", "code": "P301", "subject": "views"'


@pytest.mark.parametrize(("content", "problem"), [
    ("{\n", "invalid JSON at line 2, column 1"),
    (b"\xff\xfe{}", "not UTF-8 (byte 1)"),
    ('{"version": 1, "tool": "kpilint"}\n', "expected a JSON object with an `entries` list"),
    ("[]\n", "expected a JSON object with an `entries` list"),
    ('{"entries": {"a.kpi.yaml": 1}}', "expected a JSON object with an `entries` list"),
    ('{"version": 2, "entries": []}', "`version` must be 1"),
    ('{"entries": [["a.kpi.yaml", "P301"]]}', "entry 1 is not an object"),
    ('{"entries": [{"path": "a.kpi.yaml"}]}', "entry 1 needs `path` and `code` as strings"),
    ('{"entries": [{"path": 1, "code": "P301", "count": 1}]}',
     "entry 1 needs `path` and `code` as strings"),
    ('{"entries": [{' + ENTRY + ', "count": 1}, {' + ENTRY + ', "count": "many"}]}',
     "entry 2: `count` must be a whole number of at least 1"),
    ('{"entries": [{' + ENTRY + ', "count": 1.5}]}',
     "entry 1: `count` must be a whole number of at least 1"),
    ('{"entries": [{' + ENTRY + ', "count": true}]}',
     "entry 1: `count` must be a whole number of at least 1"),
    ('{"entries": [{' + ENTRY + ', "count": 0}]}',
     "entry 1: `count` must be a whole number of at least 1"),
    ('{"entries": [{"path": "a.kpi.yaml", "code": "P301", "subject": ["views"], "count": 1}]}',
     "entry 1: `subject` must be a string or null"),
])
def test_malformed_baseline_file_is_one_line_exit_2(project: Path, content: str | bytes,
                                                    problem: str) -> None:
    make_project(project)
    write_files(project, {"bad.json": content})
    run = run_kpilint("check", "--baseline", "bad.json", cwd=project)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (f"kpilint: error: bad.json: not a kpilint baseline file: {problem};"
                          " write one with `kpilint baseline FILE`\n")


def test_baseline_without_file_names_only_file_as_required(project: Path) -> None:
    make_project(project)
    run = run_kpilint("baseline", cwd=project)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == ("kpilint: error: the following arguments are required: FILE"
                          " (see `kpilint baseline --help`)\n")


def test_summary_counts_the_files_findings_are_shown_in(project: Path) -> None:
    make_project(project)
    write_files(project, {"c.kpi.yaml": "version: 1\nkpis:\n  - id: fine\n    name: Fine\n"})
    run = run_kpilint("check", cwd=project)
    assert run.stdout.splitlines()[-1] == (
        "Found 3 problems (1 error, 2 warnings, 0 infos) in 2 files (3 checked).")
    assert run_kpilint("check", "--output-format", "json", cwd=project).json()["summary"] == {
        "files": 3, "errors": 1, "warnings": 2, "infos": 0}
    statistics = run_kpilint("check", "--statistics", cwd=project)
    assert statistics.stdout.splitlines()[-1] == "3 findings in 2 files (3 checked)"
    # a baseline that hides a file's only finding takes that file out of the count
    entry = {"path": "team/b.kpi.yaml", "code": "P301", "subject": "likes", "count": 1}
    write_files(project, {"base.json": json.dumps({"version": 1, "entries": [entry]})})
    run = run_kpilint("check", "--baseline", "base.json", cwd=project)
    assert run.stdout.splitlines()[-1] == (
        "Found 2 problems (1 error, 1 warning, 0 infos) in 1 file (3 checked).")


def test_baseline_file_that_cannot_be_written_is_exit_2(project: Path) -> None:
    make_project(project)
    run = run_kpilint("baseline", "no-such-dir/base.json", cwd=project)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == ("kpilint: error: no-such-dir/base.json: cannot write the baseline:"
                          " No such file or directory\n")


def test_baseline_works_when_one_file_is_named(project: Path) -> None:
    make_project(project)
    write_baseline(project)
    write_files(project, {"a.kpi.yaml": COMPANY.replace("Page views", "Pricing page visits")})
    # a.kpi.yaml's fixed finding is out of scope: no stale entry is listed for it
    run = check_with_baseline(project, "team/b.kpi.yaml")
    assert (run.code, run.findings()) == (0, [])
    assert run.stderr == "kpilint: the baseline hid 1 known finding\n"
    # and from the file's own folder, where the display path differs from the baseline's
    run = run_kpilint("check", "--baseline", "../base.json", "b.kpi.yaml", cwd=project / "team")
    assert (run.code, run.stdout) == (0, "All checks passed (1 file checked).\n")
    assert run.stderr == "kpilint: the baseline hid 1 known finding\n"


def test_baseline_of_one_named_file(project: Path) -> None:
    make_project(project)
    run = write_baseline(project, "team/b.kpi.yaml")
    assert run.stdout == "Wrote base.json: 1 finding in the baseline.\n"
    entries = json.loads((project / "base.json").read_text(encoding="utf-8"))["entries"]
    assert entries == [{"path": "team/b.kpi.yaml", "code": "P301", "subject": "likes",
                        "count": 1}]
    run = check_with_baseline(project)
    assert run.code == 1
    assert run.findings() == [("a.kpi.yaml", "E005", 8, 25), ("a.kpi.yaml", "P301", 10, 11)]
    assert run.stderr == "kpilint: the baseline hid 1 known finding\n"


def test_baseline_with_null_and_named_subjects_of_one_code(project: Path) -> None:
    # E002 at the top level has no subject (null); E002 inside an entity has one. Both keys in
    # one baseline must load and compare (None and str must not be ordered against each other).
    write_files(project, {
        "kpilint.toml": f'today = "{TODAY}"\nselect = ["E"]\n',
        "a.kpi.yaml": "version: 1\nscopee: x\nkpis:\n  - id: a\n    name: A\n    ownr: me\n",
    })
    write_baseline(project)
    entries = json.loads((project / "base.json").read_text(encoding="utf-8"))["entries"]
    assert [(e["code"], e["subject"], e["count"]) for e in entries] == [
        ("E002", None, 1), ("E002", "a", 1)]
    run = check_with_baseline(project)
    assert run.code == 0, run.stderr
    assert run.findings() == []
    assert run.stderr == "kpilint: the baseline hid 2 known findings\n"
    # a fixed finding of either key is listed, not a crash
    write_files(project, {"a.kpi.yaml": "version: 1\nkpis:\n  - id: a\n    name: A\n"
                                        "    ownr: me\n"})
    run = check_with_baseline(project)
    assert run.code == 0, run.stderr
    assert run.stderr.splitlines()[2:] == ["  a.kpi.yaml: E002: 1 in the baseline, 0 now"]


_PLACES = st.tuples(st.sampled_from(["a.kpi.yaml", "b.kpi.yaml"]), st.integers(1, 3),
                    st.integers(1, 2), st.sampled_from(["E005", "P301"]),
                    st.sampled_from([None, "x", "y"]), st.sampled_from(["", "other/a.kpi.yaml"]))


@settings(max_examples=300)
@given(st.lists(_PLACES, max_size=12))
def test_no_baseline_orders_findings_as_grouping_them_does(places: list[tuple[
        str, int, int, str, str | None, str]]) -> None:
    # without a baseline, findings are not grouped per key: the order must still be the one
    # grouping gives (each key's findings in turn, then a stable sort by place), ties included
    diagnostics = [Diagnostic(code, "name", Severity.ERROR, "message",
                              Location(path, Span(line, column, line, column + 1)), "",
                              subject, project_path=project_path)
                   for path, line, column, code, subject, project_path in places]
    grouped = apply_baseline(diagnostics, Counter({BaselineKey("elsewhere", "E005", None): 1}),
                             {"a.kpi.yaml"})
    fast = apply_baseline(diagnostics, Counter(), {"a.kpi.yaml"})
    assert [id(each) for each in fast.reported] == [id(each) for each in grouped.reported]
    assert (fast.hidden, fast.stale) == (0, [])


def _reference_apply(diagnostics: list[Diagnostic], baseline: Counter[BaselineKey],
                     named: set[str]) -> BaselineOutcome:
    """apply_baseline as first written: findings grouped by their BaselineKey."""
    groups: dict[BaselineKey, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        groups.setdefault(key_of(diagnostic), []).append(diagnostic)
    reported: list[Diagnostic] = []
    hidden = 0
    for key, group in groups.items():
        if len(group) > baseline.get(key, 0):
            reported.extend(group)
        else:
            hidden += len(group)
    stale = [(key, allowed, len(groups.get(key, ())))
             for key, allowed in sorted(baseline.items(), key=lambda item: item[0].sort_key())
             if in_scope(key.path, named) and len(groups.get(key, ())) < allowed]
    reported.sort(key=position)
    return BaselineOutcome(reported, hidden, stale)


_PATHS = st.sampled_from(["a.kpi.yaml", "b.kpi.yaml", "t/c.kpi.yaml"])
_CODES = st.sampled_from(["E005", "P301", "S214"])
_SUBJECTS = st.sampled_from([None, "leads", "views"])


@st.composite
def _diagnostics(draw: st.DrawFn) -> Diagnostic:
    line, column = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    return Diagnostic(draw(_CODES), "name", Severity.WARNING, draw(st.text(max_size=3)),
                      Location(draw(_PATHS), Span(line, column, line, column + 1)), "",
                      subject=draw(_SUBJECTS), project_path=draw(st.sampled_from(["", "p.yaml"])))


@settings(max_examples=300, deadline=None)
@given(diagnostics=st.lists(_diagnostics(), max_size=25),
       entries=st.dictionaries(st.builds(BaselineKey, _PATHS, _CODES, _SUBJECTS),
                               st.integers(0, 3), max_size=6),
       named=st.sets(st.sampled_from([".", "a.kpi.yaml", "t"]), max_size=2))
def test_apply_baseline_matches_grouping_by_key(diagnostics: list[Diagnostic],
                                                entries: dict[BaselineKey, int],
                                                named: set[str]) -> None:
    """Grouping by the key's fields (and no lookups without a baseline) keeps what is
    reported, in the same order (ties too), what is hidden and what is stale."""
    baseline = Counter(entries)
    got = apply_baseline(diagnostics, baseline, named)
    expected = _reference_apply(diagnostics, baseline, named)
    assert [id(each) for each in got.reported] == [id(each) for each in expected.reported]
    assert (got.hidden, got.stale) == (expected.hidden, expected.stale)
