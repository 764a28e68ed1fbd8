"""Fuzzing: mutated workbooks and PDF reports never crash reconcile, never hang it, and always get a status.

Bounded for CI; `FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py` (or `make fuzz`) runs longer.
An internal error is converted into UNREADABLE_FILE so that a batch goes on, but here it counts as
a failure: mutated files must be explained by a real reason, not by a bug.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from standard_forms import seed_003_workbook

from perfxl.files import sha256_of
from perfxl.outputs.annotate import AnnotateError, annotate
from perfxl.reconcile import reconcile_file

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SOURCES = sorted(EXAMPLES.glob("*.xlsx"))
#: Reports printed to PDF: the example and two of the PDF corpus (tables over page breaks; text only).
PDF_SOURCES = [*sorted(EXAMPLES.glob("*.pdf")), *(Path(__file__).resolve().parent / "corpus_pdf" / "files" / name
                                                  for name in ("01_lusong_annex3.pdf", "06_jinkouhe_share.pdf"))]
EXAMPLE_COUNT = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLE_COUNT, deadline=10_000, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
STATUSES = {"clean", "warnings", "errors", "unreadable"}


def assert_sound(path: Path) -> None:
    """Reconcile gives a status for a real reason; an annotated copy is made or refused, never crashes."""
    result = reconcile_file(path)
    assert result.status in STATUSES
    for finding in result.findings:
        detail = str(finding.params.get("detail", ""))
        assert "读取时出错" not in detail, detail  # an internal error, not a reason
    before = sha256_of(path)
    try:
        copy = annotate(result, path.parent / "annotated")
    except AnnotateError:
        copy = None  # refused with a reason the CLI reports
    assert sha256_of(path) == before
    if copy is not None:
        assert reconcile_file(copy).status in STATUSES


@FUZZ
@given(source=st.sampled_from(SOURCES), data=st.data())
def test_byte_mutations(tmp_path_factory, source, data):
    blob = bytearray(source.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        offset = data.draw(st.integers(0, len(blob) - 1))
        blob[offset] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        blob = blob[: data.draw(st.integers(0, len(blob)))]
    path = tmp_path_factory.mktemp("fuzz") / "mutated.xlsx"
    path.write_bytes(bytes(blob))
    assert_sound(path)


def _set(sheet, row: int, column: int, value) -> None:
    cell = sheet.cell(row=row, column=column)
    if not isinstance(cell, MergedCell):  # openpyxl refuses writes into a merge; so would Excel
        cell.value = value


CELL_VALUES = st.one_of(
    st.none(), st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12), st.integers(-1000, 1000), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["#REF!", "#DIV/0!", "#VALUE!", "#N/A", "=1/0", "=A1", "=SUM(", "97分", "９７", "≥5场", "无", "%"]),
)


@FUZZ
@given(source=st.sampled_from(SOURCES), data=st.data())
def test_edited_templates(tmp_path_factory, source, data):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "edited.xlsx"
    shutil.copy(source, path)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    for _ in range(data.draw(st.integers(1, 15))):
        row, column = data.draw(st.integers(1, 60)), data.draw(st.integers(1, 14))
        _set(sheet, row, column, data.draw(CELL_VALUES))
    if data.draw(st.booleans()) and sheet.merged_cells.ranges:
        sheet.unmerge_cells(str(sorted(sheet.merged_cells.ranges, key=str)[0]))
    if data.draw(st.booleans()):
        sheet.delete_rows(data.draw(st.integers(1, 50)), data.draw(st.integers(1, 5)))
    book.save(path)
    assert_sound(path)


@FUZZ
@given(data=st.data())
def test_edited_standard_forms(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    path = seed_003_workbook(folder / "form.xlsx", cover=data.draw(st.booleans()))
    book = load_workbook(path)
    sheet = book["附件3"]
    for _ in range(data.draw(st.integers(1, 15))):
        row, column = data.draw(st.integers(1, 30)), data.draw(st.integers(1, 12))
        _set(sheet, row, column, data.draw(CELL_VALUES))
    if data.draw(st.booleans()):
        sheet.delete_rows(data.draw(st.integers(1, 28)), data.draw(st.integers(1, 4)))
    book.save(path)
    assert_sound(path)


def test_a_zip_member_that_lies_about_its_size(tmp_path):
    source = SOURCES[0]
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
    blob = bytearray(path.read_bytes())
    # Patch the central directory's uncompressed size of the first entry to something small.
    index = blob.rfind(b"PK\x01\x02")
    while index > 0 and blob[index:index + 4] == b"PK\x01\x02":
        blob[index + 24:index + 28] = (10).to_bytes(4, "little")
        index = blob.rfind(b"PK\x01\x02", 0, index)
    path.write_bytes(bytes(blob))
    assert_sound(path)


def _mutated_pdf(blob: bytearray, draw_int) -> bytes:
    """Bytes changed anywhere, or in the uncompressed structure at either end (header, objects,
    cross-reference table and trailer), and maybe cut short."""
    for _ in range(draw_int(1, 8)):
        region = draw_int(0, 2)
        low, high = ((0, len(blob) - 1), (0, min(4096, len(blob) - 1)), (max(0, len(blob) - 4096), len(blob) - 1))[region]
        blob[draw_int(low, high)] = draw_int(0, 255)
    if draw_int(0, 3) == 0:
        blob = blob[: draw_int(0, len(blob))]
    return bytes(blob)


@FUZZ
@given(source=st.sampled_from(PDF_SOURCES), data=st.data())
def test_mutated_pdfs(tmp_path_factory, source, data):
    """A damaged PDF is read or refused with a reason (never an internal error); no copy is made of it."""
    blob = _mutated_pdf(bytearray(source.read_bytes()), lambda a, b: data.draw(st.integers(a, b)))
    path = tmp_path_factory.mktemp("fuzz") / "mutated.pdf"
    path.write_bytes(blob)
    assert_sound(path)


def test_mutated_pdfs_never_stop_a_supervised_batch(tmp_path):
    """Mutated PDFs among workbooks in a supervised batch: every file gets a result, the batch finishes."""
    import random

    from perfxl.reconcile import reconcile_paths

    rng = random.Random(20261204)
    made = []
    for index in range(24):
        source = PDF_SOURCES[index % len(PDF_SOURCES)]
        target = tmp_path / f"{index:02d}.pdf"
        target.write_bytes(_mutated_pdf(bytearray(source.read_bytes()), rng.randint))
        made.append(target)
    made.append(tmp_path / "99.xlsx")
    shutil.copy(SOURCES[0], made[-1])
    results = list(reconcile_paths(made, jobs=2, timeout=20))
    assert [Path(r.path).name for r in results] == [p.name for p in made]
    assert all(r.status in STATUSES for r in results)
    assert results[-1].status != "unreadable" and results[-1].layout
