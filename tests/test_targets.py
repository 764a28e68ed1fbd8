"""Approved targets (批复绩效目标): read row by row, prefilled and locked into templates, and every
table compared with them in a round (TARGET_CHANGED, INDICATOR_MISSING, INDICATOR_ADDED)."""

from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from perfxl import codes
from perfxl.checking.targets import check_targets
from perfxl.cli import main
from perfxl.collection.round import RoundOptions, run_round
from perfxl.model import IndicatorEntry, TableResult
from perfxl.reconcile import reconcile_file
from perfxl.targets import ApprovedIndicator, TargetsError, group_key, name_key, read_targets, target_value

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
LUSONG = "中国共产党株洲市芦淞区委员会宣传部"
HEADER = ["部门编码", "部门名称", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "度量单位", "分值"]
CODES = {codes.TARGET_CHANGED, codes.INDICATOR_MISSING, codes.INDICATOR_ADDED}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


GOOD = [
    ["003", LUSONG, "", "产出指标", "数量指标", "中心组学习", "=12", "次", "5"],
    ["003", LUSONG, "", "产出指标", "质量指标", "完成率", "=100%", "", "10"],
    ["003", LUSONG, "", "效益指标", "社会效益指标", "品牌形像", "提升", "", "5"],
    ["003", LUSONG, "", "满意度指标", "服务对象满意度指标", "公众满意度", "≥95", "%", "10"],
    ["003", LUSONG, "", "成本指标", "经济成本指标", "整体支出", "≤476.74", "万元", "20"],
    ["003", LUSONG, "宣传项目", "产出指标", "数量指标", "巡回宣讲", "≥5场", "", "10"],
]


# --- reading ---------------------------------------------------------------------------------------

def test_a_good_targets_file(tmp_path):
    targets = read_targets(write_csv(tmp_path / "t.csv", GOOD))
    assert len(targets.indicators) == 6 and targets.sha256
    first = targets.indicators[0]
    assert (first.row, first.code, first.level1, first.level2, first.name, first.weight) == \
        (2, "003", "产出指标", "数量指标", "中心组学习", Decimal(5))
    assert [i.value.shown() for i in targets.indicators] == ["=12次", "=100%", "提升", "≥95%", "≤476.74万元", "≥5场"]
    assert [i.project for i in targets.for_department("003")] == ["", "", "", "", "", "宣传项目"]
    assert targets.for_department(None, "中国共产党株洲市芦淞区委员会宣传部 ") == targets.indicators  # by name
    assert targets.projects("003") == ("宣传项目",)


