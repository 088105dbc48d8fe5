"""Findings a restored state keeps as stored (``run_state.KeptFindings``).

A run restored from the cache decodes only the findings its change reaches; the JSON writer
writes the others from the state's data. Each cached run after random edits (which file,
findings that appear or go) must print what an uncached run prints, exit code and stderr
included, under the options that shape the report: ``--show-suppressed``, ``--fail-on``, a
baseline, a subset of the project named, other output formats.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpilint import cache, cli, run_state
from kpilint.cache import checksum_line
from kpilint.diagnostics import Diagnostic
from kpilint.report import RenderOptions, RunResult, json_format
from tests.test_engine import example_project

CACHE = ".kpilint_cache"
EDITS = [  # (file, one text, the other): each edit swaps them
    ("forecast.kpi.yaml", "target: 100000000", "target: 100000001"),
    ("forecast.kpi.yaml", "formula: 12 * agent-hours", "formula: 12 * agent-hour"),
    ("forecast.kpi.yaml", "name: Inbound new-business revenue", "name: Inbound revenue"),
    ("sales.kpi.yaml", "supports: upsell-existing-customers", "supports: nowhere-yet"),
    ("company.kpi.yaml", "target: 100000000", "target: 7"),
    ("marketing.kpi.yaml", "\n", "\n# a comment\n"),
    ("marketing.kpi.yaml", "\n", "\n# kpilint: disable-file=E002\n"),
]
OPTIONS = [[], ["--show-suppressed"], ["--fail-on", "info"], ["--fail-on", "error"],
           ["--baseline", "baseline.json"], ["--statistics"], ["--output-format", "text"],
           ["--output-format", "sarif"]]
NAMED = [["bad"], ["bad/forecast.kpi.yaml", "bad/sales.kpi.yaml"], ["bad/finance"]]


def _run(root: Path, named: list[str], options: list[str], capsys: pytest.CaptureFixture[str],
         *extra: str) -> tuple[int, str, str]:
    """``kpilint check`` in this process, from the project's parent."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root.parent)
        patch.delenv("GITHUB_ACTIONS", raising=False)
        code = cli.main(["check", *named, "--jobs", "1", "--output-format", "json", *options,
                         *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _swap(path: Path, one: str, other: str) -> None:
    text = path.read_text(encoding="utf-8")
    old, new = (one, other) if one in text else (other, one)
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_cached_runs_print_what_uncached_runs_print(
        tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str],
        data: st.DataObject) -> None:
    root = example_project(tmp_path_factory.mktemp("kept"))
    options = data.draw(st.sampled_from(OPTIONS))
    named = data.draw(st.sampled_from(NAMED))
    if "--baseline" in options:
        baseline = root.parent / "baseline.json"
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(root.parent)
            assert cli.main(["baseline", str(baseline), root.name, "--no-cache"]) == 0
        capsys.readouterr()
        options = ["--baseline", str(baseline)]
    with pytest.MonkeyPatch.context() as patch:
        if data.draw(st.booleans()):  # the state's and the report's deltas too (this
            patch.setattr(run_state, "DELTA_SHARE", 1)  # project's are too large)
            patch.setattr(cache, "DELTA_SHARE", 1)
        _run(root, named, options, capsys)  # the cache, written whole
        for _ in range(data.draw(st.integers(1, 3))):
            for path, one, other in data.draw(st.lists(st.sampled_from(EDITS), min_size=1,
                                                       max_size=2)):
                _swap(root / path, one, other)
            cached = _run(root, named, options, capsys)
            assert cached == _run(root, named, options, capsys, "--no-cache")


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths whose kept findings were made objects."""
    paths: list[str] = []
    real = run_state.KeptPart.result

    def counting(part: run_state.KeptPart) -> object:
        if part.decoded is None:
            paths.append(part.path)
        return real(part)

    monkeypatch.setattr(run_state.KeptPart, "result", counting)
    return paths


def test_an_edit_decodes_only_the_findings_it_reaches(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], decoded: list[str]) -> None:
    root = example_project(tmp_path)
    cold = _run(root, ["bad"], [], capsys)
    assert cold == _run(root, ["bad"], [], capsys, "--no-cache")
    paths = {each["path"] for each in json.loads(cold[1])["diagnostics"]}
    assert len(paths) >= 5
    _swap(root / "forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    decoded.clear()
    cached = _run(root, ["bad"], [], capsys)
    assert cached == _run(root, ["bad"], [], capsys, "--no-cache")
    assert "bad/forecast.kpi.yaml" in decoded  # composed again (the uncached run decodes none)
    assert "bad/support.kpi.yaml" not in decoded and len(set(decoded)) < len(paths)
    decoded.clear()
    _swap(root / "forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    assert _run(root, ["bad"], ["--output-format", "text"], capsys) == _run(
        root, ["bad"], ["--output-format", "text"], capsys, "--no-cache")
    assert set(decoded) >= paths - {"bad/forecast.kpi.yaml"}  # a plain renderer reads all


def test_a_kept_part_answers_counts_and_order_from_its_data() -> None:
    def finding(code: str, severity: int, line: int, subject: str | None) -> list[object]:
        return [code, "name", severity, "message", "a.kpi.yaml", [line, 5, line, 9], "", subject,
                None, [], None, "f", "a.kpi.yaml"]

    active = [finding("S214", 2, 3, "x"), finding("S214", 2, 3, "x"), finding("P301", 1, 4, "y")]
    part = run_state._kept_part("a.kpi.yaml", [active, []])
    assert (part.count(1), part.count(2), part.count(3), part.worst()) == (1, 2, 0, 2)
    assert not part.regrouped() and part.suppressed == 0
    assert json.loads(part.raw) == [active, []]
    active[1][7] = "z"  # same place and code, another subject: grouped by key
    other = run_state._kept_part("a.kpi.yaml", [active, [[active[2], []]]])
    assert other.regrouped() and other.suppressed == 1 and other.token != part.token
    assert run_state._kept_part("b.kpi.yaml", [[], []]).worst() == 0


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the records the JSON writer writes itself (not copied)."""
    paths: list[str] = []
    fields = json_format._fields

    def counting(diagnostic: Diagnostic) -> str:
        paths.append(diagnostic.location.path)
        return fields(diagnostic)

    monkeypatch.setattr(json_format, "_fields", counting)  # also what _stored_fields writes
    return paths


def test_an_edit_writes_only_the_records_of_the_files_it_changed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], written: list[str]) -> None:
    root = example_project(tmp_path)
    cold = _run(root, ["bad"], [], capsys)
    reported = [each["path"] for each in json.loads(cold[1])["diagnostics"]]
    assert written == reported and len(reported) > 20
    for value in ("100000001", "100000002", "100000000"):
        _swap(root / "forecast.kpi.yaml", "target: 100000000", f"target: {value}")
        written.clear()
        cached = _run(root, ["bad"], [], capsys)
        assert set(written) == {"bad/forecast.kpi.yaml"}  # the others are copied
        assert cached == _run(root, ["bad"], [], capsys, "--no-cache")
        _swap(root / "forecast.kpi.yaml", f"target: {value}", "target: 100000000")


