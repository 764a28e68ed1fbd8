"""The values reader for .xls, .et and .ods: same values as the .xlsx they came from, safe on bad input.

The fixtures in tests/formats were saved by LibreOffice from the .xlsx beside them, copies of a
perfxl example and of corpus forms (tests/formats/build_formats.py: LibreOffice is not needed to
run these tests).
"""

from __future__ import annotations

import datetime
import io
import os
import random
import re
import struct
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfxl.reading.calamine import (
    ValuesWorkbook,
    _Compound,
    _records,
    file_format,
    open_workbook,
    sniff_format,
)
from perfxl.reading.xlsx import Limits, UnreadableWorkbook, Workbook, split_ref

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "tests" / "formats"
CONVERTED = sorted([*FORMATS.glob("*.xls"), *FORMATS.glob("*.ods")])
XLS = FORMATS / "01_lusong_2024_published.xls"
ODS = FORMATS / "01_lusong_2024_published.ods"
TEMPLATE_XLS = FORMATS / "芦淞区委宣传部_2024_自评表.xls"
ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d( \d\d:\d\d:\d\d)?$|^\d\d:\d\d:\d\d$")


def source_of(converted: Path) -> Path:
    """The .xlsx a fixture was converted from (copied beside it by build_formats.py)."""
    return converted.with_suffix(".xlsx")


def test_fixtures_are_there():
    assert len(CONVERTED) >= 10
    assert {path.suffix for path in CONVERTED} == {".xls", ".ods"}


# --- same values as the source ------------------------------------------------------------------

def _serial_as_iso(serial: Decimal, shown: str) -> str:
    """A spreadsheet date serial (1900 system) in the ISO form the values reader gives."""
    moment = datetime.datetime(1899, 12, 30) + datetime.timedelta(days=float(serial))
    moment = (moment + datetime.timedelta(microseconds=500_000)).replace(microsecond=0)
    if ":" not in shown:
        return moment.date().isoformat()
    if "-" not in shown:
        return moment.time().isoformat()
    return moment.isoformat(sep=" ")


def _lo_cached_zero(path: Path, sheet_index: int, ref: str) -> bool:
    """LibreOffice's .xls export writes the number 0 as the cached result of some shared formulas
    whose result is text: the fixture then truly holds 0 there (a fact of the file, not the reader)."""
    row, column = split_ref(ref)
    stream = _Compound(path.read_bytes()).workbook_stream()
    for kind, at, _ in _records(stream, _sheet_offsets(stream)[sheet_index]):
        if kind == 0x000A:
            break
        if kind == 0x0006 and struct.unpack_from("<HH", stream, at) == (row - 1, column - 1):
            shared = struct.unpack_from("<H", stream, at + 14)[0] & 0x0008
            return bool(shared) and stream[at + 6:at + 14] == bytes(8)
    return False


def _sheet_offsets(stream: bytes) -> list[int]:
    return [struct.unpack_from("<I", stream, at)[0] for kind, at, _ in _records(stream, 0) if kind == 0x0085]


@pytest.mark.parametrize("converted", CONVERTED, ids=lambda p: p.name)
def test_values_equal_the_source(converted):
    with Workbook(source_of(converted)) as source, ValuesWorkbook(converted) as book:
        assert book.format == converted.suffix[1:]
        assert book.has_formulas is False and book.custom_properties == {}
        assert book.sheet_names == source.sheet_names
        compared = 0
        for index, name in enumerate(source.sheet_names):
            original, read = source.sheet(name), book.sheet(name)
            for ref, cell in original.cells.items():
                got = read.get(ref)
                if cell.is_blank and not cell.error:
                    # Nothing shown in the source: nothing shown here either (bar LibreOffice's 0).
                    if got is not None and not (got.is_blank and not got.error):
                        assert converted.suffix == ".xls" and cell.formula, (name, ref, got)
                        assert got.shown == 0 and _lo_cached_zero(converted, index, ref), (name, ref)
                    continue
                assert got is not None, (name, ref, cell)
                assert got.formula is None
                expected = cell.shown
                if isinstance(expected, Decimal) and isinstance(got.shown, str) and ISO_DATE.match(got.shown):
                    expected = _serial_as_iso(expected, got.shown)  # a date-formatted number
                assert got.shown == expected, (name, ref, cell, got)
                assert type(got.shown) is type(expected), (name, ref)
                if isinstance(expected, Decimal):
                    assert str(got.shown) == str(expected), (name, ref)  # '100', not '100.0'
                compared += 1
            for ref, got in read.cells.items():  # and nothing more than the source shows
                cell = original.get(ref)
                if cell is None:
                    assert got.is_blank and not got.error, (name, ref, got)
        assert compared > 20


