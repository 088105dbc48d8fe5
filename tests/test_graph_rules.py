"""The graph rules (E004, E005, G101-G108) through the real CLI, with their near misses."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_kpilint, write_files

KGI = """\
version: 1
kgis:
  - id: revenue
    name: Annual revenue
    deadline: 2027-03-31
ksfs:
  - id: nurture
    name: Strengthen lead nurturing
    supports: revenue
"""


def kpis(count: int, supports: str = "nurture", start: int = 1) -> str:
    return "".join(
        f"  - id: kpi-{index}\n    name: Metric {index}\n    supports: {supports}\n"
        for index in range(start, start + count))


def check(root: Path, *args: str) -> list[tuple[str, str, int, int]]:
    run = run_kpilint("check", "--output-format", "json", "--exit-zero", *args, cwd=root)
    assert run.code == 0, run.stderr
    return run.findings()


def codes(root: Path, code: str, *args: str) -> list[tuple[str, str, int, int]]:
    return [finding for finding in check(root, "--select", code, *args) if finding[1] == code]


def test_g101_fires_on_six_kpis_and_lists_them(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": KGI + "kpis:\n" + kpis(6)})
    run = run_kpilint("check", "--select", "G101", "--output-format", "json", cwd=project)
    assert run.code == 1
    [finding] = run.json()["diagnostics"]
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (
        3, 5, 3, 16)
    assert finding["message"].startswith("KGI 'revenue' has 6 KPIs; keep at most 5")
    assert finding["subject"] == "revenue"
    assert [related["message"] for related in finding["related"]] == [
        f"KPI 'kpi-{index}'" for index in range(1, 7)]
    assert [related["line"] for related in finding["related"]] == [11, 14, 17, 20, 23, 26]


def test_g101_exactly_five_is_fine(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": KGI + "kpis:\n" + kpis(5)})
    assert codes(project, "G101") == []


def test_g101_counts_a_kpi_reaching_by_two_paths_once(project: Path) -> None:
    both = "  - id: both\n    name: Both\n    supports: [nurture, revenue]\n"
    spec = KGI + "kpis:\n" + kpis(4) + both
    write_files(project, {"a.kpi.yaml": spec})
    assert codes(project, "G101") == []


def test_g101_option_max(project: Path) -> None:
    (project / "kpilint.toml").write_text(
        'today = "2026-11-23"\n[rules.too-many-kpis]\nmax = 2\n', encoding="utf-8")
    write_files(project, {"a.kpi.yaml": KGI + "kpis:\n" + kpis(3)})
    assert codes(project, "G101") == [("a.kpi.yaml", "G101", 3, 5)]


def test_g101_per_scope_reports_at_first_declaring_file(project: Path) -> None:
    (project / "kpilint.toml").write_text(
        'today = "2026-11-23"\n[rules.too-many-kpis]\nmax = 3\nper = ["kgi", "scope"]\n',
        encoding="utf-8")
    write_files(project, {
        "a.kpi.yaml": KGI.replace("version: 1\n", "version: 1\nscope: sales\n") + "kpis:\n"
        + kpis(2),
        "b.kpi.yaml": "version: 1\nscope: sales\nkpis:\n" + kpis(2, supports="revenue", start=3),
    })
    run = run_kpilint("check", "--select", "G101", "--output-format", "json", cwd=project)
    [scope_finding, kgi_finding] = run.json()["diagnostics"]
    assert (kgi_finding["path"], kgi_finding["line"]) == ("a.kpi.yaml", 4)
    assert (scope_finding["path"], scope_finding["line"], scope_finding["column"]) == (
        "a.kpi.yaml", 2, 8)
    assert scope_finding["subject"] is None
    assert scope_finding["message"] == "scope 'sales' has 4 KPIs; keep at most 3"


def test_g102_orphan_kpi_and_via_orphan_ksf(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": KGI + """\
  - id: loose-ksf
    name: A factor tied to nothing
kpis:
  - id: linked
    name: Linked
    supports: nurture
  - id: no-supports
    name: No supports
  - id: via-loose
    name: Via a loose KSF
    supports: loose-ksf
"""})
    assert codes(project, "G102") == [("a.kpi.yaml", "G102", 16, 5), ("a.kpi.yaml", "G102", 18, 5)]


def test_g103_and_g104(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": KGI + """\
  - id: idle
    name: A factor with no KPI
    supports: revenue
kgis:
""".replace("kgis:\n", "") + """\
kpis:
  - id: direct
    name: Direct to the goal
    supports: revenue
"""})
    assert codes(project, "G103") == []
    assert codes(project, "G104") == [("a.kpi.yaml", "G104", 7, 5), ("a.kpi.yaml", "G104", 10, 5)]
    write_files(project, {"a.kpi.yaml": KGI})
    assert codes(project, "G103") == [("a.kpi.yaml", "G103", 3, 5)]


def test_g106_multiple_primary(project: Path) -> None:
    spec = KGI + """\
kpis:
  - id: one
    name: One
    supports: nurture
    primary: true
  - id: two
    name: Two
    supports: revenue
    primary: true
"""
    write_files(project, {"a.kpi.yaml": spec})
    assert codes(project, "G106") == [("a.kpi.yaml", "G106", 3, 5)]
    write_files(project, {"a.kpi.yaml": spec.replace("primary: true\n", "primary: false\n", 1)})
    assert codes(project, "G106") == []


def test_g107_deadline_after_goal_compares_period_ends(project: Path) -> None:
    spec = KGI + """\
kpis:
  - id: late
    name: Late
    supports: nurture
    deadline: 2027-Q2
  - id: same-day
    name: Due with the goal
    supports: nurture
    deadline: 2027-03
