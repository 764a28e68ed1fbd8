"""A hand-made form whose first-level weights no shipped scheme has is checked under its own weights.

Issue 17: Sichuan's 10 + 90 free split, three-part 产出60/效益20/满意度10 tables, Hubei's form whose
funds row carries the table's 100 points. The published tables of tests/published exercise these on
real files; here the rule is pinned on forms built for the purpose, on both sides of each threshold.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from perfxl import codes
from perfxl.reconcile import reconcile_file

LEVELS = {"output": "产出指标", "benefit": "效益指标", "satisfaction": "满意度指标", "cost": "成本指标"}


def write_form(path: Path, weights: dict[str, int], budget_weight: int = 10, *, total: int | None = None,
               funds_label: str = "年度资金总额", scores: dict[str, int] | None = None) -> Path:
    """A project table in the central form: funds block, one indicator per first-level part, 总分.

    Each indicator is fully met (100% of a 100% target) and scores its weight unless ``scores`` says
    otherwise; the budget is fully spent, so the budget part scores its weight too.
    """
    scores = scores or weights
    book = Workbook()
    sheet = book.active
    sheet.title = "自评表"
    sheet.append(["项目支出绩效自评表"])
    sheet.append(["项目名称", "测试项目"])
    sheet.append(["项目资金(万元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    sheet.append(["", funds_label, 100, 100, 100, budget_weight, 1, budget_weight])
    sheet.append(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])
    for key, weight in weights.items():
        sheet.append([f"{LEVELS[key]}({weight}分)", "数量指标", f"{LEVELS[key]}完成率", "100%", "100%",
                      weight, scores[key], ""])
    declared = budget_weight + sum(scores.values()) if total is None else total
    sheet.append(["总分", "", "", "", "", budget_weight + sum(weights.values()), declared, ""])
    book.save(path)
    return path


def _codes(result) -> list[str]:
    return sorted(f.code for f in result.findings)


def test_a_three_part_table_is_checked_under_its_own_weights(tmp_path):
    result = reconcile_file(write_form(tmp_path / "f.xlsx", {"output": 60, "benefit": 20, "satisfaction": 10}))
    assert result.scheme == "table"
    assert _codes(result) == []
    assert result.tables[0].computed_total == Decimal(100)


def test_its_arithmetic_is_still_checked(tmp_path):
    path = write_form(tmp_path / "f.xlsx", {"output": 60, "benefit": 20, "satisfaction": 10}, total=97)
    result = reconcile_file(path)
    assert result.scheme == "table"
    [finding] = result.findings
    assert (finding.code, finding.expected, finding.found) == (codes.TOTAL_MISMATCH, Decimal(100), Decimal(97))


def test_own_weights_not_totalling_100_are_one_weight_mismatch(tmp_path):
    result = reconcile_file(write_form(tmp_path / "f.xlsx", {"output": 70, "benefit": 20, "satisfaction": 10}))
    assert result.scheme == "table"
    [finding] = [f for f in result.findings if f.code == codes.WEIGHT_MISMATCH]
    assert (finding.expected, finding.found, finding.cell) == (Decimal(100), Decimal(110), "F9")


def test_one_weight_off_a_shipped_scheme_is_a_slip_under_that_scheme(tmp_path):
    result = reconcile_file(write_form(tmp_path / "f.xlsx", {"output": 55, "benefit": 30, "satisfaction": 10}))
    assert result.scheme == "classic"
    [finding] = [f for f in result.findings if f.code == codes.WEIGHT_MISMATCH]
    assert (finding.expected, finding.found, finding.cell) == (Decimal(50), Decimal(55), "A6")


def test_the_shipped_weights_are_that_scheme(tmp_path):
    classic = reconcile_file(write_form(tmp_path / "c.xlsx", {"output": 50, "benefit": 30, "satisfaction": 10}))
    standard = reconcile_file(write_form(tmp_path / "s.xlsx", {"output": 40, "benefit": 20, "satisfaction": 10,
                                                                "cost": 20}))
    assert (classic.scheme, _codes(classic)) == ("classic", [])
    assert (standard.scheme, _codes(standard)) == ("standard", [])


def test_the_five_parts_of_the_standard_form_keep_its_weights(tmp_path):
    """Last year's 45/15 typed on this year's five-part form is a wrong weight, not a new scheme."""
    path = write_form(tmp_path / "f.xlsx", {"output": 45, "benefit": 15, "satisfaction": 10, "cost": 20})
    result = reconcile_file(path)
    assert result.scheme == "standard"
    assert sorted((f.expected, f.found) for f in result.findings if f.code == codes.WEIGHT_MISMATCH) == \
        [(Decimal(20), Decimal(15)), (Decimal(40), Decimal(45))]


def test_a_named_scheme_checks_the_weights(tmp_path):
    path = write_form(tmp_path / "f.xlsx", {"output": 60, "benefit": 20, "satisfaction": 10})
    result = reconcile_file(path, "classic")
    assert result.scheme == "classic"
    assert sorted((f.expected, f.found) for f in result.findings if f.code == codes.WEIGHT_MISMATCH) == \
        [(Decimal(30), Decimal(20)), (Decimal(50), Decimal(60))]


def test_a_funds_row_labelled_only_total_is_read(tmp_path):
    """Sichuan's export labels the funds row 总额: its 执行率 and 权重 are then checked."""
    path = write_form(tmp_path / "f.xlsx", {"output": 60, "benefit": 30}, funds_label="总额")
    result = reconcile_file(path)
    assert (result.scheme, _codes(result)) == ("table", [])
    assert result.tables[0].computed_total == Decimal(100)


