"""Turn one file's YAML nodes into validated entities, with E002 at the exact node.

Each entity is validated on its own. A field that fails validation is reported (E002) and then
dropped, so the entity stays in the graph with that field absent and no other rule reports it a
second time. Only an entity without a valid ``id`` is left out of the graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel, ValidationError

from kpilint.diagnostics import (
    SAFE,
    UNSAFE,
    Edit,
    Fix,
    Location,
    Span,
    Violation,
    new_location,
)
from kpilint.formats import recognise
from kpilint.load import (
    LINE_BREAK,
    STR_TAG,
    LoadedYaml,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    first_fault,
    is_faulty,
    plain_tag,
)
from kpilint.model import (
    ENTITY_MODELS,
    EXTENSION_PREFIX,
    NUMBER_OR_MAPPING,
    QUICK_FIELDS,
    TEXT,
    Actual,
    Band,
    Baseline,
    Convert,
    Entity,
    SpecDocument,
    Unsure,
    construct_valid,
    made_model,
    quick_shape,
    text_fields,
)


def _fields(model: type[BaseModel]) -> dict[str, tuple[bool, Convert | None]]:
    """The model's fields, in order, each with whether it takes its scalars' source text and
    its quick check (None: pydantic validates any entity that has the field)."""
    texts = text_fields(model)
    checks = QUICK_FIELDS.get(model, {})
    return {name: (name in texts, checks.get(name)) for name in model.model_fields}


FIELDS: dict[type[BaseModel], dict[str, tuple[bool, Convert | None]]] = {
    SpecDocument: _fields(SpecDocument), **{model: _fields(model) for model in ENTITY_MODELS}}
SECTIONS = {model.section: model for model in ENTITY_MODELS}
NESTED_MODELS: dict[str, type[BaseModel]] = {
    "baseline": Baseline, "target": Band, "actual": Actual}
# texts that read as numbers to a person, for the messages of invalid values (patterns compiled
# by ``re``, once, for the first such message: not at import)
SCIENTIFIC = r"^[-+]?\d+(\.\d*)?[eE][-+]?\d+$"
THOUSANDS = r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$"
PLAIN_NUMBER = r"^[-+]?\d+(\.\d+)?$"
VALID: frozenset[str] = frozenset()
"""The invalid fields of an entity with none (one set shared by all of them)."""
PYDANTIC_TYPE_NAMES = {
    "string_type": "a string", "float_type": "a number", "int_type": "an integer",
    "bool_type": "true or false", "date_type": "a date (YYYY-MM-DD)", "list_type": "a list",
    "model_type": "a mapping", "dict_type": "a mapping", "finite_number": "a finite number",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)", "date_parsing": "a date (YYYY-MM-DD)",
    NUMBER_OR_MAPPING: "a number or `{value, as_of}`",
}


ModelT = TypeVar("ModelT", bound=Entity, covariant=True)


@dataclass(eq=False, slots=True)
class EntityRecord(Generic[ModelT]):
    """A validated entity and where it stands in its file."""

    model: ModelT
    path: str
    node: MappingNode
    scope: str | None
    invalid: frozenset[str] = VALID
    dialect: str | None = None
    """The dialect of the file it was read from (None: a v1 spec)."""
    target_text: str | None = None
    """A dialect's target text that did not parse (the target is absent)."""
    id: str = field(init=False)
    """The model's id and kind, and the line the entity's mapping starts on: plain attributes,
    since rules read them all the time."""
    kind: str = field(init=False)
    line: int = field(init=False)

    def __post_init__(self) -> None:
        self.id = self.model.id
        self.kind = self.model.kind
        self.line = self.node.line  # without making the node's span

    def lacks(self, name: str) -> bool:
        """Whether the field is absent, and not merely invalid (E002 reported it already)."""
        return getattr(self.model, name, None) is None and name not in self.invalid

    def has_references(self, name: str) -> bool:
        """Whether the reference field ``name`` holds a valid value."""
        return getattr(self.model, name, None) is not None

    def formula_references(self) -> list[tuple[str, Location, bool]]:
        """(id, location, exact) of each id term of a KGI's formula; none when it does not
        parse (T401)."""
        from kpilint.formula import Formula, formula_location, parse_or_error

        text = getattr(self.model, "formula", None) if self.kind == "KGI" else None
        formula = parse_or_error(text) if text is not None else None
        if not isinstance(formula, Formula):
            return []
        return [(token.text, *formula_location(self, token)) for token in formula.terms]

    def formula_places(self) -> Sequence[tuple[str, Location | tuple[str, list[int]], bool]]:
        """:meth:`formula_references` as the graph keeps them (an entity read back from a
        summary gives its path and stored span instead of a location)."""
        return self.formula_references()

    def formula_terms(self) -> Sequence[str]:
        """The ids of :meth:`formula_references` (without their places)."""
        return [term for term, _, _ in self.formula_places()]

    def at_entity(self) -> Location:
        """The entity's first key-value pair."""
        return new_location(self.path, self.node.head or self.node.span)

    def at_field(self, name: str) -> Location:
        """The value node of ``name``, or the entity when the field is absent. A dotted name
        (``actual.as_of``) reaches into a mapping, and stops at the deepest node present."""
        if "." not in name:  # nearly every call: one field of the entity
            pair = self.node.get(name)
            return (self.at_entity() if pair is None or pair[1] is self.node
                    else new_location(self.path, pair[1].span))
        node: Node = self.node
        for part in name.split("."):
            pair = node.get(part) if isinstance(node, MappingNode) else None
            if pair is None:
                break
            node = pair[1]
        return self.at_entity() if node is self.node else Location(self.path, node.span)

    def reference_locations(self, name: str) -> list[tuple[str, Location, str]]:
        """(id, value location, field path) for each id named in a reference field."""
        path = self.path
        return [(text, Location(path, node.span), field_path)
                for text, node, field_path in self._reference_nodes(name)]

    def reference_places(self, name: str) -> Sequence[tuple[str, ScalarNode | list[int], str]]:
        """(id, where it stands, field path) for each id named in a reference field: its value
        node (an entity read back from a summary gives the stored span instead)."""
        return self._reference_nodes(name)

    def reference_targets(self, name: str) -> Sequence[str]:
        """The ids named in a reference field (without their places)."""
        pair = self.node.get(name)
        if pair is None:
            return []
        if pair[1].__class__ is ScalarNode:  # one id, nearly always
            return [pair[1].text]
        return [target for target, _, _ in self.reference_places(name)]

    def _reference_nodes(self, name: str) -> list[tuple[str, ScalarNode, str]]:
        pair = self.node.get(name)
        if pair is None:
            return []
        value = pair[1]
        if isinstance(value, SequenceNode):
            return [(item.text, item, f"{name}[{index}]")
                    for index, item in enumerate(value.items) if isinstance(item, ScalarNode)]
        if isinstance(value, ScalarNode):
            return [(value.text, value, name)]
        return []


