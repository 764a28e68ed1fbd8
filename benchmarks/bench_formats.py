"""Benchmark: reconcile multi-table workbooks and .xls/.ods forms, against a raw calamine read.

    python benchmarks/bench_formats.py [--n 1200] [--keep DIR]

Three sets of N files each, copied round-robin from the test fixtures (all saved by LibreOffice or
written as clerks write them):
  multi-table  .xlsx workbooks with an overall table and project tables (on sheets, stacked)
  xls          hand-made standard forms and seed 001 forms saved as Excel 97-2003
  ods          the same forms saved by LibreOffice as .ods
For each set it measures, in fresh processes on the same files: `perfxl reconcile DIR --json --jobs 1
-q` end to end, and python-calamine reading every sheet's values (the baseline). It prints files per
second, the ratio to the baseline, and peak memory at N/4 and N. It prints; it does not assert.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_reconcile import PERFXL, measure  # noqa: E402

SOURCES = {
    "multi-table": [ROOT / "tests" / "corpus_tables" / "files" / name for name in
                    ("01_ebian_four_sheets.xlsx", "02_ebian_stacked.xlsx", "03_lusong_three_tables_clean_lo.xlsx")],
    "xls": sorted((ROOT / "tests" / "formats").glob("*.xls")) + sorted(
        (ROOT / "tests" / "corpus_tables" / "files").glob("*.xls")),
    "ods": sorted((ROOT / "tests" / "formats").glob("*.ods")) + sorted(
        (ROOT / "tests" / "corpus_tables" / "files").glob("*.ods")),
}
CALAMINE = """
from pathlib import Path
from python_calamine import CalamineWorkbook
for path in sorted(Path(sys.argv[2]).iterdir()):
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
"""


def copies(sources: list[Path], folder: Path, n: int) -> Path:
    folder.mkdir(parents=True)
    for index in range(n):
        source = sources[index % len(sources)]
        shutil.copyfile(source, folder / f"{index:05d}{source.suffix}")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1200)
    parser.add_argument("--keep", type=Path, help="keep the generated files here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="perfxl-bench-formats-"))
    try:
        print(f"{'set':<13}{'files':>7}{'perfxl files/s':>16}{'calamine files/s':>18}{'ratio':>8}"
              f"{'peak MB N/4':>13}{'peak MB N':>11}")
        for name, sources in SOURCES.items():
            folder = copies(sources, work / name, args.n)
            quarter = copies(sources, work / f"{name}-quarter", max(1, args.n // 4))
            perfxl = measure(PERFXL, str(folder), str(work / f"{name}.json"), str(work / f"{name}.csv"), "1")
            small = measure(PERFXL, str(quarter), str(work / f"{name}-q.json"), str(work / f"{name}-q.csv"), "1")
            if name == "multi-table":  # calamine reads .xlsx values too: the same baseline for every set
                raw = measure(CALAMINE.replace("iterdir()", "glob('*.xlsx')"), str(folder))
            else:
                raw = measure(CALAMINE, str(folder))
            rate, raw_rate = args.n / perfxl["seconds"], args.n / raw["seconds"]
            print(f"{name:<13}{args.n:>7}{rate:>16.1f}{raw_rate:>18.1f}{raw_rate / rate:>7.1f}×"
                  f"{small['peak_mb']:>13.1f}{perfxl['peak_mb']:>11.1f}", flush=True)
            if args.keep:
                shutil.copytree(folder, args.keep / name, dirs_exist_ok=True)
        print("\nratio: perfxl's time per file over calamine's raw read of the same file (both one core).")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
