"""Read a workbook made by ``perfxl template`` back, using the layout it carries.

The reader only reads: the scoring table (every field with its cell, value and formula) and the
template's own record (its scheme, layout, the state of every formula cell, protection). What
those facts mean — a formula overwritten, a cache missing — is decided in
:mod:`perfxl.checking.integrity`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from perfxl.model import (
    KIND_OVERALL,
    KIND_PROJECT,
    LAYOUT_TEMPLATE,
    AmountRatio,
    AmountSum,
    Field,
    Indicator,
    LevelTotals,
    ScoreTable,
)
from perfxl.reading.xlsx import Cell, Sheet, Workbook, to_field
from perfxl.scheme import Scheme, SchemeError, parse_scheme
from perfxl.scheme.amounts import INCOME_KEYS
from perfxl.template.layout import (
    BASE_SHEET,
    FUNDS_COLUMNS,
    FUNDS_SHEET,
    META_SHEET,
    STAFFING,
    TemplateLayout,
    unpack_text,
)

TEMPLATE_PROPERTY = "perfxl_template_id"


class NotATemplate(Exception):
    """The workbook says it is a perfxl template but its metadata cannot be used."""


@dataclass
class TemplateRecord:
    """What the template itself says, beside the table: read from the file, never judged here."""

    scheme: Scheme
    layout: TemplateLayout
    meta: dict[str, str]
    formula_cells: dict[str, Cell | None] = field(default_factory=dict)  # formula key → the cell now there
    targets: dict[str, Field | None] = field(default_factory=dict)  # formula key → table field it declares
    amount_inputs: dict[str, Decimal | None] = field(default_factory=dict)  # input cells of the amount sheets
    protected: dict[str, bool | None] = field(default_factory=dict)  # sheet → sheet protection on?
    structure_protection: str | None = None  # 'locked', 'unlocked' or None (unknown)
    formulas_known: bool = True  # False for a template resaved as .xls/.ods: values only, no formulas
    prefilled: dict = field(default_factory=dict)  # what the bureau prefilled: department, code, amounts


@dataclass
class TemplateRead:
    """A template's table and its record (``table.record`` is the same record)."""

    table: ScoreTable
    record: TemplateRecord

    @property
    def scheme(self) -> Scheme:
        return self.record.scheme

    @property
    def layout(self) -> TemplateLayout:
        return self.record.layout

    @property
    def meta(self) -> dict[str, str]:
        return self.record.meta


def is_template(book: Workbook) -> bool:
    return TEMPLATE_PROPERTY in book.custom_properties or META_SHEET in book.sheet_names


def read_metadata(book: Workbook) -> dict[str, str]:
    if META_SHEET not in book.sheet_names:
        raise NotATemplate("模板元数据工作表缺失")
    meta_sheet = book.sheet(META_SHEET)
    meta: dict[str, str] = {}
    row = 1
    while True:
        key = meta_sheet.value(f"A{row}")
        if key is None:
            break
        value = meta_sheet.value(f"B{row}")
        text = "" if value is None else str(value)
        if str(key) == "layout":  # long layouts span several rows
            meta["layout"] = meta.get("layout", "") + text
        elif str(key) == "project":  # one row per project table, packed
            meta["project"] = (meta["project"] + "\n" + text) if "project" in meta else text
        else:
            meta[str(key)] = text
        row += 1
    if meta.get("perfxl") != "perfxl-template" or "layout" not in meta:
        raise NotATemplate("模板元数据不完整")
    return meta


@lru_cache(maxsize=64)
def _layout(text: str) -> TemplateLayout:
    """Layouts repeat across a batch: parse each once (readers never change a layout)."""
    return TemplateLayout.decode(text)


def read_template(book: Workbook) -> TemplateRead:
    """The 部门整体 table of a perfxl template and the template's record of itself."""
    meta = read_metadata(book)
    try:
        layout = _layout(meta["layout"])
        scheme = _scheme(unpack_text(meta["scheme_toml"]), meta.get("scheme_format") or "toml")
    except (ValueError, KeyError, TypeError, SchemeError) as exc:
        raise NotATemplate(f"模板元数据无法解析：{exc}") from None
    read = _read_sheet_table(book, layout, scheme, meta)
    read.record.protected = {name: book.sheet(name).protected for name in (layout.sheet, FUNDS_SHEET, BASE_SHEET)
                             if name in book.sheet_names}
    read.record.structure_protection = book.structure_protection if read.record.formulas_known else None
    try:
        prefilled = json.loads(meta.get("prefilled") or "{}")
    except ValueError:
        prefilled = {}
    read.record.prefilled = prefilled if isinstance(prefilled, dict) else {}
    return read


def read_template_tables(book: Workbook) -> list[ScoreTable]:
    """Every table of a perfxl template: 部门整体 first, then one per 项目支出绩效自评表 sheet."""
    main = read_template(book)
    tables = [main.table]
    for packed in filter(None, main.meta.get("project", "").split("\n")):
        try:
            record = json.loads(unpack_text(packed))
            layout = _layout_from_json(record["layout"])
            scheme = _scheme(record["scheme"], record.get("scheme_format") or "toml")
        except (ValueError, KeyError, TypeError, SchemeError) as exc:
            raise NotATemplate(f"项目表元数据无法解析：{exc}") from None
        read = _read_sheet_table(book, layout, scheme, main.meta)
        read.record.protected = {layout.sheet: book.sheet(layout.sheet).protected}
        tables.append(read.table)
    return tables


@lru_cache(maxsize=64)
def _layout_from_json(text: str) -> TemplateLayout:
    return TemplateLayout.from_json(text)


