"""The multi-table fixture corpus (tests/corpus_tables, built by build_corpus_tables.py).

Each file holds several tables (a 部门整体 table and its 项目支出绩效自评表 on separate sheets or
stacked on one sheet), forms with 小计 rows, seed 001's 基础数据 form, sheets that are no table, and
some are LibreOffice's .xls/.ods saves of another file; expected.json lists every table in reading
order and every finding (tests/corpus_tables/README.md gives the conventions).

What this test assumes of ``perfxl.reconcile.reconcile_file(path)``'s result:
- ``result.findings``: objects with ``code``, ``sheet``, ``cell``, ``expected``, ``found`` (numbers
  as Decimal/int/float, text as str, absent as None), compared as a multiset after rounding numbers
  half-up to 2 decimals (4 for the rate codes EXECUTION_RATE_MISMATCH and SPENDING_PERFORMANCE_GAP);
- ``result.tables``: a list in reading order (sheets in workbook order, top to bottom) of objects
  with ``sheet``, ``kind`` (overall/project/base-data), ``title`` (None counts as ""),
  ``declared_total``, ``computed_total``, ``declared_grade``, ``computed_grade``;
- ``result.layout``, ``result.format``, ``result.scheme``, ``result.status``, and the file-level
  ``declared_total``/``computed_total``/``declared_grade``/``computed_grade``, which are those of the
  first ``overall`` table, else of the first table (contract.md).
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from pathlib import Path

import pytest
from corpus_compare import FILE_FIELDS
from corpus_compare import diff as _diff
from corpus_compare import finding_key as _finding_key
from corpus_compare import norm as _norm
from corpus_compare import table_key as _table_key

from perfxl.reconcile import reconcile_file

CORPUS = Path(__file__).resolve().parent / "corpus_tables"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
@functools.cache
def _result(name: str):
    return reconcile_file(CORPUS / "files" / name)


def test_corpus_is_complete():
    """expected.json and files/ describe the same files (the builder writes both)."""
    assert sorted(EXPECTED) == sorted(p.name for p in (CORPUS / "files").iterdir())
    formats = Counter(entry["format"] for entry in EXPECTED.values())
    assert formats["xls"] >= 1 and formats["ods"] >= 1
    assert sum(len(entry["tables"]) > 1 for entry in EXPECTED.values()) >= 5


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_findings(name):
    result = _result(name)
    got = Counter(_finding_key(f.code, f.sheet, f.cell, f.expected, f.found) for f in result.findings)
    want = Counter(_finding_key(f["code"], f["sheet"], f["cell"], f["expected"], f["found"])
                   for f in EXPECTED[name]["findings"])
    assert got == want, _diff(got, want)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tables(name):
    """Every table, in reading order, with its kind, title, totals and grades."""
    result = _result(name)
    got = [_table_key(lambda field, t=t: getattr(t, field)) for t in result.tables]
    want = [_table_key(lambda field, t=t: t[field]) for t in EXPECTED[name]["tables"]]
    assert got == want


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_file_fields(name):
    expected = EXPECTED[name]
    result = _result(name)
    assert result.layout == expected["layout"]
    assert result.format == expected["format"]
    if expected["scheme"] is not None:
        assert result.scheme == expected["scheme"]
    tables = expected["tables"]
    first = next((t for t in tables if t["kind"] == "overall"), tables[0])
    for field in FILE_FIELDS:
        assert _norm(getattr(result, field)) == _norm(first[field]), field


def test_clean_files_are_clean():
    clean = [name for name, entry in EXPECTED.items() if not entry["findings"]]
    assert len(clean) >= 5
    for name in clean:
        assert _result(name).status == "clean", name
