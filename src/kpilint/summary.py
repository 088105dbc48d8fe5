"""Compact, JSON-ready summaries of one checked file, and the engine's objects rebuilt from them.

A summary holds what the engine needs from a file without parsing it again: the findings of the
file rules, its suppression comments, its declared scopes, and per entity the facts the graph is
built from (id, kind, line, references) and the places findings point at (the entity, each field's
value). The validated fields become a model only when a project rule reads one
(:class:`SummaryRecord`; :class:`FactsRecord` for an entity restored from a run's state, which
keeps only its facts); the rare rule that needs the YAML nodes themselves gets them by parsing
the file's text, kept in the summary, again. The result cache stores summaries; ``--jobs``
workers send them back.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from kpilint.build import EntityRecord, SpecFile
from kpilint.diagnostics import (
    Diagnostic,
    Edit,
    Fix,
    Location,
    Related,
    Severity,
    Span,
    new_location,
    new_related,
    new_span,
)
from kpilint.load import Limits, MappingNode, ScalarNode
from kpilint.model import ENTITY_MODELS, Entity, construct_valid
from kpilint.suppressions import Suppression

MODELS: dict[str, type[Entity]] = {model.kind: model for model in ENTITY_MODELS}
REFERENCE_FIELDS = ("supports", "paired_with")
NONE_INVALID: frozenset[str] = frozenset()
_REFERENCE_AT = {name: 5 + index for index, name in enumerate(REFERENCE_FIELDS)}
"""Where an entity's facts (:func:`file_facts`) hold the ids each reference field names."""
_FORMULA_AT = 5 + len(REFERENCE_FIELDS)
_DIALECT_AT = _FORMULA_AT + 1
Json = Any


class SummaryError(Exception):
    """A summary that cannot be made (a value JSON cannot hold) or read back."""


def span_data(span: Span) -> list[int]:
    return [span.line, span.column, span.end_line, span.end_column]


_SEVERITIES = {int(severity): severity for severity in Severity}


SPANS_KEPT = 16_384
"""The most spans :func:`span_of` shares (then it starts afresh): a project's findings and
places repeat few positions many times (10,628 findings of the 2,000-file benchmark project
point at 32,227 places, 991 distinct positions)."""
_SPANS: dict[tuple[Json, ...], Span] = {}


def span_of(data: Json) -> Span:
    """The span of ``[line, column, end_line, end_column]``; an ordinary, equal ``Span``,
    shared by equal positions (a span is immutable)."""
    key = tuple(data)
    span = _SPANS.get(key)
    if span is None:
        line, column, end_line, end_column = data
        span = new_span(int(line), int(column), int(end_line), int(end_column))
        if len(_SPANS) >= SPANS_KEPT:
            _SPANS.clear()
        _SPANS[key] = span
    return span


def _location_of(path: Json, span: Json) -> Location:
    return new_location(str(path), span_of(span))


def _related_of(path: Json, span: Json, message: Json) -> Related:
    return new_related(_location_of(path, span), str(message))


def diagnostic_data(diagnostic: Diagnostic) -> Json:
    fix = diagnostic.fix
    return [diagnostic.code, diagnostic.name, int(diagnostic.severity), diagnostic.message,
            diagnostic.location.path, span_data(diagnostic.location.span), diagnostic.url,
            diagnostic.subject, diagnostic.field,
            [[each.location.path, span_data(each.location.span), each.message]
             for each in diagnostic.related],
            None if fix is None else [fix.message, [[span_data(edit.span), edit.text]
                                                    for edit in fix.edits], fix.applicability],
            diagnostic.fingerprint, diagnostic.project_path]


