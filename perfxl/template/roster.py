"""Rosters: one prefilled, locked template per department, and a manifest to match them back.

A roster is a table (.xlsx or .csv) with a department code and name per row, optionally the
budget figures 年初预算数/全年预算数/全年执行数. Every row is checked before anything is written; a
bad roster is reported by row and no template is written.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

from perfxl import __version__
from perfxl.files import atomic_write_bytes, atomic_write_text
from perfxl.numbers import normalise_text, parse_number
from perfxl.scheme import Scheme, load_scheme
from perfxl.targets import Prefilled, Targets, TargetsError, place, title_key
from perfxl.template.layout import TEMPLATE_VERSION, build_layout, project_sheet_name
from perfxl.template.writer import base_template, build_template, stamp

CODE_COLUMNS = ("部门编码", "部门代码", "单位编码", "单位代码", "编码", "代码", "code")
NAME_COLUMNS = ("部门名称", "单位名称", "部门(单位)名称", "预算单位名称", "名称", "部门", "单位", "name")
PROJECT_COLUMNS = ("项目名称", "项目", "project", "projects")
_PROJECT_SEPARATORS = re.compile(r"[、；;\n]+")
AMOUNT_COLUMNS = {"initial": ("年初预算数",), "budget": ("全年预算数", "调整后预算数"),
                  "executed": ("全年执行数", "预算执行数")}
MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"


class RosterError(ValueError):
    """A roster that cannot be used; ``problems`` lists (row, Chinese, English) for every bad row."""

    def __init__(self, problems: list[tuple[int | None, str, str]]):
        self.problems = problems
        super().__init__(self.message("zh"))

    def rows(self, lang: str = "zh") -> list[tuple[int | None, str]]:
        """(row, message) in ``lang``; row None for a problem of the whole roster."""
        return [(row, en if lang == "en" else zh) for row, zh, en in self.problems]

    def message(self, lang: str = "zh", doing: str = "templates") -> str:
        """Every problem, under a line saying what was not done: ``doing`` is "templates" (none was
        written) or "review" (a review with this roster was not started)."""
        if lang == "en":
            lines = [f"row {row}: {text}" if row else text for row, text in self.rows("en")]
            head = "no template was written" if doing == "templates" else "the review was not started"
            return f"the roster has errors; {head}:\n" + "\n".join(lines)
        lines = [f"第 {row} 行：{text}" if row else text for row, text in self.rows("zh")]
        head = "未生成任何模板" if doing == "templates" else "未开始审核"
        return f"名单有误，{head}：\n" + "\n".join(lines)


@dataclass
class Department:
    row: int  # as the clerk sees it in Excel (or the line of a .csv)
    code: str
    name: str
    amounts: dict[str, Decimal]
    projects: tuple[str, ...] = ()  # one 项目支出绩效自评表 each


@dataclass
class ManifestEntry:
    code: str
    name: str
    file: str
    template_id: str
    sha256: str


#: Rows searched for the header: a title, the issuing office, a date or notes may come first.
HEADER_SEARCH_ROWS = 30
#: A line under the table that only says something (注：金额单位为万元): not a department.
NOTE_PREFIXES = ("注", "说明", "备注", "填表", "制表", "审核")


def read_roster(path: str | Path) -> list[Department]:
    """The departments of a roster, or RosterError naming every bad row.

    The header is the first row (of the first sheet) naming a code and a name column; rows above it
    (a title, notes) are left alone, and rows keep the numbers the clerk sees in Excel.
    """
    path = Path(path)
    rows = _rows(path)
    header_at = next((number for number, cells in rows[:HEADER_SEARCH_ROWS] if None not in _columns(cells)[:2]),
                     None)
    if header_at is None:
        first = next((cells for _, cells in rows if any(cells)), [])
        found = "、".join(cell for cell in first if cell) or "（空）"
        raise RosterError([(None, f"在名单的前 {HEADER_SEARCH_ROWS} 行中没有找到表头：应有一行同时含“部门编码”和“部门名称”"
                                  f"（第一行为：{found}）",
                            f"no header in the first {HEADER_SEARCH_ROWS} rows of the roster: one row must name "
                            f"both 部门编码 and 部门名称 (the first row holds: {found or '(empty)'})")])
    header = next(cells for number, cells in rows if number == header_at)
    code_col, name_col, project_col = _columns(header)
    amount_cols = {key: next((i for i, h in enumerate(header) if _header(h) in map(_header, names)), None)
                   for key, names in AMOUNT_COLUMNS.items()}
    problems: list[tuple[int | None, str, str]] = []
    departments: list[Department] = []
    seen: dict[str, int] = {}
    for row, cells in rows:
        if row <= header_at or _is_note(cells):
            continue

        def cell(index: int | None, cells: list[str] = cells) -> str:
            return cells[index].strip() if index is not None and index < len(cells) else ""

        code, name = cell(code_col), cell(name_col)
        if not any(c.strip() for c in cells):
            continue  # a blank line
        if not code:
            problems.append((row, "部门编码为空", "the department code is empty"))
        elif code in seen:
            problems.append((row, f"部门编码 {code} 与第 {seen[code]} 行重复",
                             f"department code {code} repeats row {seen[code]}"))
        else:
            seen[code] = row
        if not name:
            problems.append((row, "部门名称为空", "the department name is empty"))
        amounts: dict[str, Decimal] = {}
        for key, column in amount_cols.items():
            text = cell(column)
            if not text:
                continue
            number = parse_number(text)
            if number is None or number < 0:
                label = header[column]
                problems.append((row, f"“{label}”应为非负数（万元），实际为“{text}”",
                                 f"'{label}' must be a non-negative amount (万元), not '{text}'"))
            else:
                amounts[key] = number
        projects = cell(project_col)
        names = tuple(part.strip() for part in _PROJECT_SEPARATORS.split(projects) if part.strip())
        if len(set(names)) != len(names):
            problems.append((row, f"项目名称重复：{projects}", f"a project name repeats: {projects}"))
        departments.append(Department(row, code, name, amounts, names))
    if not departments and not problems:
        problems.append((None, "名单中没有部门", "the roster lists no department"))
    if problems:
        raise RosterError(problems)
    return departments


def _columns(header: list[str]) -> tuple[int | None, int | None, int | None]:
    """Where the code, name and project columns are in a row, if it is the header."""
    found = [_header(cell) for cell in header]

    def first(names: tuple[str, ...]) -> int | None:
        wanted = [_header(name) for name in names]
        return next((found.index(name) for name in wanted if name in found), None)

    return first(CODE_COLUMNS), first(NAME_COLUMNS), first(PROJECT_COLUMNS)


def _is_note(cells: list[str]) -> bool:
    filled = [cell.strip() for cell in cells if cell.strip()]
    return len(filled) == 1 and filled[0].startswith(NOTE_PREFIXES)


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    """(row number as the clerk sees it, the cells as text) of the roster's first sheet."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise RosterError([(None, f"名单应为 .xlsx 或 .csv 文件：{path.name}",
                            f"a roster is an .xlsx or .csv file: {path.name}")])
    try:
        if suffix == ".csv":
            reader = csv.reader(io.StringIO(_decode(path.read_bytes()), newline=""))
            return [(reader.line_num, row) for row in reader]
        import openpyxl

        book = openpyxl.load_workbook(path, data_only=True)
        try:
            sheet = book.worksheets[0]
            return [(number, [_cell_text(value) for value in values])
                    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)]
        finally:
            book.close()
    except RosterError:
        raise
    except Exception as exc:
        raise RosterError([(None, f"无法读取名单 {path.name}：{exc}", f"cannot read the roster {path.name}: {exc}")]) \
            from None


