"""The template as written: formulas, protection, metadata (no spreadsheet program involved)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from samples import LIWAN_2022, LUSONG_2024, input_cells

from perfxl.reading.template import read_template
from perfxl.reading.xlsx import Workbook
from perfxl.reconcile import reconcile_file
from perfxl.scheme import load_scheme, parse_scheme
from perfxl.template.layout import META_SHEET, SHEET
from perfxl.template.writer import build_template, write_template

#: Every function a template may use: all in Excel 2007, WPS and LibreOffice.
EXCEL_2007_ALLOWED = {"IF", "AND", "OR", "NOT", "ISNUMBER", "ROUND", "MIN", "MAX", "ABS", "SUM", "COUNT", "LEN", "N"}
FORBIDDEN_EXAMPLES = {"IFS", "XLOOKUP", "LET", "TEXTJOIN", "FILTER", "SEQUENCE", "SWITCH", "MAXIFS", "CONCAT"}


def all_formulas(data: bytes) -> list[str]:
    """Formulas in cells, conditional formats and data validations, straight from the XML."""
    formulas = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name).decode("utf-8")
                formulas += re.findall(r"<f>(.*?)</f>", xml)
                formulas += re.findall(r"<formula>(.*?)</formula>", xml)
                formulas += re.findall(r"<formula1>(.*?)</formula1>", xml)
    return formulas


@pytest.mark.parametrize("scheme", ["standard", "classic"])
def test_formulas_use_only_excel_2007_functions(scheme):
    data, info = build_template(scheme, department="某部门", year=2024)
    formulas = all_formulas(data)
    assert len(formulas) > len(info.layout.formulas)  # cells + conditional formats + validations
    used = set()
    for formula in formulas:
        text = re.sub(r"&quot;.*?&quot;|\".*?\"", "", formula)  # ignore string literals
        used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", text))
        assert "_xlfn" not in formula and "{" not in formula, formula
    assert used <= EXCEL_2007_ALLOWED, used - EXCEL_2007_ALLOWED
    assert {"IF", "ROUND", "MIN", "SUM", "ISNUMBER"} <= used
    assert not used & FORBIDDEN_EXAMPLES


def test_template_is_locked_and_carries_its_metadata(tmp_path):
    path = tmp_path / "t.xlsx"
    info = write_template(path, "standard", department="芦淞区委宣传部", year=2024, password="pw")
    book = load_workbook(path)
    sheet = book[SHEET]
    assert sheet.protection.sheet and sheet.protection.password
    assert book.security.lockStructure
    assert book[META_SHEET].sheet_state == "veryHidden"
    # Input cells are unlocked; labels and formulas are locked.
    for ref in ("D4", "F4", "H4", "C9", "D9", "E9", "G9", "H9", "I9", "K9", "B6"):
        assert sheet[ref].protection.locked is False, ref
    for ref in ("A9", "J4", "K4", "L4", "J9", "H21", "I21", info.layout.total_score, info.layout.grade):
        assert sheet[ref].protection.locked is not False, ref
    assert sheet["K4"].value.startswith("=IF(")
    with Workbook(path) as wb:
        assert wb.custom_properties["perfxl_template_id"] == info.template_id
        assert wb.custom_properties["perfxl_scheme"] == "standard"
        read = read_template(wb)
    assert read.layout.formulas == info.layout.formulas
    assert read.meta["department"] == "芦淞区委宣传部" and read.meta["year"] == "2024"


def test_official_labels_are_there(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(path, "standard", year=2024)
    values = {str(c.value) for row in load_workbook(path)[SHEET].iter_rows() for c in row if c.value}
    for label in ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", "一级指标", "二级指标",
                  "三级指标", "年度指标值", "实际完成值", "偏差原因分析及改进措施", "总分", "评价等次",
                  "数量指标", "质量指标", "时效指标", "服务对象满意度指标", "经济成本指标",
                  "2024年度部门（单位）整体支出绩效自评表", "产出指标\n（40分）"):
        assert label in values, label
    sheet = load_workbook(path)[SHEET]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9


def test_rows_per_group_come_from_the_scheme():
    scheme = load_scheme("standard")
    _, info = build_template(scheme)
    counts = {}
    for row in info.layout.rows:
        counts[row.group] = counts.get(row.group, 0) + 1
    assert counts["数量指标"] == 6 and counts["质量指标"] == 3 and counts["服务对象满意度指标"] == 3


def fill_with_openpyxl(template: Path, out: Path, sample=LUSONG_2024, **overrides) -> None:
    """A script fills the template: formulas stay, but nobody calculates them."""
    with Workbook(template) as wb:
        layout = read_template(wb).layout
    book = load_workbook(template)
    cells = input_cells(sample, layout)
    cells.update(overrides)
    for key, text in cells.items():
        name, _, cell = key.rpartition("!")
        sheet = book[name or SHEET]
        try:
            sheet[cell] = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            sheet[cell] = text
    book.save(out)


def test_never_recalculated_file_is_recomputed_by_perfxl(tmp_path):
    template = tmp_path / "t.xlsx"
    write_template(template, "standard", department=LIWAN_2022.department, year=2022)
    filled = tmp_path / "filled.xlsx"
    fill_with_openpyxl(template, filled, LIWAN_2022)
    result = reconcile_file(filled)
    assert result.codes() == ["NOT_RECALCULATED", "SPENDING_PERFORMANCE_GAP"]  # seed 002 executed 72.60%
    assert result.computed_total == result.declared_total
    assert str(result.computed_total) == "95.26"
    # The untouched template (cached values "") is not calculated either, but returned blank it is
    # one finding, not that and the five its blanks cause.
    blank = reconcile_file(template)
    assert [(f.code, f.variant) for f in blank.findings] == [("MISSING_VALUE", "blank")]


def test_script_typed_total_is_caught_even_without_recalculation(tmp_path):
    template = tmp_path / "t.xlsx"
    info = write_template(template, "standard", department=LUSONG_2024.department, year=2024)
    filled = tmp_path / "filled.xlsx"
    fill_with_openpyxl(template, filled, LUSONG_2024.with_row(2, actual="60", score="3", reason="天气"),
                       **{info.layout.total_score: "97"})
    result = reconcile_file(filled)
    total = next(f for f in result.findings if f.code == "TOTAL_MISMATCH")
    assert (total.cell, total.expected, total.found) == (info.layout.total_score, 95, 97)
    assert "FORMULA_OVERWRITTEN" in result.codes()


def test_structure_protection_removed(tmp_path):
    template = tmp_path / "t.xlsx"
    write_template(template, "standard", year=2024)
    unlocked = tmp_path / "unlocked.xlsx"
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(unlocked, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb"<workbookProtection[^>]*/>", b"", data)
            dst.writestr(item, data)
    found = [f for f in reconcile_file(unlocked).findings if f.code == "PROTECTION_REMOVED"]
    assert [f.variant for f in found] == ["workbook"]
    assert not [f for f in reconcile_file(template).findings if f.code == "PROTECTION_REMOVED"]


def test_the_template_marks_what_reconcile_warns_about(tmp_path):
    """Live marks in the sheet for 全年预算数 0, targets far exceeded and spending far behind the
    indicators, from the scheme's own overshoot_ratio and gap_threshold (Excel 2007 functions only)."""
    import re

    text = (Path(__file__).resolve().parent.parent / "templates" / "schemes" / "standard.toml").read_text(
        encoding="utf-8")
    scheme = parse_scheme(text.replace("overshoot_ratio = 1.2", "overshoot_ratio = 1.5")
                          .replace("gap_threshold = 0.05", "gap_threshold = 0.1"), "test")
    path = tmp_path / "t.xlsx"
    write_template(path, scheme, year=2024)
    rules = [rule.formula[0] for cf in load_workbook(path)[SHEET].conditional_formatting for rule in cf.rules]
    assert "AND(ISNUMBER(F4),F4=0)" in rules
    overshoot = [r for r in rules if "*1.5" in r]
    assert len(overshoot) == sum(len(level.groups) for level in scheme.levels)
    assert 'OR(D9="≥",D9=">",D9="=",D9="")' in overshoot[0]  # 数量指标: higher is better, blank op too
    cost = next(r for r in overshoot if "D39" in r)
    assert 'D39=""' not in cost  # 成本指标: lower is better unless the row says ≥
    gap = next(r for r in rules if "L4/J4" in r)
    assert "0.1*" in gap and "/90" in gap
    assert not [r for r in rules if re.search(r"\b(IFS|XLOOKUP|LET|IFERROR)\(", r)]


