"""The ledger: an embedded SQLite file remembering every submission reconcile has seen.

It answers the bureau's running questions: who has not submitted, who still has errors, and
whether a resubmission fixed what was found before. Every file is recorded as soon as it is
checked (in small batches), so a run that is killed keeps what it finished, and a file whose
content was already checked under the same options and perfxl version is not read again.

One default location for ``reconcile`` and ``status``: ``perfxl-ledger.sqlite`` in the current
folder, or the file named by ``$PERFXL_LEDGER``. WAL mode and a busy timeout let two runs share it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from perfxl import __version__
from perfxl.codes import render
from perfxl.model import DepartmentRow, FileResult
from perfxl.numbers import json_number
from perfxl.template.roster import Department

DEFAULT_NAME = "perfxl-ledger.sqlite"
BATCH_SIZE = 25  # results per commit while a run goes on
BATCH_SECONDS = 1.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS departments (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rounds (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    roster TEXT,
    manifest TEXT,
    perfxl_version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS checked (  -- every file checked, as soon as it is: the re-run cache
    sha256 TEXT NOT NULL,
    options TEXT NOT NULL,  -- the file's suffix and content kind, and the forced scheme's fingerprint
    perfxl_version TEXT NOT NULL,  -- the version and a fingerprint of the code that checked it
    result TEXT NOT NULL,  -- the FileResult as JSON
    checked_at TEXT NOT NULL,
    PRIMARY KEY (sha256, options, perfxl_version)
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
    saved_at TEXT,  -- when its spreadsheet program saved it; else the file time (ISO)
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
CREATE TABLE IF NOT EXISTS round_departments (  -- each department as a round saw it: what came in, what is missing
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    department_code TEXT NOT NULL,  -- '' for files that matched no department (then by name)
    department_name TEXT NOT NULL,
    status TEXT NOT NULL,
    documents TEXT NOT NULL,  -- JSON: [[kind, title, path, replaced_by], …]
    missing TEXT NOT NULL  -- JSON: [[kind, title, reason], …]
);
CREATE TABLE IF NOT EXISTS round_files (  -- the files that counted for a department in a round
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    department_code TEXT NOT NULL,
    department_name TEXT NOT NULL,
    submission_id INTEGER NOT NULL REFERENCES submissions(id)
);
"""


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """perfxl's version and a fingerprint of its code and shipped schemes: a cached result is reused
    only by the very code that made it (a source checkout changes without a new version number)."""
    from perfxl.scheme import schemes_dir

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for path in [*sorted(package.rglob("*.py")), *sorted(schemes_dir().iterdir())]:
        if path.is_file():
            digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def default_path() -> Path:
    """Where ``reconcile`` and ``status`` find the ledger unless told otherwise."""
    return Path(os.environ.get("PERFXL_LEDGER") or DEFAULT_NAME)


def connect(path: str | Path) -> sqlite3.Connection:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), timeout=30)  # wait for another run's write to finish
    connection.execute("PRAGMA journal_mode=WAL")
    connection.executescript(SCHEMA)
    columns = {row[1] for row in connection.execute("PRAGMA table_info(submissions)")}
    if "saved_at" not in columns:  # a ledger written by an earlier perfxl
        connection.execute("ALTER TABLE submissions ADD COLUMN saved_at TEXT")
    return connection


