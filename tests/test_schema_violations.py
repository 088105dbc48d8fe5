"""E002 schema-violation (SPEC §2, §4, §8): exact positions, messages, fixes, and the graph.

Every case runs the real CLI (``check --output-format json``) on real files. Where other rules
could legitimately add findings to the same entity, the assertions look at the codes in question
only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, run_kpilint, write_files

Diagnostic = dict[str, Any]

GOAL = "version: 1\nkgis:\n  - id: goal\n    name: Goal\n    deadline: 2026-12-15\n"


def lint(root: Path, *args: str) -> Run:
    run = run_kpilint("check", "--output-format", "json", *args, cwd=root)
    assert run.stderr == "", run.stderr
    assert run.code in (0, 1), (run.code, run.stdout)
    # every file here is well-formed YAML: an E001 would make the other assertions vacuous
    assert [d for d in run.json()["diagnostics"] if d["code"] in ("E001", "X002")] == []
    return run


def in_file(run: Run, path: str, *codes: str) -> list[Diagnostic]:
    return [d for d in run.json()["diagnostics"]
            if d["path"] == path and (not codes or d["code"] in codes)]


def spans(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int, int, int]]:
    return [(d["code"], d["line"], d["column"], d["end_line"], d["end_column"])
            for d in diagnostics]


def kpi_file(*fields: str, kpi_id: str = "k") -> str:
    """A spec with the KGI `goal` (lines 1-5) and one KPI (`- id:` on line 7, fields from 9)."""
    lines = ["version: 1", "kgis:", "  - id: goal", "    name: Goal", "    deadline: 2026-12-15",
             "kpis:", f"  - id: {kpi_id}", "    name: K", *(f"    {field}" for field in fields)]
    return "\n".join(lines) + "\n"


def lint_kpi(project: Path, *fields: str) -> tuple[Run, list[Diagnostic]]:
    write_files(project, {"spec.kpi.yaml": kpi_file(*fields)})
    run = lint(project)
    return run, in_file(run, "spec.kpi.yaml", "E002")


# --- unknown keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "line", "column", "key", "candidate", "kind"), [
    pytest.param(kpi_file("suports: goal"), 9, 5, "suports", "supports", "KPI", id="kpi"),
    pytest.param(kpi_file("paired_wth: k"), 9, 5, "paired_wth", "paired_with", "KPI",
                 id="kpi-paired"),
    pytest.param("version: 1\nkgis:\n  - id: g\n    name: G\n    formla: a + b\n", 5, 5,
                 "formla", "formula", "KGI", id="kgi"),
    pytest.param("version: 1\nksfs:\n  - id: f\n    name: F\n    suport: g\n", 5, 5,
                 "suport", "supports", "KSF", id="ksf"),
    pytest.param("version: 1\nscop: sales\n", 2, 1, "scop", "scope", "top level", id="top"),
    pytest.param("version: 1\nkpis:\n  - {id: f, name: F, ownr: me}\n", 3, 22, "ownr", "owner",
                 "KPI", id="flow"),
])
def test_unknown_key_with_one_candidate_has_a_fix(project: Path, content: str, line: int,
                                                  column: int, key: str, candidate: str,
                                                  kind: str) -> None:
    write_files(project, {"spec.kpi.yaml": content})
    run = lint(project)
    found = in_file(run, "spec.kpi.yaml", "E002")
    end = column + len(key)
    assert spans(found) == [("E002", line, column, line, end)]
    diagnostic = found[0]
    assert diagnostic["name"] == "schema-violation"
    assert diagnostic["severity"] == "error"
    assert f"unknown key `{key}`" in diagnostic["message"]
    assert kind in diagnostic["message"]
    assert f"(did you mean '{candidate}'?)" in diagnostic["message"]
    assert diagnostic["field"] == key
    assert diagnostic["fix"] == {
        "message": f"Replace with '{candidate}'",
        "applicability": "safe",
        "edits": [{"line": line, "column": column, "end_line": line, "end_column": end,
                   "text": candidate}],
    }


def test_unknown_key_subject_is_the_entity(project: Path) -> None:
    _, found = lint_kpi(project, "suports: goal")
    assert found[0]["subject"] == "k"


def test_unknown_key_with_several_candidates_has_no_fix(project: Path) -> None:
    # `badline` is two edits from both `baseline` and `deadline`: no certain fix
    _, found = lint_kpi(project, "badline: 2026-12-31")
    assert spans(found) == [("E002", 9, 5, 9, 12)]
    message = found[0]["message"]
    assert "unknown key `badline`" in message
    assert "did you mean" in message
    assert "'deadline'" in message and "'baseline'" in message
    assert found[0]["fix"] is None


def test_unknown_key_without_candidate(project: Path) -> None:
    _, found = lint_kpi(project, "colour: red")
    assert spans(found) == [("E002", 9, 5, 9, 11)]
    assert "unknown key `colour` for a KPI" in found[0]["message"]
    assert "did you mean" not in found[0]["message"]
    assert found[0]["fix"] is None


# --- enums -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "candidate"), [
    ("indicator", "leadin", "leading"),
    ("indicator", "lagin", "lagging"),
    ("cadence", "montly", "monthly"),
    ("cadence", "Weekly", "weekly"),
    ("direction", "increse", "increase"),
])
def test_bad_enum_value_suggests_the_close_one_with_a_fix(project: Path, field: str, value: str,
                                                          candidate: str) -> None:
    _, found = lint_kpi(project, f"{field}: {value}")
    column = 4 + len(field) + 2 + 1
    end = column + len(value)
    assert spans(found) == [("E002", 9, column, 9, end)]
    message = found[0]["message"]
    assert f"`{field}` must be one of" in message
    assert f"got '{value}'" in message
    assert f"(did you mean '{candidate}'?)" in message, message
    assert found[0]["field"] == field
    assert found[0]["subject"] == "k"
    assert found[0]["fix"] == {
        "message": f"Replace with '{candidate}'",
        "applicability": "safe",
        "edits": [{"line": 9, "column": column, "end_line": 9, "end_column": end,
                   "text": candidate}],
    }


def test_bad_enum_value_without_candidate(project: Path) -> None:
    _, found = lint_kpi(project, "direction: up")
    assert spans(found) == [("E002", 9, 16, 9, 18)]
    assert found[0]["message"].startswith(
        "`direction` must be one of 'increase', 'decrease' or 'maintain'; got 'up'")
    assert found[0]["fix"] is None


# --- wrong types -------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("target", '"200"', "`target` must be a number"),
    ("target", "lots", "`target` must be a number"),
    ("target", ".inf", "`target`"),
    ("target", "[1, 2]", "`target` must be a number"),
    ("primary", '"yes"', "`primary` must be true or false"),
    ("primary", "1", "`primary` must be true or false"),
    ("tags", "single", "`tags` must be a list"),
    ("last_reviewed", "soon", "`last_reviewed` must be a date"),
    ("definition", "{a: 1}", "`definition` must be a string"),
    ("supports", "{id: goal}", "`supports`"),
])
def test_wrong_type_is_e002_at_the_value(project: Path, field: str, value: str,
                                         expected: str) -> None:
    _, found = lint_kpi(project, f"{field}: {value}")
    column = 4 + len(field) + 2 + 1
    assert spans(found) == [("E002", 9, column, 9, column + len(value))]
    assert expected in found[0]["message"]
    assert found[0]["field"] == field
    assert found[0]["subject"] == "k"
    assert found[0]["fix"] is None


@pytest.mark.parametrize(("line", "message"), [
    ("baseline: 80,000,000",
     "`baseline` must be a number or `{value, as_of}`, not '80,000,000': thousands separators"
     " are not numbers, write 80000000"),
    ("baseline: lots", "`baseline` must be a number or `{value, as_of}`, not 'lots'"),
    ('baseline: "150"', "`baseline` must be a number or `{value, as_of}`, not '150': quotes"
                        " make it text, write 150 without them"),
    ("baseline: [150]", "`baseline` must be a number or `{value, as_of}`, not 'sequence'"),
    ("target: 100,000,000",
     "`target` must be a number, not '100,000,000': thousands separators are not numbers,"
     " write 100000000"),
    ("target: -1,250.5", "`target` must be a number, not '-1,250.5': thousands separators are"
                         " not numbers, write -1250.5"),
    ('target: "200"', "`target` must be a number, not '200': quotes make it text, write 200"
                      " without them"),
    ("target: 1,5", "`target` must be a number, not '1,5'"),
])
def test_number_written_as_text_says_what_to_write(project: Path, line: str,
                                                   message: str) -> None:
    _, found = lint_kpi(project, line)
    field, _, value = line.partition(": ")
    column = 4 + len(field) + 2 + 1
    assert [(d["message"], d["field"]) for d in found] == [(message, field)]
    assert spans(found) == [("E002", 9, column, 9, column + len(value))]


def test_baseline_value_with_thousands_separators(project: Path) -> None:
    _, found = lint_kpi(project, "baseline:", "  value: 80,000,000", "  as_of: 2026-09-30")
    assert [(d["message"], d["field"]) for d in found] == [
        ("`baseline.value` must be a number, not '80,000,000': thousands separators are not"
         " numbers, write 80000000", "baseline.value")]
    assert spans(found) == [("E002", 10, 14, 10, 24)]


def test_thousands_separators_in_a_flow_baseline(project: Path) -> None:
    _, found = lint_kpi(project, "baseline: {value: 1,000, as_of: 2026-09-30}")
    assert [(d["message"], d["field"]) for d in found] == [
        ("unknown key `000` in `baseline` (a comma inside `{...}` starts a new entry: thousands"
         " separators are not numbers, write the number without them)", "baseline.000")]
    assert spans(found) == [("E002", 9, 25, 9, 28)]


def test_quoted_number_target_reports_once_and_kpi_keeps_measuring(project: Path) -> None:
    run, found = lint_kpi(project, "supports: goal", 'target: "200"')
    assert spans(found) == [("E002", 10, 13, 10, 18)]
    codes = [d["code"] for d in run.json()["diagnostics"] if d["subject"] in ("k", "goal")]
    assert "S201" not in codes  # the bad target is not reported missing a second time
    assert "G102" not in codes and "G103" not in codes


def test_wrong_type_of_name_is_reported_once(project: Path) -> None:
    write_files(project, {"spec.kpi.yaml": """
        version: 1
        kgis:
          - id: goal
            name: [not, a, string]
        """})
    run = lint(project)
    found = in_file(run, "spec.kpi.yaml", "E002")
    assert spans(found) == [("E002", 4, 11, 4, 27)]
    assert "`name` must be a string" in found[0]["message"]


# --- ids ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ['"has space"', "_leading-underscore", ".dot", '"a/b"',
                                   '"caf\u00e9"'])
def test_bad_id_pattern_is_e002_at_the_value(project: Path, value: str) -> None:
    write_files(project, {"spec.kpi.yaml": f"""
        version: 1
        kgis:
          - id: goal
            name: Goal
        kpis:
          - id: {value}
            name: Bad id
            supports: goal
        """})
    run = lint(project)
    found = in_file(run, "spec.kpi.yaml", "E002")
    assert spans(found) == [("E002", 6, 9, 6, 9 + len(value))]
    assert "is not a valid id" in found[0]["message"]
    assert found[0]["field"] == "id"
    assert found[0]["subject"] is None
    # only an entity without a valid id leaves the graph: the KGI is now unmeasured
    assert spans(in_file(run, "spec.kpi.yaml", "G103")) == [("G103", 3, 5, 3, 13)]


def test_bad_id_in_a_supports_list_is_at_the_item(project: Path) -> None:
    _, found = lint_kpi(project, 'supports: [goal, "bad id"]')
    assert spans(found) == [("E002", 9, 22, 9, 30)]
    assert found[0]["field"] == "supports[1]"
    assert "is not a valid id" in found[0]["message"]


# --- required fields ---------------------------------------------------------------------------


def test_missing_id_is_at_the_entity(project: Path) -> None:
    write_files(project, {"spec.kpi.yaml": """
        version: 1
        kpis:
          - name: No id
            supports: goal
          - {definition: flow style, name: Also no id}
        """})
    run = lint(project)
    found = in_file(run, "spec.kpi.yaml", "E002")
    assert spans(found) == [("E002", 3, 5, 3, 16), ("E002", 5, 6, 5, 28)]
    assert all("missing required field `id`" in d["message"] for d in found)
    assert all(d["subject"] is None for d in found)


def test_missing_name_is_at_the_entity_and_the_entity_stays(project: Path) -> None:
    write_files(project, {"spec.kpi.yaml": """
        version: 1
        kgis:
          - id: goal
            name: Goal
        kpis:
          - id: noname
            supports: goal
        """})
    run = lint(project)
    found = in_file(run, "spec.kpi.yaml", "E002")
    assert spans(found) == [("E002", 6, 5, 6, 15)]
    assert "missing required field `name`" in found[0]["message"]
    assert found[0]["subject"] == "noname"
    assert in_file(run, "spec.kpi.yaml", "G102", "G103", "E005") == []


def test_missing_version_is_at_file_start(project: Path) -> None:
    write_files(project, {"spec.kpi.yaml": """
        # the team's KPIs

        kgis:
          - id: goal
            name: Goal
        """})
    run = lint(project)
    found = in_file(run, "spec.kpi.yaml", "E002")
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("E002", 1, 1)]
    assert "missing required field `version`" in found[0]["message"]
    assert found[0]["subject"] is None
    # the rest of the file is still read
    assert [(d["line"], d["column"]) for d in in_file(run, "spec.kpi.yaml", "G103")] == [(4, 5)]


def test_missing_version_in_a_later_document_is_at_that_document(project: Path) -> None:
    write_files(project, {"spec.kpi.yaml": """
        version: 1
        ---
        kgis:
          - id: goal
            name: Goal
        """})
    run = lint(project)
    found = in_file(run, "spec.kpi.yaml", "E002")
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("E002", 3, 1)]
    assert "missing required field `version`" in found[0]["message"]


@pytest.mark.parametrize("value", ["2", "0", "1.5", "latest", "[1]"])
def test_unsupported_version_is_at_the_value(project: Path, value: str) -> None:
    write_files(project, {"spec.kpi.yaml": f"# header\nversion: {value}\n"})
    run = lint(project)
    found = in_file(run, "spec.kpi.yaml", "E002")
    assert spans(found) == [("E002", 2, 10, 2, 10 + len(value))]
    assert found[0]["field"] == "version"
    assert "version" in found[0]["message"]
    assert found[0]["fix"] is None


def test_version_2_message(project: Path) -> None:
    write_files(project, {"spec.kpi.yaml": "version: 2\n"})
    found = in_file(lint(project), "spec.kpi.yaml", "E002")
    assert "unsupported version '2'" in found[0]["message"]
    assert "version: 1" in found[0]["message"]


# --- document shapes ---------------------------------------------------------------------------


@pytest.mark.parametrize("content", [
    # lists that are no known format (a list with `name` and `target` is GitLab's, SPEC 10.4)
    pytest.param("- title: Revenue\n  goal: 100\n", id="yaml"),
    pytest.param('[{"title": "Revenue", "goal": 100}]\n', id="json"),
])
def test_top_level_list_names_the_dialect_option(project: Path, content: str) -> None:
    write_files(project, {"handbook.kpi.yaml": content})
    run = lint(project)
    assert run.code == 1
    found = in_file(run, "handbook.kpi.yaml")
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("E002", 1, 1)]
    assert found[0]["message"] == (
        "a top-level list is not a kpilint v1 spec (a mapping with `version: 1` and kgis, ksfs,"
        " kpis); if it is another KPI file format, read it with `--dialect NAME` or the config's"
        " `[dialects]` table (dialects: gitlab-pi)")


@pytest.mark.parametrize(("section", "value", "column"), [
    ("kpis", "{id: k, name: K}", 7), ("kgis", "goal", 7), ("ksfs", "3", 7),
])
def test_section_that_is_not_a_list(project: Path, section: str, value: str,
                                    column: int) -> None:
    write_files(project, {"spec.kpi.yaml": f"version: 1\n{section}: {value}\n"})
    found = in_file(lint(project), "spec.kpi.yaml", "E002")
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("E002", 2, column)]
    assert f"`{section}` must be a list" in found[0]["message"]


def test_json_spec_file(project: Path) -> None:
    write_files(project, {"spec.kpi.yaml": """
        {"version": 1,
         "kgis": [{"id": "goal", "name": "Goal"}],
         "kpis": [{"id": "k", "name": "K", "supports": "goal", "indicatr": "leading"}]}
        """})
    run = lint(project)
    found = in_file(run, "spec.kpi.yaml", "E002")
    assert spans(found) == [("E002", 3, 56, 3, 66)]  # the key, with its quotes
    assert "unknown key `indicatr`" in found[0]["message"]
    assert in_file(run, "spec.kpi.yaml", "G102", "G103") == []


# --- extension keys ----------------------------------------------------------------------------


def test_x_keys_are_never_an_error(project: Path) -> None:
    write_files(project, {"spec.kpi.yaml": """
        version: 1
        x-owner-team: {name: Sales, members: [a, b]}
        x-: empty suffix
        kgis:
          - id: goal
            name: Goal
            x-notes: [1, {deep: [true, null]}]
            x-target: not a number
        ksfs:
          - id: factor
            name: Factor
            supports: goal
            x-supports: nowhere
        kpis:
          - id: k
            name: K
            supports: factor
            x-jira: ABC-123
            x-deadline: 2026-13
            x-primary: maybe
        """})
    run = lint(project)
    assert in_file(run, "spec.kpi.yaml", "E002", "E005") == []


def test_x_key_holding_an_invalid_date_is_not_an_error(project: Path) -> None:
    # x- fields are free (SPEC §2): a value YAML 1.1 reads as a bad timestamp is no business of
    # the schema. Today the loader rejects it (E002 "not a valid timestamp").
    write_files(project, {"spec.kpi.yaml": """
        version: 1
        x-planned: 2026-02-30
        kgis:
          - id: goal
            name: Goal
            x-when: 2026-13-01
        """})
    run = lint(project)
    assert in_file(run, "spec.kpi.yaml", "E002") == []


# --- string fields take the source text --------------------------------------------------------


def test_string_fields_take_the_scalar_source_text(project: Path) -> None:
    write_files(project, {"spec.kpi.yaml": """
        version: 1
        scope: 2026
        kgis:
          - id: 2026
            name: 1.10
            owner: no
            unit: 1e3
            source: 0x1F
            definition: 2026-12-31
            tags: [1, true, 2026-01-01]
        ksfs:
          - id: 1.5
            name: on
            supports: 2026
        kpis:
          - id: k-scalar
            name: yes
            supports: 2026
          - id: k-list
            name: 12:30
            supports: [2026, 1.5]
            paired_with: [0x10]
          - id: 0x10
            name: off
            supports: 1.5
            paired_with: k-list
        """})
    run = lint(project)
    spec = in_file(run, "spec.kpi.yaml")
    assert [d for d in spec if d["code"] in ("E002", "E004", "E005", "G102", "G103", "G104",
                                             "G108")] == []


def test_ids_keep_their_source_spelling(project: Path) -> None:
    # "1.10" is not "1.1", "0x1" is not "1": no E004. A quoted "1" is the same id as a plain 1.
    write_files(project, {"spec.kpi.yaml": """
        version: 1
        kgis:
          - id: "1.1"
            name: A
          - id: 1.10
            name: B
          - id: 0x1
            name: C
          - id: 1
            name: D
          - id: "1"
            name: E
        """})
    run = lint(project)
    found = in_file(run, "spec.kpi.yaml", "E002", "E004")
    assert spans(found) == [("E004", 11, 9, 11, 12)]
    assert found[0]["subject"] == "1"


@pytest.mark.parametrize(("field", "value"), [
    pytest.param("name", "2026-02-30", id="name-bad-date"),
    pytest.param("owner", "2026-13-01", id="owner-bad-date"),
    pytest.param("id", "2026-02-30", id="id-bad-date"),
    pytest.param("id", "1" + "0" * 5000, id="id-5001-digits"),
])
def test_string_field_with_a_scalar_yaml_cannot_construct(project: Path, field: str,
                                                          value: str) -> None:
    # YAML 1.1 resolves these plain scalars as a timestamp / an int that cannot be built; a
    # string field takes the source text instead (SPEC §2), so they are not E002.
    fields = {"id": "odd", "name": "Odd", "supports": "goal", field: value}
    write_files(project, {"spec.kpi.yaml": GOAL + "kpis:\n" + "".join(
        f"  {'-' if index == 0 else ' '} {key}: {text}\n"
        for index, (key, text) in enumerate(fields.items()))})
    run = lint(project)
    assert in_file(run, "spec.kpi.yaml", "E001", "E002", "G102", "G103") == []


# --- a bad field leaves the entity in the graph ------------------------------------------------


def test_entity_with_a_bad_field_stays_in_the_graph(project: Path) -> None:
    write_files(project, {"spec.kpi.yaml": """
        version: 1
        kgis:
          - id: some-kgi
            name: Some KGI
        ksfs:
          - id: factor
            name: Factor
            supports: some-kgi
            owner: [not, text]
        kpis:
          - id: k
            name: K
            indicator: bogus
            supports: some-kgi
          - id: k2
            name: K2
            cadence: sometimes
            supports: factor
        """})
    run = lint(project)
    diagnostics = run.json()["diagnostics"]
    found = in_file(run, "spec.kpi.yaml", "E002")
    assert spans(found) == [("E002", 9, 12, 9, 23), ("E002", 13, 16, 13, 21),
                            ("E002", 17, 14, 17, 23)]
    assert [d["field"] for d in found] == ["owner", "indicator", "cadence"]
    assert [d["subject"] for d in found] == ["factor", "k", "k2"]
    # still in the graph: the KGI is measured, no KPI is an orphan, the KSF is supported
    assert in_file(run, "spec.kpi.yaml", "G102", "G103", "G104", "G108", "E005") == []
    # and the bad fields are not reported a second time as missing (P305, S208, S207...)
    again = [(d["code"], d["subject"]) for d in diagnostics
             if d["code"] in ("P305", "S208", "S207")
             and (d["subject"], d["code"]) in {("k", "P305"), ("k2", "S208"), ("factor", "S207")}]
    assert again == []


# --- deadlines ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2026-12-31", "2026-12", "2026-Q4", "2026-01", "2026-Q1",
                                   "2024-02"])
def test_deadline_formats_accepted(project: Path, value: str) -> None:
    _, found = lint_kpi(project, "supports: goal", f"deadline: {value}")
    assert found == []


@pytest.mark.parametrize("value", ["2026-13", "2026-Q5", "2026-Q0", "2026-00", "Q4-2026",
                                   "2026-q4", "soon", "2026-02-30", "2026"])
def test_deadline_formats_rejected_at_the_value(project: Path, value: str) -> None:
    _, found = lint_kpi(project, "supports: goal", f"deadline: {value}")
    assert spans(found) == [("E002", 10, 15, 10, 15 + len(value))]
    assert found[0]["field"] == "deadline"
    assert found[0]["subject"] == "k"


def test_deadline_message_names_the_formats(project: Path) -> None:
    _, found = lint_kpi(project, "deadline: 2026-Q5")
    assert "YYYY-MM-DD, YYYY-MM or YYYY-Qn" in found[0]["message"]
    assert "2026-Q5" in found[0]["message"]


@pytest.mark.parametrize(("value", "late"), [
    ("2026-12", True),      # end of December, after the KGI's 2026-12-15
    ("2026-11", False),     # 2026-11-30
    ("2026-Q4", True),      # calendar quarter: 2026-12-31
    ("2026-Q3", False),     # 2026-09-30
    ("2026-12-15", False),  # the same day is not later
])
def test_month_and_quarter_deadlines_mean_their_last_day(project: Path, value: str,
                                                         late: bool) -> None:
    run, _ = lint_kpi(project, "supports: goal", f"deadline: {value}")
    late_findings = in_file(run, "spec.kpi.yaml", "G107")
    assert bool(late_findings) is late
    if late:
        assert "2026-12-31" in late_findings[0]["message"]


@pytest.mark.parametrize("content", [
    pytest.param(kpi_file("supports: goal", 'deadline: "2026-12-31"',
                          "last_reviewed: '2026-10-01'",
                          'baseline: {value: 1, as_of: "2026-09-30"}'), id="quoted-yaml"),
    pytest.param("""{"version": 1,
 "kgis": [{"id": "goal", "name": "Goal", "deadline": "2027-03-31"}],
 "kpis": [{"id": "k", "name": "K", "supports": "goal", "deadline": "2026-12-31",
           "last_reviewed": "2026-10-01", "baseline": {"value": 1, "as_of": "2026-09-30"}}]}
