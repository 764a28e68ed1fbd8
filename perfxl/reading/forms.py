"""Read a standard 自评表 that was not made by perfxl, wherever it sits in the workbook.

Clerks type the form by hand, copy last year's file or export it from Word: the table may start
anywhere, follow a cover sheet, merge its 一级/二级指标 cells, carry weights in its labels
(``产出指标\\n(40分)``), use synonyms or typos in its headers and numbers written as text. The table is
found by its header labels, never by fixed coordinates, and read into the same
:class:`~perfxl.model.ScoreTable` as a template, so the same checks apply.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from perfxl.model import (
    KIND_OVERALL,
    KIND_PROJECT,
    LAYOUT_STANDARD,
    AmountRatio,
    AmountSum,
    Field,
    Indicator,
    LevelTotals,
    ScoreTable,
)
from perfxl.numbers import normalise_text, parse_number, to_decimal
from perfxl.reading.xlsx import Cell, Sheet, Workbook, cell_ref, split_ref, to_field
from perfxl.scheme import FULL_MARKS
from perfxl.scheme.amounts import BASE_ROWS, FUNDS_ROWS, AmountRow, rows_by_key
from perfxl.vocabulary import (
    DEPARTMENT_LABELS,
    FUNDS_HEADERS,
    FUNDS_ROW,
    FUNDS_SOURCE_ROWS,
    INDICATOR_HEADERS,
    LEVEL_KEYWORDS,
    REQUIRED,
    header_word,
    is_placeholder_name,
)
from perfxl.vocabulary import (
    label as vocabulary_label,
)

_WEIGHT_IN_LABEL = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]")
_YEAR = re.compile(r"(20\d\d)\s*年")


class NoTable(Exception):
    """No standard table in this workbook; the message says what was looked for, and where."""

    def __init__(self, message: str, sheets: list[str]):
        super().__init__(message)
        self.sheets = sheets


def norm(text: object) -> str:
    """Labels compared without spaces, line breaks, width, bracket or column-note differences."""
    return vocabulary_label(text)


@functools.lru_cache(maxsize=4096)  # the same labels recur in every workbook of a batch
def _match(label: str, synonyms: tuple[str, ...], fuzzy: bool = True) -> bool:
    if not label:
        return False
    label = header_word(label)
    if label in synonyms:
        return True
    if fuzzy and len(label) >= 4:
        return any(difflib.SequenceMatcher(None, label, s).ratio() >= 0.8 for s in synonyms if len(s) >= 4)
    return False


class Grid:
    """A sheet as rows and columns, with merged ranges resolved to their top-left cell.

    The table is found by reading labels many times over, so each cell's normalised text is
    worked out once.
    """

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.cells: dict[tuple[int, int], tuple[str, Cell]] = {}
        columns: dict[int, list[int]] = {}
        for ref, cell in sheet.cells.items():
            row, col = split_ref(ref)
            self.cells[row, col] = (ref, cell)
            columns.setdefault(row, []).append(col)
        self.columns = {row: sorted(cols) for row, cols in columns.items()}  # the filled columns of each row
        self.max_row = max((r for r, _ in self.cells), default=0)
        self.max_col = max((c for _, c in self.cells), default=0)
        self._texts: dict[tuple[int, int], str] = {}
        self._rows: dict[int, list[tuple[int, str]]] = {}
        self.merged_origin: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in sheet.merged:
            self._merge(rng)

    def _merge(self, rng: str) -> None:
        """Map each cell of a merged range to its top-left cell, within the filled area only: a range
        reaching beyond it (a hostile A1:XFD1048576) costs nothing more than the cells that exist."""
        first, _, last = rng.partition(":")
        try:
            top, left = split_ref(first)
            bottom, right = split_ref(last or first)
        except ValueError:
            return
        for row in range(top, min(bottom, self.max_row) + 1):
            for col in range(left, min(right, self.max_col) + 1):
                if (row, col) != (top, left):
                    self.merged_origin[row, col] = (top, left)

    @classmethod
    def of(cls, sheet: Sheet) -> Grid:
        """The sheet's grid, built once however many readers look at the sheet."""
        grid = sheet.cache.get("grid")
        if grid is None:
            grid = sheet.cache["grid"] = cls(sheet)
        return grid

    def origin(self, row: int, col: int) -> tuple[int, int]:
        return self.merged_origin.get((row, col), (row, col))

    def get(self, row: int, col: int, follow_merge: bool = False) -> tuple[str, Cell | None]:
        if follow_merge:
            row, col = self.origin(row, col)
        entry = self.cells.get((row, col))
        if entry is None:
            return cell_ref(row, col), None
        return entry

    def text(self, row: int, col: int, follow_merge: bool = False) -> str:
        if follow_merge:
            row, col = self.origin(row, col)
        key = (row, col)
        text = self._texts.get(key)
        if text is None:
            entry = self.cells.get(key)
            text = self._texts[key] = norm(_value(entry[1])) if entry is not None else ""
        return text

    def row_texts(self, row: int) -> list[tuple[int, str]]:
        """(column, text) of the row's non-blank cells, left to right."""
        texts = self._rows.get(row)
        if texts is None:
            texts = self._rows[row] = [(col, text) for col in self.columns.get(row, ())
                                       if (text := self.text(row, col))]
        return texts


