"""A collection round on the web page: the same round as ``perfxl reconcile`` (run_round), kept.

A round holds every file the clerk chose for it, batch after batch (the corrected files a
department sends back are added to the round, and matching lets a newer document replace an older
one as it does for the command), an optional roster and manifest, and what the last review made.
Each review runs :func:`perfxl.collection.round.run_round` over all the round's files with the
shared ledger (the command's default file, so ``perfxl status`` sees page rounds, and a file
already checked is not read again) and the clerk's file names as display names, so no output shows
the names uploads are stored under.

A round lives in its own private folder, outside any page's session: reloading or closing the page
keeps it (the page finds it again by its key); it ends when the clerk starts a new round, after a
long time with no page on it, or when the server stops.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import threading
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from perfxl import codes
from perfxl.collection.round import RoundError, RoundOptions, RoundResult, run_round
from perfxl.model import DepartmentRow, FileResult
from perfxl.outputs.files import file_to_dict, missing_text
from perfxl.reconcile import REFUSED_SUFFIXES, REPORT_SUFFIXES, WORKBOOK_SUFFIXES
from perfxl.template.roster import RosterError, read_roster
from perfxl.web.texts import text

log = logging.getLogger("perfxl.web")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Suffixes kept on a stored upload: what the readers tell apart. Anything else is stored as .bin
#: and listed as skipped ("not a workbook"), like any other file in a reconciled folder.
UPLOAD_SUFFIXES = frozenset(WORKBOOK_SUFFIXES | set(REFUSED_SUFFIXES) | set(REPORT_SUFFIXES))
LOCK_PREFIXES = ("~$", ".~lock.")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    media_type: str


class Cancelled(Exception):
    """The round was ended (a new round started, or the server stopped)."""


def create_private(path: Path) -> int:
    """A new file only this user can read; never follows a link, never replaces a file."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)


def write_private(path: Path, data: bytes) -> Path:
    with os.fdopen(create_private(path), "wb") as out:
        out.write(data)
    return path


