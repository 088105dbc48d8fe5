"""Dialects (SPEC §9, 10.5): adapters that read other KPI file formats into kpilint's model.

A dialect is chosen explicitly (``--dialect NAME`` or config ``[dialects]``), never guessed. Each
dialect is one module that builds a :class:`~kpilint.build.SpecFile` from the loader's positioned
nodes, names the rules that make sense on its files, and words what its format calls a field.
Adding a dialect is one module plus one line in :data:`DIALECTS`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kpilint.build import EntityRecord, SpecFile, build_spec_file
from kpilint.load import LoadedYaml
from kpilint.model import Entity


@dataclass(frozen=True, slots=True)
class Dialect:
    """One foreign format: how to read it, and which rules run on what it yields."""

    name: str
    rules: frozenset[str]
    """Codes of the rules that run on its files (every X rule runs too)."""
    build: Callable[[str, LoadedYaml], SpecFile]
    missing_advice: Callable[[str], str | None]
    """What to add, in the format's own words, for a missing v1 field (None: the v1 advice)."""

    def runs(self, code: str) -> bool:
        """Whether the rule ``code`` reports findings in this dialect's files."""
        return code in self.rules or code.startswith("X")


def _registry() -> dict[str, Dialect]:
    from kpilint.dialects import gitlab_pi

    return {gitlab_pi.DIALECT.name: gitlab_pi.DIALECT}


_DIALECTS: dict[str, Dialect] = {}


def dialects() -> dict[str, Dialect]:
    """Every dialect by name."""
    if not _DIALECTS:
        _DIALECTS.update(_registry())
    return _DIALECTS


def dialect_named(name: str | None) -> Dialect | None:
    return dialects().get(name) if name is not None else None


def build_file(path: str, loaded: LoadedYaml, dialect: str | None) -> SpecFile:
    """A loaded file's model: read in ``dialect``, or as a v1 spec when it is None."""
    chosen = dialect_named(dialect)
    return chosen.build(path, loaded) if chosen is not None else build_spec_file(path, loaded)


def format_note(record: EntityRecord[Entity], field_name: str) -> str:
    """For advice to write a v1 field: what to do instead in the record's dialect ("" when the
    record is a v1 entity, or the dialect has nothing to say)."""
    dialect = dialect_named(record.dialect)
    advice = dialect.missing_advice(field_name) if dialect else None
    return f"; {advice}" if advice else ""


def slug(name: str) -> str:
    """An id from a name (SPEC 10.5): lowercased, each run outside ``[a-z0-9]`` a ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "pi"


def name_entities(files: Iterable[SpecFile]) -> list[tuple[SpecFile, SpecFile]]:
    """Ids unique in the project for the entities of dialect files (SPEC 10.5): the slug of the
    name, then ``-2``, ``-3``… in path then line order, never an id of a v1 file. ``files`` are
    in path order; returns (file, the file with its new ids) for each file whose ids change (the
    file itself is left as it is: the project graph may hold its entities)."""
    files = list(files)
    taken = {record.id for spec in files if spec.dialect is None for record in spec.entities}
    renamed: list[tuple[SpecFile, SpecFile]] = []
    for spec in files:
        if spec.dialect is None:
            continue
        wanted: dict[int, str] = {}
        for record in sorted(spec.entities, key=lambda each: each.line):
            wanted[id(record)] = _free(slug(record.model.name), taken)
            taken.add(wanted[id(record)])
        if any(wanted[id(record)] != record.id for record in spec.entities):
            entities = [_renamed(record, wanted[id(record)]) for record in spec.entities]
            renamed.append((spec, dataclasses.replace(spec, entities=entities)))
    return renamed


def _free(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _renamed(record: EntityRecord[Entity], new_id: str) -> EntityRecord[Entity]:
    """A copy of ``record`` with another id."""
    from kpilint.summary import SummaryRecord

    if record.id == new_id:
        return record
    if isinstance(record, SummaryRecord):
        return SummaryRecord(record.path, {**record.data, "id": new_id, "model": {
            **record.data["model"], "id": new_id}}, record.source)
    return dataclasses.replace(record, model=record.model.model_copy(update={"id": new_id}))
