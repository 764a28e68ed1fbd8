"""A small, fast and defensive .xlsx reader.

One pass over each sheet's XML gives both what a spreadsheet program shows (the cached values) and
the formulas behind them, so a workbook is never loaded twice. Before anything is parsed the file is
checked: a zip of sane size and shape, not encrypted, not a legacy binary, no DTDs (which rules out
entity-expansion and external-entity attacks). Problems raise :class:`UnreadableWorkbook` with a
reason a clerk understands.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from perfxl.codes import detail_text
from perfxl.model import Field

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
}
_M = "{{{}}}".format(NS["m"])
_V, _F, _IS, _T = _M + "v", _M + "f", _M + "is", _M + "t"


@dataclass(frozen=True)
class Limits:
    """Safety limits for one workbook; the defaults fit any real 自评表 with a wide margin."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_entries: int = 2_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_part_bytes: int = 100 * 1024 * 1024
    max_compression_ratio: int = 200
    max_sheet_cells: int = 2_000_000  # the used range of one .xls/.ods sheet (read through calamine)


DEFAULT_LIMITS = Limits()


class UnreadableWorkbook(Exception):
    """The file cannot be read as a workbook.

    ``reason`` is a short code (:data:`perfxl.codes.REASONS`), ``detail_key`` names the exact account
    (:data:`perfxl.codes.DETAILS`) and ``params`` fill it in; ``str()`` is the Chinese message,
    :meth:`detail` gives either language.
    """

    def __init__(self, reason: str, detail_key: str, **params: Any):
        super().__init__(detail_text(detail_key, "zh", **params))
        self.reason, self.detail_key, self.params = reason, detail_key, params

    def detail(self, lang: str = "zh") -> str:
        return detail_text(self.detail_key, lang, **self.params)

    def __reduce__(self) -> tuple[Any, ...]:  # to cross a process boundary with its key and params
        return _unreadable, (self.reason, self.detail_key, self.params)


def _unreadable(reason: str, detail_key: str, params: dict[str, Any]) -> UnreadableWorkbook:
    return UnreadableWorkbook(reason, detail_key, **params)


@dataclass
class Cell:
    """One cell: the value a spreadsheet program cached (or typed constant) and its formula."""

    value: Decimal | str | bool | None
    formula: str | None = None
    error: str | None = None  # '#DIV/0!' and friends
    percent_places: int | None = None  # a number shown as a percentage: the decimals of the fraction shown

    @property
    def is_blank(self) -> bool:
        return self.value is None or self.value == ""

    @property
    def shown(self) -> Decimal | str | bool | None:
        """What a spreadsheet shows: the error code if the cell holds one, else its value."""
        return self.error or self.value


@dataclass
class Sheet:
    name: str
    state: str  # visible, hidden, veryHidden
    cells: dict[str, Cell] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)
    protected: bool = False
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # what readers derive, once

    def get(self, ref: str) -> Cell | None:
        return self.cells.get(ref)

    def value(self, ref: str) -> Decimal | str | bool | None:
        cell = self.cells.get(ref)
        return None if cell is None else cell.value


@dataclass
class SheetEntry:
    name: str
    state: str
    part: str


