"""The command line contract of SPEC §7, through real processes."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from kpilint import __version__, registry
from kpilint.page_text import page_text
from kpilint.schema import spec_schema_text
from tests.conftest import REPO, run_kpilint, write_files

ORPHAN = "version: 1\nkpis:\n  - id: orphan\n    name: Linked to nothing\n"
GRAPH_ONLY = 'today = "2026-11-23"\nselect = ["E", "G"]\n'


def test_version(tmp_path: Path) -> None:
    run = run_kpilint("--version", cwd=tmp_path)
    assert (run.code, run.stdout) == (0, f"kpilint {__version__}\n")


def test_rules_table_lists_every_rule(tmp_path: Path) -> None:
    run = run_kpilint("rules", cwd=tmp_path)
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["code", "name", "severity", "summary"]
    for rule, line in zip(registry.all_rules(), lines[1:], strict=True):
        assert line.split()[:3] == [rule.code, rule.name, rule.severity.label]
        assert line.endswith(rule.summary)


@pytest.mark.parametrize("key", ["G101", "too-many-kpis", "g101"])
def test_rule_page_by_code_or_name_as_plain_text(tmp_path: Path, key: str) -> None:
    run = run_kpilint("rule", key, cwd=tmp_path)
    assert (run.code, run.stderr) == (0, "")
    lines = run.stdout.splitlines()
    assert lines[:5] == ["too-many-kpis (G101)", "====================", "",
                         "What it does", "------------"]
    options = lines.index("Options")
    assert lines[options:options + 5] == [
        "Options", "-------",
        "option  type                         default    meaning",
        "`max`   integer                      `5`        The most KPIs allowed per KGI (and per"
        " scope); the rule fires above this number.",
        '`per`   list of `"kgi"` / `"scope"`  `["kgi"]`  What to count: `"kgi"` counts the KPIs'
        ' reaching each KGI, `"scope"` the KPIs of each `scope` value across all files.']
    bad = lines.index("Bad:")
    assert lines[bad:bad + 5] == ["Bad:", "", "    version: 1", "    kgis:",
                                  "      - id: revenue-fy26  # G101 fires here"]
    for leak in ("summary:", "```", "expect:", "<!--", "\033["):
        assert leak not in run.stdout


def test_rule_page_links_config_blocks_and_comments(tmp_path: Path) -> None:
    lines = run_kpilint("rule", "X003", cwd=tmp_path).stdout.splitlines()
    example = lines.index("Example")
    assert lines[example:example + 6] == [
        "Example", "-------", "", "With this configuration (kpilint.toml):", "",
        "    allow-suppressions = false"]
    assert ("        name: Social media followers  # kpilint: disable=vanity-metric  # X003 fires"
            " here") in lines
    page = run_kpilint("rule", "formula-unit-mismatch", cwd=tmp_path).stdout
    assert "(formula-syntax), and when a term is not a KPI\n(unknown-reference)." in page
    invalid_yaml = run_kpilint("rule", "E001", cwd=tmp_path).stdout
    assert "position: verify" not in invalid_yaml
    assert "\n\n\n" not in invalid_yaml


def test_rule_page_on_a_terminal_has_bold_headings(tmp_path: Path) -> None:
    output = on_terminal("rule", "G101", cwd=tmp_path)
    assert output.startswith("\033[1mtoo-many-kpis (G101)\033[0m\n====================\n")
    assert "\033[1mWhat it does\033[0m\n------------\n" in output
    assert "\033[36mmax\033[0m     integer      " in output


@pytest.mark.parametrize("rule", registry.all_rules(), ids=lambda rule: rule.code)
def test_every_rule_page_renders_without_markup(rule: type) -> None:
    markdown = (REPO / "rules" / f"{rule.name}.md").read_text(encoding="utf-8")
    text = page_text(markdown)
    assert text.startswith(f"{rule.name} ({rule.code})\n")
    for section in ("What it does", "Why is this bad?", "Options", "How to fix", "Example"):
        assert f"\n{section}\n{'-' * len(section)}\n" in text
    for leak in ("\n---\n", "```", "expect:", "<!--", "](", "\n## "):
        assert leak not in text, leak


def test_unknown_rule_is_exit_2_with_suggestion(tmp_path: Path) -> None:
    run = run_kpilint("rule", "too-many-kpi", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == ("kpilint: error: unknown rule 'too-many-kpi' (did you mean"
                          " 'too-many-kpis'?); `kpilint rules` lists them all\n")


def test_schema_command_prints_the_committed_schema(tmp_path: Path) -> None:
    run = run_kpilint("schema", cwd=tmp_path)
    committed = (REPO / "schemas" / "kpi-spec.schema.json").read_text(encoding="utf-8")
    assert run.stdout == committed
    jsonschema.Draft202012Validator.check_schema(json.loads(run.stdout))


def test_committed_schema_is_up_to_date() -> None:
    committed = (REPO / "schemas" / "kpi-spec.schema.json").read_text(encoding="utf-8")
    assert committed == spec_schema_text(), (
        "schemas/kpi-spec.schema.json is stale:"
        " run `kpilint schema > schemas/kpi-spec.schema.json`")


def test_config_schema_is_valid() -> None:
    schema = json.loads((REPO / "schemas" / "kpilint-config.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


def test_text_output_and_exit_codes(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": ORPHAN, "kpilint.toml": GRAPH_ONLY})
    run = run_kpilint("check", cwd=project)
    assert run.code == 1
    assert run.stdout.splitlines() == [
        "a.kpi.yaml:3:5: G102 [error] KPI 'orphan' does not reach any KGI: add `supports:` with"
        " the id of the KSF or KGI it drives",
        "Found 1 problem (1 error, 0 warnings, 0 infos) in 1 file.",
    ]
    assert "\033[" not in run.stdout
    assert run_kpilint("check", "--exit-zero", cwd=project).code == 0
    assert run_kpilint("check", "--quiet", cwd=project).stdout.count("\n") == 1


def test_clean_run_exits_0(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": "version: 1\nkpis: []\n"})
    run = run_kpilint("check", cwd=project)
    assert (run.code, run.stdout) == (0, "All checks passed (1 file checked).\n")


def test_output_file(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": ORPHAN, "kpilint.toml": GRAPH_ONLY})
    run = run_kpilint("check", "--output-format", "json", "--output-file", "report.json",
                      cwd=project)
    assert (run.code, run.stdout) == (1, "")
    report = json.loads((project / "report.json").read_text(encoding="utf-8"))
    assert report["summary"] == {"files": 1, "errors": 1, "warnings": 0, "infos": 0}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_output_file_through_a_link_to_a_pipe_is_written_to_not_replaced(project: Path) -> None:
    """``--output-file /dev/stdout``: a link to a device or pipe stays; the report goes
    through it (replacing /dev/stdout broke it for every process of a container)."""
    import stat
    import threading

    write_files(project, {"a.kpi.yaml": ORPHAN, "kpilint.toml": GRAPH_ONLY})
    os.mkfifo(project / "pipe")
    (project / "out").symlink_to("pipe")
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append((project / "pipe").read_bytes()),
                              daemon=True)
    reader.start()
    run = run_kpilint("check", "--output-format", "json", "--output-file", "out", cwd=project)
    reader.join(timeout=60)
    assert (run.code, run.stdout, run.stderr) == (1, "", "")
    assert (project / "out").is_symlink()
    assert stat.S_ISFIFO((project / "pipe").stat().st_mode)
    assert json.loads(received[0])["summary"]["errors"] == 1


@pytest.mark.parametrize("args,message", [
    (["check", "missing.kpi.yaml"], "kpilint: error: missing.kpi.yaml: no such file or directory"),
    (["check", "--output-format", "xml"], "kpilint: error: argument --output-format: invalid"
     " choice: 'xml'"),
    (["check", "--select", "Z999"], "kpilint: error: option --select: 'Z999' matches no rule"),
    (["check", "--today", "tomorrow"], "kpilint: error: argument --today: 'tomorrow' is not a"
     " date (use YYYY-MM-DD)"),
    (["chek"], "kpilint: error: argument COMMAND: invalid choice 'chek' (did you mean 'check'?)"),
    (["check", "--otput-format", "json"], "kpilint: error: unrecognized arguments:"
     " --otput-format (did you mean '--output-format'?) (see `kpilint check --help`)\n"),
    (["init", "--rule-pak"], "kpilint: error: unrecognized arguments: --rule-pak (did you mean"
     " '--rule-pack'?) (see `kpilint init --help`)\n"),
    (["rule", "G101", "G102"], "kpilint: error: unrecognized arguments: G102"
     " (see `kpilint rule --help`)\n"),
    (["--bogus"], "kpilint: error: unrecognized arguments: --bogus (see `kpilint --help`)\n"),
])
def test_usage_errors_are_one_line_exit_2(project: Path, args: list[str], message: str) -> None:
    write_files(project, {"a.kpi.yaml": ORPHAN, "kpilint.toml": GRAPH_ONLY})
    run = run_kpilint(*args, cwd=project)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr.startswith(message)
    assert run.stderr.count("\n") == 1


def test_exit_zero_never_hides_exit_2(project: Path) -> None:
    run = run_kpilint("check", "--exit-zero", "missing.kpi.yaml", cwd=project)
    assert run.code == 2


CRASHING = """
import sys
from kpilint.rules import g103_unmeasured_kgi as module
def explode(self, graph, record, context):
    raise ZeroDivisionError("division by zero")
