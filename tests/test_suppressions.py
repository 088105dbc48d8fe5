"""Suppression comments (SPEC §5, README "Suppressions, baselines and adoption").

Every placement of `# kpilint: disable=...` and its near misses, the meta rules about comments
(X001 unused, X003 forbidden, X004 no reason), `--show-suppressed`, and `--add-suppressions`
(byte-exact round trips), all through the real CLI in temporary projects.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TODAY, Run, run_kpilint, write_files

FOLLOWERS = ("KPI 'followers' tracks followers, a vanity metric: it can rise while the goal does"
             " not move; track engagement rate per post (interactions / reach) instead")
VIEWS = ("KPI 'views' tracks page views, a vanity metric: it can rise while the goal does not"
         " move; track conversion rate per visit (sign-ups or leads / sessions) instead")


def config(*selected: str, extra: str = "") -> str:
    codes = ", ".join(f'"{code}"' for code in selected)
    return f'today = "{TODAY}"\nselect = [{codes}]\n{extra}'


def check(root: Path, *args: str) -> Run:
    run = run_kpilint("check", "--output-format", "json", *args, cwd=root)
    assert run.code in (0, 1), run.stderr
    assert run.stderr == ""
    return run


def codes_at(run: Run) -> list[tuple[str, int, int]]:
    return [(code, line, column) for _, code, line, column in run.findings()]


# --- placement --------------------------------------------------------------------------------


def test_end_of_line_comment_suppresses_its_own_line_only(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: followers
                name: Social media followers  # kpilint: disable=P301
              - id: views  # kpilint: disable=P301
                name: Page views
            """,
    })
    run = check(project)
    # line 5's comment covers line 5 only: the finding on the next line stays
    assert codes_at(run) == [("P301", 6, 11)]
    assert run.code == 1


def test_own_line_comment_suppresses_the_next_line(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: followers
                # kpilint: disable=P301
                name: Social media followers
              - id: views
                name: Page views
            """,
    })
    assert codes_at(check(project)) == [("P301", 7, 11)]


OWN_LINE_BLANK = """
    version: 1
    kpis:
      - id: followers
        # kpilint: disable=P301


        name: Social media followers
    """
OWN_LINE_COMMENTS = """
    version: 1
    kpis:
      - id: followers
        # kpilint: disable=P301 -- brand benchmark
        # the brand team owns this number

          # an indented note
        name: Social media followers
    """


@pytest.mark.parametrize("spec", [OWN_LINE_BLANK, OWN_LINE_COMMENTS],
                         ids=["skips-blank-lines", "skips-comment-lines"])
def test_own_line_comment_applies_to_the_next_content_line(project: Path, spec: str) -> None:
    write_files(project, {"kpilint.toml": config("P301", "X001"), "a.kpi.yaml": spec})
    run = check(project)
    assert run.findings() == []
    assert run.code == 0


def test_comment_two_lines_up_with_content_between_does_not_apply(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301", "X001"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: followers
                # kpilint: disable=P301
                x-team: brand
                name: Social media followers
            """,
    })
    run = check(project)
    assert codes_at(run) == [("X001", 4, 5), ("P301", 6, 11)]
    assert run.json()["diagnostics"][0]["message"] == (
        "unused suppression: no P301 finding on line 5 to suppress; remove it from the comment")


