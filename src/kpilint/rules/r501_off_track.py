"""R501 off-track: the latest actual trails the straight-line plan by more than the tolerance."""

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import ClassVar

from kpilint.build import EntityRecord, SpecFile
from kpilint.checks import describe
from kpilint.diagnostics import Severity, Violation
from kpilint.model import Actual, Band, Entity
from kpilint.progress import (
    DECREASE,
    EXACT,
    MAINTAIN,
    actual_value,
    band_of,
    difference,
    direction_of,
    exact,
    plain_target,
    quantity,
)
from kpilint.rule import Context, FileRule, Option, measured_entities


class OffTrack(FileRule):
    """Compares each actual with the value the plan expects on its date (exact decimals)."""

    code = "R501"
    name = "off-track"
    severity = Severity.WARNING
    summary = "The latest actual trails the straight-line plan to the target"
    options: ClassVar[Mapping[str, Option]] = {
        "tolerance": Option(0.1, {"type": "number", "minimum": 0},
                            "how far the actual may trail, as a share of |target - baseline|"
                            " (of |target| for `maintain`)"),
    }

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        tolerance = Decimal(repr(float(self.option("tolerance"))))
        for record in measured_entities(spec):
            actual: Actual | None = getattr(record.model, "actual", None)
            if actual is None:
                continue
            message = off_track(record, actual, tolerance)
            if message is not None:
                yield Violation(record.at_field("actual"), f"{describe(record)} is off track:"
                                f" {message}", subject=record.id, field="actual")


def off_track(record: EntityRecord[Entity], actual: Actual, tolerance: Decimal) -> str | None:
    """Why the actual is off track, or None when it is on track or cannot be judged."""
    value = actual_value(record)
    assert value is not None
    unit = getattr(record.model, "unit", None)
    observed = f"actual {quantity(value, unit)} on {actual.as_of.isoformat()}"
    band = band_of(record.model)
    if band is not None:
        return _outside_band(record, value, unit, band, observed)
    target = plain_target(record.model)
    direction = direction_of(record.model)
    if target is None or direction is None:
        return None
    goal = exact(record, "target", target)
    if direction == MAINTAIN:
        return _away_from_level(value, unit, goal, tolerance, observed)
    return _behind_plan(record, actual, value, goal, direction, tolerance, observed)


def _outside_band(record: EntityRecord[Entity], value: Decimal, unit: str | None, band: Band,
                  observed: str) -> str | None:
    if band.min is not None and value < (low := exact(record, "target.min", band.min)):
        limit, where = low, "below the band's minimum"
    elif band.max is not None and value > (high := exact(record, "target.max", band.max)):
        limit, where = high, "above the band's maximum"
    else:
        return None
    return (f"{observed} is {difference(abs(EXACT.subtract(value, limit)), unit)} {where}"
            f" {quantity(limit, unit)}")


def _away_from_level(value: Decimal, unit: str | None, level: Decimal, tolerance: Decimal,
                     observed: str) -> str | None:
    if level == 0:
        return None
    gap = abs(EXACT.subtract(value, level))
    allowed = EXACT.multiply(tolerance, abs(level))
    if gap <= allowed:
        return None
    return (f"{observed}, target {quantity(level, unit)} to maintain; {difference(gap, unit)}"
            f" away, more than the tolerance of {difference(allowed, unit)}")


def _behind_plan(record: EntityRecord[Entity], actual: Actual, value: Decimal, target: Decimal,
                 direction: str, tolerance: Decimal, observed: str) -> str | None:
    """The straight line from (t0, B) to (D, T): e = B + (T - B) * min(1, (t - t0) / (D - t0))."""
    baseline = getattr(record.model, "baseline", None)
    deadline = getattr(record.model, "deadline", None)
    if baseline is None or baseline.as_of is None or deadline is None:
        return None
    start, due, on = baseline.as_of, deadline, actual.as_of
    if on < start or due <= start:
        return None
    base = exact(record, "baseline.value", baseline.value)
    length = Decimal((due - start).days)
    elapsed = min(Decimal((on - start).days), length)
    # compare (e - a) * length with tolerance * |T - B| * length: no division, no rounding
    change = EXACT.subtract(target, base)
    expected_times_length = EXACT.add(EXACT.multiply(base, length),
                                      EXACT.multiply(change, elapsed))
    behind_times_length = EXACT.subtract(expected_times_length, EXACT.multiply(value, length))
    if direction == DECREASE:
        behind_times_length = -behind_times_length
    allowed = EXACT.multiply(tolerance, abs(change))
    if behind_times_length <= EXACT.multiply(allowed, length):
        return None
    unit = getattr(record.model, "unit", None)
    expected = EXACT.divide(expected_times_length, length)
    behind = EXACT.divide(behind_times_length, length)
    plan = ("the target itself, as the deadline has passed" if on >= due else
            f"the straight-line plan from {quantity(base, unit)} on {start.isoformat()} to"
            f" {quantity(target, unit)} on {due.isoformat()}")
    return (f"{observed}, expected {quantity(expected, unit)} by then ({plan});"
            f" {difference(behind, unit)} behind, more than the tolerance of"
            f" {difference(allowed, unit)}")