@dataclass(slots=True)
class SpecFile:
    """Everything known about one spec file after loading and validation."""

    path: str
    text: str
    documents: list[Node] = field(default_factory=list)
    entities: list[EntityRecord[Entity]] = field(default_factory=list)
    violations: dict[str, list[Violation]] = field(default_factory=dict)
    scopes: list[tuple[str, Location]] = field(default_factory=list)
    dialect: str | None = None
    """The dialect it was read in (SPEC 10.5); None for a v1 spec."""
    foreign: bool = False
    """A file in a format kpilint recognises but was not asked to read (SPEC 10.4): its one
    finding is E002, and its comments are not kpilint's."""

    def scalars(self) -> Iterator[tuple[ScalarNode, bool]]:
        """Every scalar of the file once (aliases are not walked twice), with whether it is a
        block scalar (``|`` or ``>``)."""
        line_starts = [0, *(match.end() for match in LINE_BREAK.finditer(self.text))]
        stack = list(self.documents)
        seen: set[int] = set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, ScalarNode):
                # an empty value at the end of a text without a final line break starts on the
                # line after the last one (`? a`)
                start = (line_starts[node.span.line - 1] + node.span.column - 1
                         if node.span.line <= len(line_starts) else len(self.text))
                yield node, self.text[start:start + 1] in ("|", ">")
            elif isinstance(node, SequenceNode):
                stack.extend(node.items)
            elif isinstance(node, MappingNode):
                stack.extend(part for pair in node.pairs for part in pair)

    def quoted_or_block_scalars(self) -> Iterator[Span]:
        """Spans of scalars that may hold a ``#`` as text (quoted scalars; block scalars from
        the line after their ``|`` or ``>`` header, where a comment may still stand)."""
        for node, block in self.scalars():
            if block:
                yield Span(node.span.line + 1, 1, node.span.end_line, node.span.end_column)
            elif not node.plain:
                yield node.span

    def entity_on_line(self, line: int) -> str | None:
        """The id of the entity whose mapping spans ``line``."""
        for record in self.entities:
            last = max((value.span.end_line - (value.span.end_column == 1)
                        for _, value in record.node.pairs), default=record.node.span.line)
            if record.node.span.line <= line <= last:
                return record.id
        return None

    def violations_of(self, code: str) -> list[Violation]:
        return self.violations.get(code, [])

    def entities_of(self, model: type[ModelT]) -> list[EntityRecord[ModelT]]:
        """The file's entities of one kind (``spec.entities_of(Kpi)``)."""
        return cast(list[EntityRecord[ModelT]],
                    [record for record in self.entities if isinstance(record.model, model)])

    def add(self, code: str, violation: Violation) -> None:
        self.violations.setdefault(code, []).append(violation)


