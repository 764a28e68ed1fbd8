"""The scoring rules, each written once as a formula-language text built from the scheme.

Every public rule here comes in one form: a function that returns an :class:`expr.Rule`. The
template writer renders that rule into the sheet with :func:`expr.to_excel`; the reconciliation
evaluates the very same rule with :func:`expr.evaluate`. Blank cells are ``""`` on both sides, as in
Excel, so the guards (no budget → no rate) behave identically.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from perfxl.numbers import normalise_text, round_half_up
from perfxl.scheme import Band, Scheme, expr

#: Operators a department may choose for a target (计算符号), and what they mean.
OPERATORS = ("≥", ">", "=", "≤", "<", "定性")
LOWER_OPERATORS = ("≤", "<")
QUALITATIVE = "定性"

Value = expr.Value


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


@cache
def execution_rate(scheme: Scheme) -> expr.Rule:
    """执行率, blank unless every amount the scheme's rule uses is a number and the divisors are > 0."""
    rule = scheme.rules.execution_rate
    names = sorted(rule.names)
    are_numbers = ", ".join(f"ISNUMBER({name})" for name in names)
    positive = ", ".join(f"{name} > 0" for name in names if name != "executed") or "1 > 0"
    return expr.parse(f'IF(AND({are_numbers}), IF(AND({positive}), ({rule.text}), ""), "")')


@cache
def budget_score(scheme: Scheme) -> expr.Rule:
    """预算执行得分 from the rate: blank when there is no rate."""
    return expr.parse(f'IF(ISNUMBER(rate), ({scheme.rules.budget_score.text}), "")')


def _is_lower(default_direction: str) -> str:
    """The test, on ``op``, that a row is scored lower-is-better (a blank op takes the group's direction)."""
    lower_ops = [*LOWER_OPERATORS, ""] if default_direction == "lower" else list(LOWER_OPERATORS)
    return "OR(" + ", ".join(f"op == {_quote(op)}" for op in lower_ops) + ")"


@cache
def reference_score(scheme: Scheme, default_direction: str) -> expr.Rule:
    """参考得分 of one indicator from operator, target, actual and weight.

    Blank for qualitative indicators (judged by band, see :func:`qualitative_band`) and wherever
    a figure is missing or not a number. A blank operator takes the group's default direction.
    With the scheme's overshoot_deduction, a higher-is-better actual at or beyond ``at`` × target
    loses ``points`` (never below 0).
    """
    lower = scheme.rules.lower_is_better.text
    higher = f"({scheme.rules.higher_is_better.text})"
    deduction = scheme.rules.overshoot_deduction
    if deduction is not None:
        higher = f"MAX({higher} - IF(actual >= target * {deduction.at}, {deduction.points}, 0), 0)"
    return expr.parse(
        f'IF(OR(NOT(ISNUMBER(weight)), NOT(ISNUMBER(target)), NOT(ISNUMBER(actual)), op == "{QUALITATIVE}"), "", '
        f'IF({_is_lower(default_direction)}, IF(AND(target >= 0, actual >= 0), ({lower}), ""), '
        f'IF(target > 0, {higher}, "")))'
    )


@cache
def total(scheme: Scheme) -> expr.Rule:
    """总分 from the sum of its parts, capped by the execution rate where the scheme says so.

    ``parts`` is the budget score plus the indicator scores, ``rate`` the (rounded) execution rate.
    The caps are tried lowest first, so a rate takes the cap of the band it falls in.
    """
    text = "parts"
    for cap in scheme.rules.execution_caps:  # highest ``below`` first: each wraps the one above it
        text = f"IF(rate < {cap.below}, MIN(parts, {cap.max_total}), {text})"
    if scheme.rules.execution_caps:
        text = f"IF(ISNUMBER(rate), {text}, parts)"
    return expr.parse(text)


