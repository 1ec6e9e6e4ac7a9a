"""The top of the mapping panel: the saved profiles to choose from (when detection found none or the
wrong one), how the file's header differs from the profile (drift), and its name and vendor code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QFormLayout, QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

from booking_desktop.gui import theme

PICK_PROMPT = "Choose a saved profile…"


class ProfileBox(QWidget):
    name_edited = Signal(str)
    vendor_edited = Signal(str)
    profile_chosen = Signal(object)  # a MappingProfile the operator picked from the saved ones

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.drift_label = QLabel(self)
        self.drift_label.setObjectName("drift_label")
        self.drift_label.setWordWrap(True)
        self.drift_label.setVisible(False)
        self.drift_label.setFrameShape(QFrame.Shape.StyledPanel)
        lay.addWidget(self.drift_label)
        form = QFormLayout()
        self.picker = QComboBox(self)
        self.picker.setObjectName("profile_picker")
        self.picker.setAccessibleName("Saved profile")
        self.picker.setToolTip("Map the file with one of the saved vendor profiles (one undo step)")
        self.picker.activated.connect(self._picked)
        form.addRow("Saved profile", self.picker)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("profile_name")
        self.name_edit.setAccessibleName("Profile name")
        self.vendor_edit = QLineEdit(self)
        self.vendor_edit.setObjectName("profile_vendor")
        self.vendor_edit.setAccessibleName("Vendor code")
        self.vendor_edit.setPlaceholderText("vendor code written into every row, e.g. INNTOWN")
        form.addRow("Profile", self.name_edit)
        form.addRow("Vendor", self.vendor_edit)
        lay.addLayout(form)
        self.name_edit.textEdited.connect(self.name_edited.emit)
        self.vendor_edit.textEdited.connect(self.vendor_edited.emit)

    def show_profiles(self, profiles: Sequence[Any], current: str | None, broken: Sequence[str] = ()) -> None:
        """List ``profiles`` (MappingProfile, by name) with ``current`` selected; ``broken``: the
        profile files that could not be read, said in the tooltip (one never hides the others)."""
        self.picker.blockSignals(True)
        self.picker.clear()
        self.picker.addItem(PICK_PROMPT, None)
        selected = 0
        for p in profiles:
            self.picker.addItem(f"{p.name} — {p.vendor}" if p.vendor else str(p.name), p)
            tip = "\n".join(str(x) for x in (getattr(p, "description", None), getattr(p, "source", None)) if x)
            self.picker.setItemData(self.picker.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
            if p.name == current:
                selected = self.picker.count() - 1
        self.picker.setCurrentIndex(selected)
        tip = "Map the file with one of the saved vendor profiles (one undo step)"
        if broken:
            tip += "\n\nNot listed (cannot be read):\n" + "\n".join(broken)
        self.picker.setToolTip(tip)
        self.picker.blockSignals(False)

    def _picked(self, index: int) -> None:
        profile = self.picker.itemData(index)
        if profile is not None:
            self.profile_chosen.emit(profile)

    def show_names(self, name: str, vendor: str) -> None:
        self.name_edit.setText(name)
        self.vendor_edit.setText(vendor)

    def show_drift(self, text: str) -> None:
        """``text``: what differs ('' hides the note)."""
        self.drift_label.setText(text)
        self.drift_label.setVisible(bool(text))
        if text:
            self.drift_label.setAutoFillBackground(True)
            pal = self.drift_label.palette()
            pal.setColor(QPalette.ColorRole.Window, theme.warning_color(self.palette()))
            self.drift_label.setPalette(pal)
