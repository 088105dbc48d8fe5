"""Building blocks shared by rule modules: "field is missing" rules, KPI names matched against a
lexicon, and indicator inference."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from kpilint.build import EntityRecord, SpecFile
from kpilint.diagnostics import Related, Violation, new_violation
from kpilint.lexicon import NEITHER, Lexicon, Term, indicator_lexicon
from kpilint.model import Entity, Kpi
from kpilint.rule import Context, FileRule, Option, entities_of_kinds, kpis_of

TERMS_SCHEMA = {"type": "array", "items": {"type": "string", "minLength": 1}}


def describe(record: EntityRecord[Entity]) -> str:
    """How messages name an entity: ``KPI 'leads'``."""
    return f"{record.kind} '{record.id}'"


def repeat_of(record: EntityRecord[Entity], first: EntityRecord[Entity], field: str,
              claim: str, advice: str, note: str) -> Violation:
    """``record``'s ``field`` repeats ``first``'s: "CLAIM at PATH:LINE" then ADVICE, at
    ``record``'s field, with ``first``'s field as the related location noted NOTE."""
    return Original.of(first, field, note).repeat(record, claim, advice)


@dataclass(frozen=True, slots=True)
class Original:
    """The first entity whose ``field`` others repeat, with what each repeat's finding says of
    it, made once for a rule that reports many repeats of one first."""

    field: str
    related: tuple[Related]
    """The first's field, as every repeat's one related location."""
    where: str
    """" at PATH:LINE", the place of the first's field."""

    @classmethod
    def of(cls, first: EntityRecord[Entity], field: str, note: str) -> Original:
        """``first``'s ``field`` as the related location noted NOTE."""
        location = first.at_field(field)
        return cls(field, (Related(location, note),),
                   f" at {location.path}:{location.span.line}")

    def repeat(self, record: EntityRecord[Entity], claim: str, advice: str) -> Violation:
        """``record``'s repeat: "CLAIM at PATH:LINE" then ADVICE, at ``record``'s field."""
        return self.said(record, f"{claim}{self.where}{advice}")

    def said(self, record: EntityRecord[Entity], message: str) -> Violation:
        """``record``'s repeat with its whole message, at ``record``'s field."""
        return new_violation(record.at_field(self.field), message, record.id, self.field,
                             self.related)


def number(value: float) -> str:
    """A number as people write it: ``100,000,000``, ``0.25``."""
    return f"{int(value):,}" if value.is_integer() else f"{value:,}"


@functools.cache
def _extended(lexicon: Lexicon, terms: tuple[str, ...], meaning: str) -> Lexicon:
    return lexicon.extended((term, meaning or term) for term in terms)


def extended(lexicon: Lexicon, terms: list[str], meaning: str = "") -> Lexicon:
    """``lexicon`` plus the user's ``terms`` from an ``extend-terms`` option."""
    return _extended(lexicon, tuple(terms), meaning) if terms else lexicon


def broken_supports(record: EntityRecord[Entity], targets: str) -> str | None:
    """Why an entity's `supports` links it to nothing although it was written: the field is
    invalid (E002) or names no entity of the right kind (E005). None when it was left out."""
    if "supports" in record.invalid:
        return "its `supports` is not an id or a list of ids; fix it (E002 says where)"
    if getattr(record.model, "supports", None):
        return (f"none of its `supports` names an existing {targets}; fix the reference"
                " (E005 says where)")
    return None


def example_deadline(today: datetime.date) -> str:
    """The end of the quarter after today's: a plausible deadline to show in advice."""
    quarter = (today.month - 1) // 3 + 1
    year, quarter = (today.year + 1, 1) if quarter == 4 else (today.year, quarter + 1)
    month = quarter * 3
    next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (next_month - datetime.timedelta(days=1)).isoformat()


class MissingField(FileRule):
    """Reports entities of ``kinds`` that leave ``field_name`` out, at the entity."""

    field_name: ClassVar[str]
    kinds: ClassVar[tuple[str, ...]]

    def advice(self, record: EntityRecord[Entity], context: Context) -> str:
        """What to add, with an example."""
        raise NotImplementedError

    def message(self, record: EntityRecord[Entity], context: Context) -> str | None:
        """The finding's message, or None when the entity does not need the field after all."""
        from kpilint.dialects import dialect_named

        dialect = dialect_named(record.dialect)
        advice = dialect.missing_advice(self.field_name) if dialect else None
        return (f"{describe(record)} has no `{self.field_name}`:"
                f" {advice or self.advice(record, context)}")

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        name = self.field_name
        for record in entities_of_kinds(spec, self.kinds):  # record.lacks(name), inline
            if getattr(record.model, name, None) is None and name not in record.invalid:
                message = self.message(record, context)
                if message is not None:
                    yield Violation(record.at_entity(), message, subject=record.id)


ValueT = TypeVar("ValueT")


class Memo(dict[str, ValueT]):
    """What ``compute`` says of each text, asked once per distinct text (a rule's lexicons stay
    as its options made them, so a name is matched once however many entities bear it). It
    starts afresh past ``limit`` texts (a language server sees every name typed)."""

    def __init__(self, compute: Callable[[str], ValueT], limit: int = 65536) -> None:
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, text: str) -> ValueT:
        if len(self) >= self.limit:
            self.clear()
        value = self[text] = self.compute(text)
        return value


class KpiNameRule(FileRule):
    """Reports each KPI whose name a lexicon matches, at the `name` value (KGIs are outcomes)."""

    @functools.cached_property
    def _terms(self) -> Memo[Term | None]:
        """The term each KPI name matches."""
        return Memo(self.matcher())

    def matcher(self) -> Callable[[str], Term | None]:
        """The lexicon's match, with the user's ``extend-terms``."""
        raise NotImplementedError

    def message(self, kpi_id: str, term: Term) -> str:
        raise NotImplementedError

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        terms = self._terms
        for kpi in kpis_of(spec):
            term = terms[kpi.model.name]
            if term is not None:
                yield Violation(kpi.at_field("name"), self.message(kpi.id, term),
                                subject=kpi.id, field="name")


INDICATOR_OPTIONS: Mapping[str, Option] = {
    "extend-leading": Option([], TERMS_SCHEMA, "more names of leading indicators"),
    "extend-lagging": Option([], TERMS_SCHEMA, "more names of lagging indicators"),
}


@functools.cache
def _indicator_terms(leading: tuple[str, ...], lagging: tuple[str, ...]) -> Lexicon:
    extra = [(phrase, "leading") for phrase in leading]
    extra += [(phrase, "lagging") for phrase in lagging]
    return indicator_lexicon().extended(extra)


class IndicatorInference:
    """For rules that need a KPI's indicator: declared, else guessed from its name."""

    options: ClassVar[Mapping[str, Option]] = INDICATOR_OPTIONS
    settings: Mapping[str, object]

    def _lexicon(self) -> Lexicon:
        leading = self.settings.get("extend-leading", [])
        lagging = self.settings.get("extend-lagging", [])
        assert isinstance(leading, list) and isinstance(lagging, list)
        return _indicator_terms(tuple(leading), tuple(lagging))

    def guess(self, kpi: Kpi) -> tuple[str, str] | None:
        """(indicator, the phrase it was recognised by) from the KPI's name, or None."""
        term = self._lexicon().match(kpi.name)
        return (term.value, term.phrase) if term and term.value != NEITHER else None

    def indicator(self, kpi: Kpi) -> str | None:
        """The declared indicator, else the lexicon's guess."""
        if kpi.indicator is not None:
            return kpi.indicator
        guessed = self.guess(kpi)
        return guessed[0] if guessed else None
