"""The SMART and practice rules (S201-S213, P301-P305) and G105 through the real CLI.

Every rule has a positive case that pins code, position (line, column, and for field positions
the end), subject, field and the key part of the message, and the near misses that must stay
quiet. The specs are built from one clean KGI -> KSF -> KPI tree (checked clean with every rule
selected) by changing one field at a time, so each finding is caused by the change under test.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY, run_kpilint, write_files

Span = tuple[int, int, int, int]

KGI_FIELDS: dict[str, str] = {
    "name": "Annual recognised revenue",
    "definition": "Revenue recognised in the fiscal year across all products.",
    "unit": "JPY",
    "baseline": "80000000",
    "target": "100000000",
    "direction": "increase",
    "deadline": "2027-03-31",
    "owner": "cfo",
}

KPI_FIELDS: dict[str, str] = {
    "name": "MQL to SQL conversion rate",
    "definition": "Share of the month's MQLs that sales accepts as SQLs within 30 days.",
    "supports": "nurture",
    "indicator": "leading",
    "unit": "percent",
    "direction": "increase",
    "baseline": "18",
    "target": "24",
    "deadline": "2027-03-31",
    "cadence": "monthly",
    "owner": "marketing-ops",
    "source": 'Salesforce report "MQL to SQL"',
    "last_reviewed": "2026-11-02",
}

KSFS = """\
ksfs:
  - id: nurture
    name: Strengthen lead nurturing
    supports: revenue
"""

# With one KGI of the default shape, the first KPI's `- id:` is on this line.
FIRST_KPI_LINE = 17


def entity(entity_id: str, defaults: dict[str, str], overrides: dict[str, str | None]) -> str:
    """One list item: `- id:` then the fields in the defaults' order; None drops a field."""
    fields = {**defaults, **overrides}
    return f"  - id: {entity_id}\n" + "".join(
        f"    {key}: {value}\n" for key, value in fields.items() if value is not None)


def kgi(entity_id: str = "revenue", /, **overrides: str | None) -> str:
    return entity(entity_id, KGI_FIELDS, overrides)


def kpi(entity_id: str = "mql-rate", /, **overrides: str | None) -> str:
    return entity(entity_id, KPI_FIELDS, overrides)


def spec(*kpis: str, kgis: tuple[str, ...] | None = None) -> str:
    """A spec with the KGIs (default: one `revenue`), the `nurture` KSF and the KPIs."""
    text = "version: 1\nkgis:\n" + "".join(kgis if kgis is not None else (kgi(),)) + KSFS
    return text + ("kpis:\n" + "".join(kpis) if kpis else "")


def configure(root: Path, extra: str = "") -> None:
    (root / "kpilint.toml").write_text(f'today = "{TODAY}"\n{extra}', encoding="utf-8")


def diagnostics(root: Path, *args: str) -> list[dict[str, Any]]:
    run = run_kpilint("check", "--output-format", "json", "--exit-zero", *args, cwd=root)
    assert run.code == 0, run.stderr
    found: list[dict[str, Any]] = run.json()["diagnostics"]
    return found


def only(root: Path, code: str, *args: str) -> list[dict[str, Any]]:
    """The findings of one rule, with only that rule selected."""
    found = diagnostics(root, "--select", code, *args)
    assert {d["code"] for d in found} <= {code}
    return found


def lint(root: Path, text: str, code: str, *args: str) -> list[dict[str, Any]]:
    write_files(root, {"a.kpi.yaml": text})
    return only(root, code, *args)


def span(d: dict[str, Any]) -> Span:
    return (d["line"], d["column"], d["end_line"], d["end_column"])


