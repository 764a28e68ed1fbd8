"""Provincial rules as scheme options (issue 19 part 2): each on both sides of its threshold.

Every option is data in a scheme file; rules.py turns it into one expr.Rule, which the template
renders as a formula and the reconciliation evaluates. The property tests check both readings:
the rule evaluated directly and the rendered Excel formula, read back into the formula language
and evaluated, give the same value.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import LUSONG_2024
from tables import table_from_sample

from perfxl.checking.tables import check_table
from perfxl.scheme import SchemeError, expr, load_scheme, parse_scheme, rules
from perfxl.template.layout import build_layout

EXAMPLES = Path(__file__).resolve().parent.parent / "templates" / "schemes" / "examples"
STANDARD = load_scheme("standard")
CAP = load_scheme(EXAMPLES / "execution_cap.toml")
DEDUCTION = load_scheme(EXAMPLES / "overshoot_deduction.toml")
REASONS = load_scheme(EXAMPLES / "deviation_reasons.toml")
BANDS = load_scheme(EXAMPLES / "grade_bands.toml")
STRICT = load_scheme(EXAMPLES / "grade_strict.toml")
D = Decimal


def with_rules(extra: str, scheme=STANDARD) -> str:
    """The scheme's text with ``extra`` lines added to its [rules] table."""
    return scheme.source.replace("gap_threshold = 0.05\n", "gap_threshold = 0.05\n" + extra + "\n", 1)


# --- Excel formula → formula language, to evaluate what the template really contains --------------

_TOKEN = re.compile(r'"[^"]*"|<>|>=|<=|=|[A-Z]+[0-9]+|.', re.S)


def excel_back(formula: str, cells: dict[str, str]) -> expr.Rule:
    """Parse a rendered formula back into the formula language: cells become their names again."""
    names = {cell: name for name, cell in cells.items()}
    out = []
    for token in _TOKEN.findall(formula):
        if token.startswith('"'):
            out.append(token)
        elif token in ("=", "<>"):
            out.append({"=": "==", "<>": "!="}[token])
        elif token in names:
            out.append(names[token])
        else:
            out.append(token)
    return expr.parse("".join(out))


def both_readings(rule: expr.Rule, values: dict) -> tuple:
    cells = {name: f"Z{index + 1}" for index, name in enumerate(sorted(rule.names))}
    rendered = expr.to_excel(rule, cells)
    return expr.evaluate(rule, values), expr.evaluate(excel_back(rendered, cells), values)


# --- the shipped schemes keep today's behaviour -----------------------------------------------------


@pytest.mark.parametrize("name", ["standard", "classic"])
def test_shipped_schemes_have_every_option_off(name):
    r = load_scheme(name).rules
    assert (r.execution_caps, r.overshoot_deduction, r.reason_overshoot, r.reason_rate_below) == ((), None, None, None)
    assert r.indicator_rounding == "round"
    assert not any(band.open or band.max is not None for band in load_scheme(name).grades)
    assert rules.total(load_scheme(name)).text == "parts"


def test_standard_template_formulas_are_unchanged():
    layout = build_layout(STANDARD)
    assert layout.formulas[layout.total_score] == "SUM(L4,I21,I34,I38,I48)"
    assert "ROUNDDOWN" not in "".join(layout.formulas.values())
    assert layout.formulas[layout.grade].count('>=') == 3 and "MIN(" not in layout.formulas[layout.total_score]


def test_example_schemes_sit_outside_the_shipped_names():
    from perfxl.scheme import shipped_schemes

    assert set(shipped_schemes()) == {"standard", "classic"}
    assert sorted(p.stem for p in EXAMPLES.glob("*.toml")) == [
        "deviation_reasons", "execution_cap", "grade_bands", "grade_strict", "overshoot_deduction"]


# --- bad options are refused clearly ----------------------------------------------------------------


