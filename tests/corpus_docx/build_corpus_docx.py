"""Build the Word-report corpus: self-evaluation reports (.docx) with scoring tables and stated figures.

    .venv/bin/python tests/corpus_docx/build_corpus_docx.py     (needs python-docx and soffice with Writer)
    .venv/bin/python tests/corpus_docx/build_corpus_docx.py --dry-run   (expectations only, nothing written)

Writes ``tests/corpus_docx/files/*``, ``expected.json`` and ``README.md``. Each report imitates a
published one (shared/seeds: 000 金口河, 001 岳阳楼, 002 荔湾, 003 芦淞, 004 峨边): a title, headings, body
paragraphs copied or adapted from the seed, and the 绩效自评表 as Word tables with merged cells
(w:vMerge in the side-label, 一级指标 and 二级指标 columns, w:gridSpan in header, funds and 总分 rows),
made with python-docx's ``cell.merge()``. Files named ``*_lo.docx`` are the same reports saved by a
real LibreOffice (``soffice --convert-to docx``), and the ``.doc`` is LibreOffice's Word 97 save.

Every table is described once as data and laid out by :func:`write_table`, which records the grid
position (R{row}C{col}) of every value; every paragraph that states a figure carries its claims as
data (:class:`Score`, :class:`Grade`, :class:`Sum`, :class:`Share`, :class:`Rate`). The expectations
are computed here with this script's own Decimal arithmetic (nothing of perfxl is imported), under
the conventions of README.md. Each table and each paragraph states what was planted in it, and the
script refuses a case whose recomputed findings differ from the plant, or that the conventions leave
open (a sum or rate whose verdict depends on how its decimals are read, a claim tied to a table whose
declared and computed totals differ, …). Every saved file, LibreOffice's too, is re-read: paragraph
numbers are taken from the saved file (python-docx ``Document(path).paragraphs``) by searching the
planted paragraph, and every table cell is looked up at the grid position the expectation names.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
FIXED_TIME = datetime(2025, 3, 15, 9, 30, 0)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

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


def short(value: Decimal) -> str:
    text = f"{rhu(value, 2):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def on_half_cent(exact: Decimal) -> bool:
    scaled = exact * 100
    return scaled != scaled.to_integral_value() and abs(abs(scaled - scaled.to_integral_value()) - Decimal("0.5")) \
        < Decimal("1e-9")


_OP = re.compile(r"^(≥|≤|>=|<=|=|>|<)")
_UNIT = re.compile(r"(万元|元|人次|分|次|场|起|条|篇|个|期|部|台|TB|项|家|天|人)$")
_NUM = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Parsed:
    kind: str  # "blank" | "number" | "text"
    number: Decimal | None = None
    op: str = ""
    places: int = 0  # decimals as written, of the fraction for percentages (72.6% → 3)
    text: str = ""
    percent: bool = False


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse(value: object) -> Parsed:
    """A cell or a stated figure as written: everything in a Word report is text."""
    if value is None:
        return Parsed("blank")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
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


def finding(code: str, sheet: str | None, cell: str | None, expected=None, found=None) -> dict:
    return {"code": code, "sheet": sheet, "cell": cell, "expected": expected, "found": found}


def adds_up(total: Parsed, parts: list[Parsed], what: str) -> bool:
    """The interval rule of domain.md §4, refused when the verdict depends on how decimals are read."""
    diff = abs(total.number - sum(p.number for p in parts))
    as_written = diff <= half(total.places) + sum(half(p.places) for p in parts)
    two_places = diff <= half(2) * (len(parts) + 1)
    assert as_written == two_places, f"{what}: sum agrees only under one reading of its decimals"
    return as_written


# --------------------------------------------------------------------------------------------------
# The scoring tables as data
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
    """A 部门整体 (project None) or 项目支出 绩效自评表 as typed into a Word table."""

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
    side: bool = True  # Word-style left labels (年度预算申请 / 年度总体目标 / 绩效指标) in a column of their own
    title_row: bool = False  # the title is the table's first row (merged across), not a paragraph above
    title: str | None = None
    dept_label: str = "部门（单位）名称"
    funds_label: str | None = None
    total_span: int = 1  # grid columns of the 总分 得分 (and 评价等次) cell
    total_weight: object = 100

    @property
    def kind(self) -> str:
        return "project" if self.project else "overall"

    @property
    def scheme(self) -> str:
        keys = {level_key(line[0]) for line in self.lines if line[0] is not None}
        return "standard" if "cost" in keys else "classic"

    @property
    def heading(self) -> str:
        return self.title or ("项目支出绩效自评表" if self.project else f"{self.year}年度部门（单位）整体支出绩效自评表")


@dataclass
class Staff:
    """A table that is no scoring table (the 评价人员 list of seed 001): no numbers, no finding."""

    rows: list[tuple[str, ...]]


# --------------------------------------------------------------------------------------------------
# Laying a table out on a Word grid
# --------------------------------------------------------------------------------------------------


def rc(row: int, col: int) -> str:
    return f"R{row}C{col}"


@dataclass
class Grid:
    """Rows of origin cells: (row, col) → (text, span); vertical merges (col, first row, last row)."""

    ncols: int
    cells: dict = field(default_factory=dict)
    vmerges: list = field(default_factory=list)
    nrows: int = 0

    def row(self) -> int:
        self.nrows += 1
        return self.nrows

    def put(self, r: int, c: int, text: object, span: int = 1) -> None:
        assert 1 <= c and c + span - 1 <= self.ncols, (r, c, span)
        for (r0, c0), (_, s0) in self.cells.items():
            assert r0 != r or c0 + s0 - 1 < c or c + span - 1 < c0, f"overlap at {rc(r, c)}"
        self.cells[(r, c)] = ("" if text is None else str(text), span)

    def vmerge(self, c: int, r1: int, r2: int) -> None:
        if r2 > r1:
            self.vmerges.append((c, r1, r2))


@dataclass
class Placed:
    """Where everything of one table went (grid positions, 1-based)."""

    funds: dict = field(default_factory=dict)  # key → (r, c)
    levels: list = field(default_factory=list)  # (label as typed, (r, c))
    rows: list = field(default_factory=list)  # one per indicator line
    total: tuple = ()
    grade: tuple = ()
    texts: list = field(default_factory=list)  # funds breakdown text cells: (text, (r, c))
    amounts: list = field(default_factory=list)  # funds breakdown amount rows: (label, [(value, (r, c))])


def write_table(t: Table) -> tuple[Grid, Placed]:
    ic = 2 if t.side else 1  # 一级指标 column
    last = ic + 7  # 偏差原因 column
    fc = ic + 1  # first funds amount column
    g, p = Grid(last), Placed()
    if t.title_row:
        r = g.row()
        g.put(r, 1, t.heading, last)
    if t.project:
        r = g.row()
        g.put(r, 1, "项目名称", 2)
        g.put(r, 3, t.project, last - 2)
        r = g.row()
        g.put(r, 1, "主管部门", 2)
        g.put(r, 3, t.department, 3)
        g.put(r, 6, "实施单位", 2)
        g.put(r, 8, t.department, last - 7)
    else:
        r = g.row()
        g.put(r, 1, t.dept_label, 2)
        g.put(r, 3, t.department, last - 2)

    # Funds block: header row, 年度资金总额, breakdown rows.
    funds_label = t.funds_label or ("项目资金（万元）" if t.project else "年度预算申请（万元）")
    top = r = g.row()
    g.put(r, 1, funds_label)
    headers = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    for index, text in enumerate(headers):
        g.put(r, fc + index, text, 2 if index == 5 else 1)
    r = g.row()
    g.put(r, ic, "年度资金总额")
    for index, key in enumerate(("initial", "budget", "executed", "weight", "rate", "score")):
        p.funds[key] = (r, fc + index)
        g.put(r, fc + index, getattr(t.funds, key), 2 if index == 5 else 1)
    for item in t.breakdown or ():
        r = g.row()
        if len(item) == 2:  # seed 003: '按收入性质分：642.01' | '按支出性质分：642.01'
            left, right = item
            g.put(r, ic, left, 4)
            g.put(r, ic + 4, right, last - ic - 3)
            for text, col in ((left, ic), (right, ic + 4)):
                if text:
                    p.texts.append((text, (r, col)))
        else:
            label, *amounts = item
            g.put(r, ic, label)
            cells = []
            for index, value in enumerate(amounts):
                g.put(r, fc + index, value)
                cells.append((value, (r, fc + index)))
            p.amounts.append((label, cells))
            if t.breakdown_dashes:
                g.put(r, fc + 3, "—")
                g.put(r, fc + 5, "—", 2)
    if t.side:
        g.vmerge(1, top, r)

    # Goals.
    if t.goals:
        r = g.row()
        if t.side:
            g.put(r, 1, "年度总体目标")
            g.vmerge(1, r, r + 1)
        else:
            g.put(r, 1, "年度总体目标", last)
            r = g.row()
        g.put(r, ic, "预期目标", 4)
        g.put(r, ic + 4, "实际完成情况", last - ic - 3)
        r = g.row()
        g.put(r, ic, t.goals[0], 4)
        g.put(r, ic + 4, t.goals[1], last - ic - 3)

    # Indicator block.
    header = r = g.row()
    if t.side:
        g.put(r, 1, "绩\n效\n指\n标")
    for index, text in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                                  "偏差原因分析及改进措施")):
        g.put(r, ic + index, text)
    level_start = group_start = None
    for line in t.lines:
        r = g.row()
        level, group, name, target, actual, weight, score, reason = line
        if level is not None:
            if level_start is not None:
                g.vmerge(ic + 1, group_start, r - 1)
                g.vmerge(ic, level_start, r - 1)
            level_start, group_start, level_label = r, None, level
            g.put(r, ic, level)
            p.levels.append((level, (r, ic)))
        if group is not None:
            if group_start is not None:
                g.vmerge(ic + 1, group_start, r - 1)
            group_start, group_label = r, group
            g.put(r, ic + 1, group)
        assert group_start is not None, f"{name}: the first line of a block names its 二级指标"
        for offset, value in enumerate((name, target, actual, weight, score, reason)):
            g.put(r, ic + 2 + offset, value)
        p.rows.append({"level": level_label, "group": group_label, "line": line, "actual": (r, ic + 4),
                       "weight": (r, ic + 5), "score": (r, ic + 6), "reason": (r, ic + 7)})
    g.vmerge(ic + 1, group_start, r)
    g.vmerge(ic, level_start, r)
    if t.side:
        g.vmerge(1, header, r)

    # 总分 and 评价等次.
    r = g.row()
    g.put(r, 1, "总分", ic + 4)
    g.put(r, ic + 5, t.total_weight)
    g.put(r, ic + 6, t.total, t.total_span)
    p.total = (r, ic + 6)
    if t.grade is not None:
        r = g.row()
        g.put(r, 1, "评价等次", ic + 5)
        g.put(r, ic + 6, t.grade, t.total_span)
        p.grade = (r, ic + 6)
    return g, p


def write_staff(s: Staff) -> Grid:
    g = Grid(max(len(row) for row in s.rows))
    for row in s.rows:
        r = g.row()
        if len(row) == 1:
            g.put(r, 1, row[0], g.ncols)
        else:
            for c, text in enumerate(row, 1):
                g.put(r, c, text)
    return g


def render_grid(doc, g: Grid) -> None:
    """The grid as a Word table: horizontal merges first, then vertical ones, then the texts."""
    table = doc.add_table(rows=g.nrows, cols=g.ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for (r, c), (_, span) in g.cells.items():
        if span > 1:
            table.cell(r - 1, c - 1).merge(table.cell(r - 1, c + span - 2))
    for c, r1, r2 in g.vmerges:
        for r in range(r1 + 1, r2 + 1):
            assert (r, c) not in g.cells, f"text under a vertical merge at {rc(r, c)}"
        table.cell(r1 - 1, c - 1).merge(table.cell(r2 - 1, c - 1))
    for (r, c), (text, _) in g.cells.items():
        if text:
            table.cell(r - 1, c - 1).text = text


# --------------------------------------------------------------------------------------------------
# The expectations of one table (the conventions of tests/corpus and tests/corpus_tables)
# --------------------------------------------------------------------------------------------------

_TEXT_ITEM = re.compile(r"^(?:其中[:：])?(?P<label>[^:：]+)[:：](?P<num>.*)$")
TEXT_PARENT = {"一般公共预算": "按收入性质分", "政府性基金拨款": "按收入性质分", "国有资本经营预算": "按收入性质分",
               "纳入专户管理的非税收入拨款": "按收入性质分", "其他资金": "按收入性质分",
               "基本支出": "按支出性质分", "项目支出": "按支出性质分", "人员经费": "基本支出", "公用经费": "基本支出"}
INCOME_ROWS = ("一般公共预算", "政府性基金拨款", "国有资本经营预算", "纳入专户管理的非税收入拨款", "其他资金",
               "当年财政拨款", "上年结转资金")
EXPENSE_ROWS = ("基本支出", "项目支出")
BASIC_PARTS = ("人员经费", "公用经费")


def amount_findings(t: Table, p: Placed, sheet: str) -> list[dict]:
    """Funds breakdowns: each adds up to 年度资金总额; 人员经费 + 公用经费 = 基本支出 (nested, seed 000)."""
    out = []
    funds = {key: parse(getattr(t.funds, key)) for key in ("initial", "budget", "executed")}
    if p.texts:
        values: dict[str, tuple[Parsed, tuple]] = {}
        for text, cell in p.texts:
            match = _TEXT_ITEM.match(squeeze(text))
            assert match, (text, "a breakdown text is 'label：amount'")
            label, num = match.group("label"), match.group("num")
            assert label in TEXT_PARENT or label.startswith("按"), label
            values[label] = (parse(num), cell)
        for heading in ("按收入性质分", "按支出性质分"):
            if heading in values:
                assert values[heading][0].number == funds["budget"].number == funds["executed"].number
        for parent, (total, cell) in values.items():
            parts = [parsed for label, (parsed, _) in values.items()
                     if TEXT_PARENT.get(label) == parent and parsed.kind == "number"]
            if total.kind != "number" or not parts:
                continue
            if not adds_up(total, parts, f"{t.project or t.department} {parent}"):
                out.append(finding("AMOUNT_SUM_MISMATCH", sheet, rc(*cell), jnum(sum(x.number for x in parts)),
                                   jnum(total.number)))
    if p.amounts:
        rows = {squeeze(label).removeprefix("其中:").removeprefix("其中："): cells for label, cells in p.amounts}
        for index, key in enumerate(("initial", "budget", "executed")):
            total = funds[key]
            for group in (INCOME_ROWS, EXPENSE_ROWS):
                parts = [parse(rows[label][index][0]) for label in group if label in rows]
                parts = [x for x in parts if x.kind == "number"]
                if parts and not adds_up(total, parts, f"{t.project or t.department} {key}"):
                    out.append(finding("AMOUNT_SUM_MISMATCH", sheet, rc(*p.funds[key]),
                                       jnum(sum(x.number for x in parts)), jnum(total.number)))
            if "基本支出" in rows:
                basic_value, basic_cell = rows["基本支出"][index]
                parts = [parse(rows[label][index][0]) for label in BASIC_PARTS if label in rows]
                parts = [x for x in parts if x.kind == "number"]
                if parts and not adds_up(parse(basic_value), parts, "基本支出"):
                    out.append(finding("AMOUNT_SUM_MISMATCH", sheet, rc(*basic_cell),
                                       jnum(sum(x.number for x in parts)), jnum(parse(basic_value).number)))
    return out


def rule_score(where: str, level: str, group: str, target: object, actual: object, weight: Decimal):
    """The reviewer's score (a Decimal, or (low, high) for a qualitative row) and the overshoot, if any."""
    tp, ap = parse(target), parse(actual)
    if tp.kind != "number":  # qualitative: words, dates, periods
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
        met = an <= tn
        rule = weight if met else weight * tn / an
    else:
        assert op != "=" or an <= tn, f"{where}: '=' over-achieved is left open"
        ratio = an / tn
        assert abs(ratio - OVERSHOOT) > Decimal("0.02"), f"{where}: overshoot ratio on the edge"
        if ratio >= OVERSHOOT:
            assert not tp.percent, f"{where}: overshoot of a percentage target is left open"
            overshoot = (tn, an)
        met = an >= tn
        rule = weight if met else weight * an / tn
    assert not on_half_cent(rule), f"{where}: rule score on a half-cent boundary"
    return rhu(rule, 2), overshoot


