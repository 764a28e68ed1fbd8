"""The page's listening socket, and what to tell the clerk when its port cannot be had.

The socket is made by uvicorn itself (``Config.bind_socket``: SO_REUSEADDR, so a restart right
after Ctrl+C does not wait for the old connections' TIME_WAIT to pass). On Windows SO_REUSEADDR
would let a second program take a port in use, so there the socket is exclusive instead (Windows
needs no option to rebind past TIME_WAIT).

When the port is really taken the message names what to do: the perfxl page already running
there (open it, or close that window), the program holding it (Linux: found through /proc), and
a free port for ``--port``.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import uvicorn

HOST = "127.0.0.1"


class PortTaken(Exception):
    """The port cannot be listened on; ``message(lang)`` says what to do."""

    def __init__(self, port: int, error: OSError | None):
        super().__init__(f"port {port}: {error}")
        self.port, self.error = port, error

    def message(self, lang: str) -> str:
        from perfxl.web.texts import text

        port, free = self.port, free_port(self.port)
        number = getattr(self.error, "errno", None)
        if number not in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
            reason = getattr(self.error, "strerror", None) or self.error or "?"
            return text(lang, "port_unusable", port=port, error=reason, free=free)
        if serves_perfxl(port):
            return text(lang, "port_perfxl", port=port, url=f"http://{HOST}:{port}/", free=free)
        program = holder(port)
        if program is not None:
            return text(lang, "port_program", port=port, program=program[0], pid=program[1], free=free)
        return text(lang, "port_in_use", port=port, free=free)


def listen(config: uvicorn.Config) -> socket.socket:
    """The bound socket for ``config`` (its host and port); :class:`PortTaken` when it cannot be had."""
    if os.name == "nt":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_EXCLUSIVEADDRUSE", socket.SO_REUSEADDR), 1)
        try:
            sock.bind((config.host, config.port))
        except OSError as exc:
            sock.close()
            raise PortTaken(config.port, exc) from None
        return sock
    with _captured("uvicorn.error") as errors:
        try:
            return config.bind_socket()
        except SystemExit:  # uvicorn logs the OSError and exits: keep the error, say it our way
            error = next((record.msg for record in errors if isinstance(record.msg, OSError)), None)
            raise PortTaken(config.port, error) from None


@contextlib.contextmanager
def _captured(name: str) -> Iterator[list[logging.LogRecord]]:
    """The records ``name`` logs meanwhile, kept from the console."""
    records: list[logging.LogRecord] = []
    logger = logging.getLogger(name)

    class Keep(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            records.append(record)
            return False

    keep = Keep()
    logger.addFilter(keep)
    try:
        yield records
    finally:
        logger.removeFilter(keep)


def serves_perfxl(port: int, timeout: float = 1.0) -> bool:
    """Whether a perfxl page answers on the port (its style sheet names it; no session is made)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", "/static/style.css", headers={"Host": f"{HOST}:{port}"})
        response = connection.getresponse()
        return response.status == 200 and b"perfxl" in response.read(4096)
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def free_port(port: int, tries: int = 50) -> int | str:
    """A port near ``port`` that can be listened on now (or 'N' when none is found)."""
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, candidate))
            except OSError:
                continue
            return candidate
    return "N"


def holder(port: int, proc: Path = Path("/proc")) -> tuple[str, int] | None:
    """(program, process id) listening on the TCP ``port``, where the system says (Linux /proc)."""
    inodes = _listening_inodes(port, proc)
    if not inodes:
        return None
    try:
        processes = [entry for entry in proc.iterdir() if entry.name.isdigit()]
    except OSError:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    for process in processes:
        if targets & _links(process / "fd"):
            return _program(process), int(process.name)
    return None


def _links(folder: Path) -> set[str]:
    """What a process's open files are (empty for another user's process, or one gone meanwhile)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return set()
    links = set()
    for entry in entries:
        with contextlib.suppress(OSError):  # closed meanwhile
            links.add(os.readlink(entry))
    return links


def _listening_inodes(port: int, proc: Path) -> set[str]:
    inodes = set()
    for table in ("net/tcp", "net/tcp6"):
        try:
            lines = (proc / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])  # state 0A: LISTEN
    return inodes


def _program(process: Path) -> str:
    """The program's name as people know it: 'python3 -m http.server', 'nginx'."""
    try:
        args = [arg for arg in (process / "cmdline").read_bytes().split(b"\0") if arg]
    except OSError:
        args = []
    words = [os.path.basename(args[0].decode(errors="replace"))] if args else []
    words += [arg.decode(errors="replace") for arg in args[1:3]]
    if not words:
        try:
            words = [(process / "comm").read_text().strip()]
        except OSError:
            words = ["?"]
    return " ".join(words)[:80]