@pytest.mark.parametrize(("extra", "message"), [
    ("execution_caps = [{ below = 0.5, max_total = 59 }, { below = 0.8, max_total = 89 }]", "从高到低"),
    ("execution_caps = [{ below = 0.8, max_total = 59 }, { below = 0.5, max_total = 89 }]", "max_total 应越低"),
    ("execution_caps = [{ below = 80, max_total = 89 }]", "0 到 1"),
    ("execution_caps = [{ below = 0.8, max = 89 }]", "未知键"),
    ("execution_caps = [{ below = 0.8, max_total = 120 }]", "不能超过 100"),
    ("execution_caps = { below = 0.8, max_total = 89 }", "表的列表"),
    ("overshoot_deduction = { at = 130, points = 2 }", None),  # 130 × target: odd but valid (> 1)
    ("overshoot_deduction = { at = 0.3, points = 2 }", "应大于 1"),
    ("overshoot_deduction = { at = 1.3, points = 0 }", "points"),
    ("overshoot_deduction = 2", "at = 1.3"),
    ("deviation_reason_overshoot = 0.3", "应大于 1"),
    ("deviation_reason_rate_below = 90", "0 到 1"),
    ('indicator_rounding = "floor"', "round 或 truncate"),
])
def test_bad_rule_options_are_refused(extra, message):
    if message is None:
        parse_scheme(with_rules(extra))
        return
    with pytest.raises(SchemeError, match=message):
        parse_scheme(with_rules(extra))


def test_truncation_needs_a_round_to_truncate():
    text = with_rules('indicator_rounding = "truncate"').replace(
        "ROUND(actual / target * weight, 2)", "actual / target * weight").replace(
        "ROUND(target / actual * weight, 2)", "target / actual * weight")
    with pytest.raises(SchemeError, match="ROUND"):
        parse_scheme(text)


@pytest.mark.parametrize(("old", "new", "message"), [
    ('label = "优"\nmin = 90', 'label = "优"\nmin = 90\nabove = 90', "其中之一"),
    ('label = "差"\nmin = 0', 'label = "差"\nabove = 0', "min = 0"),
    ('label = "良"\nmin = 80', 'label = "良"\nmin = 80\nmax = 88', "min = 89"),
    ('label = "良"\nmin = 80', 'label = "良"\nmin = 80\nmax = 89.5', "整数分段"),
    ('label = "优"\nmin = 90', 'label = "优"\nabove = 90\nmax = 100', "整数分段"),
])
def test_bad_grade_bands_are_refused(old, new, message):
    assert old in STANDARD.source
    with pytest.raises(SchemeError, match=message):
        parse_scheme(STANDARD.source.replace(old, new, 1))


# --- execution caps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("rate", "parts", "total"), [
    ("0.8", "95", "95"), ("0.7999", "95", "89"),      # the 80% line
    ("0.7", "95", "89"), ("0.6999", "95", "79"),      # the 70% line
    ("0.5", "95", "79"), ("0.4999", "95", "59"),      # the 50% line
    ("0.75", "85", "85"),                             # under its cap: unchanged
    ("1.2", "100", "100"), ("0", "40", "40"),
])
def test_execution_cap_both_sides(rate, parts, total):
    assert rules.compute(rules.total(CAP), parts=D(parts), rate=D(rate)) == D(total)
    assert rules.compute(rules.total(STANDARD), parts=D(parts), rate=D(rate)) == D(parts)


def test_no_rate_no_cap():
    assert rules.compute(rules.total(CAP), parts=D(95), rate="") == 95


def _lusong(executed: str, **changes):
    """Seed 003 (rows add to 87 of 90) with the budget 100 and the given spending."""
    return replace(LUSONG_2024, initial="100", budget="100", executed=executed, **changes)


