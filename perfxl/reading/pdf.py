"""Read a self-evaluation report printed to PDF: its ruled tables and the paragraphs of its text.

Most reports published on government sites are PDFs printed from Word or WPS. pdfplumber (on
pdfminer.six) gives every character with its font, size and position, and the page's ruling lines.
From them the same :class:`~perfxl.reading.docx.Report` as a Word report is built, so the same
checks run unchanged:

- **tables**: pdfplumber's cells (found from the ruling lines) are laid on the grid of every column
  and row boundary of the table, so a cell spanning columns or rows (一级/二级指标, the 总分 label)
  becomes a merged range as in a Word table, and the sheet is read by the same form reader. A table
  is named ``页N表M`` (the M-th ruled table drawn on page N, a continued table's top counted too) and
  its cells ``R{row}C{col}``. A table that runs over a page break is read as one table (named where
  it starts, rows counted through) when it ends the page, the next page begins with a table whose
  columns line up with it and that does not start a new form; repeated header rows are dropped,
  and a row split by the page break is joined again.
- **text**: lines are rebuilt from the characters outside the tables, page headers and footers
  (page numbers, a line repeated on most pages) left out, and paragraphs from the lines: a
  paragraph ends at a line that ends short of the right margin (the next line's first word would
  have fitted), before an indented line, a wider gap or a table; a heading (bold, larger or in
  another font than the body, or numbered ``一、``) is a paragraph of its own. Paragraphs are
  numbered ``P{n}`` through the whole document (empty paragraphs of the Word file leave no trace in
  a PDF, so the numbers may differ from the .docx's); a finding about one is placed on ``页N``, the
  page it starts on.

What cannot be read is named, never passed: a PDF without a text layer (a scan), fonts without a
Unicode map (pdfminer's ``(cid:…)``), an encrypted or damaged file are UnreadableWorkbook with the
reason; pages that are only pictures are listed (:attr:`PdfReport.image_pages`); a table whose
headers are in the text but that has no ruling lines sets :attr:`PdfReport.unruled`.
"""

from __future__ import annotations

import itertools
import logging
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from perfxl.model import ScoreTable
from perfxl.numbers import parse_number
from perfxl.reading.docx import HEADING_TEXT, Paragraph, Report, relocate_cells
from perfxl.reading.forms import Grid, sheet_tables
from perfxl.reading.xlsx import DEFAULT_LIMITS, Cell, Limits, Sheet, UnreadableWorkbook, cell_ref, file_head

#: A report is tens of pages; far more is no report, or a file built to exhaust the reader.
MAX_PAGES = 500
#: Text with more (cid:…) placeholders than this share of its characters (and a few) cannot be trusted.
CID_SHARE = 0.01
CID_FEW = 3
_TOLERANCE = 2.0  # points: boundaries closer than this are one ruling line
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?\s*(?:[/／共]\s*\d{1,4}\s*页?)?[-—–\s]*$"
                          r"|^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.IGNORECASE)
#: Header words of a scoring table, as they stand on one line even when a narrow column wraps them (一级指 / 标).
_SCORE_HEADERS = ("一级", "二级", "三级", "分值", "得分")
_STARTS_A_FORM = re.compile(r"(自评表|评价表)$|^项目名称|^部门[（(]单位[）)]名称")
_BOLD = re.compile(r"bold|heavy|black|semibold|demibold|,b$", re.IGNORECASE)

logging.getLogger("pdfminer").setLevel(logging.ERROR)  # a malformed file's warnings are not the user's output


@dataclass
class PdfReport(Report):
    """A report read from a PDF: the Word report's model, plus where each paragraph stands."""

    pages: dict[int, int] = field(default_factory=dict)  # paragraph number → the page it starts on
    unruled: bool = False  # a scoring table's headers are in the text, but no ruled table was found
    image_pages: list[int] = field(default_factory=list)  # pages that are pictures only (scanned)

    def text_sheet(self, number: int) -> str:
        """Where a finding about paragraph ``number`` is placed: its page."""
        return f"页{self.pages.get(number, 1)}"


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    fonts: tuple[str, ...]  # the fonts of its Chinese characters (or of all, without any), subset tag dropped
    text: str
    lead: float  # width of its first unbreakable unit: had it fitted on the line above, it would be there


