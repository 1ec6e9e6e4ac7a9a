"""The value map of one field: each distinct source value onto a canonical value."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class ValueMapDialog(QDialog):
    """Map each distinct source value onto a canonical value (e.g. ``Canceled`` -> ``cancelled``)."""

    KEEP = "(keep as is)"

    def __init__(self, parent: QWidget, field: str, values: list[str], current: dict[str, str], targets: list[str]):
        super().__init__(parent)
        self.setWindowTitle(f"Values of {field}")
        self.setObjectName("ValueMapDialog")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"Choose the canonical {field} for each value found in the file:", self))
        keys = list(dict.fromkeys([*values, *current]))
        self.table = QTableWidget(len(keys), 2, self)
        self.table.setObjectName("value_map_table")
        self.table.setHorizontalHeaderLabels(["In the file", f"Canonical {field}"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self._combos: list[tuple[str, QComboBox]] = []
        for i, key in enumerate(keys):
            item = QTableWidgetItem(key)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(i, 0, item)
            combo = QComboBox(self.table)
            combo.setEditable(not targets)
            combo.addItem(self.KEEP)
            combo.addItems(targets)
            combo.setAccessibleName(f"Canonical value for {key}")
            want = current.get(key)
            if want is not None:
                idx = combo.findText(want)
                if idx < 0:
                    combo.addItem(want)
                    idx = combo.count() - 1
                combo.setCurrentIndex(idx)
            self.table.setCellWidget(i, 1, combo)
            self._combos.append((key, combo))
        self.table.resizeColumnToContents(0)
        lay.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(460, 360)

    def combo_for(self, key: str) -> QComboBox:
        return dict(self._combos)[key]

    def mapping(self) -> dict[str, str]:
        out = {}
        for key, combo in self._combos:
            t = combo.currentText().strip()
            if t and t != self.KEEP:
                out[key] = t
        return out