def dialect_names() -> list[str]:
    """The names `--dialect` accepts."""
    from kpilint.dialects import dialects

    return list(dialects())


def build_spec_file(path: str, loaded: LoadedYaml) -> SpecFile:
    """Validate every document of a loaded file into entities and E001-E003 violations."""
    non_empty = [document for document in loaded.documents if document is not None]
    spec = SpecFile(path, loaded.text, non_empty)
    builder = _Builder(spec, frozenset(
        problem.span for problem in loaded.problems if problem.code == "E003"))
    foreign = recognise(non_empty[0]) if non_empty else None
    if foreign is not None:  # SPEC 10.4: one finding naming the format, not one per key
        spec.foreign = True
        builder.report(Span.file_start(), foreign.message())
    for index, document in enumerate(non_empty if foreign is None else ()):
        builder.document(document, first=index == 0)
    for problem in loaded.problems:
        record = builder.entity_at(problem.span)
        spec.add(problem.code, Violation(
            Location(path, problem.span), problem.message,
            subject=record.id if record else None,
            field=_field_containing(record.node, problem.span) if record else None))
    if not non_empty and not spec.violations_of("E001"):
        spec.add("E002", Violation(
            Location(path, Span.file_start()),
            "empty spec file: add `version: 1` and at least one of kgis, ksfs, kpis"))
    return spec


def did_you_mean(word: str, candidates: list[str]) -> list[str]:
    """Close matches of ``word`` among ``candidates``: the best, and any nearly as good."""
    import difflib  # only for a misspelt key or value: not imported by a run without one

    scored = []
    for candidate in candidates:
        matcher = difflib.SequenceMatcher(None, word, candidate)
        if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6:
            ratio = matcher.ratio()
            if ratio >= 0.6:
                scored.append((ratio, candidate))
    scored.sort(key=lambda pair: -pair[0])
    return [candidate for ratio, candidate in scored[:3] if ratio >= scored[0][0] - 0.1]


SAFE_SIMILARITY = 0.75
"""How alike a misspelling and its one candidate must be (difflib's ratio) for a safe fix:
``increse`` -> ``increase`` is 0.93, ``decreasing`` -> ``decrease`` 0.78, ``target`` -> ``tags``
0.6."""


def one_typo_apart(first: str, second: str) -> bool:
    """Whether one edit turns ``first`` into ``second``: a character added, dropped or changed,
    or two neighbours swapped."""
    if abs(len(first) - len(second)) > 1 or first == second:
        return False
    pairs = enumerate(zip(first, second, strict=False))
    start = next((index for index, (a, b) in pairs if a != b), min(len(first), len(second)))
    rest_first, rest_second = first[start:], second[start:]  # from the first difference
    return (rest_first[1:] in (rest_second, rest_second[1:]) or rest_first == rest_second[1:]
            or rest_first[1::-1] + rest_first[2:] == rest_second)


def suggestion_suffix(matches: list[str]) -> str:
    if not matches:
        return ""
    return " (did you mean " + " or ".join(f"'{match}'" for match in matches) + "?)"