@pytest.mark.parametrize(("executed", "total", "grade", "capped"), [
    ("80", D("95"), "优", False),     # rate 80.00%: budget 8 + 87
    ("79.99", D("89"), "良", True),   # rate 79.99%: 8 + 87 = 95, capped at 89
])
def test_capped_total_and_its_grade_in_the_recomputation(executed, total, grade, capped):
    result, found = check_table(table_from_sample(_lusong(executed), CAP, total="95", grade="优"), CAP)
    assert (result.total, result.grade, result.parts_total) == (total, grade, D(95))
    mismatch = [f for f in found if f.code == "TOTAL_MISMATCH"]
    assert bool(mismatch) == capped
    if capped:
        assert mismatch[0].variant == "capped" and mismatch[0].expected == 89
        assert any(f.code == "GRADE_MISMATCH" for f in found)


@settings(max_examples=200, deadline=None)
@given(rate=st.integers(0, 12000).map(lambda n: D(n).scaleb(-4)),
       parts=st.integers(0, 10000).map(lambda n: D(n).scaleb(-2)))
def test_cap_rule_and_its_formula_agree(rate, parts):
    direct, rendered = both_readings(rules.total(CAP), {"parts": parts, "rate": rate})
    assert direct == rendered
    expected = parts if rate >= D("0.8") else min(parts, 89 if rate >= D("0.7") else 79 if rate >= D("0.5") else 59)
    assert direct == expected


# --- overshoot deduction ----------------------------------------------------------------------------


def _reference(scheme, op, target, actual, weight, direction="higher"):
    return rules.compute(rules.reference_score(scheme, direction), op=op, target=D(target), actual=D(actual),
                         weight=D(weight))


@pytest.mark.parametrize(("actual", "deducted"), [("130", "3"), ("129.99", "5"), ("200", "3"), ("100", "5")])
def test_deduction_both_sides_of_130_percent(actual, deducted):
    assert _reference(DEDUCTION, "≥", "100", actual, "5") == D(deducted)
    assert _reference(STANDARD, "≥", "100", actual, "5") == 5


def test_deduction_never_goes_below_zero_and_spares_lower_is_better():
    assert _reference(DEDUCTION, "≥", "10", "13", "1") == 0
    assert _reference(DEDUCTION, "≤", "10", "13", "6", "lower") == _reference(STANDARD, "≤", "10", "13", "6", "lower")
    assert _reference(DEDUCTION, "", "10", "3", "6", "lower") == 6  # a blank op in a cost group: lower


def test_a_full_self_score_at_130_percent_is_off_the_rule():
    sample = LUSONG_2024.with_row(1, actual="7")  # target ≥5场, actual 7: 140%
    _, found = check_table(table_from_sample(sample, DEDUCTION), DEDUCTION)
    [rule] = [f for f in found if f.code == "SCORE_RULE_MISMATCH" and f.params["name"] == "《强国复兴有我》巡回宣讲"]
    assert (rule.expected, rule.found) == (3, 5)


# --- deviation reasons ------------------------------------------------------------------------------


def _reason_codes(sample, scheme):
    _, found = check_table(table_from_sample(sample, scheme), scheme)
    return [(f.variant, f.params.get("name")) for f in found if f.code == "DEVIATION_REASON_MISSING"]


@pytest.mark.parametrize(("actual", "needed"), [("6.5", True), ("6.49", False), ("10", True)])
def test_reason_at_large_overshoot(actual, needed):
    sample = LUSONG_2024.with_row(1, actual=actual)  # target ≥5: 6.5 is 130%
    name = "《强国复兴有我》巡回宣讲"
    assert (("overshoot", name) in _reason_codes(sample, REASONS)) == needed
    assert ("overshoot", name) not in _reason_codes(sample, STANDARD)
    explained = LUSONG_2024.with_row(1, actual=actual, reason="上级追加场次")
    assert ("overshoot", name) not in _reason_codes(explained, REASONS)


