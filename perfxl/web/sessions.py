"""Sessions of the web page: one per page opened, each with its private folder, rounds and downloads.

A session's folder (``tempfile.mkdtemp``: mode 0700) holds what the page sent and what perfxl made
of it. A client's file name is never a path here: uploads are stored as ``0001.xlsx``, keeping only
the suffix (lower-cased, from the readers' allow-list) and a lock-file prefix, since the readers
decide by name and content; the name the clerk chose is display text, put back into the outputs
(JSON, report, annotated copies) when the round is done.

A session ends when its page is closed (the page's ``pagehide`` request), after ``idle_seconds``
without a request, or when the server stops; its folder is then deleted — by the round's thread
when one is still running, as soon as it stops (it stops at the next file it finishes).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from perfxl import codes
from perfxl.collection.round import RoundError, RoundOptions, RoundResult, run_round
from perfxl.files import atomic_write_text
from perfxl.model import FileResult
from perfxl.outputs.files import file_to_dict
from perfxl.reconcile import REFUSED_SUFFIXES, REPORT_SUFFIXES, WORKBOOK_SUFFIXES, discover
from perfxl.scheme import load_scheme
from perfxl.template.roster import (
    MANIFEST_CSV,
    MANIFEST_JSON,
    RosterError,
    read_roster,
    write_roster_templates,
)
from perfxl.web.texts import text

log = logging.getLogger("perfxl.web")

MB = 1024 * 1024
#: Suffixes kept on a stored upload: what the readers tell apart. Anything else is stored as .bin
#: and listed as skipped ("not a workbook"), like any other file in a reconciled folder.
UPLOAD_SUFFIXES = frozenset(WORKBOOK_SUFFIXES | set(REFUSED_SUFFIXES) | set(REPORT_SUFFIXES))
ROSTER_SUFFIXES = frozenset({".csv", ".xlsx", ".xlsm"})
LOCK_PREFIXES = ("~$", ".~lock.")
SCHEMES = ("standard", "classic")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Limits:
    max_files: int = 2000
    file_bytes: int = 50 * MB
    total_bytes: int = 1024 * MB
    roster_bytes: int = 10 * MB
    sessions: int = 32
    idle_seconds: float = 30 * 60
    jobs: int = 2
    page_rows: int = 50  # rows of the results table the page shows at once
    findings_shown: int = 5  # a row's findings shown before the rest are collapsed


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    media_type: str


class Cancelled(Exception):
    """The round's session ended or a newer choice of files replaced it."""


def display_name(raw: str) -> str:
    """A client's file name as shown: relative path with '/' separators, no control characters."""
    parts = [part.strip() for part in _CONTROL.sub("", raw).replace("\\", "/").split("/")]
    name = "/".join(part for part in parts if part not in ("", ".", ".."))
    return name[-400:] or "?"


def stored_name(index: int, display: str) -> str:
    """``0001.xlsx``: the upload's number, its suffix if the readers know it, its lock-file prefix."""
    base = display.rsplit("/", 1)[-1]
    suffix = PurePosixPath(base).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        suffix = ".bin"
    prefix = next((p for p in LOCK_PREFIXES if base.startswith(p)), "")
    return f"{prefix}{index + 1:04d}{suffix}"


