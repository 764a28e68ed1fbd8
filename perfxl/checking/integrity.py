"""What only a perfxl template can promise, checked against its own record.

Every formula is still there and unchanged, protection is still on, the file was calculated by a
spreadsheet program, and numeric inputs hold numbers (text is skipped by the sheet's SUM). Where a
formula cell carries no computed value, perfxl's own value takes its place in a copy of the table
(marked ``derived``, so it is never compared with itself): the table as read is never written to.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from functools import lru_cache

from perfxl import codes
from perfxl.checking.recompute import Recomputation, input_of, operator_of
from perfxl.model import Field, Finding, Indicator, Scalar, ScoreTable
from perfxl.numbers import normalise_text
from perfxl.reading.template import TemplateRecord
from perfxl.reading.xlsx import Cell
from perfxl.scheme import expr, rules
from perfxl.scheme.amounts import STAFFING_RATE, rows_by_key
from perfxl.template.layout import BASE_SHEET, FUNDS_COLUMNS, FUNDS_SHEET, STAFFING, TemplateLayout

_STAFFING_RULE = expr.parse(STAFFING_RATE)
INTACT, OVERWRITTEN, ALTERED = "intact", "overwritten", "altered"


def check_template(table: ScoreTable, record: TemplateRecord, result: Recomputation) -> list[Finding]:
    """Integrity findings. The table is not changed: :func:`uncalculated_values` gives the values
    of formula cells that carry no cached value, for the caller to check a filled copy."""
    computed = computed_values(table, record.layout, result, record.amount_inputs)
    states = _states(record)
    missing_cache = _missing_cache(record, states, computed)
    findings = _formula_findings(table, record, states, computed)
    findings += _protection_findings(record)
    if missing_cache:
        sheet, cell = record.layout.locate(missing_cache[0])
        findings.append(Finding(codes.NOT_RECALCULATED, sheet, cell, params={"count": len(missing_cache)}))
    budget_weight = table.funds.get("weight")
    if budget_weight is not None and budget_weight.number is None:
        findings.append(Finding(codes.MISSING_VALUE, table.sheet, budget_weight.cell,
                                params={"what": ("funds_weight", {})}))
    return findings + prefilled_changes(table, record) + prefilled_indicator_changes(table, record) \
        + numbers_stored_as_text(table)


def uncalculated_values(table: ScoreTable, record: TemplateRecord, result: Recomputation) -> dict[str, Scalar]:
    """perfxl's values for the formula cells a never-calculated file left without a cached value
    (formula key → value); empty for a file a spreadsheet program calculated."""
    computed = computed_values(table, record.layout, result, record.amount_inputs)
    return {key: computed[key] for key in _missing_cache(record, _states(record), computed)}


def with_values(table: ScoreTable, values: dict[str, Scalar]) -> ScoreTable:
    """A copy of a template's table whose formula fields hold ``values``, marked ``derived`` (so
    never compared with themselves); the table itself is left as read."""
    record = table.record
    keep = {id(record.scheme): record.scheme, id(record.layout): record.layout}  # shared, compared by identity
    filled = copy.deepcopy(table, keep)
    for key, value in values.items():
        target = filled.record.targets.get(key)
        if target is not None:
            target.derived = True
            target.assign(value)
    return filled


def _states(record: TemplateRecord) -> dict[str, str]:
    # A template resaved as .xls/.ods keeps values only: its formulas cannot be checked (said once, per file).
    return {key: formula_state(record.formula_cells[key], expected) if record.formulas_known else INTACT
            for key, expected in record.layout.formulas.items()}


def _missing_cache(record: TemplateRecord, states: dict[str, str], computed: dict) -> list[str]:
    # A spreadsheet program that calculated the file left a value in its formula cells (a total is 0
    # at least); the blanks it left are its own results (an IF giving "" where a number was typed as
    # text), not a missing cache. Only a file with no computed value at all was never calculated.
    calculated = any(state == INTACT and not _blank(record.formula_cells[key]) for key, state in states.items())
    return [] if calculated else [
        key for key, state in states.items()
        if state == INTACT and _blank(record.formula_cells[key]) and computed.get(key, "") != ""]


#: Integrity findings that still matter on a template returned blank: what was done to the file.
TAMPERING = frozenset({codes.FORMULA_OVERWRITTEN, codes.FORMULA_ALTERED, codes.PROTECTION_REMOVED,
                       codes.PREFILLED_VALUE_CHANGED})
INPUTS = ("name", "op", "target", "unit", "actual", "weight", "score", "reason")


def returned_blank(table: ScoreTable, record: TemplateRecord) -> bool:
    """Nothing typed into the template's table: no indicator, no score, no budget figure beyond
    what the bureau prefilled. Such a table is one finding (未填写), not the five its blanks cause."""
    approved = {entry["row"]: entry for entry in prefilled_indicators(table, record)}

    def as_issued(indicator: Indicator, key: str) -> bool:  # an approved target the bureau prefilled, untouched
        entry = approved.get(_row(indicator))
        return entry is not None and key in PREFILLED_INPUTS and \
            _same_as_issued(getattr(indicator, key), _issued(entry, key), key)

    if any(not getattr(indicator, key).is_blank and not as_issued(indicator, key)
           for indicator in table.indicators for key in INPUTS):
        return False
    prefilled = record.prefilled.get("amounts") or {}
    for key in ("initial", "budget", "executed"):
        f = table.funds.get(key)
        if f is None or f.is_blank or (f.number is not None and f.number == _decimal(prefilled.get(key))):
            continue
        return False
    return True


def blank_finding(table: ScoreTable) -> Finding:
    budget = table.funds.get("budget")
    return Finding(codes.MISSING_VALUE, table.sheet, budget.cell if budget else None, variant="blank",
                   params={"table": table.title or table.sheet})


def _decimal(text: object) -> Decimal | None:
    try:
        return Decimal(str(text)) if text is not None else None
    except ArithmeticError:
        return None


def prefilled_changes(table: ScoreTable, record: TemplateRecord) -> list[Finding]:
    """The department name and the roster's amounts, locked in the template: still what was issued?"""
    prefilled = record.prefilled
    findings = []
    issued = normalise_text(str(prefilled.get("department") or ""))
    if issued and not record.layout.project:
        named = record.layout.department
        found = normalise_text(table.department)
        if found != issued:
            findings.append(Finding(codes.PREFILLED_VALUE_CHANGED, table.sheet, named, prefilled["department"],
                                    table.department or None, params={"what": ("department", {})}))
    for key, text in (prefilled.get("amounts") or {}).items():
        f = table.funds.get(key)
        try:
            expected = Decimal(str(text))
        except ArithmeticError:
            continue
        if f is not None and f.number != expected:
            findings.append(Finding(codes.PREFILLED_VALUE_CHANGED, table.sheet, f.cell, expected,
                                    f.number if f.number is not None else (f.text or None),
                                    params={"what": (key, {})}))
    return findings


