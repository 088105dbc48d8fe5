"""Where the rule pages (``rules/``) and schemas (``schemas/``) are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).parent / "_data"
_CHECKOUT = Path(__file__).resolve().parents[2]


def data_path(*parts: str) -> Path:
    """A file shipped in the wheel under ``kpilint/_data``, or found in the source checkout."""
    base = _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT
    return base.joinpath(*parts)
