"""The reviewer's workbook: content read back with openpyxl, then rendered by a real LibreOffice."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from lo import require_libreoffice

from perfxl.codes import REGISTRY, render
from perfxl.model import DepartmentRow, FileResult, Finding
from perfxl.outputs.workbook import (
    FINDING_HEADERS,
    STATUS_COLOURS,
    SUMMARY_HEADERS,
    SUMMARY_TOP,
    build_report,
    grade_counts,
    level_means,
    text_width,
    write_report,
)
from perfxl.reconcile import reconcile_paths

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HOSTILE_NAME = '=HYPERLINK("http://x","点我")'
HOSTILE_PATH = "=cmd|' /C calc'!A0.xlsx"


@pytest.fixture(scope="module")
def examples() -> dict[str, FileResult]:
    return {Path(r.path).name: r for r in reconcile_paths([str(EXAMPLES)])}


def _hostile() -> FileResult:
    """A submission whose name, path, sheet, message and found value all look like formulas."""
    result = FileResult(path=HOSTILE_PATH, department=HOSTILE_NAME, declared_total=Decimal("88.5"),
                        computed_total=Decimal("88.5"), declared_grade="优", computed_grade="良")
    result.findings = [
        Finding("MISSING_VALUE", "-Sheet", "C7", params={"what": "-2+3"}),
        Finding("UNPARSEABLE_VALUE", "自评表", "I9", found="@SUM(A1:A9)", params={"what": ("score", {"name": "x"})}),
    ]
    return result.finish()


def _unreadable(path: str) -> FileResult:
    return FileResult(path=path, findings=[Finding("UNREADABLE_FILE", params={"detail": "不是 zip 文件"})]).finish()


def _stray() -> FileResult:
    """A file that matches no department of the roster (warnings only)."""
    result = FileResult(path="杂项/无名单位.xlsx", department="无名单位", declared_total=Decimal(90),
                        computed_total=Decimal(90), computed_grade="优")
    result.findings = [Finding("DEVIATION_REASON_MISSING", "自评表", "K12", Decimal(10), Decimal(8),
                               params={"name": "时效指标"})]
    return result.finish()


@pytest.fixture(scope="module")
def rows(examples: dict[str, FileResult]) -> list[DepartmentRow]:
    def row(code: str | None, name: str, chosen: FileResult, *superseded: FileResult) -> DepartmentRow:
        return DepartmentRow(code, name, chosen.status, chosen, list(superseded))

    return [
        row("001", "峨边彝族自治县融媒体中心", examples["峨边县融媒体中心_2024_峨边在线项目_classic.xlsx"]),
        row("002", "中国共产党广州市荔湾区委员会宣传部", examples["脚本填写未计算_荔湾区委宣传部_2022.xlsx"],
            examples["荔湾区委宣传部_2022_自评表.xlsx"]),
        row("003", "中国共产党株洲市芦淞区委员会宣传部", examples["芦淞区委宣传部_2024_总分改为97.xlsx"],
            examples["芦淞区委宣传部_2024_自评表.xlsx"]),
        DepartmentRow("004", "某某县财政局", "not_submitted"),
        row("005", HOSTILE_NAME, _hostile()),
        row("006", "某某县统计局", _unreadable("统计局.xlsx")),
        row(None, "无名单位", _stray()),
    ]


@pytest.fixture(scope="module")
def report(rows: list[DepartmentRow], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "审核报告.xlsx"
    write_report(path, rows)
    return path


@pytest.fixture(scope="module")
def book(report: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(report)


SUMMARY_HEADER_ROW = SUMMARY_TOP + 1  # 1-based, under the title and the date


def _records(sheet) -> list[dict]:
    """The data rows of a sheet by header; 汇总's own rows only (not its title, date or totals)."""
    summary = sheet.title in ("汇总", "Summary")
    header_row = SUMMARY_HEADER_ROW if summary else 1
    header = [c.value for c in sheet[header_row]]
    rows = list(sheet.iter_rows(min_row=header_row + 1))
    return [dict(zip(header, row, strict=True)) for row in (rows[:-1] if summary else rows)]


