"""Build the standard-form fixture corpus: 自评表 workbooks that were NOT made by perfxl.

    python tests/corpus/build_corpus.py        (needs soffice and the system python3-uno)

Writes ``tests/corpus/files/*.xlsx``, ``tests/corpus/expected.json`` and ``tests/corpus/README.md``.
Each workbook imitates what clerks send in: typed in Excel/WPS, copied from last year, exported from
Word; files named ``*_lo.xlsx`` are built with openpyxl and then re-saved by a real LibreOffice
(``tests/lo.py``), the others are saved by openpyxl.

Every table is described once as data (:class:`Table`: what the clerk typed and where). The same
description is used twice: :func:`write_table` lays it out in a sheet and records the cell of every
item, and :func:`expect` applies the corpus conventions to the typed values to give the findings a
reader must report (the conventions are spelt out in README.md, which this script also writes).
Nothing in ``expected.json`` is typed by hand; ``HAND_CHECKS`` at the bottom re-states the planted
arithmetic of each file so that the engine itself is checked, and :func:`verify` re-opens every
saved file to confirm that the cells hold what the engine assumed.

The engine refuses cases the conventions leave open (a rate that agrees by interval but not after
rounding, a qualitative actual that is neither the target nor 达成/完成, a target over-achieved by
120 % or more, ``>``/``<`` met exactly, …), so that every expectation is unambiguous.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FILES = HERE / "files"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from samples import EBIAN_2024, LIWAN_2022, LUSONG_2024  # noqa: E402

from perfxl.numbers import round_half_up  # noqa: E402

FIXED_TIME = datetime.datetime(2025, 3, 15, 9, 30, 0)

# --------------------------------------------------------------------------------------------------
# What a clerk types
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pct:
    """A rate typed as a number with a percent format (Excel shows 100%, stores 1)."""

    value: float
    fmt: str = "0%"


@dataclass(frozen=True)
class Formula:
    """A formula the clerk typed; ``kind`` says what it computes (the builder fills in the refs)."""

    kind: str  # "total": budget score + SUM(indicator scores); "rate": 执行数/预算数


SUM_TOTAL = Formula("total")
RATE_FORMULA = Formula("rate")

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
    name: str                      # file name
    imitates: str                  # README: what the file imitates
    planted: str                   # README: what was planted ("clean" when nothing)
    department: str                # as typed (may carry stray spaces)
    year: int
    lines: list[Line]
    funds: Funds
    total: object
    producer: str = "openpyxl"     # or "lo"
    project: str | None = None     # a 项目支出绩效自评表 for this project
    grade: str | None = None       # 评价等次 row with this text
    breakdown: object = None       # list of (left, right) text lines, or list of rows (label, a, b, c)
    breakdown_dashes: bool = False  # "—" in 分值/得分 of breakdown rows (MoF project table)
    goals: tuple[str, str] | None = None
    origin: tuple[int, int] = (1, 1)
    side: bool = True              # Word-style left labels (年度预算申请 / 年度总体目标 / 绩效指标)
    merge: bool = True             # merged 一级/二级指标 cells
    sheet: str = "自评表"
    before: tuple[str, ...] = ()   # sheets before the table: "cover", "instructions"
    title: str | None = None
    dept_label: str = "部门（单位）名称"
    funds_label: str = "年度预算申请（万元）"
    funds_headers: tuple[str, ...] = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    ind_headers: tuple[str, ...] = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                                    "偏差原因分析及改进措施")
    total_weight: object = 100
    footer: object = None          # one text line, or a list of (label, value) pairs
    amount_format: str | None = "0.00"


@dataclass
class Unknown:
    """A workbook without a scoring table (UNKNOWN_LAYOUT)."""

    name: str
    imitates: str
    build: object                   # function(Workbook) -> None
    producer: str = "openpyxl"
    planted: str = "no scoring table → UNKNOWN_LAYOUT"


# --------------------------------------------------------------------------------------------------
# Reading typed values the way the conventions mean them (independent of perfxl's reader)
# --------------------------------------------------------------------------------------------------

_OP = re.compile(r"^(≥|≤|>=|<=|=|>|<)")
_UNIT = re.compile(r"(万元|元|人次|分|次|场|起|条|篇|个|期|部|台|TB|项|家)$")
_NUM = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Parsed:
    kind: str                 # "blank" | "number" | "text"
    number: Decimal | None = None
    op: str = ""
    places: int = 0           # decimals as written, in the unit stored (0.726 → 3)
    text: str = ""


def parse(value: object) -> Parsed:
    if value is None:
        return Parsed("blank")
    if isinstance(value, Pct):
        value = value.value
    if isinstance(value, bool) or isinstance(value, Formula):
        raise TypeError(value)
    if isinstance(value, int):
        return Parsed("number", Decimal(value))
    if isinstance(value, float):
        text = repr(value)
        return Parsed("number", Decimal(text), places=len(text.partition(".")[2].rstrip("0")))
    raw = str(value)
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))
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
        number = Decimal(s)
        places = len(s.partition(".")[2])
        if percent:
            number, places = number / 100, places + 2
        return Parsed("number", number, op, places, raw.strip())
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


def grade_of(total: Decimal) -> str:
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def jnum(value: Decimal, places: int = 2) -> int | float:
    rounded = round_half_up(value, places)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def short(value: Decimal) -> str:
    text = f"{round_half_up(value, 2):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --------------------------------------------------------------------------------------------------
# Laying a table out in a sheet
# --------------------------------------------------------------------------------------------------


@dataclass
class Placed:
    """Where everything went: the engine reads cells from here, verify() re-reads the saved file."""

    sheet: str
    funds: dict[str, str] = field(default_factory=dict)        # key -> cell
    levels: list[tuple[str, str]] = field(default_factory=list)  # (label as typed, cell)
    rows: list[dict] = field(default_factory=list)             # one per line: level, group, cells
    total: str = ""
    grade: str = ""
    written: dict[str, object] = field(default_factory=dict)   # cell -> value typed
    merges: list[str] = field(default_factory=list)
    formulas: dict[str, Formula] = field(default_factory=dict)


def ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


class Writer:
    def __init__(self, ws, placed: Placed):
        self.ws, self.placed = ws, placed

    def put(self, row: int, col: int, value: object) -> None:
        if value is None or value == "":
            return
        cell = self.ws.cell(row=row, column=col)
        if isinstance(value, Pct):
            cell.value, cell.number_format = value.value, value.fmt
        elif isinstance(value, Decimal):
            cell.value = float(value)
        else:
            cell.value = value
            if isinstance(value, str) and value.startswith("=") and ref(row, col) not in self.placed.formulas:
                cell.data_type = "s"  # '=100%' typed as text (cell formatted as text), not a formula
        if isinstance(value, str) and "\n" in value:
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.placed.written[ref(row, col)] = value

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) == (r2, c2):
            return
        rng = f"{ref(r1, c1)}:{ref(r2, c2)}"
        self.ws.merge_cells(rng)
        self.placed.merges.append(rng)


def write_table(ws, t: Table) -> Placed:
    placed = Placed(ws.title)
    w = Writer(ws, placed)
    r0, c0 = t.origin
    ic = c0 + (1 if t.side else 0)   # 一级指标 column
    last = ic + 7                    # 偏差原因 column
    fc = ic + 1                      # first funds amount column
    for col in range(c0, last + 1):
        ws.column_dimensions[get_column_letter(col)].width = 14
    ws.column_dimensions[get_column_letter(ic + 2)].width = 24
    ws.column_dimensions[get_column_letter(last)].width = 30
    row = r0
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
    w.put(row, c0, t.funds_label)
    for index, text in enumerate(t.funds_headers):
        w.put(row, fc + index, text)
    row += 1
    w.put(row, ic, "年度资金总额")
    f = t.funds
    keys = ("initial", "budget", "executed", "weight", "rate", "score")
    for index, key in enumerate(keys):
        value = getattr(f, key)
        placed.funds[key] = ref(row, fc + index)
        if isinstance(value, Formula):
            placed.formulas[ref(row, fc + index)] = value
            value = f"={ref(row, fc + 2)}/{ref(row, fc + 1)}"
            ws.cell(row=row, column=fc + index).number_format = "0.00%"
        w.put(row, fc + index, value)
        if index < 3 and t.amount_format and isinstance(value, (int, float)):
            ws.cell(row=row, column=fc + index).number_format = t.amount_format
    row += 1
    if t.breakdown:
        for item in t.breakdown:
            if len(item) == 2:  # seed 003: '按收入性质分：642.01' | '按支出性质分：642.01'
                left, right = item
                w.put(row, ic, left)
                w.merge(row, ic, row, ic + 3)
                w.put(row, ic + 4, right)
                w.merge(row, ic + 4, row, last)
            else:
                label, *amounts = item
                w.put(row, ic, label)
                for index, value in enumerate(amounts):
                    w.put(row, fc + index, value)
                    if t.amount_format and isinstance(value, (int, float)):
                        ws.cell(row=row, column=fc + index).number_format = t.amount_format
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

    # Indicator block.
    header_row = row
    if t.side:
        w.put(row, c0, "绩\n效\n指\n标")
    for index, text in enumerate(t.ind_headers):
        w.put(row, ic + index, text)
    row += 1
    level_start = group_start = None
    level_label = group_label = None

    def close_group(end: int) -> None:
        if t.merge and group_start is not None and end > group_start:
            w.merge(group_start, ic + 1, end, ic + 1)

    def close_level(end: int) -> None:
        if t.merge and level_start is not None and end > level_start:
            w.merge(level_start, ic, end, ic)

    for line in t.lines:
        level, group, name, target, actual, weight, score, reason = line
        if level is not None:
            close_group(row - 1)
            close_level(row - 1)
            level_start, level_label = row, level
            group_start = None
            w.put(row, ic, level)
            placed.levels.append((level, ref(row, ic)))
        if group is not None:
            if group_start is not None:
                close_group(row - 1)
            group_start, group_label = row, group
            w.put(row, ic + 1, group)
        for offset, value in enumerate((name, target, actual, weight, score, reason)):
            w.put(row, ic + 2 + offset, value)
        placed.rows.append({"level": level_label, "group": group_label, "line": line,
                            "score": ref(row, ic + 6), "reason": ref(row, ic + 7),
                            "weight": ref(row, ic + 5)})
        row += 1
    close_group(row - 1)
    close_level(row - 1)
    if t.side:
        w.merge(header_row, c0, row - 1, c0)

    # 总分, 评价等次, footer.
    w.put(row, c0, "总分")
    w.merge(row, c0, row, ic + 4)
    w.put(row, ic + 5, t.total_weight)
    placed.total = ref(row, ic + 6)
    if isinstance(t.total, Formula):
        first, end = placed.rows[0]["score"], placed.rows[-1]["score"]
        placed.formulas[placed.total] = t.total
        w.put(row, ic + 6, f"={placed.funds['score']}+SUM({first}:{end})")
    else:
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
    return placed


def add_cover(book: Workbook, t: Table) -> None:
    ws = book.create_sheet("封面")
    ws.column_dimensions["A"].width = 80
    ws["A3"] = f"{t.year}年度{'项目支出' if t.project else '部门整体支出'}绩效自评材料"
    ws["A8"] = f"{t.department.strip()}（盖章）"
    ws["A10"] = f"{t.year + 1}年3月"


def add_instructions(book: Workbook, t: Table) -> None:
    ws = book.create_sheet("填表说明")
    ws.column_dimensions["A"].width = 100
    lines = [
        "填表说明",
        "1．本表由预算部门（单位）根据年度预算执行情况和绩效目标完成情况如实填写。",
        "2．“执行率”=全年执行数÷全年预算数；预算执行率得分=执行率×分值，最高不超过分值。",
        "3．一级指标分值：产出指标40分、效益指标20分、满意度指标10分、成本指标20分，预算执行率10分。",
        "4．定量指标完成年度指标值的得满分，未完成的按完成比例计分；定性指标按达成程度分档计分。",
        "5．得分低于分值的，须在“偏差原因分析及改进措施”栏说明原因。",
        "6．本表由部门主要负责人审核签字后，随自评报告一并报送区财政局。",
    ]
    for index, text in enumerate(lines, start=1):
        ws.cell(row=index, column=1, value=text)


def build_book(t: Table) -> tuple[Workbook, Placed]:
    book = Workbook()
    book.remove(book.active)
    for kind in t.before:
        {"cover": add_cover, "instructions": add_instructions}[kind](book, t)
    ws = book.create_sheet(t.sheet)
    placed = write_table(ws, t)
    return book, placed


# --------------------------------------------------------------------------------------------------
# The conventions, applied to what was typed
# --------------------------------------------------------------------------------------------------


def finding(code: str, cell: str | None, expected=None, found=None) -> dict:
    return {"code": code, "cell": cell, "expected": expected, "found": found}


def formula_value(t: Table, placed: Placed, kind: str) -> Decimal:
    """What a spreadsheet computes for the clerk's formula (SUM skips text and blanks)."""
    if kind == "rate":
        return parse(t.funds.executed).number / parse(t.funds.budget).number
    score = t.funds.score
    total = Decimal(0) if not isinstance(score, (int, float)) else parse(score).number
    for line in t.lines:
        value = line[6]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            total += parse(value).number
    return total


