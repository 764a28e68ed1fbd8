"""Build the fixtures of seed 001's form (湖南 部门整体支出绩效自评表 with 基础数据 tables by 机构).

    .venv/bin/python tests/base_data/build_base_data.py

Writes ``tests/base_data/*.xlsx`` and ``tests/base_data/expected.json``. Each workbook imitates
seed 001 (岳阳楼区委宣传部 2020): 基本概况, then income, expenditure, 三公经费 and 固定资产 tables
by 机构 (a ``…汇总`` row, then ``1、局机关``, ``2、…``), the targets marked 已完成, 绩效自评综合得分
and 评价等次. Every form is described once as data (:class:`Form`); :func:`write_form` lays it out
and records the cell of each value, and :func:`expect` states, from the same description, what a
reader must return: the tables, every sum (label, total cell, part cells) and the
AMOUNT_SUM_MISMATCH findings, computed here with Decimal and the interval rule of domain.md §4,
without perfxl. Zip dates and the ``modified`` stamp are fixed, so a rebuild is byte-identical.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
FIXED_TIME = datetime.datetime(2025, 3, 15, 9, 30, 0)

Value = float | int | str | None

# --------------------------------------------------------------------------------------------------
# The four tables of the form: header cells, column labels (as the reader reports them), relations
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    name: str  # the table's name in sum labels
    title: str | None  # the line above the table, if any
    labels: tuple[str, ...]  # the amount columns' labels, normalised (no spaces or line breaks)
    header: tuple[tuple[tuple[int, int, int, int, str], ...], ...]  # per header row: (r, c, r2, c2, text)
    relations: tuple[tuple[int, tuple[int, ...]], ...]  # (total column, part columns), 0 = first amount col


# Header cells are (row, col, last row, last col, text) relative to the table's 机构名称 cell;
# the merges are applied when the form is merged, otherwise only the top-left text is written.
INCOME = Kind(
    "收入表", "年度收入情况（万元）",
    ("收入合计", "上年结转", "公共财政拨款", "政府基金拨款", "纳入专户管理的非税收入拨款", "其他收入"),
    (((0, 0, 1, 0, "机构名称"), (0, 1, 1, 1, "收入合计"), (0, 2, 0, 6, "其中：")),
     ((1, 2, 1, 2, "上年结转"), (1, 3, 1, 3, "公共财\n政拨款"), (1, 4, 1, 4, "政府基金\n拨款"),
      (1, 5, 1, 5, "纳入专户管理的非税收入拨款"), (1, 6, 1, 6, "其他\n收入"))),
    ((0, (1, 2, 3, 4, 5)),))
EXPENDITURE = Kind(
    "支出表", "部门（单位）年度支出和结余情况（万元）",
    ("支出合计", "基本支出", "人员支出", "公用支出", "项目支出", "当年结余", "累计结余"),
    (((0, 0, 2, 0, "机构名称"), (0, 1, 2, 1, "支出合计"), (0, 2, 0, 5, "其中："), (0, 6, 0, 7, "结余")),
     ((1, 2, 2, 2, "基本支出"), (1, 3, 1, 4, "其中："), (1, 5, 2, 5, "项目支出"), (1, 6, 2, 6, "当年\n结余"),
      (1, 7, 2, 7, "累计结余")),
     ((2, 3, 2, 3, "人员支出"), (2, 4, 2, 4, "公用支出"))),
    ((0, (1, 4)), (1, (2, 3))))
THREE_PUBLIC = Kind(
    "三公经费表", None,
    ("三公经费合计", "公务接待费", "公务用车运维费", "公务用车购置费", "因公出国费"),
    (((0, 0, 1, 0, "机构名称"), (0, 1, 1, 1, "三公经费\n\n合计"), (0, 2, 0, 5, "其中：")),
     ((1, 2, 1, 2, "公务接待费"), (1, 3, 1, 3, "公务用车运维费"), (1, 4, 1, 4, "公务用车购置费"),
      (1, 5, 1, 5, "因公出国费"))),
    ((0, (1, 2, 3, 4)),))
ASSETS = Kind(
    "固定资产表", None,
    ("固定资产合计", "在用固定资产", "出租固定资产", "其他"),
    (((0, 0, 1, 0, "机构名称"), (0, 1, 1, 1, "固定资产\n\n合计"), (0, 2, 0, 3, "其中："), (0, 4, 1, 4, "其他")),
     ((1, 2, 1, 2, "在用固定资产"), (1, 3, 1, 3, "出租固定资产"))),
    ((0, (1, 2, 3)),))
KINDS = (INCOME, EXPENDITURE, THREE_PUBLIC, ASSETS)
WIDTH = 8  # the form's columns: label + 7 amounts (the expenditure table)

# --------------------------------------------------------------------------------------------------
# What the clerk typed
# --------------------------------------------------------------------------------------------------

Rows = tuple[tuple[str, tuple[Value, ...]], ...]

SUMMARY = "局机关及二级机构汇总"
SEED_INCOME: Rows = (
    (SUMMARY, ("1184.36", None, 1184.36, None, None, None)),
    ("1、局机关", (1184.36, None, "1184.36", None, None, None)),
    ("2、二级机构1", (None,) * 6),
    ("3、二级机构2", (None,) * 6),
)
SEED_EXPENDITURE: Rows = (
    (SUMMARY, (1184.36, "311.68万元", 284.95, 26.73, 872.68, 0, 0)),
    ("1、局机关", ("1184.36", 311.68, 284.95, "26.73", 872.68, 0, "0")),
    ("2、二级机构1", (None,) * 7),
    ("3、二级机构2", (None,) * 7),
)
SEED_THREE_PUBLIC: Rows = (
    (SUMMARY, (1.5, 1.5, None, None, None)),
    ("1、局机关", ("1.5", 1.5, None, None, None)),
    ("2、二级机构1", (None,) * 5),
    ("3、二级机构2", (None,) * 5),
)
SEED_ASSETS: Rows = (  # seed 001 gives the total only: no breakdown, nothing to add up per row
    (SUMMARY, (82.32, None, None, None)),
    ("1、局机关", (82.32, None, None, None)),
    ("2、二级机构1", (None,) * 4),
    ("3、二级机构2", (None,) * 4),
)


@dataclass(frozen=True)
class Form:
    file: str
    description: str
    sheet: str = "整体支出绩效自评表"
    origin: tuple[int, int] = (1, 1)  # (row, col) of the form's first cell
    merged: bool = True  # False: a Word export, every header text in its own unmerged cell
    department: str = "中共岳阳市岳阳楼区委宣传部"
    department_inline: bool = False  # '填报单位（盖章）：…' in one cell instead of label | value
    year: int = 2020
    tables: tuple[Rows, ...] = (SEED_INCOME, SEED_EXPENDITURE, SEED_THREE_PUBLIC, SEED_ASSETS)
    score: Value = "98分"
    grade: str = "优"
    grade_inline: bool = False  # '评价等次：优' in one cell


@dataclass(frozen=True)
class Book:
    file: str
    description: str
    forms: tuple[Form, ...]
    cover: bool = False
    others: tuple[str, ...] = ()  # further sheets that hold no form: 'notes', 'tables_only'


# --------------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------------


@dataclass
class Placed:
    """Where write_form put things: per table the rows (label, row) and the first amount column."""

    tables: list[tuple[Kind, int, list[tuple[str, int]], int]] = field(default_factory=list)  # kind, header row
    score_cell: str = ""
    grade_cell: str = ""


def ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def write_form(ws, form: Form) -> Placed:
    r0, c0 = form.origin
    placed = Placed()
    wrap = Alignment(wrap_text=True, vertical="center")
    row = r0

    def put(r: int, c: int, value: Value, last_col: int | None = None, last_row: int | None = None) -> None:
        ws.cell(r, c, value).alignment = wrap
        if form.merged and ((last_col and last_col > c) or (last_row and last_row > r)):
            ws.merge_cells(start_row=r, start_column=c, end_row=last_row or r, end_column=last_col or c)

    last = c0 + WIDTH - 1
    put(row, c0, f"{form.year}年度部门（单位）整体支出绩效自评表", last)
    row += 1
    put(row, c0, "岳阳楼区财政局（制）", last)
    row += 1
    if form.department_inline:
        put(row, c0, f"填报单位（盖章）：{form.department}", last)
    else:
        put(row, c0, "部门（单位）名称", c0 + 1)
        put(row, c0 + 2, form.department, last)
    row += 1
    put(row, c0, "一、部门（单位）基本概况", last)
    row += 1
    put(row, c0, "联系人")
    put(row, c0 + 1, "孟庆红", c0 + 2)
    put(row, c0 + 3, "联络电话")
    put(row, c0 + 4, "18692107518", last)
    row += 1
    put(row, c0, "人员编制")
    put(row, c0 + 1, "9人", c0 + 2)
    put(row, c0 + 3, "实有人数")
    put(row, c0 + 4, "17人", last)
    row += 1
    put(row, c0, "职能职责概述")
    put(row, c0 + 1, "制订全区宣传思想文化发展总体规划；统筹协调全区党的意识形态工作；统筹指导协调全区理论学习、"
                     "理论研究、理论宣传和理论宣讲。", last)
    row += 1
    put(row, c0, "二、部门（单位）收支情况", last)
    row += 1
    for kind, rows in zip(KINDS, form.tables, strict=True):
        if kind.title:
            put(row, c0, kind.title, last)
            row += 1
        header_row = row
        for line in kind.header:
            for dr, dc, dr2, dc2, text in line:
                put(header_row + dr, c0 + dc, text, c0 + dc2, header_row + dr2)
        row += len(kind.header)
        data = []
        for label, values in rows:
            put(row, c0, label)
            for offset, value in enumerate(values, start=1):
                if value is not None:
                    put(row, c0 + offset, value)
            data.append((label, row))
            row += 1
        placed.tables.append((kind, header_row, data, c0 + 1))
    put(row, c0, "三、部门（单位）整体支出绩效自评情况", last)
    row += 1
    put(row, c0, "整体支出绩效定性目标及实施计划完成情况", c0 + 1)
    put(row, c0 + 2, "预期目标", c0 + 6)
    put(row, c0 + 7, "实际完成")
    row += 1
    put(row, c0 + 2, "目标1：强化意识形态领域管理\n目标2：扎实抓好理论学习和宣传\n目标3：切实加强新闻宣传", c0 + 6)
    put(row, c0 + 7, "已完成")
    row += 1
    targets = (("产出目标", "数量指标", "开展意识形态工作专项检查2次，分析研判会、联席会议4次", "已完成"),
               (None, "数量指标", "在中央级媒体发稿27条，省级媒体发稿522条", "已完成"),
               (None, "成本指标", "严格控制预算，严格控制“三公”经费支出，做到预算支出不超标", "已完成"),
               ("效益目标", "社会效益", "社会反响良好", "98%"),
               (None, "社会公众或服务对象满意度", "正面宣传多角度、多平台推出", "98%"))
    put(row, c0, "整体支出\n绩效定量目标及实施计划完成情况", c0, row + len(targets))
    put(row, c0 + 1, "评价内容", c0 + 6)
    row += 1
    for first, second, content, done in targets:
        if first:
            put(row, c0 + 1, first)
        put(row, c0 + 2, second)
        put(row, c0 + 3, content, c0 + 6)
        put(row, c0 + 7, done)
        row += 1
    put(row, c0, "绩效自评综合得分", c0 + 1)
    put(row, c0 + 2, form.score, last)
    placed.score_cell = ref(row, c0 + 2)
    row += 1
    if form.grade_inline:
        put(row, c0, f"评价等次：{form.grade}", last)
        placed.grade_cell = ref(row, c0)
    else:
        put(row, c0, "评价等次", c0 + 1)
        put(row, c0 + 2, form.grade, last)
        placed.grade_cell = ref(row, c0 + 2)
    row += 1
    put(row, c0, "四、评价人员", last)
    row += 1
    for name, title in (("姓  名", "职务/职称"), ("李崇民", "常务副部长"), ("钟广宇", "副部长")):
        put(row, c0, name)
        put(row, c0 + 1, title, c0 + 2)
        put(row, c0 + 3, "单  位" if name == "姓  名" else "宣传部", c0 + 5)
        put(row, c0 + 6, "签  字" if name == "姓  名" else None, last)
        row += 1
    put(row, c0, "填报人（签名）：孟庆红                联系电话：18692107518", last)
    return placed


def write_cover(ws) -> None:
    ws["B3"] = "岳阳楼区2020年度部门整体支出绩效自评材料"
    ws["B6"] = "报送单位：岳阳楼区委宣传部（盖章）"
    ws["B7"] = "报送日期：2021年3月"
    ws["B9"] = "附：1. 部门整体支出绩效自评表  2. 评价报告综述"


def write_notes(ws) -> None:
    ws["A1"] = "填表说明"
    ws["A2"] = "1. 金额单位为万元，保留两位小数。"
    ws["A3"] = "2. “局机关及二级机构汇总”行等于各机构行之和。"


def write_tables_only(ws) -> None:
    """The income table alone, as a clerk's working copy: no 综合得分, so not a form."""
    kind = INCOME
    for line in kind.header:
        for dr, dc, _, _, text in line:
            ws.cell(1 + dr, 1 + dc, text)
    for index, (label, values) in enumerate(SEED_INCOME):
        ws.cell(3 + index, 1, label)
        for offset, value in enumerate(values, start=1):
            ws.cell(3 + index, 1 + offset, value)


