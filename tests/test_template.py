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
EXCEL_2007_ALLOWED = {"IF", "AND", "OR", "NOT", "ISNUMBER", "ROUND", "MIN", "MAX", "ABS", "SUM", "LEN", "N"}
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
    # The untouched xlsxwriter template (cached values "") is not calculated either.
    assert "NOT_RECALCULATED" in reconcile_file(template).codes()


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
