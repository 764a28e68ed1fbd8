"""Sessions of the web page: one per page opened, with its private folder for templates; rounds.

A session's folder (``tempfile.mkdtemp``: mode 0700) holds the templates made from a roster. A
review's files live in its round (:mod:`perfxl.web.rounds`), in a folder of its own that outlives
the page: reloading or closing the page keeps the round, which the page finds again by its key.
A client's file name is never a path here: uploads are stored as ``0001.xlsx``, keeping only the
suffix (lower-cased, from the readers' allow-list) and a lock-file prefix, since the readers decide
by name and content; the name the clerk chose is display text, carried into every output by the
round (``RoundOptions.display_names``).

A session ends when its page is closed (the page's ``pagehide`` request), after ``idle_seconds``
without a request, or when the server stops; its folder is then deleted. A round ends when the
clerk starts a new one, after ``round_idle_seconds`` with no page on it, or when the server stops
(a running review stops at the next file it finishes, and its folder goes with it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
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

from perfxl.scheme import load_scheme
from perfxl.template.roster import (
    MANIFEST_CSV,
    MANIFEST_JSON,
    RosterError,
    read_roster,
    write_roster_templates,
)
from perfxl.web.rounds import Cancelled, Download, PageRound, create_private

MB = 1024 * 1024
ROSTER_SUFFIXES = frozenset({".csv", ".xlsx", ".xlsm"})
SCHEMES = ("standard", "classic")


@dataclass(frozen=True)
class Limits:
    max_files: int = 2000
    file_bytes: int = 50 * MB
    total_bytes: int = 1024 * MB
    roster_bytes: int = 10 * MB
    sessions: int = 32
    idle_seconds: float = 30 * 60
    jobs: int = 2
    rounds: int = 8  # rounds kept at once (the oldest with no page on it goes first)
    round_idle_seconds: float = 12 * 3600
    page_rows: int = 50  # rows of the results table the page shows at once
    findings_shown: int = 5  # a row's findings shown before the rest are collapsed


class Session:
    def __init__(self, registry: Registry, token: str):
        self.registry = registry
        self.token = token
        self.lang = registry.lang
        self.last_seen = time.monotonic()
        self.used = False  # the page has called the API: a page that is really open
        self.closed = False
        self.folder: Path | None = None
        self.round: PageRound | None = None  # the round this page shows
        self.downloads: dict[str, Download] = {}
        self._counter = 0
        self._busy = 0
        self._roster_folder: Path | None = None
        self._lock = threading.Lock()

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

    def close(self) -> None:
        with self._lock:
            self.closed = True
            remove = not self._busy
        if self.round is not None and self.round.session is self:
            self.round.session = None  # the round stays: the page may come back to it
            self.round.last_seen = time.monotonic()
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


class Registry:
    """Every live session, found by its page's token, and every round, found by its key."""

    def __init__(self, lang: str = "zh", limits: Limits | None = None, tmp_root: str | None = None,
                 ledger: Path | None = None):
        self.lang = lang
        self.limits = limits or Limits()
        self.tmp_root = tmp_root
        self.ledger = ledger  # None: the command's default ledger (perfxl status reads the same file)
        self._sessions: dict[str, Session] = {}
        self._rounds: dict[str, PageRound] = {}
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
            if session.round is not None:
                session.round.last_seen = session.last_seen
        return session

    # --- rounds ---------------------------------------------------------------------------------

    def new_round(self, session: Session) -> PageRound:
        """A new round for the page, in a folder of its own; the page's earlier round ends (the clerk
        asked for a new one), and beyond the limit the oldest round no page shows goes."""
        folder = Path(tempfile.mkdtemp(prefix="perfxl-round-", dir=self.tmp_root))
        fresh = PageRound(self, folder)
        with self._lock:
            earlier = session.round
            if earlier is not None:
                self._rounds.pop(self._key(earlier.key), None)
            self._rounds[self._key(fresh.key)] = fresh
            idle = sorted((r for r in self._rounds.values() if r.session is None and not r.running()),
                          key=lambda r: r.last_seen)
            evicted = idle[: max(0, len(self._rounds) - self.limits.rounds)]
            for old in evicted:
                del self._rounds[self._key(old.key)]
        for old in [*([earlier] if earlier is not None else []), *evicted]:
            old.close()
        self.attach(session, fresh)
        return fresh

    def attach(self, session: Session, found: PageRound) -> None:
        """The page shows this round (a page that showed it before loses it)."""
        with self._lock:
            if found.session is not None and found.session is not session:
                found.session.round = None
            found.session, session.round = session, found
            found.last_seen = time.monotonic()

    def find_round(self, key: str) -> PageRound | None:
        with self._lock:
            return self._rounds.get(self._key(key))

    def end_round(self, session: Session) -> None:
        with self._lock:
            found, session.round = session.round, None
            if found is not None:
                self._rounds.pop(self._key(found.key), None)
        if found is not None:
            found.close()

    # --- downloads, ends --------------------------------------------------------------------------

    def download(self, key: str) -> Download | None:
        with self._lock:
            owners = [*self._sessions.values(), *self._rounds.values()]
        return next((owner.downloads[key] for owner in owners if key in owner.downloads), None)

    def end(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(self._key(session.token), None)
        session.close()

    def reap(self) -> int:
        """End the sessions whose page has not been heard from for ``idle_seconds``, and the rounds no
        page has shown for ``round_idle_seconds``."""
        now = time.monotonic()
        with self._lock:
            idle = [s for s in self._sessions.values() if now - s.last_seen > self.limits.idle_seconds]
        for session in idle:
            self.end(session)
        with self._lock:
            stale = [r for r in self._rounds.values() if r.session is None and not r.running()
                     and now - r.last_seen > self.limits.round_idle_seconds]
            for old in stale:
                del self._rounds[self._key(old.key)]
        for old in stale:
            old.close()
        return len(idle) + len(stale)

    def close_all(self, wait: float = 10.0) -> None:
        """End every session and round; give running reviews ``wait`` seconds to stop, then delete
        what is left."""
        with self._lock:
            sessions, rounds = list(self._sessions.values()), list(self._rounds.values())
            self._sessions.clear()
            self._rounds.clear()
        for session in sessions:
            session.close()
        for found in rounds:
            found.close()
        deadline = time.monotonic() + wait
        for found in rounds:
            if found.thread is not None:
                found.thread.join(max(0.0, deadline - time.monotonic()))
            shutil.rmtree(found.folder, ignore_errors=True)
        for session in sessions:
            session.remove_folder()

    def __len__(self) -> int:
        return len(self._sessions)
