"""Bulk edit dialogs: find & replace in a column, set a value, apply a value map.

The dialogs only collect the operator's intent; the window calls the
session, which makes each bulk edit one undoable step.
"""

from __future__ import annotations

import re

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

VALUE_MAP_MAX_DISTINCT = 200  # most frequent values offered for mapping


class FindReplaceDialog(QDialog):
    """Find & replace within one column, plain text or a regular expression."""

    def __init__(self, fields: list[str], field: str | None = None, has_selection: bool = False, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Find and replace")
        self.setObjectName("findReplaceDialog")
        self.field_combo = QComboBox()
        self.field_combo.setObjectName("frField")
        self.field_combo.setAccessibleName("Column")
        self.field_combo.addItems(fields)
        if field in fields:
            self.field_combo.setCurrentText(field)
        self.find_edit = QLineEdit()
        self.find_edit.setObjectName("frFind")
        self.find_edit.setAccessibleName("Find")
        self.replace_edit = QLineEdit()
        self.replace_edit.setObjectName("frReplace")
        self.replace_edit.setAccessibleName("Replace with")
        self.regex_check = QCheckBox("Regular expression")
        self.regex_check.setObjectName("frRegex")
        self.regex_check.setAccessibleName("Regular expression")
        self.selection_check = QCheckBox("Only in selected rows")
        self.selection_check.setObjectName("frSelection")
        self.selection_check.setAccessibleName("Only in selected rows")
        self.selection_check.setEnabled(has_selection)
        self.error_label = QLabel("")
        self.error_label.setObjectName("frError")
        form = QFormLayout()
        form.addRow("Column", self.field_combo)
        form.addRow("Find", self.find_edit)
        form.addRow("Replace with", self.replace_edit)
        form.addRow("", self.regex_check)
        form.addRow("", self.selection_check)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Replace all")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error_label)
        lay.addWidget(self.buttons)
        self.find_edit.setFocus()

    def _accept(self) -> None:
        if not self.find_edit.text():
            self.error_label.setText("Type the text to find.")
            return
        if self.regex_check.isChecked():
            try:
                re.compile(self.find_edit.text())
            except re.error as exc:
                self.error_label.setText(f"Not a valid regular expression: {exc}")
                return
        self.accept()

    def values(self) -> tuple[str, str, str, bool, bool]:
        return (
            self.field_combo.currentText(),
            self.find_edit.text(),
            self.replace_edit.text(),
            self.regex_check.isChecked(),
            self.selection_check.isChecked(),
        )


class SetValueDialog(QDialog):
    """One value for every selected cell of a column."""

    def __init__(self, field: str, n_rows: int, current: str = "", parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Set {field}")
        self.setObjectName("setValueDialog")
        self.edit = QLineEdit(current)
        self.edit.setObjectName("setValueEdit")
        self.edit.setAccessibleName(f"New value for {field}")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"Set {field} of {n_rows:,} selected record(s) to (empty = missing):"))
        lay.addWidget(self.edit)
        lay.addWidget(buttons)

    def value(self) -> str:
        return self.edit.text()


class ValueMapDialog(QDialog):
    """The most frequent values of a column, each with an editable replacement."""

    def __init__(self, fields: list[str], text: pd.DataFrame, field: str | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Apply a value map")
        self.setObjectName("valueMapDialog")
        self._text = text
        self.field_combo = QComboBox()
        self.field_combo.setObjectName("vmField")
        self.field_combo.setAccessibleName("Column")
        self.field_combo.addItems(fields)
        if field in fields:
            self.field_combo.setCurrentText(field)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("vmTable")
        self.table.setAccessibleName("Values and their replacements")
        self.table.setHorizontalHeaderLabels(["Value", "Count", "Replace with"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Apply")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.field_combo)
        lay.addWidget(self.table, 1)
        lay.addWidget(buttons)
        self.field_combo.currentTextChanged.connect(self._load)
        self._load(self.field_combo.currentText())
        self.resize(520, 420)

    def _load(self, field: str) -> None:
        self.table.setRowCount(0)
        if field not in self._text.columns:
            return
        counts = self._text[field].value_counts(dropna=True).head(VALUE_MAP_MAX_DISTINCT)
        self.table.setRowCount(len(counts))
        for i, (val, n) in enumerate(counts.items()):
            a, b = QTableWidgetItem(str(val)), QTableWidgetItem(f"{int(n):,}")
            for it in (a, b):
                it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(i, 0, a)
            self.table.setItem(i, 1, b)
            self.table.setItem(i, 2, QTableWidgetItem(""))

    def mapping(self) -> tuple[str, dict[str, str]]:
        out: dict[str, str] = {}
        for i in range(self.table.rowCount()):
            source, new = self.table.item(i, 0), self.table.item(i, 2)
            if source is not None and new is not None and new.text().strip():
                out[source.text()] = new.text()
        return self.field_combo.currentText(), out