def diagnostic_of(data: Json) -> Diagnostic:
    (code, name, severity, message, path, span, url, subject, field_name, related, fix,
     fingerprint, project_path) = data
    return Diagnostic(
        str(code), str(name), _SEVERITIES[severity], str(message), _location_of(path, span),
        str(url), subject, field_name,
        tuple([_related_of(where, at, text) for where, at, text in related])
        if related else (),
        None if fix is None else Fix(str(fix[0]), tuple(
            Edit(span_of(at), str(text)) for at, text in fix[1]), *map(str, fix[2:3])),
        str(fingerprint), str(project_path))


def suppression_data(comment: Suppression) -> Json:
    return [span_data(comment.span), list(comment.selectors), comment.reason, comment.whole_file,
            comment.target_line]


def suppression_of(data: Json) -> Suppression:
    span, selectors, reason, whole_file, target_line = data
    return Suppression(span_of(span), tuple(str(each) for each in selectors), reason,
                       bool(whole_file), target_line)


# -- entities ------------------------------------------------------------------------------------

def record_data(record: EntityRecord[Entity]) -> Json:
    node = record.node
    fields = {key.text: span_data(value.span) for key, value in node.pairs
              if isinstance(key, ScalarNode)}
    references = {name: [[target, span_data(location.span), field_path]
                         for target, location, field_path in record.reference_locations(name)]
                  for name in REFERENCE_FIELDS
                  if record.has_references(name) or name in record.invalid}
    # an invalid field's ids too: the graph reads them from the file as written (E005)
    return {
        "id": record.id, "kind": record.kind, "line": record.line, "scope": record.scope,
        "invalid": sorted(record.invalid), "head": span_data(node.head or node.span),
        "fields": fields, "references": references,
        "formula": [[term, span_data(location.span), exact]
                    for term, location, exact in record.formula_references()],
        "model": model_data(record.model),
        "dialect": record.dialect, "target_text": record.target_text,
    }


class _NotPlain(Exception):
    """A value :func:`plain_model_data` leaves to pydantic's serializer."""


def model_data(model: Entity) -> Json:
    """``model.model_dump(mode="json", exclude_unset=True)``. While pydantic's serializer of
    the model is not built (building it costs tens of milliseconds; a one-file change needs a
    few models), :func:`plain_model_data` where it can."""
    if not type(model).__pydantic_complete__:
        plain = plain_model_data(model)
        if plain is not None:
            return plain
    return model.model_dump(mode="json", exclude_unset=True)


def plain_model_data(model: BaseModel) -> Json | None:
    """``model.model_dump(mode="json", exclude_unset=True)`` when every value set is plain:
    text, a flag, a finite number, a day, a list of texts, or a model of those (a baseline);
    else None."""
    try:
        return _fields(model)
    except _NotPlain:
        return None


def _fields(model: BaseModel) -> Json:
    if model.__pydantic_extra__:
        raise _NotPlain
    fields_set = model.model_fields_set
    return {name: _plain(getattr(model, name)) for name in type(model).model_fields
            if name in fields_set}


def _plain(value: Any) -> Json:
    """A plain field value as pydantic's JSON mode writes it."""
    kind = type(value)
    if value is None or kind is str or kind is bool or kind is int:
        return value
    if kind is float and math.isfinite(value):
        return value
    if kind is datetime.date:
        return value.isoformat()
    if kind is list and all(type(each) is str for each in value):
        return list(value)
    if isinstance(value, BaseModel):
        return _fields(value)
    raise _NotPlain


