"""A quick "certainly valid" check of a JSON value against one of kpilint's JSON Schemas.

Importing jsonschema costs more than linting a small project, and almost every configuration is
valid. :func:`certainly_valid` answers True only when it can prove the value valid with the few
keywords kpilint's schemas use (``type``, ``enum``, ``properties``, ``additionalProperties``,
``items``, ``$ref`` to ``#/$defs/...``, ``anyOf``, ``minimum``, ``maximum``,
``exclusiveMinimum``, ``minLength``, ``minItems``, ``uniqueItems`` of strings; ``format`` and the
other annotations assert nothing, as for a validator made without a format checker). Anything
else, and every invalid value, answers False: the caller then runs jsonschema, which finds the
error and words it as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "format", "$defs", "default",
                         "examples", "$comment"})


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": _number,
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}


def certainly_valid(value: Any, schema: Mapping[str, Any]) -> bool:
    """True when ``value`` is valid under ``schema`` for sure; False: not known (ask jsonschema)."""
    try:
        return _valid(value, schema, schema)
    except RecursionError:
        return False


def _valid(value: Any, schema: Any, root: Mapping[str, Any]) -> bool:
    if schema is True:
        return True
    if not isinstance(schema, Mapping):
        return False
    for keyword, expected in schema.items():
        if keyword in ANNOTATIONS:
            continue
        check = KEYWORDS.get(keyword)
        if check is None or not check(value, expected, schema, root):
            return False
    return True


def _type(value: Any, expected: Any, schema: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    names = expected if isinstance(expected, list) else [expected]
    return any(name in TYPES and TYPES[name](value) for name in names)


def _enum(value: Any, expected: Any, schema: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    # Python's == differs from JSON's for booleans and numbers; strings are safe.
    return isinstance(value, str) and isinstance(expected, list) and value in expected


def _ref(value: Any, expected: Any, schema: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    prefix = "#/$defs/"
    if not isinstance(expected, str) or not expected.startswith(prefix):
        return False
    target = root.get("$defs", {}).get(expected[len(prefix):])
    return target is not None and _valid(value, target, root)


def _any_of(value: Any, expected: Any, schema: Mapping[str, Any],
            root: Mapping[str, Any]) -> bool:
    return isinstance(expected, list) and any(_valid(value, each, root) for each in expected)


def _properties(value: Any, expected: Any, schema: Mapping[str, Any],
                root: Mapping[str, Any]) -> bool:
    if not isinstance(value, dict):
        return True
    return all(_valid(value[key], each, root) for key, each in expected.items() if key in value)


def _additional(value: Any, expected: Any, schema: Mapping[str, Any],
                root: Mapping[str, Any]) -> bool:
    if not isinstance(value, dict):
        return True
    if "patternProperties" in schema:
        return False
    known = schema.get("properties", {})
    extra = [key for key in value if key not in known]
    if expected is False:
        return not extra
    return all(_valid(value[key], expected, root) for key in extra)


def _items(value: Any, expected: Any, schema: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    if not isinstance(value, list):
        return True
    return isinstance(expected, Mapping) and all(_valid(item, expected, root) for item in value)


def _bound(test: Callable[[Any, Any], bool]) -> Callable[..., bool]:
    def check(value: Any, expected: Any, schema: Mapping[str, Any],
              root: Mapping[str, Any]) -> bool:
        return not _number(value) or (_number(expected) and test(value, expected))
    return check


def _min_length(value: Any, expected: Any, schema: Mapping[str, Any],
                root: Mapping[str, Any]) -> bool:
    # JSON Schema counts code points, as len() does.
    return not isinstance(value, str) or (isinstance(expected, int) and len(value) >= expected)


def _min_items(value: Any, expected: Any, schema: Mapping[str, Any],
               root: Mapping[str, Any]) -> bool:
    return not isinstance(value, list) or (isinstance(expected, int) and len(value) >= expected)


def _unique(value: Any, expected: Any, schema: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    if expected is not True or not isinstance(value, list):
        return expected is False or not isinstance(value, list)
    return all(isinstance(item, str) for item in value) and len(set(value)) == len(value)


KEYWORDS: dict[str, Callable[[Any, Any, Mapping[str, Any], Mapping[str, Any]], bool]] = {
    "type": _type,
    "enum": _enum,
    "$ref": _ref,
    "anyOf": _any_of,
    "properties": _properties,
    "additionalProperties": _additional,
    "items": _items,
    "minimum": _bound(lambda value, limit: value >= limit),
    "maximum": _bound(lambda value, limit: value <= limit),
    "exclusiveMinimum": _bound(lambda value, limit: value > limit),
    "minLength": _min_length,
    "minItems": _min_items,
    "uniqueItems": _unique,
}
