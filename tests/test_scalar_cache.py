"""The composer's plain-scalar cache and fast spans (issue 14) change no value, tag or position.

Plain scalars resolve by YAML 1.1 rules (SPEC §2): the cache must give the same tag, value and
invalidity on the first occurrence (a miss) and on every later one (a hit), in the same file or
another, and must never leak into quoted or tagged scalars of the same text.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import pickle
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpilint import load
from kpilint.diagnostics import Span, new_span
from kpilint.load import Limits, MappingNode, ScalarNode, SequenceNode, parse_bytes

UTC_MINUS_5 = datetime.timezone(datetime.timedelta(hours=-5))

# text -> (resolved tag name, value, why invalid); what the loader gave before the cache existed.
PLAIN: dict[str, tuple[str, Any, str | None]] = {
    "on": ("bool", True, None),
    "yes": ("bool", True, None),
    "No": ("bool", False, None),
    "OFF": ("bool", False, None),
    "y": ("str", "y", None),
    "0x1F": ("int", 31, None),
    "1_000": ("int", 1000, None),
    "017": ("int", 15, None),
    "0b101": ("int", 5, None),
    "0o17": ("str", "0o17", None),
    "1:30": ("int", 90, None),
    "+12": ("int", 12, None),
    "-0": ("int", 0, None),
    "1e3": ("str", "1e3", None),
    "3.": ("float", 3.0, None),
    "0.5": ("float", 0.5, None),
    ".inf": ("float", float("inf"), None),
    "-.Inf": ("float", float("-inf"), None),
    "2026-01-01": ("timestamp", datetime.date(2026, 1, 1), None),
    "2026-01-01T00:00:00Z": ("timestamp", datetime.date(2026, 1, 1), None),
    "2026-01-01 10:00:00": ("timestamp", datetime.datetime(2026, 1, 1, 10, 0), None),
    "2001-12-14t21:59:43.10-05:00": (
        "timestamp", datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, UTC_MINUS_5), None),
    "2026-02-30": ("timestamp", None, "'2026-02-30' is not a valid timestamp"
                                      " (day is out of range for month)"),
    "~": ("null", None, None),
    "null": ("null", None, None),
    "Null": ("null", None, None),
    "=": ("value", None, "'=' is not a valid value"),
    "<<": ("merge", "<<", None),
    "Revenue growth": ("str", "Revenue growth", None),
}


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Every test starts with an empty cache, so its first occurrence of a text is a miss."""
    load._PLAIN_CACHE.clear()
    yield
    load._PLAIN_CACHE.clear()


def resolved(node: ScalarNode) -> tuple[str, Any, str | None]:
    return node.tag.rsplit(":", 1)[-1], node.value, node.invalid


def sequence_items(text: str) -> list[ScalarNode]:
    """The scalars of a one-document file whose root is a sequence."""
    loaded = parse_bytes(text.encode(), Limits())
    assert loaded.problems == []
    root = loaded.documents[0]
    assert isinstance(root, SequenceNode)
    items = [item for item in root.items if isinstance(item, ScalarNode)]
    assert len(items) == len(root.items)
    return items


def assert_same_value(got: tuple[str, Any, str | None], want: tuple[str, Any, str | None]) -> None:
    """Equal tag, value (and type: True is not 1) and invalidity."""
    assert got == want
    assert type(got[1]) is type(want[1])
    if isinstance(want[1], datetime.datetime):
        assert got[1].tzinfo == want[1].tzinfo


def test_each_text_resolves_alike_on_a_miss_and_on_hits() -> None:
    # keys such as `on` and `<<` only in a sequence: as mapping keys they would merge or clash
    text = "".join(f"- {plain}\n" for plain in PLAIN)
    for _ in range(2):  # the first file fills the cache, the second reads it
        items = sequence_items(text)
        assert [item.text for item in items] == list(PLAIN)
        for item in items:
            assert_same_value(resolved(item), PLAIN[item.text])
            assert item.plain
            assert not item.explicit
            assert not item.bad_tag
        assert all(text in load._PLAIN_CACHE for text in PLAIN)


