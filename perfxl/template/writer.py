"""Write the locked 自评表 template with XlsxWriter.

The department types only into the shaded input cells; every derived figure (执行率, 预算执行得分,
参考得分, 小计, 总分, 评价等次) is a formula generated from the scheme's rules (:mod:`perfxl.scheme.rules`).
The workbook carries its layout, scheme and expected formulas in a very hidden sheet so that
reconciliation knows exactly what each cell should hold.
"""

from __future__ import annotations

import io
import json
import math
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from perfxl import __version__
from perfxl.files import atomic_write_bytes
from perfxl.numbers import format_number
from perfxl.scheme import Scheme, expr, load_scheme, rules
from perfxl.scheme.amounts import BASE_ROWS, INCOME_KEYS, TEMPLATE_FUNDS_ROWS
from perfxl.targets import Prefilled
from perfxl.template.layout import (
    BASE_COLUMNS,
    BASE_SHEET,
    COLUMNS,
    FUNDS_COLUMNS,
    FUNDS_SHEET,
    LAST_COLUMN,
    META_SHEET,
    STAFFING,
    TEMPLATE_VERSION,
    TemplateLayout,
    build_layout,
    pack_text,
    project_sheet_name,
)
from perfxl.vocabulary import (
    FUNDS_HEADERS,
    FUNDS_ROW,
    GRADE_LABELS,
    INDICATOR_HEADERS,
    REFERENCE_SCORE,
    TOTAL_LABELS,
)

INPUT_FILL = "#FFF2CC"
HEADER_FILL = "#DDEBF7"
FORMULA_FILL = "#F2F2F2"
PREFILLED_FILL = "#E2EFDA"  # filled in by the bureau from the roster: locked
WARN_FILL = "#F8CBAD"
ALERT_FILL = "#FF7C80"
META_CHUNK = 30_000  # characters per metadata cell (Excel allows 32,767)

# Printing. The 自评表 gets a fixed scale and page breaks between first-level blocks: Excel ignores
# manual page breaks under "fit to page", so the scale is computed here. A column's width is counted
# in characters of the workbook's default font (Calibri): 7 px, 5.25 pt in Excel, but 7 pt in a
# LibreOffice without Calibri or Carlito (it falls back to DejaVu Sans). The scale makes the wider
# reading fit the page, so the table is one page wide in both.
SHEET_COLUMNS = dict(zip("ABCDEFGHIJKL", (11, 13, 22, 6, 11, 7, 11, 7, 7, 9, 11, 28), strict=True))
A4_LANDSCAPE = (842.0, 595.0)  # points
PRINT_MARGINS = {"left": 0.3, "right": 0.3, "top": 0.5, "bottom": 0.6}  # inches
DEFAULT_ROW = 15.0  # points: XlsxWriter's default row height
PAGE_FILL = 0.85  # plan pages to this share of their height: room for rows that grow with their text
PAGE_FOOTER = "&C&A　第 &P 页"  # the sheet's name and page: printed sheets are told apart


@dataclass
class TemplateInfo:
    """What was written: the file, its id and layout (tests and rosters use it)."""

    path: Path
    template_id: str
    layout: TemplateLayout
    projects: tuple[TemplateLayout, ...] = ()  # one 项目支出绩效自评表 sheet each
    prefilled_style: int | None = None  # the locked style prefilled amounts get
    prefilled_styles: dict[str, int] = field(default_factory=dict)  # locked styles of prefilled indicators


#: A project table to add: its name and the scheme it is scored on (classic by default, seed 004).
Project = tuple[str, Scheme]


def write_template(
    path: str | Path,
    scheme: Scheme | str = "standard",
    department: str | None = None,
    year: int | None = None,
    password: str | None = None,
    amounts: dict[str, Decimal] | None = None,
    projects: tuple[Project, ...] = (),
    template_id: str | None = None,
) -> TemplateInfo:
    """Write a locked template to ``path`` (atomically) and describe it."""
    data, info = build_template(scheme, department, year, password, amounts, projects, template_id)
    atomic_write_bytes(path, data)
    info.path = Path(path)
    return info


def build_template(
    scheme: Scheme | str = "standard",
    department: str | None = None,
    year: int | None = None,
    password: str | None = None,
    amounts: dict[str, Decimal] | None = None,
    projects: tuple[Project, ...] = (),
    template_id: str | None = None,
    code: str = "",
    indicators: dict[str, dict[int, Prefilled]] | None = None,
) -> tuple[bytes, TemplateInfo]:
    """The template as bytes. ``amounts`` prefills 年初预算数/全年预算数/全年执行数 (initial/budget/executed);
    each of ``projects`` adds a 项目支出绩效自评表 sheet; ``indicators`` (sheet → row → approved
    indicator, see :func:`perfxl.targets.place`) prefills and locks indicator rows. What is
    prefilled is recorded in the template, so that a change is found on return."""
    if isinstance(scheme, str):
        scheme = load_scheme(scheme)
    year = year or default_year()
    if not department or projects:
        record = prefilled_record(department, code, amounts, indicators) if (amounts or indicators or code) else ""
        data, info = _build(scheme, department or None, year, password, template_id or uuid.uuid4().hex, projects,
                            prefilled=record)
        return (_fill_numbers_in(data, info, amounts or {}, indicators or {}) if amounts or indicators else data), info
    main = (indicators or {}).get(build_layout(scheme).sheet)
    return stamp(base_template(scheme, year, password), department, amounts, template_id, code, main)


def default_year() -> int:
    """Self-evaluation looks back: the default year is last year."""
    return date.today().year - 1


@dataclass(frozen=True)
class BaseTemplate:
    """A template built once with placeholders, stamped per department (rosters of hundreds)."""

    members: tuple[tuple[zipfile.ZipInfo, bytes], ...]
    layout: TemplateLayout
    prefilled_style: int
    prefilled_styles: tuple[tuple[str, int], ...] = ()


