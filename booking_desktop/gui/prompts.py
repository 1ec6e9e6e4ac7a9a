"""The questions the Import page asks: restore edits left by a crash, keep edits for later."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QMessageBox, QWidget

from booking_desktop.session import PendingJournal


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
