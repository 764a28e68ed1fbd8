"""Rebuild the bundled examples: templates filled by typing into LibreOffice, as a clerk would.

    python examples/make_examples.py        (needs soffice and the system python3-uno)

Each example is a perfxl template filled from a published report (perfxl.samples), recalculated
and saved by LibreOffice. One has a row lowered and its total typed over as 97 (rows add to 95);
one is filled by a script and never calculated.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from lo import missing_reason, run_jobs, type_ops  # noqa: E402
from samples import EBIAN_2024, LIWAN_2022, LUSONG_2024, input_cells  # noqa: E402

from perfxl.template.layout import SHEET  # noqa: E402
from perfxl.template.writer import write_template  # noqa: E402

LOWERED = LUSONG_2024.with_row(2, actual="60", score="3", reason="受天气影响部分场次取消，下一年度加强统筹。")

EXAMPLES = [
    # file name, sample, extra operations after typing
    ("芦淞区委宣传部_2024_自评表.xlsx", LUSONG_2024, []),
    ("芦淞区委宣传部_2024_总分改为97.xlsx", LOWERED, [{"op": "force", "sheet": SHEET, "cell": "I49", "value": 97}]),
    ("荔湾区委宣传部_2022_自评表.xlsx", LIWAN_2022, []),
    ("峨边县融媒体中心_2024_峨边在线项目_classic.xlsx", EBIAN_2024, []),
]


def main() -> None:
    reason = missing_reason()
    if reason:
        sys.exit(f"LibreOffice is needed to build the examples: {reason}")
    with tempfile.TemporaryDirectory(prefix="perfxl-examples-") as work:
        jobs = []
        for name, sample, extra in EXAMPLES:
            template = Path(work) / f"template-{len(jobs)}.xlsx"
            info = write_template(template, sample.scheme, department=sample.department, year=sample.year)
            ops = type_ops(SHEET, input_cells(sample, info.layout)) + extra
            jobs.append({"input": str(template), "output": str(Path(work) / name), "ops": ops})
        results = run_jobs(jobs)
        for job, result in zip(jobs, results, strict=True):
            if not result["ok"]:
                sys.exit(f"LibreOffice failed on {job['output']}:\n{result['error']}")
            shutil.copyfile(job["output"], HERE / Path(job["output"]).name)
            print("wrote", Path(job["output"]).name)
    _script_filled(HERE / "脚本填写未计算_荔湾区委宣传部_2022.xlsx")
    for scheme in ("standard", "classic"):
        path = HERE.parent / "templates" / f"自评表模板_{scheme}.xlsx"
        write_template(path, scheme, year=2024)
        print("wrote", path.relative_to(HERE.parent))


def _script_filled(path: Path) -> None:
    """A template filled by a script (openpyxl): its formulas carry no computed values."""
    with tempfile.TemporaryDirectory() as work:
        template = Path(work) / "t.xlsx"
        info = write_template(template, "standard", department=LIWAN_2022.department, year=LIWAN_2022.year)
        book = load_workbook(template)
        for key, text in input_cells(LIWAN_2022, info.layout).items():
            name, _, cell = key.rpartition("!")
            book[name or SHEET][cell] = _typed(text)
        book.save(path)
    print("wrote", path.name)


def _typed(text: str):
    """What a script would store: numbers as numbers, percentages as fractions."""
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return text


if __name__ == "__main__":
    main()
