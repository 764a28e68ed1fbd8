"""Printed templates: filled by typing in LibreOffice, printed to PDF, read back page by page.

The standard 自评表 prints on two A4 landscape pages, the classic one on two with whole blocks on
each; a page never breaks inside a first-level block (its group labels and its 小计 share a page),
the indicator header is repeated, and the amount sheets fit one page. A blank template shows no
grade and no red; the 偏差原因 mark stays off the locked 小计 rows.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from lo import require_libreoffice, run_jobs, type_ops
from samples import EBIAN_2024, LUSONG_2024, Sample, input_cells
from test_report_xlsx import _count, _pixels, _require_poppler

from perfxl.scheme import load_scheme
from perfxl.template.layout import BASE_SHEET, FUNDS_SHEET, SHEET
from perfxl.template.writer import ALERT_FILL, WARN_FILL, write_template

pytestmark = pytest.mark.libreoffice

REASON = "受天气影响部分场次取消，下一年度加强统筹。"
#: seed 003 with 文化惠民活动 (产出指标) scored 3 of 5, the reason typed: 产出指标小计 is 38 of 40.
LOWERED = LUSONG_2024.with_row(2, actual="60", score="3", reason=REASON)
#: What is printed: a sample typed into its template (None: the blank template).
PRINTED: dict[str, tuple[str, Sample | None]] = {
    "standard": ("standard", LOWERED),
    "classic": ("classic", EBIAN_2024),
    "blank": ("standard", None),
    "no_reason": ("standard", LOWERED.with_row(2, reason="")),  # 3 of 5 and no reason
    "weights": ("standard", LUSONG_2024.with_row(0, weight="6")),  # 产出 adds up to 41, not 40
}
RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""
FOOTER = re.compile(rf"({SHEET}|{FUNDS_SHEET}|{BASE_SHEET})第(\d+)页")


@dataclass
class Printout:
    """One workbook printed: each page's sheet, its text lines (stripped) and its pixels."""

    sheets: list[str]
    lines: list[list[str]]
    images: list[np.ndarray]
    size: tuple[float, float]

    def pages(self, sheet: str) -> list[int]:
        return [index for index, name in enumerate(self.sheets) if name == sheet]

    def pages_with(self, line: str) -> set[int]:
        return {index for index, lines in enumerate(self.lines) if line in lines}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Printout]:
    """Every workbook of PRINTED filled in one LibreOffice run, then printed in one more."""
    require_libreoffice()
    _require_poppler()
    folder = tmp_path_factory.mktemp("printing")
    jobs, blank = [], []
    for name, (scheme, sample) in PRINTED.items():
        template = folder / f"{name}.template.xlsx"
        info = write_template(template, scheme, department=sample.department if sample else None, year=2024)
        if sample is None:
            blank.append(template)
            continue
        jobs.append({"input": str(template), "output": str(folder / f"{name}.xlsx"),
                     "ops": type_ops(SHEET, input_cells(sample, info.layout))})
    results = run_jobs(jobs)
    assert all(result["ok"] for result in results), [result["error"] for result in results]
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE, encoding="utf-8")
    inputs = [job["output"] for job in jobs] + [str(path) for path in blank]
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder / "pdf"), *inputs], check=True, capture_output=True, timeout=600)
    return {name: _read_pdf(folder / "pdf" / f"{name}{'.template' if sample is None else ''}.pdf", folder / name)
            for name, (_, sample) in PRINTED.items()}


def _read_pdf(pdf: Path, work: Path) -> Printout:
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")[:-1]  # pdftotext ends every page with a form feed
    sheets = []
    for page in pages:
        found = FOOTER.findall(re.sub(r"\s+", "", page))
        assert len(found) == 1, page  # every page's footer names its sheet
        sheets.append(found[0][0])
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    work.mkdir()
    subprocess.run(["pdftoppm", "-r", "40", str(pdf), str(work / "page")], check=True, timeout=120)
    images = [_pixels(path) for path in sorted(work.glob("page-*.ppm"))]
    assert len(images) == len(pages)
    lines = [[line.strip() for line in page.splitlines() if line.strip()] for page in pages]
    return Printout(sheets, lines, images, (width, height))


