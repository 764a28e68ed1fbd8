"""Build the multi-table fixture corpus: workbooks holding several tables, each of which must be read.

    python tests/corpus_tables/build_corpus_tables.py     (needs soffice and the system python3-uno)

Writes ``tests/corpus_tables/files/*``, ``expected.json`` and ``README.md``. Each workbook imitates
what departments send (shared/seeds): a 部门整体 table with one 项目支出绩效自评表 per project on
separate sheets or stacked on one sheet, forms closing each block with 小计, seed 001's 基础数据 form,
extra sheets that are no scoring table. Files named ``*_lo.xlsx`` are re-saved by a real
LibreOffice; ``.xls`` and ``.ods`` files are LibreOffice's saves of the xlsx of the same stem.

Every table is described once as data (what the clerk typed and where). :func:`write_table` and
:func:`write_base_form` lay it out and record the cell of every item; :func:`expect_table` and
:func:`expect_base_form` apply the conventions of README.md to the typed values, with this script's
own Decimal arithmetic (nothing of perfxl is imported). Each table also states what was planted in
it (``plant``: a set of (code, expected, found)); the script refuses to write a case whose
recomputed findings differ from its plant, so nothing unplanted hides in a file, and it refuses the
cases the conventions leave open (a rate that agrees only under one reading of its precision, a sum
that agrees only under one reading of its decimals, a check on the edge of its threshold, …).
Every saved file is re-opened (openpyxl for xlsx; python-calamine and a LibreOffice round trip for
xls/ods) to confirm each cell holds what the expectation assumed.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FILES = HERE / "files"
CONVERTER = HERE / "lo_convert.py"
SYSTEM_PYTHON = "/usr/bin/python3"
FIXED_TIME = datetime.datetime(2025, 3, 15, 9, 30, 0)
FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "xls": "MS Excel 97", "ods": "calc8"}

# --------------------------------------------------------------------------------------------------
# Numbers (our own: Decimal, half away from zero like Excel's ROUND)
# --------------------------------------------------------------------------------------------------

TOL = Decimal("0.005")  # a typed score is exact: differences above half a cent are findings
OVERSHOOT = Decimal("1.2")  # TARGET_OVERSHOOT: actual ≥ 120 % of a higher-is-better target
GAP_THRESHOLD = Decimal("0.05")  # SPENDING_PERFORMANCE_GAP threshold (domain.md §3)


def rhu(value: Decimal, places: int) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def jnum(value, places: int = 2):
    """A JSON number rounded to ``places``: an int when whole."""
    rounded = rhu(Decimal(value), places)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def half(places: int) -> Decimal:
    return Decimal("0.5") * Decimal(1).scaleb(-places)


def plain(value: Decimal):
    """A Decimal as the clerk types it: 40 or 39.75."""
    return int(value) if value == value.to_integral_value() else float(value)


def short(value: Decimal) -> str:
    text = f"{rhu(value, 2):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def on_half_cent(exact: Decimal) -> bool:
    scaled = exact * 100
    return scaled != scaled.to_integral_value() and abs(abs(scaled - scaled.to_integral_value()) - Decimal("0.5")) \
        < Decimal("1e-9")


# --------------------------------------------------------------------------------------------------
# What a clerk types, read the way the conventions mean it
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pct:
    """A rate typed as a number with a percent format: Pct(1) shows 100 %, Pct(0.726, '0.00%') 72.60 %."""

    value: float
    fmt: str = "0%"

    @property
    def places(self) -> int:
        """Decimals of the fraction the format shows (0% → 2, 0.00% → 4)."""
        return len(self.fmt.partition(".")[2].rstrip("%")) + 2


_OP = re.compile(r"^(≥|≤|>=|<=|=|>|<)")
_UNIT = re.compile(r"(万元|元|人次|分|次|场|起|条|篇|个|期|部|台|TB|项|家|天|人)$")
_NUM = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Parsed:
    kind: str  # "blank" | "number" | "text"
    number: Decimal | None = None
    op: str = ""
    places: int = 0  # decimals as written, of the value stored (72.6% → 3)
    text: str = ""
    percent: bool = False


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse(value: object) -> Parsed:
    if value is None:
        return Parsed("blank")
    if isinstance(value, Pct):
        return Parsed("number", Decimal(repr(value.value)), places=value.places, percent=True)
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return Parsed("number", Decimal(value))
    if isinstance(value, float):
        text = repr(value)
        return Parsed("number", Decimal(text), places=len(text.partition(".")[2].rstrip("0")))
    raw = str(value)
    s = squeeze(raw)
    if not s:
        return Parsed("blank")
    op = ""
    match = _OP.match(s)
    if match:
        op = {">=": "≥", "<=": "≤"}.get(match.group(1), match.group(1))
        s = s[match.end():]
    percent = s.endswith("%")
    s = s[:-1] if percent else _UNIT.sub("", s)
    if _NUM.match(s):
        number, places = Decimal(s), len(s.partition(".")[2])
        if percent:
            number, places = number / 100, places + 2
        return Parsed("number", number, op, places, raw.strip(), percent)
    return Parsed("text", None, op, 0, raw.strip())


def level_key(label: str) -> str:
    for word, key in (("产出", "output"), ("效益", "benefit"), ("满意", "satisfaction"), ("成本", "cost")):
        if word in label:
            return key
    raise ValueError(f"not a first-level label: {label!r}")


SCHEMES = {
    "standard": {"budget": 10, "output": 40, "benefit": 20, "satisfaction": 10, "cost": 20},
    "classic": {"budget": 10, "output": 50, "benefit": 30, "satisfaction": 10},
}
_LABEL_WEIGHT = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]")
GRADE_WORDS = {"优": "优", "优秀": "优", "良": "良", "良好": "良", "中": "中", "中等": "中", "合格": "中",
               "一般": "中", "差": "差", "较差": "差", "不合格": "差"}
ACHIEVED = ("达成", "完成")


def grade_of(total: Decimal) -> str:
    for bound in (60, 80, 90):
        assert not Decimal(0) < abs(total - bound) <= TOL, f"total {total} on the edge of a grade band"
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


# --------------------------------------------------------------------------------------------------
# The tables as data
# --------------------------------------------------------------------------------------------------

# One indicator line as typed: (一级指标, 二级指标, 三级指标, 年度指标值, 实际完成值, 分值, 得分, 偏差原因).
# A first-level or second-level label of None continues the block/group above (a merged cell).
Line = tuple


@dataclass
class Funds:
    initial: object
    budget: object
    executed: object
    weight: object
    rate: object
    score: object


@dataclass
class Table:
    """A 部门整体 (project None) or 项目支出 绩效自评表 as the clerk typed it."""

    department: str
    year: int
    lines: list[Line]
    funds: Funds
    total: object
    plant: set = field(default_factory=set)  # {(code, expected, found)}: what this table must give
    project: str | None = None
    grade: str | None = None  # 评价等次 row with this text
    breakdown: list | None = None  # (left, right) text pairs, or (label, 年初, 全年预算, 全年执行) rows
    breakdown_dashes: bool = False  # '—' in 分值/得分 of breakdown rows (MoF project table)
    goals: tuple[str, str] | None = None
    col: int = 1  # first column of the table
    side: bool = True  # Word-style left labels (年度预算申请 / 年度总体目标 / 绩效指标)
    merge: bool = True  # merged 一级/二级指标 cells
    subtotals: bool = False  # a 小计 row closes each first-level block
    stale: dict = field(default_factory=dict)  # level key → 小计 得分 typed instead of the block's sum
    title: str | None = None
    dept_label: str = "部门（单位）名称"
    funds_label: str | None = None
    funds_headers: tuple[str, ...] = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    ind_headers: tuple[str, ...] = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                                    "偏差原因分析及改进措施")
    total_weight: object = 100
    footer: object = None  # one text line, or (label, value) pairs
    amount_format: str | None = "0.00"

    @property
    def kind(self) -> str:
        return "project" if self.project else "overall"

    @property
    def scheme(self) -> str:
        keys = {level_key(line[0]) for line in self.lines if line[0] is not None}
        return "standard" if "cost" in keys else "classic"


# Seed 001's 基础数据 form: the four tables by 机构 (first row the 汇总 row) and their sums.
BASE_TABLES = {
    "income": {
        "title": "年度收入情况（万元）",
        "columns": ("收入合计", "上年结转", "公共财政拨款", "政府基金拨款", "纳入专户管理的非税收入拨款", "其他收入"),
        "rules": ((0, (1, 2, 3, 4, 5)),),
    },
    "spending": {
        "title": "部门（单位）年度支出和结余情况（万元）",
        "columns": ("支出合计", "基本支出", "人员支出", "公用支出", "项目支出", "当年结余", "累计结余"),
        "rules": ((0, (1, 4)), (1, (2, 3))),
    },
    "sangong": {
        "title": "“三公”经费情况（万元）",
        "columns": ("三公经费合计", "公务接待费", "公务用车运维费", "公务用车购置费", "因公出国费"),
        "rules": ((0, (1, 2, 3, 4)),),
    },
    "assets": {
        "title": "固定资产情况（万元）",
        "columns": ("固定资产合计", "在用固定资产", "出租固定资产", "其他"),
        "rules": ((0, (1, 2, 3)),),
    },
}


@dataclass
class BaseForm:
    """Seed 001's 部门整体支出绩效自评表 with 基础数据 (layout base-data-form)."""

    department: str
    year: int
    tables: dict  # key of BASE_TABLES → list of (机构 label, values)
    score: object  # 绩效自评综合得分 as typed ('98分')
    grade: str
    plant: set = field(default_factory=set)


@dataclass
class Sheet:
    name: str
    items: list = field(default_factory=list)  # Table | BaseForm, stacked top to bottom
    extra: str | None = None  # a sheet that is no table: "cover", "instructions", "project_list", "ledger"
    first_row: int = 1
    gap: int = 2  # blank rows between stacked tables

    @property
    def skipped(self) -> bool:
        return self.extra in ("project_list", "ledger")


@dataclass
class Case:
    name: str
    imitates: str
    planted: str
    sheets: list[Sheet]
    producer: str = "openpyxl"  # or "lo": re-saved by LibreOffice
    convert: tuple[str, ...] = ()  # also saved by LibreOffice as these formats ("xls", "ods")


# --------------------------------------------------------------------------------------------------
# Laying tables out
# --------------------------------------------------------------------------------------------------


def ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


@dataclass
class Log:
    """What was typed in one sheet (cell → value), its merges and percent-formatted cells."""

    written: dict = field(default_factory=dict)
    merges: list = field(default_factory=list)
    percent: set = field(default_factory=set)


@dataclass
class Placed:
    """Where everything of one table went: the engine reads cells from here."""

    sheet: str
    funds: dict = field(default_factory=dict)  # key → cell
    levels: list = field(default_factory=list)  # (label as typed, cell)
    rows: list = field(default_factory=list)  # one per indicator line
    subtotals: dict = field(default_factory=dict)  # level key → {weight, score, typed_weight, typed_score}
    total: str = ""
    grade: str = ""
    texts: list = field(default_factory=list)  # funds breakdown text cells: (text, cell)
    amounts: list = field(default_factory=list)  # funds breakdown amount rows: (label, [(value, cell)])
    base: dict = field(default_factory=dict)  # base form: table key → [[cell per column] per row]
    score: str = ""


class Writer:
    def __init__(self, ws, log: Log):
        self.ws, self.log = ws, log

    def put(self, row: int, col: int, value: object, fmt: str | None = None) -> None:
        if value is None or value == "":
            return
        cell = self.ws.cell(row=row, column=col)
        if isinstance(value, Pct):
            cell.value, cell.number_format = value.value, value.fmt
            self.log.percent.add(ref(row, col))
        else:
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # '=100%' typed as text, not a formula
            if fmt and isinstance(value, (int, float)):
                cell.number_format = fmt
        if isinstance(value, str) and "\n" in value:
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.log.written[ref(row, col)] = value

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) == (r2, c2):
            return
        rng = f"{ref(r1, c1)}:{ref(r2, c2)}"
        self.ws.merge_cells(rng)
        self.log.merges.append(rng)


