"""The top of the mapping panel: how the file's header differs from the profile (drift), and the
profile's name and vendor code."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

from booking_desktop.gui import theme


class ProfileBox(QWidget):
    name_edited = Signal(str)
    vendor_edited = Signal(str)

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
