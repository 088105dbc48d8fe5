"""KGI formulas: a tokenizer, a recursive-descent parser, unit algebra and exact evaluation.

A formula (SPEC §2) is arithmetic over KPI ids and numbers with ``+ - * /``, unary minus and
parentheses at most 64 deep. It is parsed here and never handed to ``eval``. Tokens:

- a number is ``\\d+(\\.\\d+)?``; any other id-shaped token ``[A-Za-z0-9][A-Za-z0-9_.-]*`` is an
  id, the longest one, so ``avg-deal-size`` is one id and ``a-b`` too (subtraction needs spaces);
- ``+ - * / ( )`` are operators; spaces, tabs and line breaks separate tokens;
- any other character is a syntax error (T401).

Chains of ``+``/``-`` and of ``*``/``/`` are kept flat, and runs of unary minus are folded, so the
tree is only as deep as the parentheses (at most 64): walking it never exhausts the stack.
"""

from __future__ import annotations

import contextlib
import decimal
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias

from kpilint.build import EntityRecord
from kpilint.diagnostics import Location, Span
from kpilint.load import MappingNode, Node, ScalarNode
from kpilint.model import Entity

MAX_DEPTH = 64
ID_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
SPACE = re.compile(r"[ \t\r\n]+")
OPERATORS = frozenset("+-*/()")
OPERAND = "a number, an id or '('"

DIMENSIONLESS_UNITS = frozenset({"count", "percent", "ratio", "score"})
TIME_UNITS = frozenset({"seconds", "minutes", "hours", "days"})
CURRENCY = re.compile(r"^[A-Z]{3}$")
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True, slots=True)
class Token:
    """One token; ``start``/``end`` are 0-based code-point offsets into the formula text."""

    kind: str  # "number", "id", "op" (one of + - * / ( )), "bad" (any other character), "end"
    text: str
    start: int
    end: int

    @property
    def column(self) -> int:
        """The 1-based column of the token within the formula."""
        return self.start + 1

    def shown(self) -> str:
        if self.kind == "bad":
            return f"character {self.text!r}"
        return f"'{self.text}'"


@dataclass(frozen=True, slots=True)
class Num:
    value: Decimal
    token: Token


@dataclass(frozen=True, slots=True)
class Ref:
    token: Token

    @property
    def id(self) -> str:
        return self.token.text


@dataclass(frozen=True, slots=True)
class Neg:
    """Unary minus (a run of them folded: ``- - a`` is ``a``, kept for positions)."""

    operand: Expr
    negative: bool


@dataclass(frozen=True, slots=True)
class Chain:
    """``first (op operand)*`` for one precedence level: all ``+``/``-`` or all ``*``/``/``."""

    first: Expr
    rest: tuple[tuple[Token, Expr], ...]


Expr: TypeAlias = Num | Ref | Neg | Chain


@dataclass(frozen=True, slots=True)
class Formula:
    """A parsed formula: its tree and its id terms in reading order."""

    text: str
    tree: Expr
    terms: tuple[Token, ...]


class FormulaSyntaxError(Exception):
    """Why a formula does not parse; ``token`` is the offending one (kind "end" past the end)."""

    def __init__(self, message: str, token: Token | None) -> None:
        super().__init__(message)
        self.message = message
        self.token = token


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an "end" token; bad characters become "bad" tokens."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        space = SPACE.match(text, position)
        if space:
            position = space.end()
            continue
        word = ID_TOKEN.match(text, position)
        if word:
            kind = "number" if NUMBER.fullmatch(word[0]) else "id"
            tokens.append(Token(kind, word[0], position, word.end()))
            position = word.end()
            continue
        char = text[position]
        tokens.append(Token("op" if char in OPERATORS else "bad", char, position, position + 1))
        position += 1
    tokens.append(Token("end", "", len(text), len(text)))
    return tokens