def _cell_text(value: object) -> str:
    """A cell as the clerk reads it: 101 not 101.0, a date as 2024-01-31."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    return str(value)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterError([(None, "名单文件编码无法识别（应为 UTF-8 或 GBK）",
                        "the roster's text encoding is not UTF-8 or GBK")])


def _header(text: object) -> str:
    return normalise_text(str(text)).replace("（", "(").replace("）", ")").lower()


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_name(department: Department) -> str:
    """'{code}_{name}.xlsx' with characters that file systems refuse replaced."""
    stem = _UNSAFE.sub("_", f"{department.code}_{department.name}").strip(" .")
    return f"{stem[:120]}.xlsx"


@dataclass
class RosterTemplates:
    entries: list[ManifestEntry]  # every department of the roster, in roster order
    written: list[ManifestEntry]  # those written by this run (the others were kept as they were)


def template_id(code: str, year: int) -> str:
    """The same department code and year always get the same id: templates already sent out still match."""
    return uuid.uuid5(_ID_NAMESPACE, f"{code}\x1f{year}").hex


_ID_NAMESPACE = uuid.UUID("6f9e6739-ce5c-4daa-85a0-7065726678cc")


def write_roster_templates(departments: list[Department], out_dir: str | Path, scheme: Scheme, year: int,
                           password: str | None = None, progress: Callable[[int], None] | None = None, *,
                           force: bool = False, project_scheme: Scheme | None = None,
                           targets: Targets | None = None) -> RosterTemplates:
    """One template per department in ``out_dir`` plus manifest.json/.csv.

    A file already there is kept as it is (a department may have returned it filled in) unless
    ``force``; ids do not change either way. New files are written to a temporary folder beside
    ``out_dir`` and moved in at the end, so an interrupted run leaves no partial set. With
    ``targets``, each template comes with its department's approved indicators prefilled and
    locked (a project with approved targets gets its table even if the roster does not name it);
    targets that do not fit a template raise TargetsError before anything is written.
    """
    import hashlib

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    base = base_template(scheme, year, password)
    projects_on = project_scheme or load_scheme("classic")
    placed: dict[str, dict[str, dict[int, Prefilled]]] = {}
    if targets is not None:
        departments = [with_target_projects(department, targets) for department in departments]
        problems: list[tuple[int | None, str, str]] = []
        for department in departments:  # every department's problems, before anything is written
            try:
                placed[department.code] = placed_targets(department, targets, scheme, projects_on)
            except TargetsError as exc:
                problems += exc.problems
        if problems:
            raise TargetsError(problems)
    result = RosterTemplates([], [])
    staging = Path(tempfile.mkdtemp(prefix=".perfxl-roster-", dir=out))
    try:
        names = set()
        for department in departments:
            name = file_name(department)
            if name in names:
                name = name[:-5] + f"_{department.row}.xlsx"
            names.add(name)
            identity = template_id(department.code, year)
            if (out / name).exists() and not force:
                data = (out / name).read_bytes()
            else:
                indicators = placed.get(department.code) or None
                if department.projects:
                    data, _ = build_template(scheme, department.name, year, password, department.amounts,
                                             tuple((p, projects_on) for p in department.projects), identity,
                                             department.code if indicators else "", indicators)
                else:
                    data, _ = stamp(base, department.name, department.amounts, identity,
                                    department.code if indicators else "",
                                    (indicators or {}).get(base.layout.sheet))
                (staging / name).write_bytes(data)
            entry = ManifestEntry(department.code, department.name, name, identity, hashlib.sha256(data).hexdigest())
            result.entries.append(entry)
            if (staging / name).exists():
                result.written.append(entry)
            if progress:
                progress(1)
        for entry in result.written:
            (staging / entry.file).replace(out / entry.file)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_manifest(out, result.entries, scheme, year)
    return result


def with_target_projects(department: Department, targets: Targets) -> Department:
    """The department with a project table for every project it has approved targets for."""
    named = {title_key(project) for project in department.projects}
    extra = tuple(p for p in targets.projects(department.code, department.name) if title_key(p) not in named)
    if not extra:
        return department
    return Department(department.row, department.code, department.name, department.amounts,
                      department.projects + extra)


def placed_targets(department: Department, targets: Targets, scheme: Scheme,
                   project_scheme: Scheme) -> dict[str, dict[int, Prefilled]]:
    """sheet → row → approved indicator, for the department's template; TargetsError (naming the
    department) when they do not fit."""
    approved = targets.for_department(department.code, department.name)
    sheets = [(build_layout(scheme), scheme, "")]
    sheets += [(build_layout(project_scheme, project, project_sheet_name(index, project)), project_scheme, project)
               for index, project in enumerate(department.projects, start=1)]
    placed: dict[str, dict[int, Prefilled]] = {}
    problems: list[tuple[int | None, str, str]] = []
    for layout, on, project in sheets:
        mine = [i for i in approved if title_key(i.project) == title_key(project)]
        try:
            rows = place(mine, on, layout.rows).rows if mine else {}
        except TargetsError as exc:
            problems += [(row, f"{department.name}：{zh}", f"{department.name}: {en}") for row, zh, en in exc.problems]
            continue
        if rows:
            placed[layout.sheet] = rows
    if problems:
        raise TargetsError(problems)
    return placed


def write_manifest(out: Path, entries: list[ManifestEntry], scheme: Scheme, year: int) -> None:
    manifest = {"perfxl_version": __version__, "template_version": TEMPLATE_VERSION, "scheme": scheme.name,
                "year": year, "departments": [asdict(entry) for entry in entries]}
    atomic_write_text(out / MANIFEST_JSON, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["部门编码", "部门名称", "文件", "模板编号", "SHA-256"])
    for entry in entries:
        writer.writerow([entry.code, entry.name, entry.file, entry.template_id, entry.sha256])
    atomic_write_bytes(out / MANIFEST_CSV, ("\ufeff" + buffer.getvalue()).encode("utf-8"))
