"""Annotated copies of submissions: the findings shown where the clerk will look for them.

A reviewer sends a workbook back to the department with every flagged cell coloured (red for
errors, amber for warnings) and a note on it saying what is wrong, plus a first sheet 审核意见
listing every finding with a link to its cell. The submission itself is evidence: it is read once
into memory and never opened for writing; the copy is written atomically into another folder.

openpyxl does the editing because it keeps nearly all of a workbook (styles, merged cells,
protection, data validations, conditional formats, hidden sheets, custom properties), but it drops
the values a spreadsheet program cached for formula cells. Those are put back afterwards from the
original (:func:`_restore_cached_values`), so the copy shows, and reconciles to, what was submitted.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePosixPath

import openpyxl
from lxml import etree
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.workbook import Workbook as OpenpyxlBook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import fromstring, tostring

from perfxl import codes
from perfxl.codes import LANGUAGES, render
from perfxl.files import atomic_write_bytes
from perfxl.model import REVIEW_SHEET_PROPERTY, FileResult, Finding, Scalar
from perfxl.outputs.workbook import FORMULA_LEAD, text_width
from perfxl.reading.xlsx import NS, UnreadableWorkbook, Workbook, cell_ref, parse_xml, split_ref

#: Fill colours (ARGB) of flagged cells: a light red and an amber that keep black text readable.
ERROR_COLOR = "FFFF9999"
WARNING_COLOR = "FFFFC000"
AUTHOR = "perfxl"
#: Custom property of a copy: the cells perfxl marked, with their fill and comment from before.
MARKS_PROPERTY = "perfxl_marks"

REVIEW_SHEET = {"zh": "审核意见", "en": "Review"}
HEADERS = {
    "zh": ("序号", "问题", "级别", "工作表", "单元格", "说明", "应为", "实为", "代码"),
    "en": ("#", "Finding", "Severity", "Sheet", "Cell", "Message", "Expected", "Found", "Code"),
}
#: Widths (characters) that fit an A4 landscape page one page wide with 10-point text (LibreOffice
#: scales them by about 0.93 with a 宋体 workbook, Excel not at all): printed at 9 points or more.
COLUMN_WIDTHS = (4, 12, 5, 10, 7, 36, 11, 11, 14)
WRAPPED = (1, 3, 5, 6, 7, 8)  # 0-based: 问题, 工作表, 说明, 应为, 实为, 代码 wrap
BODY_SIZE = 10  # points, whatever the department's workbook uses
BODY_FONT = Font(size=BODY_SIZE)
CODE_FONT = Font(color="FF7F7F7F", size=BODY_SIZE)  # the code last, in grey: the words come first
#: The review sheet's head: a title, the department, the date and what to do, then the findings.
REVIEW_TEXT = {
    "zh": {"title": "绩效自评表审核意见", "department": "部门（单位）：{name}", "unknown": "（未识别）",
           "date": "审核日期：{date}　　文件：{file}　　共 {n} 条：错误 {errors} 条，警告 {warnings} 条",
           "steps": "请按下表逐条处理：标红的单元格是错误，必须改正；标黄的单元格是警告，请核实，数字无误的请在表中说明原因。"
                    "点“单元格”一列的链接可跳到该单元格，单元格上的批注写明了问题。"
                    "全部处理后保存本文件（保持 .xlsx 格式，不要改成其他格式），发回审核部门。本页不必修改。"},
    "en": {"title": "Performance self-evaluation: review", "department": "Department: {name}",
           "unknown": "(not identified)",
           "date": "Reviewed on {date}    File: {file}    {n} findings: {errors} errors, {warnings} warnings",
           "steps": "Work through the list below: red cells are errors and must be corrected; amber cells are "
                    "warnings: check them, and where the figure is right, explain why in the table. The link in "
                    "the Cell column jumps to the cell; its comment says what is wrong. Then save this file "
                    "(keep it .xlsx) and send it back to the reviewing office. This sheet needs no changes."},
}
LINE_HEIGHT = 15  # points per line of wrapped 10-point text (CJK fonts run tall)
REVIEW_HEADER_ROW = 6  # 1-based: the findings' header, under the head (rows 1-4) and a blank row

MAX_ROW, MAX_COLUMN = 1_048_576, 16_384  # the grid of an .xlsx sheet
MAX_CELL_TEXT = 32_767  # characters a cell can hold

_M = "{{{}}}".format(NS["m"])
_R_ID = "{{{}}}id".format(NS["r"])


class AnnotateError(Exception):
    """The submission cannot be annotated (changed since it was reconciled, or openpyxl fails on it).

    ``str()`` is the Chinese message for the clerk, :meth:`message` gives either language; the
    caller reports it and goes on with the next file.
    """

    def __init__(self, zh: str, en: str | None = None):
        super().__init__(zh)
        self.en = en or zh

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else str(self)


def annotate(result: FileResult, out_dir: str | Path, lang: str = "zh", *,
             when: date | None = None, target: Path | None = None, source: Path | None = None) -> Path | None:
    """Write an annotated copy of ``result``'s workbook into ``out_dir``; return its path.

    Returns None, writing nothing, when there is nothing to show: no findings, or a file that could
    not be read in the first place. The copy keeps the submission's file name, with " (2)", " (3)"…
    added when that name is taken in ``out_dir`` (so the original is never overwritten, even when
    ``out_dir`` is its own folder).

    A batch passes ``target``, the name it chose in its own order (see ``run_round``): a copy left
    there by an earlier run is replaced, so re-running gives the same folder. The caller must make
    sure ``out_dir`` holds no submissions (the CLI refuses such a folder).
    ``when`` is the review's date on the 审核意见 sheet (today by default). ``source`` is where the
    file is when ``result.path`` is the name shown for it (the web page's uploads): the copy and its
    messages use the name shown, the bytes come from ``source``.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    if result.status == "unreadable" or not result.findings:
        return None
    shown = Path(result.path).name
    source = Path(source or result.path)
    if result.format not in (None, "xlsx") or not zipfile.is_zipfile(source):
        raise AnnotateError(f"{shown} 不是 .xlsx 工作簿，无法在副本中批注（问题见审核报告与 JSON；"
                            "请部门另存为 .xlsx 后重新提交，或按审核报告修改）",
                            f"{shown} is not an .xlsx workbook, so no annotated copy can be made "
                            "(the findings are in the report and the JSON)")
    data = read_submission(source, result.sha256, shown)
    book, cached, full_calc = _open_copy(source, data)
    _undo_earlier_review(book)  # a returned copy sent back again: one review, not two
    locations = _mark_cells(book, result.findings, lang)
    _add_review_sheet(book, result, locations, lang, when or date.today())
    book.calculation.fullCalcOnLoad = full_calc
    payload = _restore_cached_values(_save(book), cached)
    target = target or free_name(Path(out_dir), shown)
    atomic_write_bytes(target, payload)
    return target


# --- reading the submission --------------------------------------------------------------------


class _Error(str):
    """A cached error value such as '#DIV/0!' (written back with t="e")."""


def read_submission(source: Path, sha256: str, shown: str | None = None) -> bytes:
    """The file's bytes, once; refused if it is no longer the file that was reconciled. Messages name
    it ``shown`` (the name the clerk knows it by), else by its own name."""
    shown = shown or source.name
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise AnnotateError(f"无法读取文件 {shown}：{exc.strerror or exc}",
                            f"cannot read {shown}: {exc.strerror or exc}") from None
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        raise AnnotateError(f"文件 {shown} 在审核之后被修改过，请重新审核后再生成批注副本",
                            f"{shown} changed after it was reconciled: reconcile it again first")
    return data


def _open_copy(source: Path, data: bytes) -> tuple[OpenpyxlBook, dict[str, dict[str, Scalar | _Error]], bool]:
    """The workbook for openpyxl, the cached formula values it will drop, and the recalc flag.

    perfxl's own reader runs first: it applies the size, zip-bomb and DTD checks to the parts it
    reads, and its values are exactly what reconcile saw. Every other XML part is screened for a
    DTD before openpyxl parses it.
    """
    try:
        with Workbook(source) as original:
            cached = {entry.name: _cached_formula_values(original, entry.name) for entry in original.sheets}
    except UnreadableWorkbook as exc:
        raise AnnotateError(str(exc), f"the workbook cannot be read: {exc.detail('en')}") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _refuse_dtds(archive)
            _refuse_oversized(archive)
            full_calc = _full_calc_on_load(archive)
        book = openpyxl.load_workbook(io.BytesIO(data), rich_text=True)
    except AnnotateError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for files Excel still opens
        raise AnnotateError(f"无法生成批注副本：openpyxl 无法读取该文件（{type(exc).__name__}: {exc}）",
                            f"openpyxl cannot read the workbook ({type(exc).__name__}: {exc})") from None
    return book, cached, full_calc


#: Uncompressed size above which no copy is made: openpyxl holds the whole workbook in memory and
#: runs in the parent process, without the per-file limits of reconcile's workers. A real 自评表 is
#: well under 1 MB.
MAX_ANNOTATE_BYTES = 20 * 1024 * 1024


def _refuse_oversized(archive: zipfile.ZipFile) -> None:
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_ANNOTATE_BYTES:
        raise AnnotateError(f"文件解压后约 {total // 1024 // 1024} MB，超过生成批注副本的上限 "
                            f"{MAX_ANNOTATE_BYTES // 1024 // 1024} MB，请直接查看审核结果",
                            f"about {total // 1024 // 1024} MB uncompressed, over the "
                            f"{MAX_ANNOTATE_BYTES // 1024 // 1024} MB limit for annotated copies")


def _cached_formula_values(original: Workbook, name: str) -> dict[str, Scalar | _Error]:
    """Cell → cached value, for the formula cells of one sheet that carry one."""
    values: dict[str, Scalar | _Error] = {}
    for ref, cell in original.sheet(name).cells.items():
        if cell.formula is None:
            continue
        if cell.error is not None:
            values[ref] = _Error(cell.error)
        elif cell.value is not None:
            values[ref] = cell.value
    return values


def _refuse_dtds(archive: zipfile.ZipFile) -> None:
    """perfxl never parses a DTD (entity tricks); openpyxl must not meet one in a part we skipped."""
    for info in archive.infolist():
        if PurePosixPath(info.filename).suffix.lower() in (".xml", ".rels", ".vml"):
            with archive.open(info) as handle:
                if b"<!DOCTYPE" in handle.read(65536):
                    raise AnnotateError(f"文件中的 {info.filename} 含有 DTD/实体声明，出于安全原因不生成批注副本",
                                        f"{info.filename} holds a DTD or entity declaration: no copy, for safety")


def _full_calc_on_load(archive: zipfile.ZipFile) -> bool:
    """Whether the original asks spreadsheet programs to recalculate on opening.

    openpyxl turns the flag on whenever the attribute is absent; the copy keeps the original's
    choice so that it shows the submitted values, not freshly recomputed ones.
    """
    root = parse_xml(archive.read("xl/workbook.xml"), "xl/workbook.xml")
    calc = root.find("m:calcPr", NS)
    return calc is not None and calc.get("fullCalcOnLoad") in ("1", "true", "on")


# --- flagged cells -----------------------------------------------------------------------------


def _mark_cells(book: OpenpyxlBook, findings: list[Finding], lang: str) -> list[str | None]:
    """Colour and comment every cell that findings point to; per finding, the cell's location.

    The location is "'Sheet'!A1" for the link in the review sheet, or None for a finding without
    a cell, or whose sheet or cell is not in the workbook.
    """
    groups: dict[tuple[str, str], list[Finding]] = {}
    locations: list[str | None] = []
    for finding in findings:
        place = _locate(book, finding)
        locations.append(None if place is None else _link(*place))
        if place is not None:
            groups.setdefault(place, []).append(finding)
    marks = []
    for (sheet_name, ref), group in groups.items():
        cell = book[sheet_name][ref]
        earlier = cell.comment
        marks.append([sheet_name, ref, tostring(cell.fill.to_tree()).decode("utf-8"),
                      [earlier.text, earlier.author] if earlier is not None else None])
        _mark_cell(cell, group, lang)
    _set_property(book, MARKS_PROPERTY, json.dumps(marks, ensure_ascii=False))
    return locations


def _undo_earlier_review(book: OpenpyxlBook) -> None:
    """Take out what an earlier review put into this copy: its sheet, colours and comments.

    The copy records the cells it marked with their fill and comment from before; those come back,
    so a cell the department has fixed carries nothing of the earlier review.
    """
    props = {prop.name: prop.value for prop in book.custom_doc_props.props}
    review = props.get(REVIEW_SHEET_PROPERTY)
    if review in book.sheetnames:
        del book[review]
    try:
        marks = json.loads(props.get(MARKS_PROPERTY) or "[]")
    except ValueError:
        marks = []
    for sheet_name, ref, fill, comment in marks if isinstance(marks, list) else []:
        if sheet_name not in book.sheetnames or not isinstance(book[sheet_name], Worksheet):
            continue
        cell = book[sheet_name][ref]
        try:
            cell.fill = PatternFill.from_tree(fromstring(fill))
        except Exception:  # a damaged record: leave the cell's fill alone
            pass
        cell.comment = Comment(comment[0], comment[1]) if comment else None


def _set_property(book: OpenpyxlBook, name: str, value: str) -> None:
    from openpyxl.packaging.custom import StringProperty

    props = book.custom_doc_props
    for existing in [prop for prop in props.props if prop.name == name]:
        props.props.remove(existing)
    props.append(StringProperty(name=name, value=value))


def _locate(book: OpenpyxlBook, finding: Finding) -> tuple[str, str] | None:
    """(sheet, cell) to annotate: the top-left cell when the finding's cell is inside a merged range."""
    if not finding.sheet or not finding.cell or finding.sheet not in book.sheetnames:
        return None
    sheet = book[finding.sheet]
    if not isinstance(sheet, Worksheet):  # a chart sheet has no cells
        return None
    try:
        row, column = split_ref(finding.cell.strip())
    except ValueError:
        return None
    if not (1 <= row <= MAX_ROW and 1 <= column <= MAX_COLUMN):
        return None
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            row, column = merged.min_row, merged.min_col
            break
    return sheet.title, cell_ref(row, column)


def _mark_cell(cell: Cell, findings: list[Finding], lang: str) -> None:
    """Replace only the fill (font, borders, number format, protection stay) and add the note."""
    error = any(f.severity == "error" for f in findings)
    color = ERROR_COLOR if error else WARNING_COLOR
    cell.fill = PatternFill(fill_type="solid", start_color=color, end_color=color)
    text = "\n".join(note(f, lang) for f in findings)
    if cell.comment is not None and cell.comment.text:
        text += "\n—— " + ("原批注" if lang == "zh" else "earlier comment") + " ——\n" + cell.comment.text
    text = _clean(text)
    lines = sum(1 + len(line) // 22 for line in text.splitlines())
    cell.comment = Comment(text, AUTHOR, height=min(20 + 16 * lines, 600), width=320)


def note(finding: Finding, lang: str = "zh") -> str:
    """'短标签：说明（应为 x，实为 y）（CODE）': what a cell comment and a Word comment say, the words
    first and the code last (for whoever looks it up in the report or the JSON)."""
    text = f"{codes.label(finding.code, lang)}{'：' if lang == 'zh' else ': '}{render(finding, lang)}"
    if finding.expected is not None or finding.found is not None:
        expected, found = codes.show(finding.expected, lang), codes.show(finding.found, lang)
        text += f"（应为 {expected}，实为 {found}）" if lang == "zh" else f" (expected {expected}, found {found})"
    return text + (f"（{finding.code}）" if lang == "zh" else f" ({finding.code})")


# --- the review sheet --------------------------------------------------------------------------


def _mark_review_sheet(book: OpenpyxlBook, title: str) -> None:
    """Name perfxl's own sheet in the copy's properties, so that reading the copy never takes it for data."""
    _set_property(book, REVIEW_SHEET_PROPERTY, title)


def _add_review_sheet(book: OpenpyxlBook, result: FileResult, locations: list[str | None],
                      lang: str, when: date) -> Worksheet:
    """A new first sheet, opened first: a head saying whose file this is, when it was reviewed and
    what to do, then every finding with a link to its flagged cell."""
    findings = result.findings
    sheet = book.create_sheet(_unique_title(book, REVIEW_SHEET[lang]), 0)
    _mark_review_sheet(book, sheet.title)
    _write_review_head(sheet, result, lang, when)
    bold, header_row = Font(bold=True, size=BODY_SIZE), REVIEW_HEADER_ROW
    for column, header in enumerate(HEADERS[lang], start=1):
        put_text(sheet.cell(row=header_row, column=column), header).font = bold
    for row, (finding, location) in enumerate(zip(findings, locations, strict=True), start=header_row + 1):
        _write_review_row(book, sheet, row, finding, location, lang)
    last = chr(64 + len(HEADERS[lang]))
    for column, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[chr(64 + column)].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + len(findings)}"
    _print_setup(sheet, header_row)
    _open_on(book, sheet)
    return sheet


def _write_review_row(book: OpenpyxlBook, sheet: Worksheet, row: int, finding: Finding, location: str | None,
                      lang: str) -> None:
    """One finding: its short label first, where it is (linked), what is wrong, the values, the code."""
    sheet.cell(row=row, column=1, value=row - REVIEW_HEADER_ROW)
    put_text(sheet.cell(row=row, column=2), codes.label(finding.code, lang))
    put_text(sheet.cell(row=row, column=3), codes.severity_label(finding.severity, lang))
    if finding.sheet:
        put_text(sheet.cell(row=row, column=4), finding.sheet)
    if finding.cell:
        put_text(sheet.cell(row=row, column=5), finding.cell)
    if location is not None:
        _hyperlink(sheet.cell(row=row, column=5), location)
    elif finding.sheet in book.sheetnames:  # about a whole sheet (its protection): link to it
        _hyperlink(sheet.cell(row=row, column=4), _link(finding.sheet, "A1"))
    put_text(sheet.cell(row=row, column=6), render(finding, lang))
    expected, found = codes.printed_values(finding)  # values, never a whole formula
    _put_value(sheet.cell(row=row, column=7), expected, lang)
    _put_value(sheet.cell(row=row, column=8), found, lang)
    put_text(sheet.cell(row=row, column=9), finding.code)
    lines = 1
    for index, cell in enumerate(sheet[row][:len(COLUMN_WIDTHS)]):
        wrapped = index in WRAPPED
        cell.alignment = Alignment(wrap_text=wrapped, vertical="top")
        if cell.hyperlink is None:
            cell.font = CODE_FONT if index == 8 else BODY_FONT
        if wrapped and cell.value is not None:
            lines = max(lines, _lines(str(cell.value), COLUMN_WIDTHS[index]))
    sheet.row_dimensions[row].height = LINE_HEIGHT * lines + 3  # a little padding: no last line clipped


def _print_setup(sheet: Worksheet, header_row: int) -> None:
    """A4 landscape, one page wide, the findings' header on every page, page numbers in the footer."""
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.page_margins.left = sheet.page_margins.right = 0.3
    sheet.oddFooter.center.text = "&P / &N"


def _write_review_head(sheet: Worksheet, result: FileResult, lang: str, when: date) -> None:
    """Rows 1-4: the title, the department, the date with the file and its counts, the instructions."""
    text = REVIEW_TEXT[lang]
    errors = sum(f.severity == "error" for f in result.findings)
    last = chr(64 + len(HEADERS[lang]))
    lines = (
        (text["title"], Font(bold=True, size=16), 30),
        (text["department"].format(name=result.department or text["unknown"]), Font(bold=True, size=12), 20),
        (text["date"].format(date=when.isoformat(), file=Path(result.path).name, n=len(result.findings),
                             errors=errors, warnings=len(result.findings) - errors), Font(color="FF404040"), None),
        (text["steps"], Font(color="FF9C0006"), None),
    )
    width = int(sum(COLUMN_WIDTHS) * 0.85)  # merged cells: a line of slack where CJK text runs wider
    for row, (value, font, height) in enumerate(lines, start=1):
        sheet.merge_cells(f"A{row}:{last}{row}")
        cell = put_text(sheet.cell(row=row, column=1), value)
        cell.font = font
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center" if row == 1 else "left")
        sheet.row_dimensions[row].height = height or 15 * _lines(cell.value, width) + 4


def put_text(cell: Cell, text: str) -> Cell:
    """Write ``text`` as a string, never a formula, whatever it starts with.

    openpyxl turns any value starting with '=' into a formula; forcing the type keeps the text as
    typed. Text starting with = + - @ also gets Excel's quote prefix (the hidden apostrophe), so
    that a reviewer who edits the cell does not turn it into a formula either.
    """
    text = _clean(text)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_LEAD):
        cell.quotePrefix = True
    return cell


