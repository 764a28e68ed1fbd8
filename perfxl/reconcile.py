"""Reconcile workbooks: find the table, recompute it, report every mismatch.

:func:`reconcile_file` is a pure function of a path (and options) returning a
:class:`~perfxl.model.FileResult`; it never raises for a bad workbook and never writes to its input.
:func:`reconcile_paths` maps it over files and folders, optionally in several processes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from perfxl.checking import tables as checks
from perfxl.collection.runner import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, run_supervised
from perfxl.files import sha256_of
from perfxl.model import FileResult, Finding
from perfxl.reading.forms import NoTable, read_amount_sheets, read_standard
from perfxl.reading.template import NotATemplate, is_template, read_template
from perfxl.reading.xlsx import UnreadableWorkbook, Workbook
from perfxl.scheme import Scheme, load_scheme

WORKBOOK_SUFFIXES = {".xlsx"}
#: Spreadsheet files perfxl cannot read: (reason code, message); reported, never silently skipped.
OTHER_SPREADSHEETS = {
    ".xls": ("legacy_xls", "旧版 Excel 97-2003 格式（.xls），请另存为 .xlsx 后再提交"),
    ".et": ("wps", "WPS 表格格式（.et），请在 WPS 中另存为 .xlsx 后再提交"),
    ".ett": ("wps", "WPS 表格模板格式（.ett），请另存为 .xlsx 后再提交"),
    ".xlsm": ("macros", "含宏的工作簿（.xlsm）出于安全原因不予读取，请另存为不含宏的 .xlsx 后再提交"),
    ".xlsb": ("xlsb", "Excel 二进制格式（.xlsb），请另存为 .xlsx 后再提交"),
    ".ods": ("ods", "OpenDocument 表格（.ods），请另存为 .xlsx 后再提交"),
}


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files to reconcile: given files as they are, folders searched recursively, sorted."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                if candidate.is_file() and _wanted(candidate):
                    found.append(candidate)
        else:
            found.append(path)
    return found


def _wanted(path: Path) -> bool:
    if path.name.startswith(("~$", ".~lock.")):
        return False  # lock files of an open Excel / LibreOffice, not submissions
    suffix = path.suffix.lower()
    return suffix in WORKBOOK_SUFFIXES or suffix in OTHER_SPREADSHEETS


def reconcile_file(path: str | Path, scheme: Scheme | str | None = None) -> FileResult:
    """Reconcile one workbook. Never raises for a bad file: problems become findings."""
    started = time.perf_counter()
    result = FileResult(path=str(path))
    path = Path(path)
    try:
        result.sha256 = sha256_of(path)
    except OSError as exc:
        return _unreadable(result, f"无法读取文件：{exc.strerror or exc}", started, "io")
    other = OTHER_SPREADSHEETS.get(path.suffix.lower())
    if other:
        return _unreadable(result, other[1], started, other[0])
    try:
        with Workbook(path) as book:
            _reconcile_book(book, result, scheme)
    except UnreadableWorkbook as exc:
        return _unreadable(result, str(exc), started, exc.reason)
    except Exception as exc:  # a bug or an unforeseen file must not stop the batch
        error = f"{type(exc).__name__}: {exc}"
        return _unreadable(result, f"读取时出错（{error}）", started, "error", error=error)
    result.seconds = time.perf_counter() - started
    return result.finish()


def _reconcile_book(book: Workbook, result: FileResult, scheme_option: Scheme | str | None) -> None:
    wanted = load_scheme(scheme_option) if isinstance(scheme_option, str) else scheme_option
    layout_findings: list[Finding] = []
    table = recomputation = None
    if is_template(book):
        try:
            read = read_template(book)
        except NotATemplate:
            pass  # a damaged template may still hold a readable standard table
        else:
            table, layout_findings = read.table, read.findings
            # The bureau's scheme prevails over the template's own; weights that differ are reported.
            scheme = wanted or read.scheme
            if scheme is read.scheme:
                recomputation = read.recomputation
    if table is None:
        try:
            table, scheme = read_standard(book, lambda keys: wanted or detect_scheme(keys))
        except NoTable as exc:
            result.findings.append(Finding("UNKNOWN_LAYOUT", params={"detail": str(exc), "reason": "no_table",
                                                                     "sheets": ", ".join(exc.sheets)}))
            return
        read_amount_sheets(book, table)
    recomputation, findings = checks.check_table(table, scheme, recomputation)
    result.layout = table.layout
    result.scheme = scheme.name
    result.department = table.department
    result.year = table.year
    result.declared_total = table.total_score.number
    result.computed_total = recomputation.total
    result.declared_grade = table.grade.text or None
    result.computed_grade = recomputation.grade
    result.budget_score = recomputation.budget_score
    labels = {level.key: level.label for level in scheme.levels}
    result.level_scores = {labels[key]: value for key, value in recomputation.level_scores.items() if key in labels}
    result.template_id = book.custom_properties.get("perfxl_template_id") or None
    result.findings = layout_findings + findings
    result.findings.sort(key=_finding_order)


def detect_scheme(level_keys: list[str]) -> Scheme:
    """A table with a 成本指标 block is on the standard scheme; one without it on the classic."""
    return load_scheme("standard" if "cost" in level_keys or not level_keys else "classic")


def _finding_order(finding: Finding) -> tuple:
    from perfxl.reading.xlsx import split_ref

    position = (0, 0)
    if finding.cell:
        try:
            position = split_ref(finding.cell)
        except ValueError:
            pass
    return (finding.severity != "error", position, finding.code)


def _unreadable(result: FileResult, detail: str, started: float, reason: str, **extra: str) -> FileResult:
    """``detail`` is the Chinese message; ``reason`` a code that messages.REASONS_EN words in English."""
    result.findings = [Finding("UNREADABLE_FILE", params={"detail": detail, "reason": reason, **extra})]
    result.seconds = time.perf_counter() - started
    return result.finish()


def reconcile_paths(paths: Iterable[str | Path], scheme: Scheme | str | None = None, jobs: int = 1,
                    timeout: float | None = None, memory_mb: int = DEFAULT_MEMORY_MB) -> Iterator[FileResult]:
    """Reconcile every workbook under ``paths``, in order, streaming results.

    With ``timeout`` (seconds per file) or ``jobs`` > 1, files are reconciled in supervised worker
    processes: one that hangs, crashes or exhausts memory is reported and the batch goes on.
    """
    files = discover(paths)
    if timeout is None and jobs <= 1:
        for path in files:
            yield reconcile_file(path, scheme)
        return
    scheme_arg = (scheme.source, scheme.source_format) if isinstance(scheme, Scheme) else scheme
    yield from run_supervised(files, scheme_arg, jobs=jobs, timeout=timeout or DEFAULT_TIMEOUT,
                              memory_mb=memory_mb)