def _totals(sheet) -> dict:
    header = [c.value for c in sheet[SUMMARY_HEADER_ROW]]
    return dict(zip(header, [c.value for c in sheet[sheet.max_row]], strict=True))


def test_sheets_have_chinese_names(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == ["汇总", "问题明细", "统计"]
    assert [c.value for c in book["汇总"][SUMMARY_HEADER_ROW]] == SUMMARY_HEADERS["zh"]
    assert [c.value for c in book["问题明细"][1]] == FINDING_HEADERS["zh"]


def test_summary_has_a_title_the_date_and_a_totals_row(rows: list[DepartmentRow], tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_report(path, rows, when=date(2025, 3, 20))
    sheet = openpyxl.load_workbook(path)["汇总"]
    assert sheet["A1"].value == "2024年度绩效自评表审核汇总" and sheet["A1"].font.b  # most files are of 2024
    assert sheet["A2"].value == "审核日期：2025-03-20"
    assert {"A1:K1", "A2:K2"} <= {str(r) for r in sheet.merged_cells.ranges}
    totals = _totals(sheet)
    assert sheet.max_row == SUMMARY_HEADER_ROW + len(rows) + 1
    assert totals["部门编码"] == "合计" and totals["部门名称"] == "6 个部门"  # the unmatched file is no department
    assert totals["文件"] == "6 个文件" and totals["材料（缺少、替换）"] == "被替换的文件 2 个"
    records = _records(sheet)
    assert totals["错误数"] == sum(r["错误数"].value or 0 for r in records) == 5
    assert totals["警告数"] == sum(r["警告数"].value or 0 for r in records)
    assert totals["评价等次"].split("\n") == ["优 4", "良 1"]
    assert totals["状态"].split("\n") == ["通过 1", "仅有警告 1", "有错误 2", "无法读取 1", "未提交 1", "未匹配名单 1"]
    assert sheet[sheet.max_row][0].font.b
    assert sheet.auto_filter.ref == f"A{SUMMARY_HEADER_ROW}:K{SUMMARY_HEADER_ROW + len(rows)}"  # not the totals
    english = tmp_path / "en.xlsx"
    write_report(english, rows, lang="en", when=date(2025, 3, 20))
    sheet = openpyxl.load_workbook(english)["Summary"]
    assert sheet["A2"].value == "Reviewed on 2025-03-20" and _totals(sheet)["Code"] == "Total"


def test_summary_has_one_row_per_department(book: openpyxl.Workbook, rows: list[DepartmentRow]) -> None:
    records = _records(book["汇总"])
    assert [r["部门编码"].value for r in records] == [row.code or None for row in rows]
    assert [r["状态"].value for r in records] == ["通过", "仅有警告", "有错误", "未提交", "有错误", "无法读取",
                                                 "未匹配名单"]


def test_summary_totals_grades_and_counts(book: openpyxl.Workbook) -> None:
    faulty = _records(book["汇总"])[2]
    assert faulty["申报总分"].value == 97 and faulty["复核总分"].value == 95
    assert faulty["申报总分"].number_format == "0.00"
    assert (faulty["错误数"].value, faulty["警告数"].value) == (2, 1)
    assert faulty["评价等次"].value == "优"
    assert faulty["材料（缺少、替换）"].value == "整体1\n已替换：芦淞区委宣传部_2024_自评表.xlsx"
    assert faulty["文件"].value.endswith("芦淞区委宣传部_2024_总分改为97.xlsx")
    hostile = _records(book["汇总"])[4]
    assert hostile["评价等次"].value == "良（申报：优）"
    missing = _records(book["汇总"])[3]
    assert missing["文件"].value is None and missing["错误数"].value is None


def test_status_cells_are_coloured(book: openpyxl.Workbook) -> None:
    fills = [r["状态"].fill.fgColor.rgb[-6:] for r in _records(book["汇总"])]
    assert fills[:4] == ["C6EFCE", "FFEB9C", "FFC7CE", "D9D9D9"]  # green, amber, red, grey
    # The stray file is clean, yet not green: unmatched has a colour of its own.
    assert fills[6] == STATUS_COLOURS["unmatched"][0][1:] == "E4DFEC"
    assert len({fill for fill, _ in STATUS_COLOURS.values()}) == len(STATUS_COLOURS) - 1  # only unreadable = errors


def test_summary_links_to_first_finding(book: openpyxl.Workbook) -> None:
    findings = book["问题明细"]
    for record in _records(book["汇总"]):
        link = record["问题明细"].hyperlink
        if record["错误数"].value in (None, 0) and record["警告数"].value in (None, 0):
            assert link is None
            continue
        target = re.fullmatch(r"'问题明细'!A(\d+)", link.location)
        assert target, link.location
        row = int(target.group(1))
        assert findings.cell(row, 2).value == record["部门名称"].value
        assert row == 2 or findings.cell(row - 1, 2).value != record["部门名称"].value
    assert book["汇总"][book["汇总"].max_row][10].hyperlink is None  # the totals row links nowhere


def test_findings_list_only_chosen_results(book: openpyxl.Workbook, rows: list[DepartmentRow]) -> None:
    records = _records(book["问题明细"])
    chosen = [(row, f) for row in rows if row.result for f in row.result.findings]
    assert len(records) == len(chosen) == 9
    for record, (row, finding) in zip(records, chosen, strict=True):
        assert record["代码"].value == finding.code
        assert record["严重程度"].value == {"error": "错误", "warning": "警告"}[finding.severity]
        assert record["文件"].value == row.result.path
    superseded = {r.path for row in rows for r in row.superseded}
    assert not {r["文件"].value for r in records} & superseded
    total = next(r for r in records if r["代码"].value == "TOTAL_MISMATCH")
    assert (total["应为"].value, total["实为"].value) == (95, 97)
    assert total["说明"].value == "总分 97 与各项得分合计 95 不一致"


def test_department_text_is_never_a_formula(report: Path, book: openpyxl.Workbook) -> None:
    """Text that looks like a formula is a text cell, shown as it is (no apostrophe in the cell),
    with Excel's hidden quote prefix so that editing it keeps it text."""

    def inert(cell, text: str) -> None:
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)

    inert(_records(book["汇总"])[4]["部门名称"], HOSTILE_NAME)
    records = [r for r in _records(book["问题明细"]) if r["部门编码"].value == "005"]
    inert(records[0]["文件"], HOSTILE_PATH)
    inert(records[0]["工作表"], "-Sheet")
    inert(records[0]["说明"], "-2+3未填写")
    inert(records[1]["实为"], "@SUM(A1:A9)")
    assert records[0]["部门名称"].fill.fgColor.rgb == records[1]["部门名称"].fill.fgColor.rgb  # same look
    overwritten = next(r for r in _records(book["问题明细"]) if r["代码"].value == "FORMULA_OVERWRITTEN")
    # 应为/实为 are values: the formula's value and the typed one, not the formula (it stays in the JSON)
    assert (overwritten["应为"].value, overwritten["实为"].value) == (95, 97)
    plain = _records(book["汇总"])[0]["部门名称"]
    assert plain.data_type == "s" and not plain.quotePrefix  # ordinary text keeps the ordinary format
    for sheet in book:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)
    with zipfile.ZipFile(report) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)