# --------------------------------------------------------------------------------------------------
# What a reader must return (independent of perfxl)
# --------------------------------------------------------------------------------------------------

_TYPED = re.compile(r"([+-]?\d+(?:\.(\d+))?)\s*(?:万元|万|元|分)?")


def typed(value: Value) -> tuple[Decimal, int] | None:
    """(value, decimals written): text as typed (full-width digits allowed), numbers at least to the cent."""
    if value is None:
        return None
    if isinstance(value, str):
        match = _TYPED.fullmatch(unicodedata.normalize("NFKC", value).strip())
        assert match, value
        return Decimal(match.group(1)), len(match.group(2) or "")
    number = Decimal(str(value))
    exponent = number.as_tuple().exponent
    return number, max(-exponent, 2)


def mismatch(total: Value, parts: list[Value]) -> tuple[Decimal, Decimal] | None:
    """(Σ parts, total) where the intervals cannot meet; None when they can or nothing is stated."""
    declared = typed(total)
    known = [typed(p) for p in parts if p is not None]
    if declared is None or not known:
        return None
    summed = sum((v for v, _ in known), Decimal(0))
    slack = Decimal("0.5") * Decimal(10) ** -declared[1]
    slack += sum((Decimal("0.5") * Decimal(10) ** -places for _, places in known), Decimal(0))
    return (summed, declared[0]) if abs(declared[0] - summed) > slack else None


