""""Did you mean" over thousands of ids: the answers of :func:`kpilint.build.did_you_mean`,
without comparing the word with every candidate.

:func:`~kpilint.build.did_you_mean` keeps the candidates whose :class:`difflib.SequenceMatcher`
ratio is at least 0.6, and returns the best three (ties in candidate order) that are within 0.1
of the best. The ratio ``2 * M / (len(word) + len(candidate))`` counts the characters ``M`` in
matching blocks, and ``M`` is at most the characters the two strings share as multisets (what
``quick_ratio`` counts). :class:`Suggester` indexes each candidate's characters once: a feature
``(char, k)`` is "has at least ``k`` of ``char``", so the shared characters of the word and a
candidate are the word's features the candidate has, counted in C over the word's postings. The
candidates are then compared in decreasing order of that bound, and the comparing stops once the
bound falls below what the answer needs (0.6, the third best ratio found, the best minus 0.1):
only the few real contenders get a full ``SequenceMatcher``.
"""

from __future__ import annotations

import difflib
import sys
from collections import Counter
from collections.abc import Sequence
from itertools import chain

MINIMUM = 0.6
"""The cutoff of :func:`kpilint.build.did_you_mean`."""
WITHIN = 0.1
"""How far below the best a suggestion may be."""
SHOWN = 3
SEEDS = 8
"""How many first contenders are compared before the others are bounded."""


def _ratio(matches: int, length: int) -> float:
    """difflib's ratio formula, computed as difflib computes it (so bounds compare exactly)."""
    return 2.0 * matches / length if length else 1.0


class Suggester:
    """Close matches of words among a fixed list of candidates, as ``did_you_mean`` finds them."""

    def __init__(self, candidates: Sequence[str]) -> None:
        self.candidates = list(candidates)
        self.lengths = [len(candidate) for candidate in self.candidates]
        self.distinct_lengths = set(self.lengths)
        postings: dict[tuple[str, int], list[int]] = {}
        for index, candidate in enumerate(self.candidates):
            for char in set(candidate):
                for times in range(1, candidate.count(char) + 1):
                    feature = (char, times)
                    found = postings.get(feature)
                    if found is None:
                        postings[feature] = [index]
                    else:
                        found.append(index)
        self.postings = postings

    def suggest(self, word: str, exclude: str | None = None) -> list[str]:
        """``did_you_mean(word, [c for c in candidates if c != exclude])``."""
        if not word:  # shares no character, yet matches an empty candidate (ratio 1.0)
            return ["" for candidate in self.candidates
                    if not candidate and exclude != ""][:1]
        features = sorted(((char, times) for char in set(word)
                           for times in range(1, word.count(char) + 1)),
                          key=lambda feature: len(self.postings.get(feature, ())))
        found: list[tuple[float, int]] = []  # (-ratio, index), kept sorted
        tried: set[int] = set()
        # Count the shared characters among the rarer half of the word's features; the ones that
        # share most of them are the first contenders, and raise the bar for the rest.
        counted = (len(features) + 1) // 2
        shared: Counter[int] = Counter()
        shared.update(chain.from_iterable(self.postings.get(feature, ())
                                          for feature in features[:counted]))
        for index, _ in shared.most_common(SEEDS):
            self._try(word, index, exclude, found, tried)
        bar = _bar(found)
        fewest = {length: _fewest(len(word), length, bar) for length in self.distinct_lengths}
        # A candidate that has none of the counted features shares at most `skip` characters:
        # it must be too few for any length, else more features are counted.
        skip = min(len(features) - counted, min(fewest.values(), default=1) - 1)
        shared.update(chain.from_iterable(self.postings.get(feature, ())
                                          for feature in features[counted:len(features) - skip]))
        skipped = features[len(features) - skip:]
        lengths, candidates, size = self.lengths, self.candidates, len(word)
        # Bounded by the counted features plus every skipped one; the skipped ones are looked up
        # only for the candidates that get that far.
        bounded = sorted((-_ratio(matches + skip, size + lengths[index]), index)
                         for index, matches in shared.items()
                         if matches + skip >= fewest[lengths[index]])
        for negative_bound, index in bounded:
            bar = _bar(found)
            if -negative_bound < bar:
                break
            matches = shared[index] + sum(candidates[index].count(char) >= times
                                          for char, times in skipped)
            if _ratio(matches, size + lengths[index]) >= bar:
                self._try(word, index, exclude, found, tried)
        if not found:
            return []
        best = -found[0][0]
        return [self.candidates[index] for negative, index in found[:SHOWN]
                if -negative >= best - WITHIN]

    def _try(self, word: str, index: int, exclude: str | None,
             found: list[tuple[float, int]], tried: set[int]) -> None:
        """Compare ``word`` with one candidate (once); keep it when it reaches MINIMUM."""
        candidate = self.candidates[index]
        if index in tried or candidate == exclude:
            return
        tried.add(index)
        ratio = difflib.SequenceMatcher(None, word, candidate).ratio()
        if ratio >= MINIMUM:
            found.append((-ratio, index))
            found.sort()


def _bar(found: list[tuple[float, int]]) -> float:
    """The ratio a candidate must reach to change the answer, given what was found so far:
    MINIMUM, the third best ratio, and the best minus WITHIN."""
    bar = MINIMUM
    if len(found) >= SHOWN:
        bar = max(bar, -found[SHOWN - 1][0])
    if found:
        bar = max(bar, -found[0][0] - WITHIN)
    return bar


def _fewest(size: int, length: int, bar: float) -> int:
    """The fewest matching characters whose ratio for these lengths reaches ``bar`` (a number
    no candidate reaches when none can)."""
    for matches in range(min(size, length) + 1):
        if _ratio(matches, size + length) >= bar:
            return matches
    return sys.maxsize