def replacement_fix(span: Span, matches: list[str], current: str,
                    whole_scalar: bool = True) -> Fix | None:
    """A fix when exactly one candidate is certain and ``span`` holds exactly ``current``'s
    text: plain, or quoted without escapes, on one line, without an anchor or a tag (those stay
    out of the edit). A candidate that YAML would read as another type when plain (``yes``,
    ``2026``) is written quoted when it replaces a whole scalar (not a formula term). The fix is
    safe when the candidate is a typo's distance away (:data:`SAFE_SIMILARITY`, or one letter
    added, dropped, changed or two swapped: ``yse`` -> ``yes``); a looser match
    (``target`` -> ``tags``) may be another word altogether, so applying it is the user's call."""
    if len(matches) != 1 or span.line != span.end_line or (
            span.end_column - span.column not in (len(current), len(current) + 2)):
        return None
    import difflib  # as in did_you_mean

    text = matches[0]
    if whole_scalar and plain_tag(text) != STR_TAG:
        text = f"'{text}'"
    close = (difflib.SequenceMatcher(None, current, matches[0]).ratio() >= SAFE_SIMILARITY
             or one_typo_apart(current, matches[0]))
    return Fix(f"Replace with '{matches[0]}'", (Edit(span, text),), SAFE if close else UNSAFE)