class Workbook:
    """An opened workbook; sheets are parsed on demand and each at most once."""

    def __init__(self, path: str | Path, limits: Limits = DEFAULT_LIMITS):
        self.path = Path(path)
        self.limits = limits
        self._zip = open_zip(self.path, limits)
        try:
            self._shared_strings: list[str] | None = None
            self.sheets = self._read_sheet_list()
            self.custom_properties = self._read_custom_properties()
        except Exception:
            self._zip.close()
            raise
        self._parsed: dict[str, Sheet] = {}
        self._names: list[str] | None = None
        self._percent_styles: dict[int, int] | None = None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    @property
    def sheet_names(self) -> list[str]:
        if self._names is None:
            self._names = [entry.name for entry in self.sheets]
        return self._names

    def sheet(self, name: str) -> Sheet:
        if name not in self._parsed:
            entry = next((e for e in self.sheets if e.name == name), None)
            if entry is None:
                raise KeyError(name)
            self._parsed[name] = self._read_sheet(entry)
        return self._parsed[name]

    # --- parts -----------------------------------------------------------------------------------

    def _xml(self, part: str) -> etree._Element | None:
        try:
            info = self._zip.getinfo(part)
        except KeyError:
            return None
        data = read_member(self._zip, info, self.limits)
        return parse_xml(data, part)

    def _read_sheet_list(self) -> list[SheetEntry]:
        root = self._xml("xl/workbook.xml")
        if root is None:
            raise UnreadableWorkbook("not_xlsx", "no_workbook_part")
        protection = root.find("m:workbookProtection", NS)
        # LibreOffice writes an empty <workbookProtection/> whatever the state: that says nothing.
        if protection is None or protection.get("lockStructure") in ("0", "false", "off"):
            self.structure_protection = "unlocked"
        elif _true(protection.get("lockStructure")):
            self.structure_protection = "locked"
        else:
            self.structure_protection = "unknown"
        rels = self._relationships("xl/_rels/workbook.xml.rels", base="xl")
        entries = []
        for sheet in root.iterfind("m:sheets/m:sheet", NS):
            rel_id = sheet.get("{{{}}}id".format(NS["r"]))
            part = rels.get(rel_id or "")
            if part is None:
                continue  # chartsheets without a target, broken relations: nothing to read
            entries.append(SheetEntry(sheet.get("name", ""), sheet.get("state", "visible"), part))
        if not entries:
            raise UnreadableWorkbook("not_xlsx", "no_sheets")
        return entries

    def _relationships(self, part: str, base: str) -> dict[str, str]:
        root = self._xml(part)
        if root is None:
            return {}
        targets = {}
        for rel in root.iterfind("rel:Relationship", NS):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(base, target))
            targets[rel.get("Id", "")] = resolved
        return targets

    def _read_custom_properties(self) -> dict[str, str]:
        root = self._xml("docProps/custom.xml")
        if root is None:
            return {}
        props = {}
        for prop in root.iterfind("cp:property", NS):
            value = next(iter(prop), None)
            props[prop.get("name", "")] = "" if value is None else (value.text or "")
        return props

    @property
    def saved_at(self) -> str | None:
        """When a spreadsheet program last saved the file (docProps/core.xml, written by Excel, WPS and
        LibreOffice): a better 'newest' than the file's time, which a copy resets."""
        root = self._xml("docProps/core.xml")
        if root is None:
            return None
        node = root.find("{http://purl.org/dc/terms/}modified")
        text = (node.text or "").strip() if node is not None else ""
        return text or None

    def percent_styles(self) -> dict[int, int]:
        """Cell style index → decimals of the fraction a percentage format shows ('0%' → 2, '0.00%' → 4).

        Only read when a sheet has a numeric cell with a style: a rate's precision is that of the
        percentage shown (domain rules §4), never that of the stored fraction.
        """
        if self._percent_styles is None:
            self._percent_styles = {}
            root = self._xml("xl/styles.xml")
            if root is not None:
                codes = {9: "0%", 10: "0.00%"}
                for fmt in root.iterfind("m:numFmts/m:numFmt", NS):
                    try:
                        codes[int(fmt.get("numFmtId", ""))] = fmt.get("formatCode", "")
                    except ValueError:
                        continue
                for index, xf in enumerate(root.iterfind("m:cellXfs/m:xf", NS)):
                    number_format = xf.get("numFmtId", "0")
                    places = _percent_places(codes.get(int(number_format), "")) if number_format.isdigit() else None
                    if places is not None:
                        self._percent_styles[index] = places
        return self._percent_styles

    def shared_strings(self) -> list[str]:
        if self._shared_strings is None:
            root = self._xml("xl/sharedStrings.xml")
            strings = []
            if root is not None:
                for item in root.iterfind("m:si", NS):
                    # Nearly every string is a plain <si><t>…</t></si>: no need to walk it.
                    if len(item) == 1 and item[0].tag == _T:
                        strings.append(item[0].text or "")
                    else:
                        strings.append(_rich_text(item))
            self._shared_strings = strings
        return self._shared_strings

    def _cell(self, c: etree._Element, shared_formulas: dict[str, tuple[str, str]]) -> Cell | None:
        """One <c> element: its cached value (typed by ``t``) and its formula, if any."""
        raw = formula_node = inline = None
        for child in c:
            tag = child.tag
            if tag == _V:
                raw = child.text
            elif tag == _F:
                formula_node = child
            elif tag == _IS:
                inline = child
        kind = c.get("t")
        formula = None if formula_node is None else _formula(formula_node, c.get("r", ""), shared_formulas)
        value: Decimal | str | bool | None = None
        error = None
        if kind is None or kind == "n":
            if raw:
                try:
                    value = excel_number(raw)
                except (InvalidOperation, ValueError):
                    value = raw
        elif kind == "s":
            strings = self._shared_strings if self._shared_strings is not None else self.shared_strings()
            try:
                value = strings[int(raw or "")]
            except (ValueError, IndexError):
                value = None
        elif kind == "inlineStr":
            value = _rich_text(inline) if inline is not None else ""
        elif kind == "str":
            value = raw or ""
        elif kind == "b":
            value = raw == "1"
        elif kind == "e":
            error = raw
        elif raw:
            value = raw  # an unknown type: keep the text rather than guess
        if value is None and formula is None and error is None:
            return None
        style = c.get("s")
        if style is not None and style.isdigit() and isinstance(value, Decimal):
            styles = self._percent_styles if self._percent_styles is not None else self.percent_styles()
            if styles:
                return Cell(value, formula, error, styles.get(int(style)))
        return Cell(value, formula, error)

    def _read_sheet(self, entry: SheetEntry) -> Sheet:
        sheet = Sheet(entry.name, entry.state)
        try:
            info = self._zip.getinfo(entry.part)
        except KeyError:
            root = None
        else:
            root = parse_xml(_without_unread_sections(read_member(self._zip, info, self.limits)), entry.part)
        if root is None:
            raise UnreadableWorkbook("corrupt", "sheet_part_missing", sheet=entry.name, part=entry.part)
        protection = root.find("m:sheetProtection", NS)
        sheet.protected = protection is not None and _true(protection.get("sheet"))
        sheet.merged = [m.get("ref", "") for m in root.iterfind("m:mergeCells/m:mergeCell", NS)]
        shared_formulas: dict[str, tuple[str, str]] = {}
        found = sheet.cells
        for c in _CONTENT_CELLS(root):
            ref = c.get("r")
            if ref is None:  # a writer that leaves references out: number them all, start again
                found.clear()
                shared_formulas.clear()
                for numbered in _number_cells(root):
                    cell = self._cell(numbered, shared_formulas)
                    if cell is not None:
                        found[numbered.get("r")] = cell
                break
            cell = self._cell(c, shared_formulas)
            if cell is not None:
                found[ref] = cell
        return sheet


