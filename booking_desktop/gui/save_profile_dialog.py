"""Asks for the name of a profile to save and shows the file it will write."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from booking_desktop.gui import mapping_adapter as adapter


class SaveProfileDialog(QDialog):
    """Asks for the profile name; shows the file that will be written."""

    def __init__(self, parent: QWidget, name: str, folder: Path):
        super().__init__(parent)
        self.setWindowTitle("Save mapping as profile")
        self.setObjectName("SaveProfileDialog")
        self._folder = folder
        form = QFormLayout(self)
        self.name_edit = QLineEdit(name, self)
        self.name_edit.setObjectName("save_name")
        self.name_edit.setAccessibleName("Profile name")
        self.path_label = QLabel(self)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Profile name", self.name_edit)
        form.addRow("File", self.path_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.name_edit.textChanged.connect(self._update)
        self._update()

    def name(self) -> str:
        return self.name_edit.text().strip()

    def _update(self) -> None:
        n = self.name()
        target = self._folder / f"{adapter.file_stem(n)}.yaml" if n else None
        self.path_label.setText(str(target) if target else "—")
        if target is not None and target.exists():
            self.path_label.setText(f"{target}  (exists: will be updated)")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(bool(n))