_DEPARTMENT = "PERFXL-DEPARTMENT-PLACEHOLDER"
_PREFILLED = "PERFXL-PREFILLED-PLACEHOLDER"
_TEMPLATE_ID = "0" * 31 + "f"  # looks like a uuid hex, replaced by a fresh one per file


@lru_cache(maxsize=16)
def base_template(scheme: Scheme, year: int, password: str | None) -> BaseTemplate:
    data, info = _build(scheme, _DEPARTMENT, year, password, _TEMPLATE_ID, prefilled=_PREFILLED)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = tuple((item, archive.read(item.filename)) for item in archive.infolist())
    return BaseTemplate(members, info.layout, info.prefilled_style or 0, tuple(info.prefilled_styles.items()))


def stamp(base: BaseTemplate, department: str, amounts: dict[str, Decimal] | None = None,
          template_id: str | None = None, code: str = "",
          indicators: dict[int, Prefilled] | None = None) -> tuple[bytes, TemplateInfo]:
    """The base template with this department's name, its id (fresh unless given), prefilled
    amounts and approved indicators (row → what it holds), locked and recorded so that a change is
    found on return."""
    template_id = template_id or uuid.uuid4().hex
    name = xml_escape(department).encode("utf-8")
    sheets = {base.layout.sheet: indicators} if indicators else {}
    record = xml_escape(prefilled_record(department, code, amounts, sheets)).encode("utf-8")
    cells = {base.layout.funds[key]: value for key, value in (amounts or {}).items() if value is not None}
    styles = dict(base.prefilled_styles)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for item, content in base.members:
            if b"PLACEHOLDER" in content or _TEMPLATE_ID.encode() in content:
                content = content.replace(_PREFILLED.encode(), record).replace(_DEPARTMENT.encode(), name) \
                    .replace(_TEMPLATE_ID.encode(), template_id.encode())
            if (cells or indicators) and item.filename == "xl/worksheets/sheet1.xml":
                content = _fill_numbers(content, cells, base.prefilled_style)
                content = _fill_indicators(content, indicators or {}, styles)
            target.writestr(item, content, compresslevel=1)
    layout = base.layout
    return out.getvalue(), TemplateInfo(Path(), template_id, layout)


def prefilled_record(department: str | None, code: str, amounts: dict[str, Decimal] | None,
                     indicators: dict[str, dict[int, Prefilled]] | None = None) -> str:
    """What the bureau prefilled, as the hidden sheet keeps it: compared with the file on return.
    ``indicators``: sheet → row → the approved indicator written there (``perfxl template --targets``)."""
    record: dict = {"department": department or "", "code": code,
                    "amounts": {key: format(value, "f") for key, value in (amounts or {}).items()
                                if value is not None}}
    rows = [{"sheet": sheet, "row": row, "name": item.name, "op": item.op or "",
             "target": "" if item.target is None else format(item.target, "f") if isinstance(item.target, Decimal)
             else item.target, "target_is_number": isinstance(item.target, Decimal), "unit": item.unit or "",
             "weight": format(item.weight, "f")}
            for sheet, placed in (indicators or {}).items() for row, item in sorted(placed.items())]
    if rows:
        record["indicators"] = rows
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


#: Columns of an indicator row the bureau fills from the approved targets.
PREFILLED_COLUMNS = ("name", "op", "target", "unit", "weight")


def _fill_indicators(sheet_xml: bytes, rows: dict[int, Prefilled], styles: dict[str, int]) -> bytes:
    """Write approved indicators into their rows' blank input cells, locked (a blank operator or
    unit is locked blank: the approved target has none)."""
    for row, item in rows.items():
        values = {"name": (item.name, "text"), "op": (item.op, "center"), "unit": (item.unit, "center"),
                  "weight": (item.weight, "score"),
                  "target": (item.target, _target_style(item))}
        for key in PREFILLED_COLUMNS:
            value, style = values[key]
            sheet_xml = _fill_cell(sheet_xml, f"{COLUMNS[key]}{row}", value, styles[style])
    return sheet_xml


def _target_style(item: Prefilled) -> str:
    """A percentage is shown as one (95%, 95.5%), as a department typing it would see it."""
    if not isinstance(item.target, Decimal) or not item.percent:
        return "center"
    return "percent" if (item.target * 100) == (item.target * 100).to_integral_value() else "percent2"


def _fill_cell(sheet_xml: bytes, ref: str, value: Decimal | str | None, style: int) -> bytes:
    """<c r="C9" s="5"/> → <c r="C9" s="12" t="inlineStr"><is><t>…</t></is></c> (a number as <v>)."""
    head = b'<c r="' + ref.encode() + b'" s="' + str(style).encode() + b'"'
    if value is None or value == "":
        cell = head + b"/>"
    elif isinstance(value, Decimal):
        cell = head + b"><v>" + format(value, "f").encode() + b"</v></c>"
    else:
        cell = head + b' t="inlineStr"><is><t xml:space="preserve">' + xml_escape(value).encode("utf-8") \
            + b"</t></is></c>"
    sheet_xml, count = re.subn(rb'<c r="' + ref.encode() + rb'"( s="\d+")?/>', lambda _: cell, sheet_xml, count=1)
    if count != 1:
        raise ValueError(f"cannot prefill {ref}")
    return sheet_xml


