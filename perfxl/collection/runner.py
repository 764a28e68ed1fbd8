"""Reconcile many files in supervised worker processes.

Each file is reconciled in a worker process with a time limit and a memory cap. A file that makes
its worker hang, crash or run out of memory is reported as UNREADABLE_FILE with the reason, the
worker is replaced, and the batch goes on. Results come back in the order of the files, streaming.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from perfxl.files import sha256_of
from perfxl.model import FileResult, Finding

DEFAULT_TIMEOUT = 60.0  # seconds per file
DEFAULT_MEMORY_MB = 2048  # address space per worker
#: Files sent ahead to each worker, so that it never waits while the parent writes the outputs.
QUEUE_DEPTH = 2


@dataclass
class _Worker:
    """A worker process and the files sent to it, in order; it works on ``tasks[0]``."""

    process: multiprocessing.Process
    conn: Connection
    tasks: deque[int] = field(default_factory=deque)
    started: float = 0.0  # when it began ``tasks[0]``: when that was sent, or the one before it came back


def _worker_main(conn: Connection, scheme: str | tuple[str, str] | None, memory_mb: int) -> None:
    """Runs in the worker: reconcile each path it is sent, send the result back."""
    if memory_mb:
        try:
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    from perfxl.reconcile import reconcile_file
    from perfxl.scheme import parse_scheme

    scheme_obj = parse_scheme(scheme[0], "方案", scheme[1]) if isinstance(scheme, tuple) else scheme
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        index, path = message
        try:
            result = reconcile_file(path, scheme_obj)
        except MemoryError:
            result = _failed(path, f"超过内存上限（{memory_mb} MB），拒绝读取", "memory")
        conn.send((index, result))


def _failed(path: str | Path, detail: str, reason: str) -> FileResult:
    result = FileResult(path=str(path))
    try:
        result.sha256 = sha256_of(path)
    except OSError:
        pass
    result.findings = [Finding("UNREADABLE_FILE", params={"detail": detail, "reason": reason})]
    return result.finish()


def run_supervised(files: list[Path], scheme: str | tuple[str, str] | None = None, jobs: int = 1,
                   timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB) -> Iterator[FileResult]:
    """Yield one result per file, in order, using ``jobs`` supervised worker processes.

    ``scheme`` is a shipped scheme name or a scheme file's (text, format) (picklable, parsed once per worker).
    """
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    workers: list[_Worker] = []

    def spawn() -> _Worker:
        parent, child = context.Pipe()
        process = context.Process(target=_worker_main, args=(child, scheme, memory_mb), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    pending = list(range(len(files)))
    pending.reverse()  # pop() takes the next file; files given back by a failed worker are appended
    done: dict[int, FileResult] = {}
    next_out = 0
    try:
        workers = [spawn() for _ in range(max(1, min(jobs, len(files))))]
        while next_out < len(files):
            for worker in workers:
                while len(worker.tasks) < QUEUE_DEPTH and pending:
                    task = pending.pop()
                    if not worker.tasks:
                        worker.started = time.monotonic()
                    worker.tasks.append(task)
                    worker.conn.send((task, str(files[task])))
            busy = [w for w in workers if w.tasks]
            ready = wait([w.conn for w in busy], timeout=0.5) if busy else []
            now = time.monotonic()
            for index, worker in enumerate(workers):
                if not worker.tasks:
                    continue
                failure = None
                # A worker that died may have sent results first: read them before blaming a file.
                if worker.conn in ready or (not worker.process.is_alive() and worker.conn.poll()):
                    try:
                        task, result = worker.conn.recv()
                    except (EOFError, OSError):
                        failure = _crash_reason(worker)
                    else:
                        done[task] = result
                        worker.tasks.remove(task)
                        worker.started = now
                        continue
                elif now - worker.started > timeout:
                    failure = (f"处理超时（超过 {timeout:g} 秒），文件可能异常或过于复杂，已跳过", "timeout")
                elif not worker.process.is_alive():
                    failure = _crash_reason(worker)
                if failure is not None:
                    # The file it was working on is to blame; the ones queued behind it go to another worker.
                    failed = worker.tasks.popleft()
                    done[failed] = _failed(files[failed], *failure)
                    pending.extend(reversed(worker.tasks))
                    _stop(worker)
                    workers[index] = spawn()
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for worker in workers:
            try:
                worker.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
        deadline = time.monotonic() + 2
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            _stop(worker)


def _crash_reason(worker: _Worker) -> tuple[str, str]:
    worker.process.join(1)
    code = worker.process.exitcode
    if code is not None and code < 0:
        return f"读取时处理进程异常终止（信号 {-code}），可能超过内存上限或文件异常，已跳过", "crash"
    return "读取时处理进程异常退出，文件可能异常，已跳过", "crash"


def _stop(worker: _Worker) -> None:
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join(2)
    worker.conn.close()
