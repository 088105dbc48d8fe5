"""Read a spec file into position-carrying YAML nodes, safely.

libyaml (``yaml._yaml.CParser``) produces the event stream; this module composes the nodes itself
so that the limits of SPEC §2 are enforced before anything is built: nesting depth is checked on
each start event (libyaml's own composer recurses and can kill the process), and the node count
is tracked with aliases expanded *by weight*, never by walking an expanded tree. Scalars resolve
with PyYAML's YAML 1.1 rules; only the standard tags are ever constructed, so nothing executes.
"""

from __future__ import annotations

import bisect
import datetime
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import _yaml

from kpilint.diagnostics import Span, new_span
from kpilint.limits import Limits as Limits

STANDARD_TAG_PREFIX = "tag:yaml.org,2002:"
MERGE_TAG = STANDARD_TAG_PREFIX + "merge"
STR_TAG = STANDARD_TAG_PREFIX + "str"
NULL_TAG = STANDARD_TAG_PREFIX + "null"
SCALAR_TAGS = frozenset(
    STANDARD_TAG_PREFIX + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "merge", "binary")
)
COLLECTION_TAGS = frozenset(STANDARD_TAG_PREFIX + name for name in ("map", "seq", "omap", "set"))
SYNTAX_HINTS = {
    "mapping values are not allowed": " (quote a value that contains ': ')",
    "found character that cannot start any token": " (indent with spaces, not tabs; quote"
                                                   " values starting with @ or `)",
    "did not find expected key": " (check the indentation of this line)",
    "did not find expected ',' or ']'": " (a flow list `[...]` is not closed)",
    "did not find expected ',' or '}'": " (a flow mapping `{...}` is not closed)",
}
UTF16_32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")
UTF8_BOM = b"\xef\xbb\xbf"

_CONSTRUCTOR = yaml.constructor.SafeConstructor()


# libyaml 0.2.6 and later refuse nesting deeper than this in their scanner (older ones do not);
# a deeper ``limits.max-depth`` could never be reached, so the config refuses it.
LIBYAML_MAX_DEPTH = 998


class Node:
    """A composed YAML node with its source span.

    ``bad_tag`` marks an unsupported tag (never constructed); ``tainted`` marks a collection with
    such a node, or an invalid scalar, somewhere inside. The model builder decides whether that
    matters (it does not in ``x-`` fields, nor for an invalid scalar in a text field).
    ``line``, ``column``, ``end_line`` and ``end_column`` are where it is (1-based, lines as
    editors count them, as a ``Span``'s); its ``span`` is made of them when first asked for and
    kept in ``made_span`` (most nodes' spans never are: a ``Span`` costs ten times as much to
    build, and four numbers in the node's own slots take less memory than a tuple of them).
    """

    # each kind's first four fields and its last one (dataclasses keep an inherited slot)
    __slots__ = ("column", "end_column", "end_line", "line", "made_span")
    line: int
    column: int
    end_line: int
    end_column: int
    made_span: Span | None
    tag: str
    bad_tag: bool

    @property
    def span(self) -> Span:
        """Where the node is in the source."""
        span = self.made_span
        if span is None:
            span = self.made_span = new_span(self.line, self.column, self.end_line,
                                             self.end_column)
        return span


@dataclass(eq=False, slots=True)
class ScalarNode(Node):
    """A scalar: ``text`` is the source value, ``value`` the YAML 1.1 resolved one.

    ``invalid`` says why the value could not be constructed (``2026-02-30`` looks like a date but
    is none); ``value`` is then None. ``explicit`` marks a tag written in the file (``!!int``):
    an invalid value is then an error even in a text field, since the author asked for the type.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    tag: str
    bad_tag: bool
    text: str
    value: Any
    plain: bool
    invalid: str | None = None
    explicit: bool = False
    made_span: Span | None = field(default=None, repr=False)


@dataclass(eq=False, slots=True)
class SequenceNode(Node):
    """A sequence and its items."""

    line: int
    column: int
    end_line: int
    end_column: int
    tag: str
    bad_tag: bool
    items: list[Node] = field(default_factory=list)
    tainted: bool = False
    made_span: Span | None = field(default=None, repr=False)


@dataclass(eq=False, slots=True)
class MappingNode(Node):
    """A mapping; ``pairs`` holds the effective pairs: merges applied, last duplicate kept.

    ``index`` holds every pair by its key's text, in order, when each key is a string scalar
    and no two are alike (the composer makes it; nearly always), else it is None and ``get``
    makes ``lookup`` when first asked.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    tag: str
    bad_tag: bool
    pairs: list[tuple[Node, Node]] = field(default_factory=list)
    head: Span | None = None
    tainted: bool = False
    index: dict[str, tuple[Node, Node]] | None = None
    lookup: dict[str, tuple[Node, Node]] | None = None
    made_span: Span | None = field(default=None, repr=False)

    def get(self, key: str) -> tuple[Node, Node] | None:
        """The (key, value) pair whose key's source text is ``key``."""
        lookup = self.index or self.lookup
        if lookup is None:
            lookup = self.lookup = {key_node.text: (key_node, value_node) for key_node, value_node
                                    in reversed(self.pairs) if isinstance(key_node, ScalarNode)}
        return lookup.get(key)