class FileSource:
    """One summarised file: its summary (read when first needed, see :func:`lazy_spec`) and,
    once, its YAML nodes, parsed again from its text for a rule that reads them."""

    def __init__(self, path: str, limits: Limits, dialect: str | None,
                 summary: Json | None = None, load: Callable[[], Json] | None = None) -> None:
        self.path = path
        self.limits = limits
        self.dialect = dialect
        self._summary = summary
        self._load = load
        self.nodes: dict[tuple[str, int], MappingNode] | None = None

    @property
    def summary(self) -> Json:
        if self._summary is None:
            assert self._load is not None
            self._summary = self._load()
        return self._summary

    @property
    def text(self) -> str:
        return str(self.summary["text"])

    def node(self, entity_id: str, line: int) -> MappingNode:
        if self.nodes is None:
            from kpilint.dialects import build_file
            from kpilint.load import parse_bytes

            spec = build_file(self.path, parse_bytes(self.text.encode("utf-8"), self.limits),
                              self.dialect)
            # a dialect entity's id is given project-wide later: its line finds it
            self.nodes = {(record.id if self.dialect is None else "", record.line): record.node
                          for record in spec.entities}
        try:
            return self.nodes[(entity_id if self.dialect is None else "", line)]
        except KeyError:
            raise SummaryError(f"{self.path}: entity {entity_id!r} is not where its summary"
                               " says") from None


class _StoredRecord(EntityRecord[Entity]):
    """An entity read back from what a run stored: its graph facts and locations at once; its
    model when a rule reads a field, its YAML nodes (the file parsed again) only when a rule
    needs them. ``_whole`` gives its summary (fields and model), ``_placed`` its head,
    references and formula terms with their spans."""

    __slots__ = ("_model", "_node", "data", "source")
    _model: Entity | None
    _node: MappingNode | None
    data: Json
    source: FileSource

    @property
    def model(self) -> Entity:
        if self._model is None:  # without building pydantic's validator where it can
            model, values = MODELS[self.kind], self._whole()["model"]
            made = construct_valid(model, values)
            self._model = model.model_validate(values) if made is None else made
        return self._model

    @model.setter
    def model(self, value: Entity) -> None:
        self._model = value

    @property
    def node(self) -> MappingNode:
        if self._node is None:
            self._node = self.source.node(self.id, self.line)
        return self._node

    @node.setter
    def node(self, value: MappingNode) -> None:
        self._node = value

    def _whole(self) -> Json:
        """The entity's whole summary (its facts, fields and model)."""
        return self.data

    def _placed(self) -> Json:
        """The entity's head, references and formula terms with their spans."""
        return self.data

    def at_entity(self) -> Location:
        return _location_of(self.path, self._placed()["head"])

    def at_field(self, name: str) -> Location:
        span = self._whole()["fields"].get(name)
        return _location_of(self.path, span) if span else self.at_entity()

    def reference_locations(self, name: str) -> list[tuple[str, Location, str]]:
        return [(target, _location_of(self.path, span), field_path)
                for target, span, field_path in self.reference_places(name)]

    def reference_places(self, name: str) -> Sequence[tuple[str, list[int], str]]:
        """The ``[target, span, field_path]`` of :meth:`reference_locations`, as stored."""
        return self._placed()["references"].get(name, ())  # type: ignore[no-any-return]

    def formula_places(self) -> Sequence[tuple[str, tuple[str, list[int]], bool]]:
        """(term, (path, stored span), exact) of :meth:`formula_references`."""
        path = self.path
        return [(term, (path, span), bool(exact))
                for term, span, exact in self._placed()["formula"]]

    def formula_references(self) -> list[tuple[str, Location, bool]]:
        return [(term, _location_of(self.path, span), bool(exact))
                for term, span, exact in self._placed()["formula"]]


class SummaryRecord(_StoredRecord):
    """An entity read back from its summary ``data`` (:func:`record_data`)."""

    __slots__ = ("formula", "references")

    def __init__(self, path: str, data: Json, source: FileSource) -> None:
        self.path = path
        self.id = str(data["id"])
        self.kind = str(data["kind"])
        self.line = int(data["line"])
        self.scope = data["scope"]
        invalid = data["invalid"]
        self.invalid = frozenset(invalid) if invalid else NONE_INVALID
        self.dialect, self.target_text = data.get("dialect"), data.get("target_text")
        self.references, self.formula = data["references"], data["formula"]
        self.data = data
        self.source = source
        self._model = self._node = None

    def has_references(self, name: str) -> bool:
        return name in self.references and name not in self.invalid

    def reference_targets(self, name: str) -> Sequence[str]:
        return [each[0] for each in self.references.get(name, ())]

    def formula_terms(self) -> Sequence[str]:
        return [each[0] for each in self.formula]


