"""Word reports: the scoring tables inside a .docx, the figures its text states, annotated copies."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from perfxl import codes
from perfxl.outputs.annotate_docx import annotate_report
from perfxl.reconcile import reconcile_file

HEADERS = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
ROWS = [("产出指标", "数量指标", "宣讲活动", "≥10场", "10场", "20", "20", ""),
        ("产出指标", "数量指标", "文艺演出", "≥5场", "5场", "20", "20", ""),
        ("效益指标", "社会效益指标", "群众知晓率", "提升", "提升", "20", "20", ""),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "95%", "10", "10", ""),
        ("成本指标", "经济成本指标", "项目成本", "≤100万元", "90万元", "20", "20", "")]


def scoring_table(document, total: str = "90") -> None:
    """A 自评表 as Word holds it: 一级/二级指标 merged down (vMerge), 总分 merged across (gridSpan)."""
    table = document.add_table(rows=len(ROWS) + 2, cols=len(HEADERS))
    for column, text in enumerate(HEADERS):
        table.cell(0, column).text = text
    for row, values in enumerate(ROWS, start=1):
        for column, text in enumerate(values):
            if column > 1 or row == 1 or ROWS[row - 2][column] != text:
                table.cell(row, column).text = text
    table.cell(1, 0).merge(table.cell(2, 0))  # 产出指标 over two rows
    table.cell(1, 1).merge(table.cell(2, 1))
    last = len(ROWS) + 1
    table.cell(last, 0).merge(table.cell(last, 4)).text = "总分"
    table.cell(last, 5).text = "90"
    table.cell(last, 6).text = total


def report(path: Path, *paragraphs: str, total: str = "90", table: bool = True) -> Path:
    document = docx.Document()
    document.add_heading("一、部门整体支出绩效情况", 1)
    for text in paragraphs[:1]:
        document.add_paragraph(text)
    if table:
        scoring_table(document, total)
    for text in paragraphs[1:]:
        document.add_paragraph(text)
    document.save(path)
    return path


def findings(path: Path) -> list[tuple]:
    return [(f.code, f.sheet, f.cell, f.expected, f.found) for f in reconcile_file(path).findings]


def test_a_word_table_with_merged_cells_is_read_and_checked(tmp_path):
    clean = reconcile_file(report(tmp_path / "clean.docx", "绩效评价得分：90分，评价等次为优。"))
    assert (clean.layout, clean.format, clean.status) == ("word-report", "docx", "clean")
    assert [(t.sheet, t.kind, t.declared_total, t.computed_total) for t in clean.tables] == [
        ("表1", "overall", Decimal(90), Decimal(90))]
    wrong = findings(report(tmp_path / "wrong.docx", "", total="95"))
    assert ("TOTAL_MISMATCH", "表1", "R7C7", Decimal(90), Decimal(95)) in wrong


def test_the_text_is_checked_against_the_table_and_its_own_arithmetic(tmp_path):
    path = report(tmp_path / "r.docx",
                  "本年支出总额 1351.68 万元，其中基本支出 501.65 万元，占总支出 37.11%，基本支出中人员支出 415.13 万元，"
                  "公用支出 86.51 万元；项目支出 850.03 万元，占总支出 62.89%。",
                  "全年预算数3663.27万元，执行数2659.40万元，完成预算的72.60%。",
                  "产出指标得分40分，效益指标得分20分，满意度得分10分，成本指标得分18分，绩效评价得分为90分，评价等次为良好。",
                  "项目整体效果良好，取得了良好的社会效益。")
    assert set(findings(path)) == {
        ("NARRATIVE_MISMATCH", "正文", "P4", Decimal(88), Decimal(90)),  # its parts add to 88
        ("NARRATIVE_MISMATCH", "正文", "P4", Decimal(20), Decimal(18)),  # 成本 is 20 in 表1
        ("NARRATIVE_MISMATCH", "正文", "P4", "优", "良好")}  # 90 is 优; loose words claim nothing


def test_wrong_amounts_shares_and_rates_in_the_text(tmp_path):
    path = report(tmp_path / "r.docx",
                  "本年支出总额 1351.68 万元，其中基本支出 501.65 万元，占总支出 40.00%，基本支出中人员支出 425.13 万元，"
                  "公用支出 86.51 万元；项目支出 850.03 万元。",
                  "全年预算数3663.27万元，执行数2659.40万元，完成预算的80.00%。", table=False)
    assert set(findings(path)) == {
        ("NARRATIVE_MISMATCH", "正文", "P2", Decimal("511.64"), Decimal("501.65")),
        ("NARRATIVE_MISMATCH", "正文", "P2", Decimal("0.3711"), Decimal("0.4")),
        ("NARRATIVE_MISMATCH", "正文", "P3", Decimal("0.7260"), Decimal("0.8")),
        ("SCORING_TABLE_MISSING", None, None, None, None)}  # no table: only the text was checked


def test_rounding_and_partial_lists_are_not_faults(tmp_path):
    path = report(tmp_path / "r.docx",
                  "基本支出 501.65 万元，基本支出中人员支出 415.13 万元，公用支出 86.51 万元。",  # 501.64: rounding
                  "支出总额 1351.68 万元，其中办公费 12.30 万元，差旅费 8.10 万元。", table=False)  # a partial list
    assert findings(path) == [("SCORING_TABLE_MISSING", None, None, None, None)]


def test_a_word_97_document_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "报告.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    result = reconcile_file(path)
    assert result.status == "unreadable" and result.format == "doc"
    from perfxl.codes import render

    assert ".docx" in render(result.findings[0]) and ".docx" in render(result.findings[0], "en")


def test_hostile_documents_are_refused(tmp_path):
    good = report(tmp_path / "good.docx", "绩效评价得分：90分。")
    with zipfile.ZipFile(good) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["word/document.xml"] = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]>' + parts["word/document.xml"]
    hostile = tmp_path / "dtd.docx"
    with zipfile.ZipFile(hostile, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    result = reconcile_file(hostile)
    assert result.status == "unreadable" and result.findings[0].params["reason"] == "xml_dtd"
    truncated = tmp_path / "cut.docx"
    truncated.write_bytes(good.read_bytes()[:300])
    assert reconcile_file(truncated).status == "unreadable"


def test_annotated_copies_comment_the_report_and_never_stack(tmp_path):
    (tmp_path / "in").mkdir()
    source = report(tmp_path / "in" / "报告.docx", "绩效评价得分：98分，评价等次为优。", total="95")
    result = reconcile_file(source)
    before = source.read_bytes()
    copy = annotate_report(result, tmp_path / "退回")
    assert source.read_bytes() == before
    document = docx.Document(copy)
    assert document.paragraphs[0].text == "审核意见"
    assert len(list(document.comments._comments_elm)) == len(result.findings) >= 2
    lines = [p.text for p in document.paragraphs[3:3 + len(result.findings)]]
    comments = [c.text for c in document.comments]
    for finding in result.findings:  # the words first, the code last: in the review section and the comments
        line = next(text for text in lines if text.endswith(f"（{finding.code}）"))
        assert re.match(rf"\d+\.【(错误|警告)】.*：{codes.label(finding.code)}：", line), line
        assert any(c.startswith(codes.label(finding.code) + "：") and c.endswith(f"（{finding.code}）")
                   for c in comments)
    assert not any("[" in text for text in lines + comments)
    again = reconcile_file(copy)  # the copy reads like the original: its review section is skipped
    assert [(f.code, f.cell) for f in again.findings] == [(f.code, f.cell) for f in result.findings]
    second = docx.Document(annotate_report(again, tmp_path / "退回2"))
    assert [p.text for p in second.paragraphs].count("审核意见") == 1
    assert len(list(second.comments._comments_elm)) == len(result.findings)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_narrative_messages_quote_the_sentence(tmp_path, lang):
    from perfxl.codes import render

    path = report(tmp_path / "r.docx", "", "绩效评价得分：98分。")
    finding = next(f for f in reconcile_file(path).findings if f.code == "NARRATIVE_MISMATCH")
    message = render(finding, lang)
    assert "绩效评价得分：98分" in message and "98" in message and "90" in message
    assert ("表1" in message) and (("不一致" in message) if lang == "zh" else ("gives" in message))
