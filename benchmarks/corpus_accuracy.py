"""Precision and recall of the wording rules on the labelled corpus of KPI and KGI names.

Usage: ``python benchmarks/corpus_accuracy.py [--corpus tuning|holdout] [--failures]``

The ``tuning`` corpus (the default: ``tests/corpus/en.yaml``, ``ja.yaml``) is the one the word
lists were fitted on; the ``holdout`` corpus (``tests/corpus/holdout-*.yaml``) was written and
labelled without looking at them, so its scores are the honest measurement.
Each language's rows become one generated spec file in a temporary
project, checked by the real engine (``kpilint.checker.run_check``, the code path of
``kpilint check``); the indicator guess is the one P305 gives (``guess`` of the registered rule).
Prints, per rule and per language, true and false positives, false negatives, precision and
recall; for the leading/lagging guess, accuracy and per-class precision and recall.
``--failures`` also lists every row whose verdict differs from its label.
``tests/test_corpus.py`` asserts every row with the same functions.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from kpilint import registry
from kpilint.checker import CheckOptions, run_check
from kpilint.checks import IndicatorInference
from kpilint.model import Kpi

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
HOLDOUT_PREFIX = "holdout-"
CORPORA = ("tuning", "holdout")
RULES = ("P301", "S213", "S204", "S214", "P302", "P306")
INDICATOR = "indicator"
CLASSES = ("leading", "lagging", "none")
TODAY = "2026-11-23"


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled name: what it is, and what kpilint should say about it."""

    language: str
    number: int  # 1-based position in its language's file
    kind: str
    name: str
    definition: str | None
    unit: str | None
    fires: frozenset[str]  # the rules of RULES that must fire; the others must not
    indicator: str | None  # leading, lagging or none (KPIs only)

    @property
    def id(self) -> str:
        return f"{self.language}-{self.number:03d}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What kpilint said about one row."""

    fired: frozenset[str]
    indicator: str | None


def corpus_files(directory: Path, corpus: str) -> list[Path]:
    """The files of one corpus, sorted: ``holdout-*.yaml`` for the held-out one, every other
    ``*.yaml`` for the tuning one."""
    held_out = corpus == "holdout"
    return sorted(path for path in directory.glob("*.yaml")
                  if path.name.startswith(HOLDOUT_PREFIX) == held_out)


def load_corpus(directory: Path = CORPUS, corpus: str = "tuning") -> list[Row]:
    """Every row of every file of ``corpus``, in file then row order."""
    rows = []
    for path in corpus_files(directory, corpus):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for number, entry in enumerate(data["rows"], start=1):
            unknown = set(entry["fires"]) - set(RULES)
            if unknown:
                raise ValueError(f"{path.name} row {number}: unknown rules {sorted(unknown)}")
            rows.append(Row(
                data["language"], number, entry["kind"], str(entry["name"]),
                entry.get("definition"), entry.get("unit"), frozenset(entry["fires"]),
                entry.get("indicator")))
    return rows


def _spec(rows: Iterable[Row]) -> str:
    """The rows as entities of one spec file, in row order: a new YAML document (a spec of its
    own) starts wherever the kind changes. JSON strings are YAML scalars."""
    text = ""
    kind = None
    for row in rows:
        if row.kind != kind:
            text += f"---\nversion: 1\n{row.kind}s:\n"
            kind = row.kind
        fields = {"id": row.id, "name": row.name, "definition": row.definition,
                  "unit": row.unit}
        text += "  - " + "\n    ".join(
            f"{key}: {json.dumps(value, ensure_ascii=False)}"
            for key, value in fields.items() if value is not None) + "\n"
    return text


def run_corpus(rows: Sequence[Row]) -> dict[str, Verdict]:
    """Check each language's rows as one project; the verdict of every row, by row id."""
    selected = [code for code in RULES if registry.lookup(code) is not None]
    guesser = registry.lookup("P305")
    assert guesser is not None and issubclass(guesser, IndicatorInference)
    verdicts: dict[str, Verdict] = {}
    for language in sorted({row.language for row in rows}):
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            (root / "kpilint.toml").write_text(
                f'today = "{TODAY}"\nselect = {json.dumps(selected)}\n', encoding="utf-8")
            (root / f"{language}.kpi.yaml").write_text(
                _spec(row for row in rows if row.language == language), encoding="utf-8")
            outcome = run_check(CheckOptions(paths=[str(root)]), cwd=root)
            fired: dict[str, set[str]] = {}
            for diagnostic in outcome.result.diagnostics:
                if diagnostic.subject is not None:
                    fired.setdefault(diagnostic.subject, set()).add(diagnostic.code)
            rule = guesser()
            guesses = {
                kpi.id: (guessed[0] if (guessed := rule.guess(kpi.model)) else "none")
                for linter in outcome.linters for loaded in linter.files.values()
                for kpi in loaded.spec.entities_of(Kpi)}
        for row in rows:
            if row.language == language:
                verdicts[row.id] = Verdict(frozenset(fired.get(row.id, ())),
                                           guesses.get(row.id))
    return verdicts


