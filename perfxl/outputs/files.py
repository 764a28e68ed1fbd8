"""Reports of a reconcile run: terminal text, JSON and CSV exactly as contract.md fixes them.

Results stream through :class:`Run`: each file is written out as soon as it is reconciled and
then forgotten, so memory stays flat over thousands of files. Output files appear atomically
when the run closes; an interrupted run leaves none half-written.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections import Counter
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from perfxl import __version__, codes
from perfxl.codes import render
from perfxl.files import AtomicFile
from perfxl.model import DepartmentRow, FileResult, Finding, TableResult
from perfxl.numbers import json_number

CSV_COLUMNS = ["path", "department", "code", "severity", "sheet", "cell", "expected", "found", "message"]
#: The same columns, headed in Chinese for a Chinese run (the order is the contract's).
CSV_HEADERS = {"en": CSV_COLUMNS, "zh": ["文件", "部门", "代码", "级别", "工作表", "单元格", "应为", "实为", "说明"]}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def finding_to_dict(finding: Finding, lang: str = "zh") -> dict[str, Any]:
    places = 4 if codes.is_rate(finding) else 2
    return {
        "code": finding.code,
        "severity": finding.severity,
        "sheet": finding.sheet,
        "cell": finding.cell,
        "expected": _json_value(finding.expected, places),
        "found": _json_value(finding.found, places),
        "message": render(finding, lang),
    }


def file_to_dict(result: FileResult, lang: str = "zh") -> dict[str, Any]:
    return {
        "path": result.path,
        "sha256": result.sha256,
        "status": result.status,
        "department": result.department or None,
        "year": result.year,
        "layout": result.layout,
        "scheme": result.scheme,
        "format": result.format,
        "declared_total": json_number(result.declared_total),
        "computed_total": json_number(result.computed_total),
        "declared_grade": result.declared_grade,
        "computed_grade": result.computed_grade,
        "superseded_by": result.superseded_by,
        "documents": result.documents(),
        "replaced": [dict(entry) for entry in result.replaced],
        "notes": [codes.note(key, lang) for key in result.notes],
        "tables": [table_to_dict(table) for table in result.tables],
        "findings": [finding_to_dict(f, lang) for f in result.findings],
        "replaced_findings": [finding_to_dict(f, lang) for f in result.replaced_findings],
    }


def table_to_dict(table: TableResult) -> dict[str, Any]:
    return {
        "sheet": table.sheet,
        "kind": table.kind,
        "title": table.title or None,
        "scheme": table.scheme,
        "declared_total": json_number(table.declared_total),
        "computed_total": json_number(table.computed_total),
        "declared_grade": table.declared_grade,
        "computed_grade": table.computed_grade,
    }


def _json_value(value: Any, places: int) -> Any:
    if isinstance(value, Decimal):
        return json_number(value, places)
    return value


class Summary:
    def __init__(self) -> None:
        self.skipped: list[tuple[Path, str]] = []  # files in the inputs that are no submission, with the reason
        self.superseded = 0  # older submissions of a department that sent a newer one
        self.files = 0
        self.statuses: Counter[str] = Counter()
        self.codes: Counter[str] = Counter()

    def add(self, result: FileResult) -> None:
        if result.superseded_by is not None:  # replaced by a newer submission: listed, never counted
            self.superseded += 1
            return
        self.files += 1
        self.statuses[result.status] += 1
        self.codes.update(result.codes())

    @property
    def has_errors(self) -> bool:
        return bool(self.statuses["errors"] or self.statuses["unreadable"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "clean": self.statuses["clean"],
            "with_errors": self.statuses["errors"],
            "with_warnings_only": self.statuses["warnings"],
            "unreadable": self.statuses["unreadable"],
            "findings_by_code": dict(sorted(self.codes.items())),
        }


class Run:
    """Collects results as they come and writes the requested outputs."""

    def __init__(self, scheme_name: str, json_path: str | Path | None = None,
                 csv_path: str | Path | None = None, lang: str = "zh",
                 skipped: list[tuple[Path, str]] | None = None):
        self.scheme_name = scheme_name
        self.lang = lang
        self.summary = Summary()
        self.summary.skipped = list(skipped or [])
        self._json_path = json_path
        self._json_files = 0
        self._json_parts = tempfile.TemporaryFile("w+", encoding="utf-8") if json_path else None
        self._csv = AtomicFile(csv_path, "w", encoding="utf-8", newline="") if csv_path else None
        self._csv_writer = None
        if self._csv is not None:
            self._csv.handle.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
            self._csv_writer = csv.writer(self._csv.handle)
            self._csv_writer.writerow(CSV_HEADERS["en" if lang == "en" else "zh"])

    def add(self, result: FileResult) -> None:
        self.summary.add(result)
        if self._json_parts is not None:
            if self._json_files:
                self._json_parts.write(",\n")
            self._json_parts.write("    " + json.dumps(file_to_dict(result, self.lang), ensure_ascii=False))
            self._json_files += 1
        if self._csv_writer is not None and result.superseded_by is None:  # what a clerk still acts on
            for finding in result.findings:
                row = finding_to_dict(finding, self.lang)
                self._csv_writer.writerow([safe_cell(v) for v in (
                    result.path, result.department, row["code"], row["severity"], row["sheet"], row["cell"],
                    row["expected"], row["found"], row["message"])])

    def close(self, round_rows: list[DepartmentRow] | None = None, with_roster: bool = True) -> None:
        """Write the outputs; ``round_rows`` adds the round: each department's documents, and (with a
        roster) who is missing, who sent again, what matched nobody."""
        collection = round_to_dict(round_rows, with_roster) if round_rows is not None else None
        if self._csv_writer is not None and collection is not None:
            for line in round_lines(collection, self.lang):
                self._csv_writer.writerow([safe_cell(v) for v in line])
        if self._json_parts is not None and self._json_path is not None:
            out = AtomicFile(self._json_path, "w", encoding="utf-8")
            try:
                head = {"perfxl_version": __version__, "scheme": self.scheme_name,
                        "summary": self.summary.to_dict(),
                        "skipped": [{"path": str(path), "reason": codes.skip_reason(reason, self.lang)}
                                    for path, reason in self.summary.skipped]}
                if collection is not None:
                    head["round"] = collection
                text = json.dumps(head, ensure_ascii=False, indent=2)
                out.handle.write(text[:-2] + ',\n  "files": [\n')
                self._json_parts.seek(0)
                for block in iter(lambda: self._json_parts.read(1 << 16), ""):
                    out.handle.write(block)
                out.handle.write("\n  ]\n}\n")
                out.commit()
            except BaseException:
                out.abort()
                raise
            finally:
                self._json_parts.close()
        if self._csv is not None:
            self._csv.commit()

    def abort(self) -> None:
        if self._json_parts is not None:
            self._json_parts.close()
        if self._csv is not None:
            self._csv.abort()


def round_to_dict(rows: list[DepartmentRow], with_roster: bool = True) -> dict[str, list]:
    """The JSON's ``round``: who sent nothing, who sent again, what matched nobody (with a roster),
    and every department's documents with what is missing."""
    return {
        "missing": [{"code": r.code, "name": r.name} for r in rows if r.code is not None and r.result is None],
        "duplicates": [{"code": r.code, "name": r.name, "chosen": r.result.path if r.result else None,
                        "superseded": [older.path for older in r.superseded],
                        "replaced": [{"path": f.path, **entry} for f in r.files for entry in f.replaced]}
                       for r in rows if r.superseded or any(f.replaced for f in r.files)],
        "unmatched": [{"path": f.path, "department": f.department or None}
                      for r in rows if with_roster and r.code is None for f in [*r.files, *r.superseded]],
        "departments": [department_to_dict(r) for r in rows],
    }


