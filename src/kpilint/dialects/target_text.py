"""Target text as written in the GitLab handbook ("At or above 95%", "less than $10K/Month").

SPEC 10.5: case-insensitive, leading words first, trailing text ignored. A comparator word gives a
band (``{min: N}`` or ``{max: N}``), "at" or a bare number a plain target; a sign or suffix next
to the number gives the unit. Anything else ("TBD", "Confidential", a link) does not parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Bound = Literal["min", "max", "plain"]

AT_LEAST = ("at or above", "at or greater than", "equal or greater than", "greater than",
            "more than", "above", ">=", "≥", ">")
AT_MOST = ("at or below", "does not exceed", "less than", "at most", "below", "under", "<=",
           "≤", "<")
PHRASES: dict[str, Bound] = {
    **dict.fromkeys(AT_LEAST, "min"), **dict.fromkeys(AT_MOST, "max"), "at": "plain"}
CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "¥": "JPY"}
MULTIPLIERS = {"k": Decimal(1_000), "m": Decimal(1_000_000), "b": Decimal(1_000_000_000)}
# unit words after the number: (unit, factor to that unit)
UNIT_WORDS: dict[str, tuple[str, Decimal]] = {
    "ms": ("seconds", Decimal("0.001")),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), ("seconds", Decimal(1))),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), ("minutes", Decimal(1))),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), ("hours", Decimal(1))),
    **dict.fromkeys(("d", "day", "days"), ("days", Decimal(1))),
    **{code: (code.upper(), Decimal(1)) for code in ("usd", "eur", "jpy")},
}


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_PHRASE = _alternation(list(PHRASES))
_SIGN = _alternation(list(CURRENCY_SIGNS))
_TARGET = re.compile(
    rf"\s*(?:(?P<phrase>{_PHRASE})(?:(?<=[^a-z])|(?![a-z])))?\s*"
    rf"(?P<sign>{_SIGN})?\s*(?P<number>-?\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|-?\d+(?:\.\d+)?|-?\.\d+)"
    rf"(?P<multiplier>[kmb](?![a-z]))?"
    rf"(?:(?P<percent>\s*%)|(?P<ratio>\s*:\s*1(?!\d))|\s*(?P<unit>{_alternation(list(UNIT_WORDS))})"
    rf"(?![a-z]))?",
    re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedTarget:
    """A target read from text: which bound the number is, the number, and its unit (if given)."""

    bound: Bound
    value: int | float
    unit: str | None = None

    def as_field(self) -> int | float | dict[str, int | float]:
        """The v1 ``target`` value: a plain number or a one-sided band."""
        return self.value if self.bound == "plain" else {self.bound: self.value}


def _plain(value: Decimal) -> int | float:
    """An integral Decimal as int, else as float (as YAML would read the number)."""
    return int(value) if value == value.to_integral_value() else float(value)


def parse_target(text: str) -> ParsedTarget | None:
    """The target a text states, or None when it states none that kpilint can read."""
    match = _TARGET.match(text.casefold())
    if match is None:
        return None
    bound = PHRASES[match["phrase"]] if match["phrase"] else "plain"
    value = Decimal(match["number"].replace(",", ""))
    if match["multiplier"]:
        value *= MULTIPLIERS[match["multiplier"]]
    unit: str | None = CURRENCY_SIGNS[match["sign"]] if match["sign"] else None
    if match["percent"]:
        unit = "percent"
    elif match["ratio"]:
        unit = "ratio"
    elif match["unit"]:
        unit, factor = UNIT_WORDS[match["unit"]]
        value *= factor
    return ParsedTarget(bound, _plain(value), unit)