def test_a_funds_row_worth_100_points_is_the_tables_total(tmp_path):
    """Hubei's form: 年度资金总额 分值 100 / 得分 98, the budget's execution scored as an indicator."""
    book = Workbook()
    sheet = book.active
    sheet.append(["项目名称", "测试项目"])
    sheet.append(["项目资金(万元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    sheet.append(["", "年度资金总额", 150, 150, 125.25, 100, 0.835, 98])
    sheet.append(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])
    sheet.append(["产出指标", "数量指标", "预算执行率", "100%", "83.5%", 20, 16.7, "资金按进度支付"])
    sheet.append(["效益指标", "社会效益指标", "群众办事便利度", "提升", "提升", 80, 80, ""])
    book.save(tmp_path / "f.xlsx")
    result = reconcile_file(tmp_path / "f.xlsx")
    assert result.scheme == "table"
    [finding] = result.findings
    assert (finding.code, finding.cell, finding.expected, finding.found) == \
        (codes.TOTAL_MISMATCH, "H3", Decimal("96.70"), Decimal(98))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(output=st.integers(1, 88), benefit=st.integers(1, 88), budget=st.integers(0, 30))
def test_any_split_is_checked_against_100(tmp_path, output, benefit, budget):
    """Three parts with any split: clean when it totals 100, one WEIGHT_MISMATCH (the total) when not,
    unless it is a shipped scheme or one weight off one."""
    satisfaction = 100 - budget - output - benefit
    satisfaction = satisfaction if satisfaction > 0 else 10
    weights = {"output": output, "benefit": benefit, "satisfaction": satisfaction}
    result = reconcile_file(write_form(tmp_path / "f.xlsx", weights, budget))
    off_classic = sum(a != b for a, b in zip((budget, output, benefit, satisfaction), (10, 50, 30, 10), strict=True))
    mismatches = [f for f in result.findings if f.code == codes.WEIGHT_MISMATCH]
    total = budget + output + benefit + satisfaction
    if off_classic <= 1:
        assert result.scheme == "classic"
        assert len(mismatches) == off_classic
    else:
        assert result.scheme == "table"
        assert [(f.expected, f.found) for f in mismatches] == ([] if total == 100 else [(Decimal(100), total)])
    assert not [f for f in result.findings if f.code not in (codes.WEIGHT_MISMATCH, codes.BUDGET_SCORE_MISMATCH)]
