"""Reports printed to PDF (tests/corpus_pdf, built by build_corpus_pdf.py from the Word-report corpus).

A PDF printed from a .docx must give the .docx's findings, each at its place in the PDF: a table
``表N`` at ``页P表M`` with the same ``R{row}C{col}``, a paragraph on the page it starts on, found by
its text (the PDF's paragraph numbers are the reader's own). expected.json holds them, computed by
the builder from tests/corpus_docx/expected.json and Writer's layout (nothing of perfxl). What a PDF
cannot give is named: no text layer, fonts without a Unicode map, a password, tables without ruling
lines.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from corpus_compare import FILE_FIELDS, diff, finding_key, norm, table_key
from lo import SYSTEM_PYTHON, require_libreoffice

from perfxl import codes
from perfxl.codes import render
from perfxl.reading.pdf import read_pdf_report
from perfxl.reconcile import reconcile_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus_pdf"
DATA = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
EXPECTED = DATA["files"]
PRINTED = sorted(name for name, entry in EXPECTED.items() if entry["layout"] == "pdf-report")


def path_of(name: str) -> Path:
    return ROOT / EXPECTED[name].get("file", f"tests/corpus_pdf/files/{name}")


@functools.cache
def result_of(name: str):
    return reconcile_file(path_of(name))


@functools.cache
def paragraphs_of(name: str) -> dict[str, str]:
    """The PDF's paragraphs as the reader numbers them, without white space: 'P3' → text."""
    report = read_pdf_report(path_of(name))
    return {f"P{p.number}": re.sub(r"\s+", "", p.text) for p in report.paragraphs}


def got_keys(name: str, findings) -> Counter:
    """What reconcile says, a paragraph named by its text rather than its number."""
    keys = Counter()
    for f in findings:
        cell = f.cell
        if cell and re.fullmatch(r"P\d+", cell) and (f.sheet or "").startswith("页") and "表" not in f.sheet:
            cell = paragraphs_of(name).get(cell, f"no paragraph {cell}")
        keys[finding_key(f.code, f.sheet, cell, f.expected, f.found)] += 1
    return keys


def want_keys(entry: dict) -> Counter:
    return Counter(finding_key(f["code"], f["sheet"], f.get("paragraph", f["cell"]), f["expected"], f["found"])
                   for f in entry["findings"])


def test_corpus_is_complete():
    """Every PDF is described, printed from the .docx whose expectations it carries (rebuild the
    corpus when the Word corpus changes)."""
    assert sorted(p.name for p in (CORPUS / "files").iterdir()) == sorted(
        name for name in EXPECTED if "file" not in EXPECTED[name])
    for name in PRINTED:
        source = ROOT / EXPECTED[name]["source"]
        assert hashlib.sha256(source.read_bytes()).hexdigest() == EXPECTED[name]["source_sha256"], name
    assert len(PRINTED) >= 15
    sheets = [f["sheet"] for name in PRINTED for f in EXPECTED[name]["findings"] if f["sheet"]]
    assert any(re.fullmatch(r"页\d+表\d+", s) for s in sheets) and any(re.fullmatch(r"页\d+", s) for s in sheets)
    continued = [t for name in PRINTED for t in EXPECTED[name]["tables"] if t["sheet"].endswith("表2")]
    assert continued  # a table starting under one continued from the page before


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_findings(name):
    """The .docx's findings, each where it stands in the PDF (a paragraph by its text)."""
    result = result_of(name)
    assert got_keys(name, result.findings) == want_keys(EXPECTED[name]), diff(
        got_keys(name, result.findings), want_keys(EXPECTED[name]))
    for want in EXPECTED[name]["findings"]:
        same = [f for f in result.findings if f.code == want["code"]]
        if "reason" in want:
            assert want["reason"] in [f.params.get("reason") for f in same]
        if "variant" in want:
            assert want["variant"] in [f.variant for f in same]


@pytest.mark.parametrize("name", PRINTED)
def test_tables(name):
    result = result_of(name)
    got = [table_key(lambda field, t=t: getattr(t, field)) for t in result.tables]
    want = [table_key(lambda field, t=t: t[field]) for t in EXPECTED[name]["tables"]]
    assert got == want


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_file_fields(name):
    expected, result = EXPECTED[name], result_of(name)
    assert (result.layout, result.format) == (expected["layout"], expected["format"])
    if expected["scheme"] is not None:
        assert result.scheme == expected["scheme"]
    tables = expected["tables"]
    first = next((t for t in tables if t["kind"] == "overall"), tables[0]) if tables else dict.fromkeys(FILE_FIELDS)
    for field in FILE_FIELDS:
        assert norm(getattr(result, field)) == norm(first[field]), field


def test_text_findings_quote_their_paragraph():
    """A finding about the text quotes the sentence of the paragraph it names."""
    quoted = 0
    for name in PRINTED:
        for f in result_of(name).findings:
            if f.code == codes.NARRATIVE_MISMATCH:
                quote = re.sub(r"\s+", "", f.params["quote"]).rstrip("…")
                assert quote and quote in paragraphs_of(name)[f.cell], (name, f.cell)
                quoted += 1
    assert quoted >= 8


