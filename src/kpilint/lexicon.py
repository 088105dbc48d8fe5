"""Word and phrase lexicons (data files in ``rules/lexicons/``) and matching against KPI names.

A lexicon ``NAME`` is the file ``rules/lexicons/NAME.yaml`` (English) plus one file per other
language, ``NAME.<language>.yaml`` (``vanity.ja.yaml``), with the same keys; their lists are joined.

Terms written in Latin script match whole words and phrases, case- and plural-insensitive:
"Social Media Followers" and "follower count" both contain "followers". Terms written in a
script without spaces between words (Japanese, Chinese, Korean) match as substrings of the name,
spaces ignored: 「フォロワー数」 contains 「フォロワー」. Text is compared after Unicode NFKC, so
full-width letters and half-width katakana read as their usual forms. Each file is read once.

Other modules use :func:`lexicon` (one list of a lexicon file, as a :class:`Lexicon`) and
:func:`read_lexicon` (the whole file, all languages joined) to add word lists as data.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kpilint.resources import data_path

# Scripts written without spaces between words: CJK ideographs, kana (with the long vowel mark
# and the iteration marks; half-width katakana too, for text not yet normalised), Hangul.
UNSPACED_CHARS = ("\u3005-\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                  "\uff66-\uff9f\uac00-\ud7af")
# The same ranges as code points, each (first, last + 1), sorted: a character is unspaced when
# an odd number of these bounds are at or below it. (Python's ``re`` takes milliseconds to
# compile a class of so many characters, which a run on English text never needs.)
UNSPACED_BOUNDS = (0x3005, 0x3008, 0x3040, 0x3100, 0x3400, 0x4DC0, 0x4E00, 0xA000, 0xAC00,
                   0xD7B0, 0xF900, 0xFB00, 0xFF66, 0xFFA0)
# A word: letters and digits of any spaced script ("schüler", "30"); in ASCII text, [^\W_] is
# [A-Za-z0-9].
ASCII_WORD = re.compile("[A-Za-z0-9]+")
PERCENT_SIGN = "%"
SLASH = "/"
# The apostrophe of a plural possessive ("competitors' prices"), read as the singular one's
# ("competitor's"), so that a term written with "'s" matches both.
PLURAL_POSSESSIVE = re.compile("(?<=s)['\u2019](?![^\\W_])")
# What may follow a Japanese verb at the end of a name (after NFKC, so full-width marks too).
CLOSING_PUNCTUATION = ".。!?…"
# Words that open the complement of an English name: "Activation rate of new sign-ups" is about
# an activation rate, so on equal length a term before them beats a term after them.
COMPLEMENT_MARKERS = frozenset({"of", "per", "for", "among", "from", "by", "in", "across",
                                "within", "over"})


def singular(word: str) -> str:
    """A crude English singular, applied to both sides of a match ("followers" -> "follower")."""
    if not word.endswith("s"):  # every plural ending below ends in "s"
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """NFKC and case-folded: ``"ＰＶ数"`` -> ``"pv数"``."""
    return unicodedata.normalize("NFKC", text).casefold()


@functools.lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """The normalised words of a name in spaced scripts: lower case, singular."""
    text = PLURAL_POSSESSIVE.sub("'s", normalise(text))
    return tuple(map(singular, (ASCII_WORD if text.isascii() else _word()).findall(text)))


@functools.cache
def _word() -> re.Pattern[str]:
    """A word of any spaced script, compiled for the first text that is not ASCII."""
    return re.compile(f"[^\\W_{UNSPACED_CHARS}]+")


@functools.lru_cache(maxsize=8192)
def compact(text: str) -> str:
    """The normalised text without whitespace, for substring matching of unspaced scripts."""
    return "".join(normalise(text).split())


def is_unspaced(text: str) -> bool:
    """Whether ``text`` holds a character of a script written without spaces (CJK)."""
    return not text.isascii() and any(
        bisect_right(UNSPACED_BOUNDS, ord(char)) & 1 for char in text)


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon entry: the phrase as written, how it is matched, and what it stands for.

    A Latin-script phrase is matched by its ``words``; a phrase in an unspaced script by
    ``chars``, its compact form, as a substring.
    """

    phrase: str
    words: tuple[str, ...]
    value: str
    chars: str = ""

    @classmethod
    def of(cls, phrase: str, value: str) -> Term:
        if is_unspaced(phrase):
            return cls(phrase, (), value, compact(phrase))
        return cls(phrase, words(phrase), value)

    @property
    def size(self) -> int:
        """How long the term is: its words, or its characters for an unspaced phrase."""
        return len(self.chars) if self.chars else len(self.words)