def _value(cell: Cell | None):
    return None if cell is None else cell.shown


def field_at(grid: Grid, row: int, col: int | None, follow_merge: bool = False) -> Field:
    if col is None:
        return Field()
    return to_field(*grid.get(row, col, follow_merge))


@dataclass
class Header:
    row: int
    columns: dict[str, int]


def find_indicator_header(grid: Grid, first_row: int = 1) -> Header | None:
    """The first row from ``first_row`` whose cells name the indicator columns."""
    for row in range(first_row, grid.max_row + 1):
        header = indicator_header_at(grid, row)
        if header is not None:
            return header
    return None


_WEIGHT_WORDS = frozenset(INDICATOR_HEADERS["weight"])
_SCORE_WORDS = frozenset(INDICATOR_HEADERS["score"])


def indicator_header_at(grid: Grid, row: int) -> Header | None:
    """The row as an indicator header, if its cells name 三级指标/分值/得分 and 一级 or 二级指标."""
    texts = grid.row_texts(row)
    if len(texts) < 4 or _WEIGHT_WORDS.isdisjoint(t for _, t in texts) or _SCORE_WORDS.isdisjoint(t for _, t in texts):
        return None  # most rows: no 分值 or no 得分 label, never a header (the same exact match as below)
    columns: dict[str, int] = {}
    for col, label in texts:
        for key, synonyms in INDICATOR_HEADERS.items():
            if key not in columns and _match(label, synonyms, fuzzy=key == "reason"):
                columns[key] = col
                break
        else:
            if "reason" not in columns and "原因" in label:
                columns["reason"] = col
    if all(key in columns for key in REQUIRED) and ("level" in columns or "group" in columns):
        return Header(row, columns)
    return None


@dataclass
class FormsRead:
    """The tables found in a hand-made workbook, and the sheets left unread for want of a table."""

    tables: list[ScoreTable]
    unread: list[tuple[str, str, int]]  # (sheet, what it holds, first row) of blocks no reader understood


def read_forms(book: Workbook) -> FormsRead:
    """Every standard table of a hand-made workbook: on each sheet, one after another, top to bottom."""
    tables: list[ScoreTable] = []
    unread: list[tuple[str, str]] = []
    base_data: list[tuple[list[AmountSum], list[AmountRatio]]] = []  # each sheet's, read once
    for name in book.sheet_names:
        grid = Grid.of(book.sheet(name))
        found, below = _stacked_tables(grid)
        tables += found
        base_data.append(read_base_data(grid))
        if not found and any(base_data[-1]):
            continue  # 附件2 基础数据表: read with the table it belongs to
        block = table_like_block(grid, below if found else 1)
        if block is not None:
            unread.append((name, *block))
    if tables:  # base-data tables anywhere in the workbook add their sums and ratio to the first table
        for sums, ratios in base_data:
            tables[0].sums += sums
            tables[0].ratios += ratios
    return FormsRead(tables, unread)


def no_table(book: Workbook) -> NoTable:
    names = book.sheet_names
    return NoTable(f"在工作表 {'、'.join(names) or '（无）'} 中未找到含“一级指标/二级指标/三级指标/分值/得分”表头的绩效指标表",
                   names)