# --- marks, grade and printing --------------------------------------------------------------------------


def _rules(sheet) -> list[tuple[set[int], str]]:
    """Each conditional format of a sheet: the rows it covers and its formula."""
    out = []
    for cf in sheet.conditional_formatting:
        rows = {row for cells in cf.sqref.ranges for row in range(cells.min_row, cells.max_row + 1)}
        out += [(rows, rule.formula[0]) for rule in cf.rules]
    return out


@pytest.mark.parametrize("scheme", ["standard", "classic"])
def test_marks_are_only_where_the_department_types(scheme, tmp_path):
    """The 偏差原因 and score marks cover the indicator rows, never a locked 小计 row (no one could
    clear them there); the weight marks wait until a weight is typed."""
    path = tmp_path / "t.xlsx"
    info = write_template(path, scheme, year=2024)
    layout = info.layout
    rules = _rules(load_workbook(path)[SHEET])
    indicator_rows = {row.row for row in layout.rows}
    subtotals = {block.subtotal_row for block in layout.levels}
    reason = [rows for rows, formula in rules if "LEN(K9)=0" in formula]
    score = [rows for rows, formula in rules if formula.startswith("AND(ISNUMBER(I9),OR(I9<0")]
    assert reason == [indicator_rows] and score == [indicator_rows]
    assert not indicator_rows & subtotals
    for block in layout.levels:
        [weight] = [formula for rows, formula in rules if rows == {block.subtotal_row} and "<>" in formula]
        assert weight.startswith(f"AND(COUNT(H{block.first_row}:H{block.subtotal_row - 1})>0,")
    total_row = int(layout.total_weight[1:])
    [total] = [formula for rows, formula in rules if rows == {total_row}]
    assert total.startswith("AND(COUNT(H9:") and total.endswith(f"{layout.total_weight}<>100)")