def expect_form(form: Form, placed: Placed) -> dict:
    sums, findings = [], []

    def relation(label: str, total: tuple[Value, str], parts: list[tuple[Value, str]]) -> None:
        sums.append([label, total[1], [cell for _, cell in parts]])
        gap = mismatch(total[0], [value for value, _ in parts])
        if gap is not None:
            findings.append({"cell": total[1], "expected": str(gap[0]), "found": str(gap[1]), "label": label})

    for (kind, _, data, first_col), rows in zip(placed.tables, form.tables, strict=True):
        cells = [[(values[i], ref(row, first_col + i)) for i in range(len(kind.labels))]
                 for (_, row), (_, values) in zip(data, rows, strict=True)]
        for (label, _), row_cells in zip(data, cells, strict=True):
            for total, parts in kind.relations:
                relation(f"{kind.name} {label} {kind.labels[total]}（{'+'.join(kind.labels[p] for p in parts)}）",
                         row_cells[total], [row_cells[p] for p in parts])
        summary, units = cells[0], cells[1:]
        for column, column_label in enumerate(kind.labels):
            relation(f"{kind.name} {data[0][0]}（{column_label}）", summary[column], [u[column] for u in units])
    score = typed(form.score)
    return {
        "sheet": form.sheet, "department": form.department, "year": form.year,
        "total_score": {"cell": placed.score_cell, "number": str(score[0]) if score else None},
        "grade": {"cell": placed.grade_cell, "text": form.grade},
        "tables": [kind.name for kind in KINDS],
        "sums": sums, "findings": findings,
    }


