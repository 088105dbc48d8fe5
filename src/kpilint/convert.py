"""``kpilint convert --from DIALECT``: write v1 specs from files of another format (SPEC 10.5).

Each input file becomes ``<stem>.kpi.yaml`` in the output directory: one YAML document per
``org`` (its ``scope``), holding a KGI ``<org-id>-goal`` for an org's first file (``-goal-2`` and
so on if a KPI already has that id) and the org's KPIs, which support it. Ids are the ones native
reading gives. Target text that does not parse is kept as ``x-target-text``. A ``kpilint.toml``
counts KPIs per KGI and per scope, as native reading counts them per org. Nothing is written
unless every input reads and no output exists yet.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from kpilint.build import EntityRecord, SpecFile
from kpilint.dialects import dialect_named, name_entities, slug
from kpilint.load import Limits, read_file
from kpilint.model import Entity

CONFIG_TEXT = """\
# Written by `kpilint convert`: count KPIs per goal and per scope (an org of the source files).
[rules.too-many-kpis]
per = ["kgi", "scope"]
"""
FIELD_ORDER = ("id", "name", "definition", "supports", "unit", "target", "owner", "source")


class ConvertError(Exception):
    """A conversion that cannot be done; the message is the one line the user sees."""


@dataclasses.dataclass(frozen=True, slots=True)
class Converted:
    """One input and the v1 spec text written for it."""

    source: Path
    output: Path
    text: str
    kpis: int


def convert(dialect_name: str, inputs: list[Path], output_dir: Path,
            limits: Limits | None = None) -> list[Converted]:
    """The v1 specs of ``inputs`` read in a dialect (nothing is written here)."""
    dialect = dialect_named(dialect_name)
    if dialect is None:
        raise ConvertError(f"unknown dialect {dialect_name!r}")
    stems: dict[str, Path] = {}
    for path in inputs:
        stem = path.name.split(".")[0] or path.name
        if stem in stems:
            raise ConvertError(f"{stems[stem]} and {path} would both be written to"
                               f" {output_dir / (stem + '.kpi.yaml')}; rename one of them")
        stems[stem] = path
    specs = [_read(dialect.build, path, limits or Limits()) for path in inputs]
    renamed = {id(old): new for old, new in name_entities(specs)}
    specs = [renamed.get(id(spec), spec) for spec in specs]
    goals = _goal_ids(specs)
    seen_orgs: set[str] = set()
    results = []
    for (stem, path), spec in zip(stems.items(), specs, strict=True):
        documents = list(_documents(spec, goals, seen_orgs))
        header = (f"# Converted by `kpilint convert --from {dialect_name}` from {path.name}.\n"
                  "# Fill in each goal's target, deadline and baseline, then run"
                  " `kpilint check`.\n")
        body = _with_comments(spec, _dump(documents)) if documents else "version: 1\n"
        results.append(Converted(path, output_dir / f"{stem}.kpi.yaml", header + body,
                                 len(spec.entities)))
    return results


class _Band(dict[str, Any]):
    """A target band, written on one line: ``{min: 95}``."""


class _Dumper(yaml.SafeDumper):
    """Block style with list items indented under their key, as kpilint's examples are."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_Dumper.add_representer(_Band, lambda dumper, band: dumper.represent_mapping(
    "tag:yaml.org,2002:map", band, flow_style=True))


def _dump(documents: list[dict[str, Any]]) -> str:
    return yaml.dump_all(documents, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                         width=10_000, explicit_start=len(documents) > 1)


def _read(build: Any, path: Path, limits: Limits) -> SpecFile:
    """One input read in the dialect; its first E001/E002 stops the conversion."""
    spec: SpecFile = build(str(path), read_file(path, limits))
    for code in ("E001", "E002"):
        for violation in spec.violations_of(code):
            span = violation.location.span
            raise ConvertError(f"{path}:{span.line}:{span.column}: {code} {violation.message};"
                               " nothing was written")
    return spec


def _goal_ids(specs: list[SpecFile]) -> dict[str, str]:
    """Each org's KGI id: ``<org-id>-goal``, or ``<org-id>-goal-2`` and so on when a converted
    KPI already has that id."""
    taken = {record.id for spec in specs for record in spec.entities}
    goals: dict[str, str] = {}
    for spec in specs:
        for record in spec.entities:
            if record.scope is None or record.scope in goals:
                continue
            goal, suffix = f"{slug(record.scope)}-goal", 1
            while goal in taken:
                suffix += 1
                goal = f"{slug(record.scope)}-goal-{suffix}"
            taken.add(goal)
            goals[record.scope] = goal
    return goals


def _documents(spec: SpecFile, goals: dict[str, str],
               seen_orgs: set[str]) -> Iterator[dict[str, Any]]:
    """One v1 document per org of the file (in the order the orgs first appear)."""
    by_org: dict[str | None, list[EntityRecord[Entity]]] = {}
    for record in sorted(spec.entities, key=lambda each: each.line):
        by_org.setdefault(record.scope, []).append(record)
    for org, records in by_org.items():
        document: dict[str, Any] = {"version": 1}
        goal = None
        if org is not None:
            document["scope"] = org
            goal = goals[org]
            if org not in seen_orgs:
                seen_orgs.add(org)
                document["kgis"] = [{"id": goal, "name": f"{org} goal"}]
        document["kpis"] = [_kpi(record, goal) for record in records]
        yield document


def _whole(value: Any) -> Any:
    """Numbers as written: 95 rather than 95.0 (in a band too)."""
    if isinstance(value, dict):
        return _Band({key: _whole(item) for key, item in value.items()})
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _with_comments(spec: SpecFile, text: str) -> str:
    """``text`` with each suppression comment that applied to an entity's first line in the
    source moved to the entity's first line (``- id: ...``); file-wide ones go first."""
    from kpilint.suppressions import parse_suppressions

    comments = parse_suppressions(spec.text, spec.quoted_or_block_scalars())
    on_line = {record.line: record.id for record in spec.entities}
    directives: dict[str, list[str]] = {}
    whole_file: list[str] = []
    for comment in comments:
        directive = "# kpilint: " + comment.written + (
            f" -- {comment.reason}" if comment.reason else "")
        if comment.whole_file:
            whole_file.append(directive)
        elif comment.target_line in on_line:
            directives.setdefault(on_line[comment.target_line], []).append(directive)
    lines = text.splitlines()
    for index, line in enumerate(lines):
        entity = line.lstrip().removeprefix("- id: ")
        if line.lstrip().startswith("- id: ") and entity in directives:
            lines[index] = f"{line}  {' '.join(directives.pop(entity))}"
    return "".join(f"{line}\n" for line in (*whole_file, *lines))


def _kpi(record: EntityRecord[Entity], goal: str | None) -> dict[str, Any]:
    fields = {key: _whole(value) for key, value in
              record.model.model_dump(exclude_none=True).items()}
    if goal is not None:
        fields["supports"] = goal
    kpi = {key: fields[key] for key in FIELD_ORDER if key in fields}
    if record.target_text is not None:
        kpi["x-target-text"] = record.target_text
    return kpi
