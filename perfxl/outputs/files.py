"""Reports of a reconcile run: terminal text, JSON and CSV exactly as contract.md fixes them.

Results stream through :class:`Run`: each file is written out as soon as it is reconciled and
then forgotten, so memory stays flat over thousands of files. Output files appear atomically
when the run closes; an interrupted run leaves none half-written.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from perfxl import __version__
from perfxl.files import _umask
from perfxl.messages import render
from perfxl.model import DepartmentRow, FileResult, Finding
from perfxl.numbers import format_number, json_number

CSV_COLUMNS = ["path", "department", "code", "severity", "sheet", "cell", "expected", "found", "message"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
RATE_CODES = {"EXECUTION_RATE_MISMATCH"}


def finding_to_dict(finding: Finding, lang: str = "zh") -> dict[str, Any]:
    places = 4 if finding.code in RATE_CODES else 2
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
        "declared_total": json_number(result.declared_total),
        "computed_total": json_number(result.computed_total),
        "declared_grade": result.declared_grade,
        "computed_grade": result.computed_grade,
        "findings": [finding_to_dict(f, lang) for f in result.findings],
    }


def _json_value(value: Any, places: int) -> Any:
    if isinstance(value, Decimal):
        return json_number(value, places)
    return value


class Summary:
    def __init__(self) -> None:
        self.files = 0
        self.statuses: Counter[str] = Counter()
        self.codes: Counter[str] = Counter()

    def add(self, result: FileResult) -> None:
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


class _AtomicFile:
    """A text file written beside its target and renamed over it on commit."""

    def __init__(self, target: str | Path, newline: str | None = None):
        self.target = Path(target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        handle, self.temp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp",
                                             dir=self.target.parent)
        self.handle: IO[str] = os.fdopen(handle, "w", encoding="utf-8", newline=newline)

    def commit(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.chmod(self.temp, 0o666 & ~_umask())
        os.replace(self.temp, self.target)

    def abort(self) -> None:
        if not self.handle.closed:
            self.handle.close()
        Path(self.temp).unlink(missing_ok=True)


class Run:
    """Collects results as they come and writes the requested outputs."""

    def __init__(self, scheme_name: str, json_path: str | Path | None = None,
                 csv_path: str | Path | None = None, lang: str = "zh"):
        self.scheme_name = scheme_name
        self.lang = lang
        self.summary = Summary()
        self._json_path = json_path
        self._json_parts = tempfile.TemporaryFile("w+", encoding="utf-8") if json_path else None
        self._csv = _AtomicFile(csv_path, newline="") if csv_path else None
        self._csv_writer = None
        if self._csv is not None:
            self._csv.handle.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
            self._csv_writer = csv.writer(self._csv.handle)
            self._csv_writer.writerow(CSV_COLUMNS)

    def add(self, result: FileResult) -> None:
        self.summary.add(result)
        if self._json_parts is not None:
            if self.summary.files > 1:
                self._json_parts.write(",\n")
            self._json_parts.write("    " + json.dumps(file_to_dict(result, self.lang), ensure_ascii=False))
        if self._csv_writer is not None:
            for finding in result.findings:
                row = finding_to_dict(finding, self.lang)
                self._csv_writer.writerow([safe_cell(v) for v in (
                    result.path, result.department, row["code"], row["severity"], row["sheet"], row["cell"],
                    _csv_value(row["expected"]), _csv_value(row["found"]), row["message"])])

    def close(self) -> None:
        if self._json_parts is not None and self._json_path is not None:
            out = _AtomicFile(self._json_path)
            try:
                head = {"perfxl_version": __version__, "scheme": self.scheme_name,
                        "summary": self.summary.to_dict()}
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


def safe_cell(value: Any) -> Any:
    """Neutralise text that a spreadsheet would run as a formula (=, +, -, @)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _csv_value(value: Any) -> Any:
    return "" if value is None else value


# --- terminal --------------------------------------------------------------------------------------

STATUS_LABELS = {
    "zh": {"clean": "通过", "warnings": "有警告", "errors": "有错误", "unreadable": "无法读取",
           "not_submitted": "未提交"},
    "en": {"clean": "clean", "warnings": "warnings", "errors": "errors", "unreadable": "unreadable",
           "not_submitted": "not submitted"},
}
SEVERITY_LABELS = {"zh": {"error": "错误", "warning": "警告"}, "en": {"error": "error", "warning": "warning"}}


