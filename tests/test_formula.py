"""KGI formulas: the parser (unit tests), and T401-T403, E005 on terms and formula edges (CLI)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kpilint.build import build_spec_file
from kpilint.formula import (
    DIMENSIONLESS,
    MAX_DEPTH,
    Dimension,
    DivisionByZero,
    Formula,
    FormulaSyntaxError,
    UnitMismatch,
    dimension_of,
    evaluate,
    parse,
    show_dimension,
    show_number,
    tokenize,
    unit_dimension,
)
from kpilint.graph import ProjectGraph
from kpilint.load import Limits, parse_bytes
from tests.conftest import run_kpilint, write_files

SEED_FORMULA = "12 * leads * opportunity-rate * win-rate * avg-deal-size"

# -- parser -------------------------------------------------------------------------------------


def terms(text: str) -> list[str]:
    return [token.text for token in parse(text).terms]


def error(text: str) -> FormulaSyntaxError:
    with pytest.raises(FormulaSyntaxError) as caught:
        parse(text)
    return caught.value


def value(text: str, **values: str) -> Decimal:
    return evaluate(parse(text).tree, {key.replace("_", "-"): Decimal(number)
                                       for key, number in values.items()})


@pytest.mark.parametrize(("text", "expected"), [
    (SEED_FORMULA, ["leads", "opportunity-rate", "win-rate", "avg-deal-size"]),
    ("a-b", ["a-b"]),
    ("a - b", ["a", "b"]),
    ("avg-deal-size", ["avg-deal-size"]),
    ("-a", ["a"]),
    ("- - a * -b", ["a", "b"]),
    ("1.5 * x + 12", ["x"]),
    ("12", []),
    ("nan + inf", ["nan", "inf"]),
    ("q3.rev_total / 2", ["q3.rev_total"]),
    ("1.5.2 + 12a", ["1.5.2", "12a"]),
    ("12*leads/(a-b)", ["leads", "a-b"]),
    ("(a)\n  * b\t+ c", ["a", "b", "c"]),
    ("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH, ["a"]),
])
def test_parser_accepts(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_tokens_numbers_and_longest_ids() -> None:
    assert [(token.kind, token.text, token.column) for token in tokenize("12 * a-b - 1.5")] == [
        ("number", "12", 1), ("op", "*", 4), ("id", "a-b", 6), ("op", "-", 10),
        ("number", "1.5", 12), ("end", "", 15)]
    assert [token.kind for token in tokenize("12. 007 1e5")][:3] == ["id", "number", "id"]


@pytest.mark.parametrize(("text", "message", "column"), [
    ("__import__('os')", "unexpected character '_' at column 1 of the formula; a formula holds"
     " only ids, numbers, + - * / and parentheses", 1),
    ("f(x)", "unexpected '(' at column 2 of the formula; expected an operator (+ - * /) or the"
     " end of the formula (formulas have no functions: 'f(' is not allowed)", 2),
    ("a ** 2", "unexpected '*' at column 4 of the formula; expected a number, an id or '('"
     " (there is no power operator '**': write the product out)", 4),
    ("a % b", "unexpected character '%' at column 3 of the formula; a formula holds only ids,"
     " numbers, + - * / and parentheses", 3),
    ("12 * leads * )", "unexpected ')' at column 14 of the formula; expected a number, an id"
     " or '('", 14),
    ("(a + b", "the formula ends too early (after column 6); expected ')' to close the '(' at"
     " column 1", 7),
    ("a + b)", "unexpected ')' at column 6 of the formula; expected an operator (+ - * /) or the"
     " end of the formula (no '(' is open)", 6),
    ("(a + b))", "unexpected ')' at column 8", 8),
    ("a +", "the formula ends too early (after column 3); expected a number, an id or '('", 4),
    ("a b", "unexpected 'b' at column 3 of the formula; expected an operator (+ - * /) or the"
     " end of the formula (write multiplication as '*')", 3),
    ("+a", "unexpected '+' at column 1 of the formula; expected a number, an id or '(' (there"
     " is no unary '+')", 1),
    ("a == b", "unexpected character '=' at column 3", 3),
    ("a; b", "unexpected character ';' at column 2", 2),
    ("lambda: 1", "unexpected character ':' at column 7", 7),
    ("a.b()", "unexpected '(' at column 4", 4),
    ("revenue \u00d7 2", "unexpected character '\u00d7' at column 9", 9),
    ("()", "unexpected ')' at column 2 of the formula; expected a number, an id or '('", 2),
])
def test_parser_rejects(text: str, message: str, column: int) -> None:
    problem = error(text)
    assert problem.message.startswith(message)
    assert problem.token is not None
    assert problem.token.column == column


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_formula(text: str) -> None:
    problem = error(text)
    assert problem.message == "the formula is empty; expected arithmetic over KPI ids and numbers"
    assert problem.token is None


def test_parentheses_at_most_64_deep() -> None:
    problem = error("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    assert problem.message == "parentheses nested more than 64 deep at column 65 of the formula"


def test_3000_nested_parentheses_is_a_syntax_error_not_recursion_error() -> None:
    problem = error("(" * 3000 + "a" + ")" * 3000)
    assert "nested more than 64 deep" in problem.message
    assert "nested more than 64 deep" in error("(" * 3000).message


def test_long_chains_do_not_recurse() -> None:
    assert value(" + ".join(["1"] * 5000)) == 5000
    assert value(" * ".join(["1"] * 5000)) == 1
    assert value("-" * 3001 + "2") == -2
    assert value("- " * 3000 + "2") == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("a - b", "1"),
    ("a-b", "7"),  # one id
    ("-a * 2", "-6"),
    ("2 * -a", "-6"),
    ("a - b - 1", "0"),
    ("a / b / 3", "0.5"),
    ("1 + 2 * 3", "7"),
    ("(1 + 2) * 3", "9"),
    ("0.1 + 0.2", "0.3"),
    ("1.5 * 12", "18"),
])
def test_evaluation_is_exact_and_follows_precedence(text: str, expected: str) -> None:
    assert value(text, a="3", b="2", a_b="7") == Decimal(expected)


def test_division_by_zero_is_reported_not_raised_as_decimal_error() -> None:
    with pytest.raises(DivisionByZero) as caught:
        value("a / (b - 2)", a="1", b="2")
    assert caught.value.operator.column == 3


# -- units --------------------------------------------------------------------------------------

JPY: Dimension = (("JPY", 1),)
DAYS: Dimension = (("days", 1),)
HOURS: Dimension = (("hours", 1),)


@pytest.mark.parametrize(("unit", "dimension"), [
    ("count", DIMENSIONLESS), ("percent", DIMENSIONLESS), ("ratio", DIMENSIONLESS),
    ("score", DIMENSIONLESS), ("JPY", JPY), ("USD", (("USD", 1),)), ("days", DAYS),
    ("hours", HOURS), ("seconds", (("seconds", 1),)), ("minutes", (("minutes", 1),)),
    ("jpy", None), ("JPY/hour", None), ("visits", None), ("Count", None), ("EURO", None),
    (None, None),
])
def test_unit_dimension(unit: str | None, dimension: Dimension | None) -> None:
    assert unit_dimension(unit) == dimension


UNITS = {"n": DIMENSIONLESS, "rate": DIMENSIONLESS, "price": JPY, "cost": JPY, "usd": (
    ("USD", 1),), "d": DAYS, "h": HOURS}


@pytest.mark.parametrize(("text", "shown"), [
    ("12 * n * rate * price", "JPY"),
    ("n * rate", "a plain number"),
    ("price * d", "JPY·days"),
    ("price / h", "JPY/hours"),
    ("1 / d", "1/days"),
    ("price * d * d", "JPY·days²"),
    ("price / (h * d)", "JPY/(days·hours)"),
    ("price / d * d", "JPY"),
    ("price / price", "a plain number"),
    ("price + cost", "JPY"),
    ("price - cost * 2", "JPY"),
    ("-price", "JPY"),
    ("n + 12", "a plain number"),
    ("price * usd", "JPY·USD"),
])
def test_unit_algebra(text: str, shown: str) -> None:
    assert show_dimension(dimension_of(parse(text).tree, UNITS)) == shown


@pytest.mark.parametrize(("text", "column", "left", "right"), [
    ("price + d", 7, "JPY", "days"),
    ("price - n", 7, "JPY", "a plain number"),
    ("n * price - h * price", 11, "JPY", "JPY·hours"),
    ("price + usd", 7, "JPY", "USD"),
    ("h + d", 3, "hours", "days"),
])
def test_unit_algebra_mismatch(text: str, column: int, left: str, right: str) -> None:
    with pytest.raises(UnitMismatch) as caught:
        dimension_of(parse(text).tree, UNITS)
    mismatch = caught.value
    assert (mismatch.operator.column, show_dimension(mismatch.left),
            show_dimension(mismatch.right)) == (column, left, right)


@pytest.mark.parametrize(("number", "shown"), [
    ("72000000.00", "72,000,000"), ("0.25", "0.25"), ("1234567.891", "1,234,567.89"),
    ("-5000", "-5,000"), ("0", "0"),
])
def test_show_number(number: str, shown: str) -> None:
    assert show_number(Decimal(number)) == shown


# -- the rules through the CLI ------------------------------------------------------------------

SEED = """\
version: 1
kgis:
  - id: revenue-fy26
    name: Annual recognised revenue
    unit: JPY
    baseline: 80000000
    target: 100000000
    direction: increase
    formula: {formula}
