"""Time a one-file run (what pre-commit does): kpilint against ``yamllint -d relaxed``.

Usage: ``python benchmarks/startup.py [--kpis M] [--repeat R] [--seed S] [--imports]``

Generates ``generate_single_file(..., kpis=M)`` (one spec file and a ``kpilint.toml``) and runs,
R times each with the rounds interleaved, ``kpilint check . --no-cache`` (a cold run: no result
cache), pre-commit's ``kpilint check --force-exclude --no-cache FILE`` and
``yamllint -d relaxed .`` in that folder, each as ``sys.executable -m ...``. Prints
the best and median wall time and the least and median CPU time (user + system) of each, and
the ratios of the medians (the goal is at most 1.0), plus ``kpilint --version`` and
``python -c pass`` as floors. On a shared machine the CPU time is the steadier figure. One
warm-up run of each first writes the bytecode caches (as an installed wheel has them, even
under ``PYTHONDONTWRITEBYTECODE``). ``--imports`` also prints the ten costliest imports of one
kpilint run, from ``python -X importtime``. Timings are printed, never asserted.
``startup_figures(...)`` returns every run's wall and CPU time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from generate import generate_single_file, positive_int

COMMANDS: dict[str, list[str]] = {
    "kpilint check": ["-m", "kpilint", "check", ".", "--no-cache"],
    "yamllint -d relaxed": ["-m", "yamllint", "-d", "relaxed", "."],
    "kpilint --version": ["-m", "kpilint", "--version"],
    "python -c pass": ["-c", "pass"],
}
# pre-commit's run: the file named, and kept only if discovery would find it
PRE_COMMIT = ["-m", "kpilint", "check", "--force-exclude", "--no-cache"]


def _environment(bytecode: bool) -> dict[str, str]:
    environment = dict(os.environ)
    if bytecode:
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


class Timing(NamedTuple):
    """One run: seconds of wall time, and of CPU time (user + system) of the process."""

    wall: float
    cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(arguments: list[str], cwd: Path, bytecode: bool = False) -> Timing:
    cpu = _children_cpu()
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, *arguments], cwd=cwd, capture_output=True,
                               env=_environment(bytecode), check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        sys.exit(f"startup: {' '.join(arguments)} exited {completed.returncode}:"
                 f" {completed.stderr.decode(errors='replace').strip()[:300]}")
    return Timing(elapsed, _children_cpu() - cpu)


def startup_figures(directory: Path, repeat: int,
                    spec_file: str | None = None) -> dict[str, list[Timing]]:
    """Wall and CPU times of each command in ``directory``, ``repeat`` interleaved rounds; with
    ``spec_file``, also of pre-commit's run on that file."""
    commands = dict(COMMANDS)
    if spec_file is not None:
        commands["kpilint check FILE"] = [*PRE_COMMIT, spec_file]
    for arguments in commands.values():
        _run(arguments, directory, bytecode=True)
    times: dict[str, list[Timing]] = {label: [] for label in commands}
    for _ in range(repeat):
        for label, arguments in commands.items():
            times[label].append(_run(arguments, directory))
    return times


def costliest_imports(directory: Path, count: int = 10) -> list[tuple[int, str]]:
    """The top-level imports of one kpilint run with the most cumulative microseconds."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", *COMMANDS["kpilint check"]], cwd=directory,
        capture_output=True, text=True, check=False)
    found: dict[str, int] = {}
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if cumulative.strip().isdigit() and len(name) - len(name.lstrip()) <= 3:
            found[name.strip()] = int(cumulative)
    return sorted(((micros, name) for name, micros in found.items()), reverse=True)[:count]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--kpis", type=positive_int, default=50)
    parser.add_argument("--repeat", type=positive_int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--imports", action="store_true", help="show the costliest imports")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kpilint-startup-") as scratch:
        directory = Path(scratch)
        spec_file = generate_single_file(directory, kpis=args.kpis, seed=args.seed)
        times = startup_figures(directory, args.repeat, spec_file.name)
        print(f"one file x {args.kpis} KPIs, {args.repeat} runs each")
        for label, runs in times.items():
            walls, cpus = [run.wall for run in runs], [run.cpu for run in runs]
            print(f"  {label:<22} wall best {min(walls) * 1000:7.1f} ms"
                  f"  median {statistics.median(walls) * 1000:7.1f} ms"
                  f"   CPU least {min(cpus) * 1000:7.1f} ms"
                  f"  median {statistics.median(cpus) * 1000:7.1f} ms")
        for label in ("kpilint check", "kpilint check FILE"):
            for kind in Timing._fields:
                ratio = (statistics.median(getattr(run, kind) for run in times[label])
                         / statistics.median(getattr(run, kind)
                                             for run in times["yamllint -d relaxed"]))
                print(f"  {label} / yamllint, {kind} (medians): {ratio:.2f} (goal <= 1.00)")
        if args.imports:
            print("costliest imports of one kpilint run (cumulative, -X importtime):")
            for micros, name in costliest_imports(directory):
                print(f"  {micros / 1000:7.1f} ms  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
