"""The header vocabulary and the reading rules of issue 17, on seed 003's form changed as provinces print it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from standard_forms import SEED_003_ROWS, seed_003_workbook

from perfxl.numbers import parse_quantity
from perfxl.reconcile import reconcile_file
from perfxl.template.writer import write_template
from perfxl.vocabulary import (
    FUNDS_HEADERS,
    INDICATOR_HEADERS,
    REFERENCE_SCORE,
    header_word,
    is_placeholder_name,
    label,
)

SEED_FINDINGS = [("SCORE_RULE_MISMATCH", "I23")]  # seed 003's own slip: 17 typed where its rule gives 14.85


def findings(path):
    return [(f.code, f.cell) for f in reconcile_file(path).findings]


@pytest.mark.parametrize(("text", "word"), [
    ("全年预算数（A）", "全年预算数"), ("执行率（B/A）", "执行率"), ("执行率（%）", "执行率"),
    ("金额（万元）", "金额"), ("分值", "分值"), ("偏差原因（含改进措施）", "偏差原因(含改进措施)")])
def test_header_word_drops_the_column_note_only(text, word):
    assert header_word(label(text)) == word


@pytest.mark.parametrize(("name", "placeholder"), [
    ("指标2:", True), ("指标 3：", True), ("指标1:/", True), ("……", True), ("...", True), ("/", True),
    ("指标数量", False), ("指标2完成率", False), ("无", False), ("公众满意度", False)])
def test_placeholder_names(name, placeholder):
    assert is_placeholder_name(name) is placeholder


@pytest.mark.parametrize(("text", "sign"), [("≧5场", "≥"), ("≦3天", "≤"), ("═100%", "="), ("﹦1颗", "="), ("＞＝2", "≥")])
def test_comparison_signs_as_provinces_type_them(text, sign):
    assert parse_quantity(text)[0] == sign


def test_the_template_prints_the_vocabulary_first_words(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(path)
    sheet = load_workbook(path).worksheets[0]
    row8 = [cell.value for cell in sheet[8]]
    printed = [text for text in row8 if text]
    assert printed == [words[0] for key, words in INDICATOR_HEADERS.items() if key != "reason"] \
        + [REFERENCE_SCORE, INDICATOR_HEADERS["reason"][0]]
    assert FUNDS_HEADERS["initial"][0] in [cell.value for cell in sheet[3]]


def test_spare_sample_lines_are_not_indicators(tmp_path):
    rows = list(SEED_003_ROWS)
    rows[12] = (None, "社会成本指标", "指标1:", "/", "/", "/", "/", "/")
    rows[13] = (None, "生态环境成本指标", "……", None, None, None, None, None)
    assert findings(seed_003_workbook(tmp_path / "a.xlsx", rows=rows)) == SEED_FINDINGS
    # a line that carries a weight is an indicator someone started, not a spare line
    rows[13] = (None, "生态环境成本指标", "指标2", "/", "/", 5, "/", "/")
    assert findings(seed_003_workbook(tmp_path / "b.xlsx", rows=rows)) == [
        ("WEIGHT_MISMATCH", "C23"), ("UNPARSEABLE_VALUE", "I25"), *SEED_FINDINGS]


def test_synonym_headers_and_scores_typed_with_their_unit(tmp_path):
    path = seed_003_workbook(tmp_path / "a.xlsx")
    book = load_workbook(path)
    sheet = book["附件3"]
    sheet["H11"], sheet["I11"], sheet["I12"] = "权重", "自评得分", "5分"
    book.save(path)
    result = reconcile_file(path)
    assert result.layout == "standard-form" and result.computed_total == 97
    assert [(f.code, f.cell) for f in result.findings] == SEED_FINDINGS


def test_rate_typed_as_a_number_under_a_percent_header(tmp_path):
    path = seed_003_workbook(tmp_path / "a.xlsx", funds=(476.74, 642.01, 642.01, 10, 100, 10))
    book = load_workbook(path)
    book["附件3"]["H4"] = "执行率（%）"
    book.save(path)
    assert findings(path) == SEED_FINDINGS
    book["附件3"]["H5"] = 90
    book.save(path)
    rate = [f for f in reconcile_file(path).findings if f.code == "EXECUTION_RATE_MISMATCH"]
    assert [(f.cell, f.expected, f.found) for f in rate] == [("H5", 1, Decimal("0.9"))]


def test_a_blank_rate_is_worked_out_and_the_budget_score_still_checked(tmp_path):
    assert findings(seed_003_workbook(tmp_path / "a.xlsx", funds=(476.74, 642.01, 642.01, 10, None, 10))) \
        == SEED_FINDINGS
    assert findings(seed_003_workbook(tmp_path / "b.xlsx", funds=(476.74, 642.01, 642.01, 10, None, 8))) == [
        ("BUDGET_SCORE_MISMATCH", "I5"), ("TOTAL_MISMATCH", "I26"), *SEED_FINDINGS]


@pytest.mark.parametrize(("typed", "expected"), [("100%", SEED_FINDINGS),
                                                 ("90%", [("EXECUTION_RATE_MISMATCH", "H6"), *SEED_FINDINGS])])
def test_an_empty_total_row_takes_its_figures_from_the_appropriation_row(tmp_path, typed, expected):
    path = seed_003_workbook(tmp_path / "a.xlsx", funds=(0, 0, 0, 10, None, 10), breakdown=False)
    book = load_workbook(path)
    for column, value in zip("CDEFGHI", ["其中：当年财政拨款", 476.74, 642.01, 642.01, None, typed, None], strict=True):
        book["附件3"][f"{column}6"] = value
    book.save(path)
    assert findings(path) == expected
