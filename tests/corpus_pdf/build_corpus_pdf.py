"""Build the PDF-report corpus: the Word-report corpus printed to PDF by LibreOffice Writer.

    .venv/bin/python tests/corpus_pdf/build_corpus_pdf.py    (needs python-docx, Pillow, pdftoppm and
                                                              soffice with Writer and python3-uno)

A report printed to PDF says what its .docx says, so each printed PDF's expected findings are those
of its .docx (tests/corpus_docx/expected.json) moved to where they stand in the PDF:

- a table ``表N`` becomes ``页P表M``: P the page its first cell is laid out on, M its place among the
  tables drawn on that page (a table continued from the page before counts), both read from
  Writer's own layout by print_reports.py; its cells keep their ``R{row}C{col}``;
- a paragraph ``P{n}`` is found by its text (python-docx's n-th top-level paragraph: the PDF reader
  numbers the paragraphs it rebuilds, which need not be Word's numbers) and lies on ``页P``, P the
  page Writer starts it on.

Nothing of perfxl is imported: the expectations come from the docx corpus, Writer's layout and
python-docx. Also built: a report whose tables have no ruling lines, a scanned (image only) report,
one whose fonts lost their Unicode map, an encrypted one, and one with a scanned page appended;
and ``examples/峨边县融媒体中心_2024_自评报告.pdf``, the example report printed as it is.
Writes ``tests/corpus_pdf/files/*.pdf`` and ``expected.json``; creation dates and document ids are
fixed so that a rebuild with the same LibreOffice gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from PIL import Image

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
FILES = HERE / "files"
DOCX = TESTS / "corpus_docx"
EXAMPLE = TESTS.parent / "examples" / "峨边县融媒体中心_2024_自评报告.docx"
PRINTER = HERE / "print_reports.py"
SYSTEM_PYTHON = "/usr/bin/python3"
HEADER = "部门整体支出绩效自评报告"
PASSWORD = "1234"
SCAN_DPI = 60

#: Printed reports: PDF name → (the .docx printed, running lines added). Odd-numbered reports get a
#: page number footer ("- N -"), some a running header, as offices print them.
PRINTED = {
    f"{path.stem}.pdf": (path, "page" if int(path.stem[:2]) % 2 else None,
                         HEADER if path.stem[:2] in ("02", "08", "12", "14") else None)
    for path in sorted((DOCX / "files").glob("[0-9][0-9]_*.docx")) if not path.stem.endswith("_lo")
}
UNRULED = ("20_unruled_tables.pdf", DOCX / "files" / "07_jinkouhe_basic_typo.docx")
SCANNED_PAGE = ("24_scanned_page.pdf", DOCX / "files" / "09_liwan_rate_wrong.docx")
SCANNED = ("21_scanned.pdf", "02_ebian_report.pdf")
CID = ("22_cid_fonts.pdf", "01_lusong_annex3.pdf")
ENCRYPTED = ("23_encrypted.pdf", DOCX / "files" / "01_lusong_annex3.docx")


def squeeze(text: str) -> str:
    """Text without any white space: how a paragraph is recognised in the PDF."""
    return re.sub(r"\s+", "", text)


def print_jobs(jobs: list[dict]) -> list[dict]:
    """Writer prints every job in one LibreOffice (print_reports.py, under the system Python)."""
    with tempfile.TemporaryDirectory(prefix="perfxl-print-") as work:
        jobs_path, results_path = Path(work) / "jobs.json", Path(work) / "results.json"
        jobs_path.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
        done = subprocess.run([SYSTEM_PYTHON, str(PRINTER), str(jobs_path), str(results_path)],
                              capture_output=True, text=True, timeout=900)
        if done.returncode or not results_path.exists():
            sys.exit(f"printing failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return json.loads(results_path.read_text(encoding="utf-8"))


def fixed_stamps(data: bytes, seed: str) -> bytes:
    """The creation date, document id and checksum LibreOffice stamps, fixed (same lengths, so
    the cross-reference offsets stay right)."""
    digest = hashlib.md5(seed.encode()).hexdigest().upper().encode()

    def same_length(match: re.Match, value: bytes) -> bytes:
        return match.group(1) + (value * 4)[:len(match.group(2))]

    data = re.sub(rb"(/CreationDate\(D:)(\d{14})", lambda m: same_length(m, b"20250315093000"), data)
    data = re.sub(rb"(<)([0-9A-F]{32})(?=>)", lambda m: same_length(m, digest), data)
    return re.sub(rb"(/DocChecksum /)([0-9A-F]{32})", lambda m: same_length(m, digest), data)


def without_borders(source: Path, target: Path) -> None:
    """The report with every table's ruling lines removed (borders 'none' on each table and cell)."""
    doc = Document(str(source))
    for table in doc.tables:
        props = table._tbl.tblPr
        borders = OxmlElement("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            edge = OxmlElement(f"w:{side}")
            edge.set(qn("w:val"), "nil")
            borders.append(edge)
        props.append(borders)
    doc.core_properties.modified = datetime(2025, 3, 15, 9, 30)
    doc.save(str(target))


def with_scanned_page(source: Path, picture: Path, target: Path) -> None:
    """The report with a page appended that is a picture only (a scanned 附件)."""
    doc = Document(str(source))
    doc.add_page_break()
    doc.add_picture(str(picture), width=Cm(15))
    doc.save(str(target))


def scan(pdf: Path, folder: Path, first: int, last: int) -> list[Image.Image]:
    """Pages of a printed PDF as grey pictures, as a scanner gives them."""
    folder.mkdir()
    subprocess.run(["pdftoppm", "-gray", "-r", str(SCAN_DPI), "-f", str(first), "-l", str(last),
                    "-png", str(pdf), str(folder / "page")], check=True)
    return [Image.open(path).convert("L") for path in sorted(folder.glob("page-*.png"))]


def image_pdf(images: list[Image.Image], target: Path) -> None:
    stamp = time.strptime("2025-03-15 09:30", "%Y-%m-%d %H:%M")
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=SCAN_DPI,
                   creationDate=stamp, modDate=stamp)
    target.write_bytes(buffer.getvalue())


