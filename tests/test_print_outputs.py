"""Printed outputs: the report workbook and the annotated copies, printed by LibreOffice to PDF.

Every page is A4 landscape; 问题明细 and the copies' 审核意见 sheet wrap their text at 9 points or
more (measured on the PDF: a word's box is as tall as its font size times a factor found by printing
a workbook of known font size in the same run), repeat their header on every page, never split a
finding over two pages and show values in 应为/实为, never a whole formula; the 汇总 totals row
shows all of its lines inside its cell. The Word copy's review section reads words first, code last.
"""

from __future__ import annotations

import copy
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import xlsxwriter
from lo import require_libreoffice
from test_report_xlsx import _pixels, _require_poppler

from perfxl import codes
from perfxl.collection.matching import rows_without_roster
from perfxl.model import DepartmentRow
from perfxl.outputs.annotate import REVIEW_HEADER_ROW, annotate
from perfxl.outputs.annotate_docx import annotate_report
from perfxl.outputs.workbook import FINDING_FONT_SIZE, FINDING_HEADERS, write_report
from perfxl.reconcile import reconcile_file, reconcile_paths

pytestmark = pytest.mark.libreoffice

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TOTAL_97 = EXAMPLES / "芦淞区委宣传部_2024_总分改为97.xlsx"
REPORT_DOCX = EXAMPLES / "峨边县融媒体中心_2024_自评报告.docx"
A4_LANDSCAPE = (842, 595)
MIN_POINTS = 9
COPIES = 8  # the examples' departments this many times over: 问题明细 runs to several pages
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Page:
    size: tuple[int, int]
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(word.text for word in self.words)

    def find(self, text: str) -> Word | None:
        return next((word for word in self.words if word.text == text), None)


def read_pdf(pdf: Path) -> list[Page]:
    """Each page's size (points) and words with their boxes, as pdftotext -bbox gives them."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = []
    for chunk in html.split("<page ")[1:]:
        width, height = PAGE.search("<page " + chunk).groups()
        page = Page((round(float(width)), round(float(height))))
        page.words = [Word(text, float(x0), float(y0), float(x1), float(y1))
                      for x0, y0, x1, y1, text in WORD.findall(chunk)]
        pages.append(page)
    return pages


def _calibration(path: Path) -> Path:
    """A sheet of 10-point 宋体 text printed at 100%: how tall a word's box is per point of font size."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("x")
    text = book.add_format({"font_name": "宋体", "font_size": 10})
    for row in range(3):
        sheet.write_string(row, 0, "部门名称说明", text)
    book.close()
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The examples' report (each department several times over), an annotated copy with many
    findings and a Word copy, all printed in one LibreOffice run."""
    require_libreoffice()
    _require_poppler()
    folder = tmp_path_factory.mktemp("print-outputs")
    results = list(reconcile_paths([str(EXAMPLES)]))
    base = rows_without_roster(results)
    rows = [DepartmentRow(row.code, f"{row.name}（第{n + 1}批）", row.status, row.result, row.superseded, row.files,
                          row.documents, row.missing) for n in range(COPIES) for row in base]
    write_report(folder / "report.xlsx", rows)
    many = reconcile_file(TOTAL_97)
    many.findings = [copy.copy(f) for _ in range(25) for f in many.findings]  # the review sheet runs to pages
    sheet_copy = annotate(many, folder / "copies")
    word_copy = annotate_report(reconcile_file(REPORT_DOCX), folder / "copies")
    inputs = [folder / "report.xlsx", sheet_copy, word_copy, _calibration(folder / "calibration.xlsx")]
    profile = folder / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder / "pdf"), *map(str, inputs)], check=True, capture_output=True,
                   timeout=600)
    pdfs = {path.stem: folder / "pdf" / f"{path.stem}.pdf" for path in inputs}
    [calibration] = [w for w in read_pdf(pdfs["calibration"])[0].words if w.text == "部门名称说明"][:1]
    return {"rows": rows, "many": many, "book": openpyxl.load_workbook(folder / "report.xlsx"),
            "report": read_pdf(pdfs["report"]), "copy": read_pdf(pdfs[sheet_copy.stem]),
            "word": read_pdf(pdfs[word_copy.stem]), "pdf": pdfs["report"], "folder": folder,
            "per_point": calibration.height / 10}


def _findings_pages(pages: list[Page]) -> list[Page]:
    header = FINDING_HEADERS["zh"]
    return [page for page in pages if page.find(header[7]) and page.find(header[8])]


def _points(word: Word, per_point: float) -> float:
    return word.height / per_point


def _column(page: Page, header: str, previous: str) -> tuple[float, float]:
    """The x range of a column whose header is centred in it: from where the previous column's
    (centred, narrower) header ends to as far again on the other side of this one's centre."""
    left = page.find(previous).x1
    centre = (page.find(header).x0 + page.find(header).x1) / 2
    return left, 2 * centre - left - 3


def test_every_page_of_the_report_is_a4_landscape(printed) -> None:
    pages = printed["report"]
    assert len(_findings_pages(pages)) >= 3  # 问题明细 over several pages
    assert all(page.size == A4_LANDSCAPE for page in pages), [page.size for page in pages]


def test_findings_print_at_nine_points_or_more(printed) -> None:
    """Every word of 问题明细 is at least 9 points tall on paper."""
    per_point = printed["per_point"]
    assert 1.0 < per_point < 1.6  # a box is a little taller than the font size
    for page in _findings_pages(printed["report"]):
        sizes = [_points(word, per_point) for word in page.words
                 if not re.fullmatch(r"\d+|/", word.text)]  # the footer's page numbers
        assert sizes and min(sizes) >= MIN_POINTS, min(sizes)
        assert max(sizes) <= FINDING_FONT_SIZE + 0.5  # not shrunk, not blown up either


