"""Seed 001's form (基础数据 tables by 机构, 综合得分, 评价等次) read into perfxl's table model.

The fixtures and what a reader must return are built by tests/base_data/build_base_data.py, which
computes every sum and every planted mismatch itself (Decimal, interval rule of domain.md §4).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from base_data.build_base_data import build
from openpyxl import Workbook as OpenpyxlWorkbook

from perfxl.checking.tables import check_amounts
from perfxl.model import KIND_BASE_DATA, LAYOUT_BASE_DATA
from perfxl.reading.base_data_form import read_base_data_forms
from perfxl.reading.xlsx import Workbook

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "base_data"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
STANDARD_FORMS = sorted((TESTS / "corpus" / "files").glob("*.xlsx")) + sorted(
    (TESTS.parent / "examples").glob("*.xlsx"))


def read(path: Path):
    with Workbook(path) as book:
        return read_base_data_forms(book)


def amount_findings(table) -> list[tuple[str, Decimal, Decimal, str]]:
    return sorted((f.cell, f.expected, f.found, f.params["label"])
                  for f in check_amounts(table) if f.code == "AMOUNT_SUM_MISMATCH")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name):
    forms = EXPECTED[name]["forms"]
    tables = read(FIXTURES / name)
    assert [t.sheet for t in tables] == [f["sheet"] for f in forms]
    for table, form in zip(tables, forms, strict=True):
        assert (table.layout, table.kind) == (LAYOUT_BASE_DATA, KIND_BASE_DATA)
        assert (table.department, table.year) == (form["department"], form["year"])
        assert (table.total_score.cell, table.total_score.number) == (
            form["total_score"]["cell"], Decimal(form["total_score"]["number"]))
        assert (table.grade.cell, table.grade.text) == (form["grade"]["cell"], form["grade"]["text"])
        assert table.indicators == [] and table.funds == {}
        names = []
        for s in table.sums:
            names.append(s.label.split(" ")[0])
            assert s.sheet == table.sheet
        assert list(dict.fromkeys(names)) == form["tables"]
        assert [[s.label, s.total.cell, [p.cell for p in s.parts]] for s in table.sums] == form["sums"]
        assert amount_findings(table) == sorted(
            (f["cell"], Decimal(f["expected"]), Decimal(f["found"]), f["label"]) for f in form["findings"])


def test_seed_001_figures():
    """The relations domain.md §6 names, with seed 001's own figures, as a clerk would read them."""
    (table,) = read(FIXTURES / "01_yueyang_2020_seed.xlsx")
    by_label = {s.label: s for s in table.sums}
    spending = by_label["支出表 1、局机关 支出合计（基本支出+项目支出）"]
    assert (spending.total.number, [p.number for p in spending.parts]) == (
        Decimal("1184.36"), [Decimal("311.68"), Decimal("872.68")])
    basic = by_label["支出表 局机关及二级机构汇总 基本支出（人员支出+公用支出）"]
    assert (basic.total.number, [p.number for p in basic.parts]) == (
        Decimal("311.68"), [Decimal("284.95"), Decimal("26.73")])
    assert "收入表 局机关及二级机构汇总 收入合计（上年结转+公共财政拨款+政府基金拨款+纳入专户管理的非税收入拨款+其他收入）" \
        in by_label
    assert "三公经费表 1、局机关 三公经费合计（公务接待费+公务用车运维费+公务用车购置费+因公出国费）" in by_label
    assert "固定资产表 1、局机关 固定资产合计（在用固定资产+出租固定资产+其他）" in by_label
    assert "收入表 局机关及二级机构汇总（上年结转）" in by_label
    assert not any("结余（" in label or "结余+" in label for label in by_label)  # balances are no parts
    assert table.total_score.number == 98 and table.grade.text == "优"
    assert check_amounts(table) == []


def test_text_amounts_keep_their_cells_and_decimals():
    """Word export: amounts typed as text with 万元 and full-width digits, read at their own cells."""
    (table,) = read(FIXTURES / "04_cover_offset_word.xlsx")
    summary = next(s for s in table.sums if s.label == "收入表 局机关及二级机构汇总（收入合计）")
    assert (summary.total.cell, summary.total.value, summary.total.number) == (
        "D15", "１１８４．３６万元", Decimal("1184.36"))
    assert summary.parts[0].value == "1184.36万元"
    assert table.total_score.value == "９８分"


