""""Did you mean" over thousands of ids: the answers of :func:`kpilint.build.did_you_mean`,
without comparing the word with every candidate.

:func:`~kpilint.build.did_you_mean` keeps the candidates whose :class:`difflib.SequenceMatcher`
ratio is at least 0.6, and returns the best three (ties in candidate order) that are within 0.1
of the best. The ratio ``2 * M / (len(word) + len(candidate))`` counts the characters ``M`` in
matching blocks, and ``M`` is at most the characters the two strings share as multisets (what
``quick_ratio`` counts). A feature ``(char, k)`` is "has at least ``k`` of ``char``": the shared
characters of the word and a candidate are the word's features the candidate has.
:class:`Suggester` keeps, per feature, the set of candidates that have it as the bits of an
integer, and adds the word's feature sets bit-parallel into one counter per candidate (a few
integer operations per feature, whatever the number of candidates). The candidates are then
compared from the most shared characters down, only those whose bound can still change the
answer (0.6, the best minus 0.1, the third best found and its place in candidate order): only
the few real contenders get a full ``SequenceMatcher``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from itertools import repeat

MINIMUM = 0.6
"""The cutoff of :func:`kpilint.build.did_you_mean`."""
WITHIN = 0.1
"""How far below the best a suggestion may be."""
SHOWN = 3
CLAMP = 255
"""Counts and lengths are kept in bytes, capped here: a capped one only loosens a bound."""

Found = list[tuple[float, int]]
"""``(-ratio, candidate index)`` of the candidates compared so far that reach MINIMUM, sorted."""


def _ratio(matches: int, length: int) -> float:
    """difflib's ratio formula, computed as difflib computes it (so bounds compare exactly)."""
    return 2.0 * matches / length if length else 1.0


class Suggester:
    """Close matches of words among a fixed list of candidates, as ``did_you_mean`` finds them."""

    def __init__(self, candidates: Sequence[str]) -> None:
        self.candidates = list(candidates)
        self.lengths = [len(candidate) for candidate in self.candidates]
        self._capped_lengths = _capped(self.lengths)
        self._counts: dict[str, bytes] = {}
        self._masks: dict[tuple[str, int], int] = {}
        self._shorter: dict[int, int] = {}

    def suggest(self, word: str, exclude: str | None = None) -> list[str]:
        """``did_you_mean(word, [c for c in candidates if c != exclude])``."""
        if not word:  # shares no character, yet matches an empty candidate (ratio 1.0)
            return ["" for candidate in self.candidates
                    if not candidate and exclude != ""][:1]
        import difflib  # for a broken reference only: a run without one does not import it

        counters = self._shared(word)
        size, lengths = len(word), self.lengths
        found: Found = []
        more = 0  # the candidates that share more characters than `shared`
        for shared in range(size, 0, -1):
            bar = _bar(found)
            if _ratio(shared, size + shared) < bar:  # a candidate is at least what it shares
                break
            at_least = _at_least(counters, shared)
            level = at_least & ~more & self._no_longer_than(_longest(shared, size, bar))
            more = at_least
            for negative_bound, index in sorted((-_ratio(shared, size + lengths[index]), index)
                                                for index in _indices(level)):
                if not _may_change(found, -negative_bound, index):
                    break
                candidate = self.candidates[index]
                if candidate != exclude:
                    ratio = difflib.SequenceMatcher(None, word, candidate).ratio()
                    if ratio >= MINIMUM:
                        found.append((-ratio, index))
                        found.sort()
        if not found:
            return []
        best = -found[0][0]
        return [self.candidates[index] for negative, index in found[:SHOWN]
                if -negative >= best - WITHIN]

    def _shared(self, word: str) -> list[int]:
        """How many characters each candidate shares with ``word`` as multisets, bit-sliced:
        bit ``i`` of item ``k`` is bit ``k`` of candidate ``i``'s count (at least the count)."""
        counters: list[int] = []
        for char in set(word):
            for times in range(1, word.count(char) + 1):
                carry = self._mask(char, times)
                for level, bits in enumerate(counters):
                    if not carry:
                        break
                    counters[level] = bits ^ carry
                    carry &= bits
                if carry:
                    counters.append(carry)
        return counters

    def _mask(self, char: str, times: int) -> int:
        """The candidates with at least ``times`` of ``char`` (or at least CLAMP of them)."""
        feature = (char, min(times, CLAMP))
        found = self._masks.get(feature)
        if found is None:
            counts = self._counts.get(char)
            if counts is None:
                counts = self._counts[char] = _capped(list(map(str.count, self.candidates,
                                                               repeat(char))))
            found = self._masks[feature] = _bits(counts, feature[1], CLAMP)
        return found

    def _no_longer_than(self, length: int) -> int:
        """The candidates of at most ``length`` characters (all of them from CLAMP on)."""
        if length >= CLAMP:
            return -1
        found = self._shorter.get(length)
        if found is None:
            found = self._shorter[length] = _bits(self._capped_lengths, 0, length)
        return found


def _capped(values: list[int]) -> bytes:
    """``values`` (not negative) as bytes, each at most CLAMP."""
    try:
        return bytes(values)
    except ValueError:  # one above CLAMP
        return bytes(min(value, CLAMP) for value in values)


@cache
def _table(low: int, high: int) -> bytes:
    """A :meth:`bytes.translate` table: ``1`` for the bytes from ``low`` to ``high``, else ``0``."""
    return bytes(ord("1") if low <= value <= high else ord("0") for value in range(256))


def _bits(values: bytes, low: int, high: int) -> int:
    """The integer whose bit ``i`` says whether ``values[i]`` is between ``low`` and ``high``."""
    return int(values.translate(_table(low, high))[::-1] or b"0", 2)


def _bar(found: Found) -> float:
    """The ratio a candidate must reach to change the answer, given what was found so far:
    MINIMUM, the third best ratio, and the best minus WITHIN."""
    bar = MINIMUM
    if len(found) >= SHOWN:
        bar = max(bar, -found[SHOWN - 1][0])
    if found:
        bar = max(bar, -found[0][0] - WITHIN)
    return bar


def _may_change(found: Found, bound: float, index: int) -> bool:
    """Whether candidate ``index``, whose ratio is at most ``bound``, could change the answer:
    it must reach the bar and come before the third found (a tie goes to the earlier one)."""
    return bound >= _bar(found) and (len(found) < SHOWN or (-bound, index) < found[SHOWN - 1])


def _longest(shared: int, size: int, bar: float) -> int:
    """The longest candidate that sharing ``shared`` characters with a word of ``size`` keeps
    at ``bar`` or above."""
    length = int(2 * shared / bar) - size + 1
    while _ratio(shared, size + length) < bar:
        length -= 1
    return length


def _at_least(counters: list[int], threshold: int) -> int:
    """The candidates whose bit-sliced count (see :meth:`Suggester._shared`) is at least
    ``threshold`` (positive), as a bit mask."""
    if threshold >> len(counters):
        return 0
    greater, equal = 0, -1
    for level in reversed(range(len(counters))):
        bits = counters[level]
        if threshold >> level & 1:
            equal &= bits
        else:
            greater |= equal & bits
            equal &= ~bits
    return greater | equal


def _indices(mask: int) -> Iterator[int]:
    """The positions of the set bits of ``mask`` (not negative), lowest first."""
    text = bin(mask)[:1:-1]
    index = text.find("1")
    while index >= 0:
        yield index
        index = text.find("1", index + 1)