def sheet_tables(grid: Grid) -> list[ScoreTable]:
    """The tables of one sheet: several may be stacked, each with its own title, funds and total."""
    return _stacked_tables(grid)[0]


def _stacked_tables(grid: Grid) -> tuple[list[ScoreTable], int]:
    """The sheet's tables and the first row below the last of them."""
    tables = []
    top = 1
    while (header := find_indicator_header(grid, top)) is not None:
        table, bottom = _read_table(grid, header, top)
        tables.append(table)
        top = bottom + 1
    return tables, top


def _read_table(grid: Grid, header: Header, top: int) -> tuple[ScoreTable, int]:
    """The table whose indicator header is ``header`` and which starts at row ``top``; and its last row."""
    table = ScoreTable(sheet=grid.sheet.name, layout=LAYOUT_STANDARD)
    table.department, table.year = _department_and_year(grid, top, header.row)
    table.kind, table.title = _kind_and_title(grid, top, header.row)
    cols = header.columns
    rows = _indicator_rows(grid, header)
    for row, label, _label_cell, group in rows.indicators:
        key = _level_key(label)
        if key is None:
            continue
        fields = {name: field_at(grid, row, cols.get(name)) for name in
                  ("name", "op", "target", "unit", "actual", "weight", "score", "reason")}
        if is_placeholder_row(fields):
            continue
        table.indicators.append(Indicator(level=key, group=group, direction="", **fields))
    levels: dict[str, LevelTotals] = {}
    for _row, label, label_cell, _group in rows.indicators:
        key = _level_key(label)
        if key is not None and key not in levels:
            table.level_labels[key] = label
            levels[key] = LevelTotals(key, label, _stated_weight(label, label_cell), Field())
    for row, key in rows.subtotals:
        if key in levels:
            levels[key].subtotal_weight = field_at(grid, row, cols.get("weight"))
            levels[key].score = field_at(grid, row, cols.get("score"))
    table.levels = list(levels.values())
    bottom = rows.last
    if rows.total is not None:
        table.total_weight, table.total_score = _total_fields(grid, rows.total, cols)
        table.total_score.derived = table.total_score.is_blank  # a blank 总分 得分 declares no total
        grade_row = _grade_row(grid, rows.total)
        if grade_row is not None:
            table.grade = _grade_field(grid, grade_row)
            bottom = grade_row
    table.funds, funds_row, funds_columns = _funds(grid, top, header.row)
    if funds_row is not None:
        source_row = _figures_row(grid, funds_row, funds_columns, table.funds, header.row)
        if source_row is None:
            table.sums += _funds_breakdown(grid, funds_row, funds_columns, table.funds, header.row)
        else:  # the total row is an export's 0/0/0: the money is in its 财政拨款 row
            for key in ("initial", "budget", "executed"):
                if key in funds_columns:
                    table.funds[key] = field_at(grid, source_row, funds_columns[key])
        table.ratios += _part_rates(grid, funds_row, funds_columns, header.row)
        _funds_row_as_total(table)
    return table, bottom


def _funds_row_as_total(table: ScoreTable) -> None:
    """A funds row whose 分值 is the full 100 (湖北's form) states the table's total, not a budget
    score: 预算执行率 is then scored as an indicator, and the budget weight is nought."""
    weight = table.funds.get("weight")
    if weight is None or weight.number != FULL_MARKS:
        return
    score = table.funds.pop("score", Field())
    table.funds["weight"] = Field(value=Decimal(0), number=Decimal(0), text="0", derived=True)
    if table.total_weight.cell is None and table.total_score.cell is None:
        table.total_weight, table.total_score = weight, score


@dataclass
class _Rows:
    indicators: list[tuple[int, str, str, str]]  # (row, 一级 label, its cell, 二级 label)
    subtotals: list[tuple[int, str]]  # (row, level key) of each 小计 row
    total: int | None  # the 总分 row
    last: int  # the last row read


