"""The questions the pages ask: restore edits left by a crash, keep edits for later (the Import page), where
to save an export (the Analytics and Review pages)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from booking_desktop.gui import recent_files
from booking_desktop.session import PendingJournal


def ask_save_path(parent: QWidget, caption: str, suggested: str, filters: str, start_key: str | None = None) -> str:
    """The file dialog of an export ("" when cancelled): in the folder kept under ``start_key`` in the
    settings (else the home folder), or, without a key, where ``suggested`` says.  Tests patch the name
    at its call site, the one place the dialog opens from."""
    start = suggested
    if start_key is not None:
        start = str(Path(str(recent_files.settings().value(start_key) or Path.home())) / suggested)
    path, _ = QFileDialog.getSaveFileName(parent, caption, start, filters)
    return str(path or "")


def local_time(created: str) -> str:
    """A journal's ISO timestamp (UTC) as the operator's local time, e.g. ``Tue 1 Dec 2026, 14:05``."""
    try:
        dt = datetime.fromisoformat(str(created))
    except ValueError:
        return str(created)
    if dt.tzinfo is not None:
        dt = dt.astimezone()
    return f"{dt:%a} {dt.day} {dt:%b %Y, %H:%M}"


def restore_text(pj: PendingJournal) -> str:
    when = local_time(pj.created)
    if pj.kept:
        return (
            f"You kept {pj.commands} uncommitted change(s) to {pj.source.name} for later ({when}).\n\n"
            "They can be restored exactly."
        )
    return (
        f"Booking Desktop did not close cleanly while you were editing {pj.source.name} ({when}).\n\n"
        f"{pj.commands} unsaved change(s) can be restored exactly."
    )


def ask_restore(parent: QWidget, pj: PendingJournal) -> bool:
    box = QMessageBox(parent)
    box.setObjectName("restoreBox")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Restore kept edits?" if pj.kept else "Restore unsaved edits?")
    box.setText(restore_text(pj))
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    restore.setObjectName("restoreButton")
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    discard.setObjectName("discardButton")
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore


def ask_keep_edits(parent: QWidget, file_name: str) -> str:
    """'keep' (journal stays for next time), 'discard' or 'cancel'."""
    box = QMessageBox(parent)
    box.setObjectName("unsavedBox")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Unsaved edits")
    box.setText(
        f"You have edits to {file_name} that were not committed.\n\nKeep them to restore next time, or discard them?"
    )
    keep = box.addButton("Keep for later", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    return "keep" if clicked is keep else "discard" if clicked is discard else "cancel"
