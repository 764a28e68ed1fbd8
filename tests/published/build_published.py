"""Build the published-table corpus: scoring tables transcribed from real published reports.

    .venv/bin/python tests/published/build_published.py [--out DIR] [--no-libreoffice] [--dry-run]

Reads ``tables/*.json`` (one published grid each, see README.md) and writes into ``files/`` (or
``--out DIR``): every table as an ``.xlsx``; for the tables of ``LO_FORMATS`` LibreOffice's
``.xls`` and ``.ods`` saves of that xlsx (needs soffice and the system python3-uno; skipped with
``--no-libreoffice``); for the tables of ``DOCX`` a Word report whose table is the grid. Then
``expected.json`` beside the files: what a careful reviewer reports for each file, recomputed here
from the grid and the table's ``reading`` (which cell is what) with this script's own Decimal
arithmetic. Nothing of perfxl is imported. Document properties and zip dates are fixed, so a
rebuild gives the same bytes (tests/test_published.py checks it).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries

HERE = Path(__file__).resolve().parent
TABLES = HERE / "tables"
FILES = HERE / "files"
sys.path.insert(0, str(HERE.parent / "corpus_tables"))

from build_corpus_tables import (  # noqa: E402  (the multi-table corpus's save helpers, reused as they are)
    FILTERS,
    FIXED_TIME,
    fix_ole_stamp,
    half,
    jnum,
    missing_libreoffice,
    normalise_zip,
    rhu,
    run_libreoffice,
)

#: Tables also saved by LibreOffice as .xls and .ods (the stem's xlsx converted).
LO_FORMATS = ("01", "02", "03", "04", "06", "15", "17", "19")
#: Tables also written as a Word report.
DOCX = ("01", "02", "06", "16", "18")

TOL = Decimal("0.005")  # a typed score is exact
OVERSHOOT = Decimal("1.2")
GAP_THRESHOLD = Decimal("0.05")
SCHEMES = {
    "standard": {"budget": 10, "output": 40, "benefit": 20, "satisfaction": 10, "cost": 20},
    "classic": {"budget": 10, "output": 50, "benefit": 30, "satisfaction": 10},
}
LEVEL_WORDS = (("决策", "decision"), ("管理", "management"), ("产出", "output"), ("效益", "benefit"),
               ("满意", "satisfaction"), ("成本", "cost"))
NO_REASON = {"", "无", "/"}
DASHES = {"—", "-", "--", "/", "——"}
ACHIEVED = ("达成", "完成")


# --------------------------------------------------------------------------------------------------
# The grid
# --------------------------------------------------------------------------------------------------


def cell_ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def split_ref(ref: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(ref)
    return row, column_index_from_string(letters)


@dataclass
class Grid:
    """One table as published: rows of cell values, merged ranges, number formats, the reading."""

    name: str  # the JSON file's stem, 'NN_province_short'
    data: dict
    anchors: dict = field(default_factory=dict)  # (row, col) of every merged cell → its range's top-left

    @property
    def rows(self) -> list[list]:
        return self.data["rows"]

    @property
    def number(self) -> str:
        return self.name[:2]

    @property
    def reading(self) -> dict:
        return self.data["reading"]

    def raw(self, ref: str):
        row, col = split_ref(ref)
        row, col = self.anchors.get((row, col), (row, col))
        return self.rows[row - 1][col - 1]

    def anchor(self, ref: str) -> str:
        row, col = split_ref(ref)
        return cell_ref(*self.anchors.get((row, col), (row, col)))

    def fmt(self, ref: str) -> str | None:
        return self.data.get("number_cells", {}).get(self.anchor(ref))


def load(path: Path) -> Grid:
    grid = Grid(path.stem, json.loads(path.read_text(encoding="utf-8")))
    problems = check_grid(grid)
    if problems:
        sys.exit(f"{path.name}: " + "; ".join(problems))
    return grid


def check_grid(grid: Grid) -> list[str]:
    """The JSON is a clean grid: rectangular, merges inside it and disjoint, nothing hidden under a merge."""
    problems = []
    rows = grid.rows
    width = len(rows[0]) if rows else 0
    if any(len(row) != width for row in rows):
        problems.append("rows are not all of one width")
    for row in rows:
        for value in row:
            if not (value is None or isinstance(value, (str, int, float))) or isinstance(value, bool):
                problems.append(f"a cell holds {value!r}")
            elif isinstance(value, str) and (not value.strip() or value != value.rstrip("\n")):
                problems.append(f"a blank or padded text cell {value!r}")
    for rng in grid.data["merges"]:
        c1, r1, c2, r2 = range_boundaries(rng)
        if not (1 <= r1 <= r2 <= len(rows) and 1 <= c1 <= c2 <= width) or (r1, c1) == (r2, c2):
            problems.append(f"merge {rng} outside the grid or of one cell")
            continue
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) in grid.anchors:
                    problems.append(f"merge {rng} overlaps another")
                grid.anchors[(r, c)] = (r1, c1)
                if (r, c) != (r1, c1) and rows[r - 1][c - 1] is not None:
                    problems.append(f"{cell_ref(r, c)} holds a value under merge {rng}")
    for ref, fmt in grid.data.get("number_cells", {}).items():
        row, col = split_ref(ref)
        if not (row <= len(rows) and col <= width) or to_number(rows[row - 1][col - 1], fmt) is None:
            problems.append(f"number cell {ref} ({fmt}) holds no number")
    for key in ("source", "kind", "title", "sheet", "notes", "derived_from", "rows", "merges", "reading"):
        if key not in grid.data:
            problems.append(f"no {key!r}")
    return problems


def to_number(value, fmt: str | None):
    """What a spreadsheet stores for a cell of ``number_cells``: '100.00%' → 1, 238.93 → 238.93."""
    if isinstance(value, (int, float)):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    percent = text.endswith("%")
    try:
        number = Decimal(text.rstrip("%"))
    except ArithmeticError:
        return None
    if percent != (fmt or "").endswith("%"):
        return None
    number = number / 100 if percent else number
    return int(number) if number == number.to_integral_value() else float(number)


def printed(value, fmt: str | None) -> str:
    """A cell as printed (a Word table has no numbers): 0 with format '0.00' → '0.00'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if fmt and fmt.endswith("%"):
        places = len(fmt.partition(".")[2].rstrip("%"))
        return f"{Decimal(repr(value)) * 100:.{places}f}%"
    if fmt == "0.00":
        return f"{Decimal(repr(value)):.2f}"
    return str(value)


