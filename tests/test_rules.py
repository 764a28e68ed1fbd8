"""The scheme's rules, evaluated in Python (the same rules become the template's formulas)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfxl.scheme import load_scheme, parse_scheme, rules

D = Decimal
STANDARD = load_scheme("standard")
amounts = st.decimals(min_value=D("0.01"), max_value=D(100000), places=2, allow_nan=False)
weights = st.decimals(min_value=1, max_value=40, places=1, allow_nan=False)


def rate(executed, budget, scheme=STANDARD):
    return rules.compute(rules.execution_rate(scheme), executed=executed, budget=budget, initial=None)


def budget_score(value, scheme=STANDARD):
    return rules.compute(rules.budget_score(scheme), rate=value, weight=scheme.budget_weight)


def reference(op, target, actual, weight, direction="higher", scheme=STANDARD):
    return rules.compute(rules.reference_score(scheme, direction), op=op, target=target, actual=actual,
                         weight=weight)


def test_budget_execution_from_the_seeds():
    assert rate(D("642.01"), D("642.01")) == 1  # seed 003
    assert budget_score(rate(D("642.01"), D("642.01"))) == 10
    assert rate(D("2659.40"), D("3663.27")) == D("0.7260")  # seed 002: 72.60%
    assert budget_score(rate(D("2659.40"), D("3663.27"))) == D("7.26")


def test_no_budget_gives_no_rate():
    assert rate(D(5), D(0)) == ""
    assert rate(D(5), None) == ""
    assert rate(None, D(5)) == ""
    assert budget_score("") == ""


@given(amounts, amounts)
def test_budget_score_is_capped_and_monotone(executed, budget):
    r = rate(executed, budget)
    score = budget_score(r)
    assert D(0) <= score <= STANDARD.budget_weight
    if executed >= budget:
        assert score == STANDARD.budget_weight
    assert abs(r - executed / budget) <= D("0.00005")


@given(amounts, amounts, weights)
def test_higher_is_better(target, actual, weight):
    score = reference("≥", target, actual, weight)
    assert D(0) <= score <= weight
    if actual >= target:
        assert score == weight
    else:
        assert abs(score - actual / target * weight) <= D("0.005")


@given(amounts, amounts, weights)
def test_lower_is_better(target, actual, weight):
    score = reference("≤", target, actual, weight)
    assert D(0) <= score <= weight
    if actual <= target:
        assert score == weight
    else:
        assert abs(score - target / actual * weight) <= D("0.005")


def test_cost_indicator_of_seed_003_ratio_and_linear_penalty():
    # target 476.74万元, actual 642.01万元, weight 20: 14.85 by ratio, 13.07 by linear penalty.
    assert reference("≤", D("476.74"), D("642.01"), D(20), "lower") == D("14.85")
    assert reference("", D("476.74"), D("642.01"), D(20), "lower") == D("14.85")  # blank op in a cost group
    linear = parse_scheme(STANDARD.source.replace(
        'lower_is_better = "IF(actual <= target, weight, ROUND(target / actual * weight, 2))"',
        'lower_is_better = "IF(actual <= target, weight, ROUND(MAX(0, 1 - (actual - target) / target) * weight, 2))"'))
    assert reference("≤", D("476.74"), D("642.01"), D(20), "lower", linear) == D("13.07")
    assert reference("≤", D(100), D(300), D(20), "lower", linear) == 0  # floored at 0


def test_operator_overrides_group_direction():
    assert reference("≥", D(5), D(4), D(5), "lower") == 4
    assert reference("", D(5), D(4), D(5), "higher") == 4
    assert reference("", D(5), D(4), D(5), "lower") == 5


def test_qualitative_and_incomplete_rows_have_no_reference():
    assert reference("定性", "提升", "提升", D(5)) == ""
    assert reference("≥", "提升", D(5), D(5)) == ""
    assert reference("≥", D(5), None, D(5)) == ""
    assert reference("≥", D(0), D(3), D(5)) == ""  # no positive target, no ratio


@pytest.mark.parametrize(("total", "grade"), [
    (D(100), "优"), (D(90), "优"), (D("89.99"), "良"), (D(80), "良"), (D("79.995"), "中"),
    (D(60), "中"), (D("59.99"), "差"), (D(0), "差")])
def test_grade_bands(total, grade):
    assert rules.compute(rules.grade(STANDARD), total=total) == grade


@given(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False),
       st.decimals(min_value=0, max_value=100, places=2, allow_nan=False))
def test_grades_are_monotone(a, b):
    order = [band.label for band in STANDARD.grades]
    ga = rules.compute(rules.grade(STANDARD), total=a)
    gb = rules.compute(rules.grade(STANDARD), total=b)
    if a <= b:
        assert order.index(ga) >= order.index(gb)


def test_local_grade_bands_from_a_scheme_file():
    text = STANDARD.source.replace("label = \"良\"\nmin = 80", "label = \"良\"\nmin = 75")
    assert rules.compute(rules.grade(parse_scheme(text)), total=D(76)) == "良"


def test_qualitative_bands():
    band = rules.qualitative_band(STANDARD, "达成年度指标")
    assert rules.band_limits(band, D(5)) == (D(4), D(5))
    band = rules.qualitative_band(STANDARD, "部分达成年度指标并具有一定效果")
    assert rules.band_limits(band, D(10)) == (D(6), D(8))
