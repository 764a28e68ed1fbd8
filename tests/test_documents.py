"""A department sends several documents, not several versions: a round never drops a table or a
report (issue 16). Newer files replace older ones document by document; a department's report is
compared with its tables; what is missing is listed; Ctrl-C and the ledger tell the truth."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from perfxl.cli import main
from perfxl.collection.round import RoundOptions, run_round
from perfxl.reconcile import reconcile_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EBIAN = "峨边彝族自治县融媒体中心"
EBIAN_BOOK = EXAMPLES / "峨边县融媒体中心_2024_整体与三个项目.xlsx"
EBIAN_REPORT = EXAMPLES / "峨边县融媒体中心_2024_自评报告.docx"
LUSONG = "中国共产党株洲市芦淞区委员会宣传部"
LUSONG_BOOK = EXAMPLES / "芦淞区委宣传部_2024_自评表.xlsx"  # declares 97
PROJECTS = ("峨边在线", "推广服务及保障安全播出", "数字化建设")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def roster(path: Path, *rows: tuple[str, str, str]) -> Path:
    path.write_text("部门编码,部门名称,项目名称\n" + "".join(f"{c},{n},{p}\n" for c, n, p in rows), encoding="utf-8")
    return path


def aged(path: Path, minutes: int) -> Path:
    """Files without a saved-at stamp count as sent at their file time: older by ``minutes``."""
    moment = time.time() - minutes * 60
    os.utime(path, (moment, moment))
    return path


def split_workbook(source: Path, keep: str, target: Path, saved: datetime) -> Path:
    """The department's workbook saved again with one table only, as a department sends each table
    in its own file; ``saved`` is the save time its spreadsheet program would stamp."""
    book = openpyxl.load_workbook(source)
    for name in book.sheetnames:
        if name != keep:
            del book[name]
    book.properties.modified = saved
    book.save(target)
    return target


def report_docx(path: Path, *paragraphs: str) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.core_properties.modified = datetime(2025, 3, 1, tzinfo=timezone.utc)
    document.save(path)
    return path


def codes_of(result) -> list[str]:
    return [f.code for f in result.findings]


def by_name(outcome) -> dict:
    return {Path(r.path).name: r for r in outcome.results}


# --- 1. documents, not files ------------------------------------------------------------------------


def test_a_report_never_replaces_the_workbook(tmp_path):
    """The newer .docx does not supersede the .xlsx: the workbook's own TOTAL_MISMATCH still counts."""
    inbox = tmp_path / "收回"
    inbox.mkdir()
    aged(shutil.copy(EBIAN_BOOK, inbox / "评分表.xlsx"), 60 * 24 * 400)  # the workbook is far older
    shutil.copy(EBIAN_REPORT, inbox / "报告.docx")
    outcome = run_round(RoundOptions([inbox], roster=roster(tmp_path / "名单.csv", ("1", EBIAN, "")),
                                     no_ledger=True, timeout=None, json=tmp_path / "r.json"))
    files = by_name(outcome)
    assert files["评分表.xlsx"].superseded_by is None and files["报告.docx"].superseded_by is None
    assert "TOTAL_MISMATCH" in codes_of(files["评分表.xlsx"])
    assert outcome.has_errors and outcome.summary.files == 2
    row = outcome.rows[0]
    assert row.result is files["评分表.xlsx"]  # the lead file holds the overall table
    assert sorted(Path(f.path).name for f in row.files) == ["报告.docx", "评分表.xlsx"]
    assert sorted((d.kind, d.title) for d in row.documents) == sorted(
        [("overall", ""), *(("project", p) for p in PROJECTS), ("report", "")])
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    entry = data["round"]["departments"][0]
    assert entry["status"] == "errors" and len(entry["documents"]) == 5 and entry["missing"] == []


def test_tables_sent_as_separate_workbooks_all_count(tmp_path):
    """The overall table and each project table in its own file: four documents, none superseded."""
    inbox = tmp_path / "收回"
    inbox.mkdir()
    for day, sheet in enumerate(["部门整体", *PROJECTS]):
        split_workbook(EBIAN_BOOK, sheet, inbox / f"{sheet}.xlsx", datetime(2025, 3, 1 + day))
    outcome = run_round(RoundOptions([inbox], roster=roster(tmp_path / "名单.csv", ("1", EBIAN, "、".join(PROJECTS))),
                                     no_ledger=True, timeout=None))
    assert [r.superseded_by for r in outcome.results] == [None] * 4
    assert outcome.summary.files == 4 and outcome.summary.codes["TOTAL_MISMATCH"] == 1  # 数字化建设's 100 ≠ 98
    row = outcome.rows[0]
    assert row.missing == [] and len(row.files) == 4 and row.status == "errors"
    assert Path(row.result.path).name == "部门整体.xlsx"