ksfs:
  - id: win-more
    name: Win more deals
    supports: revenue-fy26
kpis:
  - id: leads
    name: Marketing qualified leads per month
    supports: win-more
    unit: count
    target: 200
  - id: opportunity-rate
    name: Lead to opportunity rate
    supports: win-more
    unit: percent
    target: 30
  - id: win-rate
    name: Opportunity win rate
    supports: win-more
    unit: percent
    target: {win_rate}
  - id: avg-deal-size
    name: Average deal size
    supports: win-more
    unit: JPY
    target: 500000
"""


def seed(win_rate: str = "20", formula: str = SEED_FORMULA) -> str:
    return SEED.format(win_rate=win_rate, formula=formula)


def diagnostics(root: Path, select: str, *args: str) -> list[dict[str, object]]:
    run = run_kpilint("check", "--select", select, "--output-format", "json", "--exit-zero",
                      *args, cwd=root)
    assert run.code == 0, run.stderr
    found: list[dict[str, object]] = run.json()["diagnostics"]
    return found


def where(found: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(d["code"], d["line"], d["column"], d["end_line"], d["end_column"]) for d in found]


def test_t403_seed_tree_falls_short(project: Path) -> None:
    write_files(project, {"revenue.kpi.yaml": seed()})
    [finding] = diagnostics(project, "T")
    assert finding["message"] == (
        "KPI targets reach 72,000,000 JPY; the KGI target is 100,000,000 JPY"
        " (28,000,000 JPY short)")
    assert where([finding]) == [("T403", 9, 14, 9, 70)]
    assert (finding["subject"], finding["field"], finding["severity"]) == (
        "revenue-fy26", "formula", "warning")
    related = finding["related"]
    assert isinstance(related, list)
    assert [(item["line"], item["message"]) for item in related] == [
        (19, "KPI 'leads' target 200 count"), (24, "KPI 'opportunity-rate' target 30%"),
        (29, "KPI 'win-rate' target 20%"), (34, "KPI 'avg-deal-size' target 500,000 JPY")]


def test_t403_seed_tree_with_win_rate_50_reaches_the_goal(project: Path) -> None:
    write_files(project, {"revenue.kpi.yaml": seed(win_rate="50")})
    assert diagnostics(project, "T,E005") == []


def test_t403_exactly_reaching_the_target_is_fine(project: Path) -> None:
    write_files(project, {"r.kpi.yaml": seed().replace("target: 100000000", "target: 72000000")})
    assert diagnostics(project, "T403") == []
    write_files(project, {"r.kpi.yaml": seed().replace("target: 100000000",
                                                       "target: 72000000.01")})
    [finding] = diagnostics(project, "T403")
    assert finding["message"] == (
        "KPI targets reach 72,000,000 JPY; the KGI target is 72,000,000.01 JPY (0.01 JPY short)")


def test_t403_terms_in_another_file_and_named_file_only(project: Path) -> None:
    company, team = seed().split("ksfs:\n")
    write_files(project, {"company.kpi.yaml": company,
                          "team.kpi.yaml": "version: 1\nksfs:\n" + team})
    found = diagnostics(project, "T403", "team.kpi.yaml")
    assert [(d["path"], d["code"], d["line"]) for d in found] == [
        ("company.kpi.yaml", "T403", 9)]


DECREASE = """\
version: 1
kgis:
  - id: support-cost
    name: Annual support cost
    unit: JPY
    baseline: 7000000
    target: 5000000
{direction}    formula: hours * hourly-rate
kpis:
  - id: hours
    name: Support hours per year
    unit: hours
    target: {hours}
  - id: hourly-rate
    name: Loaded cost of a support hour
    unit: JPY/hour
    target: 5000