def expect(t: Table, placed: Placed) -> dict:
    findings: list[dict] = []
    keys = [level_key(label) for label, _ in placed.levels]
    scheme = "standard" if "cost" in keys else "classic"
    weights = SCHEMES[scheme]
    assert sorted(keys) == sorted(k for k in weights if k != "budget"), (t.name, keys)

    # Funds.
    budget, executed = parse(t.funds.budget), parse(t.funds.executed)
    assert budget.kind == executed.kind == "number" and budget.number > 0, t.name
    assert executed.number <= budget.number, f"{t.name}: 执行数 > 预算数 is left out (extra warning)"
    assert parse(t.funds.weight).number == weights["budget"], t.name
    true_rate = executed.number / budget.number
    if isinstance(t.funds.rate, Formula):
        pass  # the spreadsheet computes it: agrees by construction
    else:
        rate = parse(t.funds.rate)
        assert rate.kind == "number", t.name
        expected_rate = round_half_up(true_rate, 4)
        slack = Decimal("0.5") * Decimal(1).scaleb(-rate.places)
        if abs(rate.number - expected_rate) > Decimal("1e-9"):
            assert abs(rate.number - true_rate) > slack, f"{t.name}: rate agrees only by interval"
            findings.append(finding("EXECUTION_RATE_MISMATCH", placed.funds["rate"], jnum(expected_rate, 4),
                                    jnum(rate.number, 4)))
    rule_budget = round_half_up(min(true_rate, Decimal(1)) * weights["budget"], 2)
    budget_score = parse(t.funds.score)
    assert budget_score.kind == "number", t.name
    if abs(budget_score.number - rule_budget) > Decimal("0.005"):
        findings.append(finding("BUDGET_SCORE_MISMATCH", placed.funds["score"], jnum(rule_budget),
                                jnum(budget_score.number)))

    # Indicator rows.
    computed = budget_score.number
    sums: dict[str, Decimal] = {}
    for info in placed.rows:
        _, group, name, target, actual, weight, score, reason = info["line"]
        key = level_key(info["level"])
        name_text = (name or "").strip()
        if name_text in ("", "无"):
            assert all(v is None for v in (target, actual, weight, score, reason)), (t.name, name)
            continue  # unused row
        w = parse(weight)
        assert w.kind == "number", (t.name, name)
        sums[key] = sums.get(key, Decimal(0)) + w.number
        s = parse(score)
        if s.kind == "blank":
            findings.append(finding("MISSING_VALUE", info["score"]))
            continue
        if s.kind == "text":
            findings.append(finding("UNPARSEABLE_VALUE", info["score"], None, s.text))
            continue
        computed += s.number
        if s.number > w.number:
            findings.append(finding("SCORE_OVER_WEIGHT", info["score"], jnum(w.number), jnum(s.number)))
        elif s.number < 0:
            findings.append(finding("SCORE_OVER_WEIGHT", info["score"], 0, jnum(s.number)))
        rule = rule_score(t, key, group or "", target, actual, w.number)
        if isinstance(rule, tuple):
            low, high = rule
            if not (low <= s.number <= high):
                findings.append(finding("SCORE_RULE_MISMATCH", info["score"], f"{short(low)}–{short(high)}",
                                        jnum(s.number)))
        elif abs(s.number - rule) > Decimal("0.005"):
            findings.append(finding("SCORE_RULE_MISMATCH", info["score"], jnum(rule), jnum(s.number)))
        if s.number < w.number and not (reason or "").strip():
            findings.append(finding("DEVIATION_REASON_MISSING", info["reason"], jnum(w.number), jnum(s.number)))

    # Spending against performance (domain §3): indicator score rate S/(100 − w) far ahead of the
    # budget-execution score rate B/w (B by the rule, from the true rate), beyond 5% of S/(100 − w).
    share = (computed - budget_score.number) / (100 - weights["budget"])
    spent = rule_budget / weights["budget"]
    if share > 0 and share - spent > Decimal("0.05") * share:
        findings.append(finding("SPENDING_PERFORMANCE_GAP", placed.funds["score"], jnum(round_half_up(spent, 4), 4),
                                jnum(round_half_up(share, 4), 4)))

    # First-level weights.
    for label, cell in placed.levels:
        key = level_key(label)
        stated = _LABEL_WEIGHT.search(unicodedata.normalize("NFKC", label).replace(" ", ""))
        if stated and Decimal(stated.group(1)) != weights[key]:
            findings.append(finding("WEIGHT_MISMATCH", cell, weights[key], jnum(Decimal(stated.group(1)))))
        elif sums.get(key, Decimal(0)) != weights[key]:
            findings.append(finding("WEIGHT_MISMATCH", cell, weights[key], jnum(sums.get(key, Decimal(0)))))

    # Total and grade.
    if isinstance(t.total, Formula):
        declared = formula_value(t, placed, "total")
    else:
        total = parse(t.total)
        assert total.kind == "number", t.name
        declared = total.number
    if abs(declared - computed) > Decimal("0.005"):
        findings.append(finding("TOTAL_MISMATCH", placed.total, jnum(computed), jnum(declared)))
    if t.grade is not None:
        if grade_of(computed) != t.grade.strip():
            findings.append(finding("GRADE_MISMATCH", placed.grade, grade_of(computed), t.grade.strip()))
    findings.sort(key=lambda f: (f["code"], f["cell"] or ""))
    return {"layout": "standard-form", "scheme": scheme, "department": t.department.strip(),
            "declared_total": jnum(declared), "computed_total": jnum(computed), "findings": findings}


