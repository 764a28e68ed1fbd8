"""The reader's shortcuts give exactly what a full parse gives."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from lxml import etree

from perfxl.xlsx import Workbook, _without_unread_sections, parse_xml

ROOT = Path(__file__).resolve().parent.parent
WORKBOOKS = sorted((ROOT / "examples").glob("*.xlsx")) + sorted((ROOT / "tests" / "corpus" / "files").glob("*.xlsx"))
M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _sheet_parts(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as archive:
        return [archive.read(n) for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_cutting_unread_sections_keeps_everything_read(path):
    for data in _sheet_parts(path):
        full, cut = parse_xml(data, "x"), parse_xml(_without_unread_sections(data), "x")
        dropped = {"dataValidations", "conditionalFormatting", "extLst"}
        assert [c.tag for c in full if c.tag[len(M):] not in dropped] == [c.tag for c in cut]
        for name in ("sheetData", "mergeCells", "sheetProtection"):
            a, b = full.find(M + name), cut.find(M + name)
            assert (a is None and b is None) or etree.tostring(a) == etree.tostring(b)


def test_a_look_alike_tag_in_a_comment_cuts_nothing():
    data = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData><!-- <dataValidations> -->'
            b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells><!-- </dataValidations> --></worksheet>')
    assert _without_unread_sections(data) == data
    assert _without_unread_sections(data.replace(b"<!--", b"").replace(b"-->", b"")) != data


def test_longer_tag_names_are_not_cut():
    data = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData></sheetData>'
            b'<extLstX a="1"/><dataValidations count="0"/></worksheet>')
    assert _without_unread_sections(data) == data.replace(b'<dataValidations count="0"/>', b"")


def test_cells_without_references_are_numbered_in_order(tmp_path):
    """Some writers leave out r=; cells are then positional, and read as such."""
    path = tmp_path / "grid.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("表")
    for row in range(3):
        for col in range(3):
            sheet.write(row, col, f"{row}-{col}" if col else row * 10 + 0.5)
    sheet.write_formula(3, 0, "=A1+A2", None, 10.5)
    book.close()
    stripped = tmp_path / "no-refs.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(stripped, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", data)
                assert b'<c r="' not in data
            target.writestr(info, data)
    with Workbook(path) as original, Workbook(stripped) as numbered:
        expected = {ref: (c.value, c.formula) for ref, c in original.sheet("表").cells.items()}
        assert {ref: (c.value, c.formula) for ref, c in numbered.sheet("表").cells.items()} == expected
    assert expected["B3"] == ("2-1", None) and expected["A4"][1] == "A1+A2"
