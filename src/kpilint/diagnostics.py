"""The diagnostic record every rule produces and every renderer consumes."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

# Characters a terminal, log viewer or editor acts on rather than shows: C0 controls (line
# breaks and tabs included: a finding is one line), DEL, C1, Unicode line and paragraph
# separators, and bidirectional controls that reorder what is shown ("trojan source"). Python
# counts each of them unprintable (``str.isprintable``); the pattern is compiled (by ``re``, once)
# for the first text that has an unprintable character.
UNPRINTABLE = ("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e"
               "\u2066-\u2069]")


def plural(count: int, word: str) -> str:
    """``1 file``, ``2 files``: a count with its noun."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def printable(text: str) -> str:
    """``text`` safe to print in human-readable output: each control character shown as an
    escape (``\\x1b``, ``\\u2028``), as ``repr`` would, so spec content cannot drive the
    terminal (``ESC ]0;...`` retitles it, ``ESC [2J`` clears it)."""
    if text.isprintable():  # holds none of them: most text, without the regex
        return text
    return re.sub(UNPRINTABLE, _escape, text)


_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    character = match[0]
    code = ord(character)
    if character in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[character]
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


class Severity(enum.IntEnum):
    """Finding severity; the order lets ``fail-on`` compare them."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read ``error``/``warning``/``info`` (or their initials E/W/I)."""
        by_name = {"error": cls.ERROR, "warning": cls.WARNING, "info": cls.INFO,
                   "e": cls.ERROR, "w": cls.WARNING, "i": cls.INFO}
        try:
            return by_name[text.lower()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


@dataclass(frozen=True, slots=True)
class Span:
    """A source range: 1-based lines and code-point columns, end column exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def file_start(cls) -> Span:
        return cls(1, 1, 1, 1)


@dataclass(frozen=True, slots=True)
class Location:
    """A span in one file (``path`` as the project knows it)."""

    path: str
    span: Span


@dataclass(frozen=True, slots=True)
class Related:
    """Another place involved in a finding (the first duplicate, the KPIs of a KGI...)."""

    location: Location
    message: str


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text of ``span`` with ``text``."""

    span: Span
    text: str


SAFE, UNSAFE = "safe", "unsafe"


@dataclass(frozen=True, slots=True)
class Fix:
    """A correction: ``safe`` when certain (a "did you mean" with exactly one candidate,
    removing an unused suppression code), ``unsafe`` when it changes meaning (SPEC 10.8)."""

    message: str
    edits: tuple[Edit, ...]
    applicability: str = SAFE


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule reports; the engine adds code, name, severity and url."""

    location: Location
    message: str
    subject: str | None = None
    field: str | None = None
    related: tuple[Related, ...] = ()
    fix: Fix | None = None


# Spans, locations, related places and findings at about half the cost, for the places the
# composer, the rules and the cache make by the thousand: a frozen dataclass's ``__init__`` sets
# each field through ``object.__setattr__``; these set the slots through their descriptors
# instead. The results are ordinary, equal, hashable and still immutable objects
# (tests/test_scalar_cache.py and tests/test_build_quick.py check them against the classes).
def _slot_setters(cls: type, *names: str) -> list[Any]:
    return [cls.__dict__[name].__set__ for name in names]


_new_object = object.__new__
_SET_LINE, _SET_COLUMN, _SET_END_LINE, _SET_END_COLUMN = _slot_setters(
    Span, "line", "column", "end_line", "end_column")
_SET_PATH, _SET_SPAN = _slot_setters(Location, "path", "span")
_SET_RELATED_LOCATION, _SET_RELATED_MESSAGE = _slot_setters(Related, "location", "message")
(_SET_VIOLATION_LOCATION, _SET_MESSAGE, _SET_SUBJECT, _SET_FIELD, _SET_RELATED,
 _SET_FIX) = _slot_setters(Violation, "location", "message", "subject", "field", "related", "fix")


def new_span(line: int, column: int, end_line: int, end_column: int) -> Span:
    """``Span(line, column, end_line, end_column)``, built through its slots (see above)."""
    span: Span = _new_object(Span)
    _SET_LINE(span, line)
    _SET_COLUMN(span, column)
    _SET_END_LINE(span, end_line)
    _SET_END_COLUMN(span, end_column)
    return span


def new_location(path: str, span: Span) -> Location:
    """``Location(path, span)``, built through its slots."""
    location: Location = _new_object(Location)
    _SET_PATH(location, path)
    _SET_SPAN(location, span)
    return location


def new_related(location: Location, message: str) -> Related:
    """``Related(location, message)``, built through its slots."""
    related: Related = _new_object(Related)
    _SET_RELATED_LOCATION(related, location)
    _SET_RELATED_MESSAGE(related, message)
    return related


def new_violation(location: Location, message: str, subject: str | None, field_path: str | None,
                  related: tuple[Related, ...]) -> Violation:
    """``Violation(location, message, subject, field_path, related)`` (no fix), built through
    its slots."""
    violation: Violation = _new_object(Violation)
    _SET_VIOLATION_LOCATION(violation, location)
    _SET_MESSAGE(violation, message)
    _SET_SUBJECT(violation, subject)
    _SET_FIELD(violation, field_path)
    _SET_RELATED(violation, related)
    _SET_FIX(violation, None)
    return violation


@dataclass(slots=True)
class Diagnostic:
    """One finding, complete: what the renderers print."""

    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    url: str
    subject: str | None = None
    field: str | None = None
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    fingerprint: str = ""
    project_path: str = ""


position = attrgetter("location.path", "location.span.line", "location.span.column", "code")
"""Where a diagnostic sorts: path, line, column, code (read in C, to sort many findings)."""