def test_header_synonyms_an_xlsx_and_a_title_above(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024年度批复绩效目标"])
    sheet.append(["单位编码", "一级指标", "二级指标", "三级指标", "年度指标值", "单位", "权重"])
    sheet.append(["101", "产出指标（40分）", "数量指标", "指标1：发布信息", "≥7000", "条", 15.0])
    sheet.append(["注：分值合计应为 90"])
    book.save(tmp_path / "t.xlsx")
    [indicator] = read_targets(tmp_path / "t.xlsx").indicators
    assert (indicator.row, indicator.code, indicator.unit, indicator.weight) == (3, "101", "条", Decimal(15))
    assert indicator.value.shown() == "≥7000条"
    assert group_key(indicator.level1) == group_key("产出") and name_key(indicator.name) == name_key("发布 信息")


def test_a_gbk_csv(tmp_path):
    targets = read_targets(write_csv(tmp_path / "t.csv", GOOD[:1], encoding="gb18030"))
    assert targets.indicators[0].name == "中心组学习"


def test_bad_rows_are_named_each_and_the_file_is_not_used(tmp_path):
    rows = [
        ["", LUSONG, "", "产出指标", "数量指标", "甲", "=12", "次", "5"],  # no code
        ["003", LUSONG, "", "产出指标", "", "乙", "=12", "次", "5"],  # no 二级指标
        ["003", LUSONG, "", "产出指标", "数量指标", "丙", "", "次", "5"],  # no 指标值
        ["003", LUSONG, "", "产出指标", "数量指标", "丁", "=1", "次", "五分"],  # 分值 not a number
        ["003", LUSONG, "", "产出指标", "数量指标", "戊", "=1", "次", ""],  # no 分值
        ["003", LUSONG, "", "产出指标", "数量指标", "中心组 学习", "=1", "次", "5"],
        ["003", LUSONG, "", "产出指标", "数量指标", "中心组学习", "=2", "次", "5"],  # repeats row 7
    ]
    with pytest.raises(TargetsError) as caught:
        read_targets(write_csv(tmp_path / "t.csv", rows))
    assert [row for row, _, _ in caught.value.problems] == [2, 3, 4, 5, 6, 8]
    message = caught.value.message()
    assert "第 2 行：部门编码为空" in message and "第 5 行：分值应为 0–100 的数字，实际为“五分”" in message
    assert "第 8 行：指标“中心组学习”与第 7 行重复" in message and "未使用" in message
    assert "row 3: 二级指标 (second level) is empty" in caught.value.message("en")


def test_files_without_a_header_or_rows(tmp_path):
    with pytest.raises(TargetsError, match="没有找到表头"):
        read_targets(write_csv(tmp_path / "t.csv", [["1", "2"]], header=["部门编码", "部门名称"]))
    with pytest.raises(TargetsError, match="没有批复的指标"):
        read_targets(write_csv(tmp_path / "e.csv", []))
    (tmp_path / "t.txt").write_text("x", encoding="utf-8")
    with pytest.raises(TargetsError, match=r"\.xlsx 或 \.csv"):
        read_targets(tmp_path / "t.txt")


def test_names_and_targets_are_compared_normalised():
    assert name_key("《强国复兴有我》 巡回宣讲") == name_key("强国复兴有我巡回宣讲")
    assert name_key("指标2：群众满意度") == name_key("（1）群众满意度") == name_key("群众满意度")
    assert group_key("产出指标（50分）") == group_key("产出") == group_key("产出指标")
    assert target_value("≥95%").same_as(target_value("", "%", "≥", Decimal("0.95")))  # a template's 95%
    assert target_value("95", "%").same_as(target_value("≥９５％"))  # operator left out: no change
    assert target_value("≤476.74万元").same_as(target_value("476.74", "万元", "≤"))
    assert not target_value("≥95%").same_as(target_value("≥90%"))
    assert not target_value("≥5场").same_as(target_value("≥5次"))
    assert not target_value("≥5").same_as(target_value("≤5"))
    assert target_value("提升").same_as(target_value(" 提升", op="定性"))
    assert not target_value("提升").same_as(target_value("5"))
    assert target_value("2024年12月31日前").number is None  # a date is words


# --- the check ---------------------------------------------------------------------------------------

def approved(name: str, target: str, weight: str = "5", level2: str = "数量指标", row: int = 2,
             unit: str = "") -> ApprovedIndicator:
    return ApprovedIndicator(row, "003", LUSONG, "", "产出指标", level2, name, target, unit, Decimal(weight))


def entry(name: str, op: str, target: str, unit: str, weight: str, group: str = "数量指标", row: int = 9,
          number: Decimal | None = None) -> IndicatorEntry:
    return IndicatorEntry("产出指标", group, name, op, target, number, unit, Decimal(weight), weight, "自评表",
                          f"C{row}", f"E{row}", f"H{row}")


def table(*entries: IndicatorEntry) -> TableResult:
    return TableResult("自评表", "overall", "", "standard", indicators=list(entries))


def test_equal_targets_give_nothing():
    found = check_targets(table(entry("中心组学习", "=", "12", "次", "5", number=Decimal(12)),
                                entry("完成率", "=", "1", "%", "10", "质量指标", 15, Decimal(1))),
                          [approved("中心组学习", "=12次"), approved("完成率", "=100%", "10", "质量指标")])
    assert found == []


def test_a_lowered_target_and_a_changed_weight():
    found = check_targets(table(entry("文化惠民活动", "≥", "100", "场", "4", row=11, number=Decimal(100))),
                          [approved("文化惠民活动", "≥120", unit="场")])
    assert [(f.code, f.cell, f.expected, f.found) for f in found] == [
        (codes.TARGET_CHANGED, "E11", "≥120场", "≥100场"), (codes.TARGET_CHANGED, "H11", Decimal(5), Decimal(4))]
    assert codes.render(found[0]) == ("“文化惠民活动”的指标值为 ≥100场，批复的为 ≥120场"
                                      "（按名称“文化惠民活动”在“产出指标/数量指标”下匹配）")
    assert codes.render(found[1], "en").startswith("the weight of '文化惠民活动' is 4; the approved one is 5")


def test_a_dropped_and_an_added_indicator():
    found = check_targets(table(entry("中心组学习", "=", "12", "次", "5", number=Decimal(12)),
                                entry("自选动作", "≥", "3", "次", "5", row=10, number=Decimal(3))),
                          [approved("中心组学习", "=12次"), approved("新闻发布会", "≥4次", row=3)])
    assert [(f.code, f.cell, f.expected, f.found) for f in found] == [
        (codes.INDICATOR_MISSING, "C9", "≥4次", None), (codes.INDICATOR_ADDED, "C10", None, "自选动作")]
    assert codes.render(found[0]) == "批复的指标“新闻发布会”（产出指标/数量指标，指标值 ≥4次）不在表中"
    assert codes.render(found[1]) == "指标“自选动作”（产出指标/数量指标）不在批复的绩效目标中"
    assert found[1].severity == "warning" and found[0].severity == "error"


def test_a_group_spelt_differently_is_matched_by_name_and_says_so():
    found = check_targets(table(entry("品片宣传", "", "提升", "", "5", group="经济效益指标")),
                          [approved("品片宣传", "持续提升", level2="社会效益")])
    assert [f.code for f in found] == [codes.TARGET_CHANGED]
    assert "按名称“品片宣传”匹配；二级指标写法不同：批复为“产出指标/社会效益”，表中为“产出指标/经济效益指标”" in codes.render(found[0])
    assert "matched by name alone" in codes.render(found[0], "en")


# --- a round over the examples ---------------------------------------------------------------------

def _lusong_targets(tmp_path: Path, lowered: bool, dropped: bool) -> Path:
    """The 芦淞 tables' own indicators as the approved ones: one target approved higher than the
    table states (the department lowered it), one approved indicator the table does not have."""
    result = reconcile_file(EXAMPLES / "芦淞区委宣传部_2024_自评表.xlsx")
    from perfxl.checking.targets import value_of

    rows = [["003", LUSONG, "", e.level, e.group, e.name, value_of(e).shown(), "", format(e.weight, "f")]
            for e in result.tables[0].indicators]
    if lowered:
        index = next(i for i, row in enumerate(rows) if row[5] == "文化惠民活动")
        rows[index][6] = "≥120场"
    if dropped:
        rows.append(["003", LUSONG, "", "产出指标", "数量指标", "新闻发布会", "≥4次", "", "5"])
    return write_csv(tmp_path / f"targets_{lowered}_{dropped}.csv", rows)


def _target_findings(outcome) -> dict[str, list[tuple[str, str | None]]]:
    return {Path(r.path).name: [(f.code, f.cell) for f in r.findings if f.code in CODES] for r in outcome.results}


def test_a_round_over_the_examples_with_and_without_targets(tmp_path):
    exact = run_round(RoundOptions([EXAMPLES], no_ledger=True, targets=_lusong_targets(tmp_path, False, False)))
    assert not any(_target_findings(exact).values())  # the approved indicators as the tables hold them
    targets = _lusong_targets(tmp_path, lowered=True, dropped=True)
    json_path = tmp_path / "out" / "r.json"
    outcome = run_round(RoundOptions([EXAMPLES], no_ledger=True, targets=targets, json=json_path))
    found = _target_findings(outcome)
    for name in ("芦淞区委宣传部_2024_自评表.xlsx", "芦淞区委宣传部_2024_总分改为97.xlsx"):
        assert found[name] == [(codes.TARGET_CHANGED, "E11"), (codes.INDICATOR_MISSING, "C9")]
    assert not [name for name, items in found.items() if items and "芦淞" not in name]  # nobody else's targets
    data = json.loads(json_path.read_text(encoding="utf-8"))
    entry = next(f for f in data["files"] if f["path"].endswith("芦淞区委宣传部_2024_自评表.xlsx"))
    changed = next(f for f in entry["findings"] if f["code"] == codes.TARGET_CHANGED)
    assert (changed["expected"], changed["found"], changed["severity"]) == ("≥120场", "≥100场", "error")
    assert entry["status"] == "errors"
    without = run_round(RoundOptions([EXAMPLES], no_ledger=True))
    assert not any(_target_findings(without).values())
    assert invoke("reconcile", EXAMPLES, "--targets", targets, "--no-ledger", "-q").exit_code == 1


def test_a_project_s_targets_are_compared_in_its_workbook_and_its_reports(tmp_path):
    """峨边's approved targets for its project 峨边在线 (发布视频信息 approved at ≥1000条; the tables say
    ≥900条): the project table is found in the workbook, the Word report and the PDF alike; its
    overall tables have no approved targets here and are not compared."""
    from perfxl.checking.targets import value_of

    workbook = reconcile_file(EXAMPLES / "峨边县融媒体中心_2024_整体与三个项目.xlsx")
    project = next(t for t in workbook.tables if t.title == "峨边在线")
    rows = [["002", workbook.department, "峨边在线", e.level, e.group, e.name,
             "≥1000条" if e.name == "发布视频信息" else value_of(e).shown(), "", format(e.weight, "f")]
            for e in project.indicators]
    outcome = run_round(RoundOptions([EXAMPLES], no_ledger=True, targets=write_csv(tmp_path / "t.csv", rows)))
    found = {Path(r.path).name: [(f.code, f.sheet, f.cell, f.table, f.expected, f.found)
                                 for f in r.findings if f.code in CODES] for r in outcome.results}
    assert found["峨边县融媒体中心_2024_整体与三个项目.xlsx"] == [
        (codes.TARGET_CHANGED, "峨边在线", "E12", "峨边在线", "≥1000条", "≥900条")]
    assert found["峨边县融媒体中心_2024_自评报告.docx"] == [
        (codes.TARGET_CHANGED, "表2", "R10C4", "峨边在线", "≥1000条", "≥900条")]
    assert found["峨边县融媒体中心_2024_自评报告.pdf"] == [
        (codes.TARGET_CHANGED, "页6表2", "R10C4", "峨边在线", "≥1000条", "≥900条")]
    assert not [name for name, items in found.items() if items and not name.startswith("峨边县融媒体中心_2024_")]
    assert found["峨边县融媒体中心_2024_峨边在线项目_classic.xlsx"] == []  # its one table is an overall table


def test_a_changed_targets_file_is_applied_to_files_taken_from_the_ledger(tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "芦淞区委宣传部_2024_自评表.xlsx", inbox)
    ledger_file = tmp_path / "ledger.sqlite"
    first = run_round(RoundOptions([inbox], ledger=ledger_file, targets=_lusong_targets(tmp_path, False, False)))
    assert not any(_target_findings(first).values())
    second = run_round(RoundOptions([inbox], ledger=ledger_file, targets=_lusong_targets(tmp_path, True, False)))
    assert second.reused == 1 and list(_target_findings(second).values()) == [[(codes.TARGET_CHANGED, "E11")]]
    third = run_round(RoundOptions([inbox], ledger=ledger_file))
    assert third.reused == 1 and not any(_target_findings(third).values())


def test_a_bad_targets_file_stops_the_round_before_any_file_is_read(tmp_path):
    bad = write_csv(tmp_path / "t.csv", [["003", LUSONG, "", "产出指标", "数量指标", "甲", "=1", "", "x"]])
    result = invoke("reconcile", EXAMPLES, "--targets", bad, "--no-ledger")
    assert result.exit_code == 2 and "第 2 行：分值应为 0–100 的数字" in result.output


# --- templates -------------------------------------------------------------------------------------

def _roster(tmp_path: Path) -> Path:
    path = tmp_path / "名单.csv"
    path.write_text(f"部门编码,部门名称,全年预算数\n003,{LUSONG},642.01\n004,另一个部门,\n", encoding="utf-8")
    return path


def _issue(tmp_path: Path, rows=GOOD) -> Path:
    targets = write_csv(tmp_path / "targets.csv", rows)
    result = invoke("template", "--roster", _roster(tmp_path), "--out-dir", tmp_path / "模板", "--year", "2024",
                    "--targets", targets)
    assert result.exit_code == 0, result.output
    return targets


def test_a_template_with_approved_targets_is_prefilled_locked_and_recorded(tmp_path):
    _issue(tmp_path)
    issued = tmp_path / "模板" / f"003_{LUSONG}.xlsx"
    book = openpyxl.load_workbook(issued)
    sheet = book["自评表"]
    assert [sheet[f"{c}9"].value for c in "CDEFH"] == ["中心组学习", "=", 12, "次", 5]
    assert [sheet[f"{c}15"].value for c in "CDEFH"] == ["完成率", "=", 1, "%", 10]
    assert sheet["E15"].number_format == "0%"
    assert sheet["D25"].value == "定性" and sheet["E25"].value == "提升"
    for cell in ("C9", "D9", "E9", "F9", "H9", "D25", "F25"):
        assert sheet[cell].protection.locked, cell
    assert sheet["C10"].protection.locked is False and sheet["G9"].protection.locked is False  # inputs stay open
    project = book["项目1 宣传项目"]  # a project with approved targets gets its table
    assert [project[f"{c}9"].value for c in "CDEFH"] == ["巡回宣讲", "≥", 5, "场", 10]
    record = json.loads(dict((r[0].value, r[1].value) for r in book["_perfxl"].iter_rows())["prefilled"])
    assert record["code"] == "003" and len(record["indicators"]) == 6
    assert {"sheet": "自评表", "row": 9, "name": "中心组学习", "op": "=", "target": "12", "target_is_number": True,
            "unit": "次", "weight": "5"} in record["indicators"]
    # As issued: no prefilled change, no targets finding, and blank (nothing typed in) for all its prefill.
    outcome = run_round(RoundOptions([tmp_path / "模板"], no_ledger=True, roster=_roster(tmp_path),
                                     targets=tmp_path / "targets.csv"))
    result = next(r for r in outcome.results if LUSONG in r.path)
    assert {f.code for f in result.findings} == {codes.MISSING_VALUE}
    assert all(f.variant == "blank" for f in result.findings)
    other = next(r for r in outcome.results if "另一个部门" in r.path)
    assert all(f.code not in CODES for f in other.findings)  # a department without targets


def test_edits_of_prefilled_targets_are_caught(tmp_path):
    targets = _issue(tmp_path)
    issued = tmp_path / "模板" / f"003_{LUSONG}.xlsx"
    book = openpyxl.load_workbook(issued)
    book["自评表"]["E9"] = 10  # 中心组学习 lowered from 12
    book["自评表"]["H15"] = 5  # 完成率's weight
    book["自评表"]["C39"] = "部门支出"  # 整体支出 renamed
    inbox = tmp_path / "收回"
    inbox.mkdir()
    book.save(inbox / "003.xlsx")
    changed = {(f.cell, f.expected, f.found) for f in reconcile_file(inbox / "003.xlsx").findings
               if f.code == codes.PREFILLED_VALUE_CHANGED}
    assert changed == {("E9", Decimal(12), Decimal(10)), ("H15", Decimal(10), Decimal(5)),
                       ("C39", "整体支出", "部门支出")}
    outcome = run_round(RoundOptions([inbox], no_ledger=True, roster=_roster(tmp_path), targets=targets,
                                     manifest=tmp_path / "模板" / "manifest.json"))
    found = [(f.code, f.cell) for f in outcome.results[0].findings if f.code in CODES]
    assert found == [(codes.TARGET_CHANGED, "E9"), (codes.TARGET_CHANGED, "H15"), (codes.INDICATOR_MISSING, "C39"),
                     (codes.INDICATOR_ADDED, "C39")]


def test_more_approved_indicators_than_template_rows_is_refused_and_nothing_is_written(tmp_path):
    rows = [["003", LUSONG, "", "满意度指标", "服务对象满意度指标", f"满意度{i}", "≥90%", "", "2"] for i in range(9)]
    rows.append(["003", LUSONG, "", "产出指标", "社会指标", "无此组", "≥1", "", "2"])
    targets = write_csv(tmp_path / "t.csv", rows)
    result = invoke("template", "--roster", _roster(tmp_path), "--out-dir", tmp_path / "模板", "--targets", targets)
    assert result.exit_code == 2, result.output  # as a bad roster
    assert "批复了 9 个指标，模板只有" in result.output and "rows" in result.output
    assert "第 11 行：" in result.output and "没有“产出指标/社会指标”这一组指标" in result.output
    assert not list((tmp_path / "模板").glob("*.xlsx"))


def test_targets_need_a_roster(tmp_path):
    targets = write_csv(tmp_path / "t.csv", GOOD)
    result = invoke("template", tmp_path / "a.xlsx", "--targets", targets)
    assert result.exit_code == 2 and "--roster" in result.output


# --- LibreOffice: what a user can and cannot do to the prefilled targets ----------------------------

def test_libreoffice_round_trip_of_a_template_with_prefilled_targets(tmp_path):
    """A template issued with approved targets, opened in LibreOffice: typing into a prefilled cell
    is refused (locked), an input cell takes it; the API (which ignores protection) lowers a target
    and a weight anyway: reconcile finds both, as prefilled values changed and as targets changed."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from lo import require_libreoffice, run_jobs

    require_libreoffice()
    targets = _issue(tmp_path)
    issued = tmp_path / "模板" / f"003_{LUSONG}.xlsx"
    inbox = tmp_path / "收回"
    locked = {"C9": "别的指标", "D9": "≥", "E9": "10", "F9": "项", "H9": "3", "E35": "80%"}
    typed_ops = [{"op": "type", "sheet": "自评表", "cell": cell, "text": text} for cell, text in locked.items()]
    typed_ops.append({"op": "type", "sheet": "自评表", "cell": "G9", "text": "12"})  # 实际完成值: an input
    reads = [{"op": "read", "sheet": "自评表", "cell": cell} for cell in [*locked, "G9"]]
    forced = [{"op": "force", "sheet": "自评表", "cell": "E9", "value": 10},
              {"op": "force", "sheet": "自评表", "cell": "H35", "value": 8}]
    typed, forced_job = run_jobs([
        {"input": str(issued), "output": str(inbox / "typed.xlsx"), "ops": typed_ops + reads},
        {"input": str(issued), "output": str(tmp_path / "forced" / "forced.xlsx"), "ops": forced}])
    assert typed["ok"] and forced_job["ok"], (typed["error"], forced_job["error"])
    accepted = {entry["cell"]: entry["accepted"] for entry in typed["typed"]}
    assert accepted == {**{cell: False for cell in locked}, "G9": True}
    values = {entry["cell"]: entry["string"] for entry in typed["reads"]}
    assert values["C9"] == "中心组学习" and values["E9"] == "12" and values["H9"] == "5" and values["G9"] == "12"
    assert values["E35"] == "95%"  # 公众满意度 ≥95% shown as a percentage
    # Saved by LibreOffice with only an actual value typed: the prefill is intact and recorded.
    saved = reconcile_file(inbox / "typed.xlsx")
    assert not [f for f in saved.findings if f.code == codes.PREFILLED_VALUE_CHANGED]
    outcome = run_round(RoundOptions([inbox], no_ledger=True, targets=targets))
    assert not [f for f in outcome.results[0].findings if f.code in CODES]
    # Changed through the API: caught on return, as an edit of the prefill and against the approved targets.
    forced_file = tmp_path / "forced" / "forced.xlsx"
    changed = {(f.cell, f.expected, f.found) for f in reconcile_file(forced_file).findings
               if f.code == codes.PREFILLED_VALUE_CHANGED}
    assert changed == {("E9", Decimal(12), Decimal(10)), ("H35", Decimal(10), Decimal(8))}
    outcome = run_round(RoundOptions([forced_file], no_ledger=True, targets=targets))
    found = [(f.code, f.cell, f.expected, f.found) for f in outcome.results[0].findings if f.code in CODES]
    assert found == [(codes.TARGET_CHANGED, "E9", "=12次", "=10次"),
                     (codes.TARGET_CHANGED, "H35", Decimal(10), Decimal(8))]