module.UnmeasuredKgi.check_unit = explode
from kpilint.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_crashing_rule_is_x002_others_still_run(project: Path) -> None:
    # G103 checks one KGI at a time: the file needs a KGI for the planted bug to run
    with_goal = ORPHAN + "kgis:\n  - id: goal\n    name: A goal nothing reaches\n"
    write_files(project, {"a.kpi.yaml": with_goal, "kpilint.toml": GRAPH_ONLY})
    process = subprocess.run(
        [sys.executable, "-c", CRASHING, "check", "--output-format", "json"], cwd=project,
        capture_output=True, text=True, check=False)
    assert process.returncode == 2
    found = json.loads(process.stdout)["diagnostics"]
    assert [(d["code"], d["line"], d["column"]) for d in found] == [
        ("X002", 1, 1), ("G102", 3, 5)]
    assert found[0]["message"].startswith(
        "rule G103 (unmeasured-kgi) crashed: ZeroDivisionError: division by zero")
    assert process.stderr == ""
    debug = subprocess.run(
        [sys.executable, "-c", CRASHING, "check", "--debug", "--ignore", "X002"], cwd=project,
        capture_output=True, text=True, check=False)
    assert debug.returncode == 2
    assert "Traceback" in debug.stderr and "X002" in debug.stdout


