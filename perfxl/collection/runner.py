"""Run a function over many items in supervised worker processes.

Each item is handled in a worker with a time limit and a memory cap. An item that makes its worker
hang, crash or run out of memory is handed to ``on_failure`` with the reason, the worker is
replaced, and the batch goes on. Results come back in the order of the items, streaming.

The runner knows nothing of workbooks or schemes: the task is any picklable callable of one item.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

DEFAULT_TIMEOUT = 60.0  # seconds per item
DEFAULT_MEMORY_MB = 2048  # address space per worker
#: Items sent ahead to each worker, so that it never waits while the parent writes the outputs.
QUEUE_DEPTH = 2

Item = TypeVar("Item")
Result = TypeVar("Result")
#: on_failure(item, reason, **params): the result standing for an item whose worker failed.
#: reason is 'timeout' (params: timeout), 'crash' (params: signal) or 'memory' (params: memory_mb).
OnFailure = Callable[..., Any]

#: The parent's ends of every worker pipe. A forked worker inherits them and closes them first:
#: otherwise a worker would keep another's pipe open and neither would see the parent die.
_PARENT_ENDS: list[Connection] = []


@dataclass
class _Worker:
    """A worker process and the items sent to it, in order; it works on ``tasks[0]``."""

    process: multiprocessing.process.BaseProcess
    conn: Connection
    tasks: deque[int] = field(default_factory=deque)
    started: float = 0.0  # when it began ``tasks[0]``: when that was sent, or the one before it came back


def _worker_main(conn: Connection, task: Callable[[Any], Any], on_failure: OnFailure, memory_mb: int) -> None:
    """Runs in the worker: handle each item it is sent, send the result back; exit on EOF.

    Ctrl-C is the parent's to handle: a terminal sends SIGINT to the whole process group, and a
    worker that took it would print its own traceback. The parent stops the workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for inherited in _PARENT_ENDS:
        inherited.close()
    if memory_mb:
        try:
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, item = message
        try:
            result = task(item)
        except MemoryError:
            result = on_failure(item, "memory", memory_mb=memory_mb)
        conn.send((index, result))


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread (the web page runs rounds in a thread)
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def start_method() -> str:
    """fork where there is one (fast); spawn elsewhere, or when PERFXL_START_METHOD says so."""
    wanted = os.environ.get("PERFXL_START_METHOD", "")
    if wanted in multiprocessing.get_all_start_methods():
        return wanted
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def run_supervised(task: Callable[[Item], Result], items: Sequence[Item], on_failure: OnFailure, jobs: int = 1,
                   timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB) -> Iterator[Result]:
    """Yield ``task(item)`` for each item, in order, using ``jobs`` supervised worker processes."""
    context = multiprocessing.get_context(start_method())
    workers: list[_Worker] = []

    def spawn() -> _Worker:
        parent, child = context.Pipe()
        _PARENT_ENDS.append(parent)  # before the fork: the child closes its own parent end too
        process = context.Process(target=_worker_main, args=(child, task, on_failure, memory_mb), daemon=True)
        with _sigint_ignored():  # a spawned interpreter starting up inherits it: no traceback from its start
            process.start()
        child.close()
        return _Worker(process, parent)

    pending = list(range(len(items)))
    pending.reverse()  # pop() takes the next item; items given back by a failed worker are appended
    done: dict[int, Result] = {}
    next_out = 0
    try:
        workers = [spawn() for _ in range(max(1, min(jobs, len(items))))]
        while next_out < len(items):
            _feed(workers, pending, items)
            busy = [w for w in workers if w.tasks]
            ready = wait([w.conn for w in busy], timeout=0.5) if busy else []
            for index, worker in enumerate(workers):
                if worker.tasks and _collect(worker, ready, done, items, pending, on_failure, timeout):
                    workers[index] = spawn()
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        _shut_down(workers)


def _feed(workers: list[_Worker], pending: list[int], items: Sequence[Any]) -> None:
    for worker in workers:
        while len(worker.tasks) < QUEUE_DEPTH and pending:
            index = pending.pop()
            if not worker.tasks:
                worker.started = time.monotonic()
            worker.tasks.append(index)
            worker.conn.send((index, items[index]))


def _collect(worker: _Worker, ready: list, done: dict[int, Any], items: Sequence[Any], pending: list[int],
             on_failure: OnFailure, timeout: float) -> bool:
    """Take a result from the worker, or blame its current item; True when the worker must be replaced."""
    now = time.monotonic()
    failure: tuple[str, dict] | None = None
    # A worker that died may have sent results first: read them before blaming an item.
    if worker.conn in ready or (not worker.process.is_alive() and worker.conn.poll()):
        try:
            index, result = worker.conn.recv()
        except (EOFError, OSError):
            failure = _crash(worker)
        else:
            done[index] = result
            worker.tasks.remove(index)
            worker.started = now
            return False
    elif now - worker.started > timeout:
        failure = ("timeout", {"timeout": f"{timeout:g}"})
    elif not worker.process.is_alive():
        failure = _crash(worker)
    if failure is None:
        return False
    # The item it was working on is to blame; the ones queued behind it go to another worker.
    failed = worker.tasks.popleft()
    done[failed] = on_failure(items[failed], failure[0], **failure[1])
    pending.extend(reversed(worker.tasks))
    _stop(worker)
    return True


def _crash(worker: _Worker) -> tuple[str, dict]:
    worker.process.join(1)
    code = worker.process.exitcode
    return "crash", {"signal": -code if code is not None and code < 0 else None}


def _shut_down(workers: list[_Worker]) -> None:
    for worker in workers:
        try:
            worker.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
    deadline = time.monotonic() + 2
    for worker in workers:
        worker.process.join(max(0.0, deadline - time.monotonic()))
        _stop(worker)


def _stop(worker: _Worker) -> None:
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join(2)
    worker.conn.close()
    if worker.conn in _PARENT_ENDS:
        _PARENT_ENDS.remove(worker.conn)