def test_records_after_text_that_is_not_ascii_are_copied_where_they_stand(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], written: list[str]) -> None:
    root = example_project(tmp_path)
    support = (root / "support.kpi.yaml").read_text(encoding="utf-8")
    (root / "aé-ü.kpi.yaml").write_text(support, encoding="utf-8")  # its ids twice: E004
    cold = _run(root, ["bad"], [], capsys)
    paths = [each["path"] for each in json.loads(cold[1])["diagnostics"]]
    assert paths[0] == "bad/aé-ü.kpi.yaml" and "bad/forecast.kpi.yaml" in paths  # (sorted)
    _swap(root / "forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    written.clear()
    laid: list[int] = []
    real = json_format.render_utf8

    def counting(result: RunResult, options: RenderOptions) -> list[bytes | memoryview]:
        parts = real(result, options)
        laid.append(len(parts))
        return parts

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_format, "render_utf8", counting)
        cached = _run(root, ["bad"], [], capsys)
    assert set(written) == {"bad/forecast.kpi.yaml"}  # copied at their places in UTF-8:
    assert laid == [5]  # the text before, the records before its as one span, its records
    # written, the records after as one span, the text after
    assert cached == _run(root, ["bad"], [], capsys, "--no-cache")


def test_findings_kept_per_file_stay_on_their_files_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_state, "DELTA_SHARE", 1)  # a delta while smaller than its base
    root = example_project(tmp_path)
    _run(root, ["bad"], [], capsys)
    for step, edit in enumerate((EDITS[0], EDITS[3], EDITS[0], EDITS[3])):  # a target; a link
        _swap(root / edit[0], edit[1], edit[2])  # (S214 runs again)
        assert _run(root, ["bad"], [], capsys) == _run(root, ["bad"], [], capsys, "--no-cache")
        (delta,) = root.joinpath(CACHE).glob("*/state-delta.json")
        _, _, _, first, *lines = delta.read_bytes().split(b"\n")
        header = json.loads(first)
        assert header["rules"].index("S214") in header["per_file"]
        assert not [unit for units in header["units"] for unit in units if unit.startswith("\0")]
        if step == 0:  # the only line the delta holds: the edited file's
            assert [json.loads(line.split(b"\t")[0])[1] for line in lines] == [
                "bad/forecast.kpi.yaml"]


