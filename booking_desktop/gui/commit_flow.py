"""From "Commit…" to the commit panel: connect (on a worker), ask for the vendor when the file has
none, then hand one open connection to the panel (a dock at the bottom of the Import page, not a
modal dialog) and close it when the panel is closed.

From Commit until the summary shows, the session is locked (:meth:`FileController.lock`: no edits,
no re-mapping, no other file): the commit reads the session's frames, and an edit meanwhile could
commit half of it.  When the commit ends, the grid marks the records it committed and rejected
(row-header colour, tooltip and a line in the record details).

The connection is made with :func:`booking_desktop.storage.connection.open_connection`, the same
entry point the CLI and the tests use: it pings, learns the server's traits, creates the indexes
and records the database user.  The built-in local database is started by the window's own
:class:`~booking_desktop.storage.localdb.LocalDatabase` (so quitting the app stops it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QDockWidget, QWidget

from booking_desktop.errors import Problem, ProblemError
from booking_desktop.gui.grid_model import MARK_ERROR, MARK_OK
from booking_desktop.gui.workers import GeneratorWorker
from booking_desktop.pipeline import PipelineResult
from booking_desktop.session import WorkSession
from booking_desktop.storage.connection import ConnectError, Connection, open_connection
from booking_desktop.storage.engine import StorageError
from booking_desktop.storage.localdb import LocalDatabase, LocalDbError

log = logging.getLogger(__name__)
LOCKED = "A commit is being prepared or runs: wait for it to end, or cancel it in the Commit panel."


@dataclass
class Prepared:
    """What the connect worker hands to the UI thread."""

    conn: Connection
    result: PipelineResult
    needs_vendor: bool = False
    known_vendors: list[str] = field(default_factory=list)


def known_vendors(conn: Connection) -> list[str]:
    """Vendors the database has imports of (the small ``imports`` collection, not a scan of bookings)."""
    names = conn.db.imports.distinct("vendor")
    return sorted({str(v) for v in names if v and v not in ("mixed", "unknown")}, key=str.lower)


def prepare_commit(target: Any, session: WorkSession, local: LocalDatabase) -> Prepared:
    """On a worker: start the local database if it is the target, connect, copy the rows to commit."""
    try:
        if target is None:
            target = local.target()
        conn = open_connection(target)
    except (ConnectError, LocalDbError, StorageError) as exc:
        raise ProblemError(Problem(code="storage", message=str(exc))) from None
    try:
        needs = session.needs_vendor
        return Prepared(conn, session.committable(), needs, known_vendors(conn) if needs else [])
    except BaseException:
        conn.close()
        raise


class CommitFlow(QObject):
    """One commit at a time, from the window's Commit action to the panel's end."""

    failed = Signal(str)  # a one-line message (cannot connect ...)
    busy = Signal(bool, str)
    vendor_chosen = Signal(str)  # the window applies it (a remap: one undo step), then commits again
    committed = Signal(object)  # the engine's CommitSummary

    def __init__(self, parent: QWidget, local: LocalDatabase, files: Any = None):
        super().__init__(parent)
        self._parent = parent
        self.local = local
        self.files = files  # the FileController: locks the session, hosts the panel on its page
        self.panel: Any = None
        self.dock: QDockWidget | None = None
        self.vendor_dialog: Any = None
        self._conn: Connection | None = None
        self._worker: GeneratorWorker | None = None
        self._session: WorkSession | None = None
        self._keep = np.zeros(0, dtype=np.int64)  # session rows the committed result holds, in its order

    @property
    def dialog(self) -> Any:
        """The commit panel (the name the window and the self-test have used since it was a dialog)."""
        return self.panel

    @property
    def running(self) -> bool:
        return (self._worker is not None and not self._worker.is_done) or self._conn is not None

    def start(self, target: Any, session: WorkSession, profile_name: str | None) -> None:
        panel = self.panel
        if panel is not None and panel.summary is not None and not panel.is_busy():
            panel.close()  # the last commit's summary makes way for the next commit
        if self.running:
            if self.dock is not None:
                self.dock.show()
                self.dock.raise_()
            return
        self._session = session
        self._keep = np.flatnonzero(~np.asarray(session.deleted, dtype=bool))
        self._lock(LOCKED)
        self.busy.emit(True, "Connecting to the database…")
        w = GeneratorWorker(prepare_commit, target, session, self.local, pass_cancel=False)
        w.signals.result.connect(lambda prepared: self._prepared(prepared, session, profile_name))
        w.signals.errored.connect(self._failed)
        self._worker = w
        w.start()

    def _lock(self, reason: str | None) -> None:
        if self.files is not None and (reason is not None or self.files.locked_by == LOCKED):
            self.files.lock(reason, self._release if reason is not None else None)

    def _release(self) -> bool:
        """Opening or closing a file while the panel shows a preview (nothing runs) closes the panel."""
        panel = self.panel
        if panel is None or panel.is_busy() or panel.stack.currentIndex() != 0:
            return False
        panel.close()
        return True

    def _failed(self, message: str) -> None:
        self._lock(None)
        self.busy.emit(False, "")
        self.failed.emit(message)

    def _prepared(self, prepared: Prepared, session: WorkSession, profile_name: str | None) -> None:
        self.busy.emit(False, "")
        if prepared.needs_vendor:
            prepared.conn.close()
            self._lock(None)
            self._ask_vendor(session, prepared.known_vendors)
            return
        from booking_desktop.gui.commit_panel import CommitPanel

        self._conn = prepared.conn
        panel = CommitPanel(prepared.result, prepared.conn.engine(), target=prepared.conn.label,
                            profile_name=profile_name)
        panel.committed.connect(self._committed)
        panel.finished.connect(self._panel_closed)
        self.panel = panel
        page = getattr(self.files, "page", None)
        if page is None:  # no Import page (a bare flow): the panel is its own window
            panel.setParent(self._parent, Qt.WindowType.Window)
            panel.show()
            return
        dock = QDockWidget("Commit", page)
        dock.setObjectName("commitDock")
        dock.setAccessibleName("Commit")
        feature = QDockWidget.DockWidgetFeature
        dock.setFeatures(feature.DockWidgetMovable | feature.DockWidgetFloatable)  # closed by its Close button
        dock.setWidget(panel)
        page.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        dock.show()
        dock.raise_()
        self.dock = dock

    def _committed(self, summary: Any) -> None:
        self._lock(None)
        panel = self.panel
        self._mark_rows(summary, getattr(panel, "outcome", None))
        self.committed.emit(summary)

    def _mark_rows(self, summary: Any, outcome: Any) -> None:
        """Committed and rejected records in the grid (those the commit did not reach stay unmarked)."""
        s = self._session
        if s is None or outcome is None or self.files is None or s is not self.files.session:
            return
        keep = self._keep
        marks = np.zeros(len(s), dtype=np.int8)
        marks[keep[: outcome.done]] = MARK_OK
        marks[keep[outcome.rejected]] = MARK_ERROR
        short = str(summary.import_id)[:8]
        texts = {
            MARK_OK: f"Committed by import {short}: this booking is in the database.",
            MARK_ERROR: f"Rejected by import {short}: in the review queue with its problems "
            "(or as a repeat of an earlier record).",
        }
        self.files.page.model.set_row_marks(marks, texts)

    def _ask_vendor(self, session: WorkSession, known: list[str]) -> None:
        from booking_desktop.gui.vendor_dialog import VendorDialog

        dlg = VendorDialog(session.source_path.name, known, self._parent)
        self.vendor_dialog = dlg

        def done(code: int) -> None:
            self.vendor_dialog = None
            if code == QDialog.DialogCode.Accepted:
                self.vendor_chosen.emit(dlg.vendor())

        dlg.finished.connect(done)
        dlg.open()

    def _panel_closed(self, _code: int) -> None:
        panel, self.panel = self.panel, None
        dock, self.dock = self.dock, None
        self._lock(None)
        if dock is not None and self.files is not None:
            self.files.page.removeDockWidget(dock)
            dock.hide()

        def release() -> None:
            self._close_connection()
            if dock is not None:
                dock.deleteLater()

        if panel is not None:
            panel.when_idle(release)
        else:
            release()

    def shutdown(self) -> None:
        """The window closes (it cannot while the session is locked): close the panel and, once no
        worker uses it, the connection."""
        if self.panel is not None:
            self.panel.close()

    def _close_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