def test_layout_frozen_filtered_fitted(book: openpyxl.Workbook) -> None:
    for sheet in book:
        assert sheet.freeze_panes == ("A4" if sheet.title == "汇总" else "A2")
        assert sheet["A1"].font.name == "宋体"
    assert book["汇总"].auto_filter.ref == "A3:K10"
    assert book["汇总"].print_title_rows == "$3:$3"
    assert book["问题明细"].auto_filter.ref == "A1:L10"  # the code last, in column L
    assert len(book["统计"].tables) == 3
    assert all(t.autoFilter is not None for t in book["统计"].tables.values())
    widths = book["汇总"].column_dimensions
    longest = max(text_width(r["部门名称"].value) for r in _records(book["汇总"]))
    assert min(longest, 40) <= widths["B"].width <= 41  # a CJK character counts twice, capped
    assert widths["A"].width < widths["B"].width


def test_statistics_tables_and_charts(report: Path, book: openpyxl.Workbook, rows: list[DepartmentRow]) -> None:
    stats = book["统计"]
    grades = {stats.cell(r, 1).value: stats.cell(r, 2).value for r in range(2, 8)}
    assert grades == {"优": 3, "良": 1, "中": 0, "差": 0, "未提交": 1, "无法读取": 1}  # not the unmatched file
    levels = [(stats.cell(r, 5).value, stats.cell(r, 6).value) for r in range(2, 14) if stats.cell(r, 5).value]
    assert levels[0][0] == "产出指标（classic）"  # the first department's scheme comes first
    assert levels[-1][0] == "预算执行（standard）"
    budget = [row.result.budget_score for row in rows
              if row.result and row.result.budget_score is not None and row.result.scheme == "standard"]
    assert levels[-1][1] == pytest.approx(float(sum(budget) / len(budget)), abs=0.005)
    assert stats.cell(2, 9).value == "UNREADABLE_FILE" or stats.cell(2, 11).value >= stats.cell(3, 11).value
    assert {stats.cell(r, 10).value for r in range(2, 12)} >= {"总分不一致", "公式被改为固定值"}
    # The unmatched file's warning (偏差原因未填写) is listed in 问题明细 but not counted here.
    assert "DEVIATION_REASON_MISSING" not in {stats.cell(r, 9).value for r in range(2, 12)}
    assert "DEVIATION_REASON_MISSING" in {r["代码"].value for r in _records(book["问题明细"])}
    assert len(stats._charts) == 3
    with zipfile.ZipFile(report) as archive:
        charts = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        refs = [re.findall(r"<c:f>([^<]*)</c:f>", archive.read(n).decode()) for n in charts]
    assert len(charts) == 3
    assert refs[0] == ["统计!$A$2:$A$7", "统计!$B$2:$B$7"]
    assert all(ref.startswith("统计!") for chart in refs for ref in chart)


