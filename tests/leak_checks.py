"""Fixtures that fail a test which leaves work running or a database client open.

Why: a worker thread that outlives its test keeps touching the objects (and the
server) of the next test, and an open ``MongoClient`` keeps its monitor threads
and sockets until garbage collection, where pymongo's "Unclosed MongoClient"
``ResourceWarning`` then surfaces in whichever test happens to be running.
Both put a failure far from its cause, and mostly under load.  napari's
``dangling_qthreads`` / ``dangling_qthread_pool`` fixtures are the model.

The rule the fixtures enforce: when a test ends, every worker it started has
finished or has been cancelled (and then stops within ``STOP_TIMEOUT_MS``), and
every ``MongoClient`` it opened is closed.  The session-scoped test server's own
clients are made before a test starts and are not looked at.

Qt is imported only by the worker fixture, so non-GUI tests never load it.
"""

from __future__ import annotations

import traceback
from typing import Any

import pytest

# A cancelled worker stops between chunks; this is how long one may take to get
# there on a loaded machine.  A worker still running after it ignores cancel().
STOP_TIMEOUT_MS = 60_000


def _started_at() -> str:
    frames = traceback.format_stack(limit=12)[:-2]  # without this helper and the wrapper
    return "".join(f for f in frames if "/_pytest/" not in f and "/pluggy/" not in f)


def _name(runnable: Any) -> str:
    func = getattr(runnable, "_func", None)
    return getattr(func, "__qualname__", None) or type(runnable).__name__


class WorkerTracker:
    """Records every ``QThreadPool.start`` and ``QThread.start`` while installed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from PySide6.QtCore import QThread, QThreadPool

        self.runnables: list[tuple[Any, Any, str]] = []  # (pool, runnable, where it was started)
        self.threads: list[tuple[Any, str]] = []
        pool_start, thread_start = QThreadPool.start, QThread.start

        def start_runnable(pool: Any, runnable: Any, *args: Any, **kwargs: Any) -> Any:
            self.runnables.append((pool, runnable, _started_at()))
            return pool_start(pool, runnable, *args, **kwargs)

        def start_thread(thread: Any, *args: Any, **kwargs: Any) -> Any:
            self.threads.append((thread, _started_at()))
            return thread_start(thread, *args, **kwargs)

        monkeypatch.setattr(QThreadPool, "start", start_runnable)
        monkeypatch.setattr(QThread, "start", start_thread)

    def problems(self) -> list[str]:
        """What was left running; stops it (cancel, then wait) so the next test starts clean."""
        from booking_desktop.gui.workers import GeneratorWorker

        found = []
        for _pool, runnable, where in self.runnables:
            if isinstance(runnable, GeneratorWorker) and not runnable.is_done and not runnable.is_cancelled():
                found.append(f"worker {_name(runnable)} still running and never cancelled; started at:\n{where}")
                runnable.cancel()
        pools: list[Any] = []
        for pool, _runnable, _where in self.runnables:
            if not any(pool is p for p in pools):
                pools.append(pool)
        for pool in pools:
            if not pool.waitForDone(STOP_TIMEOUT_MS):
                busy = [_name(r) for p, r, _ in self.runnables if p is pool and not getattr(r, "is_done", False)]
                found.append(f"thread pool still busy {STOP_TIMEOUT_MS} ms after cancelling {busy}")
        for thread, where in self.threads:
            try:
                running = thread.isRunning()
            except RuntimeError:  # the C++ thread object is gone, so is the thread
                continue
            if running:
                found.append(f"QThread still running after the test; started at:\n{where}")
                thread.quit()
                thread.wait(STOP_TIMEOUT_MS)
        return found


class ClientTracker:
    """Records every ``pymongo.MongoClient`` made while installed, and which were closed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from pymongo import MongoClient

        self.opened: list[tuple[Any, str]] = []
        self.closed: set[int] = set()
        init, close = MongoClient.__init__, MongoClient.close

        def tracked_init(client: Any, *args: Any, **kwargs: Any) -> None:
            init(client, *args, **kwargs)
            self.opened.append((client, _started_at()))

        def tracked_close(client: Any) -> None:
            self.closed.add(id(client))
            close(client)

        monkeypatch.setattr(MongoClient, "__init__", tracked_init)
        monkeypatch.setattr(MongoClient, "close", tracked_close)

    def problems(self) -> list[str]:
        """Clients left open (closed here, so that their monitors stop now and not in a later test)."""
        found = []
        for client, where in self.opened:
            if id(client) not in self.closed:
                found.append(f"MongoClient never closed; opened at:\n{where}")
                client.close()
        self.opened.clear()  # the strong references kept ids unique until now
        return found


def fail_on(problems: list[str], what: str) -> None:
    if problems:
        pytest.fail(f"{what}:\n\n" + "\n\n".join(problems), pytrace=False)


@pytest.fixture
def no_dangling_workers(qapp, monkeypatch):
    """Fails the test when a worker it started is still running, uncancelled, at its end."""
    tracker = WorkerTracker(monkeypatch)
    yield tracker
    problems = tracker.problems()
    qapp.processEvents()  # deliver the stopped workers' last signals now, not in the next test
    fail_on(problems, "the test left work running")


@pytest.fixture
def no_open_clients(monkeypatch):
    """Fails the test when a MongoClient opened during it is still open at its end."""
    tracker = ClientTracker(monkeypatch)
    yield tracker
    fail_on(tracker.problems(), "the test left database clients open")