# --------------------------------------------------------------------------------------------------
# Writing the files
# --------------------------------------------------------------------------------------------------


def write_xlsx(grid: Grid, path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.title = grid.data["sheet"]
    numbers = grid.data.get("number_cells", {})
    for r, row in enumerate(grid.rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            ref = cell_ref(r, c)
            cell = ws.cell(row=r, column=c)
            if ref in numbers:
                cell.value, cell.number_format = to_number(value, numbers[ref]), numbers[ref]
            else:
                cell.value = value
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # '=8个' is a typed target, not a formula
            if isinstance(value, str) and (len(value) > 12 or "\n" in value):
                cell.alignment = Alignment(wrap_text=True, vertical="center")
    for rng in grid.data["merges"]:
        ws.merge_cells(rng)
    for c in range(1, len(grid.rows[0]) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14
    book.properties.creator = "Administrator"
    book.properties.created = book.properties.modified = FIXED_TIME
    book.save(path)
    normalise_zip(path)


def write_docx(grid: Grid, path: Path) -> None:
    """A short report: a heading, the grid as a Word table (gridSpan/vMerge merges), a closing line."""
    from docx import Document

    doc = Document()
    doc.add_paragraph(f"附件:{grid.data['title'] or '部门整体支出绩效自评表'}")
    rows, width = grid.rows, len(grid.rows[0])
    table = doc.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for rng in grid.data["merges"]:
        c1, r1, c2, r2 = range_boundaries(rng)
        table.cell(r1 - 1, c1 - 1).merge(table.cell(r2 - 1, c2 - 1))
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                table.cell(r - 1, c - 1).text = printed(value, grid.fmt(cell_ref(r, c)))
    doc.add_paragraph("本表按公开发布的自评表转录。")
    props = doc.core_properties
    props.author = props.last_modified_by = "Administrator"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    props.title = props.subject = props.comments = ""
    doc.save(path)
    normalise_zip(path)


def convert_with_libreoffice(jobs: list[tuple[Path, Path]]) -> None:
    import datetime

    started = datetime.datetime.utcnow()
    run_libreoffice([{"input": str(source), "output": str(target), "filter": FILTERS[target.suffix[1:]]}
                     for source, target in jobs])
    for _, target in jobs:
        if target.suffix == ".xls":
            fix_ole_stamp(target, started)
        else:
            normalise_zip(target)


def verify_xlsx(grid: Grid, path: Path) -> None:
    """Re-open the saved workbook: every cell holds what the expectation assumed, no formula."""
    ws = load_workbook(path)[grid.data["sheet"]]
    numbers = grid.data.get("number_cells", {})
    for r, row in enumerate(grid.rows, start=1):
        for c, value in enumerate(row, start=1):
            ref = cell_ref(r, c)
            found = ws[ref].value
            want = to_number(value, numbers[ref]) if ref in numbers else value
            assert ws[ref].data_type != "f", (path.name, ref)
            if isinstance(want, (int, float)):
                assert isinstance(found, (int, float)) and abs(found - want) < 1e-9, (path.name, ref, found, want)
            else:
                assert found == want, (path.name, ref, found, want)
    assert {str(m) for m in ws.merged_cells.ranges} == set(grid.data["merges"]), path.name


def verify_values(grid: Grid, path: Path) -> None:
    """A LibreOffice save read back with python-calamine: every cell holds what the xlsx held."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == [grid.data["sheet"]], (path.name, book.sheet_names)
    rows = book.get_sheet_by_name(grid.data["sheet"]).to_python(skip_empty_area=False)
    numbers = grid.data.get("number_cells", {})
    for r, row in enumerate(grid.rows, start=1):
        for c, value in enumerate(row, start=1):
            ref = cell_ref(r, c)
            want = to_number(value, numbers[ref]) if ref in numbers else value
            found = rows[r - 1][c - 1] if r <= len(rows) and c <= len(rows[r - 1]) else ""
            if isinstance(want, (int, float)):
                assert isinstance(found, (int, float)) and abs(found - want) < 1e-9, (path.name, ref, found, want)
            else:
                assert found.replace("\r\n", "\n") == (want or ""), (path.name, ref, found, want)


# --------------------------------------------------------------------------------------------------
# Reading a cell the way the conventions mean it
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    kind: str  # "blank" | "number" | "text"
    number: Decimal | None = None
    op: str = ""
    percent: bool = False
    places: int = 0  # decimals of the stored value (a fraction for percentages: '72.6%' → 3)
    text: str = ""


_NUMBER = re.compile(r"^(?P<op>≥|≤|>=|<=|=|>|<)?(?P<num>-?\d+(?:\.\d+)?)(?P<unit>\D*)$")


#: Look-alike operators some provincial exports type (NFKC already maps '﹦' and full-width forms).
LOOKALIKES = str.maketrans({"≧": "≥", "≦": "≤", "═": "="})


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).translate(LOOKALIKES)


def read(raw, fmt: str | None = None, percent_column: bool = False) -> Value:
    """A cell's value: numbers with their precision, '≥50个' → ≥ 50, '≥100百分比' → ≥ 1.00, '17分' → 17."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Value("blank")
    if isinstance(raw, (int, float)):
        number = Decimal(repr(raw))
        places = max(-number.as_tuple().exponent, 0)
        if fmt and fmt.endswith("%"):
            return Value("number", number, percent=True, places=len(fmt.partition(".")[2].rstrip("%")) + 2)
        if percent_column:  # a bare 100 under '执行率(%)' means 100 %
            return Value("number", number / 100, percent=True, places=places + 2)
        return Value("number", number, places=places)
    text = squeeze(raw)
    match = _NUMBER.match(text)
    if not match:
        return Value("text", text=text)
    op = {">=": "≥", "<=": "≤"}.get(match.group("op") or "", match.group("op") or "")
    number, unit = Decimal(match.group("num")), match.group("unit")
    places = max(-number.as_tuple().exponent, 0)
    if unit in ("%", "百分比"):
        return Value("number", number / 100, op, True, places + 2, text)
    return Value("number", number, op, False, places, text)


def level_key(label: str) -> str:
    for word, key in LEVEL_WORDS:
        if word in label:
            return key
    raise ValueError(f"not a first-level label: {label!r}")


_LABEL_WEIGHT = re.compile(r"[(（](\d+(?:\.\d+)?)分?[)）]")


def label_weight(label: str) -> Decimal | None:
    match = _LABEL_WEIGHT.search(squeeze(label))
    return Decimal(match.group(1)) if match else None


def short(value: Decimal) -> str:
    text = f"{rhu(value, 2):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def grade_of(total: Decimal) -> str:
    for bound in (60, 80, 90):
        assert not Decimal(0) < abs(total - bound) <= TOL, f"total {total} on the edge of a grade band"
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def is_placeholder_name(text: str) -> bool:
    s = squeeze(text)
    # NFKC turns '……' into '......'
    return s == "/" or re.fullmatch(r"\.{2,}|指标\d+[:：]?/?", s) is not None


# --------------------------------------------------------------------------------------------------
# The expectations of one table
# --------------------------------------------------------------------------------------------------


@dataclass
class Check:
    """The findings of one table as they are found, and what the total is made of."""

    grid: Grid
    findings: list = field(default_factory=list)
    budget_weight: Decimal = Decimal(0)
    rule_budget: Decimal | None = None
    declared_budget: Decimal | None = None
    rate: Decimal | None = None
    scores: list = field(default_factory=list)  # indicator scores that are numbers
    level_rows: dict = field(default_factory=dict)  # level key → (label cell, label, [weights], [scores])
    score_cells: set = field(default_factory=set)  # anchors of the score cells already counted

    def add(self, code: str, ref: str | None, expected=None, found=None) -> None:
        self.findings.append({"code": code, "cell": self.grid.anchor(ref) if ref else None,
                              "expected": expected, "found": found})

    def value(self, ref: str, percent_column: bool = False) -> Value:
        return read(self.grid.raw(ref), self.grid.fmt(ref), percent_column)


def adds_up(total: Value, parts: list[Value]) -> bool:
    """domain.md §4: each amount is v ± ½·10⁻ᵈ; flag a sum only where the intervals cannot meet."""
    diff = abs(total.number - sum((p.number for p in parts), Decimal(0)))
    return diff <= half(total.places) + sum((half(p.places) for p in parts), Decimal(0))


def check_funds(ch: Check) -> None:
    funds = ch.grid.reading["funds"]
    row, cols = funds["row"], funds["cols"]
    at = {key: f"{col}{row}" for key, col in cols.items()}
    amounts = {key: ch.value(at[key]) for key in ("initial", "budget", "executed") if key in at}
    parts = [{key: ch.value(f"{cols[key]}{r}") for key in amounts} for r in funds.get("parts", [])]
    zeros = all(v.kind == "number" and v.number == 0 for v in amounts.values())
    part_numbers = [p for p in parts if any(v.kind == "number" and v.number for v in p.values())]
    assert funds.get("zero_total_row", False) == (zeros and bool(part_numbers)), f"{ch.grid.name}: zero total row"
    if funds.get("zero_total_row"):
        # The system's export leaves 年度资金总额 at 0/0/0: the figures are those of its breakdown rows.
        amounts = {key: Value("number", sum((p[key].number for p in parts if p[key].kind == "number"), Decimal(0)),
                              places=max(p[key].places for p in parts if p[key].kind == "number"))
                   for key in amounts}
    else:
        for key, total in amounts.items():
            items = [p[key] for p in parts if p[key].kind == "number"]
            if items and total.kind == "number" and not adds_up(total, items):
                ch.add("AMOUNT_SUM_MISMATCH", at[key], jnum(sum(x.number for x in items)), jnum(total.number))
    check_text_parts(ch, funds.get("text_parts", {}))
    budget, executed = amounts["budget"], amounts["executed"]
    assert budget.kind == executed.kind == "number" and budget.number > 0, f"{ch.grid.name}: budget figures"
    if executed.number > budget.number:
        ch.add("EXECUTED_OVER_BUDGET", at["executed"], jnum(budget.number), jnum(executed.number))
    ch.rate = executed.number / budget.number
    if "rate" in at:
        header = squeeze(str(ch.grid.raw(f"{cols['rate']}{row - 1}") or ""))
        check_rate(ch, at["rate"], ch.value(at["rate"], percent_column="%" in header), ch.rate)
    for r in funds.get("parts", []):
        part = {key: ch.value(f"{cols[key]}{r}") for key in ("budget", "executed", "rate") if key in cols}
        if part.get("rate", Value("blank")).kind == "number" and part["budget"].kind == "number" \
                and part["budget"].number > 0:
            check_rate(ch, f"{cols['rate']}{r}", part["rate"], part["executed"].number / part["budget"].number)
    check_budget_score(ch, at)


def check_rate(ch: Check, ref: str, typed: Value, true: Decimal) -> None:
    """A typed rate is the interval of the percentage it shows (domain.md §4); blank: nothing to compare."""
    if typed.kind == "blank":
        return
    assert typed.kind == "number", f"{ch.grid.name} {ref}: a rate is a number"
    slack = half(max(typed.places, 2))
    off_true, off_rounded = abs(typed.number - true), abs(typed.number - rhu(true, 4))
    assert (off_true <= slack) == (off_rounded <= slack), f"{ch.grid.name} {ref}: rate verdict depends on rounding"
    if off_true > slack:
        ch.add("EXECUTION_RATE_MISMATCH", ref, jnum(rhu(true, 4), 4), jnum(typed.number, 4))


def check_budget_score(ch: Check, at: dict) -> None:
    scheme = ch.grid.reading["scheme"]
    weight = ch.value(at["weight"]) if "weight" in at else Value("blank")
    if scheme in SCHEMES:
        ch.budget_weight = Decimal(SCHEMES[scheme]["budget"])
        if weight.kind == "number" and weight.number != ch.budget_weight:
            ch.add("WEIGHT_MISMATCH", at["weight"], jnum(ch.budget_weight), jnum(weight.number))
    elif weight.kind == "number":
        ch.budget_weight = weight.number
    elif "weight_label" in ch.grid.reading["funds"]:  # '预算执行情况(万元)(20分)': the weight is in the label
        ch.budget_weight = label_weight(str(ch.grid.raw(ch.grid.reading["funds"]["weight_label"])))
    else:
        ch.budget_weight = Decimal(0)
    if "score" not in at:
        return
    ch.rule_budget = rhu(min(ch.rate, Decimal(1)) * ch.budget_weight, 2)
    score = ch.value(at["score"])
    if score.kind == "blank":
        ch.add("MISSING_VALUE", at["score"], None, None)
    elif score.kind == "text":
        ch.add("UNPARSEABLE_VALUE", at["score"], None, str(ch.grid.raw(at["score"])).strip())
    else:
        ch.declared_budget = score.number
        if abs(score.number - ch.rule_budget) > TOL:
            ch.add("BUDGET_SCORE_MISMATCH", at["score"], jnum(ch.rule_budget), jnum(score.number))


def check_text_parts(ch: Check, groups: dict) -> None:
    """'按收入性质分：642.01' over '其中：一般公共预算：598.25', … : the amount is after the last colon."""
    for spec in groups.values():
        def amount(ref: str) -> Value:
            return read(re.split(r"[:：]", str(ch.grid.raw(ref) or ""))[-1])
        total, parts = amount(spec["total"]), [amount(ref) for ref in spec["parts"]]
        parts = [p for p in parts if p.kind == "number"]
        if total.kind == "number" and parts and not adds_up(total, parts):
            ch.add("AMOUNT_SUM_MISMATCH", spec["total"], jnum(sum(p.number for p in parts)), jnum(total.number))


def row_kind(ch: Check, r: int, cols: dict) -> str:
    """'indicator', 'placeholder' (the sample's 指标2: / …… / '/' rows) or 'unused' (nothing typed)."""
    name = str(ch.grid.raw(f"{cols['name']}{r}") or "")
    others = [str(ch.grid.raw(f"{cols[k]}{r}") or "").strip() for k in cols
              if k not in ("level", "group", "name")]
    if not name.strip() or squeeze(name) == "无":
        assert not any(others), f"{ch.grid.name} row {r}: values without an indicator name"
        return "unused"
    if is_placeholder_name(name) and all(v in ("", "/") for v in others):
        return "placeholder"
    return "indicator"


def rule_score(where: str, target: Value, actual: Value, weight: Decimal, in_cost: bool, met: bool = False):
    """The reviewer's score (a Decimal, a (low, high) band, or None: nothing to compare) and any overshoot.

    ``met``: the table's reading says this qualitative row is met although its words differ from the
    target's (a date before the deadline: 2023年12月 → 2023年10月)."""
    if target.kind == "blank" or actual.kind == "blank" or (target.kind == "text" and target.text in DASHES):
        return None, None  # no target or no actual typed: the rule has nothing to go on
    if target.kind == "text":
        done = met or (actual.kind == "text" and (actual.text == target.text or (
            any(w in actual.text for w in ACHIEVED) and not any(w in actual.text for w in ("未", "部分", "基本")))))
        assert done, f"{where}: qualitative row left open ({actual})"
        return (rhu(weight * Decimal("0.8"), 2), weight), None
    assert actual.kind == "number", f"{where}: quantitative target with actual {actual}"
    tn, an = target.number, actual.number
    if target.percent and not actual.percent:  # '≥100百分比' against a bare 100
        an = an / 100
    op = target.op
    lower = op in ("≤", "<") or (op == "" and in_cost)
    assert tn > 0 and an >= 0 and not (op in (">", "<") and an == tn), where
    if lower:
        return (weight if an <= tn else rhu(weight * tn / an, 2)), None
    ratio = an / tn
    assert abs(ratio - OVERSHOOT) > Decimal("0.02"), f"{where}: overshoot on the edge"
    overshoot = (tn, an) if ratio >= OVERSHOOT else None
    return (weight if an >= tn else rhu(weight * an / tn, 2)), overshoot


def check_score_cell(ch: Check, ref: str) -> Value | None:
    """The score of a row, or None when its (merged) score cell was already counted for an earlier row."""
    anchor = ch.grid.anchor(ref)
    if anchor in ch.score_cells:
        return None  # one score for a 二级 group written once over its rows
    ch.score_cells.add(anchor)
    score = ch.value(ref)
    if score.kind == "blank":
        ch.add("MISSING_VALUE", ref, None, None)
    elif score.kind == "text":
        ch.add("UNPARSEABLE_VALUE", ref, None, str(ch.grid.raw(ref)).strip())
    return score


def check_indicator(ch: Check, r: int, cols: dict) -> None:
    g = ch.grid
    at = {key: f"{col}{r}" for key, col in cols.items()}
    level = str(g.raw(at["level"]))
    group = str(g.raw(at["group"]) or "")
    key = level_key(level)
    entry = ch.level_rows.setdefault(key, (g.anchor(at["level"]), level, [], []))
    score = check_score_cell(ch, at["score"])
    if "weight" not in cols:
        # Forms without a 分值 column (the 20/80 forms): the weights are the first-level labels only, so no
        # indicator can be scored by rule; the scores still make the total.
        if score is not None and score.kind == "number":
            ch.scores.append(score.number)
            entry[3].append(score.number)
        return
    target_text = "".join(str(g.raw(at[k]) or "") for k in ("op", "target", "unit") if k in at)
    target, actual = read(target_text), ch.value(at["actual"])
    weight = ch.value(at["weight"])
    where = f"{g.name} row {r}"
    if weight.kind == "blank":
        ch.add("MISSING_VALUE", at["weight"], None, None)
    elif weight.kind == "text":
        ch.add("UNPARSEABLE_VALUE", at["weight"], None, str(g.raw(at["weight"])).strip())
    if weight.kind == "number":
        entry[2].append(weight.number)
    rule, overshoot = rule_score(where, target, actual, weight.number or Decimal(0),
                                 key == "cost" or "成本" in group, r in g.reading["indicators"].get("met", []))
    if overshoot:
        ch.add("TARGET_OVERSHOOT", at["actual"], jnum(overshoot[0]), jnum(overshoot[1]))
    if score is None or score.kind != "number" or weight.kind != "number":
        return
    s, w = score.number, weight.number
    ch.scores.append(s)
    entry[3].append(s)
    if s > w:
        ch.add("SCORE_OVER_WEIGHT", at["score"], jnum(w), jnum(s))
    elif s < 0:
        ch.add("SCORE_OVER_WEIGHT", at["score"], 0, jnum(s))
    reason = squeeze(str(g.raw(at["reason"]) or ""))
    if s < w and reason in NO_REASON:
        ch.add("DEVIATION_REASON_MISSING", at["reason"], jnum(w), jnum(s))
    if isinstance(rule, tuple):
        if not rule[0] <= s <= rule[1]:
            ch.add("SCORE_RULE_MISMATCH", at["score"], f"{short(rule[0])}–{short(rule[1])}", jnum(s))
    elif rule is not None and abs(s - rule) > TOL:
        ch.add("SCORE_RULE_MISMATCH", at["score"], jnum(rule), jnum(s))


def total_refs(spec: dict) -> tuple[str | None, str | None, str | None]:
    """The cells of the declared total, of the total weight and of the declared grade (each may be absent)."""
    score = spec.get("score_cell") or (f"{spec['score']}{spec['row']}" if "score" in spec else None)
    weight = spec.get("weight_cell") or (f"{spec['weight']}{spec['row']}" if "weight" in spec else None)
    return score, weight, spec.get("grade_cell")


def check_levels(ch: Check) -> Decimal:
    """First-level weights against the scheme (or, for 'table', against their own labels); the total weight."""
    scheme = ch.grid.reading["scheme"]
    weighted = "weight" in ch.grid.reading["indicators"]["cols"]
    problem = False
    total = ch.budget_weight
    if scheme in SCHEMES:
        assert sorted(ch.level_rows) == sorted(k for k in SCHEMES[scheme] if k != "budget"), ch.grid.name
    for key, (ref, label, weights, scores) in ch.level_rows.items():
        summed, stated = sum(weights, Decimal(0)), label_weight(label)
        if not weighted:
            # Without a 分值 column the label is the only weight; the block's scores must fit under it.
            assert stated is not None and sum(scores, Decimal(0)) <= stated, (ch.grid.name, label)
            total += stated
            continue
        expected = Decimal(SCHEMES[scheme][key]) if scheme in SCHEMES else (stated if stated is not None else summed)
        total += expected
        if stated is not None and stated != expected:
            problem = True
            ch.add("WEIGHT_MISMATCH", ref, jnum(expected), jnum(stated))
        elif summed != expected:
            problem = True
            ch.add("WEIGHT_MISMATCH", ref, jnum(expected), jnum(summed))
    if not problem and total != 100:
        ch.add("WEIGHT_MISMATCH", total_refs(ch.grid.reading["total"])[1], 100, jnum(total))
    return total


GRADE_WORDS = {"优秀": "优", "良好": "良", "中等": "中", "合格": "中", "一般": "中", "较差": "差", "不合格": "差"}


def check_grade(ch: Check, ref: str | None, computed: Decimal) -> str | None:
    """The declared grade as typed; GRADE_MISMATCH when it is not the grade of the recomputed total."""
    if ref is None or not ch.scores:
        return None
    text = squeeze(str(ch.grid.raw(ref) or ""))
    if not text:
        ch.add("MISSING_VALUE", ref, grade_of(computed), None)
        return None
    if GRADE_WORDS.get(text, text) != grade_of(computed):
        ch.add("GRADE_MISMATCH", ref, grade_of(computed), text)
    return str(ch.grid.raw(ref)).strip()


def check_total(ch: Check, total_weight: Decimal) -> dict:
    g = ch.grid
    ref, weight_ref, grade_ref = total_refs(g.reading["total"])
    declared = ch.value(ref) if ref else Value("blank")
    budget_part = ch.declared_budget if ch.declared_budget is not None else (ch.rule_budget or Decimal(0))
    computed = budget_part + sum(ch.scores, Decimal(0))
    if ref is None:
        pass  # the stored copy ends before the 总分 row: no total is declared
    elif declared.kind == "blank":
        # A 合计 row whose 得分 is blank totals the weights only: it declares no total of the scores.
        assert weight_ref and ch.value(weight_ref).kind == "number", g.name
    elif declared.kind == "text":
        ch.add("UNPARSEABLE_VALUE", ref, None, str(g.raw(ref)).strip())
    elif abs(declared.number - computed) > TOL:
        ch.add("TOTAL_MISMATCH", ref, jnum(computed), jnum(declared.number))
    indicator_weight = total_weight - ch.budget_weight
    if ch.rule_budget is not None and ch.budget_weight > 0 and ch.scores:
        share = sum(ch.scores, Decimal(0)) / indicator_weight
        gap, limit = share - ch.rule_budget / ch.budget_weight, GAP_THRESHOLD * share
        assert abs(gap - limit) > TOL, f"{g.name}: spending gap on the edge"
        if gap > limit:
            ch.add("SPENDING_PERFORMANCE_GAP", f"{g.reading['funds']['cols']['score']}{g.reading['funds']['row']}",
                   jnum(rhu(ch.rule_budget / ch.budget_weight, 4), 4), jnum(rhu(share, 4), 4))
    return {"kind": g.data["kind"], "title": g.data["title"],
            "declared_total": jnum(declared.number) if declared.kind == "number" else None,
            "computed_total": jnum(computed), "declared_grade": check_grade(ch, grade_ref, computed),
            "computed_grade": grade_of(computed) if ch.scores else None}


def expect(grid: Grid) -> tuple[dict, list[dict]]:
    """The table entry and the findings (cells in A1 form) of one grid."""
    ch = Check(grid)
    check_funds(ch)
    spec = grid.reading["indicators"]
    kinds = {r: row_kind(ch, r, spec["cols"]) for r in spec["rows"]}
    assert [r for r, k in kinds.items() if k == "placeholder"] == grid.reading["placeholders"], grid.name
    assert [r for r, k in kinds.items() if k == "unused"] == grid.reading["unused"], grid.name
    for r, kind in kinds.items():
        if kind == "indicator":
            check_indicator(ch, r, spec["cols"])
    entry = check_total(ch, check_levels(ch))
    return entry, sorted(ch.findings, key=lambda f: (f["code"], f["cell"] or ""))


def located(findings: list[dict], sheet: str, word: bool) -> list[dict]:
    out = []
    for f in findings:
        cell = f["cell"]
        if word and cell:
            row, col = split_ref(cell)
            cell = f"R{row}C{col}"
        out.append({"code": f["code"], "sheet": sheet, "cell": cell, "expected": f["expected"], "found": f["found"]})
    return out


def file_entry(grid: Grid, fmt: str, entry: dict, findings: list[dict]) -> dict:
    word = fmt == "docx"
    sheet = "表1" if word else grid.data["sheet"]
    scheme = grid.reading["scheme"]
    return {"table": grid.name, "layout": "word-report" if word else "standard-form", "format": fmt,
            "scheme": scheme, "tables": [{"sheet": sheet, **entry}], "findings": located(findings, sheet, word)}


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


def build(out: Path, libreoffice: bool) -> dict:
    grids = [load(path) for path in sorted(TABLES.glob("*.json"))]
    expected: dict[str, dict] = {}
    jobs = []
    for grid in grids:
        entry, findings = expect(grid)
        xlsx = out / f"{grid.name}.xlsx"
        write_xlsx(grid, xlsx)
        verify_xlsx(grid, xlsx)
        expected[xlsx.name] = file_entry(grid, "xlsx", entry, findings)
        if grid.number in DOCX:
            docx = out / f"{grid.name}.docx"
            write_docx(grid, docx)
            expected[docx.name] = file_entry(grid, "docx", entry, findings)
        if grid.number in LO_FORMATS:
            for fmt in ("xls", "ods"):
                target = out / f"{grid.name}.{fmt}"
                expected[target.name] = file_entry(grid, fmt, entry, findings)
                jobs.append((xlsx, target))
    if libreoffice:
        convert_with_libreoffice(jobs)
        by_name = {grid.name: grid for grid in grids}
        for _, target in jobs:
            verify_values(by_name[target.stem], target)
    expected = dict(sorted(expected.items()))
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return expected


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write here instead of tests/published/files")
    parser.add_argument("--no-libreoffice", action="store_true", help="skip the .xls/.ods saves")
    parser.add_argument("--dry-run", action="store_true", help="print the expectations only")
    args = parser.parse_args(argv)
    if args.dry_run:
        for path in sorted(TABLES.glob("*.json")):
            entry, findings = expect(load(path))
            print(path.stem, entry)
            for f in findings:
                print("   ", f)
        return
    if not args.no_libreoffice:
        reason = missing_libreoffice()
        if reason:
            sys.exit(f"LibreOffice is needed for the .xls/.ods files: {reason} (or --no-libreoffice)")
    out = args.out or FILES
    if out == FILES:
        with tempfile.TemporaryDirectory(prefix="perfxl-published-") as work:
            build(Path(work), not args.no_libreoffice)
            keep = {p.name for p in FILES.iterdir()} if FILES.exists() and args.no_libreoffice else set()
            if FILES.exists():
                for old in FILES.iterdir():
                    if not (old.suffix in (".xls", ".ods") and old.name in keep):
                        old.unlink()
            FILES.mkdir(exist_ok=True)
            for made in Path(work).iterdir():
                shutil.copyfile(made, FILES / made.name)
        shutil.move(str(FILES / "expected.json"), str(HERE / "expected.json"))
    else:
        out.mkdir(parents=True, exist_ok=True)
        build(out, not args.no_libreoffice)


if __name__ == "__main__":
    main(sys.argv[1:])