#: Sections of a worksheet perfxl never reads: in a template they are half the sheet's XML.
_UNREAD_SECTIONS = (b"dataValidations", b"conditionalFormatting", b"extLst")


def _without_unread_sections(data: bytes) -> bytes:
    """The sheet XML without data validations, conditional formats and extensions.

    They come after the cells, so only the part after ``</sheetData>`` is searched, and only when
    no comment or CDATA section reaches into it (a look-alike tag could hide there); otherwise the
    cut is exact, because '<' cannot appear unescaped in text or attribute values. Plain ``find``
    keeps this far cheaper than the parsing it saves.
    """
    tail = data.find(b"</sheetData>")
    if tail < 0 or b"-->" in data[tail:] or b"]]>" in data[tail:]:
        return data
    cuts = []
    for tag in _UNREAD_SECTIONS:
        position = tail
        while (start := data.find(b"<" + tag, position)) >= 0:
            close = data.find(b">", start)
            following = data[start + 1 + len(tag):start + 2 + len(tag)]
            if close < 0 or following not in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
                position = start + 1  # a longer tag name that merely starts the same
                continue
            if data[close - 1:close] == b"/":
                end = close + 1
            else:
                end = data.find(b"</" + tag + b">", close)
                if end < 0:
                    return data  # malformed: let the parser say so
                end += len(tag) + 3
            cuts.append((start, end))
            position = end
    if not cuts:
        return data
    kept, position = [], 0
    for start, end in sorted(cuts):
        if start < position:
            return data  # overlapping sections: not a well-formed sheet, parse it whole
        kept.append(data[position:start])
        position = end
    kept.append(data[position:])
    return b"".join(kept)


