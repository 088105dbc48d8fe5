"""A small seeded fuzzing run in the suite; ``python -m fuzz.campaign`` runs the long one.

The mutation run sends reproducible inputs (seeds 0-59) through every target of
``fuzz/harness.py``, the ``--add-suppressions`` and ``--fix`` round trips included. The
hypothesis run builds inputs from the harness's fragments (tags, aliases, ``? ``, control
characters, huge numbers, suppression comments) and sends them through the in-process targets.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fuzz.harness import FRAGMENTS, TARGETS, Case, Outcome, campaign, run_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

IN_PROCESS = {name: target for name, target in TARGETS.items()
              if name not in ("add-suppressions", "fix", "fix-unsafe")}


def test_seeded_mutation_run_has_no_crash_and_keeps_every_promise() -> None:
    outcome = campaign(range(60))
    assert outcome.inputs == 60
    assert outcome.examples == {}, outcome.summary()


@settings(max_examples=80, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_fragment_soup_never_crashes(fragments: list[str]) -> None:
    outcome = Outcome()
    with tempfile.TemporaryDirectory() as directory:
        case = Case("".join(fragments).encode("utf-8"), Path(directory))
        run_case(case, 0, outcome, IN_PROCESS)
    assert outcome.examples == {}, outcome.summary()
