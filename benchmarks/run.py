"""Time kpilint against yamllint on the same generated spec files.

Usage: ``python benchmarks/run.py [--repeat R] [--seed S] [--kpilint-arg=ARG ...]``

Scenarios: a project of 2,000 team files x 5 KPIs (plus company.kpi.yaml), and one file with
50 KPIs; plus start-up time (``--version``). Each command runs R times (default 5), interleaved,
and the best and median wall times are reported. Both tools run as ``sys.executable -m ...``.
Exit status: 0 all commands ran, 1 a command failed (see the notes), 2 a tool is not importable.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generate import generate_project, generate_single_file, positive_int

TOOLS = ("kpilint", "yamllint")
STARTUP = "startup (--version)"
TIMEOUT_SECONDS = 600


@dataclass
class Command:
    """One command to time, with the exit codes that count as success."""

    argv: list[str]
    ok_codes: frozenset[int]
    times: list[float] = field(default_factory=list)
    failure: str | None = None
    first_stdout: bytes = b""

    def run_once(self, cwd: Path) -> None:
        """Run and record the wall time, or the failure (then it is not run again)."""
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                self.argv, cwd=cwd, capture_output=True, check=False, timeout=TIMEOUT_SECONDS
            )
        except subprocess.TimeoutExpired:
            self.failure = f"timeout: no result after {TIMEOUT_SECONDS} s"
            return
        elapsed = time.perf_counter() - start
        if proc.returncode not in self.ok_codes:
            self.failure = f"exit {proc.returncode}: {_stderr_summary(proc.stderr)}"
            return
        if not self.times:
            self.first_stdout = proc.stdout
        self.times.append(elapsed)

    @property
    def best(self) -> float:
        """Fastest run, in seconds."""
        return min(self.times)

    @property
    def median(self) -> float:
        """Median run, in seconds."""
        return statistics.median(self.times)


@dataclass
class Scenario:
    """A row of the table: kpilint and yamllint timed on the same input."""

    name: str
    files: int
    kpis: int
    kpilint: Command
    yamllint: Command


def _stderr_summary(stderr: bytes) -> str:
    """The first non-blank stderr line; for a traceback, its last line too."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return "(no output on stderr)"
    if lines[0].startswith("Traceback") and len(lines) > 1:
        return f"{lines[0]} ... {lines[-1]}"
    return lines[0]


def _module(name: str) -> list[str]:
    """argv prefix running module ``name`` with this interpreter."""
    return [sys.executable, "-m", name]


def _check_command(path: str, extra: Sequence[str]) -> Command:
    """``kpilint check PATH --output-format json --exit-zero``."""
    argv = [*_module("kpilint"), "check", path, "--output-format", "json", "--exit-zero", *extra]
    return Command(argv, frozenset({0}))


def _yamllint_command(path: str) -> Command:
    """``yamllint -d relaxed PATH`` (exit 1 only means it found errors)."""
    return Command([*_module("yamllint"), "-d", "relaxed", path], frozenset({0, 1}))


def _version(tool: str, command: Command) -> str:
    """What ``tool --version`` printed, else the installed distribution's version."""
    printed = command.first_stdout.decode("utf-8", "replace").strip().splitlines()
    if printed:
        return printed[0]
    try:
        return f"{tool} {importlib.metadata.version(tool)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{tool} (version unknown)"


def _diagnostics_note(scenario: Scenario) -> str | None:
    """How many diagnostics kpilint's JSON reported, or why it could not be read."""
    if scenario.kpilint.failure or not scenario.kpilint.times or scenario.files == 0:
        return None
    try:
        report = json.loads(scenario.kpilint.first_stdout)
        summary = report["summary"]
        count = len(report["diagnostics"])
    except (ValueError, KeyError, TypeError) as error:
        return f"{scenario.name}: kpilint output is not the JSON report ({error})"
    return (
        f"{scenario.name}: kpilint reported {count} diagnostic{'' if count == 1 else 's'} "
        f"({summary.get('errors')} errors, {summary.get('warnings')} warnings, "
        f"{summary.get('infos')} infos) on {summary.get('files')} files"
    )


def _seconds(command: Command, pick: Callable[[Command], float]) -> str:
    """A time cell, or the failure's exit code."""
    if command.failure is not None:
        return command.failure.split(":", 1)[0]
    return f"{pick(command):.3f} s"


