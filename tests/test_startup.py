"""What a one-file check imports (pre-commit's run): nothing that only another run needs.

A run whose spec files are valid builds no pydantic validator (the quick path of
``kpilint.model``), reads no distribution metadata (``importlib.metadata`` and the ``email``
parser it loads), and imports none of the libraries kept for other work (jsonschema for an
invalid config, networkx for ``kpilint graph``, pathspec for globs other than names and for
``.gitignore`` files), nor the standard modules only rare paths need (difflib for "did you
mean", heapq for P302's partners). English text compiles none of the large CJK character
classes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpilint
from kpilint import diagnostics, lexicon
from kpilint.custom import plugins

REPO = Path(__file__).resolve().parent.parent
SPEC = """\
version: 1
scope: growth
kgis:
  - id: revenue
    name: Annual revenue
    unit: JPY
    baseline: {value: 100, as_of: 2026-04-01}
    target: 150
    direction: increase
    deadline: 2027-Q1
    formula: leads * win-rate
ksfs:
  - id: convert
    name: Convert pipeline faster
    supports: revenue
kpis:
  - id: leads
    name: Qualified leads per month
    supports: [convert]
    unit: count
    target: {min: 40}
    actual: {value: 35, as_of: 2026-06-30}
    paired_with: win-rate
  - id: win-rate
    name: Win rate
    supports: convert
    unit: "%"
    primary: true
    last_reviewed: 2026-06-01
"""
NEVER_IMPORTED = ("importlib.metadata", "email", "pydantic.plugin._loader", "jsonschema",
                  "networkx", "pathspec", "re2",
                  # tempfile imports shutil (with bz2, lzma); help's width needs neither
                  "tempfile", "shutil",
                  # only a misspelling's suggestions need difflib, only an unpaired volume KPI
                  # heapq (P302's partners); nothing needs calendar
                  "difflib", "heapq", "calendar")
PROBE = """\
import io, json, sys
from kpilint import cli
sys.stdout = io.StringIO()
code = cli.main(["check", ".", "--no-cache"])
report = sys.stdout.getvalue()
sys.stdout = sys.__stdout__
from kpilint import lexicon, wording
compiled = lexicon._word.cache_info().currsize + wording._japanese_word.cache_info().currsize
print(json.dumps([code, report, sorted(sys.modules), compiled]))
"""


def test_a_one_file_check_of_a_valid_file_imports_only_what_it_needs(tmp_path: Path) -> None:
    (tmp_path / "kpilint.toml").write_text('today = "2026-07-01"\n', encoding="utf-8")
    (tmp_path / "growth.kpi.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / ".gitignore").write_text("# name globs only\n__pycache__/\n*.pyc\nbuild\n",
                                         encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True,
                          text=True, check=True)
    code, report, modules, compiled = json.loads(done.stdout)
    assert report.endswith("in 1 file.\n") and code in (0, 1), report  # the file was checked
    assert " E00" not in report, report  # and is valid: every entity took the quick path
    assert "kpilint.rules.g101_too_many_kpis" in modules  # and its rules ran
    imported = [name for name in modules
                if any(name == never or name.startswith(never + ".") for never in NEVER_IMPORTED)]
    assert imported == []
    assert compiled == 0  # no CJK class: the names and definitions are English


def test_the_documentation_url_is_the_one_in_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["urls"]["Documentation"] == kpilint.DOCUMENTATION_URL


@pytest.mark.parametrize(("entry_points", "declares"), [
    ("[console_scripts]\nacme = acme:main\n", False),
    ("[kpilint.rules]\nno-todo = acme:NoTodo\n", True),
    (None, False),
])
def test_plugins_are_looked_for_in_metadata_only_where_they_may_be(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry_points: str | None,
        declares: bool) -> None:
    """Without a distribution whose ``entry_points.txt`` names the group, no plugin is read and
    ``importlib.metadata`` is not needed; with one (or a zip file on the path), it is."""
    info = tmp_path / "acme-1.0.dist-info"
    info.mkdir()
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    monkeypatch.setattr(sys, "path", [str(tmp_path), str(tmp_path / "missing")])
    assert plugins._may_declare_plugins() is declares
    egg = tmp_path / "acme-1.0-py3.11.egg"
    (egg / "EGG-INFO").mkdir(parents=True)
    (egg / "EGG-INFO" / "entry_points.txt").write_text(
        entry_points or "", encoding="utf-8")
    monkeypatch.setattr(sys, "path", [str(egg)])
    assert plugins._may_declare_plugins() is declares
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(b"")
    monkeypatch.setattr(sys, "path", [str(tmp_path), str(archive)])
    assert plugins._may_declare_plugins() is True


@pytest.mark.parametrize("columns", [60, 120])
def test_help_is_wrapped_to_the_terminal_width(columns: int) -> None:
    """The help formatter's width is asked once per process (not once per option) and is still
    the terminal's (here ``COLUMNS``) less 2."""
    done = subprocess.run([sys.executable, "-m", "kpilint", "check", "--help"],
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "COLUMNS": str(columns)})
    # a choice list such as {text,concise,...} cannot be broken; every other line fits
    widest = max(len(line) for line in done.stdout.splitlines() if "{" not in line)
    assert columns - 10 < widest <= columns - 2