def write_table(w: Writer, t: Table, top: int) -> tuple[Placed, int]:
    """Lay ``t`` out from row ``top``; returns where everything went and the next free row."""
    ws = w.ws
    placed = Placed(ws.title)
    c0 = t.col
    ic = c0 + (1 if t.side else 0)  # 一级指标 column
    last = ic + 7  # 偏差原因 column
    fc = ic + 1  # first funds amount column
    for col in range(c0, last + 1):
        ws.column_dimensions[get_column_letter(col)].width = 14
    ws.column_dimensions[get_column_letter(ic + 2)].width = 24
    ws.column_dimensions[get_column_letter(last)].width = 30
    row = top
    title = t.title or ("项目支出绩效自评表" if t.project else f"{t.year}年度部门（单位）整体支出绩效自评表")
    w.put(row, c0, title)
    w.merge(row, c0, row, last)
    row += 1
    if t.project:
        w.put(row, c0, f"（{t.year}年度）")
        w.merge(row, c0, row, last)
        row += 1
        w.put(row, c0, "项目名称")
        w.merge(row, c0, row, c0 + 1)
        w.put(row, c0 + 2, t.project)
        w.merge(row, c0 + 2, row, last)
        row += 1
        w.put(row, c0, "主管部门")
        w.merge(row, c0, row, c0 + 1)
        w.put(row, c0 + 2, t.department)
        w.merge(row, c0 + 2, row, c0 + 4)
        w.put(row, c0 + 5, "实施单位")
        w.merge(row, c0 + 5, row, c0 + 6)
        w.put(row, c0 + 7, t.department)
        w.merge(row, c0 + 7, row, last)
        row += 1
    else:
        w.put(row, c0, t.dept_label)
        w.merge(row, c0, row, c0 + 1)
        w.put(row, c0 + 2, t.department)
        w.merge(row, c0 + 2, row, last)
        row += 1

    # Funds block.
    funds_top = row
    w.put(row, c0, t.funds_label or ("项目资金（万元）" if t.project else "年度预算申请（万元）"))
    for index, text in enumerate(t.funds_headers):
        w.put(row, fc + index, text)
    row += 1
    w.put(row, ic, "年度资金总额")
    for index, key in enumerate(("initial", "budget", "executed", "weight", "rate", "score")):
        placed.funds[key] = ref(row, fc + index)
        w.put(row, fc + index, getattr(t.funds, key), t.amount_format if index < 3 else None)
    row += 1
    for item in t.breakdown or ():
        if len(item) == 2:  # seed 003: '按收入性质分：642.01' | '按支出性质分：642.01'
            left, right = item
            w.put(row, ic, left)
            w.merge(row, ic, row, ic + 3)
            w.put(row, ic + 4, right)
            w.merge(row, ic + 4, row, last)
            for text, col in ((left, ic), (right, ic + 4)):
                if text:
                    placed.texts.append((text, ref(row, col)))
        else:
            label, *amounts = item
            w.put(row, ic, label)
            cells = []
            for index, value in enumerate(amounts):
                w.put(row, fc + index, value, t.amount_format)
                cells.append((value, ref(row, fc + index)))
            placed.amounts.append((label, cells))
            if t.breakdown_dashes:
                w.put(row, fc + 3, "—")
                w.put(row, fc + 5, "—")
        row += 1
    if t.side:
        w.merge(funds_top, c0, row - 1, c0)

    # Goals.
    if t.goals:
        if t.side:
            w.put(row, c0, "年度总体目标")
            w.merge(row, c0, row + 1, c0)
        else:
            w.put(row, c0, "年度总体目标")
            w.merge(row, c0, row, last)
            row += 1
        w.put(row, ic, "预期目标")
        w.merge(row, ic, row, ic + 3)
        w.put(row, ic + 4, "实际完成情况")
        w.merge(row, ic + 4, row, last)
        row += 1
        w.put(row, ic, t.goals[0])
        w.merge(row, ic, row, ic + 3)
        w.put(row, ic + 4, t.goals[1])
        w.merge(row, ic + 4, row, last)
        ws.row_dimensions[row].height = 60
        row += 1

    # Indicator block, one first-level block at a time (a 小计 row closes each when the form has them).
    header_row = row
    if t.side:
        w.put(row, c0, "绩\n效\n指\n标")
    for index, text in enumerate(t.ind_headers):
        w.put(row, ic + index, text)
    row += 1
    blocks: list[tuple[str, list[Line]]] = []
    for line in t.lines:
        if line[0] is not None:
            blocks.append((line[0], []))
        blocks[-1][1].append(line)
    for label, lines in blocks:
        key = level_key(label)
        level_start = row
        w.put(row, ic, label)
        placed.levels.append((label, ref(row, ic)))
        group_start = group_label = None
        assert lines[0][1] is not None, f"{label}: the first line of a block names its 二级指标"
        for line in lines:
            _, group, name, target, actual, weight, score, reason = line
            if group is not None:
                if t.merge and group_start is not None:
                    w.merge(group_start, ic + 1, row - 1, ic + 1)
                group_start, group_label = row, group
                w.put(row, ic + 1, group)
            for offset, value in enumerate((name, target, actual, weight, score, reason)):
                w.put(row, ic + 2 + offset, value)
            placed.rows.append({"level": label, "group": group_label, "line": line, "actual": ref(row, ic + 4),
                                "weight": ref(row, ic + 5), "score": ref(row, ic + 6), "reason": ref(row, ic + 7)})
            row += 1
        if t.merge:
            w.merge(group_start, ic + 1, row - 1, ic + 1)
        if t.subtotals:
            typed_weight = SCHEMES[t.scheme][key]
            summed = sum((parse(line[6]).number for line in lines if parse(line[6]).kind == "number"), Decimal(0))
            typed_score = t.stale.get(key, plain(summed))
            w.put(row, ic + 1, "小计")
            if t.merge:
                w.merge(row, ic + 1, row, ic + 4)
            w.put(row, ic + 5, typed_weight)
            w.put(row, ic + 6, typed_score)
            placed.subtotals[key] = {"weight": ref(row, ic + 5), "score": ref(row, ic + 6),
                                     "typed_weight": typed_weight, "typed_score": typed_score}
            row += 1
        if t.merge:
            w.merge(level_start, ic, row - 1, ic)
    if t.side:
        w.merge(header_row, c0, row - 1, c0)

    # 总分, 评价等次, footer.
    w.put(row, c0, "总分")
    w.merge(row, c0, row, ic + 4)
    w.put(row, ic + 5, t.total_weight)
    placed.total = ref(row, ic + 6)
    w.put(row, ic + 6, t.total)
    row += 1
    if t.grade is not None:
        w.put(row, c0, "评价等次")
        w.merge(row, c0, row, ic + 5)
        w.put(row, ic + 6, t.grade)
        placed.grade = ref(row, ic + 6)
        row += 1
    if t.footer:
        row += 1
        if isinstance(t.footer, str):
            w.put(row, c0, t.footer)
            w.merge(row, c0, row, last)
        else:
            col = c0
            for label, value in t.footer:
                w.put(row, col, label)
                w.put(row, col + 1, value)
                col += 3
        row += 1
    return placed, row


def write_base_form(w: Writer, b: BaseForm, top: int) -> tuple[Placed, int]:
    """Seed 001's form as a Word table pasted into Excel: columns A–H, sections one under another."""
    ws = w.ws
    placed = Placed(ws.title)
    ws.column_dimensions["A"].width = 26
    for col in "BCDEFGH":
        ws.column_dimensions[col].width = 15
    row = top

    def line(text: str, height: float | None = None) -> None:
        nonlocal row
        w.put(row, 1, text)
        w.merge(row, 1, row, 8)
        if height:
            ws.row_dimensions[row].height = height
        row += 1

    def labelled(label: str, text: str, height: float = 45) -> None:
        nonlocal row
        w.put(row, 1, label)
        w.put(row, 2, text)
        w.merge(row, 2, row, 8)
        ws.row_dimensions[row].height = height
        row += 1

    line(f"{b.year}年度部门（单位）整体支出绩效自评表")
    line("岳阳楼区财政局（制）")
    line("一、部门（单位）基本概况")
    labelled("部门（单位）名称", b.department, 18)
    for pair in (("联系人", "孟庆红", "联络电话", "18692107518"), ("人员编制", "9人", "实有人数", "17人")):
        w.put(row, 1, pair[0])
        w.put(row, 2, pair[1])
        w.merge(row, 2, row, 4)
        w.put(row, 5, pair[2])
        w.put(row, 6, pair[3])
        w.merge(row, 6, row, 8)
        row += 1
    labelled("职能职责概述", "制订全区宣传思想文化发展总体规划；统筹协调全区党的意识形态工作；统筹指导协调全区理论学习、"
                          "理论研究、理论宣传和理论宣讲；制定全区新闻宣传事业发展总体规划。")
    labelled("年度主要\n工作内容", "任务1：着力强化意识形态领域管理　任务2：扎实抓好理论学习和宣传　任务3：切实加强新闻宣传　"
                            "任务4：持续推进精神文明建设")
    labelled("年度部门（单位）总体运行情况及取得的成绩", "全区宣传思想文化战线紧扣统一思想、凝聚力量这个中心环节，"
                                          "切实履行围绕中心、服务大局基本职责。")
    line("二、部门（单位）收支情况")

    # Amount tables by 机构: header rows, then the 汇总 row and one row per 机构.
    headers = {
        "income": [["机构名称", "收入合计", "其中：", None, None, None, None],
                   [None, None, "上年结转", "公共财政\n拨款", "政府基金\n拨款", "纳入专户管理的非税收入拨款", "其他\n收入"]],
        "spending": [["机构名称", "支出合计", "其中：", None, None, None, "结余", None],
                     [None, None, "基本支出", "其中：", None, "项目支出", "当年\n结余", "累计结余"],
                     [None, None, None, "人员支出", "公用支出", None, None, None]],
        "sangong": [["机构名称", "三公经费\n合计", "其中：", None, None, None],
                    [None, None, "公务接待费", "公务用车运维费", "公务用车购置费", "因公出国费"]],
        "assets": [["机构名称", "固定资产\n合计", "其中：", None, "其他"],
                   [None, None, "在用固定资产", "出租固定资产", None]],
    }
    header_merges = {
        "income": [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 6)],
        "spending": [(0, 0, 2, 0), (0, 1, 2, 1), (0, 2, 0, 5), (0, 6, 0, 7), (1, 2, 2, 2), (1, 3, 1, 4),
                     (1, 5, 2, 5), (1, 6, 2, 6), (1, 7, 2, 7)],
        "sangong": [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 5)],
        "assets": [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 1, 4)],
    }
    for key in ("income", "spending", "sangong", "assets"):
        if key in ("income", "spending"):
            line(BASE_TABLES[key]["title"])
        head = row
        for offset, cells in enumerate(headers[key]):
            for col, text in enumerate(cells, start=1):
                w.put(head + offset, col, text)
        for r1, c1, r2, c2 in header_merges[key]:
            w.merge(head + r1, c1 + 1, head + r2, c2 + 1)
        row = head + len(headers[key])
        placed.base[key] = []
        for label, values in b.tables[key]:
            assert len(values) == len(BASE_TABLES[key]["columns"]), (key, label)
            w.put(row, 1, label)
            cells = []
            for col, value in enumerate(values, start=2):
                w.put(row, col, value, "0.00")
                cells.append(ref(row, col))
            placed.base[key].append(cells)
            row += 1

    line("三、部门（单位）整体支出绩效自评情况")
    top_goals = row
    w.put(row, 1, "整体支出绩效定性目标及实施计划完成情况")
    w.put(row, 2, "预期目标")
    w.merge(row, 2, row, 6)
    w.put(row, 7, "实际完成")
    w.merge(row, 7, row, 8)
    row += 1
    w.put(row, 2, "目标1：强化意识形态领域管理\n目标2：扎实抓好理论学习和宣传\n目标3：切实加强新闻宣传\n"
                  "目标4：加快发展文化事业\n目标5：持续推进精神文明建设\n目标6：努力提升网管水平")
    w.merge(row, 2, row, 6)
    w.put(row, 7, "已完成")
    w.merge(row, 7, row, 8)
    ws.row_dimensions[row].height = 90
    w.merge(top_goals, 1, row, 1)
    row += 1
    quantitative = [
        ("产出目标", "质量指标", "建立健全工作责任制度、督查考评制度、新闻发布制度等一系列规章制度", "已完成"),
        (None, None, "新闻平台从4个增加到12个，实现了平台建设从固定型向多元化转型", "已完成"),
        (None, "数量指标", "开展意识形态工作专项检查2次，分析研判会、联席会议4次，整改各类问题4项23个", "已完成"),
        (None, None, "在中央级媒体发稿27条，省级媒体发稿522条，市级媒体发稿2143条，区级平台发稿4772条", "已完成"),
        (None, None, "组织开展13次区委理论学习中心组学习研究和16次区委常委会学习", "已完成"),
        (None, "时效指标", None, None),
        (None, "成本指标", "严格控制预算，严格控制“三公”经费支出，做到预算支出不超标", "已完成"),
        ("效益目标", "社会效益", "社会反响良好", "98%"),
        (None, "经济效益", None, None),
        (None, "生态效益", None, None),
        (None, "社会公众或服务对象满意度", "正面宣传多角度、多平台推出", "98%"),
    ]
    top_quant = row
    w.put(row, 1, "整体支出\n绩效定量目标及实施计划完成情况")
    w.put(row, 2, "评价内容")
    w.merge(row, 2, row, 8)
    row += 1
    level_start = group_start = None
    for level, group, text, done in quantitative:
        if level is not None:
            if level_start is not None:
                w.merge(group_start, 3, row - 1, 3)
                w.merge(level_start, 2, row - 1, 2)
            level_start = group_start = row
            w.put(row, 2, level)
        if group is not None:
            if group_start is not None and group_start != row:
                w.merge(group_start, 3, row - 1, 3)
            group_start = row
            w.put(row, 3, group)
        w.put(row, 4, text)
        w.merge(row, 4, row, 7)
        w.put(row, 8, done)
        row += 1
    w.merge(group_start, 3, row - 1, 3)
    w.merge(level_start, 2, row - 1, 2)
    w.merge(top_quant, 1, row - 1, 1)
    w.put(row, 1, "绩效自评综合得分")
    w.put(row, 2, b.score)
    w.merge(row, 2, row, 8)
    placed.score = ref(row, 2)
    row += 1
    w.put(row, 1, "评价等次")
    w.put(row, 2, b.grade)
    w.merge(row, 2, row, 8)
    placed.grade = ref(row, 2)
    row += 1
    line("四、评价人员")
    for cells in (("姓  名", "职务/职称", "单  位", "签  字"), ("李崇民", "常务副部长", "宣传部", None),
                  ("钟广宇", "副部长", "宣传部", None), ("周  伟", "办公室主任", "宣传部", None)):
        for index, text in enumerate(cells):
            w.put(row, 1 + 2 * index, text)
            w.merge(row, 1 + 2 * index, row, 2 + 2 * index)
        row += 1
    row += 1
    line("填报人（签名）：孟庆红                联系电话：18692107518")
    return placed, row


