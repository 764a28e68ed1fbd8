"""The arithmetic and rule checks of one table: what it declares against perfxl's recomputation.

Pure functions: a :class:`~perfxl.model.ScoreTable`, its :class:`~perfxl.scheme.Scheme` and the
:class:`~perfxl.checking.recompute.Recomputation` in, a list of :class:`~perfxl.model.Finding` out.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from perfxl import codes
from perfxl.checking.recompute import (
    Recomputation,
    direction,
    grade_of,
    grade_word,
    input_of,
    is_dated_text,
    number_of,
    operator_of,
    recompute,
)
from perfxl.model import KIND_BASE_DATA, Field, Finding, Indicator, ScoreTable
from perfxl.numbers import (
    decimals_written,
    format_number,
    normalise_text,
    parse_text_number,
    round_half_up,
    sum_within_tolerance,
)
from perfxl.scheme import FULL_MARKS, Scheme, rules

ACHIEVED_WORDS = {"达成", "达成年度指标", "已达成", "完成", "已完成", "全部完成", "是", "达标", "达到"}
NO_REASON = {"", "无", "/"}

Add = Callable[..., None]


def check_table(table: ScoreTable, scheme: Scheme,
                result: Recomputation | None = None) -> tuple[Recomputation, list[Finding]]:
    """All arithmetic and rule checks that apply to a table of any layout."""
    result = result or recompute(table, scheme)
    findings: list[Finding] = []

    def add(code: str, at: Field | None, expected=None, found=None, variant: str = "", **params) -> None:
        findings.append(Finding(code, table.sheet, at.cell if at else None, expected, found, variant, params))

    if table.kind == KIND_BASE_DATA:
        _check_declared_grade(table, scheme, add)
        return result, findings + check_amounts(table)
    _check_funds(table, scheme, result, add)
    _check_rate_reason(table, scheme, result, add)
    for index, indicator in enumerate(table.indicators):
        if index in result.references:
            _check_indicator(indicator, result.references[index], scheme, add)
    _check_levels(table, scheme, result, add)
    findings += check_amounts(table)
    _check_total_and_grade(table, scheme, result, add)
    _check_spending_gap(table, scheme, result, add)
    return result, findings


# --- the funds row -------------------------------------------------------------------------------


def _check_funds(table: ScoreTable, scheme: Scheme, result: Recomputation, add: Add) -> None:
    funds = table.funds
    for key in ("budget", "executed"):
        if funds.get(key) is not None:
            _require_number(funds[key], (key, {}), add)
    budget, executed = number_of(funds.get("budget")), number_of(funds.get("executed"))
    if budget is not None and budget == 0:
        add(codes.MISSING_VALUE, funds["budget"], None, Decimal(0), "zero_budget")
    if budget is not None and executed is not None and executed > budget:
        add(codes.EXECUTED_OVER_BUDGET, funds["executed"], budget, executed)
    weight = funds.get("weight")
    if weight is not None and weight.number is not None and weight.number != scheme.budget_weight:
        add(codes.WEIGHT_MISMATCH, weight, scheme.budget_weight, weight.number, "budget", scheme=scheme.name)
    rate = funds.get("rate")
    if rate is not None and rate.cell and not rate.derived and result.rate is not None:
        if rate.number is None:
            _require_number(rate, ("rate", {}), add)
        elif not _close(rate.number, result.rate, rate_tolerance(rate)):
            add(codes.EXECUTION_RATE_MISMATCH, rate, result.rate, rate.number)
    score = funds.get("score")
    if score is not None and score.cell and not score.derived and result.budget_score is not None:
        if score.number is None:
            _require_number(score, ("funds_score", {}), add)
        elif not _close(score.number, result.budget_score, scheme.rules.score_tolerance):
            add(codes.BUDGET_SCORE_MISMATCH, score, result.budget_score, score.number, rate=_percent(result.rate))


# --- indicators ----------------------------------------------------------------------------------


def _check_indicator(indicator: Indicator, reference: Decimal | None, scheme: Scheme, add: Add) -> None:
    name = {"name": indicator.label}
    weight = _require_number(indicator.weight, ("weight", name), add)
    score = _require_number(indicator.score, ("score", name), add)
    qualitative = operator_of(indicator) == rules.QUALITATIVE
    for key in ("target", "actual"):
        f = getattr(indicator, key)
        # A number-looking text that does not read as a number ('5场和6次') is worth telling.
        if f.number is None and f.text and f.text[:1].isdigit() and not (qualitative or is_dated_text(f.text)):
            add(codes.UNPARSEABLE_VALUE, f, None, f.text, what=(key, name))
    _check_overshoot(indicator, scheme, add)
    if score is None:
        return
    if score < 0:
        add(codes.SCORE_OVER_WEIGHT, indicator.score, Decimal(0), score, "negative", **name)
    elif weight is not None and score > weight:
        add(codes.SCORE_OVER_WEIGHT, indicator.score, weight, score, **name)
    _check_reason(indicator, scheme, add)
    if weight is not None:
        _check_rule(indicator, reference, weight, score, scheme, add)


def _check_reason(indicator: Indicator, scheme: Scheme, add: Add) -> None:
    """A 偏差原因 where the scheme's rules ask for one: a score below its 分值, or (by option) a
    large overshoot of the target."""
    if not _is_blank_reason(indicator):
        return
    row = _row_inputs(indicator)
    name = {"name": indicator.label}
    if rules.compute(rules.reason_for_score(scheme), score=input_of(indicator.score), weight=row["weight"]):
        add(codes.DEVIATION_REASON_MISSING, indicator.reason, indicator.weight.number, indicator.score.number, **name)
        return
    overshoot = rules.reason_for_overshoot(scheme, direction(indicator, scheme))
    if overshoot is not None and rules.compute(overshoot, **row):
        add(codes.DEVIATION_REASON_MISSING, indicator.reason, row["target"], row["actual"], "overshoot", **name,
            ratio=f"{format_number(scheme.rules.reason_overshoot * 100)}%")


def _is_blank_reason(indicator: Indicator) -> bool:
    return normalise_text(indicator.reason.text) in NO_REASON


def _row_inputs(indicator: Indicator) -> dict:
    """The row's rule inputs as the reference score sees them (op, target, actual, weight)."""
    return {"op": operator_of(indicator), "target": input_of(indicator.target),
            "actual": input_of(indicator.actual), "weight": input_of(indicator.weight)}