@dataclass(frozen=True, slots=True)
class Problem:
    """A loader finding (E001, E002 or E003) before it becomes a diagnostic."""

    code: str
    span: Span
    message: str


@dataclass(slots=True)
class LoadedYaml:
    """The documents of one file (``None`` for empty ones) and what went wrong reading it."""

    documents: list[Node | None]
    problems: list[Problem]
    text: str = ""


class _Abort(Exception):
    """Stop reading this file; the problem has been recorded."""


def read_file(path: str | os.PathLike[str], limits: Limits) -> LoadedYaml:
    """Read and parse ``path``; every failure becomes an E001 problem, never an exception.

    Only regular files are read, and never more than ``max-file-bytes + 1`` bytes: a FIFO would
    block and ``/dev/zero`` never ends, whatever their reported size.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # never open a FIFO: that would block
            return _not_regular(os.stat(path).st_mode)
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):  # swapped since the first look
                return _not_regular(status.st_mode)
            if status.st_size > limits.max_file_bytes:
                return _over_size_limit(status.st_size, limits)
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as error:
        return _fail_at_start(f"cannot read file: {error.strerror or error}")
    if len(data) > limits.max_file_bytes:  # it grew since the size was taken
        return _over_size_limit(None, limits)
    return parse_bytes(data, limits)


def _not_regular(mode: int) -> LoadedYaml:
    """E001 for a directory, FIFO, device or socket: only regular files are spec files."""
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket"))
    kind = next((name for test, name in kinds if test(mode)), "a special file")
    return _fail_at_start(f"not a regular file but {kind}; spec files must be regular files")


def _over_size_limit(size: int | None, limits: Limits) -> LoadedYaml:
    """E001 for a file over the size limit (``size`` None: it was cut off while reading)."""
    shown = f"{size:,} bytes, over" if size is not None else "over"
    return _fail_at_start(
        f"file is {shown} limits.max-file-bytes ({limits.max_file_bytes:,}); not read")


def parse_bytes(data: bytes, limits: Limits) -> LoadedYaml:
    """Decode ``data`` as UTF-8 and compose its YAML documents."""
    if len(data) > limits.max_file_bytes:
        return _over_size_limit(len(data), limits)
    for bom in UTF16_32_BOMS:
        if data.startswith(bom):
            kind = "UTF-32" if len(bom) == 4 else "UTF-16"
            return _fail_at_start(f"file is {kind} encoded; spec files must be UTF-8")
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position_of_byte(data, error.start)
        byte = data[error.start]
        return LoadedYaml(
            [],
            [Problem("E001", Span(line, column, line, column + 1),
                     f"file is not valid UTF-8: byte 0x{byte:02x} cannot start or continue a"
                     " character; save the file as UTF-8")],
        )
    return _Composer(text, limits).compose()


def _fail_at_start(message: str) -> LoadedYaml:
    return LoadedYaml([], [Problem("E001", Span.file_start(), message)])


LINE_BREAK = re.compile(r"\r\n|\r|\n")
LIBYAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")


def _position_in(prefix: str) -> tuple[int, int]:
    """1-based line and column just after ``prefix`` (breaks: LF, CRLF, CR, as editors count)."""
    line = 1
    line_start = 0
    for match in LINE_BREAK.finditer(prefix):
        line += 1
        line_start = match.end()
    return line, len(prefix) - line_start + 1


def _position_of_byte(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and code-point column of the byte at ``offset``."""
    return _position_in(data[:offset].decode("utf-8", errors="replace"))


_IMPLICIT_RESOLVERS: dict[str | None, list[tuple[str, Any]]] = (
    yaml.resolver.Resolver.yaml_implicit_resolvers)


_NULL_TEXT = next(pattern for tag, pattern in _IMPLICIT_RESOLVERS["~"] if tag == NULL_TAG)


