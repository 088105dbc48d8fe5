"""What a KPI's wording says: definitions that add nothing to the name (S204), volume KPIs (P302).

The word lists are data: ``rules/lexicons/definition-words.yaml``,
``rules/lexicons/count-nouns.yaml``, and the period and per words of
``rules/lexicons/vanity*.yaml``, read and matched through :mod:`kpilint.lexicon`. English is
compared word by word (case- and plural-insensitive); Japanese, written without spaces, is split
into runs of one script and compared by substring, with no morphological analyser.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter

from kpilint.formula import CURRENCY, TIME_UNITS
from kpilint.lexicon import Lexicon, is_unspaced, lexicon, normalise, read_lexicon, singular, words

# The words of Japanese text: runs of one script, kanji, katakana, or Latin letters and digits.
# Hiragana runs (particles and endings: の, を, した) are not words here.
JAPANESE_WORD = r"[\u3400-\u4dbf\u4e00-\u9fff々〆ヶ]+|[\u30a0-\u30ff\uff66-\uff9f]+|[a-z0-9]+"
TRAILING_BRACKETS = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
PER = re.compile(r"\bper\b|/")
DIVIDED_BY = re.compile(r"(?:\bper\b|/)\s*([^/]*)")  # "per" or "/", then what divides
RATE_UNITS = frozenset({"percent", "ratio", "score", "%"})
JAPANESE_AVERAGE = "平均"


@dataclass(frozen=True, slots=True)
class DefinitionWords:
    """Words a definition may use without saying anything its name does not."""

    generic_words: frozenset[str]  # English stop and measure words
    japanese_generic_words: tuple[str, ...]  # stop and measure words, longest first


@functools.cache
def definition_words() -> DefinitionWords:
    data = read_lexicon("definition-words")
    japanese = (normalise(word)
                for word in data["japanese-stop-words"] + data["japanese-measure-words"])
    return DefinitionWords(
        frozenset(words(" ".join(data["stop-words"] + data["measure-words"]))),
        tuple(sorted(japanese, key=len, reverse=True)))


@functools.cache
def _japanese_word() -> re.Pattern[str]:
    """``JAPANESE_WORD``, compiled for the first Japanese definition (Python's ``re`` takes a
    millisecond over its classes)."""
    return re.compile(JAPANESE_WORD)


def definition_flaws(name: str, definition: str, unit: str | None) -> list[str]:
    """Why ``definition`` cannot pin the metric down, as phrases for a message (none if sound).

    Nonsense: fewer than 3 distinct words, or one word making up more than half of them.
    Circular: once stop words, generic measure words and the unit's words are dropped, nothing
    is left that is not a word of the name.
    """
    found, flaws, content = _definition_words(definition)
    if content is None:
        circular = _japanese_circular(name, found, unit)
    else:
        name_words, unit_words = words(name), words(unit or "")
        # more distinct words than the name and unit hold together: some word is the
        # definition's own (most definitions), without comparing sets
        circular = len(content) <= len(name_words) + len(unit_words) and content.difference(
            unit_words).issubset(name_words)
    return [*flaws, "adds nothing to its name"] if circular else list(flaws)


@functools.lru_cache(maxsize=8192)
def _definition_words(
        definition: str) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str] | None]:
    """What a definition's text alone says: its words (Japanese: runs of one script), why they
    are nonsense, and for English the words that are not generic (None for Japanese)."""
    if is_unspaced(definition):
        found = tuple(_japanese_word().findall(normalise(definition)))
        content = None
    else:
        found = words(definition)
        content = frozenset(found) - definition_words().generic_words
    counts = Counter(found)
    if len(counts) < 3:
        return found, (f"has only {len(counts)} distinct word{'' if len(counts) == 1 else 's'}",
                       ), content
    word, repeats = max(counts.items(), key=itemgetter(1))  # the first most common
    if repeats * 2 > len(found):
        return found, (f"repeats '{word}' in {repeats} of its {len(found)} words",), content
    return found, (), content


def _english_circular(name: str, found: list[str], unit: str | None) -> bool:
    left = set(found)
    left -= definition_words().generic_words
    left.difference_update(words(unit or ""))
    return left <= set(words(name))


def _japanese_circular(name: str, runs: tuple[str, ...], unit: str | None) -> bool:
    """Every run, once stop and measure words and the unit are cut out of it, is part of the
    name (by substring); what is left of a Latin run may also be English generic words."""
    vocabulary = definition_words()
    name_text = normalise(name)
    generic = (*vocabulary.japanese_generic_words, *((normalise(unit),) if unit else ()))
    for run in runs:
        pieces = [run]
        for word in generic:
            pieces = [part for piece in pieces for part in piece.split(word)]
        if not all(not piece or piece in name_text
                   or (piece.isascii() and _english_circular(name, list(words(piece)), unit))
                   for piece in pieces):
            return False
    return True


@dataclass(frozen=True, slots=True)
class CountNouns:
    """What marks a volume: count-noun units, counters, name prefixes and endings; and the
    period and per words of the vanity lexicon, which tell a window from a rate."""

    units: frozenset[str]
    japanese_counters: frozenset[str]
    name_prefixes: tuple[str, ...]
    japanese_name_endings: Lexicon
    japanese_not_counts: Lexicon
    periods: Lexicon
    japanese_per_words: tuple[str, ...]


@functools.cache
def count_nouns() -> CountNouns:
    data = read_lexicon("count-nouns")
    return CountNouns(
        frozenset(singular(normalise(unit)) for unit in data["units"]),
        frozenset(normalise(counter) for counter in data["japanese-counters"]),
        tuple(sorted((normalise(prefix) for prefix in data["name-prefixes"]),
                     key=len, reverse=True)),
        lexicon("count-nouns", "japanese-name-endings"),
        lexicon("count-nouns", "japanese-not-counts"),
        lexicon("vanity", "period-words"),
        tuple(term.chars for term in lexicon("vanity", "per-words").unspaced))


def _is_period(text: str) -> bool:
    """Whether ``text`` (what follows "per" or "/") starts with a period: "month", "calendar
    month", "30 days", 「月」."""
    periods = count_nouns().periods
    if is_unspaced(text[:1]):
        return periods.starting(text) is not None
    found = words(text)
    return any(periods.at(found, index) for index in range(2))