""", id="json"),
])
def test_dates_written_as_strings_are_accepted(project: Path, content: str) -> None:
    # JSON is valid YAML (SPEC §2) and has no date type; the generated JSON schema accepts
    # "2026-12-31" for a deadline. kpilint must too (today: "'2026-12-31' is invalid: use
    # YYYY-MM-DD...").
    write_files(project, {"spec.kpi.yaml": content})
    run = lint(project)
    assert in_file(run, "spec.kpi.yaml", "E002") == []


# --- baselines ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["150", "0.5", "-3", "0", "{value: 150}",
                                   "{value: 150, as_of: 2026-09-30}", "{value: 1.5e+3}"])
def test_baseline_forms_accepted(project: Path, value: str) -> None:
    _, found = lint_kpi(project, f"baseline: {value}")
    assert found == []


@pytest.mark.parametrize(("value", "column", "end_column", "field"), [
    ('"150"', 15, 20, "baseline"),
    ("[150]", 15, 20, "baseline"),
    ("lots", 15, 19, "baseline"),
    ('{value: "150"}', 23, 28, "baseline.value"),
    ("{value: 150, as_of: soon}", 35, 39, "baseline.as_of"),
    ("{value: 150, as_of: 2026-09}", 35, 42, "baseline.as_of"),
])
def test_baseline_rejected_at_the_value(project: Path, value: str, column: int, end_column: int,
                                        field: str) -> None:
    _, found = lint_kpi(project, f"baseline: {value}")
    assert spans(found) == [("E002", 9, column, 9, end_column)]
    assert found[0]["field"] == field
    assert found[0]["subject"] == "k"


def test_baseline_without_value_is_e002_not_a_crash(project: Path) -> None:
    # Today: exit 2, "internal error: ValidationError ... baseline.value Field required".
    write_files(project, {"spec.kpi.yaml": kpi_file("supports: goal",
                                                    "baseline: {as_of: 2026-09-30}")})
    run = run_kpilint("check", "--output-format", "json", cwd=project)
    assert run.code == 1, run.stderr
    assert run.stderr == ""
    found = in_file(run, "spec.kpi.yaml", "E002")
    # at the baseline mapping that lacks `value`
    assert spans(found) == [("E002", 10, 15, 10, 34)]
    assert "`value`" in found[0]["message"]
    assert found[0]["field"] in ("baseline", "baseline.value")
    assert in_file(run, "spec.kpi.yaml", "G102", "G103") == []


def test_baseline_unknown_key_is_at_the_key_with_did_you_mean(project: Path) -> None:
    _, found = lint_kpi(project, "baseline: {value: 150, as_f: 2026-09-30}")
    assert spans(found) == [("E002", 9, 28, 9, 32)]
    assert "unknown key `as_f`" in found[0]["message"]
    assert "did you mean 'as_of'?" in found[0]["message"]
    assert found[0]["fix"] == {
        "message": "Replace with 'as_of'",
        "applicability": "safe",
        "edits": [{"line": 9, "column": 28, "end_line": 9, "end_column": 32, "text": "as_of"}],
    }


# --- supports and paired_with ------------------------------------------------------------------


def test_supports_scalar_and_list_and_e005_at_the_item(project: Path) -> None:
    write_files(project, {"spec.kpi.yaml": """
        version: 1
        kgis:
          - id: goal
            name: Goal
        ksfs:
          - id: factor
            name: Factor
            supports: [goal, gaol]
        kpis:
          - id: scalar
            name: Scalar
            supports: factor
          - id: listed
            name: Listed
            supports: [factor, nowhere, goal]
            paired_with: [scalar, ghost]
          - id: wrong-kind
            name: Wrong kind
            supports: missing
            paired_with: goal
        """})
    run = lint(project)
    found = in_file(run, "spec.kpi.yaml", "E005", "E002")
    assert spans(found) == [
        ("E005", 8, 22, 8, 26),
        ("E005", 15, 24, 15, 31),
        ("E005", 16, 27, 16, 32),
        ("E005", 19, 15, 19, 22),
        ("E005", 20, 18, 20, 22),
    ]
    assert [d["field"] for d in found] == [
        "supports[1]", "supports[1]", "paired_with[1]", "supports", "paired_with"]
    assert [d["subject"] for d in found] == ["factor", "listed", "listed", "wrong-kind",
                                             "wrong-kind"]
    gaol = found[0]
    assert "did you mean 'goal'?" in gaol["message"]
    assert gaol["fix"] == {"message": "Replace with 'goal'", "applicability": "safe",
                           "edits": [
        {"line": 8, "column": 22, "end_line": 8, "end_column": 26, "text": "goal"}]}
    assert "'goal' is a KGI" in found[4]["message"]
    # the list items that resolve count: the KGI and the KSF are measured; only the KPI whose
    # single reference is unknown is an orphan
    graph = in_file(run, "spec.kpi.yaml", "G102", "G103", "G104", "G108")
    assert [(d["code"], d["subject"]) for d in graph] == [("G102", "wrong-kind")]
