"""JSON text exactly as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it, faster.

With an indent, CPython's :mod:`json` runs its pure-Python encoder (a generator per container,
one ``yield`` per token): for an 11 MB report that is most of the rendering. Here strings and
other scalars go through the C encoder one at a time (``encode_basestring``, ``json.dumps``
without an indent encodes a scalar exactly as with one) and containers are joined in place.
:func:`dumps` takes what reports hold: dicts with string keys, lists, tuples, strings, ints,
floats, booleans and None; anything else is a :class:`TypeError`, as in :mod:`json`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from json.encoder import encode_basestring
from typing import Any

INDENT = "  "
__all__ = ["INDENT", "dumps", "encode_basestring", "scalar"]


def dumps(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, byte for byte."""
    parts: list[str] = []
    _write(value, parts, "\n")
    return "".join(parts)


def scalar(value: Any) -> str:
    """A string, number, boolean or None as JSON (the C encoder's spelling)."""
    if value.__class__ is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value.__class__ is int:
        return int.__repr__(value)
    if isinstance(value, (str, int, float)):  # bools, floats, subclasses: as json spells them
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _write(value: Any, parts: list[str], newline: str) -> None:
    """Append ``value`` to ``parts``; ``newline`` is a line break and the current indent."""
    append = parts.append
    if isinstance(value, dict):
        items: Iterable[tuple[str, Any]] = (
            (encode_basestring(key if key.__class__ is str else _key(key)) + ": ", item)
            for key, item in value.items())
        brackets = "{}"
    elif isinstance(value, (list, tuple)):
        items = (("", item) for item in value)
        brackets = "[]"
    else:
        append(scalar(value))
        return
    if not value:
        append(brackets)
        return
    inner = newline + INDENT
    separator = brackets[0] + inner
    for label, item in items:
        append(separator + label)
        if item.__class__ is str:
            append(encode_basestring(item))
        elif isinstance(item, (dict, list, tuple)):
            _write(item, parts, inner)
        else:
            append(scalar(item))
        separator = "," + inner
    append(newline + brackets[1])


def _key(key: Any) -> str:
    """A dict key as :mod:`json` turns it into a string (numbers, booleans and None too)."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (int, float)):
        return scalar(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