def on_terminal(*args: str, cwd: Path) -> str:
    """What ``kpilint ARGS`` writes to a terminal (a pseudo-terminal as its stdout)."""
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "kpilint", *args], cwd=cwd,
                               stdout=follower, stderr=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_color_only_on_a_terminal(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": ORPHAN, "kpilint.toml": GRAPH_ONLY})
    output = on_terminal("check", cwd=project)
    assert "\033[31m" in output and "G102" in output
    plain = run_kpilint("check", "--no-color", cwd=project)
    assert "\033[" not in plain.stdout


def test_python_dash_m_and_console_script_agree(project: Path) -> None:
    script = Path(sys.executable).with_name("kpilint")
    if not script.exists():
        pytest.skip("the kpilint console script is not installed beside this Python")
    module = run_kpilint("--version", cwd=project)
    direct = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                            check=False)
    assert direct.stdout == module.stdout


def test_stdin_filename_replaces_the_file_on_disk(project: Path) -> None:
    write_files(project, {"kpilint.toml": GRAPH_ONLY,
                          "company.kpi.yaml": "version: 1\nkgis:\n  - id: goal\n    name: Goal\n",
                          "team.kpi.yaml": ORPHAN})
    unsaved = "version: 1\nkpis:\n  - id: orphan\n    name: Linked\n    supports: gaol\n"
    run = run_kpilint("check", "--output-format", "json", "--stdin-filename", "team.kpi.yaml",
                      "-", cwd=project, stdin=unsaved)
    assert run.code == 1, run.stderr
    assert [(d["path"], d["code"], d["line"], d["column"]) for d in run.json()["diagnostics"]] == [
        ("team.kpi.yaml", "G102", 3, 5), ("team.kpi.yaml", "E005", 5, 15)]
    assert "did you mean 'goal'?" in run.json()["diagnostics"][1]["message"]
    new_file = run_kpilint("check", "--output-format", "json", "--stdin-filename",
                           "draft.kpi.yaml", "-", cwd=project,
                           stdin=unsaved.replace("gaol", "goal").replace("orphan", "draft"))
    assert (new_file.code, new_file.json()["diagnostics"]) == (0, [])
    misuse = run_kpilint("check", "-", cwd=project, stdin="")
    assert (misuse.code, misuse.stdout) == (2, "")
    assert "--stdin-filename NAME -" in misuse.stderr


