"""``kpilint check --fix``, ``--diff`` and ``--unsafe-fixes`` (SPEC 10.8), through the real CLI.

Exact bytes before and after: CRLF, a BOM, comments, flow style and a missing final newline
stay; the safe fixes (a "did you mean" with one candidate, an unused suppression code) are
applied, the unsafe ones (the inferred `indicator`) only when asked; a second run changes
nothing; `--diff` writes nothing; stdin gets its fixed text on stdout; read-only files, files
the run did not name and files outside the project are left alone.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from kpilint.build import replacement_fix
from kpilint.diagnostics import Edit, Fix, Span
from kpilint.fixes import apply_fixes, same_data_but_fixed
from tests.conftest import TODAY, write_files

CONFIG = f'today = "{TODAY}"\nselect = ["E", "X", "S203"]\n'
BOM = b"\xef\xbb\xbf"
TYPOS = (BOM + b"# goals\r\n"
         b"version: 1\r\n"
         b"kgis:\r\n"
         b"  - {id: revenue, name: Revenue, unit: JPY, target: 100, direction: increse}  # flow\r\n"
         b"kpis:\r\n"
         b"  - id: leads  # the funnel\r\n"
         b"    name: Qualified leads\r\n"
         b"    supports: [revenu]\r\n"
         b"    indicatr: leading\r\n"
         b"    cadence: weekly  # kpilint: disable=P301,S203 -- noisy\r\n"
         b"    unit: count")
FIXED = (BOM + b"# goals\r\n"
         b"version: 1\r\n"
         b"kgis:\r\n"
         b"  - {id: revenue, name: Revenue, unit: JPY, target: 100, direction: increase}"
         b"  # flow\r\n"
         b"kpis:\r\n"
         b"  - id: leads  # the funnel\r\n"
         b"    name: Qualified leads\r\n"
         b"    supports: [revenue]\r\n"
         b"    indicator: leading\r\n"
         b"    cadence: weekly  # kpilint: disable=P301 -- noisy\r\n"
         b"    unit: count")
REMAINING = (
    "g.kpi.yaml:4:6: S203 [warning] KGI 'revenue' has no `baseline`: add where it stands today,"
    " e.g. `baseline: 150` or `baseline: {value: 150, as_of: 2026-09-30}`\n"
    "g.kpi.yaml:6:5: S203 [warning] KPI 'leads' has no `baseline`: add where it stands today,"
    " e.g. `baseline: 150` or `baseline: {value: 150, as_of: 2026-09-30}`\n")
DIFF = (
    "--- g.kpi.yaml\n"
    "+++ g.kpi.yaml\n"
    "@@ -1,11 +1,11 @@\n"
    " # goals\r\n"
    " version: 1\r\n"
    " kgis:\r\n"
    "-  - {id: revenue, name: Revenue, unit: JPY, target: 100, direction: increse}  # flow\r\n"
    "+  - {id: revenue, name: Revenue, unit: JPY, target: 100, direction: increase}  # flow\r\n"
    " kpis:\r\n"
    "   - id: leads  # the funnel\r\n"
    "     name: Qualified leads\r\n"
    "-    supports: [revenu]\r\n"
    "-    indicatr: leading\r\n"
    "-    cadence: weekly  # kpilint: disable=P301,S203 -- noisy\r\n"
    "+    supports: [revenue]\r\n"
    "+    indicator: leading\r\n"
    "+    cadence: weekly  # kpilint: disable=P301 -- noisy\r\n"
    "     unit: count\n"
    "\\ No newline at end of file\n")


@dataclass
class Run:
    """One kpilint process; stdout as bytes (line breaks exactly as written)."""

    code: int
    stdout: bytes
    stderr: str


def kpilint(*args: str, cwd: Path, stdin: bytes | None = None) -> Run:
    env = {key: value for key, value in os.environ.items() if key != "GITHUB_ACTIONS"}
    process = subprocess.run([sys.executable, "-m", "kpilint", "check", "--no-cache", *args],
                             cwd=cwd, capture_output=True, input=stdin, env=env, timeout=120,
                             check=False)
    return Run(process.returncode, process.stdout, process.stderr.decode("utf-8"))


@pytest.fixture
def typos(tmp_path: Path) -> Path:
    """A project whose one spec file has three typos and an unused suppression code."""
    write_files(tmp_path, {"kpilint.toml": CONFIG, "g.kpi.yaml": TYPOS})
    return tmp_path


def test_fix_applies_the_safe_fixes_keeping_every_other_byte(typos: Path) -> None:
    run = kpilint("--fix", cwd=typos)
    assert (typos / "g.kpi.yaml").read_bytes() == FIXED
    assert run.stdout.decode() == REMAINING + (
        "Found 2 problems (0 errors, 2 warnings, 0 infos) in 1 file. 4 fixed.\n")
    assert (run.code, run.stderr) == (1, "")


def test_a_second_fix_changes_nothing(typos: Path) -> None:
    kpilint("--fix", cwd=typos)
    run = kpilint("--fix", cwd=typos)
    assert (typos / "g.kpi.yaml").read_bytes() == FIXED
    assert run.stdout.decode() == REMAINING + (
        "Found 2 problems (0 errors, 2 warnings, 0 infos) in 1 file.\n")
    assert run.code == 1


def test_diff_prints_what_fix_would_do_and_writes_nothing(typos: Path) -> None:
    run = kpilint("--diff", cwd=typos)
    assert run.stdout.decode() == DIFF
    assert run.stderr == "Would fix 4 problems in 1 file.\n"
    assert run.code == 1
    assert (typos / "g.kpi.yaml").read_bytes() == TYPOS
    kpilint("--fix", cwd=typos)
    after = kpilint("--diff", cwd=typos)
    assert (after.code, after.stdout, after.stderr) == (
        0, b"", "Would fix 0 problems in 0 files.\n")


def test_stdin_gets_the_fixed_text_and_no_file_is_written(typos: Path) -> None:
    run = kpilint("--fix", "--stdin-filename", "g.kpi.yaml", "-", cwd=typos, stdin=TYPOS)
    assert run.stdout == FIXED
    assert run.stderr == ("Fixed 4 problems in the text of g.kpi.yaml (printed; no file"
                          " written); 2 remaining.\n")
    assert run.code == 1
    assert (typos / "g.kpi.yaml").read_bytes() == TYPOS


UNDECLARED = ("version: 1\n"
              "kpis:\n"
              "  - id: mqls  # from HubSpot\n"
              "    name: Marketing qualified leads\n"
              "  - {id: churn, name: Customer churn rate}\n")


@pytest.mark.parametrize(("extra", "expected"), [
    ((), UNDECLARED),
    (("--unsafe-fixes",), UNDECLARED.replace("    name: Marketing",
                                             "    indicator: leading\n    name: Marketing")),
], ids=["safe-only", "unsafe-fixes"])
def test_unsafe_fixes_write_the_inferred_indicator(tmp_path: Path, extra: tuple[str, ...],
                                                    expected: str) -> None:
    write_files(tmp_path, {"kpilint.toml": f'today = "{TODAY}"\nselect = ["P305"]\n',
                           "g.kpi.yaml": UNDECLARED})
    run = kpilint("--fix", *extra, cwd=tmp_path)
    assert (tmp_path / "g.kpi.yaml").read_text() == expected
    lines = run.stdout.decode().splitlines()
    if extra:  # the flow mapping gets no insertion: P305 stays for it
        assert lines[-1] == "Found 1 problem (0 errors, 0 warnings, 1 info) in 1 file. 1 fixed."
        assert lines[0].startswith("g.kpi.yaml:6:6: P305 [info] KPI 'churn'")
    else:
        assert lines[-1] == "Found 2 problems (0 errors, 0 warnings, 2 infos) in 1 file."


def test_diff_with_unsafe_fixes_shows_the_insertion(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": f'today = "{TODAY}"\nselect = ["P305"]\n',
                           "g.kpi.yaml": UNDECLARED})
    assert kpilint("--diff", cwd=tmp_path).stdout == b""
    run = kpilint("--diff", "--unsafe-fixes", cwd=tmp_path)
    assert run.stdout.decode() == (
        "--- g.kpi.yaml\n+++ g.kpi.yaml\n@@ -1,5 +1,6 @@\n version: 1\n kpis:\n"
        "   - id: mqls  # from HubSpot\n+    indicator: leading\n"
        "     name: Marketing qualified leads\n   - {id: churn, name: Customer churn rate}\n")
    assert run.code == 1


@pytest.mark.parametrize(("args", "message"), [
    (("--fix", "--add-suppressions"),
     "--fix does not go with --add-suppressions (fix first, then suppress what remains)"),
    (("--diff", "--add-suppressions"),
     "--diff does not go with --add-suppressions (fix first, then suppress what remains)"),
    (("--unsafe-fixes",), "--unsafe-fixes only goes with --fix or --diff"),
], ids=["fix", "diff", "unsafe-alone"])
def test_misuse_is_a_usage_error(typos: Path, args: tuple[str, ...], message: str) -> None:
    run = kpilint(*args, cwd=typos)
    assert (run.code, run.stdout, run.stderr) == (2, b"", f"kpilint: error: {message}\n")
    assert (typos / "g.kpi.yaml").read_bytes() == TYPOS


COMMENTS = ("# kpilint: disable-file=P301 -- all vanity here\n"
            "version: 1\n"
            "kpis:\n"
            "  - id: leads\n"
            "    # kpilint: disable=S206\n"
            "    name: Leads  # kpilint: disable=S205  # the funnel's top\n"
            "    supports: revenue  # kpilint: disable=E005,S203\n")


def test_unused_suppressions_lose_their_code_or_the_whole_comment(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": f'today = "{TODAY}"\nselect = ["X", "P301", "S2"]\n'
                                           'ignore = ["S201", "S202", "S204", "S207", "S208"]\n',
                           "g.kpi.yaml": COMMENTS})
    run = kpilint("--fix", cwd=tmp_path)
    assert (tmp_path / "g.kpi.yaml").read_text() == (
        "version: 1\n"
        "kpis:\n"
        "  - id: leads\n"
        "    name: Leads  # the funnel's top\n"
        "    supports: revenue  # kpilint: disable=E005\n")
    assert [line.split(" [")[0] for line in run.stdout.decode().splitlines()] == [
        "g.kpi.yaml:3:5: S203", "g.kpi.yaml:3:5: S205", "g.kpi.yaml:3:5: S206",
        "Found 3 problems (0 errors, 3 warnings, 0 infos) in 1 file. 4 fixed."]
    assert (run.code, run.stderr) == (1, "")


def test_a_file_that_is_not_valid_yaml_is_left_alone(tmp_path: Path) -> None:
    text = ("version: 1\n"
            "kpis:\n"
            "  - id: a\n"
            "    name: b: c  # kpilint: disable=S203\n")
    write_files(tmp_path, {"kpilint.toml": f'today = "{TODAY}"\nselect = ["E", "X", "S203"]\n',
                           "g.kpi.yaml": text})
    run = kpilint("--fix", cwd=tmp_path)
    assert (tmp_path / "g.kpi.yaml").read_text() == text
    assert [line.split(" [")[0] for line in run.stdout.decode().splitlines()] == [
        "g.kpi.yaml:4:12: E001", "g.kpi.yaml:4:17: X001",
        "Found 2 problems (1 error, 1 warning, 0 infos) in 1 file."]
    assert (run.code, run.stderr) == (1, "")


def test_a_read_only_file_is_not_fixed(typos: Path) -> None:
    spec = typos / "g.kpi.yaml"
    spec.chmod(0o444)
    run = kpilint("--fix", cwd=typos)
    assert spec.read_bytes() == TYPOS
    assert stat.S_IMODE(spec.stat().st_mode) == 0o444
    assert run.stderr == "kpilint: g.kpi.yaml: not fixed: it is read-only\n"
    assert run.code == 2
    assert run.stdout.decode().splitlines()[-1] == (
        "Found 6 problems (3 errors, 3 warnings, 0 infos) in 1 file.")


def test_only_the_named_files_of_the_project_are_fixed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    outside = tmp_path / "outside.kpi.yaml"
    write_files(project, {"kpilint.toml": CONFIG, "g.kpi.yaml": TYPOS, "other.kpi.yaml": TYPOS,
                          "notes.yaml": TYPOS})
    outside.write_bytes(TYPOS.replace(b"id: leads", b"id: far"))
    (project / "linked.kpi.yaml").symlink_to(outside)
    run = kpilint("--fix", "g.kpi.yaml", cwd=project)
    assert (project / "g.kpi.yaml").read_bytes() == FIXED
    assert (project / "other.kpi.yaml").read_bytes() == TYPOS
    assert (project / "notes.yaml").read_bytes() == TYPOS
    assert outside.read_bytes() == TYPOS.replace(b"id: leads", b"id: far")
    assert run.code == 1
    run = kpilint("--fix", "linked.kpi.yaml", cwd=project)
    assert outside.read_bytes() == TYPOS.replace(b"id: leads", b"id: far")
    assert run.stderr == (f"kpilint: linked.kpi.yaml: not fixed: it resolves to {outside},"
                          f" outside the project root {project}\n")
    assert run.code == 2


def test_json_marks_each_fix_safe_or_unsafe(tmp_path: Path) -> None:
    import json

    write_files(tmp_path, {"kpilint.toml": f'today = "{TODAY}"\nselect = ["P305", "E"]\n',
                           "g.kpi.yaml": UNDECLARED.replace("leads\n", "leads\n    ownr: ops\n")})
    run = kpilint("--output-format", "json", cwd=tmp_path)
    fixes = [(each["code"], each["line"], each["fix"])
             for each in json.loads(run.stdout)["diagnostics"]]
    assert fixes == [
        ("P305", 3, {"message": "Declare `indicator: leading`", "applicability": "unsafe",
                     "edits": [{"line": 4, "column": 1, "end_line": 4, "end_column": 1,
                                "text": "    indicator: leading\n"}]}),
        ("E002", 5, {"message": "Replace with 'owner'", "applicability": "safe", "edits": [
            {"line": 5, "column": 5, "end_line": 5, "end_column": 9, "text": "owner"}]}),
        ("P305", 6, None)]  # a flow mapping gets no insertion


def test_overlapping_fixes_wait_for_the_next_pass() -> None:
    first = Fix("a", (Edit(Span(1, 1, 1, 4), "xyz"),))
    overlapping = Fix("b", (Edit(Span(1, 3, 1, 6), "!"),))
    touching = Fix("c", (Edit(Span(1, 4, 1, 4), "+"),))
    same_insertion = Fix("d", (Edit(Span(1, 4, 1, 4), "-"),))
    outside = Fix("e", (Edit(Span(3, 1, 3, 2), "?"),))
    assert apply_fixes("abcdef\n", [overlapping, touching, first, same_insertion, outside]) == (
        "xyz+def\n", [first, touching])


@pytest.mark.parametrize(("old", "new", "text", "same"), [
    ("a: leadng\n", "a: leading\n", "leading", True),
    ("a: leadng\n", "a: lagging\n", "leading", False),  # not what the fix writes
    ("a: 2025\n", "a: '2026'\n", "'2026'", True),
    ("a: [x]  # note\n", "a: [x]\n", "", True),  # a comment is no data
    ("a: [x]\n", "a: [x, y]\n", "", False),
    ("a: b\nc: d\n", "a: b\na: d\n", "a", False),  # a duplicate key loses a value
    ("a: b\n", "a: [b\n", "[b", False),  # not YAML any more
], ids=["replacement", "other-value", "quoted", "comment", "new-item", "duplicate", "invalid"])
def test_a_pass_must_keep_the_data_but_for_its_fixes(old: str, new: str, text: str,
                                                     same: bool) -> None:
    fix = Fix("f", (Edit(Span(1, 4, 1, 5), text),))
    assert same_data_but_fixed(old, new, [fix]) is same


GOALS = ("version: 1\n"
         "kgis:\n"
         "  - {id: '2026', name: Goal 2026, unit: count, target: 1}\n"
         "  - {id: 'yes', name: Yes goal, unit: count, target: 1}\n"
         "kpis:\n"
         "  - id: k\n"
         "    name: K\n")


@pytest.mark.parametrize(("lines", "expected"), [
    ("    supports: 2025\n", "    supports: '2026'\n"),  # plain 2026 would be a number
    ("    supports: [yse]\n", "    supports: ['yes']\n"),  # plain yes would be a boolean
    ("    direction: &d increse\n    x-copy: *d\n", None),  # the anchor stays out: no fix
    ("    supports: \"20\\x325\"\n", None),  # an escape: the text is not the value
    ("    ownr: a\n    ownr: b\n", None),  # a duplicated key: renaming one revives the other
    ("    cadence: |\n      weekley\n", None),  # a block scalar
], ids=["number-id", "boolean-id", "anchor", "escape", "duplicate-key", "block-scalar"])
def test_a_fix_writes_exactly_the_value_or_is_not_offered(tmp_path: Path, lines: str,
                                                          expected: str | None) -> None:
    write_files(tmp_path, {"kpilint.toml": f'today = "{TODAY}"\nselect = ["E"]\n',
                           "g.kpi.yaml": GOALS + lines})
    run = kpilint("--fix", cwd=tmp_path)
    assert (tmp_path / "g.kpi.yaml").read_text() == GOALS + (expected or lines)
    assert run.stderr == ""
    assert run.code == (1 if expected is None else 0)  # what is left is an E finding


LOOSE_MATCH = ("version: 1\n"
               "kgis:\n"
               "  - {id: revenue, name: Revenue, unit: JPY, target: 100}\n"
               "ksfs:\n"
               "  - id: follow-up\n"
               "    name: Faster lead follow-up\n"
               "    supports: revenue\n"
               "    target: 5\n")


def test_a_loose_single_match_is_an_unsafe_fix(tmp_path: Path) -> None:
    """`target` on a KSF is no typo of `tags` (similarity 0.6): renaming it would change what
    the file says, so only --unsafe-fixes applies it."""
    write_files(tmp_path, {"kpilint.toml": f'today = "{TODAY}"\nselect = ["E"]\n',
                           "g.kpi.yaml": LOOSE_MATCH})
    safe = kpilint("--fix", cwd=tmp_path)
    assert (safe.code, safe.stdout.decode().splitlines()[0]) == (
        1, "g.kpi.yaml:8:5: E002 [error] unknown key `target` for a KSF (did you mean 'tags'?)")
    assert (tmp_path / "g.kpi.yaml").read_text() == LOOSE_MATCH
    unsafe = kpilint("--fix", "--unsafe-fixes", cwd=tmp_path)  # and it was no fix at all:
    assert (unsafe.code, unsafe.stdout.decode()) == (1, (
        "g.kpi.yaml:8:11: E002 [error] `tags` must be a list, not '5'\n"
        "Found 1 problem (1 error, 0 warnings, 0 infos) in 1 file. 1 fixed.\n"))
    assert (tmp_path / "g.kpi.yaml").read_text() == LOOSE_MATCH.replace("target: 5", "tags: 5")


@pytest.mark.parametrize(("typed", "meant", "safe"), [
    ("increse", "increase", True),     # one letter dropped
    ("leadz", "leads", True),          # one letter changed
    ("yse", "yes", True),              # two letters swapped (similarity 0.67)
    ("decreasing", "decrease", True),  # similarity 0.78
    ("target", "tags", False),         # similarity 0.6, three edits
    ("abcde", "acbdf", False),         # a swap and a change
])
def test_which_replacements_are_safe(typed: str, meant: str, safe: bool) -> None:
    fix = replacement_fix(Span(1, 1, 1, 1 + len(typed)), [meant], typed)
    assert fix is not None
    assert fix.applicability == ("safe" if safe else "unsafe")
