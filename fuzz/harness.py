"""A mutation fuzzer for kpilint: seeded from the example specs, run in-process over every stage.

Each generated input goes through every :data:`TARGETS` entry: the loader, the model builder,
every rule (file and project rules, suppressions included), every report format, and the
``check --add-suppressions`` round trip through the command line (its public entry point, so it
keeps working whatever the writer's internals become). A *crash* is any exception other than
kpilint's own clean errors, a rule crash (X002), or an exit-2 "internal error" line. A *broken
promise* is a run that finished but broke an invariant (a report that is not valid JSON, a
round trip that changed the file's data or is not idempotent).

The ``--fix`` round trips (:class:`FixRoundTrip`, safe fixes and with ``--unsafe-fixes``) check
that the fixed file still parses, that its data is the original data with only the intended
edits (a scalar or key replaced by a "did you mean" candidate, and for unsafe fixes an
``indicator`` pair added to a mapping), that no wanted fix remains, that a second run changes
nothing, and that a file the run did not name stays byte for byte.
"""

from __future__ import annotations

import contextlib
import datetime
import difflib
import functools
import gc
import io
import json
import os
import random
import re
import tempfile
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kpilint.build import SpecFile, build_spec_file
from kpilint.config import Config
from kpilint.engine import Linter
from kpilint.load import STR_TAG, LoadedYaml, Node, parse_bytes
from kpilint.report import FORMATS, RenderOptions, RunResult, renderer
from kpilint.rule import Context
from kpilint.suppressions import parse_suppressions

REPO = Path(__file__).resolve().parents[1]
TODAY = datetime.date(2026, 11, 23)
FILE_NAME = "fuzz.kpi.yaml"

# Fragments that reached crashes or slow paths before: YAML syntax, tags, suppression comments,
# control characters, huge numbers, formulas.
FRAGMENTS = (
    "? ", "?", ": ", "- ", "-", "[", "]", "{", "}", ",", "&a ", "*a", "<<: *a\n", "!!bool ",
    '!!bool ""', '!!int ""', '!!int "-"', '!!float ""', "!!timestamp x", "!!null x", "!!binary ",
    "!!str ", "!!map ", "!!seq ", "!!omap ", "!!set ", "!python/object:os.system ", "!local ",
    "|", "|-\n  ", ">", '"', "'", "%YAML 1.1\n", "---\n", "...\n", "\t", "\r", "\r\n", "\n",
    "\u2028", "\u0085", "\u00a0", "\ufeff", "\x00", "\x1b]0;PWNED\x07\x1b[2J", "\x1b[31m",
    "# kpilint: disable=all", "# kpilint: disable=P302,S203 -- reason", "  # kpilint: disable=",
    "# kpilint: disable-file=P302", "# kpilint: disable=E001", " -- " + " " * 40, "#",
    "1" * 31, "9" * 40, "0.000000000000000000000000000001", "-0", "1e400", ".nan", ".inf",
    "2026-02-30", "2026-Q4", "2026-13", "yes", "no", "~", "null", "0x1F", "0o17", "1_000",
    "formula: a * b - c / (d + 1)\n", "formula: " + " * ".join(["x"] * 30) + "\n",
    "formula: ((((((((", "formula: 100 + churn - expansion\n", "paired_with: [a, b]\n",
    "supports: [", "target: {min: 1, max: 0}\n", "baseline: {value: 1, as_of: 2026-01-01}\n",
    "unit: percent\n", "unit: count\n", "direction: maintain\n", "indicator: leading\n",
    "x-extra: ", "id: ", "name: ", "kgis:\n", "ksfs:\n", "kpis:\n", "version: 1\n", "version: 2\n",
    "é", "日本語", "株価", "\U0001f600",
)


def seed_corpus() -> list[bytes]:
    """The spec files of ``examples/`` (the fuzzer mutates these)."""
    seeds = sorted((REPO / "examples").rglob("*.kpi.yaml"))
    corpus = [path.read_bytes() for path in seeds]
    if not corpus:
        raise RuntimeError(f"no seed files under {REPO / 'examples'}")
    return corpus


