"""Rule packs (SPEC 10.7): declarative custom rules, through real runs of the CLI."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import REPO, TODAY, run_kpilint, write_files
from tests.test_output_formats import _validate_sarif

PACK = """\
rules:
  - code: C001
    name: team-prefix
    severity: warning
    message: "KPI id {id} does not start with the team prefix (got '{value}')"
    description: |
      KPI ids start with the owning team's prefix. It keeps ids unique across teams.

      Prefixes: `mkt-`.
    url: https://wiki.example/kpi-ids
    given: kpis
    then: {field: id, pattern: "^mkt-"}
  - code: C002
    name: known-owner
    severity: error
    message: "owner '{value}' of {name} is not a known team"
    given: entities
    then: {field: owner, enum: [cfo, marketing-ops]}
  - code: C003
    name: focused-ksf
    severity: warning
    message: "KSF {id} has {value} {field}; keep at most 1"
    given: ksfs
    then: {count: kpis, max: 1}
  - code: C004
    name: short-tags
    severity: info
    message: "tag '{value}' ({field}) is longer than 8 characters"
    given: kpis
    where: {field: x-team, required: true}
    then: {field: tags, max-length: 8}
  - code: C005
    name: ambitious-baseline
    severity: warning
    message: "{field} is {value}; at least 200 expected"
    given: kpis
    then: {field: baseline.value, min: 200}
  - code: C006
    name: kpi-owner
    severity: warning
    message: "KPI {id} ({name}) has no {field}{value} {other}"
    given: kpis
    then: {field: owner, required: true}
  - code: C007
    name: long-name
    severity: info
    message: "name '{value}' is short"
    given: kpis
    then: {field: name, min-length: 6}
  - code: C008
    name: no-nurture
    severity: info
    message: "{name}: say what is measured"
    given: entities
    then: {field: name, not-pattern: "(?i)nurture"}
"""

SPEC = """\
version: 1
kgis:
  - id: revenue
    name: Revenue
    owner: cfo
ksfs:
  - id: nurture
    name: Nurture leads
    supports: revenue
kpis:
  - id: mkt-leads
    name: Leads
    supports: nurture
    owner: sales
    x-team: mkt
    tags: [funnel, acquisition]
    baseline:
      value: 150
  - id: conversion
    name: Conversion
    supports: nurture
    baseline: {value: high}
