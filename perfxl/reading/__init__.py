"""Read submissions into table models. Readers only read: no finding is made here.

:func:`read_tables` returns one :class:`~perfxl.model.ScoreTable` per table in a workbook: a perfxl
template through the record it carries, anything else through the hand-made-form readers (the
standard 自评表, and the 基础数据表 form of seed 001).
"""

from __future__ import annotations

from perfxl.model import ScoreTable
from perfxl.reading.base_data_form import read_base_data_forms
from perfxl.reading.forms import NoTable, read_forms
from perfxl.reading.template import NotATemplate, is_template, read_template
from perfxl.reading.xlsx import Workbook

__all__ = ["NoTable", "read_tables"]


def read_tables(book: Workbook) -> list[ScoreTable]:
    """Every table in the workbook, in reading order; :class:`NoTable` when there is none."""
    if is_template(book):
        try:
            return [read_template(book).table]
        except NotATemplate:
            pass  # a damaged template may still hold a readable standard table
    base_data = read_base_data_forms(book)
    try:
        tables = read_forms(book)
    except NoTable:
        if not base_data:
            raise
        return base_data
    used = {table.sheet for table in tables}
    return tables + [table for table in base_data if table.sheet not in used]