@dataclass
class _Box:
    """One cell as pdfplumber finds it (page coordinates), with its text."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str = ""
    room: float = 0.0  # width left free on its last line
    lead: float = 0.0  # width of the first word of its first line
    size: float = 0.0


@dataclass
class _Placed:
    """A cell on the table's grid (0-based rows and columns, rows counted through the whole table)."""

    row0: int
    row1: int
    col0: int
    col1: int
    box: _Box


@dataclass
class _Piece:
    """A ruled table as drawn on one page."""

    page: int
    index: int  # M of 页N表M
    top: float
    bottom: float
    x0: float
    x1: float
    boxes: list[_Box]


@dataclass
class _Page:
    number: int
    lines: list[_Line]
    pieces: list[_Piece]
    chars: int
    cids: int
    pictures: bool


def read_pdf_report(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> PdfReport:
    """The ruled tables and paragraphs of a PDF; UnreadableWorkbook with the reason otherwise."""
    path = Path(path)
    file_head(path, limits, ("not_pdf", "pdf_ole"))
    with path.open("rb") as handle:
        if b"%PDF-" not in handle.read(1024):
            raise UnreadableWorkbook("not_pdf", "pdf_no_header")
    pages = list(_read_pages(path))
    chars = sum(page.chars for page in pages)
    if chars == 0:
        raise UnreadableWorkbook("pdf_no_text", "pdf_no_text")
    cids = sum(page.cids for page in pages)
    if cids > CID_FEW and cids >= CID_SHARE * chars:
        first = next(page.number for page in pages if page.cids)
        raise UnreadableWorkbook("pdf_cid", "pdf_cid", page=first, cids=cids)
    _drop_running_lines(pages)
    report = PdfReport()
    report.image_pages = [page.number for page in pages if page.pictures and not page.chars]
    _build(report, pages)
    report.unruled = not any(page.pieces for page in pages) and any(
        sum(word in line.text.replace(" ", "") for word in _SCORE_HEADERS) >= 3 for page in pages for line in page.lines)
    return report


def _read_pages(path: Path) -> Iterator[_Page]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(path)
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFEncryptionError):
            raise UnreadableWorkbook("encrypted", "pdf_encrypted") from None
        raise UnreadableWorkbook("truncated", "pdf_damaged") from None
    except Exception:
        raise UnreadableWorkbook("truncated", "pdf_damaged") from None
    try:
        try:
            count = len(pdf.pages)
        except Exception:
            raise UnreadableWorkbook("truncated", "pdf_pages_unreadable") from None
        if count > MAX_PAGES:
            raise UnreadableWorkbook("too_large", "pdf_too_many_pages", pages=count, limit=MAX_PAGES)
        for page in pdf.pages:
            try:
                yield _read_page(page)
            except UnreadableWorkbook:
                raise
            except Exception as exc:  # pdfminer on a damaged content stream
                raise UnreadableWorkbook("truncated", "pdf_page_damaged", page=page.page_number,
                                         error=type(exc).__name__) from None
            finally:
                page.close()
    finally:
        _close(pdf)


def _close(pdf) -> None:
    """pdfplumber's close() walks the pages again, and they raise on a damaged file: the file is
    closed whatever they do."""
    try:
        pdf.close()
    except Exception:
        pdf.stream.close()


