"""Which database the commits go to, held once for the whole window.

:class:`ConnectionManager` owns the chosen target (``None`` = the built-in local database), the
local database process this app may start, and the health checks: pages read ``target`` and listen
to ``changed``; the status bar's :class:`ConnectionStatusWidget` shows the health it reports.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

from booking_desktop.gui import recent_files, status_widgets
from booking_desktop.storage.localdb import LocalDatabase

SETTINGS_KEY = "connection/name"


class ConnectionManager(QObject):
    changed = Signal(str)  # the label of the new target
    health = Signal(str)  # a status_widgets.Health value
    problem = Signal(str)  # a readable message for the operator

    def __init__(self, parent: QObject | None = None, local_db: LocalDatabase | None = None, status: Any = None):
        super().__init__(parent)
        self.local_db = local_db if local_db is not None else LocalDatabase()
        self.target: Any = None  # storage.client.ConnectionTarget; None = the local database
        self.name: str | None = None
        self.status = status  # a ConnectionStatusWidget, or None
        self._stopped = False  # the window closed: no more health checks start
        if status is not None:
            status.health_changed.connect(self.health.emit)

    @property
    def label(self) -> str:
        if self.target is None:
            return status_widgets.LOCAL_LABEL
        return str(getattr(self.target, "label", "") or getattr(self.target, "uri", "database"))

    def set_target(self, name: str | None, target: Any) -> None:
        """Use ``target`` (named ``name`` in the connection store; both None = the local database)."""
        self.name, self.target = name, target
        recent_files.settings().setValue(SETTINGS_KEY, name or "")
        self._watch()
        self.changed.emit(self.label)

    def choose(self, parent: QWidget) -> bool:
        """The Connection… dialog; True when the operator chose a (possibly the same) target."""
        from booking_desktop.gui.connection_dialog import ConnectionDialog

        current = recent_files.settings().value(SETTINGS_KEY) or None
        dlg = ConnectionDialog(parent, current=str(current) if current else None, local=self.local_db)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        name = dlg.chosen()
        target = dlg.target() if name is not None else None
        if name is not None and target is None:
            return False  # the dialog told the operator why
        self.set_target(name, target)
        return True

    def restore(self, parent: QWidget) -> None:
        """Use the connection chosen in an earlier run again.  When it cannot be (removed, or its
        password prompt cancelled) the operator is told that commits go to the local database."""
        if self._stopped:  # the window closed before this ran
            return
        name = str(recent_files.settings().value(SETTINGS_KEY) or "")
        target = None
        if name:
            from booking_desktop.gui.connection_dialog import connection_target
            from booking_desktop.storage.connections import ConnectionProfileError, ConnectionStore

            problem = ""
            try:
                target = connection_target(ConnectionStore(), name, parent)
            except ConnectionProfileError as exc:
                problem = str(exc)
            if target is None:
                self.problem.emit(
                    f"The connection \u201c{name}\u201d chosen last time is not in use"
                    + (f": {problem}." if problem else " (no password was given).")
                    + " Commits go to the local database until you choose a connection (Connection\u2026 menu)."
                )
            self.set_target(name if target is not None else None, target)
        else:
            self._watch()  # the local database (or a target set before this ran)

    def stop(self) -> None:
        """The window is closing: no more health checks; stop the local database this app started."""
        self._stopped = True
        if self.status is not None:
            self.status.stop()
        self.local_db.stop_owned()

    def _watch(self) -> None:
        if self.status is None or self._stopped:
            return
        if self.target is None:
            self.status.set_connection(None, status_widgets.local_database_ping(self.local_db))
        else:
            self.status.set_connection(self.label, status_widgets.target_ping(self.target))
