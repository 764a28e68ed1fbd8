"""Read a Word self-evaluation report (.docx): its scoring tables and the paragraphs of its text.

Departments write their report (部门整体支出绩效自评报告) in Word with the scoring tables inside.
Each Word table is laid out on a grid (``gridSpan`` spans columns, ``vMerge`` continues a cell
down), turned into a :class:`~perfxl.reading.xlsx.Sheet` named ``表N``, and read by the same
form reader as a hand-made workbook; every cell is then relocated as ``R{row}C{col}`` in that
table. Paragraphs are numbered ``P{n}`` among the body's top-level paragraphs (as python-docx's
``Document.paragraphs``), and grouped into sections by their headings so that a sentence can be
tied to the table of its section.

The same safety as an .xlsx: size and zip limits, no DTD in any part, and the supervised worker's
time and memory limits around it.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from perfxl.model import Field, ScoreTable
from perfxl.reading.forms import Grid, sheet_tables
from perfxl.reading.xlsx import (
    DEFAULT_LIMITS,
    Cell,
    Limits,
    Sheet,
    UnreadableWorkbook,
    cell_ref,
    check_zip_limits,
    file_head,
    read_member,
    split_ref,
)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: An annotated copy's keywords: 'perfxl-review:N', its first N paragraphs are perfxl's review section.
REVIEW_MARK = "perfxl-review:"
HEADING_TEXT = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[章节部分])")


@dataclass
class Paragraph:
    number: int  # P{n}: 1-based among the body's top-level paragraphs
    text: str
    section: int  # the heading section it stands in


@dataclass
class Report:
    """What a Word report holds: its scoring tables (in order) and its text."""

    tables: list[ScoreTable] = field(default_factory=list)
    table_sections: list[int] = field(default_factory=list)  # section of each scoring table
    paragraphs: list[Paragraph] = field(default_factory=list)


def review_paragraphs(keywords: str) -> int:
    """How many paragraphs at the top are perfxl's review section (an annotated copy), from its keywords."""
    match = re.search(re.escape(REVIEW_MARK) + r"(\d+)", keywords or "")
    return int(match.group(1)) if match else 0


def read_report(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Report:
    """The scoring tables and paragraphs of a .docx; UnreadableWorkbook with the reason otherwise."""
    body, keywords = _document_body(Path(path), limits)
    skip = review_paragraphs(keywords)  # perfxl's own review section of an annotated copy: never data
    report = Report()
    section = 0
    paragraph_count = table_count = 0
    for child in body:
        if child.tag == _W + "p":
            if skip:
                skip -= 1
                continue
            paragraph_count += 1
            text = _text(child)
            if _is_heading(child, text):
                section += 1
            report.paragraphs.append(Paragraph(paragraph_count, text, section))
        elif child.tag == _W + "tbl":
            table_count += 1
            for table in sheet_tables(Grid(_table_sheet(child, f"表{table_count}"))):
                relocate_cells(table)
                report.tables.append(table)
                report.table_sections.append(section)
    return report


def _document_body(path: Path, limits: Limits) -> tuple[etree._Element, str]:
    """word/document.xml's body, read with python-docx once the file has passed the safety checks."""
    file_head(path, limits, ("doc", "doc_ole"))
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip_limits(archive, limits)
            if "word/document.xml" not in archive.namelist():
                raise UnreadableWorkbook("unknown_format", "no_document_xml")
            _refuse_dtds(archive)
            document = read_member(archive, archive.getinfo("word/document.xml"), limits)
            core = archive.read("docProps/core.xml") if "docProps/core.xml" in archive.namelist() else b""
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError):
        raise UnreadableWorkbook("truncated", "zip_unreadable") from None
    # python-docx's own XML layer for the document part; the other parts (styles, numbering, media)
    # are not needed to read the text and tables, so the package is not loaded whole.
    from docx.oxml.parser import parse_xml

    try:
        root = parse_xml(document)
    except Exception as exc:  # invalid XML in the document part
        raise UnreadableWorkbook("corrupt", "docx_bad_xml", error=f"{type(exc).__name__}: {exc}") from None
    body = root.find(_W + "body")
    if body is None:
        raise UnreadableWorkbook("corrupt", "docx_no_body")
    keywords = re.search(rb"<cp:keywords>([^<]*)</cp:keywords>", core)
    return body, keywords.group(1).decode("utf-8", "replace") if keywords else ""


