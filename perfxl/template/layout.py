"""Where everything sits in a perfxl template.

The template writer places cells from a :class:`TemplateLayout`; the template is then stamped with
that layout (as JSON, in a very hidden sheet) so that the reader never guesses a coordinate, even
for templates made by an older perfxl.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from dataclasses import asdict, dataclass, field

from perfxl.scheme import Scheme, expr, rules
from perfxl.scheme.amounts import BASE_ROWS, STAFFING_RATE, TEMPLATE_FUNDS_ROWS, AmountRow

TEMPLATE_VERSION = 1
SHEET = "自评表"
FUNDS_SHEET = "资金构成"
BASE_SHEET = "基础数据表"
META_SHEET = "_perfxl"
FUNDS_COLUMNS = {"initial": "C", "budget": "D", "executed": "E"}
BASE_COLUMNS = ("B", "C", "D")  # 上年决算数, 本年预算数, 本年决算数
STAFFING = {"authorized": "B3", "actual": "C3", "rate": "D3"}

#: Columns of the indicator block. K:L is the merged 偏差原因 cell.
COLUMNS = {
    "level": "A", "group": "B", "name": "C", "op": "D", "target": "E", "unit": "F",
    "actual": "G", "weight": "H", "score": "I", "reference": "J", "reason": "K",
}
LAST_COLUMN = "L"

FIRST_INDICATOR_ROW = 9
PACKED_PREFIX = "zlib+base64:"
MAX_PACKED_BYTES = 4 * 1024 * 1024


@dataclass
class IndicatorRow:
    row: int
    level: str  # the level's key
    group: str
    direction: str

    def cell(self, column: str) -> str:
        return f"{COLUMNS[column]}{self.row}"


@dataclass
class LevelBlock:
    key: str
    label: str
    first_row: int
    subtotal_row: int

    @property
    def weight_cell(self) -> str:
        return f"{COLUMNS['weight']}{self.subtotal_row}"

    @property
    def score_cell(self) -> str:
        return f"{COLUMNS['score']}{self.subtotal_row}"


@dataclass
class TemplateLayout:
    scheme: str
    sheet: str = SHEET
    department: str = "D2"
    funds: dict[str, str] = field(default_factory=lambda: {
        "initial": "D4", "budget": "F4", "executed": "H4", "weight": "J4", "rate": "K4", "score": "L4"})
    goals: dict[str, str] = field(default_factory=lambda: {"expected": "B6", "achieved": "G6"})
    rows: list[IndicatorRow] = field(default_factory=list)
    levels: list[LevelBlock] = field(default_factory=list)
    total_weight: str = ""
    total_score: str = ""
    grade: str = ""
    footer_row: int = 0
    funds_rows: dict[str, int] = field(default_factory=dict)  # 资金构成: row key → row number
    base_rows: dict[str, int] = field(default_factory=dict)  # 基础数据表: row key → row number
    # Expected formula (without '=') of every formula cell: 'H21' on the main sheet, '资金构成!C9' elsewhere.
    formulas: dict[str, str] = field(default_factory=dict)
    project: str = ""  # a 项目支出绩效自评表: the project's name (in the cell ``department`` names)

    def locate(self, key: str) -> tuple[str, str]:
        """('sheet', 'cell') of a formula key."""
        sheet, _, cell = key.rpartition("!")
        return (sheet or self.sheet), cell

    def amount_sheets(self) -> tuple[tuple[str, dict[str, int], tuple[str, ...], tuple[AmountRow, ...]], ...]:
        """(sheet, row numbers, amount columns, row definitions) of the amount sheets this template has
        (templates made before they existed have none)."""
        sheets = ((FUNDS_SHEET, self.funds_rows, tuple(FUNDS_COLUMNS.values()), TEMPLATE_FUNDS_ROWS),
                  (BASE_SHEET, self.base_rows, BASE_COLUMNS, BASE_ROWS))
        return tuple(entry for entry in sheets if entry[1])

    def rows_of(self, level_key: str) -> list[IndicatorRow]:
        return [row for row in self.rows if row.level == level_key]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    def encode(self) -> str:
        return pack_text(self.to_json())

    @classmethod
    def decode(cls, text: str) -> TemplateLayout:
        return cls.from_json(unpack_text(text))

    @classmethod
    def from_json(cls, text: str) -> TemplateLayout:
        data = json.loads(text)
        data["rows"] = [IndicatorRow(**row) for row in data.get("rows", [])]
        data["levels"] = [LevelBlock(**level) for level in data.get("levels", [])]
        return cls(**data)


def pack_text(text: str) -> str:
    """Compact, opaque form for the hidden sheet: zlib + base64 (a tenth of the size, one plain run)."""
    return PACKED_PREFIX + base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def unpack_text(text: str) -> str:
    """Inverse of :func:`pack_text`; plain text passes through. Refuses to inflate past a limit."""
    if not text.startswith(PACKED_PREFIX):
        return text
    inflater = zlib.decompressobj()
    data = inflater.decompress(base64.b64decode(text[len(PACKED_PREFIX):]), MAX_PACKED_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError("packed metadata too large")  # a crafted file: refuse, do not inflate
    return data.decode("utf-8")


def build_layout(scheme: Scheme, project: str = "", sheet: str = SHEET) -> TemplateLayout:
    """Lay out the indicator block: the rows of each group, a 小计 row per level, 总分, 评价等次.

    The overall table (部门整体) has the 资金构成 and 基础数据表 sheets beside it; a project table
    (``project`` names it, on its own ``sheet``) has only its own sheet.
    """
    layout = TemplateLayout(scheme=scheme.name, sheet=sheet, project=project)
    row = FIRST_INDICATOR_ROW
    for level in scheme.levels:
        first = row
        for group in level.groups:
            for _ in range(group.rows):
                layout.rows.append(IndicatorRow(row, level.key, group.label, group.direction))
                row += 1
        layout.levels.append(LevelBlock(level.key, level.label, first, row))
        row += 1
    layout.total_weight = f"{COLUMNS['weight']}{row}"
    layout.total_score = f"{COLUMNS['score']}{row}"
    layout.grade = f"{COLUMNS['weight']}{row + 1}"
    layout.footer_row = row + 3
    if not project:
        layout.funds_rows = {amount.key: 4 + index for index, amount in enumerate(TEMPLATE_FUNDS_ROWS)}
        layout.base_rows = {amount.key: 6 + index for index, amount in enumerate(BASE_ROWS)}
    layout.formulas = formulas(layout, scheme)
    return layout


def formulas(layout: TemplateLayout, scheme: Scheme) -> dict[str, str]:
    """Every formula cell of the template (without '='), generated from the scheme's rules.

    Keys are 'K4' on the main sheet and '资金构成!C9' elsewhere; the writer writes exactly these and
    the reader compares the file against them.
    """
    f = layout.funds
    result = {
        f["rate"]: expr.to_excel(rules.execution_rate(scheme),
                                 {"executed": f["executed"], "budget": f["budget"], "initial": f["initial"]}),
        f["score"]: expr.to_excel(rules.budget_score(scheme), {"rate": f["rate"], "weight": f["weight"]}),
    }
    for row in layout.rows:
        names = {key: row.cell(key) for key in ("op", "target", "actual", "weight")}
        result[row.cell("reference")] = expr.to_excel(rules.reference_score(scheme, row.direction), names)
    for block in layout.levels:
        rows = layout.rows_of(block.key)
        for column in ("weight", "score"):
            letter = COLUMNS[column]
            result[f"{letter}{block.subtotal_row}"] = f"SUM({letter}{rows[0].row}:{letter}{rows[-1].row})"
    result[layout.total_weight] = f"SUM({f['weight']},{','.join(b.weight_cell for b in layout.levels)})"
    parts = f"SUM({f['score']},{','.join(b.score_cell for b in layout.levels)})"
    result[layout.total_score] = expr.to_excel(rules.total(scheme), {"parts": parts, "rate": f["rate"]})
    scores = ",".join(f"{COLUMNS['score']}{b.first_row}:{COLUMNS['score']}{b.subtotal_row - 1}" for b in layout.levels)
    result[layout.grade] = expr.to_excel(rules.table_grade(scheme),
                                         {"total": layout.total_score, "scored": f"COUNT({scores})"})
    for key, column in FUNDS_COLUMNS.items() if layout.funds_rows else ():
        result[f"{FUNDS_SHEET}!{column}3"] = f"{layout.sheet}!{layout.funds[key]}"
    for sheet, rows_at, columns, definitions in layout.amount_sheets():
        for amount in definitions:
            for column in columns if amount.parts else ():
                parts = ",".join(f"{column}{rows_at[part]}" for part in amount.parts if part in rows_at)
                result[f"{sheet}!{column}{rows_at[amount.key]}"] = f"SUM({parts})"
    if layout.base_rows:
        result[f"{BASE_SHEET}!{STAFFING['rate']}"] = expr.to_excel(
            expr.parse(STAFFING_RATE), {"authorized": STAFFING["authorized"], "actual": STAFFING["actual"]})
    return result


_SHEET_UNSAFE = re.compile(r"[\\/?*\[\]:']+")


def project_sheet_name(index: int, project: str) -> str:
    """'项目1 峨边在线': a sheet name Excel accepts (31 characters, none of \\ / ? * [ ] :)."""
    return f"项目{index} {_SHEET_UNSAFE.sub('', project)}".strip()[:31]
