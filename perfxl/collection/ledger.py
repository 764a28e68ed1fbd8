"""The ledger: an embedded SQLite file remembering every submission reconcile has seen.

It answers the bureau's running questions: who has not submitted, who still has errors, and
whether a resubmission fixed what was found before. Recording the same file twice changes
nothing (a submission is identified by its content hash, department and scheme).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from perfxl import __version__
from perfxl.codes import render
from perfxl.model import DepartmentRow, FileResult
from perfxl.numbers import json_number
from perfxl.template.roster import Department

DEFAULT_NAME = "perfxl-ledger.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS departments (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    department_code TEXT NOT NULL,  -- '' for a file that matched no department
    department_name TEXT,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    scheme TEXT,
    status TEXT NOT NULL,
    declared_total REAL,
    computed_total REAL,
    computed_grade TEXT,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    file_mtime REAL,
    seen_at TEXT NOT NULL,
    perfxl_version TEXT NOT NULL,
    UNIQUE (sha256, department_code, scheme)
);
CREATE TABLE IF NOT EXISTS findings (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    sheet TEXT,
    cell TEXT,
    expected TEXT,
    found TEXT,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_by_department ON submissions(department_code, file_mtime);
"""


def connect(path: str | Path) -> sqlite3.Connection:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path))
    connection.executescript(SCHEMA)
    return connection


def record(path: str | Path, rows: Iterable[DepartmentRow], departments: list[Department] | None = None) -> int:
    """Store a collection round; returns how many submissions were new to the ledger.

    Each file is recorded under the scheme it was checked under (its own, or the one the run forced).
    """
    import os

    new = 0
    with connect(path) as db:
        for department in departments or []:
            db.execute("INSERT INTO departments(code, name) VALUES (?, ?) "
                       "ON CONFLICT(code) DO UPDATE SET name = excluded.name", (department.code, department.name))
        for row in rows:
            for result in ([row.result] if row.result else []) + row.superseded:
                try:
                    mtime = os.stat(result.path).st_mtime
                except OSError:
                    mtime = None
                cursor = db.execute(
                    "INSERT OR IGNORE INTO submissions(department_code, department_name, path, sha256, scheme, status, "
                    "declared_total, computed_total, computed_grade, errors, warnings, file_mtime, seen_at, "
                    "perfxl_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (row.code or "", row.name, result.path, result.sha256, result.scheme or "", result.status,
                     json_number(result.declared_total), json_number(result.computed_total), result.computed_grade,
                     _count(result, "error"), _count(result, "warning"), mtime,
                     datetime.now().isoformat(timespec="seconds"), __version__))
                if cursor.rowcount:
                    new += 1
                    db.executemany(
                        "INSERT INTO findings(submission_id, code, severity, sheet, cell, expected, found, message) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(cursor.lastrowid, f.code, f.severity, f.sheet, f.cell, _text(f.expected), _text(f.found),
                          render(f)) for f in result.findings])
    return new


def _count(result: FileResult, severity: str) -> int:
    return sum(1 for f in result.findings if f.severity == severity)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass
class DepartmentStatus:
    code: str | None
    name: str
    status: str  # not_submitted, errors, warnings, clean, unreadable
    submissions: int
    latest_path: str | None
    fixed: int  # findings of the previous submission gone in the latest
    new: int  # findings of the latest not in the previous


def status(path: str | Path) -> list[DepartmentStatus]:
    """Per department (roster order, then unmatched files): the latest submission and what it fixed."""
    if not Path(path).exists():
        raise FileNotFoundError(path)
    with connect(path) as db:
        departments = db.execute("SELECT code, name FROM departments ORDER BY rowid").fetchall()
        others = db.execute("SELECT DISTINCT department_code, department_name FROM submissions "
                            "WHERE department_code NOT IN (SELECT code FROM departments) "
                            "ORDER BY department_name").fetchall()
        out = []
        for code, name in [*departments, *others]:
            if code == "":
                history = db.execute("SELECT id, status, path FROM submissions WHERE department_code = '' AND "
                                     "department_name = ? ORDER BY file_mtime DESC, id DESC", (name,)).fetchall()
            else:
                history = db.execute("SELECT id, status, path FROM submissions WHERE department_code = ? "
                                     "ORDER BY file_mtime DESC, id DESC", (code,)).fetchall()
            if not history:
                out.append(DepartmentStatus(code, name, "not_submitted", 0, None, 0, 0))
                continue
            latest = _finding_keys(db, history[0][0])
            previous = _finding_keys(db, history[1][0]) if len(history) > 1 else set()
            fixed = len(previous - latest) if len(history) > 1 else 0
            new = len(latest - previous) if len(history) > 1 else 0
            out.append(DepartmentStatus(code or None, name, history[0][1], len(history), history[0][2], fixed, new))
        return out


def _finding_keys(db: sqlite3.Connection, submission: int) -> set[tuple]:
    return set(db.execute("SELECT code, sheet, cell FROM findings WHERE submission_id = ?", (submission,)))