def write_extra(ws, kind: str) -> None:
    """A sheet that is no scoring table."""
    if kind == "cover":
        ws.column_dimensions["A"].width = 80
        ws["A3"] = "部门整体支出及项目支出绩效自评材料"
        ws["A8"] = "（盖章）"
        ws["A10"] = "2025年3月"
    elif kind == "instructions":
        ws.column_dimensions["A"].width = 100
        for index, text in enumerate((
                "填表说明",
                "1．本表由预算部门（单位）根据年度预算执行情况和绩效目标完成情况如实填写。",
                "2．“执行率”=全年执行数÷全年预算数；预算执行率得分=执行率×分值，最高不超过分值。",
                "3．每个一级指标下设“小计”行，分值为该一级指标分值，得分为其下各指标得分之和。",
                "4．得分低于分值的，须在“偏差原因分析及改进措施”栏说明原因。"), start=1):
            ws.cell(row=index, column=1, value=text)
    elif kind == "project_list":  # seed 004: the three projects of 峨边融媒体中心, 65.20 = 5.8 + 24.4 + 35
        ws["A1"] = "2024年度项目支出明细表"
        ws.merge_cells("A1:F1")
        for col, text in enumerate(("序号", "项目名称", "年初预算数（万元）", "全年预算数（万元）", "全年执行数（万元）", "备注"),
                                   start=1):
            ws.cell(row=3, column=col, value=text)
            ws.column_dimensions[get_column_letter(col)].width = 18
        ws.column_dimensions["B"].width = 30
        rows = [(1, "峨边在线", 35, 35, 35, "微信公众号平台运营"), (2, "推广服务费及保障安全播出经费", 24.4, 24.4, 24.4, None),
                (3, "数字化建设", 5.8, 5.8, 5.8, "网络专线及云资源")]
        for offset, values in enumerate(rows):
            for col, value in enumerate(values, start=1):
                if value is not None:
                    ws.cell(row=4 + offset, column=col, value=value)
        ws.cell(row=7, column=2, value="合计")
        for col in (3, 4, 5):
            ws.cell(row=7, column=col, value=65.2)
        for r in range(4, 8):
            for col in (3, 4, 5):
                ws.cell(row=r, column=col).number_format = "0.00"
    elif kind == "ledger":
        ws["A1"] = "2024年资金支出明细（万元）"
        ws.merge_cells("A1:E1")
        for col, text in enumerate(("月份", "基本支出", "项目支出", "合计", "经办人"), start=1):
            ws.cell(row=2, column=col, value=text)
            ws.column_dimensions[get_column_letter(col)].width = 14
        months = [("第一季度", 90.31, 14.2), ("第二季度", 90.31, 16.4), ("第三季度", 90.31, 15.8), ("第四季度", 90.32, 18.8)]
        for offset, (month, basic, project) in enumerate(months):
            r = 3 + offset
            for col, value in enumerate((month, basic, project, float(Decimal(str(basic)) + Decimal(str(project))),
                                         "肖良海"), start=1):
                ws.cell(row=r, column=col, value=value)
        ws.cell(row=7, column=1, value="全年")
        for col, value in ((2, 361.25), (3, 65.2), (4, 426.45)):
            ws.cell(row=7, column=col, value=value)
    else:
        raise ValueError(kind)


# --------------------------------------------------------------------------------------------------
# The conventions, applied to what was typed (README.md spells them out)
# --------------------------------------------------------------------------------------------------


def finding(code: str, sheet: str | None, cell: str | None, expected=None, found=None) -> dict:
    return {"code": code, "sheet": sheet, "cell": cell, "expected": expected, "found": found}


def adds_up(total: Parsed, parts: list[Parsed], what: str) -> bool:
    """domain.md §4: each value is an interval v ± ½·10⁻ᵈ. The verdict must not depend on how many
    decimals a reader grants a value (all two decimals, or exactly as written), else it is refused."""
    diff = abs(total.number - sum((p.number for p in parts), Decimal(0)))
    strict = diff <= half(2) * (1 + len(parts))
    loose = diff <= half(total.places) + sum((half(p.places) for p in parts), Decimal(0))
    assert strict == loose, f"{what}: the sum agrees only under one reading of its decimals"
    return strict


_TEXT_ITEM = re.compile(r"^(?:其中[:：])?(?P<label>[^:：]+)[:：](?P<num>.*)$")
TEXT_PARENT = {"一般公共预算": "按收入性质分", "政府性基金拨款": "按收入性质分", "国有资本经营预算": "按收入性质分",
               "纳入专户管理的非税收入拨款": "按收入性质分", "其他资金": "按收入性质分",
               "基本支出": "按支出性质分", "项目支出": "按支出性质分", "人员经费": "基本支出", "公用经费": "基本支出"}
INCOME_ROWS = ("一般公共预算", "政府性基金拨款", "国有资本经营预算", "纳入专户管理的非税收入拨款", "其他资金",
               "当年财政拨款", "上年结转资金")
EXPENSE_ROWS = ("基本支出", "项目支出")
BASIC_PARTS = ("人员经费", "公用经费")


def amount_findings(t: Table, p: Placed) -> list[dict]:
    """Funds breakdowns: each adds up to 年度资金总额; 人员经费 + 公用经费 = 基本支出 (nested, seed 000)."""
    out = []
    funds = {key: parse(getattr(t.funds, key)) for key in ("initial", "budget", "executed")}
    if p.texts:
        values: dict[str, tuple[Parsed, str]] = {}
        for text, cell in p.texts:
            match = _TEXT_ITEM.match(squeeze(text))
            assert match, (text, "a breakdown text is 'label：amount'")
            label, num = match.group("label"), match.group("num")
            assert label in TEXT_PARENT or label.startswith("按"), label
            assert label not in values, f"{label} twice in one breakdown"
            values[label] = (parse(num), cell)
        for heading in ("按收入性质分", "按支出性质分"):
            if heading in values:
                value = values[heading][0].number
                assert value == funds["budget"].number == funds["executed"].number, \
                    f"{heading}: a heading that matches only one amount column is left open"
        for parent, (total, cell) in values.items():
            parts = [parsed for label, (parsed, _) in values.items()
                     if TEXT_PARENT.get(label) == parent and parsed.kind == "number"]
            if total.kind != "number" or not parts:
                continue
            if not adds_up(total, parts, f"{t.project or t.department} {parent}"):
                out.append(finding("AMOUNT_SUM_MISMATCH", p.sheet, cell, jnum(sum(x.number for x in parts)),
                                   jnum(total.number)))
    if p.amounts:
        rows = {squeeze(label).removeprefix("其中:").removeprefix("其中："): cells for label, cells in p.amounts}
        for index, key in enumerate(("initial", "budget", "executed")):
            total = funds[key]
            for group in (INCOME_ROWS, EXPENSE_ROWS):
                parts = [parse(rows[label][index][0]) for label in group if label in rows]
                parts = [x for x in parts if x.kind == "number"]
                if parts and not adds_up(total, parts, f"{t.project or t.department} {key}"):
                    out.append(finding("AMOUNT_SUM_MISMATCH", p.sheet, p.funds[key],
                                       jnum(sum(x.number for x in parts)), jnum(total.number)))
            if "基本支出" in rows:
                basic_value, basic_cell = rows["基本支出"][index]
                parts = [parse(rows[label][index][0]) for label in BASIC_PARTS if label in rows]
                parts = [x for x in parts if x.kind == "number"]
                if parts and not adds_up(parse(basic_value), parts, "基本支出"):
                    out.append(finding("AMOUNT_SUM_MISMATCH", p.sheet, basic_cell, jnum(sum(x.number for x in parts)),
                                       jnum(parse(basic_value).number)))
    return out


def rule_score(where: str, level: str, group: str, target: object, actual: object, weight: Decimal):
    """The reviewer's score (a Decimal, or (low, high) for a qualitative row) and the overshoot, if any."""
    tp, ap = parse(target), parse(actual)
    if tp.kind != "number":  # qualitative: words, dates, periods ('2024年12月31日前', '2024-2025年度')
        actual_text = squeeze(str(actual or ""))
        said_done = any(word in actual_text for word in ACHIEVED) and not any(
            word in actual_text for word in ("未", "部分", "基本"))
        assert actual_text == squeeze(str(target)) or said_done, f"{where}: qualitative row left open ({actual_text})"
        return (rhu(weight * Decimal("0.8"), 2), weight), None
    assert ap.kind == "number", f"{where}: quantitative target with a non-numeric actual"
    tn, an = tp.number, ap.number
    assert tn > 0 and an > 0, where
    in_cost = level == "cost" or "成本" in group
    op = tp.op
    if op in ("≤", "<") or (op == "" and level == "cost"):
        lower = True
    elif op in ("≥", ">", "=") or (op == "" and not in_cost):
        lower = False
    else:
        raise AssertionError(f"{where}: operator {op!r} in a cost group is left open")
    assert not (op == "=" and in_cost), f"{where}: '=' in a cost group is left open"
    assert not (op in (">", "<") and an == tn), f"{where}: strict operator met exactly is left open"
    overshoot = None
    if lower:
        assert tn / an < Decimal("1.15"), f"{where}: a lower-is-better actual far below target is left open"
        met = an < tn if op == "<" else an <= tn
        rule = weight if met else weight * tn / an
    else:
        assert op != "=" or an <= tn, f"{where}: '=' over-achieved is left open"
        ratio = an / tn
        assert abs(ratio - OVERSHOOT) > Decimal("0.02"), f"{where}: overshoot ratio on the edge"
        if ratio >= OVERSHOOT:
            assert not tp.percent, f"{where}: overshoot of a percentage target is left open"
            overshoot = (tn, an)
        met = an > tn if op == ">" else an >= tn
        rule = weight if met else weight * an / tn
    assert not on_half_cent(rule), f"{where}: rule score on a half-cent boundary"
    return rhu(rule, 2), overshoot


