"""The data grid view: a QTableView tuned for a million rows.

Fixed row heights and column widths measured on the first rows only (within a
time budget) keep scrolling smooth; clicking a header sorts through the
model's row-index array.  The view reports the frame row under the cursor so
the details pane and status bar can show where it came from.

The key column stays at the left edge while the others scroll sideways
(:class:`~booking_desktop.gui.frozen_column.FrozenColumn`), and the current
cell is framed (:class:`~booking_desktop.gui.grid_delegate.GridDelegate`).
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from booking_desktop.gui.frozen_column import FrozenColumn
from booking_desktop.gui.grid_delegate import GridDelegate
from booking_desktop.gui.grid_model import GridModel

AUTOSIZE_SAMPLE_ROWS = 100  # rows looked at when sizing columns
AUTOSIZE_BUDGET_S = 0.05  # stop measuring after this long
MIN_COLUMN_WIDTH = 60
MAX_COLUMN_WIDTH = 320


class GridView(QTableView):
    current_row_changed = Signal(int)  # frame row (-1 when none)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("grid")
        self.setAccessibleName("Bookings grid")
        self.setAccessibleDescription("Canonical booking fields; cells with errors are red, warnings amber")
        self.setWordWrap(False)
        self.setAlternatingRowColors(False)
        self.setSortingEnabled(False)  # we sort on header click ourselves (no proxy)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        vh = self.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 8)
        hh = self.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionsClickable(True)
        hh.setSortIndicatorShown(True)
        hh.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        hh.sectionClicked.connect(self.header_clicked)
        self._sort_col = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)  # columns slide under the key
        self.setItemDelegate(GridDelegate(self))
        self.frozen = FrozenColumn(self)
        self.frozen.setItemDelegate(GridDelegate(self.frozen))
        self.frozen.itemDelegate().closeEditor.connect(lambda *_a: self.setFocus())  # keys go back to the grid

    def grid_model(self) -> GridModel | None:
        m = self.model()
        return m if isinstance(m, GridModel) else None

    def setModel(self, model) -> None:
        super().setModel(model)
        if model is not None:
            # in its own event-loop turn: a reset at a million rows must not block the UI for long
            model.modelReset.connect(lambda: QTimer.singleShot(0, self.autosize_columns))
            self.selectionModel().currentChanged.connect(self._current_changed)
            if isinstance(model, GridModel):
                model.rows_changed.connect(self._keep_current_in_view)
            self.frozen.attach()

    # -- the frozen key column ----------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.frozen.update_geometry()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        if hasattr(self, "frozen"):
            self.frozen.update_geometry()

    def edit(self, index, trigger=QAbstractItemView.EditTrigger.AllEditTriggers, event=None):
        """A key cell is edited in the frozen column, on top (the grid's own cell lies under it)."""
        if self.frozen.covers(index):
            return self.frozen.edit_key_cell(index, trigger, event)
        return super().edit(index, trigger, event)

    def scrollTo(self, index, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        """Never leave a cell hidden under the frozen column; the key column itself only scrolls up and down."""
        if self.frozen.covers(index):
            x = self.horizontalScrollBar().value()
            super().scrollTo(index, hint)
            self.horizontalScrollBar().setValue(x)
            return
        super().scrollTo(index, hint)
        self._uncover(index)

    def moveCursor(self, action, modifiers):
        current = super().moveCursor(action, modifiers)
        self._uncover(current)
        return current

    def _uncover(self, index) -> None:
        covered = self.frozen.width_covered()
        if covered and index.isValid() and not self.frozen.covers(index):
            left = self.visualRect(index).left()
            if left < covered:
                bar = self.horizontalScrollBar()
                bar.setValue(bar.value() + left - covered)

    def _keep_current_in_view(self) -> None:
        """After a filter or a sort the current record (which followed its row) is scrolled into view."""
        cur = self.currentIndex()
        if cur.isValid():
            self.scrollTo(cur, QAbstractItemView.ScrollHint.PositionAtCenter)

    # -- sorting --------------------------------------------------------------------
    def header_clicked(self, col: int) -> None:
        m = self.grid_model()
        if m is None:
            return
        if col == self._sort_col:
            if self._sort_order == Qt.SortOrder.AscendingOrder:
                self._sort_order = Qt.SortOrder.DescendingOrder
            else:  # third click: back to file order
                self._sort_col = -1
                self._sort_order = Qt.SortOrder.AscendingOrder
        else:
            self._sort_col, self._sort_order = col, Qt.SortOrder.AscendingOrder
        self.horizontalHeader().setSortIndicator(self._sort_col, self._sort_order)
        self.frozen.sort_indicator(self._sort_col, self._sort_order)
        m.sort(self._sort_col, self._sort_order)

    # -- sizing -----------------------------------------------------------------------
    def autosize_columns(self) -> None:
        m = self.grid_model()
        if m is None:
            return
        fm = self.fontMetrics()
        start = time.perf_counter()
        n = min(m.rowCount(), AUTOSIZE_SAMPLE_ROWS)
        for c in range(m.columnCount()):
            w = fm.horizontalAdvance(str(m.headerData(c, Qt.Orientation.Horizontal))) + 28
            if time.perf_counter() - start < AUTOSIZE_BUDGET_S:
                for r in range(n):
                    v = m.cell_text(m.frame_row(r), c)
                    if v:
                        w = max(w, fm.horizontalAdvance(v) + 16)
            self.setColumnWidth(c, max(MIN_COLUMN_WIDTH, min(MAX_COLUMN_WIDTH, w)))
        self.frozen.update_geometry()

    # -- selection helpers ----------------------------------------------------------------
    def _current_changed(self, cur: QModelIndex, _prev: QModelIndex) -> None:
        m = self.grid_model()
        self.current_row_changed.emit(m.frame_row(cur.row()) if (m is not None and cur.isValid()) else -1)

    def selected_cells(self) -> list[tuple[int, str]]:
        """(frame row, field) of every selected cell."""
        m = self.grid_model()
        if m is None:
            return []
        out = []
        for idx in self.selectionModel().selectedIndexes():
            out.append((m.frame_row(idx.row()), m.fields[idx.column()]))
        return out

    def selected_frame_rows(self) -> list[int]:
        m = self.grid_model()
        if m is None:
            return []
        rows = {m.frame_row(i.row()) for i in self.selectionModel().selectedIndexes()}
        cur = self.currentIndex()
        if not rows and cur.isValid():
            rows.add(m.frame_row(cur.row()))
        return sorted(rows)

    def select_cells(self, frame_rows: np.ndarray, col: int | None) -> int:
        """Select these cells (whole rows when ``col`` is None); returns how many are visible."""
        m = self.grid_model()
        if m is None:
            return 0
        if m.rows is None:
            view_rows = np.asarray(frame_rows, dtype=np.int64)
        else:
            pos = np.full(m.data_.n_rows if m.data_ else 0, -1, dtype=np.int64)
            pos[m.rows] = np.arange(m.rows.size)
            view_rows = pos[np.asarray(frame_rows, dtype=np.int64)]
            view_rows = view_rows[view_rows >= 0]
        view_rows = np.sort(view_rows)
        sel = QItemSelection()
        last_c = m.columnCount() - 1
        c0, c1 = (0, last_c) if col is None else (col, col)
        if view_rows.size:
            # contiguous runs become one range each, so 100,000 cells are not 100,000 ranges
            breaks = np.flatnonzero(np.diff(view_rows) != 1)
            starts = np.r_[view_rows[0], view_rows[breaks + 1]]
            ends = np.r_[view_rows[breaks], view_rows[-1]]
            for s, e in zip(starts.tolist(), ends.tolist()):
                sel.select(m.index(s, c0), m.index(e, c1))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.selectionModel().select(sel, flags)
        if view_rows.size:
            first = m.index(int(view_rows[0]), c0)
            self.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.scrollTo(first, QAbstractItemView.ScrollHint.PositionAtCenter)
        return int(view_rows.size)

    def go_to(self, view_row: int, col: int) -> None:
        m = self.grid_model()
        if m is None:
            return
        idx = m.index(view_row, col)
        self.setCurrentIndex(idx)
        self.scrollTo(idx, QAbstractItemView.ScrollHint.PositionAtCenter)