class FactsRecord(_StoredRecord):
    """An entity restored from its facts alone (``data``, one entity's of :func:`file_facts`,
    read as they stand: 13,000 of them restored in a run): its fields and model are read from
    its file's summary (entity ``index`` of ``source``), its places from ``places``, when first
    needed."""

    __slots__ = ("_located", "index", "places")
    _located: Json

    def __init__(self, path: str, data: Json, source: FileSource, index: int,
                 places: Places) -> None:
        if len(data) < _DIALECT_AT or type(data[0]) is not str or type(data[2]) is not int:
            raise SummaryError(f"{path}: facts of another shape")  # (a cache of another make)
        self.path = path
        self.id, self.kind, self.line, self.scope = data[0], data[1], data[2], data[3]
        self.invalid = frozenset(data[4]) if data[4] else NONE_INVALID
        self.dialect, self.target_text = (data[_DIALECT_AT], data[_DIALECT_AT + 1]) if len(
            data) > _DIALECT_AT else (None, None)
        self.data = data
        self.index = index
        self.source = source
        self.places = places
        self._located = self._model = self._node = None

    def _whole(self) -> Json:
        return self.source.summary["entities"][self.index]

    def _placed(self) -> Json:
        if self._located is None:
            data = self.data
            self._located = _located(
                {name: data[at] for name, at in _REFERENCE_AT.items() if data[at] is not None},
                self.formula_terms(), self.places.data[self.index])
        return self._located

    def has_references(self, name: str) -> bool:
        return self.data[_REFERENCE_AT[name]] is not None and name not in self.invalid

    def reference_targets(self, name: str) -> Sequence[str]:
        named: list[str] | None = self.data[_REFERENCE_AT[name]]
        return () if named is None else named

    def formula_terms(self) -> Sequence[str]:
        return self.data[_FORMULA_AT] or []


def _located(named_ids: Json, terms: Json, places: Json) -> Json:
    """An entity's head, references and formula terms with their spans, from its facts (the
    ids it names, its formula's terms) and its places (:func:`file_places`); ``ValueError`` when
    they do not match."""
    head, spans, formula = places
    references: dict[str, list[Json]] = {name: [] for name in named_ids}
    named = [(name, target) for name, targets in named_ids.items() for target in targets]
    for (name, target), (span, field_path) in zip(named, spans, strict=True):
        references[name].append([target, span, field_path])
    return {"head": head, "references": references,
            "formula": [[term, span, exact] for term, (span, exact)
                        in zip(terms, formula, strict=True)]}


# -- files ---------------------------------------------------------------------------------------

def file_summary(spec: SpecFile, findings: list[Diagnostic],
                 comments: list[Suppression]) -> Json:
    """What the engine needs from one checked file."""
    return {
        "path": spec.path,
        "text": spec.text,
        "findings": [diagnostic_data(each) for each in findings],
        "suppressions": [suppression_data(each) for each in comments],
        "scopes": [[scope, span_data(location.span)] for scope, location in spec.scopes],
        "entities": [record_data(record) for record in spec.entities],
        "dialect": spec.dialect,
        "foreign": spec.foreign,
    }


def spec_of(data: Json, limits: Limits) -> tuple[SpecFile, list[Diagnostic], list[Suppression]]:
    """A spec file (without its nodes; ``limits`` are the project's, to parse it again if a rule
    needs them), its file-rule findings and its comments."""
    path = str(data["path"])
    spec = SpecFile(path, str(data["text"]), dialect=data.get("dialect"),
                    foreign=bool(data.get("foreign")))
    source = FileSource(path, limits, spec.dialect, data)
    spec.entities = [SummaryRecord(path, each, source) for each in data["entities"]]
    spec.scopes = [(str(scope), _location_of(path, span)) for scope, span in data["scopes"]]
    return (spec, [diagnostic_of(each) for each in data["findings"]],
            [suppression_of(each) for each in data["suppressions"]])


