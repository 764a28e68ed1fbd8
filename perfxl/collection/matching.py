"""Match the files a bureau collected to the departments of its roster.

Departments send files back under any name. A submission is matched by the template's own
metadata first (the id stamped into it, listed in the roster's manifest), then by the department
name the table carries. A department sends several documents (its overall table, a table per
project, its report), in one file or several: a newer file replaces an older one only for the
documents both hold (same kind, same project title), and a report never replaces a table.
Departments that sent nothing, files that match no department and what was replaced are reported.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from perfxl import codes
from perfxl.checking import cross
from perfxl.checking.targets import apply_targets
from perfxl.collection.ledger import saved_time
from perfxl.model import (
    KIND_OVERALL,
    KIND_PROJECT,
    KIND_REPORT,
    LAYOUT_TEMPLATE,
    DepartmentRow,
    DocumentEntry,
    FileResult,
    Finding,
    MissingDocument,
)
from perfxl.numbers import normalise_text
from perfxl.targets import ApprovedIndicator, Targets
from perfxl.template.roster import Department


def name_key(name: str) -> str:
    """Names compared without spaces, width or bracket differences: '中共X委（宣传部）' ~ '中共X委(宣传部)'."""
    return normalise_text(name).replace("（", "(").replace("）", ")").strip("　 ")


def load_manifest(path: str | Path | None) -> dict[str, str]:
    """template id → department code, from a manifest.json written with the templates."""
    if path is None:
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {entry["template_id"]: entry["code"] for entry in data.get("departments", [])}


def match(results: list[FileResult], departments: list[Department],
          manifest: dict[str, str] | None = None, require_report: bool = False,
          targets: Targets | None = None) -> list[DepartmentRow]:
    """One row per roster department (in roster order), then one per department name that matched
    nobody (and one per file that names no department). With ``targets``, each department's
    tables are compared with its approved indicators."""
    by_code = {d.code: d for d in departments}
    by_name = {name_key(d.name): d for d in departments}
    manifest = manifest or {}
    sent: dict[str, list[FileResult]] = {d.code: [] for d in departments}
    unmatched: list[FileResult] = []
    for result in results:
        department = None
        if result.template_id and result.template_id in manifest:
            department = by_code.get(manifest[result.template_id])
        if department is None and result.department:
            department = by_name.get(name_key(result.department))
        if department is None:
            unmatched.append(result)
        else:
            sent[department.code].append(result)
            _compare_roster_amounts(result, department)
    rows = [department_row(department.code, department.name, sent[department.code], department.projects,
                           require_report=require_report,
                           approved=targets.for_department(department.code, department.name) if targets else ())
            for department in departments]
    return rows + rows_without_roster(unmatched, replace=True, targets=targets)


def rows_without_roster(results: list[FileResult], replace: bool = False,
                        targets: Targets | None = None) -> list[DepartmentRow]:
    """One row per department name the files carry (files naming none: a row each). Without a
    roster a folder may hold several files of one department that are no re-submissions (the
    bundled examples): nothing is replaced unless ``replace``. Approved targets are found by the
    department name the targets file gives."""
    groups: dict[str, list[FileResult]] = {}
    for result in results:
        groups.setdefault(name_key(result.department) if result.department else "\0" + result.path, []).append(result)
    return [department_row(None, files[0].department or Path(files[0].path).name, files, replace=replace,
                           approved=targets.for_department(None, files[0].department) if targets else ())
            for files in groups.values()]


def department_row(code: str | None, name: str, files: list[FileResult], projects: tuple[str, ...] = (),
                   replace: bool = True, require_report: bool = False,
                   approved: Sequence[ApprovedIndicator] = ()) -> DepartmentRow:
    """What one department sent: newer files replace older ones document by document, its reports
    are compared with its tables and its tables with its ``approved`` targets, and what it was
    expected to send and did not is listed."""
    if not files:
        return DepartmentRow(code, name, "not_submitted")
    files = sorted(files, key=_newest_first)
    holders = _replace_older(files) if replace else {}
    current = [f for f in files if f.superseded_by is None]
    _settle_scoring_tables(current)
    cross.cross_check(current)
    apply_targets(current, list(approved))
    workbooks_first = sorted(current, key=lambda f: f.is_report)  # stable: newest first within each
    lead = next((f for f in workbooks_first for t in cross.current_tables(f) if t[1].kind == KIND_OVERALL),
                workbooks_first[0] if current else files[0])
    row = DepartmentRow(code, name, _worst(current), lead, [f for f in files if f.superseded_by is not None],
                        current)
    row.documents = [entry for f in files for entry in _entries(f, holders)]
    row.missing = _missing(current, projects, require_report)
    return row


def _replace_older(files: list[FileResult]) -> dict[tuple[str, str, str], str]:
    """Walk a department's files newest first: a document an older file also holds is replaced there;
    an older file all of whose documents are replaced is superseded. A file whose documents are
    unknown (unreadable) is superseded by any newer file of its family (workbook or report).
    Returns (path, kind, title key) → the newer file holding that document."""
    claimed: dict[tuple[str, str], str] = {}
    newest_of_family: dict[bool, str] = {}
    holders: dict[tuple[str, str, str], str] = {}
    for result in files:
        keys = [cross.document_key(d["kind"], d["title"]) for d in result.documents()]
        if not keys:
            result.superseded_by = newest_of_family.get(result.is_report)
        else:
            taken = [(key, claimed[key]) for key in keys if key in claimed]
            for key, by in taken:
                holders[(result.path, *key)] = by
            if len(taken) == len(keys):
                result.superseded_by = taken[0][1]
            elif taken:
                _mark_replaced(result, dict(taken))
            for key in keys:
                claimed.setdefault(key, result.path)
        newest_of_family.setdefault(result.is_report, result.path)
    return holders


def _mark_replaced(result: FileResult, taken: dict[tuple[str, str], str]) -> None:
    """Some tables of a file that still counts were sent again: their findings count nowhere."""
    gone = set()
    for index, table in enumerate(result.tables):
        by = taken.get(cross.document_key(table.kind, table.title))
        if by is not None:
            result.replaced.append({"kind": table.kind, "title": table.title, "by": by})
            gone.add(index)
    result.replaced_findings = [f for f in result.findings if f.table_index in gone]
    result.findings = [f for f in result.findings if f.table_index not in gone]
    result.finish()


def _settle_scoring_tables(current: list[FileResult]) -> None:
    """A report without tables of its own warns of it only when no other current file has one."""
    if not any(f.tables for f in current if f.status != "unreadable"):
        return
    for result in current:
        if any(f.code == codes.SCORING_TABLE_MISSING for f in result.findings):
            result.findings = [f for f in result.findings if f.code != codes.SCORING_TABLE_MISSING]
            result.finish()


def _entries(result: FileResult, holders: dict[tuple[str, str, str], str]) -> list[DocumentEntry]:
    if result.is_report:
        return [DocumentEntry(KIND_REPORT, "", result.path, None, result.status, result.superseded_by)
                ] if result.documents() else []
    entries = []
    for index, table in enumerate(result.tables):
        findings = [f for f in result.findings + result.replaced_findings if f.table_index == index]
        by = holders.get((result.path, *cross.document_key(table.kind, table.title)))
        entries.append(DocumentEntry(table.kind, table.title, result.path, table.sheet, _status_of(findings), by))
    return entries


def _missing(current: list[FileResult], projects: tuple[str, ...], require_report: bool) -> list[MissingDocument]:
    tables = [t for f in current if f.status != "unreadable" for _, t in cross.current_tables(f)]
    sent = {cross.title_key(t.title) for t in tables if t.kind == KIND_PROJECT}
    missing = [MissingDocument(KIND_PROJECT, title, "project_not_sent") for title in projects
               if cross.title_key(title) not in sent]
    reports = [f for f in current if f.is_report]
    if reports and not tables:
        missing.append(MissingDocument(KIND_OVERALL, "", "no_scoring_table"))
    if require_report and tables and not reports:
        missing.append(MissingDocument(KIND_REPORT, "", "no_report"))
    return missing


#: A department's status is that of its worst current file.
_STATUS_ORDER = ("clean", "warnings", "errors", "unreadable")


def _worst(files: list[FileResult]) -> str:
    return max((f.status for f in files), key=_STATUS_ORDER.index, default="clean")


def _status_of(findings: list[Finding]) -> str:
    severities = {f.severity for f in findings}
    return "errors" if "error" in severities else "warnings" if severities else "clean"


def _compare_roster_amounts(result: FileResult, department: Department) -> None:
    """A hand-made form matched to a roster that has amounts: the amounts must be the roster's.

    (A perfxl template carries the amounts it was issued with and is checked against them itself.)
    """
    if result.layout == LAYOUT_TEMPLATE or not department.amounts:
        return
    for key, expected in department.amounts.items():
        sheet, cell, found = result.funds.get(key, [None, None, None])
        if cell is not None and found != expected:
            result.findings.append(Finding(codes.PREFILLED_VALUE_CHANGED, sheet, cell, expected, found,
                                           params={"what": (key, {})}))
            result.finish()


def _newest_first(result: FileResult) -> tuple[str, str]:
    """The submission its spreadsheet program saved last comes first (a copy of the inbox keeps that
    order; file times would not); files without that record fall back on the file time."""
    return (_negated(saved_time(result)), result.path)


def _negated(text: str) -> str:
    """Sort ISO times newest first with an ascending sort."""
    return "".join(chr(0x10FFFF - ord(ch)) for ch in text)