def _resolve_tag(value: str, implicit: tuple[bool, bool]) -> str:
    """The YAML 1.1 tag of an untagged scalar (``yes`` is a bool, ``0x1`` an int...).

    The same lookup as PyYAML's ``Resolver.resolve`` for scalars, without its per-call overhead.
    """
    if implicit[0]:
        candidates = _IMPLICIT_RESOLVERS.get(value[:1], [])
        if not candidates and None not in _IMPLICIT_RESOLVERS:
            return STR_TAG  # no resolver for its first character: most text
        for tag, pattern in (*candidates, *_IMPLICIT_RESOLVERS.get(None, [])):
            if pattern.match(value):
                return tag
    return STR_TAG


def _tagged_scalar(tag: str | None, implicit: tuple[bool, bool], text: str, style: str | None,
                   where: tuple[int, int, int, int]) -> ScalarNode:
    """A scalar with a tag written in the file (or a quoted one, which is a string), at
    ``where`` (line, column, end line, end column)."""
    plain = not style
    if tag is not None and tag != "!" and tag not in SCALAR_TAGS:
        return ScalarNode(*where, tag, True, text, None, plain)
    explicit = tag is not None
    if tag is None or tag == "!":
        tag = _resolve_tag(text, implicit) if tag is None else STR_TAG
    if tag in (STR_TAG, MERGE_TAG):
        return ScalarNode(*where, tag, False, text, text, plain)
    tag, value, invalid = _construct(tag, text, explicit)
    return ScalarNode(*where, tag, False, text, value, plain, invalid,
                      explicit and invalid is not None)


def plain_tag(text: str) -> str:
    """The YAML 1.1 tag ``text`` resolves to as an untagged plain scalar."""
    return _resolve_tag(text, (True, False))


def _hashable_key(node: Node) -> tuple[str, str] | None:
    """The identity of a mapping key as YAML 1.1 resolves it: (type, value)."""
    if not isinstance(node, ScalarNode) or node.bad_tag:
        return None
    if node.invalid is not None:
        return "invalid", node.text
    value = node.value
    if isinstance(value, str):
        return "str", value
    return type(value).__name__, repr(value)


# Plain scalar text -> (tag, value, why invalid, the text), shared by every file read in this
# process. The YAML 1.1 resolution of an untagged plain scalar depends on its text alone, and
# every value it constructs (None, bool, int, float, date, datetime, str) is immutable, so one
# result serves every occurrence; its text too, so that the nodes of a key or value written a
# thousand times hold one string, not a thousand copies (less memory to fault in). Bounded:
# emptied when full, and long texts (never numbers or dates) are not kept, so a hostile file
# cannot grow it without limit.
_PLAIN_CACHE: dict[str, tuple[str, Any, str | None, str]] = {}
PLAIN_CACHE_ENTRIES = 32_768  # 4 MB for the 2,000-file benchmark project's 19,434 texts
PLAIN_CACHE_TEXT_LENGTH = 64


def resolve_plain(text: str) -> tuple[str, Any, str | None, str]:
    """Tag, value, invalidity and text (an equal one) of an untagged plain scalar (cached; see
    ``_PLAIN_CACHE``)."""
    found = _PLAIN_CACHE.get(text)
    if found is None:
        tag = _resolve_tag(text, (True, False))
        found = ((tag, text, None, text) if tag in (STR_TAG, MERGE_TAG)
                 else (*_construct(tag, text, False), text))
        if len(text) <= PLAIN_CACHE_TEXT_LENGTH:
            if len(_PLAIN_CACHE) >= PLAIN_CACHE_ENTRIES:
                _PLAIN_CACHE.clear()
            _PLAIN_CACHE[text] = found
    return found


def _construct(tag: str, text: str, explicit: bool) -> tuple[str, Any, str | None]:
    """(tag, value, None) for a valid scalar of a standard non-string ``tag``, else
    (tag, None, why it is invalid)."""
    try:
        if tag == NULL_TAG and not _NULL_TEXT.match(text):
            raise TypeError("not a null")  # PyYAML reads any text tagged !!null as null
        value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, text))
    except Exception as error:  # PyYAML's constructors trust the resolver; any error = invalid
        kind = tag.rsplit(":", 1)[-1]
        reason = f"{text!r} is not a valid {kind}"
        if explicit:
            reason += f" (it is tagged !!{kind})"
        elif isinstance(error, ValueError):
            reason += f" ({error})"  # a date past the month's end, say
        return tag, None, reason
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    return tag, value, None