#: The inputs of an indicator row that ``perfxl template --targets`` fills from the approved targets.
PREFILLED_INPUTS = ("name", "op", "target", "unit", "weight")


def prefilled_indicators(table: ScoreTable, record: TemplateRecord) -> list[dict]:
    """The approved indicators the template was issued with on this table's sheet (project sheets
    too: the record lives in the template's metadata, beside every sheet)."""
    raw = record.prefilled if record.prefilled else _json(record.meta.get("prefilled"))
    entries = raw.get("indicators") if isinstance(raw, dict) else None
    return [entry for entry in entries or [] if isinstance(entry, dict) and entry.get("sheet") == table.sheet
            and isinstance(entry.get("row"), int)]


def prefilled_indicator_changes(table: ScoreTable, record: TemplateRecord) -> list[Finding]:
    """Approved indicators locked into the template: name, operator, target, unit and weight still
    as issued? (Cells are compared as read: a locked cell changed by any means is found.)"""
    by_row = {_row(indicator): indicator for indicator in table.indicators}
    findings = []
    for entry in prefilled_indicators(table, record):
        indicator = by_row.get(entry["row"])
        if indicator is None:
            continue
        name = str(entry.get("name") or "")
        for key in PREFILLED_INPUTS:
            issued = _issued(entry, key)
            f: Field = getattr(indicator, key)
            if _same_as_issued(f, issued, key):
                continue
            place = ("name", {"row": entry["row"]}) if key == "name" else (key, {"name": name})
            findings.append(Finding(codes.PREFILLED_VALUE_CHANGED, table.sheet, f.cell, issued,
                                    f.number if f.number is not None and isinstance(issued, Decimal) else (f.text or None),
                                    params={"what": place}))
    return findings


def _issued(entry: dict, key: str) -> Scalar:
    text = str(entry.get(key) or "")
    if key == "weight" or (key == "target" and entry.get("target_is_number")):
        return _decimal(text)
    return text or None


