"""The Review page's filter bar: vendor, error code, field, status, assignee, age and import/file,
turned into one :class:`~booking_desktop.storage.review.ReviewFilter`.  Vendor and code are
editable combos filled from the queue's counts (a value can also be typed)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from booking_desktop.schema import CANONICAL_FIELDS
from booking_desktop.storage.review import ReviewFilter

ANY = "(any)"
STATUSES = (("open", "Open"), ("resolved", "Resolved"), ("discarded", "Discarded"), ("all", "All"))
AGES = (
    ("", "Any age"),
    ("1", "Older than 1 day"),
    ("7", "Older than 7 days"),
    ("30", "Older than 30 days"),
    ("-1", "Queued today"),
)
IMPORT_ID = re.compile(r"[0-9a-f]{32}")  # storage.imports.new_import_id; anything else is a file name
TYPING_DELAY_MS = 400  # a typed value filters once the typing pauses


def _combo(name: str, editable: bool = False, width: int = 8) -> QComboBox:
    c = QComboBox()
    c.setObjectName(name)
    c.setEditable(editable)
    c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    c.setMinimumContentsLength(width)
    if editable:
        c.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    return c


class ReviewFilterBar(QWidget):
    changed = Signal()  # the filter changed (typing settles first)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reviewFilterBar")
        self._quiet = False
        self.vendor = _combo("reviewVendor", editable=True, width=10)
        self.code = _combo("reviewCode", editable=True, width=14)
        self.field = _combo("reviewField", width=10)
        self.status = _combo("reviewStatus", width=8)
        self.age = _combo("reviewAge", width=12)
        self.assignee = QLineEdit()
        self.assignee.setObjectName("reviewAssignee")
        self.assignee.setPlaceholderText("assigned to…")
        self.source = QLineEdit()
        self.source.setObjectName("reviewSource")
        self.source.setPlaceholderText("file name or import id…")
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setObjectName("reviewClearFilters")
        for c in (self.vendor, self.code):
            c.addItem(ANY, None)
        self.field.addItem(ANY, None)
        for f in CANONICAL_FIELDS:
            self.field.addItem(f, f)
        for value, text in STATUSES:
            self.status.addItem(text, value)
        for value, text in AGES:
            self.age.addItem(text, value)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for label, w in (("Vendor", self.vendor), ("Problem", self.code), ("Field", self.field),
                         ("Status", self.status), ("", self.age), ("", self.assignee), ("", self.source)):
            if label:
                lab = QLabel(label)
                lab.setBuddy(w)
                lay.addWidget(lab)
            lay.addWidget(w)
        lay.addWidget(self.clear_button)
        lay.addStretch(1)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_DELAY_MS)
        self._typing.timeout.connect(self._emit)
        for c in (self.vendor, self.code, self.field, self.status, self.age):
            c.currentIndexChanged.connect(lambda _i: self._emit())
        for c in (self.vendor, self.code):
            line = c.lineEdit()
            assert line is not None
            line.textEdited.connect(lambda _t: self._typing.start())
            line.returnPressed.connect(self._emit)
        for e in (self.assignee, self.source):
            e.textEdited.connect(lambda _t: self._typing.start())
            e.returnPressed.connect(self._emit)
        self.clear_button.clicked.connect(self.clear)

    def _emit(self) -> None:
        self._typing.stop()
        if not self._quiet:
            self.changed.emit()

    @staticmethod
    def _value(c: QComboBox) -> str | None:
        text = c.currentText().strip()
        if not text or text == ANY:
            return None
        i = c.findText(text, Qt.MatchFlag.MatchExactly)
        data = c.itemData(i) if i >= 0 else None
        return str(data) if data else text

    def filter(self) -> ReviewFilter:
        age = str(self.age.currentData() or "")
        older = timedelta(days=int(age)) if age and int(age) > 0 else None
        newer = timedelta(days=1) if age == "-1" else None
        source = self.source.text().strip() or None
        is_import = bool(source and IMPORT_ID.fullmatch(source))
        return ReviewFilter(
            vendor=self._value(self.vendor),
            code=self._value(self.code),
            field=self.field.currentData(),
            status=str(self.status.currentData() or "open"),
            assignee=self.assignee.text().strip() or None,
            older_than=older,
            newer_than=newer,
            import_id=source if is_import else None,
            file=source if source and not is_import else None,
        )

    def set_choices(self, vendors: list[str], codes: list[str]) -> None:
        """Fill the vendor and code lists (what is typed or chosen stays)."""
        self._quiet = True
        try:
            for combo, values in ((self.vendor, vendors), (self.code, codes)):
                keep = combo.currentText()
                combo.clear()
                combo.addItem(ANY, None)
                for v in values:
                    combo.addItem(v, v)
                i = combo.findText(keep, Qt.MatchFlag.MatchExactly)
                if i >= 0:
                    combo.setCurrentIndex(i)
                else:
                    combo.setEditText(keep)
        finally:
            self._quiet = False

    def set_values(self, vendor: str | None = None, code: str | None = None, status: str = "open",
                   **_: Any) -> None:
        """Set the filter as a click elsewhere asks (vendor × code of the counts or the quality page);
        the other conditions are cleared.  Emits ``changed`` once."""
        self._quiet = True
        try:
            for combo, value in ((self.vendor, vendor), (self.code, code)):
                if value is None:
                    combo.setCurrentIndex(0)
                else:
                    i = combo.findText(value, Qt.MatchFlag.MatchExactly)
                    if i < 0:
                        combo.addItem(value, value)
                        i = combo.count() - 1
                    combo.setCurrentIndex(i)
            self.field.setCurrentIndex(0)
            self.status.setCurrentIndex(max(0, self.status.findData(status)))
            self.age.setCurrentIndex(0)
            self.assignee.clear()
            self.source.clear()
        finally:
            self._quiet = False
        self._emit()

    def clear(self) -> None:
        self.set_values()
