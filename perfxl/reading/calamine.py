"""Read .xls, .et and .ods workbooks as the values a spreadsheet shows, through python-calamine.

Excel 97-2003 (.xls), WPS (.et: an .xls or an .xlsx inside) and LibreOffice (.ods) files come out
as the same :class:`~perfxl.reading.xlsx.Sheet` and :class:`~perfxl.reading.xlsx.Cell` objects as
an .xlsx, so the form reader cannot tell the difference. Only values are read: no formulas
(``has_formulas`` is False), no custom properties. Numbers go through
:func:`~perfxl.reading.xlsx.excel_number`, so 76.51 reads as ``Decimal('76.51')`` from any format.

calamine is fast but trusts its input: a few changed bytes in an .xls or .ods make it ask for
terabytes (the process aborts: nothing to catch) or loop for ever. So the bytes are first checked
in Python the way calamine will read them: for .xls the compound file's sector chains (in range,
no cycles), the sizes it reserves memory for and the cell area of every sheet; for .ods the zip
limits of the .xlsx reader, DTDs, and the cell area after ``number-*-repeated`` expansion. The same
pass collects what calamine does not give: error values (``#DIV/0!``…), sheet protection and,
for .ods, merged ranges. calamine then reads exactly the bytes that were checked.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import mmap
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import python_calamine
from lxml import etree

from perfxl.reading.xlsx import (
    DEFAULT_LIMITS,
    Cell,
    Limits,
    Sheet,
    UnreadableWorkbook,
    Workbook,
    cell_ref,
    check_zip,
    excel_number,
    open_zip,
    parse_xml,
    read_member,
)

__all__ = ["ValuesWorkbook", "file_format", "open_workbook", "sniff_format"]

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
#: The format a submission is reported as, by its suffix (the sniffed kind decides how it is read).
REPORTED_FORMATS = {".xlsx": "xlsx", ".xls": "xls", ".et": "et", ".ett": "et", ".ods": "ods"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_DAMAGED = {"xls": "truncated", "ods": "corrupt"}
_T = TypeVar("_T")


# --- what a file is ------------------------------------------------------------------------------

def sniff_format(path: str | Path) -> str:
    """The real format by content: ``xlsx``, ``xls``, ``ods`` or ``unknown`` (never raises).

    An OLE2 file that is too damaged to list its streams counts as an ``xls`` (it most likely is
    one, and reading it then says what is wrong), unless it names a Word document; an encrypted
    .xlsx (an OLE2 file holding ``EncryptedPackage``) counts as ``xlsx``, whose reader explains it.
    """
    try:
        with open(path, "rb") as handle:
            if not handle.read(1):
                return "unknown"
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:  # OLE2: random access
                return _sniff(view, Path(path))
    except Exception:  # unreadable (a folder, a device…) or too odd to tell
        return "unknown"


def file_format(path: str | Path) -> tuple[str, str]:
    """(format reported in the JSON: xlsx, xls, et or ods; how to read it: xlsx, xls, ods or unknown)."""
    kind = sniff_format(path)
    reported = REPORTED_FORMATS.get(Path(path).suffix.lower()) or (kind if kind != "unknown" else "unknown")
    return reported, kind


def open_workbook(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Workbook | ValuesWorkbook:
    """The right reader for the file's content: :class:`Workbook` for an .xlsx, else values only."""
    if sniff_format(path) == "xlsx":
        return Workbook(path, limits)
    return ValuesWorkbook(path, limits)


