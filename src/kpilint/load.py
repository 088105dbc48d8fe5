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

from kpilint.diagnostics import Span

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


@dataclass(frozen=True, slots=True)
class Limits:
    """The reading limits of SPEC §2 (config ``[limits]``)."""

    max_file_bytes: int = 10 * 1024 * 1024
    max_depth: int = 256
    max_nodes: int = 1_000_000


@dataclass(eq=False, slots=True)
class Node:
    """A composed YAML node with its source span.

    ``bad_tag`` marks an unsupported tag (never constructed); ``tainted`` marks a collection with
    such a node, or an invalid scalar, somewhere inside. The model builder decides whether that
    matters (it does not in ``x-`` fields, nor for an invalid scalar in a text field).
    """

    span: Span
    tag: str
    bad_tag: bool


@dataclass(eq=False, slots=True)
class ScalarNode(Node):
    """A scalar: ``text`` is the source value, ``value`` the YAML 1.1 resolved one.

    ``invalid`` says why the value could not be constructed (``2026-02-30`` looks like a date but
    is none); ``value`` is then None. ``explicit`` marks a tag written in the file (``!!int``):
    an invalid value is then an error even in a text field, since the author asked for the type.
    """

    text: str
    value: Any
    plain: bool
    invalid: str | None = None
    explicit: bool = False


@dataclass(eq=False, slots=True)
class SequenceNode(Node):
    items: list[Node] = field(default_factory=list)
    tainted: bool = False


@dataclass(eq=False, slots=True)
class MappingNode(Node):
    """A mapping; ``pairs`` holds the effective pairs: merges applied, last duplicate kept."""

    pairs: list[tuple[Node, Node]] = field(default_factory=list)
    head: Span | None = None
    tainted: bool = False
    index: dict[str, tuple[Node, Node]] | None = None

    def get(self, key: str) -> tuple[Node, Node] | None:
        """The (key, value) pair whose key's source text is ``key``."""
        if self.index is None:
            self.index = {key_node.text: (key_node, value_node) for key_node, value_node
                          in reversed(self.pairs) if isinstance(key_node, ScalarNode)}
        return self.index.get(key)


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
        candidates = _IMPLICIT_RESOLVERS.get(value[0] if value else "", [])
        for tag, pattern in (*candidates, *_IMPLICIT_RESOLVERS.get(None, [])):
            if pattern.match(value):
                return tag
    return STR_TAG


def plain_tag(text: str) -> str:
    """The YAML 1.1 tag ``text`` resolves to as an untagged plain scalar."""
    return _resolve_tag(text, (True, False))


def _span(start: Any, end: Any) -> Span:
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


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


@dataclass(eq=False, slots=True)
class _Frame:
    """A collection being composed."""

    node: SequenceNode | MappingNode
    anchor: str | None
    weight: int = 1
    children: list[Node] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)


