"""perfxl's own value for everything a table derives, from its inputs, by the scheme's rules.

Pure functions: a :class:`~perfxl.model.ScoreTable` and a :class:`~perfxl.scheme.Scheme` in, a
:class:`Recomputation` out. The rules are the same :mod:`perfxl.scheme.rules` the template's
formulas are generated from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from perfxl.model import Field, Indicator, ScoreTable
from perfxl.numbers import normalise_text, parse_quantity
from perfxl.scheme import Scheme, rules

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
    parts_total: Decimal | None = None  # the parts added up, before the scheme's execution cap
    grade: str | None = None


def is_blank_row(indicator: Indicator) -> bool:
    """Unused rows (left blank or marked 无) are ignored."""
    fields = (indicator.name, indicator.target, indicator.actual, indicator.weight, indicator.score)
    return all(not f.text or normalise_text(f.text) in EMPTY_MARKERS for f in fields)


def recompute(table: ScoreTable, scheme: Scheme) -> Recomputation:
    """Every derived value from the table's inputs, by the scheme's rules."""
    result = Recomputation()
    funds = table.funds
    rate = rules.compute(rules.execution_rate(scheme), executed=input_of(funds.get("executed")),
                         budget=input_of(funds.get("budget")), initial=input_of(funds.get("initial")))
    result.rate = rules.as_number(rate)
    weight = number_of(funds.get("weight"))
    weight = scheme.budget_weight if weight is None else weight
    result.budget_score = rules.as_number(rules.compute(rules.budget_score(scheme), rate=rate, weight=weight))

    for level in scheme.levels:
        result.level_weights[level.key] = Decimal(0)
        result.level_scores[level.key] = Decimal(0)
    scored = 0
    for index, indicator in enumerate(table.indicators):
        if is_blank_row(indicator):
            continue
        scored += indicator.score.number is not None
        result.references[index] = reference_score(indicator, scheme)
        if indicator.level in result.level_weights:
            result.level_weights[indicator.level] += indicator.weight.number or 0
            result.level_scores[indicator.level] += indicator.score.number or 0

    declared_budget_score = number_of(funds.get("score"))
    budget_part = declared_budget_score if declared_budget_score is not None else result.budget_score
    result.total_weight = weight + sum(result.level_weights.values(), Decimal(0))
    result.parts_total = (budget_part or Decimal(0)) + sum(result.level_scores.values(), Decimal(0))
    result.total = rules.as_number(rules.compute(rules.total(scheme), parts=result.parts_total, rate=rate))
    # No grade until an indicator is scored: the template's grade cell stays blank the same way.
    grade = rules.compute(rules.table_grade(scheme), total=result.total, scored=Decimal(scored))
    result.grade = str(grade) or None
    return result


def grade_of(total: Decimal | None, scheme: Scheme) -> str | None:
    return str(rules.compute(rules.grade(scheme), total=total)) or None


def grade_word(text: str, scheme: Scheme) -> str | None:
    """The grade a clerk's word means (优秀 → 优), or None when it names no grade of the scheme."""
    word = normalise_text(text)
    for band in scheme.grades:
        if word == band.label or word in band.words:
            return band.label
    return None


def reference_score(indicator: Indicator, scheme: Scheme) -> Decimal | None:
    """The score the scheme's rule gives for target vs actual, or None where it cannot say."""
    value = rules.compute(rules.reference_score(scheme, direction(indicator, scheme)), op=operator_of(indicator),
                          target=input_of(indicator.target), actual=input_of(indicator.actual),
                          weight=input_of(indicator.weight))
    return rules.as_number(value)


def direction(indicator: Indicator, scheme: Scheme) -> str:
    """The row's group direction: as the template recorded it, else from the scheme's groups."""
    if indicator.direction:
        return indicator.direction
    try:
        level = scheme.level(indicator.level)
    except KeyError:
        return "lower" if indicator.level == "cost" else "higher"
    group_label = normalise_text(indicator.group)
    for group in level.groups:
        if normalise_text(group.label) == group_label or group.label in group_label:
            return group.direction
    if "成本" in group_label:
        return "lower"
    return level.groups[0].direction


def operator_of(indicator: Indicator) -> str:
    """The operator chosen in its own column, else the one written before the target ('≥5场').

    A target that is text and no number ('2024年12月31日前', '按时完成') is qualitative.
    """
    op = normalise_text(indicator.op.text)
    op = {">=": "≥", "<=": "≤"}.get(op, op)
    if op in rules.OPERATORS:
        return op
    target = indicator.target
    if target.text and (target.number is None or is_dated_text(target.text)):
        return rules.QUALITATIVE
    parsed = parse_quantity(target.text) if target.text else None
    return parsed[0] if parsed else ""


_DATED = re.compile(r"(?:19|20)\d\d\s*(?:年|[-—–~～至]\s*(?:19|20)\d\d)|\d{1,2}\s*月\s*\d{1,2}\s*日")


def is_dated_text(text: str) -> bool:
    """Dates and periods are text, not numbers: '2024年12月31日前', '2024-2025年度', '6月30日'."""
    return bool(_DATED.search(text))


def input_of(f: Field | None):
    """A field as a rule input: its number, else its text ("" when blank)."""
    if f is None:
        return ""
    if f.number is not None:
        return f.number
    return f.text


def number_of(f: Field | None) -> Decimal | None:
    return None if f is None else f.number