def _cut(data: bytes, rng: random.Random) -> tuple[int, int]:
    start = rng.randrange(len(data) + 1)
    return start, min(len(data), start + rng.choice((1, 2, 4, 16, 64, 256)))


def _line_bounds(data: bytes, rng: random.Random) -> tuple[int, int]:
    lines = data.splitlines(keepends=True) or [b""]
    index = rng.randrange(len(lines))
    start = sum(len(line) for line in lines[:index])
    return start, start + len(lines[index])


def mutate(data: bytes, corpus: list[bytes], rng: random.Random) -> bytes:
    """One random edit: delete, duplicate or move a span or line, insert a fragment, flip a
    byte, splice another seed in, or truncate."""
    choice = rng.randrange(8)
    if choice == 0:
        start, end = _cut(data, rng)
        return data[:start] + data[end:]
    if choice == 1:
        start, end = _cut(data, rng)
        return data[:end] + data[start:end] * rng.choice((1, 2, 8)) + data[end:]
    if choice in (2, 3):
        at = rng.randrange(len(data) + 1)
        return data[:at] + rng.choice(FRAGMENTS).encode("utf-8") + data[at:]
    if choice == 4 and data:
        at = rng.randrange(len(data))
        return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:]
    if choice == 5:
        start, end = _line_bounds(data, rng)
        other = rng.choice(corpus)
        donor_start, donor_end = _line_bounds(other, rng)
        return data[:start] + other[donor_start:donor_end] + data[end:]
    if choice == 6:
        start, end = _line_bounds(data, rng)
        return data[:start] + data[end:] + data[start:end]
    return data[:rng.randrange(len(data) + 1)]


def generate(corpus: list[bytes], seed: int) -> bytes:
    """The input number ``seed``: a seed file with 1 to 6 random edits (reproducible)."""
    rng = random.Random(seed)
    data = rng.choice(corpus)
    for _ in range(rng.randint(1, 6)):
        data = mutate(data, corpus, rng)
    return data


class BrokenPromise(Exception):
    """The run finished, but its result broke one of kpilint's promises."""


@dataclass(slots=True)
class Case:
    """One input and what the stages before a target computed from it."""

    data: bytes
    directory: Path
    loaded: LoadedYaml | None = None
    spec: SpecFile | None = None
    result: RunResult | None = None

    @property
    def path(self) -> Path:
        return self.directory / FILE_NAME


def load_stage(case: Case) -> None:
    case.loaded = parse_bytes(case.data, Config().limits)


def build_stage(case: Case) -> None:
    assert case.loaded is not None
    case.spec = build_spec_file(FILE_NAME, case.loaded)
    for document in case.spec.documents:
        _walk(document)


def _walk(node: Node) -> None:
    """Touch every node the builder kept (positions must be usable)."""
    for scalar, _ in SpecFile(FILE_NAME, "", [node]).scalars():
        assert scalar.span.line >= 1


def suppression_stage(case: Case) -> None:
    assert case.spec is not None
    text = case.spec.text
    parse_suppressions(text, case.spec.quoted_or_block_scalars())


def rules_stage(case: Case) -> None:
    """Every rule on the file, as the language server runs them (all rules selected)."""
    linter = Linter(case.directory, Config(), Context(today=TODAY))
    linter.update(case.path, FILE_NAME, case.data)
    result = linter.check()
    if linter.crashes:
        raise AssertionError("a rule crashed (X002):\n" + linter.crashes[0])
    case.result = RunResult(result.diagnostics, 1, result.suppressed)


def report_stage(case: Case) -> None:
    """Every output format renders; the JSON-based ones parse."""
    assert case.result is not None
    for name in FORMATS:
        text = renderer(name)(case.result, RenderOptions(show_suppressed=True))
        if name in ("json", "sarif", "gitlab"):
            try:
                json.loads(text)
            except ValueError as error:
                raise BrokenPromise(f"{name} output is not JSON: {error}") from None