class _Builder:
    """Validates documents of one file, collecting entities and violations."""

    def __init__(self, spec: SpecFile, duplicate_keys: frozenset[Span] = frozenset()) -> None:
        self.spec = spec
        self.duplicate_keys = duplicate_keys  # E003: renaming one would bring back the other

    def entity_at(self, span: Span) -> EntityRecord[Entity] | None:
        """The entity whose mapping contains ``span``."""
        for record in self.spec.entities:
            if _contains(record.node.span, span):
                return record
        return None

    def report(self, span: Span, message: str, subject: str | None = None,
               field_path: str | None = None, fix: Fix | None = None) -> None:
        self.spec.add("E002", Violation(
            Location(self.spec.path, span), message, subject=subject, field=field_path, fix=fix))

    def document(self, root: Node, first: bool) -> None:
        fault = first_fault(root, text_field=False) if root.bad_tag else None
        if fault is not None:
            self.report(*fault)
            return
        if isinstance(root, SequenceNode):
            self.report(root.span,
                        "a top-level list is not a kpilint v1 spec (a mapping with `version: 1`"
                        " and kgis, ksfs, kpis); if it is another KPI file format, read it with"
                        " `--dialect NAME` or the config's `[dialects]` table (dialects:"
                        f" {', '.join(dialect_names())})")
            return
        if not isinstance(root, MappingNode):
            self.report(root.span, "a spec file must be a mapping with `version: 1` and any of"
                                   " kgis, ksfs, kpis")
            return
        values, unusable, certain = self._plain_values(root, SpecDocument, None,
                                                       skip=frozenset(SECTIONS))
        scope = values.get("scope") if isinstance(values.get("scope"), str) else None
        if root.get("version") is None:
            self.report(Span.file_start() if first else root.head or root.span,
                        "missing required field `version`: add `version: 1` at the top")
        else:
            self._validate(SpecDocument, root, values, None, unusable, certain)
        scope_pair = root.get("scope")
        if scope is not None and scope_pair is not None:
            self.spec.scopes.append((scope, Location(self.spec.path, scope_pair[1].span)))
        for section, model in SECTIONS.items():
            pair = root.get(section)
            if pair is None:
                continue
            self._section(section, model, pair[1], scope)

    def _section(self, section: str, model: type[Entity], value: Node, scope: str | None) -> None:
        if value.bad_tag:
            fault = first_fault(value, text_field=False)
            assert fault is not None
            self.report(*fault)
            return
        if isinstance(value, ScalarNode) and value.value is None and value.invalid is None:
            return
        if not isinstance(value, SequenceNode):
            self.report(value.span, f"`{section}` must be a list of {model.kind}s"
                                    f" (each item starting with `- id: ...`)")
            return
        for item in value.items:
            if not isinstance(item, MappingNode):
                self.report(item.span, f"each item of `{section}` must be a mapping of"
                                       f" {model.kind} fields")
                continue
            self._entity(item, model, scope)

    def _entity(self, node: MappingNode, model: type[Entity], scope: str | None) -> None:
        id_pair = node.get("id")
        subject = None
        if id_pair is not None and isinstance(id_pair[1], ScalarNode):
            subject = id_pair[1].text
        values, unusable, certain = self._plain_values(node, model, subject)
        if "id" in unusable:
            return
        entity = self._validate(model, node, values, subject, unusable, certain)
        if isinstance(entity, Entity):  # (nearly all valid: one empty set for all of those)
            self.spec.entities.append(EntityRecord(
                entity, self.spec.path, node, scope, frozenset(unusable) if unusable else VALID))

    def _validate(self, model: type[BaseModel], node: MappingNode, values: dict[str, Any],
                  subject: str | None, unusable: set[str],
                  certain: BaseModel | None) -> BaseModel | None:
        """Validate, reporting each problem once; a field in error is dropped and counts absent.

        ``unusable`` holds the fields reported already; every field dropped here is added to
        it. ``certain`` is the model the quick path made of ``values``, if it could (it tries
        only when nothing is unusable). Returns None when the entity has no valid id (it cannot
        join the graph).
        """
        if certain is not None:
            return certain
        if unusable:
            quick = {**values, "name": ""} if "name" in unusable and "name" in FIELDS[model] \
                else values
            certain = construct_valid(model, quick)
            if certain is not None:
                return certain
        while True:
            if "name" in unusable and "name" in FIELDS[model]:
                values = {**values, "name": ""}
            try:  # model_validate without its keyword handling: one call per entity counts
                validated: BaseModel = model.__pydantic_validator__.validate_python(values)
                return validated
            except ValidationError as error:
                newly = self._report_errors(node, error, subject, unusable)
            if not newly or "id" in newly:
                return None
            unusable |= newly
            values = {name: value for name, value in values.items() if name not in newly}

    def _report_errors(self, node: MappingNode, error: ValidationError, subject: str | None,
                       dropped: set[str]) -> set[str]:
        """Report pydantic's errors as E002, except for fields already dropped; their fields."""
        newly: set[str] = set()
        for detail in error.errors():
            loc = tuple(detail["loc"])
            if not loc or loc[0] in dropped:
                continue
            newly.add(str(loc[0]))
            self._report_pydantic(node, detail, None if loc[0] == "id" else subject)
        return newly

    def _plain_values(self, node: MappingNode, model: type[BaseModel], subject: str | None,
                      skip: frozenset[str] = frozenset(),
                      ) -> tuple[dict[str, Any], set[str], BaseModel | None]:
        """The mapping as Python values, the known fields whose value is unusable, and the
        model made of the values when the quick path can vouch for every one (else None).

        Unknown keys and unusable values (unsupported tags, invalid typed scalars) are reported;
        extension keys and the fields in ``skip`` are left out. Each value is checked by the
        quick path as it is read (:data:`kpilint.model.QUICK_FIELDS`): one pass over the pairs
        for nearly every entity, and no pydantic validator unless something is uncertain.
        """
        values: dict[str, Any] = {}
        unusable: set[str] = set()
        known = FIELDS[model]
        fields = {name: entry for name, entry in known.items() if name not in skip} if skip \
            else known
        shape = quick_shape(model)
        data = shape.defaults.copy() if shape is not None else None  # None: not certain
        required = shape.required if shape is not None else frozenset()
        clean = not node.tainted  # no unsupported tag or invalid scalar anywhere inside
        for key, (key_node, value_node) in self._named_pairs(node, subject):
            entry = fields.get(key)
            if entry is None:
                if not key.startswith(EXTENSION_PREFIX) and key not in skip:
                    self._unknown_field(node, cast(ScalarNode, key_node), list(known), model,
                                        subject)
                continue
            as_text, check = entry
            # a value without a fault in it (nearly all) goes straight to its Python value
            if not clean and is_faulty(value_node):
                fault = first_fault(value_node, text_field=as_text)
                if fault is not None:
                    self.report(fault[0], f"`{key}`: {fault[1]}", subject, key)
                    unusable.add(key)
                    data = None
                    continue
                value = _python_value(value_node, as_text)
            elif isinstance(value_node, ScalarNode):  # as _python_value, inline
                value = value_node.value
                if as_text and value is not None and value.__class__ is not str:
                    value = value_node.text
            else:
                value = _python_value(value_node, as_text)
            values[key] = value
            if data is None:
                continue
            # the quick path's check, as kpilint.model._construct applies it (a null in an
            # optional field, a string in a text field or among a choice's, need no call)
            if check is None or (value is None and key in required):
                data = None
            elif value is None:
                continue
            elif check is TEXT and value.__class__ is str:
                data[key] = value
            elif isinstance(check, frozenset):
                if value.__class__ is str and value in check:
                    data[key] = value
                else:
                    data = None
            else:
                try:
                    data[key] = check(value)
                except Unsure:
                    data = None
        certain = None
        if data is not None and required <= values.keys():
            # the fields set, grown key by key as pydantic's validator grows it: a set made
            # from the dict itself is sized for twice as many keys (1.2 KB instead of 0.7)
            certain = made_model(model, data, set(values.keys()))
        return values, unusable, certain

    def _named_pairs(self, node: MappingNode, subject: str | None,
                     ) -> Iterable[tuple[str, tuple[Node, Node]]]:
        """The mapping's pairs with their keys' text; a key that is not a string is reported
        and left out."""
        if node.index is not None:  # the composer's: every key a distinct string scalar
            return node.index.items()
        return self._string_keyed(node, subject)

    def _string_keyed(self, node: MappingNode, subject: str | None,
                      ) -> Iterator[tuple[str, tuple[Node, Node]]]:
        for key_node, value_node in node.pairs:
            if not isinstance(key_node, ScalarNode) or key_node.value.__class__ is not str:
                self.report(key_node.span, "keys must be plain field names", subject)
                continue
            yield key_node.text, (key_node, value_node)

    def _unknown_field(self, node: MappingNode, key_node: ScalarNode, known: list[str],
                       model: type[BaseModel], subject: str | None) -> None:
        """Report a key that names no field of ``model``, suggesting a field not yet present."""
        present = {pair[0].text for pair in node.pairs if isinstance(pair[0], ScalarNode)}
        best = did_you_mean(key_node.text, known)[:1]
        absent = [] if best and best[0] in present else [
            name for name in known if name not in present]
        self._unknown_key(key_node, absent, model, subject)

    def _unknown_key(self, key_node: ScalarNode, known: list[str], model: type[BaseModel],
                     subject: str | None, field_path: str | None = None) -> None:
        key = key_node.text
        matches = did_you_mean(key, known)
        if issubclass(model, Entity):
            where = f"for a {model.kind}"
        elif model is SpecDocument:
            where = "at the top level"
        else:
            where = f"in `{(field_path or key).rpartition('.')[0]}`"
        if field_path is not None and key.isdigit():
            hint = (" (a comma inside `{...}` starts a new entry: thousands separators are not"
                    " numbers, write the number without them)")
        else:
            hint = suggestion_suffix(matches) or " (extension keys start with `x-`)"
        self.report(key_node.span, f"unknown key `{key}` {where}{hint}", subject,
                    field_path or key, None if key_node.span in self.duplicate_keys
                    else replacement_fix(key_node.span, matches, key))

    def _report_pydantic(self, node: MappingNode, detail: Any, subject: str | None) -> None:
        loc = tuple(detail["loc"])
        parent, parent_path = _node_at(node, loc[:-1])
        name = str(loc[-1])
        if detail["type"] == "missing":
            what = f"{subject!r}" if subject and len(loc) == 1 else (
                f"`{parent_path}`" if parent_path else "this entity")
            at_entity = len(loc) == 1 and isinstance(parent, MappingNode) and parent.head
            self.report(at_entity or parent.span,
                        f"{what} is missing required field `{name}`: add `{name}: ...`",
                        subject, f"{parent_path}.{name}" if parent_path else name)
            return
        if detail["type"] == "extra_forbidden" and isinstance(parent, MappingNode):
            pair = parent.get(name)
            nested = NESTED_MODELS.get(str(loc[0]))
            if pair is not None and isinstance(pair[0], ScalarNode) and nested is not None:
                present = {key.text for key, _ in parent.pairs if isinstance(key, ScalarNode)}
                self._unknown_key(pair[0], [field_name for field_name in nested.model_fields
                                            if field_name not in present],
                                  nested, subject, f"{parent_path}.{name}")
                return
        target, field_path = _node_at(node, loc)
        self.report(target.span, _message(detail, target, field_path), subject, field_path,
                    _enum_fix(detail, target))


