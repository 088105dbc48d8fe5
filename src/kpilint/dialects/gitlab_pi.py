"""The ``gitlab-pi`` dialect: the GitLab handbook's performance-indicator YAML (SPEC 10.5).

A file is a list of indicators. Each item with ``is_key: true`` becomes a KPI located at the
item's mapping: ``name``, ``definition``, ``org`` (its scope), ``dri`` (owner), the first of
``urls`` else ``sisense_data.dashboard`` (source), and ``target`` text read by
:mod:`kpilint.dialects.target_text`. Other items are not checked.
"""

from __future__ import annotations

from pydantic import ValidationError

from kpilint.build import EntityRecord, SpecFile
from kpilint.diagnostics import Location, Span, Violation
from kpilint.dialects import Dialect, slug
from kpilint.dialects.target_text import parse_target
from kpilint.load import LoadedYaml, MappingNode, Node, ScalarNode, SequenceNode
from kpilint.model import Kpi

NAME = "gitlab-pi"
RULES = frozenset({"E001", "E002", "E003", "E004", "S201", "S204", "S205", "S206", "S207",
                   "S213", "S214", "P301", "P302", "P305", "G101"})
TEXT_KEYS = {"name": "name", "definition": "definition", "org": "scope", "dri": "owner"}
"""The text keys of an item, and the v1 field each becomes."""
ADVICE = {
    "target": "write the goal in `target`, e.g. `target: At or above 95%`",
    "unit": "the format has no unit field: give the unit with the number in `target`"
            " (`95%`, `$10K`, `45 days`, `500ms`)",
    "source": "add a dashboard link to `urls` (or `sisense_data` with its `dashboard`)",
    "owner": "add the directly responsible individual as `dri`",
    **dict.fromkeys(("indicator", "paired_with"), (
        "gitlab-pi has no field for it: `kpilint convert --from gitlab-pi` writes v1 specs"
        " that can hold it")),
}


def missing_advice(field_name: str) -> str | None:
    return ADVICE.get(field_name)


def text_of(node: Node | None) -> str | None:
    """A scalar's source text (None for a null, a collection or no node)."""
    if isinstance(node, ScalarNode) and not (node.value is None and node.plain
                                             and node.invalid is None):
        return node.text
    return None


def value_of(item: MappingNode, key: str) -> Node | None:
    pair = item.get(key)
    return pair[1] if pair else None


def is_key(item: MappingNode) -> bool:
    """Whether the item is a key indicator (``is_key: true``)."""
    node = value_of(item, "is_key")
    return isinstance(node, ScalarNode) and node.value is True


def source_of(item: MappingNode) -> str | None:
    """The first of ``urls``, else the Sisense dashboard."""
    urls = value_of(item, "urls")
    if isinstance(urls, SequenceNode):
        for url in urls.items:
            if (text := text_of(url)) is not None:
                return text
    elif (text := text_of(urls)) is not None:
        return text
    sisense = value_of(item, "sisense_data")
    if isinstance(sisense, MappingNode) and (
            dashboard := text_of(value_of(sisense, "dashboard"))) is not None:
        return f"Sisense dashboard {dashboard}"
    return None


def build(path: str, loaded: LoadedYaml) -> SpecFile:
    """Read one file of key performance indicators into KPIs at their list items."""
    documents = [document for document in loaded.documents if document is not None]
    spec = SpecFile(path, loaded.text, documents, dialect=NAME)
    for document in documents:
        if not isinstance(document, SequenceNode):
            spec.add("E002", Violation(Location(path, document.span), (
                "a gitlab-pi file is a list of performance indicators (`- name: ...`);"
                " this is not a list")))
            continue
        for item in document.items:
            if isinstance(item, MappingNode) and is_key(item):
                _add_kpi(spec, item)
    for problem in loaded.problems:
        record = next((each for each in spec.entities
                       if _within(each.node.span, problem.span)), None)
        spec.add(problem.code, Violation(Location(path, problem.span), problem.message,
                                         subject=record.id if record else None))
    if not documents and not spec.violations_of("E001"):
        spec.add("E002", Violation(Location(path, Span.file_start()),
                                   "empty gitlab-pi file: it holds no performance indicator"))
    return spec


def _within(outer: Span, inner: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) <= (
        outer.end_line, outer.end_column)


def _add_kpi(spec: SpecFile, item: MappingNode) -> None:
    texts: dict[str, str] = {}
    invalid: set[str] = set()
    for key in TEXT_KEYS:
        node = value_of(item, key)
        if node is None:
            continue
        text = text_of(node)
        if text is None and not isinstance(node, ScalarNode):
            spec.add("E002", Violation(Location(spec.path, node.span),
                                       f"`{key}` must be text, not a {_shape(node)}"))
            invalid.add(TEXT_KEYS[key])
        elif text is not None:
            texts[key] = text
    name = texts.get("name")
    if name is None:
        if "name" not in invalid:  # an invalid name was reported already
            spec.add("E002", Violation(Location(spec.path, item.head or item.span),
                                       "missing required field `name` of a key indicator"))
        return
    fields: dict[str, object] = {
        "id": slug(name), "name": name, "definition": texts.get("definition"),
        "owner": texts.get("dri"), "source": source_of(item)}
    target_node = value_of(item, "target")
    target_text = text_of(target_node)
    parsed = parse_target(target_text) if target_text is not None else None
    if parsed is not None:
        fields["target"] = parsed.as_field()
        fields["unit"] = parsed.unit
    try:
        model = Kpi.model_validate({key: value for key, value in fields.items()
                                    if value is not None})
    except ValidationError:  # a band such as {min: 5, max: 1} cannot come from one number
        return
    record = EntityRecord(model, spec.path, item, texts.get("org"),
                          frozenset(invalid), dialect=NAME,
                          target_text=target_text if parsed is None else None)
    spec.entities.append(record)
    org_node = value_of(item, "org")
    org = texts.get("org")
    if org is not None and org_node is not None and all(
            scope != org for scope, _ in spec.scopes):
        spec.scopes.append((org, Location(spec.path, org_node.span)))


def _shape(node: Node) -> str:
    return "list" if isinstance(node, SequenceNode) else "mapping"


DIALECT = Dialect(NAME, RULES, build, missing_advice)
