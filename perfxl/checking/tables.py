"""Recompute a scoring table independently and compare it with what the table declares.

Pure functions: a :class:`~perfxl.model.ScoreTable` and a :class:`~perfxl.scheme.Scheme` in, a
:class:`Recomputation` and a list of :class:`~perfxl.model.Finding` out. Layout-specific checks
(formula integrity, protection) live with their readers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from perfxl.model import Field, Finding, Indicator, ScoreTable
from perfxl.numbers import (
    SCORE_TOLERANCE,
    decimals_written,
    format_number,
    normalise_text,
    parse_text_number,
    round_half_up,
    sum_within_tolerance,
)
from perfxl.scheme import Scheme, rules

ACHIEVED_WORDS = {"达成", "达成年度指标", "已达成", "完成", "已完成", "全部完成", "是", "达标", "达到"}
EMPTY_MARKERS = {"", "无", "/", "-", "—", "——", "无此项"}


@dataclass
class Recomputation:
    """perfxl's own values for everything derived in the table."""

    rate: Decimal | None = None
    budget_score: Decimal | None = None
    references: dict[int, Decimal | None] = field(default_factory=dict)  # indicator index → score
    level_weights: dict[str, Decimal] = field(default_factory=dict)
    level_scores: dict[str, Decimal] = field(default_factory=dict)
    total_weight: Decimal = Decimal(0)
    total: Decimal | None = None
    grade: str | None = None


def is_blank_row(indicator: Indicator) -> bool:
    """Unused rows (left blank or marked 无) are ignored."""
    fields = (indicator.name, indicator.target, indicator.actual, indicator.weight, indicator.score)
    return all(not f.text or normalise_text(f.text) in EMPTY_MARKERS for f in fields)


def recompute(table: ScoreTable, scheme: Scheme) -> Recomputation:
    """Every derived value from the table's inputs, by the scheme's rules."""
    result = Recomputation()
    funds = table.funds
    rate = rules.compute(rules.execution_rate(scheme), executed=_input(funds.get("executed")),
                         budget=_input(funds.get("budget")), initial=_input(funds.get("initial")))
    result.rate = rules.as_number(rate)
    weight = _number(funds.get("weight")) if _number(funds.get("weight")) is not None else scheme.budget_weight
    result.budget_score = rules.as_number(rules.compute(rules.budget_score(scheme), rate=rate, weight=weight))

    for level in scheme.levels:
        result.level_weights[level.key] = Decimal(0)
        result.level_scores[level.key] = Decimal(0)
    for index, indicator in enumerate(table.indicators):
        if is_blank_row(indicator):
            continue
        result.references[index] = reference_score(indicator, scheme)
        if indicator.level in result.level_weights:
            result.level_weights[indicator.level] += indicator.weight.number or 0
            result.level_scores[indicator.level] += indicator.score.number or 0

    declared_budget_score = _number(funds.get("score"))
    budget_part = declared_budget_score if declared_budget_score is not None else result.budget_score
    result.total_weight = weight + sum(result.level_weights.values(), Decimal(0))
    result.total = (budget_part or Decimal(0)) + sum(result.level_scores.values(), Decimal(0))
    result.grade = str(rules.compute(rules.grade(scheme), total=result.total)) or None
    return result


def reference_score(indicator: Indicator, scheme: Scheme) -> Decimal | None:
    """The score the scheme's rule gives for target vs actual, or None where it cannot say."""
    op = operator_of(indicator)
    value = rules.compute(rules.reference_score(scheme, indicator.direction), op=op,
                          target=_input(indicator.target), actual=_input(indicator.actual),
                          weight=_input(indicator.weight))
    return rules.as_number(value)


def operator_of(indicator: Indicator) -> str:
    """The operator chosen in its own column, else the one written before the target ('≥5场')."""
    from perfxl.numbers import parse_quantity

    op = normalise_text(indicator.op.text)
    op = {">=": "≥", "<=": "≤"}.get(op, op)
    if op in rules.OPERATORS:
        return op
    if indicator.target.number is None and indicator.target.text:
        return rules.QUALITATIVE
    parsed = parse_quantity(indicator.target.text) if indicator.target.text else None
    return parsed[0] if parsed else ""