def _contains(outer: Span, inner: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) <= (
        outer.end_line, outer.end_column)


def _field_containing(node: MappingNode, span: Span) -> str | None:
    """The entity field whose key or value holds ``span``."""
    for key, value in node.pairs:
        if isinstance(key, ScalarNode) and (_contains(key.span, span) or _contains(value.span,
                                                                                  span)):
            return key.text
    return None


def _python_value(node: Node, as_text: bool) -> Any:
    """The Python value of a node without faults; in a text field (``as_text``) a typed scalar
    is its source text. A string scalar (nearly every item) is its value, taken inline."""
    if isinstance(node, ScalarNode):
        if as_text and (node.invalid is not None or (
                node.value is not None and not isinstance(node.value, str))):
            return node.text
        return node.value
    if isinstance(node, SequenceNode):
        return [item.value if item.__class__ is ScalarNode and item.value.__class__ is str
                else _python_value(item, as_text) for item in node.items]
    assert isinstance(node, MappingNode)
    return {
        key.text if isinstance(key, ScalarNode) else id(key): _python_value(value, as_text)
        for key, value in node.pairs
    }


def _node_at(node: Node, loc: tuple[Any, ...]) -> tuple[Node, str]:
    """The node a pydantic error location points at, and its field path (a union's tag, such as
    the ``band`` of ``target``, names no key and is skipped)."""
    path = ""
    for part in loc:
        if isinstance(part, str) and isinstance(node, MappingNode):
            pair = node.get(part)
            if pair is None:
                continue
            node = pair[1]
            path = f"{path}.{part}" if path else part
        elif isinstance(part, int):
            if isinstance(node, SequenceNode) and part < len(node.items):
                node = node.items[part]
            path = f"{path}[{part}]"
    return node, path


