"""Reconcile submissions: read every table, check each under its scheme, report every mismatch.

:func:`reconcile_file` is a pure function of a path (and options) returning a
:class:`~perfxl.model.FileResult`; it never raises for a bad file and never writes to its input.
:func:`reconcile_paths` maps it over files and folders, optionally in supervised worker processes.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfxl import checking, codes
from perfxl.checking.cross import table_facts
from perfxl.checking.recompute import grade_of
from perfxl.checking.targets import table_indicators
from perfxl.collection.runner import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, run_supervised
from perfxl.files import sha256_of
from perfxl.model import (
    KIND_BASE_DATA,
    KIND_OVERALL,
    LAYOUT_PDF,
    LAYOUT_WORD,
    FileResult,
    Finding,
    TableResult,
)
from perfxl.reading import NoTable, read_tables
from perfxl.reading.calamine import ValuesWorkbook, file_format
from perfxl.reading.pdf import PdfReport, read_pdf_report
from perfxl.reading.xlsx import UnreadableWorkbook, Workbook, split_ref
from perfxl.scheme import Scheme, load_scheme, parse_scheme

#: Workbooks perfxl reads: .xlsx with formulas; .xls, .et (WPS: an .xls or .xlsx inside) and .ods as values.
WORKBOOK_SUFFIXES = {".xlsx", ".xls", ".et", ".ett", ".ods"}
#: Files that look like submissions but that perfxl does not read: the reason says what to do.
REFUSED_SUFFIXES = {".xlsm": "macros", ".xlsb": "xlsb", ".doc": "doc"}
#: Reports (Word, or printed to PDF): their tables and the figures their text states.
REPORT_SUFFIXES = {".docx", ".pdf"}

#: A scheme as given to the batch: a Scheme, a shipped name or a file's (text, format), or None.
SchemeOption = Scheme | str | tuple[str, str] | None


@dataclass
class Discovery:
    """What the inputs hold: files to reconcile, and files that are no submission (with the reason)."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (file, reason key in codes.SKIP_REASONS)


def discover(paths: Iterable[str | Path]) -> Discovery:
    """Files to reconcile: given files as they are, folders searched recursively, sorted."""
    found = Discovery()
    for raw in paths:
        path = Path(raw)
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for candidate in candidates:
            reason = _skip_reason(candidate)
            if reason is None:
                found.files.append(candidate)
            else:
                found.skipped.append((candidate, reason))
    return found


def _skip_reason(path: Path) -> str | None:
    if path.name.startswith(("~$", ".~lock.")):
        return "lock_file"  # the lock file of a workbook open in Excel / LibreOffice, not a submission
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES or suffix in REFUSED_SUFFIXES or suffix in REPORT_SUFFIXES:
        return None
    return "not_a_submission"


def reconcile_file(path: str | Path, scheme: SchemeOption = None) -> FileResult:
    """Reconcile one workbook. Never raises for a bad file: problems become findings."""
    started = time.perf_counter()
    path = Path(path)
    reported, kind = _formats(path)
    result = FileResult(path=str(path), format=reported)
    try:
        result.sha256 = sha256_of(path)
    except OSError as exc:
        return unreadable_result(path, "io", detail_key="read_failed", detail_params={"error": exc.strerror or str(exc)},
                                 started=started)
    refused = REFUSED_SUFFIXES.get(path.suffix.lower())
    if refused:
        return unreadable_result(path, refused, sha256=result.sha256, started=started)
    if path.suffix.lower() in REPORT_SUFFIXES:
        return _reconcile_report(path, result, resolve_scheme(scheme), started)
    try:
        with _open(path, kind) as book:
            reading = read_tables(book)
            result.template_id = book.custom_properties.get("perfxl_template_id") or None
            result.saved_at = getattr(book, "saved_at", None)
            if not getattr(book, "has_formulas", True):
                result.notes.append("values_only")
    except UnreadableWorkbook as exc:
        return unreadable_result(path, exc.reason, detail_key=exc.detail_key, detail_params=exc.params,
                                 sha256=result.sha256, started=started)
    except NoTable as exc:
        result.findings = [Finding(codes.UNKNOWN_LAYOUT, params={"detail": str(exc), "reason": "no_table",
                                                                 "sheets": ", ".join(exc.sheets)})]
    except Exception as exc:  # a bug or an unforeseen file must not stop the batch
        error = f"{type(exc).__name__}: {exc}"
        return unreadable_result(path, "error", error=error, sha256=result.sha256, started=started)
    else:
        _check_tables(result, reading.tables, resolve_scheme(scheme))
        result.findings += [Finding(codes.SHEET_SKIPPED, sheet, None, params={
            "where": ("below_row", {"row": row}) if row > 1 else "", "detail": what})
                            for sheet, what, row in reading.unread]
    result.seconds = time.perf_counter() - started
    return result.finish()