def test_unreadable_pdfs_say_why():
    """A scan, fonts without a Unicode map, a password: UNREADABLE_FILE with the reason, zh and en."""
    scanned = next(f for f in result_of("21_scanned.pdf").findings if f.code == codes.UNREADABLE_FILE)
    assert "没有文字层" in render(scanned, "zh") and "no text layer" in render(scanned, "en")
    cid = next(f for f in result_of("22_cid_fonts.pdf").findings if f.code == codes.UNREADABLE_FILE)
    assert "Unicode" in render(cid, "zh") and "(cid:" in render(cid, "en")
    encrypted = next(f for f in result_of("23_encrypted.pdf").findings if f.code == codes.UNREADABLE_FILE)
    assert "加密" in render(encrypted, "zh") and "encrypted" in render(encrypted, "en")
    for name in ("21_scanned.pdf", "22_cid_fonts.pdf", "23_encrypted.pdf"):
        assert result_of(name).status == "unreadable"


def test_unruled_tables_leave_the_text_checked():
    result = result_of("20_unruled_tables.pdf")
    missing = next(f for f in result.findings if f.code == codes.SCORING_TABLE_MISSING)
    assert missing.severity == "warning" and "框线" in render(missing, "zh") and "ruling lines" in render(missing, "en")
    assert result.tables == [] and any(f.code == codes.NARRATIVE_MISMATCH for f in result.findings)


def test_a_scanned_page_among_printed_ones_is_named():
    result = result_of("24_scanned_page.pdf")
    skipped = next(f for f in result.findings if f.code == codes.SHEET_SKIPPED)
    assert "没有文字层" in render(skipped, "zh") and "without a text layer" in render(skipped, "en")


def test_inputs_are_not_modified():
    before = {name: hashlib.sha256(path_of(name).read_bytes()).hexdigest() for name in EXPECTED}
    for name in EXPECTED:
        reconcile_file(path_of(name))
    assert before == {name: hashlib.sha256(path_of(name).read_bytes()).hexdigest() for name in EXPECTED}


def test_printing_again_gives_the_same_findings(tmp_path):
    """This machine's LibreOffice prints a report again: the same findings, where the PDF puts them
    (the committed PDFs were printed by the builder's LibreOffice)."""
    require_libreoffice()
    source = ROOT / EXPECTED["14_ebian_table_total.pdf"]["source"]
    target = tmp_path / "again.pdf"
    jobs, results = tmp_path / "jobs.json", tmp_path / "results.json"
    jobs.write_text(json.dumps([{"input": str(source), "output": str(target), "footer": "page"}]), encoding="utf-8")
    subprocess.run([SYSTEM_PYTHON, str(CORPUS / "print_reports.py"), str(jobs), str(results)],
                   check=True, timeout=600, capture_output=True)
    layout = json.loads(results.read_text(encoding="utf-8"))[0]
    sheets = {f"表{n}": f"页{first}表{1 + sum(a <= first <= b for a, b in layout['tables'][:n - 1])}"
              for n, (first, _) in enumerate(layout["tables"], start=1)}
    result = reconcile_file(target)
    got = Counter((f.code, f.sheet, f.cell if f.cell and not f.cell.startswith("P") else None) for f in result.findings)
    docx = json.loads((ROOT / "tests" / "corpus_docx" / "expected.json").read_text(encoding="utf-8"))[source.name]
    pages = [page for _, page in layout["paragraphs"]]
    want = Counter((f["code"], sheets.get(f["sheet"]) or f"页{pages[int(f['cell'][1:]) - 1]}",
                    None if f["sheet"] == "正文" else f["cell"]) for f in docx["findings"])
    assert got == want


def test_a_round_with_a_pdf_report(tmp_path):
    """The example report printed to PDF beside its department's workbook: the same cross-document
    finding as the .docx, no annotated copy of the PDF, and the terminal says so once."""
    from click.testing import CliRunner

    from perfxl.cli import main

    inbox, copies, out = tmp_path / "收件", tmp_path / "退回", tmp_path / "r.json"
    inbox.mkdir()
    shutil.copy(ROOT / "examples" / "峨边县融媒体中心_2024_整体与三个项目.xlsx", inbox)
    shutil.copy(path_of("example"), inbox / "报告.pdf")
    shutil.copy(path_of("04_ebian_named_total.pdf"), inbox / "报告二.pdf")
    for lang, line in (("zh", "PDF 报告不生成批注副本"), ("en", "PDF reports get no annotated copy")):
        result = CliRunner().invoke(main, ["reconcile", str(inbox), "--annotate", str(copies), "--json", str(out),
                                           "--no-ledger", "--lang", lang])
        assert result.exit_code == 1, result.output
        assert result.output.count(line) == 1 and "报告.pdf" in result.output
        assert sorted(p.name for p in copies.iterdir() if p.suffix != ".json") == [
            "峨边县融媒体中心_2024_整体与三个项目.xlsx"]
    data = json.loads(out.read_text(encoding="utf-8"))
    report = next(f for f in data["files"] if f["path"].endswith("报告.pdf"))
    assert report["layout"] == "pdf-report" and report["documents"] == [{"kind": "report", "title": ""}]
    cross = [(f["sheet"], f["cell"], f["expected"], f["found"]) for f in report["findings"]
             if f["code"] == "CROSS_DOCUMENT_MISMATCH"]
    assert cross == [("页7表1", "R18C7", 100, 98)]
