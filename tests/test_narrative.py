"""What a report's text states, read with precision (issue 18): only budget rates are execution
rates, a project's paragraphs belong to the table their heading names, an itemised list is checked
against its total; the seeds' own reports as Word files raise no false alarm."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from perfxl.collection.round import RoundOptions, run_round
from perfxl.reconcile import reconcile_file

HERE = Path(__file__).resolve().parent
SEED_REPORTS = sorted((HERE / "seed_reports").glob("*.docx"))
LIWAN_REPORT = HERE / "corpus_docx" / "files" / "08_liwan_rate.docx"  # its table: 72.60%
EXAMPLES = HERE.parent / "examples"


def narrative(result) -> list[tuple]:
    return [(f.cell, f.expected, f.found) for f in result.findings if f.code == "NARRATIVE_MISMATCH"]


def with_paragraphs(source: Path, target: Path, *texts: str) -> Path:
    document = docx.Document(source)
    for text in texts:
        document.add_paragraph(text)
    document.save(target)
    return target


def test_the_seed_reports_raise_no_false_alarm():
    assert len(SEED_REPORTS) == 5
    for path in SEED_REPORTS:
        result = reconcile_file(path)
        assert narrative(result) == [], path.name
        assert [f.code for f in result.findings] == ["SCORING_TABLE_MISSING"], path.name  # text only, said so


def test_a_work_completion_rate_is_no_execution_rate(tmp_path):
    """Seed 002's '基层站点规范化标准化建设完成率 100%' beside a table whose 执行率 is 72.60%."""
    assert narrative(reconcile_file(LIWAN_REPORT)) == []
    quiet = with_paragraphs(LIWAN_REPORT, tmp_path / "a.docx",
                            "六是基层站点规范化标准化建设完成率 100%，“扫黄打非”举报线索处理率 100%。")
    assert narrative(reconcile_file(quiet)) == []
    for wording in ("资金执行率为80.00%。", "全年预算执行率达到80.00%。", "本年度项目支出执行率80.00%。"):
        loud = with_paragraphs(LIWAN_REPORT, tmp_path / "b.docx", wording)
        [(_cell, expected, found)] = narrative(reconcile_file(loud))
        assert (expected, found) == (Decimal("0.726"), Decimal("0.8")), wording


def test_a_projects_paragraphs_belong_to_the_table_their_heading_names(tmp_path):
    """The conclusion under '2.数字化建设项目支出情况分析。' is that project's, although it never names it."""
    path = HERE / "corpus_docx" / "files" / "14_ebian_table_total.docx"
    assert (("P38", Decimal(28), Decimal(30))) in narrative(reconcile_file(path))  # 效益 30 in the text, 28 in 表4
    # The same text under a heading of a project that has no table in the report is tied to nothing.
    document = docx.Document()
    document.add_heading("三、项目支出情况", 1)
    document.add_paragraph("1.网络安全项目支出情况分析。")
    document.add_paragraph("（5）评价结论。项目预算执行得分10分，产出指标得分50分，效益指标得分20分，满意度得分10分，得分为90分。")
    document.save(tmp_path / "c.docx")
    result = reconcile_file(tmp_path / "c.docx")
    assert narrative(result) == []  # its parts add up; no table to compare with
    assert {claim.key for claim in result.claims} >= {"total", "level:output"}  # kept for the department's tables


def test_an_itemised_list_is_checked_against_its_total(tmp_path):
    """Seed 004: '项目支出65.20万元，其中项目3个，具体支出为：…' — the three items must add up to it."""
    document = docx.Document()
    for text in ("基本支出361.25万元，项目支出65.20万元，其中项目3个，具体支出为：数字化建设项目5.8万元、"
                 "推广服务费及保障安全播出经费项目14.4万元、峨边在线项目35万元。",
                 "基本支出361.25万元，项目支出65.20万元，其中项目3个，具体支出为：数字化建设项目5.8万元、"
                 "推广服务费及保障安全播出经费项目24.4万元、峨边在线项目35万元。",
                 "支出总额 1351.68 万元，其中办公费 12.30 万元，差旅费 8.10 万元。"):  # a partial list: silent
        document.add_paragraph(text)
    document.save(tmp_path / "d.docx")
    assert narrative(reconcile_file(tmp_path / "d.docx")) == [("P1", Decimal("55.2"), Decimal("65.20"))]


@pytest.mark.parametrize(("seed", "workbook"), [("002", "荔湾区委宣传部_2022_自评表.xlsx"),
                                                ("003", "芦淞区委宣传部_2024_自评表.xlsx")])
def test_a_seed_report_and_its_workbook_agree(tmp_path, seed, workbook):
    """Sent together, the published report and the department's table raise nothing between them:
    the report names its department, the workbook supplies the scoring table, the rate agrees."""
    inbox = tmp_path / "收回"
    inbox.mkdir()
    report = shutil.copy(next(p for p in SEED_REPORTS if p.name.startswith(seed)), inbox)
    shutil.copy(EXAMPLES / workbook, inbox)
    outcome = run_round(RoundOptions([inbox], no_ledger=True, timeout=None))
    result = next(r for r in outcome.results if r.path == str(report))
    assert result.findings == [] and result.status == "clean"
    assert len(outcome.rows) == 1