def _fill_numbers_in(data: bytes, info: TemplateInfo, amounts: dict[str, Decimal],
                     indicators: dict[str, dict[int, Prefilled]] | None = None) -> bytes:
    """Prefill the amounts and approved indicators of a template built whole (one with project sheets)."""
    cells = {info.layout.funds[key]: value for key, value in amounts.items() if value is not None}
    # XlsxWriter numbers sheets in the order they were added: 自评表, 资金构成, 基础数据表, then the projects.
    members = {info.layout.sheet: "xl/worksheets/sheet1.xml",
               **{layout.sheet: f"xl/worksheets/sheet{3 + index}.xml" for index, layout in enumerate(info.projects, 1)}}
    rows_of = {members[sheet]: rows for sheet, rows in (indicators or {}).items() if sheet in members}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = _fill_numbers(content, cells, info.prefilled_style)
            if item.filename in rows_of:
                content = _fill_indicators(content, rows_of[item.filename], info.prefilled_styles)
            target.writestr(item, content)
    return out.getvalue()


def _fill_numbers(sheet_xml: bytes, cells: dict[str, Decimal], locked_style: int | None) -> bytes:
    """Put numbers into blank input cells of the sheet XML and lock them (the prefilled style):
    <c r="D4" s="5"/> → <c r="D4" s="9"><v>…</v></c>; the merged cell beside it (E4) is locked too."""
    style = b"" if locked_style is None else b' s="' + str(locked_style).encode() + b'"'
    for ref, value in cells.items():
        pattern = re.compile(rb'<c r="' + ref.encode() + rb'"( s="\d+")?/>')
        replacement = b'<c r="' + ref.encode() + b'"' + (style or rb"\1") + b"><v>" + format(value, "f").encode() \
            + b"</v></c>"
        sheet_xml, count = pattern.subn(replacement, sheet_xml, count=1)
        if count != 1:
            raise ValueError(f"cannot prefill {ref}")
        partner = _right_of(ref).encode()
        if style:
            sheet_xml = re.sub(rb'<c r="' + partner + rb'"( s="\d+")?/>', b'<c r="' + partner + b'"' + style + b"/>",
                               sheet_xml, count=1)
    return sheet_xml


def _right_of(ref: str) -> str:
    """'D4' → 'E4' (the funds cells span two single-letter columns)."""
    return chr(ord(ref[0]) + 1) + ref[1:]


def _build(scheme: Scheme, department: str | None, year: int, password: str | None,
           template_id: str, projects: tuple[Project, ...] = (), prefilled: str = "") -> tuple[bytes, TemplateInfo]:
    layout = build_layout(scheme)
    project_layouts = tuple(build_layout(project_scheme, name, project_sheet_name(index, name))
                            for index, (name, project_scheme) in enumerate(projects, start=1))
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    styles = _Styles(workbook)
    sheet = workbook.add_worksheet(layout.sheet)
    _write_sheet(sheet, styles, scheme, layout, department, year)
    _protect(sheet, password)
    _write_funds_sheet(workbook.add_worksheet(FUNDS_SHEET), styles, layout, password)
    _write_base_sheet(workbook.add_worksheet(BASE_SHEET), styles, layout, year, password)
    for project_layout, (name, project_scheme) in zip(project_layouts, projects, strict=True):
        project_sheet = workbook.add_worksheet(project_layout.sheet)
        _write_sheet(project_sheet, styles, project_scheme, project_layout, name, year)
        _protect(project_sheet, password)
    _write_metadata(workbook, styles, scheme, layout, template_id, department, year,
                    prefilled or prefilled_record(department, "", None))
    _write_project_metadata(workbook, project_layouts, [s for _, s in projects])
    workbook.set_properties({"title": f"{year}年度绩效自评表", "subject": department or "",
                             "creator": f"perfxl {__version__}", "comments": "perfxl template"})
    for name, value in {
        "perfxl_template_id": template_id,
        "perfxl_template_version": str(TEMPLATE_VERSION),
        "perfxl_scheme": scheme.name,
        "perfxl_department": department or "",
        "perfxl_year": str(year),
    }.items():
        workbook.set_custom_property(name, value)
    workbook.close()
    data = _protect_structure(buffer.getvalue(), password)
    return data, TemplateInfo(Path(), template_id, layout, project_layouts, styles.prefilled.xf_index,
                              {key: style.xf_index for key, style in styles.prefilled_indicator.items()})


class _Styles:
    def __init__(self, workbook: xlsxwriter.Workbook):
        base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter", "text_wrap": True}
        add = workbook.add_format
        self.title = add({**base, "border": 0, "bold": True, "font_size": 16, "align": "center"})
        self.header = add({**base, "bold": True, "align": "center", "bg_color": HEADER_FILL})
        self.label = add({**base, "align": "center"})
        self.label_left = add({**base, "align": "left"})
        self.input_text = add({**base, "locked": False, "bg_color": INPUT_FILL, "align": "left"})
        self.input_center = add({**base, "locked": False, "bg_color": INPUT_FILL, "align": "center"})
        self.input_amount = add({**base, "locked": False, "bg_color": INPUT_FILL, "num_format": "0.00"})
        self.input_score = add({**base, "locked": False, "bg_color": INPUT_FILL, "num_format": "0.##",
                                "align": "center"})
        self.fixed_score = add({**base, "num_format": "0.##", "align": "center"})
        self.formula_score = add({**base, "num_format": "0.00", "align": "center", "bg_color": FORMULA_FILL})
        self.formula_amount = add({**base, "num_format": "0.00", "bg_color": FORMULA_FILL})
        self.prefilled = add({**base, "num_format": "0.00", "bg_color": PREFILLED_FILL})  # locked
        locked = {**base, "bg_color": PREFILLED_FILL}  # approved indicators (--targets), locked
        self.prefilled_indicator = {
            "text": add({**locked, "align": "left"}), "center": add({**locked, "align": "center"}),
            "score": add({**locked, "num_format": "0.##", "align": "center"}),
            "percent": add({**locked, "num_format": "0%", "align": "center"}),
            "percent2": add({**locked, "num_format": "0.00%", "align": "center"})}
        self.formula_rate = add({**base, "num_format": "0.00%", "align": "center", "bg_color": FORMULA_FILL})
        self.formula_text = add({**base, "align": "center", "bold": True, "bg_color": FORMULA_FILL})
        self.note = add({"font_name": "宋体", "font_size": 9, "text_wrap": True, "valign": "top"})
        self.warn = add({"bg_color": WARN_FILL})
        self.alert = add({"bg_color": ALERT_FILL, "bold": True})
        self.plain = add({})


