"""Time the result cache and ``--jobs`` on a generated project, and prove the output unchanged.

Usage: ``python benchmarks/cache_jobs.py [--files N] [--repeat R] [--seed S]``

On ``generate_project(outdir, files=N, kpis=5)`` it times ``kpilint check <dir> --output-format
json --exit-zero`` (as ``sys.executable -m kpilint``; wall time, best and median of R runs, and the
least CPU time, user + system of the process and its workers):

- cold, ``--no-cache --jobs 1`` and ``--no-cache --jobs 2``;
- cold with the cache (the cache directory removed first, so the run also writes it);
- warm: nothing changed since the previous run (the report the previous run kept is written back);
- one changed: one team file's KPI target edited before each run.

Every run's JSON report must be byte-identical to the first cold run's (the one-changed runs are
compared with a ``--no-cache`` run of the same edit); the script exits 1 otherwise. Ratios are
to the cold ``--jobs 1`` best. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generate import generate_project, positive_int


def timed(command: list[str], cwd: Path) -> tuple[float, float, bytes]:
    """Run ``command``: its wall time, its CPU time (user + system, children included) and its
    standard output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): "
                 f"{done.stderr.decode(errors='replace').splitlines()[-1:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=positive_int, default=2000)
    parser.add_argument("--repeat", type=positive_int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kpilint-cache-") as scratch:
        root = Path(scratch) / "project"
        written = generate_project(root, files=args.files, kpis=5, seed=args.seed)
        team = written[0]
        check = [sys.executable, "-m", "kpilint", "check", "project", "--output-format", "json",
                 "--exit-zero"]
        cwd = root.parent
        cache = root / ".kpilint_cache"
        _, _, reference = timed([*check, "--no-cache", "--jobs", "1"], cwd)
        mismatches: list[str] = []
        edit_round = [0]

        def edit() -> None:
            edit_round[0] += 1
            text = team.read_text(encoding="utf-8")
            marker = "\n    target: "
            start = text.index(marker, text.index("\nkpis:")) + len(marker)
            end = text.index("\n", start)
            team.write_text(f"{text[:start]}{1000 + edit_round[0]}{text[end:]}",
                            encoding="utf-8")

        def scenario(label: str, extra: list[str], before: Callable[[], None] | None,
                     compare_uncached: bool = False) -> list[tuple[float, float]]:
            times = []
            for _ in range(args.repeat):
                if before is not None:
                    before()
                elapsed, cpu, output = timed([*check, *extra], cwd)
                times.append((elapsed, cpu))
                expected = reference
                if compare_uncached:
                    expected = timed([*check, "--no-cache", "--jobs", "1"], cwd)[2]
                if output != expected:
                    mismatches.append(label)
            return times

        rows = [
            ("cold, --no-cache --jobs 1", scenario("cold jobs 1", ["--no-cache", "--jobs", "1"],
                                                   None)),
            ("cold, --no-cache --jobs 2", scenario("cold jobs 2", ["--no-cache", "--jobs", "2"],
                                                   None)),
            ("cold, writing the cache", scenario(
                "cold with cache", [], lambda: shutil.rmtree(cache, ignore_errors=True))),
            ("warm, nothing changed", scenario("warm", [], None)),
            ("warm, one file changed", scenario("one changed", [], edit, compare_uncached=True)),
        ]
        base = min(wall for wall, _ in rows[0][1])
        base_cpu = min(cpu for _, cpu in rows[0][1])
        print(f"{args.files} team files x 5 KPIs (+ company.kpi.yaml); wall time of"
              f" `kpilint check --output-format json`, best / median of {args.repeat};"
              " least CPU time")
        for label, times in rows:
            best = min(wall for wall, _ in times)
            cpu = min(cpu for _, cpu in times)
            median = statistics.median(wall for wall, _ in times)
            print(f"{label:<28} best {best:7.2f} s   median {median:7.2f} s"
                  f"   {best / base:5.2f}x cold   CPU {cpu:6.2f} s  {cpu / base_cpu:5.2f}x cold")
        size = sum(path.stat().st_size for path in cache.rglob("*") if path.is_file())
        print(f"cache size: {size / 1e6:.1f} MB")
        if mismatches:
            print(f"OUTPUT DIFFERS in: {', '.join(sorted(set(mismatches)))}")
            return 1
        print("every report was byte-identical to the uncached run of the same files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
