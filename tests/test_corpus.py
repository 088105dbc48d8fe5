"""Every labelled row of the KPI name corpus (tests/corpus/) gets exactly its labelled verdicts.

The rows run through the real engine, as ``benchmarks/corpus_accuracy.py`` runs them (that script
prints precision and recall; this test pins each row and rule on its own).
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, benchmark_module

corpus = benchmark_module("corpus_accuracy")
ROWS = corpus.load_corpus()


@functools.cache
def verdicts() -> dict[str, Any]:
    found: dict[str, Any] = corpus.run_corpus(ROWS)
    return found


RULE_CASES = [(row, code) for row in ROWS for code in corpus.RULES]
INDICATOR_CASES = [row for row in ROWS if row.indicator is not None]


def test_corpus_is_large_enough_and_well_formed() -> None:
    indicators = [row for row in ROWS if row.kind in ("kpi", "kgi")]
    assert len(indicators) >= 400
    assert sum(row.language == "ja" for row in indicators) >= 100
    assert {row.kind for row in ROWS} == {"kpi", "kgi", "ksf"}
    assert all((row.indicator in corpus.CLASSES) == (row.kind == "kpi") for row in ROWS)
    assert all(row.unit is None for row in ROWS if row.kind == "ksf")


@pytest.mark.parametrize(("row", "code"), RULE_CASES,
                         ids=[f"{row.id}-{code}" for row, code in RULE_CASES])
def test_rule_verdict(row: Any, code: str) -> None:
    fired = verdicts()[row.id].fired
    expected = code in row.fires
    assert (code in fired) == expected, (
        f"{code} should {'' if expected else 'not '}fire on {row.name!r}"
        f" (definition {row.definition!r}, unit {row.unit!r}); fired: {sorted(fired)}")


@pytest.mark.parametrize("row", INDICATOR_CASES, ids=[row.id for row in INDICATOR_CASES])
def test_indicator_guess(row: Any) -> None:
    guessed = verdicts()[row.id].indicator
    assert guessed == row.indicator, f"{row.name!r}: guessed {guessed}"


def test_scores_count_true_and_false_positives_and_misses() -> None:
    counts = corpus.score([(True, True), (True, False), (False, True), (False, False),
                           (True, True)])
    assert (counts.true_positives, counts.false_positives, counts.false_negatives) == (2, 1, 1)
    assert (counts.precision, counts.recall) == (2 / 3, 2 / 3)
    nothing = corpus.score([(False, False)])
    assert (nothing.precision, nothing.recall) == (None, None)


def test_unknown_rule_in_a_label_is_refused(tmp_path: Path) -> None:
    (tmp_path / "xx.yaml").write_text(
        "language: xx\nrows:\n- {kind: kpi, name: Leads, fires: [P399], indicator: none}\n",
        encoding="utf-8")
    with pytest.raises(ValueError, match=r"xx.yaml row 1: unknown rules \['P399'\]"):
        corpus.load_corpus(tmp_path)


def test_held_out_files_are_kept_apart_from_the_tuning_corpus(tmp_path: Path) -> None:
    row = "- {kind: kpi, name: %s, fires: [], indicator: none}\n"
    (tmp_path / "xx.yaml").write_text("language: xx\nrows:\n" + row % "Tuned", encoding="utf-8")
    (tmp_path / "holdout-xx.yaml").write_text(
        "language: xx\nrows:\n" + row % "Held out" + row % "Also held out", encoding="utf-8")
    assert [r.name for r in corpus.load_corpus(tmp_path)] == ["Tuned"]
    assert [r.name for r in corpus.load_corpus(tmp_path, "holdout")] == [
        "Held out", "Also held out"]
    assert {path.name for path in corpus.corpus_files(corpus.CORPUS, "holdout")} == {
        "holdout-en.yaml", "holdout-ja.yaml"}


def test_benchmark_script_prints_every_rule_and_language() -> None:
    run = subprocess.run([sys.executable, "benchmarks/corpus_accuracy.py"], cwd=REPO,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "corpus: tuning"
    assert lines[1] == (
        f"{len(ROWS)} rows: en {sum(r.language == 'en' for r in ROWS)},"
        f" ja {sum(r.language == 'ja' for r in ROWS)}")
    table = {tuple(line.split()[:2]) for line in lines if line[:1] in "PS"}
    assert {(code, language) for code in corpus.RULES for language in ("en", "ja", "all")} <= (
        table)
    p302_all = next(line.split() for line in lines if line.startswith("P302") and " all " in line)
    labelled = sum("P302" in row.fires for row in ROWS)
    assert p302_all[2] == str(labelled)
    assert any(line.split()[:2] == ["all", "leading"] for line in lines)
