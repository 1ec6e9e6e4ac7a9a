"""Choose, add, test and remove database connections.

The dialog is a face on ``storage.connections.ConnectionStore``: profiles live
in the store's config file, passwords in the OS keyring through the store, and
the password typed here is handed to the store once and never displayed or
read back.  When the keyring is not a real secret store the dialog says so at
the top and makes the operator pick, explicitly, between "ask me each time"
and "store it there anyway" — the same choice the CLI offers with flags.

Testing a connection (round trip, server version, transactions) runs on the
thread pool, so an unreachable server never freezes the window.  The add form is
:mod:`~booking_desktop.gui.connection_dialog_form`; the keyring note, the password
prompt and the test itself are :mod:`~booking_desktop.gui.connection_dialog_checks`.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.gui import theme
from booking_desktop.gui.connection_dialog_checks import (
    color_text,
    connection_target,
    html_text,
    keyring_warning,
    probe_local,
    probe_target,
    short_message,
    tint,
)
from booking_desktop.gui.connection_dialog_form import AddConnectionDialog
from booking_desktop.gui.workers import GeneratorWorker
from booking_desktop.storage.client import ConnectionTarget
from booking_desktop.storage.connections import ConnectionProfileError, ConnectionStore, keyring_status
from booking_desktop.storage.localdb import LABEL as LOCAL_LABEL

log = logging.getLogger(__name__)
_ROLE_NAME = Qt.ItemDataRole.UserRole


class ConnectionDialog(QDialog):
    """The list of connections, with the local database first.

    ``connection_chosen(name)`` carries the chosen profile name, or None for the
    local database, when the operator presses "Use this connection".
    """

    connection_chosen = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        store: ConnectionStore | None = None,
        current: str | None = None,
        local: Any = None,
    ):
        super().__init__(parent)
        self.setObjectName("ConnectionDialog")
        self.setWindowTitle("Database connections")
        self._store = store or ConnectionStore()
        self._local = local
        self._worker: GeneratorWorker | None = None
        self.last_facts: Any = None
        self._chosen: str | None = current

        lay = QVBoxLayout(self)
        self.keyring_label = QLabel(self)
        self.keyring_label.setObjectName("keyring_warning")
        self.keyring_label.setWordWrap(True)
        lay.addWidget(self.keyring_label)

        body = QHBoxLayout()
        left = QVBoxLayout()
        self.list = QListWidget(self)
        self.list.setObjectName("connection_list")
        self.list.setAccessibleName("Connections")
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add…", self)
        self.add_button.setObjectName("add_connection")
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName("remove_connection")
        self.test_button = QPushButton("Test", self)
        self.test_button.setObjectName("test_connection")
        for b in (self.add_button, self.remove_button, self.test_button):
            row.addWidget(b)
        left.addLayout(row)
        body.addLayout(left, 2)

        right = QVBoxLayout()
        self.details = QLabel(self)
        self.details.setObjectName("connection_details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        right.addWidget(self.details, 1)
        self.test_result = QLabel(self)
        self.test_result.setObjectName("test_result")
        self.test_result.setWordWrap(True)
        right.addWidget(self.test_result)
        body.addLayout(right, 3)
        lay.addLayout(body, 1)

        self.buttons = QDialogButtonBox(self)
        self.use_button = self.buttons.addButton("Use this connection", QDialogButtonBox.ButtonRole.AcceptRole)
        self.use_button.setObjectName("use_connection")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.use_button.clicked.connect(self.choose_selected)
        lay.addWidget(self.buttons)

        self.add_button.clicked.connect(self.add_connection)
        self.remove_button.clicked.connect(self.remove_selected)
        self.test_button.clicked.connect(self.test_selected)
        self.list.currentItemChanged.connect(lambda *_: self._show_details())
        self.list.itemDoubleClicked.connect(lambda *_: self.choose_selected())

        self.resize(720, 420)
        self._show_keyring()
        self.refresh(select=current)

    # -- list -----------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        self.list.clear()
        local = QListWidgetItem(LOCAL_LABEL)
        local.setData(_ROLE_NAME, None)
        self.list.addItem(local)
        try:
            profiles = self._store.list()
        except ConnectionProfileError as exc:
            profiles = []
            self._error("The saved connections cannot be read", str(exc), "Fix or delete the file named above.")
        for p in profiles:
            item = QListWidgetItem(p.name)
            item.setToolTip(p.masked_uri + (f"\nuser {p.username}" if p.username else ""))
            item.setData(_ROLE_NAME, p.name)
            self.list.addItem(item)
        row = 0
        for i in range(self.list.count()):
            if self.list.item(i).data(_ROLE_NAME) == select:
                row = i
        self.list.setCurrentRow(row)
        self._show_details()

    def selected_name(self) -> str | None:
        item = self.list.currentItem()
        return item.data(_ROLE_NAME) if item is not None else None

    def select(self, name: str | None) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(_ROLE_NAME) == name:
                self.list.setCurrentRow(i)
                return

    def chosen(self) -> str | None:
        return self._chosen

    def target(self) -> ConnectionTarget | None:
        """The chosen connection's target (asking for a password that is not stored); None = local database."""
        if self._chosen is None:
            return None
        try:
            return connection_target(self._store, self._chosen, self)
        except ConnectionProfileError as exc:
            self._error("The connection cannot be used", str(exc), "Choose another connection or add it again.")
            return None

    def _show_keyring(self) -> None:
        text = keyring_warning(keyring_status())
        self.keyring_label.setText(text)
        self.keyring_label.setVisible(bool(text))
        if text:
            tint(self.keyring_label, theme.warning_color(self.palette()))

    def _show_details(self) -> None:
        name = self.selected_name()
        self.test_result.clear()
        self.remove_button.setEnabled(name is not None)
        if name is None:
            self.details.setText(
                f"<b>{LOCAL_LABEL}</b><br>A database on this computer, started by the app when needed. "
                "Nothing leaves this machine; other people cannot see these bookings."
            )
            return
        try:
            p = self._store.get(name)
        except ConnectionProfileError as exc:
            self.details.setText(str(exc))
            return
        if not p.save_password:
            pw = "asked each time you connect"
        elif self._store.password(name) is not None:  # presence only; the value is never displayed
            pw = "kept in the system keyring (never shown)"
        elif p.username:
            pw = "not stored: asked when connecting"
        else:
            pw = "none"
        tls = {None: "as the URI says", True: "on", False: "off"}[p.tls]
        rows = [
            ("Server", p.masked_uri),
            ("Database", p.db_name),
            ("User", p.username or "—"),
            ("Password", pw),
            ("Authentication database", p.auth_source or "default"),
            ("TLS", tls),
            ("CA file", p.ca_file or "—"),
        ]
        body = "".join(f"<tr><td>{k}:&nbsp;</td><td>{html_text(v)}</td></tr>" for k, v in rows)
        self.details.setText(f"<b>{html_text(p.name)}</b><table>{body}</table>")

    # -- actions ----------------------------------------------------------------
    def add_connection(self) -> str | None:
        dlg = AddConnectionDialog(self, self._store, keyring_status())
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        self.refresh(select=dlg.saved_name)
        return dlg.saved_name

    def remove_selected(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        answer = QMessageBox.question(
            self,
            "Remove connection",
            f"Remove the connection “{name}” and its stored password?\nThe database itself is not touched.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._store.remove(name)
        except (ConnectionProfileError, OSError) as exc:
            self._error("The connection could not be removed", str(exc), "Check that the settings folder is writable.")
        if self._chosen == name:
            self._chosen = None
        self.refresh()

    def test_selected(self) -> None:
        if self._worker is not None and not self._worker.is_done:
            return
        name = self.selected_name()
        self.test_result.setText("Testing…")
        self.test_button.setEnabled(False)
        if name is None:
            from booking_desktop.storage.localdb import LocalDatabase

            self._local = self._local or LocalDatabase()
            worker = GeneratorWorker(probe_local, self._local, pass_cancel=False)
        else:
            try:
                target = connection_target(self._store, name, self)
            except ConnectionProfileError as exc:
                self._test_failed(str(exc))
                return
            if target is None:
                self.test_result.setText("Test cancelled.")
                self.test_button.setEnabled(True)
                return
            worker = GeneratorWorker(probe_target, target, pass_cancel=False)
        worker.signals.result.connect(self._test_ok)
        worker.signals.errored.connect(self._test_failed)
        worker.signals.finished.connect(lambda: self.test_button.setEnabled(True))
        self._worker = worker
        worker.start()

    def _test_ok(self, facts: Any) -> None:
        self.last_facts = facts
        tx = "supported" if facts.transactions else f"not supported ({facts.topology})"
        product = {"secantus": "SecantusDB", "nx-27017": "nx-27017"}.get(getattr(facts, "kind", ""), "MongoDB")
        own = f" {facts.server_version}" if getattr(facts, "server_version", None) else ""
        self.test_result.setText(
            f"✔ Connected — round trip {facts.round_trip_ms:.0f} ms, {product}{own} "
            f"(server version {facts.version or 'unknown'}), transactions {tx}."
        )
        color_text(self.test_result, theme.ok_text_color(self.palette()))

    def _test_failed(self, message: str) -> None:
        self.last_facts = None
        self.test_result.setText(
            f"✘ The server did not answer: {short_message(message)}\n"
            "Check the address, that the server is running and reachable from this computer, and the password."
        )
        color_text(self.test_result, theme.error_text_color(self.palette()))
        self.test_button.setEnabled(True)

    def choose_selected(self) -> None:
        self._chosen = self.selected_name()
        self.connection_chosen.emit(self._chosen)
        self.accept()

    def _error(self, title: str, message: str, what_next: str) -> None:
        log.warning("%s: %s", title, message)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setInformativeText(what_next)
        box.exec()


__all__ = [
    "AddConnectionDialog",
    "ConnectionDialog",
    "connection_target",
    "keyring_warning",
    "probe_target",
]