Ranked = tuple[Term, int]


class Lexicon:
    """Terms matched in names; the longest matching term wins (ties: the first listed).

    Latin terms are indexed by their first word, unspaced terms are found by one regex pass,
    and results are cached per text, so matching a name costs a few dictionary lookups.
    """

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms: tuple[Term, ...] = tuple(sorted(terms, key=lambda term: -term.size))
        self._by_first_word: dict[str, list[Ranked]] = {}
        self._by_chars: dict[str, Ranked] = {}
        for rank, term in enumerate(self.terms):
            if term.chars:
                self._by_chars.setdefault(term.chars, (term, rank))
            else:
                self._by_first_word.setdefault(term.words[0], []).append((term, rank))
        self.unspaced = tuple(term for term in self.terms if term.chars)
        self._unspaced_starts: re.Pattern[str] | None = None  # compiled for the first CJK name
        self._cache: dict[str, Term | None] = {}

    @classmethod
    def of(cls, entries: Iterable[tuple[str, str]]) -> Lexicon:
        terms = (Term.of(phrase, value) for phrase, value in entries)
        return cls(term for term in terms if term.size)

    def extended(self, entries: Iterable[tuple[str, str]]) -> Lexicon:
        """This lexicon plus ``entries`` (which win ties, being the user's own)."""
        return Lexicon((*Lexicon.of(entries).terms, *self.terms))

    def match(self, text: str) -> Term | None:
        """The longest term found in ``text``: Latin words in order and adjacent, or a substring.

        On equal length, a term in the head of an English name (before "of", "per"…) beats one
        in its complement, then the first listed wins.
        """
        if text in self._cache:
            return self._cache[text]
        best = max(self._candidates(text), default=None)
        found = self.terms[-best[2]] if best is not None else None
        self._cache[text] = found
        return found

    def _candidates(self, text: str) -> Iterator[tuple[int, bool, int]]:
        """(size, in the head, -rank) of the best term starting at each word or character."""
        found = words(text)
        head_end = next((index for index, word in enumerate(found)
                         if word in COMPLEMENT_MARKERS), len(found))
        for start, word in enumerate(found):
            for term, rank in self._by_first_word.get(word, ()):
                if found[start:start + len(term.words)] == term.words:
                    yield term.size, start < head_end, -rank
                    break
        if not self._by_chars or not is_unspaced(text):
            return
        if self._unspaced_starts is None:
            # At each position, the longest unspaced term starting there (alternatives are
            # tried in order, longest first), found by the regex engine in one pass over the name.
            self._unspaced_starts = re.compile("(?=({}))".format(
                "|".join(re.escape(chars) for chars in self._by_chars)))
        for found_chars in self._unspaced_starts.finditer(compact(text)):
            term, rank = self._by_chars[found_chars[1]]
            yield term.size, True, -rank

    def at(self, found: tuple[str, ...], index: int) -> Term | None:
        """The longest Latin term whose words start at ``found[index]``."""
        if index >= len(found):
            return None
        starting = self._by_first_word.get(found[index])
        if starting is None:  # most words start no term
            return None
        return next((term for term, _ in starting
                     if found[index:index + len(term.words)] == term.words), None)

    def starting(self, text: str) -> Term | None:
        """The longest term that starts ``text``: its first words, or its first characters."""
        if is_unspaced(text[:1]):
            chars = compact(text)
            return next((term for term in self.unspaced if chars.startswith(term.chars)), None)
        return self.at(words(text), 0)

    def ending(self, text: str) -> Term | None:
        """The longest unspaced term that ends ``text`` (closing punctuation aside)."""
        if not self.unspaced or not is_unspaced(text):
            return None
        chars = compact(text).rstrip(CLOSING_PUNCTUATION)
        return next((term for term in self.unspaced if chars.endswith(term.chars)), None)



