"""Rule packs (SPEC 10.7): YAML files of declarative rules, turned into rule classes.

A pack is read with kpilint's own loader (no YAML tag ever constructs an object), validated
against ``schemas/kpi-rule-pack.schema.json`` and then checked for what a schema cannot say (one
check per test, a valid RE2 pattern). Any problem is a :class:`PackError` naming the file, the
rule and the key. Each rule becomes a :class:`PackFieldRule` (a file rule) or, for a count test
that needs the project graph, a :class:`PackCountRule`.
"""

from __future__ import annotations

import copyreg
import functools
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from kpilint.config import ConfigError, _schema_message
from kpilint.custom.conditions import (
    CHECKS,
    PLACEHOLDER,
    CountTest,
    FieldTest,
    message_text,
    value_location,
)
from kpilint.diagnostics import Severity, Violation
from kpilint.load import Limits, MappingNode, Node, ScalarNode, SequenceNode, parse_bytes
from kpilint.resources import data_path
from kpilint.rule import Context, FileRule, ProjectRule, Rule, Scope

if TYPE_CHECKING:
    from kpilint.build import EntityRecord, SpecFile
    from kpilint.graph import ProjectGraph
    from kpilint.model import Entity

KINDS = {"kgis": ("KGI",), "ksfs": ("KSF",), "kpis": ("KPI",), "entities": ("KGI", "KSF", "KPI")}
TEXT_LISTS = frozenset({"enum"})  # lists whose items are compared as source text


class PackError(ConfigError):
    """A rule pack that cannot be used; the message names the file, the rule and the key."""


class PackRuleType(type):
    """The class of pack rule classes: they pickle as (pack file, code), so worker processes
    (``--jobs``) read the pack again rather than look for a module attribute."""


def _reduce_rule_class(rule: PackRuleType) -> tuple[Any, tuple[str, str, str]]:
    return _rebuilt_rule, (str(rule.pack_path), rule.pack, rule.code)  # type: ignore[attr-defined]


copyreg.pickle(PackRuleType, _reduce_rule_class)


def _rebuilt_rule(path: str, shown: str, code: str) -> type[PackRule]:
    """A pack rule class in a worker process (the pack read once per process)."""
    from kpilint import registry

    rules = _pack_in_worker(path, shown)
    registry.add_custom_rules(rules)
    return next(rule for rule in rules if rule.code == code)


@functools.cache
def _pack_in_worker(path: str, shown: str) -> list[type[PackRule]]:
    return load_pack(Path(path), shown)


class PackRule(Rule, metaclass=PackRuleType):
    """What every rule of a pack declares besides a built-in rule's metadata."""

    pack: ClassVar[str]
    pack_path: ClassVar[Path]
    description: ClassVar[str]
    url: ClassVar[str | None]
    message: ClassVar[str]
    given: ClassVar[tuple[str, ...]]
    where: ClassVar[FieldTest | None]

    def selected(self, record: EntityRecord[Entity]) -> bool:
        return record.kind in self.given and (self.where is None or self.where.selects(record))


class PackFieldRule(PackRule, FileRule):
    """A pack rule whose ``then`` is a field test: it reads one entity, so one file."""

    then: ClassVar[FieldTest]

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        def text() -> str:
            return spec.text

        for record in spec.entities:
            if not self.selected(record):
                continue
            for value in self.then.failures(record, text):
                yield Violation(
                    value_location(record, value),
                    message_text(self.message, record, self.then.field,
                                 "" if value is None else value.text),
                    subject=record.id, field=None if value is None else value.path)


class PackCountRule(PackRule, ProjectRule):
    """A pack rule whose ``then`` counts an entity's direct supporters (the project graph)."""

    then: ClassVar[CountTest]
    scope = Scope.ENTITY

    def check_unit(self, graph: ProjectGraph, record: EntityRecord[Entity],
                   context: Context) -> Iterator[Violation]:
        if not self.selected(record):
            return
        number = len(graph.supporters(record.id, self.then.kind))
        if not self.then.passes(number):
            yield Violation(record.at_entity(),
                            message_text(self.message, record, self.then.count, str(number)),
                            subject=record.id)