def _read_page(page) -> _Page:
    """One page's lines of text (outside its tables) and its ruled tables."""
    chars = [c for c in page.chars if c["text"].strip()]
    cids = sum(c["text"].startswith("(cid:") for c in chars)
    found = [t for t in page.find_tables() if _is_grid(t.cells)]
    pieces, inside = [], set()
    for index, table in enumerate(sorted(found, key=lambda t: (t.bbox[1], t.bbox[0])), start=1):
        x0, top, x1, bottom = table.bbox
        held = [i for i, c in enumerate(chars) if _within(c, (x0, top, x1, bottom))]
        inside.update(held)
        pieces.append(_Piece(page.page_number, index, top, bottom, x0, x1,
                             _boxes(table.cells, [chars[i] for i in held])))
    outside = [c for i, c in enumerate(chars) if i not in inside]
    return _Page(page.page_number, _lines(outside, page.page_number), pieces, len(chars), cids,
                 bool(page.images))


def _boxes(cells: list[tuple], chars: list[dict]) -> list[_Box]:
    """The table's cells with their text. The cell padding is the table's smallest gap between a
    cell's edge and its text (centred text leaves more), so that a line's free room is known."""
    lines = [_lines([c for c in chars if _within(c, cell)], 0) for cell in cells]
    gaps = [found[0].x0 - cell[0] for cell, found in zip(cells, lines, strict=True) if found]
    padding = max(min(gaps, default=0.0), 0.0)
    boxes = []
    for cell, found in zip(cells, lines, strict=True):
        box = _Box(*cell)
        if found:
            width = cell[2] - cell[0] - 2 * padding
            box.text = _join(found, width)
            box.room = width - (found[-1].x1 - found[-1].x0)
            box.lead, box.size = found[0].lead, found[0].size
        boxes.append(box)
    return boxes


def _is_grid(cells: list[tuple]) -> bool:
    """A table of at least two rows and two columns (a framed paragraph is text, not a table)."""
    xs = _boundaries([c[0] for c in cells] + [c[2] for c in cells])
    ys = _boundaries([c[1] for c in cells] + [c[3] for c in cells])
    return len(xs) >= 3 and len(ys) >= 3


def _within(char: dict, box: tuple[float, float, float, float]) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _join(lines: list[_Line], width: float) -> str:
    """A cell's lines as text: a wrapped line joined to the next, a line that ends short ends a
    paragraph (a new line, as in a Word cell)."""
    text = lines[0].text
    for above, below in itertools.pairwise(lines):
        wrapped = _wraps(width - (above.x1 - above.x0), below.lead, below.size)
        text += (_glue(text, below.text) if wrapped else "\n") + below.text
    return text


def _wraps(room: float, lead: float, size: float) -> bool:
    """Whether a line with ``room`` left free was wrapped: the next line's first word (``lead``
    wide) would not have fitted on it."""
    return room < lead + 0.5 * size


def _glue(before: str, after: str) -> str:
    """What stands between the two halves of a wrapped line: nothing, except between Latin words."""
    if before and after and before[-1].isascii() and before[-1].isalpha() and after[0].isascii() and after[0].isalpha():
        return " "
    return ""


# --- characters to lines -------------------------------------------------------------------------


def _is_cjk(text: str) -> bool:
    code = ord(text[0])
    return 0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF


def _lines(chars: list[dict], page: int) -> list[_Line]:
    """Characters grouped into lines (top to bottom), each line's characters left to right."""
    rows: list[list[dict]] = []
    bottom = None
    for char in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        middle = (char["top"] + char["bottom"]) / 2
        if rows and bottom is not None and middle <= bottom:
            rows[-1].append(char)
            bottom = max(bottom, min(char["bottom"], char["top"] + 1.5 * char["size"]))
        else:
            rows.append([char])
            bottom = char["bottom"]
    return [_line(sorted(row, key=lambda c: c["x0"]), page) for row in rows]


def _line(chars: list[dict], page: int) -> _Line:
    chars = _dedupe(chars)
    parts: list[str] = []
    previous = None
    for char in chars:
        text = _character(char["text"])
        if previous is not None and _space_between(previous, char):
            parts.append(" ")
        parts.append(text)
        previous = char
    cjk = [c for c in chars if _is_cjk(c["text"])]
    size = statistics.median(c["size"] for c in chars)
    return _Line(page, min(c["top"] for c in chars), max(c["bottom"] for c in chars), chars[0]["x0"],
                 max(c["x1"] for c in chars), size, tuple(sorted({c["fontname"].split("+", 1)[-1] for c in (cjk or chars)})),
                 "".join(parts), _lead(chars))


