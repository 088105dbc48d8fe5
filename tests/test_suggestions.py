"""The indexed "did you mean" gives exactly the brute-force answers of ``did_you_mean``."""

from __future__ import annotations

import random
import string

import pytest

from kpilint.build import did_you_mean
from kpilint.suggestions import Suggester


def _ids(rng: random.Random, count: int) -> list[str]:
    """Ids shaped like a generated project's: team prefixes, shared slugs, a few oddities."""
    slugs = ["leads", "win-rate", "opportunity-rate", "avg-deal-size", "nps", "churn-rate",
             "grow-deal-size", "mttr", "uptime", "csat", "a", "ab"]
    found = [f"t{rng.randrange(3000):04d}-{rng.choice(slugs)}" for _ in range(count)]
    found += ["", "x", "revenue-fy26", "retention-fy26", "t0001-win-rate", "t0001-win-rate"]
    rng.shuffle(found)
    return found


def _misspelt(rng: random.Random, word: str) -> str:
    """One or two random edits: replace, drop, insert or swap characters."""
    letters = string.ascii_lowercase + string.digits + "-"
    chars = list(word)
    for _ in range(rng.randint(1, 2)):
        index = rng.randrange(len(chars) + 1)
        edit = rng.choice(("replace", "drop", "insert", "swap"))
        if edit == "insert" or not chars:
            chars.insert(index, rng.choice(letters))
        elif edit == "swap" and index < len(chars) - 1:
            chars[index], chars[index + 1] = chars[index + 1], chars[index]
        else:
            index = min(index, len(chars) - 1)
            if edit == "drop":
                del chars[index]
            else:
                chars[index] = rng.choice(letters)
    return "".join(chars)


@pytest.mark.parametrize("seed", range(4))
def test_same_answers_as_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    candidates = _ids(rng, 800)
    suggester = Suggester(candidates)
    words = [_misspelt(rng, rng.choice(candidates) or "z") for _ in range(150)]
    words += ["", "x", "zzzzzzzz", "t0001-win-rate", "win-rate", "t0-a", "revenue-fy27"]
    for word in words:
        exclude = rng.choice([None, word, rng.choice(candidates)])
        expected = did_you_mean(word, [each for each in candidates if each != exclude])
        assert suggester.suggest(word, exclude=exclude) == expected, (word, exclude)


def test_ties_keep_candidate_order_and_the_cut_of_three() -> None:
    candidates = ["abcx", "abcy", "abcz", "abcw", "abqq", "zzzz"]
    assert did_you_mean("abcd", candidates) == ["abcx", "abcy", "abcz"]
    assert Suggester(candidates).suggest("abcd") == ["abcx", "abcy", "abcz"]
    assert Suggester(candidates).suggest("abcd", exclude="abcy") == ["abcx", "abcz", "abcw"]


def test_nothing_close_and_empty_inputs() -> None:
    assert Suggester(["revenue", "churn"]).suggest("zzzzzz") == []
    assert Suggester([]).suggest("anything") == []
    assert Suggester(["", "a"]).suggest("") == [""]
    assert did_you_mean("", ["", "a"]) == [""]


def test_long_and_non_ascii_ids_same_as_brute_force() -> None:
    """Counts and lengths above 255 (kept capped in bytes) and characters beyond ASCII."""
    candidates = ["a" * 300, "a" * 299 + "b", "a" * 256, "a" * 254 + "bc", "b" * 300,
                  "ümsatz-q1", "umsatz-q1", "überlauf", "ab" * 140, ""]
    suggester = Suggester(candidates)
    words = ["a" * 301, "a" * 300, "a" * 255, "a" * 257 + "c", "b" * 299 + "a", "ümsatz-q2",
             "umsätz-q1", "überläuf", "ab" * 139 + "a", "ba" * 140, "é"]
    for word in words:
        for exclude in (None, candidates[0], word):
            expected = did_you_mean(word, [each for each in candidates if each != exclude])
            assert suggester.suggest(word, exclude=exclude) == expected, (word[:20], exclude)


def test_many_ties_at_the_third_place_keep_candidate_order() -> None:
    """Dozens of candidates tie with the third best: the earliest ones win, as in brute force."""
    candidates = [f"t{team:04d}-rollback-coverage" for team in range(0, 3000, 37)]
    candidates += ["t0011-rollback-coverage", "t0011-rollback-coverages"]
    suggester = Suggester(candidates)
    for word in ("t0011-rillback-coverage", "t0011-rollback-coveragex", "t0101-rollback",
                 "t2000-rollback-coverage"):
        expected = did_you_mean(word, candidates)
        assert suggester.suggest(word) == expected
        assert len(expected) == 3