def _is_rate(text: str) -> bool:
    """"per" or "/" followed by anything but a period, or a Japanese average or per-unit
    (「一人あたり」, not 「月あたり」): the text names a rate, not a volume."""
    for match in DIVIDED_BY.finditer(text):
        if not _is_period(match[1]):
            return True
    if JAPANESE_AVERAGE in text:
        return True
    nouns = count_nouns()
    for marker in nouns.japanese_per_words:
        before, found, _ = text.partition(marker)
        if found and not nouns.periods.ending(before):
            return True
    return False


def _counted_unit(unit: str) -> bool:
    """A unit naming what is counted: "tickets", "qualified leads", "leads per month", 「件/月」."""
    nouns = count_nouns()
    head = PER.split(unit, maxsplit=1)[0].strip()
    if head in nouns.japanese_counters:
        return True
    head_words = words(head)
    return bool(head_words) and head_words[-1] in nouns.units


def _counted_name(name: str) -> bool:
    """"Number of …", "Total number of …", or a Japanese name ending in 数 (not 指数, 日数…)."""
    nouns = count_nouns()
    if any(name.startswith(prefix) and (len(name) == len(prefix) or name[len(prefix)] == " ")
           for prefix in nouns.name_prefixes):
        return True
    stem = TRAILING_BRACKETS.sub("", name)
    return (nouns.japanese_name_endings.ending(stem) is not None
            and nouns.japanese_not_counts.ending(stem) is None)


def is_volume(name: str, unit: str | None) -> bool:
    """Whether a KPI counts volume (SPEC 10.3): ``unit: count``; a count-noun unit or counter;
    or a name that says "number of" (「…数」). Percent, ratio, score, money and time never are,
    nor is a name or unit that reads as a rate ("per agent", 「一人あたり」)."""
    if unit == "count":
        return True
    if unit is not None and (unit in TIME_UNITS or CURRENCY.match(unit)
                             or normalise(unit).strip() in RATE_UNITS):
        return False
    text_name = normalise(name).strip()
    text_unit = normalise(unit).strip() if unit else ""
    if _is_rate(text_name) or (text_unit and _is_rate(text_unit)):
        return False
    return (bool(text_unit) and _counted_unit(text_unit)) or _counted_name(text_name)
