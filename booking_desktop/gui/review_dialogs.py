"""The Review page's small dialogs: why rows are discarded (a short list and free text) and whom they
are assigned to.  Opened window-modal with ``open()`` (never a blocking ``exec``); the page acts on
``accepted``."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.storage.review import DISCARD_REASONS


class DiscardDialog(QDialog):
    def __init__(self, rows: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("discardDialog")
        self.setWindowTitle("Discard rows")
        self.reason = QComboBox()
        self.reason.setObjectName("discardReason")
        for code, label in DISCARD_REASONS.items():
            self.reason.addItem(label[:1].upper() + label[1:], code)
        self.text = QPlainTextEdit()
        self.text.setObjectName("discardText")
        self.text.setPlaceholderText("What happened (required for “other”; kept with the row and in the audit log)")
        self.text.setFixedHeight(70)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(f"Discard {rows:,} row(s)")
        self.ok.setObjectName("discardOk")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Reason", self.reason)
        form.addRow("Note", self.text)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"Discarded rows stay in the queue (status “discarded”) and can be reopened; "
                             f"{rows:,} row(s) selected."))
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.reason.currentIndexChanged.connect(lambda _i: self._check())
        self.text.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        self.ok.setEnabled(self.reason.currentData() != "other" or bool(self.note()))

    def note(self) -> str | None:
        return self.text.toPlainText().strip() or None

    def choice(self) -> tuple[str, str | None]:
        return str(self.reason.currentData()), self.note()


class AssignDialog(QDialog):
    def __init__(self, rows: int, current: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("assignDialog")
        self.setWindowTitle("Assign rows")
        self.user = QLineEdit(current or "")
        self.user.setObjectName("assignUser")
        self.user.setPlaceholderText("user name (empty: nobody)")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(f"Assign {rows:,} row(s)")
        ok.setObjectName("assignOk")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Assign to", self.user)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)

    def chosen(self) -> str | None:
        return self.user.text().strip() or None
