"""Rebuild the README's screenshots of the reviewer's workbook (needs soffice and pdftoppm).

The report of the bundled examples is printed to PDF by LibreOffice and its first (汇总) and last
(统计) pages are rendered to PNG: what a reviewer sees when printing the report.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from perfxl.collection.matching import rows_without_roster
from perfxl.outputs.workbook import write_report
from perfxl.reconcile import reconcile_paths

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
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "report-summary.png").write_bytes(pages[0].read_bytes())
        (OUT / "report-statistics.png").write_bytes(pages[-1].read_bytes())
        print(f"{len(pages)} pages; wrote {OUT / 'report-summary.png'} and {OUT / 'report-statistics.png'}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