def expect_table(t: Table, p: Placed) -> tuple[dict, list[dict]]:
    out: list[dict] = []
    where = f"{p.sheet}/{t.project or t.department}"

    def add(code: str, cell: str | None, expected=None, found=None) -> None:
        out.append(finding(code, p.sheet, cell, expected, found))

    keys = [level_key(label) for label, _ in p.levels]
    weights = SCHEMES[t.scheme]
    assert sorted(keys) == sorted(k for k in weights if k != "budget"), (where, keys)
    w_b = Decimal(weights["budget"])
    levels_weight = sum((Decimal(v) for k, v in weights.items() if k != "budget"), Decimal(0))

    # Funds: rate, budget score, budget figures.
    f = t.funds
    budget, executed, declared_b = parse(f.budget), parse(f.executed), parse(f.score)
    assert budget.kind == executed.kind == declared_b.kind == "number", where
    assert parse(f.weight).number == w_b, where
    rule_b = None
    if budget.number == 0:  # no rate: report the budget; nothing derived from the rate is checked
        add("MISSING_VALUE", p.funds["budget"], None, 0)
        assert executed.number == 0 and parse(f.rate).kind == "blank", f"{where}: budget 0 with spending is left open"
    else:
        true_rate = executed.number / budget.number
        if executed.number > budget.number:
            add("EXECUTED_OVER_BUDGET", p.funds["executed"], jnum(budget.number), jnum(executed.number))
        rate = parse(f.rate)
        assert rate.kind == "number" and rate.percent, f"{where}: a rate is a percentage (shown or typed)"
        slack = half(rate.places)
        off_true, off_rounded = abs(rate.number - true_rate), abs(rate.number - rhu(true_rate, 4))
        assert (off_true <= slack) == (off_rounded <= slack), f"{where}: rate agrees only with the unrounded rate"
        assert abs(off_true - slack) > Decimal("1e-7"), f"{where}: rate on the edge of its precision"
        if off_true > slack:
            add("EXECUTION_RATE_MISMATCH", p.funds["rate"], jnum(rhu(true_rate, 4), 4), jnum(rate.number, 4))
        exact_b = min(true_rate, Decimal(1)) * w_b
        assert not on_half_cent(exact_b), f"{where}: budget score on a half-cent boundary"
        rule_b = rhu(exact_b, 2)
        if abs(declared_b.number - rule_b) > TOL:
            add("BUDGET_SCORE_MISMATCH", p.funds["score"], jnum(rule_b), jnum(declared_b.number))

    # Indicator rows.
    computed = declared_b.number
    indicator_sum = Decimal(0)
    weight_sums: dict[str, Decimal] = {}
    block_scores: dict[str, Decimal] = {}
    for info in p.rows:
        _, _, name, target, actual, weight, score, reason = info["line"]
        key = level_key(info["level"])
        if (name or "").strip() in ("", "无"):
            assert all(v is None for v in (target, actual, weight, score, reason)), (where, name)
            continue  # unused row
        w, s = parse(weight), parse(score)
        assert w.kind == "number" and s.kind == "number", f"{where}: {name}: weight and score are numbers here"
        weight_sums[key] = weight_sums.get(key, Decimal(0)) + w.number
        block_scores[key] = block_scores.get(key, Decimal(0)) + s.number
        computed += s.number
        indicator_sum += s.number
        if s.number > w.number:
            add("SCORE_OVER_WEIGHT", info["score"], jnum(w.number), jnum(s.number))
        elif s.number < 0:
            add("SCORE_OVER_WEIGHT", info["score"], 0, jnum(s.number))
        rule, overshoot = rule_score(f"{where}: {name}", key, info["group"] or "", target, actual, w.number)
        if overshoot:
            add("TARGET_OVERSHOOT", info["actual"], jnum(overshoot[0]), jnum(overshoot[1]))
        if isinstance(rule, tuple):
            low, high = rule
            if not low <= s.number <= high:
                add("SCORE_RULE_MISMATCH", info["score"], f"{short(low)}–{short(high)}", jnum(s.number))
        elif abs(s.number - rule) > TOL:
            add("SCORE_RULE_MISMATCH", info["score"], jnum(rule), jnum(s.number))
        if s.number < w.number and not (reason or "").strip():
            add("DEVIATION_REASON_MISSING", info["reason"], jnum(w.number), jnum(s.number))

    # First-level weights and 小计 rows.
    for label, cell in p.levels:
        key = level_key(label)
        stated = _LABEL_WEIGHT.search(squeeze(label))
        if stated and Decimal(stated.group(1)) != weights[key]:
            add("WEIGHT_MISMATCH", cell, weights[key], jnum(Decimal(stated.group(1))))
        elif weight_sums.get(key, Decimal(0)) != weights[key]:
            add("WEIGHT_MISMATCH", cell, weights[key], jnum(weight_sums.get(key, Decimal(0))))
    for key, sub in p.subtotals.items():
        assert parse(sub["typed_weight"]).number == weights[key] == weight_sums[key], f"{where}: 小计 分值 left open"
        typed = parse(sub["typed_score"]).number
        if abs(typed - block_scores[key]) > TOL:
            add("SUBTOTAL_MISMATCH", sub["score"], jnum(block_scores[key]), jnum(typed))
    assert parse(t.total_weight).number == 100, where

    out += amount_findings(t, p)

    # Total and grade.
    declared = parse(t.total)
    assert declared.kind == "number", where
    if abs(declared.number - computed) > TOL:
        add("TOTAL_MISMATCH", p.total, jnum(computed), jnum(declared.number))
    computed_grade = grade_of(computed)
    if t.grade is not None:
        word = squeeze(t.grade)
        if GRADE_WORDS.get(word) != computed_grade:
            add("GRADE_MISMATCH", p.grade, computed_grade, t.grade.strip())

    # Spending against performance (domain.md §3): B the budget score, S the indicator scores.
    if rule_b is not None:
        share = indicator_sum / levels_weight
        verdicts = set()
        for b in {rule_b, declared_b.number}:  # the verdict must not depend on which B a reader takes
            gap, limit = share - b / w_b, GAP_THRESHOLD * share
            assert abs(gap - limit) > TOL, f"{where}: spending gap on the edge of the threshold"
            verdicts.add(gap > limit)
        assert len(verdicts) == 1, f"{where}: spending gap depends on declared vs rule budget score"
        if verdicts.pop():
            add("SPENDING_PERFORMANCE_GAP", p.funds["score"], jnum(rhu(rule_b / w_b, 4), 4), jnum(rhu(share, 4), 4))

    entry = {"sheet": p.sheet, "kind": t.kind, "title": t.project or "", "declared_total": jnum(declared.number),
             "computed_total": jnum(computed), "declared_grade": t.grade.strip() if t.grade is not None else None,
             "computed_grade": computed_grade}
    check_plant(where, t.plant, out)
    return entry, out


def expect_base_form(b: BaseForm, p: Placed) -> tuple[dict, list[dict]]:
    """Each 合计 against its parts (per row), each 汇总 row against its 机构 rows (per column), the grade."""
    out: list[dict] = []
    where = f"{p.sheet}/{b.department}"
    for key, spec in BASE_TABLES.items():
        rows = [[parse(v) for v in values] for _, values in b.tables[key]]
        cells = p.base[key]
        assert "汇总" in b.tables[key][0][0], f"{where}: the first row of {key} is the 汇总 row"
        for r, values in enumerate(rows):
            for total_col, part_cols in spec["rules"]:
                total = values[total_col]
                parts = [values[c] for c in part_cols if values[c].kind == "number"]
                if total.kind == "blank":
                    assert not parts, f"{where}: {key} row {r}: parts without their 合计 are left open"
                    continue
                assert parts, f"{where}: {key} row {r}: a 合计 whose parts are all blank is left open"
                if not adds_up(total, parts, f"{where} {key} row {r}"):
                    out.append(finding("AMOUNT_SUM_MISMATCH", p.sheet, cells[r][total_col],
                                       jnum(sum(x.number for x in parts)), jnum(total.number)))
        for col in range(len(spec["columns"])):
            summary = rows[0][col]
            parts = [values[col] for values in rows[1:] if values[col].kind == "number"]
            if summary.kind == "blank":
                assert not parts, f"{where}: {key} column {col}: 机构 figures under a blank 汇总 are left open"
                continue
            assert parts, f"{where}: {key} column {col}: a 汇总 without 机构 figures is left open"
            if not adds_up(summary, parts, f"{where} {key} column {col}"):
                out.append(finding("AMOUNT_SUM_MISMATCH", p.sheet, cells[0][col], jnum(sum(x.number for x in parts)),
                                   jnum(summary.number)))
    assert len({f["cell"] for f in out}) == len(out), f"{where}: one cell flagged by two sums is left open"
    score = parse(b.score)
    assert score.kind == "number", where
    computed_grade = grade_of(score.number)
    if GRADE_WORDS.get(squeeze(b.grade)) != computed_grade:
        out.append(finding("GRADE_MISMATCH", p.sheet, p.grade, computed_grade, b.grade.strip()))
    entry = {"sheet": p.sheet, "kind": "base-data", "title": "", "declared_total": jnum(score.number),
             "computed_total": jnum(score.number), "declared_grade": b.grade.strip(), "computed_grade": computed_grade}
    check_plant(where, b.plant, out)
    return entry, out


def check_plant(where: str, plant: set, out: list[dict]) -> None:
    """Refuse a table whose recomputed findings are not exactly what was planted in it."""
    got = [(f["code"], f["expected"], f["found"]) for f in out]
    assert len(set(got)) == len(got), f"{where}: two findings alike"
    assert set(got) == set(plant), f"{where}: recomputed {sorted(map(str, got))} vs planted {sorted(map(str, plant))}"


# --------------------------------------------------------------------------------------------------
# The tables (figures from shared/seeds)
# --------------------------------------------------------------------------------------------------

EBIAN = "峨边彝族自治县融媒体中心"  # seed 004
LUSONG = "中国共产党株洲市芦淞区委员会宣传部"  # seed 003
LIWAN = "中国共产党广州市荔湾区委员会宣传部"  # seed 002
JINKOUHE = "中共乐山市金口河区委宣传部"  # seed 000
YUEYANG = "中共岳阳市岳阳楼区委宣传部"  # seed 001


def change(lines: list[Line], which: str, /, **changes) -> list[Line]:
    """A copy of ``lines`` with the line whose 三级指标 is ``which`` changed (fields by name)."""
    order = ("level", "group", "name", "target", "actual", "weight", "score", "reason")
    out, hits = [], 0
    for line in lines:
        if line[2] == which:
            values = dict(zip(order, line, strict=True))
            values.update(changes)
            line = tuple(values[k] for k in order)
            hits += 1
        out.append(line)
    assert hits == 1, which
    return out


def relabel(lines: list[Line], labels: dict[str, str]) -> list[Line]:
    """First-level labels replaced by key ('output' → '产出指标')."""
    return [(labels[level_key(line[0])], *line[1:]) if line[0] else line for line in lines]


# Seed 004 (峨边融媒体中心 2024, classic 10/50/30/10): 426.45 = 基本 361.25 + 项目 65.20 = 5.8 + 24.4 + 35;
# the overall table scores 98 as the report says.
EBIAN_OVERALL: list[Line] = [
    ("产出指标（50分）", "数量指标", "内宣发布图文信息", "≥7000条", "7798条", 10, 10, None),
    (None, None, "内宣发布视频信息", "≥900条", "987条", 10, 10, None),
    (None, None, "中省市级主流媒体采用稿件", "≥1100条", "1246条", 10, 10, None),
    (None, "质量指标", "安全播出率", "=100%", "100%", 10, 10, None),
    (None, "时效指标", "舆情信息处置及时率", "=100%", "100%", 5, 5, None),
    (None, "成本指标", "部门整体支出", "≤426.45万元", "426.45万元", 5, 5, None),
    ("效益指标（30分）", "社会效益指标", "主流舆论影响力", "提升", "提升", 10, 8,
     "“爱峨边”APP下载量和日活率仍偏低，下一年度加大推广力度。"),
    (None, None, "舆情应急处置能力", "提升", "提升", 10, 10, None),
    (None, "可持续影响指标", "融媒体平台稳定运行", "持续", "持续", 10, 10, None),
    ("满意度指标（10分）", "服务对象满意度指标", "群众满意度", "≥95%", "100%", 10, 10, None),
]
EBIAN_OVERALL_FUNDS = Funds(426.45, 426.45, 426.45, 10, "100%", 10)
EBIAN_OVERALL_BREAKDOWN = [("一般公共预算", 426.45, 426.45, 426.45), ("基本支出", 361.25, 361.25, 361.25),
                           ("项目支出", 65.2, 65.2, 65.2)]
EBIAN_GOALS = ("围绕县委、县政府中心工作开展新闻宣传，保障融媒体平台安全播出和稳定运行。",
               "全年内宣发布图文信息7798条、视频信息987条，中省市级主流媒体采用1246条，安全播出无事故。")
EBIAN_ONLINE: list[Line] = [
    ("产出指标（50分）", "数量指标", "发布图文信息", "≥7000条", "7798条", 15, 15, None),
    (None, None, "发布视频信息", "≥900条", "987条", 10, 10, None),
    (None, "质量指标", "信息审核通过率", "=100%", "100%", 10, 10, None),
    (None, "时效指标", "按月支付运营费用", "按月支付", "按月支付", 5, 5, None),
    (None, "成本指标", "项目成本", "≤35万元", "35万元", 10, 10, None),
    ("效益指标（30分）", "社会效益指标", "信息共享水平", "提升", "提升", 15, 15, None),
    (None, "可持续影响指标", "平台持续运营", "持续", "持续", 15, 15, None),
    ("满意度指标（10分）", "服务对象满意度指标", "用户满意度", "≥95%", "100%", 10, 10, None),
]
BROADCAST: list[Line] = [
    ("产出指标（50分）", "数量指标", "安全播出设施设备检查", "≥60次", "64次", 10, 10, None),
    (None, None, "购买播出片源", "≥12部", "12部", 10, 10, None),
    (None, "质量指标", "安全播出率", "=100%", "100%", 10, 10, None),
    (None, "时效指标", "按月据实支付", "按月支付", "按月支付", 5, 5, None),
    (None, "成本指标", "项目成本", "≤24.4万元", "24.4万元", 15, 15, None),
    ("效益指标（30分）", "社会效益指标", "安全播出保障水平", "提升", "提升", 15, 15, None),
    (None, "可持续影响指标", "综合频道和广播稳定运行", "持续", "持续", 15, 15, None),
    ("满意度指标（10分）", "服务对象满意度指标", "群众满意度", "≥95%", "98%", 10, 10, None),
]
DIGITAL: list[Line] = [
    ("产出指标（50分）", "数量指标", "网络专线", "=1条", "1条", 10, 10, None),
    (None, None, "APP云主机", "≥3台", "3台", 10, 10, None),
    (None, None, "云存储资源", "≥10TB", "10TB", 10, 10, None),
    (None, "质量指标", "系统故障修复率", "=100%", "100%", 10, 10, None),
    (None, "时效指标", "按月支付服务费", "按月支付", "按月支付", 5, 5, None),
    (None, "成本指标", "项目成本", "≤5.8万元", "5.8万元", 5, 5, None),
    ("效益指标（30分）", "社会效益指标", "客户端信息服务能力", "提升", "提升", 15, 15, None),
    (None, "可持续影响指标", "平台持续稳定运行", "持续", "持续", 15, 15, None),
    ("满意度指标（10分）", "服务对象满意度指标", "用户满意度", "≥95%", "96%", 10, 10, None),
]
DIGITAL_98 = change(DIGITAL, "客户端信息服务能力", score=13, reason="客户端部分功能响应偏慢，已要求服务商优化。")
# Seed 004's online project: its name says 2024-2025年度; targets that are dates, periods and words.
ONLINE_TEXT_TARGETS: list[Line] = [
    ("产出指标（50分）", "数量指标", "发布图文信息", "≥7000条", "7798条", 15, 15, None),
    (None, None, "发布视频信息", "≥900条", "987条", 10, 10, None),
    (None, "质量指标", "信息审核通过率", "=100%", "100%", 5, 5, None),
    (None, "时效指标", "项目完成时限", "2024年12月31日前", "已完成", 5, 5, None),
    (None, None, "运营费用支付", "按时完成", "已完成", 5, 5, None),
    (None, "成本指标", "项目成本", "≤35万元", "35万元", 10, 10, None),
    ("效益指标（30分）", "社会效益指标", "信息共享水平", "提升", "提升", 15, 15, None),
    (None, "可持续影响指标", "运营服务期", "2024-2025年度", "已完成", 15, 15, None),
    ("满意度指标（10分）", "服务对象满意度指标", "用户满意度", "≥95%", "100%", 10, 10, None),
]