def _same_as_issued(f: Field, issued: Scalar, key: str) -> bool:
    if isinstance(issued, Decimal):
        return f.number is not None and f.number == issued
    if key == "op":
        return normalise_text(f.text).replace(">=", "≥").replace("<=", "≤") == normalise_text(str(issued or ""))
    return normalise_text(f.text) == normalise_text(str(issued or ""))


def _row(indicator: Indicator) -> int | None:
    cell = indicator.name.cell or ""
    digits = cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return int(digits) if digits.isdigit() else None


def _json(text: object) -> dict:
    try:
        value = json.loads(str(text or "{}"))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def computed_values(table: ScoreTable, layout: TemplateLayout, result: Recomputation,
                    amount_inputs: dict[str, Decimal | None]) -> dict[str, Decimal | str]:
    """perfxl's recomputation mapped onto the template's formula cells ("" where Excel shows blank)."""
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
    for sheet_name, rows, columns, definitions in layout.amount_sheets():
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
            _STAFFING_RULE, authorized=input_of(ratio.denominator), actual=input_of(ratio.numerator))
    return values


def _formula_findings(table: ScoreTable, record: TemplateRecord, states: dict[str, str],
                      computed: dict[str, Decimal | str]) -> list[Finding]:
    """Expected and found are formulas (for the JSON and the message); ``value`` and ``shown`` carry the
    values the template's formula gives and the cell shows, for printed tables (codes.printed_values)."""
    layout = record.layout
    names = {row.cell("reference"): ind.label for row, ind in zip(layout.rows, table.indicators, strict=True)}
    findings = []
    for key, state in states.items():
        if state == INTACT:
            continue
        sheet_name, ref = layout.locate(key)
        cell = record.formula_cells[key]
        what = _what(layout, table, key, names)
        expected = "=" + layout.formulas[key]
        values = {"value": computed.get(key), "shown": cell.shown if cell else None}
        if state == OVERWRITTEN:
            findings.append(Finding(codes.FORMULA_OVERWRITTEN, sheet_name, ref, expected,
                                    cell.shown if cell else None, params={"what": what, **values}))
        else:
            findings.append(Finding(codes.FORMULA_ALTERED, sheet_name, ref, expected,
                                    "=" + (cell.formula if cell and cell.formula else ""),
                                    params={"what": what, **values}))
    return findings


def _protection_findings(record: TemplateRecord) -> list[Finding]:
    findings = [Finding(codes.PROTECTION_REMOVED, name, None)
                for name, protected in record.protected.items() if not protected]
    if record.structure_protection == "unlocked":
        findings.append(Finding(codes.PROTECTION_REMOVED, None, None, variant="workbook"))
    return findings


def numbers_stored_as_text(table: ScoreTable) -> list[Finding]:
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
        if {"target", "actual"} & set(keys) and operator_of(indicator) == rules.QUALITATIVE:
            keys = [key for key in keys if key not in ("target", "actual")]  # a qualitative row reads text
        fields += [(getattr(indicator, key), (key, {"name": indicator.label})) for key in keys]
    return [Finding(codes.UNPARSEABLE_VALUE, table.sheet, f.cell, None, f.text, "as_text", {"what": what})
            for f, what in fields]


def _what(layout: TemplateLayout, table: ScoreTable, ref: str, names: dict[str, str]) -> tuple[str, dict]:
    """The place a formula cell names in a message."""
    fixed = {layout.funds["rate"]: "rate", layout.funds["score"]: "funds_score",
             layout.total_weight: "total_weight", layout.total_score: "total_score", layout.grade: "grade"}
    if ref in fixed:
        return (fixed[ref], {})
    for block, level in zip(layout.levels, table.levels, strict=False):
        if ref == block.weight_cell:
            return ("subtotal_weight", {"label": level.label})
        if ref == block.score_cell:
            return ("subtotal_score", {"label": level.label})
    if "!" in ref:
        sheet_name, cell = layout.locate(ref)
        return ("amount", {"sheet": sheet_name, "cell": cell})
    return ("reference", {"name": names.get(ref, ref)})


# --- formula text --------------------------------------------------------------------------------

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


def formula_state(cell: Cell | None, expected: str) -> str:
    if cell is None or not cell.formula:
        return OVERWRITTEN
    if normalise_formula(cell.formula) == normalise_formula(expected):
        return INTACT
    return ALTERED


def _blank(cell: Cell | None) -> bool:
    return cell is None or (cell.error is None and cell.is_blank)


def _or_blank(value: Decimal | None) -> Decimal | str:
    return "" if value is None else value
