"""The parse floor: read every YAML file under the given paths and compose it with libyaml.

Usage: ``python benchmarks/parse_floor.py PATH...``

What any tool that reads these files must at least do, in one process: walk the directories,
read and decode each ``*.yaml`` / ``*.yml`` file, and compose its documents with PyYAML's C
loader (``yaml.CSafeLoader``: libyaml's parser, the Cython composer and the YAML 1.1 tag
resolver; no values are constructed). ``benchmarks/run.py`` times it beside kpilint. Prints the
number of files and documents read.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence

import yaml

SUFFIXES = (".yaml", ".yml")


def yaml_files(paths: Sequence[str]) -> Iterator[str]:
    """The YAML files under ``paths``, in a stable order."""
    for path in paths:
        if os.path.isfile(path):
            yield path
            continue
        for directory, subdirectories, names in os.walk(path):
            subdirectories.sort()
            for name in sorted(names):
                if name.endswith(SUFFIXES):
                    yield os.path.join(directory, name)


def compose_file(path: str) -> int:
    """Read, decode and compose ``path``; the number of documents."""
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8")
    loader = yaml.CSafeLoader(text)
    documents = 0
    try:
        while loader.check_node():
            loader.get_node()
            documents += 1
    finally:
        loader.dispose()
    return documents


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths:
        print("usage: parse_floor.py PATH...", file=sys.stderr)
        return 2
    files = documents = 0
    for path in yaml_files(paths):
        documents += compose_file(path)
        files += 1
    print(f"{files} files, {documents} documents composed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
