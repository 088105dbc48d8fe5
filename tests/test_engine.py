"""The incremental engine: after any change, a re-check equals a fresh check of the same files."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kpilint.build import SpecFile, build_spec_file
from kpilint.config import Config, load_config
from kpilint.diagnostics import Diagnostic
from kpilint.engine import Linter
from kpilint.graph import ProjectGraph
from kpilint.load import Limits, parse_bytes
from kpilint.project import ProjectPlan, project_files
from kpilint.rule import Context, Scope
from tests.conftest import REPO

TODAY = datetime.date(2026, 11, 23)

Edit = Callable[[Path], None]


def example_project(tmp_path: Path) -> Path:
    """A copy of examples/bad (without its nested project and any cache a run left there)."""
    root = tmp_path / "bad"
    shutil.copytree(REPO / "examples" / "bad", root,
                    ignore=shutil.ignore_patterns("finance", ".kpilint_cache"))
    return root


def _linter(root: Path) -> Linter:
    config = load_config(root / "kpilint.toml")
    linter = Linter(root, config, Context(today=TODAY))
    for path in project_files(ProjectPlan(root, config), force_exclude=False):
        linter.load(path, path.relative_to(root).as_posix())
    return linter


def _shown(diagnostics: list[Diagnostic]) -> list[tuple[object, ...]]:
    return [(d.location.path, d.location.span, d.code, d.message, d.subject, d.field,
             d.related, d.fix, d.fingerprint, d.project_path) for d in diagnostics]


def _replace(relative: str, old: str, new: str) -> Edit:
    def edit(root: Path) -> None:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def _remove(relative: str) -> Edit:
    def edit(root: Path) -> None:
        (root / relative).unlink()
    return edit


def _copy(source: str, target: str) -> Edit:
    def edit(root: Path) -> None:
        shutil.copyfile(root / source, root / target)
    return edit


EDITS: dict[str, Edit] = {
    "cut a supports link": _replace("sales.kpi.yaml", "supports: upsell-existing-customers",
                                    "supports: nowhere-yet"),
    "turn a rate into a count": _replace("sales.kpi.yaml", "unit: percent", "unit: count"),
    "drop a pairing": _replace("sales.kpi.yaml", "paired_with: expansion-win-rate",
                               "owner: someone"),
    "rename an entity others name": _replace("sales.kpi.yaml", "id: expansion-win-rate",
                                             "id: expansion-wins"),
    "remove a file": _remove("marketing.kpi.yaml"),
    "define every id twice": _copy("sales.kpi.yaml", "a-first.kpi.yaml"),
    "break the YAML": _replace("support.kpi.yaml", "kpis:", "kpis: [\n"),
    "change a target only": _replace("sales.kpi.yaml", "target: 18", "target: 19"),
    "declare an indicator lagging": _replace("sales.kpi.yaml", "indicator: leading",
                                             "indicator: lagging"),
    "move a deadline past the goal": _replace("sales.kpi.yaml", "deadline: 2027-03-31",
                                              "deadline: 2031-12-31"),
    "rename a KPI": _replace("sales.kpi.yaml", "name: Expansion opportunities opened per month",
                             "name: Page views of the pricing page"),
    "mark a KPI primary": _replace("sales.kpi.yaml", "indicator: leading",
                                   "indicator: leading\n    primary: true"),
    "copy a definition": _replace(
        "sales.kpi.yaml", "Closed-won expansion opportunities over all closed ones in the quarter,"
        " in percent.", "Upsell and cross-sell opportunities opened on existing accounts in the"
        " month."),
}


@pytest.mark.parametrize("names", [
    ["cut a supports link"], ["turn a rate into a count"], ["drop a pairing"],
    ["rename an entity others name"], ["remove a file"], ["define every id twice"],
    ["break the YAML"], ["change a target only"], ["copy a definition"],
    ["declare an indicator lagging"], ["move a deadline past the goal"], ["rename a KPI"],
    ["mark a KPI primary"], list(EDITS),
])
def test_a_recheck_after_changes_equals_a_fresh_check(tmp_path: Path, names: list[str]) -> None:
    root = example_project(tmp_path)
    linter = _linter(root)
    before = linter.check().diagnostics
    assert before
    for name in names:
        known = set(linter.files)
        EDITS[name](root)
        now = set(project_files(ProjectPlan(root, linter.config), force_exclude=False))
        for path in known - now:
            linter.forget(path)
        for path in now:
            text = path.read_bytes()
            if path not in known or linter.files[path].spec.text.encode() != text:
                linter.update(path, path.relative_to(root).as_posix(), text)
        incremental = linter.check()
        fresh = _linter(root).check()
        assert _shown(incremental.diagnostics) == _shown(fresh.diagnostics), name
        assert _shown([pair[0] for pair in incremental.suppressed]) == _shown(
            [pair[0] for pair in fresh.suppressed])
    assert _shown(linter.check().diagnostics) == _shown(fresh.diagnostics)


def test_a_change_reruns_rules_only_where_it_reaches(tmp_path: Path) -> None:
    root = example_project(tmp_path)
    linter = _linter(root)
    linter.check()
    assert linter.graph is not None
    kgis = {record.id for record in linter.graph.kgis}
    path = root / "sales.kpi.yaml"
    linter.update(path, "sales.kpi.yaml", path.read_bytes().replace(b"unit: percent",
                                                                    b"unit: count", 1))
    change = linter.graph.replace_file(path.parts, linter.files[path].spec)
    defined = {record.id for record in linter.files[path].spec.entities}
    assert change.ids == defined
    assert change.goals < kgis  # only the goals the file's entities reach
    assert change.entities < set(linter.graph.entities)


def test_rules_declare_their_scope() -> None:
    from kpilint.registry import all_rules
    from kpilint.rule import ProjectRule

    scopes = {rule.code: rule.scope for rule in all_rules() if issubclass(rule, ProjectRule)}
    assert {code for code, scope in scopes.items() if scope is Scope.PROJECT} == {
        "E004", "E005", "P302", "S214"}
    assert {code for code, scope in scopes.items() if scope is Scope.GOAL} == {
        "G101", "G103", "G105", "G106", "T402", "T403", "T404"}
    assert {code for code, scope in scopes.items() if scope is Scope.ENTITY} == {
        "G102", "G104", "G107", "G108"}
    per_scope = Config()
    per_scope.rule_options["G101"] = {"per": ["kgi", "scope"]}
    from kpilint.registry import lookup

    g101 = lookup("G101")
    assert g101 is not None
    assert per_scope.make_rule(g101).effective_scope is Scope.PROJECT  # type: ignore[attr-defined]


@pytest.mark.parametrize(("old", "new", "change"), [
    ("target: 18", "target: 19", (False, {"target"})),
    ("Upsell and cross-sell", "Upsell and cross sell", (False, {"definition"})),
    ("supports: upsell-existing-customers", "supports: elsewhere", (True, {"supports"})),
    ("  - id: expansion-win-rate\n", "\n  - id: expansion-win-rate\n", (True, set())),
])
def test_a_change_says_whether_it_moved_anything_and_which_fields_it_edited(
        old: str, new: str, change: tuple[bool, set[str]]) -> None:
    text = (REPO / "examples" / "bad" / "sales.kpi.yaml").read_text(encoding="utf-8")
    assert old in text

    def spec(content: str) -> SpecFile:
        return build_spec_file("sales.kpi.yaml", parse_bytes(content.encode(), Limits()))

    graph = ProjectGraph()
    graph.load_all([(("sales",), spec(text))])
    found = graph.replace_file(("sales",), spec(text.replace(old, new, 1)))
    assert (found.structural, found.fields) == change


def test_reach_composed_through_a_ksf_follows_an_edit_of_that_ksf() -> None:
    def spec(path: str, content: str) -> SpecFile:
        return build_spec_file(path, parse_bytes(content.encode(), Limits()))

    goals = spec("goals.kpi.yaml", (
        "version: 1\nkgis:\n  - id: revenue\n    name: Revenue\n  - id: margin\n"
        "    name: Margin\nksfs:\n  - id: upsell\n    name: Upsell\n    supports: revenue\n"))
    kpis = spec("kpis.kpi.yaml", (
        "version: 1\nkpis:\n  - id: deals\n    name: Deals won\n    supports: [upsell, margin]\n"))
    graph = ProjectGraph()
    graph.load_all([(("goals",), goals), (("kpis",), kpis)])

    def reached(entity_id: str) -> list[str]:
        return [record.id for record in graph.kgis_reached[entity_id]]

    assert (reached("deals"), reached("upsell")) == (["revenue", "margin"], ["revenue"])
    graph.replace_file(("goals",), spec("goals.kpi.yaml", goals.text.replace(
        "supports: revenue", "supports: margin")))
    assert (reached("deals"), reached("upsell")) == (["margin"], ["margin"])
    graph.replace_file(("goals",), None)
    assert (reached("deals"), graph.kgis_reached.ids("upsell")) == ([], [])
