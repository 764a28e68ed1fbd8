"""The reviewer's workbook (``--report FILE.xlsx``): who sent what, every finding, and charts.

A finance-bureau reviewer works from this file in Excel or WPS, so it is laid out for people:
Chinese sheet names, filters, frozen headers, widths that fit Chinese text, status colours and
charts drawn by Excel itself. Everything a department typed (names, paths, messages, values) is
written with ``write_string``, so a department called ``=HYPERLINK(…)`` stays text: shown as typed,
with Excel's hidden quote prefix when it looks like a formula, so that editing the cell keeps it text
too (the CSV, which has no cell types, prefixes an apostrophe instead). The workbook is built in
memory and appears atomically.
"""

from __future__ import annotations

import io
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from perfxl import codes
from perfxl.codes import LANGUAGES, render
from perfxl.files import atomic_write_bytes
from perfxl.model import DepartmentRow, FileResult, Finding
from perfxl.numbers import round_half_up
from perfxl.outputs.files import missing_text
from perfxl.scheme import load_scheme

FONT = "宋体"
SHEETS = {"zh": ("汇总", "问题明细", "统计"), "en": ("Summary", "Findings", "Statistics")}

SUMMARY_HEADERS = {
    "zh": ["部门编码", "部门名称", "文件", "申报总分", "复核总分", "评价等次", "错误数", "警告数", "状态",
           "材料（缺少、替换）", "问题明细"],
    "en": ["Code", "Department", "File", "Declared total", "Recomputed total", "Grade", "Errors",
           "Warnings", "Status", "Documents (missing, replaced)", "Findings"],
}
FINDING_HEADERS = {
    "zh": ["部门编码", "部门名称", "文件", "工作表", "单元格", "问题", "严重程度", "说明", "应为", "实为", "所在表格",
           "代码"],
    "en": ["Dept. code", "Department", "File", "Sheet", "Cell", "Finding", "Severity", "Message", "Expected",
           "Found", "Table", "Code"],
}
#: 问题明细 is printed: fixed widths (characters) that fit an A4 landscape page one page wide (LibreOffice
#: scales them by about 0.95, Excel not at all) with 10-point text wrapped in every column that holds
#: words, so that it prints at 9 points or more (tests/test_print_outputs.py measures the PDF). The
#: last column, the code, is for filtering on screen: the printed page ends with 所在表格.
FINDING_WIDTHS = (6, 11, 10, 7, 6, 10, 6, 28, 8, 8, 7, 12)
FINDING_PRINTED = 11  # columns printed
FINDING_WRAP = frozenset({0, 1, 2, 3, 5, 7, 8, 9, 10, 11})
FINDING_FONT_SIZE = 10
STATS_TEXT = {
    "zh": {"grade": "评价等次", "departments": "部门数", "level": "一级指标", "mean": "平均得分",
           "code": "代码", "finding": "问题", "count": "次数", "budget": "预算执行", "none": "未评定",
           "grade_title": "评价等次分布", "level_title": "各一级指标平均复核得分",
           "code_title": "问题出现次数（前 10 位）", "view": "查看（{n} 条）", "declared": "{grade}（申报：{declared}）"},
    "en": {"grade": "Grade", "departments": "Departments", "level": "Indicator", "mean": "Mean score",
           "code": "Code", "finding": "Finding", "count": "Count", "budget": "budget execution",
           "none": "no grade", "grade_title": "Departments by grade",
           "level_title": "Mean recomputed score by first-level indicator",
           "code_title": "Most frequent findings (top 10)", "view": "view ({n})",
           "declared": "{grade} (declared {declared})"},
}
SUMMARY_TEXT = {
    "zh": {"title": "{year}绩效自评表审核汇总", "year": "{year}年度", "date": "审核日期：{date}",
           "total": "合计", "departments": "{n} 个部门", "files": "{n} 个文件", "superseded": "被替换的文件 {n} 个",
           "missing": "缺：", "replaced": "已替换：{names}"},
    "en": {"title": "{year}Performance self-evaluation review: summary", "year": "{year} ",
           "date": "Reviewed on {date}", "total": "Total", "departments": "{n} departments",
           "files": "{n} files", "superseded": "{n} files superseded", "missing": "missing: ",
           "replaced": "superseded: {names}"},
}
SUMMARY_TOP = 2  # 汇总: the title and the date above the header row (0-based row of the header)
#: Text a spreadsheet program would read as a formula (or as a DDE payload) when typed or edited.
FORMULA_LEAD = ("=", "+", "-", "@")
#: The report lists grades in the standard scheme's order; another scheme's labels follow, sorted.
GRADES = tuple(band.label for band in load_scheme("standard").grades)
OTHER_GRADE_KEYS = ("none", "not_submitted", "unreadable")
GRADE_COLOURS = {"优": "#4E9A45", "良": "#5B9BD5", "中": "#F2B134", "差": "#D9534F", "none": "#7F7F7F",
                 "not_submitted": "#BFBFBF", "unreadable": "#9C0006"}