def test_the_findings_header_is_on_every_page_and_no_finding_is_split(printed) -> None:
    """Each page starts with the header, then a finding from its first line: a finding split over two
    pages would start the next page with the rest of its message."""
    header = FINDING_HEADERS["zh"]
    messages = [re.sub(r"\s", "", codes.render(f)) for row in printed["rows"] for result in row.files
                for f in result.findings]
    pages = _findings_pages(printed["report"])
    seen = ""
    for page in pages:
        assert {"部门名称", "说明", "应为", "实为", "所在表格"} <= {w.text for w in page.words}
        assert not any(w.text in codes.REGISTRY for w in page.words)  # the code column is for the screen
        left, right = _column(page, header[7], header[6])
        below = page.find(header[7]).y1
        column = sorted((w for w in page.words if left <= w.x0 < right and w.y0 > below), key=lambda w: (w.y0, w.x0))
        first_line = "".join(w.text for w in column if abs(w.y0 - column[0].y0) < 2)
        assert any(message.startswith(first_line) for message in messages), first_line
        seen += "".join(w.text for w in column)
    for message in messages:  # every message printed whole
        assert message in seen or message[:20] in seen


def test_expected_and_found_are_values_never_formulas(printed) -> None:
    sheet = printed["book"]["问题明细"]
    header = [cell.value for cell in sheet[1]]
    expected, found = header.index("应为"), header.index("实为")
    overwritten = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[11] == "FORMULA_OVERWRITTEN"]
    assert overwritten  # the 97 example's total typed over its formula
    for row in sheet.iter_rows(min_row=2, values_only=True):
        for value in (row[expected], row[found]):
            assert not (isinstance(value, str) and value.startswith("=")), row
    assert {(row[expected], row[found]) for row in overwritten} == {(95, 97)}  # the formula's value, the typed one
    printed_text = "".join(page.text for page in _findings_pages(printed["report"]))
    assert "=SUM(" not in printed_text and "95.00" in printed_text


def test_the_totals_row_shows_every_line_inside_its_cell(printed, tmp_path) -> None:
    """汇总's 合计 row: its status lines are all printed, above the row's bottom border."""
    number, first = next((n, page) for n, page in enumerate(printed["report"]) if page.find("合计"))
    statuses = [line for line in ("通过", "仅有警告", "有错误") if line in first.text]
    assert len(statuses) == 3
    total = first.find("合计")
    lines = [w for w in first.words if w.y0 >= total.y0 - 1 and not re.fullmatch(r"\d+|/", w.text)]
    lowest = max(w.y1 for w in lines)
    subprocess.run(["pdftoppm", "-r", "72", "-f", str(number + 1), "-l", str(number + 1), str(printed["pdf"]), str(tmp_path / "summary")],
                   check=True, timeout=120)
    image = _pixels(next(tmp_path.glob("summary*.ppm")))
    border = _lowest_rule(image)
    assert lowest < border, (lowest, border)  # pixels at 72 dpi are points


def _lowest_rule(image: np.ndarray) -> int:
    """The lowest horizontal line across most of the page's width: the table's bottom border."""
    dark = image.min(axis=2) < 230
    wide = np.where(dark.sum(axis=1) > image.shape[1] * 0.5)[0]
    assert len(wide)
    return int(wide.max())


def test_the_review_sheet_of_a_copy_prints_on_a4_landscape_at_nine_points(printed) -> None:
    per_point = printed["per_point"]
    review = [page for page in printed["copy"] if page.find("序号") and page.find("说明")]
    assert len(review) >= 2  # 75 findings: several pages, each with the header
    assert printed["copy"][:len(review)] == review  # the review sheet comes first
    for page in review:
        assert page.size == A4_LANDSCAPE
        sizes = [_points(w, per_point) for w in page.words if not re.fullmatch(r"\d+|/", w.text)]
        below = page.find("序号").y0
        assert min(_points(w, per_point) for w in page.words if w.y0 >= below - 1
                   and not re.fullmatch(r"\d+|/", w.text)) >= MIN_POINTS
        assert max(sizes) <= 17  # the title (16 pt) at most: not shrunk to fit, not blown up
    text = "".join(page.text for page in review)
    assert "=SUM(" not in text and "公式被改为固定值" in text and "[" not in text


def test_the_review_sheet_lists_values_for_formula_findings(printed) -> None:
    many = printed["many"]
    book = openpyxl.load_workbook(next((printed["folder"] / "copies").glob("*.xlsx")))
    rows = list(book.worksheets[0].iter_rows(min_row=REVIEW_HEADER_ROW + 1, values_only=True))
    assert len(rows) == len(many.findings)
    overwritten = [row for row in rows if row[8] == "FORMULA_OVERWRITTEN"]
    assert overwritten and all(row[6:8] == (95, 97) for row in overwritten)


def test_the_word_copy_reads_words_first(printed) -> None:
    text = "\n".join(page.text for page in printed["word"])
    result = reconcile_file(REPORT_DOCX)
    assert result.findings
    for finding in result.findings:
        label = codes.label(finding.code)
        assert re.search(rf"【(错误|警告)】.*{re.escape(label)}：.*（{finding.code}）", text), finding.code
    assert "[" not in text.split("审核意见", 1)[1][:2000]
