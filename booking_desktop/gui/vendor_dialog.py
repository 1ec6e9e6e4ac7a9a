"""Asks which vendor a file's bookings belong to, before the first commit of a file without one.

A booking is identified by its vendor and reference, so the vendor is never guessed from the file
name: the operator names it (the database's known vendors are offered, any new code may be typed).
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

VENDOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\- ]{0,63}$")


class VendorDialog(QDialog):
    def __init__(self, file_name: str, known: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Which vendor sent this file?")
        self.setObjectName("VendorDialog")
        lay = QVBoxLayout(self)
        text = QLabel(
            f"No vendor profile matched <b>{file_name}</b>, so its bookings have no vendor yet.<br>"
            "A booking is identified by its vendor and its reference: the same reference from two "
            "vendors is two bookings, and the same vendor's file sent twice must not become two vendors.",
            self,
        )
        text.setWordWrap(True)
        lay.addWidget(text)
        self.combo = QComboBox(self)
        self.combo.setObjectName("vendor_code")
        self.combo.setAccessibleName("Vendor code")
        self.combo.setEditable(True)
        self.combo.addItems(known)
        self.combo.setCurrentIndex(-1)
        self.combo.setEditText("")
        line = self.combo.lineEdit()
        if line is not None:
            line.setPlaceholderText("vendor code, e.g. ACME" + (" (or pick a known one)" if known else ""))
            line.textChanged.connect(self._check)
        lay.addWidget(self.combo)
        self.hint = QLabel(self)
        self.hint.setObjectName("vendor_hint")
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._check("")

    def vendor(self) -> str:
        return self.combo.currentText().strip()

    def _check(self, _text: str) -> None:
        code = self.vendor()
        ok = bool(VENDOR_RE.match(code))
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok_button is not None:
            ok_button.setEnabled(ok)
        if not code:
            self.hint.setText("Type the vendor's code to continue.")
        elif not ok:
            self.hint.setText("Letters, digits, space, '_', '.', '-' (at most 64), starting with a letter or digit.")
        elif self.combo.findText(code) >= 0:
            self.hint.setText("A vendor already in the database.")
        else:
            self.hint.setText("A new vendor: its first file.")
