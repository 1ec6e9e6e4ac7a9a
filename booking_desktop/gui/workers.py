"""Run core generators off the UI thread (superqt's ``GeneratorWorker`` pattern).

The core does long work as generator functions that *yield* progress events,
*return* their result and call a ``cancelled()`` callback between chunks.  A
:class:`GeneratorWorker` runs such a function on ``QThreadPool`` and turns that
protocol into Qt signals delivered on the main thread:

* yielded value      -> ``progress(object)``
* returned value     -> ``result(object)``
* raised exception   -> ``errored(str)`` (one readable line; traceback to the log)
* cancelled by user  -> ``aborted()`` (the core raised ``pipeline.Cancelled``)
* always, at the end -> ``finished()``

A plain function (not a generator) works too: its return value is the result.

Usage::

    worker = GeneratorWorker(pipeline.run, path, profile=p)   # cancelled= is passed for you
    worker.signals.progress.connect(bar.update)
    worker.signals.result.connect(self._loaded)
    worker.signals.errored.connect(self._show_error)
    worker.start()
    ...
    worker.cancel()            # the generator's cancelled() now returns True
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from booking_desktop.errors import ProblemError
from booking_desktop.generators import drive

log = logging.getLogger(__name__)


class WorkerSignals(QObject):
    """Signals live on a QObject owned by the main thread, so connected slots run there."""

    started = Signal()
    progress = Signal(object)
    result = Signal(object)
    errored = Signal(str)
    aborted = Signal()
    finished = Signal()


def readable_error(exc: BaseException) -> str:
    """One line a user can act on; never a traceback."""
    if isinstance(exc, ProblemError):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        return f"File not found: {exc.filename}. It may have been moved or deleted."
    if isinstance(exc, PermissionError):
        return f"Permission denied: {exc.filename}. Check that you may read this file."
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    if isinstance(exc, MemoryError):
        return "Not enough memory for this operation. Close other files or split the input."
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"Unexpected error ({type(exc).__name__}): {text}. Details were written to the log file."


def _is_cancelled_exc(exc: BaseException) -> bool:
    from booking_desktop.pipeline import Cancelled

    return isinstance(exc, Cancelled)


class GeneratorWorker(QRunnable):
    """Runs ``func(*args, cancelled=<check>, **kwargs)`` on the thread pool.

    ``pass_cancel=False`` calls ``func`` without the ``cancelled`` keyword
    (for functions that do not take it).  Workers keep themselves alive until
    ``finished`` so callers need not hold a reference.
    """

    _alive: ClassVar[set[GeneratorWorker]] = set()
    _alive_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, func: Callable[..., Any], *args: Any, pass_cancel: bool = True, **kwargs: Any):
        super().__init__()
        self.setAutoDelete(False)
        self.signals = WorkerSignals()
        self._func = func
        self._args = args
        self._kwargs = kwargs
        self._pass_cancel = pass_cancel
        self._cancel = threading.Event()
        self._done = threading.Event()
        self.error: BaseException | None = None
        self.value: Any = None

    # -- control (any thread) ---------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def is_done(self) -> bool:
        return self._done.is_set()

    def start(self, pool: QThreadPool | None = None) -> GeneratorWorker:
        with self._alive_lock:
            self._alive.add(self)
        self.signals.finished.connect(self._forget)
        (pool or QThreadPool.globalInstance()).start(self)
        return self

    def _forget(self) -> None:
        with self._alive_lock:
            self._alive.discard(self)

    # -- the thread body ----------------------------------------------------
    def run(self) -> None:  # called by QThreadPool on a worker thread
        self.signals.started.emit()
        try:
            kwargs = dict(self._kwargs)
            if self._pass_cancel:
                kwargs["cancelled"] = self.is_cancelled
            out = self._func(*self._args, **kwargs)
            if hasattr(out, "send") and hasattr(out, "throw"):
                out = self._drive(out)
            self.value = out
        except BaseException as exc:  # the one place worker errors become a message
            self.error = exc
            if not _is_cancelled_exc(exc):
                log.error("worker %s failed", getattr(self._func, "__qualname__", self._func), exc_info=exc)
        # Done *before* the outcome is announced: a slot reacting to it (e.g. enabling a button that
        # starts the next worker) must already see ``is_done``.  Announcing first was a race that
        # silently swallowed a click under load.
        self._done.set()
        try:
            with contextlib.suppress(RuntimeError):  # the receiver went away (its window closed, the app quit)
                if self.error is not None and not _is_cancelled_exc(self.error):
                    self.signals.errored.emit(readable_error(self.error))
                elif self.error is not None or self.is_cancelled():
                    self.signals.aborted.emit()
                else:
                    self.signals.result.emit(self.value)
        finally:
            with contextlib.suppress(RuntimeError):  # the receiver went away (application shutting down)
                self.signals.finished.emit()

    def _drive(self, gen: Any) -> Any:
        return drive(gen, self.signals.progress.emit)


def run_in_worker(func: Callable[..., Any], *args: Any, **kwargs: Any) -> GeneratorWorker:
    """Create and start a :class:`GeneratorWorker` (convenience)."""
    return GeneratorWorker(func, *args, **kwargs).start()


class PageReads:
    """The reads of a page that shows one answer at a time: one read runs at once, and a refresh asked
    while it runs reads once more after it (the choice changed meanwhile).  ``button`` (Refresh) is
    disabled while a read runs; ``show`` gets the result, ``failed`` the one-line error."""

    def __init__(self, button: Any, show: Callable[[Any], None], failed: Callable[[str], None]):
        self.button, self.show, self.failed = button, show, failed
        self.worker: GeneratorWorker | None = None
        self._again: Callable[[], None] | None = None
        self._reading = False

    @property
    def loading(self) -> bool:
        """A read runs or its result has not been shown yet (a worker is done before its result reaches
        the UI thread: ``is_done`` alone would call the page settled while it shows the old answer)."""
        return self._reading

    def start(self, func: Callable[..., Any], *args: Any, again: Callable[[], None]) -> bool:
        """Start ``func(*args)`` on a worker, or (a read runs) call ``again`` once it has ended.  True
        when it started."""
        if self.loading:
            self._again = again
            return False
        self._again = None
        self.button.setEnabled(False)
        w = GeneratorWorker(func, *args, pass_cancel=False)
        w.signals.result.connect(self.show)
        w.signals.errored.connect(self.failed)
        w.signals.finished.connect(self._finished)
        self.worker = w
        self._reading = True
        w.start()
        return True

    def _finished(self) -> None:
        self._reading = False
        self.button.setEnabled(True)
        again, self._again = self._again, None
        if again is not None:
            again()