def _indicator_rows(grid: Grid, header: Header) -> _Rows:
    """The rows under the header down to 总分, or to the title of the next table on the sheet."""
    cols = header.columns
    level_col, group_col = cols.get("level"), cols.get("group")
    # The 一级指标 header may sit above a two-row header; data starts after the header row(s).
    start = header.row + 1
    while start <= grid.max_row and _is_header_row(grid, start, cols):
        start += 1
    found = _Rows([], [], None, header.row)
    level_label, level_cell, group_label = "", "", ""
    for row in range(start, grid.max_row + 1):
        texts = grid.row_texts(row)
        first = texts[0][1] if texts else ""
        if first.startswith(("总分", "合计", "总计", "综合得分")) or any(t in ("总分", "总计") for _, t in texts[:3]):
            found.total = found.last = row
            return found
        if _starts_a_table(texts) or indicator_header_at(grid, row) is not None:
            return found
        found.last = row
        if level_col is not None:
            text = grid.text(row, level_col, follow_merge=True)
            if text and _level_key(text):
                level_label, level_cell = text, grid.get(*grid.origin(row, level_col))[0]
        if any(t == "小计" or t.endswith("小计") for col, t in texts if col in (level_col, group_col, cols.get("name"))):
            found.subtotals.append((row, _level_key(level_label) or ""))
            continue
        if group_col is not None:
            text = grid.text(row, group_col, follow_merge=True)
            if text:
                group_label = text
        found.indicators.append((row, level_label, level_cell, group_label))
    return found


def is_placeholder_row(fields: dict[str, Field]) -> bool:
    """A sample's spare line left as printed: a placeholder name and nothing else but "/"."""
    name = norm(fields["name"].value)
    if not is_placeholder_name(name):
        return False
    return all(norm(field.value) in ("", "/") for key, field in fields.items() if key != "name")


def _starts_a_table(texts: list[tuple[int, str]]) -> bool:
    """A title or 项目名称 row: the next table on the sheet begins here."""
    return any(text.endswith("自评表") or text == "项目名称" for _, text in texts[:3])


def _kind_and_title(grid: Grid, top: int, header_row: int) -> tuple[str, str]:
    """A 项目支出绩效自评表 names its project (项目名称); anything else is the overall table."""
    kind, title = KIND_OVERALL, ""
    for row in range(top, header_row):
        texts = grid.row_texts(row)
        for index, (_, text) in enumerate(texts):
            if "项目支出绩效自评表" in text or "项目支出绩效自评" in text:
                kind = KIND_PROJECT
            if text.startswith("项目名称"):
                kind = KIND_PROJECT
                inline = text.removeprefix("项目名称")
                if inline:
                    title = inline
                elif index + 1 < len(texts):
                    _, cell = grid.get(row, texts[index + 1][0])
                    title = str(_value(cell) or "").strip()
    return kind, title


#: Header words of tables that are not scoring tables but hold figures a reviewer would want read.
_TABLE_WORDS = ("序号", "名称", "金额", "合计", "小计", "项目", "预算", "支出", "收入", "资金", "指标", "分值", "得分",
                "数量", "单价", "日期", "凭证", "摘要", "单位", "年度", "完成")


def table_like_block(grid: Grid, first_row: int = 1) -> tuple[str, int] | None:
    """(its header labels, its row) of a block with numbers under table-like headers, from ``first_row``
    (a sheet with no scoring table, or below the last table of one): named, never passed unseen.

    A row of three or more labels, at least one of them a table word (序号, 金额, 合计…), followed
    within five rows by two rows with numbers.
    """
    for row in range(first_row, grid.max_row + 1):
        labels = [text for _, text in grid.row_texts(row) if parse_number(text) is None]
        if len(labels) < 3 or not any(word in label for label in labels for word in _TABLE_WORDS):
            continue
        numeric_rows = sum(1 for below in range(row + 1, min(row + 6, grid.max_row + 1))
                           if sum(parse_number(text) is not None for _, text in grid.row_texts(below)) >= 1)
        if numeric_rows >= 2:
            return "、".join(labels[:6]), row
    return None


def _stated_weight(label: str, cell: str) -> Field:
    """The weight a first-level label states ('产出指标（40分）'); derived when it states none."""
    stated = _WEIGHT_IN_LABEL.search(label)
    weight = Field(cell=cell)
    if stated:
        weight.number = to_decimal(stated.group(1))
        weight.value = weight.number
        weight.text = stated.group(1)
    else:
        weight.derived = True  # nothing stated: only the rows' sum is checked
    return weight