def check_paragraphs(docx: Path, layout: dict) -> None:
    """Writer's top-level paragraphs are python-docx's, one for one, so that P{n} maps to a page."""
    texts = [p.text for p in Document(str(docx)).paragraphs]
    writer = [text for text, _ in layout["paragraphs"]]
    if len(texts) != len(writer) or any(squeeze(a) != squeeze(b) for a, b in zip(texts, writer, strict=True)):
        sys.exit(f"{docx.name}: Writer's paragraphs are not python-docx's ({len(writer)} vs {len(texts)})")


def table_sheet(tables: list[list[int]], index: int) -> str:
    """``页P表M`` of the index-th table (0-based), from the pages each table spans."""
    page = tables[index][0]
    before = sum(first <= page <= last for first, last in tables[:index])
    return f"页{page}表{before + 1}"


def move(finding: dict, docx: Path, layout: dict) -> dict:
    """A finding of the .docx at its place in the PDF."""
    sheet, cell = finding["sheet"], finding["cell"]
    moved = dict(finding)
    if sheet and sheet.startswith("表"):
        moved["sheet"] = table_sheet(layout["tables"], int(sheet[1:]) - 1)
    elif sheet == "正文":
        number = int(cell[1:])
        moved["sheet"] = f"页{layout['paragraphs'][number - 1][1]}"
        moved["cell"] = None
        moved["docx_cell"] = cell
        moved["paragraph"] = squeeze(Document(str(docx)).paragraphs[number - 1].text)
    return moved


def expectation(docx: Path, expected: dict, layout: dict, printed: dict) -> dict:
    tables = []
    for table in expected["tables"]:
        tables.append({**table, "sheet": table_sheet(layout["tables"], int(table["sheet"][1:]) - 1)})
    return {"source": str(docx.relative_to(TESTS.parent)), "source_sha256": sha256(docx), "printed": printed,
            "pages": layout["pages"], "table_pages": layout["tables"], "layout": "pdf-report", "format": "pdf", "scheme": expected["scheme"],
            "tables": tables, "findings": [move(f, docx, layout) for f in expected["findings"]]}


