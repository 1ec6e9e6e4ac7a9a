"""The data grid's model: a QAbstractTableModel over a :class:`~booking_desktop.grid.TableSource`
(the operator's session; the review queue's rejected rows).

Why it looks like this (Spyder's DataFrame editor, done right): ``data()`` must
be O(1) at a million rows, so everything it reads is precomputed by the Qt-free
:mod:`booking_desktop.grid` package — cell text in per-column object arrays
(converted off the UI thread), problems in an ``int8`` severity matrix and a
sorted key array for tooltips, and the rows shown as a row-index array
(``view row -> frame row``) that filters, search and sorting produce with
numpy/pyarrow, never a QSortFilterProxyModel calling back into Python per row.

On a big table the row order is computed on a worker (:data:`ASYNC_ROWS`): the
view keeps the old order, fully, until the new one is complete, then both the
cells and the row numbers change in one layout change — never a half-applied
order.  ``busy`` says when that runs.

The model never opens dialogs: a rejected edit is reported through the
``edit_failed`` signal for the window to show.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from booking_desktop.grid import (
    SEV_ERROR,
    SEV_WARNING,
    GridData,
    ProblemIndex,
    RowFilter,
    TableSource,
    build_grid_data,
    column_title,
    filter_rows,
    next_problem_in,
    numeric_columns,
    refresh_cells,
)
from booking_desktop.gui import theme
from booking_desktop.gui.workers import GeneratorWorker

log = logging.getLogger(__name__)

ASYNC_ROWS = 200_000  # from this many rows on, filters, search and sorting run on a worker
MAX_TOOLTIP_MESSAGES = 8  # a cell with more problems shows the first few and a count
Index = QModelIndex | QPersistentModelIndex
# roles as plain ints: comparing against the enum members costs more than the lookup itself
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_EDIT = Qt.ItemDataRole.EditRole.value
_BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_ACCESSIBLE_DESCRIPTION = Qt.ItemDataRole.AccessibleDescriptionRole.value
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
_NUMBER_ALIGN = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_DECORATION = Qt.ItemDataRole.DecorationRole.value
MARK_OK, MARK_ERROR = 1, 2  # row marks (e.g. committed / rejected by the last commit): set_row_marks


# --------------------------------------------------------------------------- the Qt model
class GridModel(QAbstractTableModel):
    """Adapter from a :class:`TableSource` to Qt views.  Rows shown are ``self.rows``."""

    edit_failed = Signal(str)  # a readable message for the window
    input_note = Signal(str)  # how a typed value was read (the file's own format) or why it was kept
    problems_changed = Signal()  # counts/colours changed (error panel recounts)
    rows_changed = Signal()  # the set or order of rows shown changed
    deleted_changed = Signal()  # rows were deleted or restored
    busy = Signal(bool, str)  # a worker computes the row order (sorting, filtering a big table)
    _session_reset = Signal()  # marshal psygnal events from worker threads to the UI thread
    _session_cells = Signal(object, object, object)  # grid data, new problem index, error rows
    _session_deleted = Signal(object)

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.session: TableSource | None = None
        self.read_only = False  # set while a bulk edit runs on a worker
        self._deleted: np.ndarray | None = None
        self.data_: GridData | None = None
        self.rows: np.ndarray | None = None
        self.filter = RowFilter()
        self._italic = QFont()
        self._italic.setItalic(True)
        self._strike = QFont()
        self._strike.setStrikeOut(True)
        self._brushes: dict[int, QBrush] = {}
        self._align: list[int | None] = []  # per column: numbers right-aligned
        self._titles: list[str] = []
        self._order_worker: GeneratorWorker | None = None
        self._order_generation = 0  # bumped by every change of data or filter: a late order is dropped
        self._marks: np.ndarray | None = None  # int8 per frame row: 0, MARK_OK or MARK_ERROR
        self._mark_texts: dict[int, str] = {}
        self._session_reset.connect(self._on_reset)
        self._session_cells.connect(self._on_cells)
        self._session_deleted.connect(self._on_deleted)
        self.refresh_palette()

    # -- session -------------------------------------------------------------------
    def set_session(self, session: TableSource | None, data: GridData | None = None) -> None:
        if self.session is not None:
            for sig, slot in (
                (self.session.reset, self._session_reset.emit),
                (self.session.cells_changed, self._prepare_cells),
                (self.session.deleted_changed, self._session_deleted.emit),
            ):
                sig.disconnect(slot)
        self._cancel_order()
        self.beginResetModel()
        self.session = session
        self._deleted = session.deleted if session is not None else None
        self._marks = None
        self.filter = RowFilter()
        self.rows = None
        self.data_ = None
        if session is not None:
            self.data_ = data if data is not None else build_grid_data(session)
            self._columns_changed()
            session.reset.connect(self._session_reset.emit)
            session.cells_changed.connect(self._prepare_cells)
            session.deleted_changed.connect(self._session_deleted.emit)
        self.endResetModel()
        self.problems_changed.emit()
        self.rows_changed.emit()

    def refresh_palette(self) -> None:
        self._brushes = {SEV_ERROR: theme.error_brush(), SEV_WARNING: theme.warning_brush()}
        self._muted = QBrush(theme.muted_text_color())

    def _columns_changed(self) -> None:
        fields = self.fields
        self._align = [_NUMBER_ALIGN if n else None for n in numeric_columns(fields)]
        self._titles = [column_title(f) for f in fields]

    @property
    def fields(self) -> list[str]:
        return self.data_.fields if self.data_ is not None else []

    # -- Qt model API (O(1) per call) ----------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.data_ is None:
            return 0
        return self.data_.n_rows if self.rows is None else int(self.rows.size)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.data_ is None:
            return 0
        return len(self.data_.fields)

    def frame_row(self, view_row: int) -> int:
        return view_row if self.rows is None else int(self.rows[view_row])

    def view_row(self, frame_row: int) -> int | None:
        """The view row showing ``frame_row`` (None when filtered out)."""
        if self.rows is None:
            return frame_row if self.data_ is not None and 0 <= frame_row < self.data_.n_rows else None
        hit = np.flatnonzero(self.rows == frame_row)
        return int(hit[0]) if hit.size else None

    def cell_text(self, r: int, c: int) -> str | None:
        d = self.data_
        assert d is not None
        if r < d.ready[c]:
            return d.columns[c][r]
        v = d.arrays[c][r]
        return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        d = self.data_
        if d is None:
            return None
        r = index.row()
        if r < 0:
            return None
        if self.rows is not None:
            r = int(self.rows[r])
        c = index.column()
        if role in (_DISPLAY, _EDIT):
            v = d.columns[c][r] if r < d.ready[c] else self.cell_text(r, c)
            return "" if v is None else v
        if role == _ALIGNMENT:
            return self._align[c]
        if role == _BACKGROUND:  # a deleted row's problems no longer count: struck through, not red
            sev = d.problems.severity[r, c]
            return self._brushes[int(sev)] if sev and not (self._deleted is not None and self._deleted[r]) else None
        if role == _TOOLTIP:
            msgs = d.problems.messages_at(r, c, len(d.fields))
            if not msgs:
                return None
            more = len(msgs) - MAX_TOOLTIP_MESSAGES
            shown = msgs[:MAX_TOOLTIP_MESSAGES] + ([f"… and {more} more"] if more > 0 else [])
            return "\n".join(shown)
        if role == _FOREGROUND:
            return self._muted if self._deleted is not None and self._deleted[r] else None
        if role == _FONT:
            if self._deleted is not None and self._deleted[r]:
                return self._strike
            if self.session is not None and self.session.is_edited(r, d.fields[c]):
                return self._italic
            return None
        if role == _ACCESSIBLE_DESCRIPTION:
            msgs = d.problems.messages_at(r, c, len(d.fields))
            return "; ".join(msgs) if msgs else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        d = self.data_
        if d is None or role not in (_DISPLAY, _TOOLTIP, _FOREGROUND, _DECORATION):
            return None
        if orientation == Qt.Orientation.Horizontal:
            if section >= len(d.fields):
                return None
            if role == _DISPLAY:
                return self._titles[section]
            if role == _TOOLTIP and self.session is not None:  # the canonical name, and where it came from
                src = self.session.result.mapping.get(d.fields[section])
                return f"{d.fields[section]} ← {src}" if src else f"{d.fields[section]} (not mapped)"
            return None
        if section < 0 or section >= (d.n_rows if self.rows is None else self.rows.size):
            return None
        r = section if self.rows is None else int(self.rows[section])
        if role == _DISPLAY:
            return str(r + 1)
        if role == _DECORATION:
            mark = self.row_mark(r)
            return None if mark is None else self._mark_colours[mark[0]]
        if role == _TOOLTIP and self.session is not None:
            locs = self.session.result.raw.locations
            mark = self.row_mark(r)
            where = locs[r] if r < len(locs) else None
            return where if mark is None else f"{where or ''}\n{mark[1]}".strip()
        if role == _FOREGROUND and self._deleted is not None and self._deleted[r]:
            return self._muted
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return f if self.read_only else f | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or self.session is None or not index.isValid():
            return False
        if self.read_only:
            self.edit_failed.emit("An edit is still being applied; try again in a moment.")
            return False
        r = self.frame_row(index.row())
        field_name = self.fields[index.column()]
        try:
            self.session.set_cell(r, field_name, None if value is None else str(value))
        except (KeyError, IndexError, ValueError) as exc:
            self.edit_failed.emit(f"Could not change {field_name} of record {r + 1}: {exc}")
            return False
        notes = getattr(self.session, "last_input_notes", None)
        if notes:
            self.input_note.emit(f"Record {r + 1}, " + "; ".join(notes))
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.filter.sort_column = column
        self.filter.sort_descending = order == Qt.SortOrder.DescendingOrder
        self.apply_filter()

    # -- row marks -----------------------------------------------------------------------
    def set_row_marks(self, marks: np.ndarray | None, texts: dict[int, str] | None = None) -> None:
        """Marks per frame row (int8: 0, MARK_OK, MARK_ERROR), shown in the row header as a colour and,
        with ``texts[mark]``, in its tooltip; the commit flow marks committed and rejected records.
        None clears them (opening another file clears them too)."""
        self._marks = None if marks is None else np.asarray(marks, dtype=np.int8)
        self._mark_texts = dict(texts or {})
        self._mark_colours = {MARK_OK: QColor(theme.ok_text_color()), MARK_ERROR: QColor(theme.error_text_color())}
        n = self.rowCount()
        if n:
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, n - 1)

    def row_mark(self, frame_row: int) -> tuple[int, str] | None:
        """(mark, text) of a frame row, None when it has none."""
        m = self._marks
        if m is None or not 0 <= frame_row < m.size or not m[frame_row]:
            return None
        return int(m[frame_row]), self._mark_texts.get(int(m[frame_row]), "")

    # -- filtering -----------------------------------------------------------------------
    def set_filter(self, mode: str = "all", field_name: str | None = None, search: str | None = None) -> None:
        self.filter.mode = mode
        self.filter.field = field_name
        if search is not None:
            self.filter.search = search
        self.apply_filter()

    def set_search(self, text: str) -> None:
        self.filter.search = text
        self.apply_filter()

    @property
    def ordering(self) -> bool:
        """A worker is computing the rows to show (the view still shows the previous order) or its
        result has not been swapped in yet."""
        return self._order_worker is not None

    def apply_filter(self) -> None:
        """Recompute the rows shown: at once for a small table, on a worker for a big one."""
        if self.session is None or self.data_ is None:
            return
        self._cancel_order()
        self._order_generation += 1
        if self.data_.n_rows < ASYNC_ROWS:
            self._show_rows(filter_rows(self.session, self.data_, self.filter))
            return
        gen = self._order_generation
        what = "Sorting" if self.filter.sort_column >= 0 else "Filtering"
        self.busy.emit(True, f"{what} {self.data_.n_rows:,} records…")
        w = GeneratorWorker(filter_rows, self.session, self.data_, copy.copy(self.filter), pass_cancel=False)
        w.signals.result.connect(lambda rows, gen=gen: self._rows_ready(gen, rows))
        w.signals.errored.connect(lambda msg, gen=gen: self._order_failed(gen, msg))
        self._order_worker = w
        w.start()

    def _rows_ready(self, generation: int, rows: np.ndarray | None) -> None:
        if generation != self._order_generation:
            return  # the data or the filter changed meanwhile: a newer order is on its way
        self._order_worker = None
        self.busy.emit(False, "")
        self._show_rows(rows)

    def _order_failed(self, generation: int, message: str) -> None:
        if generation != self._order_generation:
            return
        self._order_worker = None
        self.busy.emit(False, "")
        self.edit_failed.emit(f"The rows could not be sorted or filtered: {message}")

    def _cancel_order(self) -> None:
        if self._order_worker is not None and not self._order_worker.is_done:
            self._order_worker.cancel()  # its result is dropped by the generation check
            self.busy.emit(False, "")
        self._order_worker = None

    def _show_rows(self, rows: np.ndarray | None) -> None:
        """Swap the whole order in at once: cells and row numbers change in the same layout change.

        The current cell and the selection follow their records to the new rows (a record the filter
        hides loses them), so turning "errors only" off keeps the same record current."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        old = [(self.frame_row(p.row()), p.column()) for p in persistent]
        self.rows = rows
        if persistent:
            n = self.data_.n_rows if self.data_ is not None else 0
            if rows is None:
                pos = np.arange(n, dtype=np.int64)
            else:
                pos = np.full(n, -1, dtype=np.int64)
                pos[rows] = np.arange(rows.size, dtype=np.int64)
            moved = [self.index(int(pos[r]), c) if 0 <= r < n and pos[r] >= 0 else QModelIndex() for r, c in old]
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
        self.rows_changed.emit()

    # -- session events (UI thread) ---------------------------------------------------------
    def _prepare_cells(self, rows: np.ndarray, fields: list[str]) -> None:
        """Session event, on whatever thread edited (a worker for bulk edits): do the heavy part here.

        Updates the converted cells and builds the new problem index off the UI
        thread when the edit ran on a worker; the UI thread then only swaps it in.
        """
        d, s = self.data_, self.session
        if d is None or s is None:
            return
        problems, error_rows = refresh_cells(d, s, rows, fields)
        self._session_cells.emit(d, problems, error_rows)

    def _on_cells(self, data: GridData, problems: ProblemIndex, error_rows: np.ndarray) -> None:
        if data is not self.data_:
            return  # the model was reset meanwhile
        data.problems = problems
        data.error_rows = error_rows
        self._all_changed()
        self.problems_changed.emit()

    def _on_deleted(self, rows: np.ndarray) -> None:
        self._all_changed()
        self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, max(0, self.rowCount() - 1))
        self.deleted_changed.emit()
        if self.filter.mode != "all":  # a deleted row leaves (and a restored one rejoins) the problem filters
            self.apply_filter()

    def _on_reset(self) -> None:
        if self.session is None:
            return
        self._cancel_order()
        self.beginResetModel()
        self.data_ = build_grid_data(self.session)
        self._columns_changed()
        self.rows = None
        self.endResetModel()
        self.problems_changed.emit()
        if self.filter.is_identity:
            self.rows_changed.emit()
        else:
            self.apply_filter()  # the same filter and sort over the new rows

    def _all_changed(self) -> None:
        """Problems can move to other rows (duplicates), so repaint everything; views only redraw visible cells."""
        n, m = self.rowCount(), self.columnCount()
        if n and m:
            self.dataChanged.emit(self.index(0, 0), self.index(n - 1, m - 1))


def next_problem(
    model: GridModel, view_row: int, col: int, forward: bool = True, columns: list[int] | None = None
) -> tuple[int, int] | None:
    """The next (or previous) cell with a problem in view order, wrapping (``columns``: left to right as shown)."""
    if model.data_ is None or model.rowCount() == 0:
        return None
    return next_problem_in(model.data_, model.rows, view_row, col, forward, model._deleted, columns)


__all__ = ["ASYNC_ROWS", "GridModel", "next_problem"]
