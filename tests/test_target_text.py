"""The target-text parser of the gitlab-pi dialect (SPEC 10.5), one row per real-style phrase."""

from __future__ import annotations

import pytest

from kpilint.dialects.target_text import ParsedTarget, parse_target

MIN, MAX, PLAIN = "min", "max", "plain"

CASES: list[tuple[str, ParsedTarget | None]] = [
    # at least
    ("At or above 95%", ParsedTarget(MIN, 95, "percent")),
    ("above 70% per quarter", ParsedTarget(MIN, 70, "percent")),
    ("Above 0.8", ParsedTarget(MIN, 0.8)),
    ("Greater than 6 MRs per Month", ParsedTarget(MIN, 6)),
    ("greater than 10 MRs per Month", ParsedTarget(MIN, 10)),
    ("At or greater than 3 per person", ParsedTarget(MIN, 3)),
    ("Equal or greater than 50%", ParsedTarget(MIN, 50, "percent")),
    ("More than 1,200 USD", ParsedTarget(MIN, 1200, "USD")),
    (">= 0.95", ParsedTarget(MIN, 0.95)),
    (">=99.9%", ParsedTarget(MIN, 99.9, "percent")),
    ("≥ 3:1", ParsedTarget(MIN, 3, "ratio")),
    ("> 5 s", ParsedTarget(MIN, 5, "seconds")),
    ("ABOVE 2M", ParsedTarget(MIN, 2_000_000)),
    # at most
    ("at or below 50 days", ParsedTarget(MAX, 50, "days")),
    ("Below 2500ms at the 90th percentile", ParsedTarget(MAX, 2.5, "seconds")),
    ("Below 5 days", ParsedTarget(MAX, 5, "days")),
    ("less than $10K/Month", ParsedTarget(MAX, 10_000, "USD")),
    ("Less than 1%", ParsedTarget(MAX, 1, "percent")),
    ("at most $6K", ParsedTarget(MAX, 6_000, "USD")),
    ("at most 3 days", ParsedTarget(MAX, 3, "days")),
    ("does not exceed 5 hours", ParsedTarget(MAX, 5, "hours")),
    ("under 10 min", ParsedTarget(MAX, 10, "minutes")),
    ("Under 1 hour per incident", ParsedTarget(MAX, 1, "hours")),
    ("under 90 days", ParsedTarget(MAX, 90, "days")),
    ("≤ 10:1", ParsedTarget(MAX, 10, "ratio")),
    ("<= 200ms", ParsedTarget(MAX, 0.2, "seconds")),
    ("< 30 minutes", ParsedTarget(MAX, 30, "minutes")),
    ("below 45 seconds", ParsedTarget(MAX, 45, "seconds")),
    ("at or below 0.65", ParsedTarget(MAX, 0.65)),
    # plain
    ("at 100%", ParsedTarget(PLAIN, 100, "percent")),
    ("at 0.7", ParsedTarget(PLAIN, 0.7)),
    ("42", ParsedTarget(PLAIN, 42)),
    ("$1.5M", ParsedTarget(PLAIN, 1_500_000, "USD")),
    ("€200K", ParsedTarget(PLAIN, 200_000, "EUR")),
    ("¥3000", ParsedTarget(PLAIN, 3000, "JPY")),
    ("$2B in ARR", ParsedTarget(PLAIN, 2_000_000_000, "USD")),
    ("2,500 USD", ParsedTarget(PLAIN, 2500, "USD")),
    ("500 EUR per seat", ParsedTarget(PLAIN, 500, "EUR")),
    ("10000 JPY", ParsedTarget(PLAIN, 10_000, "JPY")),
    ("4:1", ParsedTarget(PLAIN, 4, "ratio")),
    ("2M", ParsedTarget(PLAIN, 2_000_000)),
    ("15 MRs", ParsedTarget(PLAIN, 15)),
    # not a target kpilint can read
    ("TBD", None),
    ("tbd", None),
    ("Confidential", None),
    ("N/A", None),
    ("", None),
    ('<a href="https://example.com/targets">Targets page</a>', None),
    ("See the dashboard", None),
    ("at the 90th percentile", None),
    ("Abovex 5", None),
    ("Atlas 5", None),
    ("Increase over last quarter", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text or "empty" for text, _ in CASES])
def test_target_text(text: str, expected: ParsedTarget | None) -> None:
    assert parse_target(text) == expected


def test_at_least_forty_phrases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(("text", "field"), [
    ("At or above 95%", {"min": 95}), ("under 10 min", {"max": 10}), ("at 0.7", 0.7), ("42", 42),
])
def test_the_v1_target_field(text: str, field: object) -> None:
    parsed = parse_target(text)
    assert parsed is not None and parsed.as_field() == field