def test_statistics_helpers(rows: list[DepartmentRow]) -> None:
    assert [key for key, _, _ in grade_counts(rows)][-2:] == ["not_submitted", "unreadable"]
    means = {label: (mean, count) for label, mean, count in level_means(rows, "en")}
    assert "budget execution (standard)" in means and "budget execution (classic)" in means
    # Averaged per scheme, a mean never exceeds its scheme's weight (产出 40 standard, 50 classic).
    assert means["产出指标 (standard)"][0] <= 40 and means["产出指标 (classic)"] == (Decimal(50), 1)
    one_scheme = [row for row in rows if row.result is not None and row.result.scheme == "standard"]
    assert "产出指标" in {label for label, _, _ in level_means(one_scheme)}  # no label when unmixed
    assert all(all(spec.label) and all(spec.messages[""]) for spec in REGISTRY.values())


def test_english_report(rows: list[DepartmentRow], tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_report(path, rows, lang="en")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Findings", "Statistics"]
    records = _records(book["Summary"])
    assert [r["Status"].value for r in records] == ["clean", "warnings only", "errors", "not submitted", "errors",
                                                  "unreadable", "not on roster"]
    assert records[2]["Findings"].hyperlink.location.startswith("'Findings'!A")
    finding = next(f for f in rows[2].result.findings if f.code == "TOTAL_MISMATCH")
    total = next(r for r in _records(book["Findings"]) if r["Code"].value == "TOTAL_MISMATCH")
    assert total["Message"].value == render(finding, "en") == "total 97 differs from the sum of its parts 95"
    assert book["Statistics"]["I1"].value == "Code"


def test_without_roster_rows_keep_file_status(examples: dict[str, FileResult], tmp_path: Path) -> None:
    rows = [DepartmentRow(None, r.department or Path(r.path).name, r.status, r) for r in examples.values()]
    path = tmp_path / "report.xlsx"
    write_report(path, rows)
    statuses = {r["状态"].value for r in _records(openpyxl.load_workbook(path)["汇总"])}
    assert statuses == {"通过", "仅有警告", "有错误"}


def test_empty_report_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    write_report(path, [])
    book = openpyxl.load_workbook(path)
    assert book["问题明细"].max_row == 1
    assert len(book["统计"]._charts) == 1  # grade distribution only: the other two have no data


def test_write_is_atomic(rows: list[DepartmentRow], tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"previous")
    with pytest.raises(ValueError):
        write_report(path, rows, lang="fr")
    assert path.read_bytes() == b"previous"
    write_report(path, rows)
    assert path.read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]
    assert build_report(rows)[:2] == b"PK"


