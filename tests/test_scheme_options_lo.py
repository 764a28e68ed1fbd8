"""The provincial scheme options in a real spreadsheet: LibreOffice computes what perfxl computes.

Templates are written with the example schemes under templates/schemes/examples/, filled by typing
into LibreOffice (one run for all), recalculated and read back. On both sides of each threshold the
sheet's own total, grade and reference scores must equal perfxl's recomputation.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from lo import require_libreoffice, run_jobs, type_ops
from samples import LUSONG_2024, input_cells

from perfxl.checking.integrity import computed_values
from perfxl.checking.recompute import recompute
from perfxl.reading.template import read_template
from perfxl.reading.xlsx import Workbook
from perfxl.scheme import load_scheme
from perfxl.template.layout import SHEET
from perfxl.template.writer import write_template

pytestmark = pytest.mark.libreoffice

EXAMPLES = Path(__file__).resolve().parent.parent / "templates" / "schemes" / "examples"


def _spent(executed: str, **rows):
    """Seed 003 (indicators 87 of 90) with a budget of 100, ``executed`` spent and rows changed."""
    sample = replace(LUSONG_2024, initial="100", budget="100", executed=executed)
    for index, changes in rows.items():
        sample = sample.with_row(int(index[1:]), **changes)
    return sample


CASES = {
    # name: (example scheme, what is typed, the sheet's expected total, grade, J10 reference score)
    "cap_at_80": ("execution_cap", _spent("80"), Decimal("95"), "优", None),
    "cap_below_80": ("execution_cap", _spent("79.99"), Decimal("89"), "良", None),
    "cap_below_70": ("execution_cap", _spent("69.99"), Decimal("79"), "中", None),
    "strict_at_90": ("grade_strict", _spent("30"), Decimal("90"), "良", None),
    "strict_above_90": ("grade_strict", _spent("30.1"), Decimal("90.01"), "优", None),
    # row 1: target ≥5场, weight 5; the typed self-score is 5 either way
    "deduct_at_130": ("overshoot_deduction", _spent("100", r1={"actual": "6.5"}), Decimal("97"), "优", Decimal(3)),
    "deduct_below_130": ("overshoot_deduction", _spent("100", r1={"actual": "6.49"}), Decimal("97"), "优", Decimal(5)),
    "truncate": ("grade_bands", _spent("100", r1={"actual": "4.999", "score": "4.99", "reason": "差一点"}),
                 Decimal("96.99"), "优", Decimal("4.99")),
    # 3 × 1.3 is 3.9000000000000004 in binary floating point: the sheet must still see 130%
    "deduct_float_edge": ("overshoot_deduction", _spent("100", r1={"target": "3", "actual": "3.9"}),
                          Decimal("97"), "优", Decimal(3)),
    "bands_89_995": ("grade_bands", _spent("100", r4={"score": "2.995", "reason": "部分未完成"}),
                     Decimal("89.995"), "良", None),
}


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    require_libreoffice()
    folder = tmp_path_factory.mktemp("scheme-options")
    jobs = []
    for name, (scheme_name, sample, *_) in CASES.items():
        scheme = load_scheme(EXAMPLES / f"{scheme_name}.toml")
        template = folder / f"{name}.template.xlsx"
        info = write_template(template, scheme, department=sample.department, year=sample.year)
        jobs.append({"input": str(template), "output": str(folder / f"{name}.xlsx"),
                     "ops": type_ops(SHEET, input_cells(sample, info.layout))})
    results = run_jobs(jobs)
    failed = {name: r["error"] for name, r in zip(CASES, results, strict=True) if not r["ok"]}
    assert not failed, failed
    return {name: Path(job["output"]) for name, job in zip(CASES, jobs, strict=True)}


@pytest.mark.parametrize("name", list(CASES))
def test_the_sheet_computes_what_perfxl_computes(filled, name):
    scheme_name, _, total, grade, reference = CASES[name]
    with Workbook(filled[name]) as book:
        read = read_template(book)
        assert read.scheme.name == scheme_name  # the template carries its own scheme
        result = recompute(read.table, read.scheme)
        mine = computed_values(read.table, read.layout, result, read.record.amount_inputs)
        sheet = book.sheet(read.layout.sheet)

        def cell(ref):
            found = sheet.get(ref)
            return None if found is None else (found.error or found.value)

        for ref in read.layout.formulas:
            sheet_name, at = read.layout.locate(ref)
            found = book.sheet(sheet_name).get(at)
            theirs = None if found is None else (found.error or found.value)
            if isinstance(mine[ref], Decimal):
                assert isinstance(theirs, Decimal) and abs(theirs - mine[ref]) < Decimal("1e-9"), (ref, theirs, mine[ref])
            else:
                assert (theirs or "") == mine[ref], (ref, theirs, mine[ref])
        assert (cell(read.layout.total_score), cell(read.layout.grade)) == (total, grade)
        assert (result.total, result.grade) == (total, grade)
        if reference is not None:
            assert cell("J10") == reference == result.references[1]