"""


@pytest.mark.parametrize("direction", ["    direction: decrease\n", ""])
def test_t403_decrease_direction(project: Path, direction: str) -> None:
    write_files(project, {"cost.kpi.yaml": DECREASE.format(direction=direction, hours="1200")})
    [finding] = diagnostics(project, "T")
    assert finding["code"] == "T403"
    assert finding["message"] == (
        "KPI targets reach 6,000,000 JPY; the KGI target is 5,000,000 JPY (1,000,000 JPY above"
        " it, and KGI 'support-cost' is to decrease)")
    write_files(project, {"cost.kpi.yaml": DECREASE.format(direction=direction, hours="960")})
    assert diagnostics(project, "T") == []


def test_t403_skips_maintain_missing_targets_and_unknown_direction(project: Path) -> None:
    write_files(project, {
        "maintain.kpi.yaml": DECREASE.format(direction="    direction: maintain\n", hours="1200"),
    })
    assert diagnostics(project, "T403") == []
    no_target = DECREASE.format(direction="", hours="1200").replace("    target: 5000\n", "")
    write_files(project, {"maintain.kpi.yaml": no_target})
    assert diagnostics(project, "T403") == []
    no_baseline = DECREASE.format(direction="", hours="1200").replace(
        "    baseline: 7000000\n", "")
    write_files(project, {"maintain.kpi.yaml": no_baseline})
    assert diagnostics(project, "T403") == []


def test_t403_exact_decimals_and_percent_kgi(project: Path) -> None:
    spec = """\
    version: 1
    kgis:
      - id: margin
        name: Gross margin rate
        unit: percent
        baseline: 20
        target: 30.1
        formula: gross / revenue
    kpis:
      - id: gross
        name: Gross profit
        unit: JPY
        target: 0.301
      - id: revenue
        name: Revenue
        unit: JPY
        target: {revenue}
    """
    write_files(project, {"m.kpi.yaml": spec.format(revenue="1")})
    assert diagnostics(project, "T") == []  # 0.301 / 1 is exactly 30.1%
    write_files(project, {"m.kpi.yaml": spec.format(revenue="1.01")})
    [finding] = diagnostics(project, "T")
    assert finding["message"] == (
        "KPI targets reach about 29.8%; the KGI target is 30.1% (about 0.298% short)")


def test_t403_division_by_zero_is_a_clear_finding(project: Path) -> None:
    spec = DECREASE.format(direction="", hours="0").replace(
        "hours * hourly-rate", "hourly-rate / hours")
    write_files(project, {"cost.kpi.yaml": spec})
    [finding] = diagnostics(project, "T,X")
    assert finding["code"] == "T403"
    assert finding["message"] == (
        "on the KPI targets the formula divides by zero (the '/' at column 13 of the formula),"
        " so it cannot reach the KGI target: give the divisor a non-zero target or fix the"
        " formula")


def test_t402_formula_yields_another_unit(project: Path) -> None:
    spec = DECREASE.format(direction="", hours="1200").replace(
        "unit: JPY/hour", "unit: JPY")
    write_files(project, {"cost.kpi.yaml": spec})
    [finding] = diagnostics(project, "T")
    assert finding["code"] == "T402"
    assert finding["message"] == "formula yields JPY·hours but KGI 'support-cost' is in JPY"
    assert where([finding]) == [("T402", 8, 14, 8, 33)]
    related = finding["related"]
    assert isinstance(related, list)
    assert [item["message"] for item in related] == [
        "KPI 'hours' is in hours", "KPI 'hourly-rate' is in JPY"]


def test_t402_dropped_term_and_added_units(project: Path) -> None:
    write_files(project, {"r.kpi.yaml": seed(
        win_rate="50", formula="12 * leads * opportunity-rate * win-rate")})
    [finding] = diagnostics(project, "T")
    assert finding["message"] == (
        "formula yields a plain number but KGI 'revenue-fy26' is in JPY")
    write_files(project, {"r.kpi.yaml": seed(
        win_rate="50", formula="avg-deal-size * 12 + leads")})
    [finding] = diagnostics(project, "T402")
    assert finding["message"] == (
        "the formula adds JPY and a plain number (the '+' at column 20 of the formula): terms"
        " added or subtracted must share a unit")


NRR = """\
version: 1
kgis:
  - id: nrr
    name: Net revenue retention
    unit: {kgi_unit}
    formula: {formula}
