"""Benchmark: Word reports and the same reports printed to PDF, in the batch (target: a 20-page
report with four tables ≤ 50 ms a file as .docx).

    python benchmarks/bench_docx.py [--n 300] [--pdf-n 20]

Writes one report of about 20 pages (headings, ~230 paragraphs restating figures, four scoring
tables with merged cells, built like tests/test_docx.py's), copies it N times, and measures in a
fresh process `perfxl reconcile DIR --jobs 1 -q --no-ledger` end to end, and python-docx merely
opening each file (the baseline). The same report is then printed to PDF by LibreOffice Writer
(tests/corpus_pdf/print_reports.py; needs soffice and python3-uno), copied PDF_N times, and
measured the same way, beside pdfplumber's own work on it: opening each page and extracting its
words (the baseline asked for), and opening each page and taking its characters (pdfminer's parse,
which every reading of the PDF pays; perfxl also finds the ruled tables and rebuilds lines,
paragraphs and tables). PDF figures are seconds per page. It prints; it does not assert.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests"))

from bench_reconcile import measure  # noqa: E402

PERFXL = """
from perfxl.cli import main
try:
    main(["reconcile", sys.argv[2], "--jobs", "1", "-q", "--no-ledger"])
except SystemExit:
    pass
"""
OPEN_ONLY = """
from pathlib import Path
import docx
for path in sorted(Path(sys.argv[2]).glob("*.docx")):
    document = docx.Document(str(path))
    document.paragraphs, document.tables
"""
PDF_OPEN_ONLY = """
from pathlib import Path
import pdfplumber
for path in sorted(Path(sys.argv[2]).glob("*.pdf")):
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_words()
"""
PDF_CHARS_ONLY = """
from pathlib import Path
import pdfplumber
for path in sorted(Path(sys.argv[2]).glob("*.pdf")):
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.chars
"""
PRINTER = ROOT / "tests" / "corpus_pdf" / "print_reports.py"
FILLER = ("按照县委、县政府的统一部署，本单位围绕年度重点工作，加强预算绩效管理，规范资金使用，"
          "各项工作有序推进，较好地完成了年度目标任务。")


def build_report(path: Path) -> None:
    import docx
    from test_docx import scoring_table

    document = docx.Document()
    for section in range(4):
        document.add_heading(f"{'一二三四'[section]}、项目{section + 1}绩效情况", 1)
        for _ in range(55):
            document.add_paragraph(FILLER * 2)
        document.add_paragraph("全年预算数3663.27万元，执行数2659.40万元，完成预算的72.60%。")
        document.add_paragraph("产出指标得分40分，效益指标得分20分，满意度得分10分，成本指标得分20分，绩效评价得分为90分，"
                               "评价等次为优。")
        scoring_table(document)
    document.save(path)


def print_pdf(source: Path, target: Path) -> int | None:
    """The report printed by LibreOffice Writer; its page count, or None without LibreOffice."""
    from lo import SYSTEM_PYTHON, missing_reason

    if missing_reason():
        return None
    jobs, results = target.with_suffix(".jobs.json"), target.with_suffix(".results.json")
    jobs.write_text(json.dumps([{"input": str(source), "output": str(target), "footer": "page"}]), encoding="utf-8")
    subprocess.run([SYSTEM_PYTHON, str(PRINTER), str(jobs), str(results)], check=True, capture_output=True,
                   timeout=600)
    return json.loads(results.read_text(encoding="utf-8"))[0]["pages"]


def copies(source: Path, folder: Path, count: int) -> Path:
    folder.mkdir()
    for index in range(count):
        shutil.copyfile(source, folder / f"{index:04d}{source.suffix}")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--pdf-n", type=int, default=20, help="copies of the PDF (default 20)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="perfxl-bench-docx-"))
    try:
        source = work / "report.docx"
        build_report(source)
        folder = copies(source, work / "inbox", args.n)
        perfxl = measure(PERFXL, str(folder))
        opened = measure(OPEN_ONLY, str(folder))
        per_file = perfxl["seconds"] / args.n * 1000
        print(f"report: {source.stat().st_size // 1024} KB, 4 tables, ~230 paragraphs")
        print(f"perfxl reconcile --jobs 1: {per_file:.1f} ms a file ({args.n / perfxl['seconds']:.1f} files/s, "
              f"peak {perfxl['peak_mb']:.0f} MB)  (target ≤ 50 ms)")
        print(f"python-docx opening only:  {opened['seconds'] / args.n * 1000:.1f} ms a file (baseline); "
              f"ratio {perfxl['seconds'] / opened['seconds']:.2f}×")
        pages = print_pdf(source, work / "report.pdf")
        if pages is None:
            print("PDF: not measured (LibreOffice is needed to print the report)")
            return
        folder = copies(work / "report.pdf", work / "inbox-pdf", args.pdf_n)
        perfxl_pdf = measure(PERFXL, str(folder))
        plumber = measure(PDF_OPEN_ONLY, str(folder))
        parsed = measure(PDF_CHARS_ONLY, str(folder))
        count = args.pdf_n * pages
        print(f"the same report printed to PDF: {(work / 'report.pdf').stat().st_size // 1024} KB, {pages} pages, "
              f"{args.pdf_n} copies")
        print(f"perfxl reconcile --jobs 1: {perfxl_pdf['seconds'] / count:.3f} s a page "
              f"({perfxl_pdf['seconds'] / args.pdf_n:.2f} s a report, peak {perfxl_pdf['peak_mb']:.0f} MB); "
              f"{perfxl_pdf['seconds'] / args.pdf_n / (perfxl['seconds'] / args.n):.0f}× the .docx")
        print(f"pdfplumber page open + extract_words only: {plumber['seconds'] / count:.3f} s a page (baseline); "
              f"ratio {perfxl_pdf['seconds'] / plumber['seconds']:.2f}×")
        print(f"pdfplumber page open + characters only (pdfminer's parse): {parsed['seconds'] / count:.3f} s a page; "
              f"ratio {perfxl_pdf['seconds'] / parsed['seconds']:.2f}×")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