def _check_rate_reason(table: ScoreTable, scheme: Scheme, result: Recomputation, add: Add) -> None:
    """A low execution rate (the scheme's deviation_reason_rate_below) needs a 偏差原因 somewhere in
    the table: the funds row has no reason cell of its own."""
    rule = rules.reason_for_rate(scheme)
    if rule is None or result.rate is None:
        return
    reasons = sum(not _is_blank_reason(indicator) for index, indicator in enumerate(table.indicators)
                  if index in result.references)
    if rules.compute(rule, rate=result.rate, reasons=Decimal(reasons)):
        at = table.funds.get("rate") or table.funds.get("executed")
        add(codes.DEVIATION_REASON_MISSING, at if at is not None and at.cell else None,
            scheme.rules.reason_rate_below, result.rate, "rate", name="预算执行",
            rate=_percent(result.rate), threshold=f"{format_number(scheme.rules.reason_rate_below * 100)}%")


def _check_rule(indicator: Indicator, reference: Decimal | None, weight: Decimal, score: Decimal,
                scheme: Scheme, add: Add) -> None:
    """The self-score against the scheme's rule (quantitative) or band (qualitative)."""
    name = {"name": indicator.label}
    if reference is not None:
        if not _close(score, reference, scheme.rules.score_tolerance):
            add(codes.SCORE_RULE_MISMATCH, indicator.score, reference, score, **name,
                target=_show_field(indicator.target, indicator.unit),
                actual=_show_field(indicator.actual, indicator.unit))
        return
    band = _qualitative_band(indicator, scheme)
    if band is not None:
        low, high = rules.band_limits(band, weight)
        if not low - scheme.rules.score_tolerance <= score <= high + scheme.rules.score_tolerance:
            add(codes.SCORE_RULE_MISMATCH, indicator.score, f"{format_number(low)}–{format_number(high)}", score,
                "band", **name, band=band.label)


