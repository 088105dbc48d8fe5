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

import gc
import sys

from composer import arguments, least_cpu, project_files


def main() -> int:
    """Command line entry point."""
    args = arguments(__doc__.split("\n\n")[0])
    from kpilint.build import build_spec_file
    from kpilint.load import Limits, parse_bytes

    data = project_files(args.files, args.seed)
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