def rule_score(t: Table, level: str, group: str, target: object, actual: object, weight: Decimal):
    """The reviewer's score: a Decimal, or (low, high) for a qualitative indicator."""
    tp, ap = parse(target), parse(actual)
    if tp.kind != "number":
        actual_text = (str(actual) if actual is not None else "").strip()
        target_text = str(target).strip()
        said_done = ("达成" in actual_text or "完成" in actual_text) and not any(
            word in actual_text for word in ("未", "部分", "基本"))
        assert actual_text == target_text or said_done, f"{t.name}: qualitative row left open ({actual_text})"
        return round_half_up(weight * Decimal("0.8"), 2), weight
    assert ap.kind == "number", f"{t.name}: quantitative target with a non-numeric actual"
    tn, an = tp.number, ap.number
    assert tn > 0 and an > 0, t.name
    in_cost = level == "cost" or "成本" in group
    op = tp.op
    if op in ("≤", "<") or (op == "" and level == "cost"):
        lower = True
    elif op in ("≥", ">", "=") or (op == "" and not in_cost):
        lower = False
    else:
        raise AssertionError(f"{t.name}: operator {op!r} in a cost group is left open")
    if op == "=" and in_cost:
        raise AssertionError(f"{t.name}: '=' in a cost group is left open")
    if op in (">", "<") and an == tn:
        raise AssertionError(f"{t.name}: strict operator met exactly is left open")
    if op == "=":
        assert an <= tn, f"{t.name}: '=' over-achieved is left open"
    if lower:
        met = an < tn if op == "<" else an <= tn
        rule = weight if met else weight * tn / an
    else:
        assert an / tn < Decimal("1.2"), f"{t.name}: over-achievement ≥120% would add a warning"
        met = an > tn if op == ">" else an >= tn
        rule = weight if met else weight * an / tn
    exact = rule * 100
    assert abs(exact - exact.to_integral_value() - Decimal("0.5")) > Decimal("1e-6") or exact == exact.to_integral_value(), \
        f"{t.name}: rule score on a half-cent boundary"
    return round_half_up(rule, 2)


# --------------------------------------------------------------------------------------------------
# Verification of the saved files
# --------------------------------------------------------------------------------------------------


def same(found: object, typed: object) -> bool:
    if isinstance(typed, Pct):
        typed = typed.value
    if isinstance(typed, Decimal):
        typed = float(typed)
    if isinstance(typed, (int, float)) and isinstance(found, (int, float)):
        return abs(float(found) - float(typed)) < 1e-9
    return found == typed


def verify(path: Path, t: Table, placed: Placed) -> None:
    """The saved file holds every typed value where the engine assumed it, formulas computed."""
    values = load_workbook(path, data_only=True)[placed.sheet]
    formulas = load_workbook(path)[placed.sheet]
    for cell, typed in placed.written.items():
        found = values[cell].value
        if cell in placed.formulas:
            kind = placed.formulas[cell].kind
            assert str(formulas[cell].value).startswith("="), (path.name, cell)
            if t.producer == "lo":
                assert found is not None and abs(Decimal(repr(float(found))) - formula_value(t, placed, kind)) \
                    < Decimal("1e-9"), (path.name, cell, found)
            continue
        assert same(found, typed), (path.name, cell, found, typed)
    merged = {str(rng) for rng in values.merged_cells.ranges}
    assert merged == set(placed.merges), (path.name, merged ^ set(placed.merges))
    if t.producer == "openpyxl":
        assert not placed.formulas, f"{path.name}: openpyxl files carry no formulas (no cached values)"


# --------------------------------------------------------------------------------------------------
# The tables (figures from shared/seeds via perfxl.samples)
# --------------------------------------------------------------------------------------------------

LUSONG = LUSONG_2024.department
LIWAN = LIWAN_2022.department
EBIAN = EBIAN_2024.department
JINKOUHE = "中共乐山市金口河区委宣传部"           # seed 000
YUEYANG = "中共岳阳市岳阳楼区委宣传部"             # seed 001

# Seed 003 附件3 as published (the typos 品片, 形像, 夸年度 are the department's).
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
SEED_003_FUNDS = Funds(476.74, 642.01, 642.01, 10, "100%", 10)
SEED_003_BREAKDOWN = [
    ("按收入性质分：642.01", "按支出性质分：642.01"),
    ("  其中：  一般公共预算：598.25", "其中：基本支出：260.65"),
    ("政府性基金拨款：16", "项目支出：381.36"),
    ("纳入专户管理的非税收入拨款：", ""),
    ("其他资金：27.76", ""),
]
SEED_003_GOALS = (LUSONG_2024.expected_goal, LUSONG_2024.achieved_goal)
COST_BY_RULE = "整体支出超出年初预算，按年初预算数/实际支出计分；部分款项跨年度支付，下一年度加强预算统筹。"


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