# --------------------------------------------------------------------------------------------------
# The fixtures
# --------------------------------------------------------------------------------------------------


def _replace(rows: Rows, label: str, column: int, value: Value) -> Rows:
    return tuple((lab, tuple(value if lab == label and i == column else v for i, v in enumerate(values)))
                 for lab, values in rows)


SEED = Form("01_yueyang_2020_seed.xlsx", "seed 001 as published: 1184.36 = 311.68 + 872.68, "
            "311.68 = 284.95 + 26.73; 固定资产合计 82.32 without breakdown; merged headers; numbers partly text")

TYPO = replace(SEED, file="02_expenditure_typo.xlsx",
               description="1、局机关 人员支出 typed 248.95 for 284.95: its row's 基本支出 and the 汇总 人员支出 disagree",
               tables=(SEED_INCOME, _replace(SEED_EXPENDITURE, "1、局机关", 2, "248.95"), SEED_THREE_PUBLIC,
                       SEED_ASSETS))

TWO_UNITS_INCOME: Rows = (  # the 汇总 row still carries 局机关's figures only
    (SUMMARY, (1184.36, 0, 1184.36, None, None, None)),
    ("1、局机关", (1184.36, 0, 1184.36, None, None, None)),
    ("2、区融媒体中心", (120.5, 20.5, 100, None, None, None)),
    ("3、二级机构2", (None,) * 6),
)
TWO_UNITS_EXPENDITURE: Rows = (
    (SUMMARY, (1304.86, 351.88, 320.05, 31.83, 952.98, 0, 0)),
    ("1、局机关", (1184.36, 311.68, 284.95, 26.73, 872.68, 0, 0)),
    ("2、区融媒体中心", (120.5, 40.2, 35.1, 5.1, 80.3, 0, 0)),
    ("3、二级机构2", (None,) * 7),
)
TWO_UNITS_THREE_PUBLIC: Rows = (
    (SUMMARY, (2.1, 1.8, 0.3, None, None)),
    ("1、局机关", (1.5, 1.5, None, None, None)),
    ("2、区融媒体中心", (0.6, 0.3, 0.3, None, None)),
    ("3、二级机构2", (None,) * 5),
)
TWO_UNITS_ASSETS: Rows = (
    (SUMMARY, (100.52, 98.02, None, 2.5)),
    ("1、局机关", (82.32, 79.82, None, 2.5)),
    ("2、区融媒体中心", (18.2, 18.2, None, None)),
    ("3、二级机构2", (None,) * 4),
)
SUMMARY_OFF = replace(SEED, file="03_summary_disagrees.xlsx",
                      description="two 机构 (局机关, 区融媒体中心); the income 汇总 row still shows 局机关 alone "
                                  "(收入合计, 上年结转, 公共财政拨款 disagree with the 机构 rows); the rest adds up",
                      tables=(TWO_UNITS_INCOME, TWO_UNITS_EXPENDITURE, TWO_UNITS_THREE_PUBLIC, TWO_UNITS_ASSETS))

