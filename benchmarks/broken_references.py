"""Time E005's "did you mean" at scale: a project with broken references against the same clean.

Usage: ``python benchmarks/broken_references.py [--files N] [--broken B] [--repeat R] [--seed S]``

Generates ``generate_project(..., files=N, kpis=5)`` twice: once as is (clean) and once with B
references misspelt (``break_references``): every other one a ``supports:`` naming a KSF, the
rest a ``paired_with:`` naming a KPI, each with one character of the id replaced, so that every
broken reference has close matches among thousands of ids of the right kind. Times
``kpilint check DIR --no-cache --exit-zero --output-format json`` on each (R runs, interleaved)
and prints the medians, their ratio (the goal is at most 1.2) and the number of E005 findings.
Standard library only besides kpilint itself; timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import generate_project, positive_int

SWAP = {"a": "e", "e": "a", "i": "o", "o": "i", "t": "d", "r": "l", "s": "z", "n": "m"}


def misspelt(identifier: str, salt: int) -> str:
    """``identifier`` with one letter after its team prefix replaced (never the same id)."""
    letters = [index for index, char in enumerate(identifier) if char in SWAP and index > 5]
    index = letters[salt % len(letters)]
    return identifier[:index] + SWAP[identifier[index]] + identifier[index + 1:]


def break_references(paths: list[Path], count: int) -> int:
    """Misspell ``count`` references, spread over ``paths``; how many were changed."""
    done = 0
    step = max(1, len(paths) // max(count, 1))
    spread = paths[::step]
    for number, path in enumerate(spread + [path for path in paths if path not in spread]):
        if done == count:
            break
        text = path.read_text(encoding="utf-8")
        field = "supports: t" if done % 2 == 0 else "paired_with: "
        start = text.find(f"\n    {field}")
        if start < 0:
            continue
        start += len("\n    ") + len(field.split(" ")[0]) + 1
        end = text.index("\n", start)
        text = text[:start] + misspelt(text[start:end], number) + text[end:]
        path.write_text(text, encoding="utf-8")
        done += 1
    return done


def timed(directory: Path) -> tuple[float, int]:
    """Wall time of one cold check of ``directory`` and its number of E005 findings."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "kpilint", "check", ".", "--no-cache", "--exit-zero",
         "--output-format", "json"], cwd=directory, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"broken_references: kpilint exited {completed.returncode}:"
                 f" {completed.stderr.decode(errors='replace').strip()[:300]}")
    report = json.loads(completed.stdout)
    return elapsed, sum(1 for item in report["diagnostics"] if item["code"] == "E005")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=positive_int, default=2000)
    parser.add_argument("--broken", type=positive_int, default=200)
    parser.add_argument("--repeat", type=positive_int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kpilint-broken-") as scratch:
        clean, broken = Path(scratch, "clean"), Path(scratch, "broken")
        generate_project(clean, files=args.files, kpis=5, seed=args.seed)
        written = generate_project(broken, files=args.files, kpis=5, seed=args.seed)
        changed = break_references(written[:-1] if len(written) > 1 else written, args.broken)
        times: dict[str, list[float]] = {"clean": [], "broken": []}
        findings = {"clean": 0, "broken": 0}
        for _ in range(args.repeat):
            for name, directory in (("clean", clean), ("broken", broken)):
                elapsed, findings[name] = timed(directory)
                times[name].append(elapsed)
        medians = {name: statistics.median(values) for name, values in times.items()}
        print(f"{args.files} files x 5 KPIs, {changed} misspelt references, {args.repeat} runs")
        for name in ("clean", "broken"):
            print(f"  {name:<7} median {medians[name]:7.2f} s   E005 findings: {findings[name]}")
        print(f"  broken / clean: {medians['broken'] / medians['clean']:.2f} (goal <= 1.20)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