def department_to_dict(row: DepartmentRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "status": row.status,
        "files": [f.path for f in row.files],
        "documents": [asdict(entry) for entry in row.documents],
        "missing": [asdict(entry) for entry in row.missing],
    }


def round_lines(collection: dict[str, list], lang: str) -> list[list[Any]]:
    """The round as CSV rows after the findings: path, department and a message; no code, no severity."""
    zh = lang == "zh"
    lines = [["", f"{entry['code']} {entry['name']}", "", "", "", "", "", "",
              codes.status_label("not_submitted", lang)] for entry in collection["missing"]]
    for entry in collection["duplicates"]:
        for older in entry["superseded"]:
            lines.append([older, f"{entry['code']} {entry['name']}", "", "", "", "", "", "",
                          f"重复提交：已被 {entry['chosen']} 替换" if zh else f"sent again: superseded by {entry['chosen']}"])
    lines += [[entry["path"], entry["department"] or "", "", "", "", "", "", "", codes.status_label("unmatched", lang)]
              for entry in collection["unmatched"]]
    for department in collection["departments"]:
        who = " ".join(part for part in (department["code"], department["name"]) if part)
        lines += [["", who, "", "", "", "", "", "", missing_text(entry["kind"], entry["title"], entry["reason"], lang)]
                  for entry in department["missing"]]
    return lines


def missing_text(kind: str, title: str, reason: str, lang: str = "zh") -> str:
    """What a department did not send, in words: '未提交项目表：数字化建设'."""
    return codes.missing_reason(reason, lang, title=title, document=codes.document_kind(kind, title, lang))


def safe_cell(value: Any) -> Any:
    """Neutralise text that a spreadsheet would run as a formula (=, +, -, @)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


