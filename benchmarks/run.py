"""Time kpilint against yamllint and the parse floor on generated spec files: issue 14's table.

Usage: ``python benchmarks/run.py [--repeat R] [--seed S] [--large-files N] [--lsp-edits E]
[--reference-rev REV | --reference-src DIR | --no-reference] [--kpilint-arg=ARG ...]``

Rows (see benchmarks/README.md): 2,000 files x 5 KPIs cold with ``--jobs 1`` and ``--jobs 2``
against ``yamllint -d relaxed`` and the parse floor; the same cold runs writing the result cache
(a CI job's first run); warm (nothing changed) and one file changed, with the result cache; one
50-KPI file against yamllint; 200 broken references in the same 2,000 files against the clean
run; N files (default 20,000) in ms per file above the parse floor; start-up; and the language
server's re-lint latency (``lsp_latency.py``). Every command runs as ``sys.executable -m ...``
(or a ``benchmarks/`` script) with R rounds interleaved; wall time and CPU time (user + system of
the process and its children) are recorded.

Output check: every kpilint report of a scenario must be byte-identical to that scenario's cold
``--jobs 1`` report, and (unless ``--no-reference``) each cold report to the one the reference
code writes for the same files: ``--reference-rev`` (a git revision of this repository, default
the commit before issue 14's composer work) or ``--reference-src`` (another checkout's ``src``).
Exit status: 0 all ran and matched, 1 a command failed or an output differs, 2 a tool is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generate import generate_project, generate_single_file, positive_int

TOOLS = ("kpilint", "yamllint")
TIMEOUT_SECONDS = 1800
BENCHMARKS = Path(__file__).resolve().parent
REPOSITORY = BENCHMARKS.parent
# The code before issue 14's fourth pass (after the last intended change of these corpora's
# reports, SARIF and JSON fix applicability): the output to stay byte-identical to.
REFERENCE_REV = "6329c85"
BROKEN_REFERENCES = 200


@dataclass
class Command:
    """One command to time, with the exit codes that count as success."""

    argv: list[str]
    ok_codes: frozenset[int] = frozenset({0})
    env: dict[str, str] | None = None
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    failure: str | None = None
    first_stdout: bytes = b""
    last_stdout: bytes = b""
    digests: set[str] = field(default_factory=set)

    def run_once(self, cwd: Path) -> bytes:
        """Run and record wall and CPU time, or the failure (then it is not run again)."""
        if self.failure is not None:
            return b""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        try:
            proc = subprocess.run(self.argv, cwd=cwd, capture_output=True, check=False,
                                  timeout=TIMEOUT_SECONDS, env=self.env)
        except subprocess.TimeoutExpired:
            self.failure = f"timeout: no result after {TIMEOUT_SECONDS} s"
            return b""
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode not in self.ok_codes:
            self.failure = f"exit {proc.returncode}: {_stderr_summary(proc.stderr)}"
            return b""
        if not self.times:
            self.first_stdout = proc.stdout
        self.last_stdout = proc.stdout
        self.digests.add(hashlib.sha256(proc.stdout).hexdigest())
        self.times.append(elapsed)
        self.cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        return proc.stdout

    @property
    def ok(self) -> bool:
        """Ran at least once and never failed."""
        return self.failure is None and bool(self.times)

    @property
    def best(self) -> float:
        """Fastest wall time, in seconds."""
        return min(self.times)

    @property
    def median(self) -> float:
        """Median wall time, in seconds."""
        return statistics.median(self.times)

    @property
    def best_cpu(self) -> float:
        """Least CPU time (user + system, children included), in seconds."""
        return min(self.cpu)


@dataclass
class Row:
    """A line of the table: ``subject`` measured against ``anchor`` (None: no anchor)."""

    work: str
    subject: Command
    anchor_name: str
    anchor: Command | None
    goal: str


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


def check_argv(path: str, extra: Sequence[str]) -> list[str]:
    """``kpilint check PATH --output-format json --exit-zero EXTRA``."""
    return [*_module("kpilint"), "check", path, "--output-format", "json", "--exit-zero", *extra]


def yamllint_command(path: str) -> Command:
    """``yamllint -d relaxed PATH`` (exit 1 only means it found errors)."""
    return Command([*_module("yamllint"), "-d", "relaxed", path], frozenset({0, 1}))


def floor_command(path: str) -> Command:
    """The parse floor: read and libyaml-compose every YAML file under ``path``."""
    return Command([sys.executable, str(BENCHMARKS / "parse_floor.py"), path])


def _progress(message: str) -> None:
    """Progress goes to stderr so that stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