@lru_cache(maxsize=16)
def _scheme(text: str, fmt: str) -> Scheme:
    return parse_scheme(text, origin="模板内置方案", fmt=fmt)


def _read_sheet_table(book: Workbook, layout: TemplateLayout, scheme: Scheme, meta: dict[str, str]) -> TemplateRead:
    """One table of the template, from the layout it recorded, and its record."""
    if layout.sheet not in book.sheet_names:
        raise NotATemplate(f"找不到工作表“{layout.sheet}”")
    table = _table(book.sheet(layout.sheet), layout, scheme, meta)
    record = TemplateRecord(scheme, layout, meta)
    record.formula_cells = {key: _sheet_cell(book, layout, key) for key in layout.formulas}
    record.amount_inputs = _amount_tables(book, layout, table)
    # What the file declares in each formula cell: its cached value, or the constant typed over it.
    declared = _formula_targets(table, layout)
    for key in layout.formulas:
        target = record.targets[key] = declared.get(key)
        if target is not None:
            cell = record.formula_cells[key]
            target.cell = layout.locate(key)[1]
            target.formula = cell.formula if cell else None
            target.assign(cell.shown if cell else None)
    record.formulas_known = getattr(book, "has_formulas", True)
    table.record = record
    return TemplateRead(table, record)


def _sheet_cell(book: Workbook, layout: TemplateLayout, key: str) -> Cell | None:
    name, ref = layout.locate(key)
    if name not in book.sheet_names:
        return None
    return book.sheet(name).get(ref)


def _amount_tables(book: Workbook, layout: TemplateLayout, table: ScoreTable) -> dict[str, Decimal | None]:
    """The 资金构成 and 基础数据表 sheets: their sums and ratio go to the table; inputs are returned."""
    inputs: dict[str, Decimal | None] = {}
    for sheet_name, rows, columns, definitions in layout.amount_sheets():
        if sheet_name not in book.sheet_names:
            continue
        sheet = book.sheet(sheet_name)
        for amount in definitions:
            if not amount.parts:
                for column in columns:
                    ref = f"{column}{rows[amount.key]}"
                    inputs[f"{sheet_name}!{ref}"] = _field(sheet, ref).number
    if FUNDS_SHEET in book.sheet_names and layout.funds_rows:
        funds = book.sheet(FUNDS_SHEET)
        for key, column in FUNDS_COLUMNS.items():
            row_field = {name: _field(funds, f"{column}{row}") for name, row in layout.funds_rows.items()}
            total = table.funds.get(key)
            if total is None:
                continue
            income = [row_field[name] for name in INCOME_KEYS]
            if any(f.number is not None for f in income):
                table.sums.append(AmountSum(f"{FUNDS_LABELS[key]}（按收入性质）", total, income, layout.sheet))
            spending = [row_field["personnel"], row_field["public"], row_field["project"]]
            if any(f.number is not None for f in spending):
                table.sums.append(AmountSum(f"{FUNDS_LABELS[key]}（按支出性质）", total, spending, layout.sheet))
    if BASE_SHEET in book.sheet_names and layout.base_rows:
        base = book.sheet(BASE_SHEET)
        table.ratios.append(AmountRatio("控制率", _field(base, STAFFING["rate"]), _field(base, STAFFING["actual"]),
                                        _field(base, STAFFING["authorized"]), BASE_SHEET))
    return inputs


FUNDS_LABELS = {"initial": "年初预算数", "budget": "全年预算数", "executed": "全年执行数"}


def _table(sheet: Sheet, layout: TemplateLayout, scheme: Scheme, meta: dict[str, str]) -> ScoreTable:
    year_text = meta.get("year", "")
    named = _field(sheet, layout.department).text
    department = meta.get("department", "") if layout.project else named  # the locked name as the file has it
    table = ScoreTable(sheet=sheet.name, layout=LAYOUT_TEMPLATE, department=department,
                       year=int(year_text) if year_text.isdigit() else None,
                       kind=KIND_PROJECT if layout.project else KIND_OVERALL,
                       title=(named or layout.project) if layout.project else "")
    table.funds = {key: _field(sheet, ref) for key, ref in layout.funds.items()}
    for row in layout.rows:
        table.indicators.append(Indicator(
            level=row.level, group=row.group, direction=row.direction,
            **{key: _field(sheet, row.cell(key)) for key in
               ("name", "op", "target", "unit", "actual", "weight", "score", "reason")},
        ))
    labels = {level.key: level.label for level in scheme.levels}
    for block in layout.levels:
        table.levels.append(LevelTotals(block.key, labels.get(block.key, block.label),
                                        Field(cell=block.weight_cell), Field(cell=block.score_cell)))
    table.total_weight = Field(cell=layout.total_weight)
    table.total_score = Field(cell=layout.total_score)
    table.grade = Field(cell=layout.grade)
    return table


def _formula_targets(table: ScoreTable, layout: TemplateLayout) -> dict[str, Field]:
    """The table field each formula cell declares (reference scores and sums declare none)."""
    targets = {layout.funds["rate"]: table.funds["rate"], layout.funds["score"]: table.funds["score"],
               layout.total_weight: table.total_weight, layout.total_score: table.total_score,
               layout.grade: table.grade}
    for block, level in zip(layout.levels, table.levels, strict=False):
        targets[block.weight_cell] = level.weight
        targets[block.score_cell] = level.score
    ratio = next((r for r in table.ratios if r.label == "控制率"), None)
    if ratio is not None:
        targets[f"{BASE_SHEET}!{STAFFING['rate']}"] = ratio.declared
    return targets


# --- cells to fields --------------------------------------------------------------------------------

def _field(sheet: Sheet, ref: str) -> Field:
    return to_field(ref, sheet.get(ref))