def from_sample(sample, labels: dict[str, str], numbers: str = "numeric") -> list[Line]:
    """perfxl.samples rows as a clerk types them: operator, number and unit in one text cell."""
    lines: list[Line] = []
    level = group = None
    for row in sample.rows:
        if row.op == "定性":
            target = row.target
        else:
            unit = "" if row.unit == "%" else row.unit
            target = f"{row.op}{row.target}{unit}"
        actual = row.actual if row.op == "定性" or row.unit == "%" else f"{row.actual}{row.unit}"
        weight, score = row.weight, row.score
        if numbers == "numeric":
            weight, score = _number(weight), _number(score)
        lines.append((labels[row.level] if row.level != level else None,
                      row.group if (row.level, row.group) != (level, group) else None,
                      row.name, target, actual, weight, score, row.reason or None))
        level, group = row.level, row.group
    return lines


def _number(text: str) -> int | float:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


LIWAN_LINES = from_sample(LIWAN_2022, {"output": "产出指标（40分）", "benefit": "效益指标（20分）",
                                       "satisfaction": "满意度指标（10分）", "cost": "成本指标（20分）"})
LIWAN_FUNDS = Funds(float(LIWAN_2022.initial), float(LIWAN_2022.budget), float(LIWAN_2022.executed), 10,
                    "72.60%", 7.26)
LIWAN_GOALS = (LIWAN_2022.expected_goal, LIWAN_2022.achieved_goal)

CLASSIC_LABELS = {"output": "产出指标（50分）", "benefit": "效益指标（30分）", "satisfaction": "满意度指标（10分）"}
EBIAN_LINES = from_sample(EBIAN_2024, CLASSIC_LABELS)
EBIAN_FUNDS = Funds(35, 35, 35, 10, "100%", 10)
EBIAN_BREAKDOWN = [("当年财政拨款", 35, 35, 35), ("上年结转资金", 0, 0, 0), ("其他资金", 0, 0, 0)]
EBIAN_GOALS = (EBIAN_2024.expected_goal, EBIAN_2024.achieved_goal)

# Seed 004's other projects: 推广服务及保障安全播出 24.4万元, 数字化建设 5.8万元 (classic, rows from the report).
BROADCAST_LINES: list[Line] = [
    ("产出指标（50分）", "数量指标", "安全播出设施设备检查", "≥60次", "64次", 10, 10, None),
    (None, None, "购买播出片源", "≥12部", "12部", 10, 10, None),
    (None, "质量指标", "安全播出率", "=100%", "100%", 10, 10, None),
    (None, "时效指标", "按月据实支付", "按月支付", "按月支付", 5, 3,
     "个别月份支付滞后，已督促及时办理。"),
    (None, "成本指标", "项目成本", "≤24.4万元", "24.4万元", 15, 15, None),
    ("效益指标（30分）", "社会效益指标", "安全播出保障水平", "提升", "提升", 15, 15, None),
    (None, "可持续影响指标", "综合频道和广播稳定运行", "持续", "持续", 15, 15, None),
    ("满意度指标（10分）", "服务对象满意度指标", "群众满意度", "≥95%", "98%", 10, 10, None),
]
DIGITAL_LINES: list[Line] = [
    ("产出指标（50分）", "数量指标", "网络专线", "=1条", "1条", "10", "10分", None),
    (None, None, "APP云主机", "≥3台", "3台", "10", "10分", None),
    (None, None, "云存储资源", "≥10TB", "10TB", "10", "10分", None),
    (None, "质量指标", "系统故障修复率", "=100%", "100%", "10", "10分", None),
    (None, "时效指标", "按月支付服务费", "按月支付", "按月支付", "5", "5分", None),
    (None, "成本指标", "项目成本", "≤5.8万元", "5.8万元", "5", "5分", None),
    ("效益指标（30分）", "社会效益指标", "客户端信息服务能力", "提升", "提升", "15", "15分", None),
    (None, "可持续影响指标", "平台持续稳定运行", "持续", "持续", "15", "15分", None),
    ("满意度指标（10分）", "服务对象满意度指标", "用户满意度", "≥95%", "96%", "10", "10分", None),
]

# Seed 000: 金口河区委宣传部 2024, 1351.68万元; 基本支出 501.65 = 人员 415.13 + 公用 86.51 (501.64, in tolerance).
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
JINKOUHE_BREAKDOWN = [
    ("一般公共预算", 1351.68, 1351.68, 1351.68),
    ("基本支出", 501.65, 501.65, 501.65),
    ("其中：人员经费", 415.13, 415.13, 415.13),
    ("公用经费", 86.51, 86.51, 86.51),
    ("项目支出", 850.03, 850.03, 850.03),
]
JINKOUHE_GOALS = ("扎实开展理论学习和宣传，加强意识形态和网络舆情管理，推进文化惠民和精神文明建设。",
                  "区委理论学习中心组学习20次，放映农村公益电影492场，编发舆情月报12期，各项任务全面完成。")

# Seed 001: 岳阳楼区委宣传部 2020, 1184.36万元 (基本 311.68, 项目 872.68), 自评98分, 优.
YUEYANG_LINES: list[Line] = [
    ("产出指标（40分）", "数量指标", "区委理论学习中心组学习", "≥12次", "13次", 5, 5, None),
    (None, None, "“我们的节日”系列活动", "≥400次", "400次", 5, 5, None),
    (None, None, "网络平台发布报道", "≥3000篇", "3000篇", 5, 5, None),
    (None, None, "创建各级文明单位", "≥25个", "25个", 5, 5, None),
    (None, "质量指标", "涉区舆情处置率", "=100%", "100%", 10, 10, None),
    (None, "时效指标", "工作任务完成时限", "达成年度指标", "达成年度指标", 10, 10, None),
    ("效益指标（20分）", "经济效益指标", "无", None, None, None, None, None),
    (None, "社会效益指标", "社会反响", "良好", "良好", 10, 9, "部分宣传活动群众参与面不广，下一步拓展线上参与渠道。"),
    (None, "生态效益指标", "无", None, None, None, None, None),
    (None, "可持续影响指标", "大宣传工作格局", "持续巩固", "持续巩固", 10, 9, "长效机制仍需完善，将建立季度联席会议制度。"),
    ("满意度指标（10分）", "服务对象满意度指标", "社会公众满意度", "≥95%", "98%", 10, 10, None),
    ("成本指标（20分）", "经济成本指标", "项目支出", "≤872.68万元", "872.68万元", 20, 20, None),
    (None, "社会成本指标", "无", None, None, None, None, None),
    (None, "生态环境成本指标", "无", None, None, None, None, None),
]
YUEYANG_FUNDS = Funds(1106.2, 1184.36, 1184.36, 10, "100%", 10)
YUEYANG_BREAKDOWN = [
    ("按收入性质分：1184.36", "按支出性质分：1184.36"),
    ("其中：一般公共预算：1184.36", "其中：基本支出：311.68"),
    ("政府性基金拨款：", "项目支出：872.68"),
    ("其他资金：", ""),
]
YUEYANG_GOALS = ("强化意识形态管理，抓好理论学习和新闻宣传，推进精神文明建设和文化事业发展。",
                 "区委中心组学习13次，开展“我们的节日”活动400次，发布网络报道3000篇，目标基本实现。")
REASON = "受疫情影响部分活动未能如期开展，下一年度加强统筹、增加线上形式。"

# Word export: every number is text, full-width digits in places.
WORD_LINES: list[Line] = [
    tuple(str(v) if isinstance(v, int) else v for v in line) for line in YUEYANG_LINES
]
WORD_LINES = change(WORD_LINES, "涉区舆情处置率", weight="１０", score="１０")

# The grade case: rows scored by the rule, recomputed total 85, typed grade 优.
GRADE_LINES = list(YUEYANG_LINES)
GRADE_LINES = change(GRADE_LINES, "“我们的节日”系列活动", actual="200次", score=2.5, reason=REASON)
GRADE_LINES = change(GRADE_LINES, "网络平台发布报道", actual="1500篇", score=2.5, reason=REASON)
GRADE_LINES = change(GRADE_LINES, "创建各级文明单位", actual="20个", score=4, reason="部分单位未通过复核。")
GRADE_LINES = change(GRADE_LINES, "涉区舆情处置率", actual="90%", score=9, reason="个别舆情处置滞后，已建立快速响应机制。")
GRADE_LINES = change(GRADE_LINES, "社会公众满意度", actual="85.5%", score=9, reason="群众知晓率有待提高。")
GRADE_LINES = change(GRADE_LINES, "项目支出", name="“三公”经费", target="≤8万元", actual="10万元", score=16,
                     reason="接待任务增加，“三公”经费超支，下一年度严格控制。")