_new_object = object.__new__


_MAP_TAG = STANDARD_TAG_PREFIX + "map"
_SEQ_TAG = STANDARD_TAG_PREFIX + "seq"


# libyaml's parser makes each event by calling its PyYAML class with the event's fields, and the
# Python ``__init__`` storing them one by one is a third of the event stream's cost (after
# libyaml's own, the composer's largest). The classes below are made in C instead:
# ``BaseException``'s constructor keeps the fields in ``args``, which the composer unpacks at
# once. Each is a subclass of PyYAML's, named alike, its fields readable by name, so any other
# reader of PyYAML events in the process sees the same events.
EVENT_FIELDS: dict[type, tuple[str, ...]] = {
    yaml.ScalarEvent: ("anchor", "tag", "implicit", "value", "start_mark", "end_mark", "style"),
    yaml.MappingStartEvent: ("anchor", "tag", "implicit", "start_mark", "end_mark",
                             "flow_style"),
    yaml.SequenceStartEvent: ("anchor", "tag", "implicit", "start_mark", "end_mark",
                              "flow_style"),
    yaml.MappingEndEvent: ("start_mark", "end_mark"),
    yaml.SequenceEndEvent: ("start_mark", "end_mark"),
}
"""The events made in C (nearly all of a file's), with their fields in the order libyaml's
parser passes them."""


def _field(index: int) -> property:
    """An event's field, kept in ``args`` (set as on PyYAML's own events)."""
    def put(event: BaseException, value: Any) -> None:
        event.args = (*event.args[:index], value, *event.args[index + 1:])

    return property(lambda event: event.args[index], put)


def _as_pyyamls(event: BaseException) -> tuple[type, tuple[Any, ...]]:
    """How an event made in C pickles: as the PyYAML event it stands for."""
    return type(event).__bases__[1], event.args


def _made_in_c(kind: type) -> type:
    """``kind``, an event class of PyYAML's, made by ``BaseException``'s constructor; it reads,
    prints, sets, copies and pickles its fields as ``kind`` does."""
    namespace: dict[str, Any] = {
        "__slots__": (), "__module__": __name__, "__repr__": yaml.events.Event.__repr__,
        "__str__": yaml.events.Event.__repr__, "__reduce__": _as_pyyamls,
        **{name: _field(index) for index, name in enumerate(EVENT_FIELDS[kind])}}
    return type(kind.__name__, (BaseException, kind), namespace)


MADE_IN_C = {kind: _made_in_c(kind) for kind in EVENT_FIELDS}
_C_PARSER: Any = _yaml  # the module whose globals libyaml's parser calls to make events
_PROBE = "&a !t [&b 'x', {k: v}]"


def _probe_events(by_args: bool) -> list[tuple[type, tuple[Any, ...]]]:
    """The probe's events of :data:`EVENT_FIELDS`' kinds: each kind and fields (marks as their
    index, line and column), read from ``args`` or by name."""
    parser = _yaml.CParser(_PROBE)
    found = []
    try:
        while parser.check_event():
            event: Any = parser.get_event()
            kind = next((each for each in EVENT_FIELDS if isinstance(event, each)), None)
            if kind is None:
                continue
            fields = event.args if by_args else tuple(
                getattr(event, name) for name in EVENT_FIELDS[kind])
            found.append((kind, tuple((each.index, each.line, each.column)
                                      if isinstance(each, _yaml.Mark) else each
                                      for each in fields)))
    finally:
        parser.dispose()
    return found


def _events_made_in_c() -> bool:
    """Have libyaml's parser make the :data:`MADE_IN_C` events (for every PyYAML reader in the
    process), when a probe finds them carrying the fields PyYAML's own carry, in order; else
    leave PyYAML as it is (and another's event classes always)."""
    current = [getattr(_C_PARSER, kind.__name__) for kind in EVENT_FIELDS]
    if current == list(MADE_IN_C.values()):
        return True
    if current != list(EVENT_FIELDS):
        return False
    try:
        expected = _probe_events(by_args=False)
        for kind, made in MADE_IN_C.items():
            setattr(_C_PARSER, kind.__name__, made)
        if {kind for kind, _ in expected} == set(EVENT_FIELDS) and _probe_events(
                by_args=True) == expected:
            return True
    except Exception:  # a PyYAML that calls them otherwise: not used
        pass
    for kind in EVENT_FIELDS:
        setattr(_C_PARSER, kind.__name__, kind)
    return False