def _sniff(data: bytes | mmap.mmap, path: Path | None = None) -> str:
    head = data[:8]
    if head == _OLE:
        try:
            names = _Compound(data).names()
        except UnreadableWorkbook:
            blob = data[: 1024 * 1024]
            if _utf16("WordDocument") in blob:
                return "unknown"
            return "xlsx" if _utf16("EncryptedPackage") in blob else "xls"
        if "Workbook" in names or "Book" in names:
            return "xls"
        return "xlsx" if "EncryptedPackage" in names else "unknown"
    if head[:2] == b"PK":
        # ODF puts an uncompressed 'mimetype' first, so a damaged .ods still shows what it is.
        if data[:4] == _ZIP and data[30:38] == b"mimetype" and data[38:84] == ODS_MIMETYPE:
            return "ods"
        try:
            with zipfile.ZipFile(path if path is not None else io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names:
                    with zf.open("mimetype") as member:
                        if member.read(len(ODS_MIMETYPE)) == ODS_MIMETYPE:
                            return "ods"
                return "unknown"
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError,
                OSError):
            return "xlsx"  # a damaged zip: most likely an .xlsx, whose reader says what is wrong
    return "unknown"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


# --- the workbook --------------------------------------------------------------------------------

@dataclass
class _SheetScan:
    """What the safety pass learnt about one sheet, beyond calamine's values."""

    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column), 0-based
    merged: list[tuple[int, int, int, int]] | None = None  # .ods only (top, left, bottom, right), 0-based
    protected: bool | None = None


@dataclass
class _Scan:
    by_index: list[_SheetScan] = field(default_factory=list)  # .xls: in the order of the sheets
    by_name: dict[str, _SheetScan] = field(default_factory=dict)  # .ods: by table name
    structure_protection: str | None = None
    data: bytes | None = None  # what calamine is to read, when not the file as it is


class ValuesWorkbook:
    """An .xls, .et (holding an .xls) or .ods workbook, read as values through python-calamine.

    Same reading interface as :class:`~perfxl.reading.xlsx.Workbook`; an .xlsx (or an .et holding
    one) is refused with ``ValueError``: :func:`open_workbook` picks the reader.
    """

    has_formulas = False

    def __init__(self, path: str | Path, limits: Limits = DEFAULT_LIMITS):
        self.path = Path(path)
        self.limits = limits
        self.custom_properties: dict[str, str] = {}
        data = _read_file(self.path, limits)
        self.format = _sniff(data)
        if self.format == "xlsx":
            raise ValueError(f"{self.path.name} is an .xlsx inside: read it with reading.xlsx.Workbook")
        if self.format == "unknown":
            raise _not_a_spreadsheet(self.path, data, limits)
        scan = _scan_xls(data, limits) if self.format == "xls" else _scan_ods(data, limits)
        self.structure_protection = scan.structure_protection
        checked = io.BytesIO(scan.data or data)
        self._book = _call(self.format, lambda: python_calamine.CalamineWorkbook.from_filelike(checked))
        try:
            metadata = _call(self.format, lambda: self._book.sheets_metadata)
            names = [entry.name for entry in metadata]
            if not names:
                raise UnreadableWorkbook(_DAMAGED[self.format], "no_sheets")
            self.states: dict[str, str] = {}
            self._scans: dict[str, _SheetScan] = {}
            for index, entry in enumerate(metadata):
                # calamine keeps the last of two sheets with the same name, and so do we.
                state = _STATES.get(str(entry.visible).rpartition(".")[2], "visible")
                self.states.setdefault(entry.name, state)
                found = scan.by_name.get(entry.name)
                if found is None and index < len(scan.by_index):
                    found = scan.by_index[index]
                self._scans[entry.name] = found or _SheetScan()
        except BaseException:
            self.close()
            raise
        self.sheet_names = list(self.states)
        self._parsed: dict[str, Sheet] = {}

    def __enter__(self) -> ValuesWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._book.close()
        except python_calamine.CalamineError:
            pass  # already closed

    def sheet(self, name: str) -> Sheet:
        if name not in self._parsed:
            if name not in self.states:
                raise KeyError(name)
            self._parsed[name] = self._read_sheet(name)
        return self._parsed[name]

    def _read_sheet(self, name: str) -> Sheet:
        scan = self._scans[name]
        sheet = Sheet(name, self.states[name])
        sheet.protected = scan.protected  # type: ignore[assignment]  # None: not known
        source = _call(self.format, lambda: self._book.get_sheet_by_name(name))
        start = source.start
        if start is not None:
            area = source.height * source.width
            if area > self.limits.max_sheet_cells:
                raise _too_many_cells(name, area, self.limits)
            rows = _call(self.format, lambda: source.to_python(skip_empty_area=True))
            top, left = start
            cells = sheet.cells
            for row_number, row in enumerate(rows, start=top + 1):
                for column, raw in enumerate(row, start=left + 1):
                    if raw == "":
                        continue  # empty (calamine gives "" for errors too: the scan has those)
                    cells[cell_ref(row_number, column)] = _cell(raw)
        for (row, column), code in scan.errors.items():
            sheet.cells[cell_ref(row + 1, column + 1)] = Cell(None, None, code)
        if scan.merged is not None:
            boxes = scan.merged
        else:
            ranges = _call(self.format, lambda: source.merged_cell_ranges) or []
            boxes = [(top, left, bottom, right) for (top, left), (bottom, right) in ranges]
        # Readers walk every cell of a merged range: their total is bounded like the sheet's cells.
        covered = sum(max(bottom - top + 1, 0) * max(right - left + 1, 0)
                      for top, left, bottom, right in boxes)
        if covered > self.limits.max_sheet_cells or len(boxes) > _MAX_MERGES:
            raise UnreadableWorkbook("too_large", "merged_too_large", sheet=name, cells=covered,
                                     limit=self.limits.max_sheet_cells)
        sheet.merged = [f"{cell_ref(top + 1, left + 1)}:{cell_ref(bottom + 1, right + 1)}"
                        for top, left, bottom, right in boxes]
        return sheet


