"""The tests of rule packs (SPEC 10.7): a field test and a count test, evaluated on entities.

A field test reads the field's nodes, never the validated model, so ``x-`` keys and values the
model rejects are tested as written: string tests read the scalar's source text, ``min``/``max``
its number. An absent field (no key, or a null value) passes every test but ``required``.
Patterns run on RE2 (``google-re2``), in time linear in the text, whatever a pack's author wrote.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kpilint.diagnostics import Location, Span
from kpilint.load import LINE_BREAK, MappingNode, Node, ScalarNode, SequenceNode

if TYPE_CHECKING:
    from kpilint.build import EntityRecord
    from kpilint.model import Entity

CHECKS = ("required", "pattern", "not-pattern", "enum", "min", "max", "min-length", "max-length")
COUNTS = {"kpis": "KPI", "ksfs": "KSF"}
PLACEHOLDER = re.compile(r"\{(id|name|field|value)\}")


FileText = Callable[[], str]
"""The text of the entity's file, read only for a collection's source text."""


@dataclass(frozen=True, slots=True)
class Value:
    """One tested value of a field: its node and its field path."""

    node: Node
    path: str
    file_text: FileText

    @property
    def span(self) -> Span:
        return self.node.span

    @property
    def text(self) -> str:
        """The value's source text (for ``{value}``)."""
        return source_text(self.node, self.file_text())


@dataclass(frozen=True, slots=True)
class FieldTest:
    """``field`` with one check; ``pattern`` holds the compiled RE2 pattern of (not-)pattern."""

    field: str
    check: str
    argument: Any
    pattern: Any = None

    def values(self, record: EntityRecord[Entity], text: FileText) -> list[Value] | None:
        """The field's values (a list field: each item), or None when it is absent."""
        node: Node = record.node
        for part in self.field.split("."):
            pair = node.get(part) if isinstance(node, MappingNode) else None
            if pair is None:
                return None
            node = pair[1]
        if isinstance(node, ScalarNode) and node.value is None and node.invalid is None:
            return None
        if isinstance(node, SequenceNode):
            return [Value(item, f"{self.field}[{index}]", text)
                    for index, item in enumerate(node.items)]
        return [Value(node, self.field, text)]

    def failures(self, record: EntityRecord[Entity], text: FileText) -> Iterator[Value | None]:
        """The values that fail (None: a required field is absent)."""
        values = self.values(record, text)
        if values is None:
            if self.check == "required":
                yield None
            return
        for value in values:
            if not self.passes(value):
                yield value

    def selects(self, record: EntityRecord[Entity]) -> bool:
        """As ``where``: the field is present and every value passes."""
        values = self.values(record, _no_text)
        return values is not None and all(self.passes(value) for value in values)

    def passes(self, value: Value) -> bool:
        """Whether one present value passes the check."""
        if self.check == "required":
            return True
        node = value.node
        if not isinstance(node, ScalarNode):
            return False  # a mapping or list item is no string and no number
        if self.check == "pattern":
            return self.pattern.search(node.text) is not None
        if self.check == "not-pattern":
            return self.pattern.search(node.text) is None
        if self.check == "enum":
            return node.text in self.argument
        if self.check == "min-length":
            return len(node.text) >= int(self.argument)
        if self.check == "max-length":
            return len(node.text) <= int(self.argument)
        number = node.value
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            return False
        return bool(number >= self.argument if self.check == "min" else number <= self.argument)


@dataclass(frozen=True, slots=True)
class CountTest:
    """``count`` (kpis or ksfs: the supporters of that kind) with ``min`` and/or ``max``."""

    count: str
    min: float | None
    max: float | None

    @property
    def kind(self) -> str:
        return COUNTS[self.count]

    def passes(self, number: int) -> bool:
        return not ((self.min is not None and number < self.min)
                    or (self.max is not None and number > self.max))


def _no_text() -> str:
    """Selecting reads no source text beyond the scalars' own."""
    return ""


def source_text(node: Node, text: str) -> str:
    """A node's source text: a scalar's value as written, or a collection's slice of the file."""
    if isinstance(node, ScalarNode):
        return node.text
    starts = [0, *(match.end() for match in LINE_BREAK.finditer(text))]
    span = node.span

    def offset(line: int, column: int) -> int:
        return (starts[line - 1] if line <= len(starts) else len(text)) + column - 1

    return text[offset(span.line, span.column):offset(span.end_line, span.end_column)].strip()


def message_text(template: str, record: EntityRecord[Entity], field: str, value: str) -> str:
    """``template`` with {id}, {name}, {field} and {value} substituted, and nothing else."""
    name = getattr(record.model, "name", None)
    replacements = {"id": record.id, "name": "" if name is None else str(name),
                    "field": field, "value": value}
    return PLACEHOLDER.sub(lambda match: replacements[match[1]], template)


def value_location(record: EntityRecord[Entity], value: Value | None) -> Location:
    """A finding's place: the failing value, else (an absent field) the entity."""
    return record.at_entity() if value is None else Location(record.path, value.span)
