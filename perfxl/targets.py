"""Approved performance targets (批复的绩效目标): what each department was allowed to promise.

A bureau approves, per department (and per project), the indicators of its self-evaluation table:
their 一级/二级/三级指标, the 指标值 and the 分值. The targets file lists them one a row (.xlsx or
.csv, Chinese headers); every row is checked before the file is used, as a roster is, and a bad
file is reported row by row. Templates are prefilled from it (:func:`place`) and tables are
compared with it (:mod:`perfxl.checking.targets`); both sides name and compare indicators through
the same normalisation (:func:`name_key`, :func:`group_key`, :func:`target_value`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from perfxl.checking.recompute import is_dated_text
from perfxl.numbers import normalise_text, parse_number, parse_quantity
from perfxl.scheme import Scheme
from perfxl.scheme.rules import OPERATORS, QUALITATIVE

CODE_COLUMNS = ("部门编码", "部门代码", "单位编码", "单位代码", "编码", "code")
NAME_COLUMNS = ("部门名称", "单位名称", "部门(单位)名称", "预算单位名称")
PROJECT_COLUMNS = ("项目名称", "项目", "project")
LEVEL1_COLUMNS = ("一级指标",)
LEVEL2_COLUMNS = ("二级指标",)
NAME3_COLUMNS = ("三级指标", "指标名称", "三级指标名称")
TARGET_COLUMNS = ("指标值", "年度指标值", "目标值", "年度目标值")
UNIT_COLUMNS = ("度量单位", "计量单位", "单位")
WEIGHT_COLUMNS = ("分值", "权重", "指标分值")
OP_COLUMNS = ("符号", "计算符号", "指标值符号")
HEADER_SEARCH_ROWS = 30
NOTE_PREFIXES = ("注", "说明", "备注", "填表", "制表", "审核")


class TargetsError(ValueError):
    """A targets file that cannot be used; ``problems`` lists (row, Chinese, English) for every bad row."""

    def __init__(self, problems: list[tuple[int | None, str, str]]):
        self.problems = problems
        super().__init__(self.message("zh"))

    def message(self, lang: str = "zh") -> str:
        """Every problem, under a line saying that the file was not used."""
        if lang == "en":
            lines = [f"row {row}: {en}" if row else en for row, _, en in self.problems]
            return "the approved targets file has errors; it was not used:\n" + "\n".join(lines)
        lines = [f"第 {row} 行：{zh}" if row else zh for row, zh, _ in self.problems]
        return "批复绩效目标文件有误，未使用：\n" + "\n".join(lines)


@dataclass(frozen=True)
class ApprovedIndicator:
    """One approved indicator. ``project`` blank: the department's overall table (部门整体)."""

    row: int  # as the clerk sees it in Excel (or the line of a .csv)
    code: str
    department: str  # the name, when the file gives one (matching without a roster)
    project: str
    level1: str
    level2: str
    name: str
    target: str  # the 指标值 as written: '≥95%', '提升'
    unit: str
    weight: Decimal
    op: str = ""  # an operator given in its own column

    @property
    def value(self) -> TargetValue:
        return target_value(self.target, self.unit, self.op)

    @property
    def group(self) -> str:
        """'产出指标/数量指标', as messages name the group."""
        return f"{self.level1}/{self.level2}"


@dataclass
class Targets:
    """Every approved indicator of the file, in file order, and the file's content hash."""

    indicators: list[ApprovedIndicator]
    sha256: str = ""

    def for_department(self, code: str | None, name: str = "") -> list[ApprovedIndicator]:
        """The department's approved indicators: by code, else by the name the file gives (a round
        without a roster knows departments by name only)."""
        if code:
            found = [i for i in self.indicators if i.code == code]
            if found:
                return found
        key = department_key(name)
        return [i for i in self.indicators if key and department_key(i.department) == key]

    def projects(self, code: str, name: str = "") -> tuple[str, ...]:
        """The projects the department has approved targets for, in file order."""
        seen: dict[str, str] = {}
        for indicator in self.for_department(code, name):
            if indicator.project:
                seen.setdefault(title_key(indicator.project), indicator.project)
        return tuple(seen.values())


