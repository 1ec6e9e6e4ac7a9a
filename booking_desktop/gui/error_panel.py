"""The error panel: what is wrong, how often, and a way to get there.

Counts by field and code come from the model's precomputed problem index (a
groupby on the ProblemTable, not a scan of the grid).  Clicking a count selects
those cells in the grid; the filter combo and the search box narrow the rows
shown through the model's row-index array.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.grid import column_title, live_rows
from booking_desktop.gui import theme
from booking_desktop.gui.grid_model import GridModel

SEARCH_DEBOUNCE_MS = 250
_ROLE_KEY = Qt.ItemDataRole.UserRole

FILTER_ALL, FILTER_ERRORS, FILTER_WARNINGS = "all", "errors", "warnings"


class ErrorPanel(QWidget):
    select_requested = Signal(object, object)  # frame rows (np.ndarray), column index or None
    next_requested = Signal()
    previous_requested = Signal()
    width_wanted = Signal(int)  # the panel's width at which no name of the tree is elided (grows only)

    def __init__(self, model: GridModel, parent=None):
        super().__init__(parent)
        self.setObjectName("errorPanel")
        self.setAccessibleName("Error panel")
        self.model = model

        self.summary = QLabel("No file open")
        self.summary.setObjectName("errorSummary")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Error summary")

        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("filterCombo")
        self.filter_combo.setAccessibleName("Show rows")
        self.filter_combo.setToolTip("Which rows the grid shows (Ctrl+E toggles errors only)")

        self.search = QLineEdit()
        self.search.setObjectName("searchBox")
        self.search.setPlaceholderText("Search all fields…")
        self.search.setAccessibleName("Search rows")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_search)

        self.tree = QTreeWidget()
        self.tree.setObjectName("problemCounts")
        self.tree.setAccessibleName("Problems by field and code")
        self.tree.setHeaderLabels(["Field / code", "Count"])
        self.tree.setRootIsDecorated(True)
        # the counts must stay visible in a narrow dock: the name column takes what is left
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        # a name that does not fit loses its middle, not its code; the whole text is in the tooltip
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.tree.itemClicked.connect(self._item_clicked)
        self.tree.itemActivated.connect(self._item_clicked)

        self.prev_btn = QPushButton("◀ Previous")
        self.prev_btn.setAccessibleName("Previous problem")
        self.prev_btn.setToolTip("Previous cell with a problem (Shift+F8)")
        self.next_btn = QPushButton("Next ▶")
        self.next_btn.setAccessibleName("Next problem")
        self.next_btn.setToolTip("Next cell with a problem (F8)")
        self.prev_btn.clicked.connect(self.previous_requested)
        self.next_btn.clicked.connect(self.next_requested)

        nav = QHBoxLayout()
        nav.addWidget(self.prev_btn)
        nav.addWidget(self.next_btn)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.filter_combo)
        lay.addWidget(self.search)
        lay.addWidget(self.tree, 1)
        lay.addLayout(nav)

        self._filling = False
        self._wanted = 0
        self._wanted_for: object = None
        self.filter_combo.currentIndexChanged.connect(self._filter_chosen)
        model.problems_changed.connect(self.refresh)  # also emitted on every model reset
        model.rows_changed.connect(self._update_summary)
        model.deleted_changed.connect(self.refresh)  # a deleted row's problems are no longer counted
        self.refresh()

    # -- public ---------------------------------------------------------------------
    def set_filter(self, mode: str, field: str | None = None) -> None:
        key = (mode, field)
        for i in range(self.filter_combo.count()):
            if self.filter_combo.itemData(i) == key:
                self.filter_combo.setCurrentIndex(i)
                return

    def current_filter(self) -> tuple[str, str | None]:
        data = self.filter_combo.currentData()
        return tuple(data) if data else (FILTER_ALL, None)

    def refresh(self) -> None:
        d = self.model.data_
        self._filling = True
        current = self.current_filter()
        self.filter_combo.clear()
        self.filter_combo.addItem("All rows", (FILTER_ALL, None))
        self.filter_combo.addItem("Errors only", (FILTER_ERRORS, None))
        self.filter_combo.addItem("Warnings", (FILTER_WARNINGS, None))
        self.tree.clear()
        s = self.model.session
        if d is not None and s is not None:
            counts = d.problems.live_counts(s.result.problems.frame["row"].to_numpy(), s.deleted)
            err_bg, warn_bg = theme.error_brush(self.palette()), theme.warning_brush(self.palette())
            for key, grp in counts.groupby("field", sort=True):
                fld = str(key)
                total = int(grp["count"].sum())
                top = QTreeWidgetItem([fld, f"{total:,}"])
                top.setData(0, _ROLE_KEY, (fld, None))
                by_sev = grp.groupby("severity")["count"].sum()
                tip = ", ".join(f"{int(n):,} {sev}{'s' if n != 1 else ''}" for sev, n in by_sev.items())
                shown = f"{fld} (the grid's “{column_title(fld)}”)" if fld in d.fields else fld
                _tip(top, f"{shown}: {tip}")
                for _, rec in grp.iterrows():
                    sev, n = str(rec["severity"]), int(rec["count"])
                    child = QTreeWidgetItem([f"{rec['code']} ({sev})", f"{n:,}"])
                    child.setData(0, _ROLE_KEY, (fld, str(rec["code"])))
                    child.setBackground(0, err_bg if sev == "error" else warn_bg)
                    example = rec.get("example")
                    said = f"\nFor example: {example}" if isinstance(example, str) and example else ""
                    _tip(child, f"{fld} — {rec['code']} ({sev}): {n:,} cell(s){said}")
                    top.addChild(child)
                self.tree.addTopLevelItem(top)
                if fld in d.fields:
                    self.filter_combo.addItem(f"Field: {fld}", ("field", fld))
            self.tree.expandAll()
            self._want_width()
        self.set_filter(*current)
        self._filling = False
        if self.current_filter() != current and (self.model.filter.mode, self.model.filter.field) == current:
            # the field filtered on has no problems left (fixed, or its rows deleted): the combo fell
            # back to "All rows", and so does the grid, rather than show an empty filter nobody chose
            self.model.set_filter(*self.current_filter())
        self._update_summary()

    def wanted_width(self) -> int:
        """The panel's width at which every name of the tree shows whole (the counts beside it)."""
        fm = self.tree.fontMetrics()
        names = 0
        for item, depth in self._tree_items():
            names = max(names, fm.horizontalAdvance(item.text(0)) + depth * self.tree.indentation())
        counts = self.tree.header().sectionSize(1)
        margins = self.contentsMargins()
        lay = self.layout()
        if lay is not None:
            margins = lay.contentsMargins()
        chrome = 2 * self.tree.frameWidth() + self.tree.verticalScrollBar().sizeHint().width() + 24
        return names + counts + chrome + margins.left() + margins.right()

    def _tree_items(self) -> list[tuple[QTreeWidgetItem, int]]:
        out: list[tuple[QTreeWidgetItem, int]] = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top is None:
                continue
            out.append((top, 1))
            out.extend((c, 2) for j in range(top.childCount()) if (c := top.child(j)) is not None)
        return out

    def _want_width(self) -> None:
        wanted = self.wanted_width()
        if self._wanted_for is not self.model.session:  # a new file: its own names decide
            self._wanted_for, self._wanted = self.model.session, 0
        if wanted > self._wanted:
            self._wanted = wanted
            self.width_wanted.emit(wanted)

    def changeEvent(self, event: QEvent) -> None:
        """A switch between the light and the dark palette repaints the counts' colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.refresh()

    # -- internals --------------------------------------------------------------------
    def _update_summary(self) -> None:
        d, s = self.model.data_, self.model.session
        if d is None or s is None:
            self.summary.setText("No file open")
            return
        errors = int(live_rows(d.error_rows, s.deleted).sum())
        warn_rows = int(live_rows(d.problems.warning_rows, s.deleted).sum())
        deleted = int(s.deleted.sum())
        parts = [f"{d.n_rows:,} records", f"{errors:,} with errors", f"{warn_rows:,} with warnings"]
        if deleted:
            parts.append(f"{deleted:,} deleted")
        shown = self.model.rowCount()
        if shown != d.n_rows:
            parts.append(f"{shown:,} shown")
        self.summary.setText(" · ".join(parts))
        self.summary.setToolTip("\n".join(parts))

    def _filter_chosen(self, _i: int) -> None:
        if self._filling:
            return
        mode, field = self.current_filter()
        self.model.set_filter(mode, field)

    def _apply_search(self) -> None:
        self._search_timer.stop()
        if self.search.text() != self.model.filter.search:
            self.model.set_search(self.search.text())

    def _item_clicked(self, item: QTreeWidgetItem, _col: int = 0) -> None:
        key = item.data(0, _ROLE_KEY)
        s = self.model.session
        if not key or s is None:
            return
        fld, code = key
        f = s.result.problems.frame
        sel = f["field"].astype(object).fillna("(row)") == fld
        if code is not None:
            sel &= f["code"] == code
        rows = np.unique(f.loc[sel, "row"].to_numpy(dtype=np.int64))
        rows = rows[~s.deleted[rows]] if s.deleted.size else rows
        col = self.model.fields.index(fld) if fld in self.model.fields else None
        self.select_requested.emit(rows, col)


def _tip(item: QTreeWidgetItem, text: str) -> None:
    """The whole label (and what it counts) as the tooltip of both columns: a narrow dock elides names."""
    item.setToolTip(0, text)
    item.setToolTip(1, text)