def saved_time(result: FileResult) -> str:
    """The time a submission counts as sent, in UTC ('2024-03-15T09:30:00Z'): its spreadsheet
    program's save time, else the file's time."""
    moment = None
    if result.saved_at:
        try:
            moment = datetime.fromisoformat(result.saved_at.replace("Z", "+00:00"))
        except ValueError:
            moment = None
    if moment is None:
        try:
            moment = datetime.fromtimestamp(os.stat(result.path).st_mtime, timezone.utc)
        except OSError:
            return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Ledger:
    """An open ledger for one run: cached results in, each new result out as soon as it is known."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = connect(self.path)
        self.round_id: int | None = None
        self._pending = 0
        self._last_commit = time.monotonic()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.commit()
        self.db.close()

    def start_round(self, roster: Path | None, manifest: Path | None) -> None:
        cursor = self.db.execute("INSERT INTO rounds(started_at, roster, manifest, perfxl_version) VALUES (?, ?, ?, ?)",
                                 (_now(), _text(roster and roster.resolve()), _text(manifest and manifest.resolve()),
                                  __version__))
        self.round_id = cursor.lastrowid
        self.db.commit()

    def last_manifest(self) -> Path | None:
        """The manifest the latest round that had one used: ids still match after the roster moved."""
        row = self.db.execute("SELECT manifest FROM rounds WHERE manifest IS NOT NULL ORDER BY id DESC LIMIT 1") \
            .fetchone()
        return Path(row[0]) if row and Path(row[0]).exists() else None

    def cached(self, sha256: str, options: str) -> FileResult | None:
        row = self.db.execute("SELECT result FROM checked WHERE sha256 = ? AND options = ? AND perfxl_version = ?",
                              (sha256, options, code_version())).fetchone()
        return FileResult.from_record(row[0]) if row else None

    def remember(self, result: FileResult, options: str) -> None:
        """Keep a checked file's result; committed in small batches, so a killed run keeps them."""
        if not result.sha256 or result.status == "unreadable":
            return  # a file that could not be read (perhaps only this time: a timeout) is read again
        record = dataclasses.replace(result, path="").to_record()  # the reader sets the path again: a web
        # upload's stored name (0003.xlsx) never lands in the ledger
        self.db.execute("INSERT OR REPLACE INTO checked(sha256, options, perfxl_version, result, checked_at) "
                        "VALUES (?, ?, ?, ?, ?)", (result.sha256, options, code_version(), record, _now()))
        self._pending += 1
        if self._pending >= BATCH_SIZE or time.monotonic() - self._last_commit >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        self.db.commit()
        self._pending = 0
        self._last_commit = time.monotonic()

    def record(self, rows: Iterable[DepartmentRow], departments: list[Department] | None = None) -> int:
        """Store a collection round; returns how many submissions were new to the ledger.

        Each file is recorded under the scheme it was checked under (its own, or the one the run forced).
        """
        new = 0
        for department in departments or []:
            self.db.execute("INSERT INTO departments(code, name) VALUES (?, ?) "
                            "ON CONFLICT(code) DO UPDATE SET name = excluded.name", (department.code, department.name))
        for row in rows:
            counted = []
            for result in row.files + row.superseded:
                added, submission = self._submission(row, result)
                new += added
                if result.superseded_by is None:
                    counted.append(submission)
            if self.round_id is not None:
                self._round_department(row, counted)
        self.flush()
        return new

    def _round_department(self, row: DepartmentRow, submissions: list[int]) -> None:
        key = (self.round_id, row.code or "", row.name)
        documents = [[d.kind, d.title, d.path, d.replaced_by] for d in row.documents]
        missing = [[m.kind, m.title, m.reason] for m in row.missing]
        self.db.execute("INSERT INTO round_departments VALUES (?, ?, ?, ?, ?, ?)",
                        (*key, row.status, json.dumps(documents, ensure_ascii=False),
                         json.dumps(missing, ensure_ascii=False)))
        self.db.executemany("INSERT INTO round_files VALUES (?, ?, ?, ?)", [(*key, i) for i in submissions])

    def _submission(self, row: DepartmentRow, result: FileResult) -> tuple[int, int]:
        """(1 if new to the ledger else 0, its id)."""
        try:
            mtime = os.stat(result.path).st_mtime
        except OSError:
            mtime = None
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO submissions(department_code, department_name, path, sha256, scheme, status, "
            "declared_total, computed_total, computed_grade, errors, warnings, file_mtime, seen_at, "
            "perfxl_version, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row.code or "", row.name, result.path, result.sha256, result.scheme or "", result.status,
             json_number(result.declared_total), json_number(result.computed_total), result.computed_grade,
             _count(result, "error"), _count(result, "warning"), mtime, _now(), __version__, saved_time(result)))
        if not cursor.rowcount:
            found = self.db.execute("SELECT id FROM submissions WHERE sha256 = ? AND department_code = ? AND scheme = ?",
                                    (result.sha256, row.code or "", result.scheme or "")).fetchone()
            return 0, found[0]
        self.db.executemany(
            "INSERT INTO findings(submission_id, code, severity, sheet, cell, expected, found, message) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(cursor.lastrowid, f.code, f.severity, f.sheet, f.cell, _text(f.expected), _text(f.found), render(f))
             for f in result.findings])
        return 1, cursor.lastrowid


