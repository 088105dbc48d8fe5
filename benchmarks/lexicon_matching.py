"""Time the name lexicons on realistic KPI names, English and Japanese (cache misses only).

Usage: ``python benchmarks/lexicon_matching.py [--names N] [--repeat R]``

Every rule that judges names (P301, S213, P306 and the indicator guesses of G105, P304, P305)
matches each KPI name against a lexicon. This script builds N distinct names (half English, half
Japanese, so none hits a lexicon's per-text cache), times one pass of each matcher over them and
prints CPU microseconds per name (the best of --repeat passes, each on new names), plus the time
to read every lexicon file once.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from kpilint import lexicon as lexicons

ENGLISH = ["Marketing qualified leads per month", "Followers per month", "Grow MRR",
           "Page views / session", "Time to first response", "Company share price",
           "Revenue of best-selling SKUs", "Activation rate of new sign-ups"]
JAPANESE = ["月間リード獲得数", "ページビュー数", "顧客満足度を改善する",
            "セッションあたりページビュー", "リードの商談化率", "株価", "売上改善率",
            "月あたりのアプリダウンロード数"]


def names(count: int, batch: int = 0) -> list[str]:
    """``count`` distinct names: the samples above with a numbered team in front."""
    samples = [*ENGLISH, *JAPANESE]
    return [f"Team {batch}-{index} {samples[index % len(samples)]}" if index % 2 == 0
            else f"チーム{batch}-{index}の{samples[index % len(samples)]}"
            for index in range(count)]


def per_name(matcher: Callable[[str], object], batch: list[str]) -> float:
    """CPU microseconds per name for one pass of ``matcher`` (CPU time: the machine is shared)."""
    start = time.process_time()
    for name in batch:
        matcher(name)
    return (time.process_time() - start) / len(batch) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=20000, help="distinct names (20000)")
    parser.add_argument("--repeat", type=int, default=3, help="passes, best counts (3)")
    arguments = parser.parse_args()
    count = arguments.names
    start = time.perf_counter()
    vanity = lexicons.vanity_lexicon()
    indicators = lexicons.indicator_lexicon()
    phrases, verbs = lexicons.vague_lexicon(), lexicons.vague_verbs()
    uncontrollable = lexicons.lexicon("uncontrollable", "terms")
    loading = (time.perf_counter() - start) * 1e3
    terms = sum(len(lexicon.terms) for lexicon in (
        vanity.terms, indicators, phrases, verbs, uncontrollable))
    print(f"read every lexicon file once: {loading:.1f} ms ({terms} terms)")
    matchers: dict[str, Callable[[str], object]] = {
        "P301 vanity (rate and per checks included)": vanity.match,
        "S213 verbs: starting + ending": lambda name: verbs.starting(name) or verbs.ending(name),
        "S213 phrases": phrases.match,
        "P306 uncontrollable": uncontrollable.match,
        "indicator guess (G105, P304, P305)": indicators.match,
    }
    print(f"{count} distinct names, half English, half Japanese; CPU microseconds per name:")
    for label, matcher in matchers.items():
        best = min(per_name(matcher, names(count, batch)) for batch in range(arguments.repeat))
        print(f"  {label:<45} {best:7.1f}")


if __name__ == "__main__":
    main()