@pytest.mark.parametrize(("executed", "needed"), [("89.99", True), ("90", False)])
def test_reason_when_the_rate_is_low(executed, needed):
    no_reasons = LUSONG_2024.with_row(11, reason="")
    sample = replace(no_reasons, initial="100", budget="100", executed=executed)
    assert (("rate", "预算执行") in _reason_codes(sample, REASONS)) == needed
    assert ("rate", "预算执行") not in _reason_codes(sample, STANDARD)
    explained = replace(LUSONG_2024, initial="100", budget="100", executed=executed)  # the cost row has a reason
    assert ("rate", "预算执行") not in _reason_codes(explained, REASONS)


@settings(max_examples=200, deadline=None)
@given(op=st.sampled_from(["≥", ">", "=", "≤", "<", "", "定性"]),
       target=st.one_of(st.integers(0, 500).map(D), st.just("提升")),
       actual=st.one_of(st.integers(0, 900).map(D), st.just("")),
       weight=st.one_of(st.integers(1, 20).map(D), st.just("")),
       score=st.one_of(st.integers(0, 20).map(D), st.just("")),
       direction=st.sampled_from(["higher", "lower"]))
def test_reason_rules_and_their_formulas_agree(op, target, actual, weight, score, direction):
    values = {"op": op, "target": target, "actual": actual, "weight": weight, "score": score}
    direct, rendered = both_readings(rules.needs_reason(REASONS, direction), values)
    assert bool(direct) == bool(rendered)
    higher = op in ("≥", ">", "=") or (op == "" and direction == "higher")
    overshoot = (isinstance(target, Decimal) and isinstance(actual, Decimal) and higher and target > 0
                 and actual >= target * D("1.3"))
    below = isinstance(score, Decimal) and isinstance(weight, Decimal) and score < weight
    assert bool(direct) == (overshoot or below)


# --- grade bands ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "standard", "bands", "strict"), [
    ("100", "优", "优", "优"),
    ("90.01", "优", "优", "优"),
    ("90", "优", "优", "良"),
    ("89.995", "良", "良", "良"),
    ("80", "良", "良", "良"),
    ("79.999", "中", "中", "中"),
    ("60", "中", "中", "中"),
    ("59.99", "差", "差", "差"),
    ("0", "差", "差", "差"),
])
def test_grade_boundaries(total, standard, bands, strict):
    for scheme, grade in ((STANDARD, standard), (BANDS, bands), (STRICT, strict)):
        assert rules.compute(rules.grade(scheme), total=D(total)) == grade, scheme.name


@settings(max_examples=300, deadline=None)
@given(total=st.integers(0, 10000).map(lambda n: D(n).scaleb(-2)), scheme=st.sampled_from([STANDARD, BANDS, STRICT]))
def test_grade_rule_and_its_formula_agree(total, scheme):
    direct, rendered = both_readings(rules.grade(scheme), {"total": total})
    assert direct == rendered
    strict_top = scheme is STRICT
    expected = ("优" if (total > 90 if strict_top else total >= 90) else "良" if total >= 80
                else "中" if total >= 60 else "差")
    assert direct == expected


# --- truncation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("actual", "rounded", "truncated"), [
    ("2.675", "2.68", "2.67"),   # 2.675 / 5 × 5
    ("4.7", "4.7", "4.7"),       # exact: no difference
    ("4.999", "5", "4.99"),
])
def test_truncation_instead_of_rounding(actual, rounded, truncated):
    assert _reference(STANDARD, "≥", "5", actual, "5") == D(rounded)
    assert _reference(BANDS, "≥", "5", actual, "5") == D(truncated)
    assert _reference(BANDS, "≤", actual, "5", "5", "lower") == D(truncated)  # target / actual × weight


def test_truncation_renders_as_rounddown():
    layout = build_layout(BANDS)
    reference = layout.formulas[layout.rows[0].cell("reference")]
    assert "ROUNDDOWN(G9/E9*H9,2)" in reference and "ROUND(" not in reference
    assert "ROUND(MIN(K4,1)*J4,2)" in layout.formulas[layout.funds["score"]]  # the budget score still rounds


