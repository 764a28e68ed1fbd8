"""Read submissions into table models. Readers only read: no finding is made here.

:func:`read_tables` returns one :class:`~perfxl.model.ScoreTable` per table in a workbook: a perfxl
template through the record it carries, anything else through the hand-made-form reader.
"""

from __future__ import annotations

from perfxl.model import ScoreTable
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
    return read_forms(book)
