"""Writes into users' files are safe (issue 13, items 4 and 13-16; docs/suppressions.md).

`--add-suppressions` (and later `check --fix`) rewrites spec files through one module,
`kpilint.safe_write`: it never writes outside the project root, never splits hard links, keeps
owner and mode, locks the file for the read-modify-write, refuses a file that changed since it
was linted, and refuses any result whose YAML data changed or whose comments would not be read as
written. Reports (`--output-file`) are written atomically and never through a symbolic link.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kpilint.add_suppressions import add_suppression_comments
from kpilint.build import SpecFile
from kpilint.load import Limits, parse_bytes
from kpilint.safe_write import WriteRefused, write_new_files
from kpilint.suppressions import parse_suppressions
from tests.conftest import TODAY, run_kpilint, write_files

HEAD = "version: 1\nkpis:\n  - id: dl\n"
BAD_SPEC = HEAD + "    name: Total app downloads\n    definition: |\n      Short.\n"
SUPPRESSED_SPEC = (HEAD + "    name: Total app downloads  # kpilint: disable=P301\n"
                   "    definition: |  # kpilint: disable=S204\n      Short.\n")
CONFIG = f'today = "{TODAY}"\nselect = ["P301", "S204"]\n'


def bad_project(root: Path, config: str = CONFIG) -> Path:
    write_files(root, {"kpilint.toml": config, "g.kpi.yaml": BAD_SPEC})
    return root / "g.kpi.yaml"


# --- item 4: suppression comments parse in linear time ----------------------------------------

def test_a_reason_followed_by_a_huge_run_of_spaces_parses() -> None:
    # before: a regex with a lazy reason before `\s*$` took ~45 s for 60,000 spaces (quadratic);
    # benchmarks/suppression_parsing.py prints the timings
    spaces = " " * 400_000
    text = (f"a: 1  # kpilint: disable=P301 -- why{spaces}x\n"
            f"b: 2  # kpilint: disable=S204{spaces}x\n"
            f"c: 3  # kpilint: disable=S203 -- because{spaces}\n")
    parsed = parse_suppressions(text)
    assert [(comment.span.line, comment.selectors, comment.reason) for comment in parsed] == [
        (1, ("P301",), f"why{spaces}x"), (3, ("S203",), "because")]


def test_many_own_line_comments_in_a_row_parse() -> None:
    # each own-line comment used to scan all later lines for its target (quadratic)
    text = "# kpilint: disable=P301\n" * 100_000 + "a: 1\n"
    parsed = parse_suppressions(text)
    assert len(parsed) == 100_000
    assert {comment.target_line for comment in parsed} == {100_001}


def test_many_comment_marks_on_a_line_with_many_quoted_scalars_parse() -> None:
    line = "a: [" + ", ".join(['"# kpilint: disable=P301"'] * 50_000) + "]"
    line += "  # kpilint: disable=S204\n"
    loaded = parse_bytes(line.encode(), Limits())
    spec = SpecFile("", line, [document for document in loaded.documents if document])
    parsed = parse_suppressions(line, spec.quoted_or_block_scalars())
    assert [(comment.span.column, comment.selectors) for comment in parsed] == [
        (len(line) - len("# kpilint: disable=S204\n") + 1, ("S204",))]


@pytest.mark.parametrize(("tail", "reason"), [
    ("", None), ("   ", None), (" --", None), (" --   ", None), (" -- a -- b ", "a -- b"),
    ("  # another comment", None), ("\t--\twhy", "why"),
], ids=["nothing", "spaces", "dashes", "dashes-spaces", "dashes-inside", "comment", "tabs"])
def test_what_may_follow_the_codes(tail: str, reason: str | None) -> None:
    parsed = parse_suppressions(f"a: 1  # kpilint: disable=P301{tail}\n")
    assert [(comment.selectors, comment.reason) for comment in parsed] == [(("P301",), reason)]


@pytest.mark.parametrize("tail", ["!", " x", " --x", "#x", " , -- r"])
def test_anything_else_after_the_codes_is_no_directive(tail: str) -> None:
    assert parse_suppressions(f"a: 1  # kpilint: disable=P301{tail}\n") == []


# --- item 14: only comments YAML reads as comments ---------------------------------------------

@pytest.mark.parametrize(("source", "codes", "expected"), [
    (HEAD + "    name: Total views\u00a0\n", {4: ["P301"]},
     HEAD + "    name: Total views\u00a0  # kpilint: disable=P301\n"),
    (HEAD + "    definition: |\u2028      Short.\n", {4: ["S204"]},
     HEAD + "    # kpilint: disable=S204\n    definition: |\u2028      Short.\n"),
    (HEAD + '    name: "Total views # kpilint: disable=S204"\n', {4: ["P301"]},
     HEAD + '    name: "Total views # kpilint: disable=S204"  # kpilint: disable=P301\n'),
    (HEAD + "    name: Total views  # kpilint: disable-file=S204\n", {4: ["P301"]},
     HEAD + "    # kpilint: disable=P301\n    name: Total views  # kpilint: disable-file=S204\n"),
    ("# kpilint: disable-file=S204\n" + HEAD, {1: ["P301"]},
     "# kpilint: disable-file=S204,P301\n" + HEAD),
    ("", {1: ["S101"]}, "# kpilint: disable-file=S101\n"),
    ("# notes\n\n", {2: ["S101"]}, "# kpilint: disable-file=S101\n# notes\n\n"),
    # a plain scalar ending in a tab, CR line ends, a tab-only line: the old writer put the
    # comment after the tab, which libyaml then rejects
    ("      Total views\t\r\t", {1: ["P301"]},
     "      # kpilint: disable=P301\r      Total views\t\r\t"),
    ("? a", {1: ["P301"]}, "? a  # kpilint: disable=P301"),
], ids=["no-break-space", "line-separator-after-block-header", "directive-in-quoted-value",
        "next-to-disable-file", "on-a-disable-file-line", "empty-file", "comment-only-file",
        "cr-line-ends-and-tabs", "empty-value-at-the-end"])
def test_comments_go_where_yaml_reads_them(source: str, codes: dict[int, list[str]],
                                           expected: str) -> None:
    assert add_suppression_comments(source.encode(), codes).decode() == expected


@pytest.mark.parametrize(("source", "line", "refusal"), [
    # a finding inside a block scalar's text (only reachable with stale line numbers)
    ((HEAD + "    definition: |\n      text\n      more\n").encode(), 6,
     "the comments would change its YAML data"),
    # `version: 1  # c`, then a line of spaces and a tab: libyaml rejects what the old writer made
    (b"version: 1\r  \t", 1, "the comments would make it invalid YAML"),
    (b"a: b: c\n", 1, "it is not valid YAML"),
    (b"a: \xff\n", 1, "it is not UTF-8"),
], ids=["inside-a-block-scalar", "result-invalid", "invalid-yaml", "not-utf8"])
def test_unsafe_writes_are_refused(source: bytes, line: int, refusal: str) -> None:
    with pytest.raises(WriteRefused) as refused:
        add_suppression_comments(source, {line: ["P301"]})
    assert str(refused.value) == refusal


def test_a_reason_joins_a_reasonless_comment_or_goes_on_its_own_line() -> None:
    source = (HEAD + "    name: Total views  # kpilint: disable=S213\n"
              "    definition: Short  # kpilint: disable=S203  # old note\n"
              "    unit: count  # kpilint: disable=S213 -- agreed\n")
    expected = (HEAD + "    name: Total views  # kpilint: disable=S213,P301 -- adopted\n"
                "    # kpilint: disable=S204 -- adopted\n"
                "    definition: Short  # kpilint: disable=S203  # old note\n"
                "    unit: count  # kpilint: disable=S213,S205 -- agreed\n")
    assert add_suppression_comments(source.encode(), {4: ["P301"], 5: ["S204"], 6: ["S205"]},
                                    reason="adopted").decode() == expected


@pytest.mark.parametrize("source", [
    "", "# notes\n", HEAD + "    name: Total views  # kpilint: disable-file=S204\n",
    HEAD + '    name: "a # kpilint: disable=S204"\n', HEAD + "    name: Total views\u00a0\n",
    "    tags: [company, finindicator: leading\nance]\n",
], ids=["empty", "comment-only", "disable-file", "quoted", "no-break-space",
        "file-start-finding-in-a-flow-line"])
def test_add_suppressions_is_idempotent_on_hostile_files(project: Path, source: str) -> None:
    write_files(project, {"g.kpi.yaml": source.encode()})
    first = run_kpilint("check", "--add-suppressions", cwd=project)
    assert (first.code, first.stderr) == (0, ""), first.stderr
    once = (project / "g.kpi.yaml").read_bytes()
    again = run_kpilint("check", "--add-suppressions", cwd=project)
    assert (again.code, again.stdout) == (0, "Added 0 suppression comments to 0 files.\n")
    assert (project / "g.kpi.yaml").read_bytes() == once
    assert run_kpilint("check", "-q", cwd=project).code == 0


# --- issue 10: --reason --------------------------------------------------------------------------

ADOPTION_FILES = {
    "kpilint.toml": f'today = "{TODAY}"\nrequire-suppression-reason = true\n',
    "growth.kpi.yaml": """
        version: 1
        kgis:
          - id: revenue
            name: Improve revenue
        kpis:
          - id: dl
            name: Total app downloads
            definition: |
              Short.
            supports: [revenu]
        """,
    "empty.kpi.yaml": "",
}


def test_adopting_with_a_reason_passes_require_suppression_reason(tmp_path: Path) -> None:
    write_files(tmp_path, ADOPTION_FILES)
    before = run_kpilint("check", "-q", cwd=tmp_path)
    assert (before.code, len(before.stdout.splitlines())) == (1, 20)
    run = run_kpilint("check", "--add-suppressions", "--reason", "adopted 2026-11; see #12",
                      cwd=tmp_path)
    assert (run.code, run.stderr, run.stdout) == (
        0, "", "Added 7 suppression comments to 2 files.\n")
    after = run_kpilint("check", cwd=tmp_path)
    assert (after.code, after.stdout) == (
        0, "All checks passed (2 files checked). 20 suppressed.\n")
    why = " -- adopted 2026-11; see #12"
    assert (tmp_path / "growth.kpi.yaml").read_text() == (
        "version: 1\n"
        "kgis:\n"
        f"  - id: revenue  # kpilint: disable=G103,S202,S203,S204,S207,S212{why}\n"
        f"    name: Improve revenue  # kpilint: disable=S213{why}\n"
        "kpis:\n"
        f"  - id: dl  # kpilint: disable=G102,P305,S201,S202,S203,S205,S206,S207,S208{why}\n"
        f"    name: Total app downloads  # kpilint: disable=P301{why}\n"
        f"    definition: |  # kpilint: disable=S204{why}\n"
        "      Short.\n"
        f"    supports: [revenu]  # kpilint: disable=E005{why}\n")
    assert (tmp_path / "empty.kpi.yaml").read_text() == f"# kpilint: disable-file=E002{why}\n"


@pytest.mark.parametrize(("args", "message"), [
    (("--reason", "why"), "kpilint: error: --reason only goes with --add-suppressions\n"),
    (("--add-suppressions", "--reason", "two\nlines"),
     "kpilint: error: --reason must be one line of printable text, e.g. --reason"
     " 'adopted on 2026-11-23; fix by Q2'\n"),
    (("--add-suppressions", "--reason", "  "),
     "kpilint: error: --reason must be one line of printable text, e.g. --reason"
     " 'adopted on 2026-11-23; fix by Q2'\n"),
])
def test_reason_misuse_is_a_usage_error(project: Path, args: tuple[str, ...],
                                        message: str) -> None:
    spec = bad_project(project)
    run = run_kpilint("check", *args, cwd=project)
    assert (run.code, run.stdout, run.stderr) == (2, "", message)
    assert spec.read_text() == BAD_SPEC


# --- item 13: stdin -------------------------------------------------------------------------------

def test_stdin_gets_its_comments_on_stdout_and_no_file_is_written(project: Path) -> None:
    spec = bad_project(project)
    unsaved = BAD_SPEC.replace("    definition: |\n      Short.\n", "    unit: count\n")
    run = run_kpilint("check", "--add-suppressions", "--stdin-filename", "g.kpi.yaml", "-",
                      cwd=project, stdin=unsaved)
    assert run.code == 0
    assert run.stdout == unsaved.replace("downloads\n", "downloads  # kpilint: disable=P301\n"
                                         ).replace("id: dl\n", "id: dl  # kpilint: disable=S204\n")
    assert run.stderr == ("Added 2 suppression comments to the text of g.kpi.yaml (printed;"
                          " no file written).\n")
    assert spec.read_text() == BAD_SPEC


@pytest.mark.parametrize(("name", "entity_codes"), [
    ("../notes.kpi.yaml", "G102,P305,S201,S202,S203,S205,S206,S207,S208"),  # no config: ALL
    ("missing.kpi.yaml", None),
], ids=["outside-the-root", "not-on-disk"])
def test_stdin_name_outside_the_project_or_missing_writes_nothing(
        tmp_path: Path, name: str, entity_codes: str | None) -> None:
    project = tmp_path / "project"
    project.mkdir()
    bad_project(project)
    outside = tmp_path / "notes.kpi.yaml"
    outside.write_text("my own notes\n")
    run = run_kpilint("check", "--add-suppressions", "--stdin-filename", name, "-",
                      cwd=project, stdin=BAD_SPEC)
    assert run.code == 0, run.stderr
    assert run.stdout == SUPPRESSED_SPEC if entity_codes is None else SUPPRESSED_SPEC.replace(
        "id: dl\n", f"id: dl  # kpilint: disable={entity_codes}\n")
    assert outside.read_text() == "my own notes\n"
    assert not (project / "missing.kpi.yaml").exists()


def test_stdin_without_a_name_is_a_usage_error(project: Path) -> None:
    bad_project(project)
    run = run_kpilint("check", "--add-suppressions", "-", cwd=project, stdin=BAD_SPEC)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == ("kpilint: error: lint stdin with `--stdin-filename NAME -` (and no"
                          " other path)\n")


# --- item 16: links, owner, mode ---------------------------------------------------------------

def test_a_symlinked_spec_is_written_through_to_its_target(project: Path) -> None:
    write_files(project, {"kpilint.toml": CONFIG, "data/real.yaml": BAD_SPEC})
    os.symlink("data/real.yaml", project / "g.kpi.yaml")
    run = run_kpilint("check", "--add-suppressions", cwd=project)
    assert (run.code, run.stdout) == (0, "Added 2 suppression comments to 1 file.\n")
    assert (project / "g.kpi.yaml").is_symlink()
    assert (project / "data/real.yaml").read_text() == SUPPRESSED_SPEC


def test_two_links_to_one_file_write_it_once(project: Path) -> None:
    bad_project(project)
    os.symlink("g.kpi.yaml", project / "h.kpi.yaml")
    run = run_kpilint("check", "--add-suppressions", cwd=project)
    assert (run.code, run.stderr, run.stdout) == (
        0, "", "Added 2 suppression comments to 1 file.\n")
    assert (project / "g.kpi.yaml").read_text() == SUPPRESSED_SPEC


def test_a_link_to_a_file_outside_the_project_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    outside = tmp_path / "shared.kpi.yaml"
    outside.write_text(BAD_SPEC)
    write_files(project, {"kpilint.toml": CONFIG, "g.kpi.yaml": BAD_SPEC.replace("dl", "d2")})
    os.symlink(outside, project / "link.kpi.yaml")
    # discovery does not follow a link out of the root; naming it lints it, and the write refuses
    run = run_kpilint("check", "--add-suppressions", "link.kpi.yaml", "g.kpi.yaml", cwd=project)
    assert run.code == 2
    assert run.stderr == (f"kpilint: link.kpi.yaml: not changed: it resolves to {outside},"
                          f" outside the project root {project}\n")
    assert run.stdout == "Added 2 suppression comments to 1 file.\n"  # the other file was done
    assert outside.read_text() == BAD_SPEC
    assert (project / "g.kpi.yaml").read_text() == SUPPRESSED_SPEC.replace("dl", "d2")


def test_a_hard_linked_file_is_refused_and_its_links_stay(project: Path) -> None:
    spec = bad_project(project)
    os.link(spec, project / "copy.yaml")
    run = run_kpilint("check", "--add-suppressions", cwd=project)
    assert (run.code, run.stdout) == (2, "Added 0 suppression comments to 0 files.\n")
    assert run.stderr == ("kpilint: g.kpi.yaml: not changed: it has 2 hard links, which a"
                          " rewrite would split; edit it by hand\n")
    assert spec.read_text() == BAD_SPEC
    assert spec.stat().st_ino == (project / "copy.yaml").stat().st_ino


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_owner_and_mode_are_kept(project: Path) -> None:
    spec = bad_project(project)
    os.chown(spec, 65534, 65534)
    os.chmod(spec, 0o604)
    assert run_kpilint("check", "--add-suppressions", cwd=project).code == 0
    assert spec.read_text() == SUPPRESSED_SPEC
    info = spec.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o604)


# --- item 15: concurrent runs ---------------------------------------------------------------------

def _waiting_lock_on(path: Path) -> bool:
    """Whether /proc/locks shows a process blocked on a lock of ``path``'s inode."""
    inode = f":{path.stat().st_ino} "  # the device part differs on some overlay file systems
    return any("->" in line and inode in line
               for line in Path("/proc/locks").read_text().splitlines())


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks")
def test_a_file_changed_while_the_run_waits_for_its_lock_is_refused(project: Path) -> None:
    import fcntl

    spec = bad_project(project)
    edited = BAD_SPEC + "# edited by someone else\n"
    with spec.open("rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        process = subprocess.Popen(
            [sys.executable, "-m", "kpilint", "check", "--add-suppressions"], cwd=project,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(600):  # bounded: the run lints, then blocks on the lock
            if _waiting_lock_on(spec) or process.poll() is not None:
                break
            time.sleep(0.1)
        assert _waiting_lock_on(spec)
        with spec.open("r+b") as writer:  # an editor saves in place meanwhile
            writer.seek(0, os.SEEK_END)
            writer.write(b"# edited by someone else\n")
    stdout, stderr = process.communicate(timeout=60)
    assert (process.returncode, stdout) == (2, "Added 0 suppression comments to 0 files.\n")
    assert stderr == "kpilint: g.kpi.yaml: not changed: it changed while kpilint ran; run" \
        " kpilint again\n"
    assert spec.read_text() == edited


def test_concurrent_runs_never_interleave(project: Path) -> None:
    # before: a literal block gained a comment, or codes were written twice
    sources = {f"t{index}.kpi.yaml": BAD_SPEC.replace("dl", f"k{index}") for index in range(6)}
    expected = {name: SUPPRESSED_SPEC.replace("dl", f"k{name[1]}") for name in sources}
    command = [sys.executable, "-m", "kpilint", "check", "--add-suppressions"]
    for _ in range(4):  # bounded rounds; each starts two runs at once on fresh files
        write_files(project, {"kpilint.toml": CONFIG, **sources})
        runs = [subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for run in runs:
            _, stderr = run.communicate(timeout=120)
            # a run that lost the race refuses the files the other changed, one line each
            assert run.returncode == (2 if stderr else 0)
            assert all(line.endswith(": not changed: it changed while kpilint ran; run kpilint"
                                     " again") for line in stderr.splitlines())
        assert {name: (project / name).read_text() for name in sources} == expected
        again = run_kpilint("check", "--add-suppressions", cwd=project)
        assert again.stdout == "Added 0 suppression comments to 0 files.\n"


# --- --output-file ----------------------------------------------------------------------------

def test_output_file_replaces_a_symlink_instead_of_following_it(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    bad_project(project)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    os.symlink(victim, project / "report.json")
    run = run_kpilint("check", "--output-format", "json", "--output-file", "report.json",
                      cwd=project)
    assert (run.code, run.stdout, run.stderr) == (1, "", "")
    assert victim.read_text() == "precious\n"
    report = project / "report.json"
    assert not report.is_symlink()
    assert [d["code"] for d in json.loads(report.read_text())["diagnostics"]] == [
        "P301", "S204"]


def test_output_file_is_replaced_atomically_keeping_its_mode(project: Path) -> None:
    bad_project(project)
    report = project / "report.txt"
    report.write_text("old report\n")
    os.chmod(report, 0o640)
    inode = report.stat().st_ino
    run = run_kpilint("check", "--output-format", "concise", "--output-file", "report.txt",
                      cwd=project)
    assert run.code == 1
    assert report.read_text().startswith("g.kpi.yaml:4:11: P301 ")
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    assert report.stat().st_ino != inode  # a new file renamed into place, not rewritten
    assert sorted(path.name for path in project.iterdir() if path.name != ".kpilint_cache") == [
        "g.kpi.yaml", "kpilint.toml", "report.txt"]  # the result cache is expected beside them


def test_output_file_that_is_a_directory_is_a_usage_error(project: Path) -> None:
    bad_project(project)
    (project / "out").mkdir()
    run = run_kpilint("check", "--output-file", "out", cwd=project)
    assert (run.code, run.stdout, run.stderr) == (
        2, "", "kpilint: error: cannot write out: it is a directory\n")


def test_new_files_that_exist_are_named_as_a_list(tmp_path: Path) -> None:
    names = ["engineering.kpi.yaml", "people.kpi.yaml", "sales.kpi.yaml", "kpilint.toml"]
    for name in names:
        (tmp_path / name).write_text("# mine\n", encoding="utf-8")
    with pytest.raises(WriteRefused) as refused:
        write_new_files({tmp_path / name: "new\n" for name in names}, Path("out"), "convert")
    assert str(refused.value) == (
        "engineering.kpi.yaml, people.kpi.yaml, sales.kpi.yaml and kpilint.toml already exist in"
        " out; kpilint convert never overwrites files")
    assert {path.read_text("utf-8") for path in tmp_path.iterdir()} == {"# mine\n"}