FAST_EVENTS = _events_made_in_c()
"""Whether libyaml's parser makes the :data:`MADE_IN_C` events (else the composer reads
PyYAML's own by name)."""


def _event_fields(event: Any) -> tuple[Any, ...]:
    """The fields of one of PyYAML's own events, as ``args`` holds them in its made-in-C kind."""
    return tuple(getattr(event, name) for name in EVENT_FIELDS[event.__class__])


_AliasEvent = yaml.AliasEvent
_DocumentEndEvent = yaml.DocumentEndEvent


class _Frame:
    """A collection being composed: where it starts, its children so far, the node count
    (aliases expanded) before it started, and whether one of its children is faulty.
    ``occurrences`` holds the spans of children that were aliases (by index); any other child
    occurs at its own span."""

    __slots__ = ("anchor", "bad_tag", "before", "children", "column", "faulty", "line",
                 "mapping", "occurrences", "tag")

    def __init__(self, mapping: bool, tag: str, bad_tag: bool, anchor: str | None, line: int,
                 column: int, before: int) -> None:
        self.mapping = mapping
        self.tag = tag
        self.bad_tag = bad_tag
        self.anchor = anchor
        self.line = line
        self.column = column
        self.before = before
        self.children: list[Node] = []
        self.faulty = False
        self.occurrences: dict[int, Span] | None = None

    def occurrence(self, index: int) -> Span:
        """Where child ``index`` occurs in the source (an alias's own span, not its node's)."""
        place = self.place(index)
        return place if isinstance(place, Span) else place.span

    def place(self, index: int) -> Span | Node:
        """:meth:`occurrence`, or the child itself when it occurs at its own place (its span
        not built)."""
        if self.occurrences is not None and index in self.occurrences:
            return self.occurrences[index]
        return self.children[index]