@cache
def reason_for_score(scheme: Scheme) -> expr.Rule:
    """A score below its 分值 needs a 偏差原因 (true/false)."""
    return expr.parse("AND(ISNUMBER(score), ISNUMBER(weight), score < weight)")


@cache
def reason_for_overshoot(scheme: Scheme, default_direction: str) -> expr.Rule | None:
    """A higher-is-better actual at or beyond the scheme's deviation_reason_overshoot × target needs a
    偏差原因 too, even at full marks; None when the scheme does not ask for it."""
    ratio = scheme.rules.reason_overshoot
    if ratio is None:
        return None
    return expr.parse(
        f"IF(AND(ISNUMBER(target), ISNUMBER(actual)), "
        f'AND(NOT({_is_lower(default_direction)}), op != "{QUALITATIVE}", target > 0, actual >= target * {ratio}))'
    )


@cache
def needs_reason(scheme: Scheme, default_direction: str) -> expr.Rule:
    """Either of the above: what the template's 偏差原因 mark and the reconciliation both ask."""
    overshoot = reason_for_overshoot(scheme, default_direction)
    score = reason_for_score(scheme).text
    return expr.parse(score if overshoot is None else f"OR({score}, {overshoot.text})")


@cache
def reason_for_rate(scheme: Scheme) -> expr.Rule | None:
    """An execution rate below the scheme's deviation_reason_rate_below needs a 偏差原因 in the table:
    ``reasons`` counts the indicator rows that give one. None when the scheme does not ask."""
    below = scheme.rules.reason_rate_below
    if below is None:
        return None
    return expr.parse(f"IF(ISNUMBER(rate), AND(rate < {below}, reasons == 0))")


@cache
def grade(scheme: Scheme) -> expr.Rule:
    """评价等次 of a total, from the scheme's grade bands (highest first; ``>`` where a band is open)."""
    text = _quote(scheme.grades[-1].label)
    for band in reversed(scheme.grades[:-1]):
        text = f"IF(total {'>' if band.open else '>='} {band.min}, {_quote(band.label)}, {text})"
    return expr.parse(f'IF(ISNUMBER(total), {text}, "")')


@cache
def table_grade(scheme: Scheme) -> expr.Rule:
    """评价等次 of a scoring table: its :func:`grade`, blank until an indicator has a score.

    ``scored`` is how many indicator scores are numbers (in the sheet, a COUNT over the score
    cells), so a blank template shows no grade instead of the lowest one.
    """
    return expr.parse(f'IF(scored > 0, {grade(scheme).text}, "")')


# --- helpers that evaluate the rules above -----------------------------------------------------


def compute(rule: expr.Rule, **values: Value | None) -> Value:
    """Evaluate a rule; None (an empty cell) is passed as "" like Excel's blank."""
    return expr.evaluate(rule, {name: ("" if value is None else value) for name, value in values.items()})


def as_number(value: Value) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def direction_of(op: str | None, default_direction: str) -> str:
    """'higher', 'lower' or 'qualitative' for an operator in a group with a default direction."""
    if op == QUALITATIVE:
        return "qualitative"
    if op in LOWER_OPERATORS:
        return "lower"
    if op in (">", "≥", "="):
        return "higher"
    return default_direction


def is_overshoot(scheme: Scheme, target: Decimal, actual: Decimal) -> bool:
    """Actual far above a higher-is-better target: the target may have been set too low."""
    return target > 0 and actual >= target * scheme.rules.overshoot_ratio


def qualitative_band(scheme: Scheme, level_label: str) -> Band | None:
    """The band a completion level names ('达成年度指标'), full-width or spaced as typed."""
    wanted = normalise_text(level_label)
    for band in scheme.qualitative:
        if wanted == normalise_text(band.label):
            return band
    return None


def band_limits(band: Band, weight: Decimal) -> tuple[Decimal, Decimal]:
    """The score range a qualitative band allows for an indicator of this weight."""
    upper = band.max if band.max is not None else Decimal(1)
    return round_half_up(band.min * weight), round_half_up(upper * weight)
