"""The questions the mapping panel asks when saving a profile: its name (the file it writes), and
whether to replace a profile file that already exists; and the message when saving fails."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from booking_desktop.gui import mapping_adapter as adapter
from booking_desktop.gui.save_profile_dialog import SaveProfileDialog

log = logging.getLogger(__name__)


def ask_save_target(parent: QWidget, name: str, folder: Path, saved_path: Path | None) -> tuple[str, Path] | None:
    """The name and file to save to, or None when the operator cancelled."""
    dlg = SaveProfileDialog(parent, name, folder)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    name = dlg.name()
    target = folder / f"{adapter.file_stem(name)}.yaml"
    if target.exists() and target != saved_path:
        answer = QMessageBox.question(
            parent,
            "Update profile?",
            f"A profile file already exists:\n{target}\n\nReplace it with this mapping?",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
    return name, target


def show_problem(parent: QWidget, title: str, exc: BaseException, what_next: str) -> None:
    details = getattr(exc, "problems", None)
    text = str(exc)
    if details and len(details) > 1:
        text = "\n".join(f"• {p}" for p in details)
    log.warning("%s: %s", title, exc)
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText(what_next)
    box.exec()