def _blocks(scheme: str) -> list[tuple[str, list[str]]]:
    """Each first-level block: its 小计 label and the labels printed in it (its 二级指标)."""
    return [(f"{level.label}小计", [group.label for group in level.groups]) for level in load_scheme(scheme).levels]


def test_the_standard_table_prints_on_two_landscape_pages(printed: dict[str, Printout]) -> None:
    printout = printed["standard"]
    assert printout.pages(SHEET) == [0, 1]  # was two pages, broken inside 成本指标
    assert printout.size[0] > printout.size[1]  # landscape
    assert round(printout.size[0]) == 842 and round(printout.size[1]) == 595  # A4
    for page in printout.pages(SHEET):  # the indicator header on every page
        assert {"一级指标", "二级指标", "三级指标", "偏差原因分析及改进措施"} <= set(printout.lines[page])


@pytest.mark.parametrize("name", ["standard", "classic", "blank"])
def test_no_first_level_block_is_split_across_pages(printed: dict[str, Printout], name: str) -> None:
    printout = printed[name]
    scheme = PRINTED[name][0]
    pages = []
    for subtotal, groups in _blocks(scheme):
        where = [printout.pages_with(label) for label in (*groups, subtotal)]
        assert all(len(found) == 1 for found in where), (subtotal, where)
        assert len(set.union(*where)) == 1, (subtotal, where)  # the whole block on one page
        pages.append(next(iter(where[0])))
    assert pages == sorted(pages)
    last = pages[-1]
    for line in ("总分", "评价等次", "填表人"):  # the totals and signatures stay with the last block
        assert printout.pages_with(line) == {last}, line


def test_the_classic_table_keeps_whole_blocks_on_each_page(printed: dict[str, Printout]) -> None:
    printout = printed["classic"]
    sheet_pages = printout.pages(SHEET)
    assert len(sheet_pages) <= 2
    subtotals = [subtotal for subtotal, _ in _blocks("classic")]
    for page in sheet_pages:  # no page of totals and signatures alone (it used to be page 2)
        assert any(subtotal in printout.lines[page] for subtotal in subtotals), page


def test_the_amount_sheets_fit_one_page(printed: dict[str, Printout]) -> None:
    printout = printed["standard"]
    assert len(printout.pages(FUNDS_SHEET)) == 1
    assert len(printout.pages(BASE_SHEET)) == 1  # was two: portrait, its last column and title cut off
    [base] = printout.pages(BASE_SHEET)
    assert "2024年度部门（单位）整体支出绩效评价基础数据表" in printout.lines[base]  # the title whole
    assert {"2023年决算数", "2024年预算数", "2024年决算数", "控制率"} <= set(printout.lines[base])
    [funds] = printout.pages(FUNDS_SHEET)
    assert {"年度资金构成（万元）", "年初预算数", "全年预算数", "全年执行数", "支出合计"} <= set(printout.lines[funds])


def test_the_budget_label_is_whole(printed: dict[str, Printout]) -> None:
    printout = printed["standard"]
    assert printout.pages_with("年度预算申请（万元）") == {0}  # one line, not 年度预算 / 申请 / （万元）


def test_a_blank_template_shows_no_grade_and_no_red(printed: dict[str, Printout]) -> None:
    blank = printed["blank"]
    pages = blank.pages(SHEET)
    assert not any({"优", "良", "中", "差"} & set(blank.lines[page]) for page in pages)
    assert sum(_count(blank.images[page], ALERT_FILL) for page in pages) == 0
    filled = printed["standard"]
    assert any("优" in filled.lines[page] for page in filled.pages(SHEET))  # a grade once scored
    wrong = printed["weights"]  # the red mark still comes once weights are typed and do not add up
    assert sum(_count(wrong.images[page], ALERT_FILL) for page in wrong.pages(SHEET)) > 20


def test_the_reason_mark_is_only_where_the_department_can_clear_it(printed: dict[str, Printout]) -> None:
    """文化惠民活动 scored 3 of 5 with its reason typed: nothing orange (the locked 产出指标小计 row, 38 of
    40, used to be, and no one could clear it); the same row without a reason is marked."""
    filled = printed["standard"]
    assert sum(_count(filled.images[page], WARN_FILL) for page in filled.pages(SHEET)) == 0
    missing = printed["no_reason"]
    assert sum(_count(missing.images[page], WARN_FILL) for page in missing.pages(SHEET)) > 20