@pytest.mark.parametrize("converted", CONVERTED, ids=lambda p: p.name)
def test_merged_ranges_states_and_protection(converted):
    with Workbook(source_of(converted)) as source, ValuesWorkbook(converted) as book:
        for name in source.sheet_names:
            original, read = source.sheet(name), book.sheet(name)
            assert sorted(read.merged) == sorted(original.merged), name
            # LibreOffice knows no 'veryHidden': it saves such a sheet as hidden.
            assert read.state == original.state.replace("veryHidden", "hidden"), name
            assert read.protected is original.protected, name


def test_template_sheets_keep_their_protection():
    with ValuesWorkbook(TEMPLATE_XLS) as book:
        assert book.sheet("自评表").protected is True
        assert book.structure_protection in ("locked", "unlocked")


def test_special_values():
    """Dates as ISO text, errors as errors, percentages as fractions, Excel's 15 digits."""
    for suffix in (".xls", ".ods"):
        with ValuesWorkbook(FORMATS / f"values{suffix}") as book:
            sheet = book.sheet("值")
            shown = {ref: cell.shown for ref, cell in sheet.cells.items()}
            assert shown["B3"] == Decimal("0.3")  # =0.1+0.2
            assert shown["B4"] == Decimal("0.333333333333333")
            assert shown["B8"] == Decimal("0.95")  # 95.00%
            assert shown["B9"] == "2024-12-31"
            assert (shown["B10"], shown["B11"]) == ("2024-06-30 14:30:00", "09:15:00")
            assert (shown["B12"], shown["B13"], shown["B14"]) == (True, False, True)
            assert [sheet.get(f"B{row}").error for row in range(15, 20)] == [
                "#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?"]
            assert sheet.get("B15").value is None and sheet.get("B15").formula is None
            assert shown["B20"] == "  产出指标  " and shown["B21"] == "产出指标\n(40分)" and shown["B22"] == "a   b"
            assert shown["B26"] == "优" and "B27" not in shown
            assert shown["B29"] == Decimal("0.123456789012346")
            assert "C1:D3" in sheet.merged and "E5:E9" in sheet.merged
            offset = book.sheet("偏移")
            assert offset.value("C5") == "一级指标" and offset.value("D6") == Decimal(40)
            assert offset.value("F9") == Decimal(20) and offset.merged == ["C7:D8"]
            assert "A1" not in offset.cells
            assert book.sheet("隐藏").state == "hidden"
            assert book.sheet("空表").cells == {}


# --- what a file is ------------------------------------------------------------------------------

def _doc_like(tmp_path: Path) -> Path:
    """An OLE2 file whose one stream is called 'WordDocument' (as in a Word 97-2003 .doc)."""
    data = bytearray(XLS.read_bytes())
    compound = _Compound(bytes(data))
    index = next(i for i, entry in enumerate(compound.entries) if entry.name == "Workbook")
    name = "WordDocument".encode("utf-16-le") + b"\0\0"
    directory = struct.unpack_from("<I", data, 48)[0]
    _poke(data, compound, directory, index * 128, name.ljust(64, b"\0") + struct.pack("<H", len(name)))
    path = tmp_path / "report.xls"
    path.write_bytes(bytes(data))
    return path