class _Composer:
    """Compose nodes from libyaml events iteratively, enforcing the limits.

    The event loop is the hot path of a run (hundreds of thousands of events for a large
    project), so it is written flat: spans are built inline from the marks, a collection's node
    and span are made once at its end, plain scalars resolve through a cache, and the node count
    and depth live in locals (copied to ``self`` where an error may need them).
    """

    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.limits = limits
        self.problems: list[Problem] = []
        self.anchors: dict[str, Node] = {}
        self.weights: dict[int, int] = {}
        self.open_anchors: set[str] = set()
        self.expanded_nodes = 0
        self.depth = 0
        self.consumed = 0
        self.line_starts: list[int] | None = None
        if any(character in text for character in LIBYAML_ONLY_BREAKS):
            self.line_starts = [0, *(match.end() for match in LINE_BREAK.finditer(text))]

    def _span(self, start: Any, end: Any) -> Span:
        """A span from libyaml marks, in editors' lines (libyaml also breaks at NEL, LS, PS)."""
        return Span(*self._corners(start, end))

    def _corners(self, start: Any, end: Any) -> tuple[int, int, int, int]:
        """Line, column, end line and end column of libyaml marks, in editors' lines."""
        if self.line_starts is None:
            return start.line + 1, start.column + 1, end.line + 1, end.column + 1
        return (*self._line_column(start.index), *self._line_column(end.index))

    def _line_column(self, index: int) -> tuple[int, int]:
        assert self.line_starts is not None
        line = bisect.bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def compose(self) -> LoadedYaml:
        documents: list[Node | None] = []
        if len(self.text) * 2 >= self.limits.max_nodes and not _within_node_limit(
                self.text, self.limits.max_nodes, self.limits.max_depth):
            return LoadedYaml([], [self._too_many_nodes()], self.text)
        parser = _yaml.CParser(self.text)
        try:
            while parser.check_event():
                event = parser.get_event()
                if isinstance(event, yaml.DocumentStartEvent):
                    self.anchors.clear()
                    documents.append(self._compose_document(parser))
        except yaml.YAMLError as error:
            self.problems.append(self._depth_problem(error) or self._syntax_problem(error))
        except _Abort:
            pass
        finally:
            parser.dispose()
        if any(problem.code == "E001" for problem in self.problems):
            documents = []
        return LoadedYaml(documents, self.problems, self.text)

    def _depth_problem(self, error: yaml.YAMLError) -> Problem | None:
        """The max-depth finding when libyaml gave up on nesting deeper than the limit.

        libyaml's scanner looks up to 1,024 characters ahead on a line, and newer versions refuse
        deep flow nesting there, before the events that would reach the depth check exist. The
        depth at the error is the composer's plus the flow collections opened since its last event.
        """
        mark = getattr(error, "problem_mark", None)
        if mark is None:
            return None
        unseen = _flow_depth_change(self.text[self.consumed:mark.index + 1])
        if self.depth + unseen <= self.limits.max_depth:
            return None
        return self._max_depth_problem()

    def _max_depth_problem(self) -> Problem:
        return Problem("E001", Span.file_start(),
                       f"nesting is deeper than limits.max-depth ({self.limits.max_depth});"
                       " file not read")

    def _syntax_problem(self, error: yaml.YAMLError) -> Problem:
        if isinstance(error, yaml.reader.ReaderError):
            line, column = _position_of_byte(self.text.encode("utf-8"), error.position)
            message = f"{error.reason}: character 0x{error.character:02x} is not allowed in YAML"
            return Problem("E001", Span(line, column, line, column + 1), message)
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        context = getattr(error, "context", None)
        message = f"invalid YAML: {problem}" + (f" {context}" if context else "")
        hint = next((text for needle, text in SYNTAX_HINTS.items() if needle in problem), "")
        message += hint
        if mark is None:
            return Problem("E001", Span.file_start(), message)
        at = self._span(mark, mark)
        return Problem("E001", Span(at.line, at.column, at.line, at.column + 1), message)

    def _compose_document(self, parser: Any) -> Node | None:
        """Compose one document; returns None for an empty (null) document.

        The document is the bottom frame of the stack (its one child is the root), so every node
        is added to ``children``, the innermost open frame's list, the same way. A collection's
        weight (its nodes, aliases expanded) is the node count at its end minus the count before
        its start, so nothing is summed per child.
        """
        document = _Frame(False, "", False, None, 1, 1, 0)
        stack = [document]
        top = document
        children = document.children
        event: Any = None
        depth_limit = self.limits.max_depth + 1  # the document's frame is no nesting
        max_nodes = self.limits.max_nodes
        expanded = self.expanded_nodes
        editor_lines = self.line_starts is not None
        anchors = self.anchors
        cache = _PLAIN_CACHE
        new_node = _new_object
        get_event = parser.get_event
        fast_events = FAST_EVENTS
        scalar_event, mapping_start, sequence_start = (
            MADE_IN_C[kind] if fast_events else kind
            for kind in (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent))
        node: Node
        scalar: ScalarNode
        try:
            while True:
                event = get_event()
                kind = event.__class__
                if kind is scalar_event:
                    anchor, tag, implicit, text, start, end, style = (
                        event.args if fast_events else _event_fields(event))
                    if tag is None and implicit[0]:  # untagged plain: never styled
                        # ScalarNode(*where, tag, False, text, value, True, invalid), its slots
                        # set directly: a dataclass's __init__ costs twice as much
                        scalar = node = new_node(ScalarNode)
                        if editor_lines:
                            (scalar.line, scalar.column, scalar.end_line,
                             scalar.end_column) = self._corners(start, end)
                        else:
                            scalar.line = start.line + 1
                            scalar.column = start.column + 1
                            scalar.end_line = end.line + 1
                            scalar.end_column = end.column + 1
                        scalar.made_span = None
                        scalar.tag, scalar.value, scalar.invalid, scalar.text = (
                            cache.get(text) or resolve_plain(text))
                        scalar.bad_tag = scalar.explicit = False
                        scalar.plain = True
                        if scalar.invalid is not None:
                            top.faulty = True
                    else:
                        node = _tagged_scalar(tag, implicit, text, style,
                                              self._corners(start, end))
                        if node.bad_tag or node.invalid is not None:
                            top.faulty = True
                    expanded += 1
                    if expanded > max_nodes:
                        self.problems.append(self._too_many_nodes())
                        raise _Abort
                    if anchor is not None:
                        anchors[anchor] = node
                        self.weights[id(node)] = 1
                    children.append(node)
                    continue
                if kind is mapping_start or kind is sequence_start:
                    if len(stack) >= depth_limit:
                        self.problems.append(self._max_depth_problem())
                        raise _Abort
                    before = expanded
                    expanded += 1
                    if expanded > max_nodes:
                        self.problems.append(self._too_many_nodes())
                        raise _Abort
                    anchor, tag, _, start, _, _ = (
                        event.args if fast_events else _event_fields(event))
                    mapping = kind is mapping_start
                    bad = tag is not None and tag != "!" and tag not in COLLECTION_TAGS
                    if tag is None or tag == "!":
                        tag = _MAP_TAG if mapping else _SEQ_TAG
                    if editor_lines:
                        line, column = self._line_column(start.index)
                    else:
                        line, column = start.line + 1, start.column + 1
                    if anchor is not None:
                        self.open_anchors.add(anchor)
                    top = _Frame(mapping, tag, bad, anchor, line, column, before)
                    stack.append(top)
                    children = top.children
                    continue
                if kind is _AliasEvent:
                    self.expanded_nodes = expanded
                    node = self._resolve_alias(event)
                    expanded = self.expanded_nodes
                    if top.occurrences is None:
                        top.occurrences = {}
                    top.occurrences[len(children)] = self._span(event.start_mark, event.end_mark)
                    children.append(node)
                    if is_faulty(node):
                        top.faulty = True
                    continue
                if kind is _DocumentEndEvent:
                    break
                frame = stack.pop()
                node = self._close(frame, event.args[1] if fast_events else event.end_mark,
                                   expanded - frame.before)
                top = stack[-1]
                children = top.children
                children.append(node)
                if node.bad_tag or frame.faulty:
                    top.faulty = True
        except yaml.YAMLError:
            self.depth = len(stack) - 1
            if event is not None:
                self.consumed = event.end_mark.index
            raise
        self.expanded_nodes = expanded
        root = document.children[0] if document.children else None
        if (isinstance(root, ScalarNode) and root.value is None and not root.bad_tag
                and root.invalid is None):
            return None
        return root

    def _too_many_nodes(self) -> Problem:
        return Problem(
            "E001", Span.file_start(),
            f"more than limits.max-nodes ({self.limits.max_nodes:,}) nodes with aliases"
            " expanded (an alias bomb?); file not read")

    def _resolve_alias(self, event: Any) -> Node:
        """The node an alias names, its weight counted; E001 and stop for a bad alias."""
        span = self._span(event.start_mark, event.end_mark)
        if event.anchor in self.open_anchors:
            self.problems.append(Problem(
                "E001", span, f"alias *{event.anchor} refers to a node that contains it"
                " (recursive alias)"))
            raise _Abort
        node = self.anchors.get(event.anchor)
        if node is None:
            self.problems.append(Problem("E001", span, f"alias *{event.anchor} is not defined"))
            raise _Abort
        weight = self.weights.get(id(node), 1)
        self.expanded_nodes += weight
        if self.expanded_nodes > self.limits.max_nodes:
            self.problems.append(self._too_many_nodes())
            raise _Abort
        return node

    def _close(self, frame: _Frame, end: Any, weight: int) -> Node:
        """The finished node of ``frame`` (of ``weight`` nodes, aliases expanded), its span
        ending at the end event's ``end`` mark."""
        end_line, end_column = ((end.line + 1, end.column + 1) if self.line_starts is None
                                else self._line_column(end.index))
        children = frame.children
        node: SequenceNode | MappingNode
        if frame.mapping:
            head = None
            if children:  # from its first key to the end of that key's value
                first = frame.place(0)
                last = frame.place(1)
                head = new_span(first.line, first.column, last.end_line, last.end_column)
            pairs, index = self._mapping_pairs(frame)
            node = MappingNode(frame.line, frame.column, end_line, end_column, frame.tag,
                               frame.bad_tag, pairs, head, frame.faulty, index)
        else:
            node = SequenceNode(frame.line, frame.column, end_line, end_column, frame.tag,
                                frame.bad_tag, children, frame.faulty)
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = node
            self.weights[id(node)] = weight
        return node

    def _mapping_pairs(self, frame: _Frame) -> tuple[list[tuple[Node, Node]],
                                                     dict[str, tuple[Node, Node]] | None]:
        """Apply merge keys and report duplicates (at each later occurrence); the last wins.
        Also the mapping's key index when every key is a string scalar and no two are alike
        (nearly always; a string scalar's text is its value): else it is made when first
        asked for."""
        children = frame.children
        pairs_of = iter(children)
        pairs = list(zip(pairs_of, pairs_of, strict=True))
        by_text = {key.value: pair for pair in pairs
                   if (key := pair[0]).__class__ is ScalarNode and key.tag == STR_TAG}
        if len(by_text) == len(pairs):
            return pairs, by_text
        merged: dict[object, tuple[Node, Node]] = {}
        own: dict[object, tuple[Node, Node]] = {}
        first_seen: dict[object, Span] = {}
        for index in range(0, len(children), 2):
            key_node, value_node = children[index], children[index + 1]
            if isinstance(key_node, ScalarNode) and key_node.tag == MERGE_TAG:
                for source in reversed(self._merge_sources(value_node)):
                    for pair in source.pairs:
                        merged[_hashable_key(pair[0]) or id(pair[0])] = pair
                continue
            identity = _hashable_key(key_node) or id(key_node)
            occurrence = frame.occurrence(index)
            first = first_seen.setdefault(identity, occurrence)
            if first is not occurrence:
                self.problems.append(Problem(
                    "E003", occurrence,
                    f"duplicate key {_key_text(key_node)!r} (first at line {first.line});"
                    " only the last value would be kept: remove or rename one"))
            own[identity] = (key_node, value_node)
        merged.update(own)
        return list(merged.values()), None

    def _merge_sources(self, value: Node) -> list[MappingNode]:
        if isinstance(value, MappingNode):
            return [value]
        if isinstance(value, SequenceNode) and all(
                isinstance(item, MappingNode) for item in value.items):
            return [item for item in value.items if isinstance(item, MappingNode)]
        self.problems.append(Problem(
            "E002", value.span, "a merge key (<<) needs a mapping or a list of mappings"))
        return []