class _Parser:
    """expr := term (('+'|'-') term)*; term := unary (('*'|'/') unary)*;
    unary := '-'* primary; primary := number | id | '(' expr ')'."""

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.terms: list[Token] = []

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def _previous(self) -> Token | None:
        return self.tokens[self.index - 1] if self.index else None

    def _is(self, *operators: str) -> bool:
        return self.current.kind == "op" and self.current.text in operators

    def fail(self, expected: str, hint: str = "") -> FormulaSyntaxError:
        token = self.current
        if token.kind == "end":
            return FormulaSyntaxError(
                f"the formula ends too early (after column {token.start}); expected"
                f" {expected}{hint}", token)
        if token.kind == "bad":
            return FormulaSyntaxError(
                f"unexpected {token.shown()} at column {token.column} of the formula; a formula"
                " holds only ids, numbers, + - * / and parentheses", token)
        return FormulaSyntaxError(
            f"unexpected {token.shown()} at column {token.column} of the formula; expected"
            f" {expected}{hint}", token)

    def formula(self) -> Expr:
        if self.current.kind == "end":
            raise FormulaSyntaxError(
                "the formula is empty; expected arithmetic over KPI ids and numbers", None)
        tree = self.expression(0, None)
        if self.current.kind != "end":
            raise self._after_operand("the end of the formula")
        return tree

    def _after_operand(self, alternative: str) -> FormulaSyntaxError:
        hint = ""
        previous = self._previous()
        if self._is("(") and previous is not None and previous.kind == "id":
            hint = f" (formulas have no functions: '{previous.text}(' is not allowed)"
        elif self._is(")"):
            hint = " (no '(' is open)"
        elif self.current.kind in ("id", "number"):
            hint = " (write multiplication as '*')"
        return self.fail(f"an operator (+ - * /) or {alternative}", hint)

    def expression(self, depth: int, opening: Token | None) -> Expr:
        first = self.term(depth, opening)
        rest: list[tuple[Token, Expr]] = []
        while self._is("+", "-"):
            operator = self.current
            self.index += 1
            rest.append((operator, self.term(depth, opening)))
        return Chain(first, tuple(rest)) if rest else first

    def term(self, depth: int, opening: Token | None) -> Expr:
        first = self.unary(depth, opening)
        rest: list[tuple[Token, Expr]] = []
        while self._is("*", "/"):
            operator = self.current
            self.index += 1
            rest.append((operator, self.unary(depth, opening)))
        return Chain(first, tuple(rest)) if rest else first

    def unary(self, depth: int, opening: Token | None) -> Expr:
        minus = 0
        while self._is("-"):
            minus += 1
            self.index += 1
        operand = self.primary(depth, opening)
        return Neg(operand, minus % 2 == 1) if minus else operand

    def primary(self, depth: int, opening: Token | None) -> Expr:
        token = self.current
        if token.kind == "number":
            self.index += 1
            return Num(Decimal(token.text), token)
        if token.kind == "id":
            self.index += 1
            self.terms.append(token)
            return Ref(token)
        if self._is("("):
            if depth >= MAX_DEPTH:
                raise FormulaSyntaxError(
                    f"parentheses nested more than {MAX_DEPTH} deep at column {token.column} of"
                    " the formula", token)
            self.index += 1
            inner = self.expression(depth + 1, token)
            if not self._is(")"):
                if self.current.kind == "end":
                    raise self.fail(f"')' to close the '(' at column {token.column}")
                raise self._after_operand("')'")
            self.index += 1
            return inner
        previous = self._previous()
        hint = ""
        if self._is("*") and previous is not None and previous.text == "*":
            hint = " (there is no power operator '**': write the product out)"
        elif self._is("+") and (previous is None or previous.kind == "op"):
            hint = " (there is no unary '+')"
        raise self.fail(OPERAND, hint)


def parse(text: str) -> Formula:
    """Parse a formula; raises :class:`FormulaSyntaxError`, never anything else."""
    parser = _Parser(text)
    tree = parser.formula()
    return Formula(text, tree, tuple(parser.terms))


@functools.lru_cache(maxsize=4096)
def parse_or_error(text: str) -> Formula | FormulaSyntaxError:
    """The parsed formula, or why it does not parse (cached: the graph and rules share it)."""
    try:
        return parse(text)
    except FormulaSyntaxError as error:
        return error


# -- where tokens stand in the file ------------------------------------------------------------


def formula_location(record: EntityRecord[Entity], token: Token | None) -> tuple[Location, bool]:
    """Where to report about ``token`` of the record's formula, and whether that is exact.

    For a plain one-line scalar the token's own span is computed (exact); otherwise, or without
    a token, it is the whole formula value. Constant time per token: the graph locates every
    term of a 640k-term formula.
    """
    pair = record.node.get("formula")
    if pair is None:
        return record.at_entity(), False
    node = pair[1]
    whole = Location(record.path, node.span)
    start = _plain_text_column(node) if token is not None and token.kind != "end" else None
    if token is None or start is None:
        return whole, False
    return Location(record.path, Span(node.span.line, start + token.start, node.span.line,
                                      start + token.end)), True


@functools.lru_cache(maxsize=64)
def _plain_text_column(node: Node) -> int | None:
    """The column where a plain one-line scalar's text starts (an anchor or tag may precede
    it: the scalar ends right after its text), or None when offsets in the text do not map to
    columns (quoted, multi-line, or a line break libyaml folded)."""
    span = node.span
    if not isinstance(node, ScalarNode) or not node.plain or span.line != span.end_line:
        return None
    start = span.end_column - len(node.text)
    if start < span.column or "\n" in node.text:
        return None
    return start


# -- units --------------------------------------------------------------------------------------

Dimension = tuple[tuple[str, int], ...]
DIMENSIONLESS: Dimension = ()


def unit_dimension(unit: str | None) -> Dimension | None:
    """The dimension of a unit, or None for a missing or free unit (the check then skips)."""
    if unit is None:
        return None
    if unit in DIMENSIONLESS_UNITS:
        return DIMENSIONLESS
    if unit in TIME_UNITS or CURRENCY.match(unit):
        return ((unit, 1),)
    return None