@pytest.mark.parametrize("path", STANDARD_FORMS, ids=lambda p: p.name)
def test_standard_forms_are_not_base_data_forms(path):
    assert read(path) == []


def test_tables_without_a_score_are_no_form(tmp_path):
    book = OpenpyxlWorkbook()
    sheet = book.active
    sheet.append(["机构名称", "收入合计", "上年结转", "公共财政拨款"])
    sheet.append(["局机关及二级机构汇总", 10, 2, 8])
    sheet.append(["1、局机关", 10, 2, 8])
    book.save(tmp_path / "a.xlsx")
    assert read(tmp_path / "a.xlsx") == []
    sheet.append(["绩效自评综合得分", "90分"])
    book.save(tmp_path / "b.xlsx")
    (table,) = read(tmp_path / "b.xlsx")
    assert [s.label for s in table.sums] == [
        "收入表 局机关及二级机构汇总 收入合计（上年结转+公共财政拨款）", "收入表 1、局机关 收入合计（上年结转+公共财政拨款）",
        "收入表 局机关及二级机构汇总（收入合计）", "收入表 局机关及二级机构汇总（上年结转）",
        "收入表 局机关及二级机构汇总（公共财政拨款）"]


def test_label_variants(tmp_path):
    """'其中：人员经费' in one cell, a 合计 row below the 机构 rows, unnumbered 机构 names, 一般公共预算拨款."""
    book = OpenpyxlWorkbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet["B2"] = "2021年度部门整体支出绩效自评表"
    sheet.append([])
    rows = [
        [None, "单位名称", "支出合计", "基本支出", "其中：人员经费", "公用经费", "项目支出", "当年结余"],
        [None, "机关", 100, 60, 50, 10, 40, 5],
        [None, "融媒体中心", "30万元", 20, 15, 5, 10, None],
        [None, "合计", 130, 80, 65, 15, "55", 5],
        [],
        [None, "机构名称", "收入合计", "一般公共预算拨款", "政府性基金拨款", "其他收入"],
        [None, "机关", 105, 100, None, 5],
        [None, "合计", 105, 100, None, 5],
        [],
        [None, "绩效自评综合得分：95分"],
        [None, "评价等次", None, "优"],
    ]
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "v.xlsx")
    (table,) = read(tmp_path / "v.xlsx")
    assert table.year == 2021
    assert (table.total_score.cell, table.total_score.number) == ("B13", 95)
    assert (table.grade.cell, table.grade.text) == ("D14", "优")
    labels = [s.label for s in table.sums]
    assert labels[:3] == ["支出表 合计 支出合计（基本支出+项目支出）", "支出表 合计 基本支出（人员经费+公用经费）",
                          "支出表 机关 支出合计（基本支出+项目支出）"]
    assert "支出表 合计（当年结余）" in labels and "收入表 合计（政府性基金拨款）" in labels
    # 项目支出 of the 合计 row: 55 typed for 40 + 10 = 50, so 130 ≠ 80 + 55 in its row too
    assert amount_findings(table) == [
        ("C7", Decimal(135), Decimal(130), "支出表 合计 支出合计（基本支出+项目支出）"),
        ("G7", Decimal(50), Decimal(55), "支出表 合计（项目支出）")]


def test_fixtures_are_up_to_date(tmp_path):
    assert build(tmp_path) == EXPECTED
    for name in EXPECTED:
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), name


def test_reconcile_reads_the_form_and_checks_its_grade(tmp_path):
    """Through reconcile: layout base-data-form, one base-data table, the grade against 综合得分."""
    import openpyxl

    from perfxl.reconcile import reconcile_file

    source = FIXTURES / "01_yueyang_2020_seed.xlsx"
    clean = reconcile_file(source)
    assert (clean.status, clean.layout) == ("clean", "base-data-form")
    assert [(t.kind, t.declared_total, t.computed_grade) for t in clean.tables] == [("base-data", 98, "优")]
    book = openpyxl.load_workbook(source)
    grade_cell = next(cell for row in book.active.iter_rows() for cell in row if cell.value == "优")
    grade_cell.value = "良好"
    changed = tmp_path / "grade.xlsx"
    book.save(changed)
    result = reconcile_file(changed)
    assert [(f.code, f.cell, f.expected, f.found) for f in result.findings] == [
        ("GRADE_MISMATCH", grade_cell.coordinate, "优", "良好")]