def entity_span(text: str, entity_id: str) -> Span:
    """Where the entity's first key-value pair (`id: ...`) is."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() == f"- id: {entity_id}":
            return (number, line.index("id:") + 1, number, len(line) + 1)
    raise AssertionError(f"no entity {entity_id}")


def value_span(text: str, entity_id: str, key: str) -> Span:
    """Where the value of ``key`` of the entity is (one-line values without comments)."""
    lines = text.splitlines()
    start = entity_span(text, entity_id)[0]
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if number > start and line.lstrip().startswith("- "):
            break
        prefix = f"{key}: "
        if line.strip().startswith(prefix) or line.strip().startswith("- " + prefix):
            column = line.index(prefix) + len(prefix) + 1
            return (number, column, number, len(line) + 1)
    raise AssertionError(f"no {key} in {entity_id}")


def days_before_today(days: int) -> str:
    return (datetime.date.fromisoformat(TODAY) - datetime.timedelta(days=days)).isoformat()


# --- the baseline tree -----------------------------------------------------------------------


def test_base_tree_is_clean_with_every_rule(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": spec(kpi())})
    assert diagnostics(project, "--select", "ALL") == []


def test_position_helpers_agree_with_literal_positions() -> None:
    text = spec(kpi())
    assert entity_span(text, "mql-rate") == (FIRST_KPI_LINE, 5, FIRST_KPI_LINE, 17)
    assert value_span(text, "mql-rate", "target") == (25, 13, 25, 15)
    assert value_span(text, "revenue", "target") == (8, 13, 8, 22)


# --- S201 missing-target ---------------------------------------------------------------------


def test_s201_missing_target_at_entity(project: Path) -> None:
    text = spec(kpi(target=None))
    [d] = lint(project, text, "S201")
    assert span(d) == (17, 5, 17, 17) == entity_span(text, "mql-rate")
    assert (d["subject"], d["field"], d["severity"]) == ("mql-rate", None, "error")
    assert d["message"].startswith("KPI 'mql-rate' has no `target`")


def test_s201_empty_target_value_counts_as_missing(project: Path) -> None:
    assert len(lint(project, spec(kpi(target="")), "S201")) == 1
    assert len(lint(project, spec(kpi(target="~")), "S201")) == 1


def test_s201_at_first_key_when_id_is_not_first(project: Path) -> None:
    text = spec("  - name: Inbound demo requests\n    id: demos\n    supports: nurture\n")
    [d] = lint(project, text, "S201")
    assert span(d) == (17, 5, 17, 32)
    assert d["subject"] == "demos"


def test_s201_present_target_is_fine(project: Path) -> None:
    assert lint(project, spec(kpi()), "S201") == []


def test_s201_not_for_kgis(project: Path) -> None:
    assert lint(project, spec(kpi(), kgis=(kgi(target=None),)), "S201") == []


def test_invalid_target_is_e002_only_never_missing_a_second_time(project: Path) -> None:
    """SPEC section 2: an E002 field counts as absent but is not reported missing again."""
    text = spec(kpi(target='"lots"'))
    write_files(project, {"a.kpi.yaml": text})
    found = diagnostics(project, "--select", "E002,S201,S209,S210")
    assert [(d["code"], span(d), d["field"]) for d in found] == [
        ("E002", value_span(text, "mql-rate", "target"), "target")]
    assert span(found[0]) == (25, 13, 25, 19)


# --- S202 missing-deadline -------------------------------------------------------------------


def test_s202_missing_deadline_kpi_and_kgi(project: Path) -> None:
    text = spec(kpi(deadline=None), kgis=(kgi(deadline=None),))
    found = lint(project, text, "S202")
    assert [(span(d), d["subject"], d["field"]) for d in found] == [
        (entity_span(text, "revenue"), "revenue", None),
        (entity_span(text, "mql-rate"), "mql-rate", None)]
    assert found[0]["message"].startswith("KGI 'revenue' has no `deadline`")
    assert found[1]["message"].startswith("KPI 'mql-rate' has no `deadline`")
    assert found[1]["severity"] == "error"
    # the example deadline is the end of the quarter after today's
    assert "`deadline: 2027-03-31`" in found[1]["message"]


def test_s202_invalid_deadline_is_not_missing(project: Path) -> None:
    text = spec(kpi(deadline="next year"))
    write_files(project, {"a.kpi.yaml": text})
    found = diagnostics(project, "--select", "E002,S202,S211")
    assert [(d["code"], d["field"]) for d in found] == [("E002", "deadline")]


def test_s202_not_for_ksfs(project: Path) -> None:
    assert lint(project, spec(kpi()), "S202") == []


# --- S203 missing-baseline -------------------------------------------------------------------


def test_s203_missing_baseline_kpi_and_kgi(project: Path) -> None:
    text = spec(kpi(baseline=None), kgis=(kgi(baseline=None),))
    found = lint(project, text, "S203")
    assert [(span(d), d["subject"], d["severity"]) for d in found] == [
        (entity_span(text, "revenue"), "revenue", "warning"),
        (entity_span(text, "mql-rate"), "mql-rate", "warning")]
    assert found[1]["message"].startswith("KPI 'mql-rate' has no `baseline`")


def test_s203_baseline_mapping_counts(project: Path) -> None:
    text = spec(kpi(baseline="{value: 18, as_of: 2026-09-30}"))
    assert lint(project, text, "S203") == []


# --- S204 vague-definition -------------------------------------------------------------------


def test_s204_missing_definition_at_entity(project: Path) -> None:
    text = spec(kpi(definition=None), kgis=(kgi(definition=None),))
    found = lint(project, text, "S204")
    assert [(span(d), d["subject"], d["field"]) for d in found] == [
        (entity_span(text, "revenue"), "revenue", None),
        (entity_span(text, "mql-rate"), "mql-rate", None)]
    assert found[1]["message"].startswith("KPI 'mql-rate' has no `definition`")


def test_s204_empty_definition_counts_as_missing(project: Path) -> None:
    text = spec(kpi(definition=""))
    [d] = lint(project, text, "S204")
    assert (span(d), d["field"]) == (entity_span(text, "mql-rate"), None)


def test_s204_short_definition_at_definition(project: Path) -> None:
    text = spec(kpi(definition="SQLs / MQLs monthly"))  # 19 characters
    [d] = lint(project, text, "S204")
    assert span(d) == value_span(text, "mql-rate", "definition") == (19, 17, 19, 36)
    assert (d["subject"], d["field"], d["severity"]) == ("mql-rate", "definition", "warning")
    assert d["message"].startswith(
        "the definition of KPI 'mql-rate' is 19 characters, under the 20 needed")


def test_s204_exactly_min_length_is_fine_and_spaces_do_not_count(project: Path) -> None:
    assert lint(project, spec(kpi(definition="SQLs / MQLs, monthly")), "S204") == []
    padded = spec(kpi(definition='"   SQLs / MQLs monthly   "'))
    [d] = lint(project, padded, "S204")
    assert "is 19 characters" in d["message"]


def test_s204_min_length_option(project: Path) -> None:
    configure(project, "[rules.vague-definition]\nmin-length = 80\n")
    text = spec(kpi())
    found = lint(project, text, "S204")
    assert [(d["subject"], d["field"], span(d)) for d in found] == [
        ("revenue", "definition", value_span(text, "revenue", "definition")),
        ("mql-rate", "definition", value_span(text, "mql-rate", "definition"))]
    assert "is 68 characters, under the 80 needed" in found[1]["message"]
    configure(project, "[rules.vague-definition]\nmin-length = 5\n")
    assert lint(project, spec(kpi(definition="SQL/MQL monthly")), "S204") == []


def test_s204_invalid_definition_is_e002_only(project: Path) -> None:
    text = spec(kpi(definition="[SQLs, MQLs]"))
    write_files(project, {"a.kpi.yaml": text})
    found = diagnostics(project, "--select", "E002,S204")
    assert [(d["code"], d["field"]) for d in found] == [("E002", "definition")]


def test_s204_not_for_ksfs(project: Path) -> None:
    # the KSF of the base tree has no definition at all
    assert lint(project, spec(kpi()), "S204") == []


# --- S205 missing-unit -----------------------------------------------------------------------


def test_s205_missing_unit_kpi_only(project: Path) -> None:
    text = spec(kpi(unit=None))
    [d] = lint(project, text, "S205")
    assert (span(d), d["subject"], d["field"], d["severity"]) == (
        entity_span(text, "mql-rate"), "mql-rate", None, "warning")
    assert d["message"].startswith("KPI 'mql-rate' has no `unit`")
    assert lint(project, spec(kpi(), kgis=(kgi(unit=None),)), "S205") == []


def test_s205_invalid_unit_is_not_missing(project: Path) -> None:
    text = spec(kpi(unit="[percent]"))
    write_files(project, {"a.kpi.yaml": text})
    found = diagnostics(project, "--select", "E002,S205")
    assert [(d["code"], d["field"]) for d in found] == [("E002", "unit")]


# --- S206 missing-source, S207 missing-owner, S208 missing-cadence ---------------------------


def test_s206_missing_source_kpi_only(project: Path) -> None:
    text = spec(kpi(source=None))
    [d] = lint(project, text, "S206")
    assert (span(d), d["subject"], d["severity"]) == (
        entity_span(text, "mql-rate"), "mql-rate", "warning")
    assert d["message"].startswith("KPI 'mql-rate' has no `source`")
    # the base KGI has no source either, and is not reported
    assert lint(project, spec(kpi()), "S206") == []


def test_s207_missing_owner_kpi_and_kgi_not_ksf(project: Path) -> None:
    text = spec(kpi(owner=None), kgis=(kgi(owner=None),))
    found = lint(project, text, "S207")
    assert [(span(d), d["subject"]) for d in found] == [
        (entity_span(text, "revenue"), "revenue"), (entity_span(text, "mql-rate"), "mql-rate")]
    assert found[0]["message"].startswith("KGI 'revenue' has no `owner`")
    # the KSF of the base tree has no owner and is not reported
    assert lint(project, spec(kpi()), "S207") == []


def test_s208_missing_cadence_kpi_only(project: Path) -> None:
    text = spec(kpi(cadence=None))
    [d] = lint(project, text, "S208")
    assert (span(d), d["subject"], d["severity"]) == (
        entity_span(text, "mql-rate"), "mql-rate", "warning")
    assert d["message"].startswith("KPI 'mql-rate' has no `cadence`")
    assert lint(project, spec(kpi()), "S208") == []


# --- S209 target-direction-mismatch ----------------------------------------------------------


@pytest.mark.parametrize("direction,baseline,target", [
    ("increase", "18", "18"), ("increase", "18", "12"), ("decrease", "18", "18"),
    ("decrease", "18", "20"), ("maintain", "18", "19")])
def test_s209_fires_at_target(project: Path, direction: str, baseline: str,
                              target: str) -> None:
    text = spec(kpi(direction=direction, baseline=baseline, target=target))
    [d] = lint(project, text, "S209")
    assert span(d) == value_span(text, "mql-rate", "target")
    assert (d["subject"], d["field"], d["severity"]) == ("mql-rate", "target", "error")
    relation = {"increase": "above", "decrease": "below", "maintain": "equal to"}[direction]
    assert d["message"].startswith(
        f"KPI 'mql-rate' has `direction: {direction}` but its target {target} is not"
        f" {relation} its baseline {baseline}")


@pytest.mark.parametrize("direction,baseline,target", [
    ("increase", "18", "24"), ("decrease", "18", "12"), ("maintain", "18", "18"),
    ("maintain", "18", "18.0"), ("increase", "{value: 18, as_of: 2026-09-30}", "24")])
def test_s209_near_misses(project: Path, direction: str, baseline: str, target: str) -> None:
    assert lint(project, spec(kpi(direction=direction, baseline=baseline, target=target)),
                "S209") == []


def test_s209_uses_baseline_mapping_value_and_checks_kgis(project: Path) -> None:
    text = spec(kpi(baseline="{value: 30, as_of: 2026-09-30}"),
                kgis=(kgi(direction="decrease"),))
    found = lint(project, text, "S209")
    assert [(span(d), d["subject"]) for d in found] == [
        (value_span(text, "revenue", "target"), "revenue"),
        (value_span(text, "mql-rate", "target"), "mql-rate")]
    assert "its target 100,000,000 is not below its baseline 80,000,000" in found[0]["message"]


def test_s209_skipped_without_direction_or_baseline(project: Path) -> None:
    assert lint(project, spec(kpi(direction=None, target="1")), "S209") == []
    assert lint(project, spec(kpi(baseline=None, target="1")), "S209") == []


def test_s209_target_through_alias_is_located_at_its_anchor(project: Path) -> None:
    text = spec(kpi(baseline="&level 18", target="*level"))
    [d] = lint(project, text, "S209")
    line, column, _, _ = value_span(text, "mql-rate", "baseline")
    assert span(d) == (line, column, line, column + len("&level 18"))


# --- S210 unrealistic-target -----------------------------------------------------------------


def test_s210_fires_past_one_hundred_percent(project: Path) -> None:
    text = spec(kpi(baseline="100", target="201"))
    [d] = lint(project, text, "S210")
    assert span(d) == value_span(text, "mql-rate", "target") == (25, 13, 25, 16)
    assert (d["subject"], d["field"], d["severity"]) == ("mql-rate", "target", "warning")
    assert d["message"].startswith(
        "the target of KPI 'mql-rate' (201) is +101% from its baseline 100, more than the 100%")


def test_s210_exactly_one_hundred_percent_is_fine(project: Path) -> None:
    assert lint(project, spec(kpi(baseline="100", target="200")), "S210") == []
    assert lint(project, spec(kpi(baseline="100", target="0", direction="decrease")),
                "S210") == []


def test_s210_baseline_zero_is_skipped(project: Path) -> None:
    assert lint(project, spec(kpi(baseline="0", target="1000")), "S210") == []


def test_s210_negative_baseline_uses_its_magnitude(project: Path) -> None:
    [d] = lint(project, spec(kpi(baseline="-10", target="15")), "S210")
    assert "is +250% from its baseline -10" in d["message"]


def test_s210_decrease_beyond_zero_and_kgi(project: Path) -> None:
    text = spec(kpi(baseline="100", target="-1", direction="decrease"),
                kgis=(kgi(baseline="40000000"),))
    found = lint(project, text, "S210")
    assert [(d["subject"], d["field"]) for d in found] == [
        ("revenue", "target"), ("mql-rate", "target")]
    assert "is +150% from its baseline 40,000,000" in found[0]["message"]
    assert "is -101% from its baseline 100" in found[1]["message"]


def test_s210_max_change_option(project: Path) -> None:
    configure(project, "[rules.unrealistic-target]\nmax-change = 0.5\n")
    assert lint(project, spec(kpi(baseline="100", target="150")), "S210") == []
    [d] = lint(project, spec(kpi(baseline="100", target="151")), "S210")
    assert "is +51% from its baseline 100, more than the 50%" in d["message"]
    configure(project, "[rules.unrealistic-target]\nmax-change = 2.0\n")
    assert lint(project, spec(kpi(baseline="100", target="300")), "S210") == []


# --- S211 expired-deadline -------------------------------------------------------------------


@pytest.mark.parametrize("deadline,end", [
    ("2026-Q3", "2026-09-30"), ("2026-10", "2026-10-31"), ("2026-11-22", "2026-11-22")])
def test_s211_expired(project: Path, deadline: str, end: str) -> None:
    text = spec(kpi(deadline=deadline))
    [d] = lint(project, text, "S211")
    assert span(d) == value_span(text, "mql-rate", "deadline")
    assert (d["subject"], d["field"], d["severity"]) == ("mql-rate", "deadline", "warning")
    assert d["message"].startswith(
        f"the deadline of KPI 'mql-rate' ({end}) has passed (today is {TODAY})")


@pytest.mark.parametrize("deadline", ["2026-Q4", "2026-11", "2026-11-23", "2027-03-31"])
def test_s211_not_expired(project: Path, deadline: str) -> None:
    assert lint(project, spec(kpi(deadline=deadline)), "S211") == []


def test_s211_kgi_deadline(project: Path) -> None:
    text = spec(kpi(), kgis=(kgi(deadline="2026-06-30"),))
    [d] = lint(project, text, "S211")
    assert (span(d), d["subject"]) == (value_span(text, "revenue", "deadline"), "revenue")


def test_s211_today_option_overrides_config(project: Path) -> None:
    text = spec(kpi(deadline="2026-Q4"))
    assert lint(project, text, "S211") == []
    [d] = lint(project, text, "S211", "--today", "2027-01-01")
    assert "(2026-12-31) has passed (today is 2027-01-01)" in d["message"]
    assert lint(project, spec(kpi(deadline="2026-Q3")), "S211", "--today", "2026-09-30") == []


# --- S212 unquantified-kgi -------------------------------------------------------------------


def test_s212_replaces_s201_and_s205_for_kgis(project: Path) -> None:
    text = spec(kpi(), kgis=(kgi(target=None, unit=None),))
    write_files(project, {"a.kpi.yaml": text})
    found = diagnostics(project, "--select", "S201,S205,S212")
    assert [(d["code"], span(d), d["subject"], d["field"]) for d in found] == [
        ("S212", entity_span(text, "revenue"), "revenue", None)]
    assert found[0]["severity"] == "error"
    assert found[0]["message"].startswith("KGI 'revenue' has no `target` and no `unit`")


@pytest.mark.parametrize("missing", ["target", "unit"])
def test_s212_one_field_missing(project: Path, missing: str) -> None:
    text = spec(kpi(), kgis=(kgi(**{missing: None}),))
    [d] = lint(project, text, "S212")
    assert d["message"].startswith(f"KGI 'revenue' has no `{missing}`:")


def test_s212_invalid_target_is_e002_only(project: Path) -> None:
    text = spec(kpi(), kgis=(kgi(target='"100M"'),))
    write_files(project, {"a.kpi.yaml": text})
    found = diagnostics(project, "--select", "E002,S201,S212")
    assert [(d["code"], span(d)) for d in found] == [
        ("E002", value_span(text, "revenue", "target"))]


def test_s212_quantified_kgi_is_fine(project: Path) -> None:
    assert lint(project, spec(kpi()), "S212") == []


# --- S213 vague-name -------------------------------------------------------------------------


def test_s213_improve_retention(project: Path) -> None:
    text = spec(kpi(name="Improve retention"))
    [d] = lint(project, text, "S213")
    assert span(d) == value_span(text, "mql-rate", "name") == (18, 11, 18, 28)
    assert (d["subject"], d["field"], d["severity"]) == ("mql-rate", "name", "warning")
    assert d["message"] == (
        "the name of KPI 'mql-rate' starts with 'improve', a wish rather than a metric: name the"
        " quantity and how it is counted, e.g. 'Monthly logo churn rate' instead of 'Improve"
        " retention'")


def test_s213_improvement_as_a_noun_is_part_of_a_metric(project: Path) -> None:
    # "improve" is a verb of rules/lexicons/vague-words.yaml; the noun inside a name is no wish
    assert lint(project, spec(kpi(name="Improvement backlog size")), "S213") == []


@pytest.mark.parametrize("name,wording", [
    ("Boosting demo show-ups", "starts with 'boosting'"),
    ("World-class support response", "says 'world class'"),
    ("Best-in-class uptime", "says 'best in class'"),
    ("MAXIMIZE pipeline", "starts with 'maximize'"),
    ("Close deals ASAP", "says 'asap'")])
def test_s213_words_case_hyphens_longest(project: Path, name: str, wording: str) -> None:
    [d] = lint(project, spec(kpi(name=name)), "S213")
    assert f"KPI 'mql-rate' {wording}, a wish" in d["message"]


@pytest.mark.parametrize("name", [
    "Monthly logo churn rate", "Betterment fund contributions", "Gross revenue retention",
    "Improver programme attendance"])
def test_s213_near_misses(project: Path, name: str) -> None:
    assert lint(project, spec(kpi(name=name)), "S213") == []


def test_s213_kgi_yes_ksf_no(project: Path) -> None:
    text = spec(kpi(), kgis=(kgi(name="Boost annual revenue"),)).replace(
        "Strengthen lead nurturing", "Improve lead nurturing")
    found = lint(project, text, "S213")
    assert [(d["subject"], span(d)) for d in found] == [
        ("revenue", value_span(text, "revenue", "name"))]


def test_s213_extend_terms(project: Path) -> None:
    text = spec(kpi(name="Supercharged demo show-up rate"))
    assert lint(project, text, "S213") == []
    configure(project, '[rules.vague-name]\nextend-terms = ["supercharged", "step up"]\n')
    [d] = lint(project, text, "S213")
    assert "says 'supercharged'" in d["message"]
    [d] = lint(project, spec(kpi(name="Steps up in demo show-ups")), "S213")
    assert "says 'step up'" in d["message"]


# --- P301 vanity-metric ----------------------------------------------------------------------


def test_p301_social_media_followers(project: Path) -> None:
    text = spec(kpi(name="Social Media Followers"))
    [d] = lint(project, text, "P301")
    assert span(d) == value_span(text, "mql-rate", "name") == (18, 11, 18, 33)
    assert (d["subject"], d["field"], d["severity"]) == ("mql-rate", "name", "warning")
    assert d["message"] == (
        "KPI 'mql-rate' tracks followers, a vanity metric: it can rise while the goal does not"
        " move; track engagement rate per post (interactions / reach) instead")


@pytest.mark.parametrize("name,term", [
    ("follower count", "followers"), ("Total page views", "page views"),
    ("YouTube video views", "video views"), ("App downloads", "downloads"),
    ("Registered users", "registered users"), ("Post likes", "likes")])
def test_p301_vanity_names(project: Path, name: str, term: str) -> None:
    [d] = lint(project, spec(kpi(name=name)), "P301")
    assert f"tracks {term}, a vanity metric" in d["message"]


@pytest.mark.parametrize("name", [
    "Follower engagement rate", "Followers per post", "Followers to customers %",
    "Page view to sign-up conversion", "Share of downloads that activate",
    "Marketing qualified leads per month"])
def test_p301_rates_and_ratios_are_not_vanity(project: Path, name: str) -> None:
    assert lint(project, spec(kpi(name=name)), "P301") == []


def test_p301_kpis_only(project: Path) -> None:
    text = spec(kpi(), kgis=(kgi(name="Social media followers"),))
    assert lint(project, text, "P301") == []


def test_p301_columns_count_code_points(project: Path) -> None:
    name = "Followers 📈 of the brand"
    text = spec(kpi(name=name))
    [d] = lint(project, text, "P301")
    assert span(d) == (18, 11, 18, 11 + len(name))


def test_p301_flow_style_entity(project: Path) -> None:
    text = spec("  - {id: fans, name: Facebook fans, supports: nurture}\n")
    [d] = lint(project, text, "P301")
    assert span(d) == (17, 22, 17, 35)
    assert d["subject"] == "fans"


def test_p301_extend_terms(project: Path) -> None:
    text = spec(kpi(name="Community member count"))
    assert lint(project, text, "P301") == []
    configure(project, '[rules.vanity-metric]\nextend-terms = ["member count"]\n')
    [d] = lint(project, text, "P301")
    assert d["message"] == (
        "KPI 'mql-rate' tracks member count, a vanity metric: it can rise while the goal does"
        " not move; track a rate or ratio that shows progress toward the goal instead")
    # the user's terms follow the same rules: plurals match, rates never do
    assert len(lint(project, spec(kpi(name="Member counts")), "P301")) == 1
    assert lint(project, spec(kpi(name="Member count per event")), "P301") == []


@pytest.mark.parametrize("rule,key", [
    ("vanity-metric", "extend-terms"), ("vague-name", "extend-terms"),
    ("lagging-only", "extend-leading"), ("slow-leading-cadence", "extend-lagging"),
    ("undeclared-indicator", "extend-leading")])
def test_extend_options_are_validated(project: Path, rule: str, key: str) -> None:
    configure(project, f'[rules.{rule}]\n{key} = "member count"\n')
    write_files(project, {"a.kpi.yaml": spec(kpi())})
    run = run_kpilint("check", cwd=project)
    assert run.code == 2
    assert run.stdout == ""
    [line] = run.stderr.strip().splitlines()
    assert "kpilint.toml" in line and f"rules.{rule}.{key}" in line
    assert "Traceback" not in run.stderr


def test_extend_terms_items_must_be_non_empty_strings(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": spec(kpi())})
    for value in ("[1]", '[""]'):
        configure(project, f"[rules.vanity-metric]\nextend-terms = {value}\n")
        run = run_kpilint("check", cwd=project)
        assert run.code == 2
        [line] = run.stderr.strip().splitlines()
        assert "rules.vanity-metric.extend-terms" in line


# --- P302 unpaired-volume --------------------------------------------------------------------


def test_p302_unpaired_count_with_a_sibling_rate(project: Path) -> None:
    text = spec(kpi("leads", name="Marketing qualified leads per month", unit="count",
                    baseline="150", target="200"),
                kpi())
    [d] = lint(project, text, "P302")
    assert span(d) == entity_span(text, "leads") == (17, 5, 17, 14)
    assert (d["subject"], d["field"], d["severity"]) == ("leads", None, "warning")
    assert d["message"].startswith(
        "KPI 'leads' counts volume (`unit: count`) with no quality KPI paired with it")
    assert d["message"].endswith("e.g. `paired_with: mql-rate`")
    assert [(r["path"], r["line"], r["column"], r["message"]) for r in d["related"]] == [
        ("a.kpi.yaml", 31, 5, "KPI 'mql-rate' could pair with it")]


def test_p302_without_a_sibling_rate_gives_a_generic_hint(project: Path) -> None:
    [d] = lint(project, spec(kpi(unit="count")), "P302")
    assert d["message"].endswith("(a conversion, error or quality rate of the same work)")
    assert d["related"] == []


@pytest.mark.parametrize(("direction", "pressure"), [
    ("increase", "pushed up"), ("decrease", "pushed down"), (None, "made to look good"),
    ("maintain", "made to look good")])
def test_p302_wording_follows_direction(project: Path, direction: str | None,
                                        pressure: str) -> None:
    [d] = lint(project, spec(kpi("tickets", name="Support tickets closed", unit="count",
                                 direction=direction, baseline="150", target="150")), "P302")
    assert d["message"] == (
        "KPI 'tickets' counts volume (`unit: count`) with no quality KPI paired with it: a count"
        f" alone can be {pressure} at the expense of quality; add `paired_with:` naming the KPI"
        " that keeps it honest (a conversion, error or quality rate of the same work)")


def partners(project: Path, text: str) -> tuple[str, list[str]]:
    """The example P302 gives for KPI 'leads' (the message's tail), and its related KPIs."""
    [d] = [d for d in lint(project, text, "P302") if d["subject"] == "leads"]
    return d["message"].rpartition("honest")[2], [r["message"] for r in d["related"]]


LEADS = kpi("leads", name="Marketing qualified leads", unit="count", baseline="150",
            target="200")
NO_EXAMPLE = " (a conversion, error or quality rate of the same work)"


def test_p302_suggests_a_rate_by_name_when_the_unit_does_not_say(project: Path) -> None:
    text = spec(LEADS, kpi("calls", name="Discovery calls held", unit="count", baseline="9",
                           target="12"),
                kpi("spend", name="Nurture spend share", unit="JPY"),
                kpi("no-show", name="Demo no-show rate", unit=None),
                kpi("nps", name="Lead NPS", unit="score"))
    assert partners(project, text) == (", e.g. `paired_with: no-show`", [
        "KPI 'no-show' could pair with it", "KPI 'nps' could pair with it"])


@pytest.mark.parametrize("name", ["MQL to SQL %", "Lead acceptance ratios", "商談化率",
                                  "Share of accepted leads"])
def test_p302_rate_words_in_free_units(project: Path, name: str) -> None:
    text = spec(LEADS, kpi("accepted", name=name, unit="leads"))
    assert partners(project, text) == (", e.g. `paired_with: accepted`",
                                       ["KPI 'accepted' could pair with it"])


def test_p302_no_example_from_another_goal_or_from_counts(project: Path) -> None:
    other_goal = kgi("churn", name="Annual customer churn", unit="percent", baseline="8",
                     target="6", direction="decrease")
    text = spec(LEADS, kpi("error-count", name="Lead routing error rate", unit="count"),
                kpi("churn-rate", name="Monthly churn rate", supports="churn"),
                kgis=(kgi(), other_goal))
    assert partners(project, text) == (NO_EXAMPLE, [])


def test_p302_prefers_a_rate_of_its_own_ksf_then_of_its_goal(project: Path) -> None:
    win_rate = kpi("win-rate", name="Win rate", supports="revenue")
    text = spec(LEADS, win_rate)
    assert partners(project, text) == (", e.g. `paired_with: win-rate`",
                                       ["KPI 'win-rate' could pair with it"])
    text = spec(LEADS, win_rate, kpi("sql-rate", name="MQL to SQL rate"))
    assert partners(project, text) == (", e.g. `paired_with: sql-rate`",
                                       ["KPI 'sql-rate' could pair with it"])


def test_p302_prefers_a_rate_not_paired_yet(project: Path) -> None:
    text = spec(LEADS, kpi("demos", name="Demos held", unit="count", baseline="9", target="12",
                           paired_with="demo-rate"),
                kpi("demo-rate", name="Demo to opportunity rate"),
                kpi("sql-rate", name="MQL to SQL rate"))
    assert partners(project, text) == (", e.g. `paired_with: sql-rate`", [
        "KPI 'sql-rate' could pair with it", "KPI 'demo-rate' could pair with it"])


def test_p302_paired_both_ways(project: Path) -> None:
    text = spec(kpi("leads", unit="count", baseline="150", target="200",
                    paired_with="mql-rate"),
                kpi("demos", unit="count", baseline="10", target="12"),
                kpi(paired_with="demos"))
    assert lint(project, text, "P302") == []


def test_p302_pairing_is_symmetric_across_files(project: Path) -> None:
    team = "version: 1\nkpis:\n" + kpi("win-rate", name="Win rate", paired_with="[leads]")
    write_files(project, {
        "company.kpi.yaml": spec(kpi("leads", unit="count", baseline="150", target="200")),
        "team.kpi.yaml": team})
    assert only(project, "P302") == []
    assert only(project, "P302", "company.kpi.yaml") == []


def test_p302_unit_percent_ratio_score_never(project: Path) -> None:
    for unit in ("percent", "ratio", "score", "JPY", "hours"):
        assert lint(project, spec(kpi(unit=unit)), "P302") == [], unit


def test_p302_unknown_partner_is_e005_not_p302(project: Path) -> None:
    text = spec(kpi(unit="count", paired_with="mql-rat"))
    write_files(project, {"a.kpi.yaml": text})
    found = diagnostics(project, "--select", "E005,P302")
    assert [(d["code"], d["field"], span(d)) for d in found] == [
        ("E005", "paired_with", value_span(text, "mql-rate", "paired_with"))]


def test_p302_empty_paired_with_list_is_unpaired(project: Path) -> None:
    assert len(lint(project, spec(kpi(unit="count", paired_with="[]")), "P302")) == 1


def test_p302_invalid_paired_with_is_not_reported_missing(project: Path) -> None:
    """SPEC section 2: an E002 `paired_with` counts as absent but is not reported again."""
    text = spec(kpi(unit="count", paired_with="{kpi: mql-rate}"))
    write_files(project, {"a.kpi.yaml": text})
    found = diagnostics(project, "--select", "E002,P302")
    assert [(d["code"], d["field"]) for d in found] == [("E002", "paired_with")]


# --- P303 stale-review -----------------------------------------------------------------------


def test_p303_stale_after_183_days(project: Path) -> None:
    reviewed = days_before_today(184)
    assert reviewed == "2026-05-23"
    text = spec(kpi(last_reviewed=reviewed))
    [d] = lint(project, text, "P303")
    assert span(d) == value_span(text, "mql-rate", "last_reviewed") == (30, 20, 30, 30)
    assert (d["subject"], d["field"], d["severity"]) == ("mql-rate", "last_reviewed", "warning")
    assert d["message"].startswith(
        "KPI 'mql-rate' was last reviewed 184 days ago (2026-05-23, more than 183)")


def test_p303_exactly_183_days_is_fine(project: Path) -> None:
    assert lint(project, spec(kpi(last_reviewed=days_before_today(183))), "P303") == []
    assert lint(project, spec(kpi(last_reviewed=None)), "P303") == []


def test_p303_max_age_days_option_and_kgi(project: Path) -> None:
    configure(project, "[rules.stale-review]\nmax-age-days = 30\n")
    text = spec(kpi(last_reviewed=days_before_today(30)),
                kgis=(kgi(last_reviewed=days_before_today(31)),))
    [d] = lint(project, text, "P303")
    assert (d["subject"], span(d)) == ("revenue", value_span(text, "revenue", "last_reviewed"))
    assert d["message"].startswith("KGI 'revenue' was last reviewed 31 days ago")
    assert "more than 30" in d["message"]


def test_p303_today_option(project: Path) -> None:
    text = spec(kpi(last_reviewed="2026-11-02"))
    assert lint(project, text, "P303") == []
    [d] = lint(project, text, "P303", "--today", "2027-06-01")
    assert "211 days ago" in d["message"]


# --- P304 slow-leading-cadence ---------------------------------------------------------------


@pytest.mark.parametrize("cadence,how", [
    ("quarterly", "quarterly"), ("semiannual", "twice a year"), ("annual", "once a year")])
def test_p304_declared_leading_reviewed_rarely(project: Path, cadence: str, how: str) -> None:
    text = spec(kpi(cadence=cadence))
    [d] = lint(project, text, "P304")
    assert span(d) == value_span(text, "mql-rate", "cadence")
    assert (d["subject"], d["field"], d["severity"]) == ("mql-rate", "cadence", "warning")
    assert d["message"].startswith(f"KPI 'mql-rate' is leading but is reviewed only {how}")
    assert "use `cadence: monthly` or more often" in d["message"]


def test_p304_inferred_leading(project: Path) -> None:
    text = spec(kpi(name="Demo requests per week", indicator=None, cadence="quarterly"))
    [d] = lint(project, text, "P304")
    assert d["message"].startswith("KPI 'mql-rate' looks leading but is reviewed only quarterly")


@pytest.mark.parametrize("cadence", ["daily", "weekly", "biweekly", "monthly"])
def test_p304_monthly_or_faster_is_fine(project: Path, cadence: str) -> None:
    assert lint(project, spec(kpi(cadence=cadence)), "P304") == []


@pytest.mark.parametrize("fields", [
    {"indicator": "lagging"}, {"name": "Win rate", "indicator": None},
    {"name": "Partner referrals", "indicator": None}, {"cadence": None}])
def test_p304_not_for_lagging_or_unknown(project: Path, fields: dict[str, str | None]) -> None:
    overrides: dict[str, str | None] = {"cadence": "annual", **fields}
    assert lint(project, spec(kpi(**overrides)), "P304") == []


def test_p304_declared_indicator_wins_over_name(project: Path) -> None:
    # "Win rate" reads lagging, but the declaration says leading
    assert len(lint(project, spec(kpi(name="Win rate", cadence="annual")), "P304")) == 1


def test_p304_extend_leading_and_lagging(project: Path) -> None:
    text = spec(kpi(name="Partner referrals", indicator=None, cadence="quarterly"))
    assert lint(project, text, "P304") == []
    configure(project, '[rules.slow-leading-cadence]\nextend-leading = ["partner referrals"]\n')
    assert len(lint(project, text, "P304")) == 1
    configure(project, '[rules.slow-leading-cadence]\nextend-lagging = ["demo requests"]\n')
    text = spec(kpi(name="Demo requests", indicator=None, cadence="quarterly"))
    assert lint(project, text, "P304") == []


# --- P305 undeclared-indicator ---------------------------------------------------------------


def test_p305_gives_the_lexicons_guess(project: Path) -> None:
    text = spec(kpi(name="Marketing qualified leads per month", indicator=None))
    [d] = lint(project, text, "P305")
    assert span(d) == entity_span(text, "mql-rate")
    assert (d["subject"], d["field"], d["severity"]) == ("mql-rate", None, "info")
    assert d["message"] == (
        "KPI 'mql-rate' does not declare `indicator`: its name ('marketing qualified leads')"
        " suggests `indicator: leading`")


def test_p305_lagging_guess_and_generic_hint(project: Path) -> None:
    [d] = lint(project, spec(kpi(name="Net revenue retention", indicator=None)), "P305")
    assert d["message"].endswith(
        "its name ('net revenue retention') suggests `indicator: lagging`")
    [d] = lint(project, spec(kpi(name="Partner referrals", indicator=None)), "P305")
    assert d["message"] == (
        "KPI 'mql-rate' does not declare `indicator`: add `indicator: leading` (it moves first)"
        " or `indicator: lagging` (it confirms the outcome)")


def test_p305_no_guess_for_a_name_that_only_holds_an_indicator_word(project: Path) -> None:
    """"pipeline" leads, but a "CI pipeline" (a `neither` phrase of the lexicon) is no
    indicator: the message gives the generic hint, not a guess."""
    [d] = lint(project, spec(kpi(name="CI pipeline duration", indicator=None)), "P305")
    assert d["message"] == (
        "KPI 'mql-rate' does not declare `indicator`: add `indicator: leading` (it moves first)"
        " or `indicator: lagging` (it confirms the outcome)")


def test_p305_is_info_and_does_not_fail_the_run(project: Path) -> None:
    write_files(project, {"a.kpi.yaml": spec(kpi(indicator=None))})
    run = run_kpilint("check", "--select", "P305", cwd=project)
    assert run.code == 0
    assert "P305 [info]" in run.stdout
    assert run_kpilint("check", "--select", "P305", "--fail-on", "info", cwd=project).code == 1


def test_p305_declared_or_invalid_indicator_is_quiet(project: Path) -> None:
    assert lint(project, spec(kpi()), "P305") == []
    text = spec(kpi(indicator="sideways"))
    write_files(project, {"a.kpi.yaml": text})
    found = diagnostics(project, "--select", "E002,P305")
    assert [(d["code"], d["field"]) for d in found] == [("E002", "indicator")]


def test_p305_extend_lagging_wins_ties_with_the_builtin_lexicon(project: Path) -> None:
    configure(project, '[rules.undeclared-indicator]\nextend-lagging = ["pipeline"]\n')
    [d] = lint(project, spec(kpi(name="Sales pipeline", indicator=None)), "P305")
    assert d["message"].endswith("its name ('pipeline') suggests `indicator: lagging`")


def test_p305_kpis_only(project: Path) -> None:
    # neither the KGI nor the KSF of the base tree declares an indicator
    assert lint(project, spec(kpi()), "P305") == []


# --- G105 lagging-only -----------------------------------------------------------------------


def test_g105_all_known_indicators_lagging(project: Path) -> None:
    text = spec(kpi("win-rate", name="Win rate", indicator="lagging"),
                kpi("nrr", name="Net revenue retention", indicator=None, supports="revenue"),
                kpi("referrals", name="Partner referrals", indicator=None))
    [d] = lint(project, text, "G105")
    assert span(d) == entity_span(text, "revenue") == (3, 5, 3, 16)
    assert (d["subject"], d["field"], d["severity"]) == ("revenue", None, "warning")
    assert d["message"].startswith(
        "every KPI of KGI 'revenue' with a known indicator is lagging (2)")
    assert [(r["line"], r["message"]) for r in d["related"]] == [
        (entity_span(text, "win-rate")[0], "KPI 'win-rate'"),
        (entity_span(text, "nrr")[0], "KPI 'nrr'")]


@pytest.mark.parametrize("extra", [
    {"indicator": "leading"},
    {"name": "Demo requests per week", "indicator": None},
    {"name": "Revenue", "indicator": "leading"}])
def test_g105_one_leading_kpi_is_enough(project: Path, extra: dict[str, str | None]) -> None:
    text = spec(kpi("win-rate", name="Win rate", indicator="lagging"), kpi(**extra))
    assert lint(project, text, "G105") == []


def test_g105_needs_a_known_indicator(project: Path) -> None:
    text = spec(kpi("referrals", name="Partner referrals", indicator=None),
                kpi("events", name="Community events held", indicator=None))
    assert lint(project, text, "G105") == []
    assert lint(project, spec(), "G105") == []


def test_g105_declared_lagging_wins_over_a_leading_name(project: Path) -> None:
    [d] = lint(project, spec(kpi(name="Sales pipeline", indicator="lagging")), "G105")
    assert d["subject"] == "revenue"


def test_g105_counts_kpis_in_other_files(project: Path) -> None:
    team = "version: 1\nkpis:\n" + kpi("demos", name="Demos booked", indicator=None)
    write_files(project, {
        "company.kpi.yaml": spec(kpi("win-rate", name="Win rate", indicator="lagging")),
        "team.kpi.yaml": team})
    assert only(project, "G105") == []


def test_g105_per_kgi(project: Path) -> None:
    text = spec(kpi("win-rate", name="Win rate", indicator="lagging"),
                kpi("demos", name="Demos booked", indicator=None, supports="margin"),
                kgis=(kgi(), kgi("margin", name="Gross margin rate", unit="percent",
                                 baseline="60", target="62")))
    [d] = lint(project, text, "G105")
    assert d["subject"] == "revenue"


def test_g105_extend_leading_and_lagging(project: Path) -> None:
    text = spec(kpi("win-rate", name="Win rate", indicator="lagging"),
                kpi(name="Partner referrals", indicator=None))
    assert len(lint(project, text, "G105")) == 1
    configure(project, '[rules.lagging-only]\nextend-leading = ["partner referrals"]\n')
    assert lint(project, text, "G105") == []
    configure(project, '[rules.lagging-only]\nextend-lagging = ["partner referrals"]\n')
    only_referrals = spec(kpi(name="Partner referrals", indicator=None))
    [d] = lint(project, only_referrals, "G105")
    assert d["message"].startswith("every KPI of KGI 'revenue' with a known indicator is lagging")
    # the option belongs to its rule: in the same run, P305 still has no guess for the name
    found = diagnostics(project, "--select", "G105,P305")
    assert [d["code"] for d in found] == ["G105", "P305"]
    assert "add `indicator: leading`" in found[1]["message"]
