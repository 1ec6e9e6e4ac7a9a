"""One rejected row in full, beside the Review page's grid: where it came from (file and location),
its status, what is wrong (errors and warnings in plain language), the vendor's own cells in their
column order, and its history (who did what, when, before and after)."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.gui import theme
from booking_desktop.gui.commit_text import local_time

ACTIONS = {
    "rejected_row.fix": "fixed",
    "rejected_row.discard": "discarded",
    "rejected_row.reopen": "reopened",
    "rejected_row.assign": "assigned",
    "rejected_row.resubmit": "resubmitted",
    "rejected_row.resolve": "resolved",
    "rejected_row.bulk": "bulk fix",
}


def who(entry: dict[str, Any]) -> str:
    w = entry.get("who") or {}
    if not isinstance(w, dict):
        return str(w)
    parts = [str(w.get("os_user") or "")]
    if w.get("db_user"):
        parts.append(f"(database user {w['db_user']})")
    return " ".join(p for p in parts if p)


def changes(entry: dict[str, Any]) -> str:
    before, after = entry.get("before") or {}, entry.get("after") or {}
    keys = list(dict.fromkeys([*before, *after]))
    out = [f"{k}: {before.get(k)!r} → {after.get(k)!r}" for k in keys]
    if entry.get("note"):
        out.append(str(entry["note"]))
    return "; ".join(out)


def _item(text: Any) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class ReviewDetail(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reviewDetail")
        self.row: dict[str, Any] | None = None
        self.header = QLabel("Choose a row to see what is wrong with it, the vendor's cells and its history.")
        self.header.setObjectName("reviewDetailHeader")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems = QListWidget()
        self.problems.setObjectName("reviewProblems")
        self.problems.setAccessibleName("What is wrong with the row")
        self.problems.setWordWrap(True)
        self.raw = QTableWidget(0, 2)
        self.raw.setObjectName("reviewRawCells")
        self.raw.setAccessibleName("The vendor's cells")
        self.raw.setHorizontalHeaderLabels(["Vendor's column", "Value sent"])
        self.history = QTableWidget(0, 4)
        self.history.setObjectName("reviewHistory")
        self.history.setAccessibleName("History of the row")
        self.history.setHorizontalHeaderLabels(["When", "Who", "What", "Change"])
        for t in (self.raw, self.history):
            t.verticalHeader().setVisible(False)
            t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            t.horizontalHeader().setStretchLastSection(True)
            t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
            t.setWordWrap(False)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("reviewDetailTabs")
        self.tabs.addTab(self.problems, "Problems")
        self.tabs.addTab(self.raw, "Vendor's cells")
        self.tabs.addTab(self.history, "History")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.header)
        lay.addWidget(self.tabs, 1)

    def clear(self) -> None:
        self.row = None
        self.header.setText("Choose a row to see what is wrong with it, the vendor's cells and its history.")
        self.problems.clear()
        self.raw.setRowCount(0)
        self.history.setRowCount(0)

    def show_row(self, row: dict[str, Any] | None) -> None:
        if row is None:
            self.clear()
            return
        self.row = row
        status = row.get("status") or "open"
        extra = []
        if row.get("assignee"):
            extra.append(f"assigned to <b>{html.escape(str(row['assignee']))}</b>")
        if row.get("booking_id"):
            extra.append(f"booking {html.escape(str(row['booking_id']))}")
        if row.get("note"):
            extra.append(html.escape(str(row["note"])))
        bad = theme.error_text_color().name()
        self.header.setText(
            f"<b>Record {row.get('record')}</b> of <b>{html.escape(str(row.get('file') or 'an unnamed file'))}</b>, "
            f"{html.escape(str(row.get('location') or 'no location'))} — vendor "
            f"<b>{html.escape(str(row.get('vendor') or '?'))}</b> — <b>{status}</b>"
            + (f" — {'; '.join(extra)}" if extra else "")
            + (f"<br><span style='color:{bad}'>{len(row.get('errors') or [])} error(s)</span>"
               if row.get("errors") else "<br>No errors now: it can be resubmitted.")
        )
        self.problems.clear()
        for sev, key in (("Error", "errors"), ("Warning", "warnings")):
            for e in row.get(key) or ():
                where = e.get("field") or "the row"
                value = "" if e.get("value") is None else f" (value {e['value']!r})"
                self.problems.addItem(f"{sev} in {where}{value}: {e.get('message')} [{e.get('code')}]")
        if self.problems.count() == 0:
            self.problems.addItem("Nothing is wrong with this row now.")
        cells = row.get("raw_cells") or [{"column": k, "value": v} for k, v in (row.get("raw") or {}).items()]
        self.raw.setRowCount(len(cells))
        for i, c in enumerate(cells):
            self.raw.setItem(i, 0, _item(c.get("column")))
            self.raw.setItem(i, 1, _item(c.get("value")))
        self.show_history(row.get("history"))

    def show_history(self, entries: list[dict[str, Any]] | None) -> None:
        entries = list(entries or [])
        self.history.setRowCount(len(entries))
        for i, e in enumerate(entries):
            self.history.setItem(i, 0, _item(local_time(e.get("at"))))
            self.history.setItem(i, 1, _item(who(e)))
            self.history.setItem(i, 2, _item(ACTIONS.get(str(e.get("action")), e.get("action"))))
            self.history.setItem(i, 3, _item(changes(e)))