#: Fill and font colour of each kind of status: the colours Excel uses for good / neutral / bad.
STATUS_COLOURS = {
    "errors": ("#FFC7CE", "#9C0006"),
    "unreadable": ("#FFC7CE", "#9C0006"),
    "warnings": ("#FFEB9C", "#9C5700"),
    "clean": ("#C6EFCE", "#006100"),
    "not_submitted": ("#D9D9D9", "#404040"),
    "unmatched": ("#E4DFEC", "#5B3C88"),  # a file of no department on the roster: its own lavender
}
BORDER = {"border": 1, "border_color": "#BFBFBF", "valign": "top", "font_name": FONT}
MAX_LINKS = 65530  # Excel's limit of hyperlinks on one sheet
WIDTH_CAP = 40
LINE_SPACING = 1.5  # a line of wrapped text in points, per point of font size (CJK fonts run tall)
ROW_PADDING = 4  # points above and below a cell's lines: without it LibreOffice clips the last line


def write_report(path: str | Path, rows: list[DepartmentRow], lang: str = "zh", when: date | None = None) -> None:
    """Write the reviewer's workbook to ``path``, all or nothing; ``when`` is the round's date (today)."""
    atomic_write_bytes(path, build_report(rows, lang, when))


def build_report(rows: list[DepartmentRow], lang: str = "zh", when: date | None = None) -> bytes:
    """The workbook as bytes: built in memory so a failure leaves no file behind."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {
        "in_memory": True,
        # Defence in depth: even write() must never turn department text into formulas or links.
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "default_format_properties": {"font_name": FONT, "font_size": 11},
    })
    styles = _Styles(book)
    summary_name, findings_name, stats_name = SHEETS[lang]
    summary = book.add_worksheet(summary_name)
    findings = book.add_worksheet(findings_name)
    stats = book.add_worksheet(stats_name)
    finding_table = _Table(findings, FINDING_HEADERS[lang], _Styles(book, FINDING_FONT_SIZE), wrap=FINDING_WRAP,
                           fixed=dict(enumerate(FINDING_WIDTHS)))
    first_rows = _write_findings(finding_table, rows, lang)
    summary_table = _Table(summary, SUMMARY_HEADERS[lang], styles, caps={2: 50}, wrap=frozenset({1, 9}),
                           top=SUMMARY_TOP)
    _write_summary_title(summary, styles, rows, lang, when or date.today())
    _write_summary(summary_table, rows, first_rows, findings_name, lang)
    _write_statistics(book, stats, rows, lang, styles)
    book.close()
    return buffer.getvalue()


# --- cells -----------------------------------------------------------------------------------------


def text_width(text: str) -> int:
    """Width in Excel units: a CJK (wide) character takes two, so Chinese columns are not cut off."""
    lines = str(text).splitlines() or [""]
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line) for line in lines)


class _Styles:
    """The workbook's formats, made once (Excel limits how many a file may hold)."""

    def __init__(self, book: xlsxwriter.Workbook, size: int = 11):
        self.book = book
        self.size = size
        self.properties: dict[int, dict[str, Any]] = {}  # id(format) → what it was made from
        self._quoted: dict[int, Format] = {}
        add = self._add
        self.header = add({**BORDER, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True,
                           "valign": "vcenter", "align": "center"})
        self.text = add(BORDER)
        self.wrap = add({**BORDER, "text_wrap": True})
        self.code = add({**BORDER, "text_wrap": True, "font_color": "#7F7F7F"})  # the code after the words
        self.score = add({**BORDER, "num_format": "0.00"})
        self.rate = add({**BORDER, "num_format": "0.00%"})
        self.count = add({**BORDER, "num_format": "0"})
        self.link = add({**BORDER, "font_color": "#0563C1", "underline": 1})
        self.status = {key: add({**BORDER, "bg_color": fill, "font_color": colour})
                       for key, (fill, colour) in STATUS_COLOURS.items()}
        self.severity = {"error": self.status["errors"], "warning": self.status["warnings"]}
        self.title = add({"font_name": FONT, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.subtitle = add({"font_name": FONT, "font_size": 11, "align": "center", "valign": "vcenter",
                             "font_color": "#404040"})
        total = {**BORDER, "bold": True, "bg_color": "#F2F2F2", "top": 2, "text_wrap": True}
        self.total = add(total)
        self.total_count = add({**total, "num_format": "0"})

    def _add(self, properties: dict[str, Any]) -> Format:
        properties = {"font_size": self.size, **properties}
        fmt = self.book.add_format(properties)
        self.properties[id(fmt)] = properties
        return fmt

    def quoted(self, fmt: Format) -> Format:
        """The same format with Excel's quote prefix: text that stays text when a reviewer edits it."""
        if id(fmt) not in self._quoted:
            self._quoted[id(fmt)] = self.book.add_format({**self.properties[id(fmt)], "quote_prefix": True})
        return self._quoted[id(fmt)]


class _Table:
    """A header row and data cells on one sheet, remembering the widest text of each column.

    Columns in ``wrap`` wrap their text; their rows get an explicit height, because neither Excel
    nor LibreOffice reliably grows a row for wrapped text in a file it did not write itself.
    """

    def __init__(self, sheet: Worksheet, headers: list[str], styles: _Styles, first_col: int = 0,
                 caps: dict[int, int] | None = None, wrap: frozenset[int] = frozenset(), top: int = 0,
                 fixed: dict[int, int] | None = None):
        self.sheet, self.headers, self.styles, self.first_col = sheet, headers, styles, first_col
        self.caps, self.wrap, self.top, self.fixed = caps or {}, wrap, top, fixed or {}
        self.widths = [text_width(h) for h in headers]
        self.wrapped: list[tuple[int, int, int]] = []  # (row, col, text width) in wrapping columns
        self.lines: dict[int, int] = {}  # rows that need this many lines, whatever their columns
        self.last_row = top
        for col, header in enumerate(headers):
            sheet.write_string(top, first_col + col, header, styles.header)

    def text(self, row: int, col: int, value: Any, fmt: Format | None = None) -> None:
        """Untrusted text, always stored as a string, never a formula: shown exactly as it is, with
        Excel's quote prefix when it starts like a formula (=, +, -, @)."""
        shown = "" if value is None else str(value)
        fmt = fmt or (self.styles.wrap if col in self.wrap else self.styles.text)
        if not shown:
            self.blank(row, col, fmt)
            return
        if shown.startswith(FORMULA_LEAD):
            fmt = self.styles.quoted(fmt)
        self.sheet.write_string(row, self.first_col + col, shown, fmt)
        self._seen(row, col, text_width(shown))
        if col in self.wrap:
            self.wrapped.append((row, col, text_width(shown)))

    def number(self, row: int, col: int, value: Decimal | int | None, fmt: Format | None = None) -> None:
        if value is None:
            self.blank(row, col, fmt)
            return
        self.sheet.write_number(row, self.first_col + col, float(value), fmt or self.styles.score)
        self._seen(row, col, len(f"{float(value):.2f}"))

    def value(self, row: int, col: int, value: Any, rate: bool = False) -> None:
        """An expected/found value: numbers stay numbers, everything else is text."""
        if isinstance(value, Decimal):
            self.number(row, col, value, self.styles.rate if rate else self.styles.score)
        elif isinstance(value, bool):
            self.text(row, col, "TRUE" if value else "FALSE")
        else:
            self.text(row, col, value)

    def blank(self, row: int, col: int, fmt: Format | None = None) -> None:
        self.sheet.write_blank(row, self.first_col + col, None, fmt or self.styles.text)
        self.last_row = max(self.last_row, row)

    def link(self, row: int, col: int, url: str, label: str) -> None:
        self.sheet.write_url(row, self.first_col + col, url, self.styles.link, label)
        self._seen(row, col, text_width(label))

    def column_width(self, col: int) -> int:
        if col in self.fixed:
            return self.fixed[col]
        return min(self.widths[col] + 2, self.caps.get(col, WIDTH_CAP))

    def finish(self, filter_last: int | None = None) -> None:
        """Column widths from the content (capped), row heights for wrapped text, filter (down to
        ``filter_last``, else the last row), printing."""
        for col in range(len(self.headers)):
            self.sheet.set_column(self.first_col + col, self.first_col + col, self.column_width(col))
        lines = dict(self.lines)
        for row, col, width in self.wrapped:
            lines[row] = max(lines.get(row, 1), wrapped_lines(width, self.column_width(col)))
        line = self.styles.size * LINE_SPACING
        for row, count in lines.items():
            if count > 1:
                self.sheet.set_row(row, line * count + ROW_PADDING)
        last = self.last_row if filter_last is None else filter_last
        self.sheet.autofilter(self.top, self.first_col, last, self.first_col + len(self.headers) - 1)
        _page_setup(self.sheet, self.top)

    def _seen(self, row: int, col: int, width: int) -> None:
        self.widths[col] = max(self.widths[col], width)
        self.last_row = max(self.last_row, row)


def wrapped_lines(width: int, column: int) -> int:
    """Lines text ``width`` wide wraps to in a column ``column`` wide (a character's worth of slack:
    wrapping breaks between characters, never inside one)."""
    return max(1, -(-width // max(column - 2, 1)))


def _page_setup(sheet: Worksheet, header: int = 0) -> None:
    """Frozen header on screen; on paper A4 landscape, one page wide, header repeated."""
    sheet.freeze_panes(header + 1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.6)
    sheet.repeat_rows(header)
    sheet.set_footer("&C&P / &N")


# --- 汇总 / 问题明细 ---------------------------------------------------------------------------------


def _write_findings(table: _Table, rows: list[DepartmentRow], lang: str) -> dict[int, int]:
    """One row per finding of each chosen submission; returns each department's first row (1-based)."""
    first_rows: dict[int, int] = {}
    row = 1
    for index, department in enumerate(rows):
        for result in department.files:  # every current file of the department, the lead one first
            for finding in result.findings:
                first_rows.setdefault(index, row + 1)
                _write_finding(table, row, department, result, finding, lang)
                row += 1
    table.finish()
    table.sheet.print_area(0, 0, max(row - 1, 1), FINDING_PRINTED - 1)
    return first_rows


def _write_finding(table: _Table, row: int, department: DepartmentRow, result: FileResult,
                   finding: Finding, lang: str) -> None:
    table.text(row, 0, department.code)
    table.text(row, 1, department.name)
    table.text(row, 2, result.path)
    table.text(row, 3, finding.sheet)
    table.text(row, 4, finding.cell)
    table.text(row, 5, codes.label(finding.code, lang))
    table.text(row, 6, codes.severity_label(finding.severity, lang), table.styles.severity[finding.severity])
    table.text(row, 7, render(finding, lang))
    rate = codes.is_rate(finding)
    expected, found = codes.printed_values(finding)  # values, never a whole formula
    table.value(row, 8, expected, rate)
    table.value(row, 9, found, rate)
    only = result.tables[0] if len(result.tables) == 1 else None
    table.text(row, 10, finding.table or (only.name if only and finding.sheet == only.sheet else ""))
    table.text(row, 11, finding.code, table.styles.code)


def _write_summary_title(sheet: Worksheet, styles: _Styles, rows: list[DepartmentRow], lang: str,
                         when: date) -> None:
    """The two lines above the 汇总 table: what it is (the round's year, if the files agree) and when."""
    text = SUMMARY_TEXT[lang]
    years = Counter(r.year for r in _chosen(rows) if r.year)
    year = text["year"].format(year=years.most_common(1)[0][0]) if years else ""
    last = len(SUMMARY_HEADERS[lang]) - 1
    sheet.merge_range(0, 0, 0, last, text["title"].format(year=year), styles.title)
    sheet.merge_range(1, 0, 1, last, text["date"].format(date=when.isoformat()), styles.subtitle)
    sheet.set_row(0, 30)
    sheet.set_row(1, 20)


def _write_summary(table: _Table, rows: list[DepartmentRow], first_rows: dict[int, int],
                   findings_sheet: str, lang: str) -> None:
    with_roster = _has_roster(rows)
    links = 0
    for index, department in enumerate(rows):
        row = table.top + index + 1
        _write_department(table, row, department, with_roster, lang)
        result = department.result
        if index in first_rows and result is not None and links < MAX_LINKS:
            label = STATS_TEXT[lang]["view"].format(n=sum(len(f.findings) for f in department.files))
            table.link(row, 10, f"internal:'{findings_sheet}'!A{first_rows[index]}", label)
            links += 1
        else:
            table.blank(row, 10)
    last = table.top + len(rows)
    _write_totals(table, last + 1, rows, with_roster, lang)
    table.finish(filter_last=last)  # the filter and a sort leave the totals row where it is


def _write_department(table: _Table, row: int, department: DepartmentRow, with_roster: bool,
                      lang: str) -> None:
    result = department.result
    table.text(row, 0, department.code)
    table.text(row, 1, department.name)
    others = [f.path for f in department.files if f is not result]
    table.text(row, 2, "\n".join([result.path, *others]) if result else "")
    table.number(row, 3, result.declared_total if result else None)
    table.number(row, 4, result.computed_total if result else None)
    table.text(row, 5, _grade_text(result, lang))
    if result is None:
        table.blank(row, 6)
        table.blank(row, 7)
    else:
        severities = Counter(f.severity for current in department.files for f in current.findings)
        table.number(row, 6, severities["error"], table.styles.count)
        table.number(row, 7, severities["warning"], table.styles.count)
    label = _status_label_key(department, with_roster)
    table.text(row, 8, codes.status_label(label, lang), table.styles.status.get(label))
    table.text(row, 9, _documents_text(department, lang))


def _documents_text(department: DepartmentRow, lang: str) -> str:
    """What the department sent (current documents by kind), what it did not, which files were replaced."""
    text = SUMMARY_TEXT[lang]
    kinds = ([d.kind for d in department.documents if d.replaced_by is None] if department.documents
             else [d["kind"] for f in department.files for d in f.documents()])
    lines = [codes.documents_summary(kinds, lang)]
    if department.missing:
        separator = "、" if lang == "zh" else "; "
        lines.append(text["missing"] + separator.join(missing_text(m.kind, m.title, m.reason, lang)
                                                      for m in department.missing))
    if department.superseded:
        separator = "、" if lang == "zh" else "; "
        lines.append(text["replaced"].format(names=separator.join(Path(r.path).name for r in department.superseded)))
    return "\n".join(line for line in lines if line)


def _write_totals(table: _Table, row: int, rows: list[DepartmentRow], with_roster: bool, lang: str) -> None:
    """The totals row under the 汇总 table: departments, files, grades, findings and statuses counted."""
    text, styles, separator = SUMMARY_TEXT[lang], table.styles, "\n"
    departments = [r for r in rows if not _is_unmatched(r, with_roster)]
    results = [f for r in rows for f in r.files]
    grades = Counter(r.result.computed_grade for r in rows if r.result is not None and r.result.computed_grade)
    order = [*GRADES, *sorted(set(grades) - set(GRADES))]
    statuses = Counter(_status_label_key(r, with_roster) for r in rows)
    severities = Counter(f.severity for result in results for f in result.findings)
    cells = {0: text["total"], 1: text["departments"].format(n=len(departments)),
             2: text["files"].format(n=len(results)),
             5: separator.join(f"{grade} {grades[grade]}" for grade in order if grades[grade]),
             8: separator.join(f"{codes.status_label(key, lang)} {statuses[key]}"
                               for key in codes.STATUSES if statuses[key]),
             9: text["superseded"].format(n=sum(len(r.superseded) for r in rows))}
    for col in range(len(table.headers)):
        if col in (6, 7):
            table.number(row, col, severities["error" if col == 6 else "warning"], styles.total_count)
        elif col in cells:
            table.text(row, col, cells[col], styles.total)
        else:
            table.blank(row, col, styles.total)
    table.lines[row] = max(str(value).count("\n") + 1 for value in cells.values())


def _status_label_key(department: DepartmentRow, with_roster: bool) -> str:
    """A row's status (its label and colour): its chosen submission's, not submitted, or unmatched."""
    if department.result is None:
        return "not_submitted"
    return "unmatched" if _is_unmatched(department, with_roster) else department.result.status


def _has_roster(rows: list[DepartmentRow]) -> bool:
    """Rows of a round with a roster (some have a code or were not submitted), not just files."""
    return any(r.code is not None or r.status == "not_submitted" for r in rows)


def _is_unmatched(department: DepartmentRow, with_roster: bool) -> bool:
    """A submitted file that matches no department of the roster."""
    return with_roster and department.code is None and department.result is not None


def _grade_text(result: FileResult | None, lang: str) -> str:
    """The recomputed grade; the declared one beside it when the department claimed another."""
    if result is None:
        return ""
    grade = result.computed_grade or ""
    declared = result.declared_grade
    if declared and declared != grade:
        return STATS_TEXT[lang]["declared"].format(grade=grade, declared=declared)
    return grade


# --- 统计 ------------------------------------------------------------------------------------------


def grade_counts(rows: list[DepartmentRow], lang: str = "zh") -> list[tuple[str, str, int]]:
    """(key, label, departments) per recomputed grade, then no grade, not submitted and unreadable."""
    counts: Counter[str] = Counter()
    for department in _counted(rows):
        result = department.result
        if result is None:
            counts["not_submitted"] += 1
        elif result.status == "unreadable":
            counts["unreadable"] += 1
        else:
            counts[result.computed_grade or "none"] += 1
    others = sorted(k for k in counts if k not in GRADES and k not in OTHER_GRADE_KEYS)
    out = [(g, g, counts[g]) for g in (*GRADES, *others)]
    if counts["none"]:
        out.append(("none", STATS_TEXT[lang]["none"], counts["none"]))
    out += [(key, codes.status_label(key, lang), counts[key]) for key in ("not_submitted", "unreadable")]
    return out


def level_means(rows: list[DepartmentRow], lang: str = "zh") -> list[tuple[str, Decimal, int]]:
    """Mean recomputed score of each first-level indicator (and 预算执行) over the departments having it.

    Schemes weigh the same indicator differently (产出 40 in standard, 50 in classic), so when a
    round mixes schemes each indicator is averaged per scheme and labelled with it.
    """
    chosen = _chosen(rows)
    mixed = len({result.scheme for result in chosen if result.level_scores}) > 1
    sums: dict[str, list[Decimal]] = {}
    budget: dict[str, list[Decimal]] = {}

    def label_of(name: str, result: FileResult) -> str:
        if not mixed:
            return name
        return f"{name}（{result.scheme}）" if lang == "zh" else f"{name} ({result.scheme})"

    for result in chosen:
        for name, score in result.level_scores.items():
            sums.setdefault(label_of(name, result), []).append(score)
        if result.budget_score is not None:
            budget.setdefault(label_of(STATS_TEXT[lang]["budget"], result), []).append(result.budget_score)
    sums.update(budget)  # last, as on the scoring table's own summary
    return [(label, round_half_up(sum(scores) / len(scores), 2), len(scores)) for label, scores in sums.items()]


def top_codes(rows: list[DepartmentRow], limit: int = 10) -> list[tuple[str, int]]:
    """The most frequent finding codes of the departments' current files, most frequent first."""
    counts = Counter(f.code for row in _counted(rows) for result in row.files for f in result.findings)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def _chosen(rows: list[DepartmentRow]) -> list[FileResult]:
    """The submissions the statistics count: each department's chosen one (see :func:`_counted`)."""
    return [r.result for r in _counted(rows) if r.result is not None]


def _counted(rows: list[DepartmentRow]) -> list[DepartmentRow]:
    """The rows statistics count: not files unmatched to the roster, nor superseded submissions."""
    with_roster = _has_roster(rows)
    return [r for r in rows if not _is_unmatched(r, with_roster)
            and (r.result is None or r.result.superseded_by is None)]


def _write_statistics(book: xlsxwriter.Workbook, sheet: Worksheet, rows: list[DepartmentRow], lang: str,
                      styles: _Styles) -> None:
    """Three small tables side by side (columns A, E, I) and Excel charts drawn from them below."""
    text = STATS_TEXT[lang]
    grades = grade_counts(rows, lang)
    levels = level_means(rows, lang)
    frequent = [(c, codes.label(c, lang), n) for c, n in top_codes(rows)]
    grade_range = _stats_table(sheet, styles, 0, [text["grade"], text["departments"]],
                               [(label, n) for _, label, n in grades], [styles.text, styles.count])
    level_range = _stats_table(sheet, styles, 4, [text["level"], text["mean"], text["departments"]],
                               levels, [styles.text, styles.score, styles.count])
    code_range = _stats_table(sheet, styles, 8, [text["code"], text["finding"], text["count"]],
                              frequent, [styles.text, styles.text, styles.count])
    top = max(len(grades), len(levels), len(frequent)) + 3
    colours = [GRADE_COLOURS.get(key, "#5B9BD5") for key, _, _ in grades]
    grade_chart = _chart(book, "column", text["grade_title"], grade_range, (0, 1), 480, colours,
                         step=_count_step(max(n for _, _, n in grades)))
    sheet.insert_chart(top, 0, grade_chart)
    if levels:
        level_chart = _chart(book, "bar", text["level_title"], level_range, (0, 1), 560, label_format="0.00")
        sheet.insert_chart(top, 0, level_chart, {"x_offset": 500})
    if frequent:
        code_chart = _chart(book, "bar", text["code_title"], code_range, (1, 2), 1060,
                            step=_count_step(frequent[0][2]))
        sheet.insert_chart(top + 18, 0, code_chart)
    _page_setup(sheet)
    sheet.fit_to_pages(1, 1)


@dataclass
class _Range:
    """Where a statistics table's data rows are, for a chart to refer to."""

    sheet: str
    first_col: int
    rows: int


def _stats_table(sheet: Worksheet, styles: _Styles, first_col: int, headers: list[str],
                 data: list[tuple], formats: list[Format]) -> _Range:
    """A small table with its own filter buttons (an Excel table: one sheet may hold several)."""
    table = _Table(sheet, headers, styles, first_col)
    for index, values in enumerate(data):
        for col, (item, fmt) in enumerate(zip(values, formats, strict=True)):
            if isinstance(item, str):
                table.text(index + 1, col, item, fmt)
            else:
                table.number(index + 1, col, item, fmt)
    sheet.add_table(0, first_col, max(len(data), 1), first_col + len(headers) - 1, {
        "columns": [{"header": h, "header_format": styles.header} for h in headers],
        "style": "Table Style Light 1", "autofilter": True})
    for col, width in enumerate(table.widths):
        sheet.set_column(first_col + col, first_col + col, min(width + 2, WIDTH_CAP))
    return _Range(sheet.get_name(), first_col, len(data))


def _chart(book: xlsxwriter.Workbook, kind: str, title: str, data: _Range, columns: tuple[int, int],
           width: int, colours: list[str] | None = None, label_format: str = "0", step: int | None = None) -> Any:
    """A chart over a statistics table: Excel draws it, so it follows the data if a reviewer edits it."""
    font = {"name": FONT, "size": 9}
    label_col, value_col = (data.first_col + c for c in columns)
    series: dict[str, Any] = {
        "categories": [data.sheet, 1, label_col, data.rows, label_col],
        "values": [data.sheet, 1, value_col, data.rows, value_col],
        "data_labels": {"value": True, "num_format": label_format, "font": font},
        "fill": {"color": "#5B9BD5"}, "gap": 60,
    }
    if colours:
        series["points"] = [{"fill": {"color": c}} for c in colours]
    chart = book.add_chart({"type": kind})
    chart.add_series(series)
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 12, "bold": True}})
    chart.set_legend({"none": True})
    # Bars read top-down in table order; the value axis then stays at the bottom.
    category_axis: dict[str, Any] = {"num_font": font}
    if kind == "bar":
        category_axis.update(reverse=True, crossing="max")
    value_axis = {"num_font": font, "num_format": "0", "min": 0,
                  "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
    if step:
        value_axis["major_unit"] = step
    chart.set_x_axis(value_axis if kind == "bar" else category_axis)
    chart.set_y_axis(category_axis if kind == "bar" else value_axis)
    chart.set_size({"width": width, "height": 320})
    return chart


def _count_step(peak: int) -> int:
    """Whole-number steps on a count axis: with small counts Excel would step by 0.5 and repeat labels."""
    return max(1, -(-peak // 6))