# --- normalisation: one place for both sides ------------------------------------------------------

_NAME_PREFIX = re.compile(r"^(?:指标\d+[:.、)]?|\d+[:.、)]|\(\d+\)|[一二三四五六七八九十]+[、.:])")
_WEIGHT_SUFFIX = re.compile(r"\(\d+(?:\.\d+)?分\)")


def name_key(text: str) -> str:
    """An indicator's name as compared: full-width folded, no spaces or punctuation, no '指标1：' or
    '（1）' numbering: '《强国复兴有我》巡回宣讲' ~ '强国复兴有我 巡回宣讲'."""
    folded = normalise_text(text)
    folded = _NAME_PREFIX.sub("", folded)
    return "".join(ch for ch in folded if not unicodedata.category(ch).startswith(("P", "Z"))).lower()


def group_key(label: str) -> str:
    """A 一级/二级 label as compared: '产出指标（50分）' ~ '产出' ~ '产出指标'."""
    key = name_key(_WEIGHT_SUFFIX.sub("", normalise_text(label)))
    return key[:-2] if key.endswith("指标") and len(key) > 2 else key


def title_key(title: str) -> str:
    """A project's name as compared (as the round compares documents' titles)."""
    return normalise_text(title or "").replace("（", "(").replace("）", ")").strip("　 ")


def department_key(name: str) -> str:
    return title_key(name)


@dataclass(frozen=True)
class TargetValue:
    """A 指标值 reduced to what is compared: operator, number (a percentage as a fraction) and unit;
    or, for a qualitative target, its text."""

    op: str
    number: Decimal | None
    unit: str
    text: str

    def same_as(self, other: TargetValue) -> bool:
        """Equal as targets: numbers as numbers; an operator or unit left out on one side is no change."""
        if (self.number is None) != (other.number is None):
            return False
        if self.number is None:
            return self.text == other.text
        if self.op and other.op and self.op != other.op:
            return False
        if self.unit and other.unit and self.unit != other.unit:
            return False
        return self.number == other.number

    def shown(self) -> str:
        """'≥95%', '≤476.74万元', '提升': as a message shows it."""
        if self.number is None:
            return self.text
        number = self.number * 100 if self.unit == "%" else self.number
        return f"{self.op}{format(number.normalize(), 'f')}{self.unit}"


def target_value(text: object, unit: str = "", op: str = "", number: Decimal | None = None) -> TargetValue:
    """The comparable form of a target. ``number`` is a cell that holds a number (a template's
    95% is 0.95); else ``text`` is read: '≥95%', '12次', '≤476.74' with ``unit`` '万元'."""
    op = _operator(op)
    unit = normalise_text(unit).replace("％", "%")
    raw = normalise_text("" if text is None else str(text))
    if op == QUALITATIVE:
        return TargetValue("", None, "", raw)
    if number is None:
        parsed = parse_quantity(raw) if raw and not is_dated_text(raw) else None
        if parsed is None:
            return TargetValue("", None, "", raw)
        written_op, number, written_unit = parsed
        op = op or written_op
        if written_unit:
            unit = written_unit
        elif unit == "%":
            number = number / 100  # '95' under a unit column '%'
    elif unit == "%" and abs(number) > 1:
        number = number / 100  # 95 typed into a cell with the unit '%'
    return TargetValue(op, number, unit, raw)


def _operator(text: str) -> str:
    op = normalise_text(text)
    op = {">=": "≥", "<=": "≤", "==": "="}.get(op, op)
    return op if op in OPERATORS else ""


# --- reading the file -----------------------------------------------------------------------------