def _dedupe(chars: list[dict]) -> list[dict]:
    """Characters printed twice at (almost) the same place (a bold made by overprinting) once."""
    kept: list[dict] = []
    for char in chars:
        if kept and kept[-1]["text"] == char["text"] and abs(kept[-1]["x0"] - char["x0"]) < 0.3 * char["size"] \
                and abs(kept[-1]["top"] - char["top"]) < 0.3 * char["size"]:
            continue
        kept.append(char)
    return kept


def _character(text: str) -> str:
    """A character as text: a Kangxi radical or compatibility ideograph (some fonts print 金 as ⾦)
    as the ordinary character; a glyph without a Unicode map as U+FFFD, so that no number is read
    through it."""
    if text.startswith("(cid:"):
        return "\ufffd"
    if len(text) == 1 and (0x2E80 <= ord(text) <= 0x2FDF or 0xF900 <= ord(text) <= 0xFAFF):
        return unicodedata.normalize("NFKC", text)
    return text


def _space_between(left: dict, right: dict) -> bool:
    """A gap wide enough to be a space: wider next to Chinese characters, where LibreOffice and
    Word put a little room between Chinese and Latin text without any space typed."""
    gap = right["x0"] - left["x1"]
    size = min(left["size"], right["size"]) or 1.0
    if _is_cjk(left["text"]) and _is_cjk(right["text"]):
        return gap > 1.0 * size
    if _is_cjk(left["text"]) or _is_cjk(right["text"]):
        return gap > 0.45 * size
    return gap > 0.2 * size


_CLOSING = "，。、；：？！）》」』”’%％)]"
_OPENING = "（《「『“‘([【〔"


def _lead(chars: list[dict]) -> float:
    """The width of a line's first unbreakable unit: a Chinese character with the punctuation that
    may not start a line after it, or a Latin word; an opening bracket goes with what follows it."""
    start = 0
    while start < len(chars) - 1 and chars[start]["text"] in _OPENING:
        start += 1
    first = chars[start]
    end = first["x1"]
    for char in chars[start + 1:]:
        if char["text"] in _CLOSING and char["x0"] - end < 1:
            end = char["x1"]
            continue
        if _is_cjk(first["text"]) or _is_cjk(char["text"]) or char["x0"] - end > 0.2 * char["size"]:
            break
        end = char["x1"]
    return end - chars[0]["x0"]


# --- page headers and footers ----------------------------------------------------------------------


def _drop_running_lines(pages: list[_Page]) -> None:
    """Page numbers and lines repeated at the same place on most pages (a running header or footer)
    are no part of the text."""
    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text.replace(" ", ""))

    edges = [(page, line) for page in pages for line in _edge_lines(page)]
    seen = Counter((key(line), round(line.top / 4)) for _, line in edges)
    repeated = {k for k, n in seen.items() if n >= 2 and n * 2 >= len(pages)}
    for page, line in edges:
        if _PAGE_NUMBER.match(line.text.strip()) or (key(line), round(line.top / 4)) in repeated:
            page.lines.remove(line)


def _edge_lines(page: _Page) -> list[_Line]:
    """The first and last line of a page, when no table stands above or below them."""
    if not page.lines:
        return []
    first, last = page.lines[0], page.lines[-1]
    found = []
    if not any(piece.top < first.top for piece in page.pieces):
        found.append(first)
    if last is not first and not any(piece.bottom > last.bottom for piece in page.pieces):
        found.append(last)
    return found


# --- lines and tables to the report ------------------------------------------------------------------


@dataclass
class _Layout:
    """The document's body: its text's left and right edges per page, its normal size, font and line pitch."""

    left: dict[int, float]
    right: dict[int, float]
    size: float
    font: str  # the body text's font
    pitch: float
    top: float  # where the body starts on a page