_STATES = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}


def _cell(raw: object) -> Cell:
    """A calamine value as perfxl's cell: numbers as Excel shows them, dates and times as ISO text."""
    if isinstance(raw, bool | str):
        return Cell(raw)
    if isinstance(raw, int):
        return Cell(Decimal(raw))
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return Cell(None, None, "#NUM!")
        if raw.is_integer() and abs(raw) < 1e15:
            return Cell(Decimal(int(raw)))  # '100', as the .xlsx reader has it, not '100.0'
        return Cell(excel_number(repr(raw)))
    if isinstance(raw, dt.datetime):
        return Cell(raw.isoformat(sep=" ", timespec="seconds"))
    if isinstance(raw, dt.date):
        return Cell(raw.isoformat())
    if isinstance(raw, dt.time):
        return Cell(raw.isoformat(timespec="seconds"))
    if isinstance(raw, dt.timedelta):  # an elapsed time ([h]:mm:ss), shown as Excel shows it
        seconds = round(raw.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        return Cell(f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}")
    return Cell(str(raw))


def _call(kind: str, action: Callable[[], _T]) -> _T:
    """Run a calamine call; whatever it raises (a Rust panic included) becomes UnreadableWorkbook."""
    try:
        return action()
    except python_calamine.PasswordError:
        raise UnreadableWorkbook("encrypted", "encrypted") from None
    except Exception as exc:
        raise UnreadableWorkbook(_DAMAGED[kind], "damaged_error", error=_short(exc)) from None
    except BaseException as exc:  # pyo3's PanicException derives from BaseException
        if type(exc).__name__ != "PanicException":
            raise
        raise UnreadableWorkbook(_DAMAGED[kind], "damaged_error", error=_short(exc)) from None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _read_file(path: Path, limits: Limits) -> bytes:
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise UnreadableWorkbook("too_large", "too_large_mb", size_mb=size // 1024 // 1024)
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise UnreadableWorkbook("io", "open_failed", error=exc.strerror or str(exc)) from None
    if not data:
        raise UnreadableWorkbook("empty", "empty")
    if len(data) > limits.max_file_bytes:
        raise UnreadableWorkbook("too_large", "too_large")
    return data


def _too_many_cells(sheet: str, cells: int, limits: Limits) -> UnreadableWorkbook:
    return UnreadableWorkbook("too_large", "sheet_too_large", sheet=sheet, cells=cells, limit=limits.max_sheet_cells)


def _not_a_spreadsheet(path: Path, data: bytes, limits: Limits) -> UnreadableWorkbook:
    """Why a file that is neither .xls, .xlsx nor .ods cannot be read, as precisely as is cheap."""
    if data[:8] == _OLE:
        try:
            names = _Compound(data).names()
        except UnreadableWorkbook:
            names = set()
        if "WordDocument" in names or _utf16("WordDocument") in data[: 1024 * 1024]:
            return UnreadableWorkbook("doc", "doc_not_sheet")
        if "PowerPoint Document" in names:
            return UnreadableWorkbook("unknown_format", "ppt_not_sheet")
        return UnreadableWorkbook("unknown_format", "ole_no_workbook")
    if data[:2] == b"PK":
        try:  # the .xlsx reader names what a zip is (Word, PowerPoint, plain zip…)
            open_zip(path, limits).close()
        except UnreadableWorkbook as exc:
            return exc
    return UnreadableWorkbook("unknown_format", "unknown_format")


# --- .xls: the compound file ---------------------------------------------------------------------

_ENDOFCHAIN = 0xFFFFFFFE
_RESERVED = 0xFFFFFFFA  # ids from here up are markers, not sectors
_DIFSECT = 0xFFFFFFFC


def _damaged(detail_key: str, **params: Any) -> UnreadableWorkbook:
    return UnreadableWorkbook("truncated", detail_key, **params)


@dataclass
class _Entry:
    name: str
    start: int
    size: int


class _Compound:
    """An OLE2 compound file, checked the way calamine reads it, before calamine reads it.

    calamine follows sector chains without bounds or cycle checks and reserves memory for sizes it
    reads from the file; every chain it will follow is checked here, and every size it reserves
    is bounded by the file's own size.
    """

    def __init__(self, data: bytes | mmap.mmap):
        self.data = data
        size = len(data)
        if size < 512 or data[:8] != _OLE:
            raise _damaged("ole_header_short")
        (version,) = struct.unpack_from("<H", data, 26)
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6 or size < (1 << shift):
            raise _damaged("ole_header_invalid")
        self.version = version
        self.sector_size = ss = 1 << shift
        self.sectors = (size - 1) // ss  # sectors after the header, the last one possibly short
        dir_sectors, fat_sectors, dir_start = struct.unpack_from("<III", data, 40)
        self.mini_fat_start, self.mini_fat_sectors, difat_start = struct.unpack_from("<III", data, 60)
        (difat_capacity,) = struct.unpack_from("<I", data, 62)  # calamine reserves this many (sic)
        if max(dir_sectors, fat_sectors, self.mini_fat_sectors) > self.sectors or difat_capacity > 1 << 24:
            raise _damaged("ole_header_sectors")
        difat = list(struct.unpack_from("<109I", data, 76))
        sector, seen = difat_start, set()
        while sector < _RESERVED:
            if sector >= self.sectors or sector in seen:
                raise _damaged("ole_fat_chain")
            seen.add(sector)
            entries = self._u32(sector)
            difat.extend(entries[:-1])
            sector = entries[-1]
        self.fat: list[int] = []
        for sector in difat:
            if sector >= _DIFSECT:
                continue
            if sector >= self.sectors:
                raise _damaged("ole_fat_outside")
            self.fat.extend(self._u32(sector))
        directory = self._read(dir_start, self.fat, self.sectors, self._sector)[0]
        self.entries = [self._entry(directory[at:at + 128]) for at in range(0, len(directory) - 127, 128)]
        if not self.entries or (version != 3 and self.entries[0].start == _ENDOFCHAIN):
            raise _damaged("ole_directory_empty")

    def names(self) -> set[str]:
        return {entry.name for entry in self.entries}

    def workbook_stream(self) -> bytes:
        """The 'Workbook' (or BIFF5 'Book') stream, exactly as calamine will get it.

        Afterwards :meth:`file_offset` tells where each byte of the stream is in the file.
        """
        entry = next((e for e in self.entries if e.name == "Workbook"), None)
        entry = entry or next((e for e in self.entries if e.name == "Book"), None)
        if entry is None:
            raise UnreadableWorkbook("unknown_format", "ole_no_workbook")
        # calamine reads the mini stream when there is a mini FAT (older versions always): check both.
        root = self.entries[0]
        if root.size > len(self.data):
            raise _damaged("ole_ministream_size")
        ministream, root_chain = self._read(root.start, self.fat, self.sectors, self._sector)
        ministream = ministream[:root.size]
        table = self._read(self.mini_fat_start, self.fat, self.sectors, self._sector)[0]
        table = table[: self.mini_fat_sectors * self.sector_size]
        minifat = list(struct.unpack_from(f"<{len(table) // 4}I", table))
        ss = self.sector_size
        if entry.size < 4096:
            def mini(index: int) -> bytes:
                return ministream[index * 64:(index + 1) * 64]

            stream, chain = self._read(entry.start, minifat, len(ministream) // 64, mini)
            self._places = [(root_chain[i * 64 // ss] + 1) * ss + i * 64 % ss for i in chain]
            self._piece = 64
        else:
            if entry.size > len(self.data):
                raise _damaged("ole_stream_size")
            stream, chain = self._read(entry.start, self.fat, self.sectors, self._sector)
            self._places, self._piece = [(i + 1) * ss for i in chain], ss
        return stream[: entry.size]

    def file_offset(self, position: int) -> int:
        """Where byte ``position`` of the workbook stream lies in the file."""
        return self._places[position // self._piece] + position % self._piece

    def _sector(self, index: int) -> bytes:
        start = (index + 1) * self.sector_size
        return self.data[start:start + self.sector_size]

    def _u32(self, index: int) -> list[int]:
        count = len(self._sector(index)) // 4
        if not count:
            raise _damaged("ole_sector_short")
        return list(struct.unpack_from(f"<{count}I", self.data, (index + 1) * self.sector_size))

    @staticmethod
    def _read(start: int, table: list[int], count: int,
              sector: Callable[[int], bytes]) -> tuple[bytes, list[int]]:
        """A chain of sectors, each in the file and in the table, none twice, properly ended: its
        bytes and the sector numbers."""
        chain, seen, index = [], set(), start
        while index != _ENDOFCHAIN:
            if index >= count or index >= len(table) or index in seen:
                raise _damaged("ole_chain_loop")
            seen.add(index)
            chain.append(index)
            index = table[index]
        return b"".join(sector(index) for index in chain), chain

    def _entry(self, raw: bytes) -> _Entry:
        name = raw[:64].decode("utf-16-le", "replace").partition("\x00")[0]
        start = struct.unpack_from("<I", raw, 116)[0]
        size = struct.unpack_from("<I" if self.sector_size == 512 else "<Q", raw, 120)[0]
        return _Entry(name, start, size)


# --- .xls: the BIFF records ----------------------------------------------------------------------

_ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
                0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
#: Records calamine turns into one cell each: Number, Label, BoolErr, Rk, LabelSst, Formula.
_CELL_RECORDS = frozenset((0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006))
_BIFF8_GRID = 65536 * 256
_NOT_A_NUMBER = b"\xff\xff"  # a Formula's cached result that is not a number ends so


def _records(stream: bytes, position: int) -> Iterator[tuple[int, int, int]]:
    """(type, offset of the data, size) of each record from ``position`` on."""
    end = len(stream)
    while position < end:
        if end - position < 4:
            raise _damaged("xls_record_short")
        kind, size = struct.unpack_from("<HH", stream, position)
        position += 4
        if position + size > end:
            raise _damaged("xls_record_outside")
        yield kind, position, size
        position += size


def _scan_xls(data: bytes, limits: Limits) -> _Scan:
    compound = _Compound(data)
    stream = compound.workbook_stream()
    offsets = []
    scan = _Scan()
    for kind, at, size in _records(stream, 0):
        if kind == 0x002F:  # FilePass
            raise UnreadableWorkbook("encrypted", "encrypted")
        if kind == 0x0085:  # BoundSheet8: where the sheet's records start
            if size < 6:
                raise _damaged("xls_sheet_record")
            offsets.append(struct.unpack_from("<I", stream, at)[0])
        elif kind == 0x00FC:  # SST: calamine reserves room for the count it states
            count = struct.unpack_from("<i", stream, at + 4)[0] if size >= 8 else -1
            if count < 0 or count * 3 > len(stream):
                raise _damaged("xls_strings")
        elif kind == 0x0012 and size >= 2:  # Protect in the globals: the workbook's structure
            scan.structure_protection = "locked" if stream[at] & 1 else "unlocked"
        elif kind == 0x000A:  # EOF
            break
    if scan.structure_protection is None:
        scan.structure_protection = "unlocked"
    formulas: list[int] = []
    for number, offset in enumerate(offsets, start=1):
        scan.by_index.append(_scan_biff_sheet(stream, offset, number, limits, formulas))
    if formulas:
        # Only values are read, yet calamine would rebuild every formula's text, in time that grows
        # with the square of a crafted formula's size (seconds for one 8 KB record). Marking each
        # formula empty (its cached value stays) spares that work, on a copy of the file.
        copy = bytearray(data)
        for position in formulas:
            copy[compound.file_offset(position)] = copy[compound.file_offset(position + 1)] = 0
        scan.data = bytes(copy)
    return scan


def _scan_biff_sheet(stream: bytes, offset: int, number: int, limits: Limits,
                     formulas: list[int]) -> _SheetScan:
    """Errors, protection and cell area of one sheet; where its formulas' token lengths are."""
    if offset > len(stream):
        raise _damaged("xls_sheet_offset", number=number)
    sheet = _SheetScan(protected=False)
    top = left = 1 << 32
    bottom = right = -1
    for kind, at, size in _records(stream, offset):
        if kind in _CELL_RECORDS:
            if size < 8:
                raise _damaged("xls_cell_record")
            row, column = struct.unpack_from("<HH", stream, at)
            last = column
            if kind == 0x0205 and stream[at + 7] == 1:  # BoolErr holding an error
                sheet.errors[row, column] = _ERROR_CODES.get(stream[at + 6], "#VALUE!")
            elif kind == 0x0006 and size >= 20 and stream[at + 12:at + 14] == _NOT_A_NUMBER:
                if stream[at + 6] == 2:  # the formula's cached result is an error
                    sheet.errors[row, column] = _ERROR_CODES.get(stream[at + 8], "#VALUE!")
            if kind == 0x0006 and size >= 22 and stream[at + 20:at + 22] != b"\0\0":
                formulas.append(at + 20)  # cce: the size of the formula's tokens
        elif kind == 0x00BD:  # MulRk: several numbers in a row
            if size < 6:
                raise _damaged("xls_cell_record")
            row, column = struct.unpack_from("<HH", stream, at)
            last = column + max((size - 6) // 6, 1) - 1
        elif kind == 0x0200:  # Dimensions: calamine reserves rows × columns cells
            _check_dimensions(stream, at, size)
            continue
        elif kind == 0x00E5:  # MergeCells: calamine does not check the count against the size
            if size < 2 or 2 + 8 * struct.unpack_from("<H", stream, at)[0] > size:
                raise _damaged("xls_merge_record")
            continue
        elif kind == 0x0012 and size >= 2:  # Protect
            sheet.protected = bool(stream[at] & 1)
            continue
        elif kind == 0x000A:  # EOF
            break
        else:
            continue
        top, bottom = min(top, row), max(bottom, row)
        left, right = min(left, column), max(right, last)
    if bottom >= 0:
        area = (bottom - top + 1) * (right - left + 1)
        if area > limits.max_sheet_cells:
            raise UnreadableWorkbook("too_large", "xls_sheet_too_large", number=number, cells=area,
                                     limit=limits.max_sheet_cells)
    return sheet


def _check_dimensions(stream: bytes, at: int, size: int) -> None:
    if size == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", stream, at)
    elif size == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", stream, at)
    else:
        raise _damaged("xls_dimension")
    if last_row >= 1 and last_col >= 1:
        end_row, end_col = last_row - 1, last_col - 1
    else:
        end_row, end_col = first_row, first_col
    # calamine computes this in wrapping 32-bit arithmetic, then reserves that many cells.
    rows = (end_row - first_row + 1) % (1 << 32)
    columns = (end_col - first_col + 1) % (1 << 32)
    if rows * columns > _BIFF8_GRID:
        raise _damaged("xls_dimension_range")


# --- .ods ----------------------------------------------------------------------------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_TABLE_TAG, _ROW_TAG = f"{{{_TABLE}}}table", f"{{{_TABLE}}}table-row"
_CELL_TAG, _COVERED_TAG = f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"
_SPREADSHEET_TAG = f"{{{_OFFICE}}}spreadsheet"
_VALUE_TYPE, _FORMULA = f"{{{_OFFICE}}}value-type", f"{{{_TABLE}}}formula"
_CALC_TYPE = f"{{{_CALCEXT}}}value-type"
_ROWS_REPEATED = f"{{{_TABLE}}}number-rows-repeated"
_COLUMNS_REPEATED = f"{{{_TABLE}}}number-columns-repeated"
_ROWS_SPANNED, _COLUMNS_SPANNED = f"{{{_TABLE}}}number-rows-spanned", f"{{{_TABLE}}}number-columns-spanned"
_NAME, _PROTECTED = f"{{{_TABLE}}}name", f"{{{_TABLE}}}protected"
_STRUCTURE_PROTECTED = f"{{{_TABLE}}}structure-protected"
_MAX_MERGES = 100_000


def _scan_ods(data: bytes, limits: Limits) -> _Scan:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError):
        raise UnreadableWorkbook("truncated", "zip_unreadable") from None
    with archive:
        try:
            check_zip(archive, limits)
        except UnreadableWorkbook as exc:
            # The size, ratio and encryption checks come first; what follows is .xlsx-only (an
            # .ods has no xl/workbook.xml), so only that one complaint is expected here.
            if exc.reason != "not_xlsx":
                raise
        parts = {}
        for name in ("META-INF/manifest.xml", "styles.xml", "content.xml"):
            try:
                info = archive.getinfo(name)
            except KeyError:
                continue
            parts[name] = read_member(archive, info, limits)
            if b"<!DOCTYPE" in parts[name] or b"<!ENTITY" in parts[name]:
                raise UnreadableWorkbook("xml_dtd", "part_dtd", part=name)
            if parts[name][:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in parts[name][:64]:
                raise UnreadableWorkbook("corrupt", "part_not_utf8", part=name)
    if b"encryption-data" in parts.get("META-INF/manifest.xml", b""):
        raise UnreadableWorkbook("encrypted", "encrypted")
    if "content.xml" not in parts:
        raise UnreadableWorkbook("corrupt", "ods_no_content")
    return _scan_content(parts["content.xml"], limits)


class _Table:
    """One table:table as calamine will lay it out: the area of its non-empty cells, once expanded."""

    def __init__(self, name: str, protected: bool, limits: Limits):
        self.name, self.limits = name, limits
        self.scan = _SheetScan(merged=[], protected=protected)
        self.filled = 0
        self.top = self.left = 1 << 62
        self.bottom = self.right = -1

    def add(self, row: int, rows: int, column: int, columns: int) -> None:
        self.filled += rows * columns
        self.top, self.bottom = min(self.top, row), max(self.bottom, row + rows - 1)
        self.left, self.right = min(self.left, column), max(self.right, column + columns - 1)
        area = (self.bottom - self.top + 1) * (self.right - self.left + 1)
        if max(self.filled, area) > self.limits.max_sheet_cells:
            raise _too_many_cells(self.name, max(self.filled, area), self.limits)


def _repeat(element: etree._Element, attribute: str) -> int:
    """A count attribute (1 when absent); 0 is taken as it is, as calamine does (no cell at all)."""
    raw = element.get(attribute)
    if raw is None:
        return 1
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise UnreadableWorkbook("corrupt", "ods_bad_count", attribute=attribute.rpartition("}")[2], value=raw[:20])
    return value


#: calamine finds elements and attributes by their literal names ('table:table-cell'), whatever
#: namespace the prefix is bound to; this scan goes by namespace. They agree when these prefixes
#: mean what they should: then all calamine reads, this scan sees.
_PREFIXES = {b"table": _TABLE.encode(), b"office": _OFFICE.encode(), b"calcext": _CALCEXT.encode(),
             b"text": b"urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
_PREFIX_BINDING = re.compile(rb"""xmlns:(table|office|text|calcext)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _scan_content(content: bytes, limits: Limits) -> _Scan:
    for match in _PREFIX_BINDING.finditer(content):
        if (match.group(2) if match.group(2) is not None else match.group(3)) != _PREFIXES[match.group(1)]:
            raise UnreadableWorkbook("corrupt", "ods_bad_prefix", prefix=match.group(1).decode())
    root = parse_xml(content, "content.xml")
    scan = _Scan(structure_protection="unlocked")
    for spreadsheet in root.iter(_SPREADSHEET_TAG):
        if spreadsheet.get(_STRUCTURE_PROTECTED) == "true":
            scan.structure_protection = "locked"
    for element in root.iter(_TABLE_TAG):
        if element.find(f".//{_TABLE_TAG}") is not None:
            raise UnreadableWorkbook("corrupt", "ods_nested_table")
        table = _Table(element.get(_NAME, ""), element.get(_PROTECTED) == "true", limits)
        _scan_table(element, table, limits)
        if element.get(_NAME) is not None:  # calamine skips a table without a name
            scan.by_name[table.name] = table.scan
    return scan


def _scan_table(element: etree._Element, table: _Table, limits: Limits) -> None:
    row = 0
    merged = table.scan.merged
    assert merged is not None
    for row_element in element.iter(_ROW_TAG):
        rows = _repeat(row_element, _ROWS_REPEATED)
        column = 0
        if not rows:
            continue
        for cell in row_element:
            tag = cell.tag
            if tag != _CELL_TAG and tag != _COVERED_TAG:
                continue
            columns = _repeat(cell, _COLUMNS_REPEATED)
            if columns and (len(cell) or cell.get(_VALUE_TYPE) is not None or cell.get(_FORMULA) is not None):
                table.add(row, rows, column, columns)
                if cell.get(_CALC_TYPE) == "error":
                    code = "".join(cell.itertext()).strip() or "#VALUE!"
                    for r in range(row, row + rows):
                        for c in range(column, column + columns):
                            table.scan.errors[r, c] = code
            spanned = cell.get(_ROWS_SPANNED) is not None or cell.get(_COLUMNS_SPANNED) is not None
            if spanned and tag == _CELL_TAG:
                spans = _repeat(cell, _ROWS_SPANNED), _repeat(cell, _COLUMNS_SPANNED)
                if min(spans) >= 1 and spans != (1, 1):
                    if len(merged) + rows * columns > _MAX_MERGES:
                        raise _too_many_cells(table.name, len(merged) + rows * columns, limits)
                    for r in range(row, row + rows):
                        for c in range(column, column + columns):
                            merged.append((r, c, r + spans[0] - 1, c + spans[1] - 1))
            column += columns
        row += rows