def test_nan_resolves_to_a_float_nan_every_time() -> None:
    first, second = sequence_items("- .NaN\n- .NaN\n")
    for item in (first, second):
        assert item.tag == "tag:yaml.org,2002:float"
        assert isinstance(item.value, float)
        assert item.value != item.value


def test_an_invalid_plain_scalar_taints_its_collection_on_a_hit_too() -> None:
    for _ in range(2):
        loaded = parse_bytes(b"a: [2026-02-30]\nb: [2026-02-28]\n", Limits())
        root = loaded.documents[0]
        assert isinstance(root, MappingNode)
        tainted = {key.text: value.tainted for key, value in root.pairs
                   if isinstance(key, ScalarNode) and isinstance(value, SequenceNode)}
        assert tainted == {"a": True, "b": False}
        assert root.tainted


def test_quoted_and_tagged_scalars_never_take_a_cached_plain_value() -> None:
    plain, single, double, as_str, as_int = sequence_items(
        "- yes\n- 'yes'\n- \"yes\"\n- !!str yes\n- !!int yes\n")
    assert_same_value(resolved(plain), ("bool", True, None))
    for quoted in (single, double, as_str):
        assert_same_value(resolved(quoted), ("str", "yes", None))
        assert not quoted.explicit
    assert not single.plain and not double.plain and as_str.plain
    assert_same_value(resolved(as_int),
                      ("int", None, "'yes' is not a valid int (it is tagged !!int)"))
    assert as_int.explicit


def test_a_tagged_value_is_not_explicit_when_valid() -> None:
    (node,) = sequence_items("- !!int 12\n")
    assert_same_value(resolved(node), ("int", 12, None))
    assert not node.explicit


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "PLAIN_CACHE_ENTRIES", 8)
    items = sequence_items("".join(f"- {number}\n" for number in range(50)))
    assert [item.value for item in items] == list(range(50))
    assert 0 < len(load._PLAIN_CACHE) <= 8


def test_long_texts_are_not_kept() -> None:
    long_text = "x" * (load.PLAIN_CACHE_TEXT_LENGTH + 1)
    (node,) = sequence_items(f"- {long_text}\n")
    assert node.value == long_text
    assert long_text not in load._PLAIN_CACHE


def test_positions_of_scalars_and_collections() -> None:
    loaded = parse_bytes(b"a:\n  - on\n  - [1, 'x']\nb: {c: 2026-01-01}\n", Limits())
    root = loaded.documents[0]
    assert isinstance(root, MappingNode)
    assert root.span == Span(1, 1, 5, 1)
    assert root.head == Span(1, 1, 4, 1)  # a block sequence ends where the next key starts
    (a_key, a_value), (b_key, b_value) = root.pairs
    assert isinstance(a_key, ScalarNode) and a_key.span == Span(1, 1, 1, 2)
    assert isinstance(a_value, SequenceNode)
    assert [item.span for item in a_value.items] == [Span(2, 5, 2, 7), Span(3, 5, 3, 13)]
    assert isinstance(b_value, MappingNode)
    assert (b_key.span, b_value.span, b_value.head) == (
        Span(4, 1, 4, 2), Span(4, 4, 4, 19), Span(4, 5, 4, 18))