def ebian_project(name: str, lines: list[Line], amount: float, **kw) -> Table:
    kw.setdefault("funds", Funds(amount, amount, amount, 10, "100%", 10))
    kw.setdefault("total", 100)
    kw.setdefault("breakdown", [("当年财政拨款", amount, amount, amount), ("上年结转资金", 0, 0, 0),
                                ("其他资金", 0, 0, 0)])
    return Table(EBIAN, 2024, lines, project=name, breakdown_dashes=True, **kw)


def ebian_overall(**kw) -> Table:
    kw.setdefault("total", 98)
    kw.setdefault("grade", "优")
    return Table(EBIAN, 2024, EBIAN_OVERALL, EBIAN_OVERALL_FUNDS, breakdown=EBIAN_OVERALL_BREAKDOWN,
                 goals=EBIAN_GOALS, **kw)


# Seed 003 (芦淞区委宣传部 2024, standard), re-scored by the rule: cost 476.74 / 642.01 × 20 = 14.85.
COST_BY_RULE = "整体支出超出年初预算，按年初预算数/实际支出计分；部分款项跨年度支付，下一年度加强预算统筹。"
LUSONG_LINES: list[Line] = [
    ("产出指标\n\n(40分)", "数量指标", "中心组学习", "12次", "12次", 5, 5, None),
    (None, None, "《强国复兴有我》巡回宣讲", "≥5场", "5场", 5, 5, None),
    (None, None, "文化惠民活动", "≥100场", "≥100场", 5, 5, None),
    (None, None, "查处非法宗教活动", "≥4起", "4起", 5, 5, None),
    (None, "质量指标", "完成率", "100%", "100%", 10, 10, None),
    (None, "时效指标", "全年", "全年", "全年", 10, 10, None),
    ("效益指标\n\n（20分）", "经济效益指标", "品片宣传", "提升", "提升", 5, 5, None),
    (None, "社会效益指标", "品牌形像", "提升", "提升", 5, 5, None),
    (None, "生态效益指标", "生态文明", "提升", "提升", 5, 5, None),
    (None, "可持续影响指标", "投资环境", "提升", "提升", 5, 5, None),
    ("满意度\n指标\n（10分）", "服务对象满意度指标", "公众满意度", "95%", "96%", 10, 10, None),
    ("成本指标（20分）", "经济成本指标", "整体支出", "476.74万元", "642.01万元", 20, 14.85, COST_BY_RULE),
    (None, "社会成本指标", "无", None, None, None, None, None),
    (None, "生态环境成本指标", "无", None, None, None, None, None),
]
LUSONG_FUNDS = Funds(476.74, 642.01, 642.01, 10, "100%", 10)
LUSONG_BREAKDOWN = [
    ("按收入性质分：642.01", "按支出性质分：642.01"),
    ("  其中：  一般公共预算：598.25", "其中：基本支出：260.65"),
    ("政府性基金拨款：16", "项目支出：381.36"),
    ("纳入专户管理的非税收入拨款：", ""),
    ("其他资金：27.76", ""),
]
LUSONG_GOALS = ("通过多样化的宣传手段，及时准确地传达芦淞区的新情况、新成绩、新经验和新典型，提升宣传质量，打造有特色的宣传品牌。",
                "围绕信息传播、品牌建设等目标积极行动，高质量完成各类任务，及时发布准确信息，有效提升了芦淞区的整体形象。")
# Seed 003's projects: 意识形态专项 188 + 59.2 调增 = 247.2; 品牌宣传推介 90 (337.6 with the 0.4 film subsidy).
IDEOLOGY: list[Line] = [
    ("产出指标（40分）", "数量指标", "区委理论学习中心组学习", "≥12次", "12次", 10, 10, None),
    (None, None, "专题宣讲", "≥50场", "50场", 10, 10, None),
    (None, "质量指标", "意识形态领域问题整改率", "≥80%", "82%", 10, 10, None),
    (None, "时效指标", "年度任务完成", "按计划完成", "按计划完成", 10, 10, None),
    ("效益指标（20分）", "社会效益指标", "主流思想舆论", "巩固壮大", "巩固壮大", 10, 10, None),
    (None, "可持续影响指标", "意识形态工作责任制落实", "持续", "持续", 10, 10, None),
    ("满意度指标（10分）", "服务对象满意度指标", "群众满意度", "≥90%", "96%", 10, 10, None),
    ("成本指标（20分）", "经济成本指标", "项目支出", "≤247.2万元", "247.2万元", 20, 20, None),
]
BRAND: list[Line] = [
    ("产出指标（40分）", "数量指标", "市级以上媒体发稿", "≥2800篇", "3000篇", 10, 10, None),
    (None, None, "区级融媒平台发稿", "≥2000条", "2200条", 10, 10, None),
    (None, "质量指标", "稿件审核合格率", "=100%", "100%", 10, 10, None),
    (None, "时效指标", "重大活动宣传", "及时", "及时", 10, 10, None),
    ("效益指标（20分）", "经济效益指标", "文旅融合发展", "促进", "促进", 10, 10, None),
    (None, "社会效益指标", "芦淞区对外形象", "提升", "提升", 10, 10, None),
    ("满意度指标（10分）", "服务对象满意度指标", "群众满意度", "≥90%", "96%", 10, 10, None),
    ("成本指标（20分）", "经济成本指标", "项目支出", "≤90万元", "90万元", 20, 20, None),
]
FILM: list[Line] = [
    ("产出指标（40分）", "数量指标", "农村公益电影放映场次", "≥480场", "492场", 20, 20, None),
    (None, "质量指标", "放映设备完好率", "=100%", "100%", 10, 10, None),
    (None, "时效指标", "补助发放时限", "按时完成", "已完成", 10, 10, None),
    ("效益指标（20分）", "社会效益指标", "群众文化生活", "丰富", "丰富", 20, 20, None),
    ("满意度指标（10分）", "服务对象满意度指标", "群众满意度", "≥90%", "96%", 10, 10, None),
    ("成本指标（20分）", "经济成本指标", "单场放映补助", "≤200元", "200元", 20, 20, None),
]
LUSONG_OVER = change(LUSONG_LINES, "整体支出", name="“三公”经费", target="≤0.6万元", actual="0.6万元", score=20,
                     reason=None)


def lusong_project(name: str, lines: list[Line], initial, amount, **kw) -> Table:
    kw.setdefault("funds", Funds(initial, amount, amount, 10, "100%", 10))
    kw.setdefault("total", 100)
    return Table(LUSONG, 2024, lines, project=name, **kw)


# Seed 002 (荔湾区委宣传部 2022, standard): 2659.40 / 3663.27 = 72.60 % → 7.26. Here every indicator at full marks.
LIWAN_FULL: list[Line] = [
    ("产出指标（40分）", "数量指标", "重大主题宣传活动", "≥20场", "22场", 10, 10, None),
    (None, None, "区级媒体发稿量", "≥3000条", "3300条", 10, 10, None),
    (None, None, "文化惠民演出", "≥50场", "52场", 5, 5, None),
    (None, "质量指标", "稿件审核合格率", "=100%", "100%", 10, 10, None),
    (None, "时效指标", "任务按期完成", "按期完成", "按期完成", 5, 5, None),
    ("效益指标（20分）", "社会效益指标", "主流舆论影响力", "提升", "提升", 10, 10, None),
    (None, "可持续影响指标", "宣传阵地建设", "持续加强", "持续加强", 10, 10, None),
    ("满意度指标（10分）", "服务对象满意度指标", "群众满意度", "≥90%", "95%", 10, 10, None),
    ("成本指标（20分）", "经济成本指标", "项目支出成本", "≤1600万元", "1461.15万元", 20, 20, None),
]
LIWAN_FUNDS = Funds(3402.15, 3663.27, 2659.4, 10, "72.60%", 7.26)
LIWAN_GOALS = ("开展一系列正面宣传，全方位做好重点项目建设宣传报道，传播新时代荔湾发展“好声音”。",
               "全年完成各项宣传任务；部分项目受疫情影响延期，资金未能全部支出。")
R_COVID = "受疫情防控影响部分活动取消，下一年度增加线上形式。"
# Seed 002's projects, with indicators scored low enough that spending does not lag them (no gap warning).
POOR_90: list[Line] = [  # 83 of 90 (rate 90 %)
    ("产出指标（40分）", "数量指标", "主题宣传活动", "≥20场", "16场", 10, 8, R_COVID),
    (None, None, "编印宣传资料", "≥12期", "9期", 10, 7.5, "印刷合同签订滞后，3期顺延至次年。"),
    (None, "质量指标", "稿件审核合格率", "=100%", "100%", 10, 10, None),
    (None, "时效指标", "任务完成时限", "按时完成", "已完成", 10, 10, None),
    ("效益指标（20分）", "社会效益指标", "宣传覆盖人次", "≥10000人次", "8000人次", 10, 8, R_COVID),
    (None, "可持续影响指标", "宣传阵地建设", "持续加强", "持续加强", 10, 10, None),
    ("满意度指标（10分）", "服务对象满意度指标", "群众满意度", "≥90%", "85.5%", 10, 9.5, "群众知晓率有待提高。"),
    ("成本指标（20分）", "经济成本指标", "单场活动成本", "≤1.5万元", "1.45万元", 20, 20, None),
]
POOR_72: list[Line] = [  # 66.5 of 90 (rate about 72.6 %)
    ("产出指标（40分）", "数量指标", "主题宣传活动", "≥20场", "10场", 10, 5, R_COVID),
    (None, None, "编印宣传资料", "≥12期", "6期", 10, 5, "印刷合同签订滞后，6期顺延至次年。"),
    (None, "质量指标", "稿件审核合格率", "=100%", "70%", 10, 7, "部分稿件需返工，已加强初审。"),
    (None, "时效指标", "任务完成时限", "按时完成", "已完成", 10, 10, None),
    ("效益指标（20分）", "社会效益指标", "宣传覆盖人次", "≥10000人次", "5000人次", 10, 5, R_COVID),
    (None, "可持续影响指标", "平台持续运营天数", "≥360天", "270天", 10, 7.5, "平台改版停运一个季度。"),
    ("满意度指标（10分）", "服务对象满意度指标", "群众满意度", "≥90%", "63%", 10, 7, "活动减少，群众满意度下降。"),
    ("成本指标（20分）", "经济成本指标", "单场活动成本", "≤1.5万元", "1.45万元", 20, 20, None),
]


def liwan_project(name: str, lines: list[Line], funds: Funds, total, plant=frozenset(), **kw) -> Table:
    amount = funds.budget
    return Table(LIWAN, 2022, lines, funds, total, set(plant), project=name,
                 breakdown=[("当年财政拨款", funds.initial, amount, funds.executed)], **kw)


# Seed 000 (金口河区委宣传部 2024, standard): 1351.68 = 基本 501.65 + 项目 850.03; 501.65 vs 415.13 + 86.51 = 501.64.
JINKOUHE_LINES: list[Line] = [
    ("产出指标\n(40分)", "数量指标", "区委理论学习中心组学习", "≥18次", "20次", 5, 5, None),
    (None, None, "农村公益电影放映", "≥480场", "492场", 5, 5, None),
    (None, None, "编发《金口河舆情月报》", "=12期", "12期", 5, 5, None),
    (None, None, "扫黄打非执法检查", "≥12次", "12次", 5, 5, None),
    (None, "质量指标", "政务服务事项全程网办率", "=100%", "100%", 10, 10, None),
    (None, "时效指标", "舆情处置及时性", "及时", "及时", 10, 10, None),
    ("效益指标\n(20分)", "社会效益指标", "主流舆论影响力", "提升", "提升", 10, 10, None),
    (None, "可持续影响指标", "宣传阵地建设", "持续加强", "持续加强", 10, 10, None),
    ("满意度指标\n(10分)", "服务对象满意度指标", "群众满意度", "≥90%", "95%", 10, 10, None),
    ("成本指标\n(20分)", "经济成本指标", "项目支出", "≤850.03万元", "850.03万元", 20, 20, None),
]
JINKOUHE_FUNDS = Funds(1351.68, 1351.68, 1351.68, 10, "100%", 10)
JINKOUHE_PLAIN = relabel(JINKOUHE_LINES, {"output": "产出指标", "benefit": "效益指标", "satisfaction": "满意度指标",
                                          "cost": "成本指标"})
