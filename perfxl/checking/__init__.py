"""Everything that produces a finding: arithmetic, rules, template integrity.

:func:`check` takes one table as read and the scheme it is checked under, recomputes it once and
returns every finding about it. :func:`scheme_for` says which scheme that is.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfxl.checking import integrity
from perfxl.checking.recompute import Recomputation, recompute
from perfxl.checking.tables import check_table
from perfxl.model import Finding, ScoreTable
from perfxl.scheme import Scheme, load_scheme


@dataclass
class TableCheck:
    table: ScoreTable
    scheme: Scheme
    result: Recomputation
    findings: list[Finding]
    blank: bool = False  # a template returned with nothing typed in: no score to count anywhere


def scheme_for(table: ScoreTable, wanted: Scheme | None = None) -> Scheme:
    """The scheme a table is checked under: the one asked for, else the table's own.

    A template carries its scheme; a hand-made form is recognised by its first-level blocks: a
    成本指标 block is the standard scheme, a table without one the classic (10/50/30/10).
    """
    if wanted is not None:
        return wanted
    if table.record is not None:
        return table.record.scheme
    keys = [level.key for level in table.levels]
    return load_scheme("standard" if "cost" in keys or not keys else "classic")


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