def _refuse_dtds(archive: zipfile.ZipFile) -> None:
    for info in archive.infolist():
        if info.filename.lower().endswith((".xml", ".rels")):
            with archive.open(info) as handle:
                if b"<!DOCTYPE" in handle.read(65536):
                    raise UnreadableWorkbook("xml_dtd", "part_dtd", part=info.filename)


def _text(element: etree._Element) -> str:
    """A paragraph's or a cell's text: its runs in order (tabs and breaks as spaces and new lines)."""
    parts = []
    for node in element.iter(_W + "t", _W + "tab", _W + "br", _W + "p"):
        if node.tag == _W + "t":
            parts.append(node.text or "")
        elif node.tag == _W + "tab":
            parts.append(" ")
        elif node.tag == _W + "br" or (node.tag == _W + "p" and parts):
            parts.append("\n")
    return "".join(parts).strip()


def _is_heading(paragraph: etree._Element, text: str) -> bool:
    style = paragraph.find(f"{_W}pPr/{_W}pStyle")
    name = (style.get(_W + "val") or "").lower() if style is not None else ""
    outline = paragraph.find(f"{_W}pPr/{_W}outlineLvl")
    return bool(text) and (name.startswith(("heading", "标题", "title")) or name in {"1", "2", "3"}
                           or outline is not None or bool(HEADING_TEXT.match(text)))


def _table_sheet(table: etree._Element, name: str) -> Sheet:
    """A Word table on its grid, as a sheet: each cell at its grid position, merged cells as ranges."""
    sheet = Sheet(name, "visible")
    above: dict[int, tuple[int, int, int]] = {}  # grid column → (top row, first column, span) of a vMerge
    for row_number, tr in enumerate(table.iterfind(_W + "tr"), start=1):
        column = 1 + _int(tr.find(f"{_W}trPr/{_W}gridBefore"), 0)
        for tc in tr.iterfind(_W + "tc"):
            span = max(_int(tc.find(f"{_W}tcPr/{_W}gridSpan"), 1), 1)
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            continues = merge is not None and merge.get(_W + "val") in (None, "continue")
            if continues and column in above:
                top, first, width = above[column]
                above[column] = (top, first, width)
                _extend(sheet, top, first, row_number, width)
            else:
                text = _text(tc)
                if text:
                    sheet.cells[cell_ref(row_number, column)] = Cell(text)
                if span > 1:
                    sheet.merged.append(f"{cell_ref(row_number, column)}:{cell_ref(row_number, column + span - 1)}")
                above[column] = (row_number, column, span)
            column += span
    return sheet


def _extend(sheet: Sheet, top: int, first: int, bottom: int, width: int) -> None:
    """Grow the merged range of a vertically merged cell down to ``bottom``."""
    start = cell_ref(top, first)
    end = cell_ref(bottom, first + width - 1)
    sheet.merged = [rng for rng in sheet.merged if not rng.startswith(start + ":")]
    sheet.merged.append(f"{start}:{end}")


def _int(node: etree._Element | None, default: int) -> int:
    if node is None:
        return default
    try:
        return int(node.get(_W + "val") or default)
    except ValueError:
        return default


def relocate_cells(table: ScoreTable) -> None:
    """Every field's cell as a Word table names it: 'H20' → 'R20C8'."""
    def walk(value: Any) -> None:
        if isinstance(value, Field):
            if value.cell:
                try:
                    row, column = split_ref(value.cell)
                except ValueError:
                    return
                value.cell = f"R{row}C{column}"
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif is_dataclass(value) and not isinstance(value, type):
            for item in fields(value):
                walk(getattr(value, item.name))

    walk(table)