@functools.cache
def pack_schema() -> dict[str, Any]:
    """The JSON Schema of rule packs (``schemas/kpi-rule-pack.schema.json``)."""
    schema: dict[str, Any] = json.loads(
        data_path("schemas", "kpi-rule-pack.schema.json").read_text("utf-8"))
    return schema


def load_pack(path: Path, shown: str) -> list[type[PackRule]]:
    """The rules of the pack at ``path`` (``shown`` is how errors name it)."""
    limits = Limits()
    try:
        with open(path, "rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as error:
        raise PackError(f"{shown}: cannot read the rule pack: {error.strerror or error}") from None
    if len(data) > limits.max_file_bytes:
        raise PackError(f"{shown}: the rule pack is larger than {limits.max_file_bytes} bytes")
    loaded = parse_bytes(data, limits)
    if loaded.problems:
        problem = loaded.problems[0]
        raise PackError(f"{shown}:{problem.span.line}:{problem.span.column}: not a valid rule"
                        f" pack: {problem.message}")
    documents = [document for document in loaded.documents if document is not None]
    if len(documents) != 1:
        raise PackError(f"{shown}: a rule pack is one YAML document with a `rules` list"
                        f" (found {len(documents)} documents)")
    tagged = _first_tag(documents[0])
    if tagged is not None:
        raise PackError(f"{shown}:{tagged.span.line}:{tagged.span.column}: not a valid rule pack:"
                        f" tag {tagged.tag!r} is not allowed (a rule pack holds only plain data)")
    pack = _plain(documents[0], "")
    _validate(pack, shown)
    rules = [_rule_class(rule, path, shown) for rule in pack["rules"]]
    seen: dict[str, str] = {}
    for rule in rules:
        for key in (rule.code, rule.name):
            if key in seen:
                raise PackError(f"{shown}: rule {rule.code} ({rule.name}): {key!r} is already"
                                f" used by rule {seen[key]} of this pack")
            seen[key] = f"{rule.code} ({rule.name})"
    return rules


def _first_tag(node: Node) -> Node | None:
    """The first node with an unsupported tag (``!!python/object``...), never constructed."""
    if node.bad_tag:
        return node
    children: list[Node] = []
    if isinstance(node, SequenceNode):
        children = node.items
    elif isinstance(node, MappingNode):
        children = [part for pair in node.pairs for part in pair]
    return next((found for child in children if (found := _first_tag(child)) is not None), None)


def _plain(node: Node, key: str) -> Any:
    """A node as plain data for the schema; the items of ``enum`` stay source text."""
    if isinstance(node, ScalarNode):
        return node.text if key in TEXT_LISTS else node.value
    if isinstance(node, SequenceNode):
        return [_plain(item, key) for item in node.items]
    assert isinstance(node, MappingNode)
    return {(name.text if isinstance(name, ScalarNode) else repr(name)): _plain(
        value, name.text if isinstance(name, ScalarNode) else "") for name, value in node.pairs}


def _rule_label(pack: Any, index: int) -> str:
    """How an error names a rule: its code when it has a valid one, else its position."""
    rules = pack.get("rules") if isinstance(pack, Mapping) else None
    rule = rules[index] if isinstance(rules, list) and index < len(rules) else None
    code = rule.get("code") if isinstance(rule, Mapping) else None
    return f"rule {code}" if isinstance(code, str) and code else f"rule {index + 1}"


def _validate(pack: Any, shown: str) -> None:
    """Check the pack against its JSON Schema, in kpilint's own words."""
    import jsonschema

    from kpilint.build import did_you_mean, suggestion_suffix

    validator = jsonschema.Draft202012Validator(pack_schema())
    errors = list(validator.iter_errors(pack))
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors)
    parts = list(error.absolute_path)
    where = f"{shown}:"
    if len(parts) >= 2 and parts[0] == "rules" and isinstance(parts[1], int):
        where += f" {_rule_label(pack, parts[1])}:"
        parts = parts[2:]
    key = ".".join(str(part) for part in parts)
    if error.validator == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        extra = next(name for name in error.instance if name not in known)
        raise PackError(f"{where} key `{f'{key}.' if key else ''}{extra}`: unknown key"
                        f"{suggestion_suffix(did_you_mean(extra, known))}")
    if error.validator == "required":
        missing = next(name for name in error.validator_value if name not in error.instance)
        needs = " (a rule needs code, name, severity, message, given and then)" if (
            where != f"{shown}:" and not parts) else ""
        raise PackError(f"{where} key `{f'{key}.' if key else ''}{missing}`: missing{needs}")
    if error.validator == "const":
        raise PackError(f"{where} key `{key}`: {error.instance!r} is not allowed; write"
                        f" `{parts[-1]}: true` or leave the check out")
    raise PackError(f"{where} {f'key `{key}`' if key else 'top level'}: {_schema_message(error)}")