def break_references(files: Sequence[Path], count: int) -> int:
    """Misspell the first KPI's ``supports`` (append ``x``) in ``count`` evenly spread team files:
    each becomes an E005 whose "did you mean" has a near candidate. Returns the number broken."""
    teams = [path for path in files if path.name != "company.kpi.yaml"]
    step = max(1, len(teams) // count)
    broken = 0
    for path in teams[::step][:count]:
        text = path.read_text(encoding="utf-8")
        marker = "\n    supports: "
        start = text.index(marker, text.index("\nkpis:")) + len(marker)
        end = text.index("\n", start)
        path.write_text(f"{text[:end]}x{text[end:]}", encoding="utf-8")
        broken += 1
    return broken


class TargetEditor:
    """Changes one KPI's ``target`` in a team file to a new value at each call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.round = 0
        self.original = path.read_text(encoding="utf-8")

    def restore(self) -> bool:
        """Put the original text back; whether it had been changed."""
        if self.path.read_text(encoding="utf-8") == self.original:
            return False
        self.path.write_text(self.original, encoding="utf-8")
        return True

    def __call__(self) -> None:
        self.round += 1
        text = self.path.read_text(encoding="utf-8")
        marker = "\n    target: "
        start = text.index(marker, text.index("\nkpis:")) + len(marker)
        end = text.index("\n", start)
        self.path.write_text(f"{text[:start]}{1000 + self.round}{text[end:]}", encoding="utf-8")


class FreshCache:
    """Moves the cache the last run wrote out of the project (into ``trash``, removed with the
    bench's folder), so that the next run writes it anew, as a CI job's first run does. Not
    removed here: the file system frees 40 MB of small files in the background, which would
    slow the timed run after it."""

    def __init__(self, root: Path, trash: Path) -> None:
        self.cache = root / ".kpilint_cache"
        self.trash = trash
        self.moved = 0

    def __call__(self) -> None:
        if self.cache.exists():
            self.moved += 1
            self.trash.mkdir(exist_ok=True)
            self.cache.rename(self.trash / str(self.moved))


@dataclass
class Bench:
    """The generated inputs, the commands on them, and the order of one round."""

    workdir: Path
    extra: Sequence[str]
    steps: list[tuple[Command, Path, Callable[[], None] | None]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    # (label, cold report command, cwd, path) of each corpus the reference code also checks
    corpora: list[tuple[str, Command, Path, str]] = field(default_factory=list)
    # (label, command whose every report must equal the first of the expected command, its label)
    same_as: list[tuple[str, Command, Command, str]] = field(default_factory=list)
    cold: Command = field(default_factory=lambda: Command([]))
    floor: Command = field(default_factory=lambda: Command([]))
    changed: Command = field(default_factory=lambda: Command([]))

    def command(self, argv: list[str], cwd: Path, before: Callable[[], None] | None = None,
                ok_codes: frozenset[int] = frozenset({0})) -> Command:
        """A command run once per round, in the order the commands were made."""
        made = Command(argv, ok_codes)
        self.steps.append((made, cwd, before))
        return made

    def uncached(self, path: str, cwd: Path, jobs: int) -> Command:
        """``kpilint check`` without the cache, ``--jobs N``."""
        return self.command(check_argv(path, ["--no-cache", "--jobs", str(jobs), *self.extra]),
                            cwd)


def build(workdir: Path, seed: int, extra: Sequence[str], files: int, large_files: int) -> Bench:
    """Generate the inputs under ``workdir`` and lay out the commands and rows."""
    bench = Bench(workdir, extra)
    goal_yamllint = "<= 0.08x yamllint"
    _progress(f"generating {files:,} files x 5 KPIs ...")
    project_files = generate_project(workdir / "clean" / "project", files=files, kpis=5, seed=seed)
    clean = workdir / "clean"
    cold1 = bench.cold = bench.uncached("project", clean, 1)
    cold2 = bench.uncached("project", clean, 2)
    yamllint = bench.command(yamllint_command("project").argv, clean, ok_codes=frozenset({0, 1}))
    floor = bench.floor = bench.command(floor_command("project").argv, clean)
    work = f"{len(project_files):,} files x 5 KPIs, cold"
    bench.rows += [
        Row(f"{work}, --jobs 1", cold1, "yamllint -d relaxed", yamllint, goal_yamllint),
        Row(f"{work}, --jobs 1", cold1, "parse floor", floor, "<= 2.5x floor"),
        Row(f"{work}, --jobs 2", cold2, "cold --jobs 1", cold1, "(gain)"),
        Row(f"{work}, --jobs 2", cold2, "yamllint -d relaxed", yamllint, ""),
    ]
    bench.corpora.append((f"{len(project_files):,} files x 5 KPIs", cold1, clean, "project"))
    bench.same_as.append(("cold --jobs 2", cold2, cold1, "cold --jobs 1"))

    _progress("copying it for the runs that write the cache ...")
    fresh = workdir / "fresh"
    shutil.copytree(clean / "project", fresh / "project")
    anew = FreshCache(fresh / "project", workdir / "trash")
    writing1, writing2 = (bench.command(check_argv("project", ["--jobs", str(jobs), *extra]),
                                        fresh, before=anew) for jobs in (1, 2))
    bench.rows += [
        Row(f"{work}, writing the cache, --jobs 1", writing1, "cold --jobs 1", cold1, "(cost)"),
        Row(f"{work}, writing the cache, --jobs 2", writing2, "writing, --jobs 1", writing1,
            "(gain)"),
    ]
    bench.same_as += [("writing the cache, --jobs 1", writing1, cold1, "cold --jobs 1"),
                      ("writing the cache, --jobs 2", writing2, cold1, "cold --jobs 1")]

    _progress("copying it for the cache runs ...")
    cached = workdir / "cached"
    shutil.copytree(clean / "project", cached / "project")
    prime = check_argv("project", ["--jobs", "1", *extra])
    subprocess.run(prime, cwd=cached, capture_output=True, check=False)  # writes the cache
    edit = TargetEditor(cached / "project" / project_files[0].relative_to(clean / "project"))

    def unchanged() -> None:
        """Undo the previous round's edit and bring the cache up to date with it, untimed."""
        if edit.restore():
            subprocess.run(prime, cwd=cached, capture_output=True, check=False)

    warm = bench.command(prime, cached, before=unchanged)
    changed = bench.changed = bench.command(prime, cached, before=edit)
    bench.rows += [
        Row("same, warm (nothing changed)", warm, "cold --jobs 1", cold1, "<= 0.10x cold"),
        Row("same, warm, one file changed", changed, "cold --jobs 1", cold1, "<= 0.25x cold"),
    ]
    bench.same_as.append(("warm (nothing changed)", warm, cold1, "cold --jobs 1"))

    _progress("generating 1 file x 50 KPIs ...")
    single = workdir / "single"
    generate_single_file(single / "single", kpis=50, seed=seed)
    single_cold = bench.uncached("single", single, 1)
    single_yamllint = bench.command(yamllint_command("single").argv, single,
                                    ok_codes=frozenset({0, 1}))
    single_floor = bench.command(floor_command("single").argv, single)
    bench.rows += [
        Row("1 file x 50 KPIs, cold", single_cold, "yamllint -d relaxed", single_yamllint,
            "<= 1.0x yamllint"),
        Row("1 file x 50 KPIs, cold", single_cold, "parse floor", single_floor, ""),
    ]
    bench.corpora.append(("1 file x 50 KPIs", single_cold, single, "single"))

    _progress(f"breaking {BROKEN_REFERENCES} references in a copy ...")
    broken_dir = workdir / "broken"
    shutil.copytree(clean / "project", broken_dir / "project")
    broken_count = break_references(
        [broken_dir / "project" / path.relative_to(clean / "project") for path in project_files],
        BROKEN_REFERENCES)
    broken = bench.uncached("project", broken_dir, 1)
    bench.rows.append(Row(f"{broken_count} broken references in {files:,} files", broken,
                          "clean, cold --jobs 1", cold1, "<= 1.2x clean"))
    bench.corpora.append((f"{broken_count} broken references", broken, broken_dir, "project"))

    startup = bench.command([*_module("kpilint"), "--version"], workdir)
    startup_yamllint = bench.command([*_module("yamllint"), "--version"], workdir)
    bench.rows.append(Row("start-up (--version)", startup, "yamllint --version",
                          startup_yamllint, ""))
    if large_files:
        _progress(f"generating {large_files:,} files x 5 KPIs ...")
        generate_project(workdir / "large" / "project", files=large_files, kpis=5, seed=seed)
    return bench


def _cell(command: Command | None, pick: Callable[[Command], float]) -> str:
    if command is None:
        return "-"
    if command.failure is not None:
        return command.failure.split(":", 1)[0]
    return f"{pick(command):.3f}" if command.times else "-"


def _ratio(row: Row, pick: Callable[[Command], float]) -> str:
    if row.anchor is None or not row.subject.ok or not row.anchor.ok:
        return "-"
    return f"{pick(row.subject) / pick(row.anchor):.2f}x"


def format_table(rows: Sequence[Row]) -> str:
    """The result table: kpilint's times, the anchor's, and their ratios, one row per line."""
    header = ("work", "kpilint wall", "(median)", "CPU", "anchor", "anchor wall", "CPU",
              "ratio wall", "ratio CPU", "goal")
    table = [header]
    for row in rows:
        table.append((
            row.work,
            _cell(row.subject, lambda c: c.best), _cell(row.subject, lambda c: c.median),
            _cell(row.subject, lambda c: c.best_cpu), row.anchor_name,
            _cell(row.anchor, lambda c: c.best), _cell(row.anchor, lambda c: c.best_cpu),
            _ratio(row, lambda c: c.best), _ratio(row, lambda c: c.best_cpu), row.goal,
        ))
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    left = {0, 4, 9}
    lines = []
    for number, line in enumerate(table):
        cells = [cell.ljust(width) if i in left else cell.rjust(width)
                 for i, (cell, width) in enumerate(zip(line, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def large_rows(bench: Bench, files: int, repeat: int) -> str:
    """The linearity lines: ms per file above the parse floor at 2,000 and at ``files``."""
    large = bench.workdir / "large"
    big = Command(check_argv("project", ["--no-cache", "--jobs", "1", *bench.extra]))
    big_floor = floor_command("project")
    for round_number in range(1, repeat + 1):
        _progress(f"{files:,} files, round {round_number}/{repeat} ...")
        big.run_once(large)
        big_floor.run_once(large)
    lines = ["linearity (cold, --jobs 1; goal: linear, <= 0.5 ms/file above the floor):"]
    small = len(list((bench.workdir / "clean" / "project").rglob("*.kpi.yaml")))
    for count, subject, anchor in ((small, bench.cold, bench.floor), (files + 1, big, big_floor)):
        if not subject.ok or not anchor.ok:
            reason = subject.failure or anchor.failure or "not run"
            lines.append(f"  {count:>6,} files: failed, {reason}")
            continue
        wall = (subject.best - anchor.best) / count * 1000
        cpu = (subject.best_cpu - anchor.best_cpu) / count * 1000
        lines.append(
            f"  {count:>6,} files: kpilint {subject.best:7.2f} s wall {subject.best_cpu:7.2f} s"
            f" CPU; floor {anchor.best:6.2f} s wall {anchor.best_cpu:6.2f} s CPU;"
            f" {subject.best / count * 1000:.2f} ms/file, above the floor {wall:.2f} ms/file"
            f" wall, {cpu:.2f} ms/file CPU")
    return "\n".join(lines)


def lsp_report(edits: int, seed: int) -> str:
    """The language server's latency, as ``lsp_latency.py`` prints it (2,000-file workspace)."""
    argv = [sys.executable, str(BENCHMARKS / "lsp_latency.py"), "--edits", str(edits),
            "--seed", str(seed)]
    _progress(f"language server, {edits} edits ...")
    proc = subprocess.run(argv, capture_output=True, check=False, timeout=TIMEOUT_SECONDS)
    text = proc.stdout.decode("utf-8", "replace").rstrip()
    if proc.returncode != 0:
        text += f"\n(lsp_latency.py exit {proc.returncode}: {_stderr_summary(proc.stderr)})"
    return "language server (benchmarks/lsp_latency.py; goal: re-lint p50 <= 20 ms, p95 <= 50 ms," \
           " first open <= 2 s):\n" + "\n".join(f"  {line}" for line in text.splitlines())


def reference_env(rev: str | None, src: str | None, scratch: Path) -> tuple[str, dict[str, str]]:
    """A label and the environment that runs the reference code's ``kpilint``."""
    if src is None:
        assert rev is not None
        archive = scratch / "reference.tar"
        with open(archive, "wb") as handle:
            # the whole tree: the package reads data beside src/ (schemas, lexicons)
            subprocess.run(["git", "-C", str(REPOSITORY), "archive", rev], stdout=handle,
                           check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(scratch / "reference", filter="data")
        src = str(scratch / "reference" / "src")
        label = f"revision {rev}"
    else:
        label = f"source {src} (within its checkout)"
    env = dict(os.environ, PYTHONPATH=os.path.abspath(src))
    found = subprocess.run([sys.executable, "-c", "import kpilint; print(kpilint.__file__)"],
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    if not os.path.abspath(found).startswith(os.path.abspath(src)):
        raise RuntimeError(f"the reference run would import {found}, not {src}")
    return label, env


def first_difference(expected: bytes, got: bytes) -> str:
    """Where two reports first differ, with the two lines."""
    old_lines, new_lines = expected.splitlines(), got.splitlines()
    for number, (old, new) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        if old != new:
            return (f"first difference at line {number}:\n    - {old.decode(errors='replace')}\n"
                    f"    + {new.decode(errors='replace')}")
    return f"one report is a prefix of the other ({len(old_lines)} vs {len(new_lines)} lines)"


def output_checks(bench: Bench, reference: tuple[str, dict[str, str]] | None) -> list[str]:
    """The lines of the output check; an entry starting with "DIFFERS" is a failure."""
    lines = []
    for label, command, expected, expected_label in bench.same_as:
        if command.ok and expected.ok:
            same = command.digests == {hashlib.sha256(expected.first_stdout).hexdigest()}
            verdict = "identical" if same else "DIFFERS"
            lines.append(f"{verdict}: {label} report(s) vs {expected_label}")
    if reference is not None:
        label, env = reference
        for name, command, cwd, path in bench.corpora:
            if not command.ok:
                continue
            _progress(f"reference run ({label}) on {name} ...")
            ran = Command(check_argv(path, ["--no-cache", "--jobs", "1", *bench.extra]),
                          env=env)
            got = ran.run_once(cwd)
            if not ran.ok:
                lines.append(f"DIFFERS: {name}: the reference run failed, {ran.failure}")
                continue
            timing = (f"reference {ran.best:.2f} s wall {ran.best_cpu:.2f} s CPU, this code"
                      f" {command.best:.2f} s wall {command.best_cpu:.2f} s CPU (best)")
            if len(command.digests) == 1 and got == command.first_stdout:
                digest = hashlib.sha256(got).hexdigest()
                lines.append(f"identical: {name}, cold report vs {label} (sha256 {digest[:16]});"
                             f" {timing}")
            else:
                lines.append(f"DIFFERS: {name}, cold report vs {label}: "
                             f"{first_difference(got, command.first_stdout)}")
    return lines


def _diagnostics_note(name: str, command: Command) -> str | None:
    """How many diagnostics kpilint's JSON reported, or why it could not be read."""
    if not command.ok:
        return None
    try:
        report = json.loads(command.first_stdout)
        summary = report["summary"]
        count = len(report["diagnostics"])
    except (ValueError, KeyError, TypeError) as error:
        return f"{name}: kpilint output is not the JSON report ({error})"
    return (f"{name}: {count} diagnostics ({summary.get('errors')} errors,"
            f" {summary.get('warnings')} warnings, {summary.get('infos')} infos)"
            f" on {summary.get('files')} files")


def _version(argv: list[str], tool: str) -> str:
    """What ``tool --version`` prints, else the installed distribution's version."""
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    printed = proc.stdout.strip().splitlines()
    if printed:
        return printed[0]
    try:
        return f"{tool} {importlib.metadata.version(tool)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{tool} (version unknown)"


def run(args: argparse.Namespace) -> int:
    """Generate, time, check the outputs, print the report; the exit status."""
    with tempfile.TemporaryDirectory(prefix="kpilint-bench-") as tmp:
        workdir = Path(tmp)
        reference = None
        if not args.no_reference:
            reference = reference_env(args.reference_rev, args.reference_src, workdir)
        bench = build(workdir, args.seed, args.kpilint_arg, args.files, args.large_files)
        for round_number in range(1, args.repeat + 1):
            _progress(f"round {round_number}/{args.repeat} ...")
            for command, cwd, before in bench.steps:
                if before is not None:
                    before()
                command.run_once(cwd)
        # the last one-changed report against an uncached run of the same edited files
        after_edit = Command(check_argv("project", ["--no-cache", "--jobs", "1",
                                                    *args.kpilint_arg]))
        after_edit.run_once(workdir / "cached")
        last_changed = Command([], digests={hashlib.sha256(bench.changed.last_stdout).hexdigest()},
                               times=bench.changed.times[-1:])
        bench.same_as.append(("the last one-file-changed", last_changed, after_edit,
                              "an uncached run of the same files"))
        large = ""
        if args.large_files:
            large = large_rows(bench, args.large_files, args.large_repeat)
        lsp = lsp_report(args.lsp_edits, args.seed) if args.lsp_edits else ""
        checks = output_checks(bench, reference)
    print(f"{_version([*_module('kpilint'), '--version'], 'kpilint')} vs "
          f"{_version([*_module('yamllint'), '--version'], 'yamllint')} | "
          f"Python {platform.python_version()} | {platform.system()} {platform.machine()} | "
          f"{os.cpu_count()} CPUs | load average {os.getloadavg()[0]:.1f} | best of"
          f" {args.repeat} (median of the wall times beside it); seconds")
    print(format_table(bench.rows))
    print("CPU = user + system time of the process and its children; ratio = kpilint / anchor"
          " (below 1: kpilint is faster)")
    for part in (large, lsp):
        if part:
            print(f"\n{part}")
    print("\noutput check:")
    print("\n".join(f"- {line}" for line in checks) or "- (nothing compared)")
    notes = [note for name, command, _, _ in bench.corpora
             if (note := _diagnostics_note(name, command))]
    failed = any(line.startswith("DIFFERS") for line in checks)
    for command, _, _ in bench.steps:
        if command.failure is not None:
            failed = True
            notes.append(f"failed: {shlex.join(['python', *command.argv[1:]])}: {command.failure}")
    if notes:
        print("\nnotes:")
        print("\n".join(f"- {note}" for note in notes))
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Time kpilint against yamllint and the parse"
                                                 " floor; check that its output is unchanged.")
    parser.add_argument("--repeat", type=positive_int, default=3,
                        help="rounds of each command (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--files", type=positive_int, default=2000, metavar="N",
                        help="team files of the main project (default 2000, as in issue 14)")
    parser.add_argument("--large-files", type=int, default=20000, metavar="N",
                        help="files of the linearity run (default 20000; 0 skips it)")
    parser.add_argument("--large-repeat", type=positive_int, default=1, metavar="R",
                        help="runs of the linearity run (default 1)")
    parser.add_argument("--lsp-edits", type=int, default=10, metavar="E",
                        help="edits timed in the language server (default 10; 0 skips it)")
    reference = parser.add_mutually_exclusive_group()
    reference.add_argument("--reference-rev", default=REFERENCE_REV, metavar="REV",
                           help=f"git revision whose output must match (default {REFERENCE_REV})")
    reference.add_argument("--reference-src", metavar="DIR",
                           help="another checkout's src directory whose output must match")
    reference.add_argument("--no-reference", action="store_true",
                           help="do not compare with another version's output")
    parser.add_argument("--kpilint-arg", action="append", default=[], metavar="ARG",
                        help="extra argument for every 'kpilint check'")
    args = parser.parse_args(argv)
    missing = [name for name in TOOLS if importlib.util.find_spec(name) is None]
    if missing:
        print(f"not importable with {sys.executable}: {', '.join(missing)}", file=sys.stderr)
        print("install them with: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