@pytest.mark.parametrize("placement", ["top", "middle-own-line", "middle-end-of-line", "bottom"])
def test_disable_file_anywhere_covers_the_whole_file(project: Path, placement: str) -> None:
    lines = [
        "version: 1",
        "kpis:",
        "  - id: followers",
        "    name: Social media followers",
        "  - id: views",
        "    name: Page views",
    ]
    comment = "# kpilint: disable-file=P301"
    if placement == "top":
        lines.insert(0, comment)
    elif placement == "middle-own-line":
        lines.insert(4, "  " + comment)
    elif placement == "middle-end-of-line":
        lines[2] += "  " + comment
    else:
        lines.append(comment)
    write_files(project, {"kpilint.toml": config("P301", "X001"),
                          "a.kpi.yaml": "\n".join(lines) + "\n",
                          "b.kpi.yaml": "version: 1\nkpis:\n  - id: likes\n    name: Post likes\n"})
    run = check(project, "--show-suppressed")
    # the other file is not covered
    assert run.findings() == [("b.kpi.yaml", "P301", 4, 11)]
    names = [number for number, line in enumerate(lines, start=1) if "name:" in line]
    assert [(d["code"], d["line"]) for d in run.json()["suppressed"]] == [
        ("P301", names[0]), ("P301", names[1])]


def test_disable_all_suppresses_every_code_on_its_line(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301", "S201", "S204"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: views  # kpilint: disable=all
                name: Page views
            """,
    })
    run = check(project, "--show-suppressed")
    # S201 and S204 sit at the entity (line 3) and are hidden; P301 on line 4 is not
    assert codes_at(run) == [("P301", 4, 11)]
    assert [(d["code"], d["line"], d["column"]) for d in run.json()["suppressed"]] == [
        ("S201", 3, 5), ("S204", 3, 5)]
    fingerprints = [d["fingerprint"] for key in ("diagnostics", "suppressed")
                    for d in run.json()[key]]  # suppressed findings have theirs too
    assert all(re.fullmatch("[0-9a-f]{32}", each) for each in fingerprints)
    assert len(set(fingerprints)) == len(fingerprints) == 3


def test_codes_and_names_can_be_mixed(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301", "S201", "S204", "X001"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: views  # kpilint: disable=S204,missing-target
                # kpilint: disable=vanity-metric , S213
                name: Page views
            """,
    })
    run = check(project, "--show-suppressed")
    # S213 is not selected, so naming it is not an unused suppression
    assert run.findings() == []
    assert sorted(d["code"] for d in run.json()["suppressed"]) == ["P301", "S201", "S204"]


def test_codes_are_case_insensitive(project: Path) -> None:
    # The registry upper-cases anything shaped like a code, and `all` is matched ignoring case.
    write_files(project, {
        "kpilint.toml": config("P301", "S201", "X001"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: views  # kpilint: disable=s201
                name: Page views  # kpilint: disable=p301
              - id: followers  # kpilint: disable=ALL
                name: Social media followers  # kpilint: disable=All
            """,
    })
    run = check(project)
    assert run.findings() == []
    assert run.code == 0


# --- near misses: text that only looks like a directive ---------------------------------------


def test_directive_inside_quoted_strings_is_text(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301", "X001"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: views
                name: "Page views # kpilint: disable=P301"
              - id: followers
                name: 'Social media followers  # kpilint: disable=all'
              - id: likes
                x-note: "first line
                  # kpilint: disable-file=P301"
                name: Post likes
            """,
    })
    run = check(project)
    assert codes_at(run) == [("P301", 4, 11), ("P301", 6, 11), ("P301", 10, 11)]


def test_directive_inside_a_block_scalar_is_text(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301", "X001"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: views
                definition: |
                  Views of the pricing page, per calendar month.
                  # kpilint: disable-file=P301
                  # kpilint: disable=P301
                name: Page views
                x-notes: >
                  # kpilint: disable=all
            """,
    })
    run = check(project)
    assert codes_at(run) == [("P301", 8, 11)]


def test_comment_after_a_block_scalar_header_is_a_directive(project: Path) -> None:
    # `key: |  # comment` is a YAML comment, not part of the text; --add-suppressions puts its
    # comments exactly there (see test_add_suppressions_*), so the parser must read them.
    write_files(project, {
        "kpilint.toml": config("S204", "X001"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: blk
                name: Rate of x
                definition: |  # kpilint: disable=S204 -- draft
                  Short.
            """,
    })
    run = check(project, "--show-suppressed")
    assert run.findings() == []
    assert [(d["code"], d["line"], d["reason"]) for d in run.json()["suppressed"]] == [
        ("S204", 5, "draft")]


