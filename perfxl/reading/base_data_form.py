"""Read seed 001's form: a 部门整体支出绩效自评表 with 基础数据 tables by 机构 (domain.md §6).

The Hunan form has no indicator scores. It carries the department's figures in small tables, one
row per 机构 (a ``…汇总`` row, then ``1、局机关``, ``2、二级机构1`` …): income, expenditure and
balances, 三公经费, 固定资产; then targets marked 已完成, a ``绩效自评综合得分`` and an ``评价等次``.
What must hold is stated by the tables themselves:

- in every row, the 合计 column is the sum of the other amount columns, except balances
  (``当年结余``, ``累计结余``) and the columns that make up a subtotal (``基本支出`` = 人员支出 +
  公用支出), which is checked on its own;
- in every column, the ``…汇总`` row is the sum of the 机构 rows.

Tables are found by their ``机构名称`` header and their columns by the header labels above the
data, never by coordinates, so the form may start anywhere and follow a cover sheet. This module
only reads: it returns the fields and the sums that must hold; the checks live in
:mod:`perfxl.checking.tables`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from perfxl.model import KIND_BASE_DATA, LAYOUT_BASE_DATA, AmountSum, Field, ScoreTable
from perfxl.numbers import parse_number
from perfxl.reading.forms import Grid, field_at, norm
from perfxl.reading.xlsx import Workbook, cell_ref
from perfxl.vocabulary import DEPARTMENT_LABELS

#: The label of the column that names the 机构 (normalised).
UNIT_HEADERS = ("机构名称", "机构", "单位名称", "机构(单位)名称", "单位(机构)名称", "部门(单位)及机构名称")
#: Labels of the overall score and the grade; the value is in the same cell or to its right.
SCORE_LABELS = ("综合得分",)
GRADE_LABELS = ("评价等次", "评价等级", "评定等次", "评定等级")
#: Column labels that make a column the table's total.
TOTAL_WORDS = ("合计", "总计")
#: Table names (as a clerk would call them), chosen by the words of the total's label.
TABLE_NAMES = (("三公", "三公经费表"), ("固定资产", "固定资产表"), ("收入", "收入表"), ("支出", "支出表"))


@dataclass(frozen=True)
class Subtotal:
    """A column that is the sum of other columns of the same table (matched as label prefixes)."""

    names: tuple[str, ...]
    parts: tuple[str, ...]


#: Subtotals inside a table. Their parts are not also parts of the table's 合计.
SUBTOTALS = (
    Subtotal(("基本支出",), ("人员支出", "人员经费", "公用支出", "公用经费")),
    Subtotal(("公务用车购置及运行维护费", "公务用车购置及运维费", "公务用车购置和运行维护费", "公务用车费"),
             ("公务用车购置", "公务用车运行", "公务用车运维", "公车购置", "公车运行", "公车运维")),
)

_UNIT_NUMBERING = re.compile(r"^(?:\d+[、.．]|[(（]\d+[)）])")
_SECTION = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_AMOUNT = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:万元|万|元)?")
_YEAR = re.compile(r"(20\d\d)\s*年")
_STAMP = re.compile(r"^\((?:盖章|公章|章|签章)\)")
#: Longest label text (normalised) that can hold a score or grade label plus its value.
_LABEL_LENGTH = 24


@dataclass
class Column:
    col: int
    label: str


@dataclass
class UnitTable:
    """One table by 机构 as found on the sheet."""

    name: str
    header_row: int
    header: str  # the A1 reference of its 机构名称 cell
    label_col: int
    columns: list[Column]
    summary: tuple[int, str] | None = None  # (row, label) of the …汇总 row
    units: list[tuple[int, str]] = field(default_factory=list)  # (row, label) of each 机构 row
    end_row: int = 0

    @property
    def total(self) -> Column | None:
        return next((c for c in self.columns if any(word in c.label for word in TOTAL_WORDS)), None)


def read_base_data_forms(book: Workbook) -> list[ScoreTable]:
    """One table per sheet that holds seed 001's form (a 综合得分 and tables by 机构); else []."""
    tables = []
    for name in book.sheet_names:
        table = read_base_data_sheet(Grid.of(book.sheet(name)))
        if table is not None:
            tables.append(table)
    return tables


