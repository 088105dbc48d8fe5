"""The long fuzzing campaign: N generated inputs through every target of ``fuzz/harness.py``.

Usage: ``python -m fuzz.campaign [--inputs N] [--start S] [--targets a,b] [--every K]``
(from the repository root). Input number i is reproducible: ``--start i --inputs 1`` reruns it.
Progress goes to stderr every ``--every`` inputs; the summary (inputs, crashes, broken
promises, the first seed of each kind, inputs per second) to stdout, also when the campaign is
stopped early by Ctrl-C or SIGTERM. Exit status 1 when
anything crashed or broke a promise, else 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from fuzz.harness import TARGETS, Outcome, campaign


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="how many (default 100,000)")
    parser.add_argument("--start", type=int, default=0, help="number of the first input")
    parser.add_argument("--targets", default=",".join(TARGETS),
                        help=f"comma-separated, in order (default: {','.join(TARGETS)})")
    parser.add_argument("--every", type=int, default=1000, help="progress interval")
    args = parser.parse_args()
    names = args.targets.split(",")
    unknown = [name for name in names if name not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    # Stop cleanly and print the summary. The signal only sets a flag, checked between inputs:
    # an interrupt raised inside a command-line round trip would be taken for the command's.
    stopping: list[int] = []
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda received, _frame: stopping.append(received))
    began = time.perf_counter()

    def progress(seed: int, outcome: Outcome) -> None:
        if stopping:
            raise KeyboardInterrupt
        if outcome.inputs % args.every == 0:
            rate = outcome.inputs / (time.perf_counter() - began)
            print(f"{outcome.inputs:,} inputs (last seed {seed}), {rate:.1f}/s, crashes"
                  f" {sum(outcome.crashes.values())}, broken {sum(outcome.broken.values())}",
                  file=sys.stderr, flush=True)

    outcome = campaign(range(args.start, args.start + args.inputs),
                       {name: TARGETS[name] for name in names}, progress)
    elapsed = time.perf_counter() - began
    print(outcome.summary())
    print(f"targets: {', '.join(names)}")
    print(f"time: {elapsed:.0f} s ({outcome.inputs / elapsed:.1f} inputs/s)")
    return 1 if outcome.crashes or outcome.broken else 0


if __name__ == "__main__":
    sys.exit(main())