def _open(path: Path, kind: str) -> Workbook | ValuesWorkbook:
    """The reader the content (``kind``, from :func:`sniff_format`) calls for, whatever the file is
    named: an .xlsx with its formulas, an .xls or .ods as values. A file named .xlsx that is neither
    goes to the .xlsx reader, which says what it is (encrypted, an old format, not a spreadsheet)."""
    named_xlsx = path.suffix.lower() == ".xlsx"
    if kind == "ods" or (kind in ("xls", "unknown") and not named_xlsx):
        return ValuesWorkbook(path)
    try:
        return Workbook(path)
    except UnreadableWorkbook as exc:
        if exc.reason != "legacy_xls":
            raise
        try:
            return ValuesWorkbook(path)  # an .xls saved under an .xlsx name
        except UnreadableWorkbook:
            raise exc from None


def _formats(path: Path) -> tuple[str | None, str]:
    """(the format the JSON reports, the content's real format): the file is sniffed once."""
    suffix = path.suffix.lower()
    if suffix in REFUSED_SUFFIXES or suffix in REPORT_SUFFIXES:
        return suffix.lstrip("."), "unknown"
    reported, kind = file_format(path)
    return (reported if suffix in WORKBOOK_SUFFIXES else suffix.lstrip(".") or None), kind


def _reconcile_report(path: Path, result: FileResult, wanted: Scheme | None, started: float) -> FileResult:
    """A report: its scoring tables checked as any table, and the figures its text states."""
    from perfxl.checking.narrative import department_named, read_narrative
    from perfxl.reading.docx import read_report

    try:
        report = read_pdf_report(path) if path.suffix.lower() == ".pdf" else read_report(path)
        checks = [checking.check(table, checking.scheme_for(table, wanted)) for table in report.tables]
        if checks:
            _summarise(result, checks)
        narrative = read_narrative(report, checks)
        result.findings += narrative.findings
        result.claims = narrative.claims
        result.department = result.department or department_named(report)
        if isinstance(report, PdfReport):
            _place_on_pages(report, result)
        if not checks:  # a round may find the tables in another of the department's files
            unruled = "unruled" if getattr(report, "unruled", False) else ""
            result.findings.append(Finding(codes.SCORING_TABLE_MISSING, variant=unruled) if narrative.stated
                                   else Finding(codes.UNKNOWN_LAYOUT, params={"reason": "no_table_report"}))
    except UnreadableWorkbook as exc:
        return unreadable_result(path, exc.reason, detail_key=exc.detail_key, detail_params=exc.params,
                                 sha256=result.sha256, started=started)
    except Exception as exc:  # a bug or an unforeseen file must not stop the batch
        error = f"{type(exc).__name__}: {exc}"
        return unreadable_result(path, "error", error=error, sha256=result.sha256, started=started)
    result.layout = LAYOUT_PDF if isinstance(report, PdfReport) else LAYOUT_WORD
    result.seconds = time.perf_counter() - started
    return result.finish()


def _place_on_pages(report: PdfReport, result: FileResult) -> None:
    """A PDF's text is located by page ('页N', 'P{n}'), not as a Word report's '正文'; pages that
    are pictures only are named (a scanned page among printed ones is not read)."""
    from perfxl.checking.narrative import TEXT

    for item in (*result.findings, *result.claims):
        if item.sheet == TEXT and item.cell and item.cell.startswith("P") and item.cell[1:].isdigit():
            item.sheet = report.text_sheet(int(item.cell[1:]))
    result.findings += [Finding(codes.SHEET_SKIPPED, f"页{page}", variant="image_page", params={"page": page})
                        for page in report.image_pages]


def _check_tables(result: FileResult, tables: list, wanted: Scheme | None) -> None:
    """Check each table under its own scheme; the file's totals are those of its first overall table."""
    _summarise(result, [checking.check(table, checking.scheme_for(table, wanted)) for table in tables])


def _summarise(result: FileResult, checks: list[checking.TableCheck]) -> None:
    tables = [checked.table for checked in checks]
    for index, checked in enumerate(checks):
        summary = _table_result(checked)
        summary.facts = table_facts(checked)
        summary.indicators = table_indicators(checked.table)
        result.tables.append(summary)
        for finding in checked.findings:
            finding.table = summary.name if len(checks) > 1 else ""
            finding.table_index = index
        result.findings += sorted(checked.findings, key=_finding_order)
    index = next((i for i, table in enumerate(tables) if table.kind == KIND_OVERALL), 0)
    lead, checked = result.tables[index], checks[index]
    result.layout = checked.table.layout
    result.scheme = lead.scheme
    result.department = checked.table.department
    result.year = checked.table.year
    result.declared_total, result.computed_total = lead.declared_total, lead.computed_total
    result.declared_grade, result.computed_grade = lead.declared_grade, lead.computed_grade
    result.budget_score = None if checked.blank else checked.result.budget_score
    result.funds = {key: [checked.table.sheet, f.cell, f.number] for key, f in checked.table.funds.items()
                    if key in ("initial", "budget", "executed")}
    labels = {level.key: level.label for level in checked.scheme.levels}
    result.level_scores = {} if checked.blank else {  # a blank table has no score to average
        labels[key]: value for key, value in checked.result.level_scores.items() if key in labels}