class _Composer:
    """Compose nodes from libyaml events iteratively, enforcing the limits."""

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
        if self.line_starts is None:
            return _span(start, end)
        return Span(*self._line_column(start.index), *self._line_column(end.index))

    def _line_column(self, index: int) -> tuple[int, int]:
        assert self.line_starts is not None
        line = bisect.bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def compose(self) -> LoadedYaml:
        documents: list[Node | None] = []
        if len(self.text) * 2 >= self.limits.max_nodes and not _within_node_limit(
                self.text, self.limits.max_nodes):
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
        """Compose one document; returns None for an empty (null) document."""
        stack: list[_Frame] = []
        root: Node | None = None
        while True:
            event = parser.get_event()
            self.consumed = event.end_mark.index
            if isinstance(event, yaml.DocumentEndEvent):
                break
            node: Node | None = None
            if isinstance(event, yaml.AliasEvent):
                node = self._resolve_alias(event)
                occurrence = self._span(event.start_mark, event.end_mark)
            elif isinstance(event, yaml.ScalarEvent):
                node = self._scalar(event)
                occurrence = node.span
                self._count(1)
                self._anchor(event.anchor, node, 1)
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if len(stack) + 1 > self.limits.max_depth:
                    self.problems.append(self._max_depth_problem())
                    raise _Abort
                stack.append(self._open(event))
                self.depth = len(stack)
                continue
            else:
                frame = stack.pop()
                self.depth = len(stack)
                node = self._close(frame, event)
                occurrence = node.span
            if stack:
                stack[-1].children.append(node)
                stack[-1].spans.append(occurrence)
                stack[-1].weight += self.weights.get(id(node), 1)
            else:
                root = node
        if (isinstance(root, ScalarNode) and root.value is None and not root.bad_tag
                and root.invalid is None):
            return None
        return root

    def _count(self, weight: int) -> None:
        """Add ``weight`` nodes; past limits.max-nodes, record E001 and stop reading."""
        self.expanded_nodes += weight
        if self.expanded_nodes > self.limits.max_nodes:
            self.problems.append(self._too_many_nodes())
            raise _Abort

    def _too_many_nodes(self) -> Problem:
        return Problem(
            "E001", Span.file_start(),
            f"more than limits.max-nodes ({self.limits.max_nodes:,}) nodes with aliases"
            " expanded (an alias bomb?); file not read")

    def _anchor(self, anchor: str | None, node: Node, weight: int) -> None:
        if anchor is not None:
            self.anchors[anchor] = node
            self.weights[id(node)] = weight

    def _resolve_alias(self, event: Any) -> Node:
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
        self._count(self.weights.get(id(node), 1))
        return node

    def _tag_is_supported(self, tag: str | None, allowed: frozenset[str]) -> bool:
        return tag is None or tag == "!" or tag in allowed

    def _scalar(self, event: Any) -> ScalarNode:
        span = self._span(event.start_mark, event.end_mark)
        plain = event.style is None or event.style == ""
        tag = event.tag
        if not self._tag_is_supported(tag, SCALAR_TAGS):
            return ScalarNode(span, tag, True, event.value, None, plain)
        if tag is None or tag == "!":
            tag = _resolve_tag(event.value, event.implicit) if tag is None else STR_TAG
        if tag in (STR_TAG, MERGE_TAG):
            return ScalarNode(span, tag, False, event.value, event.value, plain)
        explicit = event.tag is not None
        try:
            if tag == NULL_TAG and not _NULL_TEXT.match(event.value):
                raise TypeError("not a null")  # PyYAML reads any text tagged !!null as null
            value = _CONSTRUCTOR.yaml_constructors[tag](
                _CONSTRUCTOR, yaml.ScalarNode(tag, event.value))
        except Exception as error:  # PyYAML's constructors trust the resolver; any error = invalid
            kind = tag.rsplit(":", 1)[-1]
            reason = f"{event.value!r} is not a valid {kind}"
            if explicit:
                reason += f" (it is tagged !!{kind})"
            elif isinstance(error, ValueError):
                reason += f" ({error})"  # a date past the month's end, say
            return ScalarNode(span, tag, False, event.value, None, plain, reason, explicit)
        if isinstance(value, datetime.datetime):
            value = value.date() if value.time() == datetime.time() else value
        return ScalarNode(span, tag, False, event.value, value, plain)

    def _open(self, event: Any) -> _Frame:
        span = self._span(event.start_mark, event.end_mark)
        self._count(1)
        is_mapping = isinstance(event, yaml.MappingStartEvent)
        default_tag = STANDARD_TAG_PREFIX + ("map" if is_mapping else "seq")
        bad = not self._tag_is_supported(event.tag, COLLECTION_TAGS)
        tag = default_tag if event.tag in (None, "!") else event.tag
        node: SequenceNode | MappingNode = (
            MappingNode(span, tag, bad) if is_mapping else SequenceNode(span, tag, bad))
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        return _Frame(node, event.anchor)

    def _close(self, frame: _Frame, event: Any) -> Node:
        node = frame.node
        end = self._span(event.end_mark, event.end_mark)
        node.span = Span(node.span.line, node.span.column, end.line, end.column)
        if isinstance(node, MappingNode):
            node.pairs = self._mapping_pairs(frame.children, frame.spans)
            if frame.children:
                key_span, value_span = frame.spans[0], frame.spans[1]
                node.head = Span(key_span.line, key_span.column, value_span.end_line,
                                 value_span.end_column)
        else:
            node.items = frame.children
        node.tainted = any(_is_faulty(child) for child in frame.children)
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self._anchor(frame.anchor, node, frame.weight)
        self.weights.setdefault(id(node), frame.weight)
        return node

    def _mapping_pairs(self, children: list[Node], spans: list[Span]) -> list[tuple[Node, Node]]:
        """Apply merge keys and report duplicates (at each later occurrence); the last wins."""
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
            occurrence = spans[index]
            first = first_seen.setdefault(identity, occurrence)
            if first is not occurrence:
                self.problems.append(Problem(
                    "E003", occurrence,
                    f"duplicate key {_key_text(key_node)!r} (first at line {first.line});"
                    " only the last value would be kept: remove or rename one"))
            own[identity] = (key_node, value_node)
        merged.update(own)
        return list(merged.values())

    def _merge_sources(self, value: Node) -> list[MappingNode]:
        if isinstance(value, MappingNode):
            return [value]
        if isinstance(value, SequenceNode) and all(
                isinstance(item, MappingNode) for item in value.items):
            return [item for item in value.items if isinstance(item, MappingNode)]
        self.problems.append(Problem(
            "E002", value.span, "a merge key (<<) needs a mapping or a list of mappings"))
        return []


