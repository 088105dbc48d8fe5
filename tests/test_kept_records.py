"""The JSON writer copies unchanged files' records from the kept report (``KeptRecords``).

Each cached run after random edits (which file, findings that appear or go) must print what an
uncached run prints, exit code and stderr included, under the options that shape the report:
``--show-suppressed``, ``--fail-on``, a baseline, a subset of the project named. A kept report
that is damaged, or whose pieces do not fit, makes the writer write the records itself.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpilint import cli
from kpilint.report import json_format
from tests.test_engine import example_project

CACHE = ".kpilint_cache"
EDITS = [  # (file, one text, the other): each edit swaps them
    ("forecast.kpi.yaml", "target: 100000000", "target: 100000001"),
    ("forecast.kpi.yaml", "formula: 12 * agent-hours", "formula: 12 * agent-hour"),
    ("forecast.kpi.yaml", "name: Inbound new-business revenue", "name: Inbound revenue"),
    ("sales.kpi.yaml", "supports: upsell-existing-customers", "supports: nowhere-yet"),
    ("company.kpi.yaml", "target: 100000000", "target: 7"),
    ("marketing.kpi.yaml", "\n", "\n# a comment\n"),
]
OPTIONS = [[], ["--show-suppressed"], ["--fail-on", "info"], ["--fail-on", "error"],
           ["--baseline", "baseline.json"]]
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


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the records the JSON writer writes itself (not copied)."""
    calls: list[int] = []
    real = json_format._fields

    def counting(diagnostic: json_format.Diagnostic) -> str:
        calls.append(1)
        return real(diagnostic)

    monkeypatch.setattr(json_format, "_fields", counting)
    return calls


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_copied_records_are_those_an_uncached_run_writes(
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
    for _ in range(data.draw(st.integers(1, 3))):
        for path, one, other in data.draw(st.lists(st.sampled_from(EDITS), min_size=1,
                                                   max_size=2)):
            _swap(root / path, one, other)
        cached = _run(root, named, options, capsys)
        assert cached == _run(root, named, options, capsys, "--no-cache")


def test_an_edit_writes_only_the_records_of_the_files_it_changed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], written: list[int]) -> None:
    root = example_project(tmp_path)
    cold = _run(root, ["bad"], [], capsys)
    total = len(written)
    assert total == len(json.loads(cold[1])["diagnostics"]) > 20
    for value in ("100000001", "100000002"):  # the first builds on a state written whole
        _swap(root / "forecast.kpi.yaml", "target: 100000000", f"target: {value}")
        written.clear()
        cached = _run(root, ["bad"], [], capsys)
        assert cached == _run(root, ["bad"], [], capsys, "--no-cache")
        forecast = [each for each in json.loads(cached[1])["diagnostics"]
                    if each["path"] == "bad/forecast.kpi.yaml"]
        assert 0 < len(written) - total == len(forecast)  # the uncached run wrote them all
        _swap(root / "forecast.kpi.yaml", f"target: {value}", "target: 100000000")
        assert _run(root, ["bad"], [], capsys) == cold


def _rewrite_pieces(kept: Path, pieces: object) -> None:
    """Give the kept report other pieces, under a checksum that fits them."""
    _, header, text = kept.read_bytes().split(b"\n", 2)
    fields = json.loads(header)
    fields["pieces"] = pieces
    payload = json.dumps(fields).encode() + b"\n" + text
    kept.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)


@pytest.mark.parametrize("damage", [
    "truncate", "garble", "no pieces", "pieces of another base", "places out of the text",
    "places not numbers", "files not a mapping", "not UTF-8"])
def test_a_damaged_kept_report_makes_the_writer_write_every_record(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], written: list[int],
        damage: str) -> None:
    root = example_project(tmp_path)
    _run(root, ["bad"], [], capsys)
    (kept,) = sorted(root.joinpath(CACHE).glob("*/reports/*"))
    data = kept.read_bytes()
    pieces = json.loads(data.split(b"\n", 2)[1])["pieces"]
    paths = list(pieces["files"])
    if damage == "truncate":
        kept.write_bytes(data[:len(data) // 2])
    elif damage == "garble":
        kept.write_bytes(data.replace(b'"code"', b'"cOde"', 1))
    elif damage == "no pieces":
        _rewrite_pieces(kept, None)
    elif damage == "pieces of another base":
        _rewrite_pieces(kept, {**pieces, "base": "0" * 64})
    elif damage == "places out of the text":
        _rewrite_pieces(kept, {**pieces, "files": {path: [0, 10**9] for path in paths}})
    elif damage == "places not numbers":
        _rewrite_pieces(kept, {**pieces, "files": {path: ["0", 1.5] for path in paths}})
    elif damage == "files not a mapping":
        _rewrite_pieces(kept, {**pieces, "files": paths})
    else:
        _, header, text = data.split(b"\n", 2)
        payload = header + b"\n" + text.replace(b'"code"', b'"\xff\xfe"', 1)
        kept.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    _swap(root / "forecast.kpi.yaml", "target: 100000000", "target: 100000001")
    written.clear()
    cached = _run(root, ["bad"], [], capsys)
    assert cached == _run(root, ["bad"], [], capsys, "--no-cache")
    assert len(written) == 2 * len(json.loads(cached[1])["diagnostics"])
