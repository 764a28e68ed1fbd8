"""Read submissions into table models. Readers only read: no finding is made here.

:func:`read_tables` returns one :class:`~perfxl.model.ScoreTable` per table in a workbook, in reading
order: a perfxl template through the record it carries, anything else through the hand-made-form
readers (standard 自评表 tables, several per sheet if stacked, and the 基础数据表 form of seed 001).
Sheets that hold numbers under table-like headers but no table are listed as unread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from perfxl.model import REVIEW_SHEET_PROPERTY, ScoreTable
from perfxl.reading.base_data_form import read_base_data_forms
from perfxl.reading.forms import NoTable, no_table, read_forms
from perfxl.reading.template import NotATemplate, is_template, read_template_tables
from perfxl.reading.xlsx import Workbook

__all__ = ["NoTable", "Reading", "read_tables"]


@dataclass
class Reading:
    tables: list[ScoreTable]
    unread: list[tuple[str, str, int]] = field(default_factory=list)  # (sheet, what it holds, first row)


def read_tables(book: Workbook) -> Reading:
    """Every table in the workbook, in reading order; :class:`NoTable` when there is none."""
    if is_template(book):
        try:
            return Reading(read_template_tables(book))
        except NotATemplate:
            pass  # a damaged template may still hold a readable standard table
    forms = read_forms(book)
    base_data = read_base_data_forms(book)
    used = {table.sheet for table in forms.tables}
    tables = forms.tables + [table for table in base_data if table.sheet not in used]
    if not tables:
        raise no_table(book)
    used |= {table.sheet for table in base_data}
    used.add(book.custom_properties.get(REVIEW_SHEET_PROPERTY, ""))  # an annotated copy's 审核意见
    order = {name: index for index, name in enumerate(book.sheet_names)}
    tables.sort(key=lambda table: order.get(table.sheet, 0))  # stable: stacked tables keep their order
    tabled = {table.sheet for table in forms.tables}  # below a table on its own sheet is still named
    return Reading(tables, [entry for entry in forms.unread if entry[0] not in used or entry[0] in tabled])