def _table_result(checked: checking.TableCheck) -> TableResult:
    table, recomputation = checked.table, checked.result
    summary = TableResult(table.sheet, table.kind, table.title, checked.scheme.name,
                          declared_total=table.total_score.number, computed_total=recomputation.total,
                          declared_grade=table.grade.text or None, computed_grade=recomputation.grade)
    summary.blank = checked.blank
    if checked.blank:  # returned blank: nothing declared, nothing to recompute
        summary.declared_total = summary.computed_total = summary.computed_grade = summary.declared_grade = None
    elif table.kind == KIND_BASE_DATA:  # a 综合得分 with no parts to recompute it from
        summary.computed_total = table.total_score.number
        summary.computed_grade = grade_of(table.total_score.number, checked.scheme)
    return summary


@functools.lru_cache(maxsize=16)
def _scheme_from_source(text: str, fmt: str) -> Scheme:
    return parse_scheme(text, "方案", fmt)


def resolve_scheme(option: SchemeOption) -> Scheme | None:
    """A scheme option as a Scheme (a file's text is parsed once per process)."""
    if option is None or isinstance(option, Scheme):
        return option
    if isinstance(option, tuple):
        return _scheme_from_source(*option)
    return load_scheme(option)


def _finding_order(finding: Finding) -> tuple:
    position = (0, 0)
    if finding.cell:
        word = re.fullmatch(r"R(\d+)C(\d+)", finding.cell)
        try:
            position = (int(word.group(1)), int(word.group(2))) if word else split_ref(finding.cell)
        except ValueError:
            pass
    return (finding.severity != "error", position, finding.code)


def unreadable_result(path: str | Path, reason: str, *, detail: str = "", detail_key: str = "",
                      detail_params: dict[str, Any] | None = None, sha256: str | None = None,
                      started: float | None = None, **params: Any) -> FileResult:
    """The one result of a file that cannot be read: UNREADABLE_FILE with its reason code.

    ``detail_key`` (:data:`perfxl.codes.DETAILS`, filled in by ``detail_params``) is the reader's exact
    account, naming the part or size, worded in the output's language; ``detail`` the Chinese one. Without
    either the reason's own wording is used (:data:`perfxl.codes.REASONS`).
    """
    if detail_key:
        detail_params = detail_params or {}
        detail = detail or codes.detail_text(detail_key, "zh", **detail_params)
        params = {**params, "detail_key": detail_key, "detail_params": detail_params}
    path = Path(path)
    result = FileResult(path=str(path), format=_formats(path)[0])
    if sha256 is None:
        try:
            sha256 = sha256_of(path)
        except OSError:
            sha256 = ""
    result.sha256 = sha256
    result.findings = [Finding(codes.UNREADABLE_FILE, params={"detail": detail, "reason": reason, **params})]
    if started is not None:
        result.seconds = time.perf_counter() - started
    return result.finish()


def _portable(scheme: SchemeOption) -> SchemeOption:
    """A scheme option that can travel to a worker process (a parsed Scheme cannot be pickled)."""
    return (scheme.source, scheme.source_format) if isinstance(scheme, Scheme) else scheme


def reconcile_paths(paths: Iterable[str | Path], scheme: SchemeOption = None, jobs: int = 1,
                    timeout: float | None = None, memory_mb: int = DEFAULT_MEMORY_MB) -> Iterator[FileResult]:
    """Reconcile every workbook under ``paths``, in order, streaming results.

    With ``timeout`` (seconds per file) or ``jobs`` > 1, files are reconciled in supervised worker
    processes: one that hangs, crashes or exhausts memory is reported and the batch goes on.
    """
    yield from reconcile_files(discover(paths).files, scheme, jobs, timeout, memory_mb)


def reconcile_files(files: list[Path], scheme: SchemeOption = None, jobs: int = 1, timeout: float | None = None,
                    memory_mb: int = DEFAULT_MEMORY_MB) -> Iterator[FileResult]:
    """Reconcile these files, in order, streaming results (see :func:`reconcile_paths`)."""
    if timeout is None and jobs <= 1:
        for path in files:
            yield reconcile_file(path, scheme)
        return
    task = functools.partial(reconcile_file, scheme=_portable(scheme))
    yield from run_supervised(task, files, on_failure=unreadable_result, jobs=jobs,
                              timeout=timeout or DEFAULT_TIMEOUT, memory_mb=memory_mb)