def test_a_run_that_writes_the_cache_imports_neither_tempfile_nor_shutil(
        tmp_path: Path) -> None:
    (tmp_path / "growth.kpi.yaml").write_text(SPEC, encoding="utf-8")
    probe = ("import io, sys\nfrom kpilint import cli\nsys.stdout = io.StringIO()\n"
             "codes = [cli.main(['check', '.', '--today', '2026-07-01']) for _ in 'ab']\n"
             "sys.stdout = sys.__stdout__\n"
             "print(codes, sorted({'tempfile', 'shutil'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, check=True)
    assert done.stdout in ("[0, 0] []\n", "[1, 1] []\n"), done.stdout + done.stderr
    written = {path.parent.name for path in (tmp_path / ".kpilint_cache").rglob("*")
               if path.is_file()}
    assert {"files", "reports"} <= written  # the cache was written (and read the second time)


@pytest.mark.parametrize("columns", [None, "", "wide", "0", "-3", "1", "57", " 90 "])
def test_the_help_width_is_that_of_shutil(monkeypatch: pytest.MonkeyPatch,
                                         columns: str | None) -> None:
    """``_help_width`` finds the columns as ``shutil.get_terminal_size`` does, less 2."""
    import shutil

    from kpilint import cli

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    try:
        for stdout in (sys.__stdout__, None):  # None: the interpreter has no stdout
            monkeypatch.setattr(sys, "__stdout__", stdout)
            cli._help_width.cache_clear()
            assert cli._help_width() == shutil.get_terminal_size().columns - 2
    finally:
        cli._help_width.cache_clear()


def test_reading_a_valid_config_imports_neither_pydantic_nor_pathspec(tmp_path: Path) -> None:
    """The spec model and the glob matcher are imported for the files, not for the config (its
    did-you-mean wording comes with them only for an error). Globs in the config, and a table
    naming a rule (``[rules.NAME]``, ``[severity]``), import them to check it."""
    config = tmp_path / "kpilint.toml"
    config.write_text('today = "2026-07-01"\nselect = ["ALL"]\nignore = ["S2"]\n'
                      'fail-on = "error"\n', encoding="utf-8")
    probe = ("import sys\nfrom pathlib import Path\nfrom kpilint.config import load_config\n"
             f"config = load_config(Path({str(config)!r}))\n"
             "assert config.fail_on.label == 'error', config.fail_on\n"
             "print(sorted({m.split('.')[0] for m in sys.modules}"
             " & {'pydantic', 'pathspec', 'jsonschema'}))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout == "[]\n"


def test_unspaced_characters_are_those_of_the_character_class() -> None:
    """``is_unspaced`` (bounds, no regex) agrees with the class ``[UNSPACED_CHARS]`` on every
    character of the Basic Multilingual Plane and a few beyond it."""
    unspaced = re.compile(f"[{lexicon.UNSPACED_CHARS}]")
    characters = [chr(code) for code in (*range(0xD800), *range(0xE000, 0x10000),
                                         0x10000, 0x20000, 0x2A6DF, 0x10FFFF)]
    assert [char for char in characters if lexicon.is_unspaced(char)] == [
        char for char in characters if unspaced.match(char)]
    assert lexicon.is_unspaced("PV数") and lexicon.is_unspaced("schüler 수")
    assert not lexicon.is_unspaced("schüler") and not lexicon.is_unspaced("")


def test_ascii_words_are_the_words_of_the_unicode_class() -> None:
    """In ASCII text ``[A-Za-z0-9]+`` finds what the class for any spaced script finds."""
    text = "".join(map(chr, range(128))) + " don't a_b 30x Sign-ups/month"
    assert lexicon.ASCII_WORD.findall(text) == lexicon._word().findall(text)
    assert lexicon.words("Schüler per month") == ("schüler", "per", "month")


@given(st.text(st.characters(codec="utf-8")) | st.sampled_from([
    "plain", "", "tab\there", "esc\x1b]0;title\x07", "line\u2028break", "bidi\u202eevil",
    "soft\u00adhyphen", "\x7f\x9f\x85", "é ü 日本 \U0001f600", "\ue000private"]))
def test_printable_text_is_escaped_as_the_pattern_escapes_it(text: str) -> None:
    """``printable`` returns a printable text as it is, without the pattern: every character
    the pattern escapes is unprintable to Python (on every code point); any other text comes
    out as the pattern's substitution makes it."""
    pattern = re.compile(diagnostics.UNPRINTABLE)
    assert diagnostics.printable(text) == pattern.sub(diagnostics._escape, text)


def test_every_character_printable_escapes_is_unprintable_to_python() -> None:
    pattern = re.compile(diagnostics.UNPRINTABLE)
    escaped = [chr(code) for code in range(0x110000) if pattern.match(chr(code))]
    assert len(escaped) == 32 + 33 + 2 + 2 + 5 + 4
    assert not any(char.isprintable() for char in escaped)