def _read_file(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=yaml.CSafeLoader)


def lexicon_files(name: str) -> list[Path]:
    """``NAME.yaml`` then its language files ``NAME.<language>.yaml``, in name order."""
    folder = data_path("rules", "lexicons")
    return [folder / f"{name}.yaml", *sorted(folder.glob(f"{name}.*.yaml"))]


def _join(into: dict[str, Any], data: dict[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, dict):
            _join(into.setdefault(key, {}), value)
        else:
            into[key] = [*into.get(key, []), *value]


@functools.cache
def read_lexicon(name: str) -> dict[str, Any]:
    """The lexicon ``name``: every language file's lists joined key by key (nested too)."""
    joined: dict[str, Any] = {}
    for path in lexicon_files(name):
        _join(joined, _read_file(path) or {})
    return joined


@functools.cache
def lexicon(name: str, key: str) -> Lexicon:
    """The word list ``key`` of lexicon ``name``, all languages, each term standing for itself.

    For instance ``lexicon("uncontrollable", "terms").match("Company share price")``.
    """
    return Lexicon.of((phrase, phrase) for phrase in read_lexicon(name).get(key, ()))


@dataclass(frozen=True, slots=True)
class VanityLexicon:
    """Vanity terms with the rate to track instead, and the words that make a name a rate.

    "per" (Latin) and a slash look forward to what the count is divided by; an unspaced
    "per" word (「あたり」) looks back. Divided by a period word ("per month", 「月あたり」), the
    name only states a time window, so it is still a total.
    """

    terms: Lexicon
    rate_words: Lexicon
    per_words: Lexicon
    period_words: Lexicon

    def match(self, name: str) -> Term | None:
        """The vanity term in ``name``, unless the name is a rate or ratio."""
        text = normalise(name)
        term = self.terms.match(text)
        if term is None or PERCENT_SIGN in text or self.rate_words.match(text):
            return None
        return None if self._divides(text) else term

    def _divides(self, text: str) -> bool:
        """Whether ``text`` divides by something other than a period of time."""
        found = words(text)
        for index in range(len(found)):
            per = self.per_words.at(found, index)
            if per and not self.period_words.at(found, index + len(per.words)):
                return True
        if any(not self.period_words.starting(after) for _, after in _split_at(text, SLASH)):
            return True
        return any(not self.period_words.ending(before)
                   for per in self.per_words.unspaced
                   for before, _ in _split_at(compact(text), per.chars))


def _split_at(text: str, separator: str) -> Iterator[tuple[str, str]]:
    """(text before, text after) each occurrence of ``separator``."""
    start = text.find(separator)
    while start >= 0:
        yield text[:start], text[start + len(separator):].strip()
        start = text.find(separator, start + 1)


@functools.cache
def vanity_lexicon() -> VanityLexicon:
    data = read_lexicon("vanity")
    return VanityLexicon(
        Lexicon.of((entry["term"], entry["instead"]) for entry in data["terms"]),
        lexicon("vanity", "rate-words"), lexicon("vanity", "per-words"),
        lexicon("vanity", "period-words"))


# The value of an indicator term that names no indicator ("CI pipeline"): no guess.
NEITHER = "neither"


@functools.cache
def indicator_lexicon() -> Lexicon:
    """Usual KPIs of each function, each marked leading or lagging; and phrases marked
    ``NEITHER`` that hold an indicator's word but name no indicator ("CI pipeline")."""
    data = read_lexicon("indicators")
    return Lexicon.of([
        *((phrase, indicator)
          for indicator in ("leading", "lagging")
          for phrases in data[indicator].values()
          for phrase in phrases),
        *((phrase, NEITHER) for phrase in data.get(NEITHER, ()))])


def vague_lexicon() -> Lexicon:
    """Phrases of aspiration that never name a measurable quantity, wherever they stand."""
    return lexicon("vague-words", "phrases")


def vague_nouns() -> Lexicon:
    """Compounds that start with a verb of aspiration used as a noun ("Drive time")."""
    return lexicon("vague-words", "nouns")


def vague_verbs() -> Lexicon:
    """Verbs of aspiration: a name that starts with one (ends with one, in CJK) states a wish."""
    return lexicon("vague-words", "verbs")
