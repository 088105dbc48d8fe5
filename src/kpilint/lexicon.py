"""Word and phrase lexicons (data files in ``rules/lexicons/``) and matching against KPI names.

Matching is on whole words and phrases, case- and plural-insensitive: "Social Media Followers"
and "follower count" both contain the term "followers". Each file is read once, on first use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from kpilint.resources import data_path

WORD = re.compile(r"[a-z0-9]+")
PERCENT_SIGN = "%"


def singular(word: str) -> str:
    """A crude English singular, applied to both sides of a match ("followers" -> "follower")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> tuple[str, ...]:
    """The normalised words of a name: lower case, singular."""
    return tuple(singular(word) for word in WORD.findall(text.lower()))


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon entry: the phrase as written, its words, and what it stands for."""

    phrase: str
    words: tuple[str, ...]
    value: str


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    width = len(needle)
    return any(tuple(haystack[start:start + width]) == tuple(needle)
               for start in range(len(haystack) - width + 1))


class Lexicon:
    """Terms matched as whole phrases; the longest matching term wins (ties: the first listed).

    Terms are indexed by their first word and results are cached per text, so matching a name
    costs a few dictionary lookups.
    """

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms: tuple[Term, ...] = tuple(sorted(terms, key=lambda term: -len(term.words)))
        self._by_first_word: dict[str, list[Term]] = {}
        for term in self.terms:
            self._by_first_word.setdefault(term.words[0], []).append(term)
        self._cache: dict[str, Term | None] = {}

    @classmethod
    def of(cls, entries: Iterable[tuple[str, str]]) -> Lexicon:
        terms = (Term(phrase, words(phrase), value) for phrase, value in entries)
        return cls(term for term in terms if term.words)

    def extended(self, entries: Iterable[tuple[str, str]]) -> Lexicon:
        """This lexicon plus ``entries`` (which win ties, being the user's own)."""
        return Lexicon((*Lexicon.of(entries).terms, *self.terms))

    def match(self, text: str) -> Term | None:
        """The longest term whose words appear, in order and adjacent, in ``text``."""
        if text in self._cache:
            return self._cache[text]
        found = words(text)
        best: Term | None = None
        for start, word in enumerate(found):
            for term in self._by_first_word.get(word, ()):
                if best is not None and len(term.words) <= len(best.words):
                    break
                if found[start:start + len(term.words)] == term.words:
                    best = term
                    break
        if best is not None:
            best = next(term for term in self.terms if len(term.words) == len(best.words)
                        and _contains(found, term.words))
        self._cache[text] = best
        return best


def _read(name: str) -> Any:
    path = data_path("rules", "lexicons", f"{name}.yaml")
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=yaml.CSafeLoader)


@dataclass(frozen=True, slots=True)
class VanityLexicon:
    """Vanity terms with the rate to track instead, and words that make a name a rate."""

    terms: Lexicon
    rate_words: frozenset[str]

    def match(self, name: str) -> Term | None:
        """The vanity term in ``name``, unless the name is already a rate or ratio."""
        if PERCENT_SIGN in name or self.rate_words.intersection(words(name)):
            return None
        return self.terms.match(name)


@functools.cache
def vanity_lexicon() -> VanityLexicon:
    data = _read("vanity")
    return VanityLexicon(
        Lexicon.of((entry["term"], entry["instead"]) for entry in data["terms"]),
        frozenset(words(" ".join(data["rate-words"]))))


@functools.cache
def indicator_lexicon() -> Lexicon:
    """Usual KPIs of each function, each marked leading or lagging."""
    data = _read("indicators")
    return Lexicon.of(
        (phrase, indicator)
        for indicator in ("leading", "lagging")
        for phrases in data[indicator].values()
        for phrase in phrases)


@functools.cache
def vague_lexicon() -> Lexicon:
    """Words of aspiration that do not name a measurable quantity."""
    return Lexicon.of((phrase, phrase) for phrase in _read("vague-words")["terms"])