JINKOUHE_STALE = change(JINKOUHE_PLAIN, "农村公益电影放映", actual="456场", score=4.75,
                        reason="汛期道路中断，部分场次未能放映，下一年度错峰安排。")
JINKOUHE_NESTED = [
    ("按收入性质分：1351.68", "按支出性质分：1351.68"),
    ("其中：一般公共预算：1351.68", "其中：基本支出：501.65"),
    ("政府性基金拨款：", "其中：人员经费：415.13"),
    ("其他资金：", "公用经费：86.51"),
    ("", "项目支出：850.03"),
]
JINKOUHE_NESTED_TYPO = [item if "人员经费" not in item[1] else (item[0], "其中：人员经费：405.13")
                        for item in JINKOUHE_NESTED]
JINKOUHE_GOALS = ("扎实开展理论学习和宣传，加强意识形态和网络舆情管理，推进文化惠民和精神文明建设。",
                  "区委理论学习中心组学习20次，放映农村公益电影492场，编发舆情月报12期，各项任务全面完成。")

# Seed 001 (岳阳楼区委宣传部 2020, standard): an overall of 85 and three projects, 评价等次 in words.
R_LATE = "受疫情影响部分活动未能如期开展，下一年度加强统筹、增加线上形式。"
YUEYANG_85: list[Line] = [
    ("产出指标（40分）", "数量指标", "区委理论学习中心组学习", "≥12次", "13次", 5, 5, None),
    (None, None, "“我们的节日”系列活动", "≥400次", "200次", 5, 2.5, R_LATE),
    (None, None, "网络平台发布报道", "≥3000篇", "1500篇", 5, 2.5, R_LATE),
    (None, None, "创建各级文明单位", "≥25个", "15个", 5, 3, "部分单位未通过复核。"),
    (None, "质量指标", "涉区舆情处置率", "=100%", "90%", 10, 9, "个别舆情处置滞后，已建立快速响应机制。"),
    (None, "时效指标", "工作任务完成时限", "达成年度指标", "达成年度指标", 10, 10, None),
    ("效益指标（20分）", "社会效益指标", "社会反响", "良好", "良好", 10, 9, "部分宣传活动群众参与面不广。"),
    (None, "可持续影响指标", "大宣传工作格局", "持续巩固", "持续巩固", 10, 9, "长效机制仍需完善。"),
    ("满意度指标（10分）", "服务对象满意度指标", "社会公众满意度", "≥95%", "85.5%", 10, 9, "群众知晓率有待提高。"),
    ("成本指标（20分）", "经济成本指标", "“三公”经费", "≤8万元", "10万元", 20, 16, "接待任务增加，下一年度严格控制。"),
]


def yueyang_project_lines(names: tuple[str, ...], cost: str, deduct: bool) -> list[Line]:
    """A standard project table: 100, or 97 with two qualitative rows in their band (8 and 9 of 10)."""
    n1, n2, n3, n4, n5, n6, n7 = names
    return [
        ("产出指标（40分）", "数量指标", n1, "≥12次", "13次", 10, 10, None),
        (None, None, n2, "≥90场", "90场", 10, 10, None),
        (None, "质量指标", n3, "=100%", "100%", 10, 10, None),
        (None, "时效指标", n4, "按时完成", "已完成", 10, 10, None),
        ("效益指标（20分）", "社会效益指标", n5, "提升", "提升", 10, 8 if deduct else 10,
         "群众参与面仍不够广，下一年度拓展线上渠道。" if deduct else None),
        (None, "可持续影响指标", n6, "持续完善", "持续完善", 10, 9 if deduct else 10,
         "长效机制仍需完善，将建立季度联席会议制度。" if deduct else None),
        ("满意度指标（10分）", "服务对象满意度指标", n7, "≥90%", "95%", 10, 10, None),
        ("成本指标（20分）", "经济成本指标", "项目支出", f"≤{cost}万元", f"{cost}万元", 20, 20, None),
    ]


def yueyang_project(name: str, lines: list[Line], amount, total, grade: str, plant=frozenset()) -> Table:
    return Table(YUEYANG, 2020, lines, Funds(amount, amount, amount, 10, "100%", 10), total, set(plant),
                 project=name, grade=grade)


THEORY = yueyang_project_lines(("区委理论学习中心组学习", "理论宣讲", "宣讲覆盖率", "按计划完成", "理论武装成效",
                                "学习制度建设", "干部群众满意度"), "120", True)
CIVIL = yueyang_project_lines(("文明实践主题活动", "道德讲堂", "文明单位复核通过率", "创建工作时限", "城市文明程度",
                               "志愿服务长效机制", "市民满意度"), "200", True)
NEWS = yueyang_project_lines(("新闻发布会", "外宣稿件刊发", "稿件审核合格率", "重大活动报道时限", "主流舆论影响力",
                              "融媒体平台建设", "受众满意度"), "300", False)


def seed001_form(**changes) -> BaseForm:
    """Seed 001's figures: 1184.36 = 311.68 + 872.68, 311.68 = 284.95 + 26.73 (all 局机关; 二级机构 rows blank).
    固定资产 82.32 is put under 在用固定资产 (the seed leaves every part blank, which the conventions leave open)."""
    blank6, blank7, blank5, blank4 = [None] * 6, [None] * 7, [None] * 5, [None] * 4
    tables = {
        "income": [("局机关及二级机构汇总", [1184.36, None, 1184.36, None, None, None]),
                   ("1、局机关", [1184.36, None, 1184.36, None, None, None]),
                   ("2、二级机构1", blank6), ("3、二级机构2", blank6)],
        "spending": [("局机关及二级机构汇总", [1184.36, 311.68, 284.95, 26.73, 872.68, 0, 0]),
                     ("1、局机关", [1184.36, 311.68, 284.95, 26.73, 872.68, 0, 0]),
                     ("2、二级机构1", blank7), ("3、二级机构2", blank7)],
        "sangong": [("局机关及二级机构汇总", [1.5, 1.5, None, None, None]),
                    ("1、局机关", [1.5, 1.5, None, None, None]),
                    ("2、二级机构1", blank5), ("3、二级机构2", blank5)],
        "assets": [("局机关及二级机构汇总", [82.32, 82.32, None, None]),
                   ("1、局机关", [82.32, 82.32, None, None]),
                   ("2、二级机构1", blank4), ("3、二级机构2", blank4)],
    }
    for key, rows in changes.pop("tables", {}).items():
        tables[key] = rows
    changes.setdefault("score", "98分")
    changes.setdefault("grade", "优")
    return BaseForm(YUEYANG, 2020, tables, **changes)


# --------------------------------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------------------------------

CASES: list[Case] = []


def add(case: Case) -> Case:
    CASES.append(case)
    return case


add(Case(
    "01_ebian_four_sheets.xlsx",
    "seed 004 峨边融媒体中心 2024: 部门整体 (98) and its three projects on separate sheets, cover sheet first",
    "数字化建设 rows add to 98 (客户端信息服务能力 13 of 15, explained) but its 总分 stays 100",
    [Sheet("封面", extra="cover"),
     Sheet("部门整体", [ebian_overall()]),
     Sheet("峨边在线", [ebian_project("峨边在线", EBIAN_ONLINE, 35)]),
     Sheet("推广服务及保障安全播出", [ebian_project("推广服务及保障安全播出", BROADCAST, 24.4)]),
     Sheet("数字化建设", [ebian_project("数字化建设", DIGITAL_98, 5.8, plant={("TOTAL_MISMATCH", 98, 100)})])]))
add(Case(
    "02_ebian_stacked.xlsx",
    "seed 004 as many counties send it: the same four tables stacked on one sheet, two blank rows between",
    "third table (推广服务及保障安全播出) 执行率 typed 95% while 24.4/24.4 = 100% (score 10 right)",
    [Sheet("自评表", [ebian_overall(),
                   ebian_project("峨边在线", EBIAN_ONLINE, 35),
                   ebian_project("推广服务及保障安全播出", BROADCAST, 24.4,
                                 funds=Funds(24.4, 24.4, 24.4, 10, "95%", 10),
                                 plant={("EXECUTION_RATE_MISMATCH", 1, 0.95)}),
                   ebian_project("数字化建设", DIGITAL, 5.8)])],
    convert=("xls",)))
add(Case(
    "03_lusong_three_tables_clean_lo.xlsx",
    "seed 003 芦淞区委宣传部 2024: 部门整体 (re-scored by the rule, 94.85) and its two projects",
    "clean: every table consistent (text breakdowns 598.25 + 16 + 27.76 = 260.65 + 381.36 = 642.01)",
    [Sheet("整体支出自评表", [Table(LUSONG, 2024, LUSONG_LINES, LUSONG_FUNDS, 94.85, grade="优",
                                breakdown=LUSONG_BREAKDOWN, goals=LUSONG_GOALS,
                                dept_label="市级预算部门（单位）名称", funds_label="年度预\n算申请\n（万元）")]),
     Sheet("意识形态专项经费", [lusong_project("意识形态专项经费", IDEOLOGY, 188, 247.2,
                                         breakdown=[("当年财政拨款", 188, 247.2, 247.2), ("上年结转资金", 0, 0, 0)])]),
     Sheet("品牌宣传推介经费", [lusong_project("品牌宣传推介经费", BRAND, 90, 90, side=False)])],
    producer="lo"))
add(Case(
    "04_jinkouhe_subtotals_clean.xlsx",
    "seed 000 金口河区委宣传部 2024 on a form that closes each first-level block with a 小计 row; 填表说明 sheet first",
    "clean: 小计 分值 = the level weight, 得分 = the block's sum (no WEIGHT_MISMATCH: 小计 is no indicator)",
    [Sheet("填表说明", extra="instructions"),
     Sheet("自评表", [Table(JINKOUHE, 2024, JINKOUHE_PLAIN, JINKOUHE_FUNDS, 100, grade="优", subtotals=True,
                         side=False, goals=JINKOUHE_GOALS)], first_row=2)]))
add(Case(
    "05_jinkouhe_subtotal_stale_lo.xlsx",
    "seed 000 on the 小计 form after a late correction: 农村公益电影放映 lowered to 456场 (4.75), 总分 updated, 小计 not",
    "产出 小计 得分 left at 40 while its rows add to 39.75 (总分 99.75 is right)",
    [Sheet("自评表", [Table(JINKOUHE, 2024, JINKOUHE_STALE, JINKOUHE_FUNDS, 99.75, grade="优", subtotals=True,
                         stale={"output": 40}, plant={("SUBTOTAL_MISMATCH", 39.75, 40)})])],
    producer="lo"))
add(Case(
    "06_liwan_rate_precision.xlsx",
    "seed 002 荔湾区委宣传部 2022: four project tables, one per sheet, whose 执行率 cells test rate precision (domain §4)",
    "系列宣传项目: rate stored 1 shown 100% but 45/50 = 90%; 征订党报党刊: 0.726 shown 72.60%, true 72.60%; "
    "手机彩铃: text 72.6%, true 72.63%; 学习强国: text 72.6%, true 72.70%",
    [Sheet("系列宣传项目", [liwan_project("系列宣传项目", POOR_90, Funds(50, 50, 45, 10, Pct(1), 9), 92,
                                    {("EXECUTION_RATE_MISMATCH", 0.9, 1)})]),
     Sheet("征订党报党刊", [liwan_project("征订党报党刊", POOR_72, Funds(120, 120, 87.12, 10, Pct(0.726, "0.00%"), 7.26),
                                    73.76)]),
     Sheet("手机彩铃宣传项目", [liwan_project("手机彩铃宣传项目", POOR_72, Funds(100, 100, 72.63, 10, "72.6%", 7.26),
                                      73.76)]),
     Sheet("学习强国合作项目", [liwan_project("“学习强国”学习平台合作项目", POOR_72,
                                      Funds(100, 100, 72.7, 10, "72.6%", 7.27), 73.77,
                                      {("EXECUTION_RATE_MISMATCH", 0.727, 0.726)})])],
    convert=("ods",)))
add(Case(
    "07_jinkouhe_nested_clean.xlsx",
    "seed 000 金口河 with its funds broken down in text cells as the report states them, 其中 inside 其中",
    "clean: 基本支出 501.65 holds 人员经费 415.13 + 公用经费 86.51 (= 501.64, within the interval tolerance); "
    "501.65 + 850.03 = 1351.68",
    [Sheet("自评表", [Table(JINKOUHE, 2024, JINKOUHE_LINES, JINKOUHE_FUNDS, 100, grade="优",
                         breakdown=JINKOUHE_NESTED, goals=JINKOUHE_GOALS)])]))
