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
