"""Where everything sits in a perfxl template.

The template writer places cells from a :class:`TemplateLayout`; the template is then stamped with
that layout (as JSON, in a very hidden sheet) so that the reader never guesses a coordinate, even
for templates made by an older perfxl.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import asdict, dataclass, field

from perfxl.scheme import Scheme
from perfxl.scheme.amounts import BASE_ROWS, TEMPLATE_FUNDS_ROWS

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

    def locate(self, key: str) -> tuple[str, str]:
        """('sheet', 'cell') of a formula key."""
        sheet, _, cell = key.rpartition("!")
        return (sheet or self.sheet), cell

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


def build_layout(scheme: Scheme) -> TemplateLayout:
    """Lay out the indicator block: the rows of each group, a 小计 row per level, 总分, 评价等次."""
    layout = TemplateLayout(scheme=scheme.name)
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
    layout.funds_rows = {amount.key: 4 + index for index, amount in enumerate(TEMPLATE_FUNDS_ROWS)}
    layout.base_rows = {amount.key: 6 + index for index, amount in enumerate(BASE_ROWS)}
    return layout