def expect_table(t: Table, p: Placed, sheet: str) -> tuple[dict, list[dict], Decimal]:
    """The table's entry, its findings and its computed total."""
    out: list[dict] = []
    where = f"{sheet}/{t.project or t.department}"

    def add(code: str, cell: tuple | None, expected=None, found=None) -> None:
        out.append(finding(code, sheet, rc(*cell) if cell else None, expected, found))

    keys = [level_key(label) for label, _ in p.levels]
    weights = SCHEMES[t.scheme]
    assert sorted(keys) == sorted(k for k in weights if k != "budget"), (where, keys)
    w_b = Decimal(weights["budget"])
    levels_weight = sum((Decimal(v) for k, v in weights.items() if k != "budget"), Decimal(0))

    f = t.funds
    budget, executed, declared_b = parse(f.budget), parse(f.executed), parse(f.score)
    assert budget.kind == executed.kind == declared_b.kind == "number" and budget.number > 0, where
    assert parse(f.weight).number == w_b, where
    true_rate = executed.number / budget.number
    assert executed.number <= budget.number, f"{where}: 执行数 > 预算数 is not planted in this corpus"
    rate = parse(f.rate)
    assert rate.kind == "number" and rate.percent, f"{where}: a rate is a percentage"
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

    computed = declared_b.number
    indicator_sum = Decimal(0)
    weight_sums: dict[str, Decimal] = {}
    for info in p.rows:
        _, _, name, target, actual, weight, score, reason = info["line"]
        key = level_key(info["level"])
        if (name or "").strip() in ("", "无"):
            assert all(v is None for v in (target, actual, weight, score, reason)), (where, name)
            continue  # unused row
        w, s = parse(weight), parse(score)
        assert w.kind == "number" and s.kind == "number", f"{where}: {name}: weight and score are numbers here"
        weight_sums[key] = weight_sums.get(key, Decimal(0)) + w.number
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

    for label, cell in p.levels:
        key = level_key(label)
        stated = _LABEL_WEIGHT.search(squeeze(label))
        if stated and Decimal(stated.group(1)) != weights[key]:
            add("WEIGHT_MISMATCH", cell, weights[key], jnum(Decimal(stated.group(1))))
        elif weight_sums.get(key, Decimal(0)) != weights[key]:
            add("WEIGHT_MISMATCH", cell, weights[key], jnum(weight_sums.get(key, Decimal(0))))
    assert parse(t.total_weight).number == 100, where

    out += amount_findings(t, p, sheet)

    declared = parse(t.total)
    assert declared.kind == "number", where
    if abs(declared.number - computed) > TOL:
        add("TOTAL_MISMATCH", p.total, jnum(computed), jnum(declared.number))
    computed_grade = grade_of(computed)
    if t.grade is not None and GRADE_WORDS.get(squeeze(t.grade)) != computed_grade:
        add("GRADE_MISMATCH", p.grade, computed_grade, t.grade.strip())

    share = indicator_sum / levels_weight
    verdicts = set()
    for b in {rule_b, declared_b.number}:  # the verdict must not depend on which B a reader takes
        gap, limit = share - b / w_b, GAP_THRESHOLD * share
        assert abs(gap - limit) > TOL, f"{where}: spending gap on the edge of the threshold"
        verdicts.add(gap > limit)
    assert len(verdicts) == 1, f"{where}: spending gap depends on declared vs rule budget score"
    if verdicts.pop():
        add("SPENDING_PERFORMANCE_GAP", p.funds["score"], jnum(rhu(rule_b / w_b, 4), 4), jnum(rhu(share, 4), 4))

    entry = {"sheet": sheet, "kind": t.kind, "title": t.project or "", "declared_total": jnum(declared.number),
             "computed_total": jnum(computed), "declared_grade": t.grade.strip() if t.grade is not None else None,
             "computed_grade": computed_grade}
    check_plant(where, t.plant, out)
    return entry, out, computed


def check_plant(where: str, plant: set, out: list[dict]) -> None:
    """Refuse a table or paragraph whose recomputed findings are not exactly what was planted in it."""
    got = [(f["code"], f["expected"], f["found"]) for f in out]
    assert len(set(got)) == len(got), f"{where}: two findings alike"
    assert set(got) == set(plant), f"{where}: recomputed {sorted(map(str, got))} vs planted {sorted(map(str, plant))}"


# --------------------------------------------------------------------------------------------------
# Paragraphs and the figures they state
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """A total score as stated ('得分为100分', '自评得分97分', '绩效评价得分：98分'), with its stated parts
    ('项目预算执行得分10分，产出指标得分50分，…'). ``untied`` says why no table can be named for it."""

    total: str
    parts: tuple[str, ...] = ()
    untied: str | None = None


@dataclass(frozen=True)
class Grade:
    """A grade claim ('评价等次为优', '等次为良好', '评定为优')."""

    word: str
    untied: str | None = None


@dataclass(frozen=True)
class Sum:
    """An amount with its stated parts ('基本支出501.65万元，…人员支出415.13万元，公用支出86.51万元')."""

    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Share:
    """A share ('占总支出37.11%'): ``part`` / ``whole``, both amounts stated in the same paragraph."""

    pct: str
    part: str
    whole: str


@dataclass(frozen=True)
class Rate:
    """An execution rate ('执行率为72.60%'): of the amounts stated in the paragraph, else of the tied table."""

    pct: str
    executed: str | None = None
    budget: str | None = None
    untied: str | None = None


Claim = Score | Grade | Sum | Share | Rate


@dataclass
class Para:
    text: str
    claims: tuple = ()
    style: str | None = None  # "title", "h1", "h2", "bold", "center", None (body)
    plant: set = field(default_factory=set)  # {(code, expected, found)}
    trap: str | None = None  # a claim a reader must leave alone (precision over recall), said why


@dataclass
class Break:
    """A page break: python-docx writes it as a paragraph of its own (an empty one)."""


Block = Para | Break | Table | Staff


def P(text: str, *claims, plant=frozenset(), trap: str | None = None, style: str | None = None) -> Para:
    return Para(text, tuple(claims), style, set(plant), trap)


def H1(text: str) -> Para:
    return Para(text, style="h1")


def H2(text: str) -> Para:
    return Para(text, style="h2")


def B(text: str) -> Para:
    return Para(text, style="bold")


BLANK = Para("")


def _stated(text: str, number: str, suffix: str = "") -> bool:
    """``number`` (then ``suffix``) appears in ``text`` as a whole figure, spaces allowed before the suffix."""
    pattern = r"(?<![\d.])" + re.escape(number) + r"\s*" + re.escape(suffix) + (r"" if suffix else r"(?![\d.])")
    return re.search(pattern, text) is not None


def pct_value(pct: str) -> Parsed:
    parsed = parse(pct)
    assert parsed.kind == "number" and parsed.percent, pct
    return parsed


def ratio_verdict(stated: Parsed, num: Parsed, den: Parsed, where: str) -> tuple[bool, Decimal]:
    """Whether a stated percentage agrees with num/den (interval of its decimals; refused when the
    amounts' own rounding could change the verdict, or on the edge)."""
    exact = num.number / den.number
    slack = half(stated.places)
    off = abs(stated.number - exact)
    assert abs(off - slack) > Decimal("1e-6"), f"{where}: percentage on the edge of its precision"
    lo = (num.number - half(num.places)) / (den.number + half(den.places))
    hi = (num.number + half(num.places)) / (den.number - half(den.places))
    meets = lambda value: abs(stated.number - value) <= slack  # noqa: E731
    can_meet = stated.number - slack <= hi and stated.number + slack >= lo
    assert meets(exact) == can_meet, f"{where}: verdict depends on the amounts' rounding"
    assert (off <= slack) == (abs(stated.number - rhu(exact, 4)) <= slack), f"{where}: agrees only unrounded"
    return off <= slack, rhu(exact, 4)


# --------------------------------------------------------------------------------------------------
# A report as data, and its expectations
# --------------------------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    imitates: str
    planted: str
    blocks: list
    lo: bool = False  # also saved by LibreOffice as NAME_lo.docx
    doc: bool = False  # also saved by LibreOffice as NAME.doc (expected UNREADABLE_FILE)


def tie(para: Para, tables: list[tuple[Table, str, Decimal]], heading: str = "") -> tuple[Table, str, Decimal] | None:
    """T1: the paragraph names the 项目名称 of exactly one project table; T1b: else its nearest numbered
    sub-heading ('2.数字化建设项目支出情况分析。') names one (a sub-heading naming a project with no table
    here ties nothing); T2: the report has one scoring table; T3: the report has one 部门整体 table and
    the paragraph speaks of no 项目 or 专项 (quoted document titles aside)."""
    projects = [item for item in tables if item[0].project]
    for text in (para.text, heading):
        named = [item for item in projects if item[0].project in text]
        if len(named) == 1:
            return named[0]
        if named or (text is heading and "项目" in heading):
            return None
    if len(tables) == 1:
        return tables[0]
    overall = [item for item in tables if item[0].kind == "overall"]
    if len(overall) == 1 and not re.search(r"项目|专项", re.sub(r"《[^》]*》|“[^”]*”", "", para.text)):
        return overall[0]
    return None


#: The parts a project's conclusion states, in its order: 项目预算执行, 产出, 效益, 满意度.
PART_KEYS = ("budget", "output", "benefit", "satisfaction")


def table_part(t: Table, key: str) -> Decimal | None:
    """A table's budget-execution score as declared, or a first-level block's recomputed sum of scores."""
    if key == "budget":
        return parse(t.funds.score).number
    total, level, seen = Decimal(0), None, False
    for line in t.lines:
        level = line[0] if line[0] is not None else level
        name, score = line[2], line[6]
        if level is not None and level_key(level) == key and (name or "").strip() not in ("", "无") and score is not None:
            total += parse(score).number if isinstance(score, str) else Decimal(str(score))
            seen = True
    return total if seen else None


