"""The rows a grid shows, computed at once for a small table and on a worker for a big one.

Only the newest request's order is ever handed back: every request (and every cancel) bumps a
generation, and a worker's late result for an older one is dropped, so a view never shows an
order computed for data or a filter that has since changed.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from booking_desktop.grid import GridData, RowFilter, TableSource, filter_rows
from booking_desktop.gui.workers import GeneratorWorker

ASYNC_ROWS = 200_000  # from this many rows on, filters, search and sorting run on a worker


class RowOrder(QObject):
    ready = Signal(object)  # np.ndarray | None: the frame rows to show, in order (None: all, file order)
    failed = Signal(str)
    busy = Signal(bool, str)

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._worker: GeneratorWorker | None = None
        self._generation = 0

    @property
    def running(self) -> bool:
        """A worker computes an order, or its result has not been handed back yet."""
        return self._worker is not None

    def start(self, session: TableSource, data: GridData, flt: RowFilter) -> None:
        self.cancel()
        if data.n_rows < ASYNC_ROWS:
            self.ready.emit(filter_rows(session, data, flt))
            return
        gen = self._generation
        what = "Sorting" if flt.sort_column >= 0 else "Filtering"
        self.busy.emit(True, f"{what} {data.n_rows:,} records…")
        w = GeneratorWorker(filter_rows, session, data, copy.copy(flt), pass_cancel=False)
        w.signals.result.connect(lambda rows, gen=gen: self._done(gen, rows, None))
        w.signals.errored.connect(lambda msg, gen=gen: self._done(gen, None, msg))
        self._worker = w
        w.start()

    def cancel(self) -> None:
        """Drop the order being computed (its late result is ignored)."""
        self._generation += 1
        if self._worker is not None and not self._worker.is_done:
            self._worker.cancel()
            self.busy.emit(False, "")
        self._worker = None

    def _done(self, generation: int, rows: np.ndarray | None, error: str | None) -> None:
        if generation != self._generation:
            return  # the data or the filter changed meanwhile: a newer order is on its way
        self._worker = None
        self.busy.emit(False, "")
        if error is not None:
            self.failed.emit(error)
        else:
            self.ready.emit(rows)