def _message(detail: Any, node: Node, field_path: str) -> str:
    kind = detail["type"]
    shown = node.text if isinstance(node, ScalarNode) else type(node).__name__.replace(
        "Node", "").lower()
    field_name = f"`{field_path}`" if field_path else "value"
    if kind == "literal_error":
        expected = detail.get("ctx", {}).get("expected", "")
        if field_path == "version":
            quoted = isinstance(node, ScalarNode) and not node.plain and node.text == "1"
            return ("`version` must be the number 1: write `version: 1` without quotes"
                    if quoted else
                    f"unsupported version {shown!r}: this kpilint reads `version: 1`")
        matches = did_you_mean(str(shown), _literal_choices(detail))
        return f"{field_name} must be one of {expected}; got {shown!r}{suggestion_suffix(matches)}"
    if kind == "string_pattern_mismatch":
        return (f"{field_name} {shown!r} is not a valid id: use letters, digits, '_', '.' and '-',"
                " starting with a letter or digit")
    if kind in PYDANTIC_TYPE_NAMES:
        if isinstance(node, ScalarNode) and node.plain and node.text == "":
            return f"{field_name} is empty: give it a value or remove the key"
        if (kind == "float_type" and isinstance(node, ScalarNode) and node.plain
                and re.match(SCIENTIFIC, node.text)):
            return (f"{field_name} {shown!r} is read as text (YAML 1.1 needs a dot and a sign"
                    " in exponents): write the plain number, e.g. 100000, or 1.0e+5")
        expected = PYDANTIC_TYPE_NAMES[kind]
        return f"{field_name} must be {expected}, not {shown!r}{_number_hint(node)}"
    if kind == "value_error":
        reason = detail["msg"].removeprefix("Value error, ")
        if not isinstance(node, ScalarNode):
            return f"{field_name} is invalid: {reason}"
        return f"{field_name} {shown!r} is invalid: {reason}"
    return f"{field_name}: {detail['msg']}"


def _number_hint(node: Node) -> str:
    """Why a scalar that reads like a number to a person is text to YAML, and what to write."""
    if not isinstance(node, ScalarNode):
        return ""
    if re.match(THOUSANDS, node.text):
        return (": thousands separators are not numbers, write"
                f" {node.text.replace(',', '')}")
    if not node.plain and re.match(PLAIN_NUMBER, node.text):
        return f": quotes make it text, write {node.text} without them"
    return ""


def _literal_choices(detail: Any) -> list[str]:
    expected = str(detail.get("ctx", {}).get("expected", ""))
    return [part.strip(" '") for part in expected.replace(" or ", ",").split(",") if part.strip()]


def _enum_fix(detail: Any, node: Node) -> Fix | None:
    if detail["type"] != "literal_error" or not isinstance(node, ScalarNode):
        return None
    if detail["loc"] == ("version",):
        return None
    return replacement_fix(node.span, did_you_mean(node.text, _literal_choices(detail)), node.text)
