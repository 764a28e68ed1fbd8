"""The rule language: one text, an Excel formula and a Python value."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfxl.scheme import expr

D = Decimal


def test_renders_excel_formula_with_cells():
    rule = expr.parse("IF(actual >= target, weight, ROUND(actual / target * weight, 2))")
    assert expr.to_excel(rule, {"actual": "G9", "target": "E9", "weight": "H9"}) == \
        "IF(G9>=E9,H9,ROUND(G9/E9*H9,2))"
    assert rule.names == {"actual", "target", "weight"}


def test_brackets_kept_where_they_matter():
    cells = {"a": "A1", "b": "B1", "c": "C1"}
    assert expr.to_excel(expr.parse("a - (b - c)"), cells) == "A1-(B1-C1)"
    assert expr.to_excel(expr.parse("a / (b * c)"), cells) == "A1/(B1*C1)"
    assert expr.to_excel(expr.parse("(a + b) * c"), cells) == "(A1+B1)*C1"
    assert expr.to_excel(expr.parse("a + b * c"), cells) == "A1+B1*C1"
    assert expr.to_excel(expr.parse('IF(a == "", "", -a)'), cells) == 'IF(A1="","",-A1)'
    assert expr.to_excel(expr.parse("(1 - (a - b) / b) * c"), cells) == "(1-(A1-B1)/B1)*C1"


@given(st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False),
       st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False),
       st.decimals(min_value=1, max_value=1000, places=2, allow_nan=False))
def test_evaluation_follows_arithmetic(a, b, c):
    values = {"a": a, "b": b, "c": c}
    assert expr.evaluate(expr.parse("a - (b - c)"), values) == a - (b - c)
    assert expr.evaluate(expr.parse("(a + b) * c"), values) == (a + b) * c
    assert expr.evaluate(expr.parse("a / c"), values) == a / c
    assert expr.evaluate(expr.parse("MIN(a, b)"), values) == min(a, b)
    assert expr.evaluate(expr.parse("IF(a >= b, 1, 0)"), values) == (1 if a >= b else 0)


def test_if_evaluates_only_the_branch_taken():
    rule = expr.parse('IF(b > 0, a / b, "")')
    assert expr.evaluate(rule, {"a": D(1), "b": D(0)}) == ""
    with pytest.raises(expr.ExprError):
        expr.evaluate(expr.parse("a / b"), {"a": D(1), "b": D(0)})


def test_blank_and_text_behave_like_excel():
    assert expr.evaluate(expr.parse("ISNUMBER(a)"), {"a": ""}) is False
    assert expr.evaluate(expr.parse('a == ""'), {"a": ""}) is True
    assert expr.evaluate(expr.parse("a > 0"), {"a": "提升"}) is True  # text sorts above numbers
    assert expr.evaluate(expr.parse("a + 1"), {"a": ""}) == 1  # blank counts as 0


@pytest.mark.parametrize("text", [
    "__import__('os')", "a.b", "a[0]", "lambda: 1", "SUMPRODUCT(a)", "a if b else c", "1 < a < 2",
    "IF(a, b, c, d=1)", "[a]", "a ** 2",
])
def test_rejects_anything_outside_the_language(text):
    with pytest.raises(expr.ExprError):
        expr.parse(text)
