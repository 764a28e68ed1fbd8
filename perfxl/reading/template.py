"""Read a workbook made by ``perfxl template`` back, using the layout it carries.

Besides the scoring table itself this checks what only a template can promise: every formula is
still there and unchanged, protection is still on, and the file was calculated by a spreadsheet
program. Cached values are never trusted: each is compared with perfxl's own recomputation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from perfxl.checking import tables as checks
from perfxl.model import (
    LAYOUT_TEMPLATE,
    AmountRatio,
    AmountSum,
    Field,
    Finding,
    Indicator,
    LevelTotals,
    ScoreTable,
)
from perfxl.numbers import normalise_text, parse_number
from perfxl.reading.xlsx import Cell, Sheet, Workbook
from perfxl.scheme import Scheme, SchemeError, expr, parse_scheme, rules
from perfxl.scheme.amounts import BASE_ROWS, INCOME_KEYS, STAFFING_RATE, TEMPLATE_FUNDS_ROWS, rows_by_key
from perfxl.template.layout import (
    BASE_COLUMNS,
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
class TemplateRead:
    table: ScoreTable
    scheme: Scheme
    layout: TemplateLayout
    meta: dict[str, str]
    findings: list[Finding] = field(default_factory=list)
    computed: dict[str, Decimal | str] = field(default_factory=dict)  # formula cell → perfxl's value
    amount_inputs: dict[str, Decimal | None] = field(default_factory=dict)
    recomputation: checks.Recomputation | None = None


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
        meta[str(key)] = meta.get(str(key), "") + text if str(key) == "layout" else text
        row += 1
    if meta.get("perfxl") != "perfxl-template" or "layout" not in meta:
        raise NotATemplate("模板元数据不完整")
    return meta


@lru_cache(maxsize=64)
def _layout(text: str) -> TemplateLayout:
    """Layouts repeat across a batch: parse each once (readers never change a layout)."""
    return TemplateLayout.decode(text)


def read_template(book: Workbook) -> TemplateRead:
    """The table of a perfxl template, with the template-only findings."""
    meta = read_metadata(book)
    try:
        layout = _layout(meta["layout"])
        scheme = parse_scheme(unpack_text(meta["scheme_toml"]), origin="模板内置方案",
                              fmt=meta.get("scheme_format") or "toml")
    except (ValueError, KeyError, TypeError, SchemeError) as exc:
        raise NotATemplate(f"模板元数据无法解析：{exc}") from None
    if layout.sheet not in book.sheet_names:
        raise NotATemplate(f"找不到工作表“{layout.sheet}”")
    sheet = book.sheet(layout.sheet)
    table = _table(sheet, layout, scheme, meta)
    read = TemplateRead(table, scheme, layout, meta)
    cells = {key: _sheet_cell(book, layout, key) for key in layout.formulas}
    read.amount_inputs = _amount_tables(book, layout, table)

    # What the file declares in each formula cell: its cached value, or the constant typed over it.
    integrity = {key: _formula_state(cells[key], expected) for key, expected in layout.formulas.items()}
    declared = _formula_targets(table, layout)
    targets = {key: declared.get(key) for key in layout.formulas}
    for key, target in targets.items():
        if target is not None:
            cell = cells[key]
            target.cell = layout.locate(key)[1]
            target.formula = cell.formula if cell else None
            _set_value(target, (cell.shown if cell else None))

    # perfxl's own value for every formula cell, from the inputs. A cell without a cached value reads
    # as blank above, so the recomputation already uses perfxl's value wherever the file has none.
    read.recomputation = checks.recompute(table, scheme)
    read.computed = computed_values(table, layout, read.recomputation, read.amount_inputs)
    missing_cache = [key for key, state in integrity.items()
                     if state == "intact" and _blank(cells[key]) and read.computed.get(key, "") != ""]
    for key in missing_cache:
        if targets[key] is not None:
            targets[key].derived = True
            _set_value(targets[key], read.computed[key])
    _integrity_findings(read, cells, book, integrity, missing_cache)
    read.findings += _numbers_stored_as_text(table)
    return read


def _sheet_cell(book: Workbook, layout: TemplateLayout, key: str) -> Cell | None:
    name, ref = layout.locate(key)
    if name not in book.sheet_names:
        return None
    return book.sheet(name).get(ref)


def _amount_tables(book: Workbook, layout: TemplateLayout, table: ScoreTable) -> dict[str, Decimal | None]:
    """The 资金构成 and 基础数据表 sheets: their sums and ratio go to the table; inputs are returned."""
    inputs: dict[str, Decimal | None] = {}
    for sheet_name, rows, columns, definitions in _amount_sheets(layout):
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


def _amount_sheets(layout: TemplateLayout):
    """The amount sheets this template has (templates before they existed have none)."""
    sheets = ((FUNDS_SHEET, layout.funds_rows, tuple(FUNDS_COLUMNS.values()), TEMPLATE_FUNDS_ROWS),
              (BASE_SHEET, layout.base_rows, BASE_COLUMNS, BASE_ROWS))
    return tuple(entry for entry in sheets if entry[1])


_STAFFING_RULE = expr.parse(STAFFING_RATE)
FUNDS_LABELS = {"initial": "年初预算数", "budget": "全年预算数", "executed": "全年执行数"}


def computed_values(table: ScoreTable, layout: TemplateLayout, result: checks.Recomputation,
                    amount_inputs: dict[str, Decimal | None]) -> dict[str, Decimal | str]:
    """Map perfxl's recomputation onto the template's formula cells ("" where Excel shows blank)."""
    values: dict[str, Decimal | str] = {
        layout.funds["rate"]: _or_blank(result.rate),
        layout.funds["score"]: _or_blank(result.budget_score),
        layout.total_weight: result.total_weight,
        layout.total_score: result.total if result.total is not None else Decimal(0),
        layout.grade: result.grade or "",
    }
    for block in layout.levels:
        values[block.weight_cell] = result.level_weights.get(block.key, Decimal(0))
        values[block.score_cell] = result.level_scores.get(block.key, Decimal(0))
    for index, row in enumerate(layout.rows):
        values[row.cell("reference")] = _or_blank(result.references.get(index))
    values.update(_amount_formula_values(table, layout, amount_inputs))
    return values


def _amount_formula_values(table: ScoreTable, layout: TemplateLayout,
                           inputs: dict[str, Decimal | None]) -> dict[str, Decimal | str]:
    """Values of the 资金构成 / 基础数据表 formulas: references, sums of inputs, the staffing ratio."""
    values: dict[str, Decimal | str] = {}
    for key, column in FUNDS_COLUMNS.items() if layout.funds_rows else ():
        funds_field = table.funds.get(key)
        values[f"{FUNDS_SHEET}!{column}3"] = (funds_field.number if funds_field and funds_field.number is not None
                                              else Decimal(0))
    for sheet_name, rows, columns, definitions in _amount_sheets(layout):
        by_key = rows_by_key(definitions)

        def total(key: str, column: str, sheet_name=sheet_name, rows=rows, by_key=by_key) -> Decimal:
            amount = by_key[key]
            if amount.parts:
                return sum((total(part, column) for part in amount.parts if part in rows), Decimal(0))
            value = inputs.get(f"{sheet_name}!{column}{rows[key]}")
            return value if value is not None else Decimal(0)

        for amount in definitions:
            if amount.parts:
                for column in columns:
                    values[f"{sheet_name}!{column}{rows[amount.key]}"] = total(amount.key, column)
    ratio = next((r for r in table.ratios if r.label == "控制率"), None)
    if ratio is not None:
        values[f"{BASE_SHEET}!{STAFFING['rate']}"] = rules.compute(
            _STAFFING_RULE, authorized=_input_value(ratio.denominator), actual=_input_value(ratio.numerator))
    return values


def _input_value(f: Field):
    return f.number if f.number is not None else f.text


def _table(sheet: Sheet, layout: TemplateLayout, scheme: Scheme, meta: dict[str, str]) -> ScoreTable:
    year_text = meta.get("year", "")
    department = _field(sheet, layout.department).text or meta.get("department", "")
    table = ScoreTable(sheet=sheet.name, layout=LAYOUT_TEMPLATE, department=department,
                       year=int(year_text) if year_text.isdigit() else None)
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


def _integrity_findings(read: TemplateRead, cells: dict[str, Cell | None], book: Workbook,
                        integrity: dict[str, str], missing_cache: list[str]) -> None:
    layout, table = read.layout, read.table
    names = {row.cell("reference"): ind.label for row, ind in zip(layout.rows, table.indicators, strict=True)}
    for key, state in integrity.items():
        if state == "intact":
            continue
        sheet_name, ref = layout.locate(key)
        cell = cells[key]
        what = _what(layout, table, key, names)
        expected = "=" + layout.formulas[key]
        if state == "overwritten":
            read.findings.append(Finding("FORMULA_OVERWRITTEN", sheet_name, ref, expected, (cell.shown if cell else None),
                                         params={"what": what}))
        else:
            read.findings.append(Finding("FORMULA_ALTERED", sheet_name, ref, expected,
                                         "=" + (cell.formula if cell and cell.formula else ""),
                                         params={"what": what}))
    for name in (layout.sheet, FUNDS_SHEET, BASE_SHEET):
        if name in book.sheet_names and not book.sheet(name).protected:
            read.findings.append(Finding("PROTECTION_REMOVED", name, None))
    if book.structure_protection == "unlocked":
        read.findings.append(Finding("PROTECTION_REMOVED", None, None, variant="workbook"))
    if missing_cache:
        first_sheet, first_cell = layout.locate(missing_cache[0])
        read.findings.append(Finding("NOT_RECALCULATED", first_sheet, first_cell,
                                     params={"count": len(missing_cache)}))
    budget_weight = table.funds.get("weight")
    if budget_weight is not None and budget_weight.number is None:
        read.findings.append(Finding("MISSING_VALUE", layout.sheet, budget_weight.cell,
                                     params={"what": ("funds_weight", {})}))


def _numbers_stored_as_text(table: ScoreTable) -> list[Finding]:
    """Numeric inputs that hold text ('10', '12次'): the template's SUM and ISNUMBER leave them out.

    perfxl reads them as the numbers meant, so without this finding the department would only see the
    subtotal, total and grade that the sheet got wrong, not the cell that caused it.
    """
    def as_text(f: Field) -> bool:
        return isinstance(f.value, str) and f.number is not None

    fields = [(table.funds[key], (key, {})) for key in ("initial", "budget", "executed")
              if key in table.funds and as_text(table.funds[key])]
    for indicator in table.indicators:
        keys = [key for key in ("weight", "score", "target", "actual") if as_text(getattr(indicator, key))]
        if {"target", "actual"} & set(keys) and checks.operator_of(indicator) == rules.QUALITATIVE:
            keys = [key for key in keys if key not in ("target", "actual")]  # a qualitative row reads text
        fields += [(getattr(indicator, key), (key, {"name": indicator.label})) for key in keys]
    return [Finding("UNPARSEABLE_VALUE", table.sheet, f.cell, None, f.text, "as_text", {"what": what})
            for f, what in fields]


def _what(layout: TemplateLayout, table: ScoreTable, ref: str, names: dict[str, str]) -> tuple[str, dict]:
    if ref == layout.funds["rate"]:
        return ("rate", {})
    if ref == layout.funds["score"]:
        return ("funds_score", {})
    if ref == layout.total_weight:
        return ("total_weight", {})
    if ref == layout.total_score:
        return ("total_score", {})
    if ref == layout.grade:
        return ("grade", {})
    for block, level in zip(layout.levels, table.levels, strict=False):
        if ref == block.weight_cell:
            return ("subtotal_weight", {"label": level.label})
        if ref == block.score_cell:
            return ("subtotal_score", {"label": level.label})
    if "!" in ref:
        sheet_name, cell = layout.locate(ref)
        return ("amount", {"sheet": sheet_name, "cell": cell})
    return ("reference", {"name": names.get(ref, ref)})


# --- cells to fields --------------------------------------------------------------------------------

_STRING = re.compile(r'"(?:[^"]|"")*"')


@lru_cache(maxsize=8192)
def normalise_formula(formula: str) -> str:
    """Compare formulas as a spreadsheet does: case, spaces, '$' and '_xlfn.' do not matter."""
    text = formula.strip().lstrip("=")
    parts = []
    last = 0
    for match in _STRING.finditer(text):
        parts.append(_normalise_code(text[last:match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_normalise_code(text[last:]))
    return "".join(parts)


def _normalise_code(code: str) -> str:
    code = re.sub(r"\s+", "", code).upper().replace("$", "")
    return code.replace("_XLFN.", "").replace("_XLWS.", "")


def _formula_state(cell: Cell | None, expected: str) -> str:
    if cell is None or not cell.formula:
        return "overwritten"
    if normalise_formula(cell.formula) == normalise_formula(expected):
        return "intact"
    return "altered"


def _blank(cell: Cell | None) -> bool:
    return cell is None or (cell.error is None and cell.is_blank)


def _field(sheet: Sheet, ref: str) -> Field:
    f = Field(cell=ref)
    cell = sheet.get(ref)
    if cell is not None:
        f.formula = cell.formula
        _set_value(f, (cell.shown if cell else None))
    return f


def _set_value(f: Field, value) -> None:
    f.value = value
    if isinstance(value, Decimal):
        f.number = value
        f.text = format(value, "f")
    elif isinstance(value, bool) or value is None:
        f.number = None
        f.text = "" if value is None else str(value).upper()
    else:
        f.text = str(value).strip()
        f.number = parse_number(f.text) if f.text else None
        if f.number is None and f.text and normalise_text(f.text) == "":
            f.text = ""


def _or_blank(value: Decimal | None) -> Decimal | str:
    return "" if value is None else value