def _layout(pages: list[_Page]) -> _Layout:
    lines = [line for page in pages for line in page.lines]
    if not lines:
        return _Layout({}, {}, 12.0, "", 15.0, 0.0)
    widest = max(line.x1 for line in lines)
    leftmost = min(line.x0 for line in lines)
    left, right = {}, {}
    for page in pages:
        if page.lines:
            size = statistics.median(line.size for line in page.lines)
            page_right = max(line.x1 for line in page.lines)
            right[page.number] = page_right if page_right > widest - 2 * size else widest
            page_left = min(line.x0 for line in page.lines)
            left[page.number] = page_left if page_left < leftmost + 2 * size else leftmost
    size = statistics.median(line.size for line in lines)
    fonts = Counter(font for line in lines for font in line.fonts).most_common(1)[0][0]
    pitches = [b.top - a.top for page in pages for a, b in itertools.pairwise(page.lines)
               if 0 < b.top - a.top < 3 * size and abs(a.size - b.size) < 0.5]
    tops = [min([line.top for line in page.lines[:1]] + [piece.top for piece in page.pieces]) for page in pages
            if page.lines or page.pieces]
    return _Layout(left, right, size, fonts, statistics.median(pitches) if pitches else 1.3 * size,
                   min(tops) if tops else 0.0)


def _styled(line: _Line, layout: _Layout) -> bool:
    """Set apart from the body: bold, larger, or in another font than the body text."""
    return (line.size > layout.size + 0.5 or all(_BOLD.search(font) for font in line.fonts)
            or layout.font not in line.fonts)


def _build(report: PdfReport, pages: list[_Page]) -> None:
    """Paragraphs and tables in reading order, numbered, with the heading sections they stand in."""
    layout = _layout(pages)
    items: list[_Line | _Piece] = []
    for page in pages:
        items += sorted([*page.lines, *page.pieces], key=lambda item: item.top)
    section = 0
    paragraph: list[_Line] = []
    tables = _stitch(items, layout)

    def close() -> None:
        nonlocal section
        if paragraph:
            text = _paragraph_text(paragraph)
            number = len(report.paragraphs) + 1
            if _is_heading(paragraph, text, layout):
                section += 1
            report.paragraphs.append(Paragraph(number, text, section))
            report.pages[number] = paragraph[0].page
            paragraph.clear()

    for item in items:
        if isinstance(item, _Piece):
            close()
            if id(item) in tables:
                for table in tables[id(item)]:
                    report.tables.append(table)
                    report.table_sections.append(section)
            continue
        if paragraph and _breaks(paragraph, item, layout):
            close()
        paragraph.append(item)
    close()


def _breaks(paragraph: list[_Line], line: _Line, layout: _Layout) -> bool:
    """Whether ``line`` starts a new paragraph after the lines of ``paragraph``."""
    above = paragraph[-1]
    if _styled(above, layout) != _styled(line, layout) or abs(above.size - line.size) > 0.5:
        return True
    if not _wraps(layout.right.get(above.page, above.x1) - above.x1, line.lead, line.size):
        return True  # the line above ended short of the margin
    if line.page == above.page and line.top - above.top > layout.pitch + 0.4 * line.size:
        return True  # space between paragraphs
    indent = 0.8 * line.size
    left, right = layout.left.get(line.page, line.x0), layout.right.get(line.page, line.x1)
    if abs((line.x0 + line.x1) / 2 - (left + right) / 2) < 0.5 * line.size and line.x1 < right - line.size:
        return False  # the centred last line of a title that the line above wrapped
    here = line.x0 - left
    if len(paragraph) > 1:  # indented further than the paragraph's continued lines: a first line
        return here > paragraph[1].x0 - layout.left.get(paragraph[1].page, paragraph[1].x0) + indent
    first = above.x0 - layout.left.get(above.page, above.x0)
    return here > first + indent or (abs(here - first) <= indent and here > indent)


def _paragraph_text(lines: list[_Line]) -> str:
    text = lines[0].text
    for line in lines[1:]:
        text += _glue(text, line.text) + line.text
    return text.strip()