@settings(max_examples=300, deadline=None)
@given(target=st.integers(1, 100000).map(lambda n: D(n).scaleb(-2)),
       actual=st.integers(0, 100000).map(lambda n: D(n).scaleb(-2)),
       weight=st.integers(1, 200).map(lambda n: D(n).scaleb(-1)),
       op=st.sampled_from(["≥", "≤", ">", "<", "="]),
       scheme=st.sampled_from([BANDS, DEDUCTION]))
def test_reference_rules_and_their_formulas_agree(target, actual, weight, op, scheme):
    direction = "lower" if op in ("≤", "<") else "higher"
    values = {"op": op, "target": target, "actual": actual, "weight": weight}
    direct, rendered = both_readings(rules.reference_score(scheme, direction), values)
    assert direct == rendered
    if scheme is BANDS:
        ratio = (actual / target if direction == "higher" else target / actual if actual else None)
        if ratio is not None and ratio < 1:
            assert direct == (ratio * weight).quantize(D("0.01"), rounding=ROUND_DOWN)


# --- the template follows the same rules --------------------------------------------------------------


def test_template_formulas_carry_each_option():
    cap = build_layout(CAP)
    assert cap.formulas[cap.total_score] == (
        "IF(ISNUMBER(K4),IF(K4<0.5,MIN(SUM(L4,I21,I34,I38,I48),59),IF(K4<0.7,MIN(SUM(L4,I21,I34,I38,I48),79),"
        "IF(K4<0.8,MIN(SUM(L4,I21,I34,I38,I48),89),SUM(L4,I21,I34,I38,I48)))),SUM(L4,I21,I34,I38,I48))")
    deduction = build_layout(DEDUCTION)
    assert "MAX(IF(G9>=E9,H9,ROUND(G9/E9*H9,2))-IF(G9>=E9*1.3,2,0),0)" in deduction.formulas["J9"]
    strict = build_layout(STRICT)
    assert 'IF(I49>90,"优"' in strict.formulas[strict.grade]


def test_template_marks_the_reasons_the_scheme_asks_for(tmp_path):
    from openpyxl import load_workbook

    from perfxl.template.layout import SHEET
    from perfxl.template.writer import write_template

    def criteria(scheme):
        path = tmp_path / f"{scheme.name}.xlsx"
        write_template(path, scheme, year=2024)
        sheet = load_workbook(path)[SHEET]
        return {str(rng.sqref): [rule.formula[0] for rule in rng.rules] for rng in sheet.conditional_formatting}

    def every(marks):
        return [formula for formulas in marks.values() for formula in formulas]

    plain = criteria(STANDARD)
    [reason_rule] = [f for f in every(plain) if "LEN(K9)=0" in f]
    assert "1.3" not in reason_rule and not any("COUNTA" in f for f in every(plain))
    marks = criteria(REASONS)
    assert any("G9>=E9*1.3" in f and "LEN(K9)=0" in f for f in every(marks))
    assert marks["K4"] == ["IF(ISNUMBER(K4),AND(K4<0.9,COUNTA(K9:K20,K22:K33,K35:K37,K39:K47)=0))"]


def test_options_read_the_same_from_yaml():
    import yaml

    from perfxl.scheme import tomllib  # the stdlib's, or tomli before Python 3.11

    for scheme in (CAP, DEDUCTION, REASONS, BANDS, STRICT):
        data = tomllib.loads(scheme.source)
        same = parse_scheme(yaml.safe_dump(data, allow_unicode=True), fmt="yaml")
        assert same.rules.execution_caps == scheme.rules.execution_caps
        assert (same.rules.overshoot_deduction, same.rules.reason_overshoot, same.rules.reason_rate_below,
                same.rules.indicator_rounding) == (scheme.rules.overshoot_deduction, scheme.rules.reason_overshoot,
                                                   scheme.rules.reason_rate_below, scheme.rules.indicator_rounding)
        assert same.grades == scheme.grades
