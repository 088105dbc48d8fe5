"""Time suppression-comment parsing and ``--add-suppressions`` on hostile inputs of growing size.

Usage: ``python benchmarks/suppression_parsing.py [--sizes 60000,240000,960000]``

For each size N it times (best of 3, printed, never asserted):

- reason + spaces: ``a: 1  # kpilint: disable=P301 -- why`` followed by N spaces and ``x``
  (the old regular expression took about 45 s at N = 60,000: quadratic);
- own-line comments: N/10 own-line ``# kpilint: disable=P301`` lines before one content line
  (each used to scan every later line for its target);
- add-suppressions: ``add_suppression_comments`` on a file of N/100 KPIs with two findings
  each (placement, re-parse and the check of the result).

Linear parsing shows as time growing about as fast as N (x4 size -> about x4 time).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

from kpilint.add_suppressions import add_suppression_comments
from kpilint.suppressions import parse_suppressions


def best_of(repeat: int, work: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def spec_with_findings(kpis: int) -> tuple[bytes, dict[int, list[str]]]:
    lines = ["version: 1", "kpis:"]
    findings: dict[int, list[str]] = {}
    for index in range(kpis):
        lines += [f"  - id: k{index}", "    name: Total app downloads", "    definition: |",
                  "      Short."]
        findings[len(lines) - 2] = ["P301"]
        findings[len(lines) - 1] = ["S204"]
    return ("\n".join(lines) + "\n").encode(), findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="60000,240000,960000",
                        help="comma-separated input sizes N")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    parse_suppressions("a: 1  # kpilint: disable=P301\n")  # load the rule registry once
    print(f"{'N':>9}  {'reason + spaces':>16}  {'own-line comments':>18}  {'add-suppressions':>17}")
    for size in (int(part) for part in args.sizes.split(",")):
        spaces = f"a: 1  # kpilint: disable=P301 -- why{' ' * size}x\n"
        own_lines = "# kpilint: disable=P301\n" * (size // 10) + "a: 1\n"
        data, findings = spec_with_findings(max(1, size // 100))
        timings = [best_of(args.repeat, partial(parse_suppressions, spaces)),
                   best_of(args.repeat, partial(parse_suppressions, own_lines)),
                   best_of(args.repeat, partial(add_suppression_comments, data, findings))]
        print(f"{size:>9,}  {timings[0]:>15.3f}s  {timings[1]:>17.3f}s  {timings[2]:>16.3f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
