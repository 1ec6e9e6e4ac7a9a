"""What the connection dialogs check and ask, apart from their forms: where passwords would go
(the keyring's state), the password prompt for a stored connection, and the connection test that
runs on a worker thread (round trip, server version, transactions).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QWidget

from booking_desktop.storage.client import ConnectionTarget, open_client, server_facts
from booking_desktop.storage.connections import ConnectionStore, KeyringStatus

TEST_TIMEOUT_MS = 5_000


def keyring_warning(status: KeyringStatus) -> str:
    """What the operator must know about where passwords would go ('' when the keyring is fine)."""
    if not status.usable:
        return (
            f"No secure password store is available on this computer: {status.reason}. "
            "Passwords cannot be remembered: you will be asked for the password each time you connect."
        )
    if not status.secure:
        return (
            f"The password store on this computer is not secure: {status.reason}. "
            "When adding a connection, choose whether to be asked for the password each time (recommended) "
            "or to store it there anyway."
        )
    return ""


def connection_target(
    store: ConnectionStore, name: str | None, parent: QWidget | None = None, local: Any = None
) -> ConnectionTarget | None:
    """The target for ``name`` (None = the local database), asking for a password that is not stored.

    Runs on the UI thread (it may prompt); returns None when the operator cancels the prompt.
    Starting the local database is left to the caller's worker (``local`` is a ``LocalDatabase``).
    """
    if name is None:
        if local is None:
            from booking_desktop.storage.localdb import LocalDatabase

            local = LocalDatabase()
        return local.target()
    cancelled = False

    def prompt(text: str) -> str:
        nonlocal cancelled
        pw, ok = QInputDialog.getText(parent, "Password", text, QLineEdit.EchoMode.Password)
        cancelled = not ok
        return pw

    target = store.target(name, prompt=prompt)
    return None if cancelled else target


def probe_target(target: ConnectionTarget) -> Any:
    """Round trip, version and transactions of ``target`` (worker thread); closes its client."""
    client = open_client(target, serverSelectionTimeoutMS=TEST_TIMEOUT_MS, connectTimeoutMS=TEST_TIMEOUT_MS)
    try:
        return server_facts(client)
    finally:
        client.close()


def probe_local(local: Any) -> Any:
    """Start (or find) the local database, then test it (worker thread)."""
    local.start()
    return probe_target(local.target())


def short_message(message: str, limit: int = 300) -> str:
    first = message.strip().splitlines()[0] if message.strip() else message
    return first if len(first) <= limit else first[: limit - 1] + "…"


def html_text(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def tint(label: QLabel, color: Any) -> None:
    label.setAutoFillBackground(True)
    label.setMargin(6)
    pal = label.palette()
    pal.setColor(QPalette.ColorRole.Window, color)
    label.setPalette(pal)


def color_text(label: QLabel, color: Any) -> None:
    pal = label.palette()
    pal.setColor(QPalette.ColorRole.WindowText, color)
    label.setPalette(pal)