def _write_sheet(sheet: Worksheet, st: _Styles, scheme: Scheme, layout: TemplateLayout,
                 department: str | None, year: int) -> None:
    """The 自评表 sheet: header, funds block, goals, indicator block, totals, footer."""
    for column, width in SHEET_COLUMNS.items():
        sheet.set_column(f"{column}:{column}", width)
    heights = sheet_row_heights(scheme, layout)
    for row, height in heights.items():
        sheet.set_row(row - 1, height)
    _print_setup(sheet, layout, heights)
    if layout.project:  # a 项目支出绩效自评表: its project's name where the department's would be
        sheet.merge_range(f"A1:{LAST_COLUMN}1", f"{year}年度项目支出绩效自评表", st.title)
        sheet.merge_range("A2:C2", "项目名称", st.label)
    else:
        sheet.merge_range(f"A1:{LAST_COLUMN}1", f"{year}年度部门（单位）整体支出绩效自评表", st.title)
        sheet.merge_range("A2:C2", "部门（单位）名称", st.label)
    sheet.merge_range(f"D2:{LAST_COLUMN}2", department or "", st.label_left if department else st.input_text)
    _write_funds_block(sheet, st, scheme, layout)
    _write_goals(sheet, st)
    _write_indicator_block(sheet, st, scheme, layout)
    _write_totals(sheet, st, scheme, layout)
    for cell, formula in layout.formulas.items():
        if "!" in cell:
            continue  # on the amount sheets
        style = st.formula_rate if cell == layout.funds["rate"] else (
            st.formula_text if cell == layout.grade else st.formula_score)
        # The cached value "" marks "never calculated": a spreadsheet program replaces it.
        sheet.write_formula(cell, "=" + formula, style, "")
    _write_footer(sheet, st, scheme, layout.footer_row)


def sheet_row_heights(scheme: Scheme, layout: TemplateLayout) -> dict[int, float]:
    """Rows (1-based) of a 自评表 sheet whose height is set, in points; the others are DEFAULT_ROW."""
    heights = {1: 30.0, 3: 18.0, 4: 22.0, 6: 80.0, 8: 28.0}
    for level in scheme.levels:
        for group in level.groups:
            rows = [row.row for row in layout.rows_of(level.key) if row.group == group.label]
            needed = _text_height(group.label, _column_pixels(SHEET_COLUMNS["B"]), 10)
            if len(rows) == 1 and needed > _text_height("", 1, 10):  # a one-row group whose name wraps
                heights[rows[0]] = needed
    footer = layout.footer_row
    heights[footer] = 20.0
    notes = _text_height(_instructions(scheme), sum(map(_column_pixels, SHEET_COLUMNS.values())), 9)
    heights[footer + 1] = heights[footer + 2] = math.ceil(max(notes, 2 * DEFAULT_ROW) / 2)
    return heights


def _print_setup(sheet: Worksheet, layout: TemplateLayout, heights: dict[int, float]) -> None:
    """A4 landscape at a fixed scale, one page wide, the indicator header repeated, pages broken
    only between first-level blocks (the totals, signatures and notes stay with the last block)."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(**PRINT_MARGINS)
    sheet.center_horizontally()
    header = layout.levels[0].first_row - 1
    sheet.repeat_rows(header - 1, header - 1)
    scale = print_scale(SHEET_COLUMNS.values(), A4_LANDSCAPE[0])
    sheet.set_print_scale(scale)
    sheet.set_h_pagebreaks([row - 1 for row in page_breaks(layout, heights, scale)])
    sheet.print_area(0, 0, layout.footer_row + 1, len(SHEET_COLUMNS) - 1)
    sheet.set_footer(PAGE_FOOTER)
    sheet.set_start_page(1)


def print_scale(widths: Iterable[float], page_width: float) -> int:
    """The print scale (%) at which these columns fit the page width in either reading (see above)."""
    usable = page_width - (PRINT_MARGINS["left"] + PRINT_MARGINS["right"]) * 72
    widest = sum(_column_pixels(width) for width in widths)  # pixels in Excel, points at worst
    return max(10, min(100, math.floor(100 * usable / widest)))


def page_breaks(layout: TemplateLayout, heights: dict[int, float], scale: int) -> list[int]:
    """The rows (1-based) that begin a new printed page: first rows of first-level blocks.

    Blocks fill a page while they fit (to PAGE_FILL of its height); the last block carries the
    totals, signatures and notes with it, so no page holds those alone.
    """
    printable = A4_LANDSCAPE[1] - (PRINT_MARGINS["top"] + PRINT_MARGINS["bottom"]) * 72
    capacity = printable * 100 / scale * PAGE_FILL

    def height(first: int, last: int) -> float:
        return sum(heights.get(row, DEFAULT_ROW) for row in range(first, last + 1))

    header = height(layout.levels[0].first_row - 1, layout.levels[0].first_row - 1)  # repeated
    used, on_page, breaks = height(1, layout.levels[0].first_row - 1), 0, []
    for index, block in enumerate(layout.levels):
        last = layout.footer_row + 2 if index == len(layout.levels) - 1 else block.subtotal_row
        size = height(block.first_row, last)
        if on_page and used + size > capacity:
            breaks.append(block.first_row)
            used, on_page = header, 0
        used, on_page = used + size, on_page + 1
    return breaks


def _column_pixels(width: float) -> int:
    """A column's width in pixels, as XlsxWriter converts characters (Calibri 11: 7 px + 5 padding)."""
    return int(width * 7 + 0.5) + 5