kpis:
  - id: expansion
    name: Expansion revenue rate
    unit: percent
  - id: churn
    name: Revenue churn rate
    unit: percent
  - id: accounts
    name: Active accounts
    unit: count
"""


def t402_messages(project: Path, formula: str, kgi_unit: str = "percent") -> list[str]:
    write_files(project, {"nrr.kpi.yaml": NRR.format(formula=formula, kgi_unit=kgi_unit)})
    found = diagnostics(project, "T402")
    assert {(d["line"], d["column"], d["field"], d["subject"]) for d in found} <= {
        (6, 14, "formula", "nrr")}
    return [str(d["message"]) for d in found]


def percent_scale(number: str, column: int, term: str, write: str) -> str:
    return (f"the number {number} at column {column} of the formula is added to or subtracted"
            f" from percent KPI '{term}', which enters a formula as value/100 (40% is 0.4):"
            f" write {write} for {number}%")


@pytest.mark.parametrize(("formula", "messages"), [
    ("100 + expansion - churn", [percent_scale("100", 1, "expansion", "1")]),
    ("expansion - churn + 100", [percent_scale("100", 21, "expansion", "1")]),
    ("-100 + expansion", [percent_scale("100", 2, "expansion", "1")]),
    ("(100 - (churn + expansion)) * 2", [percent_scale("100", 2, "churn", "1")]),
    ("100 + expansion - 5 - churn", [percent_scale("100", 1, "expansion", "1"),
                                     percent_scale("5", 19, "expansion", "0.05")]),
    ("1 + expansion - churn", []),
    ("0.5 + expansion", []),
    ("0 + expansion - churn", []),
    ("100 * expansion", []),
    ("100 - accounts", []),
    ("100 - accounts * churn", []),
])
def test_t402_number_on_the_percent_scale(project: Path, formula: str,
                                          messages: list[str]) -> None:
    assert t402_messages(project, formula) == messages


def test_t402_percent_scale_is_checked_even_when_units_are_not(project: Path) -> None:
    write_files(project, {"nrr.kpi.yaml": NRR.format(formula="100 + expansion - churn",
                                                      kgi_unit="net-retention")})
    [finding] = diagnostics(project, "T402")
    assert finding["message"] == percent_scale("100", 1, "expansion", "1")
    assert [(r["line"], r["message"]) for r in finding["related"]] == [
        (10, "KPI 'expansion' is in percent")]
    assert t402_messages(project, "100 + expansion - churn", kgi_unit="JPY") == [
        percent_scale("100", 1, "expansion", "1"),
        "formula yields a plain number but KGI 'nrr' is in JPY"]


def test_t402_skips_free_and_missing_units(project: Path) -> None:
    write_files(project, {"cost.kpi.yaml": DECREASE.format(direction="", hours="960")})
    assert diagnostics(project, "T402") == []  # JPY/hour is a free unit
    write_files(project, {"r.kpi.yaml": seed(win_rate="50").replace("    unit: count\n", "")})
    assert diagnostics(project, "T402") == []


def test_t401_at_the_token_of_a_plain_formula(project: Path) -> None:
    write_files(project, {"r.kpi.yaml": seed(formula="12 * leads * max(win-rate, 1)")})
    [finding] = diagnostics(project, "T,E005")
    assert finding["message"] == (
        "`formula` of KGI 'revenue-fy26': unexpected '(' at column 17 of the formula; expected"
        " an operator (+ - * /) or the end of the formula (formulas have no functions: 'max('"
        " is not allowed)")
    assert where([finding]) == [("T401", 9, 30, 9, 31)]
    assert (finding["subject"], finding["field"], finding["severity"]) == (
        "revenue-fy26", "formula", "error")


@pytest.mark.parametrize(("formula", "span"), [
    ("\"__import__('os')\"", (9, 14, 9, 32)),
    ("'12 * ** leads'", (9, 14, 9, 29)),
    ("|\n      12 * leads\n      * %", (9, 14, 12, 1)),
    ("\"\"", (9, 14, 9, 16)),
])
def test_t401_at_the_value_of_a_quoted_or_block_formula(
        project: Path, formula: str, span: tuple[int, int, int, int]) -> None:
    write_files(project, {"r.kpi.yaml": seed(formula=formula)})
    found = diagnostics(project, "T,E005")
    assert where(found) == [("T401", *span)]


def test_t401_anchor_before_a_plain_formula(project: Path) -> None:
    write_files(project, {"r.kpi.yaml": seed(formula="&f 12 * leads %")})
    assert where(diagnostics(project, "T401")) == [("T401", 9, 28, 9, 29)]


def test_t401_3000_nested_parentheses_in_a_file(project: Path) -> None:
    write_files(project, {"r.kpi.yaml": seed(formula="(" * 3000 + "leads" + ")" * 3000)})
    found = diagnostics(project, "T,X,E")
    assert [(d["code"], d["column"]) for d in found] == [("T401", 14 + MAX_DEPTH)]
    assert "nested more than 64 deep" in str(found[0]["message"])


def test_e005_on_a_formula_term_at_the_token(project: Path) -> None:
    write_files(project, {"r.kpi.yaml": seed(formula="12 * leeds * win-more * win-rate")})
    found = diagnostics(project, "E005,T")
    assert where(found) == [("E005", 9, 19, 9, 24), ("E005", 9, 27, 9, 35)]
    unknown, wrong_kind = found
    assert unknown["message"] == (
        "`formula` of KGI 'revenue-fy26' names 'leeds', which is not defined in the project"
        " (did you mean 'leads'?)")
    assert (unknown["subject"], unknown["field"]) == ("revenue-fy26", "formula")
    assert unknown["fix"] == {"message": "Replace with 'leads'", "applicability": "safe",
                              "edits": [
        {"line": 9, "column": 19, "end_line": 9, "end_column": 24, "text": "leads"}]}
    assert str(wrong_kind["message"]).startswith(
        "`formula` of KGI 'revenue-fy26' must name a KPI; 'win-more' is a KSF")


def test_e005_on_a_quoted_formula_is_at_the_value_without_fix(project: Path) -> None:
    write_files(project, {"r.kpi.yaml": seed(formula='"12 * leeds"')})
    [finding] = diagnostics(project, "E005")
    assert where([finding]) == [("E005", 9, 14, 9, 26)]
    assert finding["fix"] is None


def test_e005_hints_at_subtraction_without_spaces(project: Path) -> None:
    write_files(project, {"r.kpi.yaml": seed(formula="avg-deal-size-12")})
    [finding] = diagnostics(project, "E005")
    assert str(finding["message"]).endswith(
        "(to subtract, put spaces around '-': `avg-deal-size - 12`)")


def test_formula_edges_do_not_count_for_reaches(project: Path) -> None:
    spec = seed(win_rate="50").replace("    supports: win-more\n    unit: JPY\n",
                                       "    unit: JPY\n")
    write_files(project, {"r.kpi.yaml": spec})
    found = diagnostics(project, "G102,E005,T")
    assert [(d["code"], d["subject"]) for d in found] == [("G102", "avg-deal-size")]


def test_formula_only_kgi_is_unmeasured(project: Path) -> None:
    spec = seed(win_rate="50").replace("    supports: win-more\n", "")
    write_files(project, {"r.kpi.yaml": spec})
    found = diagnostics(project, "G102,G103")
    assert sorted(str(d["code"]) for d in found) == ["G102"] * 4 + ["G103"]


def test_graph_has_formula_edges_outside_the_supports_graph() -> None:
    spec = build_spec_file("r.kpi.yaml", parse_bytes(seed().encode(), Limits()))
    graph = ProjectGraph([spec])
    formula_edges = sorted(
        (source, target) for source, target, data in graph.graph.edges(data=True)
        if data["kind"] == "formula")
    assert formula_edges == [("revenue-fy26", kpi) for kpi in sorted(
        ["leads", "opportunity-rate", "win-rate", "avg-deal-size"])]
    assert not any(graph.supports_graph.has_edge(*edge) for edge in formula_edges)
    assert isinstance(graph.formulas["revenue-fy26"], Formula)
    assert [kpi.id for kpi in graph.formula_terms("revenue-fy26") or []] == [
        "leads", "opportunity-rate", "win-rate", "avg-deal-size"]
    assert graph.kpis_reaching["revenue-fy26"] != []
    assert [reference.target_id for reference in graph.references
            if reference.field == "formula"] == [
        "leads", "opportunity-rate", "win-rate", "avg-deal-size"]