def expect_paragraph(para: Para, tables: list, where: str, heading: str = "") -> tuple[list[tuple], list[str]]:
    """(code, expected, found) of every stated figure that disagrees, and the claims for the README."""
    out: list[tuple] = []
    notes: list[str] = []
    tied = tie(para, tables, heading)
    text = para.text
    scores = [c for c in para.claims if isinstance(c, Score)]
    for claim in para.claims:
        if isinstance(claim, Score):
            assert _stated(text, claim.total, "分"), (where, claim.total)
            for part in claim.parts:
                assert _stated(text, part, "分"), (where, part)
            total = parse(claim.total).number
            problems = []
            if claim.parts:
                parts_sum = sum(parse(x).number for x in claim.parts)
                if abs(parts_sum - total) > TOL:
                    problems.append(("NARRATIVE_MISMATCH", jnum(parts_sum), jnum(total)))
            if claim.untied != UNNAMED:  # a project's conclusion is tied by its heading when its table is here
                assert (tied is None) == (claim.untied is not None), f"{where}: score {claim.total} tie {tied and tied[1]}"
            if tied is not None:
                table, _, computed = tied
                declared = parse(table.total)  # the table's total as it declares it (else as recomputed)
                reference = declared.number if declared.kind == "number" else computed
                if abs(reference - total) > TOL and ("NARRATIVE_MISMATCH", jnum(reference), jnum(total)) not in problems:
                    problems.append(("NARRATIVE_MISMATCH", jnum(reference), jnum(total)))
                for key, part in zip(PART_KEYS, claim.parts, strict=False):
                    value = table_part(table, key)
                    if value is not None and abs(value - parse(part).number) > TOL:
                        problems.append(("NARRATIVE_MISMATCH", jnum(value), jnum(parse(part).number)))
            out += problems
            notes.append(f"score {claim.total}" + (f" = {' + '.join(claim.parts)}" if claim.parts else "")
                         + (f", tied to {tied[1]}" if tied else f", not tied ({claim.untied})"))
        elif isinstance(claim, Grade):
            assert re.search(re.escape(claim.word) + r"[”\"']?(?:[，。；、）)\s]|$)", text), (where, claim.word)
            assert claim.word in GRADE_WORDS, claim.word
            refs = []
            if len(scores) == 1:
                refs.append(("stated total", parse(scores[0].total).number))
            if tied is not None:
                refs.append((f"{tied[1]}", tied[2]))
            assert bool(refs) == (claim.untied is None), f"{where}: grade {claim.word} refs {refs}"
            grades = {grade_of(value) for _, value in refs}
            assert len(grades) <= 1, f"{where}: grade reference ambiguous"
            if grades:
                want = grades.pop()
                if GRADE_WORDS[claim.word] != want:
                    out.append(("NARRATIVE_MISMATCH", want, claim.word))
            notes.append(f"grade {claim.word}" + (f" vs {' / '.join(r for r, _ in refs)}" if refs
                                                  else f", not checked ({claim.untied})"))
        elif isinstance(claim, Sum):
            total = parse(claim.total)
            parts = [parse(x) for x in claim.parts]
            for value in (claim.total, *claim.parts):  # '30万' without 元 occurs (seed 001)
                assert _stated(text, value, "万元") or _stated(text, value, "万"), (where, value)
            assert len(parts) >= 2, f"{where}: a single part is no breakdown"
            if not adds_up(total, parts, where):
                out.append(("NARRATIVE_MISMATCH", jnum(sum(x.number for x in parts)), jnum(total.number)))
            notes.append(f"amount {claim.total} = {' + '.join(claim.parts)}")
        elif isinstance(claim, Share):
            for value in (claim.part, claim.whole):
                assert _stated(text, value, "万元"), (where, value)
            assert _stated(text, claim.pct[:-1], "%"), (where, claim.pct)
            stated = pct_value(claim.pct)
            ok, expected = ratio_verdict(stated, parse(claim.part), parse(claim.whole), where)
            if not ok:
                out.append(("NARRATIVE_MISMATCH", jnum(expected, 4), jnum(stated.number, 4)))
            notes.append(f"share {claim.pct} = {claim.part} / {claim.whole}")
        elif isinstance(claim, Rate):
            assert _stated(text, claim.pct[:-1], "%"), (where, claim.pct)
            stated = pct_value(claim.pct)
            refs = []
            if claim.executed is not None:
                assert _stated(text, claim.executed, "万元") and _stated(text, claim.budget, "万元"), where
                refs.append(("stated amounts", parse(claim.executed), parse(claim.budget)))
            if tied is not None:
                refs.append((tied[1], parse(tied[0].funds.executed), parse(tied[0].funds.budget)))
            assert bool(refs) == (claim.untied is None), f"{where}: rate {claim.pct} refs"
            verdicts = {ratio_verdict(stated, num, den, where) for _, num, den in refs}
            assert len(verdicts) <= 1, f"{where}: rate references disagree"
            if verdicts:
                ok, expected = verdicts.pop()
                if not ok:
                    out.append(("NARRATIVE_MISMATCH", jnum(expected, 4), jnum(stated.number, 4)))
            notes.append(f"rate {claim.pct} vs {' / '.join(r for r, _, _ in refs) or 'nothing'}")
    check_plant(where, para.plant, [finding(c, None, None, e, f) for c, e, f in out])
    return out, notes


def trap_check(para: Para, tables: list, where: str, heading: str = "") -> None:
    """Neutrality: an untied total or grade that a looser tie (to the report's only 部门整体 table) would
    flag must be marked as a trap; every other untied claim agrees with that table."""
    overall = [item for item in tables if item[0].kind == "overall"]
    if len(overall) != 1 or tie(para, tables, heading) is not None:
        return
    _, _, computed = overall[0]
    disagrees = False
    for claim in para.claims:
        if isinstance(claim, Score) and abs(parse(claim.total).number - computed) > TOL:
            disagrees = True
        if isinstance(claim, Grade) and GRADE_WORDS[claim.word] != grade_of(computed):
            disagrees = True
    assert disagrees == (para.trap is not None), f"{where}: trap marking ({para.trap!r}) vs disagreement {disagrees}"


def table_blocks(case: Case) -> list:
    """(block, 表N) of every table in document order (scoring or not)."""
    out, n = [], 0
    for block in case.blocks:
        if isinstance(block, (Table, Staff)):
            n += 1
            out.append((block, f"表{n}"))
    return out


def expect_case(case: Case, paragraph_numbers: dict[int, int] | None = None) -> dict:
    """Expectations of a report. ``paragraph_numbers`` maps the index of a claim paragraph in
    ``case.blocks`` to its P number in a saved file (None while dry-running: the build order)."""
    tables, entries, findings = [], [], []
    for block, sheet in table_blocks(case):
        if isinstance(block, Table):
            _, placed = write_table(block)
            entry, found, computed = expect_table(block, placed, sheet)
            tables.append((block, sheet, computed))
            entries.append(entry)
            findings += found
    notes = []
    built = paragraph_order(case)
    heading = ""  # the nearest numbered sub-heading under the current chapter
    for index, block in enumerate(case.blocks):
        if isinstance(block, Para) and block.style == "h1":
            heading = ""
        elif isinstance(block, Para) and block.style == "bold" and re.match(r"\d+[.．、](?!\d)", block.text):
            heading = block.text
        if not isinstance(block, Para) or not block.claims:
            continue
        where = f"{case.name} «{block.text[:24]}…»"
        out, said = expect_paragraph(block, tables, where, heading)
        trap_check(block, tables, where, heading)
        number = (paragraph_numbers or {}).get(index, built[index])
        for code, expected, found in out:
            findings.append(finding(code, "正文", f"P{number}", expected, found))
        notes.append((number, block, said, out))
    schemes = {t.scheme for t, _, _ in tables}
    assert len(schemes) <= 1, f"{case.name}: tables of one report share their scheme"
    if not tables:  # a report alone with no scoring table: only its text was checked (issue 16)
        findings.append(finding("SCORING_TABLE_MISSING", None, None))
    findings.sort(key=lambda f: (f["sheet"] or "", f["code"], f["cell"] or ""))
    return {"layout": "word-report", "format": "docx", "scheme": schemes.pop() if schemes else None,
            "tables": entries, "findings": findings, "_notes": notes}


def paragraph_order(case: Case) -> dict[int, int]:
    """Block index → P number as python-docx writes the report (every Para and Break is one paragraph;
    tables are no paragraphs)."""
    out, n = {}, 0
    for index, block in enumerate(case.blocks):
        if isinstance(block, (Para, Break)):
            n += 1
            out[index] = n
    return out


# --------------------------------------------------------------------------------------------------
# The reports (text from shared/seeds)
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


# Seed 003 (芦淞区委宣传部 2024, standard): 附件3 exactly as published, 97 with the cost row at 17.
SEED_003: list[Line] = [
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
    ("成本指标（20分）", "经济成本指标", "整体支出", "476.74万元", "642.01万元", 20, 17, "因资金紧张部分款项夸年度支付。"),
    (None, "社会成本指标", "无", None, None, None, None, None),
    (None, "生态环境成本指标", "无", None, None, None, None, None),
]
SEED_003_FUNDS = Funds("476.74", "642.01", "642.01", "10", "100%", "10")
SEED_003_BREAKDOWN = [
    ("按收入性质分：642.01", "按支出性质分：642.01"),
    ("  其中：  一般公共预算：598.25", "其中：基本支出：260.65"),
    ("政府性基金拨款：16", "项目支出：381.36"),
    ("纳入专户管理的非税收入拨款：", ""),
    ("其他资金：27.76", ""),
]
SEED_003_GOALS = (
    "通过多样化的宣传手段，及时准确地传达芦淞区的新情况、新成绩、新经验和新典型，提升宣传质量，打造有特色的宣传品牌，"
    "展现芦淞形象，利用品牌效应，提升芦淞区整体经济，为芦淞区的发展营造良好的舆论氛围。",
    "围绕信息传播、品牌建设等目标积极行动，高质量完成各类任务，及时发布准确信息，有效提升了芦淞区的整体形象，"
    "通过丰富的宣传活动，引导了正确舆论方向，总体目标完成出色，为芦淞区发展营造了良好氛围。")
RULE_COST = ("SCORE_RULE_MISMATCH", 14.85, 17)  # 476.74 / 642.01 × 20 = 14.8515 → 14.85; typed 17
COST_BY_RULE = "整体支出超出年初预算，按年初预算数/实际支出计分；部分款项跨年度支付，下一年度加强预算统筹。"
# Re-scored by the rule (94.85), and a year with fewer events (95: every score by the rule).
LUSONG_RULE = change(SEED_003, "整体支出", score=14.85, reason=COST_BY_RULE)
LUSONG_95 = change(change(change(change(
    SEED_003, "整体支出", target="≤642.01万元", actual="642.01万元", score=20, reason=None),
    "《强国复兴有我》巡回宣讲", actual="3场", score=3, reason="受汛期影响2场宣讲顺延至次年，下一年度提前安排。"),
    "文化惠民活动", actual="60场", score=3, reason="受天气影响部分场次取消，下一年度加强统筹。"),
    "公众满意度", target="≥95%", actual="85.5%", score=9, reason="群众对部分活动知晓率不高，下一年度加强宣传。")
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
BRAND_97: list[Line] = [
    ("产出指标（40分）", "数量指标", "市级以上媒体发稿", "≥2800篇", "3000篇", 10, 10, None),
    (None, None, "区级融媒平台发稿", "≥2000条", "1400条", 10, 7, "融媒平台改版停更两个月，下一年度均衡发稿。"),
    (None, "质量指标", "稿件审核合格率", "=100%", "100%", 10, 10, None),
    (None, "时效指标", "重大活动宣传", "及时", "及时", 10, 10, None),
    ("效益指标（20分）", "经济效益指标", "文旅融合发展", "促进", "促进", 10, 10, None),
    (None, "社会效益指标", "芦淞区对外形象", "提升", "提升", 10, 10, None),
    ("满意度指标（10分）", "服务对象满意度指标", "群众满意度", "≥90%", "96%", 10, 10, None),
    ("成本指标（20分）", "经济成本指标", "项目支出", "≤90万元", "90万元", 20, 20, None),
]

# Seed 004 (峨边融媒体中心 2024, classic 10/50/30/10): overall 98, three projects at 100.
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
EBIAN_OVERALL_FUNDS = Funds("426.45", "426.45", "426.45", "10", "100%", "10")
EBIAN_OVERALL_BREAKDOWN = [("一般公共预算", "426.45", "426.45", "426.45"), ("基本支出", "361.25", "361.25", "361.25"),
                           ("项目支出", "65.20", "65.20", "65.20")]
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
EBIAN_ONLINE_96 = change(change(change(
    EBIAN_ONLINE, "发布图文信息", actual="6300条", score=13.5, reason="公众号改版暂停推送一个月，已恢复日更。"),
    "发布视频信息", actual="720条", score=8, reason="视频拍摄人员不足，下一年度增加外包拍摄。"),
    "用户满意度", actual="90.25%", score=9.5, reason="部分用户反映推送时段不固定，已调整发布时间。")
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