"""

EXPECTED = [
    (7, 5, 7, 16, "C003", "warning", "KSF nurture has 2 kpis; keep at most 1", None),
    (8, 11, 8, 24, "C008", "info", "Nurture leads: say what is measured", "name"),
    (12, 11, 12, 16, "C007", "info", "name 'Leads' is short", "name"),
    (14, 12, 14, 17, "C002", "error", "owner 'sales' of Leads is not a known team", "owner"),
    (16, 20, 16, 31, "C004", "info", "tag 'acquisition' (tags) is longer than 8 characters",
     "tags[1]"),
    (18, 14, 18, 17, "C005", "warning", "baseline.value is 150; at least 200 expected",
     "baseline.value"),
    (19, 5, 19, 19, "C006", "warning", "KPI conversion (Conversion) has no owner {other}", None),
    (19, 9, 19, 19, "C001", "warning",
     "KPI id conversion does not start with the team prefix (got 'conversion')", "id"),
    (22, 23, 22, 27, "C005", "warning", "baseline.value is high; at least 200 expected",
     "baseline.value"),
]


@pytest.fixture
def packed(tmp_path: Path) -> Path:
    """A project whose config lists the pack and selects only its rules."""
    return write_files(tmp_path, {
        "kpilint.toml": f'today = "{TODAY}"\nrule-packs = ["conventions.yaml"]\nselect = ["C"]\n',
        "conventions.yaml": PACK,
        "goals.kpi.yaml": SPEC,
    })


def _rows(stdout: str) -> list[tuple[object, ...]]:
    return [(d["line"], d["column"], d["end_line"], d["end_column"], d["code"], d["severity"],
             d["message"], d["field"]) for d in json.loads(stdout)["diagnostics"]]


def test_every_test_kind_reports_at_the_value_with_the_message(packed: Path) -> None:
    run = run_kpilint("check", "--output-format", "json", cwd=packed)
    assert run.code == 1, run.stderr
    assert _rows(run.stdout) == EXPECTED
    diagnostics = run.json()["diagnostics"]
    assert {d["code"]: d["url"] for d in diagnostics}["C001"] == "https://wiki.example/kpi-ids"
    assert {d["code"]: d["url"] for d in diagnostics}["C002"] is None
    assert [d["subject"] for d in diagnostics] == [
        "nurture", "nurture", "mkt-leads", "mkt-leads", "mkt-leads", "mkt-leads", "conversion",
        "conversion", "conversion"]
    assert diagnostics[1]["name"] == "no-nurture"


def test_text_output_and_the_same_in_worker_processes(packed: Path) -> None:
    text = run_kpilint("check", "--no-cache", cwd=packed)
    lines = text.stdout.splitlines()
    assert lines[:2] == [
        "goals.kpi.yaml:7:5: C003 [warning] KSF nurture has 2 kpis; keep at most 1",
        "goals.kpi.yaml:8:11: C008 [info] Nurture leads: say what is measured"]
    assert len(lines) == len(EXPECTED) + 1
    for index in range(3):  # several files, parsed in two worker processes
        (packed / f"more{index}.kpi.yaml").write_text(SPEC.replace("revenue", f"r{index}")
                                                      .replace("nurture", f"n{index}")
                                                      .replace("mkt-leads", f"mkt-l{index}")
                                                      .replace("conversion", f"c{index}"),
                                                      encoding="utf-8")
    serial = run_kpilint("check", "--no-cache", "--output-format", "json", cwd=packed)
    parallel = run_kpilint("check", "--no-cache", "-j", "2", "--output-format", "json",
                           cwd=packed)
    assert parallel.code == 1, parallel.stderr
    assert _rows(parallel.stdout) == _rows(serial.stdout)
    assert len(_rows(serial.stdout)) == 4 * len(EXPECTED)


def test_absent_fields_pass_and_where_skips_entities_without_the_field(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "kpilint.toml": 'rule-packs = ["p.yaml"]\nselect = ["C"]\n',
        "p.yaml": """\
            rules:
              - {code: C010, name: owner-team, severity: warning, message: "bad {value}",
                 given: kpis, then: {field: owner, pattern: "-team$"}}
              - {code: C011, name: numeric-only, severity: warning, message: "{field}={value}",
                 given: entities, where: {field: x-tier, enum: ["1"]},
                 then: {field: target, max: 10}}
              - {code: C012, name: many-ksfs, severity: warning, message: "{id}: {value}",
                 given: kgis, then: {count: ksfs, min: 2}}
            """,
        "a.kpi.yaml": """\
            version: 1
            kgis:
              - id: goal
                name: Goal
                x-tier: 1
                target: {min: 1, max: 5}
              - id: other
                name: Other
                target: 50
            ksfs:
              - {id: factor, name: Factor, supports: goal}
            kpis:
              - id: k
                name: K
                owner: ~
                x-tier: 2
                target: 50
            """,
    })
    run = run_kpilint("check", "--output-format", "json", "--no-cache", cwd=tmp_path)
    assert [(d["code"], d["line"], d["column"], d["message"]) for d in run.json()["diagnostics"]
            ] == [("C012", 3, 5, "goal: 1"),
                  ("C011", 6, 13, "target={min: 1, max: 5}"),
                  ("C012", 7, 5, "other: 0")]


def test_sarif_describes_pack_rules(packed: Path) -> None:
    run = run_kpilint("check", "--output-format", "sarif", "--select", "C001,C002",
                      cwd=packed)
    log = json.loads(run.stdout)
    _validate_sarif(log)
    driver = log["runs"][0]["tool"]["driver"]
    descriptors = {rule["id"]: rule for rule in driver["rules"]}
    assert descriptors["C001"]["name"] == "team-prefix"
    assert descriptors["C001"]["shortDescription"]["text"] == (
        "KPI ids start with the owning team's prefix.")
    assert descriptors["C001"]["helpUri"] == "https://wiki.example/kpi-ids"
    assert "helpUri" not in descriptors["C002"]
    assert descriptors["C002"]["defaultConfiguration"]["level"] == "error"
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
             r["locations"][0]["physicalLocation"]["region"]["startColumn"]) for r in results] == [
        ("C002", 14, 12), ("C001", 19, 9)]


MESSAGE = "KPI id conversion does not start with the team prefix (got 'conversion')"


@pytest.mark.parametrize(("output_format", "line"), [
    ("github", "::warning file=goals.kpi.yaml,line=19,col=9,endLine=19,endColumn=19,"
               f"title=C001 team-prefix::{MESSAGE}"),
    ("concise", f"goals.kpi.yaml:19:9: C001 {MESSAGE}"),
    ("junit", '    <testcase name="C001 team-prefix at 19:9" classname="goals.kpi.yaml"'
              ' file="goals.kpi.yaml" line="19">'),
])
def test_other_formats_report_pack_rules(packed: Path, output_format: str, line: str) -> None:
    run = run_kpilint("check", "--output-format", output_format, "--select", "team-prefix",
                      cwd=packed)
    assert run.code == 1, run.stderr
    assert line in run.stdout.splitlines()


def test_gitlab_reports_pack_rules(packed: Path) -> None:
    run = run_kpilint("check", "--output-format", "gitlab", "--select", "team-prefix",
                      cwd=packed)
    [issue] = json.loads(run.stdout)
    assert (issue["check_name"], issue["severity"], issue["location"]["lines"]["begin"],
            issue["description"]) == ("C001", "minor", 19, f"C001 {MESSAGE}")


def test_select_ignore_severity_and_per_file_ignores(packed: Path) -> None:
    def codes(*args: str) -> list[str]:
        run = run_kpilint("check", "--output-format", "json", *args, cwd=packed)
        assert run.code in (0, 1), run.stderr
        return [d["code"] for d in run.json()["diagnostics"]]

    assert codes("--select", "team-prefix,C003") == ["C003", "C001"]
    assert codes("--ignore", "C00") == []
    assert codes("--ignore", "C002,C003,C004,C005,C006,C007,C008") == ["C001"]
    config = packed / "kpilint.toml"
    config.write_text(config.read_text("utf-8") + '[severity]\nteam-prefix = "error"\n'
                      '[per-file-ignores]\n"goals.kpi.yaml" = ["C005"]\n', encoding="utf-8")
    run = run_kpilint("check", "--output-format", "json", "--select", "C001,C005", cwd=packed)
    assert [(d["code"], d["severity"]) for d in run.json()["diagnostics"]] == [("C001", "error")]
    unknown = run_kpilint("check", "--select", "C009", cwd=packed)
    assert (unknown.code, unknown.stdout) == (2, "")
    assert unknown.stderr.startswith("kpilint: error: option --select: 'C009' matches no rule")


def test_suppression_comments_and_unused_ones(packed: Path) -> None:
    spec = packed / "goals.kpi.yaml"
    lines = SPEC.splitlines()
    lines[13] += "  # kpilint: disable=known-owner -- legacy team"
    lines[18] += "  # kpilint: disable=C001,C007"
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = packed / "kpilint.toml"
    config.write_text(config.read_text("utf-8").replace('["C"]', '["C", "X001"]'),
                      encoding="utf-8")
    run = run_kpilint("check", "--output-format", "json", "--show-suppressed", cwd=packed)
    found = [(d["code"], d["line"], d["column"]) for d in run.json()["diagnostics"]]
    assert ("C002", 14, 12) not in found and ("C001", 19, 9) not in found
    assert ("X001", 19, 21) in found
    x001 = next(d for d in run.json()["diagnostics"] if d["code"] == "X001")
    assert x001["message"] == ("unused suppression: no C007 finding on line 19 to suppress;"
                               " remove it from the comment")
    text = run_kpilint("check", "--show-suppressed", "--select", "C002", cwd=packed)
    assert "C002" in text.stdout and "legacy team" in text.stdout


def test_baseline_hides_known_pack_findings(packed: Path) -> None:
    written = run_kpilint("baseline", "known.json", cwd=packed)
    assert written.code == 0, written.stderr
    entries = json.loads((packed / "known.json").read_text("utf-8"))
    assert "C001" in json.dumps(entries)
    run = run_kpilint("check", "--baseline", "known.json", "--output-format", "json",
                      cwd=packed)
    assert (run.code, run.json()["diagnostics"]) == (0, [])
    spec = packed / "goals.kpi.yaml"
    spec.write_text(spec.read_text("utf-8").replace("owner: sales", "owner: ops"),
                    encoding="utf-8")
    again = run_kpilint("check", "--baseline", "known.json", "--output-format", "json",
                        cwd=packed)
    assert [d["code"] for d in again.json()["diagnostics"]] == []  # same key: (path, C002, id)


def test_the_cache_follows_the_pack(packed: Path) -> None:
    first = run_kpilint("check", "--output-format", "json", "--select", "C001,C002", cwd=packed)
    assert [(d["code"], d["url"]) for d in first.json()["diagnostics"]] == [
        ("C002", None), ("C001", "https://wiki.example/kpi-ids")]
    cached = run_kpilint("check", "--output-format", "json", "--select", "C001,C002",
                         cwd=packed)
    assert cached.stdout == first.stdout
    assert (packed / ".kpilint_cache").is_dir()
    pack = packed / "conventions.yaml"
    pack.write_text(pack.read_text("utf-8").replace('"^mkt-"', '"^(mkt-|conv)"'),
                    encoding="utf-8")
    second = run_kpilint("check", "--output-format", "json", "--select", "C001", cwd=packed)
    assert second.code == 0, second.stderr
    assert second.json()["diagnostics"] == []


def test_rule_and_rules_commands_show_pack_rules(packed: Path) -> None:
    page = run_kpilint("rule", "C001", cwd=packed)
    assert page.code == 0, page.stderr
    assert page.stdout == (
        "C001 team-prefix\n"
        "================\n"
        "\n"
        "Default severity: warning. From the rule pack `conventions.yaml`.\n"
        "\n"
        "KPI ids start with the owning team's prefix. It keeps ids unique across teams.\n"
        "\n"
        "Prefixes: `mkt-`.\n"
        "\n"
        "Documentation: https://wiki.example/kpi-ids\n")
    by_name = run_kpilint("rule", "focused-ksf", cwd=packed)
    assert "KSF <id> has <value> <field>; keep at most 1" in by_name.stdout  # no description
    table = run_kpilint("rules", cwd=packed)
    rows = [line for line in table.stdout.splitlines() if line.startswith("C00")]
    assert len(rows) == 8
    assert rows[0].split()[:3] == ["C001", "team-prefix", "warning"]
    assert "KPI ids start with the owning team's prefix." in rows[0]
    assert any(row.endswith("KSF <id> has <value> <field>; keep at most 1") for row in rows)
    elsewhere = run_kpilint("rule", "C001", cwd=REPO / "docs")
    assert (elsewhere.code, elsewhere.stdout) == (2, "")


def test_a_pathological_pattern_does_not_hang(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "kpilint.toml": 'rule-packs = ["p.yaml"]\nselect = ["C"]\n',
        "p.yaml": """\
            rules:
              - {code: C001, name: redos, severity: warning, message: "{id}",
                 given: kpis, then: {field: definition, pattern: "^(a+)+$"}}
            """,
        "a.kpi.yaml": "version: 1\nkpis:\n  - id: k\n    name: K\n    definition: "
                      + "a" * 100_000 + "b\n",
    })
    started = time.monotonic()
    run = run_kpilint("check", "--no-cache", "--output-format", "json", cwd=tmp_path)
    assert time.monotonic() - started < 60
    assert [(d["code"], d["line"], d["column"]) for d in run.json()["diagnostics"]] == [
        ("C001", 5, 17)]


RULE = ("{code: C001, name: a, severity: warning, message: m, given: kpis, "
        "then: {field: id, required: true}}")


@pytest.mark.parametrize(("pack", "error"), [
    ("rules: [{code: C001, name: a, severity: warning, message: m, given: kpis,"
     " then: {field: id, patern: x}}]",
     "p.yaml: rule C001: key `then.patern`: unknown key (did you mean 'pattern'?)"),
    ("rules: [{code: C01, name: a, severity: warning, message: m, given: kpis,"
     " then: {field: id, required: true}}]",
     "p.yaml: rule C01: key `code`: 'C01' does not match '^C[0-9]{3}$'"),
    ("rules: [{code: C001, name: a, severity: warning, message: m, given: kpis,"
     " then: {field: id, pattern: x, enum: [a]}}]",
     "p.yaml: rule C001: key `then`: a field test has exactly one of required, pattern,"
     " not-pattern, enum, min, max, min-length, max-length (pattern and enum given)"),
    ("rules: [{code: C001, name: a, severity: warning, message: m, given: kpis}]",
     "p.yaml: rule C001: key `then`: missing (a rule needs code, name, severity, message,"
     " given and then)"),
    ("rules: [{code: C001, name: a, severity: warn, message: m, given: kpis,"
     " then: {field: id, required: true}}]",
     "p.yaml: rule C001: key `severity`: 'warn' is not one of 'error', 'warning', 'info'"),
    ("rules: [{code: C001, name: a, severity: warning, message: m, given: kpis,"
     " then: {count: kpis}}]",
     "p.yaml: rule C001: key `then`: a count test needs `min` or `max`"),
    ("rules: [{code: C001, name: a, severity: warning, message: m, given: kpis,"
     " then: {count: kpis, max: 1, field: x}}]",
     "p.yaml: rule C001: key `then.field`: a count test takes only `min` and `max`"),
    ("rules: [{code: C001, name: a, severity: warning, message: m, given: kpis,"
     " then: {field: x, required: false}}]",
     "p.yaml: rule C001: key `then.required`: False is not allowed; write `required: true`"
     " or leave the check out"),
    ("rules: [{code: C001, name: a, severity: warning, message: m, given: kpis,"
     " where: {count: kpis, max: 1}, then: {field: id, required: true}}]",
     "p.yaml: rule C001: key `where.count`: unknown key"),
    ("rule: []", "p.yaml: key `rule`: unknown key (did you mean 'rules'?)"),
    ("{}", "p.yaml: key `rules`: missing"),
    ("- a", "p.yaml: top level: ['a'] is not of type 'object'"),
    ("rules: [{code: C001, code: C002}]",
     "p.yaml:1:22: not a valid rule pack: duplicate key 'code' (first at line 1); only the last"
     " value would be kept: remove or rename one"),
    ("rules: [{code: !!python/object/apply:os.system [echo hi]}]",
     "p.yaml:1:16: not a valid rule pack: tag"
     " 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed (a rule pack holds only"
     " plain data)"),
    (f"rules: [{RULE}, {RULE.replace('name: a', 'name: b')}]",
     "p.yaml: rule C001 (b): 'C001' is already used by rule C001 (a) of this pack"),
    ("rules: [{code: C001, name: missing-owner, severity: warning, message: m, given: kpis,"
     " then: {field: id, required: true}}]",
     "p.yaml: rule C001 (missing-owner): 'missing-owner' clashes with built-in rule S207"
     " (missing-owner): codes and names must be unique"),
])
def test_a_bad_pack_is_one_line_naming_file_rule_and_key(tmp_path: Path, pack: str,
                                                          error: str) -> None:
    write_files(tmp_path, {"kpilint.toml": 'rule-packs = ["p.yaml"]\n', "p.yaml": pack + "\n",
                           "a.kpi.yaml": "version: 1\n"})
    run = run_kpilint("check", cwd=tmp_path)
    assert (run.code, run.stdout, run.stderr) == (2, "", f"kpilint: error: {error}\n")


def test_an_invalid_re2_pattern_is_named(tmp_path: Path) -> None:
    pack = RULE.join(["rules: [", "]"]).replace("required: true", "pattern: '(x'")
    write_files(tmp_path, {"kpilint.toml": 'rule-packs = ["p.yaml"]\n',
                           "a.kpi.yaml": "version: 1\n", "p.yaml": pack + "\n"})
    run = run_kpilint("check", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr.startswith("kpilint: error: p.yaml: rule C001: key `then.pattern`: '(x' is"
                                 " not a valid RE2 pattern (")
    assert run.stderr.count("\n") == 1


def test_two_packs_with_one_code_clash(tmp_path: Path) -> None:
    write_files(tmp_path, {"kpilint.toml": 'rule-packs = ["a.yaml", "b.yaml"]\n',
                           "a.yaml": f"rules: [{RULE}]\n", "a.kpi.yaml": "version: 1\n",
                           "b.yaml": f"rules: [{RULE.replace('name: a', 'name: b')}]\n"})
    run = run_kpilint("check", cwd=tmp_path)
    assert (run.code, run.stderr) == (2, "kpilint: error: b.yaml: rule C001 (b): 'C001' clashes"
                                         " with rule C001 (a) of a.yaml: codes and names must be"
                                         " unique\n")


@pytest.mark.parametrize(("entry", "problem"), [
    ("../outside.yaml", "lies outside the project root"),
    ("/etc/passwd", "a rule pack is named relative to the config file, not by an absolute path"),
    ("missing.yaml", "'missing.yaml': no such rule pack file"),
])
def test_pack_paths_stay_inside_the_root(tmp_path: Path, entry: str, problem: str) -> None:
    root = tmp_path / "project"
    write_files(tmp_path, {"outside.yaml": f"rules: [{RULE}]\n",
                           "project/kpilint.toml": f'rule-packs = ["{entry}"]\n',
                           "project/a.kpi.yaml": "version: 1\n"})
    run = run_kpilint("check", cwd=root)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr.startswith(f"kpilint: error: {root / 'kpilint.toml'}: key `rule-packs`: ")
    assert problem in run.stderr


def test_the_starter_pack_is_valid_and_quiet_on_the_starter_spec(tmp_path: Path) -> None:
    assert run_kpilint("init", cwd=tmp_path).code == 0
    written = run_kpilint("init", "--rule-pack", cwd=tmp_path)
    assert written.code == 0, written.stderr
    assert written.stdout.splitlines()[0] == "Wrote kpi-conventions.yaml"
    again = run_kpilint("init", "--rule-pack", cwd=tmp_path)
    assert again.code == 2
    config = tmp_path / "kpilint.toml"
    text = config.read_text("utf-8")
    assert '# rule-packs = ["kpi-conventions.yaml"]' in text
    config.write_text(text.replace("# rule-packs", "rule-packs"), encoding="utf-8")
    listed = run_kpilint("rules", cwd=tmp_path)
    assert [line.split()[:2] for line in listed.stdout.splitlines()
            if line.startswith("C0")] == [["C001", "known-owner"], ["C002", "focused-ksf"]]
    run = run_kpilint("check", "--select", "C", "--output-format", "json", cwd=tmp_path)
    assert (run.code, run.json()["diagnostics"]) == (0, [])


def test_kpilint_schema_prints_the_pack_schema(tmp_path: Path) -> None:
    run = run_kpilint("schema", "--rule-pack", cwd=tmp_path)
    assert (run.code, run.stdout) == (
        0, (REPO / "schemas" / "kpi-rule-pack.schema.json").read_text("utf-8"))


def _yaml_blocks(markdown: str) -> list[str]:
    return [block.split("\n", 1)[1] for block in markdown.split("```")[1::2]
            if block.startswith("yaml\n") and "\nrules:\n" in "\n" + block.split("\n", 1)[1]]


def test_the_starter_pack_and_the_documented_packs_load(tmp_path: Path) -> None:
    from kpilint.custom.packs import load_pack, pack_schema
    from kpilint.scaffold import RULE_PACK

    schema = json.loads((REPO / "schemas" / "kpi-rule-pack.schema.json").read_text("utf-8"))
    assert schema == pack_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    readme = _yaml_blocks((REPO / "README.md").read_text("utf-8"))
    guide = _yaml_blocks((REPO / "docs" / "custom-rules.md").read_text("utf-8"))
    assert (len(readme), len(guide)) == (1, 1)
    for index, text in enumerate([RULE_PACK, *readme, *guide]):
        path = tmp_path / f"pack{index}.yaml"
        path.write_text(text, encoding="utf-8")
        rules = load_pack(path, path.name)
        assert [rule.code for rule in rules][:1] == ["C001"]


def test_show_settings_names_the_packs_and_their_rules(packed: Path) -> None:
    run = run_kpilint("check", "--show-settings", cwd=packed)
    lines = run.stdout.splitlines()
    assert f'rule-packs = ["conventions.yaml"]  # {packed / "kpilint.toml"}' in lines
    [enabled] = [line for line in lines if " rules enabled: " in line]
    assert enabled.endswith(": C001, C002, C003, C004, C005, C006, C007, C008, E001, X002")


def test_a_pack_linked_from_outside_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write_files(tmp_path, {"outside.yaml": f"rules: [{RULE}]\n",
                           "project/kpilint.toml": 'rule-packs = ["linked.yaml"]\n',
                           "project/a.kpi.yaml": "version: 1\n"})
    (root / "linked.yaml").symlink_to(tmp_path / "outside.yaml")
    run = run_kpilint("check", cwd=root)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (f"kpilint: error: {root / 'kpilint.toml'}: key `rule-packs`:"
                          f" 'linked.yaml' lies outside the project root {root.resolve()}; keep"
                          " rule packs inside the project\n")