def lusong(name: str, imitates: str, planted: str, **kw) -> Table:
    kw.setdefault("lines", SEED_003)
    kw.setdefault("funds", SEED_003_FUNDS)
    kw.setdefault("total", 97)
    kw.setdefault("department", LUSONG)
    return Table(name=name, imitates=imitates, planted=planted, year=2024, **kw)


LUSONG_FIXED = change(SEED_003, "整体支出", score=14.85, reason=COST_BY_RULE)

TABLES: list[Table | Unknown] = []


def add(item):
    TABLES.append(item)
    return item


add(lusong(
    "01_lusong_2024_published.xlsx",
    "seed 003 附件3 exactly as published (Word table pasted into Excel): one sheet 附件3 at A1",
    "none beyond the published table: the cost row self-score 17 vs rule 14.85 (warning)",
    sheet="附件3", department=LUSONG + "　", dept_label="市级预算部门（单位）名称",
    funds_label="年度预\n算申请\n（万元）", breakdown=SEED_003_BREAKDOWN, goals=SEED_003_GOALS,
    footer="填表人：易静   填报日期：2025.10.10  联系电话：28580500    单位负责人签字：文韶松"))
add(lusong(
    "02_lusong_2024_cover_lo.xlsx",
    "seed 003 re-typed by the department in WPS, saved by LibreOffice: 封面 sheet first, table at C5",
    "published values (cost warning 14.85/17); 执行数 typed '642.01万元', total typed '97分', 评价等次 优",
    producer="lo", origin=(5, 3), before=("cover",), funds=Funds(476.74, 642.01, "642.01万元", 10, "100%", 10),
    total="97分", grade="优", breakdown=SEED_003_BREAKDOWN, goals=SEED_003_GOALS,
    footer=[("填表人：", "易静"), ("联系电话：", "28580500"), ("填报日期：", "2025年10月10日")]))
add(lusong(
    "03_lusong_total97.xlsx",
    "seed 003 after a late correction: 文化惠民活动 lowered to 60场/3分 but the total left at 97; 填表说明 sheet first, table at B3",
    "TOTAL_MISMATCH 97 vs 95 (+ the published cost warning)",
    origin=(3, 2), before=("instructions",),
    lines=change(SEED_003, "文化惠民活动", actual="60场", score=3, reason="受天气影响部分场次取消，下一年度加强统筹。"),
    total=97, breakdown=SEED_003_BREAKDOWN))
add(lusong(
    "04_lusong_weights_41.xlsx",
    "seed 003 typed in Excel without the Word side labels, merged 一级/二级 cells; a clerk raised one weight",
    "数量指标 weights 5+5+5+6 → 产出 rows add to 41 under 产出指标(40分): WEIGHT_MISMATCH",
    side=False, lines=change(LUSONG_FIXED, "查处非法宗教活动", weight=6, score=6), total=95.85))
add(lusong(
    "05_lusong_rate95.xlsx",
    "seed 003 with the funds row typed from a wrong draft: 执行率 95%, 得分 9.5; title on row 2",
    "EXECUTION_RATE_MISMATCH 95% vs 100% and BUDGET_SCORE_MISMATCH 9.5 vs 10 (total consistent with 9.5)",
    origin=(2, 1), lines=LUSONG_FIXED, funds=Funds(476.74, 642.01, 642.01, 10, "95%", 9.5), total=94.35,
    goals=SEED_003_GOALS))
add(lusong(
    "06_lusong_budget9.xlsx",
    "seed 003 where the clerk docked the budget score: rate typed as the number 1 (shown 100%), 得分 9",
    "BUDGET_SCORE_MISMATCH 9 vs 10 (+ the published cost warning)",
    funds=Funds(476.74, 642.01, 642.01, 10, Pct(1.0), 9), total=96, breakdown=SEED_003_BREAKDOWN))
