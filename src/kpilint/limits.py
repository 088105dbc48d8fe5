"""The reading limits of a spec file (apart from :mod:`kpilint.load`, whose YAML reader a run
answered by its kept report never imports)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """The reading limits of SPEC §2 (config ``[limits]``)."""

    max_file_bytes: int = 10 * 1024 * 1024
    max_depth: int = 256
    max_nodes: int = 1_000_000
