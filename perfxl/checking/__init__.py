"""Everything that produces a finding: arithmetic, rules, template integrity.

:func:`check` takes one table as read and the scheme it is checked under, recomputes it once and
returns every finding about it. :func:`scheme_for` says which scheme that is.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from perfxl.checking import integrity
from perfxl.checking.recompute import Recomputation, is_blank_row, recompute
from perfxl.checking.tables import check_table
from perfxl.model import Finding, ScoreTable
from perfxl.scheme import DEFAULT_SCHEME, Scheme, load_scheme, own_weights, shipped_schemes


@dataclass
class TableCheck:
    table: ScoreTable
    scheme: Scheme
    result: Recomputation
    findings: list[Finding]
    blank: bool = False  # a template returned with nothing typed in: no score to count anywhere


def scheme_for(table: ScoreTable, wanted: Scheme | None = None) -> Scheme:
    """The scheme a table is checked under: the one asked for, else the table's own.

    A template carries its scheme. A hand-made form is checked under the shipped scheme its
    first-level weights are (a 成本指标 block says standard, none classic, when weights are not
    legible), or that differ from it in one weight only (a slip the checks should name). A form
    with the five parts of the default scheme is that scheme, its weights checked: the national
    form with a 成本 block fixes them. Any other is checked under its own weights
    (:func:`~perfxl.scheme.own_weights`): a province's 产出60/效益20 form is checked for its
    arithmetic rather than reported as a dozen wrong weights.
    """
    if wanted is not None:
        return wanted
    if table.record is not None:
        return table.record.scheme
    keys = [level.key for level in table.levels]
    base = _shipped()[DEFAULT_SCHEME if "cost" in keys or not keys else "classic"]
    weights = table_weights(table)
    if weights is None:
        return base
    budget_weight, levels = weights
    for shipped in _shipped().values():
        if _differences(shipped, budget_weight, levels) == 0:
            return shipped
    wrong = _differences(base, budget_weight, levels)
    if wrong == 1 or (wrong is not None and base.name == DEFAULT_SCHEME):
        return base
    return own_weights(base, budget_weight, levels)


@functools.cache
def _shipped() -> dict[str, Scheme]:
    return {name: load_scheme(name) for name in shipped_schemes()}


def table_weights(table: ScoreTable) -> tuple[Decimal, dict[str, tuple[str, Decimal]]] | None:
    """The budget weight and first-level weights a form sets out: stated in a level's label or
    小计 row, else the sum of its indicators' 分值; None where one of them is not legible."""
    budget = table.funds.get("weight")
    if budget is None or budget.number is None or not table.levels:
        return None
    summed: dict[str, Decimal] = {}
    for indicator in table.indicators:
        if not is_blank_row(indicator) and indicator.weight.number is not None:
            summed[indicator.level] = summed.get(indicator.level, Decimal(0)) + indicator.weight.number
    levels = {}
    for level in table.levels:
        stated = level.weight.number if level.weight.number is not None else level.subtotal_weight.number
        weight = stated if stated is not None else summed.get(level.key)
        if weight is None:
            return None
        levels[level.key] = (level.label, weight)
    return budget.number, levels


def _differences(scheme: Scheme, budget_weight: Decimal, levels: dict[str, tuple[str, Decimal]]) -> int | None:
    """How many weights differ from the scheme's; None where the first-level indicators are not its."""
    if set(levels) != {level.key for level in scheme.levels}:
        return None
    wrong = sum(scheme.level(key).weight != weight for key, (_, weight) in levels.items())
    return wrong + (budget_weight != scheme.budget_weight)


def check(table: ScoreTable, scheme: Scheme) -> TableCheck:
    """Recompute the table once under ``scheme`` and check everything it declares."""
    result = recompute(table, scheme)
    findings: list[Finding] = []
    if table.record is not None:  # first: a copy filled where the file left formula cells uncalculated
        filled = integrity.uncalculated_values(table, table.record, result)
        if filled:
            table = integrity.with_values(table, filled)
        findings += integrity.check_template(table, table.record, result)
        if integrity.returned_blank(table, table.record):
            kept = [f for f in findings if f.code in integrity.TAMPERING]
            return TableCheck(table, scheme, result, [integrity.blank_finding(table), *kept], blank=True)
    findings += check_table(table, scheme, result)[1]
    return TableCheck(table, scheme, result, findings)