def _ratio(scenario: Scenario) -> str:
    """yamllint best / kpilint best."""
    if scenario.kpilint.failure or scenario.yamllint.failure:
        return "-"
    return f"{scenario.yamllint.best / scenario.kpilint.best:.2f}x"


def format_table(scenarios: Sequence[Scenario]) -> str:
    """The result table, one row per scenario."""
    header = ("scenario", "files", "KPIs", "kpilint best", "kpilint median",
              "yamllint best", "yamllint median", "ratio")
    rows = [header]
    for s in scenarios:
        rows.append((
            s.name,
            f"{s.files:,}" if s.files else "-",
            f"{s.kpis:,}" if s.files else "-",
            _seconds(s.kpilint, lambda c: c.best),
            _seconds(s.kpilint, lambda c: c.median),
            _seconds(s.yamllint, lambda c: c.best),
            _seconds(s.yamllint, lambda c: c.median),
            _ratio(s),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for number, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _progress(message: str) -> None:
    """Progress goes to stderr so that stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


def build_scenarios(workdir: Path, seed: int, extra: Sequence[str]) -> list[Scenario]:
    """Generate the inputs under ``workdir`` and return the commands to time on them."""
    _progress("generating 2,000 files x 5 KPIs ...")
    project = generate_project(workdir / "project", files=2000, kpis=5, seed=seed)
    _progress("generating 1 file x 50 KPIs ...")
    generate_single_file(workdir / "single", kpis=50, seed=seed)
    return [
        Scenario("2,000 files x 5 KPIs", len(project), 2000 * 5,
                 _check_command("project", extra), _yamllint_command("project")),
        Scenario("1 file x 50 KPIs", 1, 50,
                 _check_command("single", extra), _yamllint_command("single")),
        Scenario(STARTUP, 0, 0,
                 Command([*_module("kpilint"), "--version"], frozenset({0})),
                 Command([*_module("yamllint"), "--version"], frozenset({0}))),
    ]


def run(repeat: int, seed: int, extra: Sequence[str]) -> int:
    """Generate, time, print the report; the exit status."""
    with tempfile.TemporaryDirectory(prefix="kpilint-bench-") as tmp:
        workdir = Path(tmp)
        scenarios = build_scenarios(workdir, seed, extra)
        for round_number in range(1, repeat + 1):
            _progress(f"round {round_number}/{repeat} ...")
            for scenario in scenarios:
                for command in (scenario.kpilint, scenario.yamllint):
                    if command.failure is None:
                        command.run_once(workdir)
    startup = next(s for s in scenarios if s.name == STARTUP)
    print(
        f"{_version('kpilint', startup.kpilint)} vs {_version('yamllint', startup.yamllint)} | "
        f"Python {platform.python_version()} | {platform.system()} {platform.machine()} | "
        f"{os.cpu_count()} CPUs | best and median of {repeat} (wall time)"
    )
    print(format_table(scenarios))
    print("ratio = yamllint best / kpilint best (above 1: kpilint is faster)")
    notes = [f"- {note}" for s in scenarios if (note := _diagnostics_note(s))]
    failed = False
    for scenario in scenarios:
        for tool, command in zip(TOOLS, (scenario.kpilint, scenario.yamllint), strict=True):
            if command.failure is not None:
                failed = True
                notes.append(f"- {scenario.name}: {tool} failed, {command.failure}")
                notes.append(f"  command: {shlex.join(['python', *command.argv[1:]])}")
    if notes:
        print("\nnotes:")
        print("\n".join(notes))
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Time kpilint against yamllint.")
    parser.add_argument("--repeat", type=positive_int, default=5,
                        help="runs of each command (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--kpilint-arg", action="append", default=[], metavar="ARG",
                        help="extra argument for 'kpilint check', e.g. --kpilint-arg=--no-cache")
    args = parser.parse_args(argv)
    missing = [name for name in TOOLS if importlib.util.find_spec(name) is None]
    if missing:
        print(f"not importable with {sys.executable}: {', '.join(missing)}", file=sys.stderr)
        print("install them with: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    return run(args.repeat, args.seed, args.kpilint_arg)


if __name__ == "__main__":
    raise SystemExit(main())