def _text_height(text: str, width_pixels: float, size: float) -> float:
    """Points that wrapped text of ``size`` points needs in cells ``width_pixels`` wide.

    Counted in Excel's narrower reading of the width (a pixel is 0.75 pt): the more lines.
    """
    usable = width_pixels * 0.75 - 6
    lines = 0
    for line in text.splitlines() or [""]:
        ems = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in line)
        lines += max(1, math.ceil(ems * size / usable))
    return lines * size * 1.45 + 4


def _write_funds_block(sheet: Worksheet, st: _Styles, scheme: Scheme, layout: TemplateLayout) -> None:
    """年度预算申请（万元）: the three amounts typed, 分值 fixed, 执行率 and 得分 by formula."""
    f = layout.funds
    sheet.merge_range("A3:C3", "项目资金（万元）" if layout.project else "年度预算申请（万元）", st.header)
    for cells, key in (("D3:E3", "initial"), ("F3:G3", "budget"), ("H3:I3", "executed")):
        sheet.merge_range(cells, FUNDS_HEADERS[key][0], st.header)
    for column, key in (("J", "weight"), ("K", "rate"), ("L", "score")):
        sheet.write(f"{column}3", FUNDS_HEADERS[key][0], st.header)
    sheet.merge_range("A4:C4", FUNDS_ROW[0], st.label)
    for key, end in (("initial", "E4"), ("budget", "G4"), ("executed", "I4")):
        sheet.merge_range(f"{f[key]}:{end}", None, st.input_amount)
        sheet.data_validation(f[key], {"validate": "decimal", "criteria": ">=", "value": 0,
                                       "error_title": "金额", "error_message": "请填写以万元为单位的非负数"})
    sheet.write_number(f["weight"], float(scheme.budget_weight), st.fixed_score)
    sheet.conditional_format(f["executed"], {
        "type": "formula", "format": st.warn,
        "criteria": f"=AND(ISNUMBER({f['executed']}),ISNUMBER({f['budget']}),{f['executed']}>{f['budget']})"})
    sheet.conditional_format(f["budget"], {  # 全年预算数 0: no rate can be computed
        "type": "formula", "format": st.warn, "criteria": f"=AND(ISNUMBER({f['budget']}),{f['budget']}=0)"})
    _mark_spending_gap(sheet, st, scheme, layout)


def _mark_spending_gap(sheet: Worksheet, st: _Styles, scheme: Scheme, layout: TemplateLayout) -> None:
    """The budget score turns amber when the indicators scored far ahead of spending (the scheme's
    gap_threshold, as reconcile's SPENDING_PERFORMANCE_GAP)."""
    score, weight = layout.funds["score"], layout.funds["weight"]
    indicators = format_number(scheme.total_weight - scheme.budget_weight)
    share = f"SUM({','.join(block.score_cell for block in layout.levels)})/{indicators}"
    threshold = format(scheme.rules.gap_threshold, "f")
    sheet.conditional_format(score, {"type": "formula", "format": st.warn, "criteria":
                                     f"=AND(ISNUMBER({score}),{weight}>0,{share}>0,"
                                     f"{share}-{score}/{weight}>{threshold}*{share})"})


def _mark_overshoot(sheet: Worksheet, st: _Styles, scheme: Scheme, rows) -> None:
    """An actual at or beyond the scheme's overshoot ratio of a higher-is-better target turns amber
    (as reconcile's TARGET_OVERSHOOT): the target may have been set too low."""
    c, first, last = COLUMNS, rows[0].row, rows[-1].row
    op, target, actual = f"{c['op']}{first}", f"{c['target']}{first}", f"{c['actual']}{first}"
    higher = [f'{op}="{symbol}"' for symbol in ("≥", ">", "=")] + ([f'{op}=""'] if rows[0].direction == "higher" else [])
    ratio = format(scheme.rules.overshoot_ratio, "f")
    sheet.conditional_format(f"{c['actual']}{first}:{c['actual']}{last}", {
        "type": "formula", "format": st.warn,
        "criteria": f"=AND(ISNUMBER({target}),ISNUMBER({actual}),{target}>0,OR({','.join(higher)}),"
                    f"{actual}>={target}*{ratio})"})


def _write_goals(sheet: Worksheet, st: _Styles) -> None:
    """年度总体目标: 预期目标 and 实际完成情况, free text."""
    sheet.merge_range("A5:A6", "年度总体\n目标", st.label)
    sheet.merge_range("B5:F5", "预期目标", st.header)
    sheet.merge_range(f"G5:{LAST_COLUMN}5", "实际完成情况", st.header)
    sheet.merge_range("B6:F6", "", st.input_text)
    sheet.merge_range(f"G6:{LAST_COLUMN}6", "", st.input_text)