@dataclass(frozen=True, slots=True)
class CliRoundTrip:
    """``kpilint check <extra>`` on the input written to disk, then the file's promises: its
    YAML data is unchanged, and a second run changes nothing (idempotent)."""

    name: str
    extra: tuple[str, ...]

    def __call__(self, case: Case) -> None:
        case.path.write_bytes(case.data)
        before = _data_of(case.data)
        self.run_cli(case.directory)
        once = case.path.read_bytes()
        if once == case.data:
            return  # nothing written: a second run sees the same input and does the same
        if _data_of(once) != before:
            raise BrokenPromise(f"{self.name} changed the file's YAML data")
        self.run_cli(case.directory)
        if case.path.read_bytes() != once:
            raise BrokenPromise(f"{self.name} is not idempotent")

    def run_cli(self, directory: Path) -> str:
        """Run the command in ``directory``; its stderr."""
        from kpilint import cli

        if not hasattr(cli.build_parser, "cache_info"):
            # The parser is the same for every run; building it is a third of a small run.
            cli.build_parser = functools.cache(cli.build_parser)
        stderr = io.StringIO()
        previous = Path.cwd()
        os.chdir(directory)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
                cli.main(["check", "--today", TODAY.isoformat(), "--no-color", *self.extra,
                      FILE_NAME])
        finally:
            os.chdir(previous)
            gc.enable()  # `check` turns the cyclic collector off for its one batch run
        if "internal error" in stderr.getvalue():
            raise AssertionError(stderr.getvalue().strip())
        return stderr.getvalue()


def _data_of(data: bytes) -> object:
    """What a file means: its documents' data as kpilint reads it (None when unreadable)."""
    loaded = parse_bytes(data, Config().limits)
    if loaded.problems and any(problem.code == "E001" for problem in loaded.problems):
        return None
    return [_plain(document) for document in loaded.documents]


def _plain(node: Node | None) -> object:
    from kpilint.load import MappingNode, ScalarNode, SequenceNode

    if isinstance(node, ScalarNode):
        return (node.tag, node.text)
    if isinstance(node, SequenceNode):
        return [_plain(item) for item in node.items]
    if isinstance(node, MappingNode):
        return [(_plain(key), _plain(value)) for key, value in node.pairs]
    return None


SIBLING = "sibling.kpi.yaml"  # in the project, not named: ``--fix`` must leave it alone
INDICATOR_PAIR_KEY = (STR_TAG, "indicator")


@dataclass(frozen=True, slots=True)
class FixRoundTrip:
    """``kpilint check --fix [--unsafe-fixes]`` on the input, next to an unnamed sibling file
    holding the same bytes; then the promises of SPEC 10.8."""

    name: str
    unsafe: bool

    def __call__(self, case: Case) -> None:
        case.path.write_bytes(case.data)
        sibling = case.directory / SIBLING
        sibling.write_bytes(case.data)
        try:
            self.check(case, sibling)
        finally:
            sibling.unlink()

    def check(self, case: Case, sibling: Path) -> None:
        report = case.directory / "report.json"
        extra = ("--fix", "--output-format", "json", "--output-file", str(report))
        fix_run = CliRoundTrip(self.name, (*extra, "--unsafe-fixes") if self.unsafe else extra)
        refusals = fix_run.run_cli(case.directory).count(" not fixed: ")
        left = _wanted_fixes(report, self.unsafe)
        once = case.path.read_bytes()
        if sibling.read_bytes() != case.data:
            raise BrokenPromise(f"{self.name} changed a file that was not named")
        if once != case.data:
            if once.startswith(b"\xef\xbb\xbf") != case.data.startswith(b"\xef\xbb\xbf"):
                raise BrokenPromise(f"{self.name} added or dropped the BOM")
            before, after = _data_of(case.data), _data_of(once)
            if after is None and before is not None:
                raise BrokenPromise(f"{self.name} made the file invalid YAML")
            problem = _unintended_change(before, after, _vocabulary(case.data), self.unsafe)
            if problem:
                raise BrokenPromise(f"{self.name} changed the data beyond its fixes: {problem}")
        if len(left) > refusals:  # a fix it did not apply must be named on stderr
            raise BrokenPromise(f"{self.name} left {left[0]!r} unapplied and unexplained")
        if once == case.data:
            return  # nothing written: a second run sees the same input and does the same
        fix_run.run_cli(case.directory)
        if case.path.read_bytes() != once:
            raise BrokenPromise(f"{self.name} is not idempotent")