FLOW_TOKEN = re.compile(r"""
    [\[{\]}]                                        # a flow collection opens or closes
    | (?:^|(?<=[\s\[{,:])) (?: "(?:[^"\\]|\\.)*"? | '(?:[^']|'')*'? )  # a quoted scalar
    | (?:^|(?<=\s)) \#[^\n]*                         # a comment
""", re.VERBOSE)


def _flow_depth_change(text: str) -> int:
    """How many more flow collections ``text`` opens than it closes, quotes and comments aside."""
    change = 0
    for match in FLOW_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            change += 1
        elif token in ("]", "}"):
            change -= 1
    return change


def _within_node_limit(text: str, max_nodes: int) -> bool:
    """Whether ``text`` holds at most ``max_nodes`` nodes, aliases expanded, counted on the
    event stream without building anything (so a million-element sequence costs no memory).

    Only texts long enough to hold that many nodes need it (a node takes at least half a
    character): in shorter ones composing stays small, and aliases are counted by weight as
    they are composed. The count is the composer's: 1 per scalar and collection, an alias the
    weight of its anchored node. Syntax errors and deep nesting are left to the composer.
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


def _is_faulty(node: Node) -> bool:
    """Whether the node, or anything inside it, has an unsupported tag or an invalid scalar."""
    if isinstance(node, (SequenceNode, MappingNode)):
        return node.bad_tag or node.tainted
    return node.bad_tag or (isinstance(node, ScalarNode) and node.invalid is not None)


def first_fault(node: Node, text_field: bool) -> tuple[Span, str] | None:
    """Where and why a field's value cannot be used: an unsupported tag, or (outside text
    fields, which take the source text) a scalar that looks typed but is invalid."""
    if node.bad_tag:
        return node.span, f"unsupported YAML tag {node.tag!r}; spec files use plain values"
    if not isinstance(node, (SequenceNode, MappingNode)):
        if isinstance(node, ScalarNode) and node.invalid is not None and (
                node.explicit or not text_field):
            return node.span, node.invalid
        return None
    if not node.tainted:
        return None
    inner: list[Node] = (node.items if isinstance(node, SequenceNode)
                         else [part for pair in node.pairs for part in pair])
    for child in inner:
        found = first_fault(child, text_field)
        if found is not None:
            return found
    return None