def test_only_the_console_entry_point_leaves_the_outcome_unfreed(
        project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``run`` ends with ``os._exit``, so a check's outcome is left for it; ``main`` (library
    callers, long-lived processes) keeps nothing once it returns."""
    from kpilint import cli

    write_files(project, {"a.kpi.yaml": "version: 1\nkpis:\n  - id: leads\n    name: Leads\n"})
    monkeypatch.chdir(project)
    assert cli.main(["check", "--no-cache", "--exit-zero"]) == 0
    assert cli._left_for_exit is None
    exits: list[int] = []
    monkeypatch.setattr(cli, "_left_for_exit", None)
    monkeypatch.setattr(os, "_exit", exits.append)
    monkeypatch.setattr(sys, "argv", ["kpilint", "check", "--no-cache", "--exit-zero"])
    cli.run()
    assert exits == [0]
    left = cli._left_for_exit
    assert left is not None and len(left) == 1
    assert capsys.readouterr().out.count("a.kpi.yaml") >= 1


@pytest.mark.parametrize("text", [
    "", "{\n}\n", "x" * (3 << 20) + "\n", "ab\n" * 700_000, "é" * (2 << 20),
    "a" * (1 << 20) + "日本"])
def test_a_report_on_stdout_is_written_whole(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """In slices or at once, stdout receives the text's bytes, in order."""
    import io

    from kpilint import cli

    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
    monkeypatch.setattr(sys, "stdout", stdout)
    cli._write_stdout(text)
    assert raw.getvalue() == text.encode("utf-8")


def test_a_terminal_that_cannot_show_a_character_gets_an_escape_documents_stay_utf8(
        tmp_path: Path) -> None:
    write_files(tmp_path, {"a.kpi.yaml": """\
        version: 1
        kpis:
          - id: nps
            name: Net promoter score
            ≥target: 5
        """})

    def check(encoding: str, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "kpilint", "check", "a.kpi.yaml", "--no-cache", *args],
            cwd=tmp_path, capture_output=True, check=False,
            env={**os.environ, "PYTHONIOENCODING": encoding, "GITHUB_ACTIONS": ""})

    text = check("latin-1")
    assert (text.returncode, text.stderr) == (1, b"")
    assert (b"a.kpi.yaml:5:5: E002 [error] unknown key `\\u2265target` for a KPI"
            b" (did you mean 'target'?)\n") in text.stdout
    for output_format in ("json", "sarif", "gitlab", "junit", "github"):
        document = check("latin-1", "--output-format", output_format)
        assert (document.returncode, document.stderr) == (1, b"")
        assert "unknown key `≥target`".encode() in document.stdout
        assert document.stdout == check("utf-8", "--output-format", output_format).stdout


INTERRUPTED_IMPORT = """\
import sys
class Interrupting:
    def find_spec(self, name, path=None, target=None):
        if name == "kpilint.cli":
            raise KeyboardInterrupt
sys.meta_path.insert(0, Interrupting())
from kpilint.console import run
run()
"""


def test_an_interrupt_while_kpilint_is_imported_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", INTERRUPTED_IMPORT, "check"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "kpilint: interrupted\n")


def test_an_interrupt_wrapped_by_what_it_broke_is_still_an_interrupt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from kpilint import cli

    def set_name_failed(args: object) -> int:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:  # as Python 3.11 wraps it in __set_name__
            raise RuntimeError("Error calling __set_name__ on 'Field' instance") from interrupt

    monkeypatch.setattr(cli, "_dispatch", set_name_failed)
    assert cli.main(["check", str(tmp_path)]) == 2
    assert capsys.readouterr().err == "kpilint: interrupted\n"
