"""Time kpilint's YAML composer in-process against libyaml's on the same files.

Usage: ``python benchmarks/composer.py [--files N] [--repeat R] [--seed S] [--src OTHER/src]``

On ``generate_project(outdir, files=N, kpis=5)`` (default 2,000 team files), with the files
already read into memory and the cyclic garbage collector off (as ``kpilint check`` runs), it
prints the least CPU time of R passes (default 5) over all files of:

- libyaml events: ``yaml._yaml.CParser`` producing the event stream, nothing built;
- libyaml compose: ``yaml.CSafeLoader`` composing nodes (the parse floor without file reading);
- kpilint: ``kpilint.load.parse_bytes`` (decoding, the limits, nodes with positions, values).

``--src`` imports ``kpilint`` from another checkout's ``src`` directory instead, to compare two
versions of the composer with the same script. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generate import generate_project, positive_int


def least_cpu(work: Callable[[], object], repeat: int) -> float:
    """The least CPU time of ``repeat`` calls of ``work``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        result = work()
        best = min(best, time.process_time() - started)
        del result
    return best


def arguments(description: str) -> argparse.Namespace:
    """``--files``, ``--repeat``, ``--seed`` and ``--src`` (put first on ``sys.path``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--files", type=positive_int, default=2000)
    parser.add_argument("--repeat", type=positive_int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--src", help="import kpilint from this src directory")
    args = parser.parse_args()
    if args.src:
        sys.path.insert(0, str(Path(args.src).resolve()))
    return args


def project_files(files: int, seed: int) -> list[tuple[str, bytes]]:
    """The name and bytes of each spec file of a generated ``files`` x 5 KPIs project."""
    with tempfile.TemporaryDirectory(prefix="kpilint-bench-") as scratch:
        paths = generate_project(Path(scratch) / "project", files=files, kpis=5, seed=seed)
        return [(path.name, path.read_bytes()) for path in paths]


def main() -> int:
    """Command line entry point."""
    args = arguments(__doc__.split("\n\n")[0])
    import yaml
    from yaml import _yaml

    from kpilint.load import Limits, parse_bytes

    data = [item for _, item in project_files(args.files, args.seed)]
    texts = [item.decode("utf-8") for item in data]
    limits = Limits()

    def events() -> int:
        count = 0
        for text in texts:
            parser = _yaml.CParser(text)
            while parser.check_event():
                parser.get_event()
                count += 1
            parser.dispose()
        return count

    def compose() -> list[object]:
        nodes: list[object] = []
        for text in texts:
            loader = yaml.CSafeLoader(text)
            nodes.append(loader.get_single_node())
            loader.dispose()
        return nodes

    def kpilint() -> list[object]:
        return [parse_bytes(item, limits) for item in data]

    gc.disable()
    count = events()
    floor = least_cpu(compose, args.repeat)
    print(f"{len(data)} files, {sum(map(len, data)) / 1e6:.1f} MB, {count:,} events;"
          f" kpilint from {sys.modules['kpilint.load'].__file__}")
    print(f"least CPU of {args.repeat}, garbage collector off:")
    for label, seconds in (("libyaml events", least_cpu(events, args.repeat)),
                           ("libyaml compose", floor),
                           ("kpilint parse_bytes", least_cpu(kpilint, args.repeat))):
        print(f"  {label:<20} {seconds:6.3f} s   {seconds / floor:5.2f}x libyaml compose")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
