"""The form of one transform kind (:mod:`~booking_desktop.gui.transform_kinds`): a column picker, an
ordered choice of columns, a text, a number or a tick box per input."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.gui.transform_kinds import COLUMN, COLUMNS, DEFAULT, FLAG, NUMBER, Input, Kind

NO_NUMBER = 7  # the spin box's "not given" (a hash's length is 8 to 64)


class TransformForm(QWidget):
    changed = Signal()

    def __init__(self, kind: Kind, columns: Sequence[str], refs: Sequence[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"transform_form_{kind.key}")
        self._order: dict[str, list[str]] = {}  # COLUMNS input -> the columns in the order ticked
        self._widgets: dict[str, QWidget] = {}
        self._order_labels: dict[str, QLabel] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for inp in (*kind.inputs, DEFAULT):
            w = self._make(inp, list(columns), [f"@{r}" for r in refs] if inp.refs else [])
            w.setObjectName(f"tf_{inp.key.replace('.', '_')}")
            w.setAccessibleName(inp.label)
            w.setToolTip(inp.tip)
            self._widgets[inp.key] = w
            if inp.kind == COLUMNS:
                box = QWidget(self)
                lay = QVBoxLayout(box)
                lay.setContentsMargins(0, 0, 0, 0)
                lay.addWidget(w)
                order = QLabel(box)
                order.setObjectName(f"tf_{inp.key}_order")
                order.setWordWrap(True)
                order.setTextFormat(Qt.TextFormat.PlainText)
                lay.addWidget(order)
                self._order_labels[inp.key] = order
                form.addRow(inp.label, box)
            else:
                form.addRow(inp.label, w)

    def _make(self, inp: Input, columns: list[str], refs: list[str]) -> QWidget:
        if inp.kind == COLUMN:
            combo = QComboBox(self)
            combo.setEditable(True)  # a column this file lacks may still be named
            combo.addItems(columns + refs)
            combo.setCurrentIndex(-1)
            combo.currentTextChanged.connect(lambda _t: self.changed.emit())
            return combo
        if inp.kind == COLUMNS:
            lst = QListWidget(self)
            lst.setMaximumHeight(140)
            for name in columns + refs:
                item = QListWidgetItem(name, lst)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            lst.itemChanged.connect(lambda item, key=inp.key: self._ticked(key, item))
            return lst
        if inp.kind == NUMBER:
            spin = QSpinBox(self)
            spin.setRange(NO_NUMBER, 64)
            spin.setSpecialValueText("not given")
            spin.valueChanged.connect(lambda _v: self.changed.emit())
            return spin
        if inp.kind == FLAG:
            box = QCheckBox(self)
            box.toggled.connect(lambda _on: self.changed.emit())
            return box
        edit = QLineEdit(self)
        edit.textEdited.connect(lambda _t: self.changed.emit())
        return edit

    def _ticked(self, key: str, item: QListWidgetItem) -> None:
        order = self._order.setdefault(key, [])
        name = item.text()
        if item.checkState() == Qt.CheckState.Checked and name not in order:
            order.append(name)
        elif item.checkState() != Qt.CheckState.Checked and name in order:
            order.remove(name)
        self._order_labels[key].setText(" + ".join(order) if order else "tick the columns in order")
        self.changed.emit()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self._widgets.items():
            if isinstance(w, QComboBox):
                out[key] = w.currentText().strip()
            elif isinstance(w, QListWidget):
                out[key] = list(self._order.get(key, []))
            elif isinstance(w, QSpinBox):
                out[key] = None if w.value() == NO_NUMBER else w.value()
            elif isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, QLineEdit):
                out[key] = w.text()
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        """Show ``values`` (from ``transform_kinds.split_spec``) without emitting ``changed``."""
        for key, w in self._widgets.items():
            v = values.get(key)
            w.blockSignals(True)
            if isinstance(w, QComboBox):
                w.setCurrentText("" if v is None else str(v))
            elif isinstance(w, QListWidget):
                chosen = [str(c) for c in v] if isinstance(v, list) else []
                for i in range(w.count()):
                    item = w.item(i)
                    item.setCheckState(Qt.CheckState.Checked if item.text() in chosen else Qt.CheckState.Unchecked)
                for c in chosen:  # a column the file lacks is still shown, ticked
                    if not w.findItems(c, Qt.MatchFlag.MatchExactly):
                        item = QListWidgetItem(c, w)
                        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                        item.setCheckState(Qt.CheckState.Checked)
                self._order[key] = chosen
                self._order_labels[key].setText(" + ".join(chosen) if chosen else "tick the columns in order")
            elif isinstance(w, QSpinBox):
                w.setValue(int(v) if isinstance(v, int) and not isinstance(v, bool) else NO_NUMBER)
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(v))
            elif isinstance(w, QLineEdit):
                w.setText("" if v is None else str(v))
            w.blockSignals(False)

    def widget(self, key: str) -> QWidget:
        return self._widgets[key]
