"""Rosters: one template per department, a manifest, and bad rosters refused by row."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

from click.testing import CliRunner
from openpyxl import Workbook

from perfxl.cli import main
from perfxl.reading.xlsx import Workbook as Book
from perfxl.reconcile import reconcile_file


def roster_xlsx(path, rows, header=("部门编码", "部门名称", "年初预算数", "全年预算数", "全年执行数")):
    book = Workbook()
    book.active.append(list(header))
    for row in rows:
        book.active.append(list(row))
    book.save(path)
    return path


def test_thirty_departments(tmp_path):
    rows = [(f"{101 + i:03d}", f"区直部门{i}", "100", "120.5", "") for i in range(30)]
    rows[3] = ("104", "@SUM(A1)/部门", "", "", "")  # hostile name: stays text
    roster = roster_xlsx(tmp_path / "名单.xlsx", rows)
    out = tmp_path / "模板"
    result = CliRunner().invoke(main, ["template", "--roster", str(roster), "--out-dir", str(out), "--year", "2024"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["year"] == 2024 and manifest["scheme"] == "standard"
    assert len(manifest["departments"]) == 30
    assert len(list(out.glob("*.xlsx"))) == 30
    assert len({d["template_id"] for d in manifest["departments"]}) == 30
    first = manifest["departments"][0]
    assert first["file"] == "101_区直部门0.xlsx"
    with Book(out / first["file"]) as book:
        assert book.custom_properties["perfxl_template_id"] == first["template_id"]
        assert book.custom_properties["perfxl_department"] == "区直部门0"
        sheet = book.sheet("自评表")
        assert sheet.value("D2") == "区直部门0"
        assert (sheet.value("D4"), sheet.value("F4"), sheet.value("H4")) == (Decimal(100), Decimal("120.5"), None)
    hostile = manifest["departments"][3]
    assert "/" not in hostile["file"] and hostile["file"].startswith("104_")
    result = reconcile_file(out / hostile["file"])
    assert result.department == "@SUM(A1)/部门" and result.layout == "perfxl-template"
    with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle))) == 31


def test_bad_rosters_are_refused_by_row_and_nothing_is_written(tmp_path):
    rows = [("101", "甲", "1", "2", "3"), ("101", "乙", "", "", ""), ("103", "", "", "", ""),
            ("104", "丁", "十万", "", ""), ("", "戊", "", "", "")]
    roster = roster_xlsx(tmp_path / "名单.xlsx", rows)
    out = tmp_path / "模板"
    result = CliRunner().invoke(main, ["template", "--roster", str(roster), "--out-dir", str(out)])
    assert result.exit_code == 2
    for text in ("第 3 行：部门编码 101 与第 2 行重复", "第 4 行：部门名称为空", "第 5 行：“年初预算数”应为非负数",
                 "第 6 行：部门编码为空"):
        assert text in result.output, result.output
    assert not out.exists() or not list(out.iterdir())


def test_csv_roster_in_gbk(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_bytes("单位编码,单位名称\n001,财政局\n002,教育局\n".encode("gb18030"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["template", "--roster", str(roster), "--out-dir", str(out),
                                       "--scheme", "classic"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.xlsx")) == ["001_财政局.xlsx", "002_教育局.xlsx"]
    assert reconcile_file(out / "001_财政局.xlsx").scheme == "classic"


def test_roster_needs_out_dir(tmp_path):
    roster = roster_xlsx(tmp_path / "r.xlsx", [("1", "甲", "", "", "")])
    assert CliRunner().invoke(main, ["template", "--roster", str(roster)]).exit_code == 2
    assert CliRunner().invoke(main, ["template"]).exit_code == 2


def _template(*args):
    return CliRunner().invoke(main, ["template", *map(str, args)])


def test_a_template_never_overwrites_an_existing_file(tmp_path):
    filled = tmp_path / "自评表.xlsx"
    filled.write_bytes(b"a department's filled workbook")
    result = _template(filled, "--department", "区委宣传部", "--year", "2024")
    assert result.exit_code == 2 and "--force" in result.output
    assert filled.read_bytes() == b"a department's filled workbook"
    assert _template(filled, "--department", "区委宣传部", "--year", "2024", "--force").exit_code == 0
    assert reconcile_file(filled).layout == "perfxl-template"


def test_roster_runs_keep_returned_files_and_ids(tmp_path):
    roster = roster_xlsx(tmp_path / "名单.xlsx", [("101", "区委宣传部", "", "", ""), ("102", "区财政局", "", "", "")])
    out = tmp_path / "模板"
    assert _template("--roster", roster, "--out-dir", out, "--year", "2024").exit_code == 0
    first = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["departments"]
    returned = out / first[0]["file"]
    returned.write_bytes(b"returned, filled in")  # a department's return saved into the same folder
    (out / first[1]["file"]).unlink()  # a template lost: the next run adds it again
    result = _template("--roster", roster, "--out-dir", out, "--year", "2024")
    assert result.exit_code == 0 and "保留已有 1 份" in result.output
    again = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["departments"]
    assert returned.read_bytes() == b"returned, filled in"
    assert [d["template_id"] for d in again] == [d["template_id"] for d in first]  # stable for code and year
    assert set(again[0]) == {"code", "name", "file", "template_id", "sha256"}
    assert _template("--roster", roster, "--out-dir", out, "--year", "2024", "--force").exit_code == 0
    forced = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["departments"]
    assert [d["template_id"] for d in forced] == [d["template_id"] for d in first]
    assert reconcile_file(returned).template_id == first[0]["template_id"]
    assert _template("--roster", roster, "--out-dir", out, "--year", "2025", "--force").exit_code == 0
    other_year = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["departments"]
    assert other_year[0]["template_id"] != first[0]["template_id"]


def test_project_tables_from_the_command_line_and_the_roster(tmp_path):
    path = tmp_path / "峨边.xlsx"
    result = _template(path, "--department", "峨边彝族自治县融媒体中心", "--year", "2024",
                       "--project", "峨边在线", "--project", "数字化建设")
    assert result.exit_code == 0, result.output
    tables = reconcile_file(path).tables
    assert [(t.kind, t.title, t.scheme) for t in tables] == [
        ("overall", "", "standard"), ("project", "峨边在线", "classic"), ("project", "数字化建设", "classic")]
    roster = roster_xlsx(tmp_path / "名单.xlsx", [("201", "融媒体中心", "峨边在线、推广服务；数字化建设"),
                                                  ("202", "区财政局", "")],
                         header=("部门编码", "部门名称", "项目名称"))
    out = tmp_path / "模板"
    assert _template("--roster", roster, "--out-dir", out, "--year", "2024",
                     "--project-scheme", "standard").exit_code == 0
    files = sorted(out.glob("*.xlsx"))
    assert [[(t.kind, t.title, t.scheme) for t in reconcile_file(f).tables][1:] for f in files] == [
        [("project", "峨边在线", "standard"), ("project", "推广服务", "standard"),
         ("project", "数字化建设", "standard")], []]


def test_roster_errors_in_english(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("部门编码,部门名称,全年预算数\n101,,x\n101,区财政局,\n", encoding="utf-8")
    result = _template("--roster", bad, "--out-dir", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 2
    assert "row 2: the department name is empty" in result.output
    assert "row 3: department code 101 repeats row 2" in result.output
    assert "non-negative amount" in result.output and "名单有误" not in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.xlsx"))


def test_a_roster_with_a_title_and_notes_above_its_header(tmp_path):
    """The header is found by its names under a merged title, the issuing office and a note; rows keep
    the numbers Excel shows, and a note under the table is no department."""
    from perfxl.template.roster import read_roster

    book = Workbook()
    sheet = book.active
    sheet.append(["2024年度部门整体支出绩效自评部门名单"])
    sheet.merge_cells("A1:E1")
    sheet.append(["制表单位：某县财政局", None, None, "日期：2024-12-31"])
    sheet.append([])
    sheet.append(["序号", "部门编码", "部门名称", "全年预算数", "项目名称"])
    sheet.append([1, 101, "区委宣传部", 642.01, "文化惠民"])
    sheet.append([2, "102", "区财政局", "十万", None])
    sheet.append(["注：金额单位为万元"])
    path = tmp_path / "名单.xlsx"
    book.save(path)
    result = _template("--roster", path, "--out-dir", tmp_path / "out")
    assert result.exit_code == 2
    assert "第 6 行：“全年预算数”应为非负数（万元），实际为“十万”" in result.output, result.output
    assert "第 7 行" not in result.output and "Unnamed" not in result.output
    sheet["D6"] = 120
    book.save(path)
    departments = read_roster(path)
    assert [(d.row, d.code, d.name, d.amounts.get("budget"), d.projects) for d in departments] == [
        (5, "101", "区委宣传部", Decimal("642.01"), ("文化惠民",)), (6, "102", "区财政局", Decimal(120), ())]


def test_a_roster_without_a_header_says_what_it_holds(tmp_path):
    path = roster_xlsx(tmp_path / "名单.xlsx", [("101", "甲")], header=("2024年名单", None))
    result = _template("--roster", path, "--out-dir", tmp_path / "out")
    assert result.exit_code == 2
    assert "没有找到表头" in result.output and "第一行为：2024年名单" in result.output
    assert "Unnamed" not in result.output and "nan" not in result.output


def test_reconcile_with_a_bad_roster_says_the_review_was_not_started(tmp_path):
    bad = tmp_path / "名单.csv"
    bad.write_text("部门编码,部门名称\n101,\n", encoding="utf-8")
    inbox = tmp_path / "收回"
    inbox.mkdir()
    result = CliRunner().invoke(main, ["reconcile", str(inbox), "--roster", str(bad), "--no-ledger"])
    assert result.exit_code == 2
    assert "名单有误，未开始审核" in result.output and "第 2 行：部门名称为空" in result.output
    assert "模板" not in result.output