def test_line_separator_in_a_value_does_not_shift_comment_lines(project: Path) -> None:
    # U+2028 inside a quoted scalar: kpilint counts lines as editors do (LF, CRLF, CR), so the
    # comment must cover its own line 5, where the finding is.
    text = ('version: 1\nkpis:\n  - id: views\n    x-note: "first\u2028second"\n'
            "    name: Page views  # kpilint: disable=P301\n")
    write_files(project, {"kpilint.toml": config("P301", "X001"),
                          "a.kpi.yaml": text.encode("utf-8")})
    run = check(project)
    assert run.findings() == []


def test_e001_cannot_be_suppressed(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("E001"),
        "a.kpi.yaml": """
            # kpilint: disable-file=E001,all
            version: 1
            kpis:
              - id: views
                # kpilint: disable=all
                name: a: b  # kpilint: disable=E001
            """,
    })
    run = check(project, "--show-suppressed")
    assert codes_at(run) == [("E001", 6, 12)]
    assert run.json()["suppressed"] == []
    assert run.code == 1


CRASHING_P301 = """
import sys
from kpilint.rules import p301_vanity_metric as module
def explode(self, spec, context):
    raise RuntimeError("boom")
module.VanityMetric.check = explode
from kpilint.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_x002_cannot_be_suppressed(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301", "S201"),
        "a.kpi.yaml": """
            version: 1  # kpilint: disable=all
            # kpilint: disable-file=X002,S201
            kpis:
              - id: views
                name: Page views
            """,
    })
    process = subprocess.run(
        [sys.executable, "-c", CRASHING_P301, "check", "--output-format", "json"],
        cwd=project, capture_output=True, text=True, check=False)
    assert process.returncode == 2
    found = json.loads(process.stdout)["diagnostics"]
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("X002", 1, 1)]
    assert found[0]["message"].startswith("rule P301 (vanity-metric) crashed: RuntimeError: boom")


# --- reasons, --show-suppressed and the summary -----------------------------------------------


SHOWN: dict[str, str | bytes] = {
    "kpilint.toml": config("P301", "S201"),
    "a.kpi.yaml": """
        version: 1
        kpis:
          - id: followers
            name: Social media followers  # kpilint: disable=P301 -- benchmarking year
          - id: views
            # kpilint: disable=vanity-metric
            name: Page views
        """,
}


def test_show_suppressed_lists_findings_with_reasons_in_text(project: Path) -> None:
    write_files(project, SHOWN)
    run = run_kpilint("check", "--show-suppressed", cwd=project)
    assert run.code == 1
    target = ("has no `target`: add the value it must reach by its deadline, e.g. `target: 200`"
              " (in its unit)")
    assert run.stdout.splitlines() == [
        f"a.kpi.yaml:3:5: S201 [error] KPI 'followers' {target}",
        f"a.kpi.yaml:5:5: S201 [error] KPI 'views' {target}",
        "Suppressed (2):",
        f"  a.kpi.yaml:4:11: P301 [warning] {FOLLOWERS} (reason: benchmarking year;"
        " comment at line 4)",
        f"  a.kpi.yaml:7:11: P301 [warning] {VIEWS} (no reason given; comment at line 6)",
        "Found 2 problems (2 errors, 0 warnings, 0 infos) in 1 file. 2 suppressed.",
    ]


def test_without_show_suppressed_the_list_is_not_printed(project: Path) -> None:
    write_files(project, SHOWN)
    run = run_kpilint("check", cwd=project)
    assert "Suppressed" not in run.stdout
    assert run.stdout.splitlines()[-1] == (
        "Found 2 problems (2 errors, 0 warnings, 0 infos) in 1 file. 2 suppressed.")
    assert "suppressed" not in check(project).json()


def test_show_suppressed_in_json(project: Path) -> None:
    write_files(project, SHOWN)
    run = check(project, "--show-suppressed")
    assert [d["code"] for d in run.json()["diagnostics"]] == ["S201", "S201"]
    suppressed = run.json()["suppressed"]
    assert [(d["code"], d["line"], d["column"], d["subject"], d["message"], d["reason"],
             d["comment"]) for d in suppressed] == [
        ("P301", 4, 11, "followers", FOLLOWERS, "benchmarking year",
         {"line": 4, "column": 35}),
        ("P301", 7, 11, "views", VIEWS, None, {"line": 6, "column": 5}),
    ]
    assert suppressed[0]["name"] == "vanity-metric"
    assert suppressed[0]["path"] == "a.kpi.yaml"


def test_summary_mentions_suppressed_when_everything_is_suppressed(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301"),
        "a.kpi.yaml": SHOWN["a.kpi.yaml"],
    })
    run = run_kpilint("check", cwd=project)
    assert run.code == 0
    summary = run.stdout.splitlines()[-1]
    assert summary.startswith("All checks passed (1 file checked).")
    assert "2 suppressed" in summary


# --- X001 unused-suppression ------------------------------------------------------------------


def test_x001_for_a_selected_code_that_suppressed_nothing(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301", "S201", "X001"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: rate
                name: Engagement rate per post  # kpilint: disable=P301,S201 -- why not
                target: 4
                # kpilint: disable=missing-target

            # kpilint: disable-file=S201
            """,
    })
    run = check(project)
    diagnostics = run.json()["diagnostics"]
    assert [(d["code"], d["line"], d["column"], d["end_line"], d["end_column"])
            for d in diagnostics] == [
        ("X001", 4, 37, 4, 76),
        ("X001", 4, 37, 4, 76),
        ("X001", 6, 5, 6, 38),
        ("X001", 8, 1, 8, 29),
    ]
    assert [d["message"] for d in diagnostics] == [
        "unused suppression: no P301 finding on line 4 to suppress; remove it from the comment",
        "unused suppression: no S201 finding on line 4 to suppress; remove it from the comment",
        "unused suppression: no S201 finding below it to suppress; remove it from the comment",
        "unused suppression: no S201 finding in this file to suppress; remove it from the comment",
    ]
    assert {(d["name"], d["severity"]) for d in diagnostics} == {
        ("unused-suppression", "warning")}
    assert run.code == 1


