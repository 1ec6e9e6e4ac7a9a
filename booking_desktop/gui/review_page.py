"""The Review page: the supervisor's queue of rejected rows.

A filter bar (vendor, problem, field, status, assignee, age, file or import), the counts by vendor
and problem (a click filters on them), one page of rows at a time in the Import page's own grid
(:class:`~booking_desktop.gui.grid_model.GridModel` over a
:class:`~booking_desktop.grid.review_source.ReviewTable`), the chosen row's details (problems, the
vendor's cells, history), and the actions: fix a cell in place (re-validated by the queue with the
vendor's profile rules and the database's duplicates), undo/redo of fixes, resubmit, discard, reopen,
assign, and the vendor's error report.

Everything that touches the database runs on a worker (``storage.review_tasks``), one connection
per task; a refused or conflicting action comes back as an ``Outcome`` and is said in the notice line
(a second supervisor who changed a row meanwhile: the row is read again, nothing is overwritten).
Fixes are sent one at a time, in the order typed, so two quick edits of one row never conflict with
each other.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.grid.review_source import CellEdit, ReviewTable
from booking_desktop.gui import theme
from booking_desktop.gui.connection_manager import ConnectionManager
from booking_desktop.gui.grid_model import MARK_ERROR, MARK_OK, GridModel
from booking_desktop.gui.grid_view import GridView
from booking_desktop.gui.prompts import ask_save_path
from booking_desktop.gui.review_bulk_dialog import BulkFixDialog
from booking_desktop.gui.review_detail import ReviewDetail
from booking_desktop.gui.review_dialogs import AssignDialog, DiscardDialog
from booking_desktop.gui.review_filter_bar import ReviewFilterBar
from booking_desktop.gui.workers import GeneratorWorker
from booking_desktop.storage import review_tasks as tasks
from booking_desktop.storage.review import ReviewFilter

PAGE_ROWS = 100
RECOUNT_DELAY_MS = 1500
DOING = {"resubmit": "Resubmitting", "discard": "Discarding", "reopen": "Reopening", "assign": "Assigning"}


class Sideways(QScrollArea):
    """A row of controls that scrolls sideways in a narrow window instead of widening it (the scroll
    bar takes room only when it shows)."""

    def __init__(self, widget: QWidget):
        super().__init__()
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        widget.installEventFilter(self)

    def _height(self) -> int:
        w = self.widget()
        if w is None:
            return 0
        bar = self.horizontalScrollBar().sizeHint().height() if self.width() < w.minimumSizeHint().width() else 0
        return w.sizeHint().height() + bar

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self._height())

    def eventFilter(self, watched: Any, event: Any) -> bool:
        # the controls' size changes with the style, the font and what they hold: the layout asks again
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.height() != self._height():  # the scroll bar came or went
            self.updateGeometry()


@dataclass
class UndoEntry:
    """A fix that can be undone: ``undo`` / ``redo`` are the values to store, ``version`` the row's
    version after the last of them (what an undo expects to find).  A bulk fix has its ``bulk_id``
    (undone by ``undo_bulk``), its operation and the rows it changed (redone on those rows)."""

    label: str
    row_id: str
    undo: dict[str, str | None]
    redo: dict[str, str | None]
    version: int
    bulk_id: str | None = None
    op: Any = None
    ids: list[str] | None = None


class ReviewPage(QWidget):
    undo_changed = Signal()  # the undo/redo stacks changed (the window's Edit menu follows)

    def __init__(self, connections: ConnectionManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reviewPage")
        self.connections = connections
        self.flt = ReviewFilter()
        self.table: ReviewTable | None = None
        self.stats: tasks.QueueStats | None = None
        self.starts: list[str | None] = [None]  # page tokens: starts[i] is where page i begins
        self.page_no = 0
        self.next_token: str | None = None
        self.undo_stack: list[UndoEntry] = []
        self.redo_stack: list[UndoEntry] = []
        self._gen = 0  # bumps on every reload: results of an older read are dropped
        self._page_worker: GeneratorWorker | None = None
        self._stats_worker: GeneratorWorker | None = None
        self._detail_worker: GeneratorWorker | None = None
        self._action_worker: GeneratorWorker | None = None
        self._edit_worker: GeneratorWorker | None = None
        self._live: set[GeneratorWorker] = set()  # started, outcome not handled yet
        self._edits: deque[tuple[str, Any]] = deque()  # ("edit", CellEdit) | ("undo"/"redo", UndoEntry)
        self._shown_once = False
        self._recount = QTimer(self)  # the counts follow the fixes once the typing pauses
        self._recount.setSingleShot(True)
        self._recount.setInterval(RECOUNT_DELAY_MS)
        self._recount.timeout.connect(self._read_stats)
        self.dialog: Any = None

        self.status = QLabel("")
        self.status.setObjectName("reviewStatus")
        self.status.setWordWrap(True)
        self.notice = QLabel("")
        self.notice.setObjectName("reviewNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.setVisible(False)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("reviewRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.filters = ReviewFilterBar()
        self.filters.changed.connect(self._filter_changed)

        self.counts = QTableWidget(0, 3)
        self.counts.setObjectName("reviewCounts")
        self.counts.setAccessibleName("Rows by vendor and problem")
        self.counts.setHorizontalHeaderLabels(["Vendor", "Problem", "Rows"])
        self.counts.verticalHeader().setVisible(False)
        self.counts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.counts.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.counts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.counts.cellClicked.connect(self._count_clicked)

        self.model = GridModel(self)
        self.view = GridView()
        self.view.setObjectName("reviewGrid")
        self.view.setAccessibleName("Rejected rows")
        self.view.setModel(self.model)
        self.view.current_row_changed.connect(self._current_changed)
        self.model.edit_failed.connect(self.say)

        self.prev_button = QPushButton("◀ Previous")
        self.prev_button.setObjectName("reviewPrev")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setObjectName("reviewNext")
        self.pager = QLabel("")
        self.pager.setObjectName("reviewPager")
        self.prev_button.clicked.connect(lambda: self.go_page(self.page_no - 1))
        self.next_button.clicked.connect(lambda: self.go_page(self.page_no + 1))

        self.buttons: dict[str, QPushButton] = {}
        actions = QWidget()
        actions.setObjectName("reviewActions")
        bar = QHBoxLayout(actions)
        bar.setContentsMargins(0, 0, 0, 0)
        for name, text, slot, tip in (
            ("resubmit", "Resubmit", self.resubmit,
             "Commit the selected rows that are valid now (none selected: every valid row the filter shows)"),
            ("discard", "Discard…", self.discard, "Take the selected rows out of the queue, with a reason"),
            ("reopen", "Reopen", self.reopen, "Put discarded rows back in the queue"),
            ("assign", "Assign…", self.assign, "Give the selected rows to a colleague"),
            ("bulk", "Bulk fix…", self.bulk_fix,
             "Set a value, find/replace or map values in one field, on the selected rows or on every open row "
             "the filter matches, as one undoable step"),
            ("undo", "Undo", self.undo, "Undo the last fix (Ctrl+Z)"),
            ("redo", "Redo", self.redo, "Redo the fix undone last (Ctrl+Shift+Z)"),
        ):
            b = QPushButton(text)
            b.setObjectName(f"review_{name}")
            b.setToolTip(tip)
            b.clicked.connect(slot)
            self.buttons[name] = b
            bar.addWidget(b)
        bar.addStretch(1)
        export = QPushButton("Send report to vendor…")
        export.setObjectName("review_export")
        export.setToolTip("The vendor's own file back, every bad cell marked (XLSX or CSV), for the rows the "
                          "filter shows")
        export.clicked.connect(self.export)
        self.buttons["export"] = export

        self.detail = ReviewDetail()
        centre = QWidget()
        cl = QVBoxLayout(centre)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.view, 1)
        cl.addWidget(Sideways(actions))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("reviewSplit")
        split.addWidget(self.counts)
        split.addWidget(centre)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 4)
        split.setStretchFactor(2, 2)
        split.setSizes([230, 800, 370])

        top = QHBoxLayout()
        top.addWidget(QLabel("<h3>Review queue</h3>"))
        top.addWidget(self.status, 1)
        top.addWidget(self.prev_button)
        top.addWidget(self.pager)
        top.addWidget(self.next_button)
        top.addWidget(self.refresh_button)
        top.addWidget(self.buttons["export"])
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(Sideways(self.filters))
        lay.addWidget(self.notice)
        lay.addWidget(split, 1)
        connections.changed.connect(lambda _label: self._target_changed())
        self._update_buttons()

    # ------------------------------------------------------------------ state
    def _running(self, w: GeneratorWorker | None) -> bool:
        """Started and its outcome not yet handled here (a worker is done before its result reaches the
        UI thread: ``is_done`` alone would call a page settled that still shows the old rows)."""
        return w is not None and w in self._live

    @property
    def loading(self) -> bool:
        return self._running(self._page_worker) or self._running(self._stats_worker)

    @property
    def working(self) -> bool:
        """Something is being written (an action, a fix) or read."""
        return bool(self._live) or bool(self._edits) or self._recount.isActive()

    @property
    def can_undo(self) -> bool:
        return bool(self.undo_stack)

    @property
    def can_redo(self) -> bool:
        return bool(self.redo_stack)

    @property
    def undo_label(self) -> str:
        return self.undo_stack[-1].label if self.undo_stack else ""

    @property
    def redo_label(self) -> str:
        return self.redo_stack[-1].label if self.redo_stack else ""

    def say(self, text: str, error: bool = True) -> None:
        colour = theme.error_text_color().name() if error else theme.ok_text_color().name()
        self.notice.setStyleSheet(f"color: {colour};" if text else "")
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _start(self, func: Callable[..., Any], *args: Any, done: Callable[[Any], None],
               failed: Callable[[str], None] | None = None, **kw: Any) -> GeneratorWorker:
        w = GeneratorWorker(tasks.on_queue, self.connections.target, self.connections.local_db, func, *args,
                            pass_cancel=False, **kw)
        w.signals.result.connect(done)
        w.signals.errored.connect(failed or (lambda msg: self.say(f"Cannot reach {self.connections.label}: {msg}")))
        self._live.add(w)
        w.signals.finished.connect(lambda: self._live.discard(w))
        w.signals.finished.connect(self._update_buttons)
        w.start()
        return w

    def _update_buttons(self) -> None:
        rows = self.selected_rows()
        has_rows = self.table is not None and len(self.table) > 0
        acting = self._running(self._action_worker)
        self.buttons["resubmit"].setEnabled(has_rows and not acting)
        for name in ("discard", "reopen", "assign"):
            self.buttons[name].setEnabled(bool(rows) and not acting)
        self.buttons["export"].setEnabled(has_rows and not acting)
        self.buttons["bulk"].setEnabled(has_rows and not acting and not self.model.read_only)
        self.buttons["undo"].setEnabled(self.can_undo and not self._edits)
        self.buttons["redo"].setEnabled(self.can_redo and not self._edits)
        self.buttons["undo"].setToolTip(f"Undo {self.undo_label} (Ctrl+Z)" if self.can_undo else "Nothing to undo")
        self.buttons["redo"].setToolTip(f"Redo {self.redo_label} (Ctrl+Shift+Z)" if self.can_redo
                                        else "Nothing to redo")
        self.prev_button.setEnabled(self.page_no > 0 and not self.loading)
        self.next_button.setEnabled(self.next_token is not None and not self.loading)
        self.refresh_button.setEnabled(not self.loading)

    # ------------------------------------------------------------------ reading
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.refresh()

    def _target_changed(self) -> None:
        self.undo_stack.clear()
        self.redo_stack.clear()
        self.undo_changed.emit()
        if self.isVisible():
            self.refresh()
        else:
            self._shown_once = False

    def set_filter(self, vendor: str | None = None, code: str | None = None, status: str = "open") -> None:
        """Show the queue filtered on ``vendor`` and ``code`` (the Data quality page's click-through)."""
        self.filters.set_values(vendor=vendor, code=code, status=status)

    def _filter_changed(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Read the first page of the current filter again (and the counts)."""
        self.flt = self.filters.filter()
        self.starts = [None]
        self.page_no = 0
        self._read_page()

    def go_page(self, n: int) -> None:
        if n < 0 or self.loading:
            return
        if n == len(self.starts):
            if self.next_token is None:
                return
            self.starts.append(self.next_token)
        self.page_no = n
        self._read_page(stats=False)

    def _read_page(self, stats: bool = True) -> None:
        self._gen += 1
        gen = self._gen
        for w in (self._page_worker, self._stats_worker if stats else None):
            if w is not None:
                w.cancel()  # its result is dropped (gen); it stops at its end
        self.status.setText(f"Reading the review queue of {self.connections.label}…")
        self._page_worker = self._start(tasks.read_page, self.flt, self.starts[self.page_no], PAGE_ROWS,
                                        done=lambda page: self._show_page(gen, page),
                                        failed=lambda msg: self._read_failed(gen, msg))
        if stats:
            self.stats = None
            self._read_stats()
        self._update_buttons()

    def _read_stats(self) -> None:
        self._recount.stop()
        gen = self._gen
        if self._stats_worker is not None:
            self._stats_worker.cancel()
        self._stats_worker = self._start(tasks.read_stats, self.flt, done=lambda s: self._show_stats(gen, s),
                                         failed=lambda msg: self._read_failed(gen, msg))

    def _read_failed(self, gen: int, msg: str) -> None:
        if gen != self._gen:
            return
        self.status.setText(f"Cannot read the review queue of {self.connections.label}: {msg}")
        self.say("Check the connection (File ▸ Connection…) and press Refresh.")

    def _show_page(self, gen: int, page: Any) -> None:
        if gen != self._gen:
            return
        self.next_token = page.next
        table = ReviewTable(page.rows)
        table.edit_requested.connect(self._edit_requested)
        self.table = table
        self.model.set_session(table)
        self._mark_rows()
        self.model.read_only = not any(r.get("status", "open") == "open" for r in table.rows)
        self.view.autosize_columns()
        self.detail.clear()
        if table.rows:
            self.view.go_to(0, 0)
        self._show_status()
        self._update_buttons()

    def _mark_rows(self) -> None:
        t = self.table
        if t is None:
            return
        marks = np.zeros(len(t), dtype=np.int8)
        for i, r in enumerate(t.rows):
            if r.get("status") == "discarded":
                marks[i] = MARK_ERROR
            elif not r.get("errors"):
                marks[i] = MARK_OK
        self.model.set_row_marks(marks, {MARK_OK: "no errors now: resubmit commits it (or it is resolved)",
                                         MARK_ERROR: "discarded"})

    def _show_stats(self, gen: int, stats: tasks.QueueStats) -> None:
        if gen != self._gen:
            return
        self.stats = stats
        self.counts.setRowCount(len(stats.counts))
        for r, c in enumerate(stats.counts):
            for col, v in enumerate((c["vendor"], c["code"], f"{c['rows']:,}")):
                item = QTableWidgetItem("" if v is None else str(v))
                if col == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.counts.setItem(r, col, item)
        vendors = sorted({str(c["vendor"]) for c in stats.counts if c["vendor"] is not None})
        codes = sorted({str(c["code"]) for c in stats.counts if c["code"] is not None})
        self.filters.set_choices(vendors, codes)
        self._show_status()

    def _show_status(self) -> None:
        t = self.table
        shown = len(t) if t is not None else 0
        total = self.stats.total if self.stats is not None else None
        first = self.page_no * PAGE_ROWS + 1
        if shown == 0:
            self.pager.setText("")
            what = "open " if self.flt.status == "open" else ""
            self.status.setText(f"No {what}rejected rows match in {self.connections.label}."
                                if self.page_no == 0 else "No more rows.")
            return
        of = f" of {total:,}" if total is not None else " (counting…)"
        self.pager.setText(f"Rows {first:,}–{first + shown - 1:,}{of}")
        if total is None:
            self.status.setText(f"Counting the rows in {self.connections.label}…")
            return
        gone = sum(1 for r in t.rows if not self._still_shown(r)) if t is not None else 0
        self.status.setText(
            f"{total:,} row(s) match in {self.connections.label}; oldest first."
            + (f" {gone:,} row(s) here no longer match (fixed or acted on): they stay until Refresh." if gone else "")
        )

    def _still_shown(self, row: dict[str, Any]) -> bool:
        """Does a row of this page still meet the filter's problem, field and status (a fix can take a row
        out of a filter on its error code; it stays on the page until the next read)?"""
        f = self.flt
        errors = row.get("errors") or []
        if f.code is not None and not any(e.get("code") == f.code for e in errors):
            return False
        if f.field is not None and not any(e.get("field") == f.field for e in errors):
            return False
        return f.status == "all" or row.get("status", "open") == f.status

    def _count_clicked(self, row: int, _col: int) -> None:
        if self.stats is None or not 0 <= row < len(self.stats.counts):
            return
        c = self.stats.counts[row]
        self.filters.set_values(vendor=c["vendor"], code=c["code"], status=self.flt.status)

    # ------------------------------------------------------------------ the chosen row
    def selected_rows(self) -> list[int]:
        if self.table is None or not len(self.table):
            return []
        return [r for r in self.view.selected_frame_rows() if 0 <= r < len(self.table)]

    def _current_changed(self, frame_row: int) -> None:
        self._update_buttons()
        t = self.table
        if t is None or not 0 <= frame_row < len(t):
            self.detail.clear()
            return
        self.detail.show_row(t.rows[frame_row])
        row_id = t.rows[frame_row]["id"]
        if self._detail_worker is not None:
            self._detail_worker.cancel()  # its answer is for another row (dropped by _show_detail)
        self._detail_worker = self._start(tasks.show, row_id, done=lambda out: self._show_detail(row_id, out))

    def _show_detail(self, row_id: str, out: tasks.Outcome) -> None:
        row = self.detail.row
        if row is None or row.get("id") != row_id or not out.ok:
            return
        self.detail.show_history(out.value.get("history"))

    def _refresh_detail(self, row: int) -> None:
        cur = self.view.currentIndex()
        if self.table is not None and cur.isValid() and self.model.frame_row(cur.row()) == row:
            self._current_changed(row)

    # ------------------------------------------------------------------ fixes, undo, redo
    def _edit_requested(self, edit: CellEdit) -> None:
        self._edits.append(("edit", edit))
        self._next_edit()

    def _next_edit(self) -> None:
        if self._running(self._edit_worker) or not self._edits:
            self._update_buttons()
            return
        kind, item = self._edits.popleft()
        table = self.table
        if kind == "edit":
            edit: CellEdit = item
            version = edit.version
            if table is not None and 0 <= edit.row < len(table) and table.rows[edit.row]["id"] == edit.row_id:
                version = int(table.rows[edit.row].get("version") or 0)  # after this window's earlier fixes
            self._edit_worker = self._start(tasks.fix, edit.row_id, {edit.field: edit.new}, version,
                                            done=lambda out: self._edit_done(table, edit, out),
                                            failed=lambda msg: self._edit_failed(table, edit, msg))
        elif item.bulk_id is not None:
            bulk: UndoEntry = item
            if kind == "undo":
                self._edit_worker = self._start(tasks.undo_bulk, bulk.bulk_id,
                                                done=lambda out: self._bulk_undo_done(kind, bulk, out))
            else:
                self._edit_worker = self._start(tasks.apply_bulk, bulk.op, bulk.ids, None,
                                                done=lambda out: self._bulk_undo_done(kind, bulk, out))
        else:
            entry: UndoEntry = item
            changes = entry.undo if kind == "undo" else entry.redo
            self._edit_worker = self._start(tasks.fix, entry.row_id, changes, entry.version,
                                            done=lambda out: self._undo_done(kind, entry, out),
                                            failed=lambda msg: self._undo_done(kind, entry, tasks.Outcome(False, msg)))
        self._edit_worker.signals.finished.connect(self._next_edit)
        self._update_buttons()

    def _edit_done(self, table: ReviewTable | None, edit: CellEdit, out: tasks.Outcome) -> None:
        if table is None:
            return
        same = table is self.table
        if out.ok:
            table.saved(edit, out.value)
            self.undo_stack.append(UndoEntry(edit.label, edit.row_id, {edit.field: edit.old}, {edit.field: edit.new},
                                             int(out.value.get("version") or 0)))
            self._recount.start()
            self.redo_stack.clear()
            self.undo_changed.emit()
            errors = out.value.get("errors") or []
            self.say(f"Record {edit.record}: {edit.field} saved; "
                     + (f"{len(errors)} error(s) remain." if errors else "no errors now — Resubmit commits it."),
                     error=bool(errors))
        else:
            table.refused(edit, out.row)
            self.say(f"Record {edit.record}: {edit.field} not saved — {out.message}")
        if same:
            self._mark_rows()
            self._refresh_detail(edit.row)

    def _edit_failed(self, table: ReviewTable | None, edit: CellEdit, msg: str) -> None:
        if table is not None:
            table.refused(edit)
        self.say(f"Record {edit.record}: {edit.field} not saved — cannot reach {self.connections.label}: {msg}")

    def undo(self) -> None:
        if not self.undo_stack:
            return
        entry = self.undo_stack.pop()
        self._edits.append(("undo", entry))
        self.undo_changed.emit()
        self._next_edit()

    def redo(self) -> None:
        if not self.redo_stack:
            return
        entry = self.redo_stack.pop()
        self._edits.append(("redo", entry))
        self.undo_changed.emit()
        self._next_edit()

    def _undo_done(self, kind: str, entry: UndoEntry, out: tasks.Outcome) -> None:
        what = "Undo" if kind == "undo" else "Redo"
        if out.ok:
            entry.version = int(out.value.get("version") or 0)
            (self.redo_stack if kind == "undo" else self.undo_stack).append(entry)
            self.say(f"{what}: {entry.label} — done.", error=False)
            t = self.table
            row = t.row_of(entry.row_id) if t is not None else None
            if t is not None and row is not None:
                t.replace_row(row, out.value)
                self._recount.start()
                self._mark_rows()
                self._refresh_detail(row)
        else:
            self.say(f"{what} of “{entry.label}” not done — {out.message}")
            if out.conflict:
                self.refresh()
        self.undo_changed.emit()
        self._update_buttons()

    def _bulk_undo_done(self, kind: str, entry: UndoEntry, out: tasks.Outcome) -> None:
        what = "Undo" if kind == "undo" else "Redo"
        if out.ok:
            r = out.value
            if kind == "redo":
                entry.bulk_id, entry.ids = r.bulk_id, list(r.changed)
            (self.redo_stack if kind == "undo" else self.undo_stack).append(entry)
            text = f"{what}: {entry.label} — {len(r.changed):,} row(s) {'put back' if kind == 'undo' else 'changed'}."
            if r.conflicts:
                text += f" {len(r.conflicts):,} row(s) changed since (another supervisor) were left as they are."
            self.say(text, error=bool(r.conflicts))
        else:
            self.say(f"{what} of “{entry.label}” not done — {out.message}")
        self.undo_changed.emit()
        self._read_page()

    # ------------------------------------------------------------------ bulk fixes
    def bulk_fix(self) -> None:
        t = self.table
        if t is None or self._running(self._action_worker):
            return
        rows = self.selected_rows()
        cur = self.view.currentIndex()
        field = self.model.fields[cur.column()] if cur.isValid() else None
        values = [t.value(i, field) for i in (rows or range(len(t)))] if field else []
        dlg = BulkFixDialog(field, len(rows), self.stats.total if self.stats is not None else None, values, self)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        ids, expected, flt = t.ids(rows), t.versions(rows), self.flt

        def scope() -> tuple[list[str] | None, ReviewFilter | None, dict[str, int] | None]:
            return (None, flt, None) if dlg.whole_filter else (ids, None, expected)

        def preview() -> None:
            target_ids, target_flt, _exp = scope()
            self._start(tasks.plan_bulk, dlg.operation(), target_ids, target_flt,
                        done=lambda out: dlg.show_plan(out.value if out.ok else None, out.message))

        def apply() -> None:
            op = dlg.operation()
            target_ids, target_flt, exp = scope()
            label = f"Bulk fix of {op.field}"
            self.say(f"{label}…", error=False)
            self._action_worker = self._start(tasks.apply_bulk, op, target_ids, target_flt, exp,
                                              done=lambda out: self._bulk_done(label, op, out))
            self._update_buttons()

        dlg.preview_requested.connect(preview)
        dlg.accepted.connect(apply)
        self.dialog = dlg
        dlg.open()

    def _bulk_done(self, label: str, op: Any, out: tasks.Outcome) -> None:
        if not out.ok:
            self.say(f"{label}: {out.message}")
            return
        r = out.value
        if r.changed:
            self.undo_stack.append(UndoEntry(f"{label} ({len(r.changed):,} rows)", "", {}, {}, 0, r.bulk_id, op,
                                             list(r.changed)))
            self.redo_stack.clear()
            self.undo_changed.emit()
        text = (f"{label}: {len(r.changed):,} row(s) changed — {r.valid_now:,} valid now, {r.still_invalid:,} still "
                f"with errors; {r.unchanged:,} unchanged.")
        if r.conflicts:
            text += f" {len(r.conflicts):,} row(s) changed meanwhile or being resubmitted were left as they are."
        self.say(text, error=bool(r.conflicts))
        self._read_page()

    # ------------------------------------------------------------------ actions on rows
    def _act(self, action: str, ids: list[str], expected: dict[str, int] | None, verb: str, **kw: Any) -> None:
        if self._running(self._action_worker):
            return
        flt = self.flt
        doing = DOING.get(action, "Working on")
        self.say(f"{doing} {len(ids):,} row(s)…" if ids else f"{doing} the valid rows the filter shows…", error=False)
        self._action_worker = self._start(tasks.act, action, ids, expected, flt=flt,
                                          done=lambda out: self._acted(action, verb, out), **kw)
        self._update_buttons()

    def _acted(self, action: str, verb: str, out: tasks.Outcome) -> None:
        if not out.ok:
            self.say(f"{verb}: {out.message}")
        elif action == "resubmit":
            s = out.value
            text = (f"Resubmitted {s.resubmitted:,} row(s): {s.inserted:,} inserted, {s.updated:,} updated, "
                    f"{s.unchanged:,} unchanged, {s.superseded:,} superseded; {s.still_invalid:,} still invalid")
            if s.conflicts or s.not_committed:
                text += f"; {s.conflicts:,} changed meanwhile, {s.not_committed:,} not committed"
            self.say(text + ".", error=bool(s.conflicts or s.not_committed or (s.still_invalid and not s.resubmitted)))
        else:
            r = out.value
            text = f"{verb} {len(r.done):,} row(s)."
            if r.conflicts:
                text += (f" {len(r.conflicts):,} row(s) changed since they were read (another supervisor): "
                         "they were left as they are; the page is read again.")
            self.say(text, error=bool(r.conflicts))
        self._read_page()

    def resubmit(self) -> None:
        t = self.table
        if t is None:
            return
        rows = self.selected_rows()
        valid = [i for i in rows if not t.rows[i].get("errors") and t.rows[i].get("status", "open") == "open"]
        if rows and not valid:
            self.say("None of the selected rows is valid yet: fix their errors first.")
            return
        self._act("resubmit", t.ids(valid), None, "Resubmit")

    def discard(self) -> None:
        t, rows = self.table, self.selected_rows()
        if t is None or not rows:
            return
        dlg = DiscardDialog(len(rows), self)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        ids, expected = t.ids(rows), t.versions(rows)

        def go() -> None:
            reason, note = dlg.choice()
            self._act("discard", ids, expected, "Discarded", reason=reason, text=note)

        dlg.accepted.connect(go)
        self.dialog = dlg
        dlg.open()

    def reopen(self) -> None:
        t, rows = self.table, self.selected_rows()
        if t is None or not rows:
            return
        self._act("reopen", t.ids(rows), t.versions(rows), "Reopened")

    def assign(self) -> None:
        t, rows = self.table, self.selected_rows()
        if t is None or not rows:
            return
        current = {t.rows[i].get("assignee") for i in rows}
        dlg = AssignDialog(len(rows), current.pop() if len(current) == 1 else None, self)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        ids, expected = t.ids(rows), t.versions(rows)
        dlg.accepted.connect(lambda: self._act("assign", ids, expected, "Assigned", user=dlg.chosen()))
        self.dialog = dlg
        dlg.open()

    # ------------------------------------------------------------------ the vendor's report
    def export(self) -> None:
        if self._running(self._action_worker):
            return
        name = "_".join(x for x in (self.flt.vendor, self.flt.code) if x) or "review"
        path = ask_save_path(self, "Send report to vendor", f"{name}_rejected_rows.xlsx",
                             "Excel workbook (*.xlsx);;CSV (*.csv)")
        if not path:
            return
        out = Path(path)
        if out.suffix.lower() not in (".xlsx", ".csv"):
            out = out.with_suffix(".xlsx")
        flt = self.flt
        self.say(f"Writing the vendor's report to {out.name}…", error=False)
        self._action_worker = self._start(tasks.export, flt, out, done=lambda o: self._exported(out, o))
        self._update_buttons()

    def _exported(self, out: Path, o: tasks.Outcome) -> None:
        if not o.ok:
            self.say(f"The report was not written: {o.message}")
            return
        s = o.value
        self.say(f"{s['rows']:,} row(s) of {s['files']} file(s) written to {out} — every bad cell marked, "
                 "with what to do on the first sheet.", error=False)
