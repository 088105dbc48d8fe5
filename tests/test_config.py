"""Configuration: every key has its effect, every malformed config is one clear line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_kpilint, write_files

ORPHANS = """\
version: 1
kgis:
  - id: revenue
    name: Annual revenue
    deadline: 2027-03-31
kpis:
  - id: orphan
    name: Linked to nothing
    deadline: 2027-06-30
"""


def findings(root: Path, *args: str) -> list[tuple[str, str, int, int]]:
    """The findings of the format and graph rules (E, G); the S and P rules are tested apart."""
    run = run_kpilint("check", "--output-format", "json", "--exit-zero", *args, cwd=root)
    assert run.code == 0, run.stderr
    return [finding for finding in run.findings() if finding[1][0] in "EG"]


def assert_checks_nothing(root: Path) -> None:
    """SPEC 10.4: a run that finds no spec file to check is exit 2 with one line."""
    run = run_kpilint("check", cwd=root)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr.startswith("kpilint: error: no spec file to check: searched . (include:")


def configure(root: Path, text: str, name: str = "kpilint.toml") -> None:
    (root / name).write_text(text, encoding="utf-8")


@pytest.fixture
def orphans(tmp_path: Path) -> Path:
    write_files(tmp_path, {"specs/a.kpi.yaml": ORPHANS})
    return tmp_path


def test_zero_config_defaults(orphans: Path) -> None:
    assert {code for _, code, _, _ in findings(orphans)} == {"G102", "G103"}
    run = run_kpilint("check", "--output-format", "json", cwd=orphans)
    assert {"S201", "S212", "P305"} <= {code for _, code, _, _ in run.findings()}


@pytest.mark.parametrize("name,prefix", [("kpilint.toml", ""), (".kpilint.toml", ""),
                                         ("pyproject.toml", "[tool.kpilint]\n")])
def test_config_file_names(orphans: Path, name: str, prefix: str) -> None:
    configure(orphans, prefix + 'ignore = ["G103"]\n', name)
    assert {code for _, code, _, _ in findings(orphans)} == {"G102"}


def test_pyproject_without_section_is_not_a_config(orphans: Path) -> None:
    configure(orphans, "[project]\nname = 'x'\n", "pyproject.toml")
    assert {code for _, code, _, _ in findings(orphans)} == {"G102", "G103"}


def test_kpilint_toml_wins_over_pyproject(orphans: Path) -> None:
    configure(orphans, '[tool.kpilint]\nignore = ["G102"]\n', "pyproject.toml")
    configure(orphans, 'ignore = ["G103"]\n')
    assert {code for _, code, _, _ in findings(orphans)} == {"G102"}


def test_select_prefix_and_name(orphans: Path) -> None:
    configure(orphans, 'select = ["orphan-kpi"]\n')
    assert {code for _, code, _, _ in findings(orphans)} == {"G102"}
    configure(orphans, 'select = ["G1"]\nignore = ["G10"]\nextend-select = ["G103"]\n')
    assert {code for _, code, _, _ in findings(orphans)} == {"G103"}


def test_more_specific_select_beats_broader_ignore(orphans: Path) -> None:
    configure(orphans, 'ignore = ["G"]\nselect = ["ALL", "G102"]\n')
    assert {code for _, code, _, _ in findings(orphans)} == {"G102"}


def test_command_line_select_replaces_config_select(orphans: Path) -> None:
    configure(orphans, 'select = ["G102"]\n')
    assert {code for _, code, _, _ in findings(orphans, "--select", "G103")} == {"G103"}
    assert findings(orphans, "--ignore", "G102") == []


def test_e001_cannot_be_deselected(orphans: Path) -> None:
    write_files(orphans, {"specs/broken.kpi.yaml": "version: 1\nkpis: [\n"})
    configure(orphans, 'select = ["G102"]\nignore = ["E001"]\n')
    assert {code for _, code, _, _ in findings(orphans)} == {"G102", "E001"}


def test_fail_on_and_severity(orphans: Path) -> None:
    configure(orphans, 'select = ["G103"]\n')
    assert run_kpilint("check", cwd=orphans).code == 1
    configure(orphans, 'select = ["P305"]\n')
    assert run_kpilint("check", cwd=orphans).code == 0
    assert run_kpilint("check", "--fail-on", "info", cwd=orphans).code == 1
    configure(orphans, 'select = ["G103"]\nfail-on = "error"\n')
    assert run_kpilint("check", cwd=orphans).code == 0
    assert run_kpilint("check", "--fail-on", "warning", cwd=orphans).code == 1
    configure(orphans, 'select = ["G103"]\nfail-on = "error"\n'
                       '[severity]\nunmeasured-kgi = "error"\n')
    run = run_kpilint("check", cwd=orphans)
    assert run.code == 1
    assert "G103 [error]" in run.stdout


def test_today_from_config_and_command_line(tmp_path: Path) -> None:
    configure(tmp_path, "today = 2026-11-23\n")
    write_files(tmp_path, {"a.kpi.yaml": ORPHANS})
    assert run_kpilint("check", "--today", "2026-01-01", cwd=tmp_path).code == 1
    configure(tmp_path, 'today = "not a date"\n')
    run = run_kpilint("check", cwd=tmp_path)
    assert run.code == 2
    assert run.stderr.startswith("kpilint: error: ")
    assert "today" in run.stderr


def test_include_exclude_extend_exclude(tmp_path: Path) -> None:
    write_files(tmp_path, {"goals/a.yaml": ORPHANS, "archive/b.kpi.yaml": ORPHANS.replace(
        "revenue", "old").replace("orphan", "old-orphan"), "c.kpi.yaml": ORPHANS.replace(
        "revenue", "rev-c").replace("orphan", "orphan-c")})
    configure(tmp_path, 'include = ["goals/*.yaml", "**/*.kpi.yaml"]\nselect = ["G102"]\n')
    assert {path for path, _, _, _ in findings(tmp_path)} == {
        "goals/a.yaml", "archive/b.kpi.yaml", "c.kpi.yaml"}
    configure(tmp_path, 'include = ["goals/*.yaml", "**/*.kpi.yaml"]\nselect = ["G102"]\n'
                        'extend-exclude = ["archive/**"]\n')
    assert {path for path, _, _, _ in findings(tmp_path)} == {"goals/a.yaml", "c.kpi.yaml"}
    configure(tmp_path, 'select = ["G102"]\nexclude = ["c.kpi.yaml"]\n')
    assert {path for path, _, _, _ in findings(tmp_path)} == {"archive/b.kpi.yaml"}


def test_default_excludes_and_replacing_them(tmp_path: Path) -> None:
    write_files(tmp_path, {"node_modules/x.kpi.yaml": ORPHANS, "build/y.kpi.yaml": ORPHANS})
    configure(tmp_path, 'select = ["G102"]\n')
    assert_checks_nothing(tmp_path)
    configure(tmp_path, 'select = ["G102"]\nexclude = ["node_modules"]\n')
    assert {path for path, _, _, _ in findings(tmp_path)} == {"build/y.kpi.yaml"}


def test_force_exclude_applies_to_named_files(tmp_path: Path) -> None:
    write_files(tmp_path, {"legacy/a.kpi.yaml": ORPHANS})
    configure(tmp_path, 'select = ["G102"]\nexclude = ["legacy/**"]\n')
    assert_checks_nothing(tmp_path)
    assert findings(tmp_path, "legacy/a.kpi.yaml") == [("legacy/a.kpi.yaml", "G102", 7, 5)]
    assert findings(tmp_path, "--force-exclude", "legacy/a.kpi.yaml") == []
    configure(tmp_path, 'select = ["G102"]\nexclude = ["legacy/**"]\nforce-exclude = true\n')
    run = run_kpilint("check", "--output-format", "json", "legacy/a.kpi.yaml", cwd=tmp_path)
    assert (run.code, run.json()["diagnostics"], run.json()["summary"]["files"]) == (0, [], 0)


def test_respect_gitignore(tmp_path: Path) -> None:
    write_files(tmp_path, {"out/a.kpi.yaml": ORPHANS, ".gitignore": "out/\n",
                           "sub/.gitignore": "*.kpi.yaml\n!keep.kpi.yaml\n",
                           "sub/drop.kpi.yaml": ORPHANS.replace("orphan", "drop").replace(
                               "revenue", "rev-drop"),
                           "sub/keep.kpi.yaml": ORPHANS.replace("orphan", "keep").replace(
                               "revenue", "rev-keep")})
    configure(tmp_path, 'select = ["G102"]\n')
    assert {path for path, _, _, _ in findings(tmp_path)} == {"sub/keep.kpi.yaml"}
    configure(tmp_path, 'select = ["G102"]\nrespect-gitignore = false\n')
    assert {path for path, _, _, _ in findings(tmp_path)} == {
        "out/a.kpi.yaml", "sub/drop.kpi.yaml", "sub/keep.kpi.yaml"}


def test_rule_option_by_code_and_limits(tmp_path: Path) -> None:
    configure(tmp_path, "[rules.G101]\nmax = 1\n[limits]\nmax-depth = 3\n")
    write_files(tmp_path, {"a.kpi.yaml": "version: 1\nkpis:\n  - id: a\n    name: A\n"
                                         "    tags: [[[x]]]\n"})
    assert ("a.kpi.yaml", "E001", 1, 1) in findings(tmp_path)


@pytest.mark.parametrize("text,expected", [
    ("select = [", "kpilint.toml: invalid TOML: "),
    ('selct = ["G101"]\n', "kpilint.toml: key `selct`: unknown key (did you mean 'select'?)"),
    ("select = \"G101\"\n", "kpilint.toml: key `select`: 'G101' is not of type 'array'"),
    ('select = ["G9"]\n', "kpilint.toml: key `select`: 'G9' matches no rule"),
    ('ignore = ["orphan-kpis"]\n',
     "kpilint.toml: key `ignore`: 'orphan-kpis' matches no rule (did you mean 'orphan-kpi'"),
    ('fail-on = "warnings"\n', "kpilint.toml: key `fail-on`: 'warnings' is not one of"),
    ('[severity]\nG101 = "fatal"\n', "kpilint.toml: key `severity.G101`: 'fatal' is not one of"),
    ('[severity]\ntoo-many-kpi = "error"\n',
     "kpilint.toml: key `severity.too-many-kpi`: no rule named 'too-many-kpi' (did you mean"
     " 'too-many-kpis'?)"),
    ("[rules.too-many-kpis]\nmx = 3\n",
     "kpilint.toml: key `rules.too-many-kpis.mx`: unknown option of too-many-kpis (did you mean"
     " 'max'?)"),
    ('[rules.too-many-kpis]\nmax = "five"\n',
     "kpilint.toml: key `rules.too-many-kpis.max`: 'five' is not of type 'integer'"),
    ("[rules.too-many-kpis]\nmax = 0\n",
     "kpilint.toml: key `rules.too-many-kpis.max`: 0 is less than the minimum of 1"),
    ('[rules.too-many-kpis]\nper = ["team"]\n',
     "kpilint.toml: key `rules.too-many-kpis.per.0`"),
    ("[rules.orphan-kpi]\nmax = 3\n",
     "kpilint.toml: key `rules.orphan-kpi.max`: unknown option of orphan-kpi (this rule has no"
     " options)"),
    ("[limits]\nmax-dept = 3\n",
     "kpilint.toml: key `limits.max-dept`: unknown key (did you mean 'max-depth'?)"),
    ("[limits]\nmax-depth = -1\n", "kpilint.toml: key `limits.max-depth`: -1 is less than"),
    ("respect-gitignore = \"yes\"\n", "kpilint.toml: key `respect-gitignore`: 'yes' is not of"
     " type 'boolean'"),
])
def test_malformed_config_is_one_line_exit_2(tmp_path: Path, text: str, expected: str) -> None:
    configure(tmp_path, text)
    write_files(tmp_path, {"a.kpi.yaml": ORPHANS})
    run = run_kpilint("check", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith("kpilint: error: ")
    line = run.stderr.removeprefix("kpilint: error: ")
    assert line.startswith(str(tmp_path / "kpilint.toml")), line
    assert expected.removeprefix("kpilint.toml") in line, line
    assert "Traceback" not in run.stderr


def test_pyproject_keys_are_named_with_their_table(tmp_path: Path) -> None:
    configure(tmp_path, "[tool.kpilint]\nfail_on = 'error'\n", "pyproject.toml")
    write_files(tmp_path, {"a.kpi.yaml": ORPHANS})
    run = run_kpilint("check", cwd=tmp_path)
    assert run.code == 2
    assert "key `tool.kpilint.fail_on`: unknown key (did you mean 'fail-on'?)" in run.stderr


def test_explicit_config_file(tmp_path: Path) -> None:
    write_files(tmp_path, {"conf/strict.toml": 'select = ["G103"]\n', "conf/a.kpi.yaml": ORPHANS})
    run = run_kpilint("check", "--config", "conf/strict.toml", "--output-format", "json",
                      cwd=tmp_path)
    assert run.findings() == [("conf/a.kpi.yaml", "G103", 3, 5)]
    missing = run_kpilint("check", "--config", "nope.toml", cwd=tmp_path)
    assert missing.code == 2 and "config file not found" in missing.stderr


@pytest.mark.parametrize("text,expected", [
    ("[limits]\nmax-depth = 999\n",
     "key `limits.max-depth`: 999 is greater than the maximum of 998 (libyaml refuses deeper"
     " nesting itself)"),
    ("[rules.unrealistic-target]\nmax-change = 0\n",
     "key `rules.unrealistic-target.max-change`: 0 must be greater than 0"),
    ('[rules.too-many-kpis]\nper = ["kgi", "kgi"]\n',
     "key `rules.too-many-kpis.per`: ['kgi', 'kgi'] repeats an item"),
    ("[rules.too-many-kpis]\nper = []\n", "key `rules.too-many-kpis.per`: needs at least 1 item"),
    ('include = [""]\n', "key `include.0`: '' is shorter than 1 character"),
])
def test_schema_failures_are_in_kpilints_words(tmp_path: Path, text: str, expected: str) -> None:
    configure(tmp_path, text)
    write_files(tmp_path, {"a.kpi.yaml": ORPHANS})
    run = run_kpilint("check", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == f"kpilint: error: {tmp_path / 'kpilint.toml'}: {expected}\n"


def test_force_exclude_runs_named_files_through_include_and_gitignore(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "goals/q1.yaml": ORPHANS,
        "notes.yaml": "not: [a spec",
        "out/.gitignore": "*\n",
        "out/gen.yaml": ORPHANS.replace("orphan", "gen").replace("revenue", "rev-gen"),
        "goals/old/.gitignore": "q0.yaml\n",
        "goals/old/q0.yaml": ORPHANS.replace("orphan", "q0").replace("revenue", "rev-q0"),
    })
    configure(tmp_path, 'select = ["G102"]\ninclude = ["goals/**/*.yaml", "out/*.yaml"]\n')
    named = ("goals/q1.yaml", "notes.yaml", "out/gen.yaml", "goals/old/q0.yaml")
    assert findings(tmp_path, "--force-exclude", *named) == [("goals/q1.yaml", "G102", 7, 5)]
    assert {path for path, _, _, _ in findings(tmp_path, *named)} == set(named)


@pytest.mark.parametrize("name,prefix", [("kpilint.toml", b""), (".kpilint.toml", b""),
                                         ("pyproject.toml", b"[tool.kpilint]\n")])
def test_config_not_utf8_is_one_line_exit_2(tmp_path: Path, name: str, prefix: bytes) -> None:
    write_files(tmp_path, {name: prefix + b'select = ["ALL"]\n# caf\xe9\n', "a.kpi.yaml": ORPHANS})
    run = run_kpilint("check", cwd=tmp_path)
    line = prefix.count(b"\n") + 2
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (f"kpilint: error: {tmp_path / name}: not UTF-8: byte 0xe9 on line"
                          f" {line} (save the file as UTF-8)\n")


def test_pyproject_not_utf8_without_section_is_not_a_config(orphans: Path) -> None:
    write_files(orphans, {"pyproject.toml": b"[project]\nname = 'caf\xe9'\n"})
    assert {code for _, code, _, _ in findings(orphans)} == {"G102", "G103"}