def _write_indicator_block(sheet: Worksheet, st: _Styles, scheme: Scheme, layout: TemplateLayout) -> None:
    """绩效指标: the header, each level's rows with its 小计, and the live marks on scores and reasons."""
    sheet.merge_range(f"A7:{LAST_COLUMN}7", "绩效指标", st.header)
    headers = {key: words[0] for key, words in INDICATOR_HEADERS.items() if key != "reason"}
    for key, text in {**headers, "reference": REFERENCE_SCORE}.items():
        sheet.write(f"{COLUMNS[key]}8", text, st.header)
    sheet.merge_range(f"K8:{LAST_COLUMN}8", INDICATOR_HEADERS["reason"][0], st.header)
    for level, block in zip(scheme.levels, layout.levels, strict=True):
        _write_level(sheet, st, scheme, level, block, layout.rows_of(level.key))
    # Marks only on the indicator rows, where the department types: never on the locked 小计 rows.
    first_row = layout.rows[0].row
    score, weight = (f"{COLUMNS[key]}{first_row}" for key in ("score", "weight"))
    scores = indicator_ranges(layout, "score")
    sheet.conditional_format(scores[0], {
        "type": "formula", "format": st.alert, "multi_range": " ".join(scores),
        "criteria": f"=AND(ISNUMBER({score}),OR({score}<0,AND(ISNUMBER({weight}),{score}>{weight})))"})
    _mark_missing_reasons(sheet, st, scheme, layout)


def _mark_missing_reasons(sheet: Worksheet, st: _Styles, scheme: Scheme, layout: TemplateLayout) -> None:
    """偏差原因 cells turn amber where the scheme's rules ask for a reason and none is typed (as
    reconcile's DEVIATION_REASON_MISSING), and so does the 执行率 when the rate asks for one."""
    by_rule: dict[str, list] = {}  # rows whose rule reads the same share one mark
    for row in layout.rows:
        by_rule.setdefault(rules.needs_reason(scheme, row.direction).text, []).append(row)
    for rows in by_rule.values():
        first = rows[0]
        names = {key: first.cell(key) for key in ("op", "target", "actual", "weight", "score")}
        needs = expr.to_excel(rules.needs_reason(scheme, first.direction), names)
        ranges = _runs([row.cell("reason") for row in rows])
        sheet.conditional_format(ranges[0], {"type": "formula", "format": st.warn, "multi_range": " ".join(ranges),
                                             "criteria": f"=AND({needs},LEN({first.cell('reason')})=0)"})
    rule = rules.reason_for_rate(scheme)
    if rule is not None:
        rate = layout.funds["rate"]
        given = f"COUNTA({','.join(indicator_ranges(layout, 'reason'))})"
        sheet.conditional_format(rate, {"type": "formula", "format": st.warn,
                                        "criteria": "=" + expr.to_excel(rule, {"rate": rate, "reasons": given})})


def _runs(cells: list[str]) -> list[str]:
    """Consecutive cells of one column as ranges: ['K9', 'K10', 'K12'] → ['K9:K10', 'K12']."""
    runs: list[list[int]] = []
    column = cells[0].rstrip("0123456789")
    for number in (int(cell[len(column):]) for cell in cells):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return [f"{column}{a}" if a == b else f"{column}{a}:{column}{b}" for a, b in runs]


def indicator_ranges(layout: TemplateLayout, column: str) -> list[str]:
    """One column's cells on the indicator rows, a range per first-level block ('I9:I20', 'I22:I33', …)."""
    letter = COLUMNS[column]
    return [f"{letter}{block.first_row}:{letter}{block.subtotal_row - 1}" for block in layout.levels]


def _write_level(sheet: Worksheet, st: _Styles, scheme: Scheme, level, block, rows) -> None:
    sheet.merge_range(f"A{block.first_row}:A{block.subtotal_row}",
                      f"{level.label}\n（{format_number(level.weight)}分）", st.label)
    for group in level.groups:
        group_rows = [row.row for row in rows if row.group == group.label]
        cells = f"B{group_rows[0]}:B{group_rows[-1]}"
        if len(group_rows) > 1:
            sheet.merge_range(cells, group.label, st.label)
        else:
            sheet.write(cells.split(":")[0], group.label, st.label)
    for row in rows:
        _write_indicator_row(sheet, st, row)
    for group in level.groups:  # one rule per group: a group's rows share its direction
        _mark_overshoot(sheet, st, scheme, [row for row in rows if row.group == group.label])
    sheet.merge_range(f"B{block.subtotal_row}:G{block.subtotal_row}", f"{level.label}小计", st.label)
    sheet.write_blank(f"J{block.subtotal_row}", None, st.label)
    sheet.merge_range(f"K{block.subtotal_row}:{LAST_COLUMN}{block.subtotal_row}", "", st.label)
    weight = format_number(level.weight)
    weights = f"{COLUMNS['weight']}{block.first_row}:{COLUMNS['weight']}{block.subtotal_row - 1}"
    sheet.conditional_format(block.weight_cell, {  # red once a weight is typed, not on a blank template
        "type": "formula", "format": st.alert,
        "criteria": f"=AND(COUNT({weights})>0,{block.weight_cell}<>{weight})"})
    sheet.conditional_format(block.score_cell, {"type": "formula", "format": st.alert,
                                                "criteria": f"={block.score_cell}>{weight}"})


def _write_totals(sheet: Worksheet, st: _Styles, scheme: Scheme, layout: TemplateLayout) -> None:
    """总分 and 评价等次 rows (their formulas come from the layout)."""
    total_row = int(layout.total_score[1:])
    sheet.merge_range(f"A{total_row}:G{total_row}", TOTAL_LABELS[0], st.header)
    sheet.write_blank(f"J{total_row}", None, st.label)
    sheet.merge_range(f"K{total_row}:{LAST_COLUMN}{total_row}", "", st.label)
    weights = ",".join(indicator_ranges(layout, "weight"))
    sheet.conditional_format(layout.total_weight, {  # as the 小计: only once a weight is typed
        "type": "formula", "format": st.alert,
        "criteria": f"=AND(COUNT({weights})>0,{layout.total_weight}<>{format_number(scheme.total_weight)})"})
    sheet.merge_range(f"A{total_row + 1}:G{total_row + 1}", GRADE_LABELS[0], st.header)
    sheet.merge_range(f"{layout.grade}:I{total_row + 1}", None, st.formula_text)
    sheet.merge_range(f"J{total_row + 1}:{LAST_COLUMN}{total_row + 1}", "", st.label)