def _grade_row(grid: Grid, total_row: int) -> int | None:
    for row in range(total_row, min(total_row + 4, grid.max_row + 1)):
        texts = grid.row_texts(row)
        if row > total_row and _starts_a_table(texts):
            return None
        if any(("等次" in t or "等级" in t) for _, t in texts):
            return row
    return None


def _is_header_row(grid: Grid, row: int, cols: dict[str, int]) -> bool:
    """A second header line (e.g. 分值/得分 under a merged heading) is not data."""
    texts = [t for _, t in grid.row_texts(row)]
    return bool(texts) and all(any(_match(t, syn, fuzzy=False) for syn in INDICATOR_HEADERS.values())
                               for t in texts)


def _level_key(label: str) -> str | None:
    for keyword, key in LEVEL_KEYWORDS:
        if keyword in label:
            return key
    return None


def _total_fields(grid: Grid, row: int, cols: dict[str, int]) -> tuple[Field, Field]:
    weight = field_at(grid, row, cols.get("weight"))
    score = field_at(grid, row, cols.get("score"))
    if weight.is_blank and score.is_blank:
        numbers = [c for c, t in grid.row_texts(row) if parse_number(t) is not None]
        if len(numbers) >= 2:
            return field_at(grid, row, numbers[-2]), field_at(grid, row, numbers[-1])
        if numbers:
            return Field(), field_at(grid, row, numbers[-1])
    return weight, score


def _grade_field(grid: Grid, row: int) -> Field:
    texts = grid.row_texts(row)
    for index, (_, text) in enumerate(texts):
        if "等次" in text or "等级" in text:
            for col, value in texts[index + 1:]:
                if value:
                    return field_at(grid, row, col)
            label_col = texts[index][0]
            return field_at(grid, row, label_col + 1)
    return Field()


def _funds(grid: Grid, top: int, bottom: int) -> tuple[dict[str, Field], int | None, dict[str, int]]:
    """The 年度资金总额 row between ``top`` and ``bottom``, its row number and the column headers above it."""
    for row in range(top, bottom):
        texts = grid.row_texts(row)
        if not any(_match(t, FUNDS_ROW, fuzzy=False) or t.startswith("年度资金总额") for _, t in texts):
            continue
        for header_row in range(row - 1, max(row - 4, top - 1), -1):
            columns: dict[str, int] = {}
            for col, label in grid.row_texts(header_row):
                for key, synonyms in FUNDS_HEADERS.items():
                    if key not in columns and _match(label, synonyms, fuzzy=False):
                        columns[key] = col
                        break
            if {"budget", "executed"} <= set(columns):
                funds = {key: field_at(grid, row, col) for key, col in columns.items()}
                if "rate" in funds:
                    _read_rate(funds["rate"], grid.text(header_row, columns["rate"]))
                return funds, row, columns
    return {}, None, {}


def _figures_row(grid: Grid, funds_row: int, columns: dict[str, int], funds: dict[str, Field],
                 end_row: int) -> int | None:
    """The 当年财政拨款 row that holds the money when the 年度资金总额 row reads 0 (or nothing) for
    every amount, as some provincial systems export it; None when the total row has figures."""
    amounts = [funds[key].number for key in ("initial", "budget", "executed") if key in funds]
    if any(amount for amount in amounts):
        return None
    for row in range(funds_row + 1, min(funds_row + 4, end_row)):
        texts = grid.row_texts(row)
        if texts and any(word in texts[0][1] for word in FUNDS_SOURCE_ROWS):
            budget = parse_number(grid.text(row, columns["budget"]))
            return row if budget else None
    return None


def _part_rates(grid: Grid, funds_row: int, columns: dict[str, int], end_row: int) -> list[AmountRatio]:
    """The rates typed on the rows under 年度资金总额 (其中：当年财政拨款 …): each its own row's
    执行数 / 预算数, checked as the total row's is."""
    ratios: list[AmountRatio] = []
    if "rate" not in columns:
        return ratios
    for row in range(funds_row + 1, min(funds_row + 6, end_row)):
        texts = grid.row_texts(row)
        if not texts or _is_header_row(grid, row, columns) or texts[0][1].startswith(("年度总体目标", "总体目标")):
            break
        rate = field_at(grid, row, columns["rate"])
        if rate.number is None:
            continue
        _read_rate(rate, grid.text(funds_row - 1, columns["rate"]))
        ratios.append(AmountRatio(f"{texts[0][1]}执行率", rate, field_at(grid, row, columns["executed"]),
                                  field_at(grid, row, columns["budget"]), grid.sheet.name))
    return ratios


