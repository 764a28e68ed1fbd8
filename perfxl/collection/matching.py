"""Match the files a bureau collected to the departments of its roster.

Departments send files back under any name. A submission is matched by the template's own
metadata first (the id stamped into it, listed in the roster's manifest), then by the department
name the table carries. Departments that sent nothing, files that match no department and
departments that sent several files (the newest wins; all are listed) are reported.
"""

from __future__ import annotations

import json
from pathlib import Path

from perfxl import codes
from perfxl.collection.ledger import saved_time
from perfxl.model import LAYOUT_TEMPLATE, DepartmentRow, FileResult, Finding
from perfxl.numbers import normalise_text
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
          manifest: dict[str, str] | None = None) -> list[DepartmentRow]:
    """One row per roster department (in roster order), then one per unmatched file."""
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
    rows = []
    for department in departments:
        files = sorted(sent[department.code], key=_newest_first)
        if not files:
            rows.append(DepartmentRow(department.code, department.name, "not_submitted"))
        else:
            for older in files[1:]:
                older.superseded_by = files[0].path
            rows.append(DepartmentRow(department.code, department.name, files[0].status, files[0], files[1:]))
    return rows + rows_without_roster(unmatched)


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


def rows_without_roster(results: list[FileResult]) -> list[DepartmentRow]:
    return [DepartmentRow(None, r.department or Path(r.path).name, r.status, r) for r in results]


def _newest_first(result: FileResult) -> tuple[str, str]:
    """The submission its spreadsheet program saved last comes first (a copy of the inbox keeps that
    order; file times would not); files without that record fall back on the file time."""
    return (_negated(saved_time(result)), result.path)


def _negated(text: str) -> str:
    """Sort ISO times newest first with an ascending sort."""
    return "".join(chr(0x10FFFF - ord(ch)) for ch in text)
