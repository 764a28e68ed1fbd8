"""Rebuild the README's screenshots of printed outputs (needs soffice and poppler-utils).

The report of the bundled examples is printed to PDF by LibreOffice and its first (汇总), first
问题明细 and last (统计) pages are rendered to PNG, and so is the first page of an annotated copy
(its 审核意见 sheet): what a reviewer sees when printing them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from perfxl.collection.matching import rows_without_roster
from perfxl.outputs.annotate import annotate
from perfxl.outputs.workbook import write_report
from perfxl.reconcile import reconcile_file, reconcile_paths

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"


def main() -> None:
    os.chdir(ROOT)  # file paths in the report as a user would see them: examples/…
    with tempfile.TemporaryDirectory(prefix="perfxl-shots-") as work_dir:
        work = Path(work_dir)
        report = work / "审核报告.xlsx"
        write_report(report, rows_without_roster(list(reconcile_paths([Path("examples")]))))
        subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(work), str(report)],
                       check=True, capture_output=True, timeout=300)
        pdf = work / "审核报告.pdf"
        subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(work / "page")], check=True, timeout=120)
        pages = sorted(work.glob("page-*.png"))
        texts = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                               text=True).stdout.split("\f")
        findings = next(i for i, page in enumerate(texts) if "说明" in page and "应为" in page)
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "report-summary.png").write_bytes(pages[0].read_bytes())
        (OUT / "report-findings.png").write_bytes(pages[findings].read_bytes())
        (OUT / "report-statistics.png").write_bytes(pages[-1].read_bytes())
        copy = annotate(reconcile_file(Path("examples") / "芦淞区委宣传部_2024_总分改为97.xlsx"), work / "copies")
        subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(work), str(copy)],
                       check=True, capture_output=True, timeout=300)
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(work / (copy.stem + ".pdf")),
                        str(work / "copy")], check=True, timeout=120)
        (OUT / "copy-review-sheet.png").write_bytes(next(work.glob("copy-*.png")).read_bytes())
        print(f"{len(pages)} pages; wrote report-summary, report-findings, report-statistics and "
              f"copy-review-sheet .png in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