def to_field(ref: str, cell: Cell | None) -> Field:
    """A table field from a cell: what it shows, its formula and, for a percentage, its precision."""
    f = Field(cell=ref)
    if cell is not None:
        f.formula = cell.formula
        f.shown_places = cell.percent_places
        f.assign(cell.shown)
    return f


def _percent_places(code: str) -> int | None:
    """Decimals of the fraction a number format shows when it is a percentage: '0.00%' → 4."""
    section = re.sub(r'"[^"]*"|\\.|\[[^]]*\]', "", code.split(";")[0])
    if "%" not in section:
        return None
    number = section.split("%")[0]
    decimals = number.split(".")[1] if "." in number else ""
    return sum(1 for ch in decimals if ch in "0#?") + 2


def excel_number(raw: str) -> Decimal:
    """A stored number at Excel's 15 significant digits: '76.510000000000005' is 76.51."""
    value = Decimal(raw)
    if len(raw) <= 15:  # fewer characters than 16 digits: nothing to round (the common case)
        return value
    digits = value.as_tuple().digits
    if len(digits) > 15 and value.is_finite() and value:
        value = +value.quantize(Decimal(1).scaleb(value.adjusted() - 14))
        value = value.normalize() if value == value.to_integral_value() else value
        value = Decimal(format(value, "f").rstrip("0").rstrip(".")) if "." in format(value, "f") else value
    return value


_CONTENT_CELLS = etree.XPath("m:sheetData/m:row/m:c[m:v or m:f or m:is]", namespaces={"m": NS["m"]})


def _number_cells(root: etree._Element) -> Iterator[etree._Element]:
    """Give every cell its reference where the writer left them out (they are then positional)."""
    for row_number, row in enumerate(root.iterfind("m:sheetData/m:row", NS), start=1):
        current_row = int(row.get("r") or row_number)
        column = 0
        for c in row.iterfind(_M + "c"):
            column = column_index(c.get("r")) if c.get("r") else column + 1
            c.set("r", f"{column_letter(column)}{current_row}")
            if len(c):
                yield c


def _formula(node: etree._Element | None, ref: str, shared: dict[str, tuple[str, str]]) -> str | None:
    if node is None:
        return None
    text = node.text or ""
    if node.get("t") == "shared":
        index = node.get("si", "")
        if text:
            shared[index] = (text, ref)
            return text
        if index in shared:
            from openpyxl.formula.translate import Translator  # rare: only Excel writes these

            origin_text, origin_ref = shared[index]
            return Translator("=" + origin_text, origin=origin_ref).translate_formula(ref)[1:]
        return None
    if node.get("t") == "array" and not text:
        return None
    return text


def _rich_text(node: etree._Element) -> str:
    """Text of a shared or inline string, without phonetic runs."""
    parts = []
    for t in node.iter(_M + "t"):
        parent = t.getparent()
        if parent is not None and parent.tag == _M + "rPh":
            continue
        parts.append(t.text or "")
    return "".join(parts)


def _true(flag: str | None) -> bool:
    return flag in ("1", "true", "on")


# --- safety ---------------------------------------------------------------------------------------

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True)


def parse_xml(data: bytes, part: str) -> etree._Element:
    """Parse one XML part; any DTD is refused outright (no entity tricks are possible then)."""
    # A DTD must come before the root element; entities are never resolved by the parser anyway.
    if b"<!DOCTYPE" in data[:65536]:
        raise UnreadableWorkbook("xml_dtd", "part_dtd", part=part)
    try:
        return etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise UnreadableWorkbook("corrupt", "part_bad_xml", part=part, error=str(exc)) from None


