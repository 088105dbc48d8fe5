"""Time kpilint's model builder in-process: YAML nodes to validated entities and E002 findings.

Usage: ``python benchmarks/build.py [--files N] [--repeat R] [--seed S] [--src OTHER/src]``

On ``generate_project(outdir, files=N, kpis=5)`` (default 2,000 team files), with every file
already read and composed in memory and the cyclic garbage collector off (as ``kpilint check``
runs), it prints the least CPU time of R passes (default 5) over all files of:

- compose: ``kpilint.load.parse_bytes`` (for scale: what the builder starts from);
- build: ``kpilint.build.build_spec_file`` on the composed files.

``--src`` imports ``kpilint`` from another checkout's ``src`` directory instead, to compare two
versions of the builder with the same script. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
from pathlib import Path

from composer import least_cpu
from generate import generate_project, positive_int


def main() -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=positive_int, default=2000)
    parser.add_argument("--repeat", type=positive_int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--src", help="import kpilint from this src directory")
    args = parser.parse_args()
    if args.src:
        sys.path.insert(0, str(Path(args.src).resolve()))
    from kpilint.build import build_spec_file
    from kpilint.load import Limits, parse_bytes

    with tempfile.TemporaryDirectory(prefix="kpilint-build-") as scratch:
        paths = generate_project(Path(scratch) / "project", files=args.files, kpis=5,
                                 seed=args.seed)
        data = [(path.name, path.read_bytes()) for path in paths]
    limits = Limits()
    gc.disable()
    loaded = [(name, parse_bytes(item, limits)) for name, item in data]
    entities = sum(len(build_spec_file(name, item).entities) for name, item in loaded)

    def compose() -> list[object]:
        return [parse_bytes(item, limits) for _, item in data]

    def build() -> list[object]:
        return [build_spec_file(name, item) for name, item in loaded]

    compose_time = least_cpu(compose, args.repeat)
    print(f"{len(data)} files, {entities:,} entities;"
          f" kpilint from {sys.modules['kpilint.build'].__file__}")
    print(f"least CPU of {args.repeat}, garbage collector off:")
    for label, seconds in (("compose", compose_time),
                           ("build", least_cpu(build, args.repeat))):
        print(f"  {label:<14} {seconds:6.3f} s   {seconds * 1e6 / entities:6.1f} us/entity"
              f"   {seconds / compose_time:5.2f}x compose")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