def test_text_width_counts_cjk_twice() -> None:
    assert text_width("ab") == 2
    assert text_width("部门") == 4
    assert text_width("短\n较长的一行") == 10


# --- rendered by LibreOffice -------------------------------------------------------------------------


def _require_poppler() -> None:
    """pdftoppm/pdftotext (Debian: poppler-utils): skip on a developer machine, fail in CI."""
    if shutil.which("pdftoppm") and shutil.which("pdftotext"):
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("poppler-utils (pdftoppm, pdftotext) is required in CI")
    pytest.skip("pdftoppm not installed (Debian: poppler-utils)")


def _pixels(ppm: Path) -> np.ndarray:
    """RGB pixels of a binary PPM (P6, 8 bit) as pdftoppm writes it."""
    data = ppm.read_bytes()
    magic, width, height, depth = data.split(maxsplit=4)[:4]
    assert magic == b"P6" and depth == b"255"
    header = len(b" ".join((magic, width, height, depth))) + 1
    return np.frombuffer(data[header:], np.uint8).reshape(int(height), int(width), 3)


def _count(pixels: np.ndarray, colour: str) -> int:
    """Pixels within a little of ``colour`` (#RRGGBB): anti-aliasing leaves the fills intact."""
    target = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels.astype(int) - target).max(axis=2) <= 8).sum())


def render_report(report: Path, work: Path) -> tuple[str, list[np.ndarray]]:
    """Print ``report`` to PDF with LibreOffice; its text and one RGB image per page."""
    require_libreoffice()
    _require_poppler()
    profile = (work / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work), str(report)], check=True, capture_output=True, timeout=300)
    pdf = work / (report.stem + ".pdf")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(work / "page")], check=True, timeout=120)
    pngs = sorted(work.glob("page-*.png"))
    assert len(pngs) == pages and all(p.stat().st_size > 5000 for p in pngs)
    subprocess.run(["pdftoppm", "-r", "50", str(pdf), str(work / "raw")], check=True, timeout=120)
    images = [_pixels(p) for p in sorted(work.glob("raw-*.ppm"))]
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return text, images


@pytest.mark.libreoffice
def test_libreoffice_renders_report(report: Path, tmp_path: Path) -> None:
    text, images = render_report(report, tmp_path)
    assert len(images) >= 3  # 汇总, 问题明细 and 统计 each at least one page
    for image in images:
        assert (image.min(axis=2) < 200).sum() > 2000  # text and borders on every page: not blank
    assert _count(images[0], "#FFC7CE") > 20 and _count(images[0], "#C6EFCE") > 20  # status colours
    assert _count(images[-1], "#5B9BD5") > 2000  # chart bars on the statistics page
    assert _count(images[-1], "#4E9A45") > 200  # the 优 column in its own colour
    assert _count(images[0], STATUS_COLOURS["unmatched"][0]) > 20  # 未匹配名单 in its own colour
    for expected in ("有错误", "未提交", "总分 97 与各项得分合计 95 不一致", "评价等次分布", "总分不一致",
                     HOSTILE_NAME, "2024年度绩效自评表审核汇总", "审核日期：", "合计", "6 个部门"):
        assert expected in text
    assert "'" + HOSTILE_NAME not in text and "'=SUM(" not in text  # no apostrophe shows
    assert "=SUM(" not in text  # the overwritten formula's value is printed, not the formula