"""
    write_files(project, {"a.kpi.yaml": spec})
    run = run_kpilint("check", "--select", "G107", "--output-format", "json", cwd=project)
    [finding] = run.json()["diagnostics"]
    assert (finding["line"], finding["column"], finding["field"]) == (14, 15, "deadline")
    assert "2027-06-30" in finding["message"] and "2027-03-31" in finding["message"]
    assert finding["related"][0]["line"] == 5


def test_g108_orphan_ksf(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": KGI + "  - id: floating\n    name: Floating\n"})
    assert codes(project, "G108") == [("a.kpi.yaml", "G108", 10, 5)]


def messages(root: Path, code: str) -> list[tuple[int, str]]:
    run = run_kpilint("check", "--select", code, "--output-format", "json", cwd=root)
    return [(d["line"], d["message"]) for d in run.json()["diagnostics"] if d["code"] == code]


def test_g108_after_a_broken_supports_points_at_the_reference(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": KGI + """\
  - id: typo
    name: Mistyped goal
    supports: revenu
  - id: wrong-kind
    name: Supports a KSF
    supports: [nurture]
  - id: invalid
    name: Supports a mapping
    supports: {id: revenue}
  - id: floating
    name: Floating
"""})
    broken = ("supports no KGI: none of its `supports` names an existing KGI; fix the reference"
              " (E005 says where)")
    assert messages(project, "G108") == [
        (10, f"KSF 'typo' {broken}"), (13, f"KSF 'wrong-kind' {broken}"),
        (16, "KSF 'invalid' supports no KGI: its `supports` is not an id or a list of ids; fix"
             " it (E002 says where)"),
        (19, "KSF 'floating' supports no KGI: add `supports:` with the id of the KGI this"
             " factor is key to")]
    assert [line for line, _ in messages(project, "E005")] == [12, 15]


def test_g102_names_the_ksfs_that_reach_no_kgi_and_not_wrong_kind_targets(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": """\
version: 1
ksfs:
  - id: adrift
    name: Adrift
kpis:
  - id: via-adrift
    name: Via a KSF with no goal
    supports: [adrift, missing]
  - id: via-kpi
    name: Supports a KPI
    supports: via-adrift
  - id: unlinked
    name: Unlinked
"""})
    assert messages(project, "G102") == [
        (6, "KPI 'via-adrift' does not reach any KGI: its `supports` (adrift) lead to no KGI;"
            " link those KSFs to a KGI or point the KPI at one"),
        (9, "KPI 'via-kpi' does not reach any KGI: none of its `supports` names an existing KSF"
            " or KGI; fix the reference (E005 says where)"),
        (12, "KPI 'unlinked' does not reach any KGI: add `supports:` with the id of the KSF or"
             " KGI it drives")]


def test_e004_duplicate_id_across_files(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": KGI, "b.kpi.yaml": "version: 1\nkpis:\n" + kpis(1)
                          + "  - id: revenue\n    name: Clash\n    supports: nurture\n"})
    run = run_kpilint("check", "--select", "E004", "--output-format", "json", cwd=project)
    [finding] = run.json()["diagnostics"]
    assert (finding["path"], finding["line"], finding["column"], finding["field"]) == (
        "b.kpi.yaml", 6, 9, "id")
    assert finding["related"] == [{"path": "a.kpi.yaml", "line": 3, "column": 9,
                                   "message": "KGI 'revenue' first defined here"}]


def test_e005_unknown_and_wrong_kind_references(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": KGI + """\
  - id: bad-ksf
    name: Supports a KPI
    supports: [revenue, ok]
kpis:
  - id: ok
    name: Fine
    supports: nurture
    paired_with: nurture
  - id: typo
    name: Typo
    supports:
      - nurtur
"""})
    run = run_kpilint("check", "--select", "E005", "--output-format", "json", cwd=project)
    found = run.json()["diagnostics"]
    assert [(d["line"], d["column"], d["field"], d["subject"]) for d in found] == [
        (12, 25, "supports[1]", "bad-ksf"), (17, 18, "paired_with", "ok"),
        (21, 9, "supports[0]", "typo")]
    assert "must name a KGI; 'ok' is a KPI" in found[0]["message"]
    assert "did you mean 'nurture'?" in found[2]["message"]
    assert found[2]["fix"] == {"message": "Replace with 'nurture'", "applicability": "safe",
                               "edits": [
        {"line": 21, "column": 9, "end_line": 21, "end_column": 15, "text": "nurture"}]}


def test_reference_into_unnamed_file_resolves(project: Path) -> None:
    write_files(project, {"company.kpi.yaml": KGI,
                          "team.kpi.yaml": "version: 1\nkpis:\n" + kpis(1)})
    assert check(project, "--select", "E005,G102", "team.kpi.yaml") == []


def test_sixth_kpi_in_named_file_reports_kgi_of_other_file(project: Path) -> None:
    write_files(project, {"company.kpi.yaml": KGI + "kpis:\n" + kpis(5),
                          "team.kpi.yaml": "version: 1\nkpis:\n" + kpis(1, start=6)})
    findings = check(project, "--select", "G101", "team.kpi.yaml")
    assert findings == [("company.kpi.yaml", "G101", 3, 5)]


def test_unnamed_files_own_findings_are_not_reported(project: Path) -> None:
    write_files(project, {"company.kpi.yaml": KGI + "  - id: floating\n    name: Floating\n",
                          "team.kpi.yaml": "version: 1\nkpis:\n" + kpis(1)})
    assert check(project, "--select", "E,G", "team.kpi.yaml") == []
    assert ("company.kpi.yaml", "G108", 10, 5) in check(project)