add(Case(
    "08_jinkouhe_nested_wrong.xlsx",
    "seed 000 金口河 nested text breakdown with a typo: 人员经费 405.13 for 415.13",
    "基本支出 501.65 is 10 off its parts 405.13 + 86.51 = 491.64 (the expenditure side still adds up: 501.65 + 850.03)",
    [Sheet("自评表", [Table(JINKOUHE, 2024, JINKOUHE_LINES, JINKOUHE_FUNDS, 100, grade="优",
                         breakdown=JINKOUHE_NESTED_TYPO, goals=JINKOUHE_GOALS,
                         plant={("AMOUNT_SUM_MISMATCH", 491.64, 501.65)})])]))
add(Case(
    "09_ebian_text_targets_lo.xlsx",
    "seed 004 峨边在线 (2024-2025年度 运营) with targets that are a date, a period and words; table at B2",
    "clean: '2024年12月31日前', '2024-2025年度', '按时完成' with actual '已完成' at full marks are qualitative",
    [Sheet("项目自评表", [ebian_project("峨边在线", ONLINE_TEXT_TARGETS, 35, col=2)], first_row=2)],
    producer="lo"))
add(Case(
    "10_yueyang_grade_words.xlsx",
    "seed 001 岳阳楼区委宣传部 2020: 部门整体 and three projects, each with 评价等次 written in words",
    "整体 85 良好 (right); 理论学习和宣传 97 良好 (wrong); 精神文明建设 97 优秀 (right); 新闻宣传 100 很好 (a word of no band)",
    [Sheet("整体支出", [Table(YUEYANG, 2020, YUEYANG_85, Funds(1106.2, 1184.36, 1184.36, 10, "100%", 10), 85,
                          grade="良好")]),
     Sheet("理论学习和宣传", [yueyang_project("理论学习和宣传", THEORY, 120, 97, "良好", {("GRADE_MISMATCH", "优", "良好")})]),
     Sheet("精神文明建设", [yueyang_project("精神文明建设", CIVIL, 200, 97, "优秀")]),
     Sheet("新闻宣传", [yueyang_project("新闻宣传", NEWS, 300, 100, "很好", {("GRADE_MISMATCH", "优", "很好")})])]))
add(Case(
    "11_lusong_budget_figures.xlsx",
    "seed 003 芦淞 with budget figures off: 部门整体 spent 700 of 642.01; the film subsidy project has 全年预算数 0",
    "整体: 执行数 700 > 预算数 642.01, 执行率 typed 109.03% (uncapped), 得分 10 (capped); "
    "老电影放映员补助: 全年预算数 0, 执行数 0, 执行率 blank",
    [Sheet("整体支出自评表", [Table(LUSONG, 2024, LUSONG_OVER, Funds(476.74, 642.01, 700, 10, "109.03%", 10), 100,
                                plant={("EXECUTED_OVER_BUDGET", 642.01, 700)})]),
     Sheet("老电影放映员补助", [lusong_project("老电影放映员补助", FILM, 0.4, 0,
                                         funds=Funds(0.4, 0, 0, 10, None, 10),
                                         plant={("MISSING_VALUE", None, 0)})])]))
add(Case(
    "12_lusong_overshoot.xlsx",
    "seed 003 芦淞 (re-scored by the rule) where 《强国复兴有我》巡回宣讲 reached 8场 against ≥5场; cover sheet first",
    "actual 8场 is 160% of the target 5场 (≥ 120%): TARGET_OVERSHOOT (warning); score 5 of 5 is right",
    [Sheet("封面", extra="cover"),
     Sheet("自评表", [Table(LUSONG, 2024, change(LUSONG_LINES, "《强国复兴有我》巡回宣讲", actual="8场"), LUSONG_FUNDS,
                         94.85, grade="优", breakdown=LUSONG_BREAKDOWN, goals=LUSONG_GOALS, col=2,
                         plant={("TARGET_OVERSHOOT", 5, 8)})], first_row=3)]))
add(Case(
    "13_liwan_spending_gap.xlsx",
    "seed 002 荔湾区委宣传部 2022 with its published funds (2659.40 / 3663.27 = 72.60% → 7.26) and every indicator full",
    "indicators 90/90 = 100% against budget execution 72.60%: (1 − 0.726) / 1 = 27% > 5% → SPENDING_PERFORMANCE_GAP",
    [Sheet("2022自评表", [Table(LIWAN, 2022, LIWAN_FULL, LIWAN_FUNDS, 97.26, grade="优", goals=LIWAN_GOALS,
                             plant={("SPENDING_PERFORMANCE_GAP", 0.726, 1)})])]))
add(Case(
    "14_ebian_extra_sheets.xlsx",
    "seed 004 部门整体 table sent with two lists that are no scoring table: 项目明细 and 资金支出明细",
    "项目明细 (序号/项目名称/amounts, 合计 65.20) and 资金支出明细 (quarters, amounts) are named, not read",
    [Sheet("整体自评表", [ebian_overall()]),
     Sheet("项目明细", extra="project_list"),
     Sheet("资金支出明细", extra="ledger")]))
add(Case(
    "15_yueyang_base_data_clean_lo.xlsx",
    "seed 001 岳阳楼区委宣传部 2020 基础数据 form with its real figures, typed from the Word form",
    "clean: 1184.36 = 311.68 + 872.68, 311.68 = 284.95 + 26.73, 汇总 = 局机关, 98分 → 优",
    [Sheet("部门整体支出绩效自评表", [seed001_form()])],
    producer="lo"))
add(Case(
    "16_yueyang_base_data_typo.xlsx",
    "seed 001 form with a typo in the expenditure table: 局机关 支出合计 1148.36 for 1184.36",
    "局机关 支出合计 no longer adds up (311.68 + 872.68 = 1184.36), and the 汇总 row no longer matches its 机构 rows",
    [Sheet("部门整体支出绩效自评表", [seed001_form(
        tables={"spending": [("局机关及二级机构汇总", [1184.36, 311.68, 284.95, 26.73, 872.68, 0, 0]),
                             ("1、局机关", [1148.36, 311.68, 284.95, 26.73, 872.68, 0, 0]),
                             ("2、二级机构1", [None] * 7), ("3、二级机构2", [None] * 7)]},
        plant={("AMOUNT_SUM_MISMATCH", 1184.36, 1148.36), ("AMOUNT_SUM_MISMATCH", 1148.36, 1184.36)})])],
    convert=("xls",)))
add(Case(
    "17_yueyang_base_data_summary.xlsx",
    "seed 001 form where the clerk added 融媒体中心 (30万元 项目支出) as 二级机构 but left the 汇总 row as before",
    "汇总 支出合计 1184.36 and 项目支出 872.68 miss 融媒体中心's 30 (each row adds up on its own)",
    [Sheet("部门整体支出绩效自评表", [seed001_form(
        tables={"spending": [("局机关及二级机构汇总", [1184.36, 311.68, 284.95, 26.73, 872.68, 0, 0]),
                             ("1、局机关", [1184.36, 311.68, 284.95, 26.73, 872.68, 0, 0]),
                             ("2、融媒体中心", [30, None, None, None, 30, 0, 0]),
                             ("3、二级机构2", [None] * 7)]},
        plant={("AMOUNT_SUM_MISMATCH", 1214.36, 1184.36), ("AMOUNT_SUM_MISMATCH", 902.68, 872.68)})])]))
add(Case(
    "18_yueyang_base_data_grade.xlsx",
    "seed 001 form after a poor year: 绩效自评综合得分 78分 but 评价等次 still 优",
    "78 is 中 (60 ≤ 78 < 80): GRADE_MISMATCH",
    [Sheet("部门整体支出绩效自评表", [seed001_form(score="78分", plant={("GRADE_MISMATCH", "中", "优")})])]))


# --------------------------------------------------------------------------------------------------
# Building, saving, verifying
# --------------------------------------------------------------------------------------------------


def build_book(case: Case) -> tuple[Workbook, list, dict[str, Log]]:
    """The workbook, every table with where it went (reading order), and each sheet's log."""
    book = Workbook()
    book.remove(book.active)
    tables, logs = [], {}
    for sheet in case.sheets:
        ws = book.create_sheet(sheet.name)
        log = logs[sheet.name] = Log()
        if sheet.extra:
            write_extra(ws, sheet.extra)
            continue
        w, row = Writer(ws, log), sheet.first_row
        for item in sheet.items:
            placed, row = (write_table if isinstance(item, Table) else write_base_form)(w, item, row)
            tables.append((item, placed))
            row += sheet.gap
    book.properties.creator = "Administrator"
    book.properties.created = book.properties.modified = FIXED_TIME
    return book, tables, logs


def expect_case(case: Case, tables: list) -> dict:
    entries, findings = [], []
    for item, placed in tables:
        entry, found = (expect_table if isinstance(item, Table) else expect_base_form)(item, placed)
        entries.append(entry)
        findings += found
    for sheet in case.sheets:
        if sheet.skipped:
            findings.append(finding("SHEET_SKIPPED", sheet.name, None))
    layouts = {"base-data-form" if isinstance(item, BaseForm) else "standard-form" for item, _ in tables}
    assert len(layouts) == 1, f"{case.name}: one layout per file"
    schemes = {item.scheme for item, _ in tables if isinstance(item, Table)}
    assert len(schemes) <= 1, f"{case.name}: tables of one file share their scheme"
    findings.sort(key=lambda f: (f["sheet"] or "", f["code"], f["cell"] or ""))
    return {"layout": layouts.pop(), "format": "xlsx", "scheme": schemes.pop() if schemes else None,
            "tables": entries, "findings": findings}


def normalise_zip(path: Path) -> None:
    """Fixed dates inside the zip (entries, core.xml / meta.xml stamps) so rebuilt files are byte-identical."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:modified|created)[^>]*>)[^<]*", rb"\g<1>2025-03-15T09:30:00Z", data)
            if info.filename == "styles.xml" and path.suffix == ".ods":  # page styles come in hash order
                data = re.sub(rb"(<office:master-styles>)(.*?)(</office:master-styles>)", _sorted_pages, data,
                              flags=re.DOTALL)
            if info.filename == "meta.xml":
                data = re.sub(rb"(<(meta:creation-date|dc:date)>)[^<]*", rb"\g<1>2025-03-15T09:30:00", data)
                data = re.sub(rb"(<meta:editing-duration>)[^<]*", rb"\g<1>PT0S", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 3, 15, 9, 30, 0))
            fixed.compress_type = info.compress_type  # ods: 'mimetype' first and stored
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)


def _sorted_pages(match: re.Match) -> bytes:
    pages = re.findall(rb"<style:master-page .*?</style:master-page>", match.group(2), flags=re.DOTALL)
    assert b"".join(pages) == match.group(2), "only master pages are reordered"
    return match.group(1) + b"".join(sorted(pages)) + match.group(3)


def fix_ole_stamp(path: Path, started: datetime.datetime) -> None:
    """LibreOffice stamps an .xls's SummaryInformation with the time of saving (a VT_FILETIME): set it to
    FIXED_TIME. Only an 8-byte FILETIME right after the VT_FILETIME tag and within the build's time window
    is touched, so nothing else in the compound file can change."""
    def filetime(moment: datetime.datetime) -> int:
        return int((moment - datetime.datetime(1601, 1, 1)).total_seconds() * 10_000_000)

    data = bytearray(path.read_bytes())
    low = filetime(started - datetime.timedelta(minutes=5))
    high = filetime(datetime.datetime.utcnow() + datetime.timedelta(minutes=5))
    fixed = filetime(FIXED_TIME).to_bytes(8, "little")
    hits = 0
    for match in re.finditer(rb"\x40\x00\x00\x00(.{8})", bytes(data), re.DOTALL):
        if low <= int.from_bytes(match.group(1), "little") <= high:
            data[match.start(1):match.end(1)] = fixed
            hits += 1
    assert hits <= 2, f"{path.name}: {hits} time stamps of this build"
    path.write_bytes(bytes(data))


def same(found: object, typed: object) -> bool:
    if isinstance(typed, Pct):
        typed = typed.value
    if isinstance(typed, (int, float)) and isinstance(found, (int, float)) and not isinstance(found, bool):
        return abs(float(found) - float(typed)) < 1e-9
    return found == typed


def verify_xlsx(path: Path, logs: dict[str, Log]) -> None:
    """Every typed value where the engine assumed it, no formula, the merges, percent formats on Pct cells."""
    book = load_workbook(path)
    assert book.sheetnames == list(logs), (path.name, book.sheetnames)
    for name, log in logs.items():
        ws = book[name]
        for cell, typed in log.written.items():
            assert same(ws[cell].value, typed), (path.name, name, cell, ws[cell].value, typed)
        formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
        assert not formulas, f"{path.name} {name}: no formulas in this corpus ('=100%' is text): {formulas}"
        merged = {str(rng) for rng in ws.merged_cells.ranges}
        if log.written:  # extra sheets merge on their own
            assert merged == set(log.merges), (path.name, name, merged ^ set(log.merges))
        for cell in log.percent:
            assert "%" in ws[cell].number_format, (path.name, name, cell, ws[cell].number_format)


def verify_values(path: Path, logs: dict[str, Log]) -> None:
    """xls/ods read back with python-calamine: every typed value in its cell."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == list(logs), (path.name, book.sheet_names)
    for name, log in logs.items():
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for cell, typed in log.written.items():
            letters, row = coordinate_from_string(cell)
            col = column_index_from_string(letters)
            found = rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else None
            if isinstance(found, str) and isinstance(typed, str):
                typed = typed.replace("\r\n", "\n")
            assert same(found, typed), (path.name, name, cell, found, typed)