def read_base_data_sheet(grid: Grid) -> ScoreTable | None:
    """The form on this sheet, or None when the sheet holds none.

    A sheet holds the form when it carries a 综合得分 label and at least one table by 机构 with a
    合计 column or a 汇总 row. The standard 自评表 has neither such tables nor a 机构名称 header.
    """
    score_at = _find_label(grid, SCORE_LABELS)
    if score_at is None:
        return None
    units = [t for t in find_unit_tables(grid) if t.total is not None or t.summary is not None]
    if not units:
        return None
    first_row = min(t.header_row for t in units)
    table = ScoreTable(sheet=grid.sheet.name, layout=LAYOUT_BASE_DATA, kind=KIND_BASE_DATA)
    table.department, table.year = _department_and_year(grid, first_row)
    table.total_score = _value_of(grid, score_at, SCORE_LABELS)
    grade_at = _find_label(grid, GRADE_LABELS)
    if grade_at is not None:
        table.grade = _value_of(grid, grade_at, GRADE_LABELS)
    for unit_table in units:
        table.sums += unit_table_sums(grid, unit_table)
    return table


# --- finding the tables --------------------------------------------------------------------------


def find_unit_tables(grid: Grid) -> list[UnitTable]:
    """Every table by 机构 on the sheet, top to bottom, each named once (收入表, 支出表, …)."""
    tables: list[UnitTable] = []
    row = 1
    while row <= grid.max_row:
        found = None
        for col, text in grid.row_texts(row):
            if text in UNIT_HEADERS:
                found = _read_unit_table(grid, row, col)
                if found is not None:
                    break
        if found is None:
            row += 1
            continue
        tables.append(found)
        row = found.end_row + 1
    names = [t.name for t in tables]
    for t in tables:
        if names.count(t.name) > 1:
            t.name = f"{t.name}（{t.header}）"
    return tables


def _read_unit_table(grid: Grid, row: int, label_col: int) -> UnitTable | None:
    header_rows = [row]
    r = row + 1
    while r <= grid.max_row and len(header_rows) < 4 and _is_header_row(grid, r, row, label_col):
        header_rows.append(r)
        r += 1
    columns = _columns(grid, header_rows, label_col)
    if not columns:
        return None
    table = UnitTable(name="", header_row=row, header=cell_ref(row, label_col), label_col=label_col,
                      columns=columns)
    while r <= grid.max_row:
        label = grid.text(r, label_col)
        has_number = any(_is_amount(grid.text(r, c.col)) for c in columns)
        if not label:
            if not has_number:
                break
            table.units.append((r, f"第{r}行"))
        elif label in UNIT_HEADERS or _SECTION.match(label):
            break
        elif "汇总" in label or label.startswith(TOTAL_WORDS):
            if table.summary is not None:
                break
            table.summary = (r, label)
        elif _UNIT_NUMBERING.match(label) or has_number:
            table.units.append((r, label))
        else:
            break
        r += 1
    if table.summary is None and not table.units:
        return None
    table.end_row = r - 1
    total = table.total
    table.name = _table_name(total.label if total else "")
    return table


def _is_header_row(grid: Grid, r: int, header_row: int, label_col: int) -> bool:
    """A row below 机构名称 whose label cell is blank (or the same merged cell) and that holds labels."""
    if grid.text(r, label_col) and grid.origin(r, label_col) != (header_row, label_col):
        return False
    texts = [t for c, t in grid.row_texts(r) if c > label_col]
    return not any(_is_amount(t) for t in texts) and (
        bool(texts) or grid.origin(r, label_col) == (header_row, label_col))


def _is_amount(text: str) -> bool:
    """A typed amount ('1184.36', '1,184.36万元'), not a label that starts with digits ('2023年决算数')."""
    return bool(_AMOUNT.fullmatch(text))


def _columns(grid: Grid, header_rows: list[int], label_col: int) -> list[Column]:
    """The amount columns right of the label column, up to the first column without any header text.

    A column's label is its lowest header text (``其中：`` aside); a column covered by a merged
    header that starts further left, with no label of its own below it, belongs to that column.
    """
    columns = []
    col = label_col + 1
    while col <= grid.max_col:
        if not any(grid.text(r, col, follow_merge=True) for r in header_rows):
            break
        if grid.origin(header_rows[0], col)[1] != label_col:  # not the 机构名称 cell merged across
            label = _leaf_label(grid, header_rows, col)
            if label is not None:
                columns.append(Column(col, label))
        col += 1
    return columns


def _leaf_label(grid: Grid, header_rows: list[int], col: int) -> str | None:
    for r in reversed(header_rows):
        text = _without_qizhong(grid.text(r, col, follow_merge=True))
        if text:
            return text if grid.origin(r, col)[1] == col else None
    return None


