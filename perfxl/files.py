"""File helpers: atomic writes and fingerprints. Outputs are never left half-written."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO, Any


class AtomicFile:
    """A file written beside its target and renamed over it on commit, so no reader ever sees half of it."""

    def __init__(self, target: str | Path, mode: str = "wb", encoding: str | None = None,
                 newline: str | None = None):
        self.target = Path(target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        handle, self.temp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp",
                                             dir=self.target.parent)
        self.handle: IO[Any] = os.fdopen(handle, mode, encoding=encoding, newline=newline)

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


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it over: all or nothing."""
    out = AtomicFile(path)
    try:
        out.handle.write(data)
        out.commit()
    except BaseException:
        out.abort()
        raise


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    atomic_write_bytes(path, text.encode(encoding))


def sha256_of(path: str | Path) -> str:
    return fingerprint(path)[0]


def fingerprint(path: str | Path) -> tuple[str, str]:
    """(SHA-256 of the content, what the content is by its first bytes: zip, ole2, pdf or other),
    in one read."""
    digest = hashlib.sha256()
    head = b""
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            head = head or block[:8]
            digest.update(block)
    return digest.hexdigest(), content_kind(head)


def content_kind(head: bytes) -> str:
    if head.startswith(b"PK"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2"
    if head.startswith(b"%PDF"):
        return "pdf"
    return "other"


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