def _write_footer(sheet: Worksheet, st: _Styles, scheme: Scheme, footer: int) -> None:
    sheet.write(f"A{footer}", "填表人", st.label)
    sheet.merge_range(f"B{footer}:C{footer}", "", st.input_text)
    sheet.merge_range(f"D{footer}:E{footer}", "联系电话", st.label)
    sheet.merge_range(f"F{footer}:G{footer}", "", st.input_text)
    sheet.merge_range(f"H{footer}:I{footer}", "填报日期", st.label)
    sheet.write(f"J{footer}", "", st.input_text)
    sheet.write(f"K{footer}", "单位负责人", st.label)
    sheet.write(f"L{footer}", "", st.input_text)
    sheet.merge_range(f"A{footer + 1}:{LAST_COLUMN}{footer + 2}", _instructions(scheme), st.note)


def _write_indicator_row(sheet: Worksheet, st: _Styles, row) -> None:
    c = COLUMNS
    r = row.row
    sheet.write_blank(f"{c['name']}{r}", None, st.input_text)
    sheet.write_blank(f"{c['op']}{r}", None, st.input_center)
    sheet.data_validation(f"{c['op']}{r}", {"validate": "list", "source": list(rules.OPERATORS),
                                            "error_title": "符号", "error_message": "请从下拉列表选择：≥ > = ≤ < 定性"})
    sheet.write_blank(f"{c['target']}{r}", None, st.input_center)
    sheet.write_blank(f"{c['unit']}{r}", None, st.input_center)
    sheet.write_blank(f"{c['actual']}{r}", None, st.input_center)
    for key in ("weight", "score"):
        sheet.write_blank(f"{c[key]}{r}", None, st.input_score)
        sheet.data_validation(f"{c[key]}{r}", {"validate": "decimal", "criteria": "between",
                                               "minimum": 0, "maximum": 100, "error_title": "分值/得分",
                                               "error_message": "请填写 0–100 之间的数字"})
    sheet.merge_range(f"{c['reason']}{r}:{LAST_COLUMN}{r}", None, st.input_text)


def _protect(sheet: Worksheet, password: str | None) -> None:
    sheet.protect(password or "", {"select_locked_cells": True, "select_unlocked_cells": True, "format_rows": True})


def _write_funds_sheet(sheet: Worksheet, st: _Styles, layout: TemplateLayout, password: str | None) -> None:
    """资金构成: 年度资金总额 by income nature and by expenditure nature, with their sums."""
    widths = (14, 30, 14, 14, 14)
    for column, width in zip("ABCDE", widths, strict=True):
        sheet.set_column(f"{column}:{column}", width)
    sheet.set_landscape()
    _fit_width(sheet)
    sheet.set_row(0, 30)
    sheet.merge_range("A1:E1", "年度资金构成（万元）", st.title)
    for column, text in zip("ABCDE", ("类别", "项目", "年初预算数", "全年预算数", "全年执行数"), strict=True):
        sheet.write(f"{column}2", text, st.header)
    sheet.merge_range("A3:B3", "年度资金总额（取自“自评表”）", st.label)
    rows = layout.funds_rows
    income_rows = [rows[key] for key in (*INCOME_KEYS, "income_total")]
    sheet.merge_range(f"A{income_rows[0]}:A{income_rows[-1]}", "按收入性质分", st.label)
    sheet.merge_range(f"A{rows['basic']}:A{rows['spending_total']}", "按支出性质分", st.label)
    for amount in TEMPLATE_FUNDS_ROWS:
        row = rows[amount.key]
        sheet.write(f"B{row}", "    " * amount.indent + amount.label, st.label_left)
        for column in FUNDS_COLUMNS.values():
            cell = f"{column}{row}"
            if not amount.parts:
                sheet.write_blank(cell, None, st.input_amount)
    for key in ("income_total", "spending_total"):
        for column in FUNDS_COLUMNS.values():
            cell = f"{column}{rows[key]}"
            sheet.conditional_format(cell, {"type": "formula", "format": st.alert,
                                            "criteria": f"=AND({cell}<>0,ROUND({cell}-{column}3,2)<>0)"})
    _write_note(sheet, st, rows["spending_total"] + 2, "E", widths,
                "说明：各项收入之和应等于年度资金总额；基本支出 = 人员经费 + 公用经费；"
                "基本支出 + 项目支出应等于年度资金总额。合计行由公式计算，不一致时标红。")
    _write_formulas(sheet, st, layout, FUNDS_SHEET)
    _protect(sheet, password)


def _write_base_sheet(sheet: Worksheet, st: _Styles, layout: TemplateLayout, year: int,
                      password: str | None) -> None:
    """基础数据表 (附件2): staffing and the spending-control figures over three years."""
    widths = (34, 16, 16, 16)
    for column, width in zip("ABCD", widths, strict=True):
        sheet.set_column(f"{column}:{column}", width)
    _fit_width(sheet)  # portrait
    sheet.set_row(0, 30)
    sheet.merge_range("A1:D1", f"{year}年度部门（单位）整体支出绩效评价基础数据表", st.title)
    staffing = ("财政供养人员情况（人）", "编制数", f"{year}年实际在职人数", "控制率")
    header_height = DEFAULT_ROW
    for column, text, width in zip("ABCD", staffing, widths, strict=True):
        sheet.write(f"{column}2", text, st.header)
        header_height = max(header_height, _text_height(text, _column_pixels(width), 10))
    sheet.set_row(1, header_height)
    sheet.write("A3", "", st.label)
    sheet.write_blank(STAFFING["authorized"], None, st.input_score)
    sheet.write_blank(STAFFING["actual"], None, st.input_score)
    headers = ("经费控制情况（万元）", f"{year - 1}年决算数", f"{year}年预算数", f"{year}年决算数")
    for column, text in zip("ABCD", headers, strict=True):
        sheet.write(f"{column}5", text, st.header)
    rows = layout.base_rows
    for amount in BASE_ROWS:
        row = rows[amount.key]
        label_style = st.input_text if amount.input_label else st.label_left
        sheet.write(f"A{row}", "    " * amount.indent + amount.label, label_style)
        for column in BASE_COLUMNS:
            cell = f"{column}{row}"
            if not amount.parts:
                sheet.write_blank(cell, None, st.input_amount)
    _write_note(sheet, st, max(rows.values()) + 2, "D", widths,
                "说明：“项目支出”填报基本支出以外的所有项目支出情况，“公用经费”填报基本支出中的一般商品和服务支出。"
                "三公经费、项目支出的合计由公式计算。")
    _write_formulas(sheet, st, layout, BASE_SHEET)
    _protect(sheet, password)