# Seed 002 (荔湾区委宣传部 2022, standard): 2659.40 / 3663.27 = 72.60 % → 7.26, every indicator full.
LIWAN_FULL: list[Line] = [
    ("产出指标（40分）", "数量指标", "舆情日报数量", "≥400期", "432期", 10, 10, None),
    (None, None, "正面新闻报道量", "≥10000篇", "11093篇", 10, 10, None),
    (None, None, "“学习强国”全国平台刊发量", "≥100篇", "103篇", 5, 5, None),
    (None, "质量指标", "党报党刊征订覆盖率", "=100%", "100%", 10, 10, None),
    (None, "时效指标", "任务按期完成", "按期完成", "按期完成", 5, 5, None),
    ("效益指标（20分）", "社会效益指标", "重大主题社会宣传覆盖面", "≥80%", "85%", 10, 10, None),
    (None, "可持续影响指标", "宣传阵地建设", "持续加强", "持续加强", 10, 10, None),
    ("满意度指标（10分）", "服务对象满意度指标", "市民对文明城市建设满意度", "≥85%", "90%", 10, 10, None),
    ("成本指标（20分）", "经济成本指标", "项目支出成本", "≤1600万元", "1461.15万元", 20, 20, None),
]
LIWAN_FUNDS = Funds("3402.15", "3663.27", "2659.40", "10", "72.60%", "7.26")
LIWAN_BREAKDOWN = [("一般公共预算", "3102.15", "3263.27", "2269.81"), ("政府性基金拨款", "300.00", "400.00", "389.59"),
                   ("基本支出", "1250.00", "1250.00", "1198.25"), ("项目支出", "2152.15", "2413.27", "1461.15")]
LIWAN_GOALS = ("开展一系列正面宣传，全方位做好我区“三大平台”建设、“老城市新活力”示范区建设、重点项目建设和疫情防控宣传报道。",
               "全年完成各项宣传任务；部分项目受疫情影响延期，资金未能全部支出。")
GAP_LIWAN = ("SPENDING_PERFORMANCE_GAP", 0.726, 1)  # (1 − 0.726) / 1 = 27 % > 5 %

# Seed 000 (金口河区委宣传部 2024, standard): 1351.68 = 基本 501.65 + 项目 850.03; 501.65 vs 415.13 + 86.51.
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
JINKOUHE_FUNDS = Funds("1351.68", "1351.68", "1351.68", "10", "100%", "10")
JINKOUHE_BREAKDOWN = [("一般公共预算", "1351.68", "1351.68", "1351.68"), ("基本支出", "501.65", "501.65", "501.65"),
                      ("其中：人员经费", "415.13", "415.13", "415.13"), ("公用经费", "86.51", "86.51", "86.51"),
                      ("项目支出", "850.03", "850.03", "850.03")]
JINKOUHE_GOALS = ("扎实开展理论学习和宣传，加强意识形态和网络舆情管理，推进文化惠民和精神文明建设。",
                  "区委理论学习中心组学习20次，放映农村公益电影492场，编发舆情月报12期，各项任务全面完成。")

# Seed 001 (岳阳楼区委宣传部 2020, standard): a poor year, 85 (良), every score by the rule.
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
YUEYANG_FUNDS = Funds("1106.2", "1184.36", "1184.36", "10", "100%", "10")
YUEYANG_BREAKDOWN = [("按收入性质分：1184.36", "按支出性质分：1184.36"),
                     ("其中：一般公共预算：1184.36", "其中：基本支出：311.68"),
                     ("政府性基金拨款：", "其中：人员经费：284.95"),
                     ("其他资金：", "公用经费：26.73"),
                     ("", "项目支出：872.68")]
YUEYANG_STAFF = Staff([("四、评价人员",), ("姓  名", "职务/职称", "单  位", "签  字"),
                       ("李崇民", "常务副部长", "宣传部", ""), ("钟广宇", "副部长", "宣传部", ""),
                       ("周  伟", "办公室主任", "宣传部", "")])
EBIAN_STAFF = Staff([("评价工作组成员",), ("姓  名", "职务", "工作单位", "签  字"),
                     ("吴映辉", "副主任", "县融媒体中心", ""), ("李剑", "编辑", "县融媒体中心", ""),
                     ("肖良海", "会计", "县融媒体中心", "")])


def lusong_table(lines=SEED_003, plant=frozenset(), **kw) -> Table:
    kw.setdefault("dept_label", "市级预算部门（单位）名称")
    kw.setdefault("funds_label", "年度预\n算申请\n（万元）")
    kw.setdefault("total", "97")
    return Table(LUSONG, 2024, lines, SEED_003_FUNDS, plant=set(plant), breakdown=SEED_003_BREAKDOWN,
                 goals=SEED_003_GOALS, **kw)


def lusong_project(name: str, lines: list[Line], initial: str, amount: str, total: str, **kw) -> Table:
    return Table(LUSONG, 2024, lines, Funds(initial, amount, amount, "10", "100%", "10"), total, project=name,
                 breakdown=[("当年财政拨款", initial, amount, amount), ("上年结转资金", "0", "0", "0")], **kw)


def ebian_overall(**kw) -> Table:
    kw.setdefault("total", "98")
    kw.setdefault("grade", "优")
    return Table(EBIAN, 2024, EBIAN_OVERALL, EBIAN_OVERALL_FUNDS, breakdown=EBIAN_OVERALL_BREAKDOWN,
                 goals=EBIAN_GOALS, **kw)


def ebian_project(name: str, lines: list[Line], amount: str, total: str = "100", **kw) -> Table:
    return Table(EBIAN, 2024, lines, Funds(amount, amount, amount, "10", "100%", "10"), total, project=name,
                 breakdown=[("当年财政拨款", amount, amount, amount), ("上年结转资金", "0", "0", "0"),
                            ("其他资金", "0", "0", "0")], breakdown_dashes=True, **kw)


# ---- Seed 003 (芦淞) --------------------------------------------------------------------------------

LUSONG_INTRO = [
    P("2024年度中国共产党株洲市芦淞区委员会宣传部整体支出绩效自评报告", style="title"),
    H1("一、部门（单位）基本情况"),
    B("（一）基本职能"),
    P("1.贯彻执行党的宣传思想工作方针、政策；根据中宣部和省委宣传部、市委宣传部、区委的安排部署，负责制定全区宣传思想工作计划，"
      "并落实到位。2.负责全区干部理论教育。3.负责引导新闻舆论，把握舆论导向和宣传基调；协调新闻部门的工作。4.研究、提出全区"
      "对外宣传发展计划。5.组织协调全区网上宣传工作。6.负责规划、部署、组织、协调全区性思想政治工作。7.宏观指导全区群众性的"
      "精神文明建设活动。8.承办区委交办的其他工作任务。"),
    B("（二）内设机构"),
    P("中国共产党株洲市芦淞区委员会宣传部内设机构包括：文明办、办公室、意识形态股、网信办。所属事业单位1个，即区融媒体中心"
      "（非独立核算）。"),
    B("（三）人员情况"),
    P("截止2024年12月，共有人员18人，其中在职职工14人，聘用人员4人。"),
    H1("二、一般公共预算支出情况"),
    B("（一）基本支出情况"),
    P("1.2024年预算资金198.34万元。"),
    P("2.2024年度单位一般公共预算财政拨款收入598.25万元。"),
    P("3.2024年度单位一般公共预算财政拨款支出598.25万元其中：项目支出337.6万元，基本支出260.65万元，其中：人员经费229.62万元，"
      "公用经费31.03万元。",
      Sum("598.25", ("337.6", "260.65")), Sum("260.65", ("229.62", "31.03"))),
    B("（二）项目支出情况"),
    P("1.意识形态项目支出337.6万元。"),
    H1("三、政府性基金预算支出情况"),
    P("2024年度政府性基金预算财政拨款收入16万元，年初结转和结余0万元，支出16万元，其中基本支出0万元，项目支出16万元，"
      "年末结转和结余0万元。"),
    H1("四、国有资本经营预算支出情况"),
    P("2024年度国有资本经营预算财政拨款收入27.76万元，年初结转和结余0万元，支出27.76万元，其中基本支出0万元，项目支出27.76万元，"
      "年末结转和结余0万元。"),
    H1("五、社会保险基金预算支出情况"),
    P("无。"),
    H1("六、资金使用及绩效情况（包含单位管理的公共专项）"),
    B("（一）整体支出绩效情况"),
    P("中国共产党株洲市芦淞区委员会宣传部的基本支出主要为用于保障机构正常运转、完成日常工作而发生的支出，包括人员经费和公用经费等。"
      "2024年基本支出合计260.65万元。其中："),
    P("1.工资福利支出229.62万元。工资福利支出指基本工资、津贴补贴、奖金、机关事业单位基本养老保险缴费、职工基本医疗保险缴费、"
      "其他社会保障缴费、住房公积金、医疗费。"),
    P("2.商品和服务支出31.03万元。商品和服务支出为芦淞区委员会宣传部行政运行的办公费、邮电费、差旅费、委托业务费、工会经费、"
      "其他交通费、其他商品和服务等。"),
    P("3.芦淞区委员会宣传部2024年度“三公”经费财政拨款支出0.6万元，主要是公务接待0.6万元。"),
    P("4.2024年项目工作经费共支出337.6万元，支出绩效情况如下：区委常委会会议安排“第一议题”学习 23 次，开展区委理论学习中心组学习"
      " 12 次。组建学习贯彻党的二十届三中全会精神区委宣讲团，开展专题宣讲 50 余场。今年以来，区级融媒平台累计发稿2200 余条，"
      "较去年增长25%。积极与中央和省级媒体联系对接，多平台推介芦淞良好形象，在市级媒体以上共发稿3000余篇次。推动全区 81个新时代"
      "文明实践所站实现四有标准，形成“校社联动、居民参与、文明共建”的良好氛围。举办“迎七一、颂党恩”“幸福邻里时尚芦淞”第二届"
      "群众文化艺术节、送戏曲进乡村等文化惠民活动 100 余场。"),
    P("经反馈，芦淞区社会各界对芦淞区委员会宣传部履职情况满意占96%，基本满意占4%，不满意占0%。"),
]
LUSONG_PROJECTS_TEXT = [
    B("（二）项目支出绩效情况"),
    P("1.年初预算项目“意识形态”专项经费金额188万元，品牌宣传推介经费90万元，老电影放映员补助0.4万元，年中执行调增59.2万元，"
      "实际支出337.6万元，结余结转0万元。项目实施及绩效情况如下："),
    P("项目支出337.6万元，主要用于区委常委会会议安排“第一议题”学习 23 次，开展区委理论学习中心组学习 12 次。开展意识形态领域"
      "专项检查3轮，反馈问题122个，完成整改100个，其余正加快整改。强力净化文化市场环境，加强“扫黄打非”力度，开展集中整治行动"
      " 5 次，检查出版物经营单位 50 余家。"),
]
LUSONG_CLOSING = [
    H1("七、存在的问题及原因分析"),
    P("由于编制年度预算时考虑不周全，对部分绩效目标及指标设定不完全符合实际，加上年度预算执行过程中一些情况的变化，"
      "导致年度预算执行中有些调整。"),
    H1("八、下一步改进措施"),
    P("财务主管领导高度重视预算绩效管理工作，指导财务人员以预算绩效管理为主线，合理安排预算资金，规范预算编制，并督促严格执行预算。"),
    H1("九、部门整体支出绩效自评结果拟应用和公开情况"),
]
LUSONG_PUBLIC = P("本单位没有独立网站，因此只在芦淞区政府信息公开专栏中公开。")


def lusong_report(conclusion: list, annex: list) -> list:
    return [*LUSONG_INTRO, *LUSONG_PROJECTS_TEXT, *LUSONG_CLOSING, *conclusion, LUSONG_PUBLIC, Break(), *annex]


def lusong_annex3(table: Table) -> list:
    return [P("附件3"), P("2024年度部门（单位）整体支出绩效自评表", style="center"), table]


# ---- Seed 004 (峨边) --------------------------------------------------------------------------------