def test_the_grade_waits_for_a_score(tmp_path):
    """A blank template has a total of 0 but no grade (not 差): in the sheet and in perfxl alike."""
    from decimal import Decimal

    from perfxl.checking.recompute import recompute
    from perfxl.scheme import rules

    data, info = build_template("standard", year=2024)
    grade = info.layout.formulas[info.layout.grade]
    assert grade.startswith("IF(COUNT(I9:I20,I22:I33,I35:I37,I39:I47)>0,IF(ISNUMBER(I49),")
    scheme = load_scheme("standard")
    assert rules.compute(rules.table_grade(scheme), total=Decimal(0), scored=Decimal(0)) == ""
    assert rules.compute(rules.table_grade(scheme), total=Decimal(0), scored=Decimal(1)) == "差"
    path = tmp_path / "blank.xlsx"
    path.write_bytes(data)
    with Workbook(path) as book:
        read = read_template(book)
    result = recompute(read.table, read.scheme)
    assert result.total == 0 and result.grade is None


@pytest.mark.parametrize("scheme", ["standard", "classic"])
def test_print_setup(scheme, tmp_path):
    """自评表: A4 landscape at a fixed scale (Excel ignores page breaks under fit-to-page), the header
    row repeated, page breaks only where a first-level block begins; the amount sheets one page wide."""
    path = tmp_path / "t.xlsx"
    info = write_template(path, scheme, year=2024)
    book = load_workbook(path)
    sheet = book[SHEET]
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.scale) == ("landscape", 9, 75)
    assert not sheet.sheet_properties.pageSetUpPr or not sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$8:$8"
    starts = [block.first_row for block in info.layout.levels]
    assert [brk.id + 1 for brk in sheet.row_breaks.brk] == [starts[1]]  # 产出指标 | the rest
    assert sheet.print_area == f"'{SHEET}'!$A$1:$L${info.layout.footer_row + 2}"
    assert "A3:C3" in {str(r) for r in sheet.merged_cells.ranges} and sheet["A3"].value == "年度预算申请（万元）"
    assert sheet.oddFooter.center.text == "&A　第 &P 页"
    for name in ("资金构成", "基础数据表"):
        other = book[name]
        assert other.sheet_properties.pageSetUpPr.fitToPage, name
        assert (other.page_setup.fitToWidth or 1, other.page_setup.fitToHeight) == (1, 0), name  # 1 by default
    assert book["基础数据表"].row_dimensions[1].height == 30
    assert book["基础数据表"].row_dimensions[2].height > 15  # 2024年实际在职人数 takes two lines


def test_page_breaks_fall_between_first_level_blocks():
    """Whatever the scale, a page breaks only where a block begins, never leaving totals alone."""
    from perfxl.template.layout import build_layout
    from perfxl.template.writer import page_breaks, sheet_row_heights

    for name in ("standard", "classic"):
        scheme = load_scheme(name)
        layout = build_layout(scheme)
        heights = sheet_row_heights(scheme, layout)
        starts = [block.first_row for block in layout.levels]
        seen = set()
        for scale in range(30, 101, 5):
            breaks = page_breaks(layout, heights, scale)
            assert set(breaks) <= set(starts[1:]) and breaks == sorted(breaks), (name, scale, breaks)
            seen.add(len(breaks))
        assert 0 in seen and max(seen) >= 1  # small scales need no break, large ones do
    standard = load_scheme("standard")
    layout = build_layout(standard)
    heights = sheet_row_heights(standard, layout)
    assert page_breaks(layout, heights, 75) == [22]  # 产出 | 效益, 满意度, 成本 and the totals
    assert page_breaks(layout, heights, 100) == [22, 39]  # 产出 | 效益, 满意度 | 成本 and the totals
    assert page_breaks(layout, {**heights, 6: 400.0}, 75) == [22]  # a first block too tall stays on page 1


def test_checks_leave_the_table_as_read(tmp_path):
    """A never-calculated file: the check fills perfxl's values into a copy, not into the table read."""
    from perfxl import checking

    template = tmp_path / "t.xlsx"
    write_template(template, "standard", department=LIWAN_2022.department, year=2022)
    filled = tmp_path / "filled.xlsx"
    fill_with_openpyxl(template, filled, LIWAN_2022)
    with Workbook(filled) as book:
        read = read_template(book)
    before = (read.table.total_score.value, read.table.total_score.derived, read.table.funds["rate"].value)
    checked = checking.check(read.table, read.scheme)
    assert (read.table.total_score.value, read.table.total_score.derived, read.table.funds["rate"].value) == before
    assert read.table.total_score.number is None and not read.table.total_score.derived
    assert checked.table is not read.table and checked.table.record.scheme is read.scheme
    assert checked.table.total_score.derived and str(checked.table.total_score.number) == "95.26"
    assert "NOT_RECALCULATED" in [f.code for f in checked.findings]