def _wanted_fixes(report: Path, unsafe: bool) -> list[str]:
    """The messages of the fixes ``--fix`` should have applied that its report of what remains
    still offers (none in a file that is not well-formed YAML: such a file is left alone)."""
    found = json.loads(report.read_text(encoding="utf-8"))["diagnostics"]
    report.unlink()
    if any(each["code"] == "E001" and each["path"] == FILE_NAME for each in found):
        return []  # a file that is not well-formed YAML is never fixed
    return [each["fix"]["message"] for each in found if each["fix"] and each["path"] == FILE_NAME
            and (unsafe or each["fix"]["applicability"] == "safe")]


def _vocabulary(data: bytes) -> set[str]:
    """What a fix may write: the field names and enum values of the format, and any scalar text
    of the original file (the ids an E005 fix may name)."""
    import typing

    from kpilint.build import NESTED_MODELS
    from kpilint.model import ENTITY_MODELS, Cadence, Direction, Indicator, SpecDocument

    words = {str(value) for kind in (Cadence, Direction, Indicator)
             for value in typing.get_args(kind)}
    for model in (*ENTITY_MODELS, *NESTED_MODELS.values(), SpecDocument):
        words.update(model.model_fields)
    loaded = parse_bytes(data, Config().limits)
    for document in loaded.documents:
        if document is not None:
            words.update(scalar.text for scalar, _ in SpecFile("", "", [document]).scalars())
    return words


def _unintended_change(old: object, new: object, vocabulary: set[str], unsafe: bool) -> str:
    """What differs between two data trees (from :func:`_plain`) beyond the intended edits:
    a scalar replaced by a string of ``vocabulary`` close to the old text, and (``unsafe``) an
    ``indicator: leading|lagging`` pair added to a mapping without one; "" when nothing."""
    if old == new:
        return ""
    if _is_scalar(old) and _is_scalar(new):
        assert isinstance(old, tuple) and isinstance(new, tuple)
        if old[0] == new[0] and _terms_replaced(str(old[1]), str(new[1]), vocabulary):
            return ""  # a formula with a term replaced
        if new[0] != STR_TAG or new[1] not in vocabulary:
            return f"{old} became {new}"
        if not _close(str(old[1]), str(new[1])):
            return f"{old} became {new}, which is not a close match"
        return ""
    if isinstance(old, tuple) and isinstance(new, tuple) and not _is_scalar(old):
        return _unintended_change(list(old), list(new), vocabulary, unsafe)  # a pair
    if isinstance(old, list) and isinstance(new, list):
        if unsafe and len(new) == len(old) + 1 and all(isinstance(pair, tuple) for pair in new):
            added = [pair for pair in new if pair[0] == INDICATOR_PAIR_KEY]
            if len(added) == 1 and added[0][1] in ((STR_TAG, "leading"), (STR_TAG, "lagging")) \
                    and not any(pair[0] == INDICATOR_PAIR_KEY for pair in old):
                new = [pair for pair in new if pair is not added[0]]
        if len(old) != len(new):
            return f"a collection of {len(old)} became one of {len(new)}"
        for first, second in zip(old, new, strict=True):
            problem = _unintended_change(first, second, vocabulary, unsafe)
            if problem:
                return problem
        return ""
    return f"{old!r} became {new!r}"


FORMULA_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*|\S")