def test_a_newer_file_replaces_only_the_tables_both_hold(tmp_path):
    """The whole workbook, then the corrected 数字化建设 table on its own: only that table is replaced."""
    inbox = tmp_path / "收回"
    inbox.mkdir()
    aged(shutil.copy(EBIAN_BOOK, inbox / "全部.xlsx"), 60 * 24 * 400)
    book = openpyxl.load_workbook(EBIAN_BOOK)
    for name in book.sheetnames:
        if name != "数字化建设":
            del book[name]
    sheet = book["数字化建设"]
    sheet["H20"] = 98  # the corrected total
    book.properties.modified = datetime(2030, 1, 1)
    book.save(inbox / "数字化建设_更正.xlsx")
    outcome = run_round(RoundOptions([inbox], roster=roster(tmp_path / "名单.csv", ("1", EBIAN, "")),
                                     no_ledger=True, timeout=None, json=tmp_path / "r.json"))
    files = by_name(outcome)
    older, newer = files["全部.xlsx"], files["数字化建设_更正.xlsx"]
    assert older.superseded_by is None and newer.superseded_by is None
    assert older.replaced == [{"kind": "project", "title": "数字化建设", "by": newer.path}]
    assert "TOTAL_MISMATCH" not in codes_of(older)  # the replaced table's finding counts nowhere
    assert [f.code for f in older.replaced_findings] == ["TOTAL_MISMATCH"]
    assert older.status == "clean" and newer.status == "clean" and not outcome.has_errors
    replaced = [d for d in outcome.rows[0].documents if d.replaced_by]
    assert [(d.path, d.title) for d in replaced] == [(older.path, "数字化建设")]
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    entry = next(f for f in data["files"] if f["path"] == older.path)
    assert entry["replaced"] == [{"kind": "project", "title": "数字化建设", "by": newer.path}]
    assert [f["code"] for f in entry["replaced_findings"]] == ["TOTAL_MISMATCH"]
    assert data["summary"]["findings_by_code"] == {}
    # Sent again whole: the newest whole workbook supersedes the older one entirely.
    book = openpyxl.load_workbook(EBIAN_BOOK)
    book.properties.modified = datetime(2031, 1, 1)  # saved after everything else
    book.save(inbox / "全部_再交.xlsx")
    again = by_name(run_round(RoundOptions([inbox], roster=roster(tmp_path / "名单.csv", ("1", EBIAN, "")),
                                           no_ledger=True, timeout=None)))
    assert again["全部.xlsx"].superseded_by == again["全部_再交.xlsx"].path


# --- 2. cross-document checks ----------------------------------------------------------------------