FLOW_TOKEN = r"""
    [\[{\]}]                                        # a flow collection opens or closes
    | (?:^|(?<=[\s\[{,:])) (?: "(?:[^"\\]|\\.)*"? | '(?:[^']|'')*'? )  # a quoted scalar
    | (?:^|(?<=\s)) \#[^\n]*                         # a comment
"""
"""A verbose pattern, compiled (by ``re``, once) for the first file nested too deep, not at
import."""


def _flow_depth_change(text: str) -> int:
    """How many more flow collections ``text`` opens than it closes, quotes and comments aside."""
    change = 0
    for match in re.finditer(FLOW_TOKEN, text, re.VERBOSE):
        token = match.group()
        if token in ("[", "{"):
            change += 1
        elif token in ("]", "}"):
            change -= 1
    return change


def _within_node_limit(text: str, max_nodes: int, max_depth: int) -> bool:
    """Whether ``text`` holds at most ``max_nodes`` nodes, aliases expanded, counted on the
    event stream without building anything (so a million-element sequence costs no memory).

    Only texts long enough to hold that many nodes need it (a node takes at least half a
    character): in shorter ones composing stays small, and aliases are counted by weight as
    they are composed. The count is the composer's: 1 per scalar and collection, an alias the
    weight of its anchored node. Syntax errors and deep nesting are left to the composer: the
    count stops where nesting passes ``max_depth`` (libyaml before 0.2.6 scans deep flow nesting
    in time quadratic in the depth, over a minute for 100,000 levels).
    """
    parser = _yaml.CParser(text)
    total = 0
    weights: dict[str, int] = {}
    open_collections: list[tuple[str | None, int]] = []
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.AliasEvent):
                total += weights.get(event.anchor or "", 1)
            elif isinstance(event, yaml.ScalarEvent):
                total += 1
                if event.anchor is not None:
                    weights[event.anchor] = 1
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if len(open_collections) >= max_depth:
                    return True
                open_collections.append((event.anchor, total))
                total += 1
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                anchor, before = open_collections.pop()
                if anchor is not None:
                    weights[anchor] = total - before
            elif isinstance(event, yaml.DocumentStartEvent):
                weights.clear()
            if total > max_nodes:
                return False
    except yaml.YAMLError:
        return True
    finally:
        parser.dispose()
    return True


def _key_text(node: Node) -> str:
    return node.text if isinstance(node, ScalarNode) else "<complex key>"


def is_faulty(node: Node) -> bool:
    """Whether the node, or anything inside it, has an unsupported tag or an invalid scalar."""
    if isinstance(node, (SequenceNode, MappingNode)):
        return node.bad_tag or node.tainted
    return node.bad_tag or (isinstance(node, ScalarNode) and node.invalid is not None)


def first_fault(node: Node, text_field: bool) -> tuple[Span, str] | None:
    """Where and why a field's value cannot be used: an unsupported tag, or (outside text
    fields, which take the source text) a scalar that looks typed but is invalid."""
    if node.bad_tag:
        return node.span, f"unsupported YAML tag {node.tag!r}; spec files use plain values"
    if isinstance(node, ScalarNode):
        if node.invalid is not None and (node.explicit or not text_field):
            return node.span, node.invalid
        return None
    if not isinstance(node, (SequenceNode, MappingNode)) or not node.tainted:
        return None
    inner: list[Node] = (node.items if isinstance(node, SequenceNode)
                         else [part for pair in node.pairs for part in pair])
    for child in inner:
        found = first_fault(child, text_field)
        if found is not None:
            return found
    return None