def format_file(result: FileResult, lang: str = "zh") -> str:
    """A readable block for one file (empty for a clean one)."""
    if result.status == "clean":
        return ""
    out = io.StringIO()
    status = STATUS_LABELS[lang][result.status]
    who = f"  {result.department}" if result.department else ""
    totals = ""
    if result.computed_total is not None:
        label = "总分" if lang == "zh" else "total"
        totals = f"  {label} {format_number(result.declared_total)}→{format_number(result.computed_total)}"
    out.write(f"● {result.path}{who}  [{status}]{totals}\n")
    for finding in result.findings:
        where = "!".join(part for part in (finding.sheet, finding.cell) if part) or "-"
        severity = SEVERITY_LABELS[lang][finding.severity]
        out.write(f"    {severity:<4} {where:<14} {finding.code:<25} {render(finding, lang)}\n")
    return out.getvalue()


def format_summary(summary: Summary, lang: str = "zh") -> str:
    s = summary.to_dict()
    if lang == "zh":
        line = (f"共 {s['files']} 个文件：通过 {s['clean']}，有错误 {s['with_errors']}，"
                f"仅有警告 {s['with_warnings_only']}，无法读取 {s['unreadable']}")
    else:
        line = (f"{s['files']} files: {s['clean']} clean, {s['with_errors']} with errors, "
                f"{s['with_warnings_only']} with warnings only, {s['unreadable']} unreadable")
    codes = "  ".join(f"{code}×{count}" for code, count in s["findings_by_code"].items())
    return line + ("\n" + codes if codes else "")


def format_collection(rows: list[DepartmentRow], lang: str = "zh") -> str:
    """The roster view of a collection round: who is missing, who sent twice, what matched nobody."""
    zh = lang == "zh"
    missing = [r for r in rows if r.code is not None and r.status == "not_submitted"]
    twice = [r for r in rows if r.superseded]
    strays = [r for r in rows if r.code is None]
    counts = Counter(r.status for r in rows if r.code is not None)
    out = io.StringIO()
    labels = STATUS_LABELS[lang]
    parts = "，".join(f"{labels[k]} {counts[k]}" for k in ("clean", "warnings", "errors", "unreadable", "not_submitted")
                     if counts[k]) if zh else ", ".join(f"{counts[k]} {labels[k]}" for k in counts)
    out.write((f"名单 {sum(counts.values())} 个部门：{parts}\n") if zh else f"roster of {sum(counts.values())}: {parts}\n")
    if missing:
        names = "、".join(f"{r.code} {r.name}" for r in missing)
        out.write(f"  未提交：{names}\n" if zh else f"  not submitted: {names}\n")
    for row in twice:
        older = "、".join(r.path for r in row.superseded)
        chosen = row.result.path if row.result else ""
        out.write(f"  重复提交：{row.code} {row.name} 采用最新的 {chosen}，另有 {older}\n" if zh else
                  f"  sent twice: {row.code} {row.name}: using the newest {chosen}; also {older}\n")
    for row in strays:
        path = row.result.path if row.result else ""
        out.write(f"  未匹配名单：{path}（{row.name}）\n" if zh else f"  matches no department: {path} ({row.name})\n")
    return out.getvalue()


def format_status(rows, lang: str = "zh") -> str:
    """`perfxl status`: one line per department from the ledger."""
    zh = lang == "zh"
    labels = STATUS_LABELS[lang]
    out = io.StringIO()
    header = ("部门编码", "部门名称", "状态", "提交次数", "修正情况") if zh else ("code", "department", "status",
                                                                          "submissions", "resubmission")
    out.write("  ".join(header) + "\n")
    for row in rows:
        change = ""
        if row.submissions > 1:
            change = (f"较上次修正 {row.fixed} 项，新增 {row.new} 项" if zh else f"fixed {row.fixed}, new {row.new}")
        code = row.code or ("（未匹配）" if zh else "(unmatched)")
        out.write(f"{code}  {row.name}  {labels.get(row.status, row.status)}  {row.submissions}  {change}\n")
    return out.getvalue()