EBIAN_HEAD = [
    P("峨边彝族自治县融媒体中心2024年度部门整体绩效自评报告", style="title"),
    H1("一、部门基本情况"),
    B("（一）机构组成。"),
    P("融媒体预算单位1个，其中：行政单位0个，事业单位1个"),
    B("（二）机构职能和人员概况。"),
    P("1.贯彻落实党的理论、路线和各项宣传方针政策，把握新闻宣传基调，坚持正面宣传、团结鼓劲，为全县经济社会发展提供舆论支持；"
      "围绕县委、县政府中心工作，积极开展新闻网络内外宣传，落实全县新闻报道计划，完成上级下达的各项内外宣传和创优任务。"),
    P("2.负责全县新闻业务管理和对外通联工作，抓好全县新闻网络宣传阵地和人才队伍建设。"),
    P("3.峨边彝族自治县融媒体中心总编制19名，其中：行政编制0名，工勤编制1名，事业编制18名。在职人员总数17名，其中：行政0名，"
      "工勤1名，事业16名。离休0名。"),
    B("（三）年度主要工作任务"),
    P("（五）特色亮点及工作成效。紧紧围绕全县中心工作，畅通乡镇、部门信息互通机制，常态化召开编委会20余次，落实平台责任人负责制，"
      "严格执行“三审三校”制度，采取“人工+智能”方式，加强信息巡查监测，全年内宣发布图文信息7798条，视频信息987条。中省市级主流"
      "媒体采用1246条，其中，国家级166条、省级476条、市级603条，同比增加198条。"),
    P("（四）舆情、信访、安全播出情况。健全舆情应急机制，完善应急工作体系，共监测舆情信息70838条，预警1362条，转发48条，推送42条。"
      "安全播出方面，全年对消防设备、安全播出等检查64次，成功处理节目编排操作等技术故障7次，确保了融媒体平台的稳定运行。"),
    B("（四）部门整体支出绩效目标。"),
    P("我单位实行预算管理制度，根据财政局每年下发文件进行相应的预算管理编制和提交。严格预算执行，及时向财政局反映本部门预算执行情况，"
      "依法纠正违反预算的行为。执行预算绩效管理，编制整体支出和项目支出绩效申报，使单位预算管理的最大效用，实现预算管理的目标与效果。"),
    H1("二、部门财政资金收支情况"),
    B("（一）部门财政资金收入情况。"),
    P("本单位2024年财政拨款预算收入426.45万元，其中上级资金  0万元，县级资金426.45万元。", Sum("426.45", ("0", "426.45"))),
    B("（二）部门财政资金支出情况。"),
    P("本单位2024年财政拨款支出426.45万元，其中基本支出361.25万元，项目支出65.20万元，其中项目3个，具体支出为：数字化建设项目5.8万元、"
      "推广服务费及保障安全播出经费项目24.4万元、峨边在线项目35万元。",
      Sum("426.45", ("361.25", "65.20")), Sum("65.20", ("5.8", "24.4", "35"))),
    B("（三）部门财政资金结转结余情况。"),
    P("本单位2024年财政资金结转0万元，结余资金0万元。"),
    H1("三、部门整体绩效管理情况"),
    B("（一）部门整体履职绩效分析。"),
    P("本单位按照财政要求结合单位实际制定了切实可行的部门绩效目标，绩效目标是建设项目库、编制部门预算、实施绩效监控、开展绩效评价的"
      "重要基础和依据。年初在制定预算时针对本年度工作开展实际需要以及结合上年度资金使用情况进行了动态调整，使资金充分发挥有效作用"
      "更好地为各项工作服务，使预算工作有序、圆满完成，无违规现象。"),
    B("（二）特定目标类项目绩效分析。"),
    P("2024年我单位结合业务工作需要制定了特定目标类项目年初预算，各项目按照计划有序实施，项目实际完成任务量和效果达到规划预期情况。"
      "2024年本单位无100万以上项目。"),
    B("（三）部门预算项目支出情况分析。"),
]
PROJECT_PARTS = ("10", "50", "30", "10")
SEED_CONCLUSION = ("（5）评价结论及建议。①评价结论。项目预算执行得分10分，产出指标得分50分，效益指标得分30分，满意度得分10分，"
                   "部门整体支出绩效得分为100分，整体效果良好。②存在的问题。无。③相关建议。无。")
UNNAMED = "a project's parts, its project not named in the paragraph"
UNNAMED_TRAP = ("seed 004's project conclusion says 部门整体支出绩效得分为100分 (a project's score): "
                "not the 部门整体 table's 98")


def seed_conclusion(parts=PROJECT_PARTS, total="100", plant=frozenset()) -> Para:
    text = (f"（5）评价结论及建议。①评价结论。项目预算执行得分{parts[0]}分，产出指标得分{parts[1]}分，效益指标得分{parts[2]}分，"
            f"满意度得分{parts[3]}分，部门整体支出绩效得分为{total}分，整体效果良好。②存在的问题。无。③相关建议。无。")
    return P(text, Score(total, tuple(parts), untied=UNNAMED), plant=plant, trap=UNNAMED_TRAP)


def ebian_project_text(number: str, name: str, amount: str, purpose: str, conclusion: Para) -> list:
    return [
        B(f"{number}.{name}项目支出情况分析。"),
        P(f"（1）项目概况。①项目基本情况。我单位相关业务股室作为该项目实施的责任人，办公室及中心组为该项目的监督责任人。{purpose}"
          "绩效目标和指标设置按我中心业务发展需求设置，设置量化可考核，与实际支出数匹配，符合项目实质。"),
        P(f"（2）项目资金申报及使用情况。截至评价时点，该项目预算为{amount}万元，我单位按时按实向财政申请到位{amount}万元，"
          f"按实支出{amount}万元，支付范围、支付标准、支付进度、支付依据等均合规合法、与预算相符。"),
        P(f"（3）项目实施及管理情况。①项目组织架构及实施流程。该项目为{name}项目，主要领导审定的方式实施。②项目管理情况。"
          "结合该项目特点，按照据实据效的方式开展，严格执行预算法、财政资金支付有关规定。"),
        P(f"（4）项目绩效情况。①项目完成情况。2024年按月按时据实支出{amount}万元，完成100%。项目实施进度计划及资金拨付均据实据效实施。"
          "②项目效益情况。项目实施提高峨边在线运营质量，保障信息共享，促进社会和谐，满意度达100%。"),
        conclusion,
    ]


ONLINE_PURPOSE = "由中心委托上级主流媒体对峨边彝族自治县官方微信公众号平台进行整体管理、运营，所需资金由县财政承担。"
DIGITAL_PURPOSE = ("提供网络专线1个固定公网IP；200M网络专线宽带专用链路；10T云资源；APP云主机3台；数据库；WEB服务；"
                   "文件服务；CDN加速，所需资金由县财政承担。")
BROADCAST_PURPOSE = "推广服务及保障安全播出项目，是为保障我中心综合频道和综合广播安全播出，所需资金由县财政承担。"


def ebian_report(online: Para, digital: Para, broadcast: Para, annex: list, staff: bool = False) -> list:
    blocks = [
        *EBIAN_HEAD,
        *ebian_project_text("1", "峨边在线", "35", ONLINE_PURPOSE, online),
        *ebian_project_text("2", "数字化建设", "5.8", DIGITAL_PURPOSE, digital),
        *ebian_project_text("3", "推广服务及保障安全播出", "24.4", BROADCAST_PURPOSE, broadcast),
        B("（四）结果应用情况。"),
        P("本单位按照严格、真实的原则对本部门整体支出绩效情况进行自评，对取得的成效和存在的问题进行仔细分析并提出下一步整改方案，"
          "同时按照财政要求在规定的时间点在规定的网站对绩效目标和自评进行公开。"),
        H1("四、评价结论及建议"),
        B("（一）评价结论。"),
        P("为强化绩效评价结果运用，按照乐山市财政局《关于开展2024年度部门整体、项目支出预算绩效自评的通知》文件精神，县融媒体中心"
          "认真组织开展了部门整体支出绩效评价工作，绩效评价得分：98分。", Score("98")),
        B("（二）存在问题。"),
        P("预算不够细化、精准。"),
        B("（三）改进建议。"),
        P("1.认真做好预算的编制，细化预算编制工作，优先保障民生费用支出项目。"),
        P("2.加强财务管理，严格财务审批，完善内控制度建设，提高资金使用效能。"),
    ]
    if staff:
        blocks += [P("本次自评由中心成立评价工作组组织实施，成员如下："), EBIAN_STAFF, BLANK]
    return blocks + annex


def ebian_annex(digital: Table, online: Table | None = None) -> list:
    return [
        Break(),
        P("附件1"), P("部门整体支出绩效自评表", style="center"), ebian_overall(side=False, title_row=True), BLANK,
        P("附件2"), P("项目支出绩效自评表（峨边在线）", style="center"),
        online or ebian_project("峨边在线", EBIAN_ONLINE, "35", side=False), BLANK,
        P("附件3"), P("项目支出绩效自评表（数字化建设）", style="center"), digital, BLANK,
        P("附件4"), P("项目支出绩效自评表（推广服务及保障安全播出）", style="center"),
        ebian_project("推广服务及保障安全播出", BROADCAST, "24.4", side=False),
    ]


# ---- Seed 000 (金口河) ------------------------------------------------------------------------------

JINKOUHE_HEAD = [
    P("附件 1"),
    BLANK,
    P("乐山市金口河区委宣传部2024年度部门整体支出绩效自评报告", style="title"),
    H1("一、部门基本情况"),
    B("(一) 机构组成。"),
    P("中共乐山市金口河区委宣传部属独立核算的一级预算单位，执行行政单位会计制度，内设办公室、理论科、新闻科等 3 个科室。"),
    B("(二) 机构职能和人员概况。"),
    P("(1) 负责组织、引导全区的理论研究、理论学习和理论宣传工作。"),
    P("(2) 负责引导社会舆论，指导、协调全区新闻宣传工作，对区广电宣传中心的工作实施政治方向、方针、政策的指导。"),
    P("(3) 负责全区对外宣传工作的总体规划，组织协调，指导和管理全区的外宣工作。"),
    B("(三) 年度主要工作任务。"),
    P("1、高扬思想旗帜，理论武装入脑入心。"),
    P("紧紧围绕习近平新时代中国特色社会主义思想，扎实开展区委理论学习中心组学习 20 次，其中，集体学习研讨 11 次，举办读书班 3 次，"
      "专题辅导 6 次，走出去学 1 次。围绕党的方针政策和会议精神、民族团结、文明新风、法律宣传等开展宣讲 300 余场，覆盖群众 1.8 万余"
      "人次，让党的创新理论入脑入心。"),
    P("2、强抓阵地管理，安全屏障筑实筑牢。"),
    P("开展扫黄打非各项执法检查 12 次，出动执法人员 70 人次，检查打字复印店、文具店、快递站等 49 家，完成简报 12 期，维护文化市场安全。"
      "做好农村公益电影放映工作，全年完成 492 场放映任务。上报舆情信息被市委宣传部采用 703 条，被中宣部采用 127 条，全区在线服务平台"
      "政务服务事项全程网办达到 100%，即办率达 96.15%。"),
    P("4、厚植精神沃土，文明实践激发动力。"),
    P("积极推荐申报“乐山好人”“四川好人”，小凉山拉吉时不工作室被授予四川省“学雷锋先进集体”称号。投入资金 10 余万元对全区 35 个"
      "所站进行提档升级，全年各新时代文明实践阵地累计开展活动 1000 余场次。"),
    B("（四）部门整体支出绩效目标。"),
    H1("二、部门财政资金收支情况"),
    B("（一）部门财政资金收入情况。"),
    P("本年收入总额 1351.68 万元，其中财政拨款收入为 1351.68 万元，占本年收入总额为 100%。",
      Share("100%", "1351.68", "1351.68")),
]
JINKOUHE_SPENDING = ("本年支出总额 1351.68 万元，其中基本支出 501.65 万元，占总支出 {share}%，基本支出中人员支出 415.13 万元，"
                     "公用支出 86.51 万元；项目支出 850.03 万元，占总支出 62.89%。")


def jinkouhe_spending(share: str = "37.11", plant=frozenset()) -> Para:
    return P(JINKOUHE_SPENDING.format(share=share),
             Sum("1351.68", ("501.65", "850.03")), Sum("501.65", ("415.13", "86.51")),
             Share(f"{share}%", "501.65", "1351.68"), Share("62.89%", "850.03", "1351.68"), plant=plant)


JINKOUHE_MIDDLE = [
    B("（四）部门财政资金结转结余情况。"),
    P("年末结转 0.92 万元，全部为自有资金结余。"),
    H1("三、部门整体绩效管理情况（根据自评体系进行描述）"),
    B("（一）部门整体履职绩效分析。"),
    P("围绕部门整体绩效目标完成情况和部门履职情况进行绩效分析。宣传部部门目标围绕全区宣传重点工作，按照区委、区政府目标制定，"
      "预算编制准确、支出在八项规定下严格控制，杜绝浪费，在区财政局财评中心和我部监督职能的控制下更好的完成了项目的目标。"),
    B("（二）特定目标类项目绩效分析。"),
    P("项目绩效目标根据年度工作进行制定、在年末时更按照年初制定目标实现、按照财政支出进度和比例进行支付，完成预算安排情况，"
      "年度预算内资金无结余，本年度未发生违规违纪等情况。"),
    P("2. 50 万以上项目："),
    P("项目 1：无"),
    B("(三) 结果应用情况。"),
    P("宣传部绩效自评公开、评价结果整改和应用结果反馈等情况良好。"),
    H1("四、评价结论及建议"),
    B("(一) 评价结论。"),
]
JINKOUHE_TAIL = [
    B("(二) 存在问题。"),
    P("无"),
    B("(三) 改进建议。"),
    P("无"),
]


def jinkouhe_report(spending: Para, conclusion: list, extra: list = (), annex: list = ()) -> list:
    return [*JINKOUHE_HEAD, B("（三）部门财政资金支出情况。"), spending, *extra, *JINKOUHE_MIDDLE, *conclusion,
            *JINKOUHE_TAIL, *annex]


# ---- Seed 002 (荔湾) --------------------------------------------------------------------------------

