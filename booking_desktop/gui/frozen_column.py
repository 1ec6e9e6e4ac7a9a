"""The key column (``booking_ref``) frozen at the grid's left edge while the rest scrolls sideways.

Qt's "Frozen Column" example, adapted: a second :class:`QTableView` over the same model and the
same selection model lies on top of the grid's left edge and shows only the key column, which the
grid itself moves to the first place.  Both views scroll vertically together, the overlay follows
the column's width, the row height and the header's height, and a click on its header sorts like
the grid's own.  The grid keeps the key column too (under the overlay), so keyboard moves, the
selection and the current cell are the grid's; an edit of a key cell opens in the overlay, where
the operator sees it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHeaderView, QMenu, QTableView

from booking_desktop.grid import KEY_FIELD


class FrozenColumn(QTableView):
    def __init__(self, grid: Any, key: str = KEY_FIELD):
        super().__init__(grid)
        self.grid = grid
        self.key = key
        self.setObjectName("frozenColumn")
        self.setAccessibleName("Booking reference column (stays in view)")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the grid, which owns the current cell
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setSortIndicatorShown(True)
        self.horizontalHeader().sectionClicked.connect(self._header_clicked)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(grid.selectionMode())
        self.setSelectionBehavior(grid.selectionBehavior())
        self.setEditTriggers(grid.editTriggers())
        self.setWordWrap(False)
        self.setAutoFillBackground(True)
        self.setAutoScroll(False)  # the grid scrolls; this view follows its scroll bar (same reason as above)
        self.setVisible(False)
        grid.viewport().stackUnder(self)
        self._column = -1
        self.menu: QMenu | None = None
        # a right-click on a key cell offers the grid's own actions (copy, paste, delete rows...)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)

    @property
    def column(self) -> int:
        """The key column's logical index (-1 when the model has none)."""
        return self._column

    # -- following the grid ------------------------------------------------------------
    def attach(self) -> None:
        """Share the grid's model and selection; called whenever the grid gets a model."""
        g = self.grid
        self.setModel(g.model())
        self.setSelectionModel(g.selectionModel())
        g.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(g.verticalScrollBar().setValue)
        g.horizontalHeader().sectionResized.connect(self._width_changed)
        g.verticalHeader().sectionResized.connect(lambda row, _old, size: self.setRowHeight(row, size))
        g.model().modelReset.connect(self.columns_changed)
        g.model().layoutChanged.connect(self._sync_rows)
        self.columns_changed()

    def columns_changed(self) -> None:
        """Show the key column alone, first in the grid's order; hide the overlay when there is none."""
        g, m = self.grid, self.grid.model()
        fields = list(getattr(m, "fields", []))
        self._column = fields.index(self.key) if self.key in fields else -1
        for c in range(m.columnCount()):
            self.setColumnHidden(c, c != self._column)
        if self._column >= 0:
            hh = g.horizontalHeader()
            if hh.visualIndex(self._column) != 0:
                hh.moveSection(hh.visualIndex(self._column), 0)
            self.setColumnWidth(self._column, g.columnWidth(self._column))
        self._sync_rows()
        self.setVisible(self._column >= 0)
        self.update_geometry()

    def _sync_rows(self) -> None:
        vh, own = self.grid.verticalHeader(), self.verticalHeader()
        own.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        own.setDefaultSectionSize(vh.defaultSectionSize())
        self.verticalScrollBar().setValue(self.grid.verticalScrollBar().value())

    def _width_changed(self, logical: int, _old: int, size: int) -> None:
        if logical == self._column:
            self.setColumnWidth(logical, size)
            self.update_geometry()

    def update_geometry(self) -> None:
        g = self.grid
        if self._column < 0:
            return
        size = g.verticalHeader().defaultSectionSize()
        if self.verticalHeader().defaultSectionSize() != size:  # the grid's rows changed height (font)
            self.verticalHeader().setDefaultSectionSize(size)
        self.horizontalHeader().setFixedHeight(g.horizontalHeader().height())
        frame = g.frameWidth()
        self.setGeometry(
            g.verticalHeader().width() + frame,
            frame,
            g.columnWidth(self._column),
            g.viewport().height() + g.horizontalHeader().height(),
        )

    def sort_indicator(self, column: int, order: Qt.SortOrder) -> None:
        self.horizontalHeader().setSortIndicator(column if column == self._column else -1, order)

    def _header_clicked(self, logical: int) -> None:
        self.grid.header_clicked(logical)

    def mousePressEvent(self, event: Any) -> None:
        # the grid shares the current cell: its auto-scroll would move the rows under the pointer
        # between Qt's "current" and "select" steps of this press and select another row
        auto = self.grid.hasAutoScroll()
        self.grid.setAutoScroll(False)
        try:
            super().mousePressEvent(event)
        finally:
            self.grid.setAutoScroll(auto)
        self.grid.setFocus(Qt.FocusReason.MouseFocusReason)  # typing then edits the cell clicked here

    def _context_menu(self, pos: Any) -> None:
        actions = self.grid.actions()
        if not actions:
            return
        self.menu = QMenu(self)
        self.menu.addActions(actions)
        self.menu.popup(self.viewport().mapToGlobal(pos))

    # -- what the grid asks of it ------------------------------------------------------------
    def covers(self, index: QModelIndex) -> bool:
        return self.isVisible() and index.isValid() and index.column() == self._column

    def width_covered(self) -> int:
        return self.width() if self.isVisible() else 0

    def edit_key_cell(self, index: QModelIndex, trigger: QAbstractItemView.EditTrigger, event: Any) -> bool:
        """Open the editor of a key cell here, on top, where the operator sees it.  (Qt also calls
        this on every change of the current cell, with a trigger that opens nothing: no scrolling here.)"""
        return QTableView.edit(self, index, trigger, event)