def _rewrite_pieces(kept: Path, pieces: object) -> None:
    """Give the kept report other pieces, under a checksum that fits them."""
    _, header, _, text = kept.read_bytes().split(b"\n", 3)
    payload = header + b"\n" + json.dumps(pieces).encode() + b"\n" + text
    kept.write_bytes(checksum_line(kept, payload) + b"\n" + payload)


@pytest.mark.parametrize("damage", [
    "truncate", "garble", "no pieces", "pieces not JSON", "other tokens", "places out of the text",
    "places not numbers", "places not lists", "not a mapping", "not UTF-8"])
def test_a_damaged_kept_report_makes_the_writer_write_every_record(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], written: list[str],
        damage: str) -> None:
    root = example_project(tmp_path)
    _run(root, ["bad"], [], capsys)
    (kept,) = sorted(root.joinpath(CACHE).glob("*/reports/*"))
    data = kept.read_bytes()
    pieces = json.loads(data.split(b"\n", 3)[2])
    assert len(pieces) >= 5
    if damage == "truncate":
        kept.write_bytes(data[:len(data) // 2])
    elif damage == "garble":
        kept.write_bytes(data.replace(b'"code"', b'"cOde"', 1))
    elif damage == "no pieces":
        _rewrite_pieces(kept, None)
    elif damage == "pieces not JSON":
        _, header, _, text = data.split(b"\n", 3)
        payload = header + b"\n{\n" + text
        kept.write_bytes(checksum_line(kept, payload) + b"\n" + payload)
    elif damage == "other tokens":
        _rewrite_pieces(kept, {path: [*place[:2], "0" * 16] for path, place in pieces.items()})
    elif damage == "places out of the text":
        _rewrite_pieces(kept, {path: [0, 10**9, place[2]] for path, place in pieces.items()})
    elif damage == "places not numbers":
        _rewrite_pieces(kept, {path: ["0", 1.5, place[2]] for path, place in pieces.items()})
    elif damage == "places not lists":
        _rewrite_pieces(kept, {path: place[2] for path, place in pieces.items()})
    elif damage == "not a mapping":
        _rewrite_pieces(kept, list(pieces))
    else:
        _, header, places, text = data.split(b"\n", 3)
        payload = header + b"\n" + places + b"\n" + text.replace(b'"code"', b'"\xff\xfe"', 1)
        kept.write_bytes(checksum_line(kept, payload) + b"\n" + payload)
    _swap(root / "forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    written.clear()
    cached = _run(root, ["bad"], [], capsys)
    assert cached == _run(root, ["bad"], [], capsys, "--no-cache")
    assert len(written) == 2 * len(json.loads(cached[1])["diagnostics"])


def test_a_kept_report_without_its_pieces_line_is_a_miss(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = example_project(tmp_path)
    first = _run(root, ["bad"], [], capsys)
    (kept,) = sorted(root.joinpath(CACHE).glob("*/reports/*"))
    _, header, _, text = kept.read_bytes().split(b"\n", 3)
    fields = json.loads(header)
    del fields["pieces"]  # as a report with no pieces line says: its text follows its header
    payload = json.dumps(fields).encode() + b"\n" + text
    kept.write_bytes(checksum_line(kept, payload) + b"\n" + payload)
    assert _run(root, ["bad"], [], capsys) == first == _run(root, ["bad"], [], capsys,
                                                            "--no-cache")


@pytest.fixture
def rules_taken(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The paths of each rule kept whole that was made objects."""
    taken: list[set[str]] = []
    real = run_state.KeptFindings.take_rules

    def spying(kept: run_state.KeptFindings, path: str | None = None,
               index: int | None = None) -> list[tuple[int, dict[str, list[Diagnostic]]]]:
        found = real(kept, path, index)
        taken.extend({each.location.path for diagnostics in units.values()
                      for each in diagnostics} for _, units in found)
        return found

    monkeypatch.setattr(run_state.KeptFindings, "take_rules", spying)
    return taken


def test_an_edit_leaves_the_rules_it_does_not_reach_stored(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], rules_taken: list[set[str]]) -> None:
    root = example_project(tmp_path)
    _run(root, ["bad"], [], capsys)
    _swap(root / "forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    rules_taken.clear()
    assert _run(root, ["bad"], [], capsys) == _run(root, ["bad"], [], capsys, "--no-cache")
    assert {"bad/forecast.kpi.yaml"} in rules_taken  # its file composed again: T402-T404
    assert {"bad/company.kpi.yaml"} not in rules_taken  # G101, G103... stay stored
    for path, reached in [("company.kpi.yaml", True), ("forecast.kpi.yaml", False)]:
        _swap(root / path, "target: 100000000", "target: 100000001")  # from the state last
        rules_taken.clear()  # written (with rules kept whole, then with none)
        assert _run(root, ["bad"], [], capsys) == _run(root, ["bad"], [], capsys, "--no-cache")
        assert ({"bad/company.kpi.yaml"} in rules_taken) is reached