def check_table(table: ScoreTable, scheme: Scheme,
                result: Recomputation | None = None) -> tuple[Recomputation, list[Finding]]:
    """All arithmetic and rule checks of the contract that apply to any layout.

    ``result`` is a recomputation of this table under this scheme already made by the reader.
    """
    result = result or recompute(table, scheme)
    findings: list[Finding] = []
    sheet = table.sheet

    def add(code: str, at: Field | None, expected=None, found=None, variant: str = "", **params) -> None:
        findings.append(Finding(code, sheet, at.cell if at else None, expected, found, variant, params))

    # Funds block
    funds = table.funds
    for key in ("budget", "executed"):
        f = funds.get(key)
        if f is not None:
            _require_number(f, (key, {}), add)
    weight = funds.get("weight")
    if weight is not None and weight.number is not None and weight.number != scheme.budget_weight:
        add("WEIGHT_MISMATCH", weight, scheme.budget_weight, weight.number, "budget", scheme=scheme.name)
    rate = funds.get("rate")
    if rate is not None and rate.cell and not rate.derived and result.rate is not None:
        if rate.number is None:
            _require_number(rate, ("rate", {}), add)
        elif not _close(rate.number, result.rate, _rate_tolerance(rate)):
            add("EXECUTION_RATE_MISMATCH", rate, result.rate, rate.number)
            findings[-1].params.update(expected=_percent(result.rate), found=_percent(rate.number))
    score = funds.get("score")
    if score is not None and score.cell and not score.derived and result.budget_score is not None:
        if score.number is None:
            _require_number(score, ("funds_score", {}), add)
        elif not _close(score.number, result.budget_score, SCORE_TOLERANCE):
            add("BUDGET_SCORE_MISMATCH", score, result.budget_score, score.number, rate=_percent(result.rate))

    # Indicators
    for index, indicator in enumerate(table.indicators):
        if index not in result.references:
            continue
        _check_indicator(indicator, result.references[index], scheme, add)

    # First-level weights and subtotals
    weight_problem = False
    for level in table.levels:
        scheme_level = scheme.level(level.key) if level.key in {lv.key for lv in scheme.levels} else None
        if scheme_level is None:
            continue
        summed = result.level_weights.get(level.key, Decimal(0))
        if level.weight.number is not None and not level.weight.derived and level.weight.formula is None \
                and level.weight.number != scheme_level.weight:
            weight_problem = True
            add("WEIGHT_MISMATCH", level.weight, scheme_level.weight, level.weight.number, "level",
                label=level.label, scheme=scheme.name)
        elif summed != scheme_level.weight:
            weight_problem = True
            add("WEIGHT_MISMATCH", level.weight if level.weight.cell else None, scheme_level.weight, summed,
                label=level.label, scheme=scheme.name)
        declared = level.score
        if declared.cell and not declared.derived:
            if declared.number is None:
                _require_number(declared, ("subtotal_score", {"label": level.label}), add)
            elif not _close(declared.number, result.level_scores[level.key], SCORE_TOLERANCE):
                add("SUBTOTAL_MISMATCH", declared, result.level_scores[level.key], declared.number,
                    label=level.label)
    if not weight_problem and result.total_weight != 100:
        add("WEIGHT_MISMATCH", table.total_weight if table.total_weight.cell else None, Decimal(100),
            result.total_weight, "total")

    findings += check_amounts(table)

    # Total and grade
    total = table.total_score
    if total.cell and not total.derived:
        if total.number is None:
            _require_number(total, ("total_score", {}), add)
        elif not _close(total.number, result.total, SCORE_TOLERANCE):
            add("TOTAL_MISMATCH", total, result.total, total.number)
    grade = table.grade
    if grade.cell and not grade.derived and result.grade:
        found = normalise_text(grade.text)
        if found and found != result.grade:
            add("GRADE_MISMATCH", grade, result.grade, found, total=result.total)
        elif not found:
            add("MISSING_VALUE", grade, result.grade, None, what=("grade", {}))
    return result, findings


def check_amounts(table: ScoreTable) -> list[Finding]:
    """Sums and ratios of amounts, with the rounding tolerance of domain.md §4."""
    findings = []
    for rule in table.sums:
        parts = [(p.number, _places(p)) for p in rule.parts if p.number is not None]
        total = rule.total
        if total.number is None or total.derived or not parts:
            continue
        if not sum_within_tolerance(total.number, _places(total), parts):
            findings.append(Finding("AMOUNT_SUM_MISMATCH", rule.sheet or table.sheet, total.cell,
                                    sum((value for value, _ in parts), Decimal(0)), total.number,
                                    params={"label": rule.label}))
    for ratio in table.ratios:
        declared, top, bottom = ratio.declared, ratio.numerator, ratio.denominator
        if declared.number is None or declared.derived or top.number is None or not bottom.number:
            continue
        expected = round_half_up(top.number / bottom.number, 4)
        if not _close(declared.number, expected, _rate_tolerance(declared)):
            finding = Finding("EXECUTION_RATE_MISMATCH", ratio.sheet or table.sheet, declared.cell, expected,
                              declared.number, "ratio", {"label": ratio.label})
            finding.params.update(expected=_percent(expected), found=_percent(declared.number))
            findings.append(finding)
    return findings


