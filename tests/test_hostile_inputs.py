"""Hostile repositories (issue 13): no hang, no unbounded read, no crash, no escape from the root.

Every test here failed before its fix: a FIFO blocked the run, ``/dev/zero`` was read until
MemoryError, directory links were followed out of the root and round in circles, and explicitly
tagged scalars or a trailing ``? `` crashed the run.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from kpilint.config import Config, RuleSelection
from kpilint.engine import Linter
from kpilint.load import Limits, parse_bytes, read_file
from kpilint.rule import Context
from tests.conftest import Run, run_kpilint, write_files

KPI = "version: 1\nkpis:\n  - id: {id}\n    name: K\n"
NOT_REGULAR = "not a regular file but {}; spec files must be regular files"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
needs_dev_zero = pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")


def check(root: Path, *args: str) -> Run:
    return run_kpilint("check", "--output-format", "json", "--select", "E,G102", *args,
                       cwd=root)


def findings(run: Run) -> list[tuple[str, str, int, int, str]]:
    return [(d["path"], d["code"], d["line"], d["column"], d["message"])
            for d in run.json()["diagnostics"]]


def g102(path: str, line: int = 3) -> tuple[str, str, int, int, str]:
    return (path, "G102", line, 5, "KPI 'k' does not reach any KGI: add `supports:` with the id"
            " of the KSF or KGI it drives")


# --- files that are not regular files (items 1 and 2) -----------------------------------------


@needs_fifo
def test_fifo_is_skipped_by_discovery_and_e001_when_named(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "good.kpi.yaml": KPI.format(id="k")})
    os.mkfifo(tmp_path / "pipe.kpi.yaml")
    discovered = check(tmp_path)
    assert (discovered.code, discovered.stderr) == (1, "")
    assert findings(discovered) == [g102("good.kpi.yaml")]
    named = check(tmp_path, "pipe.kpi.yaml", "good.kpi.yaml")
    assert findings(named) == [
        g102("good.kpi.yaml"),
        ("pipe.kpi.yaml", "E001", 1, 1, NOT_REGULAR.format("a FIFO"))]


@needs_dev_zero
def test_link_to_dev_zero_is_never_read(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "good.kpi.yaml": KPI.format(id="k")})
    (tmp_path / "zero.kpi.yaml").symlink_to("/dev/zero")
    assert findings(check(tmp_path)) == [g102("good.kpi.yaml")]
    named = check(tmp_path, "zero.kpi.yaml", "good.kpi.yaml")
    assert findings(named) == [
        g102("good.kpi.yaml"),
        ("zero.kpi.yaml", "E001", 1, 1, NOT_REGULAR.format("a character device"))]


def test_read_stops_one_byte_past_the_limit(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # A file whose size says 0 but that goes on (like /proc files): read() is asked for at most
    # max-file-bytes + 1 bytes, and that is enough to refuse it.
    path = tmp_path / "growing.kpi.yaml"
    path.write_bytes(b"version: 1\n" + b"#" * 200 + b"\n")
    real_fstat = os.fstat

    def fstat_reporting_no_size(descriptor: int) -> os.stat_result:
        status = list(real_fstat(descriptor))
        status[6] = 0  # st_size
        return os.stat_result(status)

    monkeypatch.setattr(os, "fstat", fstat_reporting_no_size)
    loaded = read_file(path, Limits(max_file_bytes=100))
    assert [(p.code, p.span.line, p.span.column, p.message) for p in loaded.problems] == [
        ("E001", 1, 1, "file is over limits.max-file-bytes (100); not read")]


# --- links in discovery (item 3) ---------------------------------------------------------------


def test_links_to_the_root_do_not_loop_or_repeat_findings(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "a.kpi.yaml": KPI.format(id="k")})
    (tmp_path / "l1").symlink_to(".")
    (tmp_path / "l2").symlink_to(".")
    run = check(tmp_path)
    assert (run.code, run.stderr) == (1, "")
    assert findings(run) == [g102("a.kpi.yaml")]
    assert run.json()["summary"]["files"] == 1


def test_link_to_an_outside_project_is_not_linted(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    write_files(root, {"kpilint.toml": "", "a.kpi.yaml": KPI.format(id="k")})
    write_files(outside, {"kpilint.toml": "", "x.kpi.yaml": KPI.format(id="x"),
                          "sub/y.kpi.yaml": KPI.format(id="y")})
    (root / "ext").symlink_to(outside)
    (root / "ext-sub").symlink_to(outside / "sub")
    (root / "x.kpi.yaml").symlink_to(outside / "x.kpi.yaml")
    run = check(root)
    assert findings(run) == [g102("a.kpi.yaml")]
    assert run.json()["summary"]["files"] == 1


def test_file_links_inside_the_root_count_once(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "a.kpi.yaml": KPI.format(id="k"),
                           "data/goals.yaml": KPI.format(id="g")})
    (tmp_path / "twin.kpi.yaml").symlink_to("a.kpi.yaml")
    (tmp_path / "goals.kpi.yaml").symlink_to("data/goals.yaml")
    (tmp_path / "goals-again.kpi.yaml").symlink_to("data/goals.yaml")
    run = check(tmp_path)
    # twin.kpi.yaml is a.kpi.yaml again (no duplicate-id E004); data/goals.yaml is not a spec
    # name, so its first link stands for it, once.
    assert [(path, code) for path, code, *_ in findings(run)] == [
        ("a.kpi.yaml", "G102"), ("goals-again.kpi.yaml", "G102")]


# --- scalars that crashed the loader and the builder (items 9 and 10) --------------------------


@pytest.mark.parametrize(("value", "kind"), [
    ('!!bool ""', "bool"), ('!!int ""', "int"), ('!!int "-"', "int"), ('!!float ""', "float"),
    ("!!timestamp x", "timestamp"), ("!!null x", "null"), ('!!float "."', "float"),
])
def test_explicitly_tagged_scalar_that_does_not_resolve_is_e002(tmp_path: Path, value: str,
                                                                   kind: str) -> None:
    text = value.split(" ", 1)[1].strip('"')
    write_files(tmp_path, {"kpilint.toml": "", "a.kpi.yaml": (
        f"version: 1\nscope: {value}\nkpis:\n  - id: k\n    name: K\n    target: {value}\n"
        "    x-note: " + value + "\n")})
    run = check(tmp_path)
    assert run.stderr == ""
    message = f"{text!r} is not a valid {kind} (it is tagged !!{kind})"
    assert findings(run) == [
        ("a.kpi.yaml", "E002", 2, 8, f"`scope`: {message}"),
        g102("a.kpi.yaml", line=4),
        ("a.kpi.yaml", "E002", 6, 13, f"`target`: {message}")]


@pytest.mark.parametrize("content", ["? ", "?", "version: 1\nkgis:\n  - ? ",
                                     "version: 1\nkpis:\n  - id: k\n    name: K\n    ? "])
def test_question_mark_at_end_of_file_is_reported_and_suppressible(tmp_path: Path,
                                                                  content: str) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "a.kpi.yaml": content.encode()})
    run = check(tmp_path)
    assert (run.code, run.stderr) == (1, "")
    assert ("a.kpi.yaml", "E002") in [(path, code) for path, code, *_ in findings(run)]
    added = run_kpilint("check", "--select", "E002", "--add-suppressions", cwd=tmp_path)
    assert (added.code, added.stderr) == (0, "")
    after = findings(check(tmp_path))
    assert [finding for finding in after if finding[1] == "E002"] == []


# --- work that must stay linear (items 5, 6, 7 and 8; timings are in benchmarks/) -------------


def test_formula_terms_are_located_without_rescanning_the_formula(tmp_path: Path) -> None:
    from kpilint import formula

    terms = 3000
    write_files(tmp_path, {"kpilint.toml": "", "a.kpi.yaml": (
        "version: 1\nkgis:\n  - id: g\n    name: G\n    formula: "
        + " + ".join(["k"] * (terms - 1) + ["missing"]) + "\nkpis:\n  - id: k\n    name: K\n")})
    linter = Linter(tmp_path, Config(), Context(today=datetime.date(2026, 11, 23)))
    linter.load(tmp_path / "a.kpi.yaml", "a.kpi.yaml")
    before = formula._plain_text_column.cache_info()
    diagnostics = linter.check().diagnostics
    after = formula._plain_text_column.cache_info()
    assert after.misses - before.misses == 1  # one scan of the formula text, not one per term
    unknown = [d for d in diagnostics if d.code == "E005"]
    column = 14 + 4 * (terms - 1)
    assert [(d.location.span.line, d.location.span.column, d.location.span.end_column)
            for d in unknown] == [(5, column, column + len("missing"))]


def test_pathological_gitignore_pattern_does_not_backtrack(tmp_path: Path) -> None:
    long_name = "a" * 200 + ".kpi.yaml"
    write_files(tmp_path, {"kpilint.toml": "", ".gitignore": "*a*a*a*a*a*a*a*a*b\n\\\n!\n",
                           long_name: KPI.format(id="k")})
    run = check(tmp_path)  # Python's re took minutes on this name; RE2 is linear
    assert (run.code, run.stderr) == (1, "")
    assert findings(run) == [g102(long_name)]


@pytest.mark.parametrize(("toml", "message"), [
    ('exclude = ["\\\\"]', "key `exclude`: '\\\\' is not a valid gitignore-style glob"),
    ('extend-exclude = ["a", "!"]', "key `extend-exclude`: '!' is not a valid gitignore-style"
                                    " glob"),
    ('[per-file-ignores]\n"[z-a]" = ["S2"]', "key `per-file-ignores`: '[z-a]' is not a valid"
                                              " gitignore-style glob"),
])
def test_invalid_config_glob_is_one_clear_line(tmp_path: Path, toml: str, message: str) -> None:
    write_files(tmp_path, {"kpilint.toml": toml + "\n", "a.kpi.yaml": KPI.format(id="k")})
    run = run_kpilint("check", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == f"kpilint: error: {tmp_path / 'kpilint.toml'}: {message}\n"


def test_p302_judges_each_kpi_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kpilint.rules import p302_unpaired_volume

    kpis = "".join(f"  - id: calls-{index}\n    name: Calls {index}\n    supports: goal\n"
                   "    unit: count\n" for index in range(200))
    write_files(tmp_path, {"a.kpi.yaml": (
        "version: 1\nkgis:\n  - id: goal\n    name: Goal\nkpis:\n" + kpis
        + "  - id: answer-rate\n    name: Answer rate\n    supports: goal\n    unit: percent\n")})
    judged: list[str] = []
    original = p302_unpaired_volume.measures_quality

    def counted(kpi: Any) -> bool:
        judged.append(kpi.name)
        return original(kpi)

    monkeypatch.setattr(p302_unpaired_volume, "measures_quality", counted)
    linter = Linter(tmp_path, Config(selections=[RuleSelection(select=("P302",))]),
                    Context(today=datetime.date(2026, 11, 23)))
    linter.load(tmp_path / "a.kpi.yaml", "a.kpi.yaml")
    found = [d for d in linter.check().diagnostics if d.code == "P302"]
    assert len(found) == 200
    assert all([r.message for r in d.related] == ["KPI 'answer-rate' could pair with it"]
               for d in found)
    assert len(judged) == len(set(judged))  # each KPI at most once, not once per count KPI
    assert set(judged) >= {f"Calls {index}" for index in range(200)}


def test_node_limit_is_counted_before_anything_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    from kpilint import load

    built: list[object] = []
    original = load._Composer._compose_document

    def counted(composer: Any, parser: Any) -> Any:
        built.append(parser)
        return original(composer, parser)

    monkeypatch.setattr(load._Composer, "_compose_document", counted)
    text = "version: 1\nx-big: [" + "1, " * 5000 + "1]\n"
    loaded = load.parse_bytes(text.encode(), Limits(max_nodes=5000))
    assert [(p.code, p.span.line, p.span.column, p.message) for p in loaded.problems] == [
        ("E001", 1, 1, "more than limits.max-nodes (5,000) nodes with aliases expanded (an alias"
                       " bomb?); file not read")]
    assert built == []


@pytest.mark.parametrize(("max_nodes", "fits"), [(16, True), (15, False)])
def test_event_stream_count_expands_aliases_exactly(max_nodes: int, fits: bool) -> None:
    # 1 mapping + a + sequence of 3 (4) + b + sequence (1) + two aliases of weight 4 = 16; the
    # comment makes the text long enough for the count to run on the event stream first.
    text = "a: &x [1, 2, 3]\nb: [*x, *x]\n# " + "." * 40 + "\n"
    loaded = parse_bytes(text.encode(), Limits(max_nodes=max_nodes))
    assert (loaded.problems == []) is fits
    assert (len(loaded.documents) == 1) is fits


# --- numbers, config and init (items 11 and 12) ------------------------------------------------


def test_t403_with_a_31_digit_target_is_exact(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "a.kpi.yaml": """
        version: 1
        kgis:
          - id: g
            name: G
            unit: count
            baseline: 1
            target: 1234567890123456789012345678901
            direction: increase
            formula: a * 2
        kpis:
          - id: a
            name: A
            unit: count
            target: 617283945061728394506172839450.2
        """})
    run = run_kpilint("check", "--output-format", "json", "--select", "T403,X002",
                      cwd=tmp_path)
    assert [(d["code"], d["line"], d["message"]) for d in run.json()["diagnostics"]] == [
        ("T403", 9, "KPI targets reach 1,234,567,890,123,456,789,012,345,678,900.4 count; the"
                    " KGI target is 1,234,567,890,123,456,789,012,345,678,901 count (0.6 count"
                    " short)")]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("kpilint.toml", "a = " + "[" * 5000 + "]" * 5000 + "\n",
     "invalid config: values are nested too deeply"),
    ("pyproject.toml", "tool = 1\n", "key `tool`: must be a table, not 1"),
    ("pyproject.toml", "[tool]\nkpilint = 1\n", "key `tool.kpilint`: must be a table, not 1"),
])
def test_hostile_config_is_one_clear_line(tmp_path: Path, name: str, content: str,
                                          message: str) -> None:
    write_files(tmp_path, {name: content, "a.kpi.yaml": KPI.format(id="k")})
    run = run_kpilint("check", "--config", name, cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == f"kpilint: error: {tmp_path / name}: {message}\n"


def test_init_over_a_dangling_link_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "goals.kpi.yaml").symlink_to("nowhere")
    run = run_kpilint("init", ".", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == ("kpilint: error: goals.kpi.yaml already exists in .; kpilint init"
                          " never overwrites files\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["goals.kpi.yaml"]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="no /proc")
def test_init_where_nothing_can_be_written_is_one_clear_line(tmp_path: Path) -> None:
    run = run_kpilint("init", "/proc", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr.startswith("kpilint: error: cannot write /proc/kpilint.toml: ")
    assert run.stderr.endswith("; nothing was written\n")
    assert run.stderr.count("\n") == 1


def test_init_takes_back_the_config_when_the_spec_cannot_be_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from kpilint import scaffold

    real_open = builtins.open

    def failing_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith(scaffold.SPEC_NAME):
            raise OSError(28, "No space left on device", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", failing_open)
    with pytest.raises(scaffold.InitError, match=r"nothing was written$"):
        scaffold.write_starter_files(tmp_path, datetime.date(2026, 11, 23))
    assert list(tmp_path.iterdir()) == []


# --- control characters in human-readable output (item 17) ------------------------------------

ESCAPES = 'version: 1\nkpis:\n  - id: k\n    name: K\n    "\\e]0;PWNED\\a\\e[2J\\u202e": 1\n'
SHOWN = "\\x1b]0;PWNED\\x07\\x1b[2J\\u202e"


@pytest.mark.parametrize("output_format", ["text", "concise", "github", "gitlab", "junit"])
def test_terminal_escapes_in_keys_are_shown_escaped(tmp_path: Path, output_format: str) -> None:
    write_files(tmp_path, {"kpilint.toml": "", "a.kpi.yaml": ESCAPES,
                           "\x1b[2J.kpi.yaml": KPI.format(id="other")})
    run = run_kpilint("check", "--select", "E002,G102", "--output-format", output_format,
                      cwd=tmp_path)
    assert run.code == 1
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in run.stdout
    if output_format == "gitlab":
        descriptions = [issue["description"] for issue in json.loads(run.stdout)]
        assert any(SHOWN in description for description in descriptions)
    elif output_format == "junit":
        messages = [failure.get("message") or "" for failure in
                    ElementTree.fromstring(run.stdout).iter("failure")]
        assert any(SHOWN in message for message in messages)
        assert any(message.startswith("KPI 'other'") for message in messages)
        assert "\\x1b[2J.kpi.yaml" in run.stdout
    else:
        assert SHOWN in run.stdout
        assert "\\x1b[2J.kpi.yaml:" in run.stdout or "file=\\x1b[2J.kpi.yaml," in run.stdout


def _non_utf8_name(directory: Path, name: bytes) -> Path:
    """``directory / name`` for a file name that is not UTF-8, or skip where the file system
    refuses such names."""
    try:
        path = Path(os.fsdecode(os.path.join(os.fsencode(directory), name)))
        path.write_text(KPI.format(id="a"), "utf-8")
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses file names that are not UTF-8")
    return path


@pytest.mark.parametrize("gitignore", ["", "x[ab]/\n"], ids=["name-globs", "pathspec"])
def test_a_file_name_that_is_not_utf8_is_shown_with_its_byte_escaped(
        tmp_path: Path, gitignore: str) -> None:
    write_files(tmp_path, {".gitignore": gitignore})
    (tmp_path / "team").mkdir()
    _non_utf8_name(tmp_path / "team", b"sal\xffes.kpi.yaml")
    _non_utf8_name(tmp_path, b"d\xfe.kpi.yaml")
    expected = [
        ("d\\xfe.kpi.yaml", "G102", 3, 5, "KPI 'a' does not reach any KGI: add `supports:` with"
         " the id of the KSF or KGI it drives"),
        ("team/sal\\xffes.kpi.yaml", "E004", 3, 9, "id 'a' is already used by the KPI at"
         " d\\xfe.kpi.yaml:3; ids must be unique across the project")]
    for args in (("--no-cache",), (), ()):  # uncached, writing the cache, from the cache
        run = check(tmp_path, *args)
        assert (run.code, run.stderr) == (1, "")
        assert findings(run) == expected
    text = run_kpilint("check", "--select", "E004", "--no-cache", cwd=tmp_path)
    assert text.stdout.splitlines()[0] == (
        "team/sal\\xffes.kpi.yaml:3:9: E004 [error] id 'a' is already used by the KPI at"
        " d\\xfe.kpi.yaml:3; ids must be unique across the project")
    [run_key] = (tmp_path / ".kpilint_cache").glob("*-*")  # the cache keeps its state too
    assert (run_key / "state.json").is_file()
    assert (run_key / "signatures.json").is_file()


def test_sarif_names_a_file_that_is_not_utf8_by_its_real_bytes(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    _non_utf8_name(tmp_path / "project", b"sal\xffes.kpi.yaml")
    (tmp_path / "project" / "kpilint.toml").write_text("", "utf-8")
    for cwd, uri in ((tmp_path / "project", {"uri": "sal%FFes.kpi.yaml", "uriBaseId": "%SRCROOT%"}),
                     (tmp_path / "elsewhere", {"uri": (tmp_path / "project").resolve().as_uri()
                                               + "/sal%FFes.kpi.yaml"})):
        cwd.mkdir(exist_ok=True)
        run = run_kpilint("check", "--select", "G102", "--output-format", "sarif",
                          str(tmp_path / "project") if cwd.name == "elsewhere" else ".", cwd=cwd)
        [result] = run.json()["runs"][0]["results"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"] == uri


@pytest.mark.skipif(os.sep == "\\", reason="a backslash separates folders here")
def test_a_literal_backslash_never_shares_a_spelling_with_an_escaped_byte(
        tmp_path: Path) -> None:
    _non_utf8_name(tmp_path, b"x\xff.kpi.yaml")
    write_files(tmp_path, {"x\\xff.kpi.yaml": KPI.format(id="b")})
    for args in (("--no-cache",), (), ()):
        run = run_kpilint("check", "--select", "G102", "--output-format", "json", *args,
                          cwd=tmp_path)
        assert [(d["path"], d["subject"]) for d in run.json()["diagnostics"]] == [
            ("x\\\\xff.kpi.yaml", "b"), ("x\\xff.kpi.yaml", "a")]
