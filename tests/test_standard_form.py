"""Standard-form tables not made by perfxl: found by their labels, checked like templates."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from standard_forms import SEED_003_BASE, SEED_003_ROWS, seed_003_workbook

from perfxl.reconcile import reconcile_file


def by_code(result, code):
    return [f for f in result.findings if f.code == code]


def test_seed_003_as_published(tmp_path):
    result = reconcile_file(seed_003_workbook(tmp_path / "a.xlsx"))
    assert result.layout == "standard-form" and result.scheme == "standard"
    assert result.department == "中国共产党株洲市芦淞区委员会宣传部" and result.year == 2024
    assert (result.declared_total, result.computed_total) == (97, 97)
    assert [(f.code, f.sheet, f.cell, f.expected, f.found) for f in result.findings] == [
        ("SCORE_RULE_MISMATCH", "附件3", "I23", Decimal("14.85"), Decimal(17))]


def test_the_97_case_in_a_hand_made_table(tmp_path):
    rows = list(SEED_003_ROWS)
    rows[2] = (None, None, "文化惠民活动", "≥100场", "60场", 5, 3, "受天气影响部分场次取消")
    result = reconcile_file(seed_003_workbook(tmp_path / "a.xlsx", rows=rows, total=97))
    total = by_code(result, "TOTAL_MISMATCH")
    assert [(f.cell, f.expected, f.found) for f in total] == [("I26", 95, 97)]
    assert result.status == "errors"


def test_faults_in_rows(tmp_path):
    rows = list(SEED_003_ROWS)
    rows[0] = ("产出指标\n\n(40分)", "数量指标", "中心组学习", "12次", "12次", 5, "６分", "")
    rows[1] = (None, None, "《强国复兴有我》巡回宣讲", "≥5场", "5场", 5, "见说明", "")
    rows[3] = (None, None, "查处非法宗教活动", "≥4起", "4起", 6, 5, "")
    result = reconcile_file(seed_003_workbook(tmp_path / "a.xlsx", rows=rows, total=97))
    assert [(f.cell, f.expected, f.found) for f in by_code(result, "SCORE_OVER_WEIGHT")] == [("I12", 5, 6)]
    assert [(f.cell, f.found) for f in by_code(result, "UNPARSEABLE_VALUE")] == [("I13", "见说明")]
    assert [(f.cell, f.expected, f.found) for f in by_code(result, "WEIGHT_MISMATCH")] == [("C12", 40, 41)]
    assert [f.cell for f in by_code(result, "DEVIATION_REASON_MISSING")] == ["J15"]


def test_label_weight_that_differs_from_the_scheme(tmp_path):
    rows = list(SEED_003_ROWS)
    rows[0] = ("产出指标（45分）", *rows[0][1:])
    result = reconcile_file(seed_003_workbook(tmp_path / "a.xlsx", rows=rows))
    assert [(f.cell, f.expected, f.found, f.variant) for f in by_code(result, "WEIGHT_MISMATCH")] == [
        ("C12", 40, 45, "level")]


def test_funds_block_rate_score_and_grade(tmp_path):
    path = seed_003_workbook(tmp_path / "a.xlsx", funds=(476.74, 642.01, 642.01, 10, "95%", 9), total=96,
                             grade="良")
    result = reconcile_file(path)
    assert [(f.cell, f.expected, f.found) for f in by_code(result, "EXECUTION_RATE_MISMATCH")] == [
        ("H5", 1, Decimal("0.95"))]
    assert [(f.cell, f.expected, f.found) for f in by_code(result, "BUDGET_SCORE_MISMATCH")] == [("I5", 10, 9)]
    assert [(f.cell, f.expected, f.found) for f in by_code(result, "GRADE_MISMATCH")] == [("I27", "优", "良")]


def test_funds_breakdown_text_cells(tmp_path):
    path = seed_003_workbook(tmp_path / "a.xlsx")
    assert not by_code(reconcile_file(path), "AMOUNT_SUM_MISMATCH")
    from openpyxl import load_workbook

    book = load_workbook(path)
    book["附件3"]["C10"] = "其他资金：17.76"
    book.save(path)
    gaps = by_code(reconcile_file(path), "AMOUNT_SUM_MISMATCH")
    assert [(f.sheet, f.cell, f.expected, f.found) for f in gaps] == [
        ("附件3", "C6", Decimal("632.01"), Decimal("642.01"))]


def test_funds_breakdown_rows_use_interval_tolerance(tmp_path):
    """Seed 000: 基本支出 501.65 = 人员 415.13 + 公用 86.51 (501.64) passes; a real gap does not."""
    def book_with(public):
        book = Workbook()
        sheet = book.active
        sheet["A1"] = "2023年度部门整体支出绩效自评表"
        for column, text in zip("BCDEFG", ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], strict=True):
            sheet[f"{column}3"] = text
        sheet["A4"], sheet["C4"], sheet["D4"], sheet["E4"], sheet["F4"], sheet["G4"] = \
            "年度资金总额", 1351.68, 1351.68, 10, 1, 10
        sheet["A5"], sheet["C5"], sheet["D5"] = "其中：财政拨款", 1351.68, 1351.68
        sheet["A6"], sheet["C6"], sheet["D6"] = "基本支出", 501.65, 501.65
        sheet["A7"], sheet["C7"], sheet["D7"] = "其中：人员经费", 415.13, 415.13
        sheet["A8"], sheet["C8"], sheet["D8"] = "公用经费", public, public
        sheet["A9"], sheet["C9"], sheet["D9"] = "项目支出", 850.03, 850.03
        for column, text in zip("ABCDEFGH", ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值",
                                             "得分", "偏差原因分析及改进措施"], strict=True):
            sheet[f"{column}11"] = text
        sheet["A12"], sheet["B12"], sheet["C12"], sheet["D12"], sheet["E12"], sheet["F12"], sheet["G12"] = \
            "产出指标", "数量指标", "宣讲", "≥10场", "11场", 40, 40
        for index, (label, weight) in enumerate((("效益指标", 20), ("满意度指标", 10), ("成本指标", 20))):
            row = 13 + index
            sheet[f"A{row}"], sheet[f"B{row}"], sheet[f"C{row}"] = label, "指标", f"{label}项"
            sheet[f"D{row}"], sheet[f"E{row}"], sheet[f"F{row}"], sheet[f"G{row}"] = "提升", "提升", weight, weight
        sheet["A16"], sheet["F16"], sheet["G16"] = "总分", 100, 100
        path = tmp_path / f"seed000-{public}.xlsx"
        book.save(path)
        return path

    assert reconcile_file(book_with(86.51)).findings == []
    gaps = by_code(reconcile_file(book_with(76.51)), "AMOUNT_SUM_MISMATCH")
    assert {(f.cell, f.expected, f.found) for f in gaps} == {
        ("C6", Decimal("491.64"), Decimal("501.65")), ("D6", Decimal("491.64"), Decimal("501.65"))}


def test_base_data_table(tmp_path):
    assert reconcile_file(seed_003_workbook(tmp_path / "a.xlsx")).codes() == ["SCORE_RULE_MISMATCH"]
    base = list(SEED_003_BASE)
    base[6] = ("项目支出：", 222.21, 278.4, 391.36)
    result = reconcile_file(seed_003_workbook(tmp_path / "b.xlsx", base=base))
    gaps = by_code(result, "AMOUNT_SUM_MISMATCH")
    assert [(f.sheet, f.cell, f.expected, f.found) for f in gaps] == [
        ("附件2", "D12", Decimal("381.36"), Decimal("391.36"))]


def test_no_table_gives_unknown_layout(tmp_path):
    book = Workbook()
    book.active["A1"] = "关于报送2024年度绩效自评材料的函"
    path = tmp_path / "letter.xlsx"
    book.save(path)
    result = reconcile_file(path)
    assert result.codes() == ["UNKNOWN_LAYOUT"] and result.layout is None
    assert "一级指标" in result.findings[0].params["detail"]


@pytest.mark.parametrize("scheme", ["standard", "classic"])
def test_scheme_option_overrides_detection(tmp_path, scheme):
    result = reconcile_file(seed_003_workbook(tmp_path / "a.xlsx"), scheme)
    assert result.scheme == scheme
    assert bool(by_code(result, "WEIGHT_MISMATCH")) == (scheme == "classic")


def test_a_block_below_the_table_is_named_not_passed(tmp_path):
    """A 项目明细 list a clerk put under the scoring table, on the same sheet: SHEET_SKIPPED from its row."""
    from openpyxl import load_workbook

    from perfxl.codes import render

    source = Path(__file__).resolve().parent / "corpus" / "files" / "07_lusong_clean_synonyms.xlsx"
    book = load_workbook(source)
    sheet = book.active
    start = sheet.max_row + 3
    for offset, row in enumerate((("序号", "项目名称", "金额（万元）"), (1, "文化惠民", 120.5), (2, "理论宣讲", 80))):
        for column, value in enumerate(row, start=2):
            sheet.cell(row=start + offset, column=column, value=value)
    path = tmp_path / "with_list.xlsx"
    book.save(path)
    assert reconcile_file(source).findings == []
    skipped = [f for f in reconcile_file(path).findings if f.code == "SHEET_SKIPPED"]
    assert [(f.sheet, f.cell) for f in skipped] == [(sheet.title, None)]
    assert f"第 {start} 行起" in render(skipped[0]) and f"from row {start}" in render(skipped[0], "en")
    assert "序号、项目名称、金额(万元)" in render(skipped[0])
