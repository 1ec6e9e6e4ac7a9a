"""The Review page's bulk fix: set a value, find/replace or a value map in one field, on the selected
rows or on every open row the filter matches, previewed first (what changes, how many rows are valid
afterwards) and applied as one undoable step (``storage.review_bulk``).  The dialog only gathers the
operation and shows the plan; the page runs both on workers."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.schema import CANONICAL_FIELDS
from booking_desktop.storage.review_bulk import FindReplace, SetValue, ValueMap

KINDS = (("set", "Set a value"), ("replace", "Find and replace"), ("map", "Map values"))
MAP_ROWS = 12  # empty rows offered below the values of the page


class BulkFixDialog(QDialog):
    preview_requested = Signal()

    def __init__(self, field: str | None, selected: int, matching: int | None, values: list[str | None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("bulkFixDialog")
        self.setWindowTitle("Bulk fix")
        self.kind = QComboBox()
        self.kind.setObjectName("bulkKind")
        for value, text in KINDS:
            self.kind.addItem(text, value)
        self.field = QComboBox()
        self.field.setObjectName("bulkField")
        for f in CANONICAL_FIELDS:
            self.field.addItem(f, f)
        if field in CANONICAL_FIELDS:
            self.field.setCurrentIndex(self.field.findData(field))
        self.value = QLineEdit()
        self.value.setObjectName("bulkValue")
        self.value.setPlaceholderText("the new value (empty: clear the cells)")
        self.find_text = QLineEdit()
        self.find_text.setObjectName("bulkFind")
        self.replace_text = QLineEdit()
        self.replace_text.setObjectName("bulkReplace")
        self.whole = QCheckBox("Whole cell only")
        self.whole.setObjectName("bulkWhole")
        self.case = QCheckBox("Match case")
        self.case.setObjectName("bulkCase")
        self.case.setChecked(True)
        self.map = QTableWidget(0, 2)
        self.map.setObjectName("bulkMap")
        self.map.setHorizontalHeaderLabels(["Value", "Becomes"])
        self.map.setToolTip("Type what a value becomes; values with nothing beside them stay as they are "
                            "(to empty cells, use “Set a value” with nothing)")
        self.map.horizontalHeader().setStretchLastSection(True)
        self._fill_map(values)

        pages = QStackedWidget()
        set_page, replace_page = QWidget(), QWidget()
        f1 = QFormLayout(set_page)
        f1.addRow("New value", self.value)
        f2 = QFormLayout(replace_page)
        f2.addRow("Find", self.find_text)
        f2.addRow("Replace with", self.replace_text)
        f2.addRow("", self.whole)
        f2.addRow("", self.case)
        for p in (set_page, replace_page, self.map):
            pages.addWidget(p)
        self.kind.currentIndexChanged.connect(pages.setCurrentIndex)
        self.kind.currentIndexChanged.connect(lambda _i: self._changed())

        self.on_selected = QRadioButton(f"The {selected:,} selected row(s)")
        self.on_selected.setObjectName("bulkOnSelected")
        total = f" ({matching:,})" if matching is not None else ""
        self.on_filter = QRadioButton(f"Every open row the filter matches{total}")
        self.on_filter.setObjectName("bulkOnFilter")
        (self.on_selected if selected else self.on_filter).setChecked(True)
        self.on_selected.setEnabled(selected > 0)

        self.plan_label = QLabel("Preview says what would change before anything is written.")
        self.plan_label.setObjectName("bulkPlan")
        self.plan_label.setWordWrap(True)
        self.preview_button = QPushButton("Preview")
        self.preview_button.setObjectName("bulkPreview")
        self.preview_button.clicked.connect(self._preview)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Apply")
        self.ok.setObjectName("bulkApply")
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self._apply)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Change", self.kind)
        form.addRow("Field", self.field)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(pages)
        lay.addWidget(QLabel("Rows"))
        lay.addWidget(self.on_selected)
        lay.addWidget(self.on_filter)
        lay.addWidget(self.plan_label)
        lay.addWidget(buttons)
        for w in (self.value, self.find_text, self.replace_text):
            w.textEdited.connect(lambda _t: self._changed())
        self.field.currentIndexChanged.connect(lambda _i: self._changed())
        self.resize(520, 460)

    def _fill_map(self, values: list[str | None]) -> None:
        seen = list(dict.fromkeys("" if v is None else v for v in values))
        self.map.setRowCount(len(seen) + MAP_ROWS)
        for r, v in enumerate(seen):
            self.map.setItem(r, 0, QTableWidgetItem(v))

    def _changed(self) -> None:
        self.plan_label.setText("Preview says what would change before anything is written.")

    def operation(self) -> SetValue | FindReplace | ValueMap:
        field = str(self.field.currentData())
        kind = self.kind.currentData()
        if kind == "set":
            return SetValue(field, self.value.text().strip() or None)
        if kind == "replace":
            return FindReplace(field, self.find_text.text(), self.replace_text.text(),
                               whole_cell=self.whole.isChecked(), case=self.case.isChecked())
        mapping: dict[str, str | None] = {}
        for r in range(self.map.rowCount()):
            key, to = self.map.item(r, 0), self.map.item(r, 1)
            if to is None or key is None or not to.text().strip():
                continue  # a value with nothing typed beside it stays as it is
            mapping[key.text()] = to.text().strip()
        return ValueMap(field, mapping)

    @property
    def whole_filter(self) -> bool:
        return self.on_filter.isChecked()

    def _preview(self) -> None:
        self.plan_label.setText("Working out the changes…")
        self.preview_requested.emit()

    def show_plan(self, plan: Any | None, message: str = "") -> None:
        if plan is None:
            self.plan_label.setText(message)
            return
        text = (f"{plan.changes:,} of {plan.matched:,} row(s) would change: {plan.valid_now:,} valid afterwards, "
                f"{plan.still_invalid:,} still with errors; {plan.unchanged:,} unchanged")
        if plan.conflicts:
            text += f"; {len(plan.conflicts):,} being resubmitted or changed (left alone)"
        examples = [f"record {r['record']}: " + ", ".join(f"{k} {r['before'].get(k)!r} → {v!r}"
                                                        for k, v in r["after"].items()) for r in plan.rows[:3]]
        self.plan_label.setText(text + "." + ("\n" + "\n".join(examples) if examples else ""))

    def _apply(self) -> None:
        self.accept()
