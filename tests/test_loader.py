"""The YAML loader against hostile and unusual input (SPEC §2, §4 E001/E002/E003, §7, §8).

Every case runs the real CLI on real files and checks three things: the exact diagnostic (code,
line, column and the key part of the message), that the process survived (exit code 1, nothing on
stderr), and that a second, good file of the same project was still linted (its G102 is reported
and ``summary.files`` counts it).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from kpilint.load import LIBYAML_MAX_DEPTH, Limits, MappingNode, ScalarNode, parse_bytes, read_file
from tests.conftest import TODAY, Run, run_kpilint, write_files

# A second file that must still be linted whatever happens to its neighbour: its KPI has no
# `supports`, so it is G102 at the KPI's first key-value pair.
GOOD = """
    version: 1
    kpis:
      - id: lonely
        name: Lonely KPI
    """
GOOD_G102 = ("good.kpi.yaml", "G102", 3, 5)

Diagnostic = dict[str, Any]


def lint(root: Path, *args: str) -> Run:
    return run_kpilint("check", "--output-format", "json", *args, cwd=root)


def in_file(run: Run, path: str, *codes: str) -> list[Diagnostic]:
    """The diagnostics of ``path`` (optionally only those with one of ``codes``)."""
    return [d for d in run.json()["diagnostics"]
            if d["path"] == path and (not codes or d["code"] in codes)]


def positions(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int]]:
    return [(d["code"], d["line"], d["column"]) for d in diagnostics]


def spans(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int, int, int]]:
    return [(d["code"], d["line"], d["column"], d["end_line"], d["end_column"])
            for d in diagnostics]


def assert_survived(run: Run, files: int = 2) -> None:
    """Exit 1 (findings), no crash output, and the good file was linted too."""
    assert run.code == 1, (run.code, run.stdout, run.stderr)
    assert run.stderr == ""
    assert run.json()["summary"]["files"] == files
    assert GOOD_G102 in run.findings()


def assert_only_e001_at_start(run: Run, path: str, *needles: str) -> Diagnostic:
    """The file has exactly one finding, E001 at 1:1, with no subject; it names ``needles``."""
    found = in_file(run, path)
    assert positions(found) == [("E001", 1, 1)], found
    diagnostic = found[0]
    assert diagnostic["subject"] is None
    assert diagnostic["severity"] == "error"
    for needle in needles:
        assert needle in diagnostic["message"]
    return diagnostic


def set_limits(root: Path, **limits: int) -> None:
    lines = [f'today = "{TODAY}"', "[limits]"]
    lines += [f"{key.replace('_', '-')} = {value}" for key, value in limits.items()]
    (root / "kpilint.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- alias bombs and node counts ---------------------------------------------------------------


def alias_bomb(levels: int) -> str:
    """Billion laughs: each level is a list of 10 aliases of the level below."""
    lines = ["version: 1", "x-l0: &l0 [" + ", ".join(['"lol"'] * 10) + "]"]
    for level in range(1, levels):
        lines.append(f"x-l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [9, 10])
def test_alias_bomb_is_e001_naming_max_nodes_and_fast(project: Path, levels: int) -> None:
    write_files(project, {"bomb.kpi.yaml": alias_bomb(levels), "good.kpi.yaml": GOOD})
    started = time.monotonic()
    run = lint(project)
    elapsed = time.monotonic() - started
    assert_survived(run)
    diagnostic = assert_only_e001_at_start(run, "bomb.kpi.yaml", "limits.max-nodes",
                                           "1,000,000")
    assert diagnostic["name"] == "invalid-yaml"
    assert elapsed < 20, f"alias bomb took {elapsed:.1f}s"


def test_lowered_max_nodes_counts_aliases_expanded(project: Path) -> None:
    # 16 nodes as written, 56 with the four aliases expanded (keys count as nodes).
    set_limits(project, max_nodes=50)
    write_files(project, {
        "aliases.kpi.yaml": """
            version: 1
            x-a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]
            x-b: [*a, *a, *a, *a]
            """,
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run)
    assert_only_e001_at_start(run, "aliases.kpi.yaml", "limits.max-nodes (50)")


def test_node_count_limit_is_exact_with_aliases_expanded() -> None:
    data = b"version: 1\nx-a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nx-b: [*a, *a, *a, *a]\n"
    assert parse_bytes(data, Limits(max_nodes=56)).problems == []
    problems = parse_bytes(data, Limits(max_nodes=55)).problems
    assert [(p.code, p.span.line, p.span.column) for p in problems] == [("E001", 1, 1)]
    assert "limits.max-nodes (55)" in problems[0].message


def test_alias_bomb_unit_is_fast_and_builds_nothing() -> None:
    started = time.monotonic()
    loaded = parse_bytes(alias_bomb(10).encode(), Limits())
    assert time.monotonic() - started < 5
    assert loaded.documents == []
    assert [p.code for p in loaded.problems] == ["E001"]


# --- nesting depth and file size ---------------------------------------------------------------


DEEP = 100_000


@pytest.mark.parametrize("content", [
    pytest.param("[" * DEEP + "]" * DEEP + "\n", id="flow-sequences"),
    pytest.param("{a: " * DEEP + "1" + "}" * DEEP + "\n", id="flow-mappings"),
    pytest.param("[" * DEEP + "\n", id="unclosed-sequences"),
    pytest.param("version: 1\nx-deep: " + "[" * DEEP + "]" * DEEP + "\n", id="inside-a-spec"),
])
def test_deep_nesting_is_e001_naming_max_depth(project: Path, content: str) -> None:
    write_files(project, {"deep.kpi.yaml": content, "good.kpi.yaml": GOOD})
    run = lint(project)
    assert_survived(run)
    assert_only_e001_at_start(run, "deep.kpi.yaml", "limits.max-depth (256)")


def test_default_max_depth_boundary(project: Path) -> None:
    # The root mapping is level 1: 1 + 255 lists = 256 levels is allowed, 257 is not.
    write_files(project, {
        "at-limit.kpi.yaml": "version: 1\nx-deep: " + "[" * 255 + "]" * 255 + "\n",
        "over-limit.kpi.yaml": "version: 1\nx-deep: " + "[" * 256 + "]" * 256 + "\n",
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run, files=3)
    assert in_file(run, "at-limit.kpi.yaml") == []
    assert_only_e001_at_start(run, "over-limit.kpi.yaml", "limits.max-depth (256)")


@pytest.mark.parametrize("shape", [
    pytest.param(lambda levels: "[" * levels + "]" * levels + "\n", id="flow"),
    pytest.param(lambda levels: "- " * levels + "1\n", id="block-sequences-on-one-line"),
    pytest.param(lambda levels: "".join("  " * level + "k:\n" for level in range(levels - 1))
                 + "  " * (levels - 1) + "c: 1\n", id="block-mappings"),
])
def test_highest_max_depth_works_whatever_libyaml_refuses(project: Path, shape: Any) -> None:
    # libyaml 0.2.6+ refuses about 1,000 levels in its scanner, before kpilint sees the events;
    # at the highest max-depth the config accepts, the boundary is still kpilint's own.
    set_limits(project, max_depth=LIBYAML_MAX_DEPTH)
    write_files(project, {
        "at-limit.yaml": shape(LIBYAML_MAX_DEPTH),
        "over-limit.yaml": shape(LIBYAML_MAX_DEPTH + 1),
        "far-over.yaml": shape(2 * LIBYAML_MAX_DEPTH),
    })
    for name in ("at-limit.yaml", "over-limit.yaml", "far-over.yaml"):
        loaded = read_file(project / name, Limits(max_depth=LIBYAML_MAX_DEPTH))
        messages = [(p.code, p.span.line, p.span.column, p.message) for p in loaded.problems]
        if name == "at-limit.yaml":
            assert messages == []
        else:
            assert messages == [("E001", 1, 1, f"nesting is deeper than limits.max-depth"
                                                f" ({LIBYAML_MAX_DEPTH}); file not read")]


def test_brackets_in_quotes_and_comments_do_not_count_as_nesting() -> None:
    text = "version: 1\nx-a: '[[[[' # [[[[\nx-b: \"{{{{\"\nx-c: [[1]]\n"
    assert parse_bytes(text.encode(), Limits(max_depth=3)).problems == []


def test_node_count_stops_where_nesting_passes_max_depth() -> None:
    # Long enough for the node-count pass (2 chars a node): it stops at depth 6 and leaves the
    # file to the depth check, as libyaml 0.2.6+ does past its own limit (older libyaml would
    # otherwise scan 100,000 flow mappings in minutes), though the nodes passed max-nodes first.
    text = "[" * 30 + "]" * 30 + "\n"
    problems = parse_bytes(text.encode(), Limits(max_depth=5, max_nodes=10)).problems
    assert [(p.code, p.span.line, p.span.column, p.message) for p in problems] == [
        ("E001", 1, 1, "nesting is deeper than limits.max-depth (5); file not read")]


def test_lowered_max_depth_triggers_on_six_levels(project: Path) -> None:
    set_limits(project, max_depth=5)
    write_files(project, {
        # root mapping + 5 lists = 6 levels
        "six.kpi.yaml": "version: 1\nx-deep: [[[[[1]]]]]\n",
        # root mapping + 4 lists = 5 levels
        "five.kpi.yaml": "version: 1\nx-deep: [[[[1]]]]\n",
        "good.kpi.yaml": GOOD,  # 3 levels: root mapping, kpis list, KPI mapping
    })
    run = lint(project)
    assert_survived(run, files=3)
    assert in_file(run, "five.kpi.yaml") == []
    assert_only_e001_at_start(run, "six.kpi.yaml", "limits.max-depth (5)")


def test_lowered_max_file_bytes(project: Path) -> None:
    set_limits(project, max_file_bytes=100)
    header = b"version: 1\n"
    write_files(project, {
        "big.kpi.yaml": header + b"#" * (100 - len(header)) + b"\n",   # 101 bytes
        "exact.kpi.yaml": header + b"#" * (99 - len(header)) + b"\n",  # 100 bytes
        "good.kpi.yaml": GOOD,
    })
    assert (project / "big.kpi.yaml").stat().st_size == 101
    assert (project / "exact.kpi.yaml").stat().st_size == 100
    run = lint(project)
    assert_survived(run, files=3)
    assert in_file(run, "exact.kpi.yaml") == []
    assert_only_e001_at_start(run, "big.kpi.yaml", "limits.max-file-bytes (100)", "101")


def test_max_file_bytes_applies_to_bytes_too() -> None:
    loaded = parse_bytes(b"version: 1\n" * 10, Limits(max_file_bytes=109))
    assert [(p.code, p.span.line, p.span.column) for p in loaded.problems] == [("E001", 1, 1)]
    assert "limits.max-file-bytes" in loaded.problems[0].message


# --- encodings and bytes that are not allowed --------------------------------------------------


@pytest.mark.parametrize(("encoding", "kind"), [
    ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
    ("utf-32-le", "UTF-32"), ("utf-32-be", "UTF-32"),
])
def test_utf16_and_utf32_with_bom_are_e001_at_start(project: Path, encoding: str,
                                                    kind: str) -> None:
    content = "\ufeffversion: 1\nkpis: []\n".encode(encoding)
    write_files(project, {"wide.kpi.yaml": content, "good.kpi.yaml": GOOD})
    run = lint(project)
    assert_survived(run)
    assert_only_e001_at_start(run, "wide.kpi.yaml", kind, "UTF-8")


@pytest.mark.parametrize(("content", "line", "column", "byte"), [
    pytest.param(b"version: 1\nkpis:\n  - id: k\n    name: Caf\xe9\n", 4, 14, "0xe9",
                 id="latin-1"),
    pytest.param("version: 1\nkpis:\n  - id: k\n    name: \u65e5\u672c Caf".encode() + b"\xe9\n",
                 4, 17, "0xe9", id="after-non-ascii"),
    pytest.param(b"version: 1\r\nkpis:\r\n  - id: k\r\n    name: Caf\xe9\r\n", 4, 14, "0xe9",
                 id="crlf"),
    pytest.param(b"\x80version: 1\n", 1, 1, "0x80", id="first-byte"),
    pytest.param(b"\xef\xbb\xbfversion: 1 #\xff\n", 1, 13, "0xff", id="after-utf8-bom"),
])
def test_invalid_utf8_is_e001_at_the_byte(project: Path, content: bytes, line: int,
                                          column: int, byte: str) -> None:
    write_files(project, {"latin.kpi.yaml": content, "good.kpi.yaml": GOOD})
    run = lint(project)
    assert_survived(run)
    found = in_file(run, "latin.kpi.yaml")
    assert spans(found) == [("E001", line, column, line, column + 1)]
    assert "not valid UTF-8" in found[0]["message"]
    assert byte in found[0]["message"]


def test_utf8_bom_is_accepted_and_columns_do_not_count_it(project: Path) -> None:
    bom = b"\xef\xbb\xbf"
    write_files(project, {
        "bom-valid.kpi.yaml": bom + b"version: 1\nkgis:\n  - {id: goal, name: Goal}\n",
        "bom-v2.kpi.yaml": bom + b"version: 2\n",
        "plain-v2.kpi.yaml": b"version: 2\n",
        "bom-key.kpi.yaml": bom + b"{version: 1, colour: red}\n",
        "good.kpi.yaml": GOOD,
    })
    run = lint(project, "--select", "E")
    assert run.code == 1 and run.stderr == ""
    assert in_file(run, "bom-valid.kpi.yaml") == []
    assert spans(in_file(run, "bom-v2.kpi.yaml")) == [("E002", 1, 10, 1, 11)]
    assert spans(in_file(run, "bom-v2.kpi.yaml")) == spans(in_file(run, "plain-v2.kpi.yaml"))
    assert spans(in_file(run, "bom-key.kpi.yaml")) == [("E002", 1, 14, 1, 20)]


@pytest.mark.parametrize(("content", "line", "column", "char"), [
    pytest.param(b"version: 1\nkpis:\n  - id: k\n    name: ab\x00c\n", 4, 13, "0x00", id="nul"),
    pytest.param("version: 1\nkpis:\n  - id: k\n    name: \u65e5\u672c".encode() + b"\x00x\n",
                 4, 13, "0x00", id="nul-after-non-ascii"),
    pytest.param(b"version: 1\r\nkpis:\r\n  - id: k\r\n    name: ab\x00c\r\n", 4, 13, "0x00",
                 id="nul-crlf"),
    pytest.param(b"version: 1 # a\x00\n", 1, 15, "0x00", id="nul-in-comment"),
    pytest.param(b"version: 1\nx-esc: a\x1bb\n", 2, 9, "0x1b", id="escape"),
])
def test_control_character_is_e001_at_its_position(project: Path, content: bytes, line: int,
                                                   column: int, char: str) -> None:
    write_files(project, {"nul.kpi.yaml": content, "good.kpi.yaml": GOOD})
    run = lint(project)
    assert_survived(run)
    found = in_file(run, "nul.kpi.yaml")
    assert spans(found) == [("E001", line, column, line, column + 1)]
    assert char in found[0]["message"]


def test_nul_position_with_lone_cr_line_breaks() -> None:
    # A lone CR is a line break for YAML, LSP and SARIF alike; libyaml counts it for its own
    # marks, so an encoding/reader error must count it as well.
    loaded = parse_bytes(b"version: 1\rkpis: []\rx-a: ab\x00\r", Limits())
    assert [(p.code, p.span.line, p.span.column) for p in loaded.problems] == [("E001", 3, 8)]


def test_unreadable_path_is_e001_not_an_exception(tmp_path: Path) -> None:
    # A directory cannot be read as a file, even by root.
    loaded = read_file(tmp_path, Limits())
    assert loaded.documents == []
    assert [(p.code, p.span.line, p.span.column) for p in loaded.problems] == [("E001", 1, 1)]
    assert loaded.problems[0].message == (
        "not a regular file but a directory; spec files must be regular files")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read a chmod 000 file")
def test_unreadable_file_is_e001_and_the_run_goes_on(project: Path) -> None:
    write_files(project, {"secret.kpi.yaml": "version: 1\n", "good.kpi.yaml": GOOD})
    secret = project / "secret.kpi.yaml"
    secret.chmod(0)
    try:
        run = lint(project)
    finally:
        secret.chmod(0o644)
    assert_survived(run)
    assert_only_e001_at_start(run, "secret.kpi.yaml", "cannot read file")


def test_dangling_symlink_is_e001_and_the_run_goes_on(project: Path) -> None:
    # The unreadable-file case that root cannot bypass: the path is discovered but cannot be
    # opened.
    write_files(project, {"good.kpi.yaml": GOOD})
    os.symlink(project / "missing" / "target.yaml", project / "dangling.kpi.yaml")
    run = lint(project)
    assert_survived(run)
    assert_only_e001_at_start(run, "dangling.kpi.yaml", "cannot read file")


# --- tags that would run code --------------------------------------------------------------------


def test_python_tags_are_never_executed_and_are_e002_at_the_node(project: Path) -> None:
    write_files(project, {
        "evil.kpi.yaml": """
            version: 1
            kpis:
              - id: evil
                name: Evil KPI
                definition: !!python/object/apply:os.system ["touch PWNED"]
                owner: !!python/name:os.system
                source: !!python/object/new:os.system {args: ["touch PWNED"]}
            """,
        "root.kpi.yaml": '--- !!python/object/apply:os.system ["touch PWNED"]\n',
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert not (project / "PWNED").exists()
    assert_survived(run, files=3)
    found = in_file(run, "evil.kpi.yaml", "E002")
    assert positions(found) == [("E002", 5, 17), ("E002", 6, 12), ("E002", 7, 13)]
    assert all(d["subject"] == "evil" for d in found)
    assert "python/object/apply:os.system" in found[0]["message"]
    assert (found[1]["end_line"], found[1]["end_column"]) == (6, 35)  # the whole scalar
    assert "python/name:os.system" in found[1]["message"]
    assert "python/object/new:os.system" in found[2]["message"]
    assert all("unsupported YAML tag" in d["message"] for d in found)
    assert not [d for d in in_file(run, "evil.kpi.yaml") if d["code"] in ("E001", "X002")]
    root = in_file(run, "root.kpi.yaml")
    assert ("E002", 1, 5) in positions(root)
    assert any("python/object/apply:os.system" in d["message"] for d in root)


def test_tagged_required_field_is_reported_once(project: Path) -> None:
    # SPEC §2: a field that is E002 counts as absent, and is not reported missing a second time.
    write_files(project, {
        "evil.kpi.yaml": """
            version: 1
            kgis:
              - id: goal
                name: Goal
            kpis:
              - id: evil
                name: !!python/name:os.system
                supports: goal
            """,
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run)
    found = in_file(run, "evil.kpi.yaml", "E002")
    assert positions(found) == [("E002", 7, 11)], [d["message"] for d in found]
    assert "unsupported YAML tag" in found[0]["message"]
    # the KPI is still in the graph: it measures the KGI
    assert in_file(run, "evil.kpi.yaml", "G102", "G103") == []


# --- aliases -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "content", "column", "end_column", "needle"), [
    pytest.param(2, "x-loop: &a [*a]", 13, 15, "recursive", id="recursive-list"),
    pytest.param(2, "x-loop: &a {b: *a}", 16, 18, "recursive", id="recursive-map"),
    pytest.param(2, "x-loop: &a [1, [2, *a]]", 20, 22, "recursive", id="recursive-nested"),
    pytest.param(2, "x-undefined: *nope", 14, 19, "*nope is not defined", id="undefined"),
])
def test_bad_alias_is_e001_at_the_alias(project: Path, line: int, content: str, column: int,
                                        end_column: int, needle: str) -> None:
    write_files(project, {"alias.kpi.yaml": f"version: 1\n{content}\n", "good.kpi.yaml": GOOD})
    started = time.monotonic()
    run = lint(project)
    assert time.monotonic() - started < 20
    assert_survived(run)
    found = in_file(run, "alias.kpi.yaml")
    assert spans(found) == [("E001", line, column, line, end_column)]
    assert needle in found[0]["message"]


def test_anchors_do_not_cross_documents(project: Path) -> None:
    write_files(project, {
        "docs.kpi.yaml": """
            version: 1
            x-a: &a 1
            ---
            version: 1
            x-b: *a
            """,
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run)
    found = in_file(run, "docs.kpi.yaml")
    assert spans(found) == [("E001", 5, 6, 5, 8)]
    assert "not defined" in found[0]["message"]


# --- duplicate keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "second"), [
    ("yes", "true"), ("on", "Yes"), ("no", "off"), ("1", "0x1"), ("1", "+1"), ("017", "15"),
    ("null", "~"), ("name", "name"), ("name", '"name"'), ("1.5", "0.15e+1"),
    ("0.5", ".5"),
])
def test_colliding_keys_are_e003_at_the_second(project: Path, first: str, second: str) -> None:
    write_files(project, {
        "dup.kpi.yaml": f"version: 1\nx-map:\n  {first}: a\n  {second}: b\n",
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run)
    found = in_file(run, "dup.kpi.yaml")
    assert spans(found) == [("E003", 4, 3, 4, 3 + len(second))]
    assert found[0]["name"] == "duplicate-key"
    assert "(first at line 3)" in found[0]["message"]
    assert f"duplicate key {second.strip(chr(34))!r}" in found[0]["message"]


@pytest.mark.parametrize(("first", "second"), [
    ("1", "true"), ("0", "false"), ("1", '"1"'), ("null", '"null"'), ("yes", '"yes"'),
    ("1", "1.0"), ("name", "Name"),
])
def test_keys_of_different_type_or_value_do_not_collide(project: Path, first: str,
                                                        second: str) -> None:
    write_files(project, {
        "dup.kpi.yaml": f"version: 1\nx-map:\n  {first}: a\n  {second}: b\n",
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run)
    assert in_file(run, "dup.kpi.yaml") == []


def test_duplicate_key_keeps_the_last_value(project: Path) -> None:
    write_files(project, {
        "dup.kpi.yaml": """
            version: 1
            kgis:
              - id: goal
                name: Goal
            kpis:
              - id: last-wins
                name: Last wins
                supports: nowhere
                supports: goal
              - id: last-loses
                name: Last loses
                supports: goal
                supports: nowhere
            """,
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run)
    found = in_file(run, "dup.kpi.yaml", "E002", "E003", "E005", "G102")
    assert spans(found) == [
        ("E003", 9, 5, 9, 13),     # 2nd `supports` of last-wins; `goal` is kept: no E005
        ("G102", 10, 5, 10, 19),   # last-loses keeps `nowhere`...
        ("E003", 13, 5, 13, 13),   # 2nd `supports` of last-loses
        ("E005", 13, 15, 13, 22),  # ... which is unknown
    ]
    assert [d["subject"] for d in found] == ["last-wins", "last-loses", "last-loses",
                                             "last-loses"]
    assert "(first at line 8)" in found[0]["message"]
    assert "(first at line 12)" in found[2]["message"]


def test_duplicate_key_through_an_alias_is_e003(project: Path) -> None:
    write_files(project, {
        "dup.kpi.yaml": "version: 1\nx-map:\n  &k dup: a\n  *k : b\n",
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run)
    found = in_file(run, "dup.kpi.yaml")
    assert positions(found) == [("E003", 4, 3)]


def test_duplicate_key_value_kept_unit() -> None:
    loaded = parse_bytes(b"yes: first\ntrue: second\n", Limits())
    root = loaded.documents[0]
    assert isinstance(root, MappingNode)
    assert len(root.pairs) == 1
    key, value = root.pairs[0]
    assert isinstance(key, ScalarNode) and isinstance(value, ScalarNode)
    assert (key.text, value.value) == ("true", "second")


def test_merge_key_overridden_by_explicit_key_is_not_e003(project: Path) -> None:
    write_files(project, {
        "merge.kpi.yaml": """
            version: 1
            x-base: &base
              name: Shared name
              indicator: leading
              supports: nowhere
            kgis:
              - id: goal
                name: Goal
            kpis:
              - id: merged
                <<: *base
                supports: goal
              - id: inherits
                <<: *base
            """,
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run)
    found = in_file(run, "merge.kpi.yaml", "E002", "E003", "E005", "G102", "G103")
    # `merged` overrides `supports` (no E003) and reaches the KGI; `inherits` takes
    # supports: nowhere from the merge, reported at the anchor's value (SPEC §4).
    assert spans(found) == [("E005", 5, 13, 5, 20), ("G102", 13, 5, 13, 17)]
    assert [d["subject"] for d in found] == ["inherits", "inherits"]


def test_merge_precedence_unit() -> None:
    data = b"a: &a {k: from-a, only-a: 1}\nb: &b {k: from-b, only-b: 2}\nc:\n  <<: [*a, *b]\n"
    root = parse_bytes(data, Limits()).documents[0]
    assert isinstance(root, MappingNode)
    pair = root.get("c")
    assert pair is not None and isinstance(pair[1], MappingNode)
    merged = {key.text: value.text for key, value in pair[1].pairs
              if isinstance(key, ScalarNode) and isinstance(value, ScalarNode)}
    assert merged == {"k": "from-a", "only-a": "1", "only-b": "2"}  # as PyYAML: first wins


# --- line endings and columns ------------------------------------------------------------------


SPEC_WITH_FINDINGS = (
    "version: 1\n"
    "kgis:\n"
    "  - id: goal\n"
    "    name: Goal\n"
    "kpis:\n"
    "  - id: k\n"
    "    name: K\n"
    "    supports: [goal, nope]\n"
    "    indicator: leadin\n"
    '    target: "200"\n'
    "    colour: red\n"
    "    name: K again\n"
)
SYNTAX_ERROR = "version: 1\nkpis:\n  - id: s\n    name: a: b\n"


def test_crlf_positions_equal_lf(tmp_path: Path) -> None:
    results = {}
    for ending in ("\n", "\r\n"):
        root = tmp_path / ("lf" if ending == "\n" else "crlf")
        root.mkdir()
        (root / "kpilint.toml").write_text(f'today = "{TODAY}"\n', encoding="utf-8")
        write_files(root, {
            "spec.kpi.yaml": SPEC_WITH_FINDINGS.replace("\n", ending).encode(),
            "broken.kpi.yaml": SYNTAX_ERROR.replace("\n", ending).encode(),
        })
        run = lint(root, "--select", "E")
        assert run.code == 1 and run.stderr == ""
        results[ending] = [
            (d["path"], d["code"], d["line"], d["column"], d["end_line"], d["end_column"],
             d["field"], d["message"])
            for d in run.json()["diagnostics"]]
    assert results["\r\n"] == results["\n"]
    assert results["\n"][0][:4] == ("broken.kpi.yaml", "E001", 4, 12)
    assert [entry[:6] for entry in results["\n"][1:]] == [
        ("spec.kpi.yaml", "E005", 8, 22, 8, 26),
        ("spec.kpi.yaml", "E002", 9, 16, 9, 22),
        ("spec.kpi.yaml", "E002", 10, 13, 10, 18),
        ("spec.kpi.yaml", "E002", 11, 5, 11, 11),
        ("spec.kpi.yaml", "E003", 12, 5, 12, 9),
    ]


@pytest.mark.parametrize("separator", [
    pytest.param("\u0085", id="NEL"),
    pytest.param("\u2028", id="LINE-SEPARATOR"),
    pytest.param("\u2029", id="PARAGRAPH-SEPARATOR"),
])
def test_unicode_line_separators_do_not_shift_lines(project: Path, separator: str) -> None:
    # Editors, LSP and SARIF break lines at LF, CRLF and CR only; a NEL / LS / PS inside a
    # quoted string (pasted text) must not move the findings that follow it.
    write_files(project, {
        "sep.kpi.yaml": (
            "version: 1\n"
            "kpis:\n"
            "  - id: k\n"
            "    name: K\n"
            f'    definition: "First part{separator}second part"\n'
            "    colour: red\n"
        ).encode(),
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run)
    assert spans(in_file(run, "sep.kpi.yaml", "E002")) == [("E002", 6, 5, 6, 11)]


def test_columns_count_code_points_after_non_ascii(project: Path) -> None:
    line = "  - {id: jp, name: \U0001f600 \u65e5\u672c\u8a9e, ownr: x}"
    write_files(project, {
        "jp.kpi.yaml": f"version: 1\nkpis:\n{line}\n",
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run)
    found = in_file(run, "jp.kpi.yaml", "E002")
    # 27 code points; UTF-16 would make it 28 (the emoji is a surrogate pair), UTF-8 bytes 35.
    assert line.index("ownr") + 1 == 27
    assert spans(found) == [("E002", 3, 27, 3, 31)]
    assert found[0]["fix"]["edits"] == [
        {"line": 3, "column": 27, "end_line": 3, "end_column": 31, "text": "owner"}]


def test_non_ascii_id_end_column_counts_code_points(project: Path) -> None:
    write_files(project, {
        "jp.kpi.yaml": "version: 1\nkgis:\n  - id: \u65e5\u672c\n    name: x\n",
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run)
    assert spans(in_file(run, "jp.kpi.yaml", "E002")) == [("E002", 3, 9, 3, 11)]


# --- documents ---------------------------------------------------------------------------------


def test_several_documents_and_empty_ones_beside_them(project: Path) -> None:
    write_files(project, {
        "multi.kpi.yaml": """
            ---
            ---
            version: 1
            kgis:
              - id: goal
                name: Goal
            ---
            ...
            ---
            version: 1
            kpis:
              - id: k
                name: K
                supports: goal
                bogus: 1
            --- ~
            """,
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run)
    found = in_file(run, "multi.kpi.yaml", "E001", "E002", "E003", "E005", "G102", "G103")
    # one finding (the unknown key); `supports: goal` crosses documents, so no G102/G103
    assert spans(found) == [("E002", 15, 5, 15, 10)]
    assert "unknown key `bogus`" in found[0]["message"]


@pytest.mark.parametrize("content", [
    pytest.param(b"", id="empty-file"),
    pytest.param(b"\n\n\n", id="blank-lines"),
    pytest.param(b"# only a comment\n# and another\n", id="comments"),
    pytest.param(b"---\n...\n---\n", id="empty-documents"),
    pytest.param(b"--- ~\n---\nnull\n", id="null-documents"),
    pytest.param(b"\xef\xbb\xbf", id="utf8-bom-only"),
])
def test_no_non_empty_document_is_e002_empty_spec_file(project: Path, content: bytes) -> None:
    write_files(project, {"empty.kpi.yaml": content, "good.kpi.yaml": GOOD})
    run = lint(project)
    assert_survived(run)
    found = in_file(run, "empty.kpi.yaml")
    assert positions(found) == [("E002", 1, 1)]
    assert "empty spec file" in found[0]["message"]
    assert found[0]["subject"] is None


# --- syntax errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "line", "column", "needle"), [
    # the second ':' on the line: a plain scalar may not be followed by a mapping indicator
    pytest.param(SYNTAX_ERROR, 4, 12, "mapping values are not allowed", id="mapping-value"),
    # the same after three CJK characters: the column counts code points
    pytest.param("version: 1\nkpis:\n  - id: s\n    name: \u65e5\u672c\u8a9e: x\n", 4, 14,
                 "mapping values are not allowed", id="mapping-value-after-cjk"),
    # `name` at column 4 is neither inside the KPI mapping (column 5) nor a new `-` item
    pytest.param("version: 1\nkpis:\n  - id: s\n   name: x\n", 4, 4,
                 "did not find expected '-' indicator", id="bad-indentation"),
    # a tab cannot start a token in block context
    pytest.param("version: 1\nkpis:\n\t- id: s\n", 3, 1, "cannot start any token", id="tab"),
    # an unclosed flow sequence is only noticed at the end of the stream
    pytest.param("version: 1\nkpis: [\n", 3, 1, "did not find expected node content",
                 id="unclosed-flow"),
])
def test_syntax_error_is_e001_at_the_parser_mark(project: Path, content: str, line: int,
                                                 column: int, needle: str) -> None:
    write_files(project, {"broken.kpi.yaml": content.encode(), "good.kpi.yaml": GOOD})
    run = lint(project)
    assert_survived(run)
    found = in_file(run, "broken.kpi.yaml")
    assert positions(found) == [("E001", line, column)]
    assert found[0]["message"].startswith("invalid YAML: ")
    assert needle in found[0]["message"]


def test_syntax_error_in_a_later_document_drops_the_file(project: Path) -> None:
    write_files(project, {
        "broken.kpi.yaml": "version: 1\nkpis:\n  - id: first\n    name: First\n---\n[\n",
        "good.kpi.yaml": GOOD,
    })
    run = lint(project)
    assert_survived(run)
    # the file is not read further: only E001, no rule runs on the first document's KPI
    assert positions(in_file(run, "broken.kpi.yaml")) == [("E001", 7, 1)]