add(lusong(
    "07_lusong_clean_synonyms.xlsx",
    "seed 003 re-scored by the rule (cost 14.85) in an Excel sheet at B2, no merges, two unused 数量指标 rows left blank",
    "clean; header synonyms 权重 / 偏差原因 / 调整后预算数 / 实际执行数; 评价等次 优",
    origin=(2, 2), side=False, merge=False, grade="优", total=94.85,
    lines=LUSONG_FIXED[:4] + [(None, None, None, None, None, None, None, None)] * 2 + LUSONG_FIXED[4:],
    funds_headers=("年初预算数", "调整后预算数", "实际执行数", "分值", "执行率", "得分"),
    ind_headers=("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "权重", "得分", "偏差原因")))
add(Table(
    "08_liwan_2022_clean.xlsx",
    "seed 002 荔湾区委宣传部 2022 (perfxl.samples LIWAN_2022) in the Word layout: 2659.40/3663.27 = 72.60% → 7.26",
    "clean; 执行率 '72.60%', 评价等次 优, footer",
    LIWAN, 2022, LIWAN_LINES, LIWAN_FUNDS, 95.26, grade="优", goals=LIWAN_GOALS,
    footer=[("填表人：", "李明"), ("联系电话：", "81234567"), ("填报日期：", "2023.03.20")]))
add(Table(
    "09_liwan_2022_score73_lo.xlsx",
    "seed 002 with the budget score rounded by hand to 7.3; 填表说明 sheet first, table at B3, no side labels",
    "BUDGET_SCORE_MISMATCH 7.3 vs 7.26 (rate typed '72.6%' agrees: no finding); total 95.3 consistent",
    LIWAN, 2022, LIWAN_LINES, replace(LIWAN_FUNDS, rate="72.6%", score=7.3), 95.3, producer="lo",
    origin=(3, 2), side=False, before=("instructions",)))
add(Table(
    "10_ebian_online_2024_classic.xlsx",
    "seed 004 峨边在线 project (perfxl.samples EBIAN_2024) on the classic 10/50/30/10 scheme, MoF project table",
    "clean; 项目支出绩效自评表 / 项目资金（万元）/ 主管部门 / 实施单位; '—' in breakdown rows; total 100",
    EBIAN, 2024, EBIAN_LINES, EBIAN_FUNDS, 100, project="峨边在线", funds_label="项目资金（万元）",
    breakdown=EBIAN_BREAKDOWN, breakdown_dashes=True, goals=EBIAN_GOALS))
add(Table(
    "11_ebian_online_text_score_lo.xlsx",
    "seed 004 峨边在线 where the clerk wrote '见说明' in a score cell; total is a SUM formula; table at B2",
    "UNPARSEABLE_VALUE '见说明' (the SUM formula skips it, so no total finding)",
    EBIAN, 2024, change(EBIAN_LINES, "发布视频信息", score="见说明", reason="详见自评报告第三部分。"),
    EBIAN_FUNDS, SUM_TOTAL, producer="lo", project="峨边在线", funds_label="项目资金（万元）",
    origin=(2, 2), breakdown=EBIAN_BREAKDOWN, breakdown_dashes=True))
add(Table(
    "12_ebian_broadcast_classic.xlsx",
    "seed 004 推广服务及保障安全播出 project (24.4万元), classic, typed in Excel without side labels",
    "SCORE_RULE_MISMATCH (warning): qualitative 按月支付 met but scored 3 of 5 (band 4–5); reason given",
    EBIAN, 2024, BROADCAST_LINES, Funds(24.4, 24.4, 24.4, 10, "100%", 10), 98, side=False,
    project="推广服务及保障安全播出", funds_label="项目资金（万元）",
    breakdown=[("当年财政拨款", 24.4, 24.4, 24.4)]))
add(Table(
    "13_ebian_digital_text_lo.xlsx",
    "seed 004 数字化建设 project (5.8万元), classic, every number typed as text with units",
    "clean; '5.8万元', '10分', weights as text '10', total '100分'",
    EBIAN, 2024, DIGITAL_LINES, Funds("5.8万元", "5.8万元", "5.8万元", "10", "100%", "10分"), "100分",
    producer="lo", project="数字化建设", funds_label="项目资金（万元）", amount_format=None))
add(Table(
    "14_jinkouhe_2024_clean_lo.xlsx",
    "seed 000 金口河区委宣传部 2024 (1351.68万元) with a 封面 sheet, table at B3, breakdown rows by amount",
    "clean; 基本支出 501.65 vs 人员 415.13 + 公用 86.51 = 501.64 is within rounding tolerance; 评价等次 优",
    JINKOUHE, 2024, JINKOUHE_LINES, JINKOUHE_FUNDS, 100, producer="lo", origin=(3, 2), before=("cover",),
    grade="优", breakdown=JINKOUHE_BREAKDOWN, goals=JINKOUHE_GOALS,
    footer=[("填表人：", "沈文旭"), ("联系电话：", "0833-2712345"), ("填报日期：", "2025年3月10日")]))
add(Table(
    "15_yueyang_2020_grade.xlsx",
    "seed 001 岳阳楼区委宣传部 2020 with a poor year: rows scored by the rule, total 85, but 评价等次 typed 优",
    "GRADE_MISMATCH 优 vs 良 (all deductions explained; rate 90% → 9)",
    YUEYANG, 2020, GRADE_LINES, Funds(1106.2, 1184.36, 1065.92, 10, "90%", 9), 85, side=False,
    grade="优", funds_headers=("年初预算数", "全年预算数", "预算执行数", "分值", "执行率", "得分")))
add(Table(
    "16_yueyang_2020_no_reason.xlsx",
    "seed 001 岳阳楼区委宣传部 with satisfaction 93% scored 9.79 by the rule but no reason; table at B4",
    "DEVIATION_REASON_MISSING (warning); headers 未完成原因分析 and 调整后预算数",
    YUEYANG, 2020, change(YUEYANG_LINES, "社会公众满意度", actual="93%", score=9.79), YUEYANG_FUNDS, 97.79,
    origin=(4, 2), funds_headers=("年初预算数", "调整后预算数", "全年执行数", "分值", "执行率", "得分"),
    ind_headers=("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "未完成原因分析")))
add(lusong(
    "17_lusong_text_score.xlsx",
    "seed 003 re-scored by the rule, where the clerk typed a score in words ('五分') and added the total by hand",
    "UNPARSEABLE_VALUE '五分' and TOTAL_MISMATCH 94.85 vs 89.85",
    lines=change(LUSONG_FIXED, "《强国复兴有我》巡回宣讲", score="五分"), total=94.85,
    breakdown=SEED_003_BREAKDOWN))
add(Table(
    "18_jinkouhe_missing_score_lo.xlsx",
    "seed 000 金口河 with one score cell left empty; total is a SUM formula, 执行率 a formula",
    "MISSING_VALUE on the empty score (SUM gives 95, consistent)",
    JINKOUHE, 2024, change(JINKOUHE_LINES, "扫黄打非执法检查", score=None),
    replace(JINKOUHE_FUNDS, rate=RATE_FORMULA), SUM_TOTAL, producer="lo", side=False, origin=(2, 1)))
add(Table(
    "19_yueyang_negative_lo.xlsx",
    "seed 001 岳阳楼 where the clerk typed the deduction (-0.5) instead of the score; total is a SUM formula",
    "SCORE_OVER_WEIGHT (negative) and SCORE_RULE_MISMATCH 9.5 vs -0.5",
    YUEYANG, 2020, change(YUEYANG_LINES, "涉区舆情处置率", actual="95%", score=-0.5,
                          reason="处置率95%，扣0.5分。"),
    YUEYANG_FUNDS, SUM_TOTAL, producer="lo", breakdown=YUEYANG_BREAKDOWN))

OLD_WEIGHT_LINES = change(LUSONG_FIXED, "完成率", weight=15, score=15)
OLD_WEIGHT_LINES = change(OLD_WEIGHT_LINES, "投资环境", name="无", target=None, actual=None, weight=None, score=None)
OLD_WEIGHT_LINES = change(OLD_WEIGHT_LINES, "中心组学习", level="产出指标（45分）")
OLD_WEIGHT_LINES = change(OLD_WEIGHT_LINES, "品片宣传", level="效益指标（15分）")
add(lusong(
    "20_lusong_old_weights.xlsx",
    "seed 003 typed onto last year's sheet that used other first-level weights",
    "WEIGHT_MISMATCH 产出指标（45分） vs 40 and 效益指标（15分） vs 20 (rows add up to the labels; 可持续影响 row '无')",
    sheet="Sheet1", lines=OLD_WEIGHT_LINES, total=94.85))
add(Table(
    "21_liwan_2022_typo_lo.xlsx",
    "seed 002 荔湾 copied from a colleague's file: header typo 偏差原因分析及改进措旅, spaces and line breaks in headers",
    "clean (deducted rows carry reasons in the misspelt column); 执行率 stored as 0.726 shown 72.60%",
    LIWAN, 2022, LIWAN_LINES, replace(LIWAN_FUNDS, rate=Pct(0.726, "0.00%")), 95.26, producer="lo",
    ind_headers=("一级\n指标", "二级\n指标", "三级 指标", "年度\n指标值", "实际\n完成值", "分 值", " 得 分 ",
                 "偏差原因分析及改进措旅"),
    funds_headers=("年初\n预算数", "全年\n预算数", "全年\n执行数", "分值", "执行率", " 得 分 ")))
add(Table(
    "22_yueyang_2020_word_export.xlsx",
    "seed 001 岳阳楼区委宣传部 2020 exported from Word to Excel: every number is text, full-width digits, Sheet1",
    "clean; total typed '９８', weight/score '１０', amounts as text; 评价等次 优; footer line",
    YUEYANG, 2020, WORD_LINES, Funds("1106.20", "1184.36", "1184.36", "10", "100%", "10"), "９８",
    sheet="Sheet1", grade="优", total_weight="100", funds_label="年度预\n算申请\n（万元）",
    breakdown=YUEYANG_BREAKDOWN,
    goals=YUEYANG_GOALS, amount_format=None,
    footer="填表人：孟庆红　　联系电话：18692107518　　填报日期：2021年3月25日"))
add(Table(
    "23_liwan_2022_over_weight.xlsx",
    "seed 002 荔湾 where the clerk scored an over-achieved target in proportion (22/20 × 10 = 11)",
    "SCORE_OVER_WEIGHT 11 > 10 and SCORE_RULE_MISMATCH 10 vs 11 (total 96.26 consistent)",
    LIWAN, 2022, change(LIWAN_LINES, "重大主题宣传活动", score=11, reason="超额完成目标（22场/20场），按完成比例计分。"),
    LIWAN_FUNDS, 96.26, side=False, sheet="2022自评表"))


def build_letter(book: Workbook) -> None:
    ws = book.active
    ws.title = "报送函"
    ws.column_dimensions["A"].width = 100
    lines = [
        "关于报送2024年度部门整体支出绩效自评材料的函",
        "",
        "芦淞区财政局：",
        "    根据《关于开展2024年度预算绩效自评工作的通知》要求，我部已完成2024年度部门整体支出绩效自评，"
        "自评得分97分，评价等次为优。现将自评报告及自评表报送你局，请予审核。",
        "    附件：1．2024年度部门整体支出绩效自评报告",
        "          2．2024年度部门（单位）整体支出绩效自评表（另附）",
        "",
        "中国共产党株洲市芦淞区委员会宣传部",
        "2025年10月10日",
        "（联系人：易静，联系电话：28580500）",
    ]
    for index, text in enumerate(lines, start=1):
        if text:
            ws.cell(row=index, column=1, value=text)


def build_ledger(book: Workbook) -> None:
    ws = book.active
    ws.title = "2024年支出明细账"
    ws["A1"] = "中共乐山市金口河区委宣传部2024年项目支出明细账"
    ws.merge_cells("A1:G1")
    headers = ["日期", "凭证号", "摘要", "科目", "借方金额（元）", "贷方金额（元）", "余额（元）"]
    for col, text in enumerate(headers, start=1):
        ws.cell(row=3, column=col, value=text)
        ws.column_dimensions[get_column_letter(col)].width = 16
    ws.column_dimensions["C"].width = 36
    entries = [
        ("2024-01-05", "记-001", "年初指标下达", "财政拨款收入", None, 8500300.00),
        ("2024-01-18", "记-014", "支付理论学习中心组专家辅导讲课费", "委托业务费", 12000.00, None),
        ("2024-02-06", "记-027", "购买《金口河舆情月报》印刷服务", "印刷费", 8640.00, None),
        ("2024-03-12", "记-041", "农村公益电影放映补助（第一季度）", "其他商品和服务支出", 61500.00, None),
        ("2024-04-20", "记-058", "扫黄打非专项行动执法检查差旅", "差旅费", 3260.50, None),
        ("2024-05-16", "记-072", "“金口融媒”APP提档升级服务费", "委托业务费", 186000.00, None),
        ("2024-06-28", "记-095", "农村公益电影放映补助（第二季度）", "其他商品和服务支出", 61500.00, None),
        ("2024-07-09", "记-103", "铁道兵博物馆开馆宣传品制作", "印刷费", 45800.00, None),
        ("2024-09-14", "记-131", "城市形象宣传片拍摄制作", "委托业务费", 280000.00, None),
        ("2024-10-22", "记-150", "农村公益电影放映补助（第三季度）", "其他商品和服务支出", 61500.00, None),
        ("2024-12-20", "记-188", "农村公益电影放映补助（第四季度）", "其他商品和服务支出", 61500.00, None),
    ]
    balance = Decimal(0)
    for offset, (day, voucher, summary, account, debit, credit) in enumerate(entries):
        row = 4 + offset
        balance += Decimal(str(credit or 0)) - Decimal(str(debit or 0))
        for col, value in enumerate((day, voucher, summary, account, debit, credit, float(balance)), start=1):
            if value is not None:
                ws.cell(row=row, column=col, value=value)
        for col in (5, 6, 7):
            ws.cell(row=row, column=col).number_format = "#,##0.00"
    ws.cell(row=5 + len(entries), column=1, value="记账：沈文旭")
    ws.cell(row=5 + len(entries), column=5, value="审核：")


add(Unknown("24_cover_letter_only.xlsx",
            "a cover letter (报送函) saved as .xlsx instead of the table; mentions 自评表 and 97分 in prose",
            build_letter))
add(Unknown("25_expenditure_ledger_lo.xlsx",
            "an expenditure ledger (支出明细账) sent by mistake: dates, vouchers, amounts; no 分值/得分 columns",
            build_ledger, producer="lo"))


# --------------------------------------------------------------------------------------------------
# Hand re-statement of the planted arithmetic: (declared, computed) and {(code, expected, found)}
# --------------------------------------------------------------------------------------------------

RULE_COST = ("SCORE_RULE_MISMATCH", 14.85, 17)  # 476.74 / 642.01 × 20 = 14.8515 → 14.85; typed 17
GAP_88 = ("SPENDING_PERFORMANCE_GAP", 0.726, 0.9778)
HAND_CHECKS: dict[str, tuple[object, object, set]] = {
    "01": (97, 97, {RULE_COST}),
    "02": (97, 97, {RULE_COST}),
    "03": (97, 95, {("TOTAL_MISMATCH", 95, 97), RULE_COST}),  # 10 + 5+5+3+5+10+10 + 20 + 10 + 17 = 95
    "04": (95.85, 95.85, {("WEIGHT_MISMATCH", 40, 41)}),  # 5+5+5+6+10+10 = 41
    "05": (94.35, 94.35, {("EXECUTION_RATE_MISMATCH", 1, 0.95), ("BUDGET_SCORE_MISMATCH", 10, 9.5)}),
    "06": (96, 96, {("BUDGET_SCORE_MISMATCH", 10, 9), RULE_COST}),
    "07": (94.85, 94.85, set()),
    # Seed 002's execution of 72.60% against indicators scored 88 of 90: 0.9778 − 0.726 > 5% × 0.9778.
    "08": (95.26, 95.26, {GAP_88}),  # 2659.40 / 3663.27 = 0.72597 → 7.26; 7.26 + 10+10+4+10+5 + 9+10 + 10 + 20
    "09": (95.3, 95.3, {("BUDGET_SCORE_MISMATCH", 7.26, 7.3), GAP_88}),
    "10": (100, 100, set()),
    "11": (90, 90, {("UNPARSEABLE_VALUE", None, "见说明")}),
    "12": (98, 98, {("SCORE_RULE_MISMATCH", "4–5", 3)}),
    "13": (100, 100, set()),
    "14": (100, 100, set()),
    "15": (85, 85, {("GRADE_MISMATCH", "良", "优")}),  # 9 + (5+2.5+2.5+4+9+10) + (9+9) + 9 + 16 = 85
    "16": (97.79, 97.79, {("DEVIATION_REASON_MISSING", 10, 9.79)}),  # 0.93 / 0.95 × 10 = 9.789 → 9.79
    "17": (94.85, 89.85, {("UNPARSEABLE_VALUE", None, "五分"), ("TOTAL_MISMATCH", 89.85, 94.85)}),
    "18": (95, 95, {("MISSING_VALUE", None, None)}),
    "19": (87.5, 87.5, {("SCORE_OVER_WEIGHT", 0, -0.5), ("SCORE_RULE_MISMATCH", 9.5, -0.5)}),
    "20": (94.85, 94.85, {("WEIGHT_MISMATCH", 40, 45), ("WEIGHT_MISMATCH", 20, 15)}),
    "21": (95.26, 95.26, {GAP_88}),
    "22": (98, 98, set()),
    "23": (96.26, 96.26, {("SCORE_OVER_WEIGHT", 10, 11), ("SCORE_RULE_MISMATCH", 10, 11),
                          ("SPENDING_PERFORMANCE_GAP", 0.726, 0.9889)}),  # 89 of 90
    "24": (None, None, {("UNKNOWN_LAYOUT", None, None)}),
    "25": (None, None, {("UNKNOWN_LAYOUT", None, None)}),
}


def hand_check(expected: dict) -> None:
    assert len(expected) == len(HAND_CHECKS), "every file has a hand check"
    for name, entry in expected.items():
        declared, computed, codes = HAND_CHECKS[name[:2]]
        got = {(f["code"], f["expected"], f["found"]) for f in entry["findings"]}
        assert len(got) == len(entry["findings"]), name
        assert got == codes, f"{name}: engine {sorted(map(str, got))} vs hand {sorted(map(str, codes))}"
        assert (entry["declared_total"], entry["computed_total"]) == (declared, computed), name


# --------------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------------


def normalise_zip(path: Path) -> None:
    """Fixed timestamps in the zip and in core.xml, so that rebuilt files are byte-identical.

    Only the zip dates and ``dcterms:modified`` change; every part stays as its writer produced it.
    """
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' with the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-03-15T09:30:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 3, 15, 9, 30, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)


def unknown_expectation() -> dict:
    return {"layout": None, "scheme": None, "department": None, "declared_total": None, "computed_total": None,
            "findings": [finding("UNKNOWN_LAYOUT", None)]}


def layout_notes(t: Table) -> str:
    notes = [f"sheet `{t.sheet}`, table at {ref(*t.origin)}"]
    notes += {"cover": ["封面 sheet first"], "instructions": ["填表说明 sheet first"]}.get(t.before[0], []) \
        if t.before else []
    notes.append("Word-style side labels" if t.side else "no side labels")
    notes.append("merged 一级/二级指标" if t.merge else "一级/二级 labels only on their first row, no merges")
    if t.project:
        notes.append(f"项目支出绩效自评表 ({t.project})")
    if t.breakdown:
        notes.append("funds breakdown " + ("as text cells" if len(t.breakdown[0]) == 2 else "as amount rows"))
    if isinstance(t.total, Formula) or isinstance(t.funds.rate, Formula):
        notes.append("formulas (total" + (", 执行率" if isinstance(t.funds.rate, Formula) else "") + ")")
    if t.grade is not None:
        notes.append("评价等次 row")
    if t.footer:
        notes.append("填表人 footer")
    return "; ".join(notes)


def _show(value: object) -> str:
    return "null" if value is None else str(value)


def write_readme(expected: dict) -> None:
    lines = [
        "# Standard-form corpus",
        "",
        "Workbooks that hold the standard 绩效自评表 but were **not** made by perfxl, and the findings a",
        "reader must give for each (`expected.json`). Rebuild with `python tests/corpus/build_corpus.py`",
        "(needs LibreOffice: files named `*_lo.xlsx` are re-saved by a real LibreOffice, the rest by",
        "openpyxl; the zip dates and `modified` stamp are fixed, so a rebuild is byte-identical).",
        "",
        "`expected.json` is computed by the script from the values it plants (never typed by hand),",
        "cross-checked against a hand re-statement of the arithmetic (`HAND_CHECKS`), and every saved file",
        "is re-opened to confirm each cell holds what the expectation assumed (`verify`).",
        "",
        "## Conventions the expectations follow",
        "",
        "- Per file: `layout` (`standard-form`, or null without a table), `scheme`, `department` (stripped",
        "  of surrounding whitespace; project tables type the same unit as 主管部门 and 实施单位),",
        "  `declared_total`, `computed_total`, and the **complete** list of findings (errors and warnings,",
        "  order irrelevant) as `code`, `cell` (A1 on the table sheet), `expected`, `found`. Numbers are",
        "  rounded to 2 decimals, rates are fractions to 4 decimals (95% → 0.95).",
        "- Scheme: a 成本指标 first-level block → `standard` (10/40/20/10/20), else `classic` (10/50/30/10);",
        "  a 二级 成本指标 under 产出 (classic project tables) is not a first-level block.",
        "- Unused rows (三级指标 blank or `无`, nothing else typed) are ignored.",
        "- `computed_total` = declared 年度资金总额 得分 + sum of the indicator 得分 that are numbers.",
        "  TOTAL_MISMATCH when it differs from the declared 总分 得分 by more than 0.005.",
        "- SCORE_OVER_WEIGHT: score > 分值 (expected 分值) or < 0 (expected 0). WEIGHT_MISMATCH on the",
        "  first-level label cell: the label's stated weight if it differs from the scheme, otherwise the sum",
        "  of the 分值 under it; one finding per block at most.",
        "- EXECUTION_RATE_MISMATCH expected ROUND(执行数/预算数, 4); BUDGET_SCORE_MISMATCH expected",
        "  ROUND(MIN(rate, 1) × 10, 2) with the true rate. GRADE_MISMATCH against the computed total.",
        "- UNPARSEABLE_VALUE (found = the text) and MISSING_VALUE (found null) on the score cell; such a",
        "  row gets no other row finding. SCORE_RULE_MISMATCH (warning) when the self-score differs from",
        "  the rule by more than 0.005 (expected a number), or, for a met qualitative indicator, lies",
        "  outside 80–100% of 分值 (expected `\"4–5\"`, en dash). DEVIATION_REASON_MISSING (warning) on the",
        "  empty reason cell of a row scored below its 分值 (negative scores included).",
        "- Formulas (files 11, 18, 19) were computed by LibreOffice: read their cached values; they are",
        "  not perfxl templates, so no formula or NOT_RECALCULATED findings. `=100%` typed in a target cell",
        "  is stored as text, not as a formula.",
        "- Every funds breakdown adds up (seed 000's 501.65 vs 415.13 + 86.51 = 501.64 is inside the",
        "  domain.md §4 interval tolerance), so no file expects AMOUNT_SUM_MISMATCH.",
        "- SPENDING_PERFORMANCE_GAP (warning) on the budget score cell when the indicator score rate",
        "  S/(100 − w) exceeds the rule's budget score rate B/w by more than 5% of S/(100 − w): expected",
        "  B/w, found S/(100 − w), fractions to 4 decimals (seed 002's 72.60% against 88 of 90).",
        "- Left out on purpose (the script refuses to plant them): a rate that agrees only as an interval",
        "  but not after ROUND(…, 4); qualitative actuals other than the target or 达成/完成; targets",
        "  over-achieved by 120% or more; `>`/`<` met exactly; `=` or blank operators inside a classic",
        "  二级 成本指标 group; 执行数 > 预算数; rule scores on a half-cent boundary.",
        "",
        "## Files",
        "",
        "| file | imitates | layout | planted | expected findings |",
        "|---|---|---|---|---|",
    ]
    for item in TABLES:
        entry = expected[item.name]
        found = ", ".join(
            f"{f['code']}@{f['cell']}" + ("" if f["code"] in ("UNKNOWN_LAYOUT", "MISSING_VALUE")
                                          else f" ({_show(f['expected'])} vs {_show(f['found'])})")
            for f in entry["findings"]) or "none"
        if isinstance(item, Unknown):
            layout = "no scoring table" + ("; saved by LibreOffice" if item.producer == "lo" else "")
        else:
            layout = layout_notes(item) + ("; saved by LibreOffice" if item.producer == "lo" else "")
            found = f"{entry['scheme']}, total {entry['declared_total']}/{entry['computed_total']}: " + found
        lines.append(f"| `{item.name}` | {item.imitates} | {layout} | {item.planted} | {found} |")
    lines.append("")
    (HERE / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    from lo import missing_reason, run_jobs

    reason = missing_reason()
    if reason:
        sys.exit(f"LibreOffice is needed to build the corpus: {reason}")
    names = [item.name for item in TABLES]
    assert len(set(names)) == len(names)
    FILES.mkdir(parents=True, exist_ok=True)
    for old in FILES.glob("*.xlsx"):
        old.unlink()
    expected: dict[str, dict] = {}
    placed_by_name: dict[str, Placed] = {}
    with tempfile.TemporaryDirectory(prefix="perfxl-corpus-") as work:
        jobs = []
        for item in TABLES:
            if isinstance(item, Unknown):
                book = Workbook()
                item.build(book)
                expected[item.name] = unknown_expectation()
            else:
                book, placed = build_book(item)
                placed_by_name[item.name] = placed
                expected[item.name] = expect(item, placed)
            book.properties.creator = "Administrator"
            book.properties.created = book.properties.modified = FIXED_TIME
            assert item.name.endswith("_lo.xlsx") == (item.producer == "lo"), item.name
            if item.producer == "lo":
                source = Path(work) / f"in_{item.name}"
                book.save(source)
                jobs.append({"input": str(source), "output": str(Path(work) / item.name), "ops": []})
            else:
                book.save(FILES / item.name)
                normalise_zip(FILES / item.name)
        if jobs:
            for job, result in zip(jobs, run_jobs(jobs), strict=True):
                if not result["ok"]:
                    sys.exit(f"LibreOffice failed on {job['input']}:\n{result['error']}")
                shutil.copyfile(job["output"], FILES / Path(job["output"]).name)
                normalise_zip(FILES / Path(job["output"]).name)  # LibreOffice's parts, fixed timestamps
    for item in TABLES:
        path = FILES / item.name
        if isinstance(item, Unknown):
            load_workbook(path)
        else:
            verify(path, item, placed_by_name[item.name])
    hand_check(expected)
    (HERE / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n",
                                        encoding="utf-8")
    write_readme(expected)
    lo_count = sum(item.producer == "lo" for item in TABLES)
    print(f"wrote {len(TABLES)} files ({lo_count} saved by LibreOffice), expected.json, README.md")


if __name__ == "__main__":
    main()