def create_private(path: Path) -> int:
    """A new file only this user can read; never follows a link, never replaces a file."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)


class Session:
    def __init__(self, registry: Registry, token: str):
        self.registry = registry
        self.token = token
        self.lang = registry.lang
        self.last_seen = time.monotonic()
        self.used = False  # the page has called the API: a page that is really open
        self.closed = False
        self.folder: Path | None = None
        self.round: Round | None = None
        self.downloads: dict[str, Download] = {}
        self._counter = 0
        self._busy = 0
        self._roster_folder: Path | None = None
        self._lock = threading.Lock()

    def running(self) -> bool:
        thread = self.round.thread if self.round is not None else None
        return thread is not None and thread.is_alive()

    def touch(self) -> None:
        self.last_seen = time.monotonic()

    def next_folder(self, stem: str) -> Path:
        with self._lock:
            if self.closed:
                raise Cancelled
            if self.folder is None:
                self.folder = Path(tempfile.mkdtemp(prefix="perfxl-web-", dir=self.registry.tmp_root))
            self._counter += 1
            folder = self.folder / f"{stem}-{self._counter}"
        folder.mkdir(mode=0o700)
        return folder

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """Work writing into the folder: a closed session's folder is deleted when the last one ends."""
        with self._lock:
            if self.closed:
                raise Cancelled
            self._busy += 1
        try:
            yield
        finally:
            with self._lock:
                self._busy -= 1
                remove = self.closed and not self._busy
            if remove:
                self.remove_folder()

    def add_download(self, path: Path, filename: str, media_type: str) -> str:
        key = secrets.token_urlsafe(18)
        self.downloads[key] = Download(path, filename, media_type)
        return f"/download/{key}"

    def new_round(self, names: list[str], sizes: list[int]) -> Round:
        previous = self.round
        if previous is not None:
            previous.cancel()
        self.round = Round(self, self.next_folder("round"), names, sizes)
        return self.round

    def close(self) -> None:
        with self._lock:
            self.closed = True
            remove = not self._busy
        if self.round is not None:
            self.round.cancel()
        self.downloads.clear()
        if remove:
            self.remove_folder()

    def remove_folder(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def make_templates(self, data: bytes, display: str, year: int, scheme: str) -> dict[str, Any]:
        """A roster in, a zip of its templates and manifest out; or its problems row by row."""
        with self.busy():
            folder = self.next_folder("roster")
            roster = folder / ("roster" + PurePosixPath(display).suffix.lower())
            handle = create_private(roster)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            try:
                departments = read_roster(roster)
            except RosterError as exc:
                shutil.rmtree(folder, ignore_errors=True)
                return {"problems": [{"row": row, "message": message} for row, message in exc.rows(self.lang)]}
            made = write_roster_templates(departments, folder / "templates", load_scheme(scheme), year)
            archive = folder / "templates.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
                for entry in made.entries:
                    bundle.write(folder / "templates" / entry.file, entry.file)
                for name in (MANIFEST_JSON, MANIFEST_CSV):
                    bundle.write(folder / "templates" / name, name)
            stem = "模板" if self.lang == "zh" else "templates"
            url = self.add_download(archive, f"{stem}_{year}.zip", "application/zip")
            if self._roster_folder is not None:
                shutil.rmtree(self._roster_folder, ignore_errors=True)
            self._roster_folder = folder
            return {"count": len(made.entries), "download": url}


class Round:
    """One choice of files: uploaded, reviewed in a background thread, its outputs ready to download."""

    def __init__(self, session: Session, folder: Path, names: list[str], sizes: list[int]):
        self.session = session
        self.lang = session.lang
        self.id = secrets.token_hex(8)
        self.folder = folder
        self.inbox = folder / "inbox"
        self.out = folder / "out"
        self.inbox.mkdir(mode=0o700)
        self.out.mkdir(mode=0o700)
        self.display = [display_name(name) for name in names]
        self.stored = [stored_name(index, name) for index, name in enumerate(self.display)]
        self._numbers = {stored: index for index, stored in enumerate(self.stored)}
        self.sizes = sizes
        self.received = [False] * len(names)
        self.state = "uploading"
        self.done = 0
        self.rows: list[dict[str, Any]] = []
        self.result: dict[str, Any] = {}
        self.error: str | None = None
        self.cancelled = threading.Event()
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def total(self) -> int:
        return len(self.stored)

    def cancel(self) -> None:
        self.cancelled.set()
        if self.thread is None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def start(self) -> None:
        self.state = "running"
        self.thread = threading.Thread(target=self._run, name=f"perfxl-web-round-{self.id}", daemon=True)
        self.thread.start()

    def snapshot(self, since: int, with_rows: bool = True) -> dict[str, Any]:
        """Progress, the rows from ``since`` on (all of them, final, once the results are in)."""
        with self._lock:
            final = self.state == "done"
            rows = (self.rows if final else self.rows[max(0, since):]) if with_rows else []
            return {"state": self.state, "done": self.done, "total": self.total, "final": final,
                    "rows": list(rows), "error": self.error, **(self.result if final else {})}

    def _run(self) -> None:
        try:
            with self.session.busy():
                self._review()
        except Cancelled:
            self.state = "cancelled"
        except RoundError as exc:
            self._fail(exc.message(self.lang))
        except Exception as exc:  # never let a round die silently: the page shows why
            log.exception("round %s failed", self.id)
            self._fail(f"{type(exc).__name__}: {exc}")
        finally:
            if self.cancelled.is_set():
                shutil.rmtree(self.folder, ignore_errors=True)

    def _fail(self, error: str) -> None:
        message = text(self.lang, "round_failed", error=error)
        with self._lock:
            if self.state == "done":  # the results are out; only the annotated copies failed
                self.result.update(copies_state="failed", copies_error=message)
            else:
                self.error, self.state = message, "failed"

    def _review(self) -> None:
        """Two rounds over the same inbox: the results (JSON, report) first, shown as soon as they are
        in; then the annotated copies, which take longer, with every result reused from the session's
        ledger (nothing is read twice)."""
        found = discover([self.inbox])
        skipped = [(self._numbers[path.name], codes.skip_reason(reason, self.lang)) for path, reason in found.skipped]
        for index, reason in skipped:
            self._add(self._skipped_row(index, reason))
        ledger, jobs = self.folder / "ledger.sqlite", self.session.registry.limits.jobs
        outcome = run_round(RoundOptions([self.inbox], json=self.out / "result.json", ledger=ledger, jobs=jobs,
                                         lang=self.lang), on_result=self._on_result)
        self._stop_if_cancelled()
        self._finish(outcome, skipped)
        copies = run_round(RoundOptions([self.inbox], annotate=self.out / "copies", ledger=ledger, jobs=jobs,
                                        lang=self.lang), on_result=lambda result: self._stop_if_cancelled())
        self._stop_if_cancelled()
        self._finish_copies(copies)

    def _stop_if_cancelled(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled  # raised in on_result, it stops the round: its workers are shut down

    def _on_result(self, result: FileResult) -> None:
        self._stop_if_cancelled()
        self._add(self._row(result))

    def _add(self, row: dict[str, Any]) -> None:
        with self._lock:
            self.rows.append(row)
            self.done += 1

    def _index(self, path: str) -> int | None:
        return self._numbers.get(Path(path).name)

    def _row(self, result: FileResult) -> dict[str, Any]:
        data = file_to_dict(result, self.lang)
        index = self._index(result.path)
        status = "superseded" if result.superseded_by else result.status
        newer = self._index(result.superseded_by) if result.superseded_by else None
        return {"index": index, "name": self.display[index] if index is not None else Path(result.path).name,
                "department": data["department"], "declared": data["declared_total"],
                "computed": data["computed_total"], "status": status,
                "status_label": codes.status_label(status, self.lang),
                "superseded_by": self.display[newer] if newer is not None else None,
                "findings": [{**finding, "label": codes.label(finding["code"], self.lang)}
                             for finding in data["findings"]],
                "notes": data["notes"], "reason": None}

    def _skipped_row(self, index: int, reason: str) -> dict[str, Any]:
        return {"index": index, "name": self.display[index], "department": None, "declared": None,
                "computed": None, "status": "skipped", "status_label": text(self.lang, "status_skipped"),
                "superseded_by": None, "findings": [], "notes": [], "reason": reason}

    def _names(self) -> dict[str, str]:
        """Stored path → the name the clerk chose."""
        return {str(self.inbox / stored): shown for stored, shown in zip(self.stored, self.display, strict=True)}

    def _finish(self, outcome: RoundResult, skipped: list[tuple[int, str]]) -> None:
        """Final rows (superseded files known now); the report and JSON under the names the clerk chose."""
        rows = [self._row(result) for result in outcome.results]
        rows += [self._skipped_row(index, reason) for index, reason in skipped]
        rows.sort(key=lambda row: row["index"] if row["index"] is not None else -1)
        names = self._names()
        for result in outcome.results:
            result.path = names.get(result.path, result.path)
            if result.superseded_by:
                result.superseded_by = names.get(result.superseded_by, result.superseded_by)
        from perfxl.outputs.workbook import write_report

        write_report(self.out / "report.xlsx", outcome.rows, self.lang)
        _rename_in_json(self.out / "result.json", names)
        summary = outcome.summary.to_dict()
        summary.update(superseded=outcome.summary.superseded, skipped=len(skipped))
        zh = self.lang == "zh"
        result = {
            "summary": summary, "copies_state": "pending",
            "report": self.session.add_download(self.out / "report.xlsx", "审核报告.xlsx" if zh else "review-report.xlsx",
                                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "json": self.session.add_download(self.out / "result.json", "审核结果.json" if zh else "results.json",
                                              "application/json"),
        }
        with self._lock:
            self.rows, self.result, self.state = rows, result, "done"

    def _finish_copies(self, outcome: RoundResult) -> None:
        names = self._names()
        by_stored = dict(zip(self.stored, self.display, strict=True))
        count = _zip_copies(sorted(outcome.annotated), self.out / "copies.zip", by_stored)
        url = self.session.add_download(self.out / "copies.zip", "批注副本.zip" if self.lang == "zh" else
                                        "annotated-copies.zip", "application/zip")
        failed = [self._annotate_error(names, path, message) for path, message in outcome.annotate_errors]
        with self._lock:
            self.result.update(copies_state="ready", copies=count, copies_url=url, annotate_errors=failed)

    @staticmethod
    def _annotate_error(names: dict[str, str], path: str, message: str) -> dict[str, str]:
        stored = Path(path).name
        shown = names.get(path, stored)
        return {"name": shown, "message": message.replace(stored, shown.rsplit("/", 1)[-1])}


def _rename_in_json(path: Path, names: dict[str, str]) -> None:
    """The JSON as written by the round, with the clerk's file names in place of the stored ones."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data.get("files", []):
        entry["path"] = names.get(entry["path"], entry["path"])
        if entry.get("superseded_by"):
            entry["superseded_by"] = names.get(entry["superseded_by"], entry["superseded_by"])
    for entry in data.get("skipped", []):
        entry["path"] = names.get(entry["path"], entry["path"])
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _zip_copies(copies: list[Path], archive: Path, by_stored: dict[str, str]) -> int:
    """The annotated copies in one zip, each under the name (and folder) the clerk's file had."""
    used: set[str] = set()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:
        for copy in copies:
            name = by_stored.get(copy.name, copy.name)
            stem, dot, suffix = name.rpartition(".")
            candidate, number = name, 1
            while candidate.casefold() in used:
                number += 1
                candidate = f"{stem} ({number}).{suffix}" if dot else f"{name} ({number})"
            used.add(candidate.casefold())
            bundle.write(copy, candidate)
    return len(copies)


class Registry:
    """Every live session, found by its page's token."""

    def __init__(self, lang: str = "zh", limits: Limits | None = None, tmp_root: str | None = None):
        self.lang = lang
        self.limits = limits or Limits()
        self.tmp_root = tmp_root
        self._sessions: dict[str, Session] = {}
        self._ending: list[Session] = []  # ended while a round's thread still ran: waited for on stop
        self._lock = threading.Lock()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()

    def new(self) -> Session:
        session = Session(self, secrets.token_urlsafe(32))
        with self._lock:
            self._sessions[self._key(session.token)] = session
            # over the limit: pages never used go first (a flood of page loads cannot push out a clerk's)
            oldest = sorted(self._sessions.values(), key=lambda s: (s.used, s.last_seen))
            evicted = oldest[: max(0, len(oldest) - self.limits.sessions)]
            for old in evicted:
                del self._sessions[self._key(old.token)]
        for old in evicted:
            old.close()
        return session

    def find(self, token: str) -> Session | None:
        with self._lock:
            session = self._sessions.get(self._key(token))
        if session is not None:
            session.used = True
            session.touch()
        return session

    def download(self, key: str) -> Download | None:
        with self._lock:
            sessions = list(self._sessions.values())
        return next((s.downloads[key] for s in sessions if key in s.downloads), None)

    def end(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(self._key(session.token), None)
            self._ending = [s for s in self._ending if s.running()]
            if session.running():
                self._ending.append(session)
        session.close()

    def reap(self) -> int:
        """End the sessions whose page has not been heard from for ``idle_seconds``."""
        now = time.monotonic()
        with self._lock:
            idle = [s for s in self._sessions.values() if now - s.last_seen > self.limits.idle_seconds]
        for session in idle:
            self.end(session)
        return len(idle)

    def close_all(self, wait: float = 10.0) -> None:
        """End every session; give running rounds ``wait`` seconds to stop, then delete what is left."""
        with self._lock:
            sessions = [*self._sessions.values(), *self._ending]
            self._sessions.clear()
            self._ending.clear()
        for session in sessions:
            session.close()
        deadline = time.monotonic() + wait
        for session in sessions:
            thread = session.round.thread if session.round is not None else None
            if thread is not None:
                thread.join(max(0.0, deadline - time.monotonic()))
            session.remove_folder()

    def __len__(self) -> int:
        return len(self._sessions)