WORD_INCOME: Rows = (
    (SUMMARY, ("１１８４．３６万元", None, "１１８４．３６万元", None, None, None)),
    ("1、局机关", ("1184.36万元", None, "1184.36", None, None, None)),
    ("2、二级机构1", (None,) * 6),
    ("3、二级机构2", (None,) * 6),
)
WORD_EXPENDITURE: Rows = (
    (SUMMARY, ("1184.36万元", "311.68万元", "284.95万元", "26.73万元", "872.68万元", "0", "0")),
    ("1、局机关", ("1184.36", "311.68", "284.95", "26.73", "872.68", "0", "0")),
    ("2、二级机构1", (None,) * 7),
    ("3、二级机构2", (None,) * 7),
)
COVER = replace(SEED, file="04_cover_offset_word.xlsx", sheet="自评表", origin=(4, 3), merged=False,
                department="岳阳楼区委宣传部", department_inline=True, grade_inline=True, score="９８分",
                description="a 封面 sheet first, the form at C4 exported from Word: no merged cells, amounts as text "
                            "with 万元 and full-width digits, '填报单位（盖章）：…' and '评价等次：优' inline, "
                            "score '９８分'",
                tables=(WORD_INCOME, WORD_EXPENDITURE, SEED_THREE_PUBLIC, SEED_ASSETS))