def _read_rate(rate: Field, header: str) -> None:
    """A blank 执行率 is left for perfxl to work out (nothing typed, nothing to check); under a
    '执行率(%)' header a plain number is a percentage: 100 is 100%, typed to its decimals."""
    if rate.is_blank:
        rate.derived = True
    elif header.endswith("(%)") and isinstance(rate.value, Decimal) and rate.number is not None:
        rate.number = rate.number / 100
        exponent = rate.value.normalize().as_tuple().exponent
        rate.shown_places = max(-exponent, 0) + 2 if isinstance(exponent, int) else 4


_LABELLED = re.compile(r"^(?:其中)?(.+?)[:：]\s*(.*)$")
_NUMBERING = re.compile(r"^(?:其中[:：]?)?(?:\d+[、.．]|[一二三四五六七八九十]+[、.．]|[（(]\d+[)）])?")


def amount_key(label: str, definitions: tuple[AmountRow, ...]) -> str | None:
    """Which defined row a clerk's label means: '其中：人员支出' → 'personnel'."""
    text = _NUMBERING.sub("", norm(label))
    if not text:
        return None
    for amount in definitions:
        for name in amount.names():
            name = norm(name)
            if name and (text == name or text.startswith(name)):
                return amount.key
    return None


def _funds_breakdown(grid: Grid, funds_row: int, columns: dict[str, int], funds: dict[str, Field],
                     end_row: int) -> list[AmountSum]:
    """Breakdowns under 年度资金总额: 'label：amount' text cells, or rows with amounts per column."""
    sums: list[AmountSum] = []
    sheet = grid.sheet.name
    last = end_row
    for row in range(funds_row + 1, end_row):
        if any(t.startswith(("年度总体目标", "总体目标", "绩效目标")) for _, t in grid.row_texts(row)):
            last = row
            break
    # 1. Text cells like seed 003: '按收入性质分：642.01' heads a column of '一般公共预算：598.25'.
    for col in range(1, grid.max_col + 1):
        sums += _text_breakdowns(grid, col, funds_row + 1, last)
    # 2. Rows with a label and an amount in each funds column.
    found: dict[str, int] = {}
    for row in range(funds_row + 1, last):
        texts = grid.row_texts(row)
        if texts and any(parse_number(grid.text(row, c)) is not None for c in columns.values()):
            key = amount_key(texts[0][1], FUNDS_ROWS)
            if key is not None:
                found.setdefault(key, row)
    by_key = rows_by_key(FUNDS_ROWS)
    for column_key in ("initial", "budget", "executed"):
        col = columns.get(column_key)
        total = funds.get(column_key)
        if col is None or total is None:
            continue
        fields = {key: field_at(grid, row, col) for key, row in found.items()}
        income = [fields[key] for key in by_key["income_total"].parts if key in fields]
        spending = [fields[key] for key in by_key["spending_total"].parts if key in fields]
        if income:
            sums.append(AmountSum("年度资金总额（按收入性质）", total, income, sheet))
        if spending:
            sums.append(AmountSum("年度资金总额（按支出性质）", total, spending, sheet))
        for amount in FUNDS_ROWS:
            if amount.parts and amount.key in fields and amount.key not in ("income_total", "spending_total"):
                parts = [fields[key] for key in amount.parts if key in fields]
                if parts:
                    sums.append(AmountSum(amount.label, fields[amount.key], parts, sheet))
    return sums