def test_sniff_converted_fixtures():
    for path in CONVERTED:
        kind = path.suffix[1:]
        assert sniff_format(path) == kind and file_format(path) == (kind, kind), path.name
    assert file_format(FORMATS / "values.xlsx") == ("xlsx", "xlsx")
    assert file_format(FORMATS / "wps_xls.et") == ("et", "xls")
    assert file_format(FORMATS / "wps_xlsx.et") == ("et", "xlsx")


def test_sniff_odd_files(tmp_path):
    cases = {
        "notes.xls": ("这不是表格".encode(), ("xls", "unknown")),
        "empty.ods": (b"", ("ods", "unknown")),
        "cut.xls": (XLS.read_bytes()[:3000], ("xls", "xls")),  # damaged: still an .xls, reading says so
        "cut.ods": (ODS.read_bytes()[:3000], ("ods", "ods")),
        "header.et": (XLS.read_bytes()[:512], ("et", "xls")),
        "book.ods": (XLS.read_bytes(), ("ods", "xls")),  # the content decides how it is read
        "word.xls": (DOCX, ("xls", "unknown")),
        "data.bin": (ODS.read_bytes(), ("ods", "ods")),
    }
    for name, (data, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert file_format(path) == expected, name
    assert file_format(_doc_like(tmp_path)) == ("xls", "unknown")
    assert sniff_format(tmp_path / "missing.xls") == "unknown"


def test_open_workbook_picks_the_reader():
    with open_workbook(FORMATS / "wps_xlsx.et") as book:
        assert isinstance(book, Workbook)
    with open_workbook(FORMATS / "wps_xls.et") as book:
        assert isinstance(book, ValuesWorkbook) and book.format == "xls"
        assert book.sheet_names == Workbook(source_of(XLS)).sheet_names
    with pytest.raises(ValueError):
        ValuesWorkbook(FORMATS / "wps_xlsx.et")


# --- hostile and broken files ---------------------------------------------------------------------

ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})