class PageRound:
    """The files of one collection round, its roster, and the outputs of its latest review."""

    def __init__(self, registry: Any, folder: Path):  # a sessions.Registry (which imports this module)
        self.registry = registry
        self.lang = registry.lang
        self.id = secrets.token_hex(8)
        self.key = secrets.token_urlsafe(24)  # kept by the page (its own storage) to find the round again
        self.folder = folder
        self.inbox, self.out, self.lists = folder / "inbox", folder / "out", folder / "lists"
        for sub in (self.inbox, self.out, self.lists):
            sub.mkdir(mode=0o700)
        self.display: list[str] = []  # the clerk's names, one per file (unique in the round)
        self.stored: list[str] = []  # 0001.xlsx …: what each is stored as
        self.sizes: list[int] = []
        self.received: list[bool] = []
        self.batches: list[int] = []  # index of each batch's first file
        self._numbered = 0  # uploads numbered so far: stored names are never reused
        self.roster: Path | None = None
        self.roster_name: str | None = None
        self.roster_departments = 0
        self.manifest: Path | None = None
        self.manifest_name: str | None = None
        self.session: Any = None  # the sessions.Session showing the round, if a page does
        self.last_seen = time.monotonic()
        self.state = "empty"  # empty, uploading, running, done, failed
        self.stage, self.done, self.total = "", 0, 0
        self.runs = 0
        self.rows: list[dict[str, Any]] = []
        self.departments: list[dict[str, Any]] | None = None
        self.result: dict[str, Any] = {}
        self.error: str | None = None
        self.downloads: dict[str, Download] = {}
        self.cancelled = threading.Event()
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # --- what the page sends --------------------------------------------------------------------

    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def add_files(self, names: list[str], sizes: list[int]) -> int:
        """A new batch (names as the clerk's browser gave them); returns its first index. A name the
        round holds already (a corrected file sent under the same name) is shown with its batch."""
        with self._lock:
            if self.running():
                raise RoundBusy
            self._drop_unreceived()
            first = len(self.stored)
            taken = {name.casefold() for name in self.display}
            batch = len(self.batches) + 1
            for raw, size in zip(names, sizes, strict=True):
                shown = display_name(raw)
                if shown.casefold() in taken:
                    shown = text(self.lang, "batch_folder", batch=batch) + "/" + shown
                taken.add(shown.casefold())
                self.display.append(shown)
                self.stored.append(stored_name(self._numbered, shown))
                self._numbered += 1
                self.sizes.append(size)
                self.received.append(False)
            self.batches.append(first)
            self.state = "uploading"
            return first

    def _drop_unreceived(self) -> None:
        """Files of a batch whose upload never finished (the page was reloaded meanwhile) go."""
        keep = [index for index, received in enumerate(self.received) if received]
        for index, stored in enumerate(self.stored):
            if not self.received[index]:
                (self.inbox / stored).unlink(missing_ok=True)
        self.batches = sorted({sum(1 for i in keep if i < first) for first in self.batches
                               if any(i >= first for i in keep)})
        for name in ("display", "stored", "sizes", "received"):
            values = getattr(self, name)
            setattr(self, name, [values[index] for index in keep])

    def set_list(self, kind: str, data: bytes, name: str) -> dict[str, Any]:
        """The roster (checked now: its problems row by row) or the templates' manifest for the review."""
        with self._lock:
            if self.running():
                raise RoundBusy
            suffix = PurePosixPath(name).suffix.lower()
            path = self.lists / f"{kind}-{secrets.token_hex(4)}{suffix}"
            write_private(path, data)
            if kind == "roster":
                try:
                    departments = read_roster(path)
                except RosterError as exc:
                    path.unlink(missing_ok=True)
                    return {"problems": [{"row": row, "message": message} for row, message in exc.rows(self.lang)]}
                old, self.roster, self.roster_name = self.roster, path, name
                self.roster_departments = len(departments)
                answer = {"name": name, "departments": len(departments)}
            else:
                old, self.manifest, self.manifest_name = self.manifest, path, name
                answer = {"name": name}
            if old is not None:
                old.unlink(missing_ok=True)
            return answer

    def start(self) -> bool:
        """Review every file of the round (False: files still to come, or a review running)."""
        with self._lock:
            if self.running() or not self.stored or not all(self.received):
                return False
            self.state, self.stage, self.done, self.total, self.error = "running", "check", 0, 0, None
            self.runs += 1
            self.rows, self.departments, self.result = [], None, {}
            self.thread = threading.Thread(target=self._run, name=f"perfxl-web-round-{self.id}", daemon=True)
            self.thread.start()
            return True

    def close(self) -> None:
        """End the round: its review stops at the next file, its folder goes."""
        self.cancelled.set()
        self.downloads.clear()
        if not self.running():
            shutil.rmtree(self.folder, ignore_errors=True)

    # --- what the page reads --------------------------------------------------------------------

    def snapshot(self, since: int = 0, with_rows: bool = True) -> dict[str, Any]:
        """Progress and rows from ``since`` on (all of them once the review is done), the round's files
        and lists, and the outputs once there."""
        with self._lock:
            final = self.state == "done"
            rows = (self.rows if final else self.rows[max(0, since):]) if with_rows else []
            return {"round": self.id, "state": self.state, "stage": self.stage, "done": self.done,
                    "total": self.total, "final": final, "run": self.runs, "rows": list(rows),
                    "error": self.error, "files": len(self.stored), "batches": len(self.batches),
                    "roster": self.roster_name, "roster_departments": self.roster_departments,
                    "manifest": self.manifest_name,
                    "departments": self.departments if final and with_rows else None, **self.result}

    def add_download(self, path: Path, filename: str, media_type: str) -> str:
        key = secrets.token_urlsafe(18)
        self.downloads[key] = Download(path, filename, media_type)
        return f"/download/{key}"

    # --- the review -----------------------------------------------------------------------------

    def _run(self) -> None:
        try:
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
        with self._lock:
            self.error, self.state = text(self.lang, "round_failed", error=error), "failed"

    def _review(self) -> None:
        """run_round over all the round's files: the JSON and report as the command writes them, the
        copies, the ledger; every output under the clerk's names."""
        names = {str(self.inbox / stored): shown for stored, shown in zip(self.stored, self.display, strict=True)}
        copies = self.out / "copies"
        options = RoundOptions([self.inbox], roster=self.roster, manifest=self.manifest,
                               ledger=self.registry.ledger, json=self.out / "result.json",
                               report=self.out / "report.xlsx", annotate=copies,
                               jobs=self.registry.limits.jobs, lang=self.lang, display_names=names)
        outcome = run_round(options, on_result=self._on_result, on_stage=self._on_stage)
        self._stop_if_cancelled()
        self._finish(outcome)

    def _stop_if_cancelled(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled  # raised in on_result, it stops the round: its workers are shut down

    def _on_stage(self, stage: str, done: int, total: int) -> None:
        self._stop_if_cancelled()
        with self._lock:
            self.stage, self.done, self.total = stage, done, total
            if stage == "annotate" and done == 0:  # the JSON and the report are written by now
                self.result.update(self._downloads_of_results())

    def _on_result(self, result: FileResult) -> None:
        self._stop_if_cancelled()
        row = self._row(result, self._by_stored(result.path))
        with self._lock:
            self.rows.append(row)
            self.done += 1

    def _by_stored(self, path: str | None) -> str | None:
        """A stored path as the clerk's name (the results of on_result still carry stored paths)."""
        if not path:
            return None
        name = Path(path).name
        return self.display[self.stored.index(name)] if name in self.stored else path

    def _row(self, result: FileResult, name: str | None = None, newer: str | None = None) -> dict[str, Any]:
        data = file_to_dict(result, self.lang)
        status = "superseded" if result.superseded_by else result.status
        return {"name": name or result.path, "department": data["department"], "declared": data["declared_total"],
                "computed": data["computed_total"], "status": status,
                "status_label": codes.status_label(status, self.lang), "superseded_by": newer,
                "findings": [{**finding, "label": codes.label(finding["code"], self.lang)}
                             for finding in data["findings"]],
                "notes": data["notes"], "reason": None}

    def _skipped_row(self, name: str, reason: str) -> dict[str, Any]:
        return {"name": name, "department": None, "declared": None, "computed": None, "status": "skipped",
                "status_label": text(self.lang, "status_skipped"), "superseded_by": None, "findings": [],
                "notes": [], "reason": reason}

    def _downloads_of_results(self) -> dict[str, str]:
        zh = self.lang == "zh"
        return {"report": self.add_download(self.out / "report.xlsx", "审核报告.xlsx" if zh else "review-report.xlsx",
                                            XLSX),
                "json": self.add_download(self.out / "result.json", "审核结果.json" if zh else "results.json",
                                          "application/json")}

    def _finish(self, outcome: RoundResult) -> None:
        """The final rows (replacements known now: results carry the clerk's names), the departments'
        table, the copies' zip, the counts."""
        order = {name: index for index, name in enumerate(self.display)}
        rows = [self._row(result, newer=result.superseded_by) for result in outcome.results]
        rows += [self._skipped_row(str(path), codes.skip_reason(reason, self.lang))
                 for path, reason in outcome.summary.skipped]
        rows.sort(key=lambda row: order.get(row["name"], len(order)))
        archive = self.out / "copies.zip"
        count = zip_copies(sorted(outcome.annotated), archive)
        summary = outcome.summary.to_dict()
        summary.update(superseded=outcome.summary.superseded, skipped=len(outcome.summary.skipped))
        result = {**self.result, "summary": summary, "copies": count,
                  "copies_url": self.add_download(archive, "批注副本.zip" if self.lang == "zh" else
                                                  "annotated-copies.zip", "application/zip"),
                  "annotate_errors": [{"name": name, "message": message} for name, message in outcome.annotate_errors],
                  "ledger": str(outcome.ledger.resolve()) if outcome.ledger else None, "roster_used": self.roster is not None}
        if "report" not in result:
            result.update(self._downloads_of_results())
        departments = [department_entry(row, self.roster is not None, self.lang) for row in outcome.rows]
        checked = len(outcome.results)
        with self._lock:
            self.rows, self.departments, self.result, self.state = rows, departments, result, "done"
            self.stage, self.done, self.total = "done", checked, checked


class RoundBusy(Exception):
    """The round's review is running: files and lists wait until it is done."""


def department_entry(row: DepartmentRow, with_roster: bool, lang: str) -> dict[str, Any]:
    """One line of the page's table of departments: what came in, what is missing, what was replaced."""
    status = "unmatched" if with_roster and row.code is None and row.result is not None else row.status
    counts = Counter(f.severity for result in row.files for f in result.findings)
    current = [entry for entry in row.documents if entry.replaced_by is None]
    return {
        "code": row.code, "name": row.name, "status": status, "status_label": codes.status_label(status, lang),
        "files": [result.path for result in row.files],
        "documents": [{"label": codes.document_kind(entry.kind, entry.title, lang), "file": entry.path,
                       "status": entry.status} for entry in current],
        "missing": [missing_text(entry.kind, entry.title, entry.reason, lang) for entry in row.missing],
        "replaced": [{"label": codes.document_kind(entry.kind, entry.title, lang), "file": entry.path,
                      "by": entry.replaced_by} for entry in row.documents if entry.replaced_by is not None],
        "superseded": [result.path for result in row.superseded],
        "errors": counts["error"], "warnings": counts["warning"],
    }


def zip_copies(copies: list[Path], archive: Path) -> int:
    """The annotated copies in one zip, under the names they were made with (the clerk's names)."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:
        for copy in copies:
            bundle.write(copy, copy.name)
    return len(copies)
