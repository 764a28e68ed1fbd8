"""Rebuild the .xls / .ods / .et fixtures of tests/test_formats.py with a real LibreOffice.

    python tests/formats/build_formats.py        (needs soffice; run by hand, never in CI)

Each source workbook is copied here, then opened by LibreOffice, recalculated, and saved as Excel
97-2003 (.xls) and OpenDocument (.ods) beside it under the same name (the copies keep the tests
independent of later changes to the examples and the corpus). ``values.xlsx`` is made first (openpyxl) and
saved back as .xlsx by LibreOffice too, so that its cached values are LibreOffice's: it holds the
cases a form rarely has (dates, errors, percentages, booleans, a table away from A1, hidden and
empty sheets). The two .et files are copies with the suffix changed, as WPS users send them: one
is an .xls inside, one an .xlsx. The tests only read what this script wrote.
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
#: Sources converted to .xls and .ods: a filled perfxl template and hand-made forms.
SOURCES = [
    ROOT / "examples" / "芦淞区委宣传部_2024_自评表.xlsx",
    ROOT / "tests" / "corpus" / "files" / "01_lusong_2024_published.xlsx",
    ROOT / "tests" / "corpus" / "files" / "02_lusong_2024_cover_lo.xlsx",
    ROOT / "tests" / "corpus" / "files" / "15_yueyang_2020_grade.xlsx",
    ROOT / "tests" / "corpus" / "files" / "22_yueyang_2020_word_export.xlsx",
    HERE / "values.xlsx",
]
#: (.et file, the fixture copied into it)
ET_COPIES = [("wps_xls.et", HERE / "01_lusong_2024_published.xls"),
             ("wps_xlsx.et", HERE / "15_yueyang_2020_grade.xlsx")]
# Recalculate on load (cached values are LibreOffice's own), no lock files, no thumbnails.
SETTINGS = [("Calc/Formula/Load", "OOXMLRecalcMode", "int", "0"),
            ("Calc/Formula/Load", "ODFRecalcMode", "int", "0"),
            ("Common/Misc", "UseLocking", "boolean", "false"),
            ("Common/Save/Document", "GenerateThumbnail", "boolean", "false")]

VALUES = [  # label, value (formulas are recalculated by LibreOffice)
    ("整数", 100), ("小数", 76.51), ("浮点和", "=0.1+0.2"), ("三分之一", "=1/3"), ("大数", 123456789012.34),
    ("负数", -3.5), ("很小", 0.00001), ("百分比", 0.95), ("日期", datetime.date(2024, 12, 31)),
    ("日期时间", datetime.datetime(2024, 6, 30, 14, 30)), ("时间", datetime.time(9, 15)),
    ("真", True), ("假", False), ("比较", "=1>0"),
    ("除零", "=1/0"), ("无值", "=NA()"), ("值错", '=1+"x"'), ("引用错", "=#REF!"), ("名称错", "=NOSUCHNAME()"),
    ("首尾空格", "  产出指标  "), ("换行", "产出指标\n(40分)"), ("多空格", "a   b"), ("全角", "９７"),
    ("符号", "≥100场"), ("带单位", "642.01万元"), ("公式文字", '=IF(1>0,"优","差")'), ("公式空文字", '=IF(1>0,"","差")'),
    ("十五位", 1234567890.12345), ("十七位", 0.1234567890123456789), ("四舍五入", "=ROUND(2.675,2)"),
    ("求和", "=SUM(B1:B2)"),
]
FORMATS = {"B8": "0.00%", "B9": "yyyy-mm-dd", "B10": "yyyy-mm-dd hh:mm", "B11": "hh:mm", "B29": "0.000"}


def write_values(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "值"
    for row, (label, value) in enumerate(VALUES, start=1):
        sheet.cell(row, 1, label)
        sheet.cell(row, 2, value)
    for ref, number_format in FORMATS.items():
        sheet[ref].number_format = number_format
    sheet["C1"] = "合并"
    sheet.merge_cells("C1:D3")
    sheet["E5"] = 5
    sheet.merge_cells("E5:E9")
    for row in range(40, 44):  # identical rows: LibreOffice may store them once, repeated
        for column, value in enumerate(("重复", 1, 2, "x"), start=1):
            sheet.cell(row, column, value)
    offset = book.create_sheet("偏移")  # a table that does not start at A1
    offset["C5"] = "一级指标"
    offset["D5"] = "分值"
    offset["C6"] = "产出指标"
    offset["D6"] = 40
    offset["F9"] = "=D6/2"
    offset.merge_cells("C7:D8")
    hidden = book.create_sheet("隐藏")
    hidden["A1"] = "hidden"
    hidden.sheet_state = "hidden"
    book.create_sheet("空表")
    book.save(path)


def profile(folder: Path) -> str:
    user = folder / "user"
    user.mkdir(parents=True)
    items = "".join(f'<item oor:path="/org.openoffice.Office.{path}"><prop oor:name="{name}" oor:op="fuse" '
                    f'oor:type="xs:{kind}"><value>{value}</value></prop></item>\n'
                    for path, name, kind, value in SETTINGS)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        + items + "</oor:items>\n", encoding="utf-8")
    return folder.as_uri()


def convert(sources: list[Path], to: str, out: Path, user: str) -> None:
    subprocess.run(["soffice", f"-env:UserInstallation={user}", "--headless", "--calc", "--convert-to", to,
                    "--outdir", str(out), *map(str, sources)], check=True, capture_output=True, timeout=600)
    for source in sources:
        if not (out / f"{source.stem}.{to}").exists():
            sys.exit(f"LibreOffice did not write {source.stem}.{to}")


def main() -> None:
    if shutil.which("soffice") is None:
        sys.exit("soffice is needed to build the format fixtures (Debian: libreoffice-calc-nogui)")
    with tempfile.TemporaryDirectory(prefix="perfxl-formats-") as work:
        work_dir = Path(work)
        user = profile(work_dir / "profile")
        raw = work_dir / "raw" / "values.xlsx"
        raw.parent.mkdir()
        write_values(raw)
        convert([raw], "xlsx", work_dir, user)  # values.xlsx with LibreOffice's cached values
        shutil.copyfile(work_dir / "values.xlsx", HERE / "values.xlsx")
        for source in SOURCES:
            if source.parent != HERE:
                shutil.copyfile(source, HERE / source.name)
        for kind in ("xls", "ods"):
            out = work_dir / kind
            convert(SOURCES, kind, out, user)
            for source in SOURCES:
                shutil.copyfile(out / f"{source.stem}.{kind}", HERE / f"{source.stem}.{kind}")
    for name, source in ET_COPIES:
        shutil.copyfile(source, HERE / name)
    for path in sorted(HERE.iterdir()):
        if path.suffix != ".py":
            print(f"{path.stat().st_size:>8}  {path.name}")


if __name__ == "__main__":
    main()