def _rule_class(rule: Mapping[str, Any], path: Path, shown: str) -> type[PackRule]:
    """One rule of a validated pack as a rule class."""
    label = f"{shown}: rule {rule['code']}"
    where = _field_test(rule["where"], f"{label}: key `where") if "where" in rule else None
    then = rule["then"]
    description = str(rule.get("description", "")).strip()
    attributes: dict[str, Any] = {
        "code": rule["code"], "name": rule["name"], "severity": Severity.parse(rule["severity"]),
        "summary": _summary(description, rule["message"]), "pack": shown, "pack_path": path,
        "description": description, "url": rule.get("url"), "message": rule["message"],
        "given": KINDS[rule["given"]], "where": where, "__module__": __name__,
        "__doc__": f"Rule {rule['code']} of the rule pack {shown}."}
    base: type[PackRule]
    if "count" in then:
        extra = sorted(set(then) - {"count", "min", "max"})
        if extra:
            raise PackError(f"{label}: key `then.{extra[0]}`: a count test takes only `min`"
                            " and `max`")
        if "min" not in then and "max" not in then:
            raise PackError(f"{label}: key `then`: a count test needs `min` or `max`")
        attributes["then"] = CountTest(then["count"], then.get("min"), then.get("max"))
        attributes["kinds"] = attributes["given"]
        base = PackCountRule
    else:
        attributes["then"] = _field_test(then, f"{label}: key `then")
        base = PackFieldRule
    return type(f"PackRule{rule['code']}", (base,), attributes)


def _field_test(test: Mapping[str, Any], where: str) -> FieldTest:
    """A field test of a validated pack: a field and exactly one check."""
    if "count" in test:
        raise PackError(f"{where}.count`: `count` is only allowed in `then`")
    if "field" not in test:
        raise PackError(f"{where}.field`: missing (a test names a `field`, or in `then` a"
                        " `count`)")
    checks = [name for name in CHECKS if name in test]
    if len(checks) != 1:
        raise PackError(f"{where}`: a field test has exactly one of {', '.join(CHECKS)}"
                        f" ({'none' if not checks else ' and '.join(checks)} given)")
    check = checks[0]
    argument = test[check]
    pattern = None
    if check in ("pattern", "not-pattern"):
        pattern = _compile(argument, f"{where}.{check}`")
    return FieldTest(test["field"], check, argument, pattern)


def _compile(pattern: str, where: str) -> Any:
    """An RE2 pattern (linear time: a pack from a pull request cannot hang the run)."""
    import re2  # type: ignore[import-untyped]

    options = re2.Options()
    options.log_errors = False  # the error is reported once, as kpilint's own line
    try:
        return re2.compile(pattern, options)
    except re2.error as error:
        reason = error.args[0] if error.args else ""
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PackError(f"{where}: {pattern!r} is not a valid RE2 pattern ({reason})") from None


def _summary(description: str, message: str) -> str:
    """The one line ``kpilint rules`` shows: the description's first sentence, else the
    message with its placeholders named (``<id>``)."""
    paragraph = " ".join(description.split("\n\n", 1)[0].split()).lstrip("#").strip()
    if not paragraph:
        return PLACEHOLDER.sub(r"<\1>", message)
    sentence, stop, _ = paragraph.partition(". ")
    return sentence + "." if stop else paragraph
