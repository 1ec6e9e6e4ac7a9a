"""The Imports page.  :class:`HistoryPage` lists the latest imports of the database the commits go to, read on
a worker when the page is shown or refreshed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.gui.connection_manager import ConnectionManager
from booking_desktop.gui.workers import GeneratorWorker

HISTORY_COLUMNS = (
    "Started",
    "File",
    "Vendor",
    "Status",
    "Records",
    "Inserted",
    "Updated",
    "Unchanged",
    "Rejected",
    "By",
)


def local_time(dt: Any) -> str:
    if not isinstance(dt, datetime):
        return ""
    if dt.tzinfo is None:  # pymongo returns naive UTC unless tz_aware
        from datetime import UTC

        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone().strftime("%Y-%m-%d %H:%M")


def history_rows(docs: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The table's cells for import records (newest first, as given)."""
    rows = []
    for d in docs:
        counts = d.get("counts") or {}
        rows.append(
            (
                local_time(d.get("started_at")),
                str(d.get("file_name") or ""),
                str(d.get("vendor") or ""),
                str(d.get("status") or ""),
                f"{int(d.get('records') or 0):,}",
                *(f"{int(counts.get(k, 0)):,}" for k in ("inserted", "updated", "unchanged", "rejected")),
                str(d.get("user") or ""),
            )
        )
    return rows


def read_history(target: Any, local: Any) -> list[dict[str, Any]]:
    """On a worker: the latest imports of ``target`` (None = the local database, started if needed)."""
    from booking_desktop.storage import imports
    from booking_desktop.storage.connection import open_connection

    conn = open_connection(local.target() if target is None else target, indexes=False)
    try:
        return imports.history(conn.db)
    finally:
        conn.close()


class HistoryPage(QWidget):
    def __init__(self, connections: ConnectionManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("historyPage")
        self.connections = connections
        self._worker: GeneratorWorker | None = None
        self.docs: list[dict[str, Any]] = []
        self.status = QLabel("")
        self.status.setObjectName("historyStatus")
        self.status.setWordWrap(True)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("historyRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.table = QTableWidget(0, len(HISTORY_COLUMNS))
        self.table.setObjectName("historyTable")
        self.table.setAccessibleName("Imports history")
        self.table.setHorizontalHeaderLabels(list(HISTORY_COLUMNS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        top = QHBoxLayout()
        top.addWidget(QLabel("<h3>Imports</h3>"))
        top.addWidget(self.status, 1)
        top.addWidget(self.refresh_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        connections.changed.connect(lambda _label: self.refresh() if self.isVisible() else None)

    @property
    def loading(self) -> bool:
        return self._worker is not None and not self._worker.is_done

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        if self.loading:
            return
        self.status.setText(f"Reading the imports of {self.connections.label}…")
        self.refresh_button.setEnabled(False)
        w = GeneratorWorker(read_history, self.connections.target, self.connections.local_db, pass_cancel=False)
        w.signals.result.connect(self._show)
        w.signals.errored.connect(lambda msg: self.status.setText(f"Cannot read the imports: {msg}"))
        w.signals.finished.connect(lambda: self.refresh_button.setEnabled(True))
        self._worker = w
        w.start()

    def _show(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs
        rows = history_rows(docs)
        self.table.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 4 <= c <= 8:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.status.setText(
            f"{len(rows)} latest import(s) in {self.connections.label}."
            if rows
            else f"No imports yet in {self.connections.label}."
        )