def _put_value(cell: Cell, value: Scalar, lang: str) -> None:
    """Numbers stay numbers (a reviewer may sort or sum them); everything else is text."""
    if isinstance(value, Decimal) and value.is_finite():
        cell.value = value
    elif value is not None:
        put_text(cell, codes.show(value, lang))


def _lines(text: str, width: int) -> int:
    """Lines ``text`` wraps to in a column ``width`` characters wide (a CJK character takes two).

    Spreadsheet programs do not grow a row for wrapped text written by openpyxl, so we do.
    """
    return sum(max(1, -(-text_width(line) // (width - 2))) for line in text.splitlines() or [""])


def _clean(text: str) -> str:
    """Drop control characters openpyxl refuses and keep within what a cell can hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL_TEXT]


def _unique_title(book: OpenpyxlBook, title: str) -> str:
    """The title, or 'title (2)'… when the workbook already has it (say, an annotated copy again)."""
    taken = {name.casefold() for name in book.sheetnames}
    candidate, number = title, 2
    while candidate.casefold() in taken:
        candidate, number = f"{title} ({number})", number + 1
    return candidate


def _open_on(book: OpenpyxlBook, sheet: Worksheet) -> None:
    """Make ``sheet`` the one shown on opening; exactly one tab selected, or Excel groups them."""
    for other in book.worksheets:
        other.sheet_view.tabSelected = other is sheet
    book.active = sheet
    for view in book.views:
        view.firstSheet = 0


def _hyperlink(cell: Cell, location: str) -> None:
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=location)
    cell.font = Font(color="FF0563C1", underline="single", size=BODY_SIZE)


def _link(sheet: str, ref: str) -> str:
    """An in-workbook link target: 'Sheet'!A1, quotes in the name doubled."""
    return "'" + sheet.replace("'", "''") + "'!" + ref


# --- writing the copy ----------------------------------------------------------------------------


def _save(book: OpenpyxlBook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _restore_cached_values(data: bytes, cached: dict[str, dict[str, Scalar | _Error]]) -> bytes:
    """Put back the values the original cached for its formula cells (openpyxl writes them empty)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = _sheet_parts(source)
        changed: dict[str, bytes] = {}
        for name, values in cached.items():
            part = parts.get(name)
            if part is None or not values:
                continue
            root = parse_xml(source.read(part), part)
            if _fill_values(root, values):
                changed[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if not changed:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                target.writestr(info, changed.get(info.filename) or source.read(info))
    return out.getvalue()


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part in the zip, as the written workbook.xml and its relations say."""
    rels_root = parse_xml(archive.read("xl/_rels/workbook.xml.rels"), "xl/_rels/workbook.xml.rels")
    targets = {}
    for rel in rels_root.iterfind("rel:Relationship", NS):
        target = rel.get("Target", "")
        targets[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    root = parse_xml(archive.read("xl/workbook.xml"), "xl/workbook.xml")
    return {sheet.get("name", ""): targets[sheet.get(_R_ID, "")]
            for sheet in root.iterfind("m:sheets/m:sheet", NS) if sheet.get(_R_ID, "") in targets}


def _fill_values(root: etree._Element, values: dict[str, Scalar | _Error]) -> bool:
    """Give each formula cell of one sheet its cached value back; True when any was given."""
    filled = False
    for c in _formula_cells(root):
        value = values.get(c.get("r", ""))
        if value is None:
            continue
        v = c.find(_M + "v")
        if v is None:
            v = etree.Element(_M + "v")
            c.find(_M + "f").addnext(v)
        v.text, kind = _cached_text(value)
        if kind:
            c.set("t", kind)
        else:
            c.attrib.pop("t", None)
        filled = True
    return filled


_formula_cells = etree.XPath("m:sheetData/m:row/m:c[m:f]", namespaces={"m": NS["m"]})


def _cached_text(value: Scalar | _Error) -> tuple[str, str | None]:
    """The <v> text and the t attribute for one cached value."""
    if isinstance(value, _Error):
        return str(value), "e"
    if isinstance(value, bool):
        return ("1" if value else "0"), "b"
    if isinstance(value, Decimal):
        return format(value, "f"), None
    return str(value), "str"


def free_name(out_dir: Path, name: str, written: set[Path] | None = None) -> Path:
    """``out_dir/name``, or 'stem (2).xlsx', 'stem (3).xlsx'… when that is taken.

    Taken means: existing in ``out_dir``, or, when ``written`` is given, one of those paths.
    """
    candidate = out_dir / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 2
    while (candidate in written) if written is not None else candidate.exists():
        candidate = out_dir / f"{stem} ({number}){suffix}"
        number += 1
    return candidate