def liwan_report(rate_paragraph: Para) -> list:
    return [
        P("中国共产党广州市荔湾区委员会宣传部 2022年部门整体支出绩效自评报告", style="title"),
        H1("一、基本情况"),
        H2("（一）部门概况"),
        P("根据相关规定，荔文【2019】14号文件属于密件，内含我部主要职责，根据保密工作规定，内容不宜信息公开。"),
        P("本部门行政单位1个，下属事业公益一类单位1个。下属单位具体包括：广州市荔湾区融媒体中心。"),
        H2("（二）部门整体收支情况"),
        P("全年预算数3663.27万元，执行数2659.40万元，完成预算的72.60%。"),
        P("按资金来源分，一般公共预算财政拨款支出2269.81万元，政府性基金预算财政拨款支出389.59万元，国有资本经营预算财政拨款支出0万元，"
          "其他资金支出0万元。按支出性质看，基本支出1198.25万元，项目支出1461.15万元。年末结转和结余80.67万元。"),
        H2("（三）部门整体支出绩效目标"),
        P("预期目标一：开展一系列正面宣传，全方位做好我区“三大平台”建设、“老城市新活力”示范区建设、重点项目建设和疫情防控宣传报道，"
          "传播新时代荔湾发展“好声音”，打好管网治网清朗网络空间“组合拳”，巩固壮大主流思想舆论。"),
        P("预期目标二：深入学习贯彻习近平总书记重要讲话精神，稳步推进理论中心组工作建设、理论宣讲、影院企业审批和管理、“扫黄打非”"
          "案件侦破和宣传引导等各项工作。"),
        H1("二、综合评价分析"),
        H2("（一）自评结论综述"),
        P("从评价情况来看，本项目从预算编制、执行及使用效益情况均达到预期的绩效目标，项目绩效自评：优。"),
        rate_paragraph,
        H2("（二）各项工作任务绩效目标完成情况分析"),
        P("《任务一》 有效宣传荔湾发展成果，引导舆论指向。"),
        P("完成情况 累计协调处置“人民网领导留言版”留言 307 篇次，累计编发《荔湾舆情日报》432 期，累计排查各类意识形态阵地 45 个，"
          "累计组织各类媒体采访活动 700 余次，刊发正面报道 11000 余篇次。"),
        P("《任务二》 强化干部群众思想政治教育。"),
        P("完成情况 组织召开荔湾区委理论学习中心组专题学习会20次。“学习强国”全国平台刊发我区稿件103篇，省、市平台刊发442篇。"),
        H2("（三）各重点任务项目支出完成情况分析"),
        P("预期达到：1、舆情日报数量 ≥200期；2、正面新闻报道量 ≥8000篇；3、“学习强国”全国平台刊发量 ≥50篇；4、党报党刊征订全区79个"
          "区属单位全覆盖；5、反映重大主题社会宣传的覆盖面 ≥80%；6、市民对文明城市建设满意度85%以上。"),
        H1("三、存在的主要问题"),
        P("一是部分项目管理和支出绩效水平仍有提升的空间。"),
        P("二是预算执行进度不均衡，如党报党刊征订等，因部分部门项目资金需年底支付，故项目资金存在年底较集中支付的现象。"),
        H1("四、下一步改进措施"),
        P("一是结合我部实际情况，继续积极研究预算绩效管理工作，努力提升绩效管理水平。"),
        Break(),
        P("附件：2022年度部门整体支出绩效自评表", style="center"),
        Table(LIWAN, 2022, LIWAN_FULL, LIWAN_FUNDS, "97.26", {GAP_LIWAN}, grade="优", breakdown=LIWAN_BREAKDOWN,
              goals=LIWAN_GOALS),
    ]


# ---- Seed 001 (岳阳楼) ------------------------------------------------------------------------------

def yueyang_report(conclusion: list, loose: list = (), grade_row: str = "良") -> list:
    return [
        P("中共岳阳市岳阳楼区委宣传部2020年度部门整体支出绩效评价报告", style="title"),
        H1("一、部门（单位）概况"),
        P("区委宣传部负责制订全区宣传思想文化发展总体规划；统筹协调全区党的意识形态工作；统筹指导协调全区理论学习、理论研究、"
          "理论宣传和理论宣讲；制订全区精神文明建设工作规划并组织实施，开展群众性精神文明创建活动。"),
        B("（一）部门（单位）基本情况"),
        P("内设9个股室和1个二级机构（融媒体中心），现有人数25人。其中：在职全额编制16人，离退休9人。"),
        B("（二）部门（单位）整体支出规模、使用方向和主要内容、涉及范围等"),
        P("2020年，我单位整体支出为1184.36万元。基本支出311.68万元，其中人员经费284.95万元，主要用于人员工资及社保障激纳等；"
          "公用经费26.73万元，主要用于日常办公开支。项目支出872.68万元，主要用于理论学习、宣传平台建设、精神文明建设、新闻出版（版权）"
          "等工作。", Sum("311.68", ("284.95", "26.73"))),
        H1("二、部门（单位）整体支出管理及使用情况"),
        B("（一）基本支出"),
        P("预算安排基本支出311.68万元，其中人员经费284.95万元，主要是用于财政代扣代缴社会保障缴费和财政统发各项工资福利等；"
          "公用经费26.73万元，由财政下指标到单位，主要用于单位正常办公开支。", Sum("311.68", ("284.95", "26.73"))),
        B("（二）专项支出"),
        P("2020年专项资金共投入872.68万元，其中年初预算安排626万元，上级拨款县级媒体中心建设经费30万，审批资金安排216.68万元。",
          Sum("872.68", ("626", "30", "216.68"))),
        H1("三、部门（单位）整体支出绩效情况"),
        P("2020年，开展意识形态工作专项检查2次，分析研判会、联席会议4次，整改各类问题4项23个。共在中央级媒体发稿27条，省级媒体发稿"
          "522条，市级媒体发稿2143条，区级平台发稿4772条。"),
        *loose,
        H1("四、评价结论"),
        *conclusion,
        YUEYANG_STAFF,
        BLANK,
        P("附件：部门整体支出绩效自评表", style="center"),
        Table(YUEYANG, 2020, YUEYANG_85, YUEYANG_FUNDS, "85", grade=grade_row, breakdown=YUEYANG_BREAKDOWN,
              title_row=True, total_span=2),
    ]


# --------------------------------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------------------------------

CASES: list[Case] = []


def add(case: Case) -> Case:
    CASES.append(case)
    return case


add(Case(
    "01_lusong_annex3.docx",
    "seed 003 芦淞区委宣传部 2024 report with its 附件3 table as published (97, cost row 17)",
    "clean narrative: 自评得分97分, 评价等次为优 (T2, the only table); amounts 598.25 = 337.6 + 260.65 and "
    "260.65 = 229.62 + 31.03; loose 良好形象 / 良好氛围; the table's own cost warning (17 vs the rule's 14.85)",
    lusong_report(
        [P("根据预算绩效管理要求，本单位组织对2024年度部门整体支出开展了绩效自评，从评价情况来看，预算执行及时、有效，绩效目标得到较好"
           "实现，绩效管理水平不断提高，自评得分97分，评价等次为优。", Score("97"), Grade("优"))],
        lusong_annex3(lusong_table(plant={RULE_COST}, total_span=2))),
    lo=True))

add(Case(
    "02_ebian_report.docx",
    "seed 004 峨边融媒体中心 2024 report: 部门整体 table (98, 评价等次 优) and three 项目支出 tables (classic, 100)",
    "clean: the three project conclusions exactly as the seed writes them (parts 10 + 50 + 30 + 10 = 100, "
    "'部门整体支出绩效得分为100分', '整体效果良好'; no project named, so tied to no table); 绩效评价得分：98分; "
    "426.45 = 0 + 426.45, 426.45 = 361.25 + 65.20, 65.20 = 5.8 + 24.4 + 35",
    (ebian_report(seed_conclusion(), seed_conclusion(), seed_conclusion(),
                                ebian_annex(ebian_project("数字化建设", DIGITAL, "5.8", side=False))))))

add(Case(
    "03_ebian_part_sum.docx",
    "seed 004 report where 数字化建设 was marked down to 98 (效益 28) in its table and its conclusion paragraph",
    "数字化建设 conclusion: parts 10 + 50 + 28 + 10 = 98 but '…得分为100分' (the clerk changed a part, not the total)",
    (ebian_report(
        seed_conclusion(),
        seed_conclusion(("10", "50", "28", "10"), "100", plant={("NARRATIVE_MISMATCH", 98, 100)}),
        seed_conclusion(),
        ebian_annex(ebian_project("数字化建设", DIGITAL_98, "5.8", "98", side=False)))),
    lo=True))

add(Case(
    "04_ebian_named_total.docx",
    "seed 004 report whose 峨边在线 conclusion names its project; the 峨边在线 table scores 96",
    "'峨边在线项目绩效自评得分为100分' against the 峨边在线 table's 96 (T1: the paragraph names that project)",
    (ebian_report(
        P("（5）评价结论及建议。①评价结论。峨边在线项目绩效自评得分为100分，整体效果良好。②存在的问题。无。③相关建议。无。",
          Score("100"), plant={("NARRATIVE_MISMATCH", 96, 100)}),
        seed_conclusion(), seed_conclusion(),
        ebian_annex(ebian_project("数字化建设", DIGITAL, "5.8", side=False),
                    ebian_project("峨边在线", EBIAN_ONLINE_96, "35", "96", side=False))))))

add(Case(
    "05_jinkouhe_narrative.docx",
    "seed 000 金口河区委宣传部 2024 report, text only (no scoring table), spacing as published ('1351.68 万元')",
    "clean: 1351.68 = 501.65 + 850.03; 501.65 vs 415.13 + 86.51 = 501.64 (inside the interval tolerance); "
    "shares 37.11% and 62.89% of 1351.68; 100% of the income",
    jinkouhe_report(jinkouhe_spending(),
                    [P("财政预算资金支付情况按照支付比例完成，项目目标年度绩效按期完成。")])))

add(Case(
    "06_jinkouhe_share.docx",
    "seed 000 report, text only, with the share of 基本支出 mistyped",
    "'占总支出 40.00%' where 501.65 / 1351.68 = 37.11%",
    jinkouhe_report(jinkouhe_spending("40.00", plant={("NARRATIVE_MISMATCH", 0.3711, 0.4)}),
                    [P("财政预算资金支付情况按照支付比例完成，项目目标年度绩效按期完成。")]),
    lo=True))

add(Case(
    "07_jinkouhe_basic_typo.docx",
    "seed 000 report with its 部门整体 table (100) as 附件 and a later restatement of 基本支出 with a typo",
    "'基本支出511.65万元，其中：人员支出415.13万元，公用支出86.51万元' (415.13 + 86.51 = 501.64); the first "
    "statement (501.65) is right; 自评得分100分，评价等次为优 (T2)",
    jinkouhe_report(
        jinkouhe_spending(),
        [P("财政预算资金支付情况按照支付比例完成，项目目标年度绩效按期完成，部门整体支出绩效自评得分100分，评价等次为优。",
           Score("100"), Grade("优"))],
        extra=[P("1.基本支出情况。基本支出511.65万元，其中：人员支出415.13万元，公用支出86.51万元，主要用于保障机构正常运转。",
                 Sum("511.65", ("415.13", "86.51")), plant={("NARRATIVE_MISMATCH", 501.64, 511.65)})],
        annex=[Break(), P("附件2"), P("2024年度部门整体支出绩效自评表", style="center"),
               Table(JINKOUHE, 2024, JINKOUHE_LINES, JINKOUHE_FUNDS, "100", grade="优", breakdown=JINKOUHE_BREAKDOWN,
                     goals=JINKOUHE_GOALS, title_row=True)])))

add(Case(
    "08_liwan_rate.docx",
    "seed 002 荔湾区委宣传部 2022 report with its table (2659.40 / 3663.27 = 72.60% → 7.26, indicators full: 97.26)",
    "clean narrative: '预算执行率为72.60%' (T2) and '完成预算的72.60%'; 评定为优; the table's own "
    "SPENDING_PERFORMANCE_GAP warning (seed 002: 72.60% against full indicators)",
    liwan_report(P("经综合评定，本部门2022年度整体支出绩效自评得分97.26分，评定为优，全年预算执行率为72.60%，"
                   "预算执行进度有待加快。", Score("97.26"), Grade("优"), Rate("72.60%")))))

add(Case(
    "09_liwan_rate_wrong.docx",
    "seed 002 report whose conclusion states a rate from a draft",
    "'全年预算执行率为80.00%' against the table's 2659.40 / 3663.27 = 72.60% (T2); + the table's gap warning",
    liwan_report(P("经综合评定，本部门2022年度整体支出绩效自评得分97.26分，评定为优，全年预算执行率为80.00%，"
                   "预算执行进度有待加快。", Score("97.26"), Grade("优"), Rate("80.00%"),
                   plant={("NARRATIVE_MISMATCH", 0.726, 0.8)}))))

add(Case(
    "10_lusong_total_wrong.docx",
    "seed 003 report after a year with fewer events: its table now scores 95, its text still says 98",
    "'自评得分98分' against the only table's 95 (T2); '评价等次为优' agrees (95 and 98 are both 优)",
    lusong_report(
        [P("根据预算绩效管理要求，本单位组织对2024年度部门整体支出开展了绩效自评，自评得分98分，评价等次为优。",
           Score("98"), Grade("优"), plant={("NARRATIVE_MISMATCH", 95, 98)})],
        lusong_annex3(lusong_table(LUSONG_95, total="95"))),
    doc=True))

add(Case(
    "11_yueyang_grade_wrong.docx",
    "seed 001 岳阳楼区委宣传部 2020 report after a poor year: table 85 with 评价等次 良, text claims 优",
    "'绩效自评综合得分85分，评价等次为优' (85 is 良); the total agrees with the table",
    yueyang_report([P("根据考核评分细则，考评组认为，2020年度部门整体支出绩效自评综合得分85分，评价等次为优。",
                      Score("85"), Grade("优"), plant={("NARRATIVE_MISMATCH", "良", "优")})])))

add(Case(
    "12_yueyang_loose_words.docx",
    "seed 001 report (table 85, 评价等次 良) whose text praises with words that are no grade claims",
    "clean: '等次为良好' is right; '优化了资源配置', '被评为…优秀组织单位', '被评定为优秀通讯员', "
    "'取得了良好的社会效益' are loose words (no finding although 85 is not 优)",
    yueyang_report(
        [P("经评价，2020年度部门整体支出绩效自评综合得分85分，等次为良好。", Score("85"), Grade("良好"))],
        loose=[P("通过预算管理，优化了资源配置，取得了良好的社会效益。我部被评为岳阳市“新思想、新精神、新岳阳”微视频优秀组织单位，"
                 "融媒体中心1名同志被评定为优秀通讯员。")])))