def run_libreoffice(jobs: list[dict]) -> None:
    with tempfile.TemporaryDirectory(prefix="perfxl-corpus-tables-") as work:
        jobs_path, results_path = Path(work) / "jobs.json", Path(work) / "results.json"
        jobs_path.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
        completed = subprocess.run([SYSTEM_PYTHON, str(CONVERTER), str(jobs_path), str(results_path)],
                                   capture_output=True, text=True, timeout=1800)
        if not results_path.exists():
            sys.exit(f"LibreOffice converter failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
        for result in json.loads(results_path.read_text(encoding="utf-8")):
            if not result["ok"]:
                sys.exit(f"LibreOffice failed on {result['input']}:\n{result['error']}")


def missing_libreoffice() -> str | None:
    if shutil.which("soffice") is None:
        return "soffice is not installed (Debian: libreoffice-calc-nogui)"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    return None if probe.returncode == 0 else "the system python3 cannot import uno (Debian: python3-uno)"


def dry_run() -> None:
    """Recompute every expectation without writing anything (``--dry-run``)."""
    for case in CASES:
        _, tables, _ = build_book(case)
        entry = expect_case(case, tables)
        print(case.name, [(t["sheet"], t["kind"], t["title"], t["declared_total"], t["computed_total"],
                           t["declared_grade"], t["computed_grade"]) for t in entry["tables"]])
        for f in entry["findings"]:
            print("   ", f)


def main() -> None:
    if "--dry-run" in sys.argv[1:]:
        dry_run()
        return
    reason = missing_libreoffice()
    if reason:
        sys.exit(f"LibreOffice is needed to build the corpus: {reason}")
    names = [case.name for case in CASES]
    assert len(set(names)) == len(names)
    started = datetime.datetime.utcnow()
    expected: dict[str, dict] = {}
    logs_by_name: dict[str, dict[str, Log]] = {}
    FILES.mkdir(parents=True, exist_ok=True)
    for old in FILES.iterdir():
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="perfxl-corpus-tables-") as work:
        jobs: list[dict] = []
        checks: list[tuple[str, Path]] = []  # (name, LibreOffice's xlsx of an xls/ods) to verify
        for case in CASES:
            assert case.name.endswith("_lo.xlsx") == (case.producer == "lo"), case.name
            book, tables, logs = build_book(case)
            expected[case.name] = expect_case(case, tables)
            logs_by_name[case.name] = logs
            target = FILES / case.name
            if case.producer == "lo":
                source = Path(work) / f"in_{case.name}"
                book.save(source)
                jobs.append({"input": str(source), "output": str(target), "filter": FILTERS["xlsx"]})
            else:
                book.save(target)
            for fmt in case.convert:
                other = target.with_suffix(f".{fmt}")
                jobs.append({"input": str(target), "output": str(other), "filter": FILTERS[fmt]})
                back = Path(work) / f"back_{other.name}.xlsx"
                jobs.append({"input": str(other), "output": str(back), "filter": FILTERS["xlsx"]})
                checks.append((case.name, back))
                expected[other.name] = dict(expected[case.name], format=fmt)
                logs_by_name[other.name] = logs
        run_libreoffice(jobs)
        for case_name, back in checks:
            verify_xlsx(back, logs_by_name[case_name])
    for name in expected:
        path = FILES / name
        if path.suffix in (".xlsx", ".ods"):
            normalise_zip(path)
        if path.suffix == ".xls":
            fix_ole_stamp(path, started)
        if path.suffix == ".xlsx":
            verify_xlsx(path, logs_by_name[name])
        else:
            verify_values(path, logs_by_name[name])
    ordered = {name: expected[name] for name in sorted(expected)}
    (HERE / "expected.json").write_text(json.dumps(ordered, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_readme(ordered)
    lo = sum(case.producer == "lo" for case in CASES)
    print(f"wrote {len(ordered)} files ({len(CASES)} xlsx, {lo} of them saved by LibreOffice, "
          f"{len(ordered) - len(CASES)} xls/ods), expected.json, README.md")


# --------------------------------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------------------------------

CONVENTIONS = """\
## Conventions the expectations follow

Those of `tests/corpus/README.md` (scheme by the presence of a 成本指标 block; unused rows ignored;
`computed_total` = declared 年度资金总额 得分 + the indicator 得分; a declared value's finding sits on
its own cell; WEIGHT_MISMATCH on the first-level label cell; SCORE_RULE_MISMATCH, band `"4–5"`;
DEVIATION_REASON_MISSING on the empty reason cell; numbers rounded to 2 decimals, rates as fractions to
4 decimals), and for what this corpus adds:

- **Every table.** `tables` lists every table in reading order: sheets in workbook order, top to
  bottom within a sheet. `kind` is `overall` (部门整体), `project` (项目支出; `title` is the 项目名称)
  or `base-data` (seed 001's form); `title` is `""` otherwise. `declared_total` is the 总分 得分 as
  typed, `computed_total` the recomputation, `declared_grade` the 评价等次 text as typed (null without
  a 评价等次 row), `computed_grade` the grade of `computed_total`. Every finding names its `sheet`.
  The file-level totals and grades are those of the first `overall` table, else of the first table.
  All tables of a file share one scheme (`scheme`; null for the base-data form).
- **小计 rows** (file 04, 05) are subtotals, never indicators: 分值 = the level weight, 得分 = the sum
  of the block. SUBTOTAL_MISMATCH on the 小计 得分 cell, expected the block's sum, found the typed
  value. The 总分 is checked against the indicators, not against the 小计 rows.
- **Rate precision** (domain §4). A typed 执行率 is the interval of the percentage it shows: a number
  with format `0%` (stored 1, shows 100%) means 99.5%–100.5%; `0.00%` means ±0.005 percentage
  points; text `72.6%` means 72.55%–72.65%. EXECUTION_RATE_MISMATCH only when the true
  执行数/预算数 lies outside: expected ROUND(true, 4), found the stored fraction. The script refuses a
  rate whose verdict would change between the true rate and its ROUND(…, 4), or that sits on the edge.
- **执行数 > 预算数** (file 11): EXECUTED_OVER_BUDGET (warning) on the 全年执行数 cell, expected the
  全年预算数, found the 全年执行数. The 执行率 is 执行数/预算数 **uncapped** (109.03% typed: no
  rate finding; a rate capped at 100% would be EXECUTION_RATE_MISMATCH expected 1.0903); only the
  score is capped: min(rate, 1) × 10 = 10.
- **全年预算数 = 0** (file 11): MISSING_VALUE on the 全年预算数 cell, expected null, **found 0** (the
  value in the cell). No rate can be derived, so the 执行率 (left blank) is not compared, no
  BUDGET_SCORE_MISMATCH and no SPENDING_PERFORMANCE_GAP are expected; the declared 得分 (10) still
  counts in `computed_total`. 全年执行数 is 0 too (执行数 > 0 with a zero budget is left out).
- **Grade words** (domain §3): 优秀 = 优, 良好 = 良, 中等/合格/一般 = 中, 较差/不合格 = 差. GRADE_MISMATCH
  expected the grade of the computed total (`优`…), found the text as typed (`良好`, `很好`); a
  word of no band (`很好`) is a mismatch.
- **TARGET_OVERSHOOT** (warning) on the 实际完成值 cell of a higher-is-better row whose actual is
  ≥ 120% of its target: expected the target number, found the actual number. The script refuses
  ratios within 2 points of 120%, overshoots of percentage targets and lower-is-better rows whose
  actual is far below target (left open).
- **SPENDING_PERFORMANCE_GAP** (warning) when S/(100 − w_B) − B/w_B > 5% × S/(100 − w_B), with B the
  budget-execution score by the rule and S the sum of the indicator 得分: on the 预算执行得分 cell,
  expected B/w_B, found S/(100 − w_B), both fractions to 4 decimals (seed 002: 0.726 vs 1). The
  script refuses a table whose verdict changes between the declared and the rule B, or lies within
  0.005 of the threshold. Tables that spend less than their budget (file 06) carry indicator
  scores low enough that no gap arises.
- **Textual targets** (`2024年12月31日前`, `2024-2025年度`, `按时完成`) are qualitative: an actual of
  `已完成` is met, scored in the 80–100% band; no UNPARSEABLE_VALUE.
- **Amounts** (domain §4, interval rule): each breakdown adds up to 年度资金总额 per column; in text
  breakdowns `按收入性质分：X` / `按支出性质分：X` are totals of their parts, and 人员经费 / 公用经费
  belong to 基本支出 (nested `其中`), not to the expenditure total. AMOUNT_SUM_MISMATCH on the total's
  cell (the text cell for text breakdowns), expected the sum of the parts, found the total. The
  script refuses sums whose verdict changes between reading every value with two decimals and reading
  it with the decimals as written (text `16` as 16 ± 0.5).
- **Base-data form** (seed 001, layout `base-data-form`): one `base-data` table per form with
  `declared_total` the 绩效自评综合得分 (`98分` → 98) and `computed_total` **the same 综合得分** (there
  are no indicator scores to recompute it from; the grade is what is computed), `computed_grade` the
  grade of the 综合得分. Per row, each 合计 against its
  parts (收入合计 = 上年结转 + 公共财政拨款 + 政府基金拨款 + 非税 + 其他收入; 支出合计 = 基本支出 + 项目支出;
  基本支出 = 人员支出 + 公用支出; 三公经费合计 = its four parts; 固定资产合计 = its three parts); per
  column, the `…汇总` row against the sum of its 机构 rows. Blank cells are no parts. AMOUNT_SUM_MISMATCH
  on the 合计 (row check) or 汇总 (column check) cell, expected the sum, found the typed value. One
  typo in a 机构 row's 合计 therefore gives two findings (file 16). The script refuses a 合计 whose
  parts are all blank (the seed's 固定资产 82.32 is put under 在用固定资产), a 汇总 without 机构
  figures, and a cell flagged by two sums.
- **SHEET_SKIPPED** (warning) for a sheet that holds numbers under table-like headers but is no
  scoring table, with `sheet` its name and `cell`, `expected`, `found` null. Cover and instruction
  sheets (text only) are not named.
- **Formats.** `.xls` and `.ods` files are LibreOffice's saves of the xlsx of the same stem: same
  sheets, same cells, same findings; `format` is `xls` / `ods`.
"""


def write_readme(expected: dict) -> None:
    by_stem = {Path(case.name).stem: case for case in CASES}
    lines = [
        "# Multi-table corpus",
        "",
        "Workbooks that hold **several tables** (a 部门整体 table and its 项目支出绩效自评表 on separate",
        "sheets or stacked on one sheet), forms with 小计 rows, seed 001's 基础数据 form and sheets that are",
        "no table, with the tables and findings a reader must give for each (`expected.json`). Rebuild",
        "with `python tests/corpus_tables/build_corpus_tables.py` (needs LibreOffice: `*_lo.xlsx` files are",
        "re-saved by a real LibreOffice, `.xls`/`.ods` files are LibreOffice's saves of the xlsx of the",
        "same stem; zip dates and document stamps are fixed so that a rebuild gives the same files).",
        "",
        "`expected.json` is computed by the script from the values it types, with its own Decimal",
        "arithmetic (nothing of perfxl is imported). Each table states what was planted in it, and the",
        "script refuses to write a file whose recomputed findings differ from the plant, so that no",
        "unplanted finding hides in a file; it re-opens every saved file to confirm each cell holds what",
        "the expectation assumed. `tests/test_corpus_tables.py` compares `reconcile_file` with it.",
        "",
        CONVENTIONS,
        "## Files",
        "",
        "| file | imitates | planted | expected findings |",
        "|---|---|---|---|",
    ]
    for name, entry in expected.items():
        case = by_stem[Path(name).stem]
        tables = "; ".join(
            f"{t['sheet']}: {t['kind']}{' ' + t['title'] if t['title'] else ''} "
            f"{_show(t['declared_total'])}/{_show(t['computed_total'])}"
            + (f" {t['declared_grade']}" if t["declared_grade"] else "")
            for t in entry["tables"])
        found = ", ".join(
            f"{f['code']}@{f['sheet']}" + (f"!{f['cell']}" if f["cell"] else "")
            + ("" if f["code"] == "SHEET_SKIPPED" else f" ({_show(f['expected'])} vs {_show(f['found'])})")
            for f in entry["findings"]) or "none"
        imitates = case.imitates
        if not name.endswith(".xlsx"):
            imitates = f"`{case.name}` saved by LibreOffice as .{entry['format']}"
        elif case.producer == "lo":
            imitates += " (re-saved by LibreOffice)"
        lines.append(f"| `{name}` | {imitates} | {case.planted} | tables: {tables}. Findings: {found} |")
    lines.append("")
    (HERE / "README.md").write_text("\n".join(lines), encoding="utf-8")


def _show(value: object) -> str:
    return "null" if value is None else str(value)


if __name__ == "__main__":
    main()