def unreadable(source: str, reason: str) -> dict:
    return {"source": source, "layout": None, "format": "pdf", "scheme": None, "tables": [],
            "findings": [{"code": "UNREADABLE_FILE", "sheet": None, "cell": None, "expected": None,
                          "found": None, "reason": reason}]}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    docx_expected = json.loads((DOCX / "expected.json").read_text(encoding="utf-8"))
    if FILES.exists():
        shutil.rmtree(FILES)
    FILES.mkdir()
    expected: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="perfxl-corpus-pdf-") as tmp:
        work = Path(tmp)
        unruled_docx = work / UNRULED[1].name
        without_borders(UNRULED[1], unruled_docx)
        jobs = [{"input": str(docx), "output": str(work / name), "footer": footer, "header": header}
                for name, (docx, footer, header) in PRINTED.items()]
        jobs += [{"input": str(unruled_docx), "output": str(work / UNRULED[0]), "footer": "page"},
                 {"input": str(EXAMPLE), "output": str(work / "example.pdf")},
                 {"input": str(ENCRYPTED[1]), "output": str(work / ENCRYPTED[0]),
                  "filter": {"EncryptFile": True, "DocumentOpenPassword": PASSWORD}}]
        layouts = dict(zip([Path(job["output"]).name for job in jobs], print_jobs(jobs), strict=True))

        picture = scan(work / "02_ebian_report.pdf", work / "picture", 5, 5)[0]
        picture.save(work / "page.png")
        scanned_docx = work / SCANNED_PAGE[1].name
        with_scanned_page(SCANNED_PAGE[1], work / "page.png", scanned_docx)
        layouts[SCANNED_PAGE[0]] = print_jobs([{"input": str(scanned_docx),
                                                "output": str(work / SCANNED_PAGE[0])}])[0]

        for name, (docx, footer, header) in PRINTED.items():
            check_paragraphs(docx, layouts[name])
            expected[name] = expectation(docx, docx_expected[docx.name], layouts[name],
                                         {"footer": footer, "header": header})
        check_paragraphs(unruled_docx, layouts[UNRULED[0]])
        entry = expectation(UNRULED[1], docx_expected[UNRULED[1].name], layouts[UNRULED[0]],
                            {"footer": "page", "header": None, "borders": "none"})
        entry["tables"], entry["scheme"] = [], None  # nothing ruled: no table read, the text checked alone
        entry["findings"] = [{"code": "SCORING_TABLE_MISSING", "sheet": None, "cell": None, "expected": None,
                              "found": None, "variant": "unruled"}] + [
            f for f in entry["findings"] if f["code"] == "NARRATIVE_MISMATCH" and "paragraph" in f]
        expected[UNRULED[0]] = entry

        layout = layouts[SCANNED_PAGE[0]]
        check_paragraphs(scanned_docx, layout)
        entry = expectation(SCANNED_PAGE[1], docx_expected[SCANNED_PAGE[1].name], layout,
                            {"footer": None, "header": None, "appended": "a page that is a picture only"})
        entry["findings"].append({"code": "SHEET_SKIPPED", "sheet": f"页{layout['pages']}", "cell": None,
                                  "expected": None, "found": None, "variant": "image_page"})
        expected[SCANNED_PAGE[0]] = entry

        for name in [*PRINTED, UNRULED[0], SCANNED_PAGE[0]]:
            (FILES / name).write_bytes(fixed_stamps((work / name).read_bytes(), name))
        (TESTS.parent / "examples" / f"{EXAMPLE.stem}.pdf").write_bytes(
            fixed_stamps((work / "example.pdf").read_bytes(), EXAMPLE.name))
        expected["example"] = expectation(EXAMPLE, docx_expected["03_ebian_part_sum.docx"],
                                          layouts["example.pdf"], {"footer": None, "header": None})
        expected["example"]["file"] = f"examples/{EXAMPLE.stem}.pdf"

        image_pdf(scan(FILES / SCANNED[1], work / "scan", 1, 2), FILES / SCANNED[0])
        expected[SCANNED[0]] = unreadable(f"tests/corpus_pdf/files/{SCANNED[1]} pages 1-2 as pictures", "pdf_no_text")
        data = (FILES / CID[1]).read_bytes()
        (FILES / CID[0]).write_bytes(data.replace(b"/ToUnicode", b"/NoUnicode"))  # the same length
        expected[CID[0]] = unreadable(f"tests/corpus_pdf/files/{CID[1]}, its fonts' /ToUnicode maps renamed",
                                      "pdf_cid")
        shutil.copyfile(work / ENCRYPTED[0], FILES / ENCRYPTED[0])  # its id is part of its key: kept
        expected[ENCRYPTED[0]] = unreadable(f"{ENCRYPTED[1].relative_to(TESTS.parent)} printed with a password",
                                            "encrypted")
    version = subprocess.run(["soffice", "--version"], capture_output=True, text=True).stdout.strip()
    (HERE / "expected.json").write_text(
        json.dumps({"libreoffice": version, "files": expected}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8")
    for name in sorted(expected):
        print(name, len(expected[name]["findings"]), "findings")


if __name__ == "__main__":
    main()