add(Case(
    "13_lusong_ambiguous.docx",
    "seed 003 report with its 部门整体 table (re-scored by the rule, 94.85) and two 专项 tables (100 and 97)",
    "clean: '两个专项的自评得分分别为97分和100分' names neither project (several tables: tied to none, skipped); "
    "'自评得分94.85分，评价等次为“优”' agrees with the 部门整体 table",
    lusong_report(
        [P("根据预算绩效管理要求，本单位组织对2024年度部门整体支出开展了绩效自评，自评得分94.85分，评价等次为“优”。",
           Score("94.85"), Grade("优")),
         P("同时对年初预算安排的两个专项开展了绩效自评，两个专项的自评得分分别为97分和100分，资金使用规范。",
           Score("97", untied="two projects in one sentence"), Score("100", untied="two projects in one sentence"),
           trap="two totals for two projects, neither named: tying 97 to the 部门整体 table (94.85) would be a guess")],
        [*lusong_annex3(lusong_table(LUSONG_RULE, total="94.85")), BLANK,
         P("附件4"), P("项目支出绩效自评表（意识形态专项经费）", style="center"),
         lusong_project("意识形态专项经费", IDEOLOGY, "188", "247.2", "100"), BLANK,
         P("附件5"), P("项目支出绩效自评表（品牌宣传推介经费）", style="center"),
         lusong_project("品牌宣传推介经费", BRAND_97, "90", "90", "97")])))

add(Case(
    "14_ebian_table_total.docx",
    "seed 004 report with a staff list (表1) and four scoring tables; 数字化建设 rows add to 98, its 总分 stays 100",
    "TOTAL_MISMATCH in the 数字化建设 table (表4): 总分 得分 100 (a cell spanning two grid columns) vs 98; "
    "the staff list is no scoring table (no finding); the 数字化建设 conclusion, tied to its table by the "
    "sub-heading above it, states 效益 30 where the table's rows give 28",
    (ebian_report(
        seed_conclusion(), seed_conclusion(plant={("NARRATIVE_MISMATCH", 28, 30)}), seed_conclusion(),
        ebian_annex(ebian_project("数字化建设", DIGITAL_98, "5.8", "100", side=False, total_span=2,
                                  plant={("TOTAL_MISMATCH", 98, 100)})),
        staff=True)),
    lo=True))


# --------------------------------------------------------------------------------------------------
# Writing the .docx
# --------------------------------------------------------------------------------------------------


def _font(run_or_style, east_asia: str) -> None:
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def build_docx(case: Case, path: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, narrow margins: the 自评表 is wide
    section.left_margin = section.right_margin = Cm(1.8)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    _font(normal, "宋体")
    for block in case.blocks:
        if isinstance(block, Break):
            doc.add_page_break()
        elif isinstance(block, Para):
            if block.style == "h1":
                doc.add_heading(block.text, level=1)
            elif block.style == "h2":
                doc.add_heading(block.text, level=2)
            else:
                para = doc.add_paragraph()
                if block.text:
                    run = para.add_run(block.text)
                    if block.style in ("title", "bold"):
                        run.bold = True
                    if block.style == "title":
                        run.font.size = Pt(16)
                        _font(run, "方正小标宋简体")
                if block.style in ("title", "center"):
                    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(block, Table):
            render_grid(doc, write_table(block)[0])
        elif isinstance(block, Staff):
            render_grid(doc, write_staff(block))
    props = doc.core_properties
    props.author = props.last_modified_by = "Administrator"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    props.title = props.subject = props.comments = ""
    doc.save(path)


def normalise_zip(path: Path) -> None:
    """Fixed zip entry dates and document stamps, so that a rebuild gives the same bytes."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:modified|created)[^>]*>)[^<]*", rb"\g<1>2025-03-15T09:30:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 3, 15, 9, 30, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)


def fix_ole_stamp(path: Path, started: datetime) -> None:
    """LibreOffice may stamp a .doc's SummaryInformation with the time of saving (VT_FILETIME): set it to
    FIXED_TIME. Only an 8-byte FILETIME right after the VT_FILETIME tag and within the build's time window
    is touched."""
    def filetime(moment: datetime) -> int:
        return int((moment - datetime(1601, 1, 1)).total_seconds() * 10_000_000)

    data = bytearray(path.read_bytes())
    low, high = filetime(started - timedelta(minutes=5)), filetime(datetime.utcnow() + timedelta(minutes=5))
    fixed = filetime(FIXED_TIME).to_bytes(8, "little")
    hits = 0
    for match in re.finditer(rb"\x40\x00\x00\x00(.{8})", bytes(data), re.DOTALL):
        if low <= int.from_bytes(match.group(1), "little") <= high:
            data[match.start(1):match.end(1)] = fixed
            hits += 1
    assert hits <= 2, f"{path.name}: {hits} time stamps of this build"
    path.write_bytes(bytes(data))


def soffice(target: str, out_dir: Path, inputs: list[Path], profile: Path) -> None:
    """One soffice call converting every input (a throwaway profile, headless)."""
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(out_dir), *map(str, inputs)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    for source in inputs:
        out = out_dir / (source.stem + "." + target.split(":")[0])
        if not out.exists():
            sys.exit(f"LibreOffice did not write {out.name} ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def missing_writer() -> str | None:
    if shutil.which("soffice") is None:
        return "soffice is not installed (Debian: libreoffice-writer-nogui)"
    program = Path(shutil.which("soffice")).resolve().parent
    if not any(program.glob("libswlo.so")) and not Path("/usr/lib/libreoffice/program/libswlo.so").exists():
        return "LibreOffice Writer is not installed (Debian: libreoffice-writer-nogui)"
    return None


# --------------------------------------------------------------------------------------------------
# Reading saved files back (independently of python-docx's merge logic for tables)
# --------------------------------------------------------------------------------------------------


def _cell_text(tc) -> str:
    paragraphs = []
    for p in tc.iter(f"{W}p"):
        parts = []
        for node in p.iter():
            if node.tag == f"{W}t":
                parts.append(node.text or "")
            elif node.tag == f"{W}br":
                parts.append("\n")
            elif node.tag == f"{W}tab":
                parts.append("\t")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def read_grids(path: Path) -> list[dict]:
    """Every top-level table of the body: {(row, col): (text, span)} of its origin cells (a vertically
    continued cell is no origin and must be empty), grid columns counted with gridBefore and gridSpan."""
    from xml.etree import ElementTree

    with zipfile.ZipFile(path) as z:
        root = ElementTree.fromstring(z.read("word/document.xml"))
    body = root.find(f"{W}body")
    grids = []
    for tbl in body.findall(f"{W}tbl"):
        cells = {}
        for r, tr in enumerate(tbl.findall(f"{W}tr"), 1):
            col = 1
            before = tr.find(f"{W}trPr/{W}gridBefore")
            if before is not None:
                col += int(before.get(f"{W}val"))
            for tc in tr.findall(f"{W}tc"):
                span_el = tc.find(f"{W}tcPr/{W}gridSpan")
                span = int(span_el.get(f"{W}val")) if span_el is not None else 1
                vmerge = tc.find(f"{W}tcPr/{W}vMerge")
                text = _cell_text(tc)
                if vmerge is not None and vmerge.get(f"{W}val", "continue") != "restart":
                    assert not text.strip(), (path.name, r, col, text)
                else:
                    cells[(r, col)] = (text, span)
                col += span
        grids.append(cells)
    return grids


def body_paragraphs(path: Path) -> list[str]:
    """The P{n} list: python-docx's Document(path).paragraphs (top-level, tables excluded, empty ones
    counted), cross-checked against the body's own w:p children."""
    from xml.etree import ElementTree

    texts = [p.text for p in Document(str(path)).paragraphs]
    with zipfile.ZipFile(path) as z:
        root = ElementTree.fromstring(z.read("word/document.xml"))
    count = len(root.find(f"{W}body").findall(f"{W}p"))
    assert count == len(texts), (path.name, count, len(texts))
    return texts


def verify_file(case: Case, path: Path) -> tuple[dict[int, int], list[str]]:
    """Re-read a saved report: every table cell where the expectation assumed it, every paragraph in
    order. Returns block index → P number in this file, and what differs from the build (for the report)."""
    grids = read_grids(path)
    blocks = table_blocks(case)
    assert len(grids) == len(blocks), (path.name, len(grids), len(blocks))
    for (block, sheet), grid in zip(blocks, grids, strict=True):
        built = write_table(block)[0] if isinstance(block, Table) else write_staff(block)
        for (r, c), (text, span) in built.cells.items():
            assert (r, c) in grid, (path.name, sheet, rc(r, c), "no origin cell here")
            found, found_span = grid[(r, c)]
            assert found == text and found_span == span, (path.name, sheet, rc(r, c), found, text, found_span, span)
        for (r, c), (text, _) in grid.items():
            assert (r, c) in built.cells or not text.strip(), (path.name, sheet, rc(r, c), text)
        for c, r1, r2 in built.vmerges:
            for r in range(r1 + 1, r2 + 1):
                assert (r, c) not in grid, (path.name, sheet, rc(r, c), "not continued")
    texts = body_paragraphs(path)
    built_texts = [block.text if isinstance(block, Para) else "" for block in case.blocks
                   if isinstance(block, (Para, Break))]
    changes = []
    if texts != built_texts:
        nonempty = [t for t in texts if t.strip()]
        assert nonempty == [t for t in built_texts if t.strip()], (path.name, "text changed")
        changes.append(f"{len(texts)} paragraphs instead of {len(built_texts)} (empty ones added or dropped)")
    numbers = {}
    seen: dict[str, int] = {}  # a text written several times (seed 004's three conclusions): in order
    for index, block in enumerate(case.blocks):
        if isinstance(block, Para) and block.claims:
            hits = [n for n, text in enumerate(texts, 1) if text == block.text]
            nth = seen.get(block.text, 0)
            seen[block.text] = nth + 1
            expected = sum(1 for b in case.blocks if isinstance(b, Para) and b.claims and b.text == block.text)
            if block.plant:
                assert len(hits) == expected, (path.name, block.text[:30], hits)
            if len(hits) > nth:
                numbers[index] = hits[nth]
    return numbers, changes


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


def public(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if not k.startswith("_")}


def dry_run() -> None:
    for case in CASES:
        entry = expect_case(case)
        print(case.name, [(t["sheet"], t["kind"], t["title"], t["declared_total"], t["computed_total"],
                           t["declared_grade"], t["computed_grade"]) for t in entry["tables"]])
        for f in entry["findings"]:
            print("   ", f)


