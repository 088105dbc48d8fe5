"""Time and peak memory of `kpilint check` on the hostile inputs of issue 13.

Usage: ``python benchmarks/hostile_scale.py [--only NAME ...] [--src DIR]``

Each scenario is generated into a temporary directory and checked once by a fresh
``sys.executable -m kpilint check`` process; the table gives its wall time, peak resident memory
(the child's ``ru_maxrss``) and exit code. ``--src DIR`` puts another checkout's ``src`` first on
``PYTHONPATH``, to measure a version before a fix with the same script.

| scenario | input |
|---|---|
| one-kgi-5000-files | 5,000 files of one count KPI each, all supporting one KGI (P302) |
| flow-sequence-1m | one flow sequence of 1,000,001 numbers: past limits.max-nodes, E001 |
| big-spec | a 9.9 MiB spec holding 52,000 KPIs |
| formula-640k | a KGI formula of 640,000 terms (T401-T403 and their locations) |
| gitignore-backtracking | `.gitignore`: `*a*a*a*a*a*a*a*a*b`; a spec named with 200 a's |
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TIMEOUT_SECONDS = 600
KPI = ("  - id: {id}\n    name: Calls handled {id}\n    supports: goal\n    unit: count\n"
       "    target: 10\n")
KGI = "version: 1\nkgis:\n  - id: goal\n    name: Goal\n    unit: count\n    target: 100\n"


def one_kgi_many_files(root: Path) -> None:
    (root / "goal.kpi.yaml").write_text(KGI, encoding="utf-8")
    for index in range(5000):
        (root / f"team-{index:04}.kpi.yaml").write_text(
            "version: 1\nkpis:\n" + KPI.format(id=f"calls-{index}"), encoding="utf-8")


def flow_sequence(root: Path) -> None:
    (root / "flow.kpi.yaml").write_text(
        "version: 1\nx-big: [" + "1, " * 1_000_000 + "1]\n", encoding="utf-8")


def big_spec(root: Path) -> None:
    kpis = "".join(KPI.format(id=f"kpi-{index:05}") for index in range(52_000))
    (root / "big.kpi.yaml").write_text(KGI + "kpis:\n" + kpis, encoding="utf-8")


def long_formula(root: Path) -> None:
    terms = " + ".join(f"k{index % 10}" for index in range(640_000))
    kpis = "".join(f"  - id: k{index}\n    name: K{index}\n    unit: count\n    target: 1\n"
                   for index in range(10))
    (root / "formula.kpi.yaml").write_text(
        f"{KGI}    formula: {terms}\nkpis:\n{kpis}", encoding="utf-8")


def gitignore_backtracking(root: Path) -> None:
    (root / ".gitignore").write_text("*a*a*a*a*a*a*a*a*b\n", encoding="utf-8")
    (root / ("a" * 200 + ".kpi.yaml")).write_text(KGI, encoding="utf-8")


SCENARIOS: dict[str, Callable[[Path], None]] = {
    "one-kgi-5000-files": one_kgi_many_files,
    "flow-sequence-1m": flow_sequence,
    "big-spec": big_spec,
    "formula-640k": long_formula,
    "gitignore-backtracking": gitignore_backtracking,
}


def measure(root: Path, src: Path | None) -> tuple[float, float, int | str]:
    """Seconds, peak MiB and exit code of one check of ``root``."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(src), env.get("PYTHONPATH"))))
    (root / "kpilint.toml").write_text('today = "2026-11-23"\n', encoding="utf-8")
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "kpilint", "check", "--quiet", "--output-format", "concise"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = began + TIMEOUT_SECONDS
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            return TIMEOUT_SECONDS, 0.0, "timeout"
        time.sleep(0.02)
    elapsed = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, help="scenarios to run")
    parser.add_argument("--src", type=Path, help="a checkout's src directory to measure instead")
    args = parser.parse_args()
    print(f"{'scenario':<24} {'seconds':>8} {'peak MiB':>9}  exit")
    for name in args.only or SCENARIOS:
        with tempfile.TemporaryDirectory(prefix="kpilint-hostile-") as directory:
            root = Path(directory)
            SCENARIOS[name](root)
            seconds, peak, code = measure(root, args.src)
        print(f"{name:<24} {seconds:8.2f} {peak:9.0f}  {code}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