def _count(result: FileResult, severity: str) -> int:
    return sum(1 for f in result.findings if f.severity == severity)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


@dataclass
class DepartmentStatus:
    code: str | None
    name: str
    status: str  # not_submitted, errors, warnings, clean, unreadable
    submissions: int
    latest_path: str | None
    fixed: int  # findings of the previous submission gone in the latest
    new: int  # findings of the latest not in the previous
    latest_saved: str = ""  # when the latest submission was saved (ISO)
    documents: list[str] | None = None  # kinds of the documents that counted in its latest round
    missing: list[tuple[str, str, str]] | None = None  # (kind, title, reason) missing in its latest round


def status(path: str | Path) -> list[DepartmentStatus]:
    """Per department (roster order, then unmatched files): the latest submission and what it fixed."""
    if not Path(path).exists():
        raise FileNotFoundError(path)
    with connect(path) as db:
        departments = db.execute("SELECT code, name FROM departments ORDER BY rowid").fetchall()
        others = db.execute("SELECT DISTINCT department_code, department_name FROM submissions "
                            "WHERE department_code NOT IN (SELECT code FROM departments) "
                            "ORDER BY department_name").fetchall()
        return [_department_status(db, code, name) for code, name in [*departments, *others]]


def _department_status(db: sqlite3.Connection, code: str, name: str) -> DepartmentStatus:
    """The department's two latest rounds when the ledger has them (several documents a round),
    else its two latest submissions (a ledger written by an earlier perfxl)."""
    where, args = ("department_code = ?", (code,)) if code else ("department_code = '' AND department_name = ?",
                                                                  (name,))
    rounds = db.execute(f"SELECT round_id, status, documents, missing FROM round_departments WHERE {where} "
                        "ORDER BY round_id DESC LIMIT 2", args).fetchall()
    found = _by_submission(db, code, name)
    if not rounds or found.status == "not_submitted":
        return found
    latest = _round_findings(db, rounds[0][0], where, args)
    found.status = rounds[0][1]
    found.documents = [kind for kind, _, _, replaced_by in json.loads(rounds[0][2]) if replaced_by is None]
    found.missing = [tuple(entry) for entry in json.loads(rounds[0][3])]
    if len(rounds) > 1:
        previous = _round_findings(db, rounds[1][0], where, args)
        found.fixed, found.new = len(previous - latest), len(latest - previous)
    return found


def _round_findings(db: sqlite3.Connection, round_id: int, where: str, args: tuple) -> set[tuple]:
    return set(db.execute("SELECT f.code, f.sheet, f.cell FROM findings f JOIN round_files r ON "
                          f"f.submission_id = r.submission_id WHERE r.round_id = ? AND r.{where}",
                          (round_id, *args)))


def _by_submission(db: sqlite3.Connection, code: str, name: str) -> DepartmentStatus:
    order = "ORDER BY COALESCE(saved_at, '') DESC, file_mtime DESC, id DESC"
    if code == "":
        history = db.execute("SELECT id, status, path, saved_at FROM submissions WHERE department_code = '' AND "
                             f"department_name = ? {order}", (name,)).fetchall()
    else:
        history = db.execute(f"SELECT id, status, path, saved_at FROM submissions WHERE department_code = ? {order}",
                             (code,)).fetchall()
    if not history:
        return DepartmentStatus(code, name, "not_submitted", 0, None, 0, 0)
    latest = _finding_keys(db, history[0][0])
    previous = _finding_keys(db, history[1][0]) if len(history) > 1 else set()
    fixed = len(previous - latest) if len(history) > 1 else 0
    new = len(latest - previous) if len(history) > 1 else 0
    return DepartmentStatus(code or None, name, history[0][1], len(history), history[0][2], fixed, new,
                            history[0][3] or "")


def _finding_keys(db: sqlite3.Connection, submission: int) -> set[tuple]:
    return set(db.execute("SELECT code, sheet, cell FROM findings WHERE submission_id = ?", (submission,)))
