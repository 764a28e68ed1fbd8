"""The reader's shortcuts give exactly what a full parse gives."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from lxml import etree

from perfxl.reading.xlsx import Workbook, _without_unread_sections, parse_xml

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


def _share_formulas(data: bytes) -> tuple[bytes, int]:
    """Rewrite a sheet the way Excel saves it: a run of copied formulas down a column becomes one
    shared formula (<f t="shared" ref=… si=…>) followed by <f t="shared" si=…/> in the other cells."""
    from openpyxl.formula.translate import Translator

    root = etree.fromstring(data)
    by_column: dict[str, list] = {}
    for c in root.iter(M + "c"):
        f = c.find(M + "f")
        if f is not None and f.text and not f.get("t"):
            column = re.match(r"[A-Z]+", c.get("r")).group(0)
            by_column.setdefault(column, []).append(c)
    index = shared = 0
    for cells in by_column.values():
        run = [cells[0]]
        for c in [*cells[1:], None]:
            origin = run[0]
            if c is not None:
                moved = Translator("=" + origin.find(M + "f").text, origin=origin.get("r")).translate_formula(c.get("r"))
                if moved[1:] == c.find(M + "f").text and int(c.get("r")[len(re.match(r"[A-Z]+", c.get("r")).group(0)):]) \
                        == int(run[-1].get("r")[len(re.match(r"[A-Z]+", run[-1].get("r")).group(0)):]) + 1:
                    run.append(c)
                    continue
            if len(run) > 1:
                head = origin.find(M + "f")
                head.set("t", "shared")
                head.set("ref", f"{origin.get('r')}:{run[-1].get('r')}")
                head.set("si", str(index))
                for follower in run[1:]:
                    f = follower.find(M + "f")
                    f.text = None
                    f.set("t", "shared")
                    f.set("si", str(index))
                index += 1
                shared += len(run) - 1
            run = [c] if c is not None else []
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), shared


@pytest.mark.parametrize("name", ["芦淞区委宣传部_2024_自评表.xlsx", "芦淞区委宣传部_2024_总分改为97.xlsx",
                                  "峨边县融媒体中心_2024_峨边在线项目_classic.xlsx"])
def test_shared_formulas_as_excel_saves_them_read_the_same(tmp_path, name):
    """LibreOffice writes every formula in full; Excel shares copied ones. Both must reconcile alike."""
    from perfxl.reconcile import reconcile_file

    source = ROOT / "examples" / name
    target = tmp_path / name
    shared_total = 0
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            data = original.read(info)
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", info.filename):
                data, count = _share_formulas(data)
                shared_total += count
            copy.writestr(info, data)
    assert shared_total > 10  # the reference-score column at least
    with Workbook(source) as a, Workbook(target) as b:
        for sheet in a.sheet_names:
            formulas = {ref: c.formula for ref, c in a.sheet(sheet).cells.items()}
            assert {ref: c.formula for ref, c in b.sheet(sheet).cells.items()} == formulas
    summary = lambda r: (r.status, r.declared_total, r.computed_total, [(f.code, f.cell) for f in r.findings])  # noqa: E731
    assert summary(reconcile_file(target)) == summary(reconcile_file(source))