def read_targets(path: str | Path) -> Targets:
    """The approved indicators of a targets file, or TargetsError naming every bad row.

    The header is the first row (of the first sheet) naming the department code, 三级指标, 指标值 and
    分值 columns; rows above it (a title) are left alone; rows keep the numbers Excel shows.
    """
    path = Path(path)
    rows = _rows(path)
    header_at = next((number for number, cells in rows[:HEADER_SEARCH_ROWS] if _is_header(cells)), None)
    if header_at is None:
        raise TargetsError([(None, f"在前 {HEADER_SEARCH_ROWS} 行中没有找到表头：应有一行同时含“部门编码”“一级指标”"
                                   "“二级指标”“三级指标”“指标值”“分值”",
                             f"no header in the first {HEADER_SEARCH_ROWS} rows: one row must name 部门编码, "
                             "一级指标, 二级指标, 三级指标, 指标值 and 分值")])
    header = next(cells for number, cells in rows if number == header_at)
    columns = _columns(header)
    problems: list[tuple[int | None, str, str]] = []
    indicators: list[ApprovedIndicator] = []
    seen: dict[tuple[str, str, str, str, str], int] = {}
    for row, cells in rows:
        if row <= header_at or not any(c.strip() for c in cells) or _is_note(cells):
            continue
        values = {key: (cells[i].strip() if i is not None and i < len(cells) else "") for key, i in columns.items()}
        indicator = _indicator(row, values, problems)
        if indicator is None:
            continue
        key = (indicator.code, title_key(indicator.project), group_key(indicator.level1),
               group_key(indicator.level2), name_key(indicator.name))
        if key in seen:
            problems.append((row, f"指标“{indicator.name}”与第 {seen[key]} 行重复",
                             f"the indicator '{indicator.name}' repeats row {seen[key]}"))
            continue
        seen[key] = row
        indicators.append(indicator)
    if not indicators and not problems:
        problems.append((None, "文件中没有批复的指标", "the file lists no approved indicator"))
    if problems:
        raise TargetsError(problems)
    return Targets(indicators, hashlib.sha256(path.read_bytes()).hexdigest())


_REQUIRED = (("code", "部门编码", "the department code"), ("level1", "一级指标", "一级指标 (first level)"),
             ("level2", "二级指标", "二级指标 (second level)"), ("name", "三级指标", "三级指标 (the indicator)"),
             ("target", "指标值", "指标值 (the target)"))


def _indicator(row: int, values: dict[str, str], problems: list) -> ApprovedIndicator | None:
    """One row as an indicator, or None with its problems added."""
    before = len(problems)
    for key, zh, en in _REQUIRED:
        if not values[key]:
            problems.append((row, f"{zh}为空", f"{en} is empty"))
    weight = parse_number(values["weight"]) if values["weight"] else None
    if not values["weight"]:
        problems.append((row, "分值为空", "分值 (the weight) is empty"))
    elif weight is None or weight < 0 or weight > 100:
        problems.append((row, f"分值应为 0–100 的数字，实际为“{values['weight']}”",
                         f"分值 must be a number from 0 to 100, not '{values['weight']}'"))
    if values["op"] and not _operator(values["op"]):
        problems.append((row, f"符号应为 ≥ > = ≤ < 定性 之一，实际为“{values['op']}”",
                         f"the operator must be one of ≥ > = ≤ < 定性, not '{values['op']}'"))
    if len(problems) > before or weight is None:
        return None
    return ApprovedIndicator(row, values["code"], values["department"], values["project"], values["level1"],
                             values["level2"], values["name"], values["target"], values["unit"], weight,
                             values["op"])


def _header(text: str) -> str:
    return normalise_text(text).replace("（", "(").replace("）", ")").lower()


def _columns(header: list[str]) -> dict[str, int | None]:
    found = [_header(cell) for cell in header]

    def first(names: tuple[str, ...]) -> int | None:
        return next((found.index(_header(name)) for name in names if _header(name) in found), None)

    return {"code": first(CODE_COLUMNS), "department": first(NAME_COLUMNS), "project": first(PROJECT_COLUMNS),
            "level1": first(LEVEL1_COLUMNS), "level2": first(LEVEL2_COLUMNS), "name": first(NAME3_COLUMNS),
            "target": first(TARGET_COLUMNS), "unit": first(UNIT_COLUMNS), "weight": first(WEIGHT_COLUMNS),
            "op": first(OP_COLUMNS)}


def _is_header(cells: list[str]) -> bool:
    columns = _columns(cells)
    return all(columns[key] is not None for key in ("code", "level1", "level2", "name", "target", "weight"))