def main() -> None:
    if "--dry-run" in sys.argv[1:]:
        dry_run()
        return
    reason = missing_writer()
    if reason:
        sys.exit(f"LibreOffice is needed to build the corpus: {reason}")
    names = [case.name for case in CASES]
    assert len(set(names)) == len(names)
    started = datetime.utcnow()
    FILES.mkdir(parents=True, exist_ok=True)
    for old in FILES.iterdir():
        old.unlink()
    expected: dict[str, dict] = {}
    changes: dict[str, list[str]] = {}
    sources: dict[str, Case] = {}
    with tempfile.TemporaryDirectory(prefix="perfxl-corpus-docx-") as work:
        work = Path(work)
        to_lo, to_doc = [], []
        for case in CASES:
            target = FILES / case.name
            build_docx(case, target)
            normalise_zip(target)
            if case.lo:
                lo_in = work / "in" / (Path(case.name).stem + "_lo.docx")
                lo_in.parent.mkdir(exist_ok=True)
                shutil.copy(target, lo_in)
                to_lo.append(lo_in)
            if case.doc:
                to_doc.append(target)
        profile = work / "profile"
        if to_lo:
            soffice('docx:"MS Word 2007 XML"'.replace('"', ""), work / "lo", to_lo, profile)
            for source in to_lo:
                shutil.copy(work / "lo" / source.name, FILES / source.name)
        if to_doc:
            soffice("doc:MS Word 97", work / "doc", to_doc, profile)
            for source in to_doc:
                shutil.copy(work / "doc" / (source.stem + ".doc"), FILES / (source.stem + ".doc"))
    for case in CASES:
        sources[case.name] = case
        if case.lo:
            sources[Path(case.name).stem + "_lo.docx"] = case
        if case.doc:
            sources[Path(case.name).stem + ".doc"] = case
    for name, case in sources.items():
        path = FILES / name
        if path.suffix == ".doc":
            fix_ole_stamp(path, started)
            assert path.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1"), name
            expected[name] = {"layout": None, "format": "doc", "scheme": None, "tables": [],
                              "findings": [dict(finding("UNREADABLE_FILE", None, None), reason="doc")]}
            continue
        if name != case.name:
            normalise_zip(path)
        numbers, changed = verify_file(case, path)
        expected[name] = public(expect_case(case, numbers))
        if changed:
            changes[name] = changed
    ordered = {name: expected[name] for name in sorted(expected)}
    (HERE / "expected.json").write_text(json.dumps(ordered, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_readme(ordered, sources, changes)
    print(f"wrote {len(ordered)} files ({len(CASES)} by python-docx, "
          f"{sum(c.lo for c in CASES)} re-saved by LibreOffice, {sum(c.doc for c in CASES)} .doc)")
    for name, what in changes.items():
        print(f"  LibreOffice changed {name}: {'; '.join(what)}")


# --------------------------------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------------------------------

README_HEAD = """\
# Word-report corpus

Self-evaluation **reports** as departments send them in Word (`.docx`, layout `word-report`): a
title, headings, body text copied or adapted from the published reports in `shared/seeds`, and the
绩效自评表 as Word tables with merged cells. perfxl must check the tables (the same checks as a
workbook's) and the figures the text states (NARRATIVE_MISMATCH). `expected.json` gives, per file,
`layout`, `format`, `scheme`, every scoring table (`tables`) and the complete list of findings.
Rebuild with `.venv/bin/python tests/corpus_docx/build_corpus_docx.py` (needs python-docx and
LibreOffice Writer, Debian `libreoffice-writer-nogui`; `--dry-run` prints the expectations only).
`tests/test_corpus_docx.py` compares `reconcile_file` with `expected.json` (the files are committed:
the test needs no LibreOffice).

`expected.json` is computed by the script from the values it types and the figures each paragraph
states, with its own Decimal arithmetic (nothing of perfxl is imported). Every table and every
paragraph declares what was planted in it, and the script refuses a report whose recomputed findings
differ from the plant, or a claim the conventions below leave open. Every saved file (LibreOffice's
too) is re-read: each typed value is looked up at the grid position the expectation names, and each
paragraph number is taken from the saved file by searching the planted paragraph.

Files: `NN_*.docx` are written by python-docx (tables merged with `cell.merge()`: `w:vMerge` and
`w:gridSpan`); `*_lo.docx` are the same reports saved by LibreOffice 7.4 (`soffice --headless
--convert-to docx`, throwaway profile), with the same expectations (paragraph numbers taken from the
saved file); the `.doc` is LibreOffice's Word 97 save of the report of the same stem. Zip dates and
document stamps are fixed, so a rebuild gives the same bytes.

## Locations

- **`表N`** is the N-th table of the document body, 1-based, counting **every** top-level table in
  document order, scoring or not (python-docx `Document(path).tables`): in file 14 the staff list is
  `表1` and the 数字化建设 table `表4`; in files 11 and 12 the 评价人员 list is `表1`, the scoring table
  `表2`. A table that is no scoring table (a staff list: names, posts, no figures) is not listed in
  `tables` and gets no finding.
- **`R{row}C{col}`** is a cell of that table's grid, 1-based: `row` counts the table's `w:tr` rows;
  `col` counts **grid columns** (`w:gridBefore` and each cell's `w:gridSpan`): a cell spanning two grid
  columns occupies both and is located at its first; a vertically merged cell (`w:vMerge`) is located
  at its first row. The 总分 得分 cell of a table with the side-label column is `C8` (the label `总分`
  spans C1–C6, 分值 is C7); without it `C7` (label C1–C5, 分值 C6); in files 01, 11, 12 and 14 that
  score cell spans two grid columns (C8–C9 or C7–C8) and is still located at its first.
- **`正文` / `P{n}`**: a figure stated in the text is located at its paragraph. `P{n}` is the 1-based
  index of the paragraph among the document body's **top-level paragraphs** in order — python-docx
  `Document(path).paragraphs`: paragraphs inside tables are not counted, **empty paragraphs are
  counted**, headings and the title are paragraphs, a page break written as a paragraph of its own
  counts as one. The script takes each number from the saved file by searching the paragraph's text.

## What the text states, and what is checked

Only these phrasings are claims. A claim is checked against its own stated parts (always) and
against a table when it can be **tied** to one:

- **T1** the paragraph contains the 项目名称 of exactly one project table → that table;
- **T1b** otherwise its nearest numbered sub-heading (`2.数字化建设项目支出情况分析。`) names exactly one
  project table → that table; a sub-heading that names a project with no table in the report ties nothing;
- **T2** otherwise, the paragraph names no project table and the report holds exactly one scoring table → that table;
- **T3** otherwise, the report holds exactly one 部门整体 table and the paragraph speaks of no 项目 or 专项
  (quoted document titles in 《》 or “” aside) → that table;
- otherwise the claim is tied to no table: only its internal arithmetic is checked.

| claim | phrasings in this corpus | checked |
|---|---|---|
| total score | `自评得分97分`, `自评得分为100分` (`峨边在线项目绩效自评得分为100分`), `绩效评价得分：98分`, `综合得分85分`, `…绩效得分为100分` | equal (± 0.005, a score is exact) to the tied table's total as declared (as recomputed when it declares none); expected the table's total, found the stated one |
| total and parts | `项目预算执行得分10分，产出指标得分50分，效益指标得分30分，满意度得分10分，部门整体支出绩效得分为100分` | the stated parts add up to the stated total; expected the sum of the parts, found the stated total. With a tied table, each part is compared with the table's 预算执行得分 (as declared) and block sums (as recomputed), and the total with the table's declared total (once, when the parts already say the same) |
| grade | `评价等次为优`, `评价等次为“优”`, `等次为良好`, `评定为优` (a grade word of domain §3 followed by punctuation or the paragraph's end) | the grade of the total stated in the same paragraph, else of the tied table's computed total; expected that grade (`良`), found the word as written (`优`, `良好`) |
| amount with parts | `本年支出总额 1351.68 万元，其中基本支出 501.65 万元，…；项目支出 850.03 万元`; `基本支出 501.65 万元，…基本支出中人员支出 415.13 万元，公用支出 86.51 万元`; `…支出598.25万元其中：项目支出337.6万元，基本支出260.65万元，其中：人员经费229.62万元，公用经费31.03万元`; `收入426.45万元，其中上级资金  0万元，县级资金426.45万元`; `项目支出65.20万元，其中项目3个，具体支出为：数字化建设项目5.8万元、…24.4万元、…35万元`; `专项资金共投入872.68万元，其中年初预算安排626万元，上级拨款县级媒体中心建设经费30万，审批资金安排216.68万元` (seed 001: a part written `30万`, without 元; 626 + 30 + 216.68 = 872.68) | a total and two or more parts stated in one paragraph (a part the reader cannot read, such as `30万`, means no check rather than a sum of the other parts); the interval rule of domain §4 (each value written with d decimals is v ± ½·10⁻ᵈ; a mismatch only where the intervals cannot meet: 501.65 vs 501.64 passes, 511.65 does not); expected the sum of the parts (2 decimals), found the stated total. Amounts are **not** compared with table cells (a report's text often covers other funds than the table: seed 003's 项目支出 337.6 vs the table's 381.36) |
| share | `占总支出 37.11%`, `占本年收入总额为 100%` | part / whole, both stated in the paragraph; the percentage written with d decimals means ± ½·10⁻ᵈ percentage points; expected ROUND(part / whole, 4), found the stated fraction (40.00% → 0.4) |
| execution rate | `预算执行率为72.60%` | of the 执行数 / 预算数 stated in the same paragraph, else of the tied table's 全年执行数 / 全年预算数; same precision rule; expected ROUND(rate, 4), found the stated fraction |

Every finding is `NARRATIVE_MISMATCH` with `sheet` `正文`, `cell` `P{n}`; numbers are rounded to 2
decimals, rates and shares are fractions to 4 decimals, grades are text. One stated figure gives at
most one finding.

**Not claims** (no finding, whatever they say): loose words (`整体效果良好`, `取得了良好的社会效益`,
`优化了资源配置`, `良好形象`, `良好氛围`, `社会反响良好`); `被评为…优秀组织单位`, `被评定为优秀通讯员` (the
grade word runs on into a noun); counts (`开展宣讲 300 余场`, `采用 703 条`), approximate amounts
(`投入资金 10 余万元`), percentages that are no share or rate (`即办率达 96.15%`, `满意占96%`,
`完成100%`). Phrasings not in the table above (`完成预算的72.60%`, `项目绩效自评：优`, `占本年收入总额为
100%` read as a rate, the income / expenditure figures of seed 002 spread over two sentences, seed
003's 政府性基金 sentence) appear only with true values, so the corpus does not say whether a reader
takes them.

**Skipped on purpose (precision over recall).** A total or grade tied to no table by T1/T2 is not
compared with any table, even when the report has one 部门整体 table: seed 004's project conclusions
say `部门整体支出绩效得分为100分` (a project's score, its project not named in the paragraph) next to a
部门整体 table of 98 (files 02, 03, 14), and file 13 says `两个专项的自评得分分别为97分和100分` next to
tables of 94.85, 100 and 97. These traps are marked in the script; every other untied claim agrees
with the report's 部门整体 table, so the corpus does not depend on a looser tie. No fault is planted
that needs a tie other than T1 or T2.

**Tables** follow the conventions of `tests/corpus/README.md` and `tests/corpus_tables/README.md`
(scheme by the presence of a 成本指标 block; unused rows `无` ignored; `computed_total` = declared
年度资金总额 得分 + the indicator 得分; `tables` in document order with `sheet` `表N`, `kind` `overall` /
`project`, `title` the 项目名称 or `""`, `declared_total`, `computed_total`, `declared_grade` (the
评价等次 row as typed, null without one), `computed_grade`). Everything in a Word table is text:
`100%` is 99.5%–100.5%, `72.60%` ± 0.005 points; `16` in `政府性基金拨款：16` is 16 ± 0.5. A report
without any scoring table (file 05, 06) has layout `word-report`, `tables` `[]`, and only its text is
checked. The `.doc` is UNREADABLE_FILE (reason `doc`: save it as .docx), layout null, no tables.
"""


def lo_flavour(original: Path, saved: Path) -> list[str]:
    """How LibreOffice's docx differs from python-docx's, in the markup a reader meets."""
    def part(path: Path, name: str) -> str:
        with zipfile.ZipFile(path) as z:
            return z.read(name).decode("utf-8")

    def names(path: Path) -> set[str]:
        with zipfile.ZipFile(path) as z:
            return set(z.namelist())

    before, after = part(original, "word/document.xml"), part(saved, "word/document.xml")
    runs = lambda xml: len(re.findall(r"<w:r[ >]", xml))  # noqa: E731
    facts = []
    if 'w:vMerge w:val="continue"' in after and 'w:vMerge w:val="continue"' not in before:
        facts.append('vertical merges continued with an explicit `w:vMerge w:val="continue"` (python-docx: bare `w:vMerge`)')
    if runs(after) != runs(before):
        facts.append(f"{runs(after)} runs instead of {runs(before)}: a new run wherever the script changes between "
                     "Chinese and digits/Latin (`本年支出总额 ` | `1351.68 ` | `万元，其中…`) and at each line break, "
                     "so a stated figure sits in a run of its own")
    if "<w:tblLayout" in after and "<w:tblLayout" not in before:
        facts.append("fixed table layout and widths written out")
    if after.count('<w:pStyle w:val="Normal"/>') > before.count('<w:pStyle w:val="Normal"/>'):
        facts.append("every paragraph names its style (`Normal`)")
    dropped, added = sorted(names(original) - names(saved)), sorted(names(saved) - names(original))
    if dropped:
        facts.append("parts dropped: " + ", ".join(f"`{n}`" for n in dropped))
    if added:
        facts.append("parts added: " + ", ".join(f"`{n}`" for n in added))
    return facts


def write_readme(expected: dict, sources: dict[str, Case], changes: dict[str, list[str]]) -> None:
    lines = [README_HEAD, "## Files", "", "| file | imitates | planted | expected findings |", "|---|---|---|---|"]
    for name, entry in expected.items():
        case = sources[name]
        if name.endswith(".doc"):
            imitates = f"`{case.name}` saved by LibreOffice as Word 97 (.doc)"
            planted, found = "a .doc instead of a .docx", "UNREADABLE_FILE (reason `doc`)"
        else:
            imitates = case.imitates + (" (saved by LibreOffice)" if name != case.name else "")
            planted = case.planted
            tables = "; ".join(
                f"{t['sheet']}: {t['kind']}{' ' + t['title'] if t['title'] else ''} "
                f"{t['declared_total']}/{t['computed_total']}"
                + (f" {t['declared_grade']}" if t["declared_grade"] else "") for t in entry["tables"]) or "none"
            found = ", ".join(f"{f['code']}@{f['sheet']}!{f['cell']} ({f['expected']} vs {f['found']})"
                              for f in entry["findings"]) or "none"
            found = f"tables: {tables}. Findings: {found}"
        lines.append(f"| `{name}` | {imitates} | {planted} | {found} |")
    lines += ["", "## Claims per report", "",
              "Every paragraph that states a figure, with its number in the python-docx file (the `_lo` files: "
              "see `expected.json` and the section below).", "",
              "| file | P | claims | finding |", "|---|---|---|---|"]
    for case in CASES:
        for number, para, said, out in expect_case(case)["_notes"]:
            verdict = "; ".join(f"{e} vs {f}" for _, e, f in out) or ("none (trap)" if para.trap else "none")
            lines.append(f"| `{case.name}` | P{number} | {'; '.join(said)} | {verdict} |")
    lines += ["", "## What LibreOffice changed", "",
              "Read back from the saved files (the text, every table cell and every merge are the same; "
              "paragraph numbers are taken from each saved file all the same):", ""]
    for name in expected:
        if name.endswith("_lo.docx"):
            what = changes.get(name, ["the same top-level paragraphs (none added or dropped)"])
            lines.append(f"- `{name}`: {'; '.join(what + lo_flavour(FILES / sources[name].name, FILES / name))}")
    lines.append("")
    (HERE / "README.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