def _ods_parts(changes: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(ODS) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    return _zip({**entries, **changes})


MANIFEST = (b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:'
            b'tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
            b'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            b"</manifest:manifest>")


def _ods(table: str, table_namespace: str = "urn:oasis:names:tc:opendocument:xmlns:table:1.0") -> bytes:
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               f'xmlns:table="{table_namespace}" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
               f'office:version="1.2"><office:body><office:spreadsheet>{table}'
               "</office:spreadsheet></office:body></office:document-content>")
    return _zip({"mimetype": ODS_MIME, "content.xml": content.encode(), "META-INF/manifest.xml": MANIFEST})


def _chain(compound: _Compound, start: int) -> list[int]:
    chain = []
    while start != 0xFFFFFFFE:
        chain.append(start)
        start = compound.fat[start]
    return chain


def _poke(data: bytearray, compound: _Compound, start: int, offset: int, new: bytes) -> None:
    """Overwrite bytes of the stream whose chain starts at sector ``start``, in place."""
    chain, size = _chain(compound, start), compound.sector_size
    for index, byte in enumerate(new):
        position = offset + index
        data[(chain[position // size] + 1) * size + position % size] = byte


def _edit_xls(edit) -> bytes:
    """The .xls fixture with ``edit(stream, poke)`` applied to its Workbook stream in place."""
    data = bytearray(XLS.read_bytes())
    compound = _Compound(bytes(data))
    entry = next(entry for entry in compound.entries if entry.name == "Workbook")
    assert entry.size >= 4096  # in normal sectors, which _poke follows
    stream = compound.workbook_stream()

    def poke(offset: int, new: bytes) -> None:
        _poke(data, compound, entry.start, offset, new)

    edit(stream, poke)
    return bytes(data)


def _first(stream: bytes, kinds: set[int], sheet: bool = True) -> tuple[int, int]:
    """(offset of the data, size) of the first record of one of ``kinds`` in the globals or sheet 1."""
    start = 0
    if sheet:
        start = _sheet_offsets(stream)[0]
    return next((at, size) for kind, at, size in _records(stream, start) if kind in kinds)


def _dimensions_bomb(stream, poke):
    at, size = _first(stream, {0x0200})
    assert size == 14
    poke(at, struct.pack("<IIHH", 0, 0xFFFFFFF0, 0, 0xFFFF))


def _reversed_dimensions(stream, poke):
    at, _ = _first(stream, {0x0200})
    poke(at, struct.pack("<II", 500, 3))


def _sst_bomb(stream, poke):
    at, _ = _first(stream, {0x00FC}, sheet=False)
    poke(at + 4, struct.pack("<i", 0x7FFFFFFF))


def _far_cell(stream, poke):
    at, _ = _first(stream, {0x0203, 0x027E, 0x00FD})
    poke(at, struct.pack("<HH", 65535, 255))


def _merge_count(stream, poke):
    at, _ = _first(stream, {0x00E5})
    poke(at, struct.pack("<H", 0xFFFF))


def _file_pass(stream, poke):
    at, size = _first(stream, {0x003D}, sheet=False)  # Window1 becomes FilePass (RC4)
    assert size >= 6
    poke(at - 4, struct.pack("<HH", 0x002F, size) + struct.pack("<H", 1))


def _sheet_offset(stream, poke):
    at, _ = _first(stream, {0x0085}, sheet=False)
    poke(at, struct.pack("<I", 0x7FFFFFF0))


def _cycle() -> bytes:
    data = bytearray(XLS.read_bytes())
    compound = _Compound(bytes(data))
    entry = next(entry for entry in compound.entries if entry.name == "Workbook")
    second = _chain(compound, entry.start)[1]
    per_sector = compound.sector_size // 4
    fat_sector = struct.unpack_from("<109I", data, 76)[second // per_sector]
    where = (fat_sector + 1) * compound.sector_size + (second % per_sector) * 4
    struct.pack_into("<I", data, where, entry.start)  # the stream's second sector leads back to its first
    return bytes(data)


def _huge_stream() -> bytes:
    data = bytearray(XLS.read_bytes())
    compound = _Compound(bytes(data))
    index = next(i for i, entry in enumerate(compound.entries) if entry.name == "Workbook")
    directory = struct.unpack_from("<I", data, 48)[0]
    _poke(data, compound, directory, index * 128 + 120, struct.pack("<I", 0xFFFFFFF0))
    return bytes(data)


def _random_ole() -> bytes:
    generator = random.Random(20240101)
    return XLS.read_bytes()[:8] + bytes(generator.randrange(256) for _ in range(20_000))


REPEATED = ('<table:table table:name="S"><table:table-row table:number-rows-repeated="100000">'
            '<table:table-cell table:number-columns-repeated="1000" office:value-type="float" '
            'office:value="1"/></table:table-row></table:table>')
WIDE = ('<table:table table:name="S"><table:table-row table:number-rows-repeated="3000">'
        '<table:table-cell office:value-type="float" office:value="1"/><table:table-cell '
        'table:number-columns-repeated="1000"/><table:table-cell office:value-type="float" office:value="1"/>'
        "</table:table-row></table:table>")
DTD = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
       b"<office:document-content>&lol2;</office:document-content>")
ENCRYPTED_MANIFEST = MANIFEST.replace(
    b'media-type="text/xml"/>', b'media-type="text/xml"><manifest:encryption-data/></manifest:file-entry>')

def _evil_prefix() -> bytes:
    """calamine goes by the literal 'table:' prefix, whatever it is bound to: so must the checks."""
    return _ods(REPEATED, table_namespace="urn:example:not-odf")


HOSTILE = {  # name: (bytes, reason)
    "empty.xls": (lambda: b"", "empty"),
    "text.xls": (lambda: "这不是表格，是改了扩展名的文本".encode(), "unknown_format"),
    "header_only.xls": (lambda: XLS.read_bytes()[:512], "truncated"),
    "half.xls": (lambda: XLS.read_bytes()[: len(XLS.read_bytes()) // 2], "truncated"),
    "random_ole.xls": (_random_ole, "truncated"),
    "fat_cycle.xls": (_cycle, "truncated"),
    "huge_stream.xls": (_huge_stream, "truncated"),
    "dimensions.xls": (lambda: _edit_xls(_dimensions_bomb), "truncated"),
    "reversed_dimensions.xls": (lambda: _edit_xls(_reversed_dimensions), "truncated"),
    "sst.xls": (lambda: _edit_xls(_sst_bomb), "truncated"),
    "merges.xls": (lambda: _edit_xls(_merge_count), "truncated"),
    "sheet_offset.xls": (lambda: _edit_xls(_sheet_offset), "truncated"),
    "far_cell.xls": (lambda: _edit_xls(_far_cell), "too_large"),
    "encrypted.xls": (lambda: _edit_xls(_file_pass), "encrypted"),
    "half.ods": (lambda: ODS.read_bytes()[: len(ODS.read_bytes()) // 2], "truncated"),
    "dtd.ods": (lambda: _ods_parts({"content.xml": DTD}), "xml_dtd"),
    "styles_dtd.ods": (lambda: _ods_parts({"styles.xml": DTD}), "xml_dtd"),
    "bomb.ods": (lambda: _ods_parts({"content.xml": b" " * (5 * 1024 * 1024)}), "zip_bomb"),
    "repeated.ods": (lambda: _ods(REPEATED), "too_large"),
    "wide.ods": (lambda: _ods(WIDE), "too_large"),
    "bad_repeat.ods": (lambda: _ods(REPEATED.replace("100000", "many")), "corrupt"),
    "evil_prefix.ods": (_evil_prefix, "corrupt"),
    "nested_table.ods": (lambda: _ods(REPEATED.replace('office:value="1"/>', 'office:value="1"><table:table '
                                                       'table:name="in"/></table:table-cell>')), "corrupt"),
    "bad_xml.ods": (lambda: _ods_parts({"content.xml": b"<office:document-content><table:table>"}),
                    "corrupt"),
    "no_content.ods": (lambda: _zip({"mimetype": ODS_MIME, "META-INF/manifest.xml": MANIFEST}), "corrupt"),
    "encrypted.ods": (lambda: _ods_parts({"META-INF/manifest.xml": ENCRYPTED_MANIFEST}), "encrypted"),
    "word.xls": (lambda: DOCX, "not_xlsx"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_refused_with_a_reason(tmp_path, name):
    make, reason = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(UnreadableWorkbook) as caught:
        with open_workbook(path) as book:
            for sheet in book.sheet_names:
                book.sheet(sheet)
    assert caught.value.reason == reason, str(caught.value)
    assert re.search(r"[\u4e00-\u9fff]", str(caught.value))  # a message in Chinese


def test_word_document_is_named(tmp_path):
    with pytest.raises(UnreadableWorkbook) as caught:
        ValuesWorkbook(_doc_like(tmp_path))
    assert caught.value.reason == "doc" and "Word" in str(caught.value)


def test_limits_apply(tmp_path):
    with pytest.raises(UnreadableWorkbook) as caught:
        with ValuesWorkbook(TEMPLATE_XLS, Limits(max_sheet_cells=100)) as book:
            book.sheet("自评表")
    assert caught.value.reason == "too_large"
    with pytest.raises(UnreadableWorkbook) as caught:
        ValuesWorkbook(ODS, Limits(max_sheet_cells=50))
    assert caught.value.reason == "too_large"
    with pytest.raises(UnreadableWorkbook) as caught:
        ValuesWorkbook(XLS, Limits(max_file_bytes=1000))
    assert caught.value.reason == "too_large"
    with pytest.raises(UnreadableWorkbook) as caught:
        ValuesWorkbook(ODS, Limits(max_entries=3))
    assert caught.value.reason == "zip_limits"


def test_ods_repeats_spans_and_errors_land_where_calamine_puts_values(tmp_path):
    """Rows and cells written once with a repeat count (other writers than LibreOffice do so)."""
    path = tmp_path / "repeats.ods"
    path.write_bytes(_ods(
        '<table:table table:name="S">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell>'
        '<table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" '
        'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell></table:table-row>'
        '<table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="2" '
        'office:value-type="float" office:value="1.5"><text:p>1.5</text:p></table:table-cell>'
        "</table:table-row>"
        '<table:table-row><table:table-cell table:number-columns-repeated="3"/><table:table-cell '
        'office:value-type="string" table:number-columns-spanned="2" table:number-rows-spanned="2">'
        "<text:p>m</text:p>"
        '</table:table-cell><table:covered-table-cell/><table:table-cell office:value-type="percentage" '
        'office:value="0.95"><text:p>95%</text:p></table:table-cell></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="3"/><table:covered-table-cell '
        'table:number-columns-repeated="2"/><table:table-cell office:value-type="date" '
        'office:date-value="2024-12-31">'
        "<text:p>x</text:p></table:table-cell></table:table-row></table:table>"
        '<table:table table:name="T" table:protected="true"><table:table-row><table:table-cell '
        'office:value-type="boolean" office:boolean-value="true"/></table:table-row></table:table>'))
    with ValuesWorkbook(path) as book:
        sheet = book.sheet("S")
        assert {ref: cell.shown for ref, cell in sheet.cells.items()} == {
            "A1": "a", "B1": "#DIV/0!", "D5": "m", "F5": Decimal("0.95"), "F6": "2024-12-31",
            **{f"{column}{row}": Decimal("1.5") for column in "AB" for row in (2, 3, 4)}}
        assert sheet.merged == ["D5:E6"] and sheet.protected is False
        assert book.sheet("T").protected is True and book.sheet("T").value("A1") is True


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _compound_file(stream: bytes) -> bytes:
    """A minimal OLE2 file (512-byte sectors) holding one 'Workbook' stream of at least 4 KB."""
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\0")
    count = len(stream) // 512
    fat = [*range(1, count), 0xFFFFFFFE, 0xFFFFFFFE, 0xFFFFFFFD]  # the stream, the directory, the FAT
    assert len(fat) <= 128
    fat += [0xFFFFFFFF] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        links = struct.pack("<HBB3I", len(encoded), kind, 1, 0xFFFFFFFF, 0xFFFFFFFF, child)
        where = struct.pack("<3I", start, size, 0)
        return (encoded.ljust(64, b"\0") + links + bytes(36) + where).ljust(128, b"\0")

    directory = (entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry("Workbook", 2, 0xFFFFFFFF, 0, len(stream)))
    header = (XLS.read_bytes()[:8] + bytes(16) + struct.pack("<5H", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<9I", 0, 1, count, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<109I", count + 1, *[0xFFFFFFFF] * 108))
    return header + stream + directory.ljust(512, b"\0") + struct.pack("<128I", *fat)


def _biff(tokens: bytes, formulas: int) -> bytes:
    """A Workbook stream: one sheet, column A holding ``formulas`` formulas of the given tokens (cached 1)."""
    bof = _record(0x0809, struct.pack("<4H2I", 0x0600, 0x0005, 0, 0, 0, 0))
    sheet = _record(0x0085, struct.pack("<I2B", 0, 0, 0) + b"\x01\x00S")
    globals_ = bof + sheet + _record(0x000A, b"")
    head = struct.pack("<HIH", 0, 0, len(tokens))  # flags, reserved, size of the tokens
    cells = b"".join(_record(0x0006, struct.pack("<3Hd", row, 0, 0, 1) + head + tokens)
                     for row in range(formulas))
    body = _record(0x0809, struct.pack("<4H2I", 0x0600, 0x0010, 0, 0, 0, 0)) + cells + _record(0x000A, b"")
    stream = bytearray(globals_ + body)
    struct.pack_into("<I", stream, len(bof) + 4, len(globals_))  # where the sheet starts
    return bytes(stream)


def test_formula_text_is_never_built(tmp_path):
    """calamine rebuilds each formula's text, quadratically in crafted tokens (PtgAttrSpace inserts
    255 blanks each): three 16 KB formulas cost it half a minute. Only values are read: it is spared that."""
    path = tmp_path / "blanks.xls"
    tokens = b"\x1e\x01\x00" + b"\x19\x40\x00\xff" * 4000  # 1, then 4000 × 255 blanks
    path.write_bytes(_compound_file(_biff(tokens, 3)))
    started = time.perf_counter()
    with ValuesWorkbook(path) as book:
        assert {ref: cell.shown for ref, cell in book.sheet("S").cells.items()} == {
            f"A{row}": Decimal(1) for row in range(1, 4)}
    assert time.perf_counter() - started < 5


# --- fuzzing ----------------------------------------------------------------------------------

SOURCES = [*CONVERTED, FORMATS / "wps_xls.et", FORMATS / "wps_xlsx.et"]
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")), deadline=10_000, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(source=st.sampled_from(SOURCES), data=st.data())
def test_mutated_files_are_read_or_refused(tmp_path_factory, source, data):
    blob = bytearray(source.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        blob = blob[: data.draw(st.integers(0, len(blob)))]
    path = tmp_path_factory.mktemp("fuzz") / f"mutated{source.suffix}"
    path.write_bytes(bytes(blob))
    try:
        with open_workbook(path) as book:
            for name in book.sheet_names:
                sheet = book.sheet(name)
                for cell in sheet.cells.values():
                    assert cell.shown is None or isinstance(cell.shown, Decimal | str | bool)
    except UnreadableWorkbook as exc:
        assert exc.reason and str(exc)


@pytest.mark.parametrize("stem", ["01_lusong_2024_published", "02_lusong_2024_cover_lo", "15_yueyang_2020_grade",
                                  "22_yueyang_2020_word_export", "芦淞区委宣传部_2024_自评表"])
def test_reconcile_gives_the_same_findings_in_every_format(stem):
    """Saved as .xls or .ods, a workbook reconciles exactly as its .xlsx; a template keeps its record."""
    from perfxl.reconcile import reconcile_file

    folder = Path(__file__).resolve().parent / "formats"
    source = reconcile_file(folder / f"{stem}.xlsx")
    for suffix in (".xls", ".ods"):
        saved = reconcile_file(folder / f"{stem}{suffix}")
        assert saved.format == suffix[1:] and saved.notes == ["values_only"]
        assert (saved.layout, saved.scheme, saved.department) == (source.layout, source.scheme, source.department)
        assert [(f.code, f.sheet, f.cell, f.expected, f.found) for f in saved.findings] == [
            (f.code, f.sheet, f.cell, f.expected, f.found) for f in source.findings]
        assert [(t.kind, t.declared_total, t.computed_total) for t in saved.tables] == [
            (t.kind, t.declared_total, t.computed_total) for t in source.tables]


def test_hostile_xls_and_ods_never_stop_a_batch(tmp_path):
    """Mutated .xls/.ods/.et files in a supervised batch: every file gets a result, the batch finishes."""
    import random

    from perfxl.reconcile import reconcile_paths

    folder = Path(__file__).resolve().parent / "formats"
    rng = random.Random(20241125)
    sources = sorted(folder.glob("*.xls")) + sorted(folder.glob("*.ods")) + sorted(folder.glob("*.et"))
    made = []
    for index in range(36):
        source = sources[index % len(sources)]
        data = bytearray(source.read_bytes())
        for _ in range(rng.randint(1, 40)):
            position = rng.randrange(len(data))
            data[position] = rng.randrange(256)
        if index % 5 == 0:
            data = data[: rng.randrange(64, len(data))]
        target = tmp_path / f"{index:02d}{source.suffix}"
        target.write_bytes(bytes(data))
        made.append(target)
    results = list(reconcile_paths(made, jobs=2, timeout=20))
    assert [Path(r.path).name for r in results] == [p.name for p in made]
    assert all(r.status in ("clean", "warnings", "errors", "unreadable") for r in results)