def _places(f: Field) -> int:
    """Decimals an amount was written with: typed text as written, numbers at least to the cent."""
    if isinstance(f.value, str):
        return decimals_written(parse_text_number(f.text))
    exponent = f.number.as_tuple().exponent if f.number is not None else -2
    return max(-exponent if isinstance(exponent, int) else 2, 2)


def _check_indicator(indicator: Indicator, reference: Decimal | None, scheme: Scheme, add) -> None:
    name = {"name": indicator.label}
    weight = _require_number(indicator.weight, ("weight", name), add)
    score = _require_number(indicator.score, ("score", name), add)
    for key in ("target", "actual"):
        f = getattr(indicator, key)
        # A number-looking text that does not read as a number ('5场和6次') is worth telling.
        if f.number is None and f.text and f.text[:1].isdigit():
            add("UNPARSEABLE_VALUE", f, None, f.text, what=(key, name))
    if score is None:
        return
    if score < 0:
        add("SCORE_OVER_WEIGHT", indicator.score, Decimal(0), score, "negative", **name)
    elif weight is not None and score > weight:
        add("SCORE_OVER_WEIGHT", indicator.score, weight, score, **name)
    if weight is not None and score < weight and normalise_text(indicator.reason.text) in ("", "无", "/"):
        add("DEVIATION_REASON_MISSING", indicator.reason, weight, score, **name)
    if weight is None:
        return
    if reference is not None:
        if not _close(score, reference, scheme.rules.score_tolerance):
            add("SCORE_RULE_MISMATCH", indicator.score, reference, score, **name,
                target=_show_field(indicator.target, indicator.unit), actual=_show_field(indicator.actual,
                                                                                        indicator.unit))
        return
    band = _qualitative_band(indicator, scheme)
    if band is not None:
        low, high = rules.band_limits(band, weight)
        if not low - SCORE_TOLERANCE <= score <= high + SCORE_TOLERANCE:
            add("SCORE_RULE_MISMATCH", indicator.score, f"{format_number(low)}–{format_number(high)}", score,
                "band", **name, band=band.label)


def _qualitative_band(indicator: Indicator, scheme: Scheme):
    """The band of a qualitative indicator when the table says it was achieved."""
    if operator_of(indicator) != rules.QUALITATIVE:
        return None
    actual = normalise_text(indicator.actual.text)
    target = normalise_text(indicator.target.text)
    for band in scheme.qualitative:
        if actual == normalise_text(band.label):
            return band
    if actual and (actual == target or actual in ACHIEVED_WORDS):
        return scheme.qualitative[0] if scheme.qualitative else None
    return None


def _require_number(f: Field, what: tuple[str, dict], add) -> Decimal | None:
    if f.number is not None:
        return f.number
    if f.is_blank:
        add("MISSING_VALUE", f, None, None, what=what)
    else:
        add("UNPARSEABLE_VALUE", f, None, f.text, what=what)
    return None


def _input(f: Field | None):
    """A field as a rule input: its number, else its text ("" when blank)."""
    if f is None:
        return ""
    if f.number is not None:
        return f.number
    return f.text


def _number(f: Field | None) -> Decimal | None:
    return None if f is None else f.number


def _close(a: Decimal, b: Decimal | None, tolerance: Decimal) -> bool:
    return b is not None and abs(a - b) <= tolerance


def _rate_tolerance(rate: Field) -> Decimal:
    """A typed rate is an interval: '72.6%' may stand for 72.55%–72.65% (domain.md §4)."""
    exponent = rate.number.as_tuple().exponent if rate.number is not None else -4
    places = min(max(-int(exponent), 0), 4) if isinstance(exponent, int) else 4
    return Decimal("0.5").scaleb(-places) + Decimal("1e-9")


def _percent(value: Decimal | None) -> str:
    if value is None:
        return "（空）"
    return f"{round_half_up(value * 100, 2)}%"


def _show_field(f: Field, unit: Field) -> str:
    if f.number is not None and unit.text == "%":
        return _percent(f.number)
    if f.number is not None and not unit.text and isinstance(f.value, str):
        return f.text  # as typed: '476.74万元'
    return (format_number(f.number) + unit.text) if f.number is not None else (f.text or "（空）")