def _is_heading(lines: list[_Line], text: str, layout: _Layout) -> bool:
    """A heading as the Word reader knows one: numbered ('一、', '第二章'), or short and set in a
    larger size than the body (a heading style). A bold lead-in of body size is not one, as a
    bold paragraph of Word's Normal style is not."""
    return bool(HEADING_TEXT.match(text)) or (len(lines) <= 2 and len(text) <= 60
                                              and all(line.size > layout.size + 0.5 for line in lines))


# --- tables ---------------------------------------------------------------------------------------


def _stitch(items: list, layout: _Layout) -> dict[int, list[ScoreTable]]:
    """The scoring tables of each table as read whole (keyed by its first piece): pieces continued
    over a page break are joined first."""
    pieces = [item for item in items if isinstance(item, _Piece)]
    following = {id(a): b for a, b in itertools.pairwise(items)}
    groups: list[list[_Piece]] = []
    for piece in pieces:
        if groups and _continues(groups[-1][-1], piece, following.get(id(groups[-1][-1])), layout):
            groups[-1].append(piece)
        else:
            groups.append([piece])
    found: dict[int, list[ScoreTable]] = {}
    for group in groups:
        name = f"页{group[0].page}表{group[0].index}"
        tables = sheet_tables(Grid(_sheet(group, name)))
        for table in tables:
            relocate_cells(table)
        found[id(group[0])] = tables
    return found


def _continues(last: _Piece, piece: _Piece, after_last, layout: _Layout) -> bool:
    """Whether ``piece`` goes on with ``last``: it begins the next page right where the text
    begins, nothing stands between them, its columns line up and it does not start a new form."""
    if piece.page != last.page + 1 or after_last is not piece:
        return False
    if piece.top - layout.top > 0.6 * layout.pitch:
        return False
    if abs(piece.x0 - last.x0) > _TOLERANCE or abs(piece.x1 - last.x1) > _TOLERANCE:
        return False
    mine, theirs = _columns(last), _columns(piece)
    fewer, more = sorted((mine, theirs), key=len)
    if not all(any(abs(x - y) <= _TOLERANCE for y in more) for x in fewer):
        return False
    first_row = [box for box in piece.boxes if abs(box.top - piece.top) <= _TOLERANCE]
    repeated = _repeated_rows(last, piece)
    return repeated > 0 or not any(_STARTS_A_FORM.search(box.text.replace("\n", "")) for box in first_row)


def _columns(piece: _Piece) -> list[float]:
    return _boundaries([b.x0 for b in piece.boxes] + [b.x1 for b in piece.boxes])


def _rows(piece: _Piece) -> list[float]:
    return _boundaries([b.top for b in piece.boxes] + [b.bottom for b in piece.boxes])


def _boundaries(values: list[float]) -> list[float]:
    """Distinct positions, those closer than the tolerance taken as one."""
    found: list[float] = []
    for value in sorted(values):
        if not found or value - found[-1] > _TOLERANCE:
            found.append(value)
    return found


def _row_texts(piece: _Piece, top: float, bottom: float) -> list[tuple[float, str]]:
    return sorted((round(b.x0), b.text) for b in piece.boxes
                  if b.top >= top - _TOLERANCE and b.bottom <= bottom + _TOLERANCE and b.text)


def _repeated_rows(first: _Piece, piece: _Piece) -> int:
    """How many rows at the top of ``piece`` repeat the first rows of the table (a header row
    repeated on each page)."""
    mine, theirs = _rows(first), _rows(piece)
    count = 0
    for k in range(1, min(len(mine), len(theirs))):
        if _row_texts(first, mine[k - 1], mine[k]) and \
                _row_texts(first, mine[k - 1], mine[k]) == _row_texts(piece, theirs[k - 1], theirs[k]):
            count = k
        else:
            break
    return count