def _check_overshoot(indicator: Indicator, scheme: Scheme, add: Add) -> None:
    """A higher-is-better actual at or beyond the overshoot ratio of its target: set too low?"""
    target, actual = indicator.target.number, indicator.actual.number
    if target is None or actual is None:
        return
    op = operator_of(indicator)
    if rules.direction_of(op, direction(indicator, scheme)) != "higher":
        return
    if rules.is_overshoot(scheme, target, actual):
        add(codes.TARGET_OVERSHOOT, indicator.actual, target, actual, name=indicator.label,
            ratio=_percent(actual / target))


def _qualitative_band(indicator: Indicator, scheme: Scheme):
    """The band of a qualitative indicator when the table says it was achieved."""
    if operator_of(indicator) != rules.QUALITATIVE:
        return None
    actual = normalise_text(indicator.actual.text)
    target = normalise_text(indicator.target.text)
    band = rules.qualitative_band(scheme, actual)
    if band is not None:
        return band
    if actual and (actual == target or actual in ACHIEVED_WORDS):
        return scheme.qualitative[0] if scheme.qualitative else None
    return None


# --- first-level weights and subtotals, total, grade ---------------------------------------------


def _check_levels(table: ScoreTable, scheme: Scheme, result: Recomputation, add: Add) -> None:
    weight_problem = False
    known = {level.key for level in scheme.levels}
    for level in table.levels:
        if level.key not in known:
            continue
        label = scheme.level(level.key).label
        expected_weight = scheme.level(level.key).weight
        summed = result.level_weights.get(level.key, Decimal(0))
        stated = level.weight
        if stated.number is not None and not stated.derived and stated.formula is None \
                and stated.number != expected_weight:
            weight_problem = True
            add(codes.WEIGHT_MISMATCH, stated, expected_weight, stated.number, "level", label=label,
                scheme=scheme.name)
        elif summed != expected_weight:
            weight_problem = True
            add(codes.WEIGHT_MISMATCH, stated if stated.cell else None, expected_weight, summed, label=label,
                scheme=scheme.name)
        subtotal = level.subtotal_weight
        if subtotal.cell and not subtotal.derived and subtotal.number is not None \
                and subtotal.number != expected_weight:
            weight_problem = True
            add(codes.WEIGHT_MISMATCH, subtotal, expected_weight, subtotal.number, "subtotal", label=label,
                scheme=scheme.name)
        declared = level.score
        if declared.cell and not declared.derived:
            if declared.number is None:
                _require_number(declared, ("subtotal_score", {"label": label}), add)
            elif not _close(declared.number, result.level_scores[level.key], scheme.rules.score_tolerance):
                add(codes.SUBTOTAL_MISMATCH, declared, result.level_scores[level.key], declared.number, label=label)
    if not weight_problem and result.total_weight != FULL_MARKS:
        add(codes.WEIGHT_MISMATCH, table.total_weight if table.total_weight.cell else None, FULL_MARKS,
            result.total_weight, "total")


def _check_total_and_grade(table: ScoreTable, scheme: Scheme, result: Recomputation, add: Add) -> None:
    total = table.total_score
    if total.cell and not total.derived:
        if total.number is None:
            _require_number(total, ("total_score", {}), add)
        elif not _close(total.number, result.total, scheme.rules.score_tolerance):
            capped = result.parts_total is not None and result.total != result.parts_total
            add(codes.TOTAL_MISMATCH, total, result.total, total.number, "capped" if capped else "",
                parts=result.parts_total, rate=_percent(result.rate))
    _compare_grade(table.grade, result.grade, result.total, scheme, add)


def _check_declared_grade(table: ScoreTable, scheme: Scheme, add: Add) -> None:
    """A form with a 综合得分 and no parts: its grade must be the grade of that score."""
    total = table.total_score.number
    if total is not None:
        _compare_grade(table.grade, grade_of(total, scheme), total, scheme, add)


def _compare_grade(grade: Field, expected: str | None, total: Decimal | None, scheme: Scheme, add: Add) -> None:
    if not grade.cell or grade.derived or not expected:
        return
    found = normalise_text(grade.text)
    if not found:
        add(codes.MISSING_VALUE, grade, expected, None, what=("grade", {}))
    elif grade_word(found, scheme) != expected:
        add(codes.GRADE_MISMATCH, grade, expected, found, total=total)