def _text_breakdowns(grid: Grid, col: int, first: int, last: int) -> list[AmountSum]:
    """'label：amount' cells down one column, grouped under their '按…分' heading.

    Lines nest (domain rules §5): '其中：人员经费' and '公用经费' under '基本支出' add up to 基本支出,
    not to the heading's total.
    """
    sums: list[AmountSum] = []
    group: AmountSum | None = None
    parent: tuple[str, AmountSum] | None = None  # the line its '其中' lines add up to
    by_key = rows_by_key(FUNDS_ROWS)
    for row in range(first, last):
        ref, cell = grid.get(row, col)
        raw = _value(cell)
        match = _LABELLED.match(normalise_text(raw)) if isinstance(raw, str) else None
        if not match:
            continue
        label, amount = match.group(1).lstrip(":："), match.group(2)
        f = Field(cell=ref, value=amount, text=amount, number=parse_number(amount) if amount else None)
        if label.startswith("按") and label.endswith("分"):
            group, parent = AmountSum(label, f, [], grid.sheet.name), None
            sums.append(group)
            continue
        if group is None:
            continue
        key = amount_key(label, FUNDS_ROWS)
        nested = parent is not None and (key in by_key[parent[0]].parts or
                                         (key is None and normalise_text(raw).startswith("其中")))
        if nested and parent is not None:
            parent[1].parts.append(f)
            continue
        group.parts.append(f)
        parent = None
        if key is not None and by_key[key].parts:
            parent = (key, AmountSum(by_key[key].label, f, [], grid.sheet.name))
            sums.append(parent[1])
    return sums


def _department_and_year(grid: Grid, top: int, before_row: int) -> tuple[str, int | None]:
    department, year = "", None
    for row in range(top, min(before_row, grid.max_row) + 1):
        texts = grid.row_texts(row)
        for index, (_, text) in enumerate(texts):
            if year is None:
                match = _YEAR.search(text)
                if match and ("年度" in text or "自评" in text):
                    year = int(match.group(1))
            if not department and any(label in text for label in DEPARTMENT_LABELS):
                inline = text.split(")名称")[-1] if ")名称" in text else ""
                if index + 1 < len(texts):
                    _, cell = grid.get(row, texts[index + 1][0])
                    department = str(_value(cell) or "").strip()
                elif inline and inline != text:
                    department = inline
    return department, year


def read_base_data(grid: Grid) -> tuple[list[AmountSum], list[AmountRatio]]:
    """附件2 基础数据表 where the sheet has one: the staffing ratio and the spending-control sums."""
    sums: list[AmountSum] = []
    ratios: list[AmountRatio] = []
    sheet = grid.sheet.name
    for row in range(1, grid.max_row + 1):
        texts = dict(grid.row_texts(row))
        authorized = next((c for c, t in texts.items() if t == "编制数"), None)
        actual = next((c for c, t in texts.items() if "实际在职" in t), None)
        rate = next((c for c, t in texts.items() if "控制率" in t), None)
        if authorized and actual and rate:
            ratios.append(AmountRatio("控制率", field_at(grid, row + 1, rate), field_at(grid, row + 1, actual),
                                      field_at(grid, row + 1, authorized), sheet))
            break
    header = next((row for row in range(1, grid.max_row + 1)
                   if any(t.startswith("经费控制情况") for _, t in grid.row_texts(row))), None)
    if header is None:
        return sums, ratios
    texts = grid.row_texts(header)
    label_col = texts[0][0]
    value_cols = [c for c, _ in texts[1:4]]
    rows: dict[str, int] = {}
    specials: list[int] = []
    current_parent = None
    for row in range(header + 1, grid.max_row + 1):
        label = grid.text(row, label_col)
        if not label or label.startswith(("说明", "填表人", "楼堂馆所", "厉行节约")):
            if label:
                break
            continue
        key = amount_key(label, BASE_ROWS)
        if key is None and current_parent == "projects":
            specials.append(row)  # one special fund per row, named by the clerk
            continue
        if key is not None:
            rows.setdefault(key, row)
            if key in ("projects", "public", "three_public", "procurement", "basic_adjustment"):
                current_parent = key
    definitions = rows_by_key(BASE_ROWS)
    for col in value_cols:
        fields = {key: field_at(grid, row, col) for key, row in rows.items()}
        for amount in BASE_ROWS:
            if not amount.parts or amount.key not in fields:
                continue
            parts = [fields[key] for key in amount.parts if key in fields]
            if amount.key == "projects":
                parts += [field_at(grid, row, col) for row in specials]
            if parts:
                sums.append(AmountSum(definitions[amount.key].label.split("、")[-1], fields[amount.key], parts, sheet))
    return sums, ratios