def test_x001_only_for_the_unused_part_of_a_comment(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301", "S201", "X001"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: views
                target: 3
                name: Page views  # kpilint: disable=P301,S201
            """,
    })
    run = check(project)
    assert codes_at(run) == [("X001", 5, 23)]
    assert run.json()["diagnostics"][0]["message"] == (
        "unused suppression: no S201 finding on line 5 to suppress; remove it from the comment")


def test_no_x001_for_a_code_that_is_not_selected(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": f'today = "{TODAY}"\n',
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: views
                name: Page views  # kpilint: disable=P301,S201
            # kpilint: disable-file=missing-owner
            """,
    })
    run = check(project, "--select", "P301,X001")
    assert run.findings() == []
    assert run.code == 0
    # with S201 selected, the same comment is reported for it
    assert codes_at(check(project, "--select", "P301,S201,X001")) == [
        ("S201", 3, 5), ("X001", 4, 23)]


def test_x001_for_all_that_suppressed_nothing(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301", "X001"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: rate  # kpilint: disable=all
                name: Engagement rate per post
                # kpilint: disable=ALL -- nothing below
            # kpilint: disable-file=all
            """,
    })
    run = check(project)
    diagnostics = run.json()["diagnostics"]
    assert [(d["code"], d["line"], d["column"]) for d in diagnostics] == [
        ("X001", 3, 15), ("X001", 5, 5), ("X001", 6, 1)]
    assert [d["message"] for d in diagnostics] == [
        "unused suppression: nothing is reported on line 3; remove the comment",
        "unused suppression: nothing is reported below it; remove the comment",
        "unused suppression: nothing is reported in this file; remove the comment",
    ]


def test_used_all_is_not_x001(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301", "X001"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: views
                name: Page views  # kpilint: disable=all
            """,
    })
    assert check(project).findings() == []