def _check_spending_gap(table: ScoreTable, scheme: Scheme, result: Recomputation, add: Add) -> None:
    """Indicators scored far ahead of budget execution deserve a question (domain rules §3)."""
    budget_weight = scheme.budget_weight
    indicator_weight = scheme.total_weight - budget_weight
    if result.budget_score is None or budget_weight <= 0 or indicator_weight <= 0 or not result.references:
        return
    performance = sum(result.level_scores.values(), Decimal(0)) / indicator_weight
    spending = result.budget_score / budget_weight
    gap = performance - spending
    if performance > 0 and gap > scheme.rules.gap_threshold * performance:
        add(codes.SPENDING_PERFORMANCE_GAP, table.funds.get("score"), round_half_up(spending, 4),
            round_half_up(performance, 4), gap=_percent(gap), threshold=_percent(scheme.rules.gap_threshold))


# --- amounts -------------------------------------------------------------------------------------


def check_amounts(table: ScoreTable) -> list[Finding]:
    """Sums and ratios of amounts, with the rounding tolerance of domain rules §4."""
    findings = []
    for rule in table.sums:
        parts = [(p.number, amount_places(p)) for p in rule.parts if p.number is not None]
        total = rule.total
        if total.number is None or total.derived or not parts:
            continue
        if not sum_within_tolerance(total.number, amount_places(total), parts):
            findings.append(Finding(codes.AMOUNT_SUM_MISMATCH, rule.sheet or table.sheet, total.cell,
                                    sum((value for value, _ in parts), Decimal(0)), total.number,
                                    params={"label": rule.label}))
    for ratio in table.ratios:
        declared, top, bottom = ratio.declared, ratio.numerator, ratio.denominator
        if declared.number is None or declared.derived or top.number is None or not bottom.number:
            continue
        expected = round_half_up(top.number / bottom.number, 4)
        if not _close(declared.number, expected, rate_tolerance(declared)):
            findings.append(Finding(codes.EXECUTION_RATE_MISMATCH, ratio.sheet or table.sheet, declared.cell,
                                    expected, declared.number, "ratio", {"label": ratio.label}))
    return findings


def amount_places(f: Field) -> int:
    """Decimals an amount was written with: typed text as written, numbers at least to the cent."""
    if isinstance(f.value, str):
        return decimals_written(parse_text_number(f.text))
    exponent = f.number.as_tuple().exponent if f.number is not None else -2
    return max(-exponent if isinstance(exponent, int) else 2, 2)


def rate_tolerance(rate: Field) -> Decimal:
    """A rate is the percentage shown (domain rules §4): '72.6%' typed stands for 72.55%–72.65%.

    A stored fraction is as precise as the percentage its cell shows (``shown_places``, the
    fraction's decimals: 2 for '100%', 4 for '72.60%'), never as its own digits: a stored 1 is not
    1 ± 0.5. Without a known format, two decimals of percent are assumed.
    """
    return Decimal("0.5").scaleb(-rate_places(rate)) + Decimal("1e-9")


def rate_places(rate: Field) -> int:
    """Decimals of the fraction a rate stands for: 4 for '72.60%' shown or typed, 2 for '100%'."""
    if isinstance(rate.value, str):
        exponent = rate.number.as_tuple().exponent if rate.number is not None else -4
        return min(max(-int(exponent), 0), 6) if isinstance(exponent, int) else 4
    return rate.shown_places if rate.shown_places is not None else 4


# --- helpers -------------------------------------------------------------------------------------


def _require_number(f: Field, what: tuple[str, dict], add: Add) -> Decimal | None:
    if f.number is not None:
        return f.number
    if f.is_blank:
        add(codes.MISSING_VALUE, f, None, None, what=what)
    else:
        add(codes.UNPARSEABLE_VALUE, f, None, f.text, what=what)
    return None


def _close(a: Decimal, b: Decimal | None, tolerance: Decimal) -> bool:
    return b is not None and abs(a - b) <= tolerance


def _percent(value: Decimal | None) -> str | None:
    """A rate for a message; None (shown as empty in the reader's language) when there is none."""
    if value is None:
        return None
    return f"{round_half_up(value * 100, 2)}%"


def _show_field(f: Field, unit: Field) -> str | None:
    if f.number is not None and unit.text == "%":
        return _percent(f.number)
    if f.number is not None and not unit.text and isinstance(f.value, str):
        return f.text  # as typed: '476.74万元'
    return (format_number(f.number) + unit.text) if f.number is not None else (f.text or None)