def _terms_replaced(old: str, new: str, vocabulary: set[str]) -> bool:
    """Whether ``new`` is the formula ``old`` with some id terms replaced by close ids of
    ``vocabulary`` (the spaces between terms as they were)."""
    old_terms, new_terms = FORMULA_TOKEN.findall(old), FORMULA_TOKEN.findall(new)
    if len(old_terms) != len(new_terms) or FORMULA_TOKEN.sub("", old) != FORMULA_TOKEN.sub(
            "", new):
        return False
    return all(first == second or (second in vocabulary and _close(first, second))
               for first, second in zip(old_terms, new_terms, strict=True))


def _close(old: str, new: str) -> bool:
    """Whether ``new`` is a plausible "did you mean" for ``old`` (a similarity ratio of at
    least 0.6 either way round: difflib's ratio depends on the order)."""
    return max(difflib.SequenceMatcher(None, old, new).ratio(),
               difflib.SequenceMatcher(None, new, old).ratio()) >= 0.6


def _is_scalar(data: object) -> bool:
    """Whether ``data`` is a scalar as :func:`_plain` gives it: (tag, text)."""
    return isinstance(data, tuple) and len(data) == 2 and isinstance(data[1], str)


Target = Callable[[Case], None]
TARGETS: dict[str, Target] = {
    "load": load_stage,
    "build": build_stage,
    "suppressions": suppression_stage,
    "rules": rules_stage,
    "reports": report_stage,
    "add-suppressions": CliRoundTrip("add-suppressions", ("--add-suppressions",)),
    "fix": FixRoundTrip("fix", unsafe=False),
    "fix-unsafe": FixRoundTrip("fix-unsafe", unsafe=True),
}


@dataclass(slots=True)
class Outcome:
    """What a campaign found: crashes and broken promises by target, the first of each kind."""

    inputs: int = 0
    crashes: Counter[str] = field(default_factory=Counter)
    broken: Counter[str] = field(default_factory=Counter)
    examples: dict[str, tuple[int, str]] = field(default_factory=dict)

    def record(self, seed: int, target: str, error: BaseException) -> None:
        kind = "broken" if isinstance(error, BrokenPromise) else "crash"
        (self.broken if kind == "broken" else self.crashes)[target] += 1
        summary = "".join(traceback.format_exception_only(error)).strip().splitlines()[-1]
        self.examples.setdefault(f"{kind} in {target}: {summary[:160]}", (seed, summary))

    def summary(self) -> str:
        lines = [f"inputs: {self.inputs:,}", f"crashes: {sum(self.crashes.values())}",
                 f"broken promises: {sum(self.broken.values())}"]
        lines += [f"  {kind} (first at seed {seed})" for kind, (seed, _) in self.examples.items()]
        return "\n".join(lines)


def run_case(case: Case, seed: int, outcome: Outcome, targets: dict[str, Target]) -> None:
    """Every target in order; a crash stops the later targets of this input."""
    outcome.inputs += 1
    for name, target in targets.items():
        try:
            target(case)
        except Exception as error:  # counting crashes is the point
            outcome.record(seed, name, error)
            return


def campaign(seeds: range, targets: dict[str, Target] | None = None,
             progress: Callable[[int, Outcome], None] | None = None) -> Outcome:
    """Run the inputs numbered ``seeds`` through ``targets`` (default: all of them)."""
    corpus = seed_corpus()
    outcome = Outcome()
    with _scratch() as directory:
        try:
            for seed in seeds:
                case = Case(generate(corpus, seed), directory)
                run_case(case, seed, outcome, targets or TARGETS)
                if progress is not None:
                    progress(seed, outcome)
        except KeyboardInterrupt:
            pass  # stopped early (Ctrl-C, or SIGTERM in the campaign script): report so far
    return outcome


@contextlib.contextmanager
def _scratch() -> Iterator[Path]:
    """A project directory for the round trips (a config pins nothing: defaults apply)."""
    with tempfile.TemporaryDirectory(prefix="kpilint-fuzz-") as name:
        directory = Path(name)
        (directory / "kpilint.toml").write_text("", encoding="utf-8")
        yield directory