ROUNDED_EXPENDITURE: Rows = (  # seed 000's 501.65 = 415.13 + 86.51 (501.64): inside the rounding tolerance
    (SUMMARY, (1351.68, 501.65, 415.13, 86.51, 850.03, 0, 12.4)),
    ("1、局机关", (1351.68, "501.65", "415.13", "86.51", 850.03, 0, 12.4)),
    ("2、二级机构1", (None,) * 7),
    ("3、二级机构2", (None,) * 7),
)
ROUNDED_INCOME: Rows = (
    (SUMMARY, (1364.08, 12.4, 1296.68, None, None, 55)),
    ("1、局机关", (1364.08, 12.4, 1296.68, None, None, 55)),
    ("2、二级机构1", (None,) * 6),
    ("3、二级机构2", (None,) * 6),
)
CARS_TYPO: Rows = (  # 公务用车运维费 typed 0.8 in the 局机关 row: its 合计 1.6 and the 汇总 column disagree
    (SUMMARY, (1.6, 0.6, 1, None, None)),
    ("1、局机关", (1.6, 0.6, 0.8, None, None)),
    ("2、二级机构1", (None,) * 5),
    ("3、二级机构2", (None,) * 5),
)
TWO_FORMS = (
    replace(SEED, sheet="区委宣传部"),
    replace(SEED, sheet="区融媒体中心", department="岳阳楼区融媒体中心", score=96, grade="优秀",
            tables=(ROUNDED_INCOME, ROUNDED_EXPENDITURE, CARS_TYPO, SEED_ASSETS)),
)

BOOKS = (
    Book(SEED.file, SEED.description, (SEED,)),
    Book(TYPO.file, TYPO.description, (TYPO,)),
    Book(SUMMARY_OFF.file, SUMMARY_OFF.description, (SUMMARY_OFF,)),
    Book(COVER.file, COVER.description, (COVER,), cover=True),
    Book("05_two_forms_rounding.xlsx",
         "a 主管部门's book: 填表说明 sheet, seed 001's form, then 区融媒体中心's form where 501.65 = 415.13 + "
         "86.51 passes by rounding and 公务用车运维费 typed 0.8 for 1 breaks its 三公 row and the 汇总 column; "
         "an income table without 综合得分 on a last sheet is no form",
         TWO_FORMS, others=("notes", "tables_only")),
)


def normalise_zip(path: Path) -> None:
    """Fixed zip dates and ``dcterms:modified``, so that rebuilt files are byte-identical."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-03-15T09:30:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 3, 15, 9, 30, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)


def build(directory: Path = HERE) -> dict:
    """Write every fixture and expected.json into ``directory``; return the expectations."""
    expected = {}
    for item in BOOKS:
        book = Workbook()
        book.remove(book.active)
        if item.cover:
            write_cover(book.create_sheet("封面"))
        if "notes" in item.others:
            write_notes(book.create_sheet("填表说明"))
        forms = []
        for form in item.forms:
            ws = book.create_sheet(form.sheet)
            forms.append(expect_form(form, write_form(ws, form)))
        if "tables_only" in item.others:
            write_tables_only(book.create_sheet("收入底稿"))
        book.properties.creator = "Administrator"
        book.properties.created = book.properties.modified = FIXED_TIME
        path = directory / item.file
        book.save(path)
        normalise_zip(path)
        expected[item.file] = {"description": item.description, "forms": forms}
    text = json.dumps(expected, ensure_ascii=False, indent=1) + "\n"
    (directory / "expected.json").write_text(text, encoding="utf-8")
    return expected


if __name__ == "__main__":
    for name, entry in build().items():
        found = sum(len(form["findings"]) for form in entry["forms"])
        print(f"{name}: {len(entry['forms'])} form(s), {found} planted finding(s)")
