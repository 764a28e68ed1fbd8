"""Build ScoreTables straight from samples, for testing the pure checks without any file."""

from __future__ import annotations

from decimal import Decimal

from samples import Sample

from perfxl.model import LAYOUT_TEMPLATE, Field, Indicator, LevelTotals, ScoreTable
from perfxl.numbers import parse_number
from perfxl.scheme import Scheme


def field(text: str | Decimal | None) -> Field:
    if text is None or text == "":
        return Field()
    if isinstance(text, Decimal):
        return Field(value=text, number=text, text=format(text, "f"))
    return Field(value=text, number=parse_number(text), text=text)


def table_from_sample(sample: Sample, scheme: Scheme, **declared: str) -> ScoreTable:
    """The table a clerk would produce; ``declared`` sets rate/score/total/grade/subtotal_<key>."""
    table = ScoreTable(sheet="自评表", layout=LAYOUT_TEMPLATE, department=sample.department, year=sample.year)
    table.funds = {"initial": field(sample.initial), "budget": field(sample.budget),
                   "executed": field(sample.executed), "weight": field(str(scheme.budget_weight)),
                   "rate": field(declared.get("rate")), "score": field(declared.get("score"))}
    for key, cell in (("rate", "K4"), ("score", "L4")):
        if key in declared:
            table.funds[key].cell = cell
    groups = {(level.key, group.label): group for level in scheme.levels for group in level.groups}
    for row in sample.rows:
        group = groups[(row.level, row.group)]
        table.indicators.append(Indicator(
            row.level, row.group, group.direction, name=field(row.name), op=field(row.op),
            target=field(row.target), unit=field(row.unit), actual=field(row.actual),
            weight=field(row.weight), score=field(row.score), reason=field(row.reason)))
    for level in scheme.levels:
        totals = LevelTotals(level.key, level.label, Field(cell=f"H-{level.key}"),
                             field(declared.get(f"subtotal_{level.key}")))
        if f"subtotal_{level.key}" in declared:
            totals.score.cell = f"I-{level.key}"
        table.levels.append(totals)
    table.total_score = field(declared.get("total"))
    table.grade = field(declared.get("grade"))
    if "total" in declared:
        table.total_score.cell = "I49"
    if "grade" in declared:
        table.grade.cell = "H50"
    return table