def _sheet(group: list[_Piece], name: str) -> Sheet:
    """The pieces of one table laid on one grid: the union of their column boundaries, their rows in
    order; a cell spanning several grid columns or rows is a merged range."""
    xs = _boundaries([x for piece in group for x in _columns(piece)])
    placed: list[_Placed] = []
    for position, piece in enumerate(group):
        ys = _rows(piece)
        skip = _repeated_rows(group[0], piece) if position else 0
        offset = max((cell.row1 for cell in placed), default=-1) + 1
        cells = [_Placed(max(_index(ys, b.top) - skip, 0), _index(ys, b.bottom) - 1 - skip,
                         _index(xs, b.x0), _index(xs, b.x1) - 1, b) for b in piece.boxes]
        cells = [cell for cell in cells if cell.row1 >= 0]  # a repeated header row is dropped
        if position and _split_row(placed, cells, offset):
            cells = _join_split_row(placed, cells, offset)
        if position:
            cells = _continue_merges(placed, cells, offset)
        for cell in cells:
            cell.row0, cell.row1 = cell.row0 + offset, cell.row1 + offset
        placed += cells
    sheet = Sheet(name, "visible")
    for cell in placed:
        start = cell_ref(cell.row0 + 1, cell.col0 + 1)
        if cell.box.text:
            sheet.cells[start] = Cell(cell.box.text)
        if cell.row1 > cell.row0 or cell.col1 > cell.col0:
            sheet.merged.append(f"{start}:{cell_ref(cell.row1 + 1, cell.col1 + 1)}")
    return sheet


def _continue_merges(placed: list[_Placed], cells: list[_Placed], offset: int) -> list[_Placed]:
    """A label cell merged down over the page break (一级指标 spanning rows on both pages) is drawn
    as two cells, the lower one empty: it is one merged range again. Only for a label (text, not a
    number) that spans rows on one side of the break, so that an empty score is never filled."""
    kept = []
    for cell in cells:
        owner = _owner(placed, cell, offset - 1) if cell.row0 == 0 and not cell.box.text else None
        if owner is not None and (owner.col0, owner.col1) == (cell.col0, cell.col1) \
                and (owner.row1 > owner.row0 or cell.row1 > cell.row0) \
                and owner.box.text and parse_number(owner.box.text) is None:
            owner.row1 = cell.row1 + offset
            continue
        kept.append(cell)
    return kept


def _index(bounds: list[float], value: float) -> int:
    return min(range(len(bounds)), key=lambda i: abs(bounds[i] - value))


def _owner(placed: list[_Placed], cell: _Placed, last_row: int) -> _Placed | None:
    """The cell of the table's last row above ``cell``."""
    return next((above for above in placed if above.row1 == last_row
                 and above.col0 <= cell.col0 and cell.col1 <= above.col1), None)


def _split_row(placed: list[_Placed], cells: list[_Placed], offset: int) -> bool:
    """Whether the page break cut the table's last row in two: every cell of the next piece's first
    row that holds text lies under a cell with text whose last line was wrapped (its first word
    would not have fitted there)."""
    written = [cell for cell in cells if cell.row0 == 0 and cell.box.text]
    if not written:
        return False
    for cell in written:
        owner = _owner(placed, cell, offset - 1)
        if owner is None or not owner.box.text or not _wraps(owner.box.room, cell.box.lead, cell.box.size):
            return False
    return True


def _join_split_row(placed: list[_Placed], cells: list[_Placed], offset: int) -> list[_Placed]:
    """The text of a cut row's second half goes back into the cells above it; the half row goes
    (a cell that runs on below it keeps its lower rows)."""
    kept = []
    for cell in cells:
        if cell.row0 == 0 and cell.box.text:
            owner = _owner(placed, cell, offset - 1)
            owner.box.text += _glue(owner.box.text, cell.box.text) + cell.box.text
            owner.box.room = cell.box.room
            cell.box = _Box(cell.box.x0, cell.box.top, cell.box.x1, cell.box.bottom)
        if cell.row1 == 0:
            continue
        cell.row0, cell.row1 = max(cell.row0 - 1, 0), cell.row1 - 1
        kept.append(cell)
    return kept