def _is_note(cells: list[str]) -> bool:
    filled = [cell.strip() for cell in cells if cell.strip()]
    return len(filled) == 1 and filled[0].startswith(NOTE_PREFIXES)


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    """(row number as the clerk sees it, the cells as text) of the file's first sheet."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise TargetsError([(None, f"批复绩效目标应为 .xlsx 或 .csv 文件：{path.name}",
                             f"an approved targets file is an .xlsx or .csv file: {path.name}")])
    try:
        if suffix == ".csv":
            reader = csv.reader(io.StringIO(_decode(path.read_bytes()), newline=""))
            return [(reader.line_num, row) for row in reader]
        import openpyxl

        book = openpyxl.load_workbook(path, data_only=True, read_only=True)
        try:
            sheet = book.worksheets[0]
            return [(number, [_cell_text(value) for value in values])
                    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)]
        finally:
            book.close()
    except TargetsError:
        raise
    except Exception as exc:
        raise TargetsError([(None, f"无法读取批复绩效目标 {path.name}：{exc}",
                             f"cannot read the approved targets {path.name}: {exc}")]) from None


def _cell_text(value: object) -> str:
    """A cell as the clerk reads it: 10 not 10.0; a percentage cell (0.95) stays a number."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TargetsError([(None, "文件编码无法识别（应为 UTF-8 或 GBK）", "the file's text encoding is not UTF-8 or GBK")])


# --- prefilling a template ------------------------------------------------------------------------

@dataclass(frozen=True)
class Prefilled:
    """What goes into one indicator row of a template: text, or a number (None: left blank, locked)."""

    name: str
    op: str | None
    target: Decimal | str | None
    unit: str | None
    weight: Decimal
    percent: bool = False  # the target is a fraction shown as a percentage


@dataclass
class Placement:
    """Approved indicators placed on a template sheet's rows (row → what it is prefilled with)."""

    rows: dict[int, Prefilled] = field(default_factory=dict)


def prefilled(indicator: ApprovedIndicator) -> Prefilled:
    """How an approved indicator is written into a template row: operator, number and unit apart,
    as the template asks a department to type them."""
    value = indicator.value
    if value.number is None:
        return Prefilled(indicator.name, QUALITATIVE, indicator.target.strip(), None, indicator.weight)
    return Prefilled(indicator.name, value.op or None, value.number, value.unit or None, indicator.weight,
                     percent=value.unit == "%")


def place(indicators: list[ApprovedIndicator], scheme: Scheme, rows: list) -> Placement:
    """Put each approved indicator on a row of its 一级/二级 group (``rows``: the layout's
    IndicatorRow list of one sheet), in file order; TargetsError for a group the scheme lacks or one
    with more approved indicators than the template has rows."""
    labels = {level.key: group_key(level.label) for level in scheme.levels}
    free: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        free.setdefault((labels.get(row.level, ""), group_key(row.group)), []).append(row.row)
    placement = Placement()
    problems: list[tuple[int | None, str, str]] = []
    full: set[tuple[str, str]] = set()
    for indicator in indicators:
        key = (group_key(indicator.level1), group_key(indicator.level2))
        if key in full:
            continue
        if key not in free:
            problems.append((indicator.row, f"方案 {scheme.name} 中没有“{indicator.group}”这一组指标",
                             f"scheme {scheme.name} has no group '{indicator.group}'"))
            full.add(key)
        elif not free[key]:
            count = sum(1 for i in indicators if (group_key(i.level1), group_key(i.level2)) == key)
            total = sum(1 for r in rows if (labels.get(r.level, ""), group_key(r.group)) == key)
            problems.append((indicator.row, f"“{indicator.group}”批复了 {count} 个指标，模板只有 {total} 行"
                                            "（可在方案文件中调大该组的 rows）",
                             f"'{indicator.group}' has {count} approved indicators but the template only "
                             f"{total} rows (raise the group's rows in a scheme file)"))
            full.add(key)
        else:
            placement.rows[free[key].pop(0)] = prefilled(indicator)
    if problems:
        raise TargetsError(problems)
    return placement