def _fit_width(sheet: Worksheet) -> None:
    """An amount sheet prints on A4, one page wide (no page breaks of ours to keep there)."""
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_footer(PAGE_FOOTER)
    sheet.set_start_page(1)


def _write_note(sheet: Worksheet, st: _Styles, row: int, last_column: str, widths: tuple[int, ...],
                text: str) -> None:
    """A note over two merged rows (1-based ``row`` and the next), tall enough for all its lines."""
    sheet.merge_range(f"A{row}:{last_column}{row + 1}", text, st.note)
    height = _text_height(text, sum(map(_column_pixels, widths)), 9)
    for index in (row - 1, row):
        sheet.set_row(index, math.ceil(max(height, 2 * DEFAULT_ROW) / 2))


def _write_formulas(sheet: Worksheet, st: _Styles, layout: TemplateLayout, sheet_name: str) -> None:
    for key, formula in layout.formulas.items():
        name, cell = layout.locate(key)
        if name == sheet_name:
            style = st.formula_rate if key.endswith(f"!{STAFFING['rate']}") and name == BASE_SHEET else st.formula_amount
            sheet.write_formula(cell, "=" + formula, style, "")


def _instructions(scheme: Scheme) -> str:
    return (
        "说明：1. 浅黄色单元格为填写区，其余单元格已锁定，由公式自动计算。2. 金额单位为万元，保留两位小数。"
        "3. 定量指标请在“符号”列选择 ≥ > = ≤ <，“年度指标值”“实际完成值”填数字（百分比可填 95%），单位填在“单位”列；"
        "定性指标选择“定性”，指标值填文字。4. 各一级指标下的分值之和应等于其权重"
        f"（{scheme.fingerprint()}）。5. 得分低于分值的，须填写偏差原因分析及改进措施。"
        "6. “参考得分”按评分规则由公式计算，仅供参考；得分由本单位自评填写。"
    )


def _write_metadata(workbook: xlsxwriter.Workbook, st: _Styles, scheme: Scheme, layout: TemplateLayout,
                    template_id: str, department: str | None, year: int, prefilled: str) -> None:
    meta = workbook.add_worksheet(META_SHEET)
    rows: list[tuple[str, str]] = [
        ("perfxl", "perfxl-template"),
        ("template_version", str(TEMPLATE_VERSION)),
        ("perfxl_version", __version__),
        ("template_id", template_id),
        ("department", department or ""),
        ("year", str(year)),
        ("scheme", scheme.name),
        ("scheme_toml", pack_text(scheme.source)),  # the name predates YAML schemes; kept for old templates
        ("scheme_format", scheme.source_format),
        ("prefilled", prefilled),
    ]
    layout_json = layout.encode()
    chunks = [layout_json[i:i + META_CHUNK] for i in range(0, len(layout_json), META_CHUNK)]
    rows += [("layout", chunk) for chunk in chunks]
    for index, (key, value) in enumerate(rows):
        meta.write_string(index, 0, key)
        meta.write_string(index, 1, value)
    meta.write_blank(0, 3, None, st.prefilled)  # registers the style prefilled amounts are stamped with
    for column, style in enumerate(st.prefilled_indicator.values(), start=4):  # and those of approved indicators
        meta.write_blank(0, column, None, style)
    meta.protect("", {})
    meta.very_hidden()


def _write_project_metadata(workbook: xlsxwriter.Workbook, layouts: tuple[TemplateLayout, ...],
                            schemes: list[Scheme]) -> None:
    """One 'project' row per project table in the hidden sheet: its layout and scheme, packed."""
    if not layouts:
        return
    meta = workbook.get_worksheet_by_name(META_SHEET)
    first = meta.dim_rowmax + 1 if meta.dim_rowmax is not None else 0
    for offset, (layout, scheme) in enumerate(zip(layouts, schemes, strict=True)):
        record = {"layout": layout.to_json(), "scheme": scheme.source, "scheme_format": scheme.source_format}
        meta.write_string(first + offset, 0, "project")
        meta.write_string(first + offset, 1, pack_text(json.dumps(record, ensure_ascii=False)))


def _protect_structure(data: bytes, password: str | None) -> bytes:
    """Lock the workbook structure (XlsxWriter has no API for it): patch xl/workbook.xml."""
    attributes = 'lockStructure="1"'
    if password:
        from xlsxwriter.worksheet import Worksheet as _Sheet

        attributes = f'workbookPassword="{_Sheet()._encode_password(password)}" ' + attributes
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = content.decode("utf-8")
                text = text.replace("<bookViews>", f"<workbookProtection {attributes}/><bookViews>", 1)
                content = text.encode("utf-8")
            target.writestr(item, content)
    return out.getvalue()