def file_head(path: Path, limits: Limits, ole: tuple[str, str] | None = None) -> bytes:
    """The first bytes of a file about to be read, once it is known to exist, not be empty, not be an
    OLE2 file (``ole``, a reason code and a detail key, says what one is, else it is described as an
    old Excel file or an encrypted one) and not be over the size limit."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise UnreadableWorkbook("io", "open_failed", error=exc.strerror) from None
    if size == 0:
        raise UnreadableWorkbook("empty", "empty")
    if head == _OLE_SIGNATURE:
        raise UnreadableWorkbook(*(ole or _describe_ole(path)))
    if size > limits.max_file_bytes:
        raise UnreadableWorkbook("too_large", "too_large_mb", size_mb=size // 1024 // 1024)
    return head


def open_zip(path: Path, limits: Limits) -> zipfile.ZipFile:
    head = file_head(path, limits)
    if not head.startswith(b"PK"):
        raise UnreadableWorkbook("not_zip", "not_zip")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError):
        raise UnreadableWorkbook("truncated", "zip_unreadable") from None
    except OSError as exc:
        raise UnreadableWorkbook("io", "read_failed", error=str(exc)) from None
    try:
        check_zip(archive, limits)
    except Exception:
        archive.close()
        raise
    return archive


def check_zip(archive: zipfile.ZipFile, limits: Limits) -> None:
    check_zip_limits(archive, limits)
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names:
        raise UnreadableWorkbook("not_xlsx", "no_content_types")
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise UnreadableWorkbook("not_xlsx", "is_docx")
        if "ppt/presentation.xml" in names:
            raise UnreadableWorkbook("not_xlsx", "is_pptx")
        raise UnreadableWorkbook("not_xlsx", "no_workbook_xml")


def check_zip_limits(archive: zipfile.ZipFile, limits: Limits) -> None:
    """The limits every zip-based document is held to (.xlsx, .ods, .docx): parts, sizes, ratios, encryption."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise UnreadableWorkbook("zip_limits", "zip_entries", entries=len(infos), limit=limits.max_entries)
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_part_bytes:
            raise UnreadableWorkbook("zip_limits", "part_too_large", part=info.filename)
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_compression_ratio * max(
                info.compress_size, 1):
            raise UnreadableWorkbook("zip_bomb", "zip_bomb", part=info.filename)
        if info.flag_bits & 0x1:
            raise UnreadableWorkbook("encrypted", "encrypted")
    if total > limits.max_uncompressed_bytes:
        raise UnreadableWorkbook("zip_limits", "zip_total")


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    """Read one part, never more than its declared size (a lying header cannot inflate us)."""
    try:
        with archive.open(info) as handle:
            data = handle.read(limits.max_part_bytes + 1)
    except NotImplementedError as exc:
        raise UnreadableWorkbook("corrupt", "compression_unsupported", part=info.filename, error=str(exc)) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise UnreadableWorkbook("truncated", "part_truncated", part=info.filename, error=str(exc)) from None
    except RuntimeError as exc:  # encrypted member
        raise UnreadableWorkbook("encrypted", "member_encrypted", error=str(exc)) from None
    if len(data) > limits.max_part_bytes:
        raise UnreadableWorkbook("zip_limits", "part_too_large", part=info.filename)
    return data


def _describe_ole(path: Path) -> tuple[str, str]:
    """An OLE2 compound file is either a legacy .xls/.et or an encrypted .xlsx."""
    try:
        with path.open("rb") as handle:
            blob = handle.read(1024 * 1024)
    except OSError:
        blob = b""
    if "EncryptionInfo".encode("utf-16-le") in blob or "EncryptedPackage".encode("utf-16-le") in blob:
        return "encrypted", "encrypted_xlsx"
    return "legacy_xls", "legacy_xls"


# --- cell references ------------------------------------------------------------------------------

_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def column_index(ref: str) -> int:
    """'C5' → 3."""
    index = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            index = index * 26 + ord(ch) - 64
        else:
            break
    return index


def column_letter(index: int) -> str:
    """3 → 'C'."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def split_ref(ref: str) -> tuple[int, int]:
    """'C5' → (5, 3): row, column (1-based)."""
    match = _REF.match(ref.upper())
    if not match:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(match.group(2)), column_index(match.group(1))


def cell_ref(row: int, column: int) -> str:
    return f"{column_letter(column)}{row}"
