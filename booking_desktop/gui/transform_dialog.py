"""The YAML editor for one field's transform, checked live by the mapping package."""

from __future__ import annotations

from typing import Any

import yaml
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from booking_desktop.gui import mapping_adapter as adapter


class TransformDialog(QDialog):
    """Edit one field's spec as YAML (the profile file's own syntax), checked live by the mapping package."""

    HELP = (
        "One source key: column, concat, date_parts, sum, product, constant, hash.\n"
        "Modifiers: map, date_format / date_order, datetime_format, number_locale, default, case, split.\n"
        "Examples:\n"
        "  {concat: [first_name, last_name], sep: ' '}\n"
        "  {date_parts: {year: arrival_year, month: arrival_month, day: arrival_date}}\n"
        "  {product: [avg_price_per_room, '@nights']}"
    )

    def __init__(self, parent: QWidget, field: str, spec: dict[str, Any] | None, check: Any):
        super().__init__(parent)
        self.setWindowTitle(f"Transform for {field}")
        self.setObjectName("TransformDialog")
        self._field = field
        self._check = check
        self._spec: dict[str, Any] | None = spec
        lay = QVBoxLayout(self)
        help_label = QLabel(self.HELP, self)
        help_label.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(help_label)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("transform_editor")
        self.editor.setAccessibleName(f"Transform of {field} (YAML)")
        self.editor.setPlainText(adapter.spec_to_yaml(spec) if spec else "")
        lay.addWidget(self.editor)
        self.error = QLabel(self)
        self.error.setObjectName("transform_error")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.editor.textChanged.connect(self._validate)
        self._validate()

    def spec(self) -> dict[str, Any] | None:
        return self._spec

    def _validate(self) -> None:
        text = self.editor.toPlainText().strip()
        msg = ""
        spec: dict[str, Any] | None = None
        if text:
            try:
                spec = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f" (line {mark.line + 1})" if mark is not None else ""
                msg = f"Not valid YAML{where}: {getattr(exc, 'problem', exc)}"
            else:
                if not isinstance(spec, dict):
                    msg = "Write a mapping such as {column: Booking_ID}"
                    spec = None
        if not msg:
            msg = self._check(self._field, spec)
        self._spec = spec if not msg else self._spec
        self.error.setText(msg)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not msg)
