"""The Word-report corpus (tests/corpus_docx, built by build_corpus_docx.py).

Self-evaluation reports as .docx (layout ``word-report``): scoring tables as Word tables with merged
cells, checked like a workbook's, and the figures the text states (NARRATIVE_MISMATCH). Some files are
LibreOffice's saves of another (``*_lo.docx``), one is a Word 97 ``.doc`` (UNREADABLE_FILE).
tests/corpus_docx/README.md gives the conventions: ``表N`` / ``R{row}C{col}`` (grid columns) for table
cells, ``正文`` / ``P{n}`` (python-docx ``Document(path).paragraphs``, empty ones counted) for text.

What this test assumes of ``perfxl.reconcile.reconcile_file(path)``'s result:
- ``result.findings``: objects with ``code``, ``sheet``, ``cell``, ``expected``, ``found`` (numbers
  as Decimal/int/float, text as str, absent as None), compared as a multiset after rounding numbers
  half-up to 2 decimals (4 for EXECUTION_RATE_MISMATCH, SPENDING_PERFORMANCE_GAP and
  NARRATIVE_MISMATCH, whose rates and shares are fractions); an UNREADABLE_FILE finding carries its
  reason code in ``params["reason"]``;
- ``result.tables``: the scoring tables in document order, objects with ``sheet``, ``kind``,
  ``title`` (None counts as ""), ``declared_total``, ``computed_total``, ``declared_grade``,
  ``computed_grade``;
- ``result.layout``, ``result.format``, ``result.scheme``, ``result.status``, and the file-level
  totals and grades, those of the first ``overall`` table, else of the first table (None without a
  table).
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

CORPUS = Path(__file__).resolve().parent / "corpus_docx"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
@functools.cache
def _result(name: str):
    return reconcile_file(CORPUS / "files" / name)


def test_corpus_is_complete():
    """expected.json and files/ describe the same files (the builder writes both)."""
    assert sorted(EXPECTED) == sorted(p.name for p in (CORPUS / "files").iterdir())
    formats = Counter(entry["format"] for entry in EXPECTED.values())
    assert formats["docx"] >= 14 and formats["doc"] == 1
    assert sum(name.endswith("_lo.docx") for name in EXPECTED) >= 3
    assert sum(len(entry["tables"]) > 1 for entry in EXPECTED.values()) >= 4
    codes = Counter(f["code"] for entry in EXPECTED.values() for f in entry["findings"])
    assert codes["NARRATIVE_MISMATCH"] >= 7 and codes["TOTAL_MISMATCH"] >= 1


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_findings(name):
    result = _result(name)
    got = Counter(_finding_key(f.code, f.sheet, f.cell, f.expected, f.found) for f in result.findings)
    want = Counter(_finding_key(f["code"], f["sheet"], f["cell"], f["expected"], f["found"])
                   for f in EXPECTED[name]["findings"])
    assert got == want, _diff(got, want)
    for f in EXPECTED[name]["findings"]:
        if "reason" in f:
            reasons = [g.params.get("reason") for g in result.findings if g.code == f["code"]]
            assert f["reason"] in reasons, reasons


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tables(name):
    """Every scoring table, in document order, with its kind, title, totals and grades."""
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
    first = next((t for t in tables if t["kind"] == "overall"), tables[0]) if tables else dict.fromkeys(FILE_FIELDS)
    for field in FILE_FIELDS:
        assert _norm(getattr(result, field)) == _norm(first[field]), field


def test_clean_files_are_clean():
    """Reports whose tables and text agree (loose words, ambiguous claims and rounded amounts included)."""
    clean = [name for name, entry in EXPECTED.items() if not entry["findings"]]
    alone = [name for name, entry in EXPECTED.items()  # a report with no table: its text checked, a warning said
             if [f["code"] for f in entry["findings"]] == ["SCORING_TABLE_MISSING"]]
    assert len(clean) + len(alone) >= 4
    for name in clean:
        assert _result(name).status == "clean", name
    for name in alone:
        assert _result(name).status == "warnings", name


def test_doc_is_unreadable():
    for name, entry in EXPECTED.items():
        if entry["format"] == "doc":
            assert _result(name).status == "unreadable", name