def test_x001_subject_is_the_entity_the_comment_lies_in(project: Path) -> None:
    # SPEC §8: subject is the entity the finding lies in; null only for a file-level comment.
    write_files(project, {
        "kpilint.toml": config("P301", "X001"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: rate  # kpilint: disable=P301
                name: Engagement rate per post
            # kpilint: disable-file=P301
            """,
    })
    diagnostics = check(project).json()["diagnostics"]
    assert [(d["code"], d["line"], d["subject"]) for d in diagnostics] == [
        ("X001", 3, "rate"), ("X001", 5, None)]


# --- X003 forbidden-suppression / X004 missing-suppression-reason -----------------------------


FORBIDDEN = """
    version: 1
    kpis:
      - id: views  # kpilint: disable=S201 -- agreed
        name: Page views
        # kpilint: disable=vanity-metric
    # kpilint: disable-file=S201
    """


def test_allow_suppressions_false_reports_x003_and_suppresses_nothing(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301", "S201", "X", extra="allow-suppressions = false\n"),
        "a.kpi.yaml": FORBIDDEN,
    })
    run = check(project, "--show-suppressed")
    diagnostics = run.json()["diagnostics"]
    assert [(d["code"], d["line"], d["column"]) for d in diagnostics] == [
        ("S201", 3, 5), ("X003", 3, 16), ("P301", 4, 11), ("X003", 5, 5), ("X003", 6, 1)]
    assert run.json()["suppressed"] == []
    assert diagnostics[1]["message"] == (
        "suppression comment `disable=S201` is not allowed in this project"
        " (allow-suppressions = false): fix the finding instead")
    assert diagnostics[3]["message"] == (
        "suppression comment `disable=vanity-metric` is not allowed in this project"
        " (allow-suppressions = false): fix the finding instead")
    assert {(d["name"], d["severity"]) for d in diagnostics if d["code"] == "X003"} == {
        ("forbidden-suppression", "error")}
    assert run.code == 1


def test_x003_quotes_a_disable_file_comment_as_written(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("S201", "X003", extra="allow-suppressions = false\n"),
        "a.kpi.yaml": "version: 1\n# kpilint: disable-file=S201\n",
    })
    diagnostics = check(project).json()["diagnostics"]
    assert [(d["code"], d["line"], d["column"], d["message"]) for d in diagnostics] == [
        ("X003", 2, 1, "suppression comment `disable-file=S201` is not allowed in this project"
         " (allow-suppressions = false): fix the finding instead")]


def test_add_suppressions_refused_when_suppressions_are_forbidden(project: Path) -> None:
    spec = "version: 1\nkpis:\n  - id: views\n    name: Page views\n"
    write_files(project, {
        "kpilint.toml": config("P301", extra="allow-suppressions = false\n"),
        "a.kpi.yaml": spec,
    })
    run = run_kpilint("check", "--add-suppressions", cwd=project)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        "kpilint: error: this project forbids suppression comments (allow-suppressions = false);"
        " fix the findings instead\n")
    assert (project / "a.kpi.yaml").read_text(encoding="utf-8") == spec


def test_require_reason_reports_x004_only_without_a_reason(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301", "S201", "X", extra="require-suppression-reason = true\n"),
        "a.kpi.yaml": """
            version: 1
            kpis:
              - id: views  # kpilint: disable=S201 -- target set next quarter
                name: Page views  # kpilint: disable=P301
              - id: followers  # kpilint: disable=S201 -- set next quarter
                # kpilint: disable=P301 -- brand benchmark
                name: Social media followers
            # kpilint: disable-file=S213
            """,
    })
    run = check(project, "--show-suppressed")
    diagnostics = run.json()["diagnostics"]
    assert [(d["code"], d["line"], d["column"]) for d in diagnostics] == [
        ("X004", 4, 23), ("X004", 8, 1)]
    assert diagnostics[0]["message"] == (
        "suppression `disable=P301` gives no reason: add one after ` -- `, e.g."
        " `# kpilint: disable=P301 -- benchmarking year`")
    assert {(d["name"], d["severity"]) for d in diagnostics} == {
        ("missing-suppression-reason", "warning")}
    # the comments without a reason still suppress
    assert len(run.json()["suppressed"]) == 4


def test_empty_reason_after_dashes_is_a_directive_without_reason(project: Path) -> None:
    # `disable=S201 --` with nothing after the dashes gives no reason: it still suppresses, and
    # it is X004 when reasons are required (today the whole comment is silently not a directive).
    write_files(project, {
        "kpilint.toml": config("S201", "X", extra="require-suppression-reason = true\n"),
        "a.kpi.yaml": "version: 1\nkpis:\n  - id: views  # kpilint: disable=S201 --\n"
                      "    name: Page views\n",
    })
    run = check(project, "--show-suppressed")
    assert codes_at(run) == [("X004", 3, 16)]
    assert [(d["code"], d["reason"]) for d in run.json()["suppressed"]] == [("S201", None)]


def test_without_require_reason_no_x004(project: Path) -> None:
    write_files(project, {
        "kpilint.toml": config("P301", "X"),
        "a.kpi.yaml": ("version: 1\nkpis:\n  - id: views\n"
                       "    name: Page views  # kpilint: disable=P301\n"),
    })
    assert check(project).findings() == []


# --- --add-suppressions -----------------------------------------------------------------------

BOM = b"\xef\xbb\xbf"


def round_trip_source(with_block_scalar: bool) -> bytes:
    lines = [
        "# Growth KPIs, kept with CRLF line endings",
        "version: 1",
        "kpis:",
        "  - {id: views, name: Page views, definition: Views of the pricing page per month.}"
        "  # web team",
        "  - id: dl",
        "    name: Total app",
        "      downloads",
        *(["    definition: |", "      Short."] if with_block_scalar else
          ["    definition: Short."]),
        "    supports: [nope, nada]",
        "  - id: ok",
        "    name: Lead to opportunity rate",
        "    definition: Too short",
    ]
    return BOM + "\r\n".join(lines).encode("utf-8")  # no final newline


def round_trip_expected(with_block_scalar: bool) -> bytes:
    lines = [
        "# Growth KPIs, kept with CRLF line endings",
        "version: 1",
        "kpis:",
        "  - {id: views, name: Page views, definition: Views of the pricing page per month.}"
        "  # web team  # kpilint: disable=P301",
        "  - id: dl",
        "    # kpilint: disable=P301",  # above: line 6 ends inside the plain scalar
        "    name: Total app",
        "      downloads",
        *(["    definition: |  # kpilint: disable=S204", "      Short."] if with_block_scalar
          else ["    definition: Short.  # kpilint: disable=S204"]),
        "    supports: [nope, nada]  # kpilint: disable=E005",
        "  - id: ok",
        "    name: Lead to opportunity rate",
        "    definition: Too short  # kpilint: disable=S204",
    ]
    return BOM + "\r\n".join(lines).encode("utf-8")


def round_trip_project(root: Path, with_block_scalar: bool) -> Path:
    write_files(root, {
        "kpilint.toml": config("P301", "S204", "E005"),
        "g.kpi.yaml": round_trip_source(with_block_scalar),
    })
    return root / "g.kpi.yaml"


def test_add_suppressions_writes_exact_bytes(project: Path) -> None:
    spec = round_trip_project(project, with_block_scalar=True)
    before = check(project)
    assert codes_at(before) == [("P301", 4, 23), ("P301", 6, 11), ("S204", 8, 17),
                                ("E005", 10, 16), ("E005", 10, 22), ("S204", 13, 17)]
    run = run_kpilint("check", "--add-suppressions", cwd=project)
    assert (run.code, run.stderr) == (0, "")
    assert run.stdout == "Added 5 suppression comments to 1 file.\n"
    assert spec.read_bytes() == round_trip_expected(with_block_scalar=True)


@pytest.mark.parametrize("with_block_scalar", [True, False], ids=["block-scalar", "plain"])
def test_add_suppressions_then_check_is_clean(project: Path, with_block_scalar: bool) -> None:
    round_trip_project(project, with_block_scalar)
    assert run_kpilint("check", "--add-suppressions", cwd=project).code == 0
    run = check(project, "--extend-select", "X001", "--show-suppressed")
    assert run.findings() == []
    assert run.code == 0
    shift = 1 if with_block_scalar else 0  # the block scalar's text takes one more line
    assert [(d["code"], d["line"]) for d in run.json()["suppressed"]] == [
        ("P301", 4), ("P301", 7), ("S204", 9), ("E005", 10 + shift), ("E005", 10 + shift),
        ("S204", 13 + shift)]


@pytest.mark.parametrize("with_block_scalar", [True, False], ids=["block-scalar", "plain"])
def test_add_suppressions_is_idempotent(project: Path, with_block_scalar: bool) -> None:
    spec = round_trip_project(project, with_block_scalar)
    run_kpilint("check", "--add-suppressions", cwd=project)
    once = spec.read_bytes()
    assert once == round_trip_expected(with_block_scalar)
    again = run_kpilint("check", "--add-suppressions", cwd=project)
    assert again.code == 0
    assert again.stdout == "Added 0 suppression comments to 0 files.\n"
    assert spec.read_bytes() == once


def test_add_suppressions_keeps_file_permissions(project: Path) -> None:
    spec = round_trip_project(project, with_block_scalar=False)
    os.chmod(spec, 0o640)
    assert run_kpilint("check", "--add-suppressions", cwd=project).code == 0
    assert spec.read_bytes() == round_trip_expected(with_block_scalar=False)
    assert stat.S_IMODE(spec.stat().st_mode) == 0o640
    # the atomic write leaves no temporary file behind
    assert sorted(path.name for path in project.iterdir()) == ["g.kpi.yaml", "kpilint.toml"]


def test_add_suppressions_above_multi_line_quoted_and_flow_scalars(project: Path) -> None:
    source = (
        "version: 1\n"
        "kpis:\n"
        "  - id: q\n"
        '    name: "Page\n'
        '      views"\n'
        "  - {id: f, name: Total\n"
        "      likes}\n"
        "  - id: v\n"
        "    name: App downloads  # kpilint: disable=S213 -- wording agreed\n"
    )
    expected = (
        "version: 1\n"
        "kpis:\n"
        "  - id: q\n"
        "    # kpilint: disable=P301\n"
        '    name: "Page\n'
        '      views"\n'
        "  # kpilint: disable=P301\n"
        "  - {id: f, name: Total\n"
        "      likes}\n"
        "  - id: v\n"
        "    name: App downloads  # kpilint: disable=S213,P301 -- wording agreed\n"
    )
    write_files(project, {"kpilint.toml": config("P301"), "a.kpi.yaml": source.encode()})
    assert codes_at(check(project)) == [("P301", 4, 11), ("P301", 6, 19), ("P301", 9, 11)]
    assert run_kpilint("check", "--add-suppressions", cwd=project).code == 0
    assert (project / "a.kpi.yaml").read_bytes() == expected.encode()
    after = check(project, "--show-suppressed")
    assert after.findings() == []
    assert [(d["line"], d["reason"]) for d in after.json()["suppressed"]] == [
        (5, None), (8, None), (11, "wording agreed")]
    assert run_kpilint("check", "--add-suppressions", cwd=project).code == 0
    assert (project / "a.kpi.yaml").read_bytes() == expected.encode()
