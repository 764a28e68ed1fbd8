"""Broken and hostile files: each gets a clear UNREADABLE_FILE, the batch goes on, inputs untouched."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from perfxl.codes import render
from perfxl.reading.xlsx import Limits, UnreadableWorkbook, Workbook
from perfxl.reconcile import reconcile_file, reconcile_paths

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOOD = EXAMPLES / "峨边县融媒体中心_2024_峨边在线项目_classic.xlsx"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _replace_part(source: Path, part: str, data: bytes) -> bytes:
    with zipfile.ZipFile(source) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries[part] = data
    return _zip(entries)


BAD_FILES = {
    "empty.xlsx": (b"", "为空"),
    "text.xlsx": ("这不是表格".encode(), "zip"),
    "truncated.xlsx": (GOOD.read_bytes()[:4000], "损坏或不完整"),
    "legacy.xlsx": (OLE + b"\0" * 2048, ".xls"),
    "encrypted.xlsx": (OLE + b"\0" * 100 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 100, "加密"),
    "word.xlsx": (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}), "Word"),
    "plainzip.xlsx": (_zip({"readme.txt": b"hello"}), "Content_Types"),
    "bomb.xlsx": (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                        "xl/worksheets/sheet1.xml": b" " * (30 * 1024 * 1024)}), "压缩"),
    "entities.xlsx": (_replace_part(GOOD, "xl/sharedStrings.xml",
                                    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                                    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><sst>&lol2;</sst>'), "DTD"),
    "external.xlsx": (_replace_part(GOOD, "xl/workbook.xml",
                                    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                    b"<workbook>&e;</workbook>"), "DTD"),
    "badxml.xlsx": (_replace_part(GOOD, "xl/workbook.xml", b"<workbook><sheets>"), "XML"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_are_unreadable_with_a_reason(tmp_path, name):
    data, reason = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    result = reconcile_file(path)
    assert result.status == "unreadable"
    assert result.codes() == ["UNREADABLE_FILE"]
    assert reason in result.findings[0].params["detail"], result.findings[0].params["detail"]
    english = render(result.findings[0], "en")
    assert english.startswith("the file cannot be read: ") and not re.search(r"[\u4e00-\u9fff]", english), english


def test_every_reason_has_chinese_and_english_words():
    """Each reason code the readers, the runner and reconcile can give is worded in both languages."""
    from perfxl.codes import REASONS
    from perfxl.reconcile import REFUSED_SUFFIXES

    source = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "perfxl").rglob("*.py"))
    used = set(re.findall(r'UnreadableWorkbook\(\s*"([a-z_]+)"', source))
    used |= set(re.findall(r'unreadable_result\([^,]+, "([a-z_]+)"', source))
    used |= set(re.findall(r'(?:failure = \(|return |on_failure\(item, )"([a-z_]+)", ', source))
    used |= set(REFUSED_SUFFIXES.values())
    assert {"timeout", "crash", "memory", "not_xlsx", "xml_dtd", "macros", "io", "error"} <= used, used
    assert used <= set(REASONS), used - set(REASONS)
    assert all(zh and en and re.search(r"[\u4e00-\u9fff]", zh) and re.search("[a-z]{3}", en)
               for zh, en in REASONS.values())


def test_zip_limits_are_configurable(tmp_path):
    with pytest.raises(UnreadableWorkbook, match="条目过多"):
        Workbook(GOOD, Limits(max_entries=3))
    with pytest.raises(UnreadableWorkbook, match="解压后"):
        Workbook(GOOD, Limits(max_uncompressed_bytes=1000))


def test_batch_goes_on_and_inputs_are_never_modified(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (data, _) in BAD_FILES.items():
        (folder / name).write_bytes(data)
    for example in EXAMPLES.glob("*.xlsx"):
        shutil.copy(example, folder / example.name)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    results = list(reconcile_paths([folder]))
    assert len(results) == len(before)
    assert sum(r.status == "unreadable" for r in results) == len(BAD_FILES)
    assert {Path(r.path).name: r.sha256 for r in results} == before
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert after == before
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps
    assert sorted(p.name for p in folder.iterdir()) == sorted(before)  # no lock or temp files left


@pytest.mark.parametrize("jobs", [1, 2])
def test_hanging_crashing_and_greedy_files_do_not_stop_the_batch(tmp_path, jobs):
    """A task that misbehaves on some files stands in for files that make the reader misbehave.

    Each worker has a file queued behind the one it works on: the queued file must not be blamed
    when its worker hangs or dies, and must still be reconciled.
    """
    import os
    import time

    from perfxl.collection.runner import run_supervised
    from perfxl.reconcile import reconcile_file, unreadable_result

    def misbehaving(path):
        name = Path(path).name
        if name == "hang.xlsx":
            time.sleep(3600)
        if name == "crash.xlsx":
            os._exit(3)
        if name == "hog.xlsx":
            hog = bytearray(4 * 1024 * 1024 * 1024)  # beyond the worker's memory cap
            return hog
        return reconcile_file(path)

    files = []
    for name in ("a.xlsx", "hang.xlsx", "b.xlsx", "crash.xlsx", "hog.xlsx", "c.xlsx"):
        target = tmp_path / name
        shutil.copy(GOOD, target)
        files.append(target)
    started = time.monotonic()
    results = list(run_supervised(misbehaving, files, unreadable_result, jobs=jobs, timeout=2, memory_mb=1024))
    assert time.monotonic() - started < 30
    assert [Path(r.path).name for r in results] == [f.name for f in files]
    statuses = {Path(r.path).name: r.status for r in results}
    assert statuses == {"a.xlsx": "clean", "hang.xlsx": "unreadable", "b.xlsx": "clean",
                        "crash.xlsx": "unreadable", "hog.xlsx": "unreadable", "c.xlsx": "clean"}
    details = {Path(r.path).name: render(r.findings[0]) for r in results if r.status == "unreadable"}
    assert "超时" in details["hang.xlsx"]
    assert "异常" in details["crash.xlsx"]
    assert "内存" in details["hog.xlsx"]
    english = {Path(r.path).name: render(r.findings[0], "en") for r in results if r.status == "unreadable"}
    assert "time limit" in english["hang.xlsx"] and "stopped abnormally" in english["crash.xlsx"]
    assert "memory" in english["hog.xlsx"]


def test_a_workbook_without_a_table_says_where_it_looked(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "封面"
    book.active["A1"] = "2024年度部门整体支出绩效自评报告"
    book.create_sheet("说明")["A1"] = "请按要求填写"
    path = tmp_path / "封面.xlsx"
    book.save(path)
    finding = reconcile_file(path).findings[0]
    assert finding.code == "UNKNOWN_LAYOUT"
    assert "封面、说明" in render(finding) and "(封面, 说明)" in render(finding, "en")


def test_a_merged_range_over_the_whole_sheet_costs_nothing(tmp_path):
    """A hostile <mergeCell ref="A1:XFD1048576"/> must not expand into 17 billion cells."""
    import time

    with zipfile.ZipFile(GOOD) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b"<mergeCell " in sheet
    hostile = sheet.replace(b"<mergeCell ", b'<mergeCell ref="A1:XFD1048576"/><mergeCell ', 1)
    path = tmp_path / "merged.xlsx"
    path.write_bytes(_replace_part(GOOD, "xl/worksheets/sheet1.xml", hostile))
    with Workbook(path) as book:
        assert "A1:XFD1048576" in book.sheet(book.sheet_names[0]).merged
    started = time.monotonic()
    result = reconcile_file(path)
    assert time.monotonic() - started < 20
    assert result.status in ("clean", "warnings", "errors")