def _combine(left: Dimension, right: Dimension, sign: int) -> Dimension:
    exponents = dict(left)
    for base, exponent in right:
        exponents[base] = exponents.get(base, 0) + sign * exponent
    return tuple(sorted((base, exponent) for base, exponent in exponents.items() if exponent))


def show_dimension(dimension: Dimension) -> str:
    """``JPY·days``, ``JPY/hours``, ``1/days``; a plain number for the dimensionless."""
    if not dimension:
        return "a plain number"

    def power(base: str, exponent: int) -> str:
        return base + (str(exponent).translate(SUPERSCRIPTS) if exponent > 1 else "")

    above = "·".join(power(base, exponent) for base, exponent in dimension if exponent > 0)
    below = "·".join(power(base, -exponent) for base, exponent in dimension if exponent < 0)
    if not below:
        return above
    return f"{above or '1'}/{below if below.count('·') == 0 else f'({below})'}"


class UnitMismatch(Exception):
    """``+`` or ``-`` between terms of different dimensions."""

    def __init__(self, operator: Token, left: Dimension, right: Dimension) -> None:
        super().__init__(operator.text)
        self.operator = operator
        self.left = left
        self.right = right


def dimension_of(tree: Expr, units: Mapping[str, Dimension]) -> Dimension:
    """The dimension a formula yields; ``units`` maps each id term to its dimension."""
    if isinstance(tree, Num):
        return DIMENSIONLESS
    if isinstance(tree, Ref):
        return units[tree.id]
    if isinstance(tree, Neg):
        return dimension_of(tree.operand, units)
    result = dimension_of(tree.first, units)
    for operator, operand in tree.rest:
        right = dimension_of(operand, units)
        if operator.text in "+-":
            if right != result:
                raise UnitMismatch(operator, result, right)
        else:
            result = _combine(result, right, 1 if operator.text == "*" else -1)
    return result


# -- exact evaluation ---------------------------------------------------------------------------


class DivisionByZero(Exception):
    """The divisor after ``operator`` evaluates to zero."""

    def __init__(self, operator: Token) -> None:
        super().__init__(operator.text)
        self.operator = operator


@contextlib.contextmanager
def exact_arithmetic() -> Iterator[decimal.Context]:
    """A decimal context for formula arithmetic: 60 digits (31-digit targets stay exact), and
    overflow raises ``decimal.Overflow`` (callers skip absurd magnitudes)."""
    with decimal.localcontext() as context:
        context.prec = 60
        context.traps[decimal.Overflow] = True
        context.traps[decimal.InvalidOperation] = True
        yield context


def evaluate(tree: Expr, values: Mapping[str, Decimal]) -> Decimal:
    """The formula's exact value; raises :class:`DivisionByZero`, and ``decimal.Overflow`` for
    absurd magnitudes (the caller skips those)."""
    with exact_arithmetic():
        return _evaluate(tree, values)


def _evaluate(tree: Expr, values: Mapping[str, Decimal]) -> Decimal:
    if isinstance(tree, Num):
        return tree.value
    if isinstance(tree, Ref):
        return values[tree.id]
    if isinstance(tree, Neg):
        value = _evaluate(tree.operand, values)
        return -value if tree.negative else value
    result = _evaluate(tree.first, values)
    for operator, operand in tree.rest:
        right = _evaluate(operand, values)
        if operator.text == "+":
            result += right
        elif operator.text == "-":
            result -= right
        elif operator.text == "*":
            result *= right
        elif right == 0:
            raise DivisionByZero(operator)
        else:
            result /= right
    return result


def scalar_decimal(record: EntityRecord[Entity], name: str, value: float) -> Decimal:
    """A numeric field (``target``, or a dotted path such as ``actual.value``) as an exact
    decimal: from its source text when that is a plain decimal numeral of the same value (``0.1``
    stays 0.1), else from the parsed float."""
    node: Node | None = record.node
    for part in name.split("."):
        if not isinstance(node, MappingNode):
            break  # a number written for a mapping (``baseline: 150``) is its own value
        pair = node.get(part)
        node = pair[1] if pair else None
    if isinstance(node, ScalarNode):
        try:
            exact = Decimal(node.text.replace("_", ""))
        except decimal.InvalidOperation:
            exact = None
        if exact is not None and exact.is_finite() and float(exact) == value:
            return exact
    return Decimal(repr(value))


def show_number(value: Decimal) -> str:
    """A decimal as people write it: ``72,000,000``, ``0.25``, ``33.33`` (rounded to 2 places,
    or 4 significant digits below 1). Exact at any magnitude: rounding to 2 places gets the
    digits it needs."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    if abs(value) >= 1:
        with decimal.localcontext() as context:
            context.prec = max(context.prec, value.adjusted() + 3)
            shown = value.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_EVEN)
    else:
        shown = Decimal(f"{value:.4g}")
    text = f"{shown:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