# -- facts: what the graph needs of a file, kept in the run's state ------------------------------

def file_facts(summary: Json) -> Json:
    """What the project graph needs of a summarised file: its dialect, scopes, and per entity
    ``[id, kind, line, scope, invalid fields, ids named per reference field
    (:data:`REFERENCE_FIELDS`, each a list), formula terms]``, each of the lists null when it
    would be empty or the field is absent (a reference field present without an id stays an
    empty list), then ``dialect, target_text`` only when one is set (13,000 entities' empty
    lists, mappings and nulls took a third of the time their facts took to parse). The run's
    state keeps it, so that a later run builds the graph without reading the file's summary;
    the places are kept apart (:func:`file_places`), read only when a location is asked for."""
    return {"dialect": summary.get("dialect"), "scopes": summary["scopes"],
            "entities": [_entity_facts(entity) for entity in summary["entities"]]}


def _entity_facts(entity: Json) -> Json:
    references = entity["references"]
    facts = [entity["id"], entity["kind"], entity["line"], entity["scope"],
             entity["invalid"] or None,
             *([target for target, _, _ in references[name]] if name in references else None
               for name in REFERENCE_FIELDS),
             [term for term, _, _ in entity["formula"]] or None]
    dialect, target_text = entity.get("dialect"), entity.get("target_text")
    return facts if dialect is None and target_text is None else [*facts, dialect, target_text]


def file_places(summary: Json) -> Json:
    """What :func:`file_facts` leaves out of a summarised file's entities, their places: per
    entity ``[head, [[span, field path]...] of its references in order, [[span, exact]...] of
    its formula terms]``."""
    return [[entity["head"],
             [[span, field_path] for each in entity["references"].values()
              for _, span, field_path in each],
             [[span, exact] for _, span, exact in entity["formula"]]]
            for entity in summary["entities"]]


class Places:
    """A file's places as the run's state keeps them (:func:`file_places`): ``raw``, their
    JSON, parsed when a location is first asked for."""

    __slots__ = ("_data", "raw")

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self._data: Json = None

    @property
    def data(self) -> Json:
        if self._data is None:
            self._data = json.loads(self.raw.decode("utf-8"))
        return self._data


class SummarySpec(SpecFile):
    """A spec file restored from its facts; its text is read from its summary when first asked
    for (an empty ``text`` stands for that), its scopes are located when first asked for (from
    ``stored_scopes``, as :func:`file_facts` keeps them)."""

    __slots__ = ("_scopes", "_text", "source", "stored_scopes")
    _scopes: list[tuple[str, Location]] | None

    def __init__(self, path: str, source: FileSource, stored_scopes: Json = ()) -> None:
        self.source = source
        super().__init__(path, "", dialect=source.dialect)
        self.stored_scopes = stored_scopes
        self._scopes = None

    @property
    def text(self) -> str:
        return self._text or self.source.text

    @text.setter
    def text(self, value: str) -> None:
        self._text = value

    @property
    def scopes(self) -> list[tuple[str, Location]]:
        if self._scopes is None:
            path = self.path
            self._scopes = [(str(scope), _location_of(path, span))
                            for scope, span in self.stored_scopes]
        return self._scopes

    @scopes.setter
    def scopes(self, value: list[tuple[str, Location]]) -> None:
        self._scopes = value


def spec_of_facts(path: str, facts: Json, places: Places, source: FileSource) -> SummarySpec:
    """The spec file at ``path`` of :func:`file_facts` and ``places``; fields, models and text
    come from ``source``."""
    spec = SummarySpec(path, source, facts["scopes"])
    spec.entities = [FactsRecord(path, each, source, index, places)
                     for index, each in enumerate(facts["entities"])]
    return spec