def test_a_report_whose_text_disagrees_with_the_workbook(tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    shutil.copy(LUSONG_BOOK, inbox / "自评表.xlsx")
    report_docx(inbox / "报告.docx", f"{LUSONG}2024年度部门整体支出绩效自评报告",
                "经自评，部门整体支出绩效自评得分为98分，评价等次为优。",
                "全年预算数642.01万元，全年执行数642.01万元，预算执行率100%。")
    outcome = run_round(RoundOptions([inbox], roster=roster(tmp_path / "名单.csv", ("1", LUSONG, "")),
                                     no_ledger=True, timeout=None))
    files = by_name(outcome)
    report = files["报告.docx"]
    cross = [(f.sheet, f.cell, f.expected, f.found) for f in report.findings if f.code == "CROSS_DOCUMENT_MISMATCH"]
    assert cross == [("正文", "P2", Decimal(97), Decimal(98))]  # agreeing grade, budget and rate give nothing
    message = next(f for f in report.findings if f.code == "CROSS_DOCUMENT_MISMATCH")
    from perfxl.codes import render

    text = render(message)
    assert "报告.docx 正文!P2" in text and "自评表.xlsx 自评表!I49" in text and "98" in text and "97" in text
    assert "SCORING_TABLE_MISSING" not in codes_of(report)  # the workbook supplies the table
    assert report.status == "errors"


def test_agreeing_documents_give_nothing(tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    shutil.copy(LUSONG_BOOK, inbox / "自评表.xlsx")
    report_docx(inbox / "报告.docx", "经自评，部门整体支出绩效自评得分为97分，评价等次为优秀。",
                "全年预算数642.01万元，全年执行数642.01万元，预算执行率100.00%。")
    alone = reconcile_file(inbox / "报告.docx")
    assert codes_of(alone) == ["SCORING_TABLE_MISSING"] and alone.department == ""  # names no department
    outcome = run_round(RoundOptions([inbox], no_ledger=True, timeout=None))
    assert codes_of(by_name(outcome)["报告.docx"]) == ["SCORING_TABLE_MISSING"]  # so it stands alone
    report_docx(inbox / "报告.docx", f"{LUSONG}2024年度部门整体支出绩效自评报告",
                "经自评，部门整体支出绩效自评得分为97分，评价等次为优秀。",
                "全年预算数642.01万元，全年执行数642.01万元，预算执行率100.00%。")
    assert reconcile_file(inbox / "报告.docx").department == LUSONG
    outcome = run_round(RoundOptions([inbox], no_ledger=True, timeout=None))  # without a roster: by name
    assert codes_of(by_name(outcome)["报告.docx"]) == [] and len(outcome.rows) == 1


def test_report_tables_are_compared_with_the_workbook_tables(tmp_path):
    """The examples' report restates the 数字化建设 table as 98 where the workbook declares 100."""
    inbox = tmp_path / "收回"
    inbox.mkdir()
    shutil.copy(EBIAN_BOOK, inbox / "评分表.xlsx")
    shutil.copy(EBIAN_REPORT, inbox / "报告.docx")
    outcome = run_round(RoundOptions([inbox], no_ledger=True, timeout=None))
    report = by_name(outcome)["报告.docx"]
    cross = [(f.sheet, f.cell, f.expected, f.found, f.table_index) for f in report.findings
             if f.code == "CROSS_DOCUMENT_MISMATCH"]
    assert cross == [("表3", "R18C7", Decimal(100), Decimal(98), 2)]


# --- 3. what came in, per department -------------------------------------------------------------


def test_a_lone_report_and_missing_projects(tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    report_docx(inbox / "报告.docx", f"{EBIAN}2024年度部门整体支出绩效自评报告", "部门整体支出绩效自评得分98分，评价等次为优。")
    empty = report_docx(tmp_path / "空.docx", "这是一份说明，没有任何数字。")
    assert codes_of(reconcile_file(inbox / "报告.docx")) == ["SCORING_TABLE_MISSING"]
    assert codes_of(reconcile_file(empty)) == ["UNKNOWN_LAYOUT"]  # nothing checkable at all
    names = roster(tmp_path / "名单.csv", ("1", EBIAN, "峨边在线、数字化建设"), ("2", LUSONG, ""))
    result = invoke("reconcile", inbox, "--roster", names, "--no-ledger", "--json", tmp_path / "r.json",
                    "--report", tmp_path / "报告.xlsx")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    ebian = data["round"]["departments"][0]
    assert ebian["documents"][0]["kind"] == "report"
    assert [(m["kind"], m["title"], m["reason"]) for m in ebian["missing"]] == [
        ("project", "峨边在线", "project_not_sent"), ("project", "数字化建设", "project_not_sent"),
        ("overall", "", "no_scoring_table")]
    assert data["files"][0]["status"] == "warnings"  # a report alone is never 'clean'
    assert "未提交项目表：峨边在线" in result.output and "只交了报告" in result.output
    summary = openpyxl.load_workbook(tmp_path / "报告.xlsx")["汇总"]
    texts = [str(c.value) for row in summary.iter_rows() for c in row if c.value]
    assert any("未提交项目表：峨边在线" in t for t in texts)


def test_status_lists_the_documents_of_the_latest_round(tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    shutil.copy(EBIAN_BOOK, inbox / "评分表.xlsx")
    shutil.copy(EBIAN_REPORT, inbox / "报告.docx")
    names = roster(tmp_path / "名单.csv", ("1", EBIAN, "峨边在线、网络安全"), ("2", LUSONG, ""))
    ledger_file = tmp_path / "台账.sqlite"
    invoke("reconcile", inbox, "--roster", names, "--ledger", ledger_file)
    shown = invoke("status", "--ledger", ledger_file).output
    line = next(text for text in shown.splitlines() if EBIAN in text)
    assert "整体1" in line and "项目3" in line and "报告1" in line and "缺：未提交项目表：网络安全" in line


# --- 4. Ctrl-C ----------------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="process groups")
@pytest.mark.parametrize("no_ledger", [False, True])
def test_ctrl_c_in_a_terminal_prints_one_line(tmp_path, no_ledger):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    for index in range(40):
        (inbox / f"{index:03d}.xlsx").write_bytes(LUSONG_BOOK.read_bytes() + b"\0" * index)
    started = tmp_path / "started"
    code = ("import sys, time; import perfxl.reconcile as r; real = r.reconcile_file\n"
            "def slow(path, scheme=None):\n"
            f"    open({str(started)!r}, 'a').write('x')\n    time.sleep(0.3)\n    return real(path, scheme)\n"
            "r.reconcile_file = slow\nfrom perfxl.cli import run\nsys.argv = ['perfxl'] + sys.argv[1:]\nrun()")
    args = ["reconcile", str(inbox), "--jobs", "2"] + (["--no-ledger"] if no_ledger else
                                                       ["--ledger", str(tmp_path / "台账.sqlite")])
    process = subprocess.Popen([sys.executable, "-c", code, *args], cwd=tmp_path, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not started.exists() or len(started.read_text()) < 4):
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole process group
    _, err = process.communicate(timeout=60)
    lines = [line for line in err.splitlines() if line.strip()]
    assert process.returncode == 130, err
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("已中断")
    assert ("已记入台账" in lines[0]) is (not no_ledger) and ("--no-ledger" in lines[0]) is no_ledger


# --- 5. the ledger's key ------------------------------------------------------------------------------


def test_the_ledger_tells_formats_apart_and_counts_stay_the_same(tmp_path):
    """A byte-identical .xlsx and .et, and an .xlsm copy: each keeps its own result, round after round;
    a round's counts are the same with and without the ledger."""
    inbox = tmp_path / "收回"
    inbox.mkdir()
    shutil.copy(LUSONG_BOOK, inbox / "a.xlsx")
    shutil.copy(LUSONG_BOOK, inbox / "a.et")
    shutil.copy(LUSONG_BOOK, inbox / "b.xlsm")
    shutil.copy(EXAMPLES / "芦淞区委宣传部_2024_总分改为97.xlsx", inbox / "c.xlsx")
    shutil.copy(EBIAN_REPORT, inbox / "d.docx")
    ledger_file = tmp_path / "台账.sqlite"

    def round_(no_ledger: bool):
        outcome = run_round(RoundOptions([inbox], ledger=ledger_file, no_ledger=no_ledger, timeout=None,
                                         annotate=tmp_path / f"退回{int(no_ledger)}"))
        return outcome, {Path(r.path).name: (r.status, r.format, sorted(codes_of(r))) for r in outcome.results}

    bare, plain = round_(True)
    first, recorded = round_(False)
    second, reused = round_(False)
    assert plain == recorded == reused
    assert bare.summary.to_dict() == first.summary.to_dict() == second.summary.to_dict()
    assert second.reused == 4 and first.reused == 0  # the .xlsm is refused each time, never cached
    assert reused["a.et"][1] == "et" and reused["a.xlsx"][1] == "xlsx" and reused["b.xlsm"][0] == "unreadable"
    assert sorted(p.name for p in (tmp_path / "退回0").iterdir() if not p.name.startswith(".")) == sorted(
        p.name for p in (tmp_path / "退回1").iterdir() if not p.name.startswith("."))
    # the .xlsx keeps its copy round after round (a shared result once deleted it); an .et gets none
    assert (tmp_path / "退回0" / "a.xlsx").is_file() and not (tmp_path / "退回0" / "a.et").exists()


def test_a_bureau_can_require_the_report(tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    shutil.copy(LUSONG_BOOK, inbox / "自评表.xlsx")
    names = roster(tmp_path / "名单.csv", ("1", LUSONG, ""))
    plain = invoke("reconcile", inbox, "--roster", names, "--no-ledger")
    required = invoke("reconcile", inbox, "--roster", names, "--no-ledger", "--require-report", "--json",
                      tmp_path / "r.json")
    assert "未提交自评报告" not in plain.output and "未提交自评报告" in required.output
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["round"]["departments"][0]["missing"] == [{"kind": "report", "title": "", "reason": "no_report"}]