@dataclass(frozen=True, slots=True)
class Score:
    """Counts of one binary verdict over some rows."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float | None:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else None


def score(pairs: Iterable[tuple[bool, bool]]) -> Score:
    """(expected, found) pairs -> counts."""
    counted = list(pairs)
    return Score(sum(e and f for e, f in counted), sum(f and not e for e, f in counted),
                 sum(e and not f for e, f in counted))


def rule_score(rows: Iterable[Row], verdicts: dict[str, Verdict], code: str) -> Score:
    return score((code in row.fires, code in verdicts[row.id].fired) for row in rows)


def class_score(rows: Iterable[Row], verdicts: dict[str, Verdict], label: str) -> Score:
    return score((row.indicator == label, verdicts[row.id].indicator == label)
                 for row in rows if row.indicator is not None)


def mismatches(rows: Iterable[Row], verdicts: dict[str, Verdict]) -> list[str]:
    """One line per row and verdict that differs from its label."""
    lines = []
    for row in rows:
        verdict = verdicts[row.id]
        for code in RULES:
            if (code in row.fires) != (code in verdict.fired):
                wanted = "should fire" if code in row.fires else "should not fire"
                lines.append(f"{row.id} {code} {wanted}: {row.name!r}")
        if row.indicator is not None and row.indicator != verdict.indicator:
            lines.append(f"{row.id} indicator {verdict.indicator}, labelled {row.indicator}:"
                         f" {row.name!r}")
    return lines


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def report(rows: Sequence[Row], verdicts: dict[str, Verdict]) -> str:
    """The tables printed by the script."""
    languages = sorted({row.language for row in rows})
    lines = [f"{len(rows)} rows: " + ", ".join(
        f"{language} {sum(row.language == language for row in rows)}" for language in languages),
        "", f"{'rule':<10}{'lang':<6}{'labelled':>9}{'tp':>5}{'fp':>5}{'fn':>5}"
        f"{'precision':>11}{'recall':>8}"]
    for code in RULES:
        for language in (*languages, "all"):
            subset = [row for row in rows if language in ("all", row.language)]
            counts = rule_score(subset, verdicts, code)
            labelled = counts.true_positives + counts.false_negatives
            lines.append(f"{code:<10}{language:<6}{labelled:>9}{counts.true_positives:>5}"
                         f"{counts.false_positives:>5}{counts.false_negatives:>5}"
                         f"{_ratio(counts.precision):>11}{_ratio(counts.recall):>8}")
    lines += ["", f"{'indicator':<10}{'lang':<6}{'class':<9}{'labelled':>9}{'guessed':>8}"
              f"{'precision':>11}{'recall':>8}{'accuracy':>10}"]
    for language in (*languages, "all"):
        subset = [row for row in rows if language in ("all", row.language)
                  and row.indicator is not None]
        right = sum(verdicts[row.id].indicator == row.indicator for row in subset)
        accuracy = right / len(subset) if subset else None
        for label in CLASSES:
            counts = class_score(subset, verdicts, label)
            lines.append(
                f"{'':<10}{language:<6}{label:<9}"
                f"{counts.true_positives + counts.false_negatives:>9}"
                f"{counts.true_positives + counts.false_positives:>8}"
                f"{_ratio(counts.precision):>11}{_ratio(counts.recall):>8}"
                f"{_ratio(accuracy) if label == CLASSES[0] else '':>10}".rstrip())
    missing = [code for code in RULES if registry.lookup(code) is None]
    if missing:
        lines += ["", "not implemented in this build (counted as never firing): "
                  + ", ".join(missing)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=CORPORA, default="tuning",
                        help="tuning: the rows the word lists were fitted on (default);"
                        " holdout: rows written without looking at them")
    parser.add_argument("--failures", action="store_true",
                        help="also list every row whose verdict differs from its label")
    arguments = parser.parse_args(argv)
    rows = load_corpus(corpus=arguments.corpus)
    print(f"corpus: {arguments.corpus}")
    verdicts = run_corpus(rows)
    print(report(rows, verdicts))
    if arguments.failures:
        print("\n" + "\n".join(mismatches(rows, verdicts) or ["no mismatches"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
