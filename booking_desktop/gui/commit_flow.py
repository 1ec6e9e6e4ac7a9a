"""From "Commit…" to the commit dialog: connect (on a worker), ask for the vendor when the file has
none, then hand one open connection to the dialog and close it when the dialog is done.

The connection is made with :func:`booking_desktop.storage.connection.open_connection`, the same
entry point the CLI and the tests use: it pings, learns the server's traits, creates the indexes
and records the database user.  The built-in local database is started by the window's own
:class:`~booking_desktop.storage.localdb.LocalDatabase` (so quitting the app stops it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

from booking_desktop.errors import Problem, ProblemError
from booking_desktop.gui.workers import GeneratorWorker
from booking_desktop.pipeline import PipelineResult
from booking_desktop.session import WorkSession
from booking_desktop.storage.connection import ConnectError, Connection, open_connection
from booking_desktop.storage.engine import StorageError
from booking_desktop.storage.localdb import LocalDatabase, LocalDbError

log = logging.getLogger(__name__)


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
    """One commit at a time, from the window's Commit action to the dialog's end."""

    failed = Signal(str)  # a one-line message (cannot connect ...)
    busy = Signal(bool, str)
    vendor_chosen = Signal(str)  # the window applies it (a remap: one undo step), then commits again
    committed = Signal(object)  # the engine's CommitSummary

    def __init__(self, parent: QWidget, local: LocalDatabase):
        super().__init__(parent)
        self._parent = parent
        self.local = local
        self.dialog: Any = None
        self.vendor_dialog: Any = None
        self._conn: Connection | None = None
        self._worker: GeneratorWorker | None = None

    @property
    def running(self) -> bool:
        return (self._worker is not None and not self._worker.is_done) or self._conn is not None

    def start(self, target: Any, session: WorkSession, profile_name: str | None) -> None:
        if self.running:
            return
        self.busy.emit(True, "Connecting to the database…")
        w = GeneratorWorker(prepare_commit, target, session, self.local, pass_cancel=False)
        w.signals.result.connect(lambda prepared: self._prepared(prepared, session, profile_name))
        w.signals.errored.connect(self._failed)
        self._worker = w
        w.start()

    def _failed(self, message: str) -> None:
        self.busy.emit(False, "")
        self.failed.emit(message)

    def _prepared(self, prepared: Prepared, session: WorkSession, profile_name: str | None) -> None:
        self.busy.emit(False, "")
        if prepared.needs_vendor:
            prepared.conn.close()
            self._ask_vendor(session, prepared.known_vendors)
            return
        from booking_desktop.gui.commit_dialog import CommitDialog

        self._conn = prepared.conn
        dlg = CommitDialog(
            prepared.result,
            prepared.conn.engine(),
            target=prepared.conn.label,
            parent=self._parent,
            profile_name=profile_name,
        )
        dlg.committed.connect(self.committed)
        dlg.finished.connect(self._dialog_closed)
        self.dialog = dlg
        dlg.open()

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

    def _dialog_closed(self, _code: int) -> None:
        dlg, self.dialog = self.dialog, None
        if dlg is not None:
            dlg.when_idle(self._close_connection)
        else:
            self._close_connection()

    def _close_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