def _without_qizhong(text: str) -> str:
    return text.removeprefix("其中").lstrip(":：、")


def _table_name(total_label: str) -> str:
    for word, name in TABLE_NAMES:
        if word in total_label:
            return name
    stem = total_label
    for word in TOTAL_WORDS:
        stem = stem.replace(word, "")
    return f"{stem}表" if stem else "机构表"


# --- the sums ------------------------------------------------------------------------------------


def unit_table_sums(grid: Grid, table: UnitTable) -> list[AmountSum]:
    """Per row: 合计 = its parts and each subtotal = its parts; per column: 汇总 = Σ 机构 rows."""
    sheet = grid.sheet.name
    total = table.total
    subtotals = _subtotals(table.columns)
    inside = {part.col for _, parts in subtotals for part in parts}
    top = [c for c in table.columns
           if c is not total and c.col not in inside and not _is_balance(c.label)]
    rows = ([table.summary] if table.summary else []) + table.units
    sums: list[AmountSum] = []
    for row, label in rows:
        relations = ([(total, top)] if total is not None and top else []) + subtotals
        for whole, parts in relations:
            sums.append(AmountSum(f"{table.name} {label} {whole.label}（{'+'.join(p.label for p in parts)}）",
                                  field_at(grid, row, whole.col), [field_at(grid, row, p.col) for p in parts],
                                  sheet))
    if table.summary is not None and table.units:
        row, label = table.summary
        for column in table.columns:
            sums.append(AmountSum(f"{table.name} {label}（{column.label}）", field_at(grid, row, column.col),
                                  [field_at(grid, r, column.col) for r, _ in table.units], sheet))
    return sums


def _subtotals(columns: list[Column]) -> list[tuple[Column, list[Column]]]:
    found = []
    for rule in SUBTOTALS:
        whole = next((c for c in columns if c.label.startswith(rule.names)), None)
        if whole is None:
            continue
        parts = [c for c in columns if c is not whole and c.label.startswith(rule.parts)
                 and not c.label.startswith(rule.names)]
        if parts:
            found.append((whole, parts))
    return found


def _is_balance(label: str) -> bool:
    """当年结余 and 累计结余 are balances, not parts of 支出合计; 上年结转(结余) is income."""
    return "结余" in label and not label.startswith(("上年", "年初"))


# --- score, grade, department and year -----------------------------------------------------------


def _find_label(grid: Grid, labels: tuple[str, ...]) -> tuple[int, int] | None:
    """The first short cell holding one of the labels (long narrative cells never count)."""
    for row in range(1, grid.max_row + 1):
        for col, text in grid.row_texts(row):
            if len(text) <= _LABEL_LENGTH and any(label in text for label in labels):
                return row, col
    return None


def _value_of(grid: Grid, at: tuple[int, int], labels: tuple[str, ...]) -> Field:
    """The value written after the label in its own cell ('综合得分：98分'), else right of it."""
    row, col = at
    text = grid.text(row, col)
    label = next(label for label in labels if label in text)
    inline = text.split(label, 1)[1]
    if any(ch.isdigit() for ch in inline) or (inline and labels is GRADE_LABELS and inline[0] != "("):
        return Field(cell=cell_ref(row, col), value=inline, text=inline, number=parse_number(inline))
    for c, _ in grid.row_texts(row):
        if c > col and grid.origin(row, c) == (row, c):
            return field_at(grid, row, c)
    return Field()


def _department_and_year(grid: Grid, before_row: int) -> tuple[str, int | None]:
    """The department from its label ('部门（单位）名称', '填报单位（盖章）：…') and the year of the title."""
    department, year = "", None
    labels = tuple(norm(label) for label in (*DEPARTMENT_LABELS, "填报单位", "填报部门"))
    for row in range(1, min(before_row, grid.max_row + 1)):
        texts = grid.row_texts(row)
        for index, (_, text) in enumerate(texts):
            if year is None and ("年度" in text or "自评" in text) and (match := _YEAR.search(text)):
                year = int(match.group(1))
            label = next((label for label in labels if text.startswith(label)), None)
            if department or label is None:
                continue
            inline = _STAMP.sub("", text[len(label):])
            if inline:
                department = inline
            elif index + 1 < len(texts):
                col = texts[index + 1][0]
                _, cell = grid.get(row, col)
                department = str(cell.shown).strip() if cell is not None and cell.shown is not None else ""
    return department, year