def test_fast_spans_are_ordinary_spans() -> None:
    fast = new_span(3, 5, 4, 1)
    assert type(fast) is Span
    assert fast == Span(3, 5, 4, 1)
    assert hash(fast) == hash(Span(3, 5, 4, 1))
    assert dataclasses.astuple(fast) == (3, 5, 4, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.line = 9  # type: ignore[misc]


def test_a_span_is_built_once_on_first_use() -> None:
    loaded = parse_bytes(b"a: 1\nb: 'x'\n", Limits())
    root = loaded.documents[0]
    assert isinstance(root, MappingNode)
    (a_key, _), (_, b_value) = root.pairs
    assert isinstance(a_key, ScalarNode) and isinstance(b_value, ScalarNode)
    assert root.made_span is None and b_value.made_span is None  # none asked yet
    assert (root.line, root.column, root.end_line, root.end_column) == (1, 1, 3, 1)
    assert (b_value.line, b_value.column, b_value.end_line, b_value.end_column) == (2, 4, 2, 7)
    assert root.head == Span(1, 1, 1, 5)
    assert a_key.made_span is None  # the head was made without building the key's span
    first = b_value.span
    assert type(first) is Span and first == Span(2, 4, 2, 7)
    assert b_value.span is first and b_value.made_span is first
    assert type(root.span) is Span and root.span == Span(1, 1, 3, 1)


def _mappings(node: Any) -> list[MappingNode]:
    """Every mapping in a composed tree (aliases visited once)."""
    found: list[MappingNode] = []
    stack, seen = [node], set()
    while stack:
        each = stack.pop()
        if id(each) in seen:
            continue
        seen.add(id(each))
        if isinstance(each, MappingNode):
            found.append(each)
            stack.extend(part for pair in each.pairs for part in pair)
        elif isinstance(each, SequenceNode):
            stack.extend(each.items)
    return found


@pytest.mark.parametrize("text", [
    "a: 1\nb: [x, {c: d}]\n'e': !!str 2\n",  # distinct string keys: the index comes with the pairs
    "a: 1\na: 2\nb: 3\n",  # a duplicate
    "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n",  # a merge
    "1: int\n'1': text\n? [k]\n: complex\nnull: n\n",  # keys that are not strings, one text twice
    "yes: bool\n'yes': text\n",
])
def test_a_mappings_index_is_the_one_made_from_its_pairs(text: str) -> None:
    """The index the composer makes with a mapping's pairs answers ``get`` as the index made
    from the pairs when first asked for does (the last pair of a key's text wins)."""
    loaded = parse_bytes(text.encode("utf-8"), Limits())
    for mapping in _mappings(loaded.documents[0]):
        fresh = MappingNode(mapping.line, mapping.column, mapping.end_line, mapping.end_column,
                            mapping.tag, mapping.bad_tag, mapping.pairs)
        texts = {key.text for key, _ in mapping.pairs if isinstance(key, ScalarNode)}
        for key_text in texts | {"absent"}:
            assert mapping.get(key_text) == fresh.get(key_text), key_text


def _tree(node: Any) -> Any:
    """A node and everything inside it as plain data: class, span and every field."""
    if isinstance(node, ScalarNode):
        return ("scalar", node.span, node.tag, node.bad_tag, node.text, repr(node.value),
                node.plain, node.invalid, node.explicit)
    if isinstance(node, SequenceNode):
        return ("sequence", node.span, node.tag, node.bad_tag, node.tainted,
                [_tree(item) for item in node.items])
    if isinstance(node, MappingNode):
        return ("mapping", node.span, node.tag, node.bad_tag, node.tainted, node.head,
                node.index is not None, [(_tree(key), _tree(value)) for key, value in node.pairs])
    return node


EVENT_TEXTS = [
    "a: 1\nb: [x, 'y', \"z\", !!int 3, !!str 4, !x 5, ! 6]\nc: |\n  block\nd: >-\n  folded\n",
    "&a x: *a\nk: &b {p: q}\nm:\n  <<: *b\n  p: r\n",
    "a: !!int nope\nb: !!float x\nc: !!null 1\nd: 2026-02-30\ne: !!bool yes\n",
    "--- 1\n--- \n...\n--- [a, b]\n",
    "a:\x85  b\n\u2028c: d\n",  # libyaml-only line breaks: editors' lines
    "a: [1, 2\n",  # a syntax error
    "x: *missing\n",
]


def _pyyamls_own_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """Have libyaml's parser make PyYAML's own events again (undone after the test)."""
    for kind in load.EVENT_FIELDS:
        monkeypatch.setattr(load._C_PARSER, kind.__name__, kind)


def assert_composed_alike_from_either_events(text: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Events made in C (their fields in ``args``) and PyYAML's own compose ``text`` into the
    same nodes, spans, values and problems."""
    if not load.FAST_EVENTS:  # a PyYAML release whose parser makes its events otherwise
        pytest.skip("this PyYAML's events are not made in C: the composer reads them by name")
    fast = parse_bytes(text.encode("utf-8"), Limits())
    with monkeypatch.context() as patch:
        patch.setattr(load, "FAST_EVENTS", False)
        _pyyamls_own_events(patch)
        plain = parse_bytes(text.encode("utf-8"), Limits())
    assert [_tree(document) for document in fast.documents] == [
        _tree(document) for document in plain.documents]
    assert fast.problems == plain.problems


@pytest.mark.parametrize("text", EVENT_TEXTS)
def test_events_made_in_c_compose_the_same_nodes(text: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert_composed_alike_from_either_events(text, monkeypatch)


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.dates()
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=4),
    max_leaves=12)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=YAML_VALUES, flow=st.booleans(), noise=st.text(max_size=40))
def test_any_text_composes_alike_from_either_events(data: Any, flow: bool, noise: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Dumped data (block or flow style) and arbitrary text."""
    assert_composed_alike_from_either_events(
        yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True), monkeypatch)
    assert_composed_alike_from_either_events(noise, monkeypatch)


def _event_fields(text: str) -> list[Any]:
    fields = ("anchor", "tag", "implicit", "value", "style", "flow_style", "explicit")
    return [(type(event).__name__, repr(event),
             [kind.__name__ for kind in load.EVENT_FIELDS if isinstance(event, kind)],
             *(getattr(event, name, None) for name in fields),
             event.start_mark.line, event.start_mark.column, event.end_mark.index)
            for event in yaml.parse(text, Loader=yaml.CSafeLoader)]


@pytest.mark.parametrize("text", EVENT_TEXTS[:5])
def test_other_readers_of_pyyaml_events_see_the_same_events(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An event made in C is one of PyYAML's event classes, with the same fields, name and
    repr."""
    fast = _event_fields(text)
    _pyyamls_own_events(monkeypatch)
    assert fast == _event_fields(text)


def test_a_pyyaml_whose_parser_calls_events_otherwise_keeps_its_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The events made in C are used only when a probe finds the fields where PyYAML's own
    have them; event classes set by someone else are left alone."""
    _pyyamls_own_events(monkeypatch)
    monkeypatch.setattr(load.MADE_IN_C[yaml.MappingEndEvent], "__init__",  # another order
                        lambda self, *fields: BaseException.__init__(self, *reversed(fields)))
    assert not load._events_made_in_c()
    assert all(getattr(load._C_PARSER, kind.__name__) is kind for kind in load.EVENT_FIELDS)
    monkeypatch.undo()

    class Theirs(yaml.ScalarEvent):
        pass

    _pyyamls_own_events(monkeypatch)
    monkeypatch.setattr(load._C_PARSER, "ScalarEvent", Theirs)
    assert not load._events_made_in_c()
    assert load._C_PARSER.ScalarEvent is Theirs
    assert load._C_PARSER.MappingStartEvent is yaml.MappingStartEvent


def _used_as_others_use_them(text: str) -> list[Any]:
    """What code other than kpilint does with PyYAML's events: print, pickle, copy, set."""
    seen = []
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        back = pickle.loads(pickle.dumps(event))
        copied = copy.deepcopy(event)
        if hasattr(event, "value"):
            event.value = "changed"
        seen.append((str(event), repr(back), type(back).__name__, repr(copied)))
    return seen


@pytest.mark.parametrize("text", EVENT_TEXTS[:5])
def test_events_made_in_c_print_pickle_copy_and_set_as_pyyamls_own(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _used_as_others_use_them(text)
    _pyyamls_own_events(monkeypatch)
    assert fast == _used_as_others_use_them(text)


def test_a_plain_text_written_many_times_is_one_string() -> None:
    """Nodes of a cached plain text hold the cache's string (one copy in memory), equal to the
    source text; a long text (never cached) keeps its own, and a quoted one is its own too."""
    long_text = "x" * (load.PLAIN_CACHE_TEXT_LENGTH + 1)
    first, second, number, other_number, quoted, long_one, long_two = sequence_items(
        f"- monthly\n- monthly\n- 0x1F\n- 0x1F\n- 'monthly'\n- {long_text}\n- {long_text}\n")
    assert first.text == second.text == "monthly" and first.text is second.text
    assert first.value is first.text
    assert number.text == other_number.text == "0x1F" and number.text is other_number.text
    assert number.value == 31
    assert quoted.text == "monthly" and not quoted.plain
    assert long_one.text == long_two.text == long_text
    (again,) = sequence_items("- monthly\n")  # another file: the same string
    assert again.text is first.text
